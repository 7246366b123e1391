"""admodes.lax's reductions, cumulative reductions, associative scans, sorting, top-k and dot
products against jax.lax in float64: values, the gradient of a weighted sum by both modes (against
``jax.grad`` and ``jax.jacfwd``), Hessians by three nestings, JAX's conventions at ties (reduce_max,
cummax, top_k, stable sorts) and at zeros and infinities, integer and bool operands exactly (values
and dtypes), and the errors (with JAX's exception types where JAX checks the same)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import (
    MODES,
    RTOL_F32,
    assert_close,
    assert_exact,
    assert_gradients_match_jax,
    jax_compiled,
)
from jax._src.lib import _jax as jaxlib

import admodes as ad
import admodes.numpy as anp
from admodes.lax import reductions as alax

#: One function body, two libraries: ``side.lax`` and the monoids ``lax.reduce`` recognises.
AD = SimpleNamespace(
    lax=alax, add=anp.add, mul=anp.multiply, max=anp.maximum, min=anp.minimum, bor=anp.bitwise_or
)
JAX = SimpleNamespace(
    lax=jax.lax,
    add=jax.lax.add,
    mul=jax.lax.mul,
    max=jax.lax.max,
    min=jax.lax.min,
    bor=jax.lax.bitwise_or,
)

RNG = np.random.default_rng(7)
X = RNG.standard_normal((3, 4, 5))
A = RNG.standard_normal((2, 3, 4))
B = RNG.standard_normal((4, 2, 5))
#: Integer sort keys with ties in every row and column (the stability of a sort shows).
KEYS = np.array([[1, 0, 1, 2, 0], [0, 0, 2, 2, 1], [1, 1, 0, 0, 1], [2, 0, 2, 0, 2]], np.int32)
KEYS3 = np.broadcast_to(KEYS, X.shape)
#: Ties: a maximum attained three times, a minimum twice, and equal entries along both axes.
TIES = np.array([[3.0, 1.0, 3.0, 2.0, 3.0], [0.5, 0.5, -1.0, 0.5, 2.0], [1.0, 1.0, 1.0, 1.0, 1.0]])
ZEROS = np.array([[1.5, 0.0, -2.0, 0.5], [0.0, 3.0, 0.0, -1.0]])  # one zero and two zeros


def recurrence(a: tuple, b: tuple) -> tuple:
    """The associative combine of h ← a·h + b (composition of affine maps): a pytree scan."""
    return a[0] * b[0], a[1] * b[0] + b[1]


def dict_sum(a: dict, b: dict) -> dict:
    return {"s": a["s"] + b["s"], "p": a["p"] * b["p"]}


# name -> fn(side, x): each group is compared with JAX in one compiled program.
REDUCTIONS: dict[str, Callable[..., Any]] = {
    "reduce_sum": lambda s, x: s.lax.reduce_sum(x, (0, 2)),
    "reduce_sum-no-axes": lambda s, x: s.lax.reduce_sum(x, ()),
    "reduce_sum-all": lambda s, x: s.lax.reduce_sum(x * x, (2, 0, 1)),
    "reduce_prod": lambda s, x: s.lax.reduce_prod(x, (1,)),
    "reduce_prod-two-axes": lambda s, x: s.lax.reduce_prod(x, (0, 2)),
    "reduce_max": lambda s, x: s.lax.reduce_max(x, (0, 1)),
    "reduce_min": lambda s, x: s.lax.reduce_min(x, (2,)),
    "reduce-add": lambda s, x: s.lax.reduce(x, 0.0, s.add, (1,)),
    "reduce-add-init": lambda s, x: s.lax.reduce(x, 0.5, s.add, (0, 2)),
    "reduce-mul": lambda s, x: s.lax.reduce(x, 1.0, s.mul, (2,)),
    "reduce-mul-init": lambda s, x: s.lax.reduce(x, 2.0, s.mul, (0,)),
    "reduce-max": lambda s, x: s.lax.reduce(x, -np.inf, s.max, (2,)),
    "reduce-max-init": lambda s, x: s.lax.reduce(x, 0.25, s.max, (2,)),
    "reduce-min-init": lambda s, x: s.lax.reduce(x, -0.25, s.min, (0,)),
    "reduce-min-tuple": lambda s, x: s.lax.reduce((x,), (np.inf,), s.min, (0, 1)),
}
CUMULATIVE: dict[str, Callable[..., Any]] = {
    **{
        f"{op}-axis{axis}{'-reverse' * reverse}": (
            lambda s, x, op=op, axis=axis, reverse=reverse: getattr(s.lax, op)(
                x, axis=axis, reverse=reverse
            )
        )
        for op in ("cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp")
        for axis, reverse in ((1, False), (2, True))
    },
    "cumsum-default-axis": lambda s, x: s.lax.cumsum(x),
    "associative_scan-add": lambda s, x: s.lax.associative_scan(lambda a, b: a + b, x, axis=1),
    "associative_scan-recurrence": lambda s, x: s.lax.associative_scan(
        recurrence, (s.lax.cumsum(x * 0.0 + 0.9, 2) / 5.0, x), axis=2
    )[1],
    "associative_scan-recurrence-reverse": lambda s, x: s.lax.associative_scan(
        recurrence, (x[0] * 0.5, x[1]), reverse=True
    )[1],
    "associative_scan-dict": lambda s, x: s.lax.associative_scan(
        dict_sum, {"s": x, "p": x * x}, axis=2
    )["p"],
}
SORTING: dict[str, Callable[..., Any]] = {
    "sort": lambda s, x: s.lax.sort(x),
    "sort-dimension0": lambda s, x: s.lax.sort(x * x, dimension=0),
    "sort-negative-dimension": lambda s, x: s.lax.sort(x, dimension=-2, is_stable=False),
    "sort-tuple": lambda s, x: s.lax.sort((x, x * x), dimension=1)[1],
    "sort-payload-by-tied-keys": lambda s, x: s.lax.sort([KEYS3, x], dimension=2)[1],
    "sort-two-keys": lambda s, x: s.lax.sort((KEYS3, x, x * x), dimension=1, num_keys=2)[2],
    "sort_key_val": lambda s, x: s.lax.sort_key_val(KEYS3, x, dimension=1)[1],
    "top_k": lambda s, x: s.lax.top_k(x, 3)[0],
    "top_k-axis0": lambda s, x: s.lax.top_k(x * x, 2, axis=0)[0],
    "top_k-all": lambda s, x: s.lax.top_k(x, 5)[0],
    "approx_max_k": lambda s, x: s.lax.approx_max_k(x, 2, reduction_dimension=1)[0],
    "approx_min_k": lambda s, x: s.lax.approx_min_k(x, 3)[0],
    "approx_max_k-not-aggregated": lambda s, x: s.lax.approx_max_k(x, 2, aggregate_to_topk=False)[
        0
    ],
}
DOTS: dict[str, Callable[..., Any]] = {
    "dot_general-batch": lambda s, a, b: s.lax.dot_general(a, b, (((2,), (0,)), ((0,), (1,)))),
    "dot_general-two-contracting": lambda s, a, b: s.lax.dot_general(
        a, b, (((2, 0), (0, 1)), ((), ()))
    ),
    "dot_general-batch-last": lambda s, a, b: s.lax.dot_general(a, b, (((0,), (1,)), ((2,), (0,)))),
    "dot_general-lists": lambda s, a, b: s.lax.dot_general(a, b, (([2], [0]), ([], []))),
    "dot_general-outer": lambda s, a, b: s.lax.dot_general(a[0], b[0], (((), ()), ((), ()))),
    "dot_general-self": lambda s, a, b: s.lax.dot_general(a, a, (((1,), (1,)), ((0,), (0,)))),
    "dot-matrices": lambda s, a, b: s.lax.dot(a[0], b[:, 0]),
    "dot-matrix-vector": lambda s, a, b: s.lax.dot(a[1], b[:, 1, 2]),
    "dot-vector-matrix": lambda s, a, b: s.lax.dot(a[1, 2], b[:, 1]),
    "dot-vectors": lambda s, a, b: s.lax.dot(a[1, 2], b[:, 1, 3]),
    "dot-dimension_numbers": lambda s, a, b: s.lax.dot(
        a, b, dimension_numbers=(((2,), (0,)), ((), ())), precision=jax.lax.Precision.HIGHEST
    ),
    "batch_matmul": lambda s, a, b: s.lax.batch_matmul(a, b.transpose(1, 0, 2)),
    "batch_matmul-2d": lambda s, a, b: s.lax.batch_matmul(a[0], b[:, 0]),
}
#: At ties, zeros and infinities: JAX's conventions, not just its values.
AT_TIES: dict[str, Callable[..., Any]] = {
    "reduce_max-ties": lambda s, x: s.lax.reduce_max(x, (1,)),
    "reduce_min-ties": lambda s, x: s.lax.reduce_min(x, (0, 1)),
    "reduce_max-ties-axis0": lambda s, x: s.lax.reduce_max(x, (0,)),
    "cummax-ties": lambda s, x: s.lax.cummax(x, 1),
    "cummax-ties-reverse": lambda s, x: s.lax.cummax(x, 1, reverse=True),
    "cummin-ties": lambda s, x: s.lax.cummin(x, 0),
    "cummin-ties-reverse": lambda s, x: s.lax.cummin(x, 1, reverse=True),
    "sort-ties": lambda s, x: s.lax.sort(x * 2.0),
    "top_k-ties": lambda s, x: s.lax.top_k(x, 4)[0],
    "approx_max_k-ties": lambda s, x: s.lax.approx_max_k(x, 4)[0],
    "approx_min_k-ties": lambda s, x: s.lax.approx_min_k(x, 3, reduction_dimension=0)[0],
}
AT_ZEROS: dict[str, Callable[..., Any]] = {
    "reduce_prod-zeros": lambda s, x: s.lax.reduce_prod(x, (1,)),
    "reduce_prod-zeros-all": lambda s, x: s.lax.reduce_prod(x, (0, 1)),
    "cumprod-zeros": lambda s, x: s.lax.cumprod(x, 1),
    "cumprod-zeros-reverse": lambda s, x: s.lax.cumprod(x, 1, reverse=True),
    "cumprod-zeros-axis0": lambda s, x: s.lax.cumprod(x, 0),
}
INFINITIES = np.array([-np.inf, -np.inf, 0.5, np.inf, 1.0, -np.inf])
AT_INFINITIES: dict[str, Callable[..., Any]] = {
    "cumlogsumexp-infinities": lambda s, x: s.lax.cumlogsumexp(x),
    "cumlogsumexp-infinities-reverse": lambda s, x: s.lax.cumlogsumexp(x, reverse=True),
    "cummax-infinities": lambda s, x: s.lax.cummax(x),
    "reduce_max-infinities": lambda s, x: s.lax.reduce_max(x, (0,)),
}
GROUPS: dict[str, tuple[dict[str, Callable[..., Any]], tuple]] = {
    "reductions": (REDUCTIONS, (X,)),
    "cumulative": (CUMULATIVE, (X,)),
    "sorting": (SORTING, (X,)),
    "dots": (DOTS, (A, B)),
    "ties": (AT_TIES, (TIES,)),
    "zeros": (AT_ZEROS, (ZEROS,)),
    "infinities": (AT_INFINITIES, (INFINITIES,)),
}


@pytest.mark.parametrize("group", GROUPS)
def test_values_and_gradients_match_jax(group: str) -> None:
    """Every function of the group: value, and the gradient of a weighted sum by reverse mode
    (against jax.grad) and by forward mode (against jax.jacfwd), in one JAX compile."""
    cases, args = GROUPS[group]
    assert_gradients_match_jax([(partial(fn, AD), partial(fn, JAX)) for fn in cases.values()], args)


def composite(s: SimpleNamespace, x: Any) -> Any:
    """A scalar built from every kind of operation (reductions, picks, scans, sorts, top-k,
    contractions), in products so that the second derivatives do not vanish."""
    m = s.lax.sort((x * 0.0 + 1.0, x))[1]  # tied keys: a stable sort keeps x in order
    grid = x[:6].reshape(2, 3)
    total = (
        s.lax.reduce_prod(x, (0,))
        + s.lax.reduce_max(x * x, (0,)) * x[0]
        + s.lax.reduce_sum(s.lax.cumprod(x, 0) ** 2, (0,))
        + s.lax.reduce_sum(s.lax.cumlogsumexp(x, 0, reverse=True) * x, (0,))
        + s.lax.reduce_sum(s.lax.cummax(x * x, 0) * x, (0,))
        + s.lax.reduce_sum(s.lax.cummin(x, 0) ** 3, (0,))
        + s.lax.reduce_sum(s.lax.sort(x) * x, (0,))
        + s.lax.reduce_sum(s.lax.top_k(x * x, 3)[0] * m[:3], (0,))
        + s.lax.reduce_sum(s.lax.associative_scan(recurrence, (x * 0.5, x))[1] ** 2, (0,))
        + s.lax.reduce_sum(s.lax.dot_general(grid, grid * grid, (((1,), (1,)), ((), ()))), (0, 1))
        + s.lax.reduce(x, 0.5, s.mul, (0,))
    )
    return total


def test_second_derivatives_match_jax() -> None:
    """The Hessian of a composite scalar by forward-over-reverse, reverse-over-reverse and
    forward-over-forward equals jax.hessian's."""
    x = RNG.standard_normal(7)
    expected = jax_compiled(jax.hessian(partial(composite, JAX)), x)
    f = partial(composite, AD)
    assert_close(ad.hessian(f)(x), expected)
    assert_close(ad.jacrev(ad.grad(f))(x), expected)
    assert_close(ad.jacfwd(ad.grad(f, mode="forward"))(x), expected)


