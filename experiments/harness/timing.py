"""Wall-clock timing: warm-up, repeat until a minimum time per sample, interleave the systems,
and re-measure the rounds taken while the machine was busy."""

from __future__ import annotations

import gc
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import jax

from experiments.harness.machine import cpu_share, load_now

BUSY_CPU_SHARE = 0.9
"""A sample during which the process got less than this share of a core (CPU time / wall
time) was taken while another process held the core: the machine was busy."""


@dataclass(frozen=True)
class TimingPlan:
    """How every timed call is sampled."""

    warmup_calls: int
    min_sample_seconds: float
    samples: int
    extra_rounds: int
    """At most this many rounds are measured again in place of busy ones."""

    def describe(self) -> str:
        """One sentence for the report's method section."""
        return (
            f"{self.warmup_calls} warm-up call, then {self.samples} samples per system, each "
            f"sample looping the call until at least {self.min_sample_seconds * 1e3:g} ms "
            f"have passed and dividing by the loop count; up to {self.extra_rounds} rounds "
            "are measured again in place of busy ones"
        )


QUICK_PLAN = TimingPlan(warmup_calls=1, min_sample_seconds=0.002, samples=3, extra_rounds=3)
FULL_PLAN = TimingPlan(warmup_calls=1, min_sample_seconds=0.05, samples=5, extra_rounds=3)


@dataclass(frozen=True)
class Round:
    """One sample of every system, taken side by side, and the machine's load meanwhile."""

    seconds: dict[str, float]
    cpu_share: float
    """The lowest CPU share among the round's samples."""
    load_before: float
    load_after: float

    @property
    def busy(self) -> bool:
        """Whether the process waited for a core during any of the round's samples."""
        return self.cpu_share < BUSY_CPU_SHARE


@dataclass(frozen=True)
class Timings:
    """The rounds kept for one point, and how many were measured to get them."""

    rounds: list[Round]
    measured: int

    @property
    def noisy(self) -> bool:
        """Whether a busy round had to be kept: re-measuring did not find enough quiet ones."""
        return any(r.busy for r in self.rounds)


def _seconds_per_call(call: Callable[[], object], loops: int) -> tuple[float, float]:
    """One sample: ``gc.collect()``, then ``loops`` calls; seconds per call and CPU share."""
    gc.collect()
    before = load_now()
    for _ in range(loops):
        call()
    after = load_now()
    return (after.wall_seconds - before.wall_seconds) / loops, cpu_share(before, after)


def _loops_for(call: Callable[[], object], min_seconds: float) -> int:
    """How many calls make one sample last at least ``min_seconds`` (one, without a probing
    call, when no minimum is asked: for calls that take seconds)."""
    if min_seconds <= 0:
        return 1
    loops = 1
    while True:
        elapsed = _seconds_per_call(call, loops)[0] * loops
        if elapsed >= min_seconds:
            return loops
        loops = max(loops * 2, math.ceil(loops * 1.2 * min_seconds / max(elapsed, 1e-9)))


def _round(
    calls: Mapping[str, Callable[[], object]], loops: Mapping[str, int], index: int
) -> Round:
    """Sample every system once, in order on even rounds and reversed on odd ones."""
    order = list(calls) if index % 2 == 0 else list(reversed(calls))
    before = load_now().load_average
    seconds, shares = {}, []
    for key in order:
        seconds[key], share = _seconds_per_call(calls[key], loops[key])
        shares.append(share)
    return Round(seconds, min(shares), before, load_now().load_average)


def time_interleaved(calls: Mapping[str, Callable[[], object]], plan: TimingPlan) -> Timings:
    """Seconds per call of each system, sampled A B, B A, A B, ... so ratios are side by side.

    Rounds are measured until ``plan.samples`` of them are quiet or ``plan.extra_rounds`` more
    were tried; the quiet ones are kept, topped up with the least busy others. Objects alive at
    the start are frozen out of the collector meanwhile (``gc.freeze``), so the ``gc.collect()``
    before each sample scans only what the timed calls allocate.
    """
    if not calls:
        return Timings([], 0)
    gc.collect()
    gc.freeze()
    try:
        loops: dict[str, int] = {}
        for key, call in calls.items():
            for _ in range(plan.warmup_calls):
                call()
            loops[key] = _loops_for(call, plan.min_sample_seconds)
        measured: list[Round] = []
        while sum(not r.busy for r in measured) < plan.samples and len(measured) < (
            plan.samples + plan.extra_rounds
        ):
            measured.append(_round(calls, loops, len(measured)))
    finally:
        gc.unfreeze()
    by_quiet = sorted(
        range(len(measured)), key=lambda i: (measured[i].busy, -measured[i].cpu_share)
    )
    kept = sorted(by_quiet[: plan.samples])
    return Timings([measured[i] for i in kept], len(measured))


def compile_every_time() -> None:
    """Turn JAX's persistent compilation cache off for this process; call it before the first
    compile (JAX decides once per process).

    jit's first call is timed with its trace and compile: a cache on disk (the environment's
    ``JAX_COMPILATION_CACHE_DIR``, which ``make test`` sets to speed up the suite) would turn
    that compile into a file read.
    """
    jax.config.update("jax_enable_compilation_cache", False)


def time_once(call: Callable[[], object]) -> float:
    """Seconds taken by a single call (e.g. JAX's first, compiling call)."""
    gc.collect()
    start = time.perf_counter()
    call()
    return time.perf_counter() - start
