"""The rest of ``jax.scipy.linalg`` in ``admodes.scipy.linalg``: the special-matrix constructors,
``solve_sylvester``, ``sqrtm``, ``polar``, ``expm_frechet``, ``qr_multiply``, ``schur``,
``rsf2csf``, ``hessenberg``, ``eigh_tridiagonal`` and ``funm``. Values against SciPy and JAX,
derivatives by both modes against JAX's (float64), and the clear errors where JAX has no
derivative."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np
import pytest
import scipy.linalg
from cases.special import shifted, sylvester_by_kronecker
from conftest import assert_close, assert_gradients_match_jax, assert_takes_jaxs_parameters

import admodes as ad
import admodes.numpy as anp
from admodes.scipy import linalg


def _on(i: int, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` of the i-th argument alone, so one compiled JAX program serves several cases."""
    return lambda *xs: fn(xs[i])


def _flat(m: Any, fn: Callable[..., Any]) -> Callable[..., Any]:
    """Each result of ``fn`` (a tuple of arrays, complex ones as their real and imaginary
    parts) as one real vector."""

    def flat(*xs: Any) -> Any:
        out = fn(*xs)
        parts = out if isinstance(out, tuple) else (out,)
        parts = [p for x in parts for p in ((m.real(x), m.imag(x)) if m.iscomplexobj(x) else (x,))]
        return m.concatenate([m.ravel(x) for x in parts])

    return flat


def _match_jax(cases: list[tuple[Callable[..., Any], Callable[..., Any], Any]], **kw: Any) -> None:
    """(admodes f, JAX f, input) triples: values and gradients by both modes equal JAX's, in one
    compiled JAX program (``per_mode=False``: both against ``jax.grad``, where no nan or inf
    makes JAX's two modes differ)."""
    pairs = [(_on(i, _flat(anp, f)), _on(i, _flat(jnp, g))) for i, (f, g, _) in enumerate(cases)]
    assert_gradients_match_jax(pairs, tuple(x for _, _, x in cases), **kw)


# ---------------------------------------------------------------------------- special matrices
def _pair(name: str, *args: Any, **kwargs: Any) -> tuple[Callable[..., Any], ...]:
    """``name`` of admodes, SciPy and JAX with the arguments after the first fixed."""
    return tuple(
        lambda x, m=m: getattr(m, name)(x, *args, **kwargs)
        for m in (linalg, scipy.linalg, jsp.linalg)
    )


V5 = np.array([0.7, -1.3, 2.1, 0.4, -0.9])
CONSTRUCTORS = {
    "toeplitz": (_pair("toeplitz"), V5),
    "toeplitz-r": (_pair("toeplitz", np.array([9.0, 1.5, -2.5])), V5),
    "toeplitz-stack": (_pair("toeplitz"), V5.reshape(1, 5) * np.array([[1.0], [-2.0]])),
    "hankel": (_pair("hankel"), V5),
    "hankel-r": (_pair("hankel", np.array([9.0, 1.5, -2.5])), V5),
    "circulant": (_pair("circulant"), V5),
    "circulant-stack": (_pair("circulant"), np.stack([V5, V5[::-1]])),
    "companion": (_pair("companion"), V5),
    "companion-stack": (_pair("companion"), np.stack([V5, V5 + 3.0])),
    "fiedler": (_pair("fiedler"), V5),
    **{f"fiedler_companion-{n}": (_pair("fiedler_companion"), V5[:n]) for n in (2, 3, 4, 5)},
    "leslie": (_pair("leslie", np.array([0.2, 0.8, 0.7, 0.5])), V5),
    **{f"convolution_matrix-{mode}-{n}": (_pair("convolution_matrix", n, mode), V5[:3])
       for mode in ("full", "same", "valid") for n in (2, 4)},
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(CONSTRUCTORS))
def test_constructors_are_scipys(name: str) -> None:
    (ours, scipys, _), x = CONSTRUCTORS[name]
    assert_close(ours(x), scipys(x), rtol=0.0)


def test_constructors_match_jax() -> None:
    """Values and gradients by both modes (each entry a gather of the input's entries)."""
    _match_jax([(ours, jaxs, x) for (ours, _, jaxs), x in CONSTRUCTORS.values()], per_mode=False)


