"""Ingest against a real Chroma on tmp_path (HashingEmbedder): incremental, scoped, atomic, single-flight."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from filelock import FileLock
from tiny_knowledge import TINY_CHARGEBACKS

from dispute_desk.desk import Desk
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.store import ChunkStore, IndexMissing
from ingest.pipeline import IngestBusy, IngestFailed, run_ingest


def store_of(settings) -> ChunkStore:
    return ChunkStore(settings)


def live(settings, model: str = "hashing"):
    return store_of(settings).live(model)


def sources_in(settings) -> dict[str, int]:
    counts: dict[str, int] = {}
    for source, _ in live(settings).manifest().values():
        counts[source] = counts.get(source, 0) + 1
    return counts


def answering_desk(settings, embedder) -> Desk:
    return Desk.open(settings.updated({"min_evidence": 0.0}), embedder=embedder)


@pytest.fixture
def escrow_file(tiny_knowledge: Path) -> Path:
    return tiny_knowledge / "policy" / "01-escrow.md"


@pytest.fixture
def arbitration_file(tiny_knowledge: Path) -> Path:
    return tiny_knowledge / "policy" / "02-arbitration.md"


@pytest.fixture
def indexed(settings, tiny_knowledge, counting_embedder):
    """The tiny knowledge base ingested once; returns the first run's summary."""
    return run_ingest(settings, [tiny_knowledge], embedder=counting_embedder())


# -- incremental runs ---------------------------------------------------------------------------------------


def test_first_run_adds_every_chunk(settings, tiny_knowledge, counting_embedder):
    embedder = counting_embedder()
    summary = run_ingest(settings, [tiny_knowledge], embedder=embedder)
    assert (summary.files, summary.chunks, summary.added, summary.updated, summary.removed) == (2, 3, 3, 0, 0)
    assert summary.ok and summary.errors == []
    assert len(embedder.embedded) == 3
    assert live(settings).count() == 3
    pointer = store_of(settings).pointer()
    assert (pointer.model, pointer.dimension, pointer.collection) == ("hashing", 64, summary.collection)


def test_second_run_with_nothing_changed_embeds_nothing(settings, tiny_knowledge, indexed, counting_embedder):
    embedder = counting_embedder()
    summary = run_ingest(settings, [tiny_knowledge], embedder=embedder)
    assert embedder.embedded == []
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 0, 0, 3)
    assert summary.collection == indexed.collection
    assert live(settings).count() == 3


def test_an_edited_section_is_the_only_chunk_re_embedded(
    settings, tiny_knowledge, escrow_file, indexed, counting_embedder
):
    escrow_file.write_text(escrow_file.read_text().replace("has 14 days", "has 10 days"), encoding="utf-8")
    embedder = counting_embedder()
    summary = run_ingest(settings, [tiny_knowledge], embedder=embedder)
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (0, 1, 0, 2)
    assert len(embedder.embedded) == 1 and "has 10 days" in embedder.embedded[0]
    texts = [c.text for c in live(settings).iter_chunks()]
    assert len(texts) == 3
    assert any("has 10 days" in t for t in texts) and not any("has 14 days" in t for t in texts)
    answer = answering_desk(settings, HashingEmbedder()).ask(
        "How many days does the client have to review it?"
    )
    assert "10 days" in answer.text


def test_a_new_file_is_added_without_touching_the_rest(settings, tiny_knowledge, indexed, counting_embedder):
    (tiny_knowledge / "policy" / "08-chargebacks.md").write_text(TINY_CHARGEBACKS, encoding="utf-8")
    embedder = counting_embedder()
    summary = run_ingest(settings, [tiny_knowledge], embedder=embedder)
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 0, 0, 3)
    assert len(embedder.embedded) == 1
    assert live(settings).count() == 4


def test_a_removed_file_loses_its_chunks_when_its_folder_is_ingested_again(
    settings, tiny_knowledge, arbitration_file, indexed
):
    arbitration_file.unlink()
    summary = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert summary.removed == 1
    assert "policy/02-arbitration.md" not in sources_in(settings)
    assert live(settings).count() == 2
    answer = answering_desk(settings, HashingEmbedder()).ask("Who pays for arbitration?")
    assert all(s.title != "Arbitration fees" for s in answer.sources)


