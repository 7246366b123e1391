"""The tidy CSV every experiment writes: one row per measurement."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

from experiments.atomic import write_atomically

REQUIRED_COLUMNS = (
    "experiment",
    "workload",
    "engine",
    "mode",
    "n_inputs",
    "n_outputs",
    "repeat",
    "seconds",
    "ops",
    "flops",
    "peak_saved_bytes",
    "max_rel_err_vs_jax",
)


def to_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame: the required columns first (missing values NaN), then any extras."""
    frame = pd.DataFrame(list(rows))
    extras = [column for column in frame.columns if column not in REQUIRED_COLUMNS]
    return frame.reindex(columns=[*REQUIRED_COLUMNS, *extras])


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` atomically, without the index."""
    write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))
