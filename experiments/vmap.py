"""Per-example gradients: ``vmap(grad(loss))`` in one call against a loop of ``grad`` calls.

A loop of n gradient calls evaluates n times the primitive ops of one gradient; ``vmap`` runs the
gradient once on mapped values, so its ops do not grow with n (its FLOPs do, as the loop's). Both
are timed beside JAX's ``vmap(grad)``, eager and ``jit`` (steady state: the first, compiling call
is a warm-up), over the batch size n. Every result is checked against JAX's.
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pandas as pd

import admodes as ad
import admodes.numpy as anp
from experiments.harness.context import Context
from experiments.harness.measure import Method, measure_point
from experiments.harness.report import markdown_table
from experiments.harness.scaling import Quantity, Series, ratio_figure
from experiments.harness.stats import bootstrap_medians, ratio_samples, select
from experiments.harness.validation import JaxValue, to_jax

INPUTS, HIDDEN = 16, 64
FULL_SIZES, QUICK_SIZES = (8, 32, 128, 512, 2048), (2, 4)
WORKLOAD = "per-example gradients"
VMAP, LOOP = "vmap(grad)", "loop of grad"
JAX_METHODS = ("vmap(grad) (eager)", "jit(vmap(grad))")
QUANTITIES = (
    Quantity("seconds", "time", ratio_to_f=False, unit="s"),
    Quantity("ops", "primitive ops", ratio_to_f=False, unit="ops"),
    Quantity("flops", "FLOPs", ratio_to_f=False, unit="FLOPs"),
)


def loss(m: Any, params: tuple, x: Any, y: Any) -> Any:
    """(w₂ · tanh(W₁ x + b₁) − y)² for one example, in the namespace ``m``."""
    w1, b1, w2 = params
    return (m.dot(w2, m.tanh(w1 @ x + b1)) - y) ** 2


def _params(rng: np.random.Generator) -> tuple:
    return (
        rng.standard_normal((HIDDEN, INPUTS)) / 4,
        rng.standard_normal(HIDDEN) / 4,
        rng.standard_normal(HIDDEN) / 8,
    )


def _methods(params: tuple, xs: np.ndarray, ys: np.ndarray) -> list[Method]:
    """admodes' vmap and loop, JAX's eager and jit vmap, all checked against JAX's result."""
    per_example = ad.vmap(ad.grad(lambda p, x, y: loss(anp, p, x, y)), (None, 0, 0))
    grad = ad.grad(lambda p, x, y: loss(anp, p, x, y))

    def loop() -> tuple:
        grads = [grad(params, x, y) for x, y in zip(xs, ys, strict=True)]
        return tuple(np.stack(parts) for parts in zip(*grads, strict=True))

    def jax_per_example(p: tuple) -> Any:
        return jax.vmap(jax.grad(lambda q, x, y: loss(jax.numpy, q, x, y)), (None, 0, 0))(
            p, jnp_xs, jnp_ys
        )

    jnp_xs, jnp_ys = to_jax(xs), to_jax(ys)
    jitted = jax.jit(jax_per_example)
    jax_params = to_jax(params)
    reference = JaxValue(jitted(jax_params))

    def expected(ref: JaxValue) -> Any:
        return ref.value

    return [
        Method(
            "admodes", "reverse", VMAP, lambda: per_example(params, xs, ys), reference, expected
        ),
        Method("admodes", "reverse", LOOP, loop, reference, expected),
        Method(
            "jax",
            "reverse",
            JAX_METHODS[0],
            lambda: jax.block_until_ready(jax_per_example(jax_params)),
            reference,
            expected,
        ),
        Method(
            "jax",
            "reverse",
            JAX_METHODS[1],
            lambda: jax.block_until_ready(jitted(jax_params)),
            reference,
            expected,
        ),
    ]


