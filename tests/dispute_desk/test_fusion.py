"""Reciprocal rank fusion, per-thread caps and the authority boosts of the hybrid retriever."""

from __future__ import annotations

from dataclasses import replace

import pytest

from dispute_desk.desk import Desk
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.models import Chunk, Hit
from dispute_desk.retrieval import Corpus, HybridRetriever, diversify, reciprocal_rank_fusion
from dispute_desk.settings import RetrievalSettings
from ingest.pipeline import run_ingest

# -- reciprocal_rank_fusion ---------------------------------------------------------------------------------


def test_rrf_sums_weight_over_k_plus_rank_across_rankings():
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c", "d"]], [1.0, 1.0], k=60)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["c"] == pytest.approx(1 / 63 + 1 / 62)
    assert fused["d"] == pytest.approx(1 / 63)
    assert sorted(fused, key=fused.get, reverse=True) == ["b", "c", "a", "d"]


def test_rrf_weights_scale_each_ranking():
    fused = reciprocal_rank_fusion([["a", "b"], ["b", "a"]], [2.0, 0.5], k=1)
    assert fused["a"] == pytest.approx(2.0 / 2 + 0.5 / 3)
    assert fused["b"] == pytest.approx(2.0 / 3 + 0.5 / 2)
    assert fused["a"] > fused["b"]  # the heavier ranking decides a tie of ranks


def test_rrf_small_k_lets_the_top_rank_dominate():
    rankings = [["a", "x", "y", "z"], ["x", "y", "z", "a"]]
    # "a" is first in one list and last in the other; "x" is second and first.
    assert (
        reciprocal_rank_fusion(rankings, [1.0, 1.0], k=60)["x"]
        > reciprocal_rank_fusion(rankings, [1.0, 1.0], k=60)["a"]
    )
    small = reciprocal_rank_fusion(rankings, [1.0, 1.0], k=1)
    assert small["a"] == pytest.approx(1 / 2 + 1 / 5)
    assert small["x"] == pytest.approx(1 / 3 + 1 / 2)


def test_rrf_item_in_one_list_only_gets_that_lists_share():
    fused = reciprocal_rank_fusion([["a"], ["b", "c"]], [1.0, 1.0], k=10)
    assert fused == pytest.approx({"a": 1 / 11, "b": 1 / 11, "c": 1 / 12})


def test_rrf_zero_weight_ranking_contributes_nothing():
    fused = reciprocal_rank_fusion([["a", "b"], ["c", "a"]], [1.0, 0.0], k=60)
    assert set(fused) == {"a", "b"}
    assert fused["a"] == pytest.approx(1 / 61)


def test_rrf_of_empty_rankings_is_empty():
    assert reciprocal_rank_fusion([[], []], [1.0, 1.0]) == {}


# -- diversify ----------------------------------------------------------------------------------------------


def _hits(groups: str) -> list[Hit]:
    """One hit per letter, best first; the letter is the chunk's group."""
    out = []
    for i, group in enumerate(groups):
        chunk = Chunk(id=f"{group}{i}", text=f"passage {i}", source=f"src-{group}", title=group, group=group)
        out.append(Hit(chunk, score=1.0 - i / 100))
    return out


def test_diversify_caps_hits_per_group():
    chosen = diversify(_hits("AAABC"), k=3, max_per_group=2)
    assert [h.chunk.id for h in chosen] == ["A0", "A1", "B3"]


def test_diversify_fills_k_from_other_groups_in_score_order():
    chosen = diversify(_hits("AAAABBBC"), k=5, max_per_group=2)
    assert [h.chunk.id for h in chosen] == ["A0", "A1", "B4", "B5", "C7"]


def test_diversify_relaxes_the_cap_when_too_few_groups_exist():
    chosen = diversify(_hits("AAAAB"), k=4, max_per_group=2)
    assert len(chosen) == 4
    assert [h.chunk.id for h in chosen] == ["A0", "A1", "B4", "A2"]


def test_diversify_returns_everything_when_fewer_hits_than_k():
    assert [h.chunk.id for h in diversify(_hits("AB"), k=5, max_per_group=1)] == ["A0", "B1"]


def test_diversify_uses_the_source_when_a_chunk_has_no_group():
    hits = [Hit(Chunk(id=f"c{i}", text="t", source="same.md", title="t"), 1.0 - i / 10) for i in range(3)]
    hits.append(Hit(Chunk(id="other", text="t", source="other.md", title="t"), 0.1))
    assert [h.chunk.id for h in diversify(hits, k=3, max_per_group=2)] == ["c0", "c1", "other"]


