"""admodes.lax's shape, slicing and indexing operations against jax.lax: values and gradients
by both modes (float64, one compiled JAX program per group of functions), second derivatives,
JAX's conventions by hand (clamped start indices, negative and interior padding, out-of-bounds
gathers and scatters), integer and bool operands, and the errors for bad input.

Each case is one function body ``f(L, *args)`` run with ``L`` = admodes' module and with
``L`` = ``jax.lax``, so both sides make the same call."""

from __future__ import annotations

import zlib
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, assert_close, assert_exact, assert_gradients_match_jax

import admodes as ad
import admodes.numpy as anp
from admodes.lax import slicing


def R(*shape: int, seed: str = "") -> np.ndarray:
    """Standard normal float64 values (fixed seed per shape and tag)."""
    return np.random.default_rng(zlib.crc32(f"{shape}{seed}".encode())).standard_normal(shape)


X = R(3, 4, 5)
U = R(2, 4, 5, seed="updates")
MASK = R(3, 4, seed="mask") > 0
WHICH = np.array([[0, 1, 2, 2], [1, 2, 1, 0], [2, 0, 2, 1]])  # a case of three per entry


def assert_values(actual: Any, expected: Any) -> None:
    """``actual`` equals the numbers ``expected`` (nested lists) entry by entry (nan = nan)."""
    assert_exact(actual, np.asarray(expected))


def assert_matches_jax_forward_mode(f: Any, x: np.ndarray) -> None:
    """``f(L, x)``'s value equals JAX's, and its weighted sum's gradient by both modes equals
    JAX's forward mode (where JAX's reverse mode disagrees: an implementation-defined input)."""
    value = np.asarray(jax.jit(partial(f, jax.lax))(x))
    w = np.linspace(1.0, 2.0, value.size).reshape(value.shape)
    expected = jax.jit(jax.jacfwd(lambda x: jnp.sum(f(jax.lax, x) * w)))(x)
    assert_close(f(slicing, x), value)
    for mode in MODES:
        got = ad.grad(lambda x: anp.sum(f(slicing, x) * w), mode=mode)(x)
        assert_close(got, np.asarray(expected))


def pairs(cases: dict[str, Any]) -> list[tuple[Any, Any]]:
    """(admodes function, JAX function) for each body ``f(L, *args)``."""
    return [(partial(f, slicing), partial(f, jax.lax)) for f in cases.values()]


def _gdn(L: Any, *fields: tuple[int, ...]) -> Any:
    return L.GatherDimensionNumbers(*fields)


def _sdn(L: Any, *fields: tuple[int, ...]) -> Any:
    return L.ScatterDimensionNumbers(*fields)


#: index vectors (row, column) into the first two axes of X; the last two out of bounds
GATHER_IDX = np.array([[0, 1], [2, 3], [1, -1], [5, 2]])
#: (batch 2, indices batching axis 1 of length 3): column indices into axis 1 of X
BATCHED_IDX = np.array([[[0], [3], [2]], [[1], [1], [0]]])

# ---------------------------------------------------------------------------- one operand
SINGLE: dict[str, Any] = {
    "broadcast": lambda L, x: L.broadcast(x, (2,)),
    "broadcast_in_dim": lambda L, x: L.broadcast_in_dim(x[:, :1, 0], (3, 2, 4), (0, 1)),
    "broadcast_to_rank": lambda L, x: L.broadcast_to_rank(x, 5),
    "collapse": lambda L, x: L.collapse(x, 1),
    "collapse-range": lambda L, x: L.collapse(x, 0, -1),
    "expand_dims": lambda L, x: L.expand_dims(x, (0, -1)),
    "reshape": lambda L, x: L.reshape(x, (60,)),
    "reshape-dimensions": lambda L, x: L.reshape(x, (5, 12), (2, 0, 1)),
    "transpose": lambda L, x: L.transpose(x, (2, 0, 1)),
    "rev": lambda L, x: L.rev(x, (0, 2)),
    "squeeze": lambda L, x: L.squeeze(L.slice_in_dim(x, 1, 2, axis=1), (-2,)),
    "slice-strided": lambda L, x: L.slice(x, (0, 1, 0), (3, 4, 5), (2, 2, 3)),
    "slice": lambda L, x: L.slice(x, (1, 0, 2), (3, 3, 5)),
    "slice_in_dim": lambda L, x: L.slice_in_dim(x, -3, None, 2, 1),
    "index_in_dim": lambda L, x: L.index_in_dim(x, -1, 2, False),
    "index_in_dim-keepdims": lambda L, x: L.index_in_dim(x, 1),
    "dynamic_slice-clamped": lambda L, x: L.dynamic_slice(x, (2, -1, -9), (2, 2, 3)),
    "dynamic_slice-array": lambda L, x: L.dynamic_slice(x, np.array([1, 2, 0]), (2, 2, 5)),
    "dynamic_slice_in_dim": lambda L, x: L.dynamic_slice_in_dim(x, 3, 2, -1),
    "dynamic_index_in_dim": lambda L, x: L.dynamic_index_in_dim(x, -1, 1, False),
    "dynamic_index_in_dim-clamped": lambda L, x: L.dynamic_index_in_dim(x, 7),
    "tile": lambda L, x: L.tile(x, (1, 2, 2)),
    "concatenate": lambda L, x: L.concatenate([x, 2.0 * x, x * x], 1),
    "split": lambda L, x: L.concatenate(
        [p * (k + 1.0) for k, p in enumerate(L.split(x, (1, 0, 3), 1))], 1
    ),
    "stack": lambda L, x: L.stack([x, x * x], -1),
    "unstack": lambda L, x: L.stack([u * (k + 1.0) for k, u in enumerate(L.unstack(x, -1))]),
    "pad": lambda L, x: L.pad(x, 0.5, [(1, -2, 1), (-1, 2, 0), (0, 0, 2)]),
    "pad-crop-into-interior": lambda L, x: L.pad(x, -1.5, [(-3, -2, 1), (0, 0, 0), (2, -4, 1)]),
    "index_take": lambda L, x: L.index_take(x, (np.array([0, 1, -1]), np.array([5, 1, 2])), (0, 2)),
    "gather-default": lambda L, x: L.gather(
        x, GATHER_IDX % 3, _gdn(L, (1,), (0, 1), (0, 1)), (1, 1, 5)
    ),
    "gather-clip-window": lambda L, x: L.gather(
        x, GATHER_IDX, _gdn(L, (1, 2), (0,), (0, 1)), (1, 3, 2), mode="clip"
    ),
    "gather-fill": lambda L, x: L.gather(
        x, GATHER_IDX, _gdn(L, (1,), (0, 1), (0, 1)), (1, 1, 5), mode="fill", fill_value=0.5
    ),
    "gather-offset-dims-first": lambda L, x: L.gather(
        x, GATHER_IDX[:3, ::-1] % 3, _gdn(L, (0, 2), (1,), (1, 0)), (2, 1, 3), mode="clip"
    ),
    "gather-batching": lambda L, x: L.gather(
        x, BATCHED_IDX, _gdn(L, (2,), (1,), (1,), (0,), (1,)), (1, 1, 5)
    ),
}


