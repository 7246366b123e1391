"""Linear algebra: solves, inverse, determinants and the decompositions, on stacks of matrices.

Every entry works on the last two axes and broadcasts (or maps) over the leading ones; a batch of
directions is one more leading dimension, so every rule takes it whole. The formulas are Giles
(2008), "Collected matrix derivative results for forward and reverse mode algorithmic
differentiation", Murray (2016) for Cholesky, and the eigh, SVD and QR rules as JAX writes them.

A decomposition with several results is one primitive whose value stacks them along axis -2
(eigh: [w; V], svd: [U; s; V], qr: [Q; Rᵀ]); :mod:`admodes.numpy.linalg` takes them apart.

Where a derivative does not exist, the formulas give what JAX gives: repeated eigenvalues
(eigh) or singular values (svd) divide by zero in the gap matrix F (inf/nan in the result; the
values alone, ``eigvalsh`` and ``svdvals``, are separate entries whose derivatives stay finite,
and the VJPs leave out the terms of vectors whose cotangent is a constant zero, as JAX's symbolic
zero), and a zero singular value divides by zero where m ≠ n. ``qr`` differentiates as JAX
0.10 does, for any m×n (a matrix with fewer rows than columns, and the complete Q of one with
more, by JAX's extensions of the thin rule). ``det`` differentiates through the inverse, so at a
singular matrix it raises NumPy's LinAlgError (JAX gives the adjugate there).

Costs (FLOPs per matrix, n×n unless said, k right-hand sides): LU solve 2n³/3 + 2n²k,
triangular solve n²k, inverse 2n³, det / slogdet 2n³/3 (LU), Cholesky n³/3, eigh 9n³ (the
symmetric QR algorithm with vectors, Golub & Van Loan), eigvalsh 4n³/3 (tridiagonalization),
eigvals 10n³ (the Hessenberg QR algorithm),
SVD of m×n with p = min, q = max: 4qp² + 8p³ (Golub–Reinsch with vectors), its values alone
4qp² − 4p³/3, QR of m×n: 2mn² − 2n³/3, pinv: its SVD + 2mnp.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cache, partial
from typing import Any

import numpy as np

from admodes.core import TRACED_TYPES, complex_dtype_of, dtype_of, ndim, shape, size
from admodes.registry import defprim
from admodes.rules.broadcasting import sum as reduce_sum
from admodes.rules.contractions import matmul, matrix_transpose
from admodes.rules.elementwise import add, divide, multiply, negative, subtract
from admodes.rules.shape import axis_index, concatenate, getitem, reshape


def matrices(x: Any, core_ndim: int = 2) -> int:
    """How many matrices (``core_ndim``-dimensional items) the stack ``x`` holds."""
    s = shape(x)
    return size(x) // max(1, int(np.prod(s[len(s) - core_ndim :])))


# ---------------------------------------------------------------------------- stacking helpers
def rows(v: Any, start: int, stop: int | None = None) -> Any:
    """Rows ``start:stop`` (axis -2) of each matrix of ``v``."""
    return getitem(v, axis_index(ndim(v), -2, slice(start, stop)))


def columns(v: Any, start: int, stop: int | None = None) -> Any:
    """Columns ``start:stop`` (axis -1) of each matrix of ``v``."""
    return getitem(v, axis_index(ndim(v), -1, slice(start, stop)))


def row(v: Any, i: int) -> Any:
    """Row ``i`` (axis -2) of each matrix of ``v``, as a vector."""
    return getitem(v, axis_index(ndim(v), -2, i))


def as_row(v: Any) -> Any:
    """Vectors ``(..., n)`` as one-row matrices ``(..., 1, n)``."""
    s = shape(v)
    return reshape(v, (*s[:-1], 1, s[-1]))


def as_column(v: Any) -> Any:
    """Vectors ``(..., n)`` as one-column matrices ``(..., n, 1)``."""
    return reshape(v, (*shape(v), 1))


def diagonal(x: Any) -> Any:
    """The diagonal of each square matrix of ``x``: Σⱼ xᵢⱼ δᵢⱼ."""
    n = shape(x)[-1]
    return reduce_sum(multiply(x, np.eye(n, dtype=dtype_of(x))), axis=(-2,), keepdims=False)


def diagonal_matrix(v: Any) -> Any:
    """Square matrices with the vectors ``v`` on their diagonals."""
    n = shape(v)[-1]
    return multiply(as_row(v), np.eye(n, dtype=dtype_of(v)))


def mask(n: int, like: Any, lower: bool, k: int = 0, columns: int | None = None) -> np.ndarray:
    """The triangle of an n×n matrix (n×``columns``, if given) as 0/1 in ``like``'s dtype: on
    and below diagonal k (``lower``), or on and above it."""
    ones = np.ones((n, n if columns is None else columns), dtype=dtype_of(like))
    return np.tril(ones, k) if lower else np.triu(ones, k)


def inverse_gaps(d: Any) -> Any:
    """F = 1 / (I + D) − I for a matrix of gaps D with a zero diagonal (JAX's form): 1/Dᵢⱼ off
    the diagonal, 0 on it. A repeated eigen- or singular value makes an entry inf."""
    eye = np.eye(shape(d)[-1], dtype=dtype_of(d))
    return subtract(divide(1.0, add(d, eye)), eye)


def unused(g: Any) -> bool:
    """Whether the cotangent ``g`` of a part of a decomposition is a constant zero, as the part
    gets when it is not used (JAX's symbolic zero; the tape passes zeros). Its terms, which
    multiply by the inverse gaps F, are then left out, so an unused part contributes nothing
    where F is infinite (0·∞ would be nan). A traced zero is kept: its derivative need not be
    zero."""
    return type(g) not in TRACED_TYPES and not np.any(g)


# ----------------------------------------------------------------------------------- solve
def real_only(name: str, rule: Callable[..., Any]) -> Callable[..., Any]:
    """``rule``, refusing complex (Hermitian) input: its formula is for real matrices."""

    def checked(v: Any, ans: Any, a: Any, *rest: Any, **params: Any) -> Any:
        if dtype_of(a).kind == "c":
            raise TypeError(
                f"{name} of a complex matrix cannot be differentiated in admodes (its rules are "
                "for real matrices); split the matrix into real and imaginary parts, or use "
                "solve/inv/det, which take complex matrices."
            )
        return rule(v, ans, a, *rest, **params)

    return checked


def _solve_impl(a: Any, b: Any) -> Any:
    return np.linalg.solve(a, b)


solve = defprim(
    "solve",
    _solve_impl,
    # X = A⁻¹B:  dX = A⁻¹(dB − dA X),  B̄ = A⁻ᵀ X̄,  Ā = −B̄ Xᵀ.
    jvps=[
        lambda t, ans, a, b: negative(solve(a, matmul(t, ans))),
        lambda t, ans, a, b: solve(a, t),
    ],
    vjps=[
        lambda g, ans, a, b: negative(matmul(solve(matrix_transpose(a), g), matrix_transpose(ans))),
        lambda g, ans, a, b: solve(matrix_transpose(a), g),
    ],
    cost=lambda ans, a, b: (
        matrices(ans) * (2 * shape(a)[-1] ** 3 // 3 + 2 * shape(a)[-1] ** 2 * shape(ans)[-1])
    ),
    broadcasts=True,
    batched_jvp=True,
    batched_vjp=True,
)


# ------------------------------------------------------------------------ solve_triangular
def _triangle(a: Any, lower: bool, unit_diagonal: bool) -> Any:
    """The triangle of ``a`` a triangular solve reads (its diagonal replaced by ones when
    ``unit_diagonal``); the other entries are ignored, so their derivative is zero."""
    strict = (-1 if lower else 1) if unit_diagonal else 0
    return multiply(a, mask(shape(a)[-1], a, lower, strict))


def _solve_triangular_impl(
    a: np.ndarray, b: np.ndarray, lower: bool, trans: int, unit_diagonal: bool
) -> np.ndarray:
    """x with op(a) x = b, op(a) = a or aᵀ (``trans``), reading a's lower (or upper) triangle
    only, by substitution as LAPACK's trtrs: accurate however ill-conditioned the triangle (an
    LU solve of it is not). Leading axes broadcast. SciPy's trtrs, one call per matrix (one
    for every right-hand side of a single a), where SciPy is installed and that makes at most
    n calls; else :func:`_substitution`, n steps over the whole stack (the fewer for many
    small matrices)."""
    a, b = np.asarray(a), np.asarray(b)
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2])
    n, k = b.shape[-2:]
    dtype = np.result_type(a.dtype, b.dtype, np.float32)
    lapack = scipy_linalg()
    if lapack is None or (a.ndim > 2 and math.prod(batch) > n):
        if trans:
            a, lower = np.swapaxes(a, -1, -2), not lower
        return _substitution(
            a.astype(dtype, copy=False), b.astype(dtype, copy=False), batch, lower, unit_diagonal
        )
    solved = partial(
        lapack.solve_triangular,
        trans=trans,
        lower=lower,
        unit_diagonal=unit_diagonal,
        check_finite=False,
    )
    if a.ndim == 2:  # every right-hand side in one solve, as columns
        columns = np.moveaxis(b, -2, 0).reshape(n, math.prod(batch) * k)
        return np.moveaxis(solved(a, columns).reshape(n, *batch, k), 0, -2)
    a = np.broadcast_to(a, (*batch, n, n)).reshape(-1, n, n)
    b = np.broadcast_to(b, (*batch, n, k)).reshape(-1, n, k)
    x = np.empty(b.shape, dtype)
    for j in range(len(x)):
        x[j] = solved(a[j], b[j])
    return x.reshape((*batch, n, k))


@cache
def scipy_linalg() -> Any:
    """SciPy's ``scipy.linalg``, or None without the optional extra (imported on first use, so
    importing admodes does not import SciPy). Its LAPACK is JAX's: jaxlib takes its CPU
    kernels from ``scipy.linalg.cython_lapack``."""
    try:
        import scipy.linalg
    except ImportError:
        return None
    return scipy.linalg


def _substitution(
    a: np.ndarray, b: np.ndarray, batch: tuple[int, ...], lower: bool, unit_diagonal: bool
) -> np.ndarray:
    """x with a x = b for the lower (or upper) triangle of each matrix of a (their leading axes
    broadcast to ``batch``), one row at a time:
    xᵢ = (bᵢ − Σⱼ aᵢⱼ xⱼ) / aᵢᵢ over the rows j already found (forward substitution from the
    top for a lower a, back substitution from the bottom for an upper one; aᵢᵢ = 1 with
    ``unit_diagonal``), each step over the whole batch and every column of b. A zero on the
    diagonal raises NumPy's LinAlgError, as LAPACK's."""
    n = a.shape[-1]
    diagonal = np.diagonal(a, axis1=-2, axis2=-1)
    if not unit_diagonal and np.any(diagonal == 0):
        raise np.linalg.LinAlgError("solve_triangular: singular matrix (a zero on the diagonal)")
    x = np.zeros((*batch, *b.shape[-2:]), a.dtype)
    for i in range(n) if lower else range(n - 1, -1, -1):
        known = slice(0, i) if lower else slice(i + 1, n)
        residual = b[..., i, :] - (a[..., i : i + 1, known] @ x[..., known, :])[..., 0, :]
        x[..., i, :] = residual if unit_diagonal else residual / diagonal[..., i, None]
    return x


_TRANS_CODES = {0: 0, 1: 1, 2: 2, "N": 0, "T": 1, "C": 2}


def trans_code(trans: int | str, name: str) -> int:
    """SciPy's ``trans`` of a solve (of ``solve_triangular``, ``lu_solve``) as 0 (a), 1 (aᵀ) or
    2 (aᴴ); anything else raises."""
    if trans not in _TRANS_CODES:
        raise ValueError(f"{name}: trans must be 0, 1, 2, 'N', 'T' or 'C', got {trans!r}")
    return _TRANS_CODES[trans]


def _op(x: Any, trans: int) -> Any:
    return matrix_transpose(x) if trans else x


def _solve_triangular_vjp_a(
    g: Any, ans: Any, a: Any, b: Any, lower: bool, trans: int, unit_diagonal: bool
) -> Any:
    """Ā = −tri(B̄ Xᵀ), or −tri(X B̄ᵀ) when solving with Aᵀ, with B̄ = op(A)⁻ᵀ X̄."""
    b_bar = solve_triangular(a, g, lower=lower, trans=1 - trans, unit_diagonal=unit_diagonal)
    outer = matmul(ans, matrix_transpose(b_bar)) if trans else matmul(b_bar, matrix_transpose(ans))
    return negative(_triangle(outer, lower, unit_diagonal))


solve_triangular = defprim(
    "solve_triangular",
    _solve_triangular_impl,
    # X = op(A)⁻¹B, op(A) = A or Aᵀ:  dX = op(A)⁻¹(dB − op(tri(dA)) X),  B̄ = op(A)⁻ᵀ X̄.
    jvps=[
        lambda t, ans, a, b, lower, trans, unit_diagonal: negative(
            solve_triangular(
                a,
                matmul(_op(_triangle(t, lower, unit_diagonal), trans), ans),
                lower=lower,
                trans=trans,
                unit_diagonal=unit_diagonal,
            )
        ),
        lambda t, ans, a, b, lower, trans, unit_diagonal: solve_triangular(
            a, t, lower=lower, trans=trans, unit_diagonal=unit_diagonal
        ),
    ],
    vjps=[
        _solve_triangular_vjp_a,
        lambda g, ans, a, b, lower, trans, unit_diagonal: solve_triangular(
            a, g, lower=lower, trans=1 - trans, unit_diagonal=unit_diagonal
        ),
    ],
    cost=lambda ans, a, b, **params: matrices(ans) * shape(a)[-1] ** 2 * shape(ans)[-1],
    broadcasts=True,
    batched_jvp=True,
    batched_vjp=True,
)


# ------------------------------------------------------------------------ inverse, determinants
def _inv_impl(a: Any) -> Any:
    return np.linalg.inv(a)


inv = defprim(
    "inv",
    _inv_impl,
    # d(A⁻¹) = −A⁻¹ dA A⁻¹,  Ā = −A⁻ᵀ Ḡ A⁻ᵀ.
    jvps=[lambda t, ans, a: negative(matmul(matmul(ans, t), ans))],
    vjps=[
        lambda g, ans, a: negative(matmul(matmul(matrix_transpose(ans), g), matrix_transpose(ans)))
    ],
    cost=lambda ans, a: matrices(ans) * 2 * shape(a)[-1] ** 3,
    batched_jvp=True,
    batched_vjp=True,
)


def _dlogdet(t: Any, a: Any) -> Any:
    """d log|det A| = tr(A⁻¹ dA) = Σ A⁻ᵀ ∘ dA."""
    return reduce_sum(multiply(matrix_transpose(inv(a)), t), axis=(-2, -1), keepdims=False)


def _as_matrices(v: Any) -> Any:
    """One value per matrix as 1×1 matrices, to scale a stack."""
    return reshape(v, (*shape(v), 1, 1))


def _lu_cost(ans: Any, a: Any) -> int:
    return size(ans) * 2 * shape(a)[-1] ** 3 // 3


det = defprim(
    "det",
    np.linalg.det,
    # d det A = det A · tr(A⁻¹ dA),  Ā = ḡ det A · A⁻ᵀ.
    jvps=[lambda t, ans, a: multiply(ans, _dlogdet(t, a))],
    vjps=[lambda g, ans, a: multiply(_as_matrices(multiply(g, ans)), matrix_transpose(inv(a)))],
    cost=_lu_cost,
    batched_jvp=True,
    batched_vjp=True,
)


def _logdet_impl(a: Any) -> Any:
    """log|det a| for a real a; log det a = log|det a| + i arg det a for a complex one."""
    sign, logabsdet = np.linalg.slogdet(a)
    return logabsdet + 1j * np.angle(sign) if np.iscomplexobj(a) else logabsdet


slogdet = defprim(
    "slogdet",
    _logdet_impl,
    # log|det A| of a real A (slogdet's differentiable part; its sign is piecewise constant), or
    # the holomorphic log det A of a complex one (admodes.numpy.linalg.slogdet takes it apart):
    # d = tr(A⁻¹ dA),  Ā = ḡ A⁻ᵀ.
    jvps=[lambda t, ans, a: _dlogdet(t, a)],
    vjps=[lambda g, ans, a: multiply(_as_matrices(g), matrix_transpose(inv(a)))],
    cost=_lu_cost,
    batched_jvp=True,
    batched_vjp=True,
)


# ------------------------------------------------------------------------------- Cholesky
def _phi(x: Any) -> Any:
    """Φ(X): the lower triangle of X with its diagonal halved."""
    n = shape(x)[-1]
    return multiply(x, mask(n, x, True) - 0.5 * np.eye(n, dtype=dtype_of(x)))


def _cholesky_jvp(t: Any, ans: Any, a: Any) -> Any:
    """dL = L Φ(L⁻¹ dA L⁻ᵀ) (Murray 2016)."""
    left = solve_triangular(ans, t, lower=True, trans=0, unit_diagonal=False)
    both = solve_triangular(ans, matrix_transpose(left), lower=True, trans=0, unit_diagonal=False)
    return matmul(ans, _phi(matrix_transpose(both)))


def _cholesky_vjp(g: Any, ans: Any, a: Any) -> Any:
    """Ā = L⁻ᵀ Φ(Lᵀ L̄) L⁻¹, the transpose of the JVP."""
    inner = _phi(matmul(matrix_transpose(ans), g))
    left = solve_triangular(ans, inner, lower=True, trans=1, unit_diagonal=False)
    both = solve_triangular(ans, matrix_transpose(left), lower=True, trans=1, unit_diagonal=False)
    return matrix_transpose(both)


cholesky = defprim(
    "cholesky",
    np.linalg.cholesky,
    jvps=[real_only("cholesky", _cholesky_jvp)],
    vjps=[real_only("cholesky", _cholesky_vjp)],
    cost=lambda ans, a: matrices(ans) * shape(a)[-1] ** 3 // 3,
    batched_jvp=True,
    batched_vjp=True,
)


# ----------------------------------------------------------------------------------- eigh
def _eigh_impl(a: Any, lower: bool = True) -> Any:
    """[w; V] of the Hermitian matrix given by a's ``lower`` (or upper) triangle."""
    w, v = np.linalg.eigh(a, UPLO="L" if lower else "U")
    return np.concatenate([w[..., None, :], v], axis=-2)


