"""Contractions and linear algebra beyond the registry walk: NumPy's values and shapes (stacks,
1-D operands, every einsum form), the NumPy protocol route (``np.linalg.f``, ``np.einsum`` on
traced values), second derivatives against ``jax.hessian``, float32, hypothesis sweeps over
shapes and broadcast batch dimensions, FLOP counts by hand, and bad input."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import hypothesis.extra.numpy as hnp
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from cases.linalg import dominant, separated, spd, spread
from conftest import MODES, assert_close, assert_gradients_match_jax
from hypothesis import given, settings
from hypothesis import strategies as st

import admodes as ad
import admodes.lax as alax
import admodes.numpy as anp
import admodes.scipy.linalg as asl
from admodes.rules.linalg import cholesky as cholesky_primitive
from admodes.rules.linalg import eigh as eigh_primitive
from admodes.rules.linalg import qr as qr_primitive
from admodes.rules.linalg import svd as svd_primitive

# ---------------------------------------------------------------------------- NumPy's values
VALUES: list[tuple[str, Callable[..., Any], list[tuple[int, ...]], Callable]] = [
    # (label, function of (module, *xs), input shapes, input domain)
    ("matmul-stacks", lambda m, a, b: m.matmul(a, b), [(2, 1, 2, 3), (4, 3, 5)], np.asarray),
    ("matmul-vector-stack", lambda m, a, b: m.matmul(a, b), [(3,), (2, 3, 4)], np.asarray),
    ("matmul-stack-vector", lambda m, a, b: m.matmul(a, b), [(2, 4, 3), (3,)], np.asarray),
    ("matmul-vectors", lambda m, a, b: m.matmul(a, b), [(3,), (3,)], np.asarray),
    ("einsum-implicit", lambda m, a, b: m.einsum("kj,ij", a, b), [(2, 3), (4, 3)], np.asarray),
    ("einsum-implicit-ellipsis", lambda m, a: m.einsum("...ij", a), [(2, 3, 4)], np.asarray),
    ("einsum-ellipsis", lambda m, a, b: m.einsum("...ij,...jk->...ik", a, b),
     [(2, 1, 2, 3), (4, 3, 2)], np.asarray),
    ("einsum-trace", lambda m, a: m.einsum("ii->", a), [(3, 3)], np.asarray),
    ("einsum-implicit-trace", lambda m, a: m.einsum("ii", a), [(3, 3)], np.asarray),
    ("einsum-diagonal", lambda m, a: m.einsum("ii->i", a), [(3, 3)], np.asarray),
    ("einsum-triple-diagonal", lambda m, a: m.einsum("iii->i", a), [(2, 2, 2)], np.asarray),
    ("einsum-four-operands", lambda m, a, b, c, d: m.einsum("ij,jk,kl,l->i", a, b, c, d),
     [(2, 3), (3, 4), (4, 5), (5,)], np.asarray),
    ("einsum-transpose", lambda m, a: m.einsum("ijk->kij", a), [(2, 3, 4)], np.asarray),
    ("einsum-scalar", lambda m, a, b: m.einsum(",i->i", a, b), [(), (3,)], np.asarray),
    ("einsum-spaces", lambda m, a, b: m.einsum("i j , j -> i", a, b), [(2, 3), (3,)],
     np.asarray),
    ("tensordot-int", lambda m, a, b: m.tensordot(a, b, 1), [(2, 3), (3, 4)], np.asarray),
    ("tensordot-axes", lambda m, a, b: m.tensordot(a, b, ((0, 1), (1, 0))), [(2, 3, 4), (3, 2)],
     np.asarray),
    ("inner-2d", lambda m, a, b: m.inner(a, b), [(2, 3), (4, 3)], np.asarray),
    ("inner-scalar", lambda m, a, b: m.inner(a, b), [(), (3,)], np.asarray),
    ("dot-nd", lambda m, a, b: m.dot(a, b), [(2, 2, 3), (4, 3, 5)], np.asarray),
    ("dot-nd-vector", lambda m, a, b: m.dot(a, b), [(2, 2, 3), (3,)], np.asarray),
    ("vdot", lambda m, a, b: m.vdot(a, b), [(2, 3), (6,)], np.asarray),
    ("outer", lambda m, a, b: m.outer(a, b), [(2, 2), (3,)], np.asarray),
    ("kron", lambda m, a, b: m.kron(a, b), [(2, 1, 3), (2, 2)], np.asarray),
    ("multi_dot", lambda m, a, b, c: m.linalg.multi_dot([a, b, c]), [(2, 3), (3, 4), (4,)],
     np.asarray),
    ("matrix_power-0", lambda m, a: m.linalg.matrix_power(a, 0), [(2, 3, 3)], dominant),
    ("matrix_power-5", lambda m, a: m.linalg.matrix_power(a, 5), [(3, 3)], dominant),
    ("matrix_power--3", lambda m, a: m.linalg.matrix_power(a, -3), [(3, 3)], dominant),
    ("solve-vector-stack", lambda m, a, b: m.linalg.solve(a, b), [(2, 3, 3), (3,)], dominant),
    ("solve-broadcast", lambda m, a, b: m.linalg.solve(a, b), [(3, 3), (2, 3, 2)], dominant),
    ("inv", lambda m, a: m.linalg.inv(a), [(2, 3, 3)], dominant),
    ("det", lambda m, a: m.linalg.det(a), [(3, 3)], dominant),
    ("slogdet", lambda m, a: tuple(m.linalg.slogdet(-a)), [(2, 3, 3)], dominant),
    ("cholesky", lambda m, a: m.linalg.cholesky(a), [(2, 3, 3)], spd),
    ("cholesky-upper", lambda m, a: m.linalg.cholesky(a, upper=True), [(3, 3)], spd),
    ("eigvalsh", lambda m, a: m.linalg.eigvalsh(a), [(2, 4, 4)], separated),
    ("svd-values", lambda m, a: m.linalg.svd(a, compute_uv=False), [(2, 3, 5)], np.asarray),
    ("svd-full-square", lambda m, a: tuple(np.abs(x) for x in m.linalg.svd(a)), [(3, 3)],
     np.asarray),
    ("svd-full-plain", lambda m, a: tuple(np.abs(x) for x in m.linalg.svd(a)), [(4, 3)],
     np.asarray),
    ("qr-r", lambda m, a: np.abs(m.linalg.qr(a, mode="r")), [(4, 3)], np.asarray),
    ("pinv", lambda m, a: m.linalg.pinv(a), [(2, 4, 3)], np.asarray),
    ("lstsq", lambda m, a, b: m.linalg.lstsq(a, b)[:2], [(5, 3), (5,)], spread),  # rank: JAX's
    ("norm-flat", lambda m, a: m.linalg.norm(a), [(2, 3, 4)], np.asarray),
    ("norm-flat-keepdims", lambda m, a: m.linalg.norm(a, keepdims=True), [(2, 3)], np.asarray),
    ("norm-0", lambda m, a: m.linalg.norm(a, 0, axis=1), [(2, 3)], np.asarray),
    ("norm-p", lambda m, a: m.linalg.norm(a, -1.5, axis=0), [(2, 3)], np.asarray),
    ("norm-matrix-inf", lambda m, a: m.linalg.norm(a, -np.inf, (2, 1)), [(2, 3, 4)], np.asarray),
    ("norm-matrix-2-keepdims", lambda m, a: m.linalg.norm(a, 2, (0, 2), True), [(3, 2, 4)],
     np.asarray),
    *((f"cond-{p}", lambda m, a, p=p: m.linalg.cond(a, p), [(3, 3)], dominant)
      for p in (None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc")),
    ("cond-stack", lambda m, a: m.linalg.cond(a, 1), [(2, 3, 3)], dominant),
    ("cond-wide", lambda m, a: m.linalg.cond(a), [(2, 3)], np.asarray),
    ("cond-singular", lambda m, a: m.linalg.cond(a * [1.0, 1.0, 0.0], np.inf), [(3, 3)],
     np.asarray),
    ("cond-zero", lambda m, a: m.linalg.cond(0.0 * a), [(2, 2)], np.asarray),
    ("matrix_rank", lambda m, a: m.linalg.matrix_rank(a[:, :2] @ a[:2]), [(4, 3)], np.asarray),
    ("matrix_rank-tol-stack", lambda m, a: m.linalg.matrix_rank(a, tol=0.5), [(2, 4, 3)],
     np.asarray),
    ("matrix_rank-hermitian", lambda m, a: m.linalg.matrix_rank(a @ a.T, hermitian=True),
     [(3, 2)], np.asarray),
    ("matrix_rank-vector", lambda m, a: m.linalg.matrix_rank(a), [(3,)], np.asarray),
    *((f"qr-{mode}-{s}", lambda m, a, mode=mode: m.linalg.qr(a, mode=mode), [s], np.asarray)
      for mode in ("reduced", "complete") for s in ((4, 3), (3, 4))),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "shapes", "domain"), [v[1:] for v in VALUES],
                         ids=[v[0] for v in VALUES])  # fmt: skip
def test_values_are_numpys(fn, shapes, domain, rng) -> None:
    """On plain arrays, admodes gives NumPy's values, shapes, dtypes and scalar types."""
    first, *rest = (rng.standard_normal(s) for s in shapes)
    xs = [domain(first), *rest]
    got, want = fn(anp, *xs), fn(np, *xs)
    for g, w in zip(jax.tree_util.tree_leaves(got), jax.tree_util.tree_leaves(want), strict=True):
        assert type(g) is type(w)
        assert np.shape(g) == np.shape(w) and np.result_type(g) == np.result_type(w)
        np.testing.assert_allclose(g, w, rtol=1e-12, atol=1e-12)


