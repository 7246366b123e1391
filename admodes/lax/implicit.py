"""Implicit differentiation: ``custom_linear_solve`` and ``custom_root``, JAX's ``jax.lax``
functions that differentiate the solution of an equation instead of the steps that found it.

``custom_linear_solve(matvec, b, solve)``: x = solve(matvec, b) solves A x = b, A v =
matvec(v). Its derivatives are those of the exact solution x = A⁻¹b, by more solves:

    ẋ = A⁻¹(ḃ − Ȧ x),    b̄ = A⁻ᵀ x̄,    θ̄ = −(∂(A x)/∂θ)ᵀ b̄

for each traced value θ that matvec closes over (found by :func:`admodes.closure.closure_convert`
and made the solve's arguments). A⁻ᵀ is ``transpose_solve(vecmat, ·)``, vecmat v ↦ Aᵀ v the
transpose of matvec (found by reverse mode: matvec is linear), or ``solve`` itself when
``symmetric``. Each solve is the same primitive again, so every order of derivative is the exact
solution's, whatever path the solver's iterations took.

``custom_root(f, initial_guess, solve, tangent_solve)``: x* = solve(f, initial_guess) with
f(x*) = 0. Differentiating f(x*(θ), θ) = 0 (the implicit function theorem) gives

    ∂f/∂x · ẋ* = −∂f/∂θ · θ̇,

one linear solve ``tangent_solve(g, y)`` of g(ẋ) = y, g the linearization of f at x* in x. As
in JAX, x* is differentiated in the values f closes over, not in ``initial_guess``, and not
through ``solve``; its reverse mode transposes that forward rule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes import tree
from admodes.arguments import zeros_like_value
from admodes.closure import closure_convert
from admodes.core import Trace, Traced, dtype_of, shape
from admodes.custom import custom_jvp
from admodes.flatten_util import ravel_pytree
from admodes.forward import jvp
from admodes.registry import defprim, substitutions
from admodes.reverse import vjp
from admodes.tree import describe, flatten, structure

__all__ = ["custom_linear_solve", "custom_root"]

Solve = Callable[[Callable[[Any], Any], Any], Any]
"""``solve(matvec, b)``: x with matvec(x) = b."""

Operator = Callable[..., Any]
"""``operator(v, *consts)``: A v for a flat vector v, A's traced values given as ``consts``."""


# ----------------------------------------------------------------------- custom_linear_solve
def custom_linear_solve(
    matvec: Callable[[Any], Any],
    b: Any,
    solve: Solve,
    transpose_solve: Solve | None = None,
    symmetric: bool = False,
    has_aux: bool = False,
) -> Any:
    """x with ``matvec(x) = b`` from ``solve(matvec, b)``, differentiated as the exact solution
    A⁻¹b in ``b`` and in the traced values ``matvec`` closes over (see the module docstring).

    ``b`` is a pytree; ``matvec`` maps such trees to trees of the same structure, linearly.
    Reverse mode needs ``transpose_solve(vecmat, b)``, the solve with Aᵀ (``vecmat`` is v ↦ Aᵀ
    v), unless ``symmetric`` (then ``solve`` serves). With ``has_aux``, ``solve`` and
    ``transpose_solve`` return ``(x, aux)`` and so does this function; aux is not
    differentiated (the primal solve's)."""
    b_flat, unravel = ravel_pytree(b)
    operator, consts = _operator(matvec, b, b_flat, unravel)
    traces = _traces_beneath([*consts, b_flat])
    auxes: list[Any] = []
    x_flat = linear_solve(
        b_flat,
        *consts,
        operator=operator,
        solve=_flat_solve(solve, unravel, has_aux, auxes, traces),
        transpose_solve=(
            None
            if transpose_solve is None and not symmetric
            else _flat_solve(transpose_solve or solve, unravel, has_aux, [], traces)
        ),
        symmetric=symmetric,
    )
    x = unravel(x_flat)
    return (x, auxes[0]) if has_aux else x


def _operator(
    matvec: Callable[[Any], Any], b: Any, b_flat: Any, unravel: Callable[[Any], Any]
) -> tuple[Operator, list]:
    """(operator, consts): ``operator(v, *consts)`` is matvec of the flat vector v, raveled;
    ``consts`` are the traced values matvec closes over (none if it gives a plain value for a
    plain vector: then it is never traced, so SciPy's operators, which take none, serve)."""

    def flat_matvec(v: Any) -> Any:
        out = matvec(unravel(v))
        if structure(out) != structure(b):
            raise TypeError(
                "custom_linear_solve: matvec returned a tree of structure "
                f"{describe(structure(out))} for b of structure {describe(structure(b))}; a "
                "linear operator maps b's structure to itself"
            )
        return ravel_pytree(out)[0]

    zeros = np.zeros(shape(b_flat), dtype_of(b_flat))
    if not any(isinstance(leaf, Traced) for leaf in flatten(flat_matvec(zeros))[0]):
        return flat_matvec, []
    return closure_convert(flat_matvec, zeros)


