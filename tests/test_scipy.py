"""``admodes.scipy`` against SciPy (values, at several points and edges) and against JAX
(derivatives the registry walk does not reach: stats log-densities in every continuous
parameter by both modes, second order, a Student-t regression, far tails, and the places where
JAX's two modes differ); the ImportError that names the extra when SciPy is missing."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np
import pytest
import scipy
import scipy.linalg
import scipy.signal
import scipy.special as sc
import scipy.stats as ss
from conftest import FD_EPS, MODES, assert_close, assert_fd_close

import admodes as ad
import admodes.numpy as anp
from admodes.rules.special import gammainc_grad_a
from admodes.scipy import linalg, signal, special, stats

INF, NAN = np.inf, np.nan
REAL = np.array([-INF, -40.0, -6.0, -0.5, 0.0, 1e-300, 0.7, 6.0, 40.0, INF, NAN])
POSITIVE = np.array([1e-300, 1e-8, 0.3, 1.0, 2.5, 7.0, 30.0, 170.0, INF])
UNIT = np.array([0.0, 1e-300, 1e-12, 0.1, 0.5, 0.75, 1 - 1e-12, 1.0])
SHAPES = np.array([0.5, 1.0, 3.0, 40.0])

#: name → arguments, for ``special.name`` against ``scipy.special.name``.
SPECIAL_VALUES: dict[str, tuple] = {
    "erf": (REAL,),
    "erfc": (REAL,),
    "erfinv": (np.concatenate([-UNIT, UNIT, [1.5]]),),
    "erfcinv": (np.array([0.0, 1e-300, 1e-10, 0.3, 1.0, 1.7, 2.0 - 1e-12, 2.0, 2.5]),),
    "ndtr": (np.array([-INF, -38.0, -5.0, -0.3, 0.0, 3.0, 9.0, INF]),),
    "ndtri": (UNIT,),
    "log_ndtr": (np.array([-INF, -1e5, -40.0, -5.0, 0.0, 3.0, 40.0, INF]),),
    "gamma": (np.array([-2.5, -1.0, -0.5, 0.0, 1e-8, 0.5, 4.0, 171.0, 172.0]),),
    "gammaln": (np.array([-2.5, -0.5, 0.0, 1e-300, 0.5, 1.0, 2.0, 1e5, INF]),),
    "rgamma": (np.array([-3.0, -2.5, 0.0, 0.5, 4.0, 171.0, 200.0]),),
    "digamma": (np.array([-2.5, -1.0, 0.0, 1e-8, 0.5, 1.0, 1e6, INF]),),
    "psi": (POSITIVE,),
    "polygamma": (np.array([0, 1, 2, 3]), np.array([0.3, 1.0, 2.5, 40.0])),
    "betaln": (POSITIVE[:, None], SHAPES),
    "gammainc": (SHAPES[:, None], np.array([0.0, 0.1, 2.0, 50.0, INF])),
    "gammaincc": (SHAPES[:, None], np.array([0.0, 0.1, 2.0, 50.0, INF])),
    "betainc": (SHAPES[:, None], SHAPES, np.array([[0.0], [0.2], [0.7], [1.0]])),
    "expit": (REAL,),
    "logit": (UNIT,),
    "xlogy": (np.array([0.0, 0.0, 2.0, -1.5]), np.array([0.0, 3.0, 0.5, 4.0])),
    "xlog1py": (np.array([0.0, 0.0, 2.0, -1.5]), np.array([-1.0, 3.0, 1e-20, 4.0])),
    "entr": (np.array([-1.0, 0.0, 1e-300, 0.5, 1.0, 30.0, INF]),),
    "i0": (np.array([-700.0, -3.0, 0.0, 1e-10, 0.5, 20.0, 700.0]),),
    "i0e": (REAL,),
    "i1": (np.array([-700.0, -3.0, 0.0, 1e-10, 0.5, 20.0, 700.0]),),
    "i1e": (REAL,),
}


@pytest.mark.parametrize("name", sorted(SPECIAL_VALUES))
def test_special_values_match_scipy(name: str) -> None:
    args = SPECIAL_VALUES[name]
    with np.errstate(all="ignore"):
        assert_close(getattr(special, name)(*args), getattr(sc, name)(*args), rtol=1e-13)


@pytest.mark.parametrize("x", [0.5, -2.0])
def test_special_floats_match_scipy(x: float) -> None:
    """A Python float gives SciPy's value (a float64 scalar, not an array)."""
    for name in ("erf", "ndtr", "log_ndtr", "gammaln", "i1", "expit"):
        ours = getattr(special, name)(x)
        assert np.shape(ours) == () and ours == pytest.approx(getattr(sc, name)(x), rel=1e-14)


