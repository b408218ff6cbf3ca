"""`eval --llm` scores both answer modes on the same questions: facts in answers, declines, fallbacks, latency."""

from __future__ import annotations

import argparse
import io
import json

from rich.console import Console

from desk_cli import exit_codes
from desk_cli.commands import evaluate
from dispute_desk.desk import Desk
from dispute_desk.evaluation import EvalItem, compare_modes

ITEMS = [
    EvalItem("review", "How many days does the client have to review submitted work?", ("F06",), True),
    EvalItem("minimum", "What is the minimum amount for a milestone in escrow?", ("F02",), True),
    EvalItem("pizza", "Can you recommend a good pizza place in Berlin?", (), False),
]
GOOD = "The client has 14 days to review submitted work [1]."
BAD = "A milestone must be at least $50 [1]."  # the passage says $5


def test_both_modes_are_scored_side_by_side(tiny_desk: Desk, make_writer) -> None:
    writer, model = make_writer(GOOD, BAD)
    tiny_desk.writer = writer
    extractive, written = compare_modes(tiny_desk, ITEMS, k=3)

    assert extractive.mode == "extractive" and extractive.fallback_rate == 0.0
    assert written.mode == "written"
    assert written.written_rate == 0.5 and written.fallback_rate == 0.5
    assert written.fallbacks == {"unsupported_figure": 1}
    assert [i.mode for i in written.items] == ["written", "extractive", "extractive"]
    assert written.decline_recall == extractive.decline_recall == 1.0  # the pizza question never reached the model
    assert model.calls == 2
    assert written.answer_fact_rate == extractive.answer_fact_rate == 1.0


def _args(path, **extra) -> argparse.Namespace:
    return argparse.Namespace(file=path, json=extra.get("json", False), details=False, retriever="hybrid",
                              llm=extra.get("llm", True))


def _questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps({"id": i.id, "question": i.question, "facts": list(i.facts),
                                          "answerable": i.answerable}) for i in ITEMS), encoding="utf-8")
    return path


def test_eval_llm_without_a_model_configured_says_what_to_set(tiny_desk: Desk, tmp_path) -> None:
    out = io.StringIO()
    code = evaluate.handle(_args(_questions(tmp_path)), tiny_desk.settings, Console(file=out, width=200))
    assert code == exit_codes.NO_INDEX
    assert "set DESK_LLM_PROVIDER and DESK_LLM_MODEL" in out.getvalue()


def test_eval_llm_prints_the_two_columns(tiny_desk: Desk, make_writer, tmp_path, monkeypatch, capsys) -> None:
    writer, _ = make_writer(GOOD, BAD)
    opened = Desk(tiny_desk.settings, tiny_desk.embedder, tiny_desk.store, tiny_desk.texts, writer=writer)
    monkeypatch.setattr(Desk, "open", classmethod(lambda cls, settings, **kw: opened))
    out = io.StringIO()
    assert evaluate.handle(_args(_questions(tmp_path)), tiny_desk.settings, Console(file=out, width=200)) == 0
    text = out.getvalue()
    assert "extractive" in text and "written" in text
    assert "fell back to the extractive answer" in text and "fallback reasons: unsupported_figure 1" in text

    opened.writer, _ = make_writer(GOOD, BAD)  # a fresh script for the second run
    assert evaluate.handle(_args(_questions(tmp_path), json=True), tiny_desk.settings, Console(file=out)) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "openai:scripted"
    assert data["written"]["fallbacks"] == {"unsupported_figure": 1} and data["extractive"]["fallback_rate"] == 0.0
