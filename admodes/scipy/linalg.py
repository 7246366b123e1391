"""``admodes.scipy.linalg``: SciPy's triangular, Cholesky and LU solves, ``cholesky``,
``block_diag`` and ``expm``, differentiable by both engines.

``solve_triangular`` is :mod:`admodes.numpy.linalg`'s; ``cho_factor`` and ``cholesky`` are the
Cholesky factor (JAX's convention: the unused triangle holds zeros, where ``cho_factor`` of SciPy
leaves arbitrary values; the input is not symmetrized, unlike ``numpy.linalg.cholesky``), and
``cho_solve`` two triangular solves. ``lu_factor`` is the primitive ``lu`` (2-D matrices; the
pivots are constants) and ``lu_solve`` two triangular solves of its packed factors. ``expm`` is a
primitive whose rules are the Fréchet derivative L(A, E), the upper-right block of
expm([[A, E], [0, A]]) (JVP at A, VJP at Aᵀ). Complex matrices are Hermitian where SciPy's are
(a = L Lᴴ = Uᴴ U); the Cholesky factor of a complex matrix cannot be differentiated.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.linalg

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, plain, shape
from admodes.numpy.linalg import solve_triangular
from admodes.rules.contractions import matrix_transpose
from admodes.rules.linalg import cholesky as _cholesky
from admodes.rules.linalg import trans_code
from admodes.rules.special import expm, permutation
from admodes.rules.special import lu as _lu

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "expm", "lu_factor", "lu_solve",
           "solve_triangular"]  # fmt: skip


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


def lu_factor(a: Any) -> tuple[Any, np.ndarray]:
    """(lu, piv): L (unit diagonal, below) and U (on and above) packed in one matrix, with
    a[perm] = L U for the row swaps ``piv`` (LAPACK's, as SciPy)."""
    if ndim(a) != 2 or shape(a)[0] != shape(a)[1]:
        raise ValueError(f"lu_factor: expected a square matrix, got shape {shape(a)}")
    return _lu(a), scipy.linalg.lu_factor(plain(a), check_finite=False)[1]


def lu_solve(lu_and_piv: tuple[Any, np.ndarray], b: Any, trans: int = 0) -> Any:
    """x with op(a) x = b from ``lu_factor(a)``: a (``trans=0``), aᵀ (1) or aᴴ (2). With
    a[perm] = L U: x = U⁻¹ L⁻¹ b[perm], or op(a)⁻¹ b = (op(L)⁻¹ op(U)⁻¹ b)[perm⁻¹]."""
    code = trans_code(trans, "lu_solve")
    packed, piv = lu_and_piv
    perm = permutation(piv)
    if code == 0:
        y = solve_triangular(packed, b[perm], lower=True, unit_diagonal=True)
        return solve_triangular(packed, y)
    y = solve_triangular(packed, b, trans=code)
    x = solve_triangular(packed, y, trans=code, lower=True, unit_diagonal=True)
    return x[np.argsort(perm)]


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
