"""Plan gradient checkpointing for a chain of steps before running it: :func:`plan_checkpoints`.

The memory model, in the bytes :func:`admodes.count` reports as ``peak_saved_bytes``:

- ``step_bytes``: what one more recorded step adds to a tape (its residuals),
- ``fixed_bytes``: what a tape of the chain holds whatever its length (the initial state and the
  constants the step closes over, such as a weight matrix: a tape keeps each buffer once),
- ``state_bytes``: one state (a snapshot).

``store_all`` records the chain: ``fixed + n·step`` bytes, no recomputation. ``binomial`` with s
snapshots (x₀ included) holds at most s states, the final state and one recorded step:
``fixed + step + (s + 1)·state`` bytes, and re-runs the Revolve optimum t(n, s) steps
(:func:`admodes.schedules.binomial_advances`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from admodes.checkpointing import iterate
from admodes.measure import counted
from admodes.reverse import vjp
from admodes.schedules import binomial_actions, binomial_advances
from admodes.tree import flatten

__all__ = ["CheckpointPlan", "measure_step", "plan_checkpoints"]


@dataclass(frozen=True)
class StepBytes:
    """The memory model's three sizes (see the module docstring)."""

    step_bytes: int
    fixed_bytes: int
    state_bytes: int


@dataclass(frozen=True)
class CheckpointPlan:
    """A schedule for ``n_steps`` within ``memory_budget_bytes``, and what it will cost."""

    n_steps: int
    memory_budget_bytes: int
    sizes: StepBytes
    #: "store_all", "binomial", or None when nothing fits the budget.
    schedule: str | None
    #: Snapshots for "binomial" (x₀ included); None otherwise.
    snapshots: int | None
    #: Step executions not recorded (recomputation), as ``count().step_advances`` will report.
    predicted_step_advances: int
    #: The most bytes the schedule holds at once: what the budget is checked against.
    peak_bytes: int
    #: What ``count().peak_saved_bytes`` will report: ``peak_bytes`` less the snapshots the
    #: backward pass takes after the forward sweep (kept outside the tapes, which count() sees).
    predicted_peak_saved_bytes: int

    @property
    def fits(self) -> bool:
        return self.schedule is not None

    def run(self, step: Callable[[Any], Any], x0: Any) -> Any:
        """``ad.iterate(step, x0, n_steps)`` on this plan's schedule (differentiate through it)."""
        if self.schedule is None:
            raise ValueError(str(self))
        return iterate(step, x0, self.n_steps, schedule=self.schedule, snapshots=self.snapshots)

    def __str__(self) -> str:
        budget = f"{self.memory_budget_bytes:,} bytes"
        if self.schedule is None:
            return (
                f"{self.n_steps} steps cannot fit {budget}: even one snapshot needs "
                f"{self.peak_bytes:,} bytes"
            )
        how = "" if self.snapshots is None else f" with {self.snapshots} snapshots"
        return (
            f"{self.schedule}{how}: {self.predicted_step_advances:,} step advances, peak "
            f"{self.peak_bytes:,} bytes within {budget}"
        )


def measure_step(step: Callable[[Any], Any], state: Any) -> StepBytes:
    """The memory model's sizes for ``step`` at ``state``, measured with :func:`admodes.count`:
    the saved bytes of recording one step and two steps (their difference is ``step_bytes``)."""
    peaks = [
        counted(lambda k=steps: vjp(lambda x: _repeat(step, x, k), state))[1].peak_saved_bytes
        for steps in (1, 2)
    ]
    step_bytes = peaks[1] - peaks[0]
    state_bytes = sum(getattr(leaf, "nbytes", 8) for leaf in flatten(state)[0])
    return StepBytes(step_bytes, peaks[0] - step_bytes, state_bytes)


def _repeat(step: Callable[[Any], Any], x: Any, times: int) -> Any:
    for _ in range(times):
        x = step(x)
    return x


def plan_checkpoints(
    n_steps: int,
    memory_budget_bytes: int,
    step_bytes: int | None = None,
    *,
    fixed_bytes: int = 0,
    state_bytes: int | None = None,
    step: Callable[[Any], Any] | None = None,
    state: Any = None,
) -> CheckpointPlan:
    """The cheapest schedule for ``n_steps`` steps whose memory fits ``memory_budget_bytes``.

    ``store_all`` if the whole chain fits (no recomputation); otherwise ``binomial`` with the most
    snapshots the budget allows (no more than ``n_steps − 1``, beyond which nothing is saved);
    otherwise a plan with ``schedule=None`` that says it cannot fit. Give the sizes
    (``step_bytes``; ``state_bytes`` defaults to ``step_bytes``, an upper bound as a step saves
    its output state) or ``step=fn, state=x0`` to measure them (:func:`measure_step`).
    """
    if step is not None:
        sizes = measure_step(step, state)
    elif step_bytes is None:
        raise ValueError("give step_bytes, or step= and state= to measure it")
    else:
        state_size = step_bytes if state_bytes is None else state_bytes
        sizes = StepBytes(step_bytes, fixed_bytes, state_size)
    store_all = sizes.fixed_bytes + n_steps * sizes.step_bytes
    if store_all <= memory_budget_bytes:
        return CheckpointPlan(
            n_steps, memory_budget_bytes, sizes, "store_all", None, 0, store_all, store_all
        )
    room = memory_budget_bytes - sizes.fixed_bytes - sizes.step_bytes
    snapshots = min(room // sizes.state_bytes - 1, max(n_steps - 1, 1))
    if snapshots < 1:
        peak = sizes.fixed_bytes + sizes.step_bytes + 2 * sizes.state_bytes
        return CheckpointPlan(n_steps, memory_budget_bytes, sizes, None, None, 0, peak, peak)
    peak = sizes.fixed_bytes + sizes.step_bytes + (snapshots + 1) * sizes.state_bytes
    stored = _forward_stores(n_steps, snapshots)
    counted = sizes.fixed_bytes + sizes.step_bytes + (stored + 1) * sizes.state_bytes
    return CheckpointPlan(
        n_steps,
        memory_budget_bytes,
        sizes,
        "binomial",
        snapshots,
        binomial_advances(n_steps, snapshots),
        peak,
        counted,
    )


def _forward_stores(n: int, s: int) -> int:
    """Snapshots the forward sweep stores (x₀ included): Revolve's actions before its first
    reversal (the backward pass's own are taken and freed later)."""
    stores = 0
    for action in binomial_actions(n, s):
        if action[0] == "reverse":
            break
        stores += action[0] == "store"
    return stores
