"""Gradient cost against the number of inputs n (f: ℝⁿ → ℝ): forward grows, reverse does not.

Forward mode needs one tangent per input direction, so its cost relative to f grows like n
(slope 1), whether the n tangents go one per pass (``jacfwd(chunk_size=1)``) or batched in one
pass (``jacfwd()``: the primal is computed once, the tangent work is still n-fold). Reverse mode
needs one backward sweep with one cotangent whatever n is (slope 0); with one output both
reverse pairs, ``jacrev(chunk_size=1)`` and ``jacrev()``, are that one sweep, ``grad``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pandas as pd

from experiments.harness import measure, workloads
from experiments.harness.context import Context
from experiments.harness.measure import Method
from experiments.harness.scaling import (
    Series,
    ratio_figure,
    ratio_to_function,
    same_slope,
    sweep,
    users_with,
)
from experiments.harness.stats import log_grid
from experiments.harness.validation import Reference

Fun = Callable[[Any], Any]

FULL_SIZES = log_grid(10, 10_000, 10)
QUICK_SIZES = log_grid(10, 100, 3)
FULL_TIMED_FORWARD_MAX, QUICK_TIMED_FORWARD_MAX = 1_000, 50
"""Above this n, one-tangent-per-pass forward mode is run once and counted, not timed."""
FULL_BATCHED_MAX, QUICK_BATCHED_MAX = 1_000, 100
"""Above this n batched forward mode is not run: its tangents hold n copies of every
intermediate value."""

BUILDERS = {"elementwise": workloads.elementwise, "mlp": workloads.mlp_with_about}
ONE_PER_PASS, BATCHED = measure.chunk_label("jacfwd", 1), measure.chunk_label("jacfwd", None)
SERIES = (
    Series(ONE_PER_PASS, "forward, one tangent per pass", same_slope(1.0)),
    Series(BATCHED, "forward, n tangents batched in one pass", {"flops": 1.0}),
    Series("grad", "reverse, one cotangent (both pairs)", same_slope(0.0)),
)


def run(ctx: Context) -> str:
    """Sweep n for each workload; figures of the cost ratios to f; slopes against theory."""
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    timed_max = QUICK_TIMED_FORWARD_MAX if ctx.quick else FULL_TIMED_FORWARD_MAX
    batched_max = QUICK_BATCHED_MAX if ctx.quick else FULL_BATCHED_MAX
    builds = {name: (lambda n, b=build: b(n, ctx.rng(n))) for name, build in BUILDERS.items()}
    builds.update(users_with(ctx, one_output=True, beside=builds))

    def methods_of(instance: workloads.Instance, f: Fun, x: Any, ref: Reference) -> list[Method]:
        n = instance.n_inputs
        forward = [
            measure.jacobian(f, x, ref, transform="jacfwd", chunk_size=1, timed=n <= timed_max)
        ]
        if n <= batched_max:
            forward.append(measure.jacobian(f, x, ref, transform="jacfwd", chunk_size=None))
        return [measure.function(f, x, ref), *forward, measure.reverse_grad(f, x, ref)]

    sweep(ctx, builds, sizes=sizes, unit="n", methods_of=methods_of)
    frame = ctx.frame()
    for name in builds:
        ratio_figure(
            ctx,
            frame,
            workload=name,
            x="n_inputs",
            series=SERIES,
            xlabel="n (number of inputs)",
            stem=name,
            caption=f"{name}: gradient cost / f cost against n, in time, primitive ops and FLOPs",
        )
    ctx.note(
        f"`{ONE_PER_PASS}` is timed up to n = {timed_max} only (time budget); above it, it is "
        "run once, validated and counted, so the ops and FLOPs panels span every n while its "
        f"time curve stops there. `{BATCHED}` runs up to n = {batched_max}: beyond, its tangents "
        "(n copies of every intermediate) outgrow the memory."
    )
    ctx.note(
        f"`{BATCHED}` has a theory for FLOPs only (n tangents of work): its ops do not grow with "
        "n (one pass) and its time sits between the two."
    )
    ctx.describe_workloads(BUILDERS)
    return f"{ctx.verdict_summary()}. {_headline(frame, list(builds))}"


def _headline(frame: pd.DataFrame, swept: list[str]) -> str:
    """The measured FLOP ratios at the largest n of each workload (exact counts)."""
    parts = []
    for name in swept:
        forward = ratio_to_function(frame, name, ONE_PER_PASS, "flops").iloc[-1]
        reverse = ratio_to_function(frame, name, "grad", "flops").iloc[-1]
        parts.append(
            f"{name} at n = {int(forward['n_inputs'])}: forward {forward['median']:.0f}× f's "
            f"FLOPs, reverse {reverse['median']:.1f}×"
        )
    return "; ".join(parts) + "."
