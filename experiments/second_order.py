"""Second order for f: ℝⁿ → ℝ: Hessian-vector products and full Hessians in the four mode pairs.

An H·v costs a small constant times f in the three pairs that include reverse mode
(forward-over-reverse, reverse-over-forward, reverse-over-reverse: ratio to f, slope 0);
forward-over-forward needs the whole gradient by forward mode inside, n tangents (slope 1). A
full Hessian is n H·v (slope 1) forward over reverse and reverse over reverse; reverse over
forward (``jacrev(jacfwd(f))``) differentiates a forward-mode gradient of n tangents once per
output, n² (slope 2), and so does forward over forward. Hessians are
measured in both like-for-like pairs: one direction per pass at both levels
(``chunk_size=1``), and the defaults, which batch every direction (theory for FLOPs only).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

import admodes as ad
from experiments.harness import workloads
from experiments.harness.context import Context
from experiments.harness.measure import ADMODES, Method, function, hvp_methods, measure_point
from experiments.harness.scaling import (
    COSTS,
    SAVED_BYTES,
    Series,
    ratio_figure,
    ratio_to_function,
    same_slope,
)
from experiments.harness.stats import log_grid
from experiments.harness.validation import JaxReference

BUILDERS = {"mlp": workloads.mlp_with_about, "elementwise": workloads.elementwise}
FULL_HVP_SIZES, QUICK_HVP_SIZES = log_grid(10, 1_000, 4), log_grid(7, 30, 2)
FULL_HESSIAN_SIZES, QUICK_HESSIAN_SIZES = log_grid(7, 80, 3), log_grid(7, 13, 2)
"""Sizes asked of the builders (an MLP's n grows in steps of 6 from 7: one hidden unit more)."""
FULL_TIMED_MAX, QUICK_TIMED_MAX = {"hvp": 300, "hessian": 40}, {"hvp": 16, "hessian": 13}
"""Above this n, a method whose cost grows like n² f (H·v: like n f) is counted, not timed."""
GROWING = ("fwd-over-fwd, one", "rev-over-fwd, one")
"""The methods that cap applies to: forward over forward, and reverse over a forward gradient
(Hessian), with one direction per pass."""

Fun = Callable[[Any], Any]


def _hessian_methods(f: Fun, x: np.ndarray) -> dict[str, Callable[[], Any]]:
    """The full Hessian in the four mode pairs, one direction per pass and batched."""
    methods = {}
    for chunk, label in ((1, "one per pass"), (None, "batched")):
        fwd = lambda g, c=chunk: ad.jacfwd(g, chunk_size=c)
        rev = lambda g, c=chunk: ad.jacrev(g, chunk_size=c)
        methods[f"fwd-over-rev, {label}"] = lambda a=fwd, b=rev: a(b(f))(x)
        methods[f"rev-over-fwd, {label}"] = lambda a=rev, b=fwd: a(b(f))(x)
        methods[f"rev-over-rev, {label}"] = lambda a=rev, b=rev: a(b(f))(x)
        methods[f"fwd-over-fwd, {label}"] = lambda a=fwd, b=fwd: a(b(f))(x)
    return methods


HVP_SERIES = (
    Series("fwd-over-rev", "forward over reverse", same_slope(0.0)),
    Series("rev-over-fwd", "reverse over forward", same_slope(0.0)),
    Series("rev-over-rev", "reverse over reverse", same_slope(0.0)),
    Series("fwd-over-fwd, one tangent per pass", "fwd over fwd, n passes", same_slope(1.0)),
    Series("fwd-over-fwd, batched", "fwd over fwd, n tangents batched", {"flops": 1.0}),
)
HESSIAN_SERIES = tuple(
    Series(
        f"{pair}, {label}",
        f"{pair.replace('-', ' ')}, {label}",
        same_slope(slope) if label == "one per pass" else {"flops": slope},
    )
    for label in ("one per pass", "batched")
    for pair, slope in (
        ("fwd-over-rev", 1.0),
        ("rev-over-fwd", 2.0),
        ("rev-over-rev", 1.0),
        ("fwd-over-fwd", 2.0),
    )
)


def _method(
    name: str, call: Callable[[], Any], ref: JaxReference, expected: Callable, *, timed: bool
) -> Method:
    mode = "forward" if name.startswith("fwd-over-fwd") else "reverse"
    return Method(ADMODES, mode, name, call, ref, expected, timed)


def run(ctx: Context) -> str:
    """Sweep n for H·v and for full Hessians on each workload; figures; slopes; verdicts."""
    timed_max = QUICK_TIMED_MAX if ctx.quick else FULL_TIMED_MAX
    sweeps = {
        "hvp": QUICK_HVP_SIZES if ctx.quick else FULL_HVP_SIZES,
        "hessian": QUICK_HESSIAN_SIZES if ctx.quick else FULL_HESSIAN_SIZES,
    }
    for name, build in BUILDERS.items():
        for kind, sizes in sweeps.items():
            for size in ctx.progress(sizes, f"{name} {kind} over n"):
                instance = build(size, ctx.rng(size))
                f, x, ref = instance.under_test()
                n = instance.n_inputs
                if kind == "hvp":
                    v = ctx.rng(size, 1).standard_normal(x.shape)
                    calls = hvp_methods(f, x, v)
                    target = ref.hvp(v)
                    expected = lambda r, t=target: t
                else:
                    calls = _hessian_methods(f, x)
                    expected = lambda r: r.hessian
                chosen = [function(f, x, ref)] + [
                    _method(
                        method,
                        call,
                        ref,
                        expected,
                        timed=n <= timed_max[kind] or not method.startswith(GROWING),
                    )
                    for method, call in calls.items()
                ]
                measure_point(
                    ctx, workload=f"{name}-{kind}", n_inputs=n, n_outputs=1, methods=chosen
                )
    frame = ctx.frame()
    for name in BUILDERS:
        for kind, series, what in (
            ("hvp", HVP_SERIES, "H·v"),
            ("hessian", HESSIAN_SERIES, "Hessian"),
        ):
            ratio_figure(
                ctx,
                frame,
                workload=f"{name}-{kind}",
                x="n_inputs",
                series=series,
                xlabel="n (number of inputs)",
                stem=f"{name}-{kind}",
                caption=f"{name}: {what} cost / f cost against n in time, primitive ops and "
                "FLOPs, and the bytes saved for backward passes",
                quantities=(*COSTS, SAVED_BYTES),
                title=f"{what} cost relative to f, and saved bytes",
            )
    ctx.note(
        f"Forward over forward (H·v and Hessian) and reverse over forward (Hessian) with one "
        f"direction per pass are timed up to n = {timed_max['hvp']} (H·v) and "
        f"n = {timed_max['hessian']} (Hessian); above, they are run once, validated and "
        "counted. Batched series have a theory for FLOPs only: batching "
        "leaves their op counts flat and their time between the two. Saved bytes are plotted "
        "as they are (forward-over-forward saves none, so it has no points there)."
    )
    ctx.note("References: JAX's jvp of its grad (H·v) and `jax.hessian`, jit-compiled, float64.")
    ctx.describe_workloads(BUILDERS)
    return f"{ctx.verdict_summary()}. {_headline(frame)}"


def _headline(frame: pd.DataFrame) -> str:
    """H·v / f FLOP ratios at the largest n per workload (exact counts)."""
    parts = []
    for name in BUILDERS:
        workload = f"{name}-hvp"
        ratios = {
            s.method: ratio_to_function(frame, workload, s.method, "flops").iloc[-1]
            for s in HVP_SERIES[:4]
        }
        n = int(next(iter(ratios.values()))["n_inputs"])
        text = ", ".join(f"{m.split(',')[0]} {r['median']:.3g}" for m, r in ratios.items())
        parts.append(f"{name} H·v / f FLOPs at n = {n}: {text}")
    return "; ".join(parts) + "."
