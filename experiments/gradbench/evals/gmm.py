"""GradBench ``gmm``: ADBench's Gaussian mixture log-posterior and its gradient (reverse mode).

With Qₖ = diag(exp qₖ) + Lₖ (Lₖ strictly lower triangular, entries ``l[k]`` column by column):

    log p = −(nd/2) log 2π + Σᵢ logsumexpₖ(αₖ + Σ qₖ − ½‖Qₖ(xᵢ − μₖ)‖²) − n logsumexp(α)
            + Σₖ [−½γ²(‖exp qₖ‖² + ‖lₖ‖²) + m Σ qₖ] + k (νd log(γ/√2) − log Γ_d(ν/2)),
    ν = d + m + 1,

the last line the Wishart prior with log Γ_d the multivariate log-gamma function. ``jacobian``
is the gradient w.r.t. α, μ, q and l, returned per parameter.
"""

from __future__ import annotations

import math

import numpy as np

import admodes as ad
import admodes.numpy as anp

from ..convert import floats, to_json
from ..protocol import function

PARAMETERS = ("alpha", "mu", "q", "l")


def lower_layout(d: int) -> np.ndarray:
    """For a d × d matrix, where each entry comes from in (0, l₀, l₁, ...): l fills the strict
    lower triangle column by column, everything else is the leading 0."""
    layout = np.zeros((d, d), dtype=np.intp)
    rows, cols = np.tril_indices(d, -1)
    order = np.lexsort((rows, cols))
    layout[rows[order], cols[order]] = np.arange(1, rows.size + 1)
    return layout


def multigammaln(a: float, d: int) -> float:
    """log Γ_d(a) = d(d − 1)/4 log π + Σⱼ log Γ(a − j/2), j < d."""
    return d * (d - 1) / 4 * math.log(math.pi) + sum(math.lgamma(a - j / 2) for j in range(d))


def log_posterior(
    alpha: np.ndarray,
    mu: np.ndarray,
    q: np.ndarray,
    lower: np.ndarray,
    x: np.ndarray,
    m: int,
    gamma: float,
) -> float:
    """The objective above."""
    n, d = x.shape
    k = alpha.shape[0]
    Qdiags, sum_qs = anp.exp(q), anp.sum(q, axis=1)
    Ls = anp.concatenate([np.zeros((k, 1)), lower], axis=1)[:, lower_layout(d)]
    centered = x[:, None, :] - mu[None, :, :]
    Qx = Qdiags * centered + anp.einsum("kij,nkj->nki", Ls, centered)
    inner = alpha + sum_qs - 0.5 * anp.sum(Qx**2, axis=2)
    nu = d + m + 1
    prior = -anp.sum(
        0.5 * gamma**2 * (anp.sum(Qdiags**2, axis=1) + anp.sum(lower**2, axis=1)) - m * sum_qs
    ) + k * (nu * d * math.log(gamma / math.sqrt(2)) - multigammaln(0.5 * nu, d))
    return (
        -n * d * 0.5 * math.log(2 * math.pi)
        + anp.sum(anp.logsumexp(inner, axis=1))
        - n * anp.logsumexp(alpha)
        + prior
    )


def prepare(input: dict) -> tuple:
    """(α, μ, q, l, x, m, γ)."""
    return (
        *(floats(input[p]) for p in PARAMETERS),
        floats(input["x"]),
        int(input["m"]),
        float(input["gamma"]),
    )


@function(prepare, output=float)
def objective(args: tuple) -> float:
    """log p."""
    return log_posterior(*args)


@function(prepare, output=lambda grads: dict(zip(PARAMETERS, map(to_json, grads), strict=True)))
def jacobian(args: tuple) -> tuple:
    """∇ log p w.r.t. (α, μ, q, l), by reverse mode."""
    return ad.grad(log_posterior, argnums=(0, 1, 2, 3))(*args)
