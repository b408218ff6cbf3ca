"""Text templates of the rules file: ``{name}`` is filled in, ``[...]`` is kept only when it can be filled.

``"File a dispute within {refund_answer_days} days[ (by {refund_deadline})]."`` becomes "... within 7 days
(by 2026-11-17)." when the deadline could be computed, and "... within 7 days." when it could not. A name is
a number or a date from the rules file, or a date the member gave. A name outside brackets that has no
value (a date that was not given) is shown as "(date unknown)".
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from pydantic import GetCoreSchemaHandler
from pydantic_core import CoreSchema, core_schema

_PLACEHOLDER = re.compile(r"\{([a-z_][a-z0-9_]*)\}")
_OPTIONAL = re.compile(r"\[([^\[\]]*)\]")
UNKNOWN_VALUE = "(date unknown)"


@dataclass(frozen=True)
class Template:
    source: str

    @classmethod
    def from_text(cls, text: str) -> Template:
        """A template from the rules file (whitespace folded); ValueError names what is wrong with it."""
        template = cls(" ".join(text.split()))
        if not template.source:
            raise ValueError("a non-empty text is required")
        problems = template.problems()
        if problems:
            raise ValueError(f"the text {' and '.join(problems)}")
        return template

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> CoreSchema:
        """In a pydantic model a template is written (and dumped) as its text."""
        return core_schema.no_info_after_validator_function(
            cls.from_text,
            core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(lambda t: t.source),
        )

    @property
    def names(self) -> set[str]:
        return set(_PLACEHOLDER.findall(self.source))

    def problems(self) -> list[str]:
        """What is wrong with the template's syntax (unbalanced brackets or braces)."""
        found: list[str] = []
        outside = _OPTIONAL.sub("", self.source)
        if "[" in outside or "]" in outside:
            found.append("has an unbalanced or nested [ ]")
        if "{" in _PLACEHOLDER.sub("", self.source) or "}" in _PLACEHOLDER.sub("", self.source):
            found.append("has a { } that is not a {name} of lowercase letters, digits and _")
        return found

    def render(self, values: Mapping[str, str]) -> str:
        def optional(match: re.Match[str]) -> str:
            inner = match.group(1)
            if all(name in values for name in _PLACEHOLDER.findall(inner)):
                return _fill(inner, values)
            return ""

        text = _OPTIONAL.sub(optional, self.source)
        return re.sub(r"\s+([.,;:])", r"\1", _fill(text, values)).strip()


def _fill(text: str, values: Mapping[str, str]) -> str:
    return _PLACEHOLDER.sub(lambda m: values.get(m.group(1), UNKNOWN_VALUE), text)
