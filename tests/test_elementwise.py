"""NumPy's remaining elementwise functions: derivatives at their special points (kinks, zeros,
infinities, the divisor of ``mod``) against JAX and by hand in both modes; NumPy's values and
dtypes on plain inputs; and ``np.f`` on a traced value reaching ``admodes.numpy.f``.

Random points are covered by the registry walk (``tests/cases/elementwise.py``)."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pytest
from conftest import MODES, assert_close, assert_exact, both
from test_kinks import Kink

import admodes as ad
import admodes.numpy as anp

INF, NAN = np.inf, np.nan
A = np.array
R2 = 1 / np.sqrt(2.0)

SPECIAL = {
    # mod / remainder: ∂/∂y = −floor(x/y), from JAX's −trunc(x/y) + [wrapped]
    "mod-positive": Kink(lambda m, x, y: m.mod(x, y), (5.5, 2.0), (1.0, -2.0)),
    "mod-wrapped": Kink(lambda m, x, y: m.mod(x, y), (-5.5, 2.0), (1.0, 3.0)),
    "mod-negative-divisor": Kink(lambda m, x, y: m.remainder(x, y), (5.5, -2.0), (1.0, 3.0)),
    "mod-exact-multiple": Kink(lambda m, x, y: m.mod(x, y), (6.0, 3.0), (1.0, -2.0)),
    "mod-negative-exact-multiple": Kink(lambda m, x, y: m.mod(x, y), (-6.0, 3.0), (1.0, 2.0)),
    "mod-operator": Kink(lambda m, x, y: x % y, (-5.5, 2.0), (1.0, 3.0)),
    "mod-operator-constant-left": Kink(lambda m, y: 7.0 % y, (-2.0,), (4.0,)),
    "mod-by-zero": Kink(lambda m, x, y: m.mod(x, y), (1.0, 0.0)),
    "fmod-negative": Kink(lambda m, x, y: m.fmod(x, y), (-5.5, 2.0), (1.0, 2.0)),
    "fmod-positive": Kink(lambda m, x, y: m.fmod(x, y), (5.5, 2.0), (1.0, -2.0)),
    "fmod-exact-multiple": Kink(lambda m, x, y: m.fmod(x, y), (-6.0, 3.0), (1.0, 2.0)),
    # hypot: x / hypot, 0.5 to each side at (0, 0), 0 next to an infinity
    "hypot-origin": Kink(lambda m, x, y: m.hypot(x, y), (0.0, 0.0), (0.5, 0.5)),
    "hypot-negative-zero": Kink(lambda m, x, y: m.hypot(x, y), (-0.0, 0.0), (0.5, 0.5)),
    "hypot-on-an-axis": Kink(lambda m, x, y: m.hypot(x, y), (0.0, -3.0), (0.0, -1.0)),
    "hypot-3-4": Kink(lambda m, x, y: m.hypot(x, y), (-3.0, 4.0), (-0.6, 0.8)),
    "hypot-tie": Kink(lambda m, x, y: m.hypot(x, y), (-1.0, 1.0), (-R2, R2)),
    "hypot-inf": Kink(lambda m, x, y: m.hypot(x, y), (INF, 1.0), (0.0, 0.0)),
    "hypot-inf-and-nan": Kink(lambda m, x, y: m.hypot(x, y), (NAN, -INF), (0.0, 0.0)),
    "hypot-array-with-origin": Kink(
        lambda m, x, y: m.sum(m.hypot(x, y)), (A([0.0, 3.0]), A([0.0, 4.0])),
        (A([0.5, 0.6]), A([0.5, 0.8])),
    ),
    # sinc: 1 at 0, derivative 0 there (second derivative below)
    "sinc-at-zero": Kink(lambda m, x: m.sinc(x), (0.0,), (0.0,)),
    "sinc-at-one": Kink(lambda m, x: m.sinc(x), (1.0,), (-1.0,)),
    "sinc-array-with-zero": Kink(lambda m, x: m.sum(m.sinc(x)), (A([0.0, 0.5, -2.0]),),
                                 (A([0.0, -4 / np.pi, -0.5]),)),
    # cbrt: inf at 0
    "cbrt-at-zero": Kink(lambda m, x: m.cbrt(x), (0.0,), (INF,)),
    "cbrt-negative": Kink(lambda m, x: m.cbrt(x), (-8.0,), (1 / 12,)),
    # copysign: ±abs(x), abs'(0) = 1; no derivative w.r.t. the sign source
    "copysign-flip": Kink(lambda m, x, y: m.copysign(x, y), (2.0, -1.0), (-1.0, 0.0)),
    "copysign-zero-magnitude": Kink(lambda m, x, y: m.copysign(x, y), (0.0, -1.0), (-1.0, 0.0)),
    "copysign-negative-zero-sign": Kink(lambda m, x, y: m.copysign(x, y), (-2.0, -0.0),
                                        (1.0, 0.0)),
    "copysign-keep": Kink(lambda m, x, y: m.copysign(x, y), (-2.0, 3.0), (-1.0, 0.0)),
    # heaviside: zero derivative w.r.t. x1; x2 is selected where x1 = 0
    "heaviside-at-zero": Kink(lambda m, x1, x2: m.heaviside(x1, x2), (0.0, 0.5), (0.0, 1.0)),
    "heaviside-positive": Kink(lambda m, x1, x2: m.heaviside(x1, x2), (2.0, 0.5), (0.0, 0.0)),
    "heaviside-nan": Kink(lambda m, x1, x2: m.heaviside(x1, x2), (NAN, 0.5)),
    # nan_to_num: 1 at finite entries, 0 at replaced ones
    "nan_to_num": Kink(lambda m, x: m.sum(m.nan_to_num(x) * A([1.0, 2, 3, 4])),
                       (A([NAN, INF, -INF, 2.0]),), (A([0.0, 0, 0, 4]),)),
    # inverse hyperbolics at the ends of their domains
    "arccosh-at-one": Kink(lambda m, x: m.arccosh(x), (1.0,), (INF,)),
    "arctanh-at-one": Kink(lambda m, x: m.arctanh(x), (1.0,), (INF,)),
    "arcsinh-at-zero": Kink(lambda m, x: m.arcsinh(x), (0.0,), (1.0,)),
    # logaddexp / logaddexp2 with infinite inputs (JAX's guarded derivative)
    "logaddexp-minus-inf": Kink(lambda m, x, y: m.logaddexp(x, y), (-INF, 0.0), (0.0, 1.0)),
    "logaddexp-plus-inf": Kink(lambda m, x, y: m.logaddexp(x, y), (INF, 1.0)),
    "logaddexp-far-apart": Kink(lambda m, x, y: m.logaddexp(x, y), (-1000.0, 1000.0), (0.0, 1.0)),
    "logaddexp-tie": Kink(lambda m, x, y: m.logaddexp(x, y), (1000.0, 1000.0), (0.5, 0.5)),
    "logaddexp2-minus-inf": Kink(lambda m, x, y: m.logaddexp2(x, y), (-INF, 3.0), (0.0, 1.0)),
    "logaddexp2-tie": Kink(lambda m, x, y: m.logaddexp2(x, y), (2.0, 2.0), (0.5, 0.5)),
    # the rest
    "fabs-at-zero": Kink(lambda m, x: m.fabs(x), (0.0,), (1.0,)),
    "float_power-zero-base": Kink(lambda m, x, y: m.float_power(x, y), (0.0, 2.0), (0.0, 0.0)),
    "floor_divide": Kink(lambda m, x, y: m.floor_divide(x, y) * x, (7.5, 2.0), (3.0, 0.0)),
    "true_divide": Kink(lambda m, x, y: m.true_divide(x, y), (3.0, 2.0), (0.5, -0.75)),
    "degrees": Kink(lambda m, x: m.degrees(x), (1.0,), (180 / np.pi,)),
    "deg2rad": Kink(lambda m, x: m.deg2rad(x), (1.0,), (np.pi / 180,)),
    "positive": Kink(lambda m, x: m.positive(x) * x, (3.0,), (6.0,)),
}  # fmt: skip


#: Where JAX's reverse mode gives nan and its forward mode 0 (its composite hypot multiplies a
#: zero cotangent by the ∞·0 of an unselected branch); admodes gives 0 in both modes.
JAX_REVERSE_NAN = {"hypot-inf", "hypot-inf-and-nan"}


def jax_gradient(f: Any, argnums: Any, mode: str) -> Any:
    """JAX's gradient in the same mode: ``grad``, or ``jacfwd`` (where a 0·nan lands in a
    tangent rather than a cotangent)."""
    return (jax.grad if mode == "reverse" else jax.jacfwd)(f, argnums)


@pytest.mark.slow
@pytest.mark.parametrize("name", SPECIAL)
def test_special_point(name: str) -> None:
    """The value and the gradient by each mode equal JAX's in the same mode, and the
    hand-computed gradient."""
    point = SPECIAL[name]
    f_ad, f_jax = both(point.fn)
    argnums = tuple(range(len(point.args)))
    j_value = f_jax(*point.args)
    for mode in MODES:
        with np.errstate(all="ignore"):
            value, grads = ad.value_and_grad(f_ad, argnums=argnums, mode=mode)(*point.args)
        jax_mode = "forward" if name in JAX_REVERSE_NAN else mode
        expected = jax_gradient(f_jax, argnums, jax_mode)(*point.args)
        assert_close((value, grads), (j_value, expected))
        if point.grads is not None:
            assert_close(grads, point.grads, rtol=1e-13)


SECOND = {  # second derivatives at special points, by hand
    "sinc-at-zero": (lambda m, x: m.sinc(x), 0.0, -(np.pi**2) / 3),
    "sinc-at-one": (lambda m, x: m.sinc(x), 1.0, 2.0),
    "hypot-away-from-origin": (lambda m, x: m.hypot(x, 4.0), 3.0, 16 / 125),
    "mod": (lambda m, x: m.mod(x * x, 2.0), 1.5, 2.0),
    "logaddexp": (lambda m, x: m.logaddexp(x, 0.0), 0.0, 0.25),
    "cbrt": (lambda m, x: m.cbrt(x), 8.0, -1 / 144),
}


@pytest.mark.parametrize("name", SECOND)
def test_second_derivative(name: str) -> None:
    """Rules differentiate again: ``hessian`` and forward-over-forward match JAX and the hand
    value (sinc''(0) = −π²/3 comes from its Maclaurin term)."""
    fn, x, expected = SECOND[name]
    f_ad, f_jax = both(fn)
    forward_forward = ad.jacfwd(ad.jacfwd(f_ad))(x)
    assert_close((ad.hessian(f_ad)(x), float(forward_forward)), (expected, expected))
    assert_close(float(jax.hessian(f_jax)(x)), expected)


# ---------------------------------------------------------------------------- NumPy's values
UNARY = ["arcsinh", "arccosh", "arctanh", "cbrt", "deg2rad", "rad2deg", "degrees", "radians",
         "sinc", "fabs", "nan_to_num", "positive"]  # fmt: skip
BINARY = ["remainder", "mod", "fmod", "hypot", "copysign", "logaddexp", "logaddexp2",
          "float_power", "heaviside", "true_divide", "floor_divide"]  # fmt: skip
PLAIN_INPUTS = {
    "float": 1.25,
    "float64": A([1.5, -0.0, 2.25, NAN, INF]),
    "float32": A([1.5, 0.0, -2.25], dtype=np.float32),
    "int": A([3, -2, 1]),
}


@pytest.mark.parametrize("dtype", PLAIN_INPUTS)
@pytest.mark.parametrize("name", UNARY + BINARY)
def test_numpy_values_on_plain_inputs(name: str, dtype: str) -> None:
    """On plain inputs, NumPy's value, shape and dtype."""
    x = PLAIN_INPUTS[dtype]
    args = (x,) if name in UNARY else (x, 0.75)
    with np.errstate(all="ignore"):
        actual, expected = getattr(anp, name)(*args), getattr(np, name)(*args)
    assert np.shape(actual) == np.shape(expected)
    assert np.result_type(actual) == np.result_type(expected)
    dtype = np.result_type(expected)  # float32: NumPy may round in another order
    rtol = 2 * np.finfo(dtype).eps if np.issubdtype(dtype, np.inexact) else 0.0
    np.testing.assert_allclose(actual, expected, rtol=rtol)


