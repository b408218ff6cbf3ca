"""A scripted stand-in for the core Desk, for plumbing tests of the Discord layer."""

from __future__ import annotations

import threading
import time

from dispute_desk.desk import DeskStatus
from dispute_desk.models import Answer, Source

SOURCES = (
    Source(
        1,
        "Fixed-price disputes",
        "https://support.example.invalid/disputes",
        "2.3 Filing a dispute",
        "policy",
        0.82,
        "Within the review period the client may dispute a submitted milestone. Mediation follows.",
    ),
    Source(
        2,
        "Client disputed my hours",
        "https://community.example.invalid/t/123",
        None,
        "forum",
        0.61,
        "Staff: hours logged with the desktop app and screenshots are covered by Hourly Protection.",
    ),
)


class FakeDesk:
    """Scripted core: answers unless the question contains 'unknown'; records calls and their threads.

    ``delay`` is a *blocking* sleep, like model inference or a Chroma call: if the bot called ``ask`` on the
    event loop, the loop would stall for that long.
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[tuple[str, str | None]] = []
        self.call_threads: list[int] = []
        self.reloads = 0
        self.embedder = None  # moderators' ingests then build the settings' embedder
        self._lock = threading.Lock()

    def ask(self, question: str, *, context: str | None = None) -> Answer:
        with self._lock:
            self.calls.append((question, context))
            self.call_threads.append(threading.get_ident())
        if self.delay:
            time.sleep(self.delay)
        if "unknown" in question.lower():
            return Answer(question, False, "", SOURCES[:1], reason="weak_evidence")
        text = f"For '{question}': the client can dispute within the review period [1]; hourly work is covered [2]."
        return Answer(question, True, text, SOURCES, latency_ms=12.0)

    def reload(self) -> None:
        self.reloads += 1

    def status(self) -> DeskStatus:
        return DeskStatus(
            chunks=42,
            sources=7,
            model="hashing",
            store_mode="embedded",
            collection="passages-1",
            data_dir="data",
            last_ingest={"finished": "2026-11-20T10:00:00+00:00", "files": 7, "chunks": 42, "errors": []},
        )


class StreamingFakeDesk(FakeDesk):
    """A Desk with a chat model: streams ``pieces`` to ``on_token`` (one every ``piece_delay`` s, blocking, like a
    model answering), then returns the final answer; ``final`` replaces the scripted text (e.g. a fallback)."""

    streams = True

    def __init__(self, pieces: list[str], piece_delay: float = 0.1, final: str | None = None) -> None:
        super().__init__()
        self.pieces = pieces
        self.piece_delay = piece_delay
        self.final = final

    def ask(self, question: str, *, context: str | None = None, on_token=None) -> Answer:  # type: ignore[override]
        for piece in self.pieces:
            time.sleep(self.piece_delay)
            if on_token is not None:
                on_token(piece)
        answer = super().ask(question, context=context)
        if self.final is not None:
            answer = Answer(answer.question, answer.answered, self.final, answer.sources, fallback="unsupported_figure")
        return answer
