"""`eval --llm` scores both answer modes on the same questions: facts in answers, declines, fallbacks, latency."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys

import pytest
from rich.console import Console

from desk_cli import exit_codes
from desk_cli.commands import eval as eval_command
from dispute_desk.desk import Desk
from dispute_desk.eval import EvalItem, compare_modes
from dispute_desk.settings import PROJECT_DIR

ITEMS = [
    EvalItem("review", "How many days does the client have to review submitted work?", ("F06",), True),
    EvalItem("minimum", "What is the minimum amount for a milestone in escrow?", ("F02",), True),
    EvalItem("pizza", "Can you recommend a good pizza place in Berlin?", (), False),
]
GOOD = "The client has 14 days to review submitted work [1]."
BAD = "A milestone must be at least $50 [1]."  # the passage says $5


def test_both_modes_are_scored_side_by_side(tiny_desk: Desk, make_writer) -> None:
    writer, model = make_writer(GOOD, BAD)
    tiny_desk.writer = writer
    extractive, written = compare_modes(tiny_desk, ITEMS, k=3)

    assert extractive.mode == "extractive" and extractive.fallback_rate == 0.0
    assert written.mode == "written"
    assert written.written_rate == 0.5 and written.fallback_rate == 0.5
    assert written.fallbacks == {"unsupported_figure": 1}
    assert [i.mode for i in written.items] == ["written", "extractive", "extractive"]
    assert written.decline_recall == extractive.decline_recall == 1.0  # the pizza question never reached the model
    assert model.calls == 2
    assert written.answer_fact_rate == extractive.answer_fact_rate == 1.0


def _questions(tmp_path):
    path = tmp_path / "q.jsonl"
    path.write_text("\n".join(json.dumps({"id": i.id, "question": i.question, "facts": list(i.facts),
                                          "answerable": i.answerable}) for i in ITEMS), encoding="utf-8")
    return path


@pytest.mark.subprocess
def test_eval_llm_without_a_model_configured_says_what_to_set(tiny_desk: Desk, tmp_path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DESK_")}
    env.update({"DESK_DATA_DIR": str(tiny_desk.settings.data_dir), "DESK_EMBEDDING_MODEL": "hashing",
                "HF_HUB_OFFLINE": "1", "COLUMNS": "200"})
    done = subprocess.run([sys.executable, "bot.py", "eval", str(_questions(tmp_path)), "--llm"], cwd=PROJECT_DIR,
                          env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == exit_codes.CONFIG
    assert "set DESK_LLM_PROVIDER and DESK_LLM_MODEL" in done.stdout + done.stderr


def test_the_side_by_side_table_and_json(tiny_desk: Desk, make_writer, tmp_path, capsys) -> None:
    writer, _ = make_writer(GOOD, BAD)
    tiny_desk.writer = writer
    extractive, written = compare_modes(tiny_desk, ITEMS, k=3)
    args = argparse.Namespace(file=[tmp_path / "q.jsonl"], json=False, details=True)
    out = io.StringIO()
    assert eval_command._side_by_side(args, Console(file=out, width=200), extractive, written, model=writer.label) == 0
    text = out.getvalue()
    assert "extractive vs written by openai:scripted" in text
    assert "fell back to the extractive answer" in text and "fallback reasons: unsupported_figure 1" in text
    assert "minimum fell back (unsupported_figure)" in text

    args.json = True
    eval_command._side_by_side(args, Console(file=out), extractive, written, model=writer.label)
    data = json.loads(capsys.readouterr().out)
    assert data["model"] == "openai:scripted"
    assert data["written"]["fallbacks"] == {"unsupported_figure": 1} and data["extractive"]["fallback_rate"] == 0.0
