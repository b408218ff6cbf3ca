"""Fixtures for the protection check: the real rules and policy files, and an editable copy of both."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from dispute_desk.protection import ProtectionCheck, Verdict, inputs_from_answers
from dispute_desk.settings import PROJECT_DIR
from ingest.reader import read_policy

KNOWLEDGE = PROJECT_DIR / "knowledge"
RULES = KNOWLEDGE / "rules" / "protection.yaml"
TODAY = date(2026, 11, 11)  # a Wednesday


@pytest.fixture(scope="session")
def protection_check() -> ProtectionCheck:
    return ProtectionCheck.load(KNOWLEDGE, read_policy)


@pytest.fixture(scope="session")
def check(protection_check: ProtectionCheck) -> Callable[..., Verdict]:
    """check(today=..., **answers) -> Verdict, with strings for answers and dates."""

    def run(*, today: date = TODAY, **answers: object) -> Verdict:
        return protection_check.run(inputs_from_answers(answers), today=today)

    return run


@pytest.fixture
def knowledge_copy(tmp_path: Path) -> Path:
    """A writable copy of the policy files and the rules file (for tests that edit them)."""
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE / "policy", target / "policy")
    (target / "rules").mkdir()
    shutil.copy(RULES, target / "rules" / "protection.yaml")
    return target