def _eigh_parts(ans: Any) -> tuple[Any, Any, Any]:
    """Eigenvalues w, eigenvectors V and F = 1/(wⱼ − wᵢ) (0 on the diagonal) from [w; V]."""
    w, v = row(ans, 0), rows(ans, 1)
    return w, v, inverse_gaps(subtract(as_row(w), as_column(w)))


def _eigh_jvp(t: Any, ans: Any, a: Any, lower: bool = True) -> Any:
    """dw = diag(Vᵀ dA V),  dV = V (F ∘ Vᵀ dA V) (dA as given, whichever triangle a's value
    was read from: JAX's convention)."""
    _, v, f = _eigh_parts(ans)
    vt_dv = matmul(matmul(matrix_transpose(v), t), v)
    return concatenate(as_row(diagonal(vt_dv)), matmul(v, multiply(f, vt_dv)), axis=-2)


def _eigh_vjp(g: Any, ans: Any, a: Any, lower: bool = True) -> Any:
    """Ā = V (diag(w̄) + F ∘ Vᵀ V̄) Vᵀ (without the F term when V̄ is unused)."""
    _, v, f = _eigh_parts(ans)
    vt, gv = matrix_transpose(v), rows(g, 1)
    inner = diagonal_matrix(row(g, 0))
    if not unused(gv):
        inner = add(inner, multiply(f, matmul(vt, gv)))
    return matmul(matmul(v, inner), vt)


