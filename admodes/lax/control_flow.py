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
from operator import itemgetter
from typing import Any

import numpy as np

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
    carry_type = _type_of(init)

    def step(carry: Any, k: int | None) -> tuple[Any, Any]:
        x = [x[k] if k is not None else anp.zeros(shape(x)[1:], dtype_of(x)) for x in x_leaves]
        out = f(carry, unflatten(x_def, x))
        if not (isinstance(out, tuple | list) and len(out) == 2):
            raise TypeError(
                "scan: f must return a pair (carry, y), as in JAX; it returned "
                f"{describe(structure(out))}"
            )
        return tuple(out)

    if not n:  # no step: f's output on zeros gives the carry's dtypes and the empty stacks' shapes
        carry, y = _first_step(lambda c: step(c, None), init, carry_of=itemgetter(0))
        empty = tree.map(lambda leaf: anp.zeros((0, *shape(leaf)), dtype_of(leaf)), y)
        return _promoted(init, carry), empty
    order = range(n - 1, -1, -1) if reverse else range(n)
    carry, y = _first_step(lambda c: step(c, order[0]), init, carry_of=itemgetter(0))
    _check_carry("scan: f", carry, carry_type)
    ys = [y]
    for k in order[1:]:
        carry, y = step(carry, k)
        _check_carry("scan: f", carry, carry_type)
        ys.append(y)
    if reverse:
        ys.reverse()
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
    (``batch_size``, a positive integer, is accepted for JAX's signature: the slices run one
    at a time either way)."""
    if batch_size is not None and (not isinstance(batch_size, int | np.integer) or batch_size < 1):
        raise TypeError(f"lax.map: batch_size must be a positive integer, got {batch_size!r}")
    return scan(lambda _, x: (None, f(x)), None, xs)[1]


def fori_loop(
    lower: int,
    upper: int,
    body_fun: Callable[[int, Any], Any],
    init_val: Any,
    *,
    unroll: Any = None,
) -> Any:
    """val ← body_fun(i, val) for i = lower … upper − 1 (bounds of one integer dtype, as JAX
    asks). ``i`` is a Python int: weakly typed, as JAX's index is, so ``i * x`` keeps x's
    dtype (``anp.asarray(i)`` gives it array methods)."""
    _check_bounds(lower, upper)
    steps = range(int(lower), int(upper))
    if not steps:
        return init_val
    val_type = _type_of(init_val)
    val = _first_step(lambda v: body_fun(steps[0], v), init_val)
    _check_carry("fori_loop: body_fun", val, val_type)
    for i in steps[1:]:
        val = body_fun(i, val)
        _check_carry("fori_loop: body_fun", val, val_type)
    return val


def _check_bounds(lower: Any, upper: Any) -> None:
    """TypeError unless fori_loop's bounds are integers of one dtype (a Python int bound takes
    the other's), as JAX asks."""
    typed = {dtype_of(b) for b in (lower, upper) if type(b) is not int}
    if any(dtype.kind not in "iu" for dtype in typed) or len(typed) > 1:
        raise TypeError(
            "lax.fori_loop: lower and upper must be integers of one dtype, as in JAX; got "
            f"{dtype_of(lower)} and {dtype_of(upper)} (cast them, e.g. with int(...))"
        )


def while_loop(
    cond_fun: Callable[[Any], Any], body_fun: Callable[[Any], Any], init_val: Any
) -> Any:
    """val ← body_fun(val) while cond_fun(val) (a boolean scalar, as JAX requires)."""
    if not _loop_condition(cond_fun(init_val)):
        return init_val
    val_type = _type_of(init_val)
    val = _first_step(body_fun, init_val)
    _check_carry("while_loop: body_fun", val, val_type)
    while _loop_condition(cond_fun(val)):
        val = body_fun(val)
        _check_carry("while_loop: body_fun", val, val_type)
    return val


def _loop_condition(pred: Any) -> bool:
    """while_loop's condition as a Python bool: a boolean scalar, as JAX requires."""
    if dtype_of(pred) != np.bool_:
        raise TypeError(
            "lax.while_loop: cond_fun must return a boolean scalar, as in JAX; it returned "
            f"dtype {dtype_of(pred)} (compare, e.g. `x > 0`, or test `x != 0`)"
        )
    return _truth(pred, "while_loop's cond_fun")


def _first_step(
    step: Callable[[Any], Any], init: Any, carry_of: Callable[[Any], Any] = lambda out: out
) -> Any:
    """A loop's first step: ``step(init)``, or where the step gives a Python number in ``init``
    another dtype, ``step`` again from ``init`` with that number cast to it. JAX promotes a
    loop's weakly typed start so before the loop runs, so the step's other outputs (scan's
    first y) have the dtypes every later step gives them."""
    out = step(init)
    start = _promoted(init, carry_of(out))
    return out if start is init else step(start)


