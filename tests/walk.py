"""The registry walk's machinery: input domains and the :class:`Case` table entry.

A case is one op on one set of input shapes: the admodes call and its JAX equivalent. The walk
itself is ``test_registry.py``; it runs every case of its own table and of the modules in
``tests/cases/`` (one per kind of op, each defining ``CASES``).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import jax
import numpy as np
from conftest import JNP, sample

import admodes.numpy as anp

Domain = Callable[[np.ndarray], np.ndarray]


# ---------------------------------------------------------------------------- input domains
def real(x: np.ndarray) -> np.ndarray:
    return x


def positive(x: np.ndarray) -> np.ndarray:
    """(0.5, ∞): log, sqrt, the base of a power."""
    return 0.5 + np.abs(x)


def nonzero(x: np.ndarray) -> np.ndarray:
    """|x| ≥ 0.5: divisors."""
    return np.sign(x) * (0.5 + np.abs(x))


def open_unit(x: np.ndarray) -> np.ndarray:
    """(-0.9, 0.9): arcsin, arccos, tan."""
    return 0.9 * np.tanh(x)


def above_minus_one(x: np.ndarray) -> np.ndarray:
    """(-0.5, ∞): log1p."""
    return np.abs(x) - 0.5


def with_value(flat_positions: tuple[int, ...], value: float) -> Domain:
    """Real values with ``value`` at the given positions of the flattened array."""

    def domain(x: np.ndarray) -> np.ndarray:
        x = np.array(x, dtype=np.float64)
        x.reshape(-1)[list(flat_positions)] = value
        return x

    return domain


# ---------------------------------------------------------------------------- the table
@dataclass(frozen=True)
class Case:
    """One op on one set of input shapes: the admodes call and its JAX equivalent."""

    op: str
    label: str
    ad: Callable[..., Any]
    jx: Callable[..., Any]
    shapes: tuple[tuple[int, ...], ...]
    domains: tuple[Domain, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.op}-{self.label}"

    def inputs(self) -> tuple[tuple, tuple, Any]:
        """Primals (in the op's domain), tangents and an output cotangent; the same on every
        call (seeded by the case's id), so each case needs a single JAX compilation."""
        rng = np.random.default_rng(zlib.crc32(self.id.encode()))
        domains = self.domains or (real,) * len(self.shapes)
        primals = []
        for s, domain in zip(self.shapes, domains, strict=True):
            x = domain(rng.standard_normal(s))
            primals.append(float(x) if s == () else x)
        tangents = tuple(sample(rng, s) for s in self.shapes)
        return tuple(primals), tangents, sample(rng, jax.eval_shape(self.jx, *primals).shape)


def case(
    op: str,
    label: str,
    ad_fn: Callable[..., Any],
    jax_fn: Callable[..., Any],
    *shapes: tuple[int, ...],
    domains: tuple[Domain, ...] | Domain = (),
) -> Case:
    if callable(domains):
        domains = (domains,) * len(shapes)
    return Case(op, label, ad_fn, jax_fn, shapes, domains)


def lib(op: str, label: str, fn: Callable[..., Any], *shapes: tuple[int, ...], **kw: Any) -> Case:
    """A case written once as ``fn(m, *xs)``, for m = admodes.numpy and m = jax.numpy."""
    return case(op, label, partial(fn, anp), partial(fn, JNP), *shapes, **kw)


def same(op: str, label: str, fn: Callable[..., Any], *shapes: tuple[int, ...], **kw: Any) -> Case:
    """A case whose expression needs no library (operators, indexing, methods)."""
    return case(op, label, fn, fn, *shapes, **kw)


def call(name: str, *args: Any, **kwargs: Any) -> Callable[..., Any]:
    """``m.name(*xs, *args, **kwargs)``: a library function with its parameters fixed."""
    return lambda m, *xs: getattr(m, name)(*xs, *args, **kwargs)


def shape_label(*shapes: tuple[int, ...]) -> str:
    return "x".join(str(s).replace(" ", "") for s in shapes)


def params_label(s: tuple[int, ...], axis: Any, keepdims: bool = False) -> str:
    return f"{shape_label(s)}-axis{axis}{'-keepdims' if keepdims else ''}".replace(" ", "")
