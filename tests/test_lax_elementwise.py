"""admodes.lax's elementwise operations and special functions against jax.lax: values, gradients
by both modes and second derivatives against JAX (float64; float32 values and dtypes), JAX's
conventions at special points against JAX and by hand, integer and bool inputs (exactly JAX's),
broadcasting (a superset of jax.lax), the bindings to admodes.numpy, and the errors.

Every function body is written once, ``f(L, *xs)``, for L = admodes.lax and L = jax.lax; each
comparison with JAX is one compiled program."""

from __future__ import annotations

import functools
import warnings
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
import pytest
from conftest import (
    MODES,
    RTOL_F32,
    assert_close,
    assert_exact,
    assert_gradients_match_jax,
    jax_compiled,
)

import admodes as ad
import admodes.numpy as anp
from admodes.lax import elementwise, special

NAMES = [*elementwise.__all__, *special.__all__]
AD = SimpleNamespace(**{n: getattr(m, n) for m in (elementwise, special) for n in m.__all__})
#: jax.lax under the same names; ``zeta`` is jax.scipy.special's (jax.lax.zeta has no derivative:
#: admodes' is that of jax.scipy.special.zeta), and ``reduce_sum`` for the Hessian's composite.
JX = SimpleNamespace(
    **{**{n: getattr(jax.lax, n) for n in NAMES}, "zeta": jss.zeta},
    reduce_sum=jax.lax.reduce_sum,
)
INF, NAN = np.inf, np.nan

# Domains: real, the open unit interval, positive, above one.
R = np.array([-2.3, -1.1, -0.4, 0.3, 0.7, 1.9])
U = np.array([-0.8, -0.3, 0.1, 0.6, 0.9])
P = np.array([0.2, 0.9, 1.7, 3.4])
A = np.array([1.2, 2.5, 4.0])
DOMAINS = (R, U, P, A)

Fn = Callable[..., Any]


def _z(L: Any, x: Any) -> Any:
    """x + i·x², a complex value of a real one."""
    return L.complex(x, L.square(x))


#: name -> (f(L, x), index of x's domain in DOMAINS): real outputs, differentiated.
UNARY: dict[str, tuple[Fn, int]] = {
    "abs": (lambda L, x: L.abs(x), 0),
    "acos": (lambda L, x: L.acos(x), 1),
    "acosh": (lambda L, x: L.acosh(x), 3),
    "asin": (lambda L, x: L.asin(x), 1),
    "asinh": (lambda L, x: L.asinh(x), 0),
    "atan": (lambda L, x: L.atan(x), 0),
    "atanh": (lambda L, x: L.atanh(x), 1),
    "cbrt": (lambda L, x: L.cbrt(x), 0),
    "ceil": (lambda L, x: L.ceil(x), 0),
    "cos": (lambda L, x: L.cos(x), 0),
    "cosh": (lambda L, x: L.cosh(x), 0),
    "exp": (lambda L, x: L.exp(x), 0),
    "exp2": (lambda L, x: L.exp2(x), 0),
    "expm1": (lambda L, x: L.expm1(x), 0),
    "floor": (lambda L, x: L.floor(x), 0),
    "log": (lambda L, x: L.log(x), 2),
    "log1p": (lambda L, x: L.log1p(x), 2),
    "logistic": (lambda L, x: L.logistic(x), 0),
    "neg": (lambda L, x: L.neg(x), 0),
    "reciprocal": (lambda L, x: L.reciprocal(x), 0),
    "round": (lambda L, x: L.round(L.mul(x, 2.0)), 0),
    "round-even": (lambda L, x: L.round(x, L.RoundingMethod.TO_NEAREST_EVEN), 0),
    "rsqrt": (lambda L, x: L.rsqrt(x), 2),
    "sign": (lambda L, x: L.sign(x), 0),
    "sin": (lambda L, x: L.sin(x), 0),
    "sinh": (lambda L, x: L.sinh(x), 0),
    "sqrt": (lambda L, x: L.sqrt(x), 2),
    "square": (lambda L, x: L.square(x), 0),
    "tan": (lambda L, x: L.tan(x), 1),
    "tanh": (lambda L, x: L.tanh(x), 0),
    "erfc": (lambda L, x: L.erfc(x), 0),
    "bessel_i0e": (lambda L, x: L.bessel_i0e(x), 0),
    "bessel_i1e": (lambda L, x: L.bessel_i1e(x), 0),
    **{
        f"integer_pow-{n}": ((lambda L, x, n=n: L.integer_pow(x, n)), 0)
        for n in (-3, -1, 0, 1, 2, 5)
    },
    "clamp-constant-bounds": (lambda L, x: L.clamp(-0.5, x, 1.0), 0),
    "real": (lambda L, x: L.real(L.mul(_z(L, x), _z(L, x))), 0),
    "imag": (lambda L, x: L.imag(L.mul(_z(L, x), 1 - 2j)), 0),
    "abs-complex": (lambda L, x: L.abs(_z(L, x)), 0),
    "conj": (lambda L, x: L.real(L.mul(L.conj(_z(L, x)), 2 + 3j)), 0),
    "conj-of-real": (lambda L, x: L.imag(L.mul(L.conj(x), 1 + 2j)), 0),
    "convert-int32": (lambda L, x: x * L.convert_element_type(L.mul(x, 3.0), np.int32), 0),
    "convert-complex": (
        lambda L, x: L.imag(L.mul(L.convert_element_type(x, np.complex128), 3 - 1j)),
        0,
    ),
    "convert-complex-to-real": (lambda L, x: L.convert_element_type(_z(L, x), np.float64), 0),
}

