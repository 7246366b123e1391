"""Reverse mode: a tape recorded in the forward pass, and one backward sweep over it.

Each primitive applied to a :class:`Node` appends one record ``(prim, args, params, ans, parents,
index)`` to its :class:`Tape` (``parents[i]``: the node ``args[i]`` came from, None for a
constant; ``index``: the output's node). The backward sweep walks the records once, last to
first, and applies each input's VJP rule from the registry,

    x̄ᵢ += VJPᵢ(ȳ, ans, *args)      (summed back to xᵢ's shape where the op broadcast).

The sweep is a loop, not a recursion, so a chain of a million ops needs no recursion limit. Nodes
refer to their tape, the tape never to its nodes, so the tape and the values it saved are freed
as soon as the last output and the vjp function are gone.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from admodes import counting
from admodes.arguments import (
    check_inexact,
    check_matching,
    check_scalar,
    dtype_of,
    like_args,
    like_input,
    normalize_argnums,
    split_aux,
    strip,
)
from admodes.registry import TRACED_TYPES, Primitive, contribution, shape, size, summed
from admodes.rules.shape import unbroadcast
from admodes.traced import NO_PARAMS, Traced, new_level, plain
from admodes.tree import flatten, unflatten

__all__ = ["Node", "Tape", "grad", "jacrev", "value_and_grad", "vjp"]


class Tape:
    """One reverse-mode transform call: its level and the records of the forward pass."""

    __slots__ = (
        "__weakref__",
        "level",
        "n_nodes",
        "records",
        "saved_bytes",
        "saved_ids",
        "substitute",
    )

    def __init__(self) -> None:
        self.level = new_level()
        self.records: list[tuple] = []
        self.n_nodes = 0
        self.saved_bytes = 0
        self.saved_ids: set[int] = set()
        #: While set, this tape records nothing: each of its nodes that an op meets is replaced
        #: by ``substitute(node)`` (used by checkpointing, see :mod:`admodes.checkpointing`).
        self.substitute: Callable[[Node], Any] | None = None

    def __del__(self) -> None:
        if self.saved_bytes:
            counting.add_saved_bytes(-self.saved_bytes)

    def input(self, value: Any) -> Node:
        """A new leaf of the graph (a differentiated input)."""
        node = Node(value, self.n_nodes, self)
        self.n_nodes += 1
        return node

    def process(self, prim: Primitive, args: tuple, params: dict) -> Any:
        """Evaluate ``prim`` and record what its VJP rules will need.

        An argument traced by an inner (higher-level) transform hands the op to that transform.
        """
        if self.substitute is not None:
            swapped = [
                self.substitute(a) if type(a) is Node and a._trace is self else a for a in args
            ]
            return prim(*swapped, **params)
        vals = []
        parents = []
        nested = False
        for a in args:
            index = None
            if type(a) in TRACED_TYPES:
                if a._trace is self:
                    index = a.index
                    a = a.value
                    nested = nested or type(a) in TRACED_TYPES
                elif a._trace.level > self.level:
                    return a._trace.process(prim, args, params)
                else:
                    nested = True
            parents.append(index)
            vals.append(a)
        vals = tuple(vals)
        if nested:
            out = prim(*vals, **params)
        else:
            out = prim.impl(*vals, **params) if params else prim.impl(*vals)
            if counting.active:
                counting.record(prim, out, vals, params)
        if not prim.differentiable:
            return out
        index = self.n_nodes
        self.n_nodes = index + 1
        self.records.append((prim, vals, params or NO_PARAMS, out, parents, index))
        if counting.active:
            self.count_saved((*vals, out))
        return Node(out, index, self)

    def count_saved(self, values: tuple) -> None:
        """Charge the arrays a record keeps alive (each buffer once) to ``count()``."""
        added = 0
        for v in values:
            v = v.primal_value if isinstance(v, Traced) else v
            base = v.base if isinstance(v, np.ndarray) and v.base is not None else v
            if id(base) in self.saved_ids:
                continue
            self.saved_ids.add(id(base))
            added += base.nbytes if isinstance(base, np.ndarray) else 8 * size(base)
        self.saved_bytes += added
        counting.add_saved_bytes(added)

    def record(self, prim: Primitive, vals: list, parents: list, out: tuple) -> list[Node]:
        """Record one multi-output step (a checkpointed call): ``prim.joint_vjp(ḡ, out, *vals)``
        receives a tuple of output cotangents (None where zero) and returns one per value;
        ``parents[i]`` is the node ``vals[i]`` came from (None for a constant)."""
        first = self.n_nodes
        self.n_nodes += len(out)
        index = tuple(range(first, self.n_nodes))
        self.records.append((prim, vals, {}, out, parents, index))
        if counting.active:
            self.count_saved((*vals, *out))
        return [Node(o, i, self) for o, i in zip(out, index, strict=True)]

    def backward(
        self, seeds: list[tuple[int, Any]], wanted: Sequence[int], consume: bool
    ) -> list[Any]:
        """Cotangents of the nodes ``wanted`` (None where zero), given output cotangents ``seeds``.

        With ``consume`` the records are released as the sweep passes them (one-shot gradients).
        """
        cts: list[Any] = [None] * self.n_nodes
        for index, ct in seeds:
            accumulate(cts, index, ct)
        records = self.records
        with counting.in_phase("vjp"):
            for k in range(len(records) - 1, -1, -1):
                prim, vals, params, out, parents, index = records[k]
                if consume:
                    records.pop()
                if type(index) is int:
                    g = cts[index]
                    if g is None:
                        continue
                    cts[index] = None
                else:
                    g = tuple(cts[i] for i in index)
                    if all(c is None for c in g):
                        continue
                if prim.joint_vjp is not None:
                    contributions = prim.joint_vjp(g, out, *vals, **params)
                    for p, c in zip(parents, contributions, strict=False):
                        if p is not None and c is not None:
                            accumulate(cts, p, c)
                    continue
                broadcasts = prim.broadcasts
                for i, p in enumerate(parents):
                    if p is None:
                        continue
                    c = contribution(prim, prim.vjps, i, g, out, vals, params)
                    if c is None:
                        continue
                    x = vals[i]
                    if broadcasts and not (type(c) is float is type(x)):
                        c = unbroadcast(c, shape(x))
                    accumulate(cts, p, c)
        return [cts[i] for i in wanted]


def accumulate(cts: list[Any], index: int, c: Any) -> None:
    """x̄ += c: fan-out sums the cotangents of every use of a value."""
    prev = cts[index]
    cts[index] = c if prev is None else summed(prev, c)


class Node(Traced):
    """A value recorded on a tape: its primal and its position in the graph."""

    __slots__ = ("__weakref__", "_trace", "index", "value")

    def __init__(self, value: Any, index: int, tape: Tape) -> None:
        self.value = value
        self.index = index
        self._trace = tape

    def _inner(self) -> Any:
        return self.value

    def __repr__(self) -> str:
        return f"Node(value={self.value!r}, index={self.index})"


TRACED_TYPES.add(Node)


# ---------------------------------------------------------------------------- transforms
def _record(fun: Callable[..., Any], args: tuple, nums: tuple[int, ...], has_aux: bool, name: str):
    """Run ``fun`` with the arguments ``nums`` traced on a new tape."""
    tape = Tape()
    diff = tuple(args[i] for i in nums)
    in_leaves, in_def = flatten(diff)
    nodes = unflatten(in_def, [tape.input(x) for x in in_leaves])
    call = list(args)
    for i, traced in zip(nums, nodes, strict=True):
        call[i] = traced
    RECORDING.append(tape)
    try:
        out, aux = split_aux(fun(*call), has_aux, name)
    finally:
        RECORDING.pop()
    return tape, in_leaves, in_def, out, strip(aux, tape)


#: Tapes whose function is being recorded, innermost last (checkpointing records on the last).
RECORDING: list[Tape] = []


def _output_value(out: Any, tape: Tape) -> Any:
    return out.value if type(out) is Node and out._trace is tape else out


def _input_cotangents(cts: list[Any], in_leaves: list[Any]) -> list[Any]:
    return [like_input(0.0 if c is None else c, x) for c, x in zip(cts, in_leaves, strict=True)]


def vjp(fun: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """Reverse mode: ``(fun(*primals), vjp_fn[, aux])``; ``vjp_fn(ȳ)`` gives one x̄ per primal.

    The forward pass is recorded once; ``vjp_fn`` may be called any number of times.
    """
    nums = tuple(range(len(primals)))
    for k, p in enumerate(primals):
        check_inexact(p, f"vjp primal {k}")
    tape, in_leaves, in_def, out, aux = _record(fun, primals, nums, has_aux, "vjp")
    o_leaves, o_def = flatten(out)
    out_value = unflatten(o_def, [_output_value(o, tape) for o in o_leaves])

    def vjp_fn(cotangent: Any) -> tuple:
        check_matching(cotangent, out_value, "cotangent", "the function's output")
        seeds = [
            (o.index, c)
            for o, c in zip(o_leaves, flatten(cotangent)[0], strict=True)
            if type(o) is Node and o._trace is tape
        ]
        cts = tape.backward(seeds, range(len(in_leaves)), consume=False)
        return unflatten(in_def, _input_cotangents(cts, in_leaves))

    return (out_value, vjp_fn, aux) if has_aux else (out_value, vjp_fn)


def value_and_grad(
    fun: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """``(fun(*args), ∇fun(*args))`` by reverse mode: one recording, one backward sweep."""

    def value_and_gradient(*args: Any) -> Any:
        nums, as_tuple = normalize_argnums(argnums, len(args))
        for i in nums:
            check_inexact(args[i], f"argument {i}")
        tape, in_leaves, in_def, out, aux = _record(fun, args, nums, has_aux, "grad")
        check_scalar(out)
        value = _output_value(out, tape)
        seeds = [(out.index, _ones_like(value))] if type(out) is Node and out._trace is tape else []
        cts = tape.backward(seeds, range(len(in_leaves)), consume=True)
        per_arg = unflatten(in_def, _input_cotangents(cts, in_leaves))
        g = like_args(per_arg if as_tuple else per_arg[0], args, argnums)
        return ((value, aux), g) if has_aux else (value, g)

    return value_and_gradient


def _ones_like(value: Any) -> Any:
    """The seed cotangent ȳ = 1 for a scalar output, of its dtype (a float for a Python float)."""
    if type(plain(value)) is float:
        return 1.0
    return np.ones(shape(value), dtype=dtype_of(value))


def grad(
    fun: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """∇fun by reverse mode (backpropagation)."""
    vg = value_and_grad(fun, argnums, has_aux)

    def gradient(*args: Any) -> Any:
        value_aux, g = vg(*args)
        return (g, value_aux[1]) if has_aux else g

    return gradient


def jacrev(
    fun: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """The Jacobian by reverse mode: one recording, then one backward sweep per output element.

    The result has shape ``out.shape + in.shape`` (JAX's convention); a tuple ``argnums`` gives a
    tuple.
    """

    def jacobian(*args: Any) -> Any:
        nums, as_tuple = normalize_argnums(argnums, len(args))
        for i in nums:
            check_inexact(args[i], f"argument {i}")
        tape, in_leaves, in_def, out, aux = _record(fun, args, nums, has_aux, "jacrev")
        o_leaves, o_def = flatten(out)
        per_out = []
        for o in o_leaves:
            value = _output_value(o, tape)
            rows = [
                _input_cotangents(
                    tape.backward([(o.index, e)], range(len(in_leaves)), consume=False)
                    if type(o) is Node and o._trace is tape
                    else [None] * len(in_leaves),
                    in_leaves,
                )
                for e in _basis(value)
            ]
            blocks = [_stack_rows([r[j] for r in rows], value, x) for j, x in enumerate(in_leaves)]
            per_arg = unflatten(in_def, blocks)
            per_out.append(per_arg if as_tuple else per_arg[0])
        jac = unflatten(o_def, per_out)
        return (jac, aux) if has_aux else jac

    return jacobian


def _basis(value: Any) -> list[Any]:
    """The unit cotangents of an output, one per element, of its dtype."""
    if shape(value) == ():
        return [_ones_like(value)]
    eye = np.eye(size(value), dtype=dtype_of(value))
    return [row.reshape(shape(value)) for row in eye]


def _stack_rows(rows: list[Any], out_value: Any, x: Any) -> Any:
    """Rows x̄ (one per output element) as a block of shape ``out.shape + x.shape``."""
    from admodes import numpy as anp

    return anp.reshape(anp.stack(rows, axis=0), shape(out_value) + shape(x))
