"""admodes.lax.bits against jax.lax (int64 and float64, float32 and float16 too): the integer bit
operations exactly (values and dtypes, shift counts past the bit width and negative ones),
bitcasts bit for bit with JAX's shapes, reduce_precision bit for bit (inf, NaN payloads,
subnormals, ties, overflow; bfloat16-like (8, 7), float16-like (5, 10) and other formats),
broadcast_shapes, ragged_dot (short, empty, negative and overlong groups), and the derivatives
of reduce_precision, optimization_barrier and ragged_dot by ad.jvp, ad.vjp and ad.grad in both
modes (and Hessians) against jax.jvp, jax.vjp and jax.grad to 1e-12. Integer results are
constants to every transform; bad input raises the exception type JAX raises.

Every function body is written once, ``f(L, m, *xs)``, for (L, m) = (admodes.lax.bits,
admodes.numpy) and (jax.lax, jax.numpy); each comparison with JAX is one compiled program."""

from __future__ import annotations

import functools
import inspect
import math
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, assert_close, assert_exact, jax_compiled

import admodes as ad
import admodes.numpy as anp
from admodes.lax import bits

#: The derivatives' tolerance against JAX (float64).
RTOL = 1e-12
INF, NAN = np.inf, np.nan
Fn = Callable[..., Any]


def assert_same_bits(got: Any, want: Any) -> None:
    """Equal dtypes, shapes and bytes (so -0.0 is not 0.0 and a NaN keeps its payload)."""
    got, want = np.asarray(got), np.asarray(want)
    assert (got.dtype, got.shape) == (want.dtype, want.shape)
    assert got.tobytes() == want.tobytes(), f"\n{got!r}\n!=\n{want!r}"


# ---------------------------------------------------------------------------- integers
INT_DTYPES = (np.int8, np.int16, np.int32, np.int64, np.uint8, np.uint32, np.uint64)


