"""Sorting, order statistics and searching in ``admodes.numpy``.

``sort`` is a primitive; its derivative permutes, as JAX's: each entry keeps its own derivative in
its sorted place, ties in their original order (a stable sort). ``partition`` sorts (a valid
partition), and ``median``, ``quantile``, ``percentile``, their ``nan*`` forms and ``unique``
gather from the value by an order computed on the primal, so their derivatives follow the entries
they pick: ``median`` of an even count gives ½ to each middle entry, ``quantile`` splits between
the two neighbours in the ratio of the linear interpolation, and a tied order statistic goes to
the entry a stable sort puts there.

``argsort``, ``argpartition``, ``searchsorted``, ``nonzero`` and the indices ``unique`` returns
look at primals and give plain integer arrays.
"""

from __future__ import annotations

import builtins
from typing import Any, NamedTuple

import numpy as _np

from admodes.batching import holds_numbers, is_mapped
from admodes.core import Traced, dtype_of, held, ndim, numbers, plain, shape, size
from admodes.core import size as size_of  # where JAX's size= keyword hides it
from admodes.numpy._creation import linspace
from admodes.numpy._functions import (
    _axes,
    _plain_fn,
    abs,
    add,
    array_operand,
    asarray,
    astype,
    concatenate,
    divide,
    flip,
    getitem,
    max,
    min,
    multiply,
    no_out,
    ravel,
    reshape,
    sized_indices,
    subtract,
    sum,
    transpose,
    where,
)
from admodes.numpy._reductions import (
    Axis,
    bincount,
    diff,
    float_dtype,
    inexact,
    nan_mask,
    replaced,
)
from admodes.numpy._shapes import atleast_2d, moveaxis, sized, take
from admodes.rules import sorting as _sorting
from admodes.rules.broadcasting import keepdims_shape
from admodes.rules.elementwise import is_complex, remainder
from admodes.rules.shape import along_axis

argpartition = _plain_fn(_np.argpartition)
#: The algorithms JAX's ``method=`` may name: they differ in speed on accelerators, not in result.
SEARCH_METHODS = {
    "searchsorted": ("scan", "scan_unrolled", "sort", "compare_all"),
    "digitize": (None, "scan", "scan_unrolled", "sort", "compare_all"),
    "isin": ("auto", "compare_all", "binary_search", "sort"),
}


def _checked_method(name: str, method: Any) -> None:
    if method not in SEARCH_METHODS[name]:
        raise ValueError(
            f"{name}: method must be one of {SEARCH_METHODS[name]} (as JAX's), got {method!r}"
        )


def _searchsorted(
    a: _np.ndarray, v: Any, side: str = "left", sorter: Any = None, *, method: str = "scan"
) -> _np.ndarray:
    """NumPy's searchsorted; JAX's ``method`` is checked and has no other effect."""
    _checked_method("searchsorted", method)
    return _np.searchsorted(a, v, side, sorter)


def _digitize(x: Any, bins: Any, right: bool = False, *, method: str | None = None) -> Any:
    """NumPy's digitize; JAX's ``method`` is checked and has no other effect."""
    _checked_method("digitize", method)
    return _np.digitize(x, bins, right)


searchsorted = _plain_fn(_searchsorted)
digitize = _plain_fn(_digitize)


def _argsort(
    a: _np.ndarray,
    axis: int | None = -1,
    kind: str | None = None,
    order: None = None,
    *,
    stable: bool = True,
    descending: bool = False,
) -> _np.ndarray:
    """NumPy's argsort (a stable sort by default, as JAX's), and JAX's ``descending``: the
    order of a sort from the largest entry, tied entries in their original order (JAX sorts the
    reversed array and reverses the indices)."""
    if order is not None:
        raise TypeError("argsort: order= (structured arrays) is not supported")
    kind = kind if kind is not None else ("stable" if stable else None)
    if axis is None:
        a, axis = _np.ravel(a), 0
    if not descending:
        return _np.argsort(a, axis=axis, kind=kind)
    n = _np.shape(a)[axis]
    return _np.flip(n - 1 - _np.argsort(_np.flip(a, axis), axis=axis, kind=kind), axis)


