"""Shape functions of ``admodes.numpy`` beyond the basic ones: moving axes, diagonals and
triangles, repeating, padding, rolling, splitting, gathering and choosing, joining by index tricks
(``r_``, ``c_``), and mapping a function over slices or a batch (``apply_along_axis``,
``vectorize``).

Each is a composite of the shape primitives (reshape, transpose, getitem, concatenate,
broadcast_to) or of ``where``, so its derivative is that of the data it moves and it costs no
FLOPs (``tril``/``triu``/``diag``: a select per element, as JAX's). Each takes NumPy's arguments
and returns NumPy's value, with the dtype of its input. The mapping functions call the function
once per slice or batch entry and stack the results: each call is traced op by op, so their
derivatives are those of the ops the function applies.
"""

from __future__ import annotations

import functools
import itertools
import math
import re
from collections.abc import Callable, Collection, Sequence
from typing import Any

import numpy as _np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

from admodes.batching import array_numbers, is_mapped
from admodes.core import Traced, at_each_index, dtype_of, ndim, plain, shape, size
from admodes.core import size as size_of  # where JAX's size= keyword hides it
from admodes.numpy._functions import (
    _axes,
    add,
    asarray,
    astype,
    axes_in_order,
    broadcast_to,
    concatenate,
    expand_dims,
    flip,
    getitem,
    no_out,
    ravel,
    reshape,
    stack,
    sum,
    swapaxes,
    transpose,
    vstack,
    where,
)
from admodes.numpy._indexing import IndexUpdate, cycled, in_range
from admodes.rules import sorting as _sorting
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


def dstack(tup: Sequence[Any], dtype: Any = None) -> Any:
    """Arrays joined along a third axis (each made at least 3-D first)."""
    return concatenate([atleast_3d(a) for a in tup], axis=2, dtype=dtype)


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


def repeat(
    a: Any,
    repeats: int | Sequence[int],
    axis: int | None = None,
    *,
    total_repeat_length: int | None = None,
) -> Any:
    """Each entry of a repeated ``repeats`` times along ``axis`` (None: flattened): a gather.
    JAX's ``total_repeat_length`` fixes the result's length: the first that many, or the last
    entry repeated until it is reached."""
    if axis is None:
        a, axis = ravel(a), 0
    ax = _axes(axis, ndim(a))[0]
    index = _np.repeat(_np.arange(shape(a)[ax]), plain(repeats))
    if total_repeat_length is not None:
        index = index[:total_repeat_length]
        last = index[-1:] if index.size else _np.zeros(1, int)
        index = _np.concatenate([index, _np.repeat(last, total_repeat_length - index.size)])
    return getitem(a, axis_index(ndim(a), ax, index))


def resize(a: Any, new_shape: int | Sequence[int]) -> Any:
    """a's entries, flattened and repeated cyclically, in ``new_shape`` (NumPy's ``resize``;
    zeros of a's dtype when a or the new shape is empty): a gather, each entry keeping its
    derivative."""
    dims = (new_shape,) if isinstance(new_shape, int | _np.integer) else tuple(new_shape)
    dims = tuple(int(d) for d in dims)
    if any(d < 0 for d in dims):
        raise ValueError(f"resize: every entry of new_shape must be non-negative, got {dims}")
    a = asarray(a)
    if not (size(a) and math.prod(dims)):
        return _np.zeros(dims, dtype_of(a))
    return reshape(cycled(a, math.prod(dims)), dims)


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
    """NumPy's reading of ``pad_width`` / ``constant_values``: (before, after) for each axis
    (one value, a pair, or a pair per axis; each value may be traced, or a traced array)."""
    entries, entries_shape = _entries(values)
    v = _np.empty(len(entries), dtype=object)
    for i, entry in enumerate(entries):  # one by one: NumPy never reads a traced value
        v[i] = entry
    v = v.reshape(entries_shape)
    if v.size == 2 and v.shape != (2, 1):
        v = v.ravel()
    pairs = _np.broadcast_to(v, (nd, 2))
    return [(b, a) for b, a in pairs]


