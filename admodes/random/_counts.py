"""Counting distributions of ``jax.random``, with JAX's algorithms and key schedules: poisson
(Knuth's product of uniforms for λ < 10, Hörmann's transformed rejection otherwise), binomial
(the geometric-sum inversion for n·min(p, 1 − p) ≤ 10, Hörmann's BTRS otherwise) and multinomial
(a binomial draw per category, each with its key of ``split(key, k)``, on the remaining trials).

Each loop runs over the whole array at once, as JAX's ``while_loop`` does, splitting the one
key every round. The samples are integers (floor or counts), which the last bits of the
floating-point acceptance tests only change at an exact tie; the tests reproduce JAX's
formulas with XLA's functions (float32 log Γ: XLA's Lanczos expansion).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from admodes.core import plain, to_integers
from admodes.random import _xla
from admodes.random._common import checked_shape, float_array, float_dtype, unit_floats
from admodes.random._keys import Shape, canonical_shape, check_key
from admodes.random._threefry import split

__all__ = ["binomial", "multinomial", "poisson"]


# ---------------------------------------------------------------------------- poisson
def _poisson_knuth(key: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Knuth: the number of uniforms whose product stays above e^(−λ), minus one."""
    k = np.zeros(lam.shape, np.int64)
    log_prod = np.zeros(lam.shape, np.float32)
    while (log_prod > -lam).any():
        key, subkey = split(key, (2,))
        k = np.where(log_prod > -lam, k + 1, k)
        with np.errstate(divide="ignore"):
            log_prod = log_prod + _xla.log(unit_floats(subkey, lam.shape, np.dtype(np.float32)))
    return k - 1


def _poisson_rejection(key: np.ndarray, lam: np.ndarray) -> np.ndarray:
    """Hörmann's PTRS ("The transformed rejection method for generating Poisson random
    variables", 1993), in float32 as JAX: the counts as float32 values."""
    f = np.float32
    log_lam = _xla.log(lam)
    b = f(0.931) + f(2.53) * np.sqrt(lam)
    a = f(-0.059) + f(0.02483) * b
    inv_alpha = f(1.1239) + f(1.1328) / (b - f(3.4))
    v_r = f(0.9277) - f(3.6224) / (b - f(2.0))
    k_out = np.full(lam.shape, f(-1.0))
    accepted = np.zeros(lam.shape, bool)
    while not accepted.all():
        key, key_u, key_v = split(key, (3,))
        u = unit_floats(key_u, lam.shape, np.dtype(np.float32)) - f(0.5)
        v = unit_floats(key_v, lam.shape, np.dtype(np.float32))
        u_shifted = f(0.5) - np.abs(u)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.floor((f(2.0) * a / u_shifted + b) * u + lam + f(0.43))
            s = _xla.log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
            t = _xla.fma(k, log_lam, -lam) - _xla.lgamma32(np.maximum(k + f(1.0), f(1.0)))
        accept1 = (u_shifted >= f(0.07)) & (v <= v_r)
        reject = (k < 0) | ((u_shifted < f(0.013)) & (v > u_shifted))
        accept = accept1 | (~reject & (s <= t))
        k_out = np.where(accept, k, k_out)
        accepted |= accept
    return k_out


def poisson(key: Any, lam: Any, shape: Shape | None = None, dtype: Any = None) -> np.ndarray:
    """Poisson(λ) counts of ``shape`` (default λ's) and integer ``dtype`` (int64 by default),
    computed in float32 as JAX's: Knuth's method where λ < 10, PTRS rejection elsewhere."""
    key = check_key("poisson", key)
    dtype = np.dtype(np.int64 if dtype is None else dtype)
    shape = np.shape(lam) if shape is None else canonical_shape(shape)
    lam = np.broadcast_to(np.asarray(plain(lam)), shape).astype(np.float32)
    knuth = np.isnan(lam) | (lam < 10)
    result = _poisson_knuth(key, np.where(knuth, lam, np.float32(0.0))).astype(dtype)
    if not knuth.all():  # a count beyond the dtype saturates, as XLA converts
        rejection = _poisson_rejection(key, np.where(knuth, np.float32(1e5), lam))
        result = np.where(knuth, result, to_integers(rejection, dtype))
    return np.where(lam == 0, dtype.type(0), result)


