"""GradBench ``lstm``: ADBench's LSTM (diagonal weights) loss and its gradient (reverse mode).

For each layer ℓ with weights wₗ, biases bₗ (rows 2ℓ and 2ℓ+1 of ``main_params``), hidden h and
cell c (rows 2ℓ and 2ℓ+1 of ``state``), on input x:

    g = (x, h, x, h) ⊙ wₗ + bₗ,   f, i, o = σ(g₁), σ(g₂), σ(g₃),   z = tanh(g₄)
    c ← c ⊙ f + i ⊙ z,   h ← o ⊙ tanh(c),   x ← h

with σ(t) = 1/(1 + e⁻ᵗ). A step predicts y = h ⊙ e₁ + e₂ from x₀ = input ⊙ e₀ (e = the rows of
``extra_params``), normalises ŷ = y − log(Σ eʸ + 2) and scores Σ ŷ ⊙ target against the next
character's bits; the loss is minus the score summed over the sequence, divided by the number of
bits scored. ``jacobian`` is the gradient w.r.t. ``main_params`` and ``extra_params``, each
flattened row by row, concatenated.
"""

from __future__ import annotations

import numpy as np

import admodes as ad
import admodes.numpy as anp

from ..convert import floats
from ..protocol import function

Arrays = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def sigmoid(t: np.ndarray) -> np.ndarray:
    """1/(1 + e⁻ᵗ)."""
    return 1.0 / (1.0 + anp.exp(-t))


def lstm_model(
    weight: np.ndarray, bias: np.ndarray, hidden: np.ndarray, cell: np.ndarray, x: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """One layer: the new (hidden, cell)."""
    n = hidden.shape[0]
    gates = anp.concatenate([x, hidden, x, hidden]) * weight + bias
    forget = sigmoid(gates[:n])
    ingate = sigmoid(gates[n : 2 * n])
    outgate = sigmoid(gates[2 * n : 3 * n])
    change = anp.tanh(gates[3 * n :])
    cell = cell * forget + ingate * change
    return outgate * anp.tanh(cell), cell


def predict(
    main: np.ndarray, extra: np.ndarray, state: list, x: np.ndarray
) -> tuple[np.ndarray, list]:
    """The prediction for input x and the new state (a list of rows: hidden, cell per layer)."""
    x = x * extra[0]
    new_state = []
    for layer in range(0, len(state), 2):
        hidden, cell = lstm_model(main[layer], main[layer + 1], state[layer], state[layer + 1], x)
        x = hidden
        new_state += [hidden, cell]
    return x * extra[1] + extra[2], new_state


def loss(main: np.ndarray, extra: np.ndarray, state: np.ndarray, sequence: np.ndarray) -> float:
    """The average loss over the sequence."""
    rows = list(state)
    total = 0.0
    for t in range(sequence.shape[0] - 1):
        ypred, rows = predict(main, extra, rows, sequence[t])
        ynorm = ypred - anp.log(anp.sum(anp.exp(ypred)) + 2.0)
        total = total + anp.sum(sequence[t + 1] * ynorm)
    return -total / ((sequence.shape[0] - 1) * sequence.shape[1])


def prepare(input: dict) -> Arrays:
    """(main_params, extra_params, state, sequence)."""
    return tuple(floats(input[k]) for k in ("main_params", "extra_params", "state", "sequence"))


@function(prepare, output=float)
def objective(args: Arrays) -> float:
    """The loss."""
    return loss(*args)


@function(prepare, output=lambda grads: np.concatenate([np.ravel(g) for g in grads]).tolist())
def jacobian(args: Arrays) -> tuple[np.ndarray, np.ndarray]:
    """∇ of the loss w.r.t. (main_params, extra_params), by reverse mode."""
    return ad.grad(loss, argnums=(0, 1))(*args)
