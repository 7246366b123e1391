"""The functions the experiments differentiate, and the AD systems they run on.

A workload is written once against a :class:`Backend` (a NumPy-like namespace per AD system);
a builder takes sizes and a seeded generator and returns an :class:`Instance`. A user's workload
(``--workload module:factory``) is a factory of a size returning ``(f, x)`` or
``(f, x, f_jax)``; its docstring describes it in the report, like the builders' own.

A body uses only ``B.np.<fn>`` for the functions the PyTorch shim below provides (sin, cos, exp,
log, tanh, sum, mean, reshape, maximum), ``B.logsumexp``, Python operators, ``.T`` and indexing;
``B.asarray`` turns constant NumPy data into the system's arrays.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import inspect
import itertools
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

import admodes.numpy as anp
from experiments.harness.validation import (
    FiniteDifferenceReference,
    JaxReference,
    Reference,
    flatten,
    jnp,
)

PEERS = ("jax", "autograd", "torch")


@dataclass(frozen=True)
class Backend:
    """One AD system seen through a common NumPy-like interface."""

    name: str
    np: Any
    logsumexp: Callable[[Any, int], Any]
    asarray: Callable[[np.ndarray], Any]


def is_installed(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it."""
    return importlib.util.find_spec(module) is not None


def _admodes() -> Backend:
    return Backend("admodes", anp, lambda x, axis: anp.logsumexp(x, axis=axis), np.asarray)


def _jax() -> Backend:
    logsumexp = importlib.import_module("jax.scipy.special").logsumexp
    return Backend("jax", jnp, lambda x, axis: logsumexp(x, axis=axis), jnp.asarray)


def _autograd() -> Backend:
    agnp = importlib.import_module("autograd.numpy")
    logsumexp = importlib.import_module("autograd.scipy.special").logsumexp
    return Backend("autograd", agnp, lambda x, axis: logsumexp(x, axis=axis), np.asarray)


