"""``admodes.scipy.linalg``: SciPy's solves, inverse, determinant, decompositions (LU, Cholesky,
QR, eigh, SVD, polar, Schur, Hessenberg), matrix functions and equations (``expm``,
``expm_frechet``, ``sqrtm``, ``funm``, ``solve_sylvester``) and special matrices, differentiable
by both engines where JAX's are.

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
upper-right block of expm([[A, E], [0, A]]) (JVP at A, VJP at Aᵀ); ``expm_frechet`` returns that
block. Complex matrices are Hermitian where SciPy's are (a = L Lᴴ = Uᴴ U); the Cholesky factor
of a complex matrix cannot be differentiated.

``solve_sylvester`` (a x + x b = q) is a primitive whose rules are Sylvester solves: dx solves
a dx + dx b = dq − da x − x db, and with aᵀ y + y bᵀ = x̄, q̄ = y, ā = −y xᵀ, b̄ = −xᵀ y
(JAX's differentiates q only). ``polar`` is u = U Vᴴ and p = V diag(s) Vᴴ (or U diag(s) Uᴴ) from
the SVD, ``qr_multiply`` the product with ``qr``'s economic Q, ``rsf2csf`` SciPy's Givens steps
written with admodes ops (JAX differentiates the same steps), and ``eigh_tridiagonal`` ``eigh``
of the tridiagonal matrix (eigenvectors signed as SciPy's; JAX's own derivative, through
bisection, is not the eigenvalues'). ``schur``, ``hessenberg``, ``sqrtm`` and ``funm`` give
SciPy's values and, on a traced input, a TypeError: JAX has no derivative of the Schur or
Hessenberg decompositions they use.

The special matrices ``toeplitz hankel circulant companion fiedler fiedler_companion leslie
convolution_matrix`` are each one gather M[..., i, j] = entries[..., index[i, j]] from the
input's entries (and the constants 0 and 1), so they differentiate in their array arguments and
take stacks of vectors, as SciPy ≥ 1.17 and JAX (``hankel`` too, as JAX). ``dft hadamard helmert
hilbert invhilbert pascal invpascal`` take sizes only: they are SciPy's own functions (plain
arrays).
"""

from __future__ import annotations

import operator
from typing import Any

import numpy as np
import scipy.linalg

import admodes.numpy as anp
from admodes.batching import array_numbers
from admodes.core import TRACED_TYPES, at_each_index, dtype_of, held, ndim, plain, shape
from admodes.numpy import linalg as numpy_linalg
from admodes.numpy._functions import array_operand
from admodes.numpy.linalg import (
    _adjoint,
    _as_system,
    _from_system,
    _right_hand_side,
    _square,
    solve_triangular,
)
from admodes.rules.contractions import matrix_transpose
from admodes.rules.linalg import cholesky as _cholesky
from admodes.rules.linalg import trans_code
from admodes.rules.shape import along_axis
from admodes.rules.special import expm as _expm
from admodes.rules.special import (
    frechet,
    lu_factors,
    lu_permutation,
    permutation,
    permute_rows,
)
from admodes.rules.special import lu as _lu
from admodes.rules.special import solve_sylvester as _solve_sylvester

__all__ = ["block_diag", "cho_factor", "cho_solve", "cholesky", "circulant", "companion",
           "convolution_matrix", "det", "dft", "eigh", "eigh_tridiagonal", "expm", "expm_frechet",
           "fiedler", "fiedler_companion", "funm", "hadamard", "hankel", "helmert", "hessenberg",
           "hilbert", "inv", "invhilbert", "invpascal", "leslie", "lu", "lu_factor", "lu_solve",
           "pascal", "polar", "qr", "qr_multiply", "rsf2csf", "schur", "solve", "solve_sylvester",
           "solve_triangular", "sqrtm", "svd", "toeplitz"]  # fmt: skip


