"""The multivariate normal distribution N(mean, cov) in d dimensions."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import ndim, shape
from admodes.numpy.linalg import cholesky, solve_triangular
from admodes.scipy.stats._common import exp_of, export_with_scipy_types

__all__ = ["logpdf", "pdf"]


def _dimension(mean: Any, cov: Any) -> int:
    if mean is not None and ndim(mean):
        return shape(mean)[-1]
    return shape(cov)[-1] if ndim(cov) else 1


def _points_shape(x: Any, d: int) -> tuple[int, ...]:
    """The shape of the batch of points in x, whose last axis is a point (in one dimension,
    every entry of x is a point unless its last axis has size 1, as in SciPy)."""
    if d == 1 and (ndim(x) == 0 or shape(x)[-1] != 1):
        return shape(x)
    if ndim(x) == 0 or shape(x)[-1] != d:
        raise ValueError(
            f"multivariate_normal: x of shape {shape(x)} does not hold points of the "
            f"distribution's dimension {d} (its last axis must have size {d})"
        )
    return shape(x)[:-1]


def _squared_distances(low: Any, centred: Any) -> Any:
    """‖L⁻¹ y‖² for each point y (the last axis of ``centred``) and lower triangular L (shape
    (..., d, d)), their stacks broadcast: one triangular solve for all the points when L is one
    matrix."""
    d = shape(low)[-1]
    if ndim(low) == 2:
        z = solve_triangular(low, anp.transpose(anp.reshape(centred, (-1, d))), lower=True)
        return anp.reshape(anp.sum(anp.square(z), axis=0), shape(centred)[:-1])
    stacks = np.broadcast_shapes(shape(centred)[:-1], shape(low)[:-2])
    z = solve_triangular(
        anp.broadcast_to(low, (*stacks, d, d)),
        anp.expand_dims(anp.broadcast_to(centred, (*stacks, d)), -1),
        lower=True,
    )
    return anp.sum(anp.square(z), axis=(-2, -1))


def logpdf(x: Any, mean: Any = None, cov: Any = 1.0, allow_singular: bool = False) -> Any:
    """−‖L⁻¹(x − mean)‖²/2 − Σ log Lᵢᵢ − d log(2π)/2, with cov = L Lᵀ (a scalar or a vector cov
    is the diagonal matrix it stands for, as in SciPy). Points are the last axis of x: x of shape
    (..., d) gives shape (...), without its axes of size 1 (SciPy's squeeze; one point gives a
    scalar). A stack of means (..., d) or of covariances (..., d, d) broadcasts with the points,
    as JAX's, and then nothing is squeezed."""
    if allow_singular:
        raise NotImplementedError("multivariate_normal: allow_singular=True is not supported")
    d = _dimension(mean, cov)
    batch = _points_shape(x, d)
    cov = cov if ndim(cov) >= 2 else anp.multiply(cov, np.eye(d))
    if shape(cov)[-2:] != (d, d):
        raise ValueError(
            f"multivariate_normal: cov of shape {shape(cov)} needs shape ({d}, {d}) or a stack "
            f"of such (..., {d}, {d})"
        )
    points = anp.reshape(x, (*batch, d))
    centred = points if mean is None else anp.subtract(points, mean)
    low = cholesky(cov)
    diagonal = anp.diagonal(low, axis1=-2, axis2=-1)
    out = anp.subtract(
        anp.multiply(-0.5, _squared_distances(low, centred)),
        anp.add(anp.sum(anp.log(diagonal), axis=-1), 0.5 * d * math.log(2.0 * math.pi)),
    )
    if ndim(cov) > 2 or (mean is not None and ndim(mean) > 1):
        return out  # JAX's broadcast shape (SciPy takes one mean and one covariance)
    return anp.reshape(out, tuple(n for n in batch if n != 1))


pdf = exp_of(logpdf, "pdf")

export_with_scipy_types(globals())  # SciPy's return types: a NumPy scalar, not a 0-d array
