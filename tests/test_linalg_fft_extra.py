"""NumPy 2's array-API linear algebra (``linalg.cross diagonal trace matrix_norm vector_norm
vecdot``), ``linalg.tensorinv``/``tensorsolve`` and ``fft.hfft``/``ihfft``: NumPy's values
(value, dtype, shape) on plain inputs; ``jacfwd``, ``jacrev`` and ``grad`` by both modes against
JAX's derivatives (float64, complex inputs too), JAX's references compiled in one program;
``np.linalg.f`` / ``np.fft.f`` on traced values reaching admodes; refusals of bad input."""

from __future__ import annotations

import functools
import zlib
from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import pytest
from cases.linalg import dominant, separated, spd
from conftest import JNP, MODES, assert_close, assert_exact, assert_jacobians, jax_compiled

import admodes as ad
import admodes.numpy as anp


def R(*shape: int, seed: str = "") -> np.ndarray:
    """Standard normal float64 values (a fixed seed per shape and tag)."""
    return np.random.default_rng(zlib.crc32(f"{shape}{seed}".encode())).standard_normal(shape)


A23, B3, C32, D32 = R(2, 3), R(3), R(3, 2), R(3, 2, seed="d")
X234, Y234 = R(2, 3, 4), R(2, 3, 4, seed="y")
I234 = np.arange(24).reshape(2, 3, 4) - 11
Z234 = X234 + 1j * Y234
#: A 6×6 well-conditioned matrix as tensors: tensorinv's (2, 3, 2, 3) and (6, 2, 3), and
#: tensorsolve's a of shape (3, 2, 2, 3) whose axes (0, 2) moved last make it (2, 3, 3, 2).
SQUARE = dominant(R(6, 6))
T2323, T623 = SQUARE.reshape(2, 3, 2, 3), SQUARE.reshape(6, 2, 3)
MOVED = (1, 3, 0, 2)  # a's axes in the order tensorsolve reads them, for axes=(0, 2)
A3223 = np.transpose(SQUARE.reshape(2, 3, 3, 2), np.argsort(MOVED))
B23 = R(2, 3, seed="b")
IMAG66 = R(6, 6, seed="imag")
H52, H5, H6 = R(5, 2) + 1j * R(5, 2, seed="imag"), R(5, seed="h") + 1j * R(5), R(6)
FFT_CONFIGS = [(None, None), (7, "ortho"), (6, "forward"), (3, "backward")]  # (n, norm)

