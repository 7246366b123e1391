"""``admodes.scipy``'s ports of the rest of ``jax.scipy``'s signal processing, integration and
interpolation: ``signal.convolve2d correlate2d fftconvolve detrend stft istft welch csd``,
``integrate.trapezoid``, ``ndimage.map_coordinates`` and ``interpolate.RegularGridInterpolator``.

Values against SciPy's (every mode, axes, breakpoints, boundary extensions, windows, averages,
SciPy's names of the boundary modes, a descending grid); values and Jacobians against JAX's
(float64) in every differentiable argument, by ``jacfwd``, ``jacrev`` and ``grad`` in both modes
(complex outputs as their real and imaginary parts), at kinks too (integer and half-integer
coordinates, grid knots, points outside the grid); and the errors for bad input.

JAX's references come from one compiled program: compiling it is most of this file's time.
"""

from __future__ import annotations

import contextlib
import functools
import re
import warnings
from collections.abc import Callable, Iterator
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np
import pytest
import scipy.integrate
import scipy.interpolate
import scipy.ndimage
import scipy.signal
from conftest import assert_close, assert_gradients_match_jax, assert_jacobians, jax_compiled

import admodes.numpy as anp
from admodes.scipy import integrate, interpolate, ndimage, signal

RNG = np.random.default_rng(20250301)


def R(*shape: int, rng: np.random.Generator = RNG) -> np.ndarray:
    """Standard normal float64 values (of the module's generator, or a test's ``rng``)."""
    return rng.standard_normal(shape)


CONV_MODES = ("full", "same", "valid")
A45, B23, C35 = R(4, 5), R(2, 3), R(3, 5)
A6, B3 = R(6), R(3)
A345, B322, B342 = R(3, 4, 5), R(3, 2, 2), R(3, 4, 2)
D49, D73 = R(4, 9), R(7, 3)
Y35, X5 = R(3, 5), np.sort(R(5))
#: Coordinates into a 4×5 array: inside, outside, on integers and halves (the kinks of order 1
#: and the ties of order 0).
COORDS = (
    np.array([-1.7, -0.5, 0.0, 0.3, 1.5, 2.0, 2.6, 3.4, 4.5, 5.2]),
    np.array([-0.8, 4.7, 1.0, 2.5, 0.4, 3.0, -2.5, 6.3, 1.9, 3.5]),
)
IMAGE = R(4, 5)
GRID = (np.array([0.0, 0.5, 1.7, 3.0]), np.array([-1.0, 0.0, 0.4, 1.1, 2.0]))
VALUES, VALUES3 = R(4, 5), R(4, 5, 2)
#: Query points: inside, on knots, on the edges, outside (one coordinate or both).
XI = np.array(
    [[0.2, 0.1], [1.7, 0.4], [2.9, -0.9], [0.0, 2.0], [3.0, -1.0], [1.1, 0.7], [-0.3, 0.5],
     [1.0, 2.4], [3.5, -1.5]]
)  # fmt: skip
#: fftconvolve's cases: 1-D, 2-D with in1 smaller, along two axes and along the last.
FFT_ARGS = [("1d", (A6, B3), None), ("2d", (B23, C35), None), ("axes", (A345, B322), (1, 2)),
            ("axis", (A345, B342), -1)]  # fmt: skip
MAP_MODES = ("constant", "nearest", "wrap", "mirror", "reflect")


def _case(ours: Callable[..., Any], theirs: Callable[..., Any], *args: np.ndarray) -> tuple:
    return ours, theirs, args


