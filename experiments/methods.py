"""The admodes computations the experiments measure, each paired with JAX's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import admodes as ad
from experiments.counting import Counts, counted
from experiments.measure import ADMODES, Method
from experiments.validation import JaxReference

FUNCTION = "f(x)"
"""The method name of f's own evaluation, the denominator of the cost ratios."""


def function(f: Callable[[Any], Any], x: Any, ref: JaxReference) -> Method:
    """f(x) itself, the denominator of every cost ratio.

    It is timed on plain arrays, as a user calls it. Its ops and FLOPs are those of one
    recorded evaluation (the primal phase of ``ad.vjp``): on plain arrays a Python operator
    such as ``A @ y`` is NumPy's own and never reaches admodes' counter.
    """
    return Method(
        ADMODES,
        "function",
        FUNCTION,
        lambda: f(x),
        lambda: ref.value,
        count=lambda: _recorded_once(f, x),
    )


def _recorded_once(f: Callable[[Any], Any], x: Any) -> tuple[Any, Counts]:
    (value, _), counts = counted(lambda: ad.vjp(f, x))
    return value, counts.primal_phase()


def reverse_grad(f: Callable[[Any], Any], x: Any, ref: JaxReference) -> Method:
    """The gradient by reverse mode: one recording and one backward sweep."""
    return Method(ADMODES, "reverse", "grad", lambda: ad.grad(f)(x), lambda: ref.jacobian)


def forward_grad(f: Callable[[Any], Any], x: Any, ref: JaxReference) -> Method:
    """The gradient by forward mode, all n directions batched in one pass."""
    return Method(
        ADMODES,
        "forward",
        "grad(mode='forward')",
        lambda: ad.grad(f, mode="forward")(x),
        lambda: ref.jacobian,
    )


def jacfwd(
    f: Callable[[Any], Any], x: Any, ref: JaxReference, chunk_size: int, timed: bool = True
) -> Method:
    """The Jacobian (a gradient when f is scalar) by ``chunk_size`` directions per pass."""
    return Method(
        ADMODES,
        "forward",
        f"jacfwd(chunk_size={chunk_size})",
        lambda: ad.jacfwd(f, chunk_size=chunk_size)(x),
        lambda: ref.jacobian,
        timed,
    )


def jacrev(f: Callable[[Any], Any], x: Any, ref: JaxReference, timed: bool = True) -> Method:
    """The Jacobian by reverse mode: one recording, one backward sweep per output."""
    return Method(
        ADMODES, "reverse", "jacrev", lambda: ad.jacrev(f)(x), lambda: ref.jacobian, timed
    )