def test_reductions_match_scipy(rng: np.random.Generator) -> None:
    x, b = rng.standard_normal((3, 4)), rng.standard_normal((3, 4))
    assert_close(special.softmax(x), sc.softmax(x))
    assert_close(special.softmax(x, axis=0), sc.softmax(x, axis=0))
    assert_close(special.log_softmax(x, axis=1), sc.log_softmax(x, axis=1))
    assert_close(special.logsumexp(x), sc.logsumexp(x))
    assert_close(special.logsumexp(x, axis=1, b=b, return_sign=True),
                 sc.logsumexp(x, axis=1, b=b, return_sign=True))  # fmt: skip
    with np.errstate(invalid="ignore"):
        assert_close(special.logsumexp(x, axis=0, b=b, keepdims=True),
                     sc.logsumexp(x, axis=0, b=b, keepdims=True))  # fmt: skip


# ---------------------------------------------------------------------------- stats: values
X = np.array([-3.0, -0.2, 0.0, 0.4, 1.0, 2.5, 9.0])
#: (distribution, function, arguments after x) against scipy.stats.
STATS_VALUES = [
    *(("norm", fn, (0.3, 1.7)) for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")),
    *(("norm", fn, (0.3, 1.7)) for fn in ("ppf", "isf")),
    *(("t", fn, (2.5, 0.3, 1.7)) for fn in ("logpdf", "pdf")),
    *(("gamma", fn, (2.5, -0.1, 1.7)) for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")),
    *(("chi2", fn, (3.5, -0.1, 1.2)) for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")),
    *(("beta", fn, (2.5, 1.5, -1.0, 3.0)) for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf",
                                                      "logsf")),
]  # fmt: skip


@pytest.mark.parametrize(("dist", "fn", "params"), STATS_VALUES, ids=lambda v: str(v))
def test_stats_values_match_scipy(dist: str, fn: str, params: tuple) -> None:
    x = UNIT if fn in ("ppf", "isf") else X
    with np.errstate(all="ignore"):
        ours = getattr(getattr(stats, dist), fn)(x, *params)
        assert_close(ours, getattr(getattr(ss, dist), fn)(x, *params), rtol=1e-12)


def test_discrete_and_multivariate_values_match_scipy(rng: np.random.Generator) -> None:
    k = np.array([-1.0, 0.0, 1.0, 2.5, 4.0, 30.0])
    with np.errstate(all="ignore"):
        for fn in ("logpmf", "pmf", "cdf"):
            assert_close(getattr(stats.poisson, fn)(k, 3.5), getattr(ss.poisson, fn)(k, 3.5))
    alpha = np.array([0.7, 2.0, 3.5])
    x = rng.dirichlet(alpha, size=4).T
    assert_close(stats.dirichlet.logpdf(x, alpha), ss.dirichlet.logpdf(x, alpha))
    assert_close(stats.dirichlet.pdf(x[:, 0], alpha), ss.dirichlet.pdf(x[:, 0], alpha))
    assert_close(stats.dirichlet.logpdf(x[:2], alpha), ss.dirichlet.logpdf(x, alpha))
    with pytest.raises(ValueError, match="sum to 1"):
        stats.dirichlet.logpdf(x * 1.1, alpha)
    a = rng.standard_normal((3, 3))
    cov, mean, points = a @ a.T + 3 * np.eye(3), rng.standard_normal(3), rng.standard_normal((5, 3))
    for fn in ("logpdf", "pdf"):
        ours = getattr(stats.multivariate_normal, fn)
        theirs = getattr(ss.multivariate_normal, fn)
        assert_close(ours(points, mean, cov), theirs(points, mean, cov))
        assert_close(ours(points[0], mean, cov), theirs(points[0], mean, cov))
        assert_close(ours(points, mean, np.diag(cov)), theirs(points, mean, np.diag(cov)))
        assert_close(ours(points[:, 0], None, 2.0), theirs(points[:, 0], None, 2.0))


def test_multivariate_normal_takes_points_on_the_last_axis(rng: np.random.Generator) -> None:
    """x of shape (..., d) gives shape (...) (SciPy's squeeze of axes of size 1); an x whose
    last axis is not d raises. Gradients of a batch of points JAX's."""
    a = rng.standard_normal((3, 3))
    mean, cov = rng.standard_normal(3), a @ a.T + 3 * np.eye(3)
    for x in (rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 1, 3)),
              rng.standard_normal((1, 3))):  # fmt: skip
        for fn in ("logpdf", "pdf"):
            ours = getattr(stats.multivariate_normal, fn)(x, mean, cov)
            assert_close(ours, getattr(ss.multivariate_normal, fn)(x, mean, cov))
    x = rng.standard_normal((2, 4, 3))
    want = np.asarray(jsp.stats.multivariate_normal.logpdf(x, mean, cov))
    assert_close(stats.multivariate_normal.logpdf(x, mean, cov), want)
    _gradients(stats.multivariate_normal.logpdf, jsp.stats.multivariate_normal.logpdf,
               (x, mean, cov))  # fmt: skip
    for x, cov_ in ((np.ones(6), cov), (np.ones((4, 2)), cov), (np.ones((2, 3)), np.eye(2))):
        with pytest.raises(ValueError, match="multivariate_normal"):
            stats.multivariate_normal.logpdf(x, mean, cov_)


