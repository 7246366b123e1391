"""The elementwise functions of XLA's CPU backend, bit for bit, in NumPy.

JAX computes a sample's transform (``-log(-log(u))`` for a Gumbel, ``√2·erf⁻¹(u)`` for a
normal) with XLA, whose CPU code differs from NumPy's in the last bits: XLA emits its own
approximations for some functions and calls the C math library for others, where NumPy has its
own SIMD code. These are XLA's, read from the LLVM IR and HLO it generates
(``XLA_FLAGS=--xla_dump_to``), so that ``admodes.random`` draws JAX's numbers:

- ``exp``: XLA's own (Cephes). float64: n = ⌊x·log₂e + ½⌋, g = x − n·C₁ − n·C₂, e^g from the
  Padé form 1 + 2·g·P(g²)/(Q(g²) − g·P(g²)), scaled by 2ⁿ in four exact factors. float32: the
  same reduction, e^g = 1 + g + g²·p(g) with a degree-5 polynomial, scaled by 2ⁿ.
- ``log``: float64 calls the C library's ``log``; float32 is XLA's own (Cephes ``logf``):
  x = m·2ᵉ with m ∈ [√½, √2), log x = e·ln 2 + (m − 1) − (m − 1)²/2 + (m − 1)³·p(m − 1).
- ``log1p``: log(1 + x) for |x| ≥ √2 − 1, else the Cephes rational form x − x²/2 + x³·P(x)/Q(x).
- ``tan``, ``cos``, ``sin``, ``pow`` and float64 ``erf`` call the C library (``tan``/``tanf``,
  ``cos``/``cosf``, ``sin``/``sinf``, ``pow``/``powf``, ``erf``); float32 ``erf`` is XLA's
  rational approximation x·P(x²)/Q(x²), 1 with x's sign for |x| ≥ 3.8325.
- ``erf_inv``: Giles' approximation ("Approximating the erfinv function", 2010) as XLA expands
  it: w = −log1p(−x²) and a polynomial in w − 2.5 (w < 5) or √w − 3 (float32), in w − 3.125
  (w < 6.25), √w − 3.25 (w < 16) or √w − 5 (float64), times x.
- ``rsqrt`` (what XLA turns a division by a square root into): AVX-512's ``vrsqrt14``
  estimate and two Newton steps (float64); ``lgamma32``: Lanczos' approximation (float32).

NumPy's ``+ − × ÷`` and ``sqrt`` are IEEE's correctly rounded operations, as XLA's are. XLA's
code also contracts a product feeding a sum into one fused multiply-add (the processor's
``vfmadd``, one rounding), wherever the product has no other use: :func:`fma` emulates it
exactly, and the functions here use it where XLA's machine code does. Subnormal results are
flushed to zero. float16 runs float32's code on the values converted to float32, rounded back
once (as XLA does).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import admodes.numpy as anp

__all__ = [
    "cos",
    "divide",
    "erf",
    "erf_inv",
    "exp",
    "fma",
    "lgamma32",
    "log",
    "log1p",
    "pow",
    "rsqrt",
    "sin",
    "tan",
]

_LIBM = ctypes.CDLL(ctypes.util.find_library("m") or ctypes.util.find_library("c"))


def _c_function(name: str, ctype: Any, nargs: int) -> Callable[..., float]:
    """The C math library's function ``name`` of ``nargs`` arguments of ``ctype``."""
    fn = getattr(_LIBM, name)
    fn.restype = ctype
    fn.argtypes = [ctype] * nargs
    return fn


def _libm(name: str, nargs: int = 1) -> Callable[..., np.ndarray]:
    """``name`` of the C math library, elementwise on float64 or float32 arrays (``name`` or
    ``name + "f"``): the function XLA's CPU code calls."""
    by_dtype = {
        np.dtype(np.float64): np.frompyfunc(_c_function(name, ctypes.c_double, nargs), nargs, 1),
        np.dtype(np.float32): np.frompyfunc(
            _c_function(name + "f", ctypes.c_float, nargs), nargs, 1
        ),
    }

    def fn(*xs: np.ndarray) -> np.ndarray:
        dtype = xs[0].dtype
        return np.asarray(by_dtype[dtype](*xs), dtype=object).astype(dtype)

    return fn


