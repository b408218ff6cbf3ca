"""What the front ends remember: questions and answers, votes, escalations and moderators' actions.

An embedded SQLite database next to the index (``settings.database_path``). Members are never stored by
name: their id is hashed with a random secret (``DESK_HASH_SECRET``, or ``journal.salt`` created in the data
dir on first use), so votes can be counted once per person without keeping who they are. Admin actions do
keep who acted (id and display name): that is their point.

Thread-safe (one connection behind a lock); every call is short, but front ends on an event loop still call
it through ``asyncio.to_thread``.
"""

from __future__ import annotations

from pathlib import Path

from dispute_desk.journal.activity import ActivityLog
from dispute_desk.journal.questions import QuestionLog
from dispute_desk.journal.records import AdminAction, ClaimOutcome, Gap, QuestionRecord, VoteOutcome
from dispute_desk.journal.schema import SCHEMA_VERSION
from dispute_desk.journal.secret import (
    MIN_SECRET_BYTES,
    SALT_BYTES,
    SECRET_ENV,
    JournalUnavailable,
    load_salt,
    parse_secret,
)

__all__ = [
    "MIN_SECRET_BYTES",
    "SALT_BYTES",
    "SCHEMA_VERSION",
    "SECRET_ENV",
    "AdminAction",
    "ClaimOutcome",
    "Gap",
    "Journal",
    "JournalUnavailable",
    "QuestionRecord",
    "VoteOutcome",
    "load_salt",
    "parse_secret",
]


class Journal(QuestionLog, ActivityLog):
    """The journal: questions, votes and escalations (``QuestionLog``), moderators' actions and the first
    responder's bookkeeping (``ActivityLog``), over one migrated SQLite connection.
    """

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
