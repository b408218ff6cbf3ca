"""The answering service every front end talks to: question in, cited ``Answer`` out.

``Desk`` owns the embedder, the live collection, the in-memory corpus (BM25) and the answerer. ``ask`` is
blocking and thread-safe (front ends call it through ``asyncio.to_thread``); ``reload`` swaps in a fresh
snapshot after an ingest, so questions keep being answered from the old index until the new one is ready.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

from dispute_desk.answering import ExtractiveAnswerer
from dispute_desk.citing import evidence_strength, source_for
from dispute_desk.embedding import Embedder, build_embedder
from dispute_desk.freshness import SourceKey, StaleSection, as_of_index, stale_sections, with_as_of
from dispute_desk.gate import AnswerabilityGate, GateError, Signals, Verdict, measure
from dispute_desk.lexical import TOKENS_VERSION
from dispute_desk.models import Answer, Hit
from dispute_desk.questions import Question, new_subject, normalise_question, understand
from dispute_desk.retrieval import Corpus, DenseRetriever, HybridRetriever, Retriever
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore, Collection, IndexMissing, read_json
from dispute_desk.texts import Texts
from dispute_desk.threads import one_blas_thread

if TYPE_CHECKING:
    from dispute_desk.metrics import Metrics
    from dispute_desk.writing import Writer

log = logging.getLogger(__name__)

__all__ = ["Desk", "DeskStatus", "IndexMissing"]


@dataclass(frozen=True)
class DeskStatus:
    chunks: int
    sources: int
    model: str
    store_mode: str
    collection: str
    data_dir: str
    last_ingest: dict[str, Any] | None
    writer: dict[str, Any] | None = None  # chat model and its counters (written, fallbacks by reason), if any
    stale: tuple[StaleSection, ...] = ()  # policy sections older than DESK_STALE_AFTER_DAYS (or undated)
    backend_note: str = ""  # the index's vectors came from another (or an unrecorded) backend: re-encode with ingest


@dataclass(frozen=True)
class Inspection:
    """What the desk found for one question before deciding: the reading, the passages, the gate's signals."""

    question: Question
    hits: list[Hit]
    per_ask: list[list[Hit]]  # hits for each ask, when the message has more than one
    signals: Signals
    vector: list[float]


@dataclass(frozen=True)
class _Snapshot:
    pointer_stamp: object  # index.json's mtime, or the server pointer's revision: a change means a new index
    collection_name: str
    corpus: Corpus
    retriever: Retriever
    answerer: ExtractiveAnswerer
    backend_note: str = ""  # IndexPointer.backend_note for this desk's embedder (answers still served)


