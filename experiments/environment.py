"""The machine and software a run measured on, for the report's header."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
import subprocess
import sys
from pathlib import Path

THREAD_VARIABLES = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_WAIT_POLICY")
PACKAGES = {
    "NumPy": "numpy",
    "JAX": "jax",
    "jaxlib": "jaxlib",
    "HIPS autograd": "autograd",
    "PyTorch": "torch",
    "pandas": "pandas",
    "matplotlib": "matplotlib",
}


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
    import numpy

    blas = numpy.show_config(mode="dicts").get("Build Dependencies", {}).get("blas", {})
    return f"{blas.get('name', 'unknown')} {blas.get('version', '')}".strip()


BLAS_PROBE = """
import time, numpy as np
a = np.random.default_rng(0).random((300, 300)); a @ a
samples = []
for _ in range(20):
    start = time.perf_counter(); a @ a; samples.append(time.perf_counter() - start)
print(sorted(samples)[10] * 1e3)
"""


def blas_probe(threads: int) -> str:
    """Median milliseconds of a 300×300 float64 matmul with NumPy's BLAS on ``threads`` threads."""
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), OPENBLAS_NUM_THREADS=str(threads))
    done = subprocess.run(
        [sys.executable, "-c", BLAS_PROBE], env=env, capture_output=True, text=True, timeout=60
    )
    return f"{float(done.stdout):.2f} ms" if done.returncode == 0 else "probe failed"


def now_utc() -> str:
    """The current time, UTC, to the second."""
    return dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M:%S UTC")


def describe_environment(seed: int, command: str) -> dict[str, str]:
    """Label → value rows for the report header."""
    threads = ", ".join(f"{v}={os.environ.get(v, 'unset')}" for v in THREAD_VARIABLES)
    if package_version("torch") != "not installed":
        threads += ", torch.set_num_threads(2)"
    rows = {
        "CPU": f"{cpu_model()} ({os.cpu_count()} logical cores)",
        "OS": platform.platform(),
        "Python": platform.python_version(),
    }
    rows.update({label: package_version(dist) for label, dist in PACKAGES.items()})
    rows["NumPy's BLAS"] = numpy_blas()
    configured = int(os.environ.get("OPENBLAS_NUM_THREADS") or os.cpu_count() or 1)
    rows["BLAS probe (300×300 matmul, median of 20)"] = (
        f"1 thread: {blas_probe(1)}; {configured} threads (this run's setting): "
        f"{blas_probe(configured)}"
    )
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
