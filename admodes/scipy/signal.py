"""``admodes.scipy.signal``: convolutions, correlations, detrending and spectral analysis of real
N-D arrays (SciPy's modes and semantics), differentiable by both engines.

``convolve`` and ``correlate`` are slices of one primitive, the full convolution (``convolve``
in :mod:`admodes.rules.special`): ``correlate(x, y)`` is ``convolve(x, flip(y))``; ``valid``
keeps the entries that do not depend on zero padding (one input must be at least as large as the
other in every dimension, as SciPy requires), ``same`` the centre of the full result with
``in1``'s shape. ``method`` is accepted for SciPy's signature (the evaluation is direct), and
JAX's ``precision``, as by :mod:`admodes.numpy`'s products (NumPy computes in full precision).
``convolve2d`` and ``correlate2d`` are the same for 2-D arrays with zero padding only
(``boundary="fill"``, ``fillvalue=0``, as JAX). ``fftconvolve`` multiplies the inputs' spectra
(:mod:`admodes.numpy.fft`) along ``axes`` and broadcasts along the others, as SciPy's.
``detrend`` subtracts the mean, or the least-squares line of each piece between breakpoints.

``stft``, ``istft``, ``welch`` and ``csd`` are SciPy's (its legacy ``_spectral_helper``, as
JAX's): overlapping segments gathered by index, detrended, windowed and transformed by
:mod:`admodes.numpy.fft`; ``istft`` adds the inverse transforms back by a scatter-add. Windows
are constants (SciPy's ``get_window``, or an array); the signals are differentiated.
"""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np
import scipy.signal
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, shape
from admodes.rules import special as _special

__all__ = ["convolve", "convolve2d", "correlate", "correlate2d", "csd", "detrend", "fftconvolve",
           "istft", "stft", "welch"]  # fmt: skip

_MODES = ("full", "same", "valid")
#: SciPy's ``boundary`` flags of convolve2d and correlate2d; only "fill" is implemented.
_BOUNDARIES = ("fill", "circular", "wrap", "symmetric", "symm")


