"""The multinomial distribution of ``n`` trials over K categories with probabilities ``p`` (K,)
(differentiable in p; x and n are counts)."""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.core import ndim, shape
from admodes.scipy.special import gammaln, xlogy
from admodes.scipy.stats._common import (
    exp_of,
    export_with_scipy_types,
    improbable,
    in_promoted_dtype,
    invalid,
    outside,
)

__all__ = ["logpmf", "pmf"]


def logpmf(x: Any, n: Any, p: Any) -> Any:
    """log n! + Σᵢ (xᵢ log pᵢ − log xᵢ!) over the last axis of x, the counts of each category
    (JAX's formula, with p as given: for a p that does not sum to 1, SciPy replaces its last
    entry by one minus the others, warning that it will give nan instead); −inf where the counts
    are not whole numbers ≥ 0 summing to n (n truncated to an integer, as SciPy); nan for n < 0
    or an entry of p outside [0, 1]."""
    counts, n, probs = array_numbers(x), array_numbers(n).astype(int), array_numbers(p)
    if ndim(counts) == 0 or shape(counts)[-1] != shape(probs)[-1]:
        raise ValueError(
            f"multinomial: x of shape {shape(counts)} needs a last axis of p's length "
            f"{shape(probs)[-1]} (the counts of each category)"
        )
    whole = counts.astype(int)
    support = np.all((whole == counts) & (whole >= 0), axis=-1) & (np.sum(whole, axis=-1) == n)
    x_float, n_float = (in_promoted_dtype(v, p) for v in (whole, n))
    terms = anp.subtract(xlogy(x_float, p), gammaln(anp.add(x_float, 1.0)))
    log_mass = anp.add(gammaln(anp.add(n_float, 1.0)), anp.sum(terms, axis=-1))
    bad = (n < 0) | np.any(improbable(probs), axis=-1)
    return invalid(bad, outside(support, log_mass))


pmf = exp_of(logpmf, "pmf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
