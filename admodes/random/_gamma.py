"""The gamma family of ``jax.random``: gamma and loggamma by Marsaglia and Tsang's method as
JAX writes it, and the distributions JAX derives from them (beta, dirichlet, chisquare, f, t,
generalized_normal, ball).

Marsaglia and Tsang ("A simple method for generating gamma variables", 2000), for a shape
α ≥ 1 (a smaller α is boosted to α + 1 and the draw multiplied by u^(1/α)): with d = α − ⅓ and
c = ⅓/√d, draw x standard normal until v = 1 + c·x > 0, and u uniform; accept d·v³ if
u < 1 − 0.0331·x⁴ or log u < x²/2 + d·(1 − v³ + log v³), else draw again. JAX gives each
element of the output its own key (``split(key, n)``, C order) and runs this loop per element
with JAX's exact key schedule (each round splits the element's key into three: the next key,
the normal's, the uniform's; each normal retry splits again), so the samples are JAX's. The
draws run for all elements at once, those still looping masked, as ``vmap`` runs them.

A traced α differentiates as JAX's (implicit reparameterization, Figurnov et al., 2018): the
draw x solves P(α, x) = u for the regularized incomplete gamma function P and a u that does not
depend on α, so

    dx/dα = −(∂P/∂α)(α, x) / p(x; α),    p(x; α) = x^(α−1) e^(−x) / Γ(α),

0 where x = 0, and d(log x)/dα = (dx/dα)/x in log space (x = e^(log x), or the smallest
normal number where that is smaller, as JAX). ∂P/∂α is ``admodes.lax.igamma_grad_a`` (it
needs SciPy, the ``scipy`` extra). The distributions built on gamma draws (beta, dirichlet,
chisquare, f, t, generalized_normal, ball) then differentiate in their parameters through it;
their transforms use :mod:`admodes.random._math`, whose values are XLA's.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes import lax
from admodes.core import Traced, plain
from admodes.custom import custom_jvp
from admodes.random import _math, _xla
from admodes.random._common import (
    as_param,
    check_castable,
    checked_shape,
    float_dtype,
    random_signs,
    sample_shape,
    standard_exponential,
    standard_normal,
    unit_floats,
)
from admodes.random._keys import Shape, canonical_shape, check_key
from admodes.random._threefry import split

__all__ = [
    "ball",
    "beta",
    "chisquare",
    "dirichlet",
    "f",
    "gamma",
    "generalized_normal",
    "loggamma",
    "t",
]


def _accepts(x2: np.ndarray, v3: np.ndarray, u: np.ndarray, d: np.ndarray) -> np.ndarray:
    """Marsaglia and Tsang's acceptance of d·v³, as XLA evaluates JAX's test (its products
    fused into the additions): u < 1 − 0.0331·(x²)² or log u < x²/2 + d·((1 − v³) + log v³)."""
    dt = x2.dtype.type
    squeeze = _xla.fma(dt(-0.0331), x2 * x2, dt(1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        bound = _xla.fma(x2, dt(0.5), d * ((dt(1.0) - v3) + _xla.log(v3)))
        return ~((u >= squeeze) & (_xla.log(u) >= bound))


def _gamma_draws(keys: np.ndarray, alpha: np.ndarray, log_space: bool) -> np.ndarray:
    """One gamma (or log-gamma) draw per key (N, 2) and shape α (N,) (the module's text)."""
    dt = alpha.dtype.type
    boost = alpha >= dt(1.0)
    boosted = np.where(boost, alpha, alpha + dt(1.0))
    d = boosted - dt(1.0 / 3.0)
    c = _xla.rsqrt(d) * dt(1.0 / 3.0)  # XLA's ⅓/√d
    pair = split(keys, (2,))
    key, last_key = pair[:, 0].copy(), pair[:, 1]
    x2 = np.zeros_like(alpha)
    v3, u = np.ones_like(alpha), np.full_like(alpha, dt(2.0))
    looping = np.ones(alpha.shape, bool)
    while looping.any():
        three = split(key[looping], (3,))
        key[looping] = three[:, 0]
        x, v = _positive_v(three[:, 1], c[looping])
        x2[looping] = x * x
        v3[looping] = v * v * v
        u[looping] = unit_floats(three[:, 2], (), alpha.dtype)
        looping &= ~_accepts(x2, v3, u, d)
    if log_space:
        log_u = _xla.log1p(-unit_floats(last_key, (), alpha.dtype))
        log_boost = np.where(boost | (log_u == 0), dt(0.0), log_u * (dt(1.0) / alpha))
        return (_xla.log(d) + _xla.log(v3)) + log_boost
    with np.errstate(divide="ignore"):
        power = _xla.pow(dt(1.0) - unit_floats(last_key, (), alpha.dtype), dt(1.0) / alpha)
    return (d * v3) * np.where(boost, dt(1.0), power)


def _positive_v(keys: np.ndarray, c: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(x, v): x standard normal and v = 1 + c·x (one rounding), drawn again (each key split
    into the next and the normal's) until v > 0."""
    dtype = c.dtype
    x, v = np.zeros_like(c), np.full_like(c, dtype.type(-1.0))
    keys = keys.copy()
    looping = np.ones(c.shape, bool)
    while looping.any():
        pair = split(keys[looping], (2,))
        keys[looping] = pair[:, 0]
        x[looping] = standard_normal(pair[:, 1], (), dtype)
        v[looping] = _xla.fma(x[looping], c[looping], dtype.type(1.0))
        looping &= v <= 0
    return x, v


def _gamma(name: str, key: Any, a: Any, shape: Shape | None, dtype: Any, log_space: bool) -> Any:
    key = check_key(name, key)
    dtype = float_dtype("gamma", dtype)
    return gamma_samples(key, a, sample_shape("gamma", shape, a), dtype, log_space)


def gamma_samples(
    key: np.ndarray, a: Any, shape: tuple[int, ...], dtype: np.dtype, log_space: bool
) -> Any:
    """Gamma(a) draws of ``shape`` (a broadcast to it), each element with its own key;
    differentiable in a traced ``a`` (the module's text)."""
    alpha = np.broadcast_to(np.asarray(plain(a), dtype=dtype), shape).ravel()
    if alpha.size == 0:
        return np.zeros(shape, dtype)
    keys = split(key, (alpha.size,))
    draws = _gamma_draws(keys, alpha.copy(), log_space).reshape(shape)
    if not isinstance(a, Traced):
        return draws
    return _reparameterized(log_space, anp.broadcast_to(as_param(a, dtype), shape), draws)


@functools.partial(custom_jvp, nondiff_argnums=(0,))
def _reparameterized(log_space: bool, alpha: Any, draws: np.ndarray) -> np.ndarray:
    """``draws`` (gamma or log-gamma draws of shape ``alpha``), as a function of ``alpha``."""
    return draws


@_reparameterized.defjvp
def _reparameterized_jvp(log_space: bool, primals: tuple, tangents: tuple) -> tuple:
    alpha, draws = primals
    return draws, _draw_derivative(alpha, draws, log_space) * tangents[0]


def _draw_derivative(alpha: Any, draws: np.ndarray, log_space: bool) -> Any:
    """dx/dα = −(∂P/∂α)(α, x)/p(x; α) (``lax.random_gamma_grad``), or d(log x)/dα =
    (dx/dα)/x."""
    if not log_space:
        return lax.random_gamma_grad(alpha, draws)
    # e^(log x) flushed to 0 where subnormal (as XLA's exp), then made tiny (as JAX)
    x = np.maximum(np.exp(draws), np.finfo(draws.dtype).tiny)
    return lax.random_gamma_grad(alpha, x) / x


def gamma(key: Any, a: Any, shape: Shape | None = None, dtype: Any = None) -> np.ndarray:
    """Gamma(a) samples (unit scale) of ``shape`` (default a's shape), by Marsaglia and Tsang's
    method with JAX's per-element keys (the module's text)."""
    return _gamma("gamma", key, a, shape, dtype, log_space=False)


def loggamma(key: Any, a: Any, shape: Shape | None = None, dtype: Any = None) -> np.ndarray:
    """log of Gamma(a) samples, computed in log space (accurate for small a): the same draws
    as :func:`gamma`, log d + log v³ + log(u)/a."""
    return _gamma("loggamma", key, a, shape, dtype, log_space=True)


def beta(key: Any, a: Any, b: Any, shape: Shape | None = None, dtype: Any = None) -> Any:
    """Beta(a, b) samples: Gₐ/(Gₐ + G_b) for log-gamma draws (keys ``split(key)``), computed
    as e^(gₐ − m)/(e^(gₐ − m) + e^(g_b − m)), m = max(gₐ, g_b); ``a`` and ``b`` may be traced."""
    key = check_key("beta", key)
    dtype = float_dtype("beta", dtype)
    check_castable("beta", dtype, a, b)
    shape = sample_shape("beta", shape, a, b)
    key_a, key_b = split(key, (2,))
    log_a = gamma_samples(key_a, a, shape, dtype, log_space=True)
    log_b = gamma_samples(key_b, b, shape, dtype, log_space=True)
    log_max = anp.maximum(log_a, log_b)
    scaled_a, scaled_b = _math.exp(log_a - log_max), _math.exp(log_b - log_max)
    return scaled_a / (scaled_a + scaled_b)


def dirichlet(key: Any, alpha: Any, shape: Shape | None = None, dtype: Any = None) -> Any:
    """Dirichlet(α) samples (α along the last axis): the softmax of log-gamma draws, of shape
    ``shape + (n,)`` (default α's shape); ``alpha`` may be traced."""
    key = check_key("dirichlet", key)
    dtype = float_dtype("dirichlet", dtype)
    if not np.ndim(alpha) >= 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == {np.ndim(alpha)}")
    *batch, n = np.shape(alpha)
    shape = checked_shape("dirichlet", shape, tuple(batch))
    g = gamma_samples(key, alpha, (*shape, n), dtype, log_space=True)
    e = _math.exp(g - anp.stop_gradient(anp.max(g, axis=-1, keepdims=True)))
    return _xla.divide(e, anp.sum(e, axis=-1, keepdims=True))


def chisquare(key: Any, df: Any, shape: Shape | None = None, dtype: Any = None) -> Any:
    """χ²(df) samples: 2·exp(log-gamma(df/2)); ``df`` may be traced."""
    key = check_key("chisquare", key)
    dtype = float_dtype("chisquare", dtype)
    shape = sample_shape("chisquare", shape, df)
    check_castable("chisquare", dtype, df)
    return _chisquare(key, as_param(df, dtype), shape, dtype)


def _chisquare(key: np.ndarray, df: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    half = df / dtype.type(2.0)
    return _math.exp(gamma_samples(key, half, shape, dtype, log_space=True)) * dtype.type(2.0)


def f(key: Any, dfnum: Any, dfden: Any, shape: Shape | None = None, dtype: Any = None) -> Any:
    """F(dfnum, dfden) samples: (X/dfnum)/(Y/dfden) for χ² draws X, Y (keys: Y the first of
    ``split(key)``, X the second, as JAX); the degrees of freedom may be traced."""
    key = check_key("f", key)
    dtype = float_dtype("f", dtype)
    shape = sample_shape("f", shape, dfnum, dfden)
    check_castable("f", dtype, dfnum, dfden)
    dfnum, dfden = as_param(dfnum, dtype), as_param(dfden, dtype)
    key_den, key_num = split(key, (2,))
    num = _chisquare(key_num, dfnum, shape, dtype)
    den = _chisquare(key_den, dfden, shape, dtype)
    return (num * dfden) / (den * dfnum)  # XLA: (a/b)/(c/d) as (a·d)/(c·b)


def t(key: Any, df: Any, shape: Shape | None = None, dtype: Any = None) -> Any:
    """Student's t(df) samples: z·√((df/2)/G), z standard normal and G Gamma(df/2) (keys
    ``split(key)``); ``df`` may be traced."""
    key = check_key("t", key)
    dtype = float_dtype("t", dtype)
    shape = sample_shape("t", shape, df)
    check_castable("t", dtype, df)
    key_n, key_g = split(key, (2,))
    z = standard_normal(key_n, shape, dtype)
    half = as_param(df, dtype) / dtype.type(2.0)
    g = gamma_samples(key_g, half, shape, dtype, log_space=False)
    return z * anp.sqrt(half / g)


def generalized_normal(key: Any, p: Any, shape: Shape = (), dtype: Any = None) -> Any:
    """Samples of density ∝ e^(−|x|ᵖ): s·G^(1/p), G Gamma(1/p) and s a random sign (keys
    ``split(key)``); ``p`` may be traced."""
    key = check_key("generalized_normal", key)
    dtype = float_dtype("generalized_normal", dtype)
    return _generalized_normal(key, p, canonical_shape(shape), dtype)


def _generalized_normal(key: np.ndarray, p: Any, shape: tuple[int, ...], dtype: np.dtype) -> Any:
    k_gamma, k_sign = split(key, (2,))
    if not isinstance(p, Traced):  # JAX's 1/p of a Python number is a float64 division
        p = np.asarray(p, np.result_type(p, np.float64))
    inverse = as_param(1.0 / p, dtype)
    g = gamma_samples(k_gamma, inverse, shape, dtype, log_space=False)
    sign = random_signs(k_sign, shape, dtype)
    return sign * _math.pow(g, inverse)


def ball(key: Any, d: int, p: Any = 2, shape: Shape = (), dtype: Any = None) -> Any:
    """Points uniform in the unit ℓᵖ ball of dimension d, of shape ``shape + (d,)`` (Barthe,
    Guédon, Mendelson and Naor, 2005): g/(Σ|gᵢ|ᵖ + e)^(1/p), g generalized-normal and e
    exponential (keys ``split(key)``); ``p`` may be traced."""
    key = check_key("ball", key)
    dtype = float_dtype("ball", dtype)
    shape = canonical_shape(shape)
    k_g, k_e = split(key, (2,))
    g = _generalized_normal(k_g, p, (*shape, int(d)), dtype)
    e = standard_exponential(k_e, shape, dtype)
    p = as_param(p, dtype)
    total = anp.sum(_math.pow(anp.abs(g), p), axis=-1) + e
    inverse = dtype.type(1.0) / p
    if int(d) == 1:
        return g / _math.pow(total, inverse)[..., None]
    return g * _math.pow(total, -inverse)[..., None]  # XLA: g/broadcast(xʸ) as g·x⁻ʸ
