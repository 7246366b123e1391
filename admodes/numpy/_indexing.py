"""Functional index updates, JAX's way: ``x.at[index].set(v)`` (also ``.add``, ``.subtract``,
``.multiply`` or ``.mul``, ``.divide``, ``.power``, ``.min``, ``.max``, ``.apply(ufunc)``,
``.get``) returns a new value, since ``x[index] = v`` cannot be traced; and
NumPy's in-place writers in JAX's functional form, each a ``set`` update returning the new array:
``put_along_axis(arr, indices, values, axis, inplace=False)``, ``put``, ``place`` and
``fill_diagonal``. As in JAX, ``inplace=False`` must be passed: the default ``inplace=True`` is
refused, so NumPy code that relies on the update happening in place (``np.put(x, i, v)`` on a
traced x reaches ``put``) gets an error, not an unchanged x.

Any index NumPy accepts works (ints, slices, ``None``, ``...``, integer arrays, boolean masks).
``values`` broadcast to the shape of ``x[index]`` and are converted to x's dtype. With repeated
indices, ``add`` accumulates, ``multiply`` multiplies every factor in, ``min``/``max`` keep the
extreme value, and ``set`` keeps the last write, as NumPy's assignment does (JAX leaves it
unspecified; its CPU backend also keeps the last). Derivatives:

- ``set``: x's derivative where it is not overwritten, each winning value's where it lands,
- ``add``: both derivatives pass unchanged,
- ``multiply``: the product rule over x and every factor at the position,
- ``min`` / ``max``: split evenly among x and the values that tie for the result (JAX's rule).

``subtract``, ``divide`` and ``power`` are JAX's compositions: x − (the values added into
zeros), x / and x ** (the values multiplied into ones); ``apply(f)`` applies the unary f at the
index, once per repeat. The methods take JAX's keywords: ``mode`` says what an integer index
outside its axis does (``"clip"`` clamps it into the axis; ``"drop"`` and ``"fill"`` skip an
update's write there, and give ``get`` the ``fill_value``, by default NaN, or an integer dtype's
lowest value); without it such an index raises IndexError where JAX would drop the write (or clamp
the read) silently. ``wrap_negative_indices=False`` makes a negative index outside;
``indices_are_sorted`` and ``unique_indices`` are promises that change nothing here.
"""

from __future__ import annotations

import math
from typing import Any, TypedDict, Unpack

import numpy as _np

from admodes.core import (
    ConcretizationError,
    Traced,
    at_each_index,
    dtype_of,
    held,
    ndim,
    plain,
    shape,
    size,
)
from admodes.numpy._functions import (
    _axes,
    add,
    asarray,
    astype,
    broadcast_to,
    divide,
    full_index,
    getitem,
    has_mapped_arrays,
    isfinite,
    like_inputs,
    multiply,
    negative,
    operand_index,
    power,
    ravel,
    reshape,
    stop_gradient,
    subtract,
    where,
)
from admodes.rules.shape import along_axis, filled, scatter_add, scatter_indexed


class IndexUpdates:
    """``x.at``: indexing it, ``x.at[index]``, names the entries an update changes."""

    __slots__ = ("x",)

    def __init__(self, x: Any) -> None:
        self.x = x

    def __getitem__(self, index: Any) -> IndexUpdate:
        return IndexUpdate(self.x, index)


class IndexOptions(TypedDict, total=False):
    """JAX's keywords of the ``x.at[index]`` methods (see the module)."""

    indices_are_sorted: bool
    unique_indices: bool
    mode: str | None
    wrap_negative_indices: bool


#: What an integer index outside its axis does, by ``mode`` (JAX's names).
INDEX_MODES = (None, "promise_in_bounds", "clip", "drop", "fill")

#: The end of the error for an index outside its axis without a mode.
OUTSIDE_HINT = (
    ": pass mode='clip' to clamp such indices into the axis, or mode='drop' to skip their "
    "writes (mode='fill' and fill_value for get), the keywords of JAX's .at methods"
)


