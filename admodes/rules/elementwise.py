"""Elementwise primitives: one line of local partials each (rules for the few that are not
complex-linear in their tangent: abs and the complex parts real, imag, conj, angle; and for the
selections ``where`` and ``relu``, which drop a tangent rather than multiply it by 0).

Each entry gives ∂ans/∂input as a function of ``(ans, *inputs)``; both engines multiply by it
(``t · ∂`` forward, ``g · ∂`` backward). ``1`` is the identity, ``-1`` negation, ``None`` zero.
Partials call the primitives (``multiply``, ``divide``, ...) rather than Python operators: on plain
values an operator would bypass the registry, so ``count()`` would miss its FLOPs, and on Python
floats ``/`` and ``**`` raise (ZeroDivisionError, OverflowError) where NumPy and JAX give inf/nan.

Conventions at kinks follow JAX: ``abs'(0) = 1``; ``maximum``/``minimum`` split a tie 0.5 / 0.5;
``sqrt'(0) = inf``; ``sign``, ``floor``, ``ceil``, ``round`` have zero derivative; ``relu'(0) = 0``;
``hypot`` at (0, 0) gives 0.5 to each input (JAX's composite meets a tie of two zeros there);
``cbrt'(0) = inf``; ``copysign`` is ``±abs(x)`` (no derivative w.r.t. the sign source);
``remainder`` and ``fmod`` have ∂/∂y = −trunc(x/y) (+1 where ``remainder`` wrapped).

FLOPs (``flops_per_element``): one per arithmetic operation and one per evaluation of a
transcendental or special function (exp, log, sqrt, erfc, ...); a comparison that selects counts 1.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from admodes.core import dtype_of, plain
from admodes.registry import defelementwise, defprim, output_size_cost


def float_fast(math_fn: Callable[..., float], np_fn: Callable[..., Any]) -> Callable[..., Any]:
    """``math_fn`` when every argument is a Python float (10× cheaper than a ufunc call),
    ``np_fn`` otherwise (an array among the arguments broadcasts).

    Where ``math`` raises (domain errors, overflow) NumPy's answer (nan, inf) is returned, as JAX.
    """

    def unary(x: Any) -> Any:
        if type(x) is float:
            try:
                return math_fn(x)
            except (ValueError, OverflowError):
                pass
        return np_fn(x)

    def binary(x: Any, y: Any) -> Any:
        if type(x) is float and type(y) is float:
            try:
                return math_fn(x, y)
            except (ValueError, OverflowError, ZeroDivisionError):
                pass
        return np_fn(x, y)

    impl = unary if np_fn.nin == 1 else binary
    impl.__name__ = np_fn.__name__
    return impl


def _balanced(x: Any, ans: Any, other: Any) -> Any:
    """∂max(x, other)/∂x as JAX defines it: 1 where x won, 0.5 on a tie, 0 where it lost."""
    return divide(where(x == ans, 1.0, 0.0), where(other == ans, 2.0, 1.0))


def _replace_zero(x: Any) -> Any:
    """x with zeros replaced by ones (JAX's guard for log(x) in ∂xʸ/∂y, and for |z| in ∂|z|)."""
    return where(x == 0, 1.0, x)


#: A Python number as an exponent (a tuple, not ``int | float``: that builds a union per call).
_PYTHON_NUMBER = (int, float)


def _power_dx(ans: Any, x: Any, y: Any) -> Any:
    """∂xʸ/∂x = y·xʸ⁻¹, and 0 where y = 0 (JAX)."""
    if isinstance(y, _PYTHON_NUMBER):  # a constant exponent; x¹ = x needs no evaluation
        return 0.0 if y == 0 else multiply(y, x if y == 2 else power(x, y - 1))
    return where(y == 0, 0.0, multiply(y, power(x, subtract(y, 1.0))))


def _divide_impl(x: Any, y: Any) -> Any:
    try:
        return x / y
    except ZeroDivisionError:
        return np.divide(x, y)


def _power_impl(x: Any, y: Any) -> Any:
    if type(x) is float and isinstance(y, _PYTHON_NUMBER):
        try:
            return math.pow(x, y)
        except (ValueError, OverflowError):
            pass
    return np.power(x, y)


def _truncated_quotient(x: Any, y: Any) -> Any:
    """trunc(x / y) as JAX writes it, sign(q)·floor(|q|): the −∂fmod(x, y)/∂y (derivative 0)."""
    q = divide(x, y)
    return multiply(sign(q), floor(abs(q)))


def _remainder_dy(ans: Any, x: Any, y: Any) -> Any:
    """∂(x mod y)/∂y = 1 − trunc(x/y) where the truncated remainder was wrapped into y's sign,
    −trunc(x/y) elsewhere (JAX: remainder = fmod, plus y where the signs differ)."""
    r, py = np.fmod(plain(x), plain(y)), plain(y)
    wrapped = (r != 0) & ((r < 0) != (py < 0))
    return subtract(where(wrapped, 1.0, 0.0), _truncated_quotient(x, y))


def _hypot_dx(ans: Any, x: Any, y: Any) -> Any:
    """∂hypot(x, y)/∂x = x / hypot(x, y); at (0, 0) 0.5 and where an input is infinite 0, as
    JAX's composite (max(|x|, |y|)·√(1 + (min/max)²), inf where an input is inf) gives them."""
    h = plain(ans)
    special = (h == 0) | np.isinf(h)
    if not np.any(special):
        return divide(x, ans)
    return where(h == 0, 0.5, where(special, 0.0, divide(x, where(special, 1.0, ans))))


def _copysign_dx(ans: Any, x: Any, y: Any) -> Any:
    """∂copysign(x, y)/∂x: JAX's where(signbit(y), −abs(x), abs(x)) with abs'(x) = ±1 (1 at 0)."""
    return where(np.signbit(plain(y)) ^ (plain(x) >= 0), 1.0, -1.0)


def _no_posinf(x: Any) -> Any:
    """x with +inf replaced by 0 (JAX's guard in the derivative of logaddexp)."""
    inf = np.isposinf(plain(x))
    return where(inf, 0.0, x) if np.any(inf) else x


def _logistic_impl(x: Any) -> Any:
    """1 / (1 + e⁻ˣ) (JAX's lowering); e⁻ˣ overflowing to inf gives 0, as it should."""
    with np.errstate(over="ignore"):
        return 1.0 / (1.0 + np.exp(np.negative(x)))


_erfc_vectorized = np.vectorize(math.erfc, otypes=[np.float64])


def _erfc_impl(x: Any) -> Any:
    """erfc by the C library (``math.erfc``), elementwise, in x's float dtype."""
    if type(x) is float:
        return math.erfc(x)
    return _erfc_vectorized(x).astype(np.result_type(x, np.float32), copy=False)


# ------------------------------------------------------------------------------------ arithmetic
add = defelementwise("add", operator.add, 1, 1, complex_flops=2)
subtract = defelementwise("subtract", operator.sub, 1, -1, complex_flops=2)
multiply = defelementwise(
    "multiply", operator.mul, lambda ans, x, y: y, lambda ans, x, y: x, complex_flops=6
)
divide = defelementwise(
    "divide",
    _divide_impl,
    lambda ans, x, y: divide(1.0, y),
    lambda ans, x, y: negative(divide(ans, y)),
)
negative = defelementwise("negative", operator.neg, -1, complex_flops=2)
power = defelementwise(
    "power",
    _power_impl,
    _power_dx,
    lambda ans, x, y: multiply(log(_replace_zero(x)), ans),
)
square = defelementwise(
    "square", float_fast(lambda x: x * x, np.square), lambda ans, x: multiply(2.0, x)
)
sqrt = defelementwise("sqrt", float_fast(math.sqrt, np.sqrt), lambda ans, x: divide(0.5, ans))


def _abs_jvp(t: Any, ans: Any, x: Any) -> Any:
    """d|x| = sign(x)·dx for real x (1 at 0, as JAX); d|z| = Re(z̄·dz)/|z| for complex z (0 at
    z = 0, as JAX: |z| there is replaced by 1)."""
    if is_complex(x):
        return divide(real(multiply(conj(x), t)), _replace_zero(ans))
    return multiply(t, where(x >= 0, 1.0, -1.0))


def _abs_vjp(g: Any, ans: Any, x: Any) -> Any:
    """x̄ = ḡ·sign(x) for real x; for complex z, ∂/∂x − i·∂/∂y of |z| is z̄/|z|: z̄ = ḡ·z̄/|z|
    (0 at z = 0, as the JVP)."""
    if is_complex(x):
        return divide(multiply(g, conj(x)), _replace_zero(ans))
    return multiply(g, where(x >= 0, 1.0, -1.0))


abs = defprim(
    "abs",
    float_fast(math.fabs, np.abs),
    jvps=[_abs_jvp],
    vjps=[_abs_vjp],
    cost=output_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)

remainder = defelementwise("remainder", np.remainder, 1, _remainder_dy, flops_per_element=2)
fmod = defelementwise(
    "fmod",
    np.fmod,
    1,
    lambda ans, x, y: negative(_truncated_quotient(x, y)),
)
hypot = defelementwise(
    "hypot",
    float_fast(math.hypot, np.hypot),
    _hypot_dx,
    lambda ans, x, y: _hypot_dx(ans, y, x),
    flops_per_element=4,
)
cbrt = defelementwise(
    "cbrt", float_fast(math.cbrt, np.cbrt), lambda ans, x: divide(1.0 / 3.0, square(ans))
)
copysign = defelementwise("copysign", float_fast(math.copysign, np.copysign), _copysign_dx, None)

# ------------------------------------------------------------------------ exponentials and logs
exp = defelementwise("exp", float_fast(math.exp, np.exp), lambda ans, x: ans)
log = defelementwise("log", float_fast(math.log, np.log), lambda ans, x: divide(1.0, x))
log1p = defelementwise(
    "log1p", float_fast(math.log1p, np.log1p), lambda ans, x: divide(1.0, add(1.0, x))
)
expm1 = defelementwise("expm1", float_fast(math.expm1, np.expm1), lambda ans, x: add(ans, 1.0))
logaddexp = defelementwise(  # log(eˣ + eʸ) = max + log1p(e^−|x−y|): 5 FLOPs
    "logaddexp",
    np.logaddexp,
    lambda ans, x, y: exp(subtract(_no_posinf(x), _no_posinf(ans))),
    lambda ans, x, y: exp(subtract(_no_posinf(y), _no_posinf(ans))),
    flops_per_element=5,
)

# -------------------------------------------------------------------------------- trigonometric
sin = defelementwise("sin", float_fast(math.sin, np.sin), lambda ans, x: cos(x))
cos = defelementwise("cos", float_fast(math.cos, np.cos), lambda ans, x: negative(sin(x)))
tan = defelementwise("tan", float_fast(math.tan, np.tan), lambda ans, x: add(1.0, square(ans)))
arcsin = defelementwise(
    "arcsin",
    float_fast(math.asin, np.arcsin),
    lambda ans, x: divide(1.0, sqrt(subtract(1.0, square(x)))),
)
arccos = defelementwise(
    "arccos",
    float_fast(math.acos, np.arccos),
    lambda ans, x: divide(-1.0, sqrt(subtract(1.0, square(x)))),
)
arctan = defelementwise(
    "arctan", float_fast(math.atan, np.arctan), lambda ans, x: divide(1.0, add(1.0, square(x)))
)
arctan2 = defelementwise(
    "arctan2",
    float_fast(math.atan2, np.arctan2),
    lambda ans, y, x: divide(x, add(square(x), square(y))),
    lambda ans, y, x: divide(negative(y), add(square(x), square(y))),
)
sinh = defelementwise("sinh", float_fast(math.sinh, np.sinh), lambda ans, x: cosh(x))
cosh = defelementwise("cosh", float_fast(math.cosh, np.cosh), lambda ans, x: sinh(x))
tanh = defelementwise(
    "tanh", float_fast(math.tanh, np.tanh), lambda ans, x: subtract(1.0, square(ans))
)
arcsinh = defelementwise(
    "arcsinh",
    float_fast(math.asinh, np.arcsinh),
    lambda ans, x: divide(1.0, sqrt(add(square(x), 1.0))),
)
arccosh = defelementwise(
    "arccosh",
    float_fast(math.acosh, np.arccosh),
    lambda ans, x: divide(1.0, sqrt(subtract(square(x), 1.0))),
)
arctanh = defelementwise(
    "arctanh",
    float_fast(math.atanh, np.arctanh),
    lambda ans, x: divide(divide(1.0, add(1.0, x)), subtract(1.0, x)),
)

# ------------------------------------------------------------------ activations, special functions
logistic = defelementwise(  # 1 / (1 + e⁻ˣ): 3 FLOPs
    "logistic",
    _logistic_impl,
    lambda ans, x: multiply(ans, subtract(1.0, ans)),
    flops_per_element=3,
)
erfc = defelementwise(
    "erfc",
    _erfc_impl,
    lambda ans, x: multiply(-2.0 / math.sqrt(math.pi), exp(negative(square(x)))),
)

# ---------------------------------------------------------------------- piecewise and selection
maximum = defelementwise(
    "maximum",
    np.maximum,
    lambda ans, x, y: _balanced(x, ans, y),
    lambda ans, x, y: _balanced(y, ans, x),
)
minimum = defelementwise(
    "minimum",
    np.minimum,
    lambda ans, x, y: _balanced(x, ans, y),
    lambda ans, x, y: _balanced(y, ans, x),
)
sign = defelementwise("sign", np.sign, None)
floor = defelementwise("floor", np.floor, None)
ceil = defelementwise("ceil", np.ceil, None)
round = defelementwise("round", np.round, None)


def _maclaurin_rule(v: Any, ans: Any, x: Any, k: int) -> Any:
    """d/dx of the k-th term is the (k+1)-th: v · sinc_maclaurin(x, k + 1)."""
    return multiply(v, sinc_maclaurin(x, k=k + 1))


def _maclaurin_impl(x: Any, k: int) -> Any:
    """The k-th derivative of sin(u)/u at u = 0, (−1)^(k/2)/(k + 1) for even k and 0 for odd k,
    shaped like x (x·0 + c, so a nan or inf in x gives nan, as JAX)."""
    return x * 0.0 + (0.0 if k % 2 else (-1.0) ** (k // 2) / (k + 1))


sinc_maclaurin = defprim(  # JAX's _sinc_maclaurin: sinc's value and every derivative at 0
    "sinc_maclaurin",
    _maclaurin_impl,
    jvps=[_maclaurin_rule],
    vjps=[_maclaurin_rule],
    cost=output_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)


def _select_rule(branch: int) -> Callable[..., Any]:
    """where(c, x, y): the tangent or cotangent flows only to the branch the condition selected."""
    if branch == 1:
        return lambda v, ans, c, x, y: where(c, v, 0.0)
    return lambda v, ans, c, x, y: where(c, 0.0, v)


where = defprim(
    "where",
    np.where,
    jvps=[None, _select_rule(1), _select_rule(2)],
    vjps=[None, _select_rule(1), _select_rule(2)],
    cost=output_size_cost,
    broadcasts=True,
    batched_jvp=True,
    batched_vjp=True,
)


def _relu_rule(v: Any, ans: Any, x: Any) -> Any:
    """relu′ as JAX's select: v where x > 0, else 0, so an infinite v at x ≤ 0 gives 0, not nan."""
    return where(x > 0, v, 0.0)


relu = defprim(
    "relu",
    lambda x: np.maximum(x, 0.0),
    jvps=[_relu_rule],
    vjps=[_relu_rule],
    cost=output_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)


# ---------------------------------------------------------------------------- complex parts
# Conventions are JAX's, so validation against JAX is exact. A tangent is the complex-linear
# pushforward; a cotangent of a complex value z = x + iy is c = ∂L/∂x − i·∂L/∂y (the transpose of
# the pushforward, without conjugation), so a holomorphic op's VJP is ḡ·f′(z) (the partials above
# serve complex values as they are) and the gradient of |z|² at 3+4j is 6−8j. A real value's
# cotangent is the real part of what reaches it (the engines take it where a real value meets
# complex arithmetic).


def is_complex(x: Any) -> bool:
    return dtype_of(x).kind == "c"


def _squared_modulus(z: Any) -> Any:
    """|z|² = x² + y²."""
    return real(multiply(z, conj(z))) if is_complex(z) else square(z)


real = defprim(
    "real",
    np.real,
    jvps=[lambda t, ans, z: real(t)],  # d Re z = Re dz
    vjps=[lambda g, ans, z: g],  # ∂/∂x = g, ∂/∂y = 0
    cost=output_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)

imag = defprim(
    "imag",
    np.imag,
    jvps=[lambda t, ans, z: imag(t)],  # d Im z = Im dz
    vjps=[lambda g, ans, z: multiply(g, -1j)],  # ∂/∂x = 0, ∂/∂y = g: c = −i·g
    cost=output_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)

conj = defprim(
    "conj",
    np.conj,
    jvps=[lambda t, ans, z: conj(t)],  # d z̄ = conj(dz)
    vjps=[lambda g, ans, z: conj(g)],  # the transpose of conjugation is conjugation
    cost=output_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)

angle = defprim(
    "angle",
    np.angle,
    # arg z = atan2(y, x): d arg = (x dy − y dx)/|z|² = Im(z̄ dz)/|z|²
    jvps=[lambda t, ans, z: divide(imag(multiply(conj(z), t)), _squared_modulus(z))],
    # ∂/∂x = −y/|z|², ∂/∂y = x/|z|²: c = −i·g·z̄/|z|²
    vjps=[lambda g, ans, z: divide(multiply(multiply(g, -1j), conj(z)), _squared_modulus(z))],
    cost=output_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)
