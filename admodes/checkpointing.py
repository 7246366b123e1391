"""Gradient checkpointing: trade recomputation for the memory reverse mode keeps.

``checkpoint(f)`` (like ``jax.checkpoint``): under reverse mode f's intermediates are not saved;
f is re-run, recorded, during the backward pass. ``iterate(step, x0, n)`` applies ``step`` n times
and, under reverse mode, follows a schedule:

============  ==========================  ===========================================
schedule      states saved for backward   step advances (unrecorded executions)
============  ==========================  ===========================================
store_all     n (every step's residuals)  0
sqrt          ⌈√n⌉ segment starts + one   n (the forward sweep; each segment is re-run
              segment's residuals          once, recorded, in the backward pass)
binomial      s snapshots + one step's    t(n, s) = r·n − β(s+1, r−1), the Revolve
              residuals                    optimum (Griewank & Walther 2000)
============  ==========================  ===========================================

Both work on the innermost tape: the one a traced argument belongs to, or the tape whose
function is being recorded (so a step may close over traced parameters). While f runs without
recording, the tape *substitutes* its nodes: by their values (remembering which were used, the
record's parents) in the forward pass, by inputs of a fresh sub-tape when f is re-run for the
backward pass. Forward mode passes straight through.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from admodes import counting
from admodes.arguments import (
    as_names,
    inexact_dtype,
    interleaved,
    split_at,
    strip,
    unwrapped,
    with_keywords,
)
from admodes.core import TRACED_TYPES, Trace, Traced
from admodes.derivatives import summed
from admodes.forward import jvp
from admodes.registry import Primitive, bind, substituted, substitution, zero_cost
from admodes.reverse import RECORDING, Node, SavedBuffers, Tape
from admodes.rules.shape import named
from admodes.schedules import binomial_actions, sqrt_segments, validate_schedule_args
from admodes.tree import TreeDef, flatten, unflatten

__all__ = ["checkpoint", "checkpoint_name", "iterate"]


def _target(tree: Any) -> tuple[Any, Tape | None]:
    """``tree`` with active substitutions applied, and the tape to checkpoint on.

    The tape is the innermost trace among the leaves and the tape being recorded; there is
    none when that trace is forward mode, or a tape running unrecorded (then f just runs).
    """
    leaves, treedef = _substituted_leaves(tree)
    top = RECORDING[-1] if RECORDING else None
    for leaf in leaves:
        if type(leaf) in TRACED_TYPES and (top is None or leaf._trace.level > top.level):
            top = leaf._trace
    if not isinstance(top, Tape) or top.substitute is not None:
        top = None
    return unflatten(treedef, leaves), top


def _substituted_leaves(tree: Any) -> tuple[list[Any], TreeDef]:
    """The leaves of ``tree`` after every active substitution, as the dispatch treats an op's
    arguments, and its tree definition.

    Applied to the arguments of a checkpointed call, and to what ``fun`` returns while its
    tape substitutes: an output ``fun`` passes through unchanged (an input, a closed-over traced
    value) met no op, so nothing substituted it; here it becomes an evaluated value (a
    remembered parent) in the forward pass, a lifted sub-tape input in the re-run.
    """
    leaves, treedef = flatten(tree)
    return [substituted(leaf) for leaf in leaves], treedef


class _Evaluation(Trace):
    """A trace that only evaluates: an unrecorded run keeps its values wrapped, so that Python
    operators still dispatch to the registry and ``count()`` sees every op."""

    __slots__ = ()

    def derive(self, prim: Primitive, args: tuple, primals: tuple, out: Any, params: dict) -> Any:
        return _Evaluated(out, self)


class _Evaluated(Traced):
    __slots__ = ("_trace", "primal")

    def __init__(self, primal: Any, trace: _Evaluation) -> None:
        self.primal = primal
        self._trace = trace


TRACED_TYPES.add(_Evaluated)


class _Unrecorded:
    """Runs a function without recording on ``tape``: the tape's nodes it meets are replaced by
    their (evaluated) values and remembered, they are the parents of the step recorded instead."""

    def __init__(self, tape: Tape) -> None:
        self.tape = tape
        self.evaluation = _Evaluation()
        self.nodes: dict[int, Node] = {}

    def _substitute(self, node: Node) -> _Evaluated:
        self.nodes.setdefault(node.index, node)
        return _Evaluated(node.primal, self.evaluation)

    def run(self, fun: Callable[..., Any], *args: Any) -> Any:
        """``fun(*args)`` evaluated, every op counted, nothing recorded; plain outputs (an output
        that is one of the tape's nodes passed through is its value, and a parent). Plain float
        and complex arguments are wrapped, so that their ops are counted too; any other plain
        argument (an integer index, a flag) reaches ``fun`` as it is, as without the checkpoint.
        """
        leaves, treedef = flatten(args)
        wrapped = unflatten(
            treedef,
            [
                _Evaluated(v, self.evaluation)
                if type(v) not in TRACED_TYPES and inexact_dtype(v) is not None
                else v
                for v in leaves
            ],
        )
        with substitution(self.tape, self._substitute):
            out_leaves, out_def = _substituted_leaves(fun(*wrapped))
        return unflatten(out_def, [unwrapped(v, self.evaluation) for v in out_leaves])


class _SubTape:
    """A fresh tape whose inputs stand in for an outer tape's nodes (and for a state's leaves).

    It reaches the outer tape through a weak reference: records must not keep their own tape
    alive (a cycle would hold every residual until the cyclic garbage collector runs).
    """

    def __init__(self, outer: Tape) -> None:
        self._outer = weakref.ref(outer)
        self.tape = Tape()
        self.lifted: dict[int, Node] = {}
        self.outer_values: dict[int, Any] = {}

    def lift(self, node: Node) -> Node:
        """The sub-tape input standing for the outer tape's ``node`` (made on first use)."""
        if node.index not in self.lifted:
            self.lifted[node.index] = self.tape.input(node.primal)
            self.outer_values[node.index] = node.primal
        return self.lifted[node.index]

    @contextmanager
    def lifting(self) -> Iterator[None]:
        """The outer tape's nodes become this tape's inputs: while ``fun`` is recorded, and while
        its cotangents are pulled back (a checkpoint nested inside re-runs then)."""
        outer = self._outer()
        assert outer is not None, "a sub-tape outlived the tape it records for"
        with substitution(outer, self.lift):
            yield

    def run(self, fun: Callable[..., Any], *args: Any) -> Any:
        """``fun(*args)`` recorded on the sub-tape. An output that is an outer node passed through
        is returned lifted, so that :meth:`backward` seeds it (its cotangent is the lifted one's).
        """
        RECORDING.append(self.tape)
        try:
            with self.lifting():
                leaves, treedef = _substituted_leaves(fun(*args))
            return unflatten(treedef, leaves)
        finally:
            RECORDING.pop()

    def backward(self, out: Any, cts: tuple, wanted: list[Node], consume: bool) -> list[Any]:
        """Cotangents of ``wanted`` sub-tape nodes given the output leaves' cotangents."""
        seeds = [
            (o.index, c)
            for o, c in zip(flatten(out)[0], cts, strict=True)
            if c is not None and type(o) is Node and o._trace is self.tape
        ]
        with self.lifting():
            return self.tape.backward(seeds, [n.index for n in wanted], consume)

    def lifted_cotangents(self, cts: list[Any]) -> dict[int, Any]:
        """Outer node index → cotangent, for the lifted nodes (``cts`` in ``lifted`` order)."""
        return dict(zip(self.lifted, cts, strict=True))


