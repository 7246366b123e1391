"""Memory against depth for a chain of n identical steps, and recomputation against memory.

Reverse mode keeps every step's residuals (store_all: O(n) bytes); the "sqrt" schedule keeps
⌈√n⌉ segment starts and one segment (O(√n)); the "binomial" (Revolve) schedule keeps
s = ⌈log2 n⌉ + 1 states (O(log n)); forward mode holds one step's tangents (O(1)). With a fixed
depth, fewer snapshots cost more step advances, at best the Revolve optimum t(n, s). For a
network of checkpointed layers, a saving policy chooses which values the backward pass finds
kept and which it recomputes: the products (``dots_saveable``), nothing, or everything.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

import jax
import numpy as np
import pandas as pd
from matplotlib.ticker import NullFormatter

import admodes as ad
import admodes.numpy as anp
from admodes import checkpoint_policies
from admodes.schedules import binomial_advances, default_snapshots, sqrt_advances
from experiments.harness.context import COUNT, TIME, Context
from experiments.harness.figures import new_figure, plot_scaling, set_log_axes
from experiments.harness.measure import (
    ADMODES,
    Method,
    measure_point,
    peak_allocated_bytes,
    reverse_grad,
)
from experiments.harness.report import markdown_table
from experiments.harness.scaling import Build, users_with
from experiments.harness.stats import log_grid, select, value_samples
from experiments.harness.validation import JaxReference, Reference
from experiments.harness.workloads import Backend, load_backend

FULL_WIDTH, QUICK_WIDTH = 256, 16
FULL_DEPTHS, QUICK_DEPTHS = log_grid(8, 1024, 8), log_grid(4, 16, 3)
FULL_BUDGET_DEPTH, QUICK_BUDGET_DEPTH = 500, 24
FULL_SNAPSHOTS, QUICK_SNAPSHOTS = (2, 3, 4, 6, 8, 12, 16, 24, 32), (2, 3, 4, 6)
FULL_USER_SIZES, QUICK_USER_SIZES = log_grid(10, 10_000, 4), log_grid(10, 100, 2)
FULL_LAYERS, QUICK_LAYERS = (16, 64, 128), (4, 8, 8)
"""Layers, batch and width of the network whose layers are checkpointed under each policy."""
POLICIES = ("nothing_saveable", "dots_saveable", "everything_saveable")
ELEMENTWISE_PER_LAYER = 5
NO_CHECKPOINT, PLAIN_CHECKPOINT = "grad, no checkpoint", "grad, checkpoint"
FORWARD = "jvp, one direction"
#: The built-in workload: a chain of elementwise steps, the sweeps' function.
CHAIN = "chain"
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
    return Method(ADMODES, "reverse", label, call, ref, lambda r: r.jacobian, extra=extra)


def _forward(
    f: Callable[[Any], Any], x0: np.ndarray, ref: Reference, *, timed: bool = True
) -> Method:
    """One jvp of f along the all-ones direction: forward mode's memory is one tangent set."""
    direction = np.ones_like(x0)
    call = lambda: ad.jvp(f, (x0,), (direction,))
    extra = {"schedule": "none", "tracemalloc_peak_bytes": peak_allocated_bytes(call)}
    expected = lambda r: (r.value, np.tensordot(np.asarray(r.jacobian), direction, x0.ndim))
    return Method(ADMODES, "forward", FORWARD, call, ref, expected, timed, extra=extra)


