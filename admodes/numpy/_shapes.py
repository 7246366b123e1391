"""Shape functions of ``admodes.numpy`` beyond the basic ones: moving axes, diagonals and
triangles, repeating, padding, rolling, splitting and gathering along an axis.

Each is a composite of the shape primitives (reshape, transpose, getitem, concatenate,
broadcast_to) or of ``where``, so its derivative is that of the data it moves and it costs no
FLOPs (``tril``/``triu``/``diag``: a select per element, as JAX's). Each takes NumPy's arguments
and returns NumPy's value, with the dtype of its input.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as _np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from admodes.core import Traced, dtype_of, ndim, plain, shape
from admodes.numpy._functions import (
    _axes,
    asarray,
    astype,
    axes_in_order,
    broadcast_to,
    concatenate,
    flip,
    getitem,
    no_out,
    ravel,
    reshape,
    sum,
    swapaxes,
    transpose,
    vstack,
    where,
)
from admodes.rules.shape import along_axis, axis_index

row_stack = vstack


def copy(a: Any, order: str = "K", subok: bool = False) -> Any:
    """A traced value is immutable: its copy is itself. A plain array is copied."""
    return a if isinstance(a, Traced) else _np.copy(a, order=order, subok=subok)


# ------------------------------------------------------------------------------ moving axes
def moveaxis(a: Any, source: int | Sequence[int], destination: int | Sequence[int]) -> Any:
    """a with the axes ``source`` moved to the positions ``destination``, the others in order."""
    nd = ndim(a)
    src = normalize_axis_tuple(source, nd, "source")
    dst = normalize_axis_tuple(destination, nd, "destination")
    if len(src) != len(dst):
        raise ValueError(
            "`source` and `destination` arguments must have the same number of elements"
        )
    order = [k for k in range(nd) if k not in src]
    for d, s in sorted(zip(dst, src, strict=True)):
        order.insert(d, s)
    return transpose(a, order)


def rollaxis(a: Any, axis: int, start: int = 0) -> Any:
    """a with ``axis`` moved to lie before position ``start`` (NumPy's older ``moveaxis``)."""
    nd = ndim(a)
    axis = normalize_axis_index(axis, nd)
    if not -nd <= start <= nd:
        raise _np.exceptions.AxisError(f"start={start} must satisfy {-nd} <= start <= {nd}")
    start %= nd + 1
    return moveaxis(a, axis, start - 1 if axis < start else start)


def _atleast(arys: tuple, nd: int, place: Any) -> Any:
    """Each array reshaped to at least ``nd`` dimensions by ``place(shape)``; one array or a
    tuple, as NumPy returns them."""
    out = tuple(a if ndim(a) >= nd else reshape(a, place(shape(a))) for a in arys)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys: Any) -> Any:
    return _atleast(arys, 1, lambda s: (1,))


def atleast_2d(*arys: Any) -> Any:
    return _atleast(arys, 2, lambda s: (1, *s, 1)[:2] if s else (1, 1))


def atleast_3d(*arys: Any) -> Any:
    return _atleast(arys, 3, lambda s: {0: (1, 1, 1), 1: (1, *s, 1), 2: (*s, 1)}[len(s)])


def column_stack(tup: Sequence[Any]) -> Any:
    """1-D arrays as columns, 2-D arrays as they are, side by side."""
    return concatenate([reshape(a, (-1, 1)) if ndim(a) < 2 else a for a in tup], axis=1)


def dstack(tup: Sequence[Any]) -> Any:
    """Arrays joined along a third axis (each made at least 3-D first)."""
    return concatenate([atleast_3d(a) for a in tup], axis=2)


# ------------------------------------------------------------------------------ diagonals
def diagonal(a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1) -> Any:
    """The entries a[..., i, i + offset] over the plane (axis1, axis2), as the last axis."""
    nd = ndim(a)
    if normalize_axis_index(axis1, nd) == normalize_axis_index(axis2, nd):
        raise ValueError("axis1 and axis2 cannot be the same")
    a = moveaxis(a, (axis1, axis2), (-2, -1))
    rows, cols = shape(a)[-2:]
    i = _np.arange(max(0, -offset), max(0, min(rows, cols - offset)))
    return getitem(a, (..., i, i + offset))


def trace(
    a: Any, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype: Any = None, out: None = None
) -> Any:
    """Σ of the diagonal."""
    return sum(diagonal(a, offset, axis1, axis2), axis=-1, dtype=dtype, out=out)


