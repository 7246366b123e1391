"""``closure_convert``: a function's closed-over traced values made explicit arguments, as
``jax.closure_convert`` does, for custom rules that must see every value they differentiate in.

The function is recorded on a tape with the example arguments as its inputs, to find the
constants it closes over: the values of other transforms that its operations meet (a parameter
it closes over, or a value computed from one before the call). While it is recorded, each such
value is lifted onto the tape as it is first met (the dispatch's substitution mode), so what the
function computes from it is recorded too and the constants are the values it closes over, as
JAX's (a transform first met in one recording is lifted in the next). The converted function runs
the function again on new arguments, each constant swapped for the value given in its place, so
it differentiates in both, and every decision the function makes (a branch, a mask, a
distribution's support, a sort's order) is made afresh on the new values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from admodes.core import TRACED_TYPES, Trace, Traced, plain
from admodes.registry import Substitute, substitutions
from admodes.reverse import Node, Tape, trace_on_new_tape
from admodes.tree import TreeDef, flatten, unflatten

__all__ = ["closure_convert"]


def closure_convert(fun: Callable[..., Any], *example_args: Any) -> tuple[Callable[..., Any], list]:
    """``(converted, consts)``: ``converted(*args, *consts)`` is ``fun(*args)`` for arguments of
    the example's structure, with the traced values ``fun`` closes over passed explicitly."""
    leaves, treedef = flatten(example_args)
    n_args = len(example_args)
    lifting: set[Trace] = set()
    while True:
        tape, out, lifted = _record(fun, example_args, leaves, treedef, lifting)
        met = _met(tape) + [o for o in flatten(out)[0] if _foreign(o, tape)]
        unlifted = {x._trace for x in met} - lifting
        if not unlifted:
            break
        lifting |= unlifted
    consts = {id(x): x for x in [*lifted.values(), *met]}  # the value kept alive: its id stays
    found = list(consts.values())

    def converted(*args_and_consts: Any) -> Any:
        args, given = args_and_consts[:n_args], args_and_consts[n_args:]
        if len(given) != len(found):
            raise TypeError(
                f"the converted function takes {n_args} arguments and {len(found)} constants, "
                f"got {len(args_and_consts)} values"
            )
        if flatten(args)[1] != treedef:
            raise ValueError("the converted function takes arguments of the example's structure")
        replaced = {id(c): g for c, g in zip(found, given, strict=True)}
        with substitutions({c._trace for c in found}, lambda outer: _swapping(replaced, outer)):
            out = fun(*args)
        out_leaves, out_def = flatten(out)
        return unflatten(out_def, [replaced.get(id(o), o) for o in out_leaves])

    return converted, found


def _record(
    fun: Callable[..., Any], args: tuple, leaves: list, treedef: TreeDef, lifting: set[Trace]
) -> tuple[Tape, Any, dict[int, Any]]:
    """``fun(*args)`` recorded on a new tape, the values of the transforms ``lifting`` lifted
    onto it as operations meet them: the tape, the output, and the lifted values by id."""
    tape, lifted = Tape(), {}
    lift = _lifting(tape, lifted)
    with substitutions(lifting, lambda _: lift):
        nums = tuple(range(len(args)))
        _, out, _ = trace_on_new_tape(
            fun, args, nums, leaves, treedef, has_aux=False, name="closure_convert", tape=tape
        )
    return tape, out, lifted


def _lifting(tape: Tape, lifted: dict[int, Any]) -> Substitute:
    """A substitute that puts a value of another transform on ``tape`` as an input when an
    operation first meets it (``lifted``: id → the value), and gives that input every time."""
    nodes: dict[int, Node] = {}

    def lift(value: Traced) -> Any:
        if id(value) not in nodes:
            lifted[id(value)] = value
            nodes[id(value)] = tape.input(plain(value))  # its value is all a search needs
        return nodes[id(value)]

    return lift


def _swapping(replaced: dict[int, Any], outer: Substitute | None) -> Substitute:
    """A substitute that swaps the constants in ``replaced`` and leaves any other value to the
    substitution already in place (a custom rule's refusal of closures), or as it is."""

    def substitute(value: Traced) -> Any:
        if id(value) in replaced:
            return replaced[id(value)]
        return value if outer is None else outer(value)

    return substitute


def _met(tape: Tape) -> list[Any]:
    """The values of other transforms that the operations ``tape`` recorded met unlifted."""
    met = []
    for _, primals, _, _, parents, _ in tape.entries:
        met += [x for x, p in zip(primals, parents, strict=True) if p is None and _foreign(x, tape)]
    return met


def _foreign(x: Any, tape: Tape) -> bool:
    """Whether ``x`` is a value of another transform than ``tape``'s."""
    return type(x) in TRACED_TYPES and not (type(x) is Node and x._trace is tape)
