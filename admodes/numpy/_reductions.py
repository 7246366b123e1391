"""Reductions of ``admodes.numpy`` beyond ``sum``/``max``/``min``/``mean``: composites of the
registry's primitives, written as JAX writes them so that their derivatives are JAX's (a product
is exact where entries are zero, a masked entry gets no derivative).

Each takes NumPy's arguments (SciPy's for ``logsumexp``) and returns NumPy's value and dtype; a
float32 input stays float32. ``count_nonzero`` looks at primals and returns plain integers.
"""

from __future__ import annotations

import builtins
from collections.abc import Callable, Sequence
from typing import Any

import numpy as _np

from admodes.batching import is_mapped
from admodes.core import dtype_of, ndim, numbers, plain, shape
from admodes.numpy._functions import (
    _axes,
    _plain_fn,
    _reduced_shape,
    abs,
    add,
    array_operand,
    asarray,
    astype,
    axes_in_order,
    broadcast_to,
    concatenate,
    count,
    counted,
    divide,
    exp,
    getitem,
    log,
    masked,
    max,
    mean,
    min,
    multiply,
    negative,
    no_out,
    not_equal,
    ravel,
    reshape,
    sqrt,
    subtract,
    sum,
    sum_dtype,
    transpose,
    where,
    with_dtype,
)
from admodes.numpy._functions import mean as mean_of  # where JAX's mean= keyword hides it
from admodes.numpy._shapes import moveaxis
from admodes.rules import reductions as _red
from admodes.rules.broadcasting import keepdims_shape
from admodes.rules.elementwise import is_complex, logaddexp, remainder, squared_modulus
from admodes.rules.shape import axis_index, scatter_add

Axis = int | Sequence[int] | None


def float_dtype(x: Any) -> _np.dtype:
    """The dtype NumPy computes an average of x in: x's own if it is a float, else float64."""
    dt = dtype_of(x)
    return dt if _np.issubdtype(dt, _np.floating) else _np.dtype(_np.float64)


def inexact(x: Any) -> Any:
    """x (an array, a list, a scalar) as the argument of a floating function (``logsumexp``,
    ``softmax``): a float or complex x as it is (a list as an array), integers and bools as
    float64, the type NumPy and SciPy compute them in (JAX: float32 for 32-bit and narrower
    ones, as it computes every floating function of them)."""
    x = array_operand(x)
    return x if dtype_of(x).kind in "fc" else astype(x, _np.float64)


def resized(x_shape: tuple[int, ...], axis: int, n: int) -> tuple[int, ...]:
    """``x_shape`` with length n along ``axis`` (negative)."""
    return (*x_shape[:axis], n, *x_shape[len(x_shape) + axis + 1 :])


# ------------------------------------------------------------------------------ moments
def var(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    ddof: float = 0,
    keepdims: bool = False,
    *,
    where: Any = None,
    mean: Any = None,
    correction: float | None = None,
) -> Any:
    """Σ |a − mean a|² / (n − ddof) over ``axis`` (of the n entries ``where`` marks), real for a
    complex a, as NumPy and JAX (``correction``: NumPy 2's name for ddof; ``mean``: the mean,
    reduced with its dimensions kept, when it is known already)."""
    no_out(out)
    ddof = _ddof(ddof, correction)
    a = with_dtype(a, dtype)
    axes = _axes(axis, ndim(a))
    center = mean_of(a, axes, keepdims=True, where=where) if mean is None else mean
    centered = subtract(a, center)
    total = sum(squared_modulus(centered), axes, keepdims=keepdims, where=where)
    return per_degree_of_freedom(total, counted(a, axes, keepdims, where, dtype_of(total)), ddof)


def per_degree_of_freedom(total: Any, n: Any, ddof: float) -> Any:
    """total / (n − ddof), NaN where n − ddof ≤ 0 (JAX's: no degree of freedom is left; the
    derivative there is 0). ``n``: a count, or an array of counts."""
    dof = n - ddof
    empty = dof <= 0  # a bool, or an array of them (one per index for a mask vmap maps)
    return divide(replaced(empty, _np.nan, total), _np.where(empty, 1, dof).astype(dtype_of(total)))


