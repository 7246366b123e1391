"""Shape primitives: reshape, transpose, getitem / scatter_add, concatenate, stack, astype.

All are linear, so a JVP applies the op itself to the tangent and a VJP applies its transpose to
the cotangent. Every rule here accepts a batch of directions: a leading axis in front of the
tangent or cotangent (``nb`` = its number of extra leading axes), which it keeps in front.
Indices are normalised by :func:`normalize_index` to cover every axis of the indexed value, so
prefixing one full slice per direction axis indexes a batch the same way.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np

from admodes.core import Traced, dtype_of, ndim, shape, size, to_integers
from admodes.registry import defprim, zero_cost
from admodes.rules.elementwise import real


def batch_ndim(v: Any, like: Any) -> int:
    """Leading direction axes of a tangent or cotangent ``v`` of the value ``like`` (0 for one
    direction, 1 for a batch of directions)."""
    return ndim(v) - ndim(like)


# --------------------------------------------------------------------------- reshape, transpose
reshape = defprim(
    "reshape",
    lambda x, newshape: np.reshape(x, newshape),
    jvps=[lambda t, ans, x, newshape: reshape(t, shape(t)[: batch_ndim(t, x)] + newshape)],
    vjps=[lambda g, ans, x, newshape: reshape(g, shape(g)[: batch_ndim(g, ans)] + shape(x))],
    batched_jvp=True,
    batched_vjp=True,
)


def _permuted(v: Any, like: Any, axes: tuple[int, ...]) -> Any:
    """``v`` transposed by ``axes``, its leading direction axes (if any) kept in front."""
    nb = batch_ndim(v, like)
    return transpose(v, tuple(range(nb)) + tuple(nb + a for a in axes))


transpose = defprim(
    "transpose",
    lambda x, axes: np.transpose(x, axes),
    jvps=[lambda t, ans, x, axes: _permuted(t, x, axes)],
    vjps=[lambda g, ans, x, axes: _permuted(g, ans, tuple(int(i) for i in np.argsort(axes)))],
    batched_jvp=True,
    batched_vjp=True,
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


def along_axis(indices: np.ndarray, axis: int, x_shape: tuple[int, ...]) -> tuple:
    """The full index that picks ``indices`` along ``axis`` (negative) of a value of shape
    ``x_shape`` and keeps every other axis: ``x[along_axis(i, a, x.shape)]`` is
    ``np.take_along_axis(x, i, a)``. Every entry is an integer array, so the advanced indices are
    adjacent and NumPy moves no axis."""
    nd = len(x_shape)
    return tuple(
        indices if k == nd + axis else np.arange(d).reshape((-1,) + (1,) * (nd - k - 1))
        for k, d in enumerate(x_shape)
    )


def _batched(index: tuple, nb: int) -> tuple:
    """``index`` for a tangent with ``nb`` leading direction axes (kept whole, in front)."""
    return (slice(None),) * nb + index


#: The entries of an index that are arrays: NumPy's, or traced ones (numbers vmap maps).
_INDEX_ARRAYS = (np.ndarray, Traced)


def _moved_ndim(index: tuple) -> int:
    """How many leading result axes NumPy gives the advanced indices, when they are separated by a
    slice or None (``x[i, :, j]``): it puts their broadcast axes first, ahead of a tangent's
    direction axes. 0 when the advanced indices are adjacent (or absent): nothing moves."""
    arrays = [i for i in index if isinstance(i, _INDEX_ARRAYS)]
    if not arrays:
        return 0
    at = [k for k, i in enumerate(index) if not (i is None or isinstance(i, slice))]
    if at[-1] - at[0] + 1 == len(at):
        return 0
    return max(1 if i.dtype == bool else i.ndim for i in arrays)


def gathered(v: Any, nb: int, index: tuple) -> Any:
    """v[index] for ``v`` with ``nb`` leading direction axes, which stay in front."""
    out = _gather(v, _batched(index, nb))
    a = _moved_ndim(index) if nb else 0
    if not a:
        return out
    n = ndim(out)
    return transpose(out, (*range(a, a + nb), *range(a), *range(a + nb, n)))


def _gather(v: Any, index: tuple) -> Any:
    """v[index] (a full index): ``getitem``, or ``indexed`` where some index arrays are traced
    (numbers that vmap maps, one array per index of its axis)."""
    if not any(isinstance(i, Traced) for i in index):
        return getitem(v, index)
    arrays, template = operands(index)
    return indexed(v, *arrays, template=template)


def operands(index: tuple) -> tuple[tuple, tuple]:
    """A full index as the index arrays and template of ``indexed`` / ``scatter_indexed``."""
    arrays = tuple(i for i in index if isinstance(i, _INDEX_ARRAYS))
    return arrays, tuple(INDEX_ARRAY if isinstance(i, _INDEX_ARRAYS) else i for i in index)


def scattered(v: Any, nb: int, index: tuple, x_shape: tuple[int, ...]) -> Any:
    """scatter_add of ``v`` with ``nb`` leading direction axes into zeros of ``x_shape``; the
    direction axes go where NumPy expects them (behind the advanced-index axes it moves to the
    front, see :func:`_moved_ndim`) and stay in front of the result."""
    out_shape = shape(v)[:nb] + x_shape
    a = _moved_ndim(index) if nb else 0
    if a:
        v = transpose(v, (*range(nb, nb + a), *range(nb), *range(nb + a, ndim(v))))
    index = _batched(index, nb)
    if not any(isinstance(i, Traced) for i in index):
        return scatter_add(v, index, out_shape)
    arrays, template = operands(index)
    return scatter_indexed(v, *arrays, template=template, x_shape=out_shape)


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
    jvps=[lambda t, ans, x, index: gathered(t, batch_ndim(t, x), index)],
    vjps=[lambda g, ans, x, index: scattered(g, batch_ndim(g, ans), index, shape(x))],
    batched_jvp=True,
    batched_vjp=True,
)

scatter_add = defprim(
    "scatter_add",
    _scatter_add_impl,
    jvps=[lambda t, ans, g, index, x_shape: scattered(t, batch_ndim(t, g), index, x_shape)],
    vjps=[lambda ct, ans, g, index, x_shape: gathered(ct, ndim(ct) - len(x_shape), index)],
    cost=lambda ans, g, index, x_shape: 0 if is_basic(index) else size(g),
    batched_jvp=True,
    batched_vjp=True,
)


# ------------------------------------------------------------------- indices given as operands
class _IndexArray:
    """Where an index array given as an operand sits in an index template."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "INDEX_ARRAY"


