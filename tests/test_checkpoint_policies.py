"""Saving policies of ``ad.checkpoint`` (``admodes.checkpoint_policies``, JAX's
``jax.checkpoint_policies``) and ``ad.checkpoint_name``: gradients equal JAX's under the same
policy, and ``count()`` shows what each policy keeps and what the backward pass recomputes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close
from jax.ad_checkpoint import checkpoint_name as jax_checkpoint_name

import admodes as ad
import admodes.numpy as anp
from admodes import checkpoint_policies as policies
from admodes.rules.contractions import einsum_primitive, matmul
from admodes.rules.elementwise import tanh
from admodes.rules.shape import named

B, D, LAYERS = 8, 6, 4
ACTIVATION_BYTES = B * D * 8
POLICIES = [
    "nothing_saveable",
    "everything_saveable",
    "dots_saveable",
    "dots_with_no_batch_dims_saveable",
    "checkpoint_dots",
]


def _inputs(rng: np.random.Generator) -> tuple[list[np.ndarray], np.ndarray]:
    return [rng.standard_normal((D, D)) / 3 for _ in range(LAYERS)], rng.standard_normal((B, D))


def _loss(m: Any, checkpoint: Callable[..., Any], name: Callable[..., Any]) -> Callable[..., Any]:
    """A chain of blocks h ↦ sin(name(tanh(h W))), each checkpointed by ``checkpoint``."""

    def block(h: Any, w: Any) -> Any:
        return m.sin(name(m.tanh(h @ w), "activation"))

    def loss(ws: list, x: Any) -> Any:
        h = x
        for w in ws:
            h = checkpoint(block)(h, w)
        return m.sum(h**2)

    return loss


def _ours(policy: Any) -> Callable[..., Any]:
    if policy == "none":
        return _loss(anp, lambda f: f, ad.checkpoint_name)
    return _loss(anp, lambda f: ad.checkpoint(f, policy=policy), ad.checkpoint_name)


def _jaxs(policy: Any) -> Callable[..., Any]:
    return _loss(jnp, lambda f: jax.checkpoint(f, policy=policy), jax_checkpoint_name)


@pytest.mark.parametrize("name", POLICIES)
def test_gradients_and_second_derivatives_equal_jaxs(rng: np.random.Generator, name: str) -> None:
    ws, x = _inputs(rng)
    ours, theirs = _ours(getattr(policies, name)), _jaxs(getattr(jax.checkpoint_policies, name))
    assert_close(ad.grad(ours)(ws, x), [np.asarray(g) for g in jax.grad(theirs)(ws, x)])
    # the Hessian in the first layer: forward over reverse and reverse over reverse
    want = np.asarray(jax.hessian(lambda w: theirs([w, *ws[1:]], x))(ws[0]))
    for outer in (ad.jacfwd, ad.jacrev):
        assert_close(outer(ad.grad(lambda w: ours([w, *ws[1:]], x)))(ws[0]), want)


def test_names_policies_equal_jaxs(rng: np.random.Generator) -> None:
    ws, x = _inputs(rng)
    for make in ("save_only_these_names", "save_any_names_but_these",
                 "save_anything_except_these_names"):  # fmt: skip
        ours = _ours(getattr(policies, make)("activation"))
        theirs = _jaxs(getattr(jax.checkpoint_policies, make)("activation"))
        assert_close(ad.grad(ours)(ws, x), [np.asarray(g) for g in jax.grad(theirs)(ws, x)])


def test_offloading_policies_save_what_they_offload_and_equal_jaxs(
    rng: np.random.Generator,
) -> None:
    """JAX's policies that move values to host memory: gradients as JAX's (which offloads on
    its CPU backend too), and what they would offload is saved (admodes has one memory), as
    by the policy that saves the same values."""
    ws, x = _inputs(rng)
    offload = {"offload_src": "device", "offload_dst": "pinned_host"}
    names = {"names_which_can_be_saved": [], "names_which_can_be_offloaded": ["activation"]}
    for make, kwargs, same in [
        ("save_and_offload_only_these_names", {**names, **offload},
         policies.save_only_these_names("activation")),
        ("offload_dot_with_no_batch_dims", offload, policies.dots_with_no_batch_dims_saveable),
    ]:  # fmt: skip
        ours = _ours(getattr(policies, make)(**kwargs))
        theirs = _jaxs(getattr(jax.checkpoint_policies, make)(**kwargs))
        assert_close(ad.grad(ours)(ws, x), [np.asarray(g) for g in jax.grad(theirs)(ws, x)])
        assert _held_after_forward(ours, ws, x) == _held_after_forward(_ours(same), ws, x)
        assert _counts(lambda o=ours: ad.grad(o)(ws, x)).by_op == (
            _counts(lambda s=same: ad.grad(_ours(s))(ws, x)).by_op
        )


def _counts(fn: Callable[[], Any]) -> ad.Counts:
    with ad.count() as counts:
        fn()
    return counts


def _held_after_forward(loss: Callable[..., Any], ws: list, x: np.ndarray) -> int:
    """The bytes the recorded forward pass holds for the backward pass (counted while a
    ``count()`` is open): what a ``count()`` opened after it starts from."""
    with ad.count():
        _, vjp_fn = ad.vjp(loss, ws, x)
        held = _counts(lambda: None).peak_saved_bytes
        del vjp_fn
    return held


def test_nothing_saveable_counts_as_the_plain_checkpoint(rng: np.random.Generator) -> None:
    """The same ops, FLOPs per phase, and bytes held after the forward pass and at the peak."""
    ws, x = _inputs(rng)
    plain, nothing = _ours(None), _ours(policies.nothing_saveable)
    a, b = _counts(lambda: ad.grad(plain)(ws, x)), _counts(lambda: ad.grad(nothing)(ws, x))
    assert (a.ops, a.flops, a.by_phase, a.by_op) == (b.ops, b.flops, b.by_phase, b.by_op)
    assert a.peak_saved_bytes == b.peak_saved_bytes
    assert _held_after_forward(plain, ws, x) == _held_after_forward(nothing, ws, x)


def test_each_policy_keeps_what_it_names_and_recomputes_the_rest(rng: np.random.Generator) -> None:
    """Against the plain checkpoint: dots_saveable keeps one activation more per layer (the
    product h W) and recomputes no product; naming the tanh output keeps it, and tanh is not
    recomputed (its input, the product, still is: every rule receives its op's inputs);
    everything_saveable recomputes nothing at all (the ops of no checkpoint)."""
    ws, x = _inputs(rng)
    nothing = _held_after_forward(_ours(policies.nothing_saveable), ws, x)
    counts = {}
    for key, policy in [("none", "none"), ("nothing", policies.nothing_saveable),
                        ("dots", policies.dots_saveable),
                        ("names", policies.save_only_these_names("activation")),
                        ("everything", policies.everything_saveable)]:  # fmt: skip
        counts[key] = _counts(lambda p=policy: ad.grad(_ours(p))(ws, x))
    assert _held_after_forward(_ours(policies.dots_saveable), ws, x) == (
        nothing + LAYERS * ACTIVATION_BYTES
    )
    assert _held_after_forward(_ours(policies.save_only_these_names("activation")), ws, x) == (
        nothing + LAYERS * ACTIVATION_BYTES
    )
    none, recomputed = counts["none"].by_op, counts["nothing"].by_op
    assert recomputed["matmul"] == none["matmul"] + LAYERS
    assert counts["dots"].by_op["matmul"] == none["matmul"]
    assert counts["dots"].by_op["tanh"] == none["tanh"] + LAYERS
    assert counts["names"].by_op["tanh"] == none["tanh"]
    assert counts["names"].by_op["matmul"] == recomputed["matmul"]
    assert counts["everything"].by_op == none
    assert counts["everything"].by_phase == counts["none"].by_phase


def test_the_dot_policies_choose_products(rng: np.random.Generator) -> None:
    a, stack = rng.standard_normal((3, 3)), rng.standard_normal((2, 3, 3))
    no_batch = policies.dots_with_no_batch_dims_saveable
    assert policies.dots_saveable(matmul, stack, stack) and not no_batch(matmul, stack, stack)
    assert no_batch(matmul, a, a) and no_batch(matmul, a, a[0])
    assert no_batch(einsum_primitive, a, a, subscripts="ij,jk->ik", path=None)
    assert not no_batch(einsum_primitive, stack, stack, subscripts="bij,bjk->bik", path=None)
    assert not policies.dots_saveable(einsum_primitive, a, subscripts="ii->i", path=None)
    assert not policies.dots_saveable(tanh, a)


def test_the_name_policies_choose_names() -> None:
    x = np.ones(2)
    only = policies.save_only_these_names("a")
    but = policies.save_any_names_but_these("a")
    except_ = policies.save_anything_except_these_names("a")
    assert only(named, x, name="a") and not only(named, x, name="b") and not only(tanh, x)
    assert but(named, x, name="b") and not but(named, x, name="a") and not but(tanh, x)
    assert except_(tanh, x) and except_(named, x, name="b") and not except_(named, x, name="a")
    both = policies.save_from_both_policies(only, policies.dots_saveable)
    assert both(named, x, name="a") and both(matmul, x, x) and not both(tanh, x)


def test_a_policy_of_ones_own(rng: np.random.Generator) -> None:
    """Any policy(prim, *args, **params): here, save the sines (the block's outputs)."""
    ws, x = _inputs(rng)
    sines = _ours(lambda prim, *args, **params: prim.name == "sin")
    assert_close(ad.grad(sines)(ws, x), ad.grad(_ours("none"))(ws, x))
    assert (
        _counts(lambda: ad.grad(sines)(ws, x)).by_op["sin"]
        == (_counts(lambda: ad.grad(_ours("none"))(ws, x)).by_op["sin"])
    )


def test_policies_nest_close_over_parameters_and_pull_back_twice(
    rng: np.random.Generator,
) -> None:
    ws, x = _inputs(rng)
    w = ws[0]

    def ours(w: Any) -> Any:
        inner = ad.checkpoint(lambda h: anp.tanh(h @ w))  # closes over the traced w
        return anp.sum(ad.checkpoint(lambda h: anp.sin(inner(h)), policy=policies.dots_saveable)(x))

    def theirs(w: Any) -> Any:
        return jnp.sum(jnp.sin(jnp.tanh(x @ w)))

    assert_close(ad.grad(ours)(w), np.asarray(jax.grad(theirs)(w)))
    with ad.count() as counts:  # the inner checkpoint's step is kept whole, and charged
        assert_close(ad.grad(ours)(w), np.asarray(jax.grad(theirs)(w)))
    assert counts.peak_saved_bytes > 0
    _, vjp_fn = ad.vjp(ours, w)
    assert_close(vjp_fn(2.0)[0], 2.0 * np.asarray(jax.grad(theirs)(w)))
    assert_close(vjp_fn(1.0)[0], np.asarray(jax.grad(theirs)(w)))
    stack = np.stack(ws[:2])
    assert_close(ad.vmap(ad.grad(ours))(stack), np.asarray(jax.vmap(jax.grad(theirs))(stack)))


def test_checkpoint_name_is_the_identity(rng: np.random.Generator) -> None:
    x = rng.standard_normal(3)
    tree = {"a": x, "b": (x, 2.0)}
    assert_close(ad.checkpoint_name(tree, "t"), tree)
    f = lambda m, name: lambda v: m.sum(m.sin(name(v * v, "square")))
    want = np.asarray(jax.grad(f(jnp, jax_checkpoint_name))(x))
    for mode in ("reverse", "forward"):
        assert_close(ad.grad(f(anp, ad.checkpoint_name), mode=mode)(x), want)
    assert_close(ad.vmap(lambda v: ad.checkpoint_name(v, "v"))(np.stack([x, x])), np.stack([x, x]))


def test_bad_policies_and_names_are_refused() -> None:
    with pytest.raises(TypeError, match="must be a function policy"):
        ad.checkpoint(anp.sin, policy="dots")
    with pytest.raises(TypeError, match="name must be a string"):
        ad.checkpoint_name(np.ones(2), 3)
