"""Benchmark groups "counting-*": what an active ``count()`` costs a gradient.

Each workload is timed without any ``count()`` block (the engines' normal state: one flag test
per primitive) and inside one (every primitive charged to the counter: ops, FLOPs, phase, saved
bytes). The ratio of the two medians is the price of counting; nothing here asserts a time,
only that both runs give the same gradient and that the counter saw every op. Two workloads
bracket the cost: a scalar chain (per-op overhead is everything) and an MLP (NumPy work
dominates). Run with ``make bench``; ``make test`` skips them (``--benchmark-skip``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import numpy as np
import pytest

import admodes as ad
import admodes.numpy as anp

from .floors import CHAIN_STEPS, OPS_PER_STEP, chain_fn, init_mlp, mlp_data, mlp_loss

OPTIONS = {"max_time": 2.0, "min_rounds": 5, "warmup": True, "warmup_iterations": 3}


def counted(fun: Callable[..., Any]) -> Callable[..., Any]:
    """``fun`` run inside a fresh ``count()`` block; the last block is kept on the wrapper."""

    def run(*args: Any) -> Any:
        with ad.count() as c:
            out = fun(*args)
        run.counts = c
        return out

    return run


@pytest.fixture(scope="module")
def mlp_problem():
    rng = np.random.default_rng(0)
    return init_mlp(rng), *mlp_data(rng)


def _compare(benchmark, fun: Callable[..., Any], args: tuple, primal_ops: int | None, active: bool):
    """Time ``fun(*args)`` with or without an active count(); check the gradient either way.

    One untimed counted call gives the op count, so both rows report the same ``ops`` and the
    summary's time per op compares like with like."""
    probe = counted(fun)
    want = probe(*args)
    c = probe.counts
    if primal_ops is not None:
        assert c.by_phase["primal"]["ops"] == primal_ops
    benchmark.extra_info.update(ops=c.ops, flops=c.flops, count_active=active)
    got = benchmark(counted(fun) if active else fun, *args)
    for g, w in zip(_leaves(got), _leaves(want), strict=True):
        np.testing.assert_array_equal(g, w)


def _leaves(tree: Any) -> list[Any]:
    if isinstance(tree, list | tuple):
        return [leaf for t in tree for leaf in _leaves(t)]
    return [tree]


@pytest.mark.benchmark(group="counting-scalar-chain", **OPTIONS)
@pytest.mark.parametrize("active", [False, True], ids=["no count", "count active"])
def test_scalar_chain_gradient(benchmark, active):
    grad = ad.grad(partial(chain_fn, sin=anp.sin))
    _compare(benchmark, grad, (0.3,), CHAIN_STEPS * OPS_PER_STEP, active)


@pytest.mark.benchmark(group="counting-mlp", **OPTIONS)
@pytest.mark.parametrize("active", [False, True], ids=["no count", "count active"])
def test_mlp_gradient(benchmark, mlp_problem, active):
    _compare(benchmark, ad.grad(partial(mlp_loss, xp=anp)), mlp_problem, None, active)


@pytest.mark.benchmark(group="counting-iterate-sqrt", **OPTIONS)
@pytest.mark.parametrize("active", [False, True], ids=["no count", "count active"])
def test_iterate_sqrt_gradient(benchmark, active):
    """Checkpointed iteration: counting also tracks saved bytes and step advances."""
    x = np.random.default_rng(1).standard_normal(1_000)
    step = lambda z: anp.tanh(z) * 1.01 + 0.1
    loss = lambda x: anp.sum(ad.iterate(step, x, 256, schedule="sqrt"))
    _compare(benchmark, ad.grad(loss), (x,), None, active)
