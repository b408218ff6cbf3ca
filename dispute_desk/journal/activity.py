"""Moderators' actions and the first responder's bookkeeping in watched help channels."""

from __future__ import annotations

from typing import Any

from dispute_desk.journal.connection import JournalConnection
from dispute_desk.journal.records import AdminAction, ClaimOutcome


class ActivityLog(JournalConnection):
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
