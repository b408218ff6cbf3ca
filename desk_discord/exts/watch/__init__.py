"""First responder in help channels: ``/desk watch|unwatch|watching`` and the listener answering new posts.

In a watched forum channel (each new thread is a post) or text channel the bot answers every new post once, in
its own thread; when the desk declines it tags the post "needs a human" (or reacts) instead of guessing. A reply
by a moderator or a helper silences it in that thread. What it answered is kept in the journal (never twice,
also across restarts), with a daily limit per channel.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_discord.exts.watch._cog import NEEDS_HUMAN_EMOJI, NEEDS_HUMAN_TAG, WatchCog

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

__all__ = ["NEEDS_HUMAN_EMOJI", "NEEDS_HUMAN_TAG", "WatchCog", "setup"]


async def setup(bot: DeskBot) -> None:
    await bot.add_cog(WatchCog(bot))
