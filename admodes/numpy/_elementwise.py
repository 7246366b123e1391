"""Elementwise functions of ``admodes.numpy`` beyond the core arithmetic: registry primitives under
NumPy's names, and composites written as JAX writes them, so that their derivatives at special
points (``sinc`` at 0, ``heaviside`` at 0, ``nan_to_num`` at non-finite entries) are JAX's.

On plain inputs each returns NumPy's value: its dtype, and a NumPy scalar for scalar inputs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as _np

from admodes.core import Traced, dtype_of, plain
from admodes.numpy._functions import _plain_fn
from admodes.rules.elementwise import (  # noqa: F401  (re-exported: the registry's primitives)
    abs,
    arccosh,
    arcsinh,
    arctanh,
    cbrt,
    ceil,
    copysign,
    divide,
    floor,
    fmod,
    hypot,
    logaddexp,
    multiply,
    power,
    remainder,
    round,
    sin,
    sinc_maclaurin,
    where,
)

mod = remainder
floor_divide = _plain_fn(_np.floor_divide)  # piecewise constant: derivative 0, as JAX


def _numpy_scalar(out: Any) -> Any:
    """A 0-d plain result as the NumPy scalar a ufunc returns for scalar inputs."""
    return out[()] if isinstance(out, _np.ndarray) and out.ndim == 0 else out


def fabs(x: Any) -> Any:
    """|x| as JAX's ``lax.abs`` (fabs'(0) = 1); integer inputs give NumPy's float result."""
    return abs(x) if _np.issubdtype(dtype_of(x), _np.inexact) else _np.fabs(x)


def positive(x: Any) -> Any:
    """+x (NumPy returns a copy of a plain array)."""
    return x if isinstance(x, Traced) else _np.positive(x)


def deg2rad(x: Any) -> Any:
    """x · π/180."""
    return multiply(x, _np.pi / 180.0)


def rad2deg(x: Any) -> Any:
    """x · 180/π."""
    return multiply(x, 180.0 / _np.pi)


radians, degrees = deg2rad, rad2deg


def logaddexp2(x1: Any, x2: Any) -> Any:
    """log₂(2^x1 + 2^x2) = logaddexp(x1·ln 2, x2·ln 2) / ln 2; derivative 2^(x − ans), as JAX's."""
    ln2 = math.log(2.0)
    return divide(logaddexp(multiply(x1, ln2), multiply(x2, ln2)), ln2)


def sinc(x: Any) -> Any:
    """sin(πx)/(πx), and 1 at x = 0, as JAX computes it: at 0 the value and every derivative come
    from the Maclaurin series (sinc'(0) = 0, sinc''(0) = −π²/3); elsewhere the quotient sees a safe
    denominator, so no nan reaches either mode."""
    at_zero = plain(x) == 0
    pi_x = multiply(_np.pi, x)
    safe = where(at_zero, 1.0, pi_x)
    return _numpy_scalar(where(at_zero, sinc_maclaurin(pi_x, k=0), divide(sin(safe), safe)))


def _float64(x: Any) -> Any:
    """x in float64; a traced value of another dtype is promoted by a float64 scalar (NEP 50)."""
    if dtype_of(x) == _np.float64:
        return x
    if isinstance(x, Traced):
        return multiply(x, _np.float64(1.0))
    return _np.asarray(x, dtype=_np.float64)


def float_power(x1: Any, x2: Any) -> Any:
    """x1 ** x2 computed in float64, whatever the inputs' dtypes (NumPy's ``float_power``)."""
    return power(_float64(x1), _float64(x2))


def nan_to_num(
    x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
    neginf: float | None = None,
) -> Any:  # fmt: skip
    """nan, +inf and -inf replaced by ``nan``, ``posinf`` (default: the dtype's largest value) and
    ``neginf`` (its most negative); the derivative is 1 at finite entries and 0 at replaced ones.
    Integer and bool inputs are returned unchanged. ``copy`` is accepted for NumPy's signature."""
    dtype = dtype_of(x)
    if not _np.issubdtype(dtype, _np.inexact):
        return x
    info = _np.finfo(dtype)
    p = plain(x)
    out = where(_np.isnan(p), _np.asarray(nan, dtype), x)
    out = where(_np.isposinf(p), _np.asarray(info.max if posinf is None else posinf, dtype), out)
    out = where(_np.isneginf(p), _np.asarray(info.min if neginf is None else neginf, dtype), out)
    return _numpy_scalar(out)


def heaviside(x1: Any, x2: Any) -> Any:
    """0 where x1 < 0, 1 where x1 > 0, x2 where x1 = 0 (and x1 where it is nan), as JAX selects
    it: zero derivative w.r.t. x1; x2's derivative flows where x1 = 0."""
    p = plain(x1)
    return _numpy_scalar(where(p < 0, 0.0, where(p > 0, 1.0, where(_np.isnan(p), x1, x2))))


# ------------------------------------------------------------------------------ rounding
def trunc(x: Any) -> Any:
    """x rounded towards zero: ceil(x) where x < 0, else floor(x) (JAX's select; derivative 0)."""
    if not isinstance(x, Traced):
        return _np.trunc(x)
    return where(plain(x) < 0, ceil(x), floor(x))


def fix(x: Any) -> Any:
    """x rounded towards zero: floor(x) where x ≥ 0, else ceil(x) (NumPy's ``fix``; derivative
    0)."""
    if not isinstance(x, Traced):
        return _np.fix(x)
    return where(plain(x) >= 0, floor(x), ceil(x))


def rint(x: Any) -> Any:
    """x rounded to the nearest integer, ties to even (``round(x)``; derivative 0)."""
    return round(x) if isinstance(x, Traced) else _np.rint(x)


def around(a: Any, decimals: int = 0, out: None = None) -> Any:
    """``round(a, decimals)``: rounded to ``decimals`` places, ties to even (derivative 0)."""
    if out is not None:
        raise TypeError("out= is not supported: use the returned value")
    return round(a, decimals)


signbit = _plain_fn(_np.signbit)
signbit.__doc__ = "Whether the sign bit is set (x < 0, and −0.0), on plain values (bool)."


# ------------------------------------------------------------------------------ NaN-ignoring
def _nan_ignoring(np_fn: Any, wins: Any, word: str) -> Any:
    """NumPy's ``np_fn`` (fmax, fmin) on traced values: x1 where ``wins(x1, x2)`` or x2 is NaN,
    else x2 (JAX's select, so a tie sends the whole derivative to x2, not ½ to each as
    ``maximum`` and ``minimum`` do)."""

    def select(x1: Any, x2: Any) -> Any:
        if not (isinstance(x1, Traced) or isinstance(x2, Traced)):
            return np_fn(x1, x2)
        p1, p2 = plain(x1), plain(x2)
        return where(wins(p1, p2) | _np.isnan(p2), x1, x2)

    select.__name__ = np_fn.__name__
    select.__doc__ = f"The {word} of x1 and x2, ignoring a NaN (a tie: all to x2, as JAX)."
    return select


fmax = _nan_ignoring(_np.fmax, _np.greater, "larger")
fmin = _nan_ignoring(_np.fmin, _np.less, "smaller")
