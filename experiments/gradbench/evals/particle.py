"""GradBench ``particle``: steer a charged particle through the origin, in four mode pairs.

A particle starts at x = (0, 8) with velocity ẋ = (0.75, 0) in the potential

    p(x; w) = ‖x − (10, 10 − w)‖⁻¹ + ‖x − (10, 0)‖⁻¹

and moves by naive Euler steps of Δt = 0.1 with acceleration ẍ = −∇ₓp, while the next position
stays above the x axis. Linear interpolation to the axis crossing, t_f = −x₁/ẋ₁, gives the
landing point x + t_f ẋ, and the cost is its first coordinate squared. The control w minimising
the cost is found by gradient descent from ``w``: the outer gradient differentiates through the
Euler loop, which itself takes ∇ₓp (nested AD). The function name gives the modes: first
letter the argmin's, second the Euler loop's; ``f`` forward, ``r`` reverse.
"""

from __future__ import annotations

from ..protocol import Function, function
from ..solver import ADMODES, Calculus, Scalar, Vector, argmin, distance, plus, scale, total

DELTA_T = 0.1


def naive_euler(calc: Calculus, mode: str, w: Scalar) -> Scalar:
    """The squared first coordinate of the landing point for control w."""
    charges = ((10.0, 10.0 - w), (10.0, 0.0))

    def p(x: Vector) -> Scalar:
        return total(1.0 / distance(calc, x, charge) for charge in charges)

    x, xdot = (0.0, 8.0), (0.75, 0.0)
    while True:
        xddot = scale(-1.0, calc.gradient(mode)(p)(x))
        x_new = plus(x, scale(DELTA_T, xdot))
        if not x_new[1] > 0:
            break
        x, xdot = x_new, plus(xdot, scale(DELTA_T, xddot))
    delta_t_f = -x[1] / xdot[1]
    x_t_f = plus(x, scale(delta_t_f, xdot))
    return x_t_f[0] ** 2


def particle(modes: str, w0: float, calc: Calculus = ADMODES) -> Scalar:
    """The minimising control, with the argmin's and the Euler loop's gradients in ``modes``."""
    outer, inner = modes
    return argmin(calc, outer, lambda w: naive_euler(calc, inner, w[0]), (w0,))[0]


def mode_pair(modes: str) -> Function:
    """The eval function named ``modes``."""
    return function(prepare=lambda input: float(input["w"]), output=float)(
        lambda w0: particle(modes, w0)
    )


rr, ff, fr, rf = (mode_pair(modes) for modes in ("rr", "ff", "fr", "rf"))