def _nonzero(a: _np.ndarray, *, size: int | None = None, fill_value: Any = None) -> tuple:
    """NumPy's nonzero, and JAX's ``size`` and ``fill_value`` (:func:`sized_indices`)."""
    return sized_indices(_np.nonzero(a), size, fill_value)


def _flatnonzero(a: _np.ndarray, *, size: int | None = None, fill_value: Any = None) -> Any:
    """The indices of the flattened a's nonzero entries (JAX's ``size`` and ``fill_value``)."""
    return _nonzero(_np.ravel(a), size=size, fill_value=fill_value)[0]


def _argwhere(a: _np.ndarray, *, size: int | None = None, fill_value: Any = None) -> Any:
    """One row of indices per nonzero entry (JAX's ``size`` and ``fill_value``: rows)."""
    if size is None or _np.ndim(a) == 0:
        return _np.argwhere(a)[: size if size is not None else None]
    return _np.stack(_nonzero(a, size=size, fill_value=fill_value), axis=-1)


argsort, nonzero, flatnonzero, argwhere = (
    _plain_fn(fn) for fn in (_argsort, _nonzero, _flatnonzero, _argwhere)
)


def sort(
    a: Any,
    axis: int | None = -1,
    kind: str | None = None,
    order: None = None,
    *,
    stable: Any = None,
    descending: bool = False,
) -> Any:
    """a sorted along ``axis`` (None: flattened), in ascending order or, ``descending``, the
    reverse of it (JAX's, so tied entries come in reverse order). Always a stable sort, whatever
    ``kind``: the values are the same, and the derivative sends ties to their entries in order."""
    if order is not None:
        raise TypeError("sort: order= (structured arrays) is not supported")
    if axis is None:
        a, axis = ravel(a), -1
    ax = _axes(axis, ndim(a))[0]
    ascending = _sorting.sort(a, axis=ax)
    return flip(ascending, ax) if descending else ascending


def partition(
    a: Any, kth: Any, axis: int | None = -1, kind: str = "introselect", order: None = None
) -> Any:
    """a with the entry at each ``kth`` position the one a sort puts there, smaller ones before
    it and larger ones after. NumPy leaves the order within each side unspecified; admodes
    returns it sorted (a stable sort), so a tied entry's derivative goes where ``sort`` sends it,
    as JAX's for the ``kth`` entry."""
    if order is not None:
        raise TypeError("partition: order= (structured arrays) is not supported")
    n = size(a) if axis is None else shape(a)[axis]
    if not _np.all((-n <= _np.asarray(kth)) & (_np.asarray(kth) < n)):
        raise ValueError(f"partition: kth={kth} is out of bounds for length {n}")
    return sort(a, axis)


# ------------------------------------------------------------------------------ order statistics
_METHODS = ("linear", "lower", "higher", "midpoint", "nearest")


def quantile(
    a: Any,
    q: Any,
    axis: Axis = None,
    out: None = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
) -> Any:
    """The ``q``-th quantiles (0 ≤ q ≤ 1) over ``axis``, of shape ``q.shape`` + the reduced
    shape. ``method="linear"`` (NumPy's default): (1 − f)·s[i] + f·s[i+1] at the virtual index
    i + f = q·(n − 1) of the sorted values s; also ``"lower"``, ``"higher"``, ``"midpoint"``,
    ``"nearest"`` (JAX's: s[i] where f ≤ ½, so a tie takes the lower; NumPy's rounds i + f half
    to even). NaN
    wherever a NaN is among the reduced entries."""
    no_out(out)
    return _quantile(a, q, axis, method, keepdims, skip_nans=False)


def nanquantile(
    a: Any,
    q: Any,
    axis: Axis = None,
    out: None = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
) -> Any:
    """``quantile`` of the entries that are not NaN, as JAX computes it: the NaNs sorted last, n
    the count of the others, the virtual index q·(n − 1) clipped to [0, n − 1]; NaN where every
    entry is. NaN entries are constants (no derivative)."""
    no_out(out)
    return _quantile(a, q, axis, method, keepdims, skip_nans=True)


