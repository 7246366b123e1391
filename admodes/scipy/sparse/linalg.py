"""``admodes.scipy.sparse.linalg``: the Krylov solvers ``cg`` (A symmetric positive definite),
``bicgstab`` and ``gmres`` (any nonsingular A), SciPy's, with their derivatives as JAX takes
them: those of the exact solution x = A⁻¹b, implicitly, by more solves (dx = A⁻¹(db − dA x);
b̄ = A⁻ᵀ x̄, Ā = −b̄ xᵀ), never through the iterations. So the derivatives are right at every
order, whatever path the iterations took.

``A`` (and the preconditioner ``M``) is a matrix, a function v ↦ A v, or SciPy's sparse
matrix or ``LinearOperator`` (a constant). A matrix is differentiated like b. A function whose
result is traced for a plain v closes over traced values (a parameter θ of A(θ)): they are found
by :func:`admodes.closure.closure_convert` and become the solve's arguments, differentiated
through dA x = ∂(A x)/∂θ · dθ and θ̄ = −(∂(A x)/∂θ)ᵀ b̄, as JAX's ``custom_linear_solve`` does.
For ``bicgstab`` and ``gmres`` a function's transpose, which the reverse-mode derivative needs,
is found by reverse mode (it is linear); SciPy's operators bring their own. Signatures are
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
from admodes.closure import closure_convert
from admodes.core import Traced, dtype_of, ndim, plain, shape
from admodes.forward import jvp
from admodes.registry import defprim
from admodes.reverse import vjp
from admodes.tree import flatten

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
    """(x, info) from the primitive :data:`krylov_solve`, after checking the arguments."""
    if callback is not None:
        raise TypeError(f"{method}: callback is not supported by admodes; drop it")
    if tol is not None:
        if rtol != 1e-5:
            raise TypeError(f"{method}: give rtol (SciPy's name) or tol (JAX's), not both")
        rtol = tol
    b = anp.asarray(b)
    if ndim(b) != 1 or dtype_of(b).kind not in "f":
        raise ValueError(
            f"{method} takes b as a real vector, got shape {shape(b)} and dtype {dtype_of(b)}"
        )
    n = shape(b)[0]
    if x0 is not None and shape(x0) != (n,):
        raise ValueError(f"{method}: x0 has shape {shape(x0)} but b has shape {(n,)}")
    operator, transposed, consts = _operator(method, A, n, dtype_of(b))
    x = krylov_solve(
        b,
        *consts,
        operator=operator,
        transposed=transposed,
        method=method,
        rtol=rtol,
        atol=atol,
        maxiter=maxiter,
        m=M if M is None or callable(M) else plain(M),
        x0=None if x0 is None else plain(x0),  # the solution does not depend on it
        restart=restart,
    )
    return x, _info(operator(plain(x), *map(plain, consts)), b, rtol, atol, maxiter)


Operator = Callable[..., Any]


def _operator(method: str, A: Any, n: int, dtype: np.dtype) -> tuple[Operator, Operator, tuple]:
    """A as ``operator(v, *consts)`` = A v, its transpose ``(y, *consts)`` ↦ Aᵀ y, and the
    values it is differentiated in (``consts``): a matrix itself (transposed exactly, so that
    second derivatives are those of A⁻¹b in all n² entries); what a function closes over that
    is traced (found by :func:`closure_convert`; its transpose by reverse mode, or for cg A
    itself, symmetric); nothing for SciPy's sparse matrices and linear operators, which are
    constants and bring their transposes."""
    if scipy.sparse.issparse(A) or isinstance(A, ssl.LinearOperator):
        op = ssl.aslinearoperator(A)
        _check_square(method, op.shape, n)
        return (lambda v: op.matvec(v)), (lambda y: op.rmatvec(y)), ()
    if callable(A):
        zeros = np.zeros(n, dtype)
        operator, consts = closure_convert(A, zeros) if _traced(A(zeros)) else (A, [])
        transposed = operator if method == "cg" else _transposed(operator, zeros)
        return operator, transposed, tuple(consts)
    a = anp.asarray(A)
    _check_square(method, shape(a), n)
    return (lambda v, a: a @ v), (lambda y, a: a.T @ y), (a,)


def _check_square(method: str, a_shape: tuple, n: int) -> None:
    if tuple(a_shape) != (n, n):
        raise ValueError(
            f"{method}: A must be a {n}×{n} matrix, linear operator or function, got shape "
            f"{tuple(a_shape)}"
        )


def _traced(value: Any) -> bool:
    return any(isinstance(leaf, Traced) for leaf in flatten(value)[0])


def _transposed(operator: Operator, zeros: np.ndarray) -> Operator:
    """(y, *c) ↦ Aᵀ y for the operator (v, *c) ↦ A v, linear in v, by reverse mode."""
    return lambda y, *c: vjp(lambda v: operator(v, *c), zeros)[1](y)[0]


def _info(ax: Any, b: Any, rtol: float, atol: float, maxiter: int | None) -> int:
    """0 if ‖b − A x‖ ≤ max(rtol‖b‖, atol), else the iteration limit (SciPy's ``info``)."""
    b = plain(b)
    converged = np.linalg.norm(b - plain(ax)) <= max(rtol * np.linalg.norm(b), atol)
    return 0 if converged else (10 * b.shape[0] if maxiter is None else maxiter)


# ---------------------------------------------------------------------------- the primitive
def _as_linear_operator(op: Any, n: int, dtype: np.dtype) -> ssl.LinearOperator:
    """A matrix, sparse matrix or linear operator as SciPy takes it; a function v ↦ A v of plain
    vectors as a LinearOperator (a traced result, which would drop a derivative, is refused)."""
    if not callable(op) or isinstance(op, ssl.LinearOperator):
        return ssl.aslinearoperator(op)

    def matvec(v: np.ndarray) -> np.ndarray:
        out = op(v)
        if _traced(out):
            raise TypeError(
                "a Krylov solve's operator returned a traced value for a plain vector: a value "
                "it closes over reached its result without meeting v; compute A v from v with "
                "admodes operations"
            )
        return np.asarray(out)

    return ssl.LinearOperator((n, n), matvec=matvec, dtype=dtype)


def _solve_impl(b: Any, *consts: Any, **params: Any) -> np.ndarray:
    """x with A x = b, A v = operator(v, *consts), by SciPy's ``params["method"]`` from x0."""
    b = np.asarray(b)
    n, operator = b.shape[0], params["operator"]
    options = {"rtol": params["rtol"], "atol": params["atol"], "maxiter": params["maxiter"]}
    if params["m"] is not None:
        options["M"] = _as_linear_operator(params["m"], n, b.dtype)
    if params["method"] == "gmres":
        options["restart"] = params["restart"]
    a = _as_linear_operator(lambda v: operator(v, *consts), n, b.dtype)
    x, _ = getattr(ssl, params["method"])(a, b, x0=params["x0"], **options)
    return x


def _again(params: dict) -> dict:
    """The parameters of a further solve with A (for a derivative): no initial guess."""
    return {**params, "x0": None}


def _transpose_solve(g: Any, consts: tuple, params: dict) -> Any:
    """λ with Aᵀ λ = g: the solve with the transposed operator, whose transpose is A (the
    preconditioner is kept for cg only, where Aᵀ = A)."""
    flipped = {"operator": params["transposed"], "transposed": params["operator"]}
    if params["method"] != "cg":
        flipped["m"] = None
    return krylov_solve(g, *consts, **{**_again(params), **flipped})


def _solve_jvp(tangents: list, ans: Any, b: Any, *consts: Any, **params: Any) -> Any:
    """dx = A⁻¹(db − dA x), dA x the derivative of operator(x, *c) in c along their tangents."""
    rhs, *t_consts = tangents
    if consts:
        d_ax = jvp(lambda *c: params["operator"](ans, *c), consts, tuple(t_consts))[1]
        rhs = anp.subtract(rhs, d_ax)
    return krylov_solve(rhs, *consts, **_again(params))


def _solve_vjp(g: Any, ans: Any, b: Any, *consts: Any, **params: Any) -> list[Any]:
    """With Aᵀ λ = x̄: b̄ = λ and c̄ = −(∂(A x)/∂c)ᵀ λ for each value c the operator takes."""
    lam = _transpose_solve(g, consts, params)
    if not consts:
        return [lam]
    pull_back = vjp(lambda *c: params["operator"](ans, *c), *consts)[1]
    return [lam, *(anp.negative(c) for c in pull_back(lam))]


def _solve_cost(ans: Any, *args: Any, **params: Any) -> int:
    """n iterations of one matrix-vector product, 2n² each: the bound of exact arithmetic, a
    nominal count (the iterations taken are not known from the shapes)."""
    return 2 * shape(ans)[0] ** 3


#: x = A⁻¹b by a Krylov method, ``krylov_solve(b, *consts, operator=…, transposed=…, …)`` with
#: A v = operator(v, *consts): differentiated as the exact solution, in b and in ``consts``.
krylov_solve = defprim(
    "krylov_solve",
    _solve_impl,
    joint_jvp=_solve_jvp,
    joint_vjp=_solve_vjp,
    cost=_solve_cost,
)
