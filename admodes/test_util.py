"""Check derivatives against central finite differences: JAX's ``jax.test_util``.

``check_grads(f, args, order)`` checks admodes' derivatives of ``f`` at ``args`` up to ``order``,
each in one random direction (NumPy's ``RandomState(0)``, drawn leaf by leaf as JAX draws it, so
both libraries check the same direction):

- ``"fwd"``: ``jvp(f, args, t)`` against the central difference (f(x + εt) − f(x − εt)) / 2ε;
- ``"rev"``: ``vjp`` through the dot-product identity ⟨ȳ, J t⟩ = ⟨Jᴴ ȳ, t⟩, with J t from the
  central difference and ȳ random too;
- ``"lin"``: the tangent function of ``linearize``, as ``"fwd"``.

For ``order`` k > 1 the derivative functions are checked again to order k − 1: the jvp of ``f``
as a function of ``(primals, tangents)``, and x ↦ vjp(f, x)(f(x)), as JAX does. A check that
fails raises AssertionError naming it (``"VJP of JVP tangent"``, say) and the entries that differ.

Tolerances are JAX's: by dtype, 1e-5 for float64 and complex128, 2e-3 for float32, 1e-3 for
complex64, 1e-2 for float16, each multiplied by the number of entries compared; ``atol`` and
``rtol`` may be one number or a dict from dtype to number. Integer and bool leaves of ``args``
are held constant (checked as f of the other leaves); integer outputs must come out equal.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

import numpy as np

from admodes.arguments import FLOAT0, is_integer_input, with_held
from admodes.core import dtype_of, shape
from admodes.forward import jvp
from admodes.linearize import linearize
from admodes.reverse import vjp
from admodes.tree import describe, flatten, map, reduce, unflatten

__all__ = ["check_grads", "check_jvp", "check_vjp"]

#: The finite-difference step ε.
EPS = 1e-4

Tolerance = float | Mapping[Any, float] | None

#: JAX's gradient tolerances by dtype (both absolute and relative); other dtypes compare exactly.
GRADIENT_TOLERANCE: dict[np.dtype, float] = {
    np.dtype(np.float16): 1e-2,
    np.dtype(np.float32): 2e-3,
    np.dtype(np.float64): 1e-5,
    np.dtype(np.complex64): 1e-3,
    np.dtype(np.complex128): 1e-5,
}


def check_grads(
    f: Callable[..., Any],
    args: Sequence[Any],
    order: int,
    modes: Sequence[str] = ("fwd", "rev"),
    atol: Tolerance = None,
    rtol: Tolerance = None,
    eps: float | None = None,
) -> None:
    """Check f's derivatives at ``args`` in ``modes`` (``"fwd"``, ``"rev"``, ``"lin"``) up to
    ``order`` against central differences of step ``eps``; raise AssertionError if one differs."""
    unknown = set(modes) - {"fwd", "rev", "lin"}
    if unknown:
        raise ValueError(f"check_grads: modes are 'fwd', 'rev' and 'lin', not {sorted(unknown)}")
    if not isinstance(order, int) or order < 1:
        raise ValueError(f"check_grads: order must be a positive integer, got {order!r}")
    step = eps or EPS
    check_forward = partial(check_jvp, atol=atol, rtol=rtol, eps=step)
    check_reverse = partial(check_vjp, atol=atol, rtol=rtol, eps=step)

    def check(fn: Callable[..., Any], xs: tuple, k: int, name: str) -> None:
        of = f" of {name}" if name else ""
        for mode in modes:
            if mode == "rev":
                check_reverse(fn, partial(vjp, fn), xs, err_msg=f"VJP{of}")
                if k > 1:
                    check(partial(_pulled_back_output, fn), xs, k - 1, f"VJP{of}")
            else:
                label, by = ("JVP", jvp) if mode == "fwd" else ("LIN", _jvp_by_linearize)
                check_forward(fn, partial(by, fn), xs, err_msg=f"{label}{of}")
                if k > 1:
                    check(partial(by, fn), (xs, xs), k - 1, f"{label}{of}")

    check(*_holding_integers(f, tuple(args)), order, "")


def check_jvp(
    f: Callable[..., Any],
    f_jvp: Callable[[tuple, tuple], tuple],
    args: Sequence[Any],
    atol: Tolerance = None,
    rtol: Tolerance = None,
    eps: float = EPS,
    err_msg: str = "",
) -> None:
    """Check ``f_jvp(args, tangents) -> (f(*args), J·tangents)`` (``partial(ad.jvp, f)``, say)
    against f and the central difference, in one random direction."""
    args = tuple(args)
    tangents = _random_like(np.random.RandomState(0), args)
    out, t_out = f_jvp(args, tangents)
    _check_dtypes(out, t_out, f"{err_msg} tangent dtype")
    _check_close(out, f(*args), atol, rtol, f"{err_msg} primal")
    _check_close(t_out, numerical_jvp(f, args, tangents, eps), atol, rtol, f"{err_msg} tangent")


def check_vjp(
    f: Callable[..., Any],
    f_vjp: Callable[..., tuple],
    args: Sequence[Any],
    atol: Tolerance = None,
    rtol: Tolerance = None,
    eps: float = EPS,
    err_msg: str = "",
) -> None:
    """Check ``f_vjp(*args) -> (f(*args), vjp_fn)`` (``partial(ad.vjp, f)``, say) against f, and
    its cotangents against the central difference by ⟨ȳ, J t⟩ = ⟨Jᴴ ȳ, t⟩, t and ȳ random."""
    args = tuple(args)
    draw = np.random.RandomState(0)
    out, vjp_fn = f_vjp(*args)
    _check_close(out, f(*args), atol, rtol, f"{err_msg} primal")
    tangents = _random_like(draw, args)
    t_out = numerical_jvp(f, args, tangents, eps)
    cotangent = _random_like(draw, out)
    pulled_back = map(_conj, vjp_fn(map(_conj, cotangent)))
    _check_close(
        _inner(tangents, pulled_back),
        _inner(t_out, cotangent),
        atol,
        rtol,
        f"{err_msg} cotangent projection",
    )


def numerical_jvp(f: Callable[..., Any], primals: tuple, tangents: tuple, eps: float = EPS) -> Any:
    """(f(x + εt) − f(x − εt)) / 2ε, with ∞ − ∞ taken as 0; integer leaves are not moved."""
    f_plus = f(*_stepped(primals, tangents, eps))
    f_minus = f(*_stepped(primals, tangents, -eps))
    return map(partial(_central, eps), f_plus, f_minus)


def _holding_integers(f: Callable[..., Any], args: tuple) -> tuple[Callable[..., Any], tuple]:
    """``f`` and ``args``, or, where a leaf of ``args`` is an integer or bool, f as a function of
    the other leaves (in order) with those held, and those leaves."""
    leaves, treedef = flatten(args)
    held = {k: x for k, x in enumerate(leaves) if is_integer_input(x)}
    if not held:
        return f, args

    def of_the_rest(*rest: Any) -> Any:
        return f(*unflatten(treedef, with_held(rest, held)))

    return of_the_rest, tuple(x for k, x in enumerate(leaves) if k not in held)


def _pulled_back_output(f: Callable[..., Any], *args: Any) -> Any:
    """vjp(f, *args) applied to f's own output: a function of ``args`` to check again."""
    out, vjp_fn = vjp(f, *args)
    return vjp_fn(out)