# name: (fn(m), exact): NumPy's value (value, dtype, shape), to the last bit where ``exact``.
VALUES: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "cross": (lambda m: m.linalg.cross(A23, B3), True),
    "cross-axis": (lambda m: m.linalg.cross(C32, D32, axis=0), True),
    "cross-integers": (lambda m: m.linalg.cross(I234[:, :, :3], np.array([1, -2, 3])), True),
    "cross-float32": (lambda m: m.linalg.cross(A23.astype(np.float32), B3), True),
    "cross-complex": (lambda m: m.linalg.cross(Z234[..., :3], 1j * B3), True),
    "diagonal": (lambda m: m.linalg.diagonal(X234), True),
    "diagonal-offsets": (lambda m: [m.linalg.diagonal(X234, offset=k) for k in (-1, 2, 5)], True),
    "diagonal-integers": (lambda m: m.linalg.diagonal(I234, offset=1), True),
    "trace": (lambda m: m.linalg.trace(X234), False),
    "trace-offsets": (lambda m: [m.linalg.trace(X234, offset=k) for k in (-2, 1, 3)], False),
    "trace-integers": (lambda m: m.linalg.trace(I234, offset=-1), True),
    "trace-dtype": (lambda m: m.linalg.trace(I234, dtype=np.float32), True),
    "trace-complex": (lambda m: m.linalg.trace(Z234, offset=1), False),
    **{
        f"matrix_norm-{o}": (lambda m, o=o: m.linalg.matrix_norm(X234, ord=o), False)
        for o in ("fro", 1, -1, np.inf, -np.inf, 2, -2, "nuc")
    },
    "matrix_norm-keepdims": (lambda m: m.linalg.matrix_norm(X234, keepdims=True, ord=1), False),
    "matrix_norm-integers": (lambda m: m.linalg.matrix_norm(I234, ord=np.inf), False),
    "matrix_norm-float32": (lambda m: m.linalg.matrix_norm(X234.astype(np.float32)), False),
    "matrix_norm-complex": (
        lambda m: [m.linalg.matrix_norm(Z234, ord=o) for o in ("fro", 1)],
        False,
    ),
    "vector_norm": (lambda m: m.linalg.vector_norm(X234), False),
    "vector_norm-keepdims": (lambda m: m.linalg.vector_norm(X234, keepdims=True), False),
    "vector_norm-axis": (lambda m: m.linalg.vector_norm(X234, axis=1, ord=1), False),
    "vector_norm-axes": (lambda m: m.linalg.vector_norm(X234, axis=(2, 0), ord=np.inf), False),
    "vector_norm-axes-keepdims": (
        lambda m: m.linalg.vector_norm(X234, axis=(-1, 0), keepdims=True, ord=-np.inf),
        False,
    ),
    "vector_norm-p": (lambda m: m.linalg.vector_norm(X234, axis=(0, 1), ord=-1.5), False),
    "vector_norm-0": (lambda m: m.linalg.vector_norm(X234 * (X234 > 0), axis=2, ord=0), True),
    "vector_norm-scalar": (lambda m: m.linalg.vector_norm(np.float64(-3.0), keepdims=True), True),
    "vector_norm-no-axes": (lambda m: m.linalg.vector_norm(X234, axis=()), True),
    "vector_norm-integers": (
        lambda m: [m.linalg.vector_norm(I234, ord=o) for o in (0, 1, 2)],
        False,
    ),
    "vector_norm-float32": (lambda m: m.linalg.vector_norm(X234.astype(np.float32), ord=3), False),
    "vector_norm-complex": (lambda m: [m.linalg.vector_norm(Z234, ord=o) for o in (2, 1)], False),
    "vecdot": (lambda m: m.linalg.vecdot(A23, B3), False),
    "vecdot-axis": (lambda m: m.linalg.vecdot(C32, D32, axis=0), False),
    "vecdot-integers": (lambda m: m.linalg.vecdot(I234, I234[0]), True),
    "vecdot-complex": (lambda m: m.linalg.vecdot(Z234, Z234[:, :, ::-1] + X234, axis=1), False),
    "tensorinv": (lambda m: m.linalg.tensorinv(T2323), False),
    "tensorinv-ind": (lambda m: m.linalg.tensorinv(T623, ind=1), False),
    "tensorinv-float32": (lambda m: m.linalg.tensorinv(T2323.astype(np.float32)), False),
    "tensorinv-complex": (
        lambda m: m.linalg.tensorinv(T623 + 1j * IMAG66.reshape(6, 2, 3), ind=1),
        False,
    ),
    "tensorsolve": (lambda m: m.linalg.tensorsolve(A3223, B23, axes=(0, 2)), False),
    "tensorsolve-default": (lambda m: m.linalg.tensorsolve(T2323, B23), False),
    "tensorsolve-integers": (
        lambda m: m.linalg.tensorsolve(np.eye(4, dtype=int).reshape(4, 2, 2) * 2, np.arange(4)),
        True,
    ),
    "tensorsolve-complex": (lambda m: m.linalg.tensorsolve(T2323 + 1j, B23 - 2j * B23), False),
    "hfft": (lambda m: [m.fft.hfft(H5, n, norm=norm) for n, norm in FFT_CONFIGS], False),
    "hfft-crop": (lambda m: [m.fft.hfft(H5, 4, norm=norm) for norm in ("ortho", None)], False),
    "hfft-axis": (lambda m: [m.fft.hfft(H52, 8, axis=0, norm=o) for o in ("ortho", None)], False),
    "hfft-real": (lambda m: m.fft.hfft(H52.real), False),
    "hfft-integers": (lambda m: m.fft.hfft(np.arange(5), 5), False),
    "hfft-complex64": (lambda m: m.fft.hfft(H5.astype(np.complex64), 6, norm="forward"), False),
    "ihfft": (lambda m: [m.fft.ihfft(H6, n, norm=norm) for n, norm in FFT_CONFIGS], False),
    "ihfft-axis": (lambda m: m.fft.ihfft(H52.real, axis=0, norm="forward"), False),
    "ihfft-integers": (lambda m: m.fft.ihfft(np.arange(5)), False),
    "ihfft-float32": (lambda m: m.fft.ihfft(H6.astype(np.float32), 5), False),
}


@pytest.mark.parametrize("name", VALUES)
def test_values_are_numpys(name: str) -> None:
    fn, exact = VALUES[name]
    got, want = fn(anp), fn(np)
    rtol = 1e-5 if "32" in name else 1e-12
    assert_close(got, want, rtol=rtol)
    if exact:
        assert_exact(got, want)


# ---------------------------------------------------------------------------- derivatives
def parts(m: Any, *outputs: Any) -> Any:
    """Real outputs (complex ones as their real and imaginary parts), flattened and joined."""
    flat = [m.ravel(y) for y in outputs]
    return m.concatenate(
        [p for y in flat for p in ((m.real(y), m.imag(y)) if y.dtype.kind == "c" else (y,))]
    )


