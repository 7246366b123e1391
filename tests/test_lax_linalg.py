"""``admodes.lax.linalg`` against ``jax.lax.linalg`` (float64): values, derivatives by both modes
where JAX has them, finite differences where admodes differentiates and JAX does not, vmap, and
the errors for what cannot be done."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from cases.linalg import dominant, flat, separated, spd, spread
from conftest import (
    FD_EPS,
    MODES,
    assert_close,
    assert_fd_close,
    assert_gradients_match_jax,
    assert_maps_like_a_loop,
)
from jax.lax import linalg as jax_linalg

import admodes as ad
import admodes.numpy as anp
from admodes.lax import linalg

LIBRARIES = ((linalg, anp), (jax_linalg, jnp))


def _pair(fn: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``fn(L, m, *xs)`` with admodes' lax.linalg and numpy, and with JAX's."""
    return partial(fn, linalg, anp), partial(fn, jax_linalg, jnp)


def _real_parts(m: Any, *xs: Any) -> Any:
    """Results as one real vector (complex ones as real and imaginary parts)."""
    parts = [p for x in xs for p in ((m.real(x), m.imag(x)) if m.iscomplexobj(x) else (x,))]
    return flat(m, *parts)


def _rand(rng: np.random.Generator, *shape: int, complex_: bool = False) -> np.ndarray:
    x = rng.standard_normal(shape)
    return x + 1j * rng.standard_normal(shape) if complex_ else x


def _hermitian_pd(rng: np.random.Generator, *shape: int) -> np.ndarray:
    x = _rand(rng, *shape, complex_=True)
    return x @ np.conj(np.swapaxes(x, -1, -2)) + shape[-1] * np.eye(shape[-1])


def _tridiagonal_system(rng: np.random.Generator, batch: tuple, m: int, n: int) -> tuple:
    """A diagonally dominant tridiagonal system: (dl, d, du, b), dl[0] = du[m − 1] = 0."""
    dl, du = rng.standard_normal((*batch, m)), rng.standard_normal((*batch, m))
    dl[..., 0] = du[..., -1] = 0.0
    d = 4.0 + rng.random((*batch, m))
    return dl, d, du, rng.standard_normal((*batch, m, n))


# ---------------------------------------------------------------------------- values
def test_decompositions_equal_jaxs(rng: np.random.Generator) -> None:
    square, tall = rng.standard_normal((2, 4, 4)), rng.standard_normal((2, 5, 3))
    a_spd, a_herm = spd(square), _hermitian_pd(rng, 2, 3, 3)
    cases = [
        ("cholesky", (a_spd,), {}),
        ("cholesky", (a_herm,), {}),
        ("cholesky", (square + 9 * np.eye(4),), {"symmetrize_input": False}),
        *[("eigh", (x,), {"lower": lower, "symmetrize_input": sym})
          for x in (square, a_herm) for lower in (True, False) for sym in (True, False)],
        ("lu", (tall,), {}),
        ("lu", (np.swapaxes(tall, -1, -2),), {}),
        *[("qr", (x,), {"full_matrices": full, "pivoting": piv})
          for x in (tall, np.swapaxes(tall, -1, -2), a_herm)
          for full in (True, False) for piv in (True, False)],
        ("svd", (tall,), {}),
        ("svd", (tall,), {"full_matrices": False}),
        ("svd", (a_herm,), {"compute_uv": False}),
        ("eig", (square,), {}),
        ("eig", (square,), {"compute_left_eigenvectors": False}),
        ("eig", (square,), {"compute_right_eigenvectors": False}),
        ("eig", (a_herm,), {"compute_left_eigenvectors": False,
                            "compute_right_eigenvectors": False}),
        ("schur", (square,), {}),
        ("schur", (a_herm,), {"compute_schur_vectors": False}),
        ("hessenberg", (square,), {}),
        ("hessenberg", (a_herm,), {}),
        ("tridiagonal", (a_spd,), {}),
        ("tridiagonal", (a_herm,), {"lower": False}),
    ]  # fmt: skip
    for name, args, kwargs in cases:
        got = getattr(linalg, name)(*args, **kwargs)
        want = getattr(jax_linalg, name)(*args, **kwargs)
        if isinstance(want, list | tuple):
            assert type(got) is type(want)  # JAX's list or tuple
            want = type(want)(np.asarray(w) for w in want)
        assert_close(got, want)


