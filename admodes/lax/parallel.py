"""JAX's collectives over the axis of a named ``vmap``: ``psum``, ``pmean``, ``pmax``, ``pmin``,
``all_gather``, ``psum_scatter``, ``all_to_all``, ``ppermute``, ``pshuffle``, ``pswapaxes``,
``axis_index`` and ``axis_size``.

Inside ``ad.vmap(f, axis_name="i")`` a value is one index's; a collective over ``"i"`` combines
the values of every index: ``psum(x, "i")`` is Σᵢ xᵢ at every index, ``all_gather(x, "i")`` the
stack of every xᵢ, ``ppermute`` sends index s's value to index d. As in JAX, a value that does
not vary along the axis counts once per index (``psum(1.0, "i")`` is the axis size).

Two primitives carry the derivatives: ``all_gather`` (its JVP gathers the tangents, its VJP is
``psum_scatter`` of the cotangent) and ``psum_scatter`` (the other way round); the other
collectives are compositions of them and :mod:`admodes.numpy`. So a gradient taken inside the
mapped function is JAX's: the transpose of ``psum`` is ``psum``, and ``vmap(grad(f),
axis_name="i")`` gives the gradient of Σᵢ f at each index, as ``grad`` of the mapped sum does.
``pmax`` and ``pmin`` are ``max`` and ``min`` of the gathered values, so they differentiate too
(with ``max``'s convention at ties), where JAX's raise.

The collectives need the single call on the whole batch: where vmap calls a function once per
index (a value's number was needed), a collective raises, naming what made it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Hashable, Sequence
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

import admodes.numpy as anp
from admodes import tree
from admodes.batching import COLLECTIVES, Mapped, MapTrace, axis_frame, varies_along
from admodes.core import dtype_of, ndim, shape
from admodes.registry import defprim

__all__ = [
    "all_gather",
    "all_to_all",
    "axis_index",
    "axis_size",
    "pmax",
    "pmean",
    "pmin",
    "ppermute",
    "pshuffle",
    "psum",
    "psum_scatter",
    "pswapaxes",
]

AxisName = Hashable
"""One axis name, or a tuple of them (the axes of nested vmaps, taken together)."""


# ---------------------------------------------------------------------------- the primitives
def _unmapped(x: Any, *, axis_name: AxisName, axis: int) -> Any:
    axis_frame(axis_name)  # an unbound name gets JAX's NameError
    raise TypeError(
        "the primitives all_gather and psum_scatter take a value that the named vmap maps; "
        "call admodes.lax.all_gather or admodes.lax.psum_scatter, which take any value"
    )


all_gather_p = defprim(
    "all_gather",
    _unmapped,
    jvps=[lambda t, ans, x, *, axis_name, axis: all_gather(t, axis_name, axis=axis)],
    vjps=[lambda g, ans, x, *, axis_name, axis: psum_scatter(g, axis_name, scatter_dimension=axis)],
    complex_flops=1,  # no FLOPs of its own (its rule's ops have them): no complex factor
)
"""Every index's value, stacked along ``axis``: one array, the same at every index."""

psum_scatter_p = defprim(
    "psum_scatter",
    _unmapped,
    jvps=[lambda t, ans, x, *, axis_name, axis: psum_scatter(t, axis_name, scatter_dimension=axis)],
    vjps=[lambda g, ans, x, *, axis_name, axis: all_gather(g, axis_name, axis=axis)],
    complex_flops=1,  # no FLOPs of its own (its rule's sum has them): no complex factor
)
"""Σ over indices of the values, of which index k keeps entry k along ``axis`` (its length is
the axis size)."""


def _all_gather_rule(trace: MapTrace, x: Mapped, *, axis_name: AxisName, axis: int) -> Any:
    """On the named vmap's values: the stack itself, its index axis moved to ``axis`` (not
    mapped: every index gets it). Under another vmap: gathered at each of its indices."""
    if axis_frame(axis_name) is trace:
        return anp.moveaxis(x.stack, 0, axis)
    return Mapped(all_gather_p(x.stack, axis_name=axis_name, axis=axis + 1), trace)


def _psum_scatter_rule(trace: MapTrace, x: Mapped, *, axis_name: AxisName, axis: int) -> Any:
    """On the named vmap's values: the sum of the stack, whose entry k along ``axis`` is index
    k's (mapped). Under another vmap: scattered at each of its indices."""
    if axis_frame(axis_name) is trace:
        return Mapped(anp.moveaxis(anp.sum(x.stack, axis=0), axis, 0), trace)
    return Mapped(psum_scatter_p(x.stack, axis_name=axis_name, axis=axis + 1), trace)


COLLECTIVES[all_gather_p] = _all_gather_rule
COLLECTIVES[psum_scatter_p] = _psum_scatter_rule


# ---------------------------------------------------------------------------- the collectives
def _names(axis_name: AxisName) -> tuple:
    return axis_name if isinstance(axis_name, tuple) else (axis_name,)


