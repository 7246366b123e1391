"""``pure_callback``: a host function called on plain values inside admodes code, as JAX's.

The callback receives NumPy arrays and must return arrays of the shapes and dtypes declared in
``result_shape_dtypes``. It has no derivative: as in JAX, a traced argument raises, and a
callback that should be differentiated is wrapped in ``custom_jvp`` or ``custom_vjp`` (whose rule
may call it again).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from admodes.core import Traced, plain
from admodes.tree import describe, flatten, unflatten

__all__ = ["pure_callback"]


def pure_callback(
    callback: Callable[..., Any],
    result_shape_dtypes: Any,
    *args: Any,
    sharding: Any = None,
    vmap_method: str | None = None,
    **kwargs: Any,
) -> Any:
    """``callback(*args, **kwargs)`` on plain arrays, checked against ``result_shape_dtypes``
    (a pytree of objects with ``shape`` and ``dtype``, such as ``ShapeDtypeStruct``).
    ``sharding`` and ``vmap_method`` are accepted for JAX's signature (``vmap`` calls the
    function once per example)."""
    leaves, treedef = flatten((args, kwargs))
    if any(isinstance(x, Traced) for x in leaves):
        raise ValueError(
            "Pure callbacks do not support JVP (admodes differentiates neither mode through "
            "them). Please use `ad.custom_jvp` to use callbacks while taking gradients, or pass "
            "`ad.stop_gradient(x)` to treat an argument as a constant."
        )
    args, kwargs = unflatten(treedef, [np.asarray(plain(x)) for x in leaves])
    out_leaves, out_def = flatten(callback(*args, **kwargs))
    want_leaves, want_def = flatten(result_shape_dtypes)
    if out_def != want_def:
        raise ValueError(
            f"pure_callback: the callback returned a tree of structure {describe(out_def)}, but "
            f"result_shape_dtypes has structure {describe(want_def)}"
        )
    results = []
    for k, (out, want) in enumerate(zip(out_leaves, want_leaves, strict=True)):
        out = np.asarray(out)
        if out.shape != tuple(want.shape) or out.dtype != np.dtype(want.dtype):
            raise ValueError(
                f"pure_callback: result {k} of the callback has shape {out.shape} and dtype "
                f"{out.dtype}, but result_shape_dtypes says shape {tuple(want.shape)} and dtype "
                f"{np.dtype(want.dtype)}; return arrays of the declared shapes and dtypes"
            )
        results.append(out)
    return unflatten(out_def, results)
