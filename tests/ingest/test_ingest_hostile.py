"""What a moderator can point ingest at by accident or on purpose: nothing is lost, leaked, hung or doubled.

Every test here is a regression test for a problem found by trying it (issue #10).
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from dispute_desk.desk import Desk
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.store import ChunkStore
from ingest.pipeline import IngestFailed, run_ingest

NOTE = "{title}\n\nThe client must fund the milestone {n} before work starts, and escrow protects it.\n"


def sources_in(settings) -> dict[str, int]:
    counts: dict[str, int] = {}
    for source, _ in ChunkStore(settings).live("hashing").manifest().values():
        counts[source] = counts.get(source, 0) + 1
    return counts


def texts_in(settings) -> str:
    return "\n".join(c.text for c in ChunkStore(settings).live("hashing").iter_chunks())


def write_notes(folder: Path, count: int) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for n in range(count):
        path = folder / f"note-{n}.txt"
        path.write_text(NOTE.format(title=f"Milestone note {n}", n=n), encoding="utf-8")
        paths.append(path)
    return paths


# -- 1. data loss: an empty, unmounted or emptied folder -----------------------------------------------------


def test_ingesting_an_emptied_folder_removes_nothing_and_says_why(settings, tiny_knowledge):
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    for path in (tiny_knowledge / "policy").iterdir():
        path.unlink()
    with pytest.raises(IngestFailed, match="refusing to remove all of the 2 documents") as info:
        run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert "policy/01-escrow.md" in str(info.value) and "--allow-mass-delete" in str(info.value)
    assert sum(sources_in(settings).values()) == 3  # the desk still answers from everything
    desk = Desk.open(settings.updated({"min_evidence": 0.0}), embedder=HashingEmbedder())
    assert desk.ask("Who pays for arbitration?").answered


def test_removing_most_of_a_folder_needs_allow_mass_delete(settings):
    notes = write_notes(settings.knowledge_dir / "notes", 4)
    run_ingest(settings, [settings.knowledge_dir], embedder=HashingEmbedder())
    for path in notes[:3]:
        path.unlink()
    dry = run_ingest(settings, [settings.knowledge_dir], embedder=HashingEmbedder(), dry_run=True)
    assert "3 of the 4 documents indexed from the knowledge folder" in dry.refused
    with pytest.raises(IngestFailed, match="3 of the 4 documents"):
        run_ingest(settings, [settings.knowledge_dir], embedder=HashingEmbedder())
    assert len(sources_in(settings)) == 4
    summary = run_ingest(settings, [settings.knowledge_dir], embedder=HashingEmbedder(), allow_mass_delete=True)
    assert summary.removed == 3
    assert list(sources_in(settings)) == ["notes/note-3.txt"]


def test_removing_half_or_less_goes_ahead(settings):
    notes = write_notes(settings.knowledge_dir / "notes", 4)
    run_ingest(settings, [settings.knowledge_dir], embedder=HashingEmbedder())
    notes[0].unlink()
    notes[1].unlink()
    assert run_ingest(settings, [settings.knowledge_dir], embedder=HashingEmbedder()).removed == 2


def test_unreadable_files_do_not_count_as_removed(settings):
    notes = write_notes(settings.knowledge_dir / "notes", 2)
    run_ingest(settings, [settings.knowledge_dir], embedder=HashingEmbedder())
    for path in notes:
        path.write_bytes(b"\x00\x01binary" * 20)
    summary = run_ingest(settings, [settings.knowledge_dir], embedder=HashingEmbedder())
    assert summary.removed == 0 and len(summary.errors) == 2


# -- 2. file disclosure: links leading out of the folder --------------------------------------------------------


def test_a_symlink_to_a_file_outside_the_folder_is_not_read(settings, tiny_knowledge, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("Root password\n\nhunter2 is the password of the server and the escrow account.\n")
    (tiny_knowledge / "policy" / "passwords.txt").symlink_to(secret)
    (tiny_knowledge / "policy" / "passwd.txt").symlink_to("/etc/passwd")
    summary = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert summary.ok and summary.files == 2
    assert sorted(Path(s.path).name for s in summary.skipped_files) == ["passwd.txt", "passwords.txt"]
    assert all("outside the ingested folder" in s.reason for s in summary.skipped_files)
    assert "hunter2" not in texts_in(settings) and "root:" not in texts_in(settings)


def test_a_symlink_inside_the_folder_is_read_and_its_chunks_go_with_it(settings, tiny_knowledge):
    (tiny_knowledge / "extra").mkdir()
    write_notes(tiny_knowledge / "notes", 2)
    link = tiny_knowledge / "extra" / "same-note.txt"
    link.symlink_to(tiny_knowledge / "notes" / "note-0.txt")
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert "extra/same-note.txt" in sources_in(settings)
    link.unlink()
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert "extra/same-note.txt" not in sources_in(settings)


# -- 3. hangs and memory ---------------------------------------------------------------------------------------


def test_a_fifo_named_md_does_not_hang_ingest(settings, tiny_knowledge):
    os.mkfifo(tiny_knowledge / "policy" / "pipe.md")
    began = time.monotonic()
    summary = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert time.monotonic() - began < 60
    assert summary.files == 2
    assert [(Path(s.path).name, s.reason) for s in summary.skipped_files] == [
        ("pipe.md", "not a regular file (a named pipe); only regular files are read")
    ]
    assert run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder()).files == 2  # lock released


def test_a_fifo_named_explicitly_is_an_error_not_a_hang(settings, tmp_path):
    fifo = tmp_path / "pipe.txt"
    os.mkfifo(fifo)
    with pytest.raises(IngestFailed, match="nothing could be read"):
        run_ingest(settings, [fifo], embedder=HashingEmbedder())


def test_reading_dev_zero_through_a_link_is_refused(tmp_path):
    from ingest.documents import UnreadableSource
    from ingest.reader import read_source

    link = tmp_path / "zero.md"
    link.symlink_to("/dev/zero")
    with pytest.raises(UnreadableSource, match="not a regular file"):
        read_source(link)


def test_a_yaml_alias_bomb_is_refused_quickly(settings, tiny_knowledge):
    levels = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        levels.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    bomb = "---\n" + "\n".join(levels) + "\nfacts: *i\nkind: policy\n---\n# Bomb\n\nSome escrow text.\n"
    assert len(bomb) < 600
    (tiny_knowledge / "policy" / "bomb.md").write_text(bomb, encoding="utf-8")
    began = time.monotonic()
    summary = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert time.monotonic() - began < 30
    assert [Path(e.path).name for e in summary.errors] == ["bomb.md"]
    assert "YAML alias" in summary.errors[0].reason


@pytest.mark.subprocess
def test_a_file_that_takes_too_long_to_parse_is_that_files_error(settings, tiny_knowledge):
    nested = "<html><body>" + "<div>" * 40000 + "escrow" + "</div>" * 40000 + "</body></html>"
    (tiny_knowledge / "nested.html").write_text(nested, encoding="utf-8")
    began = time.monotonic()
    summary = run_ingest(settings.updated({"parse_timeout_seconds": 1.0}), [tiny_knowledge],
                         embedder=HashingEmbedder())
    assert time.monotonic() - began < 30  # it takes well over 10 s to parse without the limit
    assert [(Path(e.path).name, e.reason) for e in summary.errors] == [
        ("nested.html", "reading it took longer than 1 s; not read")
    ]
    assert summary.files == 2 and summary.added == 3  # the files after it were read by a fresh helper


# -- 4. duplicates: another working directory -------------------------------------------------------------------


def test_the_same_ingest_from_another_directory_changes_nothing(settings, tiny_knowledge, tmp_path, monkeypatch):
    first = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    relative = Path(os.path.relpath(tiny_knowledge, elsewhere))
    again = run_ingest(settings, [relative], embedder=HashingEmbedder())
    assert (again.added, again.removed, again.unchanged) == (0, 0, first.added)
    monkeypatch.chdir(tiny_knowledge.parent)
    assert run_ingest(settings, [Path("knowledge")], embedder=HashingEmbedder()).added == 0
    assert sum(sources_in(settings).values()) == 3


def test_an_index_with_working_directory_ids_is_converted_without_re_embedding(
    settings, tiny_knowledge, monkeypatch, counting_embedder
):
    """Indexes built before the fix named sources relative to the cwd; the next ingest converts them."""
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    plant_cwd_relative_index(settings, tiny_knowledge, monkeypatch)

    embedder = counting_embedder()
    summary = run_ingest(settings, [tiny_knowledge], embedder=embedder)
    assert summary.migrated == 3
    assert (summary.added, summary.removed, summary.unchanged) == (0, 0, 3)
    assert embedder.embedded == []
    assert sources_in(settings) == {"policy/01-escrow.md": 2, "policy/02-arbitration.md": 1}


def plant_cwd_relative_index(settings, knowledge: Path, monkeypatch) -> list:
    """Make the live index look as an older version left it: sources named from the knowledge folder's parent
    (the working directory then), ids derived from those names, no ``source_ids`` marker. Returns today's chunks.
    """
    from dataclasses import replace

    from ingest.chunking import chunk_id, phrasing_id

    store = ChunkStore(settings)
    live = store.live("hashing")
    chunks = list(live.iter_chunks())
    vectors = live.embeddings_for([c.id for c in chunks])
    monkeypatch.chdir(knowledge.parent)
    old_style = []
    for c in chunks:
        source = f"knowledge/{c.source}"  # what the old code stored when run from the parent folder
        passage = chunk_id(source, c.position)
        old_id = phrasing_id(passage, c.text) if c.variant_of else passage
        old_style.append(replace(c, id=old_id, source=source, group=source, variant_of=passage if c.variant_of else ""))
    store.create("passages-old").upsert(old_style, [vectors[c.id] for c in chunks])
    pointer = json.loads(store.pointer_path.read_text())
    pointer.pop("source_ids", None)
    store.pointer_path.write_text(json.dumps(pointer | {"collection": "passages-old"}))
    return chunks


def test_an_old_index_with_member_phrasings_is_converted_without_duplicate_ids(
    settings, tiny_knowledge, counting_embedder, monkeypatch
):
    """Regression: the conversion gave each phrasing its passage's id, so the copy failed on duplicate ids
    ("Expected IDs to be unique") and an index built before the fix could never be updated or rebuilt.
    """
    policy = tiny_knowledge / "policy" / "01-escrow.md"
    policy.write_text(policy.read_text().replace(
        "<!-- facts: F06 | url: https://support.example.invalid/review -->",
        "<!-- facts: F06 | url: https://support.example.invalid/review -->\n"
        "<!-- asks:\n- how long does the client have to review my work\n- client not approving milestone\n-->",
    ))
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    chunks = plant_cwd_relative_index(settings, tiny_knowledge, monkeypatch)
    assert sum(1 for c in chunks if c.variant_of) == 2

    embedder = counting_embedder()
    summary = run_ingest(settings, [tiny_knowledge], embedder=embedder)
    assert summary.ok, summary.errors
    assert summary.migrated == len(chunks)
    assert embedder.embedded == []  # nothing re-embedded: ids, links and hashes all follow the new names
    converted = list(ChunkStore(settings).live("hashing").iter_chunks())
    assert {c.id for c in converted} == {c.id for c in chunks}
    assert {c.variant_of for c in converted if c.variant_of} <= {c.id for c in converted if not c.variant_of}
    rebuilt = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder(), rebuild=True)
    assert rebuilt.ok, rebuilt.errors


# -- 5. authority of uploads and pings ---------------------------------------------------------------------------

FAKE_POLICY = """---
title: Official Upwork policy on refunds
kind: policy
url: https://evil.example/fake-policy
---
# 1. Refunds

