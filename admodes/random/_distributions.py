"""The continuous distributions of ``jax.random`` (and ``geometric``) with JAX's algorithms,
hence its samples: uniform floats from the key's bits (:mod:`admodes.random._common`),
transformed by JAX's formulas with XLA's arithmetic (:mod:`admodes.random._xla`).

Parameters that enter by arithmetic (``minval``/``maxval``, ``sigma``, ``b``, ``scale``, ...)
may be traced: the samples are then reparameterized, and differentiate as JAX's.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import plain, to_integers
from admodes.random import _math, _xla
from admodes.random._common import (
    as_param,
    check_castable,
    float_array,
    float_dtype,
    maxwell_draws,
    promoted,
    random_signs,
    sample_shape,
    scaled,
    standard_erf_inv,
    standard_exponential,
    standard_normal,
    uniform_between,
    uniform_on,
    unit_floats,
)
from admodes.random._keys import Shape, canonical_shape, check_key
from admodes.random._threefry import split

__all__ = [
    "cauchy",
    "double_sided_maxwell",
    "exponential",
    "geometric",
    "gumbel",
    "laplace",
    "logistic",
    "lognormal",
    "maxwell",
    "normal",
    "pareto",
    "rayleigh",
    "triangular",
    "truncated_normal",
    "uniform",
    "wald",
    "weibull_min",
]


# ---------------------------------------------------------------------------- uniform, normal
def uniform(
    key: Any, shape: Shape = (), dtype: Any = None, minval: Any = 0.0, maxval: Any = 1.0
) -> Any:
    """Uniform samples on [minval, maxval) of ``shape`` and float ``dtype`` (float64 by default):
    max(minval, u·(maxval − minval) + minval), u uniform on [0, 1) in steps of 2⁻ⁿᵐᵃⁿᵗ.
    ``minval`` and ``maxval`` broadcast to ``shape``, and may be traced."""
    key = check_key("uniform", key)
    dtype = float_dtype("uniform", dtype)
    return uniform_between(key, canonical_shape(shape), dtype, minval, maxval)


def normal(key: Any, shape: Shape = (), dtype: Any = None) -> np.ndarray:
    """Standard normal samples of ``shape`` and ``dtype`` (float64 by default): √2·erf⁻¹(u), u
    uniform on (−1, 1), erf⁻¹ XLA's (Giles') polynomial. Complex dtypes: (x + iy)/√2, x and y
    drawn with the two keys ``split(key)``."""
    key = check_key("normal", key)
    dtype = float_dtype("normal", dtype, "fc")
    shape = canonical_shape(shape)
    if dtype.kind == "c":
        real = np.finfo(dtype).dtype
        k_re, k_im = split(key, (2,))
        z = standard_normal(k_re, shape, real) + 1j * standard_normal(k_im, shape, real)
        return (z / dtype.type(np.sqrt(2.0))).astype(dtype)
    return standard_normal(key, shape, dtype)


def truncated_normal(
    key: Any, lower: Any, upper: Any, shape: Shape | None = None, dtype: Any = None
) -> Any:
    """Standard normal samples conditioned on lower < x < upper: √2·erf⁻¹(u), u uniform on
    [erf(lower/√2), erf(upper/√2)), clipped to the open interval (the floats next to the
    bounds). ``shape`` defaults to the bounds' broadcast shape; the bounds may be traced."""
    key = check_key("truncated_normal", key)
    dtype = float_dtype("truncated_normal", dtype)
    shape = sample_shape("truncated_normal", shape, lower, upper)
    sqrt2 = dtype.type(np.sqrt(2.0))
    lower, upper = as_param(lower, dtype), as_param(upper, dtype)
    half_sqrt2 = dtype.type(1.0) / sqrt2  # XLA divides by a constant as ·(1/constant)
    a, b = _math.erf(lower * half_sqrt2), _math.erf(upper * half_sqrt2)
    out = sqrt2 * _math.erf_inv(uniform_between(key, shape, dtype, a, b))
    inf = dtype.type(np.inf)
    lo = np.nextafter(np.asarray(plain(lower)), inf)
    hi = np.nextafter(np.asarray(plain(upper)), -inf)
    return anp.minimum(anp.maximum(out, lo), hi)


