"""Starting the bot (``python bot.py run``) and registering its commands (``python bot.py sync``).

Both return a process exit code. Failures a person can fix (no token, a token Discord rejects, the Message
Content intent not enabled, Discord unreachable, no index yet, the model missing) end with one clear line
on stderr and exit code 2, like the CLI's configuration errors; the token itself is never printed.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
import sys
from collections.abc import Callable
from typing import TYPE_CHECKING

import aiohttp
import discord
import yarl

from desk_discord.bot import DeskBot, SyncMode
from desk_discord.command_sync import SyncFailed
from dispute_desk.journal import Journal, JournalUnavailable
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts

if TYPE_CHECKING:
    from dispute_desk.desk import Desk
    from dispute_desk.metrics import Metrics

log = logging.getLogger(__name__)

DISCORD_API_BASE = "https://discord.com/api/v10"
DISCORD_GATEWAY_URL = "wss://gateway.discord.gg/"

EXIT_OK, EXIT_NO_INDEX, EXIT_CONFIG = 0, 2, 5  # the CLI's codes (desk_cli/exit_codes.py)
UNREACHABLE = "Could not reach the Discord API; check the network, or DESK_DISCORD_API_BASE if you set it"
NO_TOKEN = (
    "DISCORD_TOKEN is not set. Create a bot in the Discord Developer Portal, copy its token and start "
    "again with DISCORD_TOKEN=... in the environment (or in .env)."
)
BAD_TOKEN = (
    "Discord rejected DISCORD_TOKEN (invalid or reset). Copy the current token from the Developer Portal "
    "(Bot > Reset Token) into DISCORD_TOKEN."
)
NO_INTENT = (
    "Discord refused the Message Content intent. Enable it for this bot in the Developer Portal "
    "(Bot > Privileged Gateway Intents > Message Content Intent)."
)


def _fail(message: str, code: int) -> int:
    sys.stderr.write(f"dispute-desk: {message}\n")
    return code


def apply_endpoints(settings: Settings) -> None:
    """Point discord.py at the configured API base and gateway, or back at Discord's own.

    ``DESK_DISCORD_API_BASE`` / ``DESK_DISCORD_GATEWAY_URL`` name a Discord-compatible server such as
    Spacebar. Both are process-wide class attributes in discord.py.
    """
    base = (settings.discord.discord_api_base or DISCORD_API_BASE).rstrip("/")
    gateway = settings.discord.discord_gateway_url or DISCORD_GATEWAY_URL
    discord.http.Route.BASE = base
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(gateway)
    if settings.discord.discord_api_base or settings.discord.discord_gateway_url:
        log.info("using a Discord-compatible server: API %s, gateway %s", base, gateway)


def _token(settings: Settings) -> str | None:
    secret = settings.discord.token
    value = secret.get_secret_value().strip() if secret is not None else ""
    return value or None


def _build(settings: Settings, journal: Journal, *, desk_factory: Callable[[], Desk] | None, sync: SyncMode,
           metrics: Metrics | None = None) -> DeskBot:
    from desk_discord.sharding import bot_class

    texts = Texts.load(settings.prompts_dir)
    cls, shard_options = bot_class(settings)
    return cls(settings, journal=journal, texts=texts, desk_factory=desk_factory, sync=sync, metrics=metrics,
               **shard_options)


def _open_journal(settings: Settings) -> Journal:
    secret = settings.journal.hash_secret.get_secret_value() if settings.journal.hash_secret is not None else None
    return Journal.open(settings.database_path, secret=secret)


def _known_failure(exc: BaseException) -> int | None:
    """Exit code (after printing why) for failures a person can fix, else None."""
    from dispute_desk.embedding import ModelUnavailable
    from dispute_desk.store import IndexMissing
    from dispute_desk.texts import PromptsMissing

    if isinstance(exc, discord.LoginFailure):
        return _fail(BAD_TOKEN, EXIT_CONFIG)
    if isinstance(exc, discord.PrivilegedIntentsRequired):
        return _fail(NO_INTENT, EXIT_CONFIG)
    if isinstance(exc, discord.ConnectionClosed) and exc.code == 4004:  # gateway: authentication failed
        return _fail(BAD_TOKEN, EXIT_CONFIG)
    if isinstance(exc, IndexMissing):
        return _fail(str(exc), EXIT_NO_INDEX)
    if isinstance(exc, ModelUnavailable | PromptsMissing | JournalUnavailable | SyncFailed):
        return _fail(str(exc), EXIT_CONFIG)
    if isinstance(exc, GatewayUnusable):
        return _fail(str(exc), EXIT_CONFIG)
    if isinstance(exc, aiohttp.ClientConnectionError):
        return _fail(f"{UNREACHABLE} ({exc})", EXIT_CONFIG)
    return None


def _no_voice() -> None:
    """The bot never joins voice; skip discord.py's warnings about missing voice libraries."""
    discord.VoiceClient.warn_nacl = False
    discord.VoiceClient.warn_dave = False


