"""admodes.ops's segment reductions against jax.ops's: values, derivatives in both modes, vmap,
and the errors. Where JAX has no derivative (``segment_prod`` with repeated ids: JAX raises) or a
wrong one (``mode="clip"``: JAX gives −inf to a row clipped into a segment of its own), the
derivatives are checked against central differences instead."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import (
    FD_EPS,
    MODES,
    RTOL,
    RTOL_F32,
    assert_close,
    assert_exact,
    assert_fd_close,
)

import admodes
import admodes as ad
import admodes.numpy as anp
import admodes.ops

NAMES = ("segment_sum", "segment_prod", "segment_max", "segment_min")

RNG = np.random.default_rng(7)
DATA = RNG.normal(size=(9, 3))
DATA[4, 1] = DATA[2, 1]  # a tie for the maximum of segment 2, column 1
#: Segments 0…3 with segment 3 empty; −1 and 6 lie outside (dropped, or clipped by mode="clip").
IDS = np.array([0, 2, 2, -1, 2, 6, 1, 0, 2])

#: Keyword arguments of each call, by name; every reduction runs with each.
CALLS: dict[str, dict[str, Any]] = {
    "four segments": {"num_segments": 4},
    "segments from the ids": {},
    "clipped ids": {"num_segments": 4, "mode": "clip"},
    "buckets of two": {"num_segments": 4, "bucket_size": 2},
    "buckets of four, clipped": {"num_segments": 3, "bucket_size": 4, "mode": "clip"},
    "a segment past the last id": {"num_segments": 5, "unique_indices": False},
}


def reduction(lib: Any, name: str, **kwargs: Any) -> Callable[[Any], Any]:
    return lambda x: getattr(lib.ops, name)(x, IDS, **kwargs)


def finite_weighted_sum(xp: Any, f: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Σ w · f(x) over f's finite entries (an empty segment's ±∞ left out), w fixed."""

    def total(x: Any) -> Any:
        y = f(x)
        w = np.linspace(1.0, 2.0, int(np.prod(np.shape(y)))).reshape(np.shape(y))
        return xp.sum(xp.where(xp.isfinite(y), y, 0.0) * w)

    return total


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("name", NAMES)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.int64])
def test_values_equal_jax(name: str, call: str, dtype: Any) -> None:
    data = (DATA * 10).astype(dtype)
    got = reduction(admodes, name, **CALLS[call])(data)
    want = np.asarray(reduction(jax, name, **CALLS[call])(data))
    assert got.dtype == want.dtype
    if name == "segment_prod" and "bucket_size" in CALLS[call] and dtype != np.int64:
        # XLA multiplies the buckets' products in an order of its own: equal up to rounding.
        assert_close(got, want, rtol=RTOL_F32 if dtype == np.float32 else RTOL)
    else:
        assert_exact(got, want)


def _jax_differentiates(name: str, call: str) -> bool:
    """JAX's derivative exists (no repeated-id product) and is right (no clipping)."""
    return name != "segment_prod" and CALLS[call].get("mode") != "clip"


@pytest.mark.parametrize("call", CALLS)
@pytest.mark.parametrize("name", NAMES)
def test_gradients_equal_jax_or_central_differences(name: str, call: str) -> None:
    total = finite_weighted_sum(anp, reduction(admodes, name, **CALLS[call]))
    grads = [ad.grad(total, mode=mode)(DATA) for mode in MODES]
    if _jax_differentiates(name, call):
        want = jax.grad(finite_weighted_sum(jnp, reduction(jax, name, **CALLS[call])))(DATA)
        for g in grads:
            assert_close(g, np.asarray(want))
        return
    direction = np.random.default_rng(1).normal(size=DATA.shape)
    central = (total(DATA + FD_EPS * direction) - total(DATA - FD_EPS * direction)) / (2 * FD_EPS)
    for g in grads:
        assert_fd_close(np.vdot(g, direction), central)