def _quantile(a: Any, q: Any, axis: Axis, method: str, keepdims: bool, skip_nans: bool) -> Any:
    """The quantiles of ``quantile`` (``skip_nans``: of ``nanquantile``), gathered from each line
    of sorted values at its own virtual indices."""
    name = "nanquantile" if skip_nans else "quantile"
    if isinstance(q, Traced) and not holds_numbers(q):
        raise TypeError(
            f"{name}: q must be a plain number or array (derivatives with respect to q are not "
            "supported); use `admodes.stop_gradient(q)`."
        )
    if method not in _METHODS:
        raise ValueError(f"{name}: method={method!r} is not supported; use one of {_METHODS}")
    if holds_numbers(q):  # levels that vary per index of a vmap: numbers, read at every index
        dtype = _np.result_type(float_dtype(a), dtype_of(q))
        qs = astype(q, dtype)
    else:
        dtype = _np.result_type(float_dtype(a), q if isinstance(q, int | float) else _np.asarray(q))
        qs = _np.asarray(q, dtype=dtype)
    if _np.any((held(qs) < 0) | (held(qs) > 1)):  # at any index
        raise ValueError("Quantiles must be in the range [0, 1]")
    a = asarray(a)
    axes = _axes(axis, ndim(a))
    lines = _lines(a, axes)
    lead = shape(lines)[:-1]
    if skip_nans:  # NaNs as constants (JAX's select): they get no derivative
        missing = nan_mask(lines)
        lines = replaced(missing, _np.nan, lines)
        counts = _np.sum(~missing, axis=-1).reshape(lead + (1,) * qs.ndim)
    else:
        counts = _np.full(lead + (1,) * qs.ndim, shape(lines)[-1])
    s = _sorting.sort(lines, axis=-1)  # NaNs last, in their order
    position = qs * (counts - 1)  # lead + q.shape
    floor = _np.floor(position)
    low, high = (
        _at(s, _np.minimum(_np.maximum(index, 0), _np.maximum(counts - 1, 0)))
        for index in (floor, _np.ceil(position))
    )
    if method == "linear":
        fraction = (position - floor).astype(dtype)
        result = add(multiply(low, 1 - fraction), multiply(high, fraction))
    elif method == "midpoint":  # added in the result's float dtype: integers must not wrap
        result = multiply(add(astype(low, dtype), astype(high, dtype)), 0.5)
    elif method == "nearest":  # JAX's: the lower one at a tie (NumPy's rounds half to even)
        result = where(position - floor <= 0.5, low, high)
    else:  # a sorted value, in the value's own dtype (NumPy's)
        result = low if method == "lower" else high
    if qs.ndim:  # NumPy puts the quantiles' axes first
        result = moveaxis(result, tuple(range(-qs.ndim, 0)), tuple(range(qs.ndim)))
    if keepdims:
        result = reshape(result, qs.shape + keepdims_shape(shape(a), axes))
    if skip_nans:
        return result
    nans = _np.any(nan_mask(a), axis=axes, keepdims=keepdims)
    if not is_mapped(nans) and not nans.any():
        return result
    result = where(nans, _np.nan, result)
    return result[()] if ndim(result) == 0 else result  # a scalar, as NumPy's


def _at(s: Any, index: Any) -> Any:
    """The entries of each line (last axis) of ``s`` at ``index`` (whole numbers, as floats), of
    shape ``s``'s lines + the quantiles' shape: s[..., index[..., j]] for every quantile j."""
    lead = shape(s)[:-1]
    index = astype(index, _np.dtype(int))  # per index of a vmap too (numbers)
    flat = index.reshape((*lead, -1))
    picked = getitem(s, along_axis(flat, -1, (*lead, flat.shape[-1])))
    return getitem(picked, 0) if index.ndim == 0 else reshape(picked, index.shape)