#: broadcast_in_dim with dimensions out of order (it also transposes) -> the same with the operand
#: transposed and the dimensions in order: JAX's own reverse mode fails on the former.
UNSORTED: dict[str, tuple[Any, Any]] = {
    "transposing": (
        lambda L, x: L.broadcast_in_dim(x[0], (5, 2, 4), (2, 0)),
        lambda x: jax.lax.broadcast_in_dim(x[0].T, (5, 2, 4), (0, 2)),
    ),
    "transposing-stretch": (
        lambda L, x: L.broadcast_in_dim(x[:, :1, 0], (4, 2, 3), (2, 1)),
        lambda x: jax.lax.broadcast_in_dim(x[:, :1, 0].T, (4, 2, 3), (1, 2)),
    ),
}


def test_one_operand_functions_match_jax() -> None:
    unsorted = [(partial(f, slicing), same) for f, same in UNSORTED.values()]
    assert_gradients_match_jax(pairs(SINGLE) + unsorted, (X,))


def test_unsorted_broadcast_dimensions_give_jax_values() -> None:
    for f, _ in UNSORTED.values():
        assert_close(f(slicing, X), np.asarray(f(jax.lax, X)))


# ---------------------------------------------------------------------------- operand, update
SCATTER_IDX = np.array([[0, 1], [2, 3], [1, 0]])  # (row, column) of X, unique
DUP_IDX = np.array([[0, 1], [2, 3], [0, 1], [1, 0]])  # (0, 1) twice
OOB_IDX = np.array([[0, 1], [3, 3], [1, -1], [2, 0]])  # rows 1, 2 out of bounds


def _windows(L: Any) -> Any:
    """Dimension numbers writing a window along the last axis of X at each (row, column)."""
    return _sdn(L, (1,), (0, 1), (0, 1))


def _scatter_case(op: str, idx: np.ndarray, mode: str | None = None, **kw: Any) -> Any:
    def case(L: Any, x: Any, u: Any) -> Any:
        updates = u[0, : len(idx), 1:4]  # one window of 3 along axis 2 per index vector
        return getattr(L, op)(x[..., 1:4], idx, updates, _windows(L), mode=mode, **kw)

    return case


