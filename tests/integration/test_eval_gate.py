"""The CI quality gate: the held-out ``test`` split of member questions against the real model and knowledge base.

``test.jsonl`` is never tuned on (`bot.py gate train` refuses it) and never edited to make this pass. Issue #9's
targets are listed with the floor CI holds the project to: the floor sits just under what the split measured
when the gate was last trained (README, "Measured"), so an unlucky index build cannot fail CI by one question
while a real regression still does. Where a measured value misses its target, the README says so.
"""

from __future__ import annotations

import pytest

from dispute_desk.eval import load_questions, run_eval
from dispute_desk.settings import PROJECT_DIR

pytestmark = pytest.mark.slow

EVAL_DIR = PROJECT_DIR / "tests" / "eval"

# question file -> metric -> (direction, issue #9 target, CI floor). Each file's report is made once per module.
FLOORS = {
    # the held-out split; measured (seventh session, final): 0.959, 0.962, 0.926, 0.000 (sixth: ..., 0.032)
    "test.jsonl": {
        "answer_fact_rate": (">=", 0.90, 0.90),
        "decline_precision": (">=", 0.95, 0.95),
        "decline_recall": (">=", 0.90, 0.88),
        "lookalikes_declined": ("<=", 0.03, 0.04),
    },
    # The blind validation set (written from the fact sheet alone, never trained on): the targets, with a
    # look-alike floor that allows one miss in 44. Measured (seventh session, final): 0.983, 0.982, 0.982, 0.000.
    "blind.jsonl": {
        "answer_fact_rate": (">=", 0.90, 0.90),
        "decline_precision": (">=", 0.95, 0.95),
        "decline_recall": (">=", 0.90, 0.92),
        "lookalikes_declined": ("<=", 0.03, 0.03),
    },
    # The third blind set, heavy in in-scope look-alikes (95 of 282), the validation set the fifth session chose
    # the gate's look-alike cap and training files on: the targets; the look-alike floor allows two misses
    # in 95. Measured (seventh session, final): 0.970, 1.000, 0.988, 0.000.
    "blind-3.jsonl": {
        "answer_fact_rate": (">=", 0.90, 0.90),
        "decline_precision": (">=", 0.95, 0.95),
        "decline_recall": (">=", 0.90, 0.92),
        "lookalikes_declined": ("<=", 0.03, 0.03),
    },
    # The fifth blind set (200 look-alikes of 440), the sixth session's validation set: the targets; the
    # look-alike floor allows two misses in 200. Measured (seventh session, final): 0.966, 1.000, 0.992, 0.000.
    "blind-5.jsonl": {
        "answer_fact_rate": (">=", 0.90, 0.92),
        "decline_precision": (">=", 0.95, 0.95),
        "decline_recall": (">=", 0.90, 0.95),
        "lookalikes_declined": ("<=", 0.03, 0.01),
    },
    # The seventh blind set (440: second-language one-liners, long timelines whose request is the last sentence),
    # the seventh session's validation set after its first run (0.944, 0.972, 0.858, 0.010 on 35dceb4): the issue's
    # targets; the look-alike floor allows three misses in 200. Measured (seventh session, final): 0.950, 0.983, 0.958,
    # 0.005.
    "blind-7.jsonl": {
        "answer_fact_rate": (">=", 0.90, 0.92),
        "decline_precision": (">=", 0.95, 0.95),
        "decline_recall": (">=", 0.90, 0.92),
        "lookalikes_declined": ("<=", 0.03, 0.015),
    },
}

PROJECT_SET_FLOOR = {
    "recall_at_k": 0.95,
    "answer_fact_rate": 0.85,
    "decline_precision": 0.85,
    "decline_recall": 0.90,
}


@pytest.fixture(scope="module")
def report_of(real_desk):
    """The eval report of a question file in tests/eval, made on first use and kept for the module."""
    made = {}

    def report(name: str):
        if name not in made:
            made[name] = run_eval(real_desk, load_questions(EVAL_DIR / name), k=5, write=False)
        return made[name]

    return report


@pytest.fixture(scope="module")
def test_report(report_of):
    return report_of("test.jsonl")


@pytest.fixture(scope="module")
def project_report(report_of):
    return report_of("questions.jsonl")


@pytest.mark.parametrize(("name", "metric"), [(name, metric) for name, floors in FLOORS.items() for metric in floors])
def test_held_out_and_validation_sets_stay_above_their_floors(report_of, name, metric):
    op, target, floor = FLOORS[name][metric]
    report = report_of(name)
    value = getattr(report, metric)
    # the held-out split's failures by id only: its questions are not read by whoever fixes the failure
    failures = [f.id if name == "test.jsonl" else f"{f.id}: {f.question[:80]}" for f in report.failures()][:10]
    ok = value >= floor if op == ">=" else value <= floor
    assert ok, f"{name} {metric} = {value} (floor {op} {floor}, issue target {op} {target}); some failures: {failures}"


@pytest.mark.parametrize("metric", list(PROJECT_SET_FLOOR))
def test_project_question_set_does_not_regress(project_report, metric):
    value = getattr(project_report, metric)
    assert value >= PROJECT_SET_FLOOR[metric], f"{metric} = {value}"


def test_every_answered_test_question_quotes_the_sources_it_cites(real_desk, test_report, assert_grounded):
    answered = 0
    for item in test_report.items:
        if item.answered:
            answer = real_desk.ask(item.question, write=False)
            assert_grounded(answer)
            assert len(answer.text) <= real_desk.settings.answering.max_answer_chars
            answered += 1
    assert answered >= 200  # the checks above really ran over most of the split
