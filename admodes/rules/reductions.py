"""Reductions: sum, max, min, cumsum.

Axes are stored as a tuple of *negative* integers (``admodes.numpy`` normalises them). Counted from
the end, an axis names the same dimension in a value and in a batched tangent (whose extra
direction axis leads), so one rule serves both.

``max``/``min`` split the derivative evenly among tied entries (JAX's chooser rule):
∂ = [x = ans] / #{x = ans}.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from admodes.registry import defprim, input_size_cost, shape
from admodes.rules.elementwise import divide, multiply
from admodes.rules.shape import broadcast_to, flip, reshape
from admodes.traced import plain


def keepdims_shape(x_shape: tuple[int, ...], axis: tuple[int, ...]) -> tuple[int, ...]:
    """``x_shape`` with each reduced axis set to 1."""
    n = len(x_shape)
    reduced = {a % n for a in axis} if n else set()
    return tuple(1 if i in reduced else d for i, d in enumerate(x_shape))


def expand_reduced(g: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    """A reduction's output (or cotangent) broadcast back to the input's shape."""
    if not keepdims:
        g = reshape(
            g, shape(g)[: len(shape(g)) - _out_ndim(x, axis)] + keepdims_shape(shape(x), axis)
        )
    return broadcast_to(g, shape(g)[: len(shape(g)) - len(shape(x))] + shape(x))


def _out_ndim(x: Any, axis: tuple[int, ...]) -> int:
    return len(shape(x)) - len(axis)


sum = defprim(
    "sum",
    lambda x, axis, keepdims: np.sum(x, axis=axis, keepdims=keepdims),
    jvps=[lambda t, ans, x, axis, keepdims: sum(t, axis=axis, keepdims=keepdims)],
    vjps=[lambda g, ans, x, axis, keepdims: expand_reduced(g, x, axis, keepdims)],
    cost=input_size_cost,
)


def _chosen(ans: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> tuple[Any, Any]:
    """Indicator of the entries that attain the max/min, and how many tie for each output.

    Both are constants (derivative zero), so they are computed on plain values.
    """
    x, ans = plain(x), plain(ans)
    if not keepdims:
        ans = np.reshape(ans, keepdims_shape(np.shape(x), axis))
    chosen = (x == ans) * 1.0
    return chosen, np.sum(chosen, axis=axis, keepdims=keepdims)


def _chooser_jvp(t: Any, ans: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    chosen, counts = _chosen(ans, x, axis, keepdims)
    return divide(sum(multiply(t, chosen), axis=axis, keepdims=keepdims), counts)


def _chooser_vjp(g: Any, ans: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    chosen, counts = _chosen(ans, x, axis, keepdims)
    return multiply(expand_reduced(divide(g, counts), x, axis, keepdims), chosen)


def _defchooser(name: str, np_fn: Any) -> Any:
    """A reduction that picks entries (max, min): the derivative goes to the picked ones."""
    return defprim(
        name,
        lambda x, axis, keepdims: np_fn(x, axis=axis, keepdims=keepdims),
        jvps=[_chooser_jvp],
        vjps=[_chooser_vjp],
        cost=input_size_cost,
    )


max = _defchooser("max", np.max)
min = _defchooser("min", np.min)

cumsum = defprim(
    "cumsum",
    lambda x, axis: np.cumsum(x, axis=axis),
    jvps=[lambda t, ans, x, axis: cumsum(t, axis=axis)],
    vjps=[lambda g, ans, x, axis: flip(cumsum(flip(g, axis), axis=axis), axis)],
    cost=input_size_cost,
)
