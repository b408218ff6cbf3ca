"""The Docker image recipe: linted with hadolint, non-root, and free of test-only files."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.subprocess
def test_dockerfile_passes_hadolint() -> None:
    beside_python = Path(sys.executable).parent / "hadolint"  # the venv's, even when .venv/bin is not on PATH
    hadolint = str(beside_python) if beside_python.exists() else shutil.which("hadolint")
    assert hadolint, "hadolint is a test dependency (the dev extra): run `make dev-install`"
    done = subprocess.run([hadolint, str(ROOT / "Dockerfile")], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr


def test_image_runs_as_a_non_root_user_and_ships_no_tests() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text(encoding="utf-8")
    users = [line.split()[1] for line in dockerfile.splitlines() if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0")
    assert "requirements-dev" not in dockerfile
    ignored = (ROOT / ".dockerignore").read_text(encoding="utf-8").split()
    assert "tests/*" in ignored and "tests/eval/*" in ignored  # no test code in the image ...
    # ... but the member questions every reindex is checked against before it goes live (the dev split: the
    # held-out test split stays out of operations, so a reindex never shows its questions to anyone)
    assert "!tests/eval/dev.jsonl" in ignored
    assert "COPY tests/eval/dev.jsonl tests/eval/dev.jsonl" in dockerfile
    assert "test.jsonl" not in dockerfile


def _runtime_stage() -> list[str]:
    """The final stage's instructions, one string each (continuation lines joined)."""
    text = (ROOT / "Dockerfile").read_text(encoding="utf-8").replace("\\\n", " ")
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    last_from = max(i for i, line in enumerate(lines) if line.upper().startswith("FROM "))
    return lines[last_from + 1 :]


def test_code_and_prompts_are_owned_by_root_and_read_only_to_the_bot() -> None:
    stage = _runtime_stage()
    user_at = max(i for i, line in enumerate(stage) if line.startswith("USER "))
    copies = [line for line in stage if line.startswith("COPY ")]
    copied = " ".join(copies)
    for path in ("bot.py", "dispute_desk/", "ingest/", "desk_cli/", "desk_discord/", "prompts/", "knowledge/"):
        assert path in copied, f"{path} is not in the image"
    # COPY without --chown leaves files owned by root; the bot runs as another user.
    assert not [line for line in copies if "--chown" in line or "--chmod" in line], copies
    assert all(i < user_at for i, line in enumerate(stage) if line.startswith(("COPY ", "RUN ")))
    run = " ".join(line for line in stage if line.startswith("RUN "))
    assert "chmod -R a-w" in run and "/app" in run  # nothing under /app is writable, even by the group
    assert "compileall" in run  # bytecode built as root: the bot could not write __pycache__ there
    # What the bot may write: its data volume and the moderators' uploads, nothing else.
    chowned = re.findall(r"chown(?: -R)? \S+ (\S+)", run)
    assert sorted(chowned) == ["/app/knowledge/uploads", "/data"]


def test_the_onnx_export_is_made_at_build_time_into_a_shared_model_cache() -> None:
    """A container must not export the model at start (torch work, ~30 s, into a volume per container)."""
    stage = _runtime_stage()
    env = next(i for i, line in enumerate(stage) if "DESK_MODEL_CACHE_DIR=/opt/models" in line)
    export = next(i for i, line in enumerate(stage) if line.startswith("RUN") and "build_embedder" in line)
    user = max(i for i, line in enumerate(stage) if line.startswith("USER "))
    assert env < export < user
