"""``/desk watch``, ``/desk unwatch``, ``/desk watching`` and the first responder listener."""

from __future__ import annotations

import asyncio
import logging
import time
from typing import TYPE_CHECKING

import discord
from discord import app_commands
from discord.ext import commands

from desk_discord.audit import record_action
from desk_discord.checks import is_moderator, moderator_only
from desk_discord.errors import NO_MENTIONS
from desk_discord.exts.watch._respond import FirstResponder
from desk_discord.render import question_from_message

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)

NEEDS_HUMAN_TAG = "needs a human"
NEEDS_HUMAN_EMOJI = "🙋"
REFRESH_SECONDS = 60.0  # how often the watch list is re-read from the journal
WatchableChannel = discord.ForumChannel | discord.TextChannel


@app_commands.guild_only()
@app_commands.default_permissions(manage_guild=True)  # hidden from members by default; checked in code too
class WatchCog(
    commands.GroupCog, name="Watch", group_name="desk", group_description="Moderators: first responder in help channels"
):
    def __init__(self, bot: DeskBot) -> None:
        self.bot = bot
        self.watched: set[int] = set()
        self._refreshed = 0.0
        self.responder = FirstResponder(bot, tag_name=NEEDS_HUMAN_TAG, emoji=NEEDS_HUMAN_EMOJI)
        super().__init__()

    async def cog_load(self) -> None:
        await self._refresh()
        log.info("watching %d help channels", len(self.watched))

    async def _refresh(self) -> None:
        """Re-read the watch list (another process, e.g. another shard, may have changed it)."""
        self.watched = set(await asyncio.to_thread(self.bot.journal.watched))
        self._refreshed = time.monotonic()

    # Commands ----------------------------------------------------------------------------------------------
    @app_commands.command(name="watch", description="Answer each new post in a forum or text channel, once")
    @app_commands.describe(channel="The help forum (or text channel) whose new posts the bot answers first")
    @moderator_only()
    async def watch(self, interaction: discord.Interaction, channel: WatchableChannel) -> None:
        added = await asyncio.to_thread(self.bot.journal.watch, channel.id, interaction.guild_id)
        self.watched.add(channel.id)
        limit = self.bot.settings.discord.watch_daily_limit
        text = (
            f"👀 Watching {channel.mention}: I'll answer each new post once in its thread (at most {limit} a day), "
            "tag posts I can't answer, and stop in a thread once a moderator or helper replies."
            if added
            else f"I'm already watching {channel.mention}."
        )
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        await record_action(self.bot, interaction, "desk watch", f"#{channel.name} ({channel.id})")

    @app_commands.command(name="unwatch", description="Stop answering new posts in a channel")
    @app_commands.describe(channel="A channel the bot is watching")
    @moderator_only()
    async def unwatch(self, interaction: discord.Interaction, channel: WatchableChannel) -> None:
        removed = await asyncio.to_thread(self.bot.journal.unwatch, channel.id)
        self.watched.discard(channel.id)
        text = f"Stopped watching {channel.mention}." if removed else f"I wasn't watching {channel.mention}."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        await record_action(self.bot, interaction, "desk unwatch", f"#{channel.name} ({channel.id})")

    @app_commands.command(name="watching", description="The channels whose new posts the bot answers")
    @moderator_only()
    async def watching(self, interaction: discord.Interaction) -> None:
        ids = await asyncio.to_thread(self.bot.journal.watched, interaction.guild_id)
        if ids:
            listed = "\n".join(f"• <#{channel_id}>" for channel_id in ids)
            limit = self.bot.settings.discord.watch_daily_limit
            text = f"Watching {len(ids)} channel(s), at most {limit} answers a day each:\n{listed}"
        else:
            text = "I'm not watching any channel. A moderator can start with `/desk watch`."
        await interaction.response.send_message(text[:2000], ephemeral=True, allowed_mentions=NO_MENTIONS)

    # Listener ----------------------------------------------------------------------------------------------
    def new_post(self, message: discord.Message) -> bool:
        """A new post in a watched channel: a forum thread's opening message, or a message in a text channel."""
        channel = message.channel
        if isinstance(channel, discord.Thread):
            return channel.parent_id in self.watched and message.id == channel.id
        return channel.id in self.watched

    def in_watched_thread(self, message: discord.Message) -> bool:
        channel = message.channel
        return isinstance(channel, discord.Thread) and channel.parent_id in self.watched and message.id != channel.id

    async def claims(self, message: discord.Message) -> bool:
        """Whether this cog, not the mention/follow-up handler, decides about ``message``: new posts in watched
        channels, and anything in a watched thread where a moderator or helper has taken over.
        """
        if self.new_post(message):
            return True
        if self.in_watched_thread(message):
            return await asyncio.to_thread(self.bot.journal.is_silenced, message.channel.id)
        return False

    def is_helper(self, member: discord.abc.User) -> bool:
        settings = self.bot.settings
        if is_moderator(member, settings):
            return True
        role_id = settings.discord.helper_role_id
        roles = getattr(member, "roles", ()) if isinstance(member, discord.Member) else ()
        return role_id is not None and any(role.id == role_id for role in roles)

    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.guild is None or self.bot.user is None:
            return
        if time.monotonic() - self._refreshed > REFRESH_SECONDS:
            await self._refresh()
        if not self.watched:
            return
        if message.author.bot or message.webhook_id is not None:  # never its own or other bots' posts
            return
        try:
            if self.in_watched_thread(message):
                thread_id = message.channel.id
                journal = self.bot.journal
                if self.is_helper(message.author) and await asyncio.to_thread(journal.silence_thread, thread_id):
                    log.info("a moderator or helper replied in thread %s: answering there no more", thread_id)
                return
            if self.new_post(message):
                if not isinstance(message.channel, discord.Thread) and self.is_helper(message.author):
                    return  # in a text channel, moderators and helpers talk to members: not questions to answer
                question = question_from_message(message.content, self.bot.user.id)
                if isinstance(message.channel, discord.Thread) and message.channel.name:
                    title = message.channel.name.strip()
                    if title and title.lower() not in question.lower():
                        question = f"{title}. {question}".strip()
                await self.responder.respond(message, question)
        except Exception:
            log.exception("first response to message %s failed", message.id)
