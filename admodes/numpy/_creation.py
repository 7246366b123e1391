"""Array constructors: NumPy's, returning :class:`Array`, a NumPy array that also has JAX's
functional updates (``x.at[index].set(v)``, ``.add``, ...), so JAX code that builds a constant
array and updates it with traced values (``jnp.zeros((k, d, d)).at[:, i, j].set(v)``) ports by
changing its imports. An :class:`Array` is an ``ndarray`` in every other way.

Also the index constructors (``tril_indices``, ``ix_``, ``mgrid``, ...: NumPy's own, plain
integers, nothing to differentiate; the ``*_from`` forms take a traced array's shape) and
``meshgrid``, which differentiates: its outputs are its inputs reshaped and broadcast."""

from __future__ import annotations

from typing import Any

import numpy as _np

from admodes.core import shape
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


# Index arrays: NumPy's own (plain integers, constants to every transform).
tril_indices = _np.tril_indices
triu_indices = _np.triu_indices
diag_indices = _np.diag_indices
indices = _np.indices
ix_ = _np.ix_
unravel_index = _np.unravel_index
ravel_multi_index = _np.ravel_multi_index
mgrid = _np.mgrid
ogrid = _np.ogrid
s_ = _np.s_
index_exp = _np.index_exp


def _square_shape(arr: Any, name: str) -> tuple[int, int]:
    """The two dimensions of a 2-D array (traced or not), as NumPy's ``*_indices_from`` need."""
    if len(shape(arr)) != 2:
        raise ValueError(f"{name}: input array must be 2-d, got shape {shape(arr)}")
    rows, cols = shape(arr)
    return rows, cols


def tril_indices_from(arr: Any, k: int = 0) -> tuple[_np.ndarray, _np.ndarray]:
    """``numpy.tril_indices_from``: the indices of the lower triangle of a 2-D ``arr``."""
    rows, cols = _square_shape(arr, "tril_indices_from")
    return _np.tril_indices(rows, k, cols)


def triu_indices_from(arr: Any, k: int = 0) -> tuple[_np.ndarray, _np.ndarray]:
    """``numpy.triu_indices_from``: the indices of the upper triangle of a 2-D ``arr``."""
    rows, cols = _square_shape(arr, "triu_indices_from")
    return _np.triu_indices(rows, k, cols)


def diag_indices_from(arr: Any) -> tuple[_np.ndarray, ...]:
    """``numpy.diag_indices_from``: the indices of the main diagonal of a square ``arr``."""
    dims = shape(arr)
    if len(dims) < 2 or len(set(dims)) != 1:
        raise ValueError(
            f"diag_indices_from: all dimensions of the input must be equal, got {dims}"
        )
    return _np.diag_indices(dims[0], len(dims))


def meshgrid(
    *xi: Any, copy: bool = True, sparse: bool = False, indexing: str = "xy"
) -> tuple[Any, ...]:
    """``numpy.meshgrid``: coordinate arrays from 1-D coordinate vectors, differentiable in each.

    Output k is ``xi[k]`` flattened, reshaped to lie along axis k (axes 0 and 1 swapped for
    ``indexing="xy"``), and broadcast to the full grid unless ``sparse``.
    """
    if indexing not in ("xy", "ij"):
        raise ValueError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    n = len(xi)
    axes = list(range(n))
    if indexing == "xy" and n > 1:
        axes[0], axes[1] = 1, 0
    grids = [
        _functions.reshape(x, tuple(-1 if d == axis else 1 for d in range(n)))
        for x, axis in zip(xi, axes, strict=True)
    ]
    if not sparse:
        full_shape = tuple(max(shape(g)[d] for g in grids) for d in range(n))
        grids = [_functions.broadcast_to(g, full_shape) for g in grids]
    # NumPy's copy=True: plain outputs are writable arrays, not views of the inputs.
    return tuple(g.copy() if copy and isinstance(g, _np.ndarray) else g for g in grids)