# ---------------------------------------------------------------------------- linalg, signal
def test_linalg_values_match_scipy(rng: np.random.Generator) -> None:
    a = rng.standard_normal((4, 4))
    b = rng.standard_normal((4, 2))
    spd = a @ a.T + 4 * np.eye(4)
    for lower in (False, True):
        c = linalg.cho_factor(spd, lower=lower)
        triangle = np.tril if lower else np.triu
        assert_close(c[0], triangle(scipy.linalg.cho_factor(spd, lower=lower)[0]))
        assert_close(linalg.cho_solve(c, b), scipy.linalg.cho_solve((c[0], lower), b))
    packed, piv = linalg.lu_factor(a)
    theirs = scipy.linalg.lu_factor(a)
    assert_close(packed, theirs[0])
    np.testing.assert_array_equal(piv, theirs[1])
    for trans in (0, 1):
        assert_close(linalg.lu_solve((packed, piv), b, trans=trans),
                     scipy.linalg.lu_solve(theirs, b, trans=trans))  # fmt: skip
        assert_close(linalg.lu_solve((packed, piv), b[:, 0], trans=trans),
                     scipy.linalg.lu_solve(theirs, b[:, 0], trans=trans))  # fmt: skip
    blocks = (a[:2, :3], 2.0, b[:, 0], np.zeros((0, 2)))
    assert_close(linalg.block_diag(*blocks), scipy.linalg.block_diag(*blocks))
    assert_close(linalg.solve_triangular(a, b, lower=True), scipy.linalg.solve_triangular(
        a, b, lower=True))  # fmt: skip
    for m in (a, 8 * a, np.zeros((4, 4)), rng.standard_normal((2, 3, 3))):
        assert_close(linalg.expm(m), scipy.linalg.expm(m), rtol=1e-12)


def test_complex_linalg_values_match_scipy(rng: np.random.Generator) -> None:
    """Complex matrices: trans 2/'C' solves with aᴴ, Cholesky factors of a Hermitian a (a = L Lᴴ
    = Uᴴ U) and their solves, LU solves with a, aᵀ and aᴴ."""
    a = rng.standard_normal((4, 4)) + 1j * rng.standard_normal((4, 4)) + 4 * np.eye(4)
    b = rng.standard_normal((4, 2)) + 1j * rng.standard_normal((4, 2))
    for trans in (0, 1, 2, "N", "T", "C"):
        for lower in (False, True):
            assert_close(linalg.solve_triangular(a, b, trans=trans, lower=lower),
                         scipy.linalg.solve_triangular(a, b, trans=trans, lower=lower))  # fmt: skip
    hermitian = a @ a.conj().T
    for lower in (False, True):
        c = linalg.cho_factor(hermitian, lower=lower)
        triangle = np.tril if lower else np.triu
        assert_close(c[0], triangle(scipy.linalg.cho_factor(hermitian, lower=lower)[0]))
        assert_close(linalg.cholesky(hermitian, lower=lower),
                     scipy.linalg.cholesky(hermitian, lower=lower))  # fmt: skip
        assert_close(linalg.cho_solve(c, b), scipy.linalg.cho_solve((c[0], lower), b))
    packed, piv = linalg.lu_factor(a)
    for trans in (0, 1, 2):
        assert_close(linalg.lu_solve((packed, piv), b, trans=trans),
                     scipy.linalg.lu_solve(scipy.linalg.lu_factor(a), b, trans=trans))  # fmt: skip


