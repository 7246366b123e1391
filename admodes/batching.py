"""``vmap``: a function mapped over an axis of its arguments, with ``jax.vmap``'s semantics.

The function runs once, on *mapped values* (:class:`Mapped`): each holds the values at every
index of the mapped axis as one stack, its leading axis. An op on mapped values is applied to
the stacks at once by the primitive's batching rule (:mod:`admodes.rules.batching`: every
elementwise op, reductions, shape ops, products, einsum, linear algebra), or, for a primitive
with none, once per index and the results stacked. So a mapped function costs about one call
on a batch, in every transform and nesting (per-example gradients are
``vmap(grad(loss), in_axes=(None, 0))``).

A mapped value has no single number: Python control flow on it (``if x > 0``), ``float(x)``, or
code that reads its value with NumPy raises :class:`~admodes.core.ConcretizationError`, and vmap
then calls the function once per index instead and stacks the results, as it did before it
vectorized, so the result is the same either way.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

from admodes import tree
from admodes.core import (
    TRACED_TYPES,
    ConcretizationError,
    Trace,
    Traced,
    dtype_of,
    ndim,
    plain,
    shape,
)
from admodes.registry import Primitive
from admodes.rules.batching import elementwise, with_rank
from admodes.rules.broadcasting import broadcast_to
from admodes.rules.shape import getitem, stack, transpose

__all__ = ["MapTrace", "Mapped", "vmap"]

Axis = int | None
#: An argument's axes: one axis (or None) for all its leaves, or a pytree prefix of the argument
#: whose leaves are axes (``{"W": None, "b": 0}``).
AxisSpec = Any


class MapTrace(Trace):
    """One ``vmap`` call: its level and the length of the mapped axis."""

    __slots__ = ("size",)

    processes = True

    def __init__(self, size: int) -> None:
        super().__init__()
        self.size = size

    def process(self, prim: Primitive, args: tuple, params: dict) -> Mapped:
        """``prim`` on the stacks of this trace's values: by its batching rule, else per index."""
        mapped = tuple(type(a) is Mapped and a._trace is self for a in args)
        values = tuple(a.stack if m else a for a, m in zip(args, mapped, strict=True))
        rule = elementwise if prim.partials is not None else prim.batch
        if rule is None:
            out = stack(
                *(prim(*self.at(values, mapped, i), **params) for i in range(self.size)), axis=0
            )
        else:
            out = rule(prim, values, mapped, **params)
        return Mapped(out, self)

    @staticmethod
    def at(values: tuple, mapped: tuple, i: int) -> list:
        """The arguments of index ``i``: each stack's entry i, the shared values as they are."""
        return [getitem(v, (i,)) if m else v for v, m in zip(values, mapped, strict=True)]


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

    def concrete(self, *args: Any, **kwargs: Any) -> Any:
        """What would need this value's one number (``float(x)``, ``np.asarray(x)``): vmap
        calls the function once per index instead."""
        raise ConcretizationError()

    __float__ = __int__ = __complex__ = __index__ = __array__ = concrete

    def __array_function__(self, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        """NumPy's function, by admodes' of that name; one admodes has no rule for (which
        refuses a traced value) runs once per index on plain values instead."""
        try:
            return Traced.__array_function__(self, func, types, args, kwargs)
        except TypeError:
            raise ConcretizationError() from None

    def __array_ufunc__(self, np_ufunc: Any, method: str, *inputs: Any, **kwargs: Any) -> Any:
        """NumPy's ufunc, as :meth:`__array_function__`."""
        try:
            return Traced.__array_ufunc__(self, np_ufunc, method, *inputs, **kwargs)
        except TypeError:
            raise ConcretizationError() from None

    def compared(self, other: Any, op: Callable[[Any, Any], Any]) -> Mapped:
        """``op(self, other)`` at every index (a comparison: plain booleans, no derivative)."""
        if type(other) is Mapped and other._trace is self._trace:
            rank = max(len(self.shape), len(other.shape))
            return Mapped(op(_plain_rank(self, rank), _plain_rank(other, rank)), self._trace)
        other = plain(other)
        rank = max(len(self.shape), ndim(other))
        return Mapped(op(_plain_rank(self, rank), other), self._trace)

    def __lt__(self, other: Any) -> Mapped:
        return self.compared(other, operator.lt)

    def __le__(self, other: Any) -> Mapped:
        return self.compared(other, operator.le)

    def __gt__(self, other: Any) -> Mapped:
        return self.compared(other, operator.gt)

    def __ge__(self, other: Any) -> Mapped:
        return self.compared(other, operator.ge)

    def __eq__(self, other: Any) -> Mapped:  # type: ignore[override]
        return self.compared(other, operator.eq)

    def __ne__(self, other: Any) -> Mapped:  # type: ignore[override]
        return self.compared(other, operator.ne)

    __hash__ = Traced.__hash__


def _plain_rank(x: Mapped, rank: int) -> Any:
    """The plain numbers of a mapped value's stack, aligned to per-index rank ``rank``."""
    return with_rank(plain(x.stack), rank)


TRACED_TYPES.add(Mapped)


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
        try:
            outs = _vectorized(fun, leaves, axes, treedef, n)
        except ConcretizationError:
            outs = _per_index(fun, leaves, axes, treedef, n)
        return tree.map(lambda out: _moved(out, 0, out_axes), outs)

    return mapped


def _vectorized(fun: Callable[..., Any], leaves: list, axes: list, treedef: Any, n: int) -> Any:
    """``fun`` called once on mapped values: its outputs, each stacked along axis 0."""
    trace = MapTrace(n)
    values = [
        x if ax is None else Mapped(_moved(x, ax, 0), trace)
        for x, ax in zip(leaves, axes, strict=True)
    ]
    call_args, call_kwargs = tree.unflatten(treedef, values)
    try:
        out = fun(*call_args, **call_kwargs)
    finally:
        trace.finished = True
    return tree.map(lambda o: _stack_of(o, trace, n), out)


def _stack_of(out: Any, trace: MapTrace, n: int) -> Any:
    """An output of the mapped function as a stack: a value of every index shared, broadcast."""
    if type(out) is Mapped and out._trace is trace:
        return out.stack
    return broadcast_to(out, (n, *shape(out)))


def _per_index(fun: Callable[..., Any], leaves: list, axes: list, treedef: Any, n: int) -> Any:
    """``fun`` called once per index: its outputs stacked along axis 0."""
    outs = []
    for i in range(n):
        sliced = [
            x if ax is None else getitem(x, _axis_index(x, ax, i))
            for x, ax in zip(leaves, axes, strict=True)
        ]
        call_args, call_kwargs = tree.unflatten(treedef, sliced)
        outs.append(fun(*call_args, **call_kwargs))
    return tree.map(lambda *per_call: stack(*per_call, axis=0), *outs)


def _axis_index(x: Any, axis: int, i: int) -> tuple:
    """The index of entry ``i`` along ``axis`` of ``x``."""
    return (slice(None),) * (axis % ndim(x)) + (i,)


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
