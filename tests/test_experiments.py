"""Tests of the experiments harness: its infrastructure, and `--quick` end to end."""

from __future__ import annotations

import json
import math
import os
import re
import stat
import subprocess
import sys
import textwrap
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from experiments.__main__ import build_parser, main, selected
from experiments.catalog import CATALOG
from experiments.harness import workloads
from experiments.harness.context import Context
from experiments.harness.files import REQUIRED_COLUMNS, write_atomically, write_text_atomically
from experiments.harness.report import REPORT_FILE
from experiments.harness.runner import ExperimentSpec, RunSettings, run_all
from experiments.harness.scaling import users_with
from experiments.harness.stats import (
    AGREES,
    DISAGREES,
    INCONCLUSIVE,
    fit_loglog,
    judge,
    log_grid,
    loglog_slopes,
    median_iqr,
    ratio_samples,
    summarise,
)
from experiments.harness.timing import QUICK_PLAN, TimingPlan, time_interleaved
from experiments.harness.validation import (
    FD_TOLERANCE,
    TOLERANCE,
    FiniteDifferenceReference,
    max_rel_err,
)

ROOT = Path(__file__).resolve().parents[1]
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


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


def test_loglog_slopes_fits_each_replicate() -> None:
    x = np.array([1.0, 10.0, 100.0])
    rows = np.array([[1.0, 100.0, 1e4], [5.0, 5.0, 5.0], [1.0, -1.0, 1.0]])
    slopes = loglog_slopes(x, rows)
    assert slopes[:2] == pytest.approx([2.0, 0.0]) and math.isnan(slopes[2])


def test_judge_splits_replicates_three_ways() -> None:
    inside = lambda r: np.abs(r - 1.0) <= 0.3
    assert judge(np.full(100, 1.1), inside) == AGREES
    assert judge(np.full(100, 2.0), inside) == DISAGREES
    assert judge(np.r_[np.full(50, 1.0), np.full(50, 2.0)], inside) == INCONCLUSIVE
    assert judge(np.full(100, np.nan), inside) == DISAGREES


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
    samples = ratio_samples(pd.DataFrame(rows), {"method": "grad"}, {"method": "f"}, "seconds")
    table = summarise(samples, ["workload"])
    assert table["median"].tolist() == [3.0]
    assert (table["q25"].iloc[0], table["q75"].iloc[0]) == (2.5, 3.5)


# --- timing and validation ----------------------------------------------------------------


def test_time_interleaved_gives_one_sample_per_round_for_each_system() -> None:
    calls: list[str] = []
    timings = time_interleaved(
        {"a": lambda: calls.append("a"), "b": lambda: calls.append("b")}, QUICK_PLAN
    )
    assert len(timings.rounds) == QUICK_PLAN.samples
    assert all(set(r.seconds) == {"a", "b"} and min(r.seconds.values()) > 0 for r in timings.rounds)
    assert calls.count("a") > QUICK_PLAN.samples and calls.count("b") > QUICK_PLAN.samples


def test_a_point_measured_while_the_process_waits_is_remeasured_and_marked_noisy() -> None:
    plan = TimingPlan(warmup_calls=1, min_sample_seconds=0.002, samples=2, extra_rounds=3)
    timings = time_interleaved({"sleeps": lambda: time.sleep(0.003)}, plan)
    assert timings.measured == plan.samples + plan.extra_rounds
    assert timings.noisy and len(timings.rounds) == plan.samples
    assert all(r.cpu_share < 0.5 for r in timings.rounds)


def test_max_rel_err() -> None:
    x = {"a": np.array([1.0, -2.0, 0.0]), "b": (3.0, np.array([[4.0]]))}
    assert max_rel_err(x, x) == 0.0
    y = {"a": np.array([1.0 + 1e-12, -2.0, 0.0]), "b": (3.0, np.array([[4.0]]))}
    assert max_rel_err(y, x) == pytest.approx(1e-12, rel=1e-3)
    assert max_rel_err(np.array([np.nan, np.inf]), np.array([np.nan, np.inf])) == 0.0
    assert max_rel_err(np.array([1.0, np.nan]), np.array([1.0, 2.0])) == math.inf
    with pytest.raises(AssertionError):
        max_rel_err(np.zeros(2), np.zeros(3))


