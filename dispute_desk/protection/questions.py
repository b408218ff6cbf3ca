"""The questions of the rules file, and which to ask in which order (for the terminal and Discord alike).

A question is asked only for the contract types it lists and when its ``when`` holds for the answers so
far, so a member with an hourly contract is never asked about escrow, and nobody is asked for the date of
a refund request they said never happened.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Annotated

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from dispute_desk.protection.conditions import AnswerWhen, Facts, holds_any, normalize_value
from dispute_desk.protection.fields import Text, Value, one_of
from dispute_desk.protection.inputs import ANSWER_VALUES, DATE_FIELDS, CheckInputs, ContractType, inputs_from_answers
from dispute_desk.protection.references import references

_NO_DATES: Mapping[str, date] = {}


def _choices(value: object) -> object:
    """``{value: label}`` in the file; (value, label) pairs in order once loaded."""
    if isinstance(value, Mapping):
        return [(normalize_value(k), label) for k, label in value.items()]
    return value


_FIELDS = (*ANSWER_VALUES, *DATE_FIELDS)
QuestionField = Annotated[
    str, AfterValidator(one_of(_FIELDS, "field")), WithJsonSchema({"type": "string", "enum": list(_FIELDS)})
]
Choices = Annotated[
    tuple[tuple[str, str], ...],
    BeforeValidator(_choices, json_schema_input_type=dict[str, str]),
    PlainSerializer(dict),
]


class Question(Value):
    """A question asked for the contract types in ``for`` (all when left out) and when ``when`` holds."""

    model_config = ConfigDict(validate_by_name=True)

    field: QuestionField
    ask: Text
    label: Text
    key: bool = Field(False, description="Without this answer there is no verdict.")
    choices: Choices = Field(
        (),
        description="Each value of the answer and the label shown; none for a date.",
        json_schema_extra={"default": {}},
    )
    types: tuple[ContractType, ...] = Field((), alias="for")
    when: AnswerWhen = ()
    help: Text | None = None

    @property
    def is_date(self) -> bool:
        return self.field in DATE_FIELDS

    @field_validator("field")
    @classmethod
    def _asked_once(cls, name: str, info: ValidationInfo) -> str:
        if references(info).question_fields[name] > 1:
            raise ValueError(f"the question {name} is asked twice")
        return name

    @model_validator(mode="after")
    def _choices_fit(self) -> Question:
        if self.is_date:
            if self.choices:
                raise ValueError(f"{self.field} is a date question, which has no choices")
            return self
        if not self.choices:
            raise ValueError("choices must map each value to the label shown")
        allowed = ANSWER_VALUES[self.field]
        for value, _ in self.choices:
            if value not in allowed:
                raise ValueError(f"choice '{value}' is not a value of {self.field} (allowed: {', '.join(allowed)})")
        return self


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
