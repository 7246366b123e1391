"""The worked-example table for any small function: :func:`explain`.

One row per recorded primitive — node, op, inputs, value, the local partial derivatives, and the
adjoint (reverse mode) or the tangents (forward mode) — then the derivative, and the graph as
DOT text (:meth:`Explanation.dot`; to draw it with matplotlib, :func:`admodes.drawing.draw`).

Every number comes from a real admodes run: ``f`` is recorded on a :class:`~admodes.reverse.Tape`
and the rows are read from ``Tape.entries``. Adjoints come from the tape's own backward sweep (the
cotangent of every node); tangents from the forward engine, one pass per input direction, with
the tape recording on top of the duals (each entry's output is then a dual whose tangent is that
node's). Local partials are the registry's: an elementwise op's partial ∂ᵢ, or for an op with a
scalar output its VJP rule applied to the cotangent 1.

``python -m admodes.explain seed`` prints the worked examples of the chapter admodes grew from.
"""

from __future__ import annotations

import argparse
import inspect
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from admodes.core import plain, shape
from admodes.derivatives import contribution
from admodes.forward import Dual, ForwardTrace
from admodes.measure import is_float_leaf
from admodes.nn import relu
from admodes.registry import IDENTITY, NEGATE, Primitive
from admodes.reverse import Node, Tape
from admodes.tree import flatten, flatten_with_path, keystr, unflatten

__all__ = ["Explanation", "Row", "explain", "seed_report"]

#: Forward mode shows one pass per input direction; more than this needs fewer inputs.
MAX_DIRECTIONS = 8


@dataclass(frozen=True)
class Row:
    """One node of the graph: an input (``op == "input"``) or a recorded primitive."""

    node: str
    op: str
    #: The names of the nodes it reads, or the constants, formatted.
    inputs: tuple[str, ...]
    value: Any
    #: ∂value/∂input per input that is a node (None for constants and input rows); a string
    #: where the local derivative is a Jacobian of an array-valued op.
    partials: tuple[Any, ...]
    #: Reverse mode: the adjoint ∂out/∂node. Forward mode: one tangent per input direction.
    derivative: Any


@dataclass(frozen=True)
class Explanation:
    """What :func:`explain` recorded; ``print(explanation)`` shows the table and the derivative."""

    mode: str
    rows: list[Row]
    #: The names of the derivative's columns: "adjoint", or "ṫ(w)" per forward pass.
    directions: tuple[str, ...]
    #: (parent row, child row, local partial) for every edge between nodes.
    edges: list[tuple[int, int, Any]]
    output: str
    value: Any
    #: Reverse mode: ∂out/∂input per input; forward mode: the output's tangent per pass.
    derivative: dict[str, Any]

    def table(self, max_rows: int = 40, edge_rows: int = 8) -> str:
        """The rows as text; beyond ``max_rows``, the first and last ``edge_rows`` and a count
        of the rest by op."""
        header = ["node", "op", "inputs", "value", "local partials", *self.directions]
        lines = [
            [
                row.node,
                row.op,
                ", ".join(row.inputs),
                fmt(row.value),
                ", ".join(fmt(p) for p in row.partials if p is not None),
                *(fmt(d) for d in self._derivatives(row)),
            ]
            for row in self.rows
        ]
        omitted: list[Row] = []
        if len(lines) > max_rows:
            omitted = self.rows[edge_rows:-edge_rows]
            gap = [f"… {len(omitted)} rows", "", "", "", "", *("" for _ in self.directions)]
            lines = [*lines[:edge_rows], gap, *lines[-edge_rows:]]
        widths = [max(len(str(c)) for c in column) for column in zip(header, *lines, strict=True)]
        text = [
            "  ".join(str(c).ljust(w) for c, w in zip(line, widths, strict=True)).rstrip()
            for line in (header, *lines)
        ]
        if omitted:
            by_op = Counter(row.op for row in omitted)
            text.append("omitted: " + ", ".join(f"{k} × {op}" for op, k in by_op.most_common()))
        return "\n".join(text)

    def _derivatives(self, row: Row) -> tuple[Any, ...]:
        return (row.derivative,) if self.mode == "reverse" else tuple(row.derivative)

    def __str__(self) -> str:
        kind = "∂{0}/∂{1}" if self.mode == "reverse" else "∂{0}/∂{1} (forward pass seeded on {1})"
        results = [
            f"{kind.format(self.output, name)} = {fmt(d)}" for name, d in self.derivative.items()
        ]
        counts = f"{len(self.rows)} nodes, {sum(r.op != 'input' for r in self.rows)} primitives"
        return "\n".join([self.table(), f"{self.output} = {fmt(self.value)}; {counts}", *results])

    def dot(self) -> str:
        """The graph in Graphviz's DOT language (plain text: render it with any DOT tool)."""
        lines = ["digraph admodes {", "  rankdir=LR;"]
        for k, row in enumerate(self.rows):
            derived = ", ".join(fmt(d) for d in self._derivatives(row))
            label = f"{row.node} = {row.op}\\nvalue {fmt(row.value)}\\n{self.mode}: {derived}"
            node_shape = "ellipse" if row.op == "input" else "box"
            lines.append(f'  n{k} [shape={node_shape}, label="{label}"];')
        for parent, child, partial in self.edges:
            lines.append(f'  n{parent} -> n{child} [label="∂ {fmt(partial)}"];')
        lines.append("}")
        return "\n".join(lines)