TWO: dict[str, Any] = {
    "dynamic_update_slice-clamped": lambda L, x, u: L.dynamic_update_slice(
        x, u[:, :2, :3], (2, -1, -9)
    ),
    "dynamic_update_slice": lambda L, x, u: L.dynamic_update_slice(x, u[:1], (1, 0, 0)),
    "dynamic_update_slice_in_dim": lambda L, x, u: L.dynamic_update_slice_in_dim(
        x, u[:, :2], -1, 1
    ),
    "dynamic_update_index_in_dim": lambda L, x, u: L.dynamic_update_index_in_dim(x, u[0], 9, 0),
    "dynamic_update_index_in_dim-keepdims": lambda L, x, u: L.dynamic_update_index_in_dim(
        x, u[:1, :, :1], 2, 2
    ),
    "scatter": _scatter_case("scatter", SCATTER_IDX),
    "scatter-repeated": _scatter_case("scatter", DUP_IDX),
    "scatter-clip": _scatter_case("scatter", OOB_IDX, "clip"),
    "scatter_add-repeated": _scatter_case("scatter_add", DUP_IDX),
    "scatter_add-drop": _scatter_case("scatter_add", OOB_IDX),
    "scatter_add-clip": _scatter_case("scatter_add", OOB_IDX, "clip"),
    "scatter_sub-promise": _scatter_case("scatter_sub", SCATTER_IDX, "promise_in_bounds"),
    "scatter_mul": _scatter_case("scatter_mul", SCATTER_IDX, unique_indices=True),
    "scatter_min-repeated": _scatter_case("scatter_min", DUP_IDX),
    "scatter_max-drop": _scatter_case("scatter_max", OOB_IDX),
    "scatter_max-ties": lambda L, x, u: L.scatter_max(
        x, DUP_IDX[:, :1], L.concatenate([u[:1]] * 4, 0), _sdn(L, (1, 2), (0,), (0,))
    ),
    "scatter_add-batching": lambda L, x, u: L.scatter_add(
        x, BATCHED_IDX, u[:, :3], _sdn(L, (2,), (1,), (1,), (0,), (1,))
    ),
    "scatter-single-entries": lambda L, x, u: L.scatter(
        x, np.array([[0, 1, 2], [2, 3, 4]]), u[0, 0, :2], _sdn(L, (), (0, 1, 2), (0, 1, 2))
    ),
}


def test_operand_and_update_functions_match_jax() -> None:
    assert_gradients_match_jax(pairs(TWO), (X, U))


# ------------------------------------------------------------------- several cases, scalars
X2, Y, Z = R(3, 4, seed="x"), R(3, 4, seed="y"), R(3, 4, seed="z")

SEVERAL: dict[str, Any] = {
    "select": lambda L, x, y, z, c: L.select(MASK, x, y),
    "select-scalar-pred": lambda L, x, y, z, c: L.select(np.bool_(False), x, z),
    "select-scalars": lambda L, x, y, z, c: L.select(True, c, 2.0 * c) * x,
    "select_n": lambda L, x, y, z, c: L.select_n(WHICH, x, y, z),
    "select_n-scalar-which": lambda L, x, y, z, c: L.select_n(np.int32(2), x, y, z, y * z),
    "select_n-one-case": lambda L, x, y, z, c: L.select_n(np.zeros((3, 4), np.uint8), x),
    "concatenate-many": lambda L, x, y, z, c: L.concatenate([x, y[:1], z, x[:0]], 0),
    "stack": lambda L, x, y, z, c: L.stack([x, y, z], 1),
    "pad": lambda L, x, y, z, c: L.pad(x, c, [(1, 2, 1), (-1, 0, 2)]),
    "pad-crop-only": lambda L, x, y, z, c: L.pad(x, c, [(-1, -1, 0), (0, -3, 0)]),
    "pad-all-padding": lambda L, x, y, z, c: L.pad(x[:0], c, [(1, 1, 3), (0, 0, 0)]),
    "pad-interior-cropped-to-padding": lambda L, x, y, z, c: L.pad(x, c, [(-1, -2, 2), (0, 0, 1)]),
    "full": lambda L, x, y, z, c: L.full((2, 3), c),
    "full_like": lambda L, x, y, z, c: L.full_like(x, c * c),
    "broadcast-scalar": lambda L, x, y, z, c: L.broadcast(c, (2, 3)),
    "broadcast_in_dim-scalar": lambda L, x, y, z, c: L.broadcast_in_dim(c, (3,), ()),
    "dynamic_update_index_in_dim-scalar": lambda L, x, y, z, c: L.dynamic_update_index_in_dim(
        x[0], c, -2, 0
    ),
    "scatter-0d-operand": lambda L, x, y, z, c: L.scatter_add(
        c, np.zeros((3, 0), int), x[0, :3], _sdn(L, (), (), ())
    ),
}


def test_functions_of_several_cases_and_scalars_match_jax() -> None:
    """select / select_n (derivatives to the chosen case only), joins of many operands, and the
    padding or fill value's derivative."""
    assert_gradients_match_jax(pairs(SEVERAL), (X2, Y, Z, 0.75))


def test_out_of_bounds_promise_in_bounds_windows_differentiate_the_value() -> None:
    """PROMISE_IN_BOUNDS with windows out of bounds: gather's (its default mode) are clamped,
    scatter's dropped, and both modes differentiate that value, as JAX's forward mode does (its
    reverse mode does not: JAX leaves the derivative undefined there)."""
    assert_matches_jax_forward_mode(
        lambda L, x: L.gather(x, GATHER_IDX, _gdn(L, (1, 2), (0,), (0, 1)), (1, 2, 5)), X
    )
    assert_matches_jax_forward_mode(
        lambda L, u: L.scatter_add(X[..., 1:4], OOB_IDX, u, _windows(L), mode="promise_in_bounds"),
        U[0, :, 1:4],
    )


