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
``remainder`` and ``fmod`` have ∂/∂y = −trunc(x/y) (+1 where ``remainder`` wrapped);
``modf_fractional`` (NumPy's fractional part: ±0 at ±inf, where JAX's x − trunc(x) is nan) passes
its tangent unchanged everywhere, as JAX's difference does.

The exponentially scaled Bessel functions ``i0e`` and ``i1e`` are Cephes' Chebyshev series,
evaluated in NumPy (SciPy's values, bit for bit: ``admodes.numpy.i0`` is built on them without
SciPy), with JAX's derivatives: ``i0e' = i1e − sign(x) · i0e``, ``i1e' = i0e − i1e · (sign(x) +
1/x)``, 0.5 for |x| ≤ eps.

FLOPs (``flops_per_element``): one per arithmetic operation and one per evaluation of a
transcendental or special function (exp, log, sqrt, erfc, ...); a comparison that selects counts 1.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable
from typing import Any

import numpy as np

from admodes.core import Traced, dtype_of, numbers, plain
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


def zero_across_cut_as_plus(np_fn: np.ufunc, across: complex) -> Callable[..., Any]:
    """The unary ``np_fn`` with a complex argument's −0 part across its branch cut taken as +0,
    as JAX's function takes it, where NumPy's takes the sign of that zero to choose a side of
    the cut: sqrt(−4 − 0j) is −2j in NumPy, 2j in JAX (the −0 of ``conj`` of a real-valued
    complex array, say). ``across``, added to the argument, is +0 in that part and −0 in the
    other (which keeps its sign): :data:`ACROSS_REAL_AXIS` or :data:`ACROSS_IMAGINARY_AXIS`."""

    def impl(x: Any) -> Any:
        return np_fn(x + across) if dtype_of(x).kind == "c" else np_fn(x)

    impl.__name__ = np_fn.__name__
    impl.nin = 1  # type: ignore[attr-defined]  # read by float_fast, as a ufunc's
    return impl


#: A cut along the real axis (sqrt, arcsin, arccos, arccosh): the imaginary part's zero.
ACROSS_REAL_AXIS = complex(-0.0, 0.0)
#: A cut along the imaginary axis (arcsinh): the real part's zero. (JAX's arctanh, whose cut
#: is along the real axis, takes the sign of the zero, as NumPy's.)
ACROSS_IMAGINARY_AXIS = complex(0.0, -0.0)


