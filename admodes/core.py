"""What every layer shares: shapes, traces and their levels, the traced value and its primal.

A *trace* is one transform call (a forward pass, a tape, an unrecorded evaluation). A *traced
value* belongs to one trace and wraps its ``primal``: the value one level down, itself a plain
float or array, or a value traced by an outer transform. :func:`plain` reaches the plain value
beneath every level.

Levels order the traces: a later (inner) transform call gets a higher level, so a value traced by
an outer call is a constant to an inner one (no perturbation confusion). The dispatch that uses
them is :func:`admodes.registry.bind`, the one path every op takes.

This module holds no arithmetic: the traced value's operators and array methods are attached by
:mod:`admodes.numpy`, which sits above the rules and engines.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from typing import Any

import numpy as np

_levels = itertools.count(1)


def new_level() -> int:
    """A fresh level for a transform call, higher than every level handed out before."""
    return next(_levels)


class Trace:
    """One transform call. Subclasses say what to do with an op whose innermost trace they are
    (:meth:`derive`); the dispatch itself is :func:`admodes.registry.bind`.

    ``substitute``: while set, the trace is in *substitution mode*: before any op sees one of its
    values, the dispatch replaces the value by ``substitute(value)`` (gradient checkpointing runs a
    function unrecorded, or re-records it on a sub-tape, this way).

    ``finished``: set once the transform's function has returned. A value of a finished trace
    that an op meets escaped through a side effect; the dispatch refuses it
    (:class:`UnexpectedTracerError`).
    """

    __slots__ = ("__weakref__", "finished", "level", "substitute")

    #: The ``count()`` phase that the work of :meth:`derive` is charged to (None: no change).
    phase: str | None = None

    #: Whether the trace evaluates the ops on its values itself (:meth:`process`), as ``vmap``'s
    #: does: its values have no single primal to evaluate them on, and hold their numbers in
    #: ``stack`` instead (see :func:`held`).
    processes = False

    def __init__(self) -> None:
        self.level = new_level()
        self.substitute: Callable[[Traced], Any] | None = None
        self.finished = False

    def derive(self, prim: Any, args: tuple, primals: tuple, out: Any, params: dict) -> Any:
        """The traced output of ``prim``: ``out`` was computed from ``primals``, the ``args``
        with this trace's values unwrapped."""
        raise NotImplementedError

    def process(self, prim: Any, args: tuple, params: dict) -> Any:
        """``prim`` applied to ``args``, among them this trace's values (a trace that
        :attr:`processes`)."""
        raise NotImplementedError

    def numbers(self, value: Any) -> Any:
        """:func:`numbers` of ``value``, one of this trace's (a trace that :attr:`processes`)."""
        raise NotImplementedError

    def at_each_index(self, fn: Callable[..., Any], values: list) -> Any:
        """:func:`at_each_index` of ``fn`` on ``values`` (numbers), some of them this trace's
        (a trace that :attr:`processes`)."""
        raise NotImplementedError


class ConcretizationError(Exception):
    """A value mapped by ``vmap`` was asked for its one number (JAX's ConcretizationTypeError):
    it holds one per index of the mapped axis. ``vmap`` catches it and calls the function once
    per index instead. Not a TypeError, so that no handler of one takes it for another error."""

    def __init__(self) -> None:
        super().__init__(
            "a value mapped by vmap holds one value per index of the mapped axis, so it has no "
            "single number to give (Python control flow on it, float(), or NumPy on it). Inside "
            "the mapped function vmap then calls the function once per index; outside it, "
            "return the value from the mapped function instead."
        )


class UnexpectedTracerError(TypeError):
    """A traced value was used after its transform call returned (as JAX's error of this name)."""

    def __init__(self) -> None:
        super().__init__(
            "a value traced by a transform (grad, jvp, vjp, jacfwd, jacrev, ...) was used after "
            "that transform returned: it escaped the function through a side effect (appended "
            "to a list, stored in a global or on an object). Return it from the function "
            "instead: as its output, or as aux with has_aux=True, which gives its value."
        )


class Traced:
    """A value carried through one trace: ``primal`` is the value one level down."""

    __slots__ = ()
    __array_priority__ = 1000.0  # NumPy defers binary operators to us

    _trace: Trace
    primal: Any

    @property
    def shape(self) -> tuple[int, ...]:
        return shape(self.primal)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return size(self)

    @property
    def dtype(self) -> np.dtype:
        return dtype_of(self.primal)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d traced value")
        return self.shape[0]

    # ------------------------------------------ comparisons: on primals, one level at a time
    # A comparison drops this level and compares again: Python's reflected operator then drops
    # the other operand's level, down to plain values (or to values vmap maps, which compare
    # at every index at once).
    def __lt__(self, other: Any) -> Any:
        return self.primal < other

    def __le__(self, other: Any) -> Any:
        return self.primal <= other

    def __gt__(self, other: Any) -> Any:
        return self.primal > other

    def __ge__(self, other: Any) -> Any:
        return self.primal >= other

    def __eq__(self, other: Any) -> Any:  # type: ignore[override]
        return self.primal == other

    def __ne__(self, other: Any) -> Any:  # type: ignore[override]
        return self.primal != other

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(plain(self))

    # ------------------------------------------------ conversions that would drop derivatives
    def __float__(self) -> float:
        raise TypeError(
            "float() of a traced value would drop its derivative (NumPy calls float() to write "
            "a value into an array: `out[i] = x`). Keep computing with admodes ops: build an "
            "array from traced values with `anp.stack([...])`, or update one functionally with "
            "`y = x.at[i].set(v)`, as in JAX. To use the value as a constant on purpose, call "
            "`admodes.stop_gradient(x)`."
        )

    __int__ = __float__
    __complex__ = __float__
    __index__ = __float__

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        raise TypeError(
            "a traced value cannot be converted to a NumPy array: that would silently drop its "
            "derivative. Use `admodes.numpy` (import admodes.numpy as anp) instead of `numpy`; "
            "to use the value as a constant on purpose, call `admodes.stop_gradient(x)`. To "
            "build an array from traced values, use `anp.stack`, `anp.concatenate` or "
            "`x.at[i].set(v)` instead of assigning into a NumPy array."
        )

    def __setitem__(self, index: Any, value: Any) -> None:
        raise TypeError(
            "traced values are immutable: `x[i] = v` cannot be differentiated. Use the "
            "functional update `x = x.at[i].set(v)` (also `.add`, `.multiply`, `.min`, `.max`), "
            "as in JAX."
        )


