"""Running at scale: Prometheus metrics from the bot, sharding settings, JSON logs."""

from __future__ import annotations

import json
import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from discord.ext import commands
from discord_mocks import mock_interaction, mock_member

from desk_cli.logs import JsonFormatter
from desk_discord.bot import DeskBot
from desk_discord.runner import _build
from desk_discord.sharding import ShardedDeskBot, parse_shard_ids, shard_options
from dispute_desk.desk import Desk
from dispute_desk.journal import Journal
from dispute_desk.metrics import Metrics
from dispute_desk.settings import Settings, load_settings
from dispute_desk.texts import Texts


@pytest.fixture
async def metered_bot(
    bot_settings: Settings, journal: Journal, texts: Texts, tiny_desk: Desk
) -> AsyncIterator[tuple[DeskBot, str]]:
    metrics = Metrics()
    port = metrics.serve("127.0.0.1", 0)
    bot = DeskBot(bot_settings, journal=journal, texts=texts, desk=tiny_desk, sync="never", metrics=metrics)
    await bot.setup_hook()
    yield bot, f"http://127.0.0.1:{port}/metrics"
    await bot.close()
    metrics.close()


def scrape(url: str) -> dict[str, float]:
    values = {}
    for line in httpx.get(url, timeout=5).text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


async def test_questions_declines_latency_and_reindex_runs_are_exported(metered_bot: tuple[DeskBot, str]) -> None:
    bot, url = metered_bot
    assert bot.desk.ask("who pays the arbitration fee").answered
    assert not bot.desk.ask("what is the weather in Paris tomorrow").answered
    cog = bot.get_cog("Admin")
    await cog.reindex.callback(cog, mock_interaction(bot, user=mock_member(manage_guild=True, name="Mod")))

    seen = scrape(url)
    assert seen["desk_questions_total"] == 2
    assert seen['desk_answers_total{outcome="answered"}'] == 1
    assert seen['desk_declines_total{reason="off_topic"}'] == 1
    assert seen["desk_answered_ratio"] == 0.5
    assert seen["desk_answer_latency_seconds_count"] == 2
    assert seen['desk_reindex_runs_total{result="ok"}'] == 1
    assert seen["desk_reindex_duration_seconds_count"] == 1


def test_gateway_latency_per_shard_ignores_the_value_before_the_first_heartbeat() -> None:
    metrics = Metrics()
    metrics.set_gateway_latency(None, float("nan"))
    metrics.set_gateway_latency(3, 0.042)
    assert metrics.registry.get_sample_value("desk_gateway_latency_seconds", {"shard": "3"}) == 0.042
    assert metrics.registry.get_sample_value("desk_gateway_latency_seconds", {"shard": "0"}) is None


def test_metrics_are_off_by_default() -> None:
    assert load_settings().metrics_port is None


@pytest.mark.parametrize(
    ("shards", "ids", "expected"),
    [("off", None, None), ("auto", None, {"shard_count": None, "shard_ids": None}),
     ("8", "0-3", {"shard_count": 8, "shard_ids": [0, 1, 2, 3]}),
     ("8", "4,6-7", {"shard_count": 8, "shard_ids": [4, 6, 7]})],
)
def test_shard_settings(shards: str, ids: str | None, expected: dict | None) -> None:
    assert shard_options(load_settings(discord_shards=shards, discord_shard_ids=ids)) == expected


@pytest.mark.parametrize(("shards", "ids", "message"), [
    ("auto", "0-1", "fixed DESK_DISCORD_SHARDS"), ("4", "2-5", "goes up to 5"),
    ("off", "0", "needs DESK_DISCORD_SHARDS"),
])
def test_inconsistent_shard_settings_are_refused_with_the_fix(shards: str, ids: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        shard_options(load_settings(discord_shards=shards, discord_shard_ids=ids))


def test_bad_shard_values_are_refused() -> None:
    with pytest.raises(ValueError):
        load_settings(discord_shards="many")
    with pytest.raises(ValueError, match="backwards"):
        parse_shard_ids("5-2")


async def test_a_sharded_process_runs_its_range_of_shards(bot_settings: Settings, journal: Journal) -> None:
    settings = bot_settings.updated({"discord_shards": "4", "discord_shard_ids": "2-3"})
    bot = _build(settings, journal, desk_factory=None, sync="never")
    assert isinstance(bot, ShardedDeskBot) and isinstance(bot, commands.AutoShardedBot)
    assert (bot.shard_count, bot.shard_ids) == (4, [2, 3])
    plain = _build(bot_settings, journal, desk_factory=None, sync="never")
    assert type(plain) is DeskBot
    await plain.close()


def test_json_log_lines_carry_level_logger_message_and_traceback() -> None:
    record = logging.LogRecord("desk_discord.runner", logging.ERROR, __file__, 1, "reindex %s failed", ("x",), None)
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        import sys

        record.exc_info = sys.exc_info()
    record.guild = 42
    entry = json.loads(JsonFormatter().format(record))
    assert entry["level"] == "ERROR" and entry["logger"] == "desk_discord.runner"
    assert entry["message"] == "reindex x failed" and "RuntimeError: boom" in entry["exception"]
    assert entry["guild"] == 42 and entry["time"].endswith("+00:00")
