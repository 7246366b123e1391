"""JAX's ``jax.lax`` reductions, cumulative reductions, associative scans, sorting, top-k and dot
products, composed from ``admodes.numpy`` so both engines differentiate them with no new rules.

JAX's conventions, kept here: reduction axes are nonnegative and distinct, and a result keeps its
operand's dtype (an ``int32`` sum stays ``int32``); ``reduce_max``/``reduce_min`` share the
derivative evenly among tied entries; ``cummax``, ``cummin``, ``cumprod`` and ``cumlogsumexp`` are
JAX's parallel prefix scan (:func:`associative_scan`) of ``maximum``, ``minimum``, ``multiply``
and ``logaddexp``, the same tree of operations JAX differentiates, so their derivatives at ties
are JAX's (a tie splits ½–½ at each ``maximum`` of the tree); ``sort`` is stable, orders ``-0.0``
and ``0.0`` as equal and NaN last; ``top_k`` orders floats totally (``-0.0 < 0.0``, NaN above
``inf``) with the lower index first among equals; ``dot_general`` puts the batch dimensions first,
then ``lhs``'s free ones, then ``rhs``'s, in JAX's result dtype. Orders and indices are computed on
the primal values; the derivative follows the entries they pick (a gather by those indices).
"""

from __future__ import annotations

import enum
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index

import admodes.numpy as anp
from admodes import tree
from admodes.core import Traced, dtype_of, ndim, plain, shape
from admodes.lax._monoids import IDENTITY, all_bits, highest, in_dtype, lowest, one, zero

__all__ = [
    "approx_max_k",
    "approx_min_k",
    "argmax",
    "argmin",
    "associative_scan",
    "batch_matmul",
    "cumlogsumexp",
    "cummax",
    "cummin",
    "cumprod",
    "cumsum",
    "dot",
    "dot_general",
    "reduce",
    "reduce_and",
    "reduce_max",
    "reduce_min",
    "reduce_or",
    "reduce_prod",
    "reduce_sum",
    "reduce_xor",
    "sort",
    "sort_key_val",
    "top_k",
]

#: dtype kinds (``np.dtype.kind``) an operation accepts, and how its error message names them.
_NUMBERS = ("iufc", "subtypes of number")
_ORDERED = ("biufc", "bool or subtypes of number")
_LOGICAL = ("biu", "bool or integer")
_REAL_FLOATING = ("f", "real floating")


def _check_dtype(name: str, x: Any, accepted: tuple[str, str]) -> np.dtype:
    """x's dtype, if ``name`` accepts it."""
    dtype = dtype_of(x)
    kinds, described = accepted
    if dtype.kind not in kinds:
        raise TypeError(f"{name} does not accept dtype {dtype}. Accepted dtypes are {described}.")
    return dtype


def _axis(name: str, x: Any, axis: int) -> int:
    """A nonnegative axis of x (``jax.lax``'s reductions and scans take no negative axes)."""
    axis = operator.index(axis)
    if not 0 <= axis < ndim(x):
        raise ValueError(
            f"{name}: axis {axis} is out of bounds for an operand of shape {shape(x)}; jax.lax "
            f"takes an axis 0 <= axis < {ndim(x)} (no negative axes)"
        )
    return axis


# ------------------------------------------------------------------------------ reductions
def _reduce(
    name: str,
    fold: Callable[..., Any],
    identity: Callable[[np.dtype], Any],
    accepted: tuple[str, str],
    operand: Any,
    axes: Sequence[int],
) -> Any:
    """``fold(operand, axis=axes)`` in the operand's dtype, after JAX's checks; the identity
    where ``axes`` holds an empty axis."""
    dtype = _check_dtype(name, operand, accepted)
    try:
        axes = tuple(operator.index(a) for a in axes)
    except TypeError:
        raise TypeError(
            f"{name}: axes must be a sequence of ints, got {axes!r}; e.g. (0,) for the first axis"
        ) from None
    if len(set(axes)) != len(axes):
        raise ValueError(f"{name}: duplicate value in 'axes' of reduction: {axes}")
    if not all(0 <= a < ndim(operand) for a in axes):
        raise ValueError(
            f"{name}: reduction axes {axes} contain out-of-bounds indices for an operand of shape "
            f"{shape(operand)}; each axis must satisfy 0 <= axis < {ndim(operand)}"
        )
    if any(shape(operand)[a] == 0 for a in axes):
        kept = tuple(d for i, d in enumerate(shape(operand)) if i not in axes)
        return np.full(kept, identity(dtype))
    return in_dtype(fold(operand, axis=axes), dtype)


