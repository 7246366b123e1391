"""Wall-clock timing: warm-up, repeat until a minimum time per sample, interleave the systems."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class TimingPlan:
    """How every timed call is sampled (one warm-up call is what both plans use)."""

    warmup_calls: int
    min_sample_seconds: float
    samples: int

    def describe(self) -> str:
        """One sentence for the report's method section."""
        return (
            f"{self.warmup_calls} warm-up call, then {self.samples} samples per system, each "
            f"sample looping the call until at least {self.min_sample_seconds * 1e3:g} ms "
            "have passed and dividing by the loop count"
        )


QUICK_PLAN = TimingPlan(warmup_calls=1, min_sample_seconds=0.002, samples=3)
FULL_PLAN = TimingPlan(warmup_calls=1, min_sample_seconds=0.1, samples=5)


def _seconds_per_call(call: Callable[[], object], loops: int) -> float:
    """One sample: ``gc.collect()``, then ``loops`` calls timed with ``perf_counter``."""
    gc.collect()
    start = time.perf_counter()
    for _ in range(loops):
        call()
    return (time.perf_counter() - start) / loops


def _loops_for(call: Callable[[], object], min_seconds: float) -> int:
    """How many calls make one sample last at least ``min_seconds``."""
    loops = 1
    while True:
        elapsed = _seconds_per_call(call, loops) * loops
        if elapsed >= min_seconds:
            return loops
        loops = max(loops * 2, math.ceil(loops * 1.2 * min_seconds / max(elapsed, 1e-9)))


def time_interleaved(
    calls: Mapping[str, Callable[[], object]], plan: TimingPlan
) -> dict[str, list[float]]:
    """Seconds per call of each system, sampled A B, B A, A B, ... so ratios are side by side.

    Returns ``plan.samples`` samples per key; sample ``r`` of every key was taken in round ``r``.
    Objects alive at the start are frozen out of the collector meanwhile (``gc.freeze``), so the
    ``gc.collect()`` before each sample scans only what the timed calls allocate, not JAX's and
    matplotlib's large heaps.
    """
    gc.collect()
    gc.freeze()
    try:
        loops: dict[str, int] = {}
        for key, call in calls.items():
            for _ in range(plan.warmup_calls):
                call()
            loops[key] = _loops_for(call, plan.min_sample_seconds)
        samples: dict[str, list[float]] = {key: [] for key in calls}
        order = list(calls)
        for round_index in range(plan.samples):
            for key in order if round_index % 2 == 0 else reversed(order):
                samples[key].append(_seconds_per_call(calls[key], loops[key]))
    finally:
        gc.unfreeze()
    return samples


def time_once(call: Callable[[], object]) -> float:
    """Seconds taken by a single call (e.g. JAX's first, compiling call)."""
    gc.collect()
    start = time.perf_counter()
    call()
    return time.perf_counter() - start
