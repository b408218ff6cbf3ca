"""The eval harness: a malformed question file names the line; the metrics add up on a hand-built set."""

from __future__ import annotations

import json

import pytest

from dispute_desk.eval import EvalItem, EvalSetError, load_questions, percentile, run_eval
from dispute_desk.models import Answer, Chunk, Hit, Source


def write_lines(tmp_path, *lines: str):
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = json.dumps(
    {
        "id": "P01",
        "question": "mediation vs dispute?",
        "facts": ["F39"],
        "answerable": True,
        "topic": "mediation",
    }
)


def test_load_questions_reads_records_and_skips_blank_lines(tmp_path):
    path = write_lines(tmp_path, GOOD, "", json.dumps({"question": "pizza?", "answerable": False}))
    items = load_questions(path)
    assert items == [
        EvalItem("P01", "mediation vs dispute?", ("F39",), True, "mediation"),
        EvalItem("line3", "pizza?", (), False, ""),
    ]


@pytest.mark.parametrize(
    ("bad", "why"),
    [
        ("{not json", "Expecting"),
        (json.dumps({"id": "X", "facts": []}), "question"),
        (json.dumps({"id": "X", "question": "q"}), "answerable"),
        (json.dumps(["a", "list"]), "not a question record"),
    ],
)
def test_a_malformed_line_is_named(tmp_path, bad, why):
    path = write_lines(tmp_path, GOOD, GOOD, bad, GOOD)
    with pytest.raises(EvalSetError) as info:
        load_questions(path)
    assert f"{path}:3:" in str(info.value)
    assert why in str(info.value)


def test_an_empty_or_missing_file_is_an_error(tmp_path):
    empty = write_lines(tmp_path, "", "   ")
    with pytest.raises(EvalSetError, match="has no questions"):
        load_questions(empty)
    with pytest.raises(EvalSetError, match="cannot read"):
        load_questions(tmp_path / "missing.jsonl")


def test_the_bundled_eval_set_loads():
    from dispute_desk.settings import PROJECT_DIR

    items = load_questions(PROJECT_DIR / "tests" / "eval" / "questions.jsonl")
    assert len(items) >= 100
    assert len({i.id for i in items}) == len(items)
    assert any(not i.answerable for i in items) and any(i.answerable for i in items)
    assert all(i.facts for i in items if i.answerable)


class ScriptedDesk:
    """Answers and retrieves exactly what each question is scripted to, so the metrics can be worked out."""

    def __init__(self, script: dict[str, tuple[bool, tuple[str, ...], tuple[str, ...], float]]):
        self.script = script  # question -> (answered, cited facts, retrieved facts, latency)

    def ask(self, question: str) -> Answer:
        answered, cited, _, latency = self.script[question]
        sources = (Source(1, "t", None, None, "policy", 0.5, "text", cited),) if cited else ()
        return Answer(question, answered, "text", sources, latency_ms=latency)

    def ask_traced(self, question: str) -> tuple[Answer, list[Hit]]:
        return self.ask(question), self.search(question)

    def search(self, question: str, k: int | None = None) -> list[Hit]:
        _, _, retrieved, _ = self.script[question]
        return [Hit(Chunk(id=f, text="t", source="s", title="t", facts=(f,)), 1.0) for f in retrieved]


def test_run_eval_metrics_on_a_hand_built_set():
    items = [
        EvalItem("a1", "q1", ("F1", "F2"), True),  # answered, cites F1; retrieved F1 and F2
        EvalItem("a2", "q2", ("F3",), True),  # answered, but cites an unrelated fact; retrieved F3
        EvalItem("a3", "q3", ("F4", "F5"), True),  # declined although answerable; retrieved nothing useful
        EvalItem("a4", "q4", ("F6",), True),  # answered with F6, retrieved F6
        EvalItem("u1", "q5", (), False),  # correctly declined
        EvalItem("u2", "q6", (), False),  # wrongly answered
    ]
    desk = ScriptedDesk(
        {
            "q1": (True, ("F1",), ("F1", "F2", "F9"), 10.0),
            "q2": (True, ("F8",), ("F3",), 20.0),
            "q3": (False, (), ("F7",), 30.0),
            "q4": (True, ("F6",), ("F6",), 40.0),
            "q5": (False, (), (), 50.0),
            "q6": (True, ("F1",), ("F1",), 60.0),
        }
    )
    report = run_eval(desk, items, k=5)
    assert report.questions == 6
    assert report.recall_at_k == pytest.approx(3 / 4)  # a1, a2, a4 retrieved an expected fact
    assert report.fact_recall_at_k == pytest.approx(round(4 / 6, 4))  # F1, F2, F3, F6 of F1..F6
    assert report.answer_fact_rate == pytest.approx(2 / 4)  # a1 and a4 cite an expected fact
    assert report.answered_rate == pytest.approx(3 / 4)
    assert report.decline_precision == pytest.approx(1 / 2)  # declined a3 (wrong) and u1 (right)
    assert report.decline_recall == pytest.approx(1 / 2)  # of u1, u2 only u1 declined
    assert report.latency_p50_ms == pytest.approx(35.0)
    assert report.latency_p95_ms == pytest.approx(60.0)
    assert [f.id for f in report.failures()] == ["a2", "a3", "u2"]
    data = report.to_json()
    assert "items" not in data and data["recall_at_k"] == 0.75
    assert len(report.to_json(with_items=True)["items"]) == 6


def test_a_declined_answer_never_counts_as_citing_a_fact():
    desk = ScriptedDesk({"q": (False, ("F1",), ("F1",), 1.0)})  # closest sources carry F1, but not answered
    report = run_eval(desk, [EvalItem("a", "q", ("F1",), True)])
    assert report.answer_fact_rate == 0.0
    assert report.recall_at_k == 1.0


def test_percentile():
    assert percentile([], 95) == 0.0
    assert percentile([5.0], 50) == 5.0
    assert percentile(list(range(1, 101)), 95) == 95
    assert percentile([3.0, 1.0, 2.0], 50) == 2.0


def test_run_eval_against_the_tiny_desk(tiny_desk):
    items = [
        EvalItem("review", "How many days does the client have to review submitted work?", ("F06",), True),
        EvalItem("arbitration", "Who pays for arbitration?", ("F26", "F27"), True),
        EvalItem("pizza", "Can you recommend a good pizza place in Berlin?", (), False),
    ]
    report = run_eval(tiny_desk, items, k=3)
    assert report.recall_at_k == 1.0
    assert report.decline_recall == 1.0
    assert report.answer_fact_rate == 1.0
    assert report.decline_precision == 1.0
