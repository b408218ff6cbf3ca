"""The vector store: Chroma collections of chunks, and which collection is live.

We use chromadb directly rather than through langchain-chroma: ingestion needs stable ids, per-chunk
content hashes, listing ids by source for incremental updates, and building a whole new collection before
switching over (atomic rebuild). Those are plain Chroma calls; a wrapper would hide them.

The live collection's name is kept in ``<data_dir>/index.json`` and replaced atomically (``os.replace``), so
a rebuild that fails halfway never changes what is being served.

Server mode (``DESK_CHROMA_HOST``): the client is an ``HttpClient``, the pointer lives in the server (see
``dispute_desk.store_server``) so every process on every host sees a switch, one writer at a time is enforced
by a lease kept in the server, and nothing Chroma-related is written under the data dir. A server that cannot
be reached raises ``StoreUnavailable`` (a kind of ``IndexMissing``, so every front end already reports it).
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import tempfile
import uuid
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from dispute_desk.models import Chunk
from dispute_desk.settings import Settings

if TYPE_CHECKING:  # chromadb is imported only when a store is opened
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection as ChromaCollection
    from chromadb.api.types import PyEmbeddings

    from dispute_desk.store_server import ServerLease

log = logging.getLogger(__name__)

_BATCH = 500
_T = TypeVar("_T")


class IndexMissing(Exception):
    """There is no index yet (or it was built for another model); the message says how to fix it."""


class StoreUnavailable(IndexMissing):
    """The Chroma server cannot be reached; nothing was switched, and the next call tries again."""


class WriterBusy(Exception):
    """Another process (on this host or another) holds the writer lease."""


class LeaseLost(WriterBusy):
    """The writer's lease expired and another writer took over; the run must not switch the index."""


@dataclass(frozen=True)
class IndexPointer:
    collection: str
    model: str
    dimension: int
    updated: str
    revision: str = ""  # new on every write: a changed revision means the live index changed
    source_ids: str = ""  # how chunk sources are named (set by ingest; "" = the old cwd-relative ids)

    def to_json(self) -> dict[str, Any]:
        data = {"collection": self.collection, "model": self.model, "dimension": self.dimension,
                "updated": self.updated, "revision": self.revision}
        return data | ({"source_ids": self.source_ids} if self.source_ids else {})

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> IndexPointer:
        return cls(str(raw["collection"]), str(raw["model"]), int(raw["dimension"]), str(raw.get("updated", "")),
                   str(raw.get("revision", "")), str(raw.get("source_ids", "")))


def _unreachable(exc: BaseException) -> bool:
    if isinstance(exc, ConnectionError | TimeoutError):
        return True
    try:
        import httpx
    except ImportError:  # pragma: no cover - a chromadb dependency
        return False
    return isinstance(exc, httpx.TransportError) or "Could not connect to a Chroma server" in str(exc)


@contextlib.contextmanager
def reachable(where: str) -> Iterator[None]:
    """Turn "connection refused"-like failures of a Chroma call into ``StoreUnavailable`` naming the server."""
    try:
        yield
    except StoreUnavailable:
        raise
    except Exception as exc:
        if _unreachable(exc):
            raise StoreUnavailable(
                f"{where} is unreachable ({type(exc).__name__}: {exc}); start it, or check DESK_CHROMA_HOST / "
                "DESK_CHROMA_PORT. Nothing was switched; the next request tries again."
            ) from exc
        raise


def server_address(settings: Settings) -> str:
    scheme = "https" if settings.chroma_ssl else "http"
    return f"the Chroma server at {scheme}://{settings.chroma_host}:{settings.chroma_port}"


