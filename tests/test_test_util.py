"""admodes.test_util against jax.test_util: the same derivative checks pass and fail alike.

Each function is written twice, for admodes and for JAX, with derivative rules given by hand:
correct, or wrong by a factor in one mode or at second order only. Both libraries' check_grads
must pass the correct ones and raise for the wrong ones, in the same modes and orders, and at the
same tolerance boundary.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import jax.test_util
import numpy as np
import pytest

import admodes as ad
import admodes.numpy as anp
import admodes.test_util

AD = SimpleNamespace(lib=ad, m=anp, check=admodes.test_util)
JAX = SimpleNamespace(lib=jax, m=jnp, check=jax.test_util)
SIDES = {"admodes": AD, "jax": JAX}


def sine_by_jvp(side: SimpleNamespace, first: float = 1.0, second: float = 1.0) -> Callable:
    """sin with a custom JVP rule: ``first`` scales the tangent, and ``second`` the derivative
    of the cosine inside the rule (sin'' = −sin scaled: the second derivative only)."""

    @side.lib.custom_jvp
    def cosine(x: Any) -> Any:
        return side.m.cos(x)

    @cosine.defjvp
    def cosine_jvp(primals: tuple, tangents: tuple) -> tuple:
        (x,), (t,) = primals, tangents
        return side.m.cos(x), -second * side.m.sin(x) * t

    @side.lib.custom_jvp
    def sine(x: Any) -> Any:
        return side.m.sin(x)

    @sine.defjvp
    def sine_jvp(primals: tuple, tangents: tuple) -> tuple:
        (x,), (t,) = primals, tangents
        return side.m.sin(x), first * cosine(x) * t

    return sine


def product_by_vjp(side: SimpleNamespace, factor: float = 1.0) -> Callable:
    """x·sin(y) with a custom VJP rule whose cotangent of x is scaled by ``factor``."""

    @side.lib.custom_vjp
    def f(x: Any, y: Any) -> Any:
        return x * side.m.sin(y)

    def fwd(x: Any, y: Any) -> tuple:
        return x * side.m.sin(y), (x, y)

    def bwd(res: tuple, g: Any) -> tuple:
        x, y = res
        return factor * g * side.m.sin(y), g * x * side.m.cos(y)

    f.defvjp(fwd, bwd)
    return f


X = np.array([0.3, -1.2, 0.8])
Y = np.array([1.1, 0.4, -0.6])

#: name: (function of the side, arguments, order, modes). Each is checked on both sides.
CHECKS: dict[str, tuple[Callable[[SimpleNamespace], Callable], tuple, int, tuple]] = {
    "jvp rule right": (sine_by_jvp, (X,), 2, ("fwd", "rev")),
    "jvp rule wrong": (lambda s: sine_by_jvp(s, first=1.01), (X,), 1, ("fwd",)),
    "jvp rule wrong, reverse": (lambda s: sine_by_jvp(s, first=1.01), (X,), 1, ("rev",)),
    "jvp rule right at first order": (lambda s: sine_by_jvp(s, second=0.9), (X,), 1, ("fwd",)),
    "jvp rule wrong at second order": (lambda s: sine_by_jvp(s, second=0.9), (X,), 2, ("fwd",)),
    "jvp rule wrong, second, reverse": (lambda s: sine_by_jvp(s, second=0.9), (X,), 2, ("rev",)),
    "vjp rule right": (product_by_vjp, (X, Y), 1, ("rev",)),
    "vjp rule wrong": (lambda s: product_by_vjp(s, 1.01), (X, Y), 1, ("rev",)),
    "vjp rule wrong, order 2": (lambda s: product_by_vjp(s, 1.01), (X, Y), 2, ("rev",)),
    "vjp rule just inside the tolerance": (
        lambda s: product_by_vjp(s, 1 + 2e-6),
        (X, Y),
        1,
        ("rev",),
    ),
    "vjp rule just outside the tolerance": (
        lambda s: product_by_vjp(s, 1 + 1e-4),
        (X, Y),
        1,
        ("rev",),
    ),
    "plain function, order 3": (
        lambda s: lambda x, y: s.m.sum(s.m.tanh(x) * y**3),
        (X, Y),
        3,
        ("fwd", "rev"),
    ),
    "Python floats": (lambda s: lambda a, b: s.m.exp(a) * b, (0.4, -1.3), 2, ("fwd", "rev")),
    "a dict argument": (
        lambda s: lambda p: s.m.sum(s.m.sin(p["w"]) * p["b"]),
        ({"w": X, "b": Y},),
        2,
        ("fwd", "rev"),
    ),
    "complex input, reverse": (
        lambda s: lambda z: s.m.sum(s.m.abs(z) ** 2),
        (np.array([1.0 + 2.0j, 0.5 - 1.0j]),),
        1,
        ("rev",),
    ),
    "float32": (lambda s: lambda x: s.m.sin(x) * x, (X.astype(np.float32),), 2, ("fwd", "rev")),
}


def _passes(side: SimpleNamespace, name: str) -> bool:
    make, args, order, modes = CHECKS[name]
    try:
        side.check.check_grads(make(side), args, order, modes=modes)
    except AssertionError:
        return False
    return True


@pytest.mark.parametrize("name", CHECKS)
def test_check_grads_passes_and_fails_as_jax(name: str) -> None:
    outcomes = {label: _passes(side, name) for label, side in SIDES.items()}
    assert outcomes["admodes"] == outcomes["jax"], outcomes


def test_the_wrong_rules_are_caught() -> None:
    """The matrix above holds cases both libraries fail: each wrong rule is caught by admodes in
    the mode (and at the order) where it is wrong, and the right ones pass."""
    caught = {name for name in CHECKS if not _passes(AD, name)}
    assert caught == {
        "jvp rule wrong",
        "jvp rule wrong, reverse",
        "jvp rule wrong at second order",
        "jvp rule wrong, second, reverse",
        "vjp rule wrong",
        "vjp rule wrong, order 2",
        "vjp rule just outside the tolerance",
    }


def test_linearize_mode_checks_the_tangent_function() -> None:
    admodes.test_util.check_grads(sine_by_jvp(AD), (X,), 2, modes=("lin",))
    with pytest.raises(AssertionError, match="LIN tangent"):
        admodes.test_util.check_grads(sine_by_jvp(AD, first=1.01), (X,), 1, modes=("lin",))


def test_the_failure_names_the_check() -> None:
    with pytest.raises(AssertionError, match="JVP of JVP tangent"):
        admodes.test_util.check_grads(sine_by_jvp(AD, second=0.9), (X,), 2, modes=("fwd",))
    with pytest.raises(AssertionError, match="VJP cotangent projection"):
        admodes.test_util.check_grads(product_by_vjp(AD, 1.01), (X, Y), 1, modes=("rev",))


def test_tolerances_by_number_and_by_dtype() -> None:
    """A rule 1e-4 off fails JAX's default 1e-5 and passes a looser tolerance, given as a number
    or per dtype, on both sides."""
    for side in SIDES.values():
        f = product_by_vjp(side, 1 + 1e-4)
        for tol in (1e-3, {np.float64: 1e-3}):
            side.check.check_grads(f, (X, Y), 1, modes=("rev",), atol=tol, rtol=tol)


def test_check_jvp_and_check_vjp_take_the_transforms() -> None:
    f = product_by_vjp(AD)
    admodes.test_util.check_vjp(f, lambda *a: ad.vjp(f, *a), (X, Y))
    admodes.test_util.check_jvp(anp.sin, lambda p, t: ad.jvp(anp.sin, p, t), (X,))

    def off(primals: tuple, tangents: tuple) -> tuple:
        return anp.sin(primals[0]), 1.01 * anp.cos(primals[0]) * tangents[0]

    with pytest.raises(AssertionError, match="tangent"):
        admodes.test_util.check_jvp(anp.sin, off, (X,))
    with pytest.raises(AssertionError, match="primal"):
        admodes.test_util.check_jvp(anp.sin, lambda p, t: ad.jvp(anp.cos, p, t), (X,))


def test_integer_arguments_are_held_constant() -> None:
    def f(x: Any, k: int) -> Any:
        return anp.sum(x**k)

    admodes.test_util.check_grads(f, (X, 3), 2)


def test_bad_modes_and_orders_are_refused() -> None:
    with pytest.raises(ValueError, match="modes are 'fwd', 'rev' and 'lin'"):
        admodes.test_util.check_grads(anp.sin, (X,), 1, modes=("forward",))
    with pytest.raises(ValueError, match="order must be a positive integer"):
        admodes.test_util.check_grads(anp.sin, (X,), 0)
