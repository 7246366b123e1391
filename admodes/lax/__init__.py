"""``admodes.lax``: JAX's ``jax.lax``, by both engines.

- :mod:`~admodes.lax.control_flow`: ``scan``, ``map``, ``fori_loop``, ``while_loop``, ``cond``,
  ``switch`` as Python control flow (admodes evaluates op by op: nothing to trace and compile);
- ``stop_gradient``.
"""

from __future__ import annotations

from admodes.lax.control_flow import cond, fori_loop, map, scan, switch, while_loop
from admodes.numpy import stop_gradient

__all__ = ["cond", "fori_loop", "map", "scan", "stop_gradient", "switch", "while_loop"]
