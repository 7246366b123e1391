"""Summary statistics of a sample: the functions of ``scipy.stats`` beside its distributions
(those JAX has). ``sem`` is differentiable; ``mode`` is an entry of the sample (its derivative
goes to that entry, as JAX's) with an integer count; ``rankdata``'s ranks are piecewise constant
in the sample, constants here (derivative 0, as JAX's)."""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np
import scipy.stats
from numpy.lib.array_utils import normalize_axis_index

import admodes.numpy as anp
from admodes.core import TRACED_TYPES, at_each_index, dtype_of, ndim, numbers, shape, size
from admodes.scipy.stats._common import export_with_scipy_types, in_promoted_dtype

__all__ = ["mode", "rankdata", "sem"]

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
    if nan_policy == "raise":
        at_each_index(_without_nan, a)
    if nan_policy == "omit":
        count = np.count_nonzero(~np.isnan(numbers(a)), axis=axis, keepdims=keepdims)
        spread = anp.nanstd(a, axis, ddof=ddof, keepdims=keepdims)
    else:
        count = size(a) if axis is None else shape(a)[axis]
        spread = anp.std(a, axis, ddof=ddof, keepdims=keepdims)
    return anp.divide(spread, np.sqrt(count).astype(dtype_of(a)))


def _without_nan(values: np.ndarray) -> None:
    """SciPy's ValueError if ``values`` (plain) hold a nan (``nan_policy="raise"``)."""
    if np.isnan(values).any():
        raise ValueError("The input contains nan values")


class ModeResult(NamedTuple):
    """``mode``'s result: the modal values and how often each occurs."""

    mode: Any
    count: Any


def mode(
    a: Any, axis: int | None = 0, nan_policy: str = "propagate", keepdims: bool = False
) -> ModeResult:
    """The most common value along ``axis`` (of all of a for None; the smallest of equally
    common ones; nan counts as a value, with "propagate") and its count, SciPy's, with its
    ``nan_policy`` and ``keepdims``. The count is an integer, a constant; the mode is an entry of
    a, m = a[i*] with i* the first index along ``axis`` where a equals it, so ∂m/∂a[i*] = 1 and 0
    elsewhere, as JAX's."""
    found_mode, count = at_each_index(
        lambda v: tuple(scipy.stats.mode(v, axis=axis, nan_policy=nan_policy, keepdims=keepdims)),
        a,
    )
    if type(a) not in TRACED_TYPES:
        return ModeResult(found_mode, count)
    a = anp.ravel(a) if axis is None else anp.atleast_1d(a)
    axis = 0 if axis is None else normalize_axis_index(axis, ndim(a))
    values = numbers(a)
    modal = np.reshape(found_mode, (*shape(a)[:axis], 1, *shape(a)[axis + 1 :]))
    equal = (values == modal) | (np.isnan(values) & np.isnan(modal))
    first = np.argmax(equal, axis=axis, keepdims=True)
    entry = anp.take_along_axis(a, first, axis)
    return ModeResult(anp.reshape(entry, shape(found_mode)), count)


def rankdata(
    a: Any, method: str = "average", *, axis: int | None = None, nan_policy: str = "propagate"
) -> np.ndarray:
    """SciPy's ranks of a's entries, from 1, over all of a (flattened) or along ``axis``; ties
    get the mean of their ranks ("average"), the lowest ("min"), the highest ("max"), consecutive
    ranks for distinct values ("dense"), or distinct ranks in order ("ordinal"); SciPy's
    ``nan_policy``. Ranks are piecewise constant in a: a constant result (derivative 0, as
    JAX's), of SciPy's dtype (float64 for "average", integers otherwise)."""
    return at_each_index(
        lambda x: scipy.stats.rankdata(x, method, axis=axis, nan_policy=nan_policy), a
    )


export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
