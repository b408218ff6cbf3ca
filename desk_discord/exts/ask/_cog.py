"""``/ask`` and questions by mention; follow-ups in the bot's threads use the thread's first question."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from typing import TYPE_CHECKING, Any, Final

import discord
from discord import app_commands
from discord.ext import commands

from desk_discord.errors import NO_MENTIONS
from desk_discord.exts.ask._answering import Asked, ask_and_record, reply_parts, streaming_text
from desk_discord.exts.ask._gate import QuestionGate, Refusal
from desk_discord.private import answer_by_dm, public_note, slash_note
from desk_discord.ratelimit import Cooldown
from desk_discord.render import MESSAGE_LIMIT, question_from_message, thread_name, truncate
from desk_discord.views.protection_offer import OFFER_TEXT, offer_view
from desk_discord.wording import say
from dispute_desk.journal import QuestionRecord
from dispute_desk.privacy import Detail, find_details, redact
from dispute_desk.protection.intent import is_protection_question

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)

THREAD_ARCHIVE_MINUTES: Final = 1440


class AskCog(commands.Cog, name="Ask"):
    def __init__(self, bot: DeskBot) -> None:
        self.bot = bot
        settings = bot.settings
        self.gate = QuestionGate(settings, bot.texts, Cooldown(settings.discord.question_cooldown_seconds))

    # /ask ------------------------------------------------------------------------------------------------
    @app_commands.command(name="ask", description="Ask about a payment dispute on Upwork (answers cite sources)")
    @app_commands.describe(
        question="Your question, e.g. 'My client opened a dispute on a fixed-price milestone, what now?'",
        ephemeral="Only you see the question and the answer (default: everyone in the channel)",
    )
    async def ask(self, interaction: discord.Interaction, question: str, ephemeral: bool = False) -> None:
        refusal = self.gate.check(user_id=interaction.user.id, in_dm=interaction.guild is None, question=question)
        if refusal is not None:
            await interaction.response.send_message(
                truncate(refusal.text, MESSAGE_LIMIT), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        details = find_details(question) if not ephemeral and interaction.guild is not None else []
        if details:  # personal details in a public question: answer privately, never repeat them in public
            ephemeral, question = True, redact(question, details)
        await interaction.response.defer(ephemeral=ephemeral, thinking=True)
        first = None
        if isinstance(interaction.channel, discord.Thread):  # asked inside one of the bot's answer threads
            first = await self._thread_question(interaction.channel.id)
        streamed = False

        async def show(text: str) -> None:  # a written answer, shown as it streams in the "thinking" message
            nonlocal streamed
            await interaction.edit_original_response(
                content=streaming_text(self.bot, text), allowed_mentions=NO_MENTIONS
            )
            streamed = True

        asked = await ask_and_record(
            self.bot,
            question,
            user_id=interaction.user.id,
            guild_id=interaction.guild_id,
            channel_id=interaction.channel_id,
            context=first.question if first is not None else None,
            private=ephemeral,
            origin="slash",
            on_text=show,
        )
        embed, view = reply_parts(self.bot, asked)
        if streamed:  # the final edit replaces the streamed text with the checked answer, sources and buttons
            await interaction.edit_original_response(content=None, embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.followup.send(embed=embed, view=view, ephemeral=ephemeral, allowed_mentions=NO_MENTIONS)
        if details:
            await interaction.followup.send(
                slash_note(self.bot.texts, details), ephemeral=True, allowed_mentions=NO_MENTIONS
            )
        offer = self._protection_offer(question)
        if offer is not None:
            await interaction.followup.send(offer[0], view=offer[1], ephemeral=True, allowed_mentions=NO_MENTIONS)

    def _protection_offer(self, question: str) -> tuple[str, discord.ui.View] | None:
        """For "am I protected?" questions: the guided check's text and start button, if that feature is loaded."""
        if self.bot.get_cog("Protection") is None or not is_protection_question(question):
            return None
        return OFFER_TEXT, offer_view()

    # Mentions, follow-ups and DMs ---------------------------------------------------------------------------
    @commands.Cog.listener()
    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot or message.webhook_id is not None or self.bot.user is None:
            return
        try:
            await self._route(message)
        except Exception:
            log.exception("answering message %s failed", message.id)
            with contextlib.suppress(discord.HTTPException):
                await message.channel.send(say(self.bot.texts, "error"), allowed_mentions=NO_MENTIONS)

    def _mentions_me(self, message: discord.Message) -> bool:
        """Tell whether the message names the bot (or its own role); @everyone and other roles do not count."""
        me = self.bot.user
        if me is not None and any(user.id == me.id for user in message.mentions):
            return True
        own_role = message.guild.self_role if message.guild is not None else None
        return own_role is not None and own_role in message.role_mentions

    async def _route(self, message: discord.Message) -> None:
        assert self.bot.user is not None
        watch = self.bot.get_cog("Watch")
        # get_cog returns the base Cog; the watch extension is looked up by name so `ask` works without it.
        if watch is not None and await watch.claims(message):  # type: ignore[attr-defined]
            return  # a new post in a watched help channel, or a thread a moderator or helper took over
        question = question_from_message(message.content, self.bot.user.id)
        if message.guild is None:
            await self._answer(message, question, origin="dm")
            return
        mentioned = self._mentions_me(message)
        if isinstance(message.channel, discord.Thread):
            first = await self._thread_question(message.channel.id)
            if first is not None:
                by_asker = await asyncio.to_thread(self.bot.journal.asked_by, first, message.author.id)
                if by_asker or mentioned:
                    await self._answer(
                        message, question, origin="follow-up", context=first.question, thread=message.channel
                    )
                return
        if mentioned:
            in_thread = self.bot.settings.discord.answer_in_thread
            await self._answer(message, question, origin="mention", new_thread=in_thread)

    async def _thread_question(self, thread_id: int) -> QuestionRecord | None:
        return await asyncio.to_thread(self.bot.journal.thread_question, thread_id)

    async def _answer(
        self,
        message: discord.Message,
        question: str,
        *,
        origin: str,
        context: str | None = None,
        thread: discord.Thread | None = None,
        new_thread: bool = False,
    ) -> None:
        refusal = self.gate.check(user_id=message.author.id, in_dm=message.guild is None, question=question)
        if refusal is not None:
            await self._refuse(message, refusal)
            return
        details = find_details(question) if message.guild is not None else []
        if details:  # a public question with personal details: continue privately, repeat nothing here
            await self._answer_privately(message, redact(question, details), details, origin=origin, context=context)
            return
        if new_thread and isinstance(message.channel, discord.TextChannel):
            thread = await self._start_thread(message, question)
        target: discord.abc.Messageable = thread or message.channel
        progress: list[discord.Message] = []  # the message a written answer streams into, once it has text

        async def show(text: str) -> None:
            content = streaming_text(self.bot, text)
            if progress:
                await progress[0].edit(content=content, allowed_mentions=NO_MENTIONS)
            else:
                progress.append(await self._post(message, target, content=content))

        async with _typing(target):
            asked = await ask_and_record(
                self.bot,
                question,
                user_id=message.author.id,
                guild_id=message.guild.id if message.guild else None,
                channel_id=message.channel.id,
                thread_id=thread.id if thread is not None else None,
                context=context,
                origin=origin,
                on_text=show,
            )
        await self._send_answer(message, target, asked, progress[0] if progress else None)

    async def _answer_privately(
        self, message: discord.Message, question: str, details: list[Detail], *, origin: str, context: str | None
    ) -> None:
        """Answer by DM (if the member accepts DMs) and say so publicly, naming only the kinds of detail found."""
        asked = await ask_and_record(
            self.bot,
            question,
            user_id=message.author.id,
            guild_id=message.guild.id if message.guild else None,
            channel_id=message.channel.id,
            context=context,
            private=True,
            origin=origin,
        )
        embed, view = reply_parts(self.bot, asked)
        sent = await answer_by_dm(message.author, embed=embed, view=view)
        await message.reply(
            public_note(self.bot.texts, details, dm_sent=sent), mention_author=False, allowed_mentions=NO_MENTIONS
        )

    async def _start_thread(self, message: discord.Message, question: str) -> discord.Thread | None:
        try:
            return await message.create_thread(name=thread_name(question), auto_archive_duration=THREAD_ARCHIVE_MINUTES)
        except discord.HTTPException as exc:
            log.warning("could not start a thread in %s (%s); answering in place", message.channel.id, exc)
            return None

    async def _post(self, message: discord.Message, target: discord.abc.Messageable, **kwargs: Any) -> discord.Message:
        """Send to ``target``: as a reply when answering in place, else into the answer thread."""
        if target is message.channel:
            return await message.reply(mention_author=False, allowed_mentions=NO_MENTIONS, **kwargs)
        return await target.send(allowed_mentions=NO_MENTIONS, **kwargs)

    async def _send_answer(
        self,
        message: discord.Message,
        target: discord.abc.Messageable,
        asked: Asked,
        streamed: discord.Message | None = None,
    ) -> None:
        embed, view = reply_parts(self.bot, asked)
        if streamed is not None:  # the final edit replaces the streamed text with the checked answer
            await streamed.edit(content=None, embed=embed, view=view, allowed_mentions=NO_MENTIONS)
        else:
            await self._post(message, target, embed=embed, view=view)
        offer = self._protection_offer(asked.answer.question)
        if offer is not None:
            await target.send(offer[0], view=offer[1], allowed_mentions=NO_MENTIONS)

    async def _refuse(self, message: discord.Message, refusal: Refusal) -> None:
        # A refused DM is not repeated to someone who keeps writing: the cooldown applies to refusals too.
        if refusal.reason == "dm" and self.gate.cooldown.hit(("dm", message.author.id)) > 0:
            return
        expiry: dict[str, Any] = {"delete_after": 15.0} if refusal.reason == "cooldown" else {}
        await message.reply(
            truncate(refusal.text, MESSAGE_LIMIT),
            mention_author=False,
            allowed_mentions=NO_MENTIONS,
            **expiry,
        )


@contextlib.asynccontextmanager
async def _typing(channel: discord.abc.Messageable) -> AsyncIterator[None]:
    """Show "typing…" while answering, if allowed; a refused typing indicator never stops the answer."""
    try:
        indicator = channel.typing()
        await indicator.__aenter__()
    except Exception as exc:
        log.debug("no typing indicator: %s", exc)
        yield
        return
    try:
        yield
    finally:
        await indicator.__aexit__(None, None, None)
