"""The transforms (jvp, vjp, grad, value_and_grad, jacfwd, jacrev, hessian, hvp) against JAX:
argnums, has_aux, pytrees, dtypes, result shapes, Python control flow, NumPy dispatch."""

from __future__ import annotations

import subprocess
import sys
from collections import OrderedDict
from functools import partial
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, RTOL_F32, assert_close, both

import admodes as ad
import admodes.numpy as anp
from admodes.core import Traced


# ---------------------------------------------------------------------------- test functions
def scalar_fn(m: Any, x: Any) -> Any:
    """ℝⁿ → ℝ."""
    return m.sum(m.tanh(x) * x**2) + m.prod(m.cos(x)) + m.logsumexp(x)


def vector_fn(m: Any, x: Any) -> Any:
    """ℝⁿ → ℝ^(2×n)."""
    return m.stack([m.sin(x) * m.sum(x**2), m.exp(-x) * x[::-1]])


def matrix_fn(m: Any, a: Any) -> Any:
    """ℝ^(2×3) → ℝ⁵."""
    return m.concatenate([m.tanh(a @ m.ones(3)), m.sum(a**2, axis=0) + a[0, 0]])


def two_args(m: Any, x: Any, y: Any) -> Any:
    """(ℝⁿ, ℝⁿ) → ℝ."""
    return m.sum(m.sin(x) * y**2) / (1.0 + m.sum(y**2))


def three_args(m: Any, x: Any, s: Any, y: Any) -> Any:
    """(ℝⁿ, ℝ, ℝ^(2×n)) → ℝ."""
    return m.sum(m.exp(s * x) * m.sum(y, axis=0)) + s**3


def tree_fn(m: Any, params: Any) -> Any:
    """A nested dict/list/tuple of arrays and a float → ℝ."""
    w, b = params["layer"]
    h = m.tanh(params["x"] @ w + b)
    return m.sum(h**2) * params["scale"] + m.sum(params["extra"][0] * params["extra"][1])


def with_aux(fn: Any) -> Any:
    """``fn`` returning ``(out, aux)``: aux holds a value derived from the output, and the first
    argument (traced during the transform, plain in the aux it returns)."""

    def aux_fn(m: Any, *args: Any) -> Any:
        out = fn(m, *args)
        return out, {"double": 2.0 * out, "first": args[0]}

    return aux_fn


def make_tree(rng: np.random.Generator) -> dict:
    return {
        "layer": (rng.standard_normal((3, 2)), rng.standard_normal(2)),
        "x": rng.standard_normal((4, 3)),
        "scale": 0.7,
        "extra": [rng.standard_normal(3), rng.standard_normal(3)],
    }


def assert_plain(tree: Any) -> None:
    """No traced value escapes a transform."""
    for leaf in jax.tree_util.tree_leaves(tree):
        assert not isinstance(leaf, Traced), type(leaf)


