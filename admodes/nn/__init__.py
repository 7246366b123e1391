"""``admodes.nn``: JAX's ``jax.nn`` activations, normalisations and attention, by both engines,
and its ``initializers`` (JAX's numbers for a PRNG key, or NumPy's draws for a ``Generator``).

Names, signatures and derivatives are JAX's, kinks included: ``relu'(0) = 0``; ``relu6`` has
derivative 0 at 0 and at 6, and so ``hard_sigmoid`` at ±3 and ``hard_silu`` at −3 (1 at 3);
``relu`` and ``relu6`` select as JAX's do, so an infinite tangent or cotangent where they are flat
gives 0, not nan, and ``hard_silu'(−inf)`` is JAX's 0 by reverse mode;
``leaky_relu'(0) = 1``; ``elu'(0) = alpha``, ``selu'(0) = scale · alpha``; ``hard_tanh'(±1) = 1``;
``sparse_sigmoid'(±1) = 1/4`` (JAX's ``clip``, half of each side); ``celu'(0) = 1`` with
``celu''(0) = 1/(4 · alpha)`` (JAX's ``maximum`` and ``minimum`` at a tie); ``log1mexp'(0) = inf``.
Every function is stable at |x| = 1000, in value and in both modes' derivatives: exponentials only
see non-positive arguments (``softplus`` is ``logaddexp(x, 0)``, ``softmax`` shifts by the
maximum, ``elu`` and ``celu`` take ``expm1`` of ``min(x, 0)``, ``log1mexp`` of ``−x``, on its
domain x ≥ 0), and ``sigmoid`` and ``erfc`` saturate to exact 0 and 1.

Built from :mod:`admodes.numpy`; ``relu``, ``sigmoid`` (JAX's ``logistic``) and ``erfc`` are
registry primitives, the rest composites (``dot_product_attention`` of two ``einsum`` and a
``softmax``, so every order of derivative comes from theirs).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, numbers, plain, shape
from admodes.nn import initializers
from admodes.numpy._functions import clamp, masked, stop_gradient
from admodes.numpy._reductions import max_shift
from admodes.rules.elementwise import erfc, logistic, relu

__all__ = [
    "celu",
    "dot_product_attention",
    "elu",
    "gelu",
    "glu",
    "hard_sigmoid",
    "hard_silu",
    "hard_swish",
    "hard_tanh",
    "identity",
    "initializers",
    "leaky_relu",
    "log1mexp",
    "log_sigmoid",
    "log_softmax",
    "logmeanexp",
    "logsumexp",
    "mish",
    "one_hot",
    "relu",
    "relu6",
    "selu",
    "sigmoid",
    "silu",
    "soft_sign",
    "softmax",
    "softplus",
    "sparse_plus",
    "sparse_sigmoid",
    "squareplus",
    "standardize",
    "swish",
    "tanh",
]

Axis = int | Sequence[int] | None

sigmoid = logistic
tanh = anp.tanh


def identity(x: Any) -> Any:
    """x, unchanged."""
    return x


def relu6(x: Any) -> Any:
    """min(max(x, 0), 6): x selected on 0 < x < 6, else the constant bound (nan at nan), so the
    derivative is JAX's select: 1 inside, 0 at both kinks and outside, and a tangent or
    cotangent outside (±inf from hard_silu at −inf) is dropped, never multiplied by 0."""
    return clamp(x, 0.0, 6.0)


def hard_tanh(x: Any) -> Any:
    """x clipped to [−1, 1], with derivative 1 at ±1 (JAX)."""
    values = numbers(x)
    return anp.where(np.abs(values) > 1, np.clip(values, -1, 1), x)


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x where x ≥ 0, else negative_slope · x (derivative 1 at 0)."""
    return anp.where(numbers(x) >= 0, x, anp.multiply(negative_slope, x))


def elu(x: Any, alpha: float = 1.0) -> Any:
    """x where x > 0, else alpha · (eˣ − 1); ``expm1`` sees only non-positive arguments."""
    positive = numbers(x) > 0
    return anp.where(positive, x, anp.multiply(alpha, anp.expm1(anp.where(positive, 0.0, x))))


