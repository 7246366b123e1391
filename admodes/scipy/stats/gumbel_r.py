"""The right-skewed Gumbel distribution with location and scale."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.nn import log1mexp
from admodes.scipy.stats._common import (
    cdf_of,
    exp_of,
    export_with_scipy_types,
    negated,
    ppf_of,
    probability,
    rescaled,
    standardized,
)

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−(y + e^(−y)) − log scale, y = (x − loc)/scale."""
    y = standardized(x, loc, scale)
    return rescaled(anp.negative(anp.add(y, anp.exp(anp.negative(y)))), scale)


def _standard_logcdf(y: Any) -> Any:
    """−e^(−y)."""
    return anp.negative(anp.exp(anp.negative(y)))


def _standard_cdf(y: Any) -> Any:
    """exp(−e^(−y))."""
    return anp.exp(_standard_logcdf(y))


def _standard_sf(y: Any) -> Any:
    """1 − exp(−e^(−y)), as SciPy computes it, −expm1(−e^(−y)) (no cancellation in the upper
    tail; JAX's derivative)."""
    return anp.negative(anp.expm1(_standard_logcdf(y)))


def _standard_logsf(y: Any) -> Any:
    """log(1 − exp(−e^(−y))) = log1mexp(e^(−y))."""
    return log1mexp(anp.exp(anp.negative(y)))


def _standard_ppf(q: Any) -> Any:
    """−log(−log q) for 0 ≤ q ≤ 1 (−inf and inf at 0 and 1, SciPy's ends of the support, where
    JAX's is nan), nan elsewhere. Its slope 1/(q · (−log q)) is +inf at q = 1 (−log 1 is +0)."""
    return probability(q, anp.negative(anp.log(negated(anp.log(q)))))


pdf = exp_of(logpdf, "pdf")
cdf = cdf_of(_standard_cdf, "cdf")
logcdf = cdf_of(_standard_logcdf, "logcdf")
sf = cdf_of(_standard_sf, "sf")
logsf = cdf_of(_standard_logsf, "logsf")
ppf = ppf_of(_standard_ppf, "ppf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
