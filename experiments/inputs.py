"""Gradient cost against the number of inputs n (f: ℝⁿ → ℝ): forward grows, reverse does not.

Forward mode needs one pass per input direction, so its cost relative to f grows like n (slope
1); reverse mode needs one backward sweep whatever n is (slope 0).
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

CHUNK = 64
FULL_SIZES = log_grid(10, 10_000, 10)
QUICK_SIZES = log_grid(10, 100, 3)
FULL_TIMED_FORWARD_MAX = 1_000
"""Above this n forward mode is run once and counted, not timed (time budget)."""
QUICK_TIMED_FORWARD_MAX = 50

WORKLOADS: dict[str, Callable[[int, np.random.Generator], workloads.Instance]] = {
    "elementwise": workloads.elementwise,
    "mlp": workloads.mlp_with_about,
}
SERIES = (
    Series("jacfwd(chunk_size=1)", "forward, n one-direction passes", 1.0),
    Series(f"jacfwd(chunk_size={CHUNK})", f"forward, {CHUNK} directions per pass", 1.0, 2 * CHUNK),
    Series("grad", "reverse, one backward sweep", 0.0),
)


def run(ctx: Context) -> str:
    """Sweep n for each workload; figures of the cost ratios to f; slopes against theory."""
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    timed_max = QUICK_TIMED_FORWARD_MAX if ctx.quick else FULL_TIMED_FORWARD_MAX
    for name, build in WORKLOADS.items():
        for n in ctx.progress(sizes, f"{name} over n"):
            instance = build(n, ctx.rng(n))
            f, x, ref = instance.under_test()
            measure_point(
                ctx,
                name,
                instance.n_inputs,
                1,
                [
                    methods.function(f, x, ref),
                    methods.jacfwd(f, x, ref, 1, timed=instance.n_inputs <= timed_max),
                    methods.jacfwd(f, x, ref, CHUNK, timed=instance.n_inputs <= timed_max),
                    methods.reverse_grad(f, x, ref),
                ],
            )
    frame = ctx.frame()
    for name in WORKLOADS:
        ratio_figure(
            ctx,
            frame,
            name,
            "n_inputs",
            SERIES,
            "n (number of inputs)",
            name,
            f"{name}: gradient cost / f cost against n, in time, primitive ops and FLOPs",
        )
    ctx.note(
        f"Forward mode (both `jacfwd` variants) is timed up to n = {timed_max} only (time "
        "budget); above it, it is run once, validated and counted, so the ops and FLOPs panels "
        "span every n while its time curve stops there. Its time slope is fitted on the timed "
        "range."
    )
    ctx.note(
        f"`jacfwd(chunk_size={CHUNK})` runs ceil(n/{CHUNK}) passes of {CHUNK} directions: constant "
        f"up to n = {CHUNK}, so its slope is fitted from n ≥ {2 * CHUNK}."
    )
    ctx.note(
        "Workloads: elementwise = sum(sin(x)·x + exp(−x²)); mlp = mean squared error of a 4-h-1 "
        "tanh MLP on a fixed batch of 16, all parameters packed in one vector x (h grows with n)."
    )
    return f"{ctx.slope_agreement()}. {_headline(frame)}"


def _headline(frame: pd.DataFrame) -> str:
    """The measured FLOP ratios at the largest n of each workload."""
    parts = []
    for name in WORKLOADS:
        forward = ratio_to_function(frame, name, "jacfwd(chunk_size=1)", "flops").iloc[-1]
        reverse = ratio_to_function(frame, name, "grad", "flops").iloc[-1]
        parts.append(
            f"{name} at n = {int(forward['n_inputs'])}: forward {forward['median']:.0f}× f's "
            f"FLOPs, reverse {reverse['median']:.1f}×"
        )
    return "; ".join(parts) + "."
