"""custom_jvp and custom_vjp against JAX's: every transform and nesting, pytrees, nondiff_argnums,
checkpointing, and the errors JAX gives.

Each rule below differs from the derivative of its function's body on purpose (a factor, a
clipped cotangent, a finite slope where the body's is nan), so a transform that differentiated
the body instead of applying the rule would fail the comparison.
"""

from __future__ import annotations

import itertools
from functools import partial
from types import SimpleNamespace
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close, op_count

import admodes as ad
import admodes.numpy as anp

AD = SimpleNamespace(lib=ad, m=anp)
JAX = SimpleNamespace(lib=jax, m=JNP)
X = np.array([0.3, -1.2, 0.8, 2.0])


def sin_times(side: SimpleNamespace, rule_calls_f: bool = True) -> Any:
    """sin(x)·y, whose rule doubles the derivative in x; its primal output comes from f itself
    or, without ``rule_calls_f``, from the rule's own operations."""

    @side.lib.custom_jvp
    def f(x: Any, y: Any) -> Any:
        return side.m.sin(x) * y

    @f.defjvp
    def f_jvp(primals: tuple, tangents: tuple) -> tuple:
        (x, y), (x_dot, y_dot) = primals, tangents
        out = f(x, y) if rule_calls_f else side.m.sin(x) * y
        return out, 2.0 * side.m.cos(x) * x_dot * y + side.m.sin(x) * y_dot

    return f


def sin_times_vjp(side: SimpleNamespace) -> Any:
    """sin(x)·y, whose bwd rule triples the cotangent of x; fwd does not call f."""

    @side.lib.custom_vjp
    def f(x: Any, y: Any) -> Any:
        return side.m.sin(x) * y

    def fwd(x: Any, y: Any) -> tuple:
        return side.m.sin(x) * y, (side.m.cos(x), side.m.sin(x), y)

    def bwd(res: tuple, g: Any) -> tuple:
        cos_x, sin_x, y = res
        return 3.0 * cos_x * g * y, side.m.sum(sin_x * g)

    f.defvjp(fwd, bwd)
    return f


def both(make: Any) -> tuple[Any, Any]:
    return make(AD), make(JAX)


# ---------------------------------------------------------------------------- custom_jvp
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("x", [0.7, X], ids=["float", "array"])
def test_jvp_rule_gives_every_first_derivative(mode: str, x: Any) -> None:
    fa, fj = both(sin_times)
    y = 1.3
    assert_close(ad.jvp(fa, (x, y), (x * 0 + 0.5, -2.0)), jax.jvp(fj, (x, y), (x * 0 + 0.5, -2.0)))
    loss_a, loss_j = (lambda x, y: anp.sum(fa(x, y))), (lambda x, y: JNP.sum(fj(x, y)))
    assert_close(
        ad.grad(loss_a, argnums=(0, 1), mode=mode)(x, y), jax.grad(loss_j, argnums=(0, 1))(x, y)
    )
    out_a, pull_a = ad.vjp(fa, x, y)
    out_j, pull_j = jax.vjp(fj, x, y)
    assert_close(out_a, out_j)
    assert_close(pull_a(out_a * 0 + 1.5), pull_j(out_j * 0 + 1.5))


@pytest.mark.parametrize("chunk_size", [None, 1])
def test_jvp_rule_gives_jacobians(chunk_size: int | None) -> None:
    fa, fj = both(sin_times)
    expected = jax.jacfwd(fj, argnums=(0, 1))(X, 1.3)
    assert_close(ad.jacfwd(fa, argnums=(0, 1), chunk_size=chunk_size)(X, 1.3), expected)
    assert_close(ad.jacrev(fa, argnums=(0, 1), chunk_size=chunk_size)(X, 1.3), expected)


@pytest.mark.parametrize(("outer", "inner"), list(itertools.product(MODES, MODES)))
def test_jvp_rule_differentiates_again_in_every_mode_pair(outer: str, inner: str) -> None:
    fa, fj = both(sin_times)
    second_a = ad.grad(ad.grad(fa, mode=inner), mode=outer)(0.7, 1.3)
    assert_close(second_a, jax.grad(jax.grad(fj))(0.7, 1.3))
    loss_a = lambda x: anp.sum(fa(x, 1.3) ** 2)
    loss_j = lambda x: JNP.sum(fj(x, 1.3) ** 2)
    assert_close(ad.hessian(loss_a)(X), jax.hessian(loss_j)(X))
    assert_close(ad.hvp(loss_a, (X,), (X[::-1],)), jax.jvp(jax.grad(loss_j), (X,), (X[::-1],))[1])


