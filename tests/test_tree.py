"""The pytree functions (``admodes.tree``, ``admodes.flatten_util``) against JAX's ``jax.tree``
and ``jax.flatten_util``, and gradients through them."""

from __future__ import annotations

import collections
import dataclasses
from collections import OrderedDict
from typing import Any

import jax
import jax.flatten_util
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close
from jax.tree_util import keystr as jax_keystr

import admodes as ad
import admodes.numpy as anp
from admodes import tree
from admodes.flatten_util import ravel_pytree
from admodes.tree import keystr

PARAMS = {
    "W": np.arange(6.0).reshape(2, 3) / 7.0,
    "b": (0.5, np.array([1.0, -2.0], dtype=np.float32)),
    "s": [np.float64(0.25)],
}


def loss(m: Any, p: dict) -> Any:
    return m.sum(m.tanh(p["W"]) ** 2) * p["b"][0] + m.sum(p["b"][1] ** 3) * p["s"][0]


def test_leaves_structure_and_map_are_jaxs() -> None:
    assert [np.asarray(x).tolist() for x in tree.leaves(PARAMS)] == [
        np.asarray(x).tolist() for x in jax.tree.leaves(PARAMS)
    ]
    assert tree.structure(PARAMS) == tree.structure({"s": [1.0], "W": 0.0, "b": (1.0, 2.0)})
    assert tree.structure(PARAMS) != tree.structure({"W": 0.0, "b": (1.0,), "s": [1.0]})
    step = tree.map(lambda p, g: p - 0.1 * g, PARAMS, ad.grad(lambda p: loss(anp, p))(PARAMS))
    expected = jax.tree.map(
        lambda p, g: p - 0.1 * g, PARAMS, jax.grad(lambda p: loss(JNP, p))(PARAMS)
    )
    assert_close(jax.tree.leaves(step), jax.tree.leaves(expected), rtol=1e-6)  # float32 leaf
    with pytest.raises(ValueError, match=r"tree 1 of rest has structure \(\*, \*\)"):
        tree.map(lambda a, b: a + b, (1.0,), (1.0, 2.0))


def test_ravel_pytree_is_jaxs() -> None:
    flat, unravel = ravel_pytree(PARAMS)
    j_flat, j_unravel = jax.flatten_util.ravel_pytree(PARAMS)
    assert_close(flat, np.asarray(j_flat))  # float64: the promoted dtype
    v = np.linspace(-1.0, 1.0, flat.size)
    for ours, theirs in zip(tree.leaves(unravel(v)), jax.tree.leaves(j_unravel(v)), strict=True):
        assert np.shape(ours) == np.shape(theirs)
        assert np.asarray(ours).dtype == np.asarray(theirs).dtype  # each leaf's own dtype
        np.testing.assert_array_equal(np.asarray(ours), np.asarray(theirs))
    with pytest.raises(ValueError, match=r"vector of shape \(10,\)"):
        unravel(np.ones(3))
    empty, unravel_empty = ravel_pytree(())
    assert empty.shape == (0,) and unravel_empty(empty) == ()


@pytest.mark.parametrize("mode", MODES)
def test_gradients_through_ravel_and_unravel(mode: str) -> None:
    params = {"W": PARAMS["W"], "b": (0.5, np.array([1.0, -2.0])), "s": [np.float64(0.25)]}
    flat, unravel = ravel_pytree(params)
    j_flat, j_unravel = jax.flatten_util.ravel_pytree(params)
    assert_close(
        ad.grad(lambda v: loss(anp, unravel(v)), mode=mode)(flat),
        np.asarray(jax.grad(lambda v: loss(JNP, j_unravel(v)))(j_flat)),
    )
    got = ad.grad(lambda p: anp.sum(anp.sin(ravel_pytree(p)[0])), mode=mode)(params)
    want = jax.grad(lambda p: JNP.sum(JNP.sin(jax.flatten_util.ravel_pytree(p)[0])))(params)
    assert_close(tree.leaves(got), [np.asarray(x) for x in jax.tree.leaves(want)])


# ------------------------------------------------------------------ registered node types
class Linear:
    """A layer as a class (registered by functions): weights are children, the name is
    auxiliary data."""

    def __init__(self, w: Any, b: Any, name: str) -> None:
        self.w, self.b, self.name = w, b, name


