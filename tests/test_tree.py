"""The pytree functions (``admodes.tree``, ``admodes.flatten_util``) against JAX's ``jax.tree``
and ``jax.flatten_util``, and gradients through them."""

from __future__ import annotations

from typing import Any

import jax
import jax.flatten_util
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp
from admodes import tree
from admodes.flatten_util import ravel_pytree

PARAMS = {
    "W": np.arange(6.0).reshape(2, 3) / 7.0,
    "b": (0.5, np.array([1.0, -2.0], dtype=np.float32)),
    "s": [np.float64(0.25)],
}


def loss(m: Any, p: dict) -> Any:
    return m.sum(m.tanh(p["W"]) ** 2) * p["b"][0] + m.sum(p["b"][1] ** 3) * p["s"][0]


def test_leaves_structure_and_map_are_jaxs() -> None:
    assert [np.asarray(x).tolist() for x in tree.leaves(PARAMS)] == [
        np.asarray(x).tolist() for x in jax.tree.leaves(PARAMS)
    ]
    assert tree.structure(PARAMS) == tree.structure({"s": [1.0], "W": 0.0, "b": (1.0, 2.0)})
    assert tree.structure(PARAMS) != tree.structure({"W": 0.0, "b": (1.0,), "s": [1.0]})
    step = tree.map(lambda p, g: p - 0.1 * g, PARAMS, ad.grad(lambda p: loss(anp, p))(PARAMS))
    expected = jax.tree.map(
        lambda p, g: p - 0.1 * g, PARAMS, jax.grad(lambda p: loss(JNP, p))(PARAMS)
    )
    assert_close(jax.tree.leaves(step), jax.tree.leaves(expected), rtol=1e-6)  # float32 leaf
    with pytest.raises(ValueError, match=r"tree 1 of rest has structure \(\*, \*\)"):
        tree.map(lambda a, b: a + b, (1.0,), (1.0, 2.0))


def test_ravel_pytree_is_jaxs() -> None:
    flat, unravel = ravel_pytree(PARAMS)
    j_flat, j_unravel = jax.flatten_util.ravel_pytree(PARAMS)
    assert_close(flat, np.asarray(j_flat))  # float64: the promoted dtype
    v = np.linspace(-1.0, 1.0, flat.size)
    for ours, theirs in zip(tree.leaves(unravel(v)), jax.tree.leaves(j_unravel(v)), strict=True):
        assert np.shape(ours) == np.shape(theirs)
        assert np.asarray(ours).dtype == np.asarray(theirs).dtype  # each leaf's own dtype
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    with pytest.raises(ValueError, match=r"vector of shape \(10,\)"):
        unravel(np.ones(3))
    empty, unravel_empty = ravel_pytree(())
    assert empty.shape == (0,) and unravel_empty(empty) == ()


@pytest.mark.parametrize("mode", MODES)
def test_gradients_through_ravel_and_unravel(mode: str) -> None:
    params = {"W": PARAMS["W"], "b": (0.5, np.array([1.0, -2.0])), "s": [np.float64(0.25)]}
    flat, unravel = ravel_pytree(params)
    j_flat, j_unravel = jax.flatten_util.ravel_pytree(params)
    assert_close(
        ad.grad(lambda v: loss(anp, unravel(v)), mode=mode)(flat),
        np.asarray(jax.grad(lambda v: loss(JNP, j_unravel(v)))(j_flat)),
    )
    got = ad.grad(lambda p: anp.sum(anp.sin(ravel_pytree(p)[0])), mode=mode)(params)
    want = jax.grad(lambda p: JNP.sum(JNP.sin(jax.flatten_util.ravel_pytree(p)[0])))(params)
    assert_close(tree.leaves(got), [np.asarray(x) for x in jax.tree.leaves(want)])