@pytest.mark.parametrize("rule_calls_f", [True, False])
@pytest.mark.parametrize(("outer", "inner"), list(itertools.product(MODES, MODES)))
def test_an_outer_transform_differentiates_the_value_the_rule_returns(
    rule_calls_f: bool, outer: str, inner: str
) -> None:
    """As in JAX: the value an inner transform returns is the rule's, so an outer transform
    differentiates the rule's own operations (the custom rule again where the rule calls f)."""
    fa, fj = both(partial(sin_times, rule_calls_f=rule_calls_f))
    assert_close(
        ad.grad(lambda x: ad.value_and_grad(fa, mode=inner)(x, 1.3)[0], mode=outer)(0.7),
        jax.grad(lambda x: jax.value_and_grad(fj)(x, 1.3)[0])(0.7),
    )
    assert_close(
        ad.grad(lambda x: ad.jvp(lambda z: fa(z, 1.3), (x,), (1.0,))[0], mode=outer)(0.7),
        jax.grad(lambda x: jax.jvp(lambda z: fj(z, 1.3), (x,), (1.0,))[0])(0.7),
    )


def log1pexp(side: SimpleNamespace) -> Any:
    """log(1 + eˣ) with JAX's documented stable rule: its body's derivative is nan at x = 1000."""

    @side.lib.custom_jvp
    def f(x: Any) -> Any:
        return side.m.log(1.0 + side.m.exp(x))

    @f.defjvp
    def f_jvp(primals: tuple, tangents: tuple) -> tuple:
        (x,), (x_dot,) = primals, tangents
        return f(x), (1.0 - 1.0 / (1.0 + side.m.exp(x))) * x_dot

    return f


@pytest.mark.parametrize("mode", MODES)
def test_a_stable_rule_replaces_an_unstable_body(mode: str) -> None:
    fa, fj = both(log1pexp)
    with np.errstate(over="ignore", invalid="ignore"):
        assert ad.grad(lambda x: anp.log(1.0 + anp.exp(x)), mode=mode)(1000.0) != 1.0  # nan
        assert_close(ad.grad(fa, mode=mode)(1000.0), jax.grad(fj)(1000.0))
        assert ad.grad(fa, mode=mode)(1000.0) == 1.0


def test_pytree_arguments_and_outputs() -> None:
    def make(side: SimpleNamespace) -> Any:
        @side.lib.custom_jvp
        def f(p: dict, x: Any) -> tuple:
            return side.m.tanh(p["w"] * x), p["b"] * x

        @f.defjvp
        def f_jvp(primals: tuple, tangents: tuple) -> tuple:
            (p, x), (dp, dx) = primals, tangents
            t = side.m.tanh(p["w"] * x)
            d = 3.0 * (1.0 - t * t)  # three times the slope of tanh
            return f(p, x), (d * (dp["w"] * x + p["w"] * dx), dp["b"] * x + p["b"] * dx)

        return f

    fa, fj = both(make)
    p = {"w": np.array([0.5, -0.3, 0.2, 1.1]), "b": 0.4}
    for transform in ("jacfwd", "jacrev"):
        assert_close(
            getattr(ad, transform)(fa, argnums=(0, 1))(p, X),
            getattr(jax, transform)(fj, argnums=(0, 1))(p, X),
        )


def test_nondiff_argnums_pass_a_function_to_the_rule() -> None:
    def make(side: SimpleNamespace) -> Any:
        @partial(side.lib.custom_jvp, nondiff_argnums=(0,))
        def app(fn: Any, x: Any) -> Any:
            return fn(x)

        @app.defjvp
        def app_jvp(fn: Any, primals: tuple, tangents: tuple) -> tuple:
            return app(fn, primals[0]), 2.0 * tangents[0]

        return app

    aa, aj = both(make)
    for mode in MODES:
        assert_close(
            ad.grad(lambda x: aa(anp.sin, x) * x, mode=mode)(0.4),
            jax.grad(lambda x: aj(JNP.sin, x) * x)(0.4),
        )


def test_defjvps_gives_one_rule_per_argument() -> None:
    def make(side: SimpleNamespace) -> Any:
        f = side.lib.custom_jvp(lambda x, y: side.m.sin(x) * y)
        f.defjvps(
            lambda x_dot, ans, x, y: 5.0 * side.m.cos(x) * x_dot * y,
            lambda y_dot, ans, x, y: side.m.sin(x) * y_dot,
        )
        return f

    fa, fj = both(make)
    for mode in MODES:
        assert_close(
            ad.grad(fa, argnums=(0, 1), mode=mode)(0.7, 1.3), jax.grad(fj, argnums=(0, 1))(0.7, 1.3)
        )
    assert_close(ad.hessian(fa)(0.7, 1.3), jax.hessian(fj)(0.7, 1.3))


