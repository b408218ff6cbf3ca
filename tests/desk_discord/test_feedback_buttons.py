"""The buttons under an answer, clicked the way Discord delivers them (by custom id, after a restart too)."""

from __future__ import annotations

import re

import discord
import pytest
from desk_fakes import SOURCES
from discord_mocks import (
    mock_guild,
    mock_interaction,
    mock_member,
    mock_message,
    mock_text_channel,
    mock_thread,
    sent_kwargs,
)

from desk_discord.bot import DeskBot
from desk_discord.views.answer import EscalateButton, SourcesButton, VoteButton
from dispute_desk.journal import Journal
from dispute_desk.models import Answer

ROLE = 555_000_000_000_000_001


async def click(bot: DeskBot, custom_id: str, interaction) -> None:
    """Find the persistent button class for ``custom_id`` and run its callback, as discord.py does."""
    for cls in (VoteButton, SourcesButton, EscalateButton):
        match = re.fullmatch(cls.__discord_ui_compiled_template__, custom_id)
        if match:
            item = await cls.from_custom_id(interaction, None, match)
            await item.callback(interaction)
            return
    raise AssertionError(f"no button handles {custom_id}")


def record(journal: Journal, *, guild_id: int, private: bool = False, question: str = "Client won't release?") -> int:
    return journal.record_question(
        Answer(question, True, "Open a dispute [1].", SOURCES),
        user_id=1,
        guild_id=guild_id,
        channel_id=2,
        private=private,
    )


def private_text(interaction) -> str:
    sent = interaction.followup.send if interaction.response.defer.await_count else interaction.response.send_message
    kwargs = sent_kwargs(sent)
    assert kwargs["ephemeral"] is True
    return kwargs["content"]


async def test_votes_one_per_member_and_stored(bot: DeskBot, journal: Journal) -> None:
    guild = mock_guild()
    qid = record(journal, guild_id=guild.id)
    member = mock_member(guild=guild)
    replies = []
    for custom_id in (f"desk:vote:up:{qid}", f"desk:vote:up:{qid}", f"desk:vote:down:{qid}"):
        interaction = mock_interaction(bot, user=member, guild=guild)
        await click(bot, custom_id, interaction)
        replies.append(private_text(interaction))
    assert "Glad it helped" in replies[0]
    assert "already" in replies[1]
    assert "Changed your vote to 👎" in replies[2]
    assert journal.votes(qid) == (0, 1)


async def test_show_sources_is_private_and_shows_the_passages(bot: DeskBot, journal: Journal) -> None:
    guild = mock_guild()
    qid = record(journal, guild_id=guild.id)
    interaction = mock_interaction(bot, guild=guild)
    await click(bot, f"desk:sources:{qid}", interaction)
    sent = sent_kwargs(interaction.response.send_message)
    assert sent["ephemeral"] is True
    embed: discord.Embed = sent["embed"]
    assert embed.fields[0].name == "[1] Fixed-price disputes § 2.3 Filing a dispute"
    assert embed.fields[0].value.startswith("Within the review period")
    assert embed.fields[1].name == "[2] Client disputed my hours"


async def test_escalation_in_a_thread_pings_only_the_moderator_role_once(bot: DeskBot, journal: Journal) -> None:
    guild = mock_guild()
    thread = mock_thread(guild)
    qid = record(journal, guild_id=guild.id, question="@everyone my client <@&999999999999999999> vanished")
    first = mock_interaction(bot, guild=guild, channel=thread, message=mock_message(thread))
    await click(bot, f"desk:escalate:{qid}", first)

    ping = sent_kwargs(thread.send)
    assert ping["content"].startswith(f"<@&{ROLE}> <@{first.user.id}> would like a moderator's help")
    assert "my client" in ping["content"] and "Open a dispute [1]." in ping["content"]
    assert ping["allowed_mentions"].to_dict() == {"parse": [], "roles": [ROLE]}  # not @everyone, not 999…
    assert "they'll reply in" in private_text(first)

    second = mock_interaction(bot, guild=guild, channel=thread, message=mock_message(thread))
    await click(bot, f"desk:escalate:{qid}", second)
    assert thread.send.await_count == 1
    assert "already been asked" in private_text(second)


async def test_escalation_from_a_channel_answer_opens_a_thread(bot: DeskBot, journal: Journal) -> None:
    guild = mock_guild()
    channel = mock_text_channel(guild)
    answer_message = mock_message(channel)
    thread = mock_thread(guild)
    answer_message.create_thread.return_value = thread
    qid = record(journal, guild_id=guild.id)
    interaction = mock_interaction(bot, guild=guild, channel=channel, message=answer_message)
    await click(bot, f"desk:escalate:{qid}", interaction)
    assert answer_message.create_thread.await_args.kwargs["name"].startswith("Moderator help: Client won")
    assert sent_kwargs(thread.send)["content"].startswith(f"<@&{ROLE}>")
    channel.send.assert_not_awaited()


async def test_escalation_is_rate_limited_per_member_and_per_server(bot: DeskBot, journal: Journal) -> None:
    guild = mock_guild()
    thread = mock_thread(guild)
    member = mock_member(guild=guild)
    questions = [record(journal, guild_id=guild.id) for _ in range(8)]

    await click(bot, f"desk:escalate:{questions[0]}", mock_interaction(bot, user=member, guild=guild, channel=thread))
    again = mock_interaction(bot, user=member, guild=guild, channel=thread)
    await click(bot, f"desk:escalate:{questions[1]}", again)
    assert "please wait about 10 min" in private_text(again)
    assert thread.send.await_count == 1

    limit = bot.settings.discord.escalation_guild_limit
    for qid in questions[2 : 2 + limit]:
        await click(bot, f"desk:escalate:{qid}", mock_interaction(bot, guild=guild, channel=thread))
    assert thread.send.await_count == limit  # the server's window is full after `limit` pings
    assert not journal.is_escalated(questions[1 + limit])


