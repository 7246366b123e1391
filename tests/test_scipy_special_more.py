"""The last special functions of ``admodes.scipy.special`` added for JAX ports: ``hyp1f1``,
``hyp2f1``, ``bessel_jn``, ``wofz`` and ``sph_harm_y``.

Values against SciPy's (Python floats, 0-d and N-d arrays, broadcasting, dtypes); derivatives
against JAX's (float64) in every argument JAX differentiates, by ``jacfwd``, ``jacrev`` and
``grad`` in both modes (holomorphic for ``wofz``), at points where JAX's own algorithms are
accurate; a Hessian against JAX's and second derivatives against differences of the gradient;
central differences of SciPy's values where JAX's algorithm is inaccurate or nan (each case says
why); and the errors for bad input.

JAX's references come from one compiled program: compiling it is most of this file's time.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.special as jss
import numpy as np
import pytest
import scipy.special as sc
from conftest import (
    MODES,
    assert_close,
    assert_hessian_is_the_gradients_slope,
    assert_jacobians,
    jax_compiled,
)

import admodes as ad
import admodes.numpy as anp
from admodes.scipy import special

A = np.array
RNG = np.random.default_rng(20250107)
N = 5

#: Random points where JAX's series and recurrences are accurate to about 1e-12 or better:
#: ₁F₁ for |x| ≤ 6 (its alternating series loses digits for x < −6), ₂F₁ for |x| ≤ 0.6 (its
#: series converges slowly beyond, and diverges for x < −1), J_n for 0.5 ≤ |z| ≤ 15 (its 50
#: steps of recurrence lose digits beyond |z| ≈ 20, and it is nan at 0).
H1 = (RNG.uniform(0.5, 3.0, N), RNG.uniform(0.5, 3.0, N), RNG.uniform(-4.0, 6.0, N))
H2 = (*(RNG.uniform(0.5, 3.0, N) for _ in range(3)), RNG.uniform(-0.6, 0.6, N))
Z = np.sign(RNG.uniform(-1.0, 1.0, N)) * RNG.uniform(0.5, 15.0, N)
V = 5  # bessel_jn's highest order
ZC = RNG.uniform(-2.5, 2.5, N) + 1j * RNG.uniform(-2.5, 2.5, N)
X = RNG.uniform(-3.0, 3.0, N)
DEGREE, ORDER = A([1, 2, 3, 4, 5]), A([1, -2, 0, 3, -5])
THETA, PHI = RNG.uniform(0.2, 2.9, N), RNG.uniform(0.0, 2 * np.pi, N)
H1_POINT = A([1.3, 2.1, 0.8])  # (a, b, x) of the Hessian
WEIGHTS = np.linspace(1.0, 2.0, N)


def _orders(z: Any, v: int) -> np.ndarray:
    """0, …, v along a new leading axis, against z's shape."""
    return np.arange(v + 1).reshape((-1,) + (1,) * np.ndim(z))


def _hyp1f1_of(v: Any) -> Any:
    return special.hyp1f1(v[0], v[1], v[2])


# ---------------------------------------------------------------------------- values
def _bessel_jn(z: Any) -> Any:
    return special.bessel_jn(z, v=4)


def _scipy_bessel_jn(z: Any) -> Any:
    return sc.jv(_orders(z, 4), z)


HYP_A = A([[[-2.0]], [[0.0]], [[0.5]], [[2.5]]])  # a negative integer: a polynomial
HYP_B = A([[-1.5], [0.7], [3.0]])
X_1F1 = A([-60.0, -3.0, -0.5, 0.0, 0.4, 5.0, 40.0])
X_2F1 = A([-50.0, -3.0, -0.5, 0.0, 0.4, 0.9, 1.0, 1.5])
DEGREES = A([[0], [1], [2], [3], [7]])
ORDERS = A([-7, -3, -1, 0, 1, 2, 3, 4])  # |m| > n included: 0
ANGLES = A([0.0, 0.3, 1.2, np.pi / 2, 2.8, np.pi])