def _flatten_linear(layer: Linear) -> tuple[tuple, str]:
    return (layer.w, layer.b), layer.name


def _unflatten_linear(name: str, children: Any) -> Linear:
    return Linear(*children, name)


tree.register_pytree_node(Linear, _flatten_linear, _unflatten_linear)
jax.tree_util.register_pytree_node(Linear, _flatten_linear, _unflatten_linear)


@dataclasses.dataclass
class Model:
    """A model as a dataclass: ``activation`` is static (auxiliary data)."""

    layers: list
    scale: Any
    activation: str = dataclasses.field(default="tanh", metadata={"static": True})


tree.register_dataclass(Model)
jax.tree_util.register_dataclass(Model)


class Pair:
    """A node registered by its own methods (``register_pytree_node_class``)."""

    def __init__(self, first: Any, second: Any) -> None:
        self.first, self.second = first, second

    def tree_flatten(self) -> tuple[tuple, None]:
        return (self.first, self.second), None

    @classmethod
    def tree_unflatten(cls, aux: None, children: Any) -> Pair:
        return cls(*children)


tree.register_pytree_node_class(Pair)
jax.tree_util.register_pytree_node_class(Pair)

MODEL = Model(
    [
        Linear(np.arange(6.0).reshape(3, 2) / 5, np.array([0.1, -0.2]), "in"),
        Linear(np.array([[0.3], [-0.7]]), np.array([0.05]), "out"),
    ],
    Pair(np.float64(1.5), np.array([0.5])),
)
INPUTS = np.array([[0.2, -1.0, 0.4], [1.1, 0.3, -0.6]])


def model_loss(m: Any, model: Model, x: Any) -> Any:
    for layer in model.layers:
        x = getattr(m, model.activation)(x @ layer.w + layer.b)
    return m.sum(x**2) * model.scale.first + m.sum(model.scale.second)


def _leaves_equal(ours: list, theirs: list) -> None:
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(b))


def test_too_few_leaves_raise_a_value_error_as_jax() -> None:
    """Not StopIteration, which would silently end a loop around the call."""
    treedef = tree.structure([1.0, 2.0])
    with pytest.raises(ValueError, match="too few leaves"):
        list(map(lambda leaves: tree.unflatten(treedef, leaves), [[1.0, 2.0], [3.0]]))
    with pytest.raises(ValueError, match="Too few leaves"):
        jax.tree.unflatten(jax.tree.structure([1.0, 2.0]), [3.0])


@pytest.mark.parametrize(
    "example",
    [{"b": (1.0, None, [2.0, 3.0]), "a": 4.0}, None, 1.5, (), [None, (1.0,)], "MODEL"],
    ids=["dict", "None", "leaf", "empty", "nested", "registered"],
)
def test_tree_definitions_have_jaxs_methods(example: Any) -> None:
    """A structure's num_leaves, num_nodes, children, node_data, unflatten, flatten_up_to and
    repr, as JAX's PyTreeDef gives them."""
    example = MODEL if example == "MODEL" else example
    ours, theirs = tree.structure(example), jax.tree.structure(example)
    assert repr(ours) == repr(theirs)
    assert (ours.num_leaves, ours.num_nodes) == (theirs.num_leaves, theirs.num_nodes)
    assert [repr(c) for c in ours.children()] == [repr(c) for c in theirs.children()]
    data, their_data = ours.node_data(), theirs.node_data()
    assert (data is None) == (their_data is None)
    if data is not None:
        assert data[0] is their_data[0]
        if data[0] in (dict, tuple, list, type(None)):
            assert data[1] == their_data[1]
    values = [10.0 * (k + 1) for k in range(ours.num_leaves)]
    _leaves_equal(tree.leaves(ours.unflatten(values)), jax.tree.leaves(theirs.unflatten(values)))
    _leaves_equal(ours.flatten_up_to(example), theirs.flatten_up_to(example))