def test_subsets_are_slices_of_the_whole_decomposition(rng: np.random.Generator) -> None:
    """JAX's eigh and svd on a CPU have no subset_by_index: their whole decompositions,
    sliced."""
    a = separated(rng.standard_normal((2, 5, 5)))
    v, w = jax_linalg.eigh(a)
    got = linalg.eigh(a, subset_by_index=(1, 3))
    assert_close(got, (np.asarray(v[..., 1:3]), np.asarray(w[..., 1:3])))
    x = spread(rng.standard_normal((2, 5, 4)))
    u, s, vh = jax_linalg.svd(x, full_matrices=False)
    got = linalg.svd(x, full_matrices=False, subset_by_index=(1, 3))
    assert_close(
        got, (np.asarray(u[..., 1:3]), np.asarray(s[..., 1:3]), np.asarray(vh[..., 1:3, :]))
    )
    assert_close(linalg.svd(x, compute_uv=False, subset_by_index=(0, 2)), np.asarray(s[..., :2]))


@pytest.mark.parametrize("left_side", [True, False])
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("transpose_a", [True, False])
@pytest.mark.parametrize("conjugate_a", [True, False])
def test_triangular_solve_equals_jaxs(
    rng: np.random.Generator, left_side: bool, lower: bool, transpose_a: bool, conjugate_a: bool
) -> None:
    a = dominant(_rand(rng, 2, 4, 4, complex_=True))
    b = _rand(rng, 2, *((4, 3) if left_side else (3, 4)), complex_=True)
    flags = {"left_side": left_side, "lower": lower, "transpose_a": transpose_a,
             "conjugate_a": conjugate_a}  # fmt: skip
    for unit_diagonal in (True, False):
        got = linalg.triangular_solve(a, b, unit_diagonal=unit_diagonal, **flags)
        assert_close(
            got, np.asarray(jax_linalg.triangular_solve(a, b, **flags, unit_diagonal=unit_diagonal))
        )
    # the derivatives, in both arguments (real)
    a, b = a.real, b.real
    pair = _pair(lambda L, m, a, b: L.triangular_solve(a, b, **flags))
    assert_gradients_match_jax([pair], (a, b))


def test_tridiagonal_solve_equals_jaxs(rng: np.random.Generator) -> None:
    dl, d, du, b = _tridiagonal_system(rng, (2,), 6, 3)
    assert_close(linalg.tridiagonal_solve(dl, d, du, b),
                 np.asarray(jax_linalg.tridiagonal_solve(dl, d, du, b)))  # fmt: skip
    # complex systems, and the sizes where a sweep has one or two rows
    for m in (1, 2, 5):
        dl, d, du, b = _tridiagonal_system(rng, (), m, 2)
        dl, du, b = dl * (1 + 0.5j), du * (1 - 0.25j), b + 1j * b[::-1]
        assert_close(linalg.tridiagonal_solve(dl, d, du, b),
                     np.asarray(jax_linalg.tridiagonal_solve(dl, d + 0j, du, b)))  # fmt: skip


def test_householder_products_equal_jaxs(rng: np.random.Generator) -> None:
    """On the reflectors of admodes' qr(mode="raw"), which equal JAX's."""
    for complex_ in (False, True):
        x = _rand(rng, 2, 5, 3, complex_=complex_)
        h, taus = anp.linalg.qr(x, mode="raw")
        assert_close((h, taus), tuple(np.asarray(r) for r in jnp.linalg.qr(x, mode="raw")))
        h = np.swapaxes(h, -1, -2)  # LAPACK's column-major reflectors, as JAX's example
        assert_close(linalg.householder_product(h, taus),
                     np.asarray(jax_linalg.householder_product(h, taus)))  # fmt: skip
        for left in (True, False):
            c = _rand(rng, 2, *((5, 4) if left else (4, 5)), complex_=complex_)
            for transpose in (True, False):
                got = linalg.ormqr(h, taus, c, left=left, transpose=transpose)
                want = jax_linalg.ormqr(h, taus, c, left=left, transpose=transpose)
                assert_close(got, np.asarray(want))


