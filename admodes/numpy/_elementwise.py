"""Elementwise functions of ``admodes.numpy`` beyond the core arithmetic: registry primitives under
NumPy's names, and composites written as JAX writes them, so that their derivatives at special
points (``sinc`` at 0, ``heaviside`` at 0, ``nan_to_num`` at non-finite entries, ``i0`` at 0) are
JAX's.

On plain inputs each returns NumPy's value: its dtype, and a NumPy scalar for scalar inputs.
The integer and bit functions (``bitwise_and``, ``gcd``, ``packbits``, ...) are NumPy's own, not
differentiable; ``nextafter`` and ``spacing`` have no derivative, as in JAX.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as _np

from admodes.batching import holds_numbers, on_numbers
from admodes.core import Traced, dtype_of, numbers
from admodes.numpy._functions import _plain_fn, astype
from admodes.rules.elementwise import (  # noqa: F401  (re-exported: the registry's primitives)
    abs,
    arccosh,
    arcsinh,
    arctanh,
    cbrt,
    ceil,
    check_real,
    copysign,
    divide,
    exp_abs,
    floor,
    fmod,
    hypot,
    i0e,
    logaddexp,
    modf_fractional,
    multiply,
    power,
    remainder,
    round,
    sin,
    sin_over,
    where,
)

mod = remainder
floor_divide = _plain_fn(_np.floor_divide)  # piecewise constant: derivative 0, as JAX


def numpy_scalar(out: Any) -> Any:
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
    return numpy_scalar(sin_over(multiply(_np.pi, x)))


def _double(x: Any) -> Any:
    """x in float64, or complex128 if it is complex; a traced value of another dtype is promoted
    by a float64 scalar (NEP 50)."""
    dtype = _np.promote_types(dtype_of(x), _np.float64)
    if dtype_of(x) == dtype:
        return x
    if isinstance(x, Traced):
        return multiply(x, _np.float64(1.0))
    return _np.asarray(x, dtype=dtype)


def float_power(x1: Any, x2: Any) -> Any:
    """x1 ** x2 computed in float64 (complex128 for complex inputs), whatever the inputs' dtypes
    (NumPy's ``float_power``)."""
    return power(_double(x1), _double(x2))


def nan_to_num(
    x: Any, copy: bool = True, nan: float = 0.0, posinf: float | None = None,
    neginf: float | None = None,
) -> Any:  # fmt: skip
    """nan, +inf and -inf replaced by ``nan``, ``posinf`` (default: the dtype's largest value) and
    ``neginf`` (its most negative); the derivative is 1 at finite entries and 0 at replaced ones.
    Integer and bool inputs are returned unchanged; complex ones raise TypeError. ``copy`` is
    accepted for NumPy's signature."""
    dtype = dtype_of(x)
    if not _np.issubdtype(dtype, _np.inexact):
        return x
    check_real("nan_to_num", x)
    info = _np.finfo(dtype)
    p = numbers(x)
    out = where(_np.isnan(p), astype(nan, dtype), x)  # a traced replacement differentiates
    out = where(p == _np.inf, astype(info.max if posinf is None else posinf, dtype), out)
    out = where(p == -_np.inf, astype(info.min if neginf is None else neginf, dtype), out)
    return numpy_scalar(out)


def heaviside(x1: Any, x2: Any) -> Any:
    """0 where x1 < 0, 1 where x1 > 0, x2 where x1 = 0 (and x1 where it is nan), as JAX selects
    it: zero derivative w.r.t. x1; x2's derivative flows where x1 = 0."""
    p = numbers(x1)
    return numpy_scalar(where(p < 0, 0.0, where(p > 0, 1.0, where(_np.isnan(p), x1, x2))))


# ------------------------------------------------------------------------------ rounding
def trunc(x: Any) -> Any:
    """x rounded towards zero: ceil(x) where x < 0, else floor(x) (JAX's select; derivative 0)."""
    if not isinstance(x, Traced):
        return _np.trunc(x)
    return where(numbers(x) < 0, ceil(x), floor(x))


def fix(x: Any) -> Any:
    """x rounded towards zero: floor(x) where x ≥ 0, else ceil(x) (NumPy's ``fix``; derivative
    0)."""
    if not isinstance(x, Traced):
        return _np.fix(x)
    return where(numbers(x) >= 0, floor(x), ceil(x))


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
        p2 = numbers(x2)
        return where(wins(numbers(x1), p2) | _np.isnan(p2), x1, x2)

    select.__name__ = np_fn.__name__
    select.__doc__ = f"The {word} of x1 and x2, ignoring a NaN (a tie: all to x2, as JAX)."
    return select


fmax = _nan_ignoring(_np.fmax, _np.greater, "larger")
fmin = _nan_ignoring(_np.fmin, _np.less, "smaller")


# ------------------------------------------------------------------------- floating-point parts
def _powers_of_two(exponent: Any, dtype: _np.dtype) -> Any:
    """2^exponent elementwise (integer exponents) in ``dtype``: exact, 0 below its smallest
    subnormal and inf above its largest value (silently: a branch ``where`` drops may overflow)."""
    with _np.errstate(over="ignore"):
        return _ldexp_numbers(_np.ones((), dtype), exponent)


#: NumPy's ldexp and frexp on numbers (no derivative), at every index of a vmap at once.
_ldexp_numbers = _plain_fn(_np.ldexp)
_frexp_numbers = _plain_fn(_np.frexp)


def frexp(x: Any) -> tuple[Any, Any]:
    """(mantissa, exponent) with x = mantissa · 2^exponent and 0.5 ≤ |mantissa| < 1 (x itself and
    exponent 0 where x is 0, ±inf or nan); the exponent is a plain int32 array. The mantissa is
    x · 2^−⌊e/2⌋ · 2^−⌈e/2⌉, two exact scalings (a single 2^−e overflows for a subnormal x), so
    its derivative is JAX's 2^−exponent: 1 at 0, ±inf and nan, inf where 2^−exponent overflows."""
    check_real("frexp", x)
    if not isinstance(x, Traced):
        return _np.frexp(x)
    exponent = _frexp_numbers(x)[1]
    dtype, half = dtype_of(x), exponent // 2
    scaled = multiply(x, _powers_of_two(-half, dtype))
    return multiply(scaled, _powers_of_two(half - exponent, dtype)), exponent


def ldexp(x1: Any, x2: Any) -> Any:
    """x1 · 2^x2 for integer (or bool) x2, computed as JAX does: x1's mantissa m and exponent e,
    then m · 2^(e + x2), with m doubled and the power halved where e + x2 > 0 (no power overflows
    where the product does not), and x1 itself where it is 0 or ±inf. NumPy's value (one
    rounding); JAX's derivative in x1: 2^x2 as that product of powers of two, so inf (0) where
    x1 · 2^x2 overflows (underflows to 0), and 1 where x1 is 0 or ±inf (nan in reverse mode where
    the power dropped there overflows: 0 · inf, as JAX's); none in x2."""
    exponent_dtype = dtype_of(x2) if isinstance(x2, Traced) else _np.asarray(x2).dtype
    if exponent_dtype.kind not in "biu":
        raise TypeError(
            f"ldexp: the exponent x2 must be integers (as in NumPy and JAX), got {exponent_dtype}"
            f"{' (a traced value)' if isinstance(x2, Traced) else ''}. Round and convert it "
            "(`np.round(x2).astype(int)`), or write x1 * 2.0**x2 for an exponent to differentiate."
        )
    check_real("ldexp", x1)
    if not isinstance(x1, Traced):
        return _np.ldexp(x1, x2)
    mantissa, exponent = frexp(x1)
    exponent = exponent + (x2 if isinstance(x2, Traced) else _np.asarray(x2))
    overflows = exponent > 0
    mantissa = where(overflows, multiply(mantissa, 2.0), mantissa)
    scaled = multiply(mantissa, _powers_of_two(exponent - overflows, dtype_of(x1)))
    p = numbers(x1)
    return numpy_scalar(where(_np.isinf(p) | (p == 0), x1, scaled))


def modf(x: Any) -> tuple[Any, Any]:
    """(fractional, integral) parts of x, both with x's sign: NumPy's values (fractional part ±0
    at ±inf, where JAX's x − trunc(x) is nan). Derivatives as JAX's: 1 for the fractional part
    (everywhere, ±inf and nan included), 0 for the integral part (``trunc``)."""
    check_real("modf", x)
    if not isinstance(x, Traced):
        return _np.modf(x)
    return modf_fractional(x), trunc(x)


def divmod(x1: Any, x2: Any) -> tuple[Any, Any]:
    """(x1 // x2, x1 % x2): ``floor_divide`` (piecewise constant: derivative 0, as JAX) and
    ``remainder`` (∂/∂x1 = 1, ∂/∂x2 = −⌊x1/x2⌋), NumPy's values."""
    check_real("divmod", x1)
    check_real("divmod", x2)
    return floor_divide(x1, x2), remainder(x1, x2)


def i0(x: Any) -> Any:
    """The modified Bessel function I₀(x) = e^|x| · i0e(|x|), as JAX's ``jnp.i0``: its derivative
    is I₁(x) (by the product rule), and 0 at x = 0 (JAX's rule there, which zeroes every higher
    derivative at 0 too). Integers and bools give float64 (NumPy); ±inf gives nan (e^∞ · 0, as
    NumPy and JAX)."""
    check_real("i0", x)
    if not isinstance(x, Traced):  # NumPy's: integers and bools are converted to float64
        x = _np.asarray(x)
        x = x if x.dtype.kind == "f" else x.astype(_np.float64)
    scaled = multiply(exp_abs(x), i0e(abs(x)))
    return numpy_scalar(where(numbers(x) == 0, 1.0, scaled))


# ------------------------------------------------------------------------ not differentiable
def _refusing_traced(np_fn: Any, error: type[Exception], why: str, instead: str) -> Any:
    """NumPy's ``np_fn`` on plain values; on a traced value, ``error`` saying ``why`` it cannot
    be applied and what to do ``instead``."""

    def fn(*args: Any, **kwargs: Any) -> Any:
        if any(isinstance(a, Traced) for a in (*args, *kwargs.values())):
            raise error(f"{np_fn.__name__} {why}, and it was given a traced value. {instead}")
        return np_fn(*args, **kwargs)

    fn.__name__ = np_fn.__name__
    return fn


def _integer_fn(np_fn: Any) -> Any:
    """NumPy's ``np_fn`` of integer and bool arrays (not differentiable: a traced value, a float
    carrying a derivative, raises TypeError; masks ``vmap`` maps, which carry none, are taken
    at every index at once)."""
    refusing = _refusing_traced(
        np_fn,
        TypeError,
        "takes integer and bool values (a traced value is a float: it carries a derivative)",
        "To use its value as integers on purpose, convert `admodes.stop_gradient(x).astype(int)`.",
    )

    def fn(*args: Any, **kwargs: Any) -> Any:
        if any(holds_numbers(a) for a in args) and not any(
            isinstance(a, Traced) and not holds_numbers(a) for a in args
        ):
            return on_numbers(np_fn, args, kwargs)
        return refusing(*args, **kwargs)

    fn.__name__ = np_fn.__name__
    fn.__doc__ = f"numpy.{np_fn.__name__} on integer and bool values (not differentiable)."
    return fn


bitwise_and = _integer_fn(_np.bitwise_and)
bitwise_or = _integer_fn(_np.bitwise_or)
bitwise_xor = _integer_fn(_np.bitwise_xor)
invert = _integer_fn(_np.invert)
left_shift = _integer_fn(_np.left_shift)
right_shift = _integer_fn(_np.right_shift)
bitwise_count = _integer_fn(_np.bitwise_count)
gcd = _integer_fn(_np.gcd)
lcm = _integer_fn(_np.lcm)
packbits = _integer_fn(_np.packbits)
unpackbits = _integer_fn(_np.unpackbits)
bitwise_not = bitwise_invert = invert
bitwise_left_shift, bitwise_right_shift = left_shift, right_shift

_NO_DERIVATIVE = "has no derivative (nor in JAX)"
_AS_CONSTANT = "To use its value as a constant, apply it to `admodes.stop_gradient(x)`."
nextafter = _refusing_traced(_np.nextafter, NotImplementedError, _NO_DERIVATIVE, _AS_CONSTANT)
nextafter.__doc__ = (
    "The next float after x1 towards x2 (NumPy's value). No derivative, as in JAX: a traced "
    "argument raises NotImplementedError."
)
spacing = _refusing_traced(_np.spacing, NotImplementedError, _NO_DERIVATIVE, _AS_CONSTANT)
spacing.__doc__ = (
    "The distance from x to the next float away from zero, negative for negative x (NumPy's "
    "value). No derivative, as in JAX: a traced argument raises NotImplementedError."
)