@pytest.mark.parametrize("mode", MODES)
def test_a_defaultdict_keeps_its_factory_as_jaxs(mode: str) -> None:
    """A defaultdict is a node whose aux data is its default_factory and keys: its structure,
    paths and map are JAX's, and its gradient is a defaultdict of the same factory."""
    params = collections.defaultdict(list, {"w": np.array([0.5, -1.5]), "b": 0.25})
    assert repr(tree.structure(params)) == repr(jax.tree.structure(params))
    assert tree.structure(params) != tree.structure(dict(params))
    assert [keystr(p) for p, _ in tree.leaves_with_path(params)] == [
        jax_keystr(p) for p, _ in jax.tree_util.tree_leaves_with_path(params)
    ]
    ours = ad.grad(lambda p: anp.sum(anp.tanh(p["w"]) * p["b"]), mode=mode)(params)
    theirs = jax.grad(lambda p: JNP.sum(JNP.tanh(p["w"]) * p["b"]))(params)
    assert type(ours) is collections.defaultdict and ours.default_factory is list
    assert_close(tree.leaves(ours), [np.asarray(x) for x in jax.tree.leaves(theirs)])


def test_flatten_up_to_takes_subtrees_at_the_leaves_and_refuses_other_structures() -> None:
    ours, theirs = tree.structure({"a": 0, "b": [0, 0]}), jax.tree.structure({"a": 0, "b": [0, 0]})
    deeper = {"a": (1.0, 2.0), "b": [{"c": 3.0}, None]}
    assert ours.flatten_up_to(deeper) == theirs.flatten_up_to(deeper)
    with pytest.raises(ValueError, match="does not have the structure"):
        ours.flatten_up_to({"a": 1.0})


def test_registered_nodes_flatten_as_jaxs() -> None:
    _leaves_equal(tree.leaves(MODEL), jax.tree.leaves(MODEL))
    rebuilt = tree.unflatten(tree.structure(MODEL), tree.leaves(MODEL))
    assert isinstance(rebuilt, Model) and rebuilt.layers[1].name == "out"
    _leaves_equal(tree.leaves(rebuilt), jax.tree.leaves(MODEL))
    renamed = Model([MODEL.layers[0], Linear(0.0, 0.0, "other")], MODEL.scale)
    assert tree.structure(renamed) != tree.structure(MODEL)  # aux data differs, as in JAX
    assert jax.tree.structure(renamed) != jax.tree.structure(MODEL)
    assert "CustomNode(Linear[in], [*, *])" in tree.describe(tree.structure(MODEL))


@pytest.mark.parametrize("mode", MODES)
def test_gradients_of_registered_nodes_match_jax(mode: str) -> None:
    ours = ad.grad(lambda p: model_loss(anp, p, INPUTS), mode=mode)(MODEL)
    theirs = jax.grad(lambda p: model_loss(JNP, p, INPUTS))(MODEL)
    assert isinstance(ours, Model) and isinstance(ours.scale, Pair)
    assert ours.layers[0].name == "in" and ours.activation == "tanh"
    assert_close(tree.leaves(ours), [np.asarray(x) for x in jax.tree.leaves(theirs)])
    per_example = ad.vmap(  # a prefix of the model's structure as in_axes
        ad.grad(lambda p, x: model_loss(anp, p, x)), in_axes=(None, 0)
    )(MODEL, INPUTS[:, None, :])
    expected = jax.vmap(jax.grad(lambda p, x: model_loss(JNP, p, x)), in_axes=(None, 0))(
        MODEL, INPUTS[:, None, :]
    )
    assert_close(tree.leaves(per_example), [np.asarray(x) for x in jax.tree.leaves(expected)])


def test_is_leaf_prefix_map_reduce_and_all_are_jaxs() -> None:
    is_pair = lambda x: isinstance(x, Pair)
    assert len(tree.leaves(MODEL, is_leaf=is_pair)) == len(jax.tree.leaves(MODEL, is_leaf=is_pair))
    assert tree.leaves(MODEL, is_leaf=is_pair)[-1] is MODEL.scale
    counts = tree.map(lambda x: np.size(x), MODEL, is_leaf=is_pair)
    expected = jax.tree.map(lambda x: np.size(x), MODEL, is_leaf=is_pair)
    assert tree.leaves(counts) == jax.tree.leaves(expected)
    prefix, full = ({"a": 1.0, "b": 2.0}, {"a": (3.0, 4.0), "b": [5.0]})
    got = tree.map(lambda p, sub: p * len(sub), prefix, full)
    assert got == jax.tree.map(lambda p, sub: p * len(sub), prefix, full) == {"a": 2.0, "b": 2.0}
    with pytest.raises(ValueError, match="tree 1 of rest has structure"):
        tree.map(lambda p, sub: p, full, prefix)
    add = lambda a, b: a + np.sum(b)
    assert tree.reduce(add, MODEL, 0.0) == jax.tree.reduce(add, MODEL, 0.0)
    assert tree.reduce(lambda a, b: a + b, [1.0, (2.0, 3.0)]) == 6.0
    assert tree.all([True, (1, {"x": 2.0})]) and not tree.all([True, (0, 1)])
    assert tree.all([True, (0, 1)]) == jax.tree.all([True, (0, 1)])


