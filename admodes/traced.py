"""What the engines' value types share: Python operators, NumPy protocol hooks, clear errors.

:class:`admodes.forward.Dual` and :class:`admodes.reverse.Node` both derive from :class:`Traced`.
Arithmetic dispatches to the registry; comparisons compare primals and return plain bools (so
``if``, ``while`` and ``max(0, z)`` work); conversions that would drop a derivative raise.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from admodes import registry
from admodes.rules import elementwise as ew
from admodes.rules import linalg

_levels = itertools.count(1)


def new_level() -> int:
    """A fresh level for a transform call: later (inner) calls get higher levels, so a value
    traced by an outer call is a constant to an inner one (no perturbation confusion)."""
    return next(_levels)


class Traced:
    """A value carried through a transform; subclasses say how to reach its primal."""

    __slots__ = ()
    __array_priority__ = 1000.0  # NumPy defers binary operators to us

    _trace: Any

    # ---------------------------------------------------------------- the value beneath
    @property
    def primal_value(self) -> Any:
        """The plain float or array beneath every level of tracing."""
        v = self
        while isinstance(v, Traced):
            v = v._inner()
        return v

    def _inner(self) -> Any:
        raise NotImplementedError

    @property
    def shape(self) -> tuple[int, ...]:
        return registry.shape(self.primal_value)

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return registry.size(self.primal_value)

    @property
    def dtype(self) -> Any:
        return np.result_type(self.primal_value)

    def __len__(self) -> int:
        if not self.shape:
            raise TypeError("len() of a 0-d traced value")
        return self.shape[0]

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    # ---------------------------------------------------------------- arithmetic
    def __add__(self, other):
        return self._trace.process(ew.add, (self, other), NO_PARAMS)

    def __radd__(self, other):
        return self._trace.process(ew.add, (other, self), NO_PARAMS)

    def __sub__(self, other):
        return self._trace.process(ew.subtract, (self, other), NO_PARAMS)

    def __rsub__(self, other):
        return self._trace.process(ew.subtract, (other, self), NO_PARAMS)

    def __mul__(self, other):
        return self._trace.process(ew.multiply, (self, other), NO_PARAMS)

    def __rmul__(self, other):
        return self._trace.process(ew.multiply, (other, self), NO_PARAMS)

    def __truediv__(self, other):
        return self._trace.process(ew.divide, (self, other), NO_PARAMS)

    def __rtruediv__(self, other):
        return self._trace.process(ew.divide, (other, self), NO_PARAMS)

    def __pow__(self, other):
        return self._trace.process(ew.power, (self, other), NO_PARAMS)

    def __rpow__(self, other):
        return self._trace.process(ew.power, (other, self), NO_PARAMS)

    def __matmul__(self, other):
        return self._trace.process(linalg.matmul, (self, other), NO_PARAMS)

    def __rmatmul__(self, other):
        return self._trace.process(linalg.matmul, (other, self), NO_PARAMS)

    def __neg__(self):
        return ew.negative(self)

    def __pos__(self):
        return self

    def __abs__(self):
        return ew.abs(self)

    def __getitem__(self, index):
        return anp().getitem(self, index)

    def __setitem__(self, index, value):
        raise TypeError(
            "traced values are immutable: `x[i] = v` cannot be differentiated. Build the new "
            "array functionally instead, e.g. `anp.where(mask, v, x)`, `anp.concatenate(...)` "
            "or `anp.stack(...)`."
        )

    # ---------------------------------------------------------------- comparisons: on primals
    def __lt__(self, other):
        return self.primal_value < plain(other)

    def __le__(self, other):
        return self.primal_value <= plain(other)

    def __gt__(self, other):
        return self.primal_value > plain(other)

    def __ge__(self, other):
        return self.primal_value >= plain(other)

    def __eq__(self, other):
        return self.primal_value == plain(other)

    def __ne__(self, other):
        return self.primal_value != plain(other)

    __hash__ = object.__hash__

    def __bool__(self) -> bool:
        return bool(self.primal_value)

    # ------------------------------------------------ conversions that would drop derivatives
    def __float__(self) -> float:
        raise TypeError(
            "float() of a traced value would drop its derivative. Keep computing with admodes "
            "ops; to use the value as a constant on purpose, call `admodes.stop_gradient(x)`."
        )

    __int__ = __float__
    __complex__ = __float__
    __index__ = __float__

    def __array__(self, dtype=None, copy=None):
        raise TypeError(
            "a traced value cannot be converted to a NumPy array: that would silently drop its "
            "derivative. Use `admodes.numpy` (import admodes.numpy as anp) instead of `numpy`; "
            "to use the value as a constant on purpose, call `admodes.stop_gradient(x)`."
        )

    # ------------------------------------------------ NumPy functions on traced values
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        fn = getattr(anp(), _ufunc_alias(ufunc.__name__), None)
        if method == "__call__" and not kwargs and fn is not None:
            return fn(*inputs)
        raise TypeError(_no_rule_message(f"numpy.{ufunc.__name__}" + _method_suffix(method)))

    def __array_function__(self, func, types, args, kwargs):
        name = func.__name__
        fn = getattr(anp(), name, None)
        if fn is None or fn is func:  # absent, or NumPy's own function re-exported (a constant)
            raise TypeError(_no_rule_message(f"numpy.{name}"))
        return fn(*args, **kwargs)

    # ---------------------------------------------------------------- array methods
    @property
    def T(self):
        return anp().transpose(self)

    def transpose(self, *axes):
        return anp().transpose(self, axes[0] if len(axes) == 1 else (axes or None))

    def reshape(self, *shape):
        return anp().reshape(self, shape[0] if len(shape) == 1 else shape)

    def ravel(self):
        return anp().ravel(self)

    def squeeze(self, axis=None):
        return anp().squeeze(self, axis)

    def sum(self, axis=None, keepdims=False):
        return anp().sum(self, axis, keepdims=keepdims)

    def mean(self, axis=None, keepdims=False):
        return anp().mean(self, axis, keepdims=keepdims)

    def prod(self, axis=None, keepdims=False):
        return anp().prod(self, axis, keepdims=keepdims)

    def max(self, axis=None, keepdims=False):
        return anp().max(self, axis, keepdims=keepdims)

    def min(self, axis=None, keepdims=False):
        return anp().min(self, axis, keepdims=keepdims)

    def dot(self, other):
        return anp().dot(self, other)


#: Operators call their operand's trace directly (it hands the op on to an inner trace when
#: the other operand belongs to one): ``Primitive.__call__`` without its generic argument scan.
NO_PARAMS: dict = {}


def plain(x: Any) -> Any:
    """The plain value beneath any tracing (the value itself when it is not traced)."""
    return x.primal_value if isinstance(x, Traced) else x


def anp():
    """``admodes.numpy``, imported late (it imports the engines, which import this module)."""
    import admodes.numpy

    return admodes.numpy


def _ufunc_alias(name: str) -> str:
    return {"absolute": "abs"}.get(name, name)


def _method_suffix(method: str) -> str:
    return "" if method == "__call__" else f".{method}"


def _no_rule_message(what: str) -> str:
    return (
        f"{what} has no admodes rule, so it cannot be applied to a traced value without "
        "dropping the derivative. Use the matching function from `admodes.numpy`, or register "
        "a rule: `admodes.registry.defprim(name, impl, jvps=[...], vjps=[...])` (see the README, "
        "'Adding an op')."
    )