def _lines(a: Any, axes: tuple[int, ...]) -> Any:
    """a with the ``axes`` to reduce moved last and merged into one."""
    nd = ndim(a)
    kept = tuple(k for k in range(-nd, 0) if k not in axes)
    a = transpose(a, tuple(nd + k for k in kept + axes))
    return reshape(a, (*shape(a)[: len(kept)], -1))


def percentile(
    a: Any,
    q: Any,
    axis: Axis = None,
    out: None = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
) -> Any:
    """``quantile`` at q / 100."""
    return quantile(a, _hundredths(q), axis, out, overwrite_input, method, keepdims)


def nanpercentile(
    a: Any,
    q: Any,
    axis: Axis = None,
    out: None = None,
    overwrite_input: bool = False,
    method: str = "linear",
    keepdims: bool = False,
) -> Any:
    """``nanquantile`` at q / 100."""
    return nanquantile(a, _hundredths(q), axis, out, overwrite_input, method, keepdims)


def _hundredths(q: Any) -> Any:
    """q / 100, a Python float for a Python number (weak, so float32 data keeps its dtype, as
    NumPy's percentile)."""
    return q / 100 if isinstance(q, int | float) else _np.true_divide(q, 100)


def median(
    a: Any,
    axis: Axis = None,
    out: None = None,
    overwrite_input: bool = False,
    keepdims: bool = False,
) -> Any:
    """The middle of the sorted values over ``axis``: the mean of the two middle ones for an
    even count (½ of the derivative to each), as JAX's ``midpoint`` quantile at ½."""
    return quantile(a, 0.5, axis, out, overwrite_input, "midpoint", keepdims)


def nanmedian(
    a: Any,
    axis: Axis = None,
    out: None = None,
    overwrite_input: bool = False,
    keepdims: bool = False,
) -> Any:
    """``median`` of the entries that are not NaN (JAX's ``midpoint`` nanquantile at ½)."""
    return nanquantile(a, 0.5, axis, out, overwrite_input, "midpoint", keepdims)


# ------------------------------------------------------------------------------ unique
def unique(
    ar: Any,
    return_index: bool = False,
    return_inverse: bool = False,
    return_counts: bool = False,
    axis: int | None = None,
    *,
    equal_nan: bool = True,
    size: int | None = None,
    fill_value: Any = None,
    sorted: bool = True,
) -> Any:
    """NumPy's ``unique``: the sorted distinct values (differentiable: each is gathered from its
    first occurrence, as JAX's), and optionally the plain index, inverse and count arrays.

    JAX's ``size`` gives exactly that many values: the first ``size``, or all of them followed
    by ``fill_value`` (by default the first, smallest, value again, gathered from its entry);
    the index array is cut or padded with the first value's index, the counts with 0.
    ``sorted`` is JAX's, which does not use it either."""
    found = list(
        _np.unique(
            plain(ar),
            return_index=True,
            return_inverse=return_inverse,
            return_counts=return_counts,
            axis=axis,
            equal_nan=equal_nan,
        )
    )
    first, distinct = found[1], len(found[1])
    if size is not None:
        if not distinct and size:
            raise ValueError("unique: size= pads with the first value, but ar has none")
        (found[1],) = sized_indices((first,), size, first[0] if distinct else 0)
        if return_counts:
            (found[-1],) = sized_indices((found[-1],), size, 0)
    values = take(ar, first, axis=axis)
    if size is not None:
        padding = take(ar, first[:1], axis=axis) if fill_value is None else fill_value
        values = sized(values, size, padding, 0 if axis is None else axis)
    extras = found[1:] if return_index else found[2:]
    return (values, *extras) if extras else values


class UniqueAllResult(NamedTuple):
    values: Any
    indices: Any
    inverse_indices: Any
    counts: Any


class UniqueCountsResult(NamedTuple):
    values: Any
    counts: Any


class UniqueInverseResult(NamedTuple):
    values: Any
    inverse_indices: Any


