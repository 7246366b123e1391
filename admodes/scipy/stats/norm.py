"""The normal distribution N(loc, scale²)."""

from __future__ import annotations

import math
from typing import Any

import admodes.numpy as anp
from admodes.scipy.special import log_ndtr, ndtr, ndtri
from admodes.scipy.stats._common import exp_of, rescaled, standardized

LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−z²/2 − log √(2π) − log scale, z = (x − loc)/scale."""
    z = standardized(x, loc, scale)
    return rescaled(anp.subtract(anp.multiply(-0.5, anp.square(z)), LOG_SQRT_2PI), scale)


pdf = exp_of(logpdf, "pdf")


def cdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return ndtr(standardized(x, loc, scale))


def logcdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return log_ndtr(standardized(x, loc, scale))


def sf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """1 − Φ(z) = Φ(−z)."""
    return ndtr(anp.negative(standardized(x, loc, scale)))


def logsf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    return log_ndtr(anp.negative(standardized(x, loc, scale)))


def ppf(q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """loc + scale · Φ⁻¹(q)."""
    return anp.add(loc, anp.multiply(scale, ndtri(q)))


def isf(q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """loc − scale · Φ⁻¹(q)."""
    return anp.subtract(loc, anp.multiply(scale, ndtri(q)))
