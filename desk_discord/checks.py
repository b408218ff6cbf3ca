"""Who may do what: the moderator check used by every admin command, enforced in code."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import discord
from discord import app_commands

from dispute_desk.settings import Settings

T = TypeVar("T")


class NotModerator(app_commands.CheckFailure):
    """The member lacks Manage Server and the configured moderator role."""


def is_moderator(user: discord.abc.User, settings: Settings) -> bool:
    """Tell whether ``user`` has Manage Server (or Administrator) or the configured moderator role.

    Discord's default command permissions can be changed by any server admin, so this is checked on every
    call. Outside a server (``user`` is not a ``Member``) nobody is a moderator.
    """
    if not isinstance(user, discord.Member):
        return False
    permissions = user.guild_permissions
    if permissions.manage_guild or permissions.administrator:
        return True
    role_id = settings.discord.moderator_role_id
    return role_id is not None and any(role.id == role_id for role in user.roles)


def moderator_only() -> Callable[[T], T]:
    """``app_commands`` check: refuse (``NotModerator``) unless ``is_moderator``."""

    async def predicate(interaction: discord.Interaction) -> bool:
        # discord.py types Interaction.client as the base Client; ours is the DeskBot, which carries the settings.
        settings: Settings = interaction.client.settings  # type: ignore[attr-defined]
        if not is_moderator(interaction.user, settings):
            raise NotModerator("moderators only")
        return True

    return app_commands.check(predicate)
