"""``admodes.scipy.sparse.linalg``: the Krylov solvers ``cg`` (A symmetric positive definite),
``bicgstab`` and ``gmres`` (any nonsingular A), SciPy's, with their derivatives as JAX takes
them: those of the exact solution x = A⁻¹b, implicitly, by more solves (dx = A⁻¹(db − dA x);
b̄ = A⁻ᵀ x̄, Ā = −b̄ xᵀ), never through the iterations. So the derivatives are right at every
order, whatever path the iterations took.

``A`` (and the preconditioner ``M``) is a matrix or a function v ↦ A v. A matrix is
differentiated like b. A function's closed-over traced values (a parameter θ of A(θ)) are found
by :func:`admodes.closure.closure_convert` and become the solve's arguments, differentiated
through dA x = ∂(A x)/∂θ · dθ and θ̄ = −(∂(A x)/∂θ)ᵀ b̄, as JAX's ``custom_linear_solve`` does.
For ``bicgstab`` and ``gmres`` a function's transpose, which the reverse-mode derivative needs,
is found by reverse mode (it is linear). Signatures are SciPy's, with JAX's ``tol`` accepted for
``rtol``; ``info`` is 0 when the residual met the tolerance, else ``maxiter`` (SciPy's meaning).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.closure import closure_convert
from admodes.core import dtype_of, ndim, plain, shape
from admodes.forward import jvp
from admodes.registry import defprim
from admodes.reverse import vjp
from admodes.rules.special import krylov_cost, krylov_impl, krylov_solve

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
    """(x, info) from the primitive ``krylov_solve``, after checking the arguments."""
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
    options = {
        "method": method,
        "rtol": rtol,
        "atol": atol,
        "maxiter": maxiter,
        "m": M if M is None or callable(M) else plain(M),
        "x0": None if x0 is None else plain(x0),  # the solution does not depend on it
        "restart": restart,
    }
    if x0 is not None and shape(x0) != (n,):
        raise ValueError(f"{method}: x0 has shape {shape(x0)} but b has shape {(n,)}")
    if callable(A):
        operator, consts = closure_convert(A, np.zeros(n, dtype_of(b)))
        if consts:  # A closes over traced values: they become the solve's arguments
            transposed = None if method == "cg" else _transpose_of_operator(operator, n, b)
            x = solve_with_operator(b, *consts, operator=operator, transposed=transposed, **options)
            return x, _info(A, b, x, rtol, atol, maxiter)
        a, transposed = A, (A if method == "cg" else _transpose_of(A, n, dtype_of(b)))
    else:
        a, transposed = anp.asarray(A), None
        if shape(a) != (n, n):
            raise ValueError(f"{method}: A must be a {n}×{n} matrix or a function, got {shape(a)}")
    x = krylov_solve(a, b, transposed=transposed, **options)
    return x, _info(a, b, x, rtol, atol, maxiter)


# ---------------------------------------------------------------------------- closed operators
def _operator_solve(b: Any, *consts: Any, **params: Any) -> np.ndarray:
    """x with A x = b, A v = ``operator(v, *consts)``."""
    operator = params["operator"]
    return krylov_impl(lambda v: operator(v, *consts), b, **params)


def _again(params: dict) -> dict:
    """The parameters of a further solve with A (for a derivative): no initial guess."""
    return {**params, "x0": None}


def _operator_transpose_solve(g: Any, consts: tuple, params: dict) -> Any:
    """λ with Aᵀ λ = g: A itself for cg, else the transposed operator (preconditioner
    dropped), whose own transpose is A."""
    if params["method"] == "cg":
        return solve_with_operator(g, *consts, **_again(params))
    flipped = {"operator": params["transposed"], "transposed": params["operator"], "m": None}
    return solve_with_operator(g, *consts, **{**_again(params), **flipped})


def _operator_jvp(tangents: list, ans: Any, b: Any, *consts: Any, **params: Any) -> Any:
    """dx = A⁻¹(db − dA x), dA x the derivative of operator(x, *c) in c along their tangents."""
    t_b, *t_consts = tangents
    d_ax = jvp(lambda *c: params["operator"](ans, *c), consts, tuple(t_consts))[1]
    return solve_with_operator(anp.subtract(t_b, d_ax), *consts, **_again(params))


def _operator_vjp(g: Any, ans: Any, b: Any, *consts: Any, **params: Any) -> list[Any]:
    """With Aᵀ λ = x̄: b̄ = λ and c̄ = −(∂(A x)/∂c)ᵀ λ for each constant c."""
    lam = _operator_transpose_solve(g, consts, params)
    pull_back = vjp(lambda *c: params["operator"](ans, *c), *consts)[1]
    return [lam, *(anp.negative(c) for c in pull_back(lam))]


#: A Krylov solve whose operator closes over traced values, given as its arguments after b.
solve_with_operator = defprim(
    "krylov_solve_operator",
    _operator_solve,
    joint_jvp=_operator_jvp,
    joint_vjp=_operator_vjp,
    cost=lambda ans, b, *consts, **params: krylov_cost(ans, None, b),
)


def _transpose_of_operator(operator: Callable[..., Any], n: int, b: Any) -> Callable[..., Any]:
    """(y, *c) ↦ Aᵀ y for the operator (v, *c) ↦ A v, linear in v, by reverse mode."""
    zeros = np.zeros(n, dtype_of(b))
    return lambda y, *c: vjp(lambda v: operator(v, *c), zeros)[1](y)[0]


def _transpose_of(f: Callable[[Any], Any], n: int, dtype: np.dtype) -> Callable[[Any], Any]:
    """The transpose y ↦ Aᵀ y of the linear function f: v ↦ A v, by reverse mode."""
    pull_back = vjp(f, np.zeros(n, dtype))[1]
    return lambda y: pull_back(y)[0]


def _info(a: Any, b: Any, x: Any, rtol: float, atol: float, maxiter: int | None) -> int:
    """0 if ‖b − A x‖ ≤ max(rtol‖b‖, atol), else the iteration limit (SciPy's ``info``)."""
    a, b, x = plain(a), plain(b), plain(x)
    residual = b - (plain(a(x)) if callable(a) else a @ x)
    converged = np.linalg.norm(residual) <= max(rtol * np.linalg.norm(b), atol)
    return 0 if converged else (10 * b.shape[0] if maxiter is None else maxiter)