def test_leslie_gradient_in_the_survival_rates() -> None:
    s = np.array([0.2, 0.8, 0.7, 0.5])
    _match_jax([(lambda s: linalg.leslie(V5, s), lambda s: jsp.linalg.leslie(V5, s), s)])


def test_constructors_keep_integers_and_complex_as_scipy() -> None:
    ints = np.array([1, 4, 2])
    for name in ("toeplitz", "hankel", "circulant", "fiedler"):
        ours, theirs = getattr(linalg, name)(ints), getattr(scipy.linalg, name)(ints)
        assert ours.dtype == theirs.dtype and np.array_equal(ours, theirs)
    c = np.array([1 + 2j, 2.0 - 1j, 0.5j])
    assert_close(linalg.toeplitz(c), scipy.linalg.toeplitz(c), rtol=0.0)  # r = conj(c)


def test_hankel_of_stacks_is_jaxs() -> None:
    """A stack of first columns gives a stack of matrices (JAX's, and SciPy's from 1.19)."""
    c = np.stack([V5, 2 * V5])
    assert_close(linalg.hankel(c, V5[:3]), np.asarray(jsp.linalg.hankel(c, V5[:3])))


SIZED = [("dft", 5), ("hadamard", 8), ("helmert", 5), ("hilbert", 4), ("invhilbert", 4)]


@pytest.mark.parametrize(("name", "n"), SIZED)
def test_matrices_of_a_size_are_scipys_and_jaxs(name: str, n: int) -> None:
    ours = getattr(linalg, name)(n)
    assert_close(ours, getattr(scipy.linalg, name)(n), rtol=0.0)
    assert_close(ours, np.asarray(getattr(jsp.linalg, name)(n)).astype(ours.dtype), rtol=1e-13)


@pytest.mark.parametrize("name", ["pascal", "invpascal"])
@pytest.mark.parametrize("kind", ["symmetric", "lower", "upper"])
def test_pascal_matrices_are_scipys_exact_integers(name: str, kind: str) -> None:
    """SciPy's exact binomials (JAX's, from float32 log-gammas, agree to rounding)."""
    ours = getattr(linalg, name)(5, kind=kind)
    assert_close(ours, getattr(scipy.linalg, name)(5, kind=kind), rtol=0.0)
    np.testing.assert_allclose(ours, getattr(jsp.linalg, name)(5, kind=kind), rtol=1e-5)


CONSTRUCTOR_ERRORS = [
    (lambda: linalg.companion(np.array([0.0, 1.0, 2.0])), ValueError, "leading coefficient"),
    (lambda: linalg.companion(np.array([1.0])), ValueError, "at least 2 coefficients"),
    (lambda: linalg.fiedler_companion(np.array([0.0, 1.0])), ValueError, "leading"),
    (lambda: linalg.leslie(V5, V5), ValueError, "s length n − 1"),
    (lambda: linalg.hankel(3.0), ValueError, "at least 1-dimensional"),
    (lambda: linalg.convolution_matrix(V5, 0), ValueError, "positive integer"),
    (lambda: linalg.convolution_matrix(V5, 2, mode="circular"), ValueError, "mode must be"),
    (lambda: linalg.convolution_matrix(np.ones(0), 2), ValueError, "must not be empty"),
]


