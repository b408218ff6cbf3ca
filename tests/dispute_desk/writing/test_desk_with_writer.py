"""The Desk with a writer: declines are decided before the model; answered questions are written; the JSON
contract of `ask --json` does not change."""

from __future__ import annotations

import pytest

from dispute_desk.desk import Desk
from dispute_desk.writing import WriterUnavailable

WRITTEN = "The client has 14 days to review submitted work [1]."


@pytest.fixture
def writing_desk(tiny_desk: Desk, make_writer):
    writer, model = make_writer(WRITTEN)
    tiny_desk.writer = writer
    return tiny_desk, model


def test_an_answered_question_is_written_by_the_model_and_keeps_the_json_contract(writing_desk, tokens) -> None:
    desk, model = writing_desk
    answer = desk.ask("How many days does the client have to review submitted work?", on_token=tokens)
    assert model.calls == 1 and tokens.text == WRITTEN
    assert answer.answered and answer.mode == "written"
    assert answer.text == WRITTEN
    assert answer.sources[0].section == "1.2 The review period"
    assert list(answer.to_json()) == ["question", "answered", "answer", "sources", "latency_ms"]
    assert list(answer.to_json()["sources"][0]) == ["title", "url", "section", "kind", "score", "text"]


@pytest.mark.parametrize(
    "question",
    ["What's the weather in Paris tomorrow?", "Write my essay about escrow for school", "", "x" * 2000],
)
def test_declines_are_decided_before_the_model_is_called(writing_desk, question: str) -> None:
    desk, model = writing_desk
    answer = desk.ask(question)
    assert not answer.answered
    assert model.calls == 0


def test_weak_evidence_is_declined_without_the_model(tiny_desk: Desk, make_writer) -> None:
    writer, model = make_writer(WRITTEN)
    strict = Desk(tiny_desk.settings.updated({"min_evidence": 0.99}), tiny_desk.embedder, tiny_desk.store,
                  tiny_desk.texts, writer=writer)
    answer = strict.ask("How many days does the client have to review submitted work?")
    assert not answer.answered and answer.reason == "weak_evidence"
    assert model.calls == 0


def test_a_model_that_cannot_answer_never_turns_an_answer_into_a_decline(tiny_desk: Desk, make_writer) -> None:
    writer, _ = make_writer("NOT_IN_PASSAGES")
    tiny_desk.writer = writer
    extractive = tiny_desk.ask("How many days does the client have to review submitted work?", write=False)
    answer = tiny_desk.ask("How many days does the client have to review submitted work?")
    assert answer.answered and answer.text == extractive.text and answer.fallback == "declined"


def test_write_false_gives_the_extractive_answer_without_calling_the_model(writing_desk) -> None:
    desk, model = writing_desk
    answer = desk.ask("How many days does the client have to review submitted work?", write=False)
    assert answer.mode == "extractive" and answer.fallback is None and model.calls == 0


def test_no_provider_means_no_writer(tiny_desk: Desk) -> None:
    assert tiny_desk.writer is None and not tiny_desk.streams


def test_a_provider_without_its_package_is_a_configuration_error_at_start(settings, tiny_knowledge) -> None:
    broken = settings.updated({"llm_provider": "nosuchvendor", "llm_model": "m"})
    with pytest.raises(WriterUnavailable, match="langchain-nosuchvendor"):
        Desk.open(broken)
    with pytest.raises(WriterUnavailable, match="DESK_LLM_MODEL"):
        Desk.open(settings.updated({"llm_provider": "openai"}))


def test_moderators_see_the_model_and_its_fallback_counts_in_kb_status(tiny_desk: Desk, make_writer) -> None:
    from desk_discord.exts.admin._format import status_embed

    writer, _ = make_writer(WRITTEN, "A milestone must be at least $50 [1].")
    tiny_desk.writer = writer
    tiny_desk.ask("How many days does the client have to review submitted work?")
    tiny_desk.ask("What is the minimum amount for a milestone?")
    status = tiny_desk.status()
    assert status.writer == {"model": "openai:scripted", "written": 1, "fallbacks": {"unsupported_figure": 1}}
    field = next(f for f in status_embed(status, None).fields if f.name == "Written answers since start")
    assert field.value == "openai:scripted: 1 written, 1 fell back to the quoted answer (unsupported figure 1)"


@pytest.mark.subprocess
def test_the_cli_and_the_bot_stop_with_a_clear_message_when_the_provider_package_is_missing(tiny_desk: Desk) -> None:
    import os
    import subprocess
    import sys

    from desk_discord.runner import _known_failure
    from dispute_desk.settings import PROJECT_DIR

    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update({"DESK_DATA_DIR": str(tiny_desk.settings.data_dir), "DESK_EMBEDDING_MODEL": "hashing",
                "DESK_LLM_PROVIDER": "nosuchvendor", "DESK_LLM_MODEL": "m", "HF_HUB_OFFLINE": "1", "COLUMNS": "200"})
    done = subprocess.run([sys.executable, "bot.py", "ask", "what is escrow?"], cwd=PROJECT_DIR, env=env,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 5
    assert "DESK_LLM_PROVIDER=nosuchvendor needs the langchain-nosuchvendor package" in done.stderr
    assert _known_failure(WriterUnavailable("needs a package")) == 5  # `run` (the bot) exits the same way
