"""The beta distribution with shapes ``a`` and ``b``, location and scale."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.numpy._functions import clamp
from admodes.scipy.special import betainc, betaln, xlog1py, xlogy
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    invalid,
    log_of,
    nonpositive,
    outside,
    rescaled,
    standardized,
    within,
)

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "sf"]


def _shaped(a: Any, b: Any, value: Any) -> Any:
    """``value``, but nan where a ≤ 0 or b ≤ 0 (SciPy's: no beta distribution has such shapes;
    JAX's is its formula's)."""
    return invalid(nonpositive(a) | nonpositive(b), value)


def logpdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """(a − 1) log y + (b − 1) log(1 − y) − log B(a, b) − log scale, 0 ≤ y ≤ 1; nan for a ≤ 0
    or b ≤ 0."""
    y = standardized(x, loc, scale)
    log_density = anp.subtract(
        anp.add(xlogy(anp.subtract(a, 1.0), y), xlog1py(anp.subtract(b, 1.0), anp.negative(y))),
        betaln(a, b),
    )
    return _shaped(a, b, outside(within(y, 0.0, 1.0), rescaled(log_density, scale)))


pdf = exp_of(logpdf, "pdf")


def _unit(y: Any) -> Any:
    """y clamped to [0, 1], as JAX's guard before betainc (``lax.clamp``) selects: y inside, the
    bound at and beyond the ends, so the derivative there is 0 (an infinite cotangent from
    ``logcdf`` where the cdf is 0 gives 0, not nan)."""
    return clamp(y, 0.0, 1.0)


def cdf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """I_y(a, b), differentiable in x, loc and scale (not in a and b, as JAX); nan for a ≤ 0 or
    b ≤ 0."""
    return _shaped(a, b, betainc(a, b, _unit(standardized(x, loc, scale))))


def sf(x: Any, a: Any, b: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
    """I_{1−y}(b, a); nan for a ≤ 0 or b ≤ 0."""
    return _shaped(a, b, betainc(b, a, _unit(anp.subtract(1.0, standardized(x, loc, scale)))))


logcdf = log_of(cdf)
logsf = log_of(sf)

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
