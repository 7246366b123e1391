"""Per-experiment summaries (JSON beside the CSV) and REPORT.md assembled from them."""

from __future__ import annotations

import json
import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from experiments.harness.context import SLOPE_TOLERANCE
from experiments.harness.files import write_text_atomically
from experiments.harness.stats import CONFIDENCE, NOISY_TIME_SPREAD, REPLICATES, TIME_SPREAD
from experiments.harness.timing import BUSY_CPU_SHARE
from experiments.harness.validation import (
    FD_STEP,
    FD_TOLERANCE,
    RELATIVE_FLOOR,
    TOLERANCE,
)

REPORT_FILE = "REPORT.md"
SUMMARY_FORMAT = 2
"""Bumped when the summary's fields change; a summary of another format is not read."""


@dataclass
class ExperimentSummary:
    """Everything the report says about one experiment's latest run."""

    name: str
    description: str
    status: str
    seconds: float
    verdict: str
    command: str
    started: str
    timing: str
    error: str | None = None
    csv: str | None = None
    max_rel_err: float | None = None
    validation: list[str] = field(default_factory=list)
    figures: list[dict[str, str]] = field(default_factory=list)
    slopes: list[dict[str, Any]] = field(default_factory=list)
    verdicts: list[dict[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)
    format: int = SUMMARY_FORMAT

    def summary_line(self) -> str:
        """The one line printed per experiment: name, status, seconds, verdict."""
        return f"{self.name:<15} {self.status:<6} {self.seconds:8.1f} s  {self.verdict}"


def summary_path(out_dir: Path, name: str) -> Path:
    """Where an experiment's summary is kept."""
    return out_dir / f"{name}.summary.json"


def save_summary(out_dir: Path, summary: ExperimentSummary) -> None:
    """Write the summary atomically."""
    text = json.dumps(asdict(summary), indent=2, allow_nan=True)
    write_text_atomically(summary_path(out_dir, summary.name), text)


def load_summary(out_dir: Path, name: str) -> ExperimentSummary | None:
    """An experiment's last summary in ``out_dir``, if any (None for one of another format)."""
    path = summary_path(out_dir, name)
    if not path.exists():
        return None
    fields = json.loads(path.read_text(encoding="utf-8"))
    return ExperimentSummary(**fields) if fields.get("format") == SUMMARY_FORMAT else None


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; cells are converted with ``str``."""
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(cell) for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def _method_section(timing: str) -> str:
    return f"""## How it was measured

- **Time.** `time.perf_counter`; {timing}. `gc.collect()` runs before every sample (objects
  alive before a sweep are frozen out of the collector, `gc.freeze`, so it stays short). The
  systems compared at one point are sampled interleaved (A B, B A, A B, ...), so each ratio pairs
  two samples taken side by side and a load change on the machine hits both; figures show the
  median and the interquartile range (error bars) of those per-sample values. JAX jit: the first
  call (trace + compile) is timed on its own and reported separately; every JAX result is
  `.block_until_ready()`.
- **Load.** Every sample records the process's CPU time against its wall time (all threads),
  and every round the 1-minute load average before and after it (CSV columns `cpu_share`,
  `load_before`, `load_after`). A round in which the process got under {BUSY_CPU_SHARE:g} of a
  core was taken while another process held it: it is measured again, and the quiet rounds are
  kept. A point that stays busy is marked `noisy` in the CSV and drawn hollow.
- **BLAS threads.** At start-up the run times a matrix product with 1 BLAS thread and with every
  core (fresh processes, alternately) and runs with the faster; the header gives both times.
- **Counts.** Primitive operations, FLOPs (per phase: primal, jvp, vjp) and peak residual /
  tangent bytes come from one extra run under `admodes.count()`; they are exact and
  machine-independent, so the scaling story is told in counts and in time side by side. f's own
  counts are those of one recorded evaluation (the primal phase of `ad.vjp`), because on plain
  NumPy arrays a Python operator such as `A @ y` never reaches admodes' counter; f's time is
  that of a plain call, as a user makes it.
- **Validation.** Every value and derivative admodes (and each peer) computes is compared with
  JAX (float64, one jit-compiled computation per point) on the same seeded inputs
  (`numpy.random.default_rng(seed)`): the CSV column `max_rel_err_vs_jax` is the largest
  entrywise |admodes − JAX| / max(|JAX|, {RELATIVE_FLOOR:g}·max|JAX|); above {TOLERANCE:g} the
  experiment is marked FAILED. A user's workload without a JAX version is compared with central
  finite differences (step {FD_STEP:g}; column `max_err_vs_fd`, the largest |admodes − FD| over
  the largest |FD|; tolerance {FD_TOLERANCE:g}). Each section says which reference it used.
- **Slopes and verdicts.** Least squares on log10–log10 medians, with a {CONFIDENCE:.0%}
  interval from {REPLICATES} bootstrap replicates (each point's samples resampled, medians
  refitted; a time median is also scaled by a factor exp(N(0, {TIME_SPREAD:g})) of its own,
  exp(N(0, {NOISY_TIME_SPREAD:g})) at a noisy point: the drift of the machine between points,
  which one point's samples do not show). A claim is
  checked on every replicate: it *agrees* when {CONFIDENCE:.0%} of them satisfy it,
  *disagrees* when {CONFIDENCE:.0%} do not, and is *inconclusive (noisy)* in between. A slope
  claim is "within ±{SLOPE_TOLERANCE} of the theory's slope". Count claims have identical
  samples, so their verdicts are exact; only time claims can be inconclusive. The theory's
  slopes are asymptotic statements about work, which the op and FLOP counts measure directly;
  time adds a fixed Python cost per primitive, so over the sizes measured a time slope can sit
  between the op slope and the FLOP slope.
"""


def _format_error(err: float | None) -> str:
    return "not validated" if err is None or math.isnan(err) else f"{err:.2e}"


def _slope_rows(slopes: Sequence[Mapping[str, Any]]) -> list[list[str]]:
    rows = []
    for s in slopes:
        exact = s["kind"] == "count"
        rows.append(
            [
                s["series"],
                s["quantity"],
                f"{s['x_min']:g}–{s['x_max']:g}",
                f"{s['fitted']:.2f}"
                if exact
                else f"{s['fitted']:.2f} ({s['low']:.2f}–{s['high']:.2f})",
                "—" if s["theory"] is None else f"{s['theory']:g}",
                s["outcome"] or "—",
            ]
        )
    return rows


def _section(summary: ExperimentSummary | None, name: str, header_command: str) -> str:
    if summary is None:
        return f"## {name}\n\nNot run yet into this directory.\n"
    parts = [f"## {summary.name}: {summary.description}", ""]
    parts.append(
        f"**Status: {summary.status}** · {summary.seconds:.1f} s · "
        f"largest relative error vs JAX: {_format_error(summary.max_rel_err)}"
    )
    for line in summary.validation:
        parts.append(f"\n{line}")
    if summary.command != header_command:
        parts.append(f"\n(This section comes from `{summary.command}`, {summary.started}.)")
    parts += ["", f"**Verdict:** {summary.verdict}", ""]
    if summary.error:
        parts += ["**Error:**", "", "```", summary.error.rstrip(), "```", ""]
    for figure in summary.figures:
        parts += [f"![{figure['caption']}]({figure['file']})", "", f"*{figure['caption']}*", ""]
    if summary.slopes:
        header = ["series", "quantity", "fit range", "fitted slope (95% CI)", "theory", "verdict"]
        parts += [markdown_table(header, _slope_rows(summary.slopes)), ""]
    slope_claims = {s["claim"] for s in summary.slopes}
    other = [v for v in summary.verdicts if v["claim"] not in slope_claims]
    if other:
        rows = [[v["claim"], v["kind"], v["outcome"]] for v in other]
        parts += [markdown_table(["claim", "kind", "verdict"], rows), ""]
    for table in summary.tables:
        parts += [table, ""]
    for note in summary.notes:
        parts += [f"- {note}"]
    if summary.csv:
        parts += ["", f"Data: [{summary.csv}]({summary.csv})", ""]
    return "\n".join(parts)


def write_report(
    out_dir: Path,
    *,
    names: Sequence[str],
    environment: Mapping[str, str],
    command: str,
    timing: str,
) -> None:
    """Assemble REPORT.md from the summaries of ``names`` found in ``out_dir``."""
    summaries = {name: load_summary(out_dir, name) for name in names}
    overview = [
        [name, s.status, f"{s.seconds:.1f}", s.verdict] if s else [name, "not run", "", ""]
        for name, s in summaries.items()
    ]
    text = "\n".join(
        [
            "# admodes experiments: report",
            "",
            "Forward mode (dual numbers) against reverse mode (tape) on one op registry, "
            "validated against JAX.",
            "",
            "## Environment",
            "",
            markdown_table(["item", "value"], [[k, v] for k, v in environment.items()]),
            "",
            _method_section(timing),
            "## Summary",
            "",
            markdown_table(["experiment", "status", "seconds", "verdict"], overview),
            "",
            *(_section(summaries[name], name, command) for name in names),
        ]
    )
    write_text_atomically(out_dir / REPORT_FILE, text.rstrip() + "\n")
