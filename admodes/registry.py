"""The op registry: one entry per primitive, read by both engines, and the one dispatch path.

An entry (a :class:`Primitive`) holds

- ``impl``: the primal implementation (NumPy, with a fast path for Python floats where it pays),
- ``jvps``: one JVP rule per differentiable input, ``rule(t, ans, *args, **params)`` gives the
  output tangent contributed by the input tangent ``t``; ``None`` marks a zero derivative,
- ``vjps``: one VJP rule per differentiable input, ``rule(g, ans, *args, **params)`` gives the
  input cotangent contributed by the output cotangent ``g``; ``None`` marks a zero derivative,
- ``cost``: FLOPs of one evaluation, from the shapes, ``cost(ans, *args, **params)``.

Rules are written with admodes ops, so a rule differentiates again: that is what makes
forward-over-reverse (``hessian``), reverse-over-forward and every other nesting work.

**One tangent, one cotangent.** A rule is written for a single tangent ``t`` of the input's shape
and a single cotangent ``g`` of the output's shape. The engines also carry k directions at once
(``jacfwd``'s batched tangents, ``jacrev``'s batched cotangents), as a leading axis of length k. A
rule that handles that axis itself declares it (``batched_jvp=True`` / ``batched_vjp=True``); any
other rule is applied by the engines once per direction and the results are stacked, so a rule
that knows nothing of batching is right in every transform.

Elementwise ops are written even shorter (:func:`defelementwise`): one *local partial* per
input, ``d(ans, *args)``, from which both ``t · d`` (JVP) and ``g · d`` (VJP) follow for any
number of directions; ``1`` and ``-1`` stand for the identity and negation.

Broadcasting is handled once, by the engines, for every entry flagged ``broadcasts``: the reverse
engine sums a cotangent back to its input's shape, the forward engine aligns a batched tangent's
direction axis so it is never confused with a broadcast axis.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import ExitStack, contextmanager
from typing import Any

from admodes import counting
from admodes.core import (
    TRACED_TYPES,
    ConcretizationError,
    Trace,
    Traced,
    UnexpectedTracerError,
    size,
)

Rule = Callable[..., Any] | None
Partial = Callable[..., Any] | int | None
BatchRule = Callable[..., Any]


#: Shared empty parameters (operators pass no parameters).
NO_PARAMS: dict = {}

#: How many traces are in substitution mode (see :class:`admodes.core.Trace`); read on every op.
substituting = 0


def bind(prim: Primitive, *args: Any, **params: Any) -> Any:
    """Apply ``prim`` to ``args``: the one dispatch path of every op, in every transform.

    With no traced argument, evaluate (and charge ``count()``). Otherwise the innermost trace
    among the arguments (highest level) takes the op: its own values are unwrapped to their
    primals, the op is applied to those by this same function (so values an outer transform
    traces pass down to it), and the trace derives the traced output from the result. A trace
    whose values hold no single primal (``vmap``'s: reading one raises ConcretizationError)
    takes the op whole instead (:meth:`~admodes.core.Trace.process`).
    """
    if substituting:
        args = tuple(substituted(a) for a in args)
    top = None
    nested = False  # does a value beneath the innermost trace belong to an outer one?
    primals = []
    try:
        for a in args:
            if type(a) in TRACED_TYPES:
                if top is None:
                    top = a._trace
                elif a._trace is not top:
                    top, primals = innermost(args)
                    nested = True
                    break
                a = a.primal
                if type(a) in TRACED_TYPES:
                    nested = True
            primals.append(a)
    except ConcretizationError:  # a value mapped by vmap, which holds no single primal
        top = innermost_trace(args)
        if top.processes:
            if top.finished:
                raise UnexpectedTracerError() from None
            return top.process(prim, args, params)
        primals = primals_of(args, top)
        nested = True
    if top is None:
        out = prim.impl(*args, **params) if params else prim.impl(*args)
        if counting.active:
            counting.charge(prim, out, args, params)
        return out
    if top.finished:
        raise UnexpectedTracerError()
    primals = tuple(primals)
    if nested:
        out = bind(prim, *primals, **params)
    else:
        out = prim.impl(*primals, **params) if params else prim.impl(*primals)
        if counting.active:
            counting.charge(prim, out, primals, params)
    if not prim.differentiable:
        return out
    if not counting.active or top.phase is None:
        return top.derive(prim, args, primals, out, params)
    outer, counting.phase = counting.phase, top.phase
    try:
        return top.derive(prim, args, primals, out, params)
    finally:
        counting.phase = outer


def innermost(args: tuple) -> tuple[Any, list]:
    """The innermost (highest-level) trace among ``args``, and ``args`` with its values
    unwrapped: the values of the other traces pass down to the op as they are."""
    top = innermost_trace(args)
    return top, primals_of(args, top)


def innermost_trace(args: tuple) -> Any:
    """The innermost (highest-level) trace among ``args``."""
    top = None
    for a in args:
        if type(a) in TRACED_TYPES and (top is None or a._trace.level > top.level):
            top = a._trace
    return top


def primals_of(args: tuple, trace: Trace) -> list:
    """``args`` with the values of ``trace`` replaced by their primals."""
    return [a.primal if type(a) in TRACED_TYPES and a._trace is trace else a for a in args]


#: What a trace in substitution mode swaps each of its values for (see :func:`substitution`).
Substitute = Callable[[Traced], Any]


@contextmanager
def substitution(trace: Trace, substitute: Substitute) -> Iterator[None]:
    """While active, ``trace`` is in substitution mode: the dispatch swaps its values for
    ``substitute(value)`` before any op (and so any other transform) sees them."""
    global substituting
    outer = trace.substitute
    trace.substitute = substitute
    substituting += 1
    try:
        yield
    finally:
        trace.substitute = outer
        substituting -= 1


@contextmanager
def substitutions(
    traces: Iterable[Trace], substitute: Callable[[Substitute | None], Substitute]
) -> Iterator[None]:
    """Each of ``traces`` in substitution mode with ``substitute(its substitute until now)``."""
    with ExitStack() as stack:
        for trace in traces:
            stack.enter_context(substitution(trace, substitute(trace.substitute)))
        yield


def substituted(a: Any) -> Any:
    """``a`` after every substitution its traces make (see :class:`admodes.core.Trace`); a value
    its trace's substitute leaves as it is stays."""
    while isinstance(a, Traced) and a._trace.substitute is not None:
        swapped = a._trace.substitute(a)
        if swapped is a:
            break
        a = swapped
    return a


class Primitive:
    """One registered operation. Calling it evaluates it, or lets the innermost transform trace it.

    Its derivative is given in one of three forms, which both engines read:

    - ``partials``: elementwise ops, one local partial ∂ans/∂argᵢ per input,
    - ``jvps`` / ``vjps``: one rule per input,
    - ``joint_jvp`` / ``joint_vjp``: one rule for all inputs (ops with any number of inputs).
    """

    __slots__ = (
        "batch",
        "batched_jvp",
        "batched_vjp",
        "broadcasts",
        "complex_flops",
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
        batched_jvp: bool = False,
        batched_vjp: bool = False,
        complex_flops: int = 4,
    ) -> None:
        self.name = name
        self.complex_flops = complex_flops
        self.impl = impl
        self.cost = cost
        self.partials = None if partials is None else tuple(partials)
        self.jvps = tuple(jvps)
        self.vjps = tuple(vjps)
        self.joint_jvp = joint_jvp
        self.joint_vjp = joint_vjp
        self.broadcasts = broadcasts
        self.batch: BatchRule | None = None  # set by defbatch
        elementwise = partials is not None
        self.batched_jvp = batched_jvp or elementwise
        self.batched_vjp = batched_vjp or elementwise
        self.differentiable = joint_jvp is not None or any(
            r is not None for r in (*self.jvps, *(self.partials or ()))
        )

    #: Calling a primitive is binding it: the one dispatch path, without a frame in between.
    __call__ = bind

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


def _register(prim: Primitive) -> Primitive:
    if prim.name in REGISTRY:
        raise ValueError(f"a primitive named {prim.name!r} is already registered")
    REGISTRY[prim.name] = prim
    return prim


def defprim(
    name: str,
    impl: Callable[..., Any],
    *,
    jvps: Sequence[Rule] = (),
    vjps: Sequence[Rule] = (),
    joint_jvp: Callable[..., Any] | None = None,
    joint_vjp: Callable[..., tuple] | None = None,
    cost: Callable[..., int] | None = None,
    broadcasts: bool = False,
    batched_jvp: bool = False,
    batched_vjp: bool = False,
    complex_flops: int = 4,
) -> Primitive:
    """Register a primitive with per-input JVP and VJP rules (``None`` = zero derivative).

    ``jvps[i](t, ans, *args, **params)`` is the output tangent contributed by input i's tangent
    ``t``; ``vjps[i](g, ans, *args, **params)`` is input i's cotangent given the output's ``g``.
    Ops with any number of inputs (``concatenate``, ``stack``) give joint rules instead:
    ``joint_jvp(tangents, ans, *args, **params)`` receives every input's tangent (zeros for
    constants) and ``joint_vjp(g, ans, *args, **params)`` returns one cotangent per input.
    A primitive with no rules at all is a constant to every transform.

    Rules see one tangent and one cotangent. ``batched_jvp`` / ``batched_vjp`` declare that the
    rules also accept a leading axis of k directions on ``t`` / ``g`` (and return one on their
    result); without them the engines apply the rules once per direction.

    ``cost`` counts real FLOPs; on complex values ``count()`` charges ``complex_flops`` times
    as many (4 by default: a complex multiply-add is 8 real FLOPs against 2).
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
            batched_jvp=batched_jvp,
            batched_vjp=batched_vjp,
            complex_flops=complex_flops,
        )
    )


def defelementwise(
    name: str,
    impl: Callable[..., Any],
    *partials: Partial,
    flops_per_element: int = 1,
    complex_flops: int = 4,
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
            complex_flops=complex_flops,
        )
    )


def defbatch(rule: BatchRule, *prims: Primitive) -> None:
    """Give ``prims`` a batching rule, which ``vmap`` applies to an op on mapped values:
    ``rule(prim, args, mapped, **params)``, where ``mapped[i]`` says whether ``args[i]`` is a
    stack of values along a leading axis (one per index of the mapped axis) or one value for
    all, gives the stack of ``prim``'s outputs along a leading axis. An elementwise primitive
    needs none; any other without one is applied once per index."""
    for prim in prims:
        prim.batch = rule


# ---------------------------------------------------------------------------- costs
def zero_cost(ans: Any, *args: Any, **params: Any) -> int:
    """Shape ops move data and do no arithmetic: 0 FLOPs."""
    return 0


def output_size_cost(ans: Any, *args: Any, **params: Any) -> int:
    """One FLOP per output element."""
    return size(ans)


def input_size_cost(ans: Any, x: Any, *args: Any, **params: Any) -> int:
    """Reductions: one FLOP per input element."""
    return size(x)
