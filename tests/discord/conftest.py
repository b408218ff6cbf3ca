"""Fixtures for the Discord front end: a scripted Desk, the real Journal and Texts, a bot with every
extension loaded (not connected), and dpytest wiring for message flows."""

from __future__ import annotations

import threading
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from desk_discord.bot import DeskBot
from dispute_desk.desk import DeskStatus
from dispute_desk.journal import Journal
from dispute_desk.models import Answer, Source
from dispute_desk.settings import Settings
from dispute_desk.texts import Texts

SOURCES = (
    Source(1, "Fixed-price disputes", "https://support.example.invalid/disputes", "2.3 Filing a dispute", "policy",
           0.82, "Within the review period the client may dispute a submitted milestone. Mediation follows."),
    Source(2, "Client disputed my hours", "https://community.example.invalid/t/123", None, "forum", 0.61,
           "Staff: hours logged with the desktop app and screenshots are covered by Hourly Protection."),
)


class FakeDesk:
    """Scripted core: answers unless the question contains 'unknown'; records calls and their threads.

    ``delay`` is a *blocking* sleep, like model inference or a Chroma call: if the bot called ``ask`` on the
    event loop, the loop would stall for that long.
    """

    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.calls: list[tuple[str, str | None]] = []
        self.call_threads: list[int] = []
        self.reloads = 0
        self._lock = threading.Lock()

    def ask(self, question: str, *, context: str | None = None) -> Answer:
        with self._lock:
            self.calls.append((question, context))
            self.call_threads.append(threading.get_ident())
        if self.delay:
            time.sleep(self.delay)
        if "unknown" in question.lower():
            return Answer(question, False, "", SOURCES[:1], reason="weak_evidence")
        text = f"For '{question}': the client can dispute within the review period [1]; hourly work is covered [2]."
        return Answer(question, True, text, SOURCES, latency_ms=12.0)

    def reload(self) -> None:
        self.reloads += 1

    def status(self) -> DeskStatus:
        return DeskStatus(chunks=42, sources=7, model="hashing", store_mode="embedded", collection="passages-1",
                          data_dir="data", last_ingest={"finished": "2026-11-20T10:00:00+00:00", "files": 7,
                                                        "chunks": 42, "errors": []})


@pytest.fixture
def bot_settings(settings: Settings) -> Settings:
    """Settings for the bot: a moderator role, no cooldown unless a test sets one."""
    return settings.model_copy(update={"moderator_role_id": 555_000_000_000_000_001,
                                       "question_cooldown_seconds": 0.0, "progress_edit_seconds": 0.05})


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
