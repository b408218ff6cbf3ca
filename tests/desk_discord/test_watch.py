"""The first responder in watched help channels, as moderators and members see it.

Forum posts, threads and members are ``spec_set`` mocks of the real discord.py classes; the journal is the real
SQLite one, so "once, also after a restart" is checked against what is on disk.
"""

from __future__ import annotations

from unittest import mock

import discord
import pytest
from discord import app_commands
from discord_mocks import (
    all_sent_text,
    mock_guild,
    mock_interaction,
    mock_member,
    mock_role,
    next_id,
    sent_kwargs,
    spec_mock,
)
from test_admin_commands import passes_checks

from desk_discord.bot import DeskBot
from desk_discord.exts.watch import NEEDS_HUMAN_EMOJI, NEEDS_HUMAN_TAG
from dispute_desk.journal import Journal
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts

EMAIL = "dana.writer@example.com"


def connect(bot: DeskBot) -> None:
    """Give the unconnected bot a user of its own, as logging in would."""
    bot._connection.user = spec_mock(discord.ClientUser, id=next_id(), bot=True, name="Dispute Desk")


def forum_channel(guild) -> mock.MagicMock:
    channel_id = next_id()
    forum = spec_mock(
        discord.ForumChannel, id=channel_id, guild=guild, name="help", mention=f"<#{channel_id}>", available_tags=[]
    )
    forum.create_tag.side_effect = lambda *, name, **kw: discord.ForumTag(name=name, emoji=kw.get("emoji"))
    return forum


def text_channel(guild) -> mock.MagicMock:
    channel_id = next_id()
    return spec_mock(discord.TextChannel, id=channel_id, guild=guild, name="ask-here", mention=f"<#{channel_id}>")


def message_in(channel, author, content: str, *, message_id: int | None = None) -> mock.MagicMock:
    return spec_mock(
        discord.Message,
        id=message_id or next_id(),
        channel=channel,
        guild=channel.guild,
        author=author,
        content=content,
        webhook_id=None,
        mentions=[],
        role_mentions=[],
        jump_url="https://discord.com/channels/1/2/3",
    )


def forum_post(forum, author, title: str, content: str = "") -> tuple[mock.MagicMock, mock.MagicMock]:
    """A new forum post: a thread and its opening message (same id, as Discord does it)."""
    thread_id = next_id()
    thread = spec_mock(
        discord.Thread,
        id=thread_id,
        guild=forum.guild,
        parent=forum,
        parent_id=forum.id,
        name=title,
        mention=f"<#{thread_id}>",
    )
    return thread, message_in(thread, author, content or title, message_id=thread_id)


async def deliver(bot: DeskBot, message) -> None:
    """What discord.py does with a new message: every ``on_message`` listener sees it."""
    for cog_name in ("Watch", "Ask"):
        await bot.get_cog(cog_name).on_message(message)


@pytest.fixture
def guild():
    return mock_guild()


@pytest.fixture
def moderator(guild):
    return mock_member(guild=guild, manage_guild=True, name="Mod Mo")


@pytest.fixture
def asker(guild):
    return mock_member(guild=guild, name="Asker")


async def watch(bot: DeskBot, moderator, channel) -> mock.MagicMock:
    cog = bot.get_cog("Watch")
    interaction = mock_interaction(bot, user=moderator, guild=moderator.guild)
    await cog.watch.callback(cog, interaction, channel=channel)
    return interaction


# Commands ------------------------------------------------------------------------------------------------
async def test_only_moderators_may_watch_unwatch_or_list(bot: DeskBot, guild) -> None:
    cog = bot.get_cog("Watch")
    commands = [c for c in cog.walk_app_commands() if isinstance(c, app_commands.Command)]
    assert sorted(c.qualified_name for c in commands) == ["desk unwatch", "desk watch", "desk watching"]
    assert cog.app_command.default_permissions == discord.Permissions(manage_guild=True)
    role = mock_role(bot.settings.discord.moderator_role_id)
    for command in commands:
        assert not await passes_checks(command, mock_interaction(bot, user=mock_member(guild=guild)))
        assert await passes_checks(command, mock_interaction(bot, user=mock_member(guild=guild, roles=[role])))