#: (id, admodes function, SciPy function, arguments): values equal SciPy's, broadcast.
VALUES = [
    ("hyp1f1", special.hyp1f1, sc.hyp1f1, (HYP_A, HYP_B, X_1F1)),
    ("hyp2f1", special.hyp2f1, sc.hyp2f1, (HYP_A, HYP_B, A([[[[1.5]]], [[[4.0]]]]), X_2F1)),
    ("bessel_jn", _bessel_jn, _scipy_bessel_jn, (A([[-40.0, -3.0, 0.0], [1e-8, 2.5, 30.0]]),)),
    ("wofz-complex", special.wofz, sc.wofz, (A([0.0, 1.0 + 1.0j, -3.0 + 0.5j, 2.0 - 4.0j, 10j]),)),
    ("wofz-real", special.wofz, sc.wofz, (A([-30.0, -1.0, 0.0, 0.5, 6.0]),)),
    ("sph_harm_y", special.sph_harm_y, sc.sph_harm_y, (DEGREES, ORDERS, ANGLES[:, None, None],
                                                        A([0.0, 1.0, 5.5])[:, None, None, None])),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "scipy_fn", "args"), [v[1:] for v in VALUES],
                         ids=[v[0] for v in VALUES])  # fmt: skip
def test_values_are_scipys(fn: Callable, scipy_fn: Callable, args: tuple) -> None:
    """N-d arrays, broadcast (shapes and dtypes too), and each entry as 0-d arrays."""
    with np.errstate(all="ignore"):
        expected = scipy_fn(*args)
        assert_close(fn(*args), expected, rtol=1e-12)
        entries = zip(*(a.ravel() for a in np.broadcast_arrays(*args)), strict=True)
        got = [fn(*(A(v) for v in entry)) for entry in list(entries)[::7]]
    if fn is _bessel_jn:  # J_0, …, J_4 of each z
        want = np.moveaxis(expected, 0, -1).reshape(-1, 5)
    else:
        want = np.broadcast_to(expected, np.broadcast_shapes(*(a.shape for a in args))).ravel()
    assert_close(A(got), want[::7], rtol=1e-12)


def test_python_numbers_stay_python_numbers() -> None:
    """Python floats give a Python float (a Python complex for the complex-valued functions),
    as the other weak-scalar entries; bessel_jn stacks its orders in a float64 array."""
    assert type(special.hyp1f1(1.5, 2.5, -0.3)) is float
    assert special.hyp1f1(1.5, 2.5, -0.3) == sc.hyp1f1(1.5, 2.5, -0.3)
    assert type(special.hyp2f1(0.5, 1.5, 2.5, 0.3)) is float
    assert special.hyp2f1(0.5, 1.5, 2.5, 0.3) == sc.hyp2f1(0.5, 1.5, 2.5, 0.3)
    assert type(special.wofz(0.5)) is complex and special.wofz(0.5) == sc.wofz(0.5)
    assert type(special.wofz(0.5 + 1j)) is complex and special.wofz(0.5 + 1j) == sc.wofz(0.5 + 1j)
    assert type(special.sph_harm_y(3, -2, 0.4, 1.1)) is complex
    assert special.sph_harm_y(3, -2, 0.4, 1.1) == sc.sph_harm_y(3, -2, 0.4, 1.1)
    out = special.bessel_jn(2.5, v=3)
    assert out.dtype == np.float64
    assert_close(out, sc.jv(np.arange(4), 2.5), rtol=1e-15)
    assert type(special.hyp1f1(1, 2, 3)) is float  # Python ints too, as SciPy's float


