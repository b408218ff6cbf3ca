"""Buttons under every answer: votes, "Show sources" and "Ask a moderator" (rate-limited escalation).

The buttons are persistent (``DynamicItem``s keyed by the question's journal id), so they keep working
after a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_discord.exts.feedback._buttons import EscalateButton, SourcesButton, VoteButton, answer_view
from desk_discord.exts.feedback._cog import FeedbackCog

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

__all__ = ["answer_view", "setup"]


async def setup(bot: DeskBot) -> None:
    await bot.add_cog(FeedbackCog(bot))
    bot.add_dynamic_items(VoteButton, SourcesButton, EscalateButton)
