"""Run experiments one by one: a failure is recorded and the next experiment still runs."""

from __future__ import annotations

import math
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from experiments.harness.context import Context
from experiments.harness.files import write_csv
from experiments.harness.machine import now_utc
from experiments.harness.report import (
    REPORT_FILE,
    ExperimentSummary,
    load_summary,
    save_summary,
    write_report,
)
from experiments.harness.timing import TimingPlan
from experiments.harness.validation import (
    ERROR_COLUMN,
    FD_TOLERANCE,
    FINITE_DIFFERENCES,
    GOLDEN,
    JAX,
    TOLERANCE,
)
from experiments.harness.workloads import UserWorkload


@dataclass(frozen=True)
class ExperimentSpec:
    """An experiment: its name, what it shows, and how to run it (returns the verdict line)."""

    name: str
    description: str
    run: Callable[[Context], str]


@dataclass(frozen=True)
class RunSettings:
    """What every experiment of one run shares."""

    out_dir: Path
    quick: bool
    seed: int
    plan: TimingPlan
    command: str
    user_workloads: tuple[UserWorkload, ...] = ()


ERROR_COLUMNS = tuple(
    (ERROR_COLUMN[source], tolerance, source)
    for source, tolerance in (
        (JAX, TOLERANCE),
        (FINITE_DIFFERENCES, FD_TOLERANCE),
        (GOLDEN, TOLERANCE),
    )
)


def _remove_stale_outputs(out_dir: Path, name: str, keep: set[str | None]) -> None:
    """Delete this experiment's CSV and figures from an earlier run that this run did not make."""
    for path in [*out_dir.glob(f"{name}.csv"), *out_dir.glob(f"{name}-*.png")]:
        if path.name not in keep:
            path.unlink()


def _validation(ctx: Context) -> tuple[list[str], str | None]:
    """One line per reference used (largest error), and a message naming the worst failure."""
    lines, failures = [], []
    for column, tolerance, source in ERROR_COLUMNS:
        errors = [
            (row[column], row) for row in ctx.rows if not math.isnan(row.get(column, math.nan))
        ]
        if not errors:
            continue
        worst, row = max(errors, key=lambda pair: pair[0])
        workloads = sorted({r["workload"] for _, r in errors})
        lines.append(
            f"Validated against {source}: "
            f"{len(errors)} rows ({', '.join(workloads)}), largest error {worst:.2e} "
            f"(tolerance {tolerance:g})."
        )
        if not worst <= tolerance:
            failing = sum(not err <= tolerance for err, _ in errors)
            failures.append(
                f"validation failed: {failing} row(s) with {column} > {tolerance:g}; worst "
                f"{worst:.3g} for workload {row['workload']}, {row['engine']} "
                f"{row.get('method', row['mode'])}, n_inputs {row['n_inputs']}, "
                f"n_outputs {row['n_outputs']}"
            )
    return lines, "\n".join(failures) or None


def run_experiment(spec: ExperimentSpec, settings: RunSettings) -> ExperimentSummary:
    """Run one experiment, write its CSV and summary, and return the summary."""
    ctx = Context(
        name=spec.name,
        quick=settings.quick,
        seed=settings.seed,
        out_dir=settings.out_dir,
        timing=settings.plan,
        user_workloads=settings.user_workloads,
    )
    started = now_utc()
    start = time.perf_counter()
    error = None
    try:
        verdict = spec.run(ctx)
    except Exception:
        error = traceback.format_exc(limit=-8)
        verdict = "no verdict: the experiment raised an exception"
    seconds = time.perf_counter() - start

    csv_name = None
    if ctx.rows:
        csv_name = f"{spec.name}.csv"
        write_csv(ctx.frame(), settings.out_dir / csv_name)
    validation, failure = _validation(ctx)
    if failure:
        error = failure if error is None else f"{failure}\n{error}"
        verdict = f"VALIDATION FAILED. {verdict}"
    kept = {f.file for f in ctx.figures} | {csv_name}
    _remove_stale_outputs(settings.out_dir, spec.name, kept)

    jax_errors = [
        r["max_rel_err_vs_jax"]
        for r in ctx.rows
        if r["max_rel_err_vs_jax"] == r["max_rel_err_vs_jax"]
    ]
    summary = ExperimentSummary(
        name=spec.name,
        description=spec.description,
        status="FAILED" if error else "OK",
        seconds=seconds,
        verdict=verdict,
        command=settings.command,
        started=started,
        timing=settings.plan.describe(),
        error=error,
        csv=csv_name,
        max_rel_err=max(jax_errors) if jax_errors else None,
        validation=validation,
        figures=[asdict(f) for f in ctx.figures],
        slopes=[asdict(s) for s in ctx.slopes],
        verdicts=[asdict(v) for v in ctx.verdicts],
        notes=ctx.notes,
        tables=ctx.tables,
    )
    save_summary(settings.out_dir, summary)
    return summary


def _minutes(seconds: float) -> str:
    return f"{int(seconds // 60)} min {seconds % 60:.0f} s"


def _time_left(
    out_dir: Path, remaining: Sequence[ExperimentSpec], done: Sequence[ExperimentSummary]
) -> str:
    """An estimate of the time the remaining experiments take: their last run's time in
    ``out_dir`` where there is one, else the mean of this run's experiments so far."""
    if not done:
        previous = [load_summary(out_dir, spec.name) for spec in remaining]
        if any(p is None for p in previous):
            return "time left unknown (no earlier run here)"
        return f"about {_minutes(sum(p.seconds for p in previous))} left (earlier run)"
    mean = sum(s.seconds for s in done) / len(done)
    estimate = 0.0
    for spec in remaining:
        previous = load_summary(out_dir, spec.name)
        estimate += previous.seconds if previous else mean
    return f"about {_minutes(estimate)} left"


def run_all(
    specs: Sequence[ExperimentSpec],
    *,
    report_names: Sequence[str],
    settings: RunSettings,
    environment: dict[str, str],
    announce: Callable[[str], None] = print,
    progress: Callable[[str], None] = print,
) -> list[ExperimentSummary]:
    """Run ``specs`` in order: a progress line before each (``progress``), a summary line after
    it (``announce``) and the report rewritten; a closing line (``announce``) names the report
    and the run time."""
    settings.out_dir.mkdir(parents=True, exist_ok=True)
    summaries: list[ExperimentSummary] = []
    start = time.perf_counter()
    for index, spec in enumerate(specs):
        estimate = _time_left(settings.out_dir, specs[index:], summaries)
        progress(f"experiment {index + 1} of {len(specs)}: {spec.name} ({estimate})")
        summary = run_experiment(spec, settings)
        summaries.append(summary)
        announce(summary.summary_line())
        write_report(
            settings.out_dir,
            names=report_names,
            environment=environment,
            command=settings.command,
            timing=settings.plan.describe(),
        )
    elapsed = _minutes(time.perf_counter() - start)
    announce(f"report: {settings.out_dir / REPORT_FILE} · run time {elapsed}")
    return summaries
