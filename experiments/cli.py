"""``python -m experiments``: parse the command line and run the selected experiments."""

from __future__ import annotations

import argparse
import shlex
import sys
from collections.abc import Sequence
from pathlib import Path

from experiments.catalog import CATALOG, ExperimentSpec, by_name


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
        "--quick", action="store_true", help="every experiment on tiny sizes (under a minute)"
    )
    parser.add_argument(
        "--out", type=Path, default=Path("results"), help="output directory (default: results)"
    )
    parser.add_argument("--seed", type=int, default=0, help="seed for all inputs (default: 0)")
    return parser


def selected(args: argparse.Namespace) -> list[ExperimentSpec]:
    """The experiments the arguments ask for, in catalog order."""
    return by_name(args.only) if args.only else list(CATALOG)


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point; returns the process exit status (1 if any experiment FAILED)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser().parse_args(argv)
    if args.list:
        for spec in CATALOG:
            print(f"{spec.name:<15} {spec.description}")
        return 0

    from experiments.environment import describe_environment
    from experiments.runner import run_all
    from experiments.timing import FULL_PLAN, QUICK_PLAN

    command = shlex.join(["python", "-m", "experiments", *argv])
    summaries = run_all(
        specs=selected(args),
        report_names=[spec.name for spec in CATALOG],
        out_dir=args.out,
        quick=args.quick,
        seed=args.seed,
        plan=QUICK_PLAN if args.quick else FULL_PLAN,
        command=command,
        environment=describe_environment(args.seed, command),
    )
    failed = [s.name for s in summaries if s.status != "OK"]
    if failed:
        print(f"FAILED: {', '.join(failed)} (see {args.out / 'REPORT.md'})", file=sys.stderr)
    return 1 if failed else 0
