"""What the front ends remember: questions and answers, votes, escalations and moderators' actions.

An embedded SQLite database next to the index (``settings.database_path``). Members are never stored by
name: their id is hashed with a random secret (``DESK_HASH_SECRET``, or ``journal.salt`` created in the data
dir on first use), so votes can be counted once per person without keeping who they are. Admin actions do
keep who acted (id and display name): that is their point.

Thread-safe (one connection behind a lock); every call is short, but front ends on an event loop still call
it through ``asyncio.to_thread``.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sqlite3
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from dispute_desk.models import Answer, Source
from dispute_desk.privacy import redact

SCHEMA_VERSION = 1
SCHEMA = """
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
"""
# The first responder in watched help channels (added later: created on open in older databases too).
SCHEMA_WATCH = """
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
"""
ClaimOutcome = Literal["claimed", "seen", "limit"]
# Reasons that say nothing about the knowledge base (nothing for moderators to fill).
NOT_GAPS = ("empty", "too_long")

VoteOutcome = Literal["new", "changed", "same"]


@dataclass(frozen=True)
class QuestionRecord:
    id: int
    created_at: str
    guild_id: int | None
    channel_id: int | None
    thread_id: int | None
    user_hash: str
    origin: str
    private: bool
    question: str
    context: str | None
    answered: bool
    reason: str
    answer: str
    sources: tuple[Source, ...]


@dataclass(frozen=True)
class Gap:
    question_id: int
    created_at: str
    question: str
    reason: str
    answered: bool
    downvotes: int
    private: bool = False  # asked ephemerally: moderators are told a gap exists, not what was asked


@dataclass(frozen=True)
class AdminAction:
    id: int
    created_at: str
    guild_id: int | None
    actor_id: int
    actor_name: str
    action: str
    detail: str
    ok: bool


def _utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


SALT_BYTES = 32  # a new secret: 256 random bits
MIN_SECRET_BYTES = 16  # refuse anything shorter: a short salt makes member ids guessable again
SECRET_ENV = "DESK_HASH_SECRET"


class JournalUnavailable(Exception):
    """The journal cannot be used as configured (damaged database, bad secret); ``str(exc)`` says how to fix it."""


def parse_secret(text: str, *, origin: str) -> bytes:
    """Turn the hex text of a hashing secret into bytes, refusing empty, non-hex or short values."""
    value = text.strip()
    try:
        secret = bytes.fromhex(value)
    except ValueError:
        secret = b""
        problem = "is not hexadecimal"
    else:
        problem = "is empty" if not value else f"is too short ({len(secret)} bytes)"
    if len(secret) >= MIN_SECRET_BYTES:
        return secret
    raise JournalUnavailable(
        f"the member-id hashing secret {origin} {problem}; it must be at least {2 * MIN_SECRET_BYTES} hex "
        f"digits (e.g. `python -c \"import secrets; print(secrets.token_hex(32))\"`). "
        "Restore the original from a backup: a new secret makes earlier votes and follow-ups unrecognisable"
    )


def load_salt(path: Path) -> bytes:
    """Load the secret that salts member-id hashes from ``path``, creating it the first time.

    A new secret is written to a private temporary file (0600), flushed to disk, then linked into place,
    which fails if another process got there first: the file is either absent or complete, never empty or
    half-written, and every process starting at once ends up with the one secret that won. An existing empty
    or malformed file is refused (``JournalUnavailable``), never silently used.
    """
    try:
        return parse_secret(path.read_text(encoding="ascii"), origin=f"in {path}")
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError) as exc:
        raise JournalUnavailable(f"cannot read the member-id hashing secret {path}: {exc}") from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        _create_secret(path)
    except OSError as exc:
        raise JournalUnavailable(
            f"cannot create the member-id hashing secret {path} ({exc}); free some space or fix the "
            f"permissions of {path.parent}, or set {SECRET_ENV}"
        ) from exc
    return parse_secret(path.read_text(encoding="ascii"), origin=f"in {path}")


def _create_secret(path: Path) -> None:
    """Write a new random secret to ``path`` unless one appeared meanwhile (see ``load_salt``)."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}-", suffix=".tmp")  # mode 0600
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(os.urandom(SALT_BYTES).hex())
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: its secret is the one
            os.link(tmp, path)  # atomic, and never replaces an existing secret
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp)