def _unique_result(result: type, x: Any, size: int | None, fill_value: Any) -> Any:
    """The ``result`` (NumPy's fields) of one :func:`unique` of x (NaNs distinct): values gathered
    from x, with JAX's ``size`` and ``fill_value``; the inverse of x's shape."""
    values, indices, inverse, counts = unique(
        x, True, True, True, equal_nan=False, size=size, fill_value=fill_value
    )
    found = {"values": values, "indices": indices, "inverse_indices": inverse, "counts": counts}
    return result(*(found[name] for name in result._fields))


def unique_values(x: Any, /, *, size: int | None = None, fill_value: Any = None) -> Any:
    """The sorted distinct values of x (NaNs distinct), as :func:`unique`."""
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)


def unique_counts(x: Any, /, *, size: int | None = None, fill_value: Any = None) -> Any:
    """``(values, counts)``, as :func:`unique` (NaNs distinct)."""
    return _unique_result(UniqueCountsResult, x, size, fill_value)


def unique_inverse(x: Any, /, *, size: int | None = None, fill_value: Any = None) -> Any:
    """``(values, inverse_indices)``, as :func:`unique` (NaNs distinct; the inverse of x's
    shape)."""
    return _unique_result(UniqueInverseResult, x, size, fill_value)


def unique_all(x: Any, /, *, size: int | None = None, fill_value: Any = None) -> Any:
    """``(values, indices, inverse_indices, counts)``, as :func:`unique` (NaNs distinct)."""
    return _unique_result(UniqueAllResult, x, size, fill_value)


# ------------------------------------------------------------------------------ searching
def _isin(
    element: Any,
    test_elements: Any,
    assume_unique: bool = False,
    invert: bool = False,
    *,
    method: str = "auto",
) -> Any:
    _checked_method("isin", method)
    return _np.isin(element, test_elements, assume_unique, invert)


isin = _plain_fn(_isin)
lexsort = _plain_fn(_np.lexsort)
isin.__doc__ = "Whether each entry of ``element`` is in ``test_elements``, on plain values (bool)."


# ----------------------------------------------------------------------------- set operations
# NumPy's values, each gathered from the entry JAX's set operations (with ``size``) take it from:
# an array's first occurrence of it, the first array's before the second's.


def _distinct(x: Any, assume_unique: bool) -> Any:
    """Positions in ravel(x) of its distinct values' first occurrences, in sorted order (every
    position when ``assume_unique``)."""
    flat = _np.ravel(plain(x))
    return _np.arange(flat.size) if assume_unique else _np.unique(flat, return_index=True)[1]


def _both(ar1: Any, ar2: Any) -> Any:
    """ravel(ar1) then ravel(ar2), the one array the set operations gather from."""
    return concatenate((ravel(ar1), ravel(ar2)))


def union1d(ar1: Any, ar2: Any, *, size: int | None = None, fill_value: Any = None) -> Any:
    """The sorted values in either array: unique of both, gathered from first occurrences (JAX's
    ``size`` as :func:`unique`'s)."""
    return unique(_both(ar1, ar2), size=size, fill_value=fill_value)


def intersect1d(
    ar1: Any,
    ar2: Any,
    assume_unique: bool = False,
    return_indices: bool = False,
    *,
    size: int | None = None,
    fill_value: Any = None,
) -> Any:
    """The sorted values in both arrays, gathered from ar1; with ``return_indices``, NumPy's
    plain positions of them in ar1 and in ar2. JAX's ``size`` pads the values with
    ``fill_value`` (by default their smallest), the positions with the arrays' sizes."""
    found = _np.intersect1d(plain(ar1), plain(ar2), assume_unique, return_indices=True)
    values = take(_both(ar1, ar2), found[1])  # NumPy's positions, in ar1 when it is unique
    values = sized(values, size, _smallest(values) if fill_value is None else fill_value)
    if not return_indices:
        return values
    return (values, *sized_indices(found[1:], size, (size_of(ar1), size_of(ar2))))


def _smallest(values: Any) -> Any:
    """JAX's padding of a set operation's sorted values: the smallest, 0 for none."""
    return getitem(values, 0) if size_of(values) else 0