class IndexUpdate:
    """``x.at[index]``: each method returns x with the entries at ``index`` updated."""

    __slots__ = ("index", "x")

    def __init__(self, x: Any, index: Any) -> None:
        self.x = x
        self.index = index

    def get(self, *, fill_value: Any = None, **options: Unpack[IndexOptions]) -> Any:
        """x[index]; with ``mode="fill"`` (or ``"drop"``), ``fill_value`` where it is outside."""
        if has_mapped_arrays(self.index):
            _check_options(options, mapped=True)
            return getitem(self.x, self.index)
        index, outside = self._bounded(options)
        if not outside:
            return getitem(self.x, index)
        coords, inside = _landing(index, shape(self.x))
        clamped = tuple(_np.minimum(c, n - 1) for c, n in zip(coords, shape(self.x), strict=True))
        if fill_value is None:
            fill = _fill_value(dtype_of(self.x))
        elif ndim(fill_value):
            raise ValueError(
                f"fill_value of an indexed get must be a scalar, got one of shape "
                f"{shape(fill_value)} (as in JAX)"
            )
        else:  # in x's dtype, as JAX converts it
            fill = astype(fill_value, dtype_of(self.x))
        return where(inside, getitem(self.x, clamped), fill)

    def set(self, values: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with ``values`` written at ``index`` (repeated indices: the last write wins)."""
        u = self._update(values, options)
        return self._like_x(u.placed(self.x, at_each_index(_last_writes, u.positions)))

    def add(self, values: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with ``values`` added at ``index`` (repeated indices accumulate)."""
        return self._like_x(add(self.x, self._update(values, options).scattered()))

    def subtract(self, values: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with ``values`` subtracted at ``index`` (repeated indices accumulate)."""
        return self.add(negative(values), **options)

    def multiply(self, values: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with its entries at ``index`` multiplied by ``values`` (every repeated factor)."""
        return self._like_x(_multiplied(self.x, self._update(values, options)))

    mul = multiply

    def divide(self, values: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with its entries at ``index`` divided by ``values`` (by every repeated one, each
        converted to x's dtype first); an integer x gives the quotient's floats, as JAX's."""
        quotient = divide(self.x, self._factors(values, options))
        return self._like_x(quotient, cast=dtype_of(self.x).kind not in "iu")

    def power(self, values: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with its entries at ``index`` raised to ``values`` (their product where repeated)."""
        return self._like_x(power(self.x, self._factors(values, options)))

    def apply(self, func: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with the unary ``func`` applied to its entries at ``index`` (once per repeat)."""
        u = self._update(_np.zeros((), dtype_of(self.x)), options)  # its positions only
        out = self.x
        for chosen in u.rounds():
            out = where(at_each_index(u._written, u.positions, chosen), func(out), out)
        return self._like_x(out)

    def min(self, values: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with its entries at ``index`` replaced by the smaller of them and ``values``."""
        return self._like_x(self._update(values, options).extremal(self.x, _np.minimum))

    def max(self, values: Any, **options: Unpack[IndexOptions]) -> Any:
        """x with its entries at ``index`` replaced by the larger of them and ``values``."""
        return self._like_x(self._update(values, options).extremal(self.x, _np.maximum))

    def _factors(self, values: Any, options: IndexOptions) -> Any:
        """Ones of x's shape with ``values`` multiplied in at ``index`` (JAX's divide, power)."""
        return _multiplied(_np.ones(shape(self.x), dtype_of(self.x)), self._update(values, options))

    def _update(self, values: Any, options: IndexOptions) -> _Update:
        """The update of ``values`` at the index, its writes outside x dropped by ``mode``."""
        if has_mapped_arrays(self.index):
            _check_options(options, mapped=True)
            return _Update(self.x, self.index, values)
        index, outside = self._bounded(options)
        if not outside:
            return _Update(self.x, index, values)
        coords, inside = _landing(index, shape(self.x))
        kept = tuple(c[inside] for c in coords)
        return _Update(self.x, kept, getitem(broadcast_to(values, inside.shape), inside))

    def _bounded(self, options: IndexOptions) -> tuple[tuple, bool]:
        """The index, normalised, with each integer entry resolved by ``mode``, and whether some
        lie outside their axis (then set one past its end, and every slice made explicit)."""
        if not options:  # NumPy's indexing as it is (an index outside raises, see _Update)
            return full_index(self.index, ndim(self.x)), False
        _check_options(options, mapped=has_mapped_arrays(self.index))
        mode = options.get("mode")
        wrap = options.get("wrap_negative_indices", True)
        x_shape = shape(self.x)
        resolved, outside, axis = [], False, 0
        for i in full_index(self.index, len(x_shape)):
            if i is None or (isinstance(i, _np.ndarray) and i.dtype == bool):
                resolved.append(i)
                axis += 0 if i is None else i.ndim
                continue
            n = x_shape[axis]
            axis += 1
            if isinstance(i, slice):  # explicit bounds, so a grown axis selects the same
                picked = range(*i.indices(n))
                if not picked:  # (an empty backward slice has start −1: the last entry)
                    resolved.append(slice(0, 0))
                else:
                    stop = picked.stop if picked.stop >= 0 else None  # −1: down to entry 0
                    resolved.append(slice(picked.start, stop, picked.step))
                continue
            k = _np.asarray(i)
            if wrap:
                k = _np.where(k < 0, k + n, k)
            beyond = (k < 0) | (k >= n)
            if beyond.any():
                if mode == "clip":
                    k = _np.clip(k, 0, n - 1)
                elif mode in ("drop", "fill"):
                    k, outside = _np.where(beyond, n, k), True
                else:
                    raise IndexError(
                        f"index {_np.asarray(i)[beyond].reshape(-1)[0]} is outside axis {axis - 1} "
                        f"of size {n}{OUTSIDE_HINT}"
                    )
            resolved.append(k if isinstance(i, _np.ndarray) or k.ndim else int(k))
        return tuple(resolved), outside

    def _like_x(self, out: Any, cast: bool = True) -> Any:
        """A plain result in x's dtype (JAX converts the values to it, and the scatter computes
        in floats; unless not ``cast``) and x's array type (an ``anp.Array``'s result keeps
        ``.at``, to chain)."""
        if isinstance(out, Traced):
            return out
        out = _np.asarray(out)
        return like_inputs(out.astype(dtype_of(self.x), copy=False) if cast else out, (self.x,))


class _Update:
    """The values of one update, broadcast to the shape of x[index] and converted to x's dtype,
    with the flat positions in x they go to.

    The index may hold integer arrays that differ per index of a vmap (numbers, without a
    derivative): they are then the operands of one scatter for every index at once, and the
    positions (which write wins, where x is written, which entries tie) are found on each
    index's numbers (:func:`admodes.core.at_each_index`, a plain call otherwise).
    """

    def __init__(self, x: Any, index: Any, values: Any) -> None:
        self.x_shape = shape(x)
        entries = _np.arange(size(x)).reshape(self.x_shape)
        if has_mapped_arrays(index):
            self.index = None
            self.arrays, self.template = operand_index(index, ndim(x))
            self.positions = at_each_index(
                lambda *arrays: entries[filled(self.template, arrays)], *self.arrays
            )
        else:
            self.index = full_index(index, ndim(x))
            try:
                self.positions = entries[self.index]
            except IndexError as error:
                raise IndexError(f"{error}{OUTSIDE_HINT}") from None
        if dtype_of(values) != dtype_of(x):
            values = astype(values, dtype_of(x))
        self.values = broadcast_to(values, shape(self.positions))

    def scattered(self, values: Any = None) -> Any:
        """The values (or ``values``) added into zeros of x's shape at the index."""
        values = self.values if values is None else values
        if self.index is not None:
            return scatter_add(values, index=self.index, x_shape=self.x_shape)
        return scatter_indexed(values, *self.arrays, template=self.template, x_shape=self.x_shape)

    def placed(self, base: Any, chosen: Any) -> Any:
        """``base`` with the ``chosen`` values in place (at most one write to each position)."""
        if not isinstance(chosen, Traced) and chosen.all():
            values = self.values
        else:
            values = where(chosen, self.values, 0.0)
        written = at_each_index(self._written, self.positions, chosen)
        return where(written, self.scattered(values), base)

    def rounds(self) -> list[Any]:
        """For each round r of writes (the r-th write to each position), which writes it holds."""
        occurrence = at_each_index(_occurrences, self.positions)
        return [occurrence == r for r in range(int(_np.max(held(occurrence), initial=-1)) + 1)]

    def _written(self, positions: _np.ndarray, chosen: _np.ndarray) -> _np.ndarray:
        """Where x is written by the ``chosen`` writes to ``positions`` (one index's numbers)."""
        written = _np.zeros(int(_np.prod(self.x_shape)), dtype=bool)
        written[positions[chosen]] = True
        return written.reshape(self.x_shape)

    def extremal(self, x: Any, pick: _np.ufunc) -> Any:
        """x combined with the values by ``pick`` (np.minimum, np.maximum): the picked numbers
        exactly, with the derivative split evenly among the entries that attain each result.

        The split sum T = Σ shareᵢ·attainerᵢ equals the result only up to rounding (three equal
        attainers at a third each), so the result is r − (sg(T) − T), sg stop_gradient: the
        numbers of r (x − 0 = x exactly, −0 included), the derivative of T; where T is not
        finite (an infinite or NaN result, which sg(T) − T would make NaN) the result is T
        itself, whose value is r's (a share of ±∞ is ±∞). An integer or bool x has no
        derivative: the result is r.
        """
        result, x_hits, share_x, value_hits, share_values = at_each_index(
            lambda *numbers: _shares(*numbers, pick), x, self.values, self.positions
        )
        if dtype_of(x).kind not in "fc":
            return result
        from_values = where(value_hits, multiply(self.values, share_values), 0.0)
        split = add(where(x_hits, multiply(x, share_x), 0.0), self.scattered(from_values))
        finite = isfinite(stop_gradient(split))
        kept = where(finite, split, 0.0)
        return where(finite, subtract(result, subtract(stop_gradient(kept), kept)), split)


def _shares(
    x: _np.ndarray, values: _np.ndarray, positions: _np.ndarray, pick: _np.ufunc
) -> tuple[_np.ndarray, ...]:
    """On one index's numbers, for x combined with ``values`` at ``positions`` by ``pick``: the
    result, where x attains it and its share of the derivative there, and the same for the
    values."""
    result = _np.array(x, copy=True)
    pick.at(result.reshape(-1), positions, values)
    at_positions = result.reshape(-1)[positions]
    x_hits = _attains(x, result)
    value_hits = _attains(values, at_positions)
    ties = x_hits + _np.bincount(positions[value_hits], minlength=result.size).reshape(x.shape)
    share_x = _np.where(x_hits, 1.0 / ties, 1.0).astype(result.dtype)
    share_values = _np.where(value_hits, 1.0 / ties.reshape(-1)[positions], 1.0)
    return result, x_hits, share_x, value_hits, share_values.astype(result.dtype)


def _multiplied(start: Any, u: _Update) -> Any:
    """``start`` times the update's values at their positions, one round of writes at a time."""
    out = start
    for chosen in u.rounds():
        out = multiply(out, u.placed(_np.ones(u.x_shape, dtype_of(start)), chosen))
    return out


def _check_options(options: IndexOptions, mapped: bool) -> None:
    """Refuse a keyword JAX's methods do not take and a mode it does not know. A mode for index
    arrays that vary under vmap asks vmap to call its function once per index (where they are
    plain): the grown-axis positions are found on plain indices."""
    unknown = set(options) - set(IndexOptions.__annotations__)
    if unknown:
        raise TypeError(f"unexpected keyword arguments {sorted(unknown)} for an .at[] method")
    mode = options.get("mode")
    if mode not in INDEX_MODES:
        raise ValueError(f"mode must be one of {INDEX_MODES}, not {mode!r}")
    if mapped and (
        mode not in (None, "promise_in_bounds") or not options.get("wrap_negative_indices", True)
    ):
        raise ConcretizationError()


def _landing(index: tuple, x_shape: tuple[int, ...]) -> tuple[tuple, _np.ndarray]:
    """For an index whose outside entries point one past the end of their axis: where each entry
    of x[index] lands in x (its coordinates, one array per axis), and which land inside x. Found
    on an array grown by that one slot per axis (boolean masks padded with False)."""
    grown = tuple(n + 1 for n in x_shape)
    padded = tuple(
        _np.pad(i, [(0, 1)] * i.ndim) if isinstance(i, _np.ndarray) and i.dtype == bool else i
        for i in index
    )
    coords = _np.unravel_index(_np.arange(math.prod(grown)).reshape(grown)[padded], grown)
    inside = _np.logical_and.reduce([c < n for c, n in zip(coords, x_shape, strict=True)])
    return coords, _np.asarray(inside)


def _fill_value(dtype: _np.dtype) -> Any:
    """JAX's default fill of a get outside: NaN, or an integer dtype's lowest value (the largest
    for unsigned ones), True for bool."""
    if dtype.kind == "b":
        return True
    if dtype.kind == "i":
        return _np.iinfo(dtype).min
    if dtype.kind == "u":
        return _np.iinfo(dtype).max
    return _np.nan


def _last_writes(positions: _np.ndarray) -> _np.ndarray:
    """Where each entry of ``positions`` is the last write to its position."""
    return _occurrences(positions) == _np.bincount(positions.reshape(-1))[positions] - 1


def _occurrences(positions: _np.ndarray) -> _np.ndarray:
    """Which write to its position each entry of ``positions`` is: 0 for the first, 1 for the
    second, ... (in order: a stable sort groups the writes, each counts from its group's start)."""
    flat = positions.reshape(-1)
    order = _np.argsort(flat, kind="stable")
    grouped = flat[order]
    occurrences = _np.empty_like(flat)
    occurrences[order] = _np.arange(flat.size) - _np.searchsorted(grouped, grouped)
    return occurrences.reshape(positions.shape)


def _attains(a: _np.ndarray, result: _np.ndarray) -> _np.ndarray:
    """Where the entries of a equal the result (both NaN counts as equal)."""
    return (a == result) | (_np.isnan(a) & _np.isnan(result))


def no_inplace(name: str, inplace: bool, call: str) -> None:
    """Refuse ``inplace=True``: admodes values are immutable, so an update returns a new array
    (JAX's functional form); ``call`` shows how to use it."""
    if inplace:
        raise ValueError(
            f"{name}: admodes cannot update an array in place (a traced value is immutable). "
            f"Pass inplace=False and use the array it returns, as in JAX: `{call}`."
        )


def put_along_axis(
    arr: Any, indices: Any, values: Any, axis: int | None, inplace: bool = True
) -> Any:
    """arr with ``values`` written at ``indices`` along ``axis`` (the places
    ``take_along_axis(arr, indices, axis)`` reads), as JAX's: ``inplace=False`` is required,
    since admodes values are immutable."""
    no_inplace(
        "put_along_axis",
        inplace,
        "arr = anp.put_along_axis(arr, indices, values, axis, inplace=False)",
    )
    if axis is None:
        updated = put_along_axis(ravel(arr), indices, values, 0, inplace=False)
        return reshape(updated, shape(arr))
    index = _np.asarray(plain(indices))
    return IndexUpdate(arr, along_axis(index, _axes(axis, ndim(arr))[0], shape(arr))).set(values)


def cycled(values: Any, n: int) -> Any:
    """The first n entries of ``values`` flattened and repeated cyclically, as NumPy's flat
    assignment ``a.flat[positions] = values`` and ``resize`` repeat them: a gather, so each entry
    keeps its derivative (``values`` must have an entry unless n is 0)."""
    flat = ravel(values)
    return getitem(flat, _np.arange(n) % size(flat))


def _set_flat(a: Any, positions: _np.ndarray, values: Any) -> Any:
    """a with ``values`` (flattened, repeated cyclically) written at the flat ``positions``,
    later writes winning, as NumPy's ``a.flat[positions] = values``: empty values write
    nothing."""
    if not size(values):
        positions = positions[:0]
    updated = IndexUpdate(ravel(a), positions).set(cycled(values, positions.size))
    return reshape(updated, shape(a))


def put(a: Any, ind: Any, v: Any, mode: str | None = None, *, inplace: bool = True) -> Any:
    """a with the entries of v (flattened, repeated cyclically) written at the flat indices
    ``ind`` of a, later writes winning: NumPy's ``put``, returning the new array as JAX's
    (``inplace=False`` required). An index outside [-n, n) is refused (``mode`` None or
    ``"raise"``; JAX's None clips it), taken modulo n (``"wrap"``) or clipped to [0, n - 1]
    (``"clip"``, negative ones too, as NumPy's)."""
    no_inplace("put", inplace, "a = anp.put(a, ind, v, inplace=False)")
    a = asarray(a)
    n = size(a)
    index = _np.asarray(plain(ind)).ravel()
    if not _np.can_cast(index.dtype, _np.intp):
        raise TypeError(f"put: ind must be integer indices, got dtype {index.dtype}")
    if index.size and not n:
        raise ValueError("put: a is empty, so there is no entry to write to")
    return _set_flat(a, in_range(index, n, mode, "put", -n), asarray(v))


def in_range(index: _np.ndarray, n: int, mode: str | None, name: str, low: int) -> _np.ndarray:
    """Integer indices into an axis of length n, by NumPy's ``mode`` of ``name``: ``"wrap"`` takes
    them modulo n, ``"clip"`` clips them to [0, n − 1]; ``"raise"`` (or None) refuses one outside
    [low, n) and counts a negative one from the end."""
    if mode == "wrap":
        return index % n
    if mode == "clip":
        return _np.clip(index, 0, n - 1)
    if mode not in (None, "raise"):
        raise ValueError(f"{name}: mode must be 'raise', 'wrap' or 'clip', not {mode!r}")
    outside = index[(index < low) | (index >= n)]
    if outside.size:
        raise ValueError(
            f"{name}: index {outside[0]} is outside [{low}, {n}); use mode='wrap' or mode='clip' "
            "to bring it into range"
        )
    return _np.where(index < 0, index + n, index)


def place(arr: Any, mask: Any, vals: Any, *, inplace: bool = True) -> Any:
    """arr with its entries where ``mask`` (of arr's size) is true replaced, in order, by the
    entries of ``vals`` (flattened, repeated cyclically): NumPy's ``place``, returning the new
    array as JAX's (``inplace=False`` required)."""
    no_inplace("place", inplace, "arr = anp.place(arr, mask, vals, inplace=False)")
    arr = asarray(arr)
    chosen = _np.asarray(plain(mask), dtype=bool)
    if chosen.size != size(arr):
        raise ValueError(
            f"place: mask (size {chosen.size}) and arr (size {size(arr)}) must be the same size"
        )
    positions = _np.flatnonzero(chosen)
    vals = asarray(vals)
    if positions.size and not size(vals):
        raise ValueError("place: vals is empty, so nothing can be placed; give at least one value")
    return _set_flat(arr, positions, vals)


def fill_diagonal(a: Any, val: Any, wrap: bool = False, *, inplace: bool = True) -> Any:
    """a with ``val`` (flattened, repeated cyclically) written on its main diagonal, the entries
    a[i, i, ..., i] (all of a's dimensions equal above 2-D): NumPy's ``fill_diagonal``, returning
    the new array as JAX's (``inplace=False`` required). For a tall 2-D a, ``wrap`` restarts the
    diagonal every n + 1 rows (NumPy's; JAX does not implement it)."""
    no_inplace("fill_diagonal", inplace, "a = anp.fill_diagonal(a, val, inplace=False)")
    a = asarray(a)
    dims = shape(a)
    if len(dims) < 2:
        raise ValueError(f"fill_diagonal: a must be at least 2-D, got shape {dims}")
    if len(dims) == 2:
        step, end = dims[1] + 1, None if wrap else dims[1] * dims[1]
    elif len(set(dims)) > 1:
        raise ValueError(
            f"fill_diagonal: all dimensions of a must be equal above 2-D, got shape {dims}"
        )
    else:
        step, end = 1 + int(_np.cumprod(dims[:-1]).sum()), None
    return _set_flat(a, _np.arange(size(a))[:end:step], asarray(val))
