"""Which collection is live: the index pointer, where it is kept on disk, and the store's error types.

The live collection's name is kept in ``<data_dir>/index.json`` and replaced atomically (``os.replace``), so
a rebuild that fails halfway never changes what is being served. Server mode keeps it in the server instead
(``dispute_desk.store_server``).
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol


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
    # What computed the vectors with ``model`` (``Embedder.backend``: "torch", "onnx-int8"...). "" = an index
    # written before it was recorded: unknown, so the next ingest re-encodes it (see ``same_vectors``).
    backend: str = ""

    def to_json(self) -> dict[str, Any]:
        data = {"collection": self.collection, "model": self.model, "dimension": self.dimension,
                "updated": self.updated, "revision": self.revision}
        return (data | ({"source_ids": self.source_ids} if self.source_ids else {})
                | ({"backend": self.backend} if self.backend else {}))

    @classmethod
    def from_json(cls, raw: dict[str, Any]) -> IndexPointer:
        return cls(str(raw["collection"]), str(raw["model"]), int(raw["dimension"]), str(raw.get("updated", "")),
                   str(raw.get("revision", "")), str(raw.get("source_ids", "")), str(raw.get("backend", "")))

    def same_vectors(self, model: str, backend: str) -> bool:
        """Whether ``model`` on ``backend`` computes the vectors this index holds (an unrecorded backend: no)."""
        return self.model == model and bool(self.backend) and self.backend == backend

    def backend_note(self, model: str, backend: str) -> str:
        """Why questions encoded by ``model`` on ``backend`` do not quite match this index ('' when they do).

        Only a warning: the backends of one model agree to a cosine of about 0.99, so answers stay
        usable, but the next ingest re-encodes every chunk. (Another model is refused by ``ChunkStore.live``.)
        """
        if self.model != model or self.same_vectors(model, backend):
            return ""
        built = f"the {self.backend} backend" if self.backend else "a backend it did not record (an older index)"
        return (f"the index's vectors were computed with {built}, but questions are encoded with {backend}; "
                "run `python bot.py ingest` to re-encode every chunk with it")


def unreachable(exc: BaseException) -> bool:
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
        if unreachable(exc):
            raise StoreUnavailable(
                f"{where} is unreachable ({type(exc).__name__}: {exc}); start it, or check DESK_CHROMA_HOST / "
                "DESK_CHROMA_PORT. Nothing was switched; the next request tries again."
            ) from exc
        raise


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


def read_json(path: Path) -> dict[str, Any] | None:
    """A small JSON file written by us (reports, pointer), or None when absent or unreadable."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return None
    return data if isinstance(data, dict) else None
