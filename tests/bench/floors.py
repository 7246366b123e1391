"""Hand-written floors that the admodes engines are measured against.

Everything here is deliberately minimal: the fastest honest plain-Python (or plain-NumPy)
way to get the same derivative, with no generality beyond what the benchmarks need.

* :class:`Dual` — forward mode over Python floats (value, derivative).
* :class:`Tape` / :class:`TapeVar` — reverse mode: one record per op, one backward sweep.
* :class:`NestedTape` / :class:`NestedVar` — the same for scalar code that nests gradients
  (GradBench's ``saddle`` and ``particle`` in mode pair ``rr``): levels, and partials that an
  outer tape records.
* :func:`chain_fn` — the scalar benchmark, generic over floats, floors and traced values.
* :func:`mlp_forward`, :func:`mlp_loss`, :func:`mlp_backprop` — an MLP with hand backprop.
"""

from __future__ import annotations

import importlib
import itertools
import math
from collections.abc import Callable
from types import ModuleType
from typing import Any

import numpy as np

CHAIN_STEPS = 2500
"""Steps of the full scalar chain."""

OPS_PER_STEP = 4
"""Primitive ops per chain step: sin, mul, mul, add."""

MLP_SIZES = (784, 512, 512, 10)
"""Layer widths of the benchmark MLP."""

MLP_BATCH = 128
"""Batch size of the benchmark MLP."""

Params = list[tuple[np.ndarray, np.ndarray]]


# --------------------------------------------------------------------------- forward mode


class Dual:
    """A dual number ``val + der·ε`` over Python floats."""

    __slots__ = ("der", "val")

    def __init__(self, val: float, der: float = 0.0) -> None:
        self.val = val
        self.der = der

    def __add__(self, other: Dual | float) -> Dual:
        if type(other) is Dual:
            return Dual(self.val + other.val, self.der + other.der)
        return Dual(self.val + other, self.der)

    __radd__ = __add__

    def __mul__(self, other: Dual | float) -> Dual:
        if type(other) is Dual:
            return Dual(self.val * other.val, self.der * other.val + self.val * other.der)
        return Dual(self.val * other, self.der * other)

    __rmul__ = __mul__


def dual_sin(x: Dual) -> Dual:
    """``sin`` of a dual number."""
    return Dual(math.sin(x.val), math.cos(x.val) * x.der)


def dual_grad(fun: Callable[[Dual], Dual]) -> Callable[[float], float]:
    """Derivative of a scalar function of one float, by one forward pass."""

    def grad_fun(x: float) -> float:
        return fun(Dual(x, 1.0)).der

    return grad_fun


# --------------------------------------------------------------------------- reverse mode


class Tape:
    """A flat list of op records ``(out id, input ids, local partials)`` over floats.

    A node's id is its position in the list, so leaves get a record with no inputs.
    """

    __slots__ = ("records",)

    def __init__(self) -> None:
        self.records: list[tuple[int, tuple[int, ...], tuple[float, ...]]] = []

    def var(self, val: float) -> TapeVar:
        """A new leaf variable."""
        idx = len(self.records)
        self.records.append((idx, (), ()))
        return TapeVar(val, idx, self.records)

    def backward(self, out: TapeVar) -> list[float]:
        """Adjoints of every node for the output ``out``: one reverse sweep over the records."""
        adj = [0.0] * len(self.records)
        adj[out.idx] = 1.0
        for idx, inputs, partials in reversed(self.records):
            g = adj[idx]
            n = len(inputs)
            if n == 1:
                adj[inputs[0]] += g * partials[0]
            elif n == 2:
                a, b = inputs
                adj[a] += g * partials[0]
                adj[b] += g * partials[1]
        return adj


