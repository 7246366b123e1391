"""lax.fft against jax.lax.fft: the four kinds over one, two and three trailing axes, their
dtypes, derivatives in both modes, and JAX's errors."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pytest
from conftest import MODES, assert_close

import admodes as ad
import admodes.numpy as anp
from admodes import lax

RNG = np.random.default_rng(8)
REAL = RNG.standard_normal((2, 4, 6))
COMPLEX = REAL + 1j * RNG.standard_normal((2, 4, 6))
HALF = COMPLEX[..., :4]  # IRFFT's input for an output of length 6: 6 // 2 + 1 entries
CASES = [
    ("fft", COMPLEX, (6,)),
    ("ifft", COMPLEX, (4, 6)),
    ("FFT", REAL, (2, 4, 6)),
    ("rfft", REAL, (6,)),
    ("rfft", REAL, (4, 6)),
    ("irfft", HALF, (6,)),
    ("irfft", HALF, (4, 6)),
    ("irfft", COMPLEX[..., :3], (5,)),  # an odd length: 5 // 2 + 1 = 3
    ("fft", COMPLEX, ()),
    ("rfft", REAL, ()),
]


@pytest.mark.parametrize(("kind", "x", "lengths"), CASES, ids=lambda v: str(getattr(v, "shape", v)))
def test_values_match_jax(kind: str, x: np.ndarray, lengths: tuple) -> None:
    ours, theirs = lax.fft(x, kind, lengths), jax.lax.fft(x, kind, lengths)
    assert ours.dtype == theirs.dtype
    assert_close(ours, theirs)
    assert_close(lax.fft(x, lax.FftType[kind.upper()], lengths), theirs)


def loss(fft: Any, m: Any, kind: str, lengths: tuple, x: Any) -> Any:
    y = fft(x, kind, lengths)
    return m.sum(m.real(y) ** 3 + m.imag(y) ** 2 * m.real(y)) if kind != "irfft" else m.sum(y**3)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("kind", "x", "lengths"), CASES[:8], ids=lambda v: str(getattr(v, "shape", v))
)
def test_derivatives_match_jax(kind: str, x: np.ndarray, lengths: tuple, mode: str) -> None:
    """In the real and imaginary parts of a complex input (JAX's gradient convention)."""
    if np.iscomplexobj(x):
        ours = lambda re, im: loss(lax.fft, anp, kind, lengths, re + 1j * im)
        theirs = lambda re, im: loss(jax.lax.fft, jax.numpy, kind, lengths, re + 1j * im)
        args: tuple = (x.real, x.imag)
    else:
        ours = lambda re: loss(lax.fft, anp, kind, lengths, re)
        theirs = lambda re: loss(jax.lax.fft, jax.numpy, kind, lengths, re)
        args = (x,)
    nums = tuple(range(len(args)))
    assert_close(ad.grad(ours, nums, mode=mode)(*args), jax.grad(theirs, nums)(*args))


def test_errors_are_jaxs() -> None:
    with pytest.raises(ValueError, match="minor dimensions must be equal to"):
        lax.fft(REAL, "fft", (8,))
    with pytest.raises(ValueError, match=r"minor dimensions must be equal to \(3,\) for IRFFT"):
        lax.fft(REAL[..., :4], "irfft", (4,))
    with pytest.raises(ValueError, match="at least as many input dimensions"):
        lax.fft(REAL[0, 0], "fft", (1, 6))
    with pytest.raises(ValueError, match="only real valued inputs supported for rfft"):
        lax.fft(COMPLEX, "rfft", (6,))
    with pytest.raises(ValueError, match="Unknown FFT type 'bogus'"):
        lax.fft(REAL, "bogus", (6,))
    with pytest.raises(TypeError, match="Unknown FFT type value"):
        lax.fft(REAL, 3.5, (6,))