#: name -> f(L, x, y) of two real arrays of one shape (x real, y nonzero).
BINARY: dict[str, Fn] = {
    "add": lambda L, x, y: L.add(x, y),
    "sub": lambda L, x, y: L.sub(x, y),
    "mul": lambda L, x, y: L.mul(x, y),
    "div": lambda L, x, y: L.div(x, y),
    "rem": lambda L, x, y: L.rem(x, y),
    "max": lambda L, x, y: L.max(x, y),
    "min": lambda L, x, y: L.min(x, y),
    "atan2": lambda L, x, y: L.atan2(x, y),
    "pow": lambda L, x, y: L.pow(L.add(L.square(x), 0.5), y),
    "pow-int-exponent": lambda L, x, y: L.pow(y, 3),
    "complex-abs": lambda L, x, y: L.abs(L.complex(x, y)),
    "complex-parts": lambda L, x, y: L.real(L.mul(L.complex(x, y), L.complex(y, L.square(x)))),
    "clamp": lambda L, x, y: L.clamp(L.sub(y, 1.0), x, L.add(y, 1.0)),
}
X = np.array([-2.3, -1.1, -0.4, 0.3, 0.7, 1.9, 3.1, 4.5])
Y = np.array([0.6, -1.5, 2.2, -0.8, 1.3, 0.45, -2.7, 2.0])

#: Broadcasting (admodes.lax broadcasts, jax.lax does not: JAX's operands are broadcast first).
BROADCAST = ("add", "mul", "div", "rem", "max", "pow", "complex-abs", "clamp")
X23 = np.array([[-2.3, 0.4, 1.1], [0.9, -0.2, 3.0]])
Y3 = np.array([0.7, -1.6, 2.5])

#: name -> f(L, a, x), a and x positive: the special functions of admodes.lax.special.
SPECIAL: dict[str, Fn] = {
    "lgamma": lambda L, a, x: L.lgamma(L.sub(x, 0.5)),
    "digamma": lambda L, a, x: L.digamma(x),
    "polygamma-1": lambda L, a, x: L.polygamma(1.0, x),
    "polygamma-3": lambda L, a, x: L.polygamma(3.0, x),
    "erf": lambda L, a, x: L.erf(L.sub(x, 2.0)),
    "erf_inv": lambda L, a, x: L.erf_inv(L.div(x, 6.0)),
    "igamma": lambda L, a, x: L.igamma(a, x),
    "igammac": lambda L, a, x: L.igammac(a, x),
    "zeta": lambda L, a, x: L.zeta(L.add(a, 1.5), x),
    "betainc": lambda L, a, x: L.betainc(2.5, 1.5, L.div(x, 6.0)),
}
SA = np.array([0.7, 1.5, 2.5, 4.0, 9.0])
SX = np.array([0.3, 1.2, 2.0, 3.5, 4.0])


def _both(fn: Fn, prepare: Fn = lambda *xs: xs) -> tuple[Fn, Fn]:
    """``fn`` bound to admodes.lax and to jax.lax (whose operands ``prepare`` adapts)."""
    return functools.partial(fn, AD), lambda *xs: fn(JX, *prepare(*xs))


