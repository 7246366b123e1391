"""The floating-point, Bessel and integer elementwise functions of ``admodes.numpy``: ``frexp``,
``ldexp``, ``modf``, ``divmod``, ``i0``, ``nextafter``, ``spacing`` and the bit functions.

Values are NumPy's (value, dtype, NumPy scalars for scalar inputs); derivatives are JAX's, by both
modes, ``jacfwd`` and ``jacrev``, at ordinary and special points (zeros of both signs, ±inf, nan,
ties, overflow), and to second order; JAX's references come from one compiled program. The
integer functions are NumPy's on plain values, refuse traced ones with a clear error, and are
reached by NumPy's own functions on a traced value. ``i0`` needs no SciPy: its ``i0e`` and
``i1e`` are SciPy's bit for bit."""

from __future__ import annotations

import functools
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import JNP, MODES, RTOL, RTOL_F32, assert_close, assert_exact, jax_compiled

import admodes as ad
import admodes.numpy as anp
from admodes.rules.elementwise import i0e, i1e

INF, NAN = np.inf, np.nan
TINY = 2.0**-1000  # normal, with an exponent far from 0
HUGE = 2.0**1000

#: Exponents of ldexp (closed over: not differentiated). At (1.5, 1023) JAX's forward mode gives
#: 2^1023, its reverse mode inf (2^1024 in between), and so do admodes' modes.
EXPONENTS = np.array([3, -2, 5, 5, -1080, -3, 1100, 2, 1, -1100, 0, 1023])
#: name -> (fn(m, *float args), float args, by_entry): every float argument is differentiated;
#: ``by_entry``: the derivatives span many magnitudes, so they are also compared entry by entry
#: (JAX's exp2 gives powers of two to 1e-14; admodes' are exact: test_special_points_by_hand).
CASES: dict[str, tuple[Callable[..., Any], tuple, bool]] = {
    "frexp": (
        lambda m, x: m.frexp(x)[0],
        (
            np.array(
                [-INF, -3.5, -2.0, -0.75, -0.0, 0.0, 0.5, 3.0, 1e10, 1e-10, 2.0**-1022, INF, NAN]
            ),
        ),
        True,
    ),
    "frexp-float32": (
        lambda m, x: m.frexp(x)[0],
        (np.array([-3.5, 0.0, 0.75, 6e4], np.float32),),
        True,
    ),
    "frexp-product": (lambda m, x: m.frexp(x)[0] * x, (np.array([-3.0, 0.3, 5.0]),), True),
    "ldexp": (
        lambda m, x: m.ldexp(x, EXPONENTS),
        (np.array([-3.5, -0.0, 0.0, 0.5, 0.75, 1.5, TINY, 1.0, NAN, HUGE, -INF, 1.5]),),
        True,
    ),
    "ldexp-broadcast": (
        lambda m, x: m.ldexp(x, np.array([-1, 0, 4])),
        (np.array([[0.3, -2.0, 7.0], [INF, 0.0, 1e-3]]),),
        True,
    ),
    "ldexp-overflowing-branch": (  # JAX's reverse mode: 0 · inf = nan where x1 is selected
        lambda m, x: m.ldexp(x, np.array([2000, 2000, 2000, -3])),
        (np.array([0.0, -INF, 1.0, 0.5]),),
        True,
    ),
    "ldexp-scalar": (lambda m, x: m.ldexp(x, 3) * x, (0.7,), True),
    "modf": (
        lambda m, x: m.stack(m.modf(x)),
        (np.array([-INF, -2.5, -2.0, -0.5, -0.0, 0.0, 0.5, 1.0, 2.5, 1e300, INF, NAN]),),
        True,
    ),
    "divmod": (
        lambda m, x, y: m.stack(m.divmod(x, y)),
        (
            np.array([7.0, -7.0, 7.0, -7.0, 6.0, -6.0, 0.0, -0.0, 5.0, 0.3]),
            np.array([2.0, 2.0, -2.0, -2.0, 3.0, 3.0, 3.0, 3.0, 0.1, -0.7]),
        ),
        False,
    ),
    "divmod-nonfinite": (
        lambda m, x, y: m.stack(m.divmod(x, y)),
        (np.array([7.5, 1.0, INF, 3.0, -2.0]), np.array([INF, -INF, 2.0, 0.0, INF])),
        False,
    ),
    "divmod-scalar-divisor": (
        lambda m, x: m.divmod(x, 0.75)[1],
        (np.array([-2.0, 0.1, 3.0]),),
        False,
    ),
    "i0": (
        lambda m, x: m.i0(x),
        (np.array([-30.0, -3.0, -0.5, -0.0, 0.0, 1e-3, 0.5, 1.5, 3.0, 25.0, 30.0]),),
        True,
    ),
    "i0-overflow": (lambda m, x: m.i0(x), (np.array([-710.0, 710.0, -INF, INF, NAN, 1.0]),), False),
    "i0-float32": (lambda m, x: m.i0(x), (np.array([-3.0, 0.0, 0.5, 9.0], np.float32),), False),
    # the replacement values traced: their derivative reaches the entries they replace
    "nan_to_num-traced": (
        lambda m, x, c: m.nan_to_num(x, nan=c, posinf=2.0 * c, neginf=-3.0 * c),
        (np.array([np.nan, np.inf, -np.inf, 1.5]), np.float64(0.7)),
        False,
    ),
}
#: Second derivatives (Hessians of a weighted sum) compared with JAX.
SECOND = ("i0",)


