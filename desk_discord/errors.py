"""The one error handler for app commands and buttons.

The user gets a short private message, the log gets the traceback.
"""

from __future__ import annotations

import logging

import discord
from discord import app_commands

from desk_discord.checks import NotModerator
from desk_discord.wording import say
from dispute_desk.texts import Texts

log = logging.getLogger(__name__)

NO_MENTIONS = discord.AllowedMentions.none()


def member_ref(client: object, user_id: int) -> str:
    """Name a member in logs by the journal's salted hash of their id (as stored), never by the id itself."""
    journal = getattr(client, "journal", None)
    return f"member {journal.user_hash(user_id)}" if journal is not None else "a member"


async def reply_privately(interaction: discord.Interaction, text: str) -> None:
    """Send ``text`` only to the user, whether or not the interaction was already answered or deferred."""
    text = text[:2000]
    try:
        if interaction.response.is_done():
            await interaction.followup.send(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
        else:
            await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NO_MENTIONS)
    except discord.HTTPException:
        log.warning("could not tell the user about an error (interaction expired?)", exc_info=True)


def describe(error: BaseException, texts: Texts | _NoTexts) -> tuple[str, bool]:
    """Return what the user is told, and whether it is a bug worth a traceback."""
    if isinstance(error, app_commands.CommandInvokeError):
        error = error.original
    if isinstance(error, NotModerator):
        return say(texts, "not_moderator"), False
    if isinstance(error, app_commands.NoPrivateMessage):
        return say(texts, "guild_only"), False
    if isinstance(error, app_commands.CheckFailure):
        return "You can't use this command here.", False
    return say(texts, "error"), True


async def handle_error(interaction: discord.Interaction, error: BaseException) -> None:
    texts = getattr(interaction.client, "texts", None)
    text, is_bug = describe(error, texts if texts is not None else _NoTexts())
    command = interaction.command.qualified_name if interaction.command else "component"
    if is_bug:
        original = error.original if isinstance(error, app_commands.CommandInvokeError) else error
        log.error("error in %s (%s)", command, member_ref(interaction.client, interaction.user.id), exc_info=original)
    else:
        who = member_ref(interaction.client, interaction.user.id)
        log.info("refused %s for %s: %s", command, who, type(error).__name__)
    await reply_privately(interaction, text)


class _NoTexts:
    def __init__(self) -> None:
        self.extra: dict[str, str] = {}


class DeskTree(app_commands.CommandTree):
    async def on_error(self, interaction: discord.Interaction, error: app_commands.AppCommandError, /) -> None:
        await handle_error(interaction, error)
