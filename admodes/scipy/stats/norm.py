"""The normal distribution N(loc, scale²)."""

from __future__ import annotations

import math
from typing import Any

import admodes.numpy as anp
from admodes.scipy.special import log_ndtr, ndtr, ndtri
from admodes.scipy.stats._common import (
    cdf_of,
    exp_of,
    export_with_scipy_types,
    ppf_of,
    rescaled,
    standardized,
)

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]

LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−z²/2 − log √(2π) − log scale, z = (x − loc)/scale."""
    z = standardized(x, loc, scale)
    return rescaled(anp.subtract(anp.multiply(-0.5, anp.square(z)), LOG_SQRT_2PI), scale)


pdf = exp_of(logpdf, "pdf")
cdf = cdf_of(ndtr, "cdf")
logcdf = cdf_of(log_ndtr, "logcdf")
sf = cdf_of(ndtr, "sf", reflected=True)  # 1 − Φ(z) = Φ(−z)
logsf = cdf_of(log_ndtr, "logsf", reflected=True)
ppf = ppf_of(ndtri, "ppf")
isf = ppf_of(ndtri, "isf", reflected=True)  # Φ⁻¹(1 − q) = −Φ⁻¹(q)

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
