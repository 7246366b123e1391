"""``linearize``: record a function once on a tape, then push any number of tangents along it.

JAX's ``linearize(f, *primals) -> (f(*primals), f_jvp)``, where ``f_jvp(*tangents)`` is J·t.
The recording is reverse mode's; pushing a tangent applies each entry's JVP rules in recorded
order, exactly as forward mode applies them (the forward engine's ``derive``, on duals of the
primals the entry saved),

    ṫ_out = Σᵢ JVPᵢ(ṫᵢ, ans, *saved primals),

so a call of ``f_jvp`` costs the tangent arithmetic of one forward pass and none of the primal
arithmetic: what a Newton–Krylov solver, which needs many J·v at one point, pays.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from admodes import counting
from admodes.arguments import (
    differentiated,
    traced_tangents,
    unwrapped,
    zero_tangent,
    zeros_like_value,
)
from admodes.forward import Dual, ForwardTrace
from admodes.registry import Primitive
from admodes.reverse import Node, Tape, trace_on_new_tape
from admodes.tree import flatten, unflatten

__all__ = ["linearize"]


def linearize(fun: Callable[..., Any], *primals: Any, has_aux: bool = False) -> tuple:
    """``(fun(*primals), f_jvp[, aux])``: ``f_jvp(*tangents)`` is the Jacobian of ``fun`` at
    ``primals`` times ``tangents`` (one per primal, of its structure, shape and dtype), computed
    from one recording without evaluating ``fun`` again."""
    nums = tuple(range(len(primals)))
    in_leaves, in_def, held = differentiated(
        primals, nums, holomorphic=False, complex_ok=True, allow_int=True
    )
    tape, out, aux = trace_on_new_tape(
        fun, primals, nums, in_leaves, in_def, has_aux=has_aux, name="linearize", held=held
    )
    o_leaves, o_def = flatten(out)
    out_nodes = [o.index if type(o) is Node and o._trace is tape else None for o in o_leaves]
    out_primal = unflatten(o_def, [unwrapped(o, tape) for o in o_leaves])
    plain_out = flatten(out_primal)[0]

    def f_jvp(*tangents: Any) -> Any:
        swept = _push_forward(tape, traced_tangents(flatten(tangents), (in_leaves, in_def), held))
        return unflatten(
            o_def,
            [
                zero_tangent(o) if i is None or swept[i] is None else swept[i]
                for i, o in zip(out_nodes, plain_out, strict=True)
            ],
        )

    return (out_primal, f_jvp, aux) if has_aux else (out_primal, f_jvp)


def _push_forward(tape: Tape, input_tangents: list[Any]) -> list[Any]:
    """The tangent of every node of ``tape`` (None where zero), given its inputs' tangents."""
    trace = ForwardTrace()
    tangents: list[Any] = [None] * tape.n_nodes
    tangents[: len(input_tangents)] = input_tangents  # the inputs are the first nodes
    outer, counting.phase = counting.phase, trace.phase
    try:
        for prim, primals, params, out, parents, index in tape.entries:
            if type(index) is not int:  # a step with several outputs
                _push_through_step(prim, tangents, primals, parents, out, index)
                continue
            args = tuple(
                x if p is None or tangents[p] is None else Dual(x, tangents[p], trace)
                for x, p in zip(primals, parents, strict=True)
            )
            dual = trace.derive(prim, args, primals, out, params)
            tangents[index] = dual.tangent if type(dual) is Dual else None
    finally:
        counting.phase = outer
        trace.finished = True
    return tangents


def _push_through_step(
    prim: Primitive, tangents: list[Any], primals: list, parents: list, out: tuple, index: tuple
) -> None:
    """The tangents of a step with several outputs (a custom_jvp call, a checkpointed function
    or iterate, which re-runs in forward mode): its ``joint_jvp`` gives one per output from one
    per input. A custom_vjp call's step, a backward rule only, cannot be pushed through."""
    if prim.joint_jvp is None:
        raise TypeError(
            f"linearize cannot push a tangent through {prim.name}: the tape holds only the "
            "backward rule of a custom_vjp call (forward mode refuses it too); define the "
            "function's derivative with custom_jvp, which serves both modes"
        )
    inputs = [
        zeros_like_value(x) if p is None or tangents[p] is None else tangents[p]
        for x, p in zip(primals, parents, strict=True)
    ]
    for i, t in zip(index, prim.joint_jvp(inputs, out, *primals), strict=True):
        tangents[i] = t
