"""Registry-walk cases for the reductions and order statistics beyond the core ones: moments with
``ddof``, NaN-ignoring reductions, weighted averages, cumulative products (with zeros), differences,
``sort`` (with ties), partition, median, quantiles, ``logsumexp`` with ``b`` and ``return_sign``,
and ``unique``. Values, dtypes and hypothesis sweeps are in ``test_indexing.py``."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from walk import call, case, lib, same, with_value

import admodes.numpy as anp

NAN = np.nan
W4 = np.array([0.5, 2.0, 1.0, 0.25])
B34 = np.linspace(-1.0, 1.0, 12).reshape(3, 4)  # signed weights: some sums negative
B_ZEROS = np.array([1.0, 0.0, 2.0, 0.0, 0.5])
TIES = with_value((0, 2, 3), 0.25)  # three equal entries of the flattened value
TWO_ZEROS = with_value((1, 4), 0.0)


def _product(pair: tuple) -> object:
    """One output from a function that returns two (the walk compares single outputs)."""
    return pair[0] * pair[1]


CASES = [
    lib("sort", "vector", call("sort"), (5,)),
    lib("sort", "axis0", call("sort", 0), (3, 4)),
    lib("sort", "flattened", call("sort", None), (2, 3)),
    lib("sort", "ties", call("sort"), (6,), domains=TIES),
    lib("sort", "ties-axis0", call("sort", 0), (4, 2), domains=TIES),
    lib("var", "ddof1-axis0", call("var", 0, ddof=1), (3, 4)),
    lib("std", "ddof2-keepdims", call("std", (0, 1), ddof=2, keepdims=True), (2, 3, 2)),
    same("var", "method", lambda x: x.var(axis=1, ddof=1), (3, 4)),
    same("std", "method", lambda x: x.std(), (3, 4)),
    lib("amax", "axis1", call("amax", 1), (3, 4)),
    lib("amin", "keepdims", call("amin", 0, keepdims=True), (3, 4)),
    lib("nansum", "nans", call("nansum", 0), (3, 4), domains=with_value((1, 6), NAN)),
    lib("nanmean", "nans", call("nanmean", 1), (3, 4), domains=with_value((1, 6, 7), NAN)),
    lib("nanmax", "nans", call("nanmax"), (3, 4), domains=with_value((2,), NAN)),
    lib("nanmin", "nans-axis0", call("nanmin", 0), (3, 4), domains=with_value((0, 5), NAN)),
    lib("average", "weights-1d", call("average", 1, weights=W4), (3, 4)),
    lib("average", "traced-weights", lambda m, x, w: m.average(x, weights=w), (3, 4), (3, 4)),
    lib("average", "returned", lambda m, x: _product(m.average(x, 0, returned=True)), (3, 4)),
    lib("average", "weights-returned",
        lambda m, x: _product(m.average(x, 1, W4, True, keepdims=True)), (3, 4)),
    lib("cumprod", "vector", call("cumprod"), (7,)),
    lib("cumprod", "zeros", call("cumprod"), (6,), domains=TWO_ZEROS),
    lib("cumprod", "axis1-zeros", call("cumprod", 1), (2, 5), domains=TWO_ZEROS),
    same("cumprod", "method", lambda x: x.cumprod(axis=0), (3, 2)),
    same("cumsum", "method", lambda x: x.cumsum(), (3, 2)),
    lib("diff", "vector", call("diff"), (5,)),
    lib("diff", "second-axis0", call("diff", 2, axis=0), (4, 3)),
    lib("diff", "prepend-append", call("diff", prepend=0.5, append=np.ones((2, 1))), (2, 3)),
    lib("diff", "traced-prepend", lambda m, x, p: m.diff(x, prepend=p), (4,), ()),
    lib("partition", "kth", lambda m, x: m.partition(x, 2, axis=0)[2], (5, 3)),
    lib("partition", "bottom", lambda m, x: m.sum(m.partition(x, 2)[:2]), (6,)),
    lib("median", "odd", call("median"), (5,)),
    lib("median", "even-axis1", call("median", 1), (3, 4)),
    lib("median", "ties", call("median"), (5,), domains=TIES),
    lib("median", "keepdims", call("median", (0, 2), keepdims=True), (2, 3, 2)),
    lib("quantile", "linear", call("quantile", 0.3), (7,)),
    lib("quantile", "q-array", call("quantile", np.array([0.1, 0.5, 1.0]), axis=1), (2, 5)),
    lib("quantile", "axes-keepdims", call("quantile", 0.75, (0, 2), keepdims=True), (2, 3, 2)),
    lib("quantile", "ties", call("quantile", 0.4), (6,), domains=TIES),
    *(lib("quantile", method, call("quantile", 0.3, method=method), (7,))
      for method in ("lower", "higher", "midpoint")),
    lib("percentile", "(3,4)", call("percentile", np.array([25.0, 60.0]), axis=0), (3, 4)),
    lib("logsumexp", "b", call("logsumexp", 1, b=np.abs(B34)), (3, 4)),
    lib("logsumexp", "b-zeros", call("logsumexp", b=B_ZEROS), (5,)),
    lib("logsumexp", "traced-b", lambda m, x, b: m.logsumexp(x, b=b), (4,), (4,),
        domains=(lambda x: x, lambda x: 0.5 + np.abs(x))),
    lib("logsumexp", "return-sign",
        lambda m, x: _product(m.logsumexp(x, 1, b=B34, return_sign=True)), (3, 4)),
    lib("logsumexp", "keepdims", call("logsumexp", 0, keepdims=True), (3, 4)),
    case("unique", "repeats", anp.unique, lambda x: jnp.unique(x, size=5), (6,),
         domains=with_value((1, 4), 0.5)),
]  # fmt: skip
