"""Linear algebra: matmul (``@``, ``dot``) for 1-D and 2-D operands.

For C = A @ B:  dC = dA @ B + A @ dB,   Ā = C̄ @ Bᵀ,   B̄ = Aᵀ @ C̄
(with the vector cases written as outer products or elementwise products). Cost: 2·m·k·n FLOPs.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from admodes.core import ndim, shape, size
from admodes.registry import defprim
from admodes.rules.elementwise import multiply
from admodes.rules.shape import reshape, transpose


def matrix_transpose(x: Any) -> Any:
    """xᵀ for a 2-D value; a 1-D value is its own transpose."""
    return transpose(x, (1, 0)) if ndim(x) == 2 else x


def _outer(a: Any, b: Any) -> Any:
    return multiply(reshape(a, (*shape(a), 1)), reshape(b, (1, *shape(b))))


def _jvp_a(t: Any, ans: Any, a: Any, b: Any) -> Any:
    """ṫ @ B. A batched tangent of a matrix A is a (k, n, m) stack: fold k into the rows."""
    if ndim(t) == ndim(a) or ndim(a) == 1:
        return matmul(t, b)
    k, n, m = shape(t)
    return reshape(matmul(reshape(t, (k * n, m)), b), (k, n, *shape(b)[1:]))


def _jvp_b(t: Any, ans: Any, a: Any, b: Any) -> Any:
    """A @ ṫ. A batched tangent of a vector b is a (k, m) matrix, read as rows: ṫ @ Aᵀ; one of a
    matrix B is a (k, m, p) stack: fold k into the columns."""
    if ndim(b) == 1:
        return matmul(t, matrix_transpose(a))
    if ndim(t) == ndim(b):
        return matmul(a, t)
    k, m, p = shape(t)
    out = matmul(a, reshape(transpose(t, (1, 0, 2)), (m, k * p)))
    if ndim(a) == 1:
        return reshape(out, (k, p))
    return transpose(reshape(out, (shape(a)[0], k, p)), (1, 0, 2))


def _vjp_a(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if ndim(b) == 1:
        return multiply(g, b) if ndim(a) == 1 else _outer(g, b)
    return matmul(g, matrix_transpose(b))


def _vjp_b(g: Any, ans: Any, a: Any, b: Any) -> Any:
    if ndim(a) == 1:
        return multiply(g, a) if ndim(b) == 1 else _outer(a, g)
    return matmul(matrix_transpose(a), g)


def _matmul_impl(a: Any, b: Any) -> Any:
    if ndim(a) not in (1, 2) or ndim(b) not in (1, 2):
        raise ValueError(
            f"admodes.numpy.matmul supports 1-D and 2-D operands, got shapes {np.shape(a)} and "
            f"{np.shape(b)}; for stacks of matrices, loop or reshape to 2-D"
        )
    return a @ b


matmul = defprim(
    "matmul",
    _matmul_impl,
    jvps=[_jvp_a, _jvp_b],
    vjps=[_vjp_a, _vjp_b],
    cost=lambda ans, a, b: 2 * size(ans) * shape(a)[-1],
    batched_jvp=True,
)
