"""The normal distribution with location and scale truncated to a ≤ y ≤ b, y = (x − loc)/scale
(the bounds ``a`` and ``b`` in standard units, as SciPy)."""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.core import dtype_of, ndim, numbers
from admodes.scipy.special import log_ndtr, logsumexp, ndtr
from admodes.scipy.stats import norm
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    in_promoted_dtype,
    invalid,
    outside,
    standardized,
)

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]


def _log_diff(log_p: Any, log_q: Any) -> Any:
    """log(e^log_p − e^log_q): logsumexp with the weights 1 and −1 (JAX's)."""
    weights = np.array([1.0, -1.0], dtype_of(log_p)).reshape((2,) + (1,) * ndim(log_p))
    return logsumexp(anp.stack([log_p, log_q]), axis=0, b=weights)


def _log_gauss_mass(a: Any, b: Any) -> Any:
    """log(Φ(b) − Φ(a)) for a < b, as JAX and SciPy compute it: in a tail (b ≤ 0, or a > 0
    mirrored to −b < −a < 0), log_diff(log Φ(b), log Φ(a)); around 0, log1p(−Φ(a) − Φ(−b)).
    Each form sees a and b only where it is taken (the bounds −1 and 0, or −1 and 1, elsewhere),
    and log Φ(−∞) is the constant −inf, so that no infinite slope meets a zero weight (log Φ at
    −∞, the logarithm of a mass that rounds to 0), where JAX's gradient can be nan."""
    a, b = anp.broadcast_arrays(a, b)
    a_plain, b_plain = array_numbers(a), array_numbers(b)
    right = a_plain > 0
    central = ~((b_plain <= 0) | right)
    a_tail = anp.where(central, -1.0, anp.where(right, anp.negative(b), a))
    b_tail = anp.where(central, 0.0, anp.where(right, anp.negative(a), b))
    unbounded = numbers(a_tail) == -np.inf  # log Φ(−∞) = −inf, a constant
    log_a = anp.where(unbounded, -np.inf, log_ndtr(anp.where(unbounded, 0.0, a_tail)))
    tail = _log_diff(log_ndtr(b_tail), log_a)
    a_around, b_around = anp.where(central, a, -1.0), anp.where(central, b, 1.0)
    around = anp.log1p(anp.negative(anp.add(ndtr(a_around), ndtr(anp.negative(b_around)))))
    return anp.where(central, around, tail)


def _no_interval(a: Any, b: Any) -> np.ndarray:
    """Where a < b fails (numbers; a nan bound too): nan, as SciPy and JAX."""
    return ~(array_numbers(a) < array_numbers(b))


def _bounds(a: Any, b: Any, *others: Any) -> tuple[Any, Any]:
    """a and b in the dtype JAX's promotion gives all the arguments (Python floats weak: float32
    with a float32 x)."""
    return tuple(in_promoted_dtype(v, a, b, *others) for v in (a, b))


def _interior(a: Any, b: Any) -> Any:
    """A point strictly inside (a, b) (numbers, a < b): the midpoint, 1 from the finite end of a
    half-line, 0 on the whole line."""
    finite_a, finite_b = np.isfinite(a), np.isfinite(b)
    with np.errstate(invalid="ignore"):
        middle = np.where(finite_a & finite_b, (a + b) / 2, 0.0)
    lower_only = np.where(finite_b & ~finite_a, b - 1.0, middle)
    return np.where(finite_a & ~finite_b, a + 1.0, lower_only)


def logpdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log φ(y) − log scale − log(Φ(b) − Φ(a)) for a ≤ y ≤ b, −inf elsewhere; nan for a ≥ b."""
    a, b = _bounds(a, b, x, loc, scale)
    y = array_numbers(standardized(x, loc, scale))
    support = ~((y < numbers(a)) | (y > numbers(b)))
    log_density = anp.subtract(norm.logpdf(x, loc, scale), _log_gauss_mass(a, b))
    return invalid(_no_interval(a, b), outside(support, log_density))


def logcdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log((Φ(y) − Φ(a))/(Φ(b) − Φ(a))) for a < y < b, as JAX and SciPy compute it: through the
    masses' logarithms, and where that is above −0.1, log1p(−sf) (no cancellation near 1); 0 from
    b on, −inf up to a; nan for a ≥ b. Each form sees y only where it is taken (a point inside
    (a, b) elsewhere)."""
    y, a, b = anp.broadcast_arrays(standardized(x, loc, scale), *_bounds(a, b, x, loc, scale))
    y_plain, a_plain, b_plain = (array_numbers(v) for v in (y, a, b))
    above, below = y_plain >= b_plain, y_plain <= a_plain
    inside = ~(above | below)  # a nan y too: nan
    interior = _interior(a_plain, b_plain).astype(y_plain.dtype)
    log_mass = _log_gauss_mass(a, b)
    lower = anp.subtract(_log_gauss_mass(a, anp.where(inside, y, interior)), log_mass)
    near = inside & (array_numbers(lower) > -0.1)
    upper = anp.subtract(_log_gauss_mass(anp.where(near, y, interior), b), log_mass)
    value = anp.where(near, anp.log1p(anp.negative(anp.exp(upper))), lower)
    value = anp.where(above, 0.0, outside(~below, value))
    return invalid(_no_interval(a, b), value)


def logsf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """The logcdf of the mirror image: logcdf(−x, −b, −a, −loc, scale)."""
    return logcdf(anp.negative(x), anp.negative(b), anp.negative(a), anp.negative(loc), scale)


pdf = exp_of(logpdf, "pdf")
cdf = exp_of(logcdf, "cdf")
sf = exp_of(logsf, "sf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
