"""Measure several ways of computing one thing at one point: count, validate, time, record."""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from experiments.context import Context
from experiments.counting import Counts, counted
from experiments.timing import time_interleaved
from experiments.validation import max_rel_err

ADMODES = "admodes"
UNCOUNTED = {"ops": math.nan, "flops": math.nan, "peak_saved_bytes": math.nan}


@dataclass(frozen=True)
class Method:
    """One system computing one quantity: ``call()`` returns it, ``expected()`` is JAX's.

    ``count()`` runs it once under ``ad.count`` and returns ``(result, counts)``; by default
    admodes methods count ``call`` itself and other engines are not counted.
    """

    engine: str
    mode: str
    method: str
    call: Callable[[], Any]
    expected: Callable[[], Any] | None = None
    timed: bool = True
    count: Callable[[], tuple[Any, Counts]] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def first_run(self) -> tuple[Any, Counts | None]:
        """The result of one (counted, where possible) run."""
        if self.count is not None:
            return self.count()
        if self.engine == ADMODES:
            return counted(self.call)
        return self.call(), None

    @property
    def key(self) -> str:
        """Identifies the method among those measured together."""
        return f"{self.engine}: {self.method}"


def measure_point(
    ctx: Context,
    workload: str,
    n_inputs: int,
    n_outputs: int,
    methods: Sequence[Method],
    extra: dict[str, Any] | None = None,
) -> None:
    """Run each method once (counted for admodes, validated against JAX),
    time the timed ones interleaved, and record one row per sample (one untimed row otherwise).

    ``extra`` columns go on every row; a method's own ``extra`` on its rows only.
    """
    first_runs: dict[str, tuple[Counts | None, float]] = {}
    for method in methods:
        result, counts = method.first_run()
        err = max_rel_err(result, method.expected()) if method.expected else math.nan
        first_runs[method.key] = (counts, err)

    samples = time_interleaved({m.key: m.call for m in methods if m.timed}, ctx.timing)
    for method in methods:
        counts, err = first_runs[method.key]
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
                **method.extra,
            )


def record_unmeasured(
    ctx: Context, workload: str, engine: str, method: str, n_inputs: int, seconds: float
) -> None:
    """A row outside the counted, validated samples: a single timing, or a missing system."""
    ctx.record(
        workload=workload,
        engine=engine,
        mode="reverse",
        n_inputs=n_inputs,
        n_outputs=1,
        repeat=0,
        seconds=seconds,
        max_rel_err_vs_jax=math.nan,
        method=method,
        **UNCOUNTED,
    )
