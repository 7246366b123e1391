"""Forward mode: dual values (primal, tangent) and the transforms built on them.

A :class:`Dual` carries a primal and a tangent through every primitive: the primal by the op's
implementation, the tangent by the op's JVP rules from the registry,

    ṫ_out = Σᵢ JVPᵢ(ṫᵢ, ans, *args).

A *batched* trace carries k directions at once: each tangent has a leading axis of length k, so one
pass yields k columns of the Jacobian (``jacfwd``, ``grad(mode="forward")``, ``chunk_size``).
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from admodes import counting
from admodes import numpy as anp
from admodes.arguments import (
    check_inexact,
    check_matching,
    check_scalar,
    dtype_of,
    like_args,
    normalize_argnums,
    split_aux,
    strip,
    zeros_like_value,
)
from admodes.registry import (
    TRACED_TYPES,
    Primitive,
    contribution,
    ndim,
    shape,
    size,
    summed,
)
from admodes.rules.shape import align_batched, broadcast_to
from admodes.traced import Traced, new_level
from admodes.tree import flatten, unflatten

__all__ = ["Dual", "ForwardTrace", "grad", "jacfwd", "jvp", "value_and_grad"]


class ForwardTrace:
    """One forward-mode transform call: its level and, when batched, its number of directions."""

    __slots__ = ("batch", "level")

    def __init__(self, batch: int | None = None) -> None:
        self.level = new_level()
        self.batch = batch

    def process(self, prim: Primitive, args: tuple, params: dict) -> Any:
        """Evaluate ``prim`` on the primals, and ṫ_out = Σᵢ JVPᵢ(ṫᵢ) on the tangents.

        An argument traced by an inner (higher-level) transform hands the op to that transform.
        The products and sums evaluated here are charged to ``count()``.
        """
        primals = []
        tangents = []
        nested = False
        for a in args:
            if type(a) in TRACED_TYPES:
                if a._trace is self:
                    tangents.append((len(primals), a.tangent))
                    a = a.primal
                    nested = nested or type(a) in TRACED_TYPES
                elif a._trace.level > self.level:
                    return a._trace.process(prim, args, params)
                else:
                    nested = True
            primals.append(a)
        primals = tuple(primals)
        if nested:
            out = prim(*primals, **params)
        else:
            out = prim.impl(*primals, **params) if params else prim.impl(*primals)
            if counting.active:
                counting.record(prim, out, primals, params)
        if not prim.differentiable:
            return out
        counted = counting.active
        if counted:
            phase, counting.phase = counting.phase, "jvp"
        if prim.joint_jvp is not None:
            t_out = self.joint_tangent(prim, tangents, primals, out, params)
        else:
            align = self.batch is not None and prim.broadcasts
            t_out = None
            for i, t in tangents:
                if align:
                    t = align_batched(t, ndim(primals[i]), ndim(out))
                c = contribution(prim, prim.jvps, i, t, out, primals, params)
                if c is not None:
                    t_out = c if t_out is None else summed(t_out, c)
            if t_out is not None and prim.broadcasts and not (type(out) is float is type(t_out)):
                t_out = self.fit(t_out, out)
        if counted:
            counting.phase = phase
            return _counted_dual(out, t_out, self)
        return out if t_out is None else Dual(out, t_out, self)

    def joint_tangent(
        self, prim: Primitive, tangents: list, primals: list, out: Any, params: dict
    ) -> Any:
        """A joint JVP rule's output tangent: every input's tangent, zeros for constants."""
        filled = [self.zeros(x) for x in primals]
        for i, t in tangents:
            filled[i] = t
        return prim.joint_jvp(filled, out, *primals, **params)

    def fit(self, t_out: Any, out: Any) -> Any:
        """A broadcasting op's tangent, broadcast to the full tangent shape of ``out``."""
        full = self.tangent_shape(out)
        return t_out if shape(t_out) == full else broadcast_to(t_out, full)

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

    def _inner(self) -> Any:
        return self.primal

    def __repr__(self) -> str:
        return f"Dual(primal={self.primal!r}, tangent={self.tangent!r})"


TRACED_TYPES.add(Dual)


def _counted_dual(out: Any, t_out: Any, trace: ForwardTrace) -> Any:
    """A Dual whose tangent bytes stay charged to ``count()`` while it lives."""
    if t_out is None:
        return out
    dual = Dual(out, t_out, trace)
    nbytes = t_out.nbytes if isinstance(t_out, np.ndarray) else 8 * size(t_out)
    counting.add_tangent_bytes(nbytes)
    weakref.finalize(dual, counting.add_tangent_bytes, -nbytes)
    return dual


# ---------------------------------------------------------------------------- transforms
def _output_tangent(out: Any, trace: ForwardTrace) -> Any:
    """The tangent of an output leaf (zeros for one that does not depend on the inputs)."""
    return out.tangent if type(out) is Dual and out._trace is trace else trace.zeros(out)


def _output_primal(out: Any, trace: ForwardTrace) -> Any:
    return out.primal if type(out) is Dual and out._trace is trace else out


