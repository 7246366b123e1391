"""Registry-walk cases for shape and indexing functions beyond the core ones: axes moved, diagonals
and triangles, repeating, padding, rolling, splitting, gathers along an axis, ``.at`` updates and
``put_along_axis``, and the ``astype`` and ``name`` (``checkpoint_name``) primitives. Values,
dtypes and errors are in ``test_indexing.py``."""

from __future__ import annotations

import jax.numpy as jnp
import numpy as np
from jax.ad_checkpoint import checkpoint_name as jax_checkpoint_name
from walk import call, case, lib, same

import admodes as ad
import admodes.numpy as anp
from admodes.rules.shape import astype

TRIL4 = np.tril_indices(4, -1)
ORDER = np.array([[2, 0, 1], [1, 1, 0]])  # take_along_axis on axis 1 of a (2, 3) value
ROWS = np.array([[1, 0, 1], [0, 0, 1], [1, 1, 0]])  # ... on axis 0 of a (2, 3) value
REPEATS = np.array([1, 0, 3, 0])
FLAT = np.array([1, 4, 4, 0])


def _at(method: str, index: object) -> object:
    return lambda x, v: getattr(x.at[index], method)(v)


CASES = [
    # float32 results are checked in test_indexing.py (the walk's cotangents are float64)
    case("astype", "float64", lambda x: astype(x, dtype=np.dtype(np.float64)), lambda x: x, (3,)),
    case("name", "marked", lambda x: ad.checkpoint_name(x, "x"),
         lambda x: jax_checkpoint_name(x, "x"), (2, 3)),
    lib("moveaxis", "one", call("moveaxis", 0, -1), (2, 3, 4)),
    lib("moveaxis", "two", call("moveaxis", (0, 2), (2, 0)), (2, 3, 4)),
    lib("rollaxis", "(2,3,4)", call("rollaxis", 2, 1), (2, 3, 4)),
    lib("atleast_1d", "float", call("atleast_1d"), ()),
    lib("atleast_2d", "vector", call("atleast_2d"), (3,)),
    lib("atleast_3d", "matrix", call("atleast_3d"), (2, 3)),
    lib("column_stack", "vectors", lambda m, x, y: m.column_stack([x, y]), (3,), (3,)),
    lib("dstack", "matrices", lambda m, x, y: m.dstack([x, y]), (2, 3), (2, 3)),
    lib("diagonal", "offset", call("diagonal", 1), (3, 4)),
    lib("diagonal", "axes", call("diagonal", -1, 2, 0), (3, 2, 4)),
    same("diagonal", "method", lambda x: x.diagonal(), (3, 3)),
    lib("diag", "vector", call("diag", 1), (3,)),
    lib("diag", "matrix", call("diag", -1), (3, 4)),
    lib("trace", "matrix", call("trace"), (3, 3)),
    same("trace", "method", lambda x: x.trace(offset=1, axis1=1, axis2=2), (2, 3, 3)),
    lib("tril", "(3,4)", call("tril", -1), (3, 4)),
    lib("tril", "stack", call("tril"), (2, 3, 3)),
    lib("triu", "(3,4)", call("triu", 1), (3, 4)),
    lib("tile", "vector", call("tile", (2, 3)), (3,)),
    lib("tile", "matrix", call("tile", 2), (2, 3)),
    lib("repeat", "scalar", call("repeat", 2, axis=1), (2, 3)),
    lib("repeat", "counts", call("repeat", REPEATS), (2, 2)),
    lib("pad", "constant", call("pad", ((1, 2), (0, 1)), constant_values=1.5), (2, 3)),
    lib("pad", "traced-constant", lambda m, x, c: m.pad(x, 1, constant_values=c), (3,), ()),
    *(lib("pad", mode, call("pad", ((2, 3), (1, 4)), mode=mode), (3, 4))
      for mode in ("edge", "reflect", "symmetric", "wrap")),
    lib("roll", "flat", call("roll", 5), (2, 3)),
    lib("roll", "axes", call("roll", (1, -4), axis=(0, 1)), (3, 4)),
    lib("rot90", "once", call("rot90"), (2, 3)),
    lib("rot90", "three-times", call("rot90", 3, (1, 2)), (2, 3, 4)),
    lib("flipud", "(3,2)", call("flipud"), (3, 2)),
    lib("fliplr", "(3,2)", call("fliplr"), (3, 2)),
    lib("split", "sections", lambda m, x: m.split(x, 2, axis=1)[1], (3, 4)),
    lib("array_split", "uneven", lambda m, x: m.concatenate(m.array_split(x, 3)[1:]), (5,)),
    lib("array_split", "indices", lambda m, x: m.array_split(x, [1, 3])[1], (4, 2)),
    lib("hsplit", "(2,4)", lambda m, x: m.hsplit(x, 2)[0], (2, 4)),
    lib("vsplit", "(4,2)", lambda m, x: m.vsplit(x, [3])[0], (4, 2)),
    lib("dsplit", "(1,2,4)", lambda m, x: m.dsplit(x, 2)[1], (1, 2, 4)),
    lib("take", "axis", call("take", np.array([2, 0, 2]), axis=1), (2, 3)),
    lib("take", "flat", call("take", FLAT), (2, 3)),
    same("take", "method", lambda x: x.take(1, axis=0), (2, 3)),
    lib("take_along_axis", "axis1", call("take_along_axis", ORDER, 1), (2, 3)),
    lib("take_along_axis", "axis0", call("take_along_axis", ROWS, 0), (2, 3)),
    same("getitem", "tril-indices", lambda x: x[TRIL4], (4, 4)),
    same("getitem", "tril-indices-batch", lambda x: x[:, TRIL4[0], TRIL4[1]], (2, 4, 4)),
    same("at.set", "tril-indices", _at("set", TRIL4), (4, 4), (6,)),
    same("at.set", "slice", _at("set", np.s_[1:, ::2]), (3, 4), (2,)),
    same("at.set", "repeats", _at("set", np.array([1, 3, 1, 1])), (5,), (4,)),
    same("at.set", "mask", _at("set", np.array([True, False, True])), (3, 2), ()),
    same("at.add", "repeats", _at("add", np.array([1, 3, 1, 1])), (5,), (4,)),
    same("at.add", "columns", _at("add", (slice(None), np.array([0, 2, 0]))), (2, 3), (3,)),
    case("at.multiply", "unique", _at("multiply", np.array([0, 3])),
         lambda x, v: x.at[np.array([0, 3])].multiply(v, unique_indices=True), (4,), (2,)),
    case("at.multiply", "rows", _at("multiply", 1),
         lambda x, v: x.at[1].multiply(v, unique_indices=True), (3, 2), (2,)),
    same("at.min", "repeats", _at("min", np.array([1, 3, 1, 1])), (5,), (4,)),
    same("at.max", "repeats", _at("max", np.array([1, 3, 1, 1])), (5,), (4,)),
    same("at.get", "ints", lambda x: x.at[np.array([2, 0])].get(), (3,)),
    case("put_along_axis", "axis1",
         lambda x, v: anp.put_along_axis(x, ORDER[:, :2], v, 1, inplace=False),
         lambda x, v: jnp.put_along_axis(x, ORDER[:, :2], v, 1, inplace=False), (2, 3), (2, 2)),
    same("flatten", "method", lambda x: x.flatten(), (2, 3)),
    same("copy", "method", lambda x: x.copy() * 2, (3,)),
    same("swapaxes", "method", lambda x: x.swapaxes(0, -1), (2, 3, 4)),
    same("repeat", "method", lambda x: x.repeat(2), (2, 2)),
]  # fmt: skip
