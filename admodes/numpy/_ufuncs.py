"""JAX's universal functions (``jax.numpy.ufunc``): ``add``, ``multiply``, ``maximum``, ... as
callables with NumPy's methods ``outer``, ``reduce``, ``accumulate`` and ``at``.

A call is the function's own (for ``add``: the registry's primitive, dispatched directly). The
methods are built from admodes ops, so they differentiate: ``reduce`` and ``accumulate`` by the
reduction that computes them (``add.reduce`` is ``sum``, ``multiply.accumulate`` is ``cumprod``)
or else by folding the function along the axis, as NumPy's loop does; ``at`` by the functional
update ``x.at[indices]`` (JAX's ``inplace=False``). NumPy's ``np.subtract.outer(x, y)`` on a
traced value reaches the same methods through NumPy's ufunc protocol.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as _np
from numpy.lib.array_utils import normalize_axis_tuple

from admodes.core import dtype_of, ndim, shape
from admodes.numpy import _functions as _f
from admodes.numpy._creation import asarray
from admodes.numpy._shapes import moveaxis, vectorize


class ufunc:
    """A universal function: called elementwise with broadcasting, with NumPy's methods (JAX's
    signatures: ``at`` needs ``inplace=False``). ``nin`` inputs, one output; ``identity`` is the
    value a reduction starts from (NumPy's, for NumPy's functions)."""

    def __init__(
        self,
        fn: Callable[..., Any],
        name: str,
        nin: int,
        *,
        identity: Any = None,
        numpy_ufunc: _np.ufunc | None = None,
        reduce: Callable[..., Any] | None = None,
        accumulate: Callable[..., Any] | None = None,
        at: str | None = None,
    ) -> None:
        self.__wrapped__ = fn
        self.__name__ = name
        self.__doc__ = f"``{name}`` as a ufunc: called, or by its methods (see ``ufunc``)."
        self.nin, self.nout, self.nargs = nin, 1, nin + 1
        self.identity = identity
        self._numpy = numpy_ufunc
        self._reduction = reduce
        self._accumulation = accumulate
        self.at_method = at
        """The ``x.at[indices]`` method that applies this function (None: none does)."""

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return self.__wrapped__(*args, **kwargs)

    def __repr__(self) -> str:
        return f"<admodes ufunc '{self.__name__}'>"

    def _binary(self, method: str) -> None:
        if self.nin != 2:
            raise ValueError(f"{method} only supported for binary functions; {self} has one input")

    def _as_output(self, x: Any) -> Any:
        """x as a fold of one term gives it: in the output type NumPy's ufunc of the same name
        resolves (bool(x) for a logical function, a float for logaddexp of integers), as NumPy
        and JAX give it; as it is for a ufunc with no NumPy counterpart."""
        if self._numpy is None:
            return x
        target = self._numpy.resolve_dtypes((dtype_of(x), dtype_of(x), None))[-1]
        if target == dtype_of(x):
            return x
        return _f.not_equal(x, 0) if target.kind == "b" else _f.astype(x, target)

    def outer(self, a: Any, b: Any, /) -> Any:
        """f(a[i, …], b[j, …]) for every pair: the shape ``a.shape + b.shape``."""
        self._binary("outer")
        return self(_f.reshape(a, shape(a) + (1,) * ndim(b)), b)

    def reduce(
        self,
        a: Any,
        axis: int | tuple[int, ...] | None = 0,
        dtype: Any = None,
        out: None = None,
        keepdims: bool = False,
        initial: Any = None,
        where: Any = None,
    ) -> Any:
        """f folded over ``axis`` (NumPy's default 0; None: every axis), starting from
        ``initial`` where given; ``where`` selects the entries that take part."""
        self._binary("reduce")
        _f.no_out(out)
        a = _f.with_dtype(a, dtype)
        if self._reduction is not None:
            return self._reduction(a, axis=axis, keepdims=keepdims, initial=initial, where=where)
        axes = normalize_axis_tuple(range(ndim(a)) if axis is None else axis, ndim(a))
        if where is not None:  # the entries left out take the identity's place
            if self.identity is None:
                raise NotImplementedError(
                    f"{self.__name__}.reduce(where=...) needs an identity, which "
                    f"{self.__name__} has not; reduce the selected entries instead"
                )
            a = _f.masked(a, where, self.identity)
        rows = _f.reshape(moveaxis(a, axes, tuple(range(len(axes)))), (-1, *_rest(a, axes)))
        terms = [rows[i] for i in range(shape(rows)[0])]
        if initial is not None:
            terms.insert(0, initial)
        if not terms:
            if self.identity is None:
                raise ValueError(
                    f"zero-size array to reduction operation {self.__name__} which has no identity"
                )
            terms = [_np.full(_rest(a, axes), self.identity, dtype=_np.result_type(a))]
        total = functools.reduce(self, terms) if len(terms) > 1 else self._as_output(terms[0])
        if keepdims:
            total = _f.reshape(total, tuple(1 if i in axes else d for i, d in enumerate(shape(a))))
        return total

    def accumulate(self, a: Any, axis: int = 0, dtype: Any = None, out: None = None) -> Any:
        """The running fold along ``axis``: f(…f(f(a₀, a₁), a₂)…, aₖ) at k."""
        self._binary("accumulate")
        _f.no_out(out)
        a = _f.with_dtype(a, dtype)
        if self._accumulation is not None:
            return self._accumulation(a, axis=axis)
        (axis,) = normalize_axis_tuple(axis, ndim(a))
        rows = moveaxis(a, axis, 0)
        running = [self._as_output(rows[0])] if shape(rows)[0] else []
        for i in range(1, shape(rows)[0]):
            running.append(self(running[-1], rows[i]))
        return moveaxis(_f.stack(running) if running else rows, 0, axis)

    def at(self, a: Any, indices: Any, b: Any = None, /, *, inplace: bool = True) -> Any:
        """a with f applied at ``indices`` (repeated indices apply repeatedly), as JAX's
        ``inplace=False``: a new array; the default in-place form raises, as JAX's."""
        if inplace:
            raise NotImplementedError(
                f"{self.__name__}.at with inplace=True would write into its argument, which JAX "
                "arrays and traced values cannot be; pass inplace=False for the updated copy"
            )
        if self.at_method is None:
            raise NotImplementedError(
                f"{self.__name__}.at has no functional update in admodes; add, multiply, minimum "
                "and maximum have one"
            )
        return getattr(asarray(a).at[indices], self.at_method)(b)


def _rest(a: Any, axes: tuple[int, ...]) -> tuple[int, ...]:
    """The shape of a without the axes ``axes``."""
    return tuple(d for i, d in enumerate(shape(a)) if i not in axes)


def numpys(fn: Callable[..., Any], np_ufunc: _np.ufunc, **methods: Any) -> ufunc:
    """``fn``, admodes' function for NumPy's ufunc ``np_ufunc``, as a ufunc with its name, number
    of inputs and identity, and ``methods`` (a reduction, an accumulation, an ``at`` update)."""
    return ufunc(
        fn, np_ufunc.__name__, np_ufunc.nin, identity=np_ufunc.identity, numpy_ufunc=np_ufunc,
        **methods,
    )  # fmt: skip


def frompyfunc(func: Callable[..., Any], /, nin: int, nout: int, *, identity: Any = None) -> ufunc:
    """A ufunc applying the scalar function ``func`` elementwise (``vectorize``), as JAX's
    ``frompyfunc``: one output only."""
    if nout != 1:
        raise NotImplementedError(f"frompyfunc with nout={nout}: admodes' ufuncs have one output")
    return ufunc(vectorize(func), getattr(func, "__name__", "func"), nin, identity=identity)
