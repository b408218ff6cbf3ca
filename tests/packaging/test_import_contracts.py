"""The import contracts in pyproject.toml ([tool.importlinter]): the code keeps them, and each one bites."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import importlinter.api  # noqa: F401  (configures import-linter's adapters)
import pytest
from importlinter.application.use_cases import lint_imports

from dispute_desk.settings import PROJECT_DIR

PACKAGES = ("dispute_desk", "ingest", "desk_cli", "desk_discord")
PYPROJECT = tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text())
CONTRACTS = [contract["name"] for contract in PYPROJECT["tool"]["importlinter"]["contracts"]]

# One new import per contract, each breaking exactly the rule a newcomer could break by accident.
VIOLATIONS = {
    "dispute_desk/_leak.py": "import discord\nimport rich\nimport ingest.reader\n",  # layers, discord, rich
    "desk_discord/exts/ask/_leak.py": "import desk_discord.exts.feedback\n",  # one extension importing another
    "desk_discord/views/_leak.py": "import desk_discord.exts.protection\n",  # a shared view importing an extension
    "ingest/formats/_leak.py": "import ingest.reader\n",  # a reader importing the dispatch
    "desk_cli/_cycle_a.py": "import desk_cli._cycle_b\n",  # two siblings importing each other
    "desk_cli/_cycle_b.py": "import desk_cli._cycle_a\n",
}


def test_the_code_keeps_every_import_contract(capsys: pytest.CaptureFixture[str]) -> None:
    # The use case, not importlinter.cli.lint_imports: that one reconfigures logging for the whole process.
    kept = lint_imports(config_filename=str(PROJECT_DIR / "pyproject.toml"), cache_dir=None, no_logo=True)
    report = capsys.readouterr().out
    assert kept, report
    assert f"Contracts: {len(CONTRACTS)} kept, 0 broken." in report


@pytest.mark.subprocess
def test_every_contract_fails_on_the_import_it_forbids(tmp_path: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(PROJECT_DIR / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(PROJECT_DIR / "pyproject.toml", tmp_path)
    for path, source in VIOLATIONS.items():
        (tmp_path / path).write_text(source)
    init = tmp_path / "ingest" / "formats" / "__init__.py"
    init.write_text(init.read_text() + "\nfrom ingest.formats import markdown  # noqa: F401\n")

    run = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports as l; raise SystemExit(l(no_cache=True))"],
        cwd=tmp_path, env=os.environ | {"COLUMNS": "300"}, capture_output=True, text=True, timeout=120, check=False,
    )
    assert run.returncode == 1, run.stdout + run.stderr
    assert f"Contracts: 0 kept, {len(CONTRACTS)} broken." in run.stdout, run.stdout
    assert "dispute_desk is not allowed to import ingest" in run.stdout
    assert "desk_discord.exts.ask is not allowed to import desk_discord.exts.feedback" in run.stdout