def _signal_cases() -> dict[str, tuple]:
    """convolve2d and correlate2d (in1 larger, and smaller), fftconvolve (1-D, 2-D, along axes)
    in every mode; detrend with breakpoints, along either axis, and the constant."""
    cases = {}
    for mode in CONV_MODES:
        for name in ("convolve2d", "correlate2d"):
            ours, theirs = getattr(signal, name), getattr(jsp.signal, name)
            for label, args in (("large", (A45, B23)), ("small", (B23, C35))):
                cases[f"{name}-{mode}-{label}"] = _case(
                    functools.partial(ours, mode=mode), functools.partial(theirs, mode=mode), *args
                )
        for label, args, axes in FFT_ARGS:
            cases[f"fftconvolve-{mode}-{label}"] = _case(
                functools.partial(signal.fftconvolve, mode=mode, axes=axes),
                functools.partial(jsp.signal.fftconvolve, mode=mode, axes=axes),
                *args,
            )
    for label, data, kwargs in (
        ("linear-bp", D49, {"bp": [3, 6]}),
        ("linear-bp-single", D49, {"bp": [1, 8]}),  # pieces of one point
        ("linear-axis0", D73, {"axis": 0}),
        ("constant", D73, {"axis": 0, "type": "constant"}),
    ):
        # Squared: detrending removes lines, so the gradient of a linearly weighted sum of the
        # detrended data (assert_jacobians') is 0, all rounding error.
        cases[f"detrend-{label}"] = _case(
            lambda d, kw=kwargs: signal.detrend(d, **kw) ** 2,
            lambda d, kw=kwargs: jsp.signal.detrend(d, **kw) ** 2,
            data,
        )
    return cases


def _other_cases() -> dict[str, tuple]:
    """trapezoid in y, x and dx; map_coordinates of each order and mode in input and
    coordinates; RegularGridInterpolator of each method and fill in the grid, values and xi."""
    cases = {
        "trapezoid-x": _case(integrate.trapezoid, jsp.integrate.trapezoid, Y35, X5),
        "trapezoid-x-nd": _case(
            lambda y, x: integrate.trapezoid(y, x, axis=0),
            lambda y, x: jsp.integrate.trapezoid(y, x, axis=0),
            Y35,
            Y35 + np.arange(3.0)[:, None],
        ),
        "trapezoid-dx": _case(
            lambda y, dx: integrate.trapezoid(y, dx=dx, axis=0),
            lambda y, dx: jsp.integrate.trapezoid(y, dx=dx, axis=0),
            Y35,
            np.array(0.3),
        ),
    }
    for order in (0, 1):
        for mode in MAP_MODES:
            cases[f"map_coordinates-{order}-{mode}"] = _case(
                lambda a, x, y, o=order, m=mode: ndimage.map_coordinates(a, [x, y], o, m, 0.7),
                lambda a, x, y, o=order, m=mode: jsp.ndimage.map_coordinates(a, [x, y], o, m, 0.7),
                IMAGE,
                *COORDS,
            )
    for method in ("linear", "nearest"):
        for fill in (np.nan, None, 0.5):
            # Trailing value axes with the default fill only (JAX's compile time).
            tails = (("", VALUES), ("-trailing", VALUES3)) if fill is np.nan else (("", VALUES),)
            for label, values in tails:
                ours = functools.partial(
                    _interpolated, interpolate.RegularGridInterpolator, method, fill
                )
                theirs = functools.partial(
                    _interpolated, jsp.interpolate.RegularGridInterpolator, method, fill
                )
                cases[f"rgi-{method}-{fill}{label}"] = _case(ours, theirs, *GRID, values, XI)
    return cases


def _interpolated(cls: type, method: str, fill: Any, g0: Any, g1: Any, v: Any, xi: Any) -> Any:
    return cls((g0, g1), v, method=method, fill_value=fill)(xi)


def _parts(xp: Any, z: Any) -> Any:
    """A complex array as its real and imaginary parts, stacked (a real output to differentiate)."""
    return xp.stack([xp.real(z), xp.imag(z)])


#: Keywords of stft: boundary extensions, detrending, a longer FFT, two-sided, along axis 0.
STFT_KWARGS = [
    {"nperseg": 8},
    {"nperseg": 8, "noverlap": 2, "boundary": "even", "detrend": "linear"},
    {"nperseg": 7, "nfft": 10, "boundary": "odd", "padded": False, "return_onesided": False},
    {"nperseg": 6, "boundary": "constant", "detrend": "constant", "axis": 0},
]
#: Keywords of welch and csd: the median of 4 and of 5 segments, an odd nfft, along axis 0.
WELCH_KWARGS = [
    {"nperseg": 16},
    {"nperseg": 16, "average": "median"},
    {"nperseg": 12, "noverlap": 6, "average": "median", "detrend": "linear"},
    {"nperseg": 9, "nfft": 11, "scaling": "spectrum", "window": ("tukey", 0.4)},
    {"nperseg": 10, "detrend": False, "return_onesided": False, "axis": 0},
]
S40, S36, S24_2 = R(40), R(36), R(24, 2)
Z40 = scipy.signal.stft(S40, nperseg=8)[2]
Z_RE, Z_IM = Z40.real, Z40.imag


