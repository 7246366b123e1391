"""What an experiment works with: its settings, and where its rows, figures and findings go.

A finding is a :class:`Verdict` on one claim. A claim about counts (ops, FLOPs, bytes) is
exact: it agrees or disagrees. A claim about time is judged on bootstrap replicates of the
samples: it agrees, disagrees, or is inconclusive (noisy) when the replicates are split.
"""

from __future__ import annotations

import math
import sys
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from tqdm import tqdm

from experiments.harness.figures import Curve, save_png
from experiments.harness.files import REQUIRED_COLUMNS, to_frame
from experiments.harness.stats import (
    AGREES,
    DISAGREES,
    INCONCLUSIVE,
    bootstrap_medians,
    fit_loglog,
    interval,
    judge,
    loglog_slopes,
    summarise,
)
from experiments.harness.timing import TimingPlan
from experiments.harness.validation import FD_TOLERANCE, exceeds_tolerance
from experiments.harness.workloads import UserWorkload, describe

T = TypeVar("T")

SLOPE_TOLERANCE = 0.3
"""A fitted slope agrees with theory when it lies within this distance of it."""
TIME, COUNT = "time", "count"
PLURALS = {AGREES: "agree", DISAGREES: "disagree", INCONCLUSIVE: "inconclusive (noisy)"}


@dataclass(frozen=True)
class Verdict:
    """The outcome of one claim checked against the measurements."""

    claim: str
    kind: str
    """COUNT (exact, machine-independent) or TIME (judged on bootstrap replicates)."""
    outcome: str
    """AGREES, DISAGREES or INCONCLUSIVE."""


@dataclass(frozen=True)
class SlopeCheck:
    """A fitted log-log slope, its bootstrap interval, and the theory's slope (None: none)."""

    series: str
    quantity: str
    kind: str
    fitted: float
    low: float
    high: float
    theory: float | None
    x_min: float
    x_max: float
    claim: str
    """The claim judged on this slope ("" without a theory)."""
    outcome: str


@dataclass(frozen=True)
class FigureRecord:
    """A saved figure and what it shows."""

    file: str
    caption: str


