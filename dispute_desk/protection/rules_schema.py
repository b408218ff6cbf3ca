"""The rules file declared as pydantic models: what each part holds and how the parts refer to each other.

A rule says when it applies, what it means for the verdict (its effect), the reason shown to the member,
an optional next step, which dates to show, and the policy section it comes from. Numbers (each citing
the section that states it) and dates computed from the member's answers are defined once and named
from texts (``{refund_answer_days}``), conditions and rules; the validators check that every name exists,
reading the names from the validation context (``references.py``) so that every problem is found in one
pass. ``knowledge/rules/protection.schema.json`` is generated from these models (``python -m
dispute_desk.schemas``) so moderators' editors check the YAML as they type.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PlainSerializer,
    ValidationInfo,
    WithJsonSchema,
    field_validator,
    model_validator,
)

from dispute_desk.protection.conditions import AnswerWhen, When, listed, normalize_value
from dispute_desk.protection.dates import WeeklyCycle, WeeklyPointName
from dispute_desk.protection.inputs import ANSWER_VALUES, DATE_FIELDS, ContractType
from dispute_desk.protection.references import References, references
from dispute_desk.protection.template import Template


class Effect(StrEnum):
    """What a rule that applies does to the verdict."""

    PROTECTS = "protects"  # this money is protected
    UNPROTECTED = "unprotected"  # this part is not protected (the rest may be)
    VOIDS = "voids"  # nothing is protected, whatever else is true
    UNCERTAIN = "uncertain"  # the answers leave the outcome open (explained in the reason)
    CONTRADICTION = "contradiction"  # the answers cannot all be true
    NOTE = "note"  # information: a deadline, a condition to keep, an assumption


class Value(BaseModel):
    """A part of the rules file: unknown keys are mistakes, and nothing changes once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def _one_line(text: str) -> str:
    folded = " ".join(text.split())
    if not folded:
        raise ValueError("a non-empty text is required")
    return folded


def _one_of(names: tuple[str, ...], what: str) -> Callable[[str], str]:
    """A check that a string is one of ``names`` (known at run time only, so not a ``Literal``)."""

    def check(value: str) -> str:
        if value not in names:
            raise ValueError(f"{what} must be one of {', '.join(names)}, got '{value}'")
        return value

    return check


def _check_names(template: Template, allowed: frozenset[str]) -> Template:
    unknown = sorted(template.names - allowed)
    if unknown:
        raise ValueError(f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}")
    return template


def _text_names(info: ValidationInfo) -> frozenset[str]:
    """What a rule's text may name: the numbers, the computed dates and the member's dates."""
    refs = references(info)
    return refs.numbers | refs.all_dates


def _choices(value: object) -> object:
    """``{value: label}`` in the file; (value, label) pairs in order once loaded."""
    if isinstance(value, Mapping):
        return [(normalize_value(k), label) for k, label in value.items()]
    return value


Text = Annotated[str, AfterValidator(_one_line)]
_FIELDS = (*ANSWER_VALUES, *DATE_FIELDS)
AnswerDate = Annotated[
    str, AfterValidator(_one_of(DATE_FIELDS, "a date")), WithJsonSchema({"type": "string", "enum": list(DATE_FIELDS)})
]
QuestionField = Annotated[
    str, AfterValidator(_one_of(_FIELDS, "field")), WithJsonSchema({"type": "string", "enum": list(_FIELDS)})
]
Choices = Annotated[
    tuple[tuple[str, str], ...],
    BeforeValidator(_choices, json_schema_input_type=dict[str, str]),
    PlainSerializer(dict),
]


class Cite(Value):
    """A section of the policy guide: ``{file: 02-fixed-price-disputes.md, section: "2.5"}``."""

    file: str = Field(min_length=1, description="A file in knowledge/policy/.")
    section: str = Field(min_length=1, description='The section number, quoted: "2.5".')

    def __str__(self) -> str:
        return f"{self.file} § {self.section}"


class Number(Value):
    """A number of days stated by the policy guide; texts and dates use it by its name."""

    value: int = Field(ge=0, le=3650, strict=True, description="A whole number of days (0-3650).")
    cites: Cite