def fmt(value: Any) -> str:
    """A short form of a number or array: 6 significant digits; arrays of more than 6 entries as
    dtype and shape."""
    if isinstance(value, str):
        return value
    value = plain(value)
    if isinstance(value, float | int | np.generic) or np.ndim(value) == 0:
        return f"{float(value):.6g}"
    array = np.asarray(value)
    if array.size > 6:
        return f"{array.dtype}{list(array.shape)}"
    return " ".join(np.array2string(array, precision=6, separator=", ").split())


def explain(
    f: Callable[..., Any], *args: Any, mode: str = "reverse", names: Sequence[str] = ()
) -> Explanation:
    """Record ``f(*args)`` and explain its derivative node by node.

    Every floating-point leaf of ``args`` is an input (named after ``f``'s parameters); other
    leaves are constants. ``mode="reverse"``: ``f`` must return a scalar; each row's adjoint is
    ∂f/∂node, from one backward sweep. ``mode="forward"``: one pass per input direction (at most
    :data:`MAX_DIRECTIONS`), each row's tangents are ∂node/∂input, one per pass. ``names``
    label the recorded nodes in order (the rest are v1, v2, ...).
    """
    if mode not in ("reverse", "forward"):
        raise ValueError(f"mode must be 'reverse' or 'forward', got {mode!r}")
    inputs, leaves, rebuild = _inputs(f, args)
    if not leaves:
        raise TypeError(
            "explain differentiates in the floating-point arguments, and none was given (an "
            "integer or bool is a constant): pass floats, e.g. 2.0 for 2"
        )
    labels = (inputs, tuple(names))
    if mode == "reverse":
        tape, _, out = _record(f, rebuild, leaves)
        return _reverse(tape, labels, leaves, out)
    seeds = _directions(inputs, leaves)
    runs = []
    for _, seed in seeds:
        trace = ForwardTrace()
        duals = [Dual(x, t, trace) for x, t in zip(leaves, seed, strict=True)]
        runs.append((trace, *_record(f, rebuild, duals)))
    return _forward(runs, labels, [label for label, _ in seeds])


def _inputs(f: Callable[..., Any], args: tuple) -> tuple[list[str], list[Any], Callable]:
    """Names and values of the float leaves of ``args``, and how to call ``f`` with them."""
    params = list(inspect.signature(f).parameters)
    names, leaves, where = [], [], []
    for k, arg in enumerate(args):
        base = params[k] if k < len(params) else f"arg{k}"
        for j, (path, leaf) in enumerate(flatten_with_path(arg)[0]):
            if is_float_leaf(leaf):
                names.append(base + keystr(path))  # p['w'], p[0].b: the leaf's keys
                leaves.append(leaf)
                where.append((k, j))

    def rebuild(values: list[Any]) -> tuple:
        flat = [flatten(a) for a in args]
        per_arg = [list(ls) for ls, _ in flat]
        for (k, j), v in zip(where, values, strict=True):
            per_arg[k][j] = v
        return tuple(unflatten(treedef, ls) for (_, treedef), ls in zip(flat, per_arg, strict=True))

    return names, leaves, rebuild


def _record(
    f: Callable[..., Any], rebuild: Callable[[list[Any]], tuple], values: list[Any]
) -> tuple[Tape, list[Node], Any]:
    """``f`` run once with ``values`` as the inputs of a new tape."""
    tape = Tape()
    nodes = tape.inputs(values)
    return tape, nodes, f(*rebuild(nodes))


