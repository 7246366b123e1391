"""Batching rules: how ``vmap`` applies a primitive to a stack of values at once.

A rule ``rule(prim, args, mapped, **params)`` receives the op's arguments, each either *mapped*
(a stack: the values at every index of the mapped axis, along a new leading axis) or not (one
value for every index), and gives the stack of the op's outputs along a leading axis. Rules
call primitives, so an outer transform records what they do.

- Elementwise ops (every :func:`~admodes.registry.defelementwise` entry, and those given
  :func:`elementwise` here) broadcast: a stack gets singleton axes behind its leading one, up to
  the rank of the op's output, so a value shared by every index broadcasts against it.
- Reductions, cumulative sums, sorts and Fourier transforms move their axes one place right.
- ``reshape``, ``transpose``, ``broadcast_to``, ``getitem``, ``scatter_add``, ``concatenate``,
  ``stack``: the same with the leading axis kept in front.
- ``matmul`` and ``einsum``: the leading axis is one more batch axis of the product (a fresh
  label of the einsum).
- Linear algebra on matrices (``inv``, ``solve``, ``cholesky``, ``eigh``, ``qr``, ``lu``,
  ``expm``, ...): a stack of matrices is what they take, so a value shared by every index is
  broadcast to a stack.

A primitive with no rule is applied once per index (``vmap`` does that itself). The SciPy-backed
primitives of :mod:`admodes.rules.special` register theirs there (SciPy is an optional extra).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

from admodes.core import ndim, shape
from admodes.registry import Primitive, defbatch
from admodes.rules import contractions, linalg, reductions, sorting
from admodes.rules import elementwise as ew
from admodes.rules import fft as fourier
from admodes.rules.broadcasting import broadcast_to, sum
from admodes.rules.contractions import (
    einsum,
    join_subscripts,
    matmul,
    split_subscripts,
    unused_labels,
)
from admodes.rules.shape import (
    INDEX_ARRAY,
    astype,
    axis_index,
    concatenate,
    filled,
    gathered,
    getitem,
    indexed,
    named,
    reshape,
    scatter_add,
    scatter_indexed,
    scattered,
    stack,
    transpose,
)


def example_ndim(v: Any, mapped: bool) -> int:
    """The rank of one index's value of ``v`` (a stack has one leading axis more)."""
    return ndim(v) - 1 if mapped else ndim(v)


def with_rank(v: Any, rank: int) -> Any:
    """A stack ``(n, *s)`` as ``(n, 1, ..., 1, *s)`` whose values have rank ``rank``: what
    broadcasts against values of that rank shared by every index."""
    s = shape(v)
    missing = rank - (len(s) - 1)
    return reshape(v, (s[0],) + (1,) * missing + s[1:]) if missing > 0 else v


def stacked(v: Any, n: int) -> Any:
    """A value shared by every index, as a stack of n copies."""
    return broadcast_to(v, (n, *shape(v)))


def stack_of(values: Any) -> Any:
    """The values of every index, one stack along a new leading axis."""
    return stack(*values, axis=-ndim(values[0]) - 1)  # primitives take negative axes


def stack_length(args: tuple, mapped: tuple) -> int:
    """n, the length of the mapped axis."""
    return next(shape(a)[0] for a, m in zip(args, mapped, strict=True) if m)


def moved_axis(axis: int, rank: int) -> int:
    """An axis of a value of rank ``rank`` (negative or not) as the same axis of its stack,
    negative (NumPy's AxisError for one out of range). Primitives take negative axes: counted
    from the end, an axis names the same dimension in a stack and in the batch of its tangents
    or cotangents that an outer transform carries in front of it."""
    return normalize_axis_index(axis, rank) - rank


def argument(args: tuple, params: dict, position: int, name: str) -> Any:
    """A call's argument ``name``, passed at ``position`` or by name."""
    return params[name] if name in params else args[position]


