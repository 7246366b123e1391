"""The NumPy functions JAX code commonly uses beyond the core ones (``trapezoid``, ``interp``,
``cov``, ``convolve``, ``insert``, ``select``, ``block``, ``fmax``, ``nanvar``, ...): values,
``grad`` by both modes, ``jacfwd`` and ``jacrev`` against JAX, on random float64 inputs and at
their special points (ties, NaNs, knots, the ends of a range); predicates against JAX and NumPy;
NumPy's values on plain inputs, and ``np.f`` on a traced value reaching ``admodes.numpy.f``."""

from __future__ import annotations

import zlib
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import (
    JNP,
    MODES,
    assert_close,
    assert_exact,
    assert_gradients_match_jax,
    both,
    jax_or_ad,
)

import admodes as ad
import admodes.numpy as anp

NAN = np.nan


def _rng(name: str) -> np.random.Generator:
    return np.random.default_rng(zlib.crc32(name.encode()))


def R(*shape: int, seed: str = "", lo: float | None = None) -> np.ndarray:
    """Standard normal float64 values (fixed seed per shape and tag); ``lo``: |x| + lo."""
    x = _rng(f"{shape}{seed}").standard_normal(shape)
    return np.abs(x) + lo if lo is not None else x


def with_nans(x: np.ndarray, *flat: int) -> np.ndarray:
    x = np.array(x)
    x.reshape(-1)[list(flat)] = NAN
    return x


BINS = np.array([0, 3, 1, 3, 3, 5])  # bin 5 beyond a length of 5: dropped, as JAX's
XP = np.array([-1.5, -0.5, 0.25, 1.0, 2.5])  # increasing knots
#: Rows with NaNs: none, one, all but one, all; and a tie.
NAN_ROWS = with_nans(R(4, 5, seed="nan"), 6, 11, 12, 13, 15, 16, 17, 18, 19)
NAN_ROWS[0, 3] = NAN_ROWS[0, 1]
METHODS = ("lower", "higher", "nearest")  # linear and midpoint: nanquantile and nanmedian
X_AT = np.array([-2.0, -1.5, -0.9, -0.5, 0.0, 0.25, 0.7, 1.0, 2.5, 3.0])  # knots and outside
IDX = np.array([1, 3])

#: NaNs in every row, and a mask that marks at least one number in each.
NAN_SOME = with_nans(R(3, 4, seed="some"), 1, 4, 6, 11)
NAN_MARKED = np.array(
    [[True, False, True, False], [True, True, False, False], [False, True, True, True]]
)
SET_A, SET_B = np.array([3.0, 1.0, 2.0, 3.0, 5.0]), np.array([2.0, 3.0, 7.0])  # with repeats

