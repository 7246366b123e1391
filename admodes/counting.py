"""Machine-independent cost accounting: primitive evaluations, FLOPs and saved bytes.

``with count() as c:`` records every primitive evaluated inside, nested transforms included. When
no counter is active the engines pay one module-attribute test per primitive and nothing else.

Phases: an evaluation is charged to the phase the innermost engine is in when it runs it:
``"primal"`` (the function's own work), ``"jvp"`` (tangent rules in forward mode) or ``"vjp"``
(rules in a backward sweep).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from admodes.core import plain

PHASES = ("primal", "jvp", "vjp")

#: True while at least one :func:`count` block is open (read on every primitive evaluation).
active = False
#: The phase the innermost engine is in.
phase = "primal"

_counters: list[Counts] = []
_live_saved_bytes = 0
_live_tangent_bytes = 0


@dataclass
class Counts:
    """What one :func:`count` block measured."""

    ops: int = 0
    flops: int = 0
    by_op: Counter = field(default_factory=Counter)
    by_phase: dict[str, dict[str, int]] = field(
        default_factory=lambda: {p: {"ops": 0, "flops": 0} for p in PHASES}
    )
    #: Most bytes that live tapes held at once for their backward passes (residuals).
    peak_saved_bytes: int = 0
    #: Most bytes of tangents that forward mode held at once.
    peak_tangent_bytes: int = 0
    #: Step executions that were not recorded for a backward pass (checkpointing recomputation).
    step_advances: int = 0


@contextmanager
def count() -> Iterator[Counts]:
    """Count primitive evaluations, FLOPs, phases, saved bytes and step advances inside the block.

    >>> with count() as c:
    ...     grad(f)(x)
    >>> c.ops, c.flops, c.by_phase["vjp"], c.peak_saved_bytes
    """
    global active
    counts = Counts(peak_saved_bytes=_live_saved_bytes, peak_tangent_bytes=_live_tangent_bytes)
    _counters.append(counts)
    active = True
    try:
        yield counts
    finally:
        # By identity: two blocks that counted the same are equal, and only this one closes.
        _counters[:] = [c for c in _counters if c is not counts]
        active = bool(_counters)


def charge(prim: Any, out: Any, args: tuple, params: dict) -> None:
    """Charge one evaluation of ``prim`` (its output ``out`` from ``args``) to every open
    counter."""
    flops = prim.cost(out, *args, **params)
    if prim.complex_flops != 1 and np.iscomplexobj(plain(out)):
        flops *= prim.complex_flops
    for c in _counters:
        c.ops += 1
        c.flops += flops
        c.by_op[prim.name] += 1
        p = c.by_phase[phase]
        p["ops"] += 1
        p["flops"] += flops


def add_saved_bytes(n: int) -> None:
    """A tape now holds ``n`` more bytes of residuals (negative when it is released)."""
    global _live_saved_bytes
    _live_saved_bytes += n
    for c in _counters:
        c.peak_saved_bytes = max(c.peak_saved_bytes, _live_saved_bytes)


def add_tangent_bytes(n: int) -> None:
    """Forward mode now holds ``n`` more bytes of tangents (negative when they are dropped)."""
    global _live_tangent_bytes
    _live_tangent_bytes += n
    for c in _counters:
        c.peak_tangent_bytes = max(c.peak_tangent_bytes, _live_tangent_bytes)


def add_step_advances(n: int) -> None:
    """``n`` steps were executed without being recorded for a backward pass."""
    for c in _counters:
        c.step_advances += n