# ------------------------------------------------------------------ key paths
NAMED = collections.namedtuple("NAMED", "mean scale")
NESTED = {
    "z": [1.0, (2.0, None)],
    "a": NAMED(np.array([3.0]), {"y": 4.0, "x": 5.0}),
    "o": OrderedDict([("second", 6.0), ("first", 7.0)]),
    "model": MODEL,
}


def _path_texts(pairs: list) -> list[tuple[str, str, str]]:
    """Each (path, leaf) pair as JAX's texts: the keys' reprs, keystr, and keystr simple."""
    return [
        (repr(path), keystr(path), keystr(path, simple=True, separator="/")) for path, _ in pairs
    ]


def test_key_paths_are_jaxs() -> None:
    """Sequences by position, dicts by sorted key (an OrderedDict's in order), namedtuples and
    registered dataclasses by field name, other registered nodes by flat index; leaves, tree
    definitions and texts as JAX's, with ``is_leaf`` too."""
    pairs, treedef = tree.flatten_with_path(NESTED)
    jax_pairs, _ = jax.tree.flatten_with_path(NESTED)
    assert _path_texts(pairs) == [
        (repr(path), jax_keystr(path), jax_keystr(path, simple=True, separator="/"))
        for path, _ in jax_pairs
    ]
    _leaves_equal([leaf for _, leaf in pairs], [leaf for _, leaf in jax_pairs])
    assert treedef == tree.structure(NESTED)
    is_layer = lambda x: isinstance(x, Linear)
    assert _path_texts(tree.leaves_with_path(NESTED, is_leaf=is_layer)) == [
        (repr(path), jax_keystr(path), jax_keystr(path, simple=True, separator="/"))
        for path, _ in jax.tree.leaves_with_path(NESTED, is_leaf=is_layer)
    ]
    assert tree.leaves_with_path(2.0) == [((), 2.0)]


def test_map_with_path_masks_weight_decay_by_name() -> None:
    """Weight decay on the weights ``w`` only (a mask from parameter names, a common use), the
    gradients passed along as a second tree; and each leaf of the model replaced by its path's
    text: JAX's results."""

    def step(keystr_of: Any) -> Any:
        def update(path: Any, p: Any, g: Any) -> Any:
            decayed = keystr_of(path, simple=True, separator="/").split("/")[-1] == "w"
            return p - 0.1 * g - (0.01 * p if decayed else 0.0)

        return update

    params = {"dense": {"w": np.full((2, 2), 2.0), "b": np.full(2, 2.0)}, "out": [np.array(3.0)]}
    grads = tree.map(np.ones_like, params)
    ours = tree.map_with_path(step(keystr), params, grads)
    _leaves_equal(
        tree.leaves(ours), jax.tree.leaves(jax.tree.map_with_path(step(jax_keystr), params, grads))
    )
    assert ours["dense"]["w"][0, 0] != ours["dense"]["b"][0]  # the mask took
    ours = tree.map_with_path(lambda path, x: keystr(path), MODEL)
    assert tree.leaves(ours) == jax.tree.leaves(
        jax.tree.map_with_path(lambda path, x: jax_keystr(path), MODEL)
    )


