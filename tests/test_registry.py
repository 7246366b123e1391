"""The registry walk: every registered primitive, and every composite of ``admodes.numpy``, against
JAX in both modes, on several shapes (broadcasting ones included).

For each case: jvp and vjp equal ``jax.jvp`` / ``jax.vjp``; admodes' own jvp and vjp satisfy the
dot-product identity ⟨v, J·t⟩ = ⟨Jᵀ·v, t⟩; ``jacfwd`` (batched tangents) and ``jacrev`` equal
``jax.jacfwd``. A primitive registered without a case here fails
:func:`test_every_primitive_has_cases`.
"""

from __future__ import annotations

import importlib
import pkgutil
from typing import Any

import cases
import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import RTOL, assert_close, assert_exact, vdot
from walk import (
    Case,
    Domain,
    above_minus_one,
    call,
    case,
    lib,
    nonzero,
    open_unit,
    params_label,
    positive,
    real,
    same,
    shape_label,
    with_value,
)

import admodes as ad
from admodes.registry import REGISTRY
from admodes.rules.shape import (
    INDEX_ARRAY,
    indexed,
    normalize_index,
    scatter_add,
    scatter_indexed,
)

# Long (a sweep against JAX or whole programs): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

UNARY: dict[str, Domain] = {
    "negative": real,
    "square": real,
    "sqrt": positive,
    "abs": nonzero,
    "exp": real,
    "log": positive,
    "log2": positive,
    "log10": positive,
    "log1p": above_minus_one,
    "expm1": real,
    "sin": real,
    "cos": real,
    "tan": open_unit,
    "arcsin": open_unit,
    "arccos": open_unit,
    "arctan": real,
    "sinh": real,
    "cosh": real,
    "tanh": real,
    "sign": nonzero,
    "floor": real,
    "ceil": real,
    "round": real,
}
UNARY_SHAPES = [(), (2, 3)]  # a Python float (the fast path) and an array

BINARY: dict[str, tuple[Domain, Domain]] = {
    "add": (real, real),
    "subtract": (real, real),
    "multiply": (real, real),
    "divide": (real, nonzero),
    "power": (positive, real),
    "arctan2": (real, nonzero),
    "maximum": (real, real),
    "minimum": (real, real),
}
BINARY_SHAPES = [
    ((), ()),
    ((3,), (3,)),
    ((3, 1), (4,)),
    ((), (2, 3)),
    ((2, 3), ()),
    ((2, 1, 3), (4, 1)),
]

REDUCTIONS = [  # (shape, axis, keepdims)
    ((), None, False),
    ((5,), 0, True),
    ((3, 4), None, False),
    ((3, 4), 0, False),
    ((3, 4), -1, True),
    ((3, 4), (0, 1), False),
    ((2, 3, 4), (0, 2), True),
    ((2, 3, 4), 1, False),
]

W34 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
CONST2 = np.array([0.25, -0.75])
COND3 = np.array([True, False, True])
COND31 = np.array([[True], [False], [True]])
COND23 = np.array([[True, False, False], [False, True, True]])
MASK45 = np.arange(20).reshape(4, 5) % 3 == 0
MASK5 = np.array([True, False, True, True, False])
INDEX_REPEATS = np.array([0, 2, 0, 0, 4])
I2, J2 = np.array([0, 1]), np.array([1, 2])  # x[I2, :, J2]: NumPy moves the indexed axis first


