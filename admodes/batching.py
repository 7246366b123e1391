"""``vmap``: a function mapped over an axis of its arguments, with ``jax.vmap``'s semantics.

The function runs once, on *mapped values* (:class:`Mapped`): each holds the values at every
index of the mapped axis as one stack, its leading axis. An op on mapped values is applied to
the stacks at once by the primitive's batching rule (:mod:`admodes.rules.batching`: every
elementwise op, reductions, shape ops, products, einsum, linear algebra), or, for a primitive
with none, once per index and the results stacked. So a mapped function costs about one call
on a batch, in every transform and nesting (per-example gradients are
``vmap(grad(loss), in_axes=(None, 0))``).

Library code reads a mapped value's numbers without its derivative through
:func:`admodes.core.numbers` (a mapped value of plain numbers, on which NumPy's ufuncs,
comparisons and a few reductions run at every index at once: :func:`on_numbers`) and
:func:`admodes.core.at_each_index` (a NumPy or SciPy function on each index's numbers);
integer index arrays read so gather in one op (``indexed``).

A mapped value has no single number: Python control flow on it (``if x[0] > 0``), ``float(x)``,
or code that reads its value with NumPy raises (:class:`~admodes.core.ConcretizationError`, or
the TypeError of an op that refuses a traced value). When the single call fails for any reason,
vmap calls the function once per index instead and stacks the results, as it did before it
vectorized: the result is the same either way, and an error the function raises at an index is
raised again.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Hashable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from admodes import counting, tree
from admodes.core import (
    TRACED_TYPES,
    ConcretizationError,
    Trace,
    Traced,
    at_each_index,
    dtype_of,
    ndim,
    numbers,
    plain,
    shape,
)
from admodes.registry import Primitive
from admodes.rules.batching import each_index, elementwise, moved_axis, stack_of, stacked, with_rank
from admodes.rules.shape import axis_index, getitem, transpose

__all__ = ["MapTrace", "Mapped", "axis_frame", "vmap"]

Axis = int | None
#: An argument's axes: one axis (or None) for all its leaves, or a pytree prefix of the argument
#: whose leaves are axes (``{"W": None, "b": 0}``).
AxisSpec = Any


class MapTrace(Trace):
    """One ``vmap`` call: its level, the length of the mapped axis, and its ``axis_name`` (None:
    unnamed)."""

    __slots__ = ("name", "size")

    processes = True

    def __init__(self, size: int, name: Hashable = None) -> None:
        super().__init__()
        self.size = size
        self.name = name

    def process(self, prim: Primitive, args: tuple, params: dict) -> Any:
        """``prim`` on the stacks of this trace's values: by its batching rule, else per index
        (a collective by its rule in :data:`COLLECTIVES`)."""
        collective = COLLECTIVES.get(prim)
        if collective is not None:
            out = collective(self, *args, **params)
            if counting.active:  # count() sees it run; its FLOPs are those of its rule's ops
                counting.charge(prim, out, args, params)
            return out
        mapped = tuple(mapped_by(a, self) for a in args)
        values = tuple(a.stack if m else a for a, m in zip(args, mapped, strict=True))
        rule = elementwise if prim.partials is not None else prim.batch or each_index
        return Mapped(rule(prim, values, mapped, **params), self)

    def numbers(self, value: Mapped) -> Mapped:
        """A mapped value whose stack is ``value``'s numbers (see :func:`admodes.core.numbers`)."""
        return Mapped(numbers(value.stack), self)

    def at_each_index(self, fn: Callable[..., Any], values: list) -> Any:
        """``fn`` on each index's numbers of ``values`` in turn, the results stacked as mapped
        values (see :func:`admodes.core.at_each_index`). Where ``fn`` raises at an index, or
        gives values of different shapes, vmap calls its function once per index, and the error
        is raised there again."""
        _one_trace(values)  # raises for values of nested vmaps
        outs = [
            fn(*(v.stack[i] if type(v) is Mapped else v for v in values)) for i in range(self.size)
        ]
        return tree.map(lambda *each: Mapped(np.stack(each), self), *outs)


