"""The Poisson distribution with mean ``mu`` (differentiable in mu; k is discrete)."""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.scipy.special import gammaincc, gammaln, xlogy
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    in_promoted_dtype,
    integral,
    outside,
    within,
)

__all__ = ["cdf", "logpmf", "pmf"]


def logpmf(k: Any, mu: Any, loc: Any = 0.0) -> Any:
    """k log mu − log k! − mu for integers k ≥ 0 (after the shift by loc), −inf elsewhere."""
    k = anp.subtract(k, loc)
    log_mass = anp.subtract(anp.subtract(xlogy(k, mu), gammaln(anp.add(k, 1.0))), mu)
    return outside(within(k, 0.0) & integral(k), log_mass)


pmf = exp_of(logpmf, "pmf")


def cdf(k: Any, mu: Any, loc: Any = 0.0) -> Any:
    """Q(⌊k⌋ + 1, mu) for k ≥ 0 (after the shift by loc), 0 below."""
    shifted = anp.astype(array_numbers(anp.subtract(k, loc)), np.float64)
    return in_promoted_dtype(
        anp.where(shifted < 0, 0.0, gammaincc(np.floor(shifted) + 1.0, mu)), k, mu, loc
    )


export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
