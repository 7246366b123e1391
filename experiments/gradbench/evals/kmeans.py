"""GradBench ``kmeans``: the k-means cost and a Newton direction from its diagonal Hessian.

    f(C) = Σᵢ minⱼ ‖Pᵢ − Cⱼ‖²,   ‖Pᵢ − Cⱼ‖² = ‖Pᵢ‖² + ‖Cⱼ‖² − 2 Pᵢ·Cⱼ

``dir`` is J H⁻¹ with J = ∇f(C) and H its Hessian, which is diagonal (each centroid's
coordinates only meet in their own term): H·1 is its diagonal, so one forward-over-reverse
pass, ``jvp(grad f, C, 1)``, gives J and diag H together, and the direction is J / diag H.
"""

from __future__ import annotations

import numpy as np

import admodes as ad
import admodes.numpy as anp

from ..convert import floats, to_json
from ..protocol import function


def cost_of(points: np.ndarray, centroids: np.ndarray) -> float:
    """Σᵢ minⱼ ‖Pᵢ − Cⱼ‖²."""
    sq_points = anp.sum(points**2, axis=1)[:, None]
    sq_centroids = anp.sum(centroids**2, axis=1)[None, :]
    dists = sq_points + sq_centroids - 2.0 * (points @ centroids.T)
    return anp.sum(anp.min(dists, axis=1))


def prepare(input: dict) -> tuple[np.ndarray, np.ndarray]:
    """(points, centroids)."""
    return floats(input["points"]), floats(input["centroids"])


@function(prepare, output=float)
def cost(args: tuple[np.ndarray, np.ndarray]) -> float:
    """f(C)."""
    return cost_of(*args)


@function(prepare, output=to_json)
def dir(args: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """J / diag H, forward over reverse."""
    points, centroids = args
    gradient = ad.grad(lambda c: cost_of(points, c))
    J, H_ones = ad.jvp(gradient, (centroids,), (np.ones_like(centroids),))
    return J / H_ones
