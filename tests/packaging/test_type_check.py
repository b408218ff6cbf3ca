"""The type check `make lint` runs (mypy, configured in pyproject.toml), run here too so `make test` catches
a type regression: the core and ingestion strict, the front ends basic, every `# type: ignore` still needed.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]
CONFIG = str(ROOT / "pyproject.toml")


def _mypy(*args: str) -> tuple[str, int]:
    stdout, stderr, status = api.run(["--config-file", CONFIG, *args])
    return stdout + stderr, status


@pytest.mark.slow  # about 2 minutes on 2 cores with a cold cache (.mypy_cache), seconds with a warm one
def test_the_code_type_checks_clean(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # the `files` in the config are relative to the project root
    output, status = _mypy()
    assert status == 0, output
    assert "Success: no issues found" in output


def test_the_core_is_checked_strictly_and_the_front_ends_basically(tmp_path: Path) -> None:
    # Stand-in modules named like the project's packages pick up the same per-package settings.
    probe = (
        "def untyped(value):\n"
        "    count: int = 'not a number'\n"
        "    return value\n"
        "\n"
        "\n"
        "def typed(value: int) -> int:\n"
        "    return value  # type: ignore[return-value]\n"
    )
    for package in ("dispute_desk", "desk_cli"):
        (tmp_path / package).mkdir()
        (tmp_path / package / "__init__.py").write_text("")
        (tmp_path / package / "probe.py").write_text(probe)
    output, status = _mypy(
        "--cache-dir=/dev/null", str(tmp_path / "dispute_desk" / "probe.py"), str(tmp_path / "desk_cli" / "probe.py")
    )
    assert status == 1
    errors = {(line.split(":")[0].replace("\\", "/").split("/")[-2], line.rsplit("[", 1)[-1].rstrip("]"))
              for line in output.splitlines() if ": error:" in line}
    # Strict in the core: an unannotated function is an error.
    assert ("dispute_desk", "no-untyped-def") in errors
    assert ("desk_cli", "no-untyped-def") not in errors
    # Both: the bodies of unannotated functions are checked, and an ignore that silences nothing is reported.
    for package in ("dispute_desk", "desk_cli"):
        assert (package, "assignment") in errors
        assert (package, "unused-ignore") in errors
