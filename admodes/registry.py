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

Elementwise ops are written even shorter (:func:`defelementwise`): one *local partial* per
input, ``d(ans, *args)``, from which both ``t * d`` (JVP) and ``g * d`` (VJP) follow; ``1`` and
``-1`` stand for the identity and negation, so ``add`` costs no multiplications.

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
    """One registered operation. Calling it evaluates it, or lets the innermost transform trace it.

    Its derivative is given in one of three forms, which both engines read:

    - ``partials``: elementwise ops, one local partial ∂ans/∂argᵢ per input,
    - ``jvps`` / ``vjps``: one rule per input,
    - ``joint_jvp`` / ``joint_vjp``: one rule for all inputs (ops with any number of inputs).
    """

    __slots__ = (
        "broadcasts",
        "cost",
        "differentiable",
        "impl",
        "joint_jvp",
        "joint_vjp",
        "jvps",
        "name",
        "partials",
        "vjps",
    )

    def __init__(
        self,
        name: str,
        impl: Callable[..., Any],
        *,
        cost: Callable[..., int],
        partials: Sequence[Any] | None = None,
        jvps: Sequence[Rule] = (),
        vjps: Sequence[Rule] = (),
        joint_jvp: Callable[..., Any] | None = None,
        joint_vjp: Callable[..., tuple] | None = None,
        broadcasts: bool = False,
    ) -> None:
        self.name = name
        self.impl = impl
        self.cost = cost
        self.partials = None if partials is None else tuple(partials)
        self.jvps = tuple(jvps)
        self.vjps = tuple(vjps)
        self.joint_jvp = joint_jvp
        self.joint_vjp = joint_vjp
        self.broadcasts = broadcasts
        self.differentiable = joint_jvp is not None or any(
            r is not None for r in (*self.jvps, *(self.partials or ()))
        )

    def __call__(self, *args: Any, **params: Any) -> Any:
        top = None
        for a in args:
            if type(a) in TRACED_TYPES:
                trace = a._trace
                if top is None or trace.level > top.level:
                    top = trace
        if top is None:
            # The engines repeat these lines inline: this is every op's hot path.
            out = self.impl(*args, **params) if params else self.impl(*args)
            if counting.active:
                counting.record(self, out, args, params)
            return out
        return top.process(self, args, params)

    def __repr__(self) -> str:
        return f"<admodes primitive {self.name}>"


class _Marker:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return self.name


#: Partial-derivative markers: ∂ = 1 (the tangent passes unchanged) and ∂ = -1 (it is negated).
IDENTITY = _Marker("IDENTITY")
NEGATE = _Marker("NEGATE")

REGISTRY: dict[str, Primitive] = {}

#: The value types of the engines (filled in by :mod:`admodes.forward` and :mod:`admodes.reverse`).
TRACED_TYPES: set[type] = set()


def _register(prim: Primitive) -> Primitive:
    if prim.name in REGISTRY:
        raise ValueError(f"a primitive named {prim.name!r} is already registered")
    REGISTRY[prim.name] = prim
    return prim


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

    ``jvps[i](t, ans, *args, **params)`` is the output tangent contributed by input i's tangent
    ``t``; ``vjps[i](g, ans, *args, **params)`` is input i's cotangent given the output's ``g``.
    Ops with any number of inputs (``concatenate``, ``stack``) give joint rules instead:
    ``joint_jvp(tangents, ans, *args, **params)`` receives every input's tangent (zeros for
    constants) and ``joint_vjp(g, ans, *args, **params)`` returns one cotangent per input.
    A primitive with no rules at all is a constant to every transform.
    """
    if len(jvps) != len(vjps) or (joint_jvp is None) != (joint_vjp is None):
        raise ValueError(f"{name}: give a JVP rule and a VJP rule for every input")
    return _register(
        Primitive(
            name,
            impl,
            cost=cost or zero_cost,
            jvps=jvps,
            vjps=vjps,
            joint_jvp=joint_jvp,
            joint_vjp=joint_vjp,
            broadcasts=broadcasts,
        )
    )


def defelementwise(
    name: str, impl: Callable[..., Any], *partials: Partial, flops_per_element: int = 1
) -> Primitive:
    """Register an elementwise (broadcasting) primitive by its local partial derivatives.

    ``partials[i](ans, *args)`` is ∂ans/∂args[i] elementwise (``1`` identity, ``-1`` negation,
    ``None`` zero). Both engines apply it: JVP ``t · ∂``, VJP ``g · ∂`` (summed back to the
    input's shape where the op broadcast).
    """
    return _register(
        Primitive(
            name,
            impl,
            cost=lambda ans, *args, **params: flops_per_element * size(ans),
            partials=[IDENTITY if d == 1 else NEGATE if d == -1 else d for d in partials],
            broadcasts=True,
        )
    )


def contribution(
    prim: Primitive, rules: tuple, i: int, v: Any, ans: Any, args: tuple, params: dict
) -> Any:
    """Input ``i``'s share of a derivative, as both engines apply it: with ``rules = prim.jvps``
    and ``v`` its tangent, its term of the output tangent; with ``rules = prim.vjps`` and ``v``
    the output's cotangent, its cotangent. An elementwise op gives ``v · ∂ᵢ`` from its partial.
    None where the derivative is zero. Products evaluated here are charged to ``count()``."""
    partials = prim.partials
    if partials is None:
        rule = rules[i]
        return None if rule is None else rule(v, ans, *args, **params)
    d = partials[i]
    if d is None or d is IDENTITY:
        return None if d is None else v
    c = -v if d is NEGATE else v * d(ans, *args)
    if counting.active:
        counting.charge(REGISTRY["negative" if d is NEGATE else "multiply"], c)
    return c


def summed(a: Any, b: Any) -> Any:
    """a + b for two terms of one derivative (fan-in of tangents, fan-out of cotangents),
    charged to ``count()``."""
    total = a + b
    if counting.active:
        counting.charge(REGISTRY["add"], total)
    return total


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