@pytest.mark.parametrize("with_log_channel", [True, False])
async def test_private_question_is_never_quoted_in_public(bot: DeskBot, journal: Journal, with_log_channel) -> None:
    guild = mock_guild()
    channel = mock_text_channel(guild)
    log_channel = mock_text_channel(guild)
    bot.settings = bot.settings.updated({"log_channel_id": log_channel.id if with_log_channel else None})
    bot.get_channel = lambda channel_id: log_channel if channel_id == log_channel.id else None
    qid = record(journal, guild_id=guild.id, private=True, question="my secret dispute with ACME")
    interaction = mock_interaction(bot, guild=guild, channel=channel, message=mock_message(channel, ephemeral=True))
    await click(bot, f"desk:escalate:{qid}", interaction)
    if with_log_channel:
        assert "my secret dispute with ACME" in sent_kwargs(log_channel.send)["content"]
        channel.send.assert_not_awaited()
        assert "privately" in private_text(interaction)
    else:
        public = sent_kwargs(channel.send)["content"]
        assert "secret" not in public and "ACME" not in public
        assert public.startswith(f"<@&{ROLE}> <@{interaction.user.id}>")


async def test_escalation_without_a_moderator_role_explains_instead_of_pinging(bot: DeskBot, journal: Journal) -> None:
    bot.settings = bot.settings.updated({"moderator_role_id": None})
    guild = mock_guild()
    thread = mock_thread(guild)
    qid = record(journal, guild_id=guild.id)
    interaction = mock_interaction(bot, guild=guild, channel=thread)
    await click(bot, f"desk:escalate:{qid}", interaction)
    assert "isn't set up" in private_text(interaction)
    thread.send.assert_not_awaited()


async def test_failed_ping_can_be_retried(bot: DeskBot, journal: Journal) -> None:
    guild = mock_guild()
    thread = mock_thread(guild)
    thread.send.side_effect = discord.HTTPException(mock_response(), "boom")
    qid = record(journal, guild_id=guild.id)
    interaction = mock_interaction(bot, guild=guild, channel=thread)
    await click(bot, f"desk:escalate:{qid}", interaction)
    assert "couldn't post" in private_text(interaction)
    assert not journal.is_escalated(qid)


async def test_button_error_is_a_friendly_private_message(bot: DeskBot, journal: Journal, monkeypatch, caplog) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("database on fire")

    monkeypatch.setattr(journal, "question", broken)
    interaction = mock_interaction(bot)
    await click(bot, "desk:sources:1", interaction)
    text = private_text(interaction)
    assert "went wrong" in text and "fire" not in text
    assert "database on fire" in caplog.text


def mock_response():
    from unittest import mock

    response = mock.Mock()
    response.status = 500
    response.reason = "Internal Server Error"
    return response


async def test_escalation_quotes_no_live_mention_from_the_question_or_the_answer(
    bot: DeskBot, journal: Journal
) -> None:
    guild = mock_guild()
    thread = mock_thread(guild)
    qid = journal.record_question(
        Answer("@everyone @here <@123456789012345678> and <@&999999999999999999> in <#42>: my client vanished",
               True, "Ask <@!777> or @Everyone [1].", SOURCES),
        user_id=1,
        guild_id=guild.id,
        channel_id=2,
    )
    interaction = mock_interaction(bot, guild=guild, channel=thread, message=mock_message(thread))
    await click(bot, f"desk:escalate:{qid}", interaction)
    text = sent_kwargs(thread.send)["content"]
    assert re.findall(r"<[@#][!&]?\d+>", text) == [f"<@&{ROLE}>", f"<@{interaction.user.id}>"]
    assert not re.search(r"@(everyone|here)", text, re.IGNORECASE)  # neutralised, not just left unpinged
    assert "my client vanished" in text and "someone" in text and "a role" in text and "a channel" in text


@pytest.mark.parametrize("failure", [TimeoutError(), ConnectionResetError("peer gone")], ids=["timeout", "reset"])
async def test_escalation_that_fails_without_an_http_error_can_be_retried(
    bot: DeskBot, journal: Journal, failure: Exception
) -> None:
    guild = mock_guild()
    thread = mock_thread(guild)
    thread.send.side_effect = failure
    qid = record(journal, guild_id=guild.id)
    member = mock_member(guild=guild)
    interaction = mock_interaction(bot, user=member, guild=guild, channel=thread)
    await click(bot, f"desk:escalate:{qid}", interaction)
    assert "couldn't post the request for a moderator" in private_text(interaction)
    assert not journal.is_escalated(qid)

    thread.send.side_effect = None
    retry = mock_interaction(bot, user=member, guild=guild, channel=thread)
    await click(bot, f"desk:escalate:{qid}", retry)  # not "already asked", not "please wait"
    assert sent_kwargs(thread.send)["content"].startswith(f"<@&{ROLE}>")
    assert "they'll reply in" in private_text(retry)


async def test_escalation_posted_but_the_reply_to_the_member_failing_is_still_an_escalation(
    bot: DeskBot, journal: Journal
) -> None:
    guild = mock_guild()
    thread = mock_thread(guild)
    qid = record(journal, guild_id=guild.id)
    interaction = mock_interaction(bot, guild=guild, channel=thread)
    interaction.followup.send.side_effect = discord.HTTPException(mock_response(), "interaction expired")
    await click(bot, f"desk:escalate:{qid}", interaction)
    assert thread.send.await_count == 1 and journal.is_escalated(qid)
    assert interaction.response.send_message.await_count == 0  # no "something went wrong" after a good post