eigh = defprim(
    "eigh",
    _eigh_impl,
    jvps=[real_only("eigh", _eigh_jvp)],
    vjps=[real_only("eigh", _eigh_vjp)],
    cost=lambda ans, a, lower=True: matrices(a) * 9 * shape(a)[-1] ** 3,
    batched_jvp=True,
    batched_vjp=True,
)


def _values_jvp(vectors: Callable[..., tuple[Any, Any]]) -> Callable[..., Any]:
    """The JVP of the values σ of a = U diag(σ) Vᵀ, with (U, V) = ``vectors(a, **params)``
    recomputed: dσ = diag(Uᵀ dA V)."""

    def rule(t: Any, ans: Any, a: Any, **params: Any) -> Any:
        u, v = vectors(a, **params)
        return diagonal(matmul(matmul(matrix_transpose(u), t), v))

    return rule


def _values_vjp(vectors: Callable[..., tuple[Any, Any]]) -> Callable[..., Any]:
    """The VJP of the values σ of a = U diag(σ) Vᵀ:  Ā = U diag(σ̄) Vᵀ."""

    def rule(g: Any, ans: Any, a: Any, **params: Any) -> Any:
        u, v = vectors(a, **params)
        return matmul(multiply(u, as_row(g)), matrix_transpose(v))

    return rule


