"""Benchmark groups "contraction-matmul" and "contraction-einsum": the gradient of
sum(tanh(A ⋅ B)) with respect to both operands of a batched contraction, by admodes (reverse
mode) and by a hand-written NumPy backward of the same contraction (the floor, target ≤ 1.5×).

A and B are stacks of 32 matrices of 64×64 (float64). The matmul floor writes the backward pass
with ``np.matmul``; the einsum floor with ``np.einsum`` along NumPy's optimized path, as a NumPy
user would write each by hand.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pytest

from .floors import load_admodes

pytestmark = pytest.mark.benchmark(max_time=2.0, min_rounds=5, warmup=True, warmup_iterations=3)

BATCH, SIZE = 32, 64
SUBSCRIPTS = "bij,bjk->bik"
Grads = tuple[np.ndarray, np.ndarray]


@pytest.fixture(scope="module")
def operands() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    shape = (BATCH, SIZE, SIZE)
    return rng.standard_normal(shape) / SIZE**0.5, rng.standard_normal(shape) / SIZE**0.5


def matmul_backward(a: np.ndarray, b: np.ndarray) -> Grads:
    """∂/∂A, ∂/∂B of sum(tanh(A @ B)): C̄ = 1 − tanh²(C), Ā = C̄ Bᵀ, B̄ = Aᵀ C̄."""
    t = np.tanh(a @ b)
    g = 1.0 - t * t
    return g @ np.swapaxes(b, -1, -2), np.swapaxes(a, -1, -2) @ g


def einsum_backward(a: np.ndarray, b: np.ndarray) -> Grads:
    """The same gradient with every contraction an einsum."""
    t = np.tanh(np.einsum(SUBSCRIPTS, a, b, optimize=True))
    g = 1.0 - t * t
    return np.einsum("bik,bjk->bij", g, b, optimize=True), np.einsum(
        "bij,bik->bjk", a, g, optimize=True
    )


def run(benchmark, grad_fun: Callable, operands: tuple, want: Grads) -> None:
    got = benchmark(grad_fun, *operands)
    for g, w in zip(got, want, strict=True):
        assert np.max(np.abs(g - w)) <= 1e-12 * np.max(np.abs(w))


@pytest.mark.benchmark(group="contraction-matmul")
def test_numpy_backward_matmul(benchmark, operands) -> None:
    run(benchmark, matmul_backward, operands, matmul_backward(*operands))


@pytest.mark.benchmark(group="contraction-matmul")
def test_admodes_matmul(benchmark, operands) -> None:
    ad, anp = load_admodes()
    grad = ad.grad(lambda a, b: anp.sum(anp.tanh(a @ b)), argnums=(0, 1))
    run(benchmark, grad, operands, matmul_backward(*operands))


@pytest.mark.benchmark(group="contraction-einsum")
def test_numpy_backward_einsum(benchmark, operands) -> None:
    run(benchmark, einsum_backward, operands, matmul_backward(*operands))


@pytest.mark.benchmark(group="contraction-einsum")
def test_admodes_einsum(benchmark, operands) -> None:
    ad, anp = load_admodes()
    grad = ad.grad(lambda a, b: anp.sum(anp.tanh(anp.einsum(SUBSCRIPTS, a, b))), argnums=(0, 1))
    run(benchmark, grad, operands, matmul_backward(*operands))
