"""The traced value's operators, array methods and NumPy protocol hooks, attached from the
namespace (as HIPS autograd attaches its ``ArrayBox`` methods from ``autograd.numpy``).

Operators dispatch through the registry (``x + y`` is ``add``); ``np.f(x)`` on a traced value
reaches ``admodes.numpy.f`` (NumPy's ``__array_ufunc__`` and ``__array_function__`` protocols), so
unmodified NumPy code differentiates, and a NumPy function with no rule raises a clear error.
"""

from __future__ import annotations

from types import ModuleType
from typing import Any

from admodes.core import Traced, dtype_of, size
from admodes.numpy._creation import is_numpy_own
from admodes.numpy._indexing import IndexUpdates
from admodes.numpy._ufuncs import numpys, ufunc
from admodes.registry import Primitive, bind
from admodes.rules.elementwise import OPERATORS, negative


def attach_array_methods(anp: ModuleType) -> None:
    """Give :class:`Traced` its operators and array methods, each a call into ``anp``."""
    for prim, _, name, reflected in OPERATORS:
        setattr(Traced, name, _operator(prim, False))
        setattr(Traced, reflected, _operator(prim, True))
    for name, fn_name, swapped in _FUNCTION_OPERATORS:
        setattr(Traced, name, _operator(getattr(anp, fn_name), swapped))
    Traced.__neg__ = lambda self: bind(negative, self)
    Traced.__pos__ = lambda self: self
    Traced.__abs__ = lambda self: anp.abs(self)
    # round() and divmod() give traced values, as on JAX's arrays (rounding and floor division
    # are piecewise constant: derivative 0; the remainder's is that of x − ⌊x/y⌋·y).
    Traced.__round__ = lambda self, ndigits=None: anp.round(self, ndigits or 0)
    Traced.__divmod__ = lambda self, other: anp.divmod(self, other)
    Traced.__rdivmod__ = lambda self, other: anp.divmod(other, self)
    Traced.__getitem__ = lambda self, index: anp.getitem(self, index)
    Traced.__iter__ = lambda self: (self[i] for i in range(len(self)))
    Traced.T = property(lambda self: anp.transpose(self))
    Traced.mT = property(lambda self: anp.matrix_transpose(self))
    Traced.itemsize = property(lambda self: dtype_of(self).itemsize)
    Traced.nbytes = property(lambda self: dtype_of(self).itemsize * size(self))
    Traced.real = property(lambda self: anp.real(self))
    Traced.imag = property(lambda self: anp.imag(self))
    Traced.transpose = lambda self, *axes: anp.transpose(self, _varargs(axes) if axes else None)
    Traced.reshape = lambda self, *shape, order="C": anp.reshape(self, _varargs(shape), order)
    Traced.item = _item
    for method in _METHODS:
        setattr(Traced, method, _method(anp, method))
    Traced.flatten = Traced.ravel
    Traced.compress = lambda self, condition, axis=None, **kwargs: anp.compress(
        condition, self, axis, **kwargs
    )  # the one method whose value is not the function's first argument
    Traced.at = property(IndexUpdates)
    Traced.__array_ufunc__ = _array_ufunc(anp)
    Traced.__array_function__ = _array_function(anp)


#: The operators that are namespace functions rather than primitives (the rest: ``OPERATORS``):
#: (operator, function in the namespace, whether the traced value is the right operand).
_FUNCTION_OPERATORS = (
    ("__floordiv__", "floor_divide", False),
    ("__rfloordiv__", "floor_divide", True),
    ("__matmul__", "matmul", False),
    ("__rmatmul__", "matmul", True),
)

#: Array methods that are the namespace's function of the same name, the value first.
_METHODS = (
    "conj",
    "conjugate",
    "ravel",
    "squeeze",
    "swapaxes",
    "diagonal",
    "trace",
    "repeat",
    "take",
    "astype",
    "copy",
    "clip",
    "round",
    "sum",
    "mean",
    "prod",
    "max",
    "min",
    "std",
    "var",
    "cumsum",
    "cumprod",
    "argmax",
    "argmin",
    "argsort",
    "argpartition",
    "nonzero",
    "dot",
    "sort",
    "ptp",
    "all",
    "any",
    "choose",
    "searchsorted",
)


