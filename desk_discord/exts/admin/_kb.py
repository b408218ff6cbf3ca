"""``/kb add``, ``/kb status`` and ``/kb gaps`` for moderators."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from desk_discord.audit import record_action
from desk_discord.checks import moderator_only
from desk_discord.errors import NO_MENTIONS
from desk_discord.exts.admin._format import gaps_embed, status_embed, summary_line, summary_text
from desk_discord.exts.admin._jobs import IngestJobs, StatusMessage
from desk_discord.exts.admin._reindex import failure_text, refuse_if_busy
from desk_discord.exts.admin._uploads import SavedUpload, UploadRejected, precheck, save_upload, undo_upload
from desk_discord.render import neutral_text

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

GAPS_SHOWN = 10
NOT_KEPT = " The file was not kept either: send it again when you're ready."


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)  # hidden from members by default; checked in code too
class KnowledgeCog(
    commands.GroupCog, name="Knowledge", group_name="kb", group_description="Moderators: the knowledge base"
):
    def __init__(self, bot: DeskBot, jobs: IngestJobs) -> None:
        self.bot = bot
        self.jobs = jobs
        super().__init__()

    @app_commands.command(name="add", description="Add a file (Markdown, text, HTML, PDF, Discourse JSON)")
    @app_commands.describe(
        file="The file to add to the knowledge base",
        replace="Replace an earlier upload",
        policy="Rank it as official policy (only for real policy text; otherwise it counts as forum/other)",
    )
    @moderator_only()
    async def add(
        self, interaction: discord.Interaction, file: discord.Attachment, replace: bool = False, policy: bool = False
    ) -> None:
        name = file.filename
        try:
            precheck(name, file.size, self.bot.settings)
        except UploadRejected as exc:
            await self._rejected(interaction, name, str(exc))
            return
        job = await refuse_if_busy(self.jobs, interaction, "knowledge upload")
        if job is None:
            return
        try:
            await interaction.response.defer(thinking=True)
            data = await file.read()
            try:
                saved = await asyncio.to_thread(
                    save_upload, data, name, self.bot.settings, replace=replace, policy=policy
                )
            except UploadRejected as exc:
                await self._rejected(interaction, name, str(exc))
                return
            await self._ingest_upload(interaction, saved)
        finally:
            self.jobs.end(job)

    async def _ingest_upload(self, interaction: discord.Interaction, saved: SavedUpload) -> None:
        """Index a saved upload. If that does not happen the file is taken back out, so "nothing was changed"
        is what is on disk and sending it again is not refused as a duplicate.
        """
        path = saved.path
        title = f"Adding {path.name}"
        renamed = f" (saved as `{path.name}`: {saved.renamed})" if saved.renamed else ""
        status: StatusMessage | None = None
        try:
            message = await interaction.followup.send(f"🔄 {title}{renamed}…", wait=True, allowed_mentions=NO_MENTIONS)
            status = StatusMessage(message.edit, interaction.channel)
            summary = await self.jobs.run([path], title=title, publish=status.show)
        except Exception as exc:
            await asyncio.to_thread(undo_upload, saved)
            text = failure_text(title, exc) + NOT_KEPT
            if status is not None:
                await status.show(text)
            else:
                await interaction.followup.send(text, allowed_mentions=NO_MENTIONS)
            await record_action(self.bot, interaction, "kb add", f"{path.name}: failed, not kept: {exc}", ok=False)
            return
        except BaseException:  # cancelled (the bot is stopping): leave no file nobody was told about
            undo_upload(saved)
            raise
        if not summary.ok:  # the file itself could not be indexed: it is not kept either
            await asyncio.to_thread(undo_upload, saved)
        kept = renamed if summary.ok else NOT_KEPT
        await status.show(summary_text(title, summary) + kept)
        await record_action(self.bot, interaction, "kb add", f"{path.name}: {summary_line(summary)}", ok=summary.ok)

    async def _rejected(self, interaction: discord.Interaction, name: str, reason: str) -> None:
        text = f"❌ Not added: `{neutral_text(name)[:100].replace('`', chr(39))}`: {reason}."
        if interaction.response.is_done():
            await interaction.followup.send(text, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        await record_action(self.bot, interaction, "kb add", f"{name}: rejected: {reason}", ok=False)

    @app_commands.command(name="status", description="Index size, last reindex, model and store")
    @moderator_only()
    async def status(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        status = await asyncio.to_thread(self.bot.desk.status)
        actions = await asyncio.to_thread(self.bot.journal.actions, action="reindex", limit=1)
        embed = status_embed(status, actions[0] if actions else None)
        await interaction.followup.send(embed=embed, ephemeral=True, allowed_mentions=NO_MENTIONS)
        await record_action(self.bot, interaction, "kb status")

    @app_commands.command(name="gaps", description="Recent questions the bot couldn't answer or that got 👎")
    @moderator_only()
    async def gaps(self, interaction: discord.Interaction) -> None:
        await interaction.response.defer(ephemeral=True, thinking=True)
        gaps = await asyncio.to_thread(self.bot.journal.gaps, guild_id=interaction.guild_id, limit=GAPS_SHOWN)
        await interaction.followup.send(embed=gaps_embed(gaps), ephemeral=True, allowed_mentions=NO_MENTIONS)
        await record_action(self.bot, interaction, "kb gaps", f"{len(gaps)} shown")