def std(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    ddof: float = 0,
    keepdims: bool = False,
    *,
    where: Any = None,
    mean: Any = None,
    correction: float | None = None,
) -> Any:
    """√var."""
    return sqrt(
        var(a, axis, dtype, out, ddof, keepdims, where=where, mean=mean, correction=correction)
    )


def _ddof(ddof: float, correction: float | None) -> float:
    """``ddof``, or ``correction``, its NumPy 2 name (not both, as NumPy)."""
    if correction is None:
        return ddof
    if ddof != 0:
        raise ValueError("ddof and correction can't be provided simultaneously.")
    return correction


def average(
    a: Any,
    axis: Axis = None,
    weights: Any = None,
    returned: bool = False,
    *,
    keepdims: bool = False,
) -> Any:
    """Σ a·w / Σ w over ``axis`` (w = 1 without weights); ``returned``: also Σ w, broadcast to
    the average's shape. Weights of a's shape, or (NumPy 2's) of a's shape along the axes
    ``axis`` names, in its order. Integer and bool a and weights are made float64 first
    (:func:`inexact`), so that neither the products nor Σ w wrap, as NumPy's."""
    axes = _axes(axis, ndim(a))
    if weights is None:
        avg = mean(a, axes, keepdims=keepdims)
        total = _np.asarray(count(a, axes), dtype=dtype_of(avg))
    else:
        a, weights = inexact(a), inexact(asarray(weights))
        if ndim(weights) != ndim(a):
            given = () if axis is None else axes_in_order(axis, ndim(a))
            if axis is None or shape(weights) != tuple(shape(a)[ax] for ax in given):
                raise ValueError(
                    "average: weights must have the shape of a, or a's shape along the axes "
                    f"axis names (in its order); got weights of shape {shape(weights)} for a "
                    f"of shape {shape(a)} and axis={axis}"
                )
            weights = transpose(weights, tuple(int(k) for k in _np.argsort(given)))
            weights = reshape(
                weights, tuple(n if ax in given else 1 for ax, n in enumerate(shape(a)))
            )
        total = sum(broadcast_to(weights, shape(a)), axes, keepdims=keepdims)
        avg = divide(sum(multiply(a, weights), axes, keepdims=keepdims), total)
    if not returned:
        return avg
    return avg, broadcast_to(total, shape(avg))


# ------------------------------------------------------------------------------ NaN-ignoring
def replaced(mask: Any, fill: Any, x: Any) -> Any:
    """x with ``fill`` where ``mask`` holds: ``where(mask, fill, x)``, or x itself for a plain mask
    with no true entry (a mask ``vmap`` maps, one per index, is always applied)."""
    return where(mask, fill, x) if is_mapped(mask) or _np.any(mask) else x


def nan_mask(a: Any) -> Any:
    """Where the array ``a`` is NaN: a plain mask, or one per index for a value ``vmap`` maps;
    all false (plain) for a dtype that holds no NaN, so that nothing is replaced."""
    if dtype_of(a).kind not in "fc":
        return _np.zeros(shape(a), bool)
    return _np.isnan(numbers(a))


def _without_nans(a: Any, fill: float) -> Any:
    """a with ``fill`` in place of its NaNs (a constant: NaN entries get no derivative)."""
    a = asarray(a)
    return replaced(nan_mask(a), fill, a)


def nansum(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
) -> Any:
    """Σ over the entries that are not NaN (of those ``where`` marks, plus ``initial``)."""
    return sum(_without_nans(a, 0.0), axis, dtype, out, keepdims, initial=initial, where=where)


def nanmean(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    *,
    where: Any = None,
) -> Any:
    """nansum / the number of entries that are not NaN (of those ``where`` marks)."""
    a = asarray(a)
    total = nansum(a, axis, dtype, out, keepdims, where=where)
    n = _not_nan_count(a, _axes(axis, ndim(a)), keepdims, where)
    return divide(total, n.astype(dtype_of(total)))


def _not_nan_count(a: Any, axes: tuple[int, ...], keepdims: bool, where: Any) -> Any:
    """How many entries over ``axes`` are not NaN (of those ``where`` marks): plain counts."""
    marked = True if where is None else plain(where)
    return _np.sum(~nan_mask(a), axis=axes, keepdims=keepdims, where=marked)