def test_keywords_outside_transforms_and_float32() -> None:
    fa, fj = both(sin_times)
    assert fa(0.7, y=1.3) == np.sin(0.7) * 1.3  # no transform: the body runs
    x32 = X.astype(np.float32)
    g = ad.grad(lambda x: anp.sum(fa(x, y=np.float32(1.3))))(x32)
    assert_close(g, jax.grad(lambda x: JNP.sum(fj(x, y=np.float32(1.3))))(x32), rtol=1e-6)


def test_inside_checkpoint_and_iterate() -> None:
    fa, fj = both(sin_times)
    expected = jax.grad(lambda x: fj(fj(x, 1.3), 0.9) * x)(0.7)
    step = lambda h: fa(h, 1.3)
    assert_close(
        ad.grad(lambda x: ad.checkpoint(step)(x) * x)(0.7), jax.grad(lambda x: fj(x, 1.3) * x)(0.7)
    )
    assert_close(ad.grad(lambda x: fa(ad.checkpoint(step)(x), 0.9) * x)(0.7), expected)
    chained = jax.grad(lambda x: fj(fj(fj(fj(x, 1.3), 1.3), 1.3), 1.3))(0.7)
    for schedule in ("store_all", "sqrt", "binomial"):
        snapshots = 2 if schedule == "binomial" else None
        got = ad.grad(lambda x, s=schedule, k=snapshots: ad.iterate(step, x, 4, s, k))(0.7)
        assert_close(got, chained)


def test_counted() -> None:
    fa, _ = both(sin_times)
    with ad.count() as c:
        ad.grad(lambda x: anp.sum(fa(x, 1.3)))(X)
    assert c.by_phase["vjp"]["flops"] > 0  # the rule's pullback is counted as any other


# ---------------------------------------------------------------------------- custom_vjp
@pytest.mark.parametrize("x", [0.7, X], ids=["float", "array"])
def test_vjp_rule_gives_reverse_derivatives(x: Any) -> None:
    fa, fj = both(sin_times_vjp)
    loss_a, loss_j = (lambda x, y: anp.sum(fa(x, y))), (lambda x, y: JNP.sum(fj(x, y)))
    assert_close(ad.grad(loss_a, argnums=(0, 1))(x, 1.3), jax.grad(loss_j, argnums=(0, 1))(x, 1.3))
    for chunk_size in (None, 1):
        assert_close(
            ad.jacrev(fa, argnums=(0, 1), chunk_size=chunk_size)(x, 1.3),
            jax.jacrev(fj, argnums=(0, 1))(x, 1.3),
        )


# X's 4 outputs in reverse sweeps of 2 rows; its 4 inputs and y in forward passes of 2, 2 and 1.
@pytest.mark.parametrize(("chunk_size", "sweeps", "passes"), [(None, 1, 1), (2, 2, 3)])
def test_a_batch_of_directions_meets_each_rule_once(
    chunk_size: int | None, sweeps: int, passes: int
) -> None:
    """A Jacobian's batch of directions goes through the rules mapped over it (as JAX's
    jacfwd and jacrev): ``bwd`` once per reverse sweep, a JVP rule once per forward pass, not
    once per direction; JAX's Jacobians."""
    calls = {"bwd": 0, "jvp": 0}
    fa, fj = both(sin_times_vjp)
    fwd, bwd = fa.fwd, fa.bwd
    fa.defvjp(fwd, lambda res, g: calls.update(bwd=calls["bwd"] + 1) or bwd(res, g))
    got = ad.jacrev(fa, argnums=(0, 1), chunk_size=chunk_size)(X, 1.3)
    assert_close(got, jax.jacrev(fj, argnums=(0, 1))(X, 1.3))
    ja, jj = both(sin_times)
    jvp = ja.jvp
    ja.defjvp(lambda p, t: calls.update(jvp=calls["jvp"] + 1) or jvp(p, t))
    got = ad.jacfwd(ja, argnums=(0, 1), chunk_size=chunk_size)(X, 1.3)
    assert_close(got, jax.jacfwd(jj, argnums=(0, 1))(X, 1.3))
    assert calls == {"bwd": sweeps, "jvp": passes}