def test_float32_stays_float32() -> None:
    """JAX's dtypes: float32 in, float32 out (complex64 for the complex-valued functions)."""
    x32 = A([0.25, 0.5], np.float32)
    assert special.hyp1f1(x32, 2.0, x32).dtype == np.float32
    assert special.hyp2f1(x32, 1.5, 2.5, x32).dtype == np.float32
    assert special.bessel_jn(x32, v=2).dtype == np.float32
    assert special.wofz(x32).dtype == np.complex64
    assert special.wofz(x32.astype(np.complex64)).dtype == np.complex64
    assert special.sph_harm_y(A([1, 2]), A([0, 1]), x32, x32).dtype == np.complex64
    assert_close(special.hyp1f1(x32, 2.0, x32), sc.hyp1f1(x32, 2.0, x32), rtol=1e-6)


def test_bessel_jn_layout_and_jaxs_recurrence() -> None:
    """J_0, …, J_v on a new leading axis, as JAX's; JAX's own values (its recurrence of n_iter
    = 50 steps) agree with SciPy's jv to 1e-13 for 0.5 ≤ |z| ≤ 15 (1e-15 measured)."""
    z = Z.reshape(1, N)
    assert special.bessel_jn(z, v=V).shape == (V + 1, 1, N)
    assert special.bessel_jn(z, v=0).shape == (1, 1, N)
    assert_close(special.bessel_jn(Z, v=V), _jax()["bessel_jn_values"], rtol=1e-13)


def test_sph_harm_y_n_max_clips_the_degree() -> None:
    """n_max: degrees above it are taken as n_max (JAX's table of degrees 0, …, n_max); the
    default changes nothing; JAX's 1-D layout with a scalar θ."""
    n, m = A([1, 4, 6]), A([1, -2, 3])
    expected = sc.sph_harm_y(np.minimum(n, 4), m, 0.7, 0.2)
    assert_close(special.sph_harm_y(n, m, 0.7, 0.2, n_max=4), expected, rtol=1e-15)
    assert_close(special.sph_harm_y(n, m, 0.7, 0.2), sc.sph_harm_y(n, m, 0.7, 0.2), rtol=1e-15)
    assert special.sph_harm_y(6, 3, 0.7, 0.2, None, 4) == sc.sph_harm_y(4, 3, 0.7, 0.2)


# ---------------------------------------------------------------------------- against JAX
@functools.cache
def _jax() -> dict:
    """Every JAX reference of this file, in one compiled program."""

    def reference() -> dict:
        return {
            "hyp1f1": jax.jacfwd(jss.hyp1f1, (0, 1, 2))(*H1),
            "hyp1f1_hessian": jax.hessian(lambda v: jss.hyp1f1(v[0], v[1], v[2]))(H1_POINT),
            "hyp2f1": jax.jacfwd(jss.hyp2f1, (0, 1, 2, 3))(*H2),
            "bessel_jn": jax.jacfwd(lambda z: jss.bessel_jn(z, v=V))(Z),
            "bessel_jn_values": jss.bessel_jn(Z, v=V),
            "wofz": jax.jacfwd(jss.wofz, holomorphic=True)(ZC),
            "wofz_real": jax.jacfwd(jss.wofz)(X),
            "sph_harm_y": jax.jacfwd(lambda t, p: jss.sph_harm_y(DEGREE, ORDER, t, p),
                                     (0, 1))(THETA, PHI),
        }  # fmt: skip

    return jax_compiled(reference)


def test_hyp1f1_derivatives_match_jax() -> None:
    """In a, b (JAX's series differentiated term by term) and x ((a/b) ₁F₁(a + 1; b + 1; x))."""
    assert_jacobians(special.hyp1f1, H1, _jax()["hyp1f1"])


def test_hyp2f1_derivatives_match_jax() -> None:
    """In a, b, c (JAX's series) and x ((ab/c) ₂F₁(a + 1, b + 1; c + 1; x)), 0 < |x| < 0.6."""
    assert_jacobians(special.hyp2f1, H2, _jax()["hyp2f1"])


