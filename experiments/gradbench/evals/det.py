"""GradBench ``det``: the determinant by expansion by minors, and its gradient (reverse mode).

    det M = Σⱼ (−1)ʲ M₀ⱼ det M⁽⁰ʲ⁾

expanding along the first row of each minor M⁽⁰ʲ⁾ (row 0 and column j removed) down to 1 × 1
minors: ℓ! products, the eval's source of scalar floating-point work. ``A`` arrives flat in
row-major order; the gradient goes back the same way.
"""

from __future__ import annotations

import numpy as np

import admodes as ad

from ..convert import flat_json, floats
from ..protocol import function


def det_of_minor(A: np.ndarray, row: int, columns: tuple[int, ...]) -> float:
    """The determinant of A's minor made of rows ``row``… and the given columns."""
    if len(columns) == 1:
        return A[row, columns[0]]
    total = 0.0
    for j, column in enumerate(columns):
        term = A[row, column] * det_of_minor(A, row + 1, columns[:j] + columns[j + 1 :])
        total = total + term if j % 2 == 0 else total - term
    return total


def determinant(A: np.ndarray) -> float:
    """det A by expansion by minors."""
    return det_of_minor(A, 0, tuple(range(A.shape[0])))


def prepare(input: dict) -> np.ndarray:
    """The ℓ × ℓ matrix from ``A`` (row-major) and ``ell``."""
    ell = int(input["ell"])
    return floats(input["A"]).reshape(ell, ell)


@function(prepare, output=float)
def primal(A: np.ndarray) -> float:
    """det A."""
    return determinant(A)


@function(prepare, output=flat_json)
def gradient(A: np.ndarray) -> np.ndarray:
    """∇ det A by reverse mode."""
    return ad.grad(determinant)(A)
