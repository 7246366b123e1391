"""Linear algebra against JAX (float64) where accuracy, dtypes and shapes are easy to get wrong:
triangular solves of ill-conditioned triangles (substitution, with and without SciPy), the
Fréchet derivative of expm in single precision, ``cho_solve`` of a stack of factors with one
vector, Jacobians with no directions, lists as matrices, and ``linalg.outer``."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.linalg as jsl
import numpy as np
import pytest
from conftest import RTOL_F32, assert_close, assert_gradients_match_jax

import admodes as ad
import admodes.numpy as anp
import admodes.scipy.linalg as asl
from admodes.rules import linalg as rules_linalg


def _ill_conditioned_lower(n: int = 20) -> np.ndarray:
    """A unit-scale lower triangle with 0.1 on its diagonal: condition number ~1e13, where an
    LU solve of it loses half the digits and substitution none."""
    rng = np.random.default_rng(1)
    return np.tril(rng.uniform(-1, 1, (n, n)), -1) + 0.1 * np.eye(n)


@pytest.fixture(params=["scipy", "numpy"])
def lapack(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Triangular solves by SciPy's trtrs, and by the NumPy substitution used without SciPy."""
    if request.param == "numpy":
        monkeypatch.setattr(rules_linalg, "scipy_linalg", lambda: None)
    return request.param


# ---------------------------------------------------------------------------- triangular solves
@pytest.mark.parametrize("trans", [0, 1, 2])
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("unit_diagonal", [False, True])
def test_solve_triangular_of_an_ill_conditioned_triangle_matches_jax(
    lapack: str, trans: int, lower: bool, unit_diagonal: bool
) -> None:
    low = _ill_conditioned_lower()
    a = low if lower else low.T
    b = np.ones((20, 2))
    got = asl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    want = jsl.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal)
    assert_close(got, np.asarray(want))


def test_solves_through_triangles_match_jax_on_an_ill_conditioned_triangle(lapack: str) -> None:
    low = _ill_conditioned_lower()
    b = np.ones(20)
    assert_close(
        asl.solve_triangular(low, b, lower=True),
        np.asarray(jsl.solve_triangular(low, b, lower=True)),
    )
    assert_close(asl.cho_solve((low, True), b), np.asarray(jsl.cho_solve((low, True), b)))
    packed = np.tril(low, -1) + np.triu(low.T)  # unit L = tril(low) + I − 0.1 I, U = lowᵀ
    pivots = np.arange(20, dtype=np.int32)
    assert_close(asl.lu_solve((packed, pivots), b), np.asarray(jsl.lu_solve((packed, pivots), b)))


@pytest.mark.parametrize(
    ("a_shape", "b_shape"),
    [((4, 4), (4, 3)), ((2, 4, 4), (2, 4, 3)), ((4, 4), (5, 2, 4, 3)), ((2, 1, 4, 4), (3, 4, 2)),
     ((30, 3, 3), (30, 3, 2)), ((4, 4), (4, 0)), ((0, 4, 4), (4, 1))],
)  # fmt: skip
def test_solve_triangular_broadcasts_as_jax(
    lapack: str, a_shape: tuple[int, ...], b_shape: tuple[int, ...]
) -> None:
    rng = np.random.default_rng(0)
    a = rng.standard_normal(a_shape) + 4 * np.eye(a_shape[-1])
    b = rng.standard_normal(b_shape)
    for trans in (0, 1):
        want = jsl.solve_triangular(a, b, trans=trans, lower=True)
        assert_close(asl.solve_triangular(a, b, trans=trans, lower=True), np.asarray(want))


def test_solve_triangular_keeps_single_precision(lapack: str) -> None:
    a = (np.eye(3) * 2 + np.tril(np.ones((3, 3)), -1)).astype(np.float32)
    b = np.ones((3, 2), np.float32)
    got = asl.solve_triangular(a, b, lower=True)
    assert_close(got, np.asarray(jsl.solve_triangular(a, b, lower=True)), rtol=RTOL_F32)


def test_solve_triangular_of_a_singular_triangle_raises(lapack: str) -> None:
    with pytest.raises(np.linalg.LinAlgError):
        asl.solve_triangular(np.array([[0.0, 0.0], [1.0, 1.0]]), np.ones(2), lower=True)