def _spectral_cases() -> dict[str, tuple]:
    """stft (real and imaginary parts), istft (in both), welch and csd (real and imaginary
    parts), each with the keywords above, from signals of 24 to 40 samples."""
    cases = {}
    for k, kw in enumerate(STFT_KWARGS):
        data = S24_2 if kw.get("axis") == 0 else S40
        cases[f"stft-{k}"] = _case(
            lambda x, kw=kw: _parts(anp, signal.stft(x, **kw)[2]),
            lambda x, kw=kw: _parts(jnp, jsp.signal.stft(x, **kw)[2]),
            data,
        )
    # Without the boundary extension, a window that is not 0 at its ends (NOLA).
    for k, kw in enumerate(
        [{"nperseg": 8}, {"nperseg": 8, "boundary": False, "window": "hamming"}]
    ):
        cases[f"istft-{k}"] = _case(
            lambda re, im, kw=kw: signal.istft(re + 1j * im, **kw)[1],
            lambda re, im, kw=kw: jsp.signal.istft(re + 1j * im, **kw)[1],
            Z_RE,
            Z_IM,
        )
    for k, kw in enumerate(WELCH_KWARGS):
        x = S24_2 if kw.get("axis") == 0 else S40
        cases[f"welch-{k}"] = _case(
            lambda x, kw=kw: signal.welch(x, fs=2.0, **kw)[1],
            lambda x, kw=kw: jsp.signal.welch(x, fs=2.0, **kw)[1],
            x,
        )
        y = S24_2[::-1] if kw.get("axis") == 0 else S36
        cases[f"csd-{k}"] = _case(
            lambda x, y, kw=kw: _parts(anp, signal.csd(x, y, **kw)[1]),
            lambda x, y, kw=kw: _parts(jnp, jsp.signal.csd(x, y, **kw)[1]),
            x,
            y,
        )
    return cases


CASES = {**_signal_cases(), **_other_cases(), **_spectral_cases()}


@functools.cache
def _jax_references() -> dict[str, tuple]:
    """Each case's value and its Jacobian in every argument (jacrev), from one JAX program."""

    def reference() -> dict[str, tuple]:
        out = {}
        for name, (_, theirs, args) in CASES.items():
            out[name] = (theirs(*args), jax.jacrev(theirs, tuple(range(len(args))))(*args))
        return out

    return jax_compiled(reference)


@pytest.mark.parametrize("name", sorted(CASES))
def test_values_and_jacobians_match_jax(name: str) -> None:
    """The value, jacfwd and jacrev in every argument, and grad of a weighted sum by both modes
    equal JAX's."""
    ours, _, args = CASES[name]
    value, jacobian = _jax_references()[name]
    with np.errstate(invalid="ignore"):
        assert_close(ours(*args), value)
        assert_jacobians(ours, args, jacobian)


# ---------------------------------------------------------------------------- values vs SciPy
@pytest.mark.parametrize("mode", CONV_MODES)
@pytest.mark.parametrize("name", ["convolve2d", "correlate2d", "fftconvolve"])
def test_2d_values_match_scipy(name: str, mode: str, rng: np.random.Generator) -> None:
    """Every pair of shapes up to 3×3 where SciPy gives a result (one input at least as large
    as the other for "valid"), even and odd lengths: SciPy's correlate2d "same" is centred
    unlike correlate's."""
    for s1 in [(1, 3), (2, 2), (3, 2), (3, 3)]:
        for s2 in [(1, 1), (2, 3), (3, 2), (3, 3)]:
            if mode == "valid" and not (
                np.all(np.greater_equal(s1, s2)) or np.all(np.less_equal(s1, s2))
            ):
                continue
            x, y = R(*s1, rng=rng), R(*s2, rng=rng)
            assert_close(getattr(signal, name)(x, y, mode), getattr(scipy.signal, name)(x, y, mode),
                         rtol=1e-13)  # fmt: skip