@dataclass
class Context:
    """Settings of one experiment run and the accumulating results."""

    name: str
    quick: bool
    seed: int
    out_dir: Path
    timing: TimingPlan
    user_workloads: tuple[UserWorkload, ...] = ()
    rows: list[dict[str, Any]] = field(default_factory=list)
    figures: list[FigureRecord] = field(default_factory=list)
    slopes: list[SlopeCheck] = field(default_factory=list)
    verdicts: list[Verdict] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    tables: list[str] = field(default_factory=list)

    def rng(self, *keys: int) -> np.random.Generator:
        """A generator seeded by the run's seed, this experiment's name and ``keys``."""
        return np.random.default_rng([self.seed, zlib.crc32(self.name.encode()), *keys])

    def progress(self, items: Iterable[T], sweep: str) -> Iterator[T]:
        """Iterate with a progress bar (stderr) for one sweep."""
        items = list(items)
        return iter(tqdm(items, desc=f"{self.name}: {sweep}", file=sys.stderr, leave=False))

    def record(self, **row: Any) -> None:
        """Add one measurement row; the required columns must all be given."""
        missing = [c for c in REQUIRED_COLUMNS if c != "experiment" and c not in row]
        if missing:
            raise KeyError(f"row lacks required columns {missing}")
        jax_err, fd_err = row["max_rel_err_vs_jax"], row.get("max_err_vs_fd", math.nan)
        if exceeds_tolerance(jax_err) or exceeds_tolerance(fd_err, FD_TOLERANCE):
            tqdm.write(
                f"{self.name}: VALIDATION FAILED for {row['workload']} {row['engine']} "
                f"{row.get('method', row['mode'])}: error {np.nanmax([jax_err, fd_err]):.3g}",
                file=sys.stderr,
            )
        self.rows.append({"experiment": self.name, **row})

    def frame(self) -> pd.DataFrame:
        """The rows recorded so far."""
        return to_frame(self.rows)

    def claim(self, claim: str, kind: str, outcome: str) -> None:
        """Record the verdict on one claim."""
        self.verdicts.append(Verdict(claim, kind, outcome))

    def exact_claim(self, claim: str, holds: bool) -> None:
        """Record a claim about counts: it agrees or disagrees."""
        self.claim(claim, COUNT, AGREES if holds else DISAGREES)

    def timed_claim(
        self, claim: str, replicates: np.ndarray, holds: Callable[[np.ndarray], np.ndarray]
    ) -> None:
        """Record a claim about time, judged on bootstrap replicates of a statistic."""
        self.claim(claim, TIME, judge(replicates, holds))

    def scaling_curve(
        self,
        label: str,
        samples: pd.DataFrame,
        *,
        x: str,
        quantity: str,
        kind: str,
        theory: float | None,
        fit_min_x: float = 0.0,
        group: str = "",
    ) -> Curve:
        """A plotted curve from samples (columns ``x``, value, noisy; only time is drawn noisy,
        counts are exact whatever the load): medians with IQR, the
        log-log slope fitted for ``x >= fit_min_x`` with its bootstrap interval, and, with a
        theory slope, the verdict on it (series ``"<group>: <label>"``)."""
        table = summarise(samples, [x]).sort_values(x)
        fitted_part = table[(table[x] >= fit_min_x) & (table["median"] > 0)]
        series = f"{group}: {label}" if group else label
        fit = None
        if fitted_part[x].nunique() < 2:
            self.note(
                f"{series} ({quantity}): under two points at {x} ≥ {fit_min_x:g}, so no slope "
                "is fitted."
            )
        else:
            fit = fit_loglog(fitted_part[x], fitted_part["median"])
            points = fitted_part[x].to_numpy()
            values = samples.dropna(subset=["value"])
            replicates = loglog_slopes(
                points,
                bootstrap_medians(
                    [values[values[x] == p] for p in points],
                    f"{self.name} {series} {quantity}",
                    timed=kind == TIME,
                ),
            )
            self.slope_check(
                series=series,
                quantity=quantity,
                kind=kind,
                fitted=fit.slope,
                replicates=replicates,
                theory=theory,
                x_range=(float(points.min()), float(points.max())),
            )
        return Curve(
            label=label,
            x=table[x].to_numpy(dtype=float),
            median=table["median"].to_numpy(dtype=float),
            q25=table["q25"].to_numpy(dtype=float),
            q75=table["q75"].to_numpy(dtype=float),
            noisy=table["noisy"].to_numpy(dtype=bool) & (kind == TIME),
            fit=fit,
            theory_slope=theory,
            fit_min_x=fit_min_x,
        )

    def slope_check(
        self,
        *,
        series: str,
        quantity: str,
        kind: str,
        fitted: float,
        replicates: np.ndarray,
        theory: float | None,
        x_range: tuple[float, float],
    ) -> None:
        """Record a fitted slope with its interval; with a theory, the verdict on it."""
        claim = outcome = ""
        if theory is not None:
            claim = f"{series}: {quantity} slope {theory:g}"
            outcome = judge(replicates, lambda s: np.abs(s - theory) <= SLOPE_TOLERANCE)
            self.claim(claim, kind, outcome)
        low, high = interval(replicates)
        self.slopes.append(
            SlopeCheck(series, quantity, kind, fitted, low, high, theory, *x_range, claim, outcome)
        )

    def verdict_summary(self) -> str:
        """How the claims came out: counts exactly, time with its inconclusive share."""
        parts = []
        for kind in (COUNT, TIME):
            outcomes = [v.outcome for v in self.verdicts if v.kind == kind]
            if outcomes:
                tally = ", ".join(
                    f"{outcomes.count(o)} {word}"
                    for o, word in PLURALS.items()
                    if outcomes.count(o)
                )
                parts.append(f"{kind} claims: {tally}")
        off = [v.claim for v in self.verdicts if v.kind == COUNT and v.outcome == DISAGREES]
        text = "; ".join(parts) if parts else "no claims checked"
        return text + (f" (counts off: {'; '.join(off)})" if off else "")

    def describe_workloads(self, builders: Mapping[str, Callable[..., Any]]) -> None:
        """A note naming each workload with its builder's docstring."""
        described = [f"{name} = {describe(b)}" for name, b in builders.items()]
        described += [f"{u.name} (yours, {u.spec}) = {u.description}" for u in self.user_workloads]
        self.note("Workloads: " + "; ".join(described))

    def save_figure(self, fig: Figure, stem: str, caption: str) -> None:
        """Save ``fig`` as ``<experiment>-<stem>.png`` in the output directory."""
        file = f"{self.name}-{stem}.png"
        save_png(fig, self.out_dir / file)
        self.figures.append(FigureRecord(file, caption))

    def note(self, text: str) -> None:
        """A sentence for the report section (caps, substitutions, caveats)."""
        self.notes.append(text)

    def table(self, markdown: str) -> None:
        """An extra Markdown table for the report section."""
        self.tables.append(markdown)
