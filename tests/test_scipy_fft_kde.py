"""``admodes.scipy``'s ports of ``jax.scipy.fft`` (``dct idct dctn idctn``), ``jax.scipy.cluster``
(``vq.vq``) and the rest of ``jax.scipy.stats`` (``mode``, ``rankdata``, ``gaussian_kde``).

Values against SciPy's (lengths odd and even, cropped and padded, every ``norm`` and
``orthogonalize``, axes, complex and integer input; every bandwidth rule, weights, each method of
the estimate) and SciPy's types; values and Jacobians against JAX's (float64) in every
differentiable argument, by ``jacfwd``, ``jacrev`` and ``grad`` in both modes: the transforms'
input, the observations and the code book, the sample of ``mode``, and the dataset, the weights,
the bandwidth and the points of ``gaussian_kde``, built inside the differentiated function; and
the errors for bad input.

JAX's references come from one compiled program: compiling it is most of this file's time.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.scipy as jsp
import numpy as np
import pytest
import scipy.cluster.vq
import scipy.fft
import scipy.stats
from conftest import assert_close, assert_jacobians, jax_compiled

import admodes as ad
import admodes.numpy as anp
from admodes.scipy import cluster, fft, stats

RNG = np.random.default_rng(20250611)


def R(*shape: int, rng: np.random.Generator = RNG) -> np.ndarray:
    """Standard normal float64 values (of the module's generator, or a test's ``rng``)."""
    return rng.standard_normal(shape)


X34, X235 = R(3, 4), R(2, 3, 5)
OBS, CODES = R(6, 3), R(4, 3)
#: A sample with ties: column 0's mode (1) first occurs in row 1, column 2's (3) in row 2.
SAMPLE = np.array([[2.0, 4.0, 1.0], [1.0, 3.0, 4.0], [4.0, 2.0, 3.0], [1.0, 4.0, 3.0]])
#: Two-dimensional data (8 points), its weights, points to evaluate at; one-dimensional data.
DATA, WEIGHTS, POINTS = R(2, 8), RNG.uniform(0.5, 2.0, 8), R(2, 3)
DATA_1D, POINTS_1D = R(7), R(4)
MEAN, COV = np.array([0.2, -0.1]), np.array([[0.8, 0.2], [0.2, 0.5]])


def _case(ours: Callable[..., Any], theirs: Callable[..., Any], *args: Any) -> tuple:
    return ours, theirs, args


def _fft_cases() -> dict[str, tuple]:
    """dct and idct by default, "ortho", padded, cropped along axis 0; dctn and idctn over
    two axes and over all three, cropped and padded (JAX's 2-D and 1-D compositions)."""
    one = [({}, X34), ({"norm": "ortho", "n": 6}, X34), ({"n": 2, "axis": 0}, X34)]
    many = [({"norm": "ortho"}, X34), ({"s": (3, 4), "axes": (0, 2)}, X235), ({}, X235)]
    cases = {}
    for name, kwargs_and_args in (("dct", one), ("idct", one), ("dctn", many), ("idctn", many)):
        for k, (kwargs, x) in enumerate(kwargs_and_args):
            ours, theirs = (functools.partial(getattr(m, name), **kwargs) for m in (fft, jsp.fft))
            cases[f"{name}-{k}"] = _case(ours, theirs, x)
    return cases


def _kde_density(library: Any, method: str, bw: Any, d: Any, w: Any, p: Any) -> Any:
    """``method`` of the estimate of d (weights w, bandwidth bw) at the points p."""
    return getattr(library.gaussian_kde(d, bw, w), method)(p)


def _unweighted_kde_density(library: Any, method: str, bw: Any, d: Any, p: Any) -> Any:
    """``method`` of the estimate of d (bandwidth bw, no weights) at the points p."""
    return _kde_density(library, method, bw, d, None, p)


def _kde_integral(library: Any, method: str, d: Any, w: Any, *args: Any) -> Any:
    """An integral of the estimate of d (weights w): of a normal (mean, cov), over [low, high],
    or against the estimate of other data."""
    kde = library.gaussian_kde(d, weights=w)
    if method == "integrate_kde":
        return kde.integrate_kde(library.gaussian_kde(args[0]))
    return getattr(kde, method)(*args)


def _kde_bandwidth(library: Any, d: Any, w: Any, h: Any, p: Any) -> Any:
    """The density with the bandwidth factor h, given by a callable (JAX's way to trace one)."""
    return library.gaussian_kde(d, lambda kde: h, w).evaluate(p)


def _other_cases() -> dict[str, tuple]:
    """vq's distances (rows, 1-D), mode's values (along each axis, all of it), rankdata
    (constant), and gaussian_kde: each density method and rule, with and without weights, its
    integrals, a traced bandwidth."""
    cases = {
        "vq": _case(lambda o, c: cluster.vq.vq(o, c)[1], lambda o, c: jsp.cluster.vq.vq(o, c)[1],
                    OBS, CODES),
        "vq-1d": _case(lambda o, c: cluster.vq.vq(o, c)[1],
                       lambda o, c: jsp.cluster.vq.vq(o, c)[1], OBS[:, 0], CODES[:, 0]),
        "rankdata": _case(lambda a: stats.rankdata(a, axis=1),
                          lambda a: jsp.stats.rankdata(a, axis=1), X34),
    }  # fmt: skip
    for axis in (0, 1, None):
        cases[f"mode-{axis}"] = _case(
            lambda a, axis=axis: stats.mode(a, axis).mode,
            lambda a, axis=axis: jsp.stats.mode(a, axis).mode,
            SAMPLE,
        )
    for method, bw in (("evaluate", None), ("logpdf", "silverman"), ("pdf", 0.6)):
        for label, density, weights in (
            ("weighted", _kde_density, (WEIGHTS,)),
            ("unweighted", _unweighted_kde_density, ()),
        ):
            ours, theirs = (functools.partial(density, m, method, bw) for m in (stats, jsp.stats))
            cases[f"kde-{method}-{label}"] = _case(ours, theirs, DATA, *weights, POINTS)
    cases["kde-1d"] = _case(
        functools.partial(_kde_density, stats, "evaluate", None),
        functools.partial(_kde_density, jsp.stats, "evaluate", None),
        DATA_1D, WEIGHTS[:7], POINTS_1D,
    )  # fmt: skip
    cases["kde-bandwidth"] = _case(
        functools.partial(_kde_bandwidth, stats),
        functools.partial(_kde_bandwidth, jsp.stats),
        DATA, WEIGHTS, np.array(0.7), POINTS,
    )  # fmt: skip
    for method, args in (
        ("integrate_gaussian", (DATA, WEIGHTS, MEAN, COV)),
        ("integrate_box_1d", (DATA_1D, WEIGHTS[:7], np.array(-0.4), np.array(0.9))),
        ("integrate_kde", (DATA, WEIGHTS, POINTS + 0.3)),
    ):
        cases[f"kde-{method}"] = _case(
            functools.partial(_kde_integral, stats, method),
            functools.partial(_kde_integral, jsp.stats, method),
            *args,
        )
    return cases


CASES = {**_fft_cases(), **_other_cases()}


@functools.cache
def _jax_references() -> dict[str, tuple]:
    """Each case's value and its Jacobian in every argument (jacrev), from one JAX program."""

    def reference() -> dict[str, tuple]:
        return {
            name: (theirs(*args), jax.jacrev(theirs, tuple(range(len(args))))(*args))
            for name, (_, theirs, args) in CASES.items()
        }

    return jax_compiled(reference)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_jacobians_match_jax(name: str) -> None:
    """The value, jacfwd and jacrev in every argument, and grad of a weighted sum by both modes
    equal JAX's (rankdata's: zero, its ranks constants)."""
    ours, _, args = CASES[name]
    value, jacobian = _jax_references()[name]
    assert_close(ours(*args), value)
    assert_jacobians(ours, args, jacobian)


def test_a_bandwidth_given_as_a_scalar_is_differentiated_as_a_callable() -> None:
    """A traced scalar bw_method is the factor itself: the callable's derivative, both modes."""

    def by_scalar(h: Any) -> Any:
        return anp.sum(stats.gaussian_kde(DATA, h, WEIGHTS).logpdf(POINTS))

    def by_callable(h: Any) -> Any:
        return anp.sum(stats.gaussian_kde(DATA, lambda kde: h, WEIGHTS).logpdf(POINTS))

    for mode in ("reverse", "forward"):
        assert_close(ad.grad(by_scalar, mode=mode)(0.7), ad.grad(by_callable, mode=mode)(0.7))


# ---------------------------------------------------------------------------- values vs SciPy
@pytest.mark.parametrize("name", ["dct", "idct"])
def test_dct_and_idct_match_scipy(name: str, rng: np.random.Generator) -> None:
    """Lengths 1 to 6 (odd and even), cropped and padded, every norm and orthogonalize, along
    either axis; integers as float64, float32 kept, complex input as its two parts."""
    ours, theirs = getattr(fft, name), getattr(scipy.fft, name)
    for length in range(1, 7):
        x = R(length, 3, rng=rng)
        for norm in (None, "backward", "ortho"):
            for orthogonalize in (None, False, True):
                for n in (None, 2, length + 2):
                    kwargs = {"n": n, "axis": 0, "norm": norm, "orthogonalize": orthogonalize}
                    assert_close(ours(x, **kwargs), theirs(x, **kwargs), rtol=1e-13)
    assert_close(ours(np.arange(5)), theirs(np.arange(5)), rtol=1e-13)
    z = R(2, 5, rng=rng) + 1j * R(2, 5, rng=rng)
    assert_close(ours(z, norm="ortho"), theirs(z, norm="ortho"), rtol=1e-13)
    x32 = R(2, 5, rng=rng).astype(np.float32)
    assert_close(ours(x32), theirs(x32), rtol=1e-5)


@pytest.mark.parametrize("name", ["dctn", "idctn"])
@pytest.mark.parametrize(
    "kwargs",
    [{}, {"norm": "ortho"}, {"s": [2, 6]}, {"axes": (0, 2)}, {"s": 3, "axes": 1},
     {"s": [-1, 3]}, {"axes": [-1, 0], "norm": "ortho", "orthogonalize": False}, {"axes": ()}],
    ids=str,
)  # fmt: skip
def test_dctn_and_idctn_match_scipy(name: str, kwargs: dict) -> None:
    """SciPy's s and axes: integers or sequences, the last len(s) axes by default, −1 keeping a
    length, in any order; no axes, no transform."""
    assert_close(getattr(fft, name)(X235, **kwargs), getattr(scipy.fft, name)(X235, **kwargs),
                 rtol=1e-13)  # fmt: skip


def test_idct_inverts_dct() -> None:
    for norm in (None, "ortho"):
        assert_close(fft.idctn(fft.dctn(X235, norm=norm), norm=norm), X235, rtol=1e-13)


def test_vq_matches_scipy() -> None:
    """SciPy's codes (the first of equal distances) in JAX's dtype, int64 (SciPy's int32), and
    distances; 1-D input, integers, float32."""
    tied = np.vstack([CODES[:2], CODES[1:2]])  # codes 1 and 2 equal: code 1 wins
    for obs, book in ((OBS, CODES), (OBS[:, 0], CODES[:, 0]), (OBS, tied),
                      (np.array([[1, 2], [5, 1]]), np.array([[0, 0], [4, 2]])),
                      (OBS.astype(np.float32), CODES.astype(np.float32))):  # fmt: skip
        codes, dist = cluster.vq.vq(obs, book)
        want_codes, want_dist = scipy.cluster.vq.vq(obs, book)
        np.testing.assert_array_equal(codes, want_codes)
        assert codes.dtype == np.asarray(jsp.cluster.vq.vq(obs, book)[0]).dtype
        assert dist.dtype == want_dist.dtype
        assert_close(dist, want_dist, rtol=1e-6 if dist.dtype == np.float32 else 1e-13)


def test_vq_codes_are_constants() -> None:
    codes = ad.jacfwd(lambda o: anp.astype(cluster.vq.vq(o, CODES)[0], np.float64))(OBS)
    assert not np.any(codes)


@pytest.mark.parametrize(
    "kwargs",
    [{}, {"axis": 1}, {"axis": None}, {"axis": -1, "keepdims": True},
     {"axis": None, "keepdims": True}, {"nan_policy": "omit"}],
    ids=str,
)  # fmt: skip
def test_mode_matches_scipy(kwargs: dict) -> None:
    """Values, counts and types (a NumPy scalar for one result), with nan (counted as a value,
    or omitted) in column 1, also under differentiation, whose derivative goes to the first
    occurrence of the mode."""
    sample = SAMPLE.copy()
    sample[[0, 2], 1] = np.nan
    got, want = stats.mode(sample, **kwargs), scipy.stats.mode(sample, **kwargs)
    for ours, theirs in zip(got, want, strict=True):
        assert type(ours) is type(theirs)
        assert np.asarray(ours).dtype == np.asarray(theirs).dtype
        np.testing.assert_array_equal(ours, theirs)
    traced = ad.vjp(lambda a: stats.mode(a, **kwargs).mode, sample)[0]
    np.testing.assert_array_equal(traced, want.mode)
    first = ad.grad(lambda a: stats.mode(a, axis=0).mode[1])(sample)
    assert first[0, 1] == 1 and np.sum(first) == 1  # the first of the two nans: the mode


def test_mode_of_integers_and_scalars_matches_scipy() -> None:
    for a in (np.array([2, 4, 1, 1, 3, 4, 4]), 3.0, np.array([[1, 2], [1, 3]])):
        got, want = stats.mode(a), scipy.stats.mode(a)
        assert type(got.mode) is type(want.mode)
        np.testing.assert_array_equal(got.mode, want.mode)
        np.testing.assert_array_equal(got.count, want.count)


@pytest.mark.parametrize("method", ["average", "min", "max", "dense", "ordinal"])
def test_rankdata_matches_scipy(method: str) -> None:
    """Ties, an axis, nan (propagated, omitted); SciPy's dtypes (integers but for "average")."""
    tied = SAMPLE.copy()
    tied[1, 2] = np.nan
    for a, kwargs in ((SAMPLE, {}), (SAMPLE, {"axis": 0}), (tied, {"axis": 1}),
                      (tied, {"nan_policy": "omit"}), ([3, 1, 3], {})):  # fmt: skip
        got = stats.rankdata(a, method, **kwargs)
        want = scipy.stats.rankdata(a, method, **kwargs)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("bw", [None, "scott", "silverman", 0.4, lambda kde: kde.n ** -0.3],
                         ids=["default", "scott", "silverman", "scalar", "callable"])  # fmt: skip
@pytest.mark.parametrize("weights", [None, WEIGHTS], ids=["unweighted", "weighted"])
def test_gaussian_kde_matches_scipy(bw: Any, weights: Any) -> None:
    """Attributes, each density method (one point as a vector too) and each integral, with
    SciPy's types (NumPy scalars for the integrals)."""
    ours, theirs = (
        stats.gaussian_kde(DATA, bw, weights),
        scipy.stats.gaussian_kde(DATA, bw, weights),
    )
    for attr in ("d", "n", "neff", "factor", "weights", "covariance", "inv_cov"):
        assert_close(np.asarray(getattr(ours, attr)), np.asarray(getattr(theirs, attr)),
                     rtol=1e-13)  # fmt: skip
    for method in ("evaluate", "__call__", "pdf", "logpdf"):
        for points in (POINTS, POINTS[:, 0]):
            want = getattr(theirs, method)(points)
            assert_close(getattr(ours, method)(points), want, rtol=1e-13)
    other_ours, other_theirs = (lib.gaussian_kde(POINTS + 0.3) for lib in (stats, scipy.stats))
    for got, want in (
        (ours.integrate_gaussian(MEAN, COV), theirs.integrate_gaussian(MEAN, COV)),
        (ours.integrate_kde(other_ours), theirs.integrate_kde(other_theirs)),
    ):
        assert type(got) is type(want)
        assert_close(got, want, rtol=1e-13)


def test_one_dimensional_gaussian_kde_matches_scipy() -> None:
    """Data and points as vectors; integrate_box_1d (a NumPy scalar); set_bandwidth, None
    keeping the method."""
    ours, theirs = (lib.gaussian_kde(DATA_1D, weights=WEIGHTS[:7]) for lib in (stats, scipy.stats))
    for kde in (ours, theirs):
        kde.set_bandwidth("silverman")
        kde.set_bandwidth()
    assert_close(ours(POINTS_1D), theirs(POINTS_1D), rtol=1e-13)
    assert_close(ours.logpdf(0.3), theirs.logpdf(0.3), rtol=1e-13)
    got, want = ours.integrate_box_1d(-0.4, 0.9), theirs.integrate_box_1d(-0.4, 0.9)
    assert type(got) is type(want)
    assert_close(got, want, rtol=1e-13)
    assert_close(ours.integrate_gaussian(0.1, 0.5), theirs.integrate_gaussian(0.1, 0.5),
                 rtol=1e-13)  # fmt: skip


# ---------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [(lambda: fft.dct(X34, type=3), NotImplementedError, "type 3 is not implemented"),
     (lambda: fft.idctn(X34, type=1), NotImplementedError, "only type 2"),
     (lambda: fft.dct(X34, type=5), ValueError, "invalid DCT type 5"),
     (lambda: fft.idct(X34, norm="forward"), NotImplementedError, "norm='forward'"),
     (lambda: fft.dct(X34, norm="orth"), ValueError, "Invalid norm value 'orth'"),
     (lambda: fft.dct(X34, n=0), ValueError, r"invalid number of data points \(0\)"),
     (lambda: fft.dct(X34, axis=2), np.exceptions.AxisError, "out of bounds"),
     (lambda: fft.dctn(X34, s=[2, 2], axes=[0]), ValueError, "same length"),
     (lambda: fft.dctn(X34, s=[2, 2, 2]), ValueError, "more than x has axes"),
     (lambda: fft.idctn(X34, axes=[1, -1]), ValueError, "repeated axis"),
     (lambda: cluster.vq.vq(OBS, CODES[:, :2]), ValueError, "same number of features"),
     (lambda: cluster.vq.vq(OBS[:, 0], CODES), ValueError, "same number of dimensions"),
     (lambda: cluster.vq.vq(OBS[None], CODES[None]), ValueError, "ndim different than 1 or 2"),
     (lambda: cluster.vq.vq(np.full((1, 3), np.nan), CODES), ValueError, "infs or NaNs"),
     (lambda: stats.mode(SAMPLE, nan_policy="drop"), ValueError, "nan_policy must be one of"),
     (lambda: stats.mode(np.array([1.0, np.nan]), nan_policy="raise"), ValueError, "nan values"),
     (lambda: stats.rankdata(SAMPLE, "mean"), ValueError, 'unknown method "mean"'),
     (lambda: stats.gaussian_kde([1.0]), ValueError, "should have multiple elements"),
     (lambda: stats.gaussian_kde(DATA[:, :1]), ValueError, "dimensions is greater than"),
     (lambda: stats.gaussian_kde(np.vstack([DATA[0], np.ones(8)])), np.linalg.LinAlgError,
      "lower-dimensional subspace"),
     (lambda: stats.gaussian_kde(DATA, weights=WEIGHTS[:5]), ValueError, "of length n"),
     (lambda: stats.gaussian_kde(DATA, weights=[WEIGHTS]), ValueError, "one-dimensional"),
     (lambda: stats.gaussian_kde(DATA, weights=-WEIGHTS), ValueError, "must be nonnegative"),
     (lambda: stats.gaussian_kde(DATA, weights=0 * WEIGHTS), ValueError, "a positive sum"),
     (lambda: stats.gaussian_kde(DATA[None]), ValueError, r"d × n .* shape \(1, 2, 8\)"),
     (lambda: stats.gaussian_kde(DATA, "scot"), ValueError, "`bw_method` should be"),
     (lambda: stats.gaussian_kde(DATA, np.ones(2)), ValueError, "a scalar or a callable"),
     (lambda: stats.gaussian_kde(DATA + 0j), NotImplementedError, "complex data"),
     (lambda: stats.gaussian_kde(DATA)(np.ones((3, 2))), ValueError, "points have dimension 3"),
     (lambda: stats.gaussian_kde(DATA).logpdf(1j * POINTS), NotImplementedError, "complex"),
     (lambda: stats.gaussian_kde(DATA).integrate_box_1d(0, 1), ValueError, "only handles 1D"),
     (lambda: stats.gaussian_kde(DATA_1D).integrate_box_1d(np.zeros(2), 1), ValueError,
      "must be scalars"),
     (lambda: stats.gaussian_kde(DATA).integrate_gaussian(MEAN[:1], COV), ValueError,
      "mean does not have dimension 2"),
     (lambda: stats.gaussian_kde(DATA).integrate_gaussian(MEAN, COV[:1]), ValueError,
      "covariance does not have dimension 2"),
     (lambda: stats.gaussian_kde(DATA).integrate_kde(stats.gaussian_kde(DATA_1D)), ValueError,
      "not the same dimensionality"),
     (lambda: stats.gaussian_kde(DATA).integrate_box(MEAN, MEAN + 1), NotImplementedError,
      "integrate_box_1d"),
     (lambda: stats.gaussian_kde(DATA).resample(5), NotImplementedError, "random numbers")],
)  # fmt: skip
def test_bad_input_raises_a_clear_error(call: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()