def _no_groups(axis_index_groups: Any) -> None:
    if axis_index_groups is not None:
        raise NotImplementedError(
            "axis_index_groups is not supported (JAX's vmap refuses it too): gather with "
            "all_gather and combine the groups' values with admodes.numpy"
        )


def _one_name(axis_name: AxisName, fn: str) -> MapTrace:
    if isinstance(axis_name, tuple):
        raise NotImplementedError(
            f"{fn} over several axes at once: call it once per axis name, innermost first"
        )
    return axis_frame(axis_name)


def _over_each_name(
    x: Any, axis_name: AxisName, combine: Callable[[Any, MapTrace, AxisName], Any]
) -> Any:
    """``combine(leaf, trace, name)`` on every leaf of ``x``, for each axis name in turn."""
    for name in _names(axis_name):
        trace = axis_frame(name)
        x = tree.map(lambda leaf, trace=trace, name=name: combine(leaf, trace, name), x)
    return x


def axis_size(axis_name: AxisName) -> int:
    """The length of the named axis (the product of the lengths, for a tuple of names)."""
    return math.prod(axis_frame(name).size for name in _names(axis_name))


def axis_index(axis_name: AxisName) -> Any:
    """Each index's position along the named axis (int32); for a tuple of names, the position
    in their product, the first name's axis outermost."""
    index: Any = 0
    for name in _names(axis_name):
        trace = axis_frame(name)
        index = index * trace.size + Mapped(np.arange(trace.size, dtype=np.int32), trace)
    return index


def _reduced(
    x: Any,
    axis_name: AxisName,
    axis_index_groups: Any,
    reduce: Callable[..., Any],
    unvaried: Callable[[Any, int], Any],
) -> Any:
    """``reduce(·, axis=0)`` of the gathered values of every leaf of ``x``, over each axis name
    in turn; ``unvaried(leaf, n)`` for a leaf that does not vary along an axis of size n."""
    _no_groups(axis_index_groups)

    def reduced(leaf: Any, trace: MapTrace, name: AxisName) -> Any:
        if varies_along(leaf, trace):
            return reduce(all_gather_p(leaf, axis_name=name, axis=0), axis=0)
        return unvaried(leaf, trace.size)

    return _over_each_name(x, axis_name, reduced)


def psum(x: Any, axis_name: AxisName, *, axis_index_groups: Any = None) -> Any:
    """Σ over the named axis of every leaf of ``x``, at every index; a value that does not vary
    along the axis counts once per index (times the axis size)."""
    return _reduced(x, axis_name, axis_index_groups, anp.sum, lambda leaf, n: leaf * n)


def pmean(x: Any, axis_name: AxisName, *, axis_index_groups: Any = None) -> Any:
    """The mean over the named axis of every leaf of ``x``, at every index."""
    n = axis_size(axis_name)
    return tree.map(lambda leaf: leaf / n, psum(x, axis_name, axis_index_groups=axis_index_groups))


def pmax(x: Any, axis_name: AxisName, *, axis_index_groups: Any = None) -> Any:
    """The maximum over the named axis of every leaf of ``x``, at every index."""
    return _reduced(x, axis_name, axis_index_groups, anp.max, lambda leaf, n: leaf)


def pmin(x: Any, axis_name: AxisName, *, axis_index_groups: Any = None) -> Any:
    """The minimum over the named axis of every leaf of ``x``, at every index."""
    return _reduced(x, axis_name, axis_index_groups, anp.min, lambda leaf, n: leaf)


def all_gather(
    x: Any,
    axis_name: AxisName,
    *,
    axis_index_groups: Any = None,
    axis: int = 0,
    tiled: bool = False,
) -> Any:
    """Every index's value of each leaf of ``x``, stacked along a new axis ``axis`` (with
    ``tiled``, joined along the existing axis ``axis``), at every index."""
    _no_groups(axis_index_groups)
    trace = _one_name(axis_name, "all_gather")

    def gathered(leaf: Any) -> Any:
        a = normalize_axis_index(axis, ndim(leaf) if tiled else ndim(leaf) + 1)
        if varies_along(leaf, trace):
            out = all_gather_p(leaf, axis_name=axis_name, axis=a)
        else:
            out = anp.broadcast_to(anp.expand_dims(leaf, a), _with_length(shape(leaf), a, trace))
        if tiled:
            s = shape(leaf)
            out = anp.reshape(out, (*s[:a], trace.size * s[a], *s[a + 1 :]))
        return out

    return tree.map(gathered, x)


def _with_length(s: tuple[int, ...], a: int, trace: MapTrace) -> tuple[int, ...]:
    return (*s[:a], trace.size, *s[a:])


