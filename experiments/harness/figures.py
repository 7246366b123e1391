"""Figures: log-log scaling panels (IQR error bars, theory and fitted slopes; a point that
stayed noisy after re-measuring is drawn hollow), bars and heatmaps."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.ticker import FuncFormatter, LogLocator

from experiments.harness.files import write_atomically
from experiments.harness.stats import LineFit

DPI = 110


@dataclass(frozen=True)
class Curve:
    """One measured series: medians with their interquartile range, and its fit and theory."""

    label: str
    x: np.ndarray
    median: np.ndarray
    q25: np.ndarray
    q75: np.ndarray
    noisy: np.ndarray
    fit: LineFit | None = None
    theory_slope: float | None = None
    fit_min_x: float = 0.0


def new_figure(
    panels: int, title: str, height: float = 6.0, panel_width: float = 5.6, rows: int = 1
) -> tuple[Figure, list[Axes]]:
    """A figure with ``panels`` axes side by side (in ``rows`` rows), listed row by row."""
    columns = -(-panels // rows)
    fig, axes = plt.subplots(
        rows, columns, figsize=(panel_width * columns, height * rows), squeeze=False
    )
    fig.suptitle(title)
    return fig, list(axes.ravel())


def plot_scaling(
    ax: Axes, curves: Sequence[Curve], xlabel: str, ylabel: str, title: str = ""
) -> None:
    """Log-log medians with IQR error bars; each curve's theory slope dotted in its colour over
    the range its slope was fitted on, through the geometric mean of those points."""
    for index, curve in enumerate(curves):
        color = f"C{index}"
        label = curve.label
        if curve.fit is not None:
            label += f" (fitted slope {curve.fit.slope:.2f})"
        yerr = np.vstack([curve.median - curve.q25, curve.q75 - curve.median])
        ax.errorbar(curve.x, curve.median, yerr=yerr, color=color, capsize=3, label=label)
        for hollow in (False, True):
            chosen = curve.noisy == hollow
            ax.plot(
                curve.x[chosen],
                curve.median[chosen],
                "o",
                ms=4.5,
                color=color,
                markerfacecolor="white" if hollow else color,
            )
        fitted = (curve.x >= curve.fit_min_x) & (curve.median > 0)
        if curve.theory_slope is not None and fitted.any():
            anchor_x = float(np.exp(np.mean(np.log(curve.x[fitted]))))
            anchor_y = float(np.exp(np.mean(np.log(curve.median[fitted]))))
            xs = np.array([curve.x[fitted].min(), curve.x[fitted].max()], dtype=float)
            ax.plot(xs, anchor_y * (xs / anchor_x) ** curve.theory_slope, ":", color=color, lw=2)
    if any(curve.theory_slope is not None for curve in curves):
        ax.add_line(Line2D([], [], ls=":", color="0.4", lw=2, label="theory slope (dotted)"))
    if any(curve.noisy.any() for curve in curves):
        ax.add_line(
            Line2D([], [], ls="", marker="o", color="0.4", mfc="white", label="noisy (hollow)")
        )
    set_log_axes(ax, x=True, y=True)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7.5, loc="upper center", bbox_to_anchor=(0.5, -0.13))


PLAIN_RANGE = (1e-3, 1e5)
"""Major log ticks inside this range are written as plain numbers, outside it as powers of 10."""
MINOR_LABELS_MAX_SPAN = 100.0
"""Minor ticks (2 and 5 × 10^k; also 3 below a span of 10) are labelled only on axes spanning
less than this factor."""


def _major_label(value: float, _position: int) -> str:
    if value <= 0:
        return ""
    if PLAIN_RANGE[0] <= value < PLAIN_RANGE[1]:
        return f"{value:g}"
    exponent = np.log10(value)
    if abs(exponent - round(exponent)) < 1e-9:
        return f"$10^{{{round(exponent)}}}$"
    return f"{value:.3g}"


def set_log_axes(ax: Axes, x: bool, y: bool) -> None:
    """Log scale on the chosen axes, ticks written as plain numbers (1, 2, 5, 10, ...)."""
    for use, axis, set_scale in ((x, ax.xaxis, ax.set_xscale), (y, ax.yaxis, ax.set_yscale)):
        if not use:
            continue
        set_scale("log")

        def minor_label(value: float, _position: int, axis: Any = axis) -> str:
            low, high = axis.get_view_interval()
            mantissa = round(value / 10 ** np.floor(np.log10(value)))
            return (
                f"{value:g}" if high < MINOR_LABELS_MAX_SPAN * low and mantissa in (2, 3, 5) else ""
            )

        axis.set_major_formatter(FuncFormatter(_major_label))
        axis.set_minor_locator(LogLocator(subs=tuple(range(2, 10))))
        axis.set_minor_formatter(FuncFormatter(minor_label))


def plot_bars(
    ax: Axes,
    categories: Sequence[str],
    groups: Mapping[str, pd.DataFrame],
    ylabel: str,
    title: str = "",
) -> None:
    """Grouped bars of medians with IQR error bars on a log y axis.

    Each group is a table indexed by category with columns median, q25, q75; groups sit side by
    side within a category, in the order given.
    """
    width = 0.8 / max(len(groups), 1)
    for index, (label, table) in enumerate(groups.items()):
        table = table.reindex(list(categories))
        positions = np.arange(len(categories)) + (index - (len(groups) - 1) / 2) * width
        errors = [table["median"] - table["q25"], table["q75"] - table["median"]]
        ax.bar(
            positions,
            table["median"],
            width,
            yerr=errors,
            capsize=2,
            label=label,
            color=f"C{index}",
        )
    set_log_axes(ax, x=False, y=True)
    ax.set_xticks(range(len(categories)), list(categories), rotation=25, ha="right", fontsize=8)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, axis="y", which="both", alpha=0.3)


def plot_heatmap(
    ax: Axes,
    grid: np.ndarray,
    columns: Sequence[int],
    rows: Sequence[int],
    title: str,
    xlabel: str,
    ylabel: str,
    colorbar_label: str,
) -> None:
    """A diverging heatmap centred on 0, values written in the cells, the column = row diagonal
    dashed and the measured sign-change boundary drawn as a solid contour."""
    limit = float(np.nanmax(np.abs(grid))) or 1.0
    image = ax.imshow(grid, origin="lower", cmap="RdBu_r", vmin=-limit, vmax=limit, aspect="auto")
    ax.figure.colorbar(image, ax=ax, label=colorbar_label)
    for (r, c), value in np.ndenumerate(grid):
        if np.isfinite(value):
            ax.text(c, r, f"{value:.1f}", ha="center", va="center", fontsize=6.5)
    index_of_row = {size: i for i, size in enumerate(rows)}
    diagonal = [(c, index_of_row[size]) for c, size in enumerate(columns) if size in index_of_row]
    if diagonal:
        xs, ys = zip(*diagonal, strict=True)
        ax.plot(xs, ys, "k--", lw=1.2, label="n = m")
    if np.nanmin(grid) < 0 < np.nanmax(grid):
        ax.contour(grid, levels=[0.0], colors="k", linewidths=2.2)
        ax.add_line(Line2D([], [], color="k", lw=2.2, label="measured boundary (ratio = 1)"))
    ax.set_xticks(range(len(columns)), [str(c) for c in columns], fontsize=7)
    ax.set_yticks(range(len(rows)), [str(r) for r in rows], fontsize=7)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.set_title(title, fontsize=10)
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.16), ncols=2)


def save_png(fig: Figure, path: Path) -> None:
    """Save ``fig`` as a PNG atomically and release it."""
    fig.tight_layout()
    write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))
    plt.close(fig)