def celu(x: Any, alpha: float = 1.0) -> Any:
    """max(x, 0) + alpha · (e^(min(x, 0)/alpha) − 1), composed as JAX does: x where x > 0, else
    alpha · (e^(x/alpha) − 1); at 0 each side takes half the derivative (1 in all, second
    derivative 1/(4 · alpha), as JAX), and ``expm1`` sees only non-positive arguments."""
    negative_part = anp.expm1(anp.divide(anp.minimum(x, 0.0), alpha))
    return anp.add(anp.maximum(x, 0.0), anp.multiply(alpha, negative_part))


def selu(x: Any) -> Any:
    """scale · elu(x, alpha), with scale ≈ 1.0507 and alpha ≈ 1.6733 (self-normalizing)."""
    alpha = 1.6732632423543772848170429916717
    scale = 1.0507009873554804934193349852946
    return anp.multiply(scale, elu(x, alpha))


def gelu(x: Any, approximate: bool = True) -> Any:
    """x · Φ(x): exactly, 0.5 · x · erfc(−x/√2); with ``approximate``, the tanh form
    0.5 · x · (1 + tanh(√(2/π) · (x + 0.044715 · x³)))."""
    if approximate:
        inner = anp.multiply(math.sqrt(2.0 / math.pi), anp.add(x, anp.multiply(0.044715, x**3)))
        return anp.multiply(x, anp.multiply(0.5, anp.add(1.0, anp.tanh(inner))))
    return anp.multiply(anp.multiply(0.5, x), erfc(anp.multiply(x, -math.sqrt(0.5))))


def silu(x: Any) -> Any:
    """x · sigmoid(x)."""
    return anp.multiply(x, sigmoid(x))


swish = silu


def hard_sigmoid(x: Any) -> Any:
    """relu6(x + 3) / 6: derivative 0 at −3 and 3 (relu6's kinks)."""
    return anp.divide(relu6(anp.add(x, 3.0)), 6.0)


def hard_silu(x: Any) -> Any:
    """x · hard_sigmoid(x)."""
    return anp.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def softplus(x: Any) -> Any:
    """log(1 + eˣ) = logaddexp(x, 0)."""
    return anp.logaddexp(x, 0.0)


def squareplus(x: Any, b: Any = 4) -> Any:
    """(x + √(x² + b)) / 2."""
    return anp.multiply(0.5, anp.add(x, anp.sqrt(anp.add(anp.square(x), b))))


def sparse_plus(x: Any) -> Any:
    """0 where x ≤ −1, x where x ≥ 1, else (x + 1)² / 4 (derivative 0 at −1, 1 at 1)."""
    quadratic = anp.divide(anp.square(anp.add(x, 1.0)), 4.0)
    return anp.where(numbers(x) <= -1.0, 0.0, anp.where(numbers(x) >= 1.0, x, quadratic))


def sparse_sigmoid(x: Any) -> Any:
    """(x + 1) / 2 clipped to [0, 1], as JAX: 0.5 · clip(x + 1, 0, 2), derivative 1/4 at ±1."""
    return anp.multiply(0.5, anp.clip(anp.add(x, 1.0), 0.0, 2.0))


def soft_sign(x: Any) -> Any:
    """x / (|x| + 1)."""
    return anp.divide(x, anp.add(anp.abs(x), 1.0))


def log_sigmoid(x: Any) -> Any:
    """log sigmoid(x) = −softplus(−x)."""
    return anp.negative(softplus(anp.negative(x)))


def mish(x: Any) -> Any:
    """x · tanh(softplus(x))."""
    return anp.multiply(x, anp.tanh(softplus(x)))


def log1mexp(x: Any) -> Any:
    """log(1 − e⁻ˣ), defined for x ≥ 0 (nan below; −inf at 0, derivative inf, as JAX):
    log(−expm1(−x)) below log 2, log1p(−e⁻ˣ) from log 2 on (Mächler's split, as JAX). The second
    branch sees x only where it is taken (1 elsewhere), so its derivative, infinite at 0, never
    meets the zero cotangent of the branch not taken. Derivative 1/(eˣ − 1), JAX's rule, down to
    x = −709; below, where the value is nan and e⁻ˣ overflows, nan (JAX: 1/(eˣ − 1))."""
    small = numbers(x) < math.log(2.0)
    near_zero = anp.log(anp.negative(anp.expm1(anp.negative(x))))
    away = anp.log1p(anp.negative(anp.exp(anp.negative(anp.where(small, 1.0, x)))))
    return anp.where(small, near_zero, away)