# ---------------------------------------------------------------------------- second order
def _composite(L: Any, m: Any, x: Any) -> Any:
    """A scalar through pad (its value traced), dynamic slices and updates, gather, scatter."""
    p = L.pad(x, x[1, 2] * x[0, 0], [(1, -1, 1), (-1, 2, 0)])
    q = L.dynamic_update_slice(p, m.sin(L.dynamic_slice(p, (2, -2), (2, 3))), (-1, 1))
    g = L.gather(q, np.array([[1, 0], [4, 2], [0, 3]]), _gdn(L, (1,), (0,), (0, 1)), (1, 2))
    dn = _sdn(L, (1,), (0,), (0,))
    s = L.scatter_mul(x, np.array([[0], [2]]), g[:2, :1] * g[1:, 1:], dn, unique_indices=True)
    return m.sum(q**3) + m.sum(L.select(x > 0, s * s, m.cos(s)))


def _composite_shapes(L: Any, m: Any, x: Any) -> Any:
    """A scalar through reshape with dimensions, rev, broadcast_in_dim, tile and concatenate."""
    y = L.reshape(L.rev(x, (0,)), (2, 6), (1, 0))
    z = L.broadcast_in_dim(y[0], (3, 6), (1,)) * L.tile(y[1:], (3, 1))
    return m.sum(L.concatenate([z, m.exp(z[:1])], 0) ** 2) * m.sum(L.select_n(WHICH % 2, x, x * x))


@pytest.mark.parametrize("composite", [_composite, _composite_shapes])
def test_hessians_match_jax(composite: Any) -> None:
    x = R(3, 4, seed="hessian")
    expected = jax.jit(jax.hessian(partial(composite, jax.lax, jnp)))(x)
    f = partial(composite, slicing, anp)
    assert_close(f(x), np.asarray(jax.jit(partial(composite, jax.lax, jnp))(x)))
    assert_close(ad.hessian(f)(x), np.asarray(expected))
    assert_close(ad.jacrev(ad.jacfwd(f))(x), np.asarray(expected))


# ---------------------------------------------------------------------------- JAX's conventions
def test_dynamic_slices_clamp_their_start_indices() -> None:
    """JAX's documented examples: a window that would overrun is moved back inside; a negative
    start counts from the end once, then clamps."""
    x = np.arange(12).reshape(3, 4)
    assert_values(slicing.dynamic_slice(x, (1, 1), (2, 3)), [[5, 6, 7], [9, 10, 11]])
    assert_values(slicing.dynamic_slice(x, (1, 1), (2, 4)), [[4, 5, 6, 7], [8, 9, 10, 11]])
    assert_values(slicing.dynamic_slice(x, (-1, -9), (1, 2)), [[8, 9]])
    assert_values(slicing.dynamic_slice_in_dim(np.arange(5), 3, 3), [2, 3, 4])
    zeros, ones = np.zeros(6), np.ones(3)
    for start, expected in (
        (2, [0, 0, 1, 1, 1, 0]),
        (3, [0, 0, 0, 1, 1, 1]),
        (5, [0, 0, 0, 1, 1, 1]),
    ):
        assert_values(slicing.dynamic_update_slice(zeros, ones, (start,)), expected)
    assert_values(
        slicing.dynamic_update_index_in_dim(zeros, 1.0, 8, 0), [0, 0, 0, 0, 0, 1]
    )  # clipped
    assert_values(slicing.dynamic_update_slice(zeros, ones, (np.int32(-2),)), [0, 0, 0, 1, 1, 1])


def test_negative_start_index_with_negative_indices_disallowed() -> None:
    """allow_negative_indices=False: a negative Python or NumPy integer is an error, a negative
    array index is clamped to 0 (as JAX)."""
    x = np.arange(6.0).reshape(2, 3)
    with pytest.raises(ValueError, match="allow_negative_indices=False"):
        slicing.dynamic_slice(x, (-1, 0), (1, 1), allow_negative_indices=False)
    with pytest.raises(ValueError, match="dimension 3 if allow_negative_indices=False"):
        slicing.dynamic_slice(x, (-1, -1), (1, 1), allow_negative_indices=[True, False])
    got = slicing.dynamic_slice(
        x, (np.array(-1), np.array(1)), (1, 2), allow_negative_indices=False
    )
    expected = jax.lax.dynamic_slice(
        x, (jnp.array(-1), jnp.array(1)), (1, 2), allow_negative_indices=False
    )
    assert_exact(got, expected)


def test_pad_by_hand() -> None:
    """JAX's documented examples: low/high padding, interior padding, negative padding crops."""
    x = np.array([1, 2, 3, 4])
    assert_values(slicing.pad(x, 0, [(2, 3, 0)]), [0, 0, 1, 2, 3, 4, 0, 0, 0])
    assert_values(slicing.pad(x, 0, [(0, 0, 1)]), [1, 0, 2, 0, 3, 0, 4])
    assert_values(slicing.pad(np.arange(1, 6), 0, [(-1, -2, 0)]), [2, 3])
    assert_values(slicing.pad(np.arange(5.0), 9.0, [(-1, -2, 1)]), [9, 1, 9, 2, 9, 3])
    assert slicing.pad(np.ones((2, 0)), 7.0, [(0, 0, 4), (1, 1, 4)]).shape == (6, 2)