# ---------------------------------------------------------------------------- the protocol route
PROTOCOL = [
    ("matmul", lambda m, a, b: m.matmul(a, b)),
    ("einsum", lambda m, a, b: m.einsum("bij,jk->bik", a, b[0])),
    ("tensordot", lambda m, a, b: m.tensordot(a, b, ([1, 2], [2, 1]))),
    ("dot", lambda m, a, b: m.dot(a, b[0])),
    ("inner", lambda m, a, b: m.inner(a, b)),
    ("vdot", lambda m, a, b: m.vdot(a, b)),
    ("kron", lambda m, a, b: m.kron(a, b)),
    ("outer", lambda m, a, b: m.outer(a, b)),
    ("linalg.solve", lambda m, a, b: m.linalg.solve(a, b)),
    ("linalg.inv", lambda m, a, b: m.linalg.inv(a) * b),
    ("linalg.det", lambda m, a, b: m.linalg.det(a)[:, None, None] * b),
    ("linalg.slogdet", lambda m, a, b: m.linalg.slogdet(a)[1][:, None, None] * b),
    ("linalg.cholesky", lambda m, a, b: m.linalg.cholesky(m.matmul(a, m.swapaxes(a, -1, -2)))),
    ("linalg.eigvalsh", lambda m, a, b: m.linalg.eigvalsh(a + m.swapaxes(a, -1, -2))),
    ("linalg.svd", lambda m, a, b: m.linalg.svd(a, compute_uv=False)),
    ("linalg.qr", lambda m, a, b: m.linalg.qr(a, mode="r")),
    ("linalg.pinv", lambda m, a, b: m.linalg.pinv(a)),
    ("linalg.norm", lambda m, a, b: m.linalg.norm(a, "nuc", axis=(1, 2))),
    ("linalg.matrix_power", lambda m, a, b: m.linalg.matrix_power(a, 3)),
    ("linalg.multi_dot", lambda m, a, b: m.linalg.multi_dot([a[0], b[0], a[1]])),
]


