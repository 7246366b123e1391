"""The discrete Fourier transform along one axis: the one primitive behind ``admodes.numpy.fft``.

``fft(x, axis, inverse)`` is NumPy's unnormalised ``fft`` (``inverse``: ``ifft``, with its 1/N).
Both are linear, so the JVP transforms the tangent. The DFT matrix W (Wⱼₖ = e^{−2πijk/N}) is
symmetric, so its transpose is itself: the VJP of ``fft`` is ``fft`` of the cotangent and the VJP
of ``ifft`` is ``ifft`` (JAX's convention: a transpose, no conjugation). Real input is promoted
to complex; the engines take the real part of a real input's cotangent.

Cost: 5·N·log₂N FLOPs per complex transform of length N (the usual count for a radix-2 FFT),
times the number of transforms along the other axes.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from admodes.core import shape, size
from admodes.registry import defprim


def _impl(x: Any, axis: int, inverse: bool) -> np.ndarray:
    return (np.fft.ifft if inverse else np.fft.fft)(x, axis=axis)


def _cost(ans: Any, x: Any, axis: int, inverse: bool) -> int:
    n = shape(ans)[axis]
    return 0 if n <= 1 else round(5 * size(ans) * math.log2(n))


def _linear(v: Any, ans: Any, x: Any, axis: int, inverse: bool) -> Any:
    return fft(v, axis=axis, inverse=inverse)


fft = defprim(
    "fft",
    _impl,
    jvps=[_linear],
    vjps=[_linear],
    cost=_cost,
    complex_flops=1,
    batched_jvp=True,
    batched_vjp=True,
)