@pytest.mark.parametrize("mode", CONV_MODES)
@pytest.mark.parametrize(
    ("s1", "s2", "axes"),
    [((3, 4, 5), (3, 2, 2), (1, 2)), ((3, 1, 5), (1, 4, 2), (2,)), ((2, 5), (1, 3), -1),
     ((1, 5), (3, 2), None), ((2, 3), (2, 3), [0])],
)  # fmt: skip
def test_fftconvolve_axes_match_scipy(
    s1: tuple, s2: tuple, axes: Any, mode: str, rng: np.random.Generator
) -> None:
    """Along ``axes`` only, broadcasting the others (lengths 1), as SciPy (JAX refuses
    broadcasting); an axis where an input has length 1 is a product, not a convolution."""
    x, y = R(*s1, rng=rng), R(*s2, rng=rng)
    assert_close(signal.fftconvolve(x, y, mode, axes), scipy.signal.fftconvolve(x, y, mode, axes),
                 rtol=1e-13)  # fmt: skip


def test_nested_lists_are_arrays_as_in_scipy() -> None:
    """Integer lists in, SciPy's integer results out (``correlate`` reverses a list too)."""
    x, y, k = [1, 2, 3, 2, 1], [1, 3, 2], [[2, 1], [0, 3]]
    assert_close(signal.correlate(x, y, "same"), scipy.signal.correlate(x, y, "same"))
    for name in ("convolve2d", "correlate2d"):
        got, want = (
            getattr(signal, name)(k, [[1, 3]], "same"),
            getattr(scipy.signal, name)(k, [[1, 3]], "same"),
        )
        assert_close(got, want)
    assert_close(signal.fftconvolve(x, y), scipy.signal.fftconvolve(x, y), rtol=1e-13)


def test_fftconvolve_of_scalars_and_complex_inputs_match_scipy(rng: np.random.Generator) -> None:
    assert_close(signal.fftconvolve(np.array(2.0), np.array(3.5)), np.array(7.0))
    x, y = R(5, rng=rng) + 1j * R(5, rng=rng), R(3, rng=rng)
    assert_close(signal.fftconvolve(x, y, "same"), scipy.signal.fftconvolve(x, y, "same"),
                 rtol=1e-13)  # fmt: skip


@pytest.mark.parametrize("kind", ["linear", "constant", "l", "c"])
@pytest.mark.parametrize(
    ("shape", "axis", "bp"), [((7,), -1, 0), ((4, 9), 1, [3, 6]), ((9, 3), 0, [2, 2, 5, 9]),
                              ((6, 2), 0, np.array([5])), ((1, 3), 0, 0)],
)  # fmt: skip
def test_detrend_matches_scipy(
    shape: tuple, axis: int, bp: Any, kind: str, rng: np.random.Generator
) -> None:
    x = R(*shape, rng=rng)
    # atol: the residual of a piece of one point is rounding error in SciPy's, 0 in ours.
    assert_close(signal.detrend(x, axis, kind, bp), scipy.signal.detrend(x, axis, kind, bp),
                 atol=1e-14)  # fmt: skip


def test_detrend_keeps_float32_and_makes_integers_float(rng: np.random.Generator) -> None:
    x = R(3, 6, rng=rng).astype(np.float32)
    assert_close(signal.detrend(x), scipy.signal.detrend(x), rtol=1e-5)
    counts = np.array([1, 4, 8, 8, 9])
    assert_close(signal.detrend(counts), scipy.signal.detrend(counts), rtol=1e-13)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((Y35,), {}), ((Y35, X5), {}), ((Y35,), {"dx": 0.3, "axis": 0}),
     ((Y35, Y35 + np.arange(3.0)[:, None]), {"axis": 0}),
     ((np.array([True, False, True]),), {}), ((np.array([1, 2, 4]),), {"dx": 0.5})],
)  # fmt: skip
def test_trapezoid_matches_scipy(args: tuple, kwargs: dict) -> None:
    assert_close(integrate.trapezoid(*args, **kwargs), scipy.integrate.trapezoid(*args, **kwargs),
                 rtol=1e-13)  # fmt: skip


#: admodes' (JAX's) modes with SciPy's names for them, and SciPy's names themselves.
SCIPY_MODES = [("constant", "grid-constant"), ("wrap", "grid-wrap"), ("nearest", "nearest"),
               ("mirror", "mirror"), ("reflect", "reflect"), ("grid-constant", "grid-constant"),
               ("grid-wrap", "grid-wrap"), ("grid-mirror", "grid-mirror")]  # fmt: skip


