"""``admodes.lax.linalg``: JAX's ``jax.lax.linalg``, its names, signatures and results, over
stacks of matrices (shape (..., m, n)).

Each is a composition of admodes' linear algebra, so both engines differentiate it where JAX
does, and some where JAX does not:

- ``cholesky``, ``eigh`` (→ (v, w): vectors first), ``lu`` (→ (lu, pivots, permutation), int32),
  ``qr`` (full matrices by default; ``pivoting`` adds the column order), ``svd`` (full matrices
  by default), ``triangular_solve`` (X·op(A) = B by default: ``left_side=False``): those of
  :mod:`admodes.numpy.linalg` and :mod:`admodes.scipy.linalg`, with their derivatives (JAX's).
  A matrix that is not positive definite makes ``cholesky`` raise NumPy's LinAlgError (JAX
  returns nans), as :func:`admodes.numpy.linalg.cholesky` does. ``symmetrize_input=False``
  reads one triangle and, as JAX, takes the tangent as given;
- ``subset_by_index=(start, end)`` of ``eigh`` and ``svd`` keeps those eigenpairs (ascending)
  or singular triplets (descending) of the whole decomposition, so they differentiate (JAX's
  ``eigh`` refuses to, and its ``svd`` on a CPU refuses the subset);
- ``tridiagonal_solve``: a registry primitive, LAPACK's gtsv (as JAX's on a CPU), with JAX's
  derivatives in all four arguments: dX = A⁻¹(dB − dA X); B̄ = A⁻ᵀ X̄ and Ā = −B̄ Xᵀ on the three
  diagonals;
- ``householder_product`` (Q from LAPACK's reflectors, as ``orgqr``) and ``ormqr`` (Q C, Qᴴ C,
  C Q or C Qᴴ without forming Q): one Householder reflection I − τ v vᴴ after another, so they
  differentiate in the reflectors and τ (JAX's do not); ``cholesky_update`` is the upper
  Cholesky factor of RᵀR + w wᵀ and ``symmetric_product`` α A Aᵀ + β C, both differentiable
  (JAX's ``cholesky_update`` is not); ``lu_pivots_to_permutation`` is integer bookkeeping;
- ``qdwh``: the polar decomposition by JAX's QR-based dynamically weighted Halley steps (the
  same factors, step count and convergence flag), differentiated through the steps by both
  modes (JAX's, through its while-loop, by forward mode only);
- ``eig`` (eigenvalues complex, as JAX's, and LAPACK's left and right eigenvectors),
  ``schur``, ``hessenberg`` and ``tridiagonal`` (LAPACK's reductions, reflectors in place):
  values only, as JAX has no derivative of them (a traced input raises; ``eig`` with
  neither set of vectors differentiates its eigenvalues, as JAX's).

They need SciPy (the ``scipy`` extra): ``admodes.lax.linalg`` is imported on first use.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.linalg

import admodes.numpy as anp
from admodes.core import at_each_index, complex_dtype_of, dtype_of, ndim, plain, shape
from admodes.lax.elementwise import rsqrt
from admodes.numpy import linalg as numpy_linalg
from admodes.numpy.linalg import (
    _adjoint,
    _differentiated,
    _hermitian_eigh,
    _matrices,
    _square,
    _symmetrized,
)
from admodes.rules import special
from admodes.rules.contractions import matrix_transpose
from admodes.scipy import linalg as scipy_linalg
from admodes.scipy.linalg import _not_differentiable

__all__ = ["cholesky", "cholesky_update", "eig", "eigh", "hessenberg", "householder_product",
           "lu", "lu_pivots_to_permutation", "ormqr", "qdwh", "qr", "schur", "svd",
           "symmetric_product", "triangular_solve", "tridiagonal", "tridiagonal_solve"]  # fmt: skip


def _subset(subset_by_index: tuple[int, int] | None, k: int, name: str) -> slice:
    """``subset_by_index`` as a slice of k eigenpairs or singular triplets."""
    if subset_by_index is None:
        return slice(None)
    start, end = subset_by_index
    if not 0 <= start < end <= k:
        raise ValueError(
            f"lax.linalg.{name}: subset_by_index must be (start, end) with 0 ≤ start < end ≤ "
            f"{k}, got {subset_by_index}"
        )
    return slice(start, end)


# ---------------------------------------------------------------------------- decompositions
def cholesky(x: Any, *, symmetrize_input: bool = True) -> Any:
    """L with x = L Lᴴ, lower triangular, for each Hermitian positive-definite matrix of x:
    of (x + xᴴ)/2, or (``symmetrize_input=False``) of x's lower triangle."""
    _square(x, "lax.linalg.cholesky")
    if symmetrize_input:
        return numpy_linalg.cholesky(x)
    return scipy_linalg.cholesky(x, lower=True)