def diag(v: Any, k: int = 0) -> Any:
    """The k-th diagonal of a 2-D array, or a 2-D array with the 1-D v on its k-th diagonal
    (a select of v, padded, on the diagonal's mask, as JAX's)."""
    if ndim(v) == 2:
        return diagonal(v, k)
    if ndim(v) != 1:
        raise ValueError(f"diag: input must be 1-D or 2-D, got {ndim(v)}-D")
    n = shape(v)[0] + abs(k)
    return where(_np.eye(n, k=k, dtype=bool), pad(v, (max(k, 0), max(-k, 0))), _zero(v))


def diagflat(v: Any, k: int = 0) -> Any:
    """The 2-D array with the flattened v on its k-th diagonal."""
    return diag(ravel(v), k)


def _zero(a: Any) -> _np.ndarray:
    """A 0-d zero of a's dtype (so ``where`` keeps the dtype)."""
    return _np.zeros((), dtype=dtype_of(a))


def tril(m: Any, k: int = 0) -> Any:
    """m with the entries above its k-th diagonal set to zero (last two axes)."""
    return where(_np.tri(*shape(m)[-2:], k=k, dtype=bool), m, _zero(m))


def triu(m: Any, k: int = 0) -> Any:
    """m with the entries below its k-th diagonal set to zero (last two axes)."""
    return where(_np.tri(*shape(m)[-2:], k=k - 1, dtype=bool), _zero(m), m)


# ------------------------------------------------------------------------------ repeating
def tile(A: Any, reps: int | Sequence[int]) -> Any:
    """A repeated ``reps`` times along each axis: broadcast over interleaved unit axes."""
    reps = (reps,) if isinstance(reps, int | _np.integer) else tuple(reps)
    nd = max(len(reps), ndim(A))
    reps = (1,) * (nd - len(reps)) + reps
    s = (1,) * (nd - ndim(A)) + shape(A)
    A = reshape(A, tuple(x for d in s for x in (1, d)))
    A = broadcast_to(A, tuple(x for r, d in zip(reps, s, strict=True) for x in (r, d)))
    return reshape(A, tuple(r * d for r, d in zip(reps, s, strict=True)))


def repeat(a: Any, repeats: int | Sequence[int], axis: int | None = None) -> Any:
    """Each entry of a repeated ``repeats`` times along ``axis`` (None: flattened): a gather."""
    if axis is None:
        a, axis = ravel(a), 0
    ax = _axes(axis, ndim(a))[0]
    return getitem(a, axis_index(ndim(a), ax, _np.repeat(_np.arange(shape(a)[ax]), repeats)))


# ------------------------------------------------------------------------------ padding, rolling
_PAD_MODES = ("constant", "edge", "reflect", "symmetric", "wrap")


def pad(array: Any, pad_width: Any, mode: str = "constant", **kwargs: Any) -> Any:
    """array padded by ``pad_width`` ((before, after) per axis, as NumPy reads it). ``constant``
    joins blocks of ``constant_values`` (which may be traced); ``edge``, ``reflect``,
    ``symmetric`` and ``wrap`` gather entries of the array (the gather NumPy's own ``pad`` makes of
    ``arange(n)``), so each padded entry's derivative flows to the entry it copies."""
    if mode not in _PAD_MODES:
        raise NotImplementedError(f"pad: mode={mode!r} is not supported; use one of {_PAD_MODES}")
    if mode == "constant":
        constants = _pairs(kwargs.pop("constant_values", 0), ndim(array))
    elif kwargs.get("reflect_type", "even") != "even":
        raise NotImplementedError("pad: only reflect_type='even' (the default) is supported")
    if set(kwargs) - {"reflect_type"}:
        raise TypeError(f"pad: unexpected keyword arguments {sorted(kwargs)} for mode={mode!r}")
    for k, (before, after) in enumerate(_pairs(pad_width, ndim(array))):
        ax = k - ndim(array)
        if mode != "constant":
            index = _np.pad(_np.arange(shape(array)[ax]), (before, after), mode=mode, **kwargs)
            array = getitem(array, axis_index(ndim(array), ax, index))
        elif before or after:
            lo, hi = constants[k]
            blocks = [_block(lo, array, ax, before), array, _block(hi, array, ax, after)]
            array = concatenate(blocks, axis=ax)
    return array


def _pairs(values: Any, nd: int) -> list[tuple[Any, Any]]:
    """NumPy's reading of ``pad_width`` / ``constant_values``: (before, after) for each axis."""
    if isinstance(values, Traced):
        return [(values, values)] * nd
    v = _np.asarray(values, dtype=object)
    if v.size == 2 and v.shape != (2, 1):
        v = v.ravel()
    pairs = _np.broadcast_to(v, (nd, 2))
    return [(b, a) for b, a in pairs]


