"""Reverse mode: a tape recorded in the forward pass, and one backward sweep over it.

Each primitive applied to a :class:`Node` appends one entry ``(prim, primals, params, ans,
parents, index)`` to its :class:`Tape` (``parents[i]``: the node ``primals[i]`` came from, None for
a constant; ``index``: the output's node). The backward sweep walks the entries once, last to
first, and applies each input's VJP rule from the registry,

    x̄ᵢ += VJPᵢ(ȳ, ans, *args)      (summed back to xᵢ's shape where the op broadcast).

The sweep is a loop, not a recursion, so a chain of a million ops needs no recursion limit. Nodes
refer to their tape, the tape never to its nodes, so the tape and the values it saved are freed
as soon as the last output and the vjp function are gone.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from admodes import counting, registry
from admodes.arguments import (
    FLOAT0,
    NONE_HELD,
    call_traced,
    check_chunk_size,
    check_matching,
    check_real_output,
    check_scalar,
    differentiated,
    finished_call,
    in_dtype,
    is_integer_input,
    like_input,
    normalize_argnums,
    unwrapped,
    with_float0,
    with_held,
    with_keywords,
)
from admodes.core import (
    TRACED_TYPES,
    Trace,
    Traced,
    dtype_of,
    held,
    is_python_float,
    ndim,
    plain,
    shape,
    size,
)
from admodes.derivatives import (
    as_batch_of_one,
    contribution,
    per_direction,
    real_if_real,
    split_directions,
    summed,
    times_partial,
    unit_directions,
)
from admodes.registry import IDENTITY, NEGATE, NO_PARAMS, Primitive, bind
from admodes.rules.broadcasting import unbroadcast
from admodes.rules.elementwise import OPERATORS, negative
from admodes.rules.shape import concatenate, reshape
from admodes.tree import TreeDef, flatten, unflatten

__all__ = ["Node", "Tape", "grad", "jacrev", "value_and_grad", "vjp"]

#: One step of the tape: ``(prim, primals, params, out, parents, index)``; ``parents[i]`` is the
#: node ``primals[i]`` came from (None for a constant; ``parents`` a tuple or a list), ``index``
#: the output's node (a tuple of nodes for a step with several outputs).
Entry = tuple


class Tape(Trace):
    """One reverse-mode transform call: its level and the entries of the forward pass."""

    __slots__ = ("entries", "n_nodes", "saved")

    def __init__(self) -> None:
        Trace.__init__(self)  # not super(): a gradient makes one tape per call
        self.entries: list[Entry] = []
        self.n_nodes = 0
        self.saved: SavedBuffers | None = None  # created by the first entry ``count()`` sees

    def input(self, value: Any) -> Node:
        """A new leaf of the graph (a differentiated input)."""
        node = Node(value, self.n_nodes, self)
        self.n_nodes += 1
        return node

    def inputs(self, values: Sequence[Any]) -> list[Node]:
        """New leaves of the graph, one per value, in order."""
        nodes, index = [], self.n_nodes
        for v in values:  # a loop: a comprehension's frame costs more for a few inputs
            nodes.append(Node(v, index, self))
            index += 1
        self.n_nodes = index
        return nodes

    def derive(self, prim: Primitive, args: tuple, primals: tuple, out: Any, params: dict) -> Node:
        """A node for ``out``, and an entry holding what ``prim``'s VJP rules will need."""
        parents = []
        for a in args:
            parents.append(a.index if type(a) is Node and a._trace is self else None)
        return self.record(prim, primals, params or NO_PARAMS, out, parents)

    def record(
        self, prim: Primitive, primals: tuple, params: dict, out: Any, parents: Sequence[int | None]
    ) -> Node:
        """Append the entry of ``out = prim(*primals, **params)``, whose inputs come from the
        nodes ``parents`` (None for a constant), and give the node of ``out``."""
        index = self.n_nodes
        self.n_nodes = index + 1
        self.entries.append((prim, primals, params, out, parents, index))
        if counting.active:
            self.count_saved((*primals, out))
        return Node(out, index, self)

    def append_step(self, prim: Primitive, primals: list, parents: list, out: tuple) -> list[Node]:
        """Append one step with several outputs (a checkpointed call): ``prim.joint_vjp(ḡ, out,
        *primals)`` receives a tuple of output cotangents (None where zero) and returns one per
        primal; ``parents[i]`` is the node ``primals[i]`` came from (None for a constant)."""
        first = self.n_nodes
        self.n_nodes += len(out)
        index = tuple(range(first, self.n_nodes))
        self.entries.append((prim, primals, NO_PARAMS, out, parents, index))
        if counting.active:
            self.count_saved((*primals, *out))
        return [Node(o, i, self) for o, i in zip(out, index, strict=True)]

    def count_saved(self, values: tuple) -> None:
        """Charge the arrays an entry keeps alive (each buffer once) to ``count()``."""
        if self.saved is None:
            self.saved = SavedBuffers()
        self.saved.add(values)

    def backward(
        self,
        seeds: list[tuple[int, Any]],
        wanted: Sequence[int],
        consume: bool,
        batch: int | None = None,
        keep: bool = False,
    ) -> list[Any]:
        """Cotangents of the nodes ``wanted`` (None where zero), given output cotangents ``seeds``.

        With ``batch`` = k, every cotangent carries a leading axis of k cotangents (one sweep
        gives k rows of the Jacobian). With ``consume`` the entries are released as the sweep
        passes them (one-shot gradients). A node's cotangent is released once its entry is
        swept, unless ``keep`` (every node's cotangent is wanted, as ``explain`` shows them).
        """
        nb = 0 if batch is None else 1
        cts: list[Any] = [None] * self.n_nodes
        for index, ct in seeds:
            prev = cts[index]  # x̄ += ȳ: a node's seeds are summed
            cts[index] = ct if prev is None else summed(prev, ct)
        entries = self.entries
        charging = counting.active  # whether the sweep's own sums and products are charged
        outer, counting.phase = counting.phase, "vjp"
        try:
            # Last entry first; with ``consume`` each entry is dropped once read (the reversed
            # iterator then reads the one before it, still in place).
            for prim, primals, params, out, parents, index in reversed(entries):
                if consume:
                    entries.pop()
                if type(index) is int:
                    g = cts[index]
                    if g is None:
                        continue
                    if not keep:
                        cts[index] = None
                else:
                    g = tuple(cts[i] for i in index)
                    if all(c is None for c in g):
                        continue
                partials = prim.partials
                if partials is None:  # rules: every input's cotangent at once
                    terms = _rule_cotangents(prim, nb, g, out, primals, params, parents)
                for i, p in enumerate(parents):
                    if p is None:
                        continue
                    if partials is None:
                        c = terms[i]
                        if c is None:
                            continue
                    else:  # elementwise (the hot path): ȳ · ∂ᵢ, ȳ itself for ∂ᵢ = 1
                        d = partials[i]
                        if d is IDENTITY:
                            c = g
                        elif d is None:
                            continue
                        elif charging or type(g) is not float:
                            c = times_partial(d, g, out, primals)
                        else:  # times_partial, inline for a Python float with nothing to charge
                            c = -g if d is NEGATE else g * d(out, *primals)
                    # A Python float, traced or not, is neither broadcast nor complex.
                    if type(c) is not float and not is_python_float(c):
                        x = primals[i]
                        if prim.broadcasts:
                            c = unbroadcast(c, shape(x), nb)
                        c = real_if_real(c, x)
                    prev = cts[p]  # x̄ += c: fan-out sums the cotangents of every use
                    if prev is None:
                        cts[p] = c
                    else:
                        cts[p] = summed(prev, c) if charging else prev + c
        finally:
            counting.phase = outer
        if type(wanted) is range:  # the inputs (the first nodes): a slice
            return cts[wanted.start : wanted.stop : wanted.step]
        return [cts[i] for i in wanted]