def _bitwise(ufunc: np.ufunc) -> Callable[..., Any]:
    """The fold of ``ufunc`` over ``axis``, on plain values (an integer result: no derivative)."""
    return lambda x, axis: ufunc.reduce(np.asarray(plain(x)), axis=axis)


def reduce_sum(operand: Any, axes: Sequence[int]) -> Any:
    """Σ of ``operand`` over ``axes`` (distinct, 0 ≤ axis < ndim), in the operand's dtype."""
    return _reduce("reduce_sum", anp.sum, zero, _NUMBERS, operand, axes)


def reduce_prod(operand: Any, axes: Sequence[int]) -> Any:
    """Π of ``operand`` over ``axes``, in its dtype; by pairwise products, so its derivative is
    exact where entries are zero (no division), as JAX's."""
    return _reduce("reduce_prod", anp.prod, one, _NUMBERS, operand, axes)


def reduce_max(operand: Any, axes: Sequence[int]) -> Any:
    """max of ``operand`` over ``axes`` (-inf over an empty axis); the derivative splits evenly
    among tied maxima, as JAX's: ∂ = [x = max] / #{x = max}."""
    return _reduce("reduce_max", anp.max, lowest, _ORDERED, operand, axes)


def reduce_min(operand: Any, axes: Sequence[int]) -> Any:
    """min of ``operand`` over ``axes`` (inf over an empty axis); ties share the derivative."""
    return _reduce("reduce_min", anp.min, highest, _ORDERED, operand, axes)


def reduce_and(operand: Any, axes: Sequence[int]) -> Any:
    """Bitwise AND (logical for bool) of ``operand`` over ``axes``; no derivative."""
    return _reduce("reduce_and", _bitwise(np.bitwise_and), all_bits, _LOGICAL, operand, axes)


def reduce_or(operand: Any, axes: Sequence[int]) -> Any:
    """Bitwise OR (logical for bool) of ``operand`` over ``axes``; no derivative."""
    return _reduce("reduce_or", _bitwise(np.bitwise_or), zero, _LOGICAL, operand, axes)


def reduce_xor(operand: Any, axes: Sequence[int]) -> Any:
    """Bitwise XOR (logical for bool) of ``operand`` over ``axes``; no derivative."""
    return _reduce("reduce_xor", _bitwise(np.bitwise_xor), zero, _LOGICAL, operand, axes)


#: The reduction of each computation ``reduce`` recognises (by identity; its identity value is
#: :data:`admodes.lax._monoids.IDENTITY`'s).
_REDUCTIONS: dict[Any, Callable[..., Any]] = {
    anp.add: reduce_sum,
    anp.multiply: reduce_prod,
    anp.maximum: reduce_max,
    anp.minimum: reduce_min,
    anp.bitwise_and: reduce_and,
    anp.bitwise_or: reduce_or,
    anp.bitwise_xor: reduce_xor,
}


def reduce(
    operands: Any,
    init_values: Any,
    computation: Callable[[Any, Any], Any],
    dimensions: Sequence[int],
) -> Any:
    """``computation`` folded over ``dimensions`` of one operand, starting from ``init_values``:
    ``reduce_sum`` for ``lax.add`` (``anp.add``), ``reduce_prod`` for ``lax.mul``, ``reduce_max``
    for ``lax.max``, ``reduce_min`` for ``lax.min`` and the bitwise reductions for
    ``bitwise_and``/``or``/``xor``. Returns a bare array, as JAX's for these computations.

    JAX asks for the identity as init value and leaves any other undefined. admodes applies any
    other once, ``computation(init, reduction)``, as JAX's CPU backend computes the value, and
    differentiates that value (in a traced init value too). JAX's derivative there is not that
    of its value: it pads its pairwise tree of ``computation`` with the init value (0, 1 or more
    times) and splits ties ½–½ at each node of the tree."""
    leaves, treedef = tree.flatten(operands)
    inits, init_def = tree.flatten(init_values)
    if treedef != init_def:
        raise ValueError(
            f"reduce: operands and init_values must have the same tree structure, got "
            f"{tree.describe(treedef)} and {tree.describe(init_def)}"
        )
    if computation not in _REDUCTIONS:
        raise NotImplementedError(
            f"reduce: computation {computation!r} is not supported; admodes recognises "
            "lax.add, lax.mul, lax.max, lax.min, lax.bitwise_and, lax.bitwise_or and "
            "lax.bitwise_xor (admodes.numpy's add, multiply, maximum, minimum, bitwise_*), the "
            "monoids JAX turns into reduce_sum, reduce_prod, ... Write other reductions with "
            "those, or as a Python loop"
        )
    if len(leaves) != 1:
        raise NotImplementedError(
            f"reduce of {len(leaves)} operands at once (a variadic reduction, whose computation "
            "takes tuples) is not supported; reduce each operand on its own"
        )
    (operand,), (init,) = leaves, inits
    reduction, identity = _REDUCTIONS[computation], IDENTITY[computation]
    init = _init_value(init, dtype_of(operand))
    out = reduction(operand, dimensions)
    if not isinstance(init, Traced) and np.equal(init, identity(dtype_of(operand))):
        return out
    return computation(init, out)