class _Slot:
    """A node of the recording tape, kept by index and primal (not by reference: no cycle)."""

    __slots__ = ("index", "primal")

    def __init__(self, node: Node) -> None:
        self.index = node.index
        self.primal = node.primal


def _to_slots(tree: Any, tape: Tape) -> Any:
    leaves, treedef = flatten(tree)
    return unflatten(
        treedef, [_Slot(v) if type(v) is Node and v._trace is tape else v for v in leaves]
    )


def _from_slots(tree: Any, tape: Tape) -> Any:
    leaves, treedef = flatten(tree)
    return unflatten(
        treedef, [Node(v.primal, v.index, tape) if type(v) is _Slot else v for v in leaves]
    )


def _record_on(
    tape: Tape,
    parents: dict[int, Any],
    saved: list[Any],
    out: Any,
    joint_vjp: Callable[..., list[Any]],
    joint_jvp: Callable[..., list[Any]] | None = None,
) -> Any:
    """Record one multi-output step on ``tape`` (parents: node index → value); its outputs
    become nodes. ``joint_vjp(g, ans, *vals)`` returns one cotangent per parent, in order;
    ``joint_jvp(ts, ans, *vals)``, for ``linearize``, one tangent per output."""
    leaves, treedef = flatten(out)
    if not parents:
        return out
    prim = Primitive(
        "checkpoint", lambda *a: None, cost=zero_cost, joint_vjp=joint_vjp, joint_jvp=joint_jvp
    )
    indices = [*parents, *(None for _ in saved)]
    return unflatten(
        treedef, tape.append_step(prim, [*parents.values(), *saved], indices, tuple(leaves))
    )


