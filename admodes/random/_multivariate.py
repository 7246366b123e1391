"""Samplers that factor a matrix: ``multivariate_normal`` (mean + A·z with A·Aᵀ = cov) and
``orthogonal`` (Haar-distributed matrices, the QR factor of a normal matrix).

JAX factors with LAPACK (``potrf``, ``syevd``, ``gesdd``, ``geqrf``/``orgqr``), SciPy's (jaxlib
takes its CPU kernels from SciPy); NumPy's in float64 gives the same results for the covariance
factors. In float32 NumPy computes in float64, so admodes calls SciPy's single-precision LAPACK
when SciPy is installed, and NumPy's otherwise (then float32 factors may differ from JAX's in
the last bit). ``orthogonal``'s QR is SciPy's in every precision (NumPy's OpenBLAS may block a
large QR differently from SciPy's and change last bits), NumPy's without SciPy.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import Traced, plain
from admodes.random import _math
from admodes.random._common import (
    checked_shape,
    float_dtype,
    standard_erf_inv,
    standard_normal,
)
from admodes.random._distributions import normal
from admodes.random._keys import Shape, canonical_shape, check_key
from admodes.rules.linalg import scipy_linalg

__all__ = ["haar", "multivariate_normal", "orthogonal"]

_METHODS = ("svd", "eigh", "cholesky")


def _factor(cov: Any, method: str) -> Any:
    """A with A·Aᵀ = cov: Cholesky's L, or U·√s (SVD), or V·√w (eigendecomposition)."""
    if isinstance(cov, Traced) or cov.dtype != np.float32 or scipy_linalg() is None:
        linalg = anp.linalg
        if method == "svd":
            u, s, _ = linalg.svd(cov)
            return u * anp.sqrt(s[..., None, :])
        if method == "eigh":
            w, v = linalg.eigh(cov)
            return v * anp.sqrt(w[..., None, :])
        return linalg.cholesky(cov)
    return _factor32(cov, method)


def _factor32(cov: np.ndarray, method: str) -> np.ndarray:
    """:func:`_factor` of float32 matrices (..., n, n) by SciPy's single-precision LAPACK."""
    sl = scipy_linalg()
    flat = cov.reshape((-1, *cov.shape[-2:]))
    factors = []
    for c in flat:
        if method == "svd":
            u, s, _ = sl.svd(c, lapack_driver="gesdd")
            factors.append(u * np.sqrt(s[None, :]))
        elif method == "eigh":
            w, v = sl.eigh(c, driver="evd")
            factors.append(v * np.sqrt(w[None, :]))
        else:
            factors.append(sl.cholesky(c, lower=True))
    return np.stack(factors).reshape(cov.shape)


def _as_inexact(x: Any) -> Any:
    if isinstance(x, Traced):
        return x
    x = np.asarray(x)
    return x if x.dtype.kind in "fc" else x.astype(np.float64)


