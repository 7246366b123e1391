"""The engines' contract with the rules, and their batched directions.

- A rule written for one tangent / one cotangent, registered as a user would (no batching
  declared), is right in every transform: the engines apply it once per direction.
- ``jacrev`` batches cotangents (one sweep for all outputs by default, ``chunk_size`` of them per
  sweep), ``vjp_fn(..., batched=True)`` pulls back a batch; both equal JAX, and FLOPs are those
  of one sweep per output.
- ``count()`` stays right after a rule raises inside it.
"""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close

import admodes as ad
import admodes.numpy as anp
from admodes.registry import defprim

N = 4


def _spd(rng: np.random.Generator) -> np.ndarray:
    m = rng.standard_normal((N, N))
    return m @ m.T + N * np.eye(N)


@pytest.fixture
def user_ops(scratch_registry: Any) -> tuple[Any, Any]:
    """``solve`` and ``logdet`` registered exactly as the README's "Adding an op" shows: rules
    for one tangent and one cotangent, written with admodes ops, no batching declared."""

    def solve_jvp_a(t: Any, x: Any, a: Any, b: Any) -> Any:
        return -user_solve(a, t @ x)  # d(A⁻¹b) = -A⁻¹ dA A⁻¹b

    def solve_vjp_a(g: Any, x: Any, a: Any, b: Any) -> Any:
        return -anp.outer(user_solve(a.T, g), x)  # Ā = -(A⁻ᵀ ḡ) xᵀ

    user_solve = defprim(
        "user_solve",
        np.linalg.solve,
        jvps=[solve_jvp_a, lambda t, x, a, b: user_solve(a, t)],
        vjps=[solve_vjp_a, lambda g, x, a, b: user_solve(a.T, g)],
    )
    user_logdet = defprim(
        "user_logdet",
        lambda a: np.linalg.slogdet(a)[1],
        jvps=[lambda t, ans, a: anp.sum(user_solve(a, t) * anp.eye(N))],  # tr(A⁻¹ dA)
        vjps=[lambda g, ans, a: g * user_solve(a.T, anp.eye(N))],  # ḡ A⁻ᵀ
    )
    return user_solve, user_logdet


def _objectives(solve: Any, logdet: Any, xp: Any) -> Any:
    def f(a: Any, b: Any) -> Any:
        x = solve(a, b)
        return logdet(a) + xp.sum(xp.sin(x) * x)

    return f


@pytest.mark.slow
@pytest.mark.parametrize("chunk", [None, 1, 3])
def test_user_ops_without_batching_in_every_transform(
    user_ops: tuple[Any, Any], chunk: int | None, rng: np.random.Generator
) -> None:
    f = _objectives(*user_ops, anp)
    f_jax = _objectives(jnp.linalg.solve, lambda a: jnp.linalg.slogdet(a)[1], jnp)
    a, b, v = _spd(rng), rng.standard_normal(N), rng.standard_normal(N)
    grads = jax.grad(f_jax, argnums=(0, 1))(a, b)
    assert_close(ad.grad(f, argnums=(0, 1), mode="forward")(a, b), grads)
    assert_close(ad.grad(f, argnums=(0, 1))(a, b), grads)
    assert_close(ad.jacfwd(f, argnums=(0, 1), chunk_size=chunk)(a, b), grads)
    assert_close(ad.jacrev(f, argnums=(0, 1), chunk_size=chunk)(a, b), grads)
    assert_close(ad.hessian(f, argnums=1)(a, b), jax.hessian(f_jax, argnums=1)(a, b))
    hvp = jax.jvp(jax.grad(lambda b: f_jax(a, b)), (b,), (v,))[1]
    assert_close(ad.hvp(lambda b: f(a, b), (b,), (v,)), hvp)


def test_user_op_jacobians_of_a_vector_output(user_ops: tuple[Any, Any]) -> None:
    solve, _ = user_ops
    rng = np.random.default_rng(0)
    a, b = _spd(rng), rng.standard_normal(N)
    expected = jax.jacfwd(jnp.linalg.solve, argnums=(0, 1))(a, b)
    for chunk in (None, 1, 5):
        assert_close(ad.jacfwd(solve, argnums=(0, 1), chunk_size=chunk)(a, b), expected)
        assert_close(ad.jacrev(solve, argnums=(0, 1), chunk_size=chunk)(a, b), expected)


# ---------------------------------------------------------------------------- batched cotangents
A = np.random.default_rng(1).standard_normal((5, 3))


