"""What the ``lax`` reductions share: the identity of each monoid they know, in a dtype, and the
conversion of a result to the operand's dtype (``reduce``, the ``reduce_*`` family and
``reduce_window`` recognise a computation by identity: ``lax.add`` is ``admodes.numpy.add``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, extreme_value


def in_dtype(x: Any, dtype: np.dtype) -> Any:
    """x converted to ``dtype`` (unchanged when it has it)."""
    return x if dtype_of(x) == dtype else anp.astype(x, dtype)


def zero(dtype: np.dtype) -> Any:
    """The identity of ``add``, ``bitwise_or`` and ``bitwise_xor``: 0."""
    return np.zeros((), dtype)


def one(dtype: np.dtype) -> Any:
    """The identity of ``multiply``: 1."""
    return np.ones((), dtype)


def all_bits(dtype: np.dtype) -> Any:
    """The identity of ``bitwise_and``: every bit set (True for bool)."""
    return np.array(-1).astype(dtype)


def lowest(dtype: np.dtype) -> Any:
    """The identity of ``maximum``: the smallest value of ``dtype``."""
    return np.array(extreme_value(dtype, upper=False), dtype)


def highest(dtype: np.dtype) -> Any:
    """The identity of ``minimum``: the largest value of ``dtype``."""
    return np.array(extreme_value(dtype, upper=True), dtype)


#: The computations the reductions recognise (by identity), to their identity in a dtype.
IDENTITY: dict[Any, Callable[[np.dtype], Any]] = {
    anp.add: zero,
    anp.multiply: one,
    anp.maximum: lowest,
    anp.minimum: highest,
    anp.bitwise_and: all_bits,
    anp.bitwise_or: zero,
    anp.bitwise_xor: zero,
}