def _nan_extremum(pick: Any, fill: float) -> Any:
    def reduction(
        a: Any,
        axis: Axis = None,
        out: None = None,
        keepdims: bool = False,
        initial: Any = None,
        where: Any = None,
    ) -> Any:
        no_out(out)
        a = asarray(a)
        axes = _axes(axis, ndim(a))
        result = pick(_without_nans(a, fill), axes, keepdims=keepdims, initial=initial, where=where)
        # NaN where every entry is, marked or not (JAX's rule)
        return replaced(_np.all(nan_mask(a), axis=axes, keepdims=keepdims), _np.nan, result)

    reduction.__name__ = f"nan{pick.__name__}"
    reduction.__doc__ = f"{pick.__name__} over the entries that are not NaN (NaN if all are)."
    return reduction


nanmax = _nan_extremum(max, -_np.inf)
nanmin = _nan_extremum(min, _np.inf)
count_nonzero = _plain_fn(_np.count_nonzero)


# ------------------------------------------------------------------------------ products
def prod(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
    promote_integers: bool = True,
) -> Any:
    """Product over ``axis`` (of the entries ``where`` marks, times ``initial``) by pairwise
    multiplication (as JAX differentiates it); ``promote_integers`` as for ``sum``.

    Built from ``multiply``, its derivative is exact where entries are zero: no division by a.
    """
    no_out(out)
    dtype = sum_dtype(a, dtype, promote_integers)
    a = masked(with_dtype(a, dtype), where, 1.0)
    nd = ndim(a)
    axes = _axes(axis, nd)
    kept = tuple(k for k in range(-nd, 0) if k not in axes)
    perm = tuple(nd + k for k in kept + axes)
    kept_dims_shape = keepdims_shape(shape(a), axes)
    if perm != tuple(range(nd)):
        a = transpose(a, perm)
    kept_shape = tuple(shape(a)[: len(kept)])
    one = _np.ones((*kept_shape, 1), dtype=dtype_of(a))
    v = reshape(a, (*kept_shape, count(a, tuple(range(-len(axes), 0)))))
    if shape(v)[-1] == 0:
        v = one
    while shape(v)[-1] > 1:
        if shape(v)[-1] % 2:
            v = concatenate([v, one], axis=-1)
        half = shape(v)[-1] // 2
        v = multiply(v[..., :half], v[..., half:])
    result = reshape(v, kept_dims_shape if keepdims else kept_shape)
    return result if initial is None else multiply(result, initial)


