"""Shared fixtures: settings on tmp_path, a tiny knowledge set, a plumbing desk and a real-model desk.

``tiny_desk`` uses the deterministic HashingEmbedder: fast, for plumbing only. Anything that claims answer
quality uses ``real_desk``: the bundled all-MiniLM-L6-v2 model over the bundled knowledge base, built once
per test session in a temporary data dir.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The default (onnx) backend exports the model once per cache dir; every test's fresh data dir, and the CLI
# subprocesses the tests start, share one export instead of each paying for its own.
os.environ.setdefault("DESK_MODEL_CACHE_DIR", os.path.join(tempfile.gettempdir(), "dispute-desk-test-models"))

from collections.abc import Callable, Sequence
from typing import Any

from tiny_knowledge import TINY_ARBITRATION, TINY_POLICY

from dispute_desk.desk import Desk
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.models import Chunk
from dispute_desk.settings import PROJECT_DIR, Settings, load_settings
from dispute_desk.store import ChunkStore, Collection
from ingest.pipeline import run_ingest


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge",
                         embedding_model="hashing")


@pytest.fixture
def tiny_knowledge(settings: Settings) -> Path:
    folder = settings.knowledge_dir
    (folder / "policy").mkdir(parents=True)
    (folder / "policy" / "01-escrow.md").write_text(TINY_POLICY, encoding="utf-8")
    (folder / "policy" / "02-arbitration.md").write_text(TINY_ARBITRATION, encoding="utf-8")
    return folder


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def tiny_desk(settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder) -> Desk:
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    return Desk.open(settings.updated({"min_evidence": 0.0}), embedder=embedder)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(data_dir=tmp_path_factory.mktemp("real") / "data",
                         knowledge_dir=PROJECT_DIR / "knowledge")


@pytest.fixture(scope="session")
def real_desk(real_settings: Settings) -> Desk:
    """The bundled knowledge base indexed with the real bundled model (built once per session)."""
    from dispute_desk.embedding import build_embedder

    embedder = build_embedder(real_settings)
    summary = run_ingest(real_settings, [real_settings.knowledge_dir], embedder=embedder)
    assert summary.ok, summary.errors
    return Desk.open(real_settings, embedder=embedder)


# -- plumbing helpers: hand-made chunks, a counting embedder, a real Chroma collection on tmp_path --

class CountingEmbedder:
    """Wraps an embedder and counts the texts it is asked to embed; optionally fails on a given batch."""

    def __init__(
        self,
        inner: HashingEmbedder | None = None,
        *,
        fail_on_batch: int | None = None,
        error: BaseException | None = None,
    ) -> None:
        self.inner = inner or HashingEmbedder()
        self.name = self.inner.name
        self.dimension = self.inner.dimension
        self.backend = self.inner.backend
        self.embedded: list[str] = []
        self.batches = 0
        self.fail_on_batch = fail_on_batch
        self.error = error or RuntimeError("embedder crashed")

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.batches += 1
        if self.fail_on_batch is not None and self.batches >= self.fail_on_batch:
            raise self.error
        self.embedded.extend(texts)
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.inner.embed_query(text)


@pytest.fixture
def counting_embedder() -> Callable[..., CountingEmbedder]:
    return CountingEmbedder


@pytest.fixture
def make_chunk() -> Callable[..., Chunk]:
    """A chunk whose text is ``"<title>\\n\\n<body>"``, with the body as what gets cited."""

    def make(
        chunk_id: str, body: str, *, title: str | None = None, kind: str = "policy", **fields: Any
    ) -> Chunk:
        title = title or f"Title of {chunk_id}"
        prefix = f"{title}\n\n"
        fields.setdefault("source", f"knowledge/{chunk_id}.md")
        return Chunk(
            id=chunk_id, text=prefix + body, title=title, kind=kind, body_start=len(prefix), **fields
        )

    return make


@pytest.fixture
def make_collection(settings: Settings) -> Callable[[Sequence[Chunk]], Collection]:
    """A real Chroma collection on tmp_path holding the given chunks, embedded with the HashingEmbedder."""

    def make(chunks: Sequence[Chunk], name: str = "passages-test") -> Collection:
        store = ChunkStore(settings)
        collection = store.create(name)
        collection.upsert(list(chunks), HashingEmbedder().embed_documents([c.text for c in chunks]))
        return collection

    return make