@pytest.mark.parametrize("fn", [p[1] for p in PROTOCOL], ids=[p[0] for p in PROTOCOL])
def test_numpy_functions_on_traced_values(fn, rng) -> None:
    """``np.f(x)`` on traced values reaches ``admodes.numpy.f``: the same gradient as ``anp.f``."""
    a = dominant(rng.standard_normal((2, 3, 3)))
    b = rng.standard_normal((2, 3, 3))

    def loss(m: Any) -> Callable[..., Any]:
        return lambda a, b: anp.sum(anp.sin(fn(m, a, b)))

    for mode in ("reverse", "forward"):
        got = ad.grad(loss(np), argnums=(0, 1), mode=mode)(a, b)
        assert_close(got, ad.grad(loss(anp), argnums=(0, 1), mode=mode)(a, b))


def test_solve_triangular_on_traced_values_matches_jax(rng) -> None:
    a, b = dominant(rng.standard_normal((3, 3))), rng.standard_normal((3,))

    def f(m: Any, solve: Callable) -> Callable[..., Any]:
        return lambda a, b: m.sum(m.sin(solve(a, b, trans="T", lower=True)))

    got = ad.grad(f(anp, anp.linalg.solve_triangular), argnums=(0, 1))(a, b)
    assert_close(got, jax.grad(f(jnp, jax.scipy.linalg.solve_triangular), argnums=(0, 1))(a, b))


# ---------------------------------------------------------------------------- second order
SECOND_ORDER = [
    ("matmul-stacks", lambda m, x: m.sum(m.sin(x[:, None, :] @ (x[None] @ x[:, :, None])))),
    ("einsum", lambda m, x: m.sum(m.tanh(m.einsum("ij,jk,ik->i", x, x, x)))),
    ("solve", lambda m, x: m.sum(m.sin(m.linalg.solve(x, x[0])))),
    ("det", lambda m, x: m.linalg.det(x)),
    ("cholesky", lambda m, x: m.sum(m.sin(m.linalg.cholesky(x @ x.T + 3.0 * m.eye(3))))),
    ("eigh", lambda m, x: m.sum(m.linalg.eigh(x + x.T)[1] ** 4 + m.linalg.eigh(x + x.T)[0])),
    ("svd", lambda m, x: m.sum(m.sin(m.linalg.svd(x, full_matrices=False)[0]) ** 2)),
    ("qr", lambda m, x: m.sum(m.linalg.qr(x)[1] ** 3)),
]


@pytest.mark.slow
@pytest.mark.parametrize("fn", [s[1] for s in SECOND_ORDER], ids=[s[0] for s in SECOND_ORDER])
def test_hessian_matches_jax(fn, rng) -> None:
    x = separated(rng.standard_normal((3, 3))) + np.triu(rng.standard_normal((3, 3)))
    want = jax.jit(jax.hessian(lambda x: fn(jnp, x)))(x)
    assert_close(ad.hessian(lambda x: fn(anp, x))(x), want)


def test_cond_matches_jax_for_every_order(rng) -> None:
    """cond by the singular values (None, 2, −2) and by ‖a‖ ‖a⁻¹‖ (1, −1, inf, −inf, 'fro',
    'nuc'), on a stack, by both modes as JAX's."""
    a = dominant(rng.standard_normal((2, 3, 3)))
    orders = (None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc")
    pairs = [(partial(anp.linalg.cond, p=p), partial(jnp.linalg.cond, p=p)) for p in orders]
    assert_gradients_match_jax(pairs, (a,), per_mode=False)


#: (mode, shape): the thin rule, the wide case and the complete Q (JAX 0.10's rules).
QR_MODES = [("reduced", (4, 3)), ("complete", (4, 3)), ("r", (4, 3)), ("reduced", (3, 4)),
            ("complete", (3, 4)), ("complete", (3, 3))]  # fmt: skip


def test_qr_matches_jax_in_every_mode_and_shape(rng) -> None:
    """Q and R by both modes as JAX's: tall and wide matrices, reduced and complete (each case
    a slice of one vector of inputs, so that JAX compiles one program)."""
    inputs = [spread(rng.standard_normal(s)).ravel() for _, s in QR_MODES]
    bounds = np.cumsum([0] + [x.size for x in inputs])

    def parts(m: Any, x: Any) -> Any:
        out = []
        for (mode, s), lo, hi in zip(QR_MODES, bounds[:-1], bounds[1:], strict=True):
            factors = m.linalg.qr(m.reshape(x[lo:hi], s), mode=mode)
            out += [m.ravel(m.sin(y)) for y in (factors if mode != "r" else (factors,))]
        return m.concatenate(out)

    pairs = [(partial(parts, anp), partial(parts, jnp))]
    assert_gradients_match_jax(pairs, (np.concatenate(inputs),), per_mode=False)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_values_alone_differentiate_at_repeated_values(mode) -> None:
    """Eigenvalues and singular values alone have finite derivatives where they repeat (at the
    identity every one does), as in JAX; only the vectors' derivatives are undefined there."""

    def f(m: Any) -> Callable[..., Any]:
        return lambda a: m.sum(m.linalg.eigvalsh(a) ** 2) + m.linalg.norm(a, "nuc")

    got = ad.grad(f(anp), mode=mode)(np.eye(3))
    assert np.all(np.isfinite(got))
    assert_close(got, jax.grad(f(jnp))(np.eye(3)))


UNUSED_VECTORS = [
    ("eigh-values", lambda m, a: m.sum(m.linalg.eigh(a)[0] ** 2), np.eye(3)),
    ("eigh-repeated-pair", lambda m, a: m.sum(m.sin(m.linalg.eigh(a)[0])), np.diag([1.0, 1, 2])),
    ("svd-values", lambda m, a: m.sum(m.linalg.svd(a)[1]), np.eye(2)),
    ("svd-values-tall", lambda m, a: m.sum(m.linalg.svd(a, full_matrices=False)[1] ** 2),
     np.eye(4, 2)),
    ("svd-values-wide", lambda m, a: m.sum(m.linalg.svd(a, full_matrices=False)[1]), np.eye(2, 3)),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "a"), [u[1:] for u in UNUSED_VECTORS],
                         ids=[u[0] for u in UNUSED_VECTORS])  # fmt: skip