# ---------------------------------------------------------------------------- one uniform each
def exponential(key: Any, shape: Shape = (), dtype: Any = None) -> np.ndarray:
    """Exponential samples (rate 1): −log1p(−u), u uniform on [0, 1)."""
    key = check_key("exponential", key)
    dtype = float_dtype("exponential", dtype)
    return standard_exponential(key, canonical_shape(shape), dtype)


def gumbel(key: Any, shape: Shape = (), dtype: Any = None, mode: str | None = None) -> np.ndarray:
    """Standard Gumbel samples: −log(−log u), u uniform on [tiny, 1) (``mode="low"``, the
    default); ``mode="high"``: −log(−log1p(−x)), x = h if h ≥ ½ else h + 2⁻ⁿᵐᵃⁿᵗ·l + tiny from
    two uniforms h, l (finer resolution near 0)."""
    key = check_key("gumbel", key)
    dtype = float_dtype("gumbel", dtype)
    shape = canonical_shape(shape)
    mode = "low" if mode is None else mode
    if mode == "highest":
        raise NotImplementedError("admodes.random.gumbel: mode='highest' is not implemented")
    if mode not in ("high", "low"):
        raise ValueError(f"Must provide valid mode for gumbel got: {mode}")
    tiny = np.finfo(dtype).tiny
    if mode == "high":
        high, low = unit_floats(key, (2, *shape), dtype)
        fine = high + dtype.type(2.0 ** -np.finfo(dtype).nmant) * low + tiny
        return -_xla.log(-_xla.log1p(-np.where(high >= dtype.type(0.5), high, fine)))
    return -_xla.log(-_xla.log(uniform_on(key, shape, dtype, tiny, 1.0)))


def laplace(key: Any, shape: Shape = (), dtype: Any = None) -> np.ndarray:
    """Standard Laplace samples: sign(u)·log1p(−|u|), u uniform on [−1 + epsneg, 1)."""
    key = check_key("laplace", key)
    dtype = float_dtype("laplace", dtype)
    lo = -1.0 + np.finfo(dtype).epsneg
    u = uniform_on(key, canonical_shape(shape), dtype, lo, 1.0)
    return np.sign(u) * _xla.log1p(-np.abs(u))


def logistic(key: Any, shape: Shape = (), dtype: Any = None) -> np.ndarray:
    """Standard logistic samples: log x − log1p(−x), x uniform on [tiny, 1)."""
    key = check_key("logistic", key)
    dtype = float_dtype("logistic", dtype)
    x = uniform_on(key, canonical_shape(shape), dtype, np.finfo(dtype).tiny, 1.0)
    return _xla.log(x) - _xla.log1p(-x)


def cauchy(key: Any, shape: Shape = (), dtype: Any = None) -> np.ndarray:
    """Standard Cauchy samples: tan(π·(u − ½)), u uniform on [eps, 1)."""
    key = check_key("cauchy", key)
    dtype = float_dtype("cauchy", dtype)
    u = uniform_on(key, canonical_shape(shape), dtype, np.finfo(dtype).eps, 1.0)
    return _xla.tan(dtype.type(np.pi) * (u - dtype.type(0.5)))


# ---------------------------------------------------------------------------- with parameters
#: JAX's default σ of ``lognormal``: a float32 1 (which converts to any float type).
_UNIT_SIGMA = np.float32(1)