def _pytree_fun(xp: Any) -> Any:
    """ℝ³ × ℝ → a pytree of outputs: a matrix, a vector and a scalar."""

    def f(x: Any, s: Any) -> Any:
        y = xp.tanh(A @ xp.sin(x)) * s
        return {"m": xp.outer(y, x), "v": y, "s": xp.sum(y * y)}

    return f


@pytest.mark.slow
@pytest.mark.parametrize("chunk", [None, 1, 2, 7, 100])
def test_jacrev_chunks_equal_jax(chunk: int | None) -> None:
    x, s = np.array([0.3, -0.2, 0.9]), 1.7
    expected = jax.jacrev(_pytree_fun(jnp), argnums=(0, 1))(x, s)
    assert_close(ad.jacrev(_pytree_fun(anp), argnums=(0, 1), chunk_size=chunk)(x, s), expected)


def test_vjp_fn_pulls_back_a_batch_of_cotangents() -> None:
    x, s = np.array([0.3, -0.2, 0.9]), 1.7
    f = _pytree_fun(anp)
    out, vjp_fn = ad.vjp(f, x, s)
    rng = np.random.default_rng(2)
    batch = {k: rng.standard_normal((4, *np.shape(v))) for k, v in out.items()}
    pulled = vjp_fn(batch, batched=True)
    rows = [vjp_fn({k: v[j] for k, v in batch.items()}) for j in range(4)]
    assert_close(pulled, tuple(np.stack([r[i] for r in rows]) for i in range(2)))
    _, jax_vjp = jax.vjp(_pytree_fun(jnp), x, s)
    assert_close(pulled, jax.vmap(jax_vjp)(batch))


def test_vjp_fn_batch_must_share_one_leading_axis() -> None:
    _, vjp_fn = ad.vjp(_pytree_fun(anp), np.ones(3), 1.0)
    bad = {"m": np.ones((2, 5, 3)), "v": np.ones((3, 5)), "s": np.ones(2)}
    with pytest.raises(ValueError, match="leading axis"):
        vjp_fn(bad, batched=True)


def test_batched_cotangents_save_only_the_recomputed_partials() -> None:
    """The g·∂ products and the matmul VJPs cost the same FLOPs either way; one sweep per output
    also re-evaluates the local partials in every sweep: tanh' = 1 − ans² (2 FLOPs per element)
    and sin' = cos (1), so (m − 1)·3·50 more FLOPs."""
    a = np.random.default_rng(3).standard_normal((50, 50))
    x = np.random.default_rng(4).standard_normal(50)

    def f(x: Any) -> Any:
        return anp.tanh(a @ anp.sin(x))

    counts = {}
    for chunk in (None, 1):
        with ad.count() as c:
            ad.jacrev(f, chunk_size=chunk)(x)
        counts[chunk] = c
    saved = (50 - 1) * 3 * 50
    assert counts[None].by_phase["vjp"]["flops"] + saved == counts[1].by_phase["vjp"]["flops"]
    assert counts[None].by_phase["primal"]["flops"] == counts[1].by_phase["primal"]["flops"]
    assert counts[None].ops < counts[1].ops  # one sweep of batched ops against fifty sweeps


def test_checkpointed_steps_under_batched_cotangents() -> None:
    """Multi-output tape steps (checkpoint, iterate) under one sweep of all cotangents."""

    def step(x: Any) -> Any:
        return anp.sin(x) * 1.1 + 0.1 * x

    def f(x: Any) -> Any:
        y = ad.checkpoint(lambda z: anp.tanh(A @ z))(x)
        return ad.iterate(step, y, 6, schedule="binomial", snapshots=2)

    def f_jax(x: Any) -> Any:
        y = jnp.tanh(A @ x)
        for _ in range(6):
            y = jnp.sin(y) * 1.1 + 0.1 * y
        return y

    x = np.array([0.3, -0.2, 0.9])
    expected = jax.jacrev(f_jax)(x)
    for chunk in (None, 1, 2):
        assert_close(ad.jacrev(f, chunk_size=chunk)(x), expected)


# ---------------------------------------------------------------------------- counter safety
def test_a_rule_that_raises_leaves_the_counter_right(scratch_registry: Any) -> None:
    def broken_jvp(t: Any, ans: Any, x: Any) -> Any:
        raise RuntimeError("broken rule")

    broken = defprim("broken", np.sin, jvps=[broken_jvp], vjps=[lambda g, ans, x: g])
    with ad.count(), pytest.raises(RuntimeError, match="broken rule"):
        ad.jvp(lambda x: broken(anp.exp(x)), (0.5,), (1.0,))
    with ad.count() as c:
        anp.exp(np.ones(3))
    assert c.by_phase["primal"]["ops"] == 1 and c.by_phase["jvp"]["ops"] == 0
