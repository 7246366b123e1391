"""Memory against depth for a chain of n identical steps, and recomputation against memory.

Reverse mode keeps every step's residuals (store_all: O(n) bytes); the "sqrt" schedule keeps
⌈√n⌉ segment starts and one segment (O(√n)); the "binomial" (Revolve) schedule keeps
s = ⌈log2 n⌉ + 1 states (O(log n)); forward mode holds one step's tangents (O(1)). With a fixed
depth, fewer snapshots cost more step advances, at best the Revolve optimum t(n, s).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

import admodes as ad
from admodes.schedules import binomial_advances, default_snapshots, sqrt_advances
from experiments.allocation import peak_allocated_bytes
from experiments.analysis import select, spread_table
from experiments.backends import Backend, load_backend
from experiments.context import Context
from experiments.measure import ADMODES, Method, measure_point
from experiments.plotting import new_figure, plot_scaling, set_log_axes
from experiments.stats import log_grid
from experiments.validation import JaxReference

FULL_WIDTH, QUICK_WIDTH = 256, 16
FULL_DEPTHS, QUICK_DEPTHS = log_grid(8, 1024, 8), log_grid(4, 16, 3)
FULL_BUDGET_DEPTH, QUICK_BUDGET_DEPTH = 500, 24
FULL_SNAPSHOTS, QUICK_SNAPSHOTS = (2, 3, 4, 6, 8, 12, 16, 24, 32), (2, 3, 4, 6)
FORWARD = "jvp, one direction"
SCHEDULES = {"store_all": 1.0, "sqrt": 0.5, "binomial": 0.0}
"""Schedule → theory slope of the bytes it holds against depth (binomial: O(log n))."""


def step(B: Backend) -> Callable[[Any], Any]:
    """One step of the chain: x ↦ x + 0.1·tanh(x)·cos(x), elementwise."""
    return lambda x: x + 0.1 * B.np.tanh(x) * B.np.cos(x)


def _jax_chain(depth: int) -> Callable[[Any], Any]:
    jax_step = step(load_backend("jax"))
    return lambda x: jax.numpy.sum(jax.lax.fori_loop(0, depth, lambda _, s: jax_step(s), x))


def _admodes_chain(depth: int, schedule: str, snapshots: int | None = None) -> Callable:
    admodes_np = load_backend("admodes")
    body = step(admodes_np)
    return lambda x: admodes_np.np.sum(
        ad.iterate(body, x, depth, schedule=schedule, snapshots=snapshots)
    )


def _reverse(
    depth: int, x0: np.ndarray, ref: JaxReference, schedule: str, snapshots: int | None = None
) -> Method:
    f = _admodes_chain(depth, schedule, snapshots)
    call = lambda: ad.grad(f)(x0)
    label = f"grad, {schedule}" + (f", s={snapshots}" if snapshots else "")
    extra = {
        "schedule": schedule,
        "snapshots": snapshots,
        "tracemalloc_peak_bytes": peak_allocated_bytes(call),
    }
    return Method(ADMODES, "reverse", label, call, lambda: ref.jacobian, extra=extra)


def _forward(depth: int, x0: np.ndarray, ref: JaxReference) -> Method:
    f = _admodes_chain(depth, "store_all")
    direction = np.ones_like(x0)
    call = lambda: ad.jvp(f, (x0,), (direction,))
    extra = {"schedule": "none", "tracemalloc_peak_bytes": peak_allocated_bytes(call)}
    expected = lambda: (ref.value, np.dot(np.asarray(ref.jacobian), direction))
    return Method(ADMODES, "forward", FORWARD, call, expected, extra=extra)


def run(ctx: Context) -> str:
    """Sweep depth for every schedule; then sweep snapshots at a fixed depth."""
    width = QUICK_WIDTH if ctx.quick else FULL_WIDTH
    x0 = ctx.rng().standard_normal(width)
    for depth in ctx.progress(QUICK_DEPTHS if ctx.quick else FULL_DEPTHS, "depth"):
        ref = JaxReference(_jax_chain(depth), x0)
        chosen = [_forward(depth, x0, ref)]
        chosen += [_reverse(depth, x0, ref, schedule) for schedule in SCHEDULES]
        measure_point(ctx, "chain", width, 1, chosen, extra={"depth": depth})
    budget_depth = QUICK_BUDGET_DEPTH if ctx.quick else FULL_BUDGET_DEPTH
    ref = JaxReference(_jax_chain(budget_depth), x0)
    others = [_reverse(budget_depth, x0, ref, schedule) for schedule in ("store_all", "sqrt")]
    measure_point(ctx, "chain-budget", width, 1, others, extra={"depth": budget_depth})
    for snapshots in ctx.progress(QUICK_SNAPSHOTS if ctx.quick else FULL_SNAPSHOTS, "snapshots"):
        budget = [_reverse(budget_depth, x0, ref, "binomial", snapshots)]
        measure_point(ctx, "chain-budget", width, 1, budget, extra={"depth": budget_depth})
    frame = ctx.frame()
    _depth_figure(ctx, frame, width)
    exact = _budget_figure(ctx, frame, budget_depth)
    ctx.note(
        f"Chain state: {width} float64 values ({8 * width} bytes); the binomial schedule in the "
        "depth sweep uses the default s = ⌈log2 n⌉ + 1 snapshots. Forward mode keeps no tape: "
        "its curve is the tangent bytes it holds (`peak_tangent_bytes`)."
    )
    return f"{ctx.slope_agreement()}. {exact}"


def _held_bytes(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    column = "peak_tangent_bytes" if method == FORWARD else "peak_saved_bytes"
    return spread_table(frame, {"method": method, "workload": "chain"}, column, ["depth"])


def _depth_figure(ctx: Context, frame: pd.DataFrame, width: int) -> None:
    panels = (
        ("bytes held for the derivative  [bytes]", "counted (residuals / tangents)", _held_bytes),
        (
            "peak allocation (tracemalloc)  [bytes]",
            "tracemalloc peak",
            lambda fr, m: spread_table(
                fr, {"method": m, "workload": "chain"}, "tracemalloc_peak_bytes", ["depth"]
            ),
        ),
        (
            "time per gradient / jvp  [s]",
            "time",
            lambda fr, m: spread_table(
                fr, {"method": m, "workload": "chain"}, "seconds", ["depth"]
            ),
        ),
    )
    fig, axes = new_figure(len(panels), f"Memory and time against depth (chain of width {width})")
    for ax, (ylabel, quantity, table_of) in zip(axes, panels, strict=True):
        curves = []
        series = [(FORWARD, "forward (jvp)", 0.0)] + [
            (f"grad, {s}", f"reverse, {s}", slope) for s, slope in SCHEDULES.items()
        ]
        for method, label, slope in series:
            theory = 1.0 if quantity == "time" else slope
            curves.append(
                ctx.scaling_curve(label, table_of(frame, method), "depth", quantity, theory)
            )
        plot_scaling(ax, curves, "depth n (number of steps)", ylabel, quantity)
    ctx.save_figure(
        fig,
        "depth",
        "Bytes held for the derivative (ad.count), tracemalloc peak and time against depth, "
        "for forward mode and three reverse-mode schedules",
    )


def _budget_figure(ctx: Context, frame: pd.DataFrame, depth: int) -> str:
    """Advances against snapshots (Revolve optimum drawn) and against bytes held."""
    rows = select(frame, {"workload": "chain-budget"}).drop_duplicates("method")
    binomial = rows[rows["schedule"] == "binomial"].sort_values("snapshots")
    snapshots = binomial["snapshots"].to_numpy(dtype=int)
    advances = binomial["step_advances"].to_numpy(dtype=int)
    dense = np.arange(snapshots.min(), snapshots.max() + 1)
    optimum = np.array([binomial_advances(depth, int(s)) for s in dense])
    fig, axes = new_figure(2, f"Recomputation against memory budget (n = {depth} steps)", 4.6)
    axes[0].plot(dense, optimum, "-", color="0.4", label="Revolve optimum t(n, s) (theory)")
    axes[0].plot(snapshots, advances, "o", color="C0", label="binomial schedule, measured")
    axes[0].set_xlabel("snapshots s (stored states, x0 included)")
    set_log_axes(axes[0], x=True, y=True)
    axes[0].set_xticks(snapshots, [str(s) for s in snapshots])
    axes[0].xaxis.set_minor_formatter(NullFormatter())
    axes[1].plot(
        binomial["peak_saved_bytes"], advances, "o-", color="C0", label="binomial, s swept"
    )
    for index, schedule in enumerate(("sqrt", "store_all"), start=1):
        point = rows[rows["schedule"] == schedule]
        axes[1].plot(
            point["peak_saved_bytes"],
            point["step_advances"],
            "s",
            ms=8,
            color=f"C{index}",
            label=schedule,
        )
    axes[1].set_xlabel("bytes held for the backward pass (peak_saved_bytes)  [bytes]")
    set_log_axes(axes[1], x=True, y=False)
    axes[1].set_yscale("symlog", linthresh=10)
    decades = range(int(np.log10(max(advances.max(), 10))) + 2)
    axes[1].set_yticks([0, *(10**k for k in decades)], ["0", *(f"{10**k:g}" for k in decades)])
    axes[1].set_ylim(bottom=0)
    for ax in axes:
        ax.set_ylabel("step advances (unrecorded step executions)")
        ax.grid(True, which="both", alpha=0.3)
        ax.legend(fontsize=7.5)
    ctx.save_figure(
        fig,
        "budget",
        "Step advances against snapshots (measured points on the Revolve optimum line), and the "
        "memory/recomputation trade-off of the three schedules at the same depth",
    )
    expected = np.array([binomial_advances(depth, int(s)) for s in snapshots])
    matches = int((advances == expected).sum())
    ctx.note(
        f"At depth {depth} the default binomial budget is s = {default_snapshots(depth)}; the "
        f"sqrt schedule advances {sqrt_advances(depth)} steps."
    )
    return (
        f"Measured step advances equal the Revolve optimum t({depth}, s) for {matches} of "
        f"{len(snapshots)} snapshot budgets"
    )