def eigh(
    x: Any,
    *,
    lower: bool = True,
    symmetrize_input: bool = True,
    sort_eigenvalues: bool = True,
    subset_by_index: tuple[int, int] | None = None,
    implementation: Any = None,
) -> tuple[Any, Any]:
    """(v, w): the eigenvectors v[..., :, i] and ascending eigenvalues w[..., i] of each
    Hermitian matrix of x, that of (x + xᴴ)/2 or (``symmetrize_input=False``) of x's ``lower``
    triangle (the eigenvalues are always sorted, as LAPACK gives them)."""
    _square(x, "lax.linalg.eigh")
    if implementation is not None:
        raise NotImplementedError(
            "lax.linalg.eigh: only the default implementation (LAPACK's, as JAX on a CPU) is "
            "available; drop implementation="
        )
    w, v = _hermitian_eigh(_symmetrized(x) if symmetrize_input else x, lower)
    keep = _subset(subset_by_index, shape(x)[-1], "eigh")
    return v[..., :, keep], w[..., keep]


def lu(x: Any) -> list[Any]:
    """[lu, pivots, permutation] with P x = L U for each m×n matrix of x: L (unit diagonal,
    below) and U (on and above) packed in ``lu``; LAPACK's row swaps ``pivots`` (..., min(m, n))
    and the row order ``permutation`` (..., m), both int32 constants."""
    packed, pivots = scipy_linalg.lu_factor(x)
    return [packed, pivots, lu_pivots_to_permutation(pivots, shape(x)[-2])]


def lu_pivots_to_permutation(pivots: Any, permutation_size: int) -> np.ndarray:
    """The row order of ``permutation_size`` rows after the swaps ``pivots`` (..., k): row i
    with row pivots[i], for i = 0, 1, …, k − 1 in turn (int32)."""
    pivots = np.asarray(plain(pivots))
    if pivots.ndim < 1 or permutation_size < pivots.shape[-1]:
        raise ValueError(
            "lax.linalg.lu_pivots_to_permutation: needs pivots of shape (..., k) and "
            f"permutation_size ≥ k, got shape {pivots.shape} and size {permutation_size}"
        )
    return special.permutation(pivots, permutation_size).astype(np.int32)


def qr(
    x: Any, *, pivoting: bool = False, full_matrices: bool = True, use_magma: bool | None = None
) -> tuple[Any, ...]:
    """(q, r) with x = q r for each m×n matrix of x: q m×m and r m×n (``full_matrices``), or
    m×k and k×n (k = min(m, n)); with ``pivoting``, (q, r, p) with x[..., p] = q r (p int32)."""
    return scipy_linalg.qr(x, mode="full" if full_matrices else "economic", pivoting=pivoting)