def test_unused_vectors_contribute_nothing_at_repeated_values(fn, a) -> None:
    """The values of eigh or svd alone, their vectors unused, at repeated values: the vectors'
    cotangent is zero and meets the infinite gap 1/(λᵢ − λⱼ) no more than JAX's symbolic zero
    does, so the gradient is JAX's (finite) by both modes, and so is jacrev's."""
    expected = jax.grad(lambda a: fn(jnp, a))(a)
    assert np.all(np.isfinite(expected))
    with np.errstate(divide="ignore", invalid="ignore"):  # the gaps F are computed all the same
        for mode in MODES:
            assert_close(ad.grad(lambda a: fn(anp, a), mode=mode)(a), expected)
        rows = ad.jacrev(lambda a: _values(anp, a))(a)
    assert_close(rows, jax.jacrev(lambda a: _values(jnp, a))(a))


def _values(m: Any, a: Any) -> Any:
    """The eigenvalues of a square a, the singular values of another, from eigh or svd."""
    if a.shape[0] == a.shape[1]:
        return m.linalg.eigh(a)[0]
    return m.linalg.svd(a, full_matrices=False)[1]


def test_used_vectors_still_differentiate(rng) -> None:
    """Where the vectors are used, with the values or without, the gradient is JAX's."""
    a = separated(rng.standard_normal((3, 3)))
    b = spread(rng.standard_normal((4, 3)))

    def f(m: Any) -> Callable[..., Any]:
        def loss(a: Any, b: Any) -> Any:
            w, v = m.linalg.eigh(a)
            u, s, vh = m.linalg.svd(b, full_matrices=False)
            return m.sum(v**4) + m.sum(w) + m.sum(u[:, 0] ** 3) + m.sum(s**2 * vh[0])

        return loss

    expected = jax.grad(f(jnp), argnums=(0, 1))(a, b)
    for mode in MODES:
        assert_close(ad.grad(f(anp), argnums=(0, 1), mode=mode)(a, b), expected)


# ---------------------------------------------------------------------------- complex matrices
def hermitian(rng: np.random.Generator, n: int = 3) -> np.ndarray:
    """A Hermitian positive definite matrix with distinct eigenvalues."""
    z = rng.standard_normal((n, n)) + 1j * rng.standard_normal((n, n))
    return z @ z.conj().T + np.diag(1.0 + 3.0 * np.arange(n))


def test_hermitian_decompositions_are_numpys(rng) -> None:
    """eigh, eigvalsh and cholesky of a complex Hermitian matrix read it as a = aᴴ (JAX's
    symmetrization (a + aᴴ)/2): NumPy's values and dtypes."""
    h = hermitian(rng)
    assert_close(anp.linalg.eigvalsh(h), np.linalg.eigvalsh(h))
    w, v = anp.linalg.eigh(h)
    w_np, v_np = np.linalg.eigh(h)
    assert_close(w, w_np)
    assert_close(np.abs(np.sum(v.conj() * v_np, axis=0)), np.ones(3))  # each vector up to phase
    assert_close(v @ np.diag(w) @ v.conj().T, h)
    assert_close(anp.linalg.cholesky(h), np.linalg.cholesky(h))
    assert_close(anp.linalg.cholesky(h, upper=True), np.linalg.cholesky(h, upper=True))
    assert_close(anp.linalg.eigvalsh(np.array([[2, 1j], [-1j, 2]])), np.array([1.0, 3.0]))


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "fn",
    [
        lambda a: anp.linalg.eigh(a)[0],
        lambda a: anp.linalg.eigh(a)[1],
        anp.linalg.cholesky,
        lambda a: anp.linalg.slogdet(anp.linalg.cholesky(a))[1],
    ],
    ids=["eigh-values", "eigh-vectors", "cholesky", "slogdet-of-cholesky"],
)
def test_hermitian_decompositions_refuse_to_differentiate(fn, mode, rng) -> None:
    h = hermitian(rng)
    with pytest.raises(TypeError, match="complex matrix"):
        if mode == "reverse":
            ad.grad(lambda a: anp.real(anp.sum(fn(a))))(h)
        else:
            ad.jvp(fn, (h,), (h,))


@pytest.mark.parametrize("dtype", [np.complex128, np.complex64])
def test_complex_singular_values_are_real_as_jax(rng, dtype: Any) -> None:
    """The singular values of a complex matrix are real, of its precision (float64, float32), in
    every svd (NumPy's, SciPy's, lax's, a stack under vmap), with JAX's values."""
    a = (rng.standard_normal((2, 3, 3)) + 1j * rng.standard_normal((2, 3, 3))).astype(dtype)
    want = np.asarray(jnp.linalg.svd(a)[1])
    assert want.dtype.kind == "f"
    for got in (
        anp.linalg.svd(a)[1],
        np.stack([asl.svd(m)[1] for m in a]),
        alax.linalg.svd(a)[1],
        ad.vmap(lambda m: anp.linalg.svd(m)[1])(a),
    ):
        assert got.dtype == want.dtype
        rtol = 1e-5 if dtype == np.complex64 else 1e-12
        assert_close(np.asarray(got, np.float64), want.astype(np.float64), rtol=rtol)


