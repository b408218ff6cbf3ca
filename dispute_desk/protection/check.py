"""The check itself: answers in, a Verdict out (status, cited reasons, next steps, dates, what is missing).

``ProtectionCheck`` bundles the loaded rules and their resolved citations; build it once at start with
``ProtectionCheck.load(knowledge_dir, read_policy)`` and call ``check`` as often as needed (pure, no I/O).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import field
from datetime import date, time
from pathlib import Path
from typing import Annotated, Any

from pydantic import ConfigDict, PlainSerializer, TypeAdapter
from pydantic.dataclasses import dataclass

from dispute_desk.protection.citations import Citation, PolicyReader, resolve_citations
from dispute_desk.protection.conditions import Facts, holds_any
from dispute_desk.protection.dates import days_after, utc_today, week_point
from dispute_desk.protection.inputs import DATE_FIELDS, CheckInputs
from dispute_desk.protection.questions import missing_answers
from dispute_desk.protection.rules import RULES_FILE, Cite, DateDef, Effect, Question, Rule, RuleSet, load_rules

PROTECTED, PARTLY, NOT_PROTECTED, CANT_TELL = "protected", "partly", "not_protected", "cant_tell"


def _hh_mm(at: dt.time | None) -> str | None:
    return None if at is None else f"{at:%H:%M}"


# How a citation appears in the JSON: title, section label, number, file and url (not the bare heading).
CitationJSON = Annotated[Citation, PlainSerializer(Citation.to_json)]


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Reason:
    text: str
    effect: str
    rule: str
    citation: CitationJSON


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Step:
    text: str
    rule: str
    citation: CitationJSON | None


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class KeyDate:
    id: str
    label: str
    date: dt.date
    time: Annotated[dt.time | None, PlainSerializer(_hh_mm)]  # UTC; None for a whole day
    note: str
    days_left: int  # negative once the day has passed

    @property
    def when(self) -> str:
        """'2026-11-17' or '2026-11-09 12:00 UTC'."""
        return f"{self.date.isoformat()} {self.time:%H:%M} UTC" if self.time else self.date.isoformat()


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class MissingAnswer:
    field: str
    question: str
    label: str


@dataclass(frozen=True, config=ConfigDict(extra="forbid"))
class Verdict:
    """The check's answer; ``to_json()`` is the ``protected --json`` output (every field, in this order)."""

    status: str  # protected | partly | not_protected | cant_tell
    label: str  # "Partly protected"
    summary: str
    reasons: tuple[Reason, ...]
    next_steps: tuple[Step, ...]
    dates: tuple[KeyDate, ...]
    missing: tuple[MissingAnswer, ...]
    contradictions: tuple[str, ...]
    disclaimer: str
    today: dt.date
    inputs: CheckInputs = field(default_factory=CheckInputs)  # the answers as the check read them

    @property
    def rules(self) -> tuple[str, ...]:
        """Ids of the rules that gave a reason (handy in tests and logs)."""
        return tuple(r.rule for r in self.reasons)

    def date(self, date_id: str) -> KeyDate | None:
        return next((d for d in self.dates if d.id == date_id), None)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _VERDICT.dump_python(self, mode="json")
        return data


_VERDICT = TypeAdapter(Verdict)


class ProtectionCheck:
    """The rules file with its citations resolved; ``check`` turns answers into a Verdict."""

    def __init__(self, ruleset: RuleSet, citations: dict[Cite, Citation]) -> None:
        missing = [str(cite) for _, cite in ruleset.all_cites() if cite not in citations]
        if missing:
            raise ValueError(f"citations not resolved: {', '.join(missing)}")
        self.ruleset = ruleset
        self.citations = citations

    @classmethod
    def load(cls, knowledge_dir: Path, read_policy: PolicyReader, rules_path: Path | None = None) -> ProtectionCheck:
        """Read ``<knowledge>/rules/protection.yaml`` and, with ``read_policy``, the policy files it cites
        (RulesError if broken).
        """
        ruleset = load_rules(rules_path or knowledge_dir / RULES_FILE)
        return cls(ruleset, resolve_citations(ruleset, knowledge_dir, read_policy))

    @property
    def questions(self) -> tuple[Question, ...]:
        return self.ruleset.questions

    def run(self, inputs: CheckInputs, *, today: date | None = None) -> Verdict:
        today = today or utc_today()
        ruleset = self.ruleset
        computed = compute_dates(ruleset, inputs)
        known: dict[str, date] = {name: day for name, (day, _) in computed.items()}
        for name in DATE_FIELDS:
            given = inputs.date_of(name)
            if given is not None:
                known[name] = given
        facts = Facts(inputs, known, today)
        values = {name: str(n.value) for name, n in ruleset.numbers.items()}
        values.update({name: _show(day, at) for name, (day, at) in computed.items()})
        values.update({name: day.isoformat() for name in DATE_FIELDS if (day := inputs.date_of(name))})

        fired = [rule for rule in ruleset.rules if holds_any(rule.when, facts)]
        contradictions = [r.reason.render(values) for r in fired if r.effect is Effect.CONTRADICTION]
        contradictions += _future_dates(ruleset, inputs, today)
        reasons = tuple(
            Reason(r.reason.render(values), r.effect.value, r.id, self.citations[r.cites])
            for r in fired
            if r.effect is not Effect.CONTRADICTION and r.cites is not None
        )
        steps = _steps(fired, values, self.citations)
        shown = _dates_shown(fired, ruleset, computed, today)
        missing = tuple(MissingAnswer(q.field, q.ask, q.label) for q in missing_answers(ruleset.questions, inputs))
        status = decide({r.effect for r in fired}, has_missing=bool(missing), contradicted=bool(contradictions))
        label, summary = ruleset.status(status).label, ruleset.status(status).summary
        if status == CANT_TELL and not (missing or contradictions or _explained(fired)):
            summary = ruleset.fallback  # no rule covers this combination: say so instead of guessing
        return Verdict(
            status=status,
            label=label,
            summary=summary,
            reasons=reasons,
            next_steps=steps,
            dates=shown,
            missing=missing,
            contradictions=tuple(contradictions),
            disclaimer=ruleset.disclaimer,
            today=today,
            inputs=inputs,
        )