def lognormal(
    key: Any, sigma: Any = _UNIT_SIGMA, shape: Shape | None = None, dtype: Any = None
) -> Any:
    """Log-normal samples: exp(σ·z), z standard normal; σ (``sigma``) may be traced."""
    key = check_key("lognormal", key)
    dtype = float_dtype("lognormal", dtype)
    shape = sample_shape("lognormal", shape, sigma)
    check_castable("lognormal", dtype, sigma)
    return _math.exp(scaled(standard_erf_inv(key, shape, dtype), np.sqrt(2.0), sigma, dtype))


def pareto(key: Any, b: Any, shape: Shape | None = None, dtype: Any = None) -> Any:
    """Pareto samples of shape parameter b (minimum 1): exp(e/b), e standard exponential; b may
    be traced."""
    key = check_key("pareto", key)
    dtype = float_dtype("pareto", dtype)
    shape = sample_shape("pareto", shape, b)
    check_castable("pareto", dtype, b)
    e = standard_exponential(key, shape, dtype)
    return _math.exp(_xla.divide(e, as_param(b, dtype)))


def weibull_min(
    key: Any, scale: Any, concentration: Any, shape: Shape = (), dtype: Any = None
) -> Any:
    """Weibull samples: scale·(−log1p(−u))^(1/concentration), u uniform on [0, 1) of ``shape``
    (the inverse CDF); ``scale`` and ``concentration`` may be traced."""
    key = check_key("weibull_min", key)
    dtype = float_dtype("weibull_min", dtype)
    e = standard_exponential(key, canonical_shape(shape), dtype)
    exponent = 1.0 / promoted(concentration, dtype)
    e = e.astype(np.result_type(e, plain(exponent)))
    return _math.pow(e, exponent) * promoted(scale, dtype)


def rayleigh(key: Any, scale: Any, shape: Shape | None = None, dtype: Any = None) -> Any:
    """Rayleigh samples: scale·√(−2·log u), u uniform on [0, 1); ``scale`` may be traced."""
    key = check_key("rayleigh", key)
    dtype = float_dtype("rayleigh", dtype)
    shape = sample_shape("rayleigh", shape, scale)
    check_castable("rayleigh", dtype, scale)
    u = unit_floats(key, shape, dtype)
    with np.errstate(divide="ignore"):
        root = np.sqrt(_xla.log(u) * dtype.type(-2.0))
    return as_param(scale, dtype) * root


def maxwell(key: Any, shape: Shape = (), dtype: Any = None) -> np.ndarray:
    """One-sided Maxwell samples: the norm of three standard normals (the last axis of
    ``shape + (3,)``)."""
    key = check_key("maxwell", key)
    dtype = float_dtype("maxwell", dtype)
    return maxwell_draws(key, canonical_shape(shape), dtype)


def double_sided_maxwell(
    key: Any, loc: Any, scale: Any, shape: Shape = (), dtype: Any = None
) -> Any:
    """Double-sided Maxwell samples: s·m·scale + loc, m one-sided Maxwell and s a random sign
    (keys ``split(key)``), of shape ``shape + broadcast(loc, scale)`` (``shape`` defaults to
    the parameters'); ``loc`` and ``scale`` may be traced."""
    key = check_key("double_sided_maxwell", key)
    dtype = float_dtype("double_sided_maxwell", dtype)
    params_shape = np.broadcast_shapes(np.shape(loc), np.shape(scale))
    shape = canonical_shape(shape) or params_shape
    shape = shape + params_shape
    k_maxwell, k_sign = split(key, (2,))
    m = maxwell_draws(k_maxwell, shape, dtype)
    sign = random_signs(k_sign, shape, dtype)
    scale, loc = promoted(scale, dtype), promoted(loc, dtype)
    signed = (sign * m).astype(np.result_type(dtype, plain(scale), plain(loc)))
    return _math.fma(signed, scale, loc)