def _entries(values: Any) -> tuple[list[Any], tuple[int, ...]]:
    """The scalars of ``values`` (nested sequences and arrays, traced or not) in order, and the
    shape they make."""
    if isinstance(values, Traced | _np.ndarray) and ndim(values):
        values = [values[i] for i in range(shape(values)[0])]
    if not isinstance(values, list | tuple):
        return [values], ()
    parts = [_entries(v) for v in values]
    shapes = {part_shape for _, part_shape in parts}
    if len(shapes) > 1:
        raise ValueError(f"pad: the values {values!r} do not form a regular array")
    inner = shapes.pop() if shapes else ()
    return [x for part, _ in parts for x in part], (len(values), *inner)


def _block(value: Any, like: Any, axis: int, n: int) -> Any:
    """``value`` broadcast to ``like``'s shape with length n along ``axis``, in its dtype."""
    s = list(shape(like))
    s[axis] = n
    return broadcast_to(astype(value, dtype_of(like)), tuple(s))


def trim_zeros(filt: Any, trim: str = "fb", axis: int | Sequence[int] | None = None) -> Any:
    """filt cut to the smallest box holding all its nonzero entries, from the front (``"f"``)
    and/or the back (``"b"``) along each axis in ``axis`` (None: every axis); all zeros give an
    empty result. A slice, so each kept entry keeps its derivative (the zeros are found on the
    primal)."""
    filt = asarray(filt)
    sides = trim.lower()
    if sides not in ("fb", "bf", "f", "b"):
        raise ValueError(f"trim_zeros: trim must be 'f', 'b' or 'fb', not {trim!r}")
    nd = ndim(filt)
    axes = range(nd) if axis is None else normalize_axis_tuple(axis, nd, "axis")
    if not axes:
        return filt
    nonzero = _np.argwhere(plain(filt))
    if not len(nonzero):
        start, stop = [0] * nd, [0] * nd
    else:
        start = nonzero.min(axis=0) if "f" in sides else [None] * nd
        stop = nonzero.max(axis=0) + 1 if "b" in sides else [None] * nd
    return getitem(
        filt, tuple(slice(start[k], stop[k]) if k in axes else slice(None) for k in range(nd))
    )


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
#: The modes of JAX's ``take`` and ``take_along_axis`` that ``x.at[index].get`` implements.
GATHER_MODES = ("fill", "promise_in_bounds")


def take(
    a: Any,
    indices: Any,
    axis: int | None = None,
    out: None = None,
    mode: str = "raise",
    unique_indices: bool = False,
    indices_are_sorted: bool = False,
    fill_value: Any = None,
) -> Any:
    """The entries at ``indices`` along ``axis`` (None: of the flattened value); ``mode``
    ``"wrap"`` / ``"clip"`` brings out-of-range indices back in range, ``"raise"`` refuses them,
    and JAX's ``"fill"`` gives ``fill_value`` there (NaN for floats; ``x.at[].get``'s)."""
    no_out(out)
    if axis is None:
        a, axis = ravel(a), 0
    ax = _axes(axis, ndim(a))[0]
    n = shape(a)[ax]
    if mode in GATHER_MODES:
        index = axis_index(ndim(a), ax, array_numbers(indices))
        return IndexUpdate(a, index).get(mode=mode, fill_value=fill_value)
    index = at_each_index(lambda i: in_range(_np.asarray(i), n, mode, "take", -n), indices)
    return getitem(a, axis_index(ndim(a), ax, index if is_mapped(index) else index[()]))


def take_along_axis(
    arr: Any,
    indices: Any,
    axis: int | None = -1,
    mode: str | None = None,
    fill_value: Any = None,
    *,
    wrap_negative_indices: bool | None = None,
) -> Any:
    """``arr[..., indices[..., i, ...], ...]``: ``indices`` (of arr's rank) picks along ``axis``
    (None: of the flattened value) for each position of the other axes. An index outside the
    axis raises, or with JAX's ``mode`` ``"clip"`` is clamped into it, with ``"fill"`` gives
    ``fill_value`` (``x.at[].get``'s modes); ``wrap_negative_indices=False`` (JAX's) makes a
    negative index one outside, rather than one counted from the end."""
    if axis is None:
        arr, axis = ravel(arr), 0
    index = array_numbers(indices)
    if index.ndim != ndim(arr):
        raise ValueError(
            f"take_along_axis: indices must have the rank of arr ({ndim(arr)}), got {index.ndim}"
        )
    picked = along_axis(index, _axes(axis, ndim(arr))[0], shape(arr))
    if mode is None and wrap_negative_indices is None:
        return getitem(arr, picked)
    wrap = {} if wrap_negative_indices is None else {"wrap_negative_indices": wrap_negative_indices}
    return IndexUpdate(arr, picked).get(mode=mode, fill_value=fill_value, **wrap)


