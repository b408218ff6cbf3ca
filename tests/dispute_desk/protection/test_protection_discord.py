"""/protected in Discord: the private question flow, the verdict embed, sharing, and the offer button.

Interactions are ``spec_set`` mocks of the real discord.py classes, so a misspelt attribute fails the test
and every ``send_message`` / ``edit_message`` can be inspected.
"""

from __future__ import annotations

import os
import types
from datetime import date
from pathlib import Path
from typing import Any
from unittest import mock

import discord
import pytest
from discord.ext import commands
from discord_mocks import sent_kwargs as last_call
from discord_mocks import spec_mock

from desk_discord.bot import DeskBot
from desk_discord.exts.protection import verdict_embed
from desk_discord.exts.protection._cog import UNAVAILABLE, CheckSource, ProtectionCog
from desk_discord.exts.protection._wizard import (
    EXPIRED,
    NOT_YOURS,
    ChoiceSelect,
    DatesModal,
    ProtectionCheckView,
    VerdictView,
)
from desk_discord.views.protection_offer import OFFER_TEXT, offer_view
from dispute_desk.journal import Journal
from dispute_desk.protection import Citation, ProtectionCheck, Reason, Step, Verdict, inputs_from_answers
from dispute_desk.settings import PROJECT_DIR, load_settings
from dispute_desk.texts import Texts

OWNER = 4242
TODAY = date(2026, 11, 11)


def make_interaction(user_id: int = OWNER, *, client: Any = None) -> mock.MagicMock:
    interaction = spec_mock(
        discord.Interaction,
        user=spec_mock(discord.Member, id=user_id),
        client=client,
        message=None,
        command=None,
        guild_id=1,
        channel_id=2,
    )
    response = spec_mock(discord.InteractionResponse)
    response.is_done.side_effect = lambda: bool(
        response.send_message.await_count or response.edit_message.await_count or response.send_modal.await_count
    )
    interaction.response = response
    interaction.followup = spec_mock(discord.Webhook)
    return interaction


def labels(view: discord.ui.View) -> list[str]:
    return [item.label for item in view.children if isinstance(item, discord.ui.Button)]


async def click(view: discord.ui.View, label: str) -> mock.MagicMock:
    button = next(i for i in view.children if isinstance(i, discord.ui.Button) and i.label == label)
    interaction = make_interaction()
    await button.callback(interaction)
    return interaction


async def pick_type(wizard: ProtectionCheckView, value: str) -> mock.MagicMock:
    select = next(i for i in wizard.children if isinstance(i, ChoiceSelect))
    interaction = make_interaction()
    select._refresh_state(interaction, {"values": [value]})  # what discord.py does when the member picks
    await select.callback(interaction)
    return interaction


def new_wizard(protection_check: ProtectionCheck) -> ProtectionCheckView:
    return ProtectionCheckView(protection_check, OWNER, today=lambda: TODAY)


# The verdict embed (pure) -----------------------------------------------------------------------------------
def test_verdict_embed_shows_status_reasons_with_links_steps_dates_and_disclaimer(check) -> None:
    verdict = check(
        type="fixed",
        funded="some",
        submitted_via_contract="yes",
        submitted="2026-11-04",
        client_ended="yes",
        ended="2026-11-10",
        refund_requested="yes",
        refund_date="2026-11-10",
        academic="no",
        off_platform="no",
    )
    embed = verdict_embed(verdict)
    assert embed.title == "Am I protected? Partly protected"
    assert embed.colour == discord.Colour.gold()
    fields = {f.name: f.value for f in embed.fields}
    assert list(fields) == ["Why", "Next steps", "Dates (UTC)"]
    assert (
        "[Disputes on fixed-price contracts § 2.3](https://support.upwork.com/hc/en-us/articles/"
        "211063748-Upwork-Fixed-Price-Protection-for-Freelancers)" in fields["Why"]
    )
    assert "❌ Milestones the client never funded are not protected" in fields["Why"]
    assert "(by 2026-11-17)" in fields["Next steps"] and "§ 2.6" in fields["Next steps"]
    assert "**2026-11-17** Last day to file a dispute (or approve the refund) (in 6 days)" in fields["Dates (UTC)"]
    assert "not legal advice" in embed.footer.text


