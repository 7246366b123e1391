"""Derivatives where they are undefined, and non-finite numbers: the README's conventions (JAX's),
each checked by hand and against JAX, in both modes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

import jax
import numpy as np
import pytest
from conftest import MODES, assert_close, both

import admodes as ad

INF, NAN = np.inf, np.nan
A = np.array


class Kink(NamedTuple):
    """``fn(m, *args)`` at ``args``; ``grads``: the gradient w.r.t. every argument, by hand
    (``None``: as JAX gives it, for non-finite cases where it depends on the mode)."""

    fn: Callable[..., Any]
    args: tuple
    grads: tuple | None = None


KINKS = {
    # maximum / minimum at a tie: 0.5 to each side
    "maximum-tie": Kink(lambda m, x, y: m.maximum(x, y), (1.0, 1.0), (0.5, 0.5)),
    "minimum-tie": Kink(lambda m, x, y: m.minimum(x, y), (-2.0, -2.0), (0.5, 0.5)),
    "maximum-constant-tie": Kink(lambda m, x: m.maximum(x, 2.0), (2.0,), (0.5,)),
    "maximum-with-itself": Kink(lambda m, x: m.maximum(x, x), (1.5,), (1.0,)),
    "minimum-partial-ties": Kink(
        lambda m, x, y: m.sum(m.minimum(x, y)), (A([1.0, 2.0, 3.0]), A([1.0, 0.0, 3.0])),
        (A([0.5, 0.0, 0.5]), A([0.5, 1.0, 0.5])),
    ),
    # max / min reductions: ties split evenly
    "max-ties": Kink(lambda m, x: m.max(x), (A([1.0, 3.0, 3.0, 2.0]),), (A([0, 0.5, 0.5, 0]),)),
    "max-all-equal": Kink(lambda m, x: m.max(x), (A([2.0, 2.0, 2.0]),), (A([1, 1, 1]) / 3,)),
    "max-ties-axis1": Kink(
        lambda m, x: m.sum(m.max(x, axis=1) * A([1.0, 2.0])), (A([[1.0, 3, 3], [2, 2, 0]]),),
        (A([[0, 0.5, 0.5], [1, 1, 0]]),),
    ),
    "min-ties-axis0-keepdims": Kink(
        lambda m, x: m.sum(m.min(x, axis=0, keepdims=True) * A([1.0, 2, 3])),
        (A([[1.0, 2, 0], [1, 3, 0]]),), (A([[0.5, 2, 1.5], [0.5, 0, 1.5]]),),
    ),
    # a norm that is a max at zero: the max ties with the reduction's initial 0 too (JAX's)
    "inf-norm-at-zero": Kink(lambda m, x: m.linalg.norm(x, ord=INF), (np.zeros(3),),
                             (np.full(3, 1 / 6),)),
    "matrix-1-norm-at-zero": Kink(lambda m, x: m.linalg.norm(x, ord=1), (np.zeros((2, 2)),),
                                  (np.full((2, 2), 0.25),)),
    "matrix-inf-norm-at-zero": Kink(lambda m, x: m.linalg.norm(x, ord=INF), (np.zeros((2, 2)),),
                                    (np.full((2, 2), 0.25),)),
    "matrix-2-norm-at-zero": Kink(lambda m, x: m.linalg.norm(x, ord=2), (np.zeros((2, 2)),),
                                  (np.eye(2) / 4,)),
    # abs'(0) = 1, sqrt'(0) = inf
    "abs-at-zero": Kink(lambda m, x: m.abs(x), (0.0,), (1.0,)),
    "abs-at-zero-array": Kink(lambda m, x: m.sum(m.abs(x)), (A([0.0, -1.0, 2.0]),),
                              (A([1.0, -1.0, 1.0]),)),
    "sqrt-at-zero": Kink(lambda m, x: m.sqrt(x), (0.0,), (INF,)),
    "power-half-at-zero": Kink(lambda m, x: x**0.5, (0.0,), (INF,)),
    "power-at-zero-base": Kink(lambda m, x, y: x**y, (0.0, 2.0), (0.0, 0.0)),
    "int-power-zero-exponent": Kink(lambda m, x: x**0, (0.0,), (0.0,)),
    # relu: 0 at 0 written as max(0, z) or where(z > 0, z, 0); maximum(0, z) is a tie (0.5)
    "relu-builtin-max": Kink(lambda m, z: max(0.0, z), (0.0,), (0.0,)),
    "relu-where": Kink(lambda m, z: m.where(z > 0, z, 0.0), (0.0,), (0.0,)),
    "relu-maximum-tie": Kink(lambda m, z: m.maximum(0.0, z), (0.0,), (0.5,)),
    # where: the derivative flows only to the selected branch
    "where-selected": Kink(
        lambda m, x, y: m.sum(m.where(A([True, False]), x * y, y)), (A([2.0, 3.0]), A([5.0, 7.0])),
        (A([5.0, 0.0]), A([2.0, 1.0])),
    ),
    "where-nan-value-unselected": Kink(lambda m, x: m.where(x < 0, x, m.log(x)), (-1.0,), (1.0,)),
    "where-inf-derivative-unselected": Kink(  # reverse: 0·∞ = nan, forward: 0, as JAX
        lambda m, x: m.where(x > 0, m.log(x), 0.0), (0.0,)
    ),
    # zero derivatives
    "sign": Kink(lambda m, x: m.sum(m.sign(x)), (A([-1.0, 0.0, 2.0]),), (A([0.0, 0, 0]),)),
    "floor": Kink(lambda m, x: m.sum(m.floor(x)), (A([-1.5, 0.0, 2.0]),), (A([0.0, 0, 0]),)),
    "ceil": Kink(lambda m, x: m.sum(m.ceil(x)), (A([-1.5, 0.0, 2.0]),), (A([0.0, 0, 0]),)),
    "round": Kink(lambda m, x: m.sum(m.round(x)), (A([-1.5, 0.5, 2.0]),), (A([0.0, 0, 0]),)),
    "comparison": Kink(lambda m, x: m.sum(m.where(x > 0, 1.0, -1.0)), (A([-1.0, 0.0, 2.0]),),
                       (A([0.0, 0, 0]),)),
    # clip at its bounds: a tie of maximum or minimum
    "clip-at-upper": Kink(lambda m, x: m.clip(x, -1.0, 1.0), (1.0,), (0.5,)),
    "clip-at-lower": Kink(lambda m, x: m.clip(x, -1.0, 1.0), (-1.0,), (0.5,)),
    "clip-outside-and-inside": Kink(lambda m, x: m.sum(m.clip(x, -1.0, 1.0)),
                                    (A([-2.0, 0.3, 2.0]),), (A([0.0, 1.0, 0.0]),)),
    # NaN and inf propagate as JAX propagates them
    "log-at-zero": Kink(lambda m, x: m.log(x), (0.0,), (INF,)),
    "log-of-negative": Kink(lambda m, x: m.log(x), (-1.0,), (-1.0,)),
    "divide-by-zero": Kink(lambda m, x: 1.0 / x, (0.0,), (-INF,)),
    "sqrt-of-negative": Kink(lambda m, x: m.sqrt(x), (-1.0,)),
    "exp-overflow": Kink(lambda m, x: m.exp(x), (1000.0,), (INF,)),
    "arcsin-at-one": Kink(lambda m, x: m.arcsin(x), (1.0,), (INF,)),
    "nan-input": Kink(lambda m, x: m.sum(m.sin(x) * x), (A([NAN, 1.0]),)),
    "inf-times-zero": Kink(lambda m, x: x * 0.0, (INF,), (0.0,)),
    "inf-input-array": Kink(lambda m, x: m.sum(m.tanh(x) + m.exp(-x)), (A([INF, -INF, 0.0]),)),
    "logsumexp-all-minus-inf": Kink(lambda m, x: m.logsumexp(x), (A([-INF, -INF]),)),
    "logsumexp-some-minus-inf": Kink(lambda m, x: m.logsumexp(x), (A([-INF, 0.0]),),
                                     (A([0.0, 1.0]),)),
    "logaddexp-both-minus-inf": Kink(lambda m, x: m.logaddexp(x, -INF), (-INF,)),
}  # fmt: skip


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", KINKS)
def test_kink(name: str, mode: str) -> None:
    kink = KINKS[name]
    f_ad, f_jax = both(kink.fn)
    argnums = tuple(range(len(kink.args)))
    with np.errstate(all="ignore"):
        value, grads = ad.value_and_grad(f_ad, argnums=argnums, mode=mode)(*kink.args)
    j_value, j_grads = jax.value_and_grad(f_jax, argnums=argnums)(*kink.args)
    if mode == "forward":  # 0·nan and 0·∞ land in different places in forward mode
        j_grads = jax.jacfwd(f_jax, argnums=argnums)(*kink.args)
    assert_close((value, grads), (j_value, j_grads))
    if kink.grads is not None:
        assert_close(grads, kink.grads, rtol=0.0)


@pytest.mark.parametrize("mode", MODES)
def test_jacobians_split_ties_per_output(mode: str) -> None:
    """Row by row, a max reduction's Jacobian splits each tie among that row's tied entries."""
    x = A([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    jacobian = ad.jacrev if mode == "reverse" else ad.jacfwd
    expected = A([[[0, 0.5, 0.5], [0, 0, 0]], [[0, 0, 0], [1 / 3, 1 / 3, 1 / 3]]])
    f_ad, f_jax = both(lambda m, x: m.max(x, axis=1))
    assert_close(jacobian(f_ad)(x), expected)
    assert_close(jax.jacrev(f_jax)(x), expected)


@pytest.mark.parametrize("mode", MODES)
def test_zero_float_exponent_at_zero(mode: str) -> None:
    """d/dx x^0.0 = 0 everywhere, 0 included (admodes: 0 where y = 0). JAX 0.10 differs here: it
    computes 0·x^(−1) = 0·∞ = nan at x = 0 for a float exponent (0 for the integer x**0 above)."""
    assert ad.grad(lambda x, y: x**y, argnums=0, mode=mode)(0.0, 0.0) == 0.0
    assert ad.grad(lambda x: x**0.0, mode=mode)(0.0) == 0.0
