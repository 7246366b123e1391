"""The geometric distribution: the number of Bernoulli trials with success probability ``p`` up
to the first success (differentiable in p; k is discrete)."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.scipy.special import xlog1py
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    integral,
    invalid,
    outside,
    unsuccessful,
    within,
)

__all__ = ["logpmf", "pmf"]


def logpmf(k: Any, p: Any, loc: Any = 0.0) -> Any:
    """(k − 1) log(1 − p) + log p for integers k ≥ 1 (after the shift by loc), −inf elsewhere;
    nan for p outside (0, 1]."""
    k = anp.subtract(k, loc)
    log_mass = anp.add(xlog1py(anp.subtract(k, 1.0), anp.negative(p)), anp.log(p))
    return invalid(unsuccessful(p), outside(within(k, 1.0) & integral(k), log_mass))


pmf = exp_of(logpmf, "pmf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
