"""`bot.py sync`: push the slash-command definitions to Discord (one guild or global)."""

from __future__ import annotations

import argparse

from rich.console import Console

from dispute_desk.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser(
        "sync", help="sync slash commands to DESK_DISCORD_GUILD_ID, or globally when it is unset"
    )
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    from desk_discord.runner import sync_commands

    return sync_commands(settings)
