"""Summaries of the tidy measurement table: medians with IQR, and ratios paired by repeat."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd

from experiments.stats import median_iqr

POINT_KEYS = ("workload", "n_inputs", "n_outputs")


def select(frame: pd.DataFrame, where: Mapping[str, Any]) -> pd.DataFrame:
    """Rows whose columns equal every value in ``where``."""
    mask = pd.Series(True, index=frame.index)
    for column, value in where.items():
        mask &= frame[column] == value
    return frame[mask]


def _summarise(frame: pd.DataFrame, value: str, keys: Sequence[str]) -> pd.DataFrame:
    records = []
    for group, rows in frame.dropna(subset=[value]).groupby(list(keys), sort=True):
        spread = median_iqr(rows[value].to_numpy())
        point = dict(zip(keys, group if isinstance(group, tuple) else (group,), strict=True))
        records.append({**point, "median": spread.median, "q25": spread.q25, "q75": spread.q75})
    return pd.DataFrame(records, columns=[*keys, "median", "q25", "q75"])


def spread_table(
    frame: pd.DataFrame,
    where: Mapping[str, Any],
    value: str,
    keys: Sequence[str] = POINT_KEYS,
) -> pd.DataFrame:
    """Median and IQR of ``value`` per point for the rows matching ``where``."""
    return _summarise(select(frame, where), value, keys)


def ratio_table(
    frame: pd.DataFrame,
    numerator: Mapping[str, Any],
    denominator: Mapping[str, Any],
    value: str,
    keys: Sequence[str] = POINT_KEYS,
) -> pd.DataFrame:
    """Median and IQR over repeats of ``value(numerator) / value(denominator)`` per point.

    Rows are paired by repeat index, so each ratio compares two samples taken side by side.
    Count columns are equal across repeats; a count-only row (repeat 0) pairs with repeat 0.
    """
    pairing = [*keys, "repeat"]
    top = select(frame, numerator)[[*pairing, value]]
    bottom = select(frame, denominator)[[*pairing, value]]
    merged = top.merge(bottom, on=pairing, suffixes=("_top", "_bottom"))
    merged["ratio"] = merged[f"{value}_top"] / merged[f"{value}_bottom"]
    return _summarise(merged, "ratio", keys)
