"""vmap of the reductions, order statistics and linear-algebra wrappers that read their
arguments' numbers: numpy's nansum, nanmean, nanmax, nanmin, nanprod, nancumsum, nancumprod,
nanvar, nanstd, unwrap, quantile, median, percentile, nanquantile, nanmedian, nanpercentile,
polyfit and linalg's lstsq, cond and matrix_rank.

Each runs once on the batch (as many ops for twice the batch), equals jax.vmap on ordinary
inputs, and equals the function called at each index, values and gradients in both modes (vmap
of grad, and grad through vmap), with NaNs, all-NaN lines, infinities and ties too.
"""

from __future__ import annotations

import functools
from typing import Any

import jax
import numpy as np
import pytest
from conftest import (
    JNP,
    assert_close,
    assert_mapped,
    assert_maps_like_a_loop,
)

import admodes as ad
import admodes.numpy as anp
from admodes.core import numbers

A = np.array
RNG = np.random.default_rng(20250612)
#: The batch size.
N = 4
X = RNG.standard_normal((N, 3, 5))


def with_nans() -> np.ndarray:
    """A batch with a NaN here and there, a line of NaNs, an index of NaNs but one, ±inf and
    ties (an index with every entry equal)."""
    x = RNG.standard_normal((N, 3, 5))
    x[0, 1, 2] = x[0, 2, 0] = np.nan
    x[1, 2, :] = np.nan
    x[2] = np.nan
    x[2, 0, 3] = 0.5
    x[3] = 1.25
    x[3, 1, 1] = np.inf
    return x


NANS = with_nans()


def total(out: Any) -> Any:
    """The sum of every finite entry of an output (NaNs and infinities count 0)."""
    parts = out if isinstance(out, tuple) else (out,)
    return sum(anp.sum(anp.where(np.isfinite(numbers(p)), p, 0.0)) for p in parts)


#: vmap of f equals the loop of calls, values and gradients, and runs once on the batch.
assert_like_loop = functools.partial(assert_maps_like_a_loop, total=total)


# ------------------------------------------------------------------ NaN-ignoring reductions
NAN_REDUCTIONS = ("nansum", "nanmean", "nanmax", "nanmin", "nanprod", "nanvar", "nanstd")


@pytest.mark.parametrize("name", NAN_REDUCTIONS)
@pytest.mark.parametrize("axis", [None, 1, (0, 1)])
def test_nan_reduction_like_jax(name: str, axis: Any) -> None:
    assert_mapped(lambda m: lambda x: getattr(m, name)(x, axis=axis), (0,), (X,))


@pytest.mark.parametrize("name", NAN_REDUCTIONS)
@pytest.mark.parametrize("axis", [None, -1, 0])
def test_nan_reduction_like_loop(name: str, axis: Any) -> None:
    assert_like_loop(lambda x: getattr(anp, name)(x, axis=axis), (0,), (NANS,))


@pytest.mark.parametrize("name", ["nancumsum", "nancumprod"])
@pytest.mark.parametrize("axis", [None, 1])
def test_nan_scan(name: str, axis: Any) -> None:
    assert_mapped(lambda m: lambda x: getattr(m, name)(x, axis=axis), (0,), (X,))
    assert_like_loop(lambda x: getattr(anp, name)(x, axis=axis), (0,), (NANS,))


def test_nanvar_ddof_empty_lines() -> None:
    """ddof at or above the count of an index's line gives NaN there, not at the others."""
    assert_like_loop(lambda x: anp.nanvar(x, axis=-1, ddof=2, keepdims=True), (0,), (NANS,))


def test_nan_reductions_of_integers_keep_their_dtype() -> None:
    ints = RNG.integers(-5, 5, (N, 6))
    for name in ("nansum", "nanmax", "nancumsum"):
        assert_like_loop(getattr(anp, name), (0,), (ints,), differentiable=False)


# ------------------------------------------------------------------ unwrap
def test_unwrap() -> None:
    phases = np.cumsum(RNG.uniform(-4.0, 4.0, (N, 12)), axis=-1)
    phases[1, 3:] = phases[1, 2] + np.pi * np.arange(1, 10)  # steps of exactly π
    assert_mapped(lambda m: m.unwrap, (0,), (phases,))
    assert_like_loop(anp.unwrap, (0,), (phases,))
    assert_like_loop(lambda p, d: anp.unwrap(p, discont=d), (0, 0), (phases, A([1, 4, 3, 5.0])))
    assert_like_loop(lambda p: anp.unwrap(p, period=5.0, axis=0), (0,), (phases[:, :, None],))


# ------------------------------------------------------------------ order statistics
QS = (0.3, A([0.0, 0.25, 0.5, 1.0]))


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("q", QS, ids=["scalar", "array"])
@pytest.mark.parametrize("name", ["quantile", "nanquantile"])
def test_quantiles(name: str, q: Any, method: str) -> None:
    for axis in (None, 1, (0, 1)):
        assert_mapped(
            lambda m, axis=axis: lambda x: getattr(m, name)(x, q, axis=axis, method=method),
            (0,),
            (X,),
        )
        f = lambda x, axis=axis: getattr(anp, name)(x, q, axis=axis, method=method)
        assert_like_loop(f, (0,), (NANS,))
    assert_like_loop(
        lambda x: getattr(anp, name)(x, q, axis=-1, method=method, keepdims=True),
        (0,),
        (NANS,),
    )


