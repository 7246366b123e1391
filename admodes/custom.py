"""Derivatives the user defines: ``custom_jvp`` and ``custom_vjp``, with JAX's API and semantics.

``custom_jvp(f)`` with ``f.defjvp(rule)``, ``rule(primals, tangents) -> (out, tangent_out)``:
forward mode calls the rule in place of differentiating f's body; reverse mode pulls a cotangent
back through the rule's tangent map, which the rule must keep linear in the tangents:

    x̄ = (∂ rule_tangent / ∂ ẋ)ᵀ ȳ,    found by reverse mode over ẋ ↦ rule(x, ẋ)[1] at ẋ = 0.

``custom_vjp(f)`` with ``f.defvjp(fwd, bwd)``, ``fwd(*args) -> (out, residuals)`` and
``bwd(residuals, ȳ) -> (x̄ per argument)``: reverse mode records one step whose backward pass is
``bwd``; forward mode refuses it, as JAX does. ``custom_gradient(f)``, ``f(*args) -> (out,
rule)`` with ``rule(ȳ) -> x̄``, is the custom_vjp whose ``fwd`` is f itself and whose residual is
the rule (JAX's ``custom_gradient``).

Each transform applies the rule at its own level, innermost first, as every primitive is
dispatched: the rule runs on the values of the levels beneath, which trace its operations as they
trace any others (so a rule written with ``admodes.numpy`` differentiates again: ``hessian`` of a
``custom_jvp`` function works). Arguments named by ``nondiff_argnums``, or by name in
``nondiff_argnames`` (resolved to positions by the function's signature, as JAX does), are not
differentiated and come first in the rules' arguments, in the order of their positions; they
must not be traced (pass arrays as ordinary arguments). A call's keyword arguments are resolved
to positions by the signature too. A rule that uses a value of the transform applying it
without being given it as an argument (a closure), or a body that returns a traced value when no
argument is traced, would lose that value's derivative: it gets a TypeError instead, as in JAX.
(A rule's closure over an outer transform's value is differentiated by that transform as any
other operation.)
"""

from __future__ import annotations

import functools
import inspect
import weakref
from collections.abc import Callable, Iterable, Sequence
from contextlib import AbstractContextManager
from typing import Any

import numpy as np

from admodes import counting, registry, tree
from admodes.arguments import (
    FLOAT0,
    in_dtype,
    interleaved,
    is_integer_input,
    like_input,
    positions_of,
    split_at,
    zeros_like_value,
)
from admodes.batching import Mapped, MapTrace, holds_numbers, mapped_by, vmap
from admodes.core import Trace, Traced, UnexpectedTracerError, dtype_of, is_python_float, shape
from admodes.derivatives import summed
from admodes.forward import Dual, ForwardTrace, counted_dual
from admodes.registry import (
    Primitive,
    innermost_trace,
    primals_of,
    substituted,
    substitution,
    zero_cost,
)
from admodes.reverse import Node, Tape, vjp
from admodes.rules import broadcasting
from admodes.rules.shape import batch_ndim
from admodes.tree import TreeDef, describe, flatten, leaves_by_prefix, unflatten

__all__ = ["custom_gradient", "custom_jvp", "custom_vjp"]

#: The tapes recording a JVP rule over its tangents (to transpose it) while the rule runs. A
#: custom function the rule applies to the tangents runs its body there: without this, the
#: custom function would transpose its own rule on a new tape, and so on without end.
_TANGENT_TAPES: weakref.WeakSet[Tape] = weakref.WeakSet()


def _only_numbers(leaves: list, trace: MapTrace) -> bool:
    """Whether every traced leaf is a value of the vmap call ``trace`` holding plain numbers (no
    transform beneath vmap traces any of them)."""
    return all(
        mapped_by(leaf, trace) and holds_numbers(leaf)
        for leaf in leaves
        if isinstance(leaf, Traced)
    )