def _integer_inputs(dtype: Any) -> dict[str, np.ndarray]:
    """Values (0, ±1, the extremes, bit patterns) against shift counts (0, 1, width − 1, width,
    width + 1, 2·width, 100, and for signed dtypes −1 and −width), and every value against every
    value (for mulhi): arrays of one shape, as jax.lax wants."""
    info = np.iinfo(dtype)
    values = [0, 1, 2, 5, 0x55, info.max, info.min, info.max // 3, info.max - 1]
    counts = [0, 1, 3, info.bits - 1, info.bits, info.bits + 1, 2 * info.bits, 100]
    if info.min < 0:
        values += [-1, -3, -0x55, info.min + 1, info.min // 3]
        counts += [-1, -info.bits, info.min]
    v = np.array(values, dtype)
    x, y = np.meshgrid(v, np.array(counts, dtype), indexing="ij")
    a, b = np.meshgrid(v, v, indexing="ij")
    return {"v": v, "x": x, "y": y, "a": a, "b": b}


C = {np.dtype(d).name: _integer_inputs(d) for d in INT_DTYPES}

#: name -> f(L, c) of one dtype's inputs c: integer results, compared exactly.
INTEGER: dict[str, Fn] = {
    "shift_left": lambda L, c: L.shift_left(c["x"], c["y"]),
    "shift_right_logical": lambda L, c: L.shift_right_logical(c["x"], c["y"]),
    "shift_right_arithmetic": lambda L, c: L.shift_right_arithmetic(c["x"], c["y"]),
    "shift_left-0d-count": lambda L, c: L.shift_left(c["v"], c["v"][3]),
    "shift_right_arithmetic-0d-count": lambda L, c: L.shift_right_arithmetic(c["v"], c["v"][2]),
    "shift_right_logical-0d": lambda L, c: L.shift_right_logical(c["v"][6], c["v"][1]),
    "population_count": lambda L, c: L.population_count(c["x"]),
    "clz": lambda L, c: L.clz(c["x"]),
    "clz-0d": lambda L, c: L.clz(c["v"][0]),
    "mulhi": lambda L, c: L.mulhi(c["a"], c["b"]),
}


def test_integer_operations_are_jaxs_exactly() -> None:
    """Shifts (counts ≥ the bit width and negative ones: 0, or the sign bit repeated; unsigned
    operands of the arithmetic shift sign-extended), popcount and clz (of negative numbers:
    their two's complement bits), mulhi (signed and unsigned, 8 to 64 bits): JAX's values and
    dtypes, shapes included (0-d results too)."""
    expected = jax_compiled(
        lambda c: {(d, k): f(jax.lax, c[d]) for d in c for k, f in INTEGER.items()}, C
    )
    with np.errstate(all="raise"):  # no NumPy overflow warnings either
        for (d, name), want in expected.items():
            got = np.asarray(INTEGER[name](bits, C[d]))
            assert (got.dtype, got.shape) == (want.dtype, want.shape), (d, name)
            assert_exact(got, want)


def test_integer_operations_by_hand() -> None:
    """A few of the values JAX gives, spelled out."""
    i8 = np.array([-128, -3, -1, 0, 1, 127], np.int8)
    assert_exact(bits.shift_left(i8, np.int8(8)), np.zeros(6, np.int8))
    assert_exact(bits.shift_right_arithmetic(i8, np.int8(-1)), np.array([-1, -1, -1, 0, 0, 0]))
    assert_exact(bits.shift_right_logical(i8, np.int8(7)), np.array([1, 1, 1, 0, 0, 0]))
    assert_exact(bits.shift_right_arithmetic(np.uint8(200), np.uint8(1)), np.uint8(228))
    assert_exact(bits.population_count(i8), np.array([1, 7, 8, 0, 1, 7]))
    assert_exact(bits.clz(i8), np.array([0, 0, 0, 8, 7, 1]))
    assert_exact(bits.mulhi(np.int64(-(2**63)), np.int64(-(2**63))), np.int64(2**62))
    assert bits.mulhi(np.uint64(2**64 - 1), np.uint64(2**64 - 1)) == np.uint64(2**64 - 2)
    assert bits.clz(np.uint64(1)).dtype == np.uint64 and bits.clz(np.uint64(1)) == 63


def test_integer_operands_broadcast_and_promote_beyond_jax() -> None:
    """Different dtypes promote (as admodes.numpy: a Python int takes the array's dtype) and
    shapes broadcast, where jax.lax wants one dtype and one shape: JAX's values on the operands
    promoted and broadcast by hand."""
    x = np.array([[-7], [100], [1]], np.int8)
    y = np.array([1, 9, 33, -2], np.int32)
    expected = jax_compiled(
        lambda a, b: [
            jax.lax.shift_left(*jnp.broadcast_arrays(a.astype(np.int32), b)),
            jax.lax.shift_right_arithmetic(*jnp.broadcast_arrays(a.astype(np.int32), b)),
            jax.lax.mulhi(*jnp.broadcast_arrays(a.astype(np.int32), b)),
            jax.lax.shift_left(a, np.int8(3)),
            jax.lax.mulhi(a, np.int8(-100)),
        ],
        x,
        y,
    )
    got = [
        bits.shift_left(x, y),
        bits.shift_right_arithmetic(x, y),
        bits.mulhi(x, y),
        bits.shift_left(x, 3),
        bits.mulhi(x, -100),
    ]
    for g, want in zip(got, expected, strict=True):
        assert g.dtype == want.dtype
        assert_exact(g, want)


# ---------------------------------------------------------------------------- bitcasts
F64 = np.array([0.0, -0.0, 1.0, -2.5, INF, -INF, NAN, 5e-324, np.finfo(np.float64).max, 1e-310])
PAYLOADS = np.array([0x7FF0000000000001, 0xFFF4000000000001, 0x7FF8000000000000], np.uint64)

#: label -> (operand, new dtype).
BITCASTS: dict[str, tuple[np.ndarray, Any]] = {
    "float64-uint32": (F64, np.uint32),
    "float64-int8": (F64, np.int8),
    "float64-float16": (F64, np.float16),
    "float64-int64": (F64, np.int64),
    "float64-float64": (F64, np.float64),
    "uint64-float64": (PAYLOADS, np.float64),
    "uint32-float64": (F64.view(np.uint32).reshape(-1, 2), np.float64),
    "uint8-float64": (F64.view(np.uint8).reshape(-1, 8), np.float64),
    "int16-float32": (np.array([[0, 16320], [-1, -1], [1, 0]], np.int16), np.float32),
    "float32-float16": (np.array([1.5, -0.0, NAN, 3e38], np.float32), np.float16),
    "float32-int32": (np.array([[1.5, -0.0], [INF, 1e-45]], np.float32), np.int32),
    "int64-uint64": (np.array([-1, 0, 2**62]), np.uint64),
    "0d-float64-int8": (np.float64(3.0), np.int8),
    "0d-float64-uint64": (np.float64(-0.0), np.uint64),
    "empty": (np.zeros((2, 0)), np.int32),
    "bool-bool": (np.array([True, False]), np.bool_),
    "complex-complex": (np.array([1 + 2j, -0.0 - 1j]), np.complex128),
}


def test_bitcast_convert_type_is_jaxs_bit_for_bit() -> None:
    """The same bits, and JAX's shapes: a narrower dtype adds a trailing axis (low bytes first),
    a wider one consumes it; 0-d and empty operands; NaN payloads and -0.0 kept."""
    operands = {k: op for k, (op, _) in BITCASTS.items()}
    expected = jax_compiled(
        lambda ops: {k: jax.lax.bitcast_convert_type(ops[k], d) for k, (_, d) in BITCASTS.items()},
        operands,
    )
    for label, (operand, dtype) in BITCASTS.items():
        assert_same_bits(bits.bitcast_convert_type(operand, dtype), expected[label])
    for scalar, dtype in ((3.0, np.int64), (3, np.float64), (-1, np.uint8), (True, bool)):
        assert_same_bits(
            bits.bitcast_convert_type(scalar, dtype), jax.lax.bitcast_convert_type(scalar, dtype)
        )


def test_bitcast_result_is_a_constant() -> None:
    """JAX's derivative of a bitcast is zero, from a float to a float too: the result is a
    constant in both modes."""

    def f(L: Any, m: Any, v: Any) -> Any:
        same = L.bitcast_convert_type(v, np.float64)
        as_int = L.bitcast_convert_type(v, np.int64) % 7
        return m.sum(v * same + v * v * as_int)

    x = np.array([0.5, -1.25, 3.0])
    expected = jax_compiled(jax.grad(functools.partial(f, jax.lax, jnp)), x)
    for mode in MODES:
        assert_close(ad.grad(functools.partial(f, bits, anp), mode=mode)(x), expected, rtol=RTOL)


# ---------------------------------------------------------------------------- reduce_precision
def _reduce_precision_inputs() -> dict[str, np.ndarray]:
    """float64: specials (±0, ±inf, NaN payloads, subnormals, the extremes), the ties and
    boundaries of bfloat16 and float16, values of every magnitude and random bit patterns;
    float32 likewise; every float16."""
    rng = np.random.default_rng(11)
    boundaries = [
        1 + 2.0**-8,  # a bfloat16 tie: to even, 1
        1 + 3 * 2.0**-8,  # a bfloat16 tie: to even, 1 + 2⁻⁶
        1 + 2.0**-8 + 2.0**-40,  # just above the tie
        1 + 2.0**-11,  # a float16 tie
        65504.0,  # float16's largest
        65519.99,  # rounds to it
        65520.0,  # rounds past it: inf
        3.3895313892515355e38,  # bfloat16's largest
        3.3961e38,  # rounds past it: inf
        2.0**-126,  # bfloat16's smallest normal
        2.0**-126 * (1 - 2.0**-9),  # rounds up to it
        2.0**-127,  # a bfloat16 subnormal: 0
        2.0**-14,  # float16's smallest normal
        6e-8,  # a float16 subnormal: 0
        1.0000001,
    ]
    specials = [0.0, -0.0, INF, -INF, NAN, 1.0, -1.0, 5e-324, -1e-310, np.finfo(float).max,
                1e300, -1e-300, *boundaries, *(-b for b in boundaries)]  # fmt: skip
    f64 = np.concatenate(
        [
            np.array(specials),
            PAYLOADS.view(np.float64),
            rng.standard_normal(300) * 10.0 ** rng.uniform(-45, 45, 300),
            rng.integers(0, 2**64 - 1, 300, np.uint64, endpoint=True).view(np.float64),
        ]
    )
    with np.errstate(over="ignore"):
        f32 = np.concatenate(
            [
                f64[: len(specials)].astype(np.float32),
                rng.integers(0, 2**32 - 1, 300, np.uint32, endpoint=True).view(np.float32),
            ]
        )
    f16 = np.arange(2**16, dtype=np.uint16).view(np.float16)
    return {"float64": f64, "float32": f32, "float16": f16}


RP_INPUTS = _reduce_precision_inputs()
#: (exponent bits, mantissa bits) per input dtype: bfloat16-like, float16-like, float32-like,
#: the source's own format (identity), wider ones (identity too), tiny ones.
FORMATS = {
    "float64": [(8, 7), (5, 10), (8, 23), (11, 52), (4, 3), (1, 0), (2, 1), (15, 60), (11, 10),
                (6, 52)],
    "float32": [(8, 7), (5, 10), (8, 23), (4, 3), (11, 52), (3, 23)],
    "float16": [(5, 10), (8, 7), (4, 3), (5, 2), (2, 10)],
}  # fmt: skip


def test_reduce_precision_is_xlas_bit_for_bit() -> None:
    """Round to nearest even, overflow (after rounding) to ±inf, below the smallest normal to ±0,
    NaN (payload included) unchanged, in the operand's dtype."""

    def reference(inputs: dict) -> dict:
        return {
            (d, e, m): jax.lax.reduce_precision(inputs[d], e, m)
            for d, formats in FORMATS.items()
            for e, m in formats
        }

    expected = jax_compiled(reference, RP_INPUTS)
    with np.errstate(all="raise"):
        for (d, e, m), want in expected.items():
            got = bits.reduce_precision(RP_INPUTS[d], e, m)
            if m == 0:  # XLA's emitters disagree on NaN here: see test_reduce_precision_by_hand
                nan = np.isnan(RP_INPUTS[d])
                assert np.isnan(got[nan]).all()
                got, want = got[~nan], want[~nan]
            assert_same_bits(got, want)
    for x in (1.1, np.float32(1.1), np.array(-3.3)):
        got, want = bits.reduce_precision(x, 8, 7), jax.lax.reduce_precision(x, 8, 7)
        assert_same_bits(got, want)


def test_reduce_precision_by_hand() -> None:
    b = bits.reduce_precision(np.array([1 + 2.0**-8, 1 + 3 * 2.0**-8, 3.4e38, 2.0**-127]), 8, 7)
    assert_exact(b, np.array([1.0, 1 + 2.0**-6, INF, 0.0]))
    h = bits.reduce_precision(np.array([65519.0, 65520.0, -6e-8, 2.0**-14]), 5, 10)
    assert_exact(h, np.array([65504.0, INF, -0.0, 2.0**-14]))
    assert np.signbit(h[2])
    # NaN stays itself with no mantissa bits too: JAX's default CPU code generator's value (the
    # older one, which the tests' XLA_FLAGS select, gives +inf there: XLA's two disagree).
    assert_same_bits(bits.reduce_precision(PAYLOADS.view(np.float64), 3, 0), PAYLOADS.view(float))


# ---------------------------------------------------------------------------- derivatives
RNG = np.random.default_rng(5)
X5, Y5 = RNG.standard_normal(5), RNG.standard_normal(5)
LHS = RNG.standard_normal((7, 3))
RHS = RNG.standard_normal((4, 3, 2))
#: Groups: exact, short of m (the rest 0), empty ones, a negative size, past m.
GROUPS = {
    "exact": np.array([2, 1, 3, 1]),
    "short": np.array([1, 2, 0, 1]),
    "all-in-one": np.array([0, 7, 0, 0]),
    "negative": np.array([3, -1, 2, 2]),
    "overlong": np.array([4, 4, 4, 4], np.int32),
}


def _ragged(gs: np.ndarray) -> Fn:
    return lambda L, m, a, b: L.ragged_dot(a, b, gs)


def _barrier(L: Any, m: Any, x: Any, y: Any) -> Any:
    """A pytree through the barrier, used after it."""
    a, (b, c) = L.optimization_barrier((x * y, [m.sin(x), y]))
    return a + b * c


#: name -> (f(L, m, *xs), xs): differentiated in every argument.
DIFFERENTIABLE: dict[str, tuple[Fn, tuple]] = {
    "reduce_precision-bfloat16": (
        lambda L, m, x: L.reduce_precision(x * 3.0, 8, 7) * (x * x + 1.0),
        (X5,),
    ),
    "reduce_precision-float16": (
        lambda L, m, x, y: L.reduce_precision(x * y, 5, 10) + L.reduce_precision(y, 4, 3),
        (X5, Y5),
    ),
    "reduce_precision-identity": (lambda L, m, x: L.reduce_precision(x * x, 11, 52), (X5,)),
    "reduce_precision-float32": (
        lambda L, m, x: L.reduce_precision(x.astype(np.float32), 8, 7).astype(np.float64),
        (X5,),
    ),
    "optimization_barrier": (_barrier, (X5, Y5)),
    **{f"ragged_dot-{k}": (_ragged(gs), (LHS, RHS)) for k, gs in GROUPS.items()},
    "ragged_dot-composite": (
        lambda L, m, a, b: m.tanh(L.ragged_dot(m.sin(a), b * b, GROUPS["short"])),
        (LHS, RHS),
    ),
    "integer-constants": (
        lambda L, m, x: (
            x * L.shift_left(np.int64(3), np.int64(2))
            + x * x * L.population_count(np.int64(-1))
            + L.clz(np.int64(1)) * m.sin(x)
        ),
        (X5,),
    ),
}


def _weights(out: Any) -> np.ndarray:
    """Weights 1 to 2 over the output's entries (so a gradient's terms do not cancel)."""
    return np.linspace(1.0, 2.0, math.prod(np.shape(out))).reshape(np.shape(out))


def _weighted(m: Any, f: Fn) -> Fn:
    return lambda *xs: m.sum(f(*xs) * _weights(f(*xs)))


def _directions(xs: tuple, out_shape: tuple) -> tuple[tuple, np.ndarray]:
    rng = np.random.default_rng(3)
    return tuple(rng.standard_normal(np.shape(x)) for x in xs), rng.standard_normal(out_shape)


def _transforms(name: str) -> tuple[Fn, Fn]:
    """JAX's gradient by reverse and by forward mode: they differ for reduce_precision only (and
    JAX's forward mode, by vmap, does not batch ragged_dot: its jax.grad serves both)."""
    return (jax.grad, jax.jacfwd if name.startswith("reduce_precision") else jax.grad)


@functools.cache
def derivatives_reference() -> dict[str, tuple]:
    """JAX's value, J·t, Jᵀ·v and the gradient of the weighted sum by each mode (jax.grad and
    jax.jacfwd: reduce_precision's rule rounds a tangent and a cotangent differently, so the
    two differ), per case, in one program."""

    def reference() -> dict[str, tuple]:
        out = {}
        for name, (fn, xs) in DIFFERENTIABLE.items():
            f = functools.partial(fn, jax.lax, jnp)
            value = f(*xs)
            ts, v = _directions(xs, value.shape)
            argnums = tuple(range(len(xs)))
            out[name] = (
                value,
                jax.jvp(f, xs, ts)[1],
                jax.vjp(f, *xs)[1](v),
                [t(_weighted(jnp, f), argnums)(*xs) for t in _transforms(name)],
            )
        return out

    return jax_compiled(reference)


@pytest.mark.parametrize("name", DIFFERENTIABLE)
def test_derivatives_match_jax(name: str) -> None:
    """The value and J·t (ad.jvp, forward), Jᵀ·v (ad.vjp, reverse) and the gradient of a
    weighted sum (ad.grad, by each mode) against JAX's, to 1e-12: reduce_precision's tangent and
    cotangent are themselves rounded; the barrier passes both through; ragged_dot differentiates
    in lhs and rhs, never in group_sizes; integer results are constants. The values here are
    compositions, which XLA fuses (an FMA, another order of a sum): to 1e-12 as well; the values
    of the operations themselves are compared exactly by the tests above and below."""
    fn, xs = DIFFERENTIABLE[name]
    value, jt, jtv, gradients = derivatives_reference()[name]
    f = functools.partial(fn, bits, anp)
    ts, v = _directions(xs, value.shape)
    same_value = functools.partial(assert_close, rtol=RTOL)
    same_value(f(*xs), value)
    out, t_out = ad.jvp(f, xs, ts)
    same_value(out, value)
    assert_close(t_out, jt, rtol=RTOL)
    out, pull_back = ad.vjp(f, *xs)
    same_value(out, value)
    assert_close(pull_back(v), jtv, rtol=RTOL)
    for mode, gradient in zip(MODES, gradients, strict=True):
        got = ad.grad(_weighted(anp, f), tuple(range(len(xs))), mode=mode)(*xs)
        assert_close(got, tuple(gradient), rtol=RTOL)


def _rounded(L: Any, m: Any, x: Any) -> Any:
    """A scalar through reduce_precision twice, its argument and its tangents rounded."""
    return m.sum(L.reduce_precision(x * x * 3.1, 8, 7) * L.reduce_precision(x * 1.7, 5, 10))


def _inner(L: Any, m: Any, x: Any) -> Any:
    return L.reduce_precision(x * x * 3.1, 8, 7)


def test_reduce_precision_second_derivatives_match_jax() -> None:
    """Forward over reverse (hessian), reverse over forward and the Jacobians by both engines
    are JAX's (each by the same nesting of modes: the rule rounds what it is given, so jacfwd
    and jacrev differ, in JAX as here); the rule is reduce_precision again, so every order is
    differentiated."""
    f_jax, i_jax = (
        functools.partial(_rounded, jax.lax, jnp),
        functools.partial(_inner, jax.lax, jnp),
    )
    expected = jax_compiled(
        lambda x: (
            jax.hessian(f_jax)(x),
            jax.jacrev(jax.jacfwd(f_jax))(x),
            jax.jacfwd(i_jax)(x),
            jax.jacrev(i_jax)(x),
        ),
        X5,
    )
    f, inner = functools.partial(_rounded, bits, anp), functools.partial(_inner, bits, anp)
    got = (
        ad.hessian(f)(X5),
        ad.jacrev(ad.grad(f, mode="forward"))(X5),
        ad.jacfwd(inner)(X5),
        ad.jacrev(inner)(X5),
    )
    assert_close(got, expected, rtol=RTOL)
    assert np.abs(expected[2] - expected[3]).max() > 1e-3  # the modes differ


def test_optimization_barrier_returns_its_operand() -> None:
    tree = (1.5, {"a": np.array([1, 2]), "b": [np.zeros(2)]})
    assert bits.optimization_barrier(tree) is tree
    want = jax.lax.optimization_barrier(tree)
    assert jax.tree_util.tree_structure(want) == jax.tree_util.tree_structure(tree)
    assert_exact(tree, want)


def test_ragged_dot_values_are_jaxs_exactly() -> None:
    """On integer-valued floats (every sum exact) and integers: JAX's values and dtypes, for
    every kind of group sizes; preferred_element_type and mixed dtypes as JAX's."""
    a = np.round(LHS * 4)
    b = np.round(RHS * 4)
    a32, b32 = a.astype(np.float32), b.astype(np.float32)
    ai, bi = a.astype(np.int32), b.astype(np.int32)

    def cases(L: Any) -> dict[str, Any]:
        out = {k: L.ragged_dot(a, b, gs) for k, gs in GROUPS.items()}
        gs = GROUPS["short"]
        out["int32"] = L.ragged_dot(ai, bi, gs.astype(np.int32))
        out["float32"] = L.ragged_dot(a32, b32, gs)
        out["float32-preferred-64"] = L.ragged_dot(a32, b32, gs, preferred_element_type=np.float64)
        out["float32-float64"] = L.ragged_dot(a32, b, gs)
        out["precision"] = L.ragged_dot(a, b, gs, precision=jax.lax.Precision.HIGHEST)
        return out

    # eagerly: jit of these mixed-precision calls has failed to compile now and then (XLA's
    # result type of the float32 ragged_dot with a float64 preferred type)
    expected = jax.tree_util.tree_map(np.asarray, cases(jax.lax))
    for name, got in cases(bits).items():
        assert np.asarray(got).dtype == expected[name].dtype, name
        assert_exact(got, expected[name])


# ---------------------------------------------------------------------------- shapes
BROADCASTS = [
    ((3, 1), (4,)),
    ((3, 1), (1, 4), (5, 1, 1)),
    ((2, 3),),
    ((), (2,)),
    ((0,), (1,)),
    ((1, 0), (3, 1)),
    ((1, 2), (1, 3, 2)),
    ((np.int64(2),), [1]),
]


@pytest.mark.parametrize("shapes", BROADCASTS, ids=str)
def test_broadcast_shapes_is_jaxs(shapes: tuple) -> None:
    got = bits.broadcast_shapes(*shapes)
    assert got == tuple(jax.lax.broadcast_shapes(*shapes))
    assert isinstance(got, tuple) and all(type(d) is int for d in got)


# ---------------------------------------------------------------------------- errors, names
V = np.array([1.0, 2.0])
I3 = np.array([1, 2, 3])
U32 = np.array([1, 2, 3], np.uint32)

#: name -> (call(L), exception, message match, whether jax.lax raises the same type).
ERRORS: dict[str, tuple[Fn, type[Exception], str, bool]] = {
    "shift-float": (lambda L: L.shift_left(V, 1), TypeError, "x must have an integer", True),
    "shift-float-count": (lambda L: L.shift_left(I3, V), TypeError, "y must have an integer", True),
    "shift-bool": (
        lambda L: L.shift_right_logical(np.array([True]), np.array([True])),
        TypeError,
        "got bool",
        True,
    ),
    "shift-no-common-integer": (
        lambda L: L.shift_left(U32.astype(np.uint64), I3),
        TypeError,
        "no common integer dtype",
        True,
    ),
    "population_count-float": (lambda L: L.population_count(V), TypeError, "integer dtype", True),
    "clz-bool": (lambda L: L.clz(np.array([True])), TypeError, "integer dtype", True),
    "mulhi-float": (lambda L: L.mulhi(V, V), TypeError, "integer dtype", True),
    "bitcast-shape": (
        lambda L: L.bitcast_convert_type(U32, np.float64),
        ValueError,
        "last axis of 2",
        True,
    ),
    "bitcast-0d-wider": (
        lambda L: L.bitcast_convert_type(np.uint32(1), np.float64),
        ValueError,
        "last axis",
        True,
    ),
    "bitcast-complex": (
        lambda L: L.bitcast_convert_type(V + 1j, np.float64),
        TypeError,
        "bool and complex",
        True,
    ),
    "bitcast-bool": (
        lambda L: L.bitcast_convert_type(np.array([True]), np.uint8),
        TypeError,
        "bool and complex",
        True,
    ),
    "bitcast-none": (lambda L: L.bitcast_convert_type(V, None), ValueError, "must be spec", True),
    "bitcast-not-a-dtype": (
        lambda L: L.bitcast_convert_type(V, "not-a-dtype"),
        TypeError,
        "must be a dtype",
        True,
    ),
    "reduce_precision-int": (
        lambda L: L.reduce_precision(I3, 8, 7),
        TypeError,
        "must be float16, float32 or float64",
        True,
    ),
    "reduce_precision-complex": (
        lambda L: L.reduce_precision(V + 1j, 8, 7),
        TypeError,
        "rounds floats",
        True,
    ),
    "reduce_precision-exponent": (
        lambda L: L.reduce_precision(V, 0, 7),
        ValueError,
        "exponent_bits must be positive",
        True,
    ),
    "reduce_precision-mantissa": (
        lambda L: L.reduce_precision(V, 8, -1),
        ValueError,
        "mantissa_bits must be non-negative",
        True,
    ),
    "reduce_precision-float-bits": (
        lambda L: L.reduce_precision(V, 8.0, 7),
        TypeError,
        "must be a Python int",
        True,
    ),
    "broadcast_shapes-incompatible": (
        lambda L: L.broadcast_shapes((3, 1), (4, 1)),
        ValueError,
        r"Incompatible shapes for broadcasting: shapes=\[\(3, 1\), \(4, 1\)\]",
        True,
    ),
    "broadcast_shapes-zero-size": (
        lambda L: L.broadcast_shapes((0,), (3,)),
        ValueError,
        "Incompatible shapes",
        True,
    ),
    "broadcast_shapes-negative": (
        lambda L: L.broadcast_shapes((-1,), (3,)),
        TypeError,
        "nonnegative|non-negative",
        True,
    ),
    "broadcast_shapes-float": (
        lambda L: L.broadcast_shapes((2.0,), (2,)),
        TypeError,
        "be an integer|integer type",
        True,
    ),
    "broadcast_shapes-none": (lambda L: L.broadcast_shapes(), TypeError, "at least one", False),
    "ragged_dot-float-sizes": (
        lambda L: L.ragged_dot(LHS, RHS, np.array([2.0, 2.0, 2.0, 1.0])),
        TypeError,
        "group_sizes must be an array of integers",
        True,
    ),
    "ragged_dot-groups": (
        lambda L: L.ragged_dot(LHS, RHS, np.array([2, 5])),
        TypeError,
        "4 groups",
        True,
    ),
    "ragged_dot-contracted": (
        lambda L: L.ragged_dot(LHS[:, :2], RHS, GROUPS["exact"]),
        TypeError,
        "same size",
        True,
    ),
    "ragged_dot-0d-sizes": (
        lambda L: L.ragged_dot(LHS, RHS, np.array(7)),
        TypeError,
        "1-d",
        True,
    ),
    "ragged_dot-rank": (
        lambda L: L.ragged_dot(LHS, RHS[0], GROUPS["exact"]),
        TypeError,
        "rhs 3-d",
        True,
    ),
    "ragged_dot-group_offset": (
        lambda L: L.ragged_dot(LHS, RHS, GROUPS["exact"], group_offset=np.array([0])),
        NotImplementedError,
        "group_offset is not supported",
        False,  # JAX raises too (a TypeError, its parameter not being hashable)
    ),
}


@pytest.mark.parametrize("name", ERRORS)
def test_bad_input_raises_a_clear_error(name: str) -> None:
    """What was wrong and what to pass, in the exception type JAX raises where JAX checks it."""
    call, error, match, jax_too = ERRORS[name]
    with pytest.raises(error, match=match):
        call(bits)
    if jax_too:
        with pytest.raises(error):
            call(jax.lax)


def test_traced_values_are_refused_by_the_integer_operations() -> None:
    """A traced value is a float: the integer operations refuse it in both modes (saying how to
    use its value on purpose); ragged_dot's group sizes are never differentiated."""
    for mode in MODES:
        grad = functools.partial(ad.grad, mode=mode)
        with pytest.raises(TypeError, match=r"traced value is a float.*stop_gradient"):
            grad(lambda v: anp.sum(bits.shift_left(v, 1)))(V)
        with pytest.raises(TypeError, match="traced value is a float"):
            grad(lambda v: anp.sum(bits.mulhi(I3, v)))(V)
        with pytest.raises(TypeError, match="group_sizes must be an array of integers"):
            grad(lambda s: anp.sum(bits.ragged_dot(LHS, RHS, s)))(np.array([2.0, 2.0, 2.0, 1.0]))


def test_names_and_signatures_are_jax_laxs() -> None:
    """Every exported name is jax.lax's, with its parameter names and kinds (ragged_dot without
    JAX's out_sharding); ``__all__`` is sorted."""
    assert bits.__all__ == sorted(bits.__all__)
    for name in bits.__all__:
        ours = list(inspect.signature(getattr(bits, name)).parameters.values())
        theirs = list(inspect.signature(getattr(jax.lax, name)).parameters.values())
        theirs = [p for p in theirs if p.name != "out_sharding"]
        assert [(p.name, p.kind) for p in ours] == [(p.name, p.kind) for p in theirs], name
