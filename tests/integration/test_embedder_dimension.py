"""The embedding dimension the index is stamped with, also for models that do not declare it."""

from __future__ import annotations

import pytest

from dispute_desk.embedding import SentenceTransformerEmbedder

pytestmark = pytest.mark.slow


def test_a_model_without_a_declared_dimension_still_loads_and_reports_its_real_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # sentence-transformers returns None when no module of a model declares its output size (found by mypy:
    # int(None) used to stop the desk with a bare TypeError instead of loading the model).
    from sentence_transformers import SentenceTransformer

    monkeypatch.setattr(SentenceTransformer, "get_embedding_dimension", lambda self: None)
    embedder = SentenceTransformerEmbedder()
    assert embedder.dimension == 384
    assert len(embedder.embed_query("when is the escrow released")) == embedder.dimension
