"""PRNG keys: JAX's raw threefry key data (NumPy uint32 arrays of shape (..., 2)), made,
checked, split, folded and turned into bits as ``jax.random`` does."""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

from admodes.random import _threefry

__all__ = [
    "PRNGKey",
    "bits",
    "canonical_shape",
    "check_key",
    "clone",
    "fold_in",
    "key",
    "key_data",
    "key_impl",
    "split",
    "wrap_key_data",
]

Shape = Sequence[int]
KeyArray = np.ndarray
"""A key: uint32 data of shape (2,) (or (..., 2) for several keys), JAX's raw key data."""


def _key_data(name: str, key: Any) -> np.ndarray:
    """``key`` as a uint32 array of shape (..., 2), with JAX's errors for anything else."""
    dtype = getattr(key, "dtype", None)
    if dtype is not None and not isinstance(dtype, np.dtype):
        raise TypeError(
            f"{name}: got a typed JAX key (dtype {dtype}); admodes keys are JAX's raw key data, "
            "a uint32 array of shape (..., 2). Pass jax.random.key_data(k) (the same numbers as "
            "JAX's for k), or make the key with admodes.random.key(seed)."
        )
    try:
        data = np.asarray(key)
    except TypeError as e:
        raise TypeError(f"{name}: a key must be array-like, got {type(key).__name__}") from e
    if data.ndim < 1 or data.shape[-1] != 2:
        raise TypeError(
            "invalid PRNG key data: expected key_data.shape to end with (2,); got "
            f"shape={data.shape}. A key is a uint32 array of shape (2,): "
            "admodes.random.key(seed)."
        )
    if data.dtype != np.uint32:
        raise TypeError(
            f"invalid PRNG key data: expected key_data.dtype = uint32; got dtype={data.dtype}"
        )
    return data


def check_key(name: str, key: Any) -> np.ndarray:
    """``key`` as one key's uint32 data of shape (2,); ``name`` is the caller's, for errors."""
    data = _key_data(name, key)
    if data.ndim != 1:
        raise ValueError(
            f"{name} accepts a single key, but was given a key array of shape {data.shape[:-1]}"
            f" != (). Use admodes.vmap or a loop over the keys for batching."
        )
    return data


def canonical_shape(shape: int | Shape) -> tuple[int, ...]:
    """``shape`` as a tuple of nonnegative ints (an int n is (n,)), as JAX's shapes."""
    dims = (shape,) if isinstance(shape, int | np.integer) else tuple(shape)
    try:
        dims = tuple(operator.index(d) for d in dims)
    except TypeError as e:
        raise TypeError(f"shape {shape!r} must be a sequence of integers") from e
    if any(d < 0 for d in dims):
        raise ValueError(f"shape {shape!r} has a negative dimension")
    return dims


# ---------------------------------------------------------------------------- making keys
def _seed_key(name: str, seed: Any) -> np.ndarray:
    if getattr(seed, "dtype", None) is not None and not isinstance(seed.dtype, np.dtype):
        raise TypeError(f"{name} accepts a scalar seed, but was given a PRNG key.")
    if np.ndim(seed):
        raise TypeError(
            f"{name} accepts a scalar seed, but was given an array of shape {np.shape(seed)} "
            "!= (). Use admodes.vmap or a loop for batching"
        )
    value = np.int64(seed) if isinstance(seed, int) else np.asarray(seed)
    if not np.issubdtype(value.dtype, np.integer):
        raise TypeError(f"PRNG key seed must be an integer; got {seed!r}")
    return _threefry.seed(value)


def PRNGKey(seed: int | Any) -> KeyArray:
    """The key of an integer seed: uint32 (high word, low word) of the 64-bit seed (a seed
    with 32 bits or fewer: (0, seed)), negative seeds in two's complement; as JAX's
    ``jax.random.PRNGKey``. Python ints must fit in int64."""
    return _seed_key("PRNGKey", seed)


def key(seed: int | Any) -> KeyArray:
    """The key of an integer seed, as :func:`PRNGKey`. JAX's ``jax.random.key`` returns a typed
    key array (dtype ``key<fry>``) that wraps this data; admodes has one kind of key, the raw
    uint32 data, which ``jax.random.key_data(jax.random.key(seed))`` equals."""
    return _seed_key("key", seed)


def key_data(keys: Any) -> KeyArray:
    """The uint32 data of ``keys`` (shape (..., 2)): in admodes, the keys themselves."""
    return _key_data("key_data", keys)


def wrap_key_data(key_bits_array: Any) -> KeyArray:
    """Keys from their uint32 data of shape (..., 2): the data itself, checked (admodes keys are
    raw data; ``jax.random.wrap_key_data`` makes typed keys of it)."""
    return _key_data("wrap_key_data", key_bits_array)


def key_impl(keys: Any) -> str:
    """The name of the keys' generator: always ``"threefry2x32"``."""
    _key_data("key_impl", keys)
    return "threefry2x32"


def clone(key: Any) -> KeyArray:
    """``key`` itself (JAX's ``clone`` only matters to its key-reuse checker)."""
    return _key_data("clone", key)


# ---------------------------------------------------------------------------- deriving keys
def split(key: Any, num: int | Shape = 2) -> KeyArray:
    """``num`` new keys from ``key`` (``num`` an int, or a shape of keys): shape
    ``(*num, 2)``. New key i encrypts the counter i with ``key`` (Threefry-2x32)."""
    data = check_key("split", key)
    return _threefry.split(data, canonical_shape(num))


def fold_in(key: Any, data: Any) -> KeyArray:
    """A new key from ``key`` and a 32-bit integer ``data``: the encryption of the counter
    (0, data) with ``key`` (Threefry-2x32)."""
    key_ = check_key("fold_in", key)
    if np.ndim(data):
        raise TypeError(
            "fold_in accepts a scalar, but was given an array of shape "
            f"{np.shape(data)} != (). Use admodes.vmap or a loop for batching."
        )
    return _threefry.fold_in(key_, np.asarray(data, dtype=np.uint32))


def bits(key: Any, shape: int | Shape = (), dtype: Any = None) -> np.ndarray:
    """Uniformly random unsigned integers of ``shape`` and ``dtype`` (uint8, 16, 32, or 64, the
    default as JAX's with 64-bit types enabled): Threefry-2x32 of the counters 0, 1, … (C
    order), the two words xor'ed (32 bits and fewer, truncated) or joined (64 bits)."""
    data = check_key("bits", key)
    dtype = np.dtype(np.uint64 if dtype is None else dtype)
    if dtype.kind != "u":
        raise ValueError(f"dtype argument to `bits` must be an unsigned int dtype, got {dtype}")
    return _threefry.random_bits(data, dtype.itemsize * 8, canonical_shape(shape))
