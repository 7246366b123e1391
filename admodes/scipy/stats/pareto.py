"""The Pareto distribution with shape ``b``, location and scale, on y = (x − loc)/scale ≥ 1."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    invalid,
    nonpositive,
    outside,
    probability,
    rescaled,
    standardized,
    within,
)

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]


def _on_support(x: Any, loc: Any, scale: Any) -> tuple[Any, Any]:
    """Where y = (x − loc)/scale ≥ 1 (or nan), and y there, 2 elsewhere: each formula sees y only
    where it is used, so that none meets an infinite slope it does not use (log y at y = 0,
    log1p(−y^(−b)) at y = 1)."""
    y = standardized(x, loc, scale)
    support = within(y, 1.0)
    return support, anp.where(support, y, 2.0)


def logpdf(x: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log b − (b + 1) log y − log scale for y ≥ 1, −inf below; nan for b ≤ 0."""
    support, y = _on_support(x, loc, scale)
    log_density = anp.subtract(anp.log(b), anp.multiply(anp.add(b, 1.0), anp.log(y)))
    return invalid(nonpositive(b), outside(support, rescaled(log_density, scale)))


def cdf(x: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """1 − y^(−b) for y ≥ 1, 0 below; nan for b ≤ 0."""
    support, y = _on_support(x, loc, scale)
    inside = anp.subtract(1.0, anp.power(y, anp.negative(b)))
    return invalid(nonpositive(b), anp.where(support, inside, 0.0))


def logcdf(x: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """log1p(−y^(−b)) for y ≥ 1, −inf below; nan for b ≤ 0."""
    support, y = _on_support(x, loc, scale)
    inside = anp.log1p(anp.negative(anp.power(y, anp.negative(b))))
    return invalid(nonpositive(b), outside(support, inside))


def logsf(x: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """−b log y for y ≥ 1, 0 below; nan for b ≤ 0."""
    support, y = _on_support(x, loc, scale)
    inside = anp.negative(anp.multiply(b, anp.log(y)))
    return invalid(nonpositive(b), anp.where(support, inside, 0.0))


def ppf(q: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """loc + scale · (1 − q)^(−1/b) for 0 ≤ q ≤ 1 (inf at 1), nan elsewhere; nan for b ≤ 0 or
    scale ≤ 0."""
    step = anp.multiply(scale, anp.power(anp.subtract(1.0, q), anp.negative(anp.reciprocal(b))))
    quantile = probability(q, anp.add(loc, step))
    return invalid(nonpositive(b) | nonpositive(scale), quantile)


pdf = exp_of(logpdf, "pdf")
sf = exp_of(logsf, "sf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
