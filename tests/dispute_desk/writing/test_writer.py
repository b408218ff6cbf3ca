"""The writer: streams the model's text, keeps it only if it passes the check, else the extractive answer."""

from __future__ import annotations

import logging
import threading
import time

import pytest
from llm_fakes import Tokens

from dispute_desk.models import Answer, Source

EXTRACTIVE = Answer(
    "How long is the review?",
    True,
    "After the freelancer submits work, the client has 14 days to review it. [1]",
    (Source(1, "Escrow basics", None, "1.2 The review period", "policy", 0.7, "..."),),
    facts=("F06",),
)
GOOD = "Your client has 14 days to review submitted work [2]; if they do nothing, escrow is released [2]."


def test_a_grounded_answer_is_streamed_and_returned_with_only_its_cited_sources(make_writer, hits, tokens) -> None:
    writer, model = make_writer(GOOD)
    answer = writer.write(EXTRACTIVE.question, hits, EXTRACTIVE, on_token=tokens)

    assert len(tokens.pieces) > 5 and tokens.text == GOOD  # the member sees the text as it arrives
    assert answer.mode == "written" and answer.fallback is None
    assert answer.text == GOOD.replace("[2]", "[1]")  # renumbered: the one cited passage becomes [1]
    assert [(s.number, s.section) for s in answer.sources] == [(1, "1.2 The review period")]
    assert answer.facts == ("F06",)
    assert answer.answered and answer.question == EXTRACTIVE.question
    assert writer.stats.snapshot() == {"written": 1, "fallbacks": {}}
    assert model.calls == 1


@pytest.mark.parametrize(
    ("reply", "reason"),
    [
        ("Your client has 14 days to review submitted work.", "no_citation"),
        ("Your client has 14 days to review submitted work [9].", "bad_citation"),
        ("Your client has 30 days to review submitted work [2].", "unsupported_figure"),
        ("", "empty"),
        ("NOT_IN_PASSAGES", "declined"),
    ],
)
def test_an_answer_failing_the_check_falls_back_to_the_extractive_one_with_a_log_line_and_a_counter(
    make_writer, hits, caplog, reply: str, reason: str
) -> None:
    writer, _ = make_writer(reply)
    with caplog.at_level(logging.WARNING, logger="dispute_desk.writing.writer"):
        answer = writer.write(EXTRACTIVE.question, hits, EXTRACTIVE)
    assert answer.text == EXTRACTIVE.text and answer.sources == EXTRACTIVE.sources
    assert answer.mode == "extractive" and answer.fallback == reason
    assert writer.stats.snapshot()["fallbacks"] == {reason: 1}
    assert f"written answer discarded ({reason}" in caplog.text


def test_a_model_that_obeys_the_injected_forum_post_is_not_shown(make_writer, hits) -> None:
    writer, model = make_writer("I am FreeBot! Upwork refunds $5,000 to every freelancer within 2 days.")
    answer = writer.write(EXTRACTIVE.question, hits, EXTRACTIVE)
    assert answer.text == EXTRACTIVE.text and answer.fallback == "no_citation"
    system, user = (m.content for m in model.seen[0])
    assert "Ignore previous instructions" in user and "Ignore previous instructions" not in system


def test_a_slow_model_falls_back_within_the_time_limit(make_writer, hits, tokens) -> None:
    writer, _ = make_writer(GOOD, delay=0.2, timeout=0.6)  # ~20 words at 0.2 s each: far over the limit
    started = time.monotonic()
    answer = writer.write(EXTRACTIVE.question, hits, EXTRACTIVE, on_token=tokens)
    elapsed = time.monotonic() - started
    assert 0.55 <= elapsed < 0.9
    assert answer.text == EXTRACTIVE.text and answer.fallback == "timeout"
    assert 0 < len(tokens.pieces) < len(GOOD.split())  # some text streamed, then the limit struck


def test_a_provider_error_falls_back_at_once(make_writer, hits) -> None:
    writer, _ = make_writer(error=ConnectionError("connection refused"))
    started = time.monotonic()
    answer = writer.write(EXTRACTIVE.question, hits, EXTRACTIVE)
    assert time.monotonic() - started < 0.5
    assert answer.text == EXTRACTIVE.text and answer.fallback == "provider_error"


def test_a_failing_token_callback_does_not_lose_the_answer(make_writer, hits) -> None:
    def broken(_: str) -> None:
        raise RuntimeError("discord is down")

    writer, _ = make_writer(GOOD)
    assert writer.write(EXTRACTIVE.question, hits, EXTRACTIVE, on_token=broken).mode == "written"


def test_the_model_is_created_once_on_first_use(llm_settings, prompt, hits) -> None:
    from llm_fakes import ScriptedChatModel

    from dispute_desk.writing import LlmWriter

    created: list[int] = []

    def factory() -> ScriptedChatModel:
        created.append(threading.get_ident())
        return ScriptedChatModel(replies=[GOOD])

    writer = LlmWriter(llm_settings, prompt, model_factory=factory)
    assert created == []  # nothing at construction: the bot starts without waiting for the provider
    writer.write(EXTRACTIVE.question, hits, EXTRACTIVE)
    writer.write(EXTRACTIVE.question, hits, EXTRACTIVE)
    assert len(created) == 1


def test_tokens_arrive_on_the_caller_thread(make_writer, hits) -> None:
    sink = Tokens()
    writer, _ = make_writer(GOOD)
    writer.write(EXTRACTIVE.question, hits, EXTRACTIVE, on_token=sink)
    assert sink.threads == {threading.get_ident()}
