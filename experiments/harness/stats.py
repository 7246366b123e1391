"""Statistics of the tidy measurement table: medians with IQR, ratios paired by repeat,
log-log slopes, and bootstrap intervals that turn a measured claim into a three-way verdict."""

from __future__ import annotations

import zlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

POINT_KEYS = ("workload", "n_inputs", "n_outputs")

AGREES, DISAGREES, INCONCLUSIVE = "agrees", "disagrees", "inconclusive (noisy)"
CONFIDENCE = 0.95
"""A claim agrees when this share of bootstrap replicates satisfies it, disagrees when this
share does not, and is inconclusive in between."""
REPLICATES = 2000
"""Bootstrap replicates per interval."""
TIME_SPREAD, NOISY_TIME_SPREAD = 0.1, 0.5
"""Relative spread of a time median measured again minutes later, at a quiet point and at one
that stayed noisy: the load drifts between points, which the samples of one point do not show,
so each point's replicated time medians are scaled by a factor exp(N(0, spread)) of their
own."""


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


# --- the tidy table ------------------------------------------------------------------------


def select(frame: pd.DataFrame, where: Mapping[str, Any]) -> pd.DataFrame:
    """Rows whose columns equal every value in ``where``."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame[mask]


def summarise(samples: pd.DataFrame, keys: Sequence[str], value: str = "value") -> pd.DataFrame:
    """Median and IQR of ``value`` per group of ``keys``; ``noisy`` if any sample was."""
    records = []
    for group, rows in samples.dropna(subset=[value]).groupby(list(keys), sort=True):
        spread = median_iqr(rows[value].to_numpy())
        point = dict(zip(keys, group if isinstance(group, tuple) else (group,), strict=True))
        noisy = bool(rows["noisy"].any()) if "noisy" in rows else False
        records.append(
            {**point, "median": spread.median, "q25": spread.q25, "q75": spread.q75, "noisy": noisy}
        )
    return pd.DataFrame(records, columns=[*keys, "median", "q25", "q75", "noisy"])


def value_samples(
    frame: pd.DataFrame, where: Mapping[str, Any], value: str, keys: Sequence[str] = POINT_KEYS
) -> pd.DataFrame:
    """The samples of ``value`` for the rows matching ``where``: columns ``keys``, value, noisy."""
    rows = select(frame, where)
    noisy = rows.get("noisy", False)
    return rows[list(keys)].assign(value=rows[value], noisy=noisy)


def ratio_samples(
    frame: pd.DataFrame,
    numerator: Mapping[str, Any],
    denominator: Mapping[str, Any],
    value: str,
    keys: Sequence[str] = POINT_KEYS,
) -> pd.DataFrame:
    """Per repeat, ``value(numerator) / value(denominator)``: columns ``keys``, value, noisy.

    Rows are paired by repeat index, so each ratio compares two samples taken side by side.
    Count columns are equal across repeats; a count-only row (repeat 0) pairs with repeat 0.
    """
    pairing = [*keys, "repeat"]
    columns = [*pairing, value, *(["noisy"] if "noisy" in frame else [])]
    top = select(frame, numerator)[columns]
    bottom = select(frame, denominator)[columns]
    merged = top.merge(bottom, on=pairing, suffixes=("_top", "_bottom"))
    noisy = merged["noisy_top"] | merged["noisy_bottom"] if "noisy" in frame else False
    return merged[list(keys)].assign(
        value=merged[f"{value}_top"] / merged[f"{value}_bottom"], noisy=noisy
    )


# --- bootstrap ------------------------------------------------------------------------------


def bootstrap_medians(
    points: Sequence[pd.DataFrame], label: str, *, timed: bool = False
) -> np.ndarray:
    """Medians of each point's resampled samples (columns value, noisy): shape (REPLICATES,
    points); ``timed`` medians also get the drift between points (TIME_SPREAD, or
    NOISY_TIME_SPREAD at a point that stayed noisy).

    The generator is seeded by ``label``, so the same data always gives the same replicates.
    """
    rng = np.random.default_rng(zlib.crc32(label.encode()))
    columns = []
    for point in points:
        values = point["value"].to_numpy(dtype=float)
        picks = rng.integers(0, values.size, size=(REPLICATES, values.size))
        medians = np.median(values[picks], axis=1)
        if timed:
            spread = NOISY_TIME_SPREAD if point["noisy"].any() else TIME_SPREAD
            medians = medians * np.exp(rng.normal(0.0, spread, REPLICATES))
        columns.append(medians)
    return np.column_stack(columns)


def loglog_slopes(x: np.ndarray, medians: np.ndarray) -> np.ndarray:
    """The least-squares log-log slope through each row of ``medians`` (NaN if a value ≤ 0)."""
    lx = np.log10(np.asarray(x, dtype=float))
    lx = lx - lx.mean()
    with np.errstate(divide="ignore", invalid="ignore"):
        ly = np.where(medians > 0, np.log10(np.where(medians > 0, medians, 1.0)), np.nan)
    return (ly - ly.mean(axis=1, keepdims=True)) @ lx / (lx @ lx)


def interval(replicates: np.ndarray) -> tuple[float, float]:
    """The central CONFIDENCE interval of the finite replicates (NaN, NaN if there are none)."""
    finite = replicates[np.isfinite(replicates)]
    if finite.size == 0:
        return (float("nan"), float("nan"))
    tail = 100 * (1 - CONFIDENCE) / 2
    low, high = np.percentile(finite, [tail, 100 - tail])
    return float(low), float(high)


def judge(replicates: np.ndarray, holds: Callable[[np.ndarray], np.ndarray]) -> str:
    """AGREES, DISAGREES or INCONCLUSIVE: the share of replicates for which ``holds`` is true
    (a NaN replicate does not hold) set against CONFIDENCE."""
    with np.errstate(invalid="ignore"):
        share = float(np.mean(holds(replicates) & np.isfinite(replicates)))
    if share >= CONFIDENCE:
        return AGREES
    if share <= 1 - CONFIDENCE:
        return DISAGREES
    return INCONCLUSIVE
