"""The "applies when" part of a rule or a question: answers, whether a date was given, deadlines passed.

In the rules file a condition is a mapping, and every entry must hold::

    when: {type: fixed, funded: [yes, some], released: missing, passed: refund_deadline}

A list of such mappings means "any of them". Keys:

- an answer field (``type``, ``funded``, ...): the answer is that value, or one of a list of values;
- a date field (``submitted``, ``ended``, ...): ``given`` or ``missing``;
- ``passed: <date>``: that date is known and before today; ``not_passed: <date>``: unknown, today or later;
- ``after: [<date>, <date>]``: both are known and the first is later than the second.

``<date>`` is a date field or the id of a date defined in the rules file.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from dispute_desk.protection.inputs import ANSWER_VALUES, DATE_FIELDS, CheckInputs

DATE_TESTS = ("passed", "not_passed", "after")


@dataclass(frozen=True)
class Facts:
    """What a condition is tested against: the answers, every known date (given or computed), today."""

    inputs: CheckInputs
    dates: Mapping[str, date]
    today: date


@dataclass(frozen=True)
class Condition:
    answers: tuple[tuple[str, frozenset[str]], ...] = ()
    given: tuple[tuple[str, bool], ...] = ()
    passed: tuple[str, ...] = ()
    not_passed: tuple[str, ...] = ()
    after: tuple[tuple[str, str], ...] = ()

    def holds(self, facts: Facts) -> bool:
        if any(facts.inputs.answer(name) not in allowed for name, allowed in self.answers):
            return False
        if any((facts.inputs.date_of(name) is not None) != wanted for name, wanted in self.given):
            return False
        for name in self.passed:
            day = facts.dates.get(name)
            if day is None or day >= facts.today:
                return False
        for name in self.not_passed:
            day = facts.dates.get(name)
            if day is not None and day < facts.today:
                return False
        for later, earlier in self.after:
            first, second = facts.dates.get(later), facts.dates.get(earlier)
            if first is None or second is None or first <= second:
                return False
        return True

    def date_names(self) -> set[str]:
        return {*self.passed, *self.not_passed, *(n for pair in self.after for n in pair)}


def holds_any(conditions: tuple[Condition, ...], facts: Facts) -> bool:
    """True when there are no conditions or any one of them holds."""
    return not conditions or any(c.holds(facts) for c in conditions)


def normalize_value(value: object) -> str:
    """YAML reads a bare yes/no as a boolean: turn it back into the answer word."""
    if value is True:
        return "yes"
    if value is False:
        return "no"
    return str(value).strip().lower()


def _as_names(value: object) -> list[str]:
    values = value if isinstance(value, list) else [value]
    return [str(v).strip() for v in values]


def parse_condition(raw: object, where: str, problems: list[str], *, dates_allowed: bool = True) -> Condition:
    """One mapping from the rules file; every problem found is appended to ``problems``."""
    if not isinstance(raw, Mapping):
        problems.append(f"{where}: a condition must be a mapping like {{type: fixed}}, got {raw!r}")
        return Condition()
    answers: list[tuple[str, frozenset[str]]] = []
    given: list[tuple[str, bool]] = []
    tests: dict[str, list[str]] = {"passed": [], "not_passed": []}
    after: list[tuple[str, str]] = []
    for key, value in raw.items():
        name = str(key)
        if name in ANSWER_VALUES:
            values = [normalize_value(v) for v in (value if isinstance(value, list) else [value])]
            bad = [v for v in values if v not in ANSWER_VALUES[name]]
            if bad or not values:
                allowed = ", ".join(ANSWER_VALUES[name])
                problems.append(f"{where}: {name} cannot be {', '.join(bad) or 'empty'} (allowed: {allowed})")
            answers.append((name, frozenset(values)))
        elif name in DATE_FIELDS:
            word = normalize_value(value)
            if word not in ("given", "missing"):
                problems.append(f"{where}: {name} must be 'given' or 'missing', got {value!r}")
            given.append((name, word == "given"))
        elif name in DATE_TESTS and not dates_allowed:
            problems.append(f"{where}: '{name}' cannot be used here (only answers and given/missing dates)")
        elif name in ("passed", "not_passed"):
            tests[name].extend(_as_names(value))
        elif name == "after":
            pair = _as_names(value)
            if len(pair) != 2:
                problems.append(f"{where}: after needs exactly two dates, like after: [refund_date, auto_release]")
            else:
                after.append((pair[0], pair[1]))
        else:
            known = ", ".join([*ANSWER_VALUES, *DATE_FIELDS, *DATE_TESTS])
            problems.append(f"{where}: unknown condition '{name}' (known: {known})")
    return Condition(tuple(answers), tuple(given), tuple(tests["passed"]), tuple(tests["not_passed"]), tuple(after))


def parse_when(raw: object, where: str, problems: list[str], *, dates_allowed: bool = True) -> tuple[Condition, ...]:
    """A mapping (all must hold) or a list of mappings (any may hold); missing means always."""
    if raw is None:
        return ()
    items = raw if isinstance(raw, list) else [raw]
    if not items:
        problems.append(f"{where}: an empty list of conditions never holds; leave 'when' out instead")
    return tuple(
        parse_condition(
            item, f"{where}[{i}]" if isinstance(raw, list) else where, problems, dates_allowed=dates_allowed
        )
        for i, item in enumerate(items)
    )
