"""Audit trail of moderator actions.

Every action is written to the journal (who, what, when) and, when configured, posted to the log channel.
Shared by the extensions that run moderator commands (admin, watch), so neither imports the other.
"""

from __future__ import annotations

import asyncio
import logging
from typing import TYPE_CHECKING

import discord

from desk_discord.errors import NO_MENTIONS, member_ref
from desk_discord.render import MESSAGE_LIMIT, neutral_text, truncate

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

log = logging.getLogger(__name__)


async def record_action(
    bot: DeskBot, interaction: discord.Interaction, action: str, detail: str = "", *, ok: bool = True
) -> None:
    user = interaction.user
    entry = await asyncio.to_thread(
        bot.journal.log_action,
        actor_id=user.id,
        actor_name=user.display_name,
        action=action,
        detail=detail,
        guild_id=interaction.guild_id,
        ok=ok,
    )
    who = member_ref(bot, user.id)
    log.info("admin action %s by %s (%s): %s", action, user.display_name, who, detail)
    channel_id = bot.settings.discord.log_channel_id
    channel = bot.get_channel(channel_id) if channel_id else None
    if not isinstance(channel, discord.abc.Messageable):
        return
    mark = "" if ok else " (failed)"
    text = f"🛠 {entry.created_at} · {neutral_text(user.display_name)} · `/{action}`{mark}"
    if detail:
        text += f"\n{neutral_text(detail)}"
    try:
        await channel.send(truncate(text, MESSAGE_LIMIT), allowed_mentions=NO_MENTIONS)
    except discord.HTTPException as exc:
        log.warning("could not post to the log channel %s: %s", channel_id, exc)