def _argnums(args: tuple) -> tuple[int, ...]:
    return tuple(range(len(args)))


def _weighted_sum(m: Any, fn: Callable[..., Any], *args: Any) -> Any:
    """Σ w · fn(m, *args), the weights evenly spaced from 1 to 2 (so that terms do not cancel),
    in the output's dtype."""
    y = fn(m, *args)
    return m.sum(y * np.linspace(1.0, 2.0, np.size(y)).reshape(np.shape(y)).astype(y.dtype))


@functools.cache
def jax_reference() -> dict[str, tuple]:
    """For every case and each argument: JAX's jacfwd and jacrev (which place the nan of a zero
    tangent or cotangent times an infinite partial differently) and its gradient of the weighted
    sum by each mode (reverse: ``jax.grad``; forward: ``jax.jacfwd``); for :data:`SECOND`, its
    Hessian. One argument at a time: JAX's forward mode seeds the others with zero tangents,
    which an infinite partial turns into nan. One program for all, compiled without XLA's
    optimizations (it runs once)."""

    def reference(all_args: dict[str, tuple]) -> dict[str, tuple]:
        out = {}
        for name, args in all_args.items():
            fn, _, _ = CASES[name]
            f, total = functools.partial(fn, JNP), functools.partial(_weighted_sum, JNP, fn)
            by_argument = [
                (
                    jax.jacfwd(f, i)(*args),
                    jax.jacrev(f, i)(*args),
                    jax.grad(total, i)(*args),
                    jax.jacfwd(total, i)(*args),
                )
                for i in _argnums(args)
            ]
            hessian = jax.hessian(total, _argnums(args))(*args) if name in SECOND else None
            out[name] = (by_argument, hessian)
        return out

    all_args = {name: args for name, (_, args, _) in CASES.items()}
    return jax_compiled(reference, all_args)


def _assert_matches(actual: Any, expected: Any, by_entry: bool) -> None:
    """JAX's float32 evaluates its series and exp2 in float32; admodes' i0e and i1e are rounded
    from float64, its powers of two exact."""
    expected = jax.tree_util.tree_map(np.asarray, expected)
    float64 = all(e.dtype == np.float64 for e in jax.tree_util.tree_leaves(expected))
    assert_close(actual, expected, rtol=RTOL if float64 else RTOL_F32)
    if by_entry:  # each entry to its own scale (JAX's float64 rounding varies by 1e-13)
        for a, e in zip(*map(jax.tree_util.tree_leaves, (actual, expected)), strict=True):
            np.testing.assert_allclose(a, e, rtol=1e-12 if float64 else 1e-6, atol=0.0)


@pytest.mark.parametrize("name", CASES)
def test_derivatives_are_jaxs(name: str) -> None:
    """jacfwd and jacrev give JAX's; grad by each mode JAX's gradient in that mode."""
    fn, args, by_entry = CASES[name]
    f, total = functools.partial(fn, anp), functools.partial(_weighted_sum, anp, fn)
    ours = (
        ad.jacfwd,
        ad.jacrev,
        functools.partial(ad.grad, mode="reverse"),
        functools.partial(ad.grad, mode="forward"),
    )
    with np.errstate(all="ignore"):
        for i, expected in enumerate(jax_reference()[name][0]):
            for transform, g, want in zip(ours, (f, f, total, total), expected, strict=True):
                _assert_matches(transform(g, i)(*args), want, by_entry)


