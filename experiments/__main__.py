"""``python -m experiments``: parse the command line, choose the BLAS thread count, run.

The thread count must be fixed before NumPy loads its BLAS, so a run first probes 1 thread
against every core in fresh processes and then re-executes itself with the faster setting.
"""

from __future__ import annotations

import argparse
import os
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from experiments.catalog import CATALOG, by_name
from experiments.harness.machine import (
    choose_blas_threads,
    chosen_blas_threads,
    describe_environment,
    environment_for,
)
from experiments.harness.runner import ExperimentSpec, RunSettings, run_all
from experiments.harness.timing import FULL_PLAN, QUICK_PLAN, compile_every_time
from experiments.harness.workloads import UserWorkload, load_user_workload


def _experiment_names(text: str) -> list[str]:
    """Parse ``NAME[,NAME...]`` into known experiment names."""
    names = [name.strip() for name in text.split(",") if name.strip()]
    if not names:
        raise argparse.ArgumentTypeError("expected at least one experiment name")
    try:
        by_name(names)
    except ValueError as unknown:
        known = ", ".join(spec.name for spec in CATALOG)
        raise argparse.ArgumentTypeError(
            f"unknown experiment(s) {unknown}; known: {known}"
        ) from None
    return names


def _user_workload(spec: str) -> UserWorkload:
    """Parse ``module:factory`` into an imported user workload, checked at a small size (any
    error in the user's module or factory is reported as the argument's)."""
    try:
        workload = load_user_workload(spec)
        workload.instance(2)  # the factory and f run once
    except Exception as problem:  # the user's code: report whatever it raised
        raise argparse.ArgumentTypeError(
            f"cannot load workload {spec!r}: {type(problem).__name__}: {problem}"
        ) from None
    return workload


def build_parser() -> argparse.ArgumentParser:
    """The command line of ``python -m experiments``."""
    parser = argparse.ArgumentParser(
        prog="python -m experiments",
        description="Sweep forward and reverse mode, validate against JAX, write results.",
    )
    parser.add_argument("--list", action="store_true", help="list the experiments and exit")
    parser.add_argument(
        "--only", type=_experiment_names, metavar="NAME[,NAME]", help="run only these experiments"
    )
    parser.add_argument(
        "--quick", action="store_true", help="every experiment on tiny sizes (about a minute)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("results"), help="output directory (default: results)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for all inputs (default: 0)")
    parser.add_argument(
        "--workload",
        type=_user_workload,
        action="append",
        default=[],
        metavar="MODULE:FACTORY",
        help="add your workload: FACTORY(size) returns (f, x) or (f, x, f_jax); repeatable",
    )
    return parser


def selected(args: argparse.Namespace) -> list[ExperimentSpec]:
    """The experiments the arguments ask for, in catalog order."""
    return by_name(args.only) if args.only else list(CATALOG)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status (1 if any experiment FAILED).

    A run (not ``--list``) without a thread choice in its environment probes the BLAS threads
    and replaces this process with one running on the faster setting.
    """
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    names = [user.name for user in args.workload]
    repeated = sorted({name for name in names if names.count(name) > 1})
    if repeated:
        parser.error(
            f"--workload: more than one factory named {', '.join(repeated)} (a workload's name is "
            "its factory's, in the results): rename all but one"
        )
    if args.list:
        for spec in CATALOG:
            print(f"{spec.name:<15} {spec.description}")
        return 0
    compile_every_time()
    blas = chosen_blas_threads()
    if blas is None:
        environment = environment_for(choose_blas_threads())
        os.execve(sys.executable, [sys.executable, "-m", "experiments", *argv], environment)

    command = shlex.join(["python", "-m", "experiments", *argv])
    settings = RunSettings(
        out_dir=args.out,
        quick=args.quick,
        seed=args.seed,
        plan=QUICK_PLAN if args.quick else FULL_PLAN,
        command=command,
        user_workloads=tuple(args.workload),
    )
    summaries = run_all(
        selected(args),
        report_names=[spec.name for spec in CATALOG],
        settings=settings,
        environment=describe_environment(args.seed, command, blas),
        progress=lambda line: print(line, file=sys.stderr, flush=True),
    )
    failed = [s.name for s in summaries if s.status != "OK"]
    if failed:
        print(f"FAILED: {', '.join(failed)} (see {args.out / 'REPORT.md'})", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
