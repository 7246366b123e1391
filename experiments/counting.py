"""admodes' own accounting (``ad.count``) captured as a plain record."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import admodes as ad


@dataclass(frozen=True)
class Counts:
    """What one call evaluated: primitive ops, FLOPs (total and per phase) and memory peaks."""

    ops: int
    flops: int
    flops_by_phase: dict[str, int]
    peak_saved_bytes: int
    peak_tangent_bytes: int
    step_advances: int

    def phase_flops(self, *phases: str) -> int:
        """FLOPs summed over the named phases ("primal", "jvp", "vjp")."""
        return sum(self.flops_by_phase.get(phase, 0) for phase in phases)

    def columns(self) -> dict[str, int]:
        """The counts as CSV columns."""
        return {
            "ops": self.ops,
            "flops": self.flops,
            "peak_saved_bytes": self.peak_saved_bytes,
            "flops_primal": self.phase_flops("primal"),
            "flops_jvp": self.phase_flops("jvp"),
            "flops_vjp": self.phase_flops("vjp"),
            "peak_tangent_bytes": self.peak_tangent_bytes,
            "step_advances": self.step_advances,
        }


def counted(call: Callable[[], Any]) -> tuple[Any, Counts]:
    """Run ``call`` once under ``ad.count()``; return its result and the counts."""
    with ad.count() as counter:
        result = call()
    by_phase = {phase: int(entry["flops"]) for phase, entry in counter.by_phase.items()}
    counts = Counts(
        ops=int(counter.ops),
        flops=int(counter.flops),
        flops_by_phase=by_phase,
        peak_saved_bytes=int(counter.peak_saved_bytes),
        peak_tangent_bytes=int(counter.peak_tangent_bytes),
        step_advances=int(counter.step_advances),
    )
    return result, counts