async def test_watched_channels_are_listed_and_kept_in_the_journal(bot: DeskBot, moderator, journal: Journal) -> None:
    forum = forum_channel(moderator.guild)
    interaction = await watch(bot, moderator, forum)
    reply = sent_kwargs(interaction.response.send_message)
    assert f"Watching {forum.mention}" in reply["content"] and reply["ephemeral"] is True
    assert journal.watched(moderator.guild.id) == [forum.id]
    assert journal.actions(action="desk watch")[0].actor_name == "Mod Mo"

    cog = bot.get_cog("Watch")
    listing = mock_interaction(bot, user=moderator, guild=moderator.guild)
    await cog.watching.callback(cog, listing)
    assert f"<#{forum.id}>" in sent_kwargs(listing.response.send_message)["content"]

    stop = mock_interaction(bot, user=moderator, guild=moderator.guild)
    await cog.unwatch.callback(cog, stop, channel=forum)
    assert "Stopped watching" in sent_kwargs(stop.response.send_message)["content"]
    assert journal.watched() == []


# Answering -----------------------------------------------------------------------------------------------
async def test_a_forum_post_is_answered_once_in_its_thread_and_not_again_after_a_restart(
    bot: DeskBot, bot_settings: Settings, texts: Texts, fake_desk, moderator, asker
) -> None:
    connect(bot)
    forum = forum_channel(moderator.guild)
    await watch(bot, moderator, forum)
    thread, post = forum_post(forum, asker, "Client disputed my milestone", "He opened a dispute today, what now?")

    await deliver(bot, post)
    await deliver(bot, post)  # the same event again (a gateway resume replays it)

    assert thread.send.await_count == 1
    sent = sent_kwargs(thread.send)
    assert "the client can dispute within the review period" in sent["embed"].description
    assert sent["allowed_mentions"].to_dict() == {"parse": []}
    assert len(fake_desk.calls) == 1 and "Client disputed my milestone" in fake_desk.calls[0][0]

    # A restart: a new bot, a new journal connection on the same database, the same post delivered again.
    again_journal = Journal.open(bot_settings.database_path)
    restarted = DeskBot(bot_settings, journal=again_journal, texts=texts, desk=fake_desk, sync="never")
    try:
        await restarted.setup_hook()
        connect(restarted)
        assert restarted.get_cog("Watch").watched == {forum.id}  # the watch list survived the restart
        await deliver(restarted, post)
    finally:
        await restarted.close()
        again_journal.close()
    assert thread.send.await_count == 1 and len(fake_desk.calls) == 1


async def test_the_askers_follow_up_is_answered_until_a_moderator_replies_then_the_bot_is_silent(
    bot: DeskBot, fake_desk, moderator, asker
) -> None:
    connect(bot)
    forum = forum_channel(moderator.guild)
    await watch(bot, moderator, forum)
    thread, post = forum_post(forum, asker, "Client disputed my milestone")
    await deliver(bot, post)

    follow_up = message_in(thread, asker, "and what if it was hourly?")
    await deliver(bot, follow_up)
    assert follow_up.reply.await_count == 1  # before a moderator steps in, the bot keeps helping

    await deliver(bot, message_in(thread, moderator, "I'll take this one: send me the contract details."))
    second = message_in(thread, asker, "and if he never answers?")
    await deliver(bot, second)
    third = message_in(thread, asker, f"<@{bot.user.id}> are you there?")
    third.mentions = [bot.user]
    await deliver(bot, third)

    second.reply.assert_not_awaited()
    third.reply.assert_not_awaited()
    assert thread.send.await_count == 1 and len(fake_desk.calls) == 2


async def test_a_helper_role_reply_also_silences_the_bot(
    bot: DeskBot, fake_desk, moderator, asker
) -> None:
    connect(bot)
    helper_role = mock_role(next_id(), name="helper")
    bot.settings = bot.settings.updated({"helper_role_id": helper_role.id})
    forum = forum_channel(moderator.guild)
    await watch(bot, moderator, forum)
    thread, post = forum_post(forum, asker, "Client disputed my milestone")
    await deliver(bot, post)
    await deliver(bot, message_in(thread, mock_member(guild=moderator.guild, roles=[helper_role]), "On it."))
    later = message_in(thread, asker, "and what if it was hourly?")
    await deliver(bot, later)
    later.reply.assert_not_awaited()
    assert len(fake_desk.calls) == 1