class _Batch:
    """A custom function's call on values of the vmap call ``trace`` (see
    :meth:`_CustomFunction._batched`): which differentiated leaves it maps (``axes``: 0, or None
    for a leaf shared by every index), and how to map a rule over them."""

    def __init__(
        self,
        function: _CustomFunction,
        trace: MapTrace,
        nondiff: list,
        leaves: list,
        treedef: TreeDef,
    ) -> None:
        self.function = function
        self.trace = trace
        self.nondiff = nondiff
        self.treedef = treedef
        self.axes = [0 if mapped_by(leaf, trace) else None for leaf in leaves]

    def tree(self, leaves: Sequence[Any]) -> tuple:
        """The differentiated arguments from their leaves."""
        return unflatten(self.treedef, leaves)

    def at_one_index(self, fn: Callable[..., Any]) -> Callable[..., Any]:
        """``fn`` (the body, or fwd) of the differentiated leaves at one index."""
        return lambda *leaves: fn(*self.function._merge(self.nondiff, self.tree(leaves)))

    def body(self) -> Callable[..., Any]:
        """The function's body, mapped: of the stacks, as :meth:`_CustomFunction._batched`
        calls it."""
        return self.mapped(self.at_one_index(self.function.fun), self.axes)

    def mapped(self, fn: Callable[..., Any], in_axes: Any) -> Callable[..., Any]:
        """``fn`` mapped along the trace's axis (its name and length) over ``in_axes``, named as
        the custom function (for its errors)."""
        mapped = vmap(fn, in_axes, axis_name=self.trace.name, axis_size=self.trace.size)
        mapped.__name__ = self.function.name
        return mapped


