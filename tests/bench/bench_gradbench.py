"""Benchmark groups "gradbench-*": admodes' GradBench evals against peers.

- ``gradbench-saddle``, ``gradbench-particle``: the nested evals in mode pair ``rr``, admodes
  against HIPS autograd running the very same code (``solver.Calculus``: only the gradient and
  the square root change), and against the floor: the same code on a minimal nested tape
  (``floors.NestedTape``). One round each: a run takes seconds (autograd tens of seconds).
- ``gradbench-gmm``, ``-lstm``, ``-ba``, ``-ht``: the eval's derivative (the ``jacobian``
  function's compute step) against JAX without ``jit``, against one ``jax.jit`` call that
  includes its trace and compile (a fresh function, JAX's caches cleared, every round), and
  against the compiled function's steady state.

Every benchmark checks its result against the others' (relative 1e-10).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from experiments.gradbench import inputs, reference
from experiments.gradbench.evals import ba, gmm, ht, lstm, particle, saddle
from experiments.gradbench.protocol import Function
from experiments.gradbench.reference import compare
from experiments.gradbench.solver import ADMODES, Calculus
from experiments.harness.timing import compile_every_time

from .floors import nested_grad, nested_sqrt

compile_every_time()  # one jit call is timed with its compile: no cache on disk may serve it

RTOL = 1e-10


def autograd_calculus() -> Calculus:
    """HIPS autograd's reverse-mode gradient and square root."""
    import autograd
    import autograd.numpy as agnp

    return Calculus(lambda mode: autograd.grad, agnp.sqrt)


FLOOR = Calculus(lambda mode: nested_grad, nested_sqrt)
"""The minimal nested tape's reverse-mode gradient and square root."""

CALCULI: dict[str, Callable[[], Calculus]] = {
    "admodes": lambda: ADMODES,
    "autograd": autograd_calculus,  # imports autograd when first asked for
    "floor": lambda: FLOOR,
}

NESTED: dict[str, tuple[Callable[[Calculus], Any], Any]] = {
    "saddle": (lambda calc: saddle.saddle("rr", (1.0, 1.0), calc), reference.GOLDEN["saddle"]),
    "particle": (lambda calc: particle.particle("rr", 0.0, calc), reference.GOLDEN["particle"]),
}


@pytest.mark.parametrize("system", sorted(CALCULI))
@pytest.mark.parametrize("name", sorted(NESTED))
def test_nested_rr(benchmark, name: str, system: str) -> None:
    benchmark.group = f"gradbench-{name}"
    run, golden = NESTED[name]
    calc = CALCULI[system]()
    out = benchmark.pedantic(run, args=(calc,), rounds=1, iterations=1)
    assert compare(golden, np.asarray(out, dtype=np.float64).tolist()) <= RTOL


JaxDerivative = tuple[Callable[..., Any], tuple]
"""A JAX derivative and the arrays it takes (constants are closed over)."""


def jax_gmm(args: tuple) -> JaxDerivative:
    """∇ log p w.r.t. (α, μ, q, l)."""
    grad = reference.jax().grad(reference.gmm, (0, 1, 2, 3))
    *arrays, m, gamma = args
    return (lambda *a: grad(*a, m, gamma)), tuple(arrays)


def jax_lstm(args: tuple) -> JaxDerivative:
    """∇ of the loss w.r.t. (main_params, extra_params)."""
    return reference.jax().grad(reference.lstm, (0, 1)), args


def jax_ba(problem: ba.Problem) -> JaxDerivative:
    """Every observation's 2 × 15 block, by vmap of jacfwd."""
    jax = reference.jax()
    per_observation = jax.vmap(jax.jacfwd(reference.ba_residual, (0, 1, 2)))

    def blocks(cams, points, weights, feats):
        cam, point, weight = per_observation(cams, points, weights, feats)
        return jax.numpy.concatenate([cam, point, weight[..., None]], axis=-1)

    return blocks, (problem.cams, problem.points, problem.weights, problem.feats)


def jax_ht(args: tuple) -> JaxDerivative:
    """∂ residuals / ∂θ (simple instance) by jacfwd."""
    hand, theta, _ = args
    data = {
        "model": {
            "bone_count": len(hand.parents),
            "parents": hand.parents,
            "base_relatives": hand.base_relatives,
            "inverse_base_absolutes": hand.inverse_base_absolutes,
            "weights": hand.weights,
            "base_positions": hand.base_positions,
        },
        "correspondences": hand.targets,
        "points": hand.points,
    }
    return reference.jax().jacfwd(lambda t: reference.ht_error(t, None, data)), (theta,)


WORKLOADS: dict[str, tuple[Function, dict, Callable[[Any], JaxDerivative]]] = {
    "gmm": (gmm.jacobian, inputs.gmm(10, 25, 1000), jax_gmm),
    "lstm": (lstm.jacobian, inputs.lstm(2, 16), jax_lstm),
    "ba": (ba.jacobian, inputs.ba(10, 1000, 4000), jax_ba),
    "ht": (ht.jacobian, inputs.ht(200, 500, False), jax_ht),
}
"""Per eval: the admodes function, an input, and the JAX derivative of its prepared arguments."""


def flat(value: Any) -> np.ndarray:
    """A result (an array, a tuple of arrays, ba's blocks) as one flat float64 vector."""
    if isinstance(value, ba.Blocks):
        value = value.reproj
    leaves = value if isinstance(value, tuple) else (value,)
    return np.concatenate([np.ravel(np.asarray(leaf, dtype=np.float64)) for leaf in leaves])


@pytest.mark.parametrize("system", ["admodes", "jax", "jax_jit_first_call", "jax_jit"])
@pytest.mark.parametrize("name", sorted(WORKLOADS))
def test_derivative(benchmark, name: str, system: str) -> None:
    benchmark.group = f"gradbench-{name}"
    fn, input, jax_derivative = WORKLOADS[name]
    prepared = fn.prepare(input)
    want = flat(fn.compute(prepared))
    if system == "admodes":
        out = benchmark.pedantic(fn.compute, args=(prepared,), rounds=5, warmup_rounds=1)
        assert compare(want, flat(out)) == 0.0
        return
    jax = reference.jax()
    derivative, args = jax_derivative(prepared)
    if system == "jax":
        call, rounds = (lambda: derivative(*args)), {"rounds": 3, "warmup_rounds": 1}
    elif system == "jax_jit_first_call":
        call = lambda: jax.jit(lambda *a: derivative(*a))(*args)
        rounds = {"setup": jax.clear_caches, "rounds": 3}
    else:
        compiled = jax.jit(derivative)
        call, rounds = (lambda: compiled(*args)), {"rounds": 10, "warmup_rounds": 1}
    # JAX dispatches asynchronously: every timed call waits for its result.
    out = benchmark.pedantic(lambda: jax.block_until_ready(call()), **rounds)
    assert compare(want, flat(out)) <= RTOL