class TapeVar:
    """A float recorded on a tape: its value, node id and the tape's record list."""

    __slots__ = ("idx", "records", "val")

    def __init__(self, val: float, idx: int, records: list) -> None:
        self.val = val
        self.idx = idx
        self.records = records

    def __add__(self, other: TapeVar | float) -> TapeVar:
        records = self.records
        idx = len(records)
        if type(other) is TapeVar:
            records.append((idx, (self.idx, other.idx), (1.0, 1.0)))
            return TapeVar(self.val + other.val, idx, records)
        records.append((idx, (self.idx,), (1.0,)))
        return TapeVar(self.val + other, idx, records)

    __radd__ = __add__

    def __mul__(self, other: TapeVar | float) -> TapeVar:
        records = self.records
        idx = len(records)
        if type(other) is TapeVar:
            records.append((idx, (self.idx, other.idx), (other.val, self.val)))
            return TapeVar(self.val * other.val, idx, records)
        records.append((idx, (self.idx,), (other,)))
        return TapeVar(self.val * other, idx, records)

    __rmul__ = __mul__


def tape_sin(x: TapeVar) -> TapeVar:
    """``sin`` of a taped variable."""
    records = x.records
    idx = len(records)
    records.append((idx, (x.idx,), (math.cos(x.val),)))
    return TapeVar(math.sin(x.val), idx, records)


def tape_grad(fun: Callable[[TapeVar], TapeVar]) -> Callable[[float], float]:
    """Derivative of a scalar function of one float, by recording then one reverse sweep."""

    def grad_fun(x: float) -> float:
        tape = Tape()
        leaf = tape.var(x)
        return tape.backward(fun(leaf))[leaf.idx]

    return grad_fun


# --------------------------------------------------------------------------- nested reverse mode


class NestedTape:
    """A tape of scalar ops whose values may be traced by an outer tape: a later tape has a
    higher level, and an op is recorded on the highest-level tape among its operands.

    A record is the tuple of ``(input id, local partial)`` pairs of the op's inputs on this
    tape; a partial may be an outer tape's variable, so the sweep's products ``ḡ · ∂`` are
    recorded by the outer tape (that is what makes the gradient differentiable again).
    """

    __slots__ = ("level", "records")

    levels = itertools.count()

    def __init__(self) -> None:
        self.level = next(NestedTape.levels)
        self.records: list[tuple[tuple[int, Any], ...]] = []

    def record(self, value: Any, *inputs: tuple[Any, Any]) -> NestedVar:
        """A variable for ``value``, computed from the ``(operand, partial)`` pairs ``inputs``
        (operands that are not this tape's variables are constants to it)."""
        edges = []
        for x, d in inputs:
            if type(x) is NestedVar and x.tape is self:
                edges.append((x.idx, d))
        idx = len(self.records)
        self.records.append(tuple(edges))
        return NestedVar(value, idx, self)

    def gradient(self, out: Any, leaves: tuple[NestedVar, ...]) -> tuple[Any, ...]:
        """∂out/∂leaf for each leaf: one reverse sweep."""
        if not (type(out) is NestedVar and out.tape is self):
            return tuple(0.0 for _ in leaves)
        adj: list[Any] = [None] * len(self.records)
        adj[out.idx] = 1.0
        for idx in range(out.idx, -1, -1):
            g = adj[idx]
            if g is None:
                continue
            for i, d in self.records[idx]:
                c = g * d
                adj[i] = c if adj[i] is None else adj[i] + c
        return tuple(0.0 if adj[x.idx] is None else adj[x.idx] for x in leaves)


