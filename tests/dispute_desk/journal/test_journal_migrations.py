"""The journal reads its schema version on open: older databases are migrated step by step, newer ones refused."""

from __future__ import annotations

import sqlite3

import pytest

from dispute_desk.journal import SCHEMA_VERSION, Journal, JournalUnavailable
from dispute_desk.journal.schema import MIGRATIONS

SALT = b"0123456789abcdef0123456789abcdef"


def _version(path) -> int:
    with sqlite3.connect(path) as db:
        return int(db.execute("PRAGMA user_version").fetchone()[0])


def _tables(path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}


def test_a_version_1_journal_is_migrated_and_keeps_its_questions_and_votes(tmp_path) -> None:
    path = tmp_path / "desk.sqlite3"
    with sqlite3.connect(path) as db:  # what the release before the first responder wrote: version 1
        db.executescript(MIGRATIONS[0])
        db.execute(
            "INSERT INTO questions (created_at, user_hash, origin, question, answered, reason, answer, sources)"
            " VALUES ('2026-11-01T00:00:00+00:00', 'h', 'slash', 'who pays the fee?', 0, 'weak', '', '[]')"
        )
        db.execute("INSERT INTO votes VALUES (1, 'someone', -1, '2026-11-01T00:00:00+00:00')")
        db.execute("PRAGMA user_version = 1")
    assert "watched_channels" not in _tables(path)

    journal = Journal(path, SALT)
    try:
        assert _version(path) == SCHEMA_VERSION == 2
        assert journal.question(1).question == "who pays the fee?"
        assert journal.votes(1) == (0, 1)
        assert [gap.question for gap in journal.gaps()] == ["who pays the fee?"]
        assert journal.watch(42, 7) and journal.watched(7) == [42]  # the version-2 tables exist now
    finally:
        journal.close()

    again = Journal(path, SALT)  # opening a current database changes nothing
    try:
        assert _version(path) == SCHEMA_VERSION and again.watched(7) == [42] and again.votes(1) == (0, 1)
    finally:
        again.close()


def test_a_new_journal_is_created_at_the_current_version(tmp_path) -> None:
    path = tmp_path / "desk.sqlite3"
    Journal(path, SALT).close()
    assert _version(path) == SCHEMA_VERSION
    expected = {"questions", "votes", "escalations", "admin_actions", "watched_channels", "first_responses"}
    assert expected <= _tables(path)


def test_a_journal_from_a_newer_release_is_refused_and_left_untouched(tmp_path) -> None:
    path = tmp_path / "desk.sqlite3"
    with sqlite3.connect(path) as db:
        db.execute("CREATE TABLE future (x INTEGER)")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(JournalUnavailable, match=f"schema version {SCHEMA_VERSION + 1}, newer") as caught:
        Journal(path, SALT)
    assert "newer release" in str(caught.value)
    assert _version(path) == SCHEMA_VERSION + 1  # not downgraded ...
    assert _tables(path) == {"future"}  # ... and nothing of this release's schema written into it
