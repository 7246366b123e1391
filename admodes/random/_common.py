"""What ``admodes.random``'s samplers share: argument checks (with JAX's errors), uniform floats
from a key's bits, standard normals, and the rewrites XLA's simplifier makes in JAX's formulas.

Uniform floats: the top ``nmant`` bits of each random word fill the mantissa of a float in
[1, 2) (the exponent bits those of 1.0), and 1 is subtracted, giving a multiple of 2⁻ⁿᵐᵃⁿᵗ in
[0, 1); bounds then apply as max(minval, u·(maxval − minval) + minval), the multiply-add fused.
A standard normal is √2·erf⁻¹(u), u uniform on (−1, 1).

XLA's simplifications that change a result's last bits, and that admodes makes too: a division
by a constant, or by a number broadcast to several, becomes a multiplication by its reciprocal
(1/xʸ becomes x⁻ʸ); multiplications by numbers broadcast to several merge (x·c·y as x·(y·c));
constant bounds fold, and additions of constants merge.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import Traced, plain, size
from admodes.random import _math, _xla
from admodes.random._keys import Shape, canonical_shape
from admodes.random._threefry import random_bits


# ---------------------------------------------------------------------------- arguments
def float_dtype(name: str, dtype: Any, kinds: str = "f") -> np.dtype:
    """``dtype`` (float64 if None), which must be of a kind in ``kinds`` (JAX's error)."""
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if dtype.kind not in kinds:
        what = "a float or complex" if "c" in kinds else "a float"
        raise ValueError(f"dtype argument to `{name}` must be {what} dtype, got {dtype}")
    return dtype


def check_castable(name: str, dtype: np.dtype, *args: Any) -> None:
    """JAX's refusal of a parameter array whose type ``dtype`` cannot hold (float64 parameters
    of float32 samples): Python numbers always convert."""
    for arg in args:
        if isinstance(arg, bool | int | float | complex):
            continue
        arg_dtype = np.asarray(plain(arg)).dtype
        if np.result_type(arg_dtype, dtype) != dtype and arg_dtype.kind in "fc":
            raise TypeError(
                f"In arguments to {name}, cannot safely cast argument of type {arg_dtype} to "
                f"{dtype}"
            )


def promoted(x: Any, dtype: np.dtype) -> Any:
    """A parameter that JAX combines with samples of ``dtype`` without converting it: a Python
    number takes ``dtype``, an array keeps its own type (and promotes the samples')."""
    if isinstance(x, bool | int | float):
        return dtype.type(x)
    return x if isinstance(x, Traced) else np.asarray(x)


def as_param(x: Any, dtype: np.dtype) -> Any:
    """A parameter converted to ``dtype`` (kept traced, so differentiable, if it is)."""
    if isinstance(x, Traced):
        return x if x.dtype == dtype else anp.astype(x, dtype)
    return np.asarray(x, dtype=dtype)


def check_shape(name: str, shape: tuple[int, ...], *param_shapes: tuple[int, ...]) -> None:
    """JAX's check that the parameters broadcast to ``shape`` exactly."""
    if not param_shapes:
        return
    try:
        result = np.broadcast_shapes(shape, *param_shapes)
    except ValueError:
        result = None
    if result != shape:
        raise ValueError(
            f"{name} parameter shapes must be broadcast-compatible with shape argument, and "
            "the result of broadcasting the shapes must equal the shape argument, but got "
            f"result {result} for shape argument {shape} (parameter shapes {param_shapes})."
        )


def checked_shape(
    name: str, shape: Shape | None, *param_shapes: tuple[int, ...]
) -> tuple[int, ...]:
    """``shape`` checked against ``param_shapes``, or (None) their broadcast."""
    if shape is None:
        return np.broadcast_shapes(*param_shapes) if param_shapes else ()
    shape = canonical_shape(shape)
    check_shape(name, shape, *param_shapes)
    return shape


def sample_shape(name: str, shape: Shape | None, *params: Any) -> tuple[int, ...]:
    """``shape`` checked against the parameters', or (None) the parameters' broadcast."""
    return checked_shape(name, shape, *(np.shape(p) for p in params))


def float_array(x: Any) -> np.ndarray:
    """``x``'s plain values as an array, float64 unless already of a float type."""
    x = np.asarray(plain(x))
    return x if x.dtype.kind == "f" else x.astype(np.float64)


# ---------------------------------------------------------------------------- draws
def unit_floats(key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Floats uniform on [0, 1) in steps of 2⁻ⁿᵐᵃⁿᵗ, from the key's bits (the module's text)."""
    info = np.finfo(dtype)
    bits = random_bits(key, info.bits, shape)
    uint = bits.dtype.type
    one = np.array(1.0, dtype).view(bits.dtype)
    return ((bits >> uint(info.bits - info.nmant)) | one).view(dtype) - dtype.type(1.0)


def uniform_between(
    key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype, minval: Any, maxval: Any
) -> Any:
    """Uniform on [minval, maxval): max(minval, u·(maxval − minval) + minval), one rounding for
    the multiply-add (XLA fuses it), u from :func:`unit_floats`."""
    minval, maxval = as_param(minval, dtype), as_param(maxval, dtype)
    for name, value in (("minval", minval), ("maxval", maxval)):
        try:
            fits = np.broadcast_shapes(np.shape(value), shape) == shape
        except ValueError:
            fits = False
        if not fits:
            raise TypeError(
                f"uniform: {name} of shape {np.shape(value)} does not broadcast to the "
                f"sample shape {shape}"
            )
    u = unit_floats(key, shape, dtype)
    return anp.maximum(minval, _math.fma(u, maxval - minval, minval))


def uniform_on(
    key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype, minval: float, maxval: float
) -> np.ndarray:
    """Uniform on [minval, maxval) for constant bounds, as XLA simplifies JAX's formula when it
    knows them: the span maxval − minval is folded, and a span of 1 drops the multiply, the
    additions of constants then merging: max(minval, (u + 1) + (minval − 1))."""
    minval, maxval = dtype.type(minval), dtype.type(maxval)
    span = maxval - minval
    if span == 1:
        one_to_two = unit_floats(key, shape, dtype) + dtype.type(1.0)
        return np.maximum(minval, one_to_two + (minval - dtype.type(1.0)))
    return np.maximum(minval, _xla.fma(unit_floats(key, shape, dtype), span, minval))


def standard_exponential(key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """Exponential draws (rate 1): −log1p(−u), u uniform on [0, 1)."""
    return -_xla.log1p(-unit_floats(key, shape, dtype))


def random_signs(key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """±1 of ``dtype`` with equal probability: 2·[u < ½] − 1, u a float64 uniform."""
    return (2 * (unit_floats(key, shape, np.dtype(np.float64)) < 0.5) - 1).astype(dtype)


def standard_erf_inv(key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """erf⁻¹(u), u uniform on (−1, 1) (its lower end the float after −1): a standard normal
    divided by √2."""
    lo = np.nextafter(dtype.type(-1.0), dtype.type(0.0))
    return _xla.erf_inv(uniform_on(key, shape, dtype, lo, 1.0))


def standard_normal(key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """√2·erf⁻¹(u), u uniform on (−1, 1) (its lower end the float after −1)."""
    return dtype.type(np.sqrt(2.0)) * standard_erf_inv(key, shape, dtype)


def maxwell_draws(key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype) -> np.ndarray:
    """One-sided Maxwell draws of ``shape``: the norms of standard normal 3-vectors."""
    z = standard_normal(key, (*shape, 3), dtype)
    return np.sqrt(sum_of_squares(z))


def sum_of_squares(z: np.ndarray) -> np.ndarray:
    """z₀² + z₁² + z₂² over the last axis as XLA's vectorized loop adds them: one square, then
    fused multiply-adds of the others (order 0, 1, 2 in float64; 1, 0, 2 in float32); float16
    squares summed in float32 (JAX's sums of float16)."""
    if z.dtype == np.float16:
        return (z * z).astype(np.float32).sum(axis=-1).astype(np.float16)
    first, *rest = (0, 1, 2) if z.dtype == np.float64 else (1, 0, 2)
    acc = z[..., first] * z[..., first]
    for i in rest:
        acc = _xla.fma(z[..., i], z[..., i], acc)
    return acc


# ---------------------------------------------------------------------------- XLA's rewrites
def scaled(x: Any, c: float, y: Any, dtype: np.dtype) -> Any:
    """(c·x)·y for a constant c, as XLA computes it: x·(y·c) when y is one number broadcast
    to several (XLA merges the multiplications by broadcast numbers)."""
    y = as_param(y, dtype)
    merged = size(y) == 1 and size(x) > 1  # y one number, broadcast by XLA
    return x * (y * dtype.type(c)) if merged else dtype.type(c) * x * y
