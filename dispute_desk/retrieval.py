"""Finding passages: dense similarity from Chroma plus BM25, fused by reciprocal rank.

``HybridRetriever`` is the default; ``DenseRetriever`` (Chroma only) is the baseline the benchmark compares
against. Both keep every chunk's text and metadata in memory (the bundled base is a few hundred chunks; a
large forum export a few tens of thousands), so a search is one Chroma query plus a BM25 pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from dispute_desk.embedding import Embedder
from dispute_desk.lexical import BM25Index
from dispute_desk.models import Chunk, Hit
from dispute_desk.store import Collection


@dataclass(frozen=True)
class RetrievalConfig:
    top_k: int = 5
    candidates: int = 30
    dense_weight: float = 1.0
    lexical_weight: float = 1.0
    rrf_k: int = 60
    max_per_group: int = 2
    staff_boost: float = 0.1
    policy_boost: float = 0.15


class Retriever(Protocol):
    corpus: Corpus

    def search(self, query: str, k: int | None = None) -> list[Hit]: ...


class Corpus:
    """All chunks of the live collection, by id and by position, with their BM25 index."""

    def __init__(self, chunks: Sequence[Chunk], bm25: BM25Index | None = None) -> None:
        self.chunks = list(chunks)
        self.by_id = {c.id: c for c in self.chunks}
        self.bm25 = bm25 if bm25 is not None else BM25Index([c.text for c in self.chunks])  # saved one: cache

    @classmethod
    def from_collection(cls, collection: Collection) -> Corpus:
        return cls(list(collection.iter_chunks()))

    def __len__(self) -> int:
        return len(self.chunks)


def is_authoritative(chunk: Chunk) -> bool:
    """Policy text, or a forum answer by staff or a moderator, or one marked as the accepted solution."""
    return chunk.kind != "forum" or chunk.accepted or chunk.author_role in ("staff", "moderator")


def reciprocal_rank_fusion(
    rankings: Sequence[Sequence[str]], weights: Sequence[float], k: int = 60
) -> dict[str, float]:
    """Fused score per id: the sum over rankings of weight / (k + rank), ranks starting at 1."""
    fused: dict[str, float] = defaultdict(float)
    for ranking, weight in zip(rankings, weights, strict=True):
        if weight <= 0:
            continue
        for rank, item in enumerate(ranking, start=1):
            fused[item] += weight / (k + rank)
    return dict(fused)


def diversify(ranked: Sequence[Hit], k: int, max_per_group: int) -> list[Hit]:
    """The best k hits with at most ``max_per_group`` from one thread or section file.

    If too few groups exist to fill k, the cap is relaxed rather than returning fewer hits.
    """
    chosen: list[Hit] = []
    held: list[Hit] = []
    per_group: dict[str, int] = defaultdict(int)
    for hit in ranked:
        group = hit.chunk.group or hit.chunk.source
        if per_group[group] < max_per_group:
            per_group[group] += 1
            chosen.append(hit)
        else:
            held.append(hit)
        if len(chosen) == k:
            return chosen
    return chosen + held[: k - len(chosen)]


class _ChromaBacked:
    def __init__(self, corpus: Corpus, collection: Collection, embedder: Embedder, config: RetrievalConfig):
        self.corpus = corpus
        self.collection = collection
        self.embedder = embedder
        self.config = config


class DenseRetriever(_ChromaBacked):
    """Chroma similarity only: the baseline."""

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        k = k or self.config.top_k
        found = self.collection.query(self.embedder.embed_query(query), k)
        return [Hit(self.corpus.by_id[cid], sim, dense=sim) for cid, sim in found if cid in self.corpus.by_id]


class HybridRetriever(_ChromaBacked):
    """Dense + BM25, fused by reciprocal rank, with staff/accepted answers nudged up and groups capped."""

    def search(self, query: str, k: int | None = None) -> list[Hit]:
        k = k or self.config.top_k
        n = self.config.candidates
        dense = self.collection.query(self.embedder.embed_query(query), n)
        dense_sim = {cid: sim for cid, sim in dense if cid in self.corpus.by_id}
        lexical = [(self.corpus.chunks[i].id, score) for i, score in self.corpus.bm25.top(query, n)]
        lexical_score = dict(lexical)
        fused = reciprocal_rank_fusion(
            [list(dense_sim), [cid for cid, _ in lexical]],
            [self.config.dense_weight, self.config.lexical_weight],
            self.config.rrf_k,
        )
        hits = []
        for cid, score in fused.items():
            chunk = self.corpus.by_id[cid]
            if chunk.kind == "policy":
                score *= 1.0 + self.config.policy_boost
            elif is_authoritative(chunk):
                score *= 1.0 + self.config.staff_boost
            hits.append(Hit(chunk, score, dense=dense_sim.get(cid), lexical=lexical_score.get(cid)))
        hits.sort(key=lambda h: h.score, reverse=True)
        return diversify(hits, k, self.config.max_per_group)
