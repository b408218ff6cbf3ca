"""Freshness: answers say when each source was last checked; stale policy sections are listed for moderators."""

from __future__ import annotations

import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest
from rich.console import Console

from desk_cli import app
from desk_cli.render import print_answer
from desk_discord.exts.admin._format import status_embed
from desk_discord.render import answer_embed
from dispute_desk.desk import Desk
from dispute_desk.freshness import stale_sections
from dispute_desk.models import Answer, Chunk, Source

OLD_POLICY = """---
title: Mediation
kind: policy
topic: mediation
urls: [https://support.example.invalid/mediation]
as_of: 2025-01-15
---
# 3. Mediation

## 3.1 How long mediation takes
<!-- facts: F30 -->
Mediation usually runs for about two weeks before a mediator suggests a resolution.

## 3.2 Rechecked part
<!-- facts: F31 | as_of: {recent} -->
A mediator cannot release funds without both parties agreeing.
"""


# Dates relative to today, so the tests do not go stale themselves: the tiny knowledge base is dated 2026-11-20.
RECENT = (date.today() - timedelta(days=10)).isoformat()
THRESHOLD = max(180, (date.today() - date(2026, 11, 20)).days + 180)


def old_policy() -> str:
    return OLD_POLICY.replace("{recent}", RECENT)


def chunk(source: str, section: str | None, as_of: str | None, kind: str = "policy", n: int = 0) -> Chunk:
    return Chunk(id=f"{source}-{section}-{n}", text="x", source=source, title=source.title(), kind=kind,
                 section=section, as_of=as_of)


def test_stale_sections_lists_old_and_undated_policy_sections_once_oldest_first() -> None:
    chunks = [
        chunk("mediation", "3.1", "2025-01-15"),
        chunk("mediation", "3.1", "2025-01-15", n=1),  # a second chunk of the same section
        chunk("mediation", "3.2", "2026-11-01"),
        chunk("fees", "5.1", "2024-06-30"),
        chunk("notes", None, None),
        chunk("forum-thread", None, "2020-01-01", kind="forum"),  # only policy sections are re-checked
    ]
    stale = stale_sections(chunks, max_age_days=180, today=date(2026, 11, 30))
    assert [(s.source, s.section, s.age_days) for s in stale] == [
        ("notes", None, None), ("fees", "5.1", 883), ("mediation", "3.1", 684)
    ]
    assert stale[1].label() == "Fees § 5.1: checked 2024-06-30 (883 days ago)"
    assert stale_sections(chunks[:3], max_age_days=1000, today=date(2026, 11, 30)) == []


def test_answers_from_the_desk_carry_the_date_each_source_was_checked(tiny_desk: Desk) -> None:
    answer = tiny_desk.ask("How long does the client have to review submitted work?")
    assert answer.sources and all(s.as_of == "2026-11-20" for s in answer.sources)
    assert set(answer.to_json()) == {"question", "answered", "answer", "sources", "latency_ms"}
    assert all(set(s) == {"title", "url", "section", "kind", "score", "text"} for s in answer.to_json()["sources"])


SOURCE = Source(1, "Escrow basics", "https://support.example.invalid/review", "1.2 The review period", "policy",
                0.8, "After the freelancer submits work, the client has 14 days.", as_of="2026-11-20")


def test_discord_and_cli_answers_show_checked_dates_next_to_sources() -> None:
    answer = Answer("How long is review?", True, "14 days [1].", (SOURCE,))
    embed = answer_embed(answer, disclaimer="Not legal advice.", fallback="")
    assert "checked 2026-11-20" in embed.fields[0].value

    console = Console(record=True, width=200)
    print_answer(console, answer, "Not legal advice.")
    assert "Escrow basics § 1.2 The review period — https://support.example.invalid/review (checked 2026-11-20)" in (
        console.export_text()
    )


def test_kb_status_lists_sections_to_recheck(tiny_desk: Desk, tiny_knowledge: Path) -> None:
    (tiny_knowledge / "policy" / "03-mediation.md").write_text(old_policy(), encoding="utf-8")
    from ingest.pipeline import run_ingest

    tiny_desk.settings = tiny_desk.settings.updated({"stale_after_days": THRESHOLD})
    run_ingest(tiny_desk.settings, [tiny_knowledge], embedder=tiny_desk.embedder)
    tiny_desk.reload()
    embed = status_embed(tiny_desk.status(), None)
    field = next(f for f in embed.fields if f.name.startswith("To re-check"))
    assert "Mediation § 3.1 How long mediation takes: checked 2025-01-15" in field.value
    assert "3.2" not in field.value and "Escrow" not in field.value


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    for name in list(os.environ):
        if name.startswith("DESK_") or name == "DISCORD_TOKEN":
            monkeypatch.delenv(name)
    knowledge = tmp_path / "knowledge"
    (knowledge / "policy").mkdir(parents=True)
    (knowledge / "policy" / "03-mediation.md").write_text(old_policy(), encoding="utf-8")
    monkeypatch.setenv("DESK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("DESK_KNOWLEDGE_DIR", str(knowledge))
    monkeypatch.setenv("DESK_EMBEDDING_MODEL", "hashing")
    monkeypatch.setenv("COLUMNS", "300")
    monkeypatch.chdir(tmp_path)
    return knowledge


def test_bot_py_ingest_lists_stale_sections_and_ask_json_keeps_its_keys(cli_env: Path, capsys) -> None:
    assert app.main(["ingest"]) == 0
    out = capsys.readouterr().out
    assert "1 policy section(s) not checked in the last 180 days" in out  # the default
    assert "stale Mediation § 3.1 How long mediation takes: checked 2025-01-15" in out
    assert "3.2 Rechecked part" not in out

    os.environ["DESK_STALE_AFTER_DAYS"] = "100000"
    try:
        assert app.main(["ingest"]) == 0
    finally:
        del os.environ["DESK_STALE_AFTER_DAYS"]
    assert "not checked" not in capsys.readouterr().out

    app.main(["ask", "--json", "How long does mediation take?"])
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"question", "answered", "answer", "sources", "latency_ms"}
