"""Threefry-2x32, JAX's default random bit generator, and JAX's key operations on it.

Threefry-2x32 (Salmon, Moraes, Dror and Shaw, "Parallel random numbers: as easy as 1, 2, 3",
SC 2011) is a counter-based generator: a key (k₀, k₁) of two 32-bit words encrypts a counter
(x₀, x₁) of two 32-bit words into two random words, with no state. Its 20 rounds each mix the
words as x₀ ← x₀ + x₁, x₁ ← (x₁ ⋘ r) ⊕ x₀ (addition modulo 2³², rotation left by r), with the
rotations r = 13, 15, 26, 6 and 17, 29, 16, 24 in alternate groups of four; before the first
group and after each, the key schedule k₀, k₁, k₂ = k₀ ⊕ k₁ ⊕ 0x1BD11BDA is added (rotated one
place each time), with the group's number added to x₁.

JAX's operations, in its default ("partitionable") mode, on a key's raw data (uint32 (..., 2)):

- ``random_bits(key, width, shape)``: element i of ``shape`` (in C order) encrypts the 64-bit
  counter i split as (i >> 32, i mod 2³²): 32-bit words are x₀ ⊕ x₁, 64-bit ones x₀·2³² + x₁,
  8- and 16-bit ones the low bits of x₀ ⊕ x₁;
- ``split(key, shape)``: key i is the pair (x₀, x₁) of counter i;
- ``fold_in(key, data)``: the pair for counter (0, data) (so ``split(key, n)[d]`` for d < n);
- ``seed(s)``: the 64-bit seed's high and low words (a seed of 32 bits or fewer: (0, s)).
"""

from __future__ import annotations

import math

import numpy as np

__all__ = ["fold_in", "random_bits", "seed", "split", "threefry2x32"]

_ROTATIONS = ((13, 15, 26, 6), (17, 29, 16, 24))
_PARITY = np.uint32(0x1BD11BDA)
_UINT = {8: np.uint8, 16: np.uint16, 32: np.uint32, 64: np.uint64}


def _rotate_left(x: np.ndarray, r: int) -> np.ndarray:
    return (x << np.uint32(r)) | (x >> np.uint32(32 - r))


def threefry2x32(
    k0: np.ndarray, k1: np.ndarray, x0: np.ndarray, x1: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """The two words Threefry-2x32 encrypts the counters (x₀, x₁) into under the keys
    (k₀, k₁): uint32 arrays, broadcast together (see the module's text)."""
    words = [np.asarray(v, dtype=np.uint32) for v in (k0, k1, x0, x1)]
    shape = np.broadcast_shapes(*(w.shape for w in words))
    k0, k1, x0, x1 = (np.broadcast_to(w, shape).ravel() for w in words)  # 1-D: no scalar math
    keys = (k0, k1, k0 ^ k1 ^ _PARITY)
    x = [x0 + keys[0], x1 + keys[1]]
    for group in range(5):
        for r in _ROTATIONS[group % 2]:
            x[0] = x[0] + x[1]
            x[1] = _rotate_left(x[1], r) ^ x[0]
        x[0] = x[0] + keys[(group + 1) % 3]
        x[1] = x[1] + keys[(group + 2) % 3] + np.uint32(group + 1)
    return x[0].reshape(shape), x[1].reshape(shape)


def _counters(shape: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The 64-bit counters 0, 1, … of ``shape`` (C order) as (high, low) uint32 words."""
    i = np.arange(math.prod(shape), dtype=np.uint64).reshape(shape)
    return (i >> np.uint64(32)).astype(np.uint32), (i & np.uint64(0xFFFFFFFF)).astype(np.uint32)


def _encrypted_counters(keys: np.ndarray, shape: tuple[int, ...]) -> tuple[np.ndarray, ...]:
    """(x₀, x₁) of the counters of ``shape`` under each key of ``keys`` (..., 2): arrays of
    shape ``keys.shape[:-1] + shape``."""
    expand = (..., *(None,) * len(shape))
    return threefry2x32(keys[..., 0][expand], keys[..., 1][expand], *_counters(shape))


def random_bits(keys: np.ndarray, width: int, shape: tuple[int, ...]) -> np.ndarray:
    """Random unsigned integers of ``width`` bits and ``shape``, for each key of ``keys``
    (..., 2): shape ``keys.shape[:-1] + shape`` (see the module's text)."""
    x0, x1 = _encrypted_counters(keys, shape)
    if width == 64:
        return (x0.astype(np.uint64) << np.uint64(32)) | x1.astype(np.uint64)
    return (x0 ^ x1).astype(_UINT[width])


def split(keys: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """New keys of ``shape`` from each key of ``keys``: ``keys.shape[:-1] + shape + (2,)``."""
    x0, x1 = _encrypted_counters(keys, shape)
    return np.stack([x0, x1], axis=-1)


def fold_in(key: np.ndarray, data: int) -> np.ndarray:
    """The key (2,) with the 32-bit word ``data`` folded in."""
    x0, x1 = threefry2x32(key[0], key[1], 0, data)
    return np.array([x0, x1], dtype=np.uint32)


def seed(value: np.ndarray) -> np.ndarray:
    """The key of an integer seed: its 64 bits as (high word, low word), a seed of 32 bits or
    fewer zero-extended (negative seeds in two's complement)."""
    value = np.asarray(value)
    if value.dtype.itemsize == 8:
        bits = int(value.astype(np.uint64))
        return np.array([bits >> 32, bits & 0xFFFFFFFF], dtype=np.uint32)
    return np.array([0, int(value) & 0xFFFFFFFF], dtype=np.uint32)