# ---------------------------------------------------------------------------- over an axis
def glu(x: Any, axis: int = -1) -> Any:
    """a · sigmoid(b), a and b the first and second halves of x along ``axis`` (of even length)."""
    size = shape(x)[axis]
    if size % 2:
        raise ValueError(f"glu: the length of axis {axis} must be even, not {size}")
    a, b = anp.split(x, 2, axis)
    return anp.multiply(a, sigmoid(b))


def _masked_sum(x: Any, axis: Axis, where: Any) -> Any:
    """Σ x over ``axis`` (dimensions kept), counting only the entries ``where`` marks."""
    return anp.sum(x, axis=axis, keepdims=True, where=where)


def softmax(x: Any, axis: Axis = -1, where: Any = None) -> Any:
    """exp(x − max) / Σ exp(x − max) over ``axis`` (entries outside ``where`` get 0; a line
    with a +inf entry is NaN, as JAX's)."""
    top = max_shift(x, axis, where, finite=False)
    unnormalized = anp.exp(anp.subtract(masked(x, where, -np.inf), top))
    result = anp.divide(unnormalized, _masked_sum(unnormalized, axis, where))
    return masked(result, where, 0.0)


def log_softmax(x: Any, axis: Axis = -1, where: Any = None) -> Any:
    """(x − max) − log Σ exp(x − max) over ``axis`` (entries outside ``where`` get -inf; a line
    with a +inf entry is NaN, as JAX's)."""
    shifted = anp.subtract(masked(x, where, -np.inf), max_shift(x, axis, where, finite=False))
    result = anp.subtract(shifted, anp.log(_masked_sum(anp.exp(shifted), axis, where)))
    return masked(result, where, -np.inf)


def logsumexp(
    a: Any,
    axis: Axis = None,
    b: Any = None,
    keepdims: bool = False,
    return_sign: bool = False,
    where: Any = None,
) -> Any:
    """log |Σ b · exp(a)| over ``axis`` (``jax.nn.logsumexp``, i.e. ``jax.scipy.special``'s):
    :func:`admodes.numpy.logsumexp` over the entries ``where`` marks."""
    return anp.logsumexp(a, axis, b, keepdims, return_sign, where=where)


def logmeanexp(x: Any, axis: Axis = None, where: Any = None, keepdims: bool = False) -> Any:
    """log((1/n) Σ eˣ) = logsumexp(x) − log n over ``axis``, n the number of entries ``where``
    marks (nan where it marks none, as JAX)."""
    ones = anp.ones_like(x)  # x's dtype, as JAX's count
    count = np.sum(ones, axis=axis, keepdims=keepdims, where=True if where is None else where)
    return anp.subtract(logsumexp(x, axis, keepdims=keepdims, where=where), np.log(count))


def standardize(
    x: Any,
    axis: Axis = -1,
    mean: Any = None,
    variance: Any = None,
    epsilon: float = 1e-5,
    where: Any = None,
    *,
    algorithm: str = "fast",
) -> Any:
    """(x − mean) / √(variance + epsilon) over ``axis``, with JAX's defaults: the mean of the
    entries ``where`` marks, and their variance as E[x²] − mean² clipped at 0 (``"fast"``) or as
    E[(x − mean)²] (``"stable"``)."""
    if algorithm not in ("fast", "stable"):
        raise ValueError(f"Unknown algorithm '{algorithm}'. Expected 'fast' or 'stable'.")
    count = _masked_sum(anp.ones_like(x), axis, where)
    if mean is None:
        mean = anp.divide(_masked_sum(x, axis, where), count)
    if variance is None and algorithm == "stable":
        variance = anp.divide(_masked_sum(anp.square(anp.subtract(x, mean)), axis, where), count)
    elif variance is None:
        squares = anp.divide(_masked_sum(anp.square(x), axis, where), count)
        variance = anp.clip(anp.subtract(squares, anp.square(mean)), 0.0)
    return anp.divide(anp.subtract(x, mean), anp.sqrt(anp.add(variance, epsilon)))


def one_hot(x: Any, num_classes: int, *, dtype: Any = None, axis: int = -1) -> np.ndarray:
    """A plain array with a 1 where ``x`` equals the class index along the new ``axis``."""
    x = np.asarray(plain(x))
    classes = np.arange(num_classes).reshape((-1,) + (1,) * (ndim(x) - axis % (ndim(x) + 1)))
    hits = np.expand_dims(x, axis) == classes
    return hits.astype(np.float64 if dtype is None else dtype)