def test_bessel_jn_derivatives_match_jax() -> None:
    """(J_{n−1} − J_{n+1})/2 against JAX's derivative of its recurrence, for every order."""
    assert_jacobians(lambda z: special.bessel_jn(z, v=V), (Z,), (_jax()["bessel_jn"],))


def test_wofz_derivatives_match_jax() -> None:
    """Holomorphic: jacfwd and jacrev (holomorphic=True) and grad of a complex sum by both modes
    for complex z; for real x, jacfwd (complex w'(x)) and grad of the real and imaginary parts."""
    expected = _jax()["wofz"]
    assert_close(ad.jacfwd(special.wofz, holomorphic=True)(ZC), expected)
    assert_close(ad.jacrev(special.wofz, holomorphic=True)(ZC), expected)
    for mode in MODES:
        total = ad.grad(lambda z: anp.sum(special.wofz(z) * WEIGHTS), holomorphic=True, mode=mode)
        assert_close(total(ZC), WEIGHTS @ expected)
    on_reals = _jax()["wofz_real"]
    assert_close(ad.jacfwd(special.wofz)(X), on_reals)
    for part in (anp.real, anp.imag):

        def weighted(x: Any, part: Callable = part) -> Any:
            return anp.sum(part(special.wofz(x)) * WEIGHTS)

        for mode in MODES:
            assert_close(ad.grad(weighted, mode=mode)(X), part(WEIGHTS @ on_reals))


def test_sph_harm_y_derivatives_match_jax() -> None:
    """In θ (the ladder operators) and φ (im Y): jacfwd of the complex harmonic, jacrev and grad
    by both modes of its real and imaginary parts (n and m are integers, not differentiated)."""

    def harmonic(theta: Any, phi: Any) -> Any:
        return special.sph_harm_y(DEGREE, ORDER, theta, phi)

    expected = _jax()["sph_harm_y"]
    assert_close(ad.jacfwd(harmonic, (0, 1))(THETA, PHI), expected)
    for part in (anp.real, anp.imag):
        parts = tuple(part(e) for e in expected)

        def weighted(t: Any, p: Any, part: Callable = part) -> Any:
            return anp.sum(part(harmonic(t, p)) * WEIGHTS)

        assert_close(ad.jacrev(lambda t, p, part=part: part(harmonic(t, p)), (0, 1))(THETA, PHI),
                     parts)  # fmt: skip
        for mode in MODES:
            got = ad.grad(weighted, (0, 1), mode=mode)(THETA, PHI)
            assert_close(got, tuple(WEIGHTS @ e for e in parts))


def test_hyp1f1_hessian_matches_jax() -> None:
    """Second derivatives in (a, b, x), every nesting of the two modes, against jax.hessian
    (forward mode through JAX's series of ∂/∂a and ∂/∂b)."""
    expected = _jax()["hyp1f1_hessian"]
    assert_close(ad.hessian(_hyp1f1_of)(H1_POINT), expected)
    for outer in (ad.jacfwd, ad.jacrev):
        for inner in (ad.jacfwd, ad.jacrev):
            assert_close(outer(inner(_hyp1f1_of))(H1_POINT), expected)


#: f of a vector, and the vector: the Hessian (forward over reverse) is the central difference
#: of the gradient (whose entries are JAX's, above), and symmetric.
SECOND = {
    "hyp2f1": (lambda v: special.hyp2f1(v[0], v[1], v[2], v[3]), A([0.7, 1.4, 2.3, -0.4])),
    "hyp2f1-pfaff": (lambda v: special.hyp2f1(v[0], v[1], v[2], v[3]), A([0.7, 1.4, 2.3, -3.0])),
    "hyp1f1-kummer": (_hyp1f1_of, A([1.5, 2.5, -20.0])),
    "bessel_jn": (lambda v: anp.sum(special.bessel_jn(v, v=3) * A([[1.0], [2.0], [-1.0], [3.0]])),
                  A([0.7, 4.5])),
    "wofz": (lambda v: anp.real(special.wofz(v[0] + 1j * v[1]) * (1 - 0.5j)), A([0.6, -0.4])),
    "sph_harm_y": (lambda v: anp.imag(special.sph_harm_y(3, 2, v[0], v[1])), A([0.8, 2.0])),
}  # fmt: skip


