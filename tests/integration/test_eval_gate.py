"""The CI quality gate: the bundled eval set against the real model and knowledge base."""

from __future__ import annotations

import pytest

from dispute_desk.evaluation import load_questions, run_eval
from dispute_desk.settings import PROJECT_DIR

pytestmark = pytest.mark.slow

THRESHOLDS = {
    "recall_at_k": 0.95,
    "answer_fact_rate": 0.85,
    "decline_precision": 0.85,
    "decline_recall": 0.95,
}


@pytest.fixture(scope="module")
def report(real_desk):
    return run_eval(real_desk, load_questions(PROJECT_DIR / "tests" / "eval" / "questions.jsonl"), k=5)


@pytest.mark.parametrize("metric", list(THRESHOLDS))
def test_eval_metric_meets_its_threshold(report, metric):
    value = getattr(report, metric)
    failures = [f"{f.id}: {f.question}" for f in report.failures()][:15]
    assert value >= THRESHOLDS[metric], f"{metric} = {value} < {THRESHOLDS[metric]}; failures: {failures}"


def test_every_answered_eval_question_quotes_the_sources_it_cites(real_desk, report, assert_grounded):
    answered = 0
    for item in report.items:
        if item.answered:
            answer = real_desk.ask(item.question)
            assert_grounded(answer)
            assert len(answer.text) <= real_desk.settings.max_answer_chars
            answered += 1
    assert answered >= 50  # the checks above really ran over most of the set