def _directions(names: list[str], leaves: list[Any]) -> list[tuple[str, list[Any]]]:
    """One (label, tangents) per scalar input direction: a unit seed on one entry of one input."""
    total = sum(np.size(x) for x in leaves)
    if total > MAX_DIRECTIONS:
        raise ValueError(
            f"forward mode shows one pass per input direction; f has {total} (at most "
            f"{MAX_DIRECTIONS} are shown): use mode='reverse' or explain a smaller f"
        )
    seeds = []
    for k, (name, x) in enumerate(zip(names, leaves, strict=True)):
        for e in range(np.size(x)):
            seed = [_zero_like(y) for y in leaves]
            if isinstance(x, float):
                seed[k] = 1.0
            else:
                unit = np.zeros(np.shape(x), np.result_type(x))
                unit.flat[e] = 1.0
                seed[k] = unit
            seeds.append((name if np.ndim(x) == 0 else f"{name}.flat[{e}]", seed))
    return seeds


def _zero_like(x: Any) -> Any:
    return 0.0 if isinstance(x, float) else np.zeros(np.shape(x), np.result_type(x))


Labels = tuple[list[str], tuple[str, ...]]
"""The inputs' names and the names given to the recorded nodes."""


def _graph(tape: Tape, names: Labels) -> tuple[list[str], list[tuple]]:
    """Node names by tape index (the inputs', then the given names, then v1, v2, ...) and the
    tape's entries; the inputs are the tape's first nodes, so a node's tape index is its row."""
    inputs, given = names
    labels = list(inputs)
    entries = []
    for entry in tape.entries:
        index = entry[5]
        if isinstance(index, tuple):
            raise ValueError(
                f"explain shows primitives; f contains {entry[0].name}, a checkpointed call "
                "(ad.checkpoint or ad.iterate with a schedule) or a custom_jvp / custom_vjp "
                "call, which the tape records as one opaque step"
            )
        k = len(labels) - len(inputs)
        labels.append(given[k] if k < len(given) else f"v{k + 1}")
        entries.append(entry)
    return labels, entries


def _partials(prim: Primitive, primals: tuple, out: Any, params: dict, parents: list) -> tuple:
    """The local partial ∂out/∂input for each input that is a node (None for constants)."""
    values = tuple(plain(p) for p in primals)
    ans = plain(out)
    result = []
    for i, parent in enumerate(parents):
        if parent is None:
            result.append(None)
        elif prim.partials is not None:
            d = prim.partials[i]
            result.append(
                0.0
                if d is None
                else 1.0
                if d is IDENTITY
                else -1.0
                if d is NEGATE
                else d(ans, *values)
            )
        elif shape(ans) == ():
            unit = 1.0 if isinstance(ans, float) else np.ones((), np.result_type(ans))
            c = contribution(prim, prim.vjps, False, i, unit, ans, values, params)
            result.append(0.0 if c is None else c)
        else:
            result.append(f"J {prim.name}")
    return tuple(result)


def _rows(
    tape: Tape, names: Labels, leaves: list[Any], derivative: Callable[[int], Any]
) -> tuple[list[Row], list[tuple[int, int, Any]]]:
    """The table's rows (inputs first) and edges, ``derivative(index)`` for each node."""
    labels, entries = _graph(tape, names)
    rows = [
        Row(name, "input", (), x, (), derivative(k))
        for k, (name, x) in enumerate(zip(names[0], leaves, strict=True))
    ]
    edges = []
    for prim, primals, params, out, parents, index in entries:
        partials = _partials(prim, primals, out, params, parents)
        inputs = tuple(
            fmt(p) if i is None else labels[i] for p, i in zip(primals, parents, strict=True)
        )
        rows.append(Row(labels[index], prim.name, inputs, plain(out), partials, derivative(index)))
        edges += [(i, index, d) for i, d in zip(parents, partials, strict=True) if i is not None]
    return rows, edges


def _reverse(tape: Tape, names: Labels, leaves: list[Any], out: Any) -> Explanation:
    """Adjoints of every node from one backward sweep of the tape, seeded with ∂out/∂out = 1."""
    if shape(out) != ():
        raise ValueError(
            f"reverse mode explains a scalar output; f returned shape {shape(out)}: use "
            "mode='forward' or explain a scalar function of it"
        )
    recorded = type(out) is Node and out._trace is tape
    seeds = [(out.index, _ones(plain(out)))] if recorded else []
    cts = tape.backward(seeds, range(tape.n_nodes), consume=False, keep=True)
    adjoint = lambda index: 0.0 if cts[index] is None else cts[index]
    rows, edges = _rows(tape, names, leaves, adjoint)
    output = rows[out.index].node if recorded else "f"
    derivative = {name: adjoint(k) for k, name in enumerate(names[0])}
    return Explanation("reverse", rows, ("adjoint",), edges, output, plain(out), derivative)