@pytest.mark.parametrize("mode", MODES)
def test_ties_share_the_derivative_as_jax_does(mode: str) -> None:
    """By hand: reduce_max splits the derivative evenly among three tied maxima; cummax of five
    equal entries splits ½–½ at each maximum of the associative scan's tree, so the last entry
    gives ½ to its own and ⅛ to each earlier one (JAX's Jacobian)."""
    x = np.array([3.0, 1.0, 3.0, 2.0, 3.0])
    third = 1.0 / 3.0
    assert_close(
        ad.grad(lambda v: alax.reduce_max(v, (0,)), mode=mode)(x),
        np.array([third, 0.0, third, 0.0, third]),
    )
    jacobian = ad.jacrev if mode == "reverse" else ad.jacfwd
    expected = np.array(
        [
            [1.0, 0.0, 0.0, 0.0, 0.0],
            [0.5, 0.5, 0.0, 0.0, 0.0],
            [0.25, 0.25, 0.5, 0.0, 0.0],
            [0.25, 0.25, 0.25, 0.25, 0.0],
            [0.125, 0.125, 0.125, 0.125, 0.5],
        ]
    )
    assert_close(jacobian(lambda v: alax.cummax(v, 0))(np.ones(5)), expected)
    assert_close(
        jacobian(lambda v: alax.cummin(v, 0, reverse=True))(np.ones(5)), expected[::-1, ::-1]
    )


