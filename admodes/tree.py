"""Pytrees: nested tuples, lists, dicts and registered classes whose leaves are floats, arrays
or traced values.

As in JAX, dict entries are ordered by sorted key (an ``OrderedDict``'s keep their order; a
``defaultdict`` keeps its ``default_factory``),
namedtuples are nodes, and ``None`` is an empty subtree. The public functions are ``jax.tree``'s
and ``jax.tree_util``'s: :func:`flatten`, :func:`unflatten`, :func:`leaves`, :func:`structure`,
:func:`map` (``admodes.tree.map(lambda p, g: p - 0.1 * g, params, grads)`` for a gradient step
on a tree of parameters), :func:`reduce`, :func:`all`, with JAX's ``is_leaf``; and the
registration of your own node types: :func:`register_pytree_node`,
:func:`register_pytree_node_class` and :func:`register_dataclass`, so a model kept in a class
is an argument every transform differentiates; and JAX's key paths (:func:`flatten_with_path`,
:func:`leaves_with_path`, :func:`map_with_path`, :func:`keystr`), each leaf named by the keys
that lead to it from the root.
"""

from __future__ import annotations

import builtins
import dataclasses
import functools
import operator
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable
from typing import Any, ClassVar, NamedTuple

__all__ = [
    "DictKey",
    "FlattenedIndexKey",
    "GetAttrKey",
    "SequenceKey",
    "TreeDef",
    "all",
    "broadcast",
    "flatten",
    "flatten_with_path",
    "keystr",
    "leaves",
    "leaves_with_path",
    "map",
    "map_with_path",
    "reduce",
    "register_dataclass",
    "register_pytree_node",
    "register_pytree_node_class",
    "structure",
    "transpose",
    "unflatten",
]

IsLeaf = Callable[[Any], bool] | None


class TreeDef(tuple):
    """A tree's structure (JAX's ``PyTreeDef``): for a node, the tuple ``(node type, keys or
    auxiliary data, child definitions)`` (a dict's sorted keys, a registered type's aux data,
    None for a sequence); the definitions :data:`LEAF` and :data:`NONE` for a leaf and for
    ``None``. Two trees have one structure when their definitions are equal."""

    __slots__ = ()

    @property
    def num_leaves(self) -> int:
        """How many leaves a tree of this structure has."""
        if self is LEAF:
            return 1
        return 0 if self is NONE else sum(child.num_leaves for child in self[2])

    @property
    def num_nodes(self) -> int:
        """How many nodes, leaves and ``None`` included, a tree of this structure has."""
        if self is LEAF or self is NONE:
            return 1
        return 1 + sum(child.num_nodes for child in self[2])

    def unflatten(self, leaves: Iterable[Any]) -> Any:
        """The tree of this structure with ``leaves`` in order (:func:`unflatten`)."""
        return unflatten(self, list(leaves))

    def flatten_up_to(self, tree: Any) -> list[Any]:
        """The subtrees of ``tree`` at this structure's leaves, in order; ValueError unless
        this structure is a prefix of ``tree``'s."""
        found: list[Any] = []
        if not _up_to(self, tree, found):
            raise ValueError(
                f"a tree of structure {describe(structure(tree))} does not have the structure "
                f"{describe(self)} as a prefix"
            )
        return found

    def children(self) -> list[TreeDef]:
        """The definitions of a node's children (none for a leaf or ``None``)."""
        return [] if self is LEAF or self is NONE else list(self[2])

    def node_data(self) -> tuple[type, Any] | None:
        """A node's type and its keys or auxiliary data; None for a leaf."""
        if self is LEAF:
            return None
        if self is NONE:
            return type(None), None
        kind, keys, _ = self
        return kind, list(keys) if kind is dict or kind is OrderedDict else keys

    def __repr__(self) -> str:
        return f"PyTreeDef({describe(self)})"


#: The structure of a leaf, and of ``None`` (an empty subtree).
LEAF = TreeDef(("*",))
NONE = TreeDef((None,))


