"""What the rules file defines, read from the raw YAML before validation, so references can be checked.

A rule names numbers and dates defined elsewhere in the same file. Pydantic validates each part on its
own, so the names are collected first and handed to every validator as the validation context: a typo in
one reference is then reported together with every other problem, even when the definition it points to
is itself broken (its name is still known).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field

from pydantic import ValidationInfo

from dispute_desk.protection.inputs import DATE_FIELDS


@dataclass(frozen=True)
class References:
    numbers: frozenset[str] = frozenset()
    dates: frozenset[str] = frozenset()  # ids defined under ``dates:``
    rule_ids: Counter[str] = field(default_factory=Counter)
    question_fields: Counter[str] = field(default_factory=Counter)

    @classmethod
    def of(cls, raw: object) -> References:
        data: Mapping[object, object] = raw if isinstance(raw, Mapping) else {}
        return cls(
            numbers=frozenset(map(str, _mapping(data.get("numbers")))),
            dates=frozenset(map(str, _mapping(data.get("dates")))),
            rule_ids=Counter(str(item.get("id")) for item in _mappings(data.get("rules"))),
            question_fields=Counter(str(item.get("field")) for item in _mappings(data.get("questions"))),
        )

    @property
    def all_dates(self) -> frozenset[str]:
        """What a condition or a rule's text may name as a date: the member's dates and computed ones."""
        return self.dates | frozenset(DATE_FIELDS)


def references(info: ValidationInfo) -> References:
    """The references passed to ``model_validate(..., context=References.of(raw))``."""
    if not isinstance(info.context, References):
        raise ValueError("validate the rules file with RuleSet.from_data() (the references are missing)")
    return info.context


def _mapping(value: object) -> Mapping[object, object]:
    return value if isinstance(value, Mapping) else {}


def _mappings(value: object) -> list[Mapping[object, object]]:
    return [item for item in value if isinstance(item, Mapping)] if isinstance(value, list) else []
