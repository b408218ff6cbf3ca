"""Threads in the answering process: how many cores it may use, and numpy's BLAS kept on one thread.

The desk's matrix work is tiny (a question's vectors against a few thousand passages: well under a
millisecond). OpenBLAS nevertheless hands any matrix product to all its threads, and on a small, busy machine
waking and spinning them cost more than the work: on the 2-core machine the product of three ask vectors with
the passage matrix took 8 ms with BLAS threads and 0.07 ms without, and the spinning threads took the cores
the encoder needed when many questions came at once. The cores are better spent on concurrent questions.
"""

from __future__ import annotations

import os
import threading

_lock = threading.Lock()


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity on Linux, else the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


def one_blas_thread() -> None:
    """Limit the BLAS libraries loaded so far (numpy's OpenBLAS; scipy's or MKL if loaded) to one thread, for the
    whole process. Called whenever a desk opens, so a library loaded since the last call is limited too.

    Only BLAS: torch's own thread pool (the torch embedding backend) and ONNX Runtime's are left as set.
    """
    from threadpoolctl import threadpool_limits

    with _lock:
        threadpool_limits(limits=1, user_api="blas")