class NodeType(NamedTuple):
    """A registered node type's two functions (JAX's): ``flatten(node) -> (children,
    aux_data)`` and ``unflatten(aux_data, children) -> node``; aux_data is compared with ``==``
    when two trees' structures are."""

    flatten: Callable[[Any], tuple[Iterable[Any], Any]]
    unflatten: Callable[[Any, Iterable[Any]], Any]
    #: The children's attribute names (a registered dataclass's data fields), for key paths;
    #: None: children known by position only (:class:`FlattenedIndexKey`).
    names: tuple[str, ...] | None = None


#: The registered node types.
NODE_TYPES: dict[type, NodeType] = {}


def register_pytree_node(
    nodetype: type,
    flatten_func: Callable[[Any], tuple[Iterable[Any], Any]],
    unflatten_func: Callable[[Any, Iterable[Any]], Any],
) -> None:
    """Make ``nodetype`` a node: ``flatten_func(node)`` gives ``(children, aux_data)`` (the
    children are subtrees, aux_data the rest, constant to the transforms) and
    ``unflatten_func(aux_data, children)`` rebuilds it (``jax.tree_util``'s)."""
    _register(nodetype, NodeType(flatten_func, unflatten_func))


def _register(nodetype: type, node: NodeType) -> None:
    if nodetype in NODE_TYPES or nodetype in (*_BUILT_IN, type(None)):
        raise ValueError(f"Duplicate custom PyTreeDef type registration for {nodetype}.")
    NODE_TYPES[nodetype] = node


def register_pytree_node_class(cls: type) -> type:
    """A class decorator: register ``cls`` by its method ``tree_flatten(self) -> (children,
    aux_data)`` and its classmethod ``tree_unflatten(aux_data, children)``."""
    register_pytree_node(cls, operator.methodcaller("tree_flatten"), cls.tree_unflatten)
    return cls


def register_dataclass(
    nodetype: type,
    data_fields: Iterable[str] | None = None,
    meta_fields: Iterable[str] | None = None,
    drop_fields: Iterable[str] = (),
) -> type:
    """Register a dataclass (or any class built from keyword arguments): its ``data_fields``
    are children, its ``meta_fields`` auxiliary data (hashable, constant); without either, a
    dataclass's fields are data unless their metadata says ``static=True``
    (``dataclasses.field(metadata={"static": True})``), as JAX infers them. Usable as a class
    decorator; returns ``nodetype``."""
    if data_fields is None and meta_fields is None:
        if not dataclasses.is_dataclass(nodetype):
            raise TypeError(
                f"register_dataclass: {nodetype.__name__} is not a dataclass; give data_fields "
                "and meta_fields"
            )
        fields = [f for f in dataclasses.fields(nodetype) if f.init and f.name not in drop_fields]
        data = [f.name for f in fields if not f.metadata.get("static", False)]
        meta = [f.name for f in fields if f.metadata.get("static", False)]
    elif data_fields is None or meta_fields is None:
        raise TypeError("register_dataclass: give both data_fields and meta_fields, or neither")
    else:
        data, meta = list(data_fields), list(meta_fields)
        if dataclasses.is_dataclass(nodetype):
            init = {f.name for f in dataclasses.fields(nodetype) if f.init} - set(drop_fields)
            if set(data) | set(meta) != init or set(data) & set(meta):
                raise ValueError(
                    f"register_dataclass: data_fields {data} and meta_fields {meta} must "
                    f"partition {nodetype.__name__}'s init fields {sorted(init)} (less "
                    "drop_fields)"
                )

    def flatten_node(node: Any) -> tuple[list[Any], tuple]:
        return [getattr(node, name) for name in data], tuple(getattr(node, n) for n in meta)

    def unflatten_node(aux: tuple, children: Iterable[Any]) -> Any:
        return nodetype(
            **dict(zip(data, children, strict=True)), **dict(zip(meta, aux, strict=True))
        )

    _register(nodetype, NodeType(flatten_node, unflatten_node, tuple(data)))
    return nodetype