# ---------------------------------------------------------------------------- attention
def dot_product_attention(
    query: Any,
    key: Any,
    value: Any,
    bias: Any = None,
    mask: Any = None,
    *,
    scale: float | None = None,
    is_causal: bool = False,
    query_seq_lengths: Any = None,
    key_value_seq_lengths: Any = None,
    local_window_size: int | tuple[int, int] | None = None,
    implementation: str | None = None,
    return_residual: bool = False,
) -> Any:
    """softmax(scale · Q Kᵀ + bias) V for each head, ``jax.nn.dot_product_attention``.

    Shapes as JAX's: ``query`` (B, T, N, H), ``key`` and ``value`` (B, S, K, H), without B for
    unbatched inputs; the output has the query's shape. N a multiple of K: query head n attends
    with key/value head n // (N / K) (grouped-query attention; K = 1 is multi-query). ``bias``
    and the boolean ``mask`` (True attends) broadcast to (B, N, T, S). ``scale`` defaults to
    1/√H. ``is_causal``: position t attends to s ≤ t. ``local_window_size`` (l, r), or one int for
    both: t attends to t − l ≤ s ≤ t + r. ``query_seq_lengths`` and ``key_value_seq_lengths``
    (integer arrays of shape (B,)): positions at or past a length are padding, and a padded
    query position's output is 0. A masked logit becomes −0.7 × float32's largest value, as in
    JAX, so a row with every key masked averages the values instead of giving nan.
    ``return_residual`` also returns log Σₛ exp(logits) of shape (B, T, N), a constant to
    every transform.

    Float64 inputs keep float64 throughout; JAX's XLA implementation rounds the logits to
    float32 for the softmax, so it agrees with this one to about 1e-7 there.
    """
    if implementation not in (None, "xla"):
        raise ValueError(
            f"dot_product_attention: implementation={implementation!r} is not available; "
            "admodes computes with NumPy on the CPU: pass implementation=None (or 'xla')"
        )
    batched = ndim(query) == 4
    q, k, v = (_with_batch_axis(x, name) for x, name in ((query, "query"), (key, "key"),
                                                        (value, "value")))  # fmt: skip
    B, S, K, H = shape(k)
    T, N = shape(q)[1:3]
    _check_attention_shapes(q, k, v, K)
    G = N // K
    scale = 1.0 / math.sqrt(H) if scale is None else scale
    grouped = anp.reshape(q, (B, T, K, G, H))
    logits = anp.multiply(anp.einsum("btkgh,bskh->bkgts", grouped, k), scale)
    if bias is not None:
        logits = anp.add(logits, _grouped(bias, "bias", N, G))
    attends = _attends(
        mask, is_causal, local_window_size, query_seq_lengths, key_value_seq_lengths, B, T, S, N, G
    )
    if attends is not None:
        logits = anp.where(attends, logits, _large_negative(dtype_of(logits)))
    encoded = anp.einsum("bkgts,bskh->btkgh", softmax(logits, axis=-1), v)
    encoded = anp.reshape(encoded, (B, T, N, H))
    if query_seq_lengths is not None:
        valid = np.arange(T) < _lengths(query_seq_lengths, "query_seq_lengths", B)[:, None]
        encoded = anp.multiply(encoded, valid[:, :, None, None].astype(dtype_of(encoded)))
    out = encoded if batched else encoded[0]
    if not return_residual:
        return out
    residual = anp.reshape(anp.transpose(logsumexp(logits, axis=-1), (0, 3, 1, 2)), (B, T, N))
    return out, stop_gradient(residual if batched else residual[0])


def _with_batch_axis(x: Any, name: str) -> Any:
    """``x`` (B, L, heads, H), with a batch axis of 1 put in front of an unbatched (L, heads, H)."""
    if ndim(x) not in (3, 4):
        raise ValueError(
            f"dot_product_attention: {name} must have shape (batch, length, heads, head_dim) or "
            f"(length, heads, head_dim), got shape {shape(x)}"
        )
    return anp.expand_dims(x, 0) if ndim(x) == 3 else x


