"""Student's t distribution with ``df`` degrees of freedom, location and scale."""

from __future__ import annotations

import math
from typing import Any

import admodes.numpy as anp
from admodes.scipy.special import gammaln
from admodes.scipy.stats._common import exp_of, export_with_scipy_types, rescaled, standardized

__all__ = ["logpdf", "pdf"]


def logpdf(x: Any, df: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log Γ((ν+1)/2) − log Γ(ν/2) − log(νπ)/2 − log scale − (ν+1)/2 · log(1 + z²/ν)."""
    z = standardized(x, loc, scale)
    half = anp.multiply(0.5, df)
    half_plus = anp.add(half, 0.5)
    normalizer = anp.add(
        anp.subtract(gammaln(half), gammaln(half_plus)),
        anp.multiply(0.5, anp.log(anp.multiply(math.pi, df))),
    )
    kernel = anp.multiply(half_plus, anp.log1p(anp.divide(anp.square(z), df)))
    return rescaled(anp.negative(anp.add(normalizer, kernel)), scale)


pdf = exp_of(logpdf, "pdf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