@pytest.mark.parametrize(
    ("answers", "colour", "first_field"),
    [
        ({"type": "outside"}, discord.Colour.red(), "Why"),
        ({"type": "hourly"}, discord.Colour.light_grey(), "Answer these for a verdict"),
        (
            {"type": "fixed", "funded": "no", "released": "2026-11-01"},
            discord.Colour.light_grey(),
            "These answers contradict each other",
        ),
        ({"type": "fixed", "funded": "yes", "submitted_via_contract": "yes"}, discord.Colour.green(), "Why"),
    ],
)
def test_embed_colour_and_what_comes_first(check, answers: dict, colour: discord.Colour, first_field: str) -> None:
    embed = verdict_embed(check(**answers))
    assert embed.colour == colour
    assert embed.fields[0].name == first_field


def test_a_huge_verdict_still_fits_discord_limits() -> None:
    citation = Citation("02-x.md", "2.1", "A heading " * 10, "A title [with brackets]", "https://example.org/a (b)")
    verdict = Verdict(
        status="partly",
        label="Partly protected",
        summary="S" * 5000,
        reasons=tuple(Reason("word " * 120, "protects", f"r{i}", citation) for i in range(40)),
        next_steps=tuple(Step("step " * 100, f"s{i}", citation) for i in range(10)),
        dates=(),
        missing=(),
        contradictions=(),
        disclaimer="Not legal advice. " * 200,
        today=TODAY,
    )
    embed = verdict_embed(verdict)
    assert len(embed) <= 6000
    assert len(embed.fields) <= 25 and all(len(f.value) <= 1024 for f in embed.fields)
    assert len(embed.description) <= 4096 and len(embed.footer.text) <= 2048
    assert "[A title (with brackets) § 2.1](https://example.org/a%20%28b%29)" in embed.fields[0].value


# The question flow ------------------------------------------------------------------------------------------
async def test_first_step_is_a_private_select_of_the_contract_type(protection_check: ProtectionCheck) -> None:
    wizard = new_wizard(protection_check)
    [select] = wizard.children
    assert isinstance(select, ChoiceSelect)
    assert [o.value for o in select.options] == ["fixed", "hourly", "direct-fixed", "direct-hourly", "outside"]
    assert "What kind of contract is it?" in wizard.content() and "only you can see them" in wizard.content()


async def test_fixed_price_flow_ends_in_the_verdict_with_dates(protection_check: ProtectionCheck) -> None:
    wizard = new_wizard(protection_check)
    picked = await pick_type(wizard, "fixed")
    sent = last_call(picked.response.edit_message)
    assert "Did the client fund the milestone" in sent["content"] and sent["view"] is wizard
    assert labels(wizard) == ["Yes, it's funded", "Only some milestones", "No", "I don't know", "Start over"]
    for label in ("Only some milestones", "Yes, with Submit work", "No", "Yes", "Yes", "No", "No"):
        await click(wizard, label)
    assert wizard.answers == {
        "type": "fixed",
        "funded": "some",
        "submitted_via_contract": "yes",
        "changes_requested": "no",
        "client_ended": "yes",
        "refund_requested": "yes",
        "academic": "no",
        "off_platform": "no",
    }
    assert labels(wizard) == ["Add dates", "Show my verdict", "Start over"]
    assert "Last step" in wizard.content()

    opened = await click(wizard, "Add dates")
    modal = last_call(opened.response.send_modal)["content"]
    assert isinstance(modal, DatesModal)
    assert list(modal.inputs) == ["submitted", "ended", "refund_date", "released"]
    assert all(not field.required for field in modal.inputs.values())
    shown_labels = [item.text for item in modal.children if isinstance(item, discord.ui.Label)]
    assert shown_labels == [
        "The date of your latest Submit work",
        "The date the client ended the contract",
        "The date the client asked for the refund",
        "The date the payment was released",
    ]
    assert all(len(text) <= 45 for text in shown_labels)

    submitted = make_interaction()
    for name, value in {"submitted": "2026-11-04", "ended": "2026-11-10", "refund_date": "2026-11-10"}.items():
        modal.inputs[name]._refresh_state(submitted, {"value": value})
    await modal.on_submit(submitted)
    shown = last_call(submitted.response.edit_message)
    assert shown["content"] is None and isinstance(shown["view"], VerdictView)
    assert shown["allowed_mentions"].to_dict() == {"parse": []}
    embed = shown["embed"]
    assert embed.title == "Am I protected? Partly protected"
    assert "2026-11-17" in {f.name: f.value for f in embed.fields}["Dates (UTC)"]
    assert wizard.is_finished()


