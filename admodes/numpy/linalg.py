"""``admodes.numpy.linalg``: NumPy's linear algebra, differentiable by both engines, batched over
leading axes as NumPy is; plus SciPy's ``solve_triangular``.

``np.linalg.f(x)`` on a traced value reaches ``admodes.numpy.linalg.f``. The derivative
conventions are JAX's: ``eigh``, ``eigvalsh`` and ``cholesky`` symmetrize their input as
(a + aᴴ)/2 (so a perturbation of a symmetric matrix counts symmetrically; for a symmetric or
Hermitian input the value is NumPy's, and ``UPLO`` is not read; the derivatives take real
matrices only), or with JAX's ``symmetrize_input=False`` read one triangle and take the tangent
as given (:func:`_hermitian_input`); repeated eigenvalues or singular values give inf/nan
derivatives of the vectors (they are not defined there; unused vectors contribute nothing);
``pinv``'s derivative assumes constant rank; ``svd`` with ``full_matrices=True`` of a non-square
matrix cannot be differentiated (as in JAX); ``qr`` can in every mode and shape (as JAX 0.10);
``eigvals`` of a general matrix differentiates (dw = diag(V⁻¹ dA V)), ``eig``'s eigenvectors do
not (as in JAX).

NumPy 2's array-API names (``cross diagonal trace matrix_norm vector_norm vecdot``) and
``tensorinv``/``tensorsolve`` are the functions above and those of ``admodes.numpy`` with the
other signature or a reshape, so their derivatives are those functions' (JAX's).
"""

from __future__ import annotations

import math
import operator
from collections.abc import Sequence
from typing import Any, NamedTuple

import numpy as _np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple
from numpy.linalg import LinAlgError

from admodes.batching import holds_numbers, is_mapped
from admodes.core import (
    TRACED_TYPES,
    at_each_index,
    complex_dtype_of,
    dtype_of,
    ndim,
    numbers,
    plain,
    shape,
    size,
)
from admodes.numpy import _functions as _f
from admodes.numpy._contractions import cross as _cross
from admodes.numpy._contractions import (  # noqa: F401
    einsum,
    matmul,
    numpy_residuals,
    pseudo_solution,
    vecdot,
)
from admodes.numpy._contractions import outer as _outer
from admodes.numpy._contractions import tensordot as _tensordot
from admodes.numpy._elementwise import numpy_scalar as _numpy_scalar
from admodes.numpy._shapes import diagonal as _diagonal
from admodes.numpy._shapes import take_along_axis as _take_along_axis
from admodes.numpy._shapes import trace as _trace
from admodes.rules import linalg as _linalg
from admodes.rules.contractions import matrix_transpose
from admodes.rules.elementwise import conj, exp, imag, real
from admodes.rules.linalg import row, rows


class SlogdetResult(NamedTuple):
    sign: Any
    logabsdet: Any


class EighResult(NamedTuple):
    eigenvalues: Any
    eigenvectors: Any


class EigResult(NamedTuple):
    eigenvalues: Any
    eigenvectors: Any


class SVDResult(NamedTuple):
    U: Any
    S: Any
    Vh: Any


class QRResult(NamedTuple):
    Q: Any
    R: Any


def _square(a: Any, name: str) -> Any:
    """a (a list as an array), a square matrix or a stack of them, or a
    LinAlgError naming ``name``."""
    a = _f.array_operand(a)
    s = shape(a)
    if len(s) < 2 or s[-1] != s[-2]:
        raise LinAlgError(
            f"{name}: expected a square matrix or a stack of them (shape (..., n, n)), "
            f"got shape {s}"
        )
    return a


def _matrices(a: Any, name: str) -> Any:
    """a (a list as an array), a matrix or a stack of them, or a LinAlgError
    naming ``name``."""
    a = _f.array_operand(a)
    s = shape(a)
    if len(s) < 2:
        raise LinAlgError(
            f"{name}: expected a matrix or a stack of them (shape (..., m, n)), got shape {s}"
        )
    return a


def _adjoint(a: Any) -> Any:
    """aᴴ, the conjugate transpose of each matrix (aᵀ for a real a)."""
    at = matrix_transpose(a)
    return conj(at) if dtype_of(a).kind == "c" else at


def _symmetrized(a: Any) -> Any:
    """(a + aᴴ)/2, as JAX symmetrizes the input of eigh and cholesky."""
    return _f.multiply(_f.add(a, _adjoint(a)), 0.5)


def _traced(x: Any) -> bool:
    return type(x) in TRACED_TYPES


def _differentiated(x: Any) -> bool:
    """Whether a transform differentiates x (a value vmap maps, without derivatives, is not)."""
    return _traced(x) and not holds_numbers(x)


