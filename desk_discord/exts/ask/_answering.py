"""Ask the core and remember the answer, both off the event loop; build what goes under the question.

With a chat model configured the answer is written as it streams: ``on_text`` is awaited with the text so far
at most once per ``EDIT_INTERVAL`` seconds (Discord rate-limits edits), and the final answer replaces it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from desk_discord.render import MESSAGE_LIMIT, answer_embed, truncate
from desk_discord.views.answer import answer_view
from desk_discord.wording import say
from dispute_desk.models import Answer

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)

EDIT_INTERVAL = 1.0  # seconds between edits of a streaming answer: at most one edit a second
TextCallback = Callable[[str], Awaitable[None]]


@dataclass(frozen=True)
class Asked:
    answer: Answer
    question_id: int


async def ask_and_record(
    bot: DeskBot,
    question: str,
    *,
    user_id: int,
    guild_id: int | None,
    channel_id: int | None,
    thread_id: int | None = None,
    context: str | None = None,
    private: bool = False,
    origin: str,
    on_text: TextCallback | None = None,
) -> Asked:
    if on_text is not None and getattr(bot.desk, "streams", False):
        answer = await _ask_streaming(bot, question, context, on_text)
    else:
        answer = await asyncio.to_thread(bot.desk.ask, question, context=context)
    question_id = await asyncio.to_thread(
        bot.journal.record_question,
        answer,
        user_id=user_id,
        guild_id=guild_id,
        channel_id=channel_id,
        thread_id=thread_id,
        context=context,
        private=private,
        origin=origin,
    )
    return Asked(answer, question_id)


def reply_parts(bot: DeskBot, asked: Asked) -> tuple[discord.Embed, discord.ui.View]:
    """Build the answer embed and its buttons (must be called on the event loop: views need it)."""
    embed = answer_embed(asked.answer, disclaimer=bot.texts.disclaimer, fallback=bot.texts.not_answered)
    return embed, answer_view(asked.question_id, answered=asked.answer.answered)


async def _ask_streaming(bot: DeskBot, question: str, context: str | None, on_text: TextCallback) -> Answer:
    """Ask in a worker thread, passing the written text so far to ``on_text`` at most once a second."""
    loop = asyncio.get_running_loop()
    pieces: list[str] = []

    def on_token(piece: str) -> None:  # called on the worker thread
        loop.call_soon_threadsafe(pieces.append, piece)

    task = asyncio.ensure_future(asyncio.to_thread(bot.desk.ask, question, context=context, on_token=on_token))
    shown = ""
    while True:
        done, _ = await asyncio.wait({task}, timeout=EDIT_INTERVAL)
        if done:
            return task.result()
        text = "".join(pieces)
        if text.strip() and text != shown:
            shown = text
            try:
                await on_text(text)
            except Exception:  # a failed progress edit must not lose the answer
                log.warning("could not show the streaming answer", exc_info=True)


def streaming_text(bot: DeskBot, text: str) -> str:
    """The message shown while an answer is being written: a note that it is not final, then the text so far."""
    head = say(bot.texts, "writing")
    return f"{head}\n\n{truncate(text, MESSAGE_LIMIT - len(head) - 2)}"
