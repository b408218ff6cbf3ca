"""Questions asked at the same time are encoded in one model call, each getting its own vector back."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor

import pytest

from dispute_desk.embedding import BatchingEmbedder, HashingEmbedder


class SlowModel:
    """A model call takes 50 ms whatever the batch size (like a small transformer on a short batch)."""

    def __init__(self, fail: bool = False) -> None:
        self.inner = HashingEmbedder()
        self.name, self.dimension, self.backend = "slow", self.inner.dimension, self.inner.backend
        self.calls: list[int] = []
        self.fail = fail
        self._lock = threading.Lock()

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        with self._lock:
            self.calls.append(len(texts))
        time.sleep(0.05)
        if self.fail:
            raise RuntimeError("model crashed")
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        return self.embed_documents([text])[0]


def test_concurrent_questions_share_model_calls_and_get_their_own_vectors() -> None:
    model = SlowModel()
    batching = BatchingEmbedder(model)
    questions = [f"question number {n} about escrow" for n in range(40)]
    with ThreadPoolExecutor(40) as pool:
        began = time.perf_counter()
        vectors = list(pool.map(batching.embed_query, questions))
        elapsed = time.perf_counter() - began
    assert vectors == [HashingEmbedder().embed_query(q) for q in questions]
    assert sum(model.calls) == 40
    assert len(model.calls) <= 5, model.calls  # 40 separate calls would take 2 s
    assert elapsed < 1.0


def test_a_lone_question_is_encoded_at_once() -> None:
    model = SlowModel()
    began = time.perf_counter()
    BatchingEmbedder(model).embed_query("when is escrow released")
    assert model.calls == [1] and time.perf_counter() - began < 0.5


def test_a_model_failure_reaches_every_waiting_caller_and_the_next_batch_still_runs() -> None:
    model = SlowModel(fail=True)
    batching = BatchingEmbedder(model)
    with ThreadPoolExecutor(8) as pool:
        futures = [pool.submit(batching.embed_query, f"q{n}") for n in range(8)]
        for future in futures:
            with pytest.raises(RuntimeError, match="model crashed"):
                future.result(timeout=5)
    model.fail = False
    assert batching.embed_query("escrow") == HashingEmbedder().embed_query("escrow")


def test_stories_with_several_asks_are_batched_with_other_questions_and_keep_their_order() -> None:
    """A story and its asks are one question: they join the shared batch and come back in their order."""
    model = SlowModel()
    batching = BatchingEmbedder(model)
    questions = [[f"story {n} about a refund", f"ask {n} a", f"ask {n} b"] for n in range(20)]
    with ThreadPoolExecutor(20) as pool:
        vectors = list(pool.map(batching.embed_documents, questions))
    plain = HashingEmbedder()
    assert vectors == [plain.embed_documents(q) for q in questions]
    assert sum(model.calls) == 60 and len(model.calls) <= 5, model.calls


def test_a_long_document_list_goes_straight_to_the_model() -> None:
    model = SlowModel()
    texts = [f"chunk {n}" for n in range(100)]
    assert BatchingEmbedder(model).embed_documents(texts) == HashingEmbedder().embed_documents(texts)
    assert model.calls == [100]