def test_updates_and_products_equal_jaxs(rng: np.random.Generator) -> None:
    r = np.linalg.cholesky(spd(rng.standard_normal((4, 4)))).T
    w = rng.standard_normal(4)
    assert_close(linalg.cholesky_update(r, w), np.asarray(jax_linalg.cholesky_update(r, w)))
    a, c = rng.standard_normal((2, 4, 3)), spd(rng.standard_normal((2, 4, 4)))
    for symmetrize_output in (True, False):
        kw = {"alpha": 0.5, "beta": -2.0, "symmetrize_output": symmetrize_output}
        assert_close(linalg.symmetric_product(a, c, **kw),
                     np.asarray(jax_linalg.symmetric_product(a, c, **kw)))  # fmt: skip


def test_lu_pivots_to_permutation_equals_jaxs() -> None:
    pivots = np.array([[2, 2, 3], [1, 1, 2]], np.int32)
    got = linalg.lu_pivots_to_permutation(pivots, 5)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, jax_linalg.lu_pivots_to_permutation(pivots, 5))


# ---------------------------------------------------------------------------- derivatives
def test_decomposition_derivatives_match_jax(rng: np.random.Generator) -> None:
    """Each decomposition's factors, weighted and summed, differentiated by both modes. eigh
    without symmetrize_input is differentiated at a symmetric matrix: elsewhere JAX's derivative
    decomposes (x + xᵀ)/2, not the triangle its value reads (the tangent, here not symmetric, is
    taken whole by both)."""
    square = rng.standard_normal((2, 4, 4))
    a_spd, a_sep = spd(square), separated(square)
    tall = spread(rng.standard_normal((2, 5, 3)))
    cases = [
        (lambda L, m, x: L.cholesky(x), a_spd),
        (lambda L, m, x: L.cholesky(x, symmetrize_input=False), a_spd),
        *[(lambda L, m, x, lo=lower, s=sym: flat(m, *L.eigh(x, lower=lo, symmetrize_input=s)),
           a_sep + 0.1 * square * sym)
          for lower in (True, False) for sym in (True, False)],
        (lambda L, m, x: L.lu(x)[0], tall),
        (lambda L, m, x: L.lu(x)[0], np.swapaxes(tall, -1, -2)),
        (lambda L, m, x: flat(m, *L.qr(x, full_matrices=False)), tall),
        (lambda L, m, x: flat(m, *L.qr(x)), square),
        (lambda L, m, x: flat(m, *L.qr(x, pivoting=True)[:2]), square[0]),  # JAX: one matrix
        (lambda L, m, x: flat(m, *L.svd(x, full_matrices=False)), tall),
        (lambda L, m, x: L.svd(x, compute_uv=False), tall),
        (lambda L, m, x: _real_parts(m, *L.eig(x, compute_left_eigenvectors=False,
                                               compute_right_eigenvectors=False)), a_sep),
    ]  # fmt: skip
    for fn, x in cases:
        assert_gradients_match_jax([_pair(fn)], (x,))


def test_eigh_subset_derivatives_are_those_of_the_whole(rng: np.random.Generator) -> None:
    """JAX refuses the derivative of a partial eigh; its whole eigh's, sliced, is the same."""
    x = separated(rng.standard_normal((3, 5, 5)))
    ours = lambda x: flat(anp, *linalg.eigh(x, subset_by_index=(1, 4)))
    whole = lambda x: flat(jnp, *(p[..., 1:4] for p in jax_linalg.eigh(x)))
    assert_gradients_match_jax([(ours, whole)], (x,))


def test_tridiagonal_solve_derivatives_match_jax(rng: np.random.Generator) -> None:
    """In all four arguments, both modes, and the Hessian (forward over reverse)."""
    args = _tridiagonal_system(rng, (2,), 5, 3)
    assert_gradients_match_jax([_pair(lambda L, m, *a: L.tridiagonal_solve(*a))], args)
    single = _tridiagonal_system(rng, (), 4, 1)

    def loss(lib: Any, m: Any, d: Any) -> Any:
        dl, _, du, b = single
        return m.sum(lib.tridiagonal_solve(dl, d, du, b) ** 2)

    d = single[1]
    assert_close(ad.hessian(partial(loss, linalg, anp))(d),
                 np.asarray(jax.hessian(partial(loss, jax_linalg, jnp))(d)))  # fmt: skip


