"""The machine and software a run measured on, for the report's header."""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import os
import platform
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
    rows.update(
        {
            "Threads": threads,
            "JAX precision": "float64 (jax_enable_x64)",
            "Seed": str(seed),
            "Date": now_utc(),
            "Command": f"`{command}`",
        }
    )
    return rows
