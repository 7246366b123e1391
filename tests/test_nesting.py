"""Transforms inside transforms: no perturbation confusion, every nesting of the two engines
against JAX, hessian and hvp on an MLP."""

from __future__ import annotations

import itertools
from functools import cache, partial
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close, both

import admodes as ad
import admodes.numpy as anp

MODE_PAIRS = list(itertools.product(MODES, MODES))


def scalar_fn(m: Any, x: Any) -> Any:
    """ℝ³ → ℝ with non-trivial second and third derivatives."""
    return m.sum(m.sin(x) * m.exp(0.3 * x[::-1])) + m.prod(x) + m.logsumexp(x * x)


def vector_fn(m: Any, x: Any) -> Any:
    """ℝ³ → ℝ²."""
    return m.stack([m.sum(m.tanh(x) * x), m.sin(x[0]) * m.cos(x[1] * x[2])])


def mlp_loss(m: Any, w1: Any, b1: Any, w2: Any) -> Any:
    """Softmax cross-entropy of a tanh MLP: matmul, tanh, logsumexp, integer-array indexing."""
    logits = m.tanh(X @ w1 + b1) @ w2
    return m.mean(m.logsumexp(logits, axis=1) - logits[np.arange(5), LABELS])


X = np.random.default_rng(7).standard_normal((5, 3))
LABELS = np.array([0, 1, 1, 0, 1])


def mlp_params(rng: np.random.Generator) -> tuple:
    return rng.standard_normal((3, 4)), rng.standard_normal(4), rng.standard_normal((4, 2))


# ------------------------------------------------------------------------ perturbation confusion
EXPRESSIONS = {  # name: (inner function of (x, y), d/dx [x · d/dy inner] at x = y = 1)
    "x+y": (lambda x, y: x + y, 1.0),  # d/dx [x · 1] = 1
    "x*y": (lambda x, y: x * y, 2.0),  # d/dx [x · x] = 2x
}


@pytest.mark.parametrize(("outer", "inner"), MODE_PAIRS)
@pytest.mark.parametrize("expression", EXPRESSIONS)
def test_no_perturbation_confusion(outer: str, inner: str, expression: str) -> None:
    fn, expected = EXPRESSIONS[expression]

    def f(x: Any) -> Any:
        return x * ad.grad(lambda y: fn(x, y), mode=inner)(1.0)

    assert ad.grad(f, mode=outer)(1.0) == expected


def test_no_perturbation_confusion_jvp_in_vjp() -> None:
    """The same with the raw transforms: a jvp inside a vjp, and a vjp inside a jvp."""
    inner_jvp = lambda x: x * ad.jvp(lambda y: x + y, (1.0,), (1.0,))[1]
    inner_vjp = lambda x: x * ad.vjp(lambda y: x + y, 1.0)[1](1.0)[0]
    assert ad.vjp(inner_jvp, 1.0)[1](1.0) == (1.0,)
    assert ad.jvp(inner_vjp, (1.0,), (1.0,))[1] == 1.0