def _registry_cases() -> list[Case]:
    cases = [
        lib(name, shape_label(s), call(name), s, domains=domain)
        for name, domain in UNARY.items()
        for s in UNARY_SHAPES
    ]
    cases += [
        lib(name, shape_label(*s), call(name), *s, domains=domains)
        for name, domains in BINARY.items()
        for s in BINARY_SHAPES
    ]
    cases += [
        lib(op, params_label(s, axis, keepdims), call(op, axis=axis, keepdims=keepdims), s)
        for op in ("sum", "max", "min")
        for s, axis, keepdims in REDUCTIONS
    ]
    cases += [
        lib("cumsum", params_label(s, axis), call("cumsum", axis), s)
        for s, axis in (((5,), None), ((3, 4), 0), ((3, 4), -1), ((2, 3, 4), 1))
    ]
    cases += [
        lib("reshape", f"{shape_label(s)}-to-{shape_label(new)}", call("reshape", new), s)
        for s, new in (((6,), (2, 3)), ((2, 3), (-1,)), ((2, 3, 4), (4, -1)), ((), (1, 1)))
    ]
    cases += [
        lib("transpose", f"{shape_label(s)}-{axes}".replace(" ", ""), call("transpose", axes), s)
        for s, axes in (((2, 3), None), ((2, 3, 4), (1, 2, 0)), ((2, 3, 4), (-1, 0, 1)))
    ]
    cases += [
        lib("broadcast_to", f"{shape_label(s)}-to-{shape_label(new)}", call("broadcast_to", new), s)
        for s, new in (((), (2, 3)), ((3,), (2, 3)), ((3, 1), (3, 4)), ((1, 3), (2, 4, 3)))
    ]
    cases += [
        same("add", "operator", lambda x, y: x + y, (3, 1), (4,)),
        same("add", "constant-left", lambda x: W34 + x, (4,)),
        same("subtract", "operator", lambda x, y: x - y, (2, 3), ()),
        same("subtract", "constant-left", lambda x: 2.0 - x, (3,)),
        same("multiply", "operator", lambda x, y: x * y, (), (2, 3)),
        same("divide", "operator", lambda x, y: x / y, (3,), (3,), domains=(real, nonzero)),
        same("divide", "constant-numerator", lambda x: 1.0 / x, (3,), domains=nonzero),
        same("negative", "operator", lambda x: -x, (2, 3)),
        same("abs", "builtin", lambda x: abs(x), (3,), domains=nonzero),
        same("power", "operator", lambda x, y: x**y, (3,), (), domains=positive),
        same("power", "int-exponent", lambda x: x**3, (2, 3)),
        same("power", "negative-int-exponent", lambda x: x**-2, (3,), domains=nonzero),
        same("power", "float-exponent", lambda x: x**2.5, (3,), domains=positive),
        same("power", "zero-exponent", lambda x: x**0, (3,), domains=positive),
        same("power", "constant-base", lambda x: 2.0**x, (3,)),
        lib("where", "same-shapes", lambda m, x, y: m.where(COND3, x, y), (3,), (3,)),
        lib("where", "broadcast", lambda m, x, y: m.where(COND31, x, y), (4,), ()),
        lib("where", "constant-branch", lambda m, x: m.where(COND23, x, 0.0), (2, 3)),
        lib("where", "traced-condition", lambda m, x: m.where(x > 0.1, x, m.sin(x)), (2, 3)),
        same("sum", "method", lambda x: x.sum(axis=0), (3, 4)),
        same("max", "method", lambda x: x.max(axis=1, keepdims=True), (3, 4)),
        same("min", "method", lambda x: x.min(), (3, 4)),
        same("reshape", "method", lambda x: x.reshape(3, 2), (2, 3)),
        same("transpose", "T", lambda x: x.T, (2, 3)),
        same("getitem", "slice", lambda x: x[1:4], (5,)),
        same("getitem", "negative-step", lambda x: x[::-2], (5,)),
        same("getitem", "reversed", lambda x: x[::-1], (5,)),
        same("getitem", "int", lambda x: x[1], (4, 5)),
        same("getitem", "negative-ints", lambda x: x[-1, -2], (4, 5)),
        same("getitem", "column", lambda x: x[:, 1], (4, 5)),
        same("getitem", "ellipsis", lambda x: x[..., 1], (2, 3, 4)),
        same("getitem", "none", lambda x: x[None, 1:, None], (4, 5)),
        same("getitem", "int-array-repeats", lambda x: x[INDEX_REPEATS], (5,)),
        case("getitem", "list-repeats", lambda x: x[[1, 1, 0]], lambda x: x[np.array([1, 1, 0])],
             (4, 5)),
        same("getitem", "int-array-2d", lambda x: x[np.array([[0, 1], [1, 4]])], (5,)),
        same("getitem", "two-int-arrays", lambda x: x[np.array([0, 1, 1]), np.array([2, 0, 2])],
             (4, 5)),
        same("getitem", "slice-and-list", lambda x: x[1:, [0, 0, 2]], (4, 5)),
        same("getitem", "bool-mask", lambda x: x[MASK45], (4, 5)),
        same("getitem", "bool-mask-axis1", lambda x: x[:, MASK5], (4, 5)),
        same("getitem", "separated-arrays", lambda x: x[I2, :, J2], (2, 3, 4)),
        same("getitem", "separated-array-and-int", lambda x: x[np.array([1, 0, 1]), 1:, 2],
             (2, 3, 4)),
        case("scatter_add", "int-array-repeats",
             lambda g: scatter_add(g, index=(INDEX_REPEATS,), x_shape=(6,)),
             lambda g: jnp.zeros(6).at[INDEX_REPEATS].add(g), (5,)),
        case("scatter_add", "slice",
             lambda g: scatter_add(g, index=normalize_index(slice(1, 3), 2), x_shape=(4, 3)),
             lambda g: jnp.zeros((4, 3)).at[1:3].add(g), (2, 3)),
        case("scatter_add", "bool-mask",
             lambda g: scatter_add(g, index=(MASK45,), x_shape=(4, 5)),
             lambda g: jnp.zeros((4, 5)).at[MASK45].add(g), (int(MASK45.sum()),)),
        case("scatter_add", "separated-arrays",
             lambda g: scatter_add(g, index=(I2, slice(None), J2), x_shape=(2, 3, 4)),
             lambda g: jnp.zeros((2, 3, 4)).at[I2, :, J2].add(g), (2, 3)),
        case("indexed", "separated-arrays",
             lambda x: indexed(x, I2, J2, template=(INDEX_ARRAY, slice(None), INDEX_ARRAY)),
             lambda x: x[I2, :, J2], (2, 3, 4)),
        case("indexed", "int-array-repeats",
             lambda x: indexed(x, INDEX_REPEATS, template=(INDEX_ARRAY,)),
             lambda x: x[INDEX_REPEATS], (6,)),
        case("scatter_indexed", "separated-arrays",
             lambda g: scatter_indexed(g, I2, J2, template=(INDEX_ARRAY, slice(None), INDEX_ARRAY),
                                       x_shape=(2, 3, 4)),
             lambda g: jnp.zeros((2, 3, 4)).at[I2, :, J2].add(g), (2, 3)),
        lib("concatenate", "axis0", lambda m, x, y: m.concatenate([x, y]), (2, 3), (4, 3)),
        lib("concatenate", "axis1", lambda m, x, y: m.concatenate([x, y], axis=1), (2, 3), (2, 1)),
        lib("concatenate", "axis-2", lambda m, x, y: m.concatenate([x, y], axis=-2), (2, 2, 3),
            (2, 1, 3)),
        lib("concatenate", "with-constant", lambda m, x, y: m.concatenate([x, CONST2, y, x]), (2,),
            (3,)),
        lib("stack", "axis0", lambda m, x, y: m.stack([x, y]), (3,), (3,)),
        lib("stack", "axis-1", lambda m, x, y, z: m.stack([x, y, z], axis=-1), (2, 3), (2, 3),
            (2, 3)),
        lib("stack", "with-constant", lambda m, x: m.stack([CONST2, x, x], axis=1), (2,)),
        lib("stack", "scalars", lambda m, x, y: m.stack([x, y]), (), ()),
        lib("matmul", "matrix-matrix", call("matmul"), (2, 3), (3, 4)),
        lib("matmul", "vector-matrix", call("matmul"), (3,), (3, 4)),
        lib("matmul", "matrix-vector", call("matmul"), (2, 3), (3,)),
        lib("matmul", "vector-vector", call("matmul"), (3,), (3,)),
        same("matmul", "operator", lambda x, y: x @ y, (2, 3), (3, 4)),
        same("matmul", "constant-left", lambda x: W34 @ x, (4, 2)),
        same("matmul", "constant-right", lambda x: x @ W34, (2, 3)),
        same("matmul", "constant-left-vector", lambda x: W34 @ x, (4,)),
        lib("stop_gradient", "alone", call("stop_gradient"), (3,)),
        lib("stop_gradient", "in-product", lambda m, x: x * m.stop_gradient(m.sin(x)), (3,)),
    ]  # fmt: skip
    return cases