def flatten(tree: Any, is_leaf: IsLeaf = None) -> tuple[list[Any], TreeDef]:
    """The leaves of ``tree`` in order, and a definition to rebuild it with :func:`unflatten`;
    a subtree for which ``is_leaf`` is true is a leaf."""
    leaves: list[Any] = []
    return leaves, _flatten_into(tree, leaves, is_leaf)


#: Tuples (not ``tuple | list``: that builds a union on every call of these hot functions).
_SEQUENCES = (tuple, list)
_CONTAINERS = (tuple, list, dict)


def _flatten_into(tree: Any, leaves: list[Any], is_leaf: IsLeaf) -> TreeDef:
    if is_leaf is not None and is_leaf(tree):
        leaves.append(tree)
        return LEAF
    if tree is None:
        return NONE
    kind = type(tree)
    if kind is tuple or kind is list:  # the common nodes first: fewer calls on a hot path
        keys, children = None, tree
    else:
        node = _node(tree)
        if node is None:
            leaves.append(tree)
            return LEAF
        kind, keys, children = node
    defs = []
    for child in children:  # loops, not comprehensions, and leaves in place: fewer frames
        if (
            is_leaf is None
            and child is not None
            and not isinstance(child, _CONTAINERS)
            and type(child) not in NODE_TYPES
        ):
            leaves.append(child)
            defs.append(LEAF)
        else:
            defs.append(_flatten_into(child, leaves, is_leaf))
    return TreeDef((kind, keys, tuple(defs)))


def _node(tree: Any) -> tuple[type, Any, Any] | None:
    """A node's (type, keys or aux data, children); None for a leaf (or None)."""
    kind = type(tree)
    if kind in NODE_TYPES:
        children, aux = NODE_TYPES[kind].flatten(tree)
        return kind, aux, list(children)
    if kind is tuple or kind is list or (isinstance(tree, tuple) and hasattr(kind, "_fields")):
        return kind, None, tree
    if kind is OrderedDict:
        keys = tuple(tree)
        return kind, keys, [tree[k] for k in keys]
    if kind is dict or kind is defaultdict:
        keys = _sorted_keys(tree)
        children = [tree[k] for k in keys]
        return kind, (tree.default_factory, keys) if kind is defaultdict else keys, children
    return None  # a leaf: any other type, subclasses of the node types too (JAX's rule)


def _sorted_keys(tree: dict) -> tuple:
    """A dict's keys in sorted order (JAX's flattening order); ValueError for keys that do not
    compare."""
    try:
        return tuple(sorted(tree))
    except TypeError as error:
        raise ValueError(
            f"pytree dict keys must be comparable with each other, to be sorted as JAX sorts "
            f"them ({error}): use keys of one type, e.g. all str, or an OrderedDict, whose "
            "order is its own"
        ) from None


#: The node types built in, as in JAX: a defaultdict's aux data is ``(default_factory, keys)``.
_BUILT_IN = (tuple, list, dict, OrderedDict, defaultdict)


def _entry_keys(kind: type, aux: Any) -> tuple:
    """A dict node's keys in flattening order, from its aux data."""
    return aux[1] if kind is defaultdict else aux


def unflatten(treedef: TreeDef, leaves: list[Any]) -> Any:
    """Rebuild the tree ``treedef`` describes with ``leaves`` in order."""
    it = iter(leaves)
    try:
        tree = _build(treedef, it)
    except StopIteration:  # not left to escape: it would silently end a loop around this call
        raise ValueError(
            f"too few leaves for the tree definition {describe(treedef)}: got {len(leaves)}"
        ) from None
    if next(it, _END) is not _END:
        raise ValueError("more leaves than the tree definition has places for")
    return tree


_END = object()


def _build(treedef: TreeDef, it: Any) -> Any:
    if treedef is NONE:
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
    if kind is defaultdict:
        factory, names = keys
        return defaultdict(factory, zip(names, built, strict=True))
    if kind in NODE_TYPES:
        return NODE_TYPES[kind].unflatten(keys, tuple(built))
    if hasattr(kind, "_fields"):  # namedtuple
        return kind(*built)
    return kind(built)


def leaves(tree: Any, is_leaf: IsLeaf = None) -> list[Any]:
    """The leaves of ``tree`` in order."""
    return flatten(tree, is_leaf)[0]


