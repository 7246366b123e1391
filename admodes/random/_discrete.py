"""The discrete samplers of ``jax.random`` with JAX's algorithms: integers by a modulus of
random bits, Bernoulli trials by comparing uniforms, permutations by sorting on random keys,
categorical draws by the Gumbel-max (with replacement) and Gumbel-top-k (without) tricks.
Their outputs are integers or booleans, constants to every transform."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from admodes.core import plain, to_integers
from admodes.random import _xla
from admodes.random._common import (
    check_shape,
    checked_shape,
    float_array,
    random_signs,
    unit_floats,
)
from admodes.random._distributions import gumbel
from admodes.random._keys import Shape, canonical_shape, check_key
from admodes.random._threefry import random_bits, split

__all__ = ["bernoulli", "categorical", "choice", "permutation", "rademacher", "randint"]

_UINT32_MAX = np.iinfo(np.uint32).max


# ---------------------------------------------------------------------------- randint
def _clipped(value: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """``value`` converted to integer ``dtype``, clipped to what both types hold (no wrap)."""
    lo = max(np.iinfo(dtype).min, np.iinfo(value.dtype).min)
    hi = min(np.iinfo(dtype).max, np.iinfo(value.dtype).max)
    return np.clip(value, value.dtype.type(lo), value.dtype.type(hi)).astype(dtype)


def _remainder(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a mod b for unsigned integers, XLA's: a itself where b = 0."""
    return np.where(b == 0, a, a % np.where(b == 0, b.dtype.type(1), b))


def _integer_bound(x: Any) -> np.ndarray:
    """A bound as integers: floats converted to int64 as XLA converts them (saturated)."""
    x = np.asarray(plain(x))
    return x if np.issubdtype(x.dtype, np.integer) else to_integers(x, np.dtype(np.int64))


