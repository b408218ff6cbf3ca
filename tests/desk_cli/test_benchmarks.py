"""`bot.py bench`'s measurements (desk_cli/benchmark/), run small with the HashingEmbedder (plumbing only)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from desk_cli.benchmark.capacity import parallel_speedup
from desk_cli.benchmark.load import concurrent_load
from desk_cli.benchmark.speed import knowledge_texts, unchanged_reingest
from dispute_desk.embedding import HashingEmbedder
from dispute_desk.settings import Settings


def test_unchanged_reingest_is_timed_and_embeds_nothing_the_second_time(settings: Settings) -> None:
    first_s, unchanged_s = unchanged_reingest(settings, HashingEmbedder(), documents=12)
    assert 0 < unchanged_s < first_s


def test_knowledge_texts_are_the_chunks_an_ingest_would_embed(tiny_knowledge: Path) -> None:
    texts = knowledge_texts(tiny_knowledge)
    assert texts and all(text.strip() for text in texts)
    assert any("escrow" in text.lower() for text in texts)


def test_the_load_test_counts_errors_and_orders_its_percentiles() -> None:
    def ask(question: str) -> str:
        if question == "broken":
            raise RuntimeError("boom")
        time.sleep(0.002)
        return question

    result = concurrent_load(ask, ["a", "b", "c", "broken"], concurrency=3, requests=20)
    assert result.requests == 20 and result.errors == 5 and result.concurrency == 3
    assert 0 < result.p50_ms <= result.p95_ms <= result.p99_ms
    assert result.throughput_qps > 0


def test_the_load_test_reports_the_floor_that_cores_and_time_per_question_set() -> None:
    def ask(question: str) -> str:
        time.sleep(0.004)  # sleeping uses no core, so the measured latency may beat the floor
        return question

    result = concurrent_load(ask, ["a", "b"], concurrency=10, requests=20)
    assert result.serial_ms >= 4
    assert 1.0 <= result.speedup <= result.cores + 0.5
    assert result.ceiling_qps == pytest.approx(1000 * result.speedup / result.serial_ms, abs=0.1)
    assert result.floor_ms == pytest.approx(10 * result.serial_ms / result.speedup, rel=0.01)


def test_parallel_speedup_of_one_thread_is_one() -> None:
    assert parallel_speedup(1, rounds=5) == pytest.approx(1.0, abs=0.35)