def complex_of(fn: Callable[..., Any]) -> Callable[..., Any]:
    """fn of complex inputs as a function of their real and imaginary parts, (x₀, y₀, x₁, y₁, …):
    real inputs, which jacfwd and forward-mode grad take, reaching fn's complex arithmetic."""
    return lambda m, *xy: fn(m, *(x + 1j * y for x, y in zip(xy[::2], xy[1::2], strict=True)))


#: One order per path of ``norm``: Frobenius, row or column sums (max, min), singular values.
MATRIX_ORDERS = ("fro", 1, -np.inf, -2, "nuc")
VECTOR_ORDERS = [  # (axis, ord, keepdims)
    (None, 2, False),
    (1, 1, True),
    ((0, 2), np.inf, False),
    ((-1,), -np.inf, True),
    ((2, 0), 3.5, False),
    (None, 0, False),
]

#: Two 3×3 matrices, not symmetric (``hermitian=True`` reads (a + aᴴ)/2 of each, as JAX).
A233 = R(2, 3, 3, seed="hermitian")


def with_singular_values(x: np.ndarray, s: list[float]) -> np.ndarray:
    """x's singular vectors with the singular values s."""
    u, _, vh = np.linalg.svd(x, full_matrices=False)
    return (u * s) @ vh


#: 5×3 matrices whose third singular value a cutoff rtol = 1e-4 drops (the first) or keeps.
NEAR_RANK2 = with_singular_values(R(5, 3, seed="rank2"), [3.0, 1.0, 1e-6])
NEAR_RANK2S = np.stack([NEAR_RANK2, with_singular_values(R(5, 3), [3.0, 1.0, 1e-2])])
SPD3, SEPARATED4 = spd(R(3, 3, seed="spd")), separated(R(4, 4, seed="separated"))
B5, B52 = R(5, seed="b"), R(5, 2, seed="b")

# name: (fn(m, *args) -> a real array, args): every argument is differentiated.
DERIVATIVES: dict[str, tuple[Callable[..., Any], tuple]] = {
    "pinv-hermitian": (lambda m, a: m.linalg.pinv(a, hermitian=True), (A233,)),
    "svd-hermitian": (lambda m, a: parts(m, *m.linalg.svd(a, hermitian=True)), (A233,)),
    "svdvals-hermitian": (lambda m, a: m.linalg.svd(a, False, False, hermitian=True), (A233,)),
    "pinv-rtol": (
        lambda m, a: parts(
            m, m.linalg.pinv(a, rtol=1e-4), m.linalg.pinv(a, 1e-4), m.linalg.pinv(a, rcond=1e-4)
        ),
        (NEAR_RANK2,),
    ),
    "pinv-rtol-per-matrix": (
        lambda m, a: m.linalg.pinv(a, rtol=np.array([1e-4, 1e-3])),
        (NEAR_RANK2S,),
    ),
    "lstsq-rank-deficient": (
        lambda m, a, b: parts(m, *m.linalg.lstsq(a, b, rcond=1e-4)[:2]),
        (NEAR_RANK2, B5),
    ),
    "lstsq-wide": (lambda m, a, b: parts(m, *m.linalg.lstsq(a, b)[:2]), (X234[0], C32)),
    "lstsq-square": (lambda m, a, b: parts(m, *m.linalg.lstsq(a, b)[:2]), (SQUARE[:3, :3], B3)),
    "cholesky-unsymmetrized": (
        lambda m, a: parts(
            m, *(m.linalg.cholesky(a, upper=u, symmetrize_input=False) for u in (False, True))
        ),
        (SPD3,),
    ),
    "eigvalsh-unsymmetrized": (
        lambda m, a: parts(
            m, *(m.linalg.eigvalsh(a, uplo, symmetrize_input=False) for uplo in ("L", "U"))
        ),
        (SEPARATED4,),
    ),
    "cross-2-vectors": (lambda m, a, b: m.cross(a, b), (C32, D32[0])),
    "cross-2-and-3-vectors": (
        lambda m, a, b: parts(m, m.cross(a, b), m.cross(b, a, axisb=1, axisc=0)),
        (C32, X234[0, :, :3]),
    ),
    "cross": (lambda m, a, b: m.linalg.cross(a, b), (A23, B3)),
    "diagonal": (
        lambda m, x: parts(m, *(m.linalg.diagonal(x, offset=k) for k in (-1, 0, 2))),
        (X234,),
    ),
    "trace": (lambda m, x: parts(m, *(m.linalg.trace(x, offset=k) for k in (-1, 0, 1))), (X234,)),
    "matrix_norm": (
        lambda m, x: parts(m, *(m.linalg.matrix_norm(x, ord=o) for o in MATRIX_ORDERS)),
        (X234,),
    ),
    "vector_norm": (
        lambda m, x: parts(
            m, *(m.linalg.vector_norm(x, axis=a, ord=o, keepdims=k) for a, o, k in VECTOR_ORDERS)
        ),
        (X234,),
    ),
    "vecdot": (lambda m, a, b: m.linalg.vecdot(a, b, axis=0), (C32, D32)),
    "tensorinv": (lambda m, a: m.linalg.tensorinv(a), (T2323,)),
    "tensorsolve": (lambda m, a, b: m.linalg.tensorsolve(a, b, axes=(0, 2)), (A3223, B23)),
    "hfft": (lambda m, x: parts(m, *(m.fft.hfft(x, n, norm=o) for n, o in FFT_CONFIGS)), (H6[:5],)),
    "hfft-axis": (lambda m, x: m.fft.hfft(x, 6, axis=0, norm="ortho"), (C32,)),
    "ihfft": (lambda m, x: parts(m, *(m.fft.ihfft(x, n, norm=o) for n, o in FFT_CONFIGS)), (H6,)),
    "ihfft-axis": (lambda m, x: parts(m, m.fft.ihfft(x, 4, axis=0)), (C32,)),
    # complex inputs, by their real and imaginary parts
    "matrix_norm-complex": (
        complex_of(
            lambda m, x: parts(m, *(m.linalg.matrix_norm(x, ord=o) for o in ("fro", -1, np.inf)))
        ),
        (X234, Y234),
    ),
    "vector_norm-complex": (
        complex_of(
            lambda m, x: parts(
                m,
                *(m.linalg.vector_norm(x, axis=a, ord=o) for a, o, _ in VECTOR_ORDERS[:5:2]),
            )
        ),
        (X234, Y234),
    ),
    "vecdot-complex": (
        complex_of(lambda m, a, b: parts(m, m.linalg.vecdot(a, b, axis=0))),
        (C32, D32, D32, C32),
    ),
    "hfft-complex": (
        complex_of(lambda m, z: parts(m, *(m.fft.hfft(z, n, norm=o) for n, o in FFT_CONFIGS))),
        (H5.real, H5.imag),
    ),
}

