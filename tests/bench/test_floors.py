"""Correctness of the benchmark floors (runs in ``make test``; these are not benchmarks)."""

from __future__ import annotations

import math
from functools import partial

import numpy as np
import pytest

from experiments.gradbench.evals.saddle import saddle
from experiments.gradbench.reference import GOLDEN
from experiments.gradbench.solver import Calculus

from .floors import (
    CHAIN_STEPS,
    chain_fn,
    dual_grad,
    dual_sin,
    init_mlp,
    load_admodes,
    max_rel_error,
    mlp_backprop,
    mlp_data,
    mlp_forward,
    mlp_loss,
    nested_grad,
    nested_sqrt,
    tape_grad,
    tape_sin,
)

SMALL_SIZES = (20, 16, 16, 3)
SMALL_BATCH = 8


def central_difference(fun, x: float, h: float = 1e-6) -> float:
    """``(f(x + h) - f(x - h)) / 2h``."""
    return (fun(x + h) - fun(x - h)) / (2 * h)


def small_mlp() -> tuple[list[tuple[np.ndarray, np.ndarray]], np.ndarray, np.ndarray]:
    """Seeded parameters and data of a 20-16-16-3 MLP with batch 8."""
    rng = np.random.default_rng(0)
    return init_mlp(rng, SMALL_SIZES), *mlp_data(rng, SMALL_SIZES, SMALL_BATCH)


@pytest.mark.parametrize("steps", [1, 3, 20])
@pytest.mark.parametrize("x", [0.3, -1.2, 2.0])
@pytest.mark.parametrize("grad", [dual_grad, tape_grad], ids=["dual", "tape"])
def test_chain_grad_matches_central_difference(grad, steps: int, x: float) -> None:
    sin = dual_sin if grad is dual_grad else tape_sin
    got = grad(partial(chain_fn, steps=steps, sin=sin))(x)
    want = central_difference(partial(chain_fn, steps=steps), x)
    assert math.isclose(got, want, rel_tol=1e-7, abs_tol=1e-9)


def test_full_chain_dual_and_tape_agree() -> None:
    # The chain contracts by ~0.8 per step, so the full-chain derivative is tiny (~1e-233)
    # but still a normal float: compare relatively.
    dual = dual_grad(partial(chain_fn, sin=dual_sin))(0.3)
    tape = tape_grad(partial(chain_fn, sin=tape_sin))(0.3)
    assert dual != 0.0
    assert math.isclose(dual, tape, rel_tol=1e-12, abs_tol=0.0)


def test_floors_cover_product_of_two_variables() -> None:
    fun = lambda x, sin: x * x + sin(x) * x
    want = 2 * 0.7 + math.cos(0.7) * 0.7 + math.sin(0.7)
    assert math.isclose(dual_grad(partial(fun, sin=dual_sin))(0.7), want, rel_tol=1e-15)
    assert math.isclose(tape_grad(partial(fun, sin=tape_sin))(0.7), want, rel_tol=1e-15)


def test_mlp_forward_matches_generic_loss() -> None:
    params, X, Y = small_mlp()
    assert math.isclose(mlp_forward(params, X, Y), float(mlp_loss(params, X, Y)), rel_tol=1e-13)


def test_mlp_backprop_leaves_inputs_untouched() -> None:
    params, X, Y = small_mlp()
    copies = [(W.copy(), b.copy()) for W, b in params], X.copy(), Y.copy()
    mlp_backprop(params, X, Y)
    assert max_rel_error(params, copies[0]) == 0.0
    assert np.array_equal(X, copies[1])
    assert np.array_equal(Y, copies[2])


def test_mlp_backprop_matches_jax() -> None:
    jax = pytest.importorskip("jax")
    jnp = pytest.importorskip("jax.numpy")
    params, X, Y = small_mlp()
    with jax.enable_x64(True):
        want = jax.grad(partial(mlp_loss, xp=jnp))(params, X, Y)
    assert max_rel_error(mlp_backprop(params, X, Y), want) < 1e-10


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_admodes_mlp_grad_matches_backprop(mode: str) -> None:
    ad, anp = load_admodes()
    params, X, Y = small_mlp()
    got = ad.grad(partial(mlp_loss, xp=anp), mode=mode)(params, X, Y)
    assert max_rel_error(got, mlp_backprop(params, X, Y)) < 1e-10


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("steps", [20, CHAIN_STEPS])
def test_admodes_chain_grad_matches_floor(mode: str, steps: int) -> None:
    ad, anp = load_admodes()
    got = ad.grad(partial(chain_fn, steps=steps, sin=anp.sin), mode=mode)(0.3)
    want = dual_grad(partial(chain_fn, steps=steps, sin=dual_sin))(0.3)
    assert math.isclose(float(got), want, rel_tol=1e-12, abs_tol=0.0)


def test_nested_floor_second_derivatives_by_hand() -> None:
    # f(x, y) = x² y³ / (1 + y) − 2x + √y: ∂f/∂x = 2x y³/(1 + y) − 2, whose ∂/∂y is
    # 2x (3y²(1 + y) − y³)/(1 + y)² = 2 · 1.5 · (12 · 3 − 8)/9 = 28/3 at x = 1.5, y = 2.
    def df_dx(q: tuple) -> float:
        (y,) = q
        return nested_grad(lambda p: p[0] ** 2 * y**3 / (1.0 + y) - 2.0 * p[0] + nested_sqrt(y))(
            (1.5,)
        )[0]

    assert math.isclose(df_dx((2.0,)), 2 * 1.5 * 8 / 3 - 2, rel_tol=1e-15)
    assert math.isclose(nested_grad(df_dx)((2.0,))[0], 28 / 3, rel_tol=1e-14)


def test_nested_floor_gives_saddles_golden_value() -> None:
    out = saddle("rr", (1.0, 1.0), Calculus(lambda mode: nested_grad, nested_sqrt))
    assert [float(v) for v in out] == pytest.approx(GOLDEN["saddle"], rel=1e-10)