def test_second_derivatives_of_the_product() -> None:
    """The Hessian of a weighted segment product: its columns are the gradient's slopes, and
    forward-over-reverse equals reverse-over-reverse."""
    total = finite_weighted_sum(anp, lambda x: admodes.ops.segment_prod(x, IDS[:6], 4))
    x = DATA[:6, 0]
    hessian = ad.hessian(total)(x)
    gradient = ad.grad(total)
    for j, step in enumerate(FD_EPS * np.eye(len(x))):
        assert_fd_close(hessian[:, j], (gradient(x + step) - gradient(x - step)) / (2 * FD_EPS))
    assert_close(ad.jacrev(ad.grad(total))(x), hessian)


@pytest.mark.parametrize("name", NAMES)
def test_mapped_data_and_ids_equal_jax(name: str) -> None:
    """vmap over a batch of data with shared ids, and over per-index ids, equals JAX's."""
    batch = RNG.normal(size=(3, *DATA.shape))
    ids = np.stack([IDS, np.roll(IDS, 1), IDS[::-1]])

    def mapped(lib: Any) -> tuple:
        segment = getattr(lib.ops, name)
        shared = lib.vmap(lambda x: segment(x, IDS, 4))(batch)
        per_index = lib.vmap(lambda x, i: segment(x, i, 4))(batch, ids)
        return np.asarray(shared), np.asarray(per_index)

    assert_exact(mapped(admodes), mapped(jax))


def test_message_passing_gradient_equals_jax() -> None:
    """A graph layer: messages from senders summed at receivers, then a nonlinearity; the
    gradient in the node features and the weights equals JAX's in both modes."""
    senders, receivers = np.array([0, 1, 2, 3, 1]), np.array([1, 2, 3, 0, 0])
    h, w = RNG.normal(size=(4, 3)), RNG.normal(size=(3, 3))

    def layer(xp: Any, lib: Any) -> Callable[..., Any]:
        def loss(h: Any, w: Any) -> Any:
            messages = xp.tanh(h[senders] @ w)
            return xp.sum(lib.ops.segment_sum(messages, receivers, num_segments=4) ** 2)

        return loss

    want = jax.grad(layer(jnp, jax), (0, 1))(h, w)
    for mode in MODES:
        assert_close(ad.grad(layer(anp, admodes), (0, 1), mode=mode)(h, w), want)


def test_no_segments_and_no_rows() -> None:
    assert_exact(
        admodes.ops.segment_max(DATA, IDS, 0), np.asarray(jax.ops.segment_max(DATA, IDS, 0))
    )
    none = (np.zeros((0, 3)), np.zeros(0, int))
    # (JAX's max and min over no buckets raise; ours give the empty segments' identity.)
    calls = [*((name, None) for name in NAMES), ("segment_sum", 2), ("segment_prod", 2)]
    for name, bucket_size in calls:
        assert_exact(
            getattr(admodes.ops, name)(*none, 2, bucket_size=bucket_size),
            np.asarray(getattr(jax.ops, name)(*none, 2, bucket_size=bucket_size)),
        )
    assert_exact(admodes.ops.segment_max(*none, 2, bucket_size=2), np.full((2, 3), -np.inf))


def test_bad_input_is_refused() -> None:
    with pytest.raises(TypeError, match="segment_ids must be integers"):
        admodes.ops.segment_sum(DATA, IDS.astype(float), 4)
    with pytest.raises(ValueError, match="one id per row of data"):
        admodes.ops.segment_sum(DATA, IDS[:-1], 4)
    with pytest.raises(ValueError, match="mode must be one of"):
        admodes.ops.segment_sum(DATA, IDS, 4, mode="wrap")
    with pytest.raises(ValueError, match="num_segments must be non-negative"):
        admodes.ops.segment_sum(DATA, IDS, -1)
    with pytest.raises(ValueError, match="bucket_size must be a positive integer"):
        admodes.ops.segment_sum(DATA, IDS, 4, bucket_size=0)
    with pytest.raises(ValueError, match="promise_in_bounds"):
        admodes.ops.segment_sum(DATA, IDS, 4, mode="promise_in_bounds")
