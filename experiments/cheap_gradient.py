"""The cheap gradient principle: a reverse-mode gradient costs a small constant times f.

Theory (Baydin et al. 2018, "Automatic differentiation in machine learning: a survey", §3.2,
after Griewank & Walther): ops(∇f) ≤ c·ops(f) with c < 6, typically c ∈ [2, 3], whatever the
number of inputs. The FLOP ratio here is gradient FLOPs (primal + vjp phases) / f's FLOPs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from experiments.harness import measure, workloads
from experiments.harness.context import COUNT, Context
from experiments.harness.figures import new_figure, plot_bars, plot_scaling
from experiments.harness.report import markdown_table
from experiments.harness.scaling import users_with
from experiments.harness.stats import bootstrap_medians, ratio_samples, summarise

TYPICAL_BAND = (2.0, 3.0)
BOUND = 6.0
MLP_DEPTH_INPUT, MLP_BATCH = 32, 64
FULL_WIDTHS, QUICK_WIDTHS = (8, 32, 128, 512), (4, 16)
FULL_USER_SIZE, QUICK_USER_SIZE = 1_000, 30
"""The size a user's workload (one output) is measured at."""


def _instances(ctx: Context) -> list[tuple[str, workloads.Instance]]:
    """(family, instance) for every workload measured, sizes set by ``ctx.quick``."""
    widths = QUICK_WIDTHS if ctx.quick else FULL_WIDTHS
    gmm = (3, 2, 16) if ctx.quick else (8, 4, 256)
    lstm = (4, 3, 3) if ctx.quick else (32, 8, 20)
    rng = ctx.rng()
    user_size = QUICK_USER_SIZE if ctx.quick else FULL_USER_SIZE
    users = [build(user_size) for build in users_with(ctx, one_output=True).values()]
    return [
        ("seed net", workloads.seed_net()),
        *(("MLP", workloads.mlp((MLP_DEPTH_INPUT, w, w, 1), MLP_BATCH, rng)) for w in widths),
        ("Gaussian mixture", workloads.gaussian_mixture(*gmm, rng)),
        ("LSTM", workloads.lstm(*lstm, rng)),
        *(("yours", instance) for instance in users),
    ]


def run(ctx: Context) -> str:
    """Measure f and its reverse-mode gradient on each workload; ratios against the band."""
    instances = _instances(ctx)
    for family, instance in ctx.progress(instances, "workloads"):
        f, x, ref = instance.under_test()
        measure.measure_point(
            ctx,
            workload=instance.workload,
            n_inputs=instance.n_inputs,
            n_outputs=1,
            methods=[measure.function(f, x, ref), measure.reverse_grad(f, x, ref)],
            extra={"family": family},
        )
    frame = ctx.frame()
    frame = frame.assign(gradient_flops=frame["flops_primal"] + frame["flops_vjp"])
    samples = {
        quantity: ratio_samples(frame, {"method": "grad"}, {"method": measure.FUNCTION}, column)
        for quantity, column in (("FLOPs", "gradient_flops"), ("time", "seconds"))
    }
    ratios = {quantity: summarise(s, ["workload"]) for quantity, s in samples.items()}
    order = [instance.workload for _, instance in instances]
    _bar_figure(ctx, ratios, order)
    _width_figure(ctx, samples, [i for family, i in instances if family == "MLP"])
    _table(ctx, frame, ratios, instances)
    _claims(ctx, samples, order)
    ctx.describe_workloads(
        {
            "seed-net": workloads.seed_net,
            "mlp-…": workloads.mlp,
            "gmm-…": workloads.gaussian_mixture,
            "lstm-…": workloads.lstm,
        }
    )
    return f"{ctx.verdict_summary()}. {_flop_range(ratios['FLOPs'])}"


def _bar_figure(ctx: Context, ratios: dict[str, pd.DataFrame], order: list[str]) -> None:
    fig, axes = new_figure(2, "Gradient cost / function cost (reverse mode)", height=4.6)
    for ax, (quantity, table) in zip(axes, ratios.items(), strict=True):
        groups = {"admodes grad": table.set_index("workload")}
        plot_bars(ax, order, groups, f"{quantity}(gradient) / {quantity}(f)  [×]", f"in {quantity}")
        ax.axhspan(
            *TYPICAL_BAND, color="C2", alpha=0.25, zorder=0, label="typical band 2–3 (theory)"
        )
        ax.axhline(BOUND, color="C3", ls="--", label="bound 6 (theory)")
        ax.legend(fontsize=7.5)
    ctx.save_figure(
        fig,
        "ratios",
        "Gradient / function cost per workload in FLOPs and in time (median, IQR bars), against "
        "the theory's typical band (2–3) and bound (6)",
    )


