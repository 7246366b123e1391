"""The multivariate normal distribution N(mean, cov) in d dimensions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import ndim, shape
from admodes.numpy.linalg import cholesky, solve_triangular
from admodes.scipy.stats._common import exp_of


def _dimension(mean: Any, cov: Any) -> int:
    if mean is not None and ndim(mean):
        return shape(mean)[-1]
    return shape(cov)[-1] if ndim(cov) else 1


def logpdf(x: Any, mean: Any = None, cov: Any = 1.0, allow_singular: bool = False) -> Any:
    """−‖L⁻¹(x − mean)‖²/2 − Σ log Lᵢᵢ − d log(2π)/2, with cov = L Lᵀ (a scalar or a vector cov
    is the diagonal matrix it stands for, as in SciPy). Points are the last axis of x; a single
    point gives a scalar, n points (n,), as SciPy."""
    if allow_singular:
        raise NotImplementedError("multivariate_normal: allow_singular=True is not supported")
    d = _dimension(mean, cov)
    cov = cov if ndim(cov) == 2 else anp.multiply(cov, np.eye(d))
    points = anp.reshape(x, (-1, d))
    centred = points if mean is None else anp.subtract(points, mean)
    low = cholesky(cov)
    z = solve_triangular(low, anp.transpose(centred), lower=True)
    diagonal = low[np.arange(d), np.arange(d)]
    out = anp.subtract(
        anp.multiply(-0.5, anp.sum(anp.square(z), axis=0)),
        anp.add(anp.sum(anp.log(diagonal)), 0.5 * d * math.log(2.0 * math.pi)),
    )
    return anp.squeeze(out) if shape(out) != (1,) else anp.reshape(out, ())


pdf = exp_of(logpdf, "pdf")
