"""Forward mode: dual values (primal, tangent) and the transforms built on them.

A :class:`Dual` carries a primal and a tangent through every primitive: the primal by the op's
implementation, the tangent by the op's JVP rules from the registry,

    ṫ_out = Σᵢ JVPᵢ(ṫᵢ, ans, *args).

A *batched* trace carries k directions at once: each tangent has a leading axis of length k, so one
pass yields k columns of the Jacobian (``jacfwd``, ``grad(mode="forward")``, ``chunk_size``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import numpy as np

from admodes import counting
from admodes.arguments import (
    NONE_HELD,
    call_traced,
    check_chunk_size,
    check_complex_output,
    check_scalar,
    check_sequences,
    differentiated,
    gradient_only,
    in_dtype,
    like_input,
    normalize_argnums,
    traced_tangents,
    unwrapped,
    with_float0,
    with_keywords,
    zero_tangent,
    zeros_like_value,
)
from admodes.core import (
    TRACED_TYPES,
    Trace,
    Traced,
    dtype_of,
    held,
    is_python_float,
    ndim,
    shape,
    size,
)
from admodes.derivatives import (
    as_batch_of_one,
    contribution,
    per_direction,
    split_directions,
    summed,
    times_partial,
    unit_directions,
)
from admodes.registry import Primitive
from admodes.rules.broadcasting import align_batched, broadcast_to
from admodes.rules.shape import concatenate, reshape, transpose
from admodes.tree import TreeDef, flatten, unflatten

__all__ = ["Dual", "ForwardTrace", "grad", "jacfwd", "jvp", "value_and_grad"]


class ForwardTrace(Trace):
    """One forward-mode transform call: its level and, when batched, its number of directions."""

    __slots__ = ("batch",)

    def __init__(self, batch: int | None = None) -> None:
        super().__init__()
        self.batch = batch

    #: The arithmetic of the JVP rules is charged to ``count()``'s "jvp" phase.
    phase = "jvp"

    def derive(self, prim: Primitive, args: tuple, primals: tuple, out: Any, params: dict) -> Any:
        """The dual of ``out``, with tangent ṫ_out = Σᵢ JVPᵢ(ṫᵢ) over this trace's inputs."""
        batched = self.batch is not None
        if prim.joint_jvp is not None:
            t_out = self.joint_tangent(prim, args, primals, out, params)
        else:
            partials = prim.partials
            # A batch of tangents of a broadcasting op's inputs is aligned to the output's rank
            # (nothing to align for a scalar output).
            out_ndim = ndim(out) if batched and prim.broadcasts else 0
            t_out = None
            for i, a in enumerate(args):
                if a is primals[i]:  # not this trace's value (bind unwrapped only those)
                    continue
                t = a.tangent
                if out_ndim:
                    t = align_batched(t, 1, ndim(primals[i]), out_ndim)
                if partials is None:
                    one_by_one = batched and not prim.batched_jvp
                    c = contribution(prim, prim.jvps, one_by_one, i, t, out, primals, params)
                elif partials[i] is not None:  # elementwise (the hot path): ṫᵢ · ∂ᵢ
                    c = times_partial(partials[i], t, out, primals)
                else:
                    continue
                if c is not None:
                    t_out = c if t_out is None else summed(t_out, c)
            # A Python float (traced or not) came from Python floats only: nothing broadcast.
            if (
                prim.broadcasts
                and t_out is not None
                and type(out) is not float
                and not is_python_float(out)
            ):
                t_out = self.fit(t_out, out)
        if counting.active:
            return counted_dual(out, t_out, self)
        return out if t_out is None else Dual(out, t_out, self)

    def joint_tangent(
        self, prim: Primitive, args: tuple, primals: tuple, out: Any, params: dict
    ) -> Any:
        """A joint JVP rule's output tangent: every input's tangent, zeros for constants."""
        tangents = [
            self.zeros(x) if a is x else a.tangent for a, x in zip(args, primals, strict=True)
        ]

        def joint(*ts: Any) -> Any:
            return prim.joint_jvp(list(ts), out, *primals, **params)

        one_by_one = self.batch is not None and not prim.batched_jvp
        return per_direction(joint, *tangents) if one_by_one else joint(*tangents)

    def fit(self, t_out: Any, out: Any) -> Any:
        """A broadcasting op's tangent, broadcast to the full tangent shape of ``out`` and of its
        dtype (as JAX: a float32 output has float32 tangents, though a partial was float64)."""
        full = self.tangent_shape(out)
        t_out = t_out if shape(t_out) == full else broadcast_to(t_out, full)
        return in_dtype(t_out, dtype_of(out))

    def tangent_shape(self, x: Any) -> tuple[int, ...]:
        """Shape of a tangent of ``x`` in this trace."""
        return shape(x) if self.batch is None else (self.batch, *shape(x))

    def zeros(self, x: Any) -> Any:
        """A zero tangent for ``x`` (a constant in this trace)."""
        if self.batch is None:
            return zeros_like_value(x)
        return np.zeros(self.tangent_shape(x), dtype=dtype_of(x))


