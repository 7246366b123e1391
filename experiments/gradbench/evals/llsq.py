"""GradBench ``llsq``: a linear least-squares objective and its gradient (reverse mode).

    y(x) = ½ Σᵢ (sᵢ − Σⱼ xⱼ tᵢʲ)²,   tᵢ = −1 + 2i/(n − 1),   sᵢ = sign(tᵢ),   i < n, j < m

The powers tᵢʲ are a constant n × m matrix (running products, as the eval's definition
accumulates them), so y is ½‖s − T x‖².
"""

from __future__ import annotations

import numpy as np

import admodes as ad
import admodes.numpy as anp

from ..convert import floats, to_json
from ..protocol import function


def powers(n: int, m: int) -> tuple[np.ndarray, np.ndarray]:
    """(T, s): T[i, j] = tᵢʲ as running products, s = sign(t)."""
    t = -1.0 + np.arange(n) * 2.0 / (n - 1.0)
    return np.cumprod(np.column_stack([np.ones(n)] + [t] * (m - 1)), axis=1), np.sign(t)


def objective(x: np.ndarray, T: np.ndarray, s: np.ndarray) -> float:
    """½ Σᵢ (sᵢ − (T x)ᵢ)²."""
    return anp.sum((s - T @ x) ** 2) / 2.0


def prepare(input: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(x, T, s) for ``x`` and ``n``."""
    x = floats(input["x"])
    return (x, *powers(int(input["n"]), x.shape[0]))


@function(prepare, output=float)
def primal(args: tuple[np.ndarray, np.ndarray, np.ndarray]) -> float:
    """y(x)."""
    return objective(*args)


@function(prepare, output=to_json)
def gradient(args: tuple[np.ndarray, np.ndarray, np.ndarray]) -> np.ndarray:
    """∇y(x) by reverse mode."""
    return ad.grad(objective)(*args)
