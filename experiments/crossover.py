"""Forward against reverse over an (n, m) grid: where does each mode win?

Forward mode costs n tangents, reverse mode m cotangents, so theory puts the boundary near the
diagonal n = m: the measured boundary n*(m) should grow with slope 1 in m. Both like-for-like
pairs get a panel: one tangent per pass against one cotangent per sweep, and all tangents in one
pass against all cotangents in one sweep.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.harness import measure, workloads
from experiments.harness.context import COUNT, SLOPE_TOLERANCE, TIME, Context
from experiments.harness.figures import new_figure, plot_heatmap
from experiments.harness.report import markdown_table
from experiments.harness.scaling import sweep, users_with
from experiments.harness.stats import (
    bootstrap_medians,
    fit_loglog,
    judge,
    log_grid,
    loglog_slopes,
    ratio_samples,
    summarise,
)

FULL_SIZES = log_grid(1, 256, 5)
QUICK_SIZES = log_grid(1, 16, 3)
WORKLOAD = "dense-tanh"
QUANTITIES = (("seconds", "time", TIME), ("flops", "FLOPs", COUNT))
GRID_KEYS = ["n_inputs", "n_outputs"]


def run(ctx: Context) -> str:
    """Measure both pairs' Jacobians on every (n, m); heatmaps of log2(forward / reverse)."""
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    grid = [(n, m) for m in sizes for n in sizes]
    for n, m in ctx.progress(grid, "(n, m) grid"):
        f, x, ref = workloads.dense_tanh(n, m, ctx.rng(n, m)).under_test()
        chosen = [method for pair in measure.PAIRS for method in pair.methods(f, x, ref)]
        measure.measure_point(ctx, workload=WORKLOAD, n_inputs=n, n_outputs=m, methods=chosen)
    users = users_with(ctx, one_output=False, beside={WORKLOAD})
    sweep(
        ctx,
        users,
        sizes=sizes,
        unit="its size",
        methods_of=lambda instance, f, x, ref: [
            method for pair in measure.PAIRS for method in pair.methods(f, x, ref)
        ],
    )
    frame = ctx.frame()
    grid_rows = frame[frame["workload"] == WORKLOAD]
    fig, axes = new_figure(
        4,
        "log2(forward cost / reverse cost) of the Jacobian of tanh(A sin x); red: reverse wins",
        rows=2,
    )
    findings = []
    panels = [(pair, quantity) for pair in measure.PAIRS for quantity in QUANTITIES]
    for ax, (pair, (column, quantity, kind)) in zip(axes, panels, strict=True):
        samples = _ratio_samples(grid_rows, pair, column)
        log_ratio = _log_ratio_grid(summarise(samples, GRID_KEYS), sizes)
        plot_heatmap(
            ax,
            log_ratio.to_numpy(),
            sizes,
            sizes,
            f"{pair.forward} / {pair.reverse}: {quantity}",
            "n (number of inputs)",
            "m (number of outputs)",
            f"log2({quantity} ratio fwd / rev)",
        )
        findings.append(_boundary(ctx, samples, sizes, pair, quantity, kind))
    ctx.save_figure(
        fig,
        "heatmap",
        "log2 of forward / reverse Jacobian cost over (n, m): top, one tangent per pass against "
        "one cotangent per sweep; bottom, batched tangents against batched cotangents; left time, "
        "right FLOPs; dashed: n = m, solid: where the measured ratio changes sign",
    )
    for name in users:
        _user_table(ctx, frame, name)
    ctx.note(
        "The boundary n*(m) is where "
        "log2(forward / reverse) first rises through 0 along a row, interpolated in log n; rows "
        "without a sign change are left out of its fit. The time boundary's interval comes from "
        "bootstrap replicates of every cell; a replicate with under two sign changes counts "
        "against the theory."
    )
    ctx.describe_workloads({WORKLOAD: workloads.dense_tanh})
    return f"{ctx.verdict_summary()}. " + "; ".join(f for f in findings if f) + "."


def _ratio_samples(frame: pd.DataFrame, pair: measure.Pair, column: str) -> pd.DataFrame:
    return ratio_samples(
        frame, {"method": pair.forward}, {"method": pair.reverse}, column, keys=GRID_KEYS
    )


def _log_ratio_grid(table: pd.DataFrame, sizes: list[int]) -> pd.DataFrame:
    """log2 of the median ratio, m down the rows and n across."""
    return (
        table.assign(value=np.log2(table["median"]))
        .pivot(index="n_outputs", columns="n_inputs", values="value")
        .reindex(index=sizes, columns=sizes)
    )