def svd(
    x: Any,
    *,
    full_matrices: bool = True,
    compute_uv: bool = True,
    subset_by_index: tuple[int, int] | None = None,
    algorithm: Any = None,
) -> Any:
    """(u, s, vh) with x = u diag(s) vh for each m×n matrix of x, s descending; s alone without
    ``compute_uv``. As JAX's, the full u and vh of a non-square matrix cannot be differentiated:
    pass ``full_matrices=False``."""
    _matrices(x, "lax.linalg.svd")
    if algorithm is not None:
        raise NotImplementedError(
            "lax.linalg.svd: only the default algorithm (LAPACK's gesdd, as JAX on a CPU) is "
            "available; drop algorithm="
        )
    keep = _subset(subset_by_index, min(shape(x)[-2:]), "svd")
    if not compute_uv:
        return numpy_linalg.svd(x, compute_uv=False)[..., keep]
    u, s, vh = numpy_linalg.svd(x, full_matrices=full_matrices)
    if subset_by_index is None:
        return u, s, vh
    return u[..., :, keep], s[..., keep], vh[..., keep, :]


# ---------------------------------------------------------------------------- solves
def triangular_solve(
    a: Any,
    b: Any,
    *,
    left_side: bool = False,
    lower: bool = False,
    transpose_a: bool = False,
    conjugate_a: bool = False,
    unit_diagonal: bool = False,
) -> Any:
    """X with op(A) X = B (``left_side``) or X op(A) = B (the default), op(A) = A, Aᵀ
    (``transpose_a``), conj(A) (``conjugate_a``) or Aᴴ (both), reading A's ``lower`` (or upper)
    triangle, its diagonal ones when ``unit_diagonal``. X op(A) = B is solved as
    op(A)ᵀ Xᵀ = Bᵀ."""
    if conjugate_a and not transpose_a:  # op(A) = conj(A): conjugate it, then solve with it
        a, conjugate_a = anp.conj(a), False
    trans = (2 if conjugate_a else 1) if transpose_a else 0
    if left_side:
        return numpy_linalg.solve_triangular(
            a, b, trans=trans, lower=lower, unit_diagonal=unit_diagonal
        )
    if trans == 2:  # (Aᴴ)ᵀ = conj(A)
        a, trans = anp.conj(a), 1
    matrix = ndim(b) >= 2
    x = numpy_linalg.solve_triangular(
        a,
        matrix_transpose(b) if matrix else b,
        trans=1 - trans,
        lower=lower,
        unit_diagonal=unit_diagonal,
    )
    return matrix_transpose(x) if matrix else x


def tridiagonal_solve(dl: Any, d: Any, du: Any, b: Any, *, perturb_singular: bool = False) -> Any:
    """X with A X = B for the tridiagonal A of each set of diagonals (shape (..., m)): the
    sub-diagonal dl (dl[..., 0] unused), the diagonal d and the super-diagonal du
    (du[..., m − 1] unused); b has shape (..., m, n). A singular A raises NumPy's
    LinAlgError (JAX returns nans)."""
    if perturb_singular:
        raise NotImplementedError(
            "lax.linalg.tridiagonal_solve: perturb_singular=True (JAX's perturbed pivots for "
            "singular matrices) is not implemented in admodes; solve a nonsingular system"
        )
    diagonal_shapes = {shape(dl), shape(d), shape(du)}
    if len(diagonal_shapes) != 1 or ndim(d) < 1 or shape(b)[:-1] != shape(d):
        raise ValueError(
            "lax.linalg.tridiagonal_solve: needs dl, d and du of one shape (..., m) and b of "
            f"shape (..., m, n) with the same leading axes, got {shape(dl)}, {shape(d)}, "
            f"{shape(du)} and {shape(b)}"
        )
    return special.tridiagonal_solve(anp.stack([dl, d, du], axis=-2), b)