class Desk:
    def __init__(
        self,
        settings: Settings,
        embedder: Embedder,
        store: ChunkStore,
        texts: Texts,
        *,
        retriever: str = "hybrid",
        writer: Writer | None = None,
        collection: Collection | None = None,
    ) -> None:
        one_blas_thread()
        self.settings = settings
        # Pinned to one collection (the reindex guard evaluates a staged index before it goes live): the live
        # pointer is then neither followed nor required.
        self._pinned = collection
        self.writer = writer  # optional chat-model writer, used after the extractive answer is composed
        self.retriever_kind = retriever
        self.embedder = embedder
        self.store = store
        self.texts = texts
        self.metrics: Metrics | None = None  # set by a front end that serves Prometheus metrics
        self._lock = threading.Lock()
        self._as_of: tuple[object, dict[SourceKey, str]] = (None, {})  # (corpus, its as_of index), for dating sources
        self.gate = self._load_gate()
        self._snapshot = self._load()

    def _load_gate(self) -> AnswerabilityGate | None:
        """The trained answerability gate, or None (then every scope rule declines and ``min_evidence`` is
        the threshold, as before the gate existed).
        """
        if not self.settings.answering.answerability_gate:
            return None
        try:
            expect = {"embedding_model": self.embedder.name, "tokens": TOKENS_VERSION}  # BM25 scores are signals
            return AnswerabilityGate.load(self.settings.gate_path, expect=expect)
        except GateError as exc:
            log.warning("answerability gate not used: %s", exc)
            return None

    @classmethod
    def open(cls, settings: Settings, *, embedder: Embedder | None = None, retriever: str = "hybrid") -> Desk:
        """Load everything needed to answer. Raises ``IndexMissing`` when there is no usable index.

        With ``DESK_LLM_PROVIDER`` set, a chat-model writer is attached (its model is created on first use).
        """
        from dispute_desk.writing import build_writer

        texts = Texts.load(settings.prompts_dir)
        writer = build_writer(settings)  # a missing provider package or setting fails here, before the model
        store = ChunkStore(settings)
        store.live(embedder.name if embedder else settings.embedding.model)  # fail fast, before the model
        return cls(settings, embedder or build_embedder(settings), store, texts, retriever=retriever, writer=writer)

    @property
    def streams(self) -> bool:
        """Whether answers are written by a chat model (front ends then show the text as it streams in)."""
        return self.writer is not None

    def _pointer_stamp(self) -> object:
        if self._pinned is not None:
            return ("pinned", self._pinned.name)
        return self.store.pointer_stamp()

    def _load(self) -> _Snapshot:
        from dispute_desk.corpus_cache import load_corpus

        stamp = self._pointer_stamp()
        pointer = self.store.pointer()
        collection = self._pinned if self._pinned is not None else self.store.live(self.embedder.name)
        corpus = load_corpus(self.settings, collection, pointer)
        kind = HybridRetriever if self.retriever_kind == "hybrid" else DenseRetriever
        retriever = kind(corpus, collection, self.embedder, self.settings.retrieval)
        policy = [c.body for c in corpus.chunks if c.kind == "policy"]
        answerer = ExtractiveAnswerer(
            corpus.bm25, max_chars=self.settings.answering.max_answer_chars, policy_texts=policy,
            conflict_note=self.texts.extra.get("conflict_note"),
        )
        log.info("serving %d chunks from %s", len(corpus), collection.name)
        note = ""
        if self._pinned is None and pointer is not None:
            note = pointer.backend_note(self.embedder.name, self.embedder.backend)
            if note:
                log.warning("answering anyway, slightly less precisely: %s", note)
        return _Snapshot(stamp, collection.name, corpus, retriever, answerer, note)

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

    def _search(self, snapshot: _Snapshot, question: str, context: str | None, k: int | None = None) -> list[Hit]:
        return self._inspect(snapshot, question, context, k).hits

    def inspect(self, question: str, *, context: str | None = None) -> Inspection:
        """Read the question, search, and measure the gate's signals, without deciding (training uses it)."""
        return self._inspect(self._current(), normalise_question(question), context)

    def _inspect(self, snapshot: _Snapshot, text: str, context: str | None, k: int | None = None) -> Inspection:
        vocabulary = self.texts.vocabulary
        text = new_subject(text) or text  # after "different thing:", the story before it is another matter
        question = understand(text, vocabulary)
        query = f"{context} {question.search_text}" if context else question.search_text
        asks = question.ask_queries(vocabulary)
        retriever = snapshot.retriever
        # A story with one ask is searched with the whole text's vector: a vector of its own for that ask cost
        # 40% more model time per question and found no more facts on the dev split. Two asks or more each get
        # one, or the second ask's passages are missed.
        vectors = retriever.embed([query, *asks] if len(asks) > 1 else [query])
        vector = vectors[0]
        hits, per_ask = retriever.search_each(query, k, also=asks, vectors=vectors)
        scope = self.texts.scope
        signals = measure(
            question, hits, snapshot.corpus.bm25, scope.signals(text), scope.domain_term_count(text), vector,
            self.gate.centroids if self.gate else None, self.gate.neighbours if self.gate else None,
            scope.ask_signals(question),
        )
        return Inspection(question, hits, per_ask if len(asks) > 1 else [], signals, list(vector))

    def ask(
        self,
        question: str,
        *,
        context: str | None = None,
        on_token: Callable[[str], None] | None = None,
        write: bool = True,
    ) -> Answer:
        """Answer ``question``. With a writer attached (and ``write``), an answered question is written by the
        chat model, ``on_token`` receiving its text as it streams; declines never reach the model.
        """
        return self.ask_traced(question, context=context, on_token=on_token, write=write)[0]

    def ask_traced(
        self,
        question: str,
        *,
        context: str | None = None,
        on_token: Callable[[str], None] | None = None,
        write: bool = True,
    ) -> tuple[Answer, list[Hit]]:
        """The answer and the passages retrieved for it (the eval scores both from one search)."""
        started = time.perf_counter()
        question = normalise_question(question)
        answer, hits = self._answer(question, normalise_question(context) if context else None, on_token, write)
        answer = self._dated(answer)
        answer = replace(answer, latency_ms=(time.perf_counter() - started) * 1000)
        if self.metrics is not None:
            self.metrics.observe_answer(answer)
        return answer, hits

    def _dated(self, answer: Answer) -> Answer:
        """The answer's sources with the day each was last checked (``as_of``), for "checked <date>"."""
        corpus = self._snapshot.corpus
        if self._as_of[0] is not corpus:
            self._as_of = (corpus, as_of_index(corpus.chunks))
        return with_as_of(answer, self._as_of[1])

    def _answer(
        self, question: str, context: str | None, on_token: Callable[[str], None] | None = None, write: bool = True
    ) -> tuple[Answer, list[Hit]]:
        limit = self.settings.answering.max_question_chars
        if not question:
            return Answer(question, False, self.texts.get("empty"), reason="empty"), []
        if len(question) > limit:
            text = self.texts.get("too_long", length=len(question), limit=limit)
            return Answer(question[:limit], False, text, reason="too_long"), []
        scope_text = f"{context} {question}" if context else question
        scope = self.texts.scope
        # with a gate, only the hard rules decline before searching, and only on what the member asks
        decline = (scope.hard_decline(understand(scope_text)) if self.gate is not None
                   else scope.decline_reason(scope_text))
        if decline is not None:
            return Answer(question, False, self.texts.get(decline), reason="off_topic", why=f"rule: {decline}"), []

        snapshot = self._current()
        found = self._inspect(snapshot, question, context)
        hits = found.hits
        closest = tuple(source_for(hit, n) for n, hit in enumerate(hits[:3], start=1))
        verdict = self._judge(found)
        if not verdict.answer:
            if verdict.reply:
                return Answer(question, False, self.texts.get(verdict.reply), reason="off_topic",
                              why=verdict.explain()), hits
            return Answer(question, False, self.texts.not_answered, closest, reason="weak_evidence",
                          why=verdict.explain()), hits
        # each ask's part is chosen for the ask as searched: a short one ("is my money gone") with what came before
        composed = snapshot.answerer.compose(found.question.text, hits, context=context, per_ask=found.per_ask,
                                             asks=found.question.ask_queries() or found.question.asks)
        if not composed.text:
            return Answer(question, False, self.texts.not_answered, closest, reason="weak_evidence",
                          why="nothing quotable in the passages found"), hits
        answer = Answer(question, True, composed.text, composed.sources, reason="answered", facts=composed.facts,
                        why=verdict.explain())
        if write and self.writer is not None:  # the decline decisions above are final: the model only rewrites
            answer = self.writer.write(question, hits, answer, context=context, on_token=on_token)
        return answer, hits

    def _judge(self, found: Inspection) -> Verdict:
        if self.gate is not None:
            return self.gate.judge(found.signals)
        strength = evidence_strength(found.hits)
        threshold = self.settings.answering.min_evidence
        return Verdict(strength >= threshold, strength, threshold, (f"best similarity={strength:.2f}",))

    def status(self) -> DeskStatus:
        snapshot = self._snapshot
        return DeskStatus(
            chunks=len(snapshot.corpus),
            sources=len({c.source for c in snapshot.corpus.chunks}),
            model=self.embedder.name,
            store_mode=self.settings.store.store_mode,
            collection=snapshot.collection_name,
            data_dir=str(self.settings.data_dir),
            last_ingest=read_json(self.settings.reports_dir / "last-ingest.json"),
            writer={"model": self.writer.label, **self.writer.stats.snapshot()} if self.writer is not None else None,
            stale=tuple(stale_sections(snapshot.corpus.chunks, max_age_days=self.settings.ingest.stale_after_days)),
            backend_note=snapshot.backend_note,
        )
