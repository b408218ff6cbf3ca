"""/ask as a member sees it: deferred, then one embed with the answer, linked sources and the disclaimer."""

from __future__ import annotations

import threading

import discord
from discord_mocks import mock_guild, mock_interaction, mock_thread, mock_user, sent_kwargs

from desk_discord.bot import DeskBot
from dispute_desk.journal import Journal
from dispute_desk.models import Answer

NO_PINGS = {"parse": []}


def buttons(view: discord.ui.View) -> list[dict]:
    """The buttons as Discord receives them."""
    return [component for row in view.to_components() for component in row["components"]]


def button_labels(view: discord.ui.View) -> list[str]:
    return [b["emoji"]["name"] if b.get("emoji") else b["label"] for b in buttons(view)]


async def run_ask(bot: DeskBot, interaction, question: str, ephemeral: bool = False) -> None:
    cog = bot.get_cog("Ask")
    await cog.ask.callback(cog, interaction, question=question, ephemeral=ephemeral)


async def test_ask_defers_then_answers_publicly_with_sources_and_disclaimer(bot: DeskBot, fake_desk) -> None:
    interaction = mock_interaction(bot)
    await run_ask(bot, interaction, "My client disputed a milestone, what now?")

    interaction.response.defer.assert_awaited_once_with(ephemeral=False, thinking=True)
    sent = sent_kwargs(interaction.followup.send)
    embed: discord.Embed = sent["embed"]
    assert "the client can dispute within the review period [1]" in embed.description
    assert embed.fields[0].name == "Sources"
    assert "[Fixed-price disputes § 2.3 Filing a dispute](https://support.example.invalid/disputes)" in (
        embed.fields[0].value
    )
    assert embed.footer.text == bot.texts.disclaimer
    assert sent["ephemeral"] is False
    assert sent["allowed_mentions"].to_dict() == NO_PINGS
    assert button_labels(sent["view"]) == ["👍", "👎", "Show sources", "Ask a moderator"]
    assert fake_desk.call_threads[0] != threading.get_ident()  # the core ran off the event loop


async def test_ephemeral_option_keeps_question_and_answer_private(bot: DeskBot, journal: Journal) -> None:
    interaction = mock_interaction(bot)
    await run_ask(bot, interaction, "Can I get my escrow back?", ephemeral=True)
    interaction.response.defer.assert_awaited_once_with(ephemeral=True, thinking=True)
    assert sent_kwargs(interaction.followup.send)["ephemeral"] is True
    assert journal.question(1).private is True


async def test_unanswerable_question_is_kind_and_offers_the_moderator_button(bot: DeskBot) -> None:
    interaction = mock_interaction(bot)
    await run_ask(bot, interaction, "Something unknown about Mars contracts")
    sent = sent_kwargs(interaction.followup.send)
    embed = sent["embed"]
    assert embed.description == bot.texts.not_answered
    assert embed.fields[0].name == "Closest sources"
    escalate = [b for b in buttons(sent["view"]) if b.get("label") == "Ask a moderator"]
    assert escalate and escalate[0]["style"] == discord.ButtonStyle.primary.value


async def test_everyone_in_a_question_never_pings(bot: DeskBot) -> None:
    interaction = mock_interaction(bot)
    await run_ask(bot, interaction, "@everyone <@&123456789012345678> my client won't pay")
    sent = sent_kwargs(interaction.followup.send)
    assert sent["allowed_mentions"].to_dict() == NO_PINGS
    assert "@everyone" in sent["embed"].title  # shown as text, but nobody is pinged


async def test_too_long_question_gets_a_clear_private_message_and_no_answer(bot: DeskBot, fake_desk) -> None:
    interaction = mock_interaction(bot)
    limit = bot.settings.answering.max_question_chars
    await run_ask(bot, interaction, "x" * (limit + 5))
    sent = sent_kwargs(interaction.response.send_message)
    assert f"{limit + 5} characters long" in sent["content"] and f"under {limit}" in sent["content"]
    assert sent["ephemeral"] is True and sent["allowed_mentions"].to_dict() == NO_PINGS
    assert fake_desk.calls == []
    interaction.followup.send.assert_not_awaited()