def run(settings: Settings, *, desk_factory: Callable[[], Desk] | None = None) -> int:
    """Start the bot and serve until stopped. ``desk_factory`` defaults to ``Desk.open(settings)``."""
    token = _token(settings)
    if token is None:
        return _fail(NO_TOKEN, EXIT_CONFIG)
    if desk_factory is None:
        from dispute_desk.desk import Desk

        desk_factory = lambda: Desk.open(settings)  # noqa: E731 - loaded in a thread by setup_hook

    apply_endpoints(settings)
    _no_voice()
    try:
        from desk_discord.sharding import shard_options
        from dispute_desk.metrics import metrics_from_settings

        shard_options(settings)  # a bad shard setting fails here, before the journal and the model load
        metrics = metrics_from_settings(settings)
    except (ValueError, OSError) as exc:
        return _fail(f"configuration: {exc}", EXIT_CONFIG)
    journal: Journal | None = None
    try:
        journal = _open_journal(settings)
        bot = _build(settings, journal, desk_factory=desk_factory, sync="auto", metrics=metrics)
        asyncio.run(_serve(bot, token, settings.discord.discord_gateway_url))
    except KeyboardInterrupt:
        log.info("stopped")
    except Exception as exc:
        code = _known_failure(exc)
        if code is None:
            raise
        return code
    finally:
        if journal is not None:
            journal.close()
        if metrics is not None:
            metrics.close()
    return EXIT_OK


class GatewayUnusable(Exception):
    """The configured gateway URL refuses WebSocket connections; ``str(exc)`` says so in one line."""


async def check_gateway(url: str) -> None:
    """Open (and close at once) a WebSocket to a configured gateway, so a wrong URL fails clearly at start.

    Left to discord.py, a gateway that answers 404 on the very first connection ends in a retry loop that
    crashes with an unrelated AttributeError. Discord's own gateway is not probed.
    """
    target = yarl.URL(url).update_query(v=10, encoding="json")
    timeout = aiohttp.ClientWSTimeout(ws_close=5)
    try:
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=15)) as session, session.ws_connect(
            target, timeout=timeout
        ):
            pass
    except aiohttp.WSServerHandshakeError as exc:
        raise GatewayUnusable(
            f"DESK_DISCORD_GATEWAY_URL {url} answered HTTP {exc.status} instead of a WebSocket; check the URL "
            "(a Discord-compatible server's gateway, usually ws://host:port/)"
        ) from None
    except (aiohttp.ClientError, OSError, TimeoutError) as exc:
        reason = f"{type(exc).__name__}: {exc}"
        raise GatewayUnusable(f"could not connect to DESK_DISCORD_GATEWAY_URL {url} ({reason})") from None


async def _serve(bot: DeskBot, token: str, gateway_url: str | None = None) -> None:
    if gateway_url:
        await check_gateway(gateway_url)
    loop = asyncio.get_running_loop()
    with contextlib.suppress(NotImplementedError):  # `docker stop` sends SIGTERM: close cleanly
        loop.add_signal_handler(signal.SIGTERM, lambda: loop.create_task(bot.close()))
    async with bot:
        await bot.start(token)


def sync_commands(settings: Settings) -> int:
    """Register the slash commands now (to ``DESK_DISCORD_GUILD_ID`` if set, else globally)."""
    token = _token(settings)
    if token is None:
        return _fail(NO_TOKEN, EXIT_CONFIG)
    apply_endpoints(settings)
    journal: Journal | None = None
    try:
        journal = _open_journal(settings)
        bot = _build(settings, journal, desk_factory=None, sync="force")
        asyncio.run(_login_only(bot, token))
    except Exception as exc:
        code = _known_failure(exc)
        if code is None:
            raise
        return code
    finally:
        if journal is not None:
            journal.close()
    result = bot.sync_result
    if result is not None:
        sys.stdout.write(f"Synced {result.commands} slash commands ({result.scope}).\n")
    return EXIT_OK


async def _login_only(bot: DeskBot, token: str) -> None:
    """Log in (which runs ``setup_hook``: extensions load and commands sync) without joining the gateway."""
    async with bot:
        await bot.login(token)