# ------------------------------------------------------------------------------------ checkpoint
def checkpoint(
    fun: Callable[..., Any],
    *,
    prevent_cse: bool = True,
    policy: Callable[..., bool] | None = None,
    static_argnums: int | tuple[int, ...] = (),
    static_argnames: str | Iterable[str] = (),
) -> Callable[..., Any]:
    """``fun`` whose intermediates reverse mode does not save: it is re-run in the backward pass.

    Gradients are those of ``fun`` itself; checkpoints nest; forward mode passes straight through.
    As in JAX, the positional arguments ``static_argnums`` (an int or a tuple of ints, negative
    ones counted from the end) reach ``fun`` as they are given, not as the checkpoint's inputs,
    so an int, a flag or a function there can steer Python control flow; a traced value there
    is closed over and still differentiated, as JAX's is. The keyword arguments
    ``static_argnames`` names (a name or several) are static: every keyword argument of a call
    reaches ``fun`` so here. ``prevent_cse`` is accepted for JAX's signature (nothing is
    compiled). A saving ``policy`` (:mod:`admodes.checkpoint_policies`, or any
    ``policy(prim, *args, **params) -> bool``) keeps the outputs it chooses as well: the forward
    pass records ``fun`` and keeps only those outputs and the inputs; the backward pass
    recomputes every other value from them, op by op, before sweeping back.
    """
    if policy is not None and not callable(policy):
        raise TypeError(
            "the policy argument to admodes.checkpoint must be a function policy(prim, *args, "
            "**params) -> bool, such as admodes.checkpoint_policies.dots_saveable, got "
            f"{policy!r}"
        )
    if policy is not None and _defined_in(policy).split(".")[0] == "jax":
        raise TypeError(
            f"the policy {policy!r} is JAX's: it reads JAX's primitives, so it would save "
            "nothing here; pass admodes.checkpoint_policies' policy of the same name"
        )
    if type(static_argnums) is int:
        static_argnums = (static_argnums,)
    if type(static_argnums) is not tuple or any(type(i) is not int for i in static_argnums):
        raise TypeError(
            "the static_argnums argument to admodes.checkpoint must be an int or a tuple of "
            f"ints, got {static_argnums!r}"
        )
    as_names(static_argnames, "static_argnames")  # checked: keyword arguments are static here

    @functools.wraps(fun)
    def checkpointed(*args: Any, **kwargs: Any) -> Any:
        call = with_keywords(fun, kwargs)  # traced keyword values: closed over, as any other
        if static_argnums:
            call, args = _with_static(call, args, static_argnums)
        args, tape = _target(args)
        if tape is None:
            return call(*args)
        if policy is None:
            return _checkpointed_call(tape, call, args, advances=0)
        return _call_with_policy(tape, call, args, policy)

    return checkpointed


def _defined_in(policy: Any) -> str:
    """The module that defines ``policy`` (a function, or an instance of a class)."""
    return getattr(policy, "__module__", None) or type(policy).__module__


def _with_static(
    fun: Callable[..., Any], args: tuple, static_argnums: tuple[int, ...]
) -> tuple[Callable[..., Any], tuple]:
    """(``fun`` with the arguments ``static_argnums`` bound as given, the other arguments)."""
    n = len(args)
    if not all(-n <= i < n for i in static_argnums):
        raise ValueError(
            "the static_argnums argument to admodes.checkpoint can only take integer values "
            "greater than or equal to -len(args) and less than len(args), but got "
            f"{static_argnums}, while len(args) = {n}"
        )
    positions = sorted({i % n for i in static_argnums})
    static, dynamic = split_at(args, positions)

    def with_static_args(*dynamic: Any) -> Any:
        return fun(*interleaved(positions, static, dynamic))

    return with_static_args, dynamic


