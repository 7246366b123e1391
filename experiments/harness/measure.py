"""Measure several ways of computing one thing at one point: count, validate, time, record.

Also the admodes computations the experiments measure (each a :class:`Method`), including the
two like-for-like pairs of forward against reverse mode.
"""

from __future__ import annotations

import gc
import math
import tracemalloc
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import admodes as ad
from experiments.harness.context import Context
from experiments.harness.timing import TimingPlan, time_interleaved
from experiments.harness.validation import ERROR_COLUMN, Reference

ADMODES = "admodes"
UNCOUNTED = {"ops": math.nan, "flops": math.nan, "peak_saved_bytes": math.nan}
FUNCTION = "f(x)"
"""The method name of f's own evaluation, the denominator of the cost ratios."""


@dataclass(frozen=True)
class CountRecord:
    """What one call evaluated under ``ad.count``: primitive ops, FLOPs (total and per phase)
    and memory peaks, as plain numbers."""

    ops: int
    flops: int
    by_phase: dict[str, dict[str, int]]
    peak_saved_bytes: int
    peak_tangent_bytes: int
    step_advances: int

    def phase_flops(self, *phases: str) -> int:
        """FLOPs summed over the named phases ("primal", "jvp", "vjp")."""
        return sum(self.by_phase.get(phase, {}).get("flops", 0) for phase in phases)

    def primal_phase(self) -> CountRecord:
        """Only the function's own work: the primal phase's ops and FLOPs, no memory."""
        primal = self.by_phase.get("primal", {"ops": 0, "flops": 0})
        return CountRecord(primal["ops"], primal["flops"], {"primal": dict(primal)}, 0, 0, 0)

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


def counted(call: Callable[[], Any]) -> tuple[Any, CountRecord]:
    """Run ``call`` once under ``ad.count()``; return its result and the counts."""
    with ad.count() as counter:
        result = call()
    by_phase = {
        phase: {k: int(v) for k, v in entry.items()} for phase, entry in counter.by_phase.items()
    }
    record = CountRecord(
        ops=int(counter.ops),
        flops=int(counter.flops),
        by_phase=by_phase,
        peak_saved_bytes=int(counter.peak_saved_bytes),
        peak_tangent_bytes=int(counter.peak_tangent_bytes),
        step_advances=int(counter.step_advances),
    )
    return result, record


def peak_allocated_bytes(call: Callable[[], object]) -> int:
    """Most bytes allocated at once (tracemalloc) while ``call()`` runs, above what was live."""
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - baseline


@dataclass(frozen=True)
class Method:
    """One system computing one quantity: ``call()`` returns it, ``expected()`` the reference's.

    ``count()`` runs it once under ``ad.count`` and returns ``(result, counts)``; by default
    admodes methods count ``call`` itself and other engines are not counted.
    """

    engine: str
    mode: str
    method: str
    call: Callable[[], Any]
    reference: Reference | None = None
    expected: Callable[[Reference], Any] | None = None
    timed: bool = True
    count: Callable[[], tuple[Any, CountRecord]] | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)

    def first_run(self) -> tuple[Any, CountRecord | None]:
        """The result of one (counted, where possible) run."""
        if self.count is not None:
            return self.count()
        if self.engine == ADMODES:
            return counted(self.call)
        return self.call(), None

    def validation_columns(self, result: Any) -> dict[str, Any]:
        """The error against the reference, in the column naming it (NaN: not validated)."""
        if self.reference is None or self.expected is None:
            return {"max_rel_err_vs_jax": math.nan, "validated_against": "not validated"}
        err = self.reference.error(result, self.expected(self.reference))
        column = ERROR_COLUMN[self.reference.source]
        return {
            "max_rel_err_vs_jax": math.nan,
            column: err,
            "validated_against": self.reference.source,
        }

    @property
    def key(self) -> str:
        """Identifies the method among those measured together."""
        return f"{self.engine}: {self.method}"


def measure_point(
    ctx: Context,
    *,
    workload: str,
    n_inputs: int,
    n_outputs: int,
    methods: Sequence[Method],
    extra: Mapping[str, Any] | None = None,
    plan: TimingPlan | None = None,
) -> None:
    """Run each method once (counted for admodes, validated), time the timed ones interleaved
    (by ``plan``, default the run's), and record one row per sample (one untimed row otherwise).

    Every row carries its round's load (CPU share, load average before and after) and whether
    the point stayed noisy after re-measuring; ``extra`` columns go on every row, a method's
    own ``extra`` on its rows only.
    """
    first_runs = {}
    for method in methods:
        result, counts = method.first_run()
        first_runs[method.key] = (counts, method.validation_columns(result))
    timings = time_interleaved({m.key: m.call for m in methods if m.timed}, plan or ctx.timing)
    for method in methods:
        counts, validation = first_runs[method.key]
        rounds = timings.rounds if method.timed else [None]
        for repeat, timed_round in enumerate(rounds):
            load = (
                {
                    "seconds": timed_round.seconds[method.key],
                    "cpu_share": timed_round.cpu_share,
                    "load_before": timed_round.load_before,
                    "load_after": timed_round.load_after,
                    "noisy": timings.noisy,
                    "rounds_measured": timings.measured,
                }
                if timed_round
                else {"seconds": math.nan, "noisy": False}
            )
            ctx.record(
                workload=workload,
                engine=method.engine,
                mode=method.mode,
                n_inputs=n_inputs,
                n_outputs=n_outputs,
                repeat=repeat,
                method=method.method,
                **load,
                **validation,
                **(counts.columns() if counts else UNCOUNTED),
                **(extra or {}),
                **method.extra,
            )


