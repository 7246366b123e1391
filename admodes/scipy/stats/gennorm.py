"""The generalized normal distribution with shape ``beta``, location and scale (``beta`` = 2: a
normal distribution with scale/√2; 1: the Laplace distribution)."""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import numbers
from admodes.scipy.special import gammaincc, gammaln
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    invalid,
    nonpositive,
    rescaled,
    standardized,
)

__all__ = ["cdf", "logpdf", "pdf"]


def _log_peak(beta: Any) -> Any:
    """log(β/2) − log Γ(1/β): the standard log-density at 0."""
    return anp.subtract(anp.log(anp.multiply(0.5, beta)), gammaln(anp.reciprocal(beta)))


def logpdf(x: Any, beta: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log(β/2) − log Γ(1/β) − |y|^β − log scale, y = (x − loc)/scale; nan for β ≤ 0."""
    y = standardized(x, loc, scale)
    log_density = anp.subtract(_log_peak(beta), anp.power(anp.abs(y), beta))
    return invalid(nonpositive(beta), rescaled(log_density, scale))


def cdf(x: Any, beta: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """(1 + sign(y) P(1/β, |y|^β))/2, as SciPy computes it, 1/2 + c − c Q(1/β, |y|^β) with
    c = sign(y)/2 (no cancellation in the lower tail; JAX's derivative); at y = 0, 1/2 + y f(0)
    (f the standard density), the same value with the derivative f(0) in y, where the formula's
    is 0 · ∞ (nan, JAX's). nan for β ≤ 0."""
    y = standardized(x, loc, scale)
    centre = numbers(y) == 0
    half_sign = 0.5 * np.sign(numbers(y))
    upper = gammaincc(anp.reciprocal(beta), anp.power(anp.abs(anp.where(centre, 1.0, y)), beta))
    tails = anp.subtract(0.5 + half_sign, anp.multiply(half_sign, upper))
    slope = anp.multiply(anp.where(centre, y, 0.0), anp.exp(_log_peak(beta)))
    return invalid(nonpositive(beta), anp.where(centre, anp.add(0.5, slope), tails))


pdf = exp_of(logpdf, "pdf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
