"""Array constructors: NumPy's, returning :class:`Array`, a NumPy array that also has JAX's
functional updates (``x.at[index].set(v)``, ``.add``, ...), so JAX code that builds a constant
array and updates it with traced values (``jnp.zeros((k, d, d)).at[:, i, j].set(v)``) ports by
changing its imports. An :class:`Array` is an ``ndarray`` in every other way."""

from __future__ import annotations

from typing import Any

import numpy as _np

from admodes.numpy import _functions
from admodes.numpy._indexing import IndexUpdates


class Array(_np.ndarray):
    """``numpy.ndarray`` with ``.at``: ``x.at[index].set(v)`` returns x with ``v`` written at
    ``index`` (traced when ``v`` is), leaving x as it was."""

    @property
    def at(self) -> IndexUpdates:
        return IndexUpdates(_np.asarray(self))


def is_numpy_own(fn: Any, np_fn: Any) -> bool:
    """Whether ``fn`` is NumPy's ``np_fn`` itself or a constructor here wrapping it: NumPy's own
    function, with no rule for traced arguments."""
    return fn is np_fn or getattr(fn, "__wrapped__", None) is np_fn


def _with_updates(make: Any) -> Any:
    """``make`` returning an :class:`Array` wherever it returns a plain NumPy array."""

    def constructor(*args: Any, **kwargs: Any) -> Any:
        out = make(*args, **kwargs)
        return out.view(Array) if type(out) is _np.ndarray else out

    constructor.__name__ = make.__name__
    constructor.__wrapped__ = make  # NumPy's own: no rule for a traced argument
    constructor.__doc__ = f"``numpy.{make.__name__}``, with ``.at`` updates on the result."
    return constructor


zeros = _with_updates(_np.zeros)
ones = _with_updates(_np.ones)
empty = _with_updates(_np.empty)
full = _with_updates(_np.full)
eye = _with_updates(_np.eye)
arange = _with_updates(_np.arange)
linspace = _with_updates(_np.linspace)
zeros_like = _with_updates(_functions.zeros_like)
ones_like = _with_updates(_functions.ones_like)
full_like = _with_updates(_functions.full_like)
array = _with_updates(_functions.array)
asarray = _with_updates(_functions.asarray)