# name -> (fn(m, *args), args): every float argument is differentiated.
CASES: dict[str, tuple[Callable[..., Any], tuple]] = {
    # elementwise
    "fmax": (lambda m, x, y: m.fmax(x, y), (R(3, 4), R(4, seed="b"))),
    "fmin": (lambda m, x, y: m.fmin(x, y), (R(3, 4), R(4, seed="b"))),
    "fmax-ties-nans": (
        lambda m, x, y: m.fmax(x, y),
        (np.array([1.0, 2.0, NAN, 3.0, NAN, -1.0]), np.array([1.0, NAN, 2.0, 4.0, NAN, -1.0])),
    ),
    "fmin-ties-nans": (
        lambda m, x, y: m.fmin(x, y),
        (np.array([1.0, 2.0, NAN, 3.0, NAN, -1.0]), np.array([1.0, NAN, 2.0, 4.0, NAN, -1.0])),
    ),
    "fmax-ties": (
        lambda m, x, y: m.fmax(x, y) * 2.0 + m.fmin(x, y),
        (np.array([1.0, 2.0, -1.0, 0.5]), np.array([1.0, 0.0, -1.0, 0.5])),
    ),
    "fmax-scalar": (lambda m, x: m.fmax(x, 0.25) * x, (R(5),)),
    "trunc": (lambda m, x: m.trunc(3 * x) * x, (R(6),)),
    "rint": (lambda m, x: m.rint(3 * x) * x, (R(6),)),
    "around": (lambda m, x: m.around(x, 1) * x + m.around(x), (R(6),)),
    "ptp": (lambda m, x: m.ptp(x), (R(3, 4),)),
    "ptp-axis-keepdims": (lambda m, x: m.ptp(x, axis=0, keepdims=True), (R(3, 4),)),
    "ptp-ties": (lambda m, x: m.ptp(x, axis=1), (np.array([[1.0, 3.0, 3.0], [2.0, 2.0, 0.5]]),)),
    "average-weights-along-axes": (
        lambda m, y, w: m.average(y, axis=(2, 0), weights=w),
        (R(2, 3, 4), R(4, 2, lo=0.1)),
    ),
    # JAX's fixed-size set operations and other keywords
    "union1d-size": (lambda m, a, b: m.union1d(a, b, size=7), (SET_A, SET_B)),
    "intersect1d-size": (lambda m, a, b: m.intersect1d(a, b, size=4), (SET_A, SET_B)),
    "intersect1d-size-fill": (
        lambda m, a, b: m.intersect1d(a, b, size=3, fill_value=-1.0),
        (SET_A, SET_B),
    ),
    "setdiff1d-size": (lambda m, a, b: m.setdiff1d(a, b, size=4), (SET_A, SET_B)),
    "setdiff1d-size-cut": (lambda m, a, b: m.setdiff1d(a, b, size=1), (SET_A, SET_B)),
    "setxor1d-size": (lambda m, a, b: m.setxor1d(a, b, size=6), (SET_A, SET_B)),
    "compress-size": (lambda m, x: m.compress(x > 0, x, size=5, fill_value=-2.0), (R(6),)),
    "extract-size": (lambda m, x: m.extract(x > 0, x, size=2), (R(2, 3),)),
    "repeat-total-length-padded": (
        lambda m, x: m.repeat(x, np.array([1, 2, 1]), axis=1, total_repeat_length=7),
        (R(2, 3),),
    ),
    "repeat-total-length-cut": (lambda m, x: m.repeat(x, 2, total_repeat_length=5), (R(2, 3),)),
    "var-given-mean": (
        lambda m, x: m.var(x, axis=1, mean=m.mean(x, axis=1, keepdims=True) * 1.1),
        (R(3, 4),),
    ),
    "std-given-mean": (lambda m, x: m.std(x, axis=0, mean=m.sin(x[:1])), (R(3, 4),)),
    # the NaN-ignoring reductions with JAX's where= and initial=
    "nansum-where-initial": (
        lambda m, x: m.nansum(x, axis=1, where=NAN_MARKED, initial=1.5),
        (NAN_SOME,),
    ),
    "nanmean-where": (lambda m, x: m.nanmean(x, axis=1, where=NAN_MARKED), (NAN_SOME,)),
    "nanmax-where-initial": (
        lambda m, x: m.nanmax(x, axis=1, where=NAN_MARKED, initial=-5.0),
        (NAN_SOME,),
    ),
    "nanmin-initial": (lambda m, x: m.nanmin(x, axis=0, initial=0.5), (NAN_SOME,)),
    # reductions with NaNs
    "nanvar": (lambda m, x: m.nanvar(x), (with_nans(R(3, 4), 1, 6),)),
    "nanvar-axis-ddof": (lambda m, x: m.nanvar(x, axis=1, ddof=1), (with_nans(R(3, 4), 1, 6),)),
    "nanvar-all-nan-row": (
        lambda m, x: m.nanvar(x, axis=1, keepdims=True),
        (with_nans(R(3, 4), 4, 5, 6, 7, 0),),
    ),
    "nanvar-no-nans": (lambda m, x: m.nanvar(x, axis=0), (R(3, 4),)),
    "nanstd": (lambda m, x: m.nanstd(x, axis=0, ddof=1), (with_nans(R(4, 3), 2, 4),)),
    "nanprod": (lambda m, x: m.nanprod(x, axis=1), (with_nans(R(3, 4), 0, 6, 7),)),
    "nanprod-all": (lambda m, x: m.nanprod(x), (with_nans(R(5), 2),)),
    "nancumsum": (lambda m, x: m.nancumsum(x, axis=1), (with_nans(R(3, 4), 1, 6),)),
    "nancumsum-flat": (lambda m, x: m.nancumsum(x), (with_nans(R(2, 3), 0),)),
    # order statistics without the NaNs: an all-NaN row, ties, a single entry left
    "nanmedian-rows": (lambda m, x: m.nanmedian(x, axis=1), (NAN_ROWS,)),
    "nanquantile-q-vector": (
        lambda m, x: m.nanquantile(x, np.array([0.0, 0.3, 1.0]), axis=1, keepdims=True),
        (NAN_ROWS,),
    ),
    "nanpercentile-methods": (
        lambda m, x: m.stack([m.nanpercentile(x, 40.0, axis=0, method=k) for k in METHODS]),
        (NAN_ROWS,),
    ),
    "broadcast_to-shape-keyword": (lambda m, x: m.broadcast_to(x, shape=(2, 3)), (R(3),)),
    "cumulative_sum": (lambda m, x: m.cumulative_sum(x), (R(5),)),
    "cumulative_sum-initial": (
        lambda m, x: m.cumulative_sum(x, axis=0, include_initial=True),
        (R(3, 2),),
    ),
    # integration and interpolation
    "trapezoid": (lambda m, y: m.trapezoid(y), (R(6),)),
    "trapezoid-x": (lambda m, y, x: m.trapezoid(y, x), (R(6), np.cumsum(R(6, lo=0.1)))),
    "trapezoid-x-2d-axis0": (
        lambda m, y, x: m.trapezoid(y, x, axis=0),
        (R(5, 3), np.cumsum(R(5, 3, lo=0.1), axis=0)),
    ),
    "trapezoid-dx": (lambda m, y, dx: m.trapezoid(y, dx=dx, axis=0), (R(4, 3), 0.3)),
    "trapezoid-float32": (lambda m, y: m.trapezoid(y), (R(6).astype(np.float32),)),
    "gradient": (lambda m, y: m.gradient(y), (R(6),)),
    "gradient-coordinates": (lambda m, y, x: m.gradient(y, x), (R(6), np.cumsum(R(6, lo=0.1)))),
    "gradient-2d-mixed": (
        lambda m, y, x: m.stack(m.gradient(y, x, 0.3)),
        (R(5, 3), np.cumsum(R(5, lo=0.1))),
    ),
    "gradient-axis": (lambda m, y: m.gradient(y, 0.5, axis=1), (R(3, 4),)),
    "cumulative_prod-initial": (
        lambda m, x: m.cumulative_prod(x, axis=0, include_initial=True),
        (R(3, 2),),
    ),
    "polyint": (lambda m, p: m.polyint(p, 2, k=np.array([1.0, -2.0])), (R(3),)),
    "polyint-traced-constants": (lambda m, p, k: m.polyint(p, 2, k=k), (R(3), R(2))),
    "polyint-traced-constant": (lambda m, p, k: m.polyint(p, 2, k=k), (R(3), 0.5)),
    "piecewise": (
        lambda m, x: m.piecewise(x, [x < -0.5, x > 0.5], [lambda v: v**2, m.sin, 0.25]),
        (R(7),),
    ),
    "polyadd": (lambda m, a, b: m.polyadd(a, b), (R(4), R(2, seed="b"))),
    "polysub": (lambda m, a, b: m.polysub(a, b), (R(2), R(3, seed="b"))),
    "polymul": (lambda m, a, b: m.polymul(a, b), (R(3), R(2, seed="b"))),
    "matvec": (lambda m, a, v: m.matvec(a, v), (R(2, 3, 4), R(4))),
    "vecmat": (lambda m, v, a: m.vecmat(v, a), (R(3), R(2, 3, 4))),
    "diagflat": (lambda m, v: m.diagflat(v, -1), (R(2, 2),)),
    "ediff1d": (lambda m, x: m.ediff1d(x, to_end=np.array([7.0]), to_begin=-1.0), (R(2, 3),)),
    "nancumprod": (lambda m, x: m.nancumprod(x, axis=1), (with_nans(R(2, 3), 1, 5),)),
    "vander": (lambda m, x: m.vander(x, 5), (R(4),)),
    "vander-increasing": (lambda m, x: m.vander(x, 3, increasing=True), (R(4),)),
    "polyder": (lambda m, p: m.polyder(p, 2), (R(5),)),
    "bincount-weights": (lambda m, w: m.bincount(BINS, w, length=5), (R(6),)),
    "trapezoid-two-points": (lambda m, y, x: m.trapezoid(y, x), (R(3, 2), np.array([0.5, 1.75]))),
    "interp": (lambda m, x, xp, fp: m.interp(x, xp, fp), (R(7), XP, R(5))),
    "interp-knots-and-ends": (lambda m, x, xp, fp: m.interp(x, xp, fp), (X_AT, XP, R(5))),
    "interp-left-right": (
        lambda m, x, fp, left: m.interp(x, XP, fp, left=left, right=-2.0),
        (X_AT, R(5), 0.75),
    ),
    "interp-extrapolate": (
        lambda m, x, fp: m.interp(x, XP, fp, left="extrapolate", right="extrapolate"),
        (X_AT, R(5)),
    ),
    "interp-scalar": (lambda m, x, fp: m.interp(x, XP, fp), (0.4, R(5))),
    "interp-period": (
        lambda m, x, xp, fp: m.interp(x, xp, fp, period=2.0),
        (R(6) * 3, np.array([0.1, 0.7, 1.3, -0.2, 1.9]), R(5)),
    ),
    "polyval": (lambda m, p, x: m.polyval(p, x), (R(4), R(2, 3))),
    # statistics
    "cov": (lambda m, x: m.cov(x), (R(3, 6),)),
    "cov-vector": (lambda m, x: m.cov(x), (R(6),)),
    "cov-y-rowvar": (lambda m, x, y: m.cov(x, y, rowvar=False), (R(6, 2), R(6, 1, seed="y"))),
    "cov-bias-ddof": (lambda m, x: m.cov(x, bias=True) + m.cov(x, ddof=2), (R(2, 5),)),
    "cov-aweights": (lambda m, x, w: m.cov(x, aweights=w), (R(3, 5), R(5, lo=0.2))),
    "cov-fweights-aweights": (
        lambda m, x, w: (
            m.cov(x, fweights=np.array([1, 2, 1, 3, 1]), aweights=w, ddof=0)
            + m.cov(x, fweights=np.array([1, 2, 1, 3, 1]), aweights=w)
        ),
        (R(2, 5), R(5, lo=0.2)),
    ),
    "corrcoef": (lambda m, x: m.corrcoef(x), (R(3, 6),)),
    "corrcoef-y": (lambda m, x, y: m.corrcoef(x, y), (R(6), R(6, seed="y"))),
    "vecdot": (lambda m, x, y: m.vecdot(x, y), (R(3, 4), R(4))),
    "vecdot-axis0": (lambda m, x, y: m.vecdot(x, y, axis=0), (R(4, 3), R(4, 3, seed="b"))),
    # convolutions (the longer input first and second, every mode)
    **{
        f"{op}-{mode}-{order}": (
            lambda m, a, v, op=op, mode=mode: getattr(m, op)(a, v, mode=mode),
            (R(6), R(3)) if order == "long-short" else (R(3), R(6, seed="b")),
        )
        for op in ("convolve", "correlate")
        for mode in ("full", "same", "valid")
        for order in ("long-short", "short-long")
    },
    "convolve-even-kernel-same": (lambda m, a, v: m.convolve(a, v, mode="same"), (R(7), R(4))),
    "correlate-default": (lambda m, a, v: m.correlate(a, v), (R(5), R(2))),
    "convolve-default": (lambda m, a, v: m.convolve(a, v), (R(5), R(5, seed="b"))),
    # creation, differentiable in start and stop
    "logspace": (lambda m, a, b: m.logspace(a, b, 5), (0.25, 1.5)),
    "logspace-base-no-endpoint": (
        lambda m, a, b: m.logspace(a, b, 4, endpoint=False, base=2.0),
        (R(3), R(3, seed="b")),
    ),
    "geomspace": (lambda m, a, b: m.geomspace(a, b, 6), (0.5, 8.0)),
    "geomspace-negative-axis1": (
        lambda m, a, b: m.geomspace(a, b, 4, axis=1),
        (-np.array([0.5, 2.0]), -np.array([3.0, 0.25])),
    ),
    # assembling
    "append": (lambda m, x, v: m.append(x, v), (R(2, 3), R(4))),
    "append-axis": (lambda m, x, v: m.append(x, v, axis=1), (R(2, 3), R(2, 2))),
    "insert-scalar-index": (lambda m, x, v: m.insert(x, 2, v), (R(5), 0.5)),
    "insert-scalar-index-many": (lambda m, x, v: m.insert(x, 1, v, axis=1), (R(2, 3), R(2))),
    "insert-indices": (lambda m, x, v: m.insert(x, np.array([0, 2, 2, 5]), v), (R(5), R(4))),
    "insert-negative-axis0": (
        lambda m, x, v: m.insert(x, np.array([-1, 1]), v, axis=0),
        (R(3, 2), R(2)),
    ),
    "insert-slice": (lambda m, x, v: m.insert(x, slice(0, 3), v), (R(4), R(3))),
    "insert-flattened": (lambda m, x, v: m.insert(x, 3, v), (R(2, 3), R(1))),
    "delete-index": (lambda m, x: m.delete(x, 1), (R(4),)),
    "delete-indices-axis": (lambda m, x: m.delete(x, IDX, axis=1), (R(3, 5),)),
    "delete-slice-flattened": (lambda m, x: m.delete(x, slice(1, None, 2)), (R(2, 3),)),
    "delete-mask": (
        lambda m, x: m.delete(x, np.array([True, False, True, False]), axis=0),
        (R(4, 2),),
    ),
    "block": (
        lambda m, a, b, c, d: m.block([[a, b], [c, d]]),
        (R(2, 2), R(2, 3), R(1, 2), R(1, 3)),
    ),
    "block-vectors": (lambda m, a, b: m.block([a, b, a]), (R(2), R(3))),
    "block-mixed-ranks": (lambda m, a, b: m.block([[a], [b]]), (R(3), R(2, 3))),
    "broadcast_arrays": (
        lambda m, a, b, c: m.stack(list(m.broadcast_arrays(a, b, c))),
        (R(3, 1), R(4), 0.5),
    ),
    "concat": (lambda m, a, b: m.concat([a, b], axis=1), (R(2, 3), R(2, 1))),
    "concat-none": (lambda m, a, b: m.concat([a, b], axis=None), (R(2, 3), R(4))),
    "unstack": (lambda m, x: m.stack(list(m.unstack(x, axis=1))[::-1]), (R(2, 3),)),
    "matrix_transpose": (lambda m, x: m.matrix_transpose(x), (R(2, 3, 4),)),
    "select": (
        lambda m, x, y: m.select([x > 0.5, x < -0.2, y > 0], [x, m.sin(y), x * y], default=y),
        (R(3, 4), R(4)),
    ),
    "select-default-constant": (
        lambda m, x: m.select([x > 0, x > -1], [x**2, -x]),
        (R(6),),
    ),
}


