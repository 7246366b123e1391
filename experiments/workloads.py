"""The functions every experiment differentiates, each written once against a :class:`Backend`.

A workload builder takes sizes and a seeded generator and returns an :class:`Instance`: the input
point (NumPy), the output count, and a body that builds the function for any backend.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from experiments.backends import Backend, load_backend
from experiments.validation import JaxReference, flatten


@dataclass(frozen=True)
class Instance:
    """One workload at one size: what to differentiate and where."""

    workload: str
    x: Any
    n_outputs: int
    body: Callable[[Backend], Callable[[Any], Any]]

    @property
    def n_inputs(self) -> int:
        """Number of scalar inputs (all leaves of ``x``)."""
        return int(flatten(self.x).size)

    def fun(self, backend: Backend) -> Callable[[Any], Any]:
        """The function, built with ``backend``'s operations."""
        return self.body(backend)

    def under_test(self) -> tuple[Callable[[Any], Any], Any, JaxReference]:
        """The function built with admodes, its point x, and JAX's value and Jacobian there."""
        reference = JaxReference(self.fun(load_backend("jax")), self.x)
        return self.fun(load_backend("admodes")), self.x, reference


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


def mlp_parameter_count(sizes: Sequence[int]) -> int:
    """Weights and biases of a dense network with layer widths ``sizes``."""
    return sum(a * b + b for a, b in itertools.pairwise(sizes))


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
