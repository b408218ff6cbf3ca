"""The journal's tables and the migrations that build them, one step per schema version.

The version lives in SQLite's ``user_version``. Opening a journal reads it and applies the missing steps in
order, each in its own transaction, so a database from any earlier release ends at ``SCHEMA_VERSION`` with its
rows kept. A database written by a newer release is refused rather than guessed at.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

# MIGRATIONS[n] takes a database from version n to version n + 1. Append new steps; never edit a released one.
MIGRATIONS: tuple[str, ...] = (
    # 1: questions, votes, escalations and moderators' actions.
    """
CREATE TABLE IF NOT EXISTS questions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    guild_id INTEGER,
    channel_id INTEGER,
    thread_id INTEGER,
    user_hash TEXT NOT NULL,
    origin TEXT NOT NULL,
    private INTEGER NOT NULL DEFAULT 0,
    question TEXT NOT NULL,
    context TEXT,
    answered INTEGER NOT NULL,
    reason TEXT NOT NULL,
    answer TEXT NOT NULL,
    sources TEXT NOT NULL,
    latency_ms REAL NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS questions_thread ON questions (thread_id, id);
CREATE TABLE IF NOT EXISTS votes (
    question_id INTEGER NOT NULL REFERENCES questions (id),
    user_hash TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value IN (-1, 1)),
    created_at TEXT NOT NULL,
    PRIMARY KEY (question_id, user_hash)
);
CREATE TABLE IF NOT EXISTS escalations (
    question_id INTEGER PRIMARY KEY REFERENCES questions (id),
    user_hash TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS admin_actions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    created_at TEXT NOT NULL,
    guild_id INTEGER,
    actor_id INTEGER NOT NULL,
    actor_name TEXT NOT NULL,
    action TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    ok INTEGER NOT NULL DEFAULT 1
);
""",
    # 2: the first responder in watched help channels. Releases before migrations existed created these tables
    # on every open while still writing version 1, hence IF NOT EXISTS.
    """
CREATE TABLE IF NOT EXISTS watched_channels (
    channel_id INTEGER PRIMARY KEY,
    guild_id INTEGER,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS first_responses (
    post_id INTEGER PRIMARY KEY,
    channel_id INTEGER NOT NULL,
    thread_id INTEGER,
    day TEXT NOT NULL,
    created_at TEXT NOT NULL,
    outcome TEXT NOT NULL DEFAULT 'pending'
);
CREATE INDEX IF NOT EXISTS first_responses_day ON first_responses (channel_id, day);
CREATE TABLE IF NOT EXISTS silenced_threads (
    thread_id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL
);
""",
)
SCHEMA_VERSION = len(MIGRATIONS)


class SchemaTooNew(Exception):
    """The database was written by a newer release of the desk; ``str(exc)`` says what to do."""


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, path: Path) -> int:
    """Bring the database at ``path`` to ``SCHEMA_VERSION`` step by step; return the version it had.

    ``db`` must be in autocommit mode (``isolation_level=None``): each step is one transaction. Statements are
    split on ``;``, so a migration must not use one inside a string.
    """
    found = schema_version(db)
    if found > SCHEMA_VERSION:
        raise SchemaTooNew(
            f"the journal database {path} has schema version {found}, newer than the {SCHEMA_VERSION} this release "
            "knows: it was written by a newer release of the desk. Run that release, or move the file aside to "
            "start a new journal"
        )
    for version in range(found, SCHEMA_VERSION):
        db.execute("BEGIN IMMEDIATE")  # one writer at a time: processes opening the journal together take turns
        try:
            if schema_version(db) == version:  # else another process took this step meanwhile
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        db.execute(statement)
                db.execute(f"PRAGMA user_version = {version + 1}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
    return found