@pytest.mark.parametrize("mode", MODES)
def test_reduce_applies_another_init_value_once(mode: str) -> None:
    """By hand: an init value other than the computation's identity enters once,
    ``computation(init, reduction)`` (JAX's value on CPU; JAX's derivative would leave it out of
    a reduction of four), and the derivative is that value's, in the operand and in a traced init
    value (which JAX does not differentiate): ∂/∂init of init + Σx is 1, of init · Πx is Πx, of
    max(init, max x) is 1 where init is larger and ½ at a tie, of min(init, min x) 0 where init
    is larger."""
    x = np.array([0.5, 2.0, -1.0, 1.5])
    product = float(np.prod(x))
    assert_close(alax.reduce(x, 2.0, anp.multiply, (0,)), np.asarray(2.0 * product))
    by_operand = ad.grad(lambda v: alax.reduce(v, 2.0, anp.multiply, (0,)), mode=mode)(x)
    assert_close(by_operand, 2.0 * product / x)
    at_tie = ad.grad(lambda v: alax.reduce(v, 2.0, anp.maximum, (0,)), mode=mode)(x)
    assert_close(at_tie, np.array([0.0, 0.5, 0.0, 0.0]))
    cases = (
        (anp.add, 0.0, 1.0),
        (anp.multiply, 1.0, product),
        (anp.maximum, 3.0, 1.0),
        (anp.maximum, 2.0, 0.5),
        (anp.minimum, 0.0, 0.0),
    )
    for computation, init, expected in cases:
        got = ad.grad(lambda i, c=computation: alax.reduce(x, i, c, (0,)), mode=mode)(init)
        assert_close(got, expected)