def run(ctx: Context) -> str:
    """Sweep depth for every schedule; then sweep snapshots at a fixed depth."""
    width = QUICK_WIDTH if ctx.quick else FULL_WIDTH
    x0 = ctx.rng().standard_normal(width)
    for depth in ctx.progress(QUICK_DEPTHS if ctx.quick else FULL_DEPTHS, "depth"):
        ref = JaxReference(_jax_chain(depth), x0)
        chosen = [_forward(_admodes_chain(depth, "store_all"), x0, ref)]
        chosen += [_reverse(depth, x0, ref, schedule) for schedule in SCHEDULES]
        measure_point(
            ctx,
            workload=CHAIN,
            n_inputs=width,
            n_outputs=1,
            methods=chosen,
            extra={"depth": depth},
        )
    budget_depth = QUICK_BUDGET_DEPTH if ctx.quick else FULL_BUDGET_DEPTH
    ref = JaxReference(_jax_chain(budget_depth), x0)
    others = [_reverse(budget_depth, x0, ref, schedule) for schedule in ("store_all", "sqrt")]
    budget_point = {"workload": "chain-budget", "n_inputs": width, "n_outputs": 1}
    measure_point(ctx, **budget_point, methods=others, extra={"depth": budget_depth})
    for snapshots in ctx.progress(QUICK_SNAPSHOTS if ctx.quick else FULL_SNAPSHOTS, "snapshots"):
        budget = [_reverse(budget_depth, x0, ref, "binomial", snapshots)]
        measure_point(ctx, **budget_point, methods=budget, extra={"depth": budget_depth})
    frame = ctx.frame()
    _depth_figure(ctx, frame, width)
    exact = _budget_figure(ctx, frame, budget_depth)
    ctx.note(
        f"Chain state: {width} float64 values ({8 * width} bytes); the binomial schedule in the "
        "depth sweep uses the default s = ⌈log2 n⌉ + 1 snapshots. Forward mode keeps no tape: "
        "its curve is the tangent bytes it holds (`peak_tangent_bytes`)."
    )
    policies = _policies(ctx, *(QUICK_LAYERS if ctx.quick else FULL_LAYERS))
    for name, build in users_with(ctx, one_output=True, beside={CHAIN}).items():
        _user_memory(ctx, name, build, QUICK_USER_SIZES if ctx.quick else FULL_USER_SIZES)
    ctx.describe_workloads({CHAIN: step})
    return f"{ctx.verdict_summary()}. {exact}. {policies}"


def _chain_samples(frame: pd.DataFrame, method: str, column: str) -> pd.DataFrame:
    """Per-sample values of ``column`` for one method of the depth sweep; bytes held are the
    tangents for forward mode and the saved residuals for reverse mode."""
    if column == "held":
        column = "peak_tangent_bytes" if method == FORWARD else "peak_saved_bytes"
    return value_samples(frame, {"method": method, "workload": CHAIN}, column, ["depth"])


def _depth_figure(ctx: Context, frame: pd.DataFrame, width: int) -> None:
    panels = (
        ("bytes held for the derivative  [bytes]", "counted (residuals / tangents)", "held"),
        ("peak allocation (tracemalloc)  [bytes]", "tracemalloc peak", "tracemalloc_peak_bytes"),
        ("time per gradient / jvp  [s]", "time", "seconds"),
    )
    fig, axes = new_figure(len(panels), f"Memory and time against depth (chain of width {width})")
    series = [(FORWARD, "forward (jvp)", 0.0)] + [
        (f"grad, {s}", f"reverse, {s}", slope) for s, slope in SCHEDULES.items()
    ]
    for ax, (ylabel, quantity, column) in zip(axes, panels, strict=True):
        curves = [
            ctx.scaling_curve(
                label,
                _chain_samples(frame, method, column),
                x="depth",
                quantity=quantity,
                kind=TIME if column == "seconds" else COUNT,
                theory=1.0 if column == "seconds" else slope,
            )
            for method, label, slope in series
        ]
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
    ctx.exact_claim(
        f"step advances equal the Revolve optimum t({depth}, s) ({matches} of {len(snapshots)})",
        matches == len(snapshots),
    )
    return (
        f"Measured step advances equal the Revolve optimum t({depth}, s) for {matches} of "
        f"{len(snapshots)} snapshot budgets"
    )


def _network(np_: Any, x: Any, checkpoint: Callable[[Callable], Callable]) -> Callable[[Any], Any]:
    """weights (L, D, D) ↦ Σ h_L², h_ℓ = tanh(z)·(1 + sin(z)/2) with z = h_ℓ₋₁ W_ℓ, from h₀ = x,
    each layer under ``checkpoint``: one product and five elementwise ops (one FLOP per entry
    each) a layer."""

    def layer(h: Any, w: Any) -> Any:
        z = h @ w
        return np_.tanh(z) * (1.0 + 0.5 * np_.sin(z))

    def loss(weights: Any) -> Any:
        h = x
        for i in range(weights.shape[0]):
            h = checkpoint(layer)(h, weights[i])
        return np_.sum(h * h)

    return loss