#: Real-valued functions of complex inputs (reverse-mode grad, JAX's convention ∂f/∂x − i·∂f/∂y)
#: and holomorphic ones (jacfwd and jacrev with holomorphic=True), on complex inputs directly.
COMPLEX_GRADS: dict[str, tuple[Callable[..., Any], tuple]] = {
    "matrix_norm": (lambda m, z: m.sum(m.linalg.matrix_norm(z, ord=1)), (Z234,)),
    "vector_norm": (lambda m, z: m.sum(m.linalg.vector_norm(z, axis=(0, 2), ord=3)), (Z234,)),
    "vecdot": (lambda m, a, b: m.sum(m.imag(m.linalg.vecdot(a, b))), (Z234, Z234[::-1] * 1j)),
    "hfft": (lambda m, z: m.sum(m.sin(m.fft.hfft(z, 7, norm="ortho"))), (H5,)),
}
HOLOMORPHIC: dict[str, tuple[Callable[..., Any], tuple]] = {
    "cross": (lambda m, a, b: m.linalg.cross(a, b), (Z234[..., :3], B3 + 1j)),
    "diagonal": (lambda m, z: m.linalg.diagonal(z, offset=-1), (Z234,)),
    "trace": (lambda m, z: m.linalg.trace(z, offset=1), (Z234,)),
    "tensorinv": (lambda m, a: m.linalg.tensorinv(a), (T2323 + 1j * IMAG66.reshape(2, 3, 2, 3),)),
    "tensorsolve": (lambda m, a, b: m.linalg.tensorsolve(a, b), (T2323 - 1j, B23 * 1j)),
}


def _argnums(args: tuple) -> tuple[int, ...]:
    return tuple(range(len(args)))