def run(ctx: Context) -> str:
    """Measure the four ways over the batch size; slopes, figure, table and claims."""
    rng = ctx.rng()
    params = _params(rng)
    sizes = QUICK_SIZES if ctx.quick else FULL_SIZES
    for n in ctx.progress(sizes, "batch sizes"):
        xs, ys = rng.standard_normal((n, INPUTS)), rng.standard_normal(n)
        measure_point(
            ctx,
            workload=WORKLOAD,
            n_inputs=params[0].size + params[1].size + params[2].size,
            n_outputs=n,
            methods=_methods(params, xs, ys),
            extra={"batch": n},
        )
    frame = ctx.frame()
    ratio_figure(
        ctx,
        frame,
        workload=WORKLOAD,
        x="batch",
        series=[
            Series(VMAP, "admodes vmap(grad)", {"ops": 0.0, "flops": 1.0}),
            Series(LOOP, "admodes loop of grad", {"ops": 1.0, "flops": 1.0}),
            *(Series(method, f"JAX {method}") for method in JAX_METHODS),
        ],
        xlabel="batch size n (examples)",
        stem="scaling",
        caption="Per-example gradients against the batch size: time, primitive ops and FLOPs "
        "(theory: a loop's ops grow as n, vmap's not at all; both do n times the FLOPs)",
        quantities=QUANTITIES,
        title="cost against the batch size",
    )
    _table(ctx, frame, sizes)
    _claims(ctx, frame, sizes)
    ctx.note(
        f"The loss of one example is (w₂ · tanh(W₁x + b₁) − y)², {INPUTS} inputs, {HIDDEN} tanh "
        "units, float64; its gradient in (W₁, b₁, w₂) for each of n examples. JAX's jit is timed "
        "in its steady state (its first, compiling call is a warm-up)."
    )
    return ctx.verdict_summary() + "."


def _time_ratios(frame: pd.DataFrame, method: str) -> pd.DataFrame:
    """Per sample: ``method``'s time over admodes vmap(grad)'s, by batch size."""
    return ratio_samples(
        frame, {"method": method}, {"engine": "admodes", "method": VMAP}, "seconds", keys=["batch"]
    )


def _table(ctx: Context, frame: pd.DataFrame, sizes: tuple[int, ...]) -> None:
    """Per batch size: vmap's time and ops, and every other way's time over vmap's."""
    vmap = select(frame, {"engine": "admodes", "method": VMAP})
    loop = select(frame, {"engine": "admodes", "method": LOOP})
    others = {m: _time_ratios(frame, m) for m in (LOOP, *JAX_METHODS)}
    rows = []
    for n in sizes:
        at = vmap[vmap["batch"] == n]
        rows.append(
            [
                n,
                f"{1e3 * at['seconds'].median():.3g}",
                int(at["ops"].iloc[0]),
                int(loop[loop["batch"] == n]["ops"].iloc[0]),
                *(
                    f"{table[table['batch'] == n]['value'].median():.3g}"
                    for table in others.values()
                ),
            ]
        )
    header = [
        "n",
        "vmap(grad) [ms]",
        "ops, vmap(grad)",
        "ops, loop",
        *(f"{m} / vmap(grad)" for m in others),
    ]
    ctx.table(markdown_table(header, rows))


def _claims(ctx: Context, frame: pd.DataFrame, sizes: tuple[int, ...]) -> None:
    """Exact: vmap's ops are the same at every n, the loop's n times one gradient's. Timed: the
    loop is slower than vmap at the largest n."""
    vmap_ops = select(frame, {"engine": "admodes", "method": VMAP}).groupby("batch")["ops"].first()
    loop_ops = select(frame, {"engine": "admodes", "method": LOOP}).groupby("batch")["ops"].first()
    ctx.exact_claim(
        "vmap(grad): the same primitive ops at every batch size", vmap_ops.nunique() == 1
    )
    per_example = loop_ops / loop_ops.index
    ctx.exact_claim(
        "loop of grad: n times one gradient's primitive ops", per_example.nunique() == 1
    )
    largest = _time_ratios(frame, LOOP)
    rows = largest[largest["batch"] == max(sizes)]
    replicates = bootstrap_medians([rows], "vmap loop", timed=True)[:, 0]
    ctx.timed_claim(
        f"loop of grad slower than vmap(grad) at n = {max(sizes)}", replicates, lambda r: r > 1.0
    )