class Mapped(Traced):
    """A value mapped by ``vmap``: ``stack`` holds its value at every index along the leading
    axis. Its shape and dtype are one index's; it has no single primal."""

    __slots__ = ("_trace", "stack")

    def __init__(self, stack: Any, trace: MapTrace) -> None:
        self.stack = stack
        self._trace = trace

    @property
    def primal(self) -> Any:
        raise ConcretizationError()

    @property
    def shape(self) -> tuple[int, ...]:
        return shape(self.stack)[1:]

    @property
    def dtype(self) -> Any:
        return dtype_of(self.stack)

    def __repr__(self) -> str:
        return f"Mapped(shape={self.shape}, size={self._trace.size})"

    __hash__ = Traced.__hash__


def array_numbers(x: Any) -> Any:
    """:func:`numbers` of ``x``, as a NumPy array where no vmap maps it (a Python float too)."""
    v = numbers(x)
    return v if type(v) is Mapped else np.asarray(v)


def varies_along(x: Any, trace: MapTrace) -> bool:
    """Whether ``x`` holds a value that the vmap call ``trace`` maps, beneath any levels of
    other transforms (other vmap calls' stacks included): whether it may differ by index."""
    while isinstance(x, Traced):
        if type(x) is Mapped:
            if x._trace is trace:
                return True
            x = x.stack
        else:
            x = x.primal
    return False


def is_mapped(x: Any) -> bool:
    """Whether a value ``vmap`` maps is beneath ``x``'s levels."""
    while isinstance(x, Traced):
        if type(x) is Mapped:
            return True
        x = x.primal
    return False


#: NumPy functions of one array and its ``axis`` (with its default; None: the flattened array)
#: that vmap runs on a stack along the same axes of every index.
_ALONG_AXES = {
    np.argmax: None,
    np.argmin: None,
    np.nanargmax: None,
    np.nanargmin: None,
    np.argsort: -1,
    np.any: None,
    np.all: None,
    np.count_nonzero: None,
}
_REDUCING = {np.any, np.all, np.count_nonzero}
#: Functions that broadcast their arguments elementwise as ufuncs do, with keyword options.
_ELEMENTWISE = {np.isclose, np.isneginf, np.isposinf, np.isreal, np.iscomplex}


def on_numbers(np_fn: Callable[..., Any], args: tuple, kwargs: dict) -> Any:
    """``np_fn`` (a NumPy function with no derivative) on the numbers of ``args``, some of them
    values ``vmap`` maps: on the stacks at once for a ufunc called plainly, for isclose and the
    other elementwise tests, and along the axes of each index for argmax, argmin, argsort, any,
    all and count_nonzero; any other function :func:`at_each_index`."""
    values = [numbers(a) for a in args]
    trace = _one_trace(values)
    if (isinstance(np_fn, np.ufunc) and not kwargs) or np_fn in _ELEMENTWISE:
        rank = max(len(shape(v)) for v in values)
        out = np_fn(
            *(with_rank(v.stack, rank) if type(v) is Mapped else v for v in values), **kwargs
        )
        return tuple(Mapped(o, trace) for o in out) if type(out) is tuple else Mapped(out, trace)
    if np_fn in _ALONG_AXES and len(values) <= 2 and type(values[0]) is Mapped:
        x = values[0]
        axis = values[1] if len(values) == 2 else kwargs.get("axis", _ALONG_AXES[np_fn])
        rest = {k: v for k, v in kwargs.items() if k != "axis"}
        rank = len(x.shape)
        stack = x.stack
        if axis is None and np_fn not in _REDUCING:  # the flattened value of each index
            stack, axis = np.reshape(stack, (trace.size, -1)), 1
        elif axis is None:
            axis = tuple(range(1, rank + 1))
        elif isinstance(axis, tuple):
            axis = tuple(moved_axis(a, rank) for a in axis)
        else:
            axis = moved_axis(axis, rank)
        return Mapped(np_fn(stack, axis=axis, **rest), trace)
    return at_each_index(functools.partial(np_fn, **kwargs), *args)