class _CustomFunction:
    """What ``custom_jvp`` and ``custom_vjp`` share: the function, its non-differentiated
    arguments, and the dispatch of a call to the innermost transform among its arguments."""

    kind = "custom function"

    def __init__(
        self,
        fun: Callable[..., Any],
        nondiff_argnums: Sequence[int] = (),
        nondiff_argnames: str | Iterable[str] = (),
    ) -> None:
        """``nondiff_argnums`` and the positions of the parameters ``nondiff_argnames`` name
        (JAX's rule: :func:`admodes.arguments.positions_of`) are the non-differentiated
        arguments, sorted, each once."""
        functools.update_wrapper(self, fun)
        self.fun = fun
        names = positions_of(fun, nondiff_argnames, "nondiff_argnames")
        self.nondiff_argnums = tuple(sorted({int(i) for i in nondiff_argnums} | names))
        self.name = getattr(fun, "__name__", repr(fun))
        self._n_positional = _positional_count(fun)

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        args = self._positional(args, kwargs)
        self._check_defined()
        nondiff, diff = self._split(args)
        leaves, treedef = flatten(diff)
        if registry.substituting:
            leaves = [substituted(leaf) for leaf in leaves]
        trace = innermost_trace(leaves)
        if trace is not None and trace.finished:
            raise UnexpectedTracerError()
        if trace is not None and trace.processes:  # vmap's values
            if _only_numbers(leaves, trace):  # no transform beneath: the body, on its numbers
                return self.fun(*self._merge(nondiff, unflatten(treedef, leaves)))
            return self._batched(trace, nondiff, leaves, treedef)
        primal_leaves = primals_of(leaves, trace)
        if isinstance(trace, ForwardTrace):
            return self._forward(trace, nondiff, leaves, primal_leaves, treedef)
        if isinstance(trace, Tape):
            if trace not in _TANGENT_TAPES:
                return self._reverse(trace, nondiff, leaves, primal_leaves, treedef)
            self._check_on_tangents()
        # No transform, one that only evaluates, or a tape that only transposes a JVP rule (a
        # custom function applied to its tangents is linear there, as in JAX): the body.
        out = self.fun(*self._merge(nondiff, unflatten(treedef, leaves)))
        if trace is None and any(isinstance(leaf, Traced) for leaf in flatten(out)[0]):
            raise self._closure_error("body")  # traced, though none of its arguments is
        return out

    def _batched(self, trace: MapTrace, nondiff: list, leaves: list, treedef: TreeDef) -> Any:
        """The call on values of the vmap call ``trace`` that a transform beneath it traces, as
        JAX batches a custom function: one call, on the stacks, of a custom function whose body
        and rules are this one's mapped by vmap (:meth:`_of_stacks`). A leaf that vmap does not
        map is shared by every index (the mapped rules sum its cotangent over them)."""
        batch = _Batch(self, trace, nondiff, leaves, treedef)
        stacks = [
            leaf.stack if ax == 0 else leaf for leaf, ax in zip(leaves, batch.axes, strict=True)
        ]
        out = self._of_stacks(batch)(*stacks)
        return tree.map(lambda o: Mapped(o, trace), out)

    def _of_stacks(self, batch: _Batch) -> _CustomFunction:
        """The custom function of the stacks (one argument per differentiated leaf: the stack
        where ``batch.axes`` says 0, the shared value where None) that :meth:`_batched` calls:
        its body and rules this one's, mapped by ``batch``."""
        raise NotImplementedError

    def _positional(self, args: tuple, kwargs: dict) -> tuple:
        """The call's arguments by position, as JAX resolves them: keywords by the signature,
        and the defaults of positional parameters left out filled in (keyword-only parameters
        keep theirs, unless given: then they cannot be given positions, a TypeError)."""
        if not kwargs and len(args) >= self._n_positional:
            return args
        bound = inspect.signature(self.fun).bind(*args, **kwargs)
        bound.apply_defaults()
        given = sorted(k for k in bound.kwargs if k in kwargs)
        if given:
            raise TypeError(
                f"{self.kind} {self.name}: keyword-only arguments {given} cannot be given "
                "positions; make them positional parameters"
            )
        return bound.args

    def _split(self, args: tuple) -> tuple[list[Any], tuple]:
        """(the non-differentiated arguments, checked untraced; the differentiated ones)."""
        for i in self.nondiff_argnums:
            if i >= len(args):
                raise ValueError(
                    f"{self.kind} {self.name}: nondiff_argnums names argument {i}, but the call "
                    f"has {len(args)} positional arguments"
                )
            if any(isinstance(leaf, Traced) for leaf in flatten(args[i])[0]):
                raise TypeError(
                    f"{self.kind} {self.name}: argument {i} is in nondiff_argnums (or named in "
                    "nondiff_argnames) but is traced by a transform. Those are for values that "
                    "are not differentiated (functions, shapes, flags); pass an array as an "
                    "ordinary argument and give its derivative (or None) in the rule."
                )
        return split_at(args, self.nondiff_argnums)

    def _merge(self, nondiff: list[Any], diff: tuple) -> tuple:
        """The arguments in the order of the call, from the two groups of :meth:`_split`."""
        return interleaved(self.nondiff_argnums, nondiff, diff)

    def _guard(self, trace: Trace, rule: str) -> AbstractContextManager[None]:
        """While a rule runs, a value of ``trace`` it meets is a closure: refuse it."""

        def refuse(value: Traced) -> Any:
            raise self._closure_error(rule)

        return substitution(trace, refuse)

    def _closure_error(self, part: str) -> TypeError:
        return TypeError(
            f"the {part} of {self.kind} {self.name} uses a value that a transform "
            "differentiates but that is not one of its arguments (a closed-over value): the "
            "custom rule only gives derivatives with respect to the arguments, so that value's "
            "would be lost. Pass it to the function as an argument and give its derivative in "
            "the rule."
        )

    def _check_defined(self) -> None:
        raise NotImplementedError

    def _check_on_tangents(self) -> None:
        """Called where a JVP rule applies this function to its tangents (which then runs the
        function's body): nothing to check, unless a subclass refuses it."""

    def _forward(
        self, trace: ForwardTrace, nondiff: list, leaves: list, primals: list, treedef: TreeDef
    ) -> Any:
        """The call's output under forward mode: ``leaves`` are the differentiated arguments'
        leaves, ``primals`` the same with ``trace``'s values unwrapped."""
        raise NotImplementedError

    def _reverse(
        self, tape: Tape, nondiff: list, leaves: list, primals: list, treedef: TreeDef
    ) -> Any:
        """The call's output under reverse mode, recorded on ``tape`` (as :meth:`_forward`)."""
        raise NotImplementedError


