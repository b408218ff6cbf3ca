"""The protection rules file (``knowledge/rules/protection.yaml``): load it, check it, resolve its citations.

The file holds everything a moderator may need to change without touching code: the numbers (each with
the policy section that states it), the dates computed from the member's answers, the questions asked,
and the rules. A rule says when it applies, what it means for the verdict (its effect), the reason shown
to the member, an optional next step, which dates to show, and the policy section it comes from.

``load_rules`` reports every problem in the file at once (citations are checked in ``citations.py``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any

import yaml

from dispute_desk.protection.conditions import Condition, normalize_value, parse_when
from dispute_desk.protection.dates import WEEK_POINTS, WeeklyCycle
from dispute_desk.protection.inputs import ANSWER_VALUES, DATE_FIELDS, ContractType
from dispute_desk.protection.template import Template

log = logging.getLogger(__name__)

RULES_FILE = Path("rules") / "protection.yaml"  # inside the knowledge folder
STATUSES = ("protected", "partly", "not_protected", "cant_tell")


class RulesError(Exception):
    """The rules file is missing or malformed; the message lists every problem found."""


class Effect(StrEnum):
    """What a rule that applies does to the verdict."""

    PROTECTS = "protects"  # this money is protected
    UNPROTECTED = "unprotected"  # this part is not protected (the rest may be)
    VOIDS = "voids"  # nothing is protected, whatever else is true
    UNCERTAIN = "uncertain"  # the answers leave the outcome open (explained in the reason)
    CONTRADICTION = "contradiction"  # the answers cannot all be true
    NOTE = "note"  # information: a deadline, a condition to keep, an assumption


@dataclass(frozen=True)
class Cite:
    file: str
    section: str

    def __str__(self) -> str:
        return f"{self.file} § {self.section}"


@dataclass(frozen=True)
class Number:
    name: str
    value: int
    cites: Cite


@dataclass(frozen=True)
class DateDef:
    """A date computed from the answers: ``days`` after the first given ``start`` field, or a weekly point."""

    id: str
    label: str
    note: Template
    start: tuple[str, ...]
    days: str | None = None  # a number's name
    weekly: str | None = None  # a point of the hourly billing cycle


@dataclass(frozen=True)
class Question:
    field: str
    ask: str
    label: str
    key: bool = False  # without this answer there is no verdict
    choices: tuple[tuple[str, str], ...] = ()  # (value, label); empty for a date question
    types: tuple[str, ...] = ()  # contract types it is asked for; empty: all
    when: tuple[Condition, ...] = ()
    help: str | None = None

    @property
    def is_date(self) -> bool:
        return self.field in DATE_FIELDS


@dataclass(frozen=True)
class Rule:
    id: str
    when: tuple[Condition, ...]
    effect: Effect
    reason: Template
    cites: Cite | None
    next_step: Template | None = None
    next_step_cites: Cite | None = None
    dates: tuple[str, ...] = ()


@dataclass(frozen=True)
class RuleSet:
    path: Path
    disclaimer: str
    fallback: str
    statuses: Mapping[str, tuple[str, str]]  # status -> (label, summary)
    numbers: Mapping[str, Number]
    dates: Mapping[str, DateDef]
    questions: tuple[Question, ...]
    rules: tuple[Rule, ...]
    weekly_cycle: WeeklyCycle = field(default_factory=WeeklyCycle)

    def all_cites(self) -> Iterator[tuple[str, Cite]]:
        """(who cites it, the reference) for every citation in the file."""
        for number in self.numbers.values():
            yield f"number {number.name}", number.cites
        for rule in self.rules:
            if rule.cites is not None:
                yield f"rule {rule.id}", rule.cites
            if rule.next_step_cites is not None:
                yield f"rule {rule.id} (next step)", rule.next_step_cites

    def question(self, field_name: str) -> Question | None:
        return next((q for q in self.questions if q.field == field_name), None)


def load_rules(path: Path) -> RuleSet:
    """Read and check the rules file; RulesError lists every problem (not only the first)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"cannot read the protection rules {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RulesError(f"{path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    problems: list[str] = []
    ruleset = _Parser(path, problems).ruleset(raw)
    if problems:
        listed = "\n".join(f"- {p}" for p in problems)
        raise RulesError(f"{path} has {len(problems)} problem(s):\n{listed}")
    assert ruleset is not None
    return ruleset


class _Parser:
    """Builds a RuleSet, appending a readable message to ``problems`` for everything wrong."""

    def __init__(self, path: Path, problems: list[str]) -> None:
        self.path = path
        self.problems = problems

    def ruleset(self, raw: object) -> RuleSet | None:
        if not isinstance(raw, dict):
            self.problems.append("the file must be a mapping with numbers, dates, questions and rules")
            return None
        self._unknown_keys(
            raw,
            {"version", "disclaimer", "fallback", "statuses", "numbers", "dates", "questions", "rules", "weekly_cycle"},
            "the file",
        )
        numbers = self._numbers(raw.get("numbers") or {})
        try:
            cycle = WeeklyCycle.from_mapping(raw.get("weekly_cycle"))
        except (ValueError, TypeError) as exc:
            self.problems.append(f"weekly_cycle: {exc}")
            cycle = WeeklyCycle()
        dates = self._dates(raw.get("dates") or {}, numbers)
        questions = self._questions(raw.get("questions") or [])
        rules = self._rules(raw.get("rules") or [], numbers, dates)
        statuses = self._statuses(raw.get("statuses") or {})
        return RuleSet(
            path=self.path,
            disclaimer=self._text(raw.get("disclaimer"), "disclaimer"),
            fallback=self._text(raw.get("fallback"), "fallback"),
            statuses=statuses,
            numbers=numbers,
            dates=dates,
            questions=questions,
            rules=rules,
            weekly_cycle=cycle,
        )

    # Pieces ------------------------------------------------------------------------------------------------
    def _unknown_keys(self, raw: Mapping[str, Any], allowed: set[str], where: str) -> None:
        extra = sorted(set(map(str, raw)) - allowed)
        if extra:
            self.problems.append(f"{where}: unknown key(s) {', '.join(extra)} (allowed: {', '.join(sorted(allowed))})")

    def _text(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not value.strip():
            self.problems.append(f"{where}: a non-empty text is required")
            return ""
        return " ".join(value.split())

    def _cite(self, raw: object, where: str) -> Cite | None:
        if not isinstance(raw, dict) or not raw.get("file") or raw.get("section") in (None, ""):
            self.problems.append(f'{where}: cites must be {{file: 02-....md, section: "2.1"}}, got {raw!r}')
            return None
        self._unknown_keys(raw, {"file", "section"}, f"{where} cites")
        return Cite(str(raw["file"]).strip(), str(raw["section"]).strip())

    def _template(self, value: object, where: str, names: set[str]) -> Template:
        text = self._text(value, where)
        template = Template(text)
        for problem in template.problems():
            self.problems.append(f"{where}: the text {problem}")
        unknown = sorted(template.names - names)
        if unknown:
            self.problems.append(f"{where}: unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}")
        return template

    def _statuses(self, raw: object) -> dict[str, tuple[str, str]]:
        out: dict[str, tuple[str, str]] = {}
        if not isinstance(raw, dict):
            self.problems.append("statuses: must map each status to {label, summary}")
            return out
        for status in STATUSES:
            entry = raw.get(status)
            if not isinstance(entry, dict):
                self.problems.append(f"statuses: {status} needs a label and a summary")
                continue
            out[status] = (
                self._text(entry.get("label"), f"statuses.{status}.label"),
                self._text(entry.get("summary"), f"statuses.{status}.summary"),
            )
        self._unknown_keys(raw, set(STATUSES), "statuses")
        return out

    def _numbers(self, raw: object) -> dict[str, Number]:
        out: dict[str, Number] = {}
        if not isinstance(raw, dict):
            self.problems.append("numbers: must map each name to {value, cites}")
            return out
        for name, entry in raw.items():
            where = f"numbers.{name}"
            if not isinstance(entry, dict):
                self.problems.append(f"{where}: must be {{value: 7, cites: {{...}}}}")
                continue
            self._unknown_keys(entry, {"value", "cites"}, where)
            value = entry.get("value")
            if not isinstance(value, int) or isinstance(value, bool) or not 0 <= value <= 3650:
                self.problems.append(f"{where}: value must be a whole number of days (0-3650), got {value!r}")
                continue
            cites = self._cite(entry.get("cites"), where)
            if cites is not None:
                out[str(name)] = Number(str(name), value, cites)
        return out

    def _dates(self, raw: object, numbers: Mapping[str, Number]) -> dict[str, DateDef]:
        out: dict[str, DateDef] = {}
        if not isinstance(raw, dict):
            self.problems.append("dates: must map each date id to {label, from, days or weekly}")
            return out
        for date_id, entry in raw.items():
            where = f"dates.{date_id}"
            if date_id in DATE_FIELDS or date_id in numbers:
                self.problems.append(f"{where}: the id is already used by an answer date or a number")
            if not isinstance(entry, dict):
                self.problems.append(f"{where}: must be a mapping")
                continue
            self._unknown_keys(entry, {"label", "from", "days", "weekly", "note"}, where)
            start = [
                str(s) for s in (entry.get("from") if isinstance(entry.get("from"), list) else [entry.get("from")])
            ]
            bad = [s for s in start if s not in DATE_FIELDS]
            if bad:
                self.problems.append(f"{where}: from must name answer dates ({', '.join(DATE_FIELDS)}), got {bad}")
            days, weekly = entry.get("days"), entry.get("weekly")
            if (days is None) == (weekly is None):
                self.problems.append(f"{where}: give exactly one of days (a number's name) or weekly (a point)")
            if days is not None and str(days) not in numbers:
                self.problems.append(f"{where}: days '{days}' is not one of the numbers ({', '.join(numbers)})")
            if weekly is not None and str(weekly) not in WEEK_POINTS:
                self.problems.append(f"{where}: weekly '{weekly}' is not one of {', '.join(WEEK_POINTS)}")
            note = self._template(entry["note"], f"{where}.note", set(numbers)) if entry.get("note") else Template("")
            out[str(date_id)] = DateDef(
                id=str(date_id),
                label=self._text(entry.get("label"), f"{where}.label"),
                note=note,
                start=tuple(start),
                days=str(days) if days is not None else None,
                weekly=str(weekly) if weekly is not None else None,
            )
        return out

    def _questions(self, raw: object) -> tuple[Question, ...]:
        out: list[Question] = []
        if not isinstance(raw, list):
            self.problems.append("questions: must be a list")
            return ()
        seen: set[str] = set()
        types = {t.value for t in ContractType}
        for i, entry in enumerate(raw):
            where = f"questions[{i}]"
            if not isinstance(entry, dict):
                self.problems.append(f"{where}: must be a mapping")
                continue
            self._unknown_keys(entry, {"field", "ask", "label", "key", "choices", "for", "when", "help"}, where)
            name = str(entry.get("field"))
            where = f"question {name}"
            if name not in ANSWER_VALUES and name not in DATE_FIELDS:
                self.problems.append(
                    f"{where}: field must be an answer or a date ({', '.join([*ANSWER_VALUES, *DATE_FIELDS])})"
                )
            if name in seen:
                self.problems.append(f"{where}: asked twice")
            seen.add(name)
            choices: list[tuple[str, str]] = []
            raw_choices = entry.get("choices") or {}
            if name in ANSWER_VALUES:
                if not isinstance(raw_choices, dict) or not raw_choices:
                    self.problems.append(f"{where}: choices must map each value to the label shown")
                else:
                    for value, label in raw_choices.items():
                        word = normalize_value(value)
                        if word not in ANSWER_VALUES[name]:
                            self.problems.append(f"{where}: choice '{word}' is not a value of {name}")
                        choices.append((word, str(label)))
            elif raw_choices:
                self.problems.append(f"{where}: a date question has no choices")
            for_types = [str(t) for t in (entry.get("for") or [])]
            if set(for_types) - types:
                self.problems.append(f"{where}: for lists unknown contract types {sorted(set(for_types) - types)}")
            out.append(
                Question(
                    field=name,
                    ask=self._text(entry.get("ask"), f"{where}.ask"),
                    label=self._text(entry.get("label"), f"{where}.label"),
                    key=bool(entry.get("key", False)),
                    choices=tuple(choices),
                    types=tuple(for_types),
                    when=parse_when(entry.get("when"), f"{where}.when", self.problems, dates_allowed=False),
                    help=" ".join(str(entry["help"]).split()) if entry.get("help") else None,
                )
            )
        if "type" not in seen:
            self.problems.append("questions: the contract type question (field: type) is required")
        return tuple(out)

    def _rules(self, raw: object, numbers: Mapping[str, Number], dates: Mapping[str, DateDef]) -> tuple[Rule, ...]:
        out: list[Rule] = []
        if not isinstance(raw, list) or not raw:
            self.problems.append("rules: must be a non-empty list")
            return ()
        names = {*numbers, *dates, *DATE_FIELDS}
        seen: set[str] = set()
        for i, entry in enumerate(raw):
            where = f"rules[{i}]"
            if not isinstance(entry, dict):
                self.problems.append(f"{where}: must be a mapping")
                continue
            rule_id = str(entry.get("id") or "")
            where = f"rule {rule_id}" if rule_id else where
            if not rule_id:
                self.problems.append(f"{where}: id is required")
            elif rule_id in seen:
                self.problems.append(f"{where}: the id is used twice")
            seen.add(rule_id)
            self._unknown_keys(entry, {"id", "when", "effect", "reason", "next_step", "dates", "cites"}, where)
            try:
                effect = Effect(str(entry.get("effect")))
            except ValueError:
                self.problems.append(f"{where}: effect must be one of {', '.join(e.value for e in Effect)}")
                effect = Effect.NOTE
            when = parse_when(entry.get("when"), f"{where}.when", self.problems)
            for condition in when:
                unknown = sorted(condition.date_names() - set(dates) - set(DATE_FIELDS))
                if unknown:
                    self.problems.append(f"{where}.when: unknown date(s) {', '.join(unknown)}")
            cites = None
            if "cites" in entry or effect is not Effect.CONTRADICTION:
                cites = self._cite(entry.get("cites"), where)
            step, step_cites = self._next_step(entry.get("next_step"), where, names)
            shown = [str(d) for d in entry.get("dates") or []]
            unknown_dates = [d for d in shown if d not in dates]
            if unknown_dates:
                self.problems.append(f"{where}: dates lists unknown date id(s) {', '.join(unknown_dates)}")
            out.append(
                Rule(
                    id=rule_id,
                    when=when,
                    effect=effect,
                    reason=self._template(entry.get("reason"), f"{where}.reason", names),
                    cites=cites,
                    next_step=step,
                    next_step_cites=step_cites,
                    dates=tuple(shown),
                )
            )
        return tuple(out)

    def _next_step(self, raw: object, where: str, names: set[str]) -> tuple[Template | None, Cite | None]:
        if raw is None:
            return None, None
        if isinstance(raw, str):
            return self._template(raw, f"{where}.next_step", names), None
        if isinstance(raw, dict):
            self._unknown_keys(raw, {"text", "cites"}, f"{where}.next_step")
            cites = self._cite(raw.get("cites"), f"{where}.next_step") if "cites" in raw else None
            return self._template(raw.get("text"), f"{where}.next_step.text", names), cites
        self.problems.append(f"{where}.next_step: must be a text or {{text, cites}}")
        return None, None
