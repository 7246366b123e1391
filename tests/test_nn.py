"""``admodes.nn`` against ``jax.nn``: values and gradients in both modes, second order, kinks by
hand, and stability at |x| = 1000 (no overflow, no nan, in value and in both modes' derivatives)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, assert_close

import admodes as ad
import admodes.numpy as anp
from admodes import nn

MASK = np.array([[True, False, True, True], [False, True, True, False], [True] * 4])
SIGNS = np.array([[1.0, -2.0, 0.5, 1.0], [3.0, 1.0, -1.0, 0.0], [1.0, 1.0, 2.0, 1.0]])


def _pair(name: str, **kwargs: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``admodes.nn.name`` and ``jax.nn.name`` with the same keyword arguments."""
    return partial(getattr(nn, name), **kwargs), partial(getattr(jax.nn, name), **kwargs)


FUNCTIONS = {
    "relu": _pair("relu"),
    "relu6": _pair("relu6"),
    "leaky_relu": _pair("leaky_relu", negative_slope=0.2),
    "elu": _pair("elu", alpha=1.5),
    "gelu-tanh": _pair("gelu"),
    "gelu-exact": _pair("gelu", approximate=False),
    "silu": _pair("silu"),
    "swish": _pair("swish"),
    "sigmoid": _pair("sigmoid"),
    "log_sigmoid": _pair("log_sigmoid"),
    "softplus": _pair("softplus"),
    "softmax": _pair("softmax"),
    "softmax-axis0": _pair("softmax", axis=0),
    "softmax-where": _pair("softmax", where=MASK),
    "log_softmax": _pair("log_softmax"),
    "log_softmax-axes": _pair("log_softmax", axis=(0, 1)),
    "log_softmax-where": _pair("log_softmax", where=MASK),
    "logsumexp": _pair("logsumexp"),
    "logsumexp-axis1-keepdims": _pair("logsumexp", axis=1, keepdims=True),
    "logsumexp-b": _pair("logsumexp", axis=0, b=np.abs(SIGNS)),
    "logsumexp-where": _pair("logsumexp", axis=1, where=MASK),
    "standardize": _pair("standardize"),
    "standardize-axis0": _pair("standardize", axis=0, epsilon=1e-3),
    "standardize-where": _pair("standardize", where=MASK),
    "standardize-stable": _pair("standardize", axis=0, algorithm="stable"),
}

#: Compared with JAX op by op: compiled as one program, XLA's tanh is 1e-9 off at saturation.
UNFUSED = {"gelu-tanh"}

#: Special points among the inputs: every kink, and ±1000.
X = np.array([[0.0, 6.0, -1.0, 0.3], [2.5, -0.7, 1000.0, -1000.0], [-3.0, 7.0, 0.1, 1.2]])
W = np.linspace(-1.0, 1.5, 12).reshape(3, 4)


def _weighted(f: Callable[..., Any], xp: Any) -> Callable[..., Any]:
    """A scalar of f's output: ⟨W, f(x)⟩, or a weighted sum of a reduced output; the -inf that
    ``where`` leaves in ``log_softmax`` count as 0."""

    def scalar(x: Any) -> Any:
        y = f(x)
        y = xp.where(xp.isfinite(y), y, 0.0)
        return xp.sum(y * W) if np.shape(y) == W.shape else xp.sum(y * xp.arange(1.0, 1 + y.size))

    return scalar


@pytest.mark.slow
@pytest.mark.parametrize("name", FUNCTIONS)
def test_matches_jax(name: str) -> None:
    """Value and gradient, by each mode, equal JAX's (``grad``, ``jacfwd``) on inputs holding the
    kinks and ±1000; neither has a nan."""
    f_ad, f_jax = FUNCTIONS[name]
    scalar = _weighted(f_jax, jnp)
    reference = lambda x: (f_jax(x), scalar(x), jax.grad(scalar)(x), jax.jacfwd(scalar)(x))
    out, j_value, *j_grads = (reference if name in UNFUSED else jax.jit(reference))(X)
    assert_close(f_ad(X), out)
    for mode, expected in zip(MODES, j_grads, strict=True):
        value, grad = ad.value_and_grad(_weighted(f_ad, anp), mode=mode)(X)
        assert_close((value, grad), (j_value, expected))
        assert np.isfinite(value) and np.all(np.isfinite(grad)), mode


