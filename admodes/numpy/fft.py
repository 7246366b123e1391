"""``admodes.numpy.fft``: NumPy's discrete Fourier transforms, differentiable in both modes.

Every transform is built from one primitive, the unnormalised 1-D DFT along an axis
(``admodes.rules.fft``), with NumPy's ``n``/``s`` (crop or zero-pad), ``axis``/``axes`` and
``norm`` ("backward", "ortho", "forward"). The real transforms are the complex ones restricted:
``rfft`` keeps the first n//2 + 1 frequencies of ``fft``; ``irfft`` extends its input to the
Hermitian spectrum and takes the real part of ``ifft`` (so the imaginary parts of the zero and
Nyquist frequencies are ignored, as NumPy ignores them). ``hfft`` and ``ihfft``, of a signal
with a Hermitian spectrum, are ``irfft`` and ``rfft`` with conjugates and the opposite ``norm``,
as NumPy defines them. Derivatives follow from the primitive's rule (the DFT is its own
transpose) and from the slicing, so they match JAX's.

``count()`` charges 5·N·log₂N FLOPs per complex transform of length N.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as _np

from admodes.core import complex_dtype_of, dtype_of, ndim, shape
from admodes.numpy._functions import array_operand
from admodes.rules.elementwise import conj, divide, multiply, real
from admodes.rules.fft import fft as _dft
from admodes.rules.shape import astype, axis_index, concatenate, flip, getitem

#: NumPy's ``norm`` values, each with that of the transform in the other direction (which
#: NumPy's hfft and ihfft pass to irfft and rfft).
_OPPOSITE = {None: "forward", "backward": "forward", "ortho": "ortho", "forward": "backward"}
_NORMS = tuple(_OPPOSITE)

#: NumPy's ``s`` and ``axes`` arguments: one entry per transformed axis, or None.
Shape = Sequence[int] | None


def _axis(axis: int, nd: int) -> int:
    """``axis`` as a negative integer, checked."""
    if not -nd <= axis < nd:
        raise _np.exceptions.AxisError(f"axis {axis} is out of bounds for a value of rank {nd}")
    return axis % nd - nd


def _resized(x: Any, n: int | None, axis: int) -> Any:
    """x cropped or zero-padded to length ``n`` along ``axis`` (NumPy's ``n`` argument)."""
    if n is None or n == shape(x)[axis]:
        return x
    if n < 1:
        raise ValueError(f"invalid number of FFT data points ({n}) specified")
    have = shape(x)[axis]
    if n < have:
        return getitem(x, axis_index(ndim(x), axis, slice(0, n)))
    pad = list(shape(x))
    pad[axis] = n - have
    zeros = _np.zeros(pad, dtype=complex_dtype_of(x))
    return concatenate(x, zeros, axis=axis)


def _checked(norm: str | None) -> str | None:
    """``norm``, one of NumPy's values."""
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm}; should be "backward", "ortho" or "forward".')
    return norm


def _scale(n: int, norm: str | None, inverse: bool) -> float:
    """The factor NumPy's ``norm`` puts on a transform beyond the unnormalised DFT (ifft: 1/n)."""
    if _checked(norm) == "ortho":
        return math.sqrt(n) if inverse else 1 / math.sqrt(n)
    if norm == "forward":
        return float(n) if inverse else 1 / n
    return 1.0


def _transform(a: Any, n: int | None, axis: int, norm: str | None, inverse: bool) -> Any:
    a = array_operand(a)
    axis = _axis(axis, ndim(a))
    x = _resized(a, n, axis)
    y = _dft(x, axis=axis, inverse=inverse)
    factor = _scale(shape(x)[axis], norm, inverse)
    return y if factor == 1.0 else multiply(y, factor)


def fft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The 1-D discrete Fourier transform, as ``numpy.fft.fft``."""
    return _transform(a, n, axis, norm, inverse=False)


def ifft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The 1-D inverse discrete Fourier transform, as ``numpy.fft.ifft``."""
    return _transform(a, n, axis, norm, inverse=True)


def rfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The first n//2 + 1 frequencies of the transform of real input, as ``numpy.fft.rfft``."""
    a = array_operand(a)
    if dtype_of(a).kind == "c":
        raise TypeError(
            f"the real-input transforms (rfft, rfft2, rfftn, ihfft) take real input, got "
            f"{dtype_of(a)}; use fft for complex input"
        )
    axis = _axis(axis, ndim(a))
    y = fft(a, n, axis, norm)
    return getitem(y, axis_index(ndim(y), axis, slice(0, shape(y)[axis] // 2 + 1)))


def irfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The real inverse of :func:`rfft` (output length ``n``, default 2·(m − 1)), as
    ``numpy.fft.irfft``."""
    a = array_operand(a)
    axis = _axis(axis, ndim(a))
    n = 2 * (shape(a)[axis] - 1) if n is None else n
    half = _resized(a, n // 2 + 1, axis)
    mirrored = getitem(half, axis_index(ndim(half), axis, slice(1, (n - 1) // 2 + 1)))
    full = concatenate(half, conj(flip(mirrored, axis)), axis=axis)
    return real(ifft(full, n, axis, norm))


def hfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The real transform of a signal whose spectrum is Hermitian, ``a`` its first half (output
    length ``n``, default 2·(m − 1)), as ``numpy.fft.hfft``: irfft(conj(a), n) with the opposite
    ``norm`` (so "backward", the default, is n · irfft(conj(a), n), unscaled)."""
    return irfft(conj(a), n, axis, _OPPOSITE[_checked(norm)])


def ihfft(a: Any, n: int | None = None, axis: int = -1, norm: str | None = None) -> Any:
    """The inverse of :func:`hfft`, of real input: the first n//2 + 1 entries of its Hermitian
    spectrum, as ``numpy.fft.ihfft``: conj(rfft(a, n)) with the opposite ``norm`` (so "backward",
    the default, is conj(rfft(a, n)) / n)."""
    return conj(rfft(a, n, axis, _OPPOSITE[_checked(norm)]))


def _axes_and_sizes(
    a: Any, s: Shape, axes: Shape, real: bool = False
) -> tuple[list[int], list[int | None]]:
    """NumPy's ``s``/``axes`` pair for the n-dimensional transforms (of the array operand
    ``a``); each axis at most once (also as a negative alias), as JAX requires; at least one
    for the ``real`` transforms, whose last axis is the real one."""
    if axes is None:
        axes = list(range(-len(s), 0)) if s is not None else list(range(-ndim(a), 0))
    given, axes = axes, [_axis(ax, ndim(a)) for ax in axes]
    if len(set(axes)) != len(axes):
        raise ValueError(
            f"the n-dimensional FFTs do not support repeated axes (nor do JAX's): axes "
            f"{tuple(given)} name an axis of the rank-{ndim(a)} input more than once; name each "
            "axis once (to transform along an axis twice, apply the 1-D transform again)"
        )
    sizes = [None] * len(axes) if s is None else list(s)
    if len(sizes) != len(axes):
        raise ValueError("when given, axes and shape arguments have to be of the same length")
    if real and not axes:
        raise ValueError(
            "rfftn and irfftn need at least one axis (the last is the real transform's); for "
            "no transform at all, leave the call out"
        )
    return axes, sizes


def _along(
    transform: Callable[..., Any],
    a: Any,
    axes: Sequence[int],
    sizes: Sequence[int | None],
    norm: str | None,
) -> Any:
    """The 1-D ``transform`` applied along each of ``axes`` in turn, with length ``sizes[k]``
    along ``axes[k]``: the n-dimensional transform is the composition of the 1-D ones (for no
    axes, ``a`` made complex, as JAX's)."""
    if not axes and dtype_of(a).kind != "c":
        return astype(a, dtype=complex_dtype_of(a))
    for ax, n in zip(axes, sizes, strict=True):
        a = transform(a, n, ax, norm)
    return a


def fftn(a: Any, s: Shape = None, axes: Shape = None, norm: str | None = None) -> Any:
    """The n-dimensional transform: one 1-D transform per axis, as ``numpy.fft.fftn``."""
    a = array_operand(a)
    return _along(fft, a, *_axes_and_sizes(a, s, axes), norm)


def ifftn(a: Any, s: Shape = None, axes: Shape = None, norm: str | None = None) -> Any:
    """The n-dimensional inverse transform, as ``numpy.fft.ifftn``."""
    a = array_operand(a)
    return _along(ifft, a, *_axes_and_sizes(a, s, axes), norm)


def rfftn(a: Any, s: Shape = None, axes: Shape = None, norm: str | None = None) -> Any:
    """``rfft`` along the last axis, then ``fft`` along the others, as ``numpy.fft.rfftn``."""
    a = array_operand(a)
    axes, sizes = _axes_and_sizes(a, s, axes, real=True)
    a = rfft(a, sizes[-1], axes[-1], norm)
    return _along(fft, a, axes[:-1], sizes[:-1], norm)


def irfftn(a: Any, s: Shape = None, axes: Shape = None, norm: str | None = None) -> Any:
    """``ifft`` along all axes but the last, then ``irfft`` along it, as ``numpy.fft.irfftn``."""
    a = array_operand(a)
    axes, sizes = _axes_and_sizes(a, s, axes, real=True)
    a = _along(ifft, a, axes[:-1], sizes[:-1], norm)
    return irfft(a, sizes[-1], axes[-1], norm)


def fft2(a: Any, s: Shape = None, axes: Shape = (-2, -1), norm: str | None = None) -> Any:
    """:func:`fftn` over the last two axes by default, as ``numpy.fft.fft2``."""
    return fftn(a, s, axes, norm)


def ifft2(a: Any, s: Shape = None, axes: Shape = (-2, -1), norm: str | None = None) -> Any:
    """:func:`ifftn` over the last two axes by default, as ``numpy.fft.ifft2``."""
    return ifftn(a, s, axes, norm)


def rfft2(a: Any, s: Shape = None, axes: Shape = (-2, -1), norm: str | None = None) -> Any:
    """:func:`rfftn` over the last two axes by default, as ``numpy.fft.rfft2``."""
    return rfftn(a, s, axes, norm)


def irfft2(a: Any, s: Shape = None, axes: Shape = (-2, -1), norm: str | None = None) -> Any:
    """:func:`irfftn` over the last two axes by default, as ``numpy.fft.irfft2``."""
    return irfftn(a, s, axes, norm)


def _shifted(x: Any, axes: int | Sequence[int] | None, inverse: bool) -> Any:
    """x rolled by half its length along ``axes`` (all by default): the zero frequency to the
    centre (``fftshift``) or back (``ifftshift``)."""
    x = array_operand(x)
    if axes is None:
        axes = range(ndim(x))
    elif isinstance(axes, int | _np.integer):
        axes = (axes,)
    for ax in axes:
        ax = _axis(ax, ndim(x))
        n = shape(x)[ax]
        cut = n - n // 2 if not inverse else n // 2
        head = getitem(x, axis_index(ndim(x), ax, slice(0, cut)))
        tail = getitem(x, axis_index(ndim(x), ax, slice(cut, n)))
        x = concatenate(tail, head, axis=ax)
    return x


def fftshift(x: Any, axes: int | Sequence[int] | None = None) -> Any:
    """The zero-frequency term to the centre, as ``numpy.fft.fftshift``."""
    return _shifted(x, axes, inverse=False)


def ifftshift(x: Any, axes: int | Sequence[int] | None = None) -> Any:
    """The inverse of :func:`fftshift`, as ``numpy.fft.ifftshift``."""
    return _shifted(x, axes, inverse=True)


# ---------------------------------------------------------------------------- frequencies
def fftfreq(n: int, d: Any = 1.0, *, dtype: Any = None, device: Any = None) -> Any:
    """The frequencies of ``fft``'s outputs, k/(d n) for k = 0, …, ⌈n/2⌉ − 1, −⌊n/2⌋, …, −1, of
    type ``dtype`` (float64 by default; JAX's ``dtype``); differentiable in d, as JAX's."""
    k = (_np.arange(n) + n // 2) % n - n // 2
    return _frequencies(k, n, d, dtype)


def rfftfreq(n: int, d: Any = 1.0, *, dtype: Any = None, device: Any = None) -> Any:
    """The frequencies of ``rfft``'s outputs, k/(d n) for k = 0, …, ⌊n/2⌋ (``fftfreq``'s). An
    integer ``dtype`` gives floats, as JAX's: k/trunc(d n), d n truncated to the integer type,
    in float64 for a 64-bit type and float32 for a narrower one."""
    k = _np.arange(n // 2 + 1)
    integer = None if dtype is None else _np.dtype(dtype)
    if integer is None or integer.kind not in "iu":
        return _frequencies(k, n, d, dtype)
    floats = _np.dtype(_np.float64 if integer.itemsize == 8 else _np.float32)
    return divide(k.astype(floats), astype(astype(multiply(d, n), integer), floats))


def _frequencies(k: _np.ndarray, n: int, d: Any, dtype: Any) -> Any:
    """k/(d n) computed in the real floating type of ``dtype`` (float64 for None or an integer
    type), then given ``dtype`` (as JAX's)."""
    out = _np.dtype(_np.float64 if dtype is None else dtype)
    computed = _np.finfo(out if out.kind in "fc" else _np.float64).dtype
    frequencies = divide(k.astype(computed), astype(multiply(d, n), computed))
    return frequencies if out == computed else astype(frequencies, out)
