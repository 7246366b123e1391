"""``jax.lax``'s special functions on :mod:`admodes.scipy.special`: SciPy's values, JAX's
derivatives, by both engines. This module needs SciPy, so ``admodes.lax`` imports it separately
(``import admodes`` works without SciPy); ``erfc``, ``bessel_i0e`` and ``bessel_i1e`` need none
and are in :mod:`admodes.lax.elementwise`.

- ``lgamma`` = ``gammaln`` (log|Γ(x)|, derivative ψ), ``digamma`` (ψ′ = ``polygamma(1, ·)``),
  ``polygamma(m, x)`` (in x only: a traced m raises NotImplementedError; JAX refuses a float m),
- ``erf``, ``erf_inv`` (JAX's derivatives 2/√π·e^(−x²) and √π/2·e^(erf_inv²)),
- ``igamma``, ``igammac`` (the regularized incomplete gamma functions P and Q, in both
  arguments), ``igamma_grad_a`` (∂P/∂a; differentiable in x, where JAX's has no derivative),
  ``betainc`` (in x only: a derivative in a or b raises NotImplementedError, JAX's ValueError),
- ``zeta(x, q)``, Hurwitz's, differentiable in both arguments as ``jax.scipy.special.zeta`` (a
  superset: ``jax.lax.zeta`` has no derivative at all).

Values are SciPy's, also at the poles: ``digamma`` is −inf at +0, +inf at −0 and nan at the
negative integers, where JAX's is nan at all of them.
"""

from __future__ import annotations

import admodes.scipy.special as _special  # first: without SciPy, admodes.scipy says what to install
from admodes.rules.special import gammainc_grad_a, zeta

__all__ = [
    "betainc",
    "digamma",
    "erf",
    "erf_inv",
    "igamma",
    "igamma_grad_a",
    "igammac",
    "lgamma",
    "polygamma",
    "zeta",
]

betainc = _special.betainc
digamma = _special.digamma
erf = _special.erf
erf_inv = _special.erfinv
igamma = _special.gammainc
igammac = _special.gammaincc
igamma_grad_a = gammainc_grad_a
lgamma = _special.gammaln
polygamma = _special.polygamma
