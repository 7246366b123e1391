"""Research programs, each written once for both libraries: the gradient by both modes equals
JAX's, and a reverse-mode gradient costs at most 3× the program's own FLOPs (``count()``).

(a) single-head self-attention with ``einsum`` and layer norm; (b) a Gaussian-process negative
log marginal likelihood (``cholesky``, ``solve_triangular``, ``slogdet``) w.r.t. the kernel's
hyperparameters; (c) the ADBench Gaussian mixture objective in its published form; (d) a JAX
snippet (JAX's autodiff tutorial) ported by changing its imports only."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, RTOL_LONG, assert_close

import admodes as ad
import admodes.numpy as anp

#: A reverse-mode gradient's FLOPs over the program's own, at most (the cheap gradient principle;
#: Baydin et al. 2018 give 2–3 as typical).
MAX_FLOP_RATIO = 3.0
#: Except where a factorization dominates: the GP's Cholesky VJP is two triangular solves with n
#: right-hand sides and a product (≈ 4n³ against the factorization's n³/3, as JAX computes it),
#: and slogdet's needs K⁻¹ (2n³ against 2n³/3), so its gradient measures 4.96× its FLOPs.
FLOP_RATIO_BOUNDS = {"gp": 5.0}


# ---------------------------------------------------------------------------- (a) attention
def attention(m: Any, params: tuple, x: Any) -> Any:
    """Pre-norm single-head self-attention with a residual connection; mean squared output."""
    wq, wk, wv, wo, gamma, beta = params
    mu = m.mean(x, axis=-1, keepdims=True)
    var = m.mean((x - mu) ** 2, axis=-1, keepdims=True)
    h = (x - mu) / m.sqrt(var + 1e-5) * gamma + beta
    q, k, v = (m.einsum("td,dk->tk", h, w) for w in (wq, wk, wv))
    scores = m.einsum("tk,sk->ts", q, k) / math.sqrt(q.shape[-1])
    e = m.exp(scores - m.max(scores, axis=-1, keepdims=True))
    weights = e / m.sum(e, axis=-1, keepdims=True)
    y = m.einsum("tk,kd->td", m.einsum("ts,sk->tk", weights, v), wo) + x
    return m.mean(y**2)


def attention_inputs(rng: np.random.Generator) -> tuple:
    t, d, dk = 12, 16, 8
    params = tuple(rng.standard_normal(s) / 2 for s in ((d, dk), (d, dk), (d, dk), (dk, d)))
    return (*params, 1.0 + rng.standard_normal(d) / 10, rng.standard_normal(d) / 10), (
        rng.standard_normal((t, d))
    )


# ---------------------------------------------------------------------------- (b) GP likelihood
def gp_nlml(m: Any, solve_triangular: Callable[..., Any], theta: Any, x: Any, y: Any) -> Any:
    """−log p(y | X, θ) for a squared-exponential kernel, θ = log(lengthscale, signal, noise)."""
    n = y.shape[0]
    ell, sf, sn = m.exp(theta[0]), m.exp(theta[1]), m.exp(theta[2])
    d2 = m.sum((x[:, None, :] - x[None, :, :]) ** 2, axis=-1)
    kernel = sf**2 * m.exp(-0.5 * d2 / ell**2) + (sn**2 + 1e-6) * m.eye(n)
    chol = m.linalg.cholesky(kernel)
    alpha = solve_triangular(chol, y, lower=True)
    _, logdet = m.linalg.slogdet(kernel)
    return 0.5 * m.sum(alpha**2) + 0.5 * logdet + 0.5 * n * math.log(2 * math.pi)


def gp_inputs(rng: np.random.Generator) -> tuple:
    x = rng.uniform(-2.0, 2.0, (10, 2))
    return np.array([0.1, 0.3, -1.0]), x, np.sin(x[:, 0]) + 0.1 * rng.standard_normal(10)


# ---------------------------------------------------------------------------- (c) ADBench GMM
def gmm_objective(
    m: Any, alphas: Any, means: Any, icf: Any, x: Any, wishart_gamma: float, wishart_m: int
) -> Any:
    """ADBench's Gaussian mixture objective: n points, k components in d dimensions; each
    component's precision factor Q = diag(exp(icf[:d])) + L, with L's strictly lower triangle
    filled from icf[d:] (``.at[].set`` at ``np.tril_indices``); a log-Wishart prior."""
    n, d = x.shape
    k = alphas.shape[0]
    rows, cols = np.tril_indices(d, -1)
    q_diags = m.exp(icf[:, :d])
    sum_qs = m.sum(icf[:, :d], axis=1)
    ls = m.zeros((k, d, d)).at[:, rows, cols].set(icf[:, d:])
    x_centered = x[:, None, :] - means[None, :, :]
    lx_centered = q_diags[None] * x_centered + m.einsum("kij,nkj->nki", ls, x_centered)
    sqsum = m.sum(lx_centered**2, axis=2)
    inner_term = alphas[None] + sum_qs[None] - 0.5 * sqsum
    slse = m.sum(m.logsumexp(inner_term, axis=1))
    constant = -n * d * 0.5 * math.log(2 * math.pi)
    n_p = d + wishart_m + 1
    prior = m.sum(
        0.5 * wishart_gamma**2 * (m.sum(q_diags**2, axis=1) + m.sum(icf[:, d:] ** 2, axis=1))
        - wishart_m * sum_qs
    )
    log_gamma = 0.25 * d * (d - 1) * math.log(math.pi) + sum(
        math.lgamma(0.5 * n_p + 0.5 * (1 - j)) for j in range(1, d + 1)
    )
    c = n_p * d * (math.log(wishart_gamma) - 0.5 * math.log(2))
    return constant + slse - n * m.logsumexp(alphas) + prior - k * (c - log_gamma)


def gmm_inputs(rng: np.random.Generator) -> tuple:
    n, k, d = 12, 3, 4
    icf = rng.standard_normal((k, d + d * (d - 1) // 2)) / 2
    return rng.standard_normal(k), rng.standard_normal((k, d)), icf, rng.standard_normal((n, d))


# ---------------------------------------------------------------------------- (d) a JAX snippet
#: JAX's autodiff tutorial (logistic regression), verbatim below its imports.
SNIPPET = """
def sigmoid(x):
    return 0.5 * (jnp.tanh(x / 2) + 1)