# ---------------------------------------------------------------------------- Householder
def _reflected(a: Any, taus: Any, c: Any, left: bool, transpose: bool) -> Any:
    """c multiplied by Q = H₀ H₁ ⋯ H_{k−1} (or Qᴴ) on the ``left`` or the right, one reflection
    H_i = I − τ_i v_i v_iᴴ at a time: v_i is column i of a below the diagonal, with a 1 on it
    (LAPACK's storage), and H_iᴴ has conj(τ_i)."""
    m = shape(a)[-2]
    k = shape(taus)[-1]
    if k > min(shape(a)[-2:]):
        raise ValueError(
            f"lax.linalg: {k} reflectors (taus of shape {shape(taus)}) need a with at least {k} "
            f"rows and columns, got shape {shape(a)}"
        )
    vectors = anp.add(anp.tril(a[..., :, :k], -1), np.eye(m, k, dtype=dtype_of(a)))
    scales = anp.conj(taus) if transpose else taus
    # Q C and C Qᴴ apply the last reflection first; Qᴴ C and C Q the first.
    order = range(k - 1, -1, -1) if left != transpose else range(k)
    for i in order:
        v = vectors[..., :, i : i + 1]
        tau = scales[..., i, None, None]
        if left:  # H c = c − τ v (vᴴ c)
            c = anp.subtract(c, anp.multiply(tau, anp.matmul(v, anp.matmul(_adjoint(v), c))))
        else:  # c H = c − τ (c v) vᴴ
            c = anp.subtract(c, anp.multiply(tau, anp.matmul(anp.matmul(c, v), _adjoint(v))))
    return c


def householder_product(a: Any, taus: Any) -> Any:
    """The m×n matrix of Q's first n columns, Q = H₀ ⋯ H_{k−1} the product of the Householder
    reflectors stored in a (shape (..., m, n), as LAPACK's ``geqrf`` leaves them) and ``taus``
    (..., k): LAPACK's ``orgqr``."""
    _matrices(a, "lax.linalg.householder_product")
    m, n = shape(a)[-2:]
    identity = np.broadcast_to(np.eye(m, n, dtype=dtype_of(a)), (*shape(a)[:-2], m, n))
    return _reflected(a, taus, identity, left=True, transpose=False)


def ormqr(a: Any, taus: Any, c: Any, *, left: bool = True, transpose: bool = False) -> Any:
    """Q c (``left``), Qᴴ c (``transpose``), c Q or c Qᴴ (not ``left``) for the Q of the
    Householder reflectors in a and ``taus`` (see :func:`householder_product`), without
    forming Q: LAPACK's ``ormqr``."""
    _matrices(a, "lax.linalg.ormqr")
    _matrices(c, "lax.linalg.ormqr")
    m = shape(a)[-2]
    if shape(c)[-2 if left else -1] != m:
        raise ValueError(
            f"lax.linalg.ormqr: Q is {m}×{m}, so c needs {m} {'rows' if left else 'columns'} "
            f"(left={left}), got shape {shape(c)}"
        )
    return _reflected(a, taus, c, left, transpose)


# ---------------------------------------------------------------------------- updates, products
def cholesky_update(r_matrix: Any, w_vector: Any) -> Any:
    """The upper-triangular R′ with R′ᵀR′ = RᵀR + w wᵀ, for the upper Cholesky factor R of a
    matrix (the factor of the updated matrix, which is unique)."""
    _square(r_matrix, "lax.linalg.cholesky_update")
    updated = anp.add(
        anp.matmul(matrix_transpose(r_matrix), r_matrix),
        anp.multiply(w_vector[..., :, None], w_vector[..., None, :]),
    )
    return matrix_transpose(numpy_linalg.cholesky(updated))


def symmetric_product(
    a_matrix: Any,
    c_matrix: Any,
    *,
    alpha: float = 1.0,
    beta: float = 0.0,
    symmetrize_output: bool = False,
) -> Any:
    """α A Aᵀ + β C; with ``symmetrize_output``, its lower triangle mirrored into the upper
    (JAX guarantees only the lower triangle otherwise)."""
    out = anp.add(
        anp.multiply(alpha, anp.matmul(a_matrix, matrix_transpose(a_matrix))),
        anp.multiply(beta, c_matrix),
    )
    if symmetrize_output:
        out = anp.add(anp.tril(out), matrix_transpose(anp.tril(out, -1)))
    return out