#: The dtype kinds a weakly typed Python scalar can stand in (as JAX's weak types).
_WEAK_KINDS = {bool: "biufc", int: "iufc", float: "fc", complex: "c"}


def _init_value(init: Any, dtype: np.dtype) -> Any:
    """``reduce``'s initial value as a scalar of the operand's ``dtype``: a Python scalar is
    converted to it where it holds the scalar's kind; any other value must have that dtype."""
    if ndim(init) != 0:
        raise ValueError(f"reduce found non-scalar initial value of shape {shape(init)}")
    if type(init) in _WEAK_KINDS:
        if dtype.kind in _WEAK_KINDS[type(init)]:
            try:
                return np.asarray(init, dtype)
            except OverflowError:
                pass
        raise TypeError(
            f"reduce: initial value {init!r} does not fit the operand's dtype {dtype}; pass an "
            "initial value of that dtype"
        )
    if dtype_of(init) != dtype:
        raise TypeError(
            "reduce operand dtypes should match corresponding initial value dtypes, got "
            f"{dtype} and {dtype_of(init)}"
        )
    return init


def _arg(name: str, pick: Callable[..., Any], operand: Any, axis: int, index_dtype: Any) -> Any:
    """``pick`` (np.argmax or np.argmin) along ``axis``, after JAX's checks."""
    index_dtype = np.dtype(index_dtype)
    if index_dtype.kind not in "iu":
        raise TypeError(f"{name}: index_dtype must be an integer type, but got {index_dtype}")
    _check_dtype(name, operand, ("biuf", "bool, integer or real floating"))
    axis = _axis(name, operand, axis)
    if shape(operand)[axis] == 0:
        raise ValueError(
            f"argmin and argmax require non-empty reduced dimension. "
            f"operand.shape={shape(operand)} axis={axis}"
        )
    return np.asarray(pick(plain(operand), axis=axis)).astype(index_dtype)


def argmax(operand: Any, axis: int, index_dtype: Any) -> Any:
    """Index of the maximum along ``axis`` (0 ≤ axis < ndim): the first of tied maxima, the
    first NaN if any, as ``index_dtype``; no derivative."""
    return _arg("argmax", np.argmax, operand, axis, index_dtype)


def argmin(operand: Any, axis: int, index_dtype: Any) -> Any:
    """Index of the minimum along ``axis``: the first of tied minima, the first NaN if any."""
    return _arg("argmin", np.argmin, operand, axis, index_dtype)


# ------------------------------------------------------------------------------ scans
def _slice(x: Any, axis: int, start: int | None, stop: int | None, step: int = 1) -> Any:
    """x[start:stop:step] along ``axis``."""
    return x[(slice(None),) * axis + (slice(start, stop, step),)]


def _interleave(a: Any, b: Any, axis: int) -> Any:
    """a₀, b₀, a₁, b₁, … along ``axis`` (a has as many entries as b, or one more)."""
    m = shape(b)[axis]
    pairs = anp.stack([_slice(a, axis, 0, m), b], axis=axis + 1)
    merged = anp.reshape(pairs, (*shape(b)[:axis], 2 * m, *shape(b)[axis + 1 :]))
    if shape(a)[axis] == m:
        return merged
    return anp.concatenate([merged, _slice(a, axis, m, None)], axis=axis)


