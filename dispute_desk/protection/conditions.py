"""The "applies when" part of a rule or a question: answers, whether a date was given, deadlines passed.

In the rules file a condition is a mapping, and every entry must hold::

    when: {type: fixed, funded: [yes, some], released: missing, passed: refund_deadline}

A list of such mappings means "any of them". Keys:

- an answer field (``type``, ``funded``, ...): the answer is that value, or one of a list of values;
- a date field (``submitted``, ``ended``, ...): ``given`` or ``missing``;
- ``passed: <date>``: that date is known and before today; ``not_passed: <date>``: unknown, today or later;
- ``after: [<date>, <date>]``: both are known and the first is later than the second.

``<date>`` is a date field or the id of a date defined in the rules file. A question's condition
(``AnswerCondition``) may only use answers and given/missing dates: nothing is computed while asking.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo

from dispute_desk.protection.inputs import ANSWER_FIELDS, DATE_FIELDS, CheckInputs, ContractType, Funding, Tracking, Tri
from dispute_desk.protection.references import references

DATE_TESTS = ("passed", "not_passed", "after")
T = TypeVar("T")
NonEmpty = Annotated[T, Field(min_length=1)]  # a list in the JSON Schema that needs at least one item


@dataclass(frozen=True)
class Facts:
    """What a condition is tested against: the answers, every known date (given or computed), today."""

    inputs: CheckInputs
    dates: Mapping[str, date]
    today: date


def normalize_value(value: object) -> object:
    """YAML reads a bare yes/no as a boolean: turn it back into the answer word ("Yes " reads as "yes")."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return value.strip().lower() if isinstance(value, str) else value


def listed(value: object) -> object:
    """One value or a list of values, always as a list (None stays None)."""
    return value if value is None or isinstance(value, list | tuple) else [value]


def _answers(value: object) -> object:
    values = listed(value)
    if not isinstance(values, list | tuple):
        return values
    if not values:
        raise ValueError("give at least one value (or leave the key out)")
    return [normalize_value(v) for v in values]


def _known_date(name: str, info: ValidationInfo) -> str:
    known = references(info).all_dates
    if name not in known:
        raise ValueError(f"unknown date '{name}' (known: {', '.join(sorted(known))})")
    return name


# An answer condition: one value or a non-empty list of them; a bare YAML yes/no counts as "yes"/"no".
ContractTypes = Annotated[
    tuple[ContractType, ...],
    BeforeValidator(_answers, json_schema_input_type=ContractType | NonEmpty[list[ContractType]]),
]
Fundings = Annotated[
    tuple[Funding, ...],
    BeforeValidator(_answers, json_schema_input_type=Funding | bool | NonEmpty[list[Funding | bool]]),
]
Tris = Annotated[
    tuple[Tri, ...], BeforeValidator(_answers, json_schema_input_type=Tri | bool | NonEmpty[list[Tri | bool]])
]
Trackings = Annotated[
    tuple[Tracking, ...], BeforeValidator(_answers, json_schema_input_type=Tracking | NonEmpty[list[Tracking]])
]
GivenOrMissing = Annotated[Literal["given", "missing"], BeforeValidator(normalize_value)]
DateName = Annotated[str, AfterValidator(_known_date)]
DateNames = Annotated[tuple[DateName, ...], BeforeValidator(listed, json_schema_input_type=str | list[str])]


class AnswerCondition(BaseModel):
    """Every entry must hold: answers (one value or a list) and dates the member gave (or not)."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    type: ContractTypes | None = None
    funded: Fundings | None = None
    submitted_via_contract: Tris | None = None
    changes_requested: Tris | None = None
    client_ended: Tris | None = None
    refund_requested: Tris | None = None
    tracked: Trackings | None = None
    memos: Tris | None = None
    within_limit: Tris | None = None
    billing_verified: Tris | None = None
    academic: Tris | None = None
    off_platform: Tris | None = None
    submitted: GivenOrMissing | None = None
    ended: GivenOrMissing | None = None
    refund_date: GivenOrMissing | None = None
    released: GivenOrMissing | None = None
    week: GivenOrMissing | None = None

    def holds(self, facts: Facts) -> bool:
        for name in ANSWER_FIELDS:
            allowed: tuple[str, ...] | None = getattr(self, name)
            if allowed is not None and facts.inputs.answer(name) not in allowed:
                return False
        for name in DATE_FIELDS:
            wanted: str | None = getattr(self, name)
            if wanted is not None and (facts.inputs.date_of(name) is not None) != (wanted == "given"):
                return False
        return True


class Condition(AnswerCondition):
    """A rule's condition: an ``AnswerCondition`` plus tests on dates (given or computed) against today."""

    passed: DateNames = ()
    not_passed: DateNames = ()
    after: tuple[DateName, DateName] | None = None

    def holds(self, facts: Facts) -> bool:
        if not super().holds(facts):
            return False
        for name in self.passed:
            day = facts.dates.get(name)
            if day is None or day >= facts.today:
                return False
        for name in self.not_passed:
            day = facts.dates.get(name)
            if day is not None and day < facts.today:
                return False
        if self.after is not None:
            first, second = facts.dates.get(self.after[0]), facts.dates.get(self.after[1])
            if first is None or second is None or first <= second:
                return False
        return True


def _when(value: object) -> object:
    if value == []:
        raise ValueError("an empty list of conditions never holds; leave 'when' out instead")
    return listed(value)


# ``when``: a mapping (all must hold) or a list of mappings (any may hold); left out means always.
When = Annotated[
    tuple[Condition, ...], BeforeValidator(_when, json_schema_input_type=Condition | NonEmpty[list[Condition]])
]
AnswerWhen = Annotated[
    tuple[AnswerCondition, ...],
    BeforeValidator(_when, json_schema_input_type=AnswerCondition | NonEmpty[list[AnswerCondition]]),
]


def holds_any(conditions: tuple[AnswerCondition, ...], facts: Facts) -> bool:
    """True when there are no conditions or any one of them holds."""
    return not conditions or any(c.holds(facts) for c in conditions)
