"""Benchmark group "vmap": per-example gradients of a one-hidden-layer network's squared error.

Batch 256, 16 inputs, 64 tanh units, float64. ``vmap(grad(loss), (None, 0, 0))`` runs the loss
once on the batch; the loop of ``grad`` calls is what ``vmap`` did before it vectorized (and
still does for a function it cannot vectorize); JAX's ``vmap(grad)`` without ``jit``; the floor
is the per-example backprop written by hand with NumPy. Every result is checked against it.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .floors import load_admodes, max_rel_error

pytestmark = pytest.mark.benchmark(
    group="vmap", max_time=2.0, min_rounds=5, warmup=True, warmup_iterations=3
)

BATCH, INPUTS, HIDDEN = 256, 16, 64


def loss(m: Any, params: tuple, x: Any, y: Any) -> Any:
    """(w₂ · tanh(W₁ x + b₁) − y)² for one example, in the namespace ``m``."""
    w1, b1, w2 = params
    return (m.dot(w2, m.tanh(w1 @ x + b1)) - y) ** 2


def per_example_backprop(params: tuple, xs: np.ndarray, ys: np.ndarray) -> tuple:
    """Each example's gradient in (W₁, b₁, w₂), by hand, batched with NumPy."""
    w1, b1, w2 = params
    h = np.tanh(xs @ w1.T + b1)
    r2 = 2.0 * (h @ w2 - ys)
    dz = r2[:, None] * w2 * (1.0 - h * h)
    return dz[:, :, None] * xs[:, None, :], dz, r2[:, None] * h


def error(got: tuple, want: tuple) -> float:
    """Largest relative error over the three gradients."""
    return max_rel_error([got], [want])


@pytest.fixture(scope="module")
def problem() -> tuple:
    rng = np.random.default_rng(0)
    params = (
        rng.standard_normal((HIDDEN, INPUTS)) / 4,
        rng.standard_normal(HIDDEN) / 4,
        rng.standard_normal(HIDDEN) / 8,
    )
    return params, rng.standard_normal((BATCH, INPUTS)), rng.standard_normal(BATCH)


@pytest.fixture(scope="module")
def want(problem: tuple) -> tuple:
    return per_example_backprop(*problem)


def test_numpy_per_example_backprop(benchmark, problem, want) -> None:
    assert error(benchmark(per_example_backprop, *problem), want) < 1e-12


def test_admodes_vmap_grad(benchmark, problem, want) -> None:
    ad, anp = load_admodes()
    per_example = ad.vmap(ad.grad(lambda p, x, y: loss(anp, p, x, y)), (None, 0, 0))
    assert error(benchmark(per_example, *problem), want) < 1e-10


def test_admodes_loop_of_grads(benchmark, problem, want) -> None:
    ad, anp = load_admodes()
    grad = ad.grad(lambda p, x, y: loss(anp, p, x, y))

    def loop(params: tuple, xs: np.ndarray, ys: np.ndarray) -> tuple:
        grads = [grad(params, x, y) for x, y in zip(xs, ys, strict=True)]
        return tuple(np.stack(parts) for parts in zip(*grads, strict=True))

    assert error(benchmark(loop, *problem), want) < 1e-10


def test_jax_vmap_grad(benchmark, problem, want) -> None:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    per_example = jax.vmap(jax.grad(lambda p, x, y: loss(jax.numpy, p, x, y)), (None, 0, 0))

    def run(*args: Any) -> tuple:
        return jax.block_until_ready(per_example(*args))

    got = benchmark(run, *problem)
    assert error(tuple(np.asarray(g) for g in got), want) < 1e-10