def setdiff1d(
    ar1: Any,
    ar2: Any,
    assume_unique: bool = False,
    *,
    size: int | None = None,
    fill_value: Any = None,
) -> Any:
    """The sorted values of ar1 not in ar2 (in ar1's order when ``assume_unique``), gathered
    from ar1; JAX's ``size`` pads them with ``fill_value``, 0 by default."""
    positions = _distinct(ar1, assume_unique)
    kept = ~_np.isin(_np.ravel(plain(ar1))[positions], plain(ar2), assume_unique=assume_unique)
    values = take(ravel(ar1), positions[kept])
    return sized(values, size, 0 if fill_value is None else fill_value)


def setxor1d(
    ar1: Any,
    ar2: Any,
    assume_unique: bool = False,
    *,
    size: int | None = None,
    fill_value: Any = None,
) -> Any:
    """The sorted values in exactly one of the arrays, each gathered from where it occurs; JAX's
    ``size`` pads them with ``fill_value``, by default their smallest."""
    first = _distinct(ar1, assume_unique)
    positions = _np.concatenate((first, _distinct(ar2, assume_unique) + size_of(ar1)))
    both = _both(ar1, ar2)
    values = _np.asarray(plain(both))[positions]
    order = _np.argsort(values, kind="stable")
    ordered = values[order]
    single = _np.concatenate(([True], ordered[1:] != ordered[:-1], [True]))
    found = take(both, positions[order][single[1:] & single[:-1]])
    return sized(found, size, _smallest(found) if fill_value is None else fill_value)


# --------------------------------------------------------------------------------- histograms
def histogram_bin_edges(a: Any, bins: Any = 10, range: Any = None, weights: Any = None) -> Any:
    """NumPy's bin edges, differentiable as JAX's: given edges (a one-dimensional ``bins``) as
    they are; otherwise ``bins`` equal bins (a count, or NumPy's rule named by a string) over
    ``range`` (default [min a, max a], widened by ½ each side where the two are equal):
    linspace(lo, hi, bins + 1), differentiable in a (through its min and max) and in range."""
    if weights is not None and shape(weights) != shape(a):
        raise ValueError(f"histogram: weights must have a's shape {shape(a)}, got {shape(weights)}")
    if isinstance(bins, list | tuple):
        bins = asarray(bins)
    if ndim(bins) == 1:
        if _np.any(_np.diff(plain(bins)) < 0):
            raise ValueError("histogram: bins must increase monotonically")
        return asarray(bins)
    if isinstance(bins, str):  # NumPy's rule gives the count; the edges are the count's
        bins = _np.histogram_bin_edges(plain(a), bins, _plain_range(range), plain(weights)).size - 1
    if ndim(bins) != 0 or _np.asarray(bins).dtype.kind not in "iu" or bins < 1:
        raise ValueError(
            f"histogram: bins must be a positive integer, a string or a 1-D array of edges, got "
            f"{bins!r}"
        )
    lo, hi = _outer_edges(a, range)
    dtype = _np.result_type(plain(lo), plain(hi), dtype_of(a))  # Python floats weak, as NumPy
    edges = linspace(lo, hi, int(bins) + 1, dtype=dtype if dtype.kind in "fc" else float)
    return edges if isinstance(edges, Traced) else _np.asarray(edges)  # NumPy's type, not Array


def _plain_range(range: Any) -> Any:
    return None if range is None else tuple(plain(r) for r in range)


def _outer_edges(a: Any, range: Any) -> tuple[Any, Any]:
    """The first and last edge of equal bins, as NumPy chooses them."""
    if range is not None:
        lo, hi = range
        what = "the range given"
    elif size(a) == 0:
        lo, hi, what = 0.0, 1.0, "the empty array's range"
    else:
        lo, hi, what = min(a), max(a), "the range of a"
    p_lo, p_hi = plain(lo), plain(hi)
    if not (_np.isfinite(p_lo) and _np.isfinite(p_hi)):
        raise ValueError(
            f"histogram: {what}, [{p_lo}, {p_hi}], is not finite; pass a finite range=(lo, hi)"
        )
    if p_lo > p_hi:
        raise ValueError(f"histogram: range=({p_lo}, {p_hi}) must have lo <= hi")
    if p_lo == p_hi:
        return subtract(lo, 0.5), add(hi, 0.5)
    return lo, hi


