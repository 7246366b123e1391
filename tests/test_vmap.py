"""vmap against jax.vmap: in_axes, out_axes, keyword arguments, pytrees, nesting, derivatives
through it in both modes, and its errors."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp

RNG = np.random.default_rng(5)
W = RNG.standard_normal((3, 2))
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 2))


def loss(m: Any, w: Any, x: Any, y: Any) -> Any:
    return m.sum((m.tanh(x @ w) - y) ** 2)


@pytest.mark.parametrize("mode", MODES)
def test_per_example_gradients(mode: str) -> None:
    per_example = ad.vmap(ad.grad(lambda w, x, y: loss(anp, w, x, y), mode=mode), (None, 0, 0))
    expected = jax.vmap(jax.grad(lambda w, x, y: loss(JNP, w, x, y)), (None, 0, 0))(W, X, Y)
    assert_close(per_example(W, X, Y), expected)


def test_axes_keywords_pytrees_and_nesting() -> None:
    def tree_out(m: Any, x: Any, s: Any) -> dict:
        return {"outer": m.outer(x, x) * s, "sum": (m.sum(x), x[0])}

    assert_close(
        ad.vmap(lambda x, s: tree_out(anp, x, s), (0, None))(X, 2.0),
        jax.vmap(lambda x, s: tree_out(JNP, x, s), (0, None))(X, 2.0),
    )
    for in_axes, out_axes, xs, scale in (((1, None), 1, X.T, 2.0), (0, 2, X, np.full(4, 2.0))):
        assert_close(
            ad.vmap(lambda x, s: anp.outer(x, x) * s, in_axes, out_axes)(xs, scale),
            jax.vmap(lambda x, s: JNP.outer(x, x) * s, in_axes, out_axes)(xs, scale),
        )
    assert_close(  # keywords are mapped over axis 0
        ad.vmap(lambda x, *, y: anp.dot(x, y))(X, y=X),
        jax.vmap(lambda x, *, y: JNP.dot(x, y))(X, y=X),
    )
    assert_close(  # nested: a map over rows of a map over entries
        ad.vmap(ad.vmap(lambda v: anp.sin(v) * v))(X),
        jax.vmap(jax.vmap(lambda v: JNP.sin(v) * v))(X),
    )
    assert_close(ad.vmap(lambda: 1.5, axis_size=3)(), jax.vmap(lambda: 1.5, axis_size=3)())
    params = {"w": W, "b": (np.ones(2), X[:, :2])}  # a pytree prefix maps some leaves only
    spec = ({"w": None, "b": (None, 0)}, 0)
    assert_close(
        ad.vmap(lambda p, x: anp.tanh(x @ p["w"] + p["b"][0]) * p["b"][1], spec)(params, X),
        jax.vmap(lambda p, x: JNP.tanh(x @ p["w"] + p["b"][0]) * p["b"][1], spec)(params, X),
    )


@pytest.mark.parametrize("mode", MODES)
def test_derivatives_through_vmap(mode: str) -> None:
    def total(m: Any, vmap: Any, w: Any, x: Any) -> Any:
        return m.sum(vmap(lambda row: m.tanh(row @ w), (0,))(x) ** 2)

    assert_close(
        ad.grad(lambda w, x: total(anp, ad.vmap, w, x), argnums=(0, 1), mode=mode)(W, X),
        jax.grad(lambda w, x: total(JNP, jax.vmap, w, x), argnums=(0, 1))(W, X),
    )


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"different sizes \[3, 4\]"):
        ad.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="give axis_size"):
        ad.vmap(lambda a: a, in_axes=None)(np.ones(3))
    with pytest.raises(ValueError, match="one entry per positional argument"):
        ad.vmap(lambda a, b: a, in_axes=(0,))(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="not a prefix of an argument of structure"):
        ad.vmap(lambda p: p["a"], in_axes=({"b": 0},))({"a": np.ones(3)})
    with pytest.raises(ValueError, match="out of range"):
        ad.vmap(lambda a: a, in_axes=1)(np.ones(3))
