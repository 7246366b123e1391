"""The left-skewed Gumbel distribution with location and scale: the reflection Y ↦ −Y of the
right-skewed one, so its log-density, cdf and sf at x are gumbel_r's log-density, sf and cdf at
−x with location −loc (negation is exact: the values are those of the formulas written out,
y − e^y, −expm1(−e^y), exp(−e^y), y = (x − loc)/scale)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import admodes.numpy as anp
from admodes.scipy.stats import gumbel_r
from admodes.scipy.stats._common import export_with_scipy_types, negated, ppf_of, probability

__all__ = ["cdf", "logcdf", "logpdf", "logsf", "pdf", "ppf", "sf"]


def _reflected(fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """x ↦ fn(−x, −loc, scale), for ``fn`` one of gumbel_r's functions of x."""

    def reflected(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        return fn(anp.negative(x), anp.negative(loc), scale)

    reflected.__name__ = name
    reflected.__doc__ = f"gumbel_r.{fn.__name__}(−x, −loc, scale)."
    return reflected


def _standard_ppf(q: Any) -> Any:
    """log(−log(1 − q)) = log(−log1p(−q)) for 0 ≤ q ≤ 1 (−inf and inf at 0 and 1, SciPy's ends
    of the support, where JAX's is nan), nan elsewhere. Its slope 1/((1 − q) · (−log(1 − q)))
    is +inf at q = ±0 (−log1p(−q) is +0)."""
    return probability(q, anp.log(negated(anp.log1p(anp.negative(q)))))


logpdf = _reflected(gumbel_r.logpdf, "logpdf")
pdf = _reflected(gumbel_r.pdf, "pdf")
cdf = _reflected(gumbel_r.sf, "cdf")
logcdf = _reflected(gumbel_r.logsf, "logcdf")
sf = _reflected(gumbel_r.cdf, "sf")
logsf = _reflected(gumbel_r.logcdf, "logsf")
ppf = ppf_of(_standard_ppf, "ppf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