def _kept(
    mode: str,
    full_shape: tuple[int, ...],
    s1: tuple[int, ...],
    s2: tuple[int, ...],
    axes: Sequence[int],
) -> tuple[slice, ...]:
    """The slices of the full result that ``mode`` keeps (SciPy's ``_apply_conv_mode``), each
    the centre block of length n from (f − n) // 2: n = f ("full"); in1's length ("same"); along
    the convolved ``axes``, |n₁ − n₂| + 1, the entries that do not reach the zero padding
    ("valid": one input must be at least as large as the other along all of them)."""
    if mode not in _MODES:
        raise ValueError("acceptable mode flags are 'valid', 'same', or 'full'")
    if mode == "full":
        kept = full_shape
    elif mode == "same":
        kept = s1
    else:
        if not (all(s1[a] >= s2[a] for a in axes) or all(s2[a] >= s1[a] for a in axes)):
            raise ValueError(
                "For 'valid' mode, one must be at least as large as the other in every dimension"
            )
        kept = tuple(abs(s1[a] - s2[a]) + 1 if a in axes else f for a, f in enumerate(full_shape))
    return tuple(
        slice((f - n) // 2, (f - n) // 2 + n) for f, n in zip(full_shape, kept, strict=True)
    )


def _sliced(full: Any, kept: tuple[slice, ...]) -> Any:
    """``full[kept]``, without an op when that is all of it."""
    whole = all(k.start == 0 and k.stop == n for k, n in zip(kept, shape(full), strict=True))
    return full if whole else anp.getitem(full, kept)


def convolve(
    in1: Any, in2: Any, mode: str = "full", method: str = "auto", precision: Any = None
) -> Any:
    """(in1 ∗ in2)[k] = Σᵢ in1[i] in2[k − i], over every axis."""
    in1, in2 = anp.asarray(in1), anp.asarray(in2)
    if ndim(in1) != ndim(in2):
        raise ValueError("in1 and in2 should have the same dimensionality")
    s1, s2 = shape(in1), shape(in2)
    full_shape = tuple(n + m - 1 for n, m in zip(s1, s2, strict=True))
    kept = _kept(mode, full_shape, s1, s2, range(len(s1)))
    return _sliced(_special.convolve(in1, in2), kept)


def correlate(
    in1: Any, in2: Any, mode: str = "full", method: str = "auto", precision: Any = None
) -> Any:
    """Σᵢ in1[i + k] in2[i]: the convolution of in1 with in2 reversed along every axis."""
    in2 = anp.asarray(in2)
    return convolve(in1, anp.flip(in2) if ndim(in2) else in2, mode=mode)


def _matrices(name: str, in1: Any, in2: Any, boundary: str, fillvalue: Any) -> tuple[Any, Any]:
    """convolve2d's and correlate2d's inputs as arrays, checked: 2-D, zero padding (as JAX's)."""
    in1, in2 = anp.asarray(in1), anp.asarray(in2)
    if boundary not in _BOUNDARIES:
        raise ValueError(
            "Acceptable boundary flags are 'fill', 'circular' (or 'wrap'), and 'symmetric' "
            f"(or 'symm'); got {boundary!r}"
        )
    if boundary != "fill" or fillvalue != 0:
        raise NotImplementedError(
            f"{name}() supports only boundary='fill' with fillvalue=0 (zero padding), as JAX's; "
            f"got boundary={boundary!r}, fillvalue={fillvalue!r}. Pad the input yourself "
            "(anp.pad with mode='wrap' or 'symmetric', or a constant) and use mode='valid'"
        )
    if ndim(in1) != 2 or ndim(in2) != 2:
        raise ValueError(
            f"{name}() takes 2-dimensional inputs; got shapes {shape(in1)} and {shape(in2)} "
            "(convolve and correlate take N-dimensional ones)"
        )
    return in1, in2


def convolve2d(
    in1: Any,
    in2: Any,
    mode: str = "full",
    boundary: str = "fill",
    fillvalue: Any = 0,
    precision: Any = None,
) -> Any:
    """The 2-D convolution Σᵢⱼ in1[i, j] in2[k − i, l − j], zero-padded: ``convolve`` of two
    matrices."""
    in1, in2 = _matrices("convolve2d", in1, in2, boundary, fillvalue)
    return convolve(in1, in2, mode)


def correlate2d(
    in1: Any,
    in2: Any,
    mode: str = "full",
    boundary: str = "fill",
    fillvalue: Any = 0,
    precision: Any = None,
) -> Any:
    """The 2-D correlation Σᵢⱼ in1[i + k, j + l] in2[i, j], zero-padded: ``correlate`` of two
    matrices, except that SciPy's "same" block starts at m // 2 along an axis where in2 has
    length m (``correlate`` starts at (m − 1) // 2), i.e. it is flip(convolve(flip(in1), in2,
    "same"))."""
    in1, in2 = _matrices("correlate2d", in1, in2, boundary, fillvalue)
    if mode == "same":
        return anp.flip(convolve(anp.flip(in1), in2, mode))
    return correlate(in1, in2, mode)


def _convolved_axes(s1: tuple[int, ...], s2: tuple[int, ...], axes: Any) -> list[int]:
    """fftconvolve's ``axes`` (default: all), without those where an input has length 1 (a
    broadcast product there); along the others the lengths must be equal or one of them 1."""
    nd = len(s1)
    listed = range(nd) if axes is None else normalize_axis_tuple(axes, nd, "axes")
    if axes is not None and not listed:
        raise ValueError("when provided, axes cannot be empty")
    convolved = [a for a in listed if s1[a] != 1 and s2[a] != 1]
    if any(s1[a] != s2[a] and 1 not in (s1[a], s2[a]) for a in range(nd) if a not in convolved):
        raise ValueError(
            f"incompatible shapes for in1 and in2: {s1} and {s2} (outside `axes`, lengths must "
            "be equal or 1)"
        )
    return convolved


def fftconvolve(in1: Any, in2: Any, mode: str = "full", axes: Any = None) -> Any:
    """in1 ∗ in2 along ``axes`` = irfftn(rfftn(in1) · rfftn(in2)) on the full length n₁ + n₂ − 1
    of each (fftn/ifftn for complex inputs); the product broadcasts along the other axes."""
    in1, in2 = anp.asarray(in1), anp.asarray(in2)
    if ndim(in1) == ndim(in2) == 0:
        return anp.multiply(in1, in2)
    if ndim(in1) != ndim(in2):
        raise ValueError("in1 and in2 should have the same dimensionality")
    s1, s2 = shape(in1), shape(in2)
    if 0 in s1 + s2:
        raise ValueError(f"fftconvolve of an empty array: shapes {s1} and {s2}")
    axes = _convolved_axes(s1, s2, axes)
    full_shape = tuple(
        n + m - 1 if a in axes else max(n, m) for a, (n, m) in enumerate(zip(s1, s2, strict=True))
    )
    kept = _kept(mode, full_shape, s1, s2, axes)
    if not axes:
        return _sliced(anp.multiply(in1, in2), kept)
    lengths = [full_shape[a] for a in axes]
    complex_ = any(dtype_of(x).kind == "c" for x in (in1, in2))
    forward, inverse = (
        (anp.fft.fftn, anp.fft.ifftn) if complex_ else (anp.fft.rfftn, anp.fft.irfftn)
    )
    spectrum = anp.multiply(forward(in1, lengths, axes), forward(in2, lengths, axes))
    return _sliced(inverse(spectrum, lengths, axes), kept)


def _floating(x: Any) -> Any:
    """x as an array of floating-point (or complex) numbers: integers and bools as float64."""
    x = anp.asarray(x)
    return x if dtype_of(x).kind in "fc" else anp.astype(x, np.float64)


def _line_residual(y: Any) -> Any:
    """y minus its least-squares line along the last axis: y − ȳ − tₖ Σⱼ tⱼ yⱼ / Σⱼ tⱼ², with
    tₖ = k − (n − 1)/2 (centred, so the intercept is ȳ); a single point is its own line."""
    n = shape(y)[-1]
    centred = anp.subtract(y, anp.mean(y, axis=-1, keepdims=True))
    if n == 1:
        return centred
    t = (np.arange(n) - (n - 1) / 2).astype(dtype_of(centred))
    slope = anp.matmul(y, t / np.dot(t, t))
    return anp.subtract(centred, anp.multiply(anp.expand_dims(slope, -1), t))


def _breakpoints(bp: Any, n: int) -> np.ndarray:
    """0, the breakpoints and n, sorted and without repeats; each must lie in 0 … n."""
    edges = np.unique(np.concatenate([[0], np.ravel(bp), [n]]))
    if edges.dtype.kind not in "iu":
        raise TypeError(f"breakpoints bp must be integers (indices along axis); got {bp!r}")
    if edges[0] < 0 or edges[-1] > n:
        raise ValueError(
            f"Breakpoints must be non-negative and at most the length of data along the given "
            f"axis ({n}); got bp={bp!r}"
        )
    return edges


def detrend(
    data: Any, axis: int = -1, type: str = "linear", bp: Any = 0, overwrite_data: bool = False
) -> Any:
    """data minus its trend along ``axis``: the mean (``type="constant"``), or the least-squares
    line of each piece data[bₖ:bₖ₊₁] between consecutive breakpoints 0, ``bp``…, n
    (``type="linear"``)."""
    if type not in ("linear", "l", "constant", "c"):
        raise ValueError("Trend type must be 'linear' or 'constant'.")
    data = _floating(data)
    if type in ("constant", "c"):
        return anp.subtract(data, anp.mean(data, axis=axis, keepdims=True))
    y = anp.moveaxis(data, axis, -1)
    edges = _breakpoints(bp, shape(y)[-1])
    pieces = [_line_residual(y[..., a:b]) for a, b in itertools.pairwise(edges)]
    if not pieces:  # no data along axis
        return data
    return anp.moveaxis(pieces[0] if len(pieces) == 1 else anp.concatenate(pieces, -1), -1, axis)


# ---------------------------------------------------------------------------- spectral analysis
def _positive(nperseg: Any) -> int:
    """``nperseg`` as a positive integer."""
    if int(nperseg) < 1:
        raise ValueError(f"nperseg must be a positive integer; got {nperseg!r}")
    return int(nperseg)


def _is_named(window: Any) -> bool:
    """A window given by name (or a (name, parameters) tuple) rather than by its values."""
    return isinstance(window, str | tuple)


def _window_values(window: Any, nperseg: int) -> np.ndarray:
    """The window of length nperseg: SciPy's ``get_window`` of a name (periodic, as SciPy's
    spectral functions take it), or the 1-D array given."""
    if _is_named(window):
        return scipy.signal.get_window(window, nperseg)
    win = np.asarray(window)
    if win.ndim != 1:
        raise ValueError("window must be 1-D")
    if len(win) != nperseg:
        raise ValueError(
            f"value specified for nperseg ({nperseg}) is different from length of window "
            f"({len(win)})"
        )
    return win


def _segment_length(window: Any, nperseg: Any, n: int) -> int:
    """nperseg: given, else a window array's length or 256; a named window's is at most the
    signal's length n (SciPy warns and shortens it), an array window may not be longer."""
    if not _is_named(window):
        length = len(np.asarray(window))
        if length > n:
            raise ValueError(f"window is longer than input signal ({length} > {n})")
        return length if nperseg is None else _positive(nperseg)
    nperseg = 256 if nperseg is None else _positive(nperseg)
    if nperseg > n:
        warnings.warn(
            f"nperseg = {nperseg} is greater than input length = {n}, using nperseg = {n}",
            stacklevel=4,
        )
    return min(nperseg, n)


def _overlap_and_nfft(nperseg: int, noverlap: Any, nfft: Any, default_nfft: int) -> tuple:
    """(noverlap, nfft): noverlap (default nperseg // 2) below nperseg, nfft (default
    ``default_nfft``) at least nperseg."""
    nfft = default_nfft if nfft is None else int(nfft)
    if nfft < nperseg:
        raise ValueError(f"nfft ({nfft}) must be greater than or equal to nperseg ({nperseg}).")
    noverlap = nperseg // 2 if noverlap is None else int(noverlap)
    if noverlap >= nperseg:
        raise ValueError(f"noverlap ({noverlap}) must be less than nperseg ({nperseg}).")
    return noverlap, nfft


def _extended(x: Any, n: int, boundary: str | None) -> Any:
    """x extended by n entries at each end of its last axis, as SciPy's ``boundary``: "even"
    mirrors it about its end entries, "odd" point-mirrors it (2·x₀ − the mirror image),
    "constant" repeats the end entries, "zeros" pads zeros. (n = nperseg // 2 is less than x's
    length, as the mirrors need.)"""
    if boundary is None or n < 1:
        return x
    widths = [(0, 0)] * (ndim(x) - 1) + [(n, n)]
    if boundary == "zeros":
        return anp.pad(x, widths)
    if boundary == "constant":
        return anp.pad(x, widths, "edge")
    mirrored = anp.pad(x, widths, "reflect")
    if boundary == "even":
        return mirrored
    return anp.subtract(anp.multiply(2.0, anp.pad(x, widths, "edge")), mirrored)


def _segment_trend(kind: Any, axis: int) -> Any:
    """The detrending of the segments (along the last axis): none (False), ``detrend`` of
    that ``type``, or the given function (with the segments' last axis moved to ``axis``)."""
    if not kind:
        return lambda d: d
    if not callable(kind):
        return lambda d: detrend(d, type=kind, axis=-1)
    if axis == -1:
        return kind
    return lambda d: anp.moveaxis(kind(anp.moveaxis(d, -1, axis)), axis, -1)


def _segment_spectra(
    x: Any, win: np.ndarray, trend: Any, noverlap: int, nfft: int, onesided: bool
) -> Any:
    """The spectra (..., segments, frequencies) of the segments x[..., s : s + nperseg], s = 0,
    step, 2·step, … (step = nperseg − noverlap): each detrended, times the window, and
    transformed (rfft when ``onesided``, else fft) with nfft points."""
    nperseg = len(win)
    starts = np.arange(0, shape(x)[-1] - nperseg + 1, nperseg - noverlap)
    segments = anp.getitem(x, (..., starts[:, None] + np.arange(nperseg)))
    windowed = anp.multiply(trend(segments), win)
    return anp.fft.rfft(windowed, nfft) if onesided else anp.fft.fft(windowed, nfft)


def _zero_padded(v: Any, n: int) -> Any:
    """v with zeros appended along its last axis up to length n."""
    extra = n - shape(v)[-1]
    return anp.pad(v, [(0, 0)] * (ndim(v) - 1) + [(0, extra)]) if extra > 0 else v


def _combined(spectra: list, scale: float, mode: str, onesided: bool, nfft: int) -> Any:
    """The segment spectra X (and Y) combined: X·√s ("stft"); conj(X)·Y·s ("psd"; conj(X)·X,
    real, for one signal), one-sided spectra doubled but at 0 and at Nyquist (even nfft)."""
    if mode == "stft":
        return anp.multiply(spectra[0], np.sqrt(scale))
    factors = np.full(shape(spectra[0])[-1], scale)
    if onesided:
        factors[1 : None if nfft % 2 else -1] *= 2
    result = anp.multiply(anp.multiply(anp.conj(spectra[0]), spectra[-1]), factors)
    return anp.real(result) if len(spectra) == 1 else result


def _spectral(
    x: Any,
    y: Any,
    fs: float,
    window: Any,
    nperseg: Any,
    noverlap: Any,
    nfft: Any,
    trend: Any,
    return_onesided: bool,
    scaling: str,
    axis: int,
    mode: str,
    boundary: str | None = None,
    padded: bool = False,
) -> tuple[np.ndarray, np.ndarray, Any]:
    """(frequencies, segment times, result) as SciPy's ``_spectral_helper``: the segment spectra
    X (and Y) of x (and y) along ``axis``, after extending the ends by nperseg // 2
    (``boundary``) and zero-padding to whole segments (``padded``); ``mode="stft"``: X·√s,
    ``"psd"``: conj(X)·Y·s (conj(X)·X, real, without y), with s = 1/(fs Σw²) ("density") or
    1/(Σw)² ("spectrum"), one-sided ones doubled but at 0 and Nyquist. The frequencies replace
    ``axis``; the segments are the last axis."""
    if scaling not in ("density", "spectrum"):
        raise ValueError(f"Unknown scaling: {scaling!r} (use 'density' or 'spectrum')")
    if boundary not in (None, "even", "odd", "constant", "zeros"):
        raise ValueError(
            f"Unknown boundary option {boundary!r}, must be one of: "
            "['even', 'odd', 'constant', 'zeros', None]"
        )
    x = anp.moveaxis(_floating(x), axis, -1)
    if y is not None:
        y = _floating(y)
        y = anp.moveaxis(y, axis, -1) if ndim(y) > 1 else y
        n = max(shape(x)[-1], shape(y)[-1])
        x, y = _zero_padded(x, n), _zero_padded(y, n)
    if 0 in shape(x) or (y is not None and 0 in shape(y)):
        raise ValueError(f"spectral analysis of an empty array (shape {shape(x)})")
    nperseg = _segment_length(window, nperseg, shape(x)[-1])
    noverlap, nfft = _overlap_and_nfft(nperseg, noverlap, nfft, nperseg)
    win = _window_values(window, nperseg).astype(np.finfo(dtype_of(x)).dtype)
    scale = 1 / (fs * np.sum(win * win)) if scaling == "density" else 1 / np.sum(win) ** 2
    signals = [_extended(v, nperseg // 2, boundary) for v in (x, y) if v is not None]
    complex_ = any(dtype_of(v).kind == "c" for v in signals)
    if complex_ and return_onesided:
        warnings.warn("Input data is complex, switching to return_onesided=False", stacklevel=3)
    onesided = return_onesided and not complex_
    step, n = nperseg - noverlap, shape(signals[0])[-1]
    if padded:
        n += (-(n - nperseg) % step) % nperseg
        signals = [_zero_padded(v, n) for v in signals]
    spectra = [_segment_spectra(v, win, trend, noverlap, nfft, onesided) for v in signals]
    result = _combined(spectra, scale, mode, onesided, nfft)
    times = np.arange(nperseg / 2, n - nperseg / 2 + 1, step) / fs
    times = times - nperseg / 2 / fs if boundary is not None else times
    freqs = (np.fft.rfftfreq if onesided else np.fft.fftfreq)(nfft, 1 / fs)
    return freqs, times, anp.moveaxis(result, -1, axis % (ndim(result) - 1))


def stft(
    x: Any,
    fs: float = 1.0,
    window: Any = "hann",
    nperseg: int = 256,
    noverlap: int | None = None,
    nfft: int | None = None,
    detrend: Any = False,
    return_onesided: bool = True,
    boundary: str | None = "zeros",
    padded: bool = True,
    axis: int = -1,
    scaling: str = "spectrum",
) -> tuple[np.ndarray, np.ndarray, Any]:
    """(f, t, Zxx): the short-time Fourier transform, Zₖₘ = Σⱼ w[j] x[m·step + j] e^{−2πi jk/nfft}
    scaled by 1/Σw ("spectrum") or 1/√(fs Σw²) ("psd"), x extended by nperseg // 2 at each end
    (``boundary``) and zero-padded to whole segments (``padded``)."""
    if scaling not in ("spectrum", "psd"):
        raise ValueError(f"Parameter scaling={scaling!r} not in ['spectrum', 'psd']!")
    scaling = "density" if scaling == "psd" else scaling
    trend = _segment_trend(detrend, axis)
    return _spectral(x, None, fs, window, nperseg, noverlap, nfft, trend, return_onesided,
                     scaling, axis, "stft", boundary, padded)  # fmt: skip


def _median_bias(n: int) -> float:
    """The bias of the median of n periodograms against their mean (χ² with 2 degrees of
    freedom): 1 + Σₖ₌₁^{(n−1)/2} (1/(2k + 1) − 1/(2k))."""
    even = 2 * np.arange(1, (n - 1) // 2 + 1)
    return 1 + np.sum(1.0 / (even + 1) - 1.0 / even)


def _averaged(p: Any, average: str) -> Any:
    """The periodograms p (segments last) averaged: their mean, or their median over the median
    bias (of the real and imaginary parts apart)."""
    count = shape(p)[-1]
    if count == 1:
        return anp.reshape(p, shape(p)[:-1])
    if average == "mean":
        return anp.mean(p, axis=-1)
    if dtype_of(p).kind == "c":
        median = anp.add(anp.median(anp.real(p), -1), anp.multiply(1j, anp.median(anp.imag(p), -1)))
    else:
        median = anp.median(p, axis=-1)
    return anp.divide(median, _median_bias(count))


def csd(
    x: Any,
    y: Any,
    fs: float = 1.0,
    window: Any = "hann",
    nperseg: int | None = None,
    noverlap: int | None = None,
    nfft: int | None = None,
    detrend: Any = "constant",
    return_onesided: bool = True,
    scaling: str = "density",
    axis: int = -1,
    average: str = "mean",
) -> tuple[np.ndarray, Any]:
    """(f, Pxy): Welch's estimate of the cross spectral density, the mean (or median) over the
    segments of conj(X)·Y scaled as ``_spectral``'s "psd" (real when y is x or None, as
    SciPy's csd(x, x) and JAX's csd(x, None))."""
    if average not in ("mean", "median"):
        raise ValueError(f'average must be "median" or "mean", got {average!r}')
    # SciPy's csd gives a detrending function each segment as it is (its stft, and JAX's csd,
    # the segments with their axes moved to ``axis``).
    trend = _segment_trend(detrend, -1)
    other = None if y is x else y
    freqs, _, p = _spectral(x, other, fs, window, nperseg, noverlap, nfft, trend,
                            return_onesided, scaling, axis, "psd")  # fmt: skip
    return freqs, _averaged(p, average)


def welch(
    x: Any,
    fs: float = 1.0,
    window: Any = "hann",
    nperseg: int | None = None,
    noverlap: int | None = None,
    nfft: int | None = None,
    detrend: Any = "constant",
    return_onesided: bool = True,
    scaling: str = "density",
    axis: int = -1,
    average: str = "mean",
) -> tuple[np.ndarray, Any]:
    """(f, Pxx): Welch's estimate of the power spectral density, ``csd(x, x)``."""
    return csd(x, None, fs, window, nperseg, noverlap, nfft, detrend, return_onesided,
               scaling, axis, average)  # fmt: skip


def istft(
    Zxx: Any,
    fs: float = 1.0,
    window: Any = "hann",
    nperseg: int | None = None,
    noverlap: int | None = None,
    nfft: int | None = None,
    input_onesided: bool = True,
    boundary: bool = True,
    time_axis: int = -1,
    freq_axis: int = -2,
    scaling: str = "spectrum",
) -> tuple[np.ndarray, Any]:
    """(t, x): the inverse short-time Fourier transform by weighted overlap-add,
    x[n] = Σₘ w[n − m·step] sₘ[n − m·step] / Σₘ w²[n − m·step], sₘ the inverse transform of
    segment m rescaled by Σw ("spectrum") or √(fs Σw²) ("psd"); without the nperseg // 2
    entries ``stft`` added at each end (``boundary``)."""
    if scaling not in ("spectrum", "psd"):
        raise ValueError(f"Parameter scaling={scaling!r} not in ['spectrum', 'psd']!")
    Zxx = anp.asarray(Zxx)
    if ndim(Zxx) < 2:
        raise ValueError("Input stft must be at least 2d!")
    freq_axis, time_axis = (normalize_axis_index(a, ndim(Zxx)) for a in (freq_axis, time_axis))
    if freq_axis == time_axis:
        raise ValueError("Must specify differing time and frequency axes!")
    nseg, nfreq = shape(Zxx)[time_axis], shape(Zxx)[freq_axis]
    n_default = 2 * (nfreq - 1) if input_onesided else nfreq
    nperseg = n_default if nperseg is None else _positive(nperseg)
    odd = input_onesided and nperseg == n_default + 1  # an odd nperseg, not zero-padded
    noverlap, nfft = _overlap_and_nfft(nperseg, noverlap, nfft, nperseg if odd else n_default)
    win = _window_values(window, nperseg)
    spectra = anp.moveaxis(Zxx, (freq_axis, time_axis), (-2, -1))
    inverse = anp.fft.irfft if input_onesided else anp.fft.ifft
    factor = np.sum(win) if scaling == "spectrum" else np.sqrt(fs * np.sum(win**2))
    frames = anp.getitem(inverse(spectra, nfft, -2), (..., slice(0, nperseg), slice(None)))
    segments = anp.swapaxes(frames, -1, -2)  # (..., segments, nperseg)
    weighted = anp.multiply(anp.multiply(segments, factor), win)
    step = nperseg - noverlap
    positions = np.arange(nseg)[:, None] * step + np.arange(nperseg)
    length = nperseg + (nseg - 1) * step
    x = anp.zeros((*shape(weighted)[:-2], length), dtype_of(weighted))
    x = x.at[..., positions].add(weighted)
    norm = np.bincount(positions.ravel(), np.tile(win**2, nseg), length)  # Σₘ w²[n − m·step]
    if boundary:
        kept = slice(nperseg // 2, length - nperseg // 2)
        x, norm = anp.getitem(x, (..., kept)), norm[kept]
    if np.any(norm <= 1e-10):
        missing = "" if boundary else " Possibly due to missing boundary"
        warnings.warn(f"NOLA condition failed, STFT may not be invertible.{missing}", stacklevel=2)
    x = anp.divide(x, np.where(norm > 1e-10, norm, 1.0))
    if ndim(x) > 1 and time_axis != ndim(Zxx) - 1:
        x = anp.moveaxis(x, -1, time_axis - 1 if freq_axis < time_axis else time_axis)
    return np.arange(shape(x)[0]) / fs, x