@pytest.mark.parametrize("order", [0, 1])
@pytest.mark.parametrize(("mode", "scipy_mode"), SCIPY_MODES)
def test_map_coordinates_matches_scipy(
    mode: str, scipy_mode: str, order: int, rng: np.random.Generator
) -> None:
    """Random points (no ties for SciPy's rounding), in 1, 2 and 3 dimensions, axes of length
    1 too."""
    for shape in [(6,), (4, 5), (1, 4), (2, 3, 2)]:
        image = R(*shape, rng=rng)
        points = np.stack([rng.uniform(-3.0, n + 2.0, 9) for n in shape])
        expected = scipy.ndimage.map_coordinates(image, points, order=order, mode=scipy_mode,
                                                 cval=0.3)  # fmt: skip
        assert_close(ndimage.map_coordinates(image, points, order, mode, 0.3), expected,
                     rtol=1e-13)  # fmt: skip


def test_map_coordinates_keeps_the_input_dtype_as_jax() -> None:
    """float32 input with float64 coordinates: float32; integer input: rounded half away from
    zero, as JAX."""
    image32, ints = IMAGE.astype(np.float32), np.arange(20).reshape(4, 5)
    for image in (image32, ints):
        expected = jax_compiled(lambda a: jsp.ndimage.map_coordinates(a, COORDS, 1), image)
        got = ndimage.map_coordinates(image, COORDS, 1)
        assert got.dtype == image.dtype
        np.testing.assert_allclose(got, expected, rtol=1e-6)


def test_map_coordinates_of_nonfinite_coordinates_is_jaxs() -> None:
    """nan and ±inf coordinates: JAX's values (XLA's conversion to int32 indices: nan to 0, inf
    saturated, wrapping in the modes' arithmetic); nan at order 1."""
    points = [np.array([np.nan, 1.0, -np.inf, 0.5]), np.array([0.5, np.inf, 2.0, np.nan])]
    combos = [(order, mode) for order in (0, 1) for mode in MAP_MODES]

    def theirs(image: Any, x: Any, y: Any) -> list:
        return [jsp.ndimage.map_coordinates(image, [x, y], o, m, 0.7) for o, m in combos]

    expected = jax_compiled(theirs, IMAGE, *points)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got = [ndimage.map_coordinates(IMAGE, points, o, m, 0.7) for o, m in combos]
    assert_close(got, expected)


@pytest.mark.parametrize("method", ["linear", "nearest"])
def test_regular_grid_interpolator_matches_scipy(method: str) -> None:
    """Ascending and descending axes, trailing value axes, fill values, points given as a tuple
    of arrays, a 1-D array and a grid with an axis of one point, as SciPy's."""
    descending = (GRID[0], GRID[1][::-1])
    for points, values in ((GRID, VALUES), (descending, VALUES3)):
        for fill in (np.nan, None, -2.0):
            got = interpolate.RegularGridInterpolator(points, values, method, fill_value=fill)
            want = scipy.interpolate.RegularGridInterpolator(
                points, values, method, bounds_error=False, fill_value=fill
            )
            assert_close(got(XI), want(XI), rtol=1e-13)
            assert_close(got((XI[:, 0], XI[:1, 1])), want((XI[:, 0], XI[:1, 1])), rtol=1e-13)
    line = interpolate.RegularGridInterpolator((GRID[0],), VALUES[:, 0], method)
    want = scipy.interpolate.RegularGridInterpolator((GRID[0],), VALUES[:, 0], method)
    assert_close(line(np.array([0.3, 2.2])), want(np.array([0.3, 2.2])), rtol=1e-13)
    inside = XI[(XI[:, 0] >= 0) & (XI[:, 0] <= 3) & (XI[:, 1] >= -1) & (XI[:, 1] <= 2)]
    one_point = (GRID[0], np.array([0.5]))
    got = interpolate.RegularGridInterpolator(one_point, VALUES[:, :1], method, bounds_error=True)
    want = scipy.interpolate.RegularGridInterpolator(one_point, VALUES[:, :1], method)
    at = np.stack([inside[:, 0], np.full(len(inside), 0.5)], axis=-1)
    assert_close(got(at), want(at), rtol=1e-13)
    assert_close(got(at, method="nearest"), want(at, method="nearest"), rtol=1e-13)


