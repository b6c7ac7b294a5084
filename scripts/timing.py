"""Timing helpers shared by the benchmark scripts (run them as `.venv/bin/python scripts/bench_*.py`)."""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable


def timed(action: Callable[[], object], repeat: int) -> list[float]:
    """Milliseconds taken by each of `repeat` calls of `action`."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append((time.perf_counter() - start) * 1000)
    return times


def report(name: str, ms: list[float]) -> None:
    """One line: the median and 90th percentile of a list of milliseconds."""
    ms = sorted(ms)
    print(f"{name:<62} median {statistics.median(ms):8.2f} ms   p90 {ms[int(0.9 * len(ms))]:8.2f} ms   (n={len(ms)})")