def choose(a: Any, choices: Any, out: None = None, mode: str = "raise") -> Any:
    """choices[a[i]][i] at each position i, the index array a and the choices broadcast
    together: a gather from the stacked choices, so only the chosen entry gets a derivative.
    ``mode`` ``"raise"`` refuses an index outside [0, n) (n choices), ``"wrap"`` takes it modulo
    n, ``"clip"`` clips it to [0, n - 1]."""
    no_out(out)
    index = _np.asarray(plain(a))
    if not _np.can_cast(index.dtype, _np.intp):
        raise TypeError(
            f"choose: a must hold integer indices into choices, got dtype {index.dtype}"
        )
    index = index.astype(_np.intp)  # a bool index picks choice 0 or 1, it is not a mask
    options = list(unstack(choices) if isinstance(choices, Traced | _np.ndarray) else choices)
    n = len(options)
    if not n:
        raise ValueError("choose: choices must hold at least one array")
    index = in_range(index, n, mode, "choose", 0)
    index, *options = broadcast_arrays(index, *options)
    return getitem(stack(options), (index, *_np.indices(shape(index), sparse=True)))


def sized(values: Any, size: int | None, fill_value: Any, axis: int = 0) -> Any:
    """JAX's ``size=`` for a result whose length along ``axis`` depends on the values (the set
    operations', ``compress``'s): its first ``size`` slices, or all of them followed by slices
    of ``fill_value``. Without ``size``, ``values`` as they are."""
    if size is None:
        return values
    n = shape(values)[axis]
    if size <= n:
        return take(values, _np.arange(size), axis)
    padding = list(shape(values))
    padding[axis] = size - n
    fill = broadcast_to(astype(asarray(fill_value), dtype_of(values)), tuple(padding))
    return concatenate([values, fill], axis=axis)


def compress(
    condition: Any,
    a: Any,
    axis: int | None = None,
    out: None = None,
    *,
    size: int | None = None,
    fill_value: Any = 0,
) -> Any:
    """The slices of a along ``axis`` (None: the entries of the flattened a) where the 1-D
    ``condition`` is true: a gather. A condition shorter than the axis leaves out the rest; a
    true entry beyond the axis is refused. JAX's ``size``: see :func:`sized`."""
    no_out(out)
    keep = _np.asarray(plain(condition), dtype=bool)
    if keep.ndim != 1:
        raise ValueError(f"compress: condition must be 1-D, got shape {keep.shape}")
    a = asarray(a)
    n = size_of(a) if axis is None else shape(a)[normalize_axis_index(axis, ndim(a))]
    index = _np.flatnonzero(keep)
    if index.size and index[-1] >= n:
        raise ValueError(
            f"compress: condition has a true entry at {index[-1]}, beyond the length {n} of the "
            "axis it selects from"
        )
    if size is not None and not 0 < size <= n:
        raise ValueError(
            f"compress: size must be positive and at most the length {n} of the axis it selects "
            f"from (as JAX's), got size={size}"
        )
    return sized(take(a, index, axis), size, fill_value, 0 if axis is None else axis)


def extract(condition: Any, arr: Any, *, size: int | None = None, fill_value: Any = 0) -> Any:
    """The entries of the flattened arr where the flattened ``condition`` is true:
    ``compress(ravel(condition), arr)``."""
    return compress(_np.ravel(plain(condition)), arr, size=size, fill_value=fill_value)


def sort_complex(a: Any) -> Any:
    """a sorted along its last axis by real part, then imaginary part, as a complex array.
    The sort is stable, so its derivative permutes as ``sort``'s. A real a becomes complex by
    adding a complex zero, of NumPy's dtype: complex64 for int8, int16, uint8 and uint16,
    complex128 for the others (float32 too, where JAX gives complex64)."""
    a = asarray(a)
    ordered = _sorting.sort(a, axis=_axes(-1, ndim(a))[0])
    if dtype_of(a).kind == "c":
        return ordered
    zero = _np.zeros((), _np.complex64 if dtype_of(a).char in "bhBH" else _np.complex128)
    return add(ordered, zero)


# Index arrays of a mask function: NumPy's own (plain integers, nothing to differentiate).
mask_indices = _np.mask_indices


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