def _one_trace(values: list) -> MapTrace:
    """The one vmap call that maps some of ``values`` (numbers); values of two (nested) vmaps
    raise :class:`ConcretizationError`: the inner vmap then calls its function per index."""
    traces = {v._trace for v in values if type(v) is Mapped}
    if len(traces) != 1 or any(is_mapped(v.stack) for v in values if type(v) is Mapped):
        raise ConcretizationError()
    return traces.pop()


def holds_numbers(x: Any) -> bool:
    """Whether ``x`` is a mapped value of numbers without derivatives (as :func:`numbers` gives):
    integer conversions and bitwise operations may take it."""
    return type(x) is Mapped and not isinstance(x.stack, Traced)


TRACED_TYPES.add(Mapped)


def _on_numbers_operator(ufunc: np.ufunc) -> Callable[..., Any]:
    """An operator of mapped values that gives plain booleans (no derivative): ``ufunc`` on
    the numbers at every index."""

    def operator(self: Mapped, *other: Any) -> Any:
        return on_numbers(ufunc, (self, *other), {})

    return operator


#: Comparisons and the operators that combine boolean masks (the reflected ones: symmetric).
for _name, _ufunc in (
    ("__lt__", np.less),
    ("__le__", np.less_equal),
    ("__gt__", np.greater),
    ("__ge__", np.greater_equal),
    ("__eq__", np.equal),
    ("__ne__", np.not_equal),
    ("__and__", np.bitwise_and),
    ("__rand__", np.bitwise_and),
    ("__or__", np.bitwise_or),
    ("__ror__", np.bitwise_or),
    ("__xor__", np.bitwise_xor),
    ("__rxor__", np.bitwise_xor),
    ("__invert__", np.invert),
):
    setattr(Mapped, _name, _on_numbers_operator(_ufunc))


def mapped_by(x: Any, trace: MapTrace) -> bool:
    """Whether ``x`` is a value that the vmap call ``trace`` maps."""
    return type(x) is Mapped and x._trace is trace


# ------------------------------------------------------------------------ named axes
#: Rules of the primitives that act across the mapped axis of a named vmap (JAX's collectives,
#: :mod:`admodes.lax.parallel`): ``rule(trace, *args, **params)`` applies the primitive to
#: ``args``, some of them values ``trace`` maps, and gives its output, mapped or not.
COLLECTIVES: dict[Primitive, Callable[..., Any]] = {}

#: The axis names bound now, innermost last: each to its vmap call, or, while vmap calls its
#: function once per index, to the error that made it (a collective then has no axis to act on).
_AXES: list[tuple[Hashable, MapTrace | Exception]] = []


@contextmanager
def _bound(name: Hashable, frame: MapTrace | Exception) -> Iterator[None]:
    """``name`` bound to ``frame`` while active (nothing for an unnamed vmap)."""
    if name is None:
        yield
        return
    _AXES.append((name, frame))
    try:
        yield
    finally:
        _AXES.pop()


def axis_frame(name: Hashable) -> MapTrace:
    """The vmap call that binds the axis ``name`` (the innermost, where names repeat)."""
    for bound, frame in reversed(_AXES):
        if bound == name:
            if isinstance(frame, MapTrace):
                return frame
            if not isinstance(frame, ConcretizationError | TypeError):
                raise frame  # a genuine error of the single call (no number was wanted)
            raise ValueError(
                f"a collective over the axis {name!r} needs vmap to call the function once on "
                "the whole batch, but that call failed and vmap is calling it once per index "
                f"(where no other index is at hand). The call failed with "
                f"{type(frame).__name__}: {frame}"
            ) from frame
    raise NameError(
        f"unbound axis name: {name!r}. A collective (psum, pmean, all_gather, axis_index, ...) "
        f"names the axis of an enclosing vmap: call it inside ad.vmap(f, axis_name={name!r})."
    )