class SavedBuffers:
    """The buffers a tape's entries keep alive, each counted once: charged to ``count()`` as they
    are recorded, and given back when the tape (the only holder of this record) is freed."""

    __slots__ = ("ids", "nbytes")

    def __init__(self) -> None:
        self.ids: set[int] = set()
        self.nbytes = 0

    def add(self, values: tuple) -> None:
        """Charge the buffers of ``values`` not charged before."""
        added = 0
        for base in _buffers(values):
            if id(base) in self.ids:
                continue
            self.ids.add(id(base))
            added += base.nbytes if isinstance(base, np.ndarray) else 8 * size(base)
        self.nbytes += added
        counting.add_saved_bytes(added)

    def share(self, values: tuple) -> None:
        """Take the buffers of ``values`` as charged already (another tape holds them for as
        long as this one does): they are not charged here."""
        self.ids.update(id(base) for base in _buffers(values))

    def __del__(self) -> None:
        if self.nbytes:
            counting.add_saved_bytes(-self.nbytes)


def _buffers(values: tuple) -> Iterator[Any]:
    """The buffer that holds each value's numbers (an array view's base array)."""
    for v in values:
        v = held(v)
        yield v.base if isinstance(v, np.ndarray) and v.base is not None else v


def _rule_cotangents(
    prim: Primitive, nb: int, g: Any, out: Any, primals: tuple, params: dict, parents: list
) -> Sequence[Any]:
    """The cotangent of each input from ``prim``'s VJP rules, given its output's ``g`` (None
    where zero or where ``parents`` has no node): a joint rule gives them all at once. A rule
    that did not declare batched cotangents is applied per direction when ``nb``."""
    one_by_one = nb and not prim.batched_vjp
    if prim.joint_vjp is not None:
        if one_by_one:
            return per_direction(lambda gj: prim.joint_vjp(gj, out, *primals, **params), g)
        return prim.joint_vjp(g, out, *primals, **params)
    return [
        None if p is None else contribution(prim, prim.vjps, one_by_one, i, g, out, primals, params)
        for i, p in enumerate(parents)
    ]