def _prefix_scan(combine: Callable[[list, list], list], elems: list, axis: int) -> list:
    """The inclusive scan of ``elems`` (a list of leaves) along ``axis``, by JAX's recursion:
    combine adjacent pairs, scan those (the odd entries), then combine each odd entry with the
    next even one; entry 0 is kept."""
    n = shape(elems[0])[axis]
    if n < 2:
        return elems
    pairs = combine(
        [_slice(e, axis, 0, -1, 2) for e in elems], [_slice(e, axis, 1, None, 2) for e in elems]
    )
    odd = _prefix_scan(combine, pairs, axis)
    before = [_slice(e, axis, 0, -1) for e in odd] if n % 2 == 0 else odd
    even = combine(before, [_slice(e, axis, 2, None, 2) for e in elems])
    even = [
        anp.concatenate([_slice(e, axis, 0, 1), r], axis=axis)
        for e, r in zip(elems, even, strict=True)
    ]
    return [_interleave(e, o, axis) for e, o in zip(even, odd, strict=True)]


def associative_scan(
    fn: Callable[[Any, Any], Any], elems: Any, reverse: bool = False, axis: int = 0
) -> Any:
    """The inclusive scan of the associative ``fn`` over ``axis`` of the pytree ``elems``:
    out[k] = fn(…fn(fn(e₀, e₁), e₂)…, eₖ) (with ``reverse``: out[k] = fn(…fn(eₙ₋₁, eₙ₋₂)…, eₖ)).
    ``fn`` takes and returns pytrees like ``elems`` whose leaves have the scanned axis; it is
    applied in JAX's order (a parallel prefix scan, ⌈log₂ n⌉ levels deep), so values and
    derivatives are JAX's."""
    if not callable(fn):
        raise TypeError(f"associative_scan: fn must be callable, got {fn!r}")
    leaves, treedef = tree.flatten(elems)
    if not leaves:
        raise ValueError("associative_scan: elems holds no arrays; pass an array or a pytree")
    axis = normalize_axis_index(axis, ndim(leaves[0]), "associative_scan")
    lengths = [shape(leaf)[axis] if ndim(leaf) > axis else None for leaf in leaves]
    if len(set(lengths)) != 1:
        raise ValueError(
            f"associative_scan: every leaf of elems needs axis {axis} of one length; got shapes "
            f"{[shape(leaf) for leaf in leaves]}"
        )

    def combine(a: list, b: list) -> list:
        out = tree.leaves(fn(tree.unflatten(treedef, a), tree.unflatten(treedef, b)))
        if len(out) != len(a):
            raise TypeError(
                f"associative_scan: fn returned {len(out)} arrays for elems of {len(a)}; it must "
                "return a pytree like its inputs"
            )
        return out

    if reverse:
        leaves = [anp.flip(leaf, axis) for leaf in leaves]
    scanned = _prefix_scan(combine, leaves, axis)
    if reverse:
        scanned = [anp.flip(leaf, axis) for leaf in scanned]
    return tree.unflatten(treedef, scanned)


def _cumulative(
    name: str,
    scan: Callable[..., Any],
    accepted: tuple[str, str],
    operand: Any,
    axis: int,
    reverse: bool,
) -> Any:
    """``scan(x, axis=axis)`` of the operand (of its reverse along ``axis``, reversed back, with
    ``reverse``), in its dtype, after JAX's checks."""
    dtype = _check_dtype(name, operand, accepted)
    axis = _axis(name, operand, axis)
    if reverse:
        return anp.flip(in_dtype(scan(anp.flip(operand, axis), axis=axis), dtype), axis)
    return in_dtype(scan(operand, axis=axis), dtype)


def _scan_of(fn: Callable[[Any, Any], Any]) -> Callable[..., Any]:
    """The associative scan of ``fn``, as JAX differentiates its cumulative reductions."""
    return lambda x, axis: associative_scan(fn, x, axis=axis)


