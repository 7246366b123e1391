"""Every derivative admodes computes is checked: against JAX (float64) on the same inputs, or,
for a user's workload without a JAX version, against central finite differences."""

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

FD_TOLERANCE = 1e-5
FD_STEP = 1e-4
"""Central differences follow JAX's ``check_grads`` policy in float64: step 1e-4, tolerance
1e-5, here relative to the largest entry of the finite-difference Jacobian."""

RELATIVE_FLOOR = 1e-6
"""Entries smaller than this fraction of the reference's largest magnitude are compared
relative to that floor, so roundoff on near-zero entries does not read as a large error."""

JAX, FINITE_DIFFERENCES, GOLDEN = "JAX", "central finite differences", "the eval's golden value"
ERROR_COLUMN = {
    JAX: "max_rel_err_vs_jax",
    FINITE_DIFFERENCES: "max_err_vs_fd",
    GOLDEN: "max_rel_err_vs_golden",
}
"""The CSV column that holds the error against each kind of reference."""


def exceeds_tolerance(err: float, tolerance: float = TOLERANCE) -> bool:
    """Whether a measured error fails validation (NaN means "not validated" and passes)."""
    return not math.isnan(err) and not err <= tolerance


class ValidationError(AssertionError):
    """An admodes result does not have the shape of its reference."""


def flatten(tree: Any) -> np.ndarray:
    """All leaves of a pytree (floats, arrays, tuples, lists, dicts) as one float64 vector."""
    leaves = jax.tree_util.tree_leaves(tree)
    if not leaves:
        return np.zeros(0)
    return np.concatenate([np.ravel(np.asarray(leaf, dtype=np.float64)) for leaf in leaves])


def _checked_pair(actual: Any, expected: Any) -> tuple[np.ndarray, np.ndarray]:
    got, want = flatten(actual), flatten(expected)
    if got.shape != want.shape:
        raise ValidationError(f"result has {got.size} entries, the reference has {want.size}")
    return got, want


def max_rel_err(actual: Any, expected: Any) -> float:
    """Largest entrywise relative error of ``actual`` against the reference ``expected``.

    Denominators are ``max(|expected|, RELATIVE_FLOOR * max|expected|)``. Matching non-finite
    entries (same inf, or both NaN) count as exact; a mismatch in shape raises ValidationError.
    """
    got, want = _checked_pair(actual, expected)
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


def scaled_err(actual: Any, expected: Any) -> float:
    """Largest entrywise |actual − expected| over the largest |expected| (a Jacobian's scale)."""
    got, want = _checked_pair(actual, expected)
    scale = max(float(np.max(np.abs(want), initial=0.0)), np.finfo(np.float64).tiny)
    err = float(np.max(np.abs(got - want), initial=0.0)) / scale
    return err if math.isfinite(err) else math.inf


def to_jax(tree: Any) -> Any:
    """The same pytree with array leaves as JAX float64 arrays (Python floats stay floats)."""
    return jax.tree_util.tree_map(
        lambda leaf: leaf if isinstance(leaf, float) else jnp.asarray(leaf, dtype=jnp.float64),
        tree,
    )


class JaxReference:
    """JAX's value, Jacobian, Hessian and Hessian-vector products of one function at one point.

    For a scalar f the Jacobian is the gradient (same structure as the input). Each is computed
    once, jit-compiled: much faster here than JAX's eager mode, which compiles every primitive
    for every new shape.
    """

    source = JAX
    tolerance = TOLERANCE

    def __init__(self, fun: Callable[[Any], Any], x: Any) -> None:
        self._fun = fun
        self._x = to_jax(x)

    @staticmethod
    def error(actual: Any, expected: Any) -> float:
        """How far an admodes result is from JAX's."""
        return max_rel_err(actual, expected)

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

    @cached_property
    def hessian(self) -> Any:
        """``jax.hessian`` of a scalar f at x."""
        return jax.jit(jax.hessian(self._fun))(self._x)

    def hvp(self, v: Any) -> Any:
        """H·v of a scalar f at x: JAX's jvp of its grad (compiled anew: call once per v)."""
        grad = jax.grad(self._fun)
        return jax.jit(lambda x, t: jax.jvp(grad, (x,), (t,))[1])(self._x, to_jax(v))


class FiniteDifferenceReference:
    """f's value and Jacobian at a flat point x by central differences, on plain NumPy arrays."""

    source = FINITE_DIFFERENCES
    tolerance = FD_TOLERANCE

    def __init__(self, fun: Callable[[Any], Any], x: np.ndarray) -> None:
        self._fun = fun
        self._x = np.asarray(x, dtype=np.float64)

    @staticmethod
    def error(actual: Any, expected: Any) -> float:
        """How far an admodes result is from the differences, relative to the Jacobian's scale."""
        return scaled_err(actual, expected)

    @cached_property
    def value(self) -> Any:
        """f(x)."""
        return np.asarray(self._fun(self._x), dtype=np.float64)

    @cached_property
    def jacobian(self) -> np.ndarray:
        """(f(x + h e_i) − f(x − h e_i)) / 2h for every input i, shaped ``out.shape + x.shape``."""
        flat = self._x.ravel()
        columns = []
        for i in range(flat.size):
            step = np.zeros_like(flat)
            step[i] = FD_STEP
            up = np.asarray(self._fun((flat + step).reshape(self._x.shape)), dtype=np.float64)
            down = np.asarray(self._fun((flat - step).reshape(self._x.shape)), dtype=np.float64)
            columns.append(np.ravel((up - down) / (2 * FD_STEP)))
        jac = np.stack(columns, axis=-1)
        return jac.reshape(np.shape(self.value) + self._x.shape)


class KnownValue:
    """A value to match, known in advance; ``source`` says where it comes from."""

    source: str
    tolerance = TOLERANCE

    def __init__(self, value: Any) -> None:
        self.value = value

    @staticmethod
    def error(actual: Any, expected: Any) -> float:
        """How far a result is from the value, entrywise relative as against JAX."""
        return max_rel_err(actual, expected)


class JaxValue(KnownValue):
    """A result JAX computed itself (a derivative of its own, as ``vmap(grad(f))``), for
    results of admodes' computing the same thing."""

    source = JAX


class GoldenReference(KnownValue):
    """A published output to match, for a computation no reference can run in reasonable time
    (GradBench's nested-AD evals check their result against such golden values)."""

    source = GOLDEN


Reference = JaxReference | JaxValue | FiniteDifferenceReference | GoldenReference
