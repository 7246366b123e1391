"""``admodes.debug``: JAX's ``jax.debug.print`` and ``jax.debug.callback``.

Inside a transformed function, values are traced; these see their plain values (the primal
beneath every transform), print or pass them on, and change nothing that is differentiated. As
admodes evaluates op by op, each call runs when the function reaches it, in program order (JAX's
``ordered`` is accepted: it is always so).
"""

from __future__ import annotations

import builtins
from collections.abc import Callable
from typing import Any

from admodes.core import plain
from admodes.tree import map as tree_map

__all__ = ["callback", "print"]


def print(fmt: str, *args: Any, ordered: bool = False, **kwargs: Any) -> None:
    """Print ``fmt.format(*args, **kwargs)`` with the plain values of ``args`` and ``kwargs``
    (pytrees of arrays or traced values)."""
    builtins.print(fmt.format(*_plain(args), **_plain(kwargs)))


def callback(
    function: Callable[..., Any], *args: Any, ordered: bool = False, **kwargs: Any
) -> None:
    """Call ``function`` on the plain values of ``args`` and ``kwargs``, for its side effect;
    its result is dropped, as JAX's."""
    function(*_plain(args), **_plain(kwargs))


def _plain(tree: Any) -> Any:
    return tree_map(plain, tree)