# ---------------------------------------------------------------------------- exact values
I32 = np.array([[3, -1, 7, 2], [0, 5, -4, 5], [9, 9, 1, -8]], np.int32)
I8 = np.arange(1, 13, dtype=np.int8).reshape(3, 4) * 11  # products and dots wrap around
U8 = np.array([[6, 3, 255], [5, 1, 128]], np.uint8)
BOOLS = I32 > 1
SPECIAL = np.array(
    [
        [1.0, np.nan, 3.0, 3.0, -0.0, 0.0, -np.nan],
        [2.0, 2.0, -np.inf, 0.0, -0.0, np.nan, np.inf],
    ]
)
SIGNED_ZEROS = np.array([[0.0, -0.0, 1.0, -0.0, 0.0, 1.0], [-1.0, 0.0, -0.0, -1.0, 2.0, 0.0]])


def exact_cases(s: SimpleNamespace) -> dict[str, Any]:
    """Integer, bool and special float operands: JAX's values and dtypes exactly."""
    lax = s.lax
    f32 = np.ones(3, np.float32)
    return {
        "reduce_sum-int32": lax.reduce_sum(I32, (1,)),
        "reduce_sum-uint8-wraps": lax.reduce_sum(U8, (0, 1)),
        "reduce_prod-int8-wraps": lax.reduce_prod(I8, (0,)),
        "reduce_max-int32": lax.reduce_max(I32, (0,)),
        "reduce_min-uint8": lax.reduce_min(U8, (1,)),
        "reduce_max-bool": lax.reduce_max(BOOLS, (0,)),
        "reduce_min-bool": lax.reduce_min(BOOLS, (1,)),
        "reduce_max-special": lax.reduce_max(SPECIAL, (1,)),
        "reduce_max-empty": lax.reduce_max(np.ones((0, 3)), (0,)),
        "reduce_min-empty-int": lax.reduce_min(np.ones((2, 0), np.int32), (1,)),
        "reduce_max-empty-bool": lax.reduce_max(np.ones((0, 2), bool), (0,)),
        "reduce_prod-empty": lax.reduce_prod(np.ones((0, 3)), (0,)),
        "reduce_sum-empty-int": lax.reduce_sum(np.ones((3, 0), np.int32), (1,)),
        "reduce_and-int": lax.reduce_and(I32, (0,)),
        "reduce_or-int": lax.reduce_or(I32, (1,)),
        "reduce_xor-int": lax.reduce_xor(I32, (0, 1)),
        "reduce_and-uint8": lax.reduce_and(U8, (0,)),
        "reduce_or-uint8": lax.reduce_or(U8, (1,)),
        "reduce_and-bool": lax.reduce_and(BOOLS, (0,)),
        "reduce_or-bool": lax.reduce_or(BOOLS, (1,)),
        "reduce_xor-bool": lax.reduce_xor(BOOLS, (0,)),
        "reduce_and-empty-bool": lax.reduce_and(np.ones((0, 2), bool), (0,)),
        "reduce_and-empty-int": lax.reduce_and(np.ones((0, 2), np.int16), (0,)),
        "reduce_xor-empty-uint8": lax.reduce_xor(np.ones((0, 2), np.uint8), (0,)),
        "argmax-special": lax.argmax(SPECIAL, 1, np.int32),
        "argmin-special": lax.argmin(SPECIAL, 1, np.int64),
        "argmax-ties": lax.argmax(I32, 0, np.uint8),
        "argmin-ties": lax.argmin(I32, 1, np.int16),
        "argmax-bool": lax.argmax(BOOLS, 1, np.int32),
        "argmin-signed-zeros": lax.argmin(SIGNED_ZEROS, 1, np.int32),
        "argmax-vector": lax.argmax(I32[0], 0, np.int32),
        "cumsum-int32": lax.cumsum(I32, 1),
        "cumsum-int32-reverse": lax.cumsum(I32, 0, reverse=True),
        "cumprod-int8-wraps": lax.cumprod(I8, 1),
        "cumprod-int32-reverse": lax.cumprod(I32, 1, reverse=True),
        "cummax-int32": lax.cummax(I32, 1),
        "cummin-uint8-reverse": lax.cummin(U8, 1, reverse=True),
        "cummax-special": lax.cummax(SPECIAL, 1),
        "cummin-special-reverse": lax.cummin(SPECIAL, 1, reverse=True),
        "cumsum-empty": lax.cumsum(np.ones((0, 2)), 0),
        "associative_scan-int": lax.associative_scan(lambda a, b: a * 2 + b, I32[0]),
        "associative_scan-bool": lax.associative_scan(lambda a, b: a | b, BOOLS, axis=1),
        "sort-int": lax.sort(I32, dimension=0),
        "sort-bool": lax.sort(BOOLS),
        "sort-uint8": lax.sort(U8),
        "sort-special": lax.sort(SPECIAL),
        "sort-special-payload": lax.sort((SPECIAL, np.arange(14).reshape(2, 7)), num_keys=1),
        "sort-signed-zeros-payload": lax.sort((SIGNED_ZEROS, np.arange(12.0).reshape(2, 6))),
        "sort-two-keys-int": lax.sort([KEYS, KEYS[::-1], np.arange(20).reshape(4, 5)], 1, True, 2),
        "sort-complex": lax.sort(
            np.array([1 + 2j, 1 - 1j, np.nan, 0j, -0.0, 1 + np.nan * 1j, 1j, -1j])
        ),
        "sort_key_val-int": lax.sort_key_val(KEYS, np.arange(20.0).reshape(4, 5), 0),
        "sort-empty": lax.sort(np.ones((2, 0))),
        "top_k-special": lax.top_k(SPECIAL, 7),
        "top_k-signed-zeros": lax.top_k(SIGNED_ZEROS, 4),
        "top_k-int": lax.top_k(I32, 2),
        "top_k-bool": lax.top_k(BOOLS, 3),
        "top_k-uint8-axis0": lax.top_k(U8, 1, axis=0),
        "top_k-none": lax.top_k(I32, 0),
        "approx_max_k-signed-zeros": lax.approx_max_k(SIGNED_ZEROS, 4),
        "approx_min_k-signed-zeros": lax.approx_min_k(SIGNED_ZEROS, 5),
        "approx_min_k-axis0": lax.approx_min_k(SIGNED_ZEROS, 2, 0),
        "approx_max_k-float32": lax.approx_max_k(SIGNED_ZEROS.astype(np.float32), 3),
        "dot-int8-wraps": lax.dot(I8, I8.T),
        "dot-int8-preferred-int32": lax.dot(I8, I8.T, preferred_element_type=np.int32),
        "dot-int32-preferred-float64": lax.dot(I32, I32.T, preferred_element_type=np.float64),
        "dot-int32-float32": lax.dot(I32[:, :3], f32),
        "dot-int32-uint32": lax.dot(I32[:, :2], U8.astype(np.uint32)),
        "dot-int32-int64": lax.dot(I32, I32[0].astype(np.int64)),
        "dot-bool": lax.dot(BOOLS, BOOLS.T),
        "dot-float32-float64": lax.dot(f32, np.arange(3.0)),
        "dot-complex-float": lax.dot(np.array([1 + 2j, 3j]), np.array([2.0, 0.5])),
        "dot_general-int": lax.dot_general(I32, KEYS, (((), ()), ((), ()))),
        "batch_matmul-int": lax.batch_matmul(I32[None], I32.T[None]),
        "reduce-int-add": lax.reduce(I32, 0, s.add, (0,)),
        "reduce-int-max-init": lax.reduce(I32, np.int32(5), s.max, (1,)),
        "reduce-int-mul-init": lax.reduce(I32, np.int32(2), s.mul, (0, 1)),
        "reduce-bool-or": lax.reduce(BOOLS, False, s.bor, (1,)),
        "reduce-int-or-init": lax.reduce(I32, np.int32(64), s.bor, (0,)),
        "reduce-no-dimensions": lax.reduce(I32, 0, s.add, ()),
        "reduce-empty-init": lax.reduce(np.ones((0, 3)), 5.0, s.add, (0,)),
    }