@functools.cache
def jax_references() -> tuple[dict, dict, dict]:
    """JAX's Jacobians of :data:`DERIVATIVES`, gradients of :data:`COMPLEX_GRADS` and holomorphic
    Jacobians of :data:`HOLOMORPHIC`: one compiled program."""

    def bound(fn: Callable[..., Any]) -> Callable[..., Any]:
        return functools.partial(fn, JNP)

    def references(derivatives: dict, grads: dict, holomorphic: dict) -> tuple:
        return (
            {
                name: jax.jacrev(bound(DERIVATIVES[name][0]), _argnums(args))(*args)
                for name, args in derivatives.items()
            },
            {
                name: jax.grad(bound(COMPLEX_GRADS[name][0]), _argnums(args))(*args)
                for name, args in grads.items()
            },
            {
                name: jax.jacrev(bound(HOLOMORPHIC[name][0]), _argnums(args), holomorphic=True)(
                    *args
                )
                for name, args in holomorphic.items()
            },
        )

    inputs = [
        {name: args for name, (_, args) in table.items()}
        for table in (DERIVATIVES, COMPLEX_GRADS, HOLOMORPHIC)
    ]
    return jax_compiled(references, *inputs)


@pytest.mark.parametrize("name", DERIVATIVES)
def test_derivatives_are_jaxs(name: str) -> None:
    """jacfwd and jacrev equal JAX's Jacobian; grad of a weighted sum of the output by both modes
    equals it contracted with the weights; the traced value is the plain one."""
    fn, args = DERIVATIVES[name]
    assert_jacobians(functools.partial(fn, anp), args, jax_references()[0][name])


@pytest.mark.parametrize("name", COMPLEX_GRADS)
def test_gradients_of_complex_inputs_are_jaxs(name: str) -> None:
    fn, args = COMPLEX_GRADS[name]
    got = ad.grad(functools.partial(fn, anp), _argnums(args))(*args)
    assert_close(got, jax_references()[1][name])


@pytest.mark.parametrize("name", HOLOMORPHIC)
def test_holomorphic_jacobians_are_jaxs(name: str) -> None:
    fn, args = HOLOMORPHIC[name]
    for transform in (ad.jacfwd, ad.jacrev):
        got = transform(functools.partial(fn, anp), _argnums(args), holomorphic=True)(*args)
        assert_close(got, jax_references()[2][name])


def test_the_derivative_of_a_count_is_zero() -> None:
    """vector_norm(ord=0) counts the nonzero entries: a constant, derivative zero (JAX's)."""
    f = lambda x: anp.linalg.vector_norm(x, axis=1, ord=0)
    assert_exact(ad.jacrev(f)(X234), np.zeros((2, 4, 2, 3, 4)))
    assert_exact(ad.jacfwd(f)(X234), np.zeros((2, 4, 2, 3, 4)))


# ------------------------------------------------------------------ JAX's keywords and values
NOT_SYMMETRIC = SPD3 + np.triu(R(3, 3, seed="upper"), 1) * 4  # its lower triangle is SPD3's
#: name: fn(m), admodes' value equal to JAX's (value, dtype, shape) where NumPy's differs or
#: NumPy has no such call.
JAX_VALUES: dict[str, Callable[[Any], Any]] = {
    **{
        f"lstsq-{name}-numpy_resid={numpy_resid}": (
            lambda m, a=a, b=b, rcond=rcond, numpy_resid=numpy_resid: m.linalg.lstsq(
                a, b, rcond, numpy_resid=numpy_resid
            )
        )
        for name, a, b, rcond in (
            ("rank-deficient", NEAR_RANK2, B52, 1e-4),
            ("wide-vector", X234[0], B3, None),
            ("square", SQUARE[:2, :2], C32[:2], None),
            ("complex-tall", Z234[0].T, Z234[1, 0], None),
        )
        for numpy_resid in (False, True)
    },
    "lstsq-negative-rcond": lambda m: m.linalg.lstsq(NEAR_RANK2 * [1.0, 1.0, 0.0], B5, -1.0)[0],
    "cholesky-unsymmetrized": lambda m: [
        *(m.linalg.cholesky(NOT_SYMMETRIC, upper=u, symmetrize_input=False) for u in (0, 1)),
        m.linalg.cholesky(NOT_SYMMETRIC, upper=True),
    ],
    "eigvalsh-unsymmetrized": lambda m: [
        *(m.linalg.eigvalsh(NOT_SYMMETRIC, uplo, symmetrize_input=False) for uplo in "LU"),
        m.linalg.eigvalsh(NOT_SYMMETRIC, "U"),
    ],
    "pinv-default-cutoff": lambda m: [  # JAX's 10·max(m, n)·eps = 6.7e-15, NumPy's 1e-15
        m.linalg.pinv(with_singular_values(C32, [1.0, 4e-15])),
        m.linalg.pinv(separated(A233), rcond=0.2, hermitian=True),
    ],
    "matrix_rank-hermitian": lambda m: m.linalg.matrix_rank(
        np.array([[1.0, 0.0], [2.0, 4.0]]), hermitian=True
    ),
    "cross-2-vectors": lambda m: [
        m.cross(np.array([1, 2]), np.array([3, 4])),
        m.cross(C32, D32, axisa=0, axisb=0, axisc=0),
    ],
    "cross-2-and-3-vectors": lambda m: [
        m.cross(np.array([1, 2]), np.array([3, 4, 5])),
        m.cross(A23, C32[:2], axisc=0),
        m.cross(C32.T, A23, axis=0),
    ],
}


