"""Calling the moderators: where the ping goes, the message, and how often it may happen.

The configured moderator role is the only mention the bot ever lets ping. A member can call moderators at
most once per ``escalation_cooldown_seconds``, each answer only once, and a server at most
``escalation_guild_limit`` times per that window.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING

import discord

from desk_discord.ratelimit import Cooldown, WindowLimit
from desk_discord.render import escalation_message, thread_name
from dispute_desk.journal import QuestionRecord
from dispute_desk.settings import Settings

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)


@dataclass
class EscalationLimits:
    per_user: Cooldown
    per_guild: WindowLimit

    @classmethod
    def from_settings(cls, settings: Settings) -> EscalationLimits:
        window = settings.discord.escalation_cooldown_seconds
        return cls(Cooldown(window), WindowLimit(settings.discord.escalation_guild_limit, window))

    def check(self, user_id: int, guild_id: int) -> float:
        """0 and counted when allowed, else seconds to wait (nothing counted)."""
        wait = self.per_user.retry_after(user_id)
        if wait > 0:
            return wait
        wait = self.per_guild.hit(guild_id)
        if wait > 0:
            return wait
        self.per_user.hit(user_id)
        return 0.0

    def undo(self, user_id: int, guild_id: int) -> None:
        self.per_guild.undo(guild_id)
        self.per_user.forget(user_id)


def moderator_ping(role_id: int) -> discord.AllowedMentions:
    """Exactly the moderator role may be pinged; not @everyone, not other roles, not members."""
    return discord.AllowedMentions(everyone=False, users=False, roles=[discord.Object(id=role_id)], replied_user=False)


async def _destination(
    bot: DeskBot, interaction: discord.Interaction, record: QuestionRecord
) -> tuple[discord.abc.Messageable | None, bool]:
    """(where to post, whether the question may be quoted there)."""
    channel = interaction.channel
    if record.private:
        log_channel_id = bot.settings.discord.log_channel_id
        log_channel = bot.get_channel(log_channel_id) if log_channel_id else None
        if isinstance(log_channel, discord.abc.Messageable):
            return log_channel, True
        return channel if isinstance(channel, discord.abc.Messageable) else None, False
    if isinstance(channel, discord.Thread):
        return channel, True
    message = interaction.message
    if isinstance(channel, discord.TextChannel) and message is not None:
        try:
            thread = await message.create_thread(name=thread_name(f"Moderator help: {record.question}"))
            return thread, True
        except discord.HTTPException as exc:
            log.warning("could not open a thread for the escalation (%s); posting in the channel", exc)
    return channel if isinstance(channel, discord.abc.Messageable) else None, True


async def send_escalation(bot: DeskBot, interaction: discord.Interaction, record: QuestionRecord) -> str | None:
    """Post the one moderator ping; returns what to tell the member, or None if it could not be sent.

    Any failure before the ping is posted (Discord refusing it, a timeout, a dropped connection) is None, so
    the caller can undo the escalation and let the member try again; nothing after the post can fail.
    """
    role_id = bot.settings.discord.moderator_role_id
    assert role_id is not None
    try:
        target, quote = await _destination(bot, interaction, record)
        if target is None:
            return None
        jump_url = interaction.message.jump_url if interaction.message is not None and not record.private else None
        text = escalation_message(
            role_id=role_id,
            user_id=interaction.user.id,
            question=record.question if quote else None,
            answer_text=record.answer,
            jump_url=jump_url,
        )
        await target.send(text, allowed_mentions=moderator_ping(role_id))
    except Exception:
        log.exception("sending the moderator ping failed")
        return None
    log.info("moderators called for question %s in guild %s", record.id, record.guild_id)
    if record.private and quote:
        return "I've passed your question to the moderators privately; one of them will get in touch."
    mention = getattr(target, "mention", None)
    where = mention if isinstance(mention, str) else "this channel"
    return f"I've asked the moderators to take a look; they'll reply in {where}."
