"""Array constructors: NumPy's, returning :class:`Array`, a NumPy array that also has JAX's
functional updates (``x.at[index].set(v)``, ``.add``, ...), so JAX code that builds a constant
array and updates it with traced values (``jnp.zeros((k, d, d)).at[:, i, j].set(v)``) ports by
changing its imports. An :class:`Array` is an ``ndarray`` in every other way.

Also the index constructors (``tril_indices``, ``ix_``, ``mgrid``, ...: NumPy's own, plain
integers, nothing to differentiate; the ``*_from`` forms take a traced array's shape) and
``meshgrid``, which differentiates: its outputs are its inputs reshaped and broadcast."""

from __future__ import annotations

import abc
from collections.abc import Sequence
from typing import Any

import numpy as _np

from admodes import batching
from admodes.batching import is_mapped
from admodes.core import Traced, dtype_of, numbers, shape, to_integers
from admodes.numpy import _functions
from admodes.numpy._indexing import IndexUpdates
from admodes.numpy._shapes import moveaxis


class Array(_np.ndarray):
    """``numpy.ndarray`` with ``.at``: ``x.at[index].set(v)`` returns x with ``v`` written at
    ``index`` (traced when ``v`` is), leaving x as it was; and JAX's ``astype``."""

    @property
    def at(self) -> IndexUpdates:
        return IndexUpdates(self)

    def astype(self, dtype: Any, *args: Any, **kwargs: Any) -> Any:
        """NumPy's, but floats convert to integers as XLA converts them (truncated, saturated,
        nan → 0), as ``admodes.numpy.astype`` and JAX arrays convert."""
        target = _np.dtype(dtype)
        if self.dtype.kind == "f" and target.kind in "iu":
            return to_integers(self.view(_np.ndarray), target).view(Array)
        return super().astype(dtype, *args, **kwargs)


batching.array_view = lambda x: x.view(Array)  # vmap's calls per index get .at too


class ndarray(abc.ABC):
    """The type of ``admodes.numpy``'s arrays, for ``isinstance`` checks and annotations, as
    ``jax.numpy.ndarray``: a NumPy array (an :class:`Array` too) or a value a transform traces (a
    traced Python float too, as JAX's traced scalars are arrays); not a NumPy or Python scalar.
    Not a constructor, as JAX's is not."""

    def __new__(cls, *args: Any, **kwargs: Any) -> ndarray:
        raise TypeError(
            "admodes.numpy.ndarray is the array type for isinstance checks and annotations, not "
            "a constructor (as jax.numpy.ndarray); build an array with anp.array(values), "
            "anp.zeros(shape) or anp.empty(shape)"
        )

    @property
    @abc.abstractmethod
    def shape(self) -> tuple[int, ...]:
        """The array's shape (every array has one: NumPy's and traced values alike)."""


ndarray.register(_np.ndarray)
ndarray.register(Traced)


def is_numpy_own(fn: Any, np_fn: Any) -> bool:
    """Whether ``fn`` is NumPy's ``np_fn`` itself or a constructor here wrapping it: NumPy's own
    function, with no rule for traced arguments."""
    return fn is np_fn or getattr(fn, "__wrapped__", None) is np_fn


def _as_array(out: Any) -> Any:
    """A plain NumPy array as an :class:`Array`; anything else unchanged."""
    return out.view(Array) if type(out) is _np.ndarray else out


def _with_updates(make: Any) -> Any:
    """``make`` returning an :class:`Array` wherever it returns a plain NumPy array."""

    def constructor(*args: Any, **kwargs: Any) -> Any:
        return _as_array(make(*args, **kwargs))

    constructor.__name__ = make.__name__
    constructor.__wrapped__ = make  # NumPy's own: no rule for a traced argument
    constructor.__doc__ = f"``numpy.{make.__name__}``, with ``.at`` updates on the result."
    return constructor


zeros = _with_updates(_np.zeros)
ones = _with_updates(_np.ones)
empty = _with_updates(_np.empty)
eye = _with_updates(_np.eye)
arange = _with_updates(_np.arange)
zeros_like = _with_updates(_functions.zeros_like)
ones_like = _with_updates(_functions.ones_like)
full_like = _with_updates(_functions.full_like)
array = _with_updates(_functions.array)
asarray = _with_updates(_functions.asarray)


def full(
    shape: int | Sequence[int], fill_value: Any, dtype: Any = None, order: str = "C", **kwargs: Any
) -> Any:
    """``numpy.full`` as an :class:`Array`; a traced ``fill_value`` is broadcast to ``shape``
    (differentiable in it, as JAX's)."""
    if isinstance(fill_value, Traced):
        return _functions.filled(fill_value, shape, dtype)
    return _as_array(_np.full(shape, fill_value, dtype, order, **kwargs))


def linspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, retstep: bool = False,
    dtype: Any = None, axis: int = 0, **kwargs: Any,
) -> Any:  # fmt: skip
    """``numpy.linspace`` as an :class:`Array`. With a traced ``start`` or ``stop`` it is NumPy's
    computation, value for value: yₖ = k·step + start for k = 0, ..., num − 1 with
    step = (stop − start)/div (div = num − 1 with the endpoint, else num; NumPy's (k/div)·(stop −
    start) where the step underflows to 0), the last point stop itself with the endpoint;
    differentiable in both, as JAX's. So is the step, but where div is 0 (num 0, or 1 with the
    endpoint): there it is nan, a constant, as NumPy's and JAX's."""
    if not (isinstance(start, Traced) or isinstance(stop, Traced)):
        out = _np.linspace(start, stop, num, endpoint, retstep, dtype, axis, **kwargs)
        return (_as_array(out[0]), out[1]) if retstep else _as_array(out)
    div = num - 1 if endpoint else num
    delta = _functions.subtract(stop, start)
    k = _np.arange(num, dtype=dtype_of(delta)).reshape((num,) + (1,) * len(shape(delta)))
    if div <= 0:
        step, y = dtype_of(delta).type(_np.nan), _functions.multiply(k, delta)
    else:
        step = _functions.divide(delta, div)
        underflow = _np.any(numbers(step) == 0)  # one answer per index under vmap
        if is_mapped(underflow):
            y = _functions.where(
                underflow, _functions.multiply(k / div, delta), _functions.multiply(k, step)
            )
        else:
            y = _functions.multiply(k / div, delta) if underflow else _functions.multiply(k, step)
    y = _functions.add(y, start)
    if endpoint and num > 1:
        y = _functions.where(_np.arange(num).reshape(k.shape) == num - 1, stop, y)
    y = moveaxis(y, 0, axis)
    if dtype is not None and _np.issubdtype(dtype, _np.integer):
        y = _functions.floor(y)  # NumPy rounds down, not toward zero
    y = y if dtype is None else _functions.astype(y, dtype)
    return (y, step) if retstep else y


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


# ------------------------------------------------------------------------------ more constructors
identity = _with_updates(_np.identity)
tri = _with_updates(_np.tri)


def empty_like(
    prototype: Any, dtype: Any = None, order: str = "K", subok: bool = True, shape: Any = None
) -> Any:
    """An array of prototype's shape and dtype (or ``dtype`` / ``shape``), filled with zeros as
    JAX fills it (NumPy leaves it uninitialised), as an :class:`Array`; a prototype vmap maps
    gives one index's shape and dtype."""
    like = _functions.like_template(prototype)
    return _as_array(_np.zeros_like(like, dtype=dtype, order=order, shape=shape))


def logspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, base: Any = 10.0,
    dtype: Any = None, axis: int = 0,
) -> Any:  # fmt: skip
    """base ** linspace(start, stop, num, endpoint, axis=axis); with a traced ``start``, ``stop``
    or ``base``, differentiable in it, as JAX's."""
    if not (isinstance(start, Traced) or isinstance(stop, Traced) or isinstance(base, Traced)):
        return _as_array(_np.logspace(start, stop, num, endpoint, base, dtype, axis))
    y = _functions.power(base, linspace(start, stop, num, endpoint, axis=axis))
    return y if dtype is None else _functions.astype(y, dtype)


def geomspace(
    start: Any, stop: Any, num: int = 50, endpoint: bool = True, dtype: Any = None, axis: int = 0
) -> Any:
    """num points spaced evenly on a log scale from start to stop (of one sign); with a traced
    ``start`` or ``stop``, as JAX computes it: sign · logspace(log10(start/sign),
    log10(stop/sign)) with sign = sign(start) (a constant), differentiable in both."""
    if not (isinstance(start, Traced) or isinstance(stop, Traced)):
        return _as_array(_np.geomspace(start, stop, num, endpoint, dtype, axis))
    sign = _np.sign(numbers(start))
    lo = _functions.log10(_functions.divide(start, sign))
    hi = _functions.log10(_functions.divide(stop, sign))
    y = moveaxis(_functions.multiply(sign, logspace(lo, hi, num, endpoint, 10.0, axis=0)), 0, axis)
    return y if dtype is None else _functions.astype(y, dtype)
