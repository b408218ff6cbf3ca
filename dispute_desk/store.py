"""The vector store: Chroma collections of chunks, and which collection is live.

We use chromadb directly rather than through langchain-chroma: ingestion needs stable ids, per-chunk
content hashes, listing ids by source for incremental updates, and building a whole new collection before
switching over (atomic rebuild). Those are plain Chroma calls; a wrapper would hide them.

The live collection's name is kept in ``<data_dir>/index.json`` and replaced atomically (``os.replace``), so
a rebuild that fails halfway never changes what is being served (``dispute_desk.store_pointer``). One
collection's operations are in ``dispute_desk.store_collection``.

Server mode (``DESK_CHROMA_HOST``): the client is an ``HttpClient``, the pointer lives in the server (see
``dispute_desk.store_server``) so every process on every host sees a switch, one writer at a time is enforced
by a lease kept in the server, and nothing Chroma-related is written under the data dir. A server that cannot
be reached raises ``StoreUnavailable`` (a kind of ``IndexMissing``, so every front end already reports it).
"""

from __future__ import annotations

import contextlib
import logging
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dispute_desk.settings import Settings
from dispute_desk.store_collection import Collection
from dispute_desk.store_pointer import (
    IndexMissing,
    IndexPointer,
    LeaseLost,
    LocalPointer,
    PointerBackend,
    StoreUnavailable,
    WriterBusy,
    reachable,
    read_json,
)

__all__ = [
    "ChunkStore",
    "Collection",
    "IndexMissing",
    "IndexPointer",
    "LeaseLost",
    "StoreUnavailable",
    "WriterBusy",
    "make_client",
    "reachable",
    "read_json",
    "server_address",
]

log = logging.getLogger(__name__)


def server_address(settings: Settings) -> str:
    scheme = "https" if settings.store.chroma_ssl else "http"
    return f"the Chroma server at {scheme}://{settings.store.chroma_host}:{settings.store.chroma_port}"


def make_client(settings: Settings) -> Any:
    """The Chroma client for the configured store mode: embedded on disk, or a server (``DESK_CHROMA_HOST``)."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    store = settings.store
    if store.chroma_host:
        headers = {}
        if store.chroma_auth_token is not None:
            token = store.chroma_auth_token.get_secret_value()
            bearer = store.chroma_auth_header.lower() == "authorization" and not token.startswith("Bearer ")
            headers[store.chroma_auth_header] = f"Bearer {token}" if bearer else token
        with reachable(server_address(settings)):
            return chromadb.HttpClient(
                host=store.chroma_host, port=store.chroma_port, ssl=store.chroma_ssl, headers=headers,
                settings=ChromaSettings(anonymized_telemetry=False),
            )
    settings.chroma_dir.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(
        path=str(settings.chroma_dir), settings=ChromaSettings(anonymized_telemetry=False)
    )


class ChunkStore:
    """Chunks in Chroma collections, plus the pointer to the live one."""

    def __init__(self, settings: Settings, client: Any | None = None, *, lease: Any | None = None) -> None:
        self.settings = settings
        self.server = bool(settings.store.chroma_host)
        self.client = client if client is not None else make_client(settings)
        self.pointer_path = settings.data_dir / "index.json"
        self.lease = lease  # server mode: the writer lease a pointer switch must still hold
        self._pointers: PointerBackend
        if self.server:
            from dispute_desk.store_server import ServerPointer

            self.where = server_address(settings)
            self._pointers = ServerPointer(self.client, f"{settings.store.collection_prefix}.live", self.where,
                                           poll_seconds=settings.store.pointer_poll_seconds)
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

    def set_pointer(
        self, collection: str, model: str, dimension: int, source_ids: str = "", *, backend: str
    ) -> IndexPointer:
        """Make ``collection`` live; ``backend`` is what computed its vectors with ``model`` (``Embedder.backend``)."""
        pointer = IndexPointer(collection, model, dimension, datetime.now(UTC).isoformat(timespec="seconds"),
                               uuid.uuid4().hex, source_ids, backend)
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
    def writer_lease(self) -> Iterator[Any]:
        """Server mode: the lease in the server for the duration of a write (``WriterBusy`` if taken).

        Embedded mode yields None: the file lock in the data dir already covers every writer there.
        """
        if not self.server:
            yield None
            return
        from dispute_desk.store_server import ServerLease

        lease = ServerLease(self.client, f"{self.settings.store.collection_prefix}.writer", self.where,
                            seconds=self.settings.store.writer_lease_seconds)
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
        return f"{self.settings.store.collection_prefix}-{stamp}"

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


def _lost(lease: Any) -> bool:
    try:
        lease.check()
    except LeaseLost:
        return True
    except Exception:
        return False  # cannot tell (server unreachable): report the original error
    return False
