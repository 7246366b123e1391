"""Complex parts: ``real``, ``imag``, ``conj``/``conjugate``, ``angle``, and predicates."""

from __future__ import annotations

from typing import Any

import numpy as _np

from admodes.core import dtype_of
from admodes.rules.elementwise import angle as _angle
from admodes.rules.elementwise import conj, imag, multiply, real  # noqa: F401  (re-exported)

conjugate = conj


def angle(z: Any, deg: bool = False) -> Any:
    """The argument of z (radians, or degrees with ``deg``), as ``numpy.angle``."""
    a = _angle(z)
    return multiply(a, 180.0 / _np.pi) if deg else a


def iscomplexobj(x: Any) -> bool:
    return dtype_of(x).kind == "c"


def isrealobj(x: Any) -> bool:
    return not iscomplexobj(x)
