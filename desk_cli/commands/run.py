"""`bot.py run`: the main job. Builds the index if there is none, then starts the Discord bot when
DISCORD_TOKEN is set, otherwise the interactive chat.
"""

from __future__ import annotations

import argparse
import logging

from rich.console import Console

from desk_cli import exit_codes
from desk_cli.commands import chat, ingest
from dispute_desk.settings import Settings


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("run", help="build the index if needed, then start the bot (or the chat)")
    parser.set_defaults(handler=handle)


def handle(args: argparse.Namespace, settings: Settings, console: Console) -> int:
    code = ingest.ensure_index(settings, console)
    if code != exit_codes.OK:
        return code
    if settings.discord.token is None:
        console.print("[dim]DISCORD_TOKEN is not set: starting the terminal chat instead of the bot.[/dim]")
        return chat.handle(args, settings, console)
    from desk_discord.runner import run as run_discord

    # A long-running bot logs at DESK_LOG_LEVEL (INFO by default): connections, admin actions, reindexes.
    logging.getLogger().setLevel(getattr(logging, settings.log_level.upper(), logging.INFO))
    return run_discord(settings)
