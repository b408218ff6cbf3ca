"""Members' questions: ``/ask``, mentions (answered in a thread), follow-ups in that thread, DMs."""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_discord.exts.ask._cog import AskCog

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot


async def setup(bot: DeskBot) -> None:
    await bot.add_cog(AskCog(bot))