def test_integer_bool_and_special_values_are_jaxs_exactly() -> None:
    """Integers (wrapping around as JAX's fixed-width arithmetic), bools, NaN, ±inf and signed
    zeros: JAX's values, indices and dtypes, entry by entry."""
    got = exact_cases(AD)
    expected = jax_compiled(partial(exact_cases, JAX))
    assert got.keys() == expected.keys()
    for name in got:
        assert_exact(got[name], expected[name])
        got_dtypes = [np.asarray(leaf).dtype for leaf in jax.tree_util.tree_leaves(got[name])]
        want_dtypes = [leaf.dtype for leaf in jax.tree_util.tree_leaves(expected[name])]
        assert got_dtypes == want_dtypes, name


def test_orders_at_ties_by_hand() -> None:
    """top_k: the lower index first among equals, -0.0 below 0.0, NaN above inf (XLA's total
    order); sort: stable, -0.0 equal to 0.0, NaN last; argmax: the first maximum."""
    values, indices = alax.top_k(np.array([1.0, -0.0, 3.0, 0.0, 3.0, np.nan, 1.0]), 7)
    assert_exact(indices, np.array([5, 2, 4, 0, 6, 3, 1], np.int32))
    assert_exact(values, np.array([np.nan, 3.0, 3.0, 1.0, 1.0, 0.0, -0.0]))
    assert np.signbit(values[-1]) and not np.signbit(values[-2])
    _, payload = alax.sort_key_val(np.array([0.0, np.nan, -0.0, 1.0, 0.0]), np.arange(5.0))
    assert_exact(payload, np.array([0.0, 2.0, 4.0, 3.0, 1.0]))
    assert_exact(alax.argmax(np.array([2, 7, 7, 1]), 0, np.int32), np.int32(1))