def test_transpose_and_broadcast_are_jaxs() -> None:
    """A list of dicts into a dict of lists and back (the inner structure given or inferred), a
    mismatched inner structure refused; a prefix's leaves repeated over a full tree (with
    ``is_leaf`` stopping at the layers): JAX's results."""
    rows = [{"x": 1.0, "y": (2.0, 3.0)}, {"x": 4.0, "y": (5.0, 6.0)}, {"x": 7.0, "y": (8.0, 9.0)}]
    outer, inner = tree.structure([0] * 3), tree.structure(rows[0])
    columns = tree.transpose(outer, None, rows)
    assert columns == jax.tree.transpose(jax.tree.structure([0] * 3), None, rows)
    assert tree.transpose(inner, outer, columns) == rows
    with pytest.raises(TypeError, match="an inner tree has structure"):
        tree.transpose(outer, tree.structure({"x": 0}), rows)
    prefix = {"layers": 1.0, "scale": 0.5}
    _leaves_equal(
        tree.leaves(tree.broadcast(Model([2.0, 3.0], prefix["scale"]), MODEL)),
        jax.tree.leaves(jax.tree.broadcast(Model([2.0, 3.0], 0.5), MODEL)),
    )
    is_pair = lambda x: isinstance(x, list) and len(x) == 2 and x[0] == 7.0
    for prefix, full in (([7.0, 8.0], MODEL.layers), ([[7.0, 8.0], 9.0], [[1.0, 2.0], [3.0]])):
        ours = tree.broadcast(prefix, full, is_leaf=is_pair)
        theirs = jax.tree.broadcast(prefix, full, is_leaf=is_pair)
        _leaves_equal(tree.leaves(ours), jax.tree.leaves(theirs))


def test_registration_errors() -> None:
    with pytest.raises(ValueError, match="Duplicate custom PyTreeDef type registration"):
        tree.register_pytree_node(Linear, _flatten_linear, _unflatten_linear)
    with pytest.raises(ValueError, match="Duplicate custom PyTreeDef type registration"):
        tree.register_pytree_node(tuple, _flatten_linear, _unflatten_linear)
    with pytest.raises(TypeError, match="is not a dataclass; give data_fields"):
        tree.register_dataclass(type("Plain", (), {}))

    @dataclasses.dataclass
    class Half:
        a: float
        b: float

    with pytest.raises(ValueError, match=r"must partition Half's init fields \['a', 'b'\]"):
        tree.register_dataclass(Half, data_fields=["a"], meta_fields=[])
    with pytest.raises(TypeError, match="give both data_fields and meta_fields"):
        tree.register_dataclass(Half, data_fields=["a", "b"])


class _ConfigDict(OrderedDict):
    pass


class _Row(list):
    pass


class _Named(dict):
    pass


@pytest.mark.parametrize(
    "value",
    [_ConfigDict([("z", 1.0), ("a", 2.0)]), _Row([1.0, 2.0]), _Named(w=3.0), tree.structure([1.0])],
    ids=["OrderedDict subclass", "list subclass", "dict subclass", "a TreeDef"],
)
def test_subclasses_of_the_node_types_are_leaves_as_in_jax(value: Any) -> None:
    """Only the node types themselves (and namedtuples) are nodes: a subclass is one leaf,
    kept whole, so a TreeDef passes through a tree function (as has_aux output) unchanged."""
    nested = {"b": [value, 1.0], "a": (value,)}
    for fn in (lambda t: t.leaves(nested), lambda t: t.structure(nested).num_leaves):
        assert fn(tree) == fn(jax.tree)
    assert tree.map(lambda x: x, nested)["b"][0] is value
    (_, aux), _ = ad.value_and_grad(lambda x: (x * x, value), has_aux=True)(2.0)
    assert aux is value


def test_a_treedef_returned_as_aux_still_unflattens() -> None:
    def f(x: Any) -> tuple[Any, Any]:
        return anp.sum(x**2), tree.structure({"a": x, "b": x})

    (_, treedef), _ = ad.value_and_grad(f, has_aux=True)(np.ones(2))
    assert tree.unflatten(treedef, [1.0, 2.0]) == {"a": 1.0, "b": 2.0}


def test_a_registered_node_is_rebuilt_from_a_tuple_of_children_as_in_jax() -> None:
    class Pair:
        def __init__(self, children: Any) -> None:
            self.children = children

    tree.register_pytree_node(Pair, lambda p: (p.children, None), lambda _, c: Pair(c))
    jax.tree_util.register_pytree_node(Pair, lambda p: (p.children, None), lambda _, c: Pair(c))
    ours, theirs = (t.map(lambda x: x * 2, Pair([1.0, 2.0])) for t in (tree, jax.tree))
    assert type(ours.children) is type(theirs.children) is tuple
    assert ours.children == theirs.children


def test_dict_keys_that_do_not_compare_are_refused_as_in_jax() -> None:
    with pytest.raises(ValueError):
        jax.tree.leaves({1: 1.0, "a": 2.0})
    with pytest.raises(ValueError, match="comparable"):
        tree.leaves({1: 1.0, "a": 2.0})