def test_where_one_argument() -> None:
    """``where(condition)`` is NumPy's: a tuple of index arrays, also for a traced condition."""
    c = A([[True, False], [False, True]])
    assert_close(anp.where(c), np.where(c))
    indices = []
    ad.grad(lambda x: indices.append(anp.where(x > 1.0)) or anp.sum(x))(A([0.5, 2.0, 3.0]))
    assert_close(indices[0], (A([1, 2]),))
    with pytest.raises(ValueError, match="both or neither"):
        anp.where(c, 1.0)


# ---------------------------------------------------------------------------- NumPy's protocols
def _unary(name: str) -> Any:
    return lambda x: getattr(np, name)(x)


def _binary(name: str) -> Any:
    return lambda x: getattr(np, name)(x, 0.75 - x)


DISPATCH = {
    **{name: _unary(name) for name in UNARY},
    **{name: _binary(name) for name in BINARY},
    "operator-mod": lambda x: x % 0.75,
    "operator-rmod": lambda x: 2.0 % x,
    "where-three-arguments": lambda x: np.where(x > 1.0, x, -x),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", DISPATCH)
def test_numpy_function_on_a_traced_value(name: str, mode: str) -> None:
    """``np.f(x)`` on a traced value reaches ``admodes.numpy.f``: the same gradient as the
    expression spelled with ``admodes.numpy`` (validated against JAX above and in the registry
    walk), not an error and not a dropped derivative."""
    fn = DISPATCH[name]
    x = A([1.5, 0.25, 2.5])
    with np.errstate(all="ignore"):
        grad = ad.grad(lambda x: anp.sum(fn(x)), mode=mode)(x)
        expected = ad.grad(lambda x: anp.sum(_with_module(fn, anp)(x)), mode=mode)(x)
    assert_exact(grad, expected)
    assert not np.all(grad == 0) or name in ("floor_divide", "heaviside")  # piecewise constant


def _with_module(fn: Any, module: Any) -> Any:
    """``fn`` with ``np`` rebound to ``module`` (the same expression in another library)."""
    return type(fn)(fn.__code__, {**fn.__globals__, "np": module}, None, None, fn.__closure__)