async def test_a_bad_date_is_explained_and_nothing_is_kept(protection_check: ProtectionCheck) -> None:
    wizard = new_wizard(protection_check)
    await pick_type(wizard, "fixed")
    for label in ("Yes, it's funded", "Yes, with Submit work", "No", "No", "No", "No", "No"):
        await click(wizard, label)
    opened = await click(wizard, "Add dates")
    modal = last_call(opened.response.send_modal)["content"]
    submitted = make_interaction()
    modal.inputs["submitted"]._refresh_state(submitted, {"value": "04/11/2026"})
    await modal.on_submit(submitted)
    shown = last_call(submitted.response.edit_message)
    assert "Please check these dates" in shown["content"]
    assert "'04/11/2026' is not a date in the form YYYY-MM-DD" in shown["content"]
    assert shown["view"] is wizard and wizard.dates == {} and not wizard.is_finished()


async def test_hourly_flow_asks_only_what_matters(protection_check: ProtectionCheck) -> None:
    wizard = new_wizard(protection_check)
    await pick_type(wizard, "hourly")
    assert "How did you log your time?" in wizard.content()
    clicked = await click(wizard, "Manual time")  # manual time: memos, limit and billing no longer matter
    assert "academic or professional cheating" in last_call(clicked.response.edit_message)["content"]
    await click(wizard, "No")
    await click(wizard, "No")
    assert set(wizard.answers) == {"type", "tracked", "academic", "off_platform"}
    verdict = await click(wizard, "Show my verdict")
    assert last_call(verdict.response.edit_message)["embed"].title == "Am I protected? Not protected"


async def test_paid_outside_goes_straight_to_the_verdict(protection_check: ProtectionCheck) -> None:
    wizard = new_wizard(protection_check)
    picked = await pick_type(wizard, "outside")
    shown = last_call(picked.response.edit_message)
    assert shown["embed"].title == "Am I protected? Not protected"
    assert isinstance(shown["view"], VerdictView)


async def test_someone_else_cannot_press_the_buttons(protection_check: ProtectionCheck) -> None:
    wizard = new_wizard(protection_check)
    stranger = make_interaction(user_id=999)
    assert await wizard.interaction_check(stranger) is False
    sent = last_call(stranger.response.send_message)
    assert sent["content"] == NOT_YOURS and sent["ephemeral"] is True
    assert await wizard.interaction_check(make_interaction()) is True


async def test_start_over_clears_the_answers(protection_check: ProtectionCheck) -> None:
    wizard = new_wizard(protection_check)
    await pick_type(wizard, "fixed")
    await click(wizard, "No")
    clicked = await click(wizard, "Start over")
    assert wizard.answers == {}
    assert "What kind of contract is it?" in last_call(clicked.response.edit_message)["content"]


async def test_an_expired_check_says_so(protection_check: ProtectionCheck) -> None:
    wizard = new_wizard(protection_check)
    wizard.last_interaction = make_interaction()
    await wizard.on_timeout()
    wizard.last_interaction.edit_original_response.assert_awaited_once_with(content=EXPIRED, embed=None, view=None)