def _checkpointed_call(tape: Tape, fun: Callable[..., Any], args: tuple, advances: int) -> Any:
    """``fun(*args)`` unrecorded now, recorded again when the backward pass reaches it."""
    unrecorded = _Unrecorded(tape)
    out = unrecorded.run(fun, *args)
    counting.add_step_advances(advances)
    parents = {i: node.primal for i, node in unrecorded.nodes.items()}
    indices = list(parents)
    slots = _to_slots(args, tape)
    tape_ref = weakref.ref(tape)

    def joint_vjp(g: tuple, ans: tuple, *vals: Any) -> list[Any]:
        outer = tape_ref()
        sub = _SubTape(outer)
        re_out = sub.run(fun, *_from_slots(slots, outer))
        lifted = sub.lifted_cotangents(sub.backward(re_out, g, list(sub.lifted.values()), True))
        return [lifted.get(i) for i in indices]

    return _record_on(tape, parents, [], out, joint_vjp, _tangent_map(tape, fun, slots, indices))


def _tangent_map(tape: Tape, fun: Callable[..., Any], slots: Any, indices: list[int]) -> Callable:
    """A checkpoint step's ``joint_jvp``: ``fun`` re-run in forward mode on the arguments kept as
    ``slots``, each node of ``tape`` it meets (the step's parents, ``indices``, its first inputs)
    carrying the tangent given for it, ṫ_out = J·ṫ_parents."""
    tape_ref = weakref.ref(tape)

    def joint_jvp(ts: list[Any], ans: tuple, *vals: Any) -> list[Any]:
        outer = tape_ref()

        def of_parents(*values: Any) -> list[Any]:
            by_index = dict(zip(indices, values, strict=True))
            with substitution(outer, lambda node: by_index[node.index]):
                return _substituted_leaves(fun(*_from_slots(slots, outer)))[0]

        n = len(indices)
        return jvp(of_parents, vals[:n], tuple(ts[:n]))[1]

    return joint_jvp


def _call_with_policy(tape: Tape, fun: Callable[..., Any], args: tuple, policy: Any) -> Any:
    """``fun(*args)`` recorded on a sub-tape, of which only the inputs and the outputs ``policy``
    saves are kept; the backward pass recomputes the others from them, op by op (no Python
    re-run), then sweeps the sub-tape."""
    slots = _to_slots(args, tape)
    sub = _SubTape(tape)
    out = sub.run(fun, *args)
    template = _thinned(sub.tape, policy)
    parents = dict(sub.outer_values)
    indices = list(parents)
    kept = [v for _, _, _, out, _, index in template if out is not None for v in _each(out, index)]
    out_leaves, out_def = flatten(out)

    def joint_vjp(g: tuple, ans: tuple, *vals: Any) -> list[Any]:
        inputs = {node.index: sub.outer_values[i] for i, node in sub.lifted.items()}
        if counting.active:  # the kept outputs are this step's, charged to the recording tape
            sub.tape.saved = SavedBuffers()
            sub.tape.saved.share(tuple(kept))
        sub.tape.entries = _replayed(template, inputs, sub.tape)
        try:
            cts = sub.backward(out, g, list(sub.lifted.values()), True)
        finally:
            sub.tape.entries, sub.tape.saved = [], None  # the recomputed values are released
        lifted = sub.lifted_cotangents(cts)
        return [lifted.get(i) for i in indices]

    plain_out = unflatten(out_def, [unwrapped(v, sub.tape) for v in out_leaves])
    tangents = _tangent_map(tape, fun, slots, indices)
    return _record_on(tape, parents, kept, plain_out, joint_vjp, tangents)


def _thinned(tape: Tape, policy: Any) -> list[tuple]:
    """The tape's entries, taken from it, keeping the constants among their inputs and the
    outputs ``policy`` saves (a step of several outputs, a nested checkpoint or custom rule,
    is kept whole, and a saved ``checkpoint_name`` keeps its input's entry too: the same value);
    None stands for every value the backward pass recomputes."""
    entries, tape.entries, tape.saved = tape.entries, [], None  # the forward's values released
    position = {e[5]: k for k, e in enumerate(entries) if type(e[5]) is int}
    saved = [
        type(index) is not int or bool(policy(prim, *primals, **params))
        for prim, primals, params, _, _, index in entries
    ]
    for k in reversed(range(len(entries))):  # last first: a name of a name keeps both
        prim, _, _, _, parents, _ = entries[k]
        if saved[k] and prim is named and parents[0] in position:
            saved[position[parents[0]]] = True
    return [
        (
            prim,
            tuple(None if p is not None else x for x, p in zip(primals, parents, strict=True)),
            params,
            out if keep else None,
            parents,
            index,
        )
        for (prim, primals, params, out, parents, index), keep in zip(entries, saved, strict=True)
    ]