def test_complex_slogdet_matches_jax(rng) -> None:
    """log|det a| of a complex a is real, with tangent Re tr(a⁻¹ da); the sign's tangent is
    i Im tr(a⁻¹ da) · sign. Values NumPy's (a singular matrix's sign 0 too); JVPs, the gradient of
    a real function of both and a Hessian JAX's."""
    a = dominant(rng.standard_normal((2, 3, 3))) + 1j * rng.standard_normal((2, 3, 3))
    t = rng.standard_normal((2, 3, 3)) + 1j * rng.standard_normal((2, 3, 3))
    assert_close(tuple(anp.linalg.slogdet(a)), tuple(np.linalg.slogdet(a)))
    singular = np.zeros((2, 2), complex)
    assert_close(tuple(anp.linalg.slogdet(singular)), tuple(np.linalg.slogdet(singular)))
    got = ad.jvp(lambda z: tuple(anp.linalg.slogdet(z)), (a,), (t,))
    want = jax.jvp(lambda z: tuple(jnp.linalg.slogdet(z)), (a,), (t,))
    assert_close(got, jax.tree_util.tree_map(np.asarray, want))

    def f(m: Any) -> Callable[..., Any]:
        def loss(z: Any) -> Any:
            sign, logabsdet = m.linalg.slogdet(z)
            return m.sum(m.real(sign * (1.0 + 2.0j)) * logabsdet)

        return loss

    # (forward-mode grad of complex inputs is left to reverse mode; forward mode goes along t)
    assert_close(ad.grad(f(anp))(a), np.asarray(jax.grad(f(jnp))(a)))

    def along(m: Any) -> Callable[..., Any]:
        return lambda x: f(m)(a + x * t)

    for mode in MODES:
        assert_close(ad.grad(along(anp), mode=mode)(0.3), float(jax.grad(along(jnp))(0.3)))
    assert_close(ad.hessian(along(anp))(0.3), float(jax.hessian(along(jnp))(0.3)))


# ---------------------------------------------------------------------------- float32
FLOAT32 = [
    lambda a: anp.sum(anp.einsum("bij,bjk->bik", a, a)),
    lambda a: anp.sum(anp.matmul(a, a[0, 0])),
    lambda a: anp.sum(anp.linalg.solve(a, a)),
    lambda a: anp.sum(anp.linalg.solve_triangular(a, a[0], lower=True, unit_diagonal=True)),
    lambda a: anp.sum(anp.linalg.inv(a)) + anp.sum(anp.linalg.det(a)),
    lambda a: anp.sum(anp.linalg.slogdet(a)[1]),
    lambda a: anp.sum(anp.linalg.cholesky(a @ anp.swapaxes(a, -1, -2))),
    lambda a: anp.sum(anp.linalg.eigh(a)[1] ** 2) + anp.sum(anp.linalg.eigvalsh(a)),
    lambda a: anp.sum(anp.linalg.svd(a)[0] ** 2) + anp.sum(anp.linalg.qr(a)[1] ** 2),
    lambda a: anp.sum(anp.linalg.pinv(a)) + anp.linalg.norm(a, "nuc", (1, 2))[0],
]


@pytest.mark.parametrize("fn", FLOAT32, ids=[str(i) for i in range(len(FLOAT32))])
def test_float32_stays_float32(fn, rng) -> None:
    a = dominant(rng.standard_normal((2, 3, 3))).astype(np.float32)
    assert np.result_type(fn(a)) == np.float32
    for mode in ("reverse", "forward"):
        assert ad.grad(fn, mode=mode)(a).dtype == np.float32


# ---------------------------------------------------------------------------- hypothesis sweeps
@st.composite
def matmul_shapes(draw: st.DrawFn) -> tuple[tuple[int, ...], tuple[int, ...]]:
    """Two operands of matmul: 1-D or stacks with broadcast batch dimensions."""
    m, k, n = (draw(st.integers(1, 3)) for _ in range(3))
    batches = hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=2, max_side=3)
    batch_a, batch_b = draw(batches).input_shapes
    a = (k,) if draw(st.booleans()) else (*batch_a, m, k)
    b = (k,) if draw(st.booleans()) else (*batch_b, k, n)
    return a, b


def check_multilinear(f_ad: Callable, f_np: Callable, xs: list[np.ndarray], seed: int) -> None:
    """For f linear in each input: the value is NumPy's, J·t = Σᵢ f(x₁, …, tᵢ, …, xₙ), the VJP
    satisfies ⟨v, J·t⟩ = ⟨Jᵀ·v, t⟩, and jacfwd (batched tangents) equals jacrev."""
    rng = np.random.default_rng(seed)
    ts = [rng.standard_normal(x.shape) for x in xs]
    out, jt = ad.jvp(f_ad, tuple(xs), tuple(ts))
    want = sum(f_np(*xs[:i], t, *xs[i + 1 :]) for i, t in enumerate(ts))
    assert_close((out, jt), (f_np(*xs), want))
    v = rng.standard_normal(np.shape(out))
    jtv = ad.vjp(f_ad, *xs)[1](v)
    lhs, rhs = np.vdot(v, jt), sum(np.vdot(a, t) for a, t in zip(jtv, ts, strict=True))
    assert abs(lhs - rhs) <= 1e-10 * (1 + abs(lhs))
    argnums = tuple(range(len(xs)))
    assert_close(ad.jacfwd(f_ad, argnums)(*xs), ad.jacrev(f_ad, argnums)(*xs))


