"""The load test: many questions at once through the core, timing each and watching the event loop."""

from __future__ import annotations

import asyncio
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from dispute_desk.eval import percentile


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