def _crossings(ns: np.ndarray, log_ratio: np.ndarray) -> np.ndarray:
    """Per row (an m), the n where log2(forward / reverse) first rises through 0, interpolated
    in log n; NaN where it does not."""
    found = np.full(log_ratio.shape[0], np.nan)
    for row, values in enumerate(log_ratio):
        for i in range(len(ns) - 1):
            a, b = values[i], values[i + 1]
            if a <= 0 < b:
                t = -a / (b - a)
                found[row] = np.exp((1 - t) * np.log(ns[i]) + t * np.log(ns[i + 1]))
                break
    return found


def _boundary(
    ctx: Context,
    samples: pd.DataFrame,
    sizes: list[int],
    pair: measure.Pair,
    quantity: str,
    kind: str,
) -> str:
    """Fit the boundary n*(m) of one panel and record the verdict on its slope (theory: 1)."""
    ms, ns = np.array(sizes, dtype=float), np.array(sizes, dtype=float)
    cells = [(n, m) for m in sizes for n in sizes]
    values = dict(list(samples.groupby(GRID_KEYS, sort=True)))
    replicated = bootstrap_medians(
        [values[cell] for cell in cells], f"crossover {pair.name} {quantity}", timed=kind == TIME
    )
    log_grids = np.log2(replicated).reshape(-1, len(sizes), len(sizes))
    observed = np.log2(np.array([values[cell]["value"].median() for cell in cells])).reshape(
        len(sizes), len(sizes)
    )
    series = f"{pair.name}: boundary n*(m) in {quantity}"
    replicates = np.array([_boundary_slope(ns, ms, grid) for grid in log_grids])
    crossing = _crossings(ns, observed)
    found = np.isfinite(crossing)
    if found.sum() < 2:
        holds = lambda s: np.abs(s - 1.0) <= SLOPE_TOLERANCE
        ctx.claim(f"{series}: crossing point slope 1", kind, judge(replicates, holds))
        return f"{pair.name}, {quantity}: the ratio changes sign for {int(found.sum())} m only"
    fit = fit_loglog(ms[found], crossing[found])
    ctx.slope_check(
        series=series,
        quantity="crossing point",
        kind=kind,
        fitted=fit.slope,
        replicates=replicates,
        theory=1.0,
        x_range=(float(ms[found].min()), float(ms[found].max())),
    )
    if kind == TIME:
        return ""
    return (
        f"{pair.name}: in FLOPs forward wins left of n*(m) ≈ "
        f"{10**fit.intercept:.2g}·m^{fit.slope:.2f} (theory: n* = m)"
    )


def _boundary_slope(ns: np.ndarray, ms: np.ndarray, log_ratio: np.ndarray) -> float:
    """The log-log slope of n*(m), NaN with under two sign changes."""
    crossing = _crossings(ns, log_ratio)
    found = np.isfinite(crossing)
    if found.sum() < 2:
        return float("nan")
    return float(loglog_slopes(ms[found], crossing[found][None, :])[0])


def _user_table(ctx: Context, frame: pd.DataFrame, name: str) -> None:
    """A user workload along its size: log2(forward / reverse) per pair, and whether the FLOPs
    pick the mode the theory picks (forward when n < m)."""
    rows_of = frame[frame["workload"] == name]
    header = ["size", "n", "m"] + [
        f"log2 {q} fwd/rev, {pair.name}" for pair in measure.PAIRS for q in ("FLOPs", "time")
    ]
    rows, agree, total = [], 0, 0
    for size, rows_at in rows_of.groupby("size", sort=True):
        n, m = int(rows_at["n_inputs"].iloc[0]), int(rows_at["n_outputs"].iloc[0])
        row = [size, n, m]
        for pair in measure.PAIRS:
            for column in ("flops", "seconds"):
                median = summarise(_ratio_samples(rows_at, pair, column), GRID_KEYS)["median"]
                row.append(f"{np.log2(median.iloc[0]):.2f}")
                if column == "flops" and n != m:
                    total += 1
                    agree += (median.iloc[0] < 1) == (n < m)
        rows.append(row)
    ctx.table(f"{name} (yours):\n\n" + markdown_table(header, rows))
    ctx.exact_claim(
        f"{name}: the mode with fewer FLOPs is the one theory picks ({agree} of {total})",
        agree == total,
    )
