"""pre-commit runs the same checks as `make lint`, from the project venv, with nothing to download."""

from __future__ import annotations

import shlex
import sys
from pathlib import Path

from pre_commit.clientlib import load_config

from dispute_desk.settings import PROJECT_DIR

VENV_BIN = Path(sys.executable).parent


def _hooks() -> dict[str, dict[str, object]]:
    config = load_config(str(PROJECT_DIR / ".pre-commit-config.yaml"))  # pre-commit's own validation
    return {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}


def test_pre_commit_runs_ruff_the_type_checker_and_the_import_contracts() -> None:
    hooks = _hooks()
    assert set(hooks) == {"ruff", "mypy", "import-linter"}
    for hook in hooks.values():
        assert hook["language"] == "unsupported"  # pre-commit's name for `system`: the venv's tool, no download
        tool = shlex.split(str(hook["entry"]))[0]
        assert (VENV_BIN / tool).is_file(), f"{tool} (hook {hook['id']}) is not installed in the project venv"
    assert hooks["mypy"]["pass_filenames"] is False  # the files to check come from [tool.mypy]
    assert hooks["import-linter"]["pass_filenames"] is False  # contracts are about the whole graph


def test_make_lint_runs_the_same_linters() -> None:
    makefile = (PROJECT_DIR / "Makefile").read_text()
    recipe = makefile.split("\nlint:", 1)[1].split("\n\n", 1)[0]
    assert "ruff check" in recipe and "lint-imports" in recipe
    assert "make lint" in (PROJECT_DIR / ".ci" / "run").read_text()
