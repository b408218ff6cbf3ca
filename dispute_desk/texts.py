"""Fixed texts and scope rules, loaded once from ``prompts/``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import yaml

from dispute_desk.questions import Vocabulary


class PromptsMissing(Exception):
    """A required prompt file is missing or malformed."""


@dataclass(frozen=True)
class ScopeRule:
    name: str
    reply: str
    patterns: tuple[re.Pattern[str], ...]
    unless: re.Pattern[str] | None = None
    hard: bool = False  # a hard rule always declines; a soft one is a signal for the answerability gate
    signal_only: bool = False  # never declines by itself, even without a gate: only the gate weighs it

    def matches(self, question: str) -> bool:
        if self.unless is not None and self.unless.search(question):
            return False
        return any(p.search(question) for p in self.patterns)


@dataclass(frozen=True)
class Scope:
    """What gets declined before any search: no domain words at all, or a named decline rule."""

    domain_terms: re.Pattern[str]
    rules: tuple[ScopeRule, ...] = ()

    def decline_reason(self, question: str, *, hard_only: bool = False) -> str | None:
        """The name of the reply to decline with, or None when the question is in scope.

        ``hard_only``: consult only the hard rules (personal data, doing homework); the soft ones and the
        domain words are then left to the answerability gate, which sees them through ``signals``.
        """
        for rule in self.rules:
            if (rule.hard or not (hard_only or rule.signal_only)) and rule.matches(question):
                return rule.reply
        if not hard_only and not self.domain_terms.search(question):
            return "decline"
        return None

    def signals(self, question: str) -> dict[str, str]:
        """Every soft rule that matches (name -> its reply), plus ``no_domain_terms`` when no domain word is
        present: what the answerability gate weighs, and the reply to use if it declines.
        """
        found = {rule.name: rule.reply for rule in self.rules if not rule.hard and rule.matches(question)}
        if not self.domain_terms.search(question):
            found["no_domain_terms"] = "decline"
        return found

    def domain_term_count(self, question: str) -> int:
        return len(self.domain_terms.findall(question))

    @classmethod
    def from_yaml(cls, path: Path) -> Scope:
        try:
            raw = yaml.safe_load(path.read_text(encoding="utf-8"))
            flags = re.IGNORECASE
            terms = re.sub(r"\s*\|\s*", "|", raw["domain_terms"].strip())  # a space inside a term is kept
            rules = tuple(
                ScopeRule(
                    name=r["name"],
                    reply=r["reply"],
                    patterns=tuple(re.compile(p, flags) for p in r["patterns"]),
                    unless=re.compile(r["unless"], flags) if r.get("unless") else None,
                    hard=bool(r.get("hard", False)),
                    signal_only=bool(r.get("signal_only", False)),
                )
                for r in raw.get("rules", [])
            )
            return cls(re.compile(rf"\b(?:{terms})\b", flags), rules)
        except (OSError, KeyError, TypeError, re.error, yaml.YAMLError) as exc:
            raise PromptsMissing(f"{path}: {exc}") from exc


@dataclass(frozen=True)
class Texts:
    disclaimer: str
    not_answered: str
    decline: str
    greeting: str
    scope: Scope
    extra: dict[str, str] = field(default_factory=dict)
    vocabulary: Vocabulary = field(default_factory=Vocabulary)

    REQUIRED = ("disclaimer", "not_answered", "decline", "greeting")

    @classmethod
    def load(cls, prompts_dir: Path) -> Texts:
        found: dict[str, str] = {}
        for path in sorted(prompts_dir.glob("*.txt")) + sorted(prompts_dir.glob("*.md")):
            found[path.stem] = path.read_text(encoding="utf-8").strip()
        missing = [name for name in cls.REQUIRED if not found.get(name)]
        if missing:
            raise PromptsMissing(f"missing or empty prompt files in {prompts_dir}: {', '.join(missing)}")
        return cls(
            disclaimer=found["disclaimer"],
            not_answered=found["not_answered"],
            decline=found["decline"],
            greeting=found["greeting"],
            scope=Scope.from_yaml(prompts_dir / "scope.yaml"),
            extra=found,
            vocabulary=Vocabulary.from_yaml(prompts_dir / "vocabulary.yaml"),
        )

    def get(self, name: str, **values: object) -> str:
        """The text called ``name`` (a prompts/<name>.txt file), with ``{placeholders}`` filled in."""
        try:
            text = self.extra[name]
        except KeyError as exc:
            raise PromptsMissing(f"no prompt called {name!r}") from exc
        return text.format(**values) if values else text


_MASS_MENTION = re.compile(r"@(everyone|here)\b", re.IGNORECASE)
_USER_MENTION = re.compile(r"<@!?\d+>")
_ROLE_MENTION = re.compile(r"<@&\d+>")


def defuse_mentions(text: str) -> str:
    """Text that cannot ping anyone when posted to Discord: ``@everyone``/``@here`` lose their ``@``, user and
    role mentions (``<@123>``, ``<@&456>``) become plain words. Used on passages when they are indexed and
    again on every answer before it leaves the core.
    """
    if "@" not in text:
        return text
    text = _MASS_MENTION.sub(r"\1", text)
    text = _ROLE_MENTION.sub("a role", text)
    return _USER_MENTION.sub("a member", text)
