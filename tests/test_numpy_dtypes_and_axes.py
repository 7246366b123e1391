"""Dtypes and axis orders of ``admodes.numpy``'s composites against JAX (and NumPy, where JAX's
dtype rule is its own): small integers and bools that must not wrap, results in the float dtype
NumPy and JAX compute them in, axes kept in the order given, and JAX's keywords (``size=`` on
the ``unique_*`` functions, ``where=``/``mean=`` on ``nanvar``/``nanstd``) with JAX's values and
derivatives by both modes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import (
    JNP,
    RTOL_F32,
    assert_close,
    assert_exact,
    assert_gradients_match_jax,
    assert_takes_jaxs_parameters,
    both,
)

import admodes as ad
import admodes.numpy as anp

SQUARES = np.arange(15.0).reshape(3, 5) ** 2
BYTES = np.array([200, 10, 250, 3], np.uint8)  # sums and differences wrap in uint8
FLAGS = np.array([True, False, True])
X = np.random.default_rng(0).standard_normal((3, 5))
UNIQUE_FUNCTIONS = ("unique_values", "unique_counts", "unique_inverse", "unique_all")


# ------------------------------------------------------------------------------ axis order
ROWS, COLUMNS = np.array([0.0, 1.0, 3.0]), np.array([0.0, 0.5, 1.0, 2.0, 4.0])


@pytest.mark.parametrize(
    ("axis", "spacing"),
    [
        ((1, 0), ()),
        ((1, 0), (0.5, 2.0)),
        ((-1, 0), (COLUMNS, ROWS)),
        ((1, 0), (COLUMNS, 2.0)),
        ((0, 1), (ROWS, 0.5)),
        (1, (COLUMNS,)),
    ],
)
def test_gradient_keeps_the_order_of_axis(axis: Any, spacing: tuple) -> None:
    """One slope per axis in the order ``axis`` gives, each with the spacing given in its place
    (a step or the axis's coordinates): values and derivatives JAX's."""

    def slopes(m: Any, f: Any) -> Any:
        found = m.gradient(f, *spacing, axis=axis)  # one array for one axis
        return m.stack(found if isinstance(found, list | tuple) else [found])

    assert_gradients_match_jax([both(slopes)], (SQUARES,))


# ------------------------------------------------------------------ small integers and bools
#: name -> fn(m): computed on small integers or bools, whose sums and differences would wrap
#: (or, for bools, saturate) in their own dtype.
ON_INTEGERS: dict[str, Callable[[Any], Any]] = {
    "median-uint8": lambda m: m.median(np.array([200, 250, 100], np.uint8)),
    "median-bool": lambda m: m.median(FLAGS),
    "median-even-bool": lambda m: m.median(FLAGS[:2]),
    "nanmedian-uint8": lambda m: m.nanmedian(np.array([200, 250, 100, 90], np.uint8)),
    "quantile-midpoint-int8": lambda m: m.quantile(
        np.array([100, 120], np.int8), 0.5, method="midpoint"
    ),
    "interp-uint8": lambda m: m.interp(np.array([0.5, 2.0]), np.array([0.0, 1.0, 3.0]), BYTES[:3]),
    "gradient-uint8": lambda m: m.gradient(BYTES),
    "average-uint8": lambda m: m.average(BYTES, weights=BYTES),
    "average-returned-int": lambda m: m.average(
        np.arange(4), weights=np.array([1, 2, 3, 4]), returned=True
    ),
    "average-returned-uint8": lambda m: m.average(BYTES, weights=BYTES, returned=True),
    "cumprod-bool": lambda m: m.cumprod(FLAGS),
    "nancumprod-bool": lambda m: m.nancumprod(FLAGS),
    "cumulative_prod-bool": lambda m: m.cumulative_prod(FLAGS, include_initial=True),
    "float_power-complex": lambda m: m.float_power(np.array([2 + 1j, -0.5j]), 2),
}


@pytest.mark.parametrize("name", ON_INTEGERS)
def test_small_integers_do_not_wrap(name: str) -> None:
    """Values JAX's (which computes integers narrower than 64 bits in float32: to its
    precision), values and dtypes NumPy's (float64 for integers, as admodes computes them)."""
    fn = ON_INTEGERS[name]
    got, want = fn(anp), jax.tree.map(np.asarray, fn(JNP))
    assert_close(got, fn(np))
    assert_close(got, jax.tree.map(lambda g, w: w.astype(np.asarray(g).dtype), got, want), RTOL_F32)


@pytest.mark.parametrize("dtype", [np.int8, np.uint8, np.int32, np.uint32, np.int64, np.bool_])
def test_floats_convert_to_integers_as_xla(dtype: Any) -> None:
    """astype of floats to integers truncates and saturates, nan → 0, as XLA converts (NumPy's
    cast leaves values outside the type undefined), for arrays, scalars and under vmap."""
    x = np.array([np.nan, np.inf, -np.inf, 1e20, -1.5, 300.7, -1e20, 2.0**63, 2.0**31, -0.9])
    want = np.asarray(jnp.asarray(x).astype(dtype))
    mapped = ad.vmap(lambda v: anp.astype(v, dtype))(x)
    for got in (anp.astype(x, dtype), anp.asarray(x).astype(dtype), mapped):
        assert np.asarray(got).dtype == want.dtype
        np.testing.assert_array_equal(got, want)
    assert anp.astype(np.float64(-1e20), dtype) == want[6]


def test_cumprod_promotes_integers_as_cumsum() -> None:
    """Integers multiply in the platform integer, as ``cumsum`` adds them (NumPy's promotion;
    JAX keeps uint8 for both, and makes bools int64, as NumPy)."""
    for x in (BYTES[:2], FLAGS, np.array([100, 3], np.int8)):
        assert_exact(anp.cumprod(x), np.cumprod(x))
        assert anp.cumprod(x).dtype == np.cumprod(x).dtype == anp.cumsum(x).dtype
    assert anp.cumprod(FLAGS).dtype == jnp.cumprod(FLAGS).dtype