def _composite_cases() -> list[Case]:
    cases = [
        lib(name, params_label(s, axis, keepdims), call(name, axis, keepdims=keepdims), s)
        for name in ("mean", "var", "std")
        for s, axis, keepdims in (
            ((3, 4), None, False),
            ((3, 4), 1, True),
            ((2, 3, 4), (0, 2), False),
        )
    ]
    cases += [
        lib("prod", label, call("prod", axis, keepdims=keepdims), s, domains=domain)
        for label, s, axis, keepdims, domain in (
            ("(5,)", (5,), None, False, real),
            ("(3,4)-axis0", (3, 4), 0, False, real),
            ("(3,4)-axis1-keepdims", (3, 4), 1, True, real),
            ("(2,3,4)-axis(0,2)", (2, 3, 4), (0, 2), False, real),
            ("one-zero", (5,), None, False, with_value((2,), 0.0)),
            ("two-zeros", (5,), None, False, with_value((1, 3), 0.0)),
            ("zeros-per-row", (3, 4), 1, False, with_value((1, 6, 7), 0.0)),
        )
    ]
    cases += [
        lib("logsumexp", label, call("logsumexp", axis=axis, keepdims=keepdims), s, domains=domain)
        for label, s, axis, keepdims, domain in (
            ("(5,)", (5,), None, False, real),
            ("(3,4)-axis1-keepdims", (3, 4), 1, True, real),
            ("(3,4)-axis0", (3, 4), 0, False, real),
            ("minus-inf", (5,), None, False, with_value((0, 3), -np.inf)),
            ("minus-inf-axis1", (3, 4), 1, False, with_value((0, 5), -np.inf)),
        )
    ]
    cases += [
        lib("clip", "both", call("clip", -0.5, 0.5), (3, 4)),
        lib("clip", "min-only", call("clip", -0.5), (5,)),
        lib("clip", "max-only", call("clip", None, 0.2), (5,)),
        lib("outer", "vectors", call("outer"), (3,), (4,)),
        lib("outer", "flattened", call("outer"), (2, 2), (3,)),
        lib("dot", "vectors", call("dot"), (3,), (3,)),
        lib("dot", "matrix-vector", call("dot"), (2, 3), (3,)),
        lib("dot", "scalar", call("dot"), (), (3,)),
        same("dot", "method", lambda x, y: x.dot(y), (2, 3), (3, 2)),
        lib("inner", "vectors", call("inner"), (4,), (4,)),
        lib("cumsum", "flattened", call("cumsum"), (2, 3)),
        lib("squeeze", "all", call("squeeze"), (1, 3, 1)),
        lib("squeeze", "axis0", call("squeeze", 0), (1, 3, 1)),
        same("squeeze", "method", lambda x: x.squeeze(-1), (1, 3, 1)),
        lib("expand_dims", "axis0", call("expand_dims", 0), (3,)),
        lib("expand_dims", "axis-1", call("expand_dims", -1), (2, 3)),
        lib("swapaxes", "(2,3,4)", call("swapaxes", 0, 2), (2, 3, 4)),
        lib("ravel", "(2,3)", call("ravel"), (2, 3)),
        lib("hstack", "vectors", lambda m, x, y: m.hstack([x, y]), (2,), (3,)),
        lib("hstack", "matrices", lambda m, x, y: m.hstack([x, y]), (2, 1), (2, 3)),
        lib("vstack", "vectors", lambda m, x, y: m.vstack([x, y]), (3,), (3,)),
        lib("vstack", "matrices", lambda m, x, y: m.vstack([x, y]), (1, 3), (2, 3)),
        lib("flip", "vector", call("flip"), (5,)),
        lib("flip", "axis0", call("flip", 0), (3, 4)),
        lib("flip", "all-axes", call("flip"), (3, 4)),
        lib("flip", "axes-tuple", call("flip", (0, 2)), (2, 3, 4)),
        lib("exp2", "(3,)", call("exp2"), (3,)),
        lib("logaddexp", "same-shapes", call("logaddexp"), (3,), (3,)),
        lib("logaddexp", "broadcast", call("logaddexp"), (3, 1), (4,)),
        lib("logaddexp", "minus-inf", call("logaddexp"), (3,), (3,),
            domains=(with_value((1,), -np.inf), real)),
        lib("reciprocal", "(3,)", call("reciprocal"), (3,), domains=nonzero),
        same("mean", "method", lambda x: x.mean(axis=0), (3, 4)),
        same("prod", "method", lambda x: x.prod(axis=1), (3, 4)),
    ]  # fmt: skip
    return cases