def triangular(
    key: Any, left: Any, mode: Any, right: Any, shape: Shape | None = None, dtype: Any = None
) -> Any:
    """Triangular samples on [left, right] with peak ``mode``, by the inverse CDF:
    left + √(u·(right − left)·(mode − left)) if u < (mode − left)/(right − left), else
    right − √((1 − u)·(right − left)·(right − mode)); the parameters may be traced."""
    key = check_key("triangular", key)
    dtype = float_dtype("triangular", dtype)
    shape = sample_shape("triangular", shape, left, mode, right)
    check_castable("triangular", dtype, left, mode, right)
    left, mode, right = (anp.broadcast_to(as_param(v, dtype), shape) for v in (left, mode, right))
    fc = (mode - left) / (right - left)
    u = unit_floats(key, shape, dtype)
    out1 = left + anp.sqrt(u * (right - left) * (mode - left))
    out2 = right - anp.sqrt((dtype.type(1.0) - u) * (right - left) * (right - mode))
    return anp.where(u < plain(fc), out1, out2)


def wald(key: Any, mean: Any, shape: Shape | None = None, dtype: Any = None) -> Any:
    """Wald (inverse Gaussian, scale 1) samples by Michael, Schucany and Haas' method: with
    y = v² (v standard normal), x = μ + μ²y/2 − (μ/2)·√(4μy + μ²y²), the draw is x if
    u ≤ μ/(μ + x) (u uniform), else μ²/x (keys ``split(key)``); ``mean`` may be traced."""
    key = check_key("wald", key)
    dtype = float_dtype("wald", dtype)
    shape = sample_shape("wald", shape, mean)
    check_castable("wald", dtype, mean)
    k_normal, k_uniform = split(key, (2,))
    mean = anp.broadcast_to(as_param(mean, dtype), shape)
    e = standard_erf_inv(k_normal, shape, dtype)
    z = unit_floats(k_uniform, shape, dtype)
    mean_sq = mean * mean
    if int(np.prod(shape)) == 1:
        x = _wald_one(e, mean, mean_sq, dtype)
    else:
        y = (dtype.type(np.sqrt(2.0)) * e) ** 2
        root = anp.sqrt(_math.fma(4 * mean, y, mean_sq * (y * y)))
        x = _math.fma(-(mean * 0.5), root, _math.fma(mean_sq * y, 0.5, mean))
    return anp.where(z <= plain(mean / (mean + x)), x, mean_sq / x)


def _wald_one(e: np.ndarray, mean: Any, mean_sq: Any, dtype: np.dtype) -> Any:
    """:func:`wald`'s x for a single draw (v = √2·e), as XLA simplifies the scalar program: the
    constant factors gathered, y = e²·s and y² = e⁴·s² for s = √2·√2 rounded."""
    s = dtype.type(np.sqrt(2.0)) * dtype.type(np.sqrt(2.0))
    e2 = e * e
    root = anp.sqrt(_math.fma(mean * e2, dtype.type(4.0) * s, mean_sq * ((e2 * e2) * (s * s))))
    return _math.fma(-(mean * 0.5), root, _math.fma(mean_sq * (e2 * s), 0.5, mean))


def geometric(key: Any, p: Any, shape: Shape | None = None, dtype: Any = None) -> np.ndarray:
    """Geometric samples (trials to the first success, ≥ 1): ⌊log u / log1p(−p)⌋ + 1, u uniform
    on (0, 1] (0 mapped to 1), as integers of ``dtype`` (int64 by default)."""
    key = check_key("geometric", key)
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    if dtype.kind not in "iu":
        raise ValueError(f"dtype argument to `geometric` must be an int dtype, got {dtype}")
    shape = sample_shape("geometric", shape, p)
    p = float_array(p)
    u = unit_floats(key, shape, p.dtype)
    log_u = _xla.log(np.where(u == 0, p.dtype.type(1.0), u))
    g = np.floor(log_u / np.broadcast_to(_xla.log1p(-p), shape)) + p.dtype.type(1.0)
    return to_integers(g, dtype)
