"""Figures: log-log scaling panels (IQR error bars, theory and fitted slopes) and heatmaps."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from experiments.atomic import write_atomically
from experiments.stats import LineFit

DPI = 110


@dataclass(frozen=True)
class Curve:
    """One measured series: medians with their interquartile range, and its fit and theory."""

    label: str
    x: np.ndarray
    median: np.ndarray
    q25: np.ndarray
    q75: np.ndarray
    fit: LineFit | None = None
    theory_slope: float | None = None


def new_figure(panels: int, title: str, height: float = 4.2) -> tuple[Figure, list[Axes]]:
    """A figure with ``panels`` side-by-side axes."""
    fig, axes = plt.subplots(1, panels, figsize=(5.6 * panels, height), squeeze=False)
    fig.suptitle(title)
    return fig, list(axes[0])


def plot_scaling(
    ax: Axes, curves: Sequence[Curve], xlabel: str, ylabel: str, title: str = ""
) -> None:
    """Log-log medians with IQR error bars; each curve's theory slope dotted in its colour."""
    for index, curve in enumerate(curves):
        color = f"C{index}"
        label = curve.label
        if curve.fit is not None:
            label += f" (fitted slope {curve.fit.slope:.2f})"
        yerr = np.vstack([curve.median - curve.q25, curve.q75 - curve.median])
        ax.errorbar(
            curve.x, curve.median, yerr=yerr, color=color, marker="o", ms=4, capsize=3, label=label
        )
        if curve.theory_slope is not None and len(curve.x) > 0:
            anchor_x = float(np.exp(np.mean(np.log(curve.x))))
            anchor_y = float(np.exp(np.mean(np.log(curve.median))))
            xs = np.array([curve.x.min(), curve.x.max()], dtype=float)
            ax.plot(xs, anchor_y * (xs / anchor_x) ** curve.theory_slope, ":", color=color, lw=2)
    if any(curve.theory_slope is not None for curve in curves):
        ax.add_line(Line2D([], [], ls=":", color="0.4", lw=2, label="theory slope (dotted)"))
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if title:
        ax.set_title(title, fontsize=10)
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=7.5)


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
    ax.legend(fontsize=7, loc="upper left")


def save_png(fig: Figure, path: Path) -> None:
    """Save ``fig`` as a PNG atomically and release it."""
    fig.tight_layout()
    write_atomically(path, lambda tmp: fig.savefig(tmp, format="png", dpi=DPI))
    plt.close(fig)
