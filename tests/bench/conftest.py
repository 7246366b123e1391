"""After a benchmark run, print each benchmark's median per op and its ratio to the floors.

The numbers come from pytest-benchmark's session (``config._benchmarksession``), so every
ratio compares medians measured in the same run. The table is also written, as Markdown,
to ``.benchmarks/ratios.md``.
"""

from __future__ import annotations

import os
from datetime import datetime, timezone
from typing import NamedTuple

import pytest

FLOORS = {
    "scalar-chain": ("test_floor_tape", "test_floor_dual"),
    "mlp": ("test_numpy_backprop", "test_numpy_forward"),
    "contraction-matmul": ("test_numpy_backward_matmul",),
    "contraction-einsum": ("test_numpy_backward_einsum",),
    "gradbench-saddle": ("test_nested_rr[saddle-floor]",),
    "gradbench-particle": ("test_nested_rr[particle-floor]",),
    "linearize": ("test_admodes_jvp",),
    "vmap": ("test_numpy_per_example_backprop",),
}
"""Per group, the benchmarks every other one is divided by (one ratio column each)."""


class Target(NamedTuple):
    group: str
    name: str
    floor: str
    limit: float


TARGETS = (
    Target("scalar-chain", "test_admodes_reverse", "test_floor_tape", 2.0),
    Target("scalar-chain", "test_admodes_forward", "test_floor_dual", 3.0),
    Target("mlp", "test_admodes_reverse", "test_numpy_backprop", 1.10),
    Target("contraction-matmul", "test_admodes_matmul", "test_numpy_backward_matmul", 1.5),
    Target("contraction-einsum", "test_admodes_einsum", "test_numpy_backward_einsum", 1.5),
    # At least 10× faster than HIPS autograd running the same nested code.
    *(
        Target(
            f"gradbench-{e}",
            f"test_nested_rr[{e}-admodes]",
            f"test_nested_rr[{e}-autograd]",
            1 / 10,
        )
        for e in ("saddle", "particle")
    ),
)
"""Ratios admodes aims for: median per op at most ``limit`` times the floor's (or a peer's)."""


def format_time(seconds: float) -> str:
    """A duration with a unit that keeps three to four significant digits."""
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:.4g} {unit}"
    return f"{seconds / 1e-9:.4g} ns"


def per_op_medians(config: pytest.Config) -> dict[str, dict[str, tuple[float, int]]]:
    """``{group: {name: (median seconds per call, ops per call)}}`` of this run's benchmarks."""
    session = getattr(config, "_benchmarksession", None)
    medians: dict[str, dict[str, tuple[float, int]]] = {}
    for bench in getattr(session, "benchmarks", []):
        if bench and not bench.has_error:
            ops = int(bench.extra_info.get("ops", 1))
            medians.setdefault(bench.group, {})[bench.name] = (bench.stats.median, ops)
    return medians


def ratio_lines(medians: dict[str, dict[str, tuple[float, int]]]) -> list[str]:
    """The summary as Markdown: one table per group, then the targets."""
    lines = []
    for group, benches in sorted(medians.items()):
        floors = [f for f in FLOORS.get(group, ()) if f in benches]
        per_op = {name: median / ops for name, (median, ops) in benches.items()}
        lines += [
            f"### {group}",
            "",
            "| benchmark | median | ops | median / op | "
            + " | ".join(f"÷ {f.removeprefix('test_')}" for f in floors)
            + " |",
            "|---|---:|---:|---:|" + "---:|" * len(floors),
        ]
        for name, (median, ops) in sorted(benches.items(), key=lambda item: per_op[item[0]]):
            ratios = "".join(f" {per_op[name] / per_op[f]:.2f} |" for f in floors)
            lines.append(
                f"| {name.removeprefix('test_')} | {format_time(median)} | {ops} "
                f"| {format_time(per_op[name])} |{ratios}"
            )
        lines.append("")
    lines += ["### targets", ""]
    for target in TARGETS:
        benches = medians.get(target.group, {})
        label = f"{target.group}: {target.name} / {target.floor} ≤ {target.limit}"
        if target.name in benches and target.floor in benches:
            (num, num_ops), (den, den_ops) = benches[target.name], benches[target.floor]
            ratio = (num / num_ops) / (den / den_ops)
            verdict = "met" if ratio <= target.limit else "MISSED"
            lines.append(f"- {label}: **{ratio:.2f}** {verdict}")
        else:
            lines.append(f"- {label}: not run")
    return lines


@pytest.hookimpl(trylast=True)
def pytest_terminal_summary(terminalreporter, exitstatus: int, config: pytest.Config) -> None:
    """Print the ratio tables (after pytest-benchmark's own) and save them as Markdown."""
    medians = per_op_medians(config)
    if not medians:
        return
    lines = ratio_lines(medians)
    terminalreporter.section("admodes benchmark ratios (medians of this run)")
    for line in lines:
        terminalreporter.write_line(line)
    threads = os.environ.get("OMP_NUM_THREADS", "unset")
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    out = config.rootpath / ".benchmarks" / "ratios.md"
    out.parent.mkdir(exist_ok=True)
    header = [f"# Benchmark ratios, {stamp} (OMP_NUM_THREADS={threads})", ""]
    out.write_text("\n".join(header + lines) + "\n", encoding="utf-8")
    terminalreporter.write_line(f"(written to {out})")