def psum_scatter(
    x: Any,
    axis_name: AxisName,
    *,
    scatter_dimension: int = 0,
    axis_index_groups: Any = None,
    tiled: bool = False,
) -> Any:
    """Σ over the named axis of each leaf of ``x``, of which index k keeps entry k along
    ``scatter_dimension`` (whose length must be the axis size); with ``tiled``, the k-th of
    the axis-size equal blocks along it."""
    _no_groups(axis_index_groups)
    trace = _one_name(axis_name, "psum_scatter")
    n = trace.size

    def scattered(leaf: Any) -> Any:
        d = normalize_axis_index(scatter_dimension, ndim(leaf))
        leaf = _in_chunks(leaf, d, trace, tiled, f"psum_scatter: scatter_dimension {d}")
        if varies_along(leaf, trace):
            return psum_scatter_p(leaf, axis_name=axis_name, axis=d)
        return anp.take(leaf, axis_index(axis_name), axis=d) * n

    return tree.map(scattered, x)


def _in_chunks(x: Any, axis: int, trace: MapTrace, tiled: bool, what: str) -> Any:
    """``x``, whose ``axis`` holds one entry per index of the named axis (checked), or with
    ``tiled`` one block per index (checked, and split: an axis of the axis size ahead of the
    blocks' own)."""
    s, n = shape(x), trace.size
    if (s[axis] % n if tiled else s[axis] != n) != 0:
        raise ValueError(
            f"{what} has length {s[axis]}, which must "
            f"{'be a multiple of' if tiled else 'equal'} the size {n} of axis {trace.name!r}"
        )
    return anp.reshape(x, (*s[:axis], n, s[axis] // n, *s[axis + 1 :])) if tiled else x


def ppermute(x: Any, axis_name: AxisName, perm: Sequence[tuple[int, int]]) -> Any:
    """Each leaf of ``x`` sent along the named axis by ``perm``'s (source, destination) pairs:
    index d gets index s's value; an index that is no destination gets zeros."""
    trace = _one_name(axis_name, "ppermute")
    source = _sources(perm, trace.size)
    received = source >= 0
    at = Mapped(np.where(received, source, 0), trace)

    def moved(leaf: Any) -> Any:
        out = leaf
        if varies_along(leaf, trace):
            out = anp.take(all_gather_p(leaf, axis_name=axis_name, axis=0), at, axis=0)
        if received.all():
            return out
        return out * Mapped(received.astype(dtype_of(leaf)), trace)

    return tree.map(moved, x)


def _sources(perm: Sequence[tuple[int, int]], n: int) -> np.ndarray:
    """The source of each destination index of ``perm`` (-1 for none), after checking it."""
    source = np.full(n, -1)
    pairs = [tuple(pair) for pair in perm]
    for pair in pairs:
        if len(pair) != 2 or not all(0 <= int(k) < n for k in pair):
            raise ValueError(
                f"ppermute: perm must be (source, destination) pairs of indices in [0, {n}), "
                f"got {pair!r}"
            )
    sources, destinations = [int(s) for s, _ in pairs], [int(d) for _, d in pairs]
    if len(set(sources)) != len(sources) or len(set(destinations)) != len(destinations):
        raise ValueError(
            f"ppermute: perm {pairs} sends from an index twice or to an index twice; each "
            "index may be a source once and a destination once"
        )
    source[destinations] = sources
    return source


def pshuffle(x: Any, axis_name: AxisName, perm: Sequence[int]) -> Any:
    """Each leaf of ``x`` shuffled along the named axis: index i gets index perm[i]'s value."""
    return ppermute(x, axis_name, [(int(source), i) for i, source in enumerate(perm)])


def all_to_all(
    x: Any,
    axis_name: AxisName,
    split_axis: int,
    concat_axis: int,
    *,
    axis_index_groups: Any = None,
    tiled: bool = False,
) -> Any:
    """Each leaf of ``x`` split along ``split_axis`` (its length the axis size; with ``tiled``, a
    multiple of it) into one chunk per index, chunk j sent to index j, and the chunks received
    stacked along a new axis ``concat_axis`` in index order (``tiled``: joined along it)."""
    _no_groups(axis_index_groups)
    trace = _one_name(axis_name, "all_to_all")
    n = trace.size

    def exchanged(leaf: Any) -> Any:
        split = normalize_axis_index(split_axis, ndim(leaf))
        concat = normalize_axis_index(concat_axis, ndim(leaf))
        leaf = _in_chunks(leaf, split, trace, tiled, f"all_to_all: split_axis {split}")
        # Every index's value (one array), at each index j its chunks j, index i's first.
        chunks = anp.take(all_gather(leaf, axis_name), axis_index(axis_name), axis=split + 1)
        out = anp.moveaxis(chunks, 0, concat)
        if tiled:  # join the senders' axis with the chunks' own along concat_axis
            rest = list(shape(out))
            rest[concat : concat + 2] = [n * rest[concat + 1]]
            out = anp.reshape(out, tuple(rest))
        return out

    return tree.map(exchanged, x)


def pswapaxes(x: Any, axis_name: AxisName, axis: int, *, axis_index_groups: Any = None) -> Any:
    """The named axis swapped with the axis ``axis`` of each leaf of ``x`` (whose length is the
    axis size): index j gets entry j of every index's value."""
    return all_to_all(x, axis_name, axis, axis, axis_index_groups=axis_index_groups)
