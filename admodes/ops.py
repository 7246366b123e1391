"""Segment reductions, JAX's ``jax.ops``: for ``data`` of shape (n, ...) and integer
``segment_ids`` of shape (n,), the array of shape (num_segments, ...) whose row s reduces the rows
``data[i]`` with ``segment_ids[i] == s``:

    segment_sum:  out[s] = Σ data[i]      segment_prod: out[s] = Π data[i]
    segment_max:  out[s] = max data[i]    segment_min:  out[s] = min data[i]

(message passing on a graph: ``segment_sum(messages, receivers, num_nodes)``). As in JAX, an id
outside [0, num_segments) is dropped (a negative one too; ``mode="clip"`` moves it to the
nearest segment instead), a segment with no rows holds the reduction's identity (0, 1, −∞ or +∞;
an integer dtype's lowest or highest value), ``num_segments`` defaults to max(segment_ids) + 1,
and ``bucket_size`` reduces each run of that many rows on its own before reducing the runs (the
order of JAX's additions, for its rounding). ``indices_are_sorted`` and ``unique_indices`` are
promises that change nothing here.

Each is an index update, ``full(identity).at[segment_ids].add(data)`` (``multiply``, ``max``,
``min``), and differentiates as one: row i's derivative is its segment's, the product rule for
``segment_prod``, and for ``segment_max``/``segment_min`` split evenly among the rows that tie for
the extreme (JAX's rule); a dropped row's is zero. Rows are dropped or clipped by ``.at``'s own
``mode``; so under ``vmap``, ids that vary per index run the function once per index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, extreme_value, held, ndim, shape

__all__ = ["segment_max", "segment_min", "segment_prod", "segment_sum"]

#: JAX's gather/scatter modes: None (JAX's default, fill or drop) and "drop"/"fill" drop an id
#: outside the segments, "clip" clamps it, "promise_in_bounds" has it refused here (JAX's result
#: would be unspecified).
MODES = (None, "drop", "fill", "fill_or_drop", "clip", "promise_in_bounds")


def _reduction(name: str, formula: str, empty: str) -> Callable[..., Any]:
    """The public function ``name`` (JAX's signature): out[s] = ``formula``, ``empty`` for an
    empty segment."""

    def reduce_segments(
        data: Any,
        segment_ids: Any,
        num_segments: int | None = None,
        indices_are_sorted: bool = False,
        unique_indices: bool = False,
        bucket_size: int | None = None,
        mode: str | None = None,
    ) -> Any:
        return _segment(name, data, segment_ids, num_segments, bucket_size, mode)

    reduce_segments.__name__ = reduce_segments.__qualname__ = name
    reduce_segments.__doc__ = (
        f"out[s] = {formula} over the rows i with segment_ids[i] = s ({empty} for an empty "
        "segment; see the module)."
    )
    return reduce_segments


segment_sum = _reduction("segment_sum", "Σ data[i]", "0")
segment_prod = _reduction("segment_prod", "Π data[i]", "1")
segment_max = _reduction("segment_max", "max data[i]", "−∞")
segment_min = _reduction("segment_min", "min data[i]", "+∞")


#: Each reduction's index update, its reduction over buckets, and its identity for a dtype.
REDUCTIONS = {
    "segment_sum": ("add", anp.sum, lambda dtype: 0),
    "segment_prod": ("multiply", anp.prod, lambda dtype: 1),
    "segment_max": ("max", anp.max, lambda dtype: extreme_value(dtype, upper=False)),
    "segment_min": ("min", anp.min, lambda dtype: extreme_value(dtype, upper=True)),
}


def _segment(
    name: str,
    data: Any,
    segment_ids: Any,
    num_segments: int | None,
    bucket_size: int | None,
    mode: str | None,
) -> Any:
    """``name``'s reduction of the rows of ``data`` by ``segment_ids`` (see the module)."""
    update, reduce_buckets, identity_of = REDUCTIONS[name]
    if mode not in MODES:
        raise ValueError(f"{name}: mode must be one of {MODES}, not {mode!r}")
    if dtype_of(segment_ids).kind not in "iu":
        raise TypeError(
            f"{name}: segment_ids must be integers, got dtype {dtype_of(segment_ids)}; convert "
            "them with np.asarray(ids, dtype=int)"
        )
    if ndim(data) < 1 or shape(segment_ids) != shape(data)[:1]:
        raise ValueError(
            f"{name}: segment_ids must hold one id per row of data (shape {shape(data)[:1]}), "
            f"got shape {shape(segment_ids)}"
        )
    if bucket_size is not None and not (isinstance(bucket_size, int) and bucket_size > 0):
        raise ValueError(f"{name}: bucket_size must be a positive integer, got {bucket_size!r}")
    if num_segments is None:  # needs the ids' numbers, as in JAX
        num_segments = int(np.max(held(segment_ids), initial=-1)) + 1
    if num_segments < 0:
        raise ValueError(f"{name}: num_segments must be non-negative, got {num_segments}")
    dtype = dtype_of(data)
    identity = identity_of(dtype)
    if num_segments == 0:  # nothing to scatter into
        return anp.full((0, *shape(data)[1:]), identity, dtype)
    if mode == "promise_in_bounds" and not np.all(
        (held(segment_ids) >= 0) & (held(segment_ids) < num_segments)
    ):
        raise ValueError(
            f"{name}: mode='promise_in_bounds' was given, but a segment id lies outside [0, "
            f"{num_segments}); leave mode unset to drop such rows, or use mode='clip'"
        )
    # JAX's scatter: ids are not wrapped, and one outside is dropped unless clipped
    options = {"mode": "clip" if mode == "clip" else "drop", "wrap_negative_indices": False}
    n = shape(data)[0]
    if bucket_size is None:
        out = anp.full((num_segments, *shape(data)[1:]), identity, dtype)
        return getattr(out.at[segment_ids], update)(data, **options)
    buckets = max(-(-n // bucket_size), 1)  # one bucket of identities for no rows
    out = anp.full((buckets, num_segments, *shape(data)[1:]), identity, dtype)
    per_bucket = getattr(out.at[np.arange(n) // bucket_size, segment_ids], update)(data, **options)
    return anp.astype(reduce_buckets(per_bucket, axis=0), dtype)