# ---------------------------------------------------------------------------- polar (QDWH)
#: Above this c, a QDWH step solves by QR (stable for an ill-conditioned iterate); below, by
#: Cholesky (cheaper): Nakatsukasa, Bai & Gygi's switch, JAX's value.
CHOLESKY_CUTOFF = 100


def _qdwh_coefficients(eps: float, max_iterations: int) -> list[tuple[float, ...]]:
    """The weights (a, b, c) of each dynamically weighted Halley step, from ℓ = eps, a lower
    bound of the scaled smallest singular value, until ℓ is within 5 eps of 1 (Nakatsukasa, Bai
    & Gygi 2010, eq. 3.3–3.5): d = ∛(4(1 − ℓ²)/ℓ⁴), a = √(1 + d) + ½√(8 − 4d + 8(2 − ℓ²)/(ℓ²
    √(1 + d))), b = (a − 1)²/4, c = a + b − 1, and ℓ ← ℓ(a + b ℓ²)/(1 + c ℓ²)."""
    coefficients = []
    ell = eps
    while ell + 5 * eps < 1 and len(coefficients) < max_iterations:
        l2 = ell * ell
        dd = (4 * (1 / l2 - 1) / l2) ** (1 / 3)
        sqd = (1.0 + dd) ** (1 / 2)
        a = sqd + (2 - dd + 2 * (2 - l2) / (l2 * sqd)) ** (1 / 2)
        b = (a - 1) ** 2 / 4
        c = a + b - 1
        ell = ell * (a + b * l2) / (1 + c * l2)
        coefficients.append((a, b, c))
    return coefficients


def _halley_by_qr(u: Any, a: float, b: float, c: float) -> Any:
    """(b/c) u + (a − b/c)/√c · Q₁Q₂ᴴ, [Q₁; Q₂] the thin Q of [√c u; I]."""
    n = shape(u)[-1]
    stacked = anp.concatenate([anp.multiply(c**0.5, u), np.eye(n, dtype=dtype_of(u))], axis=-2)
    q = numpy_linalg.qr(stacked)[0]
    m = shape(u)[-2]
    update = anp.matmul(q[..., :m, :], _adjoint(q[..., m:, :]))
    return anp.add(anp.multiply(b / c, u), anp.multiply((a - b / c) / c**0.5, update))


def _halley_by_cholesky(u: Any, a: float, b: float, c: float) -> Any:
    """(b/c) u + (a − b/c) u (I + c uᴴu)⁻¹, by the Cholesky factor L of I + c uᴴu: two
    triangular solves, u (L Lᴴ)⁻¹ = (L⁻ᴴ (L⁻¹ uᴴ))ᴴ (L⁻¹ uᴴ as JAX takes it: conj(conj(L)⁻¹ uᵀ))."""
    n = shape(u)[-1]
    gram = anp.add(anp.multiply(c, anp.matmul(_adjoint(u), u)), np.eye(n, dtype=dtype_of(u)))
    low = cholesky(gram, symmetrize_input=False)
    z = anp.conj(
        triangular_solve(low, matrix_transpose(u), left_side=True, lower=True, conjugate_a=True)
    )
    z = _adjoint(
        triangular_solve(low, z, left_side=True, lower=True, transpose_a=True, conjugate_a=True)
    )
    return anp.add(anp.multiply(b / c, u), anp.multiply(a - b / c, z))


