"""Registry-walk cases of admodes.lax.parallel's primitives ``all_gather`` and ``psum_scatter``:
each applied inside a named vmap over the input's leading axis (the collectives act on nothing
else), against jax.vmap of jax.lax's."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
from walk import case

import admodes as ad


def in_named_map(transforms: Any, collective: Callable[..., Any]) -> Callable[..., Any]:
    """x ↦ the collective over axis "i" of each row of x, under ``transforms``' vmap."""
    return lambda x: transforms.vmap(lambda row: collective(transforms.lax, row), axis_name="i")(x)


def scatter_dim1_tiled(lax: Any, r: Any) -> Any:
    return lax.psum_scatter(r, "i", scatter_dimension=1, tiled=True)


CASES = [
    case("all_gather", "axis0-(4,3)",
         in_named_map(ad, lambda lax, r: lax.all_gather(r, "i")),
         in_named_map(jax, lambda lax, r: lax.all_gather(r, "i")), (4, 3)),
    case("all_gather", "axis1-tiled-(3,2,2)",
         in_named_map(ad, lambda lax, r: lax.all_gather(r, "i", axis=1, tiled=True)),
         in_named_map(jax, lambda lax, r: lax.all_gather(r, "i", axis=1, tiled=True)), (3, 2, 2)),
    case("psum", "via-all_gather-(4,)",
         in_named_map(ad, lambda lax, r: lax.psum(r * r, "i")),
         in_named_map(jax, lambda lax, r: lax.psum(r * r, "i")), (4,)),
    case("psum_scatter", "dim0-(3,3,2)",
         in_named_map(ad, lambda lax, r: lax.psum_scatter(r, "i")),
         in_named_map(jax, lambda lax, r: lax.psum_scatter(r, "i")), (3, 3, 2)),
    case("psum_scatter", "dim1-tiled-(2,3,4)",
         in_named_map(ad, scatter_dim1_tiled), in_named_map(jax, scatter_dim1_tiled), (2, 3, 4)),
]  # fmt: skip
