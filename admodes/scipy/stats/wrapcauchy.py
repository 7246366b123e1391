"""The wrapped Cauchy distribution on [0, 2π] with shape ``c``, location and scale."""

from __future__ import annotations

import math
from typing import Any

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    invalid,
    outside,
    rescaled,
    standardized,
    within,
)

__all__ = ["logpdf", "pdf"]


def logpdf(x: Any, c: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log(1 − c²) − log 2π − log(1 + c² − 2c cos y) − log scale for 0 ≤ y ≤ 2π, y = (x − loc)/
    scale, −inf elsewhere; nan unless 0 < c < 1."""
    y = standardized(x, loc, scale)
    c_squared = anp.square(c)
    cosine_term = anp.multiply(anp.multiply(2.0, c), anp.cos(y))
    denominator = anp.subtract(anp.add(1.0, c_squared), cosine_term)
    log_density = anp.subtract(
        anp.subtract(anp.log(anp.subtract(1.0, c_squared)), math.log(2.0 * math.pi)),
        anp.log(denominator),
    )
    c_plain = array_numbers(c)
    bad = ~((c_plain > 0) & (c_plain < 1))
    return invalid(bad, outside(within(y, 0.0, 2.0 * math.pi), rescaled(log_density, scale)))


pdf = exp_of(logpdf, "pdf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