# ---------------------------------------------------------------------------- binomial
#: log(k!) − Stirling's approximation of it, for k = 0, …, 9 (JAX's table).
_STIRLING_TAIL = (0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
                  0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
                  0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
                  0.00833056343336287)  # fmt: skip


def _stirling_tail(k: np.ndarray) -> np.ndarray:
    """log(k!) − (log √(2π) + (k + ½)·log(k + 1) − (k + 1)): the table for k ≤ 9, else the
    series (1/12 − (1/360 − 1/(1260·(k + 1)²))/(k + 1)²)/(k + 1)."""
    table = np.array(_STIRLING_TAIL, k.dtype)
    clamped = np.clip(k, 0.0, 9.0)
    kp1sq = (clamped + 1) * (clamped + 1)
    series = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (clamped + 1)
    index = to_integers(np.floor(clamped), np.dtype(np.int32))  # nan (from n = inf) to 0, as XLA
    return np.where(k <= 9, table[index], series).astype(k.dtype)


def _binomial_inversion(key: np.ndarray, count: np.ndarray, q: np.ndarray) -> np.ndarray:
    """The number of geometric(q) waiting times that fit in ``count`` trials."""
    log_1mq = _xla.log1p(-q)
    num_geom = np.zeros_like(q)
    geom_sum = np.zeros_like(q)
    while (geom_sum <= count).any():
        subkey, key = split(key, (2,))
        num_geom = np.where(geom_sum <= count, num_geom + 1, num_geom)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_u = _xla.log(unit_floats(subkey, q.shape, q.dtype))
            geom_sum = geom_sum + np.ceil(log_u / log_1mq)
    return num_geom - 1


