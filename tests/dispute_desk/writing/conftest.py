"""Fixtures for the writer tests: hits with a prompt-injection forum post, the real prompt files, writers."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from llm_fakes import INJECTION_BODY, POLICY_BODY, REVIEW_BODY, ScriptedChatModel, Tokens, hit

from dispute_desk.models import Hit
from dispute_desk.settings import PROJECT_DIR, Settings
from dispute_desk.writing import LlmWriter, WritingPrompt


@pytest.fixture
def hits() -> list[Hit]:
    return [
        hit("escrow", POLICY_BODY, title="Escrow basics", section="1.1 Funding a milestone", facts=("F01", "F02")),
        hit("review", REVIEW_BODY, title="Escrow basics", section="1.2 The review period", facts=("F06",)),
        hit("forum", INJECTION_BODY, title="Free money thread", kind="forum", author_role="member", score=0.5),
    ]


@pytest.fixture
def prompt() -> WritingPrompt:
    return WritingPrompt.load(PROJECT_DIR / "prompts" / "llm")


@pytest.fixture
def llm_settings(settings: Settings) -> Settings:
    return settings.updated({"llm_provider": "openai", "llm_model": "scripted", "llm_timeout_seconds": 2.0})


@pytest.fixture
def make_writer(llm_settings: Settings, prompt: WritingPrompt) -> Callable[..., tuple[LlmWriter, ScriptedChatModel]]:
    def make(*replies: str, delay: float = 0.0, error: Exception | None = None,
             timeout: float | None = None) -> tuple[LlmWriter, ScriptedChatModel]:
        model = ScriptedChatModel(replies=list(replies) or [""], delay=delay, error=error)
        settings = llm_settings
        if timeout is not None:
            settings = settings.updated({"llm_timeout_seconds": timeout})
        return LlmWriter(settings, prompt, model=model), model

    return make


@pytest.fixture
def tokens() -> Tokens:
    return Tokens()
