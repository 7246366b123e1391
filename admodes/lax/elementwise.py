"""``jax.lax``'s elementwise operations, comparisons and bit operations that need no SciPy, with
JAX's values and JAX's derivatives by both engines.

Where ``jax.lax`` and ``jax.numpy`` agree, the ``lax`` name is the ``admodes.numpy`` function
itself (``add is admodes.numpy.add``, ``max is admodes.numpy.maximum``): ``abs``, ``acos``,
``acosh``, ``add``, ``asin``, ``asinh``, ``atan``, ``atan2``, ``atanh``, ``cbrt``, ``ceil``,
``cos``, ``cosh``, ``exp``, ``exp2``, ``expm1``, ``floor``, ``imag``, ``is_finite``, ``log``,
``log1p``, ``max``, ``min`` (a tie splits the derivative ½/½), ``mul``, ``neg``, ``nextafter`` (no
derivative: a traced argument raises, as JAX's), ``real``, ``reciprocal``, ``sign``, ``sin``,
``sinh``, ``sqrt``, ``square``, ``sub``, ``tan``, ``tanh``, the comparisons ``eq``, ``ne``,
``lt``, ``le``, ``gt``, ``ge`` (plain bool arrays) and ``bitwise_and``, ``bitwise_or``,
``bitwise_xor``, ``bitwise_not`` (integers and bools). ``logistic``, ``erfc``, ``bessel_i0e`` and
``bessel_i1e`` are the registry's primitives of those names (``i0e``, ``i1e``).

The others follow ``jax.lax`` where ``jax.numpy`` differs: ``div`` truncates integers toward zero,
``rem`` is C's ``fmod`` (the sign of the dividend), ``round`` breaks ties away from zero by
default, ``clamp(min, x, max)`` takes the bounds first, ``conj`` of a real value is complex,
``pow`` differentiates as ``lax.pow`` (``pow`` and ``complex`` are primitives of their own),
``convert_element_type`` converts as XLA does.

``jax.lax`` requires operands of equal shapes and dtypes; ``admodes.lax`` broadcasts and promotes
them as ``admodes.numpy`` does (a superset: code that runs under JAX runs here). Differences left:
the ``accuracy=`` argument of ``exp``, ``sin``, ... and ``mul``'s ``out_dtype=`` are not accepted,
integer inputs are accepted where JAX wants floats (``floor``, ``is_finite``, ``real``, ...), and
``sign(-0.0)`` is NumPy's +0.0 (JAX's −0.0).
"""

from __future__ import annotations

import builtins
import enum
import operator
import warnings
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, plain, to_integers
from admodes.registry import defbatch, defelementwise, defprim
from admodes.rules.batching import elementwise
from admodes.rules.elementwise import (
    check_real,
    erfc,
    i0e,
    i1e,
    logistic,
    multiply,
    power,
    subtract,
    where,
)
from admodes.rules.shape import astype

__all__ = [
    "RoundingMethod",
    "abs",
    "acos",
    "acosh",
    "add",
    "asin",
    "asinh",
    "atan",
    "atan2",
    "atanh",
    "bessel_i0e",
    "bessel_i1e",
    "bitwise_and",
    "bitwise_not",
    "bitwise_or",
    "bitwise_xor",
    "cbrt",
    "ceil",
    "clamp",
    "complex",
    "conj",
    "convert_element_type",
    "cos",
    "cosh",
    "div",
    "eq",
    "erfc",
    "exp",
    "exp2",
    "expm1",
    "floor",
    "ge",
    "gt",
    "imag",
    "integer_pow",
    "is_finite",
    "le",
    "log",
    "log1p",
    "logistic",
    "lt",
    "max",
    "min",
    "mul",
    "ne",
    "neg",
    "nextafter",
    "pow",
    "real",
    "reciprocal",
    "rem",
    "round",
    "rsqrt",
    "sign",
    "sin",
    "sinh",
    "sqrt",
    "square",
    "sub",
    "tan",
    "tanh",
]