# ---------------------------------------------------------------------------- nestings vs JAX
def test_jvp_of_vjp(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(vector_fn)
    x, t, v = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(2)
    got = ad.jvp(lambda x: ad.vjp(f_ad, x)[1](v)[0], (x,), (t,))
    assert_close(got, jax.jvp(lambda x: jax.vjp(f_jax, x)[1](v)[0], (x,), (t,)))


def test_vjp_of_jvp(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(vector_fn)
    x, t, u = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(2)
    out, vjp_fn = ad.vjp(lambda x: ad.jvp(f_ad, (x,), (t,))[1], x)
    j_out, j_vjp = jax.vjp(lambda x: jax.jvp(f_jax, (x,), (t,))[1], x)
    assert_close((out, vjp_fn(u)), (j_out, j_vjp(u)))


X3 = np.array([0.3, -0.8, 1.1])
W3 = np.array([0.5, 1.5, -1.0])
X234 = np.random.default_rng(234).standard_normal((2, 3, 4))
PARAMS = mlp_params(np.random.default_rng(5))
JACOBIANS = {"jacfwd": ad.jacfwd, "jacrev": ad.jacrev}
JACOBIAN_PAIRS = list(itertools.product(JACOBIANS, JACOBIANS))


# JAX references shared by the parametrized tests below: computed once, compiled (a nested JAX
# transform run eagerly compiles every small op on its own, which is far slower).
@cache
def jax_hvp_of_scalar_fn() -> Any:
    """H·w of scalar_fn at X3, as ∇⟨∇f, w⟩."""
    return jax.jit(jax.grad(lambda x: jax.grad(partial(scalar_fn, JNP))(x) @ W3))(X3)


@cache
def jax_second_derivative_of_vector_fn() -> Any:
    return jax.jit(jax.jacfwd(jax.jacrev(partial(vector_fn, JNP))))(X3)


@cache
def jax_indexed_hessian(name: str) -> Any:
    return jax.jit(jax.hessian(partial(indexed, JNP, INDEXINGS[name])))(X234)


@cache
def jax_mlp_hessian() -> Any:
    return jax.jit(jax.hessian(lambda w: mlp_loss(JNP, w, *PARAMS[1:])))(PARAMS[0])


@pytest.mark.parametrize(("outer", "inner"), MODE_PAIRS)
def test_grad_of_grad(outer: str, inner: str) -> None:
    """∇(⟨∇f, w⟩) = H·w."""
    f_ad = partial(scalar_fn, anp)
    got = ad.grad(lambda x: ad.grad(f_ad, mode=inner)(x) @ W3, mode=outer)(X3)
    assert_close(got, jax_hvp_of_scalar_fn())


@pytest.mark.parametrize("modes", list(itertools.product(MODES, repeat=3)), ids="-".join)
def test_third_derivative_of_a_scalar_function(modes: tuple[str, str, str]) -> None:
    f_ad, f_jax = both(lambda m, x: m.sin(x) * m.exp(x**2) / (1.0 + x * x))
    d3 = f_ad
    for mode in modes:
        d3 = ad.grad(d3, mode=mode)
    assert_close(d3(0.7), jax.grad(jax.grad(jax.grad(f_jax)))(0.7))


@pytest.mark.parametrize(("outer", "inner"), JACOBIAN_PAIRS)
def test_jacobian_of_jacobian(outer: str, inner: str) -> None:
    got = JACOBIANS[outer](JACOBIANS[inner](partial(vector_fn, anp)))(X3)
    assert got.shape == (2, 3, 3)
    assert_close(got, jax_second_derivative_of_vector_fn())


def test_third_derivative_tensor() -> None:
    f_ad, f_jax = both(scalar_fn)
    got = ad.jacfwd(ad.jacrev(ad.jacfwd(f_ad)))(X3)
    assert_close(got, jax.jit(jax.jacfwd(jax.jacrev(jax.jacfwd(f_jax))))(X3))


INDEXINGS = {
    "slices": lambda x: x[1:, ::-1, 2],
    "int-arrays": lambda x: x[np.array([1, 0, 1]), np.array([2, 2, 0])],
    "separated-arrays": lambda x: x[np.array([0, 1]), :, np.array([1, 3])],
    "bool-mask": lambda x: x[:, np.array([True, False, True])],
    "none": lambda x: x[None, 0, :, None],
}


def indexed(m: Any, index: Any, x: Any) -> Any:
    return m.sum(m.sin(index(x)) * index(x) ** 2)


@pytest.mark.parametrize(("outer", "inner"), JACOBIAN_PAIRS)
@pytest.mark.parametrize("name", INDEXINGS)
def test_indexing_under_nested_jacobians(outer: str, inner: str, name: str) -> None:
    """Two batched traces at once: each prefixes its own direction axis to the index."""
    got = JACOBIANS[outer](JACOBIANS[inner](partial(indexed, anp, INDEXINGS[name])))(X234)
    assert_close(got, jax_indexed_hessian(name))


# ---------------------------------------------------------------------------- hessian and hvp
HESSIAN_FUNCTIONS = {
    "scalar_fn": scalar_fn,
    "rosenbrock": lambda m, x: m.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2),
    "quadratic-form": lambda m, x: x @ (np.arange(9.0).reshape(3, 3) @ x) + m.sum(x) ** 2,
}


@pytest.mark.parametrize("fn", HESSIAN_FUNCTIONS.values(), ids=HESSIAN_FUNCTIONS.keys())
def test_hessian_and_hvp(fn: Any, rng: np.random.Generator) -> None:
    f_ad, f_jax = both(fn)
    x, v = rng.standard_normal(3), rng.standard_normal(3)
    hessian, hvp = jax.jit(
        lambda x, v: (jax.hessian(f_jax)(x), jax.jvp(jax.grad(f_jax), (x,), (v,))[1])
    )(x, v)
    assert_close(ad.hessian(f_ad)(x), hessian)
    assert_close(ad.hvp(f_ad, (x,), (v,)), hvp)


@pytest.mark.parametrize(("outer", "inner"), JACOBIAN_PAIRS)
def test_mlp_hessian_every_way(outer: str, inner: str) -> None:
    """The Hessian of the MLP loss w.r.t. the first layer, by each pair of Jacobians."""
    w1, b1, w2 = PARAMS
    got = JACOBIANS[outer](JACOBIANS[inner](lambda w: mlp_loss(anp, w, b1, w2)))(w1)
    assert got.shape == (3, 4, 3, 4)
    assert_close(got, jax_mlp_hessian())


def test_mlp_hvp_and_hessian_over_all_parameters(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(mlp_loss)
    vs = mlp_params(rng)
    argnums = (0, 1, 2)
    hvp, hessian = jax.jit(
        lambda p, v: (jax.jvp(jax.grad(f_jax, argnums), p, v)[1], jax.hessian(f_jax, argnums)(*p))
    )(PARAMS, vs)
    assert_close(ad.hvp(f_ad, PARAMS, vs), hvp)
    assert_close(ad.hessian(f_ad, argnums)(*PARAMS), hessian)