def make_client(settings: Settings) -> ClientAPI:
    """The Chroma client for the configured store mode: embedded on disk, or a server (``DESK_CHROMA_HOST``)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    if settings.chroma_host:
        headers = {}
        if settings.chroma_auth_token is not None:
            token = settings.chroma_auth_token.get_secret_value()
            bearer = settings.chroma_auth_header.lower() == "authorization" and not token.startswith("Bearer ")
            headers[settings.chroma_auth_header] = f"Bearer {token}" if bearer else token
        with reachable(server_address(settings)):
            return chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, ssl=settings.chroma_ssl, headers=headers,
                settings=ChromaSettings(anonymized_telemetry=False),
            )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )


class PointerBackend(Protocol):
    where: str

    def read(self) -> IndexPointer | None: ...

    def write(self, pointer: IndexPointer) -> None: ...

    def stamp(self) -> object: ...


class LocalPointer:
    """``<data_dir>/index.json``, replaced atomically; its mtime tells a running desk that it changed."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.where = str(path.parent / "chroma")

    def read(self) -> IndexPointer | None:
        try:
            return IndexPointer.from_json(json.loads(self.path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            return None
        except (ValueError, KeyError, TypeError) as exc:
            raise IndexMissing(f"{self.path} is damaged ({exc}); run `python bot.py ingest --rebuild`") from exc

    def write(self, pointer: IndexPointer) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".index-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(pointer.to_json(), handle, indent=2)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise

    def stamp(self) -> object:
        try:
            return self.path.stat().st_mtime_ns
        except FileNotFoundError:
            return 0


class ChunkStore:
    """Chunks in Chroma collections, plus the pointer to the live one."""

    def __init__(
        self, settings: Settings, client: ClientAPI | None = None, *, lease: ServerLease | None = None
    ) -> None:
        self.settings = settings
        self.server = bool(settings.chroma_host)
        self.client = client if client is not None else make_client(settings)
        self.pointer_path = settings.data_dir / "index.json"
        self.lease = lease  # server mode: the writer lease a pointer switch must still hold
        self._pointers: PointerBackend
        if self.server:
            from dispute_desk.store_server import ServerPointer

            self.where = server_address(settings)
            self._pointers = ServerPointer(self.client, f"{settings.collection_prefix}.live", self.where,
                                           poll_seconds=settings.pointer_poll_seconds)
        else:
            self.where = str(settings.chroma_dir)
            self._pointers = LocalPointer(self.pointer_path)

    # -- which collection is live ------------------------------------------------------------------------

    def pointer(self) -> IndexPointer | None:
        with reachable(self.where):
            return self._pointers.read()

    def pointer_stamp(self) -> object:
        """Changes whenever any process switches or updates the live index (cheap; polled before answers)."""
        with reachable(self.where):
            return self._pointers.stamp()

    def set_pointer(self, collection: str, model: str, dimension: int, source_ids: str = "") -> IndexPointer:
        pointer = IndexPointer(collection, model, dimension, datetime.now(UTC).isoformat(timespec="seconds"),
                               uuid.uuid4().hex, source_ids)
        with reachable(self.where):
            if self.lease is not None:
                self.lease.check()  # raises LeaseLost: another writer took over, do not switch
            self._pointers.write(pointer)
        return pointer

    def remove_stale_temp_files(self) -> list[Path]:
        """Delete ``.index-*.json`` files a killed ingest left between writing and renaming the pointer.

        Call it only while holding the ingest lock: then no pointer write can be in progress.
        """
        removed = []
        if self.pointer_path.parent.is_dir():
            for stale in self.pointer_path.parent.glob(".index-*.json"):
                stale.unlink(missing_ok=True)
                removed.append(stale)
        return removed

    @contextlib.contextmanager
    def writer_lease(self) -> Iterator[ServerLease | None]:
        """Server mode: the lease in the server for the duration of a write (``WriterBusy`` if taken).

        Embedded mode yields None: the file lock in the data dir already covers every writer there.
        """
        if not self.server:
            yield None
            return
        from dispute_desk.store_server import ServerLease

        lease = ServerLease(self.client, f"{self.settings.collection_prefix}.writer", self.where,
                            seconds=self.settings.writer_lease_seconds)
        with reachable(self.where):
            lease.acquire()
        self.lease = lease
        try:
            yield lease
        except Exception as exc:
            if not isinstance(exc, LeaseLost) and _lost(lease):
                raise LeaseLost(  # e.g. the writer that took over dropped this run's half-built collection
                    f"this ingest stalled past its writer lease (DESK_WRITER_LEASE_SECONDS) and another writer "
                    f"took over ({type(exc).__name__}: {exc}); the live index was not switched by this run"
                ) from exc
            raise
        finally:
            self.lease = None
            lease.release()

    def live(self, model: str) -> Collection:
        """The collection being served, checked against the configured model."""
        pointer = self.pointer()
        if pointer is None:
            where = self.where if self.server else self.settings.data_dir
            raise IndexMissing(f"no index in {where}; build it with `python bot.py ingest` (or `make run`)")
        if pointer.model != model:
            raise IndexMissing(
                f"the index was built with embedding model {pointer.model!r} but the settings say {model!r}; "
                "run `python bot.py ingest --rebuild` to re-embed"
            )
        try:
            with reachable(self.where):
                raw = self.client.get_collection(pointer.collection, embedding_function=None)
        except StoreUnavailable:
            raise
        except Exception as exc:
            raise IndexMissing(
                f"collection {pointer.collection!r} is missing from {self.where}; "
                "run `python bot.py ingest --rebuild`"
            ) from exc
        return Collection(raw, self.where)

    # -- collections -------------------------------------------------------------------------------------

    def new_collection_name(self) -> str:
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%f")
        return f"{self.settings.collection_prefix}-{stamp}"

    def create(self, name: str) -> Collection:
        with reachable(self.where):
            raw = self.client.create_collection(
                name, configuration={"hnsw": {"space": "cosine"}}, embedding_function=None
            )
        return Collection(raw, self.where)

    def open(self, name: str) -> Collection | None:
        """A collection by name, or None when it does not exist."""
        try:
            with reachable(self.where):
                return Collection(self.client.get_collection(name, embedding_function=None), self.where)
        except StoreUnavailable:
            raise
        except Exception:
            return None

    def drop(self, name: str) -> None:
        try:
            self.client.delete_collection(name)
        except Exception:
            log.debug("collection %s was already gone (or the store is unreachable)", name)

    def collection_names(self) -> list[str]:
        with reachable(self.where):
            return [c.name for c in self.client.list_collections()]

    def heartbeat(self) -> None:
        """Raises ``StoreUnavailable`` when the store cannot be reached (used by `bot.py health`)."""
        with reachable(self.where):
            self.client.heartbeat()


def _lost(lease: ServerLease) -> bool:
    try:
        lease.check()
    except LeaseLost:
        return True
    except Exception:
        return False  # cannot tell (server unreachable): report the original error
    return False


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

    def all_vectors(self) -> tuple[list[str], list[Sequence[float]]]:
        """Every record's id and vector, in pages (for exact search in memory over a small index)."""
        ids: list[str] = []
        vectors: list[Sequence[float]] = []
        total = self.count()
        for offset in range(0, total, 2000):
            with reachable(self.where):
                got = self.raw.get(include=["embeddings"], limit=2000, offset=offset)
            ids.extend(got["ids"])
            vectors.extend(_vectors(_asked(got["embeddings"])))
        return ids, vectors

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
        total = self.count()
        for offset in range(0, total, 2000):
            with reachable(self.where):
                got = self.raw.get(include=["documents", "metadatas"], limit=2000, offset=offset)
            records = zip(got["ids"], _asked(got["documents"]), _asked(got["metadatas"]), strict=True)
            for chunk_id, text, meta in records:
                yield Chunk.from_store(chunk_id, text or "", meta or {})

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


def read_json(path: Path) -> dict[str, Any] | None:
    """A small JSON file written by us (reports, pointer), or None when absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None
