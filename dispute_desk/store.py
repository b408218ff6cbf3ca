"""The vector store: Chroma collections of chunks, and which collection is live.

We use chromadb directly rather than through langchain-chroma: ingestion needs stable ids, per-chunk
content hashes, listing ids by source for incremental updates, and building a whole new collection before
switching over (atomic rebuild). Those are plain Chroma calls; a wrapper would hide them.

The live collection's name is kept in ``<data_dir>/index.json`` and replaced atomically (``os.replace``), so
a rebuild that fails halfway never changes what is being served.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dispute_desk.models import Chunk
from dispute_desk.settings import Settings

log = logging.getLogger(__name__)

_BATCH = 500


class IndexMissing(Exception):
    """There is no index yet (or it was built for another model); the message says how to fix it."""


@dataclass(frozen=True)
class IndexPointer:
    collection: str
    model: str
    dimension: int
    updated: str
    source_ids: str = ""  # how chunk sources are named (set by ingest; "" = the old cwd-relative ids)

    def to_json(self) -> dict[str, Any]:
        data = {"collection": self.collection, "model": self.model, "dimension": self.dimension,
                "updated": self.updated}
        return data | ({"source_ids": self.source_ids} if self.source_ids else {})


def make_client(settings: Settings) -> Any:
    """The Chroma client for the configured store mode (embedded, on disk)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )


class ChunkStore:
    """Chunks in Chroma collections, plus the pointer to the live one."""

    def __init__(self, settings: Settings, client: Any | None = None) -> None:
        self.settings = settings
        self.client = client if client is not None else make_client(settings)
        self.pointer_path = settings.data_dir / "index.json"

    # -- which collection is live ------------------------------------------------------------------------

    def pointer(self) -> IndexPointer | None:
        try:
            raw = json.loads(self.pointer_path.read_text(encoding="utf-8"))
            return IndexPointer(raw["collection"], raw["model"], int(raw["dimension"]), raw.get("updated", ""),
                                str(raw.get("source_ids", "")))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexMissing(
                f"{self.pointer_path} is damaged ({exc}); run `python bot.py ingest --rebuild`"
            ) from exc

    def set_pointer(self, collection: str, model: str, dimension: int, source_ids: str = "") -> IndexPointer:
        pointer = IndexPointer(collection, model, dimension, datetime.now(UTC).isoformat(timespec="seconds"),
                               source_ids)
        self.pointer_path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.pointer_path.parent, prefix=".index-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(pointer.to_json(), handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.pointer_path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return pointer

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete ``.index-*.json`` files a killed ingest left between writing and renaming the pointer.

        Call it only while holding the ingest lock: then no pointer write can be in progress.
        """
        removed = []
        for stale in self.pointer_path.parent.glob(".index-*.json"):
            stale.unlink(missing_ok=True)
            removed.append(stale)
        return removed

    def live(self, model: str) -> Collection:
        """The collection being served, checked against the configured model."""
        pointer = self.pointer()
        if pointer is None:
            raise IndexMissing(
                f"no index in {self.settings.data_dir}; build it with `python bot.py ingest` (or `make run`)"
            )
        if pointer.model != model:
            raise IndexMissing(
                f"the index was built with embedding model {pointer.model!r} but the settings say {model!r}; "
                "run `python bot.py ingest --rebuild` to re-embed"
            )
        try:
            raw = self.client.get_collection(pointer.collection, embedding_function=None)
        except Exception as exc:
            raise IndexMissing(
                f"collection {pointer.collection!r} is missing from {self.settings.chroma_dir}; "
                "run `python bot.py ingest --rebuild`"
            ) from exc
        return Collection(raw)

    # -- collections -------------------------------------------------------------------------------------

    def new_collection_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        return f"{self.settings.collection_prefix}-{stamp}"

    def create(self, name: str) -> Collection:
        raw = self.client.create_collection(
            name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
        )
        return Collection(raw)

    def open(self, name: str) -> Collection | None:
        """A collection by name, or None when it does not exist."""
        try:
            return Collection(self.client.get_collection(name, embedding_function=None))
        except Exception:
            return None

    def drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:
            log.debug("collection %s was already gone", name)

    def collection_names(self) -> list[str]:
        return [c.name for c in self.client.list_collections()]


class Collection:
    """One Chroma collection of chunks."""

    def __init__(self, raw: Any) -> None:
        self.raw = raw
        self.name: str = raw.name

    def count(self) -> int:
        return int(self.raw.count())

    def upsert(self, chunks: Sequence[Chunk], embeddings: Sequence[Sequence[float]]) -> None:
        for start in range(0, len(chunks), _BATCH):
            part = chunks[start : start + _BATCH]
            self.raw.upsert(
                ids=[c.id for c in part],
                documents=[c.text for c in part],
                metadatas=[c.metadata() for c in part],
                embeddings=[list(e) for e in embeddings[start : start + _BATCH]],
            )

    def delete(self, ids: Sequence[str]) -> None:
        for start in range(0, len(ids), _BATCH):
            self.raw.delete(ids=list(ids[start : start + _BATCH]))

    def manifest(self) -> dict[str, tuple[str, str]]:
        """Id -> (source, content_hash) for every chunk, without documents or vectors."""
        out: dict[str, tuple[str, str]] = {}
        total = self.count()
        for offset in range(0, total, 5000):
            got = self.raw.get(include=["metadatas"], limit=5000, offset=offset)
            for chunk_id, meta in zip(got["ids"], got["metadatas"], strict=True):
                out[chunk_id] = (str(meta.get("source", "")), str(meta.get("content_hash", "")))
        return out

    def embeddings_for(self, ids: Sequence[str]) -> dict[str, list[float]]:
        """Stored vectors by id (used to copy unchanged chunks into a rebuilt collection)."""
        out: dict[str, list[float]] = {}
        for start in range(0, len(ids), _BATCH):
            got = self.raw.get(ids=list(ids[start : start + _BATCH]), include=["embeddings"])
            for chunk_id, vector in zip(got["ids"], got["embeddings"], strict=True):
                out[chunk_id] = [float(v) for v in vector]
        return out

    def iter_chunks(self) -> Iterator[Chunk]:
        total = self.count()
        for offset in range(0, total, 2000):
            got = self.raw.get(include=["documents", "metadatas"], limit=2000, offset=offset)
            for chunk_id, text, meta in zip(got["ids"], got["documents"], got["metadatas"], strict=True):
                yield Chunk.from_store(chunk_id, text or "", meta or {})

    def query(self, embedding: Sequence[float], n: int) -> list[tuple[str, float]]:
        """Nearest chunk ids with cosine similarity, best first."""
        n = min(n, self.count())
        if n <= 0:
            return []
        got = self.raw.query(query_embeddings=[list(embedding)], n_results=n, include=["distances"])
        return [(cid, 1.0 - float(dist)) for cid, dist in zip(got["ids"][0], got["distances"][0], strict=True)]


def read_json(path: Path) -> dict[str, Any] | None:
    """A small JSON file written by us (reports, pointer), or None when absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None
