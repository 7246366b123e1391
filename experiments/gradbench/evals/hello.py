"""GradBench ``hello``: ``square(x) = x²`` and ``double(x) = d/dx x² = 2x`` (reverse mode)."""

from __future__ import annotations

import admodes as ad

from ..protocol import function


def square_of(x: float) -> float:
    """x²."""
    return x * x


@function(prepare=float, output=float)
def square(x: float) -> float:
    """x² for a float input."""
    return square_of(x)


@function(prepare=float, output=float)
def double(x: float) -> float:
    """d/dx x² = 2x, by admodes' reverse mode."""
    return ad.grad(square_of)(x)