# ---------------------------------------------------------------------------- solves
def _right_hand_side(a: Any, b: Any, name: str) -> bool:
    """Check the shapes of a system a x = b; True when b is a vector (NumPy 2's rule: b is a
    vector only when it is 1-D)."""
    _square(a, name)
    n = shape(a)[-1]
    vector = ndim(b) == 1
    if ndim(b) == 0 or shape(b)[-1 if vector else -2] != n:
        raise ValueError(
            f"{name}: a of shape {shape(a)} needs b of shape ({n},) or (..., {n}, k), got "
            f"shape {shape(b)}"
        )
    return vector


def _as_system(b: Any, vector: bool) -> Any:
    return _f.reshape(b, (*shape(b), 1)) if vector else b


def _from_system(x: Any, vector: bool) -> Any:
    return _f.reshape(x, shape(x)[:-1]) if vector else x


def solve(a: Any, b: Any) -> Any:
    """x with a x = b (LU)."""
    a, b = _f.array_operand(a), _f.array_operand(b)
    vector = _right_hand_side(a, b, "solve")
    return _from_system(_linalg.solve(a, _as_system(b, vector)), vector)


def solve_triangular(
    a: Any,
    b: Any,
    trans: int | str = 0,
    lower: bool = False,
    unit_diagonal: bool = False,
    overwrite_b: bool = False,
    debug: Any = None,
    check_finite: bool = True,
) -> Any:
    """x with op(a) x = b for triangular a, SciPy's signature (``trans``: 0/'N' a, 1/'T' aᵀ,
    2/'C' aᴴ = conj(a)ᵀ); only the triangle is read (its diagonal taken as ones when
    ``unit_diagonal``). ``overwrite_b``, ``debug`` and ``check_finite`` are accepted and
    ignored, as by JAX (admodes never overwrites an input)."""
    code = _linalg.trans_code(trans, "solve_triangular")
    a, b = _f.array_operand(a), _f.array_operand(b)
    vector = _right_hand_side(a, b, "solve_triangular")
    x = _linalg.solve_triangular(
        conj(a) if code == 2 and dtype_of(a).kind == "c" else a,
        _as_system(b, vector),
        lower=bool(lower),
        trans=min(code, 1),
        unit_diagonal=bool(unit_diagonal),
    )
    return _from_system(x, vector)


def inv(a: Any) -> Any:
    a = _square(a, "inv")
    return _linalg.inv(a)


def det(a: Any) -> Any:
    a = _square(a, "det")
    return _linalg.det(a)


def slogdet(a: Any, *, method: str | None = None) -> SlogdetResult:
    """(sign, log|det a|) (JAX's ``method``, "lu" or "qr", is accepted: NumPy's LU computes
    it, with the same derivative). A real a's sign is piecewise constant (zero derivative). A
    complex a's are taken from log det a = log|det a| + iθ: log|det a| = Re log det a
    (d = Re tr(a⁻¹ da)) and sign = s₀ e^{i(θ − θ₀)}, with NumPy's sign s₀ = e^{iθ₀} as a
    constant: its value is NumPy's exactly and d sign = i Im tr(a⁻¹ da) · sign (JAX's)."""
    a = _square(a, "slogdet")
    if method not in (None, "lu", "qr"):
        raise ValueError(f"slogdet: method must be 'lu' or 'qr', got {method!r}")
    sign = at_each_index(lambda m: _np.linalg.slogdet(m)[0], a)
    logdet = _linalg.slogdet(a)
    if dtype_of(a).kind != "c":
        return SlogdetResult(sign, logdet)
    turn = _f.subtract(imag(logdet), _np.angle(sign))  # 0, with the derivative of θ
    return SlogdetResult(_f.multiply(sign, exp(_f.multiply(1j, turn))), real(logdet))


def matrix_power(a: Any, n: int) -> Any:
    """a to the integer power n by repeated squaring (n < 0: of the inverse)."""
    a = _square(a, "matrix_power")
    if not isinstance(n, int | _np.integer):
        raise TypeError(f"matrix_power: the exponent must be an integer, got {n!r}")
    if n == 0:
        eye = _np.eye(shape(a)[-1], dtype=dtype_of(a))
        return _np.broadcast_to(eye, shape(a)).copy()
    if n < 0:
        a, n = inv(a), -n
    result = None
    while n:
        if n & 1:
            result = a if result is None else matmul(result, a)
        n >>= 1
        if n:
            a = matmul(a, a)
    return result