def _argnums(args: tuple) -> tuple[int, ...]:
    return tuple(range(len(args)))


@pytest.mark.parametrize("name", CASES)
def test_value_and_jacobians(name: str) -> None:
    """The value, and jacfwd and jacrev with respect to every argument, equal JAX's."""
    fn, args = CASES[name]
    f_ad, f_jax = both(fn)
    argnums = _argnums(args)
    # One compiled program: eager JAX compiles each of the many small ops on its own.
    value, expected = jax.jit(lambda *a: (f_jax(*a), jax.jacfwd(f_jax, argnums)(*a)))(*args)
    with np.errstate(all="ignore"):
        assert_close(f_ad(*args), value)
        assert_close(ad.jacfwd(f_ad, argnums)(*args), expected)
        assert_close(ad.jacrev(f_ad, argnums)(*args), expected)


#: Cases where a NaN, a tie or a knot makes the two modes' gradients differ from a contraction of
#: the Jacobian (test_value_and_jacobians checks every case's Jacobian by both engines already).
GRAD_CASES = [n for n in CASES if any(k in n for k in ("nan", "fmax", "fmin", "ties", "interp"))]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", GRAD_CASES)
def test_grad(name: str, mode: str) -> None:
    """grad of Σ w·f (fixed random weights) by each mode equals JAX's in the same mode (reverse:
    ``jax.grad``; forward: ``jax.jacfwd``, where a NaN lands in a tangent, not a cotangent)."""
    fn, args = CASES[name]
    out_shape = jax.eval_shape(lambda *a: fn(JNP, *a), *args).shape
    w = _rng(name + "w").standard_normal(out_shape)
    f_ad, f_jax = both(lambda m, *a: m.sum(fn(m, *a) * w))
    argnums = _argnums(args)
    with np.errstate(all="ignore"):
        value, grads = ad.value_and_grad(f_ad, argnums, mode=mode)(*args)
    expected = (jax.grad if mode == "reverse" else jax.jacfwd)(f_jax, argnums)(*args)
    assert_close((value, grads), (f_jax(*args), expected))


def test_cases_differentiate() -> None:
    """Every case has a nonzero Jacobian, so the comparisons with JAX test derivatives (the
    rounding cases multiply by x: their Jacobian is the rounded value, the rounding's own
    derivative being 0, as JAX's)."""
    for name, (fn, args) in CASES.items():
        with np.errstate(divide="ignore", invalid="ignore"):  # the nan* cases' all-NaN slices
            jac = ad.jacfwd(lambda *a, fn=fn: fn(anp, *a), _argnums(args))(*args)
        assert sum(np.nansum(np.abs(j)) for j in jac) > 0, name


# ---------------------------------------------------------------------------- by hand
def test_fmax_fmin_ties_and_nans_by_hand() -> None:
    """JAX's select: a tie and a NaN in x1 send the derivative to x2; a NaN in x2 to x1."""
    x1 = np.array([1.0, 2.0, NAN, 3.0, NAN])
    x2 = np.array([1.0, NAN, 2.0, 4.0, NAN])
    for mode in MODES:
        g1, g2 = ad.grad(lambda a, b: anp.sum(anp.fmax(a, b)), (0, 1), mode=mode)(x1, x2)
        assert_exact((g1, g2), (np.array([0.0, 1, 0, 0, 1]), np.array([1.0, 0, 1, 1, 0])))
        g1, g2 = ad.grad(lambda a, b: anp.sum(anp.fmin(a, b)), (0, 1), mode=mode)(x1, x2)
        assert_exact((g1, g2), (np.array([0.0, 1, 0, 1, 1]), np.array([1.0, 0, 1, 0, 0])))
    assert_exact(anp.fmax(x1, x2), np.fmax(x1, x2))


def test_interp_slopes_by_hand() -> None:
    """At a knot, the slope of the segment to its right; at the last knot, of the last segment;
    outside the range, 0 (the end value is selected)."""
    xp, fp = np.array([0.0, 1.0, 3.0]), np.array([0.0, 2.0, 3.0])
    x = np.array([-1.0, 0.0, 0.5, 1.0, 3.0, 4.0])
    for mode in MODES:
        g = ad.grad(lambda x: anp.sum(anp.interp(x, xp, fp)), mode=mode)(x)
        assert_exact(g, np.array([0.0, 2.0, 2.0, 0.5, 0.5, 0.0]))


def test_fix_is_trunc_with_zero_derivative() -> None:
    """fix (NumPy's; not in JAX 0.10) rounds towards zero, derivative 0 in both modes."""
    x = np.array([-2.5, -0.5, 0.0, 0.5, 1.7])
    assert_exact(anp.fix(x), np.fix(x))
    for mode in MODES:
        g = ad.grad(lambda x: anp.sum(anp.fix(x) * x), mode=mode)(x)
        assert_exact(g, np.fix(x))
    assert_exact(ad.jacfwd(anp.fix)(x), np.zeros((5, 5)))


def test_nan_functions_ignore_nans_by_hand() -> None:
    """nanvar's NaN entries get no derivative; an all-NaN slice is NaN."""
    x = np.array([1.0, NAN, 3.0])
    for mode in MODES:
        g = ad.grad(anp.nanvar, mode=mode)(x)
        assert_exact(g, np.array([-1.0, 0.0, 1.0]))
        g = ad.grad(lambda x: anp.sum(anp.nancumsum(x)), mode=mode)(x)
        assert_exact(g, np.array([3.0, 0.0, 1.0]))
        assert_exact(ad.grad(anp.nanprod, mode=mode)(x), np.array([3.0, 0.0, 1.0]))
    with np.errstate(divide="ignore", invalid="ignore"):  # 0/0 for the all-NaN row, as NumPy
        assert np.isnan(anp.nanvar(np.array([[NAN, NAN], [1.0, 2.0]]), axis=1)[0])


# ---------------------------------------------------------------------------- predicates
PREDICATES = {
    "any": (lambda m, x: m.any(x > 1.0), lambda m, x: m.any(x > 0.5, axis=0)),
    "all": (lambda m, x: m.all(x > -3.0), lambda m, x: m.all(x > -0.5, axis=1, keepdims=True)),
    "isclose": (
        lambda m, x: m.isclose(x, x + 1e-9),
        lambda m, x: m.isclose(x, m.where(x > 0, x * (1 + 2e-5), x), rtol=1e-5, atol=0.0),
    ),
    "signbit": (lambda m, x: m.signbit(x), lambda m, x: m.signbit(x * 0.0)),
    "isin": (
        lambda m, x: m.isin(m.round(x), np.array([0.0, 1.0])),
        lambda m, x: m.isin(m.round(x), np.array([0.0, 1.0]), invert=True),
    ),
}


@pytest.mark.parametrize("name", PREDICATES)
def test_predicates(name: str) -> None:
    """Plain bool results equal JAX's and NumPy's, on plain and on traced values (where they
    look at the primal: no derivative)."""
    x = R(3, 4)
    for body in PREDICATES[name]:
        expected = np.asarray(body(JNP, x))
        assert_exact(body(anp, x), expected)
        assert_exact(body(np, x), expected)
        seen: list = []
        ad.grad(lambda x, body=body, seen=seen: seen.append(body(anp, x)) or anp.sum(x))(x)
        ad.grad(
            lambda x, body=body, seen=seen: seen.append(body(np, x)) or anp.sum(x), mode="forward"
        )(x)
        for s in seen:
            assert isinstance(s, np.ndarray | np.bool_) and s.dtype == bool
            assert_exact(s, expected)
    signs = anp.signbit(np.array([-0.0, 0.0, -1.0, NAN]))
    assert_exact(signs, np.array([True, False, True, False]))
    close = anp.isclose(np.array([NAN, np.inf]), np.array([NAN, np.inf]), equal_nan=True)
    assert_exact(close, np.array([True, True]))


