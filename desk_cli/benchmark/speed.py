"""Speed figures: warm query latency (hybrid vs dense-only), ingest throughput, unchanged re-ingest, encode speed.

Everything runs on copies in a temporary data dir except the query benchmark, which reads the live index.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dispute_desk.desk import Desk
from dispute_desk.embedding import Embedder
from dispute_desk.eval import percentile
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore
from dispute_desk.texts import Texts
from ingest.chunking import chunk_document
from ingest.discovery import Candidate, walk
from ingest.pipeline import run_ingest
from ingest.reader import SUPPORTED_SUFFIXES, read_source


@dataclass(frozen=True)
class Latency:
    p50_ms: float
    p95_ms: float
    runs: int


@dataclass(frozen=True)
class IngestSpeed:
    chunks: int
    ingest_chunks_per_s: float
    encode_chunks_per_s: float
    index_load_ms: float  # opening the index for answering (BM25 build for hybrid)

    @property
    def ratio(self) -> float:
        return self.ingest_chunks_per_s / self.encode_chunks_per_s if self.encode_chunks_per_s else 0.0


def time_calls(call: Callable[[str], object], questions: Sequence[str], repeat: int) -> Latency:
    for question in questions[:3]:  # warm caches and the model
        call(question)
    samples = []
    for _ in range(repeat):
        for question in questions:
            began = time.perf_counter()
            call(question)
            samples.append((time.perf_counter() - began) * 1000)
    return Latency(round(statistics.median(samples), 2), round(percentile(samples, 95), 2), len(samples))


def query_latency(settings: Settings, embedder: Embedder, questions: Sequence[str], repeat: int = 3
                  ) -> dict[str, Latency]:
    """Warm end-to-end ``ask`` latency with the hybrid retriever and with the dense-only baseline."""
    out = {}
    for mode in ("hybrid", "dense"):
        desk = Desk(settings, embedder, ChunkStore(settings), Texts.load(settings.prompts_dir), retriever=mode)
        out[mode] = time_calls(desk.ask, questions, repeat)
    return out


def ingest_speed(settings: Settings, embedder: Embedder, source: Path, rounds: int = 3) -> dict[str, IngestSpeed]:
    """Full ingest of ``source`` into a scratch data dir, against the embedder's own encode throughput on the
    same chunk texts; medians over ``rounds`` alternating runs.
    """
    texts = knowledge_texts(source)
    ingest_rates, encode_rates = [], []
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as scratch:
        for round_number in range(rounds):  # alternate the two so neither gets all the warm caches
            scratch_settings = settings.model_copy(update={"data_dir": Path(scratch) / f"round-{round_number}"})
            began = time.perf_counter()
            summary = run_ingest(scratch_settings, [source], embedder=embedder)
            ingest_rates.append(summary.chunks / (time.perf_counter() - began))
            began = time.perf_counter()
            embedder.embed_documents(texts)  # the embedder alone, all chunks in one call
            encode_rates.append(len(texts) / (time.perf_counter() - began))

        out = {}
        for mode in ("hybrid", "dense"):
            began = time.perf_counter()
            Desk(scratch_settings, embedder, ChunkStore(scratch_settings), Texts.load(settings.prompts_dir),
                 retriever=mode)
            load_ms = (time.perf_counter() - began) * 1000
            out[mode] = IngestSpeed(summary.chunks, round(statistics.median(ingest_rates), 1),
                                    round(statistics.median(encode_rates), 1), round(load_ms, 1))
        return out


def write_corpus(folder: Path, documents: int) -> None:
    """A synthetic corpus of small policy-style Markdown files for the re-ingest benchmark."""
    folder.mkdir(parents=True, exist_ok=True)
    for number in range(documents):
        (folder / f"doc-{number:05d}.md").write_text(
            f"---\ntitle: Synthetic policy {number}\nkind: policy\nurls: [https://example.invalid/{number}]\n"
            f"as_of: 2026-11-20\n---\n# {number % 90 + 1}. Synthetic policy {number}\n\n"
            f"## {number % 90 + 1}.1 Rule {number}\n<!-- facts: F01 -->\n"
            f"Milestone {number} must be funded before work starts; the client reviews it within 14 days.\n",
            encoding="utf-8",
        )


def unchanged_reingest(settings: Settings, embedder: Embedder, documents: int = 5000) -> tuple[float, float]:
    """(first ingest seconds, re-ingest seconds) for ``documents`` files; the re-run must embed nothing."""
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as scratch:
        root = Path(scratch)
        corpus = root / "corpus"
        write_corpus(corpus, documents)
        scratch_settings = settings.model_copy(update={"data_dir": root / "data"})
        first = run_ingest(scratch_settings, [corpus], embedder=embedder)
        counting = CountingEmbedder(embedder)
        second = run_ingest(scratch_settings, [corpus], embedder=counting)
        if counting.calls or second.added or second.updated:
            raise RuntimeError("re-ingesting an unchanged corpus embedded something")
        return first.seconds, second.seconds


class CountingEmbedder:
    """Passes every call to ``inner`` and counts them: an unchanged re-ingest must make none."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.backend = inner.backend
        self.calls = 0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return self.inner.embed_query(text)



def knowledge_texts(source: Path) -> list[str]:
    """The chunk texts an ingest of ``source`` would embed."""
    return [
        chunk.text
        for item in walk([source], SUPPORTED_SUFFIXES) if isinstance(item, Candidate)
        for chunk in chunk_document(read_source(item.path, source=item.source))
    ]


def encode_speed(embedders: dict[str, Embedder], texts: Sequence[str], rounds: int = 3) -> dict[str, float]:
    """Chunks/s of each embedder on the same texts; rounds alternate so neither gets all the quiet moments."""
    rates: dict[str, list[float]] = {name: [] for name in embedders}
    ordered = sorted(texts, key=len)  # as ingest batches them
    for _ in range(rounds):
        for name, embedder in embedders.items():
            began = time.perf_counter()
            embedder.embed_documents(ordered)
            rates[name].append(len(ordered) / (time.perf_counter() - began))
    return {name: round(statistics.median(values), 1) for name, values in rates.items()}
