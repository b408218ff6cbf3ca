"""Speed figures: warm query latency (hybrid vs dense-only), ingest throughput, unchanged re-ingest.

Everything runs on copies in a temporary data dir except the query benchmark, which reads the live index.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from dispute_desk.embedding import Embedder
from dispute_desk.eval import percentile
from dispute_desk.models import Chunk
from dispute_desk.settings import Settings


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
    from dispute_desk.desk import Desk
    from dispute_desk.store import ChunkStore
    from dispute_desk.texts import Texts

    out = {}
    for mode in ("hybrid", "dense"):
        desk = Desk(settings, embedder, ChunkStore(settings), Texts.load(settings.prompts_dir), retriever=mode)
        out[mode] = time_calls(desk.ask, questions, repeat)
    return out


def ingest_speed(settings: Settings, embedder: Embedder, source: Path, rounds: int = 3) -> dict[str, IngestSpeed]:
    """Full ingest of ``source`` into a scratch data dir, against the embedder's own encode throughput on the
    same chunk texts; medians over ``rounds`` alternating runs.
    """
    from dispute_desk.desk import Desk
    from dispute_desk.store import ChunkStore
    from dispute_desk.texts import Texts
    from ingest.chunking import chunk_document
    from ingest.discovery import Candidate, walk
    from ingest.formats import SUPPORTED_SUFFIXES, read_source
    from ingest.pipeline import run_ingest

    texts = [
        chunk.text
        for item in walk([source], SUPPORTED_SUFFIXES) if isinstance(item, Candidate)
        for chunk in chunk_document(read_source(item.path, source=item.source))
    ]
    ingest_rates, encode_rates = [], []
    with tempfile.TemporaryDirectory(prefix="desk-bench-") as scratch:
        for round_number in range(rounds):  # alternate the two so neither gets all the warm caches
            scratch_settings = settings.updated({"data_dir": Path(scratch) / f"round-{round_number}"})
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
    from ingest.pipeline import run_ingest

    with tempfile.TemporaryDirectory(prefix="desk-bench-") as scratch:
        root = Path(scratch)
        corpus = root / "corpus"
        write_corpus(corpus, documents)
        scratch_settings = settings.updated({"data_dir": root / "data"})
        first = run_ingest(scratch_settings, [corpus], embedder=embedder)
        counting = _CountingEmbedder(embedder)
        second = run_ingest(scratch_settings, [corpus], embedder=counting)
        if counting.calls or second.added or second.updated:
            raise RuntimeError("re-ingesting an unchanged corpus embedded something")
        return first.seconds, second.seconds


class _CountingEmbedder:
    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dimension = inner.dimension
        self.calls = 0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.calls += 1
        return self.inner.embed_documents(texts)

    def embed_query(self, text: str) -> list[float]:
        self.calls += 1
        return self.inner.embed_query(text)


@dataclass(frozen=True)
class LoadResult:
    """Many questions at once through the core, as the Discord front end sends them (``asyncio.to_thread``)."""

    concurrency: int
    requests: int
    errors: int
    seconds: float
    throughput_qps: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    max_loop_stall_ms: float  # longest the event loop could not run; discord.py warns about heartbeats at 10 s


def concurrent_load(ask: Callable[[str], object], questions: Sequence[str], concurrency: int,
                    requests: int) -> LoadResult:
    """``requests`` questions from ``concurrency`` concurrent clients, each waiting for its answer before asking
    the next; latency counts from the moment a client asks (queueing included).
    """
    import asyncio

    for question in questions[:3]:  # warm caches and the model
        ask(question)
    samples: list[float] = []
    errors = 0
    stall = 0.0
    next_index = 0

    async def client() -> None:
        nonlocal next_index, errors
        while next_index < requests:
            question = questions[next_index % len(questions)]
            next_index += 1
            began = time.perf_counter()
            try:
                await asyncio.to_thread(ask, question)
            except Exception:
                errors += 1
            samples.append((time.perf_counter() - began) * 1000)

    async def ticker(done: asyncio.Event) -> None:
        nonlocal stall
        while not done.is_set():
            began = time.perf_counter()
            await asyncio.sleep(0.01)
            stall = max(stall, (time.perf_counter() - began - 0.01) * 1000)

    async def main() -> float:
        done = asyncio.Event()
        watch = asyncio.create_task(ticker(done))
        began = time.perf_counter()
        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - began
        done.set()
        await watch
        return elapsed

    elapsed = asyncio.run(main())
    return LoadResult(concurrency, len(samples), errors, round(elapsed, 2), round(len(samples) / elapsed, 1),
                      round(statistics.median(samples), 1), round(percentile(samples, 95), 1),
                      round(percentile(samples, 99), 1), round(stall, 1))


def synthetic_chunks(count: int, seed: int = 7) -> list[Chunk]:
    """``count`` forum-style chunks of 60-140 words: a Zipf-like made-up vocabulary mixed with dispute terms."""
    import random

    rng = random.Random(seed)
    syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "te", "vo", "zi", "pa", "do", "ge", "fu", "bi", "xe"]
    vocabulary = sorted({"".join(rng.choice(syllables) for _ in range(rng.randint(2, 4))) for _ in range(30000)})
    rng.shuffle(vocabulary)
    domain = ("escrow", "milestone", "refund", "dispute", "mediation", "arbitration", "client", "freelancer",
              "hourly", "contract", "payment", "chargeback", "review", "funded", "released", "protection", "fee",
              "deadline", "evidence", "support", "ticket")
    chunks = []
    for number in range(count):
        words = [rng.choice(domain) if rng.random() < 0.2 else vocabulary[int(rng.paretovariate(1.1)) % len(vocabulary)]
                 for _ in range(rng.randint(60, 140))]
        title = f"Synthetic thread {number // 8}"
        text = f"{title}\n\n" + " ".join(words) + "."
        chunks.append(Chunk(id=f"synthetic/{number:06d}", text=text, source=f"synthetic/{number // 8}.json",
                            title=title, kind="forum", position=number % 8, content_hash=str(number),
                            group=f"synthetic/{number // 8}", body_start=len(title) + 2))
    return chunks


def build_scale_index(settings: Settings, count: int, dimension: int, model: str) -> None:
    """An index of ``count`` synthetic chunks with random unit vectors (no encoder: this times loading and
    memory, not retrieval quality), made live under ``model`` so the desk opens it with the real embedder.
    """
    import numpy as np

    from dispute_desk.store import ChunkStore

    store = ChunkStore(settings)
    name = store.new_collection_name()
    collection = store.create(name)
    rng = np.random.default_rng(7)
    chunks = synthetic_chunks(count)
    for start in range(0, count, 5000):
        part = chunks[start : start + 5000]
        vectors = rng.standard_normal((len(part), dimension)).astype(np.float32)
        vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
        collection.upsert(part, vectors.tolist())
    store.set_pointer(name, model, dimension)


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def knowledge_texts(source: Path) -> list[str]:
    """The chunk texts an ingest of ``source`` would embed."""
    from ingest.chunking import chunk_document
    from ingest.discovery import Candidate, walk
    from ingest.formats import SUPPORTED_SUFFIXES, read_source

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


@dataclass(frozen=True)
class ScaleLoad:
    chunks: int
    load_s: float  # Desk.open: corpus + BM25 (from the saved cache when there is one) + retriever
    rss_mb: float  # resident memory after answering a few questions, model included
    cached: bool  # a saved corpus for this index revision existed before the load


def scale_load(settings: Settings, embedder: Embedder, count: int) -> ScaleLoad:
    """Open (building first if there is none) a ``count``-chunk synthetic index in ``settings.data_dir``."""
    from dispute_desk.corpus_cache import cache_dir
    from dispute_desk.desk import Desk
    from dispute_desk.store import ChunkStore

    if ChunkStore(settings).pointer() is None:
        build_scale_index(settings, count, embedder.dimension, embedder.name)
    pointer = ChunkStore(settings).pointer()
    folder = cache_dir(settings, pointer) if pointer is not None else None
    cached = folder is not None and folder.is_dir()
    began = time.perf_counter()
    desk = Desk.open(settings, embedder=embedder)
    load = time.perf_counter() - began
    for question in ("who pays the arbitration fee", "client refused a refund after the milestone was released"):
        desk.ask(question)
    return ScaleLoad(desk.status().chunks, round(load, 1), round(rss_mb()), cached)
