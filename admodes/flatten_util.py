"""``ravel_pytree``: a tree of parameters as one flat vector and back, as
``jax.flatten_util.ravel_pytree`` (for optimizers that take a vector, such as
``scipy.optimize.minimize``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, shape, size
from admodes.tree import flatten, unflatten

__all__ = ["ravel_pytree"]


def ravel_pytree(tree: Any) -> tuple[Any, Callable[[Any], Any]]:
    """``(flat, unravel)``: ``flat`` is every leaf raveled, in order, concatenated in their
    promoted dtype; ``unravel(v)`` rebuilds the tree from such a vector, each leaf with its
    shape and dtype. Both differentiate, so ``grad(lambda v: loss(unravel(v)))`` is the flat
    gradient."""
    leaves, treedef = flatten(tree)
    shapes = [shape(x) for x in leaves]
    dtypes = [dtype_of(x) for x in leaves]
    dtype = np.result_type(*dtypes) if leaves else np.dtype(np.float64)
    ends = np.cumsum([size(x) for x in leaves], dtype=int).tolist()
    if leaves:
        flat = anp.concatenate([anp.ravel(x) for x in leaves])
        flat = anp.astype(flat, dtype, copy=False)
    else:
        flat = np.zeros(0, dtype)

    def unravel(v: Any) -> Any:
        total = ends[-1] if ends else 0
        if shape(v) != (total,):
            raise ValueError(
                f"unravel takes a vector of shape ({total},), as ravel_pytree gave; "
                f"got shape {shape(v)}"
            )
        parts = []
        for start, end, s, d in zip([0, *ends][:-1], ends, shapes, dtypes, strict=True):
            part = anp.reshape(anp.getitem(v, slice(start, end)), s)
            parts.append(anp.astype(part, d, copy=False))
        return unflatten(treedef, parts)

    return flat, unravel
