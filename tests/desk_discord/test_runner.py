"""Starting the bot: token errors are clear and never echo the token; a Discord-compatible server works;
commands sync once, not on every start."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Iterator

import discord
import pytest
import yarl
from desk_fakes import FakeDesk
from fake_discord_server import (
    APP_ID,
    GOOD_TOKEN,
    INVALID_FORM,
    MISSING_ACCESS,
    RATE_LIMITED,
    SERVER_ERROR,
    FakeDiscord,
)
from pydantic import SecretStr

from desk_discord import runner
from desk_discord.command_sync import STATE_FILE
from dispute_desk.settings import Settings

GUILD = 424_000_000_000_000_001


@pytest.fixture(autouse=True)
def restore_endpoints() -> Iterator[None]:
    base, gateway = discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY
    yield
    discord.http.Route.BASE, discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = base, gateway


@pytest.fixture
def server() -> Iterator[FakeDiscord]:
    fake = FakeDiscord().start()
    yield fake
    fake.stop()


def against(server: FakeDiscord, settings: Settings, token: str) -> Settings:
    return settings.updated({
            "discord_token": SecretStr(token),
            "discord_api_base": server.api_base,
            "discord_gateway_url": server.gateway_url,
            "discord_guild_id": GUILD,
        }
    )


def test_missing_token_fails_fast_with_a_clear_message(settings: Settings, capsys) -> None:
    assert runner.run(settings.updated({"discord_token": None})) == 5
    err = capsys.readouterr().err
    assert "DISCORD_TOKEN is not set" in err and "Developer Portal" in err
    assert runner.sync_commands(settings.updated({"discord_token": SecretStr("  ")})) == 5


def test_invalid_token_exits_5_without_printing_the_token(
    server: FakeDiscord, settings: Settings, capsys, caplog
) -> None:
    caplog.set_level(logging.DEBUG)
    secret = "wrong-token-SECRET-abcdef"
    desk_built = []
    code = runner.run(against(server, settings, secret), desk_factory=lambda: desk_built.append(1) or FakeDesk())
    out = capsys.readouterr()
    assert code == 5
    assert "Discord rejected DISCORD_TOKEN" in out.err
    assert secret not in out.err + out.out + caplog.text
    assert ("GET", "/api/v10/users/@me", f"Bot {secret}") in server.requests  # our API base was used
    assert desk_built == []  # rejected before the slow part


def test_start_against_a_compatible_server_builds_desk_in_a_thread_and_syncs_once(
    server: FakeDiscord, settings: Settings, capsys
) -> None:
    configured = against(server, settings, GOOD_TOKEN)
    desk_threads: list[int] = []

    def build_desk() -> FakeDesk:
        desk_threads.append(threading.get_ident())
        return FakeDesk()

    # The fake gateway closes with 4004 after IDENTIFY, which ends the run (as a revoked token would).
    assert runner.run(configured, desk_factory=build_desk) == 5
    assert desk_threads and desk_threads[0] != threading.get_ident()
    identify = server.identify[0]
    assert identify["token"] == GOOD_TOKEN
    intents = discord.Intents(identify["intents"])
    assert intents.message_content and intents.guild_messages and intents.dm_messages and not intents.members
    [(path, payload)] = server.synced
    assert path == f"/api/v10/applications/{APP_ID}/guilds/{GUILD}/commands"
    assert {"ask", "kb", "reindex", "sync"} <= {c["name"] for c in payload}  # (+ any newer feature's)

    assert runner.run(configured, desk_factory=build_desk) == 5  # same definitions: nothing re-synced
    assert len(server.synced) == 1
    assert runner.sync_commands(configured) == 0  # `python bot.py sync` always syncs
    assert len(server.synced) == 2
    assert f"Synced {len(payload)} slash commands (guild {GUILD})" in capsys.readouterr().out


def test_endpoints_default_to_discord(settings: Settings) -> None:
    runner.apply_endpoints(
        settings.updated({
                "discord_api_base": "http://spacebar.local/api/v9/",
                "discord_gateway_url": "ws://spacebar.local:3002",
            }
        )
    )
    assert discord.http.Route.BASE == "http://spacebar.local/api/v9"
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == yarl.URL("ws://spacebar.local:3002")
    runner.apply_endpoints(settings)
    assert discord.http.Route("GET", "/users/@me").url == "https://discord.com/api/v10/users/@me"
    assert discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY == yarl.URL("wss://gateway.discord.gg/")


def test_missing_index_names_the_fix(server: FakeDiscord, settings: Settings, capsys) -> None:
    from dispute_desk.store import IndexMissing

    def no_index() -> FakeDesk:
        raise IndexMissing("no index yet: run `python bot.py ingest` first")

    assert runner.run(against(server, settings, GOOD_TOKEN), desk_factory=no_index) == 2
    assert "run `python bot.py ingest`" in capsys.readouterr().err
    assert server.identify == []  # never connected to the gateway


def test_unreachable_discord_is_one_clear_line_not_a_traceback(settings: Settings, capsys) -> None:
    closed_port = settings.updated({"discord_token": SecretStr(GOOD_TOKEN), "discord_api_base": "http://127.0.0.1:9/api/v10"}
    )
    assert runner.run(closed_port, desk_factory=FakeDesk) == 5
    err = capsys.readouterr().err
    assert "Could not reach the Discord API" in err
    assert "Traceback" not in err and GOOD_TOKEN not in err


@pytest.mark.parametrize(
    "rejection", [MISSING_ACCESS, INVALID_FORM, RATE_LIMITED, SERVER_ERROR], ids=["403", "400", "429", "500"]
)
def test_a_rejected_command_sync_is_logged_and_the_bot_still_connects(
    server: FakeDiscord, settings: Settings, capsys, caplog, monkeypatch, rejection
) -> None:
    configured = against(server, settings, GOOD_TOKEN)
    server.reject_sync = rejection
    real_sleep = asyncio.sleep

    async def quick_sleep(delay: float, *args, **kwargs):  # discord.py waits 1, 3, 5, 7 s between 5xx retries
        return await real_sleep(min(delay, 0.01), *args, **kwargs)

    monkeypatch.setattr(discord.http.asyncio, "sleep", quick_sleep)
    caplog.set_level(logging.INFO)

    # The fake gateway closes with 4004 after IDENTIFY: reaching IDENTIFY proves the bot went on to connect.
    assert runner.run(configured, desk_factory=FakeDesk) == 5
    assert server.identify, "the bot gave up before connecting to the gateway"
    assert "Discord refused the slash-command sync" in caplog.text
    assert "Traceback" not in capsys.readouterr().err
    assert not (settings.data_dir / STATE_FILE).exists()  # no hash saved: the next start tries again
    tries = sum(1 for method, path, _ in server.requests if method == "PUT")
    assert tries == (5 if rejection[0] >= 429 else 1)  # given up only after discord.py's own retries

    assert runner.sync_commands(configured) == 5  # `python bot.py sync`: one line, exit 5
    err = capsys.readouterr().err
    assert err.startswith("dispute-desk: Discord refused the slash-command sync") and f"HTTP {rejection[0]}" in err
    assert len(err.strip().splitlines()) == 1

    server.reject_sync = None
    assert runner.run(configured, desk_factory=FakeDesk) == 5
    assert len(server.synced) == 1  # accepted this time, and only now remembered
    assert (settings.data_dir / STATE_FILE).exists()


def test_a_gateway_url_that_answers_404_is_one_line_and_exit_5(server: FakeDiscord, settings: Settings, capsys) -> None:
    configured = against(server, settings, GOOD_TOKEN).updated({"discord_gateway_url": f"ws://127.0.0.1:{server.port}/no-gateway-here"}
    )
    built = []
    assert runner.run(configured, desk_factory=lambda: built.append(1) or FakeDesk()) == 5
    err = capsys.readouterr().err
    assert "Traceback" not in err
    assert err.strip().splitlines() == [
        f"dispute-desk: DESK_DISCORD_GATEWAY_URL ws://127.0.0.1:{server.port}/no-gateway-here answered HTTP 404 "
        "instead of a WebSocket; check the URL (a Discord-compatible server's gateway, usually ws://host:port/)"
    ]
    assert built == []  # refused before loading the model


def test_a_damaged_journal_or_secret_is_one_line_and_exit_5(server: FakeDiscord, settings: Settings, capsys) -> None:
    configured = against(server, settings, GOOD_TOKEN)
    settings.data_dir.mkdir(parents=True)
    settings.database_path.write_bytes(b"this is not an SQLite database" * 100)
    assert runner.run(configured, desk_factory=FakeDesk) == 5
    err = capsys.readouterr().err
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1
    assert f"the journal database {settings.database_path} cannot be used" in err

    settings.database_path.unlink()
    (settings.data_dir / "journal.salt").write_text("not hex at all", encoding="ascii")
    assert runner.run(configured, desk_factory=FakeDesk) == 5
    err = capsys.readouterr().err
    assert "Traceback" not in err and "hashing secret in" in err and "is not hexadecimal" in err

    bad_env = configured.updated({"hash_secret": SecretStr("abc123")})
    assert runner.sync_commands(bad_env) == 5
    assert "hashing secret in DESK_HASH_SECRET is too short" in capsys.readouterr().err
    assert server.identify == [] and server.synced == []


def test_admin_commands_are_registered_hidden_from_members(server: FakeDiscord, settings: Settings) -> None:
    assert runner.sync_commands(against(server, settings, GOOD_TOKEN)) == 0
    [(_, payload)] = server.synced
    permissions = {command["name"]: command.get("default_member_permissions") for command in payload}
    manage_server = discord.Permissions(manage_guild=True).value
    assert permissions["reindex"] == permissions["sync"] == permissions["kb"] == manage_server
    assert permissions["ask"] is None  # members' commands stay visible to everyone
