"""Measure several ways of computing one thing at one point: count, validate, time, record."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from experiments.context import Context
from experiments.counting import Counts, counted
from experiments.timing import time_interleaved
from experiments.validation import max_rel_err

ADMODES = "admodes"
UNCOUNTED = {"ops": math.nan, "flops": math.nan, "peak_saved_bytes": math.nan}


@dataclass(frozen=True)
class Method:
    """One system computing one quantity: ``call()`` returns it, ``expected()`` is JAX's."""

    engine: str
    mode: str
    method: str
    call: Callable[[], Any]
    expected: Callable[[], Any] | None = None
    timed: bool = True

    @property
    def key(self) -> str:
        """Identifies the method among those measured together."""
        return f"{self.engine}: {self.method}"


@dataclass(frozen=True)
class Measured:
    """A method's validated result, its counts (admodes only) and its timing samples."""

    result: Any
    counts: Counts | None
    max_rel_err: float
    seconds: list[float]


def measure_point(
    ctx: Context,
    workload: str,
    n_inputs: int,
    n_outputs: int,
    methods: Sequence[Method],
    extra: dict[str, Any] | None = None,
) -> dict[str, Measured]:
    """Run each method once (counted with ``ad.count`` for admodes, validated against JAX),
    time the timed ones interleaved, and record one row per sample (one untimed row otherwise).
    """
    first_runs: dict[str, tuple[Any, Counts | None, float]] = {}
    for method in methods:
        if method.engine == ADMODES:
            result, counts = counted(method.call)
        else:
            result, counts = method.call(), None
        err = max_rel_err(result, method.expected()) if method.expected else math.nan
        first_runs[method.key] = (result, counts, err)

    samples = time_interleaved({m.key: m.call for m in methods if m.timed}, ctx.timing)
    measured: dict[str, Measured] = {}
    for method in methods:
        result, counts, err = first_runs[method.key]
        seconds = samples.get(method.key, [])
        for repeat, value in enumerate(seconds or [math.nan]):
            ctx.record(
                workload=workload,
                engine=method.engine,
                mode=method.mode,
                n_inputs=n_inputs,
                n_outputs=n_outputs,
                repeat=repeat,
                seconds=value,
                max_rel_err_vs_jax=err,
                method=method.method,
                **(counts.columns() if counts else UNCOUNTED),
                **(extra or {}),
            )
        measured[method.key] = Measured(result, counts, err, seconds)
    return measured