@pytest.mark.parametrize("name", SECOND)
def test_second_derivatives_are_those_of_the_gradient(name: str) -> None:
    fn, x = SECOND[name]
    hessian = assert_hessian_is_the_gradients_slope(fn, x)
    assert_close(hessian, hessian.T, rtol=1e-12)
    assert_close(ad.jacfwd(ad.jacfwd(fn))(x), hessian, rtol=1e-12)


# ---------------------------------------------------------------------------- against SciPy
def _central(fn: Callable, point: tuple, i: int, eps: float = 1e-6) -> float:
    """∂fn/∂(argument i) at ``point`` by central differences (step eps·max(1, |xᵢ|))."""
    h = eps * max(1.0, abs(point[i]))
    up, down = list(point), list(point)
    up[i] += h
    down[i] -= h
    return (fn(*up) - fn(*down)) / (2 * h)


#: (id, admodes function, SciPy function, point): every partial derivative, by both modes, is
#: the central difference of SciPy's values (rtol 1e-6) where JAX's algorithm is off.
WHERE_JAX_IS_OFF = [
    # JAX's alternating series cancels: its ∂/∂a is off by 4e-6 relative here.
    ("hyp1f1-negative-x", special.hyp1f1, sc.hyp1f1, (1.5, 2.5, -25.0)),
    # JAX's series of ∂/∂a stops at its first term, 0 · x, at a = 0: its derivative is 0.
    ("hyp1f1-a-zero", special.hyp1f1, sc.hyp1f1, (0.0, 1.5, 0.7)),
    # JAX's ψ(a) in its series of ∂/∂a is nan at negative integers a.
    ("hyp1f1-a-negative-integer", special.hyp1f1, sc.hyp1f1, (-2.0, 1.5, 0.7)),
    # JAX's series in x diverge for x < −1, where its value is not SciPy's either.
    ("hyp2f1-x-minus-3", special.hyp2f1, sc.hyp2f1, (0.7, 1.4, 2.3, -3.0)),
    ("hyp2f1-x-minus-20", special.hyp2f1, sc.hyp2f1, (0.7, 1.4, 2.3, -20.0)),
    # JAX's 250 terms are too few there (its value at (a + 1, b + 1, c + 1, x) loses 2e-6).
    ("hyp2f1-x-near-one", special.hyp2f1, sc.hyp2f1, (0.7, 1.4, 2.3, 0.95)),
    # JAX's recurrence divides by z (nan at 0) and 50 steps are too few for |z| ≳ 20.
    *((f"jv-{n}-at-{z}", functools.partial(special.bessel_jn, v=3), sc.jv, (n, z))
      for n in (0, 1, 3) for z in (0.0, 30.0, -40.0)),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "scipy_fn", "point"), [c[1:] for c in WHERE_JAX_IS_OFF],
                         ids=[c[0] for c in WHERE_JAX_IS_OFF])  # fmt: skip
def test_derivatives_are_differences_of_scipys_values_where_jax_is_off(
    fn: Callable, scipy_fn: Callable, point: tuple
) -> None:
    if scipy_fn is sc.jv:  # J_n of bessel_jn's row n, in z alone
        n, z = point
        for mode in MODES:
            got = ad.grad(lambda v: fn(v)[n], mode=mode)(z)
            np.testing.assert_allclose(got, _central(scipy_fn, point, 1), rtol=1e-6, atol=1e-12)
        return
    for mode in MODES:
        got = ad.grad(fn, tuple(range(len(point))), mode=mode)(*point)
        expected = [_central(scipy_fn, point, i) for i in range(len(point))]
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-12)


