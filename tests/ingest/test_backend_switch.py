"""Switching the embedding backend (torch <-> onnx) for the same model: the index never mixes both backends' vectors.

Two deterministic plumbing embedders (tests/helpers/backends.py) stand for two backends of one model: they
share the model name "hashing" and give slightly different vectors (like torch and the int8 onnx export do).
After a switch, an ingest or a rebuild must encode every chunk again with the new backend (before the fix, a
rebuild copied every unchanged chunk's stored vector and an incremental ingest kept them all), and an index
written before the backend was recorded is re-encoded by its next ingest but still answers meanwhile.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from backends import OnnxLike, close, torch_like
from tiny_knowledge import TINY_CHARGEBACKS

from desk_discord.exts.admin._format import status_embed, summary_text
from dispute_desk.desk import Desk
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.health import run_checks
from dispute_desk.store import ChunkStore
from ingest.pipeline import run_ingest


def stored(settings) -> dict[str, tuple[str, list[float]]]:
    """Every chunk of the live index: id -> (text, stored vector)."""
    live = ChunkStore(settings).live("hashing")
    chunks = list(live.iter_chunks())
    vectors = live.embeddings_for([c.id for c in chunks])
    return {c.id: (c.text, vectors[c.id]) for c in chunks}


def assert_all_from(settings, embedder: HashingEmbedder, other: HashingEmbedder) -> None:
    records = stored(settings)
    assert records
    for chunk_id, (text, vector) in records.items():
        assert close(vector, embedder.embed_query(text)), f"{chunk_id} kept a vector from another backend"
        assert not close(vector, other.embed_query(text))
    assert ChunkStore(settings).pointer().backend == embedder.backend


def test_a_rebuild_after_switching_backend_encodes_every_chunk_again(
    settings, tiny_knowledge, counting_embedder
) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=torch_like())
    texts = sorted(text for text, _ in stored(settings).values())

    switched = counting_embedder(OnnxLike())
    summary = run_ingest(settings, [tiny_knowledge], embedder=switched, rebuild=True)

    assert summary.ok and summary.reencoded == 3 and summary.backend_change == "torch -> onnx-int8"
    assert sorted(switched.embedded) == texts  # nothing copied from the torch index
    assert_all_from(settings, OnnxLike(), torch_like())
    again = counting_embedder(OnnxLike())
    assert run_ingest(settings, [tiny_knowledge], embedder=again, rebuild=True).reencoded == 0
    assert again.embedded == []  # same backend as the index: unchanged vectors are copied again


def test_an_incremental_ingest_after_switching_re_encodes_the_whole_index_once(
    settings, tiny_knowledge, counting_embedder
) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=torch_like())
    escrow = tiny_knowledge / "policy" / "01-escrow.md"

    switched = counting_embedder(OnnxLike())
    summary = run_ingest(settings, [escrow], embedder=switched)  # arbitration is outside this run's paths

    assert summary.ok and (summary.added, summary.updated, summary.removed) == (0, 0, 0)
    assert summary.reencoded == 3 and len(switched.embedded) == 3
    assert "re-encoded 3 unchanged passages" in summary_text("Reindex", summary)  # what /reindex replies
    assert_all_from(settings, OnnxLike(), torch_like())
    again = counting_embedder(OnnxLike())
    assert run_ingest(settings, [tiny_knowledge], embedder=again).reencoded == 0
    assert again.embedded == []


def test_changes_made_with_the_switch_are_applied_and_nothing_keeps_an_old_vector(
    settings, tiny_knowledge, counting_embedder
) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=torch_like())
    escrow = tiny_knowledge / "policy" / "01-escrow.md"
    escrow.write_text(escrow.read_text().replace("14 days", "21 days"), encoding="utf-8")
    (tiny_knowledge / "policy" / "02-arbitration.md").unlink()
    (tiny_knowledge / "policy" / "08-chargebacks.md").write_text(TINY_CHARGEBACKS, encoding="utf-8")

    switched = counting_embedder(OnnxLike())
    summary = run_ingest(settings, [tiny_knowledge], embedder=switched)

    assert summary.ok, summary.errors
    assert (summary.added, summary.removed) == (1, 1) and summary.updated >= 1
    assert len(switched.embedded) == len(stored(settings))  # each chunk encoded once: none twice, none copied
    assert_all_from(settings, OnnxLike(), torch_like())
    texts = " ".join(text for text, _ in stored(settings).values())
    assert "21 days" in texts and "chargeback" in texts.lower() and "Arbitration" not in texts


def test_a_dry_run_says_what_the_switch_would_re_encode_and_writes_nothing(settings, tiny_knowledge) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=torch_like())
    before = (settings.data_dir / "index.json").read_bytes()

    summary = run_ingest(settings, [tiny_knowledge], embedder=OnnxLike(), dry_run=True)

    assert summary.reencoded == 3 and summary.backend_change == "torch -> onnx-int8"
    assert (settings.data_dir / "index.json").read_bytes() == before


def test_the_desk_answers_from_an_index_of_another_backend_and_warns(
    settings, tiny_knowledge, caplog: pytest.LogCaptureFixture
) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=torch_like())
    with caplog.at_level(logging.WARNING, logger="dispute_desk.desk"):
        desk = Desk.open(settings.updated({"min_evidence": 0.0}), embedder=OnnxLike())
    answer = desk.ask("who pays the arbitration fee")

    assert answer.answered and any("Arbitration" in s.title for s in answer.sources)
    note = desk.status().backend_note
    assert "torch" in note and "onnx-int8" in note and "python bot.py ingest" in note
    assert note in caplog.text
    shown = {field.name: field.value for field in status_embed(desk.status(), None).fields}  # Discord /status
    assert shown["Warning"] == note

    run_ingest(settings, [tiny_knowledge], embedder=OnnxLike())
    desk.ask("who pays the arbitration fee")  # the desk notices the re-encoded index and reloads it
    assert desk.status().backend_note == ""


def test_health_stays_ok_but_names_the_backend_mismatch(settings, tiny_knowledge) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=torch_like())  # the settings' backend for "hashing" is "hashing"
    index = next(c for c in run_checks(settings, token=False, model=False) if c.name == "index")
    assert index.ok and "warning" in index.detail and "torch" in index.detail

    run_ingest(settings, [tiny_knowledge])  # the settings' own embedder: re-encoded, the warning is gone
    index = next(c for c in run_checks(settings, token=False, model=False) if c.name == "index")
    assert index.ok and "warning" not in index.detail


def write_old_format_pointer(settings) -> None:
    """index.json as versions before the backend was recorded wrote it: model name only."""
    path = settings.data_dir / "index.json"
    pointer = json.loads(path.read_text(encoding="utf-8"))
    pointer.pop("backend")
    path.write_text(json.dumps(pointer), encoding="utf-8")


def test_an_index_that_did_not_record_its_backend_still_answers_and_is_re_encoded_by_the_next_ingest(
    settings, tiny_knowledge: Path, counting_embedder
) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=torch_like())
    write_old_format_pointer(settings)

    desk = Desk.open(settings.updated({"min_evidence": 0.0}), embedder=torch_like())  # not refused
    assert desk.ask("who pays the arbitration fee").answered
    assert "did not record" in desk.status().backend_note

    same_backend = counting_embedder(torch_like())
    summary = run_ingest(settings, [tiny_knowledge], embedder=same_backend)
    assert summary.reencoded == 3 and summary.backend_change == "unrecorded -> torch"
    assert len(same_backend.embedded) == 3
    assert ChunkStore(settings).pointer().backend == "torch"
    desk.ask("who pays the arbitration fee")
    assert desk.status().backend_note == ""


@pytest.mark.slow
def test_switching_the_real_model_from_torch_to_onnx_leaves_only_onnx_vectors(tmp_path, tiny_knowledge) -> None:
    """The real bundled model on both backends (torch loads sentence-transformers; onnx uses the cached export)."""
    import numpy as np

    from dispute_desk.embedding import build_embedder
    from dispute_desk.settings import load_settings

    on_torch = load_settings(data_dir=tmp_path / "real", knowledge_dir=tiny_knowledge, embedding_backend="torch")
    on_onnx = on_torch.updated({"embedding_backend": "onnx"})
    assert run_ingest(on_torch, [tiny_knowledge]).ok  # the settings' embedder: nothing passed in
    assert ChunkStore(on_torch).pointer().backend == "torch"

    summary = run_ingest(on_onnx, [tiny_knowledge], rebuild=True)

    assert summary.reencoded == summary.chunks and summary.backend_change == "torch -> onnx-int8"
    live = ChunkStore(on_onnx).live(on_onnx.embedding.model)
    chunks = list(live.iter_chunks())
    vectors = live.embeddings_for([c.id for c in chunks])
    onnx, torch = build_embedder(on_onnx), build_embedder(on_torch)
    for chunk in chunks:
        stored = np.asarray(vectors[chunk.id])
        assert float(stored @ np.asarray(onnx.embed_query(chunk.text))) > 0.99999
    assert min(float(np.asarray(vectors[c.id]) @ np.asarray(torch.embed_query(c.text))) for c in chunks) < 0.9999
    assert ChunkStore(on_onnx).pointer().backend == "onnx-int8"
