"""The journal's first-responder records and the privacy guard's redaction, as stored on disk."""

from __future__ import annotations

import sqlite3

from dispute_desk.journal import Journal
from dispute_desk.journal.schema import MIGRATIONS
from dispute_desk.models import Answer


def test_an_older_database_gains_the_new_tables_and_keeps_its_questions(tmp_path) -> None:
    path = tmp_path / "desk.sqlite3"
    with sqlite3.connect(path) as db:  # a journal from before the first responder existed
        db.executescript(MIGRATIONS[0])
        db.execute(
            "INSERT INTO questions (created_at, user_hash, origin, question, answered, reason, answer, sources)"
            " VALUES ('2026-11-01T00:00:00+00:00', 'h', 'slash', 'old question', 1, 'answered', 'a', '[]')"
        )
    journal = Journal(path, b"0123456789abcdef0123456789abcdef")
    try:
        assert journal.question(1).question == "old question"
        assert journal.watch(42, 7) and not journal.watch(42, 7)
        assert journal.watched(7) == [42] and journal.watched(8) == []
        assert journal.claim_post(1001, 42, daily_limit=1) == "claimed"
        assert journal.claim_post(1001, 42, daily_limit=1) == "seen"
        assert journal.claim_post(1002, 42, daily_limit=1) == "limit"
        assert journal.silence_thread(1001) and journal.is_silenced(1001) and not journal.is_silenced(1002)
    finally:
        journal.close()


def test_questions_are_stored_with_personal_details_redacted(journal: Journal) -> None:
    question = "My client Jane Doe (jane@example.com, +1 415 555 0134) disputed contract 38291746"
    qid = journal.record_question(
        Answer(question, True, "See [1]."), user_id=1, guild_id=1, channel_id=2,
        context="earlier: offer #7731902 was funded", origin="mention",
    )
    record = journal.question(qid)
    assert record.question == "My client [client name] ([e-mail], [phone number]) disputed contract [contract id]"
    assert record.context == "earlier: offer #[contract id] was funded"
    with sqlite3.connect(journal.path) as db:
        dump = "\n".join(db.iterdump())
    for secret in ("Jane Doe", "jane@example.com", "415 555 0134", "38291746", "7731902"):
        assert secret not in dump
