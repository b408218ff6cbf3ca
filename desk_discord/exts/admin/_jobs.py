"""Single-flight ingestion for moderators' commands (``/reindex``, ``/kb add``), off the event loop.

Only one job runs at a time in this bot (a second request is refused, not queued); the ingest pipeline's
own file lock also stops a CLI ingest from running alongside. Questions keep being answered from the old
index while a job runs: the Desk swaps in the new index only in ``reload`` afterwards.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

import discord

from desk_discord.errors import NO_MENTIONS
from desk_discord.exts.admin._progress import ProgressRelay
from ingest.pipeline import IngestSummary, run_ingest

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)


@dataclass
class Job:
    label: str
    actor: str
    started: float = field(default_factory=time.monotonic)

    def describe(self) -> str:
        minutes = int((time.monotonic() - self.started) // 60)
        ago = "just now" if minutes < 1 else f"{minutes} min ago"
        return f"a {self.label} started by {self.actor} {ago}"


class StatusMessage:
    """One message that shows a job's progress, changed through ``edit`` (a message's or an interaction's).

    If editing it stops working (an interaction's token lasts 15 minutes), the next update is posted as a
    new message in the channel and edited from then on.
    """

    def __init__(self, edit: Callable[..., Awaitable[object]], channel: object) -> None:
        self._edit = edit
        self._channel = channel

    async def show(self, text: str) -> None:
        try:
            await self._edit(content=text[:2000], allowed_mentions=NO_MENTIONS)
            return
        except discord.HTTPException:
            if not isinstance(self._channel, discord.abc.Messageable):
                raise
            log.info("status message could not be edited; posting a new one")
        message = await self._channel.send(text[:2000], allowed_mentions=NO_MENTIONS)
        self._edit = message.edit


class IngestJobs:
    def __init__(self, bot: DeskBot, *, ingest: Callable[..., IngestSummary] = run_ingest) -> None:
        self.bot = bot
        self.ingest = ingest
        self.current: Job | None = None

    def begin(self, label: str, actor: str) -> Job | None:
        """Claim the single job slot; None when a job is already running (see ``current``)."""
        if self.current is not None:
            return None
        self.current = Job(label, actor)
        return self.current

    def end(self, job: Job) -> None:
        if self.current is job:
            self.current = None

    async def run(
        self, paths: Sequence[Path], *, title: str, publish: Callable[[str], Awaitable[None]], force: bool = False
    ) -> IngestSummary:
        """Ingest ``paths`` in a worker thread with live progress, then reload the Desk (also in a thread).

        The running Desk's embedder does the embedding: a second copy of the model is never loaded.
        Raises what the pipeline raises (``IngestBusy``, ``IngestFailed``, ``SwitchRefused``). ``force`` switches
        even when the reindex guard finds the new index answers worse.
        """
        settings = self.bot.settings
        embedder = self.bot.desk.embedder
        loop = asyncio.get_running_loop()
        relay = ProgressRelay(loop, publish, title=title, interval=settings.discord.progress_edit_seconds)
        began = time.perf_counter()
        try:
            async with relay:
                summary = await asyncio.to_thread(
                    self.ingest, settings, list(paths), progress=relay, embedder=embedder,
                    **({"force": True} if force else {}),
                )
        except Exception:
            if self.bot.metrics is not None:
                self.bot.metrics.observe_reindex(time.perf_counter() - began, ok=False)
            raise
        if self.bot.metrics is not None:
            self.bot.metrics.observe_reindex(time.perf_counter() - began, ok=summary.ok)
        await asyncio.to_thread(self.bot.desk.reload)
        return summary
