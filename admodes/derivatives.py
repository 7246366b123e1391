"""What both engines share: applying an op's rules, one direction or a batch of them, and
splitting a batch of directions into Jacobian blocks.

An input's *contribution* is its term of the output tangent (forward mode, ``t · ∂`` or a JVP
rule) or its cotangent (reverse mode, ``g · ∂`` or a VJP rule). A batch of k directions is a
leading axis on every tangent or cotangent; a rule that did not declare it can take one is applied
to each direction in turn and the results stacked (:func:`per_direction`).

All arithmetic here goes through the registry's primitives, so ``count()`` charges it and an outer
transform traces it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from admodes import counting
from admodes.core import TRACED_TYPES, dtype_of, ndim, shape, size
from admodes.registry import IDENTITY, NEGATE, NO_PARAMS, Primitive
from admodes.rules.elementwise import add, multiply, negative, real
from admodes.rules.shape import getitem, reshape, stack


def contribution(
    prim: Primitive,
    rules: tuple,
    one_by_one: bool,
    i: int,
    v: Any,
    ans: Any,
    args: tuple,
    params: dict,
) -> Any:
    """Input ``i``'s share of a derivative: with ``rules = prim.jvps`` and ``v`` its tangent, its
    term of the output tangent; with ``rules = prim.vjps`` and ``v`` the output's cotangent, its
    cotangent. An elementwise op gives ``v · ∂ᵢ`` from its partial. ``one_by_one``: ``v`` is a
    batch the rule cannot take whole, so it is applied per direction. None where the derivative
    is zero."""
    partials = prim.partials
    if partials is None:
        rule = rules[i]
        if rule is None:
            return None
        if one_by_one:
            return per_direction(lambda u: rule(u, ans, *args, **params), v)
        return rule(v, ans, *args, **params)
    d = partials[i]
    return None if d is None else times_partial(d, v, ans, args)


def times_partial(d: Any, v: Any, ans: Any, args: tuple) -> Any:
    """``v · ∂`` for an elementwise op's local partial ``d`` (``IDENTITY``, ``NEGATE`` or a
    function ``d(ans, *args)``): an input's tangent term, or its cotangent (before it is summed
    back over broadcast axes). ``v`` may carry a leading axis of directions."""
    if d is IDENTITY:
        return v
    if d is NEGATE:
        c = -v
        if counting.active:
            _charge_operator(negative, c, v)
        return c
    d = d(ans, *args)
    c = v * d
    if counting.active:
        _charge_operator(multiply, c, v, d)
    return c


def summed(a: Any, b: Any) -> Any:
    """a + b for two terms of one derivative (fan-in of tangents, fan-out of cotangents)."""
    total = a + b
    if counting.active:
        _charge_operator(add, total, a, b)
    return total


def _charge_operator(prim: Primitive, out: Any, *operands: Any) -> None:
    """Charge ``count()`` for ``out = op(*operands)`` computed with Python's operator, unless an
    operand is traced: that operator dispatched through ``prim`` and was charged there."""
    for x in operands:  # a loop, not all(generator): this runs for every op count() sees
        if type(x) in TRACED_TYPES:
            return
    counting.charge(prim, out, operands, NO_PARAMS)


def real_if_real(c: Any, x: Any) -> Any:
    """The cotangent of ``x`` from a contribution ``c``: its real part when ``x`` is real and
    ``c`` complex (JAX's convention: the transpose of promoting a real value to complex)."""
    if dtype_of(c).kind != "c":
        return c
    return c if dtype_of(x).kind == "c" else real(c)


def per_direction(fn: Callable[..., Any], *batches: Any) -> Any:
    """``fn`` applied to each direction of ``batches`` (arrays with a leading axis of k
    directions, tuples of them, or None for zero), the results stacked along a new leading axis.

    A result may be a value, None (zero), or a tuple or list of those (one per input). With no
    directions (k = 0), ``fn`` is applied to a zero direction for the shapes and dtypes of the
    results, each an empty stack (0, ...)."""
    k = _batch_length(batches)
    if k == 0:
        return _no_directions(fn(*(_zero_direction(b) for b in batches)))
    results = [fn(*(_direction(b, j) for b in batches)) for j in range(k)]
    if isinstance(results[0], tuple | list):
        return [_stacked(list(parts)) for parts in zip(*results, strict=True)]
    return _stacked(results)


def _batch_length(batches: tuple) -> int:
    for b in batches:
        for leaf in b if isinstance(b, tuple | list) else (b,):
            if leaf is not None:
                return shape(leaf)[0]
    raise ValueError("per_direction needs at least one batch")


def _direction(batch: Any, j: int) -> Any:
    """Direction ``j`` of a batch (each leaf of a tuple or list of batches)."""
    if batch is None:
        return None
    if isinstance(batch, tuple | list):
        return type(batch)(_direction(b, j) for b in batch)
    return getitem(batch, (j,) + (slice(None),) * (ndim(batch) - 1))


def _zero_direction(batch: Any) -> Any:
    """One direction of zeros, of the shape and dtype of each of ``batch``'s (each leaf of a
    tuple or list of batches; None stays None)."""
    if batch is None:
        return None
    if isinstance(batch, tuple | list):
        return type(batch)(_zero_direction(b) for b in batch)
    return np.zeros(shape(batch)[1:], dtype_of(batch))


def _no_directions(result: Any) -> Any:
    """A stack of no directions (0, ...) of each of ``result``'s values (a value, None, or a
    tuple or list of those, as a list), as :func:`per_direction` gives for k = 0."""
    if result is None:
        return None
    if isinstance(result, tuple | list):
        return [_no_directions(r) for r in result]
    return np.zeros((0, *shape(result)), dtype_of(result))


def _stacked(results: list[Any]) -> Any:
    """One result per direction, stacked; zeros stand in for None, None if all are None."""
    like = next((r for r in results if r is not None), None)
    if like is None:
        return None
    filled = [np.zeros(shape(like), dtype_of(like)) if r is None else r for r in results]
    return stack(*filled, axis=-(ndim(like) + 1))


# ---------------------------------------------------------------------------- Jacobian blocks
def unit_directions(leaves: list[Any], start: int, k: int) -> list[np.ndarray]:
    """Directions ``start … start+k-1`` of the unit basis over the flattened ``leaves``: one
    array ``(k, *leaf.shape)`` per leaf, of its dtype (seeds for jacfwd and jacrev)."""
    seeds = []
    offset = 0
    for x in leaves:
        m = size(x)
        e = np.zeros((k, m), dtype=dtype_of(x))
        lo, hi = max(start, offset), min(start + k, offset + m)
        if lo < hi:  # the ones of rows lo-start…, columns lo-offset…: a stride of m+1 in e.flat
            first = (lo - start) * m + (lo - offset)
            e.reshape(-1)[first : first + (hi - lo) * (m + 1) : m + 1] = 1.0
        seeds.append(e.reshape((k, *shape(x))))
        offset += m
    return seeds


def split_directions(stacked: Any, leaves: list[Any]) -> list[Any]:
    """A batch over the flattened ``leaves``' directions, ``(Σ size(leaf), *rest)``, split into
    one block ``(size(leaf), *rest)`` per leaf."""
    blocks, offset = [], 0
    rest = (slice(None),) * (ndim(stacked) - 1)
    for x in leaves:
        m = size(x)
        whole = offset == 0 and m == shape(stacked)[0]
        blocks.append(stacked if whole else getitem(stacked, (slice(offset, offset + m), *rest)))
        offset += m
    return blocks


def as_batch_of_one(v: Any) -> Any:
    """One direction as a batch of one: a leading axis of length 1."""
    return reshape(v, (1, *shape(v)))