def predict(W, b, inputs):
    return sigmoid(jnp.dot(inputs, W) + b)

inputs = jnp.array([[0.52, 1.12,  0.77],
                    [0.88, -1.08, 0.15],
                    [0.52, 0.06, -1.30],
                    [0.74, -2.49, 1.39]])
targets = jnp.array([True, True, False, True])

def loss(W, b):
    preds = predict(W, b, inputs)
    label_probs = preds * targets + (1 - preds) * (1 - targets)
    return -jnp.sum(jnp.log(label_probs))

W = jnp.array([0.21, -0.45, 0.88])
b = 0.3
W_grad, b_grad = grad(loss, (0, 1))(W, b)
"""
JAX_IMPORTS = "import jax.numpy as jnp\nfrom jax import grad\n"
ADMODES_IMPORTS = "import admodes.numpy as jnp\nfrom admodes import grad\n"


def run_snippet(imports: str) -> dict:
    namespace: dict = {}
    exec(imports + SNIPPET, namespace)
    return namespace


def test_jax_snippet_ported_by_imports() -> None:
    ours, theirs = run_snippet(ADMODES_IMPORTS), run_snippet(JAX_IMPORTS)
    assert_close(
        (ours["W_grad"], ours["b_grad"]),
        (np.asarray(theirs["W_grad"]), float(theirs["b_grad"])),
    )
    w, b = ours["W"], ours["b"]
    for mode in MODES:
        grads = ad.grad(ours["loss"], (0, 1), mode=mode)(np.asarray(w), b)
        assert_close(grads, (ours["W_grad"], ours["b_grad"]))
    _assert_cheap_gradient(ours["loss"], (np.asarray(w), b), (0, 1), MAX_FLOP_RATIO)


# ---------------------------------------------------------------------------- the checks
def _programs() -> dict[str, tuple[Callable[..., Any], Callable[..., Any], Any, Any]]:
    """name: (admodes function, JAX function, inputs, argnums differentiated)."""
    return {
        "attention": (
            lambda p, x: attention(anp, p, x),
            lambda p, x: attention(jnp, p, x),
            attention_inputs,
            0,
        ),
        "gp": (
            lambda t, x, y: gp_nlml(anp, anp.linalg.solve_triangular, t, x, y),
            lambda t, x, y: gp_nlml(jnp, jax.scipy.linalg.solve_triangular, t, x, y),
            gp_inputs,
            0,
        ),
        "gmm": (
            lambda a, mu, icf, x: gmm_objective(anp, a, mu, icf, x, 1.5, 2),
            lambda a, mu, icf, x: gmm_objective(_JaxWithLogsumexp(), a, mu, icf, x, 1.5, 2),
            gmm_inputs,
            (0, 1, 2),
        ),
    }


class _JaxWithLogsumexp:
    """``jax.numpy`` with ``logsumexp`` (which admodes.numpy has and jax.numpy has not)."""

    logsumexp = staticmethod(jax.scipy.special.logsumexp)

    def __getattr__(self, name: str) -> Any:
        return getattr(jnp, name)


PROGRAMS = _programs()


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", PROGRAMS)
def test_gradient_matches_jax(name: str, mode: str, rng: np.random.Generator) -> None:
    f_ad, f_jax, inputs, argnums = PROGRAMS[name]
    args = inputs(rng)
    value, grads = ad.value_and_grad(f_ad, argnums, mode=mode)(*args)
    j_value, j_grads = jax.jit(jax.value_and_grad(f_jax, argnums))(*args)
    assert_close((value, grads), jax.tree_util.tree_map(np.asarray, (j_value, j_grads)), RTOL_LONG)


@pytest.mark.parametrize("name", PROGRAMS)
def test_cheap_gradient(name: str, rng: np.random.Generator) -> None:
    f_ad, _, inputs, argnums = PROGRAMS[name]
    _assert_cheap_gradient(f_ad, inputs(rng), argnums, FLOP_RATIO_BOUNDS.get(name, MAX_FLOP_RATIO))


def flop_ratio(f: Callable[..., Any], args: tuple, argnums: Any) -> float:
    """FLOPs of a reverse-mode gradient over those of its recorded evaluation of the program (the
    "primal" phase: NumPy operators on plain arrays are not counted, so a plain call of the
    program would undercount it)."""
    with ad.count() as c:
        ad.grad(f, argnums)(*args)
    return c.flops / c.by_phase["primal"]["flops"]


def _assert_cheap_gradient(f: Callable[..., Any], args: tuple, argnums: Any, bound: float) -> None:
    ratio = flop_ratio(f, args, argnums)
    assert 1.0 < ratio <= bound, f"gradient / program FLOPs = {ratio:.2f}"
