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
#: An argument's axes: one axis (or None) for all its leaves, or a pytree prefix of the argument
#: whose leaves are axes (``{"W": None, "b": 0}``).
AxisSpec = Any


def vmap(
    fun: Callable[..., Any],
    in_axes: AxisSpec | Sequence[AxisSpec] = 0,
    out_axes: int = 0,
    axis_size: int | None = None,
) -> Callable[..., Any]:
    """``fun`` mapped over an axis: ``in_axes`` gives, for all positional arguments or for each
    one, the axis of every leaf that is mapped (None: passed whole to each call), as one axis or
    a pytree prefix of the argument; keyword arguments are mapped over axis 0, as in JAX. The
    results are stacked along ``out_axes``."""
    if not isinstance(out_axes, int):
        raise TypeError(
            f"admodes.vmap takes out_axes as one int for every output, got {out_axes!r}"
        )

    @functools.wraps(fun)
    def mapped(*args: Any, **kwargs: Any) -> Any:
        specs = _per_argument(in_axes, len(args))
        leaves, treedef = tree.flatten((args, kwargs))
        axes = [ax for a, spec in zip(args, specs, strict=True) for ax in _leaf_axes(a, spec)]
        axes += [0] * (len(leaves) - len(axes))  # the keyword arguments' leaves
        n = _size(leaves, axes, axis_size)
        outs = []
        for i in range(n):
            sliced = [
                x if ax is None else anp.take(x, i, axis=ax)
                for x, ax in zip(leaves, axes, strict=True)
            ]
            call_args, call_kwargs = tree.unflatten(treedef, sliced)
            outs.append(fun(*call_args, **call_kwargs))
        return tree.map(lambda *per_call: anp.stack(per_call, axis=out_axes), *outs)

    return mapped


def _per_argument(in_axes: AxisSpec | Sequence[AxisSpec], n_args: int) -> list[AxisSpec]:
    """One axis specification per positional argument."""
    if in_axes is None or isinstance(in_axes, int):
        return [in_axes] * n_args
    if not isinstance(in_axes, tuple | list) or len(in_axes) != n_args:
        raise ValueError(
            f"vmap: in_axes must be an int, None, or a tuple with one entry per positional "
            f"argument ({n_args}), got {in_axes!r}"
        )
    return list(in_axes)


def _leaf_axes(value: Any, spec: AxisSpec) -> list[Axis]:
    """The axis of each leaf of ``value`` (in flattening order) under ``spec``."""
    try:
        return tree.leaves_by_prefix(spec, value, spreads=lambda s: s is None or isinstance(s, int))
    except ValueError:
        raise ValueError(
            f"vmap: in_axes {spec!r} is not a prefix of an argument of structure "
            f"{tree.describe(tree.structure(value))}"
        ) from None


def _size(leaves: list[Any], axes: list[Axis], axis_size: int | None) -> int:
    """The length of the mapped axis, the same for every mapped leaf."""
    sizes = set()
    for leaf, ax in zip(leaves, axes, strict=True):
        if ax is None:
            continue
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