def histogram(
    a: Any, bins: Any = 10, range: Any = None, density: bool | None = None, weights: Any = None
) -> Any:
    """NumPy's ``(hist, bin_edges)``: bin i holds the entries of a with eᵢ ≤ a < eᵢ₊₁ (the last
    bin also a = its right edge; entries outside the edges are left out). ``hist`` counts them
    (plain integers), or sums their ``weights`` (differentiable in the weights, as JAX's);
    ``density`` divides by the bin widths and the total, differentiable in the edges too. The
    edges: :func:`histogram_bin_edges`."""
    edges = histogram_bin_edges(a, bins, range, weights)
    places = plain(edges)
    bin_of = _bin_of(_np.ravel(plain(a)), places)
    counted = bincount(bin_of, None if weights is None else ravel(weights), length=places.size)
    hist = getitem(counted, slice(1, None))
    if density:
        hist = divide(divide(hist, diff(edges)), sum(hist))
    return hist, edges


def _bin_of(values: _np.ndarray, places: _np.ndarray) -> _np.ndarray:
    """The bin of each value between the edges ``places``: i for eᵢ₋₁ ≤ value < eᵢ (the last
    edge itself in the last bin, len(places) − 1); 0 below the first edge, len(places) above
    the last (and NaN)."""
    bin_of = _np.searchsorted(places, values, side="right")
    bin_of[values == places[-1]] = places.size - 1
    return bin_of


def histogramdd(
    sample: Any, bins: Any = 10, range: Any = None, density: bool | None = None,
    weights: Any = None,
) -> Any:  # fmt: skip
    """NumPy's ``(hist, edges)`` of D-dimensional points: ``sample`` of shape (N, D), or a
    sequence of D coordinate arrays. Each dimension's edges are :func:`histogram_bin_edges`'
    (``bins``: one count or array of edges for every dimension, or one per dimension; ``range``:
    None or one (lo, hi) or None per dimension), differentiable as JAX's in the range or the
    data's min and max. Bin (i, j, …) holds the points inside each dimension's bin, as in
    :func:`histogram`; ``hist`` counts them or sums their ``weights`` (differentiable in the
    weights), in float64 as NumPy's; ``density`` divides by each dimension's bin widths and the
    total, differentiable in the edges too."""
    if not hasattr(sample, "shape") or ndim(sample) != 2:  # NumPy: a sequence of coordinates
        sample = transpose(atleast_2d(asarray(sample)))
    dims = shape(sample)[1]
    if weights is not None:
        weights = asarray(weights)
        if is_complex(weights):
            raise TypeError("histogramdd: weights must be real, as NumPy's bincount takes them")
    if isinstance(bins, str):
        raise TypeError(
            f"histogramdd: bins={bins!r}: rules named by a string are for histogram; give a "
            "count or an array of edges, one for every dimension or one per dimension"
        )
    try:
        per_dimension = list(bins)
    except TypeError:  # one count for every dimension
        per_dimension = [bins] * dims
    if len(per_dimension) != dims:
        raise ValueError(
            f"histogramdd: {len(per_dimension)} bins for {dims}-dimensional points; give one "
            "count or array of edges per dimension"
        )
    if range is None:
        range = (None,) * dims
    elif len(range) != dims:
        raise ValueError(
            f"histogramdd: range has {len(range)} entries for {dims}-dimensional points; give "
            "one (lo, hi) or None per dimension"
        )
    coordinates = [getitem(sample, (slice(None), i)) for i in builtins.range(dims)]
    edges = [
        histogram_bin_edges(c, array_operand(b), r, weights)
        for c, b, r in zip(coordinates, per_dimension, range, strict=True)
    ]
    places = [plain(e) for e in edges]
    counts = tuple(p.size + 1 for p in places)  # with the bins below and above
    cell = _np.ravel_multi_index(
        [_bin_of(_np.asarray(plain(c)), p) for c, p in zip(coordinates, places, strict=True)],
        counts,
    )
    weights = None if weights is None else astype(ravel(weights), float)  # NumPy sums in float64
    counted = bincount(cell, weights, length=int(_np.prod(counts)))
    hist = getitem(reshape(astype(counted, float), counts), (slice(1, -1),) * dims)
    if density:
        total = sum(hist)
        for i, e in enumerate(edges):
            hist = divide(
                hist, reshape(diff(e), [-1 if k == i else 1 for k in builtins.range(dims)])
            )
        hist = divide(hist, total)
    return hist, edges


