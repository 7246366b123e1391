"""Benchmark group "mlp": gradient of an MSE loss w.r.t. all weights of a 784-512-512-10 MLP.

Batch 128, float64, tanh hidden layers; parameters are a list of ``(W, b)`` tuples. The
floors are the NumPy forward pass alone and the hand-written backprop in ``floors.py``.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import pytest

from .floors import (
    Params,
    init_mlp,
    load_admodes,
    max_rel_error,
    mlp_backprop,
    mlp_data,
    mlp_forward,
    mlp_loss,
)

pytestmark = pytest.mark.benchmark(
    group="mlp", max_time=2.0, min_rounds=5, warmup=True, warmup_iterations=3
)


@pytest.fixture(scope="module")
def problem() -> tuple[Params, np.ndarray, np.ndarray]:
    """Seeded parameters, input batch and targets."""
    rng = np.random.default_rng(0)
    return init_mlp(rng), *mlp_data(rng)


@pytest.fixture(scope="module")
def want(problem) -> Params:
    """The hand-written backprop's gradient, which every benchmark must reproduce."""
    return mlp_backprop(*problem)


def run_grad(benchmark, grad_fun: Callable, args: tuple, want: Params) -> None:
    """Time ``grad_fun(*args)`` and check it against the hand-written backprop."""
    got = benchmark(grad_fun, *args)
    assert max_rel_error(got, want) < 1e-10


def test_numpy_forward(benchmark, problem) -> None:
    loss = benchmark(mlp_forward, *problem)
    assert np.isclose(loss, mlp_loss(*problem), rtol=1e-13)


def test_numpy_backprop(benchmark, problem, want) -> None:
    run_grad(benchmark, mlp_backprop, problem, want)


def test_admodes_reverse(benchmark, problem, want) -> None:
    ad, anp = load_admodes()
    run_grad(benchmark, ad.grad(partial(mlp_loss, xp=anp), mode="reverse"), problem, want)


def test_autograd(benchmark, problem, want) -> None:
    autograd = pytest.importorskip("autograd")
    agnp = pytest.importorskip("autograd.numpy")
    run_grad(benchmark, autograd.grad(partial(mlp_loss, xp=agnp)), problem, want)


def test_jax_jit(benchmark, problem, want) -> None:
    """Steady state: compiled before timing, arguments already on the device."""
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    with jax.enable_x64(True):
        grad_fun = jax.jit(jax.grad(partial(mlp_loss, xp=jnp)))
        on_device = jax.device_put(problem)
        jax.block_until_ready(grad_fun(*on_device))
        run_grad(benchmark, lambda *args: jax.block_until_ready(grad_fun(*args)), on_device, want)