def cho_factor(
    a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> tuple[Any, bool]:
    """(c, lower): the Cholesky factor L (``lower``) or U of a = L Lᴴ = Uᴴ U, from a's lower
    (upper) triangle; U = Lᵀ for the L of aᵀ. As SciPy and JAX, a is not symmetrized: the
    factorization of a (of aᵀ when upper) is differentiated as it stands. ``overwrite_a`` and
    ``check_finite`` are accepted and ignored, as by JAX (admodes never overwrites an input)."""
    if lower:
        return _cholesky(a), True
    return matrix_transpose(_cholesky(matrix_transpose(a))), False


def cholesky(
    a: Any, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> Any:
    """SciPy's ``cholesky``: U with a = Uᴴ U (from a's upper triangle), or L with a = L Lᴴ
    (``lower``, from its lower triangle); ``cho_factor``'s factor."""
    return cho_factor(a, lower=lower)[0]


def cho_solve(
    c_and_lower: tuple[Any, bool], b: Any, overwrite_b: bool = False, check_finite: bool = True
) -> Any:
    """x with a x = b from ``cho_factor(a)``: L y = b, Lᴴ x = y (or Uᴴ y = b, U x = y). Stacks
    of factors and of right-hand sides broadcast (b is one vector only when 1-D, as NumPy 2)."""
    c, lower = c_and_lower
    c, b = array_operand(c), array_operand(b)
    vector = _right_hand_side(c, b, "cho_solve")
    y = solve_triangular(c, _as_system(b, vector), trans=0 if lower else 2, lower=lower)
    return _from_system(solve_triangular(c, y, trans=2 if lower else 0, lower=lower), vector)


def lu_factor(
    a: Any, overwrite_a: bool = False, check_finite: bool = True
) -> tuple[Any, np.ndarray]:
    """(lu, piv) of each m×n matrix of a (shape (..., m, n)): L (unit diagonal, below) and U (on
    and above) packed in one matrix, with a[perm] = L U for the row swaps ``piv`` (LAPACK's, as
    SciPy; shape (..., min(m, n)))."""
    a = _matrices(a, "lu_factor")
    return _lu(a), at_each_index(lambda x: lu_factors(x)[1], a)


def lu(
    a: Any, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> tuple[Any, ...]:
    """(P, L, U) with a = P L U for each m×n matrix of a: P the m×m permutation (a constant, in
    a's real dtype), L m×k unit lower trapezoidal, U k×n upper trapezoidal (k = min(m, n)), read
    from ``lu_factor``'s packed factors; with ``permute_l``, (P L, U)."""
    a = _matrices(a, "lu")
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
    packed, b = array_operand(packed), array_operand(b)
    vector = _right_hand_side(packed, b, "lu_solve")
    n = shape(packed)[-1]
    system = _as_system(b, vector)
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
    return _from_system(x, vector)


def _matrices(a: Any, name: str) -> Any:
    """a (a list as an array), a stack of matrices (shape (..., m, n)), or a ValueError naming
    ``name``."""
    a = array_operand(a)
    if ndim(a) < 2:
        raise ValueError(
            f"{name}: expected a matrix or a stack of them (shape (..., M, N)), got shape "
            f"{shape(a)}"
        )
    return a


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
        a = _square(a, "solve")
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
    a = _matrices(a, "qr")
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
    blocks = [anp.reshape(x, (1, -1)) if ndim(x) < 2 else x for x in map(array_operand, arrs)]
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


# ---------------------------------------------------------------------------- special matrices
def _vector(x: Any, name: str, arg: str) -> Any:
    """x as an array of at least one dimension (a stack of vectors along the last axis); a
    ValueError if it is a scalar."""
    x = anp.asarray(x)
    if ndim(x) == 0:
        raise ValueError(f"{name}: {arg} must be at least 1-dimensional, got a scalar")
    return x


def _common_batch(*vectors: Any) -> list[Any]:
    """Stacks of vectors (..., kᵢ) broadcast to one batch shape, each keeping its length."""
    batch = np.broadcast_shapes(*(shape(v)[:-1] for v in vectors))
    return [anp.broadcast_to(v, (*batch, shape(v)[-1])) for v in vectors]


def _gathered(entries: Any, index: np.ndarray) -> Any:
    """The matrices M[..., i, j] = entries[..., index[i, j]] (``index`` a constant integer
    matrix): every constructor below is one such gather, differentiable in ``entries``."""
    return anp.take(entries, index, axis=-1)


def _with_constants(entries: Any, *values: float) -> Any:
    """``entries`` (..., k) followed by the constants ``values`` along the last axis."""
    tail = np.array(values, dtype_of(entries))
    return anp.concatenate(
        [entries, np.broadcast_to(tail, (*shape(entries)[:-1], len(values)))], axis=-1
    )


def toeplitz(c: Any, r: Any = None) -> Any:
    """T[..., i, j] = c[i − j] for i ≥ j and r[j − i] for i < j (r[0] is not read; r = conj(c)
    by default), from the entries [c reversed, r[1:]] at m − 1 − i + j; stacks of c and r
    broadcast (SciPy ≥ 1.17 and JAX)."""
    c = anp.atleast_1d(anp.asarray(c))
    r = anp.conj(c) if r is None else anp.atleast_1d(anp.asarray(r))
    c, r = _common_batch(c, r)
    m, n = shape(c)[-1], shape(r)[-1]
    entries = anp.concatenate([anp.flip(c, -1), r[..., 1:]], axis=-1)
    return _gathered(entries, m - 1 - np.arange(m)[:, None] + np.arange(n))


def hankel(c: Any, r: Any = None) -> Any:
    """H[..., i, j] = v[i + j] with v = [c, r[1:]] (r[0] is not read; r = zeros by default);
    stacks of c and r broadcast (JAX's, and SciPy's from 1.19)."""
    c = _vector(c, "hankel", "c")
    r = np.zeros(shape(c), dtype_of(c)) if r is None else _vector(r, "hankel", "r")
    c, r = _common_batch(c, r)
    m, n = shape(c)[-1], shape(r)[-1]
    return _gathered(anp.concatenate([c, r[..., 1:]], axis=-1), np.add.outer(range(m), range(n)))


def circulant(c: Any) -> Any:
    """C[..., i, j] = c[(i − j) mod n]: c is the first column, each next one its cyclic shift."""
    c = anp.atleast_1d(anp.asarray(c))
    n = shape(c)[-1]
    return _gathered(c, np.subtract.outer(range(n), range(n)) % n)


def fiedler(a: Any) -> Any:
    """F[..., i, j] = |aᵢ − aⱼ|."""
    a = anp.atleast_1d(anp.asarray(a))
    return anp.abs(anp.subtract(a[..., :, None], a[..., None, :]))


def _monic_negated(a: Any, name: str, shortest: int) -> Any:
    """[−a₁/a₀, …, −aₙ/a₀, 1, 0] for the polynomial coefficients a (..., n + 1), the entries of
    the companion matrices; a ValueError if a is shorter than ``shortest`` or a₀ = 0."""
    a = _vector(a, name, "a")
    if shape(a)[-1] < shortest:
        raise ValueError(
            f"{name}: a needs at least {shortest} coefficients along its last axis, got shape "
            f"{shape(a)}"
        )
    if shape(a)[-1]:
        at_each_index(lambda x: _nonzero_leading(x, name), a)
    monic = anp.divide(a[..., 1:], a[..., :1])
    return _with_constants(anp.negative(monic), 1, 0)


def _nonzero_leading(a: np.ndarray, name: str) -> None:
    """A ValueError if a leading coefficient a[..., 0] (plain) is zero."""
    if np.any(a[..., 0] == 0):
        raise ValueError(f"{name}: the leading coefficient a[..., 0] must not be zero")


def companion(a: Any) -> Any:
    """The companion matrix of a₀xⁿ + … + aₙ: first row −[a₁, …, aₙ]/a₀, ones on the first
    subdiagonal, zeros elsewhere (n×n for a of length n + 1 ≥ 2)."""
    entries = _monic_negated(a, "companion", 2)
    n = shape(entries)[-1] - 2
    index = np.full((n, n), n + 1)  # the zero
    index[0] = np.arange(n)
    index[np.arange(1, n), np.arange(n - 1)] = n  # the one
    return _gathered(entries, index)


def fiedler_companion(a: Any) -> Any:
    """Fiedler's pentadiagonal companion matrix C of a₀xⁿ + … + aₙ (same eigenvalues as
    ``companion``), with b = −a/a₀: C₀₀ = b₁, C₁₀ = 1 and, for even i, C_{i,i+1} = b_{i+2},
    C_{i,i+2} = 1, C_{i,i−1} = b_{i+1} (i ≥ 2); for odd i ≥ 3, C_{i,i−2} = 1."""
    entries = _monic_negated(a, "fiedler_companion", 1)
    n = shape(entries)[-1] - 2
    one, zero = n, n + 1
    index = np.full((n, n), zero)
    index[:2, :1] = np.array([[0], [one]])[:n]
    for i in range(0, n, 2):
        index[i, i + 1 : i + 3] = np.array([i + 1, one])[: n - i - 1]
        if i >= 2:
            index[i, i - 1] = i
    for i in range(3, n, 2):
        index[i, i - 2] = one
    return _gathered(entries, index)


def leslie(f: Any, s: Any) -> Any:
    """The Leslie matrix: first row f (the fecundities, length n ≥ 2), s (the survival rates,
    length n − 1) on the first subdiagonal, zeros elsewhere; stacks of f and s broadcast."""
    f, s = _vector(f, "leslie", "f"), _vector(s, "leslie", "s")
    n = shape(f)[-1]
    if n < 2 or shape(s)[-1] != n - 1:
        raise ValueError(
            f"leslie: f needs length n ≥ 2 and s length n − 1 along the last axis, got shapes "
            f"{shape(f)} and {shape(s)}"
        )
    f, s = _common_batch(f, s)
    entries = _with_constants(anp.concatenate([f, s], axis=-1), 0)
    index = np.full((n, n), 2 * n - 1)  # the zero
    index[0] = np.arange(n)
    index[np.arange(1, n), np.arange(n - 1)] = np.arange(n, 2 * n - 1)
    return _gathered(entries, index)


_CONVOLUTION_MODES = ("full", "same", "valid")


def convolution_matrix(a: Any, n: int, mode: str = "full") -> Any:
    """A with A @ v = convolve(a, v, mode) for v of length n: A[..., i, j] = a[i + top − j]
    where 0 ≤ i + top − j < m (m = len(a)), else 0; 'full' has m + n − 1 rows (top = 0),
    'same' max(m, n) (top = (min(m, n) − 1) // 2) and 'valid' max(m, n) − min(m, n) + 1
    (top = min(m, n) − 1)."""
    n = operator.index(n)
    if n < 1:
        raise ValueError(f"convolution_matrix: n must be a positive integer, got {n}")
    if mode not in _CONVOLUTION_MODES:
        raise ValueError(
            f"convolution_matrix: mode must be one of {list(_CONVOLUTION_MODES)}, got {mode!r}"
        )
    a = _vector(a, "convolution_matrix", "a")
    m = shape(a)[-1]
    if m < 1:
        raise ValueError(f"convolution_matrix: a must not be empty, got shape {shape(a)}")
    trim = min(m, n) - 1
    top = {"full": 0, "same": trim // 2, "valid": trim}[mode]
    rows = {"full": m + n - 1, "same": max(m, n), "valid": max(m, n) - trim}[mode]
    offsets = np.subtract.outer(np.arange(top, top + rows), np.arange(n))
    index = np.where((offsets >= 0) & (offsets < m), offsets, m)  # m: the zero
    return _gathered(_with_constants(a, 0), index)


#: The matrices of a size alone are SciPy's own functions (plain NumPy arrays, as JAX's are
#: constants): nothing in them to differentiate.
dft = scipy.linalg.dft
hadamard = scipy.linalg.hadamard
helmert = scipy.linalg.helmert
hilbert = scipy.linalg.hilbert
invhilbert = scipy.linalg.invhilbert
pascal = scipy.linalg.pascal
invpascal = scipy.linalg.invpascal


# ---------------------------------------------------------------------- equations and functions
def solve_sylvester(a: Any, b: Any, q: Any) -> Any:
    """x with a x + x b = q for each m×m a, n×n b and m×n q of the broadcast stacks (the
    primitive of Bartels–Stewart; its derivatives are Sylvester solves too, differentiable in
    all three arguments). A common eigenvalue of a and −b (no unique solution) raises
    LinAlgError, where SciPy returns what LAPACK computed after perturbing it."""
    a, b, q = array_operand(a), array_operand(b), array_operand(q)
    sides = shape(q)[-2:]
    if len(sides) < 2 or shape(a)[-2:] != sides[:1] * 2 or shape(b)[-2:] != sides[1:] * 2:
        raise ValueError(
            "solve_sylvester: expected a (..., m, m), b (..., n, n) and q (..., m, n), got shapes "
            f"{shape(a)}, {shape(b)} and {shape(q)}"
        )
    return _solve_sylvester(a, b, q)


def _not_differentiable(name: str, lacking: str, instead: str, *args: Any) -> None:
    """A TypeError if any of ``args`` is traced: ``name`` has no derivative in admodes, as JAX
    has none for ``lacking``; ``instead`` says what to differentiate."""
    if any(type(x) in TRACED_TYPES for x in args):
        raise TypeError(
            f"{name} cannot be differentiated in admodes (nor in JAX, which has no derivative of "
            f"{lacking}); {instead}"
        )


def sqrtm(A: Any, disp: bool = True, blocksize: int = 64) -> Any:
    """SciPy's principal square root X (X² = A) of each square matrix of A: real where A is real
    with no eigenvalue on the negative real axis, else complex (``blocksize`` is not read, as in
    SciPy 1.17; ``disp=False`` also returns SciPy's error estimate ‖X² − A‖²_F / ‖A‖_F).
    Not differentiable, as in JAX (its Schur method has no derivative)."""
    _not_differentiable(
        "sqrtm",
        "the Schur decomposition it uses",
        "for a symmetric positive definite A, differentiate eigh: V diag(√w) Vᵀ; else dX solves "
        "X dX + dX X = dA, solve_sylvester(X, X, dA)",
        A,
    )
    A = np.asarray(A)
    _square(A, "sqrtm")
    root = scipy.linalg.sqrtm(A)
    if disp:
        return root
    residual = np.linalg.norm(root @ root - A, "fro", axis=(-2, -1))
    return root, residual**2 / np.linalg.norm(A, "fro", axis=(-2, -1))


def polar(a: Any, side: str = "right", method: str = "qdwh") -> tuple[Any, Any]:
    """(u, p) with a = u p (``side='right'``, p n×n) or a = p u ('left', p m×m) for each m×n
    matrix of a, p positive semidefinite: from the reduced SVD a = U diag(s) Vᴴ, u = U Vᴴ and
    p = V diag(s) Vᴴ (right) or U diag(s) Uᴴ (left), as SciPy. JAX's ``method`` ('qdwh' or
    'svd') changes only its algorithm: both give these values, differentiated as JAX's 'svd'
    (JAX's 'qdwh' has only forward-mode derivatives)."""
    if side not in ("right", "left"):
        raise ValueError(f"polar: side must be 'right' or 'left', got {side!r}")
    if method not in ("qdwh", "svd"):
        raise ValueError(f"polar: method must be 'qdwh' or 'svd' (JAX's), got {method!r}")
    a = _matrices(a, "polar")
    u, s, vh = numpy_linalg.svd(a, full_matrices=False)
    basis = _adjoint(vh) if side == "right" else u
    scaled = anp.multiply(basis, s[..., None, :])
    return anp.matmul(u, vh), anp.matmul(scaled, _adjoint(basis))


#: JAX's θ: the largest ‖A‖₁ its Padé approximant takes unscaled, in float64 (and complex128).
_PADE_NORM = 5.371920351148152
#: θ in float32 and complex64.
_PADE_NORM_SINGLE = 3.925724783138660


def expm(A: Any, *, upper_triangular: bool = False, max_squarings: int = 16) -> Any:
    """e^A of each n×n matrix of A (SciPy's value; the rules the Fréchet derivative), and, as
    JAX's, nan (derivative 0) for a matrix that needs more than ``max_squarings`` squarings:
    floor(log₂(‖A‖₁/θ)) > max_squarings (θ :data:`_PADE_NORM`, or :data:`_PADE_NORM_SINGLE`
    in single precision). ``upper_triangular`` is accepted: JAX then solves its Padé quotient
    by a triangular solve, which only saves time."""
    A = anp.asarray(A)
    _square(A, "expm")
    too_many = at_each_index(lambda a: _squarings(a) > max_squarings, A)
    if not np.any(held(too_many)):
        return _expm(A)
    too_many = anp.expand_dims(too_many, (-2, -1))
    return anp.where(too_many, np.nan, _expm(anp.where(too_many, 0.0, A)))


def _squarings(a: np.ndarray) -> np.ndarray:
    """JAX's number of squarings of each matrix of the plain ``a``: max(0, floor(log₂(‖a‖₁/θ)))."""
    a = np.asarray(a)
    single = a.dtype in (np.float32, np.complex64)
    norm = np.max(np.sum(np.abs(a), axis=-2), axis=-1, initial=0.0)  # ‖a‖₁, 0 if empty
    norm = norm / (_PADE_NORM_SINGLE if single else _PADE_NORM)
    with np.errstate(divide="ignore"):
        return np.maximum(0.0, np.floor(np.log2(norm)))


_FRECHET_METHODS = (None, "SPS", "blockEnlarge")


def expm_frechet(
    A: Any, E: Any, method: str | None = None, compute_expm: bool = True, check_finite: bool = True
) -> Any:
    """(expm(A), L(A, E)), or L(A, E) alone: the Fréchet derivative of expm at A in the
    direction E, the upper-right block of expm([[A, E], [0, A]]) (the rule of ``expm``, so
    differentiable in A and E); ``method`` changes only SciPy's algorithm."""
    if method not in _FRECHET_METHODS:
        raise ValueError(f"expm_frechet: method must be one of {list(_FRECHET_METHODS)}")
    A, E = _square(A, "expm_frechet"), array_operand(E)
    if shape(E) != shape(A):
        raise ValueError(
            f"expm_frechet: A and E must have the same shape, got {shape(A)} and {shape(E)}"
        )
    derivative = frechet(A, E)
    return (_expm(A), derivative) if compute_expm else derivative


def qr_multiply(
    a: Any,
    c: Any,
    mode: str = "right",
    pivoting: bool = False,
    conjugate: bool = False,
    overwrite_a: bool = False,
    overwrite_c: bool = False,
) -> tuple[Any, ...]:
    """(Q c, R) (``mode='left'``, c of k rows) or (c Q, R) ('right', c of m columns), with
    a = Q R the economic QR (Q m×k, R k×n, k = min(m, n); conj(Q) with ``conjugate``) and the
    column order P after them with ``pivoting``, as SciPy; a 1-D c is one column ('left') or
    row ('right') and gives a 1-D result. Differentiable as ``qr`` and ``matmul`` (JAX's own
    qr_multiply has no derivative)."""
    if mode not in ("left", "right"):
        raise ValueError(f"qr_multiply: mode must be 'left' or 'right', got {mode!r}")
    q, *rest = qr(a, mode="economic", pivoting=pivoting)
    c = array_operand(c)
    q = anp.conj(q) if conjugate else q
    m, k = shape(q)[-2:]
    vector = ndim(c) == 1
    left = mode == "left"
    if vector:
        c = anp.reshape(c, (-1, 1) if left else (1, -1))
    if shape(c)[-2 if left else -1] != (k if left else m):
        needed = f"{k} rows for Q @ c" if left else f"{m} columns for c @ Q"
        raise ValueError(
            f"qr_multiply: a of shape {shape(a)} needs c with {needed}, got shape {shape(c)}"
        )
    product = anp.matmul(q, c) if left else anp.matmul(c, q)
    if vector:
        product = anp.reshape(product, shape(product)[:-1] if left else (*shape(product)[:-2], -1))
    return (product, *rest)


# ---------------------------------------------------------------------- Schur and Hessenberg
_SCHUR = "the Schur decomposition"


def schur(
    a: Any,
    output: str = "real",
    lwork: Any = None,
    overwrite_a: bool = False,
    sort: Any = None,
    check_finite: bool = True,
) -> tuple[Any, ...]:
    """SciPy's (T, Z) with a = Z T Zᴴ, Z unitary, T upper quasi-triangular ('real': 2×2 blocks
    for complex pairs) or triangular ('complex'); with ``sort``, (T, Z, sdim), as SciPy. Not
    differentiable, as in JAX."""
    if output not in ("real", "complex", "r", "c"):
        raise ValueError(f"schur: output must be 'real' or 'complex', got {output!r}")
    _not_differentiable(
        "schur",
        _SCHUR,
        "for a symmetric matrix use eigh, for eigenvalues numpy.linalg.eigvals, for matrix "
        "functions expm or solve_sylvester",
        a,
    )
    a = np.asarray(a)
    _square(a, "schur")
    return tuple(scipy.linalg.schur(a, output=output, sort=sort))


def hessenberg(
    a: Any, calc_q: bool = False, overwrite_a: bool = False, check_finite: bool = True
) -> Any:
    """SciPy's Hessenberg form H (zero below the first subdiagonal) with a = Q H Qᴴ, and Q with
    ``calc_q``. Not differentiable, as in JAX."""
    _not_differentiable(
        "hessenberg",
        "the Hessenberg reduction",
        "differentiate what it is a step to instead: eigvals, eigh, solve or expm",
        a,
    )
    a = np.asarray(a)
    _square(a, "hessenberg")
    return scipy.linalg.hessenberg(a, calc_q=calc_q)


def funm(A: Any, func: Any, disp: bool = True) -> Any:
    """SciPy's f(A) for the scalar function ``func`` (applied to the eigenvalues, by Parlett's
    recurrence on the Schur form); with ``disp=False``, (f(A), SciPy's error estimate). Not
    differentiable, as in JAX."""
    _not_differentiable(
        "funm",
        _SCHUR,
        "use expm, or for a symmetric A differentiate eigh: V diag(func(w)) Vᵀ",
        A,
    )
    A = np.asarray(A)
    _square(A, "funm")
    return scipy.linalg.funm(A, func, disp=disp)


def rsf2csf(T: Any, Z: Any, check_finite: bool = True) -> tuple[Any, Any]:
    """The complex Schur form (T, Z) from a real one, as SciPy: for m = n − 1, …, 1, where
    T[m, m−1] is not negligible, the Givens rotation G = [[c̄, s], [−s, c]] (from μ, the first
    eigenvalue of the 2×2 block at m − 1 minus T[m, m], and r = ‖(μ, T[m, m−1])‖: c = μ/r,
    s = T[m, m−1]/r) gives rows m − 1, m of T (from column m − 1 on) G times themselves,
    columns m − 1, m of T (rows ≤ m) and of Z themselves times Gᴴ; then T[m, m−1] = 0.
    Differentiable in T and Z as JAX's, which traces the same steps (the test for a negligible
    entry is a constant, and eigvals differentiates once)."""
    T, Z = (_square(x, "rsf2csf") for x in (T, Z))
    if shape(T)[-1] != shape(Z)[-1]:
        raise ValueError(f"rsf2csf: T and Z must have matching shapes, got {shape(T)}, {shape(Z)}")
    batch = np.broadcast_shapes(shape(T)[:-2], shape(Z)[:-2])
    n = shape(T)[-1]
    T, Z = (anp.add(anp.broadcast_to(x, (*batch, n, n)), 0j) for x in (T, Z))
    pairs = [_complex_schur(T[i], Z[i]) for i in np.ndindex(batch)]
    if not batch:
        return pairs[0]
    return tuple(anp.reshape(anp.stack(x), (*batch, n, n)) for x in zip(*pairs, strict=True))


def _complex_schur(t: Any, z: Any) -> tuple[Any, Any]:
    """:func:`rsf2csf` of one complex n×n pair."""
    n = shape(t)[-1]
    eps = np.finfo(float).eps  # SciPy's, whatever the dtype
    for m in range(n - 1, 0, -1):
        values = np.asarray(plain(t))
        if abs(values[m, m - 1]) > eps * (abs(values[m - 1, m - 1]) + abs(values[m, m])):
            g = _givens(t, m)
            pair = t[m - 1 : m + 1, :]
            t = _spliced(t, anp.where(np.arange(n) >= m - 1, anp.matmul(g, pair), pair), m - 1, 0)
            pair = t[:, m - 1 : m + 1]
            turned = anp.where(np.arange(n)[:, None] <= m, anp.matmul(pair, _adjoint(g)), pair)
            t = _spliced(t, turned, m - 1, 1)
            z = _spliced(z, anp.matmul(z[:, m - 1 : m + 1], _adjoint(g)), m - 1, 1)
    # Each step reads T[m, m−1] only before it is zeroed, and no later step writes it.
    return anp.multiply(t, 1 - np.eye(n, k=-1)), z


def _givens(t: Any, m: int) -> Any:
    """G = [[c̄, s], [−s, c]]: c = μ/r, s = T[m, m−1]/r, μ = λ₀ − T[m, m] (λ₀ the first
    eigenvalue of T[m−1:m+1, m−1:m+1], LAPACK's order), r = √(|μ|² + |T[m, m−1]|²)."""
    mu = anp.subtract(numpy_linalg.eigvals(t[m - 1 : m + 1, m - 1 : m + 1])[0], t[m, m])
    below = t[m, m - 1]
    r = anp.sqrt(anp.add(anp.square(anp.abs(mu)), anp.square(anp.abs(below))))
    c, s = anp.divide(mu, r), anp.divide(below, r)
    return anp.stack([anp.stack([anp.conj(c), s]), anp.stack([anp.negative(s), c])])


def _spliced(x: Any, new: Any, start: int, axis: int) -> Any:
    """The matrix x with its rows (``axis`` 0) or columns (1) from ``start`` on replaced by
    ``new``'s."""
    stop = start + shape(new)[axis]
    head, tail = (x[:start], x[stop:]) if axis == 0 else (x[:, :start], x[:, stop:])
    return anp.concatenate([head, new, tail], axis=axis)


# ---------------------------------------------------------------------------- eigh_tridiagonal
_TRIDIAGONAL_DRIVERS = ("auto", "stemr", "sterf", "stebz", "stev")


def eigh_tridiagonal(
    d: Any,
    e: Any,
    eigvals_only: bool = False,
    select: str = "a",
    select_range: Any = None,
    check_finite: bool = True,
    tol: float = 0.0,
    lapack_driver: str = "auto",
) -> Any:
    """Eigenvalues w (ascending) and eigenvectors v of the symmetric tridiagonal matrix with
    diagonal d and off-diagonal e: those of ``eigh`` of that matrix (its derivatives, in d and
    e, by both modes; each column of v signed as SciPy's), or w alone with ``eigvals_only``
    (``eigvalsh``'s). ``select``: 'a' all, 'i' the indices lo ≤ i ≤ hi, 'v' the eigenvalues in
    (lo, hi], ``select_range`` = (lo, hi), as SciPy. JAX's forward-mode derivative, through its
    bisection, is not the eigenvalues' (and its reverse mode fails); this one is."""
    if lapack_driver not in _TRIDIAGONAL_DRIVERS:
        raise ValueError(
            f"eigh_tridiagonal: lapack_driver must be one of {list(_TRIDIAGONAL_DRIVERS)}, got "
            f"{lapack_driver!r}"
        )
    d, e = _vector(d, "eigh_tridiagonal", "d"), _vector(e, "eigh_tridiagonal", "e")
    n = shape(d)[-1]
    if ndim(d) != 1 or shape(e) != (max(n - 1, 0),):
        raise ValueError(
            f"eigh_tridiagonal: expected d of shape (n,) and e of shape (n - 1,), got {shape(d)} "
            f"and {shape(e)}"
        )
    matrix = _tridiagonal(d, e)
    if eigvals_only:
        w = numpy_linalg.eigvalsh(matrix)
        return w[_selected(w, select, select_range)]
    w, v = numpy_linalg.eigh(matrix)
    chosen = _selected(w, select, select_range)
    v = v[:, chosen]
    theirs = at_each_index(
        lambda d, e: scipy.linalg.eigh_tridiagonal(
            d, e, select=select, select_range=select_range, lapack_driver=lapack_driver
        )[1],
        d,
        e,
    )
    agreement = np.sum(array_numbers(v) * theirs, axis=0)
    return w[chosen], anp.multiply(v, anp.where(agreement < 0, -1.0, 1.0))


def _tridiagonal(d: Any, e: Any) -> Any:
    """The symmetric tridiagonal matrix with diagonal d and e above and below it."""
    n = shape(d)[-1]
    index = np.full((n, n), 2 * n - 1)  # the zero
    index[np.arange(n), np.arange(n)] = np.arange(n)
    off = np.arange(n - 1)
    index[off, off + 1] = index[off + 1, off] = n + off
    return _gathered(_with_constants(anp.concatenate([d, e]), 0), index)


def _selected(w: Any, select: str, select_range: Any) -> np.ndarray:
    """The indices of the ascending eigenvalues w that SciPy's ``select`` keeps (a constant; by
    value, for 'v', read from w's plain values: their number varies with them)."""
    if select in ("a", "all", 0):
        return np.arange(shape(w)[-1])
    if select not in ("i", "index", 1, "v", "value", 2) or select_range is None:
        raise ValueError(
            f"eigh_tridiagonal: select must be 'a', 'i' or 'v' (with select_range=(lo, hi) for "
            f"the last two), got select={select!r}, select_range={select_range!r}"
        )
    lo, hi = select_range
    if select in ("i", "index", 1):
        return np.arange(operator.index(lo), operator.index(hi) + 1)
    values = np.asarray(plain(w))
    return np.flatnonzero((values > lo) & (values <= hi))