def _operator(fn: Any, swapped: bool) -> Any:
    if isinstance(fn, Primitive):  # the hot path: straight to the dispatch
        if swapped:
            return lambda self, other: bind(fn, other, self)
        return lambda self, other: bind(fn, self, other)
    if swapped:
        return lambda self, other: fn(other, self)
    return lambda self, other: fn(self, other)


def _method(anp: ModuleType, name: str) -> Any:
    fn = getattr(anp, name)

    def method(self: Traced, *args: Any, **kwargs: Any) -> Any:
        return fn(self, *args, **kwargs)

    method.__name__ = name
    method.__doc__ = f"``admodes.numpy.{name}(self, ...)``."
    return method


def _varargs(values: tuple) -> Any:
    """``x.reshape(2, 3)`` and ``x.reshape((2, 3))`` alike."""
    return values[0] if len(values) == 1 else values


def _array_ufunc(anp: ModuleType) -> Any:
    def __array_ufunc__(
        self: Traced, np_ufunc: Any, method: str, *inputs: Any, **kwargs: Any
    ) -> Any:
        name = np_ufunc.__name__
        fn = getattr(anp, _UFUNC_ALIASES.get(name, name), None)
        what = f"numpy.{name}" + ("" if method == "__call__" else f".{method}")
        if method == "__call__" and fn is not None:
            if kwargs:
                raise TypeError(unsupported_keywords_message(what, kwargs))
            return fn(*inputs)
        if fn is None or method not in _UFUNC_METHODS or np_ufunc.signature is not None:
            raise TypeError(no_rule_message(what))
        universal = fn if isinstance(fn, ufunc) else numpys(fn, np_ufunc)
        if method == "at":
            if universal.at_method is None:
                raise TypeError(no_rule_message(what))
            raise TypeError(
                f"{what} updates its first argument in place, which a traced value cannot be; "
                f"use the functional update `x.at[indices].{universal.at_method}(values)`, as in "
                "JAX"
            )
        return getattr(universal, method)(*inputs, **kwargs)

    return __array_ufunc__


#: The methods of a NumPy ufunc that reach admodes' (``at`` to say what to use instead).
_UFUNC_METHODS = ("outer", "reduce", "accumulate", "at")


def _array_function(anp: ModuleType) -> Any:
    def __array_function__(self: Traced, func: Any, types: Any, args: tuple, kwargs: dict) -> Any:
        namespace = anp
        for part in func.__module__.split(".")[1:]:  # numpy.linalg -> admodes.numpy.linalg
            namespace = getattr(namespace, part, None)
        fn = getattr(namespace, func.__name__, None)
        if fn is None or is_numpy_own(fn, func):
            raise TypeError(no_rule_message(f"{func.__module__}.{func.__name__}"))
        return fn(*args, **kwargs)

    return __array_function__


_UFUNC_ALIASES = {"absolute": "abs"}


def unsupported_keywords_message(what: str, kwargs: dict) -> str:
    """The error for a NumPy ufunc called on a traced value with keywords admodes cannot honour."""
    names = ", ".join(f"{k}=" for k in sorted(kwargs))
    return (
        f"{what}(..., {names}) on a traced value: admodes supports none of a ufunc's keyword "
        "arguments (out=, where=, dtype=, casting=, ...). Call it without them and use the "
        "returned value: select entries with `anp.where(mask, y, other)`, convert with "
        "`y.astype(dtype)`."
    )


def _item(self: Traced, *args: Any) -> Any:
    """``x.item()`` would be a Python scalar without the derivative: refused, as ``float(x)``."""
    return self.__float__()


def no_rule_message(what: str) -> str:
    """The error for a NumPy function applied to a traced value that admodes has no rule for."""
    return (
        f"{what} has no admodes rule, so it cannot be applied to a traced value without "
        "dropping the derivative. Use the matching function from `admodes.numpy`, or register "
        "a rule: `admodes.registry.defprim(name, impl, jvps=[...], vjps=[...])` (see the README, "
        "'Adding an op'). If the result is not meant to be differentiated (an index, a sort "
        "order), apply it to `admodes.stop_gradient(x)`."
    )