def multi_dot(arrays: Sequence[Any], *, precision: Any = None) -> Any:
    """a₀ @ a₁ @ … as one einsum, in the cheapest order NumPy's path optimizer finds; the first
    may be 1-D (a row) and the last 1-D (a column) (``precision``: accepted, as JAX's)."""
    if len(arrays) < 2:
        raise ValueError("multi_dot needs at least two arrays")
    arrays = [_f.array_operand(x) for x in arrays]
    letters = [chr(ord("a") + i) for i in range(len(arrays) + 1)]
    terms = []
    for i, x in enumerate(arrays):
        first, last = i == 0, i == len(arrays) - 1
        if ndim(x) == 1 and (first or last):
            terms.append(letters[i + 1] if first else letters[i])
        elif ndim(x) == 2:
            terms.append(letters[i] + letters[i + 1])
        else:
            raise ValueError(
                f"multi_dot: array {i} has shape {shape(x)}; the first and last may be 1-D, "
                "every array must be 2-D otherwise"
            )
    output = (letters[0] if ndim(arrays[0]) == 2 else "") + (
        letters[-1] if ndim(arrays[-1]) == 2 else ""
    )
    return einsum(",".join(terms) + "->" + output, *arrays)


# ---------------------------------------------------------------------------- decompositions
def _hermitian_input(
    a: Any, UPLO: str | None, symmetrize_input: bool, name: str
) -> tuple[Any, bool]:
    """(h, lower): the Hermitian matrix eigh, eigvalsh and cholesky decompose is the one h's
    ``lower`` (or upper) triangle gives: (a + aᴴ)/2 (``UPLO`` unread), or with JAX's
    ``symmetrize_input=False`` the matrix a's ``UPLO`` triangle ("L", the default, or "U") gives,
    as NumPy's; its tangent is then taken as given (JAX's convention)."""
    a = _square(a, name)
    if UPLO not in (None, "L", "U"):
        raise ValueError(f"{name}: UPLO must be 'L' or 'U', got {UPLO!r}")
    if symmetrize_input:
        return _symmetrized(a), True
    return a, UPLO != "U"


def cholesky(a: Any, *, upper: bool = False, symmetrize_input: bool = True) -> Any:
    """L with h = L Lᴴ (``upper``: Lᴴ), h = (a + aᴴ)/2, or with ``symmetrize_input=False`` the
    matrix a's lower triangle gives (as JAX's; dL = L Φ(L⁻¹ dA L⁻ᵀ) with dA as given); a matrix
    that is not positive definite raises NumPy's LinAlgError."""
    low = _linalg.cholesky(_hermitian_input(a, None, symmetrize_input, "cholesky")[0])
    return _adjoint(low) if upper else low


def eigh(a: Any, UPLO: str | None = None, symmetrize_input: bool = True) -> EighResult:
    """Eigenvalues (ascending) and eigenvectors of the symmetric a (see the module docstring and
    :func:`_hermitian_input`): with ``symmetrize_input=False`` a non-symmetric a's cotangent is
    V diag(w̄) Vᵀ (JAX's differs there; for a symmetric a both are the default's)."""
    return _hermitian_eigh(*_hermitian_input(a, UPLO, symmetrize_input, "eigh"))


def _real_valued(x: Any) -> Any:
    """The real part of a complex x whose values are real (packed with complex factors)."""
    return real(x) if dtype_of(x).kind == "c" else x


def _hermitian_eigh(a: Any, lower: bool = True) -> EighResult:
    """Eigenvalues (ascending) and eigenvectors of the Hermitian matrix given by a's ``lower``
    (or upper) triangle (its derivative takes a's tangent as given, as JAX's)."""
    packed = _linalg.eigh(a, lower=lower)
    # the eigenvalues are real; stored in the complex [w; V] of a complex a
    return EighResult(_real_valued(row(packed, 0)), rows(packed, 1))


def eig(a: Any) -> EigResult:
    """Eigenvalues and (unit) eigenvectors of the general square a, NumPy's values, complex
    whatever the spectrum (JAX's dtype: NumPy's is real when every eigenvalue is). The
    eigenvectors cannot be differentiated, as in JAX, so a traced a raises (its eigenvalues
    alone differentiate: :func:`eigvals`); one that vmap maps, without derivatives, is
    decomposed at each index."""
    a = _square(a, "eig")
    if _differentiated(a):
        raise NotImplementedError(_linalg.EIGENVECTORS_NOT_DIFFERENTIABLE)
    values, vectors = at_each_index(_np.linalg.eig, a)
    dtype = complex_dtype_of(a)
    return EigResult(_f.astype(values, dtype), _f.astype(vectors, dtype))


def eigvals(a: Any) -> Any:
    """Eigenvalues of the general square a (NumPy's values, complex whatever the spectrum, as
    JAX's); derivative dw = diag(V⁻¹ dA V) for distinct eigenvalues (JAX's)."""
    a = _square(a, "eigvals")
    return _linalg.eigvals(a)


def eigvalsh(a: Any, UPLO: str | None = "L", *, symmetrize_input: bool = True) -> Any:
    """The eigenvalues (ascending) of :func:`eigh`'s matrix (:func:`_hermitian_input`):
    dw = diag(Vᵀ dA V)."""
    h, lower = _hermitian_input(a, UPLO, symmetrize_input, "eigvalsh")
    return _linalg.eigvalsh(h, lower=lower)


