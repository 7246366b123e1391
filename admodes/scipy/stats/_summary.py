"""Summary statistics of a sample: the functions of ``scipy.stats`` beside its distributions
(those JAX has)."""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import plain, shape
from admodes.scipy.stats._common import export_with_scipy_types, in_promoted_dtype

__all__ = ["sem"]

NAN_POLICIES = ("propagate", "omit", "raise")


def sem(
    a: Any,
    axis: int | None = 0,
    ddof: int = 1,
    nan_policy: str = "propagate",
    *,
    keepdims: bool = False,
) -> Any:
    """The standard error of the mean, std(a, ddof)/√n over ``axis`` (all of a for None), n its
    number of entries; ``nan_policy``: "propagate" (a nan gives nan), "omit" (nanstd over the n
    entries that are not nan, as JAX), "raise" (SciPy's ValueError if a holds a nan)."""
    if nan_policy not in NAN_POLICIES:
        raise ValueError(f"nan_policy must be one of {set(NAN_POLICIES)}.")
    a = anp.atleast_1d(anp.asarray(a))  # a scalar as one entry, as SciPy
    a = in_promoted_dtype(a, a)  # integers as float64, as SciPy and JAX
    nans = np.isnan(plain(a))
    if nan_policy == "raise" and nans.any():
        raise ValueError("The input contains nan values")
    if nan_policy == "omit":
        count = np.sum(~nans, axis=axis, keepdims=keepdims)
        spread = anp.nanstd(a, axis, ddof=ddof, keepdims=keepdims)
    else:
        count = np.size(plain(a)) if axis is None else shape(a)[axis]
        spread = anp.std(a, axis, ddof=ddof, keepdims=keepdims)
    return anp.divide(spread, np.sqrt(count).astype(plain(a).dtype))


export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