def _block(value: Any, like: Any, axis: int, n: int) -> Any:
    """``value`` broadcast to ``like``'s shape with length n along ``axis``, in its dtype."""
    s = list(shape(like))
    s[axis] = n
    return broadcast_to(astype(value, dtype_of(like)), tuple(s))


def roll(a: Any, shift: int | Sequence[int], axis: int | Sequence[int] | None = None) -> Any:
    """a shifted cyclically by ``shift`` along ``axis`` (None: flattened, then reshaped): the
    last ``shift`` entries joined in front of the others."""
    if axis is None:
        return reshape(roll(ravel(a), shift, 0), shape(a))
    total: dict[int, int] = {}
    for s, ax in _np.broadcast(shift, axis):
        k = _axes(int(ax), ndim(a))[0]
        total[k] = total.get(k, 0) + int(s)
    for ax, s in total.items():
        n = shape(a)[ax]
        if n and s % n:
            cut = n - s % n
            first = getitem(a, axis_index(ndim(a), ax, slice(cut, None)))
            rest = getitem(a, axis_index(ndim(a), ax, slice(None, cut)))
            a = concatenate([first, rest], axis=ax)
    return a


def rot90(m: Any, k: int = 1, axes: Sequence[int] = (0, 1)) -> Any:
    """m rotated by 90° k times in the plane ``axes`` (from the first axis towards the second)."""
    nd = ndim(m)
    if len(tuple(axes)) != 2:
        raise ValueError(f"rot90: axes must be two different axes, got {axes}")
    a0, a1 = axes_in_order(axes, nd, "axes")
    k %= 4
    if k == 0:
        return m
    if k == 2:
        return flip(flip(m, a0), a1)
    perm = list(range(nd))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    return transpose(flip(m, a1), perm) if k == 1 else flip(transpose(m, perm), a1)


def flipud(m: Any) -> Any:
    if ndim(m) < 1:
        raise ValueError("flipud: input must be >= 1-d")
    return flip(m, 0)


def fliplr(m: Any) -> Any:
    if ndim(m) < 2:
        raise ValueError("fliplr: input must be >= 2-d")
    return flip(m, 1)