def multivariate_normal(
    key: Any,
    mean: Any,
    cov: Any,
    shape: Shape | None = None,
    dtype: Any = None,
    method: str = "cholesky",
) -> Any:
    """Samples of N(mean, cov): mean + A·z, z standard normal of shape ``shape + (n,)`` and A
    a factor of cov (``method``: "cholesky", or "eigh"/"svd" for singular covariances). ``shape``
    defaults to the broadcast of ``mean.shape[:-1]`` and ``cov.shape[:-2]``; ``dtype`` to the
    mean's. ``mean`` and ``cov`` may be traced (A·z then differentiates through the factor)."""
    key = check_key("multivariate_normal", key)
    mean, cov = _as_inexact(mean), _as_inexact(cov)
    common = np.result_type(plain(mean), plain(cov))
    mean, cov = anp.astype(mean, common), anp.astype(cov, common)
    if method not in _METHODS:
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    dtype = float_dtype("multivariate_normal", common if dtype is None else dtype)
    if not np.ndim(mean) >= 1:
        raise ValueError(
            f"multivariate_normal requires mean.ndim >= 1, got mean.ndim == {np.ndim(mean)}"
        )
    if not np.ndim(cov) >= 2:
        raise ValueError(
            f"multivariate_normal requires cov.ndim >= 2, got cov.ndim == {np.ndim(cov)}"
        )
    n = np.shape(mean)[-1]
    if np.shape(cov)[-2:] != (n, n):
        raise ValueError(
            f"multivariate_normal requires cov.shape == (..., n, n) for n={n}, but got "
            f"cov.shape == {np.shape(cov)}."
        )
    batch = np.broadcast_shapes(np.shape(mean)[:-1], np.shape(cov)[:-2])
    shape = checked_shape("normal", shape, batch)
    factor = _factor(cov, method)
    if n == 1:
        return _one_dimensional(key, shape, dtype, mean, factor)
    z = standard_normal(key, (*shape, n), dtype)
    acc = factor[..., :, 0] * z[..., 0:1]
    for j in range(1, n):
        acc = _math.fma(factor[..., :, j], z[..., j : j + 1], acc)
    return mean + acc


def _one_dimensional(
    key: np.ndarray, shape: tuple[int, ...], dtype: np.dtype, mean: Any, factor: Any
) -> Any:
    """mean + √cov·z for n = 1, as XLA simplifies it: the 1×1 product is a multiplication fused
    into the addition, and for several draws the factor √cov merges with the normal's √2."""
    e = standard_erf_inv(key, (*shape, 1), dtype)
    if int(np.prod(shape)) > 1:
        return _math.fma(e, factor[..., :, 0] * dtype.type(np.sqrt(2.0)), mean)
    return _math.fma(factor[..., :, 0], dtype.type(np.sqrt(2.0)) * e, mean)


def orthogonal(
    key: Any, n: int, shape: Shape = (), dtype: Any = None, m: int | None = None
) -> np.ndarray:
    """Haar-random matrices of shape ``shape + (n, m)`` (m = n by default): orthogonal (unitary
    for complex dtypes), or with orthonormal rows (n ≤ m) or columns (m ≤ n) (Mezzadri, 2007):
    :func:`haar` of Z, a standard normal matrix of shape (max(n, m), min(n, m))."""
    key = check_key("orthogonal", key)
    dtype = float_dtype("orthogonal", dtype, "fc")
    shape = canonical_shape(shape)
    n, m = int(n), int(n if m is None else m)
    return haar(normal(key, (*shape, max(n, m), min(n, m)), dtype), n, m)


def haar(z: np.ndarray, n: int, m: int) -> np.ndarray:
    """Q·sign(diag R) for Z = Q·R of shape (..., max(n, m), min(n, m)), transposed (not
    conjugated, as JAX) if n < m: Haar-distributed when Z is standard normal. The QR is LAPACK's
    (geqrf, then orgqr or ungqr), as JAX's; its R has a real diagonal, so sign(diag R) = d/|d|
    is ±1 (0 where d = 0, as JAX's sign). SciPy's LAPACK when SciPy is installed (JAX's, so
    the same bits), NumPy's otherwise (its OpenBLAS may block large factorizations differently
    and change last bits: 2e-16 for a 1000 × 300 matrix)."""
    sl = scipy_linalg()
    if sl is None or z.size == 0:
        q, r = np.linalg.qr(z)
    else:
        pairs = [sl.qr(zi, mode="economic") for zi in z.reshape((-1, *z.shape[-2:]))]
        q = np.stack([p[0] for p in pairs]).reshape(z.shape)
        r = np.stack([p[1] for p in pairs]).reshape((*z.shape[:-2], z.shape[-1], z.shape[-1]))
    x = q * np.sign(np.diagonal(r, axis1=-2, axis2=-1))[..., None, :]
    return np.swapaxes(x, -1, -2) if n < m else x
