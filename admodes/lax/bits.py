"""``jax.lax``'s bit operations, bitcasts, ``reduce_precision``, ``optimization_barrier``,
``broadcast_shapes`` and ``ragged_dot``, with JAX's values and JAX's derivatives by both engines.

- ``shift_left``, ``shift_right_logical``, ``shift_right_arithmetic``, ``population_count``,
  ``clz`` and ``mulhi`` take integers (signed or unsigned; not bool, not floats) and give XLA's
  results: a shift count ≥ the bit width, or negative (XLA reads it unsigned), shifts every bit
  out (0, or the sign bit repeated for ``shift_right_arithmetic``, which also sign-extends an
  unsigned operand's top bit). Their results are integers: constants to every transform, as
  JAX's zero derivatives (a traced value is a float, so it is refused with a TypeError);
- ``bitcast_convert_type`` reinterprets the bits (little-endian, as XLA on CPU), with JAX's shape
  rules; it has no derivative (JAX's is zero), so its result is a constant even from floats;
- ``reduce_precision`` rounds floats to a narrower format as XLA does; it is a registry primitive
  of its own (``reduce_precision``) because JAX differentiates it as a linear map: the tangent
  and the cotangent are rounded the same way;
- ``optimization_barrier`` is the identity (admodes compiles nothing), ``broadcast_shapes`` is
  shape arithmetic, and ``ragged_dot`` is a composition of ``admodes.numpy``'s ``where`` and
  ``einsum`` (through :func:`admodes.lax.reductions.dot_general`), so both engines
  differentiate it in ``lhs`` and ``rhs``.

As elsewhere in ``admodes.lax``, the binary integer operations broadcast and promote their operands
as ``admodes.numpy`` does, where ``jax.lax`` requires one shape and one dtype (a superset).
"""

from __future__ import annotations

import operator
from collections.abc import Sequence
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import Traced, dtype_of, ndim, plain, shape
from admodes.lax.elementwise import numeric_dtype
from admodes.lax.reductions import dot_general
from admodes.lax.slicing import shape_like
from admodes.registry import defbatch, defprim
from admodes.rules.batching import elementwise

__all__ = [
    "bitcast_convert_type",
    "broadcast_shapes",
    "clz",
    "mulhi",
    "optimization_barrier",
    "population_count",
    "ragged_dot",
    "reduce_precision",
    "shift_left",
    "shift_right_arithmetic",
    "shift_right_logical",
]

#: The unsigned and signed integer dtypes of each width in bytes.
_UNSIGNED = {1: np.dtype(np.uint8), 2: np.dtype(np.uint16), 4: np.dtype(np.uint32),
             8: np.dtype(np.uint64)}  # fmt: skip
_SIGNED = {1: np.dtype(np.int8), 2: np.dtype(np.int16), 4: np.dtype(np.int32),
           8: np.dtype(np.int64)}  # fmt: skip


# ---------------------------------------------------------------------------- integer operands
def _value(x: Any) -> Any:
    """x's plain value: a Python scalar stays one (weak in promotion), anything else an array in
    native byte order (the bit operations read its bytes)."""
    p = plain(x)
    if isinstance(p, bool | int | float | complex):
        return p
    a = np.asarray(p)
    return a if a.dtype.isnative else a.astype(a.dtype.newbyteorder("="))


def _check_integer(name: str, what: str, x: Any) -> None:
    """A TypeError unless x has a (signed or unsigned) integer dtype, as ``jax.lax``'s."""
    dtype = dtype_of(_value(x))
    if dtype.kind in "iu":
        return
    hint = (
        " A traced value is a float: it carries a derivative. To use its value as integers on "
        "purpose, convert `admodes.stop_gradient(x).astype(int)`."
        if isinstance(x, Traced)
        else " Convert it first, e.g. `lax.convert_element_type(x, np.int32)`."
    )
    raise TypeError(
        f"{name}: {what} must have an integer dtype (int8 ... int64, uint8 ... uint64), as in "
        f"jax.lax; got {dtype}.{hint}"
    )


