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
- ``random_gamma_grad(a, x)``: dx/da of a gamma draw x of shape a, −(∂P/∂a)(a, x)/p(x; a) with
  p the gamma density (0 at x = 0, as JAX's); differentiable in x (JAX's is not at all),
- ``zeta(x, q)``, Hurwitz's, differentiable in both arguments as ``jax.scipy.special.zeta`` (a
  superset: ``jax.lax.zeta`` has no derivative at all).

Values are SciPy's, also at the poles: ``digamma`` is −inf at +0, +inf at −0 and nan at the
negative integers, where JAX's is nan at all of them.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
import admodes.scipy.special as _special  # first: without SciPy, admodes.scipy says what to install
from admodes.core import dtype_of
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
    "random_gamma_grad",
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


def random_gamma_grad(a: Any, x: Any) -> Any:
    """dx/da of a gamma draw x of shape a (the implicit reparameterization derivative):
    −(∂P/∂a)(a, x)/p(x; a), P = ``igamma`` and p(x; a) = x^(a−1) e^(−x)/Γ(a); 0 at x = 0."""
    tiny = np.finfo(np.result_type(dtype_of(x), np.float32)).tiny
    safe = anp.where(anp.equal(x, 0), tiny, x)
    log_density = anp.subtract(
        anp.subtract(anp.multiply(anp.subtract(a, 1.0), anp.log(safe)), safe), lgamma(a)
    )
    with np.errstate(over="ignore"):  # a subnormal x: the density is inf, dx/da 0
        dx = anp.divide(anp.negative(igamma_grad_a(a, safe)), anp.exp(log_density))
    return anp.where(anp.equal(x, 0), 0.0, dx)
