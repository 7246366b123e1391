"""closure_convert against jax.closure_convert: the converted function's values and its
derivatives in the arguments and in the hoisted constants, and its errors."""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp
import admodes.scipy.stats as ad_stats

K = np.array([[2.0, 0.5], [0.5, 3.0]])
V = np.array([0.3, -0.2])


#: Functions of u closing over θ: over a value computed from θ before the call too; with a mask
#: on u that the example (ones) and V take apart.
CLOSURES = {
    "computed": lambda m, a, theta: lambda u: m.tanh(a @ u) * theta + m.sin(theta) * u,
    "masked": lambda m, a, theta: lambda u: m.where(u > 0, u * theta, m.sin(u) * theta),
}


def through_closure(m: Any, lib: Any, theta: Any, v: Any, body: str) -> Any:
    """Σ of f(v) for the function ``body`` of CLOSURES, converted at the example u = ones."""
    converted, consts = lib.closure_convert(CLOSURES[body](m, K * theta, theta), np.ones(2))
    return m.sum(converted(v, *consts))


@pytest.mark.parametrize("body", CLOSURES)
@pytest.mark.parametrize("mode", MODES)
def test_converted_function_differentiates_in_arguments_and_constants(mode: str, body: str) -> None:
    assert_close(
        ad.grad(lambda t, v: through_closure(anp, ad, t, v, body), (0, 1), mode=mode)(1.3, V),
        jax.grad(lambda t, v: through_closure(JNP, jax, t, v, body), (0, 1))(1.3, V),
    )
    assert_close(
        ad.hessian(lambda t: through_closure(anp, ad, t, V, body))(1.3),
        jax.hessian(lambda t: through_closure(JNP, jax, t, V, body))(1.3),
    )


def test_the_converted_function_is_the_function() -> None:
    def check(m: Any, lib: Any, theta: Any) -> tuple[Any, int]:
        f = lambda u: m.tanh((K * theta) @ u) * theta
        converted, consts = lib.closure_convert(f, m.ones(2))
        return converted(V, *consts) - f(V), len(consts)

    found = []
    assert_close(ad.jacfwd(lambda t: check(anp, ad, t)[0])(1.3), np.zeros(2), atol=1e-15)
    ad.grad(lambda t: found.append(check(anp, ad, t)[1]) or t)(1.3)
    jax.grad(lambda t: found.append(check(JNP, jax, t)[1]) or t)(1.3)
    assert found[0] == found[1] == 1  # θ, as JAX: K θ is computed from it in the function


def test_no_transform_no_constants_and_errors() -> None:
    converted, consts = ad.closure_convert(lambda u: anp.sin(u) * 2.0, V)
    assert consts == []
    assert_close(converted(V * 3.0), np.sin(V * 3.0) * 2.0)
    with pytest.raises(ValueError, match="example's structure"):
        converted((V, V))
    with pytest.raises(TypeError, match="takes 1 arguments and 0 constants"):
        converted(V, V)


def with_steps(lib: Any, m: Any, reverse_only: bool) -> Any:
    """A function of θ whose closure, converted, calls a checkpointed function closing over θ and
    a custom_jvp function (steps of several outputs on the recording tape), and, ``reverse_only``,
    a custom_vjp function given θ as an argument."""
    square = lib.custom_jvp(lambda x: x * x)
    square.defjvps(lambda t, ans, x: 2.0 * x * t)
    scaled = lib.custom_vjp(lambda x, y: x * m.sin(y))
    scaled.defvjp(
        lambda x, y: (x * m.sin(y), (x, y)),
        lambda r, g: (g * m.sin(r[1]), m.sum(g * r[0]) * m.cos(r[1])),
    )

    def of_theta(theta: Any) -> Any:
        wave = lib.checkpoint(lambda u: m.sin(theta * u) * theta)
        f = lambda u: m.sum(wave(u) + square(u) * theta + (scaled(u, theta) if reverse_only else 0))
        converted, consts = lib.closure_convert(f, m.ones(2))
        return converted(V, *consts)

    return of_theta


@pytest.mark.parametrize("reverse_only", [False, True])
def test_checkpointed_and_custom_functions_inside_are_converted(reverse_only: bool) -> None:
    ours, theirs = with_steps(ad, anp, reverse_only), with_steps(jax, JNP, reverse_only)
    assert_close(ours(1.3), theirs(1.3))
    assert_close(ad.grad(ours)(1.3), jax.grad(theirs)(1.3))
    assert_close(ad.jacrev(ad.grad(ours))(1.3), jax.jacrev(jax.grad(theirs))(1.3))
    if not reverse_only:
        assert_close(ad.grad(ours, mode="forward")(1.3), jax.grad(theirs)(1.3))
        assert_close(ad.hessian(ours)(1.3), jax.hessian(theirs)(1.3))


def implicit_fixed_point(lib: Any, m: Any) -> Any:
    """JAX's documented pattern: a fixed point x = f(x) whose derivative is implicit, with f's
    closed-over parameters made arguments by closure_convert for the custom_vjp."""

    def fixed_point(f: Any, x0: Any) -> Any:
        converted, consts = lib.closure_convert(f, x0)
        return solve(converted, x0, *consts)

    @partial(lib.custom_vjp, nondiff_argnums=(0,))
    def solve(f: Any, x0: Any, *consts: Any) -> Any:
        x = x0
        for _ in range(60):
            x = f(x, *consts)
        return x

    def fwd(f: Any, x0: Any, *consts: Any) -> tuple:
        x = solve(f, x0, *consts)
        return x, (x, consts)

    def bwd(f: Any, res: tuple, g: Any) -> tuple:
        x, consts = res
        pull_x = lib.vjp(lambda u: f(u, *consts), x)[1]
        w = g
        for _ in range(60):  # w = g + (∂f/∂x)ᵀ w
            w = g + pull_x(w)[0]
        return (None, *lib.vjp(lambda *c: f(x, *c), *consts)[1](w))

    solve.defvjp(fwd, bwd)
    return lambda t: m.sum(fixed_point(lambda x: 0.5 * m.cos(x) * t, m.zeros(2) + 0.1))


def test_implicit_fixed_point_as_jax_documents_it() -> None:
    assert_close(
        ad.grad(implicit_fixed_point(ad, anp))(0.8), jax.grad(implicit_fixed_point(jax, JNP))(0.8)
    )


def test_decisions_are_made_afresh_on_new_values() -> None:
    """The converted function runs the function again, so what its values decide (a mask, the
    position of a maximum, a distribution's support, a Python branch) follows the new values,
    not the example's."""
    w = np.array([-1.0, 2.0])  # V's signs, swapped
    for case in (
        lambda m, stats: lambda u: m.where(u > 0, u, 0.0),
        lambda m, stats: lambda u: u[m.argmax(u)],
        lambda m, stats: lambda u: stats.expon.logpdf(u),
    ):
        ours, _ = ad.closure_convert(case(anp, ad_stats), V)
        theirs, _ = jax.closure_convert(case(JNP, jax.scipy.stats), JNP.asarray(V))
        assert_close(ours(w), theirs(JNP.asarray(w)))
    converted, _ = ad.closure_convert(lambda u: u * 2.0 if u[0] > 0 else -u, V)
    assert_close(converted(w), -w)  # JAX refuses the branch; by hand, w₀ < 0 gives −w