def test_vjp_rule_differentiates_again() -> None:
    fa, fj = both(sin_times_vjp)
    assert_close(ad.grad(ad.grad(fa))(0.7, 1.3), jax.grad(jax.grad(fj))(0.7, 1.3))
    loss_a = lambda x: anp.sum(fa(x, 1.3) ** 2)
    loss_j = lambda x: JNP.sum(fj(x, 1.3) ** 2)
    expected = jax.jacrev(jax.jacrev(loss_j))(X)
    assert_close(ad.jacrev(ad.jacrev(loss_a))(X), expected)
    # fwd does not call f, so forward over reverse differentiates fwd's and bwd's operations
    assert_close(ad.hessian(loss_a)(X), jax.hessian(loss_j)(X))


def clip_gradient(side: SimpleNamespace) -> Any:
    """JAX's documented example: the identity, with its cotangent clipped to [lo, hi]."""

    @side.lib.custom_vjp
    def clip(lo: float, hi: float, x: Any) -> Any:
        return x

    def fwd(lo: float, hi: float, x: Any) -> tuple:
        return x, (lo, hi)

    def bwd(res: tuple, g: Any) -> tuple:
        lo, hi = res
        return None, None, side.m.clip(g, lo, hi)

    clip.defvjp(fwd, bwd)
    return clip


def test_none_cotangents_and_pytrees() -> None:
    ca, cj = both(clip_gradient)
    for x in (2.0, X):
        assert_close(
            ad.jacrev(lambda x: ca(-0.5, 0.5, x) * 3.0)(x),
            jax.jacrev(lambda x: cj(-0.5, 0.5, x) * 3.0)(x),
        )

    def make(side: SimpleNamespace) -> Any:
        @side.lib.custom_vjp
        def f(p: dict) -> Any:
            return p["a"] * p["b"]

        f.defvjp(lambda p: (f(p), p), lambda p, g: ({"a": 2.0 * g * p["b"], "b": None},))
        return f

    fa, fj = both(make)
    p = {"a": X, "b": 1.5}
    assert_close(ad.grad(lambda p: anp.sum(fa(p)))(p), jax.grad(lambda p: JNP.sum(fj(p)))(p))


def test_forward_mode_refuses_custom_vjp_as_jax_does() -> None:
    ca, cj = both(clip_gradient)
    with pytest.raises(TypeError, match="custom_vjp"):
        jax.jvp(lambda x: cj(-0.5, 0.5, x), (1.0,), (1.0,))
    with pytest.raises(TypeError, match=r"can't apply forward-mode .* custom_vjp function clip"):
        ad.jvp(lambda x: ca(-0.5, 0.5, x), (1.0,), (1.0,))
    with pytest.raises(TypeError, match="custom_vjp"):
        ad.grad(lambda x: ca(-0.5, 0.5, x), mode="forward")(1.0)


# ---------------------------------------------------------------------------- bad input
def test_rules_must_be_defined() -> None:
    def f(x: float) -> float:
        return x

    with pytest.raises(AttributeError, match=r"No JVP defined .* f.defjvp"):
        ad.custom_jvp(f)(1.0)
    with pytest.raises(AttributeError, match="No VJP defined"):
        ad.grad(ad.custom_vjp(f))(1.0)


def test_closed_over_traced_values_are_refused() -> None:
    def body_closure(x: Any) -> Any:
        g = ad.custom_jvp(lambda y: y * x)
        g.defjvp(lambda p, t: (p[0] * x, t[0] * x))
        return g(2.0)

    def rule_closure(x: Any) -> Any:
        g = ad.custom_jvp(lambda y: y * x)
        g.defjvp(lambda p, t: (p[0] * x, t[0] * x))
        return g(x)

    def bwd_closure(x: Any) -> Any:
        g = ad.custom_vjp(lambda y: y * 2.0)
        g.defvjp(lambda y: (y * 2.0, None), lambda r, ct: (ct * x,))
        return g(x)

    for fn in (body_closure, rule_closure, bwd_closure):
        for mode in MODES if fn is not bwd_closure else ("reverse",):
            with pytest.raises(TypeError, match="closed-over value"):
                ad.grad(fn, mode=mode)(3.0)


def test_malformed_rules_are_reported() -> None:
    f = ad.custom_jvp(lambda x: x)
    f.defjvp(lambda p, t: (p[0], (t[0], t[0])))
    with pytest.raises(TypeError, match="structure"):
        ad.grad(f)(1.0)
    f.defjvp(lambda p, t: (p[0], np.ones(3)))
    with pytest.raises(ValueError, match=r"shape \(3,\)"):
        ad.jvp(f, (1.0,), (1.0,))
    f.defjvp(lambda p, t: p[0])
    with pytest.raises(TypeError, match="pair"):
        ad.grad(f)(1.0)
    g = ad.custom_vjp(lambda x, y: x * y)
    g.defvjp(lambda x, y: (x * y, (x, y)), lambda r, ct: (ct * r[1],))
    with pytest.raises(TypeError, match=r"one cotangent per differentiated argument \(2\)"):
        ad.grad(g)(1.0, 2.0)
    g.defvjp(lambda x, y: (x * y, (x, y)), lambda r, ct: (np.ones(2), ct * r[0]))
    with pytest.raises(ValueError, match=r"shape \(2,\)"):
        ad.grad(g)(1.0, 2.0)


