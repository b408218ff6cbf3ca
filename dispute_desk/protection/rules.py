"""The protection rules file (``knowledge/rules/protection.yaml``): read it and report what is wrong with it.

The file holds everything a moderator may need to change without touching code: the numbers (each with
the policy section that states it), the dates computed from the member's answers, the questions asked,
and the rules. Its parts are declared in ``rules_schema.py``; ``load_rules`` reports every problem in the
file at once, each with its place in the YAML (citations are checked in ``citations.py``).
"""

from __future__ import annotations

from pathlib import Path

import yaml
from pydantic import ValidationError

from dispute_desk.protection.fields import Cite
from dispute_desk.protection.questions import Question
from dispute_desk.protection.rules_schema import DateDef, Effect, NextStep, Number, Rule, RuleSet, Status
from dispute_desk.yaml_problems import problem_report

RULES_FILE = Path("rules") / "protection.yaml"  # inside the knowledge folder
SCHEMA_FILE = RULES_FILE.with_suffix(".schema.json")  # generated from rules_schema.py, beside the rules

__all__ = [
    "RULES_FILE",
    "SCHEMA_FILE",
    "Cite",
    "DateDef",
    "Effect",
    "NextStep",
    "Number",
    "Question",
    "Rule",
    "RuleSet",
    "RulesError",
    "Status",
    "load_rules",
]


class RulesError(Exception):
    """The rules file is missing or malformed; the message lists every problem found."""


def load_rules(path: Path) -> RuleSet:
    """Read and check the rules file; RulesError lists every problem (not only the first)."""
    try:
        text = path.read_text(encoding="utf-8")
        raw = yaml.safe_load(text)
    except OSError as exc:
        raise RulesError(f"cannot read the protection rules {path}: {exc.strerror or exc}") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}" if mark is not None else ""
        raise RulesError(f"{path} is not valid YAML{where}: {getattr(exc, 'problem', None) or exc}") from None
    try:
        return RuleSet.from_data(raw)
    except ValidationError as exc:
        raise RulesError(problem_report(path, exc, raw, RuleSet, text)) from None