class Dual(Traced):
    """A value with its tangent (directional derivative) in one forward-mode trace."""

    __slots__ = ("__weakref__", "_trace", "primal", "tangent")

    def __init__(self, primal: Any, tangent: Any, trace: ForwardTrace) -> None:
        self.primal = primal
        self.tangent = tangent
        self._trace = trace

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"


TRACED_TYPES.add(Dual)


def counted_dual(out: Any, t_out: Any, trace: ForwardTrace) -> Any:
    """A Dual whose tangent bytes stay charged to ``count()`` while it lives."""
    if t_out is None:
        return out
    dual = Dual(out, t_out, trace)
    nbytes = t_out.nbytes if isinstance(t_out, np.ndarray) else 8 * size(held(t_out))
    counting.add_tangent_bytes(nbytes)
    weakref.finalize(dual, counting.add_tangent_bytes, -nbytes)
    return dual


# ---------------------------------------------------------------------------- transforms
def _output_tangent(out: Any, trace: ForwardTrace, zero: Callable[[Any], Any] | None = None) -> Any:
    """The tangent of an output leaf; for one that does not depend on the inputs, ``zero(out)``
    (default: the trace's zeros)."""
    if type(out) is Dual and out._trace is trace:
        return out.tangent
    return trace.zeros(out) if zero is None else zero(out)


def jvp(
    fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], has_aux: bool = False
) -> tuple:
    """Forward mode: ``(fun(*primals), J·tangents[, aux])`` in one pass.

    ``primals`` and ``tangents`` are tuples (or lists) of the same structure, shapes and dtypes;
    as in JAX, an integer or bool primal is a constant whose tangent is zeros of dtype float0
    (:data:`admodes.float0`), and an output that does not depend on the inputs has a zero
    tangent (float0 for an integer or bool output).
    """
    check_sequences(primals, tangents, "jvp")
    primals = tuple(primals)
    nums = tuple(range(len(primals)))
    p_leaves, p_def, held = differentiated(
        primals, nums, holomorphic=False, complex_ok=True, allow_int=True
    )
    t_leaves = traced_tangents(flatten(tuple(tangents)), (p_leaves, p_def), held)
    trace = ForwardTrace()
    duals = [Dual(p, t, trace) for p, t in zip(p_leaves, t_leaves, strict=True)]
    out, aux = call_traced(
        fun, primals, nums, p_def, duals, trace, has_aux=has_aux, name="jvp", held=held
    )
    o_leaves, o_def = flatten(out)
    out_p = unflatten(o_def, [unwrapped(o, trace) for o in o_leaves])
    out_t = unflatten(o_def, [_output_tangent(o, trace, zero_tangent) for o in o_leaves])
    return (out_p, out_t, aux) if has_aux else (out_p, out_t)


def jacfwd(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    chunk_size: int | None = None,
    holomorphic: bool = False,
) -> Callable[..., Any]:
    """The Jacobian by forward mode: ``chunk_size`` directions per pass (default: all at once).

    The result has shape ``out.shape + in.shape`` for each output leaf and differentiated input
    leaf (JAX's convention); a tuple ``argnums`` gives a tuple. Complex inputs need
    ``holomorphic=True`` (the Jacobian is then f′(z), complex), as in JAX.
    """
    check_chunk_size(chunk_size)

    def jacobian(*args: Any, **kwargs: Any) -> Any:
        nums, as_tuple = normalize_argnums(argnums, len(args))
        leaves, in_def, _ = differentiated(args, nums, holomorphic=holomorphic, complex_ok=False)
        n = sum(size(x) for x in leaves)
        step = n if chunk_size is None else min(chunk_size, n)
        call = with_keywords(fun, kwargs)
        passes: list[list[Any]] = []
        out_def = aux = None
        out_leaves: list[Any] = []
        for start in range(0, max(n, 1), max(step, 1)):
            k = min(step, n - start) if n else 0
            trace, out, aux = _seeded_pass(
                call, args, nums, leaves, in_def, start, k, has_aux=has_aux, name="jacfwd"
            )
            out_leaves, out_def = flatten(out)
            tangents = [_output_tangent(o, trace) for o in out_leaves]
            if trace.batch is None:
                tangents = [as_batch_of_one(t) for t in tangents]
            passes.append(tangents)
            out_leaves = [unwrapped(o, trace) for o in out_leaves]
        if holomorphic:
            check_complex_output(out_leaves, "jacfwd")
        jac = _assemble(passes, out_leaves, out_def, leaves, in_def, as_tuple)
        return (jac, aux) if has_aux else jac

    return jacobian


