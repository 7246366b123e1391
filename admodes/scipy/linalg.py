"""``admodes.scipy.linalg``: SciPy's solves, inverse, determinant, decompositions (LU, Cholesky,
QR, eigh, SVD), ``block_diag`` and ``expm``, differentiable by both engines.

``solve``, ``inv``, ``det``, ``eigh``, ``qr`` and ``svd`` are those of
:mod:`admodes.numpy.linalg` with SciPy's signatures, defaults and results (as
``jax.scipy.linalg`` has them): ``svd`` and ``qr`` give the full factors by default, ``qr`` a
tuple in every mode, ``eigh`` ``(w, v)`` or, with ``eigvals_only``, ``w``. ``solve_triangular``
is :mod:`admodes.numpy.linalg`'s; ``cho_factor`` and ``cholesky`` are the Cholesky factor (JAX's
convention: the unused triangle holds zeros, where ``cho_factor`` of SciPy leaves arbitrary
values; the input is not symmetrized, unlike ``numpy.linalg.cholesky``), and ``cho_solve`` two
triangular solves. ``lu_factor`` is the primitive ``lu`` (stacks of m×n matrices; the pivots are
constants), ``lu`` reads P, L and U from it, and ``lu_solve`` is two triangular solves of its
packed factors. ``expm`` is a primitive whose rules are the Fréchet derivative L(A, E), the
upper-right block of expm([[A, E], [0, A]]) (JVP at A, VJP at Aᵀ). Complex matrices are
Hermitian where SciPy's are (a = L Lᴴ = Uᴴ U); the Cholesky factor of a complex matrix cannot be
differentiated.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, plain, shape
from admodes.numpy import linalg as numpy_linalg
from admodes.numpy.linalg import _right_hand_side, _square, solve_triangular
from admodes.rules.contractions import matrix_transpose
from admodes.rules.linalg import cholesky as _cholesky
from admodes.rules.linalg import trans_code
from admodes.rules.shape import along_axis
from admodes.rules.special import expm, lu_factors, lu_permutation, permutation, permute_rows
from admodes.rules.special import lu as _lu

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "det", "eigh", "expm", "inv",
           "lu", "lu_factor", "lu_solve", "qr", "solve", "solve_triangular", "svd"]  # fmt: skip


def cho_factor(a: Any, lower: bool = False) -> tuple[Any, bool]:
    """(c, lower): the Cholesky factor L (``lower``) or U of a = L Lᴴ = Uᴴ U, from a's lower
    (upper) triangle; U = Lᵀ for the L of aᵀ. As SciPy and JAX, a is not symmetrized: the
    factorization of a (of aᵀ when upper) is differentiated as it stands."""
    if lower:
        return _cholesky(a), True
    return matrix_transpose(_cholesky(matrix_transpose(a))), False


def cholesky(a: Any, lower: bool = False) -> Any:
    """SciPy's ``cholesky``: U with a = Uᴴ U (from a's upper triangle), or L with a = L Lᴴ
    (``lower``, from its lower triangle); ``cho_factor``'s factor."""
    return cho_factor(a, lower=lower)[0]


def cho_solve(c_and_lower: tuple[Any, bool], b: Any) -> Any:
    """x with a x = b from ``cho_factor(a)``: L y = b, Lᴴ x = y (or Uᴴ y = b, U x = y)."""
    c, lower = c_and_lower
    y = solve_triangular(c, b, trans=0 if lower else 2, lower=lower)
    return solve_triangular(c, y, trans=2 if lower else 0, lower=lower)


def lu_factor(
    a: Any, overwrite_a: bool = False, check_finite: bool = True
) -> tuple[Any, np.ndarray]:
    """(lu, piv) of each m×n matrix of a (shape (..., m, n)): L (unit diagonal, below) and U (on
    and above) packed in one matrix, with a[perm] = L U for the row swaps ``piv`` (LAPACK's, as
    SciPy; shape (..., min(m, n)))."""
    _matrices(a, "lu_factor")
    return _lu(a), lu_factors(plain(a))[1]