def _btrs(key: np.ndarray, count: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Hörmann's BTRS ("The generation of binomial random variates", 1993)."""
    stddev = np.sqrt(count * p * (1 - p))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * p
    c = count * p + 0.5
    v_r = 0.92 - 4.2 / b
    r = p / (1 - p)
    alpha = (2.83 + 5.1 / b) * stddev
    m = np.floor((count + 1) * p)
    k_out = np.full(p.shape, -1.0, p.dtype)
    accepted = np.zeros(p.shape, bool)
    while not accepted.all():
        key, key_u, key_v = split(key, (3,))
        u = unit_floats(key_u, p.shape, p.dtype) - 0.5
        v = unit_floats(key_v, p.shape, p.dtype)
        us = 0.5 - np.abs(u)
        with np.errstate(divide="ignore", invalid="ignore"):
            k = np.floor((2 * a / us + b) * u + c)
            log_v = _xla.log(v * alpha / (a / (us * us) + b))
            upper = (
                (m + 0.5) * _xla.log((m + 1) / (r * (count - m + 1)))
                + (count + 1) * _xla.log((count - m + 1) / (count - k + 1))
                + (k + 0.5) * _xla.log(r * (count - k + 1) / (k + 1))
                + _stirling_tail(m)
                + _stirling_tail(count - m)
                - _stirling_tail(k)
                - _stirling_tail(count - k)
            )
        accept = ((us >= 0.07) & (v <= v_r)) | (~((k < 0) | (k > count)) & (log_v <= upper))
        k_out = np.where(accept, k, k_out)
        accepted |= accept
    return k_out


def binomial(key: Any, n: Any, p: Any, shape: Shape | None = None, dtype: Any = None) -> np.ndarray:
    """Binomial(n, p) counts as floats of ``dtype`` (float64 by default), of shape ``shape``
    (default the broadcast of n and p): with q = min(p, 1 − p), inversion where n·q ≤ 10, BTRS
    elsewhere, the count n − k for p ≥ ½; nan for an invalid n or p, inf for n = inf."""
    key = check_key("binomial", key)
    dtype = float_dtype("binomial", dtype)
    return _binomial(key, np.asarray(plain(n)), float_array(p), shape, dtype)


def _binomial(
    key: np.ndarray, count: np.ndarray, prob: np.ndarray, shape: Any, dtype: np.dtype
) -> np.ndarray:
    shape = checked_shape("binomial", shape, count.shape, prob.shape)
    count = np.broadcast_to(count.astype(prob.dtype), shape)
    prob = np.broadcast_to(prob, shape)
    p_lt_half = prob < 0.5
    q = np.where(p_lt_half, prob, 1.0 - prob).astype(prob.dtype)
    count_nan_or_neg = np.isnan(count) | (count < 0.0)
    count_inf = np.isinf(count)
    q_is_nan, q_negative = np.isnan(q), q < 0.0
    q = np.where(q_is_nan | q_negative, prob.dtype.type(0.01), q)
    inversion = count_nan_or_neg | (count * q <= 10.0)
    count = np.floor(count)
    samples = _binomial_inversion(key, np.where(inversion, count, 0.0).astype(q.dtype), q)
    if not inversion.all():
        btrs = _btrs(
            key,
            np.where(inversion, 1e4, count).astype(q.dtype),
            np.where(inversion, 0.5, q).astype(q.dtype),
        )
        samples = np.where(inversion, samples, btrs)
    samples = samples.astype(dtype)
    invalid = q_negative | q_is_nan | count_nan_or_neg
    samples = np.where(invalid, np.nan, samples)
    samples = np.where(count_inf & ~invalid, np.inf, samples)
    keep = p_lt_half | count_nan_or_neg | q_is_nan | count_inf
    return np.where(keep, samples, count.astype(dtype) - samples).astype(dtype)


# ---------------------------------------------------------------------------- multinomial
def _sum_in_order(x: np.ndarray) -> np.ndarray:
    """x[0] + x[1] + … along the first axis, left to right (XLA's reverse cumulative sum adds
    each window this way)."""
    total = x[0]
    for row in x[1:]:
        total = total + row
    return total


def multinomial(
    key: Any, n: Any, p: Any, *, shape: Shape | None = None, dtype: Any = None
) -> np.ndarray:
    """Multinomial(n, p) counts (outcomes along p's last axis), of shape ``shape`` (default
    p's; its last entry the number of outcomes): for each outcome i in turn, with its key of
    ``split(key, k)``, a binomial draw of the remaining trials with probability
    pᵢ/(pᵢ + … + pₖ₋₁)."""
    key = check_key("multinomial", key)
    weak_n = isinstance(n, int | float)  # a Python number takes p's type, as in JAX
    n, p = np.asarray(plain(n)), np.asarray(plain(p))
    common = np.result_type(p, np.float16) if weak_n else np.result_type(n, p, np.float16)
    n, p = n.astype(common), p.astype(common)
    shape = p.shape if shape is None else canonical_shape(shape)
    remainder = np.broadcast_to(n, shape[:-1]).astype(common)
    p = np.moveaxis(np.broadcast_to(p, shape), -1, 0)
    remaining = np.stack([_sum_in_order(p[i:]) for i in range(len(p))])
    ratios = p / np.where(remaining == 0, 1, remaining)
    keys = split(key, (ratios.shape[0],))
    counts = []
    for ratio, subkey in zip(ratios, keys, strict=True):
        count = _binomial(subkey, remainder, np.clip(ratio, 0, 1), None, common)
        remainder = remainder - count
        counts.append(count)
    out = np.moveaxis(np.stack(counts), 0, -1)
    return out.astype(np.float64 if dtype is None else dtype)