#: A slot of an index template filled, in order, by the index arrays an op takes as operands.
INDEX_ARRAY = _IndexArray()


def filled(template: tuple, arrays: tuple) -> tuple:
    """The full index ``template`` with its :data:`INDEX_ARRAY` slots filled by ``arrays``."""
    rest = iter(arrays)
    return tuple(next(rest) if i is INDEX_ARRAY else i for i in template)


# ``indexed`` is getitem with its index arrays as operands rather than parameters, so that a
# transform that maps them (vmap) sees them; they have no derivative.
indexed = defprim(
    "indexed",
    lambda x, *arrays, template: x[filled(template, arrays)],
    jvps=[
        lambda t, ans, x, *arrays, template: gathered(t, batch_ndim(t, x), filled(template, arrays))
    ],
    vjps=[
        lambda g, ans, x, *arrays, template: scattered(
            g, batch_ndim(g, ans), filled(template, arrays), shape(x)
        )
    ],
    cost=lambda ans, x, *arrays, template: size(ans),
    batched_jvp=True,
    batched_vjp=True,
)
#: The transpose of ``indexed``: g added into zeros of ``x_shape`` at the index.
scatter_indexed = defprim(
    "scatter_indexed",
    lambda g, *arrays, template, x_shape: _scatter_add_impl(g, filled(template, arrays), x_shape),
    jvps=[
        lambda t, ans, g, *arrays, template, x_shape: scattered(
            t, batch_ndim(t, g), filled(template, arrays), x_shape
        )
    ],
    vjps=[
        lambda ct, ans, g, *arrays, template, x_shape: gathered(
            ct, ndim(ct) - len(x_shape), filled(template, arrays)
        )
    ],
    cost=lambda ans, g, *arrays, template, x_shape: size(g),
    batched_jvp=True,
    batched_vjp=True,
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
    batched_jvp=True,
    batched_vjp=True,
)

stack = defprim(
    "stack",
    lambda *xs, axis: np.stack(xs, axis=axis),
    joint_jvp=lambda ts, ans, *xs, axis: stack(*ts, axis=axis),
    joint_vjp=lambda g, ans, *xs, axis: tuple(
        getitem(g, axis_index(ndim(g), axis, i)) for i in range(len(xs))
    ),
    batched_jvp=True,
    batched_vjp=True,
)


# ---------------------------------------------------------------------------- element type
def _astype_impl(x: Any, dtype: np.dtype) -> np.ndarray:
    """x converted to another float or complex ``dtype``: linear, so the tangent is converted
    alike and the cotangent converted back to x's dtype (its real part for a real x, as JAX).
    Plain floats convert to integers as XLA converts them (saturated, nan to 0)."""
    x = np.asarray(x)
    dtype = np.dtype(dtype)
    converted = to_integers(x, dtype) if dtype.kind in "iu" else x.astype(dtype)
    return converted[()]  # [()]: a 0-d result as a NumPy scalar, as NumPy


def _astype_vjp(g: Any, ans: Any, x: Any, dtype: np.dtype) -> Any:
    """x̄ = ḡ in x's dtype: Re ḡ for a real x made complex."""
    if dtype_of(g).kind == "c" and dtype_of(x).kind != "c":
        g = real(g)
    return astype(g, dtype=dtype_of(x))


astype = defprim(
    "astype",
    _astype_impl,
    jvps=[lambda t, ans, x, dtype: astype(t, dtype=dtype)],
    vjps=[_astype_vjp],
    batched_jvp=True,
    batched_vjp=True,
)


#: x itself, carrying a name: what ``checkpoint_name`` marks so that a checkpoint's saving
#: policy can choose it (JAX's ``name_p``). Its derivatives are the identity's.
named = defprim(
    "name",
    lambda x, name: x,
    jvps=[lambda t, ans, x, name: t],
    vjps=[lambda g, ans, x, name: g],
    cost=zero_cost,
    batched_jvp=True,
    batched_vjp=True,
)
