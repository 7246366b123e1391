"""The Laplace (double exponential) distribution with location and scale."""

from __future__ import annotations

import math
from typing import Any

import admodes.numpy as anp
from admodes.core import numbers
from admodes.scipy.stats._common import exp_of, export_with_scipy_types, rescaled, standardized

__all__ = ["cdf", "logpdf", "pdf"]


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−|y| − log 2 − log scale, y = (x − loc)/scale (derivative −sign(y)/scale in x, −1/scale at
    y = 0: |·|′(0) = 1, as JAX)."""
    y = standardized(x, loc, scale)
    return rescaled(anp.subtract(-math.log(2.0), anp.abs(y)), scale)


def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """e^y / 2 for y ≤ 0, 1 − e^(−y) / 2 above."""
    y = standardized(x, loc, scale)
    below = anp.multiply(0.5, anp.exp(y))
    above = anp.subtract(1.0, anp.multiply(0.5, anp.exp(anp.negative(y))))
    return anp.where(numbers(y) <= 0, below, above)


pdf = exp_of(logpdf, "pdf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
