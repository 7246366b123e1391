"""``admodes.scipy.cluster.vq``: ``vq``, SciPy's vector quantization (as ``jax.scipy.cluster.vq``
has it). The codes are SciPy's, constants (integers, derivative none); the distances are
differentiable in the observations and the code book."""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.cluster.vq

import admodes.numpy as anp
from admodes.core import at_each_index, dtype_of, ndim

__all__ = ["vq"]


def vq(obs: Any, code_book: Any, check_finite: bool = True) -> tuple[np.ndarray, Any]:
    """(codes, dist): codes[i] = argminⱼ ‖obs[i] − code_book[j]‖ (the first of equal ones), and
    dist[i] = ‖obs[i] − code_book[codes[i]]‖, Euclidean, each row an observation (each entry,
    for 1-D inputs). The codes, and SciPy's checks of the inputs (same rank, 1 or 2; as many
    features; finite, with ``check_finite``), are SciPy's on the plain values; the distances
    are JAX's norm of the differences, so a distance of 0 has JAX's derivative, nan."""
    obs, code_book = anp.asarray(obs), anp.asarray(code_book)
    codes = at_each_index(  # as int64 (SciPy's are int32), JAX's default integer type
        lambda o, c: scipy.cluster.vq.vq(o, c, check_finite=check_finite)[0].astype(np.int64),
        obs,
        code_book,
    )
    dtype = np.result_type(dtype_of(obs), dtype_of(code_book))
    dtype = dtype if dtype.kind == "f" else np.dtype(np.float64)  # integers as float64, as SciPy
    obs, code_book = (anp.astype(a, dtype) for a in (obs, code_book))
    diff = anp.subtract(obs, anp.take(code_book, codes, axis=0))
    if ndim(diff) == 1:  # one feature per observation
        diff = anp.reshape(diff, (-1, 1))
    return codes, anp.linalg.norm(diff, axis=-1)
