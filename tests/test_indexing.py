"""Shapes, indexing, ``.at`` updates, reductions and sorting beyond the registry walk
(``tests/cases/shape.py``, ``tests/cases/reductions.py``): NumPy's values, shapes and dtypes on
plain inputs; ``np.f`` on traced values; repeated indices against NumPy, JAX and by hand; the
error for writing a traced value into a NumPy array; second derivatives in all four mode pairs
against ``jax.hessian``; float32; hypothesis sweeps over shapes and axes; sort ties as JAX."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
import scipy.special
from conftest import JNP, MODES, assert_close, assert_exact
from hypothesis import given, settings
from hypothesis import strategies as st

import admodes as ad
import admodes.lax as alax
import admodes.numpy as anp

A = np.array
X34 = np.linspace(-1.3, 2.1, 12).reshape(3, 4) ** 3
V6 = A([0.5, -1.0, 2.0, 0.5, 3.0, -1.0])
TRIL = np.tril_indices(4, -1)

# ---------------------------------------------------------------- NumPy's values on plain inputs
PLAIN = {  # name: (function of m, input)
    "diag-vector": (lambda m, x: m.diag(x, -2), V6),
    "diag-matrix": (lambda m, x: m.diag(x, 1), X34),
    "diagonal": (lambda m, x: m.diagonal(x, -1), X34),
    "trace": (lambda m, x: m.trace(x, 1), X34),
    "tril": (lambda m, x: m.tril(x, 1), X34),
    "triu-vector": (lambda m, x: m.triu(x), V6),
    "tile": (lambda m, x: m.tile(x, (2, 1, 2)), X34),
    "repeat": (lambda m, x: m.repeat(x, [2, 0, 1], axis=0), X34),
    "repeat-flat": (lambda m, x: m.repeat(x, 2), X34),
    "pad-constant": (lambda m, x: m.pad(x, ((1, 0), (2, 3)), constant_values=(7, 8)), X34),
    "pad-edge": (lambda m, x: m.pad(x, 2, mode="edge"), X34),
    "pad-reflect-long": (lambda m, x: m.pad(x, (9, 7), mode="reflect"), V6),
    "pad-symmetric": (lambda m, x: m.pad(x, ((3,), (1,)), mode="symmetric"), X34),
    "pad-wrap-long": (lambda m, x: m.pad(x, 13, mode="wrap"), V6),
    "roll": (lambda m, x: m.roll(x, -7), X34),
    "roll-repeated-axis": (lambda m, x: m.roll(x, (1, 2), axis=(1, 1)), X34),
    "rot90": (lambda m, x: m.rot90(x, -1), X34),
    "moveaxis": (lambda m, x: m.moveaxis(x, -1, 0), X34),
    "rollaxis": (lambda m, x: m.rollaxis(x, 1), X34),
    "flipud": (lambda m, x: m.flipud(x), X34),
    "fliplr": (lambda m, x: m.fliplr(x), X34),
    "split": (lambda m, x: m.split(x, [1, 5], axis=1), X34),
    "array_split": (lambda m, x: m.array_split(x, 4), V6),
    "hsplit": (lambda m, x: m.hsplit(x, 2), X34),
    "vsplit": (lambda m, x: m.vsplit(x, 3), X34),
    "atleast_2d": (lambda m, x: m.atleast_2d(x), V6),
    "atleast_3d-pair": (lambda m, x: m.atleast_3d(x, x[0]), X34),
    "column_stack": (lambda m, x: m.column_stack([x, x]), V6),
    "row_stack": (lambda m, x: m.row_stack([x, x]), V6),
    "dstack": (lambda m, x: m.dstack([x, x]), V6),
    "take-wrap": (lambda m, x: m.take(x, [7, -1], axis=1, mode="wrap"), X34),
    "take-clip": (lambda m, x: m.take(x, [[0, 30]], mode="clip"), X34),
    "take_along_axis-none": (lambda m, x: m.take_along_axis(x, A([11, 0, 3]), None), X34),
    "var": (lambda m, x: m.var(x, 1, ddof=1), X34),
    "std-dtype": (lambda m, x: m.std(x, dtype=np.float32), X34),
    "mean-dtype": (lambda m, x: m.mean(x, 0, np.float32), X34),
    "average": (lambda m, x: m.average(x, 0, [1.0, 2.0, 3.0], returned=True), X34),
    "average-none": (lambda m, x: m.average(x, returned=True), X34),
    "cumprod": (lambda m, x: m.cumprod(x, 1), X34),
    "cumsum-dtype": (lambda m, x: m.cumsum(x, dtype=np.float32), X34),
    "diff": (lambda m, x: m.diff(x, 3, append=[1.0, 2.0]), V6),
    "diff-zeroth": (lambda m, x: m.diff(x, 0), V6),
    "gradient": (lambda m, x: m.gradient(x, 0.5, np.arange(4.0) ** 2), X34),
    "vander": (lambda m, x: m.vander(x[0], 6), X34),
    "polyder": (lambda m, x: m.polyder(x[1], 3), X34),
    "bincount": (lambda m, x: m.bincount(A([0, 3, 3, 1]), x[0], minlength=6), X34),
    "bincount-counts": (lambda m, x: m.bincount(A([0, 3, 3, 1])), X34),
    "digitize": (lambda m, x: m.digitize(x, A([-0.5, 0.0, 0.5])), X34),
    "nanargmax": (lambda m, x: m.nanargmax(np.where(x > 1, np.nan, x), axis=0), X34),
    "nanargmin": (lambda m, x: m.nanargmin(np.where(x > 1, np.nan, x)), X34),
    "polymul": (lambda m, x: m.polymul(x[0], x[1, :2]), X34),
    "polyint": (lambda m, x: m.polyint(x[0], 2, 0.5), X34),
    "piecewise": (lambda m, x: m.piecewise(x, [x < 0, x > 1], [lambda v: -v, 2.0]), X34),
    "matvec": (lambda m, x: m.matvec(x, x[0]), X34),
    "diagflat": (lambda m, x: m.diagflat(x[:2, :2]), X34),
    "ediff1d": (lambda m, x: m.ediff1d(x, to_begin=[0.5]), X34),
    "nancumprod": (lambda m, x: m.nancumprod(np.where(x > 1, np.nan, x)), X34),
    "intersect1d": (lambda m, x: m.intersect1d(x, x[:, ::2]), X34),
    "union1d": (lambda m, x: m.union1d(x[0], x[1]), X34),
    "setdiff1d": (lambda m, x: m.setdiff1d(x, x[0]), X34),
    "setxor1d": (lambda m, x: m.setxor1d(x[0], x[:, 0]), X34),
    "lexsort": (lambda m, x: m.lexsort((x[0], np.round(x[1]))), X34),
    "histogram": (lambda m, x: m.histogram(x, bins=3), X34),
    "histogram_bin_edges": (lambda m, x: m.histogram_bin_edges(x, bins=4), X34),
    "array_equal": (lambda m, x: m.array_equal(x, x.copy()), X34),
    "isreal": (lambda m, x: m.isreal(x), X34),
    "cumulative_prod": (lambda m, x: m.cumulative_prod(x, axis=1, include_initial=True), X34),
    "sort": (lambda m, x: m.sort(x, 0), X34),
    "sort-none": (lambda m, x: m.sort(x, None), X34),
    "median": (lambda m, x: m.median(x, (0, 1), keepdims=True), X34),
    "quantile": (lambda m, x: m.quantile(x, [[0.2], [0.9]], axis=1), X34),
    "percentile": (lambda m, x: m.percentile(x, 40, keepdims=True), X34),
    "partition": (lambda m, x: m.partition(x, (1, 3))[A([1, 3])], V6),
    "prod-int": (lambda m, x: m.prod((x * 2).astype(int), 0), X34),
    "var-int": (lambda m, x: m.var((x * 2).astype(int)), X34),
    "median-int": (lambda m, x: m.median(A([3, 1, 4, 1])), X34),
    "sort-int": (lambda m, x: m.sort((x * 3).astype(int)), X34),
    "tril-int": (lambda m, x: m.tril(x.astype(int)), X34),
    "nansum": (lambda m, x: m.nansum(np.where(x > 1, np.nan, x), 1), X34),
    "nanmean": (lambda m, x: m.nanmean(np.where(x > 1, np.nan, x)), X34),
    "nanmax": (lambda m, x: m.nanmax(np.where(x > 0, np.nan, x), 0, keepdims=True), X34),
    "nanmin-all-nan": (lambda m, x: m.nanmin(A([[np.nan, 1.0], [np.nan, 2.0]]), 0), X34),
    "median-nan": (lambda m, x: m.median(np.where(x > 5, np.nan, x), 1), X34),
    "quantile-nan-scalar": (lambda m, x: m.quantile(np.where(x > 5, np.nan, x), 0.3), X34),
    "argsort": (lambda m, x: m.argsort(x, 0), X34),
    "argpartition": (lambda m, x: m.argpartition(x, 2), V6),
    "searchsorted": (lambda m, x: m.searchsorted(np.sort(x), [0.5, 1.0], side="right"), V6),
    "nonzero": (lambda m, x: m.nonzero(x > 1), X34),
    "count_nonzero": (lambda m, x: m.count_nonzero(x > 1, axis=0), X34),
    "unique": (lambda m, x: m.unique(x, True, True, True), V6),
    "unique-axis": (lambda m, x: m.unique(A([[1.0, 2], [1, 2], [0, 1]]), axis=0), X34),
    "unique_counts": (lambda m, x: m.unique_counts(x), V6),
    "unique_all": (lambda m, x: m.unique_all(x), V6),
    "put_along_axis": (None, X34),
    "meshgrid": (lambda m, x: m.meshgrid(x[:3], x[3:5], x[:2]), V6),
    "meshgrid-ij-sparse": (lambda m, x: m.meshgrid(x, x[:2], indexing="ij", sparse=True), V6),
    "meshgrid-one": (lambda m, x: m.meshgrid(x), V6),
    "tril_indices_from": (lambda m, x: m.tril_indices_from(x, 1), X34),
    "triu_indices_from": (lambda m, x: m.triu_indices_from(x, -1), X34),
    "diag_indices_from": (lambda m, x: m.diag_indices_from(x[:3, :3]), X34),
    "ix_": (lambda m, x: x[m.ix_([0, 2], [1, 3])], X34),
    "mgrid": (lambda m, x: m.mgrid[0:3, 0:2] * x[0, 0], X34),
}


def _numpy_put_along_axis(x: np.ndarray) -> np.ndarray:
    out = x.copy()
    np.put_along_axis(out, A([[0], [2], [1]]), A([[10.0], [20.0], [30.0]]), 1)
    return out


def test_percentile_of_float32_stays_float32() -> None:
    """A Python-number q stays weak, so float32 data gives float32, as NumPy and JAX (float32
    values: NumPy interpolates by another formula, one float32 rounding apart)."""
    x = X34.astype(np.float32)
    for name in ("percentile", "nanpercentile"):
        for q in (30.0, 30):
            ours = getattr(anp, name)(x, q, axis=1)
            assert_close(ours, getattr(JNP, name)(x, q, axis=1), rtol=1e-6)
            assert ours.dtype == getattr(np, name)(x, q, axis=1).dtype == np.float32


@pytest.mark.filterwarnings("ignore:`row_stack` alias is deprecated:DeprecationWarning")
@pytest.mark.filterwarnings("ignore:All-NaN slice encountered:RuntimeWarning")
@pytest.mark.parametrize("name", PLAIN)
def test_numpy_values_shapes_and_dtypes(name: str) -> None:
    fn, x = PLAIN[name]
    if fn is None:  # put_along_axis: NumPy's is in place; admodes' (as JAX's) returns the array
        actual = anp.put_along_axis(x, A([[0], [2], [1]]), A([[10.0], [20.0], [30.0]]), 1, False)
        expected = _numpy_put_along_axis(x)
    else:
        actual, expected = fn(anp, x), fn(np, x)
    assert type(actual) is type(expected) or isinstance(expected, tuple)
    for a, e in zip(_leaves(actual), _leaves(expected), strict=True):
        assert np.shape(a) == np.shape(e)
        assert np.result_type(a) == np.result_type(e)
        np.testing.assert_allclose(a, e, rtol=1e-14, atol=1e-14)


def _leaves(value: Any) -> list:
    return (
        [v for item in value for v in _leaves(item)] if isinstance(value, tuple | list) else [value]
    )


# ---------------------------------------------------------------- np.f on traced values
NUMPY_ROUTE = {  # function of m whose gradient must not depend on m (np or anp)
    "sort": lambda m, x: m.sum(m.sort(x, axis=0) * X34),
    "median": lambda m, x: m.median(x, axis=1) @ A([1.0, -2.0, 3.0]),
    "quantile": lambda m, x: m.sum(m.quantile(x, A([0.3, 0.8]))),
    "percentile": lambda m, x: m.percentile(x, 30.0),
    "var-ddof": lambda m, x: m.var(x, ddof=1),
    "std": lambda m, x: m.std(x, axis=0)[1],
    "average": lambda m, x: m.average(x, axis=1, weights=A([1.0, 2.0, 0.5, 1.0]))[0],
    "cumprod": lambda m, x: m.sum(m.cumprod(x, axis=1)),
    "diff": lambda m, x: m.sum(m.diff(x, axis=0) ** 2),
    "nansum": lambda m, x: m.nansum(x),
    "nanmean": lambda m, x: m.nanmean(x),
    "nanmax": lambda m, x: m.nanmax(x),
    "amin": lambda m, x: m.amin(x),
    "trace": lambda m, x: m.trace(x),
    "diagonal": lambda m, x: m.sum(m.diagonal(x, 1) ** 2),
    "diag": lambda m, x: m.sum(m.diag(m.diag(x)) ** 2),
    "tril": lambda m, x: m.sum(m.tril(x) ** 2),
    "triu": lambda m, x: m.sum(m.triu(x, 1) ** 2),
    "tile": lambda m, x: m.sum(m.tile(x, 2) ** 2),
    "repeat": lambda m, x: m.sum(m.repeat(x, 2, axis=0) ** 3),
    "pad": lambda m, x: m.sum(m.pad(x, 2, mode="reflect") ** 3),
    "roll": lambda m, x: m.sum(m.roll(x, 1) * X34),
    "rot90": lambda m, x: m.sum(m.rot90(x) ** 3),
    "moveaxis": lambda m, x: m.sum(m.moveaxis(x, 0, 1)[0] ** 3),
    "flipud": lambda m, x: m.sum(m.flipud(x) * X34),
    "split": lambda m, x: m.sum(m.split(x, 2, axis=1)[1] ** 3),
    "take": lambda m, x: m.sum(m.take(x, A([1, 1, 0])) ** 2),
    "take_along_axis": lambda m, x: m.sum(m.take_along_axis(x, np.argsort(X34, 1), 1) * X34),
    "atleast_3d": lambda m, x: m.sum(m.atleast_3d(x)[..., 0] ** 3),
    "copy": lambda m, x: m.sum(m.copy(x) ** 3),
    "partition": lambda m, x: m.partition(m.ravel(x), 4)[4],
    "meshgrid": lambda m, x: m.sum(m.meshgrid(x[0], x[1, :3])[0] * m.meshgrid(x[2], x[0, :3])[1]),
    "meshgrid-ij": lambda m, x: m.sum(m.meshgrid(x[0], x[1], indexing="ij")[1] ** 3),
    "tril_indices_from": lambda m, x: m.sum(x[m.tril_indices_from(x, -1)] ** 2),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", NUMPY_ROUTE)
def test_numpy_functions_on_traced_values(name: str) -> None:
    """``np.f(x)`` on a traced value reaches ``admodes.numpy.f`` (``__array_function__``)."""
    fn = NUMPY_ROUTE[name]
    x = X34[:3, :3] if name in ("trace", "diagonal", "diag", "tril", "triu", "rot90") else X34
    expected = jax.grad(lambda x: fn(JNP, x))(x)
    for mode in MODES:
        g = ad.grad(lambda x: fn(anp, x), mode=mode)(x)
        assert_exact(ad.grad(lambda x: fn(np, x), mode=mode)(x), g)
        assert_close(g, expected)


def test_plain_integer_results_from_traced_values() -> None:
    """Index-valued functions look at primals and return NumPy's plain integer arrays."""
    seen = {}

    def f(x: Any) -> Any:
        seen["argsort"] = np.argsort(x, axis=0)
        seen["argpartition"] = anp.argpartition(x[0], 1)
        seen["nonzero"] = np.nonzero(x > 1)
        seen["searchsorted"] = anp.searchsorted(anp.sort(x[1]), 0.0)
        seen["count_nonzero"] = np.count_nonzero(x > 0, axis=1)
        seen["argmax"] = x.argmax()
        seen["unique"] = anp.unique(x, return_inverse=True)[1]
        return anp.sum(x)

    ad.grad(f)(X34)
    assert_exact(seen["argsort"], np.argsort(X34, axis=0))
    assert_exact(seen["argpartition"], np.argpartition(X34[0], 1))
    assert_exact(seen["nonzero"], np.nonzero(X34 > 1))
    assert seen["searchsorted"] == np.searchsorted(np.sort(X34[1]), 0.0)
    assert_exact(seen["count_nonzero"], np.count_nonzero(X34 > 0, axis=1))
    assert seen["argmax"] == X34.argmax()
    assert_exact(seen["unique"], np.unique(X34, return_inverse=True)[1])


