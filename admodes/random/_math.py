"""XLA's elementwise functions (:mod:`admodes.random._xla`) as admodes functions: their values
are XLA's, bit for bit, and their derivatives JAX's rules (``custom_jvp``), so that a sample's
transform of traced parameters differentiates as in JAX:

    exp′ = exp,  erf′(x) = (2/√π)·e^(−x²),
    (erf⁻¹)′(x) = (√π/2)·e^(erf⁻¹(x)²),  ∂(xʸ)/∂x = y·x^(y−1),  ∂(xʸ)/∂y = log(x)·xʸ,
    fma(a, b, c) = a·b + c: its tangent ȧ·b + a·ḃ + ċ.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import admodes.numpy as anp
from admodes.custom import custom_jvp
from admodes.random import _xla

__all__ = ["erf", "erf_inv", "exp", "fma", "pow"]


def _unary(fn: Callable[[Any], Any], derivative: Callable[[Any, Any], Any]) -> custom_jvp:
    """``fn`` as a custom_jvp function whose derivative at x is ``derivative(x, fn(x))``."""
    f = custom_jvp(fn)

    def rule(primals: tuple, tangents: tuple) -> tuple:
        (x,), (t,) = primals, tangents
        y = f(x)
        return y, derivative(x, y) * t

    f.defjvp(rule)
    return f


exp = _unary(_xla.exp, lambda x, y: y)
erf = _unary(_xla.erf, lambda x, y: (2.0 / math.sqrt(math.pi)) * anp.exp(-(x * x)))
erf_inv = _unary(_xla.erf_inv, lambda x, y: (math.sqrt(math.pi) / 2.0) * anp.exp(y * y))


@custom_jvp
def pow(x: Any, y: Any) -> Any:
    """xʸ (the C library's ``pow``, as XLA)."""
    return _xla.pow(x, y)


@pow.defjvp
def _pow_jvp(primals: tuple, tangents: tuple) -> tuple:
    (x, y), (tx, ty) = primals, tangents
    out = pow(x, y)
    return out, y * pow(x, y - 1.0) * tx + anp.log(anp.where(x == 0, 1.0, x)) * out * ty


@custom_jvp
def fma(a: Any, b: Any, c: Any) -> Any:
    """a·b + c rounded once (the fused multiply-add XLA's CPU code contracts them into)."""
    return _xla.fma(a, b, c)


@fma.defjvp
def _fma_jvp(primals: tuple, tangents: tuple) -> tuple:
    (a, b, c), (ta, tb, tc) = primals, tangents
    return fma(a, b, c), ta * b + a * tb + tc