@settings(max_examples=40, deadline=None)
@given(matmul_shapes(), st.integers(0, 2**16))
def test_matmul_sweep(shapes, seed) -> None:
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(s) for s in shapes]
    check_multilinear(anp.matmul, np.matmul, xs, seed)


@st.composite
def einsum_problems(draw: st.DrawFn) -> tuple[str, list[tuple[int, ...]]]:
    """Random subscripts over a few labels: repeats, '...' with broadcast batch dimensions,
    implicit or explicit output, one to three operands."""
    labels = "ijk"
    sizes = {c: draw(st.integers(1, 3)) for c in labels}
    n_ops = draw(st.integers(1, 3))
    batches = draw(hnp.mutually_broadcastable_shapes(num_shapes=n_ops, max_dims=2, max_side=2))
    ellipsis = draw(st.booleans())
    terms, shapes = [], []
    for batch in batches.input_shapes:
        term = "".join(draw(st.lists(st.sampled_from(labels), min_size=1, max_size=3)))
        terms.append(("..." if ellipsis else "") + term)
        shapes.append((*(batch if ellipsis else ()), *(sizes[c] for c in term)))
    used = sorted(set("".join(terms)) - {"."})
    if draw(st.booleans()):
        return ",".join(terms), shapes
    output = draw(st.lists(st.sampled_from(used), unique=True))
    return ",".join(terms) + "->" + ("..." if ellipsis else "") + "".join(output), shapes


@settings(max_examples=40, deadline=None)
@given(einsum_problems(), st.integers(0, 2**16))
def test_einsum_sweep(problem, seed) -> None:
    subscripts, shapes = problem
    rng = np.random.default_rng(seed)
    xs = [rng.standard_normal(s) for s in shapes]
    check_multilinear(lambda *xs: anp.einsum(subscripts, *xs),
                      lambda *xs: np.einsum(subscripts, *xs), xs, seed)  # fmt: skip