def test_float_power_of_complex_is_complex128() -> None:
    """complex64 in, complex128 out: NumPy's (JAX keeps complex64)."""
    x = np.array([2 + 1j, -0.5j], np.complex64)
    assert_close(anp.float_power(x, 2), np.float_power(x, 2))


def test_average_of_integers_differentiates_in_float_weights() -> None:
    """Integer data with float weights: float64 throughout, derivatives JAX's."""
    data = BYTES.astype(np.int64)
    pairs = [both(lambda m, w: m.stack(m.average(data, weights=w, returned=True)))]
    assert_gradients_match_jax(pairs, (np.array([0.5, 1.0, 2.0, 0.25]),))


# ------------------------------------------------------------------------------ bincount
def test_bincount_of_bools_counts_them_as_0_and_1() -> None:
    assert_exact(anp.bincount(FLAGS), jnp.bincount(FLAGS))
    assert anp.bincount(FLAGS).dtype == np.bincount(FLAGS).dtype
    pairs = [both(lambda m, w: m.bincount(FLAGS, weights=w, length=3))]
    assert_gradients_match_jax(pairs, (np.array([0.5, 2.0, -1.0]),))


@pytest.mark.parametrize("dtype", [np.int32, np.int64, np.uint8])
def test_bincount_keeps_integer_weights_dtype_as_jax(dtype: Any) -> None:
    x, weights = np.array([0, 1, 1, 3, 7]), np.array([1, 2, 3, 4, 5], dtype)
    for kwargs in ({}, {"length": 4}):
        got = anp.bincount(x, weights, **kwargs)
        want = jnp.bincount(x, weights, **kwargs)
        assert_exact(got, want)
        assert got.dtype == want.dtype


@pytest.mark.parametrize("name", ["nanvar", "nanstd", *UNIQUE_FUNCTIONS])
def test_takes_jaxs_parameters(name: str) -> None:
    assert_takes_jaxs_parameters(getattr(anp, name), getattr(jnp, name))


# ------------------------------------------------------------------------------ nanvar where=
NAN_X = np.where(np.arange(15).reshape(3, 5) % 4 == 1, np.nan, X)
MARKED = np.array(
    [
        [True, True, False, True, True],
        [False, True, True, False, True],
        [True, True, True, True, False],
    ]
)


@pytest.mark.parametrize("name", ["nanvar", "nanstd"])
def test_nanvar_and_nanstd_take_where_and_mean_as_jax(name: str) -> None:
    """The entries ``where`` marks (NaNs left out), and a mean given with ``mean=``: JAX's
    values, and derivatives by both modes (none to NaN or unmarked entries)."""

    def fn(**kwargs: Any) -> Callable[..., Any]:
        return lambda m, x: getattr(m, name)(x, **kwargs)

    given_mean = lambda m, x: getattr(m, name)(
        x, axis=1, ddof=1, mean=m.nanmean(x, axis=1, keepdims=True)
    )
    pairs = [
        both(fn(axis=1, where=MARKED)),
        both(fn(axis=0, ddof=1, keepdims=True, where=MARKED)),
        both(fn(where=MARKED[0])),
        both(given_mean),
    ]
    assert_gradients_match_jax(pairs, (NAN_X,))


# ------------------------------------------------------------------------------ unique_*
UNIQUE_INPUT = np.array([[3.0, 1.0, 2.0], [3.0, 5.0, 1.0]])


@pytest.mark.parametrize("sizes", [{}, {"size": 2}, {"size": 6}, {"size": 6, "fill_value": -1.0}])
@pytest.mark.parametrize("name", UNIQUE_FUNCTIONS)
def test_unique_functions_take_size_as_jax(name: str, sizes: dict) -> None:
    """``size=``/``fill_value=``: JAX's values, indices, inverse (of x's shape) and counts, cut
    or padded, with their field names and dtypes; the values differentiate as JAX's (which, for
    the one compiled program of the reference, needs a size)."""
    got = getattr(anp, name)(UNIQUE_INPUT, **sizes)
    want = getattr(jnp, name)(UNIQUE_INPUT, **sizes)
    assert getattr(got, "_fields", None) == getattr(want, "_fields", None)
    assert_close(tuple(jax.tree.leaves(got)), tuple(np.asarray(w) for w in jax.tree.leaves(want)))

    def values(m: Any, x: Any) -> Any:
        found = getattr(m, name)(x, **sizes)
        return found if name == "unique_values" else found.values

    if sizes:
        assert_gradients_match_jax([both(values)], (UNIQUE_INPUT,))


@pytest.mark.parametrize("mode", ["jvp", "nested"])
def test_a_python_float_meeting_a_float32_scalar_has_float32_tangents(mode: str) -> None:
    """x + np.float32(1.5) is float32 (NumPy's and JAX's weak Python float): its tangent is too,
    made from the Python float tangent of x."""
    if mode == "jvp":

        def f(xp: Any, x: Any) -> Any:
            return x * x + np.float32(1.5)

    else:

        def f(xp: Any, x: Any) -> Any:
            return xp.grad(lambda v: 3.0 * v * v)(x + np.float32(1.5))

    ours = ad.jvp(lambda x: f(ad, x), (0.7,), (1.0,))
    theirs = jax.jvp(lambda x: f(jax, x), (0.7,), (1.0,))
    for a, b in zip(ours, theirs, strict=True):
        assert np.asarray(a).dtype == np.float32 == b.dtype
        np.testing.assert_allclose(a, b, rtol=1e-6)