def _cases_by_kind() -> tuple[list[Case], list[Case]]:
    """The cases of the modules in ``tests/cases/``: those filed under a registered primitive,
    and those of composite functions."""
    found = [
        c
        for module in pkgutil.iter_modules(cases.__path__)
        for c in importlib.import_module(f"cases.{module.name}").CASES
    ]
    return [c for c in found if c.op in REGISTRY], [c for c in found if c.op not in REGISTRY]


_KIND_REGISTRY, _KIND_COMPOSITE = _cases_by_kind()
REGISTRY_CASES = _registry_cases() + _KIND_REGISTRY
COMPOSITE_CASES = _composite_cases() + _KIND_COMPOSITE
ALL_CASES = REGISTRY_CASES + COMPOSITE_CASES
CASES_BY_OP: dict[str, list[Case]] = {}
for _c in REGISTRY_CASES:
    CASES_BY_OP.setdefault(_c.op, []).append(_c)

#: Primitives whose derivative is zero everywhere (JAX: sign, floor, ceil, round, stop_gradient).
ZERO_DERIVATIVE = {"sign", "floor", "ceil", "round", "stop_gradient"}

parametrize_cases = pytest.mark.parametrize("c", ALL_CASES, ids=lambda c: c.id)


def argnums_all(c: Case) -> tuple[int, ...]:
    return tuple(range(len(c.shapes)))


