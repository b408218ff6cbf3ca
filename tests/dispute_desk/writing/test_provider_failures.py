"""Through the real langchain-openai client against a local OpenAI-compatible server: streaming works, and a
rate limit, a stalled server, a refused connection or a rejected key all end in the extractive answer within
DESK_LLM_TIMEOUT_SECONDS, with the key never logged."""

from __future__ import annotations

import logging
import socket
import time

import pytest
from openai_stub import StubServer
from pydantic import SecretStr

from dispute_desk.models import Answer, Source
from dispute_desk.settings import Settings
from dispute_desk.writing import LlmWriter, WritingPrompt

EXTRACTIVE = Answer("How long is the review?", True, "The client has 14 days to review it. [1]",
                    (Source(1, "Escrow basics", None, None, "policy", 0.7, "..."),))
GOOD = "Your client has 14 days to review the work [2], after which escrow is released [2]."
SECRET = "sk-test-not-a-real-key-0123456789"


def writer_for(settings: Settings, prompt: WritingPrompt, base_url: str, timeout: float = 2.0) -> LlmWriter:
    configured = settings.updated({
        "llm_provider": "openai", "llm_model": "stub", "llm_base_url": base_url, "llm_timeout_seconds": timeout,
        "llm_api_key": SecretStr(SECRET),
    })
    return LlmWriter(configured, prompt)  # the real model, made by init_chat_model on first use


def test_streamed_answer_through_the_openai_client(settings, prompt, hits, tokens) -> None:
    with StubServer("stream", GOOD) as server:
        answer = writer_for(settings, prompt, server.base_url).write(EXTRACTIVE.question, hits, EXTRACTIVE,
                                                                       on_token=tokens)
    assert answer.mode == "written" and answer.text == GOOD.replace("[2]", "[1]")
    assert len(tokens.pieces) == len(GOOD.split(" "))
    request = server.requests[0]
    assert request["stream"] is True and request["model"] == "stub" and request["temperature"] == 0.0
    assert request["max_tokens"] == request["max_completion_tokens"] == settings.llm.max_tokens
    assert [m["role"] for m in request["messages"]] == ["system", "user"]


@pytest.mark.parametrize(("mode", "reason"), [("429", "rate_limited"), ("500", "provider_error"),
                                              ("401", "provider_error")])
def test_provider_errors_fall_back_at_once_without_retrying(settings, prompt, hits, caplog, mode, reason) -> None:
    with StubServer(mode) as server, caplog.at_level(logging.DEBUG):
        started = time.monotonic()
        answer = writer_for(settings, prompt, server.base_url).write(EXTRACTIVE.question, hits, EXTRACTIVE)
        elapsed = time.monotonic() - started
    assert answer.text == EXTRACTIVE.text and answer.fallback == reason
    assert len(server.requests) == 1 and elapsed < 1.5  # no retries, no backoff
    assert SECRET not in caplog.text


def test_a_stalled_server_falls_back_within_the_time_limit(settings, prompt, hits) -> None:
    with StubServer("stall") as server:
        started = time.monotonic()
        answer = writer_for(settings, prompt, server.base_url, timeout=1.0).write(EXTRACTIVE.question, hits,
                                                                                  EXTRACTIVE)
        elapsed = time.monotonic() - started
    assert answer.fallback == "timeout" and answer.text == EXTRACTIVE.text
    assert 0.95 <= elapsed < 1.3


def test_a_server_that_streams_too_slowly_is_cut_off_at_the_limit(settings, prompt, hits, tokens) -> None:
    with StubServer("stream", GOOD, delay=0.15) as server:
        started = time.monotonic()
        answer = writer_for(settings, prompt, server.base_url, timeout=1.0).write(EXTRACTIVE.question, hits,
                                                                                  EXTRACTIVE, on_token=tokens)
        elapsed = time.monotonic() - started
    assert answer.fallback == "timeout" and elapsed < 1.3
    assert 0 < len(tokens.pieces) < len(GOOD.split(" "))


def test_nobody_listening_falls_back(settings, prompt, hits) -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    answer = writer_for(settings, prompt, f"http://127.0.0.1:{port}/v1").write(EXTRACTIVE.question, hits, EXTRACTIVE)
    assert answer.fallback == "provider_error" and answer.text == EXTRACTIVE.text


def test_the_api_key_is_secret_in_settings(settings) -> None:
    configured = settings.updated({"llm_api_key": SecretStr(SECRET)})
    assert SECRET not in repr(configured) and SECRET not in str(configured.model_dump())