def _on_domain(fn: Fn, k: int, L: Any, *xs: Any) -> Any:
    return fn(L, xs[k])


# ---------------------------------------------------------------------------- against JAX
@pytest.mark.filterwarnings("ignore::numpy.exceptions.ComplexWarning")  # complex to real
def test_unary_values_and_gradients_match_jax() -> None:
    pairs = [_both(functools.partial(_on_domain, fn, k)) for fn, k in UNARY.values()]
    assert_gradients_match_jax(pairs, DOMAINS)


def test_binary_values_and_gradients_match_jax() -> None:
    assert_gradients_match_jax([_both(fn) for fn in BINARY.values()], (X, Y))


def test_broadcasting_is_a_superset_of_jax() -> None:
    """Operands of different shapes broadcast, and their gradients are summed back, as JAX's on
    the operands broadcast by hand."""
    pairs = [_both(BINARY[name], jnp.broadcast_arrays) for name in BROADCAST]
    assert_gradients_match_jax(pairs, (X23, Y3))


def test_special_values_and_gradients_match_jax() -> None:
    """Values SciPy's, gradients JAX's (in both arguments of igamma, igammac and zeta, as
    jax.scipy.special.zeta: jax.lax.zeta has none)."""
    assert_gradients_match_jax([_both(fn) for fn in SPECIAL.values()], (SA, SX))
    assert_close(AD.igamma_grad_a(SA, SX), jax_compiled(jax.lax.igamma_grad_a, SA, SX))


def _hessian_composite(L: Any, x: Any, y: Any) -> Any:
    """A scalar built from a representative set of the functions, for second derivatives."""
    base = L.add(L.square(x), 0.5)
    terms = [
        L.pow(base, y),
        L.integer_pow(x, 3),
        L.rsqrt(base),
        L.logistic(x),
        L.atan2(x, y),
        L.rem(x, y),
        L.div(x, y),
        L.mul(L.max(x, y), x),
        L.mul(L.clamp(-0.5, x, 0.5), y),
        L.real(L.mul(L.conj(L.complex(x, y)), L.complex(y, base))),
        L.cbrt(x),
        L.exp2(x),
        L.tan(L.mul(x, 0.3)),
        L.mul(L.round(x), x),
        L.erf_inv(L.mul(L.tanh(x), 0.5)),
        L.lgamma(base),
        L.digamma(base),
        L.igamma(2.5, base),
        L.bessel_i1e(x),
    ]
    return L.reduce_sum(functools.reduce(L.add, terms), (0,))


def test_second_derivatives_match_jax() -> None:
    """Forward over reverse (hessian) and reverse over forward give JAX's Hessian."""
    x, y = np.array([-1.3, 0.2, 0.8, 1.7]), np.array([0.9, -0.6, 1.4, 2.2])
    ours = SimpleNamespace(**vars(AD), reduce_sum=lambda v, axes: anp.sum(v, axis=axes))
    expected = jax_compiled(jax.hessian(functools.partial(_hessian_composite, JX), (0, 1)), x, y)
    f = functools.partial(_hessian_composite, ours)
    assert_close(ad.hessian(f, (0, 1))(x, y), expected)
    assert_close(ad.jacrev(ad.grad(f, (0, 1), mode="forward"), (0, 1))(x, y), expected)


