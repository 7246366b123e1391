"""vmap of the functions that select with masks of their arguments' numbers: numpy's sinc,
nan_to_num, heaviside, trunc, fix, fmax, fmin, modf and i0, scipy.special's entr, factorial,
gammasgn, loggamma, comb, boxcox, boxcox1p and bessel_jn, and linspace, logspace, geomspace and
empty_like of mapped arguments.

Each runs once on the batch (as many ops for twice the batch), equals jax.vmap on ordinary
inputs, and equals the function called at each index, values and gradients in both modes (vmap
of grad, and grad through vmap), at its kinks, zeros, nans and infinities too.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.scipy.special as jss
import numpy as np
import pytest
from conftest import (
    JNP,
    assert_close,
    assert_exact,
    assert_mapped,
    assert_maps_like_a_loop,
    doubled,
    op_count,
    per_index,
)

import admodes as ad
import admodes.numpy as anp
from admodes.scipy import special

A = np.array
RNG = np.random.default_rng(20250611)
#: The batch size of the ordinary inputs.
N = 4
X = RNG.uniform(-3.0, 3.0, (N, 3))
Y = RNG.uniform(-3.0, 3.0, (N, 3))
POS = RNG.uniform(0.5, 4.0, (N, 3))
#: A vmap and the loop of calls it replaces agree to rounding (NumPy's vector and scalar loops).
RTOL_LOOP = 1e-13


def special_of(m: Any) -> Any:
    """The scipy.special that goes with a namespace: admodes' for ``anp``, JAX's for ``JNP``."""
    return special if m is anp else jss


def total(out: Any) -> Any:
    """The sum of every entry of an output (of each part of a tuple)."""
    parts = out if isinstance(out, tuple) else (out,)
    return sum(anp.sum(p) for p in parts)


#: vmap of f equals the loop of calls, values and gradients, and runs once on the batch.
assert_like_loop = functools.partial(assert_maps_like_a_loop, total=total)


# ------------------------------------------------------------------ at kinks, zeros, nan, inf
#: Rows of special points: zeros of either sign, integers and halves, nan and ±inf.
EDGES = A([
    [0.0, -0.0, 1.0, -1.0],
    [2.5, -2.5, 0.5, -0.5],
    [np.nan, np.inf, -np.inf, 3.0],
    [1e-300, -2.0, 0.0, np.nan],
])  # fmt: skip
#: Second arguments for EDGES: ties with it, nans, and ordinary values.
OTHERS = A([
    [0.0, 1.0, 1.0, -2.0],
    [2.5, np.nan, -1.0, -0.5],
    [np.nan, 1.0, 2.0, np.inf],
    [0.0, -2.0, 0.75, 1.0],
])  # fmt: skip

EDGE_CASES = {
    "sinc": (anp.sinc, (0,), (EDGES,)),
    "nan_to_num": (anp.nan_to_num, (0,), (EDGES,)),
    "nan_to_num_values": (lambda x: anp.nan_to_num(x, nan=1.5, posinf=2.0, neginf=-3.0), (0,),
                          (EDGES,)),
    "heaviside": (anp.heaviside, (0, 0), (EDGES, OTHERS)),
    "heaviside_x1": (anp.heaviside, (0, None), (EDGES, 0.5)),
    "heaviside_x2": (anp.heaviside, (None, 0), (EDGES[0], OTHERS)),
    "trunc": (anp.trunc, (0,), (EDGES,)),
    "fix": (anp.fix, (0,), (EDGES,)),
    "fmax": (anp.fmax, (0, 0), (EDGES, OTHERS)),
    "fmin": (anp.fmin, (0, 0), (EDGES, OTHERS)),
    "fmax_x1": (anp.fmax, (0, None), (EDGES, OTHERS[0])),
    "fmin_x2": (anp.fmin, (None, 0), (EDGES[2], OTHERS)),
    "modf": (anp.modf, (0,), (EDGES,)),
    "i0": (anp.i0, (0,), (EDGES,)),
    "entr": (special.entr, (0,), (EDGES,)),
    "factorial": (special.factorial, (0,), (EDGES,)),
    "gammasgn": (special.gammasgn, (0,), (EDGES,)),
    "loggamma": (special.loggamma, (0,), (EDGES,)),
    "comb": (special.comb, (0, 0), (EDGES, OTHERS)),
    "comb_N": (special.comb, (0, None), (EDGES, OTHERS[3])),
    "comb_k": (special.comb, (None, 1), (EDGES[1], OTHERS)),
    "comb_repetition": (lambda n, k: special.comb(n, k, repetition=True), (0, 0),
                        (EDGES, OTHERS)),
    "comb_repetition_k": (lambda n, k: special.comb(n, k, repetition=True), (None, 0),
                          (EDGES[1], OTHERS)),
    # one λ at each index, 0 at some, with x = 0 and inf (where the quotient's derivative is
    # 0 · inf), or one λ per entry
    "boxcox_scalar_lambda": (special.boxcox, (0, 0), (A([0.0, 0.5, 2.0, np.inf]),
                                                        A([0.0, 1.5, 0.0, 0.0]))),
    "boxcox_scalar_lambda_x": (special.boxcox, (None, 0), (A([0.0, 0.5, 2.0, np.inf]),
                                                          A([0.0, 1.5, 0.0, -0.5]))),
    "boxcox_lambdas": (special.boxcox, (0, 0), (np.abs(EDGES), OTHERS)),
    "boxcox_x": (special.boxcox, (0, None), (np.abs(EDGES), 0.0)),
    "boxcox1p_scalar_lambda": (special.boxcox1p, (0, 0), (A([-1.0, 0.5, np.inf, 2.0]),
                                                         A([0.0, 1.5, 0.0, -0.5]))),
    "bessel_jn": (lambda z: special.bessel_jn(z, v=3), (0,), (EDGES,)),
}  # fmt: skip


@pytest.mark.parametrize("name", EDGE_CASES)
def test_like_a_loop_at_special_points(name: str) -> None:
    f, in_axes, args = EDGE_CASES[name]
    with np.errstate(all="ignore"):
        assert_like_loop(f, in_axes, args)


def test_sinc_second_derivative_at_zero() -> None:
    """vmap of sinc'' (the Maclaurin series at 0: −π²/3) is one call, as the loop."""
    second = ad.grad(ad.grad(anp.sinc))
    x = A([0.0, 0.5, -0.0, 2.0])
    assert_close(ad.vmap(second)(x), per_index(second, (0,), (x,)), rtol=RTOL_LOOP)
    assert ad.vmap(second)(x)[0] == pytest.approx(-(np.pi**2) / 3, rel=1e-15)
    assert op_count(ad.vmap(second), (x,)) == op_count(ad.vmap(second), doubled((x,), (0,)))


# ------------------------------------------------------------------ against jax.vmap
JAX_CASES = {
    "sinc": (lambda m: m.sinc, (0,), (np.where(X > 2, 0.0, X),)),
    "nan_to_num": (lambda m: m.nan_to_num, (0,), (EDGES,)),
    "heaviside": (lambda m: m.heaviside, (0, 0), (np.round(X), Y)),
    "heaviside_x2": (lambda m: m.heaviside, (None, 0), (np.round(X[0]), Y)),
    "trunc": (lambda m: m.trunc, (0,), (X,)),
    "fmax": (lambda m: m.fmax, (0, 0), (X, np.where(Y > 1, np.nan, Y))),
    "fmin": (lambda m: m.fmin, (None, 0), (X[0], Y)),
    "modf": (lambda m: m.modf, (0,), (X,)),
    "i0": (lambda m: m.i0, (0,), (X,)),
    "entr": (lambda m: special_of(m).entr, (0,), (X,)),
    "factorial": (lambda m: special_of(m).factorial, (0,), (X,)),
    "gammasgn": (lambda m: special_of(m).gammasgn, (0,), (X,)),
    "loggamma": (lambda m: special_of(m).loggamma, (0,), (POS,)),
    "comb": (lambda m: special_of(m).comb, (0, 0), (POS + 2.0, POS)),
    "comb_k": (lambda m: special_of(m).comb, (None, 0), (POS[0] + 2.0, np.round(POS))),
    "boxcox": (lambda m: special_of(m).boxcox, (0, 0), (POS, Y[:, 0])),
    "boxcox1p": (lambda m: special_of(m).boxcox1p, (0, None), (POS, 0.5)),
    "bessel_jn": (lambda m: lambda z: special_of(m).bessel_jn(z, v=2), (0,), (POS,)),
}  # fmt: skip


@pytest.mark.parametrize("name", JAX_CASES)
def test_maps_like_jax(name: str) -> None:
    fun, in_axes, args = JAX_CASES[name]
    with np.errstate(all="ignore"):
        assert_mapped(fun, in_axes, args)


@pytest.mark.parametrize("name", ["sinc", "i0", "entr", "boxcox", "comb"])
def test_gradient_through_vmap_like_jax(name: str) -> None:
    fun, in_axes, args = JAX_CASES[name]

    def summed(m: Any, f: Callable[..., Any]) -> Callable[..., Any]:
        return lambda *a: m.sum(f(*a))

    argnums = tuple(range(len(args)))
    with np.errstate(all="ignore"):  # entr's log of negative x, unselected
        ours = ad.grad(summed(anp, ad.vmap(fun(anp), in_axes)), argnums)(*args)
        theirs = jax.grad(summed(JNP, jax.vmap(fun(JNP), in_axes)), argnums)(*args)
    assert_close(ours, tuple(map(np.asarray, theirs)))


# ------------------------------------------------------------------ creation from mapped ends
STARTS = A([0.0, -2.0, 1.5, 0.0])
STOPS = A([1.0, 3.0, -1.5, 5e-324])  # the last: a step that underflows to 0


@pytest.mark.parametrize("endpoint", [True, False])
@pytest.mark.parametrize("in_axes", [(0, 0), (0, None), (None, 0)])
def test_linspace_of_mapped_ends_like_a_loop(in_axes: tuple, endpoint: bool) -> None:
    def spaced(start: Any, stop: Any) -> Any:
        return anp.linspace(start, stop, 5, endpoint=endpoint, retstep=True)

    assert_like_loop(spaced, in_axes, (STARTS, STOPS))


def test_linspace_where_the_step_underflows_at_some_indices() -> None:
    """NumPy's (k/div)·(stop − start) at the indices whose step underflows to 0 (the second),
    k·step at the others: each index's own formula, to the last bit of a subnormal."""
    starts, stops = A([0.0, 0.0, 1.0]), A([2e-323, 1.5e-323, 2.0])

    def spaced(start: Any, stop: Any) -> Any:
        return anp.linspace(start, stop, 6, endpoint=False)

    mapped = ad.vmap(spaced)(starts, stops)
    assert_exact(mapped, per_index(spaced, (0, 0), (starts, stops)))
    assert_exact(mapped, per_index(lambda a, b: np.linspace(a, b, 6, endpoint=False), (0, 0),
                              (starts, stops)))  # fmt: skip