@pytest.mark.parametrize(
    "kwargs",
    [{"nperseg": 16}, {"nperseg": 16, "noverlap": 4}, {"nperseg": 15, "nfft": 20},
     {"nperseg": 16, "boundary": None}, {"nperseg": 16, "detrend": "linear"},
     {"nperseg": 16, "return_onesided": False}, {"nperseg": 16, "scaling": "psd"},
     {"nperseg": 8, "window": ("tukey", 0.3)}, {"nperseg": 7, "window": np.hanning(7)}, {}],
    ids=str,
)  # fmt: skip
def test_stft_and_istft_match_scipy(kwargs: dict, rng: np.random.Generator) -> None:
    """stft of a signal and of columns (axis 0), the default nperseg longer than the signal
    (SciPy's warning, from both); istft of SciPy's stft of the signal back, with the same
    keywords (without the boundary extension, the hann window's zero fails SciPy's NOLA check:
    both warn)."""
    nperseg_warning = None if kwargs else "nperseg = 256 is greater than input length"
    for data, axis in ((R(50, rng=rng), -1), (R(40, 3, rng=rng), 0)):
        with _warns(nperseg_warning):
            ours = signal.stft(data, 2.0, axis=axis, **kwargs)
        with _warns(nperseg_warning):
            theirs = scipy.signal.stft(data, 2.0, axis=axis, **kwargs)
        assert_close(ours, theirs, rtol=1e-13)
        if axis == -1:
            spectrum = theirs[2]
    inverse = {k: v for k, v in kwargs.items() if k in ("nperseg", "noverlap", "nfft", "window",
                                                          "scaling")}  # fmt: skip
    inverse["boundary"] = kwargs.get("boundary", "zeros") is not None
    inverse["input_onesided"] = kwargs.get("return_onesided", True)
    nola_warning = None if inverse["boundary"] else "NOLA condition failed"
    with _warns(nola_warning):
        ours = signal.istft(spectrum, 2.0, **inverse)
    with _warns(nola_warning):
        theirs = scipy.signal.istft(spectrum, 2.0, **inverse)
    assert_close(ours, theirs, rtol=1e-13)


def test_stft_boundary_extensions_match_scipy(rng: np.random.Generator) -> None:
    x = R(30, rng=rng)
    for boundary in ("even", "odd", "constant", "zeros", None):
        for padded in (True, False):
            kw = {"nperseg": 8, "boundary": boundary, "padded": padded}
            assert_close(signal.stft(x, **kw), scipy.signal.stft(x, **kw), rtol=1e-13)


@pytest.mark.parametrize(
    "kwargs",
    [{"nperseg": 16}, {"nperseg": 16, "average": "median"}, {"nperseg": 16, "scaling": "spectrum"},
     {"nperseg": 15, "nfft": 21, "detrend": "linear"}, {"nperseg": 16, "return_onesided": False},
     {"nperseg": 16, "noverlap": 0, "average": "median"}, {"window": np.ones(10)},
     {"nperseg": 40}],
    ids=str,
)  # fmt: skip
def test_welch_and_csd_match_scipy(kwargs: dict, rng: np.random.Generator) -> None:
    """welch of a signal and of rows; csd of signals of different lengths (the shorter
    zero-padded), of rows against one signal (broadcast), and of x with itself (real)."""
    x, y, rows = R(50, rng=rng), R(45, rng=rng), R(3, 40, rng=rng)
    for ours, theirs in (
        (signal.welch(x, 3.0, **kwargs), scipy.signal.welch(x, 3.0, **kwargs)),
        (signal.welch(rows, **kwargs), scipy.signal.welch(rows, **kwargs)),
        (signal.csd(x, y, **kwargs), scipy.signal.csd(x, y, **kwargs)),
        (signal.csd(x, x, **kwargs), scipy.signal.csd(x, x, **kwargs)),
        (signal.csd(rows, rows[0], **kwargs), scipy.signal.csd(rows, rows[0], **kwargs)),
    ):
        assert_close(ours, theirs, rtol=1e-12)


