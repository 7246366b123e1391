"""``admodes.scipy.special``: SciPy's special functions, differentiable by both engines.

Values are SciPy's; derivatives are JAX's (``jax.scipy.special``), with the formulas in
:mod:`admodes.rules.special`. ``gammainc`` and ``gammaincc`` are differentiable in both arguments
(first order in ``a``, as JAX); ``betainc`` in ``x`` only (JAX raises for ``a`` and ``b``, and so
does admodes); ``polygamma`` in ``x`` only (``n`` is an integer). ``logsumexp``, ``softmax`` and
``log_softmax`` are those of :mod:`admodes.nn` with SciPy's defaults (``axis=None``).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes import nn
from admodes.core import plain
from admodes.nn import logsumexp
from admodes.rules.elementwise import erfc
from admodes.rules.elementwise import logistic as expit
from admodes.rules.special import (
    betainc,
    betaln,
    digamma,
    erf,
    erfinv,
    exp_abs,
    gamma,
    gammainc,
    gammaincc,
    gammaln,
    i0e,
    i1e,
    log_ndtr,
    ndtri,
    polygamma,
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
    "log_ndtr",
    "log_softmax",
    "logit",
    "logsumexp",
    "ndtr",
    "ndtri",
    "polygamma",
    "psi",
    "rgamma",
    "softmax",
    "xlog1py",
    "xlogy",
]

psi = digamma


def entr(x: Any) -> Any:
    """−x log x for x ≥ 0 (0 at 0), −inf for x < 0 (JAX's select: the derivative is 0 there in
    forward mode, nan in reverse mode, as JAX)."""
    return anp.where(plain(x) < 0, -np.inf, anp.negative(xlogx(x)))


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


def i0(x: Any) -> Any:
    """The modified Bessel function I₀ = e^|x| · i0e(x)."""
    return anp.multiply(exp_abs(x), i0e(x))


def i1(x: Any) -> Any:
    """The modified Bessel function I₁ = e^|x| · i1e(x)."""
    return anp.multiply(exp_abs(x), i1e(x))


def softmax(x: Any, axis: int | tuple[int, ...] | None = None) -> Any:
    """exp(x) / Σ exp(x) over ``axis`` (every axis by default, as SciPy)."""
    return nn.softmax(x, axis=axis)


def log_softmax(x: Any, axis: int | tuple[int, ...] | None = None) -> Any:
    """x − logsumexp(x) over ``axis`` (every axis by default, as SciPy)."""
    return nn.log_softmax(x, axis=axis)
