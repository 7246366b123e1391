"""Registry-walk cases of admodes.lax.bits' primitive ``reduce_precision``. The walk checks that
J·t and Jᵀ·v are transposes and that jacfwd equals jacrev, which JAX's rule (the tangent and the
cotangent rounded separately) keeps for the operand's own format (11, 52) only; the narrower
formats are tested in test_lax_bits.py."""

from __future__ import annotations

import jax
from walk import case

from admodes.lax import bits

CASES = [
    case("reduce_precision", f"float64-format-{s}", lambda x: bits.reduce_precision(x, 11, 52),
         lambda x: jax.lax.reduce_precision(x, 11, 52), s)
    for s in [(), (2, 3)]
]  # fmt: skip