def structure(tree: Any, is_leaf: IsLeaf = None) -> TreeDef:
    """The tree definition of ``tree``: equal for two trees of the same structure."""
    return flatten(tree, is_leaf)[1]


def map(fn: Callable[..., Any], tree: Any, *rest: Any, is_leaf: IsLeaf = None) -> Any:
    """The tree of ``tree``'s structure whose leaf i is ``fn(leaf i of tree, subtree i of each
    of rest)``: each tree of ``rest`` has ``tree``'s structure, or has it as a prefix (its
    subtrees at ``tree``'s leaves are passed whole), as in JAX."""
    treedef, columns = _columns(tree, rest, is_leaf)
    return unflatten(treedef, [fn(*xs) for xs in zip(*columns, strict=True)])


def map_with_path(fn: Callable[..., Any], tree: Any, *rest: Any, is_leaf: IsLeaf = None) -> Any:
    """:func:`map` with each leaf's key path first: ``fn(path, leaf i of tree, subtree i of each
    of rest)`` (``jax.tree.map_with_path``; ``keystr(path)`` names the leaf, as to mask weight
    decay by parameter name)."""
    treedef, columns = _columns(tree, rest, is_leaf)
    rows = zip(*columns, strict=True)
    return unflatten(treedef, [fn(p, *xs) for p, xs in zip(paths(treedef), rows, strict=True)])


def _columns(tree: Any, rest: tuple, is_leaf: IsLeaf) -> tuple[TreeDef, list[list[Any]]]:
    """``tree``'s definition, and its leaves with the subtrees of each of ``rest`` at them."""
    tree_leaves, treedef = flatten(tree, is_leaf)
    columns = [tree_leaves]
    for k, other in enumerate(rest, 1):
        column: list[Any] = []
        if not _up_to(treedef, other, column):
            raise ValueError(
                f"tree.map: tree {k} of rest has structure {describe(structure(other))} but "
                f"the first tree has structure {describe(treedef)}; they must match (or the "
                "first be a prefix of it)"
            )
        columns.append(column)
    return treedef, columns


def _up_to(treedef: TreeDef, tree: Any, out: list[Any]) -> bool:
    """Append to ``out`` the subtrees of ``tree`` at ``treedef``'s leaves; False if ``tree``
    does not have ``treedef`` as a prefix of its structure."""
    if treedef is LEAF:
        out.append(tree)
        return True
    if treedef is NONE or tree is None:
        return treedef is NONE and tree is None
    node = _node(tree)
    kind, keys, children = treedef
    if node is None or node[0] is not kind or node[1] != keys or len(node[2]) != len(children):
        return False
    return builtins.all(_up_to(d, c, out) for d, c in zip(children, node[2], strict=True))


def transpose(
    outer_treedef: TreeDef, inner_treedef: TreeDef | None, pytree_to_transpose: Any
) -> Any:
    """A tree of ``outer_treedef`` whose leaves are trees of ``inner_treedef`` turned into a tree
    of ``inner_treedef`` whose leaves are trees of ``outer_treedef`` (a list of dicts into a
    dict of lists), as ``jax.tree.transpose``; ``inner_treedef`` None: the first inner tree's."""
    inner_trees: list[Any] = []
    if not _up_to(outer_treedef, pytree_to_transpose, inner_trees):
        raise TypeError(
            f"tree.transpose: the tree has structure {describe(structure(pytree_to_transpose))}, "
            f"which does not have {describe(outer_treedef)} as its outer structure"
        )
    if inner_treedef is None:
        inner_treedef = structure(inner_trees[0]) if inner_trees else NONE
    columns = []
    for inner in inner_trees:
        inner_leaves, treedef = flatten(inner)
        if treedef != inner_treedef:
            raise TypeError(
                f"tree.transpose: an inner tree has structure {describe(treedef)}, not "
                f"{describe(inner_treedef)}"
            )
        columns.append(inner_leaves)
    n_inner = len(paths(inner_treedef))
    return unflatten(
        inner_treedef, [unflatten(outer_treedef, [c[k] for c in columns]) for k in range(n_inner)]
    )


