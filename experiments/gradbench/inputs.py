"""Eval inputs generated as GradBench's evals generate them (fixed seeds, any size).

``lse``, ``llsq``, ``det``, ``ode`` draw ``np.random.rand`` after ``np.random.seed(31337)``;
``kmeans`` draws points and takes the last k as centroids; ``gmm`` uses the eval's
``default_rng(seed)`` generator. ``lstm``, ``ba`` and ``ht`` read ADBench's data files in the
eval; here they get inputs of the same structure: ``lstm`` the bits of a text and uniform
parameters (ADBench's generator), ``ba`` one camera, point, weight and feature repeated (as the
eval expands a file), ``ht`` a random hand model with 22 bones. Each function returns the
``input`` of an ``evaluate`` message (without the run counts).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

Input = dict[str, Any]
SEED = 31337
TEXT = "Automatic differentiation, forward and reverse, side by side. "


def lse(n: int) -> Input:
    """``x`` of length n."""
    np.random.seed(SEED)
    return {"x": np.random.rand(n).tolist()}


def llsq(n: int, m: int) -> Input:
    """``x`` of length m and ``n``."""
    np.random.seed(SEED)
    return {"x": np.random.rand(m).tolist(), "n": n}


def det(ell: int) -> Input:
    """An ℓ × ℓ matrix in row-major order and ``ell``."""
    np.random.seed(SEED)
    return {"A": np.random.rand(ell * ell).tolist(), "ell": ell}


def ode(n: int, s: int) -> Input:
    """``x`` of length n and ``s`` steps."""
    np.random.seed(SEED)
    return {"x": np.random.rand(n).tolist(), "s": s}


def kmeans(k: int, n: int, d: int) -> Input:
    """n points in d dimensions; the last k are the centroids (every cluster is nonempty)."""
    np.random.seed(SEED)
    points = np.random.rand(n, d).tolist()
    return {"points": points, "centroids": points[-k:]}


def gmm(d: int, k: int, n: int, m: int = 0, gamma: float = 1.0, seed: int = SEED) -> Input:
    """The eval's generator: points, means, log-diagonals q and lower triangles l, weights."""
    rng = np.random.default_rng(seed=seed)
    return {
        "d": d,
        "k": k,
        "n": n,
        "x": [list(rng.normal(size=d)) for _ in range(n)],
        "m": m,
        "gamma": gamma,
        "mu": [list(rng.uniform(size=d)) for _ in range(k)],
        "q": [list(rng.normal(size=d)) for _ in range(k)],
        "l": [list(rng.normal(size=d * (d - 1) // 2)) for _ in range(k)],
        "alpha": list(rng.normal(size=k)),
    }


def lstm(layers: int, chars: int) -> Input:
    """ADBench's generator: a text's characters as bit rows, uniform parameters and state."""
    text = (TEXT * (chars // len(TEXT) + 1))[:chars]
    bits = math.ceil(math.log2(max(ord(c) for c in text)))
    np.random.seed(SEED)
    return {
        "main_params": np.random.random((2 * layers, 4 * bits)).tolist(),
        "extra_params": np.random.random((3, bits)).tolist(),
        "state": np.random.random((2 * layers, bits)).tolist(),
        "sequence": [[float(b) for b in bin(ord(c))[2:].zfill(bits)] for c in text],
    }


def ba(n: int, m: int, p: int) -> Input:
    """n cameras, m points, p observations, from one of each (as the eval's data files).

    A camera is (rotation as angle-axis, centre, focal length, principal point, 2 radial
    distortion parameters); the point sits in front of it.
    """
    rng = np.random.default_rng(SEED)
    cam = np.concatenate(
        [
            rng.normal(scale=0.2, size=3),
            rng.normal(size=3),
            [rng.uniform(300.0, 500.0)],
            rng.normal(size=2),
            rng.normal(scale=1e-3, size=2),
        ]
    )
    x = cam[3:6] + np.array([0.0, 0.0, 5.0]) + rng.normal(scale=0.5, size=3)
    return {
        "n": n,
        "m": m,
        "p": p,
        "cam": cam.tolist(),
        "x": x.tolist(),
        "w": float(rng.uniform(0.5, 1.5)),
        "feat": rng.normal(size=2).tolist(),
    }


def ht(points: int, vertices: int, complicated: bool, bones: int = 22) -> Input:
    """A random hand model (bones in parent-first order) and ``points`` measured points.

    Simple instances match each point to a vertex; complicated ones to a triangle, with
    barycentric ``us``.
    """
    rng = np.random.default_rng(SEED)

    def transforms() -> list:
        T = np.tile(np.eye(4), (bones, 1, 1))
        T[:, :3, :] += rng.normal(scale=0.1, size=(bones, 3, 4))
        return T.tolist()

    weights = rng.uniform(size=(vertices, bones)) * (rng.uniform(size=(vertices, bones)) < 0.2)
    weights[np.arange(vertices), rng.integers(bones, size=vertices)] += 0.5
    triangles = rng.integers(vertices, size=(2 * vertices, 3))
    targets = triangles.shape[0] if complicated else vertices
    return {
        "theta": rng.normal(scale=0.3, size=26).tolist(),
        "data": {
            "model": {
                "bone_count": bones,
                "bone_names": [f"bone{i}" for i in range(bones)],
                "parents": [-1] + [int(rng.integers(i)) for i in range(1, bones)],
                "base_relatives": transforms(),
                "inverse_base_absolutes": transforms(),
                "base_positions": np.column_stack(
                    [rng.normal(size=(vertices, 3)), np.ones(vertices)]
                ).tolist(),
                "weights": (weights / weights.sum(axis=1, keepdims=True)).tolist(),
                "triangles": triangles.tolist(),
                "is_mirrored": False,
            },
            "correspondences": rng.integers(targets, size=points).tolist(),
            "points": rng.normal(size=(points, 3)).tolist(),
        },
        "us": rng.uniform(0.0, 0.5, size=(points, 2)).tolist() if complicated else [],
    }
