"""``linear_transpose``: the transpose of a linear function, as ``jax.linear_transpose``.

For a linear f(x) = A x, the transpose is f⊤(ȳ) = Aᵀ ȳ, the x̄ with ⟨ȳ, f(x)⟩ = ⟨x̄, x⟩ for
every x: f's VJP, which for a linear f is the same at every point. admodes records f once, at
zero, and each call of the transpose is one backward sweep of that recording.

JAX reads linearity from f's program and refuses a nonlinear one. admodes evaluates, so it
checks what evaluation can: f(0) = 0 (no offset), and the VJP at zero equals the VJP at a
random point for a random cotangent (a nonlinear f fails this but on a set of measure zero).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from admodes.arguments import check_matching, like_input
from admodes.core import dtype_of, plain, shape
from admodes.reverse import vjp
from admodes.tree import flatten, unflatten

__all__ = ["linear_transpose"]

#: The relative difference of the two VJPs beyond which f is reported nonlinear (a linear f's
#: two VJPs differ by rounding only).
LINEARITY_RTOL = 1e-8


def linear_transpose(fun: Callable[..., Any], *primals: Any, reduce_axes: tuple = ()) -> Callable:
    """The transpose of the linear ``fun`` at arguments shaped as ``primals`` (arrays, scalars,
    or anything with ``shape`` and ``dtype``, in pytrees): a function of a cotangent of
    ``fun``'s output (its structure, shapes and dtypes; a Python scalar takes the output's
    dtype) giving a tuple with one cotangent per primal, of its structure, shape and dtype.
    ValueError if ``fun`` is found not linear (module docstring)."""
    if reduce_axes:
        raise NotImplementedError("reduce_axes argument to transpose is deprecated")
    p_leaves, p_def = flatten(primals)
    zeros = [_zeros_shaped_as(x) for x in p_leaves]
    if not all(z.dtype.kind in "fc" for z in zeros):
        raise TypeError(
            "linear_transpose supports float or complex arguments, got dtypes "
            f"{[z.dtype for z in zeros]}: give integer arguments as floats"
        )
    out, pull_back = vjp(fun, *unflatten(p_def, zeros))
    o_leaves, o_def = flatten(out)
    if not all(dtype_of(o).kind in "fc" for o in o_leaves):
        raise TypeError(
            "linear_transpose supports float or complex outputs, got dtypes "
            f"{[dtype_of(o) for o in o_leaves]}: an integer output is not a linear function of "
            "float arguments; leave it out of fun's output"
        )
    _check_linear(fun, unflatten(p_def, zeros), out, pull_back)

    def transposed(cotangent: Any) -> tuple:
        c_leaves, c_def = flatten(cotangent)
        if c_def == o_def:  # a Python scalar takes the output's dtype (JAX's weak type)
            c_leaves = [
                np.asarray(c, dtype_of(o)) if type(c) in (int, float) else c
                for c, o in zip(c_leaves, o_leaves, strict=True)
            ]
        check_matching((c_leaves, c_def), (o_leaves, o_def), "the cotangent", "fun's output")
        cts = flatten(pull_back(unflatten(c_def, c_leaves)))[0]
        return unflatten(p_def, [like_input(c, z) for c, z in zip(cts, zeros, strict=True)])

    return transposed


def _zeros_shaped_as(x: Any) -> np.ndarray:
    """Zeros of ``x``'s shape and dtype (an array, a scalar, a traced value, or anything with
    ``shape`` and ``dtype``, such as ``jax.ShapeDtypeStruct``)."""
    if hasattr(x, "shape") and hasattr(x, "dtype"):
        return np.zeros(x.shape, x.dtype)
    return np.zeros(shape(x), dtype_of(x))


def _check_linear(fun: Callable[..., Any], zeros: tuple, out: Any, pull_back: Callable) -> None:
    """ValueError unless fun(0) = 0 and fun's VJP at 0 and at a random point agree on a random
    cotangent (to :data:`LINEARITY_RTOL`)."""
    if any(np.any(np.asarray(plain(o)) != 0) for o in flatten(out)[0]):
        raise ValueError(
            "linear_transpose: fun is not linear: fun(0) is not 0 (an affine offset?). "
            "Transpose its linear part, fun(x) - fun(0), or use vjp"
        )
    rng = np.random.default_rng(0)
    point = _random_like(zeros, rng)
    cotangent = _random_like(out, rng)
    at_zero = flatten(pull_back(cotangent))[0]
    at_point = flatten(vjp(fun, *point)[1](cotangent))[0]
    at_zero, at_point = [plain(a) for a in at_zero], [plain(b) for b in at_point]  # the numbers
    diff = max(
        (float(np.max(np.abs(a - b), initial=0.0)) for a, b in zip(at_zero, at_point, strict=True)),
        default=0.0,
    )
    scale = max((float(np.max(np.abs(a), initial=0.0)) for a in at_zero), default=0.0)
    if diff > LINEARITY_RTOL * max(scale, np.finfo(float).tiny):
        raise ValueError(
            "linear_transpose: fun is not linear: its derivative at 0 differs from its "
            "derivative at another point. Transpose only linear functions; for the transpose of "
            "a nonlinear function's derivative at a point, use vjp(fun, *point)"
        )


def _random_like(tree: Any, rng: np.random.Generator) -> Any:
    """A tree of ``tree``'s structure, shapes and dtypes with standard normal entries."""
    leaves, treedef = flatten(tree)
    drawn = []
    for x in leaves:
        x = np.asarray(plain(x))
        r = rng.standard_normal(x.shape)
        if x.dtype.kind == "c":
            r = r + 1j * rng.standard_normal(x.shape)
        drawn.append(r.astype(x.dtype))
    return unflatten(treedef, drawn)
