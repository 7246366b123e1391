"""Host-side helpers against JAX's: ``eval_shape`` and ``ShapeDtypeStruct``, ``pure_callback``,
and ``debug.print`` / ``debug.callback`` inside transformed functions."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp


def model(m: Any, params: dict, x: Any) -> tuple:
    h = m.tanh(x @ params["W"] + params["b"])
    return {"logits": h @ params["V"], "norm": m.sum(h**2)}, m.log(m.sum(x**2))


def test_eval_shape_is_jaxs() -> None:
    params = {
        "W": jax.ShapeDtypeStruct((4, 5), np.float32),
        "b": ad.ShapeDtypeStruct((5,), np.float32),
        "V": np.ones((5, 2), np.float32),
    }
    x = ad.ShapeDtypeStruct((3, 4), np.float32)
    ours = ad.eval_shape(lambda p, x: model(anp, p, x), params, x=x)
    theirs = jax.eval_shape(
        lambda p, x: model(JNP, p, x),
        {**params, "b": jax.ShapeDtypeStruct((5,), np.float32)},
        x=jax.ShapeDtypeStruct((3, 4), np.float32),
    )
    assert ad.tree.structure(ours) == ad.tree.structure(theirs)
    for a, b in zip(ad.tree.leaves(ours), jax.tree.leaves(theirs), strict=True):
        assert isinstance(a, ad.ShapeDtypeStruct)
        assert (a.shape, a.dtype, a.ndim, a.size) == (b.shape, b.dtype, b.ndim, b.size)


def host_sine(x: np.ndarray, scale: float = 1.0) -> np.ndarray:
    return np.sin(np.asarray(x)) * scale


@pytest.mark.parametrize("mode", MODES)
def test_pure_callback_is_jaxs(mode: str) -> None:
    x = np.linspace(0.1, 1.0, 4)
    spec = ad.ShapeDtypeStruct((4,), np.float64)
    seen = []
    ours = ad.pure_callback(lambda x, scale: seen.append(type(x)) or host_sine(x, scale), spec, x,
                            scale=2.0)  # fmt: skip
    assert seen == [np.ndarray]  # the callback sees plain arrays
    theirs = jax.pure_callback(host_sine, jax.ShapeDtypeStruct((4,), np.float64), x, scale=2.0)
    assert_close(ours, np.asarray(theirs))

    @ad.custom_jvp
    def sine(x: Any) -> Any:
        return ad.pure_callback(host_sine, spec, x)

    sine.defjvp(lambda p, t: (sine(p[0]), anp.cos(p[0]) * t[0]))
    assert_close(ad.grad(lambda x: anp.sum(sine(x) ** 2), mode=mode)(x), 2 * np.sin(x) * np.cos(x))
    with pytest.raises(ValueError, match="Pure callbacks do not support JVP"):
        ad.grad(lambda x: anp.sum(ad.pure_callback(host_sine, spec, x)), mode=mode)(x)
    assert_close(  # a stopped argument is a constant
        ad.grad(lambda x: anp.sum(ad.pure_callback(host_sine, spec, ad.stop_gradient(x)) * x))(x),
        np.sin(x),
    )


def test_pure_callback_checks_what_it_returns() -> None:
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"has shape \(3,\) and dtype float64, but"):
        ad.pure_callback(host_sine, ad.ShapeDtypeStruct((4,), np.float64), x)
    with pytest.raises(ValueError, match=r"dtype float32"):
        ad.pure_callback(host_sine, ad.ShapeDtypeStruct((3,), np.float32), x)
    with pytest.raises(ValueError, match="structure"):
        ad.pure_callback(host_sine, (ad.ShapeDtypeStruct((3,), np.float64),) * 2, x)


def loss_with_prints(m: Any, debug: Any, x: Any) -> Any:
    y = m.sin(x)
    debug.print("y={} total={total:.4f}", y, total=m.sum(y))
    debug.callback(lambda v: print("callback", v.shape), y)
    return m.sum(y**2)


@pytest.mark.parametrize("mode", MODES)
def test_debug_prints_primal_values_as_jax(mode: str, capfd: pytest.CaptureFixture) -> None:
    x = np.array([0.5, 1.5])
    jax.grad(lambda x: loss_with_prints(JNP, jax.debug, x))(x)
    jax.effects_barrier()
    theirs = capfd.readouterr().out
    gradient = ad.grad(lambda x: loss_with_prints(anp, ad.debug, x), mode=mode)(x)
    assert capfd.readouterr().out == theirs
    assert_close(gradient, np.asarray(jax.grad(lambda x: loss_with_prints(JNP, jax.debug, x))(x)))
