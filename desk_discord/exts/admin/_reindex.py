"""``/reindex`` (re-read the knowledge folder in the background) and ``/sync`` (re-register commands)."""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from desk_discord.audit import record_action
from desk_discord.checks import moderator_only
from desk_discord.command_sync import SyncFailed
from desk_discord.errors import NO_MENTIONS
from desk_discord.exts.admin._format import change_lines, summary_line, summary_text
from desk_discord.exts.admin._jobs import IngestJobs, Job, StatusMessage
from desk_discord.render import MESSAGE_LIMIT, truncate
from ingest.pipeline import IngestBusy, IngestFailed, SwitchRefused

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)

BUSY_ELSEWHERE = (
    "Another ingestion is already running (probably started from the command line). "
    "Nothing was changed; try again when it has finished."
)


async def refuse_if_busy(jobs: IngestJobs, interaction: discord.Interaction, label: str) -> Job | None:
    """Claim the job slot for ``label``, or tell the moderator politely that a job is running."""
    job = jobs.begin(label, interaction.user.display_name)
    if job is None:
        running = jobs.current.describe() if jobs.current else "another job"
        await interaction.response.send_message(
            f"⏳ I'm already working on {running}. I'll post its summary when it's done; "
            "please run this again after that.",
            ephemeral=True,
            allowed_mentions=NO_MENTIONS,
        )
    return job


def failure_text(title: str, error: BaseException) -> str:
    if isinstance(error, IngestBusy):
        return f"⏳ {title} not started. {BUSY_ELSEWHERE}"
    if isinstance(error, SwitchRefused):
        lines = [f"🛑 {title} not switched on: the new index answers the eval questions worse. The current index "
                 "is unchanged and still answering; fix the knowledge, or run `/reindex force:True` to switch anyway."]
        if error.summary is not None:
            lines += change_lines(error.summary)
        return truncate("\n".join(lines), MESSAGE_LIMIT)
    if isinstance(error, IngestFailed):
        return f"❌ {title} failed: {error}. The current index is unchanged and still answering."
    log.error("%s failed", title, exc_info=error)
    return f"❌ {title} failed unexpectedly; the current index is unchanged. Details are in the bot's log."


class AdminCog(commands.Cog, name="Admin"):
    def __init__(self, bot: DeskBot, jobs: IngestJobs) -> None:
        self.bot = bot
        self.jobs = jobs

    @app_commands.command(name="reindex", description="Moderators: re-read the knowledge folder and update the index")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)  # hidden from members by default; checked in code too
    @moderator_only()
    @app_commands.describe(force="switch to the new index even if it answers the eval questions worse")
    async def reindex(self, interaction: discord.Interaction, force: bool = False) -> None:
        job = await refuse_if_busy(self.jobs, interaction, "reindex")
        if job is None:
            return
        try:
            # The job slot is ours: announce it, then keep that one message up to date through the
            # interaction (no fetch of the message that could fail and leave "started" standing).
            await interaction.response.send_message(
                f"🔄 Reindex started by {interaction.user.display_name}. I keep answering from the current "
                "index meanwhile.",
                allowed_mentions=NO_MENTIONS,
            )
            status = StatusMessage(interaction.edit_original_response, interaction.channel)
            knowledge = self.bot.settings.knowledge_dir
            try:
                summary = await self.jobs.run([knowledge], title="Reindex", publish=status.show, force=force)
            except Exception as exc:
                await status.show(failure_text("Reindex", exc))
                await record_action(self.bot, interaction, "reindex", f"failed: {exc}", ok=False)
                return
            await status.show(summary_text("Reindex", summary))
            await record_action(self.bot, interaction, "reindex", summary_line(summary), ok=summary.ok)
        finally:
            self.jobs.end(job)

    @app_commands.command(name="sync", description="Moderators: register the slash commands with Discord again")
    @app_commands.guild_only()
    @app_commands.default_permissions(manage_guild=True)
    @moderator_only()
    async def sync(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        try:
            result = await self.bot.sync_commands(force=True)
        except SyncFailed as exc:
            log.warning("%s", exc)
            text = f"❌ {str(exc)[0].upper()}{str(exc)[1:]}. The commands Discord already has keep working."
            await interaction.followup.send(text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)
            await record_action(self.bot, interaction, "sync", str(exc), ok=False)
            return
        text = f"Synced {result.commands} commands ({result.scope}). Discord may take a minute to show changes."
        await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        await record_action(self.bot, interaction, "sync", f"{result.commands} commands, {result.scope}")