def test_a_removed_file_stays_indexed_until_its_folder_is_ingested(
    settings, tiny_knowledge, arbitration_file, escrow_file, indexed
):
    arbitration_file.unlink()
    summary = run_ingest(settings, [escrow_file], embedder=HashingEmbedder())  # just one file, not the folder
    assert summary.removed == 0
    assert live(settings).count() == 3


def test_ingesting_folder_b_never_removes_folder_a(settings, tiny_knowledge, indexed, tmp_path):
    folder_b = tmp_path / "uploads"
    folder_b.mkdir()
    (folder_b / "chargebacks.md").write_text(TINY_CHARGEBACKS, encoding="utf-8")
    (folder_b / "notes.txt").write_text(
        "Keep every message with the client on the platform.\n", encoding="utf-8"
    )

    summary = run_ingest(settings, [folder_b], embedder=HashingEmbedder())
    assert (summary.added, summary.removed) == (2, 0)
    assert live(settings).count() == 5

    (folder_b / "notes.txt").unlink()
    summary = run_ingest(settings, [folder_b], embedder=HashingEmbedder())
    assert summary.removed == 1
    counts = sources_in(settings)
    assert counts == {
        "policy/01-escrow.md": 2,  # files in the knowledge folder: named relative to it
        "policy/02-arbitration.md": 1,
        str(folder_b / "chargebacks.md"): 1,
    }


def test_a_folder_with_a_similar_name_is_not_in_scope(settings, tmp_path):
    a, b = tmp_path / "docs", tmp_path / "docs-old"
    a.mkdir()
    b.mkdir()
    (a / "one.md").write_text(TINY_CHARGEBACKS, encoding="utf-8")
    (b / "two.md").write_text(TINY_CHARGEBACKS.replace("Chargebacks", "Old chargebacks"), encoding="utf-8")
    run_ingest(settings, [a, b], embedder=HashingEmbedder())
    (a / "one.md").unlink()
    summary = run_ingest(settings, [a], embedder=HashingEmbedder(), allow_mass_delete=True)
    assert summary.removed == 1
    assert list(sources_in(settings)) == [str(b / "two.md")]


def test_a_file_that_becomes_unreadable_keeps_its_old_chunks_and_is_reported(
    settings, tiny_knowledge, arbitration_file, indexed
):
    arbitration_file.write_bytes(b"\x00\x01\x02garbage\xff" * 50)
    summary = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert not summary.ok
    assert [e.path for e in summary.errors] == [str(arbitration_file)]
    assert "binary" in summary.errors[0].reason
    assert summary.removed == 0
    assert sources_in(settings)["policy/02-arbitration.md"] == 1
    report = json.loads((settings.reports_dir / "last-ingest.json").read_text(encoding="utf-8"))
    assert report["ok"] is False
    assert report["errors"] == [{"path": str(arbitration_file), "reason": summary.errors[0].reason}]


def test_an_emptied_file_keeps_its_old_chunks(settings, tiny_knowledge, arbitration_file, indexed):
    arbitration_file.write_text("", encoding="utf-8")
    summary = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert [e.reason for e in summary.errors] == ["empty file"]
    assert sources_in(settings)["policy/02-arbitration.md"] == 1


def test_a_failed_embedding_during_an_update_writes_nothing(
    settings, tiny_knowledge, escrow_file, indexed, counting_embedder
):
    before = live(settings).manifest()
    escrow_file.write_text(escrow_file.read_text().replace("at least $5", "at least $10"), encoding="utf-8")
    with pytest.raises(RuntimeError):
        run_ingest(settings, [tiny_knowledge], embedder=counting_embedder(fail_on_batch=1))
    assert live(settings).manifest() == before
    assert run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder()).updated == 1  # lock released


# -- dry run and report -------------------------------------------------------------------------------------