def record_unmeasured(
    ctx: Context,
    *,
    workload: str,
    engine: str,
    method: str,
    n_inputs: int,
    seconds: float,
    mode: str = "reverse",
    n_outputs: int = 1,
    **extra: Any,
) -> None:
    """A row outside the counted, validated samples: a single timing, or a missing system."""
    ctx.record(
        workload=workload,
        engine=engine,
        mode=mode,
        n_inputs=n_inputs,
        n_outputs=n_outputs,
        repeat=0,
        seconds=seconds,
        max_rel_err_vs_jax=math.nan,
        method=method,
        noisy=False,
        **UNCOUNTED,
        **extra,
    )


# --- the admodes computations measured ------------------------------------------------------


def _jacobian(ref: Reference) -> Any:
    return ref.jacobian


def function(f: Callable[[Any], Any], x: Any, ref: Reference) -> Method:
    """f(x) itself, the denominator of every cost ratio.

    It is timed on plain arrays, as a user calls it. Its ops and FLOPs are those of one
    recorded evaluation (the primal phase of ``ad.vjp``): on plain arrays a Python operator
    such as ``A @ y`` is NumPy's own and never reaches admodes' counter.
    """

    def recorded_once() -> tuple[Any, CountRecord]:
        (value, _), counts = counted(lambda: ad.vjp(f, x))
        return value, counts.primal_phase()

    return Method(
        ADMODES, "function", FUNCTION, lambda: f(x), ref, lambda r: r.value, count=recorded_once
    )


def reverse_grad(f: Callable[[Any], Any], x: Any, ref: Reference) -> Method:
    """The gradient by reverse mode: one recording and one backward sweep."""
    return Method(ADMODES, "reverse", "grad", lambda: ad.grad(f)(x), ref, _jacobian)


def hvp_methods(f: Callable[[Any], Any], x: Any, v: Any) -> dict[str, Callable[[], Any]]:
    """H·v in the four mode pairs; forward-over-forward twice (inner gradient by one tangent
    per pass, or by all n batched)."""
    return {
        "fwd-over-rev": lambda: ad.jvp(ad.grad(f), (x,), (v,))[1],
        "rev-over-fwd": lambda: ad.grad(lambda y: ad.jvp(f, (y,), (v,))[1])(x),
        "rev-over-rev": lambda: ad.vjp(ad.grad(f), x)[1](v)[0],
        "fwd-over-fwd, one tangent per pass": lambda: ad.jvp(
            ad.jacfwd(f, chunk_size=1), (x,), (v,)
        )[1],
        "fwd-over-fwd, batched": lambda: ad.jvp(ad.grad(f, mode="forward"), (x,), (v,))[1],
    }


def chunk_label(transform: str, chunk_size: int | None) -> str:
    """``jacfwd(chunk_size=1)`` / ``jacrev()``: the method name of a Jacobian by chunks."""
    return f"{transform}()" if chunk_size is None else f"{transform}(chunk_size={chunk_size})"


TRANSFORMS = {"jacfwd": ("forward", ad.jacfwd), "jacrev": ("reverse", ad.jacrev)}


def jacobian(
    f: Callable[[Any], Any],
    x: Any,
    ref: Reference,
    *,
    transform: str,
    chunk_size: int | None,
    timed: bool = True,
) -> Method:
    """The Jacobian by ``jacfwd`` (``chunk_size`` tangents per pass) or ``jacrev``
    (``chunk_size`` cotangents per sweep); None: all at once."""
    mode, jac = TRANSFORMS[transform]
    call = lambda: jac(f, chunk_size=chunk_size)(x)
    label = chunk_label(transform, chunk_size)
    return Method(ADMODES, mode, label, call, ref, _jacobian, timed)


@dataclass(frozen=True)
class Pair:
    """Forward against reverse mode, like for like: the same number of directions per pass."""

    name: str
    description: str
    chunk_size: int | None

    @property
    def forward(self) -> str:
        """The forward method's name."""
        return chunk_label("jacfwd", self.chunk_size)

    @property
    def reverse(self) -> str:
        """The reverse method's name."""
        return chunk_label("jacrev", self.chunk_size)

    def methods(
        self, f: Callable[[Any], Any], x: Any, ref: Reference, *, timed: bool = True
    ) -> list[Method]:
        """Both Jacobians of the pair."""
        return [
            jacobian(f, x, ref, transform=t, chunk_size=self.chunk_size, timed=timed)
            for t in TRANSFORMS
        ]


PAIRS = (
    Pair("one per pass", "one tangent per forward pass against one cotangent per sweep", 1),
    Pair("batched", "all tangents in one pass against all cotangents in one sweep", None),
)