# ---------------------------------------------------------------- .at updates
REPEATED = A([1, 3, 1, 1, 0])
VALUES = A([2.0, -1.0, 5.0, 0.5, 4.0])
X5 = A([0.0, 2.0, 0.5, 7.0, -1.0])


def _numpy_update(method: str, x: np.ndarray, index: Any, values: Any) -> np.ndarray:
    out = x.copy()
    if method == "set":
        out[index] = values
    else:
        ufunc = {"add": np.add, "multiply": np.multiply, "min": np.minimum, "max": np.maximum}
        ufunc[method].at(out, index, values)
    return out


UPDATE_INDICES = {
    "repeated": REPEATED,
    "slice": np.s_[1:4],
    "mask": X5 > 0.4,
    "tril": TRIL,
    "columns": (slice(None), A([0, 2, 0])),
    "separated": (A([0, 1]), slice(None), A([1, 1])),
}


@pytest.mark.parametrize("method", ["set", "add", "multiply", "min", "max"])
@pytest.mark.parametrize("where", UPDATE_INDICES)
def test_at_values_are_numpys(method: str, where: str, rng: np.random.Generator) -> None:
    """NumPy's result for every kind of index (``set``: the last of repeated writes wins)."""
    index = UPDATE_INDICES[where]
    x = {
        "tril": rng.standard_normal((4, 4)),
        "columns": X34,
        "separated": X34[:, :2, None] * V6[:2],
    }.get(where, X5)
    values = rng.standard_normal(np.shape(x[index]))
    seen = {}

    def f(x: Any) -> Any:
        seen["out"] = getattr(x.at[index], method)(values)
        return anp.sum(seen["out"])

    ad.grad(f)(x)
    # add and multiply: NumPy accumulates into x one write at a time, admodes combines the writes
    # first, so the two may round differently
    assert_close(ad.core.plain(seen["out"]), _numpy_update(method, x, index, values), rtol=1e-15)


