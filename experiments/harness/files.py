"""Writing results: atomic file writes that keep the replaced file's mode, and the tidy CSV."""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

import pandas as pd

NEW_FILE_MODE = 0o644
"""Permissions of a results file that replaces none (a replaced file keeps its own)."""

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
"""The columns every experiment's CSV starts with: one row per measurement."""


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call ``write(tmp)`` on a temporary file beside ``path``, then move it over ``path``.

    A reader sees the old file or the new one, never a half-written one. The new file gets the
    mode of the file it replaces, or :data:`NEW_FILE_MODE`. If ``write`` raises, the temporary
    file is removed and ``path`` is left untouched.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = stat.S_IMODE(path.stat().st_mode) if path.exists() else NEW_FILE_MODE
    handle, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(handle)
    tmp = Path(tmp_name)
    try:
        write(tmp)
        tmp.chmod(mode)
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def write_text_atomically(path: Path, text: str) -> None:
    """Write ``text`` (UTF-8) to ``path`` atomically."""
    write_atomically(path, lambda tmp: tmp.write_text(text, encoding="utf-8"))


def to_frame(rows: Iterable[Mapping[str, Any]]) -> pd.DataFrame:
    """Rows as a DataFrame: the required columns first (missing values NaN), then any extras."""
    frame = pd.DataFrame(list(rows))
    extras = [column for column in frame.columns if column not in REQUIRED_COLUMNS]
    return frame.reindex(columns=[*REQUIRED_COLUMNS, *extras])


def write_csv(frame: pd.DataFrame, path: Path) -> None:
    """Write ``frame`` to ``path`` atomically, without the index."""
    write_atomically(path, lambda tmp: frame.to_csv(tmp, index=False))