def test_solve_triangular_derivatives_match_jax_on_an_ill_conditioned_triangle(
    lapack: str,
) -> None:
    low = _ill_conditioned_lower()
    b = np.linspace(1.0, 2.0, 40).reshape(20, 2)
    pairs = [
        (
            lambda a, b, trans=trans: asl.solve_triangular(a, b, trans=trans, lower=True),
            lambda a, b, trans=trans: jsl.solve_triangular(a, b, trans=trans, lower=True),
        )
        for trans in (0, 1)
    ]
    assert_gradients_match_jax(pairs, (low, b))


# ---------------------------------------------------------------------------- expm, float32
@pytest.mark.parametrize("dtype", [np.float32, np.complex64])
def test_expm_derivatives_keep_single_precision(dtype: type) -> None:
    a = np.array([[0.1, 0.2, 0.0], [0.3, -0.1, 0.2], [0.0, 0.4, 0.2]])
    a = (a * (1 + 0.5j) if dtype == np.complex64 else a).astype(dtype)
    e = np.ones((3, 3), dtype)
    assert_close(
        ad.jvp(asl.expm, (a,), (e,)),
        tuple(map(np.asarray, jax.jvp(jsl.expm, (a,), (e,)))),
        rtol=RTOL_F32,
    )
    assert_close(
        asl.expm_frechet(a, e), tuple(map(np.asarray, jsl.expm_frechet(a, e))), rtol=RTOL_F32
    )
    if dtype == np.float32:
        want = np.asarray(jax.jacfwd(jsl.expm)(a))
        assert_close(ad.jacfwd(asl.expm)(a), want, rtol=RTOL_F32)
        assert_close(ad.jacrev(asl.expm)(a), want, rtol=RTOL_F32)
        for mode in ("forward", "reverse"):
            got = ad.grad(lambda x: anp.sum(asl.expm(x)), mode=mode)(a)
            assert_close(
                got, np.asarray(jax.grad(lambda x: jnp.sum(jsl.expm(x)))(a)), rtol=RTOL_F32
            )


# ---------------------------------------------------------------------------- cho_solve
def test_cho_solve_of_a_stack_of_factors_and_one_vector_matches_jax() -> None:
    s = np.stack([np.eye(3) * 2 + 0.5, np.eye(3) * 4 + 1.0])
    b = np.array([1.0, 2.0, 3.0])
    for lower in (False, True):
        got = asl.cho_solve(asl.cho_factor(s, lower=lower), b)
        assert_close(got, np.asarray(jsl.cho_solve(jsl.cho_factor(s, lower=lower), b)))
    pairs = [
        (
            lambda s, b: asl.cho_solve(asl.cho_factor(s), b),
            lambda s, b: jsl.cho_solve(jsl.cho_factor(s), b),
        )
    ]
    assert_gradients_match_jax(pairs, (s, b))


# ---------------------------------------------------------------------------- no directions
NO_DIRECTIONS: list[tuple[str, Callable[..., Any], Callable[..., Any], Callable[..., Any], Any]] = [
    ("jacrev expm[:0]", ad.jacrev, jax.jacrev, lambda m, f: lambda a: f.expm(a)[:0], np.eye(3)),
    ("jacfwd expm of none", ad.jacfwd, jax.jacfwd, lambda m, f: f.expm, np.zeros((0, 3, 3))),
    (
        "jacfwd eigvals of none",
        ad.jacfwd,
        jax.jacfwd,
        lambda m, f: lambda a: m.real(m.linalg.eigvals(a)),
        np.zeros((0, 3, 3)),
    ),
    (
        "jacrev lu_factor[:0]",
        ad.jacrev,
        jax.jacrev,
        lambda m, f: lambda a: f.lu_factor(a)[0][:0],
        np.eye(3) + 1,
    ),
]


@pytest.mark.parametrize(
    ("ours", "theirs", "body", "x"),
    [c[1:] for c in NO_DIRECTIONS],
    ids=[c[0] for c in NO_DIRECTIONS],
)
def test_jacobians_with_no_directions_are_empty_as_jax(
    ours: Callable[..., Any], theirs: Callable[..., Any], body: Callable[..., Any], x: Any
) -> None:
    got = ours(body(anp, asl))(x)
    assert_close(got, np.asarray(theirs(body(jnp, jsl))(x)))


