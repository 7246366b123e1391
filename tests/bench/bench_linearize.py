"""Benchmark group "linearize": J·v of the 784-512-512-10 MLP's loss in its weights, at one
point, by ``jvp`` (a forward pass: primal and tangent arithmetic) against ``linearize``'s
``f_jvp`` (the recorded tape, tangent arithmetic only). The ratio is what each further J·v at
that point costs after the one recording ``linearize`` makes."""

from __future__ import annotations

from functools import partial

import numpy as np
import pytest

from .floors import Params, init_mlp, load_admodes, mlp_data, mlp_loss

pytestmark = pytest.mark.benchmark(
    group="linearize", max_time=2.0, min_rounds=5, warmup=True, warmup_iterations=3
)


@pytest.fixture(scope="module")
def problem() -> tuple[Params, np.ndarray, np.ndarray, Params]:
    """Seeded parameters, input batch, targets, and a direction in the parameters."""
    rng = np.random.default_rng(0)
    params = init_mlp(rng)
    direction = [(rng.standard_normal(W.shape), rng.standard_normal(b.shape)) for W, b in params]
    return params, *mlp_data(rng), direction


def test_admodes_jvp(benchmark, problem) -> None:
    ad, anp = load_admodes()
    params, X, Y, v = problem
    loss = partial(mlp_loss, X=X, Y=Y, xp=anp)
    _, tangent = benchmark(ad.jvp, loss, (params,), (v,))
    _, f_jvp = ad.linearize(loss, params)
    assert np.isclose(tangent, f_jvp(v), rtol=1e-12)


def test_admodes_linearized(benchmark, problem) -> None:
    ad, anp = load_admodes()
    params, X, Y, v = problem
    loss = partial(mlp_loss, X=X, Y=Y, xp=anp)
    _, f_jvp = ad.linearize(loss, params)
    tangent = benchmark(f_jvp, v)
    assert np.isclose(tangent, ad.jvp(loss, (params,), (v,))[1], rtol=1e-12)