async def test_the_verdict_can_be_shared_in_the_channel_once(protection_check: ProtectionCheck) -> None:
    verdict = protection_check.run(inputs_from_answers({"type": "outside"}), today=TODAY)
    view = VerdictView(protection_check, OWNER, verdict)
    shared = await click(view, "Share in channel")
    sent = last_call(shared.response.send_message)
    assert sent["ephemeral"] is False
    assert sent["allowed_mentions"].to_dict() == {"parse": []}
    assert sent["embed"].title == "Am I protected? Not protected"
    again = await click(view, "Share in channel")
    assert last_call(again.response.send_message)["ephemeral"] is True
    restarted = await click(view, "Start over")
    assert isinstance(last_call(restarted.response.edit_message)["view"], ProtectionCheckView)


# The command, the offer button and the extension ------------------------------------------------------------
def _cog(knowledge_dir: Path) -> ProtectionCog:
    bot = types.SimpleNamespace(settings=load_settings(knowledge_dir=knowledge_dir))
    return ProtectionCog(bot, today=lambda: TODAY)  # type: ignore[arg-type]


async def test_protected_command_opens_a_private_check() -> None:
    cog = _cog(PROJECT_DIR / "knowledge")
    await cog.cog_load()
    interaction = make_interaction()
    await cog.protected.callback(cog, interaction)
    sent = last_call(interaction.response.send_message)
    assert sent["ephemeral"] is True and isinstance(sent["view"], ProtectionCheckView)
    assert sent["view"].owner_id == OWNER
    assert sent["allowed_mentions"].to_dict() == {"parse": []}
    assert "What kind of contract is it?" in sent["content"]


async def test_without_usable_rules_the_command_says_so(tmp_path: Path) -> None:
    cog = _cog(tmp_path / "knowledge")
    await cog.cog_load()
    interaction = make_interaction()
    await cog.protected.callback(cog, interaction)
    sent = last_call(interaction.response.send_message)
    assert sent["content"] == UNAVAILABLE and sent["ephemeral"] is True


async def test_offer_button_starts_the_check() -> None:
    view = offer_view()
    [item] = view.children
    assert item.custom_id == "desk:protection:start"
    assert item.item.label == "Start the protection check"
    assert view.timeout is None and "depends on your contract" in OFFER_TEXT
    cog = _cog(PROJECT_DIR / "knowledge")
    client = spec_mock(commands.Bot)
    client.get_cog.return_value = cog
    interaction = make_interaction(client=client)
    await item.callback(interaction)
    client.get_cog.assert_called_with("Protection")
    assert isinstance(last_call(interaction.response.send_message)["view"], ProtectionCheckView)


async def test_rules_are_reloaded_when_a_moderator_edits_them(knowledge_copy: Path) -> None:
    source = CheckSource(knowledge_copy)
    first = await source.get()
    assert first is not None and first.ruleset.numbers["refund_answer_days"].value == 7
    assert await source.get() is first  # unchanged file: no reload
    rules = knowledge_copy / "rules" / "protection.yaml"
    rules.write_text(
        rules.read_text().replace("  refund_answer_days:\n    value: 7", "  refund_answer_days:\n    value: 8")
    )
    os.utime(rules, (1_900_000_000, 1_900_000_000))
    second = await source.get()
    assert second is not first and second.ruleset.numbers["refund_answer_days"].value == 8
    rules.write_text("rules: [")  # a broken edit keeps the last good rules
    os.utime(rules, (1_900_000_100, 1_900_000_100))
    assert await source.get() is second


async def test_extension_registers_the_command_and_the_persistent_button(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", knowledge_dir=PROJECT_DIR / "knowledge")
    settings.data_dir.mkdir(parents=True)
    journal = Journal.open(settings.database_path)
    bot = DeskBot(
        settings,
        journal=journal,
        texts=Texts.load(PROJECT_DIR / "prompts"),
        sync="never",
        extensions=["desk_discord.exts.protection"],
    )
    try:
        await bot.setup_hook()
        command = bot.tree.get_command("protected")
        assert command is not None and "Am I protected?" in command.description
        assert len(command.description) <= 100
        assert bot.get_cog("Protection") is not None
        assert any(p.pattern == r"^desk:protection:start$" for p in bot._connection._view_store._dynamic_items)
    finally:
        await bot.close()
        journal.close()