def _hermitian_eigenvectors(a: Any, lower: bool = True) -> tuple[Any, Any]:
    v = rows(eigh(a, lower=lower), 1)
    return v, v


def _eigvalsh_impl(a: Any, lower: bool = True) -> Any:
    """The eigenvalues of the Hermitian matrix given by a's ``lower`` (or upper) triangle."""
    return np.linalg.eigvalsh(a, UPLO="L" if lower else "U")


eigvalsh = defprim(
    "eigvalsh",
    _eigvalsh_impl,
    # The eigenvalues alone (finite derivatives at repeated eigenvalues too); the rules
    # recompute the eigenvectors.
    jvps=[real_only("eigvalsh", _values_jvp(_hermitian_eigenvectors))],
    vjps=[real_only("eigvalsh", _values_vjp(_hermitian_eigenvectors))],
    cost=lambda ans, a, lower=True: matrices(a) * 4 * shape(a)[-1] ** 3 // 3,
    batched_jvp=True,
    batched_vjp=True,
)


# --------------------------------------------------------- eigvals (general matrices)
#: What JAX says too: the eigenvectors of a general matrix have no derivative it can vouch for.
EIGENVECTORS_NOT_DIFFERENTIABLE = (
    "the eigenvectors of a non-symmetric matrix cannot be differentiated in admodes (nor in JAX: "
    "their derivative holds only under assumptions on the matrix that cannot be checked), so "
    "neither can eig's vectors nor eigvals twice; differentiate eigvals once, or use eigh for a "
    "symmetric matrix"
)