def test_dry_run_reports_changes_but_writes_nothing(
    settings, tiny_knowledge, escrow_file, arbitration_file, indexed, counting_embedder
):
    pointer_before = (settings.data_dir / "index.json").read_bytes()
    report_before = (settings.reports_dir / "last-ingest.json").read_bytes()
    manifest_before = live(settings).manifest()
    escrow_file.write_text(escrow_file.read_text().replace("has 14 days", "has 10 days"), encoding="utf-8")
    arbitration_file.unlink()
    (tiny_knowledge / "policy" / "08-chargebacks.md").write_text(TINY_CHARGEBACKS, encoding="utf-8")

    embedder = counting_embedder()
    summary = run_ingest(settings, [tiny_knowledge], dry_run=True, embedder=embedder)
    assert summary.dry_run
    assert (summary.added, summary.updated, summary.removed, summary.unchanged) == (1, 1, 1, 1)
    assert embedder.embedded == []
    assert live(settings).manifest() == manifest_before
    assert (settings.data_dir / "index.json").read_bytes() == pointer_before
    assert (settings.reports_dir / "last-ingest.json").read_bytes() == report_before

    real = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert (real.added, real.updated, real.removed) == (1, 1, 1)


def test_dry_run_on_an_empty_data_dir_builds_no_index(settings, tiny_knowledge):
    summary = run_ingest(settings, [tiny_knowledge], dry_run=True, embedder=HashingEmbedder())
    assert summary.added == 3
    assert not (settings.data_dir / "index.json").exists()
    assert store_of(settings).collection_names() == []
    with pytest.raises(IndexMissing, match="ingest"):
        Desk.open(settings, embedder=HashingEmbedder())


def test_each_run_writes_a_json_report(settings, tiny_knowledge, indexed):
    report = json.loads((settings.reports_dir / "last-ingest.json").read_text(encoding="utf-8"))
    assert report["added"] == 3 and report["files"] == 2 and report["chunks"] == 3
    assert report["ok"] is True and report["errors"] == []
    assert report["collection"] == indexed.collection
    assert report["finished"]
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    again = json.loads((settings.reports_dir / "last-ingest.json").read_text(encoding="utf-8"))
    assert (again["added"], again["unchanged"]) == (0, 3)
    assert len(list(settings.reports_dir.glob("ingest-*.json"))) >= 1
    assert answering_desk(settings, HashingEmbedder()).status().last_ingest["unchanged"] == 3


def test_nothing_readable_on_a_fresh_index_fails_without_building_one(settings, tmp_path):
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "empty.txt").write_text("", encoding="utf-8")
    with pytest.raises(IngestFailed, match="nothing could be read"):
        run_ingest(settings, [folder], embedder=HashingEmbedder())
    assert not (settings.data_dir / "index.json").exists()
    assert store_of(settings).collection_names() == []


def test_unsupported_files_in_a_folder_are_skipped_not_errors(settings, tiny_knowledge):
    (tiny_knowledge / "policy" / "diagram.png").write_bytes(b"\x89PNG")
    (tiny_knowledge / "policy" / "README.md").write_text("# About this folder\n", encoding="utf-8")
    summary = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert summary.ok
    assert [Path(s.path).name for s in summary.skipped_files] == ["diagram.png"]
    assert summary.files == 2


def test_a_missing_path_is_an_error(settings, tiny_knowledge, tmp_path):
    summary = run_ingest(settings, [tiny_knowledge, tmp_path / "nope"], embedder=HashingEmbedder())
    assert [e.reason for e in summary.errors] == ["no such file or folder"]
    assert summary.added == 3


# -- rebuilds -----------------------------------------------------------------------------------------------


def test_rebuild_switches_to_a_new_collection_keeping_only_the_previous_one(
    settings, tiny_knowledge, indexed, counting_embedder
):
    store = store_of(settings)
    old = store.pointer().collection
    embedder = counting_embedder()
    summary = run_ingest(settings, [tiny_knowledge], rebuild=True, embedder=embedder)
    new = store.pointer().collection
    assert new != old and summary.collection == new
    assert sorted(store.collection_names()) == sorted([old, new])  # a running bot can finish on the old one
    assert live(settings).count() == 3
    assert embedder.embedded == []  # unchanged chunks reuse their stored vectors
    assert answering_desk(settings, HashingEmbedder()).ask("Who pays for arbitration?").answered
    run_ingest(settings, [tiny_knowledge], rebuild=True, embedder=embedder)
    newest = store.pointer().collection
    assert sorted(store.collection_names()) == sorted([new, newest])  # older ones are dropped