def _promoted(init: Any, carry: Any) -> Any:
    """``init`` with each leaf that is a Python number cast to the dtype of ``carry``'s leaf
    where it promotes to it; ``init`` itself where no leaf changes (or the structures differ,
    which the carry check reports)."""
    leaves, treedef = flatten(init)
    out_leaves, out_def = flatten(carry)
    if treedef != out_def:
        return init
    cast = [_weak_cast(leaf, dtype_of(out)) for leaf, out in zip(leaves, out_leaves, strict=True)]
    if all(c is leaf for c, leaf in zip(cast, leaves, strict=True)):
        return init
    return unflatten(treedef, cast)


def _weak_cast(leaf: Any, dtype: np.dtype) -> Any:
    """``leaf`` as an array of ``dtype`` where it is a Python number that promotes to another
    dtype; ``leaf`` itself otherwise."""
    if type(leaf) not in _WEAK or dtype == dtype_of(leaf) or np.result_type(leaf, dtype) != dtype:
        return leaf
    return np.asarray(leaf, dtype)


CarryType = tuple[Any, list[tuple[tuple[int, ...], Any, Any]]]
"""A loop carry's structure, and each leaf's shape, dtype, and value if a Python number."""

#: Python's numbers: weakly typed, as in JAX (a carry that starts as one takes the body's dtype).
_WEAK = (int, float, complex)


def _type_of(carry: Any) -> CarryType:
    leaves, treedef = flatten(carry)
    weak = [leaf if type(leaf) in _WEAK else None for leaf in leaves]
    return treedef, [(shape(x), dtype_of(x), w) for x, w in zip(leaves, weak, strict=True)]


def _check_carry(where: str, carry: Any, expected: CarryType) -> None:
    """TypeError unless ``carry`` has the type ``expected`` (JAX's rule: a loop's carry keeps its
    structure, and each leaf its shape and dtype, from step to step; a leaf that starts as a
    Python number may take any dtype it promotes to, as JAX promotes a weakly typed start)."""
    treedef, types = _type_of(carry)
    if treedef != expected[0]:
        raise TypeError(
            f"{where} returned a carry of structure {describe(treedef)} for one of structure "
            f"{describe(expected[0])}; the carry must keep its structure"
        )
    for k, ((shp, dtype, _), (want_shape, want_dtype, weak)) in enumerate(
        zip(types, expected[1], strict=True)
    ):
        promoted = weak is not None and np.result_type(weak, dtype) == dtype
        if shp != want_shape or (dtype != want_dtype and not promoted):
            raise TypeError(
                f"{where} returned a carry whose leaf {k} has shape {shp} and dtype {dtype}, "
                f"for one of shape {want_shape} and dtype {want_dtype}; the carry must keep each "
                "leaf's shape and dtype (as in JAX): cast it, e.g. with .astype, or start from "
                "a value of the type the body gives"
            )


_NO_OPERAND = object()


def cond(
    pred: Any,
    true_fun: Callable[..., Any],
    false_fun: Callable[..., Any],
    *operands: Any,
    operand: Any = _NO_OPERAND,
) -> Any:
    """true_fun(*operands) if pred, else false_fun(*operands) (JAX's older keyword ``operand``:
    the one operand)."""
    operands = _with_operand(operands, operand, "cond")
    return (true_fun if _truth(pred, "cond's pred") else false_fun)(*operands)


def _with_operand(operands: tuple, operand: Any, name: str) -> tuple:
    """The operands of ``cond`` or ``switch``: positional, or JAX's older keyword ``operand``
    (the one operand), not both."""
    if operand is _NO_OPERAND:
        return operands
    if operands:
        raise TypeError(f"lax.{name}: give the operands positionally or as operand=, not both")
    return (operand,)


def switch(
    index: Any,
    branches: Sequence[Callable[..., Any]],
    *operands: Any,
    operand: Any = _NO_OPERAND,
) -> Any:
    """branches[index](*operands), the index (an integer scalar) clamped to the branches as JAX
    does (JAX's older keyword ``operand``: the one operand)."""
    operands = _with_operand(operands, operand, "switch")
    if not branches:
        raise ValueError("lax.switch: branches is empty; give at least one branch")
    if shape(index) != () or dtype_of(index).kind not in "iu":
        raise TypeError(
            "lax.switch: the branch index must be an integer scalar, as in JAX; got shape "
            f"{shape(index)} and dtype {dtype_of(index)} (round a float with int(...) or "
            "anp.astype(i, int) first)"
        )
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