def _replayed(template: list[tuple], inputs: dict[int, Any], tape: Tape) -> list[tuple]:
    """The thinned entries made whole again: each input from the node it came from, each output
    not saved recomputed by its primitive, in recording order (charged to ``count()``; what the
    entries hold is charged to the tape's saved bytes, as a re-run's recording is)."""
    values: dict[int, Any] = dict(inputs)
    entries = []
    for prim, constants, params, out, parents, index in template:
        primals = tuple(
            c if p is None else values[p] for c, p in zip(constants, parents, strict=True)
        )
        if out is None:
            out = bind(prim, *primals, **params)
        values.update(zip(_each(index, index), _each(out, index), strict=True))
        if counting.active:  # what the entry holds, as a re-run's recording is charged
            tape.count_saved((*primals, *_each(out, index)))
        entries.append((prim, primals, params, out, parents, index))
    return entries


def _each(value: Any, index: int | tuple) -> tuple:
    """An entry's output (or its node ``index``) as a tuple: one, or a step's several."""
    return (value,) if type(index) is int else tuple(value)


def checkpoint_name(x: Any, name: str) -> Any:
    """x (each leaf of a pytree) marked with ``name``, for a checkpoint's saving policy
    (:func:`admodes.checkpoint_policies.save_only_these_names` and its relatives), as JAX's
    ``jax.ad_checkpoint.checkpoint_name``; the identity to every transform."""
    if not isinstance(name, str):
        raise TypeError(f"checkpoint_name: name must be a string, got {name!r}")
    leaves, treedef = flatten(x)
    return unflatten(treedef, [named(leaf, name=name) for leaf in leaves])


# ------------------------------------------------------------------------------------ iterate
def iterate(
    step: Callable[[Any], Any],
    x0: Any,
    n_steps: int,
    schedule: str = "store_all",
    snapshots: int | None = None,
) -> Any:
    """The state after ``n_steps`` applications of ``step`` to ``x0`` (a float, array or pytree).

    Under reverse mode the backward pass follows ``schedule``: ``"store_all"`` records every step,
    ``"sqrt"`` keeps ⌈√n⌉ segment starts and re-runs each segment once, ``"binomial"`` keeps
    ``snapshots`` states (the initial one included) and recomputes the provably fewest steps.
    """
    snapshots = validate_schedule_args(n_steps, schedule, snapshots)
    x0, tape = _target(x0)
    if tape is None or schedule == "store_all" or n_steps == 0:
        x = x0
        for _ in range(n_steps):
            x = step(x)
        return x
    if schedule == "sqrt":
        x = x0
        for length in sqrt_segments(n_steps):
            x = _checkpointed_call(tape, _repeated(step, length), (x,), advances=length)
        return x
    return _binomial(tape, step, x0, n_steps, snapshots)


def _repeated(step: Callable[[Any], Any], times: int) -> Callable[[Any], Any]:
    def run(x: Any) -> Any:
        for _ in range(times):
            x = step(x)
        return x

    return run


def _advance(unrecorded: _Unrecorded, step: Callable[[Any], Any], x: Any, times: int) -> Any:
    """``times`` unrecorded steps from state ``x`` (Revolve's advances)."""
    counting.add_step_advances(times)
    return unrecorded.run(_repeated(step, times), x)


class _RecordedStep:
    """One step recorded on a sub-tape, ready to pull a cotangent back through it."""

    def __init__(self, tape: Tape, step: Callable[[Any], Any], state: Any) -> None:
        leaves, treedef = flatten(state)
        self.sub = _SubTape(tape)
        self.inputs = self.sub.tape.inputs(leaves)
        self.out = self.sub.run(step, unflatten(treedef, self.inputs))
        self.treedef = treedef

    def pull(self, ct_next: tuple, consume: bool) -> tuple[list[Any], dict[int, Any]]:
        """(cotangent of the step's input state leaves, outer node index → cotangent)."""
        wanted = self.inputs + list(self.sub.lifted.values())
        cts = self.sub.backward(self.out, ct_next, wanted, consume)
        k = len(self.inputs)
        return cts[:k], self.sub.lifted_cotangents(cts[k:])


