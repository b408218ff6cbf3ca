"""Pydantic's validation errors for a YAML file that people edit, told as they would look for them.

Each problem becomes one line: its line in the file, where it is in the YAML
(``rules[3] (fixed-funded).when.type``, list items named by their ``id``, ``field`` or ``name``), then what is
wrong, with the value found and, for an unknown key, the keys allowed there. Loaders join the lines into one
error, so every problem in a file is reported at once.
"""

from __future__ import annotations

import types
from collections.abc import Mapping, Sequence
from typing import Annotated, Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails


def problem_report(path: object, error: ValidationError, raw: object, model: type[BaseModel], text: str) -> str:
    """Every problem of ``path`` in one message: "<path> has N problem(s):", then one "- " line each."""
    problems = problems_in(error, raw, model, text)
    listed = "\n".join(f"- {p}" for p in problems)
    return f"{path} has {len(problems)} problem(s):\n{listed}"


def problems_in(error: ValidationError, raw: object, model: type[BaseModel], text: str = "") -> list[str]:
    """One line per problem: the line in the file (when ``text`` is given), where it is in the YAML
    (``rules[3] (fixed-funded).when``), then what is wrong.
    """
    lines = yaml_lines(text) if text else {}
    out = []
    for e in error.errors(include_url=False):
        where, keys = _where(e["loc"], raw)
        line = next((lines[keys[:n]] for n in range(len(keys), 0, -1) if keys[:n] in lines), None)
        out.append(f"{f'line {line}, ' if line else ''}{where}: {_what(e, model)}")
    return out


def yaml_lines(text: str) -> dict[tuple[str, ...], int]:
    """The line (from 1) of every key and list item of a YAML document, by its path of keys and indexes."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return {}
    lines: dict[tuple[str, ...], int] = {}

    def walk(node: yaml.Node | None, path: tuple[str, ...]) -> None:
        if isinstance(node, yaml.MappingNode):
            children = [(str(key.value), key, value) for key, value in node.value]
        elif isinstance(node, yaml.SequenceNode):
            children = [(str(i), item, item) for i, item in enumerate(node.value)]
        else:
            return
        for name, marked, child in children:
            lines[(*path, name)] = marked.start_mark.line + 1
            walk(child, (*path, name))

    walk(root, ())
    return lines


def _where(loc: tuple[int | str, ...], raw: object) -> tuple[str, tuple[str, ...]]:
    """``rules[3] (fixed-funded).when.type`` for a pydantic location, naming list items by their id, field or
    name, and the keys and indexes that lead there in the YAML.
    """
    path, node = "", raw
    keys: tuple[str, ...] = ()
    for part in loc:
        if isinstance(part, int):
            if not isinstance(node, list):
                continue  # a single value the model read as a one-item list
            node = node[part] if part < len(node) else None
            name = node.get("id") or node.get("field") or node.get("name") if isinstance(node, Mapping) else None
            path += f"[{part}]" + (f" ({name})" if name else "")
        elif part == "[key]":
            path += " (the name)"
            continue
        else:
            path += f".{part}" if path else part
            node = node.get(part) if isinstance(node, Mapping) else None
        keys = (*keys, str(part))
    return path or "the file", keys


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
