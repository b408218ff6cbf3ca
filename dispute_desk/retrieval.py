"""Finding passages: dense similarity from Chroma plus BM25, fused by reciprocal rank.

``HybridRetriever`` is the default; ``DenseRetriever`` (Chroma only) is the baseline the benchmark compares
against. Both keep every chunk's text and metadata in memory (the bundled base is a few hundred chunks; a
large forum export a few tens of thousands), so a search is one Chroma query plus a BM25 pass.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from numpy.typing import NDArray

from dispute_desk.embedding import Embedder
from dispute_desk.lexical import BM25Index
from dispute_desk.models import Chunk, Hit
from dispute_desk.settings import RetrievalSettings
from dispute_desk.store import Collection

Vector = Sequence[float]


class Retriever(Protocol):
    corpus: Corpus

    def search(
        self, query: str, k: int | None = None, *, also: Sequence[str] = (), vectors: Sequence[Vector] | None = None
    ) -> list[Hit]: ...

    def search_each(
        self, query: str, k: int | None = None, *, also: Sequence[str] = (), vectors: Sequence[Vector] | None = None
    ) -> tuple[list[Hit], list[list[Hit]]]: ...

    def embed(self, queries: Sequence[str]) -> list[list[float]]: ...


class Corpus:
    """All passages of the live collection, by id and by position, with their BM25 index.

    Member-phrasing records (``variant_of`` set) are not passages: they are kept only as a map from their id
    to the passage they point at, and their words join that passage's BM25 text. ``bm25``: a saved index of
    the same records (the corpus cache), else one is built.
    """

    def __init__(self, records: Sequence[Chunk], bm25: BM25Index | None = None) -> None:
        self.chunks = [c for c in records if not c.variant_of]
        self.phrasings = [c for c in records if c.variant_of]
        self.by_id = {c.id: c for c in self.chunks}
        self.phrasing_of = {c.id: c.variant_of for c in self.phrasings if c.variant_of in self.by_id}
        self.bm25 = bm25 if bm25 is not None else BM25Index([" ".join((c.text, *c.asks)) for c in self.chunks])

    @property
    def records(self) -> int:
        """Passages and phrasing records: what the collection holds."""
        return len(self.chunks) + len(self.phrasings)

    @classmethod
    def from_collection(cls, collection: Collection) -> Corpus:
        return cls(list(collection.iter_chunks()))

    def __len__(self) -> int:
        return len(self.chunks)


def is_authoritative(chunk: Chunk) -> bool:
    """Policy text, or a forum answer by staff or a moderator, or one marked as the accepted solution."""
    return chunk.kind != "forum" or chunk.accepted or chunk.author_role in ("staff", "moderator")


def authority_factor(chunk: Chunk, config: RetrievalSettings) -> float:
    """How a passage's authority scales its fused score: official policy, then staff, moderator or accepted
    forum answers, then member posts; text of unknown standing (uploads and other files, which rank as what they
    are, never as policy) a little below a member post.
    """
    if chunk.kind == "policy":
        return 1.0 + config.policy_boost
    if chunk.kind == "forum":
        return 1.0 + config.staff_boost if is_authoritative(chunk) else 1.0
    return 1.0 - config.unvetted_penalty


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


def diversify(ranked: Iterable[Hit], k: int, max_per_group: int) -> list[Hit]:
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


@dataclass
class _Dense:
    """One query's dense neighbours, split into passages and (mapped to their passage) member phrasings."""

    passages: dict[str, float]
    phrasings: dict[str, float]


class _ChromaBacked:
    def __init__(self, corpus: Corpus, collection: Collection, embedder: Embedder, config: RetrievalSettings):
        self.corpus = corpus
        self.collection = collection
        self.embedder = embedder
        self.config = config
        self.exact = ExactIndex.load(collection) if 0 < corpus.records <= config.exact_search_max else None

    def embed(self, queries: Sequence[str]) -> list[list[float]]:
        """Query vectors, in one model call."""
        if len(queries) == 1:
            return [self.embedder.embed_query(queries[0])]
        return self.embedder.embed_documents(list(queries))

    def _dense_each(self, query: str, also: Sequence[str], vectors: Sequence[Vector] | None, n: int) -> list[_Dense]:
        """The dense neighbours of the question and of each ask. ``vectors``: the question's, then optionally
        one per ask; an ask without a vector of its own shares the question's neighbours (``Desk`` decides which
        asks get one). Without ``vectors`` every query is encoded, in one model call.
        """
        vectors = vectors or self.embed([query, *also])
        if len(vectors) not in (1, 1 + len(also)):
            raise ValueError(f"{len(vectors)} vectors for a question with {len(also)} asks")
        dense = self._dense(vectors, n)
        return dense if len(dense) > 1 else dense * (1 + len(also))

    def _dense(self, vectors: Sequence[Vector], n: int) -> list[_Dense]:
        """For each vector, the n nearest passages and the n nearest phrased passages (a phrasing counts for its
        passage); one store call (or one matrix product) for all of them.
        """
        share = len(self.corpus.phrasing_of) / max(1, len(self.corpus.chunks))
        wanted = int(n * (1 + share)) + 1
        nearest = self.exact.query_many(vectors, wanted) if self.exact else self.collection.query_many(vectors, wanted)
        out = []
        for found in nearest:
            passages: dict[str, float] = {}
            phrasings: dict[str, float] = {}
            for cid, sim in found:
                parent = self.corpus.phrasing_of.get(cid)
                if parent is not None:
                    phrasings.setdefault(parent, sim)  # results come best first: keep the first
                elif cid in self.corpus.by_id:
                    passages.setdefault(cid, sim)
            out.append(_Dense(dict(list(passages.items())[:n]), dict(list(phrasings.items())[:n])))
        return out


