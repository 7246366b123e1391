"""The special functions of ``admodes.scipy.special`` added for JAX ports, against SciPy (values
at edges and poles, float32 kept, Python floats) and against JAX (derivatives in each argument by
both modes, elementwise and as ``grad``, ``jacfwd`` and ``jacrev``, on random points of the
domain and at special points; second derivatives), and their errors.

JAX's references are computed in one compiled program (its compilation is most of this file's
time). At special points each admodes mode is compared with JAX's in the same mode where JAX's
modes differ by its convention (factorial and loggamma: 0 by forward mode, 0 · ψ(pole) by
reverse mode, where JAX selects a constant). Where one of JAX's modes is nan from a zero times
the nan of a branch it did not take (its reverse mode: beta at negative arguments, spence on
(1, 2]; its forward mode: poch at z = 0, zeta at q < 0), both admodes modes give the other's.
Where admodes and JAX differ on purpose, the value is checked by hand.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import jax
import jax.scipy.special as jss
import numpy as np
import pytest
import scipy.special as sc
from conftest import (
    MODES,
    assert_close,
    assert_hessian_is_the_gradients_slope,
    jax_compiled,
)

import admodes as ad
import admodes.numpy as anp
from admodes.scipy import special

INF, NAN = np.inf, np.nan
A = np.array
RNG = np.random.default_rng(20240611)


def uniform(low: float, high: float, n: int = 4) -> np.ndarray:
    return RNG.uniform(low, high, n)


# ---------------------------------------------------------------------------- values
def _comb_repetition(m: Any, n: Any, k: Any) -> Any:
    return m.comb(n, k, repetition=True)


def _expn_orders(m: Any, x: Any) -> Any:
    return m.expn(np.array([[0], [1], [2], [3], [10], [-1]]), x)


N_COMB = A([[0.0], [1.0], [5.0], [10.0], [30.0], [7.5], [-1.0], [NAN]])
K_COMB = A([-1.0, 0.0, 1.0, 2.5, 3.0, 10.0, 29.0])
NEGATIVE = A([-INF, -200.5, -3.0, -2.5, -1.0, -0.5, -0.0])
POSITIVE = A([0.0, 1e-300, 1e-8, 0.5, 1.0, 2.5, 7.0, 40.0, 171.5, INF, NAN])
REAL = np.concatenate([NEGATIVE, POSITIVE, [-30.0, 3.25, 6.25, 26.5, 27.0, 700.0, 800.0]])
LAMBDAS = A([[-2.0], [-0.5], [0.0], [1e-12], [0.5], [1.0], [3.0]])

#: (id, admodes function, SciPy function, arguments, rtol): values against SciPy's.
VALUES = [
    ("beta", special.beta, sc.beta, (POSITIVE[:, None], A([0.5, 3.0, 200.0])), 1e-13),
    ("beta-negative", special.beta, sc.beta, (NEGATIVE[1:, None], A([-1.5, 0.7, 2.0])), 1e-13),
    ("poch", special.poch, sc.poch, (POSITIVE[:, None], A([-2.5, -1.0, 0.0, 0.5, 3.0])), 1e-13),
    ("poch-negative", special.poch, sc.poch, (NEGATIVE[:, None], A([-1.0, 0.0, 1.0, 2.5])),
     1e-13),
    ("factorial", special.factorial, sc.factorial, (np.concatenate([REAL, [20.0, 171.0]]),),
     1e-13),
    ("factorial-int", special.factorial, sc.factorial, (np.arange(-2, 25),), 1e-13),
    ("comb", special.comb, sc.comb, (N_COMB, K_COMB), 1e-13),
    ("comb-int", special.comb, sc.comb, (np.arange(12)[:, None], np.arange(-1, 12)), 1e-14),
    ("comb-large", special.comb, sc.comb, (A([[100.0], [1000.0]]), A([3.0, 50.0, 500.5])),
     1e-11),
    ("comb-repetition", functools.partial(_comb_repetition, special),
     functools.partial(_comb_repetition, sc), (N_COMB[:6], K_COMB[1:]), 1e-13),
    ("loggamma", special.loggamma, sc.loggamma, (REAL,), 1e-13),
    ("gammasgn", special.gammasgn, sc.gammasgn, (REAL,), 0.0),
    ("boxcox", special.boxcox, sc.boxcox, (np.concatenate([[-1.0], POSITIVE]), LAMBDAS), 1e-14),
    ("boxcox1p", special.boxcox1p, sc.boxcox1p,
     (np.concatenate([[-2.0, -1.0, -0.5], POSITIVE]), LAMBDAS), 1e-14),
    ("erfcx", special.erfcx, sc.erfcx, (REAL,), 0.0),
    ("dawsn", special.dawsn, sc.dawsn, (REAL,), 0.0),
    ("exp1", special.exp1, sc.exp1, (REAL,), 0.0),
    ("expi", special.expi, sc.expi, (REAL,), 0.0),
    ("expn", functools.partial(_expn_orders, special), functools.partial(_expn_orders, sc),
     (REAL,), 0.0),
    ("spence", special.spence, sc.spence, (np.concatenate([REAL, [1.5, 2.0, 1e10]]),), 0.0),
    # SciPy's, but nan at a nan argument (SciPy: inf for q ≤ 0), as JAX's
    ("zeta", special.zeta, lambda s, q: np.where(np.isnan(s) | np.isnan(q), NAN, sc.zeta(s, q)),
     (A([[1.0], [1.5], [2.0], [40.0], [0.5], [INF], [NAN]]),
      A([-2.0, -1.5, 0.0, 1e-3, 1.0, 3.0, INF])), 0.0),
    ("sici", special.sici, sc.sici, (np.concatenate([REAL, [-1e10, 4.0, 1e9, 2e9]]),), 0.0),
    ("fresnel", special.fresnel, sc.fresnel, (np.concatenate([REAL, [-1e10, 4.0, 1e9]]),), 0.0),
    ("owens_t", special.owens_t, sc.owens_t, (REAL[:, None], A([-INF, -2.0, 0.0, 0.5, 1.0, INF])),
     0.0),
]  # fmt: skip


@pytest.mark.parametrize(("ours", "theirs", "args", "rtol"), [v[1:] for v in VALUES],
                         ids=[v[0] for v in VALUES])  # fmt: skip
def test_values_match_scipy(ours: Callable, theirs: Callable, args: tuple, rtol: float) -> None:
    with np.errstate(all="ignore"):
        assert_close(ours(*args), theirs(*args), rtol=rtol)


def test_comb_with_repetition_is_jaxs_below_one() -> None:
    """With repetition, comb(N, k) = comb(N + k − 1, k) is 0 for N < 1 (but 1 at k = 0 ≤ N) and
    for k < 0, as JAX's; SciPy's is the binomial coefficient of a negative or fractional top
    (1 at N = −1, k = 0; 0.375 at N = 0.5, k = 2), or nan."""
    n, k = A([-1.0, 0.5, -0.5, 0.0, 0.5, 3.0]), A([0.0, 2.0, 1.0, 0.0, 0.0, -1.0])
    assert_close(special.comb(n, k, repetition=True), A([0.0, 0.0, 0.0, 1.0, 1.0, 0.0]))


def test_bernoulli_numbers_are_scipys() -> None:
    for n in (0, 1, 2, 7, 30, 3.0):
        np.testing.assert_array_equal(special.bernoulli(n), sc.bernoulli(n))


def test_boxcox_of_a_tiny_lambda_is_the_quotient() -> None:
    """λ = 0 alone takes log x, as JAX (SciPy takes it for |λ| < 1e-19): at x = 0 and λ = 1e-20
    the value is −1/λ (SciPy's −inf), elsewhere the same to rounding."""
    with np.errstate(divide="ignore"):  # log 0
        assert special.boxcox(0.0, 1e-20) == -1e20 and special.boxcox1p(-1.0, 1e-20) == -1e20
    assert special.boxcox(2.5, 1e-20) == pytest.approx(sc.boxcox(2.5, 1e-20), rel=1e-15)


#: f(m, x) for m = admodes.scipy.special and scipy.special, x float32: float32 kept (Python
#: scalars are weak, as in JAX), SciPy's values to float32 precision.
FLOAT32 = {
    "beta": lambda m, x: m.beta(x, 2.5),
    "poch": lambda m, x: m.poch(x, 1.5),
    "factorial": lambda m, x: m.factorial(x),
    "comb": lambda m, x: m.comb(x + 4.0, 2),
    "comb-repetition": lambda m, x: m.comb(x + 1.0, 2, repetition=True),
    "loggamma": lambda m, x: m.loggamma(x),
    "gammasgn": lambda m, x: m.gammasgn(x - 3.0),
    "boxcox": lambda m, x: m.boxcox(x, 0.5),
    "boxcox-lambda-array": lambda m, x: m.boxcox(2.5, x - 1.0),
    "boxcox1p": lambda m, x: m.boxcox1p(x, -0.5),
    "erfcx": lambda m, x: m.erfcx(x - 2.0),
    "dawsn": lambda m, x: m.dawsn(x),
    "exp1": lambda m, x: m.exp1(x),
    "expi": lambda m, x: m.expi(x - 1.0),
    "expn": lambda m, x: m.expn(3, x),
    "spence": lambda m, x: m.spence(x),
    "zeta": lambda m, x: m.zeta(x + 1.5, 2.0),
    "zeta-q": lambda m, x: m.zeta(2.5, x),
    "sici": lambda m, x: m.sici(x - 1.0),
    "fresnel": lambda m, x: m.fresnel(x - 1.0),
    "owens_t": lambda m, x: m.owens_t(x, 0.5),
    "owens_t-a": lambda m, x: m.owens_t(0.5, x),
}
X32 = A([0.25, 1.0, 1.5, 4.0], np.float32)


@pytest.mark.parametrize("name", FLOAT32)
def test_float32_kept(name: str) -> None:
    ours = FLOAT32[name](special, X32)
    expected = FLOAT32[name](sc, X32.astype(np.float64))
    for part, want in zip(*((ours, expected) if name in ("sici", "fresnel") else
                            ((ours,), (expected,))), strict=True):  # fmt: skip
        assert part.dtype == np.float32
        np.testing.assert_allclose(part, want, rtol=2e-6)


@pytest.mark.parametrize(
    "name", ["beta", "poch", "boxcox", "boxcox1p", "comb", "expn", "zeta", "owens_t"]
)
def test_python_floats_give_scipys_float64(name: str) -> None:
    args = (2, 7.5) if name == "expn" else (7.5, 2.0)
    ours = getattr(special, name)(*args)
    assert np.shape(ours) == () and np.asarray(ours).dtype == np.float64
    assert ours == pytest.approx(getattr(sc, name)(*args), rel=1e-14)


def test_unary_primitives_of_python_floats_are_python_floats() -> None:
    for name in ("erfcx", "dawsn", "exp1", "expi", "spence", "gammasgn"):
        assert type(getattr(special, name)(0.7)) is float, name
    for name in ("sici", "fresnel"):
        assert all(type(part) is float for part in getattr(special, name)(0.7)), name


# ---------------------------------------------------------------------------- derivatives vs JAX
@dataclass(frozen=True)
class Derivatives:
    """A function by admodes and by JAX, on random points of its domain and at special points
    (one array per argument each), differentiated in ``argnums``. ``as_jax``: JAX's modes to
    compare admodes' forward and reverse modes with at the special points (see the module's
    docstring)."""

    ad: Callable[..., Any]
    jax: Callable[..., Any]
    random: tuple[np.ndarray, ...]
    special: tuple[np.ndarray, ...]
    argnums: tuple[int, ...] = (0, 1)
    as_jax: tuple[str, str] = ("forward", "forward")

    @property
    def points(self) -> tuple[np.ndarray, ...]:
        return tuple(np.concatenate(p) for p in zip(self.random, self.special, strict=True))


def _unary(ad_fn: Callable, jax_fn: Callable, random: np.ndarray, points: list,
           as_jax: tuple[str, str] = ("forward", "forward")) -> Derivatives:  # fmt: skip
    return Derivatives(ad_fn, jax_fn, (random,), (A(points),), argnums=(0,), as_jax=as_jax)


def _expn(n: int) -> Callable:
    return lambda m, x: m.expn(n, x)


def _part(name: str, k: int) -> Callable:
    """Part k of the pair ``m.name(x)`` (sici, fresnel)."""
    return lambda m, x: getattr(m, name)(x)[k]


#: The special points of sici and fresnel: the sign, 0, the switch of JAX's sici to its
#: asymptotic series (4), of its far form (1e9), large x (exactly reduced x²/2), infinities.
INTEGRAL_POINTS = [-INF, -1e10, -3.0, -0.0, 0.0, 1e-300, 4.0, 100.5, 1e4 + 0.3, 1e9, INF, NAN]


DERIVATIVES = {
    "beta": Derivatives(special.beta, jss.beta, (uniform(0.3, 6.0), uniform(0.3, 6.0)),
                        (A([0.5, -0.5, -1.5, 3.0, 1e-300, 200.0, -2.0]),
                         A([1.5, 2.0, 0.7, -3.5, 2.0, 300.0, 1.0]))),
    "poch": Derivatives(special.poch, jss.poch, (uniform(0.3, 6.0), uniform(-0.25, 3.0)),
                        (A([1.0, 2.5, -0.5, 3.0, 0.0, -2.0]), A([0.0, 1.5, 2.0, -1.0, 2.0, 1.0])),
                        as_jax=("reverse", "reverse")),
    "factorial": _unary(special.factorial, jss.factorial, uniform(0.0, 10.0),
                        [-INF, -2.0, -1.0, -0.5, 0.0, 1.0, 2.5, 30.0, INF, NAN],
                        ("forward", "reverse")),
    "comb": Derivatives(special.comb, jss.comb,
                        (A([6.0, 10.0, 3.5, 4.0]), A([2.0, 3.0, 1.25, 4.0])),
                        (A([5.0, 5.0, 5.0, 5.0, -1.0, 0.0, 0.0, 3.0, 2.0, NAN]),
                         A([0.0, 2.0, 5.0, 6.0, 0.0, 0.0, 1.0, -1.0, NAN, 1.0]))),
    "comb-repetition": Derivatives(
        functools.partial(special.comb, repetition=True),
        functools.partial(jss.comb, repetition=True), (A([6.0, 10.0, 3.5]), A([2.0, 3.0, 1.25])),
        (A([5.0, 5.0, 0.0, 0.0, 1.0, -1.0, 0.5]), A([0.0, 2.0, 0.0, 1.0, 3.0, 0.0, 2.0]))),
    "loggamma": _unary(special.loggamma, jss.loggamma, uniform(0.3, 6.0),
                       [-INF, -2.0, -1.0, -0.5, -0.0, 0.0, 1e-300, 1.0, INF, NAN],
                       ("forward", "reverse")),
    "gammasgn": _unary(special.gammasgn, jss.gammasgn, uniform(-3.0, 3.0),
                       [-INF, -2.0, -0.5, -0.0, 0.0, INF, NAN]),
    "boxcox": Derivatives(special.boxcox, jss.boxcox, (uniform(0.3, 6.0), uniform(-2.0, 2.0)),
                          (A([0.0, 0.5, 2.0, 2.0, -1.0, INF, 1.0]),
                           A([0.0, 0.0, 0.0, -1.0, 0.5, 0.5, 2.0]))),
    "boxcox1p": Derivatives(special.boxcox1p, jss.boxcox1p,
                            (uniform(-0.9, 4.0), uniform(-2.0, 2.0)),
                            (A([-1.0, -0.5, 0.0, 2.0, -2.0, 1e-300]),
                             A([0.0, 0.0, 0.0, -1.0, 0.5, 0.5]))),
    "erfcx": _unary(special.erfcx, jss.erfcx, uniform(-3.0, 30.0),
                    [-INF, -30.0, -5.0, -0.0, 0.0, 1e-300, 26.5, 27.0, INF, NAN]),
    "dawsn": _unary(special.dawsn, jss.dawsn, uniform(-8.0, 8.0),
                    [-INF, -10.0, -0.0, 0.0, 1e-300, 3.25, 6.25, 1e10, INF, NAN]),
    "exp1": _unary(special.exp1, jss.exp1, uniform(0.01, 40.0),
                   [-INF, -1.0, 0.0, 1e-300, 700.0, 800.0, NAN]),
    "expi": _unary(special.expi, jss.expi, uniform(-40.0, 40.0),
                   [-INF, -700.0, -1.0, -0.0, 0.0, 1e-300, 700.0, 710.0, INF, NAN]),
    **{f"expn-{n}": _unary(functools.partial(_expn(n), special), functools.partial(_expn(n), jss),
                           uniform(0.01, 40.0), [-1.0, 0.5, 1.0, 1.5, 800.0, NAN])
       for n in (2, 7)},
    "spence": _unary(special.spence, jss.spence, uniform(0.01, 5.0),
                     [-1.0, -0.0, 0.0, 1e-3, 0.5, 1.0, 1 - 1e-12, 1 + 1e-12, 1.5, 2.0, 1e10,
                      INF, NAN]),
    **{f"{name}-{k}": _unary(functools.partial(_part(name, k), special),
                             functools.partial(_part(name, k), jss), uniform(-6.0, 6.0),
                             INTEGRAL_POINTS)
       for name in ("sici", "fresnel") for k in (0, 1)},
    "owens_t": Derivatives(special.owens_t, jss.owens_t, (uniform(-3.0, 3.0), uniform(-3.0, 3.0)),
                           (A([0.0, -1.0, 1.0, INF, 2.0, 0.5, 0.3, NAN, 0.0]),
                            A([1.0, 0.5, -2.0, 1.0, INF, 0.0, NAN, 1.0, 0.0]))),
    "zeta": Derivatives(special.zeta, jss.zeta, (uniform(1.1, 6.0), uniform(0.05, 6.0)),
                        (A([1.5, 2.0, 3.0, 40.0, 2.0, 0.5, INF, 2.0, NAN]),
                         A([1.0, 0.5, 1e-3, 3.0, -1.5, 2.0, 2.0, INF, 1.0])),
                        as_jax=("reverse", "reverse")),
}  # fmt: skip


def _alone(fn: Callable, points: tuple, i: int) -> Callable:
    """fn of its argument i, the others fixed at ``points``."""
    return lambda x: fn(*points[:i], x, *points[i + 1 :])


def _pushforward(jvp: Callable, fn: Callable, points: tuple, i: int) -> Any:
    """∂fn/∂(argument i) at every point (fn elementwise) by forward mode: the tangent of ones."""
    return jvp(_alone(fn, points, i), (points[i],), (np.ones(np.shape(points[i])),))[1]


def _pullback(vjp: Callable, fn: Callable, points: tuple, i: int) -> Any:
    """∂fn/∂(argument i) at every point by reverse mode: the cotangent of ones, pulled back."""
    return vjp(_alone(fn, points, i), points[i])[1](np.ones(np.shape(points[i])))[0]


@functools.cache
def _jax_references() -> dict:
    """JAX's partial derivatives of every case, by forward mode and, where a case compares with
    it, by reverse mode, in one program (compiled with fewer XLA passes)."""

    def reference(points: dict) -> dict:
        return {
            name: [{"forward": _pushforward(jax.jvp, c.jax, points[name], i),
                    **({"reverse": _pullback(jax.vjp, c.jax, points[name], i)}
                       if "reverse" in c.as_jax else {})} for i in c.argnums]
            for name, c in DERIVATIVES.items()
        }  # fmt: skip

    return jax_compiled(reference, {name: c.points for name, c in DERIVATIVES.items()})


def _scalar_derivatives(fn: Callable, points: tuple, i: int, mode: str) -> np.ndarray:
    """∂fn/∂(argument i) at each point, on Python floats, by ``mode``."""
    rows = zip(*(p.tolist() for p in points), strict=True)
    with np.errstate(all="ignore"):
        return A([float(ad.grad(fn, i, mode=mode)(*row)) for row in rows])


def _weighted(xp: Any, fn: Callable) -> Callable:
    """Σ w · fn(*args), weights 1 to 2 (so that entries do not cancel)."""

    def total(*args: Any) -> Any:
        y = fn(*args)
        return xp.sum(y * np.linspace(1.0, 2.0, y.size).reshape(y.shape))

    return total


@pytest.mark.parametrize("name", DERIVATIVES)
def test_derivatives_match_jax(name: str) -> None:
    """At every point, each partial derivative by each mode (of arrays, and of Python floats at
    the special points); on the random points, ``grad`` of a weighted sum by both modes,
    ``jacfwd`` and ``jacrev`` (JAX's Jacobian: the partials on its diagonal)."""
    case, references = DERIVATIVES[name], _jax_references()[name]
    points, n = case.points, len(case.random[0])
    gradient, jacobian = [], []
    for i, expected in zip(case.argnums, references, strict=True):
        by_mode = {"forward": expected[case.as_jax[0]], "reverse": expected[case.as_jax[1]]}
        with np.errstate(all="ignore"):
            ours = {"forward": _pushforward(ad.jvp, case.ad, points, i),
                    "reverse": _pullback(ad.vjp, case.ad, points, i)}  # fmt: skip
        for mode in MODES:
            assert_close(ours[mode][:n], expected["forward"][:n])
            assert_close(ours[mode][n:], by_mode[mode][n:])
            assert_close(_scalar_derivatives(case.ad, case.special, i, mode), by_mode[mode][n:])
        gradient.append(expected["forward"][:n] * np.linspace(1.0, 2.0, n))
        jacobian.append(np.diag(expected["forward"][:n]))
    for mode in MODES:
        ours = ad.grad(_weighted(anp, case.ad), case.argnums, mode=mode)(*case.random)
        assert_close(ours, tuple(gradient))
    assert_close(ad.jacfwd(case.ad, case.argnums)(*case.random), tuple(jacobian))
    assert_close(ad.jacrev(case.ad, case.argnums)(*case.random), tuple(jacobian))


#: f(x) of two variables, and x: the Hessian, forward over reverse, is the central difference
#: of the gradient (first derivatives JAX's, above), and symmetric.
SECOND = {
    "gamma-family": (lambda x: special.poch(x[0], x[1]) * special.comb(x[0] + 5.0, x[1])
                     + special.beta(x[1], x[0]) + special.factorial(x[0] * x[1])
                     + special.loggamma(x[1]), A([1.5, 2.5])),
    "boxcox": (lambda x: special.boxcox(x[0], x[1]) * special.boxcox1p(x[1], x[0]),
               A([1.5, 0.5])),
    "zeta": (lambda x: special.zeta(x[0], x[1]) * special.zeta(x[0] + x[1], 0.5), A([2.5, 1.5])),
    "integrals": (lambda x: special.erfcx(x[0]) * special.dawsn(x[1])
                  + special.exp1(x[0]) * special.expi(x[1]) + special.expn(3, x[0] * x[1])
                  + special.spence(x[1]), A([0.7, 1.3])),
    "sici-fresnel-owens_t": (lambda x: special.sici(x[0])[0] * special.sici(x[1])[1]
                             + special.fresnel(x[0] * x[1])[0] * special.fresnel(x[1])[1]
                             + special.owens_t(x[0], x[1]), A([0.7, 1.3])),
}  # fmt: skip


@pytest.mark.parametrize("name", SECOND)
def test_second_derivatives_are_those_of_the_gradient(name: str) -> None:
    fn, x = SECOND[name]
    hessian = assert_hessian_is_the_gradients_slope(fn, x)
    assert_close(hessian, hessian.T, rtol=1e-13)
    assert_close(ad.jacfwd(ad.jacfwd(fn))(x), hessian, rtol=1e-13)


# ---------------------------------------------------------------------------- by hand
def test_derivatives_where_jax_is_wrong_or_undefined() -> None:
    """Where JAX's value is not SciPy's, or its derivative an artefact of its algorithm, admodes
    differentiates SciPy's value. exp1 and expn at inf: −E_{n−1}(inf) = −0 (JAX's value and
    derivative are nan there); expn at x = 0: −E_{n−1}(0) = −1/(n − 2) for n ≥ 3 (JAX's E_n(0)
    is 1/n, not 1/(n − 1)); the derivative of E_0 = e^−x/x, −e^−x (1 + x)/x², at every x > 0
    (JAX's is nan for x ≤ 1); zeta in q at the pole s = 1: −ζ(2, q), the limit (JAX's nan)."""
    x = A([0.3, 1.0, 2.5])
    cases = [
        (special.exp1, INF, -0.0),
        (lambda v: special.expn(3, v), INF, -0.0),
        (lambda v: special.expn(3, v), 0.0, -1.0),
        (lambda v: special.expn(7, v), 0.0, -0.2),
        (lambda v: special.zeta(1.0, v), 2.5, -sc.zeta(2.0, 2.5)),
    ]
    for mode in MODES:
        for fn, at, expected in cases:
            assert ad.grad(fn, mode=mode)(at) == expected
        e0 = ad.grad(lambda v: anp.sum(special.expn(0, v)), mode=mode)(x)
        assert_close(e0, -np.exp(-x) * (1 + x) / x**2, rtol=1e-15)
        mixed = ad.grad(lambda v: anp.sum(special.expn(A([0, 2, 5]), v)), mode=mode)(x)
        expected = A([e0[0], -sc.expn(1, x[1]), -sc.expn(4, x[2])])
        assert_close(mixed, expected, rtol=1e-15)


def test_spence_derivative_is_log_z_over_one_minus_z_but_at_jaxs_constants() -> None:
    """JAX's spence is a constant at z = 1 (0), at z = 0 (π²/6) and below (nan): derivatives 0
    there, by both modes (the limit of the first at z = 1 is −1). Elsewhere, the derivative of
    ∫₁ᶻ log t/(1 − t) dt, log z/(1 − z), also for z < 1e-16, where JAX's derivative of its
    rational approximation loses a term 1 to rounding."""
    at = A([-1.0, 0.0, 1e-300, 1e-20, 1.0, 1 + 1e-9, 4.0])
    expected = A([0.0, 0.0, np.log(1e-300), np.log(1e-20), 0.0, -1.0, -np.log(4.0) / 3])
    for mode in MODES:
        slope = ad.grad(lambda z: anp.sum(special.spence(z)), mode=mode)(at)
        assert_close(slope, expected, rtol=1e-8)
    for z in (-1.0, 0.0, 1.0):  # the second derivative of a constant, too, in every nesting
        second = ad.hessian(special.spence)(z), ad.grad(ad.grad(special.spence))(z)
        assert second == (0.0, 0.0) and ad.jacfwd(ad.jacfwd(special.spence))(z) == 0.0


def test_zeta_of_nan_is_nan_as_jax() -> None:
    """nan in s or q gives nan (SciPy's zeta gives inf for q ≤ 0), as JAX's."""
    s, q = np.array([np.nan, np.nan, np.nan, 2.0]), np.array([0.0, -1.0, 1.0, np.nan])
    want = np.asarray(jss.zeta(s, q))
    assert np.isnan(want).all()
    np.testing.assert_array_equal(special.zeta(s, q), want)


def test_zeta_derivatives_in_s_are_the_series_to_every_order() -> None:
    """∂ᵏζ/∂sᵏ = (−1)ᵏ Σₙ logᵏ(n + q) (n + q)^−s: at s = 2, q = 1 the first is ζ'(2) =
    −0.9375482543158437 and the second ζ''(2) = 1.98928023429890; ∂²ζ/∂s∂q = −ζ(3, q) −
    s ∂ζ(3, q)/∂s, by forward over forward and over reverse."""
    assert ad.grad(special.zeta)(2.0, 1.0) == pytest.approx(-0.9375482543158437, rel=1e-14)
    assert ad.hessian(special.zeta)(2.0, 1.0) == pytest.approx(1.98928023429890, rel=1e-13)
    mixed = ad.jacfwd(ad.grad(special.zeta, 1), 0)(2.0, 1.0)
    expected = -sc.zeta(3.0, 1.0) - 2.0 * ad.grad(special.zeta)(3.0, 1.0)
    assert mixed == pytest.approx(expected, rel=1e-13)
    assert ad.jacfwd(ad.jacfwd(special.zeta, 1), 0)(2.0, 1.0) == pytest.approx(expected, rel=1e-13)


def test_second_derivatives_of_the_exponential_integrals() -> None:
    """E_n'' = E_{n−2}, E_1'' = E_{−1} = e^−x (1 + x)/x², and E_2'' = E_0 = e^−x/x, by forward
    over reverse and forward over forward (JAX's second derivatives of expn and exp1 fail: its
    rule passes a traced order to expn's non-differentiable argument)."""
    x = 0.7
    cases = [
        (special.exp1, math.exp(-x) * (1 + x) / x**2),
        (lambda v: special.expn(2, v), math.exp(-x) / x),
        (lambda v: special.expn(5, v), sc.expn(3, x)),
    ]
    for fn, expected in cases:
        assert ad.hessian(fn)(x) == pytest.approx(expected, rel=1e-14)
        assert ad.jacfwd(ad.jacfwd(fn))(x) == pytest.approx(expected, rel=1e-14)


def test_second_derivatives_at_zero_and_far_out() -> None:
    """Si'' = (x cos x − sin x)/x², 0 at x = 0 (the Maclaurin term of sin u / u, as JAX's
    sinc); C' = cos(πx²/2) is exactly 0 where x²/2 = 1/2 mod 2, and S'' = πx cos(πx²/2) exact at
    x = 1000.5, from the reduced x²/2 (cos(π/8))."""
    for mode in MODES:
        with np.errstate(divide="ignore"):  # Ci'(0) = 1/0, computed beside Si
            assert ad.grad(ad.grad(lambda v: special.sici(v)[0]), mode=mode)(0.0) == 0.0
    for mode in MODES:  # x²/2 = 1/2 mod 2: cos(πx²/2) = 0 exactly, by the reduction
        slope = ad.grad(lambda v: anp.sum(special.fresnel(v)[1]), mode=mode)(A([1.0, 3.0, -5.0]))
        np.testing.assert_array_equal(slope, np.zeros(3))
    x = 1000.5
    expected = math.pi * x * math.cos(math.pi / 8)
    assert ad.hessian(lambda v: special.fresnel(v)[0])(x) == pytest.approx(expected, rel=1e-13)
    assert ad.hessian(lambda v: special.sici(v)[1])(2.0) == pytest.approx(
        (-2.0 * math.sin(2.0) - math.cos(2.0)) / 4.0, rel=1e-14)  # fmt: skip


def test_python_float_derivatives_match_the_formulas() -> None:
    """The rules of the primitives, on Python floats: erfcx' = 2x erfcx − 2/√π, dawsn' =
    1 − 2x dawsn, exp1' = −e^−x/x, expi' = eˣ/x, expn' = −E_{n−1}, spence' = log z/(1 − z),
    Si' = sin x / x, Ci' = cos x / x, S' = sin(πx²/2), C' = cos(πx²/2), ∂T(h, a)/∂h =
    −e^(−h²/2) erf(ah/√2)/(2√(2π)), ∂T/∂a = e^(−(1 + a²)h²/2)/(2π(1 + a²))."""
    x = 0.7
    gauss = math.exp(-x * x / 2) / math.sqrt(2 * math.pi)
    cases = [
        (special.erfcx, 2 * x * sc.erfcx(x) - 2 / math.sqrt(math.pi)),
        (special.dawsn, 1 - 2 * x * sc.dawsn(x)),
        (special.exp1, -math.exp(-x) / x),
        (special.expi, math.exp(x) / x),
        (lambda v: special.expn(4, v), -sc.expn(3, x)),
        (special.spence, math.log(x) / (1 - x)),
        (lambda v: special.sici(v)[0], math.sin(x) / x),
        (lambda v: special.sici(v)[1], math.cos(x) / x),
        (lambda v: special.fresnel(v)[0], math.sin(math.pi * x * x / 2)),
        (lambda v: special.fresnel(v)[1], math.cos(math.pi * x * x / 2)),
        (lambda v: special.owens_t(v, 1.5), -gauss * math.erf(1.5 * x / math.sqrt(2)) / 2),
        (lambda v: special.owens_t(1.5, v), math.exp(-(1 + x * x) * 1.125) / (2 * math.pi
                                                                              * (1 + x * x))),
    ]  # fmt: skip
    for fn, expected in cases:
        for mode in MODES:
            assert ad.grad(fn, mode=mode)(x) == pytest.approx(expected, rel=1e-14)


# ---------------------------------------------------------------------------- errors
BAD = [
    ("factorial-exact", lambda: special.factorial(5, exact=True), NotImplementedError,
     "scipy.special.factorial"),
    ("comb-exact", lambda: special.comb(5, 2, exact=True), NotImplementedError,
     "scipy.special.comb"),
    ("bernoulli-fraction", lambda: special.bernoulli(2.5), ValueError, "non-negative integer"),
    ("bernoulli-negative", lambda: special.bernoulli(-1), ValueError, "non-negative integer"),
    ("bernoulli-array", lambda: special.bernoulli(A([3])), ValueError, "non-negative integer"),
    ("loggamma-complex", lambda: special.loggamma(A([1.0 + 1j])), TypeError, "complex"),
    ("expn-fractional-order", lambda: special.expn(1.5, 2.0), ValueError, "must be an integer"),
    ("expn-fractional-order-array", lambda: special.expn(A([1.0, 2.5]), 2.0), ValueError,
     "must be an integer"),
    ("zeta-riemann", lambda: special.zeta(2.0), NotImplementedError, "q = 1.0"),
    ("hyp1f1-complex", lambda: special.hyp1f1(1.0, 2.0, A([0.5 + 1j])), ValueError,
     "does not support complex"),
    ("hyp2f1-complex", lambda: special.hyp2f1(1.0, 2.0, 3.0, 0.5j), ValueError,
     "does not support complex"),
    ("bessel_jn-negative-v", lambda: special.bessel_jn(0.5, v=-1), ValueError, "must be >= 0"),
    ("bessel_jn-fractional-v", lambda: special.bessel_jn(0.5, v=2.5), TypeError,
     "must be a Python integer"),
    ("bessel_jn-positional-v", lambda: special.bessel_jn(0.5, 2), TypeError, "positional"),
    ("bessel_jn-complex", lambda: special.bessel_jn(A([0.5j]), v=2), ValueError,
     "complex input not supported"),
    ("sph_harm_y-float-degree", lambda: special.sph_harm_y(A([2.0]), A([1]), 0.3, 0.4),
     TypeError, "degree n must be integers"),
    ("sph_harm_y-float-order", lambda: special.sph_harm_y(2, 0.5, 0.3, 0.4), TypeError,
     "order m must be integers"),
    ("sph_harm_y-negative-degree", lambda: special.sph_harm_y(A([-1, 2]), 0, 0.3, 0.4),
     ValueError, "degree n must be >= 0"),
    ("sph_harm_y-diff_n", lambda: special.sph_harm_y(2, 1, 0.3, 0.4, diff_n=1),
     NotImplementedError, "diff_n"),
    ("sph_harm_y-n_max", lambda: special.sph_harm_y(2, 1, 0.3, 0.4, n_max=-1), ValueError,
     "n_max must be a non-negative integer"),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "error", "match"), [b[1:] for b in BAD],
                         ids=[b[0] for b in BAD])  # fmt: skip
def test_bad_input_gets_a_clear_error(fn: Callable, error: type, match: str) -> None:
    with pytest.raises(error, match=re.escape(match)):
        fn()


def test_expn_is_not_differentiated_in_its_order() -> None:
    """n is an integer: its derivative is 0, as JAX's (``jax.grad(expn, 0)`` is 0: n is not a
    differentiable argument of its rule)."""
    for mode in MODES:
        assert ad.grad(special.expn, 0, mode=mode)(2.0, 1.5) == 0.0
