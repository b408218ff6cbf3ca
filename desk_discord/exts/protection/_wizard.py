"""The ephemeral question flow: one question per step (buttons, or a select for the contract type), an
optional dates form, then the verdict with "Share in channel" and "Start over".
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import date
from typing import Any

import discord

from desk_discord.errors import NO_MENTIONS, handle_error, member_ref
from desk_discord.exts.protection._embed import dates_message, question_message, verdict_embed
from desk_discord.render import truncate
from dispute_desk.protection import InvalidAnswer, ProtectionCheck, Verdict, inputs_from_answers, parse_date
from dispute_desk.protection.dates import utc_today
from dispute_desk.protection.questions import date_questions, next_choice_question
from dispute_desk.protection.rules import Question

log = logging.getLogger(__name__)

WIZARD_TIMEOUT = 600.0  # under the 15 minutes an interaction token lasts, so the message can still be edited
MAX_BUTTON_CHOICES = 5  # one row of buttons; more choices use a select
MODAL_LABEL_LIMIT = 45
MODAL_DESCRIPTION_LIMIT = 100
NOT_YOURS = "This check belongs to someone else. Start your own with /protected."
EXPIRED = "This check timed out. Run /protected to start again."


class _View(discord.ui.View):
    """Only the member who started the check may press its buttons; errors go to the one handler."""

    def __init__(self, owner_id: int, *, timeout: float | None = WIZARD_TIMEOUT) -> None:
        super().__init__(timeout=timeout)
        self.owner_id = owner_id

    async def interaction_check(self, interaction: discord.Interaction) -> bool:
        if interaction.user.id == self.owner_id:
            return True
        await interaction.response.send_message(NOT_YOURS, ephemeral=True, allowed_mentions=NO_MENTIONS)
        return False

    async def on_error(self, interaction: discord.Interaction, error: Exception, item: discord.ui.Item[Any]) -> None:
        await handle_error(interaction, error)


class ProtectionCheckView(_View):
    def __init__(
        self, protection_check: ProtectionCheck, owner_id: int, *, today: Callable[[], date] = utc_today
    ) -> None:
        super().__init__(owner_id)
        self.protection_check = protection_check
        self.today = today
        self.answers: dict[str, object] = {}
        self.dates: dict[str, date] = {}
        self.last_interaction: discord.Interaction | None = None
        self.render()

    # State ------------------------------------------------------------------------------------------------
    @property
    def question(self) -> Question | None:
        return next_choice_question(self.protection_check.questions, self.answers)

    @property
    def date_questions(self) -> list[Question]:
        return date_questions(self.protection_check.questions, self.answers)[:5]  # a form holds at most 5 inputs

    def content(self) -> str:
        question = self.question
        if question is not None:
            return question_message(question, number=len(self.answers) + 1, intro=not self.answers)
        return dates_message([q.label for q in self.date_questions])

    def verdict(self) -> Verdict:
        inputs = inputs_from_answers({**self.answers, **self.dates})
        return self.protection_check.run(inputs, today=self.today())

    def render(self) -> None:
        """Put the components of the current step on the view."""
        self.clear_items()
        question = self.question
        if question is not None:
            if len(question.choices) > MAX_BUTTON_CHOICES or question.field == "type":
                self.add_item(ChoiceSelect(question))
            else:
                for value, label in question.choices:
                    self.add_item(ChoiceButton(question.field, value, label))
        else:
            self.add_item(DatesButton())
            self.add_item(VerdictButton())
        if self.answers:
            self.add_item(RestartButton(row=4))

    # Steps ------------------------------------------------------------------------------------------------
    async def choose(self, interaction: discord.Interaction, field: str, value: str) -> None:
        self.answers[field] = value
        self.last_interaction = interaction
        if self.question is None and not self.date_questions:
            await self.show_verdict(interaction)
            return
        self.render()
        await interaction.response.edit_message(
            content=self.content(), embed=None, view=self, allowed_mentions=NO_MENTIONS
        )

    async def restart(self, interaction: discord.Interaction) -> None:
        self.answers.clear()
        self.dates.clear()
        self.last_interaction = interaction
        self.render()
        await interaction.response.edit_message(
            content=self.content(), embed=None, view=self, allowed_mentions=NO_MENTIONS
        )

    async def show_verdict(self, interaction: discord.Interaction) -> None:
        verdict = self.verdict()
        self.stop()
        view = VerdictView(self.protection_check, self.owner_id, verdict, today=self.today)
        await interaction.response.edit_message(
            content=None, embed=verdict_embed(verdict), view=view, allowed_mentions=NO_MENTIONS
        )
        who = member_ref(interaction.client, self.owner_id)
        log.info("protection check by %s: %s (%s)", who, verdict.status, ", ".join(verdict.rules))

    async def on_timeout(self) -> None:
        if self.last_interaction is None:
            return
        try:
            await self.last_interaction.edit_original_response(content=EXPIRED, embed=None, view=None)
        except discord.HTTPException:
            log.debug("could not mark an expired protection check", exc_info=True)

    def read_dates(self, raw: dict[str, str]) -> list[str]:
        """Store the dates typed into the form; returns the problems (empty when all are fine)."""
        problems = []
        dates: dict[str, date] = {}
        for field, text in raw.items():
            if not text.strip():
                continue
            try:
                dates[field] = parse_date(text)
            except InvalidAnswer as exc:
                question = self.protection_check.ruleset.question(field)
                problems.append(f"{question.label if question else field}: {exc}")
        if not problems:
            self.dates = dates
        return problems


class ChoiceButton(discord.ui.Button[ProtectionCheckView]):
    def __init__(self, field: str, value: str, label: str) -> None:
        style = discord.ButtonStyle.secondary if value == "unknown" else discord.ButtonStyle.primary
        super().__init__(label=truncate(label, 80), style=style, custom_id=f"protection:{field}:{value}")
        self.field = field
        self.value = value

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.choose(interaction, self.field, self.value)


class ChoiceSelect(discord.ui.Select[ProtectionCheckView]):
    def __init__(self, question: Question) -> None:
        options = [discord.SelectOption(label=truncate(label, 100), value=value) for value, label in question.choices]
        super().__init__(
            placeholder=truncate(question.ask, 150), options=options[:25], custom_id=f"protection:{question.field}"
        )
        self.field = question.field

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.choose(interaction, self.field, self.values[0])


class DatesButton(discord.ui.Button[ProtectionCheckView]):
    def __init__(self) -> None:
        super().__init__(label="Add dates", style=discord.ButtonStyle.primary, custom_id="protection:dates")

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await interaction.response.send_modal(DatesModal(self.view))


class VerdictButton(discord.ui.Button[ProtectionCheckView]):
    def __init__(self) -> None:
        super().__init__(label="Show my verdict", style=discord.ButtonStyle.success, custom_id="protection:verdict")

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.show_verdict(interaction)


class RestartButton(discord.ui.Button[Any]):
    def __init__(self, *, row: int | None = None) -> None:
        super().__init__(
            label="Start over", style=discord.ButtonStyle.secondary, custom_id="protection:restart", row=row
        )

    async def callback(self, interaction: discord.Interaction) -> None:
        view = self.view
        if isinstance(view, ProtectionCheckView):
            await view.restart(interaction)
        elif isinstance(view, VerdictView):
            await view.start_over(interaction)


class DatesModal(discord.ui.Modal):
    def __init__(self, check_view: ProtectionCheckView) -> None:
        super().__init__(title="Dates (YYYY-MM-DD, all optional)", timeout=WIZARD_TIMEOUT)
        self.check_view = check_view
        self.inputs: dict[str, discord.ui.TextInput[DatesModal]] = {}
        for question in check_view.date_questions:
            known = check_view.dates.get(question.field)
            field = discord.ui.TextInput[DatesModal](
                placeholder="YYYY-MM-DD",
                default=known.isoformat() if known else None,
                required=False,
                min_length=0,
                max_length=10,
                custom_id=f"protection:date:{question.field}",
            )
            self.inputs[question.field] = field
            self.add_item(
                discord.ui.Label(
                    text=truncate(question.label[:1].upper() + question.label[1:], MODAL_LABEL_LIMIT),
                    description=truncate(question.ask, MODAL_DESCRIPTION_LIMIT),
                    component=field,
                )
            )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        check_view = self.check_view
        check_view.last_interaction = interaction
        problems = check_view.read_dates({name: field.value or "" for name, field in self.inputs.items()})
        if problems:
            text = "Please check these dates and add them again:\n" + "\n".join(f"• {p}" for p in problems)
            check_view.render()
            await interaction.response.edit_message(
                content=truncate(text, 2000), view=check_view, allowed_mentions=NO_MENTIONS
            )
            return
        await check_view.show_verdict(interaction)

    # discord.py's Modal.on_error drops BaseView's `item` argument; this matches Modal, which is what calls it.
    async def on_error(self, interaction: discord.Interaction, error: Exception, /) -> None:  # type: ignore[override]
        await handle_error(interaction, error)


class VerdictView(_View):
    """Under the private verdict: post it in the channel, or start again."""

    def __init__(
        self,
        protection_check: ProtectionCheck,
        owner_id: int,
        verdict: Verdict,
        *,
        today: Callable[[], date] = utc_today,
    ) -> None:
        super().__init__(owner_id)
        self.protection_check = protection_check
        self.verdict = verdict
        self.today = today
        self.shared = False
        self.add_item(ShareButton())
        self.add_item(RestartButton())

    async def share(self, interaction: discord.Interaction) -> None:
        if self.shared:
            await interaction.response.send_message(
                "You already shared this verdict.", ephemeral=True, allowed_mentions=NO_MENTIONS
            )
            return
        self.shared = True
        await interaction.response.send_message(
            embed=verdict_embed(self.verdict), ephemeral=False, allowed_mentions=NO_MENTIONS
        )

    async def start_over(self, interaction: discord.Interaction) -> None:
        self.stop()
        check_view = ProtectionCheckView(self.protection_check, self.owner_id, today=self.today)
        check_view.last_interaction = interaction
        await interaction.response.edit_message(
            content=check_view.content(), embed=None, view=check_view, allowed_mentions=NO_MENTIONS
        )


class ShareButton(discord.ui.Button[VerdictView]):
    def __init__(self) -> None:
        super().__init__(label="Share in channel", style=discord.ButtonStyle.secondary, custom_id="protection:share")

    async def callback(self, interaction: discord.Interaction) -> None:
        assert self.view is not None
        await self.view.share(interaction)
