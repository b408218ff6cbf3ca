"""Integration helpers: run `python bot.py ...` as a subprocess against the session's real index."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest

from dispute_desk.desk import Desk
from dispute_desk.models import Answer
from dispute_desk.sentences import split_sentences
from dispute_desk.settings import PROJECT_DIR, Settings

BotRunner = Callable[..., subprocess.CompletedProcess[str]]


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """The parent's environment without any DESK_* or token settings, pointed at ``data_dir``, offline."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_") and k != "DISCORD_TOKEN"}
    env.update(
        {
            "HF_HUB_OFFLINE": "1",
            "TRANSFORMERS_OFFLINE": "1",
            "DESK_DATA_DIR": str(data_dir),
            "COLUMNS": "200",
            "NO_COLOR": "1",
        }
    )
    env.update(extra)
    return env


@pytest.fixture(scope="session")
def real_data_dir(real_desk: Desk, real_settings: Settings) -> Path:
    """The data dir of the session's real index (built by the ``real_desk`` fixture)."""
    return real_settings.data_dir


@pytest.fixture(scope="session")
def run_bot() -> BotRunner:
    def run(
        *args: str,
        data_dir: Path,
        stdin: str | None = None,
        env: Mapping[str, str] | None = None,
        timeout: float = 600,
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "bot.py", *args],
            cwd=PROJECT_DIR,
            env=clean_env(data_dir, **dict(env or {})),
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    return run


_MARKER = re.compile(r" \[(\d+)\]$")


def _cited_parts(text: str) -> list[tuple[str, int]]:
    parts = []
    for part in text.split("\n\n"):
        match = _MARKER.search(part)
        assert match, f"answer part without a citation marker: {part!r}"
        parts.append((part[: match.start()], int(match.group(1))))
    return parts


CONFLICT_NOTE = "Note: some forum threads quote "  # the fixed line (prompts/conflict_note.txt), not a quote


def _assert_grounded(answer: Answer) -> None:
    """Markers and sources agree (1..n in order) and every quoted sentence is in the source it cites."""
    parts = [(body, n) for body, n in _cited_parts(answer.text) if not body.startswith(CONFLICT_NOTE)]
    numbers = list(dict.fromkeys(n for _, n in _cited_parts(answer.text)))
    assert numbers == [s.number for s in answer.sources] == list(range(1, len(numbers) + 1)), answer.text
    for body, number in parts:
        for sentence in split_sentences(body):
            assert sentence in answer.sources[number - 1].text, (answer.question, sentence, number)


@pytest.fixture(scope="session")
def assert_grounded() -> Callable[[Answer], None]:
    return _assert_grounded
