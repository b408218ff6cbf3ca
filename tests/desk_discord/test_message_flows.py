"""Mentions, threads, follow-ups and DMs, end to end through discord.py's state machine (dpytest).

dpytest 0.7 cannot start threads and does not keep the raw payloads the bot sends; the ``dpy`` fixture adds
both (thread creation as Discord does it, and a record of every payload, for ``allowed_mentions``).
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sys
from collections.abc import AsyncIterator
from typing import Any

import discord
import discord.ext.test as dpytest
import pytest
from discord.ext.test import backend, factories

from desk_discord.bot import DeskBot
from dispute_desk.journal import Journal
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts


def pings_nobody(allowed_mentions: dict[str, Any]) -> bool:
    """Discord pings nobody for this payload: no parsed kinds, no listed users or roles, no reply ping."""
    return (
        allowed_mentions.get("parse") == []
        and not allowed_mentions.get("users")
        and not allowed_mentions.get("roles")
        and not allowed_mentions.get("replied_user")
    )


class Sent:
    def __init__(self) -> None:
        self.payloads: list[dict[str, Any]] = []


@pytest.fixture
async def dpy(
    bot_settings: Settings, journal: Journal, texts: Texts, fake_desk, monkeypatch
) -> AsyncIterator[tuple[DeskBot, Sent]]:
    bot = DeskBot(bot_settings, journal=journal, texts=texts, desk=fake_desk, sync="never")
    await bot._async_setup_hook()
    # dpytest keeps its fake members in discord.py's member cache, which needs the members intent; the bot
    # itself never reads the cache.
    bot._connection._intents.members = True
    bot._connection.member_cache_flags = discord.MemberCacheFlags.from_intents(bot._connection._intents)
    dpytest.configure(bot, members=["Asker", "Other"])
    bot._connection.loop = asyncio.get_running_loop()  # dpytest's replacement state misses it (typing needs it)
    await bot.setup_hook()
    sent = Sent()
    original_send = backend.FakeHttp.send_message

    async def recording_send(self, channel_id, *, params):
        channel = sys._getframe(1).f_locals.get("channel")  # noqa: F841 - dpytest reads it from this frame
        sent.payloads.append(dict(params.payload or {}))
        return await original_send(self, channel_id, params=params)

    async def start_thread_with_message(
        self, channel_id, message_id, *, name, auto_archive_duration, rate_limit_per_user=None, reason=None
    ):
        parent = bot.get_channel(channel_id)
        data = {
            "id": factories.make_id(),
            "guild_id": parent.guild.id,
            "parent_id": channel_id,
            "owner_id": bot.user.id,
            "name": name,
            "type": discord.ChannelType.public_thread.value,
            "message_count": 0,
            "member_count": 1,
            "rate_limit_per_user": 0,
            "newly_created": True,
            "thread_metadata": {
                "archived": False,
                "auto_archive_duration": auto_archive_duration,
                "locked": False,
                "archive_timestamp": dt.datetime.now(dt.UTC).isoformat(),
            },
        }
        self.state.parse_thread_create(data)
        return data

    monkeypatch.setattr(backend.FakeHttp, "send_message", recording_send)
    monkeypatch.setattr(backend.FakeHttp, "start_thread_with_message", start_thread_with_message, raising=False)
    yield bot, sent
    await dpytest.empty_queue()


def members() -> tuple[discord.Member, discord.Member]:
    config = dpytest.get_config()
    return config.members[0], config.members[1]


def sent_messages() -> list[discord.Message]:
    out = []
    while not dpytest.sent_queue.empty():
        out.append(dpytest.get_message())
    return out


async def test_mention_is_answered_in_a_thread_started_from_the_message(dpy, fake_desk) -> None:
    bot, sent = dpy
    asker, _ = members()
    channel = dpytest.get_config().channels[0]
    question = await dpytest.message(f"<@{bot.user.id}> my client refuses to release the milestone", channel, asker)

    [answer] = sent_messages()
    assert isinstance(answer.channel, discord.Thread)
    assert answer.channel.parent_id == channel.id
    assert answer.channel.name == "my client refuses to release the milestone"
    embed = answer.embeds[0]
    assert "the client can dispute within the review period [1]" in embed.description
    assert embed.fields[0].name == "Sources" and embed.footer.text == bot.texts.disclaimer
    assert fake_desk.calls == [("my client refuses to release the milestone", None)]
    assert pings_nobody(sent.payloads[-1]["allowed_mentions"])
    assert question.id != answer.id


async def test_follow_up_in_the_thread_uses_the_first_question_as_context(dpy, fake_desk) -> None:
    bot, _ = dpy
    asker, other = members()
    await dpytest.message(f"<@{bot.user.id}> client disputed my fixed-price milestone", member=asker)
    [first] = sent_messages()
    thread = first.channel

    await dpytest.message("and what if it was hourly?", thread, asker)
    [follow_up] = sent_messages()
    assert follow_up.channel.id == thread.id
    assert fake_desk.calls[-1] == ("and what if it was hourly?", "client disputed my fixed-price milestone")

    await dpytest.message("I had the same problem last year", thread, other)  # someone else chatting
    assert sent_messages() == []
    await dpytest.message(f"<@{bot.user.id}> does it matter if the contract ended?", thread, other)
    [answer_to_other] = sent_messages()
    assert answer_to_other.channel.id == thread.id
    assert fake_desk.calls[-1][1] == "client disputed my fixed-price milestone"


async def test_everyone_and_role_mentions_in_a_question_never_ping(dpy) -> None:
    bot, sent = dpy
    asker, _ = members()
    guild = dpytest.get_config().guilds[0]
    role = backend.make_role("Freelancers", guild)
    await dpytest.message(f"<@{bot.user.id}> @everyone <@&{role.id}> my client vanished", member=asker)
    [answer] = sent_messages()
    assert answer.embeds
    assert sent.payloads and all(pings_nobody(p["allowed_mentions"]) for p in sent.payloads)


async def test_everyone_alone_does_not_summon_the_bot(dpy, fake_desk) -> None:
    asker, _ = members()
    await dpytest.message("@everyone my client vanished", member=asker)
    assert sent_messages() == [] and fake_desk.calls == []


async def test_answer_in_place_by_setting(dpy) -> None:
    bot, sent = dpy
    bot.settings = bot.settings.updated({"answer_in_thread": False})
    asker, _ = members()
    channel = dpytest.get_config().channels[0]
    question = await dpytest.message(f"<@{bot.user.id}> what is escrow?", channel, asker)
    [answer] = sent_messages()
    assert answer.channel.id == channel.id
    assert sent.payloads[-1]["message_reference"]["message_id"] == question.id
    assert pings_nobody(sent.payloads[-1]["allowed_mentions"])


async def test_long_question_by_mention_gets_the_length_message(dpy, fake_desk) -> None:
    bot, _ = dpy
    asker, _ = members()
    limit = bot.settings.answering.max_question_chars
    await dpytest.message(f"<@{bot.user.id}> " + "x" * (limit + 1), member=asker)
    [reply] = sent_messages()
    assert f"{limit + 1} characters long" in reply.content and fake_desk.calls == []


async def test_dms_refused_by_default_and_answered_by_setting(dpy, fake_desk) -> None:
    bot, _ = dpy
    asker, _ = members()
    dm = await asker.create_dm()
    backend.make_message("What is escrow?", asker, dm)
    await dpytest.run_all_events()
    [refusal] = sent_messages()
    assert "only answer questions in the server" in refusal.content and fake_desk.calls == []

    bot.get_cog("Ask").gate.settings = bot.settings.updated({"answer_dms": True})
    backend.make_message("What is escrow?", asker, dm)
    await dpytest.run_all_events()
    [answer] = sent_messages()
    assert answer.embeds[0].fields[0].name == "Sources"
    assert fake_desk.calls == [("What is escrow?", None)]


async def test_core_failure_gets_a_kind_message_not_a_traceback(dpy, fake_desk, monkeypatch, caplog) -> None:
    bot, _ = dpy

    def broken(question, *, context=None):
        raise RuntimeError("chroma is down")

    monkeypatch.setattr(fake_desk, "ask", broken)
    asker, _ = members()
    await dpytest.message(f"<@{bot.user.id}> what is escrow?", member=asker)
    [reply] = sent_messages()
    assert "went wrong on my side" in reply.content and "chroma" not in reply.content
    assert "chroma is down" in caplog.text