class NestedVar:
    """A scalar recorded on a :class:`NestedTape`: ``val`` is a float or an outer variable.

    A reflected operator's other operand is never a variable (Python would have called that
    variable's own operator), so it is a constant: the op is recorded on this variable's tape.
    """

    __slots__ = ("idx", "tape", "val")

    def __init__(self, val: Any, idx: int, tape: NestedTape) -> None:
        self.val = val
        self.idx = idx
        self.tape = tape

    def __add__(self, other: Any) -> NestedVar:
        tape, a, b = _innermost(self, other)
        return tape.record(a + b, (self, 1.0), (other, 1.0))

    def __radd__(self, other: Any) -> NestedVar:
        return self.tape.record(other + self.val, (self, 1.0))

    def __sub__(self, other: Any) -> NestedVar:
        tape, a, b = _innermost(self, other)
        return tape.record(a - b, (self, 1.0), (other, -1.0))

    def __rsub__(self, other: Any) -> NestedVar:
        return self.tape.record(other - self.val, (self, -1.0))

    def __mul__(self, other: Any) -> NestedVar:
        tape, a, b = _innermost(self, other)
        return tape.record(a * b, (self, b), (other, a))

    def __rmul__(self, other: Any) -> NestedVar:
        return self.tape.record(other * self.val, (self, other))

    def __truediv__(self, other: Any) -> NestedVar:
        """a / b: ∂/∂a = 1/b, ∂/∂b = −q/b, each computed only for an operand on the tape."""
        tape, a, b = _innermost(self, other)
        q = a / b
        inputs = []
        if self.tape is tape:
            inputs.append((self, 1.0 / b))
        if type(other) is NestedVar and other.tape is tape:
            inputs.append((other, -q / b))
        return tape.record(q, *inputs)

    def __rtruediv__(self, other: Any) -> NestedVar:
        b = self.val
        q = other / b
        return self.tape.record(q, (self, -q / b))

    def __neg__(self) -> NestedVar:
        return self.tape.record(-self.val, (self, -1.0))

    def __pow__(self, n: float) -> NestedVar:
        """xⁿ for a constant n: ∂ = n·xⁿ⁻¹ (2x for a square)."""
        x = self.val
        return self.tape.record(x**n, (self, n * x if n == 2 else n * x ** (n - 1)))

    def __lt__(self, other: Any) -> bool:
        return plain_value(self) < plain_value(other)

    def __le__(self, other: Any) -> bool:
        return plain_value(self) <= plain_value(other)

    def __gt__(self, other: Any) -> bool:
        return plain_value(self) > plain_value(other)

    def __ge__(self, other: Any) -> bool:
        return plain_value(self) >= plain_value(other)


def _innermost(x: NestedVar, y: Any) -> tuple[NestedTape, Any, Any]:
    """The tape that records ``x ∘ y`` (the higher level), and both operands as it sees them:
    its own variables unwrapped, anything else (constants, outer variables) as it is."""
    tape = x.tape
    if type(y) is NestedVar and y.tape.level > tape.level:
        tape = y.tape
    a = x.val if x.tape is tape else x
    b = y.val if type(y) is NestedVar and y.tape is tape else y
    return tape, a, b


def plain_value(x: Any) -> float:
    """The float beneath every level."""
    while type(x) is NestedVar:
        x = x.val
    return x


def nested_sqrt(x: Any) -> Any:
    """√x of a float or a variable (∂ = 1 / 2√x)."""
    if type(x) is not NestedVar:
        return math.sqrt(x)
    root = nested_sqrt(x.val)
    return x.tape.record(root, (x, 0.5 / root))


def nested_grad(fun: Callable[[tuple], Any]) -> Callable[[tuple], tuple]:
    """∇fun of a function of a tuple of scalars, by a new tape (nests inside another)."""

    def gradient(x: tuple) -> tuple:
        tape = NestedTape()
        leaves = tuple(tape.record(v) for v in x)
        return tape.gradient(fun(leaves), leaves)

    return gradient


# --------------------------------------------------------------------------- scalar chain


def chain_fn(y: Any, steps: int = CHAIN_STEPS, sin: Callable[[Any], Any] = math.sin) -> Any:
    """``steps`` times ``y = sin(y)*1.0001 + 0.1*y`` (4 primitive ops per step).

    Generic over floats, :class:`Dual`, :class:`TapeVar` and traced values: pass the
    ``sin`` that matches the type of ``y``.
    """
    for _ in range(steps):
        y = sin(y) * 1.0001 + 0.1 * y
    return y


# --------------------------------------------------------------------------- MLP