def test_updates_and_products_derivatives_match_jax(rng: np.random.Generator) -> None:
    """JAX's cholesky_update and symmetric_product have no derivatives: those of their
    definitions (the factor of RᵀR + w wᵀ; the lower triangle of α A Aᵀ + β C, mirrored) in JAX
    instead."""
    r = np.linalg.cholesky(spd(rng.standard_normal((4, 4)))).T
    w = rng.standard_normal(4)
    ours = lambda r, w: linalg.cholesky_update(r, w)
    defined = lambda r, w: jnp.linalg.cholesky(r.T @ r + jnp.outer(w, w)).T
    assert_gradients_match_jax([(ours, defined)], (r, w))
    a, c = rng.standard_normal((2, 4, 3)), spd(rng.standard_normal((2, 4, 4)))
    product = lambda a, c: linalg.symmetric_product(
        a, c, alpha=0.5, beta=-2.0, symmetrize_output=True
    )
    lower = lambda a, c: jnp.tril(0.5 * a @ jnp.swapaxes(a, -1, -2) - 2.0 * c)
    defined = lambda a, c: lower(a, c) + jnp.swapaxes(jnp.tril(lower(a, c), -1), -1, -2)
    assert_gradients_match_jax([(product, defined)], (a, c))


def test_householder_derivatives_are_finite_differences(rng: np.random.Generator) -> None:
    """JAX cannot differentiate householder_product or ormqr: directional derivatives by both
    modes against central differences, in the reflectors, the scales and c."""
    x = rng.standard_normal((5, 3))
    h, taus = np.linalg.qr(x, mode="raw")
    h = h.T
    c = rng.standard_normal((5, 2))
    fns = [
        lambda h, t, c: linalg.householder_product(h, t),
        lambda h, t, c: linalg.ormqr(h, t, c),
        lambda h, t, c: linalg.ormqr(h, t, c.T, left=False, transpose=True),
    ]
    args = (h, taus, c)
    directions = tuple(rng.standard_normal(np.shape(a)) for a in args)

    def moved(step: float) -> tuple:
        return tuple(a + step * v for a, v in zip(args, directions, strict=True))

    for fn in fns:
        fd = (fn(*moved(FD_EPS)) - fn(*moved(-FD_EPS))) / (2 * FD_EPS)
        _, tangent = ad.jvp(fn, args, directions)
        assert_fd_close(tangent, fd)
        weights = rng.standard_normal(np.shape(fd))
        for mode in MODES:
            loss = lambda *a, f=fn, w=weights: anp.sum(f(*a) * w)
            grads = ad.grad(loss, (0, 1, 2), mode=mode)(*args)
            along = sum(np.sum(g * v) for g, v in zip(grads, directions, strict=True))
            assert_fd_close(along, np.sum(fd * weights))


@pytest.mark.parametrize(
    ("shape", "complex_", "options"),
    [((5, 3), False, {}), ((4, 4), False, {}), ((6, 4), True, {}),
     ((4, 4), True, {"max_iterations": 3}), ((5, 3), False, {"eps": 1e-6})],
)  # fmt: skip
def test_qdwh_equals_jaxs(
    rng: np.random.Generator, shape: tuple, complex_: bool, options: dict
) -> None:
    """The polar factors, the step count and the convergence flag; and the derivative through
    the steps by both modes against JAX's (forward mode only: its while-loop)."""
    x = _rand(rng, *shape, complex_=complex_)
    u, h, num_iters, converged = linalg.qdwh(x, **options)
    ju, jh, j_iters, j_converged = jax_linalg.qdwh(x, **options)
    assert_close((u, h), (np.asarray(ju), np.asarray(jh)))
    assert (num_iters, converged) == (int(j_iters), bool(j_converged))
    if complex_:
        return
    weights = rng.standard_normal(shape)
    want = jax.jacfwd(lambda x: jnp.sum(jax_linalg.qdwh(x, **options)[0] * weights))(x)
    for mode in MODES:
        got = ad.grad(lambda x: anp.sum(linalg.qdwh(x, **options)[0] * weights), mode=mode)(x)
        assert_close(got, np.asarray(want))


