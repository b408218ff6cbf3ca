"""One Chroma collection of chunks: batched writes, manifests for incremental ingest, and nearest-neighbour queries."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

import numpy as np
from numpy.typing import NDArray

from dispute_desk.models import Chunk
from dispute_desk.store_pointer import reachable

if TYPE_CHECKING:  # chromadb is imported only when a store is opened
    from chromadb.api.models.Collection import Collection as ChromaCollection
    from chromadb.api.types import GetResult, Include, PyEmbeddings

_BATCH = 500
_T = TypeVar("_T")


class Collection:
    """One Chroma collection of chunks."""

    def __init__(self, raw: ChromaCollection, where: str = "the embedded store") -> None:
        self.raw = raw
        self.name: str = raw.name
        self.where = where
        self._nonempty = False

    def count(self) -> int:
        with reachable(self.where):
            return int(self.raw.count())

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        with reachable(self.where):
            self._upsert(chunks, embeddings)

    def _upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        for start in range(0, len(chunks), _BATCH):
            part = chunks[start : start + _BATCH]
            self.raw.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
                embeddings=_vectors(embeddings[start : start + _BATCH]),
            )

    def delete(self, ids: Sequence[str]) -> None:
        with reachable(self.where):
            for start in range(0, len(ids), _BATCH):
                self.raw.delete(ids=list(ids[start : start + _BATCH]))

    def manifest(self) -> dict[str, tuple[str, str]]:
        """Id -> (source, content_hash) for every chunk, without documents or vectors."""
        out: dict[str, tuple[str, str]] = {}
        total = self.count()
        with reachable(self.where):
            for offset in range(0, total, 5000):
                got = self.raw.get(include=["metadatas"], limit=5000, offset=offset)
                for chunk_id, meta in zip(got["ids"], _asked(got["metadatas"]), strict=True):
                    out[chunk_id] = (str(meta.get("source", "")), str(meta.get("content_hash", "")))
        return out

    def embeddings_for(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors by id (used to copy unchanged chunks into a rebuilt collection)."""
        out: dict[str, list[float]] = {}
        with reachable(self.where):
            for start in range(0, len(ids), _BATCH):
                got = self.raw.get(ids=list(ids[start : start + _BATCH]), include=["embeddings"])
                vectors: Iterable[Iterable[float]] = _asked(got["embeddings"])  # numpy rows or lists
                for chunk_id, vector in zip(got["ids"], vectors, strict=True):
                    out[chunk_id] = [float(v) for v in vector]
        return out

    def all_vectors(self) -> tuple[list[str], NDArray[np.float32]]:
        """Every record's id and vector, as one matrix (for exact search in memory over a small index)."""
        ids: list[str] = []
        rows: list[NDArray[np.float32]] = []
        for got in self._pages(["embeddings"]):
            ids.extend(got["ids"])
            rows.append(np.asarray(_asked(got["embeddings"]), dtype=np.float32))
        return ids, np.concatenate(rows) if rows else np.zeros((0, 0), dtype=np.float32)

    def metadata_for(self, ids: Sequence[str]) -> dict[str, dict[str, Any]]:
        """Stored metadata by id (source, kind, section...), without documents or vectors."""
        out: dict[str, dict[str, Any]] = {}
        with reachable(self.where):
            for start in range(0, len(ids), _BATCH):
                got = self.raw.get(ids=list(ids[start : start + _BATCH]), include=["metadatas"])
                for chunk_id, meta in zip(got["ids"], _asked(got["metadatas"]), strict=True):
                    out[chunk_id] = dict(meta or {})
        return out

    def copy_into(self, other: Collection) -> int:
        """Copy every record (text, metadata, vector) into ``other`` as stored; returns how many."""
        total = self.count()
        copied = 0
        with reachable(self.where):
            for offset in range(0, total, _BATCH):
                got = self.raw.get(include=["documents", "metadatas", "embeddings"], limit=_BATCH, offset=offset)
                if not got["ids"]:
                    break
                other.raw.upsert(ids=got["ids"], documents=got["documents"], metadatas=got["metadatas"],
                                 embeddings=_vectors(_asked(got["embeddings"])))
                copied += len(got["ids"])
        return copied

    def iter_chunks(self) -> Iterator[Chunk]:
        for got in self._pages(["documents", "metadatas"]):
            records = zip(got["ids"], _asked(got["documents"]), _asked(got["metadatas"]), strict=True)
            for chunk_id, text, meta in records:
                yield Chunk.from_store(chunk_id, text or "", meta or {})

    def _pages(self, include: Include) -> Iterator[GetResult]:
        """Every record, 2,000 at a time, with the fields named in ``include``."""
        for offset in range(0, self.count(), 2000):
            with reachable(self.where):
                yield self.raw.get(include=include, limit=2000, offset=offset)

    def query(self, embedding: Sequence[float], n: int) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity, best first."""
        return self.query_many([embedding], n)[0]

    def query_many(self, embeddings: Sequence[Sequence[float]], n: int) -> list[list[tuple[str, float]]]:
        """``query`` for several vectors in one store call (a story and its asks: one round trip, not three)."""
        if n <= 0 or not embeddings:
            return [[] for _ in embeddings]
        if not self._nonempty:  # Chroma returns fewer than n when it holds fewer: count only until non-empty
            if self.count() == 0:
                return [[] for _ in embeddings]
            self._nonempty = True
        with reachable(self.where):
            got = self.raw.query(query_embeddings=_vectors(embeddings), n_results=n, include=["distances"])
        return [
            [(cid, 1.0 - float(dist)) for cid, dist in zip(ids, distances, strict=True)]
            for ids, distances in zip(got["ids"], _asked(got["distances"]), strict=True)
        ]


def _vectors(rows: Iterable[Iterable[float]]) -> PyEmbeddings:
    """Vectors as plain float lists, a form every Chroma call takes (rows may be lists or numpy arrays)."""
    return [[float(v) for v in row] for row in rows]


def _asked(field: _T | None) -> _T:
    """A result field named in ``include=``: Chroma leaves out (None) only the fields that were not asked for."""
    if field is None:
        raise TypeError("Chroma left out a result field that was asked for with include=")
    return field
