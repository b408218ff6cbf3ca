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

from collections.abc import Iterator
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import (
    AfterValidator,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from dispute_desk.protection.conditions import When, listed
from dispute_desk.protection.dates import WeeklyCycle, WeeklyPointName
from dispute_desk.protection.fields import AnswerDate, Cite, Text, Value, check_names
from dispute_desk.protection.inputs import DATE_FIELDS
from dispute_desk.protection.questions import Question
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


def _text_names(info: ValidationInfo) -> frozenset[str]:
    """What a rule's text may name: the numbers, the computed dates and the member's dates."""
    refs = references(info)
    return refs.numbers | refs.all_dates


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
        return note and check_names(note, references(info).numbers)

    @model_validator(mode="after")
    def _days_or_weekly(self) -> DateDef:
        if (self.days is None) == (self.weekly is None):
            raise ValueError("give exactly one of days (a number's name) or weekly (a point of the billing week)")
        return self


def _date_id(date_id: str, info: ValidationInfo) -> str:
    if date_id in DATE_FIELDS or date_id in references(info).numbers:
        raise ValueError(f"the date id '{date_id}' is already used by an answer date or a number")
    return date_id


class NextStep(Value):
    """What to do, with the section that says so (the rule's own citation when left out)."""

    text: Template
    cites: Cite | None = None

    @field_validator("text")
    @classmethod
    def _text_names(cls, text: Template, info: ValidationInfo) -> Template:
        return check_names(text, _text_names(info))


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
        return check_names(reason, _text_names(info))

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


class RuleSet(Value):
    """The whole rules file (``knowledge/rules/protection.yaml``)."""

    version: Literal[1] = 1
    disclaimer: Text
    fallback: Text = Field(description="The summary when no rule decides the answers given.")
    statuses: Statuses
    numbers: dict[str, Number] = Field(default_factory=dict)
    dates: dict[Annotated[str, AfterValidator(_date_id)], DateDef] = Field(default_factory=dict)
    questions: tuple[Question, ...] = Field(description="Asked in this order.")
    rules: tuple[Rule, ...] = Field(min_length=1)
    weekly_cycle: WeeklyCycle = WeeklyCycle()

    @classmethod
    def from_data(cls, raw: object) -> RuleSet:
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
