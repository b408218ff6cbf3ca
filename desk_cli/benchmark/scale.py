"""The scale test: open a generated index of many chunks (random vectors) and measure load time and memory."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from dispute_desk.corpus_cache import cache_dir
from dispute_desk.desk import Desk
from dispute_desk.embedding import Embedder, backend_for
from dispute_desk.models import Chunk
from dispute_desk.settings import Settings
from dispute_desk.store import ChunkStore


def synthetic_chunks(count: int, seed: int = 7) -> list[Chunk]:
    """``count`` forum-style chunks of 60-140 words: a Zipf-like made-up vocabulary mixed with dispute terms."""
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
    store.set_pointer(name, model, dimension, backend=backend_for(settings))  # random vectors: no mismatch to warn of


def rss_mb() -> float:
    """Resident memory of this process now (Linux), in MB; elsewhere the peak so far."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource  # Unix only

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


@dataclass(frozen=True)
class ScaleLoad:
    chunks: int
    load_s: float  # Desk.open: corpus + BM25 (from the saved cache when there is one) + retriever
    rss_mb: float  # resident memory after answering a few questions, model included
    cached: bool  # a saved corpus for this index revision existed before the load


def scale_load(settings: Settings, embedder: Embedder, count: int) -> ScaleLoad:
    """Open (building first if there is none) a ``count``-chunk synthetic index in ``settings.data_dir``."""
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