def test_traced_nondiff_arguments_are_refused() -> None:
    f = ad.custom_jvp(lambda a, x: a * x, nondiff_argnums=(0,))
    f.defjvp(lambda a, p, t: (a * p[0], a * t[0]))
    assert ad.grad(lambda x: f(2.0, x))(1.5) == 2.0
    with pytest.raises(TypeError, match="nondiff_argnums"):
        ad.grad(lambda a: f(a, 1.5))(2.0)


def test_an_escaped_traced_argument_is_refused() -> None:
    fa, _ = both(sin_times)
    leaked = []
    ad.grad(lambda x: leaked.append(x) or x)(0.5)
    with pytest.raises(ad.UnexpectedTracerError):
        fa(leaked[0], 1.0)


def test_explain_names_the_opaque_step() -> None:
    fa, _ = both(sin_times)
    with pytest.raises(ValueError, match=r"f contains custom_jvp\(f\), .* one opaque step"):
        ad.explain(lambda x: fa(x, 1.3) * x, 0.7)


def linear_and_nested(side: SimpleNamespace) -> tuple[Any, Any]:
    """A linear map whose JVP rule applies it to the tangents, and a function whose JVP rule
    applies a custom function (the identity with its slope doubled) to its tangents."""
    a = np.array([[2.0, 1.0], [0.5, 3.0]])

    @side.lib.custom_jvp
    def linear(x: Any) -> Any:
        return a @ x

    linear.defjvp(lambda p, t: (linear(p[0]), linear(t[0])))

    @side.lib.custom_jvp
    def doubled(x: Any) -> Any:
        return x

    doubled.defjvp(lambda p, t: (p[0], 2.0 * t[0]))

    @side.lib.custom_jvp
    def sin(x: Any) -> Any:
        return side.m.sin(x)

    sin.defjvp(lambda p, t: (sin(p[0]), side.m.cos(p[0]) * doubled(t[0])))
    return linear, sin


@pytest.mark.parametrize(("outer", "inner"), list(itertools.product(MODES, MODES)))
def test_a_rule_may_apply_custom_functions_to_its_tangents(outer: str, inner: str) -> None:
    """As in JAX, a custom function applied to tangents inside a rule is its body there (no
    endless transposition of its own rule): ``doubled`` contributes its body's slope, 1."""
    (linear_a, sin_a), (linear_j, sin_j) = linear_and_nested(AD), linear_and_nested(JAX)
    x = np.array([0.3, -0.2])

    def loss(m: Any, linear: Any, sin: Any, x: Any) -> Any:
        return m.sum(sin(linear(x)) ** 2)

    assert_close(ad.jacrev(linear_a)(x), jax.jacrev(linear_j)(x))
    jacobian = ad.jacfwd if outer == "forward" else ad.jacrev
    hessian = jacobian(ad.grad(lambda x: loss(anp, linear_a, sin_a, x), mode=inner))(x)
    assert_close(hessian, jax.hessian(lambda x: loss(JNP, linear_j, sin_j, x))(x))


def test_a_custom_vjp_function_on_tangents_is_refused_in_reverse_mode_as_jax() -> None:
    def make(side: SimpleNamespace) -> Any:
        tripled = side.lib.custom_vjp(lambda t: t)
        tripled.defvjp(lambda t: (t, None), lambda _, g: (3.0 * g,))
        f = side.lib.custom_jvp(lambda x: side.m.sin(x))
        f.defjvp(lambda p, t: (f(p[0]), side.m.cos(p[0]) * tripled(t[0])))
        return f

    fa, fj = both(make)
    assert_close(ad.jvp(fa, (0.4,), (1.0,)), jax.jvp(fj, (0.4,), (1.0,)))  # forward: the body
    with pytest.raises(NotImplementedError):
        jax.grad(fj)(0.4)
    with pytest.raises(TypeError, match="cannot transpose that rule through a custom_vjp call"):
        ad.grad(fa)(0.4)


