"""With a chat model configured, the answer message is edited as the text streams in (at most once a second);
the final edit replaces it with the checked answer, its sources and the buttons."""

from __future__ import annotations

import itertools
import time

import discord
import pytest
from desk_fakes import StreamingFakeDesk
from discord_mocks import mock_guild, mock_member, mock_message, mock_text_channel, mock_thread

from desk_discord.bot import DeskBot
from desk_discord.wording import DEFAULTS

WRITING = DEFAULTS["writing"]
PIECES = [f"word{n} " for n in range(14)]  # 14 pieces, 0.2 s apart: ~2.8 s of streaming


@pytest.fixture
def fake_desk() -> StreamingFakeDesk:
    return StreamingFakeDesk(PIECES, piece_delay=0.2)


def _timed(async_mock) -> list[float]:
    times: list[float] = []

    async def record(*args, **kwargs):
        times.append(time.monotonic())
        return mock_message()

    async_mock.side_effect = record
    return times


def _button_labels(view: discord.ui.View) -> list[str]:
    return [b["emoji"]["name"] if b.get("emoji") else b["label"] for row in view.to_components()
            for b in row["components"]]


async def test_slash_answer_streams_into_the_thinking_message_then_the_final_edit_has_sources_and_buttons(
    bot: DeskBot, fake_desk
) -> None:
    from discord_mocks import mock_interaction

    interaction = mock_interaction(bot)
    times = _timed(interaction.edit_original_response)
    cog = bot.get_cog("Ask")
    await cog.ask.callback(cog, interaction, question="My client disputed a milestone, what now?", ephemeral=False)

    calls = interaction.edit_original_response.await_args_list
    progress, final = calls[:-1], calls[-1]
    assert 2 <= len(progress) <= 3  # ~2.8 s of text: one edit a second, not one per token
    for call in progress:
        assert call.kwargs["content"].startswith(WRITING) and "word0" in call.kwargs["content"]
        assert call.kwargs["allowed_mentions"].to_dict() == {"parse": []}
    shown = [call.kwargs["content"] for call in progress]
    assert shown == sorted(shown, key=len) and shown[0] != shown[-1]  # the text grows as it streams
    gaps = [b - a for a, b in itertools.pairwise(times[:-1])]  # between progress edits
    assert all(gap >= 0.95 for gap in gaps), gaps
    assert final.kwargs["content"] is None
    embed = final.kwargs["embed"]
    assert "the client can dispute within the review period [1]" in embed.description
    assert embed.fields[0].name == "Sources"
    assert _button_labels(final.kwargs["view"]) == ["👍", "👎", "Show sources", "Ask a moderator"]
    interaction.followup.send.assert_not_awaited()


async def test_a_quick_answer_is_sent_once_without_progress_edits(bot: DeskBot, fake_desk) -> None:
    from discord_mocks import mock_interaction, sent_kwargs

    fake_desk.pieces, fake_desk.piece_delay = ["Short [1]."], 0.0
    interaction = mock_interaction(bot)
    cog = bot.get_cog("Ask")
    await cog.ask.callback(cog, interaction, question="What is escrow?", ephemeral=True)
    interaction.edit_original_response.assert_not_awaited()
    assert sent_kwargs(interaction.followup.send)["embed"].fields[0].name == "Sources"


async def test_a_written_answer_that_fails_the_check_is_replaced_by_the_extractive_one(bot: DeskBot) -> None:
    from discord_mocks import mock_interaction

    fake = StreamingFakeDesk(["Upwork pays ", "$9,000 ", "in 2 days ", "[1]."] * 3, piece_delay=0.25,
                             final="Within the review period the client may dispute a submitted milestone. [1]")
    bot._desk = fake
    interaction = mock_interaction(bot)
    cog = bot.get_cog("Ask")
    await cog.ask.callback(cog, interaction, question="How fast does Upwork pay?", ephemeral=False)
    final = interaction.edit_original_response.await_args_list[-1]
    assert "$9,000" in interaction.edit_original_response.await_args_list[0].kwargs["content"]
    assert final.kwargs["content"] is None
    assert final.kwargs["embed"].description == fake.final


async def test_mention_answer_streams_into_one_reply_that_the_final_edit_completes(bot: DeskBot, fake_desk) -> None:
    bot.settings = bot.settings.updated({"answer_in_thread": False})
    guild = mock_guild()
    channel = mock_text_channel(guild)
    message = mock_message(channel)
    message.author = mock_member(guild=guild)
    message.guild = guild
    progress_message = mock_message(channel)
    message.reply.return_value = progress_message
    cog = bot.get_cog("Ask")

    await cog._answer(message, "my client vanished after I submitted", origin="mention")

    message.reply.assert_awaited_once()  # one message: created with the first text, then only edited
    assert message.reply.await_args.kwargs["content"].startswith(WRITING)
    edits = progress_message.edit.await_args_list
    assert 1 <= len(edits) - 1 <= 2
    final = edits[-1].kwargs
    assert final["content"] is None and final["embed"].fields[0].name == "Sources"
    assert _button_labels(final["view"]) == ["👍", "👎", "Show sources", "Ask a moderator"]
    assert all(e.kwargs["allowed_mentions"].to_dict() == {"parse": []} for e in edits)
    channel.send.assert_not_awaited()


async def test_mention_answer_streams_into_the_new_thread(bot: DeskBot, fake_desk) -> None:
    guild = mock_guild()
    channel = mock_text_channel(guild)
    message = mock_message(channel)
    message.author = mock_member(guild=guild)
    message.guild = guild
    thread = mock_thread(guild)
    message.create_thread.return_value = thread
    progress_message = mock_message(thread)
    thread.send.return_value = progress_message
    cog = bot.get_cog("Ask")

    await cog._answer(message, "my client vanished", origin="mention", new_thread=True)

    thread.send.assert_awaited_once()
    assert thread.send.await_args.kwargs["content"].startswith(WRITING)
    assert progress_message.edit.await_args_list[-1].kwargs["embed"].fields[0].name == "Sources"
    message.reply.assert_not_awaited()