def _policies(ctx: Context, layers: int, batch: int, width: int) -> str:
    """The gradient of a network whose every layer is checkpointed, under each policy: bytes
    held for the backward pass against the FLOPs the backward pass spends (recomputation
    included), beside no checkpoint and the plain checkpoint."""
    rng = ctx.rng()
    x = rng.standard_normal((batch, width))
    weights = rng.standard_normal((layers, width, width)) / np.sqrt(width)
    ref = JaxReference(_network(jax.numpy, x, lambda f: f), weights)
    checkpoints = {NO_CHECKPOINT: lambda f: f, PLAIN_CHECKPOINT: ad.checkpoint}
    for name in POLICIES:
        policy = getattr(checkpoint_policies, name)
        checkpoints[f"grad, {name}"] = lambda f, p=policy: ad.checkpoint(f, policy=p)
    methods = [
        replace(reverse_grad(_network(anp, x, checkpoint), weights, ref), method=label)
        for label, checkpoint in checkpoints.items()
    ]
    point = {"workload": "network", "n_inputs": weights.size, "n_outputs": 1}
    measure_point(ctx, **point, methods=methods, extra={"depth": layers})
    rows = select(ctx.frame(), point).drop_duplicates("method").set_index("method")
    rows = rows.loc[list(checkpoints)]
    recomputed = rows["flops_vjp"] - rows.loc[NO_CHECKPOINT, "flops_vjp"]
    seconds = select(ctx.frame(), point).groupby("method")["seconds"].median()
    fig, axes = new_figure(2, f"Saving policies: {layers} checkpointed layers {batch}×{width}")
    labels = [label.removeprefix("grad, ") for label in checkpoints]
    axes[0].barh(labels, rows["peak_saved_bytes"] / 1e6, color="C0")
    axes[0].set_xlabel("bytes held for the backward pass (peak_saved_bytes)  [MB]")
    axes[1].barh(labels, recomputed / 1e6, color="C1")
    axes[1].set_xlabel("FLOPs recomputed in the backward pass  [million FLOPs]")
    for ax in axes:
        ax.invert_yaxis()
        ax.grid(True, axis="x", alpha=0.3)
    ctx.save_figure(
        fig,
        "policies",
        "Bytes held and FLOPs recomputed for one gradient of a network whose every layer is "
        "checkpointed, under each saving policy, beside no checkpoint",
    )
    activation = 8 * batch * width
    table = [
        [label, int(rows.loc[label, "peak_saved_bytes"]), int(recomputed[label]),
         f"{seconds[label] * 1e3:.2f}"]
        for label in checkpoints
    ]  # fmt: skip
    header = ["method", "bytes held (peak)", "FLOPs recomputed", "time [ms]"]
    ctx.table(
        f"Saving policies ({layers} layers of {batch}×{width}):\n\n" + markdown_table(header, table)
    )
    ctx.note(
        "Saving policies: while the backward pass sweeps a checkpointed layer, the recording it "
        "replays (a policy) or re-runs (the plain checkpoint) counts that layer's inputs again, "
        "as every tape counts what it holds (here the weight stack, of which each layer's W is "
        "a view); so everything_saveable peaks one weight stack above no checkpoint."
    )
    dots = recomputed["grad, dots_saveable"]
    held = rows["peak_saved_bytes"]
    more = (held["grad, dots_saveable"] - held[PLAIN_CHECKPOINT]) / activation
    ctx.exact_claim(
        "nothing_saveable recomputes what the plain checkpoint does",
        recomputed["grad, nothing_saveable"] == recomputed[PLAIN_CHECKPOINT],
    )
    ctx.exact_claim(
        "everything_saveable recomputes nothing", recomputed["grad, everything_saveable"] == 0
    )
    ctx.exact_claim(
        "dots_saveable recomputes only each layer's five elementwise ops (no product)",
        dots == ELEMENTWISE_PER_LAYER * layers * batch * width,
    )
    return (
        f"Of {layers} checkpointed layers, dots_saveable recomputes {dots:,} FLOPs (each "
        f"layer's elementwise ops) against {recomputed[PLAIN_CHECKPOINT]:,} for the plain "
        f"checkpoint, at a peak {more:.1f} activations higher"
    )


def _user_memory(ctx: Context, name: str, build: Build, sizes: list[int]) -> None:
    """Bytes a user's workload holds for its derivative against its size: reverse mode's saved
    residuals and forward mode's tangents (one direction); counted, not timed."""
    rows = []
    for size in sizes:
        instance = build(size)
        f, x, ref = instance.under_test()
        point = {"workload": name, "n_inputs": instance.n_inputs, "n_outputs": 1}
        forward = _forward(f, x, ref, timed=False)
        measure_point(
            ctx, **point, methods=[forward, replace(reverse_grad(f, x, ref), timed=False)]
        )
        held = select(ctx.frame(), point)
        saved = held[held["method"] == "grad"]["peak_saved_bytes"].iloc[0]
        tangents = held[held["method"] == FORWARD]["peak_tangent_bytes"].iloc[0]
        rows.append([size, instance.n_inputs, int(saved), int(tangents)])
    header = ["size", "n", "reverse: saved bytes", "forward: tangent bytes (one direction)"]
    ctx.table(f"{name} (yours):\n\n" + markdown_table(header, rows))
