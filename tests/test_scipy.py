"""``admodes.scipy`` against SciPy (values, at several points and edges) and against JAX
(derivatives the registry walk does not reach: stats log-densities in every continuous
parameter by both modes, second order, a Student-t regression, far tails, and the places where
JAX's two modes differ); the ImportError that names the extra when SciPy is missing."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from functools import partial
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
from cases.linalg import dominant, separated, spd
from cases.special import pivoting
from conftest import (
    FD_EPS,
    MODES,
    assert_close,
    assert_fd_close,
    assert_gradients_match_jax,
    assert_takes_jaxs_parameters,
)
from walk import shape_label

import admodes as ad
import admodes.numpy as anp
from admodes.rules.special import gammainc_grad_a
from admodes.scipy import linalg, signal, special, stats

INF, NAN = np.inf, np.nan
REAL = np.array([-INF, -40.0, -6.0, -0.5, 0.0, 1e-300, 0.7, 6.0, 40.0, INF, NAN])
POSITIVE = np.array([1e-300, 1e-8, 0.3, 1.0, 2.5, 7.0, 30.0, 170.0, INF])
UNIT = np.array([0.0, 1e-300, 1e-12, 0.1, 0.5, 0.75, 1 - 1e-12, 1.0])
SHAPES = np.array([0.5, 1.0, 3.0, 40.0])

#: p and q of rel_entr and kl_div: p = 0 with q ≥ 0, p or q negative (inf), equal, tiny.
P_ENTR = np.array([0.0, 0.0, 0.3, 0.3, 1.0, -1.0, 2.0, 0.5, 1e-300, 0.3])
Q_ENTR = np.array([0.0, 1.0, 0.3, 0.7, 0.0, 1.0, -1.0, 2.0, 1e-300, 0.3000001])

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
    "multigammaln": (np.array([1.0 + 1e-9, 1.5, 2.5, 40.0, 170.0]), 3),
    "rel_entr": (P_ENTR, Q_ENTR),
    "kl_div": (P_ENTR, Q_ENTR),
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


def test_reductions_of_integers_and_bools_are_scipys() -> None:
    """Integers and bools become float64, as in SciPy (and as admodes computes every floating
    function of them; JAX uses float32 for int32 and bools): logsumexp, softmax and
    log_softmax of a 2-d array over every axis and over one, and of a list of ints, give
    SciPy's values of them as floats (SciPy's own subtract bools, which NumPy refuses), and
    JAX's values (to float32's precision where JAX computes in it); so does
    ``admodes.nn.logsumexp``, whose code they share, with ``b`` and ``where``. (JAX's functions
    take no lists, and its softmax no bools: JAX's of the array, and of the bools as float32.)"""
    a = np.array([[1, 2, 3], [4, 0, -1]])
    for x in (a, a.astype(np.int32), a > 1, [1, 2, 3]):
        jax_x = jnp.asarray(x, jnp.float32) if np.asarray(x).dtype == bool else jnp.asarray(x)
        for name in ("logsumexp", "softmax", "log_softmax"):
            for axis in (None, 1) if np.ndim(x) == 2 else (None,):
                ours = getattr(special, name)(x, axis=axis)
                with np.errstate(invalid="ignore"):  # JAX casts −inf to the integer type
                    theirs = getattr(jsp.special, name)(jax_x, axis=axis)
                scipys = getattr(sc, name)(np.asarray(x, np.float64), axis=axis)  # SciPy's dtype
                assert ours.dtype == np.float64, (name, x)
                np.testing.assert_allclose(ours, scipys, rtol=1e-14, atol=1e-14)
                tol = 1e-14 if theirs.dtype == np.float64 else 1e-6
                np.testing.assert_allclose(ours, theirs, rtol=tol, atol=tol)
    mask, b = np.array([[True, False, True], [False, True, True]]), np.array([1, 0, 2])
    for x, rtol in ((a, 1e-14), (a.astype(np.int32), 1e-6)):  # JAX's int32: in float32
        ours = ad.nn.logsumexp(x, axis=1, b=b, where=mask)
        assert ours.dtype == np.float64
        np.testing.assert_allclose(ours, jax.nn.logsumexp(x, axis=1, b=b, where=mask), rtol=rtol)


# ---------------------------------------------------------------------------- stats: values
X = np.array([-3.0, -0.2, 0.0, 0.4, 1.0, 2.5, 9.0])
#: The location-scale families added for JAX ports, with the functions jax.scipy.stats has.
LOCATION_SCALE = {
    "expon": ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf"),
    "uniform": ("logpdf", "pdf", "cdf", "ppf"),
    "laplace": ("logpdf", "pdf", "cdf"),
    "cauchy": ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf", "isf"),
    "logistic": ("logpdf", "pdf", "cdf", "sf", "ppf", "isf"),
}
#: (distribution, function, arguments after x) against scipy.stats.
STATS_VALUES = [
    *(("norm", fn, (0.3, 1.7)) for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")),
    *(("norm", fn, (0.3, 1.7)) for fn in ("ppf", "isf")),
    *(("t", fn, (2.5, 0.3, 1.7)) for fn in ("logpdf", "pdf")),
    *(("gamma", fn, (2.5, -0.1, 1.7)) for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")),
    *(("chi2", fn, (3.5, -0.1, 1.2)) for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")),
    *(("beta", fn, (2.5, 1.5, -1.0, 3.0)) for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf",
                                                      "logsf")),
    *((dist, fn, (0.3, 1.7)) for dist, fns in LOCATION_SCALE.items() for fn in fns),
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


def test_discrete_added_for_jax_ports_match_scipy() -> None:
    """bernoulli and binom: SciPy's values, −inf off the (integer) support, nan for a
    probability outside [0, 1] or a non-integral n, and SciPy's ppf ends (−1 at q = 0)."""
    k = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0, np.nan])
    q = np.array([0.0, 0.3, 0.6, 0.7, 1.0, 1.2, np.nan])
    with np.errstate(all="ignore"):
        for p in (0.3, 0.0, 1.0, 1.5):
            for fn in ("logpmf", "pmf", "cdf"):
                assert_close(getattr(stats.bernoulli, fn)(k, p, 0.5 * (fn != "cdf")),
                             getattr(ss.bernoulli, fn)(k, p, 0.5 * (fn != "cdf")))  # fmt: skip
            assert_close(stats.bernoulli.ppf(q, p, 2.0), ss.bernoulli.ppf(q, p, 2.0))
        for n, p in ((3.0, 0.3), (3.0, 0.0), (3.0, 1.0), (0.0, 0.4), (2.5, 0.3), (3.0, -0.2)):
            for fn in ("logpmf", "pmf"):
                assert_close(getattr(stats.binom, fn)(k, n, p), getattr(ss.binom, fn)(k, n, p))


#: Every function of STATS_VALUES that jax.scipy.stats has too, and the discrete ones. Not
#: norm's ppf and isf: JAX computes those in float64 from float32 arguments.
FLOAT32_CASES = [
    *((d, f, p) for d, f, p in STATS_VALUES if not (d == "norm" and f in ("ppf", "isf"))),
    *(("poisson", fn, (2.5,)) for fn in ("logpmf", "pmf", "cdf")),
    *(("bernoulli", fn, (0.3,)) for fn in ("logpmf", "pmf", "cdf", "ppf")),
    *(("binom", fn, (5.0, 0.3)) for fn in ("logpmf", "pmf")),
]


@pytest.mark.parametrize(("dist", "fn", "params"), FLOAT32_CASES, ids=lambda v: str(v))
def test_float32_arguments_keep_their_precision_as_jax(dist: str, fn: str, params: tuple) -> None:
    """A float32 x with Python-float parameters gives float32, as JAX's promotion (a Python
    scalar is weak), and SciPy's values to float32 precision."""
    x = (UNIT if fn in ("ppf", "isf") else np.round(X)).astype(np.float32)
    with np.errstate(all="ignore"):
        ours = getattr(getattr(stats, dist), fn)(x, *params)
        theirs = getattr(getattr(jsp.stats, dist), fn)(x, *params)
        expected = getattr(getattr(ss, dist), fn)(x.astype(np.float64), *params)
    assert ours.dtype == theirs.dtype == np.float32
    np.testing.assert_allclose(ours, expected, rtol=2e-6, atol=1e-6)


def test_special_functions_of_python_floats_keep_jaxs_weak_promotion() -> None:
    """Python floats alone give a Python float, and with a float32 array float32 (SciPy's own
    give an np.float64, and float64), so a float32 program stays float32, as in JAX."""
    x = np.array([0.3, 0.9, 2.0], np.float32)
    for name in ("betaln", "gammainc", "gammaincc", "xlogy", "xlog1py"):
        ours, theirs = getattr(special, name)(2.5, x), getattr(jsp.special, name)(2.5, x)
        assert ours.dtype == theirs.dtype == np.float32, name
        np.testing.assert_allclose(ours, getattr(sc, name)(2.5, x.astype(np.float64)), rtol=1e-6)
    for name in ("gammaln", "digamma", "erf", "ndtri"):
        assert type(getattr(special, name)(0.3)) is float, name
    assert special.gammaln(np.float32(2.5)).dtype == np.float32


def test_uniform_density_of_nan_is_scipys_nan() -> None:
    """SciPy's nan at a nan x (JAX's is −log scale, as if x were inside)."""
    x = np.array([NAN, 0.5, 2.0])
    for fn in ("logpdf", "pdf"):
        assert_close(getattr(stats.uniform, fn)(x, 0.0, 1.5), getattr(ss.uniform, fn)(x, 0.0, 1.5))


def test_beta_log_cdf_and_sf_where_they_are_flat_match_jax() -> None:
    """Where the cdf is 0 (x ≤ 0) or the sf is 0 (x ≥ 1), log gives −inf and an infinite
    cotangent, which JAX's clamp before betainc selects away: derivative 0, not nan."""
    x = np.array([-0.5, 0.0, 0.4, 1.0, 1.5])
    for fn in ("logcdf", "logsf"):
        ours = lambda v, fn=fn: anp.sum(getattr(stats.beta, fn)(v, 2.0, 3.0))
        theirs = lambda v, fn=fn: jnp.sum(getattr(jsp.stats.beta, fn)(v, 2.0, 3.0))
        with np.errstate(all="ignore"):
            assert_close(ad.grad(ours)(x), jax.grad(theirs)(x))


@pytest.mark.parametrize("dist", ["norm", "expon", "uniform", "cauchy", "logistic", "laplace"])
def test_invalid_scale_gives_scipys_nan(dist: str) -> None:
    """A scale ≤ 0 is no distribution: nan, as SciPy (JAX computes its formula)."""
    x, scale = np.array([-1.0, 0.5, 2.0]), np.array([[1.5], [0.0], [-1.0]])
    with np.errstate(all="ignore"):
        for fn in ("logpdf", "cdf"):
            ours = getattr(getattr(stats, dist), fn)(x, 0.2, scale)
            assert_close(ours, getattr(getattr(ss, dist), fn)(x, 0.2, scale))
            assert np.isnan(ours[1:]).all()


#: distribution → shape parameters ≤ 0 (either of beta's, or both).
INVALID_SHAPES = {
    "gamma": [(0.0,), (-1.0,)],
    "chi2": [(0.0,), (-1.0,)],
    "beta": [(0.0, 1.5), (-1.0, 1.5), (1.5, 0.0), (1.5, -1.0), (0.0, 0.0)],
}


@pytest.mark.parametrize("dist", sorted(INVALID_SHAPES))
def test_invalid_shape_gives_scipys_nan_with_no_slope(dist: str) -> None:
    """A shape ≤ 0 is no distribution: every function (pdf, logpdf, cdf, logcdf, sf, logsf;
    none has a ppf or isf, as in JAX) is nan, as SciPy's, and as JAX's where its formula gives
    nan (elsewhere JAX's is a number: gamma's pdf 0, beta's cdf 0 or 1). The derivatives in x,
    the shapes (not beta's cdf and sf's, as JAX), loc and scale are nan or 0 by both modes, never
    a slope (JAX's are nan or 0 at most of its nan values, but its chi2 cdf and sf have slopes at
    df < 0, where their values are nan, and its gamma logpdf at a ≤ 0, where it is −inf)."""
    x = np.array([-0.5, 0.0, 0.3, 1.0, 2.5])
    fns = ("pdf", "logpdf", "cdf", "logcdf", "sf", "logsf")
    with np.errstate(all="ignore"):
        for fn, shapes in ((f, s) for f in fns for s in INVALID_SHAPES[dist]):
            ours = getattr(getattr(stats, dist), fn)
            args = (x, *shapes, 0.1, 1.3)
            assert_close(ours(*args), getattr(getattr(ss, dist), fn)(*args))
            in_shapes = () if dist == "beta" and fn in fns[2:] else range(1, len(shapes) + 1)
            argnums = (0, *in_shapes, len(args) - 2, len(args) - 1)
            for mode in MODES:
                slopes = ad.grad(lambda *a, f=ours: anp.sum(f(*a)), argnums, mode=mode)(*args)
                assert all((np.isnan(d) | (d == 0)).all() for d in slopes), (fn, shapes, mode)


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


def test_lu_solve_checks_trans() -> None:
    """trans outside 0, 1, 2 raises (SciPy: LAPACK's error), with solve_triangular's message."""
    factor = linalg.lu_factor(2 * np.eye(2))
    for trans in (5, -1, "X"):
        with pytest.raises(ValueError, match="trans must be 0, 1, 2"):
            linalg.lu_solve(factor, np.ones(2), trans=trans)
        with pytest.raises(ValueError, match="trans must be 0, 1, 2"):
            linalg.solve_triangular(np.eye(2), np.ones(2), trans=trans)


#: (label, f(m, x)) for m = scipy.linalg and admodes.scipy.linalg, and its input's shape and
#: domain: SciPy's names, defaults and results (a tuple, or an array).
SCIPY_LINALG = [
    ("lu", lambda m, a: m.lu(a), (4, 4), np.asarray),
    ("lu-wide", lambda m, a: m.lu(a), (3, 5), np.asarray),
    ("lu-tall-stack", lambda m, a: m.lu(a), (2, 5, 3), np.asarray),
    ("lu-permute_l", lambda m, a: m.lu(a, permute_l=True), (2, 4, 4), np.asarray),
    ("lu-float32", lambda m, a: m.lu(a.astype(np.float32)), (3, 3), np.asarray),
    ("lu_factor-stack", lambda m, a: m.lu_factor(a), (2, 3, 3), np.asarray),
    ("lu_factor-wide", lambda m, a: m.lu_factor(a), (3, 4), np.asarray),
    ("lu_solve-stack", lambda m, a: m.lu_solve(m.lu_factor(a), a[..., :2], trans=1), (2, 3, 3),
     dominant),
    ("lu_solve-stack-vector", lambda m, a: m.lu_solve(m.lu_factor(a), a[0, 0]), (2, 3, 3),
     dominant),
    ("solve", lambda m, a: m.solve(a, a[:, :2]), (3, 3), dominant),
    ("solve-sym", lambda m, a: m.solve(a, a[0], assume_a="sym", lower=True), (3, 3), spd),
    ("solve-pos", lambda m, a: m.solve(a, a[:, 1:], assume_a="pos"), (3, 3), spd),
    ("inv", lambda m, a: m.inv(a), (3, 3), dominant),
    ("det", lambda m, a: m.det(a), (3, 3), dominant),
    ("eigh", lambda m, a: tuple(np.abs(x) for x in m.eigh(a)), (4, 4), separated),
    ("eigh-upper", lambda m, a: tuple(np.abs(x) for x in m.eigh(a, lower=False)), (3, 3),
     separated),
    ("eigh-eigvals_only", lambda m, a: m.eigh(a, eigvals_only=True), (3, 3), separated),
    *((f"qr-{mode}-{shape_label(s)}-pivoting-{piv}",
       lambda m, a, mode=mode, piv=piv: m.qr(a, mode=mode, pivoting=piv), s, np.asarray)
      for mode in ("full", "economic", "r") for piv in (False, True) for s in ((4, 3), (3, 4))),
    ("svd", lambda m, a: tuple(np.abs(x) for x in m.svd(a)), (4, 3), np.asarray),
    ("svd-economic", lambda m, a: tuple(np.abs(x) for x in m.svd(a, full_matrices=False)),
     (3, 4), np.asarray),
    ("svd-gesvd", lambda m, a: m.svd(a, compute_uv=False, lapack_driver="gesvd"), (4, 3),
     np.asarray),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "shape", "domain"), [c[1:] for c in SCIPY_LINALG],
                         ids=[c[0] for c in SCIPY_LINALG])  # fmt: skip
def test_scipy_linalg_names_are_scipys(fn, shape, domain, rng: np.random.Generator) -> None:
    a = domain(rng.standard_normal(shape))
    ours, theirs = fn(linalg, a), fn(scipy.linalg, a)
    if isinstance(theirs, list):  # SciPy's lu_factor of a stack is a list, JAX's a tuple
        theirs = tuple(theirs)
    assert type(ours) is type(theirs)
    assert_close(ours, theirs, rtol=1e-12)


def _vmapped(fn: Callable[..., Any], batch_ndim: int) -> Callable[..., Any]:
    """``fn`` mapped over ``batch_ndim`` leading axes (JAX's lu takes one matrix)."""
    for _ in range(batch_ndim):
        fn = jax.vmap(fn)
    return fn


def _weighted_parts(m: Any, fn: Callable[..., Any]) -> Callable[..., Any]:
    """sin of each result of ``fn``, concatenated flat (a tuple of factors as one output)."""

    def flat(*xs: Any) -> Any:
        out = fn(*xs)
        return m.concatenate(
            [m.ravel(m.sin(x)) for x in (out if isinstance(out, tuple) else (out,))]
        )

    return flat


W32 = np.linspace(-1.0, 1.0, 6).reshape(3, 2)
#: Families of functions of one matrix each, checked together against JAX (one compiled program
#: per family): (f(m, a) for m = admodes.scipy.linalg and jax.scipy.linalg, shape, domain, the
#: number of leading axes over which JAX's function is vmapped: its lu takes one matrix, and its
#: full-QR derivative fails on a stack).
LINALG_GRADIENTS = {
    "lu": [
        (lambda m, a: m.lu(a), (4, 4), pivoting, 0),
        (lambda m, a: m.lu(a, permute_l=True), (3, 5), np.asarray, 0),
        (lambda m, a: m.lu(a), (2, 5, 3), np.asarray, 1),
        (lambda m, a: m.lu_factor(a)[0], (2, 3, 4), np.asarray, 0),
        (lambda m, a: m.lu_solve(m.lu_factor(a), a[0, :, :2], trans=2), (2, 3, 3), pivoting, 0),
    ],
    "solve-inv-det-eigh": [
        (lambda m, a: (m.solve(a, a[0]), m.inv(a), m.det(a)), (3, 3), dominant, 0),
        (lambda m, a: m.solve(a, W32, assume_a="pos"), (3, 3), spd, 0),
        (lambda m, a: (*m.eigh(a), m.eigh(a, eigvals_only=True)), (3, 3), separated, 0),
    ],
    "qr": [
        (lambda m, a: (*m.qr(a), *m.qr(a, mode="economic"), *m.qr(a, mode="r")), (4, 3),
         np.asarray, 0),
        (lambda m, a: (*m.qr(a), *m.qr(a, mode="r")), (3, 4), np.asarray, 0),
        (lambda m, a: m.qr(a), (2, 4, 3), np.asarray, 1),
        (lambda m, a: m.qr(a, pivoting=True)[:2], (4, 3), np.asarray, 0),
    ],
    "svd": [
        (lambda m, a: (*m.svd(a), m.svd(a, compute_uv=False)), (3, 3), np.asarray, 0),
        (lambda m, a: m.svd(a, full_matrices=False), (4, 3), np.asarray, 0),
    ],
}  # fmt: skip


def _on(i: int, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` of the i-th argument alone."""
    return lambda *xs: fn(xs[i])


@pytest.mark.parametrize("family", sorted(LINALG_GRADIENTS))
def test_scipy_linalg_gradients_match_jax(family: str, rng: np.random.Generator) -> None:
    """Both modes against JAX, each function on its own input."""
    cases = LINALG_GRADIENTS[family]
    inputs = tuple(domain(rng.standard_normal(shape)) for _, shape, domain, _ in cases)
    pairs = [(_weighted_parts(anp, _on(i, partial(fn, linalg))),
              _weighted_parts(jnp, _on(i, _vmapped(partial(fn, jsp.linalg), batch))))
             for i, (fn, _, _, batch) in enumerate(cases)]  # fmt: skip
    assert_gradients_match_jax(pairs, inputs, per_mode=False)


def test_qr_with_pivoting_of_a_wide_matrix_by_finite_differences(rng) -> None:
    """The column-pivoted QR of a wide matrix, a[:, P] = Q R, differentiated as the QR of the
    constant permutation of a: central differences agree. (JAX 0.10 pairs the permuted dA with
    the unpermuted a in this case, and its derivative of R is wrong.)"""
    a, t = rng.standard_normal((3, 5)), rng.standard_normal((3, 5))
    for mode in ("full", "r"):
        _, tangent = ad.jvp(lambda x, mode=mode: linalg.qr(x, mode=mode, pivoting=True)[-2],
                            (a,), (t,))  # fmt: skip
        _, pullback = ad.vjp(lambda x, mode=mode: linalg.qr(x, mode=mode, pivoting=True)[-2], a)
        moved = [scipy.linalg.qr(a + s * FD_EPS * t, mode=mode, pivoting=True)[-2]
                 for s in (1, -1)]  # fmt: skip
        assert_fd_close(tangent, (moved[0] - moved[1]) / (2 * FD_EPS))
        cotangent = rng.standard_normal(np.shape(tangent))
        assert np.vdot(cotangent, tangent) == pytest.approx(np.vdot(pullback(cotangent), t))


def test_scipy_linalg_hessian_matches_jax(rng: np.random.Generator) -> None:
    """The LU and QR rules of rectangular matrices (wide LU and QR, the full Q of a tall one)
    differentiated again: the Hessian, forward over reverse, is JAX's."""

    def f(m: Any, sin: Callable[..., Any], a: Any) -> Any:
        _, low, up = m.lu(a)
        q, r = m.qr(a)
        parts = (sin(low), up**3, sin(q), r**3, sin(m.qr(a.T)[0]))
        return sum(x.sum() for x in parts)

    a = rng.standard_normal((3, 4))
    expected = jax.jit(jax.hessian(partial(f, jsp.linalg, jnp.sin)))(a)
    assert_close(ad.hessian(partial(f, linalg, anp.sin))(a), np.asarray(expected))


SCIPY_BAD = [
    ("solve-assume_a", lambda: linalg.solve(np.eye(2), np.ones(2), assume_a="banded"),
     ValueError, "assume_a must be one of"),
    ("solve-sym-not-symmetric", lambda: linalg.solve(np.triu(np.ones((2, 2))), np.ones(2),
                                                     assume_a="sym"), ValueError, "symmetric"),
    ("solve-pos-indefinite", lambda: linalg.solve(-np.eye(2), np.ones(2), assume_a="pos"),
     np.linalg.LinAlgError, "positive definite"),
    ("eigh-b", lambda: linalg.eigh(np.eye(2), np.eye(2)), NotImplementedError, "b="),
    ("eigh-type", lambda: linalg.eigh(np.eye(2), type=2), NotImplementedError, "type=2"),
    ("qr-raw", lambda: linalg.qr(np.eye(2), mode="raw"), ValueError, "'raw'"),
    ("lu-vector", lambda: linalg.lu(np.ones(3)), ValueError, "(..., M, N)"),
    ("lu_solve-wide", lambda: linalg.lu_solve(linalg.lu_factor(np.eye(2, 3)), np.ones(2)),
     np.linalg.LinAlgError, "square"),
    ("svd-driver", lambda: linalg.svd(np.eye(2), lapack_driver="gesvj"), ValueError, "gesvd"),
    ("svd-full-derivative", lambda: ad.grad(lambda a: anp.sum(linalg.svd(a)[1]))(np.ones((2, 3))),
     NotImplementedError, "full_matrices=False"),
    ("multigammaln-a", lambda: special.multigammaln(np.array([0.9, 3.0]), 3), ValueError,
     "a > 0.5 * (d-1)"),
    ("multigammaln-d", lambda: special.multigammaln(3.0, 2.5), ValueError, "positive integer"),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "error", "match"), [b[1:] for b in SCIPY_BAD],
                         ids=[b[0] for b in SCIPY_BAD])  # fmt: skip
def test_bad_input_gets_a_clear_error(fn, error, match) -> None:
    with pytest.raises(error, match=re.escape(match)):
        fn()


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
    ("gamma", (np.array([-1.0, 0.2, 1.7]), 2.5, -0.1, 1.7)),  # below the support: a constant
    ("chi2", (X_POS, 3.5, -0.1, 1.2)),
    ("beta", (np.array([0.1, 0.5, 0.8]), 2.5, 1.5, -0.2, 1.3)),
]


@pytest.mark.parametrize(("dist", "args"), LOGPDFS, ids=lambda v: str(v)[:12])
def test_logpdf_gradients_match_jax_in_every_parameter(dist: str, args: tuple) -> None:
    _gradients(getattr(stats, dist).logpdf, getattr(jsp.stats, dist).logpdf, args)


#: x with the support's ends, the kinks and tails, and q with the ends of [0, 1], per family
#: (loc 0.5, scale 2: the uniform's ends 0.5 and 2.5 are exact).
EDGES = {
    "expon": (np.array([-1.0, 0.5, 0.51, 1.0, 5.0]), np.array([0.0, 0.5, 0.99])),
    "uniform": (np.array([-1.0, 0.5, 1.0, 2.5, 3.0]), np.array([0.0, 0.5, 1.0])),
    "laplace": (np.array([-2.0, 0.5, 1.0, 4.0]), None),
    "cauchy": (np.array([-40.0, 0.5, 2.0, 1e3]), np.array([0.5, 0.2, 0.8, 0.01])),
    "logistic": (np.array([-40.0, 0.5, 1.0, 40.0]), np.array([0.5, 0.2, 0.9])),
}


@pytest.mark.parametrize("dist", sorted(LOCATION_SCALE))
def test_location_scale_gradients_match_jax_at_the_edges(dist: str) -> None:
    """Every function in x (q), loc and scale, by each mode as JAX's in that mode, at the
    support's ends (expon at loc, uniform at loc and loc + scale: derivative 1/scale, JAX's
    select), the kink of laplace at loc (|·|′(0) = 1) and outside the support."""
    x, q = EDGES[dist]
    q = np.array([0.5]) if q is None else q
    pairs = []
    for fn in LOCATION_SCALE[dist]:
        ours, theirs = getattr(getattr(stats, dist), fn), getattr(getattr(jsp.stats, dist), fn)
        at = 1 if fn in ("ppf", "isf") else 0  # the quantile functions take q, the others x
        pairs.append((lambda *a, f=ours, i=at: f(a[i], *a[2:]),
                      lambda *a, f=theirs, i=at: f(a[i], *a[2:])))  # fmt: skip
    assert_gradients_match_jax(pairs, (x, q, 0.5, 2.0))


def test_cauchy_quantiles_are_scipys_in_the_tails() -> None:
    """ppf and isf as SciPy computes them, −1/tan(πq) (exact for tiny q, where JAX's
    tan(πq − π/2) is 1.6·10¹⁶ at most), ±inf at q = 0 and 1; their derivative π/sin²(πq)."""
    q = np.array([0.0, 1e-300, 1e-12, 0.3, 0.5, 1 - 1e-12, 1.0])
    with np.errstate(divide="ignore"):  # −1/tan(0) at the ends
        for fn in ("ppf", "isf"):
            ours = getattr(stats.cauchy, fn)(q, 0.3, 1.7)
            assert_close(ours, getattr(ss.cauchy, fn)(q, 0.3, 1.7))
    inner = np.array([1e-8, 0.3, 0.5, 0.75])
    for mode in MODES:
        slope = ad.grad(lambda v: anp.sum(stats.cauchy.ppf(v)), mode=mode)(inner)
        assert_close(slope, np.pi / np.sin(np.pi * inner) ** 2, rtol=1e-13)


#: (distribution, k, parameters differentiated): p at 0 and 1, n = 0, each column of k with
#: its parameters (k = 0 only where p = 0 in binom; see the test's docstring).
DISCRETE_EDGES = [
    ("bernoulli", np.array([[-1.0], [0.0], [1.0], [2.0]]), (np.array([0.3, 0.0, 1.0]),)),
    ("binom", np.array([[0.0, 0.0, 0.0, 0.0], [1.0, 1.0, 0.0, 1.0], [3.0, 3.0, 0.0, 1.0],
                        [4.0, 3.0, 0.0, 0.0]]),
     (np.array([3.0, 3.0, 3.0, 0.0]), np.array([0.3, 1.0, 0.0, 0.4]))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("dist", "k", "params"), DISCRETE_EDGES, ids=[d[0] for d in DISCRETE_EDGES]
)
def test_discrete_gradients_match_jax(dist: str, k: np.ndarray, params: tuple) -> None:
    """logpmf and pmf (and bernoulli's cdf) in p (binom: and n), by each mode as JAX's: the
    constant 0 where JAX selects it (k = 0 at p = 0, k = n at p = 1, n = 0), 0 off the support.
    (binom at p = 0 and k > 0, value −inf: admodes' forward mode gives +inf, d(k log p)/dp,
    where JAX's gives nan: its xlogy rule multiplies the zero tangent of k by log 0.)"""
    fns = ("logpmf", "pmf", "cdf") if dist == "bernoulli" else ("logpmf", "pmf")
    pairs = [(partial(getattr(getattr(stats, dist), fn), k),
              partial(getattr(getattr(jsp.stats, dist), fn), k)) for fn in fns]  # fmt: skip
    assert_gradients_match_jax(pairs, params)
    for mode in MODES:  # SciPy's ppf is a constant, as JAX's (whose q = 0 value is 0, not −1)
        assert ad.grad(lambda p: anp.sum(stats.bernoulli.ppf(k / 4, p)), mode=mode)(0.3) == 0.0


def test_special_functions_added_for_jax_ports_match_jax() -> None:
    """multigammaln (JAX's sum of gammaln), rel_entr and kl_div with JAX's derivatives: 0 outside
    p, q > 0 (kl_div: −1 and 1 there), by each mode."""
    a = np.array([1.2, 2.5, 40.0])
    assert_gradients_match_jax([(lambda a: special.multigammaln(a, 3),
                                 lambda a: jsp.special.multigammaln(a, 3))], (a,))  # fmt: skip
    pairs = [(special.rel_entr, jsp.special.rel_entr), (special.kl_div, jsp.special.kl_div)]
    assert_gradients_match_jax(pairs, (P_ENTR[:8], Q_ENTR[:8]))


JAX_SPECIAL = sorted(name for name in special.__all__ if hasattr(jsp.special, name))


def test_special_takes_jax_parameter_names() -> None:
    """Every parameter of each jax.scipy.special function is one of admodes' (JAX's positional
    ones at JAX's positions), so that JAX's keyword calls work: kl_div(p=, q=), logit(x=), ..."""
    for name in JAX_SPECIAL:
        assert_takes_jaxs_parameters(getattr(special, name), getattr(jsp.special, name))


def test_special_keyword_calls_match_jax() -> None:
    """JAX's keyword calls: values and gradients by both modes equal JAX's."""
    p, q = np.array([0.2, 0.5, 0.9]), np.array([0.4, 0.5, 0.1])

    def calls(m: Any) -> list[Callable[..., Any]]:
        return [
            lambda u, v: m.kl_div(p=u, q=v),
            lambda u, v: m.rel_entr(q=v, p=u),
            lambda u, v: m.logit(x=u),
            lambda u, v: m.erf(x=u) * m.erfc(x=v) + m.expit(x=u) + m.ndtri(p=v),
            lambda u, v: m.xlogy(y=v, x=u) + m.xlog1py(x=u, y=v),
            lambda u, v: m.gammainc(a=u + 1.0, x=v) + m.gammaincc(x=u, a=v + 0.5),
            lambda u, v: m.betainc(a=1.5, b=2.5, x=u) + m.betaln(b=u, a=v),
            lambda u, v: m.poch(z=u + 1.0, m=v) + m.owens_t(h=u, a=v),
            lambda u, v: m.log_ndtr(x=u, series_order=3) + m.polygamma(n=1, x=v),
        ]

    pairs = list(zip(calls(special), calls(jsp.special), strict=True))
    assert_gradients_match_jax(pairs, (p, q))


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


@pytest.mark.parametrize("a, x", [(4.0, 5.5), (0.5, 3.0), (2.0, 0.5), (30.0, 20.0)])
def test_gammainc_in_a_converges_point_by_point(a: float, x: float) -> None:
    """One point at a time (no slower neighbour to keep the iteration going): the complex step's
    imaginary part, the derivative, settles as well as the value."""
    for mode in MODES:
        assert_close(ad.grad(special.gammainc, mode=mode)(a, x),
                     float(jax.grad(jsp.special.gammainc)(a, x)))  # fmt: skip


def test_unsupported_derivatives_raise_as_in_jax() -> None:
    with pytest.raises(NotImplementedError, match="gammainc_grad_a with respect to a"):
        ad.grad(lambda a: gammainc_grad_a(a, 2.0))(1.5)
    with pytest.raises(NotImplementedError, match="betainc with respect to a"):
        ad.grad(lambda a: special.betainc(a, 2.0, 0.3))(1.5)
    with pytest.raises(NotImplementedError, match="polygamma with respect to its integer order"):
        ad.grad(lambda n: special.polygamma(n, 2.0))(1.0)


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