@pytest.mark.parametrize("name", ["median", "nanmedian"])
def test_medians(name: str) -> None:
    assert_mapped(lambda m: lambda x: getattr(m, name)(x, axis=-1), (0,), (X,))
    assert_like_loop(lambda x: getattr(anp, name)(x, axis=-1), (0,), (NANS,))
    assert_like_loop(getattr(anp, name), (0,), (NANS,))


@pytest.mark.parametrize("name", ["percentile", "nanpercentile"])
def test_percentiles(name: str) -> None:
    assert_mapped(lambda m: lambda x: getattr(m, name)(x, A([10.0, 90.0]), axis=0), (0,), (X,))
    f = lambda x: getattr(anp, name)(x, 35.0, axis=(0, 1))
    assert_like_loop(f, (0,), (NANS,))


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest"])
@pytest.mark.parametrize("name", ["quantile", "nanquantile", "percentile", "nanpercentile"])
def test_levels_that_vary_per_index(name: str, method: str) -> None:
    """The levels q mapped too (a scalar or an array per index; the data mapped or shared): one
    call, JAX's values and gradients in the data."""
    scale = 100.0 if "percentile" in name else 1.0
    levels = RNG.uniform(size=N) * scale
    pairs = RNG.uniform(size=(N, 2)) * scale
    for in_axes, args in (((0, 0), (X, levels)), ((None, 0), (X[0], levels)), ((0, 0), (X, pairs))):
        fun = lambda m: lambda x, q: getattr(m, name)(x, q, axis=-1, method=method)
        assert_mapped(fun, in_axes, args)

        def loss(m: Any, vmap: Any, fun: Any = fun, in_axes: tuple = in_axes) -> Any:
            return lambda x, q: m.sum(m.sin(vmap(fun(m), in_axes)(x, q)))

        assert_close(ad.grad(loss(anp, ad.vmap))(*args), jax.grad(loss(JNP, jax.vmap))(*args))
    on_nans = lambda x, q: getattr(anp, name)(x, q, axis=-1, method=method)
    assert_like_loop(on_nans, (0, 0), (NANS, levels), differentiable=False)  # none in q
    with pytest.raises(ValueError, match="Quantiles must be in the range"):
        ad.vmap(lambda x, q: getattr(anp, name)(x, q))(X, levels + 2 * scale)


def test_nanquantile_of_lines_of_every_length() -> None:
    """Lines of 1 to 9 entries, NaNs at every count: each index picks its own positions."""
    for n in range(1, 10):
        x = RNG.standard_normal((n + 1, n))
        for i in range(n + 1):
            x[i, :i] = np.nan
        f = lambda v: anp.nanquantile(v, A([0.1, 0.5, 0.9]))
        assert_like_loop(f, (0,), (x,))


# ------------------------------------------------------------------ least squares, linalg
def test_polyfit() -> None:
    xs = np.linspace(-1.0, 1.0, 7)
    ys = RNG.standard_normal((N, 7))
    assert_mapped(lambda m: lambda y: m.polyfit(xs, y, 2), (0,), (ys,))
    assert_like_loop(lambda y: anp.polyfit(xs, y, 2), (0,), (ys,))
    points = RNG.uniform(-1.0, 1.0, (N, 7))
    assert_like_loop(lambda x, y: anp.polyfit(x, y, 3), (0, 0), (points, ys))
    assert_like_loop(lambda y, w: anp.polyfit(xs, y, 1, w=w), (0, 0), (ys, np.abs(ys) + 0.5))
    assert_like_loop(lambda y: anp.polyfit(xs, y, 2, cov="unscaled"), (0,), (ys,))


def test_lstsq_square_and_wide() -> None:
    for shape in ((3, 3), (2, 4)):
        a = RNG.standard_normal((N, *shape))
        b = RNG.standard_normal((N, shape[0]))
        a[1, 0] = 0.0  # rank deficient at one index
        assert_like_loop(lambda a, b: anp.linalg.lstsq(a, b)[0], (0, 0), (a, b))
        assert_like_loop(anp.linalg.lstsq, (0, 0), (a, b), differentiable=False)


@pytest.mark.parametrize("p", [None, 2, -2, 1, "fro"])
def test_cond(p: Any) -> None:
    a = RNG.standard_normal((N, 3, 3))
    assert_mapped(lambda m: lambda x: m.linalg.cond(x, p), (0,), (a,))
    assert_like_loop(lambda x: anp.linalg.cond(x, p), (0,), (a,))


def test_cond_of_singular_matrices() -> None:
    """inf where a matrix is singular (NumPy's)."""
    a = RNG.standard_normal((N, 3, 3))
    a[1, :, 0] = 0.0
    a[2] = 0.0
    assert_like_loop(anp.linalg.cond, (0,), (a,), differentiable=False)


def test_matrix_rank() -> None:
    a = RNG.standard_normal((N, 2, 4, 3))
    a[0, 1] = a[0, 1] @ np.diag([1.0, 1.0, 0.0])
    a[1, :, :, 1] = a[1, :, :, 0]
    a[2, 0] = 0.0
    for f in (
        anp.linalg.matrix_rank,
        lambda x: anp.linalg.matrix_rank(x, tol=0.5),
        lambda x: anp.linalg.matrix_rank(x, rtol=0.4),
        lambda x: anp.linalg.matrix_rank(x @ np.swapaxes(x, -1, -2), hermitian=True),
    ):
        assert_like_loop(f, (0,), (a,), differentiable=False)
    assert_close(ad.vmap(anp.linalg.matrix_rank)(a), np.linalg.matrix_rank(a))
    assert_close(jax.vmap(JNP.linalg.matrix_rank)(a), np.linalg.matrix_rank(a))
