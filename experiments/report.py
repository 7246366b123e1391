"""Per-experiment summaries (JSON beside the CSV) and REPORT.md assembled from them."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from experiments.atomic import write_text_atomically
from experiments.context import SLOPE_TOLERANCE
from experiments.validation import RELATIVE_FLOOR, TOLERANCE

REPORT_FILE = "REPORT.md"


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
    figures: list[dict[str, str]] = field(default_factory=list)
    slopes: list[dict[str, Any]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

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
    """An experiment's last summary in ``out_dir``, if any."""
    path = summary_path(out_dir, name)
    if not path.exists():
        return None
    return ExperimentSummary(**json.loads(path.read_text(encoding="utf-8")))


def _markdown_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return "\n".join(lines)


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table; cells are converted with ``str``."""
    return _markdown_table(header, [[str(cell) for cell in row] for row in rows])


def _method_section(timing: str) -> str:
    return f"""## How it was measured

- **Time.** `time.perf_counter`; {timing}. `gc.collect()` runs before every sample (objects
  alive before a sweep are frozen out of the collector, `gc.freeze`, so it stays short). The
  systems compared at one point are sampled interleaved (A B, B A, A B, ...), so each ratio pairs
  two samples taken side by side and a load change on the machine hits both; figures show the
  median and the interquartile range (error bars) of those per-sample values. JAX jit: the first
  call (trace + compile) is timed on its own and reported separately; every JAX result is
  `.block_until_ready()`.
- **Counts.** Primitive operations, FLOPs (per phase: primal, jvp, vjp) and peak residual /
  tangent bytes come from one extra run under `admodes.count()`; they are exact and
  machine-independent, so the scaling story is told in counts and in time side by side. f's own
  counts are those of one recorded evaluation (the primal phase of `ad.vjp`), because on plain
  NumPy arrays a Python operator such as `A @ y` never reaches admodes' counter; f's time is
  that of a plain call, as a user makes it.
- **Validation.** Every value and derivative admodes (and each peer) computes is compared with
  JAX (float64, one jit-compiled `jacrev` per point) on the same seeded inputs
  (`numpy.random.default_rng(seed)`): the CSV column `max_rel_err_vs_jax` is the largest
  entrywise |admodes − JAX| / max(|JAX|, {RELATIVE_FLOOR:g}·max|JAX|). Above {TOLERANCE:g} the
  experiment is marked FAILED.
- **Slopes.** Least squares on log10–log10 medians. A slope *agrees* with theory when it is
  within ±{SLOPE_TOLERANCE} of it; verdicts are computed from these fits, never written by hand.
  The theory's slopes are asymptotic statements about work, which the op and FLOP counts measure
  directly. Time adds a fixed Python cost per primitive: where f's time is still
  overhead-bound (nearly flat in n) while a derivative's is already work-bound, or the reverse,
  a time slope can sit away from the count slopes over the sizes measured.
- **BLAS threads.** The header's probe times one 300×300 matmul with 1 thread and with this
  run's setting; where the two differ widely, matrix-product-heavy timings carry that machine
  effect (the counts do not).
"""


def _format_error(err: float | None) -> str:
    return "not validated" if err is None else f"{err:.2e}"


def _section(summary: ExperimentSummary | None, name: str, header_command: str) -> str:
    if summary is None:
        return f"## {name}\n\nNot run yet into this directory.\n"
    parts = [f"## {summary.name}: {summary.description}", ""]
    parts.append(
        f"**Status: {summary.status}** · {summary.seconds:.1f} s · "
        f"largest relative error vs JAX: {_format_error(summary.max_rel_err)}"
    )
    if summary.command != header_command:
        parts.append(f"\n(This section comes from `{summary.command}`, {summary.started}.)")
    parts += ["", f"**Verdict:** {summary.verdict}", ""]
    if summary.error:
        parts += ["**Error:**", "", "```", summary.error.rstrip(), "```", ""]
    for figure in summary.figures:
        parts += [f"![{figure['caption']}]({figure['file']})", "", f"*{figure['caption']}*", ""]
    if summary.slopes:
        rows = [
            [
                s["series"],
                s["quantity"],
                f"{s['x_min']:g}–{s['x_max']:g}",
                f"{s['fitted']:.2f}",
                f"{s['theory']:g}",
                "yes" if s["agrees"] else "**no**",
            ]
            for s in summary.slopes
        ]
        header = ["series", "quantity", "fit range", "fitted slope", "theory", "agrees (±0.3)"]
        parts += [_markdown_table(header, rows), ""]
    elif summary.status == "OK":
        parts += ["*No slope is fitted here: the systems are compared at fixed sizes.*", ""]
    for table in summary.tables:
        parts += [table, ""]
    for note in summary.notes:
        parts += [f"- {note}"]
    if summary.csv:
        parts += ["", f"Data: [{summary.csv}]({summary.csv})", ""]
    return "\n".join(parts)


def write_report(
    out_dir: Path,
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
            _markdown_table(["item", "value"], [[k, v] for k, v in environment.items()]),
            "",
            _method_section(timing),
            "## Summary",
            "",
            _markdown_table(["experiment", "status", "seconds", "verdict"], overview),
            "",
            *(_section(summaries[name], name, command) for name in names),
        ]
    )
    write_text_atomically(out_dir / REPORT_FILE, text.rstrip() + "\n")