@pytest.mark.parametrize("method", ["set", "add", "min", "max"])
def test_at_repeated_indices_as_jax(method: str) -> None:
    """Repeated indices: JAX's Jacobians (set: the last write; min/max: ties split evenly)."""
    values = VALUES.copy()
    values[2] = values[3] = X5[1] = 5.0  # a three-way tie at position 1 for max
    x = X5.copy()
    x[1] = 5.0

    def f(m: Any, x: Any, v: Any) -> Any:
        return getattr(x.at[REPEATED], method)(v)

    expected = jax.jacfwd(lambda x, v: f(JNP, x, v), (0, 1))(x, values)
    for jac in (ad.jacfwd, ad.jacrev):
        assert_close(jac(lambda x, v: f(anp, x, v), (0, 1))(x, values), expected)


@pytest.mark.parametrize("method", ["min", "max"])
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_])
def test_at_extremes_with_ties_are_jaxs_numbers(method: str, dtype: Any) -> None:
    """min/max where several writes tie with each other and with x: exactly JAX's numbers (the
    split derivative must not move the value, for integers nor by one rounding for floats)."""
    rng = np.random.default_rng(3)
    index = A([1, 1, 1, 4, 4, 1, 0])
    for _ in range(50):
        x = (rng.normal(size=6) * 10).astype(dtype)
        values = x[[1, 1, 1, 4, 4, 1, 2]]  # ties at 1 (four writes and x) and at 4 (two and x)
        got = getattr(anp.asarray(x).at[index], method)(values)
        assert_exact(got, np.asarray(getattr(jnp.asarray(x).at[index], method)(values)))


def test_at_multiply_repeated_indices_by_hand() -> None:
    """out[1] = x[1]·v0·v2·v3: the product rule over every factor (JAX refuses repeats here)."""
    x, v = A([1.0, 2.0, 3.0, 4.0]), A([2.0, 5.0, 3.0, 0.5])
    jx, jv = ad.jacrev(lambda x, v: x.at[A([1, 3, 1, 1])].multiply(v), (0, 1))(x, v)
    assert_close(jx, np.diag([1.0, 2 * 3 * 0.5, 1.0, 5.0]))
    expected_v = np.zeros((4, 4))
    expected_v[1, [0, 2, 3]] = [2.0 * 3 * 0.5, 2.0 * 2 * 0.5, 2.0 * 2 * 3]  # x1 · the others
    expected_v[3, 1] = 4.0
    assert_close(jv, expected_v)
    assert_close(ad.jacfwd(lambda x, v: x.at[A([1, 3, 1, 1])].multiply(v), (0, 1))(x, v), (jx, jv))


