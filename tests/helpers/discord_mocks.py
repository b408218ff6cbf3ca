"""Mocks of discord.py objects built with ``spec_set`` from the real classes (python-discord style).

A typo'd attribute (``interaction.respone``) raises instead of silently passing, and async methods of the
real classes are ``AsyncMock``s, so a test can await them and inspect exactly what the bot sent.
"""

from __future__ import annotations

import itertools
from typing import Any
from unittest import mock

import discord

_ids = itertools.count(1_000_000_000_000_000_001)


def next_id() -> int:
    return next(_ids)


def spec_mock(cls: type, **attrs: Any) -> mock.MagicMock:
    """A MagicMock that only has the attributes ``cls`` has; ``attrs`` are set on it."""
    obj = mock.MagicMock(spec_set=cls)
    for name, value in attrs.items():
        setattr(obj, name, value)
    return obj


def mock_role(role_id: int | None = None, name: str = "role") -> mock.MagicMock:
    return spec_mock(discord.Role, id=role_id or next_id(), name=name, mention=f"<@&{role_id}>")


def mock_guild(guild_id: int | None = None) -> mock.MagicMock:
    return spec_mock(discord.Guild, id=guild_id or next_id(), name="Freelancers", self_role=None)


def mock_member(
    *,
    guild: mock.MagicMock | None = None,
    manage_guild: bool = False,
    administrator: bool = False,
    roles: list[mock.MagicMock] | None = None,
    name: str = "Sam",
) -> mock.MagicMock:
    member_id = next_id()
    return spec_mock(
        discord.Member,
        id=member_id,
        bot=False,
        display_name=name,
        name=name.lower(),
        mention=f"<@{member_id}>",
        guild=guild or mock_guild(),
        roles=roles or [],
        guild_permissions=discord.Permissions(manage_guild=manage_guild, administrator=administrator),
    )


def mock_user(name: str = "Dee") -> mock.MagicMock:
    """A user outside any server (a DM)."""
    user_id = next_id()
    return spec_mock(discord.User, id=user_id, bot=False, display_name=name, name=name.lower(), mention=f"<@{user_id}>")


def mock_text_channel(guild: mock.MagicMock | None = None) -> mock.MagicMock:
    channel_id = next_id()
    return spec_mock(discord.TextChannel, id=channel_id, guild=guild, mention=f"<#{channel_id}>")


def mock_thread(guild: mock.MagicMock | None = None) -> mock.MagicMock:
    thread_id = next_id()
    return spec_mock(discord.Thread, id=thread_id, guild=guild, mention=f"<#{thread_id}>")


def mock_message(channel: mock.MagicMock | None = None, *, ephemeral: bool = False) -> mock.MagicMock:
    message_id = next_id()
    return spec_mock(
        discord.Message,
        id=message_id,
        channel=channel,
        jump_url=f"https://discord.com/channels/1/2/{message_id}",
        flags=discord.MessageFlags(ephemeral=ephemeral),
    )


def mock_attachment(filename: str, data: bytes, *, size: int | None = None) -> mock.MagicMock:
    attachment = spec_mock(
        discord.Attachment, id=next_id(), filename=filename, size=len(data) if size is None else size
    )
    attachment.read.return_value = data
    return attachment


def mock_interaction(
    client: discord.Client,
    *,
    user: mock.MagicMock | None = None,
    guild: mock.MagicMock | bool | None = True,
    channel: mock.MagicMock | None = None,
    message: mock.MagicMock | None = None,
) -> mock.MagicMock:
    """An interaction as a slash command or a button click delivers it.

    ``response.is_done()`` follows what the code did (sent or deferred), like the real one.
    """
    if guild is True:
        guild = user.guild if user is not None and hasattr(user, "guild") else mock_guild()
    guild = guild or None
    if user is None:
        user = mock_member(guild=guild) if guild is not None else mock_user()
    if channel is None:
        channel = mock_text_channel(guild)
    interaction = spec_mock(
        discord.Interaction,
        client=client,
        user=user,
        guild=guild,
        guild_id=guild.id if guild is not None else None,
        channel=channel,
        channel_id=channel.id,
        message=message,
        command=None,
    )
    response = spec_mock(discord.InteractionResponse)
    response.is_done.side_effect = lambda: bool(
        response.send_message.await_count or response.defer.await_count or response.edit_message.await_count
    )
    interaction.response = response
    interaction.followup = spec_mock(discord.Webhook)
    interaction.followup.send.return_value = mock_message(channel)
    interaction.original_response.return_value = mock_message(channel)
    return interaction


def sent_kwargs(async_mock: mock.AsyncMock) -> dict[str, Any]:
    """Keyword arguments of the last call, with the first positional argument as ``content``."""
    call = async_mock.await_args
    assert call is not None, "nothing was sent"
    kwargs = dict(call.kwargs)
    if call.args:
        kwargs["content"] = call.args[0]
    return kwargs


def all_sent_text(*mocks: mock.AsyncMock) -> str:
    """Every text content and embed text sent through these mocks, joined (for 'never shows X' checks)."""
    parts: list[str] = []
    for async_mock in mocks:
        for call in async_mock.await_args_list:
            if call.args and isinstance(call.args[0], str):
                parts.append(call.args[0])
            if isinstance(call.kwargs.get("content"), str):
                parts.append(call.kwargs["content"])
            embed = call.kwargs.get("embed")
            if isinstance(embed, discord.Embed):
                parts.append(str(embed.to_dict()))
    return "\n".join(parts)
