"""Benchmark group "scalar-chain": d/dy of 2,500 steps of ``y = sin(y)*1.0001 + 0.1*y``.

Every benchmark records its number of primitive ops in ``extra_info["ops"]`` so that the
summary in ``conftest.py`` can report time per op. JAX eager is ~1,000x slower per op than
the floors, so it runs a shorter chain.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import partial

import pytest

from .floors import (
    CHAIN_STEPS,
    OPS_PER_STEP,
    chain_fn,
    dual_grad,
    dual_sin,
    load_admodes,
    tape_grad,
    tape_sin,
)

pytestmark = pytest.mark.benchmark(
    group="scalar-chain", max_time=2.0, min_rounds=5, warmup=True, warmup_iterations=3
)

X0 = 0.3
JAX_STEPS = 50


def run_chain(benchmark, grad_fun: Callable[[float], object], steps: int = CHAIN_STEPS) -> None:
    """Time ``grad_fun(X0)`` and check it against the floor dual's derivative."""
    benchmark.extra_info["ops"] = steps * OPS_PER_STEP
    got = float(benchmark(grad_fun, X0))
    want = dual_grad(partial(chain_fn, steps=steps, sin=dual_sin))(X0)
    assert math.isclose(got, want, rel_tol=1e-12, abs_tol=0.0)


def test_floor_dual(benchmark) -> None:
    run_chain(benchmark, dual_grad(partial(chain_fn, sin=dual_sin)))


def test_floor_tape(benchmark) -> None:
    run_chain(benchmark, tape_grad(partial(chain_fn, sin=tape_sin)))


def test_admodes_reverse(benchmark) -> None:
    ad, anp = load_admodes()
    run_chain(benchmark, ad.grad(partial(chain_fn, sin=anp.sin), mode="reverse"))


def test_admodes_forward(benchmark) -> None:
    ad, anp = load_admodes()
    run_chain(benchmark, ad.grad(partial(chain_fn, sin=anp.sin), mode="forward"))


def test_autograd(benchmark) -> None:
    autograd = pytest.importorskip("autograd")
    agnp = pytest.importorskip("autograd.numpy")
    run_chain(benchmark, autograd.grad(partial(chain_fn, sin=agnp.sin)))


def test_jax_eager(benchmark) -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    grad_fun = jax.grad(partial(chain_fn, steps=JAX_STEPS, sin=jnp.sin))
    with jax.enable_x64(True):
        run_chain(benchmark, lambda x: grad_fun(x).block_until_ready(), JAX_STEPS)