def test_float32_keeps_its_dtype() -> None:
    """float32 operands give float32 results (JAX's, to float32 precision), and a float64
    contraction asked for float32 gives float32."""
    x = X.astype(np.float32)

    def cases(s: SimpleNamespace, x: Any) -> list:
        return [
            s.lax.reduce_sum(x, (0,)),
            s.lax.reduce_max(x, (1, 2)),
            s.lax.cumsum(x, 2),
            s.lax.cumlogsumexp(x, 1, reverse=True),
            s.lax.sort(x, 0),
            s.lax.top_k(x, 2)[0],
            s.lax.dot_general(x, x, (((2,), (2,)), ((0,), (0,)))),
            s.lax.dot(X[0], X[0].T, preferred_element_type=np.float32),
            s.lax.reduce(x, 0.0, s.add, (2,)),
        ]

    assert_close(cases(AD, x), jax_compiled(partial(cases, JAX), x), rtol=RTOL_F32)


def test_approx_k_output_size_without_aggregation_is_xlas() -> None:
    """With ``aggregate_to_topk=False`` the result keeps as many entries as XLA's reduction
    would (then sorted, as JAX's CPU fallback): XLA's own size function decides, for rank 1 and
    rank 2, k = 1 and more, recall targets up to 1, and an input-size override (all entries
    where that size exceeds the axis, which JAX fails on)."""
    for n in (7, 129, 1000, 1025, 5000, 20000):
        for rank, k, recall, override in np.ndindex(2, 3, 3, 2):
            rank, k = rank + 1, (1, 3, 64)[k]
            recall, override = (0.5, 0.95, 1.0)[recall], (-1, 3 * n)[override]
            if k > n:
                continue
            operand = np.zeros((n,) if rank == 1 else (1, n))
            values, indices = alax.approx_min_k(operand, k, -1, recall, override, False)
            expected = jaxlib.approx_top_k_reduction_output_size(
                n, rank, k, recall, False, override
            )
            size = min(expected[0], n)  # JAX fails where XLA's size exceeds the axis
            assert values.shape[-1] == indices.shape[-1] == size, (n, rank, k, recall, override)


def test_approx_k_without_aggregation_matches_jax() -> None:
    x = RNG.standard_normal((2, 1000))

    def run(s: SimpleNamespace, x: Any) -> tuple:
        return (
            s.lax.approx_max_k(x, 10, aggregate_to_topk=False),
            s.lax.approx_min_k(x, 3, recall_target=0.5, aggregate_to_topk=False),
            s.lax.approx_max_k(x.T, 1, reduction_dimension=0, aggregate_to_topk=False),
        )

    assert_exact(run(AD, x), jax_compiled(partial(run, JAX), x))


