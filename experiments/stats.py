"""Summary statistics: median with interquartile range, and slopes fitted on log-log data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class Spread:
    """Median and interquartile range (25th and 75th percentiles) of a sample."""

    median: float
    q25: float
    q75: float

    @property
    def iqr(self) -> float:
        """Width of the interquartile range."""
        return self.q75 - self.q25


def median_iqr(values: Sequence[float] | np.ndarray) -> Spread:
    """Median and interquartile range of the finite entries of ``values``."""
    data = np.asarray(values, dtype=float)
    data = data[np.isfinite(data)]
    if data.size == 0:
        raise ValueError("median_iqr needs at least one finite value")
    q25, median, q75 = np.percentile(data, [25.0, 50.0, 75.0])
    return Spread(float(median), float(q25), float(q75))


@dataclass(frozen=True)
class LineFit:
    """Least-squares line ``log10(y) = slope * log10(x) + intercept``."""

    slope: float
    intercept: float

    def predict(self, x: np.ndarray) -> np.ndarray:
        """The fitted power law evaluated at ``x``."""
        return 10.0**self.intercept * np.asarray(x, dtype=float) ** self.slope


def fit_loglog(x: Sequence[float] | np.ndarray, y: Sequence[float] | np.ndarray) -> LineFit:
    """Fit a power law ``y = c * x**slope`` by least squares on log-log data.

    Points with a non-positive or non-finite coordinate are ignored; at least two distinct x
    values must remain.
    """
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    keep = np.isfinite(xs) & np.isfinite(ys) & (xs > 0) & (ys > 0)
    xs, ys = xs[keep], ys[keep]
    if np.unique(xs).size < 2:
        raise ValueError("a slope needs at least two distinct positive x values")
    slope, intercept = np.polyfit(np.log10(xs), np.log10(ys), 1)
    return LineFit(float(slope), float(intercept))


def log_grid(start: float, stop: float, count: int) -> list[int]:
    """``count`` integers spaced evenly on a log scale from ``start`` to ``stop`` (deduplicated)."""
    points = np.geomspace(start, stop, count)
    return sorted({round(float(p)) for p in points})
