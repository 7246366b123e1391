"""The logistic distribution with location and scale."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.scipy.special import expit, logit
from admodes.scipy.stats._common import (
    cdf_of,
    exp_of,
    export_with_scipy_types,
    ppf_of,
    rescaled,
    standardized,
)

__all__ = ["cdf", "isf", "logpdf", "pdf", "ppf", "sf"]


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−2 log(e^(y/2) + e^(−y/2)) − log scale, y = (x − loc)/scale (JAX's form: stable at any
    |y|)."""
    half = anp.multiply(0.5, standardized(x, loc, scale))
    return rescaled(anp.multiply(-2.0, anp.logaddexp(half, anp.negative(half))), scale)


pdf = exp_of(logpdf, "pdf")
cdf = cdf_of(expit, "cdf")
sf = cdf_of(expit, "sf", reflected=True)  # 1 − σ(y) = σ(−y)
ppf = ppf_of(logit, "ppf")
isf = ppf_of(logit, "isf", reflected=True)

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