def qdwh(
    x: Any,
    *,
    is_hermitian: bool = False,
    max_iterations: int | None = None,
    eps: float | None = None,
    dynamic_shape: tuple[int, int] | None = None,
) -> tuple[Any, Any, int, bool]:
    """(u, h, num_iters, is_converged): the polar decomposition x = u h of a full-rank m×n
    matrix (m ≥ n) by the QR-based dynamically weighted Halley iteration (Nakatsukasa, Bai &
    Gygi 2010), JAX's steps: x scaled by 1/√(‖x‖₁‖x‖∞); the weighted steps (by QR while c > 100,
    then by Cholesky), then Halley's (3, 1, 3) until ‖uₖ − uₖ₋₁‖_F ≤ ∛(5 eps) or
    ``max_iterations`` (10) steps; a Newton–Schulz step u ← 1.5u − 0.5u uᴴu; h = (uᴴx +
    (uᴴx)ᴴ)/2. It is differentiated through the steps, by both modes (JAX's, through its
    while-loop, by forward mode only). ``is_hermitian`` is unused, as in JAX."""
    _matrices(x, "lax.linalg.qdwh")
    m, n = shape(x)[-2:]
    if ndim(x) != 2 or m < n:
        raise ValueError(f"lax.linalg.qdwh: needs one m×n matrix with m ≥ n, got shape {shape(x)}")
    if dynamic_shape is not None:
        raise NotImplementedError(
            "lax.linalg.qdwh: dynamic_shape (a padded matrix's true shape, for jit's static "
            "shapes) is not needed in admodes: pass the unpadded matrix"
        )
    max_iterations = 10 if max_iterations is None else int(max_iterations)
    eps = float(np.finfo(dtype_of(x)).eps) if eps is None else eps
    one_norm = numpy_linalg.norm(x, ord=1)
    inf_norm = numpy_linalg.norm(x, ord=np.inf)
    scale = anp.where(one_norm == 0, 1.0, anp.multiply(rsqrt(one_norm), rsqrt(inf_norm)))
    u = anp.multiply(x, scale)
    tol_norm = np.cbrt(5 * eps)
    coefficients = _qdwh_coefficients(eps, max_iterations)
    num_iters, converged = 0, False
    # every weighted step, then Halley's own weights (3, 1, 3) while u still moves
    while num_iters < len(coefficients) or (not converged and num_iters < max_iterations):
        a, b, c = coefficients[num_iters] if num_iters < len(coefficients) else (3.0, 1.0, 3.0)
        if c > CHOLESKY_CUTOFF:  # no convergence test during the QR steps, as JAX
            u = _halley_by_qr(u, a, b, c)
        else:
            u_prev, u = u, _halley_by_cholesky(u, a, b, c)
            converged = not numpy_linalg.norm(anp.subtract(u, u_prev)) > tol_norm
        num_iters += 1
    cubed = anp.matmul(u, anp.matmul(_adjoint(u), u))
    u = anp.subtract(anp.multiply(1.5, u), anp.multiply(0.5, cubed))
    h = anp.matmul(_adjoint(u), x)
    h = anp.multiply(anp.add(h, _adjoint(h)), 0.5)
    return u, h, num_iters, converged


# ---------------------------------------------------------------------------- values only
def _lapack(name: str, x: Any, fn: Callable[[np.ndarray], tuple]) -> tuple[np.ndarray, ...]:
    """``fn`` of each matrix of x (plain numbers; at each index of a vmap), its results
    stacked; ``name`` for errors."""
    _square(x, f"lax.linalg.{name}")
    return at_each_index(lambda v: _stacked(v, fn), x)


def _stacked(x: np.ndarray, fn: Callable[[np.ndarray], tuple]) -> tuple[np.ndarray, ...]:
    """``fn`` of each matrix of the stack x, each result stacked over x's leading axes."""
    x = np.asarray(x)
    batch = x.shape[:-2]
    results = [fn(m) for m in x.reshape(-1, *x.shape[-2:])]
    return tuple(
        np.array([r[j] for r in results]).reshape(*batch, *np.shape(results[0][j]))
        for j in range(len(results[0]))
    )