def _forward(runs: list[tuple], names: Labels, labels: list[str]) -> Explanation:
    """Tangents of every node, one forward pass per direction (the tape records on the duals)."""
    per_run = []
    for trace, tape, nodes, out in runs:
        values = [node.primal for node in nodes] + [entry[3] for entry in tape.entries]
        per_run.append([_tangent(v, trace) for v in values] + [_tangent(_unwrap(out, tape), trace)])
    tape, nodes, out = runs[0][1:]
    leaves = [plain(node) for node in nodes]
    rows, edges = _rows(tape, names, leaves, lambda index: tuple(t[index] for t in per_run))
    recorded = type(out) is Node and out._trace is tape
    output = rows[out.index].node if recorded else "f"
    derivative = {label: t[-1] for label, t in zip(labels, per_run, strict=True)}
    columns = tuple(f"ṫ({label})" for label in labels)
    return Explanation("forward", rows, columns, edges, output, plain(out), derivative)


def _ones(value: Any) -> Any:
    """The seed ∂out/∂out = 1, typed like the output."""
    return 1.0 if isinstance(value, float) else np.ones(shape(value), np.result_type(value))


def _unwrap(value: Any, tape: Tape) -> Any:
    return value.primal if type(value) is Node and value._trace is tape else value


def _tangent(value: Any, trace: ForwardTrace) -> Any:
    """The tangent ``trace`` carries for ``value`` (0 where it carries none)."""
    return value.tangent if type(value) is Dual and value._trace is trace else 0.0


# ---------------------------------------------------------------------------- the chapter
def _chain(x: Any) -> Any:
    return (3 * x + 2) ** 2


def _loss(w: Any, x: Any, b: Any) -> Any:
    return (w * x + b) ** 2


def _two_layer_net(w1: Any, w2: Any) -> Any:
    x, y = 2.0, 1.0
    z1 = w1 * x
    a1 = relu(z1)
    z2 = w2 * a1
    return (z2 - y) ** 2


def seed_report() -> str:
    """The chapter's worked examples, each computed by :func:`explain`."""
    chain = explain(_chain, 1.0, names=("3x", "u", "f"))
    loss = explain(_loss, 2.0, 3.0, 1.0, names=("z", "h", "L"))
    loss_forward = explain(_loss, 2.0, 3.0, 1.0, mode="forward", names=("z", "h", "L"))
    net = explain(_two_layer_net, 0.5, -0.3, names=("z1", "a1", "z2", "z2 - y", "L"))
    g = net.derivative
    lr = 0.1
    w1, w2 = 0.5 - lr * g["w1"], -0.3 - lr * g["w2"]
    blame = loss.derivative["w"] / loss.derivative["b"]
    return "\n\n".join(
        [
            "1. The chain rule: f(x) = (3x + 2)² at x = 1, u = 3x + 2 (reverse mode)",
            str(chain),
            f"df/dx = df/du · du/dx = 2u · 3 = {fmt(chain.derivative['x'])}",
            "2. L = (w·x + b)² at w = 2, x = 3, b = 1 (reverse mode: one backward sweep)",
            str(loss),
            f"blame: ∂L/∂w / ∂L/∂b = {fmt(loss.derivative['w'])} / "
            f"{fmt(loss.derivative['b'])} = {fmt(blame)}× (w gets {fmt(blame)}× more blame than b)",
            "The same derivatives by forward mode: one pass per input",
            str(loss_forward),
            "3. Two-layer ReLU net: x = 2, y = 1, w1 = 0.5, w2 = -0.3, L = (w2·relu(w1·x) - y)²",
            str(net),
            f"SGD step, lr = {fmt(lr)}: w1 {fmt(0.5)} -> {fmt(w1)}, w2 {fmt(-0.3)} -> {fmt(w2)}",
        ]
    )


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m admodes.explain seed``: the chapter's worked examples."""
    parser = argparse.ArgumentParser(prog="python -m admodes.explain", description=__doc__)
    parser.add_argument("what", choices=["seed"], help="seed: the chapter's worked examples")
    parser.parse_args(argv)
    print(seed_report())
