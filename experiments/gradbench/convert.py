"""Conversions between the protocol's JSON values and NumPy float64 arrays."""

from __future__ import annotations

from typing import Any

import numpy as np


def floats(value: Any) -> np.ndarray:
    """A JSON number or (nested) list of numbers as a float64 array."""
    return np.asarray(value, dtype=np.float64)


def to_json(value: Any) -> Any:
    """An array, NumPy scalar or float as JSON numbers (nested lists for arrays)."""
    return np.asarray(value, dtype=np.float64).tolist()


def flat_json(value: Any) -> list[float]:
    """An array flattened in row-major order, as a JSON list of numbers."""
    return np.ravel(np.asarray(value, dtype=np.float64)).tolist()
