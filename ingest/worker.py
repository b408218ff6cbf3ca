"""Reading and chunking one file under a time and memory limit, in a separate process.

A hostile or broken file can make a parser run for minutes (deeply nested HTML, a PDF with huge compressed
streams) or eat memory. Files are therefore read in a helper process that handles one file at a time: when a
file takes longer than the time limit, the helper is killed, the file is reported with that reason, and a
fresh helper reads the next one. The helper also runs under an address-space limit, so a file that would
need gigabytes fails with an out-of-memory reason instead of taking the machine (or the bot) down.

The helper is started on first use and reused across ingest runs in the same program, so a normal file costs
one round trip between processes.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from dispute_desk.models import Chunk
from ingest.chunking import chunk_document
from ingest.documents import ParsedDocument, UnreadableSource

log = logging.getLogger(__name__)

MEMORY_LIMIT_BYTES = 2 * 1024**3  # address space of the helper process
STARTUP_SECONDS = 120.0
UPLOADS = "uploads"  # moderators' uploads under the knowledge folder (desk_discord saves them there)
TRUSTED_UPLOADS = f"{UPLOADS}/policy"  # uploads a moderator explicitly marked as policy


def is_untrusted(source: str) -> bool:
    """Tell whether a source is an upload that may not claim to be official policy."""
    return source.startswith(f"{UPLOADS}/") and not source.startswith(f"{TRUSTED_UPLOADS}/")


def demote(document: ParsedDocument) -> ParsedDocument:
    """An upload ranks as what it is: a thread stays a forum thread, anything else is 'other', whatever its
    front matter says. Links it declares for itself are dropped with the policy claim.
    """
    if document.kind == "policy" or document.kind == "faq":
        log.info("%s declares kind %s; uploads count as 'other'", document.source, document.kind)
        document.kind = "forum" if document.posts else "other"
        document.url, document.urls = None, ()
        for section in document.sections:
            section.url, section.urls = None, ()
    return document


def read_chunks(path: Path, source: str, max_bytes: int) -> list[Chunk]:
    """Read and chunk one file in this process; ``UnreadableSource`` with a reason when it cannot be used."""
    from ingest.reader import read_source

    document = read_source(path, source=source, max_bytes=max_bytes)
    if is_untrusted(source):
        demote(document)
    chunks = chunk_document(document)
    if not chunks:
        raise UnreadableSource("no text to index")
    return chunks


def _limit_memory() -> None:
    try:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT_BYTES, MEMORY_LIMIT_BYTES))
    except (ImportError, ValueError, OSError):  # not available on this platform
        pass


def _serve(conn: Connection) -> None:
    """The helper's loop: one request (path, source, max_bytes) in, one reply out."""
    _limit_memory()
    import ingest.reader  # noqa: F401  (the readers load before the first file's clock starts)

    conn.send("ready")
    while True:
        try:
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        path, source, max_bytes = request
        try:
            reply: tuple[str, Any] = ("ok", read_chunks(Path(path), source, max_bytes))
        except UnreadableSource as exc:
            reply = ("unreadable", str(exc))
        except MemoryError:
            reply = ("unreadable", "needs more memory than a file may use; not read")
        except RecursionError:
            reply = ("unreadable", "too deeply nested to read")
        except Exception as exc:  # a reader bug: still one line for the moderator
            detail = str(exc).split("\n", 1)[0][:120]
            reply = ("unreadable", f"could not be read ({type(exc).__name__}: {detail})")
        try:
            conn.send(reply)
        except Exception as exc:  # a reply that cannot be sent back (too big, unpicklable)
            conn.send(("unreadable", f"could not be read ({type(exc).__name__})"))


class ParseWorker:
    """A helper process that reads files one at a time, each within ``timeout`` seconds."""

    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def _start(self) -> Connection:
        if self._process is not None and self._process.is_alive() and self._conn is not None:
            return self._conn
        self._stop()
        context = multiprocessing.get_context("spawn")  # never fork a process that runs threads (the bot)
        parent, child = context.Pipe()
        process = context.Process(target=_serve, args=(child,), name="desk-ingest-reader", daemon=True)
        process.start()
        child.close()
        self._process, self._conn = process, parent
        # Starting Python and importing the readers is not part of any file's time limit.
        try:
            started = parent.poll(STARTUP_SECONDS) and parent.recv() == "ready"
        except (EOFError, OSError):
            started = False
        if not started:
            self._stop()
            raise UnreadableSource("the reader process did not start; not read")
        return parent

    def _stop(self) -> None:
        process, conn = self._process, self._conn
        self._process = self._conn = None
        if conn is not None:
            conn.close()
        if process is not None and process.is_alive():
            process.kill()
            process.join(5)

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._process is not None and self._process.is_alive():
                try:
                    self._conn.send(None)
                    self._process.join(2)
                except OSError:
                    pass
            self._stop()

    def read(self, path: Path, source: str, max_bytes: int, timeout: float) -> list[Chunk]:
        """Chunks of one file, or ``UnreadableSource`` (also when it takes longer than ``timeout``)."""
        with self._lock:
            conn = self._start()
            try:
                conn.send((str(path), source, max_bytes))
                ready = conn.poll(timeout)
                reply = conn.recv() if ready else None
            except (EOFError, OSError):
                self._stop()
                raise UnreadableSource("the reader stopped while reading it (out of memory?); not read") from None
            if reply is None:
                self._stop()  # kill it: the next file gets a fresh helper
                raise UnreadableSource(f"reading it took longer than {timeout:g} s; not read")
        status, value = reply
        if status == "ok":
            chunks: list[Chunk] = value  # what read_chunks returned in the helper process
            return chunks
        raise UnreadableSource(value)


_shared: ParseWorker | None = None
_shared_lock = threading.Lock()


def shared_worker() -> ParseWorker:
    """The helper process of this program (started on first use, stopped at exit)."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = ParseWorker()
            atexit.register(_shared.close)
        return _shared


def read_guarded(path: Path, source: str, max_bytes: int, timeout: float) -> list[Chunk]:
    """``read_chunks`` in the helper process when ``timeout`` > 0, else in this process (no limit)."""
    if timeout <= 0:
        return read_chunks(path, source, max_bytes)
    return shared_worker().read(path, source, max_bytes, timeout)
