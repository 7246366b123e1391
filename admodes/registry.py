"""The op registry: one entry per primitive, read by both engines.

An entry (a :class:`Primitive`) holds

- ``impl``: the primal implementation (NumPy, with a fast path for Python floats where it pays),
- ``jvps``: one JVP rule per differentiable input, ``rule(t, ans, *args, **params)`` gives the
  output tangent contributed by the input tangent ``t``; ``None`` marks a zero derivative,
- ``vjps``: one VJP rule per differentiable input, ``rule(g, ans, *args, **params)`` gives the
  input cotangent contributed by the output cotangent ``g``; ``None`` marks a zero derivative,
- ``cost``: FLOPs of one evaluation, from the shapes, ``cost(ans, *args, **params)``.

Rules are written with admodes ops, so a rule differentiates again: that is what makes
forward-over-reverse (``hessian``), reverse-over-forward and every other nesting work.

Elementwise ops are written even shorter (:func:`defelementwise`): one *local partial* per input,
``d(ans, *args)``, from which both ``t * d`` (JVP) and ``g * d`` (VJP) follow; ``1`` and ``-1`` stand
for the identity and negation, so ``add`` costs no multiplications.

Broadcasting is handled once, by the engines, for every entry flagged ``broadcasts``: the reverse
engine sums a cotangent back to its input's shape (:func:`unbroadcast`), the forward engine aligns a
batched tangent's direction axis so it is never confused with a broadcast axis.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from admodes import counting

Rule = Callable[..., Any] | None
Partial = Callable[..., Any] | int | None


class Primitive:
    """One registered operation. Calling it evaluates it, or lets the innermost transform trace it."""

    __slots__ = (
        "broadcasts",
        "cost",
        "differentiable",
        "impl",
        "joint_jvp",
        "joint_vjp",
        "jvps",
        "name",
        "vjps",
    )

    def __init__(
        self,
        name: str,
        impl: Callable[..., Any],
        jvps: Sequence[Rule],
        vjps: Sequence[Rule],
        cost: Callable[..., int],
        broadcasts: bool = False,
        joint_jvp: Callable[..., Any] | None = None,
        joint_vjp: Callable[..., tuple] | None = None,
    ) -> None:
        self.name = name
        self.impl = impl
        self.jvps = tuple(jvps)
        self.vjps = tuple(vjps)
        self.cost = cost
        self.broadcasts = broadcasts
        self.joint_jvp = joint_jvp
        self.joint_vjp = joint_vjp
        self.differentiable = joint_jvp is not None or any(r is not None for r in self.jvps)

    def __call__(self, *args: Any, **params: Any) -> Any:
        top = None
        for a in args:
            if type(a) in TRACED_TYPES:
                trace = a._trace
                if top is None or trace.level > top.level:
                    top = trace
        if top is None:
            out = self.impl(*args, **params)
            if counting.active:
                counting.record(self, out, args, params)
            return out
        return top.process(self, args, params)

    def __repr__(self) -> str:
        return f"<admodes primitive {self.name}>"


REGISTRY: dict[str, Primitive] = {}

#: The value types of the engines (filled in by :mod:`admodes.forward` and :mod:`admodes.reverse`).
TRACED_TYPES: set[type] = set()


def defprim(
    name: str,
    impl: Callable[..., Any],
    jvps: Sequence[Rule] = (),
    vjps: Sequence[Rule] = (),
    cost: Callable[..., int] | None = None,
    broadcasts: bool = False,
    joint_jvp: Callable[..., Any] | None = None,
    joint_vjp: Callable[..., tuple] | None = None,
) -> Primitive:
    """Register a primitive with per-input JVP and VJP rules (``None`` = zero derivative).

    Ops with any number of inputs (``concatenate``, ``stack``) give joint rules instead:
    ``joint_jvp(tangents, ans, *args, **params)`` receives every input's tangent (zeros for
    constants) and ``joint_vjp(g, ans, *args, **params)`` returns one cotangent per input.
    """
    if name in REGISTRY:
        raise ValueError(f"a primitive named {name!r} is already registered")
    if len(jvps) != len(vjps) or (joint_jvp is None) != (joint_vjp is None):
        raise ValueError(f"{name}: give a JVP rule and a VJP rule for every input")
    prim = Primitive(
        name, impl, jvps, vjps, cost or zero_cost, broadcasts, joint_jvp, joint_vjp
    )
    REGISTRY[name] = prim
    return prim


def defelementwise(
    name: str, impl: Callable[..., Any], *partials: Partial, flops_per_element: int = 1
) -> Primitive:
    """Register an elementwise (broadcasting) primitive by its local partial derivatives.

    ``partials[i](ans, *args)`` is ∂ans/∂args[i] elementwise; JVP: ``t · ∂``, VJP: ``g · ∂``.
    """
    return defprim(
        name,
        impl,
        jvps=[_tangent_rule(d) for d in partials],
        vjps=[_tangent_rule(d) for d in partials],
        cost=lambda ans, *args, **params: flops_per_element * size(ans),
        broadcasts=True,
    )


def _tangent_rule(d: Partial) -> Rule:
    """The rule ``v ↦ v · d`` shared by JVP (v = tangent) and VJP (v = cotangent)."""
    if d is None:
        return None
    if d == 1:
        return lambda v, ans, *args: v
    if d == -1:
        return lambda v, ans, *args: -v
    return lambda v, ans, *args: v * d(ans, *args)


# ---------------------------------------------------------------------------- shapes and costs


def shape(x: Any) -> tuple[int, ...]:
    """Shape of a float, a NumPy array or a traced value."""
    if type(x) is float:
        return ()
    s = getattr(x, "shape", None)
    return () if s is None else tuple(s)


def ndim(x: Any) -> int:
    return len(shape(x))


def size(x: Any) -> int:
    n = 1
    for d in shape(x):
        n *= d
    return n


def zero_cost(ans: Any, *args: Any, **params: Any) -> int:
    """Shape ops move data and do no arithmetic: 0 FLOPs."""
    return 0


def output_size_cost(ans: Any, *args: Any, **params: Any) -> int:
    """One FLOP per output element."""
    return size(ans)


def input_size_cost(ans: Any, x: Any, *args: Any, **params: Any) -> int:
    """Reductions: one FLOP per input element."""
    return size(x)
