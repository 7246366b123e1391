"""Tests of the experiments harness: its infrastructure, and `--quick` end to end."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from experiments.analysis import ratio_table
from experiments.atomic import write_atomically, write_text_atomically
from experiments.catalog import CATALOG, ExperimentSpec
from experiments.cli import build_parser, main, selected
from experiments.context import Context
from experiments.report import REPORT_FILE
from experiments.runner import run_all
from experiments.schema import REQUIRED_COLUMNS
from experiments.stats import fit_loglog, log_grid, median_iqr
from experiments.timing import QUICK_PLAN, time_interleaved
from experiments.validation import TOLERANCE, max_rel_err

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
QUICK_BUDGET_SECONDS = 60.0


# --- statistics ---------------------------------------------------------------------------


def test_fit_loglog_recovers_a_known_slope() -> None:
    rng = np.random.default_rng(1)
    x = np.geomspace(10, 1e4, 12)
    y = 3.0 * x**1.5 * np.exp(0.01 * rng.standard_normal(x.size))
    fit = fit_loglog(x, y)
    assert fit.slope == pytest.approx(1.5, abs=0.02)
    assert fit.predict(np.array([100.0]))[0] == pytest.approx(3.0 * 100.0**1.5, rel=0.05)


def test_fit_loglog_ignores_non_positive_points_and_needs_two() -> None:
    fit = fit_loglog([1, 10, 100, -5, 1000], [2, 20, 200, 7, 0])
    assert fit.slope == pytest.approx(1.0)
    with pytest.raises(ValueError):
        fit_loglog([5, 5], [1, 2])


def test_median_iqr_of_a_known_sample() -> None:
    spread = median_iqr([5.0, 1.0, 4.0, 2.0, 3.0, math.nan])
    assert (spread.median, spread.q25, spread.q75, spread.iqr) == (3.0, 2.0, 4.0, 2.0)
    with pytest.raises(ValueError):
        median_iqr([math.nan])


def test_log_grid_spans_the_range_without_duplicates() -> None:
    grid = log_grid(10, 10_000, 7)
    assert grid[0] == 10 and grid[-1] == 10_000 and grid == sorted(set(grid))
    assert log_grid(1, 3, 10) == [1, 2, 3]


def test_ratio_table_pairs_samples_by_repeat() -> None:
    rows = [
        {"workload": "w", "n_inputs": 1, "n_outputs": 1, "repeat": r, "method": m, "seconds": s}
        for r, (a, b) in enumerate([(2.0, 1.0), (6.0, 2.0), (8.0, 2.0)])
        for m, s in (("grad", a), ("f", b))
    ]
    table = ratio_table(pd.DataFrame(rows), {"method": "grad"}, {"method": "f"}, "seconds")
    assert table["median"].tolist() == [3.0]
    assert (table["q25"].iloc[0], table["q75"].iloc[0]) == (2.5, 3.5)


# --- timing and validation ----------------------------------------------------------------


def test_time_interleaved_gives_one_sample_per_round_for_each_system() -> None:
    calls: list[str] = []
    samples = time_interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, QUICK_PLAN
    )
    assert set(samples) == {"a", "b"}
    assert all(len(v) == QUICK_PLAN.samples and min(v) > 0 for v in samples.values())
    assert calls.count("a") > QUICK_PLAN.samples and calls.count("b") > QUICK_PLAN.samples


def test_max_rel_err() -> None:
    x = {"a": np.array([1.0, -2.0, 0.0]), "b": (3.0, np.array([[4.0]]))}
    assert max_rel_err(x, x) == 0.0
    y = {"a": np.array([1.0 + 1e-12, -2.0, 0.0]), "b": (3.0, np.array([[4.0]]))}
    assert max_rel_err(y, x) == pytest.approx(1e-12, rel=1e-3)
    assert max_rel_err(np.array([np.nan, np.inf]), np.array([np.nan, np.inf])) == 0.0
    assert max_rel_err(np.array([1.0, np.nan]), np.array([1.0, 2.0])) == math.inf
    with pytest.raises(AssertionError):
        max_rel_err(np.zeros(2), np.zeros(3))


# --- atomic writes --------------------------------------------------------------------------


def test_atomic_write_leaves_the_old_file_intact_when_the_writer_raises(tmp_path: Path) -> None:
    target = tmp_path / "result.csv"
    write_text_atomically(target, "old contents\n")

    def broken_writer(tmp: Path) -> None:
        tmp.write_text("half of the new cont")
        raise RuntimeError("interrupted")

    with pytest.raises(RuntimeError):
        write_atomically(target, broken_writer)
    assert target.read_text() == "old contents\n"
    assert [p.name for p in tmp_path.iterdir()] == ["result.csv"]

    write_text_atomically(target, "new contents\n")
    assert target.read_text() == "new contents\n"


# --- command line ---------------------------------------------------------------------------


def test_list_names_every_experiment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == [spec.name for spec in CATALOG]


def test_only_selects_named_experiments_in_catalog_order() -> None:
    args = build_parser().parse_args(["--only", "peers, inputs", "--seed", "3"])
    assert [spec.name for spec in selected(args)] == ["inputs", "peers"]
    assert args.seed == 3 and args.out == Path("results") and not args.quick
    assert len(selected(build_parser().parse_args([]))) == len(CATALOG)


@pytest.mark.parametrize("value", ["nonsense", "inputs,nonsense", ","])
def test_only_rejects_unknown_names(value: str) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(["--only", value])
    assert exit_info.value.code == 2


# --- failure handling -----------------------------------------------------------------------


def _raises(ctx: Context) -> str:
    raise RuntimeError("boom in the middle of a sweep")


def _records(err: float) -> Callable[[Context], str]:
    def run(ctx: Context) -> str:
        ctx.record(
            workload="w",
            engine="admodes",
            mode="reverse",
            n_inputs=2,
            n_outputs=1,
            repeat=0,
            seconds=0.5,
            ops=3,
            flops=4,
            peak_saved_bytes=8,
            max_rel_err_vs_jax=err,
        )
        fig, ax = plt.subplots()
        ax.plot([1, 2], [1, 2])
        ctx.save_figure(fig, "line", "a line")
        return "a computed verdict"

    return run


def test_a_failing_experiment_is_recorded_and_the_others_still_run(tmp_path: Path) -> None:
    specs = [
        ExperimentSpec("broken", "raises", _raises),
        ExperimentSpec("fine", "records a valid row", _records(1e-15)),
        ExperimentSpec("wrong", "records an invalid derivative", _records(1e-6)),
    ]
    lines: list[str] = []
    summaries = run_all(
        specs,
        [s.name for s in specs],
        tmp_path,
        quick=True,
        seed=0,
        plan=QUICK_PLAN,
        command="test",
        environment={"CPU": "test"},
        announce=lines.append,
    )
    assert [s.status for s in summaries] == ["FAILED", "OK", "FAILED"]
    assert "boom in the middle of a sweep" in summaries[0].error
    assert "validation failed" in summaries[2].error
    assert [line.split()[:2] for line in lines] == [
        ["broken", "FAILED"],
        ["fine", "OK"],
        ["wrong", "FAILED"],
    ]
    assert (tmp_path / "fine.csv").exists() and (tmp_path / "fine-line.png").exists()
    report = (tmp_path / REPORT_FILE).read_text()
    assert "## broken" in report and "boom in the middle of a sweep" in report
    assert "**Status: OK**" in report and report.count("**Status: FAILED**") == 2


def test_rerunning_replaces_an_experiments_old_outputs(tmp_path: Path) -> None:
    stale = tmp_path / "fine-old-figure.png"
    stale.write_bytes(PNG_SIGNATURE)
    spec = ExperimentSpec("fine", "records a valid row", _records(0.0))
    run_all([spec], ["fine"], tmp_path, True, 0, QUICK_PLAN, "test", {}, lambda _: None)
    assert not stale.exists() and (tmp_path / "fine-line.png").exists()


# --- end to end -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, str]:
    out = tmp_path_factory.mktemp("quick")
    env = dict(os.environ, OMP_NUM_THREADS="2", OPENBLAS_NUM_THREADS="2", MKL_NUM_THREADS="2")
    env.setdefault("OMP_WAIT_POLICY", "PASSIVE")
    start = time.perf_counter()
    process = subprocess.run(
        [sys.executable, "-m", "experiments", "--quick", "--out", str(out)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    elapsed = time.perf_counter() - start
    assert process.returncode == 0, process.stdout + process.stderr
    return out, elapsed, process.stdout


def test_quick_run_is_quick(quick_run: tuple[Path, float, str]) -> None:
    assert quick_run[1] < QUICK_BUDGET_SECONDS


def test_quick_run_prints_one_summary_line_per_experiment(
    quick_run: tuple[Path, float, str],
) -> None:
    lines = [line.split() for line in quick_run[2].splitlines() if line.strip()]
    assert [(line[0], line[1]) for line in lines] == [(spec.name, "OK") for spec in CATALOG]


@pytest.mark.parametrize("name", [spec.name for spec in CATALOG])
def test_quick_run_writes_a_valid_csv_per_experiment(
    quick_run: tuple[Path, float, str], name: str
) -> None:
    frame = pd.read_csv(quick_run[0] / f"{name}.csv")
    assert tuple(frame.columns[: len(REQUIRED_COLUMNS)]) == REQUIRED_COLUMNS
    assert len(frame) > 0 and (frame["experiment"] == name).all()
    errors = frame["max_rel_err_vs_jax"].dropna()
    assert len(errors) > 0 and (errors <= TOLERANCE).all()


def test_quick_run_writes_valid_pngs(quick_run: tuple[Path, float, str]) -> None:
    report = (quick_run[0] / REPORT_FILE).read_text()
    for spec in CATALOG:
        figures = sorted(quick_run[0].glob(f"{spec.name}-*.png"))
        assert figures, f"{spec.name} wrote no figure"
        for figure in figures:
            assert figure.read_bytes()[:8] == PNG_SIGNATURE
            assert f"]({figure.name})" in report


def test_quick_run_report_has_header_and_a_section_per_experiment(
    quick_run: tuple[Path, float, str],
) -> None:
    report = (quick_run[0] / REPORT_FILE).read_text()
    for item in ("## Environment", "CPU", "Python", "NumPy", "JAX", "PyTorch", "Threads", "Seed"):
        assert item in report
    assert "python -m experiments --quick --out" in report
    assert "## How it was measured" in report
    for spec in CATALOG:
        assert f"## {spec.name}: " in report
    assert "**Status: FAILED**" not in report
