"""Functional index updates, JAX's way: ``x.at[index].set(v)`` (also ``.add``, ``.multiply``,
``.min``, ``.max``, ``.get``) returns a new value, since ``x[index] = v`` cannot be traced; and
``put_along_axis(arr, indices, values, axis, inplace=False)``.

Any index NumPy accepts works (ints, slices, ``None``, ``...``, integer arrays, boolean masks).
``values`` broadcast to the shape of ``x[index]`` and are converted to x's dtype. With repeated
indices, ``add`` accumulates, ``multiply`` multiplies every factor in, ``min``/``max`` keep the
extreme value, and ``set`` keeps the last write, as NumPy's assignment does (JAX leaves it
unspecified; its CPU backend also keeps the last). Derivatives:

- ``set``: x's derivative where it is not overwritten, each winning value's where it lands,
- ``add``: both derivatives pass unchanged,
- ``multiply``: the product rule over x and every factor at the position,
- ``min`` / ``max``: split evenly among x and the values that tie for the result (JAX's rule).
"""

from __future__ import annotations

from typing import Any

import numpy as _np

from admodes.core import Traced, dtype_of, ndim, plain, shape, size
from admodes.numpy._functions import (
    _axes,
    add,
    astype,
    broadcast_to,
    full_index,
    getitem,
    like_inputs,
    multiply,
    ravel,
    reshape,
    where,
)
from admodes.rules.shape import along_axis, scatter_add


class IndexUpdates:
    """``x.at``: indexing it, ``x.at[index]``, names the entries an update changes."""

    __slots__ = ("x",)

    def __init__(self, x: Any) -> None:
        self.x = x

    def __getitem__(self, index: Any) -> IndexUpdate:
        return IndexUpdate(self.x, index)


class IndexUpdate:
    """``x.at[index]``: each method returns x with the entries at ``index`` updated."""

    __slots__ = ("index", "x")

    def __init__(self, x: Any, index: Any) -> None:
        self.x = x
        self.index = index

    def get(self) -> Any:
        """x[index]."""
        return getitem(self.x, self.index)

    def set(self, values: Any) -> Any:
        """x with ``values`` written at ``index`` (repeated indices: the last write wins)."""
        return self._like_x(_Update(self.x, self.index, values).placed(self.x, "last"))

    def add(self, values: Any) -> Any:
        """x with ``values`` added at ``index`` (repeated indices accumulate)."""
        u = _Update(self.x, self.index, values)
        return self._like_x(
            add(self.x, scatter_add(u.values, index=u.index, x_shape=shape(self.x)))
        )

    def multiply(self, values: Any) -> Any:
        """x with its entries at ``index`` multiplied by ``values`` (every repeated factor)."""
        u = _Update(self.x, self.index, values)
        ones = _np.ones(shape(self.x), dtype=dtype_of(self.x))
        out = self.x
        for r in range(int(u.occurrence.max(initial=-1)) + 1):
            out = multiply(out, u.placed(ones, r))
        return self._like_x(out)

    def min(self, values: Any) -> Any:
        """x with its entries at ``index`` replaced by the smaller of them and ``values``."""
        return self._like_x(_Update(self.x, self.index, values).extremal(self.x, _np.minimum))

    def max(self, values: Any) -> Any:
        """x with its entries at ``index`` replaced by the larger of them and ``values``."""
        return self._like_x(_Update(self.x, self.index, values).extremal(self.x, _np.maximum))

    def _like_x(self, out: Any) -> Any:
        """A plain result in x's dtype (JAX converts the values to it, and the scatter computes
        in floats) and x's array type (an ``anp.Array``'s result keeps ``.at``, to chain)."""
        if isinstance(out, Traced):
            return out
        return like_inputs(_np.asarray(out).astype(dtype_of(self.x), copy=False), (self.x,))


