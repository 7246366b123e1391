"""The same gradients in admodes, JAX (eager and jit), HIPS autograd and PyTorch when present.

Every peer's gradient is timed interleaved with admodes' reverse mode on the same input, and
reported as a ratio to admodes (peer time / admodes time). JAX jit's first call (trace and
compile) is timed once and reported separately. A peer that is not installed gets a row saying
so, not a crash.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import pandas as pd

from experiments.harness import workloads
from experiments.harness.context import Context
from experiments.harness.figures import new_figure, plot_bars
from experiments.harness.machine import package_version
from experiments.harness.measure import Method, measure_point, record_unmeasured, reverse_grad
from experiments.harness.report import markdown_table
from experiments.harness.stats import bootstrap_medians, ratio_samples, select, summarise
from experiments.harness.timing import time_once
from experiments.harness.validation import JaxReference, to_jax
from experiments.harness.workloads import PEERS, Backend, is_installed, load_backend

JIT_FIRST_CALL = "jit(grad), first call (trace + compile)"
PEER_METHODS = {
    "jax": ("grad (eager)", "jit(grad)"),
    "autograd": ("grad",),
    "torch": ("autograd.grad (eager)",),
}


def _instances(ctx: Context) -> list[workloads.Instance]:
    """The workloads compared. Quick mode leaves out the MLP and the Gaussian mixture, whose
    first JAX eager call (compiling every primitive) alone takes seconds."""
    rng = ctx.rng()
    if ctx.quick:
        return [workloads.seed_net(), workloads.elementwise(30, rng), workloads.lstm(4, 3, 3, rng)]
    return [
        workloads.seed_net(),
        workloads.elementwise(1_000, rng),
        workloads.mlp_with_about(1_000, rng),
        workloads.gaussian_mixture(8, 4, 256, rng),
        workloads.lstm(16, 8, 10, rng),
    ]


def _jax_methods(instance: workloads.Instance, ref: JaxReference) -> tuple[list[Method], float]:
    """JAX eager and jit gradients, and the seconds of jit's first (compiling) call."""
    f = instance.fun(load_backend("jax"))
    x = to_jax(instance.x)
    eager, jitted = jax.grad(f), jax.jit(jax.grad(f))
    jax.clear_caches()  # the reference may have compiled the same program: compile it again
    compile_seconds = time_once(lambda: jax.block_until_ready(jitted(x)))
    return [
        Method(
            "jax", "reverse", "grad (eager)", lambda: jax.block_until_ready(eager(x)), ref, _grad
        ),
        Method("jax", "reverse", "jit(grad)", lambda: jax.block_until_ready(jitted(x)), ref, _grad),
    ], compile_seconds


def _grad(ref: JaxReference) -> Any:
    return ref.jacobian


def _autograd_method(instance: workloads.Instance, backend: Backend, ref: JaxReference) -> Method:
    g = importlib.import_module("autograd").grad(instance.fun(backend))
    return Method("autograd", "reverse", "grad", lambda: g(instance.x), ref, _grad)


def _torch_method(instance: workloads.Instance, backend: Backend, ref: JaxReference) -> Method:
    torch = importlib.import_module("torch")
    f = instance.fun(backend)
    leaves, treedef = jax.tree_util.tree_flatten(instance.x)

    def gradient() -> Any:
        tensors = [
            torch.tensor(np.asarray(leaf), dtype=torch.float64, requires_grad=True)
            for leaf in leaves
        ]
        loss = f(jax.tree_util.tree_unflatten(treedef, tensors))
        grads = torch.autograd.grad(loss, tensors)
        return jax.tree_util.tree_unflatten(treedef, [g.numpy() for g in grads])

    return Method("torch", "reverse", "autograd.grad (eager)", gradient, ref, _grad)


PEER_BUILDERS: dict[str, Callable[[workloads.Instance, Backend, JaxReference], Method]] = {
    "autograd": _autograd_method,
    "torch": _torch_method,
}