def lu(
    a: Any, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> tuple[Any, ...]:
    """(P, L, U) with a = P L U for each m×n matrix of a: P the m×m permutation (a constant, in
    a's real dtype), L m×k unit lower trapezoidal, U k×n upper trapezoidal (k = min(m, n)), read
    from ``lu_factor``'s packed factors; with ``permute_l``, (P L, U)."""
    _matrices(a, "lu")
    packed = _lu(a)
    m, n = shape(a)[-2:]
    k = min(m, n)
    perm = lu_permutation(a)
    dtype = dtype_of(packed)
    low = anp.add(anp.tril(packed[..., :, :k], -1), np.eye(m, k, dtype=dtype))
    up = anp.triu(packed[..., :k, :])
    if permute_l:
        return permute_rows(low, np.argsort(perm, axis=-1)), up
    p = perm[..., None, :] == np.arange(m)[:, None]
    return p.astype(np.zeros((), dtype).real.dtype), low, up


def lu_solve(
    lu_and_piv: tuple[Any, np.ndarray],
    b: Any,
    trans: int = 0,
    overwrite_b: bool = False,
    check_finite: bool = True,
) -> Any:
    """x with op(a) x = b from ``lu_factor(a)``: a (``trans=0``), aᵀ (1) or aᴴ (2). With
    a[perm] = L U: x = U⁻¹ L⁻¹ b[perm], or op(a)⁻¹ b = (op(L)⁻¹ op(U)⁻¹ b)[perm⁻¹]. Stacks of
    factors and of right-hand sides broadcast (b is one vector only when 1-D, as NumPy 2)."""
    code = trans_code(trans, "lu_solve")
    packed, piv = lu_and_piv
    vector = _right_hand_side(packed, b, "lu_solve")
    n = shape(packed)[-1]
    system = anp.reshape(b, (n, 1)) if vector else b
    batch = np.broadcast_shapes(shape(packed)[:-2], shape(system)[:-2], np.shape(piv)[:-1])
    system = anp.broadcast_to(system, (*batch, *shape(system)[-2:]))
    perm = np.broadcast_to(permutation(piv, n), (*batch, n))
    if code == 0:
        y = solve_triangular(packed, permute_rows(system, perm), lower=True, unit_diagonal=True)
        x = solve_triangular(packed, y)
    else:
        y = solve_triangular(packed, system, trans=code)
        x = solve_triangular(packed, y, trans=code, lower=True, unit_diagonal=True)
        x = permute_rows(x, np.argsort(perm, axis=-1))
    return anp.reshape(x, shape(x)[:-1]) if vector else x


def _matrices(a: Any, name: str) -> None:
    """A stack of matrices (shape (..., m, n)), or a ValueError naming ``name``."""
    if ndim(a) < 2:
        raise ValueError(
            f"{name}: expected a matrix or a stack of them (shape (..., M, N)), got shape "
            f"{shape(a)}"
        )


# ---------------------------------------------------------------------------- SciPy's names
_ASSUME_A = ("gen", "sym", "her", "pos")


def solve(
    a: Any,
    b: Any,
    lower: bool = False,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    debug: bool = False,
    check_finite: bool = True,
    assume_a: str = "gen",
) -> Any:
    """x with a x = b (b of shape (..., n) when 1-D, else (..., n, k)), by the LU solve of
    :func:`admodes.numpy.linalg.solve` whatever ``assume_a``, as JAX's for 'gen', 'sym' and
    'her' (its 'pos', a Cholesky solve, differentiates the same way). SciPy reads only the
    ``lower`` (else upper) triangle of a for 'sym', 'her' and 'pos': such an a must be symmetric
    (Hermitian), or a ValueError says so, so the value is SciPy's; 'pos' also needs a positive
    definite a (else SciPy's LinAlgError)."""
    if assume_a not in _ASSUME_A:
        raise ValueError(
            f"solve: assume_a must be one of {list(_ASSUME_A)} (as in JAX), got {assume_a!r}"
        )
    if assume_a != "gen":
        _square(a, "solve")
        values = np.asarray(plain(a))
        mirror = np.swapaxes(values.conj() if assume_a != "sym" else values, -1, -2)
        scale = np.max(np.abs(values), initial=0.0)
        if np.max(np.abs(values - mirror), initial=0.0) > 1e-12 * scale:  # beyond rounding
            kind = "symmetric" if assume_a == "sym" else "Hermitian"
            raise ValueError(
                f"solve(assume_a={assume_a!r}) needs a {kind} a: SciPy reads only its "
                f"{'lower' if lower else 'upper'} triangle, JAX the whole matrix, and for this a "
                "they differ. Symmetrize a, e.g. (a + a.T) / 2, or pass assume_a='gen'."
            )
        if assume_a == "pos":
            np.linalg.cholesky(values)  # LinAlgError unless positive definite
    return numpy_linalg.solve(a, b)


def inv(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """a⁻¹ of each square matrix of a (:func:`admodes.numpy.linalg.inv`)."""
    return numpy_linalg.inv(a)


def det(a: Any, overwrite_a: bool = False, check_finite: bool = True) -> Any:
    """det a of each square matrix of a (:func:`admodes.numpy.linalg.det`)."""
    return numpy_linalg.det(a)


def eigh(
    a: Any,
    b: Any = None,
    lower: bool = True,
    eigvals_only: bool = False,
    overwrite_a: bool = False,
    overwrite_b: bool = False,
    turbo: bool = True,
    eigvals: Any = None,
    type: int = 1,
    check_finite: bool = True,
) -> Any:
    """(w, v), the eigenvalues (ascending) and eigenvectors of the symmetric (Hermitian) a, or w
    alone with ``eigvals_only`` (:func:`admodes.numpy.linalg.eigvalsh`: finite derivatives at
    repeated eigenvalues). As JAX's, a is symmetrized as (a + aᴴ)/2 (``lower`` is not read; for a
    symmetric a the values are SciPy's); only the standard problem (b=None, type=1, eigvals=None),
    as in JAX."""
    unsupported = {"b": b, "type": type, "eigvals": eigvals}
    for name, value in unsupported.items():
        if value is not None and not (name == "type" and value == 1):
            raise NotImplementedError(
                f"eigh: {name}={value!r} is not supported (nor in JAX): only the standard "
                "problem a v = w v (b=None, type=1, eigvals=None)"
            )
    if eigvals_only:
        return numpy_linalg.eigvalsh(a)
    return tuple(numpy_linalg.eigh(a))


def qr(
    a: Any,
    overwrite_a: bool = False,
    lwork: Any = None,
    mode: str = "full",
    pivoting: bool = False,
    check_finite: bool = True,
) -> tuple[Any, ...]:
    """a = Q R (a[..., P] = Q R with ``pivoting``: P the column order, a plain int32 array) for
    each m×n matrix of a. ``mode``: 'full' (Q m×m, R m×n), 'economic' (Q m×k, R k×n, k =
    min(m, n)) or 'r' (R alone, m×n, as a 1-tuple with SciPy); results as SciPy's tuple, (Q, R),
    (Q, R, P), (R,) or (R, P). Values and derivatives are those of
    :func:`admodes.numpy.linalg.qr` of the (pivoted) a, as JAX's."""
    if mode not in ("full", "economic", "r"):
        raise ValueError(
            f"qr: mode {mode!r} is not supported (nor in JAX); use 'full', 'economic' or 'r'"
        )
    _matrices(a, "qr")
    order = _pivots(a) if pivoting else None
    if order is not None:
        a = anp.getitem(a, along_axis(order[..., None, :], -1, shape(a)))
    if mode == "r":
        m, n = shape(a)[-2:]
        r = numpy_linalg.qr(a, mode="r")
        if m > n:  # R of the full factorization: zero rows below the reduced one
            zeros = np.zeros((*shape(a)[:-2], m - n, n), dtype_of(r))
            r = anp.concatenate([r, zeros], axis=-2)
        parts = (r,)
    else:
        parts = tuple(numpy_linalg.qr(a, mode="complete" if mode == "full" else "reduced"))
    return parts if order is None else (*parts, order)


def _pivots(a: Any) -> np.ndarray:
    """The column order of the pivoted QR of each matrix of a (SciPy's, a constant)."""
    values = np.asarray(plain(a))
    m, n = values.shape[-2:]
    orders = [scipy.linalg.qr(x, mode="r", pivoting=True)[1] for x in values.reshape(-1, m, n)]
    return np.array(orders, dtype=np.int32).reshape((*values.shape[:-2], n))


def svd(
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    overwrite_a: bool = False,
    check_finite: bool = True,
    lapack_driver: str = "gesdd",
) -> Any:
    """(U, s, Vh) with a = U diag(s) Vh, or s alone (``compute_uv=False``): those of
    :func:`admodes.numpy.linalg.svd` (NumPy's values, the 'gesdd' driver, as JAX ignores the
    driver), as a tuple; the full U and Vh by default, as SciPy's (not differentiable for a
    non-square a, as in JAX: pass full_matrices=False)."""
    if lapack_driver not in ("gesdd", "gesvd"):
        raise ValueError(f"svd: lapack_driver must be 'gesdd' or 'gesvd', got {lapack_driver!r}")
    result = numpy_linalg.svd(a, full_matrices=full_matrices, compute_uv=compute_uv)
    return tuple(result) if compute_uv else result


def block_diag(*arrs: Any) -> Any:
    """The block-diagonal matrix of ``arrs`` (scalars and 1-D arrays count as one row)."""
    blocks = [anp.reshape(x, (1, -1)) if ndim(x) < 2 else x for x in arrs]
    if not blocks:
        return np.empty((1, 0))
    dtype = np.result_type(*(dtype_of(x) for x in blocks))
    widths = [shape(x)[1] for x in blocks]
    total = sum(widths)
    rows, left = [], 0
    for x, width in zip(blocks, widths, strict=True):
        height = shape(x)[0]
        pads = np.zeros((height, left), dtype), np.zeros((height, total - left - width), dtype)
        rows.append(anp.concatenate([pads[0], x, pads[1]], axis=1))
        left += width
    return anp.concatenate(rows, axis=0)