# -- HybridRetriever boosts (real Chroma on tmp_path, HashingEmbedder vectors) --------------------------

FILLER = [
    "Hourly contracts are protected when time is tracked with the desktop app and memos are clear.",
    "A dormant contract is closed automatically after a long period without activity.",
    "The Job Success Score is not changed by a dispute the freelancer wins.",
    "Direct contracts are billed through a separate payment service outside the marketplace.",
]


@pytest.fixture
def authority_corpus(make_chunk):
    body = "If mediation fails, the arbitration fee is split between freelancer and client"
    chunks = [
        make_chunk("policy", f"{body}, as the policy states.", kind="policy", group="policy"),
        make_chunk("staff", f"{body}, as staff explained.", kind="forum", author_role="staff", group="t1"),
        make_chunk(
            "mod", f"{body}, as the moderator wrote.", kind="forum", author_role="moderator", group="t2"
        ),
        make_chunk(
            "accepted",
            f"{body}, says the solution.",
            kind="forum",
            author_role="member",
            accepted=True,
            group="t3",
        ),
        make_chunk("member", f"{body}, a member thinks.", kind="forum", author_role="member", group="t4"),
    ]
    chunks += [make_chunk(f"filler{i}", text, group=f"f{i}") for i, text in enumerate(FILLER)]
    return chunks


def _retriever(chunks, collection, **config) -> HybridRetriever:
    defaults = {"top_k": 5, "candidates": 30, "max_per_group": 5}
    return HybridRetriever(
        Corpus(chunks), collection, HashingEmbedder(), RetrievalSettings(**(defaults | config))
    )


def test_policy_and_authoritative_forum_scores_are_boosted_by_the_configured_factor(
    authority_corpus, make_collection
):
    collection = make_collection(authority_corpus)
    question = "who pays the arbitration fee if mediation fails?"
    plain = {
        h.chunk.id: h
        for h in _retriever(authority_corpus, collection, policy_boost=0.0, staff_boost=0.0).search(question)
    }
    boosted = {
        h.chunk.id: h
        for h in _retriever(authority_corpus, collection, policy_boost=0.15, staff_boost=0.1).search(question)
    }
    expected = {"policy": 1.15, "staff": 1.1, "mod": 1.1, "accepted": 1.1, "member": 1.0}
    assert set(expected) <= set(boosted)
    for chunk_id, factor in expected.items():
        assert boosted[chunk_id].score == pytest.approx(plain[chunk_id].score * factor), chunk_id
        assert boosted[chunk_id].dense == pytest.approx(plain[chunk_id].dense)


def test_near_identical_passages_rank_policy_then_staff_and_accepted_then_members(
    authority_corpus, make_collection
):
    collection = make_collection(authority_corpus)
    # defaults are rrf_k=10 and no policy boost (best on the dev split); this is the boosted configuration
    hits = _retriever(authority_corpus, collection, policy_boost=0.15, rrf_k=60).search(
        "who pays the arbitration fee if mediation fails?"
    )
    order = [h.chunk.id for h in hits]
    assert order[0] == "policy"
    assert set(order[1:4]) == {"staff", "mod", "accepted"}
    assert order[4] == "member"


def test_policy_boost_lifts_a_slightly_weaker_policy_passage_over_a_member_reply(make_chunk, make_collection):
    chunks = [
        make_chunk(
            "member",
            "arbitration fee split",
            title="Forum",
            kind="forum",
            author_role="member",
            group="thread",
        ),
        make_chunk(
            "policy", "arbitration fee split between the parties", title="Rules", kind="policy", group="rules"
        ),
    ] + [make_chunk(f"filler{i}", text, group=f"f{i}") for i, text in enumerate(FILLER)]
    collection = make_collection(chunks)
    question = "arbitration fee split"

    unboosted = _retriever(chunks, collection, policy_boost=0.0, staff_boost=0.0).search(question, k=2)
    assert [h.chunk.id for h in unboosted] == ["member", "policy"]  # the member reply matches better
    boosted = _retriever(chunks, collection, policy_boost=0.15, staff_boost=0.1).search(question, k=2)
    assert [h.chunk.id for h in boosted] == ["policy", "member"]