def histogram2d(
    x: Any, y: Any, bins: Any = 10, range: Any = None, density: bool | None = None,
    weights: Any = None,
) -> Any:  # fmt: skip
    """NumPy's ``(hist, xedges, yedges)``: :func:`histogramdd` of the points (x, y). ``bins``: a
    count or an array of edges for both coordinates, or [for x, for y]."""
    x, y = asarray(x), asarray(y)
    if shape(x) != shape(y) or ndim(x) != 1:
        raise ValueError(
            f"histogram2d: x and y must be 1-D of the same length, got shapes {shape(x)} and "
            f"{shape(y)}"
        )
    try:
        per_coordinate = len(bins) in (1, 2)
    except TypeError:  # a count
        per_coordinate = True
    hist, (x_edges, y_edges) = histogramdd(
        [x, y], bins if per_coordinate else [bins, bins], range, density, weights
    )
    return hist, x_edges, y_edges


def interp(
    x: Any, xp: Any, fp: Any, left: Any = None, right: Any = None, period: Any = None
) -> Any:
    """The piecewise-linear interpolant through (xp, fp) at x, as JAX computes it: on the segment
    i − 1, i holding x (i = searchsorted(xp, x, side="right"), clipped to 1…n − 1),
    fp[i−1] + (x − xp[i−1]) / (xp[i] − xp[i−1]) · (fp[i] − fp[i−1]), differentiable in x, xp and
    fp (at a knot, the slope of the segment to its right; at the last knot, of the last segment);
    ``left`` / ``right`` (default fp[0] / fp[−1], or JAX's ``"extrapolate"``) outside [xp[0],
    xp[−1]]; with ``period``, x and xp are taken modulo the period. Integers and bools are made
    float64 first (:func:`inexact`), as NumPy's."""
    x, xp, fp = (inexact(asarray(v)) for v in (x, xp, fp))
    if shape(xp) != shape(fp) or ndim(xp) != 1:
        raise ValueError("xp and fp must be one-dimensional arrays of equal size")
    for name, end in (("left", left), ("right", right)):
        if isinstance(end, str) and end != "extrapolate":
            raise ValueError(f"`{name}` must be a value or 'extrapolate', not {end!r}")
    if period is not None:
        if ndim(period) != 0:
            raise ValueError(f"period must be a scalar; got {period}")
        period = abs(period)
        x, xp = remainder(x, period), remainder(xp, period)
        order = _np.argsort(numbers(xp), kind="stable")
        xp, fp = take(xp, order), take(fp, order)
        xp = concatenate([subtract(xp[-1:], period), xp, add(xp[:1], period)])
        fp = concatenate([fp[-1:], fp, fp[:1]])
    px, pxp = numbers(x), numbers(xp)
    i = _np.clip(_np.searchsorted(pxp, px, side="right"), 1, len(pxp) - 1)
    f_lo, xp_lo = take(fp, i - 1), take(xp, i - 1)
    df = subtract(take(fp, i), f_lo)
    dx = subtract(take(xp, i), xp_lo)
    flat = _np.abs(numbers(dx)) <= _np.spacing(_np.finfo(float_dtype(xp)).eps)  # no nan derivative
    t = divide(subtract(x, xp_lo), where(flat, 1.0, dx))
    f = where(flat, f_lo, add(f_lo, multiply(t, df)))
    if period is None and not isinstance(left, str):
        f = where(px < pxp[0], fp[0] if left is None else left, f)
    if period is None and not isinstance(right, str):
        f = where(px > pxp[-1], fp[-1] if right is None else right, f)
    return f
