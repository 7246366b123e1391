"""``jax.lax``'s shape, slicing and indexing operations, by both engines.

Each function takes ``jax.lax``'s arguments and gives its value, checked as strictly as JAX checks
it (same dtypes where JAX requires them, ``dimension`` counted from 0, the same errors). Every one
is a composition of :mod:`admodes.numpy` functions (reshape, transpose, broadcast, getitem,
``.at[...]`` updates, ``where``), so both engines differentiate it with the registry's rules, to
any order. Indices (start indices, gather and scatter indices) are read as plain integers: they
are never differentiated.

JAX's conventions kept:

- ``dynamic_slice`` / ``dynamic_update_slice`` (and their ``*_in_dim`` forms) take a negative start
  index from the end of its axis, then clamp it to ``[0, dim - size]`` so the window fits;
- ``pad`` accepts negative low/high padding (it crops) and interior padding, and differentiates the
  padding value: its cotangent is the sum of the output's over the padded positions;
- ``select_n`` picks case ``which`` by XLA's tree of binary selects (a value below 0 picks the
  first case, one past the end the last), the derivative flowing to the chosen case only;
- ``gather``'s default mode is ``PROMISE_IN_BOUNDS`` (start indices clamped), ``scatter``'s is
  ``FILL_OR_DROP`` (a window that does not fit is dropped whole); ``CLIP`` clamps for both;
- repeated scatter indices: ``scatter`` keeps the last update, ``scatter_add`` / ``scatter_mul``
  combine all, ``scatter_min`` / ``scatter_max`` split the derivative evenly among ties (JAX's
  rule), ``scatter_apply`` applies ``func`` once per update.

Where JAX leaves a result implementation-defined (an out-of-range ``which``, an out-of-bounds
window under ``PROMISE_IN_BOUNDS``), its two modes disagree: its forward mode differentiates the
value it computes, its reverse mode does not (no derivative for such a ``which`` or gathered
window; a dropped scatter window's updates get the cotangent at the clamped window). Here both
modes differentiate the value computed, as JAX's forward mode does.
"""

from __future__ import annotations

import builtins
import enum
import itertools
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, plain
from admodes.core import shape as shape_of

__all__ = [
    "GatherDimensionNumbers",
    "GatherScatterMode",
    "ScatterDimensionNumbers",
    "broadcast",
    "broadcast_in_dim",
    "broadcast_to_rank",
    "broadcasted_iota",
    "collapse",
    "concatenate",
    "dynamic_index_in_dim",
    "dynamic_slice",
    "dynamic_slice_in_dim",
    "dynamic_update_index_in_dim",
    "dynamic_update_slice",
    "dynamic_update_slice_in_dim",
    "expand_dims",
    "full",
    "full_like",
    "gather",
    "index_in_dim",
    "index_take",
    "iota",
    "pad",
    "reshape",
    "rev",
    "scatter",
    "scatter_add",
    "scatter_apply",
    "scatter_max",
    "scatter_min",
    "scatter_mul",
    "scatter_sub",
    "select",
    "select_n",
    "slice",
    "slice_in_dim",
    "split",
    "squeeze",
    "stack",
    "tile",
    "transpose",
    "unstack",
]


# ------------------------------------------------------------------------------------ checks
def shape_like(fn: str, arg: str, values: Any) -> tuple[int, ...]:
    """``values`` (a sequence of non-negative integers, as JAX's shape-like arguments) as ints."""
    if not isinstance(values, Sequence | np.ndarray):
        raise TypeError(
            f"{fn} {arg} must be a tuple, list or array of integers, got {type(values).__name__}"
        )
    try:
        ints = tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(
            f"{fn} {arg} must have every element be an integer, got {tuple(values)}"
        ) from None
    if any(v < 0 for v in ints):
        raise TypeError(f"{fn} {arg} must have every element be nonnegative, got {ints}.")
    return ints


def _same_dtypes(fn: str, *values: Any) -> None:
    """JAX's ``lax`` functions do not promote: their array arguments share one dtype."""
    dtypes = [dtype_of(v) for v in values]
    if len(set(dtypes)) > 1:
        raise TypeError(
            f"lax.{fn} requires arguments to have the same dtypes, got "
            f"{', '.join(d.name for d in dtypes)}. Convert them first (x.astype(dtype)), or use "
            "the admodes.numpy function, which promotes."
        )


def _full_slices(nd: int, axis: int, item: builtins.slice) -> tuple[builtins.slice, ...]:
    """An index applying ``item`` along ``axis`` (counted from 0) of ``nd`` axes."""
    return (builtins.slice(None),) * axis + (item,) + (builtins.slice(None),) * (nd - axis - 1)


# ------------------------------------------------------------------------------ broadcasting
def broadcast_in_dim(
    operand: Any, shape: Sequence[int], broadcast_dimensions: Sequence[int]
) -> Any:
    """``operand`` broadcast to ``shape``: its axis i becomes the output axis
    ``broadcast_dimensions[i]`` (its length 1 or that axis's), every other output axis is new.
    The dimensions need not be increasing: unsorted ones also transpose the operand."""
    target = shape_like("broadcast_in_dim", "shape", shape)
    dims = shape_like("broadcast_in_dim", "broadcast_dimensions", broadcast_dimensions)
    s = shape_of(operand)
    if len(dims) != len(s):
        raise TypeError(
            "broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; got "
            f"broadcast_dimensions {dims} for operand ndim {len(s)}."
        )
    if len(target) < len(s):
        raise TypeError(
            "broadcast_in_dim target broadcast shape must have equal or higher rank to the "
            f"operand shape; got operand ndim {len(s)} and target broadcast ndim {len(target)}."
        )
    if any(d >= len(target) for d in dims):
        raise TypeError(
            "broadcast_in_dim broadcast_dimensions must be a subset of output dimensions, got "
            f"{dims} for operand ndim {len(s)} and shape {target}."
        )
    if any(n not in (1, target[d]) for n, d in zip(s, dims, strict=True)):
        raise TypeError(
            "broadcast_in_dim operand dimension sizes must either be 1, or be equal to their "
            f"corresponding dimensions in the target broadcast shape; got operand of shape {s}, "
            f"target broadcast shape {target}, broadcast_dimensions {dims}"
        )
    if len(set(dims)) != len(dims):
        raise TypeError(
            f"broadcast_in_dim broadcast_dimensions must not contain duplicates, got {dims}"
        )
    order = sorted(range(len(dims)), key=dims.__getitem__)
    if order != list(range(len(dims))):
        operand = anp.transpose(operand, order)
    placed = [1] * len(target)
    for i in order:
        placed[dims[i]] = s[i]
    return anp.broadcast_to(anp.reshape(operand, placed), target)


