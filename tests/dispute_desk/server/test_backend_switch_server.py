"""Server mode: the backend is recorded in the server's pointer, and a switch re-encodes the shared index."""

from __future__ import annotations

from pathlib import Path

import pytest
from backends import OnnxLike, close, torch_like

from dispute_desk.desk import Desk
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore
from ingest.pipeline import run_ingest

pytestmark = pytest.mark.subprocess  # a Chroma server runs as a separate process


def stored_vectors_match(settings: Settings, embedder: OnnxLike) -> bool:
    live = ChunkStore(settings).live("hashing")
    chunks = list(live.iter_chunks())
    vectors = live.embeddings_for([c.id for c in chunks])
    return bool(chunks) and all(close(vectors[c.id], embedder.embed_query(c.text)) for c in chunks)


def test_a_backend_switch_re_encodes_the_shared_index_and_every_process_sees_it(
    server_settings: Settings, tiny_knowledge: Path, counting_embedder
) -> None:
    run_ingest(server_settings, [tiny_knowledge], embedder=torch_like())
    assert ChunkStore(server_settings).pointer().backend == "torch"
    bot = Desk.open(server_settings.updated({"min_evidence": 0.0}), embedder=OnnxLike())
    assert bot.ask("who pays the arbitration fee").answered  # served, with a warning
    assert "torch" in bot.status().backend_note

    switched = counting_embedder(OnnxLike())
    summary = run_ingest(server_settings, [tiny_knowledge], embedder=switched)

    assert summary.reencoded == 3 and len(switched.embedded) == 3
    assert ChunkStore(server_settings).pointer().backend == "onnx-int8"  # a fresh client: the server's pointer
    assert stored_vectors_match(server_settings, OnnxLike())
    bot.ask("who pays the arbitration fee")
    assert bot.status().backend_note == ""


def test_a_server_pointer_without_a_backend_still_answers_and_a_rebuild_re_encodes_it(
    server_settings: Settings, tiny_knowledge: Path, counting_embedder
) -> None:
    run_ingest(server_settings, [tiny_knowledge], embedder=torch_like())
    store = ChunkStore(server_settings)
    record = store.client.get_collection(f"{server_settings.store.collection_prefix}.live")
    old = {k: v for k, v in (record.metadata or {}).items() if k != "backend"}  # as older versions wrote it
    record.modify(metadata=old)
    assert store.pointer().backend == ""

    desk = Desk.open(server_settings.updated({"min_evidence": 0.0}), embedder=torch_like())
    assert desk.ask("who pays the arbitration fee").answered
    assert "did not record" in desk.status().backend_note

    embedder = counting_embedder(torch_like())
    summary = run_ingest(server_settings, [tiny_knowledge], embedder=embedder, rebuild=True)
    assert summary.backend_change == "unrecorded -> torch" and len(embedder.embedded) == 3
    assert store.pointer().backend == "torch"