class custom_jvp(_CustomFunction):
    """A function whose derivative is the JVP rule given by :meth:`defjvp` (or :meth:`defjvps`)."""

    kind = "custom_jvp function"
    #: The rule :meth:`defjvp` gives (None until then).
    jvp: Callable[..., tuple] | None = None

    def defjvp(
        self, jvp: Callable[..., tuple], symbolic_zeros: bool = False
    ) -> Callable[..., tuple]:
        """Set the rule ``jvp(*nondiff_args, primals, tangents) -> (out, tangent_out)``:
        ``primals`` and ``tangents`` are tuples of the differentiated arguments and their
        tangents (zeros for a constant), ``tangent_out`` has the structure and shapes of ``out``
        and is linear in ``tangents``. Returns ``jvp``, so it works as a decorator. With JAX's
        ``symbolic_zeros=True`` a rule is written to take JAX's ``SymbolicZero`` for a constant's
        tangent; admodes passes it zeros of the argument's shape, which such a rule computes with
        as with any tangent (only its shortcut for a zero is not taken)."""
        self.jvp = jvp
        return jvp

    def defjvps(self, *jvps: Callable[..., Any] | None) -> None:
        """Set the rule by one term per argument: ``jvps[i](t, out, *primals)`` is argument i's
        contribution to the output tangent (None: it contributes nothing)."""
        if self.nondiff_argnums:
            raise TypeError("defjvps takes no nondiff_argnums; use defjvp")

        def jvp(primals: tuple, tangents: tuple) -> tuple:
            out = self(*primals)
            terms = [
                rule(t, out, *primals)
                for rule, t in zip(jvps, tangents, strict=True)
                if rule is not None
            ]
            if not terms:
                return out, tree.map(zeros_like_value, out)
            return out, functools.reduce(lambda a, b: tree.map(summed, a, b), terms)

        self.defjvp(jvp)

    def _check_defined(self) -> None:
        if self.jvp is None:
            raise AttributeError(
                f"No JVP defined for custom_jvp function {self.name}: define one with "
                f"{self.name}.defjvp(rule)"
            )

    def _rule(self, nondiff: list, primals: tuple, tangents: tuple) -> tuple[Any, list, TreeDef]:
        """(out, the leaves of tangent_out, out's tree definition) from the rule, checked."""
        result = self.jvp(*nondiff, primals, tangents)
        if not (isinstance(result, tuple | list) and len(result) == 2):
            raise TypeError(
                f"the JVP rule of custom_jvp function {self.name} must return a pair "
                f"(primal_out, tangent_out), got {type(result).__name__}"
            )
        out, t_out = result
        out_leaves, out_def = flatten(out)
        t_leaves, t_def = flatten(t_out)
        if t_def != out_def:
            raise TypeError(
                f"the JVP rule of custom_jvp function {self.name} returned a primal output of "
                f"structure {describe(out_def)} and a tangent of structure {describe(t_def)}; "
                "they must match"
            )
        # Another precision (float32 for float64) is converted, where JAX raises: admodes' zero
        # tangent of a constant Python float is a float64, where JAX's is weakly typed. An
        # integer output's float0 tangent becomes a zero of its dtype, a number every engine
        # takes (its output stays a constant).
        converted = []
        for o, t in zip(out_leaves, t_leaves, strict=True):
            o_kind, t_kind = dtype_of(o).kind, dtype_of(t).kind
            if o_kind in "iub" and dtype_of(t) != FLOAT0:
                raise TypeError(
                    f"the JVP rule of custom_jvp function {self.name} returned a tangent of "
                    f"dtype {dtype_of(t)} for a primal output of dtype {dtype_of(o)}: an "
                    "integer or bool output's tangent is zeros of dtype float0 (as in JAX); "
                    f"return np.zeros({shape(o)}, admodes.float0)"
                )
            if shape(t) != shape(o):
                raise ValueError(
                    f"the JVP rule of custom_jvp function {self.name} returned a tangent of "
                    f"shape {shape(t)} for a primal output of shape {shape(o)}; they must match"
                )
            if o_kind in "fc" and t_kind != o_kind and not is_python_float(t):
                raise TypeError(
                    f"the JVP rule of custom_jvp function {self.name} returned a tangent of "
                    f"dtype {dtype_of(t)} for a primal output of dtype {dtype_of(o)}: a "
                    f"{'complex' if t_kind == 'c' else 'non-float'} tangent cannot be converted "
                    "to the output's type without changing it (JAX raises too); return one of "
                    "the output's dtype"
                )
            converted.append(zeros_like_value(o) if o_kind in "iub" else like_input(t, o))
        return out, converted, out_def

    def _of_stacks(self, batch: _Batch) -> _CustomFunction:
        """The mapped body, whose rule is the rule mapped over the primals and the tangents
        (a tangent is mapped where its primal is)."""
        of_stacks = custom_jvp(batch.body())

        def rule_at_one_index(primals: list, tangents: list) -> Any:
            diff, diff_tangents = batch.tree(primals), batch.tree(tangents)
            return self.jvp(*batch.nondiff, diff, diff_tangents)

        axes = (batch.axes, batch.axes)
        of_stacks.defjvp(lambda ps, ts: batch.mapped(rule_at_one_index, axes)(list(ps), list(ts)))
        return of_stacks

    def _forward(
        self, trace: ForwardTrace, nondiff: list, leaves: list, primals: list, treedef: TreeDef
    ) -> Any:
        """out and its tangent from the rule; for a batch of directions, the rule mapped over
        them by ``vmap`` (its primal output the same for every direction)."""
        tangents = [
            trace.zeros(p) if x is p else x.tangent for x, p in zip(leaves, primals, strict=True)
        ]
        primals = unflatten(treedef, primals)
        found: list[Any] = []

        def tangent_out(*ts: Any) -> list[Any]:
            out, t_leaves, out_def = self._rule(nondiff, primals, unflatten(treedef, ts))
            found[:] = [out, out_def]
            return t_leaves

        with self._guard(trace, "JVP rule"):
            if trace.batch is None:
                t_leaves = tangent_out(*tangents)
            else:  # the rule mapped over the directions: once, as JAX's jacfwd
                t_leaves = vmap(tangent_out)(*tangents)
        out, out_def = found
        duals = [
            o if is_integer_input(o) else _dual(o, t, trace)
            for o, t in zip(flatten(out)[0], t_leaves, strict=True)
        ]
        return unflatten(out_def, duals)

    def _reverse(
        self, tape: Tape, nondiff: list, leaves: list, primals: list, treedef: TreeDef
    ) -> Any:
        """out from the rule, recorded as one step that pulls ȳ back through the rule's tangent
        map (reverse mode over the tangents of the tape's arguments, the others' held at 0)."""
        on_tape = _traced_positions(leaves, primals)
        fixed = [zeros_like_value(p) for p in primals]
        primals = unflatten(treedef, primals)

        def tangent_out(*ts: Any) -> tuple[list[Any], tuple]:
            tangents = list(fixed)
            for i, t in zip(on_tape, ts, strict=True):
                tangents[i] = t
            transposing = {t._trace for t in ts if type(t) is Node}
            _TANGENT_TAPES.update(transposing)
            try:
                out, t_leaves, _ = self._rule(nondiff, primals, unflatten(treedef, tangents))
            finally:
                _TANGENT_TAPES.difference_update(transposing)
            return t_leaves, out

        with self._guard(tape, "JVP rule"):
            _, pull_back, out = vjp(tangent_out, *(fixed[i] for i in on_tape), has_aux=True)

        def joint_vjp(g: tuple, ans: tuple, *vals: Any) -> list[Any]:
            k = _batch_length(g, ans)  # a batch of k cotangents: one sweep pulls back all
            return list(pull_back(_materialized(g, ans, k), batched=k is not None))

        def joint_jvp(ts: list[Any], ans: tuple, *vals: Any) -> list[Any]:
            return tangent_out(*ts)[0]  # for linearize, which pushes tangents along the tape

        return _record(tape, f"custom_jvp({self.name})", leaves, on_tape, out, joint_vjp, joint_jvp)