# ---------------------------------------------------------------------------- NumPy's values
NUMPY_VALUES = {
    "trunc": lambda m: m.trunc(np.array([-2.5, -0.5, 0.5, 1.5])),
    "trunc-int": lambda m: m.trunc(np.array([3, -2])),
    "rint": lambda m: m.rint(np.array([-2.5, -0.5, 0.5, 1.5])),
    "around": lambda m: m.around(np.array([1.25, 2.675, -0.5]), 2),
    "fix": lambda m: m.fix(np.array([-2.5, 2.5])),
    "fmax": lambda m: m.fmax(np.array([1.0, NAN, 2.0]), np.array([NAN, 0.5, 3.0])),
    "fmin": lambda m: m.fmin(np.array([1.0, NAN, 2.0]), np.array([NAN, 0.5, 3.0])),
    "ptp": lambda m: m.ptp(R(3, 4), axis=1),
    "concatenate-dtype": lambda m: m.concatenate([R(2), np.arange(3)], dtype=np.float32),
    "ediff1d-float32": lambda m: m.ediff1d(R(4).astype(np.float32), to_end=1.0, to_begin=[2, 3]),
    "select-float32": lambda m: m.select([R(5) > 0], [R(5).astype(np.float32)], default=-1.0),
    "stack-dtype": lambda m: m.stack([R(2), R(2)], dtype=np.complex64),
    "hstack-vstack-dtype": lambda m: m.vstack([m.hstack([R(2)], dtype=np.float32)], dtype=complex),
    "diff-bool": lambda m: m.diff(np.array([True, False, False, True]), n=2),
    "mean-int-dtype": lambda m: m.mean(np.array([15, 25, -15, 14, 35]), dtype=int),
    "average-weights-along-axes": lambda m: m.average(
        R(2, 3, 4), axis=(2, 0), weights=R(4, 2, lo=0.1)
    ),
    "nanvar": lambda m: m.nanvar(with_nans(R(3, 4), 1), axis=0, ddof=1),
    "nanstd": lambda m: m.nanstd(with_nans(R(3, 4), 1)),
    "nanprod": lambda m: m.nanprod(with_nans(R(3, 4), 1), axis=1),
    "nancumsum": lambda m: m.nancumsum(with_nans(R(3, 4), 1)),
    "nanmedian": lambda m: m.nanmedian(with_nans(R(3, 4), 1, 5), axis=0),
    "nanquantile": lambda m: m.nanquantile(with_nans(R(3, 4), 1), [[0.2], [0.9]], axis=1),
    "nanpercentile": lambda m: m.nanpercentile(with_nans(R(3, 4), 2), 30, keepdims=True),
    "cumulative_sum": lambda m: m.cumulative_sum(R(3, 4), axis=1, include_initial=True),
    "trapezoid": lambda m: m.trapezoid(R(4, 5), np.cumsum(R(5, lo=0.1)), axis=1),
    "interp": lambda m: m.interp(X_AT, XP, R(5), left=-7.0),
    "interp-period": lambda m: m.interp(R(6), np.array([0.1, 0.7, 1.3, -0.2]), R(4), period=2.0),
    "polyval": lambda m: m.polyval(R(4), R(3)),
    "cov": lambda m: m.cov(R(3, 6), aweights=R(6, lo=0.1), fweights=np.array([1, 2, 1, 1, 3, 1])),
    "corrcoef": lambda m: m.corrcoef(R(6, 3), rowvar=False),
    "vecdot": lambda m: m.vecdot(R(3, 4), R(4)),
    "convolve": lambda m: m.convolve(R(3), R(7), mode="same"),
    "correlate": lambda m: m.correlate(R(3), R(7), mode="full"),
    "empty_like-shape": lambda m: m.empty_like(R(2, 3)).shape,
    "identity": lambda m: m.identity(3),
    "tri": lambda m: m.tri(3, 4, k=1),
    "logspace": lambda m: m.logspace(0.0, 2.0, 5, base=3.0),
    "geomspace": lambda m: m.geomspace(1.0, 1000.0, 4),
    "append": lambda m: m.append(R(2, 2), [[1.0, 2.0]], axis=0),
    "insert": lambda m: m.insert(R(2, 3), [1, 1, 3], [7.0, 8.0, 9.0], axis=1),
    "insert-scalar": lambda m: m.insert(R(2, 3), 1, [7.0, 8.0], axis=1),
    "delete": lambda m: m.delete(R(3, 4), [0, 2], axis=1),
    "block": lambda m: m.block([[np.eye(2), np.zeros((2, 1))], [np.ones((1, 2)), 5.0]]),
    "broadcast_arrays": lambda m: m.broadcast_arrays(R(3, 1), R(4)),
    "concat": lambda m: m.concat([R(2), R(3)]),
    "unstack": lambda m: m.unstack(R(2, 3), axis=1),
    "matrix_transpose": lambda m: m.matrix_transpose(R(2, 3, 4)),
    "select": lambda m: m.select([R(5) > 0, R(5) > -1], [R(5), 2.0], default=-1.0),
}


@pytest.mark.parametrize("name", NUMPY_VALUES)
def test_numpy_values_on_plain_inputs(name: str) -> None:
    """On plain inputs, NumPy's values, shapes and dtypes."""
    assert_close(NUMPY_VALUES[name](anp), NUMPY_VALUES[name](np))


@pytest.mark.parametrize("like", [[1.0, 2.0], [[1, 2], [3, 4]], (1.0, 2.0), 3, 2.5, np.float32(1)])
def test_like_functions_take_what_numpy_takes(like: Any) -> None:
    """zeros_like, ones_like and full_like on lists, tuples and scalars: NumPy's results."""
    for ours, theirs in ((anp.zeros_like, np.zeros_like), (anp.ones_like, np.ones_like)):
        assert_exact(ours(like), theirs(like))
        assert ours(like).dtype == theirs(like).dtype
    assert_exact(anp.full_like(like, 7), np.full_like(like, 7))
    assert anp.full_like(like, 7).dtype == np.full_like(like, 7).dtype


def test_real_only_functions_take_lists() -> None:
    """Lists are values (NumPy's), and a complex one is refused by its dtype."""
    for name, args in (("frexp", ([1.0, 2.0],)), ("modf", ([1.5, -2.5],)), ("i0", ([1.0, 3.0],))):
        assert_close(getattr(anp, name)(*args), getattr(np, name)(*args))
    assert_close(anp.divmod([3.0, -7.0], [2.0, 2.0]), np.divmod([3.0, -7.0], [2.0, 2.0]))
    assert_close(anp.ldexp([1.0, 3.0], [2, 1]), np.ldexp([1.0, 3.0], [2, 1]))
    with pytest.raises(TypeError, match="real values only, got complex128"):
        anp.i0([1j])


def test_empty_like_is_zeros_like_jax() -> None:
    x = R(2, 3)
    out = anp.empty_like(x, dtype=np.float32)
    assert_exact(out, np.zeros((2, 3), np.float32))
    assert out.dtype == np.float32 and isinstance(out, anp.Array)
    assert_exact(anp.empty_like(x, shape=(4,)), np.zeros(4))


# ---------------------------------------------------------------------------- NumPy dispatch
DISPATCH = {
    "trunc": lambda m, x: m.trunc(x) + x,
    "rint": lambda m, x: m.rint(x) + x,
    "around": lambda m, x: m.around(x, 1) + x,
    "fix": lambda m, x: m.fix(x) + x,
    "fmax": lambda m, x: m.fmax(x, 0.1),
    "fmin": lambda m, x: m.fmin(0.1, x),
    "ptp": lambda m, x: m.ptp(x, axis=0),
    "nanvar": lambda m, x: m.nanvar(x, axis=1),
    "nanstd": lambda m, x: m.nanstd(x),
    "nanprod": lambda m, x: m.nanprod(x, axis=0),
    "nancumsum": lambda m, x: m.nancumsum(x, axis=1),
    "nanmedian": lambda m, x: m.nanmedian(x, axis=0),
    "nanquantile": lambda m, x: m.nanquantile(x, 0.3),
    "nanpercentile": lambda m, x: m.nanpercentile(x, [20.0, 70.0], axis=1),
    "broadcast_to": lambda m, x: m.broadcast_to(x, shape=(2, 3, 3)),
    "cumulative_sum": lambda m, x: m.cumulative_sum(x, axis=0),
    "trapezoid": lambda m, x: m.trapezoid(x, dx=0.5),
    "interp": lambda m, x: m.interp(m.ravel(x), XP, m.ones(5) * 2.0),
    "polyval": lambda m, x: m.polyval(m.ravel(x)[:3], x),
    "cov": lambda m, x: m.cov(x),
    "corrcoef": lambda m, x: m.corrcoef(x),
    "vecdot": lambda m, x: m.vecdot(x, x),
    "convolve": lambda m, x: m.convolve(x[0], x[1], mode="same"),
    "correlate": lambda m, x: m.correlate(x[0], x[1], mode="full"),
    "append": lambda m, x: m.append(x, x[:1], axis=0),
    "insert": lambda m, x: m.insert(x, 1, x[0], axis=0),
    "delete": lambda m, x: m.delete(x, 1, axis=1),
    "block": lambda m, x: m.block([[x, x], [x, x]]),
    "broadcast_arrays": lambda m, x: m.broadcast_arrays(x, x[0])[1],
    "concat": lambda m, x: m.concat([x, x]),
    "unstack": lambda m, x: m.unstack(x)[1],
    "matrix_transpose": lambda m, x: m.matrix_transpose(x),
    "select": lambda m, x: m.select([x > 0], [x], x * 2),
}


@pytest.mark.parametrize("name", DISPATCH)
def test_numpy_dispatch(name: str) -> None:
    """``np.f`` on a traced value reaches ``admodes.numpy.f``: same value and Jacobian."""
    x = R(3, 3)
    fn = DISPATCH[name]
    assert_close(ad.jacfwd(lambda x: fn(np, x))(x), ad.jacfwd(lambda x: fn(anp, x))(x))
    assert_close(ad.jacrev(lambda x: fn(np, x))(x), ad.jacfwd(lambda x: fn(anp, x))(x))


@pytest.mark.parametrize(("num", "endpoint"), [(1, True), (0, True), (0, False), (1, False),
                                               (4, True)])  # fmt: skip
