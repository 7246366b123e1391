"""The exponential distribution with location and scale (rate 1/scale)."""

from __future__ import annotations

import math
from typing import Any

import admodes.numpy as anp
from admodes.core import numbers
from admodes.scipy.stats._common import (
    cdf_of,
    exp_of,
    export_with_scipy_types,
    log_tail_of,
    outside,
    ppf_of,
    probability,
    rescaled,
    standardized,
    within,
)

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−y − log scale, y = (x − loc)/scale ≥ 0."""
    y = standardized(x, loc, scale)
    return outside(within(y, 0.0), rescaled(anp.negative(y), scale))


def _standard_cdf(y: Any) -> Any:
    """1 − e^(−y) = −expm1(−y) for y ≥ 0, 0 below."""
    return anp.where(numbers(y) < 0, 0.0, anp.negative(anp.expm1(anp.negative(y))))


def _standard_logsf(y: Any) -> Any:
    """−y for y ≥ 0, 0 below."""
    return anp.where(numbers(y) < 0, 0.0, anp.negative(y))


def _standard_sf(y: Any) -> Any:
    """e^(−y) for y ≥ 0, 1 below."""
    return anp.exp(_standard_logsf(y))


def _standard_ppf(q: Any) -> Any:
    """−log(1 − q) for 0 ≤ q ≤ 1, nan elsewhere."""
    return probability(q, anp.negative(anp.log1p(anp.negative(q))))


pdf = exp_of(logpdf, "pdf")
cdf = cdf_of(_standard_cdf, "cdf")
sf = cdf_of(_standard_sf, "sf")
logsf = cdf_of(_standard_logsf, "logsf")
logcdf = log_tail_of(_standard_cdf, _standard_sf, math.log(2.0), "logcdf")
ppf = ppf_of(_standard_ppf, "ppf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
