"""The experiments, in the order they run and appear in the report."""

from __future__ import annotations

import importlib
from collections.abc import Callable

from experiments.harness.context import Context
from experiments.harness.runner import ExperimentSpec


def _module_run(module: str) -> Callable[[Context], str]:
    """``experiments.<module>.run``, imported only when the experiment runs (``module`` may be
    dotted: ``gradbench.experiment``, beside the GradBench tool it measures)."""

    def run(ctx: Context) -> str:
        return importlib.import_module(f"experiments.{module}").run(ctx)

    return run


CATALOG: tuple[ExperimentSpec, ...] = tuple(
    ExperimentSpec(name, description, _module_run(module))
    for name, module, description in (
        ("inputs", "inputs", "gradient cost against the number of inputs (f: ℝⁿ → ℝ)"),
        (
            "outputs",
            "outputs",
            "Jacobian cost against the number of outputs (f: ℝⁿ → ℝᵐ, n fixed)",
        ),
        ("crossover", "crossover", "forward against reverse over an (n, m) grid"),
        (
            "second_order",
            "second_order",
            "Hessian-vector products and Hessians in the four mode pairs",
        ),
        (
            "cheap_gradient",
            "cheap_gradient",
            "gradient cost / function cost (the cheap gradient principle)",
        ),
        (
            "memory",
            "memory",
            "saved memory and recomputation against depth and checkpointing schedule",
        ),
        ("peers", "peers", "the same gradients in JAX, HIPS autograd and PyTorch"),
        ("vmap", "vmap", "per-example gradients: vmap(grad) in one call against a loop of grad"),
        (
            "gradbench",
            "gradbench.experiment",
            "GradBench's evals by forward and by reverse mode, beside JAX and HIPS autograd",
        ),
    )
)


def by_name(names: list[str]) -> list[ExperimentSpec]:
    """The catalog entries with these names, in catalog order."""
    unknown = sorted(set(names) - {spec.name for spec in CATALOG})
    if unknown:
        raise ValueError(", ".join(unknown))
    return [spec for spec in CATALOG if spec.name in names]
