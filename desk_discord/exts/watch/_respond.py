"""Answer one new post in a watched channel, once: in its thread, privately, or with a "needs a human" mark."""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING, Final

import discord

from desk_discord.errors import NO_MENTIONS
from desk_discord.private import answer_by_dm, public_note
from desk_discord.render import answer_embed, thread_name
from desk_discord.views.answer import answer_view
from dispute_desk.models import Answer
from dispute_desk.privacy import find_details, redact

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Final = 1440
ORIGIN = "watch"


class FirstResponder:
    def __init__(self, bot: DeskBot, *, tag_name: str, emoji: str) -> None:
        self.bot = bot
        self.tag_name = tag_name
        self.emoji = emoji

    async def respond(self, message: discord.Message, question: str) -> str:
        """Answer ``message`` (a new post) once; returns what happened (also kept in the journal)."""
        if not question.strip():
            return "empty"
        channel = message.channel
        forum_thread = channel if isinstance(channel, discord.Thread) else None
        watched_id = forum_thread.parent_id if forum_thread is not None else channel.id
        journal = self.bot.journal
        claim = await asyncio.to_thread(
            journal.claim_post, message.id, watched_id, daily_limit=self.bot.settings.discord.watch_daily_limit
        )
        if claim != "claimed":
            log.info("not answering post %s in %s: %s", message.id, watched_id, claim)
            return claim
        try:
            return await self._respond(message, question, forum_thread, watched_id)
        except BaseException:  # recorded as failed, not retried: a post is never answered twice
            await asyncio.to_thread(journal.settle_post, message.id, "failed")
            raise

    async def _respond(
        self, message: discord.Message, question: str, forum_thread: discord.Thread | None, watched_id: int
    ) -> str:
        journal = self.bot.journal
        channel = message.channel
        details = find_details(question)
        asked_text = redact(question, details) if details else question
        answer: Answer = await asyncio.to_thread(self.bot.desk.ask, asked_text)
        if not answer.answered:
            outcome = await self.needs_human(message, forum_thread)
            await self._record(answer, message, watched_id, forum_thread, private=bool(details))
            await asyncio.to_thread(journal.settle_post, message.id, outcome, forum_thread.id if forum_thread else None)
            return outcome
        thread = forum_thread or await self._start_thread(message, asked_text)
        if thread is not None and await asyncio.to_thread(journal.is_silenced, thread.id):
            await asyncio.to_thread(journal.settle_post, message.id, "silenced", thread.id)
            return "silenced"  # a moderator or helper answered while the desk was thinking
        question_id = await self._record(answer, message, watched_id, thread, private=bool(details))
        embed = answer_embed(answer, disclaimer=self.bot.texts.disclaimer, fallback=self.bot.texts.not_answered)
        view = answer_view(question_id, answered=True)
        target: discord.abc.Messageable = thread or channel
        if details:
            sent = await answer_by_dm(message.author, embed=embed, view=view)
            await target.send(public_note(self.bot.texts, details, dm_sent=sent), allowed_mentions=NO_MENTIONS)
            outcome = "private" if sent else "private-no-dm"
        else:
            await target.send(embed=embed, view=view, allowed_mentions=NO_MENTIONS)
            outcome = "answered"
        await asyncio.to_thread(journal.settle_post, message.id, outcome, thread.id if thread else None)
        return outcome

    async def _record(
        self,
        answer: Answer,
        message: discord.Message,
        watched_id: int,
        thread: discord.Thread | None,
        *,
        private: bool,
    ) -> int:
        return await asyncio.to_thread(
            self.bot.journal.record_question,
            answer,
            user_id=message.author.id,
            guild_id=message.guild.id if message.guild else None,
            channel_id=watched_id,
            thread_id=thread.id if thread is not None else None,
            private=private,
            origin=ORIGIN,
        )

    async def _start_thread(self, message: discord.Message, question: str) -> discord.Thread | None:
        try:
            return await message.create_thread(name=thread_name(question), auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.HTTPException as exc:
            log.warning("could not start a thread in %s (%s); answering in the channel", message.channel.id, exc)
            return None

    async def needs_human(self, message: discord.Message, thread: discord.Thread | None) -> str:
        """Mark a post the desk will not answer: the forum's "needs a human" tag (created if missing and the
        bot may), else a reaction. Returns "tagged", "reacted" or "unmarked".
        """
        forum = thread.parent if thread is not None else None
        if thread is not None and isinstance(forum, discord.ForumChannel):
            try:
                tag = next((t for t in forum.available_tags if t.name.lower() == self.tag_name.lower()), None)
                if tag is None:
                    tag = await forum.create_tag(name=self.tag_name, emoji=discord.PartialEmoji.from_str(self.emoji),
                                                 reason="Dispute Desk")
                await thread.add_tags(tag, reason="the desk could not answer this post")
                return "tagged"
            except (discord.HTTPException, ValueError) as exc:  # no Manage Threads/Channels, or 20 tags already
                log.info("could not tag thread %s (%s); reacting instead", thread.id, exc)
        try:
            await message.add_reaction(self.emoji)
            return "reacted"
        except discord.HTTPException as exc:
            log.warning("could not mark post %s as needing a human: %s", message.id, exc)
            return "unmarked"