def test_linspace_step_is_jaxs(num: int, endpoint: bool) -> None:
    """retstep's step (stop − start)/div, differentiable as JAX's; where div is 0 (num 0, or 1
    with the endpoint) it is NumPy's nan, a constant: derivative 0, as JAX's."""

    def fn(m: Any) -> Any:
        return lambda a, b: m.linspace(a, b, num, endpoint=endpoint, retstep=True)[1]

    want = np.linspace(0.5, 2.0, num, endpoint=endpoint, retstep=True)[1]
    assert_close(ad.vjp(fn(anp), 0.5, 2.0)[0], np.float64(want))
    expected = tuple(float(g) for g in jax.grad(fn(JNP), (0, 1))(0.5, 2.0))
    for mode in MODES:
        assert_exact(ad.grad(fn(anp), (0, 1), mode=mode)(0.5, 2.0), expected)


def test_errors() -> None:
    x = R(5)
    with pytest.raises(ValueError, match="mode"):
        anp.convolve(x, x, mode="bad")
    with pytest.raises(ValueError, match="one-dimensional"):
        anp.interp(x, XP[:, None], XP[:, None])
    with pytest.raises(ValueError, match="length"):
        anp.select([x > 0], [x, x])
    with pytest.raises(ValueError, match="2-D"):
        anp.matrix_transpose(x)
    with pytest.raises(ValueError, match="axis"):
        anp.cumulative_sum(R(2, 3))


ARRAY_API_NAMES = {  # NumPy 2's name: (function of (m, x), input)
    "acos": (lambda m, x: m.acos(x), 0.9 * np.tanh(R(5))),
    "asin": (lambda m, x: m.asin(x), 0.9 * np.tanh(R(5))),
    "atan": (lambda m, x: m.atan(x), R(5)),
    "acosh": (lambda m, x: m.acosh(x), R(5, lo=1.1)),
    "asinh": (lambda m, x: m.asinh(x), R(5)),
    "atanh": (lambda m, x: m.atanh(x), 0.9 * np.tanh(R(5))),
    "atan2": (lambda m, x: m.atan2(x, x[::-1]), R(5)),
    "pow": (lambda m, x: m.pow(x, 2.5), R(5, lo=0.1)),
    "permute_dims": (lambda m, x: m.permute_dims(x, (1, 0)) * x[None, :, 0], R(3, 2)),
}


@pytest.mark.parametrize("name", ARRAY_API_NAMES)
def test_numpy2_array_api_names_as_jax(name: str) -> None:
    """NumPy 2's array-API names (np.acos is np.arccos), as jax.numpy has them: values and both
    modes' gradients equal JAX's."""
    fn, x = ARRAY_API_NAMES[name]
    f_ad, f_jax = both(lambda m, v: m.sum(fn(m, v)))
    for mode in MODES:
        assert_close(ad.value_and_grad(f_ad, mode=mode)(x), jax.value_and_grad(f_jax)(x))


@pytest.mark.parametrize("dtype", [np.int8, np.int32, np.uint16, np.float32, np.float64])
def test_sum_dtype_is_the_results_as_numpys(dtype: Any) -> None:
    """``sum(x, dtype=d)`` returns d, as NumPy's, where NumPy alone would sum small integers in
    the platform integer (and wraps as NumPy does)."""
    x = np.array([[100, 27, 3], [90, 80, 70]], np.int32)
    for axis in (None, 0, 1):
        got, want = anp.sum(x, axis=axis, dtype=dtype), np.sum(x, axis=axis, dtype=dtype)
        assert np.asarray(got).dtype == np.asarray(want).dtype
        np.testing.assert_array_equal(got, want)


def test_dtype_names_and_queries_are_numpys() -> None:
    """What JAX code takes from jax.numpy for dtypes works on plain and traced values alike."""
    for name in (
        "int8",
        "int32",
        "uint8",
        "float16",
        "complex64",
        "complex128",
        "bool_",
        "floating",
        "integer",
        "inexact",
        "hanning",
        "kaiser",
        "broadcast_shapes",
    ):
        assert getattr(anp, name) is getattr(np, name)  # fmt: skip
    assert anp.finfo(anp.float32).eps == np.finfo(np.float32).eps and anp.iinfo(anp.int8).max == 127

    def f(x: Any) -> Any:
        assert anp.promote_types(x.dtype, anp.float16) == anp.float32
        assert anp.issubdtype(x.dtype, np.floating)
        return anp.sum(x * anp.finfo(x.dtype).eps)

    x = np.ones(3, np.float32)
    for mode in MODES:
        assert_close(ad.grad(f, mode=mode)(x), np.full(3, np.finfo(np.float32).eps, np.float32))
    y = np.array([np.inf, -np.inf, 1.0, np.nan])
    for name in ("isposinf", "isneginf"):
        np.testing.assert_array_equal(getattr(anp, name)(y), getattr(np, name)(y))
    np.testing.assert_array_equal(anp.logical_xor(y > 0, y < 2), np.logical_xor(y > 0, y < 2))


def test_gradient_refuses_what_it_cannot_do() -> None:
    with pytest.raises(NotImplementedError, match="edge_order"):
        anp.gradient(R(5), edge_order=2)
    with pytest.raises(ValueError, match="length of their axis"):
        anp.gradient(R(5), np.arange(4.0))
    with pytest.raises(ValueError, match="at least 2 samples"):
        anp.gradient(R(1))
    with pytest.raises(TypeError, match="one per axis"):
        anp.gradient(R(3, 4), 1.0, 2.0, 3.0)


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: anp.bincount(np.array([1, -2])), "non-negative integers"),
        (lambda: anp.bincount(np.array([1.0, 2.0])), "non-negative integers"),
        (lambda: anp.bincount(np.array([1, 2]), np.ones(3)), "weights must have"),
        (lambda: anp.vander(np.ones((2, 2))), "one-dimensional"),
        (lambda: anp.polyder(np.ones(3), -1), "non-negative"),
        (lambda: anp.polyint(np.ones(3), 2, k=[1.0]), "m = 2 constants"),
        (lambda: anp.piecewise(np.ones(3), [np.ones(3) > 0], [1.0, 2.0, 3.0]), "functions"),
    ],
)
def test_polynomial_and_counting_functions_refuse_bad_input(
    call: Callable[[], Any], match: str
) -> None:
    with pytest.raises(ValueError, match=match):
        call()


# ------------------------------------------------------------------ set operations, histograms
#: Repeated values within each array and values shared between them.
SET_A = np.array([[3.0, 1.0, 2.0], [1.0, 5.0, 0.5]])
SET_B = np.array([2.0, 5.0, 7.0, 5.0, -1.0])
SET_OPS = {
    "union1d": lambda m, a, b, **size: m.union1d(a, b, **size),
    "intersect1d": lambda m, a, b, **size: m.intersect1d(a, b, **size),
    "intersect1d-indices": lambda m, a, b, **size: m.intersect1d(a, b, return_indices=True, **size)[
        0
    ],
    "setdiff1d": lambda m, a, b, **size: m.setdiff1d(a, b, **size),
    "setxor1d": lambda m, a, b, **size: m.setxor1d(a, b, **size),
    "intersect1d-unique": lambda m, a, b, **size: m.intersect1d(a[0], b[:3], True, **size),
    "setdiff1d-unique": lambda m, a, b, **size: m.setdiff1d(b[:3], a[0], True, **size),
    "setxor1d-unique": lambda m, a, b, **size: m.setxor1d(a[0], b[:3], True, **size),
}


@pytest.mark.parametrize("name", SET_OPS)
def test_set_operations_gather_as_jax(name: str) -> None:
    """NumPy's values, each with its derivative at the entry JAX's set operations (with ``size``,
    their differentiable form) take it from: its first occurrence, the first array's first."""
    op = SET_OPS[name]
    want = op(np, SET_A, SET_B)
    got = op(anp, SET_A, SET_B)
    assert_exact(got, want)
    assert got.dtype == want.dtype
    jac = jax.jacrev(lambda a, b: op(jax.numpy, a, b, size=want.size), (0, 1))(SET_A, SET_B)
    for transform in (ad.jacfwd, ad.jacrev):
        assert_exact(transform(partial(op, anp), (0, 1))(SET_A, SET_B), jac)


def test_set_operation_indices_are_numpys() -> None:
    got = anp.intersect1d(SET_A, SET_B, return_indices=True)
    assert_exact(got, np.intersect1d(SET_A, SET_B, return_indices=True))


HIST_X = R(40, seed="histogram")
HIST_W = R(40, seed="weights", lo=0.1)
HISTOGRAMS = {  # name: (fn(m, x, w), differentiated with JAX's too)
    "weights": (lambda m, x, w: m.histogram(x, bins=5, weights=w), True),
    "density": (lambda m, x, w: m.histogram(x, bins=4, density=True), True),
    "density-weights": (lambda m, x, w: m.histogram(x, 6, weights=w, density=True), True),
    "range": (lambda m, x, w: m.histogram(x, 3, range=(-1.0, 0.5), weights=w), True),
    "edges": (lambda m, x, w: m.histogram(x, np.array([-2.0, -0.5, 0.0, 2.0]), weights=w), True),
    "bin_edges": (lambda m, x, w: m.histogram_bin_edges(x, 7), True),
    "counts": (lambda m, x, w: m.histogram(x), False),
    "auto": (lambda m, x, w: m.histogram(x, "auto"), False),
    "equal-range": (lambda m, x, w: m.histogram(x, 2, range=(0.5, 0.5)), False),
    "integers": (lambda m, x, w: m.histogram(np.round(HIST_X * 3).astype(int), 4), False),
    "float32": (lambda m, x, w: m.histogram(x.astype(np.float32), 3, density=True), False),
    "empty": (lambda m, x, w: m.histogram(x[:0], 3), False),
    "nan-outside-range": (
        lambda m, x, w: m.histogram(np.where(x > 1, np.nan, x), 3, (-1, 1)),
        False,
    ),
}