async def test_cooldown_per_member(bot: DeskBot, fake_desk) -> None:
    cog = bot.get_cog("Ask")
    cog.gate.cooldown.seconds = 60
    first = mock_interaction(bot)
    await run_ask(bot, first, "What is escrow?")
    again = mock_interaction(bot, user=first.user, guild=first.guild)
    await run_ask(bot, again, "And mediation?")
    sent = sent_kwargs(again.response.send_message)
    assert "wait" in sent["content"] and sent["ephemeral"] is True
    other = mock_interaction(bot)
    await run_ask(bot, other, "And mediation?")
    assert len(fake_desk.calls) == 2


async def test_dm_refused_by_default(bot: DeskBot, fake_desk) -> None:
    interaction = mock_interaction(bot, user=mock_user(), guild=None)
    await run_ask(bot, interaction, "What is escrow?")
    assert "only answer questions in the server" in sent_kwargs(interaction.response.send_message)["content"]
    assert fake_desk.calls == []


async def test_dm_answered_when_enabled(bot: DeskBot, fake_desk) -> None:
    bot.get_cog("Ask").gate.settings = bot.settings.updated({"answer_dms": True})
    interaction = mock_interaction(bot, user=mock_user(), guild=None)
    await run_ask(bot, interaction, "What is escrow?")
    assert sent_kwargs(interaction.followup.send)["embed"].fields[0].name == "Sources"


async def test_answers_are_journaled_with_guild_and_hashed_member(bot: DeskBot, journal: Journal) -> None:
    interaction = mock_interaction(bot)
    await run_ask(bot, interaction, "What is escrow?")
    record = journal.question(1)
    assert record is not None and record.guild_id == interaction.guild_id and record.origin == "slash"
    assert journal.asked_by(record, interaction.user.id)
    custom_ids = [b["custom_id"] for b in buttons(sent_kwargs(interaction.followup.send)["view"])]
    assert custom_ids == ["desk:vote:up:1", "desk:vote:down:1", "desk:sources:1", "desk:escalate:1"]


async def test_ask_inside_an_answer_thread_uses_the_thread_question_as_context(
    bot: DeskBot, journal: Journal, fake_desk
) -> None:

    guild = mock_guild()
    thread = mock_thread(guild)
    journal.record_question(
        Answer("client disputed my milestone", True, "x"),
        user_id=1,
        guild_id=guild.id,
        channel_id=2,
        thread_id=thread.id,
        origin="mention",
    )
    await run_ask(bot, mock_interaction(bot, guild=guild, channel=thread), "and if it was hourly?")
    assert fake_desk.calls[-1] == ("and if it was hourly?", "client disputed my milestone")


async def test_am_i_protected_offers_the_guided_check(bot: DeskBot) -> None:
    if bot.get_cog("Protection") is None:
        await bot.load_extension("desk_discord.exts.protection")
    interaction = mock_interaction(bot)
    await run_ask(bot, interaction, "am I protected?")
    assert interaction.followup.send.await_count == 2
    offer = interaction.followup.send.await_args_list[1].kwargs
    assert offer["ephemeral"] is True
    assert offer["allowed_mentions"].to_dict() == NO_PINGS
    assert "Start the protection check" in [b.get("label") for b in buttons(offer["view"])]


async def test_general_questions_get_no_protection_offer(bot: DeskBot) -> None:
    if bot.get_cog("Protection") is None:
        await bot.load_extension("desk_discord.exts.protection")
    interaction = mock_interaction(bot)
    await run_ask(bot, interaction, "What is the difference between mediation and a dispute?")
    assert interaction.followup.send.await_count == 1