#: (label, f(L, *args), args): derivatives at JAX's special points, one argument at a time (so
#: that an infinite partial meets no zero tangent of another argument).
SPECIAL_POINTS: list[tuple[str, Fn, tuple]] = [
    *((f"abs-{x}", lambda L, x: L.abs(x), (x,)) for x in (0.0, -0.0)),
    ("sqrt-0", lambda L, x: L.sqrt(x), (0.0,)),
    ("cbrt-0", lambda L, x: L.cbrt(x), (0.0,)),
    ("rsqrt-0", lambda L, x: L.rsqrt(x), (0.0,)),
    ("rsqrt-inf", lambda L, x: L.rsqrt(x), (INF,)),
    ("reciprocal-0", lambda L, x: L.reciprocal(x), (0.0,)),
    ("log-0", lambda L, x: L.log(x), (0.0,)),
    ("asin-1", lambda L, x: L.asin(x), (1.0,)),
    ("acos-1", lambda L, x: L.acos(x), (1.0,)),
    ("atanh-1", lambda L, x: L.atanh(x), (1.0,)),
    ("atan2-0-0", lambda L, x, y: L.atan2(x, y), (0.0, 0.0)),
    ("max-tie", lambda L, x, y: L.max(x, y), (1.0, 1.0)),
    ("min-tie", lambda L, x, y: L.min(x, y), (-2.0, -2.0)),
    ("max-inf-tie", lambda L, x, y: L.max(x, y), (INF, INF)),
    *(
        (f"clamp-{lo}-{x}-{hi}", lambda L, lo, x, hi: L.clamp(lo, x, hi), (lo, x, hi))
        for lo, x, hi in (
            (0.0, 0.0, 1.0),
            (0.0, 1.0, 1.0),
            (0.0, 2.0, 1.0),
            (0.0, -1.0, 1.0),
            (0.0, 0.5, 1.0),
            (2.0, 0.0, 1.0),
            (2.0, 3.0, 1.0),
            (1.0, 1.0, 1.0),
        )
    ),
    *((f"pow-0-{y}", lambda L, x, y: L.pow(x, y), (0.0, y)) for y in (0.0, 1.0, 2.0, 0.5, -1.0)),
    ("pow-negative-base", lambda L, x, y: L.pow(x, y), (-2.0, 3.0)),
    *((f"pow-0-int-{n}", lambda L, x, n=n: L.pow(x, n), (0.0,)) for n in (0, 1, 2, -1)),
    *(
        (f"integer_pow-{x}-{n}", lambda L, x, n=n: L.integer_pow(x, n), (x,))
        for x, n in ((0.0, 0), (0.0, 1), (0.0, 2), (0.0, -2), (INF, 0), (NAN, 0), (-3.0, 3))
    ),
    *(
        (f"rem-{x}-{y}", lambda L, x, y: L.rem(x, y), (x, y))
        for x, y in ((7.0, 2.0), (-7.0, 2.0), (7.0, -2.0), (6.0, 3.0), (-0.5, 3.0))
    ),
    ("div-by-0", lambda L, x, y: L.div(x, y), (1.5, 0.0)),
    *((f"round-{x}", lambda L, x: L.round(x), (x,)) for x in (0.5, -2.5)),
    ("sign-0", lambda L, x: L.sign(x), (0.0,)),
    ("logistic-800", lambda L, x: L.logistic(x), (800.0,)),
    ("logistic-minus-800", lambda L, x: L.logistic(x), (-800.0,)),
    ("bessel_i0e-0", lambda L, x: L.bessel_i0e(x), (0.0,)),
    ("bessel_i1e-0", lambda L, x: L.bessel_i1e(x), (0.0,)),
    ("complex-abs-0", lambda L, x, y: L.abs(L.complex(x, y)), (0.0, 0.0)),
    ("complex-inf", lambda L, x, y: L.imag(L.complex(x, y)), (1.0, INF)),
    ("convert-int", lambda L, x: x * L.convert_element_type(x, np.int32), (2.7,)),
    ("erfc-30", lambda L, x: L.erfc(x), (30.0,)),
    ("igamma-x0", lambda L, a, x: L.igamma(a, x), (2.5, 0.0)),
]


@functools.cache
def special_points_reference() -> dict[str, tuple]:
    """JAX's value and, per argument, jax.grad and jax.jacfwd at every special point."""

    def reference() -> dict[str, tuple]:
        out = {}
        for label, fn, args in SPECIAL_POINTS:
            f = functools.partial(fn, JX)
            by_argument = [
                (jax.grad(f, i)(*args), jax.jacfwd(f, i)(*args)) for i in range(len(args))
            ]
            out[label] = (f(*args), by_argument)
        return out

    return jax_compiled(reference)


@pytest.mark.parametrize("point", SPECIAL_POINTS, ids=lambda p: p[0])
def test_special_points_match_jax(point: tuple) -> None:
    """Kinks, ties, zeros and infinities: JAX's values and its derivatives in each mode (nan and
    inf included)."""
    label, fn, args = point
    value, by_argument = special_points_reference()[label]
    f = functools.partial(fn, AD)
    with np.errstate(all="ignore"):
        assert_close(np.asarray(f(*args)), value)
        for i, expected in enumerate(by_argument):
            for mode, want in zip(MODES, expected, strict=True):
                assert_close(np.asarray(ad.grad(f, i, mode=mode)(*args)), want)


# ---------------------------------------------------------------------------- by hand
def _gradients(f: Fn, *args: Any) -> list:
    """``grad`` of f in every argument, by each mode."""
    argnums = tuple(range(len(args)))
    return [ad.grad(f, argnums, mode=mode)(*args) for mode in MODES]


