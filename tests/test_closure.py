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

K = np.array([[2.0, 0.5], [0.5, 3.0]])
V = np.array([0.3, -0.2])


def through_closure(m: Any, lib: Any, theta: Any, v: Any) -> Any:
    """Σ of f(v) for f closing over θ and over a value computed from θ before the call."""
    a = K * theta
    f = lambda u: m.tanh(a @ u) * theta + m.sin(theta) * u
    converted, consts = lib.closure_convert(f, np.ones(2))
    return m.sum(converted(v, *consts))


@pytest.mark.parametrize("mode", MODES)
def test_converted_function_differentiates_in_arguments_and_constants(mode: str) -> None:
    assert_close(
        ad.grad(lambda t, v: through_closure(anp, ad, t, v), (0, 1), mode=mode)(1.3, V),
        jax.grad(lambda t, v: through_closure(JNP, jax, t, v), (0, 1))(1.3, V),
    )
    assert_close(
        ad.hessian(lambda t: through_closure(anp, ad, t, V))(1.3),
        jax.hessian(lambda t: through_closure(JNP, jax, t, V))(1.3),
    )


def test_the_converted_function_is_the_function() -> None:
    def check(theta: Any) -> Any:
        f = lambda u: anp.tanh((K * theta) @ u) * theta
        converted, consts = ad.closure_convert(f, np.ones(2))
        assert len(consts) == 2  # K θ and θ, met by the operations on u
        return converted(V, *consts) - f(V)

    assert_close(ad.jacfwd(check)(1.3), np.zeros(2), atol=1e-15)


def test_no_transform_no_constants_and_errors() -> None:
    converted, consts = ad.closure_convert(lambda u: anp.sin(u) * 2.0, V)
    assert consts == []
    assert_close(converted(V * 3.0), np.sin(V * 3.0) * 2.0)
    with pytest.raises(ValueError, match="example's structure"):
        converted((V, V))
    with pytest.raises(TypeError, match="takes 1 arguments and 0 constants"):
        converted(V, V)
    with pytest.raises(TypeError, match="cannot replay checkpoint"):
        ad.closure_convert(ad.checkpoint(anp.sin), V)


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


def test_a_decision_on_a_traced_value_is_refused_while_recording() -> None:
    """A replay would keep the example's outcome: comparisons, truth values and operations
    without a derivative on traced values raise (JAX's ConcretizationTypeError)."""
    for fn in (
        lambda u: anp.where(u > 0, u, 0.0),
        lambda u: u * 2.0 if u[0] > 0 else u,
        lambda u: u[anp.argmax(u)],
    ):
        with pytest.raises(ad.ConcretizationError, match="closure_convert records a function"):
            ad.closure_convert(fn, V)
    assert ad.grad(lambda u: anp.sum(anp.where(u > 0, u, 0.0)))(V)[0] == 1.0  # elsewhere: fine