@pytest.mark.parametrize("name", JAX_VALUES)
def test_values_are_jaxs(name: str) -> None:
    fn = JAX_VALUES[name]
    # atol: the residuals of an exact solution, rounding errors of 1e-30 or so
    assert_close(fn(anp), jax.tree_util.tree_map(np.asarray, fn(JNP)), atol=1e-20)


def test_svd_subset_by_index_slices_the_decomposition() -> None:
    """JAX's ``subset_by_index`` (which JAX on a CPU refuses): the triplets start:end, or with
    ``hermitian`` the eigenpairs start:end sorted by |w|; not with full matrices, as JAX."""
    u, s, vh = np.linalg.svd(X234, full_matrices=False)
    got = anp.linalg.svd(X234, full_matrices=False, subset_by_index=(1, 3))
    assert_close(got.S, s[:, 1:3])
    assert_close(np.abs(got.U), np.abs(u[..., 1:3]))
    assert_close(np.abs(got.Vh), np.abs(vh[:, 1:3]))
    values = anp.linalg.svd(X234, False, False, subset_by_index=(0, 1))
    assert_close(values, s[:, :1])
    w = np.linalg.eigvalsh(separated(A233) - 3.0)
    assert_close(
        anp.linalg.svd(separated(A233) - 3.0, False, False, True, subset_by_index=(0, 2)),
        -np.sort(-np.abs(w[:, :2])),
    )
    gradient = ad.grad(
        lambda x: anp.sum(anp.linalg.svd(x, False, False, subset_by_index=(0, 2)) * [1.0, 2.0])
    )(X234[0])
    assert_close(
        gradient, jax.grad(lambda x: JNP.linalg.svdvals(x)[:2] @ JNP.array([1.0, 2.0]))(X234[0])
    )
    for compute_uv in (True, False):
        with pytest.raises(ValueError, match="full_matrices and subset_by_index"):
            anp.linalg.svd(X234, compute_uv=compute_uv, subset_by_index=(0, 1))
        with pytest.raises(ValueError, match="full_matrices and subset_by_index"):
            JNP.linalg.svd(X234, compute_uv=compute_uv, subset_by_index=(0, 1))


def test_jaxs_keywords_are_refused_as_jax_does() -> None:
    """Both of pinv's ``rtol`` and ``rcond``, as JAX; ``out_sharding`` of linalg.tensordot
    (admodes has one device) with a NotImplementedError saying what to do."""
    for m in (anp, JNP):
        with pytest.raises(ValueError, match="only one of rtol and rcond"):
            m.linalg.pinv(X234, rtol=1e-3, rcond=1e-3)
    with pytest.raises(NotImplementedError, match=r"out_sharding is not supported.*drop it"):
        anp.linalg.tensordot(X234, Y234, axes=2, out_sharding="x")


# ---------------------------------------------------------------------------- NumPy's dispatch
DISPATCH: dict[str, Callable[[Any, Any], Any]] = {  # fn(m, x) for a (2, 3, 4) x
    "linalg.cross": lambda m, x: m.linalg.cross(x[..., :3], B3, axis=-1),
    "linalg.diagonal": lambda m, x: m.linalg.diagonal(x, offset=1),
    "linalg.trace": lambda m, x: m.linalg.trace(x, offset=-1),
    "linalg.matrix_norm": lambda m, x: m.linalg.matrix_norm(x, keepdims=True, ord=np.inf),
    "linalg.vector_norm": lambda m, x: m.linalg.vector_norm(x, axis=(0, 2), ord=3),
    "linalg.vecdot": lambda m, x: m.linalg.vecdot(x, x[0], axis=-1),
    "linalg.tensorinv": lambda m, x: m.linalg.tensorinv(x[:, :2] + 5 * np.eye(4).reshape(2, 2, 4)),
    "linalg.tensorsolve": lambda m, x: m.linalg.tensorsolve(T2323, x[:, :, 0]),
    "fft.hfft": lambda m, x: m.fft.hfft(x, 5, axis=1, norm="ortho"),
    "fft.ihfft": lambda m, x: m.real(m.fft.ihfft(x, axis=0, norm="forward")),
}