def broadcast(prefix_tree: Any, full_tree: Any, is_leaf: IsLeaf = None) -> Any:
    """``full_tree``'s structure with each leaf of ``prefix_tree`` (a prefix of it; ``is_leaf``
    marks more of its subtrees as leaves) repeated at every leaf of its place there
    (``jax.tree.broadcast``)."""

    def spreads(p: Any) -> bool:
        return (p is not None and _node(p) is None) or (is_leaf is not None and is_leaf(p))

    return unflatten(structure(full_tree), leaves_by_prefix(prefix_tree, full_tree, spreads))


# ------------------------------------------------------------------------------ key paths
class _Key:
    """A step of a key path: one field, shown in a path's text by the format ``_text``."""

    _text: ClassVar[str]

    def __str__(self) -> str:
        return self._text.format(_bare(self))


@dataclasses.dataclass(frozen=True)
class SequenceKey(_Key):
    """A child of a tuple or list, by position: ``[idx]`` (``jax.tree_util``'s)."""

    idx: int
    _text = "[{!r}]"


@dataclasses.dataclass(frozen=True)
class DictKey(_Key):
    """A dict's entry, by key: ``[key]``."""

    key: Any
    _text = "[{!r}]"


@dataclasses.dataclass(frozen=True)
class GetAttrKey(_Key):
    """A namedtuple's field or a registered dataclass's data field, by name: ``.name``."""

    name: str
    _text = ".{}"


@dataclasses.dataclass(frozen=True)
class FlattenedIndexKey(_Key):
    """A child of a node registered without names, by its position among the children."""

    key: int
    _text = "[<flat index {}>]"


KeyPath = tuple[SequenceKey | DictKey | GetAttrKey | FlattenedIndexKey, ...]


def paths(treedef: TreeDef) -> list[KeyPath]:
    """The key path of each leaf of the trees ``treedef`` describes, in flattening order."""
    found: list[KeyPath] = []
    _paths_into(treedef, (), found)
    return found


def _paths_into(treedef: TreeDef, prefix: KeyPath, found: list[KeyPath]) -> None:
    if treedef is NONE:
        return
    if treedef is LEAF:
        found.append(prefix)
        return
    kind, keys, children = treedef
    steps: list[Any]
    if kind is dict or kind is OrderedDict or kind is defaultdict:
        steps = [DictKey(k) for k in _entry_keys(kind, keys)]
    elif kind in NODE_TYPES and NODE_TYPES[kind].names is not None:
        steps = [GetAttrKey(name) for name in NODE_TYPES[kind].names]
    elif kind in NODE_TYPES:
        steps = [FlattenedIndexKey(i) for i in range(len(children))]
    elif hasattr(kind, "_fields"):  # a namedtuple
        steps = [GetAttrKey(name) for name in kind._fields]
    else:
        steps = [SequenceKey(i) for i in range(len(children))]
    for step, child in zip(steps, children, strict=True):
        _paths_into(child, (*prefix, step), found)


def flatten_with_path(
    tree: Any, is_leaf: IsLeaf = None
) -> tuple[list[tuple[KeyPath, Any]], TreeDef]:
    """:func:`flatten` with each leaf's key path: ``([(path, leaf), ...], treedef)``
    (``jax.tree.flatten_with_path``)."""
    tree_leaves, treedef = flatten(tree, is_leaf)
    return list(zip(paths(treedef), tree_leaves, strict=True)), treedef


def leaves_with_path(tree: Any, is_leaf: IsLeaf = None) -> list[tuple[KeyPath, Any]]:
    """The ``(path, leaf)`` pairs of ``tree`` in order (``jax.tree.leaves_with_path``)."""
    return flatten_with_path(tree, is_leaf)[0]


def keystr(keys: KeyPath, *, simple: bool = False, separator: str = "") -> str:
    """A key path as text, JAX's: ``['params'][0].w``; with ``simple``, the bare keys
    (``params/0/w`` with ``separator="/"``)."""
    if simple:
        return separator.join(str(_bare(k)) for k in keys)
    return separator.join(str(k) for k in keys)


