"""``admodes.scipy.special``: SciPy's special functions, differentiable by both engines.

Values are SciPy's; derivatives are JAX's (``jax.scipy.special``), with the formulas in
:mod:`admodes.rules.special`. ``gammainc`` and ``gammaincc`` are differentiable in both arguments
(first order in ``a``, as JAX); ``betainc`` in ``x`` only (JAX raises for ``a`` and ``b``, and so
does admodes); ``polygamma`` in ``x`` only (``n`` is an integer). ``rel_entr`` is a primitive
(SciPy's value, JAX's derivatives: 0 outside p, q > 0), ``kl_div`` and ``multigammaln`` are
composed as JAX composes them. ``logsumexp``, ``softmax`` and ``log_softmax`` are those of
:mod:`admodes.nn` with SciPy's defaults (``axis=None``). ``i0`` is :func:`admodes.numpy.i0`, with
``jax.numpy.i0``'s derivative: 0 at x = 0, where ``jax.scipy.special.i0``'s is 1 (I₁(0) = 0).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes import nn
from admodes.core import plain
from admodes.nn import logsumexp
from admodes.rules.elementwise import erfc, exp_abs, i0e, i1e
from admodes.rules.elementwise import logistic as expit
from admodes.rules.special import (
    betainc,
    betaln,
    digamma,
    erf,
    erfinv,
    gamma,
    gammainc,
    gammaincc,
    gammaln,
    log_ndtr,
    ndtri,
    polygamma,
    rel_entr,
    rgamma,
    xlog1py,
    xlogx,
    xlogy,
)

__all__ = [
    "betainc",
    "betaln",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcinv",
    "erfinv",
    "expit",
    "gamma",
    "gammainc",
    "gammaincc",
    "gammaln",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "kl_div",
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "rel_entr",
    "rgamma",
    "softmax",
    "xlog1py",
    "xlogy",
]

psi = digamma
i0 = anp.i0


def entr(x: Any) -> Any:
    """−x log x for x ≥ 0 (0 at 0), −inf for x < 0 (JAX's select: the derivative is 0 there in
    forward mode, nan in reverse mode, as JAX)."""
    return anp.where(plain(x) < 0, -np.inf, anp.negative(xlogx(x)))


def kl_div(x: Any, y: Any) -> Any:
    """x log(x/y) − x + y for x, y > 0, y at x = 0 ≤ y, inf elsewhere: rel_entr(x, y) − x + y, as
    JAX (derivatives log(x/y) and 1 − x/y where x, y > 0; −1 and 1 at x = 0)."""
    return anp.add(anp.subtract(rel_entr(x, y), x), y)


def multigammaln(a: Any, d: int) -> Any:
    """log Γ_d(a) = d(d − 1)/4 · log π + Σⱼ log Γ(a − j/2), j = 0, …, d − 1 (JAX's sum; SciPy's
    checks: d an integer, every a > (d − 1)/2)."""
    if not np.isscalar(d) or np.floor(d) != d:
        raise ValueError("multigammaln: d should be a positive integer (dimension)")
    d = int(d)
    if np.any(np.asarray(plain(a)) <= 0.5 * (d - 1)):
        raise ValueError(
            f"multigammaln: condition a > 0.5 * (d-1) = {0.5 * (d - 1)} not met (a = "
            f"{plain(a)!r}); log Γ_d(a) is defined for a > (d - 1)/2 only"
        )
    offsets = np.arange(d) / 2.0
    terms = gammaln(anp.subtract(anp.expand_dims(a, -1), offsets))
    return anp.add(anp.sum(terms, axis=-1), 0.25 * d * (d - 1) * math.log(math.pi))


def ndtr(x: Any) -> Any:
    """Φ(x) = erfc(−x/√2) / 2."""
    return anp.multiply(0.5, erfc(anp.multiply(x, -math.sqrt(0.5))))


def erfcinv(y: Any) -> Any:
    """erfcinv(y) = −ndtri(y/2)/√2 (accurate for small y, where erfinv(1 − y) is not)."""
    return anp.multiply(ndtri(anp.multiply(y, 0.5)), -math.sqrt(0.5))


def logit(p: Any) -> Any:
    """log(p / (1 − p)) = log p − log1p(−p): its derivative 1/p + 1/(1 − p) = 1/(p(1 − p)) is
    inf at 0 and at 1 by both modes, as JAX's (a quotient would give 0·∞ = nan in reverse mode)."""
    return anp.subtract(anp.log(p), anp.log1p(anp.negative(p)))


def i1(x: Any) -> Any:
    """The modified Bessel function I₁ = e^|x| · i1e(x)."""
    return anp.multiply(exp_abs(x), i1e(x))


def softmax(x: Any, axis: int | tuple[int, ...] | None = None) -> Any:
    """exp(x) / Σ exp(x) over ``axis`` (every axis by default, as SciPy)."""
    return nn.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int | tuple[int, ...] | None = None) -> Any:
    """x − logsumexp(x) over ``axis`` (every axis by default, as SciPy)."""
    return nn.log_softmax(x, axis=axis)