def _width_figure(
    ctx: Context, samples: dict[str, pd.DataFrame], mlps: list[workloads.Instance]
) -> None:
    by_name = {i.workload: i.n_inputs for i in mlps}
    fig, axes = new_figure(1, "MLP: gradient / function cost against width")
    curves = []
    for quantity, table in samples.items():
        rows = table[table["workload"].isin(by_name)]
        rows = rows.assign(parameters=rows["workload"].map(by_name))
        curves.append(
            ctx.scaling_curve(
                quantity,
                rows,
                x="parameters",
                quantity=f"{quantity} ratio",
                kind="time" if quantity == "time" else COUNT,
                theory=0.0,
                group="MLP",
            )
        )
    plot_scaling(
        axes[0],
        curves,
        "number of parameters n (widths " + ", ".join(name.split("-")[2] for name in by_name) + ")",
        "gradient cost / f cost  [×]",
    )
    ctx.save_figure(
        fig, "mlp-width", "MLP gradient/function ratio as the width grows (theory: flat)"
    )


def _table(
    ctx: Context,
    frame: pd.DataFrame,
    ratios: dict[str, pd.DataFrame],
    instances: list[tuple[str, workloads.Instance]],
) -> None:
    """Ratios per workload, with the measured time per primitive op of f and of its gradient."""
    flops, time = (ratios[q].set_index("workload") for q in ("FLOPs", "time"))
    per_op = frame.assign(us_per_op=1e6 * frame["seconds"] / frame["ops"])
    us_per_op = per_op.groupby(["workload", "method"])["us_per_op"].median()
    rows = [
        [
            family,
            instance.workload,
            instance.n_inputs,
            f"{flops.loc[instance.workload, 'median']:.2f}",
            f"{time.loc[instance.workload, 'median']:.2f} "
            f"({time.loc[instance.workload, 'q25']:.2f}–{time.loc[instance.workload, 'q75']:.2f})",
            f"{us_per_op[instance.workload, measure.FUNCTION]:.2g}",
            f"{us_per_op[instance.workload, 'grad']:.2g}",
        ]
        for family, instance in instances
    ]
    header = [
        "family",
        "workload",
        "n inputs",
        "FLOP ratio",
        "time ratio (IQR)",
        "µs per op, f",
        "µs per op, gradient",
    ]
    ctx.table(markdown_table(header, rows))
    ctx.note(
        "Workloads: the seed's two-layer net on Python floats; MLPs 32-w-w-1 (tanh) on a batch "
        f"of {MLP_BATCH}, parameters packed in one vector; an isotropic Gaussian mixture "
        "(K components, D dimensions, N points; parameters a dict); an LSTM cell unrolled over "
        "T steps (hidden size H). µs per op = median time / primitive ops counted."
    )


def _claims(ctx: Context, samples: dict[str, pd.DataFrame], order: list[str]) -> None:
    """Per workload: the FLOP ratio under the bound (exact) and the time ratio under it."""
    for workload in order:
        flops = samples["FLOPs"][samples["FLOPs"]["workload"] == workload]["value"]
        ctx.exact_claim(f"{workload}: FLOP ratio below {BOUND:g}", float(flops.median()) < BOUND)
        time = samples["time"][samples["time"]["workload"] == workload]
        replicates = bootstrap_medians([time], f"cheap_gradient {workload}", timed=True)[:, 0]
        ctx.timed_claim(f"{workload}: time ratio below {BOUND:g}", replicates, lambda r: r < BOUND)


def _flop_range(flops: pd.DataFrame) -> str:
    """The FLOP ratios against the band (exact counts)."""
    values = flops["median"].to_numpy()
    low, high = TYPICAL_BAND
    in_band = int(((values >= low) & (values <= high)).sum())
    return (
        f"FLOP ratio {values.min():.2f}–{values.max():.2f}: {in_band} of {len(values)} in the "
        f"typical band {low:g}–{high:g}"
    ) + ("." if np.all(values < BOUND) else f", NOT all below the bound {BOUND:g}.")