def _eigvals_impl(a: np.ndarray) -> np.ndarray:
    """The eigenvalues of the general matrix a, complex whatever the spectrum, as JAX's
    (NumPy's are real when every eigenvalue is)."""
    return np.linalg.eigvals(a).astype(complex_dtype_of(a), copy=False)


def _eigenvectors(a: Any) -> np.ndarray:
    """The eigenvectors V of the general matrix a (complex, as the eigenvalues), for the
    eigenvalues' rules: plain, so a traced a (a second derivative) is refused rather than
    differentiated as a constant."""
    if type(a) in TRACED_TYPES:
        raise NotImplementedError(EIGENVECTORS_NOT_DIFFERENTIABLE)
    return np.linalg.eig(a)[1].astype(complex_dtype_of(a), copy=False)


def _eigvals_jvp(t: Any, ans: Any, a: Any) -> Any:
    """dw = diag(V⁻¹ dA V), V the eigenvectors (JAX's rule)."""
    v = _eigenvectors(a)
    return diagonal(solve(v, matmul(t, v)))


def _eigvals_vjp(g: Any, ans: Any, a: Any) -> Any:
    """Ā = V⁻ᵀ diag(w̄) Vᵀ, the transpose of the JVP (a real a takes its real part)."""
    vt = np.swapaxes(_eigenvectors(a), -1, -2)
    return matmul(solve(vt, diagonal_matrix(g)), vt)


