"""The reindex guard: a change that breaks answers is refused (live index unchanged), --force switches anyway,
a harmless change switches, and the summary and report name the policy sections and the regressed questions.

Plumbing runs use the HashingEmbedder with a small question file of their own (the project's eval is only
used with the real model); one slow test runs the real model on the bundled knowledge.
"""

from __future__ import annotations

import json

import pytest
from tiny_knowledge import ESCROW_WITHOUT_REVIEW, TINY_CHARGEBACKS

from dispute_desk.store import ChunkStore
from ingest.guard import guard_applies
from ingest.pipeline import SwitchRefused, run_ingest

QUESTIONS = [
    {"id": "q-review", "question": "How many days does the client have to review submitted work before escrow "
     "is released automatically?", "facts": ["F06"], "answerable": True},
    {"id": "q-fund", "question": "Must the client fund a milestone into escrow before I start?",
     "facts": ["F01"], "answerable": True},
    {"id": "q-arb", "question": "Who pays the arbitration fee, the freelancer or the client?",
     "facts": ["F27"], "answerable": True},
]



@pytest.fixture
def guarded(settings, tmp_path):
    questions = tmp_path / "questions.jsonl"
    questions.write_text("\n".join(json.dumps(q) for q in QUESTIONS) + "\n", encoding="utf-8")
    return settings.updated({"reindex_questions": questions, "min_evidence": 0.0})


@pytest.fixture
def indexed(guarded, tiny_knowledge, embedder):
    first = run_ingest(guarded, [tiny_knowledge], embedder=embedder)
    assert first.guard is None  # nothing live to compare with yet
    return first


def pointer_of(settings):
    return ChunkStore(settings).pointer().collection


def last_report(settings) -> dict:
    return json.loads((settings.reports_dir / "last-ingest.json").read_text(encoding="utf-8"))


def test_a_change_that_breaks_answers_is_refused_and_names_the_questions(guarded, tiny_knowledge, embedder,
                                                                           indexed):
    before = pointer_of(guarded)
    (tiny_knowledge / "policy" / "01-escrow.md").write_text(ESCROW_WITHOUT_REVIEW, encoding="utf-8")
    with pytest.raises(SwitchRefused) as refused:
        run_ingest(guarded, [tiny_knowledge], embedder=embedder)
    assert "q-review" in str(refused.value) and "--force" in str(refused.value)
    assert pointer_of(guarded) == before  # the live index still serves
    assert ChunkStore(guarded).live("hashing").count() == 3
    assert [n for n in ChunkStore(guarded).collection_names() if n != before] == []  # staged copy dropped
    summary = refused.value.summary
    assert [(s.section, s.change) for s in summary.sections] == [("1.2 The review period", "removed")]
    report = last_report(guarded)
    assert report["guard"]["switched"] is False
    assert report["guard"]["before"]["answer_fact_rate"] > report["guard"]["after"]["answer_fact_rate"]
    assert [(r["id"], r["question"]) for r in report["guard"]["regressed"]] == [("q-review", QUESTIONS[0]["question"])]
    assert report["refused"]


def test_force_switches_anyway_and_says_it_was_forced(guarded, tiny_knowledge, embedder, indexed):
    before = pointer_of(guarded)
    (tiny_knowledge / "policy" / "01-escrow.md").write_text(ESCROW_WITHOUT_REVIEW, encoding="utf-8")
    summary = run_ingest(guarded, [tiny_knowledge], embedder=embedder, force=True)
    assert pointer_of(guarded) == summary.collection != before
    assert ChunkStore(guarded).live("hashing").count() == 2
    assert summary.guard["passed"] is False and summary.guard["forced"] is True
    assert summary.guard["regressed"][0]["id"] == "q-review"


def test_a_harmless_change_switches_and_lists_the_added_section(guarded, tiny_knowledge, embedder, indexed):
    before = pointer_of(guarded)
    (tiny_knowledge / "policy" / "08-chargebacks.md").write_text(TINY_CHARGEBACKS, encoding="utf-8")
    summary = run_ingest(guarded, [tiny_knowledge], embedder=embedder)
    assert summary.guard["passed"] is True and summary.guard["regressed"] == []
    assert pointer_of(guarded) == summary.collection != before
    assert ChunkStore(guarded).live("hashing").count() == 4
    assert [(s.source, s.section, s.change) for s in summary.sections] == [
        ("policy/08-chargebacks.md", "8.1 What a chargeback is", "added")]
    assert last_report(guarded)["guard"]["after"]["answer_fact_rate"] == 1.0
    # nothing changed: no guard run, no switch
    again = run_ingest(guarded, [tiny_knowledge], embedder=embedder)
    assert again.guard is None and pointer_of(guarded) == summary.collection


def test_a_rebuild_is_guarded_too(guarded, tiny_knowledge, embedder, indexed):
    before = pointer_of(guarded)
    (tiny_knowledge / "policy" / "01-escrow.md").write_text(ESCROW_WITHOUT_REVIEW, encoding="utf-8")
    with pytest.raises(SwitchRefused):
        run_ingest(guarded, [tiny_knowledge], embedder=embedder, rebuild=True)
    assert pointer_of(guarded) == before


def test_dry_run_lists_sections_without_running_the_guard(guarded, tiny_knowledge, embedder, indexed):
    (tiny_knowledge / "policy" / "01-escrow.md").write_text(ESCROW_WITHOUT_REVIEW, encoding="utf-8")
    summary = run_ingest(guarded, [tiny_knowledge], embedder=embedder, dry_run=True)
    assert summary.guard is None
    assert [(s.section, s.change) for s in summary.sections] == [("1.2 The review period", "removed")]


def test_guard_off_by_setting_and_for_hashing_on_the_project_eval(settings, guarded):
    assert guard_applies(guarded, "hashing")
    assert not guard_applies(guarded.updated({"reindex_guard": False}), "hashing")
    assert not guard_applies(settings, "hashing")  # the default question file means nothing to the hashing model
    assert guard_applies(settings, "sentence-transformers/all-MiniLM-L6-v2")
