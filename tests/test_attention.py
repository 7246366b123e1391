"""``nn.dot_product_attention`` against JAX: ``jax.nn.dot_product_attention`` for the semantics
of every option (JAX rounds the logits to float32 for its softmax, so to 1e-6 there), and a
float64 reference written here in ``jax.numpy`` from the definition, head by head and position by
position, for values, gradients in both modes and second order (to 1e-10)."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, RTOL_F32, assert_close

import admodes as ad
import admodes.numpy as anp
from admodes import nn

rng = np.random.default_rng(7)
B, T, S, N, H = 2, 5, 6, 4, 3
Q = rng.standard_normal((B, T, N, H))
KV = {heads: rng.standard_normal((2, B, S, heads, H)) for heads in (4, 2, 1)}
BIAS = rng.standard_normal((B, N, T, S))
MASK = rng.random((B, 1, T, S)) > 0.3
LENGTHS = {
    "query_seq_lengths": np.array([3, 5], np.int32),
    "key_value_seq_lengths": np.array([6, 2], np.int32),
}

#: name: (query, key/value heads, bias, keyword arguments)
CASES: dict[str, tuple[np.ndarray, int, np.ndarray | None, dict[str, Any]]] = {
    "multi-head": (Q, 4, None, {}),
    "grouped-query": (Q, 2, None, {}),
    "multi-query": (Q, 1, None, {}),
    "bias": (Q, 2, BIAS, {}),
    "bias-broadcast": (Q, 2, BIAS[0, 0], {}),
    "mask": (Q, 2, None, {"mask": MASK}),
    "causal": (Q, 2, None, {"is_causal": True}),
    "window": (Q, 2, None, {"local_window_size": (1, 2)}),
    "window-int": (Q, 4, None, {"local_window_size": 1}),
    "lengths": (Q, 2, None, LENGTHS),
    "everything": (Q, 2, BIAS[:, :1], {"scale": 0.3, "mask": MASK, "is_causal": True, **LENGTHS}),
    "unbatched": (Q[0], 2, BIAS[0], {"is_causal": True}),
}

#: JAX's value for a masked logit: −0.7 × float32's largest value.
MASKED = -0.7 * float(np.finfo(np.float32).max)


def _inputs(name: str) -> tuple[tuple, dict[str, Any]]:
    """The differentiated arguments (query, key, value[, bias]) and the keyword arguments."""
    q, heads, bias, kwargs = CASES[name]
    k, v = KV[heads] if q.ndim == 4 else KV[heads][:, 0]
    return (q, k, v) if bias is None else (q, k, v, bias), kwargs


def reference(
    q: Any,
    k: Any,
    v: Any,
    bias: Any = None,
    mask: Any = None,
    *,
    scale: float | None = None,
    is_causal: bool = False,
    query_seq_lengths: Any = None,
    key_value_seq_lengths: Any = None,
    local_window_size: Any = None,
) -> Any:
    """Attention from its definition, in float64: for each query head n (key/value head
    n // (N/K)) and each pair of positions (t, s), whether t attends to s, then a softmax over s."""
    unbatched = q.ndim == 3
    if unbatched:
        q, k, v = q[None], k[None], v[None]
    b_, t_, n_, h_ = q.shape
    s_, k_ = k.shape[1], k.shape[2]
    scale = 1.0 / np.sqrt(h_) if scale is None else scale
    window = (local_window_size,) * 2 if isinstance(local_window_size, int) else local_window_size
    heads = []
    for n in range(n_):
        kv = n // (n_ // k_)
        logits = jnp.einsum("bth,bsh->bts", q[:, :, n], k[:, :, kv]) * scale
        if bias is not None:
            full = jnp.broadcast_to(jnp.reshape(bias, (1,) * (4 - bias.ndim) + bias.shape),
                                    (b_, n_, t_, s_))  # fmt: skip
            logits = logits + full[:, n]
        attends = np.ones((b_, t_, s_), bool)
        for b in range(b_):
            for t in range(t_):
                for s in range(s_):
                    if mask is not None:
                        attends[b, t, s] &= np.broadcast_to(mask, (b_, n_, t_, s_))[b, n, t, s]
                    if is_causal:
                        attends[b, t, s] &= s <= t
                    if window is not None:
                        attends[b, t, s] &= t - window[0] <= s <= t + window[1]
                    if query_seq_lengths is not None:
                        attends[b, t, s] &= t < query_seq_lengths[b]
                    if key_value_seq_lengths is not None:
                        attends[b, t, s] &= s < key_value_seq_lengths[b]
        weights = jax.nn.softmax(jnp.where(attends, logits, MASKED), axis=-1)
        head = jnp.einsum("bts,bsh->bth", weights, v[:, :, kv])
        if query_seq_lengths is not None:
            head = head * (np.arange(t_)[None, :] < query_seq_lengths[:, None])[..., None]
        heads.append(head)
    out = jnp.stack(heads, axis=2)
    return out[0] if unbatched else out


def _weighted(attention: Any, xp: Any, kwargs: dict[str, Any]) -> Any:
    """A scalar of the output: Σ out · W, W fixed weights of its shape."""

    def scalar(*args: Any) -> Any:
        out = attention(*args, **kwargs)
        weights = np.sin(np.arange(1.0, 1.0 + out.size)).reshape(out.shape)
        return xp.sum(out * weights)

    return scalar


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", CASES)
def test_value_and_gradient_match_the_definition(name: str, mode: str) -> None:
    """Output, and the gradient in query, key, value (and bias) by each mode, equal the float64
    reference's under JAX."""
    args, kwargs = _inputs(name)
    argnums = tuple(range(len(args)))
    assert_close(nn.dot_product_attention(*args, **kwargs), reference(*args, **kwargs))
    got = ad.grad(_weighted(nn.dot_product_attention, anp, kwargs), argnums, mode=mode)(*args)
    expected = jax.grad(_weighted(reference, jnp, kwargs), argnums)(*args)
    assert_close(got, expected)


@pytest.mark.parametrize("name", CASES)
def test_agrees_with_jax_nn(name: str) -> None:
    """Every option means what it means in ``jax.nn.dot_product_attention``: output and gradient
    agree to JAX's float32 softmax (1e-6)."""
    args, kwargs = _inputs(name)
    argnums = tuple(range(len(args)))
    assert_close(
        nn.dot_product_attention(*args, **kwargs),
        jax.nn.dot_product_attention(*args, **kwargs),
        rtol=1e-6,
    )
    got = ad.grad(_weighted(nn.dot_product_attention, anp, kwargs), argnums)(*args)
    expected = jax.grad(_weighted(jax.nn.dot_product_attention, jnp, kwargs), argnums)(*args)
    assert_close(got, expected, rtol=1e-6)


def test_float32_matches_jax_nn() -> None:
    """Float32 inputs give a float32 output, JAX's to float32 precision."""
    args = tuple(x.astype(np.float32) for x in _inputs("everything")[0][:3])
    kwargs = {"is_causal": True, "mask": MASK}
    assert_close(
        nn.dot_product_attention(*args, **kwargs),
        jax.nn.dot_product_attention(*args, **kwargs),
        rtol=RTOL_F32,
    )


def test_second_order_matches_the_definition() -> None:
    """Forward over reverse: the Hessian of the weighted output in the query, along a direction,
    equals JAX's (the rules of einsum, softmax and where differentiate again)."""
    args, kwargs = _inputs("everything")
    direction = rng.standard_normal(Q.shape)

    def hvp(attention: Any, xp: Any, jvp: Any, grad: Any) -> Any:
        scalar = _weighted(lambda q: attention(q, *args[1:], **kwargs), xp, {})
        return jvp(grad(scalar), (args[0],), (direction,))[1]

    assert_close(
        hvp(nn.dot_product_attention, anp, ad.jvp, ad.grad),
        hvp(reference, jnp, jax.jvp, jax.grad),
    )


def test_residual_is_the_log_normaliser_and_a_constant() -> None:
    """``return_residual`` gives log Σₛ exp(logits) per (b, t, n), JAX's (to its float32 softmax);
    it is a constant to every transform (its gradient is 0)."""
    args, kwargs = _inputs("everything")
    out, residual = nn.dot_product_attention(*args, **kwargs, return_residual=True)
    j_out, j_residual = jax.nn.dot_product_attention(*args, **kwargs, return_residual=True)
    assert residual.shape == (B, T, N)
    assert_close((out, residual), (j_out, j_residual), rtol=1e-6)

    def total_residual(q: Any) -> Any:
        return anp.sum(nn.dot_product_attention(q, *args[1:], **kwargs, return_residual=True)[1])

    for mode in MODES:
        assert not np.any(ad.grad(total_residual, mode=mode)(args[0]))


def test_a_row_with_every_key_masked_averages_the_values() -> None:
    """Masked logits are large and negative but finite, as JAX's: a query that attends to no key
    gets the mean of the values (by hand), and finite gradients."""
    k, v = KV[1][:, 0]
    mask = np.ones((1, 1, T, S), bool)
    mask[..., 2, :] = False
    out = nn.dot_product_attention(Q[0], k, v, mask=mask[0])
    assert_close(out[2], np.broadcast_to(v.mean(axis=0), (N, H)))
    grad = ad.grad(lambda q: anp.sum(nn.dot_product_attention(q, k, v, mask=mask[0]) ** 2))(Q[0])
    assert np.all(np.isfinite(grad))


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"key": KV[2][0, :, :3]}, "value must have key's shape"),
        ({"query": Q[:, :, :, :2]}, "agree in batch size .* head dimension"),
        ({"query": Q[:, :, :3]}, "multiple of the number of key/value heads"),
        ({"query": Q[0, 0]}, r"\(batch, length, heads, head_dim\)"),
        ({"query": Q.astype(np.float32)}, "one dtype"),
        ({"mask": MASK.astype(float)}, "mask must be boolean"),
        ({"bias": BIAS[:, :3]}, "head axis"),
        ({"bias": BIAS[None]}, "at most 4 dimensions"),
        ({"query_seq_lengths": np.array([1.0, 2.0])}, "integer array of shape"),
        ({"key_value_seq_lengths": np.array([1, 2, 3])}, r"shape \(2,\)"),
        ({"implementation": "cudnn"}, "implementation=None"),
    ],
)
def test_bad_input_is_refused(kwargs: dict[str, Any], match: str) -> None:
    """What JAX refuses, refused with a message that says what to pass instead."""
    k, v = KV[2]
    call = {"query": Q, "key": k, "value": v, **kwargs}
    with pytest.raises(ValueError, match=match):
        nn.dot_product_attention(call.pop("query"), call.pop("key"), call.pop("value"), **call)
