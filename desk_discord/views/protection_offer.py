"""The "Start the protection check" button that other features attach to a reply (persistent).

The ask extension offers it when ``dispute_desk.protection.is_protection_question(text)`` says a member asked
about their own protection; the protection extension registers it and runs the check (``CheckStarter``).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from desk_discord.errors import handle_error


class CheckStarter(Protocol):
    """What the button needs from the cog named "Protection" (``desk_discord.exts.protection``)."""

    async def start(self, interaction: discord.Interaction) -> None: ...


OFFER_TEXT = (
    "Whether *your* money is protected depends on your contract. The guided check asks a few questions "
    "and gives a verdict with your deadlines and the rules it is based on."
)
START_ID = "desk:protection:start"


class StartCheckButton(discord.ui.DynamicItem[discord.ui.Button], template=r"^desk:protection:start$"):
    """Works after a restart too: the click is handed to the Protection cog, which opens a private check."""

    def __init__(self) -> None:
        super().__init__(
            discord.ui.Button(
                label="Start the protection check", style=discord.ButtonStyle.primary, emoji="🛡️", custom_id=START_ID
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> StartCheckButton:
        return cls()

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            # discord.py types Interaction.client as the base Client, which has no get_cog; ours is the DeskBot.
            cog: CheckStarter | None = interaction.client.get_cog("Protection")  # type: ignore[attr-defined]
            if cog is None:
                raise RuntimeError("the protection extension is not loaded")
            await cog.start(interaction)
        except Exception as exc:
            await handle_error(interaction, exc)


def offer_view() -> discord.ui.View:
    """A view with the one "Start the protection check" button, to attach to any message."""
    view = discord.ui.View(timeout=None)
    view.add_item(StartCheckButton())
    return view
