"""Dense search in memory for small indexes: the same neighbours as Chroma, one matrix product for all asks."""

from __future__ import annotations

import pytest

from dispute_desk.desk import Desk
from dispute_desk.retrieval import ExactIndex, HybridRetriever
from dispute_desk.store import ChunkStore

QUESTIONS = ["who pays the arbitration fee", "how long does the client have to review my work",
             "milestone must be funded before I start"]


@pytest.fixture
def live(tiny_desk):
    return ChunkStore(tiny_desk.settings).live("hashing")


def test_exact_neighbours_match_chromas(live, embedder) -> None:
    vectors = [embedder.embed_query(q) for q in QUESTIONS]
    exact = ExactIndex.load(live).query_many(vectors, 3)
    chroma = live.query_many(vectors, 3)
    for mine, theirs in zip(exact, chroma, strict=True):
        assert [cid for cid, _ in mine] == [cid for cid, _ in theirs]
        assert [round(sim, 4) for _, sim in mine] == [round(sim, 4) for _, sim in theirs]


def test_one_store_call_answers_several_vectors_like_separate_calls(live, embedder) -> None:
    vectors = [embedder.embed_query(q) for q in QUESTIONS]
    assert live.query_many(vectors, 2) == [live.query(v, 2) for v in vectors]
    assert live.query_many([], 2) == []


def test_more_neighbours_than_records_returns_them_all_best_first(live, embedder) -> None:
    found = ExactIndex.load(live).query_many([embedder.embed_query(QUESTIONS[0])], 50)[0]
    assert len(found) == live.count()
    assert [sim for _, sim in found] == sorted((sim for _, sim in found), reverse=True)


def test_small_indexes_are_searched_in_memory_and_the_limit_switches_to_chroma(tiny_desk) -> None:
    in_memory = tiny_desk
    assert isinstance(in_memory._snapshot.retriever, HybridRetriever)
    assert in_memory._snapshot.retriever.exact is not None
    chroma_only = Desk.open(tiny_desk.settings.updated({"exact_search_max": 0}),
                            embedder=tiny_desk.embedder)
    assert chroma_only._snapshot.retriever.exact is None
    for question in QUESTIONS:
        a, b = in_memory.search(question), chroma_only.search(question)
        assert [h.chunk.id for h in a] == [h.chunk.id for h in b]


def test_an_open_desk_keeps_numpy_blas_on_one_thread(tiny_desk):
    """Regression: OpenBLAS spread the product of a two-ask question's vectors with the passage matrix over
    every core, and on a busy 2-core machine its spinning threads made that product 8 ms instead of 0.07.
    """
    from threadpoolctl import threadpool_info

    numpy_blas = [pool for pool in threadpool_info() if pool["user_api"] == "blas" and "numpy" in pool["filepath"]]
    assert numpy_blas, "numpy loads its own BLAS library"
    assert all(pool["num_threads"] == 1 for pool in numpy_blas)