class custom_vjp(_CustomFunction):
    """A function whose reverse-mode derivative is the pair of rules given by :meth:`defvjp`."""

    kind = "custom_vjp function"
    #: The rules :meth:`defvjp` gives (None until then).
    fwd: Callable[..., tuple] | None = None
    bwd: Callable[..., Any] | None = None

    def defvjp(
        self,
        fwd: Callable[..., tuple],
        bwd: Callable[..., Any],
        symbolic_zeros: bool = False,
        optimize_remat: bool = False,
    ) -> None:
        """Set the rules: ``fwd(*args) -> (out, residuals)`` (every argument, in order) and
        ``bwd(*nondiff_args, residuals, ȳ) -> x̄``, a tuple with one cotangent per differentiated
        argument (of its structure and shapes; None for zero). JAX's ``optimize_remat`` (a
        memory saving of its compiler) is accepted and changes nothing; its
        ``symbolic_zeros=True`` (fwd takes ``CustomVJPPrimal`` wrappers) is refused."""
        if symbolic_zeros:
            raise NotImplementedError(
                "custom_vjp.defvjp(symbolic_zeros=True) passes fwd JAX's CustomVJPPrimal "
                "wrappers, which admodes does not have: write fwd for the plain arguments and "
                "leave symbolic_zeros False"
            )
        self.fwd, self.bwd = fwd, bwd

    def _check_defined(self) -> None:
        if self.fwd is None:
            raise AttributeError(
                f"No VJP defined for custom_vjp function {self.name}: define one with "
                f"{self.name}.defvjp(fwd, bwd)"
            )

    def _check_on_tangents(self) -> None:
        raise TypeError(
            f"a JVP rule applies custom_vjp function {self.name} to its tangents; reverse mode "
            "cannot transpose that rule through a custom_vjp call (nor can JAX). Apply a plain "
            "function, or a custom_jvp one, to the tangents."
        )

    def _forward(
        self, trace: ForwardTrace, nondiff: list, leaves: list, primals: list, treedef: TreeDef
    ) -> Any:
        raise TypeError(
            f"can't apply forward-mode differentiation (jvp, jacfwd, grad(mode='forward'), the "
            f"outer pass of hessian) to custom_vjp function {self.name}: its rule is for reverse "
            "mode only. Differentiate it in reverse mode (jacrev(jacrev(f)) for a Hessian), or "
            "define its derivative with custom_jvp, which serves both modes."
        )

    def _reverse(
        self, tape: Tape, nondiff: list, leaves: list, primals: list, treedef: TreeDef
    ) -> Any:
        """out from ``fwd``, recorded as one step whose backward pass is ``bwd``."""
        on_tape = _traced_positions(leaves, primals)
        diff = unflatten(treedef, primals)
        with self._guard(tape, "fwd rule"):
            out, residuals = self._fwd_pair(*self._merge(nondiff, diff))
        out_def = flatten(out)[1]
        tape_ref = weakref.ref(tape)

        def cotangents(g: list[Any]) -> list[Any]:
            """bwd's cotangent of each traced leaf, for the output cotangents ``g``."""
            cts = self.bwd(*nondiff, residuals, unflatten(out_def, g))
            per_leaf = self._cotangent_leaves(cts, diff)
            return [per_leaf[i] for i in on_tape]

        def joint_vjp(g: tuple, ans: tuple, *vals: Any) -> list[Any]:
            k = _batch_length(g, ans)  # a batch of k cotangents: bwd mapped over them, once
            with self._guard(tape_ref(), "bwd rule"):
                if k is None:
                    return cotangents(_materialized(g, ans))
                return vmap(cotangents)(_materialized(g, ans, k))

        return _record(tape, f"custom_vjp({self.name})", leaves, on_tape, out, joint_vjp)

    def _fwd_pair(self, *args: Any) -> tuple:
        """``fwd(*args)``, checked to be a pair (primal_out, residuals)."""
        result = self.fwd(*args)
        if not (isinstance(result, tuple | list) and len(result) == 2):
            raise TypeError(
                f"the fwd rule of custom_vjp function {self.name} must return a pair "
                f"(primal_out, residuals), got {type(result).__name__}"
            )
        return tuple(result)

    def _of_stacks(self, batch: _Batch) -> _CustomFunction:
        """The mapped body, whose fwd is the mapped fwd (its residuals also keep the stacks'
        arguments) and whose bwd is the mapped bwd, the cotangent of a leaf shared by every
        index summed over them."""
        of_stacks = custom_vjp(batch.body())
        fwd = batch.mapped(batch.at_one_index(self._fwd_pair), batch.axes)

        def fwd_of_stacks(*stacks: Any) -> tuple:
            out, residuals = fwd(*stacks)
            return out, (residuals, stacks)

        def bwd_at_one_index(residuals: Any, g: Any, *leaves: Any) -> list[Any]:
            cts = self.bwd(*batch.nondiff, residuals, g)
            return self._cotangent_leaves(cts, batch.tree(leaves))

        def bwd_of_stacks(residuals_and_stacks: tuple, g: Any) -> tuple:
            residuals, stacks = residuals_and_stacks
            cts = batch.mapped(bwd_at_one_index, (0, 0, *batch.axes))(residuals, g, *stacks)
            return tuple(
                c if c is None or axis == 0 else broadcasting.sum(c, axis=0, keepdims=False)
                for c, axis in zip(cts, batch.axes, strict=True)
            )

        of_stacks.defvjp(fwd_of_stacks, bwd_of_stacks)
        return of_stacks

    def _cotangent_leaves(self, cts: Any, diff: tuple) -> list[Any]:
        """``bwd``'s cotangents, one per leaf of the differentiated arguments (None for zero),
        checked against the arguments' structure and shapes."""
        if not (isinstance(cts, tuple | list) and len(cts) == len(diff)):
            got = f"a {type(cts).__name__}" + (
                f" of length {len(cts)}" if isinstance(cts, tuple | list) else ""
            )
            raise TypeError(
                f"the bwd rule of custom_vjp function {self.name} must return a tuple with one "
                f"cotangent per differentiated argument ({len(diff)}), got {got}"
            )
        leaves: list[Any] = []
        for i, (ct, arg) in enumerate(zip(cts, diff, strict=True)):
            try:
                ct_leaves = leaves_by_prefix(ct, arg, spreads=lambda c: c is None)
            except ValueError:
                raise TypeError(
                    f"the bwd rule of custom_vjp function {self.name} returned a cotangent of "
                    f"structure {describe(flatten(ct)[1])} for argument {i} of structure "
                    f"{describe(flatten(arg)[1])}; they must match (None stands for a zero "
                    "cotangent)"
                ) from None
            for c, x in zip(ct_leaves, flatten(arg)[0], strict=True):
                if c is not None and shape(c) != shape(x):
                    raise ValueError(
                        f"the bwd rule of custom_vjp function {self.name} returned a cotangent "
                        f"of shape {shape(c)} for an argument of shape {shape(x)} (argument {i})"
                    )
            leaves.extend(ct_leaves)
        return leaves


