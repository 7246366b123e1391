"""Contractions: ``matmul`` (``@``) on stacks of matrices, and ``einsum``.

**matmul.** For C = A @ B (the leading batch dimensions broadcast, as in NumPy):

    dC = dA @ B + A @ dB,    Ā = C̄ @ Bᵀ,    B̄ = Aᵀ @ C̄,

summed back over broadcast batch dimensions by the engine (the entry ``broadcasts``). A 1-D
operand is promoted to a matrix as NumPy does (a row on the left, a column on the right) and the
unit axis the promotion added is dropped from the result. A batch of directions is one more
leading batch dimension (the forward engine puts it in front of the broadcast dimensions), so
the rules take it whole. Cost: 2·m·k·n per matrix product.

**einsum.** The primitive takes canonical subscripts (explicit output, no ``...``, one size per
label; :mod:`admodes.numpy` writes them) and evaluates along NumPy's greedy contraction path. An
einsum is linear in each operand, so

- the tangent contributed by operand i is the same einsum with its tangent in place of operand i,
- the cotangent of operand i is the einsum of the output cotangent with the other operands, into
  operand i's labels (the standard einsum transpose). A label of operand i found in no other
  term enters through a vector of ones; a label repeated in operand i (a diagonal, ``ii->i``)
  is renamed and tied to the first occurrence by an identity matrix.

A batch of directions gets a fresh label, in front of the tangent (cotangent) and of the result.
Cost: the FLOPs of the contraction path, counted as ``np.einsum_path`` counts them (a step over
labels L of t terms costs Π|L| · (max(1, t − 1) + 1 if it sums a label)): 2·m·k·n for a
matrix product.
"""

from __future__ import annotations

import math
import string
from functools import lru_cache, partial
from typing import Any

import numpy as np

from admodes.core import dtype_of, ndim, shape, size
from admodes.registry import defprim
from admodes.rules.shape import batch_ndim, reshape, transpose


def matrix_transpose(x: Any) -> Any:
    """x with its last two axes swapped (each matrix of a stack transposed)."""
    n = ndim(x)
    return transpose(x, (*range(n - 2), n - 1, n - 2))


# ------------------------------------------------------------------------------------ matmul
def _as_row(v: Any, x: Any) -> Any:
    """``v`` (``x`` or a tangent of it) with a unit axis before its last when ``x`` is 1-D."""
    if ndim(x) != 1:
        return v
    s = shape(v)
    return reshape(v, (*s[:-1], 1, s[-1]))


def _as_column(v: Any, x: Any) -> Any:
    """``v`` with a trailing unit axis when ``x`` is 1-D."""
    return reshape(v, (*shape(v), 1)) if ndim(x) == 1 else v


def _dropped(v: Any, row: bool, column: bool) -> Any:
    """``v`` without the unit axes a promotion added: axis -2 (a row), axis -1 (a column)."""
    if not (row or column):
        return v
    s = shape(v)
    return reshape(v, s[:-2] + (() if row else s[-2:-1]) + (() if column else s[-1:]))


def _as_product(g: Any, a: Any, b: Any) -> Any:
    """A cotangent of ``a @ b`` with the unit axes of the promoted product restored."""
    return _as_row(_as_column(g, b), a)


matmul = defprim(
    "matmul",
    np.matmul,
    jvps=[
        lambda t, ans, a, b: _dropped(
            matmul(_as_row(t, a), _as_column(b, b)), ndim(a) == 1, ndim(b) == 1
        ),
        lambda t, ans, a, b: _dropped(
            matmul(_as_row(a, a), _as_column(t, b)), ndim(a) == 1, ndim(b) == 1
        ),
    ],
    vjps=[
        lambda g, ans, a, b: _dropped(
            matmul(_as_product(g, a, b), matrix_transpose(_as_column(b, b))), ndim(a) == 1, False
        ),
        lambda g, ans, a, b: _dropped(
            matmul(matrix_transpose(_as_row(a, a)), _as_product(g, a, b)), False, ndim(b) == 1
        ),
    ],
    cost=lambda ans, a, b: 2 * size(ans) * shape(a)[-1],
    broadcasts=True,
    batched_jvp=True,
    batched_vjp=True,
)


# ------------------------------------------------------------------------------------ einsum
#: The most operands one einsum takes (NumPy's limit is higher; more is rare).
MAX_OPERANDS = 32