@pytest.mark.parametrize("mode", MODES)
def test_pad_value_cotangent_is_the_sum_over_padded_positions(mode: str) -> None:
    """d/dc Σ w · pad(x, c) = Σ of w over the padded positions (cropped ones excluded)."""
    x = R(3, 4, seed="pad")
    config = [(2, -1, 1), (-1, 1, 2)]
    w = R(6, 10, seed="pad-weights")
    marked = np.asarray(slicing.pad(np.zeros((3, 4)), 1.0, config))  # 1 where padded
    got = ad.grad(lambda c: anp.sum(slicing.pad(x, c, config) * w), mode=mode)(0.3)
    assert_close(got, float(np.sum(w * marked)))


def test_select_n_out_of_range_picks_an_end_case() -> None:
    """XLA's tree of selects: below 0 picks the first case, past the end the last; the
    derivative follows the pick (JAX's forward mode; its reverse mode gives such entries none)."""
    cases = [np.full(4, float(k)) for k in range(3)]
    assert_values(slicing.select_n(np.array([-3, 0, 2, 7]), *cases), [0, 0, 2, 2])
    assert_values(slicing.select(np.array([1, 0, 2, -1]), cases[1], cases[0]), [1, 0, 1, 0])
    which = np.array([[-1, 3, 5, 0], [2, -7, 1, 9], [0, 1, 2, 3]])
    assert_matches_jax_forward_mode(lambda L, x: L.select_n(which, x, x * x, L.rev(x, (0,))), X2)


def test_gather_fill_and_scatter_drop_by_hand() -> None:
    """FILL_OR_DROP: a window that does not fit whole is filled (NaN by default for floats, the
    most negative integer for signed ints) or dropped; CLIP moves it inside."""
    x = np.arange(10.0)
    dn = slicing.GatherDimensionNumbers(
        offset_dims=(1,), collapsed_slice_dims=(), start_index_map=(0,)
    )
    idx = np.array([[8], [-1], [3]])
    got = slicing.gather(x, idx, dn, (3,), mode="fill")
    assert_values(got, [[np.nan] * 3, [np.nan] * 3, [3, 4, 5]])
    ints = slicing.gather(np.arange(10), idx, dn, (3,), mode=slicing.GatherScatterMode.FILL_OR_DROP)
    assert_values(ints[0], [np.iinfo(np.int64).min] * 3)
    assert_values(slicing.gather(x, idx, dn, (3,), mode="clip"), [[7, 8, 9], [0, 1, 2], [3, 4, 5]])
    sdn = slicing.ScatterDimensionNumbers((1,), (), (0,))
    updates = np.array([[1.0], [10.0], [100.0]]) * np.ones(3)
    dropped = [0, 1, 2, 103, 104, 105, 6, 7, 8, 9]
    assert_values(slicing.scatter_add(x, idx, updates, sdn), dropped)
    clipped = [10, 11, 12, 103, 104, 105, 6, 8, 9, 10]
    assert_values(slicing.scatter_add(x, idx, updates, sdn, mode="clip"), clipped)


def test_scatter_apply_applies_once_per_update() -> None:
    """An entry hit three times gets func three times; JAX's value, and (JAX has no derivative
    of scatter_apply) the chain rule's by hand."""
    x = R(3, 4, seed="apply")
    idx = np.array([[0, 1], [0, 1], [2, 3], [0, 1]])

    def f(L: Any, x: Any) -> Any:
        dn = L.ScatterDimensionNumbers((), (0, 1), (0, 1))
        return L.scatter_apply(x, idx, lambda v: v * v + 0.5, dn, update_shape=(4,))

    assert_close(f(slicing, x), np.asarray(f(jax.lax, x)))
    v = x[0, 1]
    v1 = v * v + 0.5
    v2 = v1 * v1 + 0.5
    slope = np.ones((3, 4))
    slope[0, 1] = (2 * v2) * (2 * v1) * (2 * v)
    slope[2, 3] = 2 * x[2, 3]
    for mode in MODES:
        assert_close(ad.grad(lambda x: anp.sum(f(slicing, x)), mode=mode)(x), slope)


def test_jax_dimension_numbers_and_modes_are_accepted() -> None:
    """JAX's own GatherDimensionNumbers, ScatterDimensionNumbers and GatherScatterMode work."""
    dn = jax.lax.GatherDimensionNumbers((1,), (0, 1), (0, 1))
    mode = jax.lax.GatherScatterMode.FILL_OR_DROP
    expected = jax.lax.gather(X, GATHER_IDX, dn, (1, 1, 5), mode=mode)
    assert_close(slicing.gather(X, GATHER_IDX, dn, (1, 1, 5), mode=mode), np.asarray(expected))
    sdn = jax.lax.ScatterDimensionNumbers((1,), (0, 1), (0, 1))
    expected = jax.lax.scatter_add(X, GATHER_IDX, U[0, :4], sdn, mode="clip")
    assert_close(
        slicing.scatter_add(X, GATHER_IDX, U[0, :4], sdn, mode="clip"), np.asarray(expected)
    )
    assert slicing.GatherScatterMode.from_any(None) is slicing.GatherScatterMode.FILL_OR_DROP
    assert slicing.GatherScatterMode.from_any("promise_in_bounds").name == "PROMISE_IN_BOUNDS"


# ---------------------------------------------------------------------------- integer, bool
INTS = np.arange(24).reshape(2, 3, 4)
BOOLS = INTS % 3 == 0