def _binomial(tape: Tape, step: Callable[[Any], Any], x0: Any, n: int, s: int) -> Any:
    """Revolve: the forward sweep stores snapshots as the schedule says and records the last
    step (Revolve's first turn); the backward pass runs the rest of the schedule."""
    actions = binomial_actions(n, s)  # a generator: the schedule is never held whole
    x0_index = [v.index if type(v) is Node and v._trace is tape else None for v in flatten(x0)[0]]
    forward = _Unrecorded(tape)
    stored: dict[int, Any] = {}
    current = _run_actions(forward, actions, step, strip(x0, tape), stored)
    first_turn: list[_RecordedStep] = [_RecordedStep(tape, step, current)]
    out_leaves, out_def = flatten(strip(first_turn[0].out, first_turn[0].sub.tape))
    parents = {i: node.primal for i, node in forward.nodes.items()}
    parents.update(first_turn[0].sub.outer_values)
    parents.update({i: v.primal for i, v in _x0_nodes(flatten(x0)[0], tape).items()})
    indices = list(parents)
    tape_ref = weakref.ref(tape)

    def joint_vjp(g: tuple, ans: tuple, *vals: Any) -> list[Any]:
        outer = tape_ref()
        unrecorded = _Unrecorded(outer)
        nonlocal actions
        if first_turn:  # the step recorded in the forward sweep: used once, then released
            last = first_turn.pop()
        else:  # a second call: rebuild x_{n-1} from the last forward snapshot
            start = max(stored)
            last = _RecordedStep(
                outer, step, _advance(unrecorded, step, stored[start], n - 1 - start)
            )
            actions = binomial_actions(n, s)
            _run_actions(None, actions, step, None, {})  # skip the forward sweep's actions
        params: dict[int, Any] = {}
        ct, lifted = last.pull(g, consume=True)
        del last
        _accumulate(params, lifted.items())
        snaps = dict(stored)
        state: Any = None
        for action in actions:
            kind, i = action[0], action[1]
            if kind == "store":
                snaps[i] = state
            elif kind == "restore":
                state = snaps[i]
            elif kind == "free":
                snaps.pop(i, None)
            elif kind == "advance":
                state = _advance(unrecorded, step, state, action[2] - i)
            else:  # reverse step i: from x_i, pull ct(x_{i+1}) back to ct(x_i)
                ct, lifted = _RecordedStep(outer, step, state).pull(tuple(ct), consume=True)
                _accumulate(params, lifted.items())
        _accumulate(params, zip(x0_index, ct, strict=True))
        return [params.get(i) for i in indices]

    saved = [leaf for snap in stored.values() for leaf in flatten(snap)[0]]
    tangents = _tangent_map(tape, _repeated(step, n), _to_slots((x0,), tape), indices)
    return _record_on(tape, parents, saved, unflatten(out_def, out_leaves), joint_vjp, tangents)


def _run_actions(
    unrecorded: _Unrecorded | None,
    actions: Iterator[tuple],
    step: Callable[[Any], Any],
    state: Any,
    stored: dict,
) -> Any:
    """The forward sweep: the actions before Revolve's first turn (advances and stores), taken
    from ``actions`` up to and including that turn. Without ``unrecorded`` they are skipped."""
    for action in actions:
        if action[0] == "reverse":
            break
        if unrecorded is None:
            continue
        if action[0] == "store":
            stored[action[1]] = state
        else:
            state = _advance(unrecorded, step, state, action[2] - action[1])
    return state


def _x0_nodes(leaves: list[Any], tape: Tape) -> dict[int, Node]:
    return {v.index: v for v in leaves if type(v) is Node and v._trace is tape}


def _accumulate(into: dict[int, Any], more: Iterable[tuple[int | None, Any]]) -> None:
    """Add each ``(node index, cotangent)`` into ``into``, skipping None indices and cotangents.

    Pairs, not a dict: a node that is several leaves of the initial state (``(h, h)``) has one
    cotangent per leaf, and they sum.
    """
    for i, c in more:
        if i is not None and c is not None:
            into[i] = c if into.get(i) is None else summed(into[i], c)
