"""``admodes.scipy.sparse.linalg``: the Krylov solvers ``cg`` (A symmetric positive definite),
``bicgstab`` and ``gmres`` (any nonsingular A), SciPy's, with their derivatives as JAX takes
them: those of the exact solution x = A⁻¹b, implicitly, by more solves (dx = A⁻¹(db − dA x);
b̄ = A⁻ᵀ x̄, Ā = −b̄ xᵀ), never through the iterations. So the derivatives are right at every
order, whatever path the iterations took.

Each is SciPy's solver as the ``solve`` of :func:`admodes.lax.custom_linear_solve` (as JAX's
are ``jax.lax.custom_linear_solve``'s). ``A`` (and the preconditioner ``M``) is a matrix, a
function v ↦ A v, or SciPy's sparse matrix or ``LinearOperator`` (a constant). A matrix is
differentiated like b. A function that closes over traced values (a parameter θ of A(θ)) is
differentiated in them, through dA x = ∂(A x)/∂θ · dθ and θ̄ = −(∂(A x)/∂θ)ᵀ b̄. For
``bicgstab`` and ``gmres`` a function's transpose, which the reverse-mode derivative needs, is
found by reverse mode (it is linear); SciPy's operators and matrices bring their own. Signatures are
SciPy's, with JAX's ``tol`` accepted for ``rtol``; ``info`` is 0 when the residual met the
tolerance, else ``maxiter`` (SciPy's meaning).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import scipy.sparse
import scipy.sparse.linalg as ssl

import admodes.numpy as anp
from admodes.core import Traced, dtype_of, ndim, plain, shape
from admodes.lax.implicit import custom_linear_solve

__all__ = ["bicgstab", "cg", "gmres"]


def _krylov(method: str, doc: str) -> Callable[..., tuple[Any, int]]:
    """The solver ``method`` with SciPy's signature (and JAX's ``tol``), documented ``doc``."""

    def solver(
        A: Any,
        b: Any,
        x0: Any = None,
        *,
        rtol: float = 1e-5,
        atol: float = 0.0,
        maxiter: int | None = None,
        M: Any = None,
        callback: Any = None,
        tol: float | None = None,
    ) -> tuple[Any, int]:
        return _solve(method, A, b, x0, rtol, tol, atol, maxiter, M, callback)

    solver.__name__ = solver.__qualname__ = method
    solver.__doc__ = doc
    return solver


cg = _krylov("cg", "(x, info) with A x = b by conjugate gradients (A symmetric positive definite).")
bicgstab = _krylov("bicgstab", "(x, info) with A x = b by BiCGSTAB.")


def gmres(
    A: Any,
    b: Any,
    x0: Any = None,
    *,
    rtol: float = 1e-5,
    atol: float = 0.0,
    restart: int | None = None,
    maxiter: int | None = None,
    M: Any = None,
    callback: Any = None,
    callback_type: Any = None,
    tol: float | None = None,
    solve_method: str | None = None,
) -> tuple[Any, int]:
    """(x, info) with A x = b by restarted GMRES (``restart`` Krylov vectors per cycle;
    ``callback_type`` and JAX's ``solve_method`` are accepted and do nothing)."""
    return _solve("gmres", A, b, x0, rtol, tol, atol, maxiter, M, callback, restart=restart)


def _solve(
    method: str,
    A: Any,
    b: Any,
    x0: Any,
    rtol: float,
    tol: float | None,
    atol: float,
    maxiter: int | None,
    M: Any,
    callback: Any,
    restart: int | None = None,
) -> tuple[Any, int]:
    """(x, info): SciPy's solve as the ``solve`` of :func:`admodes.lax.custom_linear_solve`,
    after checking the arguments."""
    if callback is not None:
        raise TypeError(f"{method}: callback is not supported by admodes; drop it")
    if tol is not None:
        if rtol != 1e-5:
            raise TypeError(f"{method}: give rtol (SciPy's name) or tol (JAX's), not both")
        rtol = tol
    if isinstance(b, dict) or (isinstance(b, tuple | list) and any(ndim(v) for v in b)):
        raise TypeError(
            f"{method} takes b as a real vector, got a {type(b).__name__} (JAX takes pytrees, "
            "admodes does not): pass one flat vector, as admodes.flatten_util.ravel_pytree(b) "
            "gives it with the function to unflatten the solution"
        )
    b = anp.asarray(b)
    if ndim(b) != 1 or dtype_of(b).kind not in "f":
        raise ValueError(
            f"{method} takes b as a real vector, got shape {shape(b)} and dtype {dtype_of(b)} "
            "(JAX also takes matrices and complex b, admodes does not): solve per column, or "
            "for the real and imaginary parts as one real system"
        )
    n = shape(b)[0]
    if x0 is not None and shape(x0) != (n,):
        raise ValueError(f"{method}: x0 has shape {shape(x0)} but b has shape {(n,)}")
    matvec, transposed = _operator(method, A, n)
    options: dict[str, Any] = {"rtol": rtol, "atol": atol, "maxiter": maxiter}
    if x0 is not None:
        options["x0"] = plain(x0)  # the solution does not depend on it
    if method == "gmres":
        options["restart"] = restart

    def solve(a: Operator, rhs: np.ndarray, m: Any = M) -> tuple[np.ndarray, int]:
        """SciPy's ``method`` on A v = a(v) (and preconditioner m): (x, info)."""
        if m is not None:
            m = _as_linear_operator(m if callable(m) else plain(m), n, rhs.dtype)
        x, info = getattr(ssl, method)(_as_linear_operator(a, n, rhs.dtype), rhs, M=m, **options)
        return x, int(info)

    def transpose_solve(vecmat: Operator, rhs: np.ndarray) -> tuple[np.ndarray, int]:
        """The solve with Aᵀ (SciPy's operators and matrices bring theirs); the preconditioner
        is kept for cg only, where Aᵀ = A."""
        return solve(transposed or vecmat, rhs, M if method == "cg" else None)

    return custom_linear_solve(
        matvec,
        b,
        solve,
        transpose_solve,
        symmetric=method == "cg" and transposed is None,
        has_aux=True,
    )


Operator = Callable[[Any], Any]


def _operator(method: str, A: Any, n: int) -> tuple[Operator, Operator | None]:
    """A as a function v ↦ A v of admodes values, and v ↦ Aᵀ v on plain vectors where A brings
    it: SciPy's sparse matrices and linear operators are constants (their ``matvec`` and
    ``rmatvec``); a matrix is differentiated like b, and its transpose in the solves is the
    matrix's; a function's transpose is found by reverse mode (for cg: A itself, symmetric)."""
    if scipy.sparse.issparse(A) or isinstance(A, ssl.LinearOperator):
        op = ssl.aslinearoperator(A)
        _check_square(method, op.shape, n)
        return (lambda v: op.matvec(v)), (lambda y: op.rmatvec(y))
    if callable(A):
        return A, None
    a = anp.asarray(A)
    _check_square(method, shape(a), n)
    return (lambda v: a @ v), (lambda y: plain(a).T @ y)


def _check_square(method: str, a_shape: tuple, n: int) -> None:
    if tuple(a_shape) != (n, n):
        raise ValueError(
            f"{method}: A must be a {n}×{n} matrix, linear operator or function, got shape "
            f"{tuple(a_shape)}"
        )


def _as_linear_operator(op: Any, n: int, dtype: np.dtype) -> ssl.LinearOperator:
    """A matrix, sparse matrix or linear operator as SciPy takes it; a function v ↦ A v of plain
    vectors as a LinearOperator (a traced result, which would drop a derivative, is refused)."""
    if not callable(op) or isinstance(op, ssl.LinearOperator):
        return ssl.aslinearoperator(op)

    def matvec(v: np.ndarray) -> np.ndarray:
        out = op(v)
        if isinstance(out, Traced):
            raise TypeError(
                "a Krylov solve's operator returned a traced value for a plain vector: a value "
                "it closes over reached its result without meeting v; compute A v from v with "
                "admodes operations"
            )
        return np.asarray(out)

    return ssl.LinearOperator((n, n), matvec=matvec, dtype=dtype)
