"""Shared fixtures: settings on tmp_path, a tiny knowledge set, a plumbing desk and a real-model desk.

``tiny_desk`` uses the deterministic HashingEmbedder: fast, for plumbing only. Anything that claims answer
quality uses ``real_desk``: the bundled all-MiniLM-L6-v2 model over the bundled knowledge base, built once
per test session in a temporary data dir.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
# The default (onnx) backend exports the model once per cache dir; every test's fresh data dir, and the CLI
# subprocesses the tests start, share one export instead of each paying for its own.
os.environ.setdefault("DESK_MODEL_CACHE_DIR", os.path.join(tempfile.gettempdir(), "dispute-desk-test-models"))

from tiny_knowledge import TINY_ARBITRATION, TINY_POLICY

from dispute_desk.desk import Desk
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.settings import PROJECT_DIR, Settings, load_settings
from ingest.pipeline import run_ingest


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return load_settings(data_dir=tmp_path / "data", knowledge_dir=tmp_path / "knowledge",
                         embedding_model="hashing")


@pytest.fixture
def tiny_knowledge(settings: Settings) -> Path:
    folder = settings.knowledge_dir
    (folder / "policy").mkdir(parents=True)
    (folder / "policy" / "01-escrow.md").write_text(TINY_POLICY, encoding="utf-8")
    (folder / "policy" / "02-arbitration.md").write_text(TINY_ARBITRATION, encoding="utf-8")
    return folder


@pytest.fixture
def embedder() -> HashingEmbedder:
    return HashingEmbedder()


@pytest.fixture
def tiny_desk(settings: Settings, tiny_knowledge: Path, embedder: HashingEmbedder) -> Desk:
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    return Desk.open(settings.updated({"min_evidence": 0.0}), embedder=embedder)


@pytest.fixture(scope="session")
def real_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(data_dir=tmp_path_factory.mktemp("real") / "data",
                         knowledge_dir=PROJECT_DIR / "knowledge")


@pytest.fixture(scope="session")
def real_desk(real_settings: Settings) -> Desk:
    """The bundled knowledge base indexed with the real bundled model (built once per session)."""
    from dispute_desk.embedding import build_embedder

    embedder = build_embedder(real_settings)
    summary = run_ingest(real_settings, [real_settings.knowledge_dir], embedder=embedder)
    assert summary.ok, summary.errors
    return Desk.open(real_settings, embedder=embedder)
