"""The left-skewed Gumbel distribution with location and scale: the reflection Y ↦ −Y of the
right-skewed one, so its density at y is gumbel_r's at −y, its cdf gumbel_r's sf at −y and its
sf gumbel_r's cdf at −y (negation is exact: the values are those of the formulas written out,
y − e^y, −expm1(−e^y), log1mexp(e^y), −e^y)."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.scipy.stats import gumbel_r
from admodes.scipy.stats._common import (
    cdf_of,
    exp_of,
    export_with_scipy_types,
    ppf_of,
    probability,
    rescaled,
    standardized,
)

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log f(−y) − log scale, f gumbel_r's standard density, y = (x − loc)/scale."""
    y = standardized(x, loc, scale)
    return rescaled(gumbel_r.standard_logpdf(anp.negative(y)), scale)


def _standard_ppf(q: Any) -> Any:
    """log(−log(1 − q)) = log(−log1p(−q)) for 0 ≤ q ≤ 1 (−inf and inf at 0 and 1, SciPy's ends
    of the support, where JAX's is nan), nan elsewhere."""
    return probability(q, anp.log(anp.negative(anp.log1p(anp.negative(q)))))


pdf = exp_of(logpdf, "pdf")
cdf = cdf_of(gumbel_r.standard_sf, "cdf", reflected=True)
logcdf = cdf_of(gumbel_r.standard_logsf, "logcdf", reflected=True)
sf = cdf_of(gumbel_r.standard_cdf, "sf", reflected=True)
logsf = cdf_of(gumbel_r.standard_logcdf, "logsf", reflected=True)
ppf = ppf_of(_standard_ppf, "ppf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