# ---------------------------------------------------------------------------- the tests
def test_every_primitive_has_cases() -> None:
    assert set(CASES_BY_OP) == set(REGISTRY), (
        f"registry ops without a case: {sorted(set(REGISTRY) - set(CASES_BY_OP))}; "
        f"cases for unknown ops: {sorted(set(CASES_BY_OP) - set(REGISTRY))}"
    )


def test_case_ids_are_unique() -> None:
    ids = [c.id for c in ALL_CASES]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("c", REGISTRY_CASES, ids=lambda c: c.id)
def test_case_evaluates_its_primitive(c: Case) -> None:
    """The table entry really calls the primitive it is filed under."""
    xs, ts, _ = c.inputs()
    with ad.count() as counts:
        ad.jvp(c.ad, xs, ts)
    assert counts.by_op[c.op] > 0, dict(counts.by_op)


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_derivative_rules_for_both_modes(name: str, rng: np.random.Generator) -> None:
    """Every differentiable primitive gives rules to both engines; the others differentiate to
    exactly zero in both modes."""
    prim = REGISTRY[name]
    if name in ZERO_DERIVATIVE:
        assert not prim.differentiable
        x = rng.standard_normal(3)
        _, t_out = ad.jvp(prim, (x,), (np.ones(3),))
        _, vjp_fn = ad.vjp(prim, x)
        assert_exact((t_out, vjp_fn(np.ones(3))), (np.zeros(3), (np.zeros(3),)))
        assert_exact(ad.jacfwd(prim)(x), np.zeros((3, 3)))
        assert_exact(ad.jacrev(prim)(x), np.zeros((3, 3)))
        return
    assert prim.differentiable
    if prim.partials is not None:
        assert any(d is not None for d in prim.partials)
        assert not prim.jvps and not prim.vjps and prim.joint_jvp is None
    elif prim.joint_jvp is not None:
        assert prim.joint_vjp is not None and not prim.jvps
    else:
        assert len(prim.jvps) == len(prim.vjps) > 0
        assert [r is None for r in prim.jvps] == [r is None for r in prim.vjps]


def jax_reference(c: Case) -> tuple:
    """JAX's value, J·t, Jᵀ·v and Jacobian on the case's inputs, in one compiled program."""

    def reference(xs: tuple, ts: tuple, v: Any) -> tuple:
        out, jt = jax.jvp(c.jx, xs, ts)
        return out, jt, jax.vjp(c.jx, *xs)[1](v), jax.jacfwd(c.jx, argnums_all(c))(*xs)

    return jax.jit(reference)(*c.inputs())


@parametrize_cases
def test_matches_jax(c: Case) -> None:
    """jvp and vjp equal JAX's; batched tangents (jacfwd) and one sweep per output (jacrev) give
    JAX's Jacobian."""
    xs, ts, v = c.inputs()
    out, jt, jtv, jac = jax_reference(c)
    assert_close(ad.jvp(c.ad, xs, ts), (out, jt))
    ad_out, vjp_fn = ad.vjp(c.ad, *xs)
    assert_close((ad_out, vjp_fn(v)), (out, jtv))
    assert_close(ad.jacfwd(c.ad, argnums=argnums_all(c))(*xs), jac)
    assert_close(ad.jacrev(c.ad, argnums=argnums_all(c))(*xs), jac)


@parametrize_cases
def test_dot_product_identity(c: Case) -> None:
    """⟨v, J·t⟩ = ⟨Jᵀ·v, t⟩ between admodes' own forward and reverse engines."""
    xs, ts, v = c.inputs()
    _, jt = ad.jvp(c.ad, xs, ts)
    _, vjp_fn = ad.vjp(c.ad, *xs)
    jtv = vjp_fn(v)
    lhs, rhs = vdot(v, jt), vdot(jtv, ts)
    scale = (vdot(v, v) * vdot(jt, jt)) ** 0.5 + (vdot(jtv, jtv) * vdot(ts, ts)) ** 0.5
    assert abs(lhs - rhs) <= RTOL * scale, (lhs, rhs)
