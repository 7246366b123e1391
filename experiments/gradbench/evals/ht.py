"""GradBench ``ht``: ADBench's hand-tracking residuals and their Jacobian (forward mode).

θ ∈ ℝ²⁶ poses a skinned hand: global translation, scale 1, angle-axis rotation, and per finger
one two-angle and three one-angle joints, spread over the bones' Euler angles (``POSE``). Each
bone's relative transform is its base transform with rotation R = R_z R_y R_x; absolutes chain
them along ``parents``; vertex v moves to Σ_b W_vb (A_b A⁰_b⁻¹) v. The global rotation (angle
axis, identity below 10⁻⁴), scale and translation follow. The residuals are measured points
minus their matched vertices (simple instances) or barycentric triangle points
u₀a + u₁b + (1 − u₀ − u₁)c (complicated ones, with ``us``), flattened point by point.

``jacobian`` is forward mode, one pass with a tangent per parameter. A residual row depends on
its own point's u only, so the u-columns are compressed: one direction moves every u₀ at once,
another every u₁, giving each row's two u-derivatives, in the eval's layout
[∂/∂u₀, ∂/∂u₁, ∂/∂θ] per row.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

import admodes as ad
import admodes.numpy as anp

from ..convert import floats, to_json
from ..protocol import function

THETA = 26
ZERO, ONE = THETA, THETA + 1
"""Positions of the constants 0 and 1 appended to θ, for ``POSE``."""


def pose_layout(bones: int) -> np.ndarray:
    """Where each entry of the (bones + 3) × 3 pose parameters comes from in (θ, 0, 1).

    Rows: translation θ₀₋₂, scale (1, 1, 1), rotation θ₃₋₅, then the bones' Euler angles: per
    finger (rows 5, 9, ... ) a two-angle joint and two one-angle joints, others zero.
    """
    layout = np.full((bones + 3, 3), ZERO)
    layout[0], layout[1], layout[2] = (0, 1, 2), ONE, (3, 4, 5)
    i_theta, row = 6, 5
    for _ in range(5):
        for joint in (1, 2, 3):
            layout[row, 0] = i_theta
            i_theta += 1
            if joint == 1:
                layout[row, 1] = i_theta
                i_theta += 1
            row += 1
        row += 1
    return layout


@dataclass(frozen=True)
class Hand:
    """A hand model and the measured points matched to it."""

    parents: list[int]
    base_relatives: np.ndarray
    inverse_base_absolutes: np.ndarray
    base_positions: np.ndarray
    weights: np.ndarray
    points: np.ndarray
    targets: np.ndarray
    """Per point: its vertex (simple) or its triangle's three vertices (complicated)."""
    layout: np.ndarray


def euler_rotation(angles: np.ndarray) -> np.ndarray:
    """R_z R_y R_x for angles (x, z, y)."""
    cx, cz, cy = anp.cos(angles[0]), anp.cos(angles[1]), anp.cos(angles[2])
    sx, sz, sy = anp.sin(angles[0]), anp.sin(angles[1]), anp.sin(angles[2])
    Rx = anp.stack(
        [anp.stack([1.0, 0.0, 0.0]), anp.stack([0.0, cx, -sx]), anp.stack([0.0, sx, cx])]
    )
    Ry = anp.stack(
        [anp.stack([cy, 0.0, -sy]), anp.stack([0.0, 1.0, 0.0]), anp.stack([sy, 0.0, cy])]
    )
    Rz = anp.stack(
        [anp.stack([cz, -sz, 0.0]), anp.stack([sz, cz, 0.0]), anp.stack([0.0, 0.0, 1.0])]
    )
    return Rz @ Ry @ Rx


def angle_axis_rotation(angle_axis: np.ndarray) -> np.ndarray:
    """Rodrigues' rotation matrix for an angle-axis vector (identity below norm 10⁻⁴)."""
    n = anp.sqrt(anp.sum(angle_axis**2))
    if n < 1e-4:
        return np.eye(3)
    x, y, z = angle_axis[0] / n, angle_axis[1] / n, angle_axis[2] / n
    s, c = anp.sin(n), anp.cos(n)
    return anp.stack(
        [
            anp.stack([x * x + (1 - x * x) * c, x * y * (1 - c) - z * s, x * z * (1 - c) + y * s]),
            anp.stack([x * y * (1 - c) + z * s, y * y + (1 - y * y) * c, y * z * (1 - c) - x * s]),
            anp.stack([x * z * (1 - c) - y * s, z * y * (1 - c) + x * s, z * z + (1 - z * z) * c]),
        ]
    )


