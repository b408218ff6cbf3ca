"""DESK_EMBEDDING_BACKEND=onnx: exported offline from the bundled model, cached, and close to the torch vectors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from dispute_desk.embedding import ModelUnavailable, build_embedder
from dispute_desk.settings import Settings, load_settings

pytestmark = pytest.mark.slow

PASSAGES = [
    "The client has 14 days to review submitted work; after that the escrow is released automatically.",
    "The arbitration fee is split between the freelancer and the client.",
    "Hourly Protection covers work logged with the desktop app during the review window.",
    "A chargeback is a bank reversal of a card payment by the client.",
]
QUESTIONS = ["how long does the client have to approve my milestone", "who pays for arbitration",
             "is my hourly time covered if I used the tracker", "the client reversed the card payment"]


@pytest.fixture(scope="module")
def onnx_settings(tmp_path_factory: pytest.TempPathFactory) -> Settings:
    return load_settings(data_dir=tmp_path_factory.mktemp("onnx") / "data", embedding_backend="onnx")


def test_onnx_vectors_match_torch_and_rank_the_same(onnx_settings: Settings) -> None:
    onnx = build_embedder(onnx_settings)
    torch = build_embedder(onnx_settings.updated({"embedding_backend": "torch"}))
    assert onnx.dimension == torch.dimension == 384
    a, b = np.array(onnx.embed_documents(PASSAGES)), np.array(torch.embed_documents(PASSAGES))
    assert (a * b).sum(axis=1).min() > 0.98
    for number, question in enumerate(QUESTIONS):
        assert int(np.argmax(a @ np.array(onnx.embed_query(question)))) == number
        assert int(np.argmax(b @ np.array(torch.embed_query(question)))) == number


def test_onnx_is_the_default_backend_and_exports_into_the_data_dir_unless_told_otherwise(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path / "data", model_cache_dir=None)
    assert settings.embedding.backend == "onnx"
    assert settings.models_dir == tmp_path / "data" / "models"
    shared = load_settings(data_dir=tmp_path / "data", model_cache_dir=tmp_path / "cache")
    assert shared.models_dir == tmp_path / "cache"


def test_the_export_is_cached_and_reused(onnx_settings: Settings) -> None:
    first = build_embedder(onnx_settings)
    exported = first.path
    assert exported.is_file() and onnx_settings.models_dir in exported.parents
    stamp = exported.stat().st_mtime_ns
    second = build_embedder(onnx_settings)
    assert second.path == exported and exported.stat().st_mtime_ns == stamp
    assert second.embed_query("escrow") == first.embed_query("escrow")


def test_a_model_that_is_not_a_local_folder_is_refused_with_the_fix(tmp_path: Path) -> None:
    settings = load_settings(data_dir=tmp_path, embedding_backend="onnx", embedding_model="someone/remote-model")
    with pytest.raises(ModelUnavailable, match="DESK_EMBEDDING_BACKEND=torch"):
        build_embedder(settings)


def test_concurrent_calls_and_long_lists_give_the_same_vectors_as_one_by_one(onnx_settings: Settings) -> None:
    """Questions from several worker threads run in parallel; ingest's long lists are spread over the cores."""
    from concurrent.futures import ThreadPoolExecutor

    embedder = build_embedder(onnx_settings)
    texts = [f"{question} ({n})" for n in range(5) for question in QUESTIONS + PASSAGES]
    one_by_one = np.array([embedder.embed_query(t) for t in texts])
    with ThreadPoolExecutor(8) as pool:
        concurrent = np.array(list(pool.map(embedder.embed_query, texts)))
    listed = np.array(embedder.embed_documents(texts))
    assert len(texts) > 8  # the multi-core path
    assert np.allclose(concurrent, one_by_one, atol=1e-5)
    # Regression: batches padded short texts to their longest neighbour, which moved int8 vectors (cosine 0.98)
    assert np.allclose(listed, one_by_one, atol=1e-5)
    few = embedder.embed_documents(texts[:3])
    assert np.allclose(np.array(few), one_by_one[:3], atol=1e-5)