def each_index(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    """Any op: applied to each index's values in turn, the outputs stacked (what vmap does
    for a primitive without a rule)."""
    n = stack_length(args, mapped)
    return stack_of(
        [
            prim(*(getitem(a, axis_index(ndim(a), -ndim(a), i)) if m else a
                   for a, m in zip(args, mapped, strict=True)), **params)
            for i in range(n)
        ]
    )  # fmt: skip


def elementwise(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    """An elementwise op on stacks aligned to the output's rank."""
    rank = max(example_ndim(a, m) for a, m in zip(args, mapped, strict=True))
    return prim(
        *(with_rank(a, rank) if m else a for a, m in zip(args, mapped, strict=True)), **params
    )


def _reduction(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    """sum, max, min over the same axes of each index's value."""
    x, axis = args[0], argument(args, params, 1, "axis")
    keepdims = argument(args, params, 2, "keepdims")
    rank = ndim(x) - 1
    axes = range(rank) if axis is None else (axis,) if isinstance(axis, int) else axis
    return prim(x, axis=tuple(sorted(moved_axis(a, rank) for a in axes)), keepdims=keepdims)


def _along_axis(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    """cumsum, sort and fft along the same axis of each index's value (other parameters, such
    as fft's ``inverse``, as they are)."""
    x, axis = args[0], argument(args, params, 1, "axis")
    rest = {k: v for k, v in params.items() if k != "axis"}
    return prim(x, axis=moved_axis(axis, ndim(x) - 1), **rest)


def _reshape(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    x, newshape = args[0], argument(args, params, 1, "newshape")
    return reshape(x, (shape(x)[0], *newshape))


def _transpose(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    x, axes = args[0], argument(args, params, 1, "axes")
    rank = ndim(x) - 1
    axes = range(rank - 1, -1, -1) if axes is None else axes
    return transpose(x, (0, *(normalize_axis_index(a, rank) + 1 for a in axes)))


def _broadcast_to(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    x, newshape = args[0], argument(args, params, 1, "newshape")
    return broadcast_to(with_rank(x, len(newshape)), (shape(x)[0], *newshape))


def _getitem(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    return gathered(args[0], 1, argument(args, params, 1, "index"))


def _scatter_add(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    index, x_shape = argument(args, params, 1, "index"), argument(args, params, 2, "x_shape")
    return scattered(args[0], 1, index, x_shape)


def _advanced_first(template: tuple) -> int:
    """How many axes of a gather's result come before the advanced indices' broadcast axes
    (arrays, and ints beside them): the slices in front of them when the advanced entries are
    adjacent, else 0 (NumPy then puts the broadcast axes first)."""
    at = [k for k, i in enumerate(template) if not isinstance(i, slice)]
    return at[0] if at[-1] - at[0] + 1 == len(at) else 0


def _stacked_gather(
    template: tuple, arrays: tuple, mapped: tuple, n: int, x_mapped: bool
) -> tuple[tuple, tuple, tuple[int, ...] | None]:
    """One gather for every index at once, from the stack of x (``x_mapped``) or from the one x:
    its template and index arrays (each index's arrays broadcast behind the mapped axis, with
    the mapped axis itself, an arange, in front of a stacked x), and the transpose that puts
    its result in vmap's order, the mapped axis first and then one index's result (None when
    NumPy already gives that order)."""
    s = max(example_ndim(a, m) for a, m in zip(arrays, mapped, strict=True))
    operands = tuple(with_rank(a, s) if m else a for a, m in zip(arrays, mapped, strict=True))
    stacked_template = template
    if x_mapped:
        stacked_template = (INDEX_ARRAY, *template)
        operands = (np.arange(n).reshape((n,) + (1,) * s), *operands)
    # The result: slices in front of the broadcast axes (mapped axis, then s more) when the
    # advanced entries are adjacent, else broadcast axes first; one index's result likewise.
    before, first = _advanced_first(stacked_template), _advanced_first(template)
    n_slices = len([i for i in template if isinstance(i, slice)])
    slices = [k if k < before else k + 1 + s for k in range(n_slices)]
    broadcast = list(range(before, before + 1 + s))
    order = (broadcast[0], *slices[:first], *broadcast[1:], *slices[first:])
    return stacked_template, operands, None if order == tuple(sorted(order)) else order


def _indexed(prim: Primitive, args: tuple, mapped: tuple, template: tuple) -> Any:
    """A gather at index arrays that vary along the mapped axis (or from a stack of values):
    one gather from the stack, or from the one x, and its axes put in vmap's order."""
    (x, *arrays), (x_mapped, *arrays_mapped) = args, mapped
    if not any(arrays_mapped):  # only x is a stack: its arrays become parameters again
        return gathered(x, 1, filled(template, arrays))
    n = stack_length(args, mapped)
    stacked_template, operands, order = _stacked_gather(
        template, tuple(arrays), tuple(arrays_mapped), n, x_mapped
    )
    out = indexed(x, *operands, template=stacked_template)
    return out if order is None else transpose(out, order)


def _scatter_indexed(
    prim: Primitive, args: tuple, mapped: tuple, template: tuple, x_shape: tuple
) -> Any:
    """The transpose of :func:`_indexed`: each index's g added into its own zeros of
    ``x_shape``, as one scatter into a stack of them."""
    (g, *arrays), (g_mapped, *arrays_mapped) = args, mapped
    n = stack_length(args, mapped)
    g = g if g_mapped else stacked(g, n)
    stacked_template, operands, order = _stacked_gather(
        template, tuple(arrays), tuple(arrays_mapped), n, True
    )
    if order is not None:
        g = transpose(g, tuple(int(k) for k in np.argsort(order)))
    return scatter_indexed(g, *operands, template=stacked_template, x_shape=(n, *x_shape))


def _joined(prim: Primitive, args: tuple, mapped: tuple, axis: int) -> Any:
    """concatenate and stack: the values shared by every index stacked first."""
    n = stack_length(args, mapped)
    xs = [a if m else stacked(a, n) for a, m in zip(args, mapped, strict=True)]
    rank = ndim(xs[0]) - 1 + (prim is stack)
    return prim(*xs, axis=moved_axis(axis, rank))


def _matmul(prim: Primitive, args: tuple, mapped: tuple) -> Any:
    """a @ b: a stack of vectors becomes a stack of rows (a) or columns (b), whose unit axis is
    dropped after (a shared vector b NumPy drops itself); the stacks get the batch axes of the
    product's rank."""
    (a, b), (ma, mb) = args, mapped
    row, column = ma and ndim(a) == 2, mb and ndim(b) == 2
    b_vector = example_ndim(b, mb) == 1  # the product then has no column axis left
    if row:
        a = reshape(a, (shape(a)[0], 1, shape(a)[1]))
    if column:
        b = reshape(b, (*shape(b), 1))
    rank = max(example_ndim(a, ma), example_ndim(b, mb))
    out = matmul(with_rank(a, rank) if ma else a, with_rank(b, rank) if mb else b)
    if column:
        out = getitem(out, (Ellipsis, 0))
    if row:
        out = getitem(out, (Ellipsis, 0) if b_vector else (Ellipsis, 0, slice(None)))
    return out


def _einsum(prim: Primitive, args: tuple, mapped: tuple, subscripts: str, path: tuple) -> Any:
    """A fresh label for the mapped axis, on every stack and on the output."""
    terms, output = split_subscripts(subscripts)
    z = unused_labels(subscripts)[0]
    terms = [z + t if m else t for t, m in zip(terms, mapped, strict=True)]
    return einsum(join_subscripts(terms, z + output), *args)


def stacks_of_matrices(prim: Primitive, args: tuple, mapped: tuple, **params: Any) -> Any:
    """Linear algebra, which takes stacks of matrices: shared values stacked too, and every
    stack broadcast to the same stack shape (each index's values may be stacks of matrices of
    different ranks that broadcast)."""
    n = stack_length(args, mapped)
    xs = [a if m else stacked(a, n) for a, m in zip(args, mapped, strict=True)]
    rank = max(ndim(x) - 1 for x in xs)
    xs = [with_rank(x, rank) for x in xs]
    batch = np.broadcast_shapes(*(shape(x)[:-2] for x in xs))
    xs = [x if shape(x)[:-2] == batch else broadcast_to(x, (*batch, *shape(x)[-2:])) for x in xs]
    return prim(*xs, **params)


defbatch(
    elementwise,
    ew.where,
    ew.abs,
    ew.angle,
    ew.conj,
    ew.real,
    ew.imag,
    ew.relu,
    ew.sinc_maclaurin,
    astype,
    named,
)
defbatch(_reduction, sum, reductions.max, reductions.min)
defbatch(_along_axis, reductions.cumsum, sorting.sort, fourier.fft)
defbatch(_reshape, reshape)
defbatch(_transpose, transpose)
defbatch(_broadcast_to, broadcast_to)
defbatch(_getitem, getitem)
defbatch(_scatter_add, scatter_add)
defbatch(_indexed, indexed)
defbatch(_scatter_indexed, scatter_indexed)
defbatch(_joined, concatenate, stack)
defbatch(_matmul, matmul)
defbatch(_einsum, contractions.einsum_primitive)
defbatch(
    stacks_of_matrices,
    linalg.inv,
    linalg.det,
    linalg.slogdet,
    linalg.cholesky,
    linalg.eigh,
    linalg.eigvalsh,
    linalg.svd,
    linalg.svdvals,
    linalg.solve,
    linalg.solve_triangular,
    linalg.eigvals,
    linalg.qr,
    linalg.pinv,
)
