"""The journal's SQLite connection: opened once, migrated to the current schema, shared behind a lock."""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

from dispute_desk.journal.records import utc_now
from dispute_desk.journal.schema import SchemaTooNew, migrate
from dispute_desk.journal.secret import MIN_SECRET_BYTES, JournalUnavailable


class JournalConnection:
    def __init__(self, path: Path, salt: bytes, *, clock: Callable[[], str] = utc_now) -> None:
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
                migrate(self._db, path)
        except SchemaTooNew as exc:
            self._db.close()
            raise JournalUnavailable(str(exc)) from exc
        except sqlite3.DatabaseError as exc:
            self._db.close()
            raise JournalUnavailable(
                f"the journal database {path} cannot be used ({exc}); restore it from a backup, or move it "
                "aside to start a new one (earlier questions, votes and gaps stay in the old file)"
            ) from exc

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