def svd(
    a: Any,
    full_matrices: bool = True,
    compute_uv: bool = True,
    hermitian: bool = False,
    subset_by_index: tuple[int, int] | None = None,
) -> Any:
    """a = U diag(S) Vh (``compute_uv=False``: S alone); singular values descending. With
    ``hermitian``, from the eigendecomposition of (a + aᴴ)/2, as JAX's (see :func:`_svd_of_eigh`).
    JAX's ``subset_by_index=(start, end)`` keeps the triplets start:end (with ``hermitian``, the
    eigenpairs start:end, eigenvalues ascending), sliced from the whole decomposition, so they
    differentiate (JAX on a CPU refuses the subset); as JAX's, not with ``full_matrices`` but
    for ``hermitian``."""
    a = _matrices(a, "svd")
    if hermitian:
        _square(a, "svd(hermitian=True)")
        return _svd_of_eigh(a, compute_uv, subset_by_index)
    if subset_by_index is not None:
        return _svd_subset(a, full_matrices, compute_uv, subset_by_index)
    m, n = shape(a)[-2:]
    if compute_uv and full_matrices and m != n:
        if _traced(a):
            raise NotImplementedError(
                f"the derivative of svd with full_matrices=True of a {m}×{n} matrix is not "
                "defined (as in JAX): pass full_matrices=False"
            )
        return SVDResult(*_np.linalg.svd(a, full_matrices=True))
    if not compute_uv:
        return _linalg.svdvals(a)
    packed = _linalg.svd(a)  # the singular values are real; stored in a complex [U; s; V]
    s = _real_valued(row(packed, m))
    return SVDResult(rows(packed, 0, m), s, matrix_transpose(rows(packed, m + 1)))


def _svd_subset(
    a: Any, full_matrices: bool, compute_uv: bool, subset_by_index: tuple[int, int]
) -> Any:
    """The singular triplets start:end of a, sliced from its thin SVD."""
    if full_matrices:
        raise ValueError(
            "svd: full_matrices and subset_by_index cannot both be set (as in JAX); pass "
            "full_matrices=False"
        )
    kept = slice(*subset_by_index)
    if not compute_uv:
        return _f.getitem(svd(a, False, False), (..., kept))
    u, s, vh = svd(a, full_matrices=False)
    return SVDResult(
        _f.getitem(u, (..., slice(None), kept)),
        _f.getitem(s, (..., kept)),
        _f.getitem(vh, (..., kept, slice(None))),
    )


def _svd_of_eigh(a: Any, compute_uv: bool, subset_by_index: tuple[int, int] | None = None) -> Any:
    """The SVD of the Hermitian matrix (a + aᴴ)/2 = V diag(w) Vᴴ: S = |w| descending, U = V's
    columns in that order, Vh = (U diag(sign w))ᴴ (JAX's order at ties: its stable ascending
    sort, reversed); the signs are constants. ``subset_by_index`` keeps the eigenpairs
    start:end first, as JAX's."""
    w, v = eigh(a)
    if subset_by_index is not None:
        kept = slice(*subset_by_index)
        w, v = _f.getitem(w, (..., kept)), _f.getitem(v, (..., slice(None), kept))
    order = _np.flip(_np.argsort(_np.abs(numbers(w)), axis=-1, kind="stable"), axis=-1)
    s = _take_along_axis(_f.abs(w), order, axis=-1)
    if not compute_uv:
        return s
    u = _take_along_axis(v, order[..., None, :], axis=-1)
    signs = _np.take_along_axis(_np.sign(numbers(w)), order, axis=-1)
    return SVDResult(u, s, matrix_transpose(conj(_f.multiply(u, signs[..., None, :]))))


def svdvals(x: Any) -> Any:
    return svd(x, compute_uv=False)


def qr(a: Any, mode: str = "reduced") -> Any:
    """a = Q R with orthonormal Q and upper-triangular R: modes 'reduced' (Q m×k, R k×n, k =
    min(m, n)), 'complete' (Q m×m, R m×n) and 'r' (R of 'reduced'), differentiable in each, as
    JAX's; 'raw' is NumPy's (h, tau), LAPACK's Householder form (h transposed, n×m): not
    differentiable, as in JAX (a traced a raises; one that vmap maps is factored at each
    index)."""
    a = _matrices(a, "qr")
    if mode not in ("reduced", "complete", "r", "raw"):
        raise ValueError(
            f"qr: mode {mode!r} is not supported; use 'reduced', 'complete', 'r' or 'raw'"
        )
    if mode == "raw":
        if _differentiated(a):
            raise NotImplementedError(
                "qr(mode='raw') cannot be differentiated (nor in JAX, which has no derivative "
                "of LAPACK's Householder form): use mode='reduced' or 'complete'"
            )
        return at_each_index(lambda x: _np.linalg.qr(x, mode="raw"), a)
    m, n = shape(a)[-2:]
    packed = _linalg.qr(a, complete=mode == "complete" and m > n)
    r = matrix_transpose(rows(packed, m))
    return r if mode == "r" else QRResult(rows(packed, 0, m), r)


