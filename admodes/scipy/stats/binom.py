"""The binomial distribution of ``n`` trials with success probability ``p`` (differentiable in p,
and in n as JAX's formula; k is discrete)."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.scipy.special import gammaln, xlog1py, xlogy
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    improbable,
    integral,
    invalid,
    outside,
    within,
)

__all__ = ["logpmf", "pmf"]


def logpmf(k: Any, n: Any, p: Any, loc: Any = 0.0) -> Any:
    """log C(n, k) + k log p + (n − k) log(1 − p), C(n, k) = Γ(n + 1)/(Γ(k + 1) Γ(n − k + 1)),
    for integers 0 ≤ k ≤ n (after the shift by loc), −inf elsewhere; exactly 0 (a constant, as
    JAX's select) where k = n = 0 or the log-linear part is 0 (p = 0 at k = 0, p = 1 at k = n);
    nan for p outside [0, 1] or n not a whole number ≥ 0 (SciPy's)."""
    k = anp.subtract(k, loc)
    combinations = anp.subtract(
        gammaln(anp.add(n, 1.0)),
        anp.add(gammaln(anp.add(k, 1.0)), gammaln(anp.add(anp.subtract(n, k), 1.0))),
    )
    linear = anp.add(xlogy(k, p), xlog1py(anp.subtract(n, k), anp.negative(p)))
    k_plain, n_plain, p_plain = (array_numbers(v) for v in (k, n, p))
    certain = ((k_plain == 0) & (n_plain == 0)) | (array_numbers(linear) == 0)
    log_mass = anp.where(certain, 0.0, anp.add(combinations, linear))
    support = within(k_plain, 0.0) & ~(k_plain > n_plain) & integral(k_plain)
    bad = improbable(p_plain) | ~((n_plain >= 0) & integral(n_plain))
    return invalid(bad, outside(support, log_mass))


pmf = exp_of(logpmf, "pmf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