class Node(Traced):
    """A value recorded on a tape: its primal and its position in the graph."""

    __slots__ = ("__weakref__", "_trace", "index", "primal")

    def __init__(self, primal: Any, index: int, tape: Tape) -> None:
        self.primal = primal
        self.index = index
        self._trace = tape

    def __repr__(self) -> str:
        return f"Node(primal={self.primal!r}, index={self.index})"


TRACED_TYPES.add(Node)


# ---------------------------------------------------------------------------- operators
# Python's arithmetic operators on a node know the innermost trace at once when the other operand
# is a number, a node of the same tape or a value of an outer trace (a constant here): they record
# the entry and node that bind and Tape.derive would make, without the dispatch's search for the
# innermost trace among the operands (half the cost of an op on Python floats); a node of an inner
# tape takes the op with its own reflected operator. Anything else, a substitution, count() or a
# finished tape takes the dispatch.


def tape_operator(
    prim: Primitive, python_operator: Callable, swapped: bool, reflected_name: str
) -> Callable:
    """Node's operator ``node ∘ other`` for the binary ``prim``, Python's ``python_operator``
    (``other ∘ node`` when ``swapped``; ``reflected_name``: the special method of that one)."""
    impl = prim.impl

    def operator(self: Node, other: Any) -> Any:
        tape = self._trace
        if registry.substituting or counting.active or tape.finished:
            return bind(prim, other, self) if swapped else bind(prim, self, other)
        kind = type(other)
        if kind is Node and other._trace is tape:
            value, parent = other.primal, other.index
        elif kind is float or kind is int:
            value, parent = other, None
        elif not isinstance(other, Traced):
            return bind(prim, other, self) if swapped else bind(prim, self, other)
        elif other._trace.level < tape.level:  # an outer trace's value: a constant here
            value, parent = other, None
        elif kind is Node and not swapped:  # a node of an inner tape: that tape records the op
            return getattr(other, reflected_name)(self)
        else:
            return bind(prim, other, self) if swapped else bind(prim, self, other)
        if swapped:
            x, y, parents = value, self.primal, (parent, self.index)
        else:
            x, y, parents = self.primal, value, (self.index, parent)
        kx, ky = type(x), type(y)
        if (kx is float or kx is int) and (ky is float or ky is int):
            out = impl(x, y)
        elif kx is Node or ky is Node:  # an outer tape's node: its own operator takes the op
            out = python_operator(x, y)
        else:  # an array, or another outer trace's value: the dispatch
            out = bind(prim, x, y)
        index = tape.n_nodes  # tape.record, inline (nothing to charge)
        tape.n_nodes = index + 1
        tape.entries.append((prim, (x, y), NO_PARAMS, out, parents, index))
        return Node(out, index, tape)

    return operator


def _negated(node: Node) -> Any:
    """−node, recorded as :func:`tape_operator` records."""
    tape = node._trace
    if registry.substituting or counting.active or tape.finished:
        return bind(negative, node)
    x = node.primal
    kind = type(x)
    out = -x if kind is float or kind is Node else bind(negative, x)  # a node's own −
    return tape.record(negative, (x,), NO_PARAMS, out, (node.index,))