@pytest.mark.parametrize(("call", "error", "match"), CONSTRUCTOR_ERRORS)
def test_constructors_refuse_bad_input(call: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_companion_checks_a_traced_leading_coefficient() -> None:
    with pytest.raises(ValueError, match="leading coefficient"):
        ad.grad(lambda a: anp.sum(linalg.companion(a)))(np.array([0.0, 1.0, 2.0]))


# ---------------------------------------------------------------------------- Sylvester
def _sylvester_inputs(rng: np.random.Generator) -> tuple[np.ndarray, ...]:
    """A 3×3 a and 2×2 b whose eigenvalues are far from each other's negatives, and a 3×2 q."""
    return (
        shifted(2.0)(rng.standard_normal((3, 3))),
        shifted(1.0)(rng.standard_normal((2, 2))),
        rng.standard_normal((3, 2)),
    )


def test_solve_sylvester_values(rng: np.random.Generator) -> None:
    a, b, q = _sylvester_inputs(rng)
    x = linalg.solve_sylvester(a, b, q)
    assert_close(x, scipy.linalg.solve_sylvester(a, b, q))
    assert_close(x, np.asarray(jsp.linalg.solve_sylvester(a, b, q)))
    assert_close(a @ x + x @ b, q, rtol=1e-13)
    stack = np.stack([q, 2 * q])  # stacks broadcast
    assert_close(linalg.solve_sylvester(a, b, stack), np.stack([x, 2 * x]), rtol=1e-13)
    z = q + 1j * rng.standard_normal(q.shape)  # complex, as SciPy
    assert_close(linalg.solve_sylvester(a, b, z), scipy.linalg.solve_sylvester(a, b, z))


def test_solve_sylvester_derivatives_match_jax(rng: np.random.Generator) -> None:
    """Both modes in a, b and q, against JAX's Kronecker-form solve (its own solve_sylvester
    differentiates q only, and in q it agrees)."""
    a, b, q = _sylvester_inputs(rng)
    pairs = [(linalg.solve_sylvester, sylvester_by_kronecker)]
    assert_gradients_match_jax(pairs, (a, b, q))
    pairs = [(lambda q: linalg.solve_sylvester(a, b, q),
              lambda q: jsp.linalg.solve_sylvester(a, b, q))]  # fmt: skip
    assert_gradients_match_jax(pairs, (q,))


def test_solve_sylvester_complex_jvp_and_vjp_match_jax(rng: np.random.Generator) -> None:
    """Complex matrices: the rules are transposes (no conjugation), as JAX's."""
    a, b, q = (
        x + 1j * y for x, y in zip(_sylvester_inputs(rng), _sylvester_inputs(rng), strict=True)
    )
    tangents = (a.T * (1 - 2j), b.T, q[::-1])  # not along (a, b, q): x is constant there
    cotangent = q[::-1] * 1j

    def reference(a: Any, b: Any, q: Any) -> Any:
        out, jt = jax.jvp(sylvester_by_kronecker, (a, b, q), tangents)
        return out, jt, jax.vjp(sylvester_by_kronecker, a, b, q)[1](cotangent)

    out, jt, jtv = jax.tree_util.tree_map(np.asarray, jax.jit(reference)(a, b, q))
    assert_close(ad.jvp(linalg.solve_sylvester, (a, b, q), tangents), (out, jt))
    assert_close(ad.vjp(linalg.solve_sylvester, a, b, q)[1](cotangent), jtv)


def test_solve_sylvester_jacobians_of_stacks_match_jax(rng: np.random.Generator) -> None:
    """Batched directions (jacfwd, jacrev) through a broadcast stack of right-hand sides."""
    a, b, q = _sylvester_inputs(rng)
    stack = np.stack([q, q[::-1]])
    expected = jax.jit(jax.jacfwd(jax.vmap(sylvester_by_kronecker, (None, None, 0)), (0, 1, 2)))(
        a, b, stack
    )
    expected = tuple(np.asarray(x) for x in expected)
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(transform(linalg.solve_sylvester, (0, 1, 2))(a, b, stack), expected)


def test_solve_sylvester_hessian_matches_jax(rng: np.random.Generator) -> None:
    """Second order: the rules are Sylvester solves, differentiated again."""
    a, b, q = _sylvester_inputs(rng)

    def f(m: Any, solve: Callable[..., Any], a: Any, b: Any, q: Any) -> Any:
        return m.sum(m.sin(solve(a, b, q)))

    expected = jax.jit(jax.hessian(partial(f, jnp, sylvester_by_kronecker), (0, 1, 2)))(a, b, q)
    got = ad.hessian(partial(f, anp, linalg.solve_sylvester), (0, 1, 2))(a, b, q)
    assert_close(got, jax.tree_util.tree_map(np.asarray, expected))


def test_solve_sylvester_refuses_a_singular_equation() -> None:
    """a and −b share the eigenvalue 1: no unique solution (SciPy returns about 4.5e15)."""
    with pytest.raises(np.linalg.LinAlgError, match=r"common .*eigenvalue"):
        linalg.solve_sylvester(np.eye(2), -np.eye(2), np.ones((2, 2)))
    with pytest.raises(ValueError, match=r"q \(\.\.\., m, n\)"):
        linalg.solve_sylvester(np.eye(2), np.eye(3), np.ones((2, 2)))


# ---------------------------------------------------------------------------- sqrtm, polar, ...
def test_sqrtm_values_are_scipys(rng: np.random.Generator) -> None:
    """Real for a positive definite matrix, complex for one with negative eigenvalues (JAX's is
    always complex)."""
    x = rng.standard_normal((3, 3))
    for a in (x @ x.T + np.eye(3), x):
        root = linalg.sqrtm(a)
        assert_close(root, scipy.linalg.sqrtm(a), rtol=0.0)
        assert_close(root.astype(complex), np.asarray(jsp.linalg.sqrtm(a)), rtol=1e-12)
    assert linalg.sqrtm(x @ x.T).dtype == np.float64 and linalg.sqrtm(-np.eye(2)).dtype == complex
    with pytest.warns(DeprecationWarning):  # SciPy's disp; admodes' keeps it, quietly
        expected = scipy.linalg.sqrtm(x, disp=False)
    assert_close(linalg.sqrtm(x, disp=False), expected, rtol=1e-12)


def test_polar_matches_scipy_and_jax(rng: np.random.Generator) -> None:
    """u p and p u, tall, wide and square; gradients as JAX's method='svd' (JAX's 'qdwh' has no
    reverse mode)."""
    cases = []
    for side in ("right", "left"):
        for s in ((4, 3), (3, 4), (3, 3)):
            a = rng.standard_normal(s)
            assert_close(linalg.polar(a, side), scipy.linalg.polar(a, side), rtol=1e-13)
            ours = partial(linalg.polar, side=side)
            cases.append((ours, partial(jsp.linalg.polar, side=side, method="svd"), a))
    _match_jax(cases, per_mode=False)


def test_expm_frechet_matches_scipy_and_jax(rng: np.random.Generator) -> None:
    a, e = rng.standard_normal((3, 3)) / 2, rng.standard_normal((3, 3))
    ours = linalg.expm_frechet(a, e)
    assert_close(ours, scipy.linalg.expm_frechet(a, e), rtol=1e-13)
    assert_close(linalg.expm_frechet(a, e, compute_expm=False), ours[1])
    pairs = [(lambda a, e: linalg.expm_frechet(a, e)[1],
              lambda a, e: jsp.linalg.expm_frechet(a, e)[1])]  # fmt: skip
    assert_gradients_match_jax(pairs, (a, e), per_mode=False)


def _jax_qr_multiply(a: Any, c: Any, mode: str, conjugate: bool = False) -> Any:
    """JAX's reference with a derivative: its economic qr, then the product."""
    q, r = jsp.linalg.qr(a, mode="economic")
    q = q.conj() if conjugate else q
    return (q @ c if mode == "left" else c @ q), r


@pytest.mark.parametrize("shape", [(4, 3), (3, 4)])
def test_qr_multiply_matches_scipy_and_jax(
    shape: tuple[int, int], rng: np.random.Generator
) -> None:
    m, n = shape
    a = rng.standard_normal(shape)
    c_left, c_right = rng.standard_normal((min(m, n), 2)), rng.standard_normal((2, m))
    for mode, c in (("left", c_left), ("right", c_right), ("left", c_left[:, 0])):
        for pivoting in (False, True):
            ours = linalg.qr_multiply(a, c, mode=mode, pivoting=pivoting)
            assert_close(ours, tuple(scipy.linalg.qr_multiply(a, c, mode, pivoting)), rtol=1e-13)
    z = a + 1j * rng.standard_normal(shape)  # complex, with conj(Q)
    for mode, c in (("left", c_left), ("right", c_right)):
        ours = linalg.qr_multiply(z, c, mode=mode, conjugate=True)
        assert_close(ours, scipy.linalg.qr_multiply(z, c, mode, conjugate=True), rtol=1e-13)
    cases = [(lambda a, mode=mode, c=c: linalg.qr_multiply(a, c, mode),
              lambda a, mode=mode, c=c: _jax_qr_multiply(a, c, mode), a)
             for mode, c in (("left", c_left), ("right", c_right))]  # fmt: skip
    cases.append((lambda c: linalg.qr_multiply(a, c, "right")[0],
                  lambda c: _jax_qr_multiply(a, c, "right")[0], c_right))  # fmt: skip
    _match_jax(cases)


def test_qr_multiply_refuses_mismatched_shapes() -> None:
    with pytest.raises(ValueError, match="needs c with 3 rows for Q @ c"):
        linalg.qr_multiply(np.ones((4, 3)), np.ones((4, 2)), mode="left")
    with pytest.raises(ValueError, match="mode must be 'left' or 'right'"):
        linalg.qr_multiply(np.ones((4, 3)), np.ones((4, 2)), mode="up")


# ---------------------------------------------------------------------------- Schur and friends
def _real_schur(rng: np.random.Generator, n: int = 5) -> tuple[np.ndarray, np.ndarray]:
    """SciPy's real Schur form of a random matrix with a large skew-symmetric part: 2×2 blocks
    for its complex eigenvalues."""
    x, y = rng.standard_normal((2, n, n))
    t, z = scipy.linalg.schur(x + 2 * (y - y.T))
    assert np.any(np.abs(np.diag(t, -1)) > 0.1)  # at least one complex pair
    return t, z


def test_schur_hessenberg_funm_values_are_scipys(rng: np.random.Generator) -> None:
    a = rng.standard_normal((4, 4))
    for output in ("real", "complex"):
        assert_close(linalg.schur(a, output), scipy.linalg.schur(a, output), rtol=0.0)
    t, z, sdim = linalg.schur(a, sort="lhp")
    assert_close((t, z, sdim), scipy.linalg.schur(a, sort="lhp"), rtol=0.0)
    assert_close(linalg.hessenberg(a, calc_q=True), scipy.linalg.hessenberg(a, calc_q=True))
    assert_close(linalg.funm(a, np.sin), scipy.linalg.funm(a, np.sin), rtol=0.0)
    h = linalg.hessenberg(a)
    assert_close(h, np.asarray(jsp.linalg.hessenberg(a)), rtol=1e-13)
    expected = np.asarray(jsp.linalg.funm(a, jnp.sin)).real
    assert_close(linalg.funm(a, np.sin), expected, rtol=1e-12)


def test_rsf2csf_values_are_scipys(rng: np.random.Generator) -> None:
    t, z = _real_schur(rng)
    ours = linalg.rsf2csf(t, z)
    assert_close(ours, scipy.linalg.rsf2csf(t, z), rtol=1e-15)
    assert_close(ours, tuple(np.asarray(x) for x in jsp.linalg.rsf2csf(t, z)), rtol=1e-13)
    tc, zc = ours
    assert np.all(np.tril(tc, -1) == 0)
    assert_close(zc @ tc @ zc.conj().T, t.astype(complex) * 0 + z @ t @ z.T, rtol=1e-13)
    stacked = linalg.rsf2csf(np.stack([t, t]), z)  # stacks broadcast, as SciPy ≥ 1.17
    assert_close(stacked, tuple(np.stack([x, x]) for x in ours))


def test_rsf2csf_derivatives_match_jax(rng: np.random.Generator) -> None:
    """JAX differentiates the Givens steps it traces; so does admodes, in T and in Z."""
    t, z = _real_schur(rng)
    pairs = [(_flat(anp, linalg.rsf2csf), _flat(jnp, jsp.linalg.rsf2csf))]
    assert_gradients_match_jax(pairs, (t, z), per_mode=False)


def _tridiagonal_products(m: Any, fn: Callable[..., Any]) -> Callable[..., Any]:
    """w and the products vᵢₖ vⱼₖ, free of the eigenvectors' signs."""

    def products(d: Any, e: Any) -> Any:
        w, v = fn(d, e)
        return m.concatenate([w, m.ravel(v[:, None, :] * v[None, :, :])])

    return products


def _jax_tridiagonal_eigh(d: Any, e: Any) -> Any:
    return jnp.linalg.eigh(jnp.diag(d) + jnp.diag(e, 1) + jnp.diag(e, -1))


def test_eigh_tridiagonal_values(rng: np.random.Generator) -> None:
    d, e = rng.standard_normal(5), rng.standard_normal(4)
    assert_close(linalg.eigh_tridiagonal(d, e), scipy.linalg.eigh_tridiagonal(d, e), rtol=1e-13)
    w = linalg.eigh_tridiagonal(d, e, eigvals_only=True)
    assert_close(w, np.asarray(jsp.linalg.eigh_tridiagonal(d, e, eigvals_only=True)), rtol=1e-13)
    for select, bounds in (("i", (1, 3)), ("v", (-0.5, 1.0))):
        kw = {"select": select, "select_range": bounds}
        expected = scipy.linalg.eigh_tridiagonal(d, e, **kw)
        assert_close(linalg.eigh_tridiagonal(d, e, **kw), expected, rtol=1e-13)
        expected = scipy.linalg.eigh_tridiagonal(d, e, eigvals_only=True, **kw)
        assert_close(linalg.eigh_tridiagonal(d, e, eigvals_only=True, **kw), expected, rtol=1e-13)


def test_eigh_tridiagonal_derivatives_are_eighs(rng: np.random.Generator) -> None:
    """Both modes as JAX's eigh of the tridiagonal matrix (JAX's own eigh_tridiagonal has no
    reverse mode, and its forward mode, through bisection, is not the eigenvalues')."""
    d, e = rng.standard_normal(4), rng.standard_normal(3)
    pairs = [
        (_tridiagonal_products(anp, linalg.eigh_tridiagonal),
         _tridiagonal_products(jnp, _jax_tridiagonal_eigh)),
        (lambda d, e: linalg.eigh_tridiagonal(d, e, eigvals_only=True, select="i",
                                              select_range=(1, 2)),
         lambda d, e: _jax_tridiagonal_eigh(d, e)[0][1:3]),
    ]  # fmt: skip
    assert_gradients_match_jax(pairs, (d, e))


def _schur_of(a: Any) -> Any:
    return linalg.schur(a)[0]


REFUSED = {
    "schur": (_schur_of, lambda a: jsp.linalg.schur(a)[0], "eigh"),
    "hessenberg": (linalg.hessenberg, jsp.linalg.hessenberg, "eigvals"),
    "funm": (partial(linalg.funm, func=np.exp), partial(jsp.linalg.funm, func=jnp.exp), "expm"),
    "sqrtm": (linalg.sqrtm, jsp.linalg.sqrtm, "solve_sylvester"),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_functions_jax_cannot_differentiate_refuse(name: str, mode: str, rng) -> None:
    """A TypeError that says so and what to use, in both modes, where JAX raises too; their
    values stay available."""
    ours, jaxs, instead = REFUSED[name]
    a = rng.standard_normal((3, 3))
    a = a @ a.T + np.eye(3)
    with pytest.raises(NotImplementedError):
        jax.jvp(jaxs, (a,), (a,))
    message = rf"{name} cannot be differentiated .*nor in JAX.*{instead}"
    with pytest.raises(TypeError, match=message):
        ad.grad(lambda a: anp.sum(anp.real(ours(a))), mode=mode)(a)
    assert np.all(np.isfinite(ours(a)))


SCHUR_ERRORS = [
    (lambda: linalg.schur(np.eye(2), output="quasi"), ValueError, "output must be"),
    (lambda: linalg.rsf2csf(np.eye(2), np.eye(3)), ValueError, "matching shapes"),
    (lambda: linalg.eigh_tridiagonal(np.ones(3), np.ones(3)), ValueError, r"\(n - 1,\)"),
    (lambda: linalg.eigh_tridiagonal(np.ones(3), np.ones(2), select="i"), ValueError,
     "select_range"),
    (lambda: linalg.eigh_tridiagonal(np.ones(3), np.ones(2), lapack_driver="x"), ValueError,
     "lapack_driver"),
    (lambda: linalg.polar(np.eye(2), side="up"), ValueError, "side must be"),
    (lambda: linalg.expm_frechet(np.eye(2), np.eye(3)), ValueError, "same shape"),
]  # fmt: skip


@pytest.mark.parametrize(("call", "error", "match"), SCHUR_ERRORS)
def test_bad_input_raises(call: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


# ---------------------------------------------------------------------------- JAX's keywords
IGNORED_KEYWORDS = ["cho_factor", "cho_solve", "cholesky", "det", "eigh", "inv", "lu", "lu_factor",
                    "lu_solve", "qr", "solve", "solve_triangular", "svd", "hessenberg",
                    "expm"]  # fmt: skip


def test_takes_every_keyword_of_jax() -> None:
    """Every parameter of jax.scipy.linalg's function (``overwrite_a``, ``overwrite_b``,
    ``check_finite``, ``debug``, ``upper_triangular``, ``max_squarings``) is one of admodes',
    and its positional parameters come in JAX's order."""
    for name in IGNORED_KEYWORDS:
        assert_takes_jaxs_parameters(getattr(linalg, name), getattr(jsp.linalg, name))


def _spd(rng: np.random.Generator, n: int) -> np.ndarray:
    a = rng.standard_normal((n, n))
    return a @ a.T + n * np.eye(n)


def test_cholesky_solves_take_jax_keywords(rng: np.random.Generator) -> None:
    """cholesky, cho_factor, cho_solve and solve_triangular with JAX's ``overwrite_a``,
    ``overwrite_b``, ``check_finite`` (and ``debug``), which JAX ignores: values and gradients
    equal JAX's."""
    a, b = _spd(rng, 4), rng.standard_normal((4, 2))
    ignored = {"check_finite": False}

    def cases(m: Any) -> list[Callable[..., Any]]:
        return [
            lambda x: m.cholesky(x, lower=True, overwrite_a=True, **ignored),
            lambda x: m.cho_factor(x, False, True, False)[0],
            lambda x: m.cho_solve(
                m.cho_factor(x, overwrite_a=True, **ignored), b, overwrite_b=True, **ignored
            ),
            lambda x: m.solve_triangular(x, b, 1, True, overwrite_b=True, debug=None, **ignored),
        ]

    _match_jax([(f, g, a) for f, g in zip(cases(linalg), cases(jsp.linalg), strict=True)])


def _needing_squarings(rng: np.random.Generator) -> np.ndarray:
    """Four 3×3 matrices whose JAX expm needs 0, 2, 5 and 20 squarings."""
    a = rng.standard_normal((4, 3, 3))
    a /= np.linalg.norm(a, 1, axis=(-2, -1))[:, None, None]  # ‖aᵢ‖₁ = 1
    return a * np.array([2.0, 25.0, 200.0, 6e6])[:, None, None]


@pytest.mark.parametrize("max_squarings", [16, 4, 0])
def test_expm_is_nan_beyond_max_squarings_as_jax(
    rng: np.random.Generator, max_squarings: int
) -> None:
    """expm(A, upper_triangular=..., max_squarings=k) as JAX's: nan (derivative 0) for each
    matrix that needs more than k squarings, floor(log₂(‖A‖₁/θ)), else e^A; values and
    gradients by both modes equal JAX's. In float32 θ is smaller, as JAX's."""
    a = _needing_squarings(rng)
    ours = partial(linalg.expm, upper_triangular=False, max_squarings=max_squarings)
    jaxs = partial(jsp.linalg.expm, upper_triangular=False, max_squarings=max_squarings)
    _match_jax([(ours, jaxs, a)], per_mode=False)
    upper = np.triu(a[:3])
    expected = np.asarray(jaxs(upper, upper_triangular=True))
    assert_close(linalg.expm(upper, upper_triangular=True, max_squarings=max_squarings), expected)
    # needing 1, 5 and 17 squarings in float32, 0, 4 and 16 in float64
    single = np.float32(a[0] / 2.0) * np.array([9.0, 150.0, 6e5], np.float32)[:, None, None]
    nan = np.isnan(linalg.expm(single, max_squarings=max_squarings))
    np.testing.assert_array_equal(nan, np.isnan(np.asarray(jaxs(single))))