def _eps(a: Any) -> float:
    """The machine epsilon of a's dtype (float64's for integers), as JAX's cutoffs take it."""
    dtype = dtype_of(a)
    return float(_np.finfo(dtype if dtype.kind in "fc" else _np.float64).eps)


def pinv(a: Any, rtol: Any = None, hermitian: bool = False, *, rcond: Any = None) -> Any:
    """The Moore–Penrose pseudo-inverse from the SVD, singular values s ≤ rtol·max s cut off
    (``rtol`` a number or one per matrix, shape a.shape[:-2]; by default JAX's
    10·max(m, n)·eps, where NumPy's is 1e-15; ``rcond`` is its alias, as JAX's, and not both);
    with ``hermitian``, of (a + aᴴ)/2, as JAX's (its derivative then symmetric)."""
    if rcond is not None:
        if rtol is not None:
            raise ValueError(
                "pinv: only one of rtol and rcond may be specified (rcond is an alias)"
            )
        rtol = rcond
    a = _matrices(a, "pinv")
    if rtol is None:
        rtol = 10 * max(shape(a)[-2:]) * _eps(a)
    if hermitian:
        _square(a, "pinv(hermitian=True)")
        a = _symmetrized(a)
    return _linalg.pinv(a, rcond=rtol)


def lstsq(a: Any, b: Any, rcond: float | None = None, *, numpy_resid: bool = False) -> tuple:
    """(x, residuals, rank, s) minimizing ‖a x − b‖, as JAX computes and differentiates them:
    x from the SVD, singular values s ≤ rcond·max s cut off (rcond defaults to eps·max(m, n); a
    negative one is eps) (:func:`admodes.numpy._contractions.pseudo_solution`); residuals JAX's
    ‖a x − b‖² of each column of b whatever a's shape and rank (:func:`_squared_misfits`), or
    with ``numpy_resid=True`` NumPy's: those for a full-rank a with more rows than columns, else
    empty; residuals and s are real, as NumPy's and JAX's."""
    a, b = _f.array_operand(a), _f.array_operand(b)
    if ndim(a) != 2 or ndim(b) not in (1, 2) or shape(b)[0] != shape(a)[0]:
        raise LinAlgError(
            f"lstsq: a must be 2-D and b of shape ({shape(a)[0]},) or ({shape(a)[0]}, k); got "
            f"shapes {shape(a)} and {shape(b)}"
        )
    eps = _eps(a)
    relative = eps * max(shape(a)) if rcond is None else (eps if rcond < 0 else rcond)
    x, rank, singular = pseudo_solution(a, b, relative)
    residuals = numpy_residuals(a, b, x, rank) if numpy_resid else _squared_misfits(a, b, x)
    return x, residuals, rank, _real_valued(singular)


def _squared_misfits(a: Any, b: Any, x: Any) -> Any:
    """‖b − a x‖² of each column of b, shape (1,) for a vector b: JAX's lstsq residuals
    (norm(b − a x, axis=0)², so their derivative is nan where one is 0, as JAX's)."""
    squared = _f.square(norm(_f.subtract(b, matmul(a, x)), axis=0))
    return _f.reshape(squared, (1,)) if ndim(b) == 1 else squared


# ---------------------------------------------------------------------------- conditioning
_COND_ORDERS = (None, 1, -1, 2, -2, _np.inf, -_np.inf, "fro", "nuc")


