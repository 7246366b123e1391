"""Benchmark group "vmap-gather": per-example gradients that gather at indices computed per
example, the case ``vmap`` runs in one call by gathering from the stack (before, it called the
function once per example).

Batch 256 sequences of 8 tokens from a vocabulary of 50; each sequence's loss is
(w · maxₜ tanh(E[tokenₜ]) − y)², E a shared 50×16 embedding table: a gather at the example's
tokens, a max over them (its derivative picks each column's largest entry, another gather),
and a dot. ``vmap(grad(loss), (None, 0, 0))`` against a loop of ``grad`` calls and JAX's
``vmap(grad)`` without ``jit``; every result is checked against JAX's.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from .floors import load_admodes, max_rel_error

pytestmark = pytest.mark.benchmark(
    group="vmap-gather", max_time=2.0, min_rounds=5, warmup=True, warmup_iterations=3
)

BATCH, TOKENS, VOCABULARY, WIDTH = 256, 8, 50, 16


def loss(m: Any, params: tuple, tokens: Any, y: Any) -> Any:
    """(w · maxₜ tanh(E[tokenₜ]) − y)² for one sequence, in the namespace ``m``."""
    table, w = params
    pooled = m.max(m.tanh(m.take(table, tokens, axis=0)), axis=0)
    return (m.dot(pooled, w) - y) ** 2


@pytest.fixture(scope="module")
def problem() -> tuple:
    rng = np.random.default_rng(0)
    params = (rng.standard_normal((VOCABULARY, WIDTH)), rng.standard_normal(WIDTH))
    return params, rng.integers(0, VOCABULARY, (BATCH, TOKENS)), rng.standard_normal(BATCH)


@pytest.fixture(scope="module")
def jax_vmap_grad() -> Any:
    jax = pytest.importorskip("jax")
    jax.config.update("jax_enable_x64", True)
    per_example = jax.vmap(jax.grad(lambda p, t, y: loss(jax.numpy, p, t, y)), (None, 0, 0))
    return lambda *args: jax.block_until_ready(per_example(*args))


@pytest.fixture(scope="module")
def want(problem: tuple, jax_vmap_grad: Any) -> list:
    return [np.asarray(g) for g in jax_vmap_grad(*problem)]


def test_admodes_vmap_grad(benchmark, problem, want) -> None:
    ad, anp = load_admodes()
    per_example = ad.vmap(ad.grad(lambda p, t, y: loss(anp, p, t, y)), (None, 0, 0))
    assert max_rel_error([benchmark(per_example, *problem)], [want]) < 1e-10


def test_admodes_loop_of_grads(benchmark, problem, want) -> None:
    ad, anp = load_admodes()
    grad = ad.grad(lambda p, t, y: loss(anp, p, t, y))

    def loop(params: tuple, tokens: np.ndarray, ys: np.ndarray) -> list:
        grads = [grad(params, t, y) for t, y in zip(tokens, ys, strict=True)]
        return [np.stack(parts) for parts in zip(*grads, strict=True)]

    assert max_rel_error([benchmark(loop, *problem)], [want]) < 1e-10


def test_jax_vmap_grad(benchmark, problem, jax_vmap_grad) -> None:
    benchmark(jax_vmap_grad, *problem)  # the reference the others are checked against