def _jvp_by_linearize(f: Callable[..., Any], primals: tuple, tangents: tuple) -> tuple:
    """``jvp`` by way of ``linearize``: its output and tangent function's value."""
    out, f_jvp = linearize(f, *primals)
    return out, f_jvp(*tangents)


def _is_constant(x: Any) -> bool:
    """Whether ``x`` is an integer, bool or float0 value: an output whose tangent is float0."""
    return is_integer_input(x) or dtype_of(x) == FLOAT0


def _random_like(draw: np.random.RandomState, tree: Any) -> Any:
    """Standard normal numbers shaped and typed like each leaf of ``tree`` (real and imaginary
    parts for a complex one); zeros of dtype float0 for a constant leaf."""

    def like(x: Any) -> Any:
        if _is_constant(x):
            return np.zeros(shape(x), FLOAT0)
        dtype = dtype_of(x)
        r = np.asarray(draw.randn(*shape(x)), dtype)
        if dtype.kind == "c":
            r = r + dtype.type(1j) * np.asarray(draw.randn(*shape(x)), dtype)
        return r.item() if type(x) in (float, complex) else r

    return map(like, tree)


def _stepped(primals: tuple, tangents: tuple, step: float) -> tuple:
    """primals + step·tangents, each leaf in its own type (integer leaves unchanged)."""

    def moved(x: Any, t: Any) -> Any:
        if dtype_of(t) == FLOAT0:
            return x
        out = np.asarray(x + np.asarray(t, dtype_of(x)) * dtype_of(x).type(step))
        return out.item() if type(x) in (float, complex) else out.astype(dtype_of(x))

    return map(moved, primals, tangents)