@pytest.mark.parametrize("name", SECOND)
def test_second_derivatives_are_jaxs(name: str) -> None:
    """Forward over reverse and reverse over reverse give JAX's Hessian of i0: I₁′ = I₀ − I₁/x,
    and 0 at x = 0 (JAX's rule zeroes every derivative there)."""
    fn, args, by_entry = CASES[name]
    hessian = jax_reference()[name][1]
    total = functools.partial(_weighted_sum, anp, fn)
    argnums = _argnums(args)
    gradient = ad.grad(total, argnums, mode="reverse")
    with np.errstate(all="ignore"):
        _assert_matches(ad.jacfwd(gradient, argnums)(*args), hessian, by_entry)
        _assert_matches(ad.jacrev(gradient, argnums)(*args), hessian, by_entry)


@pytest.mark.parametrize("name", ["frexp", "ldexp", "modf", "divmod"])
def test_piecewise_scalings_have_zero_second_derivatives(name: str) -> None:
    """The derivatives of frexp, ldexp, modf and divmod are piecewise constant: their own
    derivatives are 0 by every nesting, as JAX's."""
    fn, args, _ = CASES[name]
    finite = tuple(np.where(np.isfinite(a), a, 1.0) for a in args)
    total = functools.partial(_weighted_sum, anp, fn)
    argnums = _argnums(args)
    for mode in MODES:
        gradient = ad.grad(total, argnums, mode=mode)
        for transform in (ad.jacfwd, ad.jacrev):
            with np.errstate(over="ignore"):  # ldexp's values overflowing, as NumPy's
                blocks = jax.tree_util.tree_leaves(transform(gradient, argnums)(*finite))
            assert len(blocks) == len(args) ** 2
            assert_exact(blocks, [np.zeros((np.size(a), np.size(a))) for a in args] * len(args))


def test_cases_differentiate() -> None:
    """Every case has a nonzero Jacobian, so the comparisons with JAX test derivatives."""
    for name, (fn, args, _) in CASES.items():
        with np.errstate(all="ignore"):
            jac = ad.jacfwd(functools.partial(fn, anp), _argnums(args))(*args)
        assert sum(np.nansum(np.abs(j)) for j in jac) > 0, name


# ---------------------------------------------------------------------------- NumPy's values
VALUE_CALLS: dict[str, tuple[Callable[..., Any], tuple]] = {
    "frexp": (lambda m, x: m.frexp(x), CASES["frexp"][1]),
    "frexp-subnormal-nonfinite": (
        lambda m, x: m.frexp(x),
        (np.array([5e-324, 1e-310, 2.0**-1023, -INF, INF, NAN, -0.0]),),
    ),
    "frexp-float32": (lambda m, x: m.frexp(x), CASES["frexp-float32"][1]),
    "ldexp": (lambda m, x: m.ldexp(x, EXPONENTS), CASES["ldexp"][1]),
    "ldexp-subnormal-results": (
        lambda m, x: m.ldexp(x, np.array([-1074, -1075, -1050, 1023, 1024, 2000, 10])),
        (np.array([1.0, 1.0, 1.5, 1.9999, 0.75, 1e-300, 1e-310]),),
    ),
    "ldexp-float32": (
        lambda m, x: m.ldexp(x, np.array([3, -140, 127])),
        (np.array([1.5, 1.0, 1.9], np.float32),),
    ),
    "ldexp-integer-base-bool-exponent": (
        lambda m, x: m.ldexp(x, np.array([True, False])),
        (np.array([3.0, 5.0]),),
    ),
    "modf": (lambda m, x: m.modf(x), CASES["modf"][1]),
    "modf-nonfinite": (lambda m, x: m.modf(x), (np.array([-INF, INF, NAN, -0.0]),)),
    "modf-float32": (lambda m, x: m.modf(x), (np.array([-2.5, 7.25], np.float32),)),
    "divmod": (lambda m, x, y: m.divmod(x, y), CASES["divmod"][1]),
    "divmod-nonfinite": (lambda m, x, y: m.divmod(x, y), CASES["divmod-nonfinite"][1]),
    "divmod-float32": (
        lambda m, x, y: m.divmod(x, y),
        (np.array([7.5, -3.0], np.float32), np.array([2.0, 0.7], np.float32)),
    ),
    "i0": (lambda m, x: m.i0(x), CASES["i0"][1]),
    "i0-large": (lambda m, x: m.i0(x), (np.array([-700.0, -30.0, 9.0, 8.0, 700.0]),)),
    "i0-overflow": (lambda m, x: m.i0(x), CASES["i0-overflow"][1]),
    "i0-float32": (lambda m, x: m.i0(x), CASES["i0-float32"][1]),
    "i0-float16": (lambda m, x: m.i0(x), (np.array([0.5, 3.0], np.float16),)),
}
#: The same, on integer inputs (no derivative), where NumPy converts to float64.
INTEGER_VALUE_CALLS = {
    "frexp": lambda m: m.frexp(np.array([3, -8, 0])),
    "ldexp": lambda m: m.ldexp(np.array([3, -1]), np.array([2, 4], np.int8)),
    "modf": lambda m: m.modf(np.array([3, -8])),
    "divmod": lambda m: m.divmod(np.array([7, -7, 7]), np.array([2, 2, -3])),
    "i0": lambda m: m.i0(np.array([3, -2], np.int8)),
    "i0-bool": lambda m: m.i0(np.array([True, False])),
}