@pytest.mark.parametrize("name", DISPATCH)
def test_numpy_functions_of_traced_values_reach_admodes(name: str) -> None:
    """``np.linalg.f`` / ``np.fft.f`` of a traced value is ``admodes.numpy``'s f, by both modes
    (without it NumPy's function would raise: no admodes rule)."""
    fn = DISPATCH[name]
    assert_close(fn(anp, X234), fn(np, X234))
    for transform in (ad.jacrev, ad.jacfwd):
        assert_exact(
            transform(functools.partial(fn, np))(X234), transform(functools.partial(fn, anp))(X234)
        )


# ---------------------------------------------------------------------------- bad input
X33 = R(3, 3, seed="bad")
# name: (fn(m, x) for a 3×3 x, admodes' error and message, NumPy's error on the plain input or
# None where NumPy computes a value)
BAD: dict[str, tuple[Callable[[Any, Any], Any], type, str, type | None]] = {
    "cross-2-vectors": (
        lambda m, x: m.linalg.cross(x[:, :2], x[:, :2]),
        ValueError,
        "3 components",
        ValueError,
    ),
    "diagonal-vector": (
        lambda m, x: m.linalg.diagonal(x[0]),
        np.linalg.LinAlgError,
        r"diagonal: expected a matrix .* got shape \(3,\)",
        ValueError,
    ),
    "trace-vector": (
        lambda m, x: m.linalg.trace(x[0]),
        np.linalg.LinAlgError,
        r"trace: expected a matrix .* got shape \(3,\)",
        ValueError,
    ),
    "matrix_norm-vector": (
        lambda m, x: m.linalg.matrix_norm(x[0]),
        np.linalg.LinAlgError,
        r"matrix_norm: expected a matrix",
        ValueError,
    ),
    "matrix_norm-order": (
        lambda m, x: m.linalg.matrix_norm(x, ord=3),
        ValueError,
        "invalid order 3",
        ValueError,
    ),
    "vector_norm-matrix-order": (
        lambda m, x: m.linalg.vector_norm(x, ord="fro"),
        ValueError,
        "'fro' is for matrices",
        ValueError,
    ),
    "vector_norm-repeated-axis": (
        lambda m, x: m.linalg.vector_norm(x, axis=(0, -2)),
        ValueError,
        "repeated axis",
        ValueError,
    ),
    "vector_norm-axis": (
        lambda m, x: m.linalg.vector_norm(x, axis=2),
        np.exceptions.AxisError,
        "out of bounds",
        np.exceptions.AxisError,
    ),
    "vecdot-lengths": (
        lambda m, x: m.linalg.vecdot(x, x[:, :2]),
        ValueError,
        "axes must match",
        ValueError,
    ),
    "tensorinv-ind": (
        lambda m, x: m.linalg.tensorinv(x, ind=0),
        ValueError,
        "ind must be a positive integer, got 0",
        ValueError,
    ),
    "tensorinv-float-ind": (
        lambda m, x: m.linalg.tensorinv(x, ind=1.0),
        TypeError,
        "integer",
        TypeError,
    ),
    "tensorinv-not-square": (
        lambda m, x: m.linalg.tensorinv(x[:2], ind=1),
        np.linalg.LinAlgError,
        "is a 2×3 matrix",
        np.linalg.LinAlgError,
    ),
    "tensorinv-singular": (
        lambda m, x: m.linalg.tensorinv(x * 0.0, ind=1),
        np.linalg.LinAlgError,
        "Singular",
        np.linalg.LinAlgError,
    ),
    "tensorsolve-not-square": (
        lambda m, x: m.linalg.tensorsolve(x, x),
        np.linalg.LinAlgError,
        r"prod\(a.shape\[:2\]\) = 9 and prod\(a.shape\[2:\]\) = 1",
        np.linalg.LinAlgError,
    ),
    "tensorsolve-b": (
        lambda m, x: m.linalg.tensorsolve(x, x[0, :2]),
        ValueError,
        r"b of shape \(2,\) has 2 entries.* needs 3",
        ValueError,
    ),
    "tensorsolve-repeated-axes": (  # NumPy moves axis 0 once; JAX refuses as well
        lambda m, x: m.linalg.tensorsolve(x, x[0], axes=(0, 0)),
        ValueError,
        "repeated axis",
        None,
    ),
    "hfft-norm": (
        lambda m, x: m.fft.hfft(x, norm="Ortho"),
        ValueError,
        "Invalid norm value",
        ValueError,
    ),
    "ihfft-norm": (
        lambda m, x: m.fft.ihfft(x, norm="inverse"),
        ValueError,
        "Invalid norm value",
        ValueError,
    ),
    "ihfft-complex": (lambda m, x: m.fft.ihfft(x * 1j), TypeError, "take real input", TypeError),
    "rfft-complex": (lambda m, x: m.fft.rfft(x + 1j), TypeError, "take real input", TypeError),
    "hfft-n": (
        lambda m, x: m.fft.hfft(x, 0),
        ValueError,
        "invalid number of FFT data points",
        ValueError,
    ),
    "hfft-axis": (
        lambda m, x: m.fft.hfft(x, axis=2),
        np.exceptions.AxisError,
        "out of bounds",
        IndexError,
    ),
    "rfftn-no-axes": (lambda m, x: m.fft.rfftn(x, axes=()), ValueError, "at least one", IndexError),
    "irfftn-no-axes": (
        lambda m, x: m.fft.irfftn(x, axes=()),
        ValueError,
        "at least one",
        IndexError,
    ),
}