@pytest.mark.parametrize("in_axes", [(0, 0), (0, None), (None, 0)])
def test_log_and_geometric_spaces_of_mapped_ends_like_a_loop(in_axes: tuple) -> None:
    assert_like_loop(lambda a, b: anp.logspace(a, b, 4, base=2.0), in_axes, (STARTS, STOPS))
    ends = (A([1.0, -2.0, 0.5, -8.0]), A([8.0, -0.5, 4.0, -1.0]))  # one sign at each index
    assert_like_loop(lambda a, b: anp.geomspace(a, b, 4, axis=0), (0, 0), ends)


@pytest.mark.parametrize("name", ["linspace", "logspace", "geomspace"])
def test_spaces_map_like_jax(name: str) -> None:
    starts, stops = RNG.uniform(0.5, 2.0, N), RNG.uniform(3.0, 5.0, N)
    assert_mapped(lambda m: lambda a, b: getattr(m, name)(a, b, 6), (0, 0), (starts, stops))
    assert_mapped(lambda m: lambda a, b: getattr(m, name)(a, b, 6), (None, 0), (2.0, stops))


def test_empty_like_of_a_mapped_prototype() -> None:
    """Zeros of one index's shape and dtype, as JAX's (and the same at every index)."""
    assert_mapped(lambda m: lambda x: m.empty_like(x) + 1.0, (0,), (X,))
    assert_mapped(lambda m: lambda x: m.empty_like(x, dtype=np.float32, shape=(2,)), (1,), (X,))