# ------------------------------------------------------------------------------ splitting
def array_split(ary: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list:
    """Sub-arrays of ``ary`` along ``axis``: n sections (the first ones one longer when n does not
    divide the length), or the pieces between the given indices (slices)."""
    ax = _axes(axis, ndim(ary))[0]
    length = shape(ary)[ax]
    if isinstance(indices_or_sections, int | _np.integer):
        n = int(indices_or_sections)
        if n <= 0:
            raise ValueError("number sections must be larger than 0.")
        each, extra = divmod(length, n)
        bounds = [0, *itertools.accumulate([each + 1] * extra + [each] * (n - extra))]
    else:
        bounds = [0, *indices_or_sections, length]
    return [
        getitem(ary, axis_index(ndim(ary), ax, slice(lo, hi)))
        for lo, hi in itertools.pairwise(bounds)
    ]


def split(ary: Any, indices_or_sections: int | Sequence[int], axis: int = 0) -> list:
    """``array_split``, with n sections that must be of equal length."""
    if (
        isinstance(indices_or_sections, int | _np.integer)
        and indices_or_sections
        and (shape(ary)[_axes(axis, ndim(ary))[0]] % indices_or_sections)
    ):
        raise ValueError("array split does not result in an equal division")
    return array_split(ary, indices_or_sections, axis)


def hsplit(ary: Any, indices_or_sections: int | Sequence[int]) -> list:
    if ndim(ary) == 0:
        raise ValueError("hsplit only works on arrays of 1 or more dimensions")
    return split(ary, indices_or_sections, axis=1 if ndim(ary) > 1 else 0)


def vsplit(ary: Any, indices_or_sections: int | Sequence[int]) -> list:
    if ndim(ary) < 2:
        raise ValueError("vsplit only works on arrays of 2 or more dimensions")
    return split(ary, indices_or_sections, axis=0)


def dsplit(ary: Any, indices_or_sections: int | Sequence[int]) -> list:
    if ndim(ary) < 3:
        raise ValueError("dsplit only works on arrays of 3 or more dimensions")
    return split(ary, indices_or_sections, axis=2)


# ------------------------------------------------------------------------------ gathering
def take(
    a: Any, indices: Any, axis: int | None = None, out: None = None, mode: str = "raise"
) -> Any:
    """The entries at ``indices`` along ``axis`` (None: of the flattened value); ``mode``
    ``"wrap"`` / ``"clip"`` brings out-of-range indices back in range, ``"raise"`` refuses them."""
    no_out(out)
    if axis is None:
        a, axis = ravel(a), 0
    ax = _axes(axis, ndim(a))[0]
    index = _np.asarray(plain(indices))
    n = shape(a)[ax]
    if mode == "wrap":
        index = index % n
    elif mode == "clip":
        index = _np.clip(index, 0, n - 1)
    elif mode != "raise":
        raise ValueError(f"take: mode must be 'raise', 'wrap' or 'clip', not {mode!r}")
    return getitem(a, axis_index(ndim(a), ax, index[()]))


def take_along_axis(arr: Any, indices: Any, axis: int | None = -1) -> Any:
    """``arr[..., indices[..., i, ...], ...]``: ``indices`` (of arr's rank) picks along ``axis``
    (None: of the flattened value) for each position of the other axes."""
    if axis is None:
        arr, axis = ravel(arr), 0
    index = _np.asarray(plain(indices))
    if index.ndim != ndim(arr):
        raise ValueError(
            f"take_along_axis: indices must have the rank of arr ({ndim(arr)}), got {index.ndim}"
        )
    return getitem(arr, along_axis(index, _axes(axis, ndim(arr))[0], shape(arr)))


# ------------------------------------------------------------------------------ assembling
def concat(arrays: Sequence[Any], /, *, axis: int | None = 0) -> Any:
    """The array API's name for ``concatenate`` (axis None: the arrays flattened, joined)."""
    return concatenate(list(arrays), axis=axis)


def append(arr: Any, values: Any, axis: int | None = None) -> Any:
    """arr with ``values`` joined at the end along ``axis`` (None: both flattened)."""
    if axis is None:
        return concatenate([ravel(asarray(arr)), ravel(asarray(values))], axis=0)
    return concatenate([asarray(arr), asarray(values)], axis=axis)


def _gather_along(a: Any, axis: int, index: _np.ndarray) -> Any:
    """The entries of a at ``index`` along ``axis`` (a gather: each keeps its derivative)."""
    return getitem(a, axis_index(ndim(a), axis - ndim(a), index))


def delete(
    arr: Any, obj: Any, axis: int | None = None, *, assume_unique_indices: bool = False
) -> Any:
    """arr without the entries ``obj`` (an index, indices, a slice or a mask) along ``axis``
    (None: of the flattened array): a gather of the others."""
    arr = asarray(arr)
    if axis is None:
        arr, axis = ravel(arr), 0
    ax = normalize_axis_index(axis, ndim(arr))
    kept = _np.delete(_np.arange(shape(arr)[ax]), obj if isinstance(obj, slice) else plain(obj))
    return _gather_along(arr, ax, kept)


def insert(arr: Any, obj: Any, values: Any, axis: int | None = None) -> Any:
    """arr with ``values`` inserted before the indices ``obj`` along ``axis`` (None: of the
    flattened array), as JAX does it: values are given arr's rank by leading unit axes (and for a
    scalar ``obj`` their first axis is moved to ``axis``), then broadcast; arr's entries and the
    values are gathered into place, each keeping its derivative."""
    arr = asarray(arr)
    if axis is None:
        arr, axis = ravel(arr), 0
    ax = normalize_axis_index(axis, ndim(arr))
    n = shape(arr)[ax]
    indices = _np.arange(*obj.indices(n)) if isinstance(obj, slice) else _np.asarray(plain(obj))
    if indices.ndim > 1:
        raise ValueError("insert: obj must be a slice, a one-dimensional array, or a scalar")
    if not _np.issubdtype(indices.dtype, _np.integer):
        if indices.size:
            raise ValueError(f"insert: index array must be integer typed; got {obj}")
        indices = indices.astype(int)
    values = asarray(values)
    values = astype(values, dtype_of(arr)) if dtype_of(values) != dtype_of(arr) else values
    if ndim(values) < ndim(arr):
        values = reshape(values, (1,) * (ndim(arr) - ndim(values)) + shape(values))
    if indices.size == 1:
        if indices.ndim == 0:
            values = moveaxis(values, 0, ax)
        indices = _np.full(shape(values)[ax], indices.ravel()[0])
    k = _np.broadcast_shapes(indices.shape, (shape(values)[ax],))[0]
    indices = _np.clip(_np.where(indices < 0, indices + n, indices), 0, n)
    at_values = _np.broadcast_to(indices, (k,)).copy()
    at_values[_np.argsort(at_values, kind="stable")] += _np.arange(k)
    at_arr = _np.flatnonzero(~_np.isin(_np.arange(n + k), at_values))
    source = _np.empty(n + k, dtype=int)
    source[at_arr], source[at_values] = _np.arange(n), n + _np.arange(k)
    target = tuple(k if i == ax else d for i, d in enumerate(shape(arr)))
    joined = concatenate([arr, broadcast_to(values, target)], axis=ax)
    return _gather_along(joined, ax, source)


def block(arrays: Any) -> Any:
    """An array assembled from nested lists of blocks: the innermost lists are joined along the
    last axis, the next ones along the second-to-last, ... (blocks given leading unit axes)."""
    return _assembled(arrays)[0]


def _assembled(xs: Any) -> tuple[Any, int]:
    if isinstance(xs, tuple):
        raise ValueError(f"block does not allow tuples, got {xs}")
    if not isinstance(xs, list):
        return asarray(xs), 1
    if not xs:
        raise ValueError("block does not allow empty list arguments")
    parts, depths = zip(*(_assembled(x) for x in xs), strict=True)
    if len(set(depths)) > 1:
        raise ValueError("block: mismatched list depths")
    rank = max(depths[0], *(ndim(p) for p in parts))
    parts = [reshape(p, (1,) * (rank - ndim(p)) + shape(p)) for p in parts]
    return concatenate(parts, axis=-depths[0]), depths[0] + 1


def broadcast_arrays(*args: Any) -> tuple:
    """The arguments broadcast against each other, to one shape."""
    target = _np.broadcast_shapes(*(shape(a) for a in args))
    return tuple(broadcast_to(asarray(a), target) for a in args)


def unstack(x: Any, /, *, axis: int = 0) -> tuple:
    """The slices of x along ``axis``, as a tuple (the inverse of ``stack``)."""
    ax = normalize_axis_index(axis, ndim(x))
    return tuple(getitem(x, axis_index(ndim(x), ax - ndim(x), i)) for i in range(shape(x)[ax]))


def matrix_transpose(x: Any, /) -> Any:
    """x with its last two axes swapped."""
    if ndim(x) < 2:
        raise ValueError(f"matrix_transpose: x must be at least 2-D, got {ndim(x)}-D")
    return swapaxes(x, -1, -2)


def select(condlist: Sequence[Any], choicelist: Sequence[Any], default: Any = 0) -> Any:
    """choicelist[k] where condlist[k] is the first true condition, else ``default``: nested
    selects on the conditions' primals, so the derivative flows to the chosen entry only."""
    if len(condlist) != len(choicelist):
        raise ValueError(
            f"select: condlist and choicelist differ in length ({len(condlist)} vs "
            f"{len(choicelist)})"
        )
    if not condlist:
        raise ValueError("select: condlist must be non-empty")
    out = asarray(default)
    for cond, choice in zip(reversed(condlist), reversed(choicelist), strict=True):
        out = where(_np.asarray(plain(cond), dtype=bool), choice, out)
    return out


def piecewise(x: Any, condlist: Any, funclist: Sequence[Any], *args: Any, **kw: Any) -> Any:
    """funclist[k] (a function of x, or a constant) where condlist[k] holds, a later condition
    taking precedence, 0 where none holds; with one function more than conditions the last is
    taken there (NumPy's). Each function is applied to all of x, as JAX's, so it must work
    elementwise; the values are selected, and so is the derivative. In x's dtype."""
    x = asarray(x)
    if _np.isscalar(condlist) or (not isinstance(condlist[0], list | _np.ndarray) and ndim(x) != 0):
        condlist = [condlist]
    conds = _np.asarray([plain(c) for c in condlist], dtype=bool)
    if len(conds) == len(funclist) - 1:
        conds = _np.concatenate([conds, ~_np.any(conds, axis=0, keepdims=True)])
    elif len(conds) != len(funclist):
        raise ValueError(
            f"piecewise: with {len(conds)} condition(s), either {len(conds)} or "
            f"{len(conds) + 1} functions are expected, got {len(funclist)}"
        )
    y = _np.zeros(shape(x), dtype_of(x))
    for cond, fn in zip(conds, funclist, strict=True):
        y = where(cond, fn(x, *args, **kw) if callable(fn) else fn, y)
    return y if dtype_of(y) == dtype_of(x) else astype(y, dtype_of(x))