def eig(
    x: Any,
    *,
    compute_left_eigenvectors: bool = True,
    compute_right_eigenvectors: bool = True,
    enable_eigvec_derivs: bool = False,
    implementation: Any = None,
    use_magma: bool | None = None,
) -> list[Any]:
    """[w, vl, vr] (each vector set only when asked for): the eigenvalues (complex, LAPACK's
    order) and the left (vlᴴ x = w vlᴴ) and right (x vr = vr w) unit eigenvectors of each
    square matrix of x, LAPACK's ``geev`` (each vector's largest entry real). Without vectors
    the eigenvalues differentiate (dw = diag(V⁻¹ dA V)); with them a traced x raises, as JAX
    does unless ``enable_eigvec_derivs``, which admodes does not implement."""
    _square(x, "lax.linalg.eig")
    complex_dtype = complex_dtype_of(x)
    if not (compute_left_eigenvectors or compute_right_eigenvectors):
        return [numpy_linalg.eigvals(x)]
    if _differentiated(x):
        raise NotImplementedError(
            "lax.linalg.eig: the eigenvectors cannot be differentiated in admodes (JAX needs "
            "enable_eigvec_derivs=True and assumptions on the matrix it cannot check); pass "
            "compute_left_eigenvectors=False, compute_right_eigenvectors=False to differentiate "
            "the eigenvalues, or use eigh for a Hermitian matrix"
        )
    w, vl, vr = _lapack(
        "eig", x, lambda m: scipy.linalg.eig(m, left=True, right=True, check_finite=False)
    )
    parts = [w, vl] if compute_left_eigenvectors else [w]
    if compute_right_eigenvectors:
        parts.append(vr)
    return [np.asarray(p, complex_dtype) for p in parts]


def schur(
    x: Any,
    *,
    compute_schur_vectors: bool = True,
    sort_eig_vals: bool = False,
    select_callable: Any = None,
) -> Any:
    """[T, Q] with x = Q T Qᴴ for each square matrix of x ([T] without
    ``compute_schur_vectors``): LAPACK's real Schur form of a real x (2×2 blocks for complex
    pairs), the triangular one of a complex x. ``sort_eig_vals`` and ``select_callable`` are
    unused, as in JAX."""
    _not_differentiable(
        "lax.linalg.schur", "the Schur decomposition", "for eigenvalues use eig or eigh", x
    )
    t, q = _lapack("schur", x, lambda m: scipy.linalg.schur(m, check_finite=False))
    return [t, q] if compute_schur_vectors else [t]


def hessenberg(a: Any) -> list[np.ndarray]:
    """[a, taus]: LAPACK's ``gehrd`` of each square matrix — the upper Hessenberg form on and
    above the first sub-diagonal, the Householder reflectors below it, their scales ``taus``
    (..., n − 1)."""
    _not_differentiable(
        "lax.linalg.hessenberg",
        "the Hessenberg reduction",
        "differentiate what it is a step to instead: eig, eigh, solve",
        a,
    )

    def gehrd(m: np.ndarray) -> tuple:
        (fn,) = scipy.linalg.get_lapack_funcs(("gehrd",), (m,))
        h, tau, _ = fn(m)
        return h, tau[: m.shape[-1] - 1]

    return list(_lapack("hessenberg", a, gehrd))


def tridiagonal(a: Any, *, lower: bool = True) -> list[np.ndarray]:
    """[a, d, e, taus]: LAPACK's ``sytrd`` (``hetrd`` if complex) of each Hermitian matrix,
    from its ``lower`` (or upper) triangle — the tridiagonal form (diagonal d, off-diagonal e,
    real) and the Householder reflectors beyond it, their scales ``taus`` (..., n − 1)."""
    _not_differentiable(
        "lax.linalg.tridiagonal",
        "the tridiagonal reduction",
        "differentiate what it is a step to instead: eigh",
        a,
    )

    def sytrd(m: np.ndarray) -> tuple:
        name = "hetrd" if m.dtype.kind == "c" else "sytrd"
        (fn,) = scipy.linalg.get_lapack_funcs((name,), (m,))
        c, d, e, tau, _ = fn(m, lower=int(lower))
        return c, d, e, tau

    return list(_lapack("tridiagonal", a, sytrd))
