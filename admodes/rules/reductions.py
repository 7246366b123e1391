"""Reductions that pick or accumulate entries: max, min, cumsum (``sum`` lives beside
``broadcast_to``, its transpose).

Axes are negative integers, so each rule serves one tangent and a batch of them alike.
``max``/``min`` split the derivative evenly among tied entries (JAX's chooser rule):
∂ = [x = ans] / #{x = ans}.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from admodes.core import numbers
from admodes.registry import defprim, input_size_cost
from admodes.rules.broadcasting import expand_reduced, keepdims_shape, sum
from admodes.rules.elementwise import divide, multiply
from admodes.rules.shape import flip


def _chosen(ans: Any, x: Any, axis: tuple[int, ...], keepdims: bool) -> tuple[Any, Any]:
    """Indicator of the entries that attain the max/min, and how many tie for each output.

    Both are constants (derivative zero), so they are computed on the numbers (at every index
    of a vmap at once).
    """
    x, ans = numbers(x), numbers(ans)
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
        batched_jvp=True,
        batched_vjp=True,
    )


max = _defchooser("max", np.max)
min = _defchooser("min", np.min)

cumsum = defprim(
    "cumsum",
    lambda x, axis: np.cumsum(x, axis=axis),
    jvps=[lambda t, ans, x, axis: cumsum(t, axis=axis)],
    vjps=[lambda g, ans, x, axis: flip(cumsum(flip(g, axis), axis=axis), axis)],
    cost=input_size_cost,
    batched_jvp=True,
    batched_vjp=True,
)