# ---------------------------------------------------------------------------- as in jax.numpy
abs = anp.abs
acos = anp.arccos
acosh = anp.arccosh
add = anp.add
asin = anp.arcsin
asinh = anp.arcsinh
atan = anp.arctan
atan2 = anp.arctan2
atanh = anp.arctanh
cbrt = anp.cbrt
ceil = anp.ceil
cos = anp.cos
cosh = anp.cosh
exp = anp.exp
exp2 = anp.exp2
expm1 = anp.expm1
floor = anp.floor
imag = anp.imag
is_finite = anp.isfinite
log = anp.log
log1p = anp.log1p
max = anp.maximum
min = anp.minimum
mul = anp.multiply
neg = anp.negative
nextafter = anp.nextafter
real = anp.real
reciprocal = anp.reciprocal
sign = anp.sign
sin = anp.sin
sinh = anp.sinh
sqrt = anp.sqrt
square = anp.square
sub = anp.subtract
tan = anp.tan
tanh = anp.tanh
eq = anp.equal
ne = anp.not_equal
lt = anp.less
le = anp.less_equal
gt = anp.greater
ge = anp.greater_equal
bitwise_and = anp.bitwise_and
bitwise_or = anp.bitwise_or
bitwise_xor = anp.bitwise_xor
bitwise_not = anp.bitwise_not
bessel_i0e = i0e
bessel_i1e = i1e


def rsqrt(x: Any) -> Any:
    """1/√x; its derivative −½·x^(−3/2) is JAX's −½·rsqrt(x)/x (−inf at 0)."""
    return anp.divide(1.0, anp.sqrt(x))


# ---------------------------------------------------------------------------- division
def _is_integer(x: Any) -> bool:
    """Whether x has a (signed or unsigned) integer dtype."""
    return dtype_of(x).kind in "iu"


def _integer_division(x: Any, y: Any) -> tuple[Any, Any]:
    """(trunc(x/y), x − y·trunc(x/y)) of integers as XLA computes them: where y = 0, all bits set
    (−1; the largest unsigned value) and x; INT_MIN / −1 wraps to INT_MIN, remainder 0."""
    dtype = np.result_type(x, y)  # before np.asarray: a Python int stays weak
    x, y = np.asarray(x, dtype), np.asarray(y, dtype)
    zero = y == 0
    safe = np.where(zero, 1, y)
    r = np.fmod(x, safe)
    with np.errstate(over="ignore"):  # INT_MIN // -1
        q = (x - r) // safe  # exact: x − r is a multiple of y
    return np.where(zero, ~np.zeros((), dtype), q)[()], np.where(zero, x, r)[()]


def div(x: Any, y: Any) -> Any:
    """x / y; for integers the quotient truncated toward zero (C's, not NumPy's floor division),
    −1 where y = 0 (XLA's value; JAX calls it implementation-defined)."""
    if _is_integer(x) and _is_integer(y):
        return _integer_division(x, y)[0]
    return anp.divide(x, y)


def rem(x: Any, y: Any) -> Any:
    """x − y·trunc(x/y): C's fmod, the sign of x (not NumPy's remainder); ∂/∂x = 1, ∂/∂y =
    −trunc(x/y). For integers, x where y = 0 (XLA's value)."""
    if _is_integer(x) and _is_integer(y):
        return _integer_division(x, y)[1]
    return anp.fmod(x, y)


# ---------------------------------------------------------------------------- powers
def _float_exponent(x: Any, y: Any) -> Any:
    """y in x's dtype where it is integers (JAX converts an integer exponent to the base's)."""
    if not _is_integer(y):
        return y
    return float(y) if isinstance(y, int) else np.asarray(y).astype(dtype_of(x))


