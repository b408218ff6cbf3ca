"""Server mode (a shared Chroma server): the live-collection pointer and the writer lease, kept in the server.

Chroma has no transactions or compare-and-set, but collection names are unique on the server and renaming or
updating a collection addresses it by id. Both records are therefore small empty collections whose metadata
carries the data:

- ``<prefix>.live``: the pointer (collection, model, dimension, updated, revision). Every process polls its
  revision (at most every ``DESK_POINTER_POLL_SECONDS``) and reloads when it changes.
- ``<prefix>.writer``: the lease. Creating it is the atomic "acquire"; whoever creates it holds it until it
  deletes it or its ``expires`` time passes. An expired lease is first renamed aside (by id, so two processes
  taking over at once cannot delete each other's new lease) and then the name is created again: only one
  creator wins. The holder renews it from a background thread every third of its lifetime.

Neither name starts with ``<prefix>-``, so rebuild clean-up (which drops old ``<prefix>-<stamp>`` collections)
never touches them.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
import uuid
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from dispute_desk.store_pointer import IndexPointer, LeaseLost, StoreUnavailable, WriterBusy, reachable, unreachable

if TYPE_CHECKING:
    from chromadb.api import ClientAPI
    from chromadb.api.models.Collection import Collection

log = logging.getLogger(__name__)


def _not_found(exc: Exception) -> bool:
    from chromadb.errors import NotFoundError

    return isinstance(exc, NotFoundError) or "does not exist" in str(exc)


class ServerPointer:
    """The live-collection pointer as the metadata of one small collection in the server."""

    def __init__(self, client: ClientAPI, name: str, where: str, *, poll_seconds: float = 2.0) -> None:
        self.client = client
        self.name = name
        self.where = where
        self.poll_seconds = poll_seconds
        self._last_poll = float("-inf")
        self._last_stamp: object = None
        self._poll_lock = threading.Lock()

    def _record(self) -> Collection | None:
        try:
            return self.client.get_collection(self.name, embedding_function=None)
        except Exception as exc:
            if _not_found(exc):
                return None
            raise

    def read(self) -> IndexPointer | None:
        record = self._record()
        meta = (record.metadata or {}) if record is not None else {}
        if "collection" not in meta:
            return None
        return IndexPointer.from_json(meta)

    def write(self, pointer: IndexPointer) -> None:
        record = self.client.get_or_create_collection(self.name, embedding_function=None)
        record.modify(metadata=pointer.to_json())  # one request: every reader sees the old or the new pointer
        with self._poll_lock:
            self._last_poll = float("-inf")

    def stamp(self) -> object:
        """The pointer's revision, asked from the server at most every ``poll_seconds``."""
        with self._poll_lock:
            if time.monotonic() - self._last_poll < self.poll_seconds:
                return self._last_stamp
        pointer = self.read()
        stamp = (pointer.collection, pointer.revision) if pointer is not None else 0
        with self._poll_lock:
            self._last_stamp, self._last_poll = stamp, time.monotonic()
        return stamp


class ServerLease:
    """One writer at a time across processes and hosts, with an expiry so a crashed writer does not block."""

    def __init__(self, client: ClientAPI, name: str, where: str, *, seconds: float = 60.0) -> None:
        self.client = client
        self.name = name
        self.where = where
        self.seconds = seconds
        self.holder = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._id: uuid.UUID | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.lost = False

    def _metadata(self) -> dict[str, Any]:
        return {"holder": self.holder, "expires": time.time() + self.seconds,
                "renewed": datetime.now(UTC).isoformat(timespec="seconds")}

    def acquire(self) -> None:
        """Take the lease, or raise ``WriterBusy`` naming the current holder and when it expires."""
        for _ in range(3):
            try:
                record = self.client.create_collection(self.name, metadata=self._metadata(), embedding_function=None)
            except Exception as exc:
                if isinstance(exc, StoreUnavailable) or not self._taken(exc):
                    raise
            else:
                self._id = record.id
                self._start_heartbeat()
                log.info("writer lease %s taken by %s for %.0f s", self.name, self.holder, self.seconds)
                return
            current = self._current()
            if current is None:
                continue  # released between our create and our read: try again
            meta = current.metadata or {}
            expires = float(meta.get("expires", 0))
            if expires > time.time():
                until = datetime.fromtimestamp(expires, UTC).isoformat(timespec="seconds")
                raise WriterBusy(
                    f"another ingest is running ({meta.get('holder', 'unknown writer')}, lease in {self.where} "
                    f"until {until} unless renewed); try again when it has finished"
                )
            log.warning("writer lease of %s expired; taking over", meta.get("holder", "unknown writer"))
            aside = f"{self.name}.expired-{uuid.uuid4().hex[:12]}"
            try:
                current.modify(name=aside)  # by id: never touches a lease someone else just created
                self.client.delete_collection(aside)
            except Exception as exc:
                if unreachable(exc):
                    raise
                log.debug("expired lease was already moved aside", exc_info=True)
        raise WriterBusy(f"could not take the writer lease in {self.where}; another writer keeps taking it")

    def _taken(self, exc: Exception) -> bool:
        from chromadb.errors import UniqueConstraintError

        return isinstance(exc, UniqueConstraintError) or "already exists" in str(exc)

    def _current(self) -> Collection | None:
        try:
            return self.client.get_collection(self.name, embedding_function=None)
        except Exception as exc:
            if _not_found(exc):
                return None
            raise

    def check(self) -> Collection:
        """The lease record; ``LeaseLost`` unless this writer still holds an unexpired lease (asked from the server)."""
        current = self._current()
        meta = (current.metadata or {}) if current is not None else {}
        if current is None or current.id != self._id or float(meta.get("expires", 0)) <= time.time():
            self.lost = True
            raise LeaseLost(
                f"this ingest lost its writer lease in {self.where} (it stalled past "
                f"DESK_WRITER_LEASE_SECONDS={self.seconds:g}); the live index was not switched"
            )
        return current

    def renew(self) -> None:
        with reachable(self.where):
            self.check().modify(metadata=self._metadata())

    def _start_heartbeat(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._beat, name="desk-writer-lease", daemon=True)
        self._thread.start()

    def _beat(self) -> None:
        while not self._stop.wait(self.seconds / 3):
            try:
                self.renew()
            except LeaseLost:
                log.error("writer lease lost; this ingest will not switch the index")
                return
            except Exception:
                log.warning("could not renew the writer lease (will retry)", exc_info=True)

    def release(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        try:
            with reachable(self.where):
                current = self._current()
                if current is not None and current.id == self._id:
                    self.client.delete_collection(self.name)
        except Exception:
            log.warning("could not release the writer lease; it expires within %.0f s", self.seconds, exc_info=True)