def _source_json(source: Source) -> dict[str, Any]:
    data = source.to_json()
    data["number"] = source.number
    data["facts"] = list(source.facts)
    if source.as_of:
        data["as_of"] = source.as_of
    return data


def _source_from_json(data: dict[str, Any]) -> Source:
    return Source(
        number=int(data.get("number", 0)),
        title=str(data.get("title", "")),
        url=data.get("url"),
        section=data.get("section"),
        kind=str(data.get("kind", "other")),
        score=float(data.get("score", 0.0)),
        text=str(data.get("text", "")),
        facts=tuple(data.get("facts", ())),
        as_of=data.get("as_of"),
    )


class Journal:
    def __init__(self, path: Path, salt: bytes, *, clock: Callable[[], str] = _utc_now) -> None:
        if len(salt) < MIN_SECRET_BYTES:  # an empty salt would store the plain, reversible SHA-256 of the id
            raise JournalUnavailable(f"the member-id hashing secret must be at least {MIN_SECRET_BYTES} bytes")
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self._salt = salt
        self._clock = clock
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except sqlite3.Error as exc:
            raise JournalUnavailable(f"cannot open the journal database {path} ({exc})") from exc
        self._db.row_factory = sqlite3.Row
        try:
            with self._lock:
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA foreign_keys=ON")
                self._db.executescript(SCHEMA)
                self._db.executescript(SCHEMA_WATCH)
                self._db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise JournalUnavailable(
                f"the journal database {path} cannot be used ({exc}); restore it from a backup, or move it "
                "aside to start a new one (earlier questions, votes and gaps stay in the old file)"
            ) from exc

    @classmethod
    def open(cls, path: Path, *, salt_path: Path | None = None, secret: str | None = None) -> Journal:
        """Open (or create) the journal at ``path``.

        Member ids are hashed with ``secret`` (hex, from ``DESK_HASH_SECRET``) when given, else with the
        secret in ``salt_path`` (default: ``journal.salt`` beside the database), created on first use.
        """
        if secret is not None:
            salt = parse_secret(secret, origin=f"in {SECRET_ENV}")
        else:
            salt = load_salt(salt_path or path.with_name("journal.salt"))
        return cls(path, salt)

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def user_hash(self, user_id: int) -> str:
        return hashlib.sha256(self._salt + str(user_id).encode()).hexdigest()[:32]

    def _execute(self, sql: str, params: tuple[Any, ...] = ()) -> sqlite3.Cursor:
        with self._lock:
            return self._db.execute(sql, params)

    def _query(self, sql: str, params: tuple[Any, ...] = ()) -> list[sqlite3.Row]:
        with self._lock:
            return self._db.execute(sql, params).fetchall()

    # Questions -------------------------------------------------------------------------------------------
    def record_question(
        self,
        answer: Answer,
        *,
        user_id: int,
        guild_id: int | None,
        channel_id: int | None,
        thread_id: int | None = None,
        context: str | None = None,
        private: bool = False,
        origin: str = "slash",
    ) -> int:
        """Store one answered (or not answered) question; returns its id (used in the buttons)."""
        sources = json.dumps([_source_json(s) for s in answer.sources])
        question, context = redact(answer.question), redact(context) if context else context  # never stored
        cursor = self._execute(
            "INSERT INTO questions (created_at, guild_id, channel_id, thread_id, user_hash, origin, private,"
            " question, context, answered, reason, answer, sources, latency_ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                self._clock(),
                guild_id,
                channel_id,
                thread_id,
                self.user_hash(user_id),
                origin,
                int(private),
                question,
                context,
                int(answer.answered),
                answer.reason,
                answer.text,
                sources,
                answer.latency_ms,
            ),
        )
        return int(cursor.lastrowid or 0)

    def question(self, question_id: int) -> QuestionRecord | None:
        rows = self._query("SELECT * FROM questions WHERE id = ?", (question_id,))
        return self._record(rows[0]) if rows else None

    def thread_question(self, thread_id: int) -> QuestionRecord | None:
        """Return the first question answered in a thread: the context for follow-ups asked there."""
        rows = self._query("SELECT * FROM questions WHERE thread_id = ? ORDER BY id LIMIT 1", (thread_id,))
        return self._record(rows[0]) if rows else None

    @staticmethod
    def _record(row: sqlite3.Row) -> QuestionRecord:
        data = {key: row[key] for key in row.keys() if key != "latency_ms"}  # noqa: SIM118 - sqlite3.Row
        data.update(private=bool(data["private"]), answered=bool(data["answered"]))
        data["sources"] = tuple(_source_from_json(s) for s in json.loads(data["sources"]))
        return QuestionRecord(**data)

    def asked_by(self, record: QuestionRecord, user_id: int) -> bool:
        return record.user_hash == self.user_hash(user_id)

    # Votes and escalations ---------------------------------------------------------------------------------
    def vote(self, question_id: int, user_id: int, value: int) -> VoteOutcome:
        """Record a vote: one per member per answer.

        A second press of the same button changes nothing; the other button changes the vote.
        """
        if value not in (-1, 1):
            raise ValueError("a vote is +1 or -1")
        who = self.user_hash(user_id)
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM votes WHERE question_id = ? AND user_hash = ?", (question_id, who)
            ).fetchone()
            if row is not None and row["value"] == value:
                return "same"
            self._db.execute(
                "INSERT INTO votes (question_id, user_hash, value, created_at) VALUES (?, ?, ?, ?)"
                " ON CONFLICT (question_id, user_hash) DO UPDATE SET value = excluded.value,"
                " created_at = excluded.created_at",
                (question_id, who, value, self._clock()),
            )
        return "new" if row is None else "changed"

    def votes(self, question_id: int) -> tuple[int, int]:
        """(thumbs up, thumbs down) for one answer."""
        rows = self._query(
            "SELECT SUM(value = 1) AS up, SUM(value = -1) AS down FROM votes WHERE question_id = ?",
            (question_id,),
        )
        return int(rows[0]["up"] or 0), int(rows[0]["down"] or 0)

    def mark_escalated(self, question_id: int, user_id: int) -> bool:
        """Record that moderators were called for this answer; False if they already were (ping once)."""
        cursor = self._execute(
            "INSERT OR IGNORE INTO escalations (question_id, user_hash, created_at) VALUES (?, ?, ?)",
            (question_id, self.user_hash(user_id), self._clock()),
        )
        return cursor.rowcount == 1

    def unmark_escalated(self, question_id: int) -> None:
        """Undo ``mark_escalated`` when the ping could not be sent."""
        self._execute("DELETE FROM escalations WHERE question_id = ?", (question_id,))

    def is_escalated(self, question_id: int) -> bool:
        return bool(self._query("SELECT 1 FROM escalations WHERE question_id = ?", (question_id,)))

    def gaps(self, *, guild_id: int | None = None, limit: int = 10) -> list[Gap]:
        """Return the most recent questions the bot could not answer or that got a thumbs down, newest first."""
        where = "WHERE (q.answered = 0 OR d.down > 0) AND q.reason NOT IN ({})".format(", ".join("?" for _ in NOT_GAPS))
        params: list[Any] = list(NOT_GAPS)
        if guild_id is not None:
            where += " AND q.guild_id = ?"
            params.append(guild_id)
        rows = self._query(
            "SELECT q.id, q.created_at, q.question, q.reason, q.answered, q.private, COALESCE(d.down, 0) AS down"
            " FROM questions q LEFT JOIN (SELECT question_id, COUNT(*) AS down FROM votes WHERE value = -1"
            f" GROUP BY question_id) d ON d.question_id = q.id {where} ORDER BY q.id DESC LIMIT ?",
            (*params, limit),
        )
        return [
            Gap(
                r["id"], r["created_at"], r["question"], r["reason"], bool(r["answered"]), int(r["down"]),
                private=bool(r["private"]),
            )
            for r in rows
        ]

    # Admin actions -----------------------------------------------------------------------------------------
    def log_action(
        self,
        *,
        actor_id: int,
        actor_name: str,
        action: str,
        detail: str = "",
        guild_id: int | None = None,
        ok: bool = True,
    ) -> AdminAction:
        created = self._clock()
        cursor = self._execute(
            "INSERT INTO admin_actions (created_at, guild_id, actor_id, actor_name, action, detail, ok)"
            " VALUES (?, ?, ?, ?, ?, ?, ?)",
            (created, guild_id, actor_id, actor_name, action, detail, int(ok)),
        )
        return AdminAction(int(cursor.lastrowid or 0), created, guild_id, actor_id, actor_name, action, detail, ok)

    def actions(self, *, action: str | None = None, limit: int = 20) -> list[AdminAction]:
        sql = "SELECT * FROM admin_actions"
        params: tuple[Any, ...] = ()
        if action is not None:
            sql += " WHERE action = ?"
            params = (action,)
        rows = self._query(f"{sql} ORDER BY id DESC LIMIT ?", (*params, limit))
        return [AdminAction(**{**dict(row), "ok": bool(row["ok"])}) for row in rows]

    # First responder in watched channels --------------------------------------------------------------------
    def watch(self, channel_id: int, guild_id: int | None) -> bool:
        """Start watching a channel; False if it already was."""
        cursor = self._execute(
            "INSERT OR IGNORE INTO watched_channels (channel_id, guild_id, created_at) VALUES (?, ?, ?)",
            (channel_id, guild_id, self._clock()),
        )
        return cursor.rowcount == 1

    def unwatch(self, channel_id: int) -> bool:
        """Stop watching a channel; False if it was not watched."""
        return self._execute("DELETE FROM watched_channels WHERE channel_id = ?", (channel_id,)).rowcount == 1

    def watched(self, guild_id: int | None = None) -> list[int]:
        """Watched channel ids (of one server when ``guild_id`` is given), in the order they were added."""
        if guild_id is None:
            rows = self._query("SELECT channel_id FROM watched_channels ORDER BY created_at, channel_id")
        else:
            rows = self._query(
                "SELECT channel_id FROM watched_channels WHERE guild_id = ? ORDER BY created_at, channel_id",
                (guild_id,),
            )
        return [int(r["channel_id"]) for r in rows]

    def claim_post(self, post_id: int, channel_id: int, *, daily_limit: int) -> ClaimOutcome:
        """Take a post for a first response, once: "seen" if it was taken before (also by an earlier run),
        "limit" if the channel already had ``daily_limit`` posts today (UTC), else "claimed".
        """
        now = self._clock()
        day = now[:10]
        with self._lock:
            if self._db.execute("SELECT 1 FROM first_responses WHERE post_id = ?", (post_id,)).fetchone():
                return "seen"
            row = self._db.execute(
                "SELECT COUNT(*) AS n FROM first_responses WHERE channel_id = ? AND day = ?", (channel_id, day)
            ).fetchone()
            if int(row["n"]) >= daily_limit:
                return "limit"
            self._db.execute(
                "INSERT INTO first_responses (post_id, channel_id, day, created_at) VALUES (?, ?, ?, ?)",
                (post_id, channel_id, day, now),
            )
        return "claimed"

    def settle_post(self, post_id: int, outcome: str, thread_id: int | None = None) -> None:
        """Record what the first response was (answered, tagged, private, failed) and in which thread."""
        self._execute(
            "UPDATE first_responses SET outcome = ?, thread_id = COALESCE(?, thread_id) WHERE post_id = ?",
            (outcome, thread_id, post_id),
        )

    def post_outcome(self, post_id: int) -> str | None:
        rows = self._query("SELECT outcome FROM first_responses WHERE post_id = ?", (post_id,))
        return str(rows[0]["outcome"]) if rows else None

    def silence_thread(self, thread_id: int) -> bool:
        """A moderator or helper replied in this thread: the bot answers there no more. False if already so."""
        cursor = self._execute(
            "INSERT OR IGNORE INTO silenced_threads (thread_id, created_at) VALUES (?, ?)", (thread_id, self._clock())
        )
        return cursor.rowcount == 1

    def is_silenced(self, thread_id: int) -> bool:
        return bool(self._query("SELECT 1 FROM silenced_threads WHERE thread_id = ?", (thread_id,)))