def test_finite_differences_match_a_hand_jacobian() -> None:
    x = np.array([0.3, -1.2])
    ref = FiniteDifferenceReference(lambda v: np.array([v[0] * v[1], np.sin(v[0])]), x)
    hand = np.array([[x[1], x[0]], [np.cos(x[0]), 0.0]])
    assert ref.error(hand, ref.jacobian) < FD_TOLERANCE
    assert ref.error(hand + 1e-3, ref.jacobian) > FD_TOLERANCE


# --- file writing ---------------------------------------------------------------------------


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


def test_a_new_file_is_0644_and_a_replaced_one_keeps_its_mode(tmp_path: Path) -> None:
    new, old = tmp_path / "new.md", tmp_path / "old.md"
    write_text_atomically(new, "a\n")
    old.write_text("b\n")
    old.chmod(0o640)
    write_text_atomically(old, "c\n")
    assert stat.S_IMODE(new.stat().st_mode) == 0o644
    assert stat.S_IMODE(old.stat().st_mode) == 0o640 and old.read_text() == "c\n"


# --- command line ---------------------------------------------------------------------------


def test_list_names_every_experiment(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--list"]) == 0
    listed = [line.split()[0] for line in capsys.readouterr().out.splitlines()]
    assert listed == [spec.name for spec in CATALOG]


def test_only_selects_named_experiments_in_catalog_order() -> None:
    args = build_parser().parse_args(["--only", "peers, inputs", "--seed", "3"])
    assert [spec.name for spec in selected(args)] == ["inputs", "peers"]
    assert args.seed == 3 and args.out == Path("results") and not args.quick


@pytest.mark.parametrize(
    "arguments",
    [
        ["--only", "nonsense"],
        ["--only", "inputs,nonsense"],
        ["--only", ","],
        ["--workload", "no_colon"],
        ["--workload", "json:no_such_factory"],
    ],
)
def test_bad_arguments_are_rejected(arguments: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        build_parser().parse_args(arguments)
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


def _settings(out: Path) -> RunSettings:
    return RunSettings(out_dir=out, quick=True, seed=0, plan=QUICK_PLAN, command="test")


def test_a_failing_experiment_is_recorded_and_the_others_still_run(tmp_path: Path) -> None:
    specs = [
        ExperimentSpec("broken", "raises", _raises),
        ExperimentSpec("fine", "records a valid row", _records(1e-15)),
        ExperimentSpec("wrong", "records an invalid derivative", _records(1e-6)),
    ]
    lines: list[str] = []
    summaries = run_all(
        specs,
        report_names=[s.name for s in specs],
        settings=_settings(tmp_path),
        environment={"CPU": "test"},
        announce=lines.append,
        progress=lines.append,
    )
    assert [s.status for s in summaries] == ["FAILED", "OK", "FAILED"]
    assert "boom in the middle of a sweep" in summaries[0].error
    assert "validation failed" in summaries[2].error
    assert [line.split()[:2] for line in lines if not line.startswith("experiment ")][:3] == [
        ["broken", "FAILED"],
        ["fine", "OK"],
        ["wrong", "FAILED"],
    ]
    assert lines[0].startswith("experiment 1 of 3: broken")
    assert lines[-1].startswith(f"report: {tmp_path / REPORT_FILE} · run time 0 min")
    report = (tmp_path / REPORT_FILE).read_text()
    assert "## broken" in report and "boom in the middle of a sweep" in report
    assert "**Status: OK**" in report and report.count("**Status: FAILED**") == 2


def test_rerunning_replaces_an_experiments_old_outputs(tmp_path: Path) -> None:
    stale = tmp_path / "fine-old-figure.png"
    stale.write_bytes(PNG_SIGNATURE)
    spec = ExperimentSpec("fine", "records a valid row", _records(0.0))
    run_all(
        [spec],
        report_names=["fine"],
        settings=_settings(tmp_path),
        environment={},
        announce=lambda _: None,
        progress=lambda _: None,
    )
    assert not stale.exists() and (tmp_path / "fine-line.png").exists()


# --- end to end: two quick runs, the second with a workload of the user's ---------------------

#: The experiments a user's workload joins, and all the second quick run runs: the others repeat
#: the first run exactly, at half a minute of the suite.
USER_EXPERIMENTS = ("inputs", "outputs", "crossover", "cheap_gradient", "memory")

USER_MODULE = '''
"""Workloads from outside the package, for the test."""
import jax.numpy as jnp
import numpy as np

import admodes.numpy as anp


def softplus_sum(size):
    """softplus_sum: sum of log(1 + exp(x)), with a JAX version."""
    x = np.linspace(-1.0, 1.0, size)
    return (lambda v: anp.sum(anp.log1p(anp.exp(v))), x, lambda v: jnp.sum(jnp.log1p(jnp.exp(v))))


def rotate_squares(size):
    """rotate_squares: x ↦ (x * roll(x))², plain NumPy, no JAX version."""
    x = np.linspace(0.5, 1.5, size)
    return (lambda v: np.square(v * np.concatenate([v[1:], v[:1]])), x)
'''


BAD_WORKLOADS = """
import numpy as np

import admodes.numpy as anp


def shape_one(size):
    return (lambda v: anp.sum(v * v, keepdims=True)), np.ones(size)


def not_a_pair(size):
    return np.ones(size)


def fine(size):
    return (lambda v: anp.sum(v * v)), np.ones(size)
"""


@pytest.mark.parametrize(
    ("specs", "message"),
    [
        (["bad_workloads:not_a_pair"], r"must return \(f, x\) or \(f, x, f_jax\)"),
        (["broken_workloads:fine"], "SyntaxError"),
        (["bad_workloads:fine", "bad_workloads:fine"], "more than one factory named fine"),
    ],
)
def test_a_malformed_user_workload_is_a_usage_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture, specs, message
) -> None:
    """Checked at a small size when the command line is read: a clear usage error, before any
    experiment runs (and fails with it)."""
    (tmp_path / "bad_workloads.py").write_text(BAD_WORKLOADS)
    (tmp_path / "broken_workloads.py").write_text("def fine(:\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(SystemExit):
        main(["--list", *(arg for spec in specs for arg in ("--workload", spec))])
    assert re.search(message, capsys.readouterr().err)


def test_a_vector_of_one_output_counts_as_several(tmp_path, monkeypatch) -> None:
    """One output means a scalar, as grad needs: f with output shape (1,) joins the experiments
    of several outputs (Jacobians), not those of one."""
    (tmp_path / "bad_workloads.py").write_text(BAD_WORKLOADS)
    monkeypatch.syspath_prepend(str(tmp_path))
    vector = workloads.load_user_workload("bad_workloads:shape_one")
    scalar = workloads.load_user_workload("bad_workloads:fine")
    ctx = SimpleNamespace(user_workloads=(vector, scalar), note=lambda text: None)
    assert list(users_with(ctx, one_output=True)) == ["fine"]
    assert list(users_with(ctx, one_output=False)) == ["shape_one"]


def test_a_user_workload_named_as_a_built_in_is_refused() -> None:
    """Its rows would mix with the built-in's of the same name."""
    clash = workloads.UserWorkload("mine:elementwise", workloads.elementwise)
    ctx = SimpleNamespace(user_workloads=(clash,), note=lambda text: None)
    with pytest.raises(ValueError, match="rename the factory"):
        users_with(ctx, one_output=True, beside={"elementwise"})


def _quick_run(out: Path, *extra: str, pythonpath: str = "") -> str:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (pythonpath, str(ROOT)) if p))
    env.pop("ADMODES_EXPERIMENTS_BLAS_PROBE", None)
    process = subprocess.run(
        [sys.executable, "-m", "experiments", "--quick", "--out", str(out), *extra],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert process.returncode == 0, process.stdout + process.stderr
    return process.stdout


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    out = tmp_path_factory.mktemp("quick")
    return out, _quick_run(out)


@pytest.fixture(scope="module")
def quick_run_with_user_workloads(tmp_path_factory: pytest.TempPathFactory) -> Path:
    module_dir = tmp_path_factory.mktemp("user")
    (module_dir / "my_workloads.py").write_text(textwrap.dedent(USER_MODULE))
    out = tmp_path_factory.mktemp("quick_user")
    _quick_run(
        out,
        "--workload",
        "my_workloads:softplus_sum",
        "--workload",
        "my_workloads:rotate_squares",
        "--only",
        ",".join(USER_EXPERIMENTS),
        pythonpath=str(module_dir),
    )
    return out


@pytest.mark.slow
def test_quick_run_prints_a_line_per_experiment_and_a_closing_line(
    quick_run: tuple[Path, str],
) -> None:
    lines = [line.split() for line in quick_run[1].splitlines() if line.strip()]
    assert [(line[0], line[1]) for line in lines[:-1]] == [(s.name, "OK") for s in CATALOG]
    assert lines[-1][:2] == ["report:", str(quick_run[0] / REPORT_FILE)]


@pytest.mark.slow
@pytest.mark.parametrize("name", [spec.name for spec in CATALOG])
def test_quick_run_writes_a_valid_csv_per_experiment(
    quick_run: tuple[Path, str], name: str
) -> None:
    frame = pd.read_csv(quick_run[0] / f"{name}.csv")
    assert tuple(frame.columns[: len(REQUIRED_COLUMNS)]) == REQUIRED_COLUMNS
    assert len(frame) > 0 and (frame["experiment"] == name).all()
    errors = frame["max_rel_err_vs_jax"].dropna()
    assert len(errors) > 0 and (errors <= TOLERANCE).all()
    timed = frame.dropna(subset=["seconds"])
    timed = timed[timed["method"] != "jit(grad), first call (trace + compile)"]
    assert timed[["cpu_share", "load_before", "load_after", "noisy"]].notna().all().all()


@pytest.mark.slow
def test_quick_run_writes_pngs_the_report_shows(quick_run: tuple[Path, str]) -> None:
    report = (quick_run[0] / REPORT_FILE).read_text()
    for spec in CATALOG:
        figures = sorted(quick_run[0].glob(f"{spec.name}-*.png"))
        assert figures, f"{spec.name} wrote no figure"
        for figure in figures:
            assert figure.read_bytes()[:8] == PNG_SIGNATURE
            assert f"]({figure.name})" in report
            assert stat.S_IMODE(figure.stat().st_mode) == 0o644


@pytest.mark.slow
def test_quick_run_report_has_header_and_a_section_per_experiment(
    quick_run: tuple[Path, str],
) -> None:
    report = (quick_run[0] / REPORT_FILE).read_text()
    for item in ("## Environment", "CPU", "NumPy", "JAX", "PyTorch", "BLAS threads", "Seed"):
        assert item in report
    assert "1 thread: " in report and "this run uses " in report
    assert "python -m experiments --quick --out" in report
    for spec in CATALOG:
        assert f"## {spec.name}: " in report
    assert "**Status: FAILED**" not in report


@pytest.mark.slow
def test_the_heatmap_and_second_order_show_both_like_for_like_pairs(
    quick_run: tuple[Path, str],
) -> None:
    for name in ("crossover", "second_order"):
        methods = set(pd.read_csv(quick_run[0] / f"{name}.csv")["method"])
        wanted = {"jacfwd(chunk_size=1)", "jacrev(chunk_size=1)", "jacfwd()", "jacrev()"}
        if name == "second_order":
            wanted = {
                f"{pair}, {label}"
                for pair in ("fwd-over-rev", "rev-over-fwd", "rev-over-rev", "fwd-over-fwd")
                for label in ("one per pass", "batched")
            }
        assert wanted <= methods


def _verdicts(out: Path, names: tuple[str, ...]) -> dict[tuple[str, str], tuple[str, str]]:
    found = {}
    for name in names:
        summary = json.loads((out / f"{name}.summary.json").read_text())
        for verdict in summary["verdicts"]:
            found[name, verdict["claim"]] = (verdict["kind"], verdict["outcome"])
    return found


@pytest.mark.slow
def test_two_quick_runs_give_the_same_count_verdicts(
    quick_run: tuple[Path, str], quick_run_with_user_workloads: Path
) -> None:
    """Counts are exact, so two runs judge every count claim alike (in the experiments both
    ran). Time claims are only
    required to be judged: on the quick sizes (4 to 16 steps) a fixed cost per call still
    weighs, so the memory experiment's time slopes came out 0.39 to 0.74 against a theory of 1
    in two runs here, and two runs on a loaded machine have judged one such claim "agrees" and
    "disagrees". Timing belongs to ``make bench`` and the full run."""
    first = _verdicts(quick_run[0], USER_EXPERIMENTS)
    second = {
        key: value
        for key, value in _verdicts(quick_run_with_user_workloads, USER_EXPERIMENTS).items()
        if "softplus_sum" not in key[1] and "rotate_squares" not in key[1]
    }
    assert first.keys() == second.keys()
    for key, (kind, outcome) in first.items():
        other = second[key][1]
        if kind == "count":
            assert outcome == other, key
        else:
            assert {outcome, other} <= {AGREES, DISAGREES, INCONCLUSIVE}, key


@pytest.mark.slow
def test_a_user_workload_joins_the_experiments_that_apply(
    quick_run_with_user_workloads: Path,
) -> None:
    out = quick_run_with_user_workloads
    report = (out / REPORT_FILE).read_text()
    assert "softplus_sum: sum of log(1 + exp(x)), with a JAX version." in report
    assert "rotate_squares: x ↦ (x * roll(x))², plain NumPy, no JAX version." in report
    assert "Validated against central finite differences" in report
    for name, workload in (
        ("inputs", "softplus_sum"),
        ("cheap_gradient", "softplus_sum"),
        ("memory", "softplus_sum"),
        ("outputs", "rotate_squares"),
        ("crossover", "rotate_squares"),
    ):
        rows = pd.read_csv(out / f"{name}.csv")
        rows = rows[rows["workload"] == workload]
        assert len(rows) > 0, (name, workload)
        by_fd = workload == "rotate_squares"
        errors = rows["max_err_vs_fd" if by_fd else "max_rel_err_vs_jax"].dropna()
        assert len(errors) > 0 and (errors <= (FD_TOLERANCE if by_fd else TOLERANCE)).all()
    assert (out / "inputs-softplus_sum.png").exists() and (
        out / "outputs-rotate_squares.png"
    ).exists()


@pytest.mark.slow
@pytest.mark.parametrize("uncached", [False, True], ids=["cache on", "compile_every_time"])
def test_timed_compiles_skip_a_persistent_cache(tmp_path: Path, uncached: bool) -> None:
    """With ``make test``'s cache settings in the environment, a jit compile is written to the
    cache directory, unless the process called ``compile_every_time`` first (as the experiments
    and the GradBench benchmarks do before they time jit's first call)."""
    cache = tmp_path / "jax-cache"
    program = "\n".join(
        [
            "from experiments.harness.timing import compile_every_time",
            "compile_every_time()" if uncached else "",
            "import jax",
            "jax.jit(lambda x: x * 2.0 + 1.0)(3.0).block_until_ready()",
        ]
    )
    environment = {
        **os.environ,
        "JAX_COMPILATION_CACHE_DIR": str(cache),
        "JAX_PERSISTENT_CACHE_MIN_COMPILE_TIME_SECS": "0",
        "JAX_PERSISTENT_CACHE_MIN_ENTRY_SIZE_BYTES": "-1",
    }
    subprocess.run([sys.executable, "-c", program], env=environment, cwd=ROOT, check=True)
    written = list(cache.iterdir()) if cache.exists() else []
    assert (written == []) is uncached, written
