"""Every extension under desk_discord/exts loads, and the commands members and moderators see are there."""

from __future__ import annotations

from pathlib import Path

import discord

import desk_discord.exts
from desk_discord.bot import DeskBot, desk_intents
from desk_discord.command_sync import STATE_FILE, sync_commands
from desk_discord.exts import walk_extensions
from dispute_desk.journal import Journal
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts


def test_every_feature_package_is_discovered() -> None:
    found = walk_extensions()
    packages = sorted(
        f"desk_discord.exts.{p.name}"
        for p in Path(desk_discord.exts.__file__).parent.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and not p.name.startswith("_")
    )
    assert set(packages) <= set(found)  # a new feature package (e.g. protection/) is picked up by itself
    assert {"desk_discord.exts.ask", "desk_discord.exts.admin", "desk_discord.exts.feedback"} <= set(found)


async def test_all_extensions_load_and_register_commands(bot: DeskBot) -> None:
    assert set(bot.extensions) == set(walk_extensions())
    names = {c.name for c in bot.tree.get_commands()}
    assert {"ask", "reindex", "sync", "kb"} <= names
    kb = bot.tree.get_command("kb")
    assert sorted(c.name for c in kb.commands) == ["add", "gaps", "status"]
    assert bot.tree.get_command("reindex").guild_only and kb.guild_only
    assert bot.allowed_mentions.to_dict() == {"parse": []}


def test_intents_are_only_what_the_bot_reads() -> None:
    intents = desk_intents()
    assert intents.guilds and intents.guild_messages and intents.dm_messages and intents.message_content
    assert not intents.members and not intents.presences and not intents.guild_reactions


async def test_commands_sync_only_when_their_definitions_change(
    bot_settings: Settings, journal: Journal, texts: Texts, fake_desk, monkeypatch
) -> None:
    bot = DeskBot(bot_settings, journal=journal, texts=texts, desk=fake_desk, sync="never")
    await bot.setup_hook()
    calls: list[object] = []

    async def fake_sync(*, guild=None):
        calls.append(guild)
        return bot.tree.get_commands(guild=guild)

    monkeypatch.setattr(bot.tree, "sync", fake_sync)
    kwargs = dict(data_dir=bot_settings.data_dir, guild_id=None, application_id=1, api_base=None)
    assert (await sync_commands(bot.tree, **kwargs)).synced is True
    assert (await sync_commands(bot.tree, **kwargs)).synced is False
    assert (bot_settings.data_dir / STATE_FILE).exists()

    @bot.tree.command(name="ping", description="a new command")
    async def ping(interaction: discord.Interaction) -> None: ...

    assert (await sync_commands(bot.tree, **kwargs)).synced is True  # definitions changed
    assert (await sync_commands(bot.tree, **kwargs, force=True)).synced is True
    guild_result = await sync_commands(bot.tree, **{**kwargs, "guild_id": 5})
    assert guild_result.synced is True and guild_result.scope == "guild 5"  # each scope has its own hash
    assert len(calls) == 4
    await bot.close()