def split_subscripts(subscripts: str) -> tuple[list[str], str]:
    """Canonical subscripts ``"ij,jk->ik"`` as (``["ij", "jk"]``, ``"ik"``)."""
    inputs, output = subscripts.split("->")
    return inputs.split(","), output


def join_subscripts(terms: list[str], output: str) -> str:
    return ",".join(terms) + "->" + output


def unused_labels(subscripts: str) -> list[str]:
    """Letters not used as labels in ``subscripts``, for new labels."""
    return [c for c in string.ascii_letters if c not in subscripts]


@lru_cache(maxsize=4096)
def plan(subscripts: str, shapes: tuple[tuple[int, ...], ...]) -> tuple[tuple, int]:
    """NumPy's greedy contraction path for these subscripts and shapes, and its FLOPs."""
    path = tuple(np.einsum_path(subscripts, *(np.empty(s) for s in shapes), optimize="greedy")[0])
    terms, output = split_subscripts(subscripts)
    sizes = {
        label: d
        for term, s in zip(terms, shapes, strict=True)
        for label, d in zip(term, s, strict=True)
    }
    flops = 0
    for step in path[1:]:
        taken = [terms[i] for i in step]
        for i in sorted(step, reverse=True):
            del terms[i]
        labels = set("".join(taken))
        kept = labels & set("".join(terms) + output)
        summing = kept != labels
        flops += math.prod(sizes[c] for c in labels) * (max(1, len(taken) - 1) + summing)
        terms.append("".join(sorted(kept)))
    return path, flops


def _einsum_impl(*operands: Any, subscripts: str, path: tuple) -> Any:
    out = np.einsum(subscripts, *operands, optimize=list(path))
    return out[()] if out.ndim == 0 else out  # a NumPy scalar, as np.einsum gives


def _einsum_jvp(i: int, t: Any, ans: Any, *operands: Any, subscripts: str, path: tuple) -> Any:
    """The einsum with operand i's tangent in its place (a batch: a fresh label in front)."""
    terms, output = split_subscripts(subscripts)
    if batch_ndim(t, operands[i]):
        z = unused_labels(subscripts)[0]
        terms[i], output = z + terms[i], z + output
    return einsum(join_subscripts(terms, output), *operands[:i], t, *operands[i + 1 :])


def _einsum_vjp(i: int, g: Any, ans: Any, *operands: Any, subscripts: str, path: tuple) -> Any:
    """The einsum of ``g`` with the other operands into operand i's labels; ones for labels only
    operand i has, an identity tying each repeat of a label to its first occurrence."""
    terms, output = split_subscripts(subscripts)
    fresh = iter(unused_labels(subscripts))
    lead = next(fresh) if batch_ndim(g, ans) else ""
    inputs = [lead + output, *terms[:i], *terms[i + 1 :]]
    args = [g, *operands[:i], *operands[i + 1 :]]
    present = set("".join(inputs))
    dtype = dtype_of(g)
    target = ""
    for label, d in zip(terms[i], shape(operands[i]), strict=True):
        if label in target:
            new = next(fresh)
            inputs.append(label + new)
            args.append(np.eye(d, dtype=dtype))
            target += new
        else:
            if label not in present:
                inputs.append(label)
                args.append(np.ones(d, dtype=dtype))
            target += label
    return einsum(join_subscripts(inputs, lead + target), *args)


einsum_primitive = defprim(
    "einsum",
    _einsum_impl,
    jvps=[partial(_einsum_jvp, i) for i in range(MAX_OPERANDS)],
    vjps=[partial(_einsum_vjp, i) for i in range(MAX_OPERANDS)],
    cost=lambda ans, *operands, subscripts, path: plan(
        subscripts, tuple(shape(x) for x in operands)
    )[1],
    batched_jvp=True,
    batched_vjp=True,
)


def einsum(subscripts: str, *operands: Any) -> Any:
    """The einsum primitive on canonical subscripts, along its greedy contraction path."""
    if len(operands) > MAX_OPERANDS:
        raise ValueError(
            f"einsum takes at most {MAX_OPERANDS} operands, got {len(operands)}: split the "
            "contraction into several einsums"
        )
    path, _ = plan(subscripts, tuple(shape(x) for x in operands))
    return einsum_primitive(*operands, subscripts=subscripts, path=path)