# ---------------------------------------------------------------------------- custom_gradient
def _scaled_product(m: Any) -> Any:
    """x · sin y with a rule that is not its derivative (3 sin y for x, x cos² y for y), so a
    transform that ignored the rule would fail."""

    def f(x: Any, y: Any) -> tuple:
        return x * m.sin(y), lambda g: (3.0 * g * m.sin(y), g * x * m.cos(y) ** 2)

    return f


def test_custom_gradient_is_jaxs() -> None:
    """Gradient and second derivative (the rule's, through what it closes over) equal those of
    jax.custom_gradient; a single cotangent may be returned bare."""
    f_ad, f_jax = (
        ad.custom_gradient(_scaled_product(anp)),
        jax.custom_gradient(_scaled_product(JNP)),
    )
    x, y = np.array([0.3, -1.2]), np.array([0.7, 2.0])

    def loss(m: Any, f: Any) -> Any:
        return lambda x, y: m.sum(f(x, y) ** 2)

    assert_close(f_ad(x, y), f_jax(x, y))
    assert_close(ad.grad(loss(anp, f_ad), (0, 1))(x, y), jax.grad(loss(JNP, f_jax), (0, 1))(x, y))
    assert_close(ad.jacrev(ad.grad(loss(anp, f_ad), 1), 0)(x, y),
                 jax.jacrev(jax.grad(loss(JNP, f_jax), 1), 0)(x, y))  # fmt: skip

    def clip(m: Any) -> Any:
        return lambda x: (x, lambda g: m.clip(g, -0.5, 0.5))

    assert_close(ad.grad(lambda x: 3.0 * ad.custom_gradient(clip(anp))(x))(2.0),
                 jax.grad(lambda x: 3.0 * jax.custom_gradient(clip(JNP))(x))(2.0))  # fmt: skip


def test_custom_gradient_refuses_forward_mode_and_a_malformed_function() -> None:
    f = ad.custom_gradient(_scaled_product(anp))
    with pytest.raises(TypeError, match="forward-mode"):
        ad.grad(lambda x: f(x, 1.0), mode="forward")(0.5)
    with pytest.raises(TypeError, match=r"must return a pair \(output, rule\)"):
        ad.grad(ad.custom_gradient(lambda x: x * 2.0))(0.5)


# ---------------------------------------------------------------------------- under vmap
BATCH = np.random.default_rng(11).standard_normal((5, 4))


def test_rules_under_vmap_equal_jax_and_run_in_one_call() -> None:
    """vmap(grad(f)) and vmap(jvp(f)) of custom functions: the transform inside meets the rules
    on mapped values; grad of the mapped function meets the mapped rules (as JAX batches a
    custom function). Both in one call on the batch (as many ops for twice the batch), with
    JAX's numbers."""
    (fa, fj), (va, vj) = both(sin_times), both(sin_times_vjp)
    for f_ad, f_jax in ((fa, fj), (va, vj)):
        loss_ad = lambda x, f=f_ad: anp.sum(f(x, 1.3) ** 2)
        loss_jax = lambda x, f=f_jax: JNP.sum(f(x, 1.3) ** 2)
        per_example = ad.vmap(ad.grad(loss_ad))
        assert_close(per_example(BATCH), jax.vmap(jax.grad(loss_jax))(BATCH))
        doubled_batch = np.concatenate([BATCH, BATCH])
        assert op_count(per_example, (BATCH,)) == op_count(per_example, (doubled_batch,))
        outside = ad.grad(lambda b, loss=loss_ad: anp.sum(ad.vmap(loss)(b)))
        want = jax.grad(lambda b, loss=loss_jax: JNP.sum(jax.vmap(loss)(b)))(BATCH)
        assert_close(outside(BATCH), want)
        assert op_count(outside, (BATCH,)) == op_count(outside, (doubled_batch,))
    t = np.ones(4)
    assert_close(
        ad.vmap(lambda x: ad.jvp(lambda v: fa(v, 1.3), (x,), (t,)))(BATCH),
        jax.vmap(lambda x: jax.jvp(lambda v: fj(v, 1.3), (x,), (t,)))(BATCH),
    )


def test_a_collective_inside_a_custom_function_under_vmap() -> None:
    def make(side: SimpleNamespace) -> Any:
        @side.lib.custom_vjp
        def centred(x: Any) -> Any:
            return x - side.lib.lax.pmean(x, "i")

        def fwd(x: Any) -> tuple:
            return centred(x), None

        def bwd(res: None, g: Any) -> tuple:  # the body's transpose, halved on purpose
            return (0.5 * (g - side.lib.lax.pmean(g, "i")),)

        centred.defvjp(fwd, bwd)
        return lambda x: side.m.sum(side.m.sin(centred(x)) * x)

    la, lj = both(make)
    got = ad.vmap(ad.grad(la), axis_name="i")(BATCH)
    assert_close(got, jax.vmap(jax.grad(lj), axis_name="i")(BATCH))