class AxisConcatenator:
    """NumPy's index tricks ``r_`` and ``c_``: ``r_[a, b, 0.5, 0:3]`` joins its entries along
    ``axis``, each made at least ``ndmin``-D (an entry of fewer dimensions gets leading unit
    axes, then its own axes are moved to start at axis ``trans1d``; -1: they stay last). A
    slice ``start:stop:step`` is ``arange(start, stop, step)``, or ``linspace(start, stop, n)``
    for a complex step nj.
    A first string entry changes the defaults: ``"axis"``, ``"axis,ndmin"`` or
    ``"axis,ndmin,trans1d"``, or ``"r"`` / ``"c"``, which make a 1-D result a row / column
    (a 2-D array, as JAX's; NumPy's is a ``matrix``). The dtype is NumPy's: Python scalars
    do not widen it. Traced entries join differentiably (``concatenate``)."""

    __slots__ = ("axis", "ndmin", "trans1d")

    def __init__(self, axis: int, ndmin: int, trans1d: int) -> None:
        self.axis = axis
        self.ndmin = ndmin
        self.trans1d = trans1d

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            raise ValueError(
                f"r_/c_: the matrix-string form ({key!r}) is not supported; give the arrays as "
                "entries, e.g. anp.r_[a, b]"
            )
        items = list(key) if isinstance(key, tuple) else [key]
        axis, ndmin, trans1d, matrix = self.axis, self.ndmin, self.trans1d, None
        if items and isinstance(items[0], str):
            axis, ndmin, trans1d, matrix = _directive(items.pop(0), axis, ndmin, trans1d)
        if not items:
            raise ValueError("r_/c_: need at least one entry to concatenate")
        pieces, dtypes = [], []
        for item in items:
            if isinstance(item, str):
                raise ValueError("r_/c_: a string directive must be the first entry")
            piece = _from_slice(item) if isinstance(item, slice) else asarray(item)
            pieces.append(_at_least(piece, ndmin, trans1d))
            dtypes.append(item if type(item) in _np.ScalarType else dtype_of(piece))
        final = _np.result_type(*dtypes)
        pieces = [p if isinstance(p, Traced) else _np.asarray(p, final) for p in pieces]
        out = concatenate(pieces, axis=axis)
        if matrix is not None and ndim(out) == 1:
            return reshape(out, (1, -1) if matrix == "r" else (-1, 1))
        return out


def _directive(text: str, axis: int, ndmin: int, trans1d: int) -> tuple[int, int, int, str | None]:
    """(axis, ndmin, trans1d, matrix) after a string directive of ``r_`` / ``c_``."""
    if text in ("r", "c"):
        return axis, ndmin, trans1d, text
    try:
        numbers = [int(part) for part in text.split(",")]
    except ValueError:
        numbers = []
    if not 1 <= len(numbers) <= 3:
        raise ValueError(
            f"r_/c_: unknown directive {text!r}; use 'axis', 'axis,ndmin', "
            "'axis,ndmin,trans1d', 'r' or 'c'"
        )
    axis, ndmin, trans1d = (*numbers, *(axis, ndmin, trans1d)[len(numbers) :])
    return axis, ndmin, trans1d, None


def _from_slice(item: slice) -> _np.ndarray:
    """``r_``'s range for a slice: arange(start, stop, step), or linspace(start, stop, n) for a
    complex step nj."""
    if any(isinstance(b, Traced) for b in (item.start, item.stop, item.step)):
        raise TypeError(
            "r_/c_: the bounds of a slice entry must be plain numbers (they are not "
            "differentiated); for a differentiable range use anp.linspace"
        )
    start = 0 if item.start is None else item.start
    step = 1 if item.step is None else item.step
    if isinstance(step, complex | _np.complexfloating):
        return _np.linspace(start, item.stop, int(abs(step)))
    return _np.arange(start, item.stop, step)


def _at_least(piece: Any, ndmin: int, trans1d: int) -> Any:
    """``piece`` given leading unit axes up to ``ndmin`` dimensions, then its own axes moved to
    start at ``trans1d`` (NumPy's ``r_`` transposition; -1: left at the end)."""
    nd = ndim(piece)
    if nd >= ndmin:
        return piece
    piece = reshape(piece, (1,) * (ndmin - nd) + shape(piece))
    if trans1d == -1:
        return piece
    added = ndmin - nd
    first = trans1d + added + 1 if trans1d < 0 else trans1d
    order = list(range(ndmin))
    return transpose(piece, order[:first] + order[added:] + order[first:added])


