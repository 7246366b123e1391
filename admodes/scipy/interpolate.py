"""``admodes.scipy.interpolate``: ``RegularGridInterpolator`` (methods ``linear`` and
``nearest``, as ``jax.scipy.interpolate`` has it), differentiable by both engines in the values,
the query points and the grid.

The interpolant at a point is :func:`admodes.scipy.ndimage.corner_sum` over the cell holding it:
along each axis, the segment gᵢ ≤ x ≤ gᵢ₊₁ (i = searchsorted(g, x) − 1, clipped to the first and
last segments, as JAX and SciPy), at the fraction t = (x − gᵢ)/(gᵢ₊₁ − gᵢ). The segments are
constants found from the values of x and g; t carries the derivative. Points outside the grid
get ``fill_value`` (derivative 0), or with ``fill_value=None`` the extrapolated end segments.
Unlike JAX's, and as SciPy's, a descending axis is reversed (with values) instead of giving wrong
numbers, ``bounds_error=True`` raises for points outside, and an axis of one point is allowed.
The interpolator is not a pytree: build it inside the function that is differentiated.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, plain, shape
from admodes.scipy.ndimage import Node, corner_sum, linear_nodes

__all__ = ["RegularGridInterpolator"]

_METHODS = ("linear", "nearest")
#: SciPy's other methods (splines), which JAX and admodes do not have.
_SPLINES = ("slinear", "cubic", "quintic", "pchip")


def _checked_method(method: str) -> str:
    """``method``, one of JAX's."""
    if method in _SPLINES:
        raise NotImplementedError(
            f"RegularGridInterpolator method {method!r} is not implemented (as in JAX): use "
            "'linear' or 'nearest'"
        )
    if method not in _METHODS:
        raise ValueError(f"Method {method!r} is not defined (use 'linear' or 'nearest')")
    return method


def _ascending(axis: int, points: Any, values: Any) -> tuple[Any, Any]:
    """The grid of one axis, 1-D with one point per value, strictly ascending: a descending one
    reversed, with values along that axis."""
    points = anp.asarray(points)
    if ndim(points) != 1:
        raise ValueError(f"The points in dimension {axis} must be 1-dimensional")
    if len(points) != shape(values)[axis]:
        raise ValueError(
            f"There are {len(points)} points and {shape(values)[axis]} values in dimension {axis}"
        )
    step = np.diff(plain(points))
    if np.all(step > 0):
        return points, values
    if np.all(step < 0):
        return anp.flip(points), anp.flip(values, axis)
    raise ValueError(f"The points in dimension {axis} must be strictly ascending or descending")


def _query_points(xi: Any, d: int) -> Any:
    """The query points as an array (..., d): a tuple of d coordinate arrays broadcast and
    stacked last; a 1-D array read as points of d coordinates each."""
    if isinstance(xi, tuple) and len(xi) == 1:
        xi = xi[0]
    if isinstance(xi, tuple):
        return anp.stack(anp.broadcast_arrays(*xi), axis=-1)
    xi = anp.asarray(xi)
    xi = anp.reshape(xi, (-1, d)) if ndim(xi) == 1 else xi
    if shape(xi)[-1] != d:
        raise ValueError(
            f"The requested sample points xi have dimension {shape(xi)[-1]} but this "
            f"RegularGridInterpolator has dimension {d}"
        )
    return xi


class RegularGridInterpolator:
    """Interpolation of ``values`` on the rectilinear grid ``points`` (one 1-D array per leading
    axis of values; trailing axes are carried along), SciPy's signature with JAX's defaults
    (``bounds_error=False``, ``fill_value=nan``)."""

    def __init__(
        self,
        points: Any,
        values: Any,
        method: str = "linear",
        bounds_error: bool = False,
        fill_value: Any = np.nan,
    ) -> None:
        self.method = _checked_method(method)
        values = anp.asarray(values)
        if dtype_of(values).kind not in "fc":
            values = anp.astype(values, np.float64)
        if len(points) > ndim(values):
            raise ValueError(
                f"there are {len(points)} point arrays, but values has {ndim(values)} dimensions"
            )
        grid = []
        for axis, p in enumerate(points):
            p, values = _ascending(axis, p, values)
            grid.append(p)
        if fill_value is not None and not np.can_cast(
            np.result_type(plain(fill_value)), dtype_of(values), "same_kind"
        ):
            raise ValueError("fill_value must be either 'None' or of a type compatible with values")
        self.grid, self.values = tuple(grid), values
        self.bounds_error, self.fill_value = bounds_error, fill_value

    def __call__(self, xi: Any, method: str | None = None) -> Any:
        """The interpolant at the points xi (..., d): corner_sum of the values over each point's
        cell, ``fill_value`` outside the grid; shape xi.shape[:-1] + the trailing axes."""
        method = self.method if method is None else _checked_method(method)
        d = len(self.grid)
        xi = _query_points(xi, d)
        flat = anp.reshape(xi, (-1, d))
        outside = np.zeros(shape(flat)[0], dtype=bool)
        nodes = []
        for axis, g in enumerate(self.grid):
            x = anp.getitem(flat, (slice(None), axis))
            off = (plain(x) < plain(g)[0]) | (plain(x) > plain(g)[-1])
            if self.bounds_error and off.any():
                raise ValueError(f"One of the requested xi is out of bounds in dimension {axis}")
            outside |= off
            nodes.append(self._nodes(x, g, method))
        result = corner_sum(self.values, nodes)
        if self.fill_value is not None:
            mask = outside.reshape(shape(outside) + (1,) * (ndim(result) - 1))
            result = anp.where(mask, self.fill_value, result)
        return anp.reshape(result, shape(xi)[:-1] + shape(self.values)[d:])

    @staticmethod
    def _nodes(x: Any, g: Any, method: str) -> list[Node]:
        """The nodes of one axis at x: the ends of its segment, weighted 1 − t and t (linear);
        the nearer end, the lower one at t = ½ (nearest); the one point of a one-point axis."""
        px, pg = plain(x), plain(g)
        if len(pg) == 1:
            return [(np.zeros(len(px), dtype=np.intp), None, None)]
        i = np.clip(np.searchsorted(pg, px) - 1, 0, len(pg) - 2)
        lower, upper = anp.take(g, i), anp.take(g, i + 1)
        t = anp.divide(anp.subtract(x, lower), anp.subtract(upper, lower))
        if method == "nearest":
            return [(np.where(plain(t) <= 0.5, i, i + 1), None, None)]
        return [(index, weight, None) for index, weight in linear_nodes(i, t)]