for _prim, _operator, _name, _reflected in OPERATORS:
    setattr(Node, _name, tape_operator(_prim, _operator, False, _reflected))
    setattr(Node, _reflected, tape_operator(_prim, _operator, True, _reflected))
Node.__neg__ = _negated


# ---------------------------------------------------------------------------- transforms
#: Tapes whose function is being traced, innermost last (checkpointing records on the last).
RECORDING: list[Tape] = []


def trace_on_new_tape(
    fun: Callable[..., Any],
    args: tuple,
    nums: tuple[int, ...],
    in_leaves: list[Any],
    in_def: TreeDef,
    *,
    has_aux: bool,
    name: str,
    tape: Tape | None = None,
    held: Mapping[int, Any] = NONE_HELD,
) -> tuple[Tape, Any, Any]:
    """Run ``fun`` with the arguments ``nums`` (flattened: ``in_leaves``, ``in_def``, and the
    ``held`` leaves, constants) traced on a new tape (or on ``tape``, made empty by the caller):
    the tape, the output and the aux. The inputs are the tape's first nodes, in order."""
    tape = Tape() if tape is None else tape
    nodes = tape.inputs(in_leaves)
    RECORDING.append(tape)
    try:
        out, aux = call_traced(
            fun, args, nums, in_def, nodes, tape, has_aux=has_aux, name=name, held=held
        )
    finally:
        RECORDING.pop()
    return tape, out, aux


def _input_cotangents(cts: list[Any], in_leaves: list[Any], batch: int | None) -> list[Any]:
    """The swept cotangents typed like their inputs (zeros where none reached an input): a
    cotangent has its input's dtype, as in JAX (float32 inputs get float32 rows)."""
    if batch is None:
        # One cotangent per input by construction (zip's strict keyword costs a gradient 0.1 µs).
        pairs = zip(cts, in_leaves)  # noqa: B905
        return [like_input(0.0 if c is None else c, x) for c, x in pairs]
    return [
        np.zeros((batch, *shape(x)), dtype_of(x)) if c is None else in_dtype(c, dtype_of(x))
        for c, x in zip(cts, in_leaves, strict=True)
    ]


