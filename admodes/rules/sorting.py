"""Sorting: ``sort`` along an axis.

Its derivative permutes, as JAX's: with p the permutation a *stable* sort of the primal makes
(ties keep their order), ``ans = x[p]``, so the JVP gathers the tangent, ``t[p]``, and the VJP
gathers the cotangent by the inverse permutation, ``g[p⁻¹]``. The permutation is a constant
(computed on the numbers): it has no derivative of its own.

Cost: n·log₂ n comparisons per sorted line of length n.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from admodes.core import numbers, shape, size
from admodes.registry import defprim
from admodes.rules.shape import along_axis, batch_ndim, gathered


def _order(x: Any, axis: int) -> np.ndarray:
    """The stable sort's permutation of x along ``axis`` (of its numbers: at every index of a
    vmap at once)."""
    return np.argsort(numbers(x), axis=axis, kind="stable")


def _sorted_index(x: Any, axis: int) -> tuple:
    """``x[_sorted_index(x, axis)]`` is x sorted along ``axis``."""
    return along_axis(_order(x, axis), axis, shape(x))


def _unsorted_index(x: Any, axis: int) -> tuple:
    """The inverse permutation: ``sort(x)[_unsorted_index(x, axis)]`` is x."""
    return along_axis(np.argsort(_order(x, axis), axis=axis, kind="stable"), axis, shape(x))


def _sort_cost(ans: Any, x: Any, axis: int) -> int:
    n = shape(x)[axis]
    return math.ceil(size(x) * math.log2(n)) if n > 1 else 0


sort = defprim(
    "sort",
    lambda x, axis: np.sort(x, axis=axis, kind="stable"),
    jvps=[lambda t, ans, x, axis: gathered(t, batch_ndim(t, x), _sorted_index(x, axis))],
    vjps=[lambda g, ans, x, axis: gathered(g, batch_ndim(g, ans), _unsorted_index(x, axis))],
    cost=_sort_cost,
    batched_jvp=True,
    batched_vjp=True,
)