def cond(x: Any, p: Any = None) -> Any:
    """The condition number of each matrix of x: σ_max/σ_min from the singular values (p None or
    2; σ_min/σ_max for −2), or ‖x‖_p ‖x⁻¹‖_p (p 1, −1, inf, −inf, 'fro', 'nuc'; square x), as
    NumPy and JAX compose it; inf where it is nan but x has no nan (NumPy's). The p-norm orders
    need x⁻¹: a singular x gets NumPy's inf, or, when it is traced, NumPy's LinAlgError (its
    derivative is not defined; JAX gives nan)."""
    x = _f.array_operand(x)
    s = shape(x)
    if len(s) < 2 or 0 in s[-2:]:
        raise LinAlgError(
            f"cond: expected a non-empty matrix or a stack of them (shape (..., m, n)), got "
            f"shape {s}"
        )
    if p not in _COND_ORDERS:
        raise ValueError(f"cond: invalid order {p!r}; use one of {_COND_ORDERS}")
    if p in (None, 2, -2):
        values = svdvals(x)
        largest, smallest = values[..., 0], values[..., -1]
        with _np.errstate(divide="ignore", invalid="ignore"):  # a singular x: inf, as NumPy
            r = _f.divide(smallest, largest) if p == -2 else _f.divide(largest, smallest)
    else:
        _square(x, "cond")
        try:
            inverse = inv(x)
        except LinAlgError:
            if _traced(x):
                raise LinAlgError(
                    f"cond(x, p={p!r}) of a singular x is inf and has no derivative; use p=None "
                    "(singular values) or a nonsingular x"
                ) from None
            return _np.linalg.cond(x, p)
        r = _f.multiply(norm(x, p, axis=(-2, -1)), norm(inverse, p, axis=(-2, -1)))
    overflow = _np.isnan(numbers(r)) & ~_np.any(_np.isnan(numbers(x)), axis=(-2, -1))
    if not is_mapped(overflow) and not overflow.any():
        return r
    return _numpy_scalar(_f.where(overflow, _np.inf, r))  # a scalar for one matrix, as NumPy


def matrix_rank(A: Any, tol: Any = None, hermitian: bool = False, *, rtol: Any = None) -> Any:
    """NumPy's ``matrix_rank``: the number of singular values of each matrix (the absolute
    eigenvalues of (a + aᴴ)/2 if ``hermitian``, as JAX's) above ``tol``, by default rtol times
    the largest (rtol = max(m, n)·eps); of a vector, whether any entry is nonzero. Integers, a
    constant (not differentiable). JAX's calls (``M``, ``rtol`` positional, ``hermitian``,
    ``tol``) are accepted; JAX 0.10 compares a given ``rtol`` with the singular values
    directly, as ``tol``, where its documentation and NumPy scale it by the largest: this is
    NumPy's (and that documentation's)."""
    if rtol is not None and tol is not None:
        raise ValueError("`tol` and `rtol` can't be both set.")
    a = numbers(_f.asarray(A))
    if ndim(a) < 2:
        return _np.linalg.matrix_rank(plain(a))
    values = _np.abs(eigvalsh(a)) if hermitian else _linalg.svdvals(a)
    if tol is None:
        scale = max(shape(a)[-2:]) * _eps(values)
        if rtol is not None:
            scale = _np.asarray(plain(rtol))[..., None]
        tol = _np.max(values, axis=-1, keepdims=True, initial=0) * scale
    else:
        tol = _np.asarray(plain(tol))[..., None]
    return _np.count_nonzero(values > tol, axis=-1)


# ---------------------------------------------------------------------------- norms
def _vector_norm(x: Any, ord: Any, axis: tuple[int, ...], keepdims: bool) -> Any:
    if ord is None or ord == 2:
        return _f.sqrt(_f.sum(_f.multiply(x, x), axis=axis, keepdims=keepdims))
    if ord in (_np.inf, -_np.inf):
        pick = _largest if ord > 0 else _f.min
        return pick(_f.abs(x), axis=axis, keepdims=keepdims)
    if ord == 0:
        return _np.sum(plain(x) != 0, axis=axis, keepdims=keepdims).astype(dtype_of(x))
    if ord == 1:
        return _f.sum(_f.abs(x), axis=axis, keepdims=keepdims)
    if isinstance(ord, str):
        raise ValueError(f"norm: ord {ord!r} is for matrices; a vector norm takes a number")
    return _f.power(_f.sum(_f.power(_f.abs(x), ord), axis=axis, keepdims=keepdims), 1.0 / ord)


def _largest(x: Any, axis: int | tuple[int, ...], keepdims: bool) -> Any:
    """The max of ``x`` ≥ 0 over ``axis`` and 0, as NumPy's and JAX's norms reduce (``initial=0``):
    0 over an empty axis, and where every entry is 0 the derivative is shared with that initial
    0, as JAX's (the ∞-norm's gradient at 0 is 1/(2n) per entry)."""
    return _f.max(x, axis=axis, keepdims=keepdims, initial=0.0)