def decide(effects: set[Effect], *, has_missing: bool, contradicted: bool) -> str:
    """The status from the effects of the rules that apply (see the top of the rules file)."""
    if contradicted:
        return CANT_TELL
    if Effect.VOIDS in effects:
        return NOT_PROTECTED
    if Effect.UNCERTAIN in effects:
        return CANT_TELL
    protects, unprotected = Effect.PROTECTS in effects, Effect.UNPROTECTED in effects
    if protects and unprotected:
        return PARTLY
    if has_missing:
        return CANT_TELL
    if protects:
        return PROTECTED
    if unprotected:
        return NOT_PROTECTED
    return CANT_TELL


def _explained(fired: list[Rule]) -> bool:
    return any(r.effect is not Effect.NOTE for r in fired)


def compute_dates(ruleset: RuleSet, inputs: CheckInputs) -> dict[str, tuple[date, time | None]]:
    """Every date of the rules file that the given dates allow, by id."""
    out: dict[str, tuple[date, time | None]] = {}
    for date_id, definition in ruleset.dates.items():
        result = _compute(definition, ruleset, inputs)
        if result is not None:
            out[date_id] = result
    return out


def _compute(definition: DateDef, ruleset: RuleSet, inputs: CheckInputs) -> tuple[date, time | None] | None:
    start = next((d for name in definition.start if (d := inputs.date_of(name)) is not None), None)
    if start is None:
        return None
    if definition.weekly is not None:
        return week_point(start, definition.weekly, ruleset.weekly_cycle)
    assert definition.days is not None
    return days_after(start, ruleset.numbers[definition.days].value), None


def _show(day: date, at: time | None) -> str:
    return f"{day.isoformat()} {at:%H:%M} UTC" if at else day.isoformat()


def _steps(fired: list[Rule], values: dict[str, str], citations: dict[Cite, Citation]) -> tuple[Step, ...]:
    steps: list[Step] = []
    seen: set[str] = set()
    for rule in fired:
        if rule.next_step is None or rule.effect is Effect.CONTRADICTION:
            continue
        text = rule.next_step.text.render(values)
        if text in seen:
            continue
        seen.add(text)
        cite = rule.next_step.cites or rule.cites
        steps.append(Step(text, rule.id, citations.get(cite) if cite else None))
    return tuple(steps)


def _dates_shown(
    fired: list[Rule], ruleset: RuleSet, computed: dict[str, tuple[date, time | None]], today: date
) -> tuple[KeyDate, ...]:
    ids: list[str] = []
    for rule in fired:
        if rule.effect is Effect.CONTRADICTION:
            continue
        ids.extend(d for d in rule.dates if d in computed and d not in ids)
    values = {name: str(n.value) for name, n in ruleset.numbers.items()}
    shown = [
        KeyDate(
            id=date_id,
            label=ruleset.dates[date_id].label,
            date=computed[date_id][0],
            time=computed[date_id][1],
            note=_note(ruleset.dates[date_id], values),
            days_left=(computed[date_id][0] - today).days,
        )
        for date_id in ids
    ]
    return tuple(sorted(shown, key=lambda d: (d.date, d.time or time(0, 0))))


def _note(definition: DateDef, values: dict[str, str]) -> str:
    return definition.note.render(values) if definition.note else ""


def _future_dates(ruleset: RuleSet, inputs: CheckInputs, today: date) -> list[str]:
    found = []
    for name in DATE_FIELDS:
        day = inputs.date_of(name)
        if day is not None and day > today:
            question = ruleset.question(name)
            what = question.label if question else name
            found.append(f"You gave {day.isoformat()} as {what}, which is after today ({today.isoformat()}).")
    return found