def test_cholesky_is_scipys(rng: np.random.Generator) -> None:
    """``cholesky(a, lower=False)``: the upper factor U with a = Uᵀ U by default, from a's upper
    triangle (not symmetrized); L with lower=True. Values SciPy's; gradients JAX's, by both
    modes."""
    a = rng.standard_normal((3, 3))
    spd = a @ a.T + 3 * np.eye(3)
    unsymmetric = spd + np.tril(rng.standard_normal((3, 3)), -1)  # the lower triangle differs
    for lower in (False, True):
        for m in (spd, unsymmetric.T if lower else unsymmetric):
            assert_close(linalg.cholesky(m, lower=lower), scipy.linalg.cholesky(m, lower=lower))
        _gradients(lambda m, lower=lower: anp.sin(linalg.cholesky(m, lower=lower)),
                   lambda m, lower=lower: jnp.sin(jsp.linalg.cholesky(m, lower=lower)),
                   (unsymmetric.T if lower else unsymmetric,))  # fmt: skip
    assert_close(linalg.cholesky(spd), linalg.cho_factor(spd)[0])
    assert "lu" not in vars(linalg)  # the packed LU is lu_factor's; SciPy's lu is (P, L, U)


def test_lu_solve_checks_trans() -> None:
    """trans outside 0, 1, 2 raises (SciPy: LAPACK's error), with solve_triangular's message."""
    factor = linalg.lu_factor(2 * np.eye(2))
    for trans in (5, -1, "X"):
        with pytest.raises(ValueError, match="trans must be 0, 1, 2"):
            linalg.lu_solve(factor, np.ones(2), trans=trans)
        with pytest.raises(ValueError, match="trans must be 0, 1, 2"):
            linalg.solve_triangular(np.eye(2), np.ones(2), trans=trans)


@pytest.mark.parametrize("mode", ["full", "valid", "same"])
@pytest.mark.parametrize("fn", ["convolve", "correlate"])
def test_signal_values_match_scipy(fn: str, mode: str, rng: np.random.Generator) -> None:
    for shapes in (((7,), (3,)), ((3,), (6,)), ((4, 5), (2, 3)), ((2, 2), (3, 4))):
        x, y = (rng.standard_normal(s) for s in shapes)
        assert_close(getattr(signal, fn)(x, y, mode), getattr(scipy.signal, fn)(x, y, mode),
                     rtol=1e-13)  # fmt: skip
    with pytest.raises(ValueError, match="at least as large"):
        getattr(signal, fn)(np.ones((2, 4)), np.ones((3, 3)), "valid")


# ---------------------------------------------------------------------------- gradients vs JAX
def _gradients(ad_fn: Callable[..., Any], jax_fn: Callable[..., Any], args: tuple) -> None:
    """The gradient of Σ f in every argument: both admodes modes against jax.grad."""
    argnums = tuple(range(len(args)))
    expected = jax.jit(jax.grad(lambda *xs: jnp.sum(jax_fn(*xs)), argnums))(*args)
    for mode in MODES:
        assert_close(ad.grad(lambda *xs: anp.sum(ad_fn(*xs)), argnums, mode=mode)(*args),
                     tuple(np.asarray(e) for e in expected))  # fmt: skip


X_POS = np.array([0.2, 0.9, 1.7, 4.0])
LOGPDFS = [
    ("norm", (X, 0.3, 1.7)),
    ("t", (X, 2.5, 0.3, 1.7)),
    ("t", (X, 40.0, -1.0, 0.2)),
    ("gamma", (X_POS, 2.5, -0.1, 1.7)),
    ("chi2", (X_POS, 3.5, -0.1, 1.2)),
    ("beta", (np.array([0.1, 0.5, 0.8]), 2.5, 1.5, -0.2, 1.3)),
]


@pytest.mark.parametrize(("dist", "args"), LOGPDFS, ids=lambda v: str(v)[:12])
def test_logpdf_gradients_match_jax_in_every_parameter(dist: str, args: tuple) -> None:
    _gradients(getattr(stats, dist).logpdf, getattr(jsp.stats, dist).logpdf, args)


