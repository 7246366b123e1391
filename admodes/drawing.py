"""Draw an :class:`~admodes.explain.Explanation`'s computational graph with matplotlib (no
Graphviz needed). Needs matplotlib; ``admodes/__init__`` does not import this module,
``ad.draw`` loads it on first use.
"""

from __future__ import annotations

from typing import Any

import matplotlib.pyplot as plt

from admodes.explain import Explanation, fmt

__all__ = ["draw"]


def _depths(explanation: Explanation) -> list[int]:
    """Each node's column: inputs at 0, an op one right of its deepest input."""
    depth = [0] * len(explanation.rows)
    for parent, child, _ in explanation.edges:  # edges run in recording order
        depth[child] = max(depth[child], depth[parent] + 1)
    return depth


def draw(explanation: Explanation, ax: Any = None) -> Any:
    """The graph, inputs on the left and the output on the right: each node shows its op, value
    and adjoint (or tangents), each edge its local partial. Returns the matplotlib Axes."""
    depth = _depths(explanation)
    columns: dict[int, list[int]] = {}
    for k, d in enumerate(depth):
        columns.setdefault(d, []).append(k)
    where = {}
    for d, members in columns.items():
        for rank, k in enumerate(members):
            where[k] = (d, -(rank - (len(members) - 1) / 2))
    if ax is None:
        width = 2.6 * (max(depth) + 1)
        height = 1.4 * max(len(m) for m in columns.values()) + 0.6
        _, ax = plt.subplots(figsize=(width, height))
    for parent, child, partial in explanation.edges:
        (x0, y0), (x1, y1) = where[parent], where[child]
        ax.annotate("", (x1 - 0.32, y1), (x0 + 0.32, y0), arrowprops={"arrowstyle": "->"})
        ax.text((x0 + x1) / 2, (y0 + y1) / 2 + 0.08, f"∂ {fmt(partial)}", ha="center", fontsize=7)
    for k, row in enumerate(explanation.rows):
        derived = row.derivative if explanation.mode == "reverse" else tuple(row.derivative)
        label = f"{row.node} = {row.op}\n{fmt(row.value)}\n{explanation.mode}: {fmt(derived)}"
        box = "round" if row.op == "input" else "square"
        ax.text(
            *where[k],
            label,
            ha="center",
            va="center",
            fontsize=8,
            bbox={"boxstyle": box, "facecolor": "white"},
        )
    ax.set_xlim(-0.6, max(depth) + 0.6)
    ax.set_ylim(min(y for _, y in where.values()) - 0.7, max(y for _, y in where.values()) + 0.7)
    ax.axis("off")
    return ax