@pytest.mark.parametrize("name", BAD)
def test_bad_input_is_refused(name: str) -> None:
    """Plain and traced (both modes) inputs get admodes' error, of the class NumPy raises."""
    fn, error, match, numpy_error = BAD[name]
    with pytest.raises(error, match=match):
        fn(anp, X33)
    for transform in (ad.jacrev, ad.jacfwd):
        with pytest.raises(error, match=match):
            transform(lambda x: parts(anp, fn(anp, x)))(X33)
    if numpy_error is not None:
        with pytest.raises(numpy_error):
            fn(np, X33)


TRANSFORMS = ["fft", "ifft", "rfft", "irfft", "hfft", "ihfft", "fft2", "ifft2", "rfft2", "irfft2",
              "fftn", "ifftn", "rfftn", "irfftn", "fftshift", "ifftshift"]  # fmt: skip


@pytest.mark.parametrize("name", TRANSFORMS)
def test_a_list_is_transformed_as_an_array(name: str) -> None:
    """A nested list is the array NumPy reads from it (fftshift and fftn once returned it as it
    was)."""
    values = [[1.0, 2.0, 3.0], [4.0, 5.0, 7.0]]
    got, want = getattr(anp.fft, name)(values), getattr(np.fft, name)(np.array(values))
    assert np.asarray(got).dtype == want.dtype
    assert_close(got, want)


def test_no_axes_make_the_input_complex_as_jax() -> None:
    for name in ("fftn", "ifftn"):
        got = getattr(anp.fft, name)(X33, axes=())
        want = np.asarray(getattr(JNP.fft, name)(X33, axes=()))
        assert got.dtype == want.dtype
        assert_exact(got, want)


# ---------------------------------------------------------------------------- frequencies
FREQUENCY_DTYPES = [None, np.float32, np.float16, np.complex64, np.complex128]


@pytest.mark.parametrize("name", ["fftfreq", "rfftfreq"])
@pytest.mark.parametrize("dtype", FREQUENCY_DTYPES)
def test_frequencies_take_jax_dtype(name: str, dtype: Any) -> None:
    """fftfreq and rfftfreq(n, d, dtype=...) as JAX's: the result of type ``dtype`` (float64 by
    default), computed in its real type; differentiable in d by both modes, as JAX's."""
    ours, theirs = getattr(anp.fft, name), getattr(jax.numpy.fft, name)
    for n in (1, 4, 7):
        assert_close(ours(n, 0.3, dtype=dtype), np.asarray(theirs(n, 0.3, dtype=dtype)))
    if dtype in (None, np.complex128):
        weights = np.linspace(1.0, 2.0, np.shape(ours(7))[0])
        expected = jax.grad(lambda d: jax.numpy.sum(theirs(7, d, dtype=dtype).real * weights))
        for mode in MODES:
            got = ad.grad(lambda d: anp.sum(anp.real(ours(7, d, dtype=dtype)) * weights), mode=mode)
            assert_close(got(0.3), float(expected(0.3)))


def test_fftfreq_of_an_integer_dtype_is_jaxs() -> None:
    """An integer ``dtype``: the frequencies computed in floating point and cast (truncated)."""
    assert_exact(anp.fft.fftfreq(7, 0.3, dtype=np.int32),
                 np.asarray(jax.numpy.fft.fftfreq(7, 0.3, dtype=np.int32)))  # fmt: skip


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint16, np.int64])
@pytest.mark.parametrize(("n", "d"), [(8, 0.5), (7, 0.9), (9, 2.6)])
def test_rfftfreq_of_an_integer_dtype_is_jaxs(dtype: Any, n: int, d: float) -> None:
    """JAX's rfftfreq with an integer ``dtype`` gives floats, k over d n truncated."""
    ours, theirs = anp.fft.rfftfreq(n, d, dtype=dtype), jax.numpy.fft.rfftfreq(n, d, dtype=dtype)
    assert ours.dtype == theirs.dtype
    assert_exact(ours, np.asarray(theirs))
