"""The gradient-descent solver of GradBench's nested-AD evals (``saddle``, ``particle``).

Vectors are tuples of scalars (as in the evals' reference implementations), so the solver runs
unchanged on floats and on values traced by an enclosing transform. The step rule:

    stop if ‖∇f(x)‖ ≤ 10⁻⁵; after 10 accepted steps double η;
    x′ = x − η ∇f(x); stop if ‖x − x′‖ ≤ 10⁻⁵;
    accept x′ if f(x′) < f(x), else halve η (η starts at 10⁻⁵).

The gradient comes from a ``Calculus``: admodes' (``ADMODES``) in the mode asked for, ``"f"``
forward (one pass with a tangent per input) or ``"r"`` reverse (one recording, one backward
sweep); the benchmarks run the same code on HIPS autograd's.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import reduce
from typing import Any

import admodes as ad
import admodes.numpy as anp

Scalar = Any
"""A float, or a scalar traced by an enclosing admodes transform."""
Vector = tuple[Scalar, ...]
Objective = Callable[[Vector], Scalar]
Gradient = Callable[[Objective], Callable[[Vector], Vector]]

MODES = {"f": "forward", "r": "reverse"}
"""A mode pair's letters (``"fr"``: forward outside, reverse inside) to ``ad.grad`` modes."""


@dataclass(frozen=True)
class Calculus:
    """Where gradients and square roots come from."""

    gradient: Callable[[str], Gradient]
    """A mode letter, ``"f"`` or ``"r"``, to f ↦ ∇f."""
    sqrt: Callable[[Scalar], Scalar]


ADMODES = Calculus(lambda mode: lambda f: ad.grad(f, mode=MODES[mode]), anp.sqrt)


def total(values: Iterable[Scalar]) -> Scalar:
    """Σ values (no added zero: every addition is one of the terms')."""
    return reduce(operator.add, values)


def plus(u: Vector, v: Vector) -> Vector:
    """u + v."""
    return tuple(a + b for a, b in zip(u, v, strict=True))


def minus(u: Vector, v: Vector) -> Vector:
    """u − v."""
    return tuple(a - b for a, b in zip(u, v, strict=True))


def scale(k: Scalar, u: Vector) -> Vector:
    """k u."""
    return tuple(k * a for a in u)


def magnitude(calc: Calculus, u: Vector) -> Scalar:
    """‖u‖."""
    return calc.sqrt(total(a * a for a in u))


def distance(calc: Calculus, u: Vector, v: Vector) -> Scalar:
    """‖u − v‖."""
    return magnitude(calc, minus(u, v))


def argmin(calc: Calculus, mode: str, f: Objective, x: Vector) -> Vector:
    """A local minimiser of f from x by the step rule above, ∇f in ``mode``."""
    g = calc.gradient(mode)(f)
    fx, gx = f(x), g(x)
    eta, accepted = 1e-5, 0
    while magnitude(calc, gx) > 1e-5:
        if accepted == 10:
            eta, accepted = 2.0 * eta, 0
            continue
        x_prime = minus(x, scale(eta, gx))
        if distance(calc, x, x_prime) <= 1e-5:
            break
        fx_prime = f(x_prime)
        if fx_prime < fx:
            x, fx, gx, accepted = x_prime, fx_prime, g(x_prime), accepted + 1
        else:
            eta, accepted = eta / 2.0, 0
    return x


def argmax(calc: Calculus, mode: str, f: Objective, x: Vector) -> Vector:
    """A local maximiser of f from x: the minimiser of −f."""
    return argmin(calc, mode, lambda y: -f(y), x)


def maximum(calc: Calculus, mode: str, f: Objective, x: Vector) -> Scalar:
    """f at its local maximiser from x."""
    return f(argmax(calc, mode, f, x))