r_ = AxisConcatenator(axis=0, ndmin=1, trans1d=-1)
c_ = AxisConcatenator(axis=-1, ndmin=2, trans1d=0)


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
    out = default  # a Python number stays weakly typed: float32 choices stay float32
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


# ------------------------------------------------------------------------------ mapping functions
def _map_batch(fn: Callable[[tuple[int, ...]], Any], batch: tuple[int, ...], name: str) -> Any:
    """fn(i) for each index i of the shape ``batch`` (row-major), each output stacked over the
    batch into an array of shape ``batch + its shape`` (a tuple of them if fn returns a
    tuple)."""
    if not math.prod(batch):
        raise ValueError(
            f"{name}: the batch of shape {batch} is empty: the function is called once per "
            "entry, so the shape of its output is unknown"
        )
    results = [fn(i) for i in _np.ndindex(*batch)]
    if isinstance(results[0], tuple):
        return tuple(_stacked(list(r), batch) for r in zip(*results, strict=True))
    return _stacked(results, batch)


def _stacked(values: list, batch: tuple[int, ...]) -> Any:
    """The values (of one shape) stacked into an array of shape ``batch + their shape``."""
    out = stack([asarray(v) for v in values])
    return reshape(out, batch + shape(out)[1:])


def apply_along_axis(
    func1d: Callable[..., Any], axis: int, arr: Any, *args: Any, **kwargs: Any
) -> Any:
    """func1d(line, *args, **kwargs) for each 1-D line of arr along ``axis``, the results (of
    one shape; a tuple or list is one array, as NumPy reads it) in place of that axis: shape
    ``arr.shape[:axis] + result.shape + arr.shape[axis + 1:]``."""
    arr = asarray(arr)
    ax = normalize_axis_index(axis, ndim(arr))
    lines = moveaxis(arr, ax, -1)
    batch = shape(lines)[:-1]
    out = _map_batch(
        lambda i: asarray(func1d(getitem(lines, i), *args, **kwargs)), batch, "apply_along_axis"
    )
    core = range(len(batch), ndim(out))
    return moveaxis(out, tuple(core), tuple(range(ax, ax + len(core))))


def apply_over_axes(func: Callable[[Any, int], Any], a: Any, axes: int | Sequence[int]) -> Any:
    """func(a, axis) applied for each axis in turn, a result one dimension short given the axis
    back (length 1), as a reduction with ``keepdims`` does."""
    out = asarray(a)
    nd = ndim(out)
    for axis in _np.atleast_1d(axes).tolist():
        axis = axis + nd if axis < 0 else axis
        res = func(out, axis)
        if ndim(res) == nd - 1:
            res = expand_dims(res, axis)
        if ndim(res) != nd:
            raise ValueError(
                f"apply_over_axes: func must return an array of {nd} or {nd - 1} dimensions, "
                f"got {ndim(res)}"
            )
        out = res
    return out


def fromfunction(
    function: Callable[..., Any], shape: Sequence[int], *, dtype: Any = float, **kwargs: Any
) -> Any:
    """function(*grids, **kwargs) on the index grids of ``shape`` (``numpy.indices``, in
    ``dtype``), called once as NumPy's does, so function must work elementwise on arrays (JAX's
    maps it over the entries: the same values then). Differentiable in the traced values
    function uses."""
    return function(*_np.indices(shape, dtype=dtype), **kwargs)


_DIMENSION = r"\w+"
_ARGUMENT = rf"\((?:{_DIMENSION}(?:,{_DIMENSION})*)?\)"
_SIGNATURE = re.compile(rf"^{_ARGUMENT}(?:,{_ARGUMENT})*->{_ARGUMENT}(?:,{_ARGUMENT})*$")

_CoreDims = tuple[str, ...]


def _core_dims(signature: str) -> tuple[list[_CoreDims], list[_CoreDims]]:
    """The core dimensions of each input and each output named by a gufunc signature."""
    text = re.sub(r"\s+", "", signature)
    if not _SIGNATURE.match(text):
        raise ValueError(
            f"vectorize: {signature!r} is not a gufunc signature; write one like '(m,n),(n)->(m)'"
        )
    ins, outs = (
        [tuple(re.findall(_DIMENSION, arg)) for arg in re.findall(_ARGUMENT, side)]
        for side in text.split("->")
    )
    return ins, outs