async def test_an_unanswerable_post_gets_the_needs_a_human_tag_not_an_answer(
    bot: DeskBot, fake_desk, moderator, asker, journal: Journal
) -> None:
    connect(bot)
    forum = forum_channel(moderator.guild)
    await watch(bot, moderator, forum)
    thread, post = forum_post(forum, asker, "Something unknown about Mars contracts")

    await deliver(bot, post)

    thread.send.assert_not_awaited()
    forum.create_tag.assert_awaited_once()
    assert forum.create_tag.await_args.kwargs["name"] == NEEDS_HUMAN_TAG
    (tag,), _ = thread.add_tags.await_args
    assert tag.name == NEEDS_HUMAN_TAG
    assert journal.post_outcome(post.id) == "tagged"
    gap = journal.gaps()[0]  # moderators see it among the questions to fill in
    assert not gap.answered and "Mars" in gap.question


async def test_an_existing_tag_is_reused_and_a_refused_tag_falls_back_to_a_reaction(
    bot: DeskBot, moderator, asker
) -> None:
    connect(bot)
    forum = forum_channel(moderator.guild)
    existing = discord.ForumTag(name="Needs a Human")
    forum.available_tags = [existing]
    await watch(bot, moderator, forum)
    thread, post = forum_post(forum, asker, "Something unknown about Mars contracts")
    await deliver(bot, post)
    forum.create_tag.assert_not_awaited()
    thread.add_tags.assert_awaited_once()
    assert thread.add_tags.await_args.args == (existing,)

    refused = discord.Forbidden(mock.MagicMock(status=403, reason="Forbidden"), "Missing Permissions")
    thread2, post2 = forum_post(forum, asker, "Another unknown thing about Mars")
    thread2.add_tags.side_effect = refused
    await deliver(bot, post2)
    post2.add_reaction.assert_awaited_once_with(NEEDS_HUMAN_EMOJI)
    thread2.send.assert_not_awaited()


async def test_a_watched_text_channel_answers_each_post_in_a_new_thread(bot: DeskBot, moderator, asker) -> None:
    connect(bot)
    channel = text_channel(moderator.guild)
    await watch(bot, moderator, channel)
    answer_thread = spec_mock(discord.Thread, id=next_id(), guild=moderator.guild, parent_id=channel.id)
    post = message_in(channel, asker, "My client disputed a milestone, what now?")
    post.create_thread.return_value = answer_thread

    await deliver(bot, post)

    post.create_thread.assert_awaited_once()
    assert "review period" in sent_kwargs(answer_thread.send)["embed"].description
    post.reply.assert_not_awaited()  # the mention handler did not answer it a second time


async def test_bots_and_the_bot_itself_are_never_answered(bot: DeskBot, fake_desk, moderator) -> None:
    connect(bot)
    forum = forum_channel(moderator.guild)
    await watch(bot, moderator, forum)
    other_bot = mock_member(guild=moderator.guild, name="Other Bot")
    other_bot.bot = True
    thread, post = forum_post(forum, other_bot, "Client disputed my milestone")
    await deliver(bot, post)
    own_thread, own_post = forum_post(forum, bot.user, "Client disputed my milestone")
    await deliver(bot, own_post)
    thread.send.assert_not_awaited()
    own_thread.send.assert_not_awaited()
    assert fake_desk.calls == []


async def test_the_daily_limit_per_channel_stops_a_flood(bot: DeskBot, fake_desk, moderator, asker) -> None:
    connect(bot)
    bot.settings = bot.settings.updated({"watch_daily_limit": 2})
    forum = forum_channel(moderator.guild)
    await watch(bot, moderator, forum)
    threads = []
    for n in range(3):
        thread, post = forum_post(forum, asker, f"Client disputed milestone number {n}")
        threads.append(thread)
        await deliver(bot, post)
    assert [t.send.await_count for t in threads] == [1, 1, 0]
    other_forum = forum_channel(moderator.guild)  # the limit is per channel
    await watch(bot, moderator, other_forum)
    thread, post = forum_post(other_forum, asker, "Client disputed my milestone")
    await deliver(bot, post)
    assert thread.send.await_count == 1


