"""The von Mises distribution on the circle with concentration ``kappa``, location and scale."""

from __future__ import annotations

import math
from typing import Any

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.scipy.special import i0e
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    invalid,
    rescaled,
    standardized,
)

__all__ = ["logpdf", "pdf"]


def logpdf(x: Any, kappa: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """κ (cos y − 1) − log(2π e^(−κ) I₀(κ)) − log scale, y = (x − loc)/scale (I₀ through the
    scaled i0e, which does not overflow); nan for κ < 0 (SciPy's; κ = 0 is the uniform density on
    a period, where JAX's is nan)."""
    y = standardized(x, loc, scale)
    log_density = anp.subtract(
        anp.multiply(kappa, anp.subtract(anp.cos(y), 1.0)),
        anp.log(anp.multiply(2.0 * math.pi, i0e(kappa))),
    )
    return invalid(array_numbers(kappa) < 0, rescaled(log_density, scale))


pdf = exp_of(logpdf, "pdf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
