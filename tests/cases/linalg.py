"""Registry-walk cases for contractions and linear algebra: ``matmul`` on stacks, ``einsum``, the
products written as einsums, ``admodes.numpy.linalg`` and ``solve_triangular``.

Inputs come from domains where the derivatives exist and are well conditioned: diagonally
dominant matrices for solves, symmetric positive definite ones for Cholesky, symmetric ones with
well-separated eigenvalues for eigh. Decompositions whose factors are defined up to sign are
compared with each column's sign fixed (a zero-derivative op), and several results are returned
flattened into one vector (the walk takes one output array).
"""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
from walk import call, case, lib, real, same

import admodes.numpy as anp

W34 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)


# ---------------------------------------------------------------------------- domains
def dominant(x: np.ndarray) -> np.ndarray:
    """Square matrices (or stacks) with |diagonal| ≥ 2 + n: far from singular."""
    n = x.shape[-1]
    eye = np.eye(n)
    return x * (1 - eye) + eye * np.sign(x) * (2 + n + np.abs(x))


def spd(x: np.ndarray) -> np.ndarray:
    """Symmetric positive definite: X Xᵀ + n I."""
    return x @ np.swapaxes(x, -1, -2) + x.shape[-1] * np.eye(x.shape[-1])


def separated(x: np.ndarray) -> np.ndarray:
    """Symmetric with eigenvalues at least about 2 apart: (X + Xᵀ)/4 + diag(0, 3, 6, ...)."""
    n = x.shape[-1]
    return (x + np.swapaxes(x, -1, -2)) / 4 + np.diag(3.0 * np.arange(n))


def near_diagonal(x: np.ndarray) -> np.ndarray:
    """Non-symmetric with real eigenvalues about 3 apart: X/4 + diag(0, 3, 6, ...)."""
    return x / 4 + np.diag(3.0 * np.arange(x.shape[-1]))


def spread(x: np.ndarray) -> np.ndarray:
    """Rectangular with singular values near 1, 3, 5, ... (distinct, none zero)."""
    m, n = x.shape[-2:]
    return x / 4 + np.eye(m, n) * (1.0 + 2.0 * np.arange(n))


# ---------------------------------------------------------------------------- helpers
def flat(m: Any, *xs: Any) -> Any:
    """Several results as one vector."""
    return m.concatenate([m.reshape(x, (-1,)) for x in xs])


def eigh_fixed(m: Any, a: Any) -> Any:
    """Eigenvalues and eigenvectors, each vector's first entry made positive."""
    w, v = m.linalg.eigh(a)
    return flat(m, w, v * m.sign(v[..., :1, :]))


def eigvals_sorted(m: Any, a: Any) -> Any:
    """The real eigenvalues of a general matrix, in increasing order."""
    return m.sort(m.real(m.linalg.eigvals(a)), axis=-1)


def svd_fixed(m: Any, a: Any) -> Any:
    """U, s, Vh with each pair of singular vectors signed by U's first row."""
    u, s, vh = m.linalg.svd(a, full_matrices=False)
    sign = m.sign(u[..., :1, :])
    return flat(m, u * sign, s, vh * m.swapaxes(sign, -1, -2))


def linalg(name: str, *args: Any) -> Any:
    """``m.linalg.name(*xs, *args)``."""
    return lambda m, *xs: getattr(m.linalg, name)(*xs, *args)


def einsum(subscripts: str) -> Any:
    """``m.einsum(subscripts, *xs)``."""
    return lambda m, *xs: m.einsum(subscripts, *xs)


def triangular(
    label: str, lower: bool, trans: int | str, unit_diagonal: bool, *shapes: tuple[int, ...]
) -> Any:
    """solve_triangular with fixed flags, against SciPy's signature in JAX."""
    flags = {"lower": lower, "trans": trans, "unit_diagonal": unit_diagonal}
    return case("solve_triangular", label,
                lambda a, b: anp.linalg.solve_triangular(a, b, **flags),
                lambda a, b: jax.scipy.linalg.solve_triangular(a, b, **flags),
                *shapes, domains=(dominant, real))  # fmt: skip


