"""Rate limits and the question gate: cooldowns, length, DMs, moderator checks."""

from __future__ import annotations

from discord_mocks import mock_member, mock_role, mock_user

from desk_discord.checks import is_moderator
from desk_discord.exts.ask._gate import QuestionGate
from desk_discord.ratelimit import Cooldown, WindowLimit
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cooldown_allows_once_per_period_per_key() -> None:
    clock = Clock()
    cooldown = Cooldown(10, clock=clock)
    assert cooldown.hit("a") == 0
    assert cooldown.hit("a") == 10
    assert cooldown.hit("b") == 0
    clock.now += 10
    assert cooldown.hit("a") == 0


def test_window_limit_counts_events_in_window() -> None:
    clock = Clock()
    limit = WindowLimit(2, 60, clock=clock)
    assert limit.hit("g") == 0 and limit.hit("g") == 0
    assert limit.hit("g") == 60
    limit.undo("g")
    assert limit.hit("g") == 0
    clock.now += 60
    assert limit.hit("g") == 0


def gate(settings: Settings, texts: Texts, **update: object) -> QuestionGate:
    return QuestionGate(settings.updated(update), texts, Cooldown(30))


def test_gate_refuses_long_questions_with_the_numbers(settings: Settings, texts: Texts) -> None:
    refusal = gate(settings, texts, max_question_chars=50).check(user_id=1, in_dm=False, question="x" * 51)
    assert refusal is not None and refusal.reason == "too_long"
    assert "51 characters" in refusal.text and "under 50" in refusal.text


def test_gate_cooldown_only_counts_questions_it_accepts(settings: Settings, texts: Texts) -> None:
    g = gate(settings, texts, max_question_chars=50)
    assert g.check(user_id=1, in_dm=False, question="x" * 51) is not None  # too long: no cooldown started
    assert g.check(user_id=1, in_dm=False, question="What is escrow?") is None
    refusal = g.check(user_id=1, in_dm=False, question="And mediation?")
    assert refusal is not None and refusal.reason == "cooldown" and "30 s" in refusal.text
    assert g.check(user_id=2, in_dm=False, question="What is escrow?") is None


def test_gate_dms_by_setting(settings: Settings, texts: Texts) -> None:
    refusal = gate(settings, texts, answer_dms=False).check(user_id=1, in_dm=True, question="What is escrow?")
    assert refusal is not None and refusal.reason == "dm" and "/ask" in refusal.text
    assert gate(settings, texts, answer_dms=True).check(user_id=1, in_dm=True, question="What is escrow?") is None


def test_gate_greets_empty_questions(settings: Settings, texts: Texts) -> None:
    refusal = gate(settings, texts).check(user_id=1, in_dm=False, question="   ")
    assert refusal is not None and refusal.text == texts.greeting


def test_is_moderator_by_permission_or_role(settings: Settings) -> None:
    role = mock_role(777)
    configured = settings.updated({"moderator_role_id": 777})
    assert is_moderator(mock_member(manage_guild=True), settings)
    assert is_moderator(mock_member(administrator=True), settings)
    assert is_moderator(mock_member(roles=[role]), configured)
    assert not is_moderator(mock_member(roles=[role]), settings)  # role not configured
    assert not is_moderator(mock_member(roles=[mock_role(778)]), configured)
    assert not is_moderator(mock_user(), configured)  # in DMs nobody is a moderator