def _matrix_norm(x: Any, ord: Any, axis: tuple[int, int], keepdims: bool) -> Any:
    """The matrix norm over the two distinct non-negative axes ``axis``."""
    nd = ndim(x)
    row_axis, col_axis = axis
    if ord in (None, "fro"):
        out = _f.sqrt(_f.sum(_f.multiply(x, x), axis=axis, keepdims=True))
    elif ord in (1, -1, _np.inf, -_np.inf):
        summed, over = (row_axis, col_axis) if ord in (1, -1) else (col_axis, row_axis)
        pick = _largest if ord in (1, _np.inf) else _f.min
        out = pick(_f.sum(_f.abs(x), axis=summed, keepdims=True), axis=over, keepdims=True)
    elif ord in (2, -2, "nuc"):
        rest = [i for i in range(nd) if i not in (row_axis, col_axis)]
        values = svd(_f.transpose(x, (*rest, row_axis, col_axis)), compute_uv=False)
        if ord == "nuc":
            reduced = _f.sum(values, axis=-1)
        else:
            reduced = _largest(values, -1, False) if ord == 2 else _f.min(values, axis=-1)
        kept = tuple(1 if i in (row_axis, col_axis) else d for i, d in enumerate(shape(x)))
        out = _f.reshape(reduced, kept)
    else:
        raise ValueError(f"norm: invalid order {ord!r} for a matrix norm")
    if keepdims:
        return out
    kept = tuple(d for i, d in enumerate(shape(out)) if i not in (row_axis, col_axis))
    return _numpy_scalar(_f.reshape(out, kept))  # a scalar for one matrix, as NumPy


def norm(
    x: Any, ord: Any = None, axis: int | tuple[int, ...] | None = None, keepdims: bool = False
) -> Any:
    """Vector norms (ord None/2, 1, inf, -inf, 0, p) and matrix norms (None/'fro', 'nuc',
    1, -1, 2, -2, inf, -inf), with NumPy's ``axis`` and ``keepdims``. Written with admodes ops:
    the derivative of the 2-norm at zero is nan, as in JAX. A complex x's norms are those of
    |x|, but for the orders that need singular values: those are x's own (whose derivative
    the singular value decomposition of a complex matrix refuses)."""
    x = _f.array_operand(x)
    if dtype_of(x).kind in "biu":  # integers and booleans are read as float64, as NumPy
        x = _np.asarray(x, dtype=float)
    nd = ndim(x)
    given = x
    if dtype_of(x).kind == "c":
        x = _f.abs(x)
    if axis is None:
        if ord is None:
            out = _f.sqrt(_f.sum(_f.multiply(x, x)))
            return _f.reshape(out, (1,) * nd) if keepdims else out
        if nd not in (1, 2):
            raise ValueError(f"norm: an order needs a 1-D or 2-D x or an axis, got ndim {nd}")
        axis = tuple(range(nd))
    axes = (axis,) if isinstance(axis, int | _np.integer) else tuple(axis)
    if len(axes) == 1:
        return _vector_norm(x, ord, axes, keepdims)
    if len(axes) == 2:
        axes = tuple(normalize_axis_index(int(i), nd) for i in axes)  # AxisError out of range
        if axes[0] == axes[1]:
            raise ValueError("Duplicate axes given.")
        return _matrix_norm(given if ord in ("nuc", 2, -2) else x, ord, axes, keepdims)
    raise ValueError(f"norm: axis must name one or two axes, got {axis!r}")


def matrix_norm(x: Any, /, *, keepdims: bool = False, ord: Any = "fro") -> Any:
    """:func:`norm` of each matrix of x (its last two axes), as ``numpy.linalg.matrix_norm``."""
    x = _matrices(x, "matrix_norm")
    return norm(x, ord, (-2, -1), keepdims)


def vector_norm(
    x: Any,
    /,
    *,
    axis: int | tuple[int, ...] | None = None,
    keepdims: bool = False,
    ord: Any = 2,
) -> Any:
    """:func:`norm` of the entries over ``axis`` (every axis by default) read as one vector, as
    ``numpy.linalg.vector_norm``: the axes are moved to the front and flattened into one, so
    that two of them never make a matrix norm (ord 2, 1, inf, −inf, 0 or a number p)."""
    x = _f.array_operand(x)
    nd = ndim(x)
    axes = tuple(range(nd)) if axis is None else normalize_axis_tuple(axis, nd)
    rest = tuple(i for i in range(nd) if i not in axes)
    sizes = shape(x)
    flat = _f.reshape(
        _f.transpose(x, (*axes, *rest)),
        (math.prod(sizes[i] for i in axes), *(sizes[i] for i in rest)),
    )
    out = norm(flat, ord, axis=0)
    if not keepdims:
        return out
    return _f.reshape(out, tuple(1 if i in axes else d for i, d in enumerate(sizes)))


# ---------------------------------------------------------------------------- array API names
def tensordot(
    x1: Any,
    x2: Any,
    /,
    axes: int | Sequence[Any] = 2,
    *,
    precision: Any = None,
    preferred_element_type: Any = None,
    out_sharding: Any = None,
) -> Any:
    """:func:`admodes.numpy.tensordot`, as ``numpy.linalg.tensordot`` and JAX's (``axes`` by
    keyword or position); JAX's ``out_sharding`` (the result's layout over devices) is accepted
    as None only."""
    if out_sharding is not None:
        raise NotImplementedError(
            "linalg.tensordot: out_sharding is not supported (admodes computes on one device, "
            "with NumPy); drop it, or place the result with jax.device_put after converting it"
        )
    return _tensordot(
        _f.array_operand(x1),
        _f.array_operand(x2),
        axes,
        precision=precision,
        preferred_element_type=preferred_element_type,
    )