def broadcast(operand: Any, sizes: Sequence[int]) -> Any:
    """``operand`` repeated over new leading axes of lengths ``sizes``."""
    sizes = shape_like("broadcast", "sizes", sizes)
    nd = ndim(operand)
    dims = tuple(range(len(sizes), len(sizes) + nd))
    return broadcast_in_dim(operand, sizes + shape_of(operand), dims)


def broadcast_to_rank(x: Any, rank: int) -> Any:
    """``x`` with leading unit axes added up to ``rank`` dimensions (unchanged if it has them)."""
    if ndim(x) == rank:
        return anp.asarray(x)
    return broadcast(x, (1,) * (rank - ndim(x)))


def expand_dims(array: Any, dimensions: Sequence[int]) -> Any:
    """``array`` with a unit axis at each of ``dimensions`` (positions in the result, negative
    ones from its end)."""
    dims = tuple(dimensions)
    nd_out = ndim(array) + len(dims)
    canonical = {normalize_axis_index(d, nd_out) for d in dims}
    if len(canonical) != len(dims):
        raise ValueError(f"repeated axis in lax.expand_dims: {dims}")
    rest = iter(shape_of(array))
    return anp.reshape(array, tuple(1 if k in canonical else next(rest) for k in range(nd_out)))


def full(shape: int | Sequence[int], fill_value: Any, dtype: Any = None) -> Any:
    """An array of ``shape`` holding the scalar ``fill_value`` in ``dtype`` (None: the fill
    value's); differentiable in a traced fill value."""
    dims = shape_like("full", "shape", (shape,) if isinstance(shape, int | np.integer) else shape)
    if shape_of(fill_value):
        raise TypeError(
            "full must be called with scalar fill_value, got fill_value.shape "
            f"{shape_of(fill_value)}."
        )
    return anp.full(dims, fill_value, dtype_of(fill_value) if dtype is None else dtype)


def full_like(
    x: Any, fill_value: Any, dtype: Any = None, shape: Sequence[int] | None = None
) -> Any:
    """``full`` with x's shape and dtype unless ``shape`` / ``dtype`` are given."""
    return full(
        shape_of(x) if shape is None else shape,
        fill_value,
        dtype_of(x) if dtype is None else dtype,
    )


def broadcasted_iota(dtype: Any, shape: Sequence[int], dimension: int) -> Any:
    """An array of ``shape`` in ``dtype`` whose entries count 0, 1, ... along ``dimension``."""
    dt = np.dtype(dtype)
    if not np.issubdtype(dt, np.number):
        raise TypeError(
            f"iota does not accept dtype {dt}. Accepted dtypes are subtypes of integer, "
            "floating, complexfloating."
        )
    dims = shape_like("iota", "shape", shape)
    if not 0 <= dimension < len(dims):
        raise ValueError(
            f"iota dimension must be between 0 and len(shape), got dimension={dimension} for "
            f"shape={dims}"
        )
    line = tuple(n if k == dimension else 1 for k, n in enumerate(dims))
    return anp.broadcast_to(anp.reshape(anp.arange(dims[dimension], dtype=dt), line), dims)


def iota(dtype: Any, size: int) -> Any:
    """0, 1, ..., size - 1 in ``dtype``."""
    return broadcasted_iota(dtype, (size,), 0)


# ------------------------------------------------------------------------------------ shapes
def reshape(operand: Any, new_sizes: Sequence[int], dimensions: Sequence[int] | None = None) -> Any:
    """``operand`` (first transposed by ``dimensions``, if given) read in row-major order into
    ``new_sizes``; no size may be -1."""
    sizes = tuple(operator.index(n) for n in new_sizes)
    if any(n < 0 for n in sizes):
        raise TypeError(f"reshape new_sizes must all be nonnegative, got {sizes}.")
    if dimensions is not None:
        dims = tuple(operator.index(d) for d in dimensions)
        if sorted(dims) != list(range(ndim(operand))):
            raise TypeError(
                "reshape dimensions must be a permutation of operand dimensions, got "
                f"dimensions {dims} for shape {shape_of(operand)}."
            )
        operand = anp.transpose(operand, dims)
    if math.prod(sizes) != math.prod(shape_of(operand)):
        raise ValueError(
            f"reshape total size must be unchanged, got new_sizes {sizes} (of total size "
            f"{math.prod(sizes)}) for shape {shape_of(operand)} (of total size "
            f"{math.prod(shape_of(operand))})."
        )
    return anp.reshape(operand, sizes)


def collapse(operand: Any, start_dimension: int, stop_dimension: int | None = None) -> Any:
    """``operand`` with its axes ``start_dimension:stop_dimension`` (Python slice bounds) merged
    into one."""
    s = shape_of(operand)
    lo, hi, _ = builtins.slice(start_dimension, stop_dimension).indices(len(s))
    if hi < lo:
        raise ValueError(
            f"Invalid dimension range passed to collapse: {s}[{start_dimension}:{stop_dimension}]"
        )
    return anp.reshape(operand, (*s[:lo], math.prod(s[lo:hi]), *s[hi:]))


def squeeze(array: Any, dimensions: Sequence[int]) -> Any:
    """``array`` without its unit axes ``dimensions`` (negative ones from the end)."""
    s = shape_of(array)
    dims = tuple(sorted(normalize_axis_index(d, len(s)) for d in dimensions))
    if len(set(dims)) != len(dims):
        raise ValueError(f"dimensions are not unique: {dims}")
    if any(s[d] != 1 for d in dims):
        raise ValueError(
            "cannot select an axis to squeeze out which has size not equal to one, got "
            f"shape={s} and dimensions={dims}"
        )
    return anp.reshape(array, tuple(n for k, n in enumerate(s) if k not in dims))


def transpose(operand: Any, permutation: Sequence[int]) -> Any:
    """``operand`` with output axis k its axis ``permutation[k]``."""
    perm = tuple(operator.index(d) for d in permutation)
    if sorted(perm) != list(range(ndim(operand))):
        raise TypeError(
            "transpose permutation isn't a permutation of operand dimensions, got permutation "
            f"{perm} for operand shape {shape_of(operand)}."
        )
    return anp.transpose(operand, perm)


