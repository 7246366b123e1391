"""Jacobian cost against the number of outputs m (f: ℝⁿ → ℝᵐ, n fixed): the mirror image.

Forward mode needs n tangents whatever m is (ratio to f: slope 0); reverse mode needs one
cotangent per output (slope 1). Both like-for-like pairs are measured: one tangent per pass
against one cotangent per sweep (``jacfwd(chunk_size=1)`` / ``jacrev(chunk_size=1)``, the
textbook costs), and all tangents in one pass against all cotangents in one sweep
(``jacfwd()`` / ``jacrev()``, the defaults), where the theory is about FLOPs only.
"""

from __future__ import annotations

import pandas as pd

from experiments.harness import measure, workloads
from experiments.harness.context import Context
from experiments.harness.scaling import (
    COSTS,
    Series,
    ratio_figure,
    same_slope,
    samples_of,
    sweep,
    users_with,
)
from experiments.harness.stats import log_grid, summarise

FULL_N, QUICK_N = 16, 4
FULL_SIZES = log_grid(1, 2_000, 8)
QUICK_SIZES = log_grid(1, 30, 3)
BUILDERS = {"dense-tanh": workloads.dense_tanh, "mlp-map": workloads.mlp_outputs}
TEXTBOOK, BATCHED = measure.PAIRS
SERIES = (
    Series(TEXTBOOK.forward, "forward, one tangent per pass", same_slope(0.0)),
    Series(TEXTBOOK.reverse, "reverse, one cotangent per sweep", same_slope(1.0)),
    Series(BATCHED.forward, "forward, n tangents in one pass", {"flops": 0.0}),
    Series(BATCHED.reverse, "reverse, m cotangents in one sweep", {"flops": 1.0}),
)


def run(ctx: Context) -> str:
    """Sweep m for each workload; figures of the cost ratios to f; slopes; crossovers."""
    n = QUICK_N if ctx.quick else FULL_N
    builds = {name: (lambda m, b=build: b(n, m, ctx.rng(m))) for name, build in BUILDERS.items()}
    builds.update(users_with(ctx, one_output=False, beside=builds))
    sweep(
        ctx,
        builds,
        sizes=QUICK_SIZES if ctx.quick else FULL_SIZES,
        unit="m",
        methods_of=lambda instance, f, x, ref: [
            measure.function(f, x, ref),
            *(method for pair in measure.PAIRS for method in pair.methods(f, x, ref)),
        ],
    )
    frame = ctx.frame()
    for name in builds:
        ratio_figure(
            ctx,
            frame,
            workload=name,
            x="n_outputs",
            series=SERIES,
            xlabel="m (number of outputs)",
            stem=name,
            caption=f"{name}: Jacobian cost / f cost against m, in time, primitive ops and FLOPs",
        )
    ctx.note(f"Built-in workloads have n = {n} inputs.")
    for name in builds:
        ctx.note(f"{name}, in time (medians): " + "; ".join(_time_crossing(frame, name)) + ".")
    ctx.describe_workloads(BUILDERS)
    parts = [f"{name}: {_flops_crossing(frame, name)}" for name in builds]
    return f"{ctx.verdict_summary()}. " + "; ".join(parts) + "."


def _medians(frame: pd.DataFrame, name: str, method: str, quantity: str) -> pd.Series:
    column = {"time": COSTS[0], "flops": COSTS[2]}[quantity]
    samples = samples_of(frame, workload=name, method=method, quantity=column, x="n_outputs")
    return summarise(samples, ["n_outputs"]).set_index("n_outputs")["median"]


def _first_m_where_reverse_costs_more(
    frame: pd.DataFrame, name: str, pair: measure.Pair, quantity: str
) -> str:
    forward = _medians(frame, name, pair.forward, quantity)
    reverse = _medians(frame, name, pair.reverse, quantity)
    common = forward.index.intersection(reverse.index)
    worse = [m for m in common if reverse[m] > forward[m]]
    return f"from m = {min(worse)}" if worse else "at no m measured"


def _flops_crossing(frame: pd.DataFrame, name: str) -> str:
    """Where reverse needs more FLOPs than forward, per pair (exact)."""
    return ", ".join(
        f"{pair.name} reverse needs more FLOPs than forward "
        + _first_m_where_reverse_costs_more(frame, name, pair, "flops")
        for pair in measure.PAIRS
    )


def _time_crossing(frame: pd.DataFrame, name: str) -> list[str]:
    """Where reverse takes longer than forward, per pair (medians, so this run's numbers)."""
    return [
        f"{pair.name}: reverse slower than forward "
        + _first_m_where_reverse_costs_more(frame, name, pair, "time")
        for pair in measure.PAIRS
    ]