def test_a_running_desk_picks_up_an_ingest_from_another_process(settings, tiny_knowledge, indexed, tmp_path):
    desk = answering_desk(settings, HashingEmbedder())
    before = desk.status().chunks
    extra = tmp_path / "uploads"
    extra.mkdir()
    (extra / "chargebacks.md").write_text(TINY_CHARGEBACKS, encoding="utf-8")
    run_ingest(settings, [extra], embedder=HashingEmbedder())
    desk.ask("What is a chargeback?")  # no reload() call: the desk notices index.json changed
    assert desk.status().chunks > before
    run_ingest(settings, [tiny_knowledge, extra], rebuild=True, embedder=HashingEmbedder())
    answer = desk.ask("Who pays for arbitration?")
    assert answer.answered
    assert desk.status().collection == store_of(settings).pointer().collection


def test_rebuild_keeps_sources_from_other_folders(settings, tiny_knowledge, indexed, tmp_path):
    extra = tmp_path / "uploads"
    extra.mkdir()
    (extra / "chargebacks.md").write_text(TINY_CHARGEBACKS, encoding="utf-8")
    run_ingest(settings, [extra], embedder=HashingEmbedder())
    run_ingest(settings, [tiny_knowledge], rebuild=True, embedder=HashingEmbedder())
    assert str(extra / "chargebacks.md") in sources_in(settings)
    assert live(settings).count() == 4


def test_rebuild_with_another_model_re_embeds_everything(
    settings, tiny_knowledge, indexed, counting_embedder
):
    embedder = counting_embedder(HashingEmbedder(dimension=32, name="hashing-32"))
    run_ingest(settings, [tiny_knowledge], rebuild=True, embedder=embedder)
    assert len(embedder.embedded) == 3
    pointer = store_of(settings).pointer()
    assert (pointer.model, pointer.dimension) == ("hashing-32", 32)
    assert store_of(settings).live("hashing-32").count() == 3


@pytest.mark.parametrize(
    "error", [RuntimeError("embedder crashed"), KeyboardInterrupt()], ids=["crash", "interrupt"]
)
def test_a_rebuild_that_fails_halfway_leaves_the_old_index_serving(
    settings, tiny_knowledge, indexed, counting_embedder, error
):
    store = store_of(settings)
    pointer_before = (settings.data_dir / "index.json").read_bytes()
    old = store.pointer().collection
    # Another model name: nothing can be reused, so every chunk is embedded, one per batch.
    failing = counting_embedder(HashingEmbedder(name="hashing-v2"), fail_on_batch=2, error=error)
    with pytest.raises(type(error)):
        run_ingest(
            settings.updated({"embedding_batch_size": 1}),
            [tiny_knowledge],
            rebuild=True,
            embedder=failing,
        )
    assert failing.batches == 2 and len(failing.embedded) == 1  # it really failed halfway
    assert (settings.data_dir / "index.json").read_bytes() == pointer_before
    assert store.collection_names() == [old]
    answer = answering_desk(settings, HashingEmbedder()).ask("Who pays for arbitration?")
    assert answer.answered and answer.sources
    # and the lock was released
    assert run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder()).unchanged == 3


# -- safety -------------------------------------------------------------------------------------------------


def test_a_second_run_while_the_lock_is_held_is_refused(settings, tiny_knowledge, indexed):
    before = live(settings).manifest()
    with FileLock(str(settings.lock_path)), pytest.raises(IngestBusy, match="another ingest is running"):
        run_ingest(settings, [tiny_knowledge], rebuild=True, embedder=HashingEmbedder())
    assert live(settings).manifest() == before


def test_an_index_built_with_another_model_is_refused_with_a_rebuild_hint(settings, tiny_knowledge, indexed):
    other = HashingEmbedder(name="hashing-other")
    with pytest.raises(IndexMissing, match="--rebuild") as info:
        Desk.open(settings, embedder=other)
    assert "'hashing'" in str(info.value) and "'hashing-other'" in str(info.value)
    with pytest.raises(IndexMissing, match="--rebuild"):
        run_ingest(settings, [tiny_knowledge], embedder=other)


def test_opening_without_an_index_says_to_ingest(settings):
    with pytest.raises(IndexMissing, match=r"python bot\.py ingest"):
        Desk.open(settings, embedder=HashingEmbedder())


def test_a_damaged_pointer_says_to_rebuild(settings, indexed):
    (settings.data_dir / "index.json").write_text("{not json", encoding="utf-8")
    with pytest.raises(IndexMissing, match="--rebuild"):
        Desk.open(settings, embedder=HashingEmbedder())