def test_staff_boost_lifts_a_staff_answer_over_a_slightly_better_member_reply(make_chunk, make_collection):
    chunks = [
        make_chunk(
            "member", "arbitration fee split", title="Forum", kind="forum", author_role="member", group="t1"
        ),
        make_chunk(
            "staff",
            "arbitration fee split between the parties",
            title="Forum",
            kind="forum",
            author_role="staff",
            group="t2",
        ),
    ] + [make_chunk(f"filler{i}", text, group=f"f{i}") for i, text in enumerate(FILLER)]
    collection = make_collection(chunks)

    unboosted = _retriever(chunks, collection, staff_boost=0.0).search("arbitration fee split", k=2)
    assert [h.chunk.id for h in unboosted] == ["member", "staff"]
    boosted = _retriever(chunks, collection, staff_boost=0.1).search("arbitration fee split", k=2)
    assert [h.chunk.id for h in boosted] == ["staff", "member"]


def test_search_caps_one_thread_at_max_per_group(make_chunk, make_collection):
    thread = [
        make_chunk(
            f"reply{i}",
            f"The client filed a chargeback on the milestone, reply number {i}.",
            kind="forum",
            author_role="member",
            group="thread",
            source="knowledge/forum/thread.md",
        )
        for i in range(4)
    ]
    other = [
        make_chunk("policy", "A chargeback by the client is handled by the payments team.", group="policy")
    ]
    chunks = thread + other + [make_chunk(f"filler{i}", text, group=f"f{i}") for i, text in enumerate(FILLER)]
    collection = make_collection(chunks)
    hits = _retriever(chunks, collection, max_per_group=2).search(
        "client filed a chargeback on the milestone", k=3
    )
    groups = [h.chunk.group for h in hits]
    assert groups.count("thread") == 2
    assert "policy" in groups


def test_search_results_carry_dense_and_lexical_signals(authority_corpus, make_collection):
    collection = make_collection(authority_corpus)
    hits = _retriever(authority_corpus, collection).search("arbitration fee split")
    top = hits[0]
    assert top.dense is not None and 0.0 < top.dense <= 1.0 + 1e-6
    assert top.lexical is not None and top.lexical > 0
    assert all(h.score > 0 for h in hits)
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)


def test_zero_lexical_weight_ranks_by_dense_similarity_alone(authority_corpus, make_collection):
    collection = make_collection(authority_corpus)
    hits = _retriever(
        authority_corpus, collection, lexical_weight=0.0, policy_boost=0.0, staff_boost=0.0
    ).search("arbitration fee split", k=9)
    dense = [h.dense for h in hits]
    assert dense == sorted(dense, reverse=True)


def test_corpus_from_collection_round_trips_chunk_metadata(authority_corpus, make_collection):
    chunk = replace(
        authority_corpus[1],
        facts=("F26", "F27"),
        url="https://example.invalid/t",
        section=None,
        as_of="2026-11-20",
    )
    collection = make_collection([chunk])
    (stored,) = Corpus.from_collection(collection).chunks
    assert stored == chunk


# -- how many vectors a question costs ------------------------------------------------------------------------


class _RecordingEmbedder(HashingEmbedder):
    """Records every text the desk sends to the model, however it is sent."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def embed_documents(self, texts):
        self.texts.extend(texts)
        return super().embed_documents(texts)

    def embed_query(self, text):
        self.texts.append(text)
        return super().embed_query(text)


@pytest.fixture
def recorded_desk(settings, tiny_knowledge):
    embedder = _RecordingEmbedder()
    run_ingest(settings, [tiny_knowledge], embedder=embedder)
    desk = Desk.open(settings.updated({"min_evidence": 0.0}), embedder=embedder)
    desk.ask("warm up")
    embedder.texts.clear()
    return desk, embedder


def test_a_story_with_one_ask_costs_one_model_call(recorded_desk):
    desk, embedder = recorded_desk
    desk.ask("I wrote twelve pages for a clinic and they paid for two. My landlord is on my back. "
             "The client now asks for the escrow back, what happens if I do nothing?")
    assert len(embedder.texts) == 1  # the whole story; the ask shares its vector


def test_each_of_two_asks_gets_a_vector_of_its_own(recorded_desk):
    desk, embedder = recorded_desk
    desk.ask("my client opened a dispute on the fixed price milestone. will I lose the escrow money, and will "
             "this dispute hurt my job success score?")
    assert len(embedder.texts) == 3  # the whole question, then each ask
    assert any(text.startswith("will this dispute hurt my job success score") for text in embedder.texts[1:])
