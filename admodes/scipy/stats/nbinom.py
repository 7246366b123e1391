"""The negative binomial distribution: the number of failures before the ``n``-th success of
Bernoulli trials with success probability ``p`` (differentiable in n and p; k is discrete)."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.scipy.special import gammaln, xlog1py, xlogy
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    integral,
    invalid,
    nonpositive,
    outside,
    unsuccessful,
    within,
)

__all__ = ["logpmf", "pmf"]


def logpmf(k: Any, n: Any, p: Any, loc: Any = 0.0) -> Any:
    """log Γ(k + n) − log Γ(n) − log Γ(k + 1) + n log p + k log(1 − p) for integers k ≥ 0 (after
    the shift by loc), −inf elsewhere (where the formula sees k = 0, so that its slopes stay
    finite: log Γ has poles at the negative integers); nan for n ≤ 0 or p outside (0, 1].
    k log(1 − p) as SciPy computes it, xlog1py(k, −p) (JAX's xlogy(k, 1 − p), the same
    derivative)."""
    k = anp.subtract(k, loc)
    support = within(k, 0.0) & integral(k)
    k = anp.where(support, k, 0.0)
    combinations = anp.subtract(
        anp.subtract(gammaln(anp.add(k, n)), gammaln(n)), gammaln(anp.add(k, 1.0))
    )
    log_mass = anp.add(combinations, anp.add(xlogy(n, p), xlog1py(k, anp.negative(p))))
    return invalid(nonpositive(n) | unsuccessful(p), outside(support, log_mass))


pmf = exp_of(logpmf, "pmf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
