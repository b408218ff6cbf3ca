"""Fast core test helpers: hand-made chunks, a counting embedder, a real Chroma collection on tmp_path."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import pytest

from dispute_desk.embedding import HashingEmbedder
from dispute_desk.models import Chunk
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, Collection


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
