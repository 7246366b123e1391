"""Registry-walk cases for the cross product (a composite of slices, products and a stack)."""

from __future__ import annotations

from walk import call, lib

CASES = [
    lib("cross", "(3,)x(3,)", call("cross"), (3,), (3,)),
    lib("cross", "(4,3)x(3,)", call("cross"), (4, 3), (3,)),
    lib("cross", "axes", call("cross", axisa=0, axisb=0, axisc=0), (3, 2), (3, 2)),
]