def outer(x1: Any, x2: Any, /) -> Any:
    """x1ᵢ x2ⱼ for two vectors, as ``numpy.linalg.outer`` (NumPy 2) and JAX's: other shapes
    raise, where :func:`admodes.numpy.outer` flattens them."""
    x1, x2 = _f.array_operand(x1), _f.array_operand(x2)
    if ndim(x1) != 1 or ndim(x2) != 1:
        raise ValueError(
            "linalg.outer: input arrays must be one-dimensional, got shapes "
            f"{shape(x1)} and {shape(x2)} (admodes.numpy.outer flattens them)"
        )
    return _outer(x1, x2)


def cross(x1: Any, x2: Any, /, *, axis: int = -1) -> Any:
    """The cross product of 3-vectors along ``axis`` (broadcast over the other axes), as
    ``numpy.linalg.cross`` and JAX's: :func:`admodes.numpy.cross` with the array API's
    signature, which takes 3-vectors only."""
    x1, x2 = _f.array_operand(x1), _f.array_operand(x2)
    if shape(x1)[axis] != 3 or shape(x2)[axis] != 3:
        raise ValueError(
            f"linalg.cross needs vectors of 3 components along axis {axis}, got shapes "
            f"{shape(x1)} and {shape(x2)} (admodes.numpy.cross takes 2-component ones, as JAX's)"
        )
    return _cross(x1, x2, axis=axis)


def diagonal(x: Any, /, *, offset: int = 0) -> Any:
    """The entries x[..., i, i + offset] of each matrix of x (its last two axes), as
    ``numpy.linalg.diagonal``."""
    x = _matrices(x, "diagonal")
    return _diagonal(x, offset, -2, -1)


def trace(x: Any, /, *, offset: int = 0, dtype: Any = None) -> Any:
    """Σᵢ x[..., i, i + offset] of each matrix of x (its last two axes), as
    ``numpy.linalg.trace``."""
    x = _matrices(x, "trace")
    return _trace(x, offset, -2, -1, dtype)


# ---------------------------------------------------------------------------- tensor equations
def tensorinv(a: Any, ind: int = 2) -> Any:
    """The inverse of a read as a square matrix, its rows the first ``ind`` axes and its columns
    the others, shaped a.shape[ind:] + a.shape[:ind] (so tensordot(tensorinv(a), a, ind) is the
    identity), as ``numpy.linalg.tensorinv``: :func:`inv` of a reshape."""
    a, ind = _f.array_operand(a), operator.index(ind)
    if ind <= 0:
        raise ValueError(f"tensorinv: ind must be a positive integer, got {ind}")
    s = shape(a)
    n_rows, n_cols = math.prod(s[:ind]), math.prod(s[ind:])
    if n_rows != n_cols:
        raise LinAlgError(
            f"tensorinv: a of shape {s} with ind={ind} is a {n_rows}×{n_cols} matrix (the product "
            "of its first ind axes by that of the others); they must be equal"
        )
    return _f.reshape(inv(_f.reshape(a, (n_rows, n_cols))), (*s[ind:], *s[:ind]))


def tensorsolve(a: Any, b: Any, axes: Sequence[int] | None = None) -> Any:
    """x with tensordot(a, x, x.ndim) = b, as ``numpy.linalg.tensorsolve``: a's ``axes`` are
    moved to its end (in that order), then a is read as a square matrix, its rows b's entries
    and its columns x's (of shape a.shape[b.ndim:]): :func:`solve` of a reshape."""
    a, b = _f.array_operand(a), _f.array_operand(b)
    if axes is not None:
        moved = normalize_axis_tuple(axes, ndim(a))
        a = _f.transpose(a, (*(i for i in range(ndim(a)) if i not in moved), *moved))
    equations, unknowns = math.prod(shape(a)[: ndim(b)]), shape(a)[ndim(b) :]
    n = math.prod(unknowns)
    if equations != n:
        raise LinAlgError(
            f"tensorsolve: a of shape {shape(a)} (after moving axes) must be b.shape + x.shape "
            f"with as many entries in b as in x, got prod(a.shape[:{ndim(b)}]) = {equations} "
            f"and prod(a.shape[{ndim(b)}:]) = {n}"
        )
    if size(b) != n:
        raise ValueError(
            f"tensorsolve: b of shape {shape(b)} has {size(b)} entries; a of shape {shape(a)} "
            f"(axes moved) needs {n}, one per row of a"
        )
    return _f.reshape(solve(_f.reshape(a, (n, n)), _f.reshape(b, (n,))), unknowns)
