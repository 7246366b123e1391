"""GradBench ``saddle``: a saddle point by nested gradient descent, in four mode pairs.

    f(p₁, p₂) = (p₁₀² + p₁₁²) − (p₂₀² + p₂₁²)
    r₁ = argmin_{p₁} max_{p₂} f(p₁, p₂),   r₂ = argmax_{p₂} f(r₁, p₂)

both searches starting from ``start``. The outer argmin differentiates through the inner
gradient-descent loop (nested AD). The function name gives the modes: its first letter the
outer argmin's (and r₂'s), its second the inner max's; ``f`` forward, ``r`` reverse. The output
is r₁ and r₂ concatenated.
"""

from __future__ import annotations

from ..protocol import Function, function
from ..solver import ADMODES, Calculus, Scalar, Vector, argmax, argmin, maximum


def f(p1: Vector, p2: Vector) -> Scalar:
    """(p₁₀² + p₁₁²) − (p₂₀² + p₂₁²)."""
    return (p1[0] ** 2 + p1[1] ** 2) - (p2[0] ** 2 + p2[1] ** 2)


def saddle(modes: str, start: Vector, calc: Calculus = ADMODES) -> Vector:
    """(r₁, r₂) concatenated, with the outer and inner gradients in ``modes``."""
    outer, inner = modes
    r1 = argmin(calc, outer, lambda p1: maximum(calc, inner, lambda p2: f(p1, p2), start), start)
    r2 = argmax(calc, outer, lambda p2: f(r1, p2), start)
    return r1 + r2


def mode_pair(modes: str) -> Function:
    """The eval function named ``modes``."""
    return function(
        prepare=lambda input: tuple(float(v) for v in input["start"]),
        output=lambda r: [float(v) for v in r],
    )(lambda start: saddle(modes, start))


rr, ff, fr, rf = (mode_pair(modes) for modes in ("rr", "ff", "fr", "rf"))