@pytest.mark.parametrize("mode", ["forward", "reverse"])
def test_grad_over_no_entries_is_empty_as_jax(mode: str) -> None:
    x = np.zeros((0, 3, 3))
    got = ad.grad(lambda a: anp.sum(asl.expm(a)), mode=mode)(x)
    assert_close(got, np.asarray(jax.grad(lambda a: jnp.sum(jsl.expm(a)))(x)))


# ---------------------------------------------------------------------------- lists as matrices
S = [[4.0, 1.0], [1.0, 3.0]]
T = [[2.0, 0.0], [1.0, 3.0]]
V = [1.0, 2.0]

#: f(m, sl, s, t, v): admodes' namespaces take the lists S, T and V as NumPy does; JAX's, which
#: take arrays, get them as arrays.
LISTS: dict[str, Callable[..., Any]] = {
    "inv": lambda m, sl, s, t, v: m.linalg.inv(s),
    "det": lambda m, sl, s, t, v: m.linalg.det(s),
    "slogdet": lambda m, sl, s, t, v: tuple(m.linalg.slogdet(s)),
    "solve": lambda m, sl, s, t, v: m.linalg.solve(s, v),
    "lstsq": lambda m, sl, s, t, v: m.linalg.lstsq(s, v)[0],
    "cholesky": lambda m, sl, s, t, v: m.linalg.cholesky(s),
    "eigvalsh": lambda m, sl, s, t, v: m.linalg.eigvalsh(s),
    "svd values": lambda m, sl, s, t, v: m.linalg.svd(s, compute_uv=False),
    "pinv": lambda m, sl, s, t, v: m.linalg.pinv(s),
    "norm 2": lambda m, sl, s, t, v: m.linalg.norm(s, 2),
    "cond": lambda m, sl, s, t, v: m.linalg.cond(s),
    "matrix_norm": lambda m, sl, s, t, v: m.linalg.matrix_norm(s),
    "vector_norm": lambda m, sl, s, t, v: m.linalg.vector_norm(v),
    "trace": lambda m, sl, s, t, v: m.linalg.trace(s),
    "outer": lambda m, sl, s, t, v: m.linalg.outer(v, v),
    "tensorsolve": lambda m, sl, s, t, v: m.linalg.tensorsolve(s, v),
    "multi_dot": lambda m, sl, s, t, v: m.linalg.multi_dot([s, t, v]),
    "solve_triangular": lambda m, sl, s, t, v: sl.solve_triangular(t, v, lower=True),
    "cho_solve": lambda m, sl, s, t, v: sl.cho_solve(sl.cho_factor(s), v),
    "lu_solve": lambda m, sl, s, t, v: sl.lu_solve(sl.lu_factor(s), v),
    "lu_factor": lambda m, sl, s, t, v: sl.lu_factor(s)[0],
    "expm_frechet": lambda m, sl, s, t, v: sl.expm_frechet(s, t)[1],
    "solve_sylvester": lambda m, sl, s, t, v: sl.solve_sylvester(s, t, s),
}


@pytest.mark.parametrize("body", LISTS.values(), ids=LISTS.keys())
def test_lists_are_matrices_as_in_numpy(body: Callable[..., Any]) -> None:
    want = body(jnp, jsl, *map(np.asarray, (S, T, V)))
    assert_close(body(anp, asl, S, T, V), jax.tree_util.tree_map(np.asarray, want))


# ---------------------------------------------------------------------------- linalg.outer
def test_linalg_outer_takes_vectors_only_as_jax() -> None:
    with pytest.raises(ValueError, match="one-dimensional"):
        jnp.linalg.outer(np.ones((2, 2)), np.ones(3))
    with pytest.raises(ValueError, match="one-dimensional"):
        anp.linalg.outer(np.ones((2, 2)), np.ones(3))
    x, y = np.array([1.0, 2.0]), np.array([3.0, 4.0, 5.0])
    assert_close(anp.linalg.outer(x, y), np.asarray(jnp.linalg.outer(x, y)))