CASES = [
    # matmul on stacks: broadcast batch dimensions and NumPy's 1-D rules
    lib("matmul", "stacks", call("matmul"), (2, 2, 3), (2, 3, 4)),
    lib("matmul", "broadcast-batch", call("matmul"), (2, 1, 2, 3), (3, 3, 2)),
    lib("matmul", "stack-matrix", call("matmul"), (2, 2, 3), (3, 4)),
    lib("matmul", "vector-stack", call("matmul"), (3,), (2, 3, 4)),
    lib("matmul", "stack-vector", call("matmul"), (2, 2, 3), (3,)),
    same("matmul", "operator-stacks", lambda x, y: x @ y, (1, 2, 3), (2, 3, 2)),
    same("matmul", "constant-stack", lambda x: W34 @ x, (2, 4, 2)),
    # einsum: explicit and implicit outputs, '...', traces, diagonals, several operands
    lib("einsum", "matmul", einsum("ij,jk->ik"), (2, 3), (3, 4)),
    lib("einsum", "implicit", einsum("ij,kj"), (2, 3), (4, 3)),
    lib("einsum", "batched", einsum("bij,bjk->bik"), (2, 2, 3), (2, 3, 2)),
    lib("einsum", "ellipsis-broadcast", einsum("...ij,...jk->...ik"), (2, 1, 2, 3), (3, 3, 2)),
    lib("einsum", "trace", einsum("ii->"), (3, 3)),
    lib("einsum", "diagonal", einsum("ii->i"), (3, 3)),
    lib("einsum", "partial-diagonal", einsum("ijj,k->ik"), (2, 3, 3), (2,)),
    lib("einsum", "three-operands", einsum("ij,jk,kl->il"), (2, 3), (3, 4), (4, 2)),
    lib("einsum", "outer-sum", einsum("i,j->"), (2,), (3,)),
    lib("einsum", "size-one-broadcast", einsum("ij,ij->ij"), (1, 3), (2, 3)),
    lib("einsum", "constant-operand", lambda m, x: m.einsum("ij,jk->ik", W34, x), (4, 2)),
    # products written as einsums
    lib("tensordot", "axes2", call("tensordot"), (2, 3, 4), (3, 4, 2)),
    lib("tensordot", "paired-axes", call("tensordot", ([0, 2], [1, 0])), (2, 3, 4), (4, 2, 2)),
    lib("inner", "matrices", call("inner"), (2, 3), (4, 3)),
    lib("dot", "nd", call("dot"), (2, 3), (2, 3, 4)),
    lib("dot", "stack-vector", call("dot"), (2, 2, 3), (3,)),
    lib("vdot", "matrices", call("vdot"), (2, 3), (3, 2)),
    lib("kron", "matrices", call("kron"), (2, 3), (2, 2)),
    lib("kron", "vector-matrix", call("kron"), (2,), (2, 3)),
    lib("linalg.multi_dot", "vector-ends",
        lambda m, a, b, c, d: m.linalg.multi_dot([a, b, c, d]), (3,), (3, 4), (4, 2), (2,)),
    lib("linalg.matrix_power", "cube", lambda m, a: m.linalg.matrix_power(a, 3), (2, 3, 3),
        domains=dominant),
    lib("linalg.matrix_power", "inverse-square", lambda m, a: m.linalg.matrix_power(a, -2),
        (3, 3), domains=dominant),
    # solves, inverse, determinants
    lib("solve", "stacks", linalg("solve"), (2, 3, 3), (2, 3, 2), domains=(dominant, real)),
    lib("solve", "vector", linalg("solve"), (3, 3), (3,), domains=(dominant, real)),
    lib("solve", "broadcast", linalg("solve"), (3, 3), (2, 3, 1),
        domains=(dominant, real)),
    triangular("lower", True, 0, False, (3, 3), (3, 2)),
    triangular("upper-transposed", False, 1, False, (2, 3, 3), (2, 3, 2)),
    triangular("lower-unit-transposed", True, "T", True, (3, 3), (3,)),
    triangular("upper-unit", False, 0, True, (3, 3), (3, 1)),
    lib("inv", "stack", linalg("inv"), (2, 3, 3), domains=dominant),
    lib("det", "matrix", linalg("det"), (3, 3), domains=dominant),
    lib("det", "stack", linalg("det"), (2, 3, 3), domains=dominant),
    lib("slogdet", "stack", lambda m, a: m.linalg.slogdet(a)[1], (2, 3, 3), domains=dominant),
    lib("slogdet", "negative-det", lambda m, a: m.linalg.slogdet(-a)[1], (3, 3), domains=dominant),
    # decompositions
    lib("cholesky", "matrix", linalg("cholesky"), (3, 3), domains=spd),
    lib("cholesky", "stack", linalg("cholesky"), (2, 3, 3), domains=spd),
    lib("eigh", "matrix", eigh_fixed, (3, 3), domains=separated),
    lib("eigh", "stack", eigh_fixed, (2, 3, 3), domains=separated),
    lib("eigvalsh", "matrix", linalg("eigvalsh"), (4, 4), domains=separated),
    lib("eigvalsh", "stack", linalg("eigvalsh"), (2, 3, 3), domains=separated),
    # Sorted real parts: JAX's eigenvalues are complex, NumPy's real when all are.
    lib("eigvals", "matrix", eigvals_sorted, (3, 3), domains=near_diagonal),
    lib("eigvals", "stack", eigvals_sorted, (2, 4, 4), domains=near_diagonal),
    lib("svd", "square", svd_fixed, (3, 3), domains=spread),
    lib("svd", "tall-stack", svd_fixed, (2, 4, 3), domains=spread),
    lib("svd", "wide", svd_fixed, (2, 4), domains=spread),
    lib("svdvals", "wide", lambda m, a: m.linalg.svd(a, compute_uv=False), (3, 4),
        domains=spread),
    lib("qr", "square", lambda m, a: flat(m, *m.linalg.qr(a)), (3, 3), domains=spread),
    lib("qr", "tall-stack", lambda m, a: flat(m, *m.linalg.qr(a)), (2, 4, 3), domains=spread),
    lib("pinv", "tall", linalg("pinv"), (4, 3), domains=spread),
    lib("pinv", "wide-stack", linalg("pinv"), (2, 2, 3), domains=spread),
    lib("linalg.lstsq", "solution-and-residuals",
        lambda m, a, b: flat(m, *m.linalg.lstsq(a, b)[:2]), (5, 3), (5, 2),
        domains=(spread, real)),
    # norms
    *[
        lib("linalg.norm", f"vector-{ord}", linalg("norm", ord), (4,))
        for ord in (None, 1, np.inf, 3)
    ],
    *[
        lib("linalg.norm", f"matrix-{ord}", linalg("norm", ord), (3, 4), domains=spread)
        for ord in ("fro", "nuc", 1, -2)
    ],
    lib("linalg.norm", "axis-keepdims", linalg("norm", None, 1, True), (3, 4)),
    lib("linalg.norm", "matrix-axes", linalg("norm", "nuc", (0, 2)), (3, 2, 4)),
]  # fmt: skip