class DateDef(Value):
    """A date computed from the answers: ``days`` after the first given ``from`` date, or a weekly point."""

    model_config = ConfigDict(validate_by_name=True)

    label: Text
    start: Annotated[
        tuple[AnswerDate, ...], BeforeValidator(listed, json_schema_input_type=AnswerDate | list[AnswerDate])
    ] = Field(alias="from", min_length=1)
    days: str | None = Field(None, description="The name of a number.")
    weekly: WeeklyPointName | None = Field(None, description="A point of the hourly billing week.")
    note: Template | None = None

    @field_validator("days")
    @classmethod
    def _a_number(cls, days: str | None, info: ValidationInfo) -> str | None:
        numbers = references(info).numbers
        if days is not None and days not in numbers:
            raise ValueError(f"days '{days}' is not one of the numbers ({', '.join(sorted(numbers))})")
        return days

    @field_validator("note")
    @classmethod
    def _note_names(cls, note: Template | None, info: ValidationInfo) -> Template | None:
        return note and _check_names(note, references(info).numbers)

    @model_validator(mode="after")
    def _days_or_weekly(self) -> DateDef:
        if (self.days is None) == (self.weekly is None):
            raise ValueError("give exactly one of days (a number's name) or weekly (a point of the billing week)")
        return self


def _date_id(date_id: str, info: ValidationInfo) -> str:
    if date_id in DATE_FIELDS or date_id in references(info).numbers:
        raise ValueError(f"the date id '{date_id}' is already used by an answer date or a number")
    return date_id


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


class NextStep(Value):
    """What to do, with the section that says so (the rule's own citation when left out)."""

    text: Template
    cites: Cite | None = None

    @field_validator("text")
    @classmethod
    def _text_names(cls, text: Template, info: ValidationInfo) -> Template:
        return _check_names(text, _text_names(info))


def _step(value: object) -> object:
    return {"text": value} if isinstance(value, str) else value


def _unique_id(rule_id: str, info: ValidationInfo) -> str:
    if references(info).rule_ids[rule_id] > 1:
        raise ValueError(f"the id {rule_id} is used twice")
    return rule_id


class Rule(Value):
    """When it applies, what it does to the verdict, the reason shown and the policy section it comes from."""

    id: Annotated[str, Field(min_length=1), AfterValidator(_unique_id)]
    when: When = ()
    effect: Effect
    reason: Template
    cites: Cite | None = Field(None, description="Required, except for a contradiction.")
    next_step: Annotated[NextStep | None, BeforeValidator(_step, json_schema_input_type=str | NextStep | None)] = None
    dates: tuple[str, ...] = Field((), description="Ids of dates to show when the rule applies.")

    @field_validator("reason")
    @classmethod
    def _reason_names(cls, reason: Template, info: ValidationInfo) -> Template:
        return _check_names(reason, _text_names(info))

    @field_validator("dates")
    @classmethod
    def _known_dates(cls, dates: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        unknown = [d for d in dates if d not in references(info).dates]
        if unknown:
            raise ValueError(f"dates lists unknown date id(s) {', '.join(unknown)}")
        return dates

    @model_validator(mode="after")
    def _cited(self) -> Rule:
        if self.cites is None and self.effect is not Effect.CONTRADICTION:
            raise ValueError("cites is required (only a contradiction may leave it out)")
        return self


class Status(Value):
    label: Text
    summary: Text


class Statuses(Value):
    """The label and summary shown for each verdict."""

    protected: Status
    partly: Status
    not_protected: Status
    cant_tell: Status


class RuleBook(Value):
    """The whole rules file (``knowledge/rules/protection.yaml``)."""

    version: Literal[1] = 1
    disclaimer: Text
    fallback: Text = Field(description="The summary when no rule decides the answers given.")
    statuses: Statuses
    numbers: dict[str, Number] = {}
    dates: dict[Annotated[str, AfterValidator(_date_id)], DateDef] = {}
    questions: tuple[Question, ...] = Field(description="Asked in this order.")
    rules: tuple[Rule, ...] = Field(min_length=1)
    weekly_cycle: WeeklyCycle = WeeklyCycle()

    @classmethod
    def from_data(cls, raw: object) -> RuleBook:
        """Validate the file's data (pydantic's ValidationError lists every problem)."""
        return cls.model_validate(raw, context=References.of(raw))

    @field_validator("questions")
    @classmethod
    def _type_asked(cls, questions: tuple[Question, ...]) -> tuple[Question, ...]:
        if not any(q.field == "type" for q in questions):
            raise ValueError("the contract type question (field: type) is required")
        return questions

    def all_cites(self) -> Iterator[tuple[str, Cite]]:
        """(who cites it, the reference) for every citation in the file."""
        for name, number in self.numbers.items():
            yield f"number {name}", number.cites
        for rule in self.rules:
            if rule.cites is not None:
                yield f"rule {rule.id}", rule.cites
            if rule.next_step is not None and rule.next_step.cites is not None:
                yield f"rule {rule.id} (next step)", rule.next_step.cites

    def question(self, field_name: str) -> Question | None:
        return next((q for q in self.questions if q.field == field_name), None)

    def status(self, name: str) -> Status:
        status: Status = getattr(self.statuses, name)
        return status
