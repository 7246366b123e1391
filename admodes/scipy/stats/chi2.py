"""The chi-squared distribution with ``df`` degrees of freedom: a gamma distribution with shape
df/2 and scale 2 · scale."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.scipy.stats import gamma
from admodes.scipy.stats._common import exp_of, export_with_scipy_types, log_of

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]


def logpdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The gamma log-density with shape df/2 and scale 2 · scale."""
    return gamma.logpdf(x, anp.multiply(0.5, df), loc, anp.multiply(2.0, scale))


def cdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The gamma cdf with shape df/2 and scale 2 · scale."""
    return gamma.cdf(x, anp.multiply(0.5, df), loc, anp.multiply(2.0, scale))


def sf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The gamma sf with shape df/2 and scale 2 · scale."""
    return gamma.sf(x, anp.multiply(0.5, df), loc, anp.multiply(2.0, scale))


pdf = exp_of(logpdf, "pdf")
logcdf = log_of(cdf)
logsf = log_of(sf)

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
