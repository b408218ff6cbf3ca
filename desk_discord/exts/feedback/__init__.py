"""Buttons under every answer: votes, "Show sources" and "Ask a moderator" (rate-limited escalation).

The buttons are persistent (``DynamicItem``s keyed by the question's journal id), so they keep working
after a restart.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_discord.exts.feedback._cog import FeedbackCog
from desk_discord.views.answer import EscalateButton, SourcesButton, VoteButton

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

__all__ = ["setup"]


async def setup(bot: DeskBot) -> None:
    await bot.add_cog(FeedbackCog(bot))
    bot.add_dynamic_items(VoteButton, SourcesButton, EscalateButton)
