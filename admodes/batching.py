"""``vmap``: a function mapped over an axis of its arguments, with ``jax.vmap``'s semantics.

JAX vectorizes the function into batched primitives; admodes calls it once per index along the
mapped axis and stacks the results, so a mapped function is correct in every transform (per-example
gradients are ``vmap(grad(loss), in_axes=(None, 0))``) but costs n calls: for speed, write the
batch into the function with ``admodes.numpy``'s broadcasting instead.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Sequence
from typing import Any

import admodes.numpy as anp
from admodes import tree
from admodes.core import ndim, shape

__all__ = ["vmap"]

Axis = int | None


def vmap(
    fun: Callable[..., Any],
    in_axes: Axis | Sequence[Axis] = 0,
    out_axes: int = 0,
    axis_size: int | None = None,
) -> Callable[..., Any]:
    """``fun`` mapped over an axis: ``in_axes`` gives, for all positional arguments or for each
    one, the axis of every leaf that is mapped (None: passed whole to each call); keyword
    arguments are mapped over axis 0, as in JAX. The results are stacked along ``out_axes``."""
    if not isinstance(out_axes, int):
        raise TypeError(
            f"admodes.vmap takes out_axes as one int for every output, got {out_axes!r}"
        )

    @functools.wraps(fun)
    def mapped(*args: Any, **kwargs: Any) -> Any:
        axes = _per_argument(in_axes, len(args))
        n = _size(args, axes, kwargs, axis_size)
        outs = [
            fun(
                *(a if ax is None else _slice(a, ax, i) for a, ax in zip(args, axes, strict=True)),
                **{k: _slice(v, 0, i) for k, v in kwargs.items()},
            )
            for i in range(n)
        ]
        return tree.map(lambda *per_call: anp.stack(per_call, axis=out_axes), *outs)

    return mapped


def _per_argument(in_axes: Axis | Sequence[Axis], n_args: int) -> list[Axis]:
    """One axis (or None) per positional argument."""
    if in_axes is None or isinstance(in_axes, int):
        return [in_axes] * n_args
    if not isinstance(in_axes, tuple | list) or len(in_axes) != n_args:
        raise ValueError(
            f"vmap: in_axes must be an int, None, or a tuple with one entry per positional "
            f"argument ({n_args}), got {in_axes!r}"
        )
    for ax in in_axes:
        if not (ax is None or isinstance(ax, int)):
            raise TypeError(
                f"admodes.vmap takes one axis (an int or None) per argument, got {ax!r}: to map "
                "some leaves of an argument and not others, split it into two arguments"
            )
    return list(in_axes)


def _size(args: tuple, axes: list[Axis], kwargs: dict, axis_size: int | None) -> int:
    """The length of the mapped axis, the same for every mapped leaf."""
    mapped = [(a, ax) for a, ax in zip(args, axes, strict=True) if ax is not None]
    mapped += [(v, 0) for v in kwargs.values()]
    sizes = set()
    for value, ax in mapped:
        for leaf in tree.leaves(value):
            if not -ndim(leaf) <= ax < ndim(leaf):
                raise ValueError(
                    f"vmap: in_axes {ax} is out of range for a leaf of shape {shape(leaf)}"
                )
            sizes.add(shape(leaf)[ax])
    if axis_size is not None:
        sizes.add(axis_size)
    if not sizes:
        raise ValueError("vmap: no argument is mapped (in_axes all None); give axis_size")
    if len(sizes) > 1:
        raise ValueError(f"vmap: the mapped axes have different sizes {sorted(sizes)}")
    n = sizes.pop()
    if n == 0:
        raise ValueError("vmap: the mapped axis has size 0; admodes.vmap needs at least one call")
    return n


def _slice(value: Any, axis: int, i: int) -> Any:
    """Entry ``i`` along ``axis`` of every leaf of ``value``."""
    return tree.map(lambda leaf: anp.take(leaf, i, axis=axis), value)