@pytest.mark.parametrize("name", VALUE_CALLS)
def test_values_are_numpys(name: str) -> None:
    """NumPy's values and dtypes on plain inputs, and as the primal of a traced computation
    (NumPy's i0 sums its series in float32 for float32 input, 1 − 6e−8 at 0: admodes' is rounded
    from float64, as SciPy's i0e)."""
    fn, args = VALUE_CALLS[name]
    rtol = {np.float64: 1e-15, np.float32: 1e-6, np.float16: 1e-3}[np.asarray(args[0]).dtype.type]
    with np.errstate(all="ignore"):
        expected = fn(np, *args)
        assert_close(fn(anp, *args), expected, rtol=rtol)
        traced, _ = ad.jvp(lambda *a: fn(anp, *a), args, tuple(np.ones_like(a) for a in args))
    assert_close(traced, expected, rtol=rtol)
    exact = not name.startswith("i0")  # i0: NumPy's exp(x) · (c / √x) is rounded differently
    if exact:
        assert_exact(traced, expected)
        for ours, numpys in zip(
            jax.tree_util.tree_leaves(traced), jax.tree_util.tree_leaves(expected), strict=True
        ):
            np.testing.assert_array_equal(np.signbit(ours), np.signbit(numpys))  # −0.0 too


@pytest.mark.parametrize("name", INTEGER_VALUE_CALLS)
def test_integer_inputs_give_numpys_float_values(name: str) -> None:
    """Integer and bool inputs give NumPy's float64 values (no derivative to take)."""
    with np.errstate(all="ignore"):
        assert_close(INTEGER_VALUE_CALLS[name](anp), INTEGER_VALUE_CALLS[name](np), rtol=1e-15)


def test_scalars_are_numpy_scalars() -> None:
    """A Python or NumPy scalar gives NumPy scalars of NumPy's types (np.i0 gives a 0-d array:
    admodes gives the scalar, as its ufuncs do)."""
    calls = {
        "frexp": (lambda m: m.frexp(0.75), lambda m: m.frexp(np.float32(6.0))),
        "ldexp": (lambda m: m.ldexp(0.75, 3), lambda m: m.ldexp(np.float32(1.5), np.int64(2))),
        "modf": (lambda m: m.modf(-2.5), lambda m: m.modf(np.float32(7.25))),
        "divmod": (lambda m: m.divmod(7.5, 2.0), lambda m: m.divmod(np.float32(7.5), 2)),
        "nextafter": (lambda m: m.nextafter(1.0, 2.0), lambda m: m.nextafter(np.float32(1), 0)),
        "spacing": (lambda m: m.spacing(1.0), lambda m: m.spacing(np.float32(-4.0))),
    }
    for name, fns in calls.items():
        for fn in fns:
            ours, numpys = fn(anp), fn(np)
            for a, b in zip(
                jax.tree_util.tree_leaves(ours), jax.tree_util.tree_leaves(numpys), strict=True
            ):
                assert type(a) is type(b) and a == b, name
    assert type(anp.i0(0.5)) is np.float64 and anp.i0(0.5) == pytest.approx(np.i0(0.5), rel=1e-15)
    assert type(anp.i0(np.float32(2.0))) is np.float32


