"""vmap of scipy.stats' distributions and summaries (sem, rankdata), of scipy.linalg's companion,
fiedler_companion, lu_factor, lu and eigh_tridiagonal, and of nn.dot_product_attention: each
reads its arguments' numbers (masks, pivots, SciPy's signs and ranks) without leaving the batch.

Each runs once on the batch (as many ops for twice the batch), equals jax.vmap where JAX has the
function, and equals the function called at each index, values and gradients in both modes (vmap
of grad, and grad through vmap), at the kinks, supports' ends, nans and infinities too. An error
SciPy raises at one index (a point off the simplex, a zero leading coefficient, a nan with
nan_policy="raise") is still raised.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import jax.scipy.stats as jstats
import numpy as np
import pytest
from conftest import (
    assert_mapped,
    assert_maps_like_a_loop,
)

import admodes as ad
import admodes.numpy as anp
from admodes import nn
from admodes.scipy import linalg, stats

A = np.array
RNG = np.random.default_rng(20250612)
nan, inf = np.nan, np.inf

#: Points around the kinks and ends of the supports (standardized: loc 0.1, scale 1.5 below).
X = A([-3.0, -1.4, 0.1, 1.6, 1.1, 2.5, nan, inf, -inf, 1e200])
LOC = np.linspace(-0.5, 0.5, len(X))
SCALE = A([1.5, 1.5, 2.0, 1.5, 0.5, 1.0, 1.5, 1.5, 1.5, -1.0])
#: Probabilities: the ends, the middle, outside [0, 1], nan.
Q = A([0.0, 0.1, 0.5, 0.9, 1.0, 1.2, -0.1, nan, 0.25, 0.75])


def stats_of(m: Any) -> Any:
    """The scipy.stats that goes with a namespace: admodes' for ``anp``, JAX's otherwise."""
    return stats if m is anp else jstats


def total(out: Any) -> Any:
    """The sum of every float entry of an output (of each part of a tuple)."""
    parts = out if isinstance(out, tuple) else (out,)
    return sum(anp.sum(p) for p in parts if np.dtype(p.dtype).kind == "f")


#: vmap of f equals the loop of calls, values and gradients, and runs once on the batch.
assert_like_loop = functools.partial(assert_maps_like_a_loop, total=total)


# ------------------------------------------------------------------ location-scale families
LOCATION_SCALE = [
    ("cauchy", ["logpdf", "pdf", "cdf", "sf", "logcdf", "logsf"]),
    ("expon", ["logpdf", "cdf", "sf", "logcdf", "logsf"]),
    ("laplace", ["logpdf", "cdf"]),
    ("uniform", ["logpdf", "pdf", "cdf"]),
]


@pytest.mark.parametrize(
    "name, fn", [(d, f) for d, fns in LOCATION_SCALE for f in fns], ids=lambda v: str(v)
)
def test_location_scale_functions_map_like_a_loop(name: str, fn: str) -> None:
    f = getattr(getattr(stats, name), fn)
    assert_like_loop(f, (0, 0, 0), (X, LOC, SCALE))
    assert_like_loop(f, (0, None, None), (X, 0.1, 1.5))


@pytest.mark.parametrize(
    "name, fn", [("cauchy", "ppf"), ("cauchy", "isf"), ("expon", "ppf"), ("uniform", "ppf")]
)
def test_quantile_functions_map_like_a_loop(name: str, fn: str) -> None:
    assert_like_loop(getattr(getattr(stats, name), fn), (0, 0, 0), (Q, LOC, SCALE))


@pytest.mark.parametrize(
    "name, fn",
    [("cauchy", "logpdf"), ("cauchy", "cdf"), ("expon", "cdf"), ("expon", "logsf"),
     ("laplace", "cdf"), ("uniform", "cdf"), ("uniform", "logpdf")],
)  # fmt: skip
def test_location_scale_functions_map_as_jax(name: str, fn: str) -> None:
    x = RNG.uniform(-3.0, 3.0, (4, 5))
    loc, scale = RNG.uniform(-1.0, 1.0, 4), RNG.uniform(0.5, 2.0, 4)
    assert_mapped(lambda m: getattr(getattr(stats_of(m), name), fn), (0, 0, 0), (x, loc, scale))


def test_shape_families_map_like_a_loop() -> None:
    beta = A([0.5, 1.0, 2.0, 3.0, 1.5, 2.0, 2.0, 2.0, -1.0, 2.0])
    assert_like_loop(stats.gennorm.cdf, (0, None, 0), (X, 1.5, LOC))
    assert_like_loop(stats.gennorm.logpdf, (0, 0, 0), (X, beta, LOC))
    kappa = A([0.0, 1.0, 2.0, -1.0, 0.5, 1.0, 1.0, 3.0, 1.0, 1.0])
    assert_like_loop(stats.vonmises.logpdf, (0, 0, 0), (X, kappa, LOC))
    c = A([0.5, 0.0, 0.3, 1.0, 0.9, 0.5, 0.5, 0.5, 1.2, 0.5])
    assert_like_loop(stats.wrapcauchy.logpdf, (0, 0), (np.abs(X), c))


def test_shape_families_map_as_jax() -> None:
    x, kappa = RNG.uniform(-3.0, 3.0, (4, 5)), RNG.uniform(0.5, 3.0, 4)
    assert_mapped(lambda m: stats_of(m).vonmises.logpdf, (0, 0), (x, kappa))
    assert_mapped(lambda m: stats_of(m).gennorm.logpdf, (0, 0), (x, kappa))


# ------------------------------------------------------------------ truncated normal
TN_A = A([-1.0, -inf, 0.5, -3.0, 1.0, -10.0, -1.0, 40.0, -40.0, nan])
TN_B = A([1.0, 2.0, inf, -1.0, 1.0, -9.0, inf, 41.0, -39.0, 1.0])
TN_X = A([0.0, 1.0, 0.7, -2.0, 1.0, -9.5, 0.3, 40.5, -39.5, 0.0])


@pytest.mark.parametrize("fn", ["logpdf", "pdf", "logcdf", "cdf", "logsf", "sf"])
def test_truncnorm_maps_like_a_loop(fn: str) -> None:
    f = getattr(stats.truncnorm, fn)
    assert_like_loop(f, (0, 0, 0), (TN_X, TN_A, TN_B))
    assert_like_loop(f, (0, None, None, 0), (TN_X, -1.0, 2.0, LOC))


@pytest.mark.parametrize("fn", ["logpdf", "logcdf", "logsf"])
def test_truncnorm_maps_as_jax(fn: str) -> None:
    x = RNG.uniform(-1.0, 2.0, (4, 3))
    a, b = RNG.uniform(-2.0, -1.0, 4), RNG.uniform(2.0, 3.0, 4)
    assert_mapped(lambda m: getattr(stats_of(m).truncnorm, fn), (0, 0, 0), (x, a, b))


# ------------------------------------------------------------------ discrete distributions
K = A([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 5.0, nan, 0.0, 1.0])
P = A([0.3, 0.0, 1.0, 0.5, 1.5, -0.2, 0.7, 0.4, nan, 0.9])
N_TRIALS = A([3.0, 0.0, 5.0, 2.5, -1.0, 4.0, 3.0, 3.0, 0.0, 3.0])


def test_discrete_distributions_map_like_a_loop() -> None:
    assert_like_loop(stats.bernoulli.logpmf, (0, 0), (K, P))
    assert_like_loop(stats.bernoulli.cdf, (0, 0, 0), (K, P, LOC))
    assert_like_loop(stats.bernoulli.ppf, (0, 0, 0), (Q, P, LOC), differentiable=False)
    assert_like_loop(stats.binom.logpmf, (0, 0, 0), (K, N_TRIALS, P))
    assert_like_loop(stats.binom.pmf, (0, None, 0), (K, 3.0, P))
    assert_like_loop(stats.betabinom.logpmf, (0, 0, 0, None), (K, N_TRIALS, P + 0.5, 2.0))
    assert_like_loop(stats.poisson.logpmf, (0, 0), (K, P + 1.0))
    assert_like_loop(stats.poisson.cdf, (0, 0, 0), (K, P + 1.0, LOC))


def test_discrete_distributions_map_as_jax() -> None:
    k = RNG.integers(0, 5, (4, 3)).astype(float)
    n, p = A([4.0, 5.0, 6.0, 7.0]), RNG.uniform(0.1, 0.9, 4)
    assert_mapped(lambda m: stats_of(m).binom.logpmf, (0, 0, 0), (k, n, p))
    assert_mapped(lambda m: stats_of(m).poisson.cdf, (0, 0), (k, p * 3))
    assert_mapped(lambda m: stats_of(m).bernoulli.cdf, (0, 0), (k - 3, p))


def test_simplex_distributions_map_like_a_loop() -> None:
    counts = A([1.0, 2.0, 1.0])
    p = A([[0.2, 0.5, 0.3], [0.1, 0.1, 0.8], [0.2, 1.5, 0.3], [0.3, 0.3, -0.4]])
    assert_like_loop(stats.multinomial.logpmf, (None, None, 0), (counts, 4.0, p))
    assert_like_loop(stats.multinomial.pmf, (None, None, 0), (counts + 1.0, 4.0, p))
    x = A([[0.2, 0.3, 0.5], [0.0, 0.5, 0.5], [0.6, 0.2, 0.2], [1.0, 0.0, 0.0]])
    alpha = A([[1.5, 2.0, 0.5], [1.0, 2.0, 3.0], [0.5, 0.5, 0.5], [1.0, 1.0, 1.0]])
    assert_like_loop(stats.dirichlet.logpdf, (0, 0), (x, alpha))
    assert_like_loop(stats.dirichlet.pdf, (0, None), (x[:, :2], alpha[0]))


def test_simplex_distributions_map_as_jax() -> None:
    x = RNG.dirichlet([1.0, 2.0, 3.0], 4)
    alpha = RNG.uniform(0.5, 3.0, (4, 3))
    assert_mapped(lambda m: stats_of(m).dirichlet.logpdf, (0, 0), (x, alpha))
    counts = A([1, 3, 1])
    assert_mapped(lambda m: lambda p: stats_of(m).multinomial.logpmf(counts, 5, p), (0,),
                  (RNG.dirichlet([1.0, 1.0, 1.0], 4),))  # fmt: skip


def test_errors_at_one_index_are_raised() -> None:
    off = A([[0.2, 0.3, 0.5], [0.2, 0.3, 0.6]])
    with pytest.raises(ValueError, match="sum to 1"):
        ad.vmap(stats.dirichlet.logpdf, (0, None))(off, A([1.0, 2.0, 3.0]))
    with pytest.raises(ValueError, match="leading coefficient"):
        ad.vmap(linalg.companion)(A([[1.0, 2.0, 3.0], [0.0, 1.0, 2.0]]))
    with pytest.raises(ValueError, match="nan"):
        ad.vmap(lambda a: stats.sem(a, nan_policy="raise"))(A([[1.0, 2.0], [1.0, nan]]))


# ------------------------------------------------------------------ summaries
A2 = A([[[1.0, 2.0, nan], [3.0, 4.0, 5.0]], [[3.0, 1.0, 2.0], [2.0, 2.0, 7.0]]])


@pytest.mark.parametrize("nan_policy", ["propagate", "omit", "raise"])
@pytest.mark.parametrize("axis", [0, 1, None])
def test_sem_maps_like_a_loop(nan_policy: str, axis: int | None) -> None:
    a = A2 if nan_policy != "raise" else np.nan_to_num(A2)
    assert_like_loop(lambda x: stats.sem(x, axis=axis, nan_policy=nan_policy), (0,), (a,))
    assert_like_loop(
        lambda x: stats.sem(x, axis=axis, nan_policy=nan_policy, keepdims=True), (1,), (a,)
    )


def test_sem_maps_as_jax() -> None:
    assert_mapped(
        lambda m: lambda x: stats_of(m).sem(x, axis=1), (0,), (RNG.normal(size=(4, 3, 5)),)
    )


@pytest.mark.parametrize("nan_policy", ["propagate", "omit"])
@pytest.mark.parametrize("method", ["average", "min", "max", "dense", "ordinal"])
@pytest.mark.parametrize("axis", [None, 0, -1])
def test_rankdata_maps_like_a_loop(nan_policy: str, method: str, axis: int | None) -> None:
    ties = A([[[1.0, 2.0, 2.0], [0.0, nan, 1.0]], [[3.0, 3.0, 3.0], [1.0, 0.0, -1.0]]])
    assert_like_loop(
        lambda x: stats.rankdata(x, method, axis=axis, nan_policy=nan_policy),
        (0,),
        (ties,),
        differentiable=False,
    )


# ------------------------------------------------------------------ linalg
def test_companion_matrices_map_like_a_loop() -> None:
    a = RNG.normal(size=(4, 5))
    assert_like_loop(linalg.companion, (0,), (a,))
    assert_like_loop(linalg.fiedler_companion, (0,), (a,))
    assert_like_loop(linalg.fiedler_companion, (1,), (a[:, :2].T,))


def test_lu_maps_like_a_loop() -> None:
    a = RNG.normal(size=(4, 3, 3))
    assert_like_loop(linalg.lu_factor, (0,), (a,))
    assert_like_loop(linalg.lu, (0,), (a,))
    assert_like_loop(linalg.lu, (2,), (RNG.normal(size=(3, 4, 5)),))


def test_lu_factor_maps_as_jax() -> None:
    a = RNG.normal(size=(4, 3, 3))
    assert_mapped(lambda m: (linalg if m is anp else jax.scipy.linalg).lu_factor, (0,), (a,))
    assert_mapped(lambda m: (linalg if m is anp else jax.scipy.linalg).lu, (0,), (a,))


@pytest.mark.parametrize(
    "options", [{}, {"eigvals_only": True}, {"select": "i", "select_range": (1, 2)}]
)
def test_eigh_tridiagonal_maps_like_a_loop(options: dict) -> None:
    d, e = RNG.normal(size=(4, 4)), RNG.normal(size=(4, 3))
    f = lambda d, e: linalg.eigh_tridiagonal(d, e, **options)
    assert_like_loop(f, (0, 0), (d, e))
    assert_like_loop(f, (None, 1), (d[0], e.T))


# ------------------------------------------------------------------ attention
@pytest.mark.parametrize("is_causal", [False, True])
def test_dot_product_attention_maps_like_a_loop(is_causal: bool) -> None:
    q, k, v = (RNG.normal(size=s) for s in ((3, 2, 4, 2), (3, 5, 2, 2), (3, 5, 2, 2)))
    f = lambda q, k, v: nn.dot_product_attention(q, k, v, is_causal=is_causal)
    assert_like_loop(f, (0, 0, 0), (q, k, v))
    assert_like_loop(f, (0, None, None), (q, k[0], v[0]))
