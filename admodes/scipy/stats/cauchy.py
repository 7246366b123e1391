"""The Cauchy distribution with location and scale."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.scipy.stats._common import (
    cdf_of,
    exp_of,
    export_with_scipy_types,
    log_tail_of,
    ppf_of,
    probability,
    rescaled,
    standardized,
)

__all__ = ["cdf", "isf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]


def logpdf(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−log π − log(1 + y²) − log scale, y = (x − loc)/scale; for |y| ≥ 1 as SciPy computes it,
    log(1 + y²) = 2 log|y| + log(1 + 1/y²) (no overflow of y²). Each branch sees y only where it
    is taken."""
    y = standardized(x, loc, scale)
    large = np.abs(array_numbers(y)) >= 1
    near, far = anp.where(large, 0.0, y), anp.where(large, y, 1.0)
    log_far = anp.add(
        anp.multiply(2.0, anp.log(anp.abs(far))), anp.log1p(anp.square(anp.divide(1.0, far)))
    )
    log_term = anp.where(large, log_far, anp.log1p(anp.square(near)))
    return rescaled(anp.negative(anp.add(math.log(math.pi), log_term)), scale)


def _standard_cdf(y: Any) -> Any:
    """1/2 + arctan(y)/π, as SciPy computes it, arctan2(1, −y)/π (no cancellation in the lower
    tail; the same derivative 1/(π(1 + y²)))."""
    return anp.divide(anp.arctan2(1.0, anp.negative(y)), math.pi)


def _standard_sf(y: Any) -> Any:
    """1/2 − arctan(y)/π = arctan2(1, y)/π."""
    return anp.divide(anp.arctan2(1.0, y), math.pi)


def _standard_ppf(q: Any) -> Any:
    """tan(π(q − 1/2)) for 0 ≤ q ≤ 1, as SciPy computes it: −1/tan(πP) with P = q, or
    −(1 − q) above 1/2 (exact in the tails; −inf and inf at 0 and 1, at P = ±0, where JAX's
    tan(∓π/2) is ∓1.6·10¹⁶), and tan(π(q − 1/2)) at 1/2 (0, derivative π); nan outside [0, 1].
    Its derivative is π/sin²(πq), as JAX's π(1 + tan²(πq − π/2)), inf at 0 and 1."""
    q_plain = array_numbers(q)
    middle, upper = q_plain == 0.5, q_plain > 0.5
    reduced = anp.where(middle, 0.25, anp.where(upper, anp.negative(anp.subtract(1.0, q)), q))
    tails = anp.divide(-1.0, anp.tan(anp.multiply(math.pi, reduced)))
    centre = anp.tan(anp.multiply(math.pi, anp.subtract(anp.where(middle, q, 0.5), 0.5)))
    return probability(q, anp.where(middle, centre, tails))


pdf = exp_of(logpdf, "pdf")
cdf = cdf_of(_standard_cdf, "cdf")
sf = cdf_of(_standard_sf, "sf")
logcdf = log_tail_of(_standard_cdf, _standard_sf, 0.0, "logcdf")
logsf = log_tail_of(_standard_sf, _standard_cdf, 0.0, "logsf", upper=True)
ppf = ppf_of(_standard_ppf, "ppf")
isf = ppf_of(_standard_ppf, "isf", reflected=True)  # F⁻¹(1 − q) = −F⁻¹(q)

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
