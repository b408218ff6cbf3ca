"""The protection rules file (``knowledge/rules/protection.yaml``): read it and report what is wrong with it.

The file holds everything a moderator may need to change without touching code: the numbers (each with
the policy section that states it), the dates computed from the member's answers, the questions asked,
and the rules. Its parts are declared in ``rules_schema.py``; ``load_rules`` reports every problem in the
file at once, each with its place in the YAML (citations are checked in ``citations.py``).
"""

from __future__ import annotations

import logging
import types
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from dispute_desk.protection.rules_schema import (
    Cite,
    DateDef,
    Effect,
    NextStep,
    Number,
    Question,
    Rule,
    RuleBook,
    Status,
)

log = logging.getLogger(__name__)

RULES_FILE = Path("rules") / "protection.yaml"  # inside the knowledge folder
SCHEMA_FILE = RULES_FILE.with_suffix(".schema.json")  # generated from rules_schema.py, beside the rules
STATUSES = ("protected", "partly", "not_protected", "cant_tell")

__all__ = [
    "RULES_FILE",
    "SCHEMA_FILE",
    "STATUSES",
    "Cite",
    "DateDef",
    "Effect",
    "NextStep",
    "Number",
    "Question",
    "Rule",
    "RuleBook",
    "RulesError",
    "Status",
    "load_rules",
    "problems_in",
]


class RulesError(Exception):
    """The rules file is missing or malformed; the message lists every problem found."""


def load_rules(path: Path) -> RuleBook:
    """Read and check the rules file; RulesError lists every problem (not only the first)."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise RulesError(f"cannot read the protection rules {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RulesError(f"{path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    try:
        return RuleBook.from_data(raw)
    except ValidationError as exc:
        problems = problems_in(exc, raw)
        listed = "\n".join(f"- {p}" for p in problems)
        raise RulesError(f"{path} has {len(problems)} problem(s):\n{listed}") from None


def problems_in(error: ValidationError, raw: object, model: type[BaseModel] = RuleBook) -> list[str]:
    """One line per problem: where it is in the YAML (``rules[3] (fixed-funded).when``), then what is wrong."""
    return [f"{_where(e['loc'], raw)}: {_what(e, model)}" for e in error.errors(include_url=False)]


def _where(loc: tuple[int | str, ...], raw: object) -> str:
    """``rules[3] (fixed-funded).when.type`` for a pydantic location, naming list items by their id or field."""
    path, node = "", raw
    for part in loc:
        if isinstance(part, int):
            if not isinstance(node, list):
                continue  # a single value the model read as a one-item list
            node = node[part] if part < len(node) else None
            name = node.get("id") or node.get("field") if isinstance(node, Mapping) else None
            path += f"[{part}]" + (f" ({name})" if name else "")
        elif part == "[key]":
            path += " (the name)"
        else:
            path += f".{part}" if path else part
            node = node.get(part) if isinstance(node, Mapping) else None
    return path or "the file"


def _what(error: ErrorDetails, model: type[BaseModel]) -> str:
    kind, message, value = error["type"], error["msg"], error.get("input")
    if kind == "extra_forbidden":
        allowed = _keys_at(model, error["loc"][:-1])
        return f"unknown key '{error['loc'][-1]}'" + (f" (allowed: {', '.join(allowed)})" if allowed else "")
    if kind == "value_error":
        return message.removeprefix("Value error, ")
    if kind != "missing" and (value is None or isinstance(value, str | int | float)):
        return f"{message}, got {value!r}"
    return message


def _keys_at(model: type[BaseModel], loc: Sequence[int | str]) -> list[str]:
    """The keys the model allows at ``loc`` (found by following the field types), for 'unknown key' help."""
    current: Any = model
    for part in loc:
        current = _inner(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            fields = {info.alias or name: info.annotation for name, info in current.model_fields.items()}
            current = fields.get(str(part))
        elif get_origin(current) in (tuple, list):
            current = get_args(current)[0]
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        else:
            return []
    current = _inner(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [info.alias or name for name, info in current.model_fields.items()]
    return []


def _inner(annotation: Any) -> Any:
    """``Annotated[X, ...]`` -> X and ``X | None`` -> X."""
    while True:
        if get_origin(annotation) is Annotated:
            annotation = get_args(annotation)[0]
        elif get_origin(annotation) in (Union, types.UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            annotation = options[0] if len(options) == 1 else annotation
            if len(options) != 1:
                return annotation
        else:
            return annotation
