"""`bot.py ingest` with the reindex guard: a change that breaks answers is refused (exit 3) and the regressed
question is printed; `--force` switches and says so (hashing embedder, a question file of the test's own).
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from desk_cli import app
from desk_cli.exit_codes import OK, PARTIAL
from dispute_desk.settings import load_settings
from dispute_desk.store import ChunkStore

POLICY = """---
title: Escrow basics
kind: policy
as_of: 2026-11-20
---
# 1. Escrow basics

## 1.1 Funding a milestone
<!-- facts: F01 -->
The client must fund a milestone into escrow before the freelancer starts.

## 1.2 The review period
<!-- facts: F06 -->
After the freelancer submits work, the client has 14 days to review it, then escrow is released automatically.
"""


@pytest.fixture
def knowledge(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("DESK_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    folder = tmp_path / "knowledge"
    (folder / "policy").mkdir(parents=True)
    (folder / "policy" / "01-escrow.md").write_text(POLICY, encoding="utf-8")
    questions = tmp_path / "q.jsonl"
    questions.write_text(json.dumps({"id": "q-review", "question": "How long does the client have to review "
                                     "submitted work?", "facts": ["F06"], "answerable": True}) + "\n")
    for key, value in {"DATA_DIR": tmp_path / "data", "KNOWLEDGE_DIR": folder, "EMBEDDING_MODEL": "hashing",
                       "REINDEX_QUESTIONS": questions, "MIN_EVIDENCE": 0}.items():
        monkeypatch.setenv(f"DESK_{key}", str(value))
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.chdir(tmp_path)
    return folder


def test_ingest_refuses_a_breaking_change_and_force_switches(knowledge: Path, capsys: pytest.CaptureFixture[str]):
    assert app.main(["ingest"]) == OK
    live = ChunkStore(load_settings()).pointer().collection
    capsys.readouterr()
    (knowledge / "policy" / "01-escrow.md").write_text(POLICY.split("## 1.2")[0], encoding="utf-8")

    assert app.main(["ingest"]) == PARTIAL
    out = capsys.readouterr().out
    assert "policy section removed: policy/01-escrow.md § 1.2 The review period" in out
    assert "reindex guard failed: the live index is unchanged" in out
    assert "regressed q-review: How long does the client have to review submitted work?" in out
    assert ChunkStore(load_settings()).pointer().collection == live

    assert app.main(["ingest", "--force"]) == OK
    out = capsys.readouterr().out
    assert "reindex guard failed, switched because of --force" in out
    assert ChunkStore(load_settings()).pointer().collection != live
