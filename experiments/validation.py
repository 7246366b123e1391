"""Every derivative admodes computes is checked against JAX (float64) on the same inputs."""

from __future__ import annotations

import math
from collections.abc import Callable
from functools import cached_property
from typing import Any

import jax
import numpy as np

jax.config.update("jax_enable_x64", True)

import jax.numpy as jnp  # noqa: E402  (must follow the x64 switch)

TOLERANCE = 1e-9
"""Largest relative error against JAX that an experiment accepts (float64, long chains)."""

RELATIVE_FLOOR = 1e-6
"""Entries smaller than this fraction of the reference's largest magnitude are compared
relative to that floor, so roundoff on near-zero entries does not read as a large error."""


def exceeds_tolerance(err: float) -> bool:
    """Whether a measured error fails validation (NaN means "not validated" and passes)."""
    return not math.isnan(err) and not err <= TOLERANCE


class ValidationError(AssertionError):
    """An admodes result does not match JAX's within :data:`TOLERANCE`."""


def flatten(tree: Any) -> np.ndarray:
    """All leaves of a pytree (floats, arrays, tuples, lists, dicts) as one float64 vector."""
    leaves = jax.tree_util.tree_leaves(tree)
    if not leaves:
        return np.zeros(0)
    return np.concatenate([np.ravel(np.asarray(leaf, dtype=np.float64)) for leaf in leaves])


def max_rel_err(actual: Any, expected: Any) -> float:
    """Largest entrywise relative error of ``actual`` against the reference ``expected``.

    Denominators are ``max(|expected|, RELATIVE_FLOOR * max|expected|)``. Matching non-finite
    entries (same inf, or both NaN) count as exact; a mismatch in shape raises ValidationError.
    """
    got, want = flatten(actual), flatten(expected)
    if got.shape != want.shape:
        raise ValidationError(f"result has {got.size} entries, JAX's has {want.size}")
    if want.size == 0:
        return 0.0
    finite = np.isfinite(want)
    same_nonfinite = ~finite & ((got == want) | (np.isnan(got) & np.isnan(want)))
    scale = float(np.max(np.abs(want[finite]))) if finite.any() else 0.0
    floor = max(scale * RELATIVE_FLOOR, np.finfo(np.float64).tiny)
    with np.errstate(invalid="ignore", over="ignore"):
        errors = np.abs(got - want) / np.maximum(np.abs(want), floor)
    errors = np.where(same_nonfinite, 0.0, errors)
    errors = np.where(np.isnan(errors), np.inf, errors)
    return float(np.max(errors))


def to_jax(tree: Any) -> Any:
    """The same pytree with array leaves as JAX float64 arrays (Python floats stay floats)."""
    return jax.tree_util.tree_map(
        lambda leaf: leaf if isinstance(leaf, float) else jnp.asarray(leaf, dtype=jnp.float64),
        tree,
    )


class JaxReference:
    """JAX's value and Jacobian of one function at one point, from one jit-compiled call.

    For a scalar f the Jacobian is the gradient (same structure as the input). Compiling once is
    much faster here than JAX's eager mode, which compiles every primitive for every new shape.
    """

    def __init__(self, fun: Callable[[Any], Any], x: Any) -> None:
        self._fun = fun
        self._x = to_jax(x)

    @cached_property
    def _value_and_jacobian(self) -> tuple[Any, Any]:
        fun = self._fun
        return jax.jit(lambda x: (fun(x), jax.jacrev(fun)(x)))(self._x)

    @property
    def value(self) -> Any:
        """f(x)."""
        return self._value_and_jacobian[0]

    @property
    def jacobian(self) -> Any:
        """The Jacobian of f at x (shape ``out.shape + in.shape``; the gradient if f is scalar)."""
        return self._value_and_jacobian[1]
