"""``admodes.scipy.signal``: ``convolve`` and ``correlate`` of real N-D arrays (SciPy's modes and
semantics), differentiable by both engines.

Both are slices of one primitive, the full convolution (``convolve`` in
:mod:`admodes.rules.special`): ``correlate(x, y)`` is ``convolve(x, flip(y))``; ``valid`` keeps
the entries that do not depend on zero padding (one input must be at least as large as the other
in every dimension, as SciPy requires), ``same`` the centre of the full result with ``in1``'s
shape. ``method`` is accepted for SciPy's signature; the evaluation is direct.
"""

from __future__ import annotations

from typing import Any

import admodes.numpy as anp
from admodes.core import ndim, shape
from admodes.rules import special as _special

__all__ = ["convolve", "correlate"]


def _window(
    full_shape: tuple[int, ...], x: tuple[int, ...], y: tuple[int, ...], mode: str
) -> tuple:
    """The slices of the full result that ``mode`` keeps."""
    if mode == "full":
        return tuple(slice(None) for _ in full_shape)
    if mode == "same":
        return tuple(
            slice((f - n) // 2, (f - n) // 2 + n) for f, n in zip(full_shape, x, strict=True)
        )
    if mode == "valid":
        if not (
            all(n >= m for n, m in zip(x, y, strict=True))
            or all(m >= n for n, m in zip(x, y, strict=True))
        ):
            raise ValueError(
                "For 'valid' mode, one must be at least as large as the other in every dimension"
            )
        return tuple(slice(min(n, m) - 1, max(n, m)) for n, m in zip(x, y, strict=True))
    raise ValueError("acceptable mode flags are 'valid', 'same', or 'full'")


def convolve(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """(in1 ∗ in2)[k] = Σᵢ in1[i] in2[k − i], over every axis."""
    if ndim(in1) != ndim(in2):
        raise ValueError("in1 and in2 should have the same dimensionality")
    full = _special.convolve(in1, in2)
    window = _window(shape(full), shape(in1), shape(in2), mode)
    return full if mode == "full" else anp.getitem(full, window)


def correlate(in1: Any, in2: Any, mode: str = "full", method: str = "auto") -> Any:
    """Σᵢ in1[i + k] in2[i]: the convolution of in1 with in2 reversed along every axis."""
    return convolve(in1, anp.flip(in2) if ndim(in2) else in2, mode=mode)
