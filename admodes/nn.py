"""``admodes.nn``: JAX's ``jax.nn`` activations and normalisations, by both engines.

Names, signatures and derivatives are JAX's, kinks included: ``relu'(0) = 0``; ``relu6`` has
derivative 0 at 0 and at 6; ``leaky_relu'(0) = 1``; ``elu'(0) = alpha``. Every function is stable at
|x| = 1000, in value and in both modes' derivatives: exponentials only see non-positive arguments
(``softplus`` is ``logaddexp(x, 0)``, ``softmax`` shifts by the maximum, ``elu`` takes ``expm1``
of ``min(x, 0)``), and ``sigmoid`` and ``erfc`` saturate to exact 0 and 1.

Built from :mod:`admodes.numpy`; ``relu``, ``sigmoid`` (JAX's ``logistic``) and ``erfc`` are
registry primitives, the rest composites.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import ndim, plain
from admodes.numpy._functions import masked
from admodes.rules.elementwise import erfc, logistic, relu

__all__ = [
    "elu",
    "gelu",
    "leaky_relu",
    "log_sigmoid",
    "log_softmax",
    "logsumexp",
    "one_hot",
    "relu",
    "relu6",
    "sigmoid",
    "silu",
    "softmax",
    "softplus",
    "standardize",
    "swish",
]

Axis = int | Sequence[int] | None

sigmoid = logistic


def relu6(x: Any) -> Any:
    """min(max(x, 0), 6), with derivative 0 at both kinks (JAX)."""
    return anp.where(plain(x) >= 6.0, 6.0, relu(x))


def leaky_relu(x: Any, negative_slope: float = 0.01) -> Any:
    """x where x ≥ 0, else negative_slope · x (derivative 1 at 0)."""
    return anp.where(plain(x) >= 0, x, anp.multiply(negative_slope, x))


def elu(x: Any, alpha: float = 1.0) -> Any:
    """x where x > 0, else alpha · (eˣ − 1); ``expm1`` sees only non-positive arguments."""
    positive = plain(x) > 0
    return anp.where(positive, x, anp.multiply(alpha, anp.expm1(anp.where(positive, 0.0, x))))


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


def softplus(x: Any) -> Any:
    """log(1 + eˣ) = logaddexp(x, 0)."""
    return anp.logaddexp(x, 0.0)


def log_sigmoid(x: Any) -> Any:
    """log sigmoid(x) = −softplus(−x)."""
    return anp.negative(softplus(anp.negative(x)))


# ---------------------------------------------------------------------------- over an axis
def _masked_sum(x: Any, axis: Axis, where: Any) -> Any:
    """Σ x over ``axis`` (dimensions kept), counting only the entries ``where`` marks."""
    return anp.sum(x, axis=axis, keepdims=True, where=where)


def _shift(x: Any, axis: Axis, where: Any) -> Any:
    """The maximum over ``axis`` (of the marked entries): a constant that keeps exponentials ≤ 1
    (0 where it is not finite, so -inf entries stay -inf)."""
    top = np.max(plain(x), axis=axis, keepdims=True, where=True if where is None else where,
                 initial=-np.inf)  # fmt: skip
    return np.where(np.isfinite(top), top, 0.0)


def softmax(x: Any, axis: Axis = -1, where: Any = None) -> Any:
    """exp(x − max) / Σ exp(x − max) over ``axis`` (entries outside ``where`` get 0)."""
    unnormalized = anp.exp(anp.subtract(masked(x, where, -np.inf), _shift(x, axis, where)))
    result = anp.divide(unnormalized, _masked_sum(unnormalized, axis, where))
    return masked(result, where, 0.0)


def log_softmax(x: Any, axis: Axis = -1, where: Any = None) -> Any:
    """(x − max) − log Σ exp(x − max) over ``axis`` (entries outside ``where`` get -inf)."""
    shifted = anp.subtract(masked(x, where, -np.inf), _shift(x, axis, where))
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
    return anp.logsumexp(masked(a, where, -np.inf), axis, b, keepdims, return_sign)


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
    count = _masked_sum(np.ones_like(plain(x)), axis, where)
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
