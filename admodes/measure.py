"""What a function costs by itself: :func:`cost`.

On plain NumPy arrays a Python operator (``A @ x``, ``x * y``) is NumPy's own and never reaches
the registry, so ``count()`` around a plain call misses it. :func:`cost` runs the function once
with its floating-point arguments traced on a tape (the recording phase of :func:`admodes.vjp`,
never followed by a backward pass), so every op dispatches to the registry and is charged.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from admodes.counting import Counts, count
from admodes.reverse import vjp
from admodes.tree import flatten, unflatten

__all__ = ["cost", "counted"]


def is_float_leaf(value: Any, complex_ok: bool = False) -> bool:
    """Whether ``value`` is a real floating-point scalar or array, or with ``complex_ok`` a
    complex one (a leaf a transform can trace)."""
    if isinstance(value, bool | int):
        return False
    if isinstance(value, complex):
        return complex_ok
    if not isinstance(value, float | np.ndarray | np.generic):
        return False
    kind = np.result_type(value).kind
    return kind == "f" or (complex_ok and kind == "c")


def cost(f: Callable[..., Any], *args: Any) -> Counts:
    """The cost of ``f(*args)`` itself, as :func:`admodes.count` reports it.

    Every floating-point or complex leaf of ``args`` (floats, float and complex arrays, inside
    pytrees too) is traced;
    other leaves (integers, boolean masks, labels) are passed as they are. The counts are those of
    the recorded evaluation: ``ops``, ``flops``, ``by_op`` and ``by_phase`` (all ``"primal"``
    unless ``f`` runs transforms of its own) and ``peak_tangent_bytes``. ``peak_saved_bytes`` is
    0: the recording that routes the operators to the registry is not part of ``f``'s cost.

    >>> cost(lambda A, x: np.sum(np.tanh(A @ x)), A, x).flops   # matmul 2·m·n, tanh m, sum m
    """
    leaves, treedef = flatten(args)
    traced = [i for i, leaf in enumerate(leaves) if is_float_leaf(leaf, complex_ok=True)]

    def on_traced(*values: Any) -> Any:
        call = list(leaves)
        for i, v in zip(traced, values, strict=True):
            call[i] = v
        return f(*unflatten(treedef, call))

    _, counts = counted(lambda: vjp(on_traced, *(leaves[i] for i in traced)))
    return dataclasses.replace(counts, peak_saved_bytes=0)


def counted(call: Callable[[], Any]) -> tuple[Any, Counts]:
    """``call()`` under :func:`admodes.count`, with the byte peaks taken above what other live
    tapes and tangents already held when it started."""
    with count() as counts:
        saved, tangents = counts.peak_saved_bytes, counts.peak_tangent_bytes
        result = call()
    return result, dataclasses.replace(
        counts,
        peak_saved_bytes=counts.peak_saved_bytes - saved,
        peak_tangent_bytes=counts.peak_tangent_bytes - tangents,
    )
