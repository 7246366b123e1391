"""Run experiments one by one: a failure is recorded and the next experiment still runs."""

from __future__ import annotations

import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import asdict
from pathlib import Path

from experiments.catalog import ExperimentSpec
from experiments.context import Context
from experiments.environment import now_utc
from experiments.report import ExperimentSummary, save_summary, write_report
from experiments.schema import write_csv
from experiments.timing import TimingPlan
from experiments.validation import TOLERANCE, exceeds_tolerance


def _remove_stale_outputs(out_dir: Path, name: str, keep: set[str]) -> None:
    """Delete this experiment's CSV and figures from an earlier run that this run did not make."""
    for path in [*out_dir.glob(f"{name}.csv"), *out_dir.glob(f"{name}-*.png")]:
        if path.name not in keep:
            path.unlink()


def _validation_error(ctx: Context) -> str | None:
    """A message naming the worst validation failure among the rows, or None."""
    failing = [row for row in ctx.rows if exceeds_tolerance(row["max_rel_err_vs_jax"])]
    if not failing:
        return None
    worst = max(failing, key=lambda row: row["max_rel_err_vs_jax"])
    return (
        f"validation failed: {len(failing)} row(s) with max_rel_err_vs_jax > {TOLERANCE:g}; "
        f"worst {worst['max_rel_err_vs_jax']:.3g} for workload {worst['workload']}, "
        f"{worst['engine']} {worst.get('method', worst['mode'])}, n_inputs {worst['n_inputs']}, "
        f"n_outputs {worst['n_outputs']}"
    )


def run_experiment(
    spec: ExperimentSpec, out_dir: Path, quick: bool, seed: int, plan: TimingPlan, command: str
) -> ExperimentSummary:
    """Run one experiment, write its CSV and summary, and return the summary."""
    ctx = Context(name=spec.name, quick=quick, seed=seed, out_dir=out_dir, timing=plan)
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
        write_csv(ctx.frame(), out_dir / csv_name)
    validation = _validation_error(ctx)
    if validation:
        error = validation if error is None else f"{validation}\n{error}"
        verdict = f"VALIDATION FAILED. {verdict}"
    _remove_stale_outputs(out_dir, spec.name, {f.file for f in ctx.figures} | {csv_name})

    errors = [row["max_rel_err_vs_jax"] for row in ctx.rows]
    checked = [e for e in errors if e == e]
    summary = ExperimentSummary(
        name=spec.name,
        description=spec.description,
        status="FAILED" if error else "OK",
        seconds=seconds,
        verdict=verdict,
        command=command,
        started=started,
        timing=plan.describe(),
        error=error,
        csv=csv_name,
        max_rel_err=max(checked) if checked else None,
        figures=[asdict(f) for f in ctx.figures],
        slopes=[{**asdict(s), "agrees": s.agrees} for s in ctx.slopes],
        notes=ctx.notes,
        tables=ctx.tables,
    )
    save_summary(out_dir, summary)
    return summary


def run_all(
    specs: Sequence[ExperimentSpec],
    report_names: Sequence[str],
    out_dir: Path,
    quick: bool,
    seed: int,
    plan: TimingPlan,
    command: str,
    environment: dict[str, str],
    announce: Callable[[str], None] = print,
) -> list[ExperimentSummary]:
    """Run ``specs`` in order, announcing a summary line and rewriting the report after each."""
    out_dir.mkdir(parents=True, exist_ok=True)
    summaries = []
    for spec in specs:
        summary = run_experiment(spec, out_dir, quick, seed, plan, command)
        summaries.append(summary)
        announce(summary.summary_line())
        write_report(out_dir, report_names, environment, command, plan.describe())
    return summaries
