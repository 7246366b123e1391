"""``admodes.scipy.integrate``: ``trapezoid(y, x=None, dx=1.0, axis=-1)``, the composite
trapezoidal rule, differentiable in ``y``, ``x`` and ``dx`` by both engines.

It is :func:`admodes.numpy.trapezoid` (SciPy's signature and values, JAX's evaluation: with a
constant spacing, Δx·(Σ y − ½·(y₀ + yₙ₋₁))).
"""

from __future__ import annotations

from admodes.numpy import trapezoid

__all__ = ["trapezoid"]
