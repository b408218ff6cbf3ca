"""The "Am I protected?" guided check: ``/protected`` and a "Start the protection check" button.

Other features offer the check with ``offer_view()`` (and ``OFFER_TEXT``) when
``dispute_desk.protection.is_protection_question(text)`` says a member asked about their own protection.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_discord.exts.protection._cog import ProtectionCog
from desk_discord.exts.protection._embed import verdict_embed
from desk_discord.exts.protection._offer import OFFER_TEXT, StartCheckButton, offer_view

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

__all__ = ["OFFER_TEXT", "offer_view", "setup", "verdict_embed"]


async def setup(bot: DeskBot) -> None:
    await bot.add_cog(ProtectionCog(bot))
    bot.add_dynamic_items(StartCheckButton)