eigvals = defprim(
    "eigvals",
    _eigvals_impl,
    jvps=[_eigvals_jvp],
    vjps=[_eigvals_vjp],
    cost=lambda ans, a: matrices(a) * 10 * shape(a)[-1] ** 3,
)


# ------------------------------------------------------------------------------------ SVD
def _svd_impl(a: Any) -> Any:
    u, s, vh = np.linalg.svd(a, full_matrices=False)
    return np.concatenate([u, s[..., None, :], np.swapaxes(vh, -1, -2)], axis=-2)


def _svd_parts(ans: Any, a: Any) -> tuple[Any, Any, Any, Any]:
    """U, s, V and F = 1/(sⱼ² − sᵢ²) (0 on the diagonal) from [U; s; V]."""
    m = shape(a)[-2]
    u, s, v = rows(ans, 0, m), row(ans, m), rows(ans, m + 1)
    s_row, s_col = as_row(s), as_column(s)
    return u, s, v, inverse_gaps(multiply(add(s_row, s_col), subtract(s_row, s_col)))


def _off_range(x: Any, basis: Any, s: Any) -> Any:
    """(I − B Bᵀ) X S⁻¹: the part of X outside the range of B, columns divided by s."""
    outside = subtract(x, matmul(basis, matmul(matrix_transpose(basis), x)))
    return divide(outside, as_row(s))


def _svd_jvp(t: Any, ans: Any, a: Any) -> Any:
    """With dS = Uᵀ dA V:  ds = diag(dS),  dU = U (F ∘ (dS S + S dSᵀ)) [+ (I − UUᵀ) dA V S⁻¹ if
    m > n],  dV = V (F ∘ (S dS + dSᵀ S)) [+ (I − VVᵀ) dAᵀ U S⁻¹ if n > m]."""
    m, n = shape(a)[-2:]
    u, s, v, f = _svd_parts(ans, a)
    ds = matmul(matmul(matrix_transpose(u), t), v)
    ds_s = multiply(ds, as_row(s))
    s_ds = multiply(as_column(s), ds)
    du = matmul(u, multiply(f, add(ds_s, matrix_transpose(ds_s))))
    dv = matmul(v, multiply(f, add(s_ds, matrix_transpose(s_ds))))
    if m > n:
        du = add(du, _off_range(matmul(t, v), u, s))
    if n > m:
        dv = add(dv, _off_range(matmul(matrix_transpose(t), u), v, s))
    return concatenate(du, as_row(diagonal(ds)), dv, axis=-2)


def _svd_vjp(g: Any, ans: Any, a: Any) -> Any:
    """Ā = U (diag(s̄) + (J + Jᵀ) S + S (K + Kᵀ)) Vᵀ with J = F ∘ UᵀŪ, K = F ∘ VᵀV̄
    [+ (I − UUᵀ) Ū S⁻¹ Vᵀ if m > n] [+ U S⁻¹ V̄ᵀ (I − VVᵀ) if n > m]; the terms of an unused
    Ū or V̄ are left out."""
    m, n = shape(a)[-2:]
    u, s, v, f = _svd_parts(ans, a)
    gu, gs, gv = rows(g, 0, m), row(g, m), rows(g, m + 1)
    inner = diagonal_matrix(gs)
    if not unused(gu):
        j = multiply(f, matmul(matrix_transpose(u), gu))
        inner = add(inner, multiply(add(j, matrix_transpose(j)), as_row(s)))
    if not unused(gv):
        k = multiply(f, matmul(matrix_transpose(v), gv))
        inner = add(inner, multiply(as_column(s), add(k, matrix_transpose(k))))
    vt = matrix_transpose(v)
    a_bar = matmul(matmul(u, inner), vt)
    if m > n and not unused(gu):
        a_bar = add(a_bar, matmul(_off_range(gu, u, s), vt))
    if n > m and not unused(gv):
        a_bar = add(a_bar, matmul(u, matrix_transpose(_off_range(gv, v, s))))
    return a_bar


def svd_cost(a: Any) -> int:
    """4qp² + 8p³ per m×n matrix, p = min(m, n), q = max(m, n)."""
    p, q = sorted(shape(a)[-2:])
    return matrices(a) * (4 * q * p**2 + 8 * p**3)


svd = defprim(
    "svd",
    _svd_impl,
    jvps=[real_only("svd", _svd_jvp)],
    vjps=[real_only("svd", _svd_vjp)],
    cost=lambda ans, a: svd_cost(a),
    batched_jvp=True,
    batched_vjp=True,
)


def _singular_vectors(a: Any) -> tuple[Any, Any]:
    packed = svd(a)
    m = shape(a)[-2]
    return rows(packed, 0, m), rows(packed, m + 1)


