"""Written answers: a chat model rewrites the retrieved passages into prose, under a deadline and a check.

``LlmWriter.write`` is called by the Desk after it has composed the extractive answer (so every decline has
already been decided). It streams the model's tokens to ``on_token`` as they arrive, then checks the whole
text (``check.check``). The written answer replaces the extractive one only if it passes; a failed check, a
timeout, a rate limit or any provider error returns the extractive answer, with a log line and a counter.
The model call runs in a worker thread and the caller stops waiting at the deadline, so nobody waits longer
than ``DESK_LLM_TIMEOUT_SECONDS`` for the model, whatever the provider does.
"""

from __future__ import annotations

import logging
import queue
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any, Protocol

from dispute_desk.citing import source_for
from dispute_desk.models import Answer, Hit
from dispute_desk.settings import Settings
from dispute_desk.writing.check import check, renumber
from dispute_desk.writing.model import check_available, create_chat_model
from dispute_desk.writing.prompt import WritingPrompt

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

log = logging.getLogger(__name__)

TokenCallback = Callable[[str], None]


class WriterStats:
    """Counters since start: answers written, and fallbacks to the extractive answer by reason."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.written = 0
        self.fallbacks: Counter[str] = Counter()

    def add(self, outcome: str) -> None:
        with self._lock:
            if outcome == "written":
                self.written += 1
            else:
                self.fallbacks[outcome] += 1

    def snapshot(self) -> dict[str, Any]:
        with self._lock:
            return {"written": self.written, "fallbacks": dict(self.fallbacks)}


class Writer(Protocol):
    """What the Desk needs from a writer (``LlmWriter``, or a stand-in in tests)."""

    stats: WriterStats

    @property
    def label(self) -> str: ...

    def write(
        self,
        question: str,
        hits: Sequence[Hit],
        extractive: Answer,
        *,
        context: str | None = None,
        on_token: TokenCallback | None = None,
    ) -> Answer: ...


class _Timeout(Exception):
    pass


class LlmWriter:
    def __init__(
        self,
        settings: Settings,
        prompt: WritingPrompt,
        *,
        model: BaseChatModel | None = None,
        model_factory: Callable[[], BaseChatModel] | None = None,
    ) -> None:
        self.settings = settings
        self.prompt = prompt
        self.timeout = settings.llm.timeout_seconds
        self.stats = WriterStats()
        self._model = model
        self._factory = model_factory or (lambda: create_chat_model(settings))
        self._model_lock = threading.Lock()

    @property
    def label(self) -> str:
        """Provider and model, for logs and reports (never the key)."""
        return f"{self.settings.llm.provider}:{self.settings.llm.model}"

    def model(self) -> BaseChatModel:
        """The chat model, created on first use."""
        with self._model_lock:
            if self._model is None:
                self._model = self._factory()
            return self._model

    def write(
        self,
        question: str,
        hits: Sequence[Hit],
        extractive: Answer,
        *,
        context: str | None = None,
        on_token: TokenCallback | None = None,
    ) -> Answer:
        deadline = time.monotonic() + self.timeout
        passages = self.prompt.passages(hits)
        system, user = self.prompt.render(question, passages, context)
        try:
            text = self._stream(system, user, deadline, on_token)
        except _Timeout:
            return self._fallback(extractive, "timeout", f"no complete answer within {self.timeout:g} s")
        except Exception as exc:  # rate limits, refused connections, bad credentials, provider outages
            return self._fallback(extractive, _error_kind(exc), f"{type(exc).__name__}: {exc}")
        verdict = check(text, passages)
        if not verdict.ok:
            return self._fallback(extractive, verdict.reason, verdict.detail)
        cited = [passages[n - 1].hit for n in verdict.cited]
        sources = tuple(source_for(hit, number) for number, hit in enumerate(cited, start=1))
        facts = tuple(dict.fromkeys(f for hit in cited for f in hit.chunk.facts))
        self.stats.add("written")
        return replace(extractive, text=renumber(text.strip(), verdict.cited), sources=sources, facts=facts,
                       mode="written", fallback=None)

    def _fallback(self, extractive: Answer, reason: str, detail: str) -> Answer:
        self.stats.add(reason)
        log.warning("written answer discarded (%s%s); using the extractive answer",
                    reason, f": {detail}" if detail else "")
        return replace(extractive, mode="extractive", fallback=reason)

    def _stream(self, system: str, user: str, deadline: float, on_token: TokenCallback | None) -> str:
        """The model's whole reply, passing each piece to ``on_token``; ``_Timeout`` at the deadline."""
        pieces: queue.Queue[tuple[str, Any]] = queue.Queue()
        stop = threading.Event()

        def pump() -> None:
            try:
                stream = self.model().stream([("system", system), ("human", user)])
                try:
                    for chunk in stream:
                        if stop.is_set():
                            break
                        text = chunk.text
                        if text:
                            pieces.put(("token", str(text)))
                finally:
                    close = getattr(stream, "close", None)
                    if close is not None:
                        close()
                pieces.put(("done", None))
            except BaseException as exc:
                pieces.put(("error", exc))

        threading.Thread(target=pump, name="desk-llm", daemon=True).start()
        parts: list[str] = []
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise _Timeout
                try:
                    kind, value = pieces.get(timeout=remaining)
                except queue.Empty:
                    raise _Timeout from None
                if kind == "done":
                    return "".join(parts)
                if kind == "error":
                    raise value
                parts.append(value)
                if on_token is not None:
                    _safely(on_token, value)
        finally:
            stop.set()  # the worker stops reading at its next piece; the client's own timeout ends a stalled read


def _safely(callback: TokenCallback, text: str) -> None:
    try:
        callback(text)
    except Exception:  # a front end failing to show progress must not lose the answer
        log.exception("token callback failed")


def _error_kind(exc: BaseException) -> str:
    name = type(exc).__name__.lower()
    status = getattr(exc, "status_code", None) or getattr(getattr(exc, "response", None), "status_code", None)
    if status == 429 or "ratelimit" in name:
        return "rate_limited"
    if "timeout" in name:
        return "timeout"
    return "provider_error"


def build_writer(settings: Settings) -> LlmWriter | None:
    """The writer the settings ask for, or None when ``DESK_LLM_PROVIDER`` is not set."""
    if settings.llm.provider is None:
        return None
    check_available(settings)
    writer = LlmWriter(settings, WritingPrompt.load(settings.prompts_dir / "llm"))
    log.info("answers are written by %s (timeout %g s); extractive answers are the fallback",
             writer.label, writer.timeout)
    return writer