def _counted(make: Any, side: SimpleNamespace) -> tuple[Any, dict[str, int]]:
    """The custom function ``make(side)`` whose rules count their calls."""
    calls = {"rule": 0}
    f = make(side)
    if isinstance(f, ad.custom_vjp):
        fwd, bwd = f.fwd, f.bwd
        f.defvjp(lambda *a: calls.update(rule=calls["rule"] + 1) or fwd(*a), bwd)
    else:
        jvp = f.jvp
        f.defjvp(lambda p, t: calls.update(rule=calls["rule"] + 1) or jvp(p, t))
    return f, calls


@pytest.mark.parametrize("make", [sin_times, sin_times_vjp], ids=["custom_jvp", "custom_vjp"])
def test_a_transform_outside_vmap_meets_the_mapped_rules_once(make: Any) -> None:
    """grad, jacrev and hessian of a function that maps a custom function, with an argument
    mapped and one shared by every index that the transform also differentiates (its cotangent
    summed over the indices): JAX's numbers, the rule (fwd or jvp) called once per
    differentiation, not once per index (nor, in forward mode, once per direction)."""
    f_ad, calls = _counted(make, AD)
    f_jax = make(JAX)

    def loss(side: SimpleNamespace, f: Any) -> Any:
        return lambda b, y: side.m.sum(side.lib.vmap(f, in_axes=(0, None))(b, y) ** 2)

    y = 1.3
    modes = MODES if make is sin_times else ("reverse",)
    for mode in modes:
        calls["rule"] = 0
        got = ad.grad(loss(AD, f_ad), (0, 1), mode=mode)(BATCH, y)
        assert_close(got, jax.grad(loss(JAX, f_jax), (0, 1))(BATCH, y))
        assert calls["rule"] == 1  # forward mode: mapped over the directions too
    mapped_ad = ad.vmap(f_ad, in_axes=(0, None))
    mapped_jax = jax.vmap(f_jax, in_axes=(0, None))
    assert_close(ad.jacrev(mapped_ad, (0, 1))(BATCH, y), jax.jacrev(mapped_jax, (0, 1))(BATCH, y))
    small = BATCH[:2, :3]
    assert_close(ad.hessian(loss(AD, f_ad))(small, y), jax.hessian(loss(JAX, f_jax))(small, y))
    nested = lambda side, f: lambda b: side.m.sum(side.lib.vmap(side.lib.vmap(f))(b, b))
    assert_close(ad.grad(nested(AD, f_ad))(BATCH), jax.grad(nested(JAX, f_jax))(BATCH))
    if make is sin_times:
        assert_close(
            ad.jacfwd(mapped_ad, (0, 1))(BATCH, y), jax.jacfwd(mapped_jax, (0, 1))(BATCH, y)
        )


def test_mapped_rules_take_nondiff_arguments_and_custom_gradient_maps_per_index() -> None:
    """A rule's non-differentiated argument reaches the mapped rules unchanged; a
    custom_gradient function (whose residual is its rule, a function vmap cannot stack) is
    differentiated at each index instead: JAX's numbers either way."""

    def powered(side: SimpleNamespace) -> Any:
        @partial(side.lib.custom_vjp, nondiff_argnums=(0,))
        def f(k: int, x: Any) -> Any:
            return x**k

        f.defvjp(lambda k, x: (x**k, x), lambda k, x, g: (2.0 * k * g * x ** (k - 1),))
        return lambda b: side.m.sum(side.lib.vmap(lambda x: f(3, x))(b))

    grads = [ad.grad(powered(AD))(BATCH), jax.grad(powered(JAX))(BATCH)]
    assert_close(*grads)
    fa, fj = ad.custom_gradient(_scaled_product(anp)), jax.custom_gradient(_scaled_product(JNP))
    la = lambda b: anp.sum(ad.vmap(fa)(b, b[::-1]))
    lj = lambda b: JNP.sum(jax.vmap(fj)(b, b[::-1]))
    assert_close(ad.grad(la)(BATCH), jax.grad(lj)(BATCH))


