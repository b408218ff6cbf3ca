"""Progress from the ingest worker thread to one Discord status message, at most one edit per interval.

The worker calls the relay (any thread); ``loop.call_soon_threadsafe`` hands the latest value to the event
loop, and a small task edits the message when something changed, never more often than ``interval``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from types import TracebackType

import discord

log = logging.getLogger(__name__)

STAGES = {"reading": "Reading files", "embedding": "Embedding passages", "writing": "Writing the index"}


def progress_text(title: str, stage: str, done: int, total: int) -> str:
    label = STAGES.get(stage, stage.capitalize())
    if total > 0:
        percent = round(100 * done / total)
        return f"🔄 {title}: {label}… {done}/{total} ({percent}%)"
    return f"🔄 {title}: {label}…"


class ProgressRelay:
    def __init__(
        self,
        loop: asyncio.AbstractEventLoop,
        publish: Callable[[str], Awaitable[None]],
        *,
        title: str,
        interval: float = 2.0,
    ) -> None:
        self._loop = loop
        self._publish = publish
        self._title = title
        self._interval = interval
        self._latest: tuple[str, int, int] | None = None
        self._changed = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self.edits = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        """Hand one progress report to the event loop (called from the worker thread)."""
        self._loop.call_soon_threadsafe(self._update, (stage, done, total))

    def _update(self, value: tuple[str, int, int]) -> None:
        self._latest = value
        self._changed.set()

    async def _pump(self) -> None:
        while True:
            await self._changed.wait()
            self._changed.clear()
            if self._latest is not None:
                try:
                    await self._publish(progress_text(self._title, *self._latest))
                    self.edits += 1
                except discord.HTTPException as exc:
                    log.warning("could not update the progress message: %s", exc)
            await asyncio.sleep(self._interval)

    async def __aenter__(self) -> ProgressRelay:
        self._task = asyncio.create_task(self._pump(), name="desk-progress")
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