# ---------------------------------------------------------------------------- by hand
def test_special_points_by_hand() -> None:
    """frexp′ = 2^−exponent exactly, inf where that overflows (a subnormal x, which JAX flushes
    to zero); ldexp′ = 2^x2 exactly, and 1 at 0 and ±inf (JAX's select); i0′(0) = i0″(0) = 0
    (JAX's jnp.i0)."""
    x = np.array([-3.5, -0.75, 0.0, 0.3, 1e10, 1e-10, 1e300, 2.0**-1022])
    subnormal = np.array([1e-310, 2.0**-1023])
    x1, x2 = np.array([0.0, -0.0, -INF, -INF]), np.array([7, -3, 3, 2])
    exponent = np.frexp(x)[1]
    for mode in MODES:
        grad = functools.partial(ad.grad, mode=mode)
        with np.errstate(over="ignore"):  # the subnormals' 2^−exponent
            assert_exact(
                grad(lambda x: anp.sum(anp.frexp(x)[0]))(subnormal), np.array([INF, 2.0**1022])
            )
        assert_exact(grad(lambda x: anp.sum(anp.frexp(x)[0]))(x), np.ldexp(1.0, -exponent))
        assert_exact(grad(lambda x: anp.sum(anp.ldexp(x, -exponent)))(x), np.ldexp(1.0, -exponent))
        assert_exact(grad(lambda x: anp.sum(anp.ldexp(x, x2)))(x1), np.ones(4))
        assert_exact(grad(anp.i0)(0.0), 0.0)
        assert_exact(grad(grad(anp.i0))(0.0), 0.0)
        assert_exact(grad(grad(anp.i0))(-0.0), 0.0)
    assert_exact(jax.grad(jnp.i0)(0.0), 0.0)  # jax.numpy's i0 (jax.scipy's gives 1 here)


def test_numpy_functions_on_traced_values_reach_admodes() -> None:
    """np.frexp, np.ldexp, np.modf, np.divmod and np.i0 of a traced value differentiate as the
    functions of admodes.numpy (NumPy's ufunc and function protocols)."""
    x = np.array([-2.5, 0.0, 0.3, 3.0])
    e = np.array([1, -2, 3, 0])
    bodies = (
        lambda m, x: m.frexp(x)[0],
        lambda m, x: m.ldexp(x, e),
        lambda m, x: m.modf(x)[0] + 2 * m.modf(x)[1],
        lambda m, x: m.divmod(x, 0.7)[1],
        lambda m, x: m.i0(x),
    )
    for body in bodies:
        want = ad.jvp(functools.partial(body, anp), (x,), (np.ones(4),))
        assert_exact(ad.jvp(functools.partial(body, np), (x,), (np.ones(4),)), want)


# ---------------------------------------------------------------------------- no derivative
NOT_DIFFERENTIABLE = {
    "nextafter": (lambda m, x: m.nextafter(x, 2.0), lambda m, x: m.nextafter(1.0, x)),
    "spacing": (lambda m, x: m.spacing(x),),
}


@pytest.mark.parametrize("name", NOT_DIFFERENTIABLE)
def test_nextafter_and_spacing_have_numpys_values_and_no_derivative(name: str) -> None:
    """NumPy's values (spacing(−0.0) is +5e−324, as NumPy; JAX's is −5e−324), float32 kept; a
    traced argument raises NotImplementedError by both modes and through NumPy, as JAX raises."""
    x = np.array([-INF, -2.0, -0.0, 0.0, 1e-310, 1.0, 3e30, INF, NAN])
    for x_ in (x, x.astype(np.float32)):
        for body in NOT_DIFFERENTIABLE[name]:
            with np.errstate(all="ignore"):
                ours, numpys = body(anp, x_), body(np, x_)
            assert ours.dtype == numpys.dtype
            assert_exact(ours, numpys)
            np.testing.assert_array_equal(np.signbit(ours), np.signbit(numpys))
    for body in NOT_DIFFERENTIABLE[name]:
        for m in (anp, np):
            for mode in MODES:
                with pytest.raises(NotImplementedError, match=f"{name} has no derivative"):
                    ad.grad(lambda v, body=body, m=m: anp.sum(body(m, v)), mode=mode)(x[1:3])
        with pytest.raises(NotImplementedError):
            jax.grad(lambda v, body=body: jnp.sum(body(JNP, v)))(x[1:3])
    constant = ad.grad(lambda v: v * anp.spacing(ad.stop_gradient(v)))(1.0)  # the way out
    assert constant == np.spacing(1.0)


