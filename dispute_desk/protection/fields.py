"""Building blocks of the rules file's models: the frozen base, one-line texts, checked names, citations."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, WithJsonSchema

from dispute_desk.protection.inputs import DATE_FIELDS
from dispute_desk.protection.template import Template


class Value(BaseModel):
    """A part of the rules file: unknown keys are mistakes, and nothing changes once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


def one_line(text: str) -> str:
    folded = " ".join(text.split())
    if not folded:
        raise ValueError("a non-empty text is required")
    return folded


def one_of(names: tuple[str, ...], what: str) -> Callable[[str], str]:
    """A check that a string is one of ``names`` (known at run time only, so not a ``Literal``)."""

    def check(value: str) -> str:
        if value not in names:
            raise ValueError(f"{what} must be one of {', '.join(names)}, got '{value}'")
        return value

    return check


def check_names(template: Template, allowed: frozenset[str]) -> Template:
    unknown = sorted(template.names - allowed)
    if unknown:
        raise ValueError(f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)}")
    return template


Text = Annotated[str, AfterValidator(one_line)]
AnswerDate = Annotated[
    str, AfterValidator(one_of(DATE_FIELDS, "a date")), WithJsonSchema({"type": "string", "enum": list(DATE_FIELDS)})
]


class Cite(Value):
    """A section of the policy guide: ``{file: 02-fixed-price-disputes.md, section: "2.5"}``."""

    file: str = Field(min_length=1, description="A file in knowledge/policy/.")
    section: str = Field(min_length=1, description='The section number, quoted: "2.5".')

    def __str__(self) -> str:
        return f"{self.file} § {self.section}"
