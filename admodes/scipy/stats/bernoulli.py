"""The Bernoulli distribution with success probability ``p`` (differentiable in p; k is
discrete)."""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.scipy.special import xlog1py, xlogy
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    improbable,
    in_promoted_dtype,
    integral,
    invalid,
    outside,
    within,
)

__all__ = ["cdf", "logpmf", "pmf", "ppf"]


def logpmf(k: Any, p: Any, loc: Any = 0.0) -> Any:
    """k log p + (1 − k) log(1 − p) for k ∈ {0, 1} (after the shift by loc; xlogy's 0 · log 0 =
    0), −inf elsewhere; nan for p outside [0, 1]."""
    k = anp.subtract(k, loc)
    log_mass = anp.add(xlogy(k, p), xlog1py(anp.subtract(1.0, k), anp.negative(p)))
    return invalid(improbable(p), outside(within(k, 0.0, 1.0) & integral(k), log_mass))


pmf = exp_of(logpmf, "pmf")


def cdf(k: Any, p: Any, loc: Any = 0.0) -> Any:
    """0 for k < 0, 1 − p for 0 ≤ k < 1, 1 from 1 on (after the shift by loc); nan for p outside
    [0, 1] or a nan k (JAX's select)."""
    k = array_numbers(anp.subtract(k, loc))
    inside = anp.where(k < 0, 0.0, anp.where(k < 1, anp.subtract(1.0, p), 1.0))
    return in_promoted_dtype(invalid(improbable(p) | np.isnan(k), inside), k, p, loc)


def ppf(q: Any, p: Any, loc: Any = 0.0) -> np.ndarray:
    """The least k with cdf(k) ≥ q: 0 for 0 < q ≤ 1 − p, 1 above; SciPy's −1 at q = 0 and 1 at
    q = 1 (the ends of the support, less one at the start); plus loc; nan for q or p outside
    [0, 1]. A constant (derivative 0, as JAX's)."""
    q, p_numbers = array_numbers(q), array_numbers(p)
    first = anp.where((q <= 1 - p_numbers) & (q < 1), 0.0, 1.0)
    k = anp.add(anp.where(q == 0, -1.0, first), array_numbers(loc))
    return in_promoted_dtype(anp.where(improbable(q) | improbable(p), np.nan, k), q, p, loc)


export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