def test_at_index_errors() -> None:
    def traced_index(x: Any) -> Any:
        return anp.sum(x.at[x].set(1.0))

    with pytest.raises(TypeError, match="index must be a plain"):
        ad.grad(traced_index)(X5)
    with pytest.raises(ValueError, match="inplace=False"):
        anp.put_along_axis(X34, A([[0]]), 1.0, 1)
    with pytest.raises(ValueError, match="inplace=False"):
        ad.grad(lambda x: np.put_along_axis(x, A([[0]]), 1.0, 1))(X34)


# ---------------------------------------------------------------- writing into a NumPy array
def _assign_scalar(x: Any) -> Any:
    out = np.zeros(3)
    out[0] = x[0]
    return anp.sum(out)


def _assign_row(x: Any) -> Any:
    out = np.zeros((2, 3))
    out[0] = x[:3]
    return anp.sum(out)


def _assign_sequence(x: Any) -> Any:
    out = np.zeros(2)
    out[:] = [x[0], x[1]]
    return anp.sum(out)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", [_assign_scalar, _assign_row, _assign_sequence])
def test_assignment_into_numpy_array_points_to_at(fn: Callable[..., Any], mode: str) -> None:
    """admodes' advice (``.at``, ``anp.stack``), not only NumPy's "setting an array element with
    a sequence": for a 0-d value NumPy replaces admodes' error by its own and chains admodes'
    as the cause, which the traceback prints first."""
    with pytest.raises((TypeError, ValueError)) as info:
        ad.grad(fn, mode=mode)(X5)
    messages = str(info.value) + str(info.value.__cause__)
    assert "x.at[i].set(v)" in messages and "anp.stack" in messages


# ---------------------------------------------------------------- astype, float32, errors
def test_astype() -> None:
    x32 = X34.astype(np.float32)
    g = ad.grad(lambda x: anp.sum(x.astype(np.float32) ** 2))(X34)
    assert g.dtype == np.float64
    assert_close(g, np.asarray(jax.grad(lambda x: jnp.sum(x.astype(jnp.float32) ** 2))(X34),
                               dtype=np.float64), rtol=1e-6)  # fmt: skip
    for mode in MODES:
        g32 = ad.grad(lambda x: anp.sum(x.astype(np.float64) ** 3), mode=mode)(x32)
        assert g32.dtype == np.float32
        assert_close(g32, 3 * x32**2, rtol=1e-6)
    with pytest.raises(TypeError, match="float dtypes only"):
        ad.grad(lambda x: anp.sum(x.astype(np.int64)))(X34)
    assert_exact(ad.grad(lambda x: anp.sum(ad.stop_gradient(x).astype(int) * x))(X34),
                 X34.astype(int).astype(float))  # fmt: skip


FLOAT32 = {
    "sort": lambda m, x: m.sort(x, axis=0),
    "median": lambda m, x: m.median(x, axis=1),
    "quantile": lambda m, x: m.quantile(x, 0.25, axis=0),
    "var": lambda m, x: m.var(x, ddof=1),
    "std": lambda m, x: m.std(x, axis=0),
    "average": lambda m, x: m.average(x, axis=1, weights=A([1.0, 2.0, 0.5, 1.0], np.float32)),
    "cumprod": lambda m, x: m.cumprod(x),
    "prod": lambda m, x: m.prod(x, axis=0),
    "nanmean": lambda m, x: m.nanmean(x, axis=0),
    "logsumexp-b": lambda m, x: m.logsumexp(x, axis=1, b=A([1.0, 2.0, 0.0, 1.0], np.float32)),
    "pad-constant": lambda m, x: m.pad(x, 1, constant_values=1.5),
    "tril": lambda m, x: m.tril(x),
    "diag": lambda m, x: m.diag(x[0]),
    "at-set": lambda m, x: x.at[0].set(A([1.0, 2.0, 3.0, 4.0])),
    "at-max": lambda m, x: x.at[A([0, 0])].max(A([0.5, 1.5])[:, None]),
    "diff": lambda m, x: m.diff(x, 2, axis=0),
}


@pytest.mark.parametrize("name", FLOAT32)
def test_float32_stays_float32(name: str) -> None:
    fn = FLOAT32[name]
    x = X34.astype(np.float32)
    out, vjp_fn = ad.vjp(lambda x: fn(anp, x), x)
    assert np.result_type(out) == np.float32
    assert vjp_fn(np.ones(np.shape(out), np.float32))[0].dtype == np.float32
    if not name.startswith("at-"):
        assert np.asarray(fn(np if name != "logsumexp-b" else JNP, x)).dtype == np.float32


def test_bad_arguments() -> None:
    with pytest.raises(TypeError, match="out= is not supported"):
        anp.sum(X34, out=np.zeros(4))
    with pytest.raises(TypeError, match="q must be a plain"):
        ad.grad(lambda q: anp.quantile(X34, q))(0.5)
    with pytest.raises(ValueError, match="range"):
        anp.quantile(X34, 1.5)
    with pytest.raises(ValueError, match="not supported"):
        anp.quantile(X34, 0.5, method="weibull")
    with pytest.raises(NotImplementedError, match="mode='mean'"):
        anp.pad(X34, 1, mode="mean")
    with pytest.raises(ValueError, match="equal division"):
        anp.split(X34, 3, axis=1)
    with pytest.raises(ValueError, match="weights"):
        anp.average(X34, weights=A([1.0, 2.0]))
    with pytest.raises(np.exceptions.AxisError):
        anp.var(X34, axis=2)
    with pytest.raises(ValueError, match="needs initial="):
        anp.max(X34, where=X34 > 0)
    with pytest.raises(ValueError, match="must be 2-d"):
        anp.tril_indices_from(V6)
    with pytest.raises(ValueError, match="dimensions of the input must be equal"):
        anp.diag_indices_from(X34)
    with pytest.raises(ValueError, match="indexing must be 'xy' or 'ij'"):
        anp.meshgrid(V6, V6, indexing="yx")


# ---------------------------------------------------------------- where= and initial=
MASK = X34 > -0.5
MASKED_REDUCTIONS = {  # function of (m, x): NumPy's keywords, compared with NumPy and JAX
    "sum-where": lambda m, x: m.sum(x, 1, where=MASK),
    "sum-initial": lambda m, x: m.sum(x, 0, keepdims=True, initial=2.0),
    "max-where-initial": lambda m, x: m.max(x, 1, where=MASK, initial=-1.0),
    "min-initial": lambda m, x: m.min(x, 0, initial=0.3),
    "amax-where-row": lambda m, x: m.amax(x, 0, where=A([True, False, True, True]), initial=-9.0),
    "mean-where": lambda m, x: m.mean(x, 0, where=MASK),
    "prod-where-initial": lambda m, x: m.prod(x, 1, where=MASK, initial=1.5),
    "method-sum-where": lambda m, x: x.sum(axis=0, where=MASK),
    "var-where": lambda m, x: m.var(x, 1, where=MASK),
    "std-where-ddof": lambda m, x: m.std(x, 0, ddof=1, where=MASK),
    "var-where-all": lambda m, x: m.var(x, where=MASK),
}


