"""Progress from a worker thread reaches one status message, throttled, latest value first."""

from __future__ import annotations

import asyncio
import itertools
import threading
import time

from desk_discord.exts.admin._progress import ProgressRelay, progress_text


def test_progress_text() -> None:
    assert progress_text("Reindex", "embedding", 32, 128) == "🔄 Reindex: Embedding passages… 32/128 (25%)"
    assert progress_text("Reindex", "reading", 0, 0) == "🔄 Reindex: Reading files…"


async def test_relay_throttles_edits_and_shows_the_latest_report() -> None:
    shown: list[tuple[float, str]] = []
    publish_threads: set[int] = set()

    async def publish(text: str) -> None:
        shown.append((time.monotonic(), text))
        publish_threads.add(threading.get_ident())

    relay = ProgressRelay(asyncio.get_running_loop(), publish, title="Reindex", interval=0.2)

    def worker() -> None:  # 1,000 reports over ~0.5 s, from another thread
        for done in range(1, 1001):
            relay("embedding", done, 1000)
            time.sleep(0.0005)

    async with relay:
        await asyncio.to_thread(worker)
        await asyncio.sleep(0.25)  # let the last report through

    assert 2 <= len(shown) <= 6  # not 1,000 edits
    gaps = [b[0] - a[0] for a, b in itertools.pairwise(shown)]
    assert all(gap >= 0.19 for gap in gaps)
    assert shown[-1][1].endswith("1000/1000 (100%)")
    assert publish_threads == {threading.get_ident()}  # edits happen on the event loop, not in the worker
