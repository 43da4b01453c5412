"""Timing shared by the in-process benchmarks."""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Any


def best(run: Callable[[], Any], repeat: int) -> float:
    """The fastest of ``repeat`` runs of ``run``, in seconds, each after a full garbage collection."""
    fastest = float("inf")
    for _ in range(repeat):
        gc.collect()
        started = time.perf_counter()
        run()
        fastest = min(fastest, time.perf_counter() - started)
    return fastest