# ---------------------------------------------------------------------------- helpers
def _positional_count(fun: Callable[..., Any]) -> int:
    """How many parameters of ``fun`` can be passed by position: a call with fewer may leave
    defaults to fill in (0 when the signature is unknown or takes ``*args``)."""
    try:
        kinds = [p.kind for p in inspect.signature(fun).parameters.values()]
    except (TypeError, ValueError):
        return 0
    if inspect.Parameter.VAR_POSITIONAL in kinds:
        return 0
    positional = (inspect.Parameter.POSITIONAL_ONLY, inspect.Parameter.POSITIONAL_OR_KEYWORD)
    return sum(kind in positional for kind in kinds)


def _traced_positions(leaves: list[Any], primals: list[Any]) -> list[int]:
    """Where the trace traces a leaf: ``primals`` holds its value there, the leaf elsewhere."""
    return [i for i, (x, p) in enumerate(zip(leaves, primals, strict=True)) if x is not p]


def _dual(out: Any, t_out: Any, trace: ForwardTrace) -> Any:
    """The dual of one output leaf (charged to ``count()`` while it counts)."""
    return counted_dual(out, t_out, trace) if counting.active else Dual(out, t_out, trace)


def _batch_length(g: tuple, ans: tuple) -> int | None:
    """How many cotangents the output cotangents ``g`` hold (a leading axis on each, as a
    reverse-mode Jacobian sweeps them); None for one."""
    for c, o in zip(g, ans, strict=True):
        if c is not None:
            return shape(c)[0] if batch_ndim(c, o) else None
    return None