# Privacy ---------------------------------------------------------------------------------------------------
async def test_a_forum_post_with_an_email_is_answered_by_dm_and_never_echoed(
    bot: DeskBot, fake_desk, moderator, asker, journal: Journal
) -> None:
    connect(bot)
    forum = forum_channel(moderator.guild)
    await watch(bot, moderator, forum)
    thread, post = forum_post(forum, asker, "Client disputed my milestone", f"He wrote to me from {EMAIL}, what now?")

    await deliver(bot, post)

    dm = sent_kwargs(asker.send)
    assert "review period" in dm["embed"].description  # the answer went to the member privately
    note = sent_kwargs(thread.send)
    assert "embed" not in note and "an e-mail address" in note["content"] and "DM" in note["content"]
    assert EMAIL not in all_sent_text(thread.send, asker.send)
    assert EMAIL not in fake_desk.calls[0][0]  # not even the core saw it
    stored = journal.question(1)
    assert stored is not None and EMAIL not in stored.question and "[e-mail]" in stored.question
    assert stored.private


async def test_a_mention_with_an_email_gets_a_public_note_and_the_answer_by_dm(
    bot: DeskBot, guild, asker, journal: Journal
) -> None:
    connect(bot)
    channel = text_channel(guild)
    message = message_in(channel, asker, f"<@{bot.user.id}> my client {EMAIL} opened a dispute, what now?")
    message.mentions = [bot.user]

    await deliver(bot, message)

    assert "review period" in sent_kwargs(asker.send)["embed"].description
    note = sent_kwargs(message.reply)
    assert "an e-mail address" in note["content"] and "embed" not in note
    message.create_thread.assert_not_awaited()
    assert EMAIL not in all_sent_text(message.reply, asker.send)
    assert "[e-mail]" in journal.question(1).question


async def test_when_dms_are_closed_the_note_says_to_use_ephemeral_ask(bot: DeskBot, guild, asker) -> None:
    connect(bot)
    asker.send.side_effect = discord.Forbidden(mock.MagicMock(status=403, reason="Forbidden"), "Cannot send")
    channel = text_channel(guild)
    message = message_in(channel, asker, f"<@{bot.user.id}> contract 38291746 was disputed, help")
    message.mentions = [bot.user]

    await deliver(bot, message)

    note = sent_kwargs(message.reply)["content"]
    assert "`/ask`" in note and "ephemeral: True" in note and "a contract or offer id" in note
    assert "38291746" not in note


async def test_slash_ask_in_public_with_an_email_answers_privately(bot: DeskBot, journal: Journal) -> None:
    interaction = mock_interaction(bot)
    cog = bot.get_cog("Ask")
    await cog.ask.callback(cog, interaction, question=f"my client {EMAIL} disputed my milestone", ephemeral=False)

    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    calls = interaction.followup.send.await_args_list
    assert all(call.kwargs["ephemeral"] is True for call in calls)
    assert any("answered privately" in (call.args[0] if call.args else "") for call in calls)
    assert EMAIL not in all_sent_text(interaction.followup.send)
    assert EMAIL not in journal.question(1).question


async def test_an_unanswerable_post_in_a_text_channel_gets_a_reaction_and_no_thread(
    bot: DeskBot, moderator, asker
) -> None:
    connect(bot)
    channel = text_channel(moderator.guild)
    await watch(bot, moderator, channel)
    post = message_in(channel, asker, "Something unknown about Mars contracts")
    await deliver(bot, post)
    post.add_reaction.assert_awaited_once_with(NEEDS_HUMAN_EMOJI)
    post.create_thread.assert_not_awaited()
    post.reply.assert_not_awaited()


async def test_a_failed_answer_is_recorded_and_not_retried(bot: DeskBot, fake_desk, moderator, asker, journal) -> None:
    connect(bot)
    forum = forum_channel(moderator.guild)
    await watch(bot, moderator, forum)
    thread, post = forum_post(forum, asker, "Client disputed my milestone")
    thread.send.side_effect = discord.HTTPException(mock.MagicMock(status=500, reason="boom"), "boom")
    await deliver(bot, post)
    assert journal.post_outcome(post.id) == "failed"
    thread.send.side_effect = None
    await deliver(bot, post)
    assert thread.send.await_count == 1 and len(fake_desk.calls) == 1


async def test_a_channel_watched_by_another_process_is_picked_up(bot: DeskBot, journal, moderator, asker) -> None:
    connect(bot)
    forum = forum_channel(moderator.guild)
    journal.watch(forum.id, moderator.guild.id)  # e.g. /desk watch handled by another shard
    cog = bot.get_cog("Watch")
    cog._refreshed = 0.0  # the minute has passed
    thread, post = forum_post(forum, asker, "Client disputed my milestone")
    await deliver(bot, post)
    assert thread.send.await_count == 1
