"""``admodes.scipy.ndimage``: ``map_coordinates`` of order 0 (nearest) and 1 (linear), as
``jax.scipy.ndimage`` has it, differentiable by both engines in ``input`` and (order 1) in
``coordinates``.

The value at a point is a sum over the corners of the cell around it (one node per axis) of the
product of the nodes' weights times the input there (:func:`corner_sum`, which
:mod:`admodes.scipy.interpolate` shares). The indices are constants, computed from the
coordinates' values; the weights c − ⌊c⌋ and 1 − (c − ⌊c⌋) carry the derivative in c. Modes are
JAX's: ``constant`` and ``wrap`` interpolate past the edges, as SciPy's ``grid-constant`` and
``grid-wrap`` (SciPy's own ``constant`` and ``wrap`` do not); those SciPy names, and
``grid-mirror`` (SciPy's synonym of ``reflect``), are accepted too.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, numbers, plain, shape

__all__ = ["map_coordinates"]

#: One interpolation node along one axis: indices into that axis, their weight (None: 1), and
#: where they lie inside the array (None: everywhere, after the mode's index map).
Node = tuple[np.ndarray, Any, np.ndarray | None]


def corner_sum(values: Any, nodes: Sequence[Sequence[Node]], cval: Any = 0.0) -> Any:
    """Σ over the corners (one node per axis) of Πₐ wₐ · values[i₁, …, i_d], ``cval`` in place
    of values where a node lies outside; the weights broadcast over the trailing axes of values
    beyond the d interpolated. Multilinear interpolation with two nodes per axis, nearest with
    one node of weight 1."""
    trailing = (1,) * (ndim(values) - len(nodes))
    total = None
    for corner in itertools.product(*nodes):
        indices, weights, inside = zip(*corner, strict=True)
        term = anp.getitem(values, tuple(indices))
        masks = [m for m in inside if m is not None]
        if masks:
            term = anp.where(functools.reduce(np.logical_and, masks), term, cval)
        factors = [w for w in weights if w is not None]
        if factors:
            weight = functools.reduce(anp.multiply, factors)
            weight = anp.reshape(weight, shape(weight) + trailing) if trailing else weight
            term = anp.multiply(weight, term)
        total = term if total is None else anp.add(total, term)
    return total


def _round_half_away(x: np.ndarray) -> np.ndarray:
    """x rounded to the nearest integer, halves away from zero (JAX's ``lax.round``), exactly."""
    whole = np.trunc(x)
    return np.where(np.abs(x - whole) == 0.5, whole + np.sign(x), np.round(x))


_INT32 = np.iinfo(np.int32)


def _as_index(x: np.ndarray) -> np.ndarray:
    """x (whole numbers) as int32 indices, converted as XLA converts floats (so as JAX): nan to
    0, ±inf and beyond saturated at the int32 bounds; the modes' index arithmetic then wraps on
    overflow as JAX's does."""
    x = np.nan_to_num(x, nan=0.0, posinf=_INT32.max, neginf=_INT32.min)
    return np.clip(x, _INT32.min, _INT32.max).astype(np.int32)


def linear_nodes(lower: np.ndarray, fraction: Any) -> list[tuple[np.ndarray, Any]]:
    """The two nodes of linear interpolation at a fraction f of the way from index i to i + 1:
    i with weight 1 − f, i + 1 with weight f."""
    return [(lower, anp.subtract(1.0, fraction)), (lower + 1, fraction)]


def _mirror(index: np.ndarray, n: int) -> np.ndarray:
    """Indices reflected about 0 and n − 1 without repeating the edge (the triangular wave
    |(i + s) mod 2s − s|, s = n − 1)."""
    if n == 1:
        return np.zeros_like(index)
    s = n - 1
    return np.abs((index + s) % (2 * s) - s)


def _reflect(index: np.ndarray, n: int) -> np.ndarray:
    """Indices reflected about −½ and n − ½, repeating the edge:
    (mirror(2i + 1, 2n + 1) − 1) // 2."""
    return (_mirror(2 * index + 1, 2 * n + 1) - 1) // 2


def _clipped(index: np.ndarray, n: int) -> np.ndarray:
    """Indices clipped to 0 … n − 1 (the edge repeated)."""
    return np.clip(index, 0, n - 1)


#: JAX's modes: each maps an index along an axis of length n into 0 … n − 1 ("constant" clips
#: only to gather; its outside nodes take cval).
_INDEX_MAPS: dict[str, Callable[[np.ndarray, int], np.ndarray]] = {
    "constant": _clipped,
    "nearest": _clipped,
    "wrap": np.mod,
    "mirror": _mirror,
    "reflect": _reflect,
}
#: SciPy's names of JAX's modes.
_SCIPY_NAMES = {"grid-constant": "constant", "grid-wrap": "wrap", "grid-mirror": "reflect"}


def _nodes(coordinate: Any, order: int, n: int, mode: str) -> list[Node]:
    """The nodes of one axis of length n at ``coordinate``: round(c) with weight 1 (order 0);
    ⌊c⌋ and ⌊c⌋ + 1 with weights 1 − (c − ⌊c⌋) and c − ⌊c⌋ (order 1)."""
    c = numbers(coordinate)
    with np.errstate(invalid="ignore", over="ignore"):  # inf − inf, int32 wrap-around, as JAX
        if order == 0:
            raw = [(_as_index(_round_half_away(c)), None)]
        else:
            lower = np.floor(c)
            raw = linear_nodes(_as_index(lower), anp.subtract(coordinate, lower))
    inside = (lambda i: (i >= 0) & (i < n)) if mode == "constant" else (lambda i: None)
    return [(_INDEX_MAPS[mode](i, n), w, inside(i)) for i, w in raw]


def _checked_mode(mode: str) -> str:
    """``mode`` as one of JAX's names."""
    mode = _SCIPY_NAMES.get(mode, mode)
    if mode not in _INDEX_MAPS:
        raise ValueError(
            f"map_coordinates mode {mode!r} is not one of {sorted(_INDEX_MAPS)} (JAX's; 'constant' "
            f"and 'wrap' are SciPy's 'grid-constant' and 'grid-wrap', also accepted)"
        )
    return mode


def map_coordinates(
    input: Any, coordinates: Sequence[Any], order: int, mode: str = "constant", cval: Any = 0.0
) -> Any:
    """input interpolated at the points (coordinates[0][k], …, coordinates[d − 1][k]):
    Σ over the corners of Πₐ wₐ · input[i₁, …, i_d], with the nodes of :func:`_nodes` per axis,
    indices outside 0 … n − 1 mapped by ``mode`` (``constant``: cval there). The result has
    input's dtype (an integer input: rounded half away from zero, as JAX)."""
    if order not in (0, 1):
        raise NotImplementedError(
            f"map_coordinates supports order 0 (nearest) and 1 (linear), as JAX's; got {order!r}"
        )
    mode = _checked_mode(mode)
    input = anp.asarray(input)
    if ndim(input) == 0:
        raise ValueError("map_coordinates needs an input array of at least one dimension")
    if len(coordinates) != ndim(input):
        raise ValueError(
            "coordinates must be a sequence of length input.ndim (one array per axis), but "
            f"{len(coordinates)} != {ndim(input)}"
        )
    points = [anp.asarray(coordinates[a]) for a in range(len(coordinates))]
    nodes = [_nodes(c, order, n, mode) for c, n in zip(points, shape(input), strict=True)]
    result = corner_sum(input, nodes, cval)
    dtype = dtype_of(input)
    if dtype.kind in "iub":
        return _round_half_away(plain(result)).astype(dtype)
    return result if dtype_of(result) == dtype else anp.astype(result, dtype)