# ---------------------------------------------------------------------------- FLOPs by hand
B, M, K, N, L = 2, 3, 4, 5, 6
FLOPS = [
    ("matmul-stacks", lambda: anp.matmul(np.ones((B, M, K)), np.ones((K, N))), 2 * B * M * K * N),
    ("matmul-vector-stack", lambda: anp.matmul(np.ones(K), np.ones((B, K, N))), 2 * B * K * N),
    ("einsum-matmul", lambda: anp.einsum("ij,jk->ik", np.ones((M, K)), np.ones((K, N))),
     2 * M * K * N),
    ("einsum-batched", lambda: anp.einsum("bij,bjk->bik", np.ones((B, M, K)), np.ones((B, K, N))),
     2 * B * M * K * N),
    # NumPy's greedy path: (K,N)@(N,L) first, then (M,K)@(K,L).
    ("einsum-chain", lambda: anp.einsum("ij,jk,kl->il", np.ones((M, K)), np.ones((K, N)),
                                        np.ones((N, L))), 2 * K * N * L + 2 * M * K * L),
    # One operand, summing: N products-as-reads and N additions, as np.einsum_path counts.
    ("einsum-trace", lambda: anp.einsum("ii->", np.ones((N, N))), 2 * N),
    ("einsum-outer", lambda: anp.einsum("i,j->ij", np.ones(M), np.ones(N)), M * N),
    ("solve", lambda: anp.linalg.solve(np.eye(N), np.ones((N, 2))),
     2 * N**3 // 3 + 2 * N**2 * 2),
    ("solve_triangular", lambda: anp.linalg.solve_triangular(np.eye(N), np.ones((N, 2))),
     N**2 * 2),
    ("inv", lambda: anp.linalg.inv(np.eye(N)[None].repeat(B, 0)), B * 2 * N**3),
    ("det", lambda: anp.linalg.det(np.eye(N)), 2 * N**3 // 3),
    ("cholesky", lambda: cholesky_primitive(np.eye(N)), N**3 // 3),
    ("eigh", lambda: eigh_primitive(np.eye(N)), 9 * N**3),
    ("svd", lambda: svd_primitive(np.ones((L, N))), 4 * L * N**2 + 8 * N**3),
    ("qr", lambda: qr_primitive(np.ones((L, N))), 2 * L * N**2 - 2 * N**3 // 3),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "flops"), [f[1:] for f in FLOPS], ids=[f[0] for f in FLOPS])
def test_flops_by_hand(fn, flops) -> None:
    with ad.count() as c:
        fn()
    assert c.flops == flops


def test_einsum_flops_are_numpys_path_count(rng) -> None:
    """The cost of an einsum is the FLOP count np.einsum_path reports for the same path (its
    report adds one to the sum over the steps)."""
    xs = [rng.standard_normal(s) for s in ((3, 4), (4, 5, 2), (2, 3), (5,))]
    report = np.einsum_path("ij,jkl,li,k->i", *xs, optimize="greedy")[1]
    reported = float(report.split("Optimized FLOP count:")[1].split()[0])
    with ad.count() as c:
        anp.einsum("ij,jkl,li,k->i", *xs)
    assert c.flops + 1 == pytest.approx(reported, rel=1e-3)


@pytest.mark.parametrize(
    "interleaved, subscripts",
    [
        (lambda a, b: (a, [0, 1], b, [1, 2], [0, 2]), "ij,jk->ik"),
        (lambda a, b: (a, [0, 1], b, [1, 2]), "ij,jk"),
        (lambda a, b: (a, [Ellipsis, 1], b, [1, 2], [Ellipsis, 2]), "...j,jk->...k"),
    ],
)
def test_einsum_interleaved_form(interleaved, subscripts, rng) -> None:
    """NumPy's interleaved arguments give NumPy's values and JAX's gradient of the string form."""
    a, b = rng.standard_normal((2, 3)), rng.standard_normal((3, 4))
    np.testing.assert_allclose(anp.einsum(*interleaved(a, b)), np.einsum(*interleaved(a, b)))
    expected = jax.grad(lambda a: jnp.sum(jnp.sin(jnp.einsum(subscripts, a, b))))(a)
    for mode in MODES:
        g = ad.grad(lambda a: anp.sum(anp.sin(anp.einsum(*interleaved(a, b)))), mode=mode)(a)
        assert_close(g, expected)


#: (subscripts, operand shapes): explicit outputs without '...', one to three operands.
ELLIPSIS_SUMMED = [
    ("...d->d", [(2, 3, 4)]),
    ("...ij,...jk->ik", [(2, 1, 2, 3), (4, 3, 2)]),
    ("i...,...,...->i", [(3, 2, 4), (4,), (2, 1)]),
]


@pytest.mark.parametrize(("subscripts", "shapes"), ELLIPSIS_SUMMED,
                         ids=[s for s, _ in ELLIPSIS_SUMMED])  # fmt: skip
def test_einsum_output_without_ellipsis_sums_its_axes(subscripts, shapes, rng) -> None:
    """An explicit output that leaves out '...' sums over the broadcast '...' axes, as JAX's:
    the value, grad by both modes, and jacfwd and jacrev in every operand are JAX's."""
    xs = tuple(rng.standard_normal(s) for s in shapes)
    f_ad, f_jax = partial(anp.einsum, subscripts), partial(jnp.einsum, subscripts)
    assert_gradients_match_jax([(f_ad, f_jax)], xs)
    argnums = tuple(range(len(xs)))
    want = jax.jacfwd(f_jax, argnums)(*xs)
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(transform(f_ad, argnums)(*xs), tuple(np.asarray(w) for w in want))


@pytest.mark.parametrize("subscripts", ["ii->i", "ii", "ii->"])
def test_einsum_refuses_a_repeated_label_of_two_sizes(subscripts) -> None:
    """A label repeated within one operand must have one size: NumPy refuses a (1, 3) diagonal
    (JAX gives [a₀₀, 0, 0]), and so does admodes, naming the label and its sizes; a size-1 axis
    still broadcasts against another operand's, with JAX's value and gradients."""
    a = np.arange(1.0, 4.0).reshape(1, 3)
    with pytest.raises(ValueError):
        np.einsum(subscripts, a)
    with pytest.raises(ValueError, match=r"label 'i' .* sizes 1 and 3"):
        anp.einsum(subscripts, a)
    b = np.arange(6.0).reshape(2, 3)
    pair = (partial(anp.einsum, "ab,ab->"), partial(jnp.einsum, "ab,ab->"))
    assert_gradients_match_jax([pair], (a, b))


# ---------------------------------------------------------------------------- JAX's keywords
PRODUCTS = {  # function of (m, a, b, **keywords), a of shape (2, 3, 4), b of shape (4, 5)
    "matmul": lambda m, a, b, **k: m.matmul(a, b, **k),
    "linalg.matmul": lambda m, a, b, **k: m.linalg.matmul(a, b, **k),
    "dot": lambda m, a, b, **k: m.dot(a, b, **k),
    "dot-matrices": lambda m, a, b, **k: m.dot(a[0], b, **k),
    "einsum": lambda m, a, b, **k: m.einsum("ijk,kl->ijl", a, b, **k),
    "tensordot": lambda m, a, b, **k: m.tensordot(a, b, 1, **k),
    "inner": lambda m, a, b, **k: m.inner(a, b.T, **k),
    "vdot": lambda m, a, b, **k: m.vdot(a[0], b[:, :3].T, **k),
    "vecdot": lambda m, a, b, **k: m.vecdot(a, b[:, 0], **k),
    "convolve": lambda m, a, b, **k: m.convolve(a[0, 0], b[:, 0], **k),
}
KEYWORDS = {
    "precision": {"precision": "highest"},
    "float64 accumulation": {"preferred_element_type": np.float64},
    "float32 result": {"preferred_element_type": np.float32},
}


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize(
    ("name", "keywords"),
    [  # JAX's convolve takes no precision, and refuses a result narrower than its input
        (name, keywords)
        for name in PRODUCTS
        for keywords in KEYWORDS
        if name != "convolve" or keywords == "float64 accumulation"
    ],
)
def test_products_take_jaxs_precision_keywords(name: str, keywords: str, dtype: Any) -> None:
    """JAX's precision= is accepted (NumPy computes in full precision) and its
    preferred_element_type= is the result's dtype: values, dtypes and gradients are JAX's."""
    kw = KEYWORDS[keywords]
    rng = np.random.default_rng(5)
    a, b = rng.standard_normal((2, 3, 4)).astype(dtype), rng.standard_normal((4, 5)).astype(dtype)
    f = PRODUCTS[name]
    rtol = 1e-5 if np.float32 in (dtype, kw.get("preferred_element_type")) else 1e-12
    assert_close(f(anp, a, b, **kw), f(jnp, a, b, **kw), rtol=rtol)
    expected = jax.grad(lambda a: jnp.sum(jnp.sin(f(jnp, a, b, **kw))))(a)
    for mode in MODES:
        got = ad.grad(lambda a: anp.sum(anp.sin(f(anp, a, b, **kw))), mode=mode)(a)
        assert_close(got, expected, rtol=rtol)


def test_multi_dot_takes_jaxs_precision() -> None:
    rng = np.random.default_rng(6)
    xs = [rng.standard_normal(s) for s in ((3,), (3, 4), (4, 2))]
    assert_close(anp.linalg.multi_dot(xs, precision="highest"), jnp.linalg.multi_dot(xs))


# ---------------------------------------------------------------------------- bad input
BAD = [
    ("solve-shapes", lambda: anp.linalg.solve(np.eye(3), np.ones(4)), ValueError, "b of shape"),
    ("solve-not-square", lambda: anp.linalg.solve(np.ones((3, 2)), np.ones(3)),
     np.linalg.LinAlgError, "square"),
    ("cholesky-not-spd", lambda: anp.linalg.cholesky(-np.eye(3)), np.linalg.LinAlgError, ""),
    ("einsum-operands", lambda: anp.einsum("ij,jk", np.ones((2, 2))), ValueError, "operands"),
    ("einsum-axes", lambda: anp.einsum("ijk", np.ones((2, 2))), ValueError, "axes"),
    ("einsum-sizes", lambda: anp.einsum("ij,ij", np.ones((2, 3)), np.ones((2, 4))), ValueError,
     "size"),
    ("einsum-interleaved-label", lambda: anp.einsum(np.ones(2), [52]), ValueError, "0–51"),
    ("qr-mode", lambda: anp.linalg.qr(np.eye(2), mode="economic"), ValueError, "'raw'"),
    ("cond-vector", lambda: anp.linalg.cond(np.ones(3)), np.linalg.LinAlgError, "(..., m, n)"),
    ("cond-order", lambda: anp.linalg.cond(np.eye(2), 3), ValueError, "invalid order 3"),
    ("cond-wide-order", lambda: anp.linalg.cond(np.ones((2, 3)), 1), np.linalg.LinAlgError,
     "square"),
    ("cond-singular-derivative", lambda: ad.grad(lambda a: anp.linalg.cond(a, 1))(
        np.ones((2, 2))), np.linalg.LinAlgError, "singular"),
    ("svd-full-derivative", lambda: ad.grad(lambda a: anp.sum(anp.linalg.svd(a)[1]))(
        np.ones((2, 3))), NotImplementedError, "full_matrices=False"),
    ("matrix_power-float", lambda: anp.linalg.matrix_power(np.eye(2), 1.5), TypeError, "integer"),
    ("norm-order", lambda: anp.linalg.norm(np.ones((2, 2)), "fro", axis=0), ValueError, "matrices"),
    ("multi_dot-ndim", lambda: anp.linalg.multi_dot([np.ones((2, 2)), np.ones((2, 2, 2))]),
     ValueError, "2-D"),
    *((f"norm-{order}-axis-out-of-range", lambda order=order: anp.linalg.norm(
        np.ones((2, 3)), order, axis=(0, 2)), np.exceptions.AxisError, "axis 2 is out of bounds")
      for order in (None, 1, -1, np.inf, -np.inf, 2, -2, "nuc")),
    *((f"norm-{order}-duplicate-axes", lambda order=order: anp.linalg.norm(
        np.ones((2, 3)), order, axis=(1, -1)), ValueError, "Duplicate axes given")
      for order in (None, 1, -1, np.inf, -np.inf, 2, -2, "nuc")),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "error", "match"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_gets_a_clear_error(fn, error, match) -> None:
    with pytest.raises(error, match=None if not match else match.replace(".", r"\.")):
        fn()


NORM_ORDERS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


@pytest.mark.parametrize(
    ("shape", "order"),
    [((2, 3), order) for order in NORM_ORDERS]
    + [((3,), order) for order in (None, 1, 2, 0, 3, np.inf, -np.inf)]
    + [((0,), order) for order in (None, 1, 2, 0, np.inf)]
    + [(s, order) for s in ((0, 3), (3, 0)) for order in (None, "fro", 1, np.inf)],
    ids=str,
)
def test_norm_values_and_types_are_numpys(shape: tuple[int, ...], order: Any) -> None:
    """A scalar norm is a NumPy scalar, as NumPy's; over an empty axis the max-based orders give
    NumPy's 0, and their gradient there is empty."""
    x = np.linspace(-1.0, 2.0, int(np.prod(shape))).reshape(shape)
    got, expected = anp.linalg.norm(x, order), np.linalg.norm(x, order)
    assert type(got) is type(expected) and np.shape(got) == np.shape(expected)
    np.testing.assert_allclose(got, expected, rtol=1e-14)
    if x.size == 0 and order in (1, np.inf):
        for mode in MODES:
            assert ad.grad(lambda a: anp.linalg.norm(a, order), mode=mode)(x).shape == shape


@pytest.mark.parametrize(
    "a",
    [
        np.diag([1.0, 2.0]),
        np.eye(2, dtype=np.float32),
        np.array([[0.0, 1.0], [-1.0, 0.0]]),
        np.array([[1, 2], [3, 4]]),
    ],
    ids=["real-spectrum", "float32", "complex-spectrum", "integers"],
)
def test_eig_eigvals_and_roots_are_complex_as_jax(a: np.ndarray) -> None:
    """JAX's eig, eigvals and roots are complex whatever the spectrum (NumPy's dtype depends on
    the values: real when every one is)."""
    for ours, theirs in (
        (anp.linalg.eigvals(a), jnp.linalg.eigvals(a)),
        (anp.linalg.eig(a).eigenvalues, jnp.linalg.eig(a)[0]),
        (anp.linalg.eig(a).eigenvectors, jnp.linalg.eig(a)[1]),
        (anp.roots(a[0]), jnp.roots(a[0])),
    ):
        assert ours.dtype == theirs.dtype
    assert_close(np.sort_complex(anp.linalg.eigvals(a)), np.sort_complex(jnp.linalg.eigvals(a)))
