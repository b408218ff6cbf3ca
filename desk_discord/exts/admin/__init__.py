"""Moderators' commands: ``/reindex``, ``/kb add|status|gaps``, ``/sync``.

All refuse non-moderators in code and are logged (journal and, when configured, the log channel).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from desk_discord.exts.admin._jobs import IngestJobs
from desk_discord.exts.admin._kb import KnowledgeCog
from desk_discord.exts.admin._reindex import AdminCog

if TYPE_CHECKING:
    from desk_discord.bot import DeskBot


async def setup(bot: DeskBot) -> None:
    jobs = IngestJobs(bot)
    await bot.add_cog(AdminCog(bot, jobs))
    await bot.add_cog(KnowledgeCog(bot, jobs))
