"""Forward against reverse over an (n, m) grid: where does each mode win?

Forward mode costs n passes, reverse mode m backward sweeps, so theory puts the boundary near the
diagonal n = m: the measured boundary n*(m) should grow with slope 1 in m.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments import methods, workloads
from experiments.analysis import ratio_table
from experiments.context import Context
from experiments.measure import measure_point
from experiments.plotting import new_figure, plot_heatmap
from experiments.stats import fit_loglog, log_grid

FULL_SIZES = log_grid(1, 316, 6)
QUICK_SIZES = log_grid(1, 16, 3)
WORKLOAD = "dense-tanh"
FORWARD, REVERSE = "jacfwd(chunk_size=1)", "jacrev"
QUANTITIES = (("seconds", "time"), ("flops", "FLOPs"))


def run(ctx: Context) -> str:
    """Measure both Jacobians on every (n, m); heatmaps of log2(forward / reverse)."""
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    grid = [(n, m) for m in sizes for n in sizes]
    for n, m in ctx.progress(grid, "(n, m) grid"):
        instance = workloads.dense_tanh(n, m, ctx.rng(n, m))
        f, x, ref = instance.under_test()
        measure_point(
            ctx, WORKLOAD, n, m, [methods.jacfwd(f, x, ref, 1), methods.jacrev(f, x, ref)]
        )
    frame = ctx.frame()
    fig, axes = new_figure(2, "log2(forward cost / reverse cost) of the Jacobian of tanh(A sin x)")
    findings = []
    for ax, (column, quantity) in zip(axes, QUANTITIES, strict=True):
        table = ratio_table(frame, {"method": FORWARD}, {"method": REVERSE}, column)
        log_ratio = (
            table.assign(value=np.log2(table["median"]))
            .pivot(index="n_outputs", columns="n_inputs", values="value")
            .reindex(index=sizes, columns=sizes)
        )
        plot_heatmap(
            ax,
            log_ratio.to_numpy(),
            sizes,
            sizes,
            f"in {quantity} (red: reverse wins)",
            "n (number of inputs)",
            "m (number of outputs)",
            f"log2({quantity} ratio fwd / rev)",
        )
        findings.append(_boundary_finding(ctx, log_ratio, quantity))
    ctx.save_figure(
        fig,
        "heatmap",
        "log2 of forward / reverse Jacobian cost over (n, m), time and FLOPs; dashed: n = m, "
        "solid: where the measured ratio changes sign",
    )
    ctx.note(
        "Workload: tanh(A·sin(x)) with a fixed m×n matrix A. Forward: `jacfwd(chunk_size=1)`, "
        "n one-direction passes; reverse: `jacrev`, one recording and m backward sweeps. The "
        "boundary n*(m) is where log2(forward / reverse) first rises through 0 along a row, "
        "interpolated in log n; rows without a sign change are left out of its fit."
    )
    return f"{ctx.slope_agreement()}. " + "; ".join(findings) + "."


def _boundary_finding(ctx: Context, log_ratio: pd.DataFrame, quantity: str) -> str:
    """Locate the sign change along n for each m, fit n*(m) on log-log, describe it."""
    crossings = {
        m: _crossing(log_ratio.columns.to_numpy(), row.to_numpy())
        for m, row in log_ratio.iterrows()
    }
    found = {m: n for m, n in crossings.items() if n is not None}
    if len(found) < 2:
        return f"in {quantity} the ratio changes sign for {len(found)} value(s) of m only"
    ms, ns = np.array(list(found)), np.array(list(found.values()))
    fit = fit_loglog(ms, ns)
    ctx.scaling_curve(
        f"boundary n*(m) in {quantity}",
        pd.DataFrame({"m": ms, "median": ns, "q25": ns, "q75": ns}),
        "m",
        "crossing point",
        theory=1.0,
    )
    return (
        f"in {quantity} forward wins left of n*(m) ≈ {10**fit.intercept:.2g}·m^{fit.slope:.2f} "
        f"(median n*/m = {np.median(ns / ms):.2g}, theory: n* = m)"
    )


def _crossing(ns: np.ndarray, log_ratio: np.ndarray) -> float | None:
    """The n where log2(forward / reverse) first rises through 0, interpolated in log n."""
    for i in range(len(ns) - 1):
        a, b = log_ratio[i], log_ratio[i + 1]
        if a <= 0 < b:
            t = -a / (b - a)
            return float(np.exp((1 - t) * np.log(ns[i]) + t * np.log(ns[i + 1])))
    return None