def _svdvals_cost(ans: Any, a: Any) -> int:
    """4qp² − 4p³/3 per matrix (bidiagonalization; the values alone)."""
    p, q = sorted(shape(a)[-2:])
    return matrices(a) * (4 * q * p**2 - 4 * p**3 // 3)


svdvals = defprim(
    "svdvals",
    lambda a: np.linalg.svd(a, compute_uv=False),
    # The singular values alone (finite derivatives at repeated singular values too), the
    # singular vectors recomputed by the rules.
    jvps=[real_only("svdvals", _values_jvp(_singular_vectors))],
    vjps=[real_only("svdvals", _values_vjp(_singular_vectors))],
    cost=_svdvals_cost,
    batched_jvp=True,
    batched_vjp=True,
)


# ------------------------------------------------------------------------------------- QR
def _qr_impl(a: Any, complete: bool = False) -> Any:
    q, r = np.linalg.qr(a, mode="complete" if complete else "reduced")
    return np.concatenate([q, np.swapaxes(r, -1, -2)], axis=-2)


def _qr_parts(ans: Any, a: Any) -> tuple[Any, Any]:
    """Q and R from [Q; Rᵀ]."""
    m = shape(a)[-2]
    return rows(ans, 0, m), matrix_transpose(rows(ans, m))


def _times_r_inverse(x: Any, r: Any) -> Any:
    """X R⁻¹ = (R⁻ᵀ Xᵀ)ᵀ."""
    return matrix_transpose(
        solve_triangular(r, matrix_transpose(x), lower=False, trans=1, unit_diagonal=False)
    )


def _thin_qr_jvp(q: Any, r: Any, t: Any) -> tuple[Any, Any]:
    """Of A = Q R with R square: X = dA R⁻¹, C = QᵀX, Ω = tril₋₁(C) − tril₋₁(C)ᵀ:
    dQ = Q(Ω − C) + X,  dR = (C − Ω) R."""
    x = _times_r_inverse(t, r)
    c = matmul(matrix_transpose(q), x)
    low = multiply(c, mask(shape(c)[-1], c, True, -1))
    omega = subtract(low, matrix_transpose(low))
    return add(matmul(q, subtract(omega, c)), x), matmul(subtract(c, omega), r)


def _thin_qr_vjp(q: Any, r: Any, gq: Any, gr: Any) -> Any:
    """The transpose of :func:`_thin_qr_jvp`: M = QᵀQ̄ − R̄Rᵀ, C̄ = tril₋₁(M − Mᵀ) − M:
    Ā = (Q̄ + Q C̄) R⁻ᵀ."""
    mm = subtract(matmul(matrix_transpose(q), gq), matmul(gr, matrix_transpose(r)))
    low = multiply(subtract(mm, matrix_transpose(mm)), mask(shape(mm)[-1], mm, True, -1))
    x_bar = add(gq, matmul(q, subtract(low, mm)))
    return matrix_transpose(
        solve_triangular(r, matrix_transpose(x_bar), lower=False, trans=0, unit_diagonal=False)
    )


def _completion(q: Any, n: int) -> tuple[Any, Any, Any]:
    """For the complete Q = [Q₁ Q₂] (m×m) of an m×n matrix, m > n: Q₁ (m×n), Q₂ and
    Zᵀ = (Q_nn − I)⁻ᵀ Q_pnᵀ, with Q_nn, Q_pn the first n and last m − n rows of Q₁ (eq. 33 of
    arXiv:2409.13374, as JAX)."""
    q1, q2 = columns(q, 0, n), columns(q, n)
    eye = np.eye(n, dtype=dtype_of(q))
    zt = solve(matrix_transpose(subtract(rows(q1, 0, n), eye)), matrix_transpose(rows(q1, n)))
    return q1, q2, zt


def _qr_jvp(t: Any, ans: Any, a: Any, complete: bool = False) -> Any:
    """The thin rule, and JAX's two extensions of it. Fewer rows than columns (A = [A₁ A₂], A₁
    square): (dQ, dR₁) by the thin rule of A₁ = Q R₁, and dR₂ = dQᵀ A₂ + Qᵀ dA₂ (R₂ = Qᵀ A₂).
    The complete Q of m > n rows: (dQ₁, dR₁) by the thin rule, dR = [dR₁; 0], and
    dQ₂ = dQ₁ Zᵀ − (Q₁ + Q₂ Z)(dQ_pn − Z dQ_nn)ᵀ (eq. 32 there)."""
    m, n = shape(a)[-2:]
    q, r = _qr_parts(ans, a)
    if m < n:
        dq, dr1 = _thin_qr_jvp(q, columns(r, 0, m), columns(t, 0, m))
        dr2 = add(
            matmul(matrix_transpose(dq), columns(a, m)), matmul(matrix_transpose(q), columns(t, m))
        )
        return concatenate(dq, matrix_transpose(concatenate(dr1, dr2, axis=-1)), axis=-2)
    if not complete or m == n:
        dq, dr = _thin_qr_jvp(q, r, t)
        return concatenate(dq, matrix_transpose(dr), axis=-2)
    q1, q2, zt = _completion(q, n)
    dq1, dr1 = _thin_qr_jvp(q1, rows(r, 0, n), t)
    z = matrix_transpose(zt)
    spread = subtract(rows(dq1, n), matmul(z, rows(dq1, 0, n)))
    dq2 = subtract(matmul(dq1, zt), matmul(add(q1, matmul(q2, z)), matrix_transpose(spread)))
    zeros = np.zeros((*shape(dr1)[:-2], n, m - n), dtype_of(dr1))  # dRᵀ's last columns
    dq = concatenate(dq1, dq2, axis=-1)
    return concatenate(dq, concatenate(matrix_transpose(dr1), zeros, axis=-1), axis=-2)


def _qr_vjp(g: Any, ans: Any, a: Any, complete: bool = False) -> Any:
    """The transpose of :func:`_qr_jvp`. Fewer rows than columns: Ā₁ by the thin rule with
    Q̄ + A₂ R̄₂ᵀ and R̄₁, Ā₂ = Q R̄₂. The complete Q: D̄ = −Q̄₂ᵀ (Q₁ + Q₂ Z), and the thin rule
    with Q̄₁ + Q̄₂ Z + [−Zᵀ D̄; D̄] and R̄'s first n rows."""
    m, n = shape(a)[-2:]
    q, r = _qr_parts(ans, a)
    gq, gr = rows(g, 0, m), matrix_transpose(rows(g, m))
    if m < n:
        gr2 = columns(gr, m)
        gq = add(gq, matmul(columns(a, m), matrix_transpose(gr2)))
        a1_bar = _thin_qr_vjp(q, columns(r, 0, m), gq, columns(gr, 0, m))
        return concatenate(a1_bar, matmul(q, gr2), axis=-1)
    if not complete or m == n:
        return _thin_qr_vjp(q, r, gq, gr)
    q1, q2, zt = _completion(q, n)
    gq1, gq2 = columns(gq, 0, n), columns(gq, n)
    if not unused(gq2):
        z = matrix_transpose(zt)
        d_bar = negative(matmul(matrix_transpose(gq2), add(q1, matmul(q2, z))))
        spread = concatenate(negative(matmul(zt, d_bar)), d_bar, axis=-2)
        gq1 = add(gq1, add(matmul(gq2, z), spread))
    return _thin_qr_vjp(q1, rows(r, 0, n), gq1, rows(gr, 0, n))


def _qr_cost(ans: Any, a: Any, complete: bool = False) -> int:
    m, n = shape(a)[-2:]
    k = min(m, n)
    return matrices(a) * (2 * m * n * k - 2 * k**3 // 3)


qr = defprim(  # [Q; Rᵀ], the reduced factors, or with ``complete`` the m×m Q
    "qr",
    _qr_impl,
    jvps=[real_only("qr", _qr_jvp)],
    vjps=[real_only("qr", _qr_vjp)],
    cost=_qr_cost,
    batched_jvp=True,
    batched_vjp=True,
)


# ------------------------------------------------------------------------------------ pinv
def _eye_like(n: int, x: Any) -> np.ndarray:
    return np.eye(n, dtype=dtype_of(x))


def _pinv_jvp(t: Any, ans: Any, a: Any, rcond: float | None) -> Any:
    """dP = −P dA P + P Pᵀ dAᵀ (I − A P) + (I − P A) dAᵀ Pᵀ P (constant rank, as JAX)."""
    m, n = shape(a)[-2:]
    p, pt, tt = ans, matrix_transpose(ans), matrix_transpose(t)
    first = negative(matmul(matmul(p, t), p))
    second = matmul(matmul(matmul(p, pt), tt), subtract(_eye_like(m, a), matmul(a, p)))
    third = matmul(matmul(subtract(_eye_like(n, a), matmul(p, a)), tt), matmul(pt, p))
    return add(first, add(second, third))


def _pinv_vjp(g: Any, ans: Any, a: Any, rcond: float | None) -> Any:
    """Ā = −Pᵀ Ḡ Pᵀ + (I − A P) Ḡᵀ P Pᵀ + Pᵀ P Ḡᵀ (I − P A)."""
    m, n = shape(a)[-2:]
    p, pt, gt = ans, matrix_transpose(ans), matrix_transpose(g)
    first = negative(matmul(matmul(pt, g), pt))
    second = matmul(matmul(subtract(_eye_like(m, a), matmul(a, p)), gt), matmul(p, pt))
    third = matmul(matmul(pt, p), matmul(gt, subtract(_eye_like(n, a), matmul(p, a))))
    return add(first, add(second, third))


pinv = defprim(
    "pinv",
    lambda a, rcond: np.linalg.pinv(a, rcond=rcond),
    jvps=[real_only("pinv", _pinv_jvp)],
    vjps=[real_only("pinv", _pinv_vjp)],
    cost=lambda ans, a, rcond: svd_cost(a) + 2 * size(a) * min(shape(a)[-2:]),
    batched_jvp=True,
    batched_vjp=True,
)
