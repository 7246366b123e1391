"""``ShapeDtypeStruct`` and ``eval_shape``: the shapes and dtypes of a function's output, as JAX's.

JAX finds them by tracing without computing. admodes evaluates: ``eval_shape`` calls the function
once on zeros of the given shapes and dtypes (so it costs one evaluation, and a function that
divides by its input sees zeros: floating-point warnings are silenced), and describes the output.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from admodes.core import dtype_of, plain, shape
from admodes.tree import flatten, unflatten

__all__ = ["ShapeDtypeStruct", "eval_shape"]


@dataclass(frozen=True)
class ShapeDtypeStruct:
    """An array's shape and dtype, without its values (a leaf of every pytree)."""

    shape: tuple[int, ...]
    dtype: np.dtype

    def __init__(self, shape: tuple[int, ...], dtype: Any) -> None:
        object.__setattr__(self, "shape", tuple(int(n) for n in shape))
        object.__setattr__(self, "dtype", np.dtype(dtype))

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        return int(np.prod(self.shape, dtype=int))


def eval_shape(fun: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """The tree of :class:`ShapeDtypeStruct` of ``fun(*args, **kwargs)``'s output. An argument
    leaf that describes an array without values (a ``ShapeDtypeStruct``, JAX's or admodes', or
    anything with ``shape`` and ``dtype`` but no ``__array__``) stands for zeros of its shape and
    dtype; arrays and numbers are passed as they are."""
    leaves, treedef = flatten((args, kwargs))
    zeros = [np.zeros(x.shape, x.dtype) if _is_spec(x) else plain(x) for x in leaves]
    args, kwargs = unflatten(treedef, zeros)
    with np.errstate(all="ignore"):
        out = fun(*args, **kwargs)
    out_leaves, out_def = flatten(out)
    return unflatten(out_def, [ShapeDtypeStruct(shape(x), dtype_of(x)) for x in out_leaves])


def _is_spec(x: Any) -> bool:
    """Does ``x`` only describe an array (shape and dtype, no values)?"""
    return isinstance(x, ShapeDtypeStruct) or (
        hasattr(x, "shape") and hasattr(x, "dtype") and not hasattr(x, "__array__")
    )
