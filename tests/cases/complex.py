"""Registry-walk cases for the complex parts and the DFT. The walk feeds real inputs and wants
real outputs, so each case goes through complex values in between (as signal code does)."""

from __future__ import annotations

from walk import lib, nonzero

CASES = [
    lib("real", "exp-ix", lambda m, x: m.real(m.exp(1j * x) * (2 - x * 1j)), (2, 3)),
    lib("imag", "exp-ix", lambda m, x: m.imag(m.exp(1j * x) * (2 - x * 1j)), (2, 3)),
    lib("conj", "modulus", lambda m, x: m.real(m.conj(x + 1j * x**2) * (x - 2j)), (3,)),
    lib("angle", "x+iy", lambda m, x, y: m.angle(x + 1j * y), (3,), (3,), domains=nonzero),
    lib("abs", "complex", lambda m, x, y: m.abs(x + 1j * y), (2, 3), (3,), domains=nonzero),
    lib("fft", "fft-real", lambda m, x: m.real(m.fft.fft(x * (1 + 0.5j))), (8,)),
    lib("fft", "ifft-axis0", lambda m, x: m.imag(m.fft.ifft(x * (1 - 2j), axis=0)), (4, 3)),
    lib("fft", "rfft-ortho", lambda m, x: m.abs(m.fft.rfft(x, norm="ortho")), (7,)),
    lib("fft", "irfft-n", lambda m, x: m.fft.irfft(x * (1 + 1j), n=9), (5,)),
    lib("fftn", "fft2-forward", lambda m, x: m.real(m.fft.fft2(x, norm="forward")), (3, 4)),
    lib("fftn", "irfftn-s", lambda m, x: m.fft.irfftn(x + 0.5j * x, s=(4, 6)), (4, 4)),
    lib("fftshift", "2d", lambda m, x: m.fft.ifftshift(m.fft.fftshift(x, axes=0) ** 2), (3, 5)),
    lib("fft", "padded", lambda m, x: m.real(m.fft.fft(x, n=6) * m.fft.ifft(x, n=6)), (4,)),
]
