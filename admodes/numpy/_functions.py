"""The core of ``admodes.numpy``: NumPy-like functions that dispatch to the registry.

Elementwise ops are the registry's primitives themselves. The functions below give them NumPy's
signatures (``axis=None``, ``keepdims``, ``axes``), normalise parameters for the rules (axes as
negative integers, full indices, resolved shapes), and build composites (``mean``, ``prod``,
``logsumexp``, ``clip``, ...) from primitives, so their derivatives come from the primitives' rules.
Comparisons and predicates are not differentiable: they return plain bool arrays.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as _np

# Constants: plain NumPy (array constructors are in ``_creation``).
from numpy import (  # noqa: F401  (re-exported)
    e,
    float32,
    float64,
    inf,
    nan,
    newaxis,
    pi,
)
from numpy.lib.array_utils import normalize_axis_tuple

from admodes.batching import array_numbers, holds_numbers, is_mapped, on_numbers
from admodes.core import (
    ConcretizationError,
    Traced,
    dtype_of,
    extreme_value,
    ndim,
    plain,
    shape,
    size,
)
from admodes.registry import defbatch, defprim
from admodes.rules import broadcasting as _broadcasting
from admodes.rules import reductions as _red
from admodes.rules import shape as _shape
from admodes.rules.batching import elementwise as _elementwise
from admodes.rules.elementwise import (  # noqa: F401  (re-exported: the registry's primitives)
    abs,
    add,
    arccos,
    arcsin,
    arctan,
    arctan2,
    ceil,
    cos,
    cosh,
    divide,
    exp,
    expm1,
    floor,
    log,
    log1p,
    log2,
    log10,
    logaddexp,
    maximum,
    minimum,
    multiply,
    negative,
    power,
    round,
    sign,
    sin,
    sinh,
    sqrt,
    square,
    subtract,
    tan,
    tanh,
)
from admodes.rules.elementwise import where as _where
from admodes.tree import flatten, unflatten

absolute = abs
true_divide = divide

_stop_gradient = defprim("stop_gradient", lambda x: x)
defbatch(_elementwise, _stop_gradient)


def stop_gradient(x: Any) -> Any:
    """x, treated as a constant by every transform (derivative zero); on a pytree (tuple, list,
    dict, ...) every leaf is, as in JAX."""
    leaves, treedef = flatten(x)
    return unflatten(treedef, [_stop_gradient(leaf) for leaf in leaves])


# ------------------------------------------------------------------------------ parameters
def axes_in_order(axis: int | Sequence[int], nd: int, name: str | None = None) -> tuple[int, ...]:
    """``axis`` (an int or a sequence of ints) as non-negative axes of a value with ``nd``
    dimensions, in the order given, checked as NumPy checks them: ``AxisError`` (both a
    ``ValueError`` and an ``IndexError``) for an axis out of range, never wrapped around, and
    ``ValueError`` for a repeated one. Every axis argument of ``admodes.numpy`` is read here
    (``name``: the argument's, for the message)."""
    return normalize_axis_tuple(axis, nd, name)


def _axes(axis: int | Sequence[int] | None, nd: int) -> tuple[int, ...]:
    """``axis`` as a sorted tuple of negative axes (None: every axis), checked by
    :func:`axes_in_order`."""
    if axis is None:
        return tuple(range(-nd, 0))
    return tuple(sorted(a - nd for a in axes_in_order(axis, nd)))


def _resolve_shape(newshape: int | Sequence[int], n: int) -> tuple[int, ...]:
    """``newshape`` with a -1 resolved, checked against the element count ``n``."""
    s = (newshape,) if isinstance(newshape, int | _np.integer) else tuple(newshape)
    s = tuple(int(d) for d in s)
    known = int(_np.prod([d for d in s if d != -1]))
    if s.count(-1) == 1 and known:
        s = tuple(n // known if d == -1 else d for d in s)
    if int(_np.prod(s)) != n:
        raise ValueError(f"cannot reshape a value of size {n} into shape {tuple(newshape)}")
    return s


def _reduced_shape(x_shape: tuple[int, ...], axes: tuple[int, ...]) -> tuple[int, ...]:
    nd = len(x_shape)
    drop = {a % nd for a in axes}
    return tuple(d for i, d in enumerate(x_shape) if i not in drop)


# ------------------------------------------------------------------------------ selection
_NOT_GIVEN = object()


def where(
    condition: Any,
    x: Any = _NOT_GIVEN,
    y: Any = _NOT_GIVEN,
    /,
    *,
    size: int | None = None,
    fill_value: Any = None,
) -> Any:
    """Elements of ``x`` where ``condition`` holds, else of ``y``; derivatives follow the choice.

    With the condition alone, NumPy's ``np.where(condition)``: the indices of its true entries
    (plain integer arrays, as ``np.nonzero``), and JAX's ``size`` and ``fill_value`` for them
    (:func:`sized_indices`)."""
    if x is _NOT_GIVEN and y is _NOT_GIVEN:
        return sized_indices(_np.where(plain(condition)), size, fill_value)
    if x is _NOT_GIVEN or y is _NOT_GIVEN:
        raise ValueError("either both or neither of x and y should be given")
    if size is not None or fill_value is not None:
        raise ValueError(
            "size and fill_value are for where(condition), the indices of the true entries; "
            "where(condition, x, y) takes neither (as in JAX)"
        )
    return like_inputs(_where(condition, x, y), (x, y))


def sized_indices(found: tuple, size: int | None, fill_value: Any) -> tuple:
    """JAX's ``size`` for index arrays (``nonzero``, ``where(condition)``, ``unique``'s): each of
    ``found`` cut to its first ``size`` entries, or padded to ``size`` with ``fill_value`` (0 by
    default; a tuple gives one per array). Without ``size``, ``found`` as it is (and
    ``fill_value`` unused, as JAX's)."""
    if size is None:
        return found
    fill = fill_value if isinstance(fill_value, tuple) else (fill_value,) * len(found)
    if len(fill) != len(found):
        raise ValueError(
            f"fill_value gives {len(fill)} values for {len(found)} index arrays: give one, or "
            "one per axis"
        )
    padding = builtins.max(size - len(found[0]), 0) if found else 0
    return tuple(
        _np.concatenate([f[:size], _np.full(padding, 0 if v is None else v, f.dtype)])
        for f, v in zip(found, fill, strict=True)
    )


def clip(
    x: Any, a_min: Any = None, a_max: Any = None, out: None = None, *, min: Any = None,
    max: Any = None,
) -> Any:  # fmt: skip
    """``minimum(max, maximum(min, x))`` as JAX composes it (a tie splits the derivative). The
    bounds are NumPy 2's ``min``/``max`` or their older names ``a_min``/``a_max``."""
    no_out(out)
    lower, upper = one_name("min", min, "a_min", a_min), one_name("max", max, "a_max", a_max)
    if lower is not None:
        x = maximum(lower, x)
    if upper is not None:
        x = minimum(upper, x)
    return x


# ------------------------------------------------------------------------------ reductions
def no_out(out: Any) -> None:
    """NumPy's ``out=``: admodes values are immutable, so a result is always returned."""
    if out is not None:
        raise TypeError(
            "out= is not supported: admodes computes new values instead of writing into "
            "arrays. Use the returned value (`y = anp.f(x)`)."
        )


def with_dtype(x: Any, dtype: Any) -> Any:
    """x converted to a ``dtype=`` argument (a reduction's, a join's; None: unchanged)."""
    return x if dtype is None else astype(x, dtype)


def masked(a: Any, where: Any, fill: float) -> Any:
    """A reduction's ``where=``: ``a`` with the entries outside the mask replaced by ``fill``, the
    reduction's identity (the mask broadcasts against ``a``; None keeps every entry)."""
    return a if where is None else _where(plain(where), a, fill)


def clamp(x: Any, low: float, high: float) -> Any:
    """x limited to [low, high] as JAX's ``lax.clamp`` selects: x strictly inside, the bound at
    and beyond it (nan stays nan), so the derivative is 1 inside and 0 at the bounds and outside,
    and a tangent or cotangent out there (even ±inf) is dropped, never multiplied by 0."""
    value = array_numbers(x)
    return _where((value > low) & (value < high), x, _np.minimum(_np.maximum(value, low), high))


def sum(
    a: Any,
    axis: int | Sequence[int] | None = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
    promote_integers: bool = True,
) -> Any:
    """Σ a over ``axis`` (of the entries ``where`` marks), plus ``initial``. Small integers sum
    in the platform integer (NumPy's); JAX's ``promote_integers=False`` keeps their dtype."""
    no_out(out)
    dtype = sum_dtype(a, dtype, promote_integers)
    a = masked(with_dtype(a, dtype), where, 0.0)
    # dtype= (or the platform integer sum_dtype gives) is the result's dtype too.
    total = with_dtype(_broadcasting.sum(a, axis=_axes(axis, ndim(a)), keepdims=keepdims), dtype)
    return total if initial is None else add(total, initial)


def sum_dtype(a: Any, dtype: Any, promote_integers: bool) -> Any:
    """The ``dtype`` of a sum or product: the one asked for; else for an integer or bool a the
    platform integer (NumPy's and JAX's promotion: int8 sums in int64, uint16 in uint64), or
    with JAX's ``promote_integers=False`` an integer a's own; None (a's own) otherwise."""
    kind = dtype_of(a).kind
    if dtype is not None or kind not in "iub":
        return dtype
    if not promote_integers and kind != "b":
        return dtype_of(a)
    return _np.dtype(_np.uint if kind == "u" else _np.int_)


def max(
    a: Any,
    axis: int | Sequence[int] | None = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
) -> Any:
    """The largest entry over ``axis`` (of those ``where`` marks), and ``initial`` if larger."""
    return _extremum(_red.max, maximum, -_np.inf, a, axis, out, keepdims, initial, where)


def min(
    a: Any,
    axis: int | Sequence[int] | None = None,
    out: None = None,
    keepdims: bool = False,
    initial: Any = None,
    where: Any = None,
) -> Any:
    """The smallest entry over ``axis`` (of those ``where`` marks), and ``initial`` if smaller."""
    return _extremum(_red.min, minimum, _np.inf, a, axis, out, keepdims, initial, where)


def _extremum(
    reduce: Any, combine: Any, identity: float, a: Any, axis: Any, out: Any, keepdims: bool,
    initial: Any, where: Any,
) -> Any:  # fmt: skip
    """``max`` or ``min``: ``reduce`` over the marked entries, ``combine``d with ``initial``
    (over an empty axis: ``initial`` itself, as NumPy; without it NumPy's error)."""
    no_out(out)
    if where is not None and initial is None:
        raise ValueError(
            f"{reduce.name} with where= needs initial= (the value of a slice with no marked "
            "entry: the reduction has no identity), as in NumPy"
        )
    dtype = dtype_of(a)
    a = masked(a, where, extreme_value(dtype, upper=identity > 0))  # an integer a stays one
    axes = _axes(axis, ndim(a))
    if initial is None:
        return reduce(a, axis=axes, keepdims=keepdims)
    initial = astype(initial, dtype)  # NumPy casts it to the input's dtype
    if any(shape(a)[i] == 0 for i in axes):
        kept = (_broadcasting.keepdims_shape if keepdims else _reduced_shape)(shape(a), axes)
        return initial if kept == () else broadcast_to(initial, kept)
    return combine(reduce(a, axis=axes, keepdims=keepdims), initial)


amax, amin = max, min


def mean(
    a: Any,
    axis: int | Sequence[int] | None = None,
    dtype: Any = None,
    out: None = None,
    keepdims: bool = False,
    where: Any = None,
) -> Any:
    """sum / n over the reduced axes (n: the number of entries ``where`` marks); an integer
    ``dtype`` truncates the quotient to it, as NumPy and JAX."""
    no_out(out)
    a = with_dtype(a, dtype)
    axes = _axes(axis, ndim(a))
    n = counted(a, axes, keepdims, where, dtype_of(a))
    if where is None:
        avg = divide(_broadcasting.sum(a, axis=axes, keepdims=keepdims), n)
    else:
        avg = divide(sum(a, axes, keepdims=keepdims, where=where), n)
    return avg if dtype is None or dtype_of(avg) == _np.dtype(dtype) else astype(avg, dtype)


def count(x: Any, axes: tuple[int, ...]) -> int:
    """How many entries of x a reduction over ``axes`` combines into each output."""
    return int(_np.prod([shape(x)[a] for a in axes]))


def counted(
    x: Any, axes: tuple[int, ...], keepdims: bool, where: Any, dtype: _np.dtype
) -> float | _np.ndarray:
    """How many entries of x each output of a reduction over ``axes`` combines: all of them (a
    float), or those ``where`` marks (an array of ``dtype``, one count per output)."""
    if where is None:
        return float(count(x, axes))
    marked = _np.broadcast_to(plain(where), shape(x))
    return _np.sum(marked, axis=axes, keepdims=keepdims, dtype=dtype)


# ------------------------------------------------------------------------------ shapes
def one_name(new: str, new_value: Any, old: str, old_value: Any) -> Any:
    """An argument NumPy 2 renamed, given by its new name or its old one (None: not given)."""
    if new_value is not None and old_value is not None:
        raise TypeError(f"give {new}= or its older name {old}=, not both")
    return old_value if new_value is None else new_value


def reshape(
    x: Any,
    shape: int | Sequence[int] | None = None,
    order: str = "C",
    *,
    newshape: int | Sequence[int] | None = None,
) -> Any:
    """x with the entries of ``shape`` (NumPy 2's name; ``newshape``, the older one, works too;
    one entry may be -1), read and written in ``order`` "C" (row-major) or "F" (column-major)."""
    target = one_name("shape", shape, "newshape", newshape)
    if target is None:
        raise TypeError("reshape: missing the new shape (the argument shape=)")
    return _reshaped(x, target, order)


def _reshaped(x: Any, newshape: int | Sequence[int], order: str) -> Any:
    """``reshape`` in ``order``: "F" is "C" on the axes reversed (a transpose on each side)."""
    target = _resolve_shape(newshape, size(x))
    if _memory_order(order) == "F":
        return transpose(_reshaped(transpose(x), target[::-1], "C"))
    return x if target == shape(x) else _shape.reshape(x, newshape=target)


def _memory_order(order: str) -> str:
    """NumPy's ``order`` argument, checked: "C" or "F" (admodes values have no memory layout
    for "A" or "K" to follow)."""
    if order in ("C", "F"):
        return order
    if order in ("A", "K"):
        raise NotImplementedError(
            f"order={order!r} (follow the memory layout) is not supported: use 'C' or 'F'"
        )
    raise ValueError(f"order must be one of 'C', 'F', 'A' or 'K', not {order!r}")


def ravel(x: Any, order: str = "C") -> Any:
    """x flattened, in ``order`` "C" (row-major) or "F" (column-major)."""
    return _reshaped(x, (size(x),), order)


def transpose(x: Any, axes: Sequence[int] | None = None) -> Any:
    """x with its axes permuted to ``axes`` (None: reversed)."""
    nd = ndim(x)
    perm = tuple(reversed(range(nd))) if axes is None else axes_in_order(axes, nd, "axes")
    if len(perm) != nd:
        raise ValueError(f"transpose: axes {tuple(axes)} do not name each of the {nd} axes")
    return _shape.transpose(x, axes=perm)


def swapaxes(x: Any, axis1: int, axis2: int) -> Any:
    """x with ``axis1`` and ``axis2`` interchanged."""
    perm = list(range(ndim(x)))
    i, j = _axes(axis1, ndim(x))[0], _axes(axis2, ndim(x))[0]
    perm[i], perm[j] = perm[j], perm[i]
    return transpose(x, perm)


def squeeze(x: Any, axis: int | Sequence[int] | None = None) -> Any:
    """x without the length-1 ``axis`` (None: without every length-1 axis)."""
    s = shape(x)
    if axis is None:
        drop = {i for i, d in enumerate(s) if d == 1}
    else:
        drop = set(axes_in_order(axis, len(s)))
        if builtins.any(s[i] != 1 for i in drop):
            raise ValueError(
                "cannot select an axis to squeeze out which has size not equal to one, got "
                f"shape={s} and axis={axis}"
            )
    return reshape(x, tuple(d for i, d in enumerate(s) if i not in drop))


def expand_dims(x: Any, axis: int | Sequence[int]) -> Any:
    """x with a length-1 axis at each position ``axis`` names in the result."""
    n_new = 1 if isinstance(axis, int | _np.integer) else len(tuple(axis))
    nd = ndim(x) + n_new
    new = axes_in_order(axis, nd)
    old = iter(shape(x))
    return reshape(x, tuple(1 if k in new else next(old) for k in range(nd)))


def broadcast_to(array: Any, shape: int | Sequence[int], subok: bool = False) -> Any:
    """``array`` broadcast to ``shape`` (NumPy's and JAX's signature; an int is a 1-D shape)."""
    target = (int(shape),) if isinstance(shape, int | _np.integer) else tuple(int(d) for d in shape)
    return like_inputs(_broadcasting.broadcast_to(array, newshape=target), (array,))


def like_inputs(out: Any, inputs: Sequence[Any]) -> Any:
    """A plain NumPy result in the ndarray subclass of the first input that has one (an
    ``anp.Array``: so it keeps ``.at``, as JAX's arrays do). That is NumPy's own convention, which
    its ufuncs and ``reshape`` keep but ``np.stack``, ``np.concatenate``, ``np.where`` and
    ``np.broadcast_to`` do not."""
    if type(out) is not _np.ndarray:
        return out
    for a in inputs:
        if isinstance(a, _np.ndarray) and type(a) is not _np.ndarray:
            return out.view(type(a))
    return out


def concatenate(arrays: Sequence[Any], axis: int | None = 0, dtype: Any = None) -> Any:
    """The arrays joined along ``axis`` (None: flattened first), each in ``dtype`` if given."""
    arrays = [with_dtype(a, dtype) for a in arrays]
    joined = [ravel(a) for a in arrays] if axis is None else arrays
    ax = _axes(0 if axis is None else axis, ndim(joined[0]))[0]
    return like_inputs(_shape.concatenate(*joined, axis=ax), arrays)


def stack(arrays: Sequence[Any], axis: int = 0, out: None = None, dtype: Any = None) -> Any:
    """The arrays, of one shape, joined along a new ``axis``, each in ``dtype`` if given."""
    no_out(out)
    arrays = [with_dtype(a, dtype) for a in arrays]
    return like_inputs(_shape.stack(*arrays, axis=_axes(axis, ndim(arrays[0]) + 1)[0]), arrays)


def hstack(arrays: Sequence[Any], dtype: Any = None) -> Any:
    """The arrays (0-d ones as 1-D) joined along their first axis if 1-D, else their second."""
    arrays = [reshape(a, (1,)) if ndim(a) == 0 else a for a in arrays]
    return concatenate(arrays, axis=0 if ndim(arrays[0]) == 1 else 1, dtype=dtype)


def vstack(arrays: Sequence[Any], dtype: Any = None) -> Any:
    """The arrays (0-d and 1-D ones as rows) joined along their first axis."""
    rows = [reshape(a, (1, size(a))) if ndim(a) <= 1 else a for a in arrays]
    return concatenate(rows, axis=0, dtype=dtype)


def flip(x: Any, axis: int | None = None) -> Any:
    """x reversed along ``axis`` (None: along every axis)."""
    for a in _axes(axis, ndim(x)):
        x = _shape.flip(x, a)
    return x


def getitem(x: Any, index: Any) -> Any:
    """``x[index]``: basic slicing, integer arrays and boolean masks; integer arrays that vmap
    maps (one per index of the mapped axis) too."""
    if has_mapped_arrays(index):
        arrays, template = operand_index(index, ndim(x))
        return _shape.indexed(x, *arrays, template=template)
    return _shape.getitem(x, index=full_index(index, ndim(x)))


def has_mapped_arrays(index: Any) -> bool:
    """Whether ``index`` holds traced entries (index arrays that vmap maps, if it is valid)."""
    return any(isinstance(i, Traced) for i in (index if isinstance(index, tuple) else (index,)))


def operand_index(index: Any, x_ndim: int) -> tuple[tuple, tuple]:
    """A full index with integer arrays that vary along vmap's mapped axis (numbers, without a
    derivative) as the operands and template of :func:`admodes.rules.shape.indexed`: every index
    array an operand, so vmap gathers (and scatters) for every index at once. A traced index of
    any other kind is refused as in :func:`full_index`; a mapped boolean mask (its shape varies)
    or a ``None`` beside a mapped array makes vmap call the function once per index."""
    full = _shape.normalize_index(index, x_ndim)
    traced = [i for i in full if isinstance(i, Traced)]
    if not all(holds_numbers(i) and dtype_of(i).kind in "iu" for i in traced):
        full_index(index, x_ndim)  # raises: an index with a derivative
    if any(i is None or dtype_of(i).kind == "b" for i in full if not isinstance(i, int | slice)):
        raise ConcretizationError()
    return _shape.operands(full)


def full_index(index: Any, x_ndim: int) -> tuple:
    """``index`` checked (plain values only) and normalised to name every axis."""
    if any(isinstance(i, Traced) for i in (index if isinstance(index, tuple) else (index,))):
        raise TypeError(
            "an index must be a plain int, slice or array, not a traced value: derivatives with "
            "respect to an index do not exist. Use `anp.stop_gradient` on it, or compute the "
            "index with NumPy."
        )
    return _shape.normalize_index(index, x_ndim)


def astype(x: Any, dtype: Any, /, *, copy: bool = True) -> Any:
    """x converted to ``dtype``. A traced value converts to float and complex dtypes only: an
    integer or bool value has no derivative (numbers ``vmap`` maps, which carry none, convert to
    any)."""
    target = _np.dtype(dtype)
    if isinstance(x, Traced) and not holds_numbers(x):
        if not _np.issubdtype(target, _np.inexact):
            raise TypeError(
                f"astype({target}) of a traced value would drop its derivative: traced values "
                "convert to float dtypes only (float32, float64) or complex ones (complex64, "
                "complex128). To use the value as a constant on purpose, convert "
                f"`admodes.stop_gradient(x).astype({target})`."
            )
        if target == dtype_of(x):
            return x
    return _shape.astype(x, dtype=target)


def array(obj: Any, dtype: Any = None) -> Any:
    """An array from nested lists that may contain traced values (they are stacked)."""
    if isinstance(obj, Traced):
        return obj
    if isinstance(obj, list | tuple) and _contains_traced(obj):
        return stack([array(o) for o in obj], axis=0)
    return _np.array(obj, dtype=dtype)


asarray = array


def array_operand(x: Any) -> Any:
    """x as an array operand: a list or tuple (nested, perhaps holding traced values) as the
    array NumPy reads from it, anything else (an array, a scalar, a traced value) as it is."""
    return asarray(x) if isinstance(x, list | tuple) else x


def _contains_traced(obj: Any) -> bool:
    if isinstance(obj, Traced):
        return True
    return isinstance(obj, list | tuple) and builtins.any(_contains_traced(o) for o in obj)


def zeros_like(x: Any, dtype: Any = None) -> _np.ndarray:
    return _np.zeros_like(like_template(x), dtype=dtype)


def ones_like(x: Any, dtype: Any = None) -> _np.ndarray:
    return _np.ones_like(like_template(x), dtype=dtype)


def like_template(x: Any) -> Any:
    """What NumPy's ``*_like`` functions read of ``x``: its shape and dtype. A traced value is
    given as an empty array of those (one that vmap maps has no one plain value)."""
    return _np.empty(shape(x), dtype_of(x)) if isinstance(x, Traced) else x


def full_like(x: Any, fill_value: Any, dtype: Any = None) -> Any:
    """``numpy.full_like``; a traced ``fill_value`` is broadcast to x's shape, in x's dtype (or
    ``dtype``), differentiable in it as JAX's."""
    if isinstance(fill_value, Traced):
        return filled(fill_value, shape(x), dtype_of(x) if dtype is None else dtype)
    return _np.full_like(like_template(x), fill_value, dtype=dtype)


def filled(value: Any, dims: int | Sequence[int], dtype: Any = None) -> Any:
    """The (traced) ``value`` converted to ``dtype`` (None: its own) and broadcast to ``dims``:
    ``full`` with a traced fill value."""
    dims = (dims,) if isinstance(dims, int | _np.integer) else tuple(dims)
    return broadcast_to(value if dtype is None else astype(value, dtype), dims)


# ------------------------------------------------------------------------------ composites
def exp2(x: Any) -> Any:
    return power(2.0, x)


def reciprocal(x: Any) -> Any:
    return divide(1.0, x)


# ------------------------------------------------------------------------------ not differentiable
def _plain_fn(np_fn: Any) -> Any:
    def fn(*args: Any, **kwargs: Any) -> Any:
        if any(is_mapped(a) for a in args):
            return on_numbers(np_fn, args, kwargs)
        kwargs = {k: _plain_entries(v) for k, v in kwargs.items()}
        return np_fn(*map(_plain_entries, args), **kwargs)

    fn.__name__ = np_fn.__name__.lstrip("_")  # ``_argsort``: admodes' NumPy-level argsort
    fn.__doc__ = f"numpy.{fn.__name__} on plain values (not differentiable)."
    if np_fn.__module__.startswith("admodes"):
        fn.__doc__ += f" {np_fn.__doc__}"
    return fn


def _plain_entries(a: Any) -> Any:
    """An argument's primal values: of each entry of a tuple or list (``lexsort``'s keys)."""
    return type(a)(map(plain, a)) if type(a) in (tuple, list) else plain(a)


less = _plain_fn(_np.less)
less_equal = _plain_fn(_np.less_equal)
greater = _plain_fn(_np.greater)
greater_equal = _plain_fn(_np.greater_equal)
equal = _plain_fn(_np.equal)
not_equal = _plain_fn(_np.not_equal)
isfinite = _plain_fn(_np.isfinite)
isnan = _plain_fn(_np.isnan)
isinf = _plain_fn(_np.isinf)
logical_and = _plain_fn(_np.logical_and)
logical_or = _plain_fn(_np.logical_or)
logical_not = _plain_fn(_np.logical_not)
logical_xor = _plain_fn(_np.logical_xor)
isposinf = _plain_fn(_np.isposinf)
isneginf = _plain_fn(_np.isneginf)
argmax = _plain_fn(_np.argmax)
argmin = _plain_fn(_np.argmin)
nanargmax = _plain_fn(_np.nanargmax)
nanargmin = _plain_fn(_np.nanargmin)
array_equal = _plain_fn(_np.array_equal)
array_equiv = _plain_fn(_np.array_equiv)
isreal = _plain_fn(_np.isreal)
iscomplex = _plain_fn(_np.iscomplex)
allclose = _plain_fn(_np.allclose)
isclose = _plain_fn(_np.isclose)
isclose.__doc__ = "|a − b| ≤ atol + rtol·|b| elementwise, on plain values (not differentiable)."

# Questions about a value, its printed form and saving it: NumPy's, of the primal.
result_type = _plain_fn(_np.result_type)
can_cast = _plain_fn(_np.can_cast)
iterable = _plain_fn(_np.iterable)
einsum_path = _plain_fn(_np.einsum_path)
save = _plain_fn(_np.save)
savez = _plain_fn(_np.savez)


def isscalar(element: Any) -> bool:
    """Whether ``element`` is a scalar: NumPy's scalars and Python's, and, as in JAX (not NumPy),
    arrays and traced values with no axes."""
    if isinstance(element, _np.ndarray | Traced):
        return ndim(element) == 0
    return bool(_np.isscalar(element))


def array_repr(arr: Any, max_line_width: int | None = None, precision: int | None = None,
               suppress_small: bool | None = None) -> str:  # fmt: skip
    """NumPy's ``array(...)`` text of the values of arr (an array, a scalar or a traced value)."""
    return _np.array_repr(_np.asarray(plain(arr)), max_line_width, precision, suppress_small)


def array_str(a: Any, max_line_width: int | None = None, precision: int | None = None,
              suppress_small: bool | None = None) -> str:  # fmt: skip
    """NumPy's text of the values of a (an array, a scalar or a traced value)."""
    return _np.array_str(_np.asarray(plain(a)), max_line_width, precision, suppress_small)
