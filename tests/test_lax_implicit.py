"""lax.custom_linear_solve and lax.custom_root against jax.lax's: values, first derivatives in
both modes, second derivatives in every nesting, pytrees, auxiliary outputs, and the errors.

Each solver below is written once and run on both sides (admodes and JAX), so the comparison
checks the implicit derivatives, not two solvers' rounding. The solvers iterate (Newton, a fixed
number of conjugate-gradient steps): a transform that differentiated their iterations instead of
the solution would give other numbers.
"""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp

AD = SimpleNamespace(lib=ad, m=anp, lax=ad.lax, jacobian=ad.jacfwd)
JAX = SimpleNamespace(lib=jax, m=JNP, lax=jax.lax, jacobian=jax.jacfwd)
SIDES = (AD, JAX)

RNG = np.random.default_rng(5)
K = RNG.standard_normal((4, 4))
SPD = K @ K.T + 4 * np.eye(4)
SKEW = 0.3 * (K - K.T)
THETA = np.array([1.3, -0.4, 0.7, 0.2])


def dense_solve(side: SimpleNamespace) -> Any:
    """solve(matvec, b) by the matrix of matvec (its Jacobian)."""
    return lambda matvec, b: side.m.linalg.solve(side.jacobian(matvec)(b), b)


def conjugate_gradients(side: SimpleNamespace, steps: int = 5) -> Any:
    """solve(matvec, b) by a fixed number of conjugate-gradient steps (A symmetric; n = 4
    steps solve it in exact arithmetic, a fifth takes the residual to rounding level)."""

    def solve(matvec: Any, b: Any) -> Any:
        x = side.m.zeros_like(b)
        r = b - matvec(x)
        p = r
        for _ in range(steps):
            rr = side.m.dot(r, r)
            ap = matvec(p)
            alpha = rr / side.m.dot(p, ap)
            x, r_new = x + alpha * p, r - alpha * ap
            p = r_new + side.m.dot(r_new, r_new) / rr * p
            r = r_new
        return x

    return solve


def linear_loss(side: SimpleNamespace, theta: Any, symmetric: bool) -> Any:
    """Σ xᵢ³ with A(θ) x = b(θ): A(θ) = SPD + θ₀ diag(θ)² (+ θ₁ SKEW unless symmetric)."""
    m = side.m
    a = SPD + theta[0] * m.diag(theta**2) + (0.0 if symmetric else theta[1] * SKEW)
    b = m.sin(theta) + m.arange(1.0, 5.0)
    if symmetric:
        x = side.lax.custom_linear_solve(
            lambda v: a @ v, b, conjugate_gradients(side), symmetric=True
        )
    else:
        solve = dense_solve(side)
        x = side.lax.custom_linear_solve(lambda v: a @ v, b, solve, solve)
    return m.sum(x**3)