# ---------------------------------------------------------------------------- vmap
def test_vmap_runs_once_on_the_batch(rng: np.random.Generator) -> None:
    dl, d, du, b = _tridiagonal_system(rng, (3,), 5, 2)
    assert_maps_like_a_loop(linalg.tridiagonal_solve, (0, 0, 0, 0), (dl, d, du, b), anp.sum)
    assert_maps_like_a_loop(lambda d, b: linalg.tridiagonal_solve(dl[0], d, du[0], b),
                            (0, 0), (d, b), anp.sum)  # fmt: skip
    a, rhs = dominant(rng.standard_normal((3, 4, 4))), rng.standard_normal((3, 2, 4))
    assert_maps_like_a_loop(lambda a, b: linalg.triangular_solve(a, b, lower=True),
                            (0, 0), (a, rhs), anp.sum)  # fmt: skip
    h = rng.standard_normal((3, 5, 3))
    taus = rng.standard_normal((3, 3))
    assert_maps_like_a_loop(linalg.householder_product, (0, 0), (h, taus), anp.sum)


def test_vmap_of_the_reductions_gives_each_indexs(rng: np.random.Generator) -> None:
    x = rng.standard_normal((3, 4, 4))
    for fn in (linalg.schur, linalg.hessenberg, lambda a: linalg.eig(a)[0]):
        assert_close(ad.vmap(fn)(x), fn(x))


# ---------------------------------------------------------------------------- errors
def test_what_cannot_be_done_is_refused(rng: np.random.Generator) -> None:
    x = rng.standard_normal((4, 4))
    dl, d, du, b = _tridiagonal_system(rng, (), 4, 1)
    with pytest.raises(NotImplementedError, match="compute_left_eigenvectors=False"):
        ad.grad(lambda a: anp.sum(anp.real(linalg.eig(a)[0])))(x)
    for name in ("schur", "hessenberg", "tridiagonal"):
        with pytest.raises(TypeError, match="nor in JAX"):
            ad.grad(lambda a, n=name: anp.sum(getattr(linalg, n)(a)[0]))(x)
    with pytest.raises(NotImplementedError, match="perturb_singular"):
        linalg.tridiagonal_solve(dl, d, du, b, perturb_singular=True)
    with pytest.raises(ValueError, match="same leading axes"):
        linalg.tridiagonal_solve(dl, d, du, b[:3])
    with pytest.raises(np.linalg.LinAlgError, match="singular"):
        linalg.tridiagonal_solve(dl * 0, d * 0, du * 0, b)
    with pytest.raises(np.linalg.LinAlgError, match="singular"):  # 1×1, which gtsv does not take
        linalg.tridiagonal_solve(np.zeros(1), np.zeros(1), np.zeros(1), np.ones((1, 2)))
    with pytest.raises(ValueError, match="subset_by_index"):
        linalg.eigh(x, subset_by_index=(2, 9))
    with pytest.raises(ValueError, match="permutation_size"):
        linalg.lu_pivots_to_permutation(np.array([0, 1, 2], np.int32), 2)
    with pytest.raises(ValueError, match="needs 5 rows"):
        linalg.ormqr(rng.standard_normal((5, 3)), np.ones(3), x)
    with pytest.raises(ValueError, match="m ≥ n"):
        linalg.qdwh(np.ones((2, 3)))
    with pytest.raises(NotImplementedError, match="unpadded"):
        linalg.qdwh(x, dynamic_shape=(3, 3))
    with pytest.raises(NotImplementedError, match="drop algorithm"):
        linalg.svd(x, algorithm="jacobi")
    with pytest.raises(NotImplementedError, match="mode='reduced'"):
        ad.grad(lambda a: anp.sum(anp.linalg.qr(a, mode="raw")[0]))(x)


def test_lax_linalg_is_reached_from_lax() -> None:
    assert ad.lax.linalg is linalg
    assert "linalg" in dir(ad.lax)