@pytest.mark.parametrize("name", HISTOGRAMS)
def test_histogram_values_are_numpys(name: str) -> None:
    """Edges and counts equal NumPy's exactly, weighted sums and densities to rounding (NumPy sums
    the weights of given edges by differences of a cumulative sum), in NumPy's dtypes; also on
    traced inputs."""
    fn, _ = HISTOGRAMS[name]
    want = fn(np, HIST_X, HIST_W)
    for got in (fn(anp, HIST_X, HIST_W), _traced_value(lambda x, w: fn(anp, x, w), HIST_X, HIST_W)):
        assert_close(got, want)
        assert_exact(got[1], want[1]) if isinstance(want, tuple) else assert_exact(got, want)
        if want[0].dtype.kind == "i":
            assert_exact(got[0], want[0])


def _traced_value(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)`` computed with every argument traced (reverse mode), as plain values."""
    return ad.vjp(fn, *args)[0]


@pytest.mark.parametrize("name", [n for n, (_, jax_too) in HISTOGRAMS.items() if jax_too])
def test_histogram_derivatives_as_jax(name: str) -> None:
    """Weighted sums differentiate in the weights; densities and edges in x too (the edges move
    with x's min and max) and in given edges: jacfwd and jacrev equal JAX's."""
    fn, _ = HISTOGRAMS[name]
    floats = lambda m: lambda x, w: tuple(m.asarray(v, float) for v in fn(m, x, w))
    want = jax.jacrev(floats(JNP), (0, 1))(HIST_X, HIST_W)
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(transform(floats(anp), (0, 1))(HIST_X, HIST_W), want)


def test_histogram_range_and_edges_differentiate_as_jax() -> None:
    x = HIST_X
    by_range = lambda m: lambda r: m.histogram(x, 4, range=(r[0], r[1]), density=True)
    by_edges = lambda m: lambda e: m.histogram(x, e, density=True)[0]
    r, e = np.array([-1.5, 1.0]), np.array([-3.0, -0.2, 0.1, 3.0])
    for make, at in ((by_range, r), (by_edges, e)):
        want = jax.jacrev(make(JNP))(at)
        for transform in (ad.jacfwd, ad.jacrev):
            assert_close(transform(make(anp))(at), want)


def test_histogram_of_traced_values_through_numpy() -> None:
    """``np.histogram`` with traced data and weights reaches ``admodes.numpy.histogram``."""
    got = ad.jacrev(lambda w: np.histogram(HIST_X, 3, weights=w)[0])(HIST_W)
    assert_exact(got, ad.jacrev(lambda w: anp.histogram(HIST_X, 3, weights=w)[0])(HIST_W))
    assert_exact(got.sum(0), np.ones(40))


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: anp.histogram(HIST_X, np.array([0.0, 2.0, 1.0])), "increase monotonically"),
        (lambda: anp.histogram(HIST_X, 0), "positive integer"),
        (lambda: anp.histogram(HIST_X, 2.5), "positive integer"),
        (lambda: anp.histogram(HIST_X, 3, range=(1.0, 0.0)), "lo <= hi"),
        (lambda: anp.histogram(HIST_X, 3, range=(0.0, np.inf)), "not finite"),
        (lambda: anp.histogram(np.array([1.0, np.nan])), "not finite"),
        (lambda: anp.histogram(HIST_X, 3, weights=HIST_W[:3]), "weights must have"),
    ],
)
def test_histogram_refuses_bad_input(call: Callable[[], Any], match: str) -> None:
    with pytest.raises(ValueError, match=match):
        call()


def test_histogram_bin_rules_refuse_weights_as_numpy() -> None:
    with pytest.raises(TypeError, match="not supported for weighted data"):
        anp.histogram(HIST_X, "auto", weights=HIST_W)


def test_lexsort_of_traced_keys_is_numpys() -> None:
    keys = (np.round(HIST_X), HIST_W)
    seen = []
    ad.grad(lambda w: (seen.append(anp.lexsort((np.round(HIST_X), w))), anp.sum(w))[1])(HIST_W)
    assert_exact(seen[0], np.lexsort(keys))


def test_questions_printing_and_saving_see_the_primal(tmp_path: Any) -> None:
    """``isscalar`` (JAX's: arrays with no axes are scalars), ``iterable``, ``result_type``,
    ``can_cast``, ``array_str``/``array_repr`` and ``save``/``savez`` of traced values answer
    for their values, as JAX's and NumPy's do for arrays."""
    x32 = np.array([0.5, -1.25], np.float32)
    seen: dict[str, Any] = {}

    def f(s: Any, v: Any) -> Any:
        seen["scalar"] = (anp.isscalar(s), anp.isscalar(v), anp.iterable(s), anp.iterable(v))
        seen["types"] = (anp.result_type(v, 1.0), anp.can_cast(v, np.float16))
        seen["text"] = (anp.array_str(v, precision=2), anp.array_repr(s))
        anp.save(tmp_path / "v.npy", v)
        anp.savez(tmp_path / "both.npz", s=s, v=v)
        return s * anp.sum(v)

    ad.grad(f, (0, 1))(2.0, x32)
    jnp = jax.numpy
    assert seen["scalar"] == (
        jnp.isscalar(jnp.asarray(2.0)),
        jnp.isscalar(x32),
        jnp.iterable(jnp.asarray(2.0)),
        jnp.iterable(x32),
    )
    assert seen["types"] == (np.result_type(x32, 1.0), np.can_cast(x32, np.float16))
    assert seen["text"] == (np.array_str(x32, precision=2), np.array_repr(np.asarray(2.0)))
    assert_exact(anp.load(tmp_path / "v.npy"), x32)
    with anp.load(tmp_path / "both.npz") as saved:
        assert_exact((saved["s"], saved["v"]), (np.asarray(2.0), x32))
    assert (anp.isscalar(1.0), anp.isscalar("a"), anp.isscalar([1.0])) == (True, True, False)


def test_jax_numpy_dtype_aliases_are_numpys() -> None:
    assert (anp.float_, anp.complex_, anp.bool, anp.uint) == (
        np.float64,
        np.complex128,
        np.bool,
        np.uint,
    )
    assert np.dtype(anp.float_) == jax.numpy.dtype(jax.numpy.float_)
    assert np.dtype(anp.complex_) == jax.numpy.dtype(jax.numpy.complex_)


def test_ndarray_is_the_array_type_for_isinstance_as_jaxs() -> None:
    """``isinstance(x, anp.ndarray)`` answers as ``isinstance(x, jnp.ndarray)`` for scalars and
    for values a transform traces; a NumPy array counts too (admodes' arrays are NumPy's, where
    JAX's type has its own arrays only). It annotates but does not construct, as JAX's."""
    for value in (1.0, np.float64(1.0), 3, "text"):
        assert isinstance(value, anp.ndarray) is isinstance(value, jnp.ndarray) is False
    assert isinstance(np.zeros(2), anp.ndarray) and isinstance(anp.zeros(2), anp.ndarray)
    assert isinstance(jnp.zeros(2), jnp.ndarray)
    seen: list[bool] = []

    def record(x: anp.ndarray) -> anp.ndarray:
        seen.append(isinstance(x, anp.ndarray))
        return anp.sum(x * x)

    jax_seen: list[bool] = []

    def jax_record(x: jnp.ndarray) -> jnp.ndarray:
        jax_seen.append(isinstance(x, jnp.ndarray))
        return jnp.sum(x * x)

    for x in (1.5, np.ones(2)):
        for mode in MODES:
            ad.grad(record, mode=mode)(x)
        ad.jvp(record, (x,), (x,))
        jax.grad(jax_record)(x)
        jax.jvp(jax_record, (x,), (x,))
    assert seen == [True] * 6 and jax_seen == [True] * 4
    with pytest.raises(TypeError, match="not a constructor"):
        anp.ndarray((2,))
    with pytest.raises(TypeError):
        jnp.ndarray((2,))


UFUNC_METHODS = {  # a ufunc method, the same in NumPy, admodes.numpy and jax.numpy
    "subtract.outer": lambda m, x, y: m.subtract.outer(x, y),
    "multiply.outer-2d": lambda m, x, y: m.multiply.outer(x, y[:2]) * 1.0,
    "add.reduce": lambda m, x, y: m.add.reduce(x * y),
    "add.reduce-none-keepdims": lambda m, x, y: m.add.reduce(x, axis=None, keepdims=True),
    "add.reduce-where": lambda m, x, y: m.add.reduce(x, axis=1, where=np.array([1, 0, 1]) > 0),
    "multiply.reduce-axis1": lambda m, x, y: m.multiply.reduce(x, axis=1),
    "maximum.reduce": lambda m, x, y: m.maximum.reduce(x * y),
    "minimum.reduce-initial": lambda m, x, y: m.minimum.reduce(x, axis=0, initial=2.5),
    "add.accumulate": lambda m, x, y: m.add.accumulate(x),
    "multiply.accumulate-axis1": lambda m, x, y: m.multiply.accumulate(x * y, axis=1),
    # no reduction computes these: the function folded along the axis, as NumPy's loop
    "subtract.reduce": lambda m, x, y: m.subtract.reduce(x * y, axis=1),
    "logaddexp.reduce-all": lambda m, x, y: m.logaddexp.reduce(x, axis=None),
    "logaddexp.reduce-where": lambda m, x, y: m.logaddexp.reduce(
        x, axis=1, where=np.array([1, 0, 1]) > 0
    ),
    "logaddexp2.accumulate": lambda m, x, y: m.logaddexp2.accumulate(x * y, axis=1),
    "logaddexp2.reduce-initial": lambda m, x, y: m.logaddexp2.reduce(x * y, initial=0.3),
}


@pytest.mark.parametrize(
    ("name", "values"),
    [("logical_or.reduce", np.array([2.0])), ("logical_or.accumulate", np.array([0.0, 2.0, 0.5])),
     ("logical_and.accumulate", np.array([0, 2, 3])), ("logaddexp.reduce", np.array([3])),
     ("logaddexp.accumulate", np.array([3, 1])), ("bitwise_or.accumulate", np.array([1, 2, 4]))],
)  # fmt: skip
def test_a_fold_of_one_term_has_the_functions_type_as_jax(name: str, values: np.ndarray) -> None:
    """A reduction of one entry, and an accumulation's first, are the entry in the function's
    output type (bool(2.0) for logical_or), as NumPy and JAX give them."""
    ufunc, method = name.split(".")
    got = getattr(getattr(anp, ufunc), method)(values)
    want = np.asarray(getattr(getattr(jnp, ufunc), method)(values))
    assert np.asarray(got).dtype == want.dtype
    assert_exact(got, want)


def test_logaddexp_reduces_as_logsumexp_at_an_infinite_entry() -> None:
    """JAX reduces logaddexp by logsumexp: at +inf the finite entries' derivatives are 0 (a fold
    of the two-argument rule, whose derivative at an infinite output JAX sets from 0, gave
    e^xᵢ), in value and gradient, in both bases."""
    x = np.array([np.inf, 1.0, -2.0])
    for name in ("logaddexp", "logaddexp2"):
        ours, theirs = getattr(anp, name).reduce, getattr(jnp, name).reduce
        np.testing.assert_array_equal(ad.grad(ours)(x), jax.grad(theirs)(x))  # nan, 0, 0
        np.testing.assert_array_equal(ad.jacfwd(ours)(x), jax.jacfwd(theirs)(x))  # nan·0: nan


@pytest.mark.parametrize("name", UFUNC_METHODS)
def test_ufunc_methods_as_jax(name: str) -> None:
    """``anp.subtract.outer(x, y)``, ``anp.add.reduce``, ``anp.logaddexp.accumulate``, ... and
    NumPy's same methods on traced values (``np.subtract.outer(x, y)``): NumPy's value (and
    type), JAX's derivatives (``jnp.subtract.outer``, ...)."""
    fn = UFUNC_METHODS[name]
    x = np.linspace(0.5, 3.0, 6).reshape(2, 3)
    y = np.linspace(-1.0, 1.5, 3)
    plain_value = fn(np, x, y)
    assert_close(fn(anp, x, y), plain_value)
    for module in (anp, np):
        traced_value = ad.vjp(partial(fn, module), x, y)[0]
        assert type(traced_value) is type(plain_value)
        assert_exact(traced_value, fn(anp, x, y))
    assert_gradients_match_jax(
        [(partial(fn, module), partial(fn, jnp)) for module in (anp, np)], (x, y)
    )


@pytest.mark.parametrize("name", ["add", "multiply", "maximum", "minimum"])
def test_ufunc_at_is_jaxs_functional_update(name: str) -> None:
    """``anp.add.at(x, i, v, inplace=False)``: x updated at i (twice at a repeated index, but
    for multiply: JAX differentiates its scatter at distinct indices only), as JAX's; the
    in-place default raises, as JAX's."""
    x = np.linspace(0.5, 3.0, 6).reshape(2, 3)
    v = np.linspace(-1.0, 1.5, 3)
    index = (np.array([0, 0 if name != "multiply" else 1, 1]), np.array([1, 1, 2]))

    def update(m: Any, x: Any, v: Any) -> Any:
        return getattr(m, name).at(x, index, v, inplace=False)

    def jax_update(x: Any, v: Any) -> Any:  # multiply: the same scatter, told it is unique
        if name == "multiply":
            return jnp.asarray(x).at[index].multiply(v, unique_indices=True)
        return update(jnp, x, v)

    assert_gradients_match_jax([(partial(update, anp), jax_update)], (x, v))
    expected = x.copy()
    getattr(np, name).at(expected, index, v)
    assert_exact(update(anp, x, v), expected)
    with pytest.raises(NotImplementedError, match="inplace=False"):
        getattr(anp, name).at(x, index, v)
    with pytest.raises(NotImplementedError, match="inplace=False"):
        getattr(jnp, name).at(x, index, v)


def test_frompyfunc_makes_a_ufunc_as_jaxs() -> None:
    """``anp.frompyfunc(f, nin=2, nout=1)``: f elementwise, with the ufunc methods; values and
    derivatives as ``jnp.frompyfunc``'s."""
    x = np.linspace(0.5, 2.0, 4)
    y = np.linspace(-1.0, 1.0, 3)

    def made(m: Any) -> Any:
        return m.frompyfunc(lambda a, b: a * b + 1.0, nin=2, nout=1, identity=None)

    def methods(m: Any, x: Any, y: Any) -> Any:
        f = made(m)
        parts = (f(x, 2.0), f.outer(x, y), f.reduce(x), f.accumulate(x * y[0]))
        return m.concatenate([m.ravel(part) for part in parts])

    assert isinstance(made(anp), anp.ufunc) and isinstance(anp.add, anp.ufunc)
    assert_gradients_match_jax([(partial(methods, anp), partial(methods, jnp))], (x, y))
    with pytest.raises(NotImplementedError, match="one output"):
        anp.frompyfunc(divmod, nin=2, nout=2)


# ---------------------------------------------------------------- JAX's keywords of index functions
NONZERO_INPUT = np.array([[0, 1, 0], [2, 0, 3]])
TIES = np.array([3.0, 1.0, 3.0, 2.0, np.nan, 1.0])
INDEX_FUNCTIONS = {  # function of m: plain integer arrays, compared with JAX's exactly
    "nonzero size padded": lambda m: m.nonzero(NONZERO_INPUT, size=5),
    "nonzero size cut": lambda m: m.nonzero(NONZERO_INPUT, size=2, fill_value=(7, 8)),
    "nonzero fill": lambda m: m.nonzero(NONZERO_INPUT, size=4, fill_value=-1),
    "nonzero fill without size": lambda m: m.nonzero(NONZERO_INPUT, fill_value=-1),
    "flatnonzero": lambda m: m.flatnonzero(NONZERO_INPUT, size=5, fill_value=9),
    "argwhere": lambda m: m.argwhere(NONZERO_INPUT, size=4, fill_value=-1),
    "argwhere fill per axis": lambda m: m.argwhere(NONZERO_INPUT, size=4, fill_value=(5, 6)),
    "where of a condition": lambda m: m.where(NONZERO_INPUT > 0, size=4),
    "argsort descending": lambda m: m.argsort(TIES, descending=True),
    "argsort descending axis 0": lambda m: m.argsort(NONZERO_INPUT % 2, axis=0, descending=True),
    "argsort descending flattened": lambda m: m.argsort(NONZERO_INPUT, None, descending=True),
    "argsort": lambda m: m.argsort(TIES),
    "isin method": lambda m: m.isin(NONZERO_INPUT, TIES, method="binary_search"),
    "unique sorted": lambda m: m.unique(TIES, sorted=True),
}


@pytest.mark.parametrize("method", ["scan", "scan_unrolled", "sort", "compare_all"])
def test_searches_take_jaxs_method(method: str) -> None:
    """JAX's method= picks an algorithm, not a result (JAX's indices are int32, NumPy's int64:
    the values are compared)."""
    for fn in (
        lambda m: m.searchsorted(np.sort(TIES), np.array([0, 2, 9]), method=method),
        lambda m: m.digitize(NONZERO_INPUT, np.arange(3), method=method),
    ):
        got, want = both(fn)
        assert_exact(got(), want())
    with pytest.raises(ValueError, match="method must be one of"):
        anp.searchsorted(TIES, 2, method="bisect")


@pytest.mark.parametrize("name", INDEX_FUNCTIONS)
def test_index_functions_take_jaxs_keywords(name: str) -> None:
    """size= and fill_value= (the fixed-length index arrays JAX code asks for) and argsort's
    descending= give JAX's indices exactly, ties included."""
    got, want = both(INDEX_FUNCTIONS[name])
    assert_exact(got(), want())
    assert [np.asarray(g).dtype for g in jax.tree.leaves(got())] == [
        w.dtype for w in jax.tree.leaves(want())
    ]


def test_descending_argsort_maps_and_picks_entries_as_jax() -> None:
    rows = np.array([[3.0, 1.0, 2.0], [0.0, 5.0, 5.0]])
    got, want = both(lambda m: jax_or_ad(m).vmap(lambda r: m.argsort(r, descending=True)))
    assert_exact(got()(rows), want()(rows))

    def top_two(m: Any) -> Any:
        return lambda x: m.sum(x[m.argsort(x, descending=True)][:2] * np.array([1.0, 2.0]))

    for mode in MODES:
        assert_close(ad.grad(top_two(anp), mode=mode)(TIES[:4]), jax.grad(top_two(JNP))(TIES[:4]))


def test_sized_indices_refuse_three_term_where() -> None:
    with pytest.raises(ValueError, match="where\\(condition, x, y\\) takes neither"):
        anp.where(NONZERO_INPUT > 0, 1.0, 2.0, size=3)
    with pytest.raises(ValueError, match="one per axis"):
        anp.nonzero(NONZERO_INPUT, size=3, fill_value=(1, 2, 3))


@pytest.mark.parametrize("mode", MODES)
def test_nearest_quantile_takes_the_lower_at_a_tie_as_jax(mode: str) -> None:
    """method="nearest" at a level halfway between two sorted values takes the lower one, as
    JAX's (NumPy's rounds half to even: 3.0 for the median of 1..4, JAX and admodes 2.0)."""
    x, levels = np.array([4.0, 1.0, 3.0, 2.0]), np.array([0.5, 0.25, 0.75, 1 / 6])
    fn = lambda m: lambda x: m.quantile(x, levels, method="nearest")
    assert_exact(fn(anp)(x), fn(JNP)(x))
    assert fn(anp)(x)[0] == 2.0
    weights = np.array([1.0, 2.0, 3.0, 4.0])
    expected = jax.grad(lambda x: jnp.sum(fn(JNP)(x) * weights))(x)
    assert_close(ad.grad(lambda x: anp.sum(fn(anp)(x) * weights), mode=mode)(x), expected)


# ---------------------------------------------------------------- more of JAX's keywords
@pytest.mark.parametrize("promote_integers", [True, False])
@pytest.mark.parametrize("dtype", [np.int8, np.uint16, np.int64, np.float32, np.bool_])
@pytest.mark.parametrize("name", ["sum", "prod"])
def test_sum_and_prod_promote_integers_as_jax(name: str, dtype: Any, promote_integers) -> None:
    """Small integers sum and multiply in the platform integer (NumPy's and JAX's dtype), or
    with promote_integers=False in their own, as JAX's (a bool input, for which JAX then picks
    int32, keeps NumPy's int64)."""
    x = (np.arange(1, 6) % 3).astype(dtype)
    got = getattr(anp, name)(x, promote_integers=promote_integers)
    want = getattr(jnp, name)(x, promote_integers=promote_integers)
    expected_dtype = np.dtype(np.int64) if dtype is np.bool_ else want.dtype
    assert np.asarray(got).dtype == expected_dtype and got == want
    if promote_integers:
        assert np.asarray(got).dtype == getattr(np, name)(x).dtype


SYMMETRIC = np.array([[2.0, 0.5, -0.3], [0.5, 1.0, 0.2], [-0.3, 0.2, 3.0]])
NOT_SYMMETRIC = np.array([[2.0, 0.9, 4.0], [0.5, 1.0, -1.0], [-0.3, 0.2, 3.0]])


@pytest.mark.parametrize("uplo", [None, "L", "U"])
def test_eigh_without_symmetrizing_reads_one_triangle(uplo: str | None) -> None:
    """eigh(symmetrize_input=False): NumPy's values from the UPLO triangle, and for a symmetric
    matrix JAX's values and derivatives (those of the default)."""
    values = anp.linalg.eigh(NOT_SYMMETRIC, UPLO=uplo, symmetrize_input=False).eigenvalues
    assert_close(values, np.linalg.eigh(NOT_SYMMETRIC, UPLO=uplo or "L").eigenvalues)

    def f(m: Any) -> Any:
        def loss(a: Any) -> Any:
            w, v = m.linalg.eigh(a, UPLO=uplo, symmetrize_input=False)
            return m.sum(w * np.arange(1.0, 4.0)) + m.sum(m.abs(v[:, 0]))

        return loss

    for mode in MODES:
        assert_close(ad.grad(f(anp), mode=mode)(SYMMETRIC), jax.grad(f(JNP))(SYMMETRIC))


@pytest.mark.parametrize("method", ["lu", "qr"])
def test_slogdet_takes_jaxs_method(method: str) -> None:
    f = both(lambda m, a: m.linalg.slogdet(a, method=method)[1])
    assert_close(f[0](NOT_SYMMETRIC), f[1](NOT_SYMMETRIC))
    assert_close(ad.grad(f[0])(NOT_SYMMETRIC), jax.grad(f[1])(NOT_SYMMETRIC))
    with pytest.raises(ValueError, match="method must be 'lu' or 'qr'"):
        anp.linalg.slogdet(NOT_SYMMETRIC, method="cholesky")


REPEATS = np.array([3.0, 1.0, 3.0, 2.0])
ROWS = np.array([[1.0, 2.0], [1.0, 2.0], [0.0, 5.0]])
SIZED_UNIQUE = {  # function of (m, x): unique with JAX's size= and fill_value=
    "padded with the first value": lambda m, x: m.unique(x, size=5),
    "cut": lambda m, x: m.unique(x, size=2),
    "padded with a fill value": lambda m, x: m.unique(x, size=5, fill_value=-1.0),
    "every output": lambda m, x: m.unique(
        x, size=5, fill_value=0.5, return_index=True, return_inverse=True, return_counts=True
    ),
    "every output, cut": lambda m, x: m.unique(
        x, size=2, return_index=True, return_inverse=True, return_counts=True
    ),
}


@pytest.mark.parametrize("name", SIZED_UNIQUE)
def test_unique_with_a_size_is_jaxs(name: str) -> None:
    """unique(size=, fill_value=): JAX's values (the default padding repeats the smallest
    value, gathered from its entry), index, inverse and count arrays, and JAX's gradients."""
    fn = SIZED_UNIQUE[name]
    got, want = fn(anp, REPEATS), fn(JNP, REPEATS)
    assert_exact(got, want)
    assert [np.asarray(g).dtype for g in jax.tree.leaves(got)] == [
        w.dtype for w in jax.tree.leaves(want)
    ]

    def loss(m: Any) -> Any:
        return lambda x: m.sum(m.sin(jax.tree.leaves(fn(m, x))[0]))

    for mode in MODES:
        assert_close(ad.grad(loss(anp), mode=mode)(REPEATS), jax.grad(loss(JNP))(REPEATS))


@pytest.mark.parametrize("axis", [0, 1])
def test_unique_rows_with_a_size_are_jaxs(axis: int) -> None:
    rows = ROWS if axis == 0 else ROWS.T
    for fill in (None, 9.0):
        f = both(lambda m, x, fill=fill: m.unique(x, axis=axis, size=4, fill_value=fill))
        assert_exact(f[0](rows), f[1](rows))


MARKED = np.array([[True, False, False], [True, True, False]])
#: Variances with no degree of freedom left: ddof above the count of entries, and at it.
NO_FREEDOM: dict[str, Callable[[Any, Any], Any]] = {
    "var-ddof-above-count": lambda m, x: m.var(x, axis=1, ddof=4),
    "std-ddof-above-count": lambda m, x: m.std(x, axis=0, ddof=3),
    "var-where-ddof-above-count": lambda m, x: m.var(x, axis=1, where=MARKED, ddof=3),
    "var-ddof-at-count": lambda m, x: m.var(x, axis=1, ddof=3),
}


@pytest.mark.parametrize("name", NO_FREEDOM)
def test_variance_without_degrees_of_freedom_is_nan_as_jax(name: str) -> None:
    """With ddof at or above the count, the variance is NaN (as JAX's; NumPy clamps its divisor
    at 0), a constant: its Jacobian is JAX's by each mode (std's NaN √ makes forward mode's NaN).
    At ddof = count, JAX's reverse mode divides a zero cotangent by a zero count (NaN); admodes
    gives JAX's forward-mode 0 there, by both modes."""
    f_ad, f_jax = both(NO_FREEDOM[name])
    x = R(2, 3)
    jax_reverse = jax.jacfwd if name.endswith("at-count") else jax.jacrev
    with np.errstate(all="ignore"):
        assert_close(f_ad(x), f_jax(x))
        assert_close(ad.jacfwd(f_ad)(x), jax.jacfwd(f_jax)(x))
        assert_close(ad.jacrev(f_ad)(x), jax_reverse(f_jax)(x))


#: Methods of JAX's arrays, called on traced values (a plain NumPy array keeps NumPy's, whose
#: ``sort`` sorts in place).
TRACED_METHODS: dict[str, tuple[Callable[[Any], Any], tuple[int, ...]]] = {
    "sort": (lambda x: x.sort(axis=0), (3, 4)),
    "ptp": (lambda x: x.ptp(axis=1), (3, 4)),
    "mT": (lambda x: x.mT, (2, 3, 4)),
    "compress": (lambda x: x.compress(np.array([True, False, True]), axis=0), (3, 2)),
    "searchsorted-all-any-sizes": (
        lambda x: x * (x[0].sort().searchsorted(0.0) + x.itemsize + x.nbytes + x.all() + x.any()),
        (3, 4),
    ),
}


@pytest.mark.parametrize("name", TRACED_METHODS)
def test_methods_of_traced_values_are_jax_arrays(name: str) -> None:
    fn, shape = TRACED_METHODS[name]
    x = R(*shape, seed=name)
    value, _ = ad.jvp(fn, (x,), (np.ones_like(x),))
    assert_close(value, np.asarray(fn(jnp.asarray(x))))
    expected = np.asarray(jax.jacfwd(fn)(jnp.asarray(x)))
    assert_close(ad.jacfwd(fn)(x), expected)
    assert_close(ad.jacrev(fn)(x), expected)