def jvp(
    fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any], has_aux: bool = False
) -> tuple:
    """Forward mode: ``(fun(*primals), J·tangents[, aux])`` in one pass.

    ``primals`` and ``tangents`` are tuples (or lists) of the same structure, shapes and dtypes.
    """
    if not isinstance(primals, tuple | list) or not isinstance(tangents, tuple | list):
        raise TypeError(
            "jvp takes primals and tangents as tuples, e.g. jvp(f, (x,), (v,)); got "
            f"{type(primals).__name__} and {type(tangents).__name__}"
        )
    for k, p in enumerate(primals):
        check_inexact(p, f"jvp primal {k}")
    check_matching(tuple(tangents), tuple(primals), "tangents", "primals")
    trace = ForwardTrace()
    p_leaves, p_def = flatten(tuple(primals))
    t_leaves, _ = flatten(tuple(tangents))
    duals = unflatten(p_def, [Dual(p, t, trace) for p, t in zip(p_leaves, t_leaves, strict=True)])
    out, aux = split_aux(fun(*duals), has_aux, "jvp")
    o_leaves, o_def = flatten(out)
    out_p = unflatten(o_def, [_output_primal(o, trace) for o in o_leaves])
    out_t = unflatten(o_def, [_output_tangent(o, trace) for o in o_leaves])
    return (out_p, out_t, strip(aux, trace)) if has_aux else (out_p, out_t)


def jacfwd(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    chunk_size: int | None = None,
) -> Callable[..., Any]:
    """The Jacobian by forward mode: ``chunk_size`` directions per pass (default: all at once).

    The result has shape ``out.shape + in.shape`` for each output leaf and differentiated input
    leaf (JAX's convention); a tuple ``argnums`` gives a tuple.
    """
    if chunk_size is not None and (
        not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1
    ):
        raise ValueError(f"chunk_size must be a positive integer or None, got {chunk_size!r}")

    def jacobian(*args: Any) -> Any:
        nums, as_tuple = normalize_argnums(argnums, len(args))
        diff = tuple(args[i] for i in nums)
        for i in nums:
            check_inexact(args[i], f"argument {i}")
        leaves, in_def = flatten(diff)
        n = sum(size(x) for x in leaves)
        step = n if chunk_size is None else min(chunk_size, n)
        columns: list[list[Any]] = []
        out_def = aux = None
        out_leaves: list[Any] = []
        for start in range(0, max(n, 1), max(step, 1)):
            k = min(step, n - start) if n else 0
            trace = ForwardTrace(batch=None if k == 1 else k)
            duals = _seed_directions(leaves, start, k, trace)
            call = list(args)
            for i, d in zip(nums, unflatten(in_def, duals), strict=True):
                call[i] = d
            out, aux = split_aux(fun(*call), has_aux, "jacfwd")
            out_leaves, out_def = flatten(out)
            tangents = [_output_tangent(o, trace) for o in out_leaves]
            if trace.batch is None:
                tangents = [anp.reshape(t, (1, *shape(t))) for t in tangents]
            columns.append(tangents)
            out_leaves = [_output_primal(o, trace) for o in out_leaves]
            aux = strip(aux, trace)
        jac = _assemble_forward(columns, out_leaves, out_def, leaves, in_def, as_tuple)
        return (jac, aux) if has_aux else jac

    return jacobian


def _seed_directions(leaves: list[Any], start: int, k: int, trace: ForwardTrace) -> list[Dual]:
    """Duals whose tangents are the unit directions start … start+k-1 of the flattened inputs.

    A single direction travels unbatched, so scalar code keeps Python floats' fast path.
    """
    duals = []
    offset = 0
    for x in leaves:
        m = size(x)
        t = np.zeros((k, m), dtype=dtype_of(x))
        lo, hi = max(start, offset), min(start + k, offset + m)
        if lo < hi:
            t[np.arange(lo - start, hi - start), np.arange(lo - offset, hi - offset)] = 1.0
        t = t.reshape((k, *shape(x)))
        if trace.batch is None:
            t = float(t[0]) if isinstance(x, float) else t[0]
        duals.append(Dual(x, t, trace))
        offset += m
    return duals


def _assemble_forward(
    columns: list[list[Any]],
    out_leaves: list[Any],
    out_def: Any,
    in_leaves: list[Any],
    in_def: Any,
    as_tuple: bool,
) -> Any:
    """Jacobian blocks ``out.shape + in.shape`` from per-pass tangents ``(k, *out.shape)``."""
    per_out = []
    for j, o in enumerate(out_leaves):
        parts = [c[j] for c in columns]
        tangents = parts[0] if len(parts) == 1 else anp.concatenate(parts, axis=0)
        blocks, offset = [], 0
        for x in in_leaves:
            m = size(x)
            block = anp.reshape(tangents[offset : offset + m], (m, size(o)))
            blocks.append(anp.reshape(anp.transpose(block), shape(o) + shape(x)))
            offset += m
        per_out.append(_by_argnum(unflatten(in_def, blocks), as_tuple))
    return unflatten(out_def, per_out)


def _by_argnum(per_arg: tuple, as_tuple: bool) -> Any:
    return per_arg if as_tuple else per_arg[0]


def value_and_grad(
    fun: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """``(fun(*args), ∇fun(*args))`` by forward mode: all input directions batched in one pass."""

    def value_and_gradient(*args: Any) -> Any:
        def scalar_fun(*a: Any) -> Any:
            out, aux = split_aux(fun(*a), has_aux, "grad")
            check_scalar(out)
            return out, (out, aux)

        g, (value, aux) = jacfwd(scalar_fun, argnums, has_aux=True)(*args)
        g = like_args(g, args, argnums)
        return ((value, aux), g) if has_aux else (value, g)

    return value_and_gradient


def grad(
    fun: Callable[..., Any], argnums: int | Sequence[int] = 0, has_aux: bool = False
) -> Callable[..., Any]:
    """∇fun by forward mode (one batched pass); same result as reverse mode."""
    vg = value_and_grad(fun, argnums, has_aux)

    def gradient(*args: Any) -> Any:
        (value_aux, g) = vg(*args)
        return (g, value_aux[1]) if has_aux else g

    return gradient