#: Integer exponents at x = 0 and the slopes JAX's select gives there: 0 for y = 0 (not 0·0⁻¹).
INTEGERS, INTEGER_SLOPES = np.array([0, 1, 2, -1]), np.array([0.0, 1.0, 0.0, -INF])


def test_jax_conventions_by_hand() -> None:
    """rem is C's fmod (the dividend's sign), div truncates integers, round breaks ties away
    from zero, max splits a tie, clamp gives its bounds no derivative at a tie, integer_pow with
    y = 0 is 1 with derivative 0, pow at 0 as JAX's rule (nan for a float 0 exponent, 0 for an
    integer one), conj of a real is complex, complex is exact at inf."""
    dividends, divisors = np.array([7.0, -7.0, 7.0, -7.0]), np.array([2.0, 2.0, -2.0, -2.0])
    assert_exact(AD.rem(dividends, divisors), np.array([1.0, -1.0, 1.0, -1.0]))
    assert_exact(AD.rem(dividends.astype(int), divisors.astype(int)), np.array([1, -1, 1, -1]))
    assert_exact(AD.div(dividends.astype(int), divisors.astype(int)), np.array([3, -3, -3, 3]))
    assert_exact(AD.div(np.array([7, -7]), np.array([0, 0])), np.array([-1, -1]))  # XLA's
    ties = np.array([-2.5, -1.5, -0.5, 0.5, 1.5, 2.5, 0.49999999999999994])
    assert_exact(AD.round(ties), np.array([-3.0, -2.0, -1.0, 1.0, 2.0, 3.0, 0.0]))
    assert_exact(AD.round(ties, 1), np.array([-2.0, -2.0, -0.0, 0.0, 2.0, 2.0, 0.0]))
    assert np.signbit(AD.round(-0.3)) and np.signbit(AD.round(-0.5, AD.RoundingMethod(1)))
    for got in _gradients(AD.max, 1.0, 1.0) + _gradients(AD.min, 1.0, 1.0):
        assert_exact(got, (0.5, 0.5))
    for x, expected in ((0.0, (0.0, 0.0, 0.0)), (1.0, (0.0, 0.0, 0.0)), (-1.0, (1.0, 0.0, 0.0)),
                        (2.0, (0.0, 0.0, 1.0)), (0.5, (0.0, 1.0, 0.0))):  # fmt: skip
        for got in _gradients(AD.clamp, 0.0, x, 1.0):
            assert_exact(got, expected)
    for x in (0.0, INF, NAN, -2.0):
        assert AD.integer_pow(x, 0) == 1.0
        for got in _gradients(lambda v: AD.integer_pow(v, 0), x):
            assert_exact(got, (0.0,))
    for mode in MODES:
        grad = functools.partial(ad.grad, mode=mode)
        with np.errstate(divide="ignore", invalid="ignore"):  # 0⁻¹ and 0·0⁻¹ at x = 0
            assert np.isnan(grad(lambda x: AD.pow(x, 0.0))(0.0))
            for n, slope in zip(INTEGERS, INTEGER_SLOPES, strict=True):  # NumPy integers
                assert_exact(grad(lambda x, n=n: AD.pow(x, n))(0.0), slope)
            assert_exact(grad(lambda x: AD.pow(x, 0))(0.0), 0.0)
            assert_exact(grad(lambda x: AD.pow(x, 1.0))(0.0), 1.0)
            assert_exact(grad(lambda x: AD.pow(x, 0.5))(0.0), INF)
            assert_exact(grad(lambda y: AD.pow(0.0, y))(2.0), 0.0)  # log 0 replaced by log 1
        assert_exact(grad(lambda x: AD.integer_pow(x, 2))(3.0), 6.0)
        assert_exact(grad(lambda x: anp.real(AD.conj(x) * (2 + 1j)))(1.5), 2.0)
        assert_exact(grad(lambda x: AD.rsqrt(x))(4.0), -1.0 / 16.0)
        assert_exact(grad(lambda x: AD.logistic(x))(0.0), 0.25)
        for fn in (AD.sign, AD.floor, AD.ceil, AD.round):
            assert_exact(grad(fn)(1.5), 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        assert np.isnan(ad.hessian(lambda x: AD.pow(x, 1))(0.0))  # 1·0·0⁻¹, as JAX's
    assert_exact(ad.hessian(lambda x: AD.integer_pow(x, 1))(0.0), 0.0)
    assert AD.cbrt(-8.0) == -2.0 and AD.rsqrt(4.0) == 0.5 and AD.logistic(0.0) == 0.5
    conjugate = AD.conj(1.5)
    assert conjugate == 1.5 + 0j and np.iscomplexobj(conjugate)
    z = AD.complex(np.array([1.0, NAN]), np.array([INF, 2.0]))
    assert_exact((z.real, z.imag), (np.array([1.0, NAN]), np.array([INF, 2.0])))


# ---------------------------------------------------------------------------- dtypes
#: name -> f(L, x, y) of float32 arrays (values only: complex outputs too).
FLOAT32: dict[str, Fn] = {
    "add": lambda L, x, y: L.add(x, y),
    "div": lambda L, x, y: L.div(x, y),
    "rem": lambda L, x, y: L.rem(x, y),
    "max": lambda L, x, y: L.max(x, y),
    "pow": lambda L, x, y: L.pow(L.abs(x), y),
    "pow-int-array": lambda L, x, y: L.pow(x, np.array([2, 3, -1, 0], np.int32)),
    "integer_pow": lambda L, x, y: L.integer_pow(x, 3),
    "rsqrt": lambda L, x, y: L.rsqrt(L.abs(x)),
    "round": lambda L, x, y: L.round(x * 2.0),
    "clamp": lambda L, x, y: L.clamp(np.float32(-0.5), x, np.float32(1.0)),
    "complex": lambda L, x, y: L.complex(x, y),
    "conj": lambda L, x, y: L.conj(x),
    "logistic": lambda L, x, y: L.logistic(x),
    "exp2": lambda L, x, y: L.exp2(x),
    "erfc": lambda L, x, y: L.erfc(x),
    "bessel_i0e": lambda L, x, y: L.bessel_i0e(x),
    "convert-float64": lambda L, x, y: L.convert_element_type(x, np.float64),
    "convert-complex128": lambda L, x, y: L.convert_element_type(x, np.complex128),
    "erf": lambda L, x, y: L.erf(x),
    "lgamma": lambda L, x, y: L.lgamma(L.abs(x)),
}


def test_float32_values_and_dtypes_match_jax() -> None:
    x = np.array([-1.75, 0.3, 0.75, 2.5], np.float32)
    y = np.array([1.5, -0.7, 2.0, 0.45], np.float32)
    expected = jax_compiled(lambda a, b: {k: f(JX, a, b) for k, f in FLOAT32.items()}, x, y)
    for name, fn in FLOAT32.items():
        got, want = fn(AD, x, y), expected[name]
        assert np.asarray(got).dtype == want.dtype, name
        assert_close(np.asarray(got), want, rtol=RTOL_F32 if want.dtype.itemsize < 16 else 1e-15)


# ---------------------------------------------------------------------------- integers, bools
#: The inputs of EXACT, arguments of JAX's program (XLA's constant folding of an integer
#: division by zero would trap).
C = {
    "i": np.array([7, -7, 7, -7, 0, 5, -3, 2**31 - 1], np.int32),
    "j": np.array([2, 2, -2, -2, 3, 0, 0, -1], np.int32),
    "u": np.array([7, 9, 0], np.uint32),
    "v": np.array([0, 2, 0], np.uint32),
    "min64": np.array([np.iinfo(np.int64).min, 9], np.int64),
    "by": np.array([-1, -2], np.int64),
    "floats": np.array([NAN, INF, -INF, 1e30, -1e30, -2.7, 2.7, 2.0**63, -(2.0**63), 300.0, -0.5]),
    "bools": np.array([True, False, True, False]),
    "bytes": np.array([0, 5, 255], np.uint8),
    "wide": np.array([300, -1, 7]),
    "complex": np.array([1 + 0j, 0j, 1j, 2.7 + 5j, -1j]),
}

#: name -> f(L, c): integer, bool and comparison results, compared exactly (values and dtypes).
EXACT: dict[str, Fn] = {
    "div": lambda L, c: L.div(c["i"], c["j"]),
    "rem": lambda L, c: L.rem(c["i"], c["j"]),
    "div-uint32": lambda L, c: L.div(c["u"], c["v"]),
    "rem-uint32": lambda L, c: L.rem(c["u"], c["v"]),
    "div-int-min": lambda L, c: L.div(c["min64"], c["by"]),
    "rem-int-min": lambda L, c: L.rem(c["min64"], c["by"]),
    "div-python-ints": lambda L, c: L.div(-7, 2),
    "rem-python-ints": lambda L, c: L.rem(-7, 2),
    "bitwise_and": lambda L, c: L.bitwise_and(c["i"], c["j"]),
    "bitwise_or": lambda L, c: L.bitwise_or(c["i"], c["j"]),
    "bitwise_xor": lambda L, c: L.bitwise_xor(c["i"], c["j"]),
    "bitwise_not": lambda L, c: L.bitwise_not(c["i"]),
    "bitwise_not-uint8": lambda L, c: L.bitwise_not(c["bytes"]),
    "bitwise-bools": lambda L, c: L.bitwise_xor(
        L.bitwise_and(c["bools"], c["bools"][::-1]), L.bitwise_not(c["bools"])
    ),
    "bitwise_or-bools": lambda L, c: L.bitwise_or(c["bools"], c["bools"][::-1]),
    **{
        name: (lambda L, c, name=name: getattr(L, name)(c["floats"], c["floats"][::-1]))
        for name in ("eq", "ne", "lt", "le", "gt", "ge")
    },
    "lt-int": lambda L, c: L.lt(c["i"], c["j"]),
    "eq-int": lambda L, c: L.eq(c["i"], c["j"]),
    "is_finite": lambda L, c: L.is_finite(c["floats"]),
    "abs-int": lambda L, c: L.abs(c["j"]),
    "neg-int": lambda L, c: L.neg(c["i"]),
    "sign-int": lambda L, c: L.sign(c["j"]),
    "max-int": lambda L, c: L.max(c["i"], c["j"]),
    "min-int": lambda L, c: L.min(c["i"], c["j"]),
    "mul-int": lambda L, c: L.mul(c["i"], c["j"]),
    "integer_pow-int": lambda L, c: L.integer_pow(c["j"], 3),
    "nextafter": lambda L, c: L.nextafter(c["floats"], c["floats"][::-1]),
    "nextafter-float32": lambda L, c: L.nextafter(
        c["floats"].astype(np.float32), c["floats"][::-1].astype(np.float32)
    ),
    **{
        f"convert-{np.dtype(d).name}": (lambda L, c, d=d: L.convert_element_type(c["floats"], d))
        for d in (np.int8, np.uint8, np.int32, np.uint32, np.int64, np.uint64, np.bool_)
    },
    "convert-float32-int32": lambda L, c: L.convert_element_type(
        c["floats"].astype(np.float32), "int32"
    ),
    "convert-int-wraps": lambda L, c: L.convert_element_type(c["wide"], np.uint8),
    "convert-bool-to-float32": lambda L, c: L.convert_element_type(c["bools"], np.float32),
    "convert-complex-to-bool": lambda L, c: L.convert_element_type(c["complex"], bool),
    "convert-complex-to-int": lambda L, c: L.convert_element_type(c["complex"], np.int16),
}


def test_integer_bool_and_comparison_results_are_jaxs() -> None:
    """Exactly JAX's values and dtypes: integer division truncating (−1 and x at a zero divisor,
    INT_MIN / −1 wrapping, as XLA), bit operations, comparisons at nan and ±inf, conversions
    saturating (nan → 0) and complex ones keeping the real part."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.ComplexWarning)
        expected = jax_compiled(lambda c: {k: f(JX, c) for k, f in EXACT.items()}, C)
        with np.errstate(all="ignore"):
            for name, fn in EXACT.items():
                got, want = np.asarray(fn(AD, C)), expected[name]
                assert got.dtype == want.dtype, (name, got.dtype, want.dtype)
                assert_exact(got, want)


def test_convert_element_type_warns_and_keeps_derivatives() -> None:
    """Complex to real warns (ComplexWarning, as JAX) and keeps the real part; float to integers
    gives a constant; the same dtype gives the operand itself."""
    with pytest.warns(np.exceptions.ComplexWarning, match="discards the imaginary part"):
        assert AD.convert_element_type(np.array([1.5 + 2j]), np.float64)[0] == 1.5
    x = np.array([0.5, 2.0])
    assert AD.convert_element_type(x, np.float64) is x
    for mode in MODES:
        grad = ad.grad(lambda v: anp.sum(AD.convert_element_type(v, np.float32)), mode=mode)
        assert_exact(grad(x), np.ones(2))


# ---------------------------------------------------------------------------- bindings, names
BOUND = {
    "abs": anp.abs, "acos": anp.arccos, "acosh": anp.arccosh, "add": anp.add, "asin": anp.arcsin,
    "asinh": anp.arcsinh, "atan": anp.arctan, "atan2": anp.arctan2, "atanh": anp.arctanh,
    "cbrt": anp.cbrt, "ceil": anp.ceil, "cos": anp.cos, "cosh": anp.cosh, "exp": anp.exp,
    "exp2": anp.exp2, "expm1": anp.expm1, "floor": anp.floor, "imag": anp.imag,
    "is_finite": anp.isfinite, "log": anp.log, "log1p": anp.log1p, "max": anp.maximum,
    "min": anp.minimum, "mul": anp.multiply, "neg": anp.negative, "nextafter": anp.nextafter,
    "real": anp.real, "reciprocal": anp.reciprocal, "sign": anp.sign, "sin": anp.sin,
    "sinh": anp.sinh, "sqrt": anp.sqrt, "square": anp.square, "sub": anp.subtract,
    "tan": anp.tan, "tanh": anp.tanh, "eq": anp.equal, "ne": anp.not_equal, "lt": anp.less,
    "le": anp.less_equal, "gt": anp.greater, "ge": anp.greater_equal,
    "bitwise_and": anp.bitwise_and, "bitwise_or": anp.bitwise_or,
    "bitwise_xor": anp.bitwise_xor, "bitwise_not": anp.bitwise_not,
}  # fmt: skip


def test_names_are_jax_laxs_and_bound_to_admodes_numpy() -> None:
    """Every exported name is jax.lax's; where jax.numpy agrees, it is admodes.numpy's function
    itself (reduce_window recognises computations by identity); ``__all__`` is sorted."""
    for module in (elementwise, special):
        assert module.__all__ == sorted(module.__all__)
    assert all(hasattr(jax.lax, name) for name in NAMES)
    for name, fn in BOUND.items():
        assert getattr(elementwise, name) is fn, name
    assert [m.name for m in AD.RoundingMethod] == [m.name for m in jax.lax.RoundingMethod]
    assert [int(m) for m in AD.RoundingMethod] == [int(m) for m in jax.lax.RoundingMethod]


# ---------------------------------------------------------------------------- errors
def test_errors_say_what_to_pass() -> None:
    x = np.array([0.5, 2.0])
    with pytest.raises(TypeError, match=r"must be a Python int.*lax.pow"):
        AD.integer_pow(x, 2.5)
    with pytest.raises(TypeError, match="must be a Python int"):
        AD.integer_pow(x, np.array([2, 3]))
    assert_exact(AD.integer_pow(x, 2.0), x**2)  # integral floats, as JAX takes them
    with pytest.raises(TypeError, match=r"negative powers.*convert x to a float"):
        AD.integer_pow(np.array([2, 3]), -1)
    with pytest.raises(TypeError, match=r"base x must be a float or complex.*integer_pow"):
        AD.pow(np.array([2, 3]), 2.0)
    with pytest.raises(TypeError, match=r"x must be real.*lax.real"):
        AD.complex(x + 1j, x)
    with pytest.raises(ValueError, match="dtype must be specified"):
        AD.convert_element_type(x, None)
    with pytest.raises(TypeError, match="new_dtype must be a dtype"):
        AD.convert_element_type(x, "not-a-dtype")
    with pytest.raises(TypeError, match="numeric and bool dtypes"):
        AD.convert_element_type(x, "U3")
    with pytest.raises(ValueError, match="not a valid RoundingMethod"):
        AD.round(x, 3)
    with pytest.raises(TypeError, match="real values only"):
        AD.round(x + 1j)
    with pytest.raises(NotImplementedError, match="polygamma with respect to its integer order"):
        ad.grad(lambda m: AD.polygamma(m, 2.0))(1.0)
    with pytest.raises(NotImplementedError, match="betainc"):
        ad.grad(lambda a: AD.betainc(a, 2.0, 0.5))(1.5)
    with pytest.raises(NotImplementedError, match="no derivative"):
        ad.grad(lambda v: AD.nextafter(v, 2.0))(1.0)
    with pytest.raises(TypeError, match="integer and bool values"):
        ad.grad(lambda v: anp.sum(AD.bitwise_and(v, 1)))(x)
