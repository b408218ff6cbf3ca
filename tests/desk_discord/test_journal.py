"""The Journal keeps questions, one vote per member per answer, gaps and admin actions, without names."""

from __future__ import annotations

import errno
import multiprocessing
import os
import sqlite3
import stat
from pathlib import Path

import pytest

from dispute_desk.journal import SALT_BYTES, Journal, JournalUnavailable, load_salt
from dispute_desk.models import Answer, Source

SOURCE = Source(1, "Mediation", "https://x.invalid/m", "3.1 What it is", "policy", 0.7, "Mediation is free.", ("F1",))


def answered(q: str = "What is mediation?") -> Answer:
    return Answer(q, True, "Mediation is free [1].", (SOURCE,))


def test_question_round_trip_keeps_sources_and_hashes_the_member(journal: Journal) -> None:
    qid = journal.record_question(answered(), user_id=1234567890, guild_id=1, channel_id=2, origin="slash")
    record = journal.question(qid)
    assert record is not None
    assert record.question == "What is mediation?" and record.answered and record.sources == (SOURCE,)
    assert "1234567890" not in record.user_hash
    assert journal.asked_by(record, 1234567890) and not journal.asked_by(record, 1234567891)
    with sqlite3.connect(journal.path) as db:
        dump = "\n".join(db.iterdump())
    assert "1234567890" not in dump  # the member id itself is stored nowhere


def test_salt_persists_so_hashes_are_stable_across_restarts(journal: Journal, bot_settings) -> None:
    first = journal.user_hash(99)
    again = Journal.open(bot_settings.database_path)
    try:
        assert again.user_hash(99) == first
    finally:
        again.close()
    other = Journal(bot_settings.data_dir / "other.sqlite3", b"another-salt-16-bytes")
    try:
        assert other.user_hash(99) != first
    finally:
        other.close()


def test_one_vote_per_member_per_answer(journal: Journal) -> None:
    qid = journal.record_question(answered(), user_id=1, guild_id=1, channel_id=2)
    assert journal.vote(qid, 10, 1) == "new"
    assert journal.vote(qid, 10, 1) == "same"
    assert journal.vote(qid, 10, -1) == "changed"
    assert journal.vote(qid, 11, -1) == "new"
    assert journal.votes(qid) == (0, 2)


def test_thread_question_is_the_first_question_in_that_thread(journal: Journal) -> None:
    journal.record_question(answered("first"), user_id=1, guild_id=1, channel_id=2, thread_id=77, origin="mention")
    journal.record_question(answered("follow"), user_id=1, guild_id=1, channel_id=77, thread_id=77, context="first")
    record = journal.thread_question(77)
    assert record is not None and record.question == "first"
    assert journal.thread_question(78) is None


def test_gaps_are_unanswered_or_downvoted_newest_first(journal: Journal) -> None:
    good = journal.record_question(answered("good one"), user_id=1, guild_id=1, channel_id=2)
    weak = journal.record_question(
        Answer("weird one", False, "", reason="weak_evidence"), user_id=1, guild_id=1, channel_id=2
    )
    journal.record_question(Answer("", False, "", reason="empty"), user_id=1, guild_id=1, channel_id=2)
    journal.record_question(
        Answer("other guild", False, "", reason="weak_evidence"), user_id=1, guild_id=9, channel_id=2
    )
    bad = journal.record_question(answered("wrong one"), user_id=1, guild_id=1, channel_id=2)
    journal.vote(bad, 5, -1)
    journal.vote(good, 5, 1)
    gaps = journal.gaps(guild_id=1)
    assert [(g.question_id, g.question, g.downvotes) for g in gaps] == [(bad, "wrong one", 1), (weak, "weird one", 0)]


def test_escalation_is_recorded_once(journal: Journal) -> None:
    qid = journal.record_question(answered(), user_id=1, guild_id=1, channel_id=2)
    assert journal.mark_escalated(qid, 1) is True
    assert journal.mark_escalated(qid, 2) is False
    assert journal.is_escalated(qid)
    journal.unmark_escalated(qid)
    assert not journal.is_escalated(qid)


