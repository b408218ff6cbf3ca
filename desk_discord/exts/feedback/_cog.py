"""What the answer buttons do: store votes, show the cited passages, call the moderators."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import TYPE_CHECKING

import discord
from discord.ext import commands

from desk_discord.errors import NO_MENTIONS
from desk_discord.exts.feedback._escalation import EscalationLimits, send_escalation
from desk_discord.render import sources_embed

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)

VOTE_REPLIES = {
    ("new", 1): "Thanks! Glad it helped. 👍",
    ("new", -1): "Thanks for telling me. 👎 Moderators review answers that miss the mark.",
    ("changed", 1): "Changed your vote to 👍.",
    ("changed", -1): "Changed your vote to 👎. Moderators review answers that miss the mark.",
    ("same", 1): "You already gave this answer a 👍 (one vote per answer).",
    ("same", -1): "You already gave this answer a 👎 (one vote per answer).",
}
GONE = "I can't find this answer any more (it may predate a reset of my records). Please ask again."


class FeedbackCog(commands.Cog, name="Feedback"):
    def __init__(self, bot: DeskBot) -> None:
        self.bot = bot
        self.limits = EscalationLimits.from_settings(bot.settings)

    async def _private(self, interaction: discord.Interaction, text: str) -> None:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def vote(self, interaction: discord.Interaction, question_id: int, value: int) -> None:
        journal = self.bot.journal
        if await asyncio.to_thread(journal.question, question_id) is None:
            await self._private(interaction, GONE)
            return
        outcome = await asyncio.to_thread(journal.vote, question_id, interaction.user.id, value)
        await self._private(interaction, VOTE_REPLIES[(outcome, value)])

    async def show_sources(self, interaction: discord.Interaction, question_id: int) -> None:
        record = await asyncio.to_thread(self.bot.journal.question, question_id)
        if record is None:
            await self._private(interaction, GONE)
            return
        embed = sources_embed(record.question, record.sources, disclaimer=self.bot.texts.disclaimer)
        await interaction.response.send_message(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)

    async def escalate(self, interaction: discord.Interaction, question_id: int) -> None:
        settings = self.bot.settings
        journal = self.bot.journal
        if settings.discord.moderator_role_id is None or interaction.guild is None:
            await self._private(
                interaction,
                "Moderator help isn't set up here (no moderator role is configured). "
                "Please contact a moderator directly.",
            )
            return
        record = await asyncio.to_thread(journal.question, question_id)
        if record is None:
            await self._private(interaction, GONE)
            return
        if await asyncio.to_thread(journal.is_escalated, question_id):
            await self._private(interaction, "The moderators have already been asked to look at this answer.")
            return
        wait = self.limits.check(interaction.user.id, interaction.guild.id)
        if wait > 0:
            minutes = max(1, math.ceil(wait / 60))
            await self._private(
                interaction,
                f"Moderators were called very recently. To keep pings useful, please wait about {minutes} "
                "min before asking again.",
            )
            return
        if not await asyncio.to_thread(journal.mark_escalated, question_id, interaction.user.id):
            self.limits.undo(interaction.user.id, interaction.guild.id)
            await self._private(interaction, "The moderators have already been asked to look at this answer.")
            return
        await interaction.response.defer(ephemeral=True, thinking=True)
        done = await send_escalation(self.bot, interaction, record)
        if done is None:
            await asyncio.to_thread(journal.unmark_escalated, question_id)
            self.limits.undo(interaction.user.id, interaction.guild.id)
            await self._private(interaction, "I couldn't post the request for a moderator here. Please try again.")
            return
        try:  # the moderators have been called: a failure to tell the member is not a failed escalation
            await self._private(interaction, done)
        except discord.HTTPException as exc:
            log.warning("moderators were called for question %s but the member could not be told: %s", question_id, exc)