class _Update:
    """The values of one update, broadcast to the shape of x[index] and converted to x's dtype,
    with the flat positions in x they go to and, for each, which write to its position it is."""

    def __init__(self, x: Any, index: Any, values: Any) -> None:
        self.index = full_index(index, ndim(x))
        self.x_shape = shape(x)
        self.positions = _np.arange(size(x)).reshape(self.x_shape)[self.index]
        if dtype_of(values) != dtype_of(x):
            values = astype(values, dtype_of(x))
        self.values = broadcast_to(values, self.positions.shape)
        self.occurrence = _occurrences(self.positions.ravel()).reshape(self.positions.shape)
        self.writes = _np.bincount(self.positions.ravel(), minlength=size(x)).reshape(self.x_shape)

    def placed(self, base: Any, which: int | str) -> Any:
        """``base`` with the values of one round of writes in place: round ``which`` (the r-th
        write to each position), or ``"last"`` (the last write to each position)."""
        if which == "last":
            chosen = self.occurrence == self.writes.ravel()[self.positions] - 1
        else:
            chosen = self.occurrence == which
        values = self.values if chosen.all() else where(chosen, self.values, 0.0)
        written = _np.zeros(size(base), dtype=bool)
        written[self.positions[chosen]] = True
        scattered = scatter_add(values, index=self.index, x_shape=self.x_shape)
        return where(written.reshape(self.x_shape), scattered, base)

    def extremal(self, x: Any, pick: _np.ufunc) -> Any:
        """x combined with the values by ``pick`` (np.minimum, np.maximum), the derivative split
        evenly among the entries that attain each result (NaN attains a NaN result)."""
        result = _np.array(plain(x), copy=True)
        pick.at(result, self.index, plain(self.values))
        at_positions = result.ravel()[self.positions]
        x_hits = _attains(plain(x), result)
        value_hits = _attains(plain(self.values), at_positions)
        ties = x_hits + _np.bincount(self.positions[value_hits], minlength=size(x)).reshape(
            self.x_shape
        )
        share_x = _np.where(x_hits, 1.0 / ties, 1.0).astype(dtype_of(x))
        share_values = _np.where(value_hits, 1.0 / ties.ravel()[self.positions], 1.0)
        share_values = share_values.astype(dtype_of(x))
        from_values = where(value_hits, multiply(self.values, share_values), 0.0)
        return add(
            where(x_hits, multiply(x, share_x), 0.0),
            scatter_add(from_values, index=self.index, x_shape=self.x_shape),
        )


def _occurrences(positions: _np.ndarray) -> _np.ndarray:
    """Which write to its position each entry of ``positions`` is: 0 for the first, 1 for the
    second, ... (in order: a stable sort groups the writes, each counts from its group's start)."""
    order = _np.argsort(positions, kind="stable")
    grouped = positions[order]
    occurrences = _np.empty_like(positions)
    occurrences[order] = _np.arange(positions.size) - _np.searchsorted(grouped, grouped)
    return occurrences


def _attains(a: _np.ndarray, result: _np.ndarray) -> _np.ndarray:
    """Where the entries of a equal the result (both NaN counts as equal)."""
    return (a == result) | (_np.isnan(a) & _np.isnan(result))


def put_along_axis(
    arr: Any, indices: Any, values: Any, axis: int | None, inplace: bool = True
) -> Any:
    """arr with ``values`` written at ``indices`` along ``axis`` (the places
    ``take_along_axis(arr, indices, axis)`` reads), as JAX's: ``inplace=False`` is required,
    since admodes values are immutable."""
    if inplace:
        raise ValueError(
            "put_along_axis: admodes cannot update an array in place (a traced value is "
            "immutable). Call `anp.put_along_axis(arr, indices, values, axis, inplace=False)`, "
            "which returns the updated array, as in JAX."
        )
    if axis is None:
        updated = put_along_axis(ravel(arr), indices, values, 0, inplace=False)
        return reshape(updated, shape(arr))
    index = _np.asarray(plain(indices))
    return IndexUpdate(arr, along_axis(index, _axes(axis, ndim(arr))[0], shape(arr))).set(values)