def _seeded_pass(
    fun: Callable[..., Any],
    args: tuple,
    nums: tuple[int, ...],
    leaves: list[Any],
    in_def: TreeDef,
    start: int,
    k: int,
    *,
    has_aux: bool,
    name: str,
    held: Mapping[int, Any] = NONE_HELD,
) -> tuple[ForwardTrace, Any, Any]:
    """One forward pass of ``fun`` whose differentiated inputs (flattened: ``leaves``,
    ``in_def``, and the ``held`` leaves, constants) carry the unit directions start … start+k-1
    as tangents: the trace, the output and the aux.

    A single direction travels unbatched, so scalar code keeps Python floats' fast path.
    """
    trace = ForwardTrace(batch=None if k == 1 else k)
    seeds = unit_directions(leaves, start, k)
    if trace.batch is None:
        seeds = [
            float(e[0]) if isinstance(x, float) else e[0]
            for e, x in zip(seeds, leaves, strict=True)
        ]
    duals = [Dual(x, e, trace) for x, e in zip(leaves, seeds, strict=True)]
    out, aux = call_traced(
        fun, args, nums, in_def, duals, trace, has_aux=has_aux, name=name, held=held
    )
    return trace, out, aux


def _assemble(
    passes: list[list[Any]],
    out_leaves: list[Any],
    out_def: Any,
    in_leaves: list[Any],
    in_def: Any,
    as_tuple: bool,
) -> Any:
    """Jacobian blocks ``out.shape + in.shape`` from each pass's tangents ``(k, *out.shape)``."""
    per_out = []
    for j, o in enumerate(out_leaves):
        parts = [p[j] for p in passes]
        stacked = parts[0] if len(parts) == 1 else concatenate(*parts, axis=-(ndim(o) + 1))
        blocks = [
            reshape(transpose(reshape(b, (size(x), size(o))), (1, 0)), shape(o) + shape(x))
            for b, x in zip(split_directions(stacked, in_leaves), in_leaves, strict=True)
        ]
        per_out.append(_by_argnum(unflatten(in_def, blocks), as_tuple))
    return unflatten(out_def, per_out)


def _by_argnum(per_arg: tuple, as_tuple: bool) -> Any:
    return per_arg if as_tuple else per_arg[0]


def value_and_grad(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """``(fun(*args), ∇fun(*args))`` by forward mode: one pass carrying all n input directions
    (a batch of n tangents), after which the output's tangent is the gradient, ∂f/∂xⱼ in row j.

    Forward mode takes complex inputs only with ``holomorphic=True`` (the gradient is then
    f′(z)); for a real-valued function of complex inputs use reverse mode, which gives JAX's
    ∂f/∂x − i·∂f/∂y. ``allow_int=True`` holds integer and bool leaves constant (no direction
    is spent on them), their gradient zeros of dtype float0 and their shape, as in reverse mode.
    """

    def value_and_gradient(*args: Any, **kwargs: Any) -> Any:
        nums, as_tuple = normalize_argnums(argnums, len(args))
        leaves, in_def, held = differentiated(
            args, nums, holomorphic=holomorphic, complex_ok=False, allow_int=allow_int
        )
        n = sum(size(x) for x in leaves)
        trace, out, aux = _seeded_pass(
            with_keywords(fun, kwargs),
            args,
            nums,
            leaves,
            in_def,
            0,
            n,
            has_aux=has_aux,
            name="grad",
            held=held,
        )
        check_scalar(out, holomorphic)
        t = _output_tangent(out, trace)
        rows = [t] if trace.batch is None else split_directions(t, leaves)
        per_leaf = [like_input(reshape(r, shape(x)), x) for r, x in zip(rows, leaves, strict=True)]
        per_arg = unflatten(in_def, with_float0(per_leaf, held))
        g = per_arg if as_tuple else per_arg[0]
        value = unwrapped(out, trace)
        return ((value, aux), g) if has_aux else (value, g)

    return value_and_gradient


def grad(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """∇fun by forward mode (one batched pass); same result as reverse mode."""
    return gradient_only(value_and_grad(fun, argnums, has_aux, holomorphic, allow_int), has_aux)
