"""Broken configuration is one clear line and exit code 2, never a traceback; user text is printed as text.

Most cases run ``bot.py``'s ``main`` in-process with the environment a user would set (the deterministic
hashing embedder keeps them fast); the read-only data dir runs ``bot.py`` as a subprocess under a read-only
mount (as root, where file modes do not stop writes) or a read-only folder (as any other user).
"""

from __future__ import annotations

import errno
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import discord
import pytest

from desk_cli import app, exit_codes
from desk_cli.commands import chat
from dispute_desk.desk import Desk
from dispute_desk.settings import PROJECT_DIR, Settings, load_settings
from dispute_desk.store import ChunkStore, Collection
from ingest.pipeline import run_ingest

POLICY = """---
title: Escrow basics
kind: policy
---
# 1. Escrow basics

## 1.1 Funding a milestone
The client must fund a milestone into escrow before the freelancer starts; funded milestones are protected.
"""


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A user's environment: a data dir, a knowledge folder of one file, the hashing embedder; returns the data dir."""
    for name in list(os.environ):
        if name.startswith("DESK_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    knowledge = tmp_path / "knowledge"
    (knowledge / "policy").mkdir(parents=True)
    (knowledge / "policy" / "01-escrow.md").write_text(POLICY, encoding="utf-8")
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESK_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("DESK_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("COLUMNS", "300")  # rich wraps at 80 columns otherwise
    monkeypatch.chdir(tmp_path)  # no stray .env
    return tmp_path / "data"


@pytest.fixture(autouse=True)
def restore_discord_endpoints() -> Iterator[None]:
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


def one_line_exit(capsys: pytest.CaptureFixture[str], expected: int, *argv: str) -> str:
    """Run ``bot.py argv`` in-process; assert exit ``expected`` with exactly one line on stderr, and return it."""
    code = app.main(list(argv))
    err = capsys.readouterr().err
    assert code == expected, err
    assert "Traceback" not in err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    return lines[0]


def indexed(data_dir: Path) -> Settings:
    settings = load_settings()
    assert run_ingest(settings, [settings.knowledge_dir]).ok
    return settings


PROTECTED = ("protected", "--type", "fixed", "--funded", "yes", "--json")


@pytest.mark.parametrize(
    ("variable", "value", "reason"),
    [
        ("DESK_LOG_LEVEL", "LOUD", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL"),
        ("DESK_DENSE_WEIGHT", "inf", "Input should be a finite number"),
        ("DESK_LEXICAL_WEIGHT", "nan", "Input should be a finite number"),
        ("DESK_MAX_FILE_MB", "inf", "Input should be a finite number"),
        ("DESK_EMBEDDING_BATCH_SIZE", "0", "Input should be greater than or equal to 1"),
    ],
)
def test_invalid_settings_are_refused_in_one_line(env, capsys, monkeypatch, variable, value, reason) -> None:
    monkeypatch.setenv(variable, value)
    line = one_line_exit(capsys, exit_codes.CONFIG, *PROTECTED)  # a command that otherwise succeeds
    assert line == f"Configuration error: {variable}={value}: {reason}"


def test_batch_size_zero_is_refused_before_any_file_is_read(env: Path, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DESK_EMBEDDING_BATCH_SIZE", "0")
    read = []
    monkeypatch.setattr("ingest.plan.read_guarded", lambda *a, **k: read.append(a) or None)
    assert "DESK_EMBEDDING_BATCH_SIZE=0" in one_line_exit(capsys, exit_codes.CONFIG, "ingest")
    assert read == [] and not env.exists()


def test_log_level_is_read_in_any_case(env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DESK_LOG_LEVEL", "debug")
    assert load_settings().log_level == "DEBUG"


def test_a_secret_setting_is_never_echoed(env, capsys, monkeypatch) -> None:
    monkeypatch.setenv("DESK_TOP_K", "0")
    monkeypatch.setenv("DISCORD_TOKEN", "tok-SECRET")
    monkeypatch.setenv("DESK_HASH_SECRET", "hash-SECRET")
    assert "DESK_TOP_K=0" in one_line_exit(capsys, exit_codes.CONFIG, *PROTECTED)


@pytest.mark.parametrize("command", [("ask", "what is escrow"), ("ingest",)])
def test_a_data_dir_that_is_a_file(env: Path, capsys, command) -> None:
    env.write_text("oops", encoding="utf-8")
    assert one_line_exit(capsys, exit_codes.CONFIG, *command) == (
        f"Configuration error: DESK_DATA_DIR {env} is a file, not a folder; point DESK_DATA_DIR at a folder"
    )


def test_a_full_disk_during_rebuild_keeps_the_old_index(env: Path, capsys, monkeypatch) -> None:
    settings = indexed(env)
    before = ChunkStore(settings).pointer()

    def disk_full(self, chunks, embeddings):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(Collection, "upsert", disk_full)
    line = one_line_exit(capsys, exit_codes.NO_INDEX, "ingest", "--rebuild")
    assert line == (
        "Ingest stopped: [Errno 28] No space left on device; the new index was dropped; the current one is "
        "unchanged and still answering."
    )
    store = ChunkStore(settings)
    assert store.pointer() == before and store.collection_names() == [before.collection]
    monkeypatch.undo()
    answer = Desk.open(settings.updated({"min_evidence": 0.0})).ask("must the client fund a milestone?")
    assert answer.answered and answer.sources[0].title == "Escrow basics"


@pytest.mark.parametrize(
    ("damage", "says"),
    [
        (lambda d: (d / "desk.sqlite3").write_bytes(b"not a database" * 200), "the journal database"),
        (lambda d: (d / "journal.salt").write_text("", encoding="ascii"), "hashing secret in"),
        (lambda d: (d / "journal.salt").write_text("xyz", encoding="ascii"), "is not hexadecimal"),
    ],
    ids=["corrupt-database", "empty-salt", "malformed-salt"],
)
def test_run_with_a_damaged_journal(env: Path, capsys, monkeypatch, damage, says) -> None:
    indexed(env)
    damage(env)
    monkeypatch.setenv("DISCORD_TOKEN", "token-never-used")
    line = one_line_exit(capsys, exit_codes.CONFIG, "run")
    assert line.startswith("dispute-desk: ") and says in line and "token-never-used" not in line


def _read_only_runner(data_dir: Path) -> list[str]:
    """A command prefix under which ``data_dir`` cannot be written, or skip when that cannot be arranged."""
    if os.geteuid() != 0:
        for path in (data_dir, *data_dir.rglob("*")):
            path.chmod(path.stat().st_mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))
        return []
    unshare = shutil.which("unshare")
    script = 'mount --bind "$0" "$0" && mount -o remount,ro,bind "$0" && exec "$@"'
    probe = [unshare or "unshare", "-m", "sh", "-c", script, str(data_dir), "true"]
    if unshare is None or subprocess.run(probe, capture_output=True, check=False).returncode != 0:
        pytest.skip("running as root without mount namespaces: no way to make a folder read-only")
    return [unshare, "-m", "sh", "-c", script, str(data_dir)]


@pytest.mark.subprocess
@pytest.mark.parametrize("command", [("ask", "what is escrow"), ("ingest",)])
def test_a_read_only_data_dir(env: Path, command) -> None:
    indexed(env)
    prefix = _read_only_runner(env)
    try:
        done = subprocess.run(
            [*prefix, sys.executable, str(PROJECT_DIR / "bot.py"), *command],
            env={**os.environ, "HF_HUB_OFFLINE": "1", "COLUMNS": "300"},  # the env fixture's DESK_* settings
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        for path in (env, *env.rglob("*")):
            path.chmod(path.stat().st_mode | stat.S_IWUSR)
    assert done.returncode == exit_codes.CONFIG, done.stderr
    assert "Traceback" not in done.stderr
    [line] = done.stderr.strip().splitlines()
    assert line.startswith(f"Configuration error: DESK_DATA_DIR {env} is not writable (")
    assert "point DESK_DATA_DIR at another folder" in line


def test_chat_prints_questions_as_text_not_markup(
    tiny_desk: Desk, settings: Settings, monkeypatch, capsys
) -> None:
    lines = iter(["how does escrow work [/x]", "[bold]escrow[/bold] again?", "/history", "/nope [/x]", "/quit"])
    monkeypatch.setattr(chat, "_read_line", lambda console: next(lines))
    monkeypatch.setattr(chat.Desk, "open", lambda settings: tiny_desk)
    from rich.console import Console

    console = Console(force_terminal=False, width=200)
    assert chat.handle(None, settings, console) == 0
    out = capsys.readouterr().out
    assert "1. how does escrow work [/x]" in out
    assert "2. [bold]escrow[/bold] again?" in out  # shown as typed, not turned into bold text
    assert "unknown command /nope [/x]" in out


@pytest.mark.parametrize("word", ["quit", "exit", "Exit ", "bye", "/q"])
def test_chat_ends_on_a_bare_quit_without_asking_it(
    word: str, tiny_desk: Desk, settings: Settings, monkeypatch, capsys
) -> None:
    lines = iter([word, "how does escrow work"])
    monkeypatch.setattr(chat, "_read_line", lambda console: next(lines))
    monkeypatch.setattr(chat.Desk, "open", lambda settings: tiny_desk)
    from rich.console import Console

    assert chat.handle(None, settings, Console(force_terminal=False, width=200)) == 0
    out = capsys.readouterr().out
    assert out.rstrip().endswith("bye")
    assert next(lines) == "how does escrow work"  # the session ended before reading another line


def test_ingest_lists_file_names_with_brackets_as_text(env: Path, capsys) -> None:
    knowledge = Path(os.environ["DESK_KNOWLEDGE_DIR"])
    (knowledge / "notes [").mkdir()
    (knowledge / "notes [" / "x] draft.md").write_bytes(b"\x00\x01\x02" * 50)  # the path holds "[/x]"
    (knowledge / "[bold] notes.md").write_bytes(b"\x00\x01\x02" * 50)
    code = app.main(["ingest"])
    out = capsys.readouterr().out
    assert code == 3
    assert "notes [/x] draft.md" in out and "[bold] notes.md" in out


def test_configuration_and_a_missing_index_have_different_exit_codes(env: Path, capsys, monkeypatch) -> None:
    """A script can tell "run ingest" from "fix the settings" (both used to exit 2)."""
    assert exit_codes.CONFIG not in (exit_codes.OK, exit_codes.USAGE, exit_codes.NO_INDEX, exit_codes.PARTIAL,
                                     exit_codes.BUSY)
    no_index = one_line_exit(capsys, exit_codes.NO_INDEX, "ask", "who pays the arbitration fee?")
    assert "ingest" in no_index
    monkeypatch.setenv("DESK_RRF_K", "0")
    assert "DESK_RRF_K=0" in one_line_exit(capsys, exit_codes.CONFIG, "ask", "who pays the arbitration fee?")