def _central(eps: float, plus: Any, minus: Any) -> Any:
    """(plus − minus) / 2ε in plus's dtype, 0 where the two are equal (∞ − ∞ included); zeros of
    dtype float0 for an integer or bool output."""
    if _is_constant(plus):
        return np.zeros(shape(plus), FLOAT0)
    dtype = dtype_of(plus)
    with np.errstate(invalid="ignore"):
        difference = np.where(np.equal(plus, minus), 0, np.subtract(plus, minus, dtype=dtype))
    out = np.asarray(difference * dtype.type(0.5 / eps), dtype)
    return out.item() if type(plus) in (float, complex) else out


def _conj(x: Any) -> Any:
    """x̄ (a float0 leaf as it is)."""
    return x if dtype_of(x) == FLOAT0 else np.conj(x)


def _inner(xs: Any, ys: Any) -> Any:
    """Σ Re(x̄·y) over the entries of two trees of one structure, in their dtype (float0 leaves
    add nothing)."""

    def contract(x: Any, y: Any) -> Any:
        if dtype_of(x) == FLOAT0 or dtype_of(y) == FLOAT0:
            return 0.0
        return np.real(np.vdot(np.ravel(x), np.ravel(y)))  # in their dtype: its tolerance

    return reduce(operator.add, map(contract, xs, ys), 0.0)


def _tolerance(dtype: np.dtype, tol: Tolerance) -> float:
    """The tolerance for ``dtype``: ``tol`` if a number, else from ``tol`` merged over JAX's."""
    if tol is not None and not isinstance(tol, Mapping):
        return float(tol)
    table = GRADIENT_TOLERANCE | {np.dtype(k): v for k, v in (tol or {}).items()}
    return table.get(np.dtype(dtype), 0.0)


def _check_close(actual: Any, expected: Any, atol: Tolerance, rtol: Tolerance, what: str) -> None:
    """Each leaf of ``actual`` within tolerance of ``expected``'s, both scaled by its size."""
    a_leaves, a_def = flatten(actual)
    e_leaves, e_def = flatten(expected)
    if a_def != e_def:
        raise AssertionError(
            f"{what}: structures differ: {describe(a_def)} against {describe(e_def)}"
        )
    for a, e in zip(a_leaves, e_leaves, strict=True):
        a, e = np.asarray(a), np.asarray(e)
        if a.shape != e.shape:
            raise AssertionError(f"{what}: shapes differ: {a.shape} against {e.shape}")
        if a.dtype == FLOAT0 or e.dtype == FLOAT0:
            continue
        a_tol = max(_tolerance(a.dtype, atol), _tolerance(e.dtype, atol))
        r_tol = max(_tolerance(a.dtype, rtol), _tolerance(e.dtype, rtol))
        if a_tol == r_tol == 0.0:
            np.testing.assert_array_equal(a, e, err_msg=what)
        else:
            with np.errstate(invalid="ignore"):
                np.testing.assert_allclose(
                    a, e, atol=a_tol * a.size, rtol=r_tol * e.size, err_msg=what
                )


def _check_dtypes(outputs: Any, tangents: Any, what: str) -> None:
    """Each tangent has its output's dtype (float0 for an integer or bool output)."""
    for o, t in zip(flatten(outputs)[0], flatten(tangents)[0], strict=True):
        want = FLOAT0 if _is_constant(o) else dtype_of(o)
        if dtype_of(t) != want:
            raise AssertionError(
                f"{what}: a tangent of dtype {dtype_of(t)} for an output of {want}"
            )