EXACT: dict[str, Any] = {
    "broadcast_in_dim": lambda L: L.broadcast_in_dim(INTS[0], (4, 2, 3), (2, 0)),
    "broadcast-bool": lambda L: L.broadcast(BOOLS, (2,)),
    "broadcasted_iota-int32": lambda L: L.broadcasted_iota(np.int32, (2, 3), 1),
    "broadcasted_iota-float32": lambda L: L.broadcasted_iota(np.float32, (2, 3), 0),
    "iota": lambda L: L.iota(np.int64, 5),
    "iota-complex": lambda L: L.iota(np.complex128, 3),
    "collapse": lambda L: L.collapse(INTS, 0, 2),
    "concatenate": lambda L: L.concatenate([INTS, INTS * 2], 2),
    "concatenate-bool": lambda L: L.concatenate([BOOLS, ~BOOLS], 0),
    "dynamic_slice": lambda L: L.dynamic_slice(INTS, (1, -1, np.int64(9)), (1, 2, 2)),
    "dynamic_update_slice": lambda L: L.dynamic_update_slice(INTS, -INTS[:1, :2], (5, 2, 1)),
    "dynamic_update_slice-bool": lambda L: L.dynamic_update_slice(BOOLS, ~BOOLS[:, :1], (0, 2, 0)),
    "dynamic_index_in_dim": lambda L: L.dynamic_index_in_dim(BOOLS, np.int32(-1), 2, False),
    "expand_dims": lambda L: L.expand_dims(BOOLS, (1,)),
    "full": lambda L: L.full((2,), 3),
    "full-dtype": lambda L: L.full(3, 1.5, np.int32),
    "full-bool": lambda L: L.full((2, 2), True),
    "full_like": lambda L: L.full_like(INTS, 2.5),
    "full_like-shape-dtype": lambda L: L.full_like(INTS, 2, np.float32, (2,)),
    "index_in_dim": lambda L: L.index_in_dim(INTS, -2, 1, False),
    "index_take": lambda L: L.index_take(INTS, (np.array([1, -1]), np.array([3, 5])), (1, 2)),
    "pad": lambda L: L.pad(INTS, -7, [(1, -1, 1), (0, 2, 0), (-1, 0, 1)]),
    "pad-bool": lambda L: L.pad(BOOLS, True, [(1, 0, 1), (0, 0, 0), (0, 1, 0)]),
    "reshape": lambda L: L.reshape(INTS, (4, 6), (2, 1, 0)),
    "rev": lambda L: L.rev(BOOLS, (1,)),
    "select": lambda L: L.select(BOOLS, INTS, -INTS),
    "select-bool-cases": lambda L: L.select(BOOLS, BOOLS, ~BOOLS),
    "select_n": lambda L: L.select_n(INTS % 4, INTS, -INTS, INTS * 10, INTS * 100),
    "slice": lambda L: L.slice(INTS, (0, 1, 1), (2, 3, 4), (1, 1, 2)),
    "squeeze": lambda L: L.squeeze(INTS[:1, :, :1], (0, 2)),
    "tile": lambda L: L.tile(BOOLS, (2, 1, 0)),
    "transpose": lambda L: L.transpose(INTS, (1, 2, 0)),
    "split": lambda L: L.split(INTS, (1, 3), 2)[1],
    "unstack": lambda L: L.unstack(BOOLS, 1)[2],
    "stack": lambda L: L.stack([INTS, INTS], 3),
    "gather-fill-int": lambda L: L.gather(
        INTS, np.array([[1, 3], [0, 0]]), _gdn(L, (1,), (0, 1), (0, 1)), (1, 1, 4), mode="fill"
    ),
    "scatter_max-int": lambda L: L.scatter_max(
        INTS,
        np.array([[0, 1], [0, 1], [1, 2]]),
        np.array([[50, 0], [-5, 60], [7, 7]]),
        _sdn(L, (1,), (0, 1), (0, 1)),
    ),
    "scatter_mul-int": lambda L: L.scatter_mul(
        INTS, np.array([[1], [1]]), -np.ones((2, 3, 4), int), _sdn(L, (1, 2), (0,), (0,))
    ),
}


def test_integer_and_bool_operands_give_jax_values_exactly() -> None:
    expected = jax.jit(lambda: {name: f(jax.lax) for name, f in EXACT.items()})()
    for name, f in EXACT.items():
        got, want = np.asarray(f(slicing)), np.asarray(expected[name])
        assert (got.shape, got.dtype) == (want.shape, want.dtype), name
        assert_exact(got, want)


# ---------------------------------------------------------------------------- errors
A = np.ones((2, 3))
GDN = slicing.GatherDimensionNumbers((1,), (0,), (0,))
SDN = slicing.ScatterDimensionNumbers((1,), (0,), (0,))