def test_admin_actions_keep_who_what_when(journal: Journal) -> None:
    journal.log_action(actor_id=42, actor_name="Mod Mo", action="reindex", detail="7 files", guild_id=1)
    journal.log_action(actor_id=43, actor_name="Mod Al", action="kb add", detail="x.md", guild_id=1, ok=False)
    latest = journal.actions(limit=1)[0]
    assert (latest.actor_id, latest.actor_name, latest.action, latest.ok) == (43, "Mod Al", "kb add", False)
    assert latest.created_at.endswith("+00:00")
    assert [a.detail for a in journal.actions(action="reindex")] == ["7 files"]


def _start_together(root: str, rounds: int, barrier, results) -> None:
    """One process of the race: in every round, open the journal secret at the same moment as the others."""
    for number in range(rounds):
        barrier.wait()
        try:
            results.put((number, load_salt(Path(root) / str(number) / "journal.salt").hex()))
        except Exception as exc:
            results.put((number, f"{type(exc).__name__}: {exc}"))


@pytest.mark.subprocess
def test_processes_starting_together_share_one_complete_secret(tmp_path: Path) -> None:
    processes, rounds = 4, 60
    context = multiprocessing.get_context("spawn")  # fresh interpreters, as separate bot processes would be
    barrier, results = context.Barrier(processes), context.Queue()
    workers = [
        context.Process(target=_start_together, args=(str(tmp_path), rounds, barrier, results))
        for _ in range(processes)
    ]
    for worker in workers:
        worker.start()
    outcomes: dict[int, list[str]] = {}
    for _ in range(processes * rounds):
        number, outcome = results.get(timeout=60)
        outcomes.setdefault(number, []).append(outcome)
    for worker in workers:
        worker.join(10)
    problems = {n: o for n, o in outcomes.items() if len(set(o)) != 1 or len(o[0]) != 2 * SALT_BYTES}
    assert not problems, f"{len(problems)} of {rounds} rounds went wrong, e.g. {next(iter(problems.values()))}"
    for number in range(rounds):
        secret = tmp_path / str(number) / "journal.salt"
        assert stat.S_IMODE(secret.stat().st_mode) == 0o600
        assert [p.name for p in secret.parent.iterdir()] == ["journal.salt"]  # no temporary files left


def test_a_full_disk_at_first_start_leaves_no_empty_secret(tmp_path: Path, monkeypatch) -> None:
    path = tmp_path / "data" / "journal.salt"
    real_fsync = os.fsync

    def disk_full(fd: int) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(JournalUnavailable, match="No space left on device"):
        Journal.open(tmp_path / "data" / "desk.sqlite3")
    assert not path.exists() and list(path.parent.iterdir()) == []
    monkeypatch.setattr(os, "fsync", real_fsync)
    journal = Journal.open(tmp_path / "data" / "desk.sqlite3")  # the next start creates a good one
    journal.close()
    assert len(bytes.fromhex(path.read_text(encoding="ascii"))) == SALT_BYTES


@pytest.mark.parametrize(("content", "problem"), [("", "is empty"), ("\n", "is empty"), ("zz" * 16, "not hex"),
                                                   ("ab" * 8, "too short")])
def test_an_empty_or_malformed_secret_is_refused_not_used(tmp_path: Path, content: str, problem: str) -> None:
    (tmp_path / "journal.salt").write_text(content, encoding="ascii")
    with pytest.raises(JournalUnavailable, match=problem) as refused:
        Journal.open(tmp_path / "desk.sqlite3")
    assert "journal.salt" in str(refused.value) and "backup" in str(refused.value)
    assert not (tmp_path / "desk.sqlite3").exists()


def test_the_secret_can_come_from_the_environment_and_keeps_existing_hashes(tmp_path: Path) -> None:
    beside = Journal.open(tmp_path / "a" / "desk.sqlite3")
    moved = (tmp_path / "a" / "journal.salt").read_text(encoding="ascii")
    kept_apart = Journal.open(tmp_path / "b" / "desk.sqlite3", secret=moved)  # DESK_HASH_SECRET=<that text>
    try:
        assert kept_apart.user_hash(1234) == beside.user_hash(1234)
        assert not (tmp_path / "b" / "journal.salt").exists()  # nothing written beside the database
    finally:
        beside.close()
        kept_apart.close()
    with pytest.raises(JournalUnavailable, match="DESK_HASH_SECRET is empty"):
        Journal.open(tmp_path / "c" / "desk.sqlite3", secret="  ")


def test_an_empty_salt_is_never_used_for_hashing(tmp_path: Path) -> None:
    with pytest.raises(JournalUnavailable):
        Journal(tmp_path / "desk.sqlite3", b"")