def cumsum(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative sum along ``axis`` (None: of the flattened value)."""
    no_out(out)
    a = with_dtype(a, dtype)
    if axis is None:
        a, axis = ravel(a), 0
    return _red.cumsum(a, axis=_axes(axis, ndim(a))[0])


def cumprod(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative product along ``axis`` (None: of the flattened value), as a prefix scan of
    multiplications (Hillis–Steele: ⌈log₂ n⌉ rounds, each multiplies by the value shifted by
    1, 2, 4, ... places). Exact where entries are zero, as JAX's: no division by a. Integers and
    bools are multiplied in the platform integer, as ``cumsum`` adds them (NumPy's promotion)."""
    no_out(out)
    a = with_dtype(a, sum_dtype(a, dtype, promote_integers=True))
    if axis is None:
        a, axis = ravel(a), 0
    ax = _axes(axis, ndim(a))[0]
    n = shape(a)[ax]
    step = 1
    while step < n:
        ones = _np.ones(resized(shape(a), ax, step), dtype=dtype_of(a))
        head = getitem(a, axis_index(ndim(a), ax, slice(0, n - step)))
        a = multiply(a, concatenate([ones, head], axis=ax))
        step *= 2
    return a


_NO_VALUE = object()


def diff(
    a: Any, n: int = 1, axis: int = -1, prepend: Any = _NO_VALUE, append: Any = _NO_VALUE
) -> Any:
    """The n-th difference a[i+1] − a[i] along ``axis`` (a[i+1] ≠ a[i] for bools, as NumPy),
    after ``prepend``/``append`` (a scalar is broadcast to one slice) are joined on."""
    if n < 0:
        raise ValueError(f"diff: order must be non-negative, got n={n}")
    ax = _axes(axis, ndim(a))[0]
    parts = [
        broadcast_to(p, resized(shape(a), ax, 1)) if ndim(p) == 0 else p
        for p in (asarray(p) for p in (prepend, a, append) if p is not _NO_VALUE)
    ]
    if len(parts) > 1:
        a = concatenate(parts, axis=ax)
    step = not_equal if dtype_of(a) == _np.bool_ else subtract  # NumPy's difference of bools
    for _ in range(n):
        m = shape(a)[ax]
        a = step(
            getitem(a, axis_index(ndim(a), ax, slice(1, m))),
            getitem(a, axis_index(ndim(a), ax, slice(0, m - 1))),
        )
    return a


def unwrap(p: Any, discont: Any = None, axis: int = -1, *, period: Any = 2 * _np.pi) -> Any:
    """p with multiples of ``period`` added so that no step along ``axis`` exceeds ``discont``
    (default period / 2), by NumPy's algorithm: each step d = p[i+1] − p[i] is brought into
    [−h, h] (h = period / 2, or period // 2 for integers) as dₘ = mod(d + h, period) − h, with
    dₘ = h where dₘ = −h and d > 0 (unless the integer period is odd); the correction dₘ − d
    (0 where |d| < discont) is summed along the axis and added to p[1:]. As JAX's, the
    derivative is 1 along p (the corrections are piecewise constant), but where a positive step
    is an odd multiple of h: there dₘ is the constant h, so the correction's derivative is −1."""
    p = asarray(p)
    if is_complex(p):
        raise TypeError("unwrap: p must be real phases; unwrap the angle of complex values")
    ax = _axes(axis, ndim(p))[0]
    dtype = _np.result_type(
        dtype_of(p), period if isinstance(period, int | float) else dtype_of(period)
    )
    if _np.issubdtype(dtype, _np.integer):
        half, odd = divmod(period, 2)
    else:
        half, odd = divide(period, 2), 0
    if discont is None:
        discont = divide(period, 2)
    step = diff(p, axis=ax)
    wrapped = subtract(remainder(add(step, half), period), half)
    if not odd:  # a step of ±h exactly: +h for a positive step
        at_low = (numbers(wrapped) == -numbers(half)) & (numbers(step) > 0)
        wrapped = where(at_low, half, wrapped)
    small = _np.abs(numbers(step)) < numbers(discont)
    correction = where(small, 0, subtract(wrapped, step))
    first = getitem(p, axis_index(ndim(p), ax, slice(0, 1)))
    rest = getitem(p, axis_index(ndim(p), ax, slice(1, None)))
    return astype(concatenate([first, add(rest, cumsum(correction, ax))], axis=ax), dtype)


def ediff1d(ary: Any, to_end: Any = None, to_begin: Any = None) -> Any:
    """The differences of the flattened ``ary``, after ``to_begin`` and before ``to_end`` (both
    cast to ary's dtype, as NumPy and JAX)."""
    steps = diff(ravel(ary))
    ends = [
        None if p is None else ravel(astype(asarray(p), dtype_of(steps)))
        for p in (to_begin, to_end)
    ]
    return concatenate([p for p in (ends[0], steps, ends[1]) if p is not None])


def gradient(f: Any, *varargs: Any, axis: Axis = None, edge_order: int | None = None) -> Any:
    """The derivative of sampled values ``f`` along each axis by differences: central inside,
    one-sided at the ends (NumPy's ``edge_order=1``, JAX's only one). ``varargs``: no spacing (1),
    one for every axis, or one per axis, each a scalar step or the sample coordinates (where
    hᵢ₋₁ = xᵢ − xᵢ₋₁ and hᵢ = xᵢ₊₁ − xᵢ differ, the inside is NumPy's second-order formula
    −hᵢ/(hᵢ₋₁(hᵢ₋₁+hᵢ))·fᵢ₋₁ + (hᵢ−hᵢ₋₁)/(hᵢ₋₁hᵢ)·fᵢ + hᵢ₋₁/(hᵢ(hᵢ₋₁+hᵢ))·fᵢ₊₁). One axis gives
    an array, several a tuple, in the order ``axis`` gives, as NumPy's. Integers are made
    float64 first (:func:`inexact`), as NumPy's."""
    if edge_order not in (None, 1):
        raise NotImplementedError(
            f"gradient: edge_order={edge_order} is not supported; admodes (as JAX) takes the "
            "one-sided first-order differences at the ends, NumPy's edge_order=1."
        )
    f = inexact(asarray(f))
    axes = axes_in_order(tuple(range(ndim(f))) if axis is None else axis, ndim(f))
    if len(varargs) not in (0, 1, len(axes)):
        raise TypeError(
            f"gradient: give no spacing, one, or one per axis ({len(axes)}), got {len(varargs)}"
        )
    spacings = varargs if len(varargs) == len(axes) else (varargs or (1.0,)) * len(axes)
    slopes = tuple(
        _gradient_along(moveaxis(f, ax, -1), h, ax) for ax, h in zip(axes, spacings, strict=True)
    )
    return slopes[0] if len(slopes) == 1 else slopes


def _gradient_along(y: Any, h: Any, ax: int) -> Any:
    """gradient of ``y`` along its last axis (moved back to ``ax``), spacing ``h``."""
    n = shape(y)[-1]
    if n < 2:
        raise ValueError(
            "gradient: at least 2 samples are needed along each axis, got a shape of "
            f"{(*shape(y)[:-1], n)} (axis moved last)"
        )
    part = lambda start, stop: getitem(y, (..., slice(start, stop)))
    if ndim(h) == 0:
        first = divide(subtract(part(1, 2), part(0, 1)), h)
        last = divide(subtract(part(n - 1, n), part(n - 2, n - 1)), h)
        inside = divide(subtract(part(2, n), part(0, n - 2)), multiply(2.0, h))
    else:
        if shape(h) != (n,):
            raise ValueError(
                f"gradient: coordinates must have the length of their axis, {n}, got shape "
                f"{shape(h)}"
            )
        steps = diff(h)
        before, after = getitem(steps, slice(0, n - 2)), getitem(steps, slice(1, n - 1))
        first = divide(subtract(part(1, 2), part(0, 1)), getitem(steps, slice(0, 1)))
        last = divide(
            subtract(part(n - 1, n), part(n - 2, n - 1)), getitem(steps, slice(n - 2, n - 1))
        )
        span = add(before, after)
        inside = add(
            add(
                multiply(negative(divide(after, multiply(before, span))), part(0, n - 2)),
                multiply(divide(subtract(after, before), multiply(before, after)), part(1, n - 1)),
            ),
            multiply(divide(before, multiply(after, span)), part(2, n)),
        )
    return moveaxis(concatenate([first, inside, last], axis=-1), -1, ax)


def bincount(x: Any, weights: Any = None, minlength: int = 0, *, length: int | None = None) -> Any:
    """How often each value of the non-negative integers x (or bools, as 0 and 1) occurs, or
    with ``weights`` the sum of the weights of each value: differentiable in the weights (a
    scatter-add), in their dtype (as JAX's, integer weights too; NumPy's is float64).
    ``length`` fixes the number of bins, as JAX's (values from ``length`` on are dropped)."""
    x = _np.asarray(plain(x))
    if x.dtype == _np.bool_:
        x = x.astype(_np.intp)
    if x.ndim != 1 or x.dtype.kind not in "iu" or (x.size and x.min() < 0):
        raise ValueError(
            "bincount: x must be a one-dimensional array of non-negative integers, got "
            f"{x.dtype} values of shape {x.shape}"
        )
    n = length if length is not None else builtins.max(minlength, int(x.max(initial=-1)) + 1)
    keep = x < n
    if weights is None:
        return _np.bincount(x[keep], minlength=n)
    if shape(weights) != x.shape:
        raise ValueError(f"bincount: weights must have x's shape {x.shape}, got {shape(weights)}")
    w = asarray(weights) if keep.all() else getitem(asarray(weights), keep)
    sums = scatter_add(w, (x[keep],), (n,))  # in floats: cast back to integer weights' dtype
    return astype(sums, dtype_of(w)) if dtype_of(w).kind in "iu" else sums


# ------------------------------------------------------------------------------ logsumexp
def logsumexp(
    a: Any,
    axis: Axis = None,
    b: Any = None,
    keepdims: bool = False,
    return_sign: bool = False,
    *,
    where: Any = None,
) -> Any:
    """log |Σ b·exp(a)| over ``axis`` (SciPy's signature, JAX's computation): shifted by the
    maximum, a constant (0 where it is not finite); entries with b = 0, and those outside
    ``where``, drop out (the latter from the sum itself, so no derivative reaches them, even
    from a line they leave empty). With ``return_sign``, also the sign of the sum (plain);
    otherwise NaN where the sum is negative. Integers and bools are first made float64, as
    SciPy's (:func:`inexact`).
    """
    a = inexact(a)
    if b is not None:
        b = asarray(b)
        a = masked(a, plain(b) != 0, -_np.inf)
    a = masked(a, where, -_np.inf)
    axes = _axes(axis, ndim(a))
    top = max_shift(a, axes).astype(float_dtype(a))
    terms = exp(subtract(a, top))
    if b is not None:
        terms = multiply(terms, b)
    total = sum(terms, axes, keepdims=True, where=where)
    signs = _np.sign(numbers(total))
    if b is not None:  # a signed sum: its logarithm is log |Σ|, as JAX
        total = abs(total)
    result = add(log(total), top)
    if not keepdims:
        result = reshape(result, _reduced_shape(shape(result), axes))
        signs = _np.reshape(signs, shape(result))
    if return_sign:
        return result, signs
    return replaced(signs < 0, _np.nan, result)


def log_sum_exp_reduction(base: float) -> Callable[..., Any]:
    """``reduce`` of logaddexp (base e) or logaddexp2 (base 2), as JAX reduces them: logsumexp
    of a·ln(base), over ln(base) (its value, and at an infinite entry its derivative, where a
    fold of the two-argument rule gives e^aᵢ); ``initial`` joins by one more logaddexp."""
    scale = _np.log(base)

    def reduction(a: Any, axis: Axis, keepdims: bool, initial: Any, where: Any) -> Any:
        total = logsumexp(multiply(a, scale), axis, keepdims=keepdims, where=where)
        if initial is not None:
            total = logaddexp(total, multiply(initial, scale))
        return divide(total, scale)

    return reduction


def max_shift(a: Any, axis: Any, where: Any = None, finite: bool = True) -> Any:
    """The largest of ``a``'s numbers over ``axis`` (kept; of the entries ``where`` marks), with
    ``finite`` 0 where it is not finite: the constant that keeps exponentials ≤ 1 in
    ``logsumexp`` while -inf entries stay -inf, and a +inf entry makes the sum +inf (without
    ``finite``, JAX's ``softmax``'s: a +inf entry makes its line NaN, inf − inf). No derivative
    flows through it. In ``a``'s float type (:func:`inexact`), so that integers and bools have
    a maximum too."""
    mask = True if where is None else where
    top = _np.max(inexact(numbers(a)), axis=axis, keepdims=True, where=mask, initial=-_np.inf)
    return _np.where(_np.isfinite(top), top, 0.0) if finite else top


# ------------------------------------------------------------------------------ more reductions
any = _plain_fn(_np.any)
any.__doc__ = "Whether any entry over ``axis`` is true (nonzero), on plain values (bool)."
all = _plain_fn(_np.all)
all.__doc__ = "Whether every entry over ``axis`` is true (nonzero), on plain values (bool)."


def ptp(a: Any, axis: Axis = None, out: None = None, keepdims: bool = False) -> Any:
    """max − min over ``axis`` (ties split the derivative evenly, as ``max`` and ``min``)."""
    no_out(out)
    return subtract(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


def nanprod(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
) -> Any:
    """Π over the entries that are not NaN (a NaN counts as 1 and gets no derivative)."""
    return prod(_without_nans(a, 1.0), axis, dtype, out, keepdims, initial, where)


def nancumsum(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative sum along ``axis`` with NaNs counted as 0 (and given no derivative)."""
    return cumsum(_without_nans(a, 0.0), axis, dtype, out)


def nancumprod(a: Any, axis: int | None = None, dtype: Any = None, out: None = None) -> Any:
    """Cumulative product along ``axis`` with NaNs counted as 1 (and given no derivative)."""
    return cumprod(_without_nans(a, 1.0), axis, dtype, out)


def nanvar(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    ddof: float = 0,
    keepdims: bool = False,
    where: Any = None,
    mean: Any = None,
) -> Any:
    """Σ (a − nanmean a)² / (n − ddof) over the entries that are not NaN (n of them; of those
    ``where`` marks); NaN where n ≤ ddof. As JAX: NaN entries are replaced by 0 after centring,
    so they get no derivative (``mean``: the mean, reduced with its dimensions kept, when it is
    known already)."""
    no_out(out)
    a = asarray(with_dtype(a, dtype))
    axes = _axes(axis, ndim(a))
    center = nanmean(a, axes, keepdims=True, where=where) if mean is None else mean
    centered = replaced(nan_mask(a), 0.0, subtract(a, center))
    total = sum(squared_modulus(centered), axes, keepdims=keepdims, where=where)
    return per_degree_of_freedom(total, _not_nan_count(a, axes, keepdims, where), ddof)


def nanstd(
    a: Any,
    axis: Axis = None,
    dtype: Any = None,
    out: None = None,
    ddof: float = 0,
    keepdims: bool = False,
    where: Any = None,
    mean: Any = None,
) -> Any:
    """√nanvar."""
    return sqrt(nanvar(a, axis, dtype, out, ddof, keepdims, where, mean))


def _cumulative(scan: Any, initial: float, name: str) -> Any:
    """The array API's ``cumulative_sum`` / ``cumulative_prod`` from ``cumsum`` / ``cumprod``:
    ``axis`` optional for 1-D x, and a leading ``initial`` (0 or 1) if ``include_initial``."""

    def cumulative(
        x: Any, /, *, axis: int | None = None, dtype: Any = None, include_initial: bool = False
    ) -> Any:
        if ndim(x) == 0:
            raise ValueError(f"{name}: the input must not be a scalar")
        if axis is None:
            if ndim(x) > 1:
                raise ValueError(f"{name}: axis must be given for an input of rank {ndim(x)} > 1")
            axis = 0
        out = scan(x, axis, dtype)
        if not include_initial:
            return out
        ax = _axes(axis, ndim(x))[0]
        first = _np.full(resized(shape(out), ax, 1), initial, dtype=dtype_of(out))
        return concatenate([first, out], axis=ax)

    cumulative.__name__ = cumulative.__qualname__ = name
    cumulative.__doc__ = (
        f"``{scan.__name__}`` along ``axis`` (optional for 1-D x), with a leading {initial:g} if "
        f"``include_initial`` (the array API's ``{name}``)."
    )
    return cumulative


cumulative_sum = _cumulative(cumsum, 0.0, "cumulative_sum")
cumulative_prod = _cumulative(cumprod, 1.0, "cumulative_prod")


def trapezoid(y: Any, x: Any = None, dx: Any = 1.0, axis: int = -1) -> Any:
    """∫ y by the trapezoidal rule along ``axis``: Σ ½·Δx·(y[i+1] + y[i]), with Δx = diff(x)
    (or ``dx``); with a constant spacing, as JAX, Δx·(Σ y − ½·(y[0] + y[−1])). Integer and
    bool y are integrated as floats (as NumPy and JAX: True + True is 2 there)."""
    y = inexact(y)
    if x is None:
        step = dx if isinstance(dx, int | float) else asarray(dx)  # a Python scalar stays weak
        if ndim(step) > 0:
            step = reshape(step, (1,) * (ndim(y) - ndim(step)) + shape(step))
            step = moveaxis(step, axis, -1)
    else:
        x = asarray(x)
        step = diff(x) if ndim(x) == 1 else moveaxis(diff(x, axis=axis), axis, -1)
    y = moveaxis(y, axis, -1)
    if ndim(step) == 0 or shape(step)[-1] == 1:
        step = step if ndim(step) == 0 else getitem(step, (..., 0))
        ends = add(getitem(y, (..., 0)), getitem(y, (..., -1)))
        return multiply(step, subtract(sum(y, -1), multiply(0.5, ends)))
    inner = add(getitem(y, (..., slice(1, None))), getitem(y, (..., slice(None, -1))))
    return multiply(0.5, sum(multiply(step, inner), -1))