def vertices(hand: Hand, theta: np.ndarray) -> np.ndarray:
    """The posed, skinned and globally transformed vertex positions, M × 3."""
    pose = anp.concatenate([theta, np.array([0.0, 1.0])])[hand.layout]
    absolutes: list = []
    for bone, parent in enumerate(hand.parents):
        base = hand.base_relatives[bone]
        relative = anp.concatenate(
            [base[:, :3] @ euler_rotation(pose[3 + bone]), base[:, 3:]], axis=1
        )
        absolutes.append(relative if parent == -1 else absolutes[parent] @ relative)
    transforms = anp.stack(
        [A @ inv for A, inv in zip(absolutes, hand.inverse_base_absolutes, strict=True)]
    )
    blended = (hand.weights @ anp.reshape(transforms, (len(absolutes), 16))).reshape(-1, 4, 4)
    skinned = anp.sum(blended * hand.base_positions[:, None, :], axis=2)[:, :3]
    R = angle_axis_rotation(pose[0]) * pose[1]
    return skinned @ R.T + pose[2]


def residuals(hand: Hand, theta: np.ndarray, us: np.ndarray | None) -> np.ndarray:
    """Measured points minus matched hand points, flattened (3 per point)."""
    V = vertices(hand, theta)
    if us is None:
        matched = V[hand.targets]
    else:
        a, b, c = V[hand.targets[:, 0]], V[hand.targets[:, 1]], V[hand.targets[:, 2]]
        matched = us[:, :1] * a + us[:, 1:] * b + (1.0 - us[:, :1] - us[:, 1:]) * c
    return anp.reshape(hand.points - matched, (-1,))


Prepared = tuple[Hand, np.ndarray, "np.ndarray | None"]


def prepare(input: dict) -> Prepared:
    """The hand, θ and ``us`` (``None`` for a simple instance)."""
    model, data = input["data"]["model"], input["data"]
    us = floats(input["us"]) if len(input["us"]) else None
    correspondences = np.asarray(data["correspondences"], dtype=np.intp)
    triangles = np.asarray(model["triangles"], dtype=np.intp)
    hand = Hand(
        parents=[int(p) for p in model["parents"]],
        base_relatives=floats(model["base_relatives"]),
        inverse_base_absolutes=floats(model["inverse_base_absolutes"]),
        base_positions=floats(model["base_positions"]),
        weights=floats(model["weights"]),
        points=floats(data["points"]),
        targets=correspondences if us is None else triangles[correspondences],
        layout=pose_layout(int(model["bone_count"])),
    )
    return hand, floats(input["theta"]), us


@function(prepare, output=to_json)
def objective(args: Prepared) -> np.ndarray:
    """The residuals."""
    return residuals(*args)


Transform = Callable[[Callable[[np.ndarray], np.ndarray]], Callable[[np.ndarray], np.ndarray]]


def residual_jacobian(args: Prepared, transform: Transform = ad.jacfwd) -> np.ndarray:
    """∂ residuals / ∂(u₀, u₁, θ) per row (complicated) or ∂/∂θ (simple) by ``transform``:
    ``ad.jacfwd`` (the tool's, a tangent per column) or ``ad.jacrev`` (a cotangent per row)."""
    hand, theta, us = args
    if us is None:
        return transform(lambda t: residuals(hand, t, None))(theta)
    shift = np.zeros(2 + THETA)
    return transform(lambda s: residuals(hand, theta + s[2:], us + s[:2]))(shift)


@function(prepare, output=to_json)
def jacobian(args: Prepared) -> np.ndarray:
    """∂ residuals / ∂(u₀, u₁, θ) per row (complicated) or ∂/∂θ (simple), forward mode."""
    return residual_jacobian(args)
