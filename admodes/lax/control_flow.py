"""JAX's structured control flow (``scan``, ``map``, ``fori_loop``, ``while_loop``, ``cond``,
``switch``, ``platform_dependent``) as Python control flow, so JAX code that uses them runs under
admodes unchanged.

JAX needs these functions to trace a loop or a branch once and compile it; admodes evaluates op
by op, so a loop is a Python loop and a branch an ``if``, and every transform differentiates
through them: reverse mode through ``while_loop`` too, which JAX refuses. Arguments, pytrees,
the stacking of ``scan``'s outputs and ``reverse`` are JAX's. A long loop under reverse mode
saves every step's residuals; ``ad.iterate`` with a checkpointing schedule bounds that memory.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import admodes.numpy as anp
from admodes import tree
from admodes.core import dtype_of, ndim, plain, shape
from admodes.tree import describe, flatten, structure, unflatten

__all__ = ["cond", "fori_loop", "map", "platform_dependent", "scan", "switch", "while_loop"]


def scan(
    f: Callable[[Any, Any], tuple[Any, Any]],
    init: Any,
    xs: Any = None,
    length: int | None = None,
    reverse: bool = False,
    unroll: int | bool = 1,
) -> tuple[Any, Any]:
    """``(carry, ys)``: carryₖ₊₁, yₖ = f(carryₖ, xₖ) for k over the leading axis of ``xs``'s
    leaves (``length`` steps when ``xs`` is None), last to first with ``reverse``; ``ys`` stacks
    the yₖ on a new leading axis, in the order of ``xs``. ``unroll`` is accepted for JAX's
    signature (there is nothing to compile)."""
    x_leaves, x_def = flatten(xs)
    n = _length(x_leaves, length)
    carry_def = structure(init)
    carry, ys = init, []
    for k in range(n - 1, -1, -1) if reverse else range(n):
        carry, y = f(carry, unflatten(x_def, [x[k] for x in x_leaves]))
        if structure(carry) != carry_def:
            raise TypeError(
                f"scan: f returned a carry of structure {describe(structure(carry))} for one of "
                f"structure {describe(carry_def)}; the carry must keep its structure"
            )
        ys.append(y)
    if reverse:
        ys.reverse()
    if not ys:  # no step: f's output on zeros gives the shapes of the empty stacks
        _, y = f(init, unflatten(x_def, [anp.zeros(shape(x)[1:], dtype_of(x)) for x in x_leaves]))
        return carry, tree.map(lambda leaf: anp.zeros((0, *shape(leaf)), dtype_of(leaf)), y)
    return carry, tree.map(lambda *per_step: anp.stack(per_step), *ys)


def _length(x_leaves: list[Any], length: int | None) -> int:
    """The number of steps: the leading axis shared by the leaves, or ``length``."""
    lengths = {shape(x)[0] if ndim(x) else None for x in x_leaves}
    if None in lengths or len(lengths) > 1:
        raise ValueError(
            "scan: every leaf of xs needs a leading axis, all of one length; got shapes "
            f"{[shape(x) for x in x_leaves]}"
        )
    if length is not None and lengths and lengths != {length}:
        raise ValueError(f"scan: length={length} but xs has leading axis {lengths.pop()}")
    if length is None and not lengths:
        raise ValueError("scan: give xs or length (the number of steps)")
    return length if length is not None else lengths.pop()


def map(f: Callable[[Any], Any], xs: Any, *, batch_size: int | None = None) -> Any:
    """f applied to each slice of ``xs`` along its leading axis, the results stacked
    (``batch_size`` is accepted for JAX's signature)."""
    return scan(lambda _, x: (None, f(x)), None, xs)[1]


def fori_loop(
    lower: int,
    upper: int,
    body_fun: Callable[[int, Any], Any],
    init_val: Any,
    *,
    unroll: Any = None,
) -> Any:
    """val ← body_fun(i, val) for i = lower … upper − 1."""
    val = init_val
    for i in range(int(lower), int(upper)):
        val = body_fun(i, val)
    return val


def while_loop(
    cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], init_val: Any
) -> Any:
    """val ← body_fun(val) while cond_fun(val)."""
    val = init_val
    while _truth(cond_fun(val), "while_loop's cond_fun"):
        val = body_fun(val)
    return val


def cond(
    pred: Any, true_fun: Callable[..., Any], false_fun: Callable[..., Any], *operands: Any
) -> Any:
    """true_fun(*operands) if pred, else false_fun(*operands)."""
    return (true_fun if _truth(pred, "cond's pred") else false_fun)(*operands)


def switch(index: Any, branches: Sequence[Callable[..., Any]], *operands: Any) -> Any:
    """branches[index](*operands), the index clamped to the branches as JAX does."""
    i = int(plain(index))
    return branches[min(max(i, 0), len(branches) - 1)](*operands)


def platform_dependent(
    *args: Any, default: Callable[..., Any] | None = None, **per_platform: Callable[..., Any]
) -> Any:
    """``per_platform["cpu"](*args)``, else ``default(*args)``: admodes runs on the CPU, so the
    CPU branch is the one JAX would run there."""
    branch = per_platform.get("cpu", default)
    if branch is None:
        raise NotImplementedError(
            "lax.platform_dependent: admodes runs on the CPU and no branch was given for it "
            f"(only {', '.join(sorted(per_platform))}); pass cpu= or default="
        )
    return branch(*args)


def _truth(pred: Any, what: str) -> bool:
    """A scalar predicate as a Python bool."""
    value = plain(pred)
    if shape(value) != ():
        raise TypeError(f"{what} must be a scalar boolean, got shape {shape(value)}")
    return bool(value)
