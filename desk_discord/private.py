"""Continuing privately when a public question carries personal details (the core's ``dispute_desk.privacy``).

The answer goes to the member by DM when Discord allows it; the public note names only the kinds of detail
found, never the details, so the bot's own public messages cannot repeat them.
"""

from __future__ import annotations

import logging
from typing import Any

import discord

from desk_discord.errors import NO_MENTIONS
from desk_discord.render import MESSAGE_LIMIT, truncate
from desk_discord.wording import say
from dispute_desk.privacy import Detail, describe
from dispute_desk.texts import Texts

log = logging.getLogger(__name__)


async def answer_by_dm(
    member: discord.User | discord.Member, *, embed: discord.Embed, view: discord.ui.View | None = None
) -> bool:
    """Send the answer to ``member`` by DM; False when Discord refuses (DMs closed, no shared server)."""
    extra: dict[str, Any] = {"view": view} if view is not None else {}
    try:
        await member.send(embed=embed, allowed_mentions=NO_MENTIONS, **extra)
    except discord.HTTPException as exc:
        log.info("could not DM a private answer (%s)", exc)
        return False
    return True


def public_note(texts: Texts, details: list[Detail], *, dm_sent: bool) -> str:
    """The short public note: why the answer is not here, and where it is (or how to get it privately)."""
    name = "private_dm" if dm_sent else "private_no_dm"
    return truncate(say(texts, name, details=describe(details)), MESSAGE_LIMIT)


def slash_note(texts: Texts, details: list[Detail]) -> str:
    return truncate(say(texts, "private_slash", details=describe(details)), MESSAGE_LIMIT)