def vmap(
    fun: Callable[..., Any],
    in_axes: AxisSpec | Sequence[AxisSpec] = 0,
    out_axes: AxisSpec = 0,
    axis_name: Hashable = None,
    axis_size: int | None = None,
    spmd_axis_name: Hashable = None,
) -> Callable[..., Any]:
    """``fun`` mapped over an axis: ``in_axes`` gives, for all positional arguments or for each
    one, the axis of every leaf that is mapped (None: passed whole to each call), as one axis or
    a pytree prefix of the argument; keyword arguments are mapped over axis 0, as in JAX. The
    results are stacked along ``out_axes``: one axis for every output, or a pytree prefix of the
    output; None marks an output that is the same at every index (returned once).
    ``axis_name`` names the mapped axis for the collectives of :mod:`admodes.lax` (``psum``,
    ``all_gather``, ``axis_index``, ...) called inside ``fun``. A mapped axis of size 0 gives
    outputs with an empty mapped axis (from the one call on the batch), as in JAX.
    ``spmd_axis_name`` (JAX's mesh axis to shard the batch over) is accepted: one CPU process has
    no mesh, so it changes nothing."""

    @functools.wraps(fun)
    def mapped(*args: Any, **kwargs: Any) -> Any:
        specs = _per_argument(in_axes, len(args))
        leaves, treedef = tree.flatten((args, kwargs))
        axes = [ax for a, spec in zip(args, specs, strict=True) for ax in _leaf_axes(a, spec)]
        axes += [0] * (len(leaves) - len(axes))  # the keyword arguments' leaves
        n = _size(leaves, axes, axis_size)
        try:
            out, per_index = _vectorized(fun, leaves, axes, treedef, n, axis_name), None
        except Exception as failure:  # any failure: the calls per index raise it again
            if n == 0:
                raise ValueError(
                    "vmap: the mapped axis has size 0 and the function does not run on the whole "
                    "batch at once (the error above), so there is no index to call it at one by "
                    "one; leave the empty batch out"
                ) from failure
            with _bound(axis_name, failure):
                per_index = _per_index(fun, leaves, axes, treedef, n)
            out = per_index[0]
        out_leaves, out_def = tree.flatten(out)
        for k, leaf in enumerate(out_leaves):
            _check_output_leaf(leaf, k)
        spec = _leaf_axes(out, out_axes, "out_axes", "the output")
        if per_index is None:
            placed = [
                _placed(leaf, k, ax, n)
                for k, (leaf, ax) in enumerate(zip(out_leaves, spec, strict=True))
            ]
        else:  # one output per index: each leaf's values at every index
            at_each = zip(*(tree.leaves(o) for o in per_index), strict=True)
            placed = [
                _from_each_index(values, k, ax)
                for k, (values, ax) in enumerate(zip(at_each, spec, strict=True))
            ]
        return tree.unflatten(out_def, placed)

    return mapped


def _vectorized(
    fun: Callable[..., Any], leaves: list, axes: list, treedef: Any, n: int, name: Hashable
) -> Any:
    """``fun``'s output from one call on mapped values: leaves that vary along the mapped axis
    are stacks (:class:`Stacked`), the others are the value shared by every index."""
    trace = MapTrace(n, name)
    values = [
        x if ax is None else Mapped(_moved(x, ax, 0), trace)
        for x, ax in zip(leaves, axes, strict=True)
    ]
    call_args, call_kwargs = tree.unflatten(treedef, values)
    try:
        with _bound(name, trace):
            out = fun(*call_args, **call_kwargs)
    finally:
        trace.finished = True
    return tree.map(lambda o: Stacked(o.stack) if mapped_by(o, trace) else o, out)


class Stacked:
    """An output leaf of a vectorized call that varies along the mapped axis: its stack."""

    __slots__ = ("stack",)

    def __init__(self, stack: Any) -> None:
        self.stack = stack


