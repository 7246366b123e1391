"""Pytrees: nested tuples, lists and dicts whose leaves are floats, arrays or traced values.

As in JAX, dict entries are ordered by sorted key (an ``OrderedDict``'s keep their order) and
``None`` is an empty subtree.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

#: A tree definition: ``LEAF``, ``None``, or ``(container type, keys or None, child defs)``.
TreeDef = Any
LEAF = "*"


def flatten(tree: Any) -> tuple[list[Any], TreeDef]:
    """The leaves of ``tree`` in order, and a definition to rebuild it with :func:`unflatten`."""
    leaves: list[Any] = []
    return leaves, _flatten_into(tree, leaves)


#: Tuples (not ``tuple | list``: that builds a union on every call of these hot functions).
_SEQUENCES = (tuple, list)
_CONTAINERS = (tuple, list, dict)


def _flatten_into(tree: Any, leaves: list[Any]) -> TreeDef:
    if tree is None:
        return None
    if isinstance(tree, _SEQUENCES):
        kind, keys, children = type(tree), None, tree
    elif isinstance(tree, dict):
        kind = OrderedDict if type(tree) is OrderedDict else dict
        keys = tuple(tree) if kind is OrderedDict else tuple(sorted(tree))
        children = [tree[k] for k in keys]
    else:
        leaves.append(tree)
        return LEAF
    defs = []
    for child in children:  # loops, not comprehensions, and leaves in place: fewer frames
        if child is None or isinstance(child, _CONTAINERS):
            defs.append(_flatten_into(child, leaves))
        else:
            leaves.append(child)
            defs.append(LEAF)
    return (kind, keys, tuple(defs))


def unflatten(treedef: TreeDef, leaves: list[Any]) -> Any:
    """Rebuild the tree ``treedef`` describes with ``leaves`` in order."""
    it = iter(leaves)
    tree = _build(treedef, it)
    if next(it, _END) is not _END:
        raise ValueError("more leaves than the tree definition has places for")
    return tree


_END = object()


def _build(treedef: TreeDef, it: Any) -> Any:
    if treedef is None:
        return None
    if treedef is LEAF:
        return next(it)
    kind, keys, children = treedef
    built = []
    for child in children:
        built.append(next(it) if child is LEAF else _build(child, it))
    if kind is tuple or kind is list:
        return kind(built)
    if kind is dict or kind is OrderedDict:
        return kind(zip(keys, built, strict=True))
    if hasattr(kind, "_fields"):  # namedtuple
        return kind(*built)
    return kind(built)


def describe(treedef: TreeDef) -> str:
    """A short human-readable form of a tree definition, for error messages."""
    if treedef is None:
        return "None"
    if treedef == LEAF:
        return "*"
    kind, keys, children = treedef
    parts = [describe(c) for c in children]
    if kind is dict or kind is OrderedDict:
        return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(keys, parts, strict=True)) + "}"
    inner = ", ".join(parts)
    return f"[{inner}]" if kind is list else f"({inner}{',' if len(parts) == 1 else ''})"