def test_detrending_functions_are_applied_as_scipy_applies_them(rng: np.random.Generator) -> None:
    """A function given as ``detrend`` gets the segments with their last axis moved to ``axis``
    from stft, and as they are from welch and csd (SciPy's; JAX's csd moves them too)."""
    columns = R(40, 2, rng=rng)

    def first_removed(d: Any) -> Any:
        return d - d[..., :1]

    kw = {"nperseg": 8, "detrend": first_removed, "axis": 0}
    assert_close(signal.stft(columns, **kw), scipy.signal.stft(columns, **kw), rtol=1e-13)
    assert_close(signal.welch(columns, **kw), scipy.signal.welch(columns, **kw), rtol=1e-13)
    y = R(40, 2, rng=rng)
    assert_close(signal.csd(columns, y, **kw), scipy.signal.csd(columns, y, **kw), rtol=1e-13)


@contextlib.contextmanager
def _warns(match: str | None) -> Iterator[None]:
    """A UserWarning matching ``match``; with None, no warning at all."""
    if match is not None:
        with pytest.warns(UserWarning, match=match):
            yield
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        yield


# ---------------------------------------------------------------------------- bad input
def _rgi(*args: Any, **kwargs: Any) -> Any:
    return interpolate.RegularGridInterpolator(*args, **kwargs)


BAD = [
    ("convolve2d-3d", lambda: signal.convolve2d(A345, B322), ValueError, "2-dimensional"),
    ("convolve2d-wrap", lambda: signal.convolve2d(A45, B23, boundary="wrap"), NotImplementedError,
     "boundary='fill'"),
    ("correlate2d-fillvalue", lambda: signal.correlate2d(A45, B23, fillvalue=1.0),
     NotImplementedError, "fillvalue=0"),
    ("convolve2d-boundary", lambda: signal.convolve2d(A45, B23, boundary="zero"), ValueError,
     "Acceptable boundary flags"),
    ("convolve2d-mode", lambda: signal.convolve2d(A45, B23, "centre"), ValueError,
     "acceptable mode flags"),
    ("correlate2d-valid", lambda: signal.correlate2d(B23, R(3, 2), "valid"), ValueError,
     "at least as large"),
    ("fftconvolve-ndim", lambda: signal.fftconvolve(A45, B3), ValueError, "same dimensionality"),
    ("fftconvolve-mode", lambda: signal.fftconvolve(A6, B3, "centre"), ValueError,
     "acceptable mode flags"),
    ("fftconvolve-shapes", lambda: signal.fftconvolve(R(3, 4), R(2, 5), axes=[1]), ValueError,
     "incompatible shapes"),
    ("fftconvolve-no-axes", lambda: signal.fftconvolve(A45, B23, axes=[]), ValueError,
     "axes cannot be empty"),
    ("fftconvolve-axis", lambda: signal.fftconvolve(A45, B23, axes=[2]), np.exceptions.AxisError,
     "out of bounds"),
    ("fftconvolve-empty", lambda: signal.fftconvolve(np.ones(0), B3), ValueError, "empty"),
    ("detrend-type", lambda: signal.detrend(A6, type="quadratic"), ValueError, "Trend type"),
    ("detrend-bp-large", lambda: signal.detrend(A6, bp=[7]), ValueError, "Breakpoints"),
    ("detrend-bp-negative", lambda: signal.detrend(A6, bp=[-1]), ValueError, "Breakpoints"),
    ("detrend-bp-float", lambda: signal.detrend(A6, bp=[2.5]), TypeError, "integers"),
    ("detrend-axis", lambda: signal.detrend(A45, axis=2), np.exceptions.AxisError, "axis 2"),
    ("stft-scaling", lambda: signal.stft(A6, scaling="density"), ValueError, "scaling='density'"),
    ("stft-boundary", lambda: signal.stft(A6, boundary="periodic"), ValueError,
     "Unknown boundary option 'periodic'"),
    ("stft-noverlap", lambda: signal.stft(S40, nperseg=8, noverlap=8), ValueError,
     "noverlap (8) must be less than nperseg (8)"),
    ("stft-nfft", lambda: signal.stft(S40, nperseg=8, nfft=6), ValueError,
     "nfft (6) must be greater than or equal to nperseg (8)"),
    ("stft-nperseg", lambda: signal.stft(S40, nperseg=0), ValueError, "positive integer"),
    ("stft-empty", lambda: signal.stft(np.ones(0)), ValueError, "empty array"),
    ("welch-window-2d", lambda: signal.welch(S40, window=np.ones((2, 4))), ValueError,
     "window must be 1-D"),
    ("welch-window-long", lambda: signal.welch(A6, window=np.ones(8)), ValueError,
     "window is longer than input signal"),
    ("welch-window-nperseg", lambda: signal.welch(S40, window=np.ones(8), nperseg=6), ValueError,
     "different from length of window"),
    ("welch-scaling", lambda: signal.welch(S40, scaling="psd"), ValueError, "Unknown scaling"),
    ("csd-average", lambda: signal.csd(S40, S36, average="max"), ValueError, "average must be"),
    ("istft-1d", lambda: signal.istft(S40), ValueError, "at least 2d"),
    ("istft-axes", lambda: signal.istft(Z_RE, time_axis=0, freq_axis=-2), ValueError,
     "differing time and frequency axes"),
    ("istft-window", lambda: signal.istft(Z_RE, window=np.ones(5)), ValueError,
     "different from length of window"),
    ("map_coordinates-order", lambda: ndimage.map_coordinates(IMAGE, COORDS, 3),
     NotImplementedError, "order 0 (nearest) and 1 (linear)"),
    ("map_coordinates-mode", lambda: ndimage.map_coordinates(IMAGE, COORDS, 1, "edge"),
     ValueError, "'edge' is not one of"),
    ("map_coordinates-0d", lambda: ndimage.map_coordinates(np.array(1.0), [], 1), ValueError,
     "at least one dimension"),
    ("map_coordinates-ndim", lambda: ndimage.map_coordinates(IMAGE, COORDS[:1], 1), ValueError,
     "length input.ndim"),
    ("rgi-spline", lambda: _rgi(GRID, VALUES, "cubic"), NotImplementedError, "'cubic'"),
    ("rgi-method", lambda: _rgi(GRID, VALUES, "spline"), ValueError, "'spline' is not defined"),
    ("rgi-call-method", lambda: _rgi(GRID, VALUES)(XI, method="cubic"), NotImplementedError,
     "'cubic'"),
    ("rgi-unsorted", lambda: _rgi((GRID[0][[0, 2, 1, 3]], GRID[1]), VALUES), ValueError,
     "strictly ascending or descending"),
    ("rgi-lengths", lambda: _rgi((GRID[0][:3], GRID[1]), VALUES), ValueError,
     "There are 3 points and 4 values in dimension 0"),
    ("rgi-2d-points", lambda: _rgi((VALUES,), VALUES), ValueError, "must be 1-dimensional"),
    ("rgi-too-many", lambda: _rgi((*GRID, GRID[0]), VALUES), ValueError, "3 point arrays"),
    ("rgi-xi", lambda: _rgi(GRID, VALUES)(R(4, 3)), ValueError, "have dimension 3"),
    ("rgi-bounds", lambda: _rgi(GRID, VALUES, bounds_error=True)(XI), ValueError,
     "out of bounds in dimension 0"),
    ("rgi-fill", lambda: _rgi(GRID, VALUES, fill_value=1j), ValueError, "fill_value"),
]  # fmt: skip


