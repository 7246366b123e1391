"""The uniform distribution on [loc, loc + scale]."""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.core import numbers
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    in_promoted_dtype,
    invalid,
    nonpositive,
    outside,
    ppf_of,
    probability,
    standardized,
    within,
)

__all__ = ["cdf", "logpdf", "pdf", "ppf"]


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−log scale for 0 ≤ y ≤ 1, y = (x − loc)/scale (the ends included, as SciPy); −inf
    elsewhere; nan at a nan y (SciPy's; JAX's is −log scale). Its derivative in x and loc is 0."""
    y = array_numbers(standardized(x, loc, scale))
    density = invalid(nonpositive(scale) | np.isnan(y), anp.negative(anp.log(scale)))
    return outside(within(y, 0.0, 1.0), in_promoted_dtype(density, x, loc, scale))


def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """y clipped to [0, 1] (derivative 1/scale at the ends, as JAX's select)."""
    y = standardized(x, loc, scale)
    return anp.where(numbers(y) < 0, 0.0, anp.where(numbers(y) > 1, 1.0, y))


def _standard_ppf(q: Any) -> Any:
    """q for 0 ≤ q ≤ 1, nan elsewhere."""
    return probability(q, q)


pdf = exp_of(logpdf, "pdf")
ppf = ppf_of(_standard_ppf, "ppf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