def _pow_dx(ans: Any, x: Any, y: Any) -> Any:
    """∂xʸ/∂x = y·x^(y−1) as JAX's: 0 where an integer y is 0, but 0·x⁻¹ where a float y is 0
    (nan at x = 0); x^(y−1) is a float power again, so every order is JAX's."""
    e = _float_exponent(x, y)
    slope = multiply(e, _pow(x, subtract(e, 1.0)))
    return where(plain(y) == 0, 0.0, slope) if _is_integer(y) else slope


def _pow_dy(ans: Any, x: Any, y: Any) -> Any:
    """∂xʸ/∂y = log(x)·xʸ, with x = 0 replaced by 1 in the logarithm (JAX's guard)."""
    return multiply(log(where(plain(x) == 0, 1.0, x)), ans)


_pow = defelementwise("pow", lambda x, y: power.impl(x, _float_exponent(x, y)), _pow_dx, _pow_dy)


def pow(x: Any, y: Any) -> Any:
    """xʸ for a float or complex x (an integer y converted to x's dtype), as ``lax.pow``:
    ∂/∂x = y·x^(y−1) (0 where an integer y is 0), ∂/∂y = log(x)·xʸ (0 at x = 0)."""
    if dtype_of(x).kind not in "fc":
        raise TypeError(
            f"pow: the base x must be a float or complex (as in JAX), got {dtype_of(x)}: "
            "convert it (`lax.convert_element_type(x, float)`), or use lax.integer_pow(x, n) "
            "for a Python integer n"
        )
    return _pow(x, y)


def integer_pow(x: Any, y: int) -> Any:
    """xʸ for a Python integer y (JAX's static exponent; an integral float such as 2.0 too, as
    JAX takes it): derivative y·x^(y−1), and 0 for y = 0 (x⁰ = 1 everywhere, inf and nan too)."""
    try:
        n = operator.index(y)
    except TypeError:
        if not (isinstance(y, float | np.floating) and float(y).is_integer()):
            raise TypeError(
                f"integer_pow: the exponent y must be a Python int (JAX's static exponent), got "
                f"{y!r}: use lax.pow(x, y) for a float or an array exponent"
            ) from None
        n = int(y)
    if n < 0 and _is_integer(x):
        raise TypeError(
            f"integer_pow: integers cannot be raised to negative powers, got an integer x "
            f"({dtype_of(x)}) and y = {n}: convert x to a float first"
        )
    return anp.power(x, n)


# ---------------------------------------------------------------------------- rounding
class RoundingMethod(enum.IntEnum):
    """How ``round`` breaks a tie (JAX's values)."""

    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x: Any, rounding_method: Any = RoundingMethod.AWAY_FROM_ZERO) -> Any:
    """x rounded to the nearest integer, a tie away from zero (JAX's default: ±2.5 → ±3) or to
    even (``TO_NEAREST_EVEN``, NumPy's: 2.5 → 2); derivative 0."""
    if RoundingMethod(rounding_method) is RoundingMethod.TO_NEAREST_EVEN:
        return anp.round(x)
    check_real("round", x)
    p = np.asarray(plain(x))
    with np.errstate(invalid="ignore"):  # inf − inf: ±inf round to themselves by floor and ceil
        half_up = np.abs(p - np.trunc(p)) >= 0.5
    use_ceil = np.where(p > 0, half_up, (p < 0) & ~half_up)
    return anp.where(use_ceil, anp.ceil(x), anp.floor(x))


# ---------------------------------------------------------------------------- bounds
def clamp(min: Any, x: Any, max: Any) -> Any:
    """min(max(x, min), max) (the bounds first, as JAX's), selected as JAX differentiates it: the
    derivative goes to x where min < x < max, to min where x < min < max, to max where max < x,
    and to none at a tie or where min ≥ max ≥ x."""
    lo, p, hi = plain(min), plain(x), plain(max)  # a Python float stays weak in promotion
    value = np.minimum(np.maximum(p, lo), hi)
    selected = anp.where(hi < p, max, value)
    selected = anp.where((lo > p) & (lo < hi), min, selected)
    return anp.where((p > lo) & (p < hi), x, selected)