@pytest.mark.parametrize(("fn", "error", "match"), [b[1:] for b in BAD], ids=[b[0] for b in BAD])
def test_bad_input_gets_a_clear_error(fn: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=re.escape(match)):
        fn()


# ---------------------------------------------------------------------------- JAX's keywords
@pytest.mark.parametrize("precision", [None, "highest", jax.lax.Precision.DEFAULT])
def test_convolutions_take_jax_precision(precision: Any) -> None:
    """convolve, correlate, convolve2d and correlate2d take JAX's ``precision`` (and ``method``,
    ``boundary``, ``fillvalue`` as keywords): values and gradients equal JAX's float64 ones."""
    a, b = R(5, 4), R(3, 2)

    def calls(m: Any) -> list[Callable[..., Any]]:
        return [
            lambda x, y: m.convolve(x, y, mode="same", method="direct", precision=precision),
            lambda x, y: m.correlate(x, y, "valid", "auto", precision),
            lambda x, y: m.convolve2d(x, y, "full", boundary="fill", fillvalue=0,
                                      precision=precision),
            lambda x, y: m.correlate2d(x, y, mode="same", precision=precision),
        ]  # fmt: skip

    pairs = list(zip(calls(signal), calls(jsp.signal), strict=True))
    assert_gradients_match_jax(pairs, (a, b))
