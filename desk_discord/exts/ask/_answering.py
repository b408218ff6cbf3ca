"""Ask the core and remember the answer, both off the event loop; build what goes under the question."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from desk_discord.exts.feedback import answer_view
from desk_discord.render import answer_embed
from dispute_desk.models import Answer

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot


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
) -> Asked:
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