ERRORS: list[tuple[Any, type[Exception], str]] = [
    (lambda: slicing.broadcast_in_dim(A, (2, 4), (0, 1)), TypeError, "must either be 1"),
    (lambda: slicing.broadcast_in_dim(A, (2, 3), (0,)), TypeError, "length equal to operand"),
    (lambda: slicing.broadcast_in_dim(A, (3,), (0, 1)), TypeError, "equal or higher rank"),
    (lambda: slicing.broadcast_in_dim(A, (2, 3, 3), (0, 3)), TypeError, "subset of output"),
    (lambda: slicing.broadcast_in_dim(A, (2, 3, 3), (1, 1)), TypeError, "must either be 1"),
    (lambda: slicing.broadcast_in_dim(A[:1, :1], (2, 3), (1, 1)), TypeError, "duplicates"),
    (lambda: slicing.broadcast_in_dim(A, (2, 3), (0, -1)), TypeError, "nonnegative"),
    (lambda: slicing.broadcasted_iota(bool, (2,), 0), TypeError, "iota does not accept dtype"),
    (lambda: slicing.broadcasted_iota(int, (2, 3), -1), ValueError, "iota dimension"),
    (lambda: slicing.collapse(A, 2, 1), ValueError, "Invalid dimension range"),
    (lambda: slicing.concatenate([], 0), ValueError, "non-empty"),
    (lambda: slicing.concatenate([A, A], -1), TypeError, "dimension out of bounds"),
    (lambda: slicing.concatenate([A, A[0]], 0), TypeError, "different numbers of dimensions"),
    (lambda: slicing.concatenate([A, A[:, :2]], 0), TypeError, "differ in dimensions other"),
    (lambda: slicing.concatenate([A, A.astype(np.float32)], 0), TypeError, "same dtypes"),
    (lambda: slicing.dynamic_slice(A, (1,), (1, 1)), ValueError, "Length of slice indices"),
    (lambda: slicing.dynamic_slice(A, (0, 0), (3, 1)), TypeError, "less than or equal"),
    (lambda: slicing.dynamic_slice(A, (0, 0), (1,)), ValueError, "one size per dimension"),
    (lambda: slicing.dynamic_slice(A, (0, 0), (1, -1)), TypeError, "nonnegative"),
    (lambda: slicing.dynamic_slice(A, (0.0, 0), (1, 1)), TypeError, "integers of the same type"),
    (lambda: slicing.dynamic_slice(A, (np.int32(0), 0), (1, 1)), TypeError, "int32, int64"),
    (lambda: slicing.dynamic_slice(A, (np.array([0]), 0), (1, 1)), TypeError, "must be scalars"),
    (lambda: slicing.dynamic_slice(A, np.zeros((2, 1), int), (1, 1)), ValueError, "1D sequence"),
    (
        lambda: ad.grad(lambda t: anp.sum(slicing.dynamic_slice(A, (t, 0), (1, 1))))(0.0),
        TypeError,
        "got: float64, int64",
    ),
    (lambda: slicing.dynamic_update_slice(A, A[0], (0, 0)), TypeError, "same rank"),
    (lambda: slicing.dynamic_update_slice(A, np.ones((3, 1)), (0, 0)), TypeError, "smaller than"),
    (lambda: slicing.dynamic_update_slice(A, np.ones((1, 1), int), (0, 0)), TypeError, "dtypes"),
    (lambda: slicing.dynamic_slice_in_dim(A, 0, 1, 2), ValueError, "axis 2 is out of bounds"),
    (lambda: slicing.expand_dims(A, (0, -4)), ValueError, "repeated axis"),
    (lambda: slicing.expand_dims(A, (5,)), ValueError, "out of bounds"),
    (lambda: slicing.full((2,), np.ones(2)), TypeError, "scalar fill_value"),
    (lambda: slicing.index_in_dim(A, 3, 1), IndexError, "index 3 is out of bounds for axis 1"),
    (lambda: slicing.index_take(A, (np.array([0]),), (0, 1)), ValueError, "one 1-D integer"),
    (lambda: slicing.index_take(A, (np.array([0]), np.array([0])), (1, 0)), TypeError, "sorted"),
    (lambda: slicing.pad(A, 0.0, [(1, 1, 0)]), ValueError, "length of padding_config"),
    (lambda: slicing.pad(A, 0.0, [(1, 1), (0, 0)]), ValueError, "triple"),
    (lambda: slicing.pad(A, 0.0, [(1, 1, -1), (0, 0, 0)]), ValueError, "interior padding"),
    (lambda: slicing.pad(A, 0.0, [(-2, -1, 0), (0, 0, 0)]), ValueError, "not at least 0"),
    (lambda: slicing.pad(A, np.zeros(1), [(0, 0, 0)] * 2), ValueError, "must be a scalar"),
    (lambda: slicing.pad(A, 0, [(0, 0, 0)] * 2), TypeError, "same dtypes, got float64, int64"),
    (lambda: slicing.reshape(A, (4,)), ValueError, "total size must be unchanged"),
    (lambda: slicing.reshape(A, (-1,)), TypeError, "nonnegative"),
    (lambda: slicing.reshape(A, (3, 2), (1, 1)), TypeError, "permutation of operand"),
    (lambda: slicing.rev(A, (-1,)), TypeError, "nonnegative"),
    (lambda: slicing.rev(A, (1, 1)), TypeError, "unique"),
    (lambda: slicing.rev(A, (2,)), TypeError, "less than operand ndim"),
    (lambda: slicing.select(A > 0, A, 1.0), TypeError, "same shapes"),
    (lambda: slicing.select(np.ones(2, bool), A, A), TypeError, "`which` must be scalar"),
    (lambda: slicing.select(A > 0, A, A.astype(np.float32)), TypeError, "same dtypes"),
    (lambda: slicing.select_n(A, A, A), TypeError, "boolean or integer"),
    (lambda: slicing.select_n(A > 0, A, A, A), TypeError, "cannot have > 2 cases"),
    (lambda: slicing.select_n(A > 0), ValueError, "at least one case"),
    (lambda: slicing.slice(A, (0,), (1,)), TypeError, "length equal to the number"),
    (lambda: slicing.slice(A, (0, 0), (1,)), TypeError, "same length as start_indices"),
    (lambda: slicing.slice(A, (0, 0), (3, 3)), TypeError, "less than or equal to operand"),
    (lambda: slicing.slice(A, (-1, 0), (2, 3)), TypeError, "nonnegative"),
    (lambda: slicing.slice(A, (1, 2), (0, 3)), TypeError, "greater than or equal to start"),
    (lambda: slicing.slice(A, (0, 0), (2, 3), (1, 0)), TypeError, "positive"),
    (lambda: slicing.squeeze(A, (1,)), ValueError, "size not equal to one"),
    (lambda: slicing.squeeze(A[:1], (0, -2)), ValueError, "not unique"),
    (lambda: slicing.squeeze(A, (2,)), ValueError, "out of bounds"),
    (lambda: slicing.transpose(A, (0, 0)), TypeError, "isn't a permutation"),
    (lambda: slicing.transpose(A, (-1, 0)), TypeError, "isn't a permutation"),
    (lambda: slicing.tile(A, (2,)), TypeError, "reps length"),
    (lambda: slicing.split(A, (1, 1), 1), ValueError, "Sum of sizes 2"),
    (lambda: slicing.split(A, (-1, 4), 1), ValueError, "nonnegative"),
    (lambda: slicing.stack([]), ValueError, "at least one operand"),
    (lambda: slicing.stack([A, A[0]]), ValueError, "different numbers of dimensions"),
    (lambda: slicing.stack([A, A[:1]]), ValueError, "same shape"),
    (lambda: slicing.stack([A, A.astype(int)]), TypeError, "same dtypes"),
    (lambda: slicing.unstack(A, 2), ValueError, "out of bounds"),
    (lambda: slicing.gather(A, np.array([[0.5]]), GDN, (1, 3)), ValueError, "integer type"),
    (lambda: slicing.gather(A, np.array([[0, 1]]), GDN, (1, 3)), TypeError, "index map"),
    (lambda: slicing.gather(A, np.array([[0]]), GDN, (1,)), TypeError, "one slice size"),
    (lambda: slicing.gather(A, np.array([[0]]), GDN, (2, 3)), TypeError, "bound 1"),
    (lambda: slicing.gather(A, np.array([[0]]), GDN, (1, 4)), TypeError, "out of range"),
    (lambda: slicing.gather(A, np.array([[0]]), GDN, (1, 3), mode="one_hot"), ValueError, "mode"),
    (
        lambda: slicing.gather(
            A, np.array([[0]]), slicing.GatherDimensionNumbers((), (0,), (0,)), (1, 3)
        ),
        TypeError,
        "offset dimension or explicitly collapsed",
    ),
    (
        lambda: slicing.gather(
            A, np.array([[0]]), slicing.GatherDimensionNumbers((1,), (1, 0), (0,)), (1, 1)
        ),
        TypeError,
        "must be sorted",
    ),
    (lambda: slicing.scatter(A, np.array([[0]]), np.ones(3), SDN), TypeError, "rank 2"),
    (
        lambda: slicing.scatter(A, np.array([[0]]), np.ones((1, 4)), SDN),
        TypeError,
        "must not exceed",
    ),
    (
        lambda: slicing.scatter(A, np.array([[0]]), np.ones((2, 3)), SDN),
        TypeError,
        "scatter dimensions",
    ),
    (
        lambda: slicing.scatter(A, np.array([[0]]), np.ones((1, 3), int), SDN),
        TypeError,
        "same dtypes",
    ),
    (
        lambda: slicing.scatter_add(
            A, np.array([[0]]), np.ones((1, 3)), slicing.ScatterDimensionNumbers((1,), (), (0,))
        ),
        TypeError,
        "neither inserted nor batching",
    ),
    (lambda: slicing.scatter_add(A, np.array([[0]]), A[:1], SDN, mode="nope"), ValueError, "mode"),
]


@pytest.mark.parametrize(("call", "error", "match"), ERRORS, ids=[m for *_, m in ERRORS])
def test_errors(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_jax_rejects_the_same_calls() -> None:
    """The bad calls whose JAX counterpart runs eagerly raise there too (the same error types)."""
    rejected = [
        (lambda L: L.concatenate([A, A], -1), TypeError),
        (lambda L: L.pad(A, 0, [(0, 0, 0)] * 2), TypeError),
        (lambda L: L.select(A > 0, A, 1.0), TypeError),
        (lambda L: L.rev(A, (-1,)), TypeError),
        (lambda L: L.squeeze(A, (1,)), ValueError),
        (lambda L: L.dynamic_slice(A, (np.int32(0), 0), (1, 1)), TypeError),
    ]
    for call, error in rejected:
        for L in (slicing, jax.lax):
            with pytest.raises(error):
                call(L)
