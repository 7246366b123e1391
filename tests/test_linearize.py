"""linearize against JAX's: J·t from one recording, for any number of tangents, without the
primal's arithmetic; nested in and around other transforms; its errors."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp


def model(m: Any, x: Any, p: dict) -> tuple:
    """(ℝ³, {W: 3×2, b}) → (ℝ², ℝ), with a product, a reduction, a broadcast and indexing."""
    return m.tanh(x @ p["W"]) * m.sum(x**2), m.exp(x[0]) * p["b"]


def point(rng: np.random.Generator) -> tuple:
    return rng.standard_normal(3), {"W": rng.standard_normal((3, 2)), "b": float(rng.normal())}


def test_jvps_match_jax_for_several_tangents(rng: np.random.Generator) -> None:
    x, p = point(rng)
    out_a, f_jvp = ad.linearize(lambda x, p: model(anp, x, p), x, p)
    out_j, j_jvp = jax.linearize(lambda x, p: model(JNP, x, p), x, p)
    assert_close(out_a, out_j)
    for _ in range(3):
        tx, tp = point(rng)
        assert_close(f_jvp(tx, tp), j_jvp(tx, tp))


def test_a_call_costs_the_tangent_arithmetic_only(rng: np.random.Generator) -> None:
    """f_jvp runs no primal op and the same JVP arithmetic as one forward pass (jvp)."""
    x, p = point(rng)
    t = point(rng)
    _, f_jvp = ad.linearize(lambda x, p: model(anp, x, p), x, p)
    with ad.count() as swept:
        f_jvp(*t)
    with ad.count() as forward:
        ad.jvp(lambda x, p: model(anp, x, p), (x, p), t)
    assert swept.by_phase["primal"]["ops"] == 0
    assert forward.by_phase["primal"]["ops"] > 0
    assert swept.by_phase["jvp"] == forward.by_phase["jvp"]


def test_aux_constants_and_dtypes() -> None:
    x32 = np.array([0.5, -1.0, 2.0], dtype=np.float32)

    def fn(m: Any, x: Any) -> tuple:
        return (m.sin(x) * 2.0, m.ones(2)), m.sum(x)

    (out, f_jvp, aux) = ad.linearize(lambda x: fn(anp, x), x32, has_aux=True)
    (out_j, j_jvp, aux_j) = jax.linearize(lambda x: fn(JNP, x), x32, has_aux=True)
    assert_close((out, aux), (out_j, aux_j), rtol=1e-6)
    t = np.array([1.0, 2.0, -1.0], dtype=np.float32)
    assert_close(f_jvp(t), j_jvp(t), rtol=1e-6)  # a float32 tangent, zeros for the constant


@pytest.mark.parametrize("mode", MODES)
def test_nested_in_and_around_other_transforms(mode: str) -> None:
    x, v = np.array([0.3, -0.8, 1.1]), np.array([1.0, 0.5, -2.0])
    f_a = lambda x: anp.sin(x) * anp.prod(x)
    f_j = lambda x: JNP.sin(x) * JNP.prod(x)
    # The derivative of J(x)·v with respect to the point x.
    assert_close(
        ad.grad(lambda x: anp.sum(ad.linearize(f_a, x)[1](v)), mode=mode)(x),
        jax.grad(lambda x: JNP.sum(jax.linearize(f_j, x)[1](v)))(x),
    )
    # J·t is linear in t: its gradient with respect to t is Jᵀ·1.
    _, f_jvp = ad.linearize(f_a, x)
    _, j_jvp = jax.linearize(f_j, x)
    assert_close(
        ad.grad(lambda t: anp.sum(f_jvp(t)), mode=mode)(v),
        jax.grad(lambda t: JNP.sum(j_jvp(t)))(v),
    )


def test_through_custom_rules_as_jax() -> None:
    def log1pexp(m: Any, lib: Any) -> Any:
        f = lib.custom_jvp(lambda x: m.log(1.0 + m.exp(x)))
        f.defjvp(lambda p, t: (f(p[0]), 3.0 * t[0] / (1.0 + m.exp(-p[0]))))  # thrice the slope
        return f

    f_a, f_j = log1pexp(anp, ad), log1pexp(JNP, jax)
    x, t = np.array([0.5, -2.0, 3.0]), np.array([1.0, -1.0, 0.5])
    g_a = lambda x: anp.sin(f_a(x * x))
    g_j = lambda x: JNP.sin(f_j(x * x))
    assert_close(ad.linearize(g_a, x)[1](t), jax.linearize(g_j, x)[1](t))
    clip = ad.custom_vjp(lambda x: x)
    clip.defvjp(lambda x: (x, None), lambda _, g: (anp.clip(g, -1.0, 1.0),))
    _, f_jvp = ad.linearize(clip, 1.0)
    with pytest.raises(TypeError, match="custom_vjp"):
        f_jvp(1.0)


POLICIES = [None, "nothing_saveable", "dots_saveable", "everything_saveable"]


@pytest.mark.parametrize("policy", POLICIES)
def test_through_checkpointed_functions_as_jax(policy: str | None) -> None:
    """A checkpoint's step re-runs its function in forward mode: J·t as JAX's, with the function
    closing over a value of an outer transform (differentiated through the tangent map)."""
    w = np.arange(9.0).reshape(3, 3) / 10
    x, t = np.array([0.5, -0.3, 1.2]), np.array([1.0, 0.2, -0.7])

    def build(lib: Any, m: Any, k: Any) -> Any:
        saving = None if policy is None else getattr(lib.checkpoint_policies, policy)
        g = lib.checkpoint(lambda u, c: m.sin(w @ u) ** 3 * c * k, policy=saving)
        return lambda u: (g(u, 2.0) + u, m.sum(g(u * u, 1.5)))

    ours = ad.linearize(build(ad, anp, 1.0), x)
    theirs = jax.linearize(build(jax, JNP, 1.0), x)
    assert_close(ours[0], theirs[0])
    assert_close(ours[1](t), theirs[1](t))
    pushed = lambda lib, m: lambda k: lib.linearize(build(lib, m, k), x)[1](t)[1]
    assert_close(ad.grad(pushed(ad, anp))(1.3), jax.grad(pushed(jax, JNP))(1.3))


@pytest.mark.parametrize(("schedule", "snapshots"), [("sqrt", None), ("binomial", 3)])
def test_through_iterate_schedules_as_jax(schedule: str, snapshots: int | None) -> None:
    w = np.arange(9.0).reshape(3, 3) / 10
    x, t = np.array([0.5, -0.3, 1.2]), np.array([1.0, 0.2, -0.7])

    def unrolled(u: Any) -> Any:
        s = u
        for _ in range(7):
            s = JNP.tanh(w @ s) + u * 0.1
        return s

    iterated = lambda u: ad.iterate(lambda s: anp.tanh(w @ s) + u * 0.1, u, 7, schedule, snapshots)
    assert_close(ad.linearize(iterated, x)[1](t), jax.linearize(unrolled, x)[1](t))


def test_errors() -> None:
    _, f_jvp = ad.linearize(lambda x: anp.sin(x), np.ones(3))
    with pytest.raises(ValueError, match=r"tangents leaf 0 has shape \(2,\)"):
        f_jvp(np.ones(2))
    with pytest.raises(TypeError, match="primal leaf 0 is an integer"):
        ad.linearize(anp.sin, 1)[1](1)
