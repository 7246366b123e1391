"""GradBench ``ba``: ADBench's bundle-adjustment residuals and their sparse Jacobian.

The eval sends one camera c (rotation r as angle-axis, centre, focal length f, principal point
x₀, radial distortion κ₁, κ₂), one point, one weight and one feature, repeated to n cameras, m
points and p observations (observation j sees camera j mod n and point j mod m). Residuals:

    e_j = w_j (f · distort(proj(R(r)(X − centre))) + x₀ − feat_j),   w-error_j = 1 − w_j²

with R Rodrigues' rotation, proj(y) = y₀₁/y₂ and distort(u) = u (1 + κ₁‖u‖² + κ₂‖u‖⁴).

The Jacobian is sparse: e_j depends only on its camera's 11 parameters, its point's 3 and its
weight, so different observations share no column and compressed directions give every block at
once. Two ways are here: forward mode with 15 directions, each moving one parameter of every
observation's camera, point or weight at once (:func:`blocks_by_columns`); and reverse mode with
2 cotangents, one on every observation's x residual and one on every y residual
(:func:`blocks_by_rows`). The tool answers with the second, which the n-versus-m rule picks
(2 directions against 15: about 4× fewer FLOPs, and 3–4× faster, measured by the experiment
``gradbench``). The result is returned in the eval's CSR layout: ``rows`` (offsets), ``cols``,
``vals``, two rows of 15 entries per observation, then one row per weight.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import admodes as ad
import admodes.numpy as anp

from ..convert import floats
from ..protocol import function

CAMERA = 11


@dataclass(frozen=True)
class Problem:
    """Per observation: its camera, point, weight and feature; and the counts n, m, p."""

    cams: np.ndarray
    points: np.ndarray
    weights: np.ndarray
    feats: np.ndarray
    n: int
    m: int


def rotate(rot: np.ndarray, X: np.ndarray) -> np.ndarray:
    """Rodrigues: X cos θ + (ŵ × X) sin θ + ŵ (ŵ·X)(1 − cos θ), ŵ = r/θ (X + r × X at θ = 0)."""
    sqtheta = anp.sum(rot**2, axis=1, keepdims=True)
    turning = sqtheta != 0.0
    theta = anp.sqrt(anp.where(turning, sqtheta, 1.0))
    w = rot / theta
    cos, sin = anp.cos(theta), anp.sin(theta)
    rotated = (
        X * cos + anp.cross(w, X) * sin + w * anp.sum(w * X, axis=1, keepdims=True) * (1.0 - cos)
    )
    return anp.where(turning, rotated, X + anp.cross(rot, X))


def reprojection_errors(
    cams: np.ndarray, X: np.ndarray, w: np.ndarray, feats: np.ndarray
) -> np.ndarray:
    """e_j for every observation, p × 2."""
    Xcam = rotate(cams[:, 0:3], X - cams[:, 3:6])
    proj = Xcam[:, :2] / Xcam[:, 2:]
    rsq = anp.sum(proj**2, axis=1, keepdims=True)
    distorted = proj * (1.0 + cams[:, 9:10] * rsq + cams[:, 10:11] * rsq**2)
    return w[:, None] * (distorted * cams[:, 6:7] + cams[:, 7:9] - feats)


def weight_errors(w: np.ndarray) -> np.ndarray:
    """1 − w_j² for every observation."""
    return 1.0 - w**2


def prepare(input: dict) -> Problem:
    """The repeated camera, point, weight and feature per observation."""
    n, m, p = (int(input[k]) for k in "nmp")
    observations = np.arange(p)
    cams = np.tile(floats(input["cam"]), (n, 1))
    points = np.tile(floats(input["x"]), (m, 1))
    return Problem(
        cams=cams[observations % n],
        points=points[observations % m],
        weights=np.full(p, float(input["w"])),
        feats=np.tile(floats(input["feat"]), (p, 1)),
        n=n,
        m=m,
    )


def objective_output(errors: tuple[np.ndarray, np.ndarray]) -> dict:
    """The eval's summary: the first residual pair and weight error, repeated p times."""
    reproj, w_err = errors
    return {
        "reproj_error": {"elements": reproj[0].tolist(), "repeated": len(reproj)},
        "w_err": {"element": float(w_err[0]), "repeated": len(w_err)},
    }


@function(prepare, output=objective_output)
def objective(problem: Problem) -> tuple[np.ndarray, np.ndarray]:
    """(residuals, weight errors)."""
    return (
        reprojection_errors(problem.cams, problem.points, problem.weights, problem.feats),
        weight_errors(problem.weights),
    )


@dataclass(frozen=True)
class Blocks:
    """The Jacobian's nonzero blocks: p × 2 × 15 for the residuals, p for the weight errors."""

    reproj: np.ndarray
    weights: np.ndarray
    n: int
    m: int


def csr(blocks: Blocks) -> dict:
    """The Jacobian in the eval's CSR layout."""
    p, n, m = blocks.reproj.shape[0], blocks.n, blocks.m
    j = np.arange(p)
    block_cols = np.concatenate(
        [
            CAMERA * (j % n)[:, None] + np.arange(CAMERA),
            CAMERA * n + 3 * (j % m)[:, None] + np.arange(3),
            (CAMERA * n + 3 * m + j)[:, None],
        ],
        axis=1,
    )
    cols = np.concatenate([np.repeat(block_cols, 2, axis=0).ravel(), CAMERA * n + 3 * m + j])
    row_sizes = np.concatenate([np.full(2 * p, CAMERA + 4), np.ones(p, dtype=int)])
    return {
        "rows": np.concatenate([[0], np.cumsum(row_sizes)]).tolist(),
        "cols": cols.tolist(),
        "vals": np.concatenate([blocks.reproj.ravel(), blocks.weights]).tolist(),
    }


def shifted_errors(problem: Problem, s: np.ndarray) -> np.ndarray:
    """The residuals with every observation's camera, point and weight moved by the same s
    (11 + 3 + 1 entries): its Jacobian at s = 0 holds every observation's block."""
    return reprojection_errors(
        problem.cams + s[:CAMERA],
        problem.points + s[CAMERA : CAMERA + 3],
        problem.weights + s[CAMERA + 3],
        problem.feats,
    )


def blocks_by_columns(problem: Problem) -> np.ndarray:
    """The residuals' blocks, p × 2 × 15, by one forward pass with 15 compressed directions."""
    return ad.jacfwd(lambda s: shifted_errors(problem, s))(np.zeros(CAMERA + 4))


def blocks_by_rows(problem: Problem) -> np.ndarray:
    """The residuals' blocks, p × 2 × 15, by one reverse sweep with 2 compressed cotangents: the
    Jacobian of the column sums of the residuals (Σⱼ e_j, a 2-vector) with respect to every
    observation's own 15 parameters."""
    params = np.concatenate([problem.cams, problem.points, problem.weights[:, None]], axis=1)

    def column_sums(P: np.ndarray) -> np.ndarray:
        errors = reprojection_errors(P[:, :CAMERA], P[:, CAMERA:-1], P[:, -1], problem.feats)
        return anp.sum(errors, axis=0)

    return np.moveaxis(ad.jacrev(column_sums)(params), 0, 1)


@function(prepare, output=csr)
def jacobian(problem: Problem) -> Blocks:
    """The nonzero blocks: one compressed reverse sweep, and the weight errors' derivatives."""
    weights = ad.grad(lambda w: anp.sum(weight_errors(w)))(problem.weights)
    return Blocks(blocks_by_rows(problem), weights, problem.n, problem.m)
