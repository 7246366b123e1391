"""The worked examples, with numbers computed by hand, in both modes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from conftest import MODES

import admodes as ad
import admodes.numpy as anp


@pytest.mark.parametrize("mode", MODES)
def test_square_of_affine(mode: str) -> None:
    """f(x) = (3x + 2)²: f'(x) = 6(3x + 2) = 30 at x = 1."""
    value, slope = ad.value_and_grad(lambda x: (3.0 * x + 2.0) ** 2, mode=mode)(1.0)
    assert (value, slope) == (25.0, 30.0)


@pytest.mark.parametrize("mode", MODES)
def test_squared_linear_unit(mode: str) -> None:
    """L = (w·x + b)² at w=2, x=3, b=1: L = 49, ∂L/∂w = 2·7·3, ∂L/∂x = 2·7·2, ∂L/∂b = 2·7."""
    loss = lambda w, x, b: (w * x + b) ** 2
    value, grads = ad.value_and_grad(loss, argnums=(0, 1, 2), mode=mode)(2.0, 3.0, 1.0)
    assert value == 49.0
    assert grads == (42.0, 28.0, 14.0)


RELUS = {
    "builtin-max": lambda z: max(0.0, z),
    "maximum": lambda z: anp.maximum(0.0, z),
    "where": lambda z: anp.where(z > 0, z, 0.0),
}


def two_layer_loss(relu: Callable[[Any], Any]) -> Callable[[Any, Any], Any]:
    """z1 = w1·x, a1 = relu(z1), z2 = w2·a1, L = (z2 − y)² with x = 2, y = 1."""

    def loss(w1: Any, w2: Any) -> Any:
        a1 = relu(w1 * 2.0)
        return (w2 * a1 - 1.0) ** 2

    return loss


@pytest.mark.parametrize("relu", RELUS.values(), ids=RELUS.keys())
@pytest.mark.parametrize("mode", MODES)
def test_two_layer_relu_net_and_an_sgd_step(mode: str, relu: Callable[[Any], Any]) -> None:
    """At w1 = 0.5, w2 = −0.3: z1 = 1, a1 = 1, z2 = −0.3, L = 1.3² = 1.69;
    ∂L/∂z2 = 2(z2 − y) = −2.6, ∂L/∂w2 = −2.6·a1 = −2.6, ∂L/∂w1 = −2.6·w2·relu'(1)·x = 1.56.
    One SGD step with lr 0.1: w1 = 0.5 − 0.156 = 0.344, w2 = −0.3 + 0.26 = −0.04."""
    w1, w2 = 0.5, -0.3
    value, (g1, g2) = ad.value_and_grad(two_layer_loss(relu), argnums=(0, 1), mode=mode)(w1, w2)
    assert value == pytest.approx(1.69, rel=1e-12)
    assert g1 == pytest.approx(1.56, rel=1e-12)
    assert g2 == pytest.approx(-2.6, rel=1e-12)
    lr = 0.1
    assert w1 - lr * g1 == pytest.approx(0.344, rel=1e-12)
    assert w2 - lr * g2 == pytest.approx(-0.04, rel=1e-12)
