"""The beta-binomial distribution: ``n`` trials with a success probability drawn from the beta
distribution with shapes ``a`` and ``b`` (differentiable in a and b, and in n as JAX's formula;
k is discrete)."""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.scipy.special import betaln
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    integral,
    invalid,
    nonpositive,
    outside,
    within,
)

__all__ = ["logpmf", "pmf"]


def logpmf(k: Any, n: Any, a: Any, b: Any, loc: Any = 0.0) -> Any:
    """−log(n + 1) − log B(n − k + 1, k + 1) + log B(k + a, n − k + b) − log B(a, b) for integers
    0 ≤ k ≤ n (after the shift by loc), −inf elsewhere (where the formula sees k = 0, so that its
    slopes stay finite: log B has poles at 0); exactly 0 (a constant, as JAX's select) at
    k = n = 0; nan for n not a whole number ≥ 0, a ≤ 0 or b ≤ 0 (SciPy's)."""
    k = anp.subtract(anp.stop_gradient(k), loc)  # k is discrete: no slope in it (JAX floors it)
    k_plain, n_plain = array_numbers(k), array_numbers(n)
    support = within(k_plain, 0.0) & ~(k_plain > n_plain) & integral(k_plain)
    k = anp.where(support, k, 0.0)
    rest = anp.subtract(n, k)
    combinations = anp.negative(anp.add(anp.log1p(n), betaln(anp.add(rest, 1.0), anp.add(k, 1.0))))
    ratio = anp.subtract(betaln(anp.add(k, a), anp.add(rest, b)), betaln(a, b))
    log_mass = anp.where((k_plain == 0) & (n_plain == 0), 0.0, anp.add(combinations, ratio))
    bad = ~((n_plain >= 0) & integral(n_plain)) | nonpositive(a) | nonpositive(b)
    return invalid(bad, outside(support, log_mass))


pmf = exp_of(logpmf, "pmf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
