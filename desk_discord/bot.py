"""The bot object: settings, the Desk, the Journal and the texts come in through the constructor."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, Literal

import discord
from discord.ext import commands

from desk_discord.command_sync import SyncFailed, SyncResult, sync_commands
from desk_discord.errors import DeskTree
from desk_discord.exts import walk_extensions

if TYPE_CHECKING:
    from dispute_desk.desk import Desk
    from dispute_desk.journal import Journal
    from dispute_desk.metrics import Metrics
    from dispute_desk.settings import Settings
    from dispute_desk.texts import Texts

log = logging.getLogger(__name__)

SyncMode = Literal["auto", "force", "never"]


def desk_intents() -> discord.Intents:
    """Only what the bot reads: servers, messages in them and in DMs, and their text (privileged)."""
    intents = discord.Intents.none()
    intents.guilds = True
    intents.guild_messages = True
    intents.dm_messages = True
    intents.message_content = True
    return intents


class DeskBot(commands.Bot):
    def __init__(
        self,
        settings: Settings,
        *,
        journal: Journal,
        texts: Texts,
        desk: Desk | None = None,
        desk_factory: Callable[[], Desk] | None = None,
        sync: SyncMode = "auto",
        extensions: Sequence[str] | None = None,
        metrics: Metrics | None = None,
        **client_options: Any,  # shard_count / shard_ids for the sharded variant (desk_discord.sharding)
    ) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            help_command=None,
            intents=desk_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=DeskTree,
            **client_options,
        )
        self.metrics = metrics
        self.settings = settings
        self.journal = journal
        self.texts = texts
        self._desk = desk
        self._desk_factory = desk_factory
        self._sync_mode: SyncMode = sync
        self._extension_names = list(extensions) if extensions is not None else walk_extensions()
        self.sync_result: SyncResult | None = None

    @property
    def desk(self) -> Desk:
        if self._desk is None:
            raise RuntimeError("the Desk is not loaded yet")
        return self._desk

    async def setup_hook(self) -> None:
        """Load the core, the features and sync commands (once, after login, before the gateway)."""
        if self._desk is None and self._desk_factory is not None:
            log.info("loading the index and the embedding model")
            self._desk = await asyncio.to_thread(self._desk_factory)
        if self.metrics is not None:
            if self._desk is not None:
                self._desk.metrics = self.metrics
            self._gateway_watch = asyncio.create_task(self._report_gateway_latency())
        for name in self._extension_names:
            await self.load_extension(name)
        log.info("loaded extensions: %s", ", ".join(self._extension_names))
        if self._sync_mode == "force":  # `python bot.py sync`: a refusal is the answer (exit 2)
            self.sync_result = await self.sync_commands(force=True)
        elif self._sync_mode == "auto":
            try:
                self.sync_result = await self.sync_commands(force=False)
            except SyncFailed as exc:  # mentions, buttons and already-registered commands still work
                log.error("%s. Keeping the commands Discord already has; run `python bot.py sync` to retry.", exc)

    async def sync_commands(self, *, force: bool) -> SyncResult:
        return await sync_commands(
            self.tree,
            data_dir=self.settings.data_dir,
            guild_id=self.settings.discord.discord_guild_id,
            application_id=self.application_id,
            api_base=self.settings.discord.discord_api_base,
            force=force,
        )

    def gateway_latencies(self) -> list[tuple[int | None, float]]:
        """(shard id, seconds) per gateway connection of this process."""
        latencies = getattr(self, "latencies", None)  # AutoShardedClient
        return list(latencies) if latencies is not None else [(None, self.latency)]

    async def _report_gateway_latency(self, every: float = 15.0) -> None:
        try:
            await self.wait_until_ready()
        except RuntimeError:  # never logged in (setup_hook driven by hand, as in tests)
            return
        while not self.is_closed():
            for shard, seconds in self.gateway_latencies():
                if self.metrics is not None:  # this task runs only with metrics on
                    self.metrics.set_gateway_latency(shard, seconds)
            await asyncio.sleep(every)

    async def on_message(self, message: discord.Message, /) -> None:
        """No text commands: questions by mention are handled by the ``ask`` extension's listener."""

    async def on_ready(self) -> None:
        log.info("connected as %s (%s) to %d servers", self.user, getattr(self.user, "id", "?"), len(self.guilds))