def _materialized(g: tuple, ans: tuple, k: int | None = None) -> list[Any]:
    """The output cotangents in their outputs' dtypes (as JAX gives a rule them: a float64
    cotangent that reached a float32 output is rounded), with zeros for the ones the backward
    pass left out (None), behind a leading axis of ``k`` cotangents for a batch of them."""
    return [
        (zeros_like_value(o) if k is None else np.zeros((k, *shape(o)), dtype_of(o)))
        if c is None
        else in_dtype(c, dtype_of(o))
        for c, o in zip(g, ans, strict=True)
    ]


def _record(
    tape: Tape,
    name: str,
    leaves: list[Any],
    on_tape: list[int],
    out: Any,
    joint_vjp: Callable[..., list[Any]],
    joint_jvp: Callable[..., list[Any]] | None = None,
) -> Any:
    """Record one step on ``tape``: the leaves ``on_tape`` are its inputs, ``out``'s leaves its
    outputs (nodes), ``joint_vjp(ȳ, ans, *inputs)`` its cotangent of each input and
    ``joint_jvp(ẋ, ans, *inputs)``, where there is one, the tangent of each output."""
    step = Primitive(
        name,
        _recorded_only,
        cost=zero_cost,
        joint_vjp=joint_vjp,
        joint_jvp=joint_jvp,
        batched_vjp=True,  # ``joint_vjp`` takes a batch of cotangents whole
    )
    inputs: list[Node] = [leaves[i] for i in on_tape]
    out_leaves, out_def = flatten(out)
    nodes = tape.append_step(
        step, [x.primal for x in inputs], [x.index for x in inputs], tuple(out_leaves)
    )
    return unflatten(out_def, nodes)


