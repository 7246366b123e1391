"""Pytrees: nested tuples, lists and dicts whose leaves are floats, arrays or traced values.

As in JAX, dict entries are ordered by sorted key (an ``OrderedDict``'s keep their order) and
``None`` is an empty subtree. The public functions are ``jax.tree``'s: :func:`flatten`,
:func:`unflatten`, :func:`leaves`, :func:`structure` and :func:`map` (``admodes.tree.map(lambda
p, g: p - 0.1 * g, params, grads)`` for a gradient step on a tree of parameters).
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable
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


def leaves(tree: Any) -> list[Any]:
    """The leaves of ``tree`` in order."""
    return flatten(tree)[0]


def structure(tree: Any) -> TreeDef:
    """The tree definition of ``tree``: equal for two trees of the same structure."""
    return flatten(tree)[1]


def map(fn: Callable[..., Any], tree: Any, *rest: Any) -> Any:
    """The tree of ``tree``'s structure whose leaf i is ``fn(leaf i of tree, leaf i of each of
    rest)``; every tree of ``rest`` must have ``tree``'s structure."""
    tree_leaves, treedef = flatten(tree)
    columns = [tree_leaves]
    for k, other in enumerate(rest, 1):
        other_leaves, other_def = flatten(other)
        if other_def != treedef:
            raise ValueError(
                f"tree.map: tree {k} of rest has structure {describe(other_def)} but the first "
                f"tree has structure {describe(treedef)}; they must match"
            )
        columns.append(other_leaves)
    return unflatten(treedef, [fn(*xs) for xs in zip(*columns, strict=True)])


def leaves_by_prefix(prefix: Any, tree: Any, spreads: Callable[[Any], bool]) -> list[Any]:
    """One entry of ``prefix`` per leaf of ``tree``, in flattening order: a node p of prefix
    with ``spreads(p)`` stands for every leaf of its place in tree (vmap's axis, a cotangent's
    None); above such nodes, prefix has tree's containers, down to tree's leaves. ValueError
    where it does not."""
    if spreads(prefix):
        return [prefix] * len(leaves(tree))
    if tree is not None and not isinstance(tree, _CONTAINERS):  # a leaf of tree
        if not isinstance(prefix, _CONTAINERS):
            return [prefix]
    elif isinstance(tree, dict) and isinstance(prefix, dict) and set(prefix) == set(tree):
        keys = list(tree) if type(tree) is OrderedDict else sorted(tree)
        return [x for k in keys for x in leaves_by_prefix(prefix[k], tree[k], spreads)]
    elif isinstance(tree, _SEQUENCES) and isinstance(prefix, _SEQUENCES):
        if len(prefix) == len(tree):
            pairs = zip(prefix, tree, strict=True)
            return [x for p, t in pairs for x in leaves_by_prefix(p, t, spreads)]
    elif tree is None and prefix is None:
        return []
    raise ValueError(
        f"{describe(structure(prefix))} is not a prefix of a tree of structure "
        f"{describe(structure(tree))}"
    )


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
