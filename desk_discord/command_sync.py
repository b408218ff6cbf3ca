"""Sync slash commands only when asked to or when their definitions changed.

The hash of exactly the payload ``tree.sync`` would send is kept per scope (API base, guild or global,
application) in the data dir; starting the bot again with the same commands sends nothing to Discord.
"""

from __future__ import annotations

import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import discord
from discord import app_commands

log = logging.getLogger(__name__)

STATE_FILE = "discord-commands.json"


class SyncFailed(Exception):
    """Discord refused (or never answered) the command sync; ``str(exc)`` is one line saying why."""


@dataclass(frozen=True)
class SyncResult:
    scope: str  # "guild 123" or "global"
    commands: int
    synced: bool  # False when nothing changed and nothing was sent


def command_payload(tree: app_commands.CommandTree, guild: discord.abc.Snowflake | None) -> list[dict[str, Any]]:
    return [command.to_dict(tree) for command in tree.get_commands(guild=guild)]


def payload_hash(payload: list[dict[str, Any]]) -> str:
    blob = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(blob.encode()).hexdigest()


def _load(path: Path) -> dict[str, str]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _save(path: Path, data: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True), encoding="utf-8")
    tmp.replace(path)


async def sync_commands(
    tree: app_commands.CommandTree,
    *,
    data_dir: Path,
    guild_id: int | None,
    application_id: int | None,
    api_base: str | None,
    force: bool = False,
) -> SyncResult:
    """Sync to ``guild_id`` (global commands copied there, for development) or globally."""
    guild = discord.Object(id=guild_id) if guild_id else None
    if guild is not None:
        tree.copy_global_to(guild=guild)
    scope = f"guild {guild_id}" if guild_id else "global"
    payload = command_payload(tree, guild)
    digest = payload_hash(payload)
    key = f"{api_base or 'discord'}|{application_id}|{scope}"
    path = data_dir / STATE_FILE
    state = _load(path)
    if not force and state.get(key) == digest:
        log.info("slash commands unchanged (%s); not syncing", scope)
        return SyncResult(scope, len(payload), synced=False)
    try:
        synced = await tree.sync(guild=guild)
    except discord.HTTPException as exc:  # any 4xx; a 5xx or 429 once discord.py has given up retrying
        detail = f"HTTP {exc.status}" + (f", code {exc.code}" if exc.code else "")
        if exc.text:
            detail += f": {exc.text.splitlines()[0]}"
        raise SyncFailed(f"Discord refused the slash-command sync ({scope}; {detail})") from exc
    except (aiohttp.ClientError, TimeoutError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise SyncFailed(f"the slash-command sync ({scope}) did not reach Discord ({reason})") from exc
    state[key] = digest  # only after Discord accepted: a failed sync is tried again at the next start
    _save(path, state)
    log.info("synced %d slash commands (%s)", len(synced), scope)
    return SyncResult(scope, len(synced), synced=True)
