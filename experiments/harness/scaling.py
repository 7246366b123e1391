"""Cost of a derivative against a swept size, relative to f itself: figures and slope verdicts."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from experiments.harness.context import COUNT, TIME, Context
from experiments.harness.figures import new_figure, plot_scaling
from experiments.harness.measure import FUNCTION, Method, measure_point
from experiments.harness.stats import ratio_samples, select, summarise, value_samples
from experiments.harness.validation import Reference
from experiments.harness.workloads import Instance

Build = Callable[[int], Instance]
"""A workload at a size."""


@dataclass(frozen=True)
class Quantity:
    """A measured column and how it is plotted: as a ratio to f's, or as it is."""

    column: str
    label: str
    ratio_to_f: bool = True
    unit: str = "bytes"
    """The unit of the column when it is plotted as it is."""


COSTS = (Quantity("seconds", "time"), Quantity("ops", "primitive ops"), Quantity("flops", "FLOPs"))
SAVED_BYTES = Quantity("peak_saved_bytes", "saved bytes", ratio_to_f=False)


def same_slope(slope: float) -> dict[str, float]:
    """Theory for a method with one direction per pass: time, ops and FLOPs grow alike."""
    return {"seconds": slope, "ops": slope, "flops": slope}


@dataclass(frozen=True)
class Series:
    """One way of computing the derivative, and the slope theory predicts per column (a column
    left out has no theory: batched directions leave ops and time to the implementation)."""

    method: str
    label: str
    theory: Mapping[str, float] = field(default_factory=dict)
    fit_min_x: float = 0.0


def users_with(ctx: Context, *, one_output: bool, beside: Collection[str] = ()) -> dict[str, Build]:
    """The user's workloads with one output (or with several); a note names the others.
    ValueError for one named as a built-in workload ``beside`` it (their rows would mix)."""
    fitting = {}
    for user in ctx.user_workloads:
        if user.name in beside:
            raise ValueError(
                f"your workload {user.spec!r} is named {user.name!r}, as a built-in workload of "
                "this experiment (a workload's name is its factory's): rename the factory"
            )
        if user.one_output == one_output:
            fitting[user.name] = user.instance
        else:
            has = "several outputs" if one_output else "one output"
            ctx.note(f"{user.name}: not measured here, it has {has}.")
    return fitting


def sweep(
    ctx: Context,
    builds: Mapping[str, Build],
    *,
    sizes: Sequence[int],
    unit: str,
    methods_of: Callable[[Instance, Callable[[Any], Any], Any, Reference], list[Method]],
) -> None:
    """Measure ``methods_of(instance, f, x, reference)`` for every workload at every size."""
    for name, build in builds.items():
        for size in ctx.progress(sizes, f"{name} over {unit}"):
            instance = build(size)
            f, x, ref = instance.under_test()
            measure_point(
                ctx,
                workload=name,
                n_inputs=instance.n_inputs,
                n_outputs=instance.n_outputs,
                methods=methods_of(instance, f, x, ref),
                extra={"size": size},
            )


def samples_of(
    frame: pd.DataFrame, *, workload: str, method: str, quantity: Quantity, x: str
) -> pd.DataFrame:
    """Per-sample values of ``quantity`` for one method: its ratio to f's, or as measured."""
    rows = select(frame, {"workload": workload})
    if quantity.ratio_to_f:
        return ratio_samples(
            rows, {"method": method}, {"method": FUNCTION}, quantity.column, keys=[x]
        )
    return value_samples(rows, {"method": method}, quantity.column, keys=[x])


def ratio_to_function(frame: pd.DataFrame, workload: str, method: str, value: str) -> pd.DataFrame:
    """Median/IQR per point of ``value(method) / value(f)`` for one workload."""
    samples = samples_of(
        frame, workload=workload, method=method, quantity=Quantity(value, value), x="n_inputs"
    )
    return summarise(samples, ["n_inputs"])


def ratio_figure(
    ctx: Context,
    frame: pd.DataFrame,
    *,
    workload: str,
    x: str,
    series: Sequence[Series],
    xlabel: str,
    stem: str,
    caption: str,
    quantities: Sequence[Quantity] = COSTS,
    title: str = "cost of the derivative relative to f",
) -> None:
    """One log-log panel per quantity, a curve per series against ``x``; every fitted slope is
    recorded with its interval, and judged where the series has a theory for that column."""
    fig, axes = new_figure(len(quantities), f"{workload}: {title}")
    for ax, quantity in zip(axes, quantities, strict=True):
        curves = []
        for s in series:
            samples = samples_of(frame, workload=workload, method=s.method, quantity=quantity, x=x)
            if samples.dropna(subset=["value"])[x].nunique() >= 2:
                curves.append(
                    ctx.scaling_curve(
                        s.label,
                        samples,
                        x=x,
                        quantity=f"{quantity.label} ratio"
                        if quantity.ratio_to_f
                        else quantity.label,
                        kind=TIME if quantity.column == "seconds" else COUNT,
                        theory=s.theory.get(quantity.column),
                        fit_min_x=s.fit_min_x,
                        group=workload,
                    )
                )
        ylabel = (
            f"{quantity.label}(derivative) / {quantity.label}(f)  [×]"
            if quantity.ratio_to_f
            else f"{quantity.label}  [{quantity.unit}]"
        )
        plot_scaling(ax, curves, xlabel, ylabel, quantity.label)
    ctx.save_figure(fig, stem, caption)