def vjp(fun: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """Reverse mode: ``(fun(*primals), vjp_fn[, aux])``; ``vjp_fn(ȳ)`` gives one x̄ per primal.

    The forward pass is recorded once; ``vjp_fn`` may be called any number of times.
    ``vjp_fn(ȳs, batched=True)`` pulls back k cotangents in one sweep: each leaf of ``ȳs`` has a
    leading axis of length k, and so has each x̄ (the rows of ``ȳs``·J). As in JAX, an integer
    or bool leaf of the primals is a constant, whose cotangent is zeros of dtype float0
    (:data:`admodes.float0`) and its shape.
    """
    nums = tuple(range(len(primals)))
    in_leaves, in_def, held = differentiated(
        primals, nums, holomorphic=False, complex_ok=True, allow_int=True
    )
    tape, out, aux = trace_on_new_tape(
        fun, primals, nums, in_leaves, in_def, has_aux=has_aux, name="vjp", held=held
    )
    o_leaves, o_def = flatten(out)
    out_leaves = [unwrapped(o, tape) for o in o_leaves]

    def vjp_fn(cotangent: Any, *, batched: bool = False) -> tuple:
        c_leaves, batch = _cotangent_leaves(cotangent, (out_leaves, o_def), batched)
        seeds = [
            (o.index, c)
            for o, c in zip(o_leaves, c_leaves, strict=True)
            if type(o) is Node and o._trace is tape
        ]
        cts = tape.backward(seeds, range(len(in_leaves)), consume=False, batch=batch)
        cts = _input_cotangents(cts, in_leaves, batch)
        return unflatten(in_def, with_float0(cts, held, batch))

    out_primal = unflatten(o_def, out_leaves)
    return (out_primal, vjp_fn, aux) if has_aux else (out_primal, vjp_fn)


def _cotangent_leaves(
    cotangent: Any, out: tuple[list[Any], TreeDef], batched: bool
) -> tuple[list[Any], int | None]:
    """The leaves of a cotangent, checked against the flattened output ``out``, and the batch
    length when ``batched``."""
    leaves, treedef = flatten(cotangent)
    leaves = _float0_as_zeros((leaves, treedef), out, batched)
    if not batched:
        check_matching((leaves, treedef), out, "cotangent", "the function's output")
        return leaves, None
    lengths = {shape(c)[0] if ndim(c) else None for c in leaves}
    if len(lengths) != 1 or None in lengths:
        raise ValueError(
            "vjp_fn(..., batched=True) needs every cotangent leaf to have the same leading axis "
            f"of k cotangents; got leaves of shapes {[shape(c) for c in leaves]}"
        )
    first = [plain(c)[0] for c in leaves]
    check_matching((first, treedef), out, "each cotangent of the batch", "the function's output")
    (k,) = lengths
    return leaves, k


def _float0_as_zeros(
    cotangent: tuple[list[Any], TreeDef], out: tuple[list[Any], TreeDef], batched: bool
) -> list[Any]:
    """The cotangent's leaves, where a leaf for an integer or bool output is zeros of dtype
    float0 and the output's shape (JAX's cotangent of such an output) made zeros of the
    output's dtype, the form every other check and the sweep take (they pull back nothing)."""
    leaves, treedef = cotangent
    out_leaves, out_def = out
    if treedef != out_def:  # refused by the caller's check, with the structures named
        return leaves
    lead = 1 if batched else 0
    return [
        np.zeros(shape(c), dtype_of(o))
        if dtype_of(c) == FLOAT0 and is_integer_input(o) and shape(c)[lead:] == shape(o)
        else c
        for c, o in zip(leaves, out_leaves, strict=True)
    ]


def value_and_grad(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """``(fun(*args), ∇fun(*args))`` by reverse mode: one recording, one backward sweep.

    As in JAX: for a real-valued function of a complex z = x + iy the gradient is
    ∂f/∂x − i·∂f/∂y (|z|² at 3+4j gives 6−8j); a complex-valued function needs
    ``holomorphic=True`` (the gradient is then f′(z)); ``allow_int=True`` holds integer and
    bool leaves of the differentiated arguments constant, their gradient zeros of dtype float0
    and their shape (without it they are refused).
    """
    return _gradient(fun, argnums, has_aux, holomorphic, allow_int, with_value=True)


def grad(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """∇fun by reverse mode (backpropagation); ``holomorphic`` and ``allow_int`` as for
    :func:`value_and_grad`."""
    return _gradient(fun, argnums, has_aux, holomorphic, allow_int, with_value=False)


def _gradient(
    fun: Callable[..., Any],
    argnums: int | Sequence[int],
    has_aux: bool,
    holomorphic: bool,
    allow_int: bool,
    *,
    with_value: bool,
) -> Callable[..., Any]:
    """:func:`value_and_grad` (``with_value``) or :func:`grad`: one function, so that a gradient
    call is one call (nested scalar gradients make many)."""

    def transformed(*args: Any, **kwargs: Any) -> Any:
        nums, as_tuple = normalize_argnums(argnums, len(args))
        if not (as_tuple or kwargs or has_aux or holomorphic):
            scalar = _scalar_value_and_grad(fun, args, nums[0])
            if scalar is not None:
                return scalar if with_value else scalar[1]
        in_leaves, in_def, held = differentiated(
            args, nums, holomorphic=holomorphic, complex_ok=True, allow_int=allow_int
        )
        tape, out, aux = trace_on_new_tape(
            with_keywords(fun, kwargs),
            args,
            nums,
            in_leaves,
            in_def,
            has_aux=has_aux,
            name="grad",
            held=held,
        )
        value, seeds = _seeds(out, tape, holomorphic)
        cts = tape.backward(seeds, range(len(in_leaves)), consume=True)
        cts = _input_cotangents(cts, in_leaves, None)
        per_arg = unflatten(in_def, with_float0(cts, held))
        g = per_arg if as_tuple else per_arg[0]  # already typed like the arguments
        if not with_value:
            return (g, aux) if has_aux else g
        return ((value, aux), g) if has_aux else (value, g)

    return transformed


def _scalar_value_and_grad(fun: Callable[..., Any], args: tuple, i: int) -> tuple | None:
    """``(fun(*args), ∂fun/∂args[i])`` for scalar code, whose argument ``args[i]`` is a Python
    float or a tuple or list of them (traced or not: a solver's nested gradients); None for any
    other argument. The general path's recording, seed and sweep without its pytrees and checks,
    which such an argument does not need (nested gradients make many calls)."""
    x = args[i]
    kind = type(x)
    if kind is tuple or kind is list:
        for leaf in x:
            if type(leaf) is not float and not is_python_float(leaf):
                return None
        leaves = x
    elif kind is float or is_python_float(x):
        leaves = (x,)
    else:
        return None
    tape = Tape()
    nodes = tape.inputs(leaves)
    call = list(args)
    call[i] = nodes[0] if leaves is not x else kind(nodes)
    RECORDING.append(tape)
    try:
        out = finished_call(fun, call, tape)
    finally:
        RECORDING.pop()
    value, seeds = _seeds(out, tape, False)
    cts = _input_cotangents(tape.backward(seeds, range(len(leaves)), consume=True), leaves, None)
    return value, cts[0] if leaves is not x else kind(cts)


def _seeds(out: Any, tape: Tape, holomorphic: bool) -> tuple[Any, list]:
    """The value of a gradient's output ``out`` (checked: a scalar), and the seed ȳ = 1 of its
    node when ``tape`` recorded it (none for a constant)."""
    on_tape = type(out) is Node and out._trace is tape
    value = out.primal if on_tape else out
    if type(value) is float or is_python_float(value):  # scalar code's, a float: no check
        seed = 1.0
    else:
        check_scalar(out, holomorphic)
        seed = np.ones(shape(value), dtype=dtype_of(value))  # ȳ = 1 of the output's dtype
    return value, [(out.index, seed)] if on_tape else []


def jacrev(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    chunk_size: int | None = None,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """The Jacobian by reverse mode: one recording, then backward sweeps of ``chunk_size``
    cotangents each (default: all outputs in one sweep; ``chunk_size=1``: one sweep per output
    element, the textbook count).

    The result has shape ``out.shape + in.shape`` (JAX's convention), and each block its input's
    dtype; a tuple ``argnums`` gives a tuple. Complex outputs need ``holomorphic=True``, as in
    JAX. ``allow_int=True`` holds integer and bool inputs constant: their blocks are zeros, in
    the input's dtype, as JAX's jacrev gives them (JAX's raises for a bool input).
    """
    check_chunk_size(chunk_size)

    def jacobian(*args: Any, **kwargs: Any) -> Any:
        nums, as_tuple = normalize_argnums(argnums, len(args))
        in_leaves, in_def, held = differentiated(
            args, nums, holomorphic=holomorphic, complex_ok=True, allow_int=allow_int
        )
        tape, out, aux = trace_on_new_tape(
            with_keywords(fun, kwargs),
            args,
            nums,
            in_leaves,
            in_def,
            has_aux=has_aux,
            name="jacrev",
            held=held,
        )
        check_real_output(out, "jacrev", holomorphic)
        o_leaves, o_def = flatten(out)
        values = [unwrapped(o, tape) for o in o_leaves]
        m = sum(size(v) for v in values)
        step = m if chunk_size is None else min(chunk_size, m)
        sweeps: list[list[Any]] = []
        for start in range(0, max(m, 1), max(step, 1)):
            k = min(step, m - start) if m else 0
            batch = None if k == 1 else k
            seeds = [
                (o.index, e if batch is not None else _single(e[0], v))
                for o, v, e in zip(o_leaves, values, unit_directions(values, start, k), strict=True)
                if type(o) is Node and o._trace is tape
            ]
            cts = tape.backward(seeds, range(len(in_leaves)), consume=False, batch=batch)
            cts = _input_cotangents(cts, in_leaves, batch)
            sweeps.append(cts if batch is not None else [as_batch_of_one(c) for c in cts])
        per_in = [
            split_directions(_joined([s[j] for s in sweeps], x), values)
            for j, x in enumerate(in_leaves)
        ]
        per_out = []
        for i, v in enumerate(values):
            blocks = [reshape(per_in[j][i], shape(v) + shape(x)) for j, x in enumerate(in_leaves)]
            zeros = {k: np.zeros(shape(v) + shape(x), dtype_of(x)) for k, x in held.items()}
            per_arg = unflatten(in_def, with_held(blocks, zeros))
            per_out.append(per_arg if as_tuple else per_arg[0])
        jac = unflatten(o_def, per_out)
        return (jac, aux) if has_aux else jac

    return jacobian


def _single(e: np.ndarray, value: Any) -> Any:
    """One unit cotangent, typed like its output (a float for a Python float)."""
    return float(e) if is_python_float(value) else e


def _joined(parts: list[Any], x: Any) -> Any:
    """Batches of rows ``(k, *x.shape)`` joined along the batch axis."""
    return parts[0] if len(parts) == 1 else concatenate(*parts, axis=-(ndim(x) + 1))