# ---------------------------------------------------------------------------- errors
F = np.ones((2, 3))
V = np.ones(3)


def unsupported(a: Any, b: Any) -> Any:
    return a - b


# (call(lax), exception, message of admodes' error, whether jax.lax raises the same type)
ERRORS: dict[str, tuple[Callable[[Any], Any], type, str, bool]] = {
    "reduce-duplicate-axes": (lambda L: L.reduce_sum(F, (1, 1)), ValueError, "duplicate", True),
    "reduce-negative-axis": (lambda L: L.reduce_max(F, (-1,)), ValueError, "out-of-bounds", True),
    "reduce-axis-too-large": (lambda L: L.reduce_prod(F, (2,)), ValueError, "0 <= axis", True),
    "reduce-axes-int": (lambda L: L.reduce_sum(F, 0), TypeError, "sequence of ints", True),
    "reduce_sum-bool": (lambda L: L.reduce_sum(F > 0, (0,)), TypeError, "dtype bool", True),
    "reduce_prod-bool": (lambda L: L.reduce_prod(F > 0, (0,)), TypeError, "dtype bool", True),
    "reduce_and-float": (lambda L: L.reduce_and(F, (0,)), TypeError, "bool or integer", True),
    "reduce_xor-float": (lambda L: L.reduce_xor(F, (0,)), TypeError, "bool or integer", True),
    "argmax-empty": (
        lambda L: L.argmax(np.ones((2, 0)), 1, np.int32),
        ValueError,
        "non-empty",
        True,
    ),
    "argmax-float-index": (lambda L: L.argmax(F, 0, np.float32), TypeError, "integer type", True),
    "argmin-negative-axis": (lambda L: L.argmin(F, -1, np.int32), ValueError, "axis -1", True),
    "argmax-complex": (lambda L: L.argmax(V + 1j, 0, np.int32), TypeError, "complex128", True),
    "cumsum-negative-axis": (lambda L: L.cumsum(F, -1), ValueError, "no negative axes", True),
    "cumsum-axis-too-large": (lambda L: L.cumsum(F, 2), ValueError, "out of bounds", True),
    "cummax-bool": (lambda L: L.cummax(F > 0), TypeError, "dtype bool", True),
    "cumlogsumexp-int": (
        lambda L: L.cumlogsumexp(F.astype(int)),
        TypeError,
        "real floating",
        False,
    ),
    "scan-not-callable": (
        lambda L: L.associative_scan(1.0, V),
        TypeError,
        "must be callable",
        True,
    ),
    "scan-lengths": (
        lambda L: L.associative_scan(lambda a, b: a, (V, np.ones(2))),
        ValueError,
        "one length",
        True,
    ),
    "scan-scalar": (lambda L: L.associative_scan(jnp.add, 1.0), ValueError, "out of bounds", False),
    "scan-no-arrays": (lambda L: L.associative_scan(jnp.add, ()), ValueError, "no arrays", False),
    "scan-structure": (
        lambda L: L.associative_scan(lambda a, b: (a[0], a[1], b[0]), (V, V)),
        TypeError,
        "pytree like its inputs",
        False,
    ),
    "sort-num_keys-single": (lambda L: L.sort(V, num_keys=2), ValueError, "equal 1", True),
    "sort-num_keys-range": (
        lambda L: L.sort((V, V), num_keys=3),
        ValueError,
        "between 1 and 2",
        True,
    ),
    "sort-no-operands": (lambda L: L.sort([]), TypeError, "at least one operand", True),
    "sort-shapes": (lambda L: L.sort((V, F)), TypeError, "equal shapes", True),
    "sort-dimension": (lambda L: L.sort(F, dimension=2), ValueError, "out of bounds", True),
    "sort-scalar": (lambda L: L.sort(np.float64(1.0)), ValueError, "dimension 0", True),
    "top_k-too-large": (lambda L: L.top_k(F, 4), ValueError, "no larger than", True),
    "top_k-negative": (lambda L: L.top_k(F, -1), ValueError, "nonnegative", True),
    "top_k-complex": (lambda L: L.top_k(V + 1j, 1), ValueError, "complex", True),
    "top_k-axis": (lambda L: L.top_k(F, 1, axis=2), ValueError, "out of bounds", True),
    "top_k-scalar": (lambda L: L.top_k(np.float64(1.0), 1), ValueError, "dimension 0", True),
    "approx-int": (lambda L: L.approx_max_k(F.astype(int), 1), ValueError, "floating", True),
    "approx-k-zero": (lambda L: L.approx_min_k(F, 0), ValueError, "positive", True),
    "approx-k-too-large": (lambda L: L.approx_max_k(F, 4), ValueError, "size of", True),
    "approx-scalar": (lambda L: L.approx_max_k(np.float64(1.0), 1), TypeError, ">= 1", True),
    "approx-recall": (
        lambda L: L.approx_max_k(F, 1, recall_target=1.5),
        ValueError,
        "recall_target",
        False,
    ),
    "approx-override": (
        lambda L: L.approx_max_k(np.ones(2000), 2, -1, 0.9, 100, False),
        ValueError,
        "override",
        False,
    ),
    "dot_general-contracting-sizes": (
        lambda L: L.dot_general(F, F, (((1,), (0,)), ((), ()))),
        TypeError,
        "same shape, got",
        True,
    ),
    "dot_general-batch-sizes": (
        lambda L: L.dot_general(F, F.T, (((), ()), ((0,), (0,)))),
        TypeError,
        "batch dimensions to have the same shape",
        True,
    ),
    "dot_general-negative": (
        lambda L: L.dot_general(F, F, (((-1,), (1,)), ((), ()))),
        TypeError,
        "nonnegative",
        True,
    ),
    "dot_general-out-of-range": (
        lambda L: L.dot_general(F, F, (((1,), (2,)), ((), ()))),
        TypeError,
        "rhs dimension numbers",
        True,
    ),
    "dot_general-duplicate": (
        lambda L: L.dot_general(F, F, (((1, 1), (1, 1)), ((), ()))),
        TypeError,
        "distinct",
        True,
    ),
    "dot_general-batch-count": (
        lambda L: L.dot_general(F, F, (((), ()), ((0,), ()))),
        TypeError,
        "equal numbers",
        True,
    ),
    "dot_general-overlap": (
        lambda L: L.dot_general(F, F, (((0,), (0,)), ((0,), (0,)))),
        TypeError,
        "disjoint",
        True,
    ),
    "dot_general-malformed": (
        lambda L: L.dot_general(F, F, ((1,), (1,))),
        TypeError,
        "lhs_contracting",
        False,
    ),
    "dot-needs-dimension-numbers": (
        lambda L: L.dot(np.ones((2, 3, 3)), F.T),
        ValueError,
        "dimension_numbers must be specified",
        True,
    ),
    "dot-shapes": (lambda L: L.dot(F, F), ValueError, "dimension_numbers must", True),
    "dot-positional-precision": (lambda L: L.dot(F, V, None), TypeError, "positional", True),
    "dot-narrower-preferred": (
        lambda L: L.dot(V.astype(np.int32), V.astype(np.int32), preferred_element_type=np.int8),
        TypeError,
        "narrower",
        True,
    ),
    "batch_matmul-1d": (lambda L: L.batch_matmul(V, F), ValueError, "at least 2D", True),
    "batch_matmul-ndim": (
        lambda L: L.batch_matmul(np.ones((2, 2, 3)), F.T),
        ValueError,
        "same ndim",
        True,
    ),
    "reduce-unsupported": (
        lambda L: L.reduce(V, 0.0, unsupported, (0,)),
        NotImplementedError,
        "lax.add, lax.mul, lax.max, lax.min",
        False,
    ),
    "reduce-two-operands": (
        lambda L: L.reduce((V, V), (0.0, 0.0), anp.add, (0,)),
        NotImplementedError,
        "reduce each operand",
        False,
    ),
    "reduce-structure": (
        lambda L: L.reduce((V, V), 0.0, jax.lax.add, (0,)),
        ValueError,
        "same tree structure",
        True,
    ),
    "reduce-init-not-scalar": (
        lambda L: L.reduce(V, np.zeros(1), jax.lax.add, (0,)),
        ValueError,
        "non-scalar",
        True,
    ),
    "reduce-init-dtype": (
        lambda L: L.reduce(V, np.float32(1.0), jax.lax.max, (0,)),
        TypeError,
        "dtypes should match",
        True,
    ),
    "reduce-init-kind": (
        lambda L: L.reduce(V.astype(np.int32), 2.5, jax.lax.add, (0,)),
        TypeError,
        "does not fit",
        True,
    ),
}


def _admodes_reduce(operands: Any, init_values: Any, computation: Any, dimensions: Any) -> Any:
    """admodes' ``reduce``, reading jax.lax's monoids as admodes' (``lax.add`` is ``anp.add``),
    so that one call serves both libraries."""
    monoids = {jax.lax.add: anp.add, jax.lax.max: anp.maximum}
    return alax.reduce(operands, init_values, monoids.get(computation, computation), dimensions)


ADMODES_LAX = SimpleNamespace(
    **{**{n: getattr(alax, n) for n in alax.__all__}, "reduce": _admodes_reduce}
)


@pytest.mark.parametrize("name", ERRORS)
def test_bad_input_raises_a_clear_error(name: str) -> None:
    """Bad input raises a TypeError or ValueError that says what was wrong (the type JAX raises,
    where JAX checks the same); computations admodes does not support, NotImplementedError."""
    call, error, match, jax_too = ERRORS[name]
    with pytest.raises(error, match=match):
        call(ADMODES_LAX)
    if jax_too:
        with pytest.raises(error):
            call(jax.lax)
