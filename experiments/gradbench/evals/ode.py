"""GradBench ``ode``: an ODE solved by fourth-order Runge–Kutta, and a gradient (reverse mode).

    y₀′ = x₀,   yᵢ′ = xᵢ yᵢ₋₁ (i > 0),   y(0) = 0,   t ∈ [0, 2] in s steps of h = 2/s

    k₁ = f(y), k₂ = f(y + h k₁/2), k₃ = f(y + h k₂/2), k₄ = f(y + h k₃),
    y ← y + h (k₁ + 2k₂ + 2k₃ + k₄)/6

``primal`` returns y(2); ``gradient`` returns ∇ₓ y(2)ₙ₋₁, the gradient of its last element.
"""

from __future__ import annotations

import numpy as np

import admodes as ad
import admodes.numpy as anp

from ..convert import floats, to_json
from ..protocol import function


def ode_fun(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    """f(y): z₀ = x₀, zᵢ = xᵢ yᵢ₋₁."""
    return anp.concatenate([x[:1], x[1:] * y[:-1]])


def runge_kutta(x: np.ndarray, s: int) -> np.ndarray:
    """y(2) after s Runge–Kutta steps from y(0) = 0."""
    h = 2.0 / s
    y = anp.zeros_like(x)
    for _ in range(s):
        k1 = ode_fun(x, y)
        k2 = ode_fun(x, y + h * k1 / 2.0)
        k3 = ode_fun(x, y + h * k2 / 2.0)
        k4 = ode_fun(x, y + h * k3)
        y = y + h * (k1 + 2.0 * k2 + 2.0 * k3 + k4) / 6.0
    return y


def last(x: np.ndarray, s: int) -> float:
    """The last element of y(2)."""
    return runge_kutta(x, s)[-1]


def prepare(input: dict) -> tuple[np.ndarray, int]:
    """(x, s)."""
    return floats(input["x"]), int(input["s"])


@function(prepare, output=to_json)
def primal(args: tuple[np.ndarray, int]) -> np.ndarray:
    """y(2)."""
    return runge_kutta(*args)


@function(prepare, output=to_json)
def gradient(args: tuple[np.ndarray, int]) -> np.ndarray:
    """∇ₓ y(2)ₙ₋₁ by reverse mode."""
    return ad.grad(last)(*args)