def _randint(
    key: np.ndarray, shape: tuple[int, ...], minval: Any, maxval: Any, dtype: np.dtype
) -> np.ndarray:
    """minval + (2ⁿ·h + l) mod (maxval − minval) for two n-bit words h, l (from the keys
    ``split(key)``), the span computed without overflow ((2ⁿ mod s)² mod s for 2ⁿ mod s); a
    span ≤ 0 gives minval, and a maxval beyond the type's range counts as its maximum + 1."""
    minval, maxval = _integer_bound(minval), _integer_bound(maxval)
    check_shape("randint", shape, minval.shape, maxval.shape)
    out_of_range = maxval > _clipped(np.array(np.iinfo(dtype).max, dtype), maxval.dtype)
    minval, maxval = _clipped(minval, dtype), _clipped(maxval, dtype)
    nbits = dtype.itemsize * 8
    k1, k2 = split(key, (2,))
    higher, lower = random_bits(k1, nbits, shape), random_bits(k2, nbits, shape)
    unsigned = higher.dtype.type
    with np.errstate(over="ignore"):
        span = (maxval.astype(dtype) - minval).astype(higher.dtype)
    span = np.where(maxval <= minval, unsigned(1), span)
    span = np.where(out_of_range & (maxval > minval), span + unsigned(1), span)
    multiplier = _remainder(np.asarray(unsigned(2 ** (nbits // 2))), span)
    multiplier = _remainder(multiplier * multiplier, span)
    offset = _remainder(higher, span) * multiplier + _remainder(lower, span)
    return minval + _remainder(offset, span).astype(dtype)


def randint(key: Any, shape: Shape, minval: Any, maxval: Any, dtype: Any = None) -> np.ndarray:
    """Integers uniform on [minval, maxval) of ``shape`` and integer ``dtype`` (int64 by
    default), by JAX's modulus of 2n random bits (slightly biased unless the span is a power of
    two); types under 32 bits are drawn as int32, bounds clipped to the type."""
    key = check_key("randint", key)
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    if dtype.kind not in "iu":
        raise TypeError(f"randint only accepts integer dtypes, got {dtype}")
    shape = canonical_shape(shape)
    info = np.iinfo(dtype)
    if info.bits < 32:
        int32 = np.dtype(np.int32)
        minval = np.clip(to_integers(plain(minval), int32), int(info.min), int(info.max))
        maxval = np.clip(to_integers(plain(maxval), int32), int(info.min), int(info.max) + 1)
        return _randint(key, shape, minval, maxval, np.dtype(np.int32)).astype(dtype)
    return _randint(key, shape, minval, maxval, dtype)


# ---------------------------------------------------------------------------- Bernoulli
def bernoulli(key: Any, p: Any = 0.5, shape: Shape | None = None, mode: str = "low") -> np.ndarray:
    """Booleans, True with probability p: u < p for u uniform on [0, 1) in p's float type
    (float64 for a Python float). ``mode="high"``: u₂·2⁻ⁿᵐᵃⁿᵗ < p − u₁ for two uniforms, exact
    for tiny p. ``shape`` defaults to p's."""
    if mode not in ("high", "low"):
        raise ValueError(f"got mode={mode!r}, expected 'high' or 'low'")
    key = check_key("bernoulli", key)
    p = np.asarray(plain(p))
    if p.dtype.kind != "f":
        raise TypeError(f"bernoulli probability `p` must have a floating dtype, got {p.dtype}.")
    shape = checked_shape("bernoulli", shape, p.shape)
    if mode == "high":
        u1, u2 = unit_floats(key, (2, *shape), p.dtype)
        return u2 * p.dtype.type(2.0 ** -np.finfo(p.dtype).nmant) < p - u1
    return unit_floats(key, shape, p.dtype) < p


def rademacher(key: Any, shape: Shape = (), dtype: Any = None) -> np.ndarray:
    """±1 with equal probability: 2b − 1 for b a Bernoulli(½) draw, in ``dtype`` (int64 by
    default)."""
    key = check_key("rademacher", key)
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    return random_signs(key, canonical_shape(shape), dtype)


# ---------------------------------------------------------------------------- permutations
def _shuffle(key: np.ndarray, x: np.ndarray, axis: int) -> np.ndarray:
    """``x`` shuffled along ``axis``: r stable sorts on fresh random 32-bit words, r =
    ⌈3·ln(size)/ln(2³² − 1)⌉ (enough that ties between the words are unlikely, as JAX)."""
    rounds = int(np.ceil(3 * np.log(max(1, x.size)) / np.log(_UINT32_MAX)))
    for _ in range(rounds):
        key, subkey = split(key, (2,))
        order = np.argsort(random_bits(subkey, 32, x.shape), axis=axis, kind="stable")
        x = np.take_along_axis(x, order, axis=axis)
    return x


def permutation(key: Any, x: Any, axis: int = 0, independent: bool = False) -> np.ndarray:
    """A random permutation of ``range(x)`` (x an int) or of x's entries along ``axis``
    (``independent``: each slice along ``axis`` permuted on its own)."""
    key = check_key("permutation", key)
    x = np.asarray(plain(x))
    axis = normalize_axis_index(axis, x.ndim or 1)
    if not x.ndim:
        if not np.issubdtype(x.dtype, np.integer):
            raise TypeError("x must be an integer or at least 1-dimensional")
        return _shuffle(key, np.arange(int(x)), axis)
    if independent or x.ndim == 1:
        return _shuffle(key, x, axis)
    return np.take(x, _shuffle(key, np.arange(x.shape[axis]), 0), axis=axis)


# ---------------------------------------------------------------------------- categorical
def _top_k(x: np.ndarray, k: int) -> np.ndarray:
    """The indices of the k largest entries along the last axis, largest first (ties: the
    lower index first), as ``lax.top_k`` (whose indices are int32)."""
    return np.argsort(-x, axis=-1, kind="stable")[..., :k]


def choice(
    key: Any,
    a: Any,
    shape: Sequence[int] = (),
    replace: bool = True,
    p: Any = None,
    axis: int = 0,
    mode: str | None = None,
) -> np.ndarray:
    """Samples of ``a``'s entries along ``axis`` (of ``range(a)`` for an int), as JAX's:
    uniform indices by :func:`randint` (with replacement) or a :func:`permutation`'s first
    entries (without); with probabilities ``p``, inverse-CDF sampling on the cumulative sums
    (with replacement) or the Gumbel-top-k trick (without)."""
    key = check_key("choice", key)
    if not isinstance(shape, Sequence):
        raise TypeError(f"shape argument of jax.random.choice must be a sequence, got {shape}")
    arr = np.asarray(plain(a))
    if arr.ndim == 0:
        n_inputs = int(arr)
    else:
        axis = normalize_axis_index(axis, arr.ndim)
        n_inputs = arr.shape[axis]
    shape = canonical_shape(shape)
    n_draws = math.prod(shape)
    if n_draws == 0:
        return np.zeros(shape, dtype=arr.dtype)
    if n_inputs <= 0:
        raise ValueError("a must be greater than 0 unless no samples are taken")
    if not replace and n_draws > n_inputs:
        raise ValueError(
            f"Cannot take a larger sample (size {n_draws}) than population (size {n_inputs}) "
            "when 'replace=False'"
        )
    if p is None and replace:
        ind = randint(key, shape, 0, n_inputs)
    elif p is None:
        ind = _shuffle(key, np.arange(n_inputs), 0)[:n_draws]
    else:
        ind = _weighted_choice(key, float_array(p), n_inputs, shape, replace, mode)
    result = ind if arr.ndim == 0 else np.take(arr, ind, axis=axis)
    out_shape = shape if arr.ndim == 0 else arr.shape[:axis] + shape + arr.shape[axis + 1 :]
    return result.reshape(out_shape)


def _weighted_choice(
    key: np.ndarray, p: np.ndarray, n: int, shape: tuple[int, ...], replace: bool, mode: Any
) -> np.ndarray:
    """Indices drawn with probabilities ``p``: searchsorted(cumsum(p), P·(1 − u)), P the total
    (with replacement), or the largest Gumbel(0, 1) + log p (without)."""
    if p.shape != (n,):
        raise ValueError(
            "p must be None or a 1D vector with the same size as a.shape[axis]. "
            f"p has shape {p.shape} and a.shape[axis] is {n}."
        )
    if replace:
        cumulative = np.cumsum(p)
        r = cumulative[-1] * (p.dtype.type(1.0) - unit_floats(key, shape, p.dtype))
        return np.searchsorted(cumulative, r).astype(np.int64)
    with np.errstate(divide="ignore"):
        g = gumbel(key, (n,), p.dtype, mode) + _xla.log(p)
    return _top_k(g, math.prod(shape)).astype(np.int64)


def categorical(
    key: Any,
    logits: Any,
    axis: int = -1,
    shape: Shape | None = None,
    replace: bool = True,
    mode: str | None = None,
) -> np.ndarray:
    """Indices along ``axis`` drawn with probabilities softmax(logits): the Gumbel-max trick,
    argmax(logits + g) for g standard Gumbel (``replace=False``: the Gumbel-top-k trick, the k
    largest, k the leading part of ``shape``). ``shape`` defaults to the batch shape
    (``logits``' shape without ``axis``)."""
    key = check_key("categorical", key)
    logits = float_array(logits)
    batch_shape = tuple(np.delete(logits.shape, axis))
    shape = checked_shape("categorical", shape, batch_shape)
    prefix = shape[: len(shape) - len(batch_shape)]
    if replace:
        axis = axis - logits.ndim if axis >= 0 else axis
        draw_shape = list(shape[len(shape) - len(batch_shape) :])
        draw_shape.insert(axis % logits.ndim, logits.shape[axis])
        g = gumbel(key, (*prefix, *draw_shape), logits.dtype, mode)
        return np.argmax(g + logits.reshape((1,) * len(prefix) + logits.shape), axis=axis)
    k = math.prod(prefix)
    if k > logits.shape[axis]:
        raise ValueError(
            f"Number of samples without replacement ({k}) cannot exceed number of categories "
            f"({logits.shape[axis]})."
        )
    perturbed = logits + gumbel(key, logits.shape, logits.dtype, mode)
    indices = _top_k(np.moveaxis(perturbed, axis, -1), k)
    return np.moveaxis(indices, -1, 0).reshape(shape).astype(np.int32)
