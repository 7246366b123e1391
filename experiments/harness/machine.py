"""The machine a run measures on: its load, the BLAS thread count chosen at start-up, and the
software versions for the report's header."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")
CHOICE_VARIABLE = "ADMODES_EXPERIMENTS_BLAS_PROBE"
"""Set by the start-up probe for the re-executed run: ``threads,ms_one,ms_all``."""
PACKAGES = {
    "NumPy": "numpy",
    "JAX": "jax",
    "jaxlib": "jaxlib",
    "HIPS autograd": "autograd",
    "PyTorch": "torch",
    "pandas": "pandas",
    "matplotlib": "matplotlib",
}
PROBE_ROUNDS = 3
BLAS_PROBE = """
import time, numpy as np
rng = np.random.default_rng(0)
a, b = rng.random((64, 512)), rng.random((512, 512))
for _ in range(3):
    a @ b
samples = []
for _ in range(31):
    start = time.perf_counter(); a @ b; samples.append(time.perf_counter() - start)
print(sorted(samples)[15] * 1e3)
"""
PROBE_WORK = "a 64×512 @ 512×512 float64 matmul (the largest layer of the MLPs measured)"


# --- load -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Load:
    """The machine at one moment: 1-minute load average, this process's CPU and wall clocks."""

    load_average: float
    cpu_seconds: float
    wall_seconds: float


def load_now() -> Load:
    """The current load average and this process's CPU time (all threads) and wall time."""
    return Load(os.getloadavg()[0], time.process_time(), time.perf_counter())


def cpu_share(before: Load, after: Load) -> float:
    """CPU time the process got between two moments, as a share of the wall time between them.

    Below 1 on single-threaded work, the process waited for a core: another process had it.
    """
    wall = after.wall_seconds - before.wall_seconds
    return (after.cpu_seconds - before.cpu_seconds) / wall if wall > 0 else 1.0


# --- BLAS threads ---------------------------------------------------------------------------


@dataclass(frozen=True)
class BlasChoice:
    """The BLAS thread count a run uses, and the probe times that chose it."""

    threads: int
    ms_one: float
    ms_all: float
    cores: int

    def describe(self) -> str:
        """One line for the report header."""
        return (
            f"1 thread: {self.ms_one:.2f} ms, {self.cores} threads: {self.ms_all:.2f} ms per "
            f"{PROBE_WORK} (median of {PROBE_ROUNDS} probes at start-up); this run uses "
            f"{self.threads}"
        )


def _probe_ms(threads: int) -> float:
    """Median milliseconds of the probe's matmul in a fresh process with ``threads`` threads."""
    env = dict(os.environ, **{variable: str(threads) for variable in THREAD_VARIABLES})
    done = subprocess.run(
        [sys.executable, "-c", BLAS_PROBE],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return float(done.stdout)


def choose_blas_threads() -> BlasChoice:
    """Probe 1 thread against every core, alternately, and pick the faster."""
    cores = os.cpu_count() or 1
    if cores == 1:
        ms = _probe_ms(1)
        return BlasChoice(1, ms, ms, 1)
    one, every = [], []
    for _ in range(PROBE_ROUNDS):
        one.append(_probe_ms(1))
        every.append(_probe_ms(cores))
    ms_one, ms_all = statistics.median(one), statistics.median(every)
    return BlasChoice(1 if ms_one <= ms_all else cores, ms_one, ms_all, cores)


def environment_for(choice: BlasChoice) -> dict[str, str]:
    """This process's environment with the chosen thread count and the probe's record."""
    record = f"{choice.threads},{choice.ms_one},{choice.ms_all},{choice.cores}"
    threads = {variable: str(choice.threads) for variable in THREAD_VARIABLES}
    return dict(os.environ, **threads, OMP_WAIT_POLICY="PASSIVE", **{CHOICE_VARIABLE: record})


def chosen_blas_threads() -> BlasChoice | None:
    """The choice the start-up probe made for this process, or None if it has not run."""
    record = os.environ.get(CHOICE_VARIABLE)
    if not record:
        return None
    threads, ms_one, ms_all, cores = record.split(",")
    return BlasChoice(int(threads), float(ms_one), float(ms_all), int(cores))


# --- the report header ----------------------------------------------------------------------


def cpu_model() -> str:
    """The CPU's model name as the kernel reports it."""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    return platform.processor() or "unknown"


def package_version(distribution: str) -> str:
    """The installed version of ``distribution``, or "not installed"."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def numpy_blas() -> str:
    """The BLAS library NumPy was built against, with its version."""
    blas = np.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()


def now_utc() -> str:
    """The current time, UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe_environment(seed: int, command: str, blas: BlasChoice | None) -> dict[str, str]:
    """Label → value rows for the report header."""
    threads = ", ".join(
        f"{v}={os.environ.get(v, 'unset')}" for v in (*THREAD_VARIABLES, "OMP_WAIT_POLICY")
    )
    rows = {
        "CPU": f"{cpu_model()} ({os.cpu_count()} logical cores)",
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }
    rows.update({label: package_version(dist) for label, dist in PACKAGES.items()})
    rows["NumPy's BLAS"] = numpy_blas()
    rows["BLAS threads"] = blas.describe() if blas else "not probed (set by the environment)"
    rows.update(
        {
            "Threads": threads,
            "JAX precision": "float64 (jax_enable_x64)",
            "Load average before the run": " / ".join(f"{v:.2f}" for v in os.getloadavg())
            + " (1 / 5 / 15 min)",
            "Seed": str(seed),
            "Date": now_utc(),
            "Command": f"`{command}`",
        }
    )
    return rows
