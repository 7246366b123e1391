"""``admodes.scipy.fft``: SciPy's discrete cosine transforms ``dct``, ``idct``, ``dctn`` and
``idctn``, of the type and with the ``norm`` values ``jax.scipy.fft`` has (type 2; "backward",
the default, and "ortho"), SciPy's ``n``/``s``, ``axis``/``axes`` and ``orthogonalize``,
differentiable by both engines.

The DCT-II of length N, y[k] = 2 Σₙ x[n] cos(πk(2n + 1)/2N), is one FFT (Makhoul, 1980): with
v the input reordered (even entries ascending, then odd entries descending),
y[k] = Re(2 e^{−iπk/2N} · FFT(v)[k]). SciPy's ``idct`` of type 2 (a DCT-III) is the transpose
read backwards: the input times 2 e^{−iπk/2N}, one FFT, the real part, the entries put back in
order. ``norm`` and ``orthogonalize`` only rescale the entries, so each transform is one FFT
between a gather and a product with constants. The n-dimensional transforms are the 1-D ones
along each axis in turn; complex input is transformed as its real and imaginary parts, as SciPy
and JAX do (with ``orthogonalize`` applied to both, where SciPy 1.17 ignores it for complex
input). All are linear, written with :mod:`admodes.numpy` ops: their derivatives are their
transposes, from the FFT's and the gather's rules, and match JAX's.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
from numpy.lib.array_utils import normalize_axis_index, normalize_axis_tuple

import admodes.numpy as anp
from admodes.core import complex_dtype_of, dtype_of, ndim, shape

__all__ = ["dct", "dctn", "idct", "idctn"]

#: SciPy's DCT types; JAX (and admodes) implement type 2 only.
_TYPES = (1, 2, 3, 4)
#: SciPy's ``norm`` values; JAX (and admodes) implement None (= "backward") and "ortho".
_NORMS = (None, "backward", "ortho", "forward")

#: ``s``/``axes`` of the n-dimensional transforms: an integer, a sequence of them, or None.
Axes = int | Sequence[int] | None


def _checked(type: int, norm: str | None) -> None:
    """``type`` and ``norm``: SciPy's values, and among them those JAX implements."""
    if type not in _TYPES:
        raise ValueError(f"invalid DCT type {type!r}: SciPy's types are 1, 2, 3 and 4")
    if type != 2:
        raise NotImplementedError(
            f"DCT type {type} is not implemented (only type 2, as in JAX); with norm='ortho', "
            "SciPy's dct of type 3 is idct of type 2, and idct of type 3 is dct of type 2"
        )
    if norm not in _NORMS:
        raise ValueError(f'Invalid norm value {norm!r}; should be "backward", "ortho" or "forward"')
    if norm == "forward":
        raise NotImplementedError(
            "norm='forward' is not implemented (as in JAX): use norm='backward' and scale the "
            "dct by 1/(2n), the idct by 2n, n the transform's length"
        )


def _inexact(x: Any) -> Any:
    """x as an array of floats: integers and bools as float64, as SciPy."""
    x = anp.asarray(x)
    return x if dtype_of(x).kind in "fc" else anp.astype(x, np.float64)


def _resized(x: Any, n: int | None, axis: int) -> Any:
    """x cropped, or zero-padded at the end, to length ``n`` along ``axis`` (SciPy's ``n``)."""
    have = shape(x)[axis]
    if n is None or n == have:
        return x
    if n < 1:
        raise ValueError(f"invalid number of data points ({n}) specified")
    if n < have:
        return anp.take(x, np.arange(n), axis=axis)
    widths = [(0, n - have if a == axis else 0) for a in range(ndim(x))]
    return anp.pad(x, widths)


def _makhoul_order(n: int) -> np.ndarray:
    """The indices 0, 2, 4, … then …, 5, 3, 1: v = x[order] turns a DCT-II into an FFT."""
    index = np.arange(n)
    return np.concatenate([index[::2], index[1::2][::-1]])


def _twiddles(n: int, norm: str | None, orthogonalize: bool | None, inverse: bool) -> np.ndarray:
    """c[k] = 2 s e^{−iπk/2n}, c[0] further times f: the constants of one transform of length n.
    s is ``norm``'s scale, 1/√(2n) ("ortho"), else 1 (dct) or 1/(2n) (idct, the inverse of the
    dct). f weighs the first entry: 1/√2 when orthogonal (``orthogonalize``, by default with
    "ortho"), else 1 (dct) or 1/2 (idct, whose DCT-III counts x[0] once, the others twice)."""
    scale = 1 / math.sqrt(2 * n) if norm == "ortho" else 1 / (2 * n) if inverse else 1.0
    orthogonal = norm == "ortho" if orthogonalize is None else orthogonalize
    first = 1 / math.sqrt(2) if orthogonal else 0.5 if inverse else 1.0
    c = 2 * scale * np.exp(-0.5j * np.pi * np.arange(n) / n)
    c[0] *= first
    return c


def _along(vector: np.ndarray, axis: int, x: Any) -> np.ndarray:
    """A constant vector shaped to multiply x along ``axis``, in x's complex dtype."""
    vector = vector.astype(complex_dtype_of(x))
    return vector.reshape([-1 if a == axis else 1 for a in range(ndim(x))])


def _dct2(x: Any, axis: int, norm: str | None, orthogonalize: bool | None) -> Any:
    """The DCT-II of real x along ``axis``: y[k] = Re(c[k] · FFT(x[order])[k])."""
    n = shape(x)[axis]
    spectrum = anp.fft.fft(anp.take(x, _makhoul_order(n), axis=axis), axis=axis)
    return anp.real(spectrum * _along(_twiddles(n, norm, orthogonalize, False), axis, x))


