"""The saved corpus (chunks + BM25): later starts skip re-reading and re-tokenising, and it is never stale."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dispute_desk.desk import Desk
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.lexical import TOKENS_VERSION
from dispute_desk.settings import Settings
from dispute_desk.store import Collection
from ingest.pipeline import run_ingest


def _refuse(self: Collection) -> None:
    raise AssertionError("the corpus was re-read from Chroma instead of the saved cache")


def _open(settings: Settings, embedder: HashingEmbedder) -> Desk:
    return Desk.open(settings.updated({"min_evidence": 0.0}), embedder=embedder)


def test_a_desk_starts_from_the_corpus_the_ingest_saved(
    settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    fresh = _open(settings, embedder).ask("who pays the arbitration fee")

    monkeypatch.setattr(Collection, "iter_chunks", _refuse)
    cached = _open(settings, embedder).ask("who pays the arbitration fee")
    assert cached.text == fresh.text and cached.sources == fresh.sources
    assert len(list((settings.data_dir / "lexical").iterdir())) == 1


def test_an_update_is_served_not_the_saved_corpus_of_the_previous_revision(
    settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder
) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    desk = _open(settings, embedder)
    policy = tiny_knowledge / "policy" / "01-escrow.md"
    policy.write_text(policy.read_text().replace("14 days", "21 days"), encoding="utf-8")
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    assert "21 days" in desk.ask("how many days does the client have to review the work").text
    assert "21 days" in _open(settings, embedder).ask("how many days does the client have to review").text
    assert len(list((settings.data_dir / "lexical").iterdir())) <= 2  # old revisions are pruned


def test_a_damaged_cache_is_rebuilt_from_the_collection(
    settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder, monkeypatch: pytest.MonkeyPatch
) -> None:
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    (folder,) = (settings.data_dir / "lexical").iterdir()
    (folder / "chunks.json").write_text("[not json", encoding="utf-8")
    answer = _open(settings, embedder).ask("who pays the arbitration fee")
    assert answer.answered and answer.sources[0].title == "Arbitration fees"

    monkeypatch.setattr(Collection, "iter_chunks", _refuse)  # repaired: the next start uses it again
    assert _open(settings, embedder).ask("who pays the arbitration fee").text == answer.text


def test_a_cache_written_with_other_tokens_is_rebuilt_not_misread(
    settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder
) -> None:
    # A cache saved by a version with the old hand-written stemmer holds BM25 arrays over other tokens: the
    # new query tokens would miss them. It must be rebuilt from the collection, not loaded.
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    (folder,) = (settings.data_dir / "lexical").iterdir()
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    meta.pop("tokens", None)  # what a cache written before the tokenizer change looks like
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
    fresh = _open(settings, embedder).ask("who pays the arbitration fee")
    assert fresh.answered and fresh.sources[0].title == "Arbitration fees"
    assert json.loads((folder / "meta.json").read_text(encoding="utf-8"))["tokens"] == TOKENS_VERSION
