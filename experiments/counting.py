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
    by_phase: dict[str, dict[str, int]]
    peak_saved_bytes: int
    peak_tangent_bytes: int
    step_advances: int

    def phase_flops(self, *phases: str) -> int:
        """FLOPs summed over the named phases ("primal", "jvp", "vjp")."""
        return sum(self.by_phase.get(phase, {}).get("flops", 0) for phase in phases)

    def primal_phase(self) -> Counts:
        """Only the function's own work: the primal phase's ops and FLOPs, no memory."""
        primal = self.by_phase.get("primal", {"ops": 0, "flops": 0})
        return Counts(
            ops=primal["ops"],
            flops=primal["flops"],
            by_phase={"primal": dict(primal)},
            peak_saved_bytes=0,
            peak_tangent_bytes=0,
            step_advances=0,
        )

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
    by_phase = {
        phase: {k: int(v) for k, v in entry.items()} for phase, entry in counter.by_phase.items()
    }
    counts = Counts(
        ops=int(counter.ops),
        flops=int(counter.flops),
        by_phase=by_phase,
        peak_saved_bytes=int(counter.peak_saved_bytes),
        peak_tangent_bytes=int(counter.peak_tangent_bytes),
        step_advances=int(counter.step_advances),
    )
    return result, counts
