"""Discord sharding (``DESK_DISCORD_SHARDS``, ``DESK_DISCORD_SHARD_IDS``).

One process handles all servers by default. Discord requires sharding from 2,500 servers, and one process on
a small machine tops out well before its CPU does the answering; then either let discord.py pick the count
(``auto``), or fix a count and give each process its own range of shard ids so several processes (on one or
several hosts, against one Chroma server) share the bot.
"""

from __future__ import annotations

from typing import Any

from discord.ext import commands

from desk_discord.bot import DeskBot
from dispute_desk.settings import Settings


class ShardedDeskBot(DeskBot, commands.AutoShardedBot):
    """The same bot over ``AutoShardedBot``: one gateway connection per shard in this process."""


def parse_shard_ids(text: str) -> list[int]:
    """``"0-3"`` -> [0, 1, 2, 3]; ``"0,2,5-6"`` -> [0, 2, 5, 6]."""
    ids: set[int] = set()
    for part in (p.strip() for p in text.split(",") if p.strip()):
        low, _, high = part.partition("-")
        if not low.isdigit() or (high and not high.isdigit()):
            raise ValueError(f"DESK_DISCORD_SHARD_IDS: {part!r} is not a shard id or a range like 0-3")
        first, last = int(low), int(high or low)
        if last < first:
            raise ValueError(f"DESK_DISCORD_SHARD_IDS: the range {part!r} is backwards")
        ids.update(range(first, last + 1))
    return sorted(ids)


def shard_options(settings: Settings) -> dict[str, Any] | None:
    """Keyword arguments for ``AutoShardedBot``, or None for a plain single-connection bot."""
    ids = parse_shard_ids(settings.discord.discord_shard_ids) if settings.discord.discord_shard_ids else None
    if settings.discord.discord_shards == "off":
        if ids:
            raise ValueError("DESK_DISCORD_SHARD_IDS needs DESK_DISCORD_SHARDS set to the total shard count")
        return None
    count = None if settings.discord.discord_shards == "auto" else int(settings.discord.discord_shards)
    if ids and count is None:
        raise ValueError("DESK_DISCORD_SHARD_IDS needs a fixed DESK_DISCORD_SHARDS count (every process must agree)")
    if ids and count is not None and ids[-1] >= count:
        raise ValueError(f"DESK_DISCORD_SHARD_IDS goes up to {ids[-1]} but DESK_DISCORD_SHARDS is {count}")
    return {"shard_count": count, "shard_ids": ids}


def bot_class(settings: Settings) -> tuple[type[DeskBot], dict[str, Any]]:
    options = shard_options(settings)
    return (DeskBot, {}) if options is None else (ShardedDeskBot, options)
