"""Which questions to ask, in which order: shared by the terminal prompts and the Discord flow.

A question is asked only for the contract types it lists and when its ``when`` holds for the answers so
far, so a member with an hourly contract is never asked about escrow, and nobody is asked for the date of
a refund request they said never happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from dispute_desk.protection.conditions import Facts, holds_any
from dispute_desk.protection.inputs import CheckInputs, inputs_from_answers
from dispute_desk.protection.rules import Question

_NO_DATES: Mapping[str, date] = {}


def applies(question: Question, inputs: CheckInputs) -> bool:
    """Whether ``question`` is relevant to the situation described so far."""
    if question.types and inputs.answer("type") not in question.types:
        return False
    return holds_any(question.when, Facts(inputs, _NO_DATES, date.min))


def next_choice_question(
    questions: Iterable[Question], answers: Mapping[str, object], *, skip: Iterable[str] = ()
) -> Question | None:
    """The first relevant multiple-choice question not answered yet (None when all are answered)."""
    done = set(answers) | set(skip)
    inputs = inputs_from_answers(dict(answers))
    for question in questions:
        if question.is_date or question.field in done:
            continue
        if applies(question, inputs):
            return question
    return None


def date_questions(questions: Iterable[Question], answers: Mapping[str, object]) -> list[Question]:
    """The relevant date questions for these answers, in order (all optional)."""
    inputs = inputs_from_answers(dict(answers))
    return [q for q in questions if q.is_date and applies(q, inputs)]


def missing_answers(questions: Iterable[Question], inputs: CheckInputs) -> list[Question]:
    """Key questions that are relevant here but were answered "unknown"."""
    return [
        q for q in questions if q.key and not q.is_date and applies(q, inputs) and inputs.answer(q.field) == "unknown"
    ]