def test_sph_harm_y_at_the_poles() -> None:
    """At θ = 0 and π JAX's derivative is nan (that of √(1 − cos²θ) at 0): admodes' ladder
    operators give the one-sided difference of SciPy's values (second order, from inside
    [0, π]: SciPy's harmonic is even in θ there); ∂/∂φ = im Y."""
    n, m, phi, h = A([1, 2, 3, 2, 4]), A([1, -1, 2, 0, 3]), A([0.3, 1.2, 2.0, 4.0, 5.5]), 1e-5
    for pole, side in ((0.0, 1.0), (np.pi, -1.0)):
        theta = np.full(5, pole)
        values = [sc.sph_harm_y(n, m, theta + side * k * h, phi) for k in range(3)]
        expected = side * (-3 * values[0] + 4 * values[1] - values[2]) / (2 * h)
        got = ad.jacfwd(lambda t: special.sph_harm_y(n, m, t, phi))(theta).diagonal()
        np.testing.assert_allclose(got, expected, rtol=1e-6, atol=1e-9)

        def imaginary(p: Any, theta: np.ndarray = theta) -> Any:
            return anp.sum(anp.imag(special.sph_harm_y(n, m, theta, p)))

        for mode in MODES:
            by_phi = ad.grad(imaginary, mode=mode)(phi)
            assert_close(by_phi, np.imag(1j * m * sc.sph_harm_y(n, m, theta, phi)), rtol=1e-14)


def test_python_float_derivatives() -> None:
    """grad of Python floats gives Python floats, the entries of the array derivatives."""
    jacobians = _jax()["hyp1f1"]
    for mode in MODES:
        got = ad.grad(special.hyp1f1, (0, 1, 2), mode=mode)(*(float(v[0]) for v in H1))
        assert all(type(g) is float for g in got)
        assert_close(A(got), A([j[0, 0] for j in jacobians]))


def test_bessel_j0_derivative_is_minus_j1() -> None:
    """J₀' = −J₁, exactly (SciPy's J₋₁ = −J₁), by both modes."""
    for mode in MODES:
        got = ad.grad(lambda z: anp.sum(special.bessel_jn(z, v=2)[0]), mode=mode)(Z)
        np.testing.assert_array_equal(got, -sc.jv(1, Z))


def test_hyp2f1_parameter_derivatives_are_nan_for_x_at_least_one() -> None:
    """x ≥ 1 is outside the disc of JAX's series (SciPy's value: Gauss's sum at 1, inf beyond):
    the derivatives in a, b, c are nan there, not a partial sum."""
    for mode in MODES:
        for x in (1.0, 1.5):
            slopes = ad.grad(special.hyp2f1, (0, 1, 2), mode=mode)(0.5, 1.5, 2.5, x)
            assert all(math.isnan(s) for s in slopes)


def test_flops_are_counted() -> None:
    """One FLOP per element per SciPy evaluation, and a nominal 512 per element for a series of
    derivatives (64 terms of 8)."""
    with ad.count() as counts:
        special.hyp1f1(*H1)
        special.wofz(ZC)
    assert counts.flops == 2 * N
    with ad.count() as counts:
        ad.grad(lambda a: anp.sum(special.hyp1f1(a, H1[1], H1[2])))(H1[0])
    assert counts.by_op["hyp1f1_derivative"] == 1
    assert counts.flops >= 512 * N


# ---------------------------------------------------------------------------- errors
def test_jax_raises_alike() -> None:
    """The errors of JAX's own functions for the same inputs (their kinds)."""
    with pytest.raises(ValueError, match="complex"):
        jss.hyp1f1(1.0, 2.0, jnp.array([0.5 + 1j]))
    with pytest.raises(TypeError):
        jss.bessel_jn(0.5, v=2.5)
    with pytest.raises(NotImplementedError, match="diff_n"):
        jss.sph_harm_y(A([2]), A([1]), 0.3, 0.4, diff_n=1)