class ExactIndex:
    """Every vector of a small collection in one matrix: exact cosine neighbours by a matrix product.

    Chroma stays the store of record (ingest writes there, and large indexes are searched there); this copy is
    read when a desk loads an index, like the BM25 index, and replaced with it.
    """

    def __init__(self, ids: Sequence[str], vectors: Sequence[Vector] | NDArray[np.float32]) -> None:
        self.ids = list(ids)
        self.matrix = np.asarray(vectors, dtype=np.float32).reshape(len(self.ids), -1)

    @classmethod
    def load(cls, collection: Collection) -> ExactIndex:
        return cls(*collection.all_vectors())

    def query_many(self, vectors: Sequence[Vector], n: int) -> list[list[tuple[str, float]]]:
        """For each vector, the ``n`` most similar ids with their cosine similarity (vectors are normalised)."""
        if not self.ids or not len(vectors):
            return [[] for _ in vectors]
        sims = self.matrix @ np.asarray(vectors, dtype=np.float32).T
        n = min(n, len(self.ids))
        out = []
        for column in sims.T:
            top = np.argpartition(-column, n - 1)[:n] if n < len(self.ids) else np.arange(len(self.ids))
            top = top[np.argsort(-column[top], kind="stable")]
            out.append([(self.ids[i], float(column[i])) for i in top])
        return out


class DenseRetriever(_ChromaBacked):
    """Chroma similarity only (passages and phrasings, no BM25): the baseline."""

    def search(
        self, query: str, k: int | None = None, *, also: Sequence[str] = (), vectors: Sequence[Vector] | None = None
    ) -> list[Hit]:
        k = k or self.config.top_k
        return self._nearest(self._dense_each(query, also, vectors, k), k)

    def search_each(
        self, query: str, k: int | None = None, *, also: Sequence[str] = (), vectors: Sequence[Vector] | None = None
    ) -> tuple[list[Hit], list[list[Hit]]]:
        k = k or self.config.top_k
        dense = self._dense_each(query, also, vectors, k)
        return self._nearest(dense, k), [self._nearest([one], k) for one in dense[1:]]

    def _nearest(self, dense: Sequence[_Dense], k: int) -> list[Hit]:
        best: dict[str, float] = {}
        for one in dense:
            for cid, sim in [*one.passages.items(), *one.phrasings.items()]:
                best[cid] = max(sim, best.get(cid, -1.0))
        ranked = sorted(best.items(), key=lambda item: item[1], reverse=True)[:k]
        return [Hit(self.corpus.by_id[cid], sim, dense=sim) for cid, sim in ranked]


@dataclass
class _Signals:
    """One query's three rankings (passage vectors, phrasing vectors, BM25) with their scores."""

    passages: dict[str, float]
    phrasings: dict[str, float]
    lexical: dict[str, float]


class HybridRetriever(_ChromaBacked):
    """Dense passages + dense member phrasings + BM25, fused by reciprocal rank over the question and each of
    its asks (``also``), with policy and staff/accepted answers nudged up and groups capped.
    """

    def search(
        self, query: str, k: int | None = None, *, also: Sequence[str] = (), vectors: Sequence[Vector] | None = None
    ) -> list[Hit]:
        return self.search_each(query, k, also=also, vectors=vectors)[0]

    def search_each(
        self, query: str, k: int | None = None, *, also: Sequence[str] = (), vectors: Sequence[Vector] | None = None
    ) -> tuple[list[Hit], list[list[Hit]]]:
        """The hits for all queries fused, and the hits of each ask in ``also`` on its own. Each ask is ranked
        by its own BM25 and by its own vector, or by the question's when it has none.
        """
        k = k or self.config.top_k
        n = self.config.candidates
        dense = self._dense_each(query, also, vectors, n)
        signals = [
            _Signals(one.passages, one.phrasings,
                     {self.corpus.chunks[i].id: score for i, score in self.corpus.bm25.top(text, n)})
            for text, one in zip((query, *also), dense, strict=True)
        ]
        return self._fuse(signals, k), [self._fuse([one], k) for one in signals[1:]]

    def _fuse(self, signals: Sequence[_Signals], k: int) -> list[Hit]:
        weights = (self.config.dense_weight, self.config.phrasing_weight, self.config.lexical_weight)
        rankings = [list(ranking) for one in signals for ranking in (one.passages, one.phrasings, one.lexical)]
        fused = reciprocal_rank_fusion(rankings, weights * len(signals), self.config.rrf_k)
        by_id = self.corpus.by_id
        scored = [(score * authority_factor(by_id[cid], self.config), cid) for cid, score in fused.items()]
        scored.sort(key=lambda item: item[0], reverse=True)

        def best(cid: str, kind: str) -> float | None:
            values = [found[cid] for one in signals if cid in (found := getattr(one, kind))]
            return max(values) if values else None

        # Hits are made only as far down the ranking as diversify reads (it stops once it has k).
        hits = (Hit(by_id[cid], score, dense=best(cid, "passages"), lexical=best(cid, "lexical"),
                    phrasing=best(cid, "phrasings")) for score, cid in scored)
        return diversify(hits, k, self.config.max_per_group)
