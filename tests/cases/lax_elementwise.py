"""Registry-walk cases for the primitives of ``admodes.lax.elementwise``: ``pow`` (``lax.pow``'s
derivatives) and ``complex`` (x + iy, also behind ``lax.conj`` of a real value and
``convert_element_type`` to a complex dtype), each against ``jax.lax``. The walk feeds real inputs
and wants real outputs, so the complex cases take a real part or a modulus. Special points (x = 0,
integer exponents, inf) are in ``test_lax_elementwise.py``."""

from __future__ import annotations

from functools import partial

import jax
import jax.numpy as jnp
import numpy as np
from walk import Case, case, positive, real, shape_label

import admodes.numpy as anp
from admodes.lax import elementwise as lax

SHAPES_2 = [((), ()), ((3,), (3,)), ((3, 1), (4,)), ((2, 3), ())]
INTEGER_EXPONENTS = np.array([0, 1, 2, -1])


def _pow(lib: object, m: object, x: object, y: object) -> object:
    return lib.pow(x, y)


def _complex(lib: object, m: object, x: object, y: object) -> object:
    """|(x + iy)·(2 − i)| + Re(x + iy)²: both parts, through a modulus and a square."""
    z = lib.complex(x, y)
    return m.abs(z * (2 - 1j)) + m.real(z * z)


def both(op: str, label: str, fn: object, *shapes: tuple[int, ...], **kw: object) -> Case:
    """A case written once as ``fn(lax, numpy, *xs)``, for admodes and for JAX; JAX's operands are
    broadcast first (``jax.lax`` does not broadcast, ``admodes.lax`` does)."""

    def jax_fn(*xs: object) -> object:
        return fn(jax.lax, jnp, *jnp.broadcast_arrays(*xs))

    return case(op, label, partial(fn, lax, anp), jax_fn, *shapes, **kw)


CASES = [
    *(both("pow", shape_label(*s), _pow, *s, domains=(positive, real)) for s in SHAPES_2),
    both("pow", "integer-exponents", lambda lib, m, x: lib.pow(x, INTEGER_EXPONENTS), (4,)),
    *(both("complex", shape_label(*s), _complex, *s) for s in SHAPES_2),
    both("complex", "conj-of-real", lambda lib, m, x: m.imag(lib.conj(x) * (1 + 2j)), (2, 3)),
    both("complex", "convert-to-complex",
         lambda lib, m, x: m.imag(lib.convert_element_type(x, np.complex128) * (3 - 1j)), (3,)),
]  # fmt: skip