@pytest.mark.parametrize(
    ("x", "tangent_out"),
    [
        (X, lambda t: t * (1 + 1j)),  # complex for real
        (X, lambda t: np.zeros(X.shape, int)),
    ],
    ids=["complex-for-real", "int-for-f64"],
)
def test_a_jvp_rule_whose_tangent_has_another_kind_is_refused_as_jax(
    x: np.ndarray, tangent_out: Any
) -> None:
    """JAX raises a TypeError when a rule's tangent output is not of its primal output's dtype;
    casting a complex or an integer tangent instead would drop its imaginary part or hide a
    rule that returns something else. (Another precision is converted: see the next test.)"""
    for lib in (AD, JAX):
        f = lib.lib.custom_jvp(lib.m.sin)
        f.defjvp(lambda p, t, f=f: (f(p[0]), tangent_out(t[0])))
        with pytest.raises(TypeError, match="dtype"):
            lib.lib.jvp(f, (x,), (np.ones_like(x),))
    g = ad.custom_jvp(anp.sin)
    g.defjvp(lambda p, t: (g(p[0]), 0.5 * t[0] if p[0].ndim else 0.5))  # a Python float is weak
    assert ad.jvp(g, (np.float32(0.3),), (np.float32(1.0),))[1] == np.float32(0.5)


def test_an_integer_output_takes_a_float0_tangent_as_jax() -> None:
    """An integer or bool output's tangent is zeros of dtype float0, as JAX requires: the
    output stays a constant in every transform, and another dtype is refused (JAX raises)."""
    results = []
    for lib, float0 in ((AD, ad.float0), (JAX, jax.dtypes.float0)):
        f = lib.lib.custom_jvp(lambda x: (x * 2.0, np.arange(2)))
        zero = np.zeros(2, float0)
        f.defjvp(lambda p, t, z=zero: ((p[0] * 2.0, np.arange(2)), (t[0] * 3.0, z)))
        out, tangent = lib.lib.jvp(f, (X,), (np.ones_like(X),))
        assert tangent[1].dtype == float0 and tangent[1].shape == (2,)
        first = lambda x, f=f, m=lib.m: m.sum(f(x)[0])
        results.append((tangent[0], out[1], lib.lib.grad(first)(X), lib.lib.hessian(first)(X)))
        results.append(lib.lib.vmap(f)(np.stack([X, X])))
        bad = lib.lib.custom_jvp(lambda x: (x * 2.0, 3))
        bad.defjvp(lambda p, t: ((p[0] * 2.0, 3), (t[0] * 2.0, 0)))
        with pytest.raises(TypeError, match="float0"):
            lib.lib.jvp(bad, (X,), (np.ones_like(X),))
    assert_close(results[0], results[2])
    assert_close(results[1], results[3])


def test_a_tangent_of_another_precision_is_converted_to_the_outputs() -> None:
    """A float64 tangent for a float32 output is converted (JAX raises): admodes' zero tangent
    of a constant Python float is a float64 where JAX's is weakly typed, so rules that add it
    (a·b + c with a constant c) meet one; and a rule's cotangent comes in its output's dtype.
    JAX's sampler gradients in float32 that go through such rules, in both modes."""
    g = ad.custom_jvp(anp.sin)
    g.defjvp(lambda p, t: (g(p[0]), anp.cos(p[0]) * anp.astype(t[0], np.float64)))
    x = X.astype(np.float32)
    tangent = ad.jvp(g, (x,), (np.ones_like(x),))[1]
    assert tangent.dtype == np.float32
    assert_close(tangent, np.cos(x), rtol=1e-6)

    def gamma(lib: Any, a: Any) -> Any:
        return lib.m.sum(lib.lib.random.gamma(lib.lib.random.PRNGKey(0), a, (2,), np.float32))

    def wald(lib: Any, m: Any) -> Any:
        return lib.m.sum(lib.lib.random.wald(lib.lib.random.PRNGKey(0), m, None, np.float32))

    def uniform(lib: Any, lo: Any) -> Any:  # its rule meets a float64 cotangent in reverse mode
        return lib.lib.random.uniform(lib.lib.random.PRNGKey(0), (), np.float32, lo, np.float32(2))

    def truncated(lib: Any, lo: Any) -> Any:
        key = lib.lib.random.PRNGKey(0)
        return lib.lib.random.truncated_normal(key, lo, np.float32(2), (), np.float32)

    for f, arg in (
        (gamma, np.float32(0.5)),
        (wald, np.array([0.5, 2.0], np.float32)),
        (uniform, np.float32(-1.0)),
        (truncated, np.float32(-1.0)),
    ):
        expected = np.asarray(jax.grad(partial(f, JAX))(arg))
        for mode in MODES:
            got = ad.grad(partial(f, AD), mode=mode)(arg)
            assert got.dtype == np.float32
            assert_close(got, expected, rtol=1e-5)