def _idct2(x: Any, axis: int, norm: str | None, orthogonalize: bool | None) -> Any:
    """SciPy's idct of type 2 (the DCT-III) of real x along ``axis``: u = Re(FFT(c · x)), the
    transpose of :func:`_dct2`'s map with idct's constants, then y[order] = u."""
    n = shape(x)[axis]
    c = _along(_twiddles(n, norm, orthogonalize, True), axis, x)
    u = anp.real(anp.fft.fft(x * c, axis=axis))
    return anp.take(u, np.argsort(_makhoul_order(n)), axis=axis)


def _transformed(
    x: Any,
    sizes: Sequence[int | None],
    axes: Sequence[int],
    norm: str | None,
    orthogonalize: bool | None,
    inverse: bool,
) -> Any:
    """The dct (``inverse``: idct) of x along each of ``axes`` in turn, of length ``sizes[k]``
    along ``axes[k]``; complex x as its real and imaginary parts."""
    if dtype_of(x).kind == "c":
        parts = (anp.real(x), anp.imag(x))
        re, im = (_transformed(p, sizes, axes, norm, orthogonalize, inverse) for p in parts)
        return re + 1j * im
    one = _idct2 if inverse else _dct2
    for axis, n in zip(axes, sizes, strict=True):
        x = one(_resized(x, n, axis), axis, norm, orthogonalize)
    return x


def _sizes_and_axes(x: Any, s: Axes, axes: Axes) -> tuple[list[int], list[int]]:
    """SciPy's ``s``/``axes`` of dctn and idctn: each an integer or a sequence; axes default to
    the last len(s) (all, without s), must be distinct and match s in number; an s of −1 keeps
    that axis's length."""
    if axes is not None:
        axes = list(normalize_axis_tuple(axes, ndim(x), "axes"))
    if s is None:
        axes = list(range(ndim(x))) if axes is None else axes
        return [shape(x)[a] for a in axes], axes
    s = [s] if isinstance(s, int | np.integer) else list(s)
    if axes is None:
        if len(s) > ndim(x):
            raise ValueError(f"s has {len(s)} entries, more than x has axes ({ndim(x)})")
        axes = list(range(ndim(x) - len(s), ndim(x)))
    if len(s) != len(axes):
        raise ValueError("when given, axes and shape arguments have to be of the same length")
    return [shape(x)[a] if n == -1 else n for n, a in zip(s, axes, strict=True)], axes


def _along_one_axis(inverse: bool, name: str, doc: str) -> Callable[..., Any]:
    """``scipy.fft.dct`` or ``idct`` (``inverse``) with SciPy's signature, documented ``doc``."""

    def transform(
        x: Any,
        type: int = 2,
        n: int | None = None,
        axis: int = -1,
        norm: str | None = None,
        overwrite_x: bool = False,
        workers: int | None = None,
        orthogonalize: bool | None = None,
    ) -> Any:
        _checked(type, norm)
        x = _inexact(x)
        axes = [normalize_axis_index(axis, ndim(x))]
        return _transformed(x, [n], axes, norm, orthogonalize, inverse)

    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = doc
    return transform


def _along_axes(inverse: bool, name: str, doc: str) -> Callable[..., Any]:
    """``scipy.fft.dctn`` or ``idctn`` (``inverse``) with SciPy's signature."""

    def transform(
        x: Any,
        type: int = 2,
        s: Axes = None,
        axes: Axes = None,
        norm: str | None = None,
        overwrite_x: bool = False,
        workers: int | None = None,
        *,
        orthogonalize: bool | None = None,
    ) -> Any:
        _checked(type, norm)
        x = _inexact(x)
        return _transformed(x, *_sizes_and_axes(x, s, axes), norm, orthogonalize, inverse)

    transform.__name__ = transform.__qualname__ = name
    transform.__doc__ = doc
    return transform


dct = _along_one_axis(
    False,
    "dct",
    """The DCT-II along ``axis``, as ``scipy.fft.dct``: y[k] = 2 Σₙ x[n] cos(πk(2n + 1)/2N), N
    the length ``n`` (x cropped or zero-padded), times 1/√(2N) with "ortho"; y[0] also times
    1/√2 when ``orthogonalize`` (by default with "ortho"). ``overwrite_x`` and ``workers`` are
    accepted for SciPy's signature and do nothing.""",
)
idct = _along_one_axis(
    True,
    "idct",
    """The inverse of :func:`dct` of type 2 (a DCT-III) along ``axis``, as ``scipy.fft.idct``:
    y[k] = (x[0] + 2 Σ_{n≥1} x[n] cos(πn(2k + 1)/2N)) / 2N, or with "ortho"
    (x[0] + 2 Σ_{n≥1} x[n] cos(…)) / √(2N); x[0] is first times √2 when ``orthogonalize`` (by
    default with "ortho"). ``overwrite_x`` and ``workers`` do nothing.""",
)
dctn = _along_axes(
    False,
    "dctn",
    """The n-dimensional DCT-II, as ``scipy.fft.dctn``: :func:`dct` along each of ``axes``
    (default: the last len(s), all without s), of length ``s[k]`` along ``axes[k]``.""",
)
idctn = _along_axes(
    True,
    "idctn",
    """The inverse of :func:`dctn`, as ``scipy.fft.idctn``: :func:`idct` along each of
    ``axes``.""",
)
