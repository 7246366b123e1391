"""admodes.scipy.sparse.linalg's Krylov solvers against SciPy and jax.scipy.sparse.linalg: the
solution, and its implicit derivatives (those of A⁻¹b) in A, b and what a matrix-free operator
closes over, to second order."""

from __future__ import annotations

from typing import Any

import jax
import jax.scipy.sparse.linalg as jsl
import numpy as np
import pytest
import scipy.sparse
import scipy.sparse.linalg as ssl
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp
from admodes.scipy.sparse import linalg as asl

RNG = np.random.default_rng(11)
K = RNG.standard_normal((5, 5))
SPD = K @ K.T + 5 * np.eye(5)
NONSYMMETRIC = K + 6 * np.eye(5)
B = RNG.standard_normal(5)
SOLVERS = [("cg", SPD), ("bicgstab", NONSYMMETRIC), ("gmres", NONSYMMETRIC)]


def cubed(m: Any, solvers: Any, name: str, a: Any, b: Any, **tolerance: float) -> Any:
    return m.sum(getattr(solvers, name)(a, b, **tolerance)[0] ** 3)


@pytest.mark.parametrize(("name", "a"), SOLVERS)
def test_solutions_are_scipys(name: str, a: np.ndarray) -> None:
    x, info = getattr(asl, name)(a, B, rtol=1e-12)
    expected, expected_info = getattr(ssl, name)(a, B, rtol=1e-12)
    assert (info, expected_info) == (0, 0)
    assert_close(x, expected)
    assert_close(x, np.linalg.solve(a, B), rtol=1e-11)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "a"), SOLVERS)
def test_derivatives_match_jax(name: str, a: np.ndarray, mode: str) -> None:
    assert_close(
        ad.grad(lambda a, b: cubed(anp, asl, name, a, b, rtol=1e-13), (0, 1), mode=mode)(a, B),
        jax.grad(lambda a, b: cubed(JNP, jsl, name, a, b, tol=1e-13), (0, 1))(a, B),
    )
    matvec = lambda v: a @ v
    assert_close(  # a matrix-free operator: the derivative in b
        ad.grad(lambda b: cubed(anp, asl, name, matvec, b, rtol=1e-13), mode=mode)(B),
        jax.grad(lambda b: cubed(JNP, jsl, name, matvec, b, tol=1e-13))(B),
    )


@pytest.mark.parametrize(("name", "a"), SOLVERS)
def test_second_derivatives_are_those_of_the_exact_solution(name: str, a: np.ndarray) -> None:
    """In b, as JAX's. In A, as jax.numpy.linalg.solve's: JAX's cg takes A symmetric in its
    derivatives too, so its Hessian over A's n² entries is not that of A⁻¹b."""
    assert_close(
        ad.hessian(lambda b: cubed(anp, asl, name, a, b, rtol=1e-13))(B),
        jax.hessian(lambda b: cubed(JNP, jsl, name, a, b, tol=1e-13))(B),
    )
    assert_close(
        ad.hessian(lambda a: cubed(anp, asl, name, a, B, rtol=1e-13))(a),
        jax.hessian(lambda a: JNP.sum(JNP.linalg.solve(a, B) ** 3))(a),
        rtol=1e-9,
    )


def test_scipys_operators_are_constants() -> None:
    """A sparse matrix, a LinearOperator and a function of one: SciPy's values, and the
    derivative in b (A⁻ᵀ 1, cg's A symmetric)."""
    sparse = scipy.sparse.csr_matrix(SPD)
    expected = jax.grad(lambda b: JNP.sum(JNP.linalg.solve(SPD, b)))(B)
    for a in (sparse, ssl.aslinearoperator(sparse), lambda v: sparse @ v):
        x, info = asl.cg(a, B, rtol=1e-13)
        assert info == 0
        assert_close(x, np.linalg.solve(SPD, B), rtol=1e-11)
        assert_close(ad.grad(lambda b, a=a: anp.sum(asl.cg(a, b, rtol=1e-13)[0]))(B), expected)
    x, _ = asl.gmres(sparse, B, rtol=1e-13, M=scipy.sparse.diags(1 / np.diag(SPD)))
    assert_close(x, np.linalg.solve(SPD, B), rtol=1e-11)


def test_options_and_errors() -> None:
    x, _ = asl.cg(SPD, B, x0=np.ones(5), tol=1e-13, M=np.diag(1 / np.diag(SPD)))
    assert_close(x, np.linalg.solve(SPD, B), rtol=1e-11)
    x, _ = asl.gmres(NONSYMMETRIC, B, restart=2, rtol=1e-13, maxiter=200)
    assert_close(x, np.linalg.solve(NONSYMMETRIC, B), rtol=1e-11)
    assert asl.cg(SPD, B, maxiter=1)[1] == 1  # not converged: SciPy's info
    with pytest.raises(TypeError, match=r"rtol .* or tol .*, not both"):
        asl.cg(SPD, B, rtol=1e-8, tol=1e-8)
    with pytest.raises(TypeError, match="callback is not supported"):
        asl.cg(SPD, B, callback=print)
    with pytest.raises(ValueError, match="must be a 5×5 matrix, linear operator or function"):
        asl.bicgstab(np.ones((4, 4)), B)
    with pytest.raises(TypeError, match="ravel_pytree"):  # JAX takes pytrees; said what to do
        asl.cg(SPD, {"b": B})
    with pytest.raises(ValueError, match="solve per column"):
        asl.gmres(SPD, np.stack([B, B], axis=1))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("name", "a"), SOLVERS)
def test_operators_closing_over_parameters_match_jax(name: str, a: np.ndarray, mode: str) -> None:
    """A(θ) v = θ A v + θ² v: the derivative in θ goes through the closure, as JAX's."""

    def loss(m: Any, solvers: Any, theta: Any, b: Any, **tolerance: float) -> Any:
        x, _ = getattr(solvers, name)(lambda v: (a * theta) @ v + theta**2 * v, b, **tolerance)
        return m.sum(x**3)

    assert_close(
        ad.grad(lambda t, b: loss(anp, asl, t, b, rtol=1e-13), (0, 1), mode=mode)(1.3, B),
        jax.grad(lambda t, b: loss(JNP, jsl, t, b, tol=1e-13), (0, 1))(1.3, B),
    )
    assert_close(
        ad.hessian(lambda t: loss(anp, asl, t, B, rtol=1e-13))(1.3),
        jax.hessian(lambda t: loss(JNP, jsl, t, B, tol=1e-13))(1.3),
    )