# ---------------------------------------------------------------------------- jvp, vjp
def test_jvp_matches_jax(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(two_args)
    primals = (rng.standard_normal(4), rng.standard_normal(4))
    tangents = (rng.standard_normal(4), rng.standard_normal(4))
    assert_close(ad.jvp(f_ad, primals, tangents), jax.jvp(f_jax, primals, tangents))


def test_jvp_pytree_and_has_aux(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(with_aux(tree_fn))
    primals, tangents = (make_tree(rng),), (make_tree(rng),)
    out, t_out, aux = ad.jvp(f_ad, primals, tangents, has_aux=True)
    assert_plain(aux)
    assert_close((out, t_out, aux), jax.jvp(f_jax, primals, tangents, has_aux=True))


def test_vjp_matches_jax_and_can_be_called_twice(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(vector_fn)
    x = rng.standard_normal(5)
    out, vjp_fn = ad.vjp(f_ad, x)
    j_out, j_vjp = jax.vjp(f_jax, x)
    assert_close(out, j_out)
    for _ in range(2):
        v = rng.standard_normal((2, 5))
        assert_close(vjp_fn(v), j_vjp(v))


def test_vjp_pytree_and_has_aux(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(with_aux(tree_fn))
    tree = make_tree(rng)
    out, vjp_fn, aux = ad.vjp(f_ad, tree, has_aux=True)
    j_out, j_vjp, j_aux = jax.vjp(f_jax, tree, has_aux=True)
    assert_plain(aux)
    assert_close((out, aux), (j_out, j_aux))
    assert_close(vjp_fn(1.5), j_vjp(1.5))


# ---------------------------------------------------------------------------- grad
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("argnums", [0, 1, 2, -1, (0,), (0, 2), (2, 0, 1)])
def test_grad_argnums(mode: str, argnums: Any, rng: np.random.Generator) -> None:
    """An int gives one gradient, a tuple a tuple (in the order asked for)."""
    f_ad, f_jax = both(three_args)
    args = (rng.standard_normal(3), 0.3, rng.standard_normal((2, 3)))
    g = ad.grad(f_ad, argnums=argnums, mode=mode)(*args)
    assert isinstance(g, tuple) == isinstance(argnums, tuple)
    assert_close(g, jax.grad(f_jax, argnums=argnums)(*args))


@pytest.mark.parametrize("mode", MODES)
def test_value_and_grad(mode: str, rng: np.random.Generator) -> None:
    f_ad, f_jax = both(scalar_fn)
    x = rng.standard_normal(6)
    assert_close(ad.value_and_grad(f_ad, mode=mode)(x), jax.value_and_grad(f_jax)(x))


@pytest.mark.parametrize("mode", MODES)
def test_grad_has_aux(mode: str, rng: np.random.Generator) -> None:
    f_ad, f_jax = both(with_aux(scalar_fn))
    x = rng.standard_normal(4)
    g, aux = ad.grad(f_ad, has_aux=True, mode=mode)(x)
    assert_plain(aux)
    assert_close((g, aux), jax.grad(f_jax, has_aux=True)(x))
    (value, aux), g = ad.value_and_grad(f_ad, has_aux=True, mode=mode)(x)
    assert_plain(aux)
    assert_close(((value, aux), g), jax.value_and_grad(f_jax, has_aux=True)(x))


CONTAINERS = {  # (the argument built from a tree, the tree's entries it stands for)
    "tuple": (lambda t: (t["x"], t["scale"]), lambda p: {"x": p[0], "scale": p[1]}),
    "list": (lambda t: [t["x"], t["scale"]], lambda p: {"x": p[0], "scale": p[1]}),
    "dict": (lambda t: {"x": t["x"], "scale": t["scale"]}, lambda p: p),
    "nested": (lambda t: t, lambda p: p),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("container", CONTAINERS)
def test_grad_of_pytree_has_its_structure(
    mode: str, container: str, rng: np.random.Generator
) -> None:
    """Structure, shapes and dtypes of the argument (a float leaf gives a scalar)."""
    build, entries = CONTAINERS[container]
    tree = make_tree(rng)
    f_ad, f_jax = both(lambda m, p: tree_fn(m, tree | entries(p)))
    g = ad.grad(f_ad, mode=mode)(build(tree))
    assert jax.tree_util.tree_structure(g) == jax.tree_util.tree_structure(build(tree))
    assert_close(g, jax.grad(f_jax)(build(tree)))


@pytest.mark.parametrize("mode", MODES)
def test_float_argument_gives_a_scalar(mode: str) -> None:
    g = ad.grad(lambda x: anp.sin(x) * x, mode=mode)(0.5)
    assert isinstance(g, float) and np.ndim(g) == 0
    assert_close(g, jax.grad(lambda x: JNP.sin(x) * x)(0.5))


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_float32_gives_float32(mode: str, rng: np.random.Generator) -> None:
    f_ad, f_jax = both(scalar_fn)
    x = rng.standard_normal(5).astype(np.float32)
    g = ad.grad(f_ad, mode=mode)(x)
    assert g.dtype == np.float32
    assert_close(g, jax.grad(f_jax)(x), rtol=RTOL_F32)


def test_float32_jacobians_and_jvp(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(vector_fn)
    x = rng.standard_normal(3).astype(np.float32)
    t = rng.standard_normal(3).astype(np.float32)
    expected = jax.jacfwd(f_jax)(x)
    assert_close(ad.jacfwd(f_ad)(x), expected, rtol=RTOL_F32)
    assert_close(ad.jacrev(f_ad)(x), expected, rtol=RTOL_F32)
    assert_close(ad.jvp(f_ad, (x,), (t,)), jax.jvp(f_jax, (x,), (t,)), rtol=RTOL_F32)


CUBIC, LINEAR = (lambda m, x: m.sum(x**3)), (lambda m, x: m.sum(x))
SECOND_DERIVATIVES = {  # (function, admodes, JAX)
    "hvp-cubic": (
        CUBIC,
        lambda f, x: ad.hvp(f, (x,), (x,)),
        lambda f, x: jax.jvp(jax.grad(f), (x,), (x,))[1],
    ),
    "hessian-cubic": (CUBIC, lambda f, x: ad.hessian(f)(x), lambda f, x: jax.hessian(f)(x)),
    "hessian-linear": (LINEAR, lambda f, x: ad.hessian(f)(x), lambda f, x: jax.hessian(f)(x)),
}


@pytest.mark.parametrize("case", SECOND_DERIVATIVES.values(), ids=SECOND_DERIVATIVES.keys())
def test_float32_second_derivatives_stay_float32(case: Any, rng: np.random.Generator) -> None:
    fn, second_ad, second_jax = case
    x = rng.standard_normal(3).astype(np.float32)
    f_ad, f_jax = both(fn)
    assert_close(second_ad(f_ad, x), second_jax(f_jax, x), rtol=RTOL_F32)


# ---------------------------------------------------------------------------- Jacobians
@pytest.mark.parametrize("chunk_size", [None, 1, 3, 100])
def test_jacfwd_chunk_sizes(chunk_size: int | None, rng: np.random.Generator) -> None:
    f_ad, f_jax = both(vector_fn)
    x = rng.standard_normal(5)
    assert_close(ad.jacfwd(f_ad, chunk_size=chunk_size)(x), jax.jacfwd(f_jax)(x))


@pytest.mark.parametrize("chunk_size", [None, 1, 3, 100])
def test_jacfwd_chunks_across_arguments(chunk_size: int | None, rng: np.random.Generator) -> None:
    """A chunk of directions may span several arguments and pytree leaves."""
    f_ad, f_jax = both(three_args)
    args = (rng.standard_normal(3), 0.3, rng.standard_normal((2, 3)))
    jac = ad.jacfwd(f_ad, argnums=(0, 1, 2), chunk_size=chunk_size)(*args)
    assert_close(jac, jax.jacfwd(f_jax, argnums=(0, 1, 2))(*args))


@pytest.mark.slow
@pytest.mark.parametrize("jacobian", [ad.jacfwd, ad.jacrev], ids=["jacfwd", "jacrev"])
@pytest.mark.parametrize(
    "fn, shape",
    [(vector_fn, (4,)), (matrix_fn, (2, 3)), (scalar_fn, (3,))],
    ids=["vec", "mat", "scalar"],
)
def test_jacobian_shape_is_out_shape_plus_in_shape(
    jacobian: Any, fn: Any, shape: tuple[int, ...], rng: np.random.Generator
) -> None:
    f_ad, f_jax = both(fn)
    x = rng.standard_normal(shape)
    jac = jacobian(f_ad)(x)
    assert jac.shape == np.shape(f_jax(x)) + shape
    assert_close(jac, jax.jacfwd(f_jax)(x))


@pytest.mark.parametrize("jacobian", [ad.jacfwd, ad.jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_pytree_argnums_and_has_aux(jacobian: Any, rng: np.random.Generator) -> None:
    f_ad, f_jax = both(with_aux(lambda m, x, tree: vector_fn(m, x) * tree_fn(m, tree)))
    args = (rng.standard_normal(3), make_tree(rng))
    jac, aux = jacobian(f_ad, argnums=(0, 1), has_aux=True)(*args)
    assert_plain(aux)
    assert_close((jac, aux), jax.jit(jax.jacfwd(f_jax, argnums=(0, 1), has_aux=True))(*args))


def test_hessian_shape_and_values(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(lambda m, a: m.sum(m.sin(a @ a.T)) + m.prod(a))
    a = rng.standard_normal((2, 2))
    h = ad.hessian(f_ad)(a)
    assert h.shape == (2, 2, 2, 2)
    assert_close(h, jax.jit(jax.hessian(f_jax))(a))


def test_hessian_with_tuple_argnums(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(two_args)
    args = (rng.standard_normal(3), rng.standard_normal(3))
    assert_close(
        ad.hessian(f_ad, argnums=(0, 1))(*args), jax.jit(jax.hessian(f_jax, argnums=(0, 1)))(*args)
    )


def test_hvp(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(scalar_fn)
    x, v = rng.standard_normal(5), rng.standard_normal(5)
    assert_close(
        ad.hvp(f_ad, (x,), (v,)), jax.jit(partial(jax.jvp, jax.grad(f_jax)))((x,), (v,))[1]
    )


def test_hvp_several_primals(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(two_args)
    xs = (rng.standard_normal(3), rng.standard_normal(3))
    vs = (rng.standard_normal(3), rng.standard_normal(3))
    expected = jax.jvp(jax.grad(f_jax, argnums=(0, 1)), xs, vs)[1]
    assert_close(ad.hvp(f_ad, xs, vs), expected)


# ------------------------------------------------------------------ as JAX code calls them
KEYWORD_TRANSFORMS = {  # (admodes, JAX): keyword arguments pass through, undifferentiated
    "grad": (ad.grad, jax.grad),
    "grad-forward": (partial(ad.grad, mode="forward"), jax.grad),
    "value_and_grad": (ad.value_and_grad, jax.value_and_grad),
    "jacfwd": (ad.jacfwd, jax.jacfwd),
    "jacrev": (ad.jacrev, jax.jacrev),
    "hessian": (ad.hessian, jax.hessian),
}


@pytest.mark.parametrize("pair", KEYWORD_TRANSFORMS.values(), ids=KEYWORD_TRANSFORMS)
def test_keyword_arguments_pass_through(pair: Any, rng: np.random.Generator) -> None:
    transform_ad, transform_jax = pair
    f_ad, f_jax = both(lambda m, x, scale=1.0, power=2: m.sum(m.sin(x) ** power) * scale)
    x = rng.standard_normal(4)
    assert_close(
        transform_ad(f_ad)(x, scale=2.5, power=3), transform_jax(f_jax)(x, scale=2.5, power=3)
    )


def test_hessian_has_aux_and_holomorphic(rng: np.random.Generator) -> None:
    f_ad, f_jax = both(lambda m, x: (m.sum(x**3) * x[0], {"first": x[0] * 2.0}))
    x = rng.standard_normal(3)
    assert_close(ad.hessian(f_ad, has_aux=True)(x), jax.hessian(f_jax, has_aux=True)(x))
    z = complex(*rng.standard_normal(2))
    assert_close(
        ad.hessian(lambda z: z**3 / (1.0 + z), holomorphic=True)(z),
        jax.hessian(lambda z: z**3 / (1.0 + z), holomorphic=True)(z),
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "build",
    [lambda a, b: (a, b), lambda a, b: [a, b], lambda a, b: {"a": a, "b": b}],
    ids=["tuple", "list", "dict"],
)
def test_stop_gradient_of_a_pytree(mode: str, build: Any, rng: np.random.Generator) -> None:
    """Every leaf is a constant, as with jax.lax.stop_gradient."""

    def fn(m: Any, a: Any, b: Any) -> Any:
        frozen = jax.tree_util.tree_leaves(m.stop_gradient(build(a, b)))
        return m.sum(frozen[0] * a + frozen[1] * b**2 + a * b)

    f_ad, f_jax = both(fn)
    args = (rng.standard_normal(3), rng.standard_normal(3))
    expected = jax.grad(f_jax, argnums=(0, 1))(*args)
    assert_close(ad.grad(f_ad, argnums=(0, 1), mode=mode)(*args), expected)


OPERATORS = {
    "floordiv": lambda x: x // 0.7 + x,
    "rfloordiv": lambda x: 5.0 // x * x,
    "divmod": lambda x: divmod(x, 0.7)[1] * x + divmod(x, 0.7)[0],
    "rdivmod": lambda x: divmod(3.0, x)[1] * x,
    "round": lambda x: round(x) * x,
    "round-digits": lambda x: round(x, 1) * x,
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", OPERATORS.values(), ids=OPERATORS)
def test_python_operators_on_traced_values(mode: str, fn: Any) -> None:
    x = 2.56
    assert_close(ad.grad(fn, mode=mode)(x), float(jax.grad(fn)(x)))


@pytest.mark.parametrize("mode", MODES)
def test_ordered_dict_keeps_its_order_and_type(mode: str) -> None:
    params = OrderedDict([("w", 2.0), ("b", 3.0)])
    g = ad.grad(lambda p: p["w"] ** 2 * p["b"], mode=mode)(params)
    assert type(g) is OrderedDict and list(g) == ["w", "b"]
    assert_close(dict(g), dict(jax.grad(lambda p: p["w"] ** 2 * p["b"])(params)))


@pytest.mark.parametrize("jacobian", [ad.jacrev, partial(ad.jacrev, chunk_size=1), ad.hessian])
def test_float32_inputs_give_float32_rows_beside_float64_constants(
    jacobian: Any, rng: np.random.Generator
) -> None:
    """A cotangent takes its input's dtype (JAX): float32 rows though the output is float64."""
    c = rng.standard_normal(3)
    x = rng.standard_normal(3).astype(np.float32)
    f_ad, f_jax = both(lambda m, v: m.sin(v) * c if jacobian is not ad.hessian else m.sum(v**3 * c))
    jax_jacobian = jax.hessian if jacobian is ad.hessian else jax.jacrev
    assert_close(jacobian(f_ad)(x), jax_jacobian(f_jax)(x), rtol=RTOL_F32)


FLOAT32_TANGENTS = {  # partials that NumPy computes in float64, or a float64 operand
    "maximum": lambda m, x: m.maximum(x, 0.0),
    "clip": lambda m, x: m.clip(x, 0.0, 1.0),
    "power-of-two": lambda m, x: 2.0**x,
    "sqrt-abs": lambda m, x: m.sqrt(m.abs(x)),
    "plus-float64": lambda m, x: x + np.ones(3),
}


@pytest.mark.parametrize("fn", FLOAT32_TANGENTS.values(), ids=FLOAT32_TANGENTS)
def test_tangents_have_their_primal_dtype(fn: Any) -> None:
    """As in JAX, a tangent has its primal's dtype, so jvp outputs compose into another jvp."""
    f_ad, f_jax = both(fn)
    x = np.array([0.5, -1.0, 2.0], np.float32)
    t = np.ones(3, np.float32)
    out, tangent = ad.jvp(f_ad, (x,), (t,))
    assert_close((out, tangent), jax.jvp(f_jax, (x,), (t,)), rtol=RTOL_F32)
    ad.jvp(anp.sin, (out,), (tangent,))  # tangents that match their primals are accepted
    assert_close(ad.jacfwd(f_ad)(x), jax.jacfwd(f_jax)(x), rtol=RTOL_F32)


@pytest.mark.parametrize("jacobian", [ad.jacfwd, ad.jacrev], ids=["jacfwd", "jacrev"])
def test_jacobian_of_an_empty_output(jacobian: Any, rng: np.random.Generator) -> None:
    f_ad, f_jax = both(lambda m, v: (v[:0] * 2.0, m.sum(v**2)))
    x = rng.standard_normal(3)
    assert_close(jacobian(f_ad)(x), jax.jacrev(f_jax)(x))


# ---------------------------------------------------------------------------- Python control flow
def branchy(x: Any) -> Any:
    """x³ if x > 0 else −x; then multiply by x until the value reaches 10 (a while loop); the
    result is relu'd with the builtin max."""
    y = x**3 if x > 0 else -x
    while y < 10.0:
        y = y * x
    return max(0.0, y - 20.0) + y


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "x, expected",
    [
        (2.0, 4 * 2.0**3),  # y = x³ → x⁴ = 16 ≥ 10; 16 − 20 < 0: d(x⁴)/dx = 4x³
        (3.0, 2 * 3 * 3.0**2),  # y = x³ = 27; 27 − 20 > 0: d(2x³)/dx = 6x²
        (-11.0, -1.0),  # y = −x = 11: max(0, −9) = 0, d(−x)/dx = −1
    ],
)
def test_python_control_flow(mode: str, x: float, expected: float) -> None:
    assert ad.grad(branchy, mode=mode)(x) == pytest.approx(expected, rel=1e-14)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("left", [np.zeros(3), np.float64(0.0)], ids=["ndarray", "np.float64"])
def test_numpy_comparison_with_traced_right_operand(mode: str, left: Any) -> None:
    """``left < x`` compares primals, as ``x > left`` does."""
    x = np.array([-1.0, 2.0, 3.0])
    g = ad.grad(lambda x: anp.sum(anp.where(left < x, x**2, 0.0)), mode=mode)(x)
    assert_close(g, np.array([0.0, 4.0, 6.0]), rtol=0.0)


# ---------------------------------------------------------------------------- NumPy dispatch
UFUNC_CALLS = {
    "sin": lambda n, x: n.sum(n.sin(x)),
    "exp-tanh": lambda n, x: n.sum(n.exp(n.tanh(x))),
    "sqrt": lambda n, x: n.sum(n.sqrt(x * x + 1.0)),
    "add-multiply": lambda n, x: n.sum(n.multiply(n.add(x, 1.0), x)),
    "matmul": lambda n, x: n.sum(n.matmul(n.ones((2, 3)), x) ** 2),
    "array-operand": lambda n, x: n.sum((n.arange(3.0) * x) / (1.0 + n.ones(3) ** x)),
    "maximum": lambda n, x: n.sum(n.maximum(x, 0.1) * n.abs(x)),
    "mean-max": lambda n, x: n.mean(x**2) + n.max(x),
    "log1p-arctan2": lambda n, x: n.sum(n.log1p(x * x) + n.arctan2(x, 2.0)),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", UFUNC_CALLS.values(), ids=UFUNC_CALLS.keys())
def test_numpy_functions_dispatch_to_registered_ops(
    mode: str, fn: Any, rng: np.random.Generator
) -> None:
    """``np.sin(x)`` on a traced x runs admodes' ``sin`` (with its derivative)."""
    x = rng.standard_normal(3)
    g = ad.grad(partial(fn, np), mode=mode)(x)
    assert_close(g, jax.grad(partial(fn, JNP))(x))


# ---------------------------------------------------------------------------- engine modules
@pytest.mark.parametrize(
    "code",
    [
        "from admodes.forward import Dual, grad, jacfwd, jvp, value_and_grad\n"
        "assert grad(lambda x: x * x)(3.0) == 6.0\n"
        "assert jvp(lambda x: x * x, (3.0,), (1.0,)) == (9.0, 6.0)\n"
        "assert value_and_grad(lambda x: x ** 3)(2.0) == (8.0, 12.0)\n"
        "assert (jacfwd(lambda x: 2.0 * x)(np.ones(2)) == 2 * np.eye(2)).all()\n",
        "from admodes.reverse import Node, Tape, grad, jacrev, value_and_grad, vjp\n"
        "assert grad(lambda x: x * x)(3.0) == 6.0\n"
        "out, f = vjp(lambda x: x * x, 3.0)\n"
        "assert (out, f(1.0)) == (9.0, (6.0,))\n"
        "assert value_and_grad(lambda x: x ** 3)(2.0) == (8.0, 12.0)\n"
        "assert (jacrev(lambda x: 2.0 * x)(np.ones(2)) == 2 * np.eye(2)).all()\n",
    ],
    ids=["forward", "reverse"],
)
def test_engine_modules_work_on_their_own(code: str) -> None:
    """``admodes.forward`` and ``admodes.reverse`` import and differentiate in a fresh process."""
    result = subprocess.run(
        [sys.executable, "-c", "import numpy as np\n" + code], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


def test_dir_offers_the_public_api() -> None:
    """What completion offers on ``admodes``: every public name (the optional ones too), each of
    which resolves, and no module-internal helper (``importlib``, ``Any``)."""
    names = dir(ad)
    assert set(ad.__all__) | set(ad.OPTIONAL) <= set(names)
    assert not {"importlib", "Any", "api", "core"} & set(names)
    assert all(hasattr(ad, name) for name in names)
