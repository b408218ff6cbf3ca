"""JSON Schemas of the YAML files moderators edit, generated from the pydantic models that load them.

Each schema sits beside its file, and the file's first line points editors to it
(``# yaml-language-server: $schema=protection.schema.json``), so a typo is underlined while typing.
Regenerate after changing a model: ``python -m dispute_desk.schemas`` (``--check`` only compares; a test
fails when a committed schema differs from the models).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from dispute_desk.protection.rules import SCHEMA_FILE, RuleSet
from dispute_desk.settings import PROJECT_DIR
from dispute_desk.texts import Scope

DRAFT = "https://json-schema.org/draft/2020-12/schema"

# schema file (relative to the project) -> (the model, a title for editors)
SCHEMAS: dict[Path, tuple[type[BaseModel], str]] = {
    Path("knowledge") / SCHEMA_FILE: (RuleSet, "Rules of the protection check (knowledge/rules/protection.yaml)"),
    Path("prompts") / "scope.schema.json": (Scope, "What Dispute Desk declines before searching (prompts/scope.yaml)"),
}


def json_schema(model: type[BaseModel], title: str) -> dict[str, Any]:
    """The schema of what the file may contain (the input side of the model)."""
    return {"$schema": DRAFT, **model.model_json_schema(mode="validation"), "title": title}


def render(model: type[BaseModel], title: str) -> str:
    return json.dumps(json_schema(model, title), indent=2, ensure_ascii=False) + "\n"


def stale(root: Path = PROJECT_DIR) -> list[Path]:
    """The schema files under ``root`` that are missing or differ from the models."""
    out = []
    for relative, (model, title) in SCHEMAS.items():
        path = root / relative
        if not path.is_file() or path.read_text(encoding="utf-8") != render(model, title):
            out.append(path)
    return out


def write(root: Path = PROJECT_DIR) -> list[Path]:
    """Write every schema file that changed; returns the ones written."""
    written = stale(root)
    for path in written:
        model, title = SCHEMAS[path.relative_to(root)]
        path.write_text(render(model, title), encoding="utf-8")
    return written


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m dispute_desk.schemas", description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report schema files that are out of date")
    args = parser.parse_args(argv)
    paths = stale() if args.check else write()
    verb = "out of date" if args.check else "written"
    for path in paths:
        sys.stdout.write(f"{verb}: {path.relative_to(PROJECT_DIR)}\n")
    if not paths:
        sys.stdout.write("schemas are up to date\n")
    return 1 if args.check and paths else 0


if __name__ == "__main__":
    raise SystemExit(main())