def _flat_solve(
    solve: Solve, unravel: Callable, has_aux: bool, auxes: list, traces: frozenset[Trace]
) -> Solve:
    """``solve`` on flat vectors: given a flat matvec and a flat b, the flat x, a constant to
    every transform (as in JAX, the solver is not differentiated, not even in what it closes
    over: the values of ``traces``, the call's, are their primals to it, so a transpose solve
    the backward pass runs after those traces finished may close over them), and zero for
    b = 0 without calling ``solve`` (as JAX skips a zero tangent's solve: an iteration such as
    conjugate gradients divides 0 by 0 there); with ``has_aux`` the first call's aux (the
    primal solve's: the derivatives' solves come later) is kept in ``auxes``."""

    def flat(flat_matvec: Callable[[Any], Any], b: Any) -> Any:
        if not np.any(b) and (auxes or not has_aux):
            return np.zeros_like(b)  # A⁻¹0 = 0: a derivative's solve with a zero right side
        with substitutions(traces, lambda _: _primal):
            out = solve(lambda v: unravel(flat_matvec(ravel_pytree(v)[0])), unravel(b))
        if has_aux:
            out, aux = out
            if not auxes:
                auxes.append(anp.stop_gradient(aux))
        return anp.stop_gradient(ravel_pytree(out)[0])  # not through the solver's closures

    return flat


def _traces_beneath(leaves: list) -> frozenset[Trace]:
    """The traces of ``leaves`` at every level down to their plain values (down to a vmap's,
    whose values hold no single primal: they reach a solve mapped)."""
    traces = set()
    for x in leaves:
        while isinstance(x, Traced) and not x._trace.processes:
            traces.add(x._trace)
            x = x.primal
    return frozenset(traces)


def _primal(value: Traced) -> Any:
    """A traced value's primal: what a solve sees of a value of the call's traces."""
    return value.primal


def _linear_solve_impl(b: Any, *consts: Any, **params: Any) -> Any:
    """x = solve(v ↦ operator(v, *consts), b)."""
    return params["solve"](lambda v: params["operator"](v, *consts), b)


def _transposed(operator: Operator, n: tuple[int], dtype: np.dtype) -> Operator:
    """(y, *c) ↦ Aᵀ y for the operator (v, *c) ↦ A v, linear in v, by reverse mode."""
    zeros = np.zeros(n, dtype)
    return lambda y, *c: vjp(lambda v: operator(v, *c), zeros)[1](y)[0]


def _solve_jvp(tangents: list, ans: Any, b: Any, *consts: Any, **params: Any) -> Any:
    """ẋ = A⁻¹(ḃ − Ȧ x), Ȧ x the derivative of operator(x, *c) in c along their tangents."""
    rhs, *t_consts = tangents
    if consts:
        operator = params["operator"]
        rhs = anp.subtract(rhs, jvp(lambda *c: operator(ans, *c), consts, tuple(t_consts))[1])
    return linear_solve(rhs, *consts, **params)


def _solve_vjp(g: Any, ans: Any, b: Any, *consts: Any, **params: Any) -> list[Any]:
    """With Aᵀ λ = x̄: b̄ = λ and c̄ = −(∂(A x)/∂c)ᵀ λ for each value c the operator takes."""
    if params["transpose_solve"] is None:
        raise TypeError(
            "custom_linear_solve: reverse-mode differentiation needs transpose_solve (the solve "
            "with the transposed operator); pass it, or symmetric=True if A is symmetric"
        )
    operator = params["operator"]
    transposed = (
        operator if params["symmetric"] else _transposed(operator, shape(ans), dtype_of(ans))
    )
    lam = linear_solve(
        g,
        *consts,
        operator=transposed,
        solve=params["transpose_solve"],
        transpose_solve=params["solve"],
        symmetric=params["symmetric"],
    )
    if not consts:
        return [lam]
    pull_back = vjp(lambda *c: operator(ans, *c), *consts)[1]
    return [lam, *(anp.negative(c) for c in pull_back(lam))]


#: x = A⁻¹b by the given solve, ``linear_solve(b, *consts, operator=…, solve=…,
#: transpose_solve=…, symmetric=…)`` with A v = operator(v, *consts), b flat: differentiated as
#: the exact solution, in b and in ``consts``. (The solve's own operations are counted where
#: they are admodes operations; the primitive adds none.)
linear_solve = defprim(
    "custom_linear_solve", _linear_solve_impl, joint_jvp=_solve_jvp, joint_vjp=_solve_vjp
)


# ------------------------------------------------------------------------------- custom_root
def custom_root(
    f: Callable[[Any], Any],
    initial_guess: Any,
    solve: Callable[[Callable[[Any], Any], Any], Any],
    tangent_solve: Callable[[Callable[[Any], Any], Any], Any],
    has_aux: bool = False,
) -> Any:
    """x* with f(x*) = 0 from ``solve(f, initial_guess)``, differentiated implicitly in the
    traced values f closes over (see the module docstring): ``tangent_solve(g, y)`` solves the
    linear g(x) = y, g the linearization of f at x* (``lambda g, y: y / g(1.0)`` for a scalar;
    ``lambda g, y: anp.linalg.solve(ad.jacobian(g)(y), y)`` for a small vector). With
    ``has_aux``, ``solve`` returns ``(x*, aux)`` and so does this function; aux is not
    differentiated."""
    guess = anp.stop_gradient(initial_guess)
    converted, consts = closure_convert(f, guess)

    def root_of(*consts: Any) -> Any:
        out = solve(lambda x: converted(x, *consts), guess)
        return anp.stop_gradient(out)  # not through the solver: its closures included

    root = custom_jvp(root_of)

    @root.defjvp
    def root_jvp(primals: tuple, tangents: tuple) -> tuple:
        out = root(*primals)
        x = out[0] if has_aux else out
        rhs = jvp(lambda *c: converted(x, *c), primals, tangents)[1]

        def linearized(v: Any) -> Any:
            return jvp(lambda y: converted(y, *primals), (x,), (v,))[1]

        dx = tree.map(anp.negative, tangent_solve(linearized, rhs))
        if has_aux:
            return out, (dx, tree.map(zeros_like_value, out[1]))
        return out, dx

    return root(*consts)
