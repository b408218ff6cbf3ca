"""``/protected``: the guided "Am I protected?" check, private to the member who runs it."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from desk_discord.errors import NO_MENTIONS, reply_privately
from desk_discord.exts.protection._wizard import ProtectionCheckView
from dispute_desk.protection import ProtectionCheck, RulesError
from dispute_desk.protection.dates import utc_today
from dispute_desk.protection.rules import RULES_FILE
from ingest.reader import read_policy

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)

UNAVAILABLE = (
    "The protection check isn't available right now: its rules file has a problem. "
    "Please tell a moderator (they'll find the details in the bot's log)."
)


class CheckSource:
    """Loads the rules once and again whenever the rules file changes (moderators edit it without a restart).

    A broken edit keeps the last good rules in use and logs every problem.
    """

    def __init__(self, knowledge_dir: Path) -> None:
        self.knowledge_dir = knowledge_dir
        self.path = knowledge_dir / RULES_FILE
        self._protection_check: ProtectionCheck | None = None
        self._stamp: float | None = None
        self._lock = asyncio.Lock()

    def _mtime(self) -> float | None:
        try:
            return self.path.stat().st_mtime
        except OSError:
            return None

    async def get(self) -> ProtectionCheck | None:
        async with self._lock:
            stamp = await asyncio.to_thread(self._mtime)
            if self._protection_check is not None and stamp == self._stamp:
                return self._protection_check
            try:
                self._protection_check = await asyncio.to_thread(ProtectionCheck.load, self.knowledge_dir, read_policy)
                self._stamp = stamp
                rules = len(self._protection_check.ruleset.rules)
                log.info("protection rules loaded from %s (%d rules)", self.path, rules)
            except RulesError as exc:
                log.error(
                    "protection rules unusable, %s: %s",
                    "keeping the last good ones" if self._protection_check else "the check is off",
                    exc,
                )
                self._stamp = stamp
            return self._protection_check


class ProtectionCog(commands.Cog, name="Protection"):
    def __init__(self, bot: DeskBot, *, today: Callable[[], date] = utc_today) -> None:
        self.bot = bot
        self.today = today
        self.checks = CheckSource(bot.settings.knowledge_dir)

    async def cog_load(self) -> None:
        await self.checks.get()  # load now so a broken file shows up in the log at start

    @app_commands.command(
        name="protected", description="Am I protected? A guided check of your contract, with deadlines and sources"
    )
    async def protected(self, interaction: discord.Interaction) -> None:
        await self.start(interaction)

    async def start(self, interaction: discord.Interaction) -> None:
        """Open a private check for whoever clicked or ran the command."""
        protection_check = await self.checks.get()
        if protection_check is None:
            await reply_privately(interaction, UNAVAILABLE)
            return
        check_view = ProtectionCheckView(protection_check, interaction.user.id, today=self.today)
        check_view.last_interaction = interaction
        await interaction.response.send_message(
            check_view.content(), view=check_view, ephemeral=True, allowed_mentions=NO_MENTIONS
        )
