"""Scalar code in reverse mode: Python floats, and tuples and lists of them, differentiated and
nested (GradBench's saddle and particle are written so).

Reverse mode records an arithmetic operator on such values at once and takes their gradient
without pytrees. These tests hold those paths to JAX, and to the tape that the dispatch records
for the same program (under ``count()``, which always takes the dispatch).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import pytest
from conftest import assert_close

import admodes as ad
from admodes.core import UnexpectedTracerError
from admodes.reverse import Tape

Program = Callable[[Any, Any], Any]

#: Two-argument programs of Python operators only: each runs unchanged on admodes' values and
#: on JAX's. Every operator appears with the traced value on the left and on the right, with
#: float and int constants, and with two traced operands.
PROGRAMS: dict[str, Program] = {
    "add": lambda x, y: x + y + 2.0 + 3 + (1.5 + x) + (2 + y),
    "subtract": lambda x, y: x - y - 2.0 - (1.5 - x) - (4 - y) - 3,
    "multiply": lambda x, y: x * y * 2.0 * (1.5 * x) * (3 * y) * 2,
    "divide": lambda x, y: x / y / 2.0 + 1.5 / x + 3 / y + x / 4,
    "power": lambda x, y: x**2 + y**3 + x**0.5 + 2.0**y + x**y + 2**x,
    "remainder": lambda x, y: (x % 0.7) + (3.1 % y) + (y % x) + (x % 2),
    "negative": lambda x, y: -x - (-(x * y)) + -(2.0 * -y),
    "mixed": lambda x, y: -(((x * y + 2.0) / (y - x * 0.5)) ** 2) + (1.0 - x) * (3.0 - y),
}


def nested(program: Program, grad: Callable[..., Any]) -> Callable[[float, float], Any]:
    """d/dx of x · ∂program/∂y at y: the inner gradient traced by the outer one, so the
    program meets values of both tapes in both orders."""

    def outer(x: Any, y: float) -> Any:
        return x * grad(lambda v: program(x, v))(y)

    return grad(outer)


@pytest.mark.parametrize("name", PROGRAMS)
def test_gradients_of_scalar_code_match_jax(name: str) -> None:
    program = PROGRAMS[name]
    x, y = 1.3, 0.8
    for argnum in (0, 1):
        ours = ad.grad(program, argnums=argnum)(x, y)
        assert type(ours) is float
        assert_close(ours, jax.grad(program, argnums=argnum)(x, y))
    assert_close(nested(program, ad.grad)(x, y), nested(program, jax.grad)(x, y))


@pytest.mark.parametrize("name", PROGRAMS)
def test_the_operators_record_what_the_dispatch_records(name: str) -> None:
    """One entry per op, with the same primitive, inputs, parents and output, as the dispatch
    (``count()`` on) records them."""

    def recorded(counting: bool) -> list[tuple]:
        tape = Tape()
        x, y = tape.inputs((1.3, 0.8))
        if counting:
            with ad.count():
                PROGRAMS[name](x, y)
        else:
            PROGRAMS[name](x, y)
        return [
            (prim.name, primals, out, tuple(parents), index)
            for prim, primals, _, out, parents, index in tape.entries
        ]

    direct = recorded(counting=False)
    assert direct == recorded(counting=True)
    assert len(direct) > 2


def test_a_node_of_an_inner_tape_records_the_op_on_both_tapes() -> None:
    """outer − inner and inner − outer: the inner tape records the op, and the outer tape the
    op on the primals beneath, whichever operand comes first."""
    outer, inner = Tape(), Tape()
    (a,) = outer.inputs((2.0,))
    (b,) = inner.inputs((0.5,))
    for result in (a - b, b - a):
        assert result._trace is inner
        assert result.primal._trace is outer
    assert [e[0].name for e in inner.entries] == ["subtract", "subtract"]
    assert [e[0].name for e in outer.entries] == ["subtract", "subtract"]
    assert (a - b).primal.primal == 1.5 and (b - a).primal.primal == -1.5


@pytest.mark.parametrize("container", [tuple, list])
def test_gradient_of_a_tuple_or_list_of_floats(container: type) -> None:
    def f(p: Any) -> Any:
        return (p[0] ** 2 + p[1] ** 2) - p[0] * p[2] + 3.0

    p = container([1.5, -0.5, 2.0])
    value, g = ad.value_and_grad(f)(p)
    expected_value, expected = jax.value_and_grad(f)(p)
    assert type(g) is container and all(type(v) is float for v in g)
    assert type(value) is float
    assert_close(value, expected_value)
    assert_close(np.array(g), np.array(expected))


def test_an_input_the_output_does_not_reach_gets_a_zero_float() -> None:
    assert ad.grad(lambda p: p[0] * 2.0)((1.0, 5.0)) == (2.0, 0.0)
    assert ad.grad(lambda x: 4.0)(1.0) == 0.0  # JAX: 0.0 for a constant function


def test_a_nested_gradient_that_does_not_depend_on_the_outer_value_is_a_float() -> None:
    """Typed like its input, a Python float beneath the outer tape: a float, as the same
    gradient outside any transform."""
    seen = []

    def outer(x: Any) -> Any:
        inner = ad.grad(lambda v: 3.0 * v)(x)
        seen.append(type(inner))
        return x * inner

    assert ad.grad(outer)(2.0) == 3.0
    assert seen == [float]


def test_scalar_code_is_refused_as_the_general_path_refuses_it() -> None:
    with pytest.raises(TypeError, match="scalar output"):
        ad.grad(lambda p: (p[0], p[1]))((1.0, 2.0))
    with pytest.raises(TypeError, match="floating-point"):
        ad.grad(lambda p: p[0] * p[1])((1.0, 2))  # an int leaf, as anywhere else


def test_an_escaped_scalar_value_is_refused_by_its_operators() -> None:
    leaked = []

    def f(x: Any) -> Any:
        leaked.append(x)
        return x * x

    ad.grad(f)(1.0)
    for use in (lambda v: v * 2.0, lambda v: 2.0 - v, lambda v: -v, lambda v: v + v):
        with pytest.raises(UnexpectedTracerError):
            use(leaked[0])


def test_checkpointed_scalar_code_matches_jax() -> None:
    """A checkpoint swaps the tape's values while it runs: the operators leave those ops to
    the dispatch."""

    def f(x: Any) -> Any:
        return ad.checkpoint(lambda v: (v * v + 1.0) / (2.0 - v))(x) * x

    def f_jax(x: Any) -> Any:
        return jax.checkpoint(lambda v: (v * v + 1.0) / (2.0 - v))(x) * x

    assert_close(ad.grad(f)(0.7), jax.grad(f_jax)(0.7))


def test_an_exponent_of_another_python_number_type_keeps_a_float_value() -> None:
    """A bool or NumPy float exponent of a Python float gives a Python float, as before the
    operators recorded scalar code themselves (the dispatch's evaluation)."""
    for exponent in (True, np.float64(3.0)):
        value, g = ad.value_and_grad(lambda x, e=exponent: x**e)(2.0)
        expected_value, expected = jax.value_and_grad(lambda x, e=exponent: x**e)(2.0)
        assert type(value) is float and type(g) is float
        assert_close(value, expected_value)
        assert_close(g, expected)
