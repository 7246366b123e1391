"""Registry-walk cases for the elementwise ops beyond the core arithmetic: NumPy's remaining math
ufuncs, the activations ``admodes.nn`` builds on, and the composites of ``admodes.numpy`` written as
JAX writes them. Special points (kinks, zeros, infinities) are in ``test_elementwise.py``."""

from __future__ import annotations

from functools import partial

import jax
import numpy as np
from walk import (
    Case,
    call,
    case,
    lib,
    nonzero,
    open_unit,
    positive,
    real,
    same,
    shape_label,
    with_value,
)

from admodes import nn

SHAPES_1 = [(), (2, 3)]
SHAPES_2 = [((), ()), ((3,), (3,)), ((3, 1), (4,)), ((2, 3), ())]


def above_one(x: np.ndarray) -> np.ndarray:
    """(1.5, ∞): arccosh."""
    return 1.5 + np.abs(x)


def _unary(name: str, domain: object = real) -> list[Case]:
    return [lib(name, shape_label(s), call(name), s, domains=domain) for s in SHAPES_1]


def _binary(name: str, domains: tuple = (real, real)) -> list[Case]:
    return [lib(name, shape_label(*s), call(name), *s, domains=domains) for s in SHAPES_2]


CASES = [
    *_unary("arcsinh"),
    *_unary("arccosh", above_one),
    *_unary("arctanh", open_unit),
    *_unary("cbrt", nonzero),
    *_binary("remainder", (real, nonzero)),
    *_binary("fmod", (real, nonzero)),
    *_binary("hypot"),
    *_binary("copysign", (real, nonzero)),
    *_binary("logaddexp"),
    same("remainder", "operator", lambda x, y: x % y, (3,), (3,), domains=(real, nonzero)),
    same("remainder", "constant-left", lambda x: 2.5 % x, (3,), domains=nonzero),
    same("remainder", "constant-right", lambda x: x % -0.7, (2, 3)),
    lib("remainder", "negative-divisor", call("remainder"), (4,), (4,),
        domains=(real, lambda x: -positive(x))),
    lib("logaddexp", "minus-inf-left", call("logaddexp"), (3,), (3,),
        domains=(with_value((1,), -np.inf), real)),
    lib("logaddexp", "far-apart", lambda m, x: m.logaddexp(x, 60.0), (3,)),
    *(case("relu", shape_label(s), nn.relu, jax.nn.relu, s, domains=nonzero) for s in SHAPES_1),
    *(case("logistic", f"sigmoid-{shape_label(s)}", nn.sigmoid, jax.nn.sigmoid, s)
      for s in SHAPES_1),
    *(case("erfc", f"gelu-exact-{shape_label(s)}", partial(nn.gelu, approximate=False),
           partial(jax.nn.gelu, approximate=False), s) for s in SHAPES_1),
    lib("sinc_maclaurin", "sinc-with-zero", call("sinc"), (5,), domains=with_value((2,), 0.0)),
    lib("sinc_maclaurin", "sinc-at-zero", call("sinc"), (), domains=with_value((0,), 0.0)),
    *(lib("modf_fractional", shape_label(s), lambda m, x: m.modf(3 * x)[0], s) for s in SHAPES_1),
    # composites
    *_unary("sinc"),
    *_unary("deg2rad"),
    *_unary("rad2deg"),
    *_unary("radians"),
    *_unary("degrees"),
    *_unary("fabs", nonzero),
    *_binary("mod", (real, nonzero)),
    *_binary("logaddexp2"),
    *_binary("float_power", (positive, real)),
    *_binary("heaviside"),
    lib("heaviside", "zeros", call("heaviside"), (4,), (4,),
        domains=(with_value((0, 2), 0.0), real)),
    lib("nan_to_num", "finite", call("nan_to_num"), (2, 3)),
    lib("nan_to_num", "non-finite", call("nan_to_num", nan=1.5, posinf=9.0), (4,),
        domains=with_value((1,), np.inf)),
    lib("true_divide", "(3,)", call("true_divide"), (3,), (3,), domains=(real, nonzero)),
    lib("positive", "(3,)", call("positive"), (3,)),
]  # fmt: skip
