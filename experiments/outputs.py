"""Jacobian cost against the number of outputs m (f: ℝⁿ → ℝᵐ, n fixed): the mirror image.

Forward mode needs n passes whatever m is (ratio to f: slope 0); reverse mode needs one backward
sweep per output (slope 1).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from experiments import methods, workloads
from experiments.context import Context
from experiments.measure import measure_point
from experiments.scaling import Series, ratio_figure, ratio_to_function
from experiments.stats import log_grid

FULL_N, QUICK_N = 16, 4
FULL_SIZES = log_grid(1, 2_000, 10)
QUICK_SIZES = log_grid(1, 30, 3)

WORKLOADS: dict[str, Callable[[int, int, np.random.Generator], workloads.Instance]] = {
    "dense-tanh": workloads.dense_tanh,
    "mlp-map": workloads.mlp_outputs,
}
SERIES = (
    Series("jacfwd(chunk_size=1)", "forward, n one-direction passes", 0.0),
    Series("jacrev", "reverse, one backward sweep per output", 1.0),
)


def run(ctx: Context) -> str:
    """Sweep m at fixed n for each workload; figures of the cost ratios to f; slopes."""
    n = QUICK_N if ctx.quick else FULL_N
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    for name, build in WORKLOADS.items():
        for m in ctx.progress(sizes, f"{name} over m"):
            instance = build(n, m, ctx.rng(m))
            f, x, ref = instance.under_test()
            measure_point(
                ctx,
                name,
                n,
                m,
                [
                    methods.function(f, x, ref),
                    methods.jacfwd(f, x, ref, 1),
                    methods.jacrev(f, x, ref),
                ],
            )
    frame = ctx.frame()
    for name in WORKLOADS:
        ratio_figure(
            ctx,
            frame,
            name,
            "n_outputs",
            SERIES,
            f"m (number of outputs; n = {n} inputs)",
            name,
            f"{name}: Jacobian cost / f cost against m, in time, primitive ops and FLOPs",
        )
    ctx.note(
        f"Workloads: dense-tanh = tanh(A·sin(x)) with a fixed m×n matrix A; mlp-map = "
        f"tanh(x·W1)·W2, a fixed n-32-m network read as a function of its input; n = {n}."
    )
    return f"{ctx.slope_agreement()}. {_headline(frame)}"


def _headline(frame: pd.DataFrame) -> str:
    """Where reverse overtakes forward in time, per workload (smallest m with jacrev slower)."""
    parts = []
    for name in WORKLOADS:
        forward = ratio_to_function(frame, name, "jacfwd(chunk_size=1)", "seconds")
        reverse = ratio_to_function(frame, name, "jacrev", "seconds")
        slower = reverse[reverse["median"].to_numpy() > forward["median"].to_numpy()]
        where = f"from m = {int(slower['n_outputs'].min())}" if len(slower) else "at no m measured"
        parts.append(f"{name}: reverse is slower than forward {where}")
    return "; ".join(parts) + f" (n = {int(frame['n_inputs'].iloc[0])})."
