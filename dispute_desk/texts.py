"""Fixed texts and scope rules, loaded once from ``prompts/``."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated

import yaml
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, ValidationError, WithJsonSchema

from dispute_desk.questions import Question, Vocabulary
from dispute_desk.yaml_problems import problem_report


class PromptsMissing(Exception):
    """A required prompt file is missing or malformed."""


def _pattern(value: object) -> object:
    """A regular expression from the file, matched case-insensitively; ValueError says why it is invalid."""
    if not isinstance(value, str):
        return value
    try:
        return re.compile(value, re.IGNORECASE)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression ({exc})") from None


def _domain_terms(value: object) -> object:
    """``a|b c|d`` (folded over several lines) as one whole-word pattern; a space inside a term is kept."""
    if not isinstance(value, str):
        return value
    terms = re.sub(r"\s*\|\s*", "|", value.strip())
    return _pattern(rf"\b(?:{terms})\b")


Pattern = Annotated[
    re.Pattern[str],
    BeforeValidator(_pattern),
    PlainSerializer(lambda p: p.pattern),
    WithJsonSchema({"type": "string", "description": "A Python regular expression, matched ignoring case."}),
]


class ScopeRule(BaseModel):
    """A named decline rule of ``prompts/scope.yaml``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: str = Field(min_length=1)
    reply: str = Field(min_length=1, description="The prompts/<reply>.txt to answer with.")
    patterns: tuple[Pattern, ...] = Field(min_length=1)
    unless: Pattern | None = Field(None, description="The rule does not apply when this matches.")
    hard: bool = Field(False, description="Always declines; otherwise a signal for the answerability gate.")
    signal_only: bool = Field(False, description="Never declines by itself, even without a gate.")

    def matches(self, question: str) -> bool:
        if self.unless is not None and self.unless.search(question):
            return False
        return any(p.search(question) for p in self.patterns)


class Scope(BaseModel):
    """What gets declined before any search: no domain words at all, or a named decline rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    domain_terms: Annotated[
        re.Pattern[str],
        BeforeValidator(_domain_terms),
        PlainSerializer(lambda p: p.pattern),
        WithJsonSchema({"type": "string", "description": "Words of the domain, separated by |."}),
    ]
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

    def hard_decline(self, question: Question) -> str | None:
        """The reply of the hard rule the member's request falls under, or None. In a message with a story only
        the asks are read, each with what a short one needs from before it: "a friend joked I should dox him, not
        happening. do I have to follow the mediator's recommendation?" requests nothing a hard rule declines.
        """
        # a question set aside as small talk ("unrelated but can you find his address?") is still a request
        text = " ".join((*question.asides, *question.ask_queries())) if question.context else question.text
        return self.decline_reason(text, hard_only=True)

    def signals(self, question: str) -> dict[str, str]:
        """Every soft rule that matches (name -> its reply), plus ``no_domain_terms`` when no domain word is
        present: what the answerability gate weighs, and the reply to use if it declines.
        """
        found = {rule.name: rule.reply for rule in self.rules if not rule.hard and rule.matches(question)}
        if not self.domain_terms.search(question):
            found["no_domain_terms"] = "decline"
        return found

    def ask_signals(self, question: Question) -> dict[str, str] | None:
        """The soft rules that fire on the asks alone, when the message has a story around them (else None): the
        gate compares them with the whole message's to see a declined topic told but not asked.
        """
        return self.signals(" ".join(question.asks)) if question.context else None

    def domain_term_count(self, question: str) -> int:
        return len(self.domain_terms.findall(question))

    @classmethod
    def from_yaml(cls, path: Path) -> Scope:
        """Read ``scope.yaml``; PromptsMissing lists every problem in it at once."""
        try:
            text = path.read_text(encoding="utf-8")
            raw = yaml.safe_load(text)
        except (OSError, yaml.YAMLError) as exc:
            raise PromptsMissing(f"{path}: {exc}") from exc
        try:
            return cls.model_validate(raw)
        except ValidationError as exc:
            raise PromptsMissing(problem_report(path, exc, raw, cls, text)) from None


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