def _match_core(sizes: dict[str, int], dims: tuple[int, ...], core: _CoreDims, what: str) -> None:
    """Check the trailing dimensions ``dims[-len(core):]`` against the sizes known for the core
    dimensions (recording new ones); an output must have exactly its core dimensions."""
    if len(dims) < len(core) or (what == "output" and len(dims) != len(core)):
        raise ValueError(
            f"vectorize: an {what} of shape {dims} does not match the core dimensions {core} of "
            "the signature"
        )
    for name, n in zip(core, dims[len(dims) - len(core) :], strict=True):
        if sizes.setdefault(name, n) != n:
            raise ValueError(
                f"vectorize: core dimension {name!r} has size {n} here and {sizes[name]} elsewhere"
            )


def vectorize(
    pyfunc: Callable[..., Any],
    *,
    excluded: Collection[int | str] = frozenset(),
    signature: str | None = None,
) -> Callable[..., Any]:
    """pyfunc made to broadcast over its array arguments, JAX's ``vectorize``: each argument
    (positional, or keyword, as NumPy's; not those whose position or name is in ``excluded``,
    passed as they are) is split into loop dimensions and the trailing core dimensions its entry
    in the gufunc ``signature`` names (``"(n),(n)->()"``; none without a signature). The loop
    dimensions broadcast together; pyfunc is called once per entry of that batch on the
    arguments' core slices, and each output (a tuple of them for several) is stacked to shape
    ``batch + core``. The core sizes are checked against the signature, inputs and outputs."""
    if any(not isinstance(e, int | str) for e in excluded):
        raise TypeError(
            f"vectorize: excluded must hold positions (int) or names (str), got {excluded!r}"
        )
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise ValueError(f"vectorize: excluded positions must be non-negative, got {excluded!r}")
    core = None if signature is None else _core_dims(signature)

    @functools.wraps(pyfunc)
    def vectorized(*args: Any, **kwargs: Any) -> Any:
        fixed = {k: a for k, a in enumerate(args) if k in excluded}
        static = {name: v for name, v in kwargs.items() if name in excluded}
        names = [name for name in kwargs if name not in excluded]
        operands = [asarray(a) for k, a in enumerate(args) if k not in fixed]
        operands += [asarray(kwargs[name]) for name in names]
        ins, outs = core if core is not None else ([()] * len(operands), None)
        if len(ins) != len(operands):
            raise TypeError(
                f"vectorize: the signature {signature!r} takes {len(ins)} array arguments, got "
                f"{len(operands)}"
            )
        sizes: dict[str, int] = {}
        loops = []
        for op, dims in zip(operands, ins, strict=True):
            _match_core(sizes, shape(op), dims, "input")
            loops.append(shape(op)[: ndim(op) - len(dims)])
        batch = _np.broadcast_shapes(*loops)

        def call(i: tuple[int, ...]) -> Any:
            values = iter(
                [
                    getitem(op, _loop_index(i, loop))
                    for op, loop in zip(operands, loops, strict=True)
                ]
            )
            positional = [fixed[k] if k in fixed else next(values) for k in range(len(args))]
            out = pyfunc(*positional, **static, **dict(zip(names, values, strict=True)))
            if outs is not None:
                _check_outputs(out, outs, sizes)
            return out

        return _map_batch(call, batch, "vectorize")

    return vectorized


def _loop_index(i: tuple[int, ...], loop: tuple[int, ...]) -> tuple[int, ...]:
    """The index, in an operand with loop dimensions ``loop`` (aligned to the batch's last ones,
    broadcast where 1), of the batch's entry i."""
    return tuple(0 if d == 1 else k for k, d in zip(i[len(i) - len(loop) :], loop, strict=True))


def _check_outputs(out: Any, outs: list[_CoreDims], sizes: dict[str, int]) -> None:
    """Check pyfunc's outputs against the signature's output core dimensions."""
    results = out if isinstance(out, tuple) else (out,)
    if len(results) != len(outs):
        raise TypeError(
            f"vectorize: the function returned {len(results)} output(s), the signature names "
            f"{len(outs)}"
        )
    known = dict(sizes)
    for r, dims in zip(results, outs, strict=True):
        _match_core(known, shape(r), dims, "output")
