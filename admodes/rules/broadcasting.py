"""Broadcasting and its transpose, summation: ``broadcast_to`` and ``sum``.

The VJP of broadcasting a value is summing its cotangent over the axes broadcasting added or
stretched (:func:`unbroadcast`); the VJP of a sum is broadcasting its cotangent back
(:func:`expand_reduced`). The two rules call each other, so they live together.

Axes are stored as a tuple of *negative* integers (``admodes.numpy`` normalises them). Counted from
the end, an axis names the same dimension in a value and in a batch of its tangents or cotangents
(whose direction axis leads), so one rule serves both.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from admodes.core import ndim, shape
from admodes.registry import defprim, input_size_cost
from admodes.rules.shape import batch_ndim, reshape


def align_batched(t: Any, nb: int, x_ndim: int, out_ndim: int) -> Any:
    """Insert unit axes behind the ``nb`` direction axes of ``t`` (a batch of tangents of a value
    of rank ``x_ndim``) so that NumPy's right-aligned broadcasting against a value of rank
    ``out_ndim`` pairs each of the value's axes with the output's, never with a direction axis."""
    if not nb or out_ndim <= x_ndim:
        return t
    ts = shape(t)
    return reshape(t, ts[:nb] + (1,) * (out_ndim - x_ndim) + ts[nb:])


def unbroadcast(g: Any, target: tuple[int, ...], nb: int = 0) -> Any:
    """Sum a cotangent over the axes broadcasting added or stretched: the VJP of broadcasting to
    ``g``'s shape from ``target``. The ``nb`` leading direction axes of a batch are kept."""
    gs = shape(g)
    if gs[nb:] == target:
        return g
    n = len(target)
    added = tuple(range(nb - len(gs), -n))
    stretched = tuple(i - n for i, d in enumerate(target) if d == 1 and gs[len(gs) - n + i] != 1)
    if not stretched:  # summing the added axes away leaves the batch axes and ``target``
        return sum(g, axis=added, keepdims=False)
    return reshape(sum(g, axis=added + stretched, keepdims=True), gs[:nb] + target)


def _broadcast_to_jvp(t: Any, ans: Any, x: Any, newshape: tuple[int, ...]) -> Any:
    nb = batch_ndim(t, x)
    t = align_batched(t, nb, ndim(x), len(newshape))
    return broadcast_to(t, shape(t)[:nb] + newshape)


broadcast_to = defprim(
    "broadcast_to",
    lambda x, newshape: np.broadcast_to(x, newshape),
    jvps=[_broadcast_to_jvp],
    vjps=[lambda g, ans, x, newshape: unbroadcast(g, shape(x), batch_ndim(g, ans))],
    batched_jvp=True,
    batched_vjp=True,
)


def keepdims_shape(x_shape: tuple[int, ...], axis: tuple[int, ...]) -> tuple[int, ...]:
    """``x_shape`` with each reduced axis set to 1."""
    n = len(x_shape)
    reduced = {a % n for a in axis} if n else set()
    return tuple(1 if i in reduced else d for i, d in enumerate(x_shape))


def expand_reduced(g: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    """A reduction's output (or a batch of its cotangents) broadcast back to the input's shape."""
    lead = shape(g)[: ndim(g) - (ndim(x) if keepdims else ndim(x) - len(axis))]
    if not keepdims:
        g = reshape(g, lead + keepdims_shape(shape(x), axis))
    return broadcast_to(g, lead + shape(x))


sum = defprim(
    "sum",
    lambda x, axis, keepdims: np.add.reduce(x, axis=axis, keepdims=keepdims),
    jvps=[lambda t, ans, x, axis, keepdims: sum(t, axis=axis, keepdims=keepdims)],
    vjps=[lambda g, ans, x, axis, keepdims: expand_reduced(g, x, axis, keepdims)],
    cost=input_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)
