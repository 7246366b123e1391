"""The Dirichlet distribution with concentrations ``alpha`` (K,), on the simplex."""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import at_each_index, ndim, shape
from admodes.scipy.special import gammaln, xlogy
from admodes.scipy.stats._common import exp_of, export_with_scipy_types

__all__ = ["logpdf", "pdf"]


def _on_simplex(x: Any, alpha: Any) -> Any:
    """x of shape (K, ...) as SciPy takes it: with K − 1 rows, the last is 1 − their sum; every
    point must lie in the simplex (SciPy raises otherwise, and so does this)."""
    k = shape(alpha)[0]
    if shape(x)[0] == k - 1:
        last = anp.subtract(1.0, anp.sum(x, axis=0, keepdims=True))
        x = anp.concatenate([x, last], axis=0)
    if ndim(alpha) != 1 or shape(x)[0] != k:
        raise ValueError(
            f"dirichlet: alpha must have shape (K,) and x shape (K, ...) or (K - 1, ...); got "
            f"{shape(alpha)} and {shape(x)}"
        )
    at_each_index(_check_simplex, x)
    return x


def _check_simplex(values: np.ndarray) -> None:
    """SciPy's ValueError unless every point (a column of the plain ``values``) lies in the
    simplex: entries in [0, 1], summing to 1."""
    if np.any(values < 0) or np.any(values > 1):
        raise ValueError("dirichlet: each entry of x must lie in [0, 1]")
    if np.any(np.abs(np.sum(values, axis=0) - 1.0) > 1e-9):
        raise ValueError("dirichlet: each point x must sum to 1")


def logpdf(x: Any, alpha: Any) -> Any:
    """Σᵢ (αᵢ − 1) log xᵢ − (Σᵢ log Γ(αᵢ) − log Γ(Σᵢ αᵢ))."""
    x = _on_simplex(x, alpha)
    column = anp.reshape(alpha, shape(alpha) + (1,) * (ndim(x) - 1))
    log_beta = anp.subtract(anp.sum(gammaln(alpha)), gammaln(anp.sum(alpha)))
    return anp.subtract(anp.sum(xlogy(anp.subtract(column, 1.0), x), axis=0), log_beta)


pdf = exp_of(logpdf, "pdf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
