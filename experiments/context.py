"""What an experiment works with: its settings, and where its rows, figures and findings go."""

from __future__ import annotations

import sys
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from tqdm import tqdm

from experiments.plotting import Curve, save_png
from experiments.schema import REQUIRED_COLUMNS, to_frame
from experiments.stats import fit_loglog
from experiments.timing import TimingPlan
from experiments.validation import exceeds_tolerance

T = TypeVar("T")

SLOPE_TOLERANCE = 0.3
"""A fitted slope agrees with theory when it lies within this distance of it."""


@dataclass(frozen=True)
class SlopeCheck:
    """A fitted log-log slope set against the theory's."""

    series: str
    quantity: str
    fitted: float
    theory: float
    x_min: float
    x_max: float
    tolerance: float = SLOPE_TOLERANCE

    @property
    def agrees(self) -> bool:
        """Whether the fitted slope is within tolerance of the theory."""
        return abs(self.fitted - self.theory) <= self.tolerance


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
    rows: list[dict[str, Any]] = field(default_factory=list)
    figures: list[FigureRecord] = field(default_factory=list)
    slopes: list[SlopeCheck] = field(default_factory=list)
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
        err = row["max_rel_err_vs_jax"]
        if exceeds_tolerance(err):
            tqdm.write(
                f"{self.name}: VALIDATION FAILED for {row['workload']} {row['engine']} "
                f"{row.get('method', row['mode'])}: max rel err vs JAX {err:.3g}",
                file=sys.stderr,
            )
        self.rows.append({"experiment": self.name, **row})

    def frame(self) -> pd.DataFrame:
        """The rows recorded so far."""
        return to_frame(self.rows)

    def scaling_curve(
        self,
        label: str,
        table: pd.DataFrame,
        x: str,
        quantity: str,
        theory: float | None,
        fit_min_x: float = 0.0,
        group: str = "",
    ) -> Curve:
        """A plotted curve from a median/IQR table, its slope fitted for ``x >= fit_min_x``.

        With a theory slope the fit is recorded for the report's slope table, as series
        ``"<group>: <label>"``.
        """
        table = table.sort_values(x)
        fitted_part = table[table[x] >= fit_min_x]
        fit = None
        if fitted_part[x].nunique() < 2:
            self.note(
                f"{group}: {label} ({quantity}): under two points at {x} ≥ {fit_min_x:g}, "
                "so no slope is fitted."
            )
        else:
            fit = fit_loglog(fitted_part[x], fitted_part["median"])
        if fit is not None and theory is not None:
            self.slopes.append(
                SlopeCheck(
                    series=f"{group}: {label}" if group else label,
                    quantity=quantity,
                    fitted=fit.slope,
                    theory=theory,
                    x_min=float(fitted_part[x].min()),
                    x_max=float(fitted_part[x].max()),
                )
            )
        return Curve(
            label=label,
            x=table[x].to_numpy(dtype=float),
            median=table["median"].to_numpy(dtype=float),
            q25=table["q25"].to_numpy(dtype=float),
            q75=table["q75"].to_numpy(dtype=float),
            fit=fit,
            theory_slope=theory,
            fit_min_x=fit_min_x,
        )

    def slope_agreement(self) -> str:
        """How many recorded slopes agree with theory, naming those that do not."""
        agreeing = sum(check.agrees for check in self.slopes)
        text = (
            f"{agreeing} of {len(self.slopes)} fitted slopes agree with theory (±{SLOPE_TOLERANCE})"
        )
        off = [
            f"{c.series} ({c.quantity}) {c.fitted:.2f} vs {c.theory:g}"
            for c in self.slopes
            if not c.agrees
        ]
        return text + (f"; off: {'; '.join(off)}" if off else "")

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
