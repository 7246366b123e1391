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
    in_promoted_dtype,
    invalid,
    rescaled,
    standardized,
)

__all__ = ["logpdf", "pdf"]


def logpdf(x: Any, kappa: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """κ (cos y − sign κ) − log(2π i0e(κ)) − log scale, y = (x − loc)/scale: for κ ≥ 0,
    κ cos y − log(2π I₀(κ)) − log scale (I₀ through the scaled i0e = e^(−|κ|) I₀, which does not
    overflow); nan for κ < 0 (SciPy's; κ = 0 is the uniform density on a period, where JAX's is
    nan). sign κ (1, and 0 at κ = 0) cancels the −sign(κ) · i0e term of i0e′ = i1e − sign(κ) ·
    i0e at every κ, so the κ-derivative is cos y − i1e/i0e = cos y − I₁/I₀ everywhere: cos y at
    κ = 0, the limit (a 1 in place of sign κ would give cos y − 1 there)."""
    y = standardized(x, loc, scale)
    sign = in_promoted_dtype(anp.sign(kappa), x, kappa, loc, scale)  # float32 stays float32
    log_density = anp.subtract(
        anp.multiply(kappa, anp.subtract(anp.cos(y), sign)),
        anp.log(anp.multiply(2.0 * math.pi, i0e(kappa))),
    )
    return invalid(array_numbers(kappa) < 0, rescaled(log_density, scale))


pdf = exp_of(logpdf, "pdf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