def rev(operand: Any, dimensions: Sequence[int]) -> Any:
    """``operand`` reversed along each of ``dimensions`` (counted from 0, no negative ones)."""
    dims = shape_like("rev", "dimensions", dimensions)
    if len(set(dims)) != len(dims):
        raise TypeError(f"rev dimensions must be unique, got {dims}.")
    if any(d >= ndim(operand) for d in dims):
        raise TypeError(
            "rev dimensions must all be less than operand ndim, got dimensions "
            f"{dims} for operand ndim {ndim(operand)}."
        )
    return anp.flip(operand, axis=dims)


def tile(operand: Any, reps: Sequence[int]) -> Any:
    """``operand`` repeated ``reps[k]`` times along each axis k (one rep per axis)."""
    reps = shape_like("tile", "reps", reps)
    if len(reps) != ndim(operand):
        raise TypeError(
            f"reps length must be equal to the ndim of x, got len(reps)={len(reps)} and "
            f"x.ndim={ndim(operand)}."
        )
    return anp.tile(operand, reps)


# ------------------------------------------------------------------------- joining, splitting
def concatenate(operands: Sequence[Any], dimension: int) -> Any:
    """The operands (one dtype, equal shapes but along ``dimension``, counted from 0) joined
    along ``dimension``."""
    operands = list(operands)
    if not operands:
        raise ValueError("concatenate requires a non-empty sequence of arrays")
    shapes = [shape_of(o) for o in operands]
    listed = ", ".join(map(str, shapes))
    if len({len(s) for s in shapes}) != 1:
        raise TypeError(
            f"Cannot concatenate arrays with different numbers of dimensions: got {listed}."
        )
    if not 0 <= dimension < len(shapes[0]):
        raise TypeError(
            f"concatenate dimension out of bounds: dimension {dimension} for shapes {listed} "
            "(lax counts dimensions from 0, never from the end)."
        )
    if len({s[:dimension] + s[dimension + 1 :] for s in shapes}) != 1:
        raise TypeError(
            "Cannot concatenate arrays with shapes that differ in dimensions other than the one "
            f"being concatenated: concatenating along dimension {dimension} for shapes {listed}."
        )
    _same_dtypes("concatenate", *operands)
    return anp.concatenate(operands, axis=dimension)


def stack(operands: Sequence[Any], axis: int = 0) -> Any:
    """The operands (one shape, one dtype) joined along a new ``axis``."""
    operands = list(operands)
    if not operands:
        raise ValueError("stack expects at least one operand, got 0.")
    shapes = [shape_of(o) for o in operands]
    listed = ", ".join(map(str, shapes))
    if len({len(s) for s in shapes}) != 1:
        raise ValueError(f"Cannot stack arrays with different numbers of dimensions: got {listed}.")
    if len(set(shapes)) != 1:
        raise ValueError(f"All input arrays must have the same shape. Got {listed}.")
    _same_dtypes("stack", *operands)
    return anp.stack(operands, axis=normalize_axis_index(axis, len(shapes[0]) + 1))


def unstack(x: Any, axis: int = 0) -> tuple:
    """The slices of ``x`` along ``axis``, as a tuple."""
    return tuple(anp.unstack(x, axis=normalize_axis_index(axis, ndim(x))))


def split(operand: Any, sizes: Sequence[int], axis: int = 0) -> list:
    """``operand`` cut along ``axis`` into consecutive pieces of the given ``sizes`` (which add up
    to the axis's length)."""
    s = shape_of(operand)
    axis = normalize_axis_index(axis, len(s))
    sizes = tuple(operator.index(n) for n in sizes)
    if any(n < 0 for n in sizes):
        raise ValueError(f"Sizes passed to split must be nonnegative, got {list(sizes)}")
    if sum(sizes) != s[axis]:
        raise ValueError(
            f"Sum of sizes {sum(sizes)} must be equal to dimension {axis} of the operand shape "
            f"{list(s)}"
        )
    bounds = itertools.pairwise(itertools.accumulate(sizes, initial=0))
    return [
        anp.getitem(operand, _full_slices(len(s), axis, builtins.slice(lo, hi)))
        for lo, hi in bounds
    ]


# ------------------------------------------------------------------------------ static slices
def slice(
    operand: Any,
    start_indices: Sequence[int],
    limit_indices: Sequence[int],
    strides: Sequence[int] | None = None,
) -> Any:
    """``operand[start:limit:stride]`` along each axis; the bounds lie within the operand, counted
    from 0 (no negative ones)."""
    s = shape_of(operand)
    starts = shape_like("slice", "start_indices", start_indices)
    limits = shape_like("slice", "limit_indices", limit_indices)
    if len(starts) != len(s):
        raise TypeError(
            "slice start_indices must have length equal to the number of dimensions of the "
            f"operand, got indices {starts} for operand shape {s}."
        )
    if len(limits) != len(starts):
        raise TypeError(
            "slice limit_indices must have the same length as start_indices, got start_indices "
            f"{starts} and limit_indices {limits}."
        )
    if any(b > n for b, n in zip(limits, s, strict=True)):
        raise TypeError(
            "slice limit_indices must be less than or equal to operand shape, got "
            f"limit_indices {limits} for operand shape {s}."
        )
    if any(b < a for a, b in zip(starts, limits, strict=True)):
        raise TypeError(
            "slice limit_indices must be greater than or equal to start_indices, got "
            f"start_indices {starts} and limit_indices {limits}."
        )
    steps = (1,) * len(s) if strides is None else shape_like("slice", "strides", strides)
    if len(steps) != len(s) or 0 in steps:
        raise TypeError(
            "slice strides must be one positive integer per dimension of the operand, got "
            f"strides {steps} for operand shape {s}."
        )
    index = tuple(map(builtins.slice, starts, limits, steps))
    return anp.getitem(operand, index)


def slice_in_dim(
    operand: Any, start_index: int | None, limit_index: int | None, stride: int = 1, axis: int = 0
) -> Any:
    """``operand[..., start:limit:stride]`` along ``axis`` (None bounds: the axis's ends;
    negative ones from its end)."""
    s = shape_of(operand)
    axis = normalize_axis_index(axis, len(s))
    start = 0 if start_index is None else operator.index(start_index)
    limit = s[axis] if limit_index is None else operator.index(limit_index)
    starts, limits, strides = [0] * len(s), list(s), [1] * len(s)
    starts[axis] = start + s[axis] if start < 0 else start
    limits[axis] = limit + s[axis] if limit < 0 else limit
    strides[axis] = stride
    return slice(operand, starts, limits, strides)