# ---------------------------------------------------------------------------- complex values
def _complex_impl(x: Any, y: Any) -> Any:
    """x + iy, built exactly (NumPy's x + 1j·y is nan + i·inf at y = inf), in the complex dtype
    of x and y (complex64 from float32)."""
    if type(x) is float and type(y) is float:
        return builtins.complex(x, y)
    out = np.empty(np.broadcast_shapes(np.shape(x), np.shape(y)), np.result_type(x, y, 1j))
    out.real, out.imag = x, y
    return out[()] if out.ndim == 0 else out


_complex = defprim(  # linear: tangent tx + i·ty; cotangents Re ḡ and −Im ḡ (JAX's transpose)
    "complex",
    _complex_impl,
    jvps=[lambda t, ans, x, y: _complex(t, 0.0), lambda t, ans, x, y: _complex(0.0, t)],
    vjps=[lambda g, ans, x, y: anp.real(g), lambda g, ans, x, y: anp.negative(anp.imag(g))],
    broadcasts=True,
    batched_jvp=True,
    batched_vjp=True,
)
defbatch(elementwise, _complex)


def complex(x: Any, y: Any) -> Any:
    """x + i·y of real x and y (exact at inf and nan); derivatives JAX's: tangent tx + i·ty,
    cotangents Re ḡ and −Im ḡ."""
    for name, part in (("x", x), ("y", y)):
        if dtype_of(part).kind == "c":
            raise TypeError(
                f"complex: {name} must be real (x and y are the real and imaginary parts), got "
                f"{dtype_of(part)}: pass lax.real(z) and lax.imag(z) of a complex z"
            )
    return _complex(x, y)


def conj(x: Any) -> Any:
    """The complex conjugate x̄; a real x gives the complex x + 0i (JAX's ``lax.conj`` always
    returns a complex dtype), whose cotangent is the real part."""
    return anp.conj(x) if dtype_of(x).kind == "c" else _complex(x, 0.0)


# ---------------------------------------------------------------------------- dtype conversion
def numeric_dtype(new_dtype: Any, fn: str) -> np.dtype:
    """``new_dtype`` as a numeric or bool NumPy dtype, or the error JAX raises (``fn``: the
    function asking, for the message)."""
    if new_dtype is None:
        raise ValueError(f"{fn}: dtype must be specified (np.float32, 'int32', ...), got None")
    try:
        target = np.dtype(new_dtype)
    except TypeError:
        raise TypeError(
            f"{fn}: new_dtype must be a dtype (np.float32, 'int32', bool, ...), got {new_dtype!r}"
        ) from None
    if target.kind not in "biufc":
        raise TypeError(
            f"{fn} converts to numeric and bool dtypes, got {target}: pass a float, complex, "
            "integer or bool dtype"
        )
    return target


def convert_element_type(operand: Any, new_dtype: Any) -> Any:
    """operand converted to ``new_dtype`` as XLA converts: complex to real keeps the real part
    (with JAX's ComplexWarning), floats to integers truncate and saturate (nan → 0). Float and
    complex results carry the derivative; integer and bool ones are constants (JAX's float0)."""
    target = numeric_dtype(new_dtype, "convert_element_type")
    if dtype_of(operand).kind == "c" and target.kind != "c":
        warnings.warn(
            "Casting complex values to real discards the imaginary part",
            np.exceptions.ComplexWarning,
            stacklevel=2,
        )
        operand = anp.real(operand)
    if target.kind not in "fc":
        return to_integers(plain(operand), target)
    if target.kind == "c" and dtype_of(operand).kind != "c":
        operand = _complex(operand, 0.0)
    return operand if dtype_of(operand) == target else astype(operand, dtype=target)
