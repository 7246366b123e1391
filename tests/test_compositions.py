"""Random compositions of registered ops (hypothesis): forward mode, reverse mode and JAX agree,
``jacfwd`` equals ``jacrev``, and smooth compositions match central finite differences.

A program applies a random sequence of ops to a stack that starts with two inputs x and y of
broadcast-compatible shapes; every op keeps its operands' (broadcast) shape, so any two stack
entries can be combined. Ops that need a domain get it from a transform of their operand
(``log(1 + a²)``, ``arcsin(0.9·tanh a)``, ...), so any real inputs are valid.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import jax
import numpy as np
import pytest
from conftest import FD_EPS, JNP, MODES, RTOL, RTOL_LONG, assert_close, assert_fd_close, both, vdot
from hypothesis import given, settings
from hypothesis import strategies as st

import admodes as ad
import admodes.numpy as anp

# Long (a sweep against JAX or whole programs): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow


def last_axis(fn: Any) -> Any:
    """An op along the last axis; the identity on scalars."""
    return lambda m, a: fn(m, a) if m.ndim(a) else a


SQUARE = {n: np.random.default_rng(n).standard_normal((n, n)) / n for n in (1, 3, 4)}

SMOOTH_UNARY = {
    "sin": lambda m, a: m.sin(a),
    "cos": lambda m, a: m.cos(a),
    "tanh": lambda m, a: m.tanh(a),
    "arctan": lambda m, a: m.arctan(a),
    "negative": lambda m, a: -a,
    "square": lambda m, a: m.square(a),
    "cube": lambda m, a: a**3,
    "exp(-a²)": lambda m, a: m.exp(-a * a),
    "log(1+a²)": lambda m, a: m.log(1.0 + a * a),
    "sqrt(1+a²)": lambda m, a: m.sqrt(1.0 + a * a),
    "log1p(a²)": lambda m, a: m.log1p(a * a),
    "expm1(tanh)": lambda m, a: m.expm1(m.tanh(a)),
    "arcsin(.9tanh)": lambda m, a: m.arcsin(0.9 * m.tanh(a)),
    "arccos(.9tanh)": lambda m, a: m.arccos(0.9 * m.tanh(a)),
    "tan(tanh)": lambda m, a: m.tan(m.tanh(a)),
    "sinh(tanh)": lambda m, a: m.sinh(m.tanh(a)),
    "cosh(tanh)": lambda m, a: m.cosh(m.tanh(a)),
    "a/(1+a²)": lambda m, a: a / (1.0 + a * a),
    "(1+a²)^1.5": lambda m, a: (1.0 + a * a) ** 1.5,
    "2^tanh": lambda m, a: 2.0 ** m.tanh(a),
    "sqrt(1+var)": lambda m, a: a / m.sqrt(1.0 + m.var(a)),
    "flip": lambda m, a: m.flip(a),
    "reverse-last": last_axis(lambda m, a: a[..., ::-1]),
    "cumsum-last": last_axis(lambda m, a: m.cumsum(a, axis=-1)),
    "log-softmax-last": last_axis(lambda m, a: a - m.logsumexp(a, axis=-1, keepdims=True)),
    "centered-last": last_axis(lambda m, a: a - m.mean(a, axis=-1, keepdims=True)),
    "prod-first": last_axis(lambda m, a: a * m.prod(m.tanh(a), axis=0, keepdims=True)),
    "matmul-square": lambda m, a: a @ SQUARE[m.shape(a)[-1]] if m.ndim(a) in (1, 2) else a,
}
#: Kinks, and stop_gradient: finite differences disagree with AD here by design.
OTHER_UNARY = {
    "stop_gradient": lambda m, a: a * m.stop_gradient(a),
    "abs": lambda m, a: m.abs(a),
    "relu": lambda m, a: m.maximum(a, 0.0),
    "where": lambda m, a: m.where(a > 0.2, a, m.sin(a)),
    "clip": lambda m, a: m.clip(a, -0.5, 0.5),
    "max-first": last_axis(lambda m, a: a * m.max(a, axis=0, keepdims=True)),
}
SMOOTH_BINARY = {
    "add": lambda m, a, b: a + b,
    "subtract": lambda m, a, b: a - b,
    "multiply": lambda m, a, b: a * b,
    "a/(1+b²)": lambda m, a, b: a / (1.0 + b * b),
    "arctan2(a,1+b²)": lambda m, a, b: m.arctan2(a, 1.0 + b * b),
    "(1+a²)^tanh(b)": lambda m, a, b: (1.0 + a * a) ** m.tanh(b),
    "logaddexp": lambda m, a, b: m.logaddexp(a, b),
    "sqrt(1+a²+b²)": lambda m, a, b: m.sqrt(1.0 + a * a + b * b),
}
OTHER_BINARY = {
    "maximum": lambda m, a, b: m.maximum(a, b),
    "minimum": lambda m, a, b: m.minimum(a, b),
    "where(a>b)": lambda m, a, b: m.where(a > b, a * b, a - b),
}
UNARY = SMOOTH_UNARY | OTHER_UNARY
BINARY = SMOOTH_BINARY | OTHER_BINARY

#: A derivative that is zero in exact arithmetic comes out as rounding noise, differently in each
#: implementation: compositions are compared with this absolute floor on top of the relative error.
ATOL = 1e-12

SHAPE_PAIRS = [((), ()), ((3,), (3,)), ((3, 1), (4,)), ((), (3, 4)), ((3, 4), (4,)), ((1, 3), ())]


@dataclass(frozen=True)
class Program:
    """Ops applied in turn to a stack that starts as [x, y]; each pushes its result."""

    shapes: tuple[tuple[int, ...], tuple[int, ...]]
    steps: tuple[tuple[str, tuple[int, ...]], ...]
    seed: int

    def inputs(self) -> tuple[Any, Any]:
        rng = np.random.default_rng(self.seed)
        return tuple(float(v) if s == () else v for s in self.shapes for v in [rng.normal(size=s)])

    def __call__(self, m: Any, x: Any, y: Any) -> Any:
        """The top of the stack (broadcast shape of x and y, or one of them)."""
        stack = [x, y]
        for name, operands in self.steps:
            op = UNARY[name] if len(operands) == 1 else BINARY[name]
            stack.append(op(m, *(stack[i] for i in operands)))
        return stack[-1]

    def scalar(self, m: Any, x: Any, y: Any) -> Any:
        return m.sum(self(m, x, y))


@st.composite
def programs(draw: Any, smooth: bool = False) -> Program:
    unary = sorted(SMOOTH_UNARY if smooth else UNARY)
    binary = sorted(SMOOTH_BINARY if smooth else BINARY)
    steps = []
    for k in range(draw(st.integers(1, 6))):
        stack = st.integers(0, k + 1)
        if draw(st.booleans()):
            steps.append((draw(st.sampled_from(binary)), (draw(stack), draw(stack))))
        else:
            steps.append((draw(st.sampled_from(unary)), (draw(stack),)))
    return Program(draw(st.sampled_from(SHAPE_PAIRS)), tuple(steps), draw(st.integers(0, 2**32)))


@settings(max_examples=60, deadline=None)
@given(programs())
def test_forward_reverse_and_jax_agree(program: Program) -> None:
    x, y = program.inputs()
    f_ad, f_jax = both(program.scalar)
    expected = jax.value_and_grad(f_jax, argnums=(0, 1))(x, y)
    for mode in MODES:
        got = ad.value_and_grad(f_ad, argnums=(0, 1), mode=mode)(x, y)
        assert_close(got, expected, rtol=RTOL_LONG, atol=ATOL)


@settings(max_examples=60, deadline=None)
@given(programs(), st.sampled_from([None, 1, 2, 5]))
def test_jacfwd_equals_jacrev(program: Program, chunk_size: int | None) -> None:
    x, y = program.inputs()
    f_ad = lambda x, y: program(anp, x, y)
    by_rows = ad.jacrev(f_ad, argnums=(0, 1))(x, y)
    by_columns = ad.jacfwd(f_ad, argnums=(0, 1), chunk_size=chunk_size)(x, y)
    assert_close(by_columns, by_rows, rtol=RTOL, atol=ATOL)


@settings(max_examples=30, deadline=None)
@given(programs(smooth=True), st.sampled_from(MODES))
def test_smooth_compositions_match_central_differences(program: Program, mode: str) -> None:
    """⟨∇f, v⟩ against (f(x + εv) − f(x − εv)) / 2ε, for both arguments at once."""
    x, y = program.inputs()
    rng = np.random.default_rng(program.seed + 1)
    v = tuple(rng.normal(size=np.shape(a)) for a in (x, y))
    f = lambda t: program.scalar(anp, x + t * v[0], y + t * v[1])
    grads = ad.grad(lambda x, y: program.scalar(anp, x, y), argnums=(0, 1), mode=mode)(x, y)
    assert_fd_close(vdot(grads, v), (f(FD_EPS) - f(-FD_EPS)) / (2 * FD_EPS))


@pytest.mark.parametrize("name", [*UNARY, *BINARY])
def test_each_op_has_the_same_values_in_both_libraries(name: str) -> None:
    """Every op of the lists, whether or not hypothesis draws it, on broadcasting shapes."""
    operands = ((0,), (1,)) if name in UNARY else ((0, 1), (1, 0))
    program = Program(((3, 1), (4,)), tuple((name, o) for o in operands), 0)
    x, y = program.inputs()
    assert_close(program(anp, x, y), program(JNP, x, y))
