"""The persistent buttons under every answer; each one hands its click to the ``Feedback`` cog.

The ask and watch extensions attach ``answer_view``; the feedback extension registers the buttons and
handles the clicks (``AnswerActions``).
"""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord

from desk_discord.errors import handle_error

UP, DOWN = "up", "down"


class AnswerActions(Protocol):
    """What the buttons need from the cog named "Feedback" (``desk_discord.exts.feedback``)."""

    async def vote(self, interaction: discord.Interaction, question_id: int, value: int) -> None: ...
    async def show_sources(self, interaction: discord.Interaction, question_id: int) -> None: ...
    async def escalate(self, interaction: discord.Interaction, question_id: int) -> None: ...


def _cog(interaction: discord.Interaction) -> AnswerActions:
    # discord.py types Interaction.client as the base Client, which has no get_cog; ours is the DeskBot.
    cog: AnswerActions | None = interaction.client.get_cog("Feedback")  # type: ignore[attr-defined]
    if cog is None:
        raise RuntimeError("the feedback extension is not loaded")
    return cog


class _AnswerButton(discord.ui.DynamicItem[discord.ui.Button], template=r"^desk:never$"):
    """Shared: the question id and one error path for every button."""

    question_id: int

    async def callback(self, interaction: discord.Interaction) -> None:
        try:
            await self.handle(_cog(interaction), interaction)
        except Exception as exc:
            await handle_error(interaction, exc)

    async def handle(self, cog: AnswerActions, interaction: discord.Interaction) -> None:
        raise NotImplementedError


class VoteButton(_AnswerButton, template=r"^desk:vote:(?P<value>up|down):(?P<qid>\d+)$"):
    def __init__(self, question_id: int, value: str) -> None:
        self.question_id = question_id
        self.value = value
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary,
                emoji="👍" if value == UP else "👎",
                custom_id=f"desk:vote:{value}:{question_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> VoteButton:
        return cls(int(match["qid"]), match["value"])

    async def handle(self, cog: AnswerActions, interaction: discord.Interaction) -> None:
        await cog.vote(interaction, self.question_id, 1 if self.value == UP else -1)


class SourcesButton(_AnswerButton, template=r"^desk:sources:(?P<qid>\d+)$"):
    def __init__(self, question_id: int) -> None:
        self.question_id = question_id
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.secondary, label="Show sources", custom_id=f"desk:sources:{question_id}"
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> SourcesButton:
        return cls(int(match["qid"]))

    async def handle(self, cog: AnswerActions, interaction: discord.Interaction) -> None:
        await cog.show_sources(interaction, self.question_id)


class EscalateButton(_AnswerButton, template=r"^desk:escalate:(?P<qid>\d+)$"):
    def __init__(self, question_id: int, *, prominent: bool = False) -> None:
        self.question_id = question_id
        super().__init__(
            discord.ui.Button(
                style=discord.ButtonStyle.primary if prominent else discord.ButtonStyle.secondary,
                label="Ask a moderator",
                custom_id=f"desk:escalate:{question_id}",
            )
        )

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction, item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> EscalateButton:
        return cls(int(match["qid"]))

    async def handle(self, cog: AnswerActions, interaction: discord.Interaction) -> None:
        await cog.escalate(interaction, self.question_id)


def answer_view(question_id: int, *, answered: bool) -> discord.ui.View:
    """👍 👎 Show sources, Ask a moderator (highlighted when the bot could not answer)."""
    view = discord.ui.View(timeout=None)
    view.add_item(VoteButton(question_id, UP))
    view.add_item(VoteButton(question_id, DOWN))
    view.add_item(SourcesButton(question_id))
    view.add_item(EscalateButton(question_id, prominent=not answered))
    return view
