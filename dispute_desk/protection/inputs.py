"""What the member tells the check: the contract type, a few tri-state answers and optional dates.

Every answer field has a fixed set of values (``ANSWER_VALUES``); "unknown" always means "not answered" or
"I don't know", so a check never guesses. The rules file refers to these field names and values.
"""

from __future__ import annotations

import dataclasses
from datetime import date
from enum import StrEnum
from typing import Any

from pydantic import ConfigDict
from pydantic.dataclasses import dataclass

from dispute_desk import dates

UNKNOWN = "unknown"


class ContractType(StrEnum):
    FIXED = "fixed"
    HOURLY = "hourly"
    DIRECT_FIXED = "direct-fixed"
    DIRECT_HOURLY = "direct-hourly"
    OUTSIDE = "outside"
    UNKNOWN = "unknown"


class Tri(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Funding(StrEnum):
    YES = "yes"
    SOME = "some"  # some milestones funded, others not
    NO = "no"
    UNKNOWN = "unknown"


class Tracking(StrEnum):
    APP = "app"
    MANUAL = "manual"
    MIXED = "mixed"
    UNKNOWN = "unknown"


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class CheckInputs:
    """One member's situation. Dates are calendar days, read as UTC days."""

    type: ContractType = ContractType.UNKNOWN
    # Fixed-price (and fixed-price Direct Contracts).
    funded: Funding = Funding.UNKNOWN
    submitted_via_contract: Tri = Tri.UNKNOWN
    changes_requested: Tri = Tri.UNKNOWN
    client_ended: Tri = Tri.UNKNOWN
    refund_requested: Tri = Tri.UNKNOWN
    # Hourly (and hourly Direct Contracts).
    tracked: Tracking = Tracking.UNKNOWN
    memos: Tri = Tri.UNKNOWN
    within_limit: Tri = Tri.UNKNOWN
    billing_verified: Tri = Tri.UNKNOWN
    # Whether the job itself breaks the rules.
    academic: Tri = Tri.UNKNOWN
    off_platform: Tri = Tri.UNKNOWN
    # Dates.
    submitted: date | None = None  # the latest Submit work
    ended: date | None = None  # the client ended (cancelled) the contract
    refund_date: date | None = None  # the client asked for the escrow back
    released: date | None = None  # the milestone payment was released
    week: date | None = None  # any day of the hourly week worked

    def answer(self, field: str) -> str:
        """The value of an answer field as a plain string ("yes", "some", "app", "unknown", ...)."""
        return str(getattr(self, field))

    def date_of(self, field: str) -> date | None:
        day: date | None = getattr(self, field)
        return day


ANSWER_TYPES: dict[str, type[StrEnum]] = {
    "type": ContractType,
    "funded": Funding,
    "submitted_via_contract": Tri,
    "changes_requested": Tri,
    "client_ended": Tri,
    "refund_requested": Tri,
    "tracked": Tracking,
    "memos": Tri,
    "within_limit": Tri,
    "billing_verified": Tri,
    "academic": Tri,
    "off_platform": Tri,
}
ANSWER_FIELDS: tuple[str, ...] = tuple(ANSWER_TYPES)
ANSWER_VALUES: dict[str, tuple[str, ...]] = {name: tuple(m.value for m in enum) for name, enum in ANSWER_TYPES.items()}
DATE_FIELDS: tuple[str, ...] = ("submitted", "ended", "refund_date", "released", "week")


class InvalidAnswer(ValueError):
    """An answer value or a date that the check cannot read; the message says which and what is allowed."""


def parse_answer(field: str, value: object) -> StrEnum:
    """``value`` ("yes", "Yes", True, None, ...) as the enum member for ``field``; None means unknown."""
    if field not in ANSWER_TYPES:
        raise InvalidAnswer(f"unknown question '{field}'")
    enum = ANSWER_TYPES[field]
    if value is None or (isinstance(value, str) and not value.strip()):
        return enum(UNKNOWN)
    if isinstance(value, bool):
        value = "yes" if value else "no"
    text = str(value).strip().lower().replace("_", "-")
    aliases = {"y": "yes", "n": "no", "?": UNKNOWN, "dont-know": UNKNOWN, "don't-know": UNKNOWN}
    text = aliases.get(text, text)
    if field == "type":
        text = {"fixed-price": "fixed", "direct": "direct-fixed", "paid-outside": "outside"}.get(text, text)
    try:
        return enum(text)
    except ValueError:
        allowed = ", ".join(ANSWER_VALUES[field])
        raise InvalidAnswer(f"{field}: '{value}' is not one of {allowed}") from None


def parse_date(text: str) -> date:
    """A YYYY-MM-DD date; InvalidAnswer with a readable message otherwise."""
    day = dates.parse_date(text, iso_only=True)
    if day is None:
        raise InvalidAnswer(f"'{text}' is not a date in the form YYYY-MM-DD")
    return day


def inputs_from_answers(answers: dict[str, object]) -> CheckInputs:
    """CheckInputs from loose answers (strings, bools, dates or date strings); missing keys are unknown."""
    values: dict[str, Any] = {}
    for name, value in answers.items():
        if name in ANSWER_TYPES:
            values[name] = parse_answer(name, value)
        elif name in DATE_FIELDS:
            if value is None or value == "":
                values[name] = None
            elif isinstance(value, date):
                values[name] = value
            else:
                values[name] = parse_date(str(value))
        else:
            raise InvalidAnswer(f"unknown question '{name}'")
    return dataclasses.replace(CheckInputs(), **values)
