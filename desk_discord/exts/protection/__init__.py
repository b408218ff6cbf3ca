"""The "Am I protected?" guided check: ``/protected`` and a "Start the protection check" button.

Other features offer the check with ``desk_discord.views.protection_offer`` (``offer_view()`` and
``OFFER_TEXT``); this extension registers that button and runs the check when it is clicked.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_discord.exts.protection._cog import ProtectionCog
from desk_discord.exts.protection._embed import verdict_embed
from desk_discord.views.protection_offer import StartCheckButton

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot

__all__ = ["setup", "verdict_embed"]


async def setup(bot: DeskBot) -> None:
    await bot.add_cog(ProtectionCog(bot))
    bot.add_dynamic_items(StartCheckButton)
