"""Interleaved timing: libraries take turns, with a pause when switching so BLAS threads go quiet."""
from __future__ import annotations

import statistics
import time
from typing import Callable

# OpenBLAS worker threads keep spinning ~0.1 s after a call and would slow whoever runs next.
SETTLE_SECONDS = 0.15


def interleaved(steppers: dict[str, Callable[[], object]], rounds: int, steps: int, warmup: int = 2) -> dict[str, list[float]]:
    """Per-step seconds for each stepper: ``rounds`` turns of ``steps`` timed steps each, A/B/A/B."""
    for fn in steppers.values():
        for _ in range(warmup):
            fn()
    samples: dict[str, list[float]] = {name: [] for name in steppers}
    for _ in range(rounds):
        for name, fn in steppers.items():
            time.sleep(SETTLE_SECONDS)
            # One untimed step wakes the BLAS threads the pause let fall asleep: a training loop
            # pays that once, not every few steps, so it is not part of a step's time.
            fn()
            start = time.perf_counter()
            for _ in range(steps):
                fn()
            samples[name].append((time.perf_counter() - start) / steps)
    return samples


def summary(seconds: list[float]) -> dict[str, float]:
    """Median, min and max in milliseconds."""
    return {
        "median_ms": statistics.median(seconds) * 1e3,
        "min_ms": min(seconds) * 1e3,
        "max_ms": max(seconds) * 1e3,
    }


def matmul_peak_gflops(seconds: float = 0.5) -> float:
    """The machine's float32 matmul rate (GFLOP/s) at the current thread setting, 1024² by 1024²."""
    import numpy as np

    a = np.random.default_rng(0).standard_normal((1024, 1024)).astype(np.float32)
    a @ a
    count, start = 0, time.perf_counter()
    while time.perf_counter() - start < seconds:
        a @ a
        count += 1
    return 2 * 1024 ** 3 * count / (time.perf_counter() - start) / 1e9