def _recorded_only(*args: Any) -> Any:
    raise TypeError("a custom function's recorded step is not evaluated again")


def custom_gradient(fun: Callable[..., tuple]) -> custom_vjp:
    """``fun(*args) -> (out, rule)``, ``rule(ȳ)`` the arguments' cotangents (a tuple, one per
    argument; one cotangent alone may be returned bare), as a function of ``args`` whose reverse
    mode applies ``rule`` (JAX's ``custom_gradient``): a :class:`custom_vjp` whose ``fwd`` is
    ``fun`` and whose residual is ``rule``. Values the rule closes over are differentiated by
    outer transforms, so its second derivative is that of the rule."""

    @functools.wraps(fun)
    def primal(*args: Any) -> Any:
        return _output_and_rule(fun, args)[0]

    def bwd(rule: Callable[[Any], Any], g: Any) -> tuple:
        cotangents = rule(g)
        return cotangents if isinstance(cotangents, tuple) else (cotangents,)

    function = custom_vjp(primal)
    function.defvjp(lambda *args: _output_and_rule(fun, args), bwd)
    return function


def _output_and_rule(fun: Callable[..., tuple], args: tuple) -> tuple:
    """``fun(*args)``, checked to be a pair (output, rule)."""
    result = fun(*args)
    if not (isinstance(result, tuple) and len(result) == 2 and callable(result[1])):
        raise TypeError(
            f"custom_gradient function {getattr(fun, '__name__', fun)} must return a pair "
            "(output, rule), rule a function of the output's cotangent giving the arguments' "
            f"cotangents; got {type(result).__name__}"
        )
    return result
