"""``jax.lax.fft``: the discrete Fourier transform over the last axes, by
:mod:`admodes.numpy.fft` (so both engines differentiate it, to any order).

For k = ``len(fft_lengths)`` trailing axes of lengths n = ``fft_lengths``:

- ``FFT``: X[k] = Σⱼ x[j] e^(−2πi jk/n) (complex in, complex out),
- ``IFFT``: x[j] = (1/n) Σₖ X[k] e^(+2πi jk/n),
- ``RFFT``: the FFT of a real x, its last axis cut to n//2 + 1 (the rest is conjugate),
- ``IRFFT``: the real x of length n whose RFFT is X (X's last axis n//2 + 1 long).

As JAX's, the input's trailing axes must be ``fft_lengths`` long (``IRFFT``: n//2 + 1 for the
last): there is no padding or cropping, as ``numpy.fft``'s ``n`` and ``s`` do.
"""

from __future__ import annotations

import enum
from collections.abc import Sequence
from typing import Any

import admodes.numpy as anp
from admodes.core import dtype_of, shape

__all__ = ["FftType", "fft"]


class FftType(enum.IntEnum):
    """The kind of transform (JAX's names and values)."""

    FFT = 0
    IFFT = 1
    RFFT = 2
    IRFFT = 3


#: Each kind's transform over ``axes`` with output lengths ``s``.
_TRANSFORMS = {
    FftType.FFT: anp.fft.fftn,
    FftType.IFFT: anp.fft.ifftn,
    FftType.RFFT: anp.fft.rfftn,
    FftType.IRFFT: anp.fft.irfftn,
}


def fft(x: Any, fft_type: FftType | str, fft_lengths: Sequence[int]) -> Any:
    """The ``fft_type`` transform of ``x`` over its last ``len(fft_lengths)`` axes (see the
    module docstring); ``fft_type`` is a :class:`FftType` or its name (``"rfft"``)."""
    kind = _kind(fft_type)
    x = anp.asarray(x)
    if kind is FftType.RFFT and dtype_of(x).kind == "c":
        raise ValueError("only real valued inputs supported for rfft")
    lengths = tuple(int(n) for n in fft_lengths)
    if not lengths:
        return anp.astype(x, _output_dtype(kind, x), copy=False)
    k, x_shape = len(lengths), shape(x)
    if len(x_shape) < k:
        raise ValueError(
            f"FFT input shape {x_shape} must have at least as many input dimensions as "
            f"fft_lengths {lengths}"
        )
    expected = (*lengths[:-1], lengths[-1] // 2 + 1) if kind is FftType.IRFFT else lengths
    if x_shape[-k:] != expected:
        raise ValueError(
            f"FFT input shape {x_shape} minor dimensions must be equal to {expected} for "
            f"{kind.name} with fft_lengths {lengths}"
        )
    axes = tuple(range(-k, 0))
    return _TRANSFORMS[kind](x, s=lengths, axes=axes)


def _kind(fft_type: FftType | str) -> FftType:
    if isinstance(fft_type, FftType):
        return fft_type
    if isinstance(fft_type, str):
        try:
            return FftType[fft_type.upper()]
        except KeyError:
            raise ValueError(
                f"Unknown FFT type {fft_type!r}: use one of 'fft', 'ifft', 'rfft', 'irfft' "
                "(or lax.FftType)"
            ) from None
    raise TypeError(f"Unknown FFT type value {fft_type!r}: give a lax.FftType or its name")


def _output_dtype(kind: FftType, x: Any) -> Any:
    """The dtype of a transform over no axes: real for RFFT (float for an integer x), else
    complex."""
    real = anp.result_type(dtype_of(x), 1.0)
    return real if kind is FftType.RFFT else anp.result_type(real, 1j)