@pytest.mark.slow
def test_cdf_and_multivariate_gradients_match_jax(rng: np.random.Generator) -> None:
    _gradients(stats.gamma.cdf, jsp.stats.gamma.cdf, (X_POS, 2.5, -0.1, 1.7))
    _gradients(stats.chi2.logsf, jsp.stats.chi2.logsf, (X_POS, 3.5, -0.1, 1.2))
    _gradients(stats.norm.logcdf, jsp.stats.norm.logcdf, (X, 0.3, 1.7))
    k = np.array([0.0, 2.0, 5.0])
    _gradients(lambda mu: stats.poisson.logpmf(k, mu), lambda mu: jsp.stats.poisson.logpmf(k, mu),
               (3.5,))  # fmt: skip
    alpha, x = np.array([0.7, 2.0, 3.5]), rng.dirichlet([0.7, 2.0, 3.5], size=3).T
    _gradients(stats.dirichlet.logpdf, jsp.stats.dirichlet.logpdf, (x, alpha))
    a = rng.standard_normal((3, 3))
    args = (rng.standard_normal((4, 3)), rng.standard_normal(3), a @ a.T + 3 * np.eye(3))
    _gradients(stats.multivariate_normal.logpdf, jsp.stats.multivariate_normal.logpdf, args)


@pytest.mark.slow
def test_gammainc_in_a_matches_jax_across_its_branches() -> None:
    """Series (x ≤ 1 or x ≤ a) and continued fraction, near and far from the mean."""
    a = np.array([0.3, 0.5, 2.5, 2.5, 10.0, 10.0, 50.0, 200.0, 3.0])
    x = np.array([0.05, 4.0, 1.5, 12.0, 9.0, 30.0, 45.0, 230.0, 1.0])
    _gradients(special.gammainc, jsp.special.gammainc, (a, x))
    _gradients(special.gammaincc, jsp.special.gammaincc, (a, x))


def test_unsupported_derivatives_raise_as_in_jax() -> None:
    with pytest.raises(NotImplementedError, match="gammainc_grad_a with respect to a"):
        ad.grad(lambda a: gammainc_grad_a(a, 2.0))(1.5)
    with pytest.raises(NotImplementedError, match="betainc with respect to a"):
        ad.grad(lambda a: special.betainc(a, 2.0, 0.3))(1.5)


@pytest.mark.slow
def test_second_order_matches_jax() -> None:
    """Hessians of a t log-likelihood in (df, loc, scale), and of special functions."""
    x = np.array([-1.2, 0.3, 2.2, 5.0])

    def jax_nll(p: Any) -> Any:
        return -jnp.sum(jsp.stats.t.logpdf(x, p[0], p[1], p[2]))

    def nll(p: Any) -> Any:
        return anp.negative(anp.sum(stats.t.logpdf(x, p[0], p[1], p[2])))

    p = np.array([3.5, 0.4, 1.3])
    assert_close(ad.hessian(nll)(p), np.asarray(jax.jit(jax.hessian(jax_nll))(p)))
    z = np.array([0.3, 1.7, 4.0])
    for ours, theirs in (
        (special.gammaln, jsp.special.gammaln),
        (special.log_ndtr, jsp.special.log_ndtr),
        (lambda v: special.xlogy(v, v + 1), lambda v: jsp.special.xlogy(v, v + 1)),
    ):
        expected = jax.jit(jax.hessian(lambda v, f=theirs: jnp.sum(f(v))))(z)
        assert_close(ad.hessian(lambda v, f=ours: anp.sum(f(v)))(z), np.asarray(expected))


def test_expm_hessian_differentiates_the_frechet_derivative() -> None:
    """The Hessian of Σ expm(A) (the rules' Fréchet derivative differentiated again) against
    central differences of its gradient L(Aᵀ, 1) by SciPy's expm_frechet."""
    m = np.array([[0.3, 0.2], [-0.4, 0.1]])
    hessian = ad.hessian(lambda a: anp.sum(linalg.expm(a)))(m)
    for i, j in np.ndindex(2, 2):
        step = np.zeros((2, 2))
        step[i, j] = FD_EPS
        grads = [scipy.linalg.expm_frechet((m + s).T, np.ones((2, 2)), compute_expm=False)
                 for s in (step, -step)]  # fmt: skip
        assert_fd_close(hessian[:, :, i, j], (grads[0] - grads[1]) / (2 * FD_EPS))