## 1.1 Who pays for arbitration
<!-- facts: F27 -->
Arbitration is free for the freelancer and the client always pays for arbitration. @everyone read <@1234> now.
"""


def test_an_upload_cannot_make_itself_policy(settings, tiny_knowledge):
    from tests.conftest import TINY_ARBITRATION

    uploads = tiny_knowledge / "uploads"
    uploads.mkdir()
    (uploads / "refunds.md").write_text(FAKE_POLICY, encoding="utf-8")
    # The same text as the real policy section, claiming to be policy, with a link of its own.
    copy = TINY_ARBITRATION.replace("title: Arbitration fees", "title: Arbitration fees (official)").replace(
        "urls: [https://support.example.invalid/arbitration]", "url: https://evil.example/fake-policy"
    )
    (uploads / "copy.md").write_text(copy, encoding="utf-8")
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    uploaded = [c for c in ChunkStore(settings).live("hashing").iter_chunks() if c.source.startswith("uploads/")]
    assert len(uploaded) == 2 and all(c.kind == "other" and c.url is None for c in uploaded)
    desk = Desk.open(settings.updated({"min_evidence": 0.0}), embedder=HashingEmbedder())
    hits = desk.search("Who pays for arbitration? The fee is split between the freelancer and the client")
    titles = [h.chunk.title for h in hits]
    assert titles.index("Arbitration fees") < titles.index("Arbitration fees (official)")
    answer = desk.ask("Who pays for arbitration?")
    assert all(s.url != "https://evil.example/fake-policy" for s in answer.sources)


def test_an_upload_a_moderator_marked_as_policy_keeps_its_kind(settings, tiny_knowledge):
    marked = tiny_knowledge / "uploads" / "policy"
    marked.mkdir(parents=True)
    (marked / "refunds.md").write_text(FAKE_POLICY, encoding="utf-8")
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    kinds = {c.kind for c in ChunkStore(settings).live("hashing").iter_chunks() if c.source.startswith("uploads/")}
    assert kinds == {"policy"}


def test_passages_and_answers_never_carry_pings(settings, tiny_knowledge):
    (tiny_knowledge / "policy" / "03-pings.md").write_text(
        FAKE_POLICY.replace("Official Upwork policy on refunds", "Arbitration payment @here"), encoding="utf-8"
    )
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert "@everyone" not in texts_in(settings) and "<@1234>" not in texts_in(settings)
    answer = Desk.open(settings.updated({"min_evidence": 0.0}), embedder=HashingEmbedder()).ask(
        "Does the client always pay for arbitration?"
    )
    shown = answer.text + "".join(s.text + s.title for s in answer.sources)
    assert "client always pays" in shown
    for ping in ("@everyone", "@here", "<@"):
        assert ping not in shown


def test_the_answer_guard_defuses_pings_from_an_index_built_before_cleaning(make_chunk):
    from dispute_desk.answering import ExtractiveAnswerer
    from dispute_desk.lexical import BM25Index
    from dispute_desk.models import Hit

    chunk = make_chunk("c1", "The client always pays for arbitration, @everyone. Ask <@&99> or <@!42>.")
    answerer = ExtractiveAnswerer(BM25Index([chunk.text]))
    composed = answerer.compose("Who pays for arbitration?", [Hit(chunk, 1.0, dense=0.9)])
    assert "client always pays" in composed.text
    for ping in ("@everyone", "<@"):
        assert ping not in composed.text and ping not in composed.sources[0].text


# -- 6. smaller ones ---------------------------------------------------------------------------------------------


def test_dry_run_on_a_fresh_data_dir_writes_nothing_at_all(settings, tiny_knowledge):
    summary = run_ingest(settings, [tiny_knowledge], dry_run=True, embedder=HashingEmbedder())
    assert summary.added == 3
    assert not settings.data_dir.exists()  # no chroma.sqlite3, no report, no lock


def test_dry_run_on_an_existing_index_adds_no_files(settings, tiny_knowledge):
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    settings.lock_path.unlink()
    for report in settings.reports_dir.iterdir():
        report.unlink()
    before = sorted(p.relative_to(settings.data_dir) for p in settings.data_dir.rglob("*") if p.is_file())
    (tiny_knowledge / "policy" / "01-escrow.md").unlink()
    run_ingest(settings, [tiny_knowledge], dry_run=True, embedder=HashingEmbedder())
    after = sorted(p.relative_to(settings.data_dir) for p in settings.data_dir.rglob("*") if p.is_file())
    assert after == before


def test_stale_pointer_temp_files_are_cleaned(settings, tiny_knowledge):
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    stale = settings.data_dir / ".index-abc123.json"
    stale.write_text('{"collection": "half-written"')
    run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert not stale.exists()
    assert ChunkStore(settings).pointer() is not None


def test_a_file_name_that_is_not_utf8_is_reported(settings, tiny_knowledge):
    bad = os.fsencode(tiny_knowledge / "policy") + b"/caf\xe9.txt"
    with open(bad, "wb") as handle:
        handle.write(b"Cafe notes\n\nThe escrow holds the money.\n")
    summary = run_ingest(settings, [tiny_knowledge], embedder=HashingEmbedder())
    assert [e.reason for e in summary.errors] == ["file name is not valid UTF-8; rename it"]
    assert summary.errors[0].path.endswith("caf\\xe9.txt")
    json.dumps(summary.to_json()).encode("utf-8")  # the report can be written
