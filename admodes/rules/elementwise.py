"""Elementwise primitives: one line of local partials each.

Each entry gives ∂ans/∂input as a function of ``(ans, *inputs)``; both engines multiply by it
(``t · ∂`` forward, ``g · ∂`` backward). ``1`` is the identity, ``-1`` negation, ``None`` zero.
Partials call the primitives (``multiply``, ``divide``, ...) rather than Python operators: on plain
values an operator would bypass the registry, so ``count()`` would miss its FLOPs, and on Python
floats ``/`` and ``**`` raise (ZeroDivisionError, OverflowError) where NumPy and JAX give inf/nan.

Conventions at kinks follow JAX: ``abs'(0) = 1``; ``maximum``/``minimum`` split a tie 0.5 / 0.5;
``sqrt'(0) = inf``; ``sign``, ``floor``, ``ceil``, ``round`` have zero derivative.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

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
    """x with zeros replaced by ones (JAX's guard for log(x) in ∂xʸ/∂y)."""
    return where(x == 0, 1.0, x)


def _power_dx(ans: Any, x: Any, y: Any) -> Any:
    """∂xʸ/∂x = y·xʸ⁻¹, and 0 where y = 0 (JAX)."""
    if isinstance(y, int | float):  # a constant exponent; x¹ = x needs no evaluation
        return 0.0 if y == 0 else multiply(y, x if y == 2 else power(x, y - 1))
    return where(y == 0, 0.0, multiply(y, power(x, subtract(y, 1.0))))


def _divide_impl(x: Any, y: Any) -> Any:
    try:
        return x / y
    except ZeroDivisionError:
        return np.divide(x, y)


def _power_impl(x: Any, y: Any) -> Any:
    if type(x) is float and isinstance(y, int | float):
        try:
            return math.pow(x, y)
        except (ValueError, OverflowError):
            pass
    return np.power(x, y)


# ------------------------------------------------------------------------------------ arithmetic
add = defelementwise("add", operator.add, 1, 1)
subtract = defelementwise("subtract", operator.sub, 1, -1)
multiply = defelementwise("multiply", operator.mul, lambda ans, x, y: y, lambda ans, x, y: x)
divide = defelementwise(
    "divide",
    _divide_impl,
    lambda ans, x, y: divide(1.0, y),
    lambda ans, x, y: negative(divide(ans, y)),
)
negative = defelementwise("negative", operator.neg, -1)
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
abs = defelementwise("abs", float_fast(math.fabs, np.abs), lambda ans, x: where(x >= 0, 1.0, -1.0))

# ------------------------------------------------------------------------ exponentials and logs
exp = defelementwise("exp", float_fast(math.exp, np.exp), lambda ans, x: ans)
log = defelementwise("log", float_fast(math.log, np.log), lambda ans, x: divide(1.0, x))
log1p = defelementwise(
    "log1p", float_fast(math.log1p, np.log1p), lambda ans, x: divide(1.0, add(1.0, x))
)
expm1 = defelementwise("expm1", float_fast(math.expm1, np.expm1), lambda ans, x: add(ans, 1.0))

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