def _integers(name: str, *operands: Any) -> list[np.ndarray]:
    """The operands, checked to be integers, as arrays of their promoted dtype (a Python int is
    weak: it takes the other operand's dtype)."""
    names = ("x", "y") if len(operands) == 2 else ("x",)
    for what, x in zip(names, operands, strict=True):
        _check_integer(name, what, x)
    values = [_value(x) for x in operands]
    dtype = np.result_type(*values)
    if dtype.kind not in "iu":  # uint64 with a signed dtype: NumPy promotes them to float64
        raise TypeError(
            f"{name}: operands of dtypes {', '.join(str(dtype_of(v)) for v in values)} have no "
            f"common integer dtype (NumPy promotes them to {dtype}); convert them to one dtype"
        )
    return [np.asarray(v, dtype) for v in values]


def _scalar_or_array(x: np.ndarray) -> Any:
    """A 0-d result as a NumPy scalar (as NumPy gives), any other as the array."""
    return x[()] if x.ndim == 0 else x


def _shift_count(x: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(whether y shifts every bit out, y clipped into range): XLA reads the count as unsigned, so
    a negative one is as large as any ≥ the bit width."""
    width = x.dtype.itemsize * 8
    out_of_range = (y < 0) | (y >= width)
    return out_of_range, np.where(out_of_range, 0, y).astype(x.dtype)


def shift_left(x: Any, y: Any) -> Any:
    """x << y on integers, bits shifted out of the top dropped (wrapping, as C on unsigned); 0
    where the count y is ≥ the bit width or negative (XLA's). No derivative (integers)."""
    x, y = _integers("shift_left", x, y)
    out_of_range, count = _shift_count(x, y)
    return _scalar_or_array(np.where(out_of_range, x.dtype.type(0), np.left_shift(x, count)))


def shift_right_logical(x: Any, y: Any) -> Any:
    """x >> y with zeros shifted in at the top (a signed x read as its unsigned bits); 0 where
    the count y is ≥ the bit width or negative (XLA's). No derivative (integers)."""
    x, y = _integers("shift_right_logical", x, y)
    out_of_range, count = _shift_count(x, y)
    unsigned = _UNSIGNED[x.dtype.itemsize]
    shifted = np.right_shift(x.view(unsigned), count.astype(unsigned)).view(x.dtype)
    return _scalar_or_array(np.where(out_of_range, x.dtype.type(0), shifted))


def shift_right_arithmetic(x: Any, y: Any) -> Any:
    """x >> y with the top (sign) bit repeated at the top, an unsigned x's top bit too (XLA's);
    where the count y is ≥ the bit width or negative, every bit is the top bit (−1 or 0, for
    unsigned its all-ones value or 0). No derivative (integers)."""
    x, y = _integers("shift_right_arithmetic", x, y)
    out_of_range, count = _shift_count(x, y)
    signed = _SIGNED[x.dtype.itemsize]
    count = np.where(out_of_range, x.dtype.itemsize * 8 - 1, count).astype(signed)
    return _scalar_or_array(np.right_shift(x.view(signed), count).view(x.dtype))


#: The number of set bits of every byte value.
_BYTE_POPCOUNT = np.array([bin(b).count("1") for b in range(256)], np.uint8)


def population_count(x: Any) -> Any:
    """The number of set bits of each integer (of a negative one, of its two's complement
    bits: −1 has all of them), in x's dtype. No derivative (integers)."""
    (x,) = _integers("population_count", x)
    as_bytes = np.ascontiguousarray(x).reshape(-1).view(np.uint8)
    counts = _BYTE_POPCOUNT[as_bytes].reshape(*x.shape, x.dtype.itemsize).sum(-1)
    return _scalar_or_array(counts.astype(x.dtype))


def clz(x: Any) -> Any:
    """The number of leading zero bits of each integer: the bit width for 0, 0 for a negative
    one (its top bit is set), width − 1 − ⌊log₂ x⌋ otherwise; in x's dtype. No derivative."""
    (x,) = _integers("clz", x)
    width = x.dtype.itemsize * 8
    rest = x.view(_UNSIGNED[x.dtype.itemsize])
    length = np.zeros(x.shape, np.int64)  # bit length, found by halving: 32, 16, ..., 1
    step = width // 2
    while step:
        high = np.right_shift(rest, rest.dtype.type(step))
        above = high != 0
        length += np.where(above, step, 0)
        rest = np.where(above, high, rest)
        step //= 2
    length += rest != 0
    return _scalar_or_array((width - length).astype(x.dtype))


def _mulhi_64(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """The high 64 bits of the 128-bit product of two 64-bit integers, from 32-bit halves (the
    signed product: the unsigned one less y where x < 0 and x where y < 0, mod 2⁶⁴)."""
    u = np.dtype(np.uint64)
    a, b = x.view(u), y.view(u)
    low, half = u.type(0xFFFFFFFF), u.type(32)
    a_lo, a_hi = a & low, np.right_shift(a, half)
    b_lo, b_hi = b & low, np.right_shift(b, half)
    lo_lo, hi_lo, lo_hi = a_lo * b_lo, a_hi * b_lo, a_lo * b_hi
    middle = np.right_shift(lo_lo, half) + (hi_lo & low) + lo_hi  # < 2⁶⁴: no carry lost
    high = a_hi * b_hi + np.right_shift(hi_lo, half) + np.right_shift(middle, half)
    if x.dtype.kind == "i":
        high = high - np.where(x < 0, b, u.type(0)) - np.where(y < 0, a, u.type(0))
    return high.view(x.dtype)


def mulhi(x: Any, y: Any, /) -> Any:
    """The upper N bits of the 2N-bit product x·y of N-bit integers (signed: ⌊x·y / 2ᴺ⌋;
    unsigned: x·y >> N), in their dtype. No derivative (integers)."""
    x, y = _integers("mulhi", x, y)
    x, y = np.broadcast_arrays(x, y)
    width = x.dtype.itemsize * 8
    with np.errstate(over="ignore"):  # unsigned arithmetic wraps, by design
        if width == 64:
            high = _mulhi_64(np.ascontiguousarray(x), np.ascontiguousarray(y))
        else:
            wide = np.int64 if x.dtype.kind == "i" else np.uint64  # the exact product
            product = x.astype(wide) * y.astype(wide)
            high = np.right_shift(product, product.dtype.type(width)).astype(x.dtype)
    return _scalar_or_array(np.asarray(high))


# ---------------------------------------------------------------------------- bitcast
def bitcast_convert_type(operand: Any, new_dtype: Any) -> Any:
    """operand's bits read as ``new_dtype`` (little-endian, as XLA on CPU). Shapes as JAX's: the
    same width keeps the shape; a narrower dtype adds a trailing axis of old/new elements
    (float64 → uint32: shape (…, 2), the low word first); a wider one consumes a trailing axis
    whose size · old width is the new width (shape (…, 2) of uint32 → (…) of float64). Bool and
    complex only to themselves, as JAX. No derivative (JAX's is zero): the result is a constant,
    from a traced float too."""
    target = numeric_dtype(new_dtype, "bitcast_convert_type")
    x = np.asarray(_value(operand))
    old = x.dtype
    if (old.kind in "bc" or target.kind in "bc") and old != target:
        raise TypeError(
            "bitcast_convert_type: bool and complex values are bitcast only to their own dtype "
            f"(as in JAX), got operand dtype {old} and new_dtype {target}. For complex values, "
            "bitcast lax.real(x) and lax.imag(x); for bools, convert them first "
            "(lax.convert_element_type(x, np.uint8))"
        )
    x = np.array(x, order="C")  # a copy: the result never shares the operand's memory
    if target.itemsize == old.itemsize:
        return _scalar_or_array(x.view(target))
    if target.itemsize < old.itemsize:
        return x.reshape(*x.shape, 1).view(target)
    last = x.shape[-1] if x.ndim else 1
    if last * old.itemsize != target.itemsize:
        raise ValueError(
            f"bitcast_convert_type: converting an array of shape {x.shape} from {old} "
            f"({old.itemsize * 8} bits) to the wider {target} ({target.itemsize * 8} bits) needs "
            f"a last axis of {target.itemsize // old.itemsize} elements (it is consumed), got "
            f"{last}"
        )
    return _scalar_or_array(x.view(target).reshape(x.shape[:-1]))


# ---------------------------------------------------------------------------- reduce_precision
def _reduce_precision_impl(x: Any, *, exponent_bits: int, mantissa_bits: int) -> Any:
    """XLA's ReducePrecision on the bits: round the mantissa to ``mantissa_bits`` to nearest,
    ties to even (adding half an ulp less one, plus the kept last bit, then truncating); then
    flush exponents above the narrow format's range to ±inf and those at or below its smallest
    normal exponent − 1 to ±0 (the narrow format has no subnormals); NaN stays itself."""
    x = np.asarray(x)
    dtype = x.dtype
    nbits = dtype.itemsize * 8
    src_mantissa = np.finfo(dtype).nmant
    src_exponent = nbits - 1 - src_mantissa
    unsigned = _UNSIGNED[dtype.itemsize]
    u = unsigned.type
    bits = x.reshape(-1).view(unsigned).copy()  # 1-d: array arithmetic wraps silently
    if mantissa_bits < src_mantissa:
        dropped = src_mantissa - mantissa_bits
        last_kept = u(1) << u(dropped)
        kept_bit = (bits & last_kept) >> u(dropped)
        bits = (bits + kept_bit + ((last_kept >> u(1)) - u(1))) & ~(last_kept - u(1))
    if exponent_bits < src_exponent:
        sign = bits & (u(1) << u(nbits - 1))
        exponent_mask = ((u(1) << u(src_exponent)) - u(1)) << u(src_mantissa)
        bias = (1 << (src_exponent - 1)) - 1
        narrow_bias = (1 << (exponent_bits - 1)) - 1
        exponent = bits & exponent_mask
        overflows = exponent > (u(bias + narrow_bias) << u(src_mantissa))
        underflows = exponent <= (u(bias - narrow_bias) << u(src_mantissa))
        bits = np.where(overflows, sign | exponent_mask, np.where(underflows, sign, bits))
    out = np.where(np.isnan(x), x, bits.view(dtype).reshape(x.shape))
    return _scalar_or_array(out)


def _reduce_precision_rule(t: Any, ans: Any, x: Any, **params: Any) -> Any:
    """JAX's rule: reduce_precision is linear there, its tangent and cotangent rounded alike."""
    return _reduce_precision(t, **params)


_reduce_precision = defprim(
    "reduce_precision",
    _reduce_precision_impl,
    jvps=[_reduce_precision_rule],
    vjps=[_reduce_precision_rule],
    batched_jvp=True,
    batched_vjp=True,
)
defbatch(elementwise, _reduce_precision)

#: The float dtypes whose bits reduce_precision reads.
_ROUNDABLE = tuple(np.dtype(d) for d in (np.float16, np.float32, np.float64))


def _static_int(name: str, value: Any) -> int:
    """A static integer argument (a Python or NumPy integer), or JAX's TypeError."""
    try:
        return operator.index(value)
    except TypeError:
        raise TypeError(
            f"reduce_precision: {name} must be a Python int (a static number of bits), got "
            f"{value!r}"
        ) from None


def reduce_precision(operand: Any, exponent_bits: int, mantissa_bits: int) -> Any:
    """operand rounded to the float format of ``exponent_bits`` exponent bits and
    ``mantissa_bits`` explicit mantissa bits, in operand's dtype, as XLA's ReducePrecision:
    round to nearest, ties to even; a magnitude above the format's largest finite value (after
    rounding) becomes ±inf; one below its smallest normal value becomes ±0 (no subnormals);
    ±inf, ±0 and NaN (payload included) stay; a NaN stays NaN with 0 mantissa bits too (JAX's
    default CPU code; XLA's older CPU emitter gives +inf there). (8, 7) is bfloat16, (5, 10)
    float16, (8, 23) float32. Derivative as JAX's rule: the tangent, and the cotangent, are
    rounded the same way (so forward and reverse mode differ, as in JAX)."""
    exponent_bits = _static_int("exponent_bits", exponent_bits)
    mantissa_bits = _static_int("mantissa_bits", mantissa_bits)
    if exponent_bits < 1:
        raise ValueError(f"reduce_precision: exponent_bits must be positive; got {exponent_bits}")
    if mantissa_bits < 0:
        raise ValueError(
            f"reduce_precision: mantissa_bits must be non-negative; got {mantissa_bits}"
        )
    dtype = dtype_of(_value(operand))
    if dtype not in _ROUNDABLE:
        raise TypeError(
            f"reduce_precision rounds floats: operand must be float16, float32 or float64, got "
            f"{dtype}. Convert it first (lax.convert_element_type(x, np.float64))"
        )
    if not isinstance(operand, Traced):
        operand = _value(operand)
    return _reduce_precision(operand, exponent_bits=exponent_bits, mantissa_bits=mantissa_bits)


# ---------------------------------------------------------------------------- barrier, shapes
def optimization_barrier(operand: Any, /) -> Any:
    """operand, a pytree, unchanged: the identity, differentiated as one (tangents and
    cotangents pass through). JAX's barrier orders and separates compiled operations; admodes
    evaluates op by op, so there is nothing to separate."""
    return operand


def broadcast_shapes(*shapes: Sequence[int]) -> tuple[int, ...]:
    """The shape NumPy broadcasting gives arrays of ``shapes``: aligned at their trailing axes,
    each axis the common size of the shapes that have it other than 1 (1 where all are 1).
    Incompatible shapes raise JAX's ValueError ("Incompatible shapes for broadcasting"); a
    negative or non-integer size, a TypeError."""
    if not shapes:
        raise TypeError("broadcast_shapes: at least one shape is required")
    dims = [shape_like("broadcast_shapes", "shape", s) for s in shapes]
    try:
        return tuple(int(n) for n in np.broadcast_shapes(*dims))
    except ValueError:
        raise ValueError(f"Incompatible shapes for broadcasting: shapes={dims}") from None


# ---------------------------------------------------------------------------- ragged_dot
def _group_sizes(group_sizes: Any) -> np.ndarray:
    """``group_sizes`` as a 1-d integer array, or JAX's TypeError (they are never
    differentiated: a traced value is a float)."""
    sizes = np.asarray(plain(group_sizes))
    if isinstance(group_sizes, Traced) or sizes.dtype.kind not in "iu":
        raise TypeError(
            "ragged_dot: group_sizes must be an array of integers (the number of lhs rows of "
            f"each group), got dtype {sizes.dtype}"
        )
    if sizes.ndim != 1:
        raise TypeError(
            f"ragged_dot: group_sizes must be 1-d (one size per group), got shape {sizes.shape}"
        )
    return sizes


def ragged_dot(
    lhs: Any,
    rhs: Any,
    group_sizes: Any,
    precision: Any = None,
    preferred_element_type: Any = None,
    group_offset: Any = None,
) -> Any:
    """The grouped matrix product of lhs [m, k] and rhs [g, k, n]: consecutive blocks of lhs's
    rows, of sizes ``group_sizes`` [g], each times its own matrix of rhs,

        out[i, :] = Σ_j [s_j ≤ i < e_j] · lhs[i, :] @ rhs[j],   e_j = Σ_{l ≤ j} group_sizes[l],
                                                               s_j = e_j − group_sizes[j],

    an [m, n] result in JAX's dtype (``preferred_element_type`` as ``dot_general``'s;
    ``precision`` accepted for JAX's signature). Rows past the last group (sizes summing to less
    than m) are 0; a negative size makes its group empty and starts the next ones that much
    earlier, so a row may fall in two groups and get both products (JAX's mask, kept as is).
    Differentiated in lhs and rhs (group_sizes are integers: constants). Computed as JAX's
    reference: lhs masked per group, [g, m, k], contracted with rhs over (g, k), so it costs g
    times a plain product. ``group_offset`` is not supported (as in JAX)."""
    if group_offset is not None:
        raise NotImplementedError(
            "ragged_dot: group_offset is not supported (JAX's implementation does not support "
            "it either); pass group_offset=None"
        )
    sizes = _group_sizes(group_sizes)
    if ndim(lhs) != 2 or ndim(rhs) != 3:
        raise TypeError(
            "ragged_dot: lhs must be 2-d [m, k] and rhs 3-d [g, k, n], got shapes "
            f"{shape(lhs)} and {shape(rhs)}"
        )
    (m, k), (g, k_rhs, _) = shape(lhs), shape(rhs)
    if g != sizes.shape[0]:
        raise TypeError(
            f"ragged_dot: rhs has {g} groups (its first axis) but group_sizes has {sizes.shape[0]} "
            "sizes; they must match"
        )
    if k != k_rhs:
        raise TypeError(
            f"ragged_dot: lhs's columns ({k}) and rhs's rows (axis 1: {k_rhs}) are contracted "
            "and must have the same size"
        )
    ends = np.cumsum(sizes)
    starts = ends - sizes
    rows = np.arange(m)
    in_group = (starts[:, None] <= rows) & (rows < ends[:, None])  # [g, m]
    grouped = anp.where(in_group[:, :, None], lhs, 0)  # [g, m, k]: lhs's rows of each group
    return dot_general(
        grouped, rhs, (((0, 2), (0, 1)), ((), ())), precision, preferred_element_type
    )