def run(ctx: Context) -> str:
    """Time every installed peer against admodes per workload; ratios, figure, table."""
    backends = {name: load_backend(name) for name in PEER_BUILDERS}
    missing = [name for name in PEERS if not is_installed(name)]
    instances = _instances(ctx)
    compile_seconds = {}
    for instance in ctx.progress(instances, "workloads"):
        f, x, ref = instance.under_test()
        jax_methods, compile_seconds[instance.workload] = _jax_methods(instance, ref)
        chosen = [reverse_grad(f, x, ref), *jax_methods]
        chosen += [
            build(instance, backends[name], ref)
            for name, build in PEER_BUILDERS.items()
            if backends[name] is not None
        ]
        point = {"workload": instance.workload, "n_inputs": instance.n_inputs}
        measure_point(ctx, **point, n_outputs=1, methods=chosen)
        seconds = compile_seconds[instance.workload]
        record_unmeasured(ctx, **point, engine="jax", method=JIT_FIRST_CALL, seconds=seconds)
        for name in missing:
            record_unmeasured(ctx, **point, engine=name, method="not installed", seconds=math.nan)
    frame = ctx.frame()
    systems = [
        (engine, method)
        for engine, names in PEER_METHODS.items()
        if engine not in missing
        for method in names
    ]
    samples = {
        system: ratio_samples(
            frame,
            {"engine": system[0], "method": system[1]},
            {"engine": "admodes", "method": "grad"},
            "seconds",
        )
        for system in systems
    }
    ratios = {system: summarise(s, ["workload"]) for system, s in samples.items()}
    order = [instance.workload for instance in instances]
    _figure(ctx, ratios, order)
    _table(ctx, frame, ratios, order, compile_seconds)
    for name in missing:
        ctx.note(f"{name}: not installed; its rows in the CSV say so and carry no measurement.")
    _claims(ctx, samples)
    ctx.describe_workloads(
        {
            "seed-net": workloads.seed_net,
            "elementwise": workloads.elementwise,
            "mlp": workloads.mlp_with_about,
            "gmm-…": workloads.gaussian_mixture,
            "lstm-…": workloads.lstm,
        }
    )
    text = ctx.verdict_summary()
    return text + (f"; not installed: {', '.join(missing)}." if missing else ".")


def _figure(ctx: Context, ratios: dict[tuple[str, str], pd.DataFrame], order: list[str]) -> None:
    fig, axes = new_figure(
        1, "Gradient time of each peer relative to admodes (reverse mode)", 4.8, panel_width=8.5
    )
    groups = {
        f"{engine}: {method}": table.set_index("workload")
        for (engine, method), table in ratios.items()
    }
    plot_bars(axes[0], order, groups, "peer time / admodes time  [×]  (below 1: peer faster)")
    axes[0].axhline(1.0, color="k", lw=1, label="admodes (= 1)")
    axes[0].legend(fontsize=7.5, loc="center left", bbox_to_anchor=(1.01, 0.5))
    ctx.save_figure(
        fig,
        "ratios",
        "Gradient time of each peer divided by admodes' reverse-mode time on the same workload "
        "(median, IQR bars; samples interleaved)",
    )


def _table(
    ctx: Context,
    frame: pd.DataFrame,
    ratios: dict[tuple[str, str], pd.DataFrame],
    order: list[str],
    compile_seconds: dict[str, float],
) -> None:
    admodes = select(frame, {"engine": "admodes", "method": "grad"})
    admodes_ms = admodes.groupby("workload")["seconds"].median() * 1e3
    n_inputs = admodes.groupby("workload")["n_inputs"].first()
    header = ["workload", "n inputs", "admodes grad [ms]"]
    header += [f"{engine} {method} / admodes" for engine, method in ratios]
    header += ["jax jit first call [s]"]
    rows = []
    for workload in order:
        row = [workload, n_inputs[workload], f"{admodes_ms[workload]:.3g}"]
        for table in ratios.values():
            row.append(f"{table.set_index('workload').loc[workload, 'median']:.3g}")
        row.append(f"{compile_seconds[workload]:.2f}")
        rows.append(row)
    ctx.table(markdown_table(header, rows))
    versions = ", ".join(f"{name} {package_version(name)}" for name in PEERS)
    ctx.note(
        f"Peer versions: {versions}. JAX runs in float64; PyTorch, when present, on 2 threads."
    )


def _claims(ctx: Context, samples: dict[tuple[str, str], pd.DataFrame]) -> None:
    """Per peer and workload: whether it takes longer than admodes (time ratio above 1)."""
    for (engine, method), table in samples.items():
        for workload, rows in table.groupby("workload", sort=False):
            replicates = bootstrap_medians([rows], f"{engine} {workload}", timed=True)
            ctx.timed_claim(
                f"{engine} {method} slower than admodes on {workload}",
                replicates[:, 0],
                lambda r: r > 1.0,
            )
