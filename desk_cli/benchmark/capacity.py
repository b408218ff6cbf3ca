"""How much parallel work this machine really does: the load test's floor depends on it.

A machine can report two cores and still do little more than one core's work with both busy (two hardware
threads of one core, a virtual machine's CPU quota, or other programs running). ``parallel_speedup`` measures it
the way the desk uses the cores, with threads running code that releases the GIL (SHA-256 over 1 MB blocks), and
``dispute_desk.threads.usable_cores`` says how many cores the process may run on.
"""

from __future__ import annotations

import hashlib
import threading
import time

from dispute_desk.threads import usable_cores

_BLOCK = b"\x00" * 1_000_000
ROUNDS = 60


def _burn(rounds: int) -> None:
    for _ in range(rounds):
        hashlib.sha256(_BLOCK).digest()  # hashlib releases the GIL on large inputs


def _rate(threads: int, rounds: int) -> float:
    workers = [threading.Thread(target=_burn, args=(rounds,)) for _ in range(threads)]
    began = time.perf_counter()
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return threads * rounds / (time.perf_counter() - began)


def parallel_speedup(threads: int | None = None, rounds: int = ROUNDS, tries: int = 3) -> float:
    """Work done per second by ``threads`` busy threads (default: one per usable core), relative to one thread:
    the median of ``tries`` side-by-side measurements, since other programs on the machine take cores too. 2.0
    on two idle cores; on this project's 2-vCPU machine 1.7-1.95 when nothing else ran, 1.0-1.3 while other
    programs were busy.
    """
    threads = threads or usable_cores()
    _burn(2)
    ratios = sorted(_rate(threads, rounds) / _rate(1, rounds) for _ in range(tries))
    return round(max(1.0, ratios[len(ratios) // 2]), 2)