_C_LOG = _libm("log")


def flush_subnormals(x: np.ndarray) -> np.ndarray:
    """x with its subnormal values replaced by zeros of their sign: XLA's CPU code runs with
    subnormal results flushed to zero."""
    tiny = np.finfo(x.dtype).tiny
    return np.where(np.abs(x) < tiny, x * x.dtype.type(0.0), x)


# ---------------------------------------------------------------------------- blocks
#: Elements per block (:func:`_in_blocks`): 128 KiB of float64, so the temporaries of the
#: functions here stay in the processor's cache.
_BLOCK = 1 << 14


def _in_blocks(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``fn``, an elementwise function of broadcastable arrays (and numbers), applied to blocks
    of :data:`_BLOCK` elements when its inputs are larger: the dozens of temporary arrays an
    emulated function allocates then stay in cache (2.5× faster on a million elements)."""

    @functools.wraps(fn)
    def blocked(*xs: Any) -> np.ndarray:
        if all(np.size(x) <= _BLOCK for x in xs):
            return fn(*xs)
        shape = np.broadcast_shapes(*(np.shape(x) for x in xs))
        flat = [np.broadcast_to(x, shape).reshape(-1) if np.ndim(x) else x for x in xs]
        parts = [
            fn(*(x[i : i + _BLOCK] if np.ndim(x) else x for x in flat))
            for i in range(0, math.prod(shape), _BLOCK)
        ]
        return np.concatenate(parts).reshape(shape)

    return blocked


# ---------------------------------------------------------------------------- fma
def _two_sum(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(s, e): s = a + b rounded, e its rounding error, s + e = a + b exactly (Knuth)."""
    s = a + b
    bb = s - a
    return s, (a - (s - bb)) + (b - bb)


def _two_product(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(p, e): p = a·b rounded, p + e = a·b exactly (Dekker, with Veltkamp's splitting)."""
    p = a * b
    split = np.float64(134217729.0)  # 2²⁷ + 1
    a_hi = a * split - (a * split - a)
    b_hi = b * split - (b * split - b)
    a_lo, b_lo = a - a_hi, b - b_hi
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _round_to_odd(s: np.ndarray, err: np.ndarray) -> np.ndarray:
    """The float64 next to s toward s + err whose last bit is odd, where err ≠ 0 (s + err
    rounded to odd: inexactness kept in the last bit, so a later rounding is not a double one).
    s ≠ 0 where err ≠ 0 (a sum that rounds to zero is exact), so the step is one unit of the
    bit pattern: up where err has s's sign, down where not."""
    bits = s.view(np.int64)
    inexact_even = ((bits & 1) == 0) & (err != 0)
    step = np.where(np.signbit(err) == np.signbit(s), 1, -1)
    return (bits + inexact_even * step).view(np.float64)


@_in_blocks
def fma(a: Any, b: Any, c: Any) -> np.ndarray:
    """a·b + c rounded once, as the fused multiply-adds XLA's CPU code contracts a product and
    a sum into. float32: a·b is exact in float64, and the sum is rounded to odd in float64 and
    then to float32. float64: a·b = p + e exactly, c + p = t + τ exactly, and the result is
    t + (τ + e rounded to odd) rounded to nearest (Boldo and Melquiond, 2008). Where that is
    not finite (an overflow, an infinite or nan input), the result is a·b + c."""
    dtype = np.result_type(a, b, c)  # Python numbers take the arrays' type
    if dtype == np.float16:  # XLA: a float32 fma, rounded to float16
        return fma(*(np.asarray(v, dtype).astype(np.float32) for v in (a, b, c))).astype(dtype)
    a, b, c = (np.asarray(v, dtype) for v in (a, b, c))
    with np.errstate(all="ignore"):
        if dtype == np.float32:
            s, err = _two_sum(a.astype(np.float64) * b.astype(np.float64), c.astype(np.float64))
            out = _round_to_odd(s, err).astype(np.float32)
        else:
            p, e = _two_product(a, b)
            t, tau = _two_sum(c, p)
            out = t + _round_to_odd(*_two_sum(tau, e))
        out = np.array(np.broadcast_to(out, np.broadcast_shapes(a.shape, b.shape, c.shape)))
        overflowed = ~np.isfinite(out)
        if overflowed.any():
            out[overflowed] = np.broadcast_to(a * b + c, out.shape)[overflowed]
    return out


def _horner(x: np.ndarray, coefficients: Sequence[float], start: Any) -> np.ndarray:
    """``start``, then ``p = fma(p, x, c)`` for each coefficient c (highest degree first)."""
    p = start
    for c in coefficients:
        p = fma(p, x, x.dtype.type(c))
    return p


def _via_float32(fn: Callable[..., np.ndarray]) -> Callable[..., np.ndarray]:
    """``fn`` for float32 and float64, and for float16 on the values in float32, rounded back."""

    blocked = _in_blocks(fn)

    @functools.wraps(fn)
    def wrapped(*xs: np.ndarray) -> np.ndarray:
        xs = tuple(np.asarray(x) for x in xs)
        if xs[0].dtype == np.float16:
            return blocked(*(x.astype(np.float32) for x in xs)).astype(np.float16)
        return blocked(*xs)

    return wrapped


# ---------------------------------------------------------------------------- divide
def divide(x: Any, d: Any) -> Any:
    """x / d as XLA computes it: x·(1/d), the reciprocal rounded in the result's type, where d is
    broadcast (fewer entries than the quotient: XLA's algebraic simplifier turns a division by
    a broadcast value into a multiplication by its reciprocal, two roundings instead of one),
    else x / d. Traced x or d differentiate as x / d does."""
    out_shape = np.broadcast_shapes(np.shape(x), np.shape(d))
    if math.prod(np.shape(d)) == math.prod(out_shape):
        return x / d
    return x * (1 / anp.asarray(d, dtype=anp.result_type(x, d)))


# ---------------------------------------------------------------------------- exp
#: Cephes' exp: ln 2 = C₁ + C₂ (C₁ exact in few bits), the Padé coefficients P and Q in g².
_EXP64_C1, _EXP64_C2 = 0.693145751953125, 1.4286068203094173e-06
_EXP64_P = (0.00012617719307481058, 0.030299440770744195)
_EXP64_Q = (3.0019850513866446e-06, 0.002524483403496841, 0.22726554820815503)
_EXP64_LO, _EXP64_HI = -708.3964185322641, 709.782712893384
#: Cephes' expf: its clamp, ln 2 = C₁ + C₂, and the polynomial p of 1 + g + g²·p(g).
_EXP32_C1, _EXP32_C2 = 0.693359375, -0.00021219444170128554
_EXP32_P = (0.00019875691214110702, 0.001398199936375022, 0.008333452045917511,
            0.04166579619050026, 0.1666666567325592, 0.5)  # fmt: skip
_LOG2E = 1.4426950408889634


def _exp64(x: np.ndarray) -> np.ndarray:
    f = np.float64
    clamped = np.maximum(np.minimum(x, f(_EXP64_HI)), f(_EXP64_LO))
    n = np.floor(fma(clamped, f(_LOG2E), f(0.5)))
    g = fma(n, f(-_EXP64_C2), fma(n, f(-_EXP64_C1), clamped))
    g2 = g * g
    p = _horner(g2, (_EXP64_P[1], 1.0), np.full_like(g2, _EXP64_P[0])) * g
    q = _horner(g2, (*_EXP64_Q[1:], 2.0), np.full_like(g2, _EXP64_Q[0]))
    r = p / (q - p) * f(2.0) + f(1.0)
    k = np.clip(np.nan_to_num(n), -2099, 2099).astype(np.int64)
    b = k >> 2
    two_b = ((b + 1023) << 52).view(np.float64)
    rest = ((k - 3 * b + 1023) << 52).view(np.float64)
    out = r * two_b * two_b * two_b * rest
    out = np.where(x < f(_EXP64_LO), f(0.0), flush_subnormals(out))
    return np.where(x > f(_EXP64_HI), f(np.inf), out)


def _exp32(x: np.ndarray) -> np.ndarray:
    f = np.float32
    x = np.where(x < f(-87.8), f(-87.8), x)
    x = np.where(x > f(88.8), f(88.8), x)
    n = np.floor(f(0.5) + x * f(_LOG2E))
    n = np.where(n < f(-127), f(-127), n)
    n = np.where(n > f(127), f(127), n)
    g = fma(n, f(-_EXP32_C2), fma(n, f(-_EXP32_C1), x))
    y = _horner(g, _EXP32_P[1:], np.full_like(g, _EXP32_P[0]))
    y = f(1.0) + fma(y, g * g, g)
    scale = ((np.nan_to_num(n).astype(np.int32) + 127) << 23).view(np.float32)
    return flush_subnormals(y * scale)


@_via_float32
def exp(x: np.ndarray) -> np.ndarray:
    """eˣ as XLA's CPU code computes it."""
    return _exp64(x) if x.dtype == np.float64 else _exp32(x)


# ---------------------------------------------------------------------------- log
#: Cephes' logf: √½ and the polynomial p of (m − 1)³·p(m − 1), three interleaved parts.
_SQRT_HALF32 = 0.7071067690849304
_LOG32_P = ((0.07037683576345444, -0.11514610052108765, 0.11676998436450958),
            (-0.12420140951871872, 0.14249323308467865, -0.16668057441711426),
            (0.2000071406364441, -0.24999994039535522, 0.3333333134651184))  # fmt: skip


def _log32(x: np.ndarray) -> np.ndarray:
    f = np.float32
    tiny = f(np.finfo(np.float32).tiny)
    bits = np.where(tiny >= x, tiny, x).view(np.uint32)
    e = ((bits >> 23).astype(np.int32) - 127).astype(np.float32) + f(1.0)
    m = ((bits & np.uint32(0x807FFFFF)) | np.uint32(0x3F000000)).view(np.float32)
    small = m < f(_SQRT_HALF32)
    e = e - np.where(small, f(1.0), f(0.0))
    r = (m - f(1.0)) + np.where(small, m, f(0.0))
    r2 = r * r
    r3 = r2 * r
    a, b, c = (_horner(r, (p1, p2), np.full_like(r, p0)) for p0, p1, p2 in _LOG32_P)
    y = fma(fma(fma(a, r3, b), r3, c), r3, e * f(_EXP32_C2))
    out = (r - r2 * f(0.5)) + y + e * f(_EXP32_C1)
    out = np.where(x == f(np.inf), f(np.inf), out)
    out = np.where(x == f(0.0), f(-np.inf), out)
    return np.where((x < f(0.0)) | np.isnan(x), f(np.nan), out)


@_via_float32
def log(x: np.ndarray) -> np.ndarray:
    """log x as XLA's CPU code computes it."""
    return _C_LOG(x) if x.dtype == np.float64 else _log32(x)


# ---------------------------------------------------------------------------- log1p
#: Cephes' log1p: x − x²/2 + x³·P(x)/Q(x) for |x| < √2 − 1 (P and Q highest degree first).
_LOG1P_P = (4.52700008624452e-05, 0.49854102823193375, 6.578732594206104, 29.911919328553072,
            60.94966798098779, 57.11296359058554, 20.039553499201283)  # fmt: skip
_LOG1P_Q = (15.062909083469192, 83.04756596796722, 221.76239823732857, 309.09872225312057,
            216.42788614495947, 60.11866049760384)  # fmt: skip
_SQRT2_MINUS_1 = 0.41421356237309503


@_via_float32
def log1p(x: np.ndarray) -> np.ndarray:
    """log(1 + x) as XLA's CPU code computes it."""
    zero = x * x.dtype.type(0.0)  # 0, or nan where x is not finite (as XLA's 0·x)
    q = _horner(x, _LOG1P_Q, zero + x.dtype.type(1.0))
    p = _horner(x, _LOG1P_P[1:], zero + x.dtype.type(_LOG1P_P[0]))
    x2 = x * x
    out = np.asarray(x + (x2 * x.dtype.type(-0.5) + x * x2 * (p / q)))
    large = ~(np.abs(x) < x.dtype.type(_SQRT2_MINUS_1))
    with np.errstate(invalid="ignore", divide="ignore"):
        out[large] = log(x[large] + x.dtype.type(1.0))
    return out


# ---------------------------------------------------------------------------- C library
tan = _via_float32(_libm("tan"))
tan.__doc__ = "tan x: the C library's ``tan`` (``tanf``), which XLA's CPU code calls."
cos = _via_float32(_libm("cos"))
cos.__doc__ = "cos x: the C library's ``cos`` (``cosf``), which XLA's CPU code calls."
sin = _via_float32(_libm("sin"))
sin.__doc__ = "sin x: the C library's ``sin`` (``sinf``), which XLA's CPU code calls."
pow = _via_float32(_libm("pow", 2))
pow.__doc__ = "xʸ: the C library's ``pow`` (``powf``), which XLA's CPU code calls."
_C_ERF = _libm("erf")

# ---------------------------------------------------------------------------- erf
#: XLA's float32 erf: x·P(x²)/Q(x²) (highest degree first), ±1 beyond |x| = 3.8325.
_ERF32_P = (0.00022905065270606428, 0.0034082909114658833, 0.050955694168806076,
            0.18520832061767578, 1.1283791065216064)  # fmt: skip
_ERF32_Q = (-1.1791603071742429e-07, 2.354796561121475e-05, 0.0010179625824093819,
            0.01407046988606453, 0.11098504811525345, 0.4974692463874817, 1.0)  # fmt: skip
_ERF32_ONE = 3.8325068950653076


def _erf32(x: np.ndarray) -> np.ndarray:
    f = np.float32
    x2 = x * x
    p = _horner(x2, _ERF32_P[1:], np.full_like(x, f(_ERF32_P[0])))
    q = _horner(x2, _ERF32_Q[1:], np.full_like(x, f(_ERF32_Q[0])))
    return np.where(np.abs(x) >= f(_ERF32_ONE), np.copysign(f(1.0), x), (x * p) / q)


@_via_float32
def erf(x: np.ndarray) -> np.ndarray:
    """erf x as XLA's CPU code computes it."""
    return _C_ERF(x) if x.dtype == np.float64 else _erf32(x)


# ---------------------------------------------------------------------------- erf_inv
#: Giles' erf⁻¹ in float32: (coefficients for w < 5, for w ≥ 5), highest degree first.
_ERFINV32 = ((2.81022636e-08, 3.43273939e-07, -3.5233877e-06, -4.39150654e-06, 0.00021858087,
              -0.00125372503, -0.00417768164, 0.246640727, 1.50140941),
             (-0.000200214257, 0.000100950558, 0.00134934322, -0.00367342844, 0.00573950773,
              -0.0076224613, 0.00943887047, 1.00167406, 2.83297682))  # fmt: skip
#: In float64: for w < 6.25 (23 coefficients), w < 16 (19) and w ≥ 16 (17).
_ERFINV64 = (
    (-3.64441206401782e-21, -1.6850591381820166e-19, 1.28584807152564e-18, 1.1157877678025181e-17,
     -1.3331716628546209e-16, 2.0972767875968562e-17, 6.6376381343583238e-15,
     -4.0545662729752069e-14, -8.1519341976054722e-14, 2.6335093153082323e-12,
     -1.2975133253453532e-11, -5.4154120542946279e-11, 1.0512122733215323e-09,
     -4.1126339803469837e-09, -2.9070369957882005e-08, 4.2347877827932404e-07,
     -1.3654692000834679e-06, -1.3882523362786469e-05, 0.00018673420803405714,
     -0.000740702534166267, -0.0060336708714301491, 0.24015818242558962, 1.6536545626831027),
    (2.2137376921775787e-09, 9.0756561938885391e-08, -2.7517406297064545e-07,
     1.8239629214389228e-08, 1.5027403968909828e-06, -4.013867526981546e-06,
     2.9234449089955446e-06, 1.2475304481671779e-05, -4.7318229009055734e-05,
     6.8284851459573175e-05, 2.4031110387097894e-05, -0.00035503752036284748,
     0.0009532893797373805, -0.0016882755560235047, 0.0024914420961078508,
     -0.0037512085075692412, 0.0053709145535900636, 1.0052589676941592, 3.0838856104922208),
    (-2.7109920616438573e-11, -2.5556418169965252e-10, 1.5076572693500548e-09,
     -3.789465440126737e-09, 7.61570120807834e-09, -1.496002662714924e-08,
     2.9147953450901081e-08, -6.7711997758452339e-08, 2.2900482228026655e-07,
     -9.9298272942317e-07, 4.5260625972231537e-06, -1.9681778105531671e-05,
     7.5995277030017761e-05, -0.00021503011930044477, -0.00013871931833623122,
     1.0103004648645344, 4.8499064014085844),
)  # fmt: skip


def _branch_polynomial(
    w: np.ndarray, branch: np.ndarray, tables: Sequence[Sequence[float]]
) -> np.ndarray:
    """Σ cᵢ·wⁱ by Horner's rule, each element with the table its ``branch`` index names."""
    out = np.empty_like(w)
    for i, table in enumerate(tables):
        mask = branch == i
        out[mask] = _horner(w[mask], table[1:], w.dtype.type(table[0]))
    return out


@_via_float32
def erf_inv(x: np.ndarray) -> np.ndarray:
    """erf⁻¹ x as XLA expands it (see the module's text); ±inf at ±1."""
    dt = x.dtype
    with np.errstate(invalid="ignore"):
        w = -log1p(-x * x)
        root = np.sqrt(w)
    if dt == np.float64:
        branch = np.where(w < 6.25, 0, np.where(w < 16.0, 1, 2))
        shifted = np.where(branch == 0, w - 3.125, root - np.where(branch == 1, 3.25, 5.0))
        tables: Sequence[Sequence[float]] = _ERFINV64
    else:
        branch = np.where(w < dt.type(5.0), 0, 1)
        shifted = np.where(branch == 0, w - dt.type(2.5), root - dt.type(3.0))
        tables = _ERFINV32
    with np.errstate(invalid="ignore", over="ignore"):
        out = _branch_polynomial(shifted, branch, tables) * x
    return np.where(np.abs(x) == dt.type(1.0), x * dt.type(np.inf), out)


# ---------------------------------------------------------------------------- rsqrt
#: The segments of AVX-512's ``vrsqrt14`` (Intel's reference code for its approximation): for
#: segment i (the top 5 fraction bits), (slope, value) on [1, 2) and on [2, 4), in units of
#: 2⁻¹⁹ (the slopes pre-scaled by 2⁸ and 2⁷).
_RSQRT14 = np.array(
    [1001, 520261, 707, 367881, 955, 512437, 675, 362349, 915, 504953, 647, 357056,
     877, 497790, 619, 351992, 841, 490922, 595, 347136, 807, 484331, 571, 342475,
     775, 478001, 549, 337997, 747, 471909, 527, 333693, 719, 466046, 509, 329545,
     693, 460397, 491, 325551, 669, 454947, 473, 321697, 647, 449688, 457, 317977,
     625, 444606, 441, 314385, 603, 439694, 427, 310910, 585, 434939, 413, 307549,
     567, 430335, 401, 304295, 549, 425875, 389, 301139, 533, 421551, 377, 298079,
     517, 417355, 365, 295115, 501, 413284, 355, 292237, 487, 409329, 345, 289439,
     473, 405487, 335, 286722, 461, 401748, 325, 284080, 449, 398111, 317, 281508,
     437, 394571, 309, 279006, 425, 391127, 301, 276569, 415, 387770, 293, 274195,
     403, 384498, 285, 271882, 393, 381307, 279, 269625, 385, 378194, 271, 267425,
     375, 375155, 265, 265276, 367, 372190, 259, 263178],
    dtype=np.float64,
).reshape(32, 4)  # fmt: skip


def _rsqrt14(x: np.ndarray) -> np.ndarray:
    """AVX-512's ``vrsqrt14pd`` estimate of 1/√x (x positive and normal): x = m·2ᵉ, m ∈ [1, 4)
    with e even; linear interpolation on m's segment, m truncated to 15 fraction bits, the
    result truncated to 16 fraction bits, times 2^(−e/2)."""
    m, e = np.frexp(x)
    m, e = m * 2.0, e - 1
    fraction = m - 1.0
    i = np.floor(fraction * 32.0).astype(np.int64)
    odd = (e & 1) == 1
    truncated = 1.0 + np.floor(fraction * 2.0**15) / 2.0**15
    base = np.where(odd, 2.0 * truncated, truncated)
    centre = np.where(odd, 2.0 + 1.0 / 32.0 + i / 16.0, 1.0 + 1.0 / 64.0 + i / 32.0)
    slope = np.where(odd, 128.0 * _RSQRT14[i, 2], 256.0 * _RSQRT14[i, 0])
    value = np.where(odd, _RSQRT14[i, 3], _RSQRT14[i, 1]) - slope * (base - centre)
    value = (value.view(np.uint64) & ~np.uint64((1 << 36) - 1)).view(np.float64) / 2.0**19
    value = np.where((fraction == 0) & ~odd, 1.0, value)
    return np.ldexp(value, -((e - odd) // 2))


def rsqrt(x: np.ndarray) -> np.ndarray:
    """1/√x as XLA's CPU code computes it for positive normal x (what it turns a division by a
    square root into). float64: AVX-512's ``vrsqrt14pd`` estimate y, then two Newton steps
    y ← y − (y/2)·(x·y² − 1), each a pair of fused multiply-adds (so on processors with
    AVX-512). float32: XLA starts from the processor's ``rsqrtss``, a 12-bit estimate that
    differs between processors, which admodes cannot reproduce: 1/√x correctly rounded. Other
    float64 x get XLA's IEEE values: inf at 0 and at a subnormal (flushed to 0), 0 at inf, nan
    below 0 and at nan."""
    x = np.asarray(x)
    if x.dtype != np.float64:
        return (x.dtype.type(1.0) / np.sqrt(x)).astype(x.dtype)
    normal = (x >= np.finfo(np.float64).tiny) & (x < np.inf)
    if not normal.all():
        with np.errstate(divide="ignore", invalid="ignore"):
            special = 1.0 / np.sqrt(np.where(np.abs(x) < np.finfo(np.float64).tiny, 0.0, x))
        return np.where(normal, rsqrt(np.where(normal, x, 1.0)), special)
    y = _rsqrt14(x)
    for _ in range(2):
        y = fma(y * -0.5, fma(x * y, y, -1.0), y)
    return y


# ---------------------------------------------------------------------------- lgamma
#: Lanczos' approximation (g = 7, 8 terms) as XLA expands lgamma in float32.
_LANCZOS32 = (676.520386, -1259.13916, 771.323425, -176.615036, 12.5073433, -0.138571098,
              9.98436917e-06, 1.50563267e-07)  # fmt: skip


def lgamma32(x: np.ndarray) -> np.ndarray:
    """log Γ(x) for float32 x ≥ ½ as XLA computes it: with z = x − 1 and t = z + 7.5,
    (z + ½ − t/log t)·log t + log √(2π) + log(1 + Σᵢ cᵢ/(z + i)), log t as log1p(z/7.5) +
    log 7.5 (the division by 7.5 a multiplication by its reciprocal)."""
    f = np.float32
    z = x - f(1.0)
    log_t = log1p(z * (f(1.0) / f(7.5))) + f(2.01490307)
    head = fma((z + f(0.5)) - (z + f(7.5)) / log_t, log_t, f(0.918938518))
    series = f(1.0) + f(_LANCZOS32[0]) / (z + f(1.0))
    for i, c in enumerate(_LANCZOS32[1:], start=2):
        series = series + f(c) / (z + f(i))
    return head + log(series)