def init_mlp(rng: np.random.Generator, sizes: tuple[int, ...] = MLP_SIZES) -> Params:
    """Float64 ``(W, b)`` per layer, ``W`` scaled by ``1/sqrt(fan_in)``."""
    return [
        (rng.standard_normal((m, n)) / math.sqrt(m), 0.1 * rng.standard_normal(n))
        for m, n in itertools.pairwise(sizes)
    ]


def mlp_data(
    rng: np.random.Generator, sizes: tuple[int, ...] = MLP_SIZES, batch: int = MLP_BATCH
) -> tuple[np.ndarray, np.ndarray]:
    """A float64 input batch ``X`` and regression targets ``Y``."""
    return rng.standard_normal((batch, sizes[0])), rng.standard_normal((batch, sizes[-1]))


def mlp_loss(params: Params, X: np.ndarray, Y: np.ndarray, xp: Any = np) -> Any:
    """Mean squared error of the MLP, written once for any NumPy-like module ``xp``.

    Uses only ``@``, ``+``, ``-``, ``*``, ``xp.tanh`` and ``xp.mean``, so it runs
    unchanged on NumPy, ``admodes.numpy``, ``jax.numpy`` and ``autograd.numpy``. It iterates
    over ``params`` instead of slicing it: slicing a traced list costs autograd 2x here.
    """
    h = X
    last = len(params) - 1
    for layer, (W, b) in enumerate(params):
        h = h @ W + b
        if layer < last:
            h = xp.tanh(h)
    err = h - Y
    return xp.mean(err * err)


def mlp_forward(params: Params, X: np.ndarray, Y: np.ndarray) -> float:
    """The NumPy floor of the forward pass: :func:`mlp_loss` with in-place element-wise ops."""
    h = X
    for W, b in params[:-1]:
        h = h @ W
        h += b
        np.tanh(h, out=h)
    W, b = params[-1]
    err = h @ W
    err += b
    err -= Y
    return float(np.vdot(err, err)) / err.size


def mlp_backprop(params: Params, X: np.ndarray, Y: np.ndarray) -> Params:
    """Hand-written gradient of :func:`mlp_loss` w.r.t. every ``(W, b)``, as ``(dW, db)``.

    Stores only the hidden activations, reuses them for ``tanh' = 1 - a²`` (in place, they
    are ours), and computes no gradient w.r.t. the input batch.
    """
    acts = [X]
    h = X
    for W, b in params[:-1]:
        h = h @ W
        h += b
        np.tanh(h, out=h)
        acts.append(h)
    W, b = params[-1]
    delta = h @ W
    delta += b
    delta -= Y
    delta *= 2.0 / delta.size  # d mean(err²) / d err
    grads = []
    for layer in range(len(params) - 1, -1, -1):
        a = acts[layer]
        grads.append((a.T @ delta, delta.sum(axis=0)))
        if layer == 0:
            break
        delta = delta @ params[layer][0].T
        np.square(a, out=a)
        np.subtract(1.0, a, out=a)
        delta *= a
    grads.reverse()
    return grads


def max_rel_error(got: Any, want: Any) -> float:
    """Largest ``max|g - w| / max|w|`` over the ``(dW, db)`` pairs of two MLP gradients.

    Both sides are converted to NumPy float64 first, so that JAX arrays are never the ones
    doing the arithmetic (outside ``jax.enable_x64`` they would round to float32).
    """
    errors = []
    for got_pair, want_pair in zip(got, want, strict=True):
        for g, w in zip(got_pair, want_pair, strict=True):
            g, w = np.asarray(g, dtype=np.float64), np.asarray(w, dtype=np.float64)
            assert g.shape == w.shape, (g.shape, w.shape)
            errors.append(float(np.max(np.abs(g - w)) / np.max(np.abs(w))))
    return max(errors)


def load_admodes() -> tuple[ModuleType, ModuleType]:
    """``admodes`` and ``admodes.numpy``, imported on use so that the floors need no engine."""
    return importlib.import_module("admodes"), importlib.import_module("admodes.numpy")