# ---------------------------------------------------------------------------- integers and bits
I8 = np.array([-128, -5, -1, 0, 1, 7, 127], np.int8)
U8 = np.array([0, 1, 5, 128, 255, 7, 64], np.uint8)
I64 = np.array([-(2**40), -12, 0, 9, 2**62, 35, 1], np.int64)
B = np.array([True, False, True, True, False, False, True])
SHIFTS = np.array([0, 1, 2, 3, 0, 7, 5], np.int8)
#: name -> calls f(m): NumPy's functions on integer and bool arrays and scalars.
INTEGER_CALLS: dict[str, tuple[Callable[[Any], Any], ...]] = {
    "bitwise_and": (lambda m: m.bitwise_and(I8, 6), lambda m: m.bitwise_and(U8, U8[::-1]),
                    lambda m: m.bitwise_and(B, B[::-1]), lambda m: m.bitwise_and(12, 10)),
    "bitwise_or": (lambda m: m.bitwise_or(I64, 3), lambda m: m.bitwise_or(B, False)),
    "bitwise_xor": (lambda m: m.bitwise_xor(I8, -1), lambda m: m.bitwise_xor(U8, np.uint8(255))),
    "bitwise_not": (lambda m: m.bitwise_not(I8), lambda m: m.bitwise_not(B)),
    "bitwise_invert": (lambda m: m.bitwise_invert(U8), lambda m: m.bitwise_invert(np.int16(5))),
    "invert": (lambda m: m.invert(I64), lambda m: m.invert(True)),
    "left_shift": (lambda m: m.left_shift(I8, SHIFTS), lambda m: m.left_shift(U8, 3)),
    "bitwise_left_shift": (lambda m: m.bitwise_left_shift(I64, 2),),
    "right_shift": (lambda m: m.right_shift(I8, SHIFTS), lambda m: m.right_shift(-17, 2)),
    "bitwise_right_shift": (lambda m: m.bitwise_right_shift(U8, SHIFTS.astype(np.uint8)),),
    "bitwise_count": (lambda m: m.bitwise_count(I8), lambda m: m.bitwise_count(I64),
                      lambda m: m.bitwise_count(np.uint8(255))),
    "gcd": (lambda m: m.gcd(I64, 12), lambda m: m.gcd(I8, I8[::-1]), lambda m: m.gcd(0, 0)),
    "lcm": (lambda m: m.lcm(I8, 4), lambda m: m.lcm(np.array([4, 6, 0]), np.array([6, 4, 5]))),
    "packbits": (lambda m: m.packbits(B), lambda m: m.packbits(np.array([[1, 0], [0, 1]]), axis=1),
                 lambda m: m.packbits(U8 % 2, bitorder="little")),
    "unpackbits": (lambda m: m.unpackbits(U8), lambda m: m.unpackbits(U8, count=-3),
                   lambda m: m.unpackbits(U8[None], axis=0, bitorder="little")),
}  # fmt: skip
#: JAX's names that NumPy spells otherwise (NumPy 2 has them as aliases of these).
ALIASES = {
    "bitwise_not": "invert",
    "bitwise_invert": "invert",
    "bitwise_left_shift": "left_shift",
    "bitwise_right_shift": "right_shift",
}


@pytest.mark.parametrize("name", INTEGER_CALLS)
def test_integer_functions_are_numpys(name: str) -> None:
    """NumPy's values and dtypes (NumPy scalars for scalars), also inside a traced computation,
    where they are constants."""
    seen: list = []

    def traced(x: Any) -> Any:
        seen.extend(call(anp) for call in INTEGER_CALLS[name])
        return anp.sum(x)

    for mode in MODES:
        ad.grad(traced, mode=mode)(np.ones(2))
    expected = [call(np) for call in INTEGER_CALLS[name]] * (1 + len(MODES))
    ours = [call(anp) for call in INTEGER_CALLS[name]] + seen
    assert len(ours) == len(expected)
    for a, b in zip(ours, expected, strict=True):
        assert type(a) is type(b) and np.asarray(a).dtype == np.asarray(b).dtype
        assert_exact(a, b)
    assert getattr(anp, name) is getattr(anp, ALIASES.get(name, name))