def index_in_dim(operand: Any, index: int, axis: int = 0, keepdims: bool = True) -> Any:
    """``operand[..., index]`` along ``axis`` (a negative index from its end), the axis kept with
    length 1 when ``keepdims``."""
    s = shape_of(operand)
    axis = normalize_axis_index(axis, len(s))
    index = operator.index(index)
    wrapped = index + s[axis] if index < 0 else index
    if not 0 <= wrapped < s[axis]:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {s[axis]}")
    out = slice_in_dim(operand, wrapped, wrapped + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


# ----------------------------------------------------------------------------- dynamic slices
def _start_indices(
    fn: str, operand: Any, start_indices: Any, allow_negative_indices: bool | Sequence[bool]
) -> list[int]:
    """One plain start index per axis of ``operand``: integers of one dtype, scalars; a negative
    one counted from the end of its axis where allowed (a negative Python or NumPy integer where
    it is not is an error, a negative array is left to the clamp, as JAX)."""
    s = shape_of(operand)
    if not isinstance(start_indices, Sequence):
        start_indices = np.asarray(plain(start_indices))
        if start_indices.ndim != 1:
            raise ValueError(f"Slice indices must be a 1D sequence, got {start_indices.shape}")
    if len(start_indices) != len(s):
        raise ValueError(
            "Length of slice indices must match number of operand dimensions "
            f"({len(start_indices)} vs {s})"
        )
    dtypes = [dtype_of(i) for i in start_indices]
    if len(set(dtypes)) > 1 or not all(np.issubdtype(d, np.integer) for d in dtypes):
        raise TypeError(
            f"index arguments to {fn} must be integers of the same type, got: "
            f"{', '.join(d.name for d in dtypes)}"
        )
    values = [plain(i) for i in start_indices]
    if any(np.ndim(v) for v in values):
        raise TypeError(
            f"start_indices arguments to {fn} must be scalars, got indices of shapes "
            f"{[np.shape(v) for v in values]}"
        )
    allowed = (
        [allow_negative_indices] * len(s)
        if isinstance(allow_negative_indices, bool)
        else list(allow_negative_indices)
    )
    starts = []
    for v, n, allow in zip(values, s, allowed, strict=True):
        if v < 0 and not allow and isinstance(v, int | np.integer):
            raise ValueError(
                f"Index {v} is out of bounds for dimension {n} if allow_negative_indices=False"
            )
        starts.append(int(v) + n if v < 0 and allow else int(v))
    return starts


def _window(starts: list[int], sizes: Sequence[int], dims: Sequence[int]) -> tuple:
    """The slices of a window of ``sizes`` at ``starts``, each start clamped to [0, dim - size]
    so the window fits."""
    clamped = [min(max(a, 0), n - k) for a, k, n in zip(starts, sizes, dims, strict=True)]
    return tuple(builtins.slice(a, a + k) for a, k in zip(clamped, sizes, strict=True))


def _in_dim(index: Any, axis: int, nd: int, allow: bool) -> tuple[list, list[bool]]:
    """Start indices that are ``index`` along ``axis`` and zeros of its type elsewhere, and which
    of them may be negative: the ``*_in_dim`` functions' arguments to the general ones."""
    zero = 0 if isinstance(plain(index), int) else np.zeros((), dtype_of(index))
    starts: list = [zero] * nd
    starts[axis] = index
    return starts, [k == axis and allow for k in range(nd)]


def dynamic_slice(
    operand: Any,
    start_indices: Any,
    slice_sizes: Sequence[int],
    *,
    allow_negative_indices: bool | Sequence[bool] = True,
) -> Any:
    """``operand[start : start + size]`` along each axis, a negative start counted from the end,
    then clamped to [0, dim - size] so the slice fits (XLA's DynamicSlice)."""
    starts = _start_indices("dynamic_slice", operand, start_indices, allow_negative_indices)
    sizes = shape_like("dynamic_slice", "slice_sizes", slice_sizes)
    s = shape_of(operand)
    if len(sizes) != len(s):
        raise ValueError(
            f"dynamic_slice: slice_sizes {sizes} must have one size per dimension of the "
            f"operand, of shape {s}"
        )
    if any(k > n for k, n in zip(sizes, s, strict=True)):
        raise TypeError(
            "slice slice_sizes must be less than or equal to operand shape, got slice_sizes "
            f"{sizes} for operand shape {s}."
        )
    return anp.getitem(operand, _window(starts, sizes, s))


def dynamic_slice_in_dim(
    operand: Any,
    start_index: Any,
    slice_size: int,
    axis: int = 0,
    *,
    allow_negative_indices: bool = True,
) -> Any:
    """``dynamic_slice`` along ``axis`` only: ``slice_size`` entries from ``start_index``."""
    s = shape_of(operand)
    axis = normalize_axis_index(axis, len(s))
    starts, allowed = _in_dim(start_index, axis, len(s), allow_negative_indices)
    sizes = list(s)
    sizes[axis] = slice_size
    return dynamic_slice(operand, starts, sizes, allow_negative_indices=allowed)


def dynamic_index_in_dim(
    operand: Any,
    index: Any,
    axis: int = 0,
    keepdims: bool = True,
    *,
    allow_negative_indices: bool = True,
) -> Any:
    """The entry ``index`` (clamped) along ``axis``, the axis kept with length 1 when
    ``keepdims``."""
    axis = normalize_axis_index(axis, ndim(operand))
    out = dynamic_slice_in_dim(
        operand, index, 1, axis, allow_negative_indices=allow_negative_indices
    )
    return out if keepdims else squeeze(out, (axis,))


def dynamic_update_slice(
    operand: Any,
    update: Any,
    start_indices: Any,
    *,
    allow_negative_indices: bool | Sequence[bool] = True,
) -> Any:
    """``operand`` with ``update`` (same rank and dtype) written at ``start_indices``, a negative
    start counted from the end, then clamped to [0, dim - size] so the update fits."""
    starts = _start_indices("dynamic_update_slice", operand, start_indices, allow_negative_indices)
    s, u = shape_of(operand), shape_of(update)
    if len(u) != len(s):
        raise TypeError(
            "dynamic_update_slice update must have the same rank as operand, got update shape "
            f"{u} for operand shape {s}."
        )
    if any(k > n for k, n in zip(u, s, strict=True)):
        raise TypeError(
            "dynamic_update_slice update shape must be smaller than operand shape, got update "
            f"shape {u} for operand shape {s}."
        )
    _same_dtypes("dynamic_update_slice", operand, update)
    return anp.asarray(operand).at[_window(starts, u, s)].set(update)


def dynamic_update_slice_in_dim(
    operand: Any, update: Any, start_index: Any, axis: int, *, allow_negative_indices: bool = True
) -> Any:
    """``dynamic_update_slice`` at ``start_index`` along ``axis``, at 0 along the others."""
    axis = normalize_axis_index(axis, ndim(operand))
    starts, allowed = _in_dim(start_index, axis, ndim(operand), allow_negative_indices)
    return dynamic_update_slice(operand, update, starts, allow_negative_indices=allowed)


def dynamic_update_index_in_dim(
    operand: Any, update: Any, index: Any, axis: int, *, allow_negative_indices: bool = True
) -> Any:
    """``operand`` with entry ``index`` (clamped) along ``axis`` replaced by ``update`` (which
    may lack that axis)."""
    axis = normalize_axis_index(axis, ndim(operand))
    if ndim(update) + 1 == ndim(operand):
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(
        operand, update, index, axis, allow_negative_indices=allow_negative_indices
    )


# -------------------------------------------------------------------------------------- pad
def pad(operand: Any, padding_value: Any, padding_config: Sequence[tuple[int, int, int]]) -> Any:
    """``operand`` with ``interior`` copies of the scalar ``padding_value`` between neighbouring
    entries, ``low`` before and ``high`` after, along each axis; a negative ``low`` / ``high``
    removes entries from that end. The padding value's cotangent is the sum of the output's over
    the padded positions."""
    s = shape_of(operand)
    if shape_of(padding_value):
        raise ValueError(f"padding_value must be a scalar; got shape {shape_of(padding_value)}")
    config = [tuple(operator.index(n) for n in c) for c in padding_config]
    if len(config) != len(s):
        raise ValueError(
            "length of padding_config must equal the number of axes of operand, got "
            f"padding_config {config} for operand shape {s}"
        )
    if any(len(c) != 3 for c in config):
        raise ValueError(
            f"each entry of padding_config must be a (low, high, interior) triple, got {config}"
        )
    if any(i < 0 for _, _, i in config):
        raise ValueError(
            f"interior padding in padding_config must be nonnegative, got padding_config {config}"
        )
    dilated = [(n - 1) * (i + 1) + 1 if n else 0 for n, (_, _, i) in zip(s, config, strict=True)]
    result = tuple(lo + hi + d for d, (lo, hi, _) in zip(dilated, config, strict=True))
    if any(n < 0 for n in result):
        raise ValueError(
            f"Dimension size after padding is not at least 0, got result shape {result}, for "
            f"padding_config {config} and operand shape {s}"
        )
    _same_dtypes("pad", operand, padding_value)
    # pad with max(low, 0) and max(high, 0), then crop where low / high are negative
    grown = [max(lo, 0) + d + max(hi, 0) for d, (lo, hi, _) in zip(dilated, config, strict=True)]
    placed = tuple(
        builtins.slice(max(lo, 0), max(lo, 0) + d, i + 1)
        for d, (lo, _, i) in zip(dilated, config, strict=True)
    )
    out = full(grown, padding_value, dtype_of(operand)).at[placed].set(operand)
    if all(lo >= 0 and hi >= 0 for lo, hi, _ in config):
        return out
    crop = tuple(
        builtins.slice(max(-lo, 0), n - max(-hi, 0))
        for n, (lo, hi, _) in zip(grown, config, strict=True)
    )
    return anp.getitem(out, crop)


# ---------------------------------------------------------------------------------- select
def select_n(which: Any, *cases: Any) -> Any:
    """Entrywise ``cases[which]``: ``which`` (bool for at most two cases, or integer; a scalar or
    the cases' shape) picks the case, by XLA's tree of binary selects (a value below 0 picks the
    first case, one past the end the last). The derivative flows to the chosen case only."""
    if not cases:
        raise ValueError("select_n() must have at least one case")
    shapes = [shape_of(c) for c in cases]
    if len(set(shapes)) != 1:
        raise TypeError(
            f"select cases must have the same shapes, got [{', '.join(map(str, shapes))}]."
        )
    if shape_of(which) and shape_of(which) != shapes[0]:
        raise TypeError(
            "select `which` must be scalar or have the same shape as cases, got `which` shape "
            f"{shape_of(which)} but case shape {shapes[0]}."
        )
    _same_dtypes("select", *cases)
    w = np.asarray(plain(which))
    if w.dtype != bool and not np.issubdtype(w.dtype, np.integer):
        raise TypeError(f"select `which` must be boolean or integer type, got {w.dtype}.")
    if w.dtype == bool and len(cases) > 2:
        raise TypeError("select with boolean `which` cannot have > 2 cases.")
    return _chosen(w, cases, 0)


def _chosen(which: np.ndarray, cases: Sequence[Any], offset: int) -> Any:
    """``cases[which - offset]`` by binary selects: ``which < offset + mid`` picks from the first
    half (XLA's lowering, so out-of-range values pick an end case as XLA's do)."""
    if len(cases) == 1:
        return cases[0]
    mid = len(cases) // 2
    return anp.where(
        which < offset + mid,
        _chosen(which, cases[:mid], offset),
        _chosen(which, cases[mid:], offset + mid),
    )


def select(pred: Any, on_true: Any, on_false: Any) -> Any:
    """``on_true`` where ``pred`` holds, else ``on_false`` (``select_n(pred, on_false,
    on_true)``); the derivative flows to the chosen branch only."""
    return select_n(pred, on_false, on_true)


# ------------------------------------------------------------------------- gather, scatter
class GatherDimensionNumbers(NamedTuple):
    """How ``gather`` reads its indices (JAX's and XLA's fields; the index vector is always the
    last axis of the indices).

    - ``offset_dims``: the output axes (increasing) that hold the window axes (the operand axes
      neither collapsed nor batching), in order; the other output axes are the indices' batch
      axes, in order;
    - ``collapsed_slice_dims``: operand axes (increasing) of slice size 1 left out of the output;
    - ``start_index_map``: the operand axis that each entry of an index vector starts;
    - ``operand_batching_dims`` / ``start_indices_batching_dims``: operand axes (increasing) of
      slice size 1 indexed by the matching batch axis of the indices.
    """

    offset_dims: tuple[int, ...]
    collapsed_slice_dims: tuple[int, ...]
    start_index_map: tuple[int, ...]
    operand_batching_dims: tuple[int, ...] = ()
    start_indices_batching_dims: tuple[int, ...] = ()


class ScatterDimensionNumbers(NamedTuple):
    """How a scatter reads its indices and updates (JAX's and XLA's fields; the mirror image of
    :class:`GatherDimensionNumbers`).

    - ``update_window_dims``: the axes of the updates (increasing) that are window axes, written
      along the operand axes neither inserted nor batching, in order;
    - ``inserted_window_dims``: operand axes (increasing) of window size 1 absent from the
      updates;
    - ``scatter_dims_to_operand_dims``: the operand axis that each entry of an index vector
      starts;
    - ``operand_batching_dims`` / ``scatter_indices_batching_dims``: operand axes (increasing)
      indexed by the matching batch axis of the indices.
    """

    update_window_dims: Sequence[int]
    inserted_window_dims: Sequence[int]
    scatter_dims_to_operand_dims: Sequence[int]
    operand_batching_dims: Sequence[int] = ()
    scatter_indices_batching_dims: Sequence[int] = ()


class GatherScatterMode(enum.Enum):
    """What a gather or scatter does with a window that does not fit in the operand.

    - ``CLIP``: its start is clamped so it fits;
    - ``FILL_OR_DROP``: a gathered window is filled with ``fill_value``, a scattered one dropped;
    - ``PROMISE_IN_BOUNDS``: the caller promises none occurs (a gather clamps, a scatter drops).
    """

    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()

    @staticmethod
    def from_any(s: Any) -> GatherScatterMode:
        """The mode named by ``s``: a mode (JAX's too), ``"clip"``, ``"fill"`` / ``"drop"`` / None
        (FILL_OR_DROP) or ``"promise_in_bounds"``."""
        if isinstance(s, GatherScatterMode):
            return s
        named = {
            "clip": "CLIP",
            "fill": "FILL_OR_DROP",
            "drop": "FILL_OR_DROP",
            None: "FILL_OR_DROP",
        }
        name = getattr(s, "name", None) or named.get(s, str(s).upper())
        if name not in GatherScatterMode.__members__:
            raise ValueError(
                f"Unknown gather mode {s!r}: use 'clip', 'fill' (or 'drop'), "
                "'promise_in_bounds', or a GatherScatterMode"
            )
        return GatherScatterMode[name]


class _Windows(NamedTuple):
    """One gather or scatter in operand terms: each batch entry of ``indices`` (every axis but
    the last) reads or writes a window of ``sizes`` (per operand axis) in the operand."""

    operand_shape: tuple[int, ...]
    indices: np.ndarray
    window_dims: tuple[int, ...]  # the operand axes the window extends along, in order
    index_map: tuple[int, ...]
    operand_batching_dims: tuple[int, ...]
    indices_batching_dims: tuple[int, ...]
    sizes: tuple[int, ...]

    def positions(self) -> tuple[np.ndarray, np.ndarray]:
        """The flat operand position of every window entry, of shape batch + window (starts
        clamped so each window fits), and whether each window fits unclamped (batch shape)."""
        batch = self.indices.shape[:-1]
        window = tuple(self.sizes[d] for d in self.window_dims)
        nd = len(batch) + len(window)
        upper = np.array([self.operand_shape[d] - self.sizes[d] for d in self.index_map], int)
        starts = self.indices.astype(np.int64)
        fits = np.all((starts >= 0) & (starts <= upper), axis=-1)
        starts = np.clip(starts, 0, upper)
        flat = np.zeros(batch + window, dtype=np.int64)
        stride = 1
        for d in reversed(range(len(self.operand_shape))):
            if d in self.index_map:
                k = self.index_map.index(d)
                flat += stride * starts[..., k].reshape(batch + (1,) * len(window))
            if d in self.operand_batching_dims:
                axis = self.indices_batching_dims[self.operand_batching_dims.index(d)]
                flat += stride * np.arange(batch[axis]).reshape(_along(nd, axis))
            if d in self.window_dims:
                axis = len(batch) + self.window_dims.index(d)
                flat += stride * np.arange(self.sizes[d]).reshape(_along(nd, axis))
            stride *= self.operand_shape[d]
        return flat, fits


def _along(nd: int, axis: int) -> tuple[int, ...]:
    """The shape that lays a 1-D array along ``axis`` of ``nd`` axes (-1 there, 1 elsewhere)."""
    return tuple(-1 if k == axis else 1 for k in range(nd))


def _check_dims(dims: Sequence[int], rank: int, op: str, name: str, ordered: bool = True) -> None:
    """JAX's checks of a list of dimensions: increasing (where ``ordered``), none repeated, each
    in [0, rank)."""
    dims = tuple(dims)
    if ordered and list(dims) != sorted(dims):
        raise TypeError(f"{name} in {op} op must be sorted; got {dims}")
    if len(set(dims)) != len(dims):
        raise TypeError(f"{name} in {op} op must not repeat; got: {dims}.")
    bad = [d for d in dims if not 0 <= d < rank]
    if bad:
        raise TypeError(
            f"Invalid {name} set in {op} op; valid range is [0, {rank}); got: {bad[0]}."
        )


def _index_array(op: str, indices: Any) -> np.ndarray:
    """The plain integer ``indices`` of a gather or scatter, checked to end in an index vector
    axis."""
    indices = np.asarray(plain(indices))
    if not np.issubdtype(indices.dtype, np.integer):
        raise ValueError("indices must have an integer type")
    if indices.ndim < 1:
        raise TypeError(
            f"{op} indices must have at least one axis: the last one holds the index vectors "
            "(add a trailing axis of length 1 for scalar indices)"
        )
    return indices


def _windows(
    op: str,
    operand: Any,
    indices: Any,
    collapsed: Sequence[int],
    index_map: Sequence[int],
    operand_batching_dims: Sequence[int],
    indices_batching_dims: Sequence[int],
    sizes: Sequence[int],
) -> _Windows:
    """The checks a gather and a scatter share (JAX's), and their description in operand terms;
    ``collapsed`` are the collapsed (gather) or inserted (scatter) window axes."""
    s = shape_of(operand)
    indices = _index_array(op, indices)
    if len(index_map) != indices.shape[-1]:
        raise TypeError(
            f"{op} op has {len(index_map)} elements in its index map and the last dimension of "
            f"indices is {indices.shape[-1]}. These two numbers must be equal."
        )
    _check_dims(index_map, len(s), op, "start_index_map", ordered=False)
    _check_dims(collapsed, len(s), op, "collapsed or inserted window dims")
    _check_dims(operand_batching_dims, len(s), op, "operand_batching_dims")
    _check_dims(indices_batching_dims, indices.ndim - 1, op, "indices_batching_dims", False)
    for name, dims in (("collapsed or inserted window dims", collapsed), ("index map", index_map)):
        if set(dims) & set(operand_batching_dims):
            raise TypeError(
                f"{name} and operand_batching_dims in {op} op must be disjoint; got: "
                f"{tuple(dims)} and {tuple(operand_batching_dims)}."
            )
    operand_batch = tuple(s[d] for d in operand_batching_dims)
    indices_batch = tuple(indices.shape[d] for d in indices_batching_dims)
    if operand_batch != indices_batch:
        raise TypeError(
            f"{op} op requires operand batching dimensions and indices batching dimensions to "
            f"have the same shape, got {operand_batch} and {indices_batch}."
        )
    window_dims = tuple(
        d for d in range(len(s)) if d not in collapsed and d not in operand_batching_dims
    )
    return _Windows(
        s,
        indices,
        window_dims,
        tuple(index_map),
        tuple(operand_batching_dims),
        tuple(indices_batching_dims),
        tuple(sizes),
    )


def _fill_value(dtype: np.dtype) -> Any:
    """JAX's default fill of a gather's out-of-bounds windows: NaN for inexact dtypes, the most
    negative value for signed integers, the largest for unsigned ones, True for bool."""
    if np.issubdtype(dtype, np.inexact):
        return np.nan
    if np.issubdtype(dtype, np.integer):
        info = np.iinfo(dtype)
        return info.min if np.issubdtype(dtype, np.signedinteger) else info.max
    return True


def gather(
    operand: Any,
    start_indices: Any,
    dimension_numbers: GatherDimensionNumbers,
    slice_sizes: Sequence[int],
    *,
    unique_indices: bool = False,
    indices_are_sorted: bool = False,
    mode: str | GatherScatterMode | None = None,
    fill_value: Any = None,
) -> Any:
    """XLA's Gather: for each batch entry of ``start_indices`` (every axis but the last, which
    holds index vectors), the window of ``slice_sizes`` starting where the index vector (mapped by
    ``start_index_map``) points; laid out by ``dimension_numbers``. Windows that do not fit are
    clamped (``mode`` None, PROMISE_IN_BOUNDS, CLIP) or filled with ``fill_value``
    (FILL_OR_DROP; default NaN for floats). ``unique_indices`` and ``indices_are_sorted`` are
    hints, accepted for JAX's signature."""
    dn = dimension_numbers
    parsed = GatherScatterMode.from_any(
        GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode
    )
    sizes = shape_like("gather", "slice_sizes", slice_sizes)
    w = _windows(
        "gather",
        operand,
        start_indices,
        dn.collapsed_slice_dims,
        dn.start_index_map,
        dn.operand_batching_dims,
        dn.start_indices_batching_dims,
        sizes,
    )
    s, nb = w.operand_shape, w.indices.ndim - 1
    out_rank = nb + len(dn.offset_dims)
    _check_dims(dn.offset_dims, out_rank, "gather", "offset_dims")
    if len(sizes) != len(s):
        raise TypeError(
            "Gather op must have one slice size for every input dimension; got: "
            f"len(slice_sizes)={len(sizes)}, input_shape.rank={len(s)}"
        )
    if len(dn.offset_dims) != len(w.window_dims):
        raise TypeError(
            "All components of the offset index in a gather op must either be a offset "
            f"dimension or explicitly collapsed/batching; got len(slice_sizes)={len(sizes)}, "
            f"output_slice_sizes={dn.offset_dims}, collapsed_slice_dims="
            f"{dn.collapsed_slice_dims}, operand_batching_dims={dn.operand_batching_dims}."
        )
    for d, (k, n) in enumerate(zip(sizes, s, strict=True)):
        if k > n:
            raise TypeError(
                f"Slice size at index {d} in gather op is out of range, must be within "
                f"[0, {n} + 1), got {k}."
            )
    for d in (*dn.collapsed_slice_dims, *dn.operand_batching_dims):
        if sizes[d] > 1 or (sizes[d] == 0 and d in dn.collapsed_slice_dims):
            raise TypeError(
                f"Gather op can only collapse slice dims with bound 1 (batching dims: bound 0 "
                f"or 1), but bound is {sizes[d]} for index {d}."
            )
    flat, fits = w.positions()
    out = anp.getitem(_flat(operand), flat)
    if parsed is GatherScatterMode.FILL_OR_DROP:
        dtype = dtype_of(operand)
        fill = np.asarray(_fill_value(dtype) if fill_value is None else fill_value, dtype)
        out = anp.where(fits.reshape(fits.shape + (1,) * len(w.window_dims)), out, fill)
    batch_axes = iter(range(nb))
    perm = [
        nb + dn.offset_dims.index(o) if o in dn.offset_dims else next(batch_axes)
        for o in range(out_rank)
    ]
    return out if perm == list(range(out_rank)) else anp.transpose(out, perm)


def _scattered(
    op: str,
    operand: Any,
    scatter_indices: Any,
    updates: Any,
    dimension_numbers: ScatterDimensionNumbers,
    mode: str | GatherScatterMode | None,
) -> tuple[np.ndarray, Any]:
    """The checks of a scatter (JAX's), and what it writes: the flat operand positions and the
    updates, laid out alike (batch + window axes); windows that do not fit clamped (CLIP) or
    dropped (FILL_OR_DROP, PROMISE_IN_BOUNDS)."""
    dn = dimension_numbers
    window_axes = tuple(dn.update_window_dims)
    u = shape_of(updates)
    nb = _index_array(op, scatter_indices).ndim - 1
    if len(u) != nb + len(window_axes):
        raise TypeError(f"Updates tensor must be of rank {nb + len(window_axes)}; got {len(u)}.")
    _check_dims(window_axes, len(u), op, "update_window_dims")
    scatter_axes = tuple(d for d in range(len(u)) if d not in window_axes)
    s = shape_of(operand)
    window_dims = [
        d
        for d in range(len(s))
        if d not in dn.inserted_window_dims and d not in dn.operand_batching_dims
    ]
    if len(window_dims) != len(window_axes):
        raise TypeError(
            f"Scatter op has {len(window_axes)} update_window_dims for the {len(window_dims)} "
            f"operand dimensions (of {len(s)}) that are neither inserted nor batching: one each."
        )
    sizes = [1] * len(s)
    for d, a in zip(window_dims, window_axes, strict=True):
        if u[a] > s[d]:
            raise TypeError(
                "Bounds of the window dimensions of updates must not exceed the bounds of the "
                f"corresponding dimensions of operand. For dimension {a}, updates bound is "
                f"{u[a]}, operand bound is {s[d]}."
            )
        sizes[d] = u[a]
    w = _windows(
        op,
        operand,
        scatter_indices,
        dn.inserted_window_dims,
        dn.scatter_dims_to_operand_dims,
        dn.operand_batching_dims,
        dn.scatter_indices_batching_dims,
        sizes,
    )
    batch = tuple(u[a] for a in scatter_axes)
    if batch != w.indices.shape[:-1]:
        raise TypeError(
            "Bounds of the scatter dimensions of updates must be the same as the bounds of the "
            f"corresponding dimensions of scatter indices: updates {batch}, indices "
            f"{w.indices.shape[:-1]}."
        )
    _same_dtypes(op, operand, updates)
    flat, fits = w.positions()
    order = scatter_axes + window_axes
    values = updates if order == tuple(range(len(u))) else anp.transpose(updates, order)
    if GatherScatterMode.from_any(mode) is not GatherScatterMode.CLIP and not fits.all():
        flat, values = flat[fits], anp.getitem(values, fits)
    return flat, values


def _flat(operand: Any) -> Any:
    """``operand`` flattened, as an array with ``.at`` updates."""
    return anp.asarray(anp.reshape(operand, (math.prod(shape_of(operand)),)))


def _scatter_fn(name: str, update: Callable[[Any, Any], Any], what: str) -> Callable[..., Any]:
    """A scatter function: ``update(operand_flat.at[positions], values)`` after the checks."""

    def scatter_fn(
        operand: Any,
        scatter_indices: Any,
        updates: Any,
        dimension_numbers: ScatterDimensionNumbers,
        *,
        indices_are_sorted: bool = False,
        unique_indices: bool = False,
        mode: str | GatherScatterMode | None = None,
    ) -> Any:
        flat, values = _scattered(name, operand, scatter_indices, updates, dimension_numbers, mode)
        return anp.reshape(update(_flat(operand).at[flat], values), shape_of(operand))

    scatter_fn.__name__ = scatter_fn.__qualname__ = name
    scatter_fn.__doc__ = (
        f"``operand`` with ``updates`` {what} at the windows ``scatter_indices`` point to (XLA's "
        "Scatter, laid out by ``dimension_numbers``); windows that do not fit are dropped "
        "(``mode`` None, FILL_OR_DROP, PROMISE_IN_BOUNDS) or clamped (CLIP). "
        "``indices_are_sorted`` and ``unique_indices`` are hints, accepted for JAX's signature."
    )
    return scatter_fn


scatter = _scatter_fn(
    "scatter", lambda at, v: at.set(v), "written (repeated indices: the last update wins)"
)
scatter_add = _scatter_fn("scatter_add", lambda at, v: at.add(v), "added")
scatter_sub = _scatter_fn("scatter_sub", lambda at, v: at.add(anp.negative(v)), "subtracted")
scatter_mul = _scatter_fn("scatter_mul", lambda at, v: at.multiply(v), "multiplied in")
scatter_min = _scatter_fn(
    "scatter_min", lambda at, v: at.min(v), "combined by minimum (ties share the derivative)"
)
scatter_max = _scatter_fn(
    "scatter_max", lambda at, v: at.max(v), "combined by maximum (ties share the derivative)"
)


def scatter_apply(
    operand: Any,
    scatter_indices: Any,
    func: Callable[[Any], Any],
    dimension_numbers: ScatterDimensionNumbers,
    *,
    update_shape: Sequence[int] = (),
    indices_are_sorted: bool = False,
    unique_indices: bool = False,
    mode: str | GatherScatterMode | None = None,
) -> Any:
    """``operand`` with the elementwise ``func`` applied at the windows ``scatter_indices`` point
    to, once per update (an entry two windows cover gets ``func(func(x))``); ``update_shape`` is
    the shape the updates of the matching ``scatter`` would have. Unlike JAX's, differentiable."""
    dummy = np.zeros(tuple(update_shape), dtype_of(operand))
    flat, _ = _scattered("scatter_apply", operand, scatter_indices, dummy, dimension_numbers, mode)
    hits = np.bincount(flat.ravel(), minlength=math.prod(shape_of(operand)))
    out = _flat(operand)
    for r in range(int(hits.max(initial=0))):
        at = np.flatnonzero(hits > r)
        out = out.at[at].set(func(anp.getitem(out, at)))
    return anp.reshape(out, shape_of(operand))


def index_take(src: Any, idxs: Sequence[Any], axes: Sequence[int]) -> Any:
    """``src`` at the index arrays ``idxs`` (1-D, one per axis in ``axes``, taken modulo the
    axis's length) along ``axes`` (increasing): output axis 0 runs over the indices, the
    remaining axes of ``src`` follow in order. A ``gather``, as JAX's."""
    axes = tuple(operator.index(a) for a in axes)
    arrays = [np.asarray(plain(i)) for i in idxs]
    if not axes or len(arrays) != len(axes) or any(a.ndim != 1 for a in arrays):
        raise ValueError(
            f"index_take: give one 1-D integer index array per axis in axes={axes}, got arrays "
            f"of shapes {[a.shape for a in arrays]}"
        )
    s = shape_of(src)
    indices = np.stack(arrays, axis=1) % np.array([s[a] for a in axes], dtype=int)
    sizes = [1 if d in axes else n for d, n in enumerate(s)]
    dn = GatherDimensionNumbers(
        offset_dims=tuple(range(1, len(s) - len(axes) + 1)),
        collapsed_slice_dims=axes,
        start_index_map=axes,
    )
    return gather(src, indices, dn, sizes)
