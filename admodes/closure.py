"""``closure_convert``: a function's closed-over traced values made explicit arguments, as
``jax.closure_convert`` does, for custom rules that must see every value they differentiate in.

The function is recorded once on a tape with the example arguments as its inputs. The values of
other transforms that its operations meet (a parameter it closes over, or a value computed from
one before the call) are the constants it closes over; the converted function replays the
recorded operations on new arguments and new constants, so it differentiates in both. As in JAX,
the function must be pure and its values must decide nothing: a comparison or truth value of a
traced value, or an operation without a derivative (argmax, sign) on one, raises
:class:`admodes.core.ConcretizationError` while it is recorded, since a replay would keep the
example's outcome.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from admodes import core
from admodes.core import TRACED_TYPES
from admodes.reverse import Node, Tape, trace_on_new_tape
from admodes.tree import flatten, unflatten

__all__ = ["closure_convert"]


def closure_convert(fun: Callable[..., Any], *example_args: Any) -> tuple[Callable[..., Any], list]:
    """``(converted, consts)``: ``converted(*args, *consts)`` is ``fun(*args)`` for arguments of
    the example's structure, with the traced values ``fun`` closes over passed explicitly."""
    leaves, treedef = flatten(example_args)
    nums = tuple(range(len(example_args)))
    core.recording_for_replay += 1
    try:
        tape, out, _ = trace_on_new_tape(
            fun, example_args, nums, leaves, treedef, has_aux=False, name="closure_convert"
        )
    finally:
        core.recording_for_replay -= 1
    out_leaves, out_def = flatten(out)
    consts: dict[int, Any] = {}  # id → the value, kept alive so that its id stays its own
    for prim, primals, _, _, parents, index in tape.entries:
        if type(index) is not int:
            raise TypeError(
                f"closure_convert cannot replay {prim.name} (a checkpointed or custom function's "
                "step); convert the function without it"
            )
        for x, p in zip(primals, parents, strict=True):
            if p is None and type(x) in TRACED_TYPES:
                consts.setdefault(id(x), x)
    for o in out_leaves:
        if not _on(o, tape) and type(o) in TRACED_TYPES:
            consts.setdefault(id(o), o)
    found = list(consts.values())

    def converted(*args_and_consts: Any) -> Any:
        args, given = args_and_consts[: len(nums)], args_and_consts[len(nums) :]
        if len(given) != len(found):
            raise TypeError(
                f"the converted function takes {len(nums)} arguments and {len(found)} constants, "
                f"got {len(args_and_consts)} values"
            )
        arg_leaves, arg_def = flatten(args)
        if arg_def != treedef:
            raise ValueError("the converted function takes arguments of the example's structure")
        replaced = {id(c): g for c, g in zip(found, given, strict=True)}
        values: list[Any] = [None] * tape.n_nodes
        values[: len(arg_leaves)] = arg_leaves  # the inputs are the tape's first nodes
        for prim, primals, params, _, parents, index in tape.entries:
            call = [
                replaced.get(id(x), x) if p is None else values[p]
                for x, p in zip(primals, parents, strict=True)
            ]
            values[index] = prim(*call, **params)
        return unflatten(
            out_def,
            [values[o.index] if _on(o, tape) else replaced.get(id(o), o) for o in out_leaves],
        )

    return converted, found


def _on(x: Any, tape: Tape) -> bool:
    return type(x) is Node and x._trace is tape