@pytest.mark.parametrize("name", INTEGER_CALLS)
def test_integer_functions_refuse_traced_values(name: str) -> None:
    """A traced value is a float: admodes.numpy's function and NumPy's (which reaches it through
    __array_ufunc__ or __array_function__) raise TypeError naming the way out."""
    np_fn = getattr(np, name)
    args = (2,) if getattr(np_fn, "nin", 1) == 2 else ()  # a second, integer operand
    for fn in (getattr(anp, name), np_fn):
        for mode in MODES:
            with pytest.raises(TypeError, match=r"integer and bool values.*stop_gradient\(x\)"):
                ad.grad(lambda x, fn=fn: anp.sum(fn(x, *args)), mode=mode)(np.array([1.0, 3.0]))
    with pytest.raises(TypeError):  # NumPy refuses floats as well
        np_fn(np.array([1.0, 3.0]), *args)


# ---------------------------------------------------------------------------- bad input
def test_bad_input_is_refused() -> None:
    """A float exponent (NumPy raises TypeError, JAX ValueError) and complex values (NumPy
    raises TypeError) are refused with what to do instead."""
    with pytest.raises(TypeError, match=r"exponent x2 must be integers.*float64.*astype\(int\)"):
        anp.ldexp(1.0, 2.0)
    with pytest.raises(TypeError, match=r"must be integers.*\(a traced value\).*2\.0\*\*x2"):
        ad.grad(lambda e: anp.ldexp(3.0, e))(2.0)
    with pytest.raises(TypeError):
        np.ldexp(1.0, 2.0)
    z = np.array([1.0 + 2.0j])
    for call in (
        lambda m: m.frexp(z),
        lambda m: m.ldexp(z, 2),
        lambda m: m.modf(z),
        lambda m: m.divmod(z, 2.0),
        lambda m: m.i0(z),
    ):
        with pytest.raises(TypeError, match=r"real values only, got complex128.*x\.real"):
            call(anp)
        with pytest.raises(TypeError):
            call(np)
    with pytest.raises(TypeError, match="i0e is defined for real values only"):
        i0e(z)


# ---------------------------------------------------------------------------- SciPy
def test_bessel_functions_are_scipys_bit_for_bit() -> None:
    """i0e and i1e (Cephes' series, evaluated in NumPy) equal SciPy's exactly, in float64 and
    float32, with SciPy's Python-float results; scipy.special.i0 is admodes.numpy.i0."""
    sc = pytest.importorskip("scipy.special")
    special = pytest.importorskip("admodes.scipy.special")
    x = np.concatenate([np.linspace(-9.0, 9.0, 3601), np.geomspace(8.0, 1e6, 400), [0.0, -0.0]])
    x = np.concatenate([x, -x[-402:], [-INF, INF, NAN, 1e-300, 5e-324]])
    for ours, scipys in ((i0e, sc.i0e), (i1e, sc.i1e)):
        assert_exact(ours(x), scipys(x))
        assert ours(x.astype(np.float32)).dtype == np.float32
        assert_exact(ours(x.astype(np.float32)), scipys(x.astype(np.float32)))
        assert type(ours(0.5)) is float and ours(0.5) == scipys(0.5)
    assert special.i0 is anp.i0
    with np.errstate(all="ignore"):
        assert_close(anp.i0(x[np.abs(x) < 700]), sc.i0(x[np.abs(x) < 700]), rtol=1e-15)


def test_admodes_numpy_needs_no_scipy() -> None:
    """i0 and its derivative work where SciPy cannot be imported."""
    program = (
        "import sys; sys.modules['scipy'] = None\n"
        "import admodes as ad, admodes.numpy as anp\n"
        "print(anp.i0(1.5), ad.grad(anp.i0)(1.5))\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    value, slope = map(float, result.stdout.split())
    assert value == pytest.approx(float(np.i0(1.5)), rel=1e-15)
    assert slope == pytest.approx(float(jax.grad(jnp.i0)(1.5)), rel=1e-14)
