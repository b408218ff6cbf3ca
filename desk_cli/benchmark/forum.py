"""The forum-scale benchmark: a generated Discourse export of tens of thousands of posts.

Measures, in a scratch data dir: the first ingest against the encoder's own throughput on the same chunk
texts, an unchanged re-ingest (which must embed nothing), and, in a fresh process the way the bot or the CLI
starts, how long loading the index for answering takes and how much memory answering from it uses.
"""

from __future__ import annotations

import multiprocessing
import random
import statistics
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

from desk_cli.benchmark.scale import rss_mb
from desk_cli.benchmark.speed import CountingEmbedder
from dispute_desk.desk import Desk
from dispute_desk.embedding import Embedder, build_embedder
from dispute_desk.settings import Settings, load_settings
from dispute_desk.store import ChunkStore
from ingest.pipeline import run_ingest
from ingest.synthetic import write_discourse_export

ENCODE_SAMPLE = 2000  # chunk texts timed through the encoder alone (a random sample of the export's chunks)
PROBE_QUESTIONS = (
    "The client asked for a refund after approving the milestone, do I have to pay it back?",
    "Is manual time covered by hourly protection?",
    "Who pays the arbitration fee?",
    "How long is the security hold before I can withdraw?",
    "My client filed a chargeback with his bank, what happens now?",
)


@dataclass(frozen=True)
class ForumFigures:
    posts: int
    topics: int
    chunks: int
    first_s: float
    ingest_chunks_per_s: float
    encode_chunks_per_s: float
    unchanged_s: float
    index_load_ms: float
    answer_p50_ms: float
    rss_model_mb: float  # a fresh answering process with the model loaded, before the index
    rss_answering_mb: float  # the same process after loading the index and answering

    @property
    def ratio(self) -> float:
        return self.ingest_chunks_per_s / self.encode_chunks_per_s if self.encode_chunks_per_s else 0.0

    def to_json(self) -> dict[str, Any]:
        return asdict(self) | {"ratio": round(self.ratio, 3)}


def _answer_probe(data_dir: str, model: str, questions: Sequence[str], conn: Connection) -> None:
    """In a fresh process: load the model, then the index (timed), answer, and report memory."""
    settings = load_settings(data_dir=Path(data_dir), embedding_model=model)
    embedder = build_embedder(settings)
    embedder.embed_query("warm up")
    rss_model = rss_mb()
    began = time.perf_counter()
    desk = Desk.open(settings, embedder=embedder)
    load_ms = (time.perf_counter() - began) * 1000
    latencies = []
    for question in list(questions) * 3:
        began = time.perf_counter()
        desk.ask(question)
        latencies.append((time.perf_counter() - began) * 1000)
    conn.send((load_ms, statistics.median(latencies), rss_model, rss_mb()))
    conn.close()


def answering_footprint(data_dir: Path, model: str, questions: Sequence[str] = PROBE_QUESTIONS) -> tuple[float, ...]:
    """(index load ms, answer p50 ms, RSS with the model only MB, RSS answering MB) from a fresh process."""
    context = multiprocessing.get_context("spawn")
    parent, child = context.Pipe()
    process = context.Process(target=_answer_probe, args=(str(data_dir), model, tuple(questions), child))
    process.start()
    child.close()
    try:
        if not parent.poll(900):
            raise RuntimeError("the answering probe did not finish")
        return tuple(parent.recv())
    finally:
        process.join(10)
        if process.is_alive():
            process.kill()


def forum_export(settings: Settings, embedder: Embedder, posts: int = 20_000) -> ForumFigures:
    """Ingest a generated export of ``posts`` posts twice and measure answering from it."""
    with tempfile.TemporaryDirectory(prefix="desk-bench-forum-") as scratch:
        root = Path(scratch)
        export = root / "export"
        topics = write_discourse_export(export, posts)
        scratch_settings = settings.updated({"data_dir": root / "data", "knowledge_dir": root})
        began = time.perf_counter()
        first = run_ingest(scratch_settings, [export], embedder=embedder)
        first_s = time.perf_counter() - began
        if not first.ok:
            raise RuntimeError(f"the generated export did not ingest cleanly: {first.errors[:3]}")

        texts = [c.text for c in ChunkStore(scratch_settings).live(embedder.name).iter_chunks()]
        sample = random.Random(10).sample(texts, min(ENCODE_SAMPLE, len(texts)))
        began = time.perf_counter()
        embedder.embed_documents(sample)
        encode_rate = len(sample) / (time.perf_counter() - began)

        counting = CountingEmbedder(embedder)
        began = time.perf_counter()
        second = run_ingest(scratch_settings, [export], embedder=counting)
        unchanged_s = time.perf_counter() - began
        if counting.calls or second.added or second.updated or second.removed:
            raise RuntimeError("re-ingesting the unchanged export changed something")

        load_ms, p50, rss_model, rss_answering = answering_footprint(root / "data", embedder.name)
        return ForumFigures(
            posts=posts,
            topics=topics,
            chunks=first.chunks,
            first_s=round(first_s, 1),
            ingest_chunks_per_s=round(first.chunks / first_s, 1),
            encode_chunks_per_s=round(encode_rate, 1),
            unchanged_s=round(unchanged_s, 2),
            index_load_ms=round(load_ms),
            answer_p50_ms=round(p50, 1),
            rss_model_mb=round(rss_model),
            rss_answering_mb=round(rss_answering),
        )