def _torch() -> Backend:
    torch = importlib.import_module("torch")
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS") or os.cpu_count() or 1))

    def as_tensor(value: Any) -> Any:
        return torch.as_tensor(value, dtype=torch.float64)

    def reduce(name: str) -> Callable[..., Any]:
        def apply(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
            method = getattr(x, name)
            return method() if axis is None else method(dim=axis, keepdim=keepdims)

        return apply

    namespace = SimpleNamespace(
        sin=torch.sin,
        cos=torch.cos,
        exp=torch.exp,
        log=torch.log,
        tanh=torch.tanh,
        sum=reduce("sum"),
        mean=reduce("mean"),
        reshape=torch.reshape,
        maximum=lambda a, b: torch.maximum(as_tensor(a), as_tensor(b)),
    )
    return Backend("torch", namespace, lambda x, axis: torch.logsumexp(x, dim=axis), as_tensor)


_LOADERS: dict[str, Callable[[], Backend]] = {
    "admodes": _admodes,
    "jax": _jax,
    "autograd": _autograd,
    "torch": _torch,
}


@functools.cache
def load_backend(name: str) -> Backend | None:
    """The named backend, or None when its package is not installed."""
    return _LOADERS[name]() if is_installed(name) else None


def describe(builder: Callable[..., Any]) -> str:
    """The first paragraph of a workload builder's docstring, on one line."""
    doc = inspect.getdoc(builder) or "(no docstring)"
    return " ".join(doc.split("\n\n")[0].split())


@dataclass(frozen=True)
class Instance:
    """One workload at one size: what to differentiate and where.

    ``body(backend)`` builds the function with that backend's operations, or gives None when the
    workload has no version for it.
    """

    workload: str
    x: Any
    n_outputs: int
    body: Callable[[Backend], Callable[[Any], Any] | None]

    @property
    def n_inputs(self) -> int:
        """Number of scalar inputs (all leaves of ``x``)."""
        return int(flatten(self.x).size)

    def fun(self, backend: Backend) -> Callable[[Any], Any] | None:
        """The function, built with ``backend``'s operations."""
        return self.body(backend)

    def under_test(self) -> tuple[Callable[[Any], Any], Any, Reference]:
        """The function built with admodes, its point x, and the reference to validate against:
        JAX where the workload has a JAX version, else central finite differences."""
        f = self.fun(load_backend("admodes"))
        jax_fun = self.fun(load_backend("jax"))
        if jax_fun is None:
            return f, self.x, FiniteDifferenceReference(f, self.x)
        return f, self.x, JaxReference(jax_fun, self.x)


@dataclass(frozen=True)
class UserWorkload:
    """A workload from outside the package: ``factory(size)`` gives ``(f, x)`` or
    ``(f, x, f_jax)``, f written with ``admodes.numpy`` or plain NumPy, f_jax with ``jax.numpy``."""

    spec: str
    factory: Callable[[int], tuple[Any, ...]]

    @property
    def name(self) -> str:
        """The factory's name, the workload's name in the results."""
        return self.factory.__name__

    @property
    def description(self) -> str:
        """The factory's docstring."""
        return describe(self.factory)

    def instance(self, size: int) -> Instance:
        """The workload at ``size``: its point as a float64 array, its output count measured."""
        f, x, jax_fun, out = self._made(size)
        versions = {"admodes": f, "jax": jax_fun}
        return Instance(self.name, x, int(out.size), lambda B: versions.get(B.name))

    @functools.cached_property
    def one_output(self) -> bool:
        """Whether f gives one output, a scalar (a vector of any length counts as several):
        found once, at size 2."""
        return self._made(2)[3].ndim == 0

    def _made(self, size: int) -> tuple[Callable[[Any], Any], np.ndarray, Any, np.ndarray]:
        """``(f, x, f_jax or None, f(x))`` from the factory; ValueError when it does not return
        ``(f, x)`` or ``(f, x, f_jax)``."""
        made = self.factory(size)
        if not (isinstance(made, tuple) and len(made) in (2, 3) and callable(made[0])):
            raise ValueError(
                f"{self.spec}({size}) must return (f, x) or (f, x, f_jax) with f callable, got "
                f"{type(made).__name__}"
            )
        f, x, *rest = made
        x = np.asarray(x, dtype=np.float64)
        return f, x, rest[0] if rest else None, np.asarray(f(x))


def load_user_workload(spec: str) -> UserWorkload:
    """Import ``module:factory`` (a module importable from the working directory or path)."""
    module, _, attribute = spec.partition(":")
    if not module or not attribute:
        raise ValueError(f"expected module:factory, got {spec!r}")
    factory = getattr(importlib.import_module(module), attribute)
    if not callable(factory):
        raise ValueError(f"{spec} is not callable")
    return UserWorkload(spec, factory)


# --- the built-in workloads -----------------------------------------------------------------


def elementwise(n: int, rng: np.random.Generator) -> Instance:
    """``sum(sin(x) * x + exp(-x**2))``: ℝⁿ → ℝ at O(n) cost."""

    def body(B: Backend) -> Callable[[Any], Any]:
        return lambda x: B.np.sum(B.np.sin(x) * x + B.np.exp(-(x * x)))

    return Instance("elementwise", rng.standard_normal(n), 1, body)


def _mlp_layers(theta: Any, B: Backend, sizes: Sequence[int], h: Any) -> Any:
    """Apply the dense tanh layers whose weights and biases are packed in the vector ``theta``."""
    offset = 0
    for layer, (fan_in, fan_out) in enumerate(itertools.pairwise(sizes)):
        weights = B.np.reshape(theta[offset : offset + fan_in * fan_out], (fan_in, fan_out))
        offset += fan_in * fan_out
        bias = theta[offset : offset + fan_out]
        offset += fan_out
        h = h @ weights + bias
        if layer < len(sizes) - 2:
            h = B.np.tanh(h)
    return h


def mlp(sizes: Sequence[int], batch: int, rng: np.random.Generator) -> Instance:
    """Mean squared error of a tanh MLP on a fixed batch; all parameters in one flat vector."""
    theta = np.concatenate(
        [
            part
            for a, b in itertools.pairwise(sizes)
            for part in (rng.standard_normal(a * b) / math.sqrt(a), 0.1 * rng.standard_normal(b))
        ]
    )
    inputs = rng.standard_normal((batch, sizes[0]))
    targets = rng.standard_normal((batch, sizes[-1]))

    def body(B: Backend) -> Callable[[Any], Any]:
        X, y = B.asarray(inputs), B.asarray(targets)

        def loss(params: Any) -> Any:
            residual = _mlp_layers(params, B, sizes, X) - y
            return B.np.mean(residual * residual)

        return loss

    name = "mlp-" + "-".join(str(s) for s in sizes)
    return Instance(name, theta, 1, body)


def mlp_with_about(n_params: int, rng: np.random.Generator, d_in: int = 4) -> Instance:
    """A one-hidden-layer MLP (``d_in``-h-1, batch 16) with about ``n_params`` parameters."""
    width = max(1, round((n_params - 1) / (d_in + 2)))
    instance = mlp((d_in, width, 1), batch=16, rng=rng)
    return Instance("mlp", instance.x, 1, instance.body)


def seed_net() -> Instance:
    """The seed's two-layer net: L = (w2 * max(0, w1 * x) - y)² with x=2, y=1."""
    x, y = 2.0, 1.0

    def body(B: Backend) -> Callable[[Any], Any]:
        def loss(params: Any) -> Any:
            w1, w2 = params
            z1 = w1 * x
            a1 = B.np.maximum(0.0, z1)
            z2 = w2 * a1
            return (z2 - y) ** 2

        return loss

    return Instance("seed-net", (0.5, -0.3), 1, body)


def gaussian_mixture(components: int, dim: int, points: int, rng: np.random.Generator) -> Instance:
    """Log-likelihood of ``points`` samples under a K-component isotropic Gaussian mixture.

    Parameters are a dict (a pytree): mixture logits, means (K×D) and log scales; the mixture
    sum is a logsumexp over components.
    """
    params = {
        "logits": 0.1 * rng.standard_normal(components),
        "means": rng.standard_normal((components, dim)),
        "log_scales": 0.1 * rng.standard_normal(components),
    }
    data = rng.standard_normal((points, dim))
    data_sq = np.sum(data * data, axis=1, keepdims=True)
    log_two_pi = math.log(2.0 * math.pi)

    def body(B: Backend) -> Callable[[Any], Any]:
        X, X2 = B.asarray(data), B.asarray(data_sq)

        def loglik(p: Any) -> Any:
            means, log_scales, logits = p["means"], p["log_scales"], p["logits"]
            mean_sq = B.np.reshape(B.np.sum(means * means, axis=1), (1, components))
            sq_dist = X2 - 2.0 * (X @ means.T) + mean_sq
            inv_var = B.np.reshape(B.np.exp(-2.0 * log_scales), (1, components))
            log_norm = B.np.reshape(-dim * log_scales, (1, components)) - 0.5 * dim * log_two_pi
            log_weights = B.np.reshape(logits - B.logsumexp(logits, 0), (1, components))
            per_component = log_weights + log_norm - 0.5 * sq_dist * inv_var
            return B.np.sum(B.logsumexp(per_component, 1))

        return loglik

    return Instance(f"gmm-K{components}-D{dim}-N{points}", params, 1, body)


def lstm(hidden: int, dim: int, steps: int, rng: np.random.Generator) -> Instance:
    """An LSTM-style recurrence over ``steps`` inputs; the loss is ``sum(h_T**2)``."""
    scale = 1.0 / math.sqrt(hidden + dim)
    params = {
        "Wx": scale * rng.standard_normal((4 * hidden, dim)),
        "Wh": scale * rng.standard_normal((4 * hidden, hidden)),
        "b": 0.1 * rng.standard_normal(4 * hidden),
    }
    sequence = rng.standard_normal((steps, dim))
    H = hidden

    def body(B: Backend) -> Callable[[Any], Any]:
        X = B.asarray(sequence)
        zeros = B.asarray(np.zeros(hidden))

        def sigmoid(z: Any) -> Any:
            return 0.5 * (B.np.tanh(0.5 * z) + 1.0)

        def loss(p: Any) -> Any:
            h, c = zeros, zeros
            for t in range(steps):
                z = p["Wx"] @ X[t] + p["Wh"] @ h + p["b"]
                gate_in, gate_forget = sigmoid(z[:H]), sigmoid(z[H : 2 * H])
                gate_out, candidate = sigmoid(z[2 * H : 3 * H]), B.np.tanh(z[3 * H :])
                c = gate_forget * c + gate_in * candidate
                h = gate_out * B.np.tanh(c)
            return B.np.sum(h * h)

        return loss

    return Instance(f"lstm-H{hidden}-T{steps}", params, 1, body)


def dense_tanh(n: int, m: int, rng: np.random.Generator) -> Instance:
    """``tanh(A @ sin(x))`` with a fixed m×n matrix A: ℝⁿ → ℝᵐ at O(mn) cost."""
    matrix = rng.standard_normal((m, n)) / math.sqrt(n)

    def body(B: Backend) -> Callable[[Any], Any]:
        A = B.asarray(matrix)
        return lambda x: B.np.tanh(A @ B.np.sin(x))

    return Instance("dense-tanh", rng.standard_normal(n), m, body)


def mlp_outputs(n: int, m: int, rng: np.random.Generator, hidden: int = 32) -> Instance:
    """``tanh(x @ W1) @ W2``: a fixed n-32-m network read as a map ℝⁿ → ℝᵐ of its input."""
    first = rng.standard_normal((n, hidden)) / math.sqrt(n)
    second = rng.standard_normal((hidden, m)) / math.sqrt(hidden)

    def body(B: Backend) -> Callable[[Any], Any]:
        W1, W2 = B.asarray(first), B.asarray(second)
        return lambda x: B.np.tanh(x @ W1) @ W2

    return Instance("mlp-map", rng.standard_normal(n), m, body)