def _check_attention_shapes(q: Any, k: Any, v: Any, kv_heads: int) -> None:
    """JAX's checks: value like key, the query's batch and head dimension those of key, its
    heads a multiple of key's, one dtype for all three."""
    qs, ks, vs = (shape(x) for x in (q, k, v))
    if vs != ks:
        raise ValueError(f"dot_product_attention: value must have key's shape {ks}, got {vs}")
    if qs[0] != ks[0] or qs[3] != ks[3]:
        raise ValueError(
            f"dot_product_attention: query {qs} and key {ks} must agree in batch size (axis 0) "
            "and head dimension (axis -1)"
        )
    if qs[2] % kv_heads:
        raise ValueError(
            f"dot_product_attention: the number of query heads ({qs[2]}) must be a multiple of "
            f"the number of key/value heads ({kv_heads})"
        )
    dtypes = {str(dtype_of(x)) for x in (q, k, v)}
    if len(dtypes) > 1:
        raise ValueError(
            f"dot_product_attention: query, key and value must have one dtype, got {sorted(dtypes)}"
            "; convert them with .astype(...)"
        )


def _grouped(x: Any, name: str, heads: int, groups: int) -> Any:
    """A bias or mask broadcastable to (B, N, T, S), as (B, K, G, T, S): the head axis split in
    K key/value heads of G query heads each (a head axis of 1 stays 1)."""
    if ndim(x) > 4:
        raise ValueError(
            f"dot_product_attention: {name} must broadcast to (batch, heads, T, S) and have at "
            f"most 4 dimensions, got shape {shape(x)}"
        )
    s = (1,) * (4 - ndim(x)) + shape(x)
    if s[1] not in (1, heads):
        raise ValueError(
            f"dot_product_attention: {name}'s head axis (axis 1 of (batch, heads, T, S)) must be "
            f"1 or the number of query heads {heads}, got shape {s}"
        )
    split = (s[0], 1, 1) if s[1] == 1 else (s[0], heads // groups, groups)
    return anp.reshape(x, (*split, *s[2:]))


def _attends(
    mask: Any,
    is_causal: bool,
    window: int | tuple[int, int] | None,
    q_lengths: Any,
    kv_lengths: Any,
    B: int,
    T: int,
    S: int,
    N: int,
    G: int,
) -> np.ndarray | None:
    """Which logits (B, K, G, T, S) take part, from the mask, causality, the local window and the
    sequence lengths (a plain boolean array that broadcasts to the logits; None: all of them)."""
    parts = []
    if mask is not None:
        if dtype_of(mask) != np.bool_:
            raise ValueError(
                f"dot_product_attention: mask must be boolean (True attends), got "
                f"{dtype_of(mask)}; pass an additive mask as bias"
            )
        parts.append(_grouped(np.asarray(plain(mask)), "mask", N, G))
    query_at, key_at = np.arange(T)[:, None], np.arange(S)[None, :]
    if is_causal:
        parts.append(key_at <= query_at)
    if window is not None:
        left, right = (window, window) if isinstance(window, int) else window
        parts.append((query_at - left <= key_at) & (key_at <= query_at + right))
    if q_lengths is not None:
        lengths = _lengths(q_lengths, "query_seq_lengths", B)
        parts.append((np.arange(T) < lengths[:, None])[:, None, None, :, None])
    if kv_lengths is not None:
        lengths = _lengths(kv_lengths, "key_value_seq_lengths", B)
        parts.append((np.arange(S) < lengths[:, None])[:, None, None, None, :])
    return None if not parts else functools.reduce(np.logical_and, parts)


def _lengths(lengths: Any, name: str, batch: int) -> np.ndarray:
    """Sequence lengths: an integer array of shape (batch,)."""
    lengths = np.asarray(plain(lengths))
    if lengths.shape != (batch,) or lengths.dtype.kind not in "iu":
        raise ValueError(
            f"dot_product_attention: {name} must be an integer array of shape ({batch},), one "
            f"length per batch entry; got {lengths.dtype} of shape {lengths.shape}"
        )
    return lengths


def _large_negative(dtype: np.dtype) -> float:
    """JAX's masked logit: −0.7 × the largest value of ``dtype``, at most float32's (finite
    through a float32 softmax)."""
    return -0.7 * min(float(np.finfo(dtype).max), float(np.finfo(np.float32).max))