def _bare(key: Any) -> Any:
    """A key's one field: its position, dict key or name."""
    (field,) = dataclasses.fields(key)
    return getattr(key, field.name)


_NO_INITIAL = object()


def reduce(
    function: Callable[[Any, Any], Any],
    tree: Any,
    initializer: Any = _NO_INITIAL,
    is_leaf: IsLeaf = None,
) -> Any:
    """``function`` folded over the leaves of ``tree``, from ``initializer`` if given
    (``functools.reduce``'s order)."""
    if initializer is _NO_INITIAL:
        return functools.reduce(function, leaves(tree, is_leaf))
    return functools.reduce(function, leaves(tree, is_leaf), initializer)


def all(tree: Any, is_leaf: IsLeaf = None) -> bool:
    """Are all the leaves of ``tree`` true?"""
    return builtins.all(leaves(tree, is_leaf))


def leaves_by_prefix(prefix: Any, tree: Any, spreads: Callable[[Any], bool]) -> list[Any]:
    """One entry of ``prefix`` per leaf of ``tree``, in flattening order: a node p of prefix
    with ``spreads(p)`` stands for every leaf of its place in tree (vmap's axis, a cotangent's
    None); above such nodes, prefix has tree's containers, down to tree's leaves. ValueError
    where it does not."""
    if spreads(prefix):
        return [prefix] * len(leaves(tree))
    if tree is None:
        if prefix is None:
            return []
    elif _node(tree) is None:  # a leaf of tree
        if _node(prefix) is None:
            return [prefix]
    else:
        pairs = _matched_children(prefix, tree)
        if pairs is not None:
            return [x for p, t in pairs for x in leaves_by_prefix(p, t, spreads)]
    raise ValueError(
        f"{describe(structure(prefix))} is not a prefix of a tree of structure "
        f"{describe(structure(tree))}"
    )


def _matched_children(prefix: Any, tree: Any) -> list[tuple[Any, Any]] | None:
    """The (prefix child, tree child) pairs of two nodes of one kind: dicts with the same keys
    (in the tree's order), sequences of one length (a tuple matches a list), registered nodes
    of one type and auxiliary data; None if they do not match."""
    t_kind, t_keys, t_children = _node(tree)
    p_node = _node(prefix)
    if p_node is None:  # a leaf (a subclass of a node type too) matches no node
        return None
    if isinstance(tree, dict):
        if isinstance(prefix, dict) and set(prefix) == set(tree):
            return [(prefix[k], tree[k]) for k in _entry_keys(t_kind, t_keys)]
        return None
    if isinstance(tree, _SEQUENCES) and type(tree) not in NODE_TYPES:
        if isinstance(prefix, _SEQUENCES) and len(prefix) == len(tree):
            return list(zip(prefix, tree, strict=True))
        return None
    p_kind, p_keys, p_children = p_node
    if p_kind is not t_kind or p_keys != t_keys:
        return None
    return list(zip(p_children, t_children, strict=True))


def describe(treedef: TreeDef) -> str:
    """A tree definition as JAX writes one (inside ``PyTreeDef(...)``), for error messages:
    ``{'a': (*, None, [*])}``; a registered node, a namedtuple or an OrderedDict as
    ``CustomNode(Type[aux data], [children])``."""
    if treedef is NONE:
        return "None"
    if treedef is LEAF:
        return "*"
    kind, keys, children = treedef
    parts = [describe(c) for c in children]
    inner = ", ".join(parts)
    if kind is dict:
        return "{" + ", ".join(f"{k!r}: {p}" for k, p in zip(keys, parts, strict=True)) + "}"
    if kind is list:
        return f"[{inner}]"
    if kind is tuple:
        return f"({inner}{',' if len(parts) == 1 else ''})"
    if kind in _BUILT_IN or kind in NODE_TYPES:
        node = f"{kind.__name__}[{keys}]"
    else:  # a namedtuple
        node = f"namedtuple[{kind.__name__}]"
    return f"CustomNode({node}, [{inner}])"