@pytest.mark.parametrize("name", MASKED_REDUCTIONS)
def test_reductions_where_and_initial(name: str) -> None:
    fn = MASKED_REDUCTIONS[name]
    np.testing.assert_allclose(fn(anp, X34), fn(np, X34), rtol=1e-14)
    w = np.cos(np.arange(np.size(fn(np, X34)))).reshape(np.shape(fn(np, X34)))
    expected = jax.grad(lambda x: jnp.sum(fn(JNP, x) * w))(X34)
    for mode in MODES:
        assert_close(ad.grad(lambda x: anp.sum(fn(anp, x) * w), mode=mode)(X34), expected)
        assert_close(ad.grad(lambda x: np.sum(fn(np, x) * w), mode=mode)(X34), expected)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64, np.bool_])
@pytest.mark.parametrize(
    "keywords", [{"axis": 0}, {"axis": 0, "keepdims": True}, {}, {"axis": 1}], ids=str
)
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_over_an_empty_axis_give_initial(name: str, keywords: dict, dtype) -> None:
    """Over an empty axis max and min give ``initial`` in the input's dtype, as NumPy (the empty
    sums of an ∞-norm reduce so); its derivative is JAX's."""
    empty = np.zeros((0, 3), dtype)
    got, want = (
        getattr(anp, name)(empty, initial=1, **keywords),
        getattr(np, name)(empty, initial=1, **keywords),
    )
    assert type(got) is type(want) and np.shape(got) == np.shape(want)
    assert np.asarray(got).dtype == want.dtype and np.array_equal(got, want)


@pytest.mark.parametrize("dtype", [np.int64, np.int32, np.bool_, np.float32])
@pytest.mark.parametrize("name", ["max", "min"])
def test_max_and_min_with_a_mask_keep_the_input_dtype(name: str, dtype) -> None:
    """Masked entries take the dtype's own extreme, so an integer or bool input keeps its dtype
    (NumPy's value and type)."""
    x, mask = (np.arange(8) % 5).astype(dtype), np.arange(8) % 3 == 0
    got, want = (
        getattr(anp, name)(x, where=mask, initial=1),
        getattr(np, name)(x, where=mask, initial=1),
    )
    assert type(got) is type(want) and got == want


@pytest.mark.parametrize("mode", MODES)
def test_a_traced_initial_over_an_empty_axis_is_differentiated(mode: str) -> None:
    def f(m: Any) -> Any:
        return lambda c: m.sum(m.max(np.zeros((0, 3)), axis=0, initial=c) * A([1.0, 2.0, 4.0]))

    assert_close(ad.grad(f(anp), mode=mode)(0.5), jax.grad(f(JNP))(0.5))