SECOND_ORDER = ["gelu-exact", "softplus", "log_softmax", "logsumexp-b", "standardize", "elu"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_hessian_matches_jax(name: str) -> None:
    """Rules differentiate again: the Hessian (forward over reverse) equals JAX's."""
    f_ad, f_jax = FUNCTIONS[name]
    hessian = ad.hessian(_weighted(lambda x: anp.sin(f_ad(x)), anp))(X / 3.0)
    expected = jax.jit(jax.hessian(_weighted(lambda x: jnp.sin(f_jax(x)), jnp)))(X / 3.0)
    assert_close(hessian, expected)


KINKS = {  # f'(x) at its kinks, by hand
    "relu-at-0": (nn.relu, 0.0, 0.0),
    "relu6-at-0": (nn.relu6, 0.0, 0.0),
    "relu6-at-6": (nn.relu6, 6.0, 0.0),
    "relu6-inside": (nn.relu6, 3.0, 1.0),
    "leaky_relu-at-0": (nn.leaky_relu, 0.0, 1.0),
    "elu-at-0": (partial(nn.elu, alpha=2.0), 0.0, 2.0),
    "gelu-at-0": (nn.gelu, 0.0, 0.5),
    "gelu-exact-at-0": (partial(nn.gelu, approximate=False), 0.0, 0.5),
    "silu-at-0": (nn.silu, 0.0, 0.5),
    "sigmoid-at-0": (nn.sigmoid, 0.0, 0.25),
    "softplus-at-0": (nn.softplus, 0.0, 0.5),
    "log_sigmoid-at-0": (nn.log_sigmoid, 0.0, 0.5),
    "softplus-at-1000": (nn.softplus, 1000.0, 1.0),
    "softplus-at-minus-1000": (nn.softplus, -1000.0, 0.0),
    "log_sigmoid-at-minus-1000": (nn.log_sigmoid, -1000.0, 1.0),
    "sigmoid-at-1000": (nn.sigmoid, 1000.0, 0.0),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", KINKS)
def test_kink_by_hand(name: str, mode: str) -> None:
    f, x, expected = KINKS[name]
    assert ad.grad(f, mode=mode)(x) == expected


def test_relu_of_nan_and_infinities_as_jax() -> None:
    """relu(nan) = nan with derivative 0 (JAX: max(x, 0) with derivative [x > 0])."""
    x = np.array([np.nan, np.inf, -np.inf, 0.0])
    for mode in MODES:
        value, grad = ad.value_and_grad(lambda x: anp.sum(nn.relu(x)), mode=mode)(x)
        assert_close((value, grad), jax.value_and_grad(lambda x: jnp.sum(jax.nn.relu(x)))(x))
    assert_close(nn.relu6(x), jax.nn.relu6(x))


def test_small_values_keep_their_precision() -> None:
    """softplus(−50) ≈ 2·10⁻²² and log_sigmoid(50) ≈ −2·10⁻²²: no cancellation to 0."""
    x = np.array([-50.0, -745.0, 30.0])
    assert_close(nn.softplus(x), jax.nn.softplus(x))
    assert_close(nn.log_sigmoid(-x), jax.nn.log_sigmoid(-x))


@pytest.mark.slow
def test_logsumexp_return_sign() -> None:
    """With ``return_sign``, log|Σ b·eᵃ| and its sign; without, nan where the sum is negative."""
    a, b = X[:2], SIGNS[:2] - 1.5
    out, sign = nn.logsumexp(a, axis=1, b=b, return_sign=True)
    j_out, j_sign = jax.nn.logsumexp(a, axis=1, b=b, return_sign=True)
    assert_close((out, sign), (j_out, j_sign))
    assert_close(nn.logsumexp(a, axis=1, b=b), jax.nn.logsumexp(a, axis=1, b=b))
    grad = ad.grad(lambda a: anp.sum(nn.logsumexp(a, axis=1, b=b, return_sign=True)[0]))(a)
    assert_close(grad, jax.grad(lambda a: jax.nn.logsumexp(a, 1, b, return_sign=True)[0].sum())(a))


@pytest.mark.parametrize(
    "kwargs", [{}, {"axis": 0}, {"dtype": np.float32}, {"axis": 1}], ids=["default", "axis0",
                                                                          "float32", "axis1"]
)  # fmt: skip
def test_one_hot(kwargs: dict) -> None:
    """A plain array, as ``jax.nn.one_hot`` (out-of-range classes give a zero row)."""
    labels = np.array([[0, 2, 5], [1, 1, -1]])
    out = nn.one_hot(labels, 3, **kwargs)
    assert type(out) is np.ndarray
    assert_close(out, np.asarray(jax.nn.one_hot(labels, 3, **kwargs)))
