"""The answering service every front end talks to: question in, cited ``Answer`` out.

``Desk`` owns the embedder, the live collection, the in-memory corpus (BM25) and the answerer. ``ask`` is
blocking and thread-safe (front ends call it through ``asyncio.to_thread``); ``reload`` swaps in a fresh
snapshot after an ingest, so questions keep being answered from the old index until the new one is ready.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from dispute_desk.answering import ExtractiveAnswerer, evidence_strength, source_for
from dispute_desk.embedding import Embedder, build_embedder
from dispute_desk.lexical import tokens
from dispute_desk.models import Answer, Hit
from dispute_desk.retrieval import Corpus, DenseRetriever, HybridRetriever, RetrievalConfig, Retriever
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, IndexMissing, read_json
from dispute_desk.texts import Texts

if TYPE_CHECKING:
    from dispute_desk.metrics import Metrics

log = logging.getLogger(__name__)

__all__ = ["Desk", "DeskStatus", "IndexMissing", "follow_up_context"]


@dataclass(frozen=True)
class DeskStatus:
    chunks: int
    sources: int
    model: str
    store_mode: str
    collection: str
    data_dir: str
    last_ingest: dict[str, Any] | None


@dataclass(frozen=True)
class _Snapshot:
    pointer_stamp: object  # index.json's mtime, or the server pointer's revision: a change means a new index
    collection_name: str
    corpus: Corpus
    retriever: Retriever
    answerer: ExtractiveAnswerer


def retrieval_config(settings: Settings) -> RetrievalConfig:
    return RetrievalConfig(
        top_k=settings.top_k,
        candidates=settings.candidates,
        dense_weight=settings.dense_weight,
        lexical_weight=settings.lexical_weight,
        rrf_k=settings.rrf_k,
        max_per_group=settings.max_per_group,
        staff_boost=settings.staff_boost,
        policy_boost=settings.policy_boost,
    )


def normalise_question(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


_FOLLOW_UP = re.compile(r"^(and|but|or|so|what if|what about|how about|also|then|same|in that case)\b", re.I)


def follow_up_context(question: str, previous: str | None) -> str | None:
    """The earlier question, when ``question`` reads as a follow-up to it ("and what if it was hourly?")."""
    if not previous:
        return None
    if _FOLLOW_UP.match(question.strip()) or len(tokens(question)) <= 3:
        return previous
    return None


class Desk:
    def __init__(
        self, settings: Settings, embedder: Embedder, store: ChunkStore, texts: Texts, *, retriever: str = "hybrid"
    ) -> None:
        self.settings = settings
        self.retriever_kind = retriever
        self.embedder = embedder
        self.store = store
        self.texts = texts
        self.metrics: Metrics | None = None  # set by a front end that serves Prometheus metrics
        self._lock = threading.Lock()
        self._snapshot = self._load()

    @classmethod
    def open(cls, settings: Settings, *, embedder: Embedder | None = None, retriever: str = "hybrid") -> Desk:
        """Load everything needed to answer. Raises ``IndexMissing`` when there is no usable index."""
        texts = Texts.load(settings.prompts_dir)
        store = ChunkStore(settings)
        store.live(embedder.name if embedder else settings.embedding_model)  # fail fast, before the model
        return cls(settings, embedder or build_embedder(settings), store, texts, retriever=retriever)

    def _pointer_stamp(self) -> object:
        return self.store.pointer_stamp()

    def _load(self) -> _Snapshot:
        from dispute_desk.corpus_cache import load_corpus

        stamp = self._pointer_stamp()
        pointer = self.store.pointer()
        collection = self.store.live(self.embedder.name)
        corpus = load_corpus(self.settings, collection, pointer)
        kind = HybridRetriever if self.retriever_kind == "hybrid" else DenseRetriever
        retriever = kind(corpus, collection, self.embedder, retrieval_config(self.settings))
        answerer = ExtractiveAnswerer(corpus.bm25, max_chars=self.settings.max_answer_chars)
        log.info("serving %d chunks from %s", len(corpus), collection.name)
        return _Snapshot(stamp, collection.name, corpus, retriever, answerer)

    def reload(self) -> None:
        snapshot = self._load()
        with self._lock:
            self._snapshot = snapshot

    def _current(self) -> _Snapshot:
        """The live snapshot, reloaded first if an ingest (in this or another process) changed the index."""
        snapshot = self._snapshot
        if self._pointer_stamp() == snapshot.pointer_stamp:
            return snapshot
        with self._lock:
            if self._snapshot.pointer_stamp != self._pointer_stamp():
                try:
                    self._snapshot = self._load()
                except IndexMissing:
                    log.exception("the index changed but could not be loaded; still serving the old one")
            return self._snapshot

    def search(self, question: str, *, context: str | None = None, k: int | None = None) -> list[Hit]:
        return self._search(self._current(), question, context, k)

    @staticmethod
    def _search(snapshot: _Snapshot, question: str, context: str | None, k: int | None = None) -> list[Hit]:
        query = f"{context} {question}" if context else question
        return snapshot.retriever.search(query, k)

    def ask(self, question: str, *, context: str | None = None) -> Answer:
        started = time.perf_counter()
        question = normalise_question(question)
        answer = self._answer(question, normalise_question(context) if context else None)
        elapsed = (time.perf_counter() - started) * 1000
        answer = Answer(
            question=answer.question,
            answered=answer.answered,
            text=answer.text,
            sources=answer.sources,
            latency_ms=elapsed,
            reason=answer.reason,
            facts=answer.facts,
        )
        if self.metrics is not None:
            self.metrics.observe_answer(answer)
        return answer

    def _answer(self, question: str, context: str | None) -> Answer:
        limit = self.settings.max_question_chars
        if not question:
            return Answer(question, False, self.texts.get("empty"), reason="empty")
        if len(question) > limit:
            text = self.texts.get("too_long", length=len(question), limit=limit)
            return Answer(question[:limit], False, text, reason="too_long")
        scope_text = f"{context} {question}" if context else question
        decline = self.texts.scope.decline_reason(scope_text)
        if decline is not None:
            return Answer(question, False, self.texts.get(decline), reason="off_topic")

        snapshot = self._current()
        hits = self._search(snapshot, question, context)
        closest = tuple(source_for(hit, n) for n, hit in enumerate(hits[:3], start=1))
        if evidence_strength(hits) < self.settings.min_evidence:
            return Answer(question, False, self.texts.not_answered, closest, reason="weak_evidence")
        composed = snapshot.answerer.compose(question, hits, context=context)
        if not composed.text:
            return Answer(question, False, self.texts.not_answered, closest, reason="weak_evidence")
        return Answer(question, True, composed.text, composed.sources, reason="answered", facts=composed.facts)

    def status(self) -> DeskStatus:
        snapshot = self._snapshot
        return DeskStatus(
            chunks=len(snapshot.corpus),
            sources=len({c.source for c in snapshot.corpus.chunks}),
            model=self.embedder.name,
            store_mode=self.settings.store_mode,
            collection=snapshot.collection_name,
            data_dir=str(self.settings.data_dir),
            last_ingest=read_json(self.settings.reports_dir / "last-ingest.json"),
        )