V3, C2, C22 = A([0.0, 1.0, 2.0]), A([0.7, 0.2]), A([[0.1, 0.2], [0.3, 0.4]])
TRACED_PAD_VALUES = {  # function of (m, x, c): constant values that depend on c
    "a pair of scalars": (lambda m, x, c: m.pad(x, 2, constant_values=(c[0], c[1])), V3, C2),
    "an array pair": (lambda m, x, c: m.pad(x, (1, 2), constant_values=c), V3, C2),
    "one scalar": (lambda m, x, c: m.pad(x, 1, constant_values=c[1]), V3, C2),
    "a pair per axis": (
        lambda m, x, c: m.pad(
            x, ((1, 0), (2, 1)), constant_values=((c[0, 0], c[0, 1]), (c[1, 0], c[1, 1]))
        ),
        X34[:2, :3],
        C22,
    ),
    "an array per axis": (
        lambda m, x, c: m.pad(x, ((1, 0), (2, 1)), constant_values=c),
        X34[:2, :3],
        C22,
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", TRACED_PAD_VALUES)
def test_pad_constant_values_may_be_traced(name: str, mode: str) -> None:
    """Constant values that are traced scalars (in a tuple, or per axis) or a traced array pad as
    JAX pads, with JAX's derivatives in both the array and the values."""
    fn, x, c = TRACED_PAD_VALUES[name]
    assert_close(fn(anp, x, c), fn(JNP, x, c))

    def loss(m: Any) -> Any:
        return lambda x, c: m.sum(m.sin(fn(m, x, c)))

    assert_close(ad.grad(loss(anp), (0, 1), mode=mode)(x, c), jax.grad(loss(JNP), (0, 1))(x, c))


SOME_OUTSIDE = A([0, -1, 5, 2, -7])  # in range, negative, past the end, before the start
GATHER_MODES = {  # function of (m, x): JAX's modes of take and take_along_axis
    "take fill": lambda m, x: m.take(x, SOME_OUTSIDE, axis=1, mode="fill"),
    "take fill_value": lambda m, x: m.take(x, SOME_OUTSIDE, axis=0, mode="fill", fill_value=-2.0),
    "take flattened": lambda m, x: m.take(x, A([[1, 20], [-1, 3]]), mode="fill", fill_value=0.5),
    "take_along_axis fill": lambda m, x: m.take_along_axis(
        x, A([[0, 5], [3, -1], [4, 1]]), axis=1, mode="fill", fill_value=3.0
    ),
    "take_along_axis clip": lambda m, x: m.take_along_axis(
        x, A([[0, 5], [3, -1], [4, 1]]), axis=1, mode="clip"
    ),
    "take_along_axis fill nan": lambda m, x: m.take_along_axis(
        x, A([[0, 5, 1, 2]]), axis=0, mode="fill"
    ),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", GATHER_MODES)
def test_take_modes_of_jax(name: str, mode: str) -> None:
    """JAX's take(mode="fill", fill_value=) and take_along_axis(mode=, fill_value=): values
    (NaN by default where an index is outside) and gradients are JAX's."""
    fn, x = GATHER_MODES[name], X34[:3]
    assert_close(fn(anp, x), fn(JNP, x))

    def loss(m: Any) -> Any:
        return lambda x: m.sum(m.nan_to_num(m.sin(fn(m, x))))

    assert_close(ad.grad(loss(anp), mode=mode)(x), jax.grad(loss(JNP))(x))


# ---------------------------------------------------------------- second order, all mode pairs
SECOND_ORDER = {
    "sort": lambda m, x: m.sum(m.sort(x, axis=0) ** 3 * X34[:, :3]),
    "median": lambda m, x: m.sum(m.median(x**2, axis=0) ** 2),
    "quantile": lambda m, x: m.sum(m.quantile(m.sin(x), A([0.3, 0.7])) ** 2),
    "logsumexp-b": lambda m, x: m.logsumexp(x, b=m.abs(X34[:, :3]) + 0.1),
    "cumprod-zero": lambda m, x: m.sum(m.cumprod(m.ravel(x) * A([1, 1, 0, 1, 1, 1, 1, 1, 1.0]))),
    "var-ddof": lambda m, x: m.var(m.exp(x), axis=1, ddof=1)[2],
    "at-set": lambda m, x: m.sum(x.at[TRIL[0][:3], TRIL[1][:3]].set(x[0] ** 2) ** 2),
    "at-max": lambda m, x: m.sum(x.at[A([0, 2, 0])].max(x[1] ** 2) ** 3),
    "pad-reflect": lambda m, x: m.sum(m.pad(x, 2, mode="reflect") ** 3),
    "take_along_axis": lambda m, x: m.sum(m.take_along_axis(x, np.argsort(X34[:, :3], 0), 0) ** 3),
    "diag-trace": lambda m, x: m.trace(x @ m.diag(m.diag(x))),
    "nanmean": lambda m, x: m.nanmean(x**3),
}
PAIRS = {
    "forward-over-reverse": lambda f: ad.jacfwd(ad.jacrev(f)),
    "reverse-over-forward": lambda f: ad.jacrev(ad.jacfwd(f)),
    "forward-over-forward": lambda f: ad.jacfwd(ad.jacfwd(f)),
    "reverse-over-reverse": lambda f: ad.jacrev(ad.jacrev(f)),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_as_jax(name: str) -> None:
    fn = SECOND_ORDER[name]
    x = X34[:, :3] / 2
    expected = jax.jit(jax.hessian(lambda x: fn(JNP, x)))(x)
    for pair in PAIRS.values():
        assert_close(pair(lambda x: fn(anp, x))(x), expected)


@pytest.mark.slow
def test_hessian_and_hvp() -> None:
    fn = SECOND_ORDER["quantile"]
    x = X34[:, :3] / 2
    expected = jax.hessian(lambda x: fn(JNP, x))(x)
    assert_close(ad.hessian(lambda x: fn(anp, x))(x), expected)
    v = np.ones_like(x)
    assert_close(ad.hvp(lambda x: fn(anp, x), (x,), (v,)), np.tensordot(expected, v, 2))


# ---------------------------------------------------------------- sort ties as JAX
TIED = A([2.0, 1.0, 2.0, 3.0, 2.0, 1.0])


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("k", range(6))
def test_sort_ties_as_jax(k: int, mode: str) -> None:
    """Each tied entry keeps its own derivative in its sorted slot, in original order."""
    expected = jax.grad(lambda x: jnp.sort(x)[k])(TIED)
    assert_exact(ad.grad(lambda x: anp.sort(x)[k], mode=mode)(TIED), expected)


@pytest.mark.parametrize("fn", [
    lambda m, x: m.median(x),
    lambda m, x: m.median(x[:5]),
    lambda m, x: m.quantile(x, 0.45),
    lambda m, x: m.partition(x, 2)[2],
    lambda m, x: m.sum(m.unique(x) * A([1.0, 2.0, 3.0])),
])  # fmt: skip
@pytest.mark.slow
def test_order_statistics_ties_as_jax(fn: Callable[..., Any]) -> None:
    jfn = (
        (lambda x: jnp.sum(jnp.unique(x, size=3) * A([1.0, 2.0, 3.0])))
        if "unique" in str(fn.__code__.co_names)
        else (lambda x: fn(JNP, x))
    )
    expected = jax.grad(jfn)(TIED)
    for mode in MODES:
        assert_close(ad.grad(lambda x: fn(anp, x), mode=mode)(TIED), expected)


# ---------------------------------------------------------------- hypothesis sweeps
@st.composite
def shape_and_axis(draw: st.DrawFn) -> tuple[tuple[int, ...], Any]:
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    axes = draw(st.sampled_from([None, *range(-len(shape), len(shape))]))
    return shape, axes


def _sample_ddof(x: np.ndarray, axis: int | None) -> int:
    """ddof = 1 where at least two values are reduced; 0 otherwise (with ddof ≥ n the variance
    is 0/0, whose derivative JAX's two modes give differently: 0 forward, nan reverse)."""
    return 1 if (np.size(x) if axis is None else np.shape(x)[axis]) > 1 else 0


SWEPT = {
    "var": lambda m, x, a: m.var(x, a, ddof=_sample_ddof(x, a)),
    "std": lambda m, x, a: m.std(x, a, keepdims=True),
    "median": lambda m, x, a: m.median(x, a),
    "quantile": lambda m, x, a: m.quantile(x, A([0.1, 0.65]), a),
    "nanmean": lambda m, x, a: m.nanmean(m.where(x > 1.2, np.nan, x), a),
    "cumprod": lambda m, x, a: m.cumprod(x, a),
    "sort": lambda m, x, a: m.sort(x, a),
    "logsumexp": lambda m, x, a: m.logsumexp(
        x, a, b=np.cos(np.arange(np.size(x)).reshape(x.shape))
    ),
    "average": lambda m, x, a: m.average(
        x, a, np.ones(np.shape(x)) + np.arange(np.size(x)).reshape(np.shape(x))
    ),
    "diff": lambda m, x, a: m.diff(x, axis=-1 if a is None else a),
    "prod": lambda m, x, a: m.prod(x, a),
}


class NumpyAndScipy:
    """``numpy`` plus SciPy's ``logsumexp``: NumPy's values for the sweep's functions."""

    logsumexp = staticmethod(scipy.special.logsumexp)

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)


NP = NumpyAndScipy()


@pytest.mark.slow
@settings(max_examples=12, deadline=None)
@given(shape_and_axis(), st.sampled_from(sorted(SWEPT)), st.integers(0, 2**16))
def test_reduction_sweep(case: tuple, name: str, seed: int) -> None:
    """NumPy's values and JAX's gradient (both modes) on random shapes and axes."""
    shape, axis = case
    fn = SWEPT[name]
    x = np.random.default_rng(seed).standard_normal(shape)
    w = np.random.default_rng(seed + 1).standard_normal(np.shape(fn(NP, x, axis)))
    np.testing.assert_allclose(fn(anp, x, axis), fn(NP, x, axis), rtol=1e-12, atol=1e-12)
    expected = jax.grad(lambda x: jnp.sum(jnp.nan_to_num(fn(JNP, x, axis)) * w))(x)
    for mode in MODES:
        g = ad.grad(lambda x: anp.sum(anp.nan_to_num(fn(anp, x, axis)) * w), mode=mode)(x)
        assert_close(g, expected)


# ---------------------------------------------------------------- NumPy 2 arguments, as JAX
NUMPY2 = {  # function of (m, x), x of shape (3, 4): values and Jacobians against JAX
    "concatenate-axis-none": lambda m, x: m.concatenate([x, 2.0 * x[:2]], axis=None),
    "expand_dims-tuple": lambda m, x: m.expand_dims(x, (0, 2)),
    "expand_dims-negative-tuple": lambda m, x: m.expand_dims(x, (-1, 0)),
    "hstack-0d": lambda m, x: m.hstack([x[0, 0], x[1, 2]]),
    "reshape-shape=": lambda m, x: m.reshape(x, shape=(4, 3)),
    "reshape-order-F": lambda m, x: m.reshape(x, (2, -1), order="F"),
    "reshape-method-order-F": lambda m, x: x.reshape(6, 2, order="F"),
    "ravel-order-F": lambda m, x: m.ravel(x, order="F"),
    "transpose-negative-axes": lambda m, x: m.transpose(x[None], (2, 0, -2)),
    "swapaxes-negative": lambda m, x: m.swapaxes(x[None], -1, 0),
    "tensordot-negative-axes": lambda m, x: m.tensordot(x, x, axes=([-1], [1])),
    "clip-min-max": lambda m, x: m.clip(x, min=-0.5, max=1.0),
    "clip-method-min": lambda m, x: x.clip(min=0.2),
    "round-method": lambda m, x: x.round(1) * x,
    "sort-descending": lambda m, x: m.sort(x, axis=0, descending=True),
    "sort-descending-ties": lambda m, x: m.sort(m.concatenate([x[0], x[0]]), descending=True),
    "var-correction": lambda m, x: m.var(x, axis=1, correction=1),
    "std-correction": lambda m, x: m.std(x, correction=1.5),
    "full-traced": lambda m, x: m.full((2, 3), x[0, 1]),
    "full_like-traced": lambda m, x: m.full_like(x, x[1, 1]),
    "linspace-traced": lambda m, x: m.linspace(x[0, 0], x[1, 1], 5),
    "linspace-vectors-axis": lambda m, x: m.linspace(x[0], x[1], 3, endpoint=False, axis=1),
    "linspace-retstep": lambda m, x: m.linspace(x[0, 0], 2.0, 4, retstep=True),
    "at-chain-from-constant": lambda m, x: m.zeros(4).at[0].set(x[0, 0]).at[1:].add(x[1, 1]),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NUMPY2)
def test_numpy2_arguments_as_jax(name: str, mode: str) -> None:
    fn = NUMPY2[name]
    jacobian = ad.jacrev if mode == "reverse" else ad.jacfwd
    assert_close(fn(anp, X34), fn(JNP, X34))
    assert_close(jacobian(lambda x: fn(anp, x))(X34), jax.jacfwd(lambda x: fn(JNP, x))(X34))


def test_np_concatenate_axis_none_on_traced_values() -> None:
    """``np.concatenate(..., axis=None)`` reaches ``anp.concatenate``: flattened first."""
    expected = jax.grad(lambda x: jnp.sum(jnp.concatenate([x, x], axis=None)[1:7] ** 2))(X34)
    for mode in MODES:
        g = ad.grad(lambda x: anp.sum(np.concatenate([x, x], axis=None)[1:7] ** 2), mode=mode)
        assert_close(g(X34), expected)


def test_np_linspace_on_traced_values() -> None:
    expected = jax.grad(lambda s: jnp.sum(jnp.linspace(s, 1.0, 3) ** 2))(0.3)
    for mode in MODES:
        assert_close(ad.grad(lambda s: anp.sum(np.linspace(s, 1.0, 3) ** 2), mode=mode)(0.3),
                     expected)  # fmt: skip


# ---------------------------------------------------------------- constants keep .at
AT_ON_CONSTANTS = {  # function of m: a constant array, updated (JAX's values)
    "chain": lambda m: m.zeros(3).at[0].set(1.0).at[1].set(2.0),
    "chain-add-max": lambda m: m.ones((2, 2)).at[0, 1].add(3.0).at[:, 0].max(A([0.5, 2.0])),
    "stack": lambda m: m.stack([m.ones(2), m.zeros(2)]).at[0].set(5.0),
    "concatenate": lambda m: m.concatenate([m.ones(2), m.zeros(1)]).at[-1].set(5.0),
    "hstack": lambda m: m.hstack([m.ones(2), m.zeros(1)]).at[0].multiply(3.0),
    "where": lambda m: m.where(A([True, False]), m.ones(2), 0.0).at[1].set(4.0),
    "broadcast_to": lambda m: m.broadcast_to(m.arange(3.0), (2, 3)).at[1, 1].set(7.0),
    "arange-int-set": lambda m: m.arange(3).at[0].set(2),
    "arange-int-add": lambda m: m.arange(4).at[A([1, 1])].add(3).at[0].min(-1),
    "linspace": lambda m: m.linspace(0.0, 1.0, 3).at[1].set(0.0),
    "full": lambda m: m.full((2,), 3.0).at[1].set(0.0),
}


@pytest.mark.parametrize("name", AT_ON_CONSTANTS)
def test_at_updates_of_constants_chain_as_jax(name: str) -> None:
    """An ``anp.Array`` (a constant from ``anp.zeros`` and the like) keeps ``.at`` through its
    updates and through ``stack``/``concatenate``/``where``/``broadcast_to``, and its dtype."""
    actual = AT_ON_CONSTANTS[name](anp)
    assert isinstance(actual, anp.Array)
    assert_close(actual, AT_ON_CONSTANTS[name](jnp))


def test_at_update_of_an_integer_constant_keeps_its_dtype() -> None:
    """JAX converts the values to the array's dtype: 2.7 written into an int array is 2."""
    actual = anp.arange(3).at[0].set(2.7)
    assert actual.dtype == np.arange(3).dtype
    assert_exact(actual, A([2, 1, 2]))
    assert_exact(anp.zeros(2, bool).at[1].set(1.0), A([False, True]))


def test_at_divide_of_integers_gives_jaxs_floats() -> None:
    """JAX divides an integer array truly (the values converted to its dtype first)."""
    for values in (2, 2.5, A([2, -4, 3])):
        ours = anp.arange(-3, 3).at[A([0, 2, 5])].divide(values)
        theirs = jnp.arange(-3, 3).at[A([0, 2, 5])].divide(values)
        assert ours.dtype == theirs.dtype
        assert_exact(ours, np.asarray(theirs))


@pytest.mark.parametrize("method", ["max", "min"])
def test_at_extremes_pass_the_derivative_of_infinite_and_nan_results_as_jax(method: str) -> None:
    """An infinite or NaN entry, written or not, keeps its derivative (the segment-max pattern
    starts from −inf)."""
    x = A([np.inf, 1.0, 2.0, -np.inf, np.nan, -np.inf])
    index, values = A([1, 5, 5]), A([5.0, -np.inf, 3.0])

    def f(m: Any) -> Callable[[Any, Any], Any]:
        return lambda a, v: getattr(m.asarray(a).at[index], method)(v)

    want = [np.asarray(j) for j in jax.jacfwd(f(jnp), (0, 1))(x, values)]
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(list(transform(f(anp), (0, 1))(x, values)), want)

    def scattered(lax: Any) -> Callable[[Any], Any]:  # lax.scatter_max of an infinite update
        numbers = lax.ScatterDimensionNumbers((), (0,), (0,))
        scatter = getattr(lax, f"scatter_{method}")
        return lambda b: lax.reduce_sum(scatter(np.zeros(3), A([[1]]), b, numbers), (0,))

    expected = np.asarray(jax.grad(scattered(jax.lax))(A([np.inf])))
    for mode in MODES:
        assert_close(ad.grad(scattered(alax), mode=mode)(A([np.inf])), expected)


def test_at_get_converts_its_fill_value_and_refuses_an_array_as_jax() -> None:
    ours = anp.arange(5).at[A([1, 9])].get(mode="fill", fill_value=2.7)
    theirs = jnp.arange(5).at[A([1, 9])].get(mode="fill", fill_value=2.7)
    assert ours.dtype == theirs.dtype
    assert_exact(ours, np.asarray(theirs))
    for m in (anp, jnp):
        with pytest.raises(ValueError, match="must be a scalar"):
            m.arange(5.0).at[A([1, 9])].get(mode="fill", fill_value=A([7.0, 8.0]))


# ---------------------------------------------------------------- JAX's other .at methods, modes
X345 = np.linspace(0.5, 2.5, 60).reshape(3, 4, 5)
#: Indices with entries outside their axis (7, −4, 9) beside slices, a mask and a new axis.
OUTSIDE = {
    "vector": (A([0, 7, -1, 2, -4, 0]),),
    "array and slice": (A([0, 7, -1]), slice(1, None), A([2, 9, 4])),
    "reversed slice": (slice(None, None, -1), A([1, 4]), 3),
    "mask and array": (A([True, False, True]), slice(None), A([6, 0])),
    "scalar outside": (1, 2, 8),
    "empty reversed slices": (slice(-5, None, -1), A([1, 7]), slice(-9, 2, -1)),
}
UPDATES = ("set", "add", "subtract", "multiply", "divide", "power", "min", "max")


def _updated(m: Any, x: Any, index: tuple, method: str, **options: Any) -> Any:
    """x.at[index].method(v) with v the shape of x[index] (its entries 0.5 to 1.5)."""
    gathered = np.asarray(jnp.asarray(X345).at[index].get(mode="fill"))
    values = np.linspace(0.5, 1.5, gathered.size).reshape(gathered.shape)
    return getattr(m.asarray(x).at[index], method)(values, **options)


@pytest.mark.parametrize("mode", ["clip", "drop", "fill"])
@pytest.mark.parametrize("method", UPDATES)
@pytest.mark.parametrize("where", OUTSIDE)
def test_at_modes_outside_the_axis_as_jax(where: str, method: str, mode: str) -> None:
    """An index outside its axis, clamped or dropped by ``mode``: JAX's values, and JAX's
    Jacobian in x in both modes (divide and power of repeated writes: JAX has none)."""
    index = OUTSIDE[where]

    def f(m: Any) -> Callable[[Any], Any]:
        return lambda x: _updated(m, x, index, method, mode=mode)

    want = np.asarray(f(jnp)(jnp.asarray(X345)))
    assert_close(f(anp)(X345), want)
    if mode == "clip" and method in ("divide", "power", "multiply", "min", "max"):
        return  # clamped writes repeat: JAX's scatter_mul has no derivative, its max gives nan
    jac = np.asarray(jax.jacfwd(f(jnp))(X345))
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(transform(f(anp))(X345), jac)


@pytest.mark.parametrize("where", OUTSIDE)
def test_at_get_modes_as_jax(where: str) -> None:
    index = OUTSIDE[where]
    for options in ({"mode": "clip"}, {"mode": "fill"}, {"mode": "fill", "fill_value": -3.0}):

        def get(m: Any, x: Any, options: dict = options) -> Any:
            return m.asarray(x).at[index].get(**options)

        assert_exact(get(anp, X345), get(jnp, X345))
        want = np.asarray(jax.jacfwd(lambda x: get(jnp, x))(X345))
        for transform in (ad.jacfwd, ad.jacrev):
            assert_close(transform(lambda x: get(anp, x))(X345), want)
    integers = np.arange(60).reshape(3, 4, 5)
    assert_exact(
        anp.asarray(integers).at[index].get(mode="fill"),
        jnp.asarray(integers).at[index].get(mode="fill"),
    )


def test_at_negative_indices_unwrapped_as_jax() -> None:
    index = (A([0, -1, 2]),)
    for method in ("add", "set"):
        got = getattr(anp.asarray(X5).at[index], method)(
            VALUES[:3], mode="drop", wrap_negative_indices=False
        )
        want = getattr(jnp.asarray(X5).at[index], method)(VALUES[:3], wrap_negative_indices=False)
        assert_exact(got, want)


@pytest.mark.parametrize("method", ["subtract", "mul", "divide", "power"])
def test_at_arithmetic_methods_with_repeats_as_jax(method: str) -> None:
    """Repeated indices: JAX's values; the Jacobian: JAX's (subtract) or, where JAX's
    scatter_mul has none (mul, divide, power), central differences."""

    def f(m: Any) -> Callable[[Any, Any], Any]:
        return lambda x, v: getattr(m.asarray(x).at[REPEATED], method)(v)

    x = np.abs(X5) + 0.5
    assert_close(f(anp)(x, VALUES), np.asarray(f(jnp)(x, VALUES)))
    jacobians = [transform(f(anp), (0, 1))(x, VALUES) for transform in (ad.jacfwd, ad.jacrev)]
    if method == "subtract":
        want = jax.jacfwd(f(jnp), (0, 1))(x, VALUES)
        for jac in jacobians:
            assert_close(jac, tuple(np.asarray(w) for w in want))
        return
    step = 1e-6
    for k, primal in enumerate((x, VALUES)):
        for j in range(primal.size):
            e = np.zeros_like(primal)
            e[j] = step
            plus = (x + e, VALUES) if k == 0 else (x, VALUES + e)
            minus = (x - e, VALUES) if k == 0 else (x, VALUES - e)
            central = (f(anp)(*plus) - f(anp)(*minus)) / (2 * step)
            for jac in jacobians:
                np.testing.assert_allclose(jac[k][:, j], central, rtol=1e-7, atol=1e-8)


def test_at_apply_applies_once_per_repeat() -> None:
    """apply(sin) at [1, 3, 1, 1, 0]: sin∘sin∘sin at 1, sin at 3 and 0 (JAX's values; JAX has no
    derivative of apply: the chain rule by hand)."""
    got = anp.asarray(X5).at[REPEATED].apply(anp.sin)
    assert_exact(got, jnp.asarray(X5).at[REPEATED].apply(jnp.sin))
    jac = ad.jacrev(lambda x: x.at[REPEATED].apply(anp.sin))(X5)
    s1, s2 = np.sin(X5[1]), np.sin(np.sin(X5[1]))
    want = np.diag(
        [np.cos(X5[0]), np.cos(s2) * np.cos(s1) * np.cos(X5[1]), 1.0, np.cos(X5[3]), 1.0]
    )
    assert_close(jac, want)
    assert_close(ad.jacfwd(lambda x: x.at[REPEATED].apply(anp.sin))(X5), want)


def test_at_keyword_errors() -> None:
    with pytest.raises(IndexError, match=r"mode='clip'.*mode='drop'"):
        anp.asarray(X5).at[A([0, 9])].add(1.0)
    with pytest.raises(IndexError, match="outside axis 0"):
        anp.asarray(X5).at[A([0, -1])].get(wrap_negative_indices=False)
    with pytest.raises(TypeError, match="unexpected keyword"):
        anp.asarray(X5).at[0].set(1.0, out_of_range="drop")
    with pytest.raises(ValueError, match="mode must be one of"):
        anp.asarray(X5).at[0].set(1.0, mode="wrap")
    # JAX's derivative of a clamped max is nan where x loses; the rule's is 0 (by hand):
    clamped = ad.jacrev(
        lambda x: anp.asarray(x).at[A([0, 7, -4, 0])].max(A([0.2, 3.0, 0.9, 0.1]), mode="clip")
    )
    assert_exact(clamped(A([0.5, 1.0, 2.0])), np.diag([0.0, 1.0, 0.0]))
    # per-index ids under vmap, resolved per index (vmap calls the function once per index)
    both = (X5 * A([[1.0], [2.0]]), A([[0, 1], [2, 9]]))
    for mode in ("drop", "clip"):
        mapped = ad.vmap(lambda x, i, mode=mode: anp.asarray(x).at[i].add(1.0, mode=mode))
        want = jax.vmap(lambda x, i, mode=mode: x.at[i].add(1.0, mode=mode))(*both)
        assert_exact(mapped(*both), want)
    read = ad.vmap(lambda x, i: anp.asarray(x).at[i].get(mode="fill", fill_value=-1.0))
    assert_exact(
        read(*both), jax.vmap(lambda x, i: x.at[i].get(mode="fill", fill_value=-1.0))(*both)
    )
    # promises change nothing
    assert_exact(
        anp.asarray(X5).at[REPEATED].add(VALUES, indices_are_sorted=True, unique_indices=True),
        anp.asarray(X5).at[REPEATED].add(VALUES),
    )