def cumsum(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """out[i] = Σ_{j ≤ i} x[j] along ``axis`` (j ≥ i with ``reverse``), in x's dtype."""
    return _cumulative("cumsum", anp.cumsum, _NUMBERS, operand, axis, reverse)


def cumprod(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """out[i] = Π_{j ≤ i} x[j] along ``axis``; exact where entries are zero (no division)."""
    return _cumulative("cumprod", _scan_of(anp.multiply), _NUMBERS, operand, axis, reverse)


def cummax(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """out[i] = max_{j ≤ i} x[j] along ``axis``; at ties the derivative is JAX's: split ½–½ at
    each ``maximum`` of the associative scan's tree."""
    return _cumulative("cummax", _scan_of(anp.maximum), _NUMBERS, operand, axis, reverse)


def cummin(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """out[i] = min_{j ≤ i} x[j] along ``axis``; ties as :func:`cummax`."""
    return _cumulative("cummin", _scan_of(anp.minimum), _NUMBERS, operand, axis, reverse)


def cumlogsumexp(operand: Any, axis: int = 0, reverse: bool = False) -> Any:
    """out[i] = log Σ_{j ≤ i} exp(x[j]) along ``axis``, by ``logaddexp`` (no overflow)."""
    scan = _scan_of(anp.logaddexp)
    return _cumulative("cumlogsumexp", scan, _REAL_FLOATING, operand, axis, reverse)


# ------------------------------------------------------------------------------ sorting
def _sort_keys(keys: Sequence[Any]) -> list[np.ndarray]:
    """The plain keys, a complex one split into its real and imaginary parts (JAX's
    lexicographic order of complex numbers)."""
    out = []
    for key in keys:
        key = np.asarray(plain(key))
        out.extend((key.real, key.imag) if key.dtype.kind == "c" else (key,))
    return out


def sort(operand: Any, dimension: int = -1, is_stable: bool = True, num_keys: int = 1) -> Any:
    """``operand`` sorted along ``dimension``; a tuple or list of arrays of one shape is sorted
    together, lexicographically by the first ``num_keys`` (the first primary), and returned as a
    tuple. Ascending, -0.0 equal to 0.0, NaN last, complex by (real, imaginary); always stable
    (``is_stable`` is accepted: a stable order is a valid unstable one). Each entry keeps its
    derivative in its sorted place."""
    if not isinstance(operand, (tuple, list)):
        if num_keys != 1:
            raise ValueError(f"sort: num_keys={num_keys} must equal 1 for a single operand")
        return sort((operand,), dimension, is_stable, num_keys)[0]
    if not operand:
        raise TypeError("sort requires at least one operand")
    if not 1 <= num_keys <= len(operand):
        raise ValueError(f"sort: num_keys={num_keys} must be between 1 and {len(operand)}")
    if len({shape(x) for x in operand}) != 1:
        raise TypeError(
            f"Arguments to sort must have equal shapes, got: {[shape(x) for x in operand]}"
        )
    dimension = normalize_axis_index(dimension, ndim(operand[0]), "sort")
    order = np.lexsort(_sort_keys(operand[:num_keys])[::-1], axis=dimension)
    return tuple(anp.take_along_axis(x, order, axis=dimension) for x in operand)


def sort_key_val(
    keys: Any, values: Any, dimension: int = -1, is_stable: bool = True
) -> tuple[Any, Any]:
    """(keys sorted along ``dimension``, values in the same order): :func:`sort` of the pair
    with one key."""
    return sort((keys, values), dimension, is_stable, num_keys=1)


def _total_order(x: np.ndarray) -> np.ndarray:
    """Integer keys ordering floats totally, as XLA's top-k: -NaN < -inf < … < -0.0 < 0.0 < … <
    inf < NaN (integers and bools are their own keys)."""
    if x.dtype.kind != "f":
        return x
    bits = x.view(np.dtype(f"i{x.dtype.itemsize}"))
    return np.where(bits < 0, bits ^ np.iinfo(bits.dtype).max, bits)


def _largest_first(keys: np.ndarray, axis: int) -> np.ndarray:
    """The order of ``keys`` along ``axis`` from largest to smallest, the lower index first among
    equals (a stable sort of the reversed keys, reversed)."""
    n = keys.shape[axis]
    reversed_order = np.argsort(np.flip(keys, axis), axis=axis, kind="stable")
    return n - 1 - np.flip(reversed_order, axis)


def _first(operand: Any, order: np.ndarray, k: int, axis: int) -> list[Any]:
    """[the entries in ``order``'s first k places along ``axis``, their int32 indices] (a list,
    as JAX's top-k primitives return)."""
    indices = _slice(order, axis, 0, k)
    return [anp.take_along_axis(operand, indices, axis=axis), indices.astype(np.int32)]


def top_k(operand: Any, k: int, *, axis: int = -1) -> list[Any]:
    """[values, indices] of the k largest entries along ``axis``, largest first, the lower index
    first among equals, in XLA's total order of floats (-0.0 < 0.0, NaN largest, -NaN
    smallest); indices int32. The derivative gathers the chosen entries'."""
    if dtype_of(operand).kind == "c":
        raise ValueError("top_k is not compatible with complex inputs.")
    k = operator.index(k)
    if k < 0:
        raise ValueError(f"k argument to top_k must be nonnegative, got {k}")
    axis = normalize_axis_index(axis, ndim(operand), "top_k")
    if shape(operand)[axis] < k:
        raise ValueError(
            f"k argument to top_k must be no larger than size along axis; got k={k} with "
            f"shape={shape(operand)} and axis={axis}"
        )
    order = _largest_first(_total_order(np.asarray(plain(operand))), axis)
    return _first(operand, order, k, axis)


# XLA's reduce-window tilings of the approximate top-k (rank 1, and rank 2 and more).
_CHUNK_TILING, _LANE_TILING = 1024, 128


def _approx_output_size(n: int, rank: int, k: int, recall_target: float, override: int) -> int:
    """How many entries XLA's approximate top-k keeps without aggregating to k (XLA's
    ``ApproxTopKReductionOutputSize``): windows enough to meet ``recall_target``, whole tiles."""
    tiling = _CHUNK_TILING if rank == 1 else _LANE_TILING
    if n <= tiling:
        return n
    if 0 <= override < n:
        raise ValueError(
            f"reduction_input_size_override={override} must be at least the size {n} of the "
            "reduction dimension"
        )
    logical = override if override >= 0 else n
    if k == 1:
        return tiling
    if recall_target == 1.0:
        return n
    recall = float(np.float32(recall_target))  # XLA takes it as a float32
    windows = min(max(int((1.0 - k) / math.log(recall)), tiling), n)
    log2_reduction = (logical // windows).bit_length() - 1  # ⌊log₂(logical // windows)⌋
    if log2_reduction <= 0:
        return n
    log2_reduction = min(log2_reduction, (n // tiling - 1).bit_length())  # ⌈log₂(n // tiling)⌉
    return _ceil_div(_ceil_div(n, tiling), 1 << log2_reduction) * tiling


def _ceil_div(a: int, b: int) -> int:
    """⌈a / b⌉ for positive integers."""
    return -(-a // b)


def _approx_k(
    name: str,
    largest: bool,
    operand: Any,
    k: int,
    reduction_dimension: int,
    recall_target: float,
    reduction_input_size_override: int,
    aggregate_to_topk: bool,
) -> list[Any]:
    """The exact result JAX's CPU backend gives for ``approx_max_k``/``approx_min_k``: the k
    largest or smallest entries in order, ties (-0.0 = 0.0 too) the lower index first. Without
    ``aggregate_to_topk``, as many as XLA's approximate reduction keeps (all of them where its
    size exceeds the axis: JAX fails there)."""
    k = operator.index(k)
    if k <= 0:
        raise ValueError(f"{name}: k must be positive, got {k}")
    if ndim(operand) == 0:
        raise TypeError(f"{name}: operand must have >= 1 dimension, got {shape(operand)}")
    axis = normalize_axis_index(reduction_dimension, ndim(operand), name)
    n = shape(operand)[axis]
    if n < k:
        raise ValueError(f"{name}: k must be smaller than the size of reduction_dim {n}, got {k}")
    if dtype_of(operand).kind != "f":
        raise ValueError(f"{name}: operand must be a floating type, got {dtype_of(operand)}")
    if not 0.0 < recall_target <= 1.0:
        raise ValueError(f"{name}: recall_target must be in (0, 1], got {recall_target}")
    if not aggregate_to_topk:
        k = _approx_output_size(
            n, ndim(operand), k, recall_target, operator.index(reduction_input_size_override)
        )
    keys = np.asarray(plain(operand))
    order = _largest_first(keys, axis) if largest else np.argsort(keys, axis=axis, kind="stable")
    return _first(operand, order, k, axis)


def approx_max_k(
    operand: Any,
    k: int,
    reduction_dimension: int = -1,
    recall_target: float = 0.95,
    reduction_input_size_override: int = -1,
    aggregate_to_topk: bool = True,
) -> list[Any]:
    """[values, int32 indices] of the k largest entries along ``reduction_dimension``, largest
    first: exact, as JAX's on CPU (ties the lower index first; -0.0 equal to 0.0)."""
    return _approx_k(
        "approx_max_k",
        True,
        operand,
        k,
        reduction_dimension,
        recall_target,
        reduction_input_size_override,
        aggregate_to_topk,
    )


def approx_min_k(
    operand: Any,
    k: int,
    reduction_dimension: int = -1,
    recall_target: float = 0.95,
    reduction_input_size_override: int = -1,
    aggregate_to_topk: bool = True,
) -> list[Any]:
    """[values, int32 indices] of the k smallest entries along ``reduction_dimension``,
    smallest first: exact, as JAX's on CPU."""
    return _approx_k(
        "approx_min_k",
        False,
        operand,
        k,
        reduction_dimension,
        recall_target,
        reduction_input_size_override,
        aggregate_to_topk,
    )


# ------------------------------------------------------------------------------ dot products
def _type_rank(dtype: np.dtype) -> tuple:
    """XLA's order of dtypes for a mixed dot product: complex, exponent range, mantissa, bit
    width, signed (``HigherPrecisionType``)."""
    real = np.finfo(dtype).dtype if dtype.kind == "c" else dtype
    floating = real.kind == "f"
    return (
        dtype.kind == "c",
        np.finfo(real).maxexp if floating else -1,
        np.finfo(real).nmant if floating else -1,
        _bit_width(real),
        real.kind != "u",
    )


def _bit_width(dtype: np.dtype) -> int:
    """Bits of a real dtype (1 for bool)."""
    return 1 if dtype.kind == "b" else dtype.itemsize * 8


def _dot_dtype(lhs: Any, rhs: Any, preferred_element_type: Any) -> tuple[np.dtype, np.dtype]:
    """JAX's result dtype of ``dot_general``, and the dtype to compute it in."""
    lhs_dtype, rhs_dtype = dtype_of(lhs), dtype_of(rhs)
    lhs_rank, rhs_rank = _type_rank(lhs_dtype), _type_rank(rhs_dtype)
    if lhs_rank == rhs_rank and lhs_dtype != rhs_dtype:
        raise TypeError(f"lax.dot_general argument type error: {lhs_dtype}, {rhs_dtype}")
    result = lhs_dtype if lhs_rank >= rhs_rank else rhs_dtype
    if preferred_element_type is None or np.dtype(preferred_element_type) == result:
        return result, result
    preferred = np.dtype(preferred_element_type)
    if result.kind != "f" and _bit_width(preferred) < _bit_width(result):
        raise TypeError(
            "`preferred_element_type` must not be narrower than the original type, got "
            f"preferred_element_type of {preferred} for result type of {result}."
        )
    return preferred, np.promote_types(result, preferred)


def _dimension_numbers(dimension_numbers: Any) -> tuple[tuple[int, ...], ...]:
    """``((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch))`` as four int tuples."""
    try:
        (lc, rc), (lb, rb) = dimension_numbers
        return tuple(tuple(operator.index(d) for d in dims) for dims in (lc, rc, lb, rb))
    except (TypeError, ValueError):
        raise TypeError(
            "dot_general: dimension_numbers must be ((lhs_contracting, rhs_contracting), "
            f"(lhs_batch, rhs_batch)), each a sequence of ints; got {dimension_numbers!r}"
        ) from None


def _check_dimension_numbers(
    lhs: Any, rhs: Any, lc: tuple, rc: tuple, lb: tuple, rb: tuple
) -> None:
    """JAX's checks of dot_general's dimension numbers against the operands' shapes."""
    for side, x, contracting, batch in (("lhs", lhs, lc, lb), ("rhs", rhs, rc, rb)):
        if not all(0 <= d < ndim(x) for d in contracting + batch):
            raise TypeError(
                f"dot_general requires {side} dimension numbers to be nonnegative and less than "
                f"the number of axes of the {side} value, got {side}_batch of {batch} and "
                f"{side}_contracting of {contracting} for {side} of rank {ndim(x)}"
            )
    if len(lb) != len(rb):
        raise TypeError(
            "dot_general requires equal numbers of lhs_batch and rhs_batch dimensions, got "
            f"lhs_batch {lb} and rhs_batch {rb}."
        )
    for what, dims in (
        ("lhs batch", lb),
        ("rhs batch", rb),
        ("lhs contracting", lc),
        ("rhs contracting", rc),
    ):
        if len(set(dims)) != len(dims):
            raise TypeError(f"dot_general requires {what} dimensions to be distinct, got {dims}.")
    for side, contracting, batch in (("lhs", lc, lb), ("rhs", rc, rb)):
        if set(contracting) & set(batch):
            raise TypeError(
                f"dot_general requires {side} batch dimensions to be disjoint from contracting "
                f"dimensions, got {side}_batch {batch} and {side}_contracting {contracting}."
            )
    for what, ld, rd in (("batch dimensions", lb, rb), ("contracting dimensions", lc, rc)):
        lhs_sizes = tuple(shape(lhs)[d] for d in ld)
        rhs_sizes = tuple(shape(rhs)[d] for d in rd)
        if lhs_sizes != rhs_sizes:
            raise TypeError(
                f"dot_general requires lhs {what} and rhs {what} to have the same shape, got "
                f"{lhs_sizes} and {rhs_sizes}."
            )


class Precision(enum.Enum):
    """JAX's names for the precision of a product on an accelerator; on the CPU, in NumPy, every
    product is computed in full precision, so each is accepted and none changes a result."""

    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2


def dot_general(
    lhs: Any,
    rhs: Any,
    dimension_numbers: Any,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """The contraction out[b…, i…, j…] = Σ_c lhs[b…, i…, c…] rhs[b…, c…, j…] over the contracting
    dimensions c, the batch dimensions b paired (``dimension_numbers = ((lhs_contracting,
    rhs_contracting), (lhs_batch, rhs_batch))``); the result holds the batch dimensions, then
    lhs's free ones, then rhs's, each in order (JAX's layout), in JAX's result dtype or
    ``preferred_element_type``. One ``einsum``; ``precision`` is accepted for JAX's signature
    (NumPy computes in full precision)."""
    lc, rc, lb, rb = _dimension_numbers(dimension_numbers)
    _check_dimension_numbers(lhs, rhs, lc, rc, lb, rb)
    out_dtype, compute_dtype = _dot_dtype(lhs, rhs, preferred_element_type)
    letters = iter("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
    lhs_terms = [next(letters) for _ in range(ndim(lhs))]
    rhs_terms = [None] * ndim(rhs)
    for ld, rd in zip(lc + lb, rc + rb, strict=True):
        rhs_terms[rd] = lhs_terms[ld]
    rhs_terms = [t if t is not None else next(letters) for t in rhs_terms]
    out_terms = (
        [lhs_terms[d] for d in lb]
        + [t for d, t in enumerate(lhs_terms) if d not in lc + lb]
        + [t for d, t in enumerate(rhs_terms) if d not in rc + rb]
    )
    subscripts = f"{''.join(lhs_terms)},{''.join(rhs_terms)}->{''.join(out_terms)}"
    out = anp.einsum(subscripts, in_dtype(lhs, compute_dtype), in_dtype(rhs, compute_dtype))
    return in_dtype(out, out_dtype)


def dot(
    lhs: Any,
    rhs: Any,
    *,
    dimension_numbers: Any = None,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """:func:`dot_general`; without ``dimension_numbers``, the vector/matrix product of 1-d and
    2-d operands: out = Σ_k lhs[..., k] rhs[k, ...]."""
    if dimension_numbers is None:
        if not (1 <= ndim(lhs) <= 2 and 1 <= ndim(rhs) <= 2 and shape(lhs)[-1] == shape(rhs)[0]):
            raise ValueError(
                "lax.dot: dimension_numbers must be specified when not performing simple "
                "un-batched matrix-matrix, matrix-vector, or vector-vector products; got "
                f"lhs_shape={shape(lhs)} rhs_shape={shape(rhs)}"
            )
        dimension_numbers = (((ndim(lhs) - 1,), (0,)), ((), ()))
    return dot_general(lhs, rhs, dimension_numbers, precision, preferred_element_type)


def batch_matmul(lhs: Any, rhs: Any, precision: Any = None) -> Any:
    """out[b…, i, j] = Σ_k lhs[b…, i, k] rhs[b…, k, j]: operands of one rank ≥ 2, the leading
    dimensions batch dimensions."""
    if min(ndim(lhs), ndim(rhs)) < 2:
        raise ValueError(
            f"Arguments to batch_matmul must be at least 2D, got {ndim(lhs)}, {ndim(rhs)}"
        )
    if ndim(lhs) != ndim(rhs):
        raise ValueError(
            f"Arguments to batch_matmul must have same ndim, got {ndim(lhs)}, {ndim(rhs)}"
        )
    batch = tuple(range(ndim(lhs) - 2))
    contracting = ((ndim(lhs) - 1,), (ndim(rhs) - 2,))
    return dot_general(lhs, rhs, (contracting, (batch, batch)), precision)
