"""Cost of a derivative relative to f itself, against a swept size: figures and slope checks."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from experiments.analysis import ratio_table, select
from experiments.context import Context
from experiments.methods import FUNCTION
from experiments.plotting import new_figure, plot_scaling

QUANTITIES = (("seconds", "time"), ("ops", "primitive ops"), ("flops", "FLOPs"))


@dataclass(frozen=True)
class Series:
    """One way of computing the derivative, and the slope theory predicts for its ratio to f."""

    method: str
    label: str
    theory: float
    fit_min_x: float = 0.0


def ratio_to_function(frame: pd.DataFrame, workload: str, method: str, value: str) -> pd.DataFrame:
    """Median/IQR per point of ``value(method) / value(f)`` for one workload."""
    rows = select(frame, {"workload": workload})
    return ratio_table(rows, {"method": method}, {"method": FUNCTION}, value)


def ratio_figure(
    ctx: Context,
    frame: pd.DataFrame,
    workload: str,
    x: str,
    series: Sequence[Series],
    xlabel: str,
    stem: str,
    caption: str,
) -> None:
    """Three log-log panels (time, primitive ops, FLOPs) of each series' ratio to f against ``x``;
    every fitted slope is recorded against its theory."""
    fig, axes = new_figure(len(QUANTITIES), f"{workload}: cost of the derivative relative to f")
    for ax, (column, quantity) in zip(axes, QUANTITIES, strict=True):
        curves = []
        for s in series:
            table = ratio_to_function(frame, workload, s.method, column)
            if table[x].nunique() >= 2:
                curves.append(
                    ctx.scaling_curve(
                        s.label, table, x, f"{quantity} ratio", s.theory, s.fit_min_x, workload
                    )
                )
        plot_scaling(ax, curves, xlabel, f"{quantity}(derivative) / {quantity}(f)  [×]", quantity)
    ctx.save_figure(fig, stem, caption)
