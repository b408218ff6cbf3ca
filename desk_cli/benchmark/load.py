"""The load test: many questions at once through the core, timing each and watching the event loop."""

from __future__ import annotations

import asyncio
import contextlib
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from desk_cli.benchmark.capacity import parallel_speedup
from dispute_desk.eval import percentile
from dispute_desk.threads import usable_cores


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
    serial_ms: float  # mean time of one question asked alone
    cores: int  # cores the process may run on
    speedup: float  # work per second with every core busy, relative to one (capacity.parallel_speedup)

    @property
    def ceiling_qps(self) -> float:
        """The throughput no code can pass here with this much work per question: every core busy answering."""
        return round(1000 * self.speedup / self.serial_ms, 1) if self.serial_ms else 0.0

    @property
    def floor_ms(self) -> float:
        """The mean latency at this concurrency that goes with the ceiling (Little's law): concurrency / ceiling."""
        return round(1000 * self.concurrency / self.ceiling_qps, 1) if self.ceiling_qps else 0.0


SERIAL_SAMPLE = 100


def serial_time(ask: Callable[[str], object], questions: Sequence[str]) -> float:
    """Mean milliseconds per question, asked one at a time (failures timed too), over up to ``SERIAL_SAMPLE``
    questions taken evenly across the set.
    """
    sample = list(questions[:: max(1, len(questions) // SERIAL_SAMPLE)])[:SERIAL_SAMPLE]
    began = time.perf_counter()
    for question in sample:
        with contextlib.suppress(Exception):
            ask(question)
    return (time.perf_counter() - began) * 1000 / max(1, len(sample))


def concurrent_load(ask: Callable[[str], object], questions: Sequence[str], concurrency: int,
                    requests: int) -> LoadResult:
    """``requests`` questions from ``concurrency`` concurrent clients, each waiting for its answer before asking
    the next; latency counts from the moment a client asks (queueing included).

    Also times questions asked alone, for the floor: with ``concurrency`` clients always waiting, the mean
    latency is ``concurrency`` / throughput (Little's law), and throughput cannot pass the work the cores can do
    (``capacity.parallel_speedup``) / time per question.
    """
    for question in questions[:3]:  # warm caches and the model
        with contextlib.suppress(Exception):
            ask(question)
    serial = serial_time(ask, questions)
    cores = usable_cores()
    speedup = parallel_speedup(cores)
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
                      round(percentile(samples, 99), 1), round(stall, 1), round(serial, 2), cores, speedup)