#: The concrete traced types (each engine adds its own): the dispatch tests ``type(a) in``.
TRACED_TYPES: set[type] = set()


def plain(x: Any) -> Any:
    """The plain value beneath every level of tracing (``x`` itself when it is not traced); a
    value mapped by ``vmap`` has none (:class:`ConcretizationError`)."""
    while isinstance(x, Traced):
        x = x.primal
    return x


def numbers(x: Any) -> Any:
    """``x``'s numbers, without derivatives: its plain value beneath every level of tracing, or
    for a value of a trace that :attr:`~Trace.processes` its values (vmap's, whose values hold
    one number per index), a value of that trace holding its numbers, on which NumPy still runs
    at every index. What library code and rules read to build masks and orders."""
    while isinstance(x, Traced):
        if x._trace.processes:
            return x._trace.numbers(x)
        x = x.primal
    return x


def at_each_index(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn``, a function of plain numbers giving an array or a tuple of them (NumPy's or SciPy's:
    pivots, codes, ranks, signs, or checks that raise), on the :func:`numbers` of ``args`` (no
    derivatives): once, where no trace that processes its values holds them; otherwise that
    trace applies it to each index's numbers in turn and stacks the results (vmap's: no admodes
    op runs per index, so the mapped function still runs once on the batch)."""
    values = [numbers(a) for a in args]
    traces = {v._trace for v in values if isinstance(v, Traced)}
    if not traces:
        return fn(*values)
    if len(traces) != 1:  # values of two vmaps: the inner one calls its function per index
        raise ConcretizationError()
    return traces.pop().at_each_index(fn, values)


def held(x: Any) -> Any:
    """The plain value that holds ``x``'s numbers: beneath every level of tracing, and for a
    value mapped by ``vmap`` the stack of its values at every index (to count its bytes, or to
    read something of every index at once: a range check, the most rounds any index needs)."""
    while isinstance(x, Traced):
        x = x.stack if x._trace.processes else x.primal
    return x


def is_python_float(x: Any) -> bool:
    """Whether ``x`` is a Python float beneath every level of tracing (a value mapped by
    ``vmap`` never is: it holds an array of them)."""
    while isinstance(x, Traced):
        if x._trace.processes:
            return False
        x = x.primal
    return type(x) is float


def shape(x: Any) -> tuple[int, ...]:
    """Shape of a float, a NumPy array or a traced value."""
    if type(x) is float:
        return ()
    s = getattr(x, "shape", None)
    return () if s is None else tuple(s)


def ndim(x: Any) -> int:
    return len(shape(x))


def size(x: Any) -> int:
    n = 1
    for d in shape(x):
        n *= d
    return n


def dtype_of(x: Any) -> np.dtype:
    """The dtype of a float, array or traced value."""
    if type(x) is float:
        return FLOAT64
    if isinstance(x, Traced):
        return x.dtype
    dtype = getattr(x, "dtype", None)  # arrays and NumPy scalars carry theirs
    if dtype is not None:
        return dtype
    try:
        return np.result_type(x)
    except TypeError:
        raise TypeError(
            f"value {x!r} of type {type(x).__name__} is not a number or an array: the inputs and "
            "outputs of a transform (grad, jvp, vjp, jacfwd, jacrev, ...) must be floats, "
            "complex numbers, NumPy arrays, or tuples, lists and dicts of them. Return anything "
            "else beside the output with has_aux=True."
        ) from None


def complex_dtype_of(x: Any) -> np.dtype:
    """The complex dtype of x's precision: complex64 for float32 (and narrower), complex128
    for float64, integers and bools (the dtype of x made complex, as NumPy and JAX promote)."""
    return np.result_type(dtype_of(x), np.complex64)


def extreme_value(dtype: np.dtype, upper: bool) -> Any:
    """The largest (``upper``) or smallest value of ``dtype``, as one of its values: ±inf for
    floats and complex numbers, an integer dtype's bound, True or False (the identity of
    ``minimum`` or ``maximum``)."""
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return dtype.type(info.max if upper else info.min)
    if dtype.kind == "b":
        return np.bool_(upper)
    return dtype.type(np.inf if upper else -np.inf)


def to_integers(p: Any, target: np.dtype) -> Any:
    """Plain values converted to an integer or bool ``target`` as XLA converts them: floats
    truncated toward zero and saturated at the integer range, nan to 0 (NumPy's cast leaves
    these undefined); integers wrap."""
    p = np.asarray(p)
    if target.kind == "b" or p.dtype.kind != "f":
        return p.astype(target)
    info = np.iinfo(target)
    t = np.trunc(p)
    above, below = t >= info.max, t <= info.min
    inside = np.where(above | below | np.isnan(t), 0, t).astype(target)
    return np.where(above, target.type(info.max), np.where(below, target.type(info.min), inside))


FLOAT64 = np.dtype(np.float64)
