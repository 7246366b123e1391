"""JAX's ``jax.example_libraries.optimizers``: first-order optimizers for pytrees of parameters.

An optimizer is an :class:`Optimizer`, the triple ``(init_fun, update_fun, get_params)``::

    opt_init, opt_update, get_params = optimizers.adam(1e-3)
    opt_state = opt_init(params)                      # params: a pytree of arrays
    for i in range(num_steps):
        grads = ad.grad(loss)(get_params(opt_state))
        opt_state = opt_update(i, grads, opt_state)    # i: the step index, from 0

- ``init_fun(params)`` gives the initial :class:`OptimizerState` (the parameters and the
  optimizer's own arrays, e.g. moment estimates);
- ``update_fun(i, grads, opt_state)`` gives the state after step ``i`` (an int) with the
  gradient ``grads``, a pytree of the parameters' structure;
- ``get_params(opt_state)`` gives the parameters, so ``get_params(init_fun(p))`` is ``p``.

The :func:`optimizer` decorator makes such a triple from one written for a single array (how
every optimizer here is written). In the update formulas below, x is a parameter array, g its
gradient, η = ``step_size(i)`` (a number or a schedule of the step index i), and every
operation is elementwise.

**JAX's numbers.** The updates are written as JAX's, operation for operation, in the same order
(``(1 − b₁)·g + b₁·m``, not ``b₁·m + (1 − b₁)·g``), each rounded once, with two of XLA's
own results reproduced: a power of a constant to the step index i + 1 is computed as
``jax.numpy.power`` does for an integer exponent, by binary exponentiation (JAX's
``lax.integer_pow``: squarings and products, not the C library's ``pow``), and a division of an
array by a number (Adam's bias corrections) as XLA's multiplication by the reciprocal. So for the
same gradients every state is the one JAX computes when it runs the update eagerly (one small
compiled program per operation), bit for bit, in float64 and float32: the tests compare 20 steps
of each optimizer exactly. A float32 parameter stays float32 under a schedule computed from
Python numbers (JAX's weakly typed result; here a Python float).

Under ``jax.jit`` XLA compiles the whole update as one program and rewrites it, so jitted JAX
differs from eager JAX and from admodes in the last bits: it contracts products and sums into
fused multiply-adds (x − η·g), computes 1/√a and a / √b with ``rsqrt`` (:func:`adagrad`,
:func:`rmsprop`, :func:`rmsprop_momentum`, :func:`sm3`), and, the step index being traced, the
bias corrections of :func:`adam` and :func:`adamax` with ``pow``. Measured on the tests'
problem: at most 2.4e-15 relative in the parameters after 20 steps of the same gradients.

The updates are :mod:`admodes.numpy` operations, so they also run on traced values: a gradient
through a few optimizer steps (with respect to the step size, say) differentiates in both
modes, as ``jax.grad`` of the same steps. Where JAX computes 1/√a only to discard it at a = 0
(:func:`adagrad`, :func:`sm3`) or max_norm/‖g‖ at ‖g‖ < max_norm (:func:`clip_grads`), admodes
guards the discarded operand, so the values are JAX's and NumPy warns of no division by zero;
a derivative through :func:`adagrad` or :func:`sm3` where an accumulator is 0 (a gradient
entry exactly 0 so far) is then finite by both modes, as ``jax.jacfwd``'s, where ``jax.grad``
gives nan (the discarded branch's 0·∞).
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

import admodes.numpy as anp
import admodes.tree as pytree
from admodes.random._xla import divide

__all__ = [
    "InitFn",
    "JoinPoint",
    "Optimizer",
    "OptimizerState",
    "Params",
    "ParamsFn",
    "Schedule",
    "State",
    "Step",
    "UpdateFn",
    "Updates",
    "adagrad",
    "adam",
    "adamax",
    "clip_grads",
    "constant",
    "exponential_decay",
    "inverse_time_decay",
    "l2_norm",
    "make_schedule",
    "momentum",
    "nesterov",
    "optimizer",
    "pack_optimizer_state",
    "piecewise_constant",
    "polynomial_decay",
    "rmsprop",
    "rmsprop_momentum",
    "sgd",
    "sm3",
    "unpack_optimizer_state",
]

Array = Any
Params = Any
"""A pytree of arrays (``admodes.tree``'s: tuples, lists, dicts, registered classes)."""
State = Any
"""One array's optimizer state: a pytree of arrays."""
Updates = Params
"""Gradients: a pytree of the parameters' structure."""
Step = int
Schedule = Callable[[Step], float]
"""A step size as a function of the step index."""


class OptimizerState(NamedTuple):
    """The state of an optimizer made by :func:`optimizer`: for each leaf of the parameters (in
    ``admodes.tree`` order), the leaves of that leaf's :data:`State` (``packed_state``), the
    parameters' tree definition (``tree_def``) and each :data:`State`'s (``subtree_defs``). A
    pytree whose leaves are the arrays of ``packed_state`` (the definitions are auxiliary data),
    as JAX's."""

    packed_state: tuple[list[Array], ...]
    tree_def: Any
    subtree_defs: tuple[Any, ...]


pytree.register_pytree_node(
    OptimizerState,
    lambda s: ((s.packed_state,), (s.tree_def, s.subtree_defs)),
    lambda aux, children: OptimizerState(children[0], *aux),
)

InitFn = Callable[[Params], OptimizerState]
UpdateFn = Callable[[Step, Updates, OptimizerState], OptimizerState]
ParamsFn = Callable[[OptimizerState], Params]


class Optimizer(NamedTuple):
    """An optimizer: ``(init_fn, update_fn, params_fn)``, JAX's field names (usually unpacked
    as ``opt_init, opt_update, get_params``)."""

    init_fn: InitFn
    update_fn: UpdateFn
    params_fn: ParamsFn


ArrayOptimizer = tuple[
    Callable[[Array], State], Callable[[Step, Array, State], State], Callable[[State], Array]
]


def _pack(states: Sequence[State], tree_def: Any) -> OptimizerState:
    flat = [pytree.flatten(state) for state in states]
    return OptimizerState(tuple(leaves for leaves, _ in flat), tree_def, tuple(d for _, d in flat))


def _unpack(opt_state: OptimizerState) -> list[State]:
    states_flat, _, subtree_defs = opt_state
    pairs = zip(subtree_defs, states_flat, strict=True)
    return [pytree.unflatten(subtree_def, leaves) for subtree_def, leaves in pairs]


def optimizer(opt_maker: Callable[..., ArrayOptimizer]) -> Callable[..., Optimizer]:
    """Decorator: from ``opt_maker``, which returns ``(init, update, get_params)`` for one array
    (``init(x0) -> state``, ``update(i, g, state) -> state``, ``get_params(state) -> x``, a
    state being any pytree of arrays), a maker of the same arguments that returns an
    :class:`Optimizer` for pytrees of arrays: each leaf of the parameters gets its own state.

    ``update_fun`` raises a TypeError if the gradients' tree structure is not the parameters',
    or if ``update`` returns a state of another structure than it was given, as JAX's."""

    @functools.wraps(opt_maker)
    def tree_opt_maker(*args: Any, **kwargs: Any) -> Optimizer:
        init, update, get_params = opt_maker(*args, **kwargs)

        @functools.wraps(init)
        def tree_init(x0_tree: Params) -> OptimizerState:
            x0_flat, tree_def = pytree.flatten(x0_tree)
            return _pack([init(x0) for x0 in x0_flat], tree_def)

        @functools.wraps(update)
        def tree_update(i: Step, grad_tree: Updates, opt_state: OptimizerState) -> OptimizerState:
            grad_flat, grad_def = pytree.flatten(grad_tree)
            if grad_def != opt_state.tree_def:
                raise TypeError(
                    "optimizer update function was passed a gradient tree that did not match "
                    "the parameter tree structure with which it was initialized: parameter tree "
                    f"{pytree.describe(opt_state.tree_def)} and grad tree "
                    f"{pytree.describe(grad_def)}."
                )
            states = _unpack(opt_state)
            new_state = _pack(
                [update(i, g, s) for g, s in zip(grad_flat, states, strict=True)],
                opt_state.tree_def,
            )
            for before, after in zip(opt_state.subtree_defs, new_state.subtree_defs, strict=True):
                if before != after:
                    raise TypeError(
                        "optimizer update function produced an output structure that did not "
                        f"match its input structure: input {pytree.describe(before)} and output "
                        f"{pytree.describe(after)}."
                    )
            return new_state

        @functools.wraps(get_params)
        def tree_get_params(opt_state: OptimizerState) -> Params:
            params = [get_params(state) for state in _unpack(opt_state)]
            return pytree.unflatten(opt_state.tree_def, params)

        return Optimizer(tree_init, tree_update, tree_get_params)

    return tree_opt_maker


# ---------------------------------------------------------------------------- helpers
def _with_zeros(count: int) -> Callable[[Array], tuple]:
    """The init of a state ``(x0, 0, …, 0)`` with ``count`` arrays of zeros like x0."""

    def init(x0: Array) -> tuple:
        return (x0, *(anp.zeros_like(x0) for _ in range(count)))

    return init


def _params(state: tuple) -> Array:
    """The parameters of a state ``(x, …)``."""
    return state[0]


def _power(base: Any, exponent: Any) -> Any:
    """``base ** exponent`` as ``jax.numpy.power`` computes it: an integer exponent n (a Python
    or NumPy int, which JAX sees as concrete) by binary exponentiation in base's dtype (JAX's
    ``lax.integer_pow``: square the base at each bit, multiply the result by it where the bit
    is set, 1 / result for n < 0), any other exponent by ``pow``."""
    try:
        n = operator.index(exponent)
    except TypeError:
        return anp.power(base, exponent)
    if n == 0:
        return anp.ones_like(base)
    result, k = None, abs(n)
    while k:
        if k & 1:
            result = base if result is None else result * base
        k >>= 1
        if k:
            base = base * base
    return 1 / result if n < 0 else result


def _typed_as_jax(value: Any, *inputs: Any) -> Any:
    """``value``, computed by ``admodes.numpy`` functions from ``inputs``, typed as JAX types
    it: ``jax.numpy``'s result of Python numbers is weakly typed (it takes the dtype of the
    arrays it meets, so float32 parameters stay float32), as a Python float is in NumPy, where
    NumPy's result is a float64 scalar, which is not. Of other inputs: ``value`` as it is."""
    if all(type(x) in (bool, int, float) for x in inputs):
        return float(value)
    return value


def _bias_correction(beta: float, i: Step, dtype: Any) -> Any:
    """1 − βⁱ⁺¹, β rounded to ``dtype`` and the power by :func:`_power`, as JAX's."""
    return 1 - _power(anp.asarray(beta, dtype=dtype), i + 1)


def _inverse_sqrt_where_positive(a: Array) -> Array:
    """1/√a where a > 0, else 0 (a ≥ 0). The 1/√ is taken of 1 where a = 0, a value then
    discarded: JAX's values, without a division by zero."""
    positive = a > 0
    return anp.where(positive, 1.0 / anp.sqrt(anp.where(positive, a, 1.0)), 0.0)


def _normalized_momentum(m: Array, g: Array, accum: Array, momentum: float) -> Array:
    """(1 − momentum)·(g · accum^(−1/2)) + momentum·m, accum^(−1/2) taken as 0 where accum = 0:
    the momentum of Adagrad and SM3."""
    return (1.0 - momentum) * (g * _inverse_sqrt_where_positive(accum)) + momentum * m


# ---------------------------------------------------------------------------- optimizers
@optimizer
def sgd(step_size: float | Schedule) -> ArrayOptimizer:
    """Stochastic gradient descent: x ← x − η·g. The state is x itself.

    ``step_size``: a positive number, or a schedule mapping the step index to one."""
    step_size = make_schedule(step_size)

    def init(x0: Array) -> Array:
        return x0

    def update(i: Step, g: Array, x: Array) -> Array:
        return x - step_size(i) * g

    def get_params(x: Array) -> Array:
        return x

    return Optimizer(init, update, get_params)


@optimizer
def momentum(step_size: float | Schedule, mass: float) -> ArrayOptimizer:
    """SGD with momentum (heavy ball): v ← mass·v + g, x ← x − η·v; v starts at 0.

    ``mass``: the momentum coefficient, a positive number."""
    step_size = make_schedule(step_size)

    def update(i: Step, g: Array, state: tuple) -> tuple:
        x, velocity = state
        velocity = mass * velocity + g
        return x - step_size(i) * velocity, velocity

    return _with_zeros(1), update, _params


@optimizer
def nesterov(step_size: float | Schedule, mass: float) -> ArrayOptimizer:
    """SGD with Nesterov momentum: v ← mass·v + g, x ← x − η·(mass·v + g) (with the new v);
    v starts at 0."""
    step_size = make_schedule(step_size)

    def update(i: Step, g: Array, state: tuple) -> tuple:
        x, velocity = state
        velocity = mass * velocity + g
        return x - step_size(i) * (mass * velocity + g), velocity

    return _with_zeros(1), update, _params


@optimizer
def adagrad(step_size: float | Schedule, momentum: float = 0.9) -> ArrayOptimizer:
    """Adagrad (Duchi, Hazan and Singer, 2011), with momentum: s ← s + g²,
    m ← (1 − momentum)·(g · s^(−1/2)) + momentum·m (s^(−1/2) taken as 0 where s = 0),
    x ← x − η·m; s and m start at 0."""
    step_size = make_schedule(step_size)

    def update(i: Step, g: Array, state: tuple) -> tuple:
        x, g_sq, m = state
        g_sq = g_sq + anp.square(g)
        m = _normalized_momentum(m, g, g_sq, momentum)
        return x - step_size(i) * m, g_sq, m

    return _with_zeros(2), update, _params


def _rms_step(step: float, g: Array, avg_sq_grad: Array, eps: float) -> Array:
    """η·g / √(a + eps), the step of RMSProp (both forms)."""
    return step * g / anp.sqrt(avg_sq_grad + eps)


def _mean_square(avg_sq_grad: Array, g: Array, gamma: float) -> Array:
    """a·gamma + g²·(1 − gamma): RMSProp's running mean of the squared gradient."""
    return avg_sq_grad * gamma + anp.square(g) * (1.0 - gamma)


@optimizer
def rmsprop(step_size: float | Schedule, gamma: float = 0.9, eps: float = 1e-8) -> ArrayOptimizer:
    """RMSProp: a ← a·gamma + g²·(1 − gamma), x ← x − η·g / √(a + eps); a starts at 0.

    ``gamma``: the decay of the running mean a of g²; ``eps``: added under the root."""
    step_size = make_schedule(step_size)

    def update(i: Step, g: Array, state: tuple) -> tuple:
        x, avg_sq_grad = state
        avg_sq_grad = _mean_square(avg_sq_grad, g, gamma)
        return x - _rms_step(step_size(i), g, avg_sq_grad, eps), avg_sq_grad

    return _with_zeros(1), update, _params


@optimizer
def rmsprop_momentum(
    step_size: float | Schedule, gamma: float = 0.9, eps: float = 1e-8, momentum: float = 0.9
) -> ArrayOptimizer:
    """RMSProp with momentum: a ← a·gamma + g²·(1 − gamma), μ ← momentum·μ + η·g / √(a + eps),
    x ← x − μ; a and μ start at 0."""
    step_size = make_schedule(step_size)

    def update(i: Step, g: Array, state: tuple) -> tuple:
        x, avg_sq_grad, mom = state
        avg_sq_grad = _mean_square(avg_sq_grad, g, gamma)
        mom = momentum * mom + _rms_step(step_size(i), g, avg_sq_grad, eps)
        return x - mom, avg_sq_grad, mom

    return _with_zeros(2), update, _params


def _first_moment(m: Array, g: Array, b1: float) -> Array:
    """(1 − b1)·g + b1·m: the running mean of the gradient (Adam, AdaMax)."""
    return (1 - b1) * g + b1 * m


@optimizer
def adam(
    step_size: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
) -> ArrayOptimizer:
    """Adam (Kingma and Ba, 2015): m ← (1 − b1)·g + b1·m, v ← (1 − b2)·g² + b2·v,
    m̂ = m / (1 − b1ⁱ⁺¹), v̂ = v / (1 − b2ⁱ⁺¹), x ← x − η·m̂ / (√v̂ + eps); m and v start at 0.

    ``b1``, ``b2``: the decay rates of the moment estimates m and v; ``eps``: added to √v̂. The
    powers are JAX's binary exponentiation in the parameters' dtype, and m̂ is m · (1/(1 −
    b1ⁱ⁺¹)), as XLA computes JAX's division of an array by a number (so is v̂)."""
    step_size = make_schedule(step_size)

    def update(i: Step, g: Array, state: tuple) -> tuple:
        x, m, v = state
        m = _first_moment(m, g, b1)
        v = (1 - b2) * anp.square(g) + b2 * v
        mhat = divide(m, _bias_correction(b1, i, m.dtype))
        vhat = divide(v, _bias_correction(b2, i, m.dtype))
        return x - step_size(i) * mhat / (anp.sqrt(vhat) + eps), m, v

    return _with_zeros(2), update, _params


@optimizer
def adamax(
    step_size: float | Schedule, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8
) -> ArrayOptimizer:
    """AdaMax (Adam with the infinity norm): m ← (1 − b1)·g + b1·m, u ← max(b2·u, |g|),
    x ← x − (η / (1 − b1ⁱ⁺¹))·m / (u + eps); m and u start at 0."""
    step_size = make_schedule(step_size)

    def update(i: Step, g: Array, state: tuple) -> tuple:
        x, m, u = state
        m = _first_moment(m, g, b1)
        u = anp.maximum(b2 * u, anp.abs(g))
        x = x - (step_size(i) / _bias_correction(b1, i, m.dtype)) * m / (u + eps)
        return x, m, u

    return _with_zeros(2), update, _params


@optimizer
def sm3(step_size: float | Schedule, momentum: float = 0.9) -> ArrayOptimizer:
    """SM3 (Anil, Gupta, Koren and Singer, 2019), with momentum: one accumulator vₖ per axis k
    of x (of length shape[k]; a scalar x counts as shape (1,)), all starting at 0. A step:
    ν = min over k of vₖ (broadcast along axis k) + g², m ← (1 − momentum)·(g · ν^(−1/2)) +
    momentum·m (ν^(−1/2) taken as 0 where ν = 0), x ← x − η·m, and vₖ ← the max of ν over every
    axis but k. The state is ``(x, m, [v₀, v₁, …], x's shape)``."""
    step_size = make_schedule(step_size)

    def init(x0: Array) -> tuple:
        x_shape = anp.shape(x0)
        x0 = anp.atleast_1d(x0)
        accumulators = [anp.zeros(n, dtype=x0.dtype) for n in anp.shape(x0)]
        return x0, anp.zeros_like(x0), accumulators, x_shape

    def update(i: Step, g: Array, state: tuple) -> tuple:
        x, m, accumulators, x_shape = state
        rank = anp.ndim(g)
        along = [_along_axis(v, k, rank) for k, v in enumerate(accumulators)]
        accum = functools.reduce(anp.minimum, along) + anp.square(g)
        m = _normalized_momentum(m, g, accum, momentum)
        x = x - step_size(i) * m
        others = [tuple(a for a in range(anp.ndim(x)) if a != k) for k in range(anp.ndim(x))]
        return x, m, [anp.max(accum, axis=axes) for axes in others], x_shape

    def get_params(state: tuple) -> Array:
        return anp.reshape(state[0], state[3])

    return init, update, get_params


def _along_axis(v: Array, axis: int, rank: int) -> Array:
    """The vector v as an array of ``rank`` axes laid along ``axis`` (length 1 on the others;
    JAX's indexing with None, so for rank 0 it stays a vector)."""
    index = [None] * rank
    index[axis : axis + 1] = [slice(None)]
    return v[tuple(index)]


# ---------------------------------------------------------------------------- schedules
def constant(step_size: float) -> Schedule:
    """η(i) = step_size."""

    def schedule(i: Step) -> float:
        return step_size

    return schedule


def exponential_decay(step_size: float, decay_steps: float, decay_rate: float) -> Schedule:
    """η(i) = step_size · decay_rate^(i / decay_steps) (Python's arithmetic for a Python int
    i, as JAX's)."""

    def schedule(i: Step) -> Any:
        return step_size * decay_rate ** (i / decay_steps)

    return schedule


def inverse_time_decay(
    step_size: float, decay_steps: float, decay_rate: float, staircase: bool = False
) -> Schedule:
    """η(i) = step_size / (1 + decay_rate · i / decay_steps), or with ``staircase``
    step_size / (1 + decay_rate · ⌊i / decay_steps⌋)."""

    def schedule(i: Step) -> Any:
        if staircase:
            value = step_size / (1 + decay_rate * anp.floor(i / decay_steps))
            return _typed_as_jax(value, step_size, decay_steps, decay_rate, i)
        return step_size / (1 + decay_rate * i / decay_steps)

    return schedule


def polynomial_decay(
    step_size: float, decay_steps: float, final_step_size: float, power: float = 1.0
) -> Schedule:
    """η(i) = (1 − min(i, decay_steps) / decay_steps)^power · (step_size − final_step_size) +
    final_step_size: from step_size to final_step_size in decay_steps steps, then constant. The
    power is ``jax.numpy.power``'s (binary exponentiation for an integer ``power``, else pow)."""

    def schedule(step_num: Step) -> Any:
        done = anp.minimum(step_num, decay_steps)
        step_mult = _power(1 - done / decay_steps, power)
        value = step_mult * (step_size - final_step_size) + final_step_size
        return _typed_as_jax(value, step_size, decay_steps, final_step_size, power, step_num)

    return schedule


def piecewise_constant(boundaries: Any, values: Any) -> Schedule:
    """η(i) = values[k], k the number of boundaries that i exceeds: values[0] up to
    boundaries[0] (included), values[1] up to boundaries[1], …, values[-1] after the last.
    ``values`` has one entry more than ``boundaries`` (ValueError otherwise, as JAX's)."""
    boundaries, values = np.array(boundaries), np.array(values)
    if not boundaries.ndim == values.ndim == 1:
        raise ValueError("boundaries and values must be sequences")
    if not boundaries.shape[0] == values.shape[0] - 1:
        raise ValueError("boundaries length must be one shorter than values length")

    def schedule(i: Step) -> Any:
        return values[np.sum(i > boundaries)]

    return schedule


def make_schedule(scalar_or_schedule: float | Schedule) -> Schedule:
    """A schedule as it is, a number as :func:`constant`; anything else is a TypeError."""
    if callable(scalar_or_schedule):
        return scalar_or_schedule
    if anp.ndim(scalar_or_schedule) == 0:
        return constant(scalar_or_schedule)
    raise TypeError(
        f"a step size is a number or a schedule (a function of the step index), got "
        f"{type(scalar_or_schedule).__name__} of shape {anp.shape(scalar_or_schedule)}"
    )


# ---------------------------------------------------------------------------- utilities
def l2_norm(tree: Any) -> Any:
    """‖tree‖₂ = √(Σ over leaves of ⟨x, x⟩), e.g. for weight decay. Each leaf's ⟨x, x⟩ is
    NumPy's dot, whose order of summation is not XLA's: equal to JAX's to a few ulps."""
    return anp.sqrt(sum(anp.vdot(x, x) for x in pytree.leaves(tree)))


def clip_grads(grad_tree: Updates, max_norm: float) -> Updates:
    """The gradients scaled to norm at most ``max_norm``: g where ‖g‖₂ < max_norm (the
    :func:`l2_norm` of the whole tree), else g · (max_norm / ‖g‖₂)."""
    norm = l2_norm(grad_tree)
    within = norm < max_norm
    scale = max_norm / anp.where(within, max_norm, norm)  # the unused branch: no 0 divisor

    def normalize(g: Array) -> Array:
        return anp.where(within, g, g * scale)

    return pytree.map(normalize, grad_tree)


# ---------------------------------------------------------------------------- serialization
class JoinPoint:
    """Marks the boundary between two joined (nested) pytrees: one parameter leaf's optimizer
    state ``subtree``, as a leaf of the parameters' tree (:func:`unpack_optimizer_state`)."""

    def __init__(self, subtree: Any) -> None:
        self.subtree = subtree

    def __iter__(self) -> Any:
        """Iterable, as containers of arrays are (for serializers that walk them)."""
        yield self.subtree

    def __repr__(self) -> str:
        return f"JoinPoint({self.subtree!r})"


def unpack_optimizer_state(opt_state: OptimizerState) -> Any:
    """The state as one nested pytree, for serialization: the parameters' tree whose leaves are
    :class:`JoinPoint`\\ s, each holding its leaf's optimizer state (e.g. ``(x, m, v)``)."""
    return pytree.unflatten(opt_state.tree_def, [JoinPoint(s) for s in _unpack(opt_state)])


def pack_optimizer_state(marked_pytree: Any) -> OptimizerState:
    """The inverse of :func:`unpack_optimizer_state`: an :class:`OptimizerState` from a tree
    whose leaves are :class:`JoinPoint`\\ s (a TypeError for any other leaf; JAX's fails an
    assertion)."""
    sentinels, tree_def = pytree.flatten(marked_pytree)
    strays = [type(s).__name__ for s in sentinels if not isinstance(s, JoinPoint)]
    if strays:
        raise TypeError(
            "pack_optimizer_state takes a tree whose leaves are all JoinPoints, as "
            f"unpack_optimizer_state makes; got leaves of type {', '.join(sorted(set(strays)))}"
        )
    return _pack([s.subtree for s in sentinels], tree_def)