def weak_scalars(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn``, a special function computed in float64 (SciPy's, or Cephes' series here), with
    Python scalars weak in promotion, as in NumPy's own ufuncs and in JAX: Python numbers alone
    give a Python float, and a float32 array with a Python float gives float32 (SciPy's functions
    give an np.float64, and float64)."""

    def promoted(*args: Any) -> Any:
        out = fn(*args)
        if all(type(a) is float or type(a) is int for a in args):
            return float(out)
        dtype = np.result_type(*args)
        return out.astype(dtype) if dtype.kind == "f" and out.dtype != dtype else out

    return promoted


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
sqrt = defelementwise(
    "sqrt",
    float_fast(math.sqrt, zero_across_cut_as_plus(np.sqrt, ACROSS_REAL_AXIS)),
    lambda ans, x: divide(0.5, ans),
)


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

#: Python's binary arithmetic operators on a traced value, each one of these primitives: (the
#: primitive, Python's operator, the special method for a traced left operand, the one for a
#: traced right operand).
OPERATORS = (
    (add, operator.add, "__add__", "__radd__"),
    (subtract, operator.sub, "__sub__", "__rsub__"),
    (multiply, operator.mul, "__mul__", "__rmul__"),
    (divide, operator.truediv, "__truediv__", "__rtruediv__"),
    (power, operator.pow, "__pow__", "__rpow__"),
    (remainder, operator.mod, "__mod__", "__rmod__"),
)
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
#: log₂ and log₁₀ are primitives, not log(x)/log(b): a complex division by the real log(b) makes
#: the partner of an infinite part NaN (log₁₀(0j) = −inf + nan·j), where NumPy and JAX give 0.
log2 = defelementwise(
    "log2", float_fast(math.log2, np.log2), lambda ans, x: divide(1.0 / math.log(2.0), x)
)
log10 = defelementwise(
    "log10", float_fast(math.log10, np.log10), lambda ans, x: divide(1.0 / math.log(10.0), x)
)
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
    float_fast(math.asin, zero_across_cut_as_plus(np.arcsin, ACROSS_REAL_AXIS)),
    lambda ans, x: divide(1.0, sqrt(subtract(1.0, square(x)))),
)
arccos = defelementwise(
    "arccos",
    float_fast(math.acos, zero_across_cut_as_plus(np.arccos, ACROSS_REAL_AXIS)),
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


def _arccosh_dx(ans: Any, x: Any) -> Any:
    """1/(√(x − 1)·√(x + 1)): for complex x the factors' cuts are arccosh's, (−∞, 1], where
    1/√(x² − 1), JAX's rule, has the other sign wherever Re x < 0."""
    return divide(1.0, multiply(sqrt(subtract(x, 1.0)), sqrt(add(x, 1.0))))


arcsinh = defelementwise(
    "arcsinh",
    float_fast(math.asinh, zero_across_cut_as_plus(np.arcsinh, ACROSS_IMAGINARY_AXIS)),
    lambda ans, x: divide(1.0, sqrt(add(square(x), 1.0))),
)
arccosh = defelementwise(
    "arccosh",
    float_fast(math.acosh, zero_across_cut_as_plus(np.arccosh, ACROSS_REAL_AXIS)),
    _arccosh_dx,
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

# ---------------------------------------------------------------------------- Bessel functions
EPS = float(np.finfo(np.float64).eps)

# Cephes' Chebyshev coefficients, highest order first: e^−x I₀(x) and e^−x I₁(x) / x on [0, 8] in
# x/2 − 2; √x e^−x I₀(x) and √x e^−x I₁(x) on (8, ∞) in 32/x − 2.
_I0E_NEAR = (
    -4.4153416464793395e-18, 3.3307945188222384e-17, -2.431279846547955e-16,
    1.715391285555133e-15, -1.1685332877993451e-14, 7.676185498604936e-14,
    -4.856446783111929e-13, 2.95505266312964e-12, -1.726826291441556e-11, 9.675809035373237e-11,
    -5.189795601635263e-10, 2.6598237246823866e-09, -1.300025009986248e-08,
    6.046995022541919e-08, -2.670793853940612e-07, 1.1173875391201037e-06,
    -4.4167383584587505e-06, 1.6448448070728896e-05, -5.754195010082104e-05,
    0.00018850288509584165, -0.0005763755745385824, 0.0016394756169413357,
    -0.004324309995050576, 0.010546460394594998, -0.02373741480589947, 0.04930528423967071,
    -0.09490109704804764, 0.17162090152220877, -0.3046826723431984, 0.6767952744094761,
)  # fmt: skip
_I0E_FAR = (
    -7.233180487874754e-18, -4.830504485944182e-18, 4.46562142029676e-17, 3.461222867697461e-17,
    -2.8276239805165836e-16, -3.425485619677219e-16, 1.7725601330565263e-15,
    3.8116806693526224e-15, -9.554846698828307e-15, -4.150569347287222e-14,
    1.54008621752141e-14, 3.8527783827421426e-13, 7.180124451383666e-13,
    -1.7941785315068062e-12, -1.3215811840447713e-11, -3.1499165279632416e-11,
    1.1889147107846439e-11, 4.94060238822497e-10, 3.3962320257083865e-09, 2.266668990498178e-08,
    2.0489185894690638e-07, 2.8913705208347567e-06, 6.889758346916825e-05,
    0.0033691164782556943, 0.8044904110141088,
)  # fmt: skip
_I1E_NEAR = (
    2.7779141127610464e-18, -2.111421214358166e-17, 1.5536319577362005e-16,
    -1.1055969477353862e-15, 7.600684294735408e-15, -5.042185504727912e-14,
    3.223793365945575e-13, -1.9839743977649436e-12, 1.1736186298890901e-11,
    -6.663489723502027e-11, 3.625590281552117e-10, -1.8872497517228294e-09,
    9.381537386495773e-09, -4.445059128796328e-08, 2.0032947535521353e-07,
    -8.568720264695455e-07, 3.4702513081376785e-06, -1.3273163656039436e-05,
    4.781565107550054e-05, -0.00016176081582589674, 0.0005122859561685758,
    -0.0015135724506312532, 0.004156422944312888, -0.010564084894626197, 0.024726449030626516,
    -0.05294598120809499, 0.1026436586898471, -0.17641651835783406, 0.25258718644363365,
)  # fmt: skip
_I1E_FAR = (
    7.517296310842105e-18, 4.414348323071708e-18, -4.6503053684893586e-17,
    -3.209525921993424e-17, 2.96262899764595e-16, 3.3082023109209285e-16,
    -1.8803547755107825e-15, -3.8144030724370075e-15, 1.0420276984128802e-14,
    4.272440016711951e-14, -2.1015418427726643e-14, -4.0835511110921974e-13,
    -7.198551776245908e-13, 2.0356285441470896e-12, 1.4125807436613782e-11,
    3.2526035830154884e-11, -1.8974958123505413e-11, -5.589743462196584e-10,
    -3.835380385964237e-09, -2.6314688468895196e-08, -2.512236237870209e-07,
    -3.882564808877691e-06, -0.00011058893876262371, -0.009761097491361469, 0.7785762350182801,
)  # fmt: skip


def _chebyshev(y: np.ndarray, coefficients: tuple[float, ...]) -> np.ndarray:
    """Σ′ cₖ Tₖ(y/2) by Clenshaw's recurrence, the coefficients highest order first (Cephes'
    ``chbevl``)."""
    b0, b1, b2 = coefficients[0], 0.0, 0.0  # y a float or an array: it broadcasts
    for c in coefficients[1:]:
        b0, b1, b2 = y * b0 - b1 + c, b0, b1
    return 0.5 * (b0 - b2)


def _scaled_bessel(
    name: str, near: tuple[float, ...], far: tuple[float, ...], odd: bool
) -> Callable[[Any], Any]:
    """e^−|x| Iₙ(x) in float64 as Cephes evaluates it: the series ``near`` on |x| ≤ 8 (times |x|
    for n = 1, ``odd``) and ``far`` beyond (over √|x|); n = 1 is odd in x."""

    def impl(x: Any) -> Any:
        if type(x) is float:  # the one series its |x| needs, in Python floats
            a = abs(x)
            if a <= 8.0:
                out = _chebyshev(a / 2.0 - 2.0, near) * (a if odd else 1.0)
            else:
                out = _chebyshev(32.0 / a - 2.0, far) / math.sqrt(a)
            return -out if odd and x < 0 else out
        check_real(name, x)
        a = np.abs(np.asarray(x, dtype=np.float64))
        with np.errstate(all="ignore"):  # 32/|x| at 0, and inf or nan: the branch not selected
            inner = _chebyshev(a / 2.0 - 2.0, near)
            outer = _chebyshev(32.0 / a - 2.0, far) / np.sqrt(a)
        out = np.where(a <= 8.0, inner * a if odd else inner, outer)
        if odd:
            out = np.where(np.asarray(x) < 0, -out, out)
        return out[()] if out.ndim == 0 else out

    return impl


i0e = defelementwise(
    "i0e",
    weak_scalars(_scaled_bessel("i0e", _I0E_NEAR, _I0E_FAR, odd=False)),
    lambda ans, x: subtract(i1e(x), multiply(sign(x), ans)),
)


def _i1e_dx(ans: Any, x: Any) -> Any:
    """i0e(x) − i1e(x) · (sign(x) + 1/x), and 0.5 where |x| ≤ eps (JAX)."""
    tiny = np.abs(plain(x)) <= EPS
    safe = where(tiny, EPS, x)
    slope = subtract(i0e(safe), multiply(ans, add(sign(safe), divide(1.0, safe))))
    return where(tiny, 0.5, slope)


i1e = defelementwise(
    "i1e", weak_scalars(_scaled_bessel("i1e", _I1E_NEAR, _I1E_FAR, odd=True)), _i1e_dx
)


def exp_abs(x: Any) -> Any:
    """e^|x|, the scale of i0 = e^|x| i0e and i1 = e^|x| i1e (JAX's form)."""
    return exp(abs(x))


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
modf_fractional = defelementwise("modf_fractional", lambda x: np.modf(x)[0], 1)


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


def sin_over(u: Any) -> Any:
    """sin u / u, and at u = 0 the Maclaurin series of sin u / u (1, then every derivative of it,
    as JAX's sinc): elsewhere the quotient sees a safe denominator, so no nan reaches either
    mode. The mask is read from u's numbers (at every index of a vmap at once)."""
    at_zero = numbers(u) == 0
    safe = where(at_zero, 1.0, u)
    return where(at_zero, sinc_maclaurin(u, k=0), divide(sin(safe), safe))


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


def check_real(name: str, x: Any) -> None:
    """Raise TypeError for a complex ``x``: ``name`` is a function of real values only (as in
    NumPy, SciPy and JAX)."""
    dtype = dtype_of(x) if isinstance(x, Traced) else np.asarray(x).dtype
    if dtype.kind == "c":
        raise TypeError(
            f"{name} is defined for real values only, got {dtype}: apply it "
            "to the real part (`x.real`) or the modulus (`abs(x)`)"
        )


def squared_modulus(z: Any) -> Any:
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
    jvps=[lambda t, ans, z: divide(imag(multiply(conj(z), t)), squared_modulus(z))],
    # ∂/∂x = −y/|z|², ∂/∂y = x/|z|²: c = −i·g·z̄/|z|²
    vjps=[lambda g, ans, z: divide(multiply(multiply(g, -1j), conj(z)), squared_modulus(z))],
    cost=output_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)