#: A per-index call's view of one slice of a mapped NumPy array: :mod:`admodes.numpy` sets it
#: to its ``Array`` view, which has ``.at``, as the traced values of a vectorized call have.
array_view: Callable[[np.ndarray], Any] = lambda x: x


def _per_index(fun: Callable[..., Any], leaves: list, axes: list, treedef: Any, n: int) -> list:
    """``fun``'s outputs from one call per index."""
    outs = []
    for i in range(n):
        sliced = [x if ax is None else _slice(x, ax, i) for x, ax in zip(leaves, axes, strict=True)]
        call_args, call_kwargs = tree.unflatten(treedef, sliced)
        outs.append(fun(*call_args, **call_kwargs))
    return outs


def _slice(x: Any, axis: int, i: int) -> Any:
    """Index ``i`` of ``x`` along its mapped ``axis`` (a NumPy array's as :data:`array_view`)."""
    sliced = getitem(x, axis_index(ndim(x), axis % ndim(x) - ndim(x), i))
    return array_view(sliced) if type(sliced) is np.ndarray else sliced


def _check_output_leaf(leaf: Any, k: int) -> None:
    """Raise TypeError unless output leaf ``k`` of a mapped function is a number or an array (or
    the stack of one): vmap stacks numbers only, as JAX's."""
    if type(leaf) is Stacked:
        return
    try:
        dtype_of(leaf)
    except TypeError:
        raise TypeError(
            f"vmap: output leaf {k} of the mapped function is a {type(leaf).__name__}, not a "
            "number or an array; a mapped function returns numbers and arrays (or tuples, lists "
            "and dicts of them), as in JAX. Compute what it is for outside the mapped function."
        ) from None


def _placed(leaf: Any, k: int, axis: Axis, n: int) -> Any:
    """Output leaf ``k`` of a vectorized call with its mapped axis at ``axis`` (None: the one
    value of every index)."""
    if type(leaf) is Stacked:
        if axis is None:
            raise _varying_output(k)
        return _stacked_at(leaf.stack, axis)
    return leaf if axis is None else _stacked_at(stacked(leaf, n), axis)


def _from_each_index(values: tuple, k: int, axis: Axis) -> Any:
    """Output leaf ``k`` from its values at every index, stacked along ``axis`` (None: their one
    value)."""
    if axis is None:
        if any(not np.array_equal(plain(v), plain(values[0])) for v in values):
            raise _varying_output(k)
        return values[0]
    return _stacked_at(stack_of(values), axis)


def _stacked_at(stack: Any, axis: int) -> Any:
    """A stack (mapped axis first) with its mapped axis moved to ``axis``."""
    if not -ndim(stack) <= axis < ndim(stack):
        raise ValueError(
            f"vmap: out_axes {axis} is out of range for an output of shape {shape(stack)[1:]} "
            f"(with the mapped axis, rank {ndim(stack)})"
        )
    return _moved(stack, 0, axis)


def _varying_output(k: int) -> ValueError:
    return ValueError(
        f"vmap: out_axes is None for output leaf {k}, but it varies along the mapped axis; "
        "give it an axis to stack it along, or return a value that does not depend on the "
        "mapped arguments"
    )


def _moved(x: Any, source: int, destination: int) -> Any:
    """``x`` with axis ``source`` moved to ``destination``."""
    rank = ndim(x)
    source, destination = source % rank, destination % rank
    if source == destination:
        return x
    order = [a for a in range(rank) if a != source]
    order.insert(destination, source)
    return transpose(x, tuple(order))


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


def _leaf_axes(
    value: Any, spec: AxisSpec, what: str = "in_axes", of: str = "an argument"
) -> list[Axis]:
    """The axis of each leaf of ``value`` (in flattening order) under ``spec``."""
    try:
        return tree.leaves_by_prefix(spec, value, spreads=lambda s: s is None or isinstance(s, int))
    except ValueError:
        raise ValueError(
            f"vmap: {what} {spec!r} is not a prefix of {of} of structure "
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
    return sizes.pop()
