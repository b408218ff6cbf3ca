"""Fixtures for the Discord front end: the scripted Desk, the real Journal and Texts, and a bot with every
extension loaded (not connected to anything)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
from desk_fakes import FakeDesk

from desk_discord.bot import DeskBot
from dispute_desk.journal import Journal
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts


@pytest.fixture
def bot_settings(settings: Settings) -> Settings:
    """Settings for the bot: a moderator role, no cooldown unless a test sets one."""
    return settings.updated({
            "moderator_role_id": 555_000_000_000_000_001,
            "question_cooldown_seconds": 0.0,
            "progress_edit_seconds": 0.05,
        }
    )


@pytest.fixture
def texts() -> Texts:
    return Texts.load(Path(__file__).resolve().parents[2] / "prompts")


@pytest.fixture
def journal(bot_settings: Settings) -> Iterator[Journal]:
    journal = Journal.open(bot_settings.database_path)
    yield journal
    journal.close()


@pytest.fixture
def fake_desk() -> FakeDesk:
    return FakeDesk()


@pytest.fixture
async def bot(bot_settings: Settings, journal: Journal, texts: Texts, fake_desk: FakeDesk) -> AsyncIterator[DeskBot]:
    """A DeskBot with every extension loaded and the scripted Desk; not connected to anything."""
    bot = DeskBot(bot_settings, journal=journal, texts=texts, desk=fake_desk, sync="never")  # type: ignore[arg-type]
    await bot.setup_hook()
    yield bot
    await bot.close()
