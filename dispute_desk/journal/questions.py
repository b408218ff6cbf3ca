"""Questions and answers, votes, escalations and the knowledge gaps they reveal."""

from __future__ import annotations

import json
import sqlite3
from typing import Any

from dispute_desk.journal.connection import JournalConnection
from dispute_desk.journal.records import NOT_GAPS, Gap, QuestionRecord, VoteOutcome, source_from_json, source_json
from dispute_desk.models import Answer
from dispute_desk.privacy import redact


class QuestionLog(JournalConnection):
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
        sources = json.dumps([source_json(s) for s in answer.sources])
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
        data["sources"] = tuple(source_from_json(s) for s in json.loads(data["sources"]))
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
