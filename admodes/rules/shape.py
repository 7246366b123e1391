"""Shape primitives: reshape, transpose, broadcast_to, getitem / scatter_add, concatenate, stack.

All are linear, so a JVP applies the op itself to the tangent. A batched tangent carries its
direction axis in front (``nb`` = its number of extra leading axes, 0 or 1); each rule here keeps
that axis in front. Indices are normalised by :func:`normalize_index` to cover every axis of the
indexed value, so prefixing one full slice per direction axis indexes a batched tangent the same
way (nested batched transforms prefix one each).
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from admodes.registry import defprim, ndim, shape, size


def batch_ndim(t: Any, x: Any) -> int:
    """Leading direction axes of tangent ``t`` of the value ``x`` (0 unless batched)."""
    return ndim(t) - ndim(x)


def align_batched(t: Any, x_ndim: int, out_ndim: int) -> Any:
    """Insert unit axes after the direction axis of a batched tangent so that NumPy's right-aligned
    broadcasting pairs each of ``x``'s axes with the output's, never with the direction axis."""
    if out_ndim <= x_ndim:
        return t
    ts = shape(t)
    return reshape(t, ts[:1] + (1,) * (out_ndim - x_ndim) + ts[1:])


def unbroadcast(g: Any, target: tuple[int, ...]) -> Any:
    """Sum a cotangent over the axes broadcasting added or stretched: the VJP of broadcasting."""
    gs = shape(g)
    if gs == target:
        return g
    lead = len(gs) - len(target)
    stretched = tuple(i - len(target) for i, d in enumerate(target) if d == 1 and gs[lead + i] != 1)
    axes = tuple(range(-len(gs), -len(target))) + stretched
    from admodes.rules.reductions import sum as reduce_sum

    return reshape(reduce_sum(g, axis=axes, keepdims=True), target)


# --------------------------------------------------------------------------- reshape, transpose
reshape = defprim(
    "reshape",
    lambda x, newshape: np.reshape(x, newshape),
    jvps=[lambda t, ans, x, newshape: reshape(t, shape(t)[: batch_ndim(t, x)] + newshape)],
    vjps=[lambda g, ans, x, newshape: reshape(g, shape(x))],
)


def _transpose_jvp(t: Any, ans: Any, x: Any, axes: tuple[int, ...]) -> Any:
    nb = batch_ndim(t, x)
    return transpose(t, tuple(range(nb)) + tuple(nb + a for a in axes))


transpose = defprim(
    "transpose",
    lambda x, axes: np.transpose(x, axes),
    jvps=[_transpose_jvp],
    vjps=[lambda g, ans, x, axes: transpose(g, tuple(int(i) for i in np.argsort(axes)))],
)


def _broadcast_to_jvp(t: Any, ans: Any, x: Any, newshape: tuple[int, ...]) -> Any:
    nb = batch_ndim(t, x)
    if nb:
        t = align_batched(t, ndim(x), len(newshape))
    return broadcast_to(t, shape(t)[:nb] + newshape)


broadcast_to = defprim(
    "broadcast_to",
    lambda x, newshape: np.broadcast_to(x, newshape),
    jvps=[_broadcast_to_jvp],
    vjps=[lambda g, ans, x, newshape: unbroadcast(g, shape(x))],
)


# ------------------------------------------------------------------------------------- indexing
def normalize_index(index: Any, x_ndim: int) -> tuple:
    """``index`` as a tuple that names every axis of ``x`` explicitly (no ``...``)."""
    index = index if isinstance(index, tuple) else (index,)
    index = tuple(np.asarray(i) if isinstance(i, list) else i for i in index)
    used = 0
    for i in index:
        if i is None or i is Ellipsis:
            continue
        used += i.ndim if isinstance(i, np.ndarray) and i.dtype == bool else 1
    if used > x_ndim:
        raise IndexError(f"too many indices: {used} for a value with {x_ndim} dimensions")
    fill = (slice(None),) * (x_ndim - used)
    if any(i is Ellipsis for i in index):
        at = next(k for k, i in enumerate(index) if i is Ellipsis)
        return index[:at] + fill + index[at + 1 :]
    return index + fill


def is_basic(index: tuple) -> bool:
    """Basic indexing (ints, slices, None) selects each element at most once."""
    return all(i is None or isinstance(i, int | np.integer | slice) for i in index)


def axis_index(x_ndim: int, axis: int, item: Any) -> tuple:
    """A full index that applies ``item`` along ``axis`` (negative) and keeps every other axis."""
    return (slice(None),) * (x_ndim + axis) + (item,) + (slice(None),) * (-axis - 1)


def flip(x: Any, axis: int) -> Any:
    """x reversed along ``axis`` (negative)."""
    return getitem(x, axis_index(ndim(x), axis, slice(None, None, -1)))


def _batched(index: tuple, nb: int) -> tuple:
    """``index`` for a tangent with ``nb`` leading direction axes (kept whole, in front)."""
    return (slice(None),) * nb + index


def _moved_ndim(index: tuple) -> int:
    """How many leading result axes NumPy gives the advanced indices, when they are separated by a
    slice or None (``x[i, :, j]``): it puts their broadcast axes first, ahead of a tangent's
    direction axes. 0 when the advanced indices are adjacent (or absent): nothing moves."""
    arrays = [i for i in index if isinstance(i, np.ndarray)]
    if not arrays:
        return 0
    at = [k for k, i in enumerate(index) if not (i is None or isinstance(i, slice))]
    if at[-1] - at[0] + 1 == len(at):
        return 0
    return max(1 if i.dtype == bool else i.ndim for i in arrays)


def _getitem_jvp(t: Any, ans: Any, x: Any, index: tuple) -> Any:
    """t[index], the direction axes of a batched t kept in front."""
    nb = batch_ndim(t, x)
    out = getitem(t, _batched(index, nb))
    a = _moved_ndim(index) if nb else 0
    if not a:
        return out
    n = ndim(out)
    return transpose(out, (*range(a, a + nb), *range(a), *range(a + nb, n)))


def _scatter_add_jvp(t: Any, ans: Any, g: Any, index: tuple, x_shape: tuple[int, ...]) -> Any:
    """scatter_add of t; a batched t's direction axes go where NumPy expects them (behind the
    advanced-index axes it moved to the front, see :func:`_moved_ndim`)."""
    nb = batch_ndim(t, g)
    out_shape = shape(t)[:nb] + x_shape
    a = _moved_ndim(index) if nb else 0
    if a:
        t = transpose(t, (*range(nb, nb + a), *range(nb), *range(nb + a, ndim(t))))
    return scatter_add(t, _batched(index, nb), out_shape)


def _scatter_add_impl(g: Any, index: tuple, x_shape: tuple[int, ...]) -> np.ndarray:
    # g's own dtype (a Python float is float64), at least float32: never a weak-typed downcast.
    out = np.zeros(x_shape, dtype=np.result_type(np.asarray(g).dtype, np.float32))
    if is_basic(index):
        out[index] = g
    else:
        np.add.at(out, index, g)
    return out


getitem = defprim(
    "getitem",
    lambda x, index: x[index],
    jvps=[_getitem_jvp],
    vjps=[lambda g, ans, x, index: scatter_add(g, index, shape(x))],
)

scatter_add = defprim(
    "scatter_add",
    _scatter_add_impl,
    jvps=[_scatter_add_jvp],
    vjps=[lambda ct, ans, g, index, x_shape: getitem(ct, index)],
    cost=lambda ans, g, index, x_shape: 0 if is_basic(index) else size(g),
)


# ---------------------------------------------------------------------------- joining arrays
def _concatenate_vjp(g: Any, ans: Any, *xs: Any, axis: int) -> tuple:
    """Each input's cotangent is its slice of ``g`` along ``axis``."""
    bounds = np.cumsum([0] + [shape(x)[axis] for x in xs])
    return tuple(
        getitem(g, axis_index(ndim(g), axis, slice(int(a), int(b))))
        for a, b in itertools.pairwise(bounds)
    )


concatenate = defprim(
    "concatenate",
    lambda *xs, axis: np.concatenate(xs, axis=axis),
    joint_jvp=lambda ts, ans, *xs, axis: concatenate(*ts, axis=axis),
    joint_vjp=_concatenate_vjp,
)

stack = defprim(
    "stack",
    lambda *xs, axis: np.stack(xs, axis=axis),
    joint_jvp=lambda ts, ans, *xs, axis: stack(*ts, axis=axis),
    joint_vjp=lambda g, ans, *xs, axis: tuple(
        getitem(g, axis_index(ndim(g), axis, i)) for i in range(len(xs))
    ),
)
