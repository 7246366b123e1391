"""The gamma distribution with shape ``a``, location and scale."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.scipy.special import gammainc, gammaincc, gammaln, xlogy
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    invalid,
    log_of,
    nonnegative,
    nonpositive,
    outside,
    rescaled,
    standardized,
    within,
)

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]


def logpdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """(a − 1) log y − y − log Γ(a) − log scale, y = (x − loc)/scale ≥ 0; nan for a ≤ 0 (SciPy's;
    JAX's is its formula's). Outside the support the density is evaluated at y = 1 (JAX's), so
    its derivative in a is 0 there, not NaN."""
    y = standardized(x, loc, scale)
    support = within(y, 0.0)
    y = anp.where(support, y, 1.0)
    log_density = anp.subtract(anp.subtract(xlogy(anp.subtract(a, 1.0), y), y), gammaln(a))
    return invalid(nonpositive(a), outside(support, rescaled(log_density, scale)))


pdf = exp_of(logpdf, "pdf")


def cdf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """P(a, max(y, 0)); nan for a ≤ 0."""
    return invalid(nonpositive(a), gammainc(a, nonnegative(standardized(x, loc, scale))))


def sf(x: Any, a: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """Q(a, max(y, 0)); nan for a ≤ 0."""
    return invalid(nonpositive(a), gammaincc(a, nonnegative(standardized(x, loc, scale))))


logcdf = log_of(cdf)
logsf = log_of(sf)

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