@pytest.mark.parametrize("symmetric", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_linear_solve_derivatives_match_jax(symmetric: bool, mode: str) -> None:
    ours, theirs = (lambda t, s=s: linear_loss(s, t, symmetric) for s in SIDES)
    assert_close(ours(THETA), theirs(THETA))
    assert_close(ad.grad(ours, mode=mode)(THETA), jax.grad(theirs)(THETA))


@pytest.mark.parametrize("symmetric", [False, True])
def test_linear_solve_second_derivatives_match_jax(symmetric: bool) -> None:
    ours, theirs = (lambda t, s=s: linear_loss(s, t, symmetric) for s in SIDES)
    expected = jax.hessian(theirs)(THETA)
    for outer in (ad.jacfwd, ad.jacrev):
        for inner in (ad.jacfwd, ad.jacrev):
            assert_close(outer(inner(ours))(THETA), expected)


def pytree_loss(side: SimpleNamespace, theta: Any) -> Any:
    """A block system on a dict {u, w}: u' = 3u + θ₀ w, w' = θ₁ u + 4w (b depends on θ)."""
    m = side.m

    def matvec(v: dict) -> dict:
        return {"u": 3.0 * v["u"] + theta[0] * v["w"], "w": theta[1] * v["u"] + 4.0 * v["w"]}

    def solve(mv: Any, b: dict) -> tuple[dict, Any]:
        # the Jacobian of the linear map, block by block: [[3, θ₀], [θ₁, 4]] ⊗ I
        (uu, uw), (wu, ww) = (side.jacobian(lambda x, k=k: mv(x)[k])(b).values() for k in "uw")
        big = m.block([[uu, uw], [wu, ww]])
        x = m.linalg.solve(big, m.concatenate([b["u"], b["w"]]))
        return {"u": x[:3], "w": x[3:]}, m.linalg.norm(big)

    b = {"u": m.cos(theta[:3]), "w": theta[1:] ** 2}
    x, aux = side.lax.custom_linear_solve(matvec, b, solve, solve, has_aux=True)
    return m.sum(x["u"] ** 2) + m.sum(m.sin(x["w"])), aux


@pytest.mark.parametrize("mode", MODES)
def test_linear_solve_pytrees_and_aux_match_jax(mode: str) -> None:
    ours, theirs = (lambda t, s=s: pytree_loss(s, t) for s in SIDES)
    assert_close(ours(THETA), theirs(THETA))
    assert_close(
        ad.grad(ours, has_aux=True, mode=mode)(THETA), jax.grad(theirs, has_aux=True)(THETA)
    )


def test_linear_solve_errors() -> None:
    solve = dense_solve(AD)
    a = SPD + SKEW
    f = lambda b: anp.sum(ad.lax.custom_linear_solve(lambda v: a @ v, b, solve) ** 2)
    assert_close(  # forward mode needs no transpose_solve
        ad.grad(f, mode="forward")(THETA),
        jax.grad(lambda b: JNP.sum(JNP.linalg.solve(a, b) ** 2))(THETA),
    )
    with pytest.raises(TypeError, match="needs transpose_solve"):
        ad.grad(f)(THETA)
    with pytest.raises(TypeError, match="maps b's structure to itself"):
        ad.lax.custom_linear_solve(lambda v: (v, v), THETA, solve)


def root_loss(side: SimpleNamespace, theta: Any, guess: Any = 1.0) -> Any:
    """x*³ with x*² = θ (x* = √θ), by Newton's iterations from ``guess``."""

    def solve(f: Any, x0: Any) -> Any:
        x = x0
        for _ in range(40):
            x = x - f(x) / side.lib.grad(f)(x)
        return x

    x = side.lax.custom_root(lambda x: x**2 - theta, guess, solve, lambda g, y: y / g(1.0))
    return x**3


def vector_root_loss(side: SimpleNamespace, theta: Any) -> Any:
    """Σ sin(x*) with tanh(x*) + A x* = θ (a vector root), by Newton's iterations; its
    auxiliary output (the residual's norm) is not differentiated."""
    m = side.m
    a = SPD / 4

    def f(x: Any) -> Any:
        return m.tanh(x) + a @ x - theta**2

    def solve(f: Any, x0: Any) -> tuple[Any, Any]:
        x = x0
        for _ in range(25):
            x = x - m.linalg.solve(side.jacobian(f)(x), f(x))
        return x, m.linalg.norm(f(x))

    def tangent_solve(g: Any, y: Any) -> Any:
        return m.linalg.solve(side.jacobian(g)(y), y)

    x, residual = side.lax.custom_root(f, m.zeros(4), solve, tangent_solve, has_aux=True)
    return m.sum(m.sin(x)), residual


@pytest.mark.parametrize("mode", MODES)
def test_root_derivatives_match_jax(mode: str) -> None:
    ours, theirs = (lambda t, s=s: root_loss(s, t) for s in SIDES)
    assert_close(ours(2.0), theirs(2.0))
    assert_close(ad.grad(ours, mode=mode)(2.0), jax.grad(theirs)(2.0))
    assert_close(ad.grad(ours, mode=mode)(2.0), 1.5 * np.sqrt(2.0), rtol=1e-14)  # d θ^1.5 / dθ
    vector, vector_jax = (lambda t, s=s: vector_root_loss(s, t) for s in SIDES)
    (value, residual), (expected, _) = vector(THETA), vector_jax(THETA)
    assert_close(value, expected)
    assert residual < 1e-13  # the solve converged (its value is rounding: not compared)
    gradient, residual = ad.grad(vector, has_aux=True, mode=mode)(THETA)
    assert_close(gradient, jax.grad(vector_jax, has_aux=True)(THETA)[0])
    assert not isinstance(residual, ad.core.Traced) and residual < 1e-13


def test_root_second_derivatives_match_jax() -> None:
    ours, theirs = (lambda t, s=s: root_loss(s, t) for s in SIDES)
    expected = jax.hessian(theirs)(2.0)
    assert_close(expected, 0.75 / np.sqrt(2.0), rtol=1e-14)
    for outer in (ad.jacfwd, ad.jacrev):
        for inner in (ad.jacfwd, ad.jacrev):
            assert_close(outer(inner(ours))(2.0), expected)
    vector, vector_jax = (lambda t, s=s: vector_root_loss(s, t)[0] for s in SIDES)
    assert_close(ad.hessian(vector)(THETA), jax.hessian(vector_jax)(THETA))


@pytest.mark.parametrize("mode", MODES)
def test_root_is_not_differentiated_in_its_initial_guess(mode: str) -> None:
    assert ad.grad(lambda g: root_loss(AD, 2.0, g), mode=mode)(1.0) == 0.0
    assert jax.grad(lambda g: root_loss(JAX, 2.0, g))(1.0) == 0.0


def test_a_transpose_solve_may_close_over_the_traced_matrix_as_in_jax() -> None:
    """solve and transpose_solve closing over the traced matrix (numpy's solve with M and Mᵀ):
    JAX takes what they close over as constants; admodes' backward pass, which runs the
    transpose solve after the tape finished, refused it. Gradients in both modes and every
    second-order nesting, and the gradient of a vmap of it, equal JAX's."""
    m0, b0 = np.array([[4.0, 1.0], [0.5, 3.0]]), np.array([1.0, -2.0])

    def loss(side: SimpleNamespace) -> Any:
        def f(a: Any) -> Any:
            x = side.lax.custom_linear_solve(
                lambda v: side.m.dot(a, v),
                b0,
                lambda mv, r: side.m.linalg.solve(a, r),
                lambda vm, r: side.m.linalg.solve(a.T, r),
            )
            return side.m.sum(x * x)

        return f

    ours, theirs = loss(AD), loss(JAX)
    for mode in MODES:
        assert_close(ad.grad(ours, mode=mode)(m0), np.asarray(jax.grad(theirs)(m0)))
    hessian = np.asarray(jax.hessian(theirs)(m0))
    for outer in (ad.jacfwd, ad.jacrev):
        for inner in (ad.jacfwd, ad.jacrev):
            assert_close(outer(inner(ours))(m0), hessian)
    stack = np.stack([m0, 2.0 * m0])
    assert_close(
        ad.grad(lambda a: anp.sum(ad.vmap(ours)(a)))(stack),
        np.asarray(jax.grad(lambda a: JNP.sum(jax.vmap(theirs)(a)))(stack)),
    )