@pytest.mark.slow
def test_student_t_regression_gradient_in_df_and_scale(rng: np.random.Generator) -> None:
    """Robust regression y = X w + t-noise: the log-likelihood's gradient in (w, df, scale)."""
    features = rng.standard_normal((30, 3))
    y = features @ np.array([1.0, -2.0, 0.5]) + 0.7 * rng.standard_t(3.0, size=30)
    w, df, scale = np.array([0.8, -1.5, 0.2]), 4.0, 0.9

    def loglik(w: Any, df: Any, scale: Any) -> Any:
        return anp.sum(stats.t.logpdf(y, df, features @ w, scale))

    def jax_loglik(w: Any, df: Any, scale: Any) -> Any:
        return jnp.sum(jsp.stats.t.logpdf(y, df, features @ w, scale))

    expected = jax.grad(jax_loglik, (0, 1, 2))(w, df, scale)
    for mode in MODES:
        got = ad.grad(loglik, (0, 1, 2), mode=mode)(w, df, scale)
        assert_close(got, (np.asarray(expected[0]), float(expected[1]), float(expected[2])))


def test_log_ndtr_far_tail_is_exact(rng: np.random.Generator) -> None:
    """φ(x)/Φ(x) = √(2/π) / erfcx(−x/√2) to 1e-12 where JAX's asymptotic series (x < −20) is
    good to 1e-10 only; from −20 up, JAX agrees to 1e-10. (The rule exp(−x²/2 − log √(2π) −
    log_ndtr(x)) loses ~x²/2 ulps to cancellation: 1e-11 at x = −1000.)"""
    x = np.array([-200.0, -35.0, -21.0])
    exact = np.sqrt(2 / np.pi) / sc.erfcx(-x / np.sqrt(2))
    for mode in MODES:
        assert_close(ad.grad(lambda v: anp.sum(special.log_ndtr(v)), mode=mode)(x), exact,
                     rtol=1e-12)  # fmt: skip
    _gradients(special.log_ndtr, jsp.special.log_ndtr, (np.array([-19.5, -3.0, 0.0, 8.0]),))


def test_logit_derivative_at_the_ends_matches_jax() -> None:
    """d logit/dp = 1/(p(1 − p)): inf at 0 and at 1 by both modes, as JAX's (jacfwd's zero
    tangents meet those infinities off the diagonal: nan there, in JAX too)."""
    p = np.array([0.0, 0.2, 0.5, 1.0])
    with np.errstate(divide="ignore", invalid="ignore"):
        for end in (0.0, 1.0):
            for mode in MODES:
                assert ad.grad(special.logit, mode=mode)(end) == INF
        by_reverse = ad.grad(lambda v: anp.sum(special.logit(v)))(p)
        by_forward = ad.jacfwd(special.logit)(p)
    assert_close(by_reverse, np.asarray(jax.grad(lambda v: jnp.sum(jsp.special.logit(v)))(p)))
    assert_close(by_forward, np.asarray(jax.jacfwd(jsp.special.logit)(p)))


@pytest.mark.slow
def test_entr_edges_match_jax_per_mode() -> None:
    """entr at x < 0 (value −inf) and 0: JAX's select gives derivative 0 by forward mode and nan
    by reverse mode at x < 0; +inf at 0 in both. The derivative log x + 1 takes log(0) and
    log(−1) there, which NumPy reports as RuntimeWarnings (JAX reports nothing)."""
    x = np.array([-1.0, 0.0, 0.5])
    with np.errstate(divide="ignore", invalid="ignore"):
        by_reverse = ad.grad(lambda v: anp.sum(special.entr(v)))(x)
        by_forward = np.diag(ad.jacfwd(special.entr)(x))
    assert_close(by_reverse, np.asarray(jax.grad(lambda v: jnp.sum(jsp.special.entr(v)))(x)))
    assert_close(by_forward, np.diag(jax.jacfwd(jsp.special.entr)(x)))


def test_expm_derivative_is_the_frechet_derivative(rng: np.random.Generator) -> None:
    a, e = rng.standard_normal((3, 3)), rng.standard_normal((3, 3))
    _, tangent = ad.jvp(linalg.expm, (a,), (e,))
    assert_close(tangent, scipy.linalg.expm_frechet(a, e, compute_expm=False), rtol=1e-12)


# ---------------------------------------------------------------------------- the extra
def test_import_without_scipy_names_the_extra() -> None:
    shim = "import sys; sys.modules['scipy'] = None; import admodes.scipy"
    result = subprocess.run([sys.executable, "-c", shim], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert result.returncode != 0
    assert "ImportError" in result.stderr and "admodes[scipy]" in result.stderr
    assert scipy.__version__  # the installed SciPy is untouched
