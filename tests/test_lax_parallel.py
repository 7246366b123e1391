"""The collectives of admodes.lax over a named vmap axis (psum, pmean, pmax, pmin, all_gather,
psum_scatter, ppermute, axis_index, axis_size) against jax.lax's under jax.vmap: values, and
derivatives taken inside the mapped function (grad, jvp, jacfwd, hessian: JAX's transposes,
psum's is psum) and outside it (grad, jacfwd, jacrev of the mapped function), nested named
vmaps, tuples of names, pytrees; and the errors of an unbound name or a function vmap has to call
once per index.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, assert_close, doubled, jax_or_ad, op_count

import admodes as ad
import admodes.numpy as anp

RNG = np.random.default_rng(20261203)
X = RNG.standard_normal((4, 3))  # 4 indices, a vector of 3 at each
SQUARE = RNG.standard_normal((4, 4, 2))  # at each index, 4 rows (the axis size) of 2
CYCLE = [(0, 1), (1, 2), (2, 3), (3, 0)]

# fn(m, x): one index's value, for m = admodes.numpy or jax.numpy (T: its transforms).
COLLECTIVES: dict[str, tuple[Callable[..., Any], np.ndarray]] = {
    "psum": (lambda m, x: jax_or_ad(m).lax.psum(x, "i"), X),
    "pmean": (lambda m, x: jax_or_ad(m).lax.pmean(m.sin(x), "i"), X),
    "pmax": (lambda m, x: jax_or_ad(m).lax.pmax(x, "i"), X),
    "pmin": (lambda m, x: jax_or_ad(m).lax.pmin(x, "i"), X),
    "all_gather": (lambda m, x: jax_or_ad(m).lax.all_gather(x * x, "i"), X),
    "all_gather-axis1": (lambda m, x: jax_or_ad(m).lax.all_gather(x, "i", axis=1), SQUARE),
    "all_gather-tiled": (lambda m, x: jax_or_ad(m).lax.all_gather(x, "i", tiled=True), SQUARE),
    "all_gather-axis-1-tiled": (
        lambda m, x: jax_or_ad(m).lax.all_gather(x, "i", axis=-1, tiled=True),
        SQUARE,
    ),
    "psum_scatter": (lambda m, x: jax_or_ad(m).lax.psum_scatter(m.exp(x), "i"), SQUARE),
    "psum_scatter-dim1-tiled": (
        lambda m, x: jax_or_ad(m).lax.psum_scatter(x, "i", scatter_dimension=1, tiled=True),
        RNG.standard_normal((4, 3, 8)),
    ),
    "ppermute": (lambda m, x: jax_or_ad(m).lax.ppermute(m.tanh(x), "i", CYCLE), X),
    "pshuffle": (lambda m, x: jax_or_ad(m).lax.pshuffle(x * x, "i", [2, 0, 3, 1]), X),
    "all_to_all": (lambda m, x: jax_or_ad(m).lax.all_to_all(m.sin(x), "i", 0, 1), SQUARE),
    "all_to_all-tiled": (
        lambda m, x: jax_or_ad(m).lax.all_to_all(x, "i", 1, 0, tiled=True),
        RNG.standard_normal((4, 3, 8)),
    ),
    "pswapaxes": (lambda m, x: jax_or_ad(m).lax.pswapaxes(x, "i", 0), SQUARE),
    "axis_index": (lambda m, x: x * jax_or_ad(m).lax.axis_index("i"), X),
    "axis_size": (lambda m, x: x * jax_or_ad(m).lax.axis_size("i"), X),
    "psum-pytree": (
        lambda m, x: jax_or_ad(m).lax.psum({"a": x, "b": (2.0 * x, x[0])}, "i"),
        X,
    ),
    "batch-norm": (
        lambda m, x: (
            (x - jax_or_ad(m).lax.pmean(x, "i"))
            / m.sqrt(jax_or_ad(m).lax.pmean((x - jax_or_ad(m).lax.pmean(x, "i")) ** 2, "i") + 1e-5)
        ),
        X,
    ),
    # A value that does not vary along the axis: counted once per index.
    "psum-shared": (lambda m, x: x + jax_or_ad(m).lax.psum(m.cos(x[0] * 0.0 + 1.5), "i"), X),
    "psum-constant": (lambda m, x: x * jax_or_ad(m).lax.psum(2.0, "i"), X),
    "all_gather-shared": (lambda m, x: x + jax_or_ad(m).lax.all_gather(1.5, "i"), X[:, :1]),
}

#: Functions whose arguments are made for 4 indices (a permutation, a length of 4 to scatter).
FOR_FOUR_INDICES = {
    "ppermute",
    "pshuffle",
    "psum_scatter",
    "psum_scatter-dim1-tiled",
    "all_to_all",
    "all_to_all-tiled",
    "pswapaxes",
}

#: Collectives whose derivatives JAX 0.10 gets wrong inside vmap (it raises: a cotangent of the
#: wrong shape, a buffer of the wrong size); their reference is JAX's derivative from outside.
JAX_FAILS_INSIDE = {"all_to_all", "all_to_all-tiled", "pswapaxes"}

#: Functions that JAX cannot differentiate (pmax, pmin: no rule in JAX; see the tests below).
NOT_IN_JAX_DERIVATIVES = {"pmax", "pmin"}


def mapped(m: Any, fn: Callable[..., Any], **kw: Any) -> Callable[..., Any]:
    return jax_or_ad(m).vmap(lambda x: fn(m, x), axis_name="i", **kw)


def scalar_total(m: Any, fn: Callable[..., Any]) -> Callable[..., Any]:
    """One index's scalar: the weighted sum of the leaves of fn's value."""

    def total(x: Any) -> Any:
        leaves = jax.tree_util.tree_leaves(fn(m, x))
        return sum(m.sum(m.sin(leaf) * (k + 1.0)) for k, leaf in enumerate(leaves))

    return total


@pytest.mark.parametrize("name", sorted(COLLECTIVES))
def test_values_equal_jax_in_one_call(name: str) -> None:
    fn, x = COLLECTIVES[name]
    assert_close(mapped(anp, fn)(x), mapped(JNP, fn)(x))
    if name in FOR_FOUR_INDICES:
        return
    # One call on the batch: as many ops for twice the batch.
    assert op_count(mapped(anp, fn), (x,)) == op_count(mapped(anp, fn), doubled((x,), (0,)))


@pytest.mark.parametrize("name", sorted(set(COLLECTIVES) - NOT_IN_JAX_DERIVATIVES))
@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_gradient_inside_the_map_equals_jax(name: str, mode: str) -> None:
    """vmap(grad(f)) in reverse mode is JAX's grad: its transposes (psum's is psum) give the
    gradient of Σᵢ f at each i, as grad of the mapped sum does outside the map. In forward mode
    it is JAX's jacfwd: the tangent perturbs every index at once."""
    fn, x = COLLECTIVES[name]
    got = ad.vmap(ad.grad(scalar_total(anp, fn), mode=mode), axis_name="i")(x)
    if name in JAX_FAILS_INSIDE:  # the same numbers from outside the map
        totals = jax.vmap(scalar_total(JNP, fn), axis_name="i")
        if mode == "reverse":
            want = jax.grad(lambda xs: JNP.sum(totals(xs)))(x)
        else:  # ∂fᵢ/∂x with every index's x moved at once: Σⱼ ∂fᵢ/∂xⱼ
            want = JNP.sum(jax.jacfwd(totals)(x), axis=1)
    else:
        jax_grad = jax.grad if mode == "reverse" else jax.jacfwd
        want = jax.vmap(jax_grad(scalar_total(JNP, fn)), axis_name="i")(x)
    assert_close(got, want)
    if mode == "reverse":
        outside = ad.grad(lambda xs: anp.sum(ad.vmap(scalar_total(anp, fn), axis_name="i")(xs)))
        assert_close(outside(x), want)


@pytest.mark.parametrize("name", sorted(set(COLLECTIVES) - NOT_IN_JAX_DERIVATIVES))
def test_jacobians_of_the_map_equal_jax(name: str) -> None:
    fn, x = COLLECTIVES[name]
    total = scalar_total(anp, fn)
    want = jax.jacfwd(jax.vmap(scalar_total(JNP, fn), axis_name="i"))(x)
    assert_close(ad.jacfwd(ad.vmap(total, axis_name="i"))(x), want)
    assert_close(ad.jacrev(ad.vmap(total, axis_name="i"))(x), want)


@pytest.mark.parametrize("name", ["psum", "pmean", "all_gather", "psum_scatter", "ppermute"])
def test_jvp_and_hessian_inside_the_map_equal_jax(name: str) -> None:
    fn, x = COLLECTIVES[name]
    t = RNG.standard_normal(x.shape[1:])

    def jvp_at(m: Any) -> Callable[..., Any]:
        T = jax_or_ad(m)
        return T.vmap(lambda xi: T.jvp(lambda v: fn(m, v), (xi,), (t,)), axis_name="i")

    assert_close(jvp_at(anp)(x), jvp_at(JNP)(x))
    got = ad.vmap(ad.hessian(scalar_total(anp, fn)), axis_name="i")(x)
    assert_close(got, jax.vmap(jax.hessian(scalar_total(JNP, fn)), axis_name="i")(x))


@pytest.mark.parametrize("reduce", ["pmax", "pmin"])
def test_pmax_and_pmin_differentiate_as_max_of_the_gathered_values(reduce: str) -> None:
    """JAX has no derivative for pmax/pmin; admodes' is that of max (min) of all_gather."""
    x = np.array([[0.3, 2.0], [1.5, 2.0], [-0.2, 0.7]])  # a tie in the second column

    def jax_formulation(xi: Any) -> Any:
        gathered = jax.lax.all_gather(xi, "i")
        return JNP.sum(JNP.sin(getattr(JNP, reduce[1:])(gathered, axis=0)) * xi)

    def ours(xi: Any) -> Any:
        return anp.sum(anp.sin(getattr(ad.lax, reduce)(xi, "i")) * xi)

    for mode, jax_grad in (("reverse", jax.grad), ("forward", jax.jacfwd)):
        want = jax.vmap(jax_grad(jax_formulation), axis_name="i")(x)
        assert_close(ad.vmap(ad.grad(ours, mode=mode), axis_name="i")(x), want)


def test_nested_named_maps_and_tuples_of_names() -> None:
    x = RNG.standard_normal((2, 3, 4))

    def fn(m: Any) -> Callable[..., Any]:
        lax = jax_or_ad(m).lax

        def inner(v: Any) -> Any:
            return (
                lax.psum(v, "outer") * lax.pmean(v, "inner")
                + lax.psum(m.sin(v), ("outer", "inner"))
                + lax.axis_index(("outer", "inner")) * lax.axis_size(("outer", "inner"))
                + m.sum(lax.all_gather(v, "outer"), axis=0) * lax.axis_index("inner")
            )

        T = jax_or_ad(m)
        return T.vmap(T.vmap(inner, axis_name="inner"), axis_name="outer")

    assert_close(fn(anp)(x), fn(JNP)(x))
    want = jax.grad(lambda a: JNP.sum(JNP.sin(fn(JNP)(a))))(x)
    for mode in ("reverse", "forward"):
        got = ad.grad(lambda a: anp.sum(anp.sin(fn(anp)(a))), mode=mode)(x)
        assert_close(got, want)


def test_the_inner_name_shadows_an_outer_one() -> None:
    x = RNG.standard_normal((2, 3))
    for T in (ad, jax):
        inner = T.vmap(lambda v, T=T: T.lax.psum(v, "i"), axis_name="i")
        got = T.vmap(inner, axis_name="i")(x)
        assert_close(np.asarray(got), np.repeat(x.sum(axis=1, keepdims=True), 3, axis=1))


def test_an_unvarying_output_may_be_returned_once() -> None:
    got = ad.vmap(lambda v: ad.lax.psum(v, "i"), axis_name="i", out_axes=None)(X)
    assert_close(got, jax.vmap(lambda v: jax.lax.psum(v, "i"), axis_name="i", out_axes=None)(X))


def test_integer_values_keep_their_dtype() -> None:
    n = np.arange(4)
    for fn in (lambda T, v: T.lax.psum(v, "i"), lambda T, v: T.lax.pmean(v, "i")):
        got = ad.vmap(lambda v, fn=fn: fn(ad, v), axis_name="i")(n)
        assert_close(got, jax.vmap(lambda v, fn=fn: fn(jax, v), axis_name="i")(n))
    idx = ad.vmap(lambda v: ad.lax.axis_index("i"), axis_name="i")(X)
    assert_close(idx, jax.vmap(lambda v: jax.lax.axis_index("i"), axis_name="i")(X))


def test_ppermute_with_indices_that_receive_nothing_gives_them_zeros() -> None:
    """JAX's vmap needs a whole permutation; a partial one gives zeros where nothing arrives
    (as ppermute does under JAX's other parallel transforms). By hand: index 1 gets x₀, index 2
    gets x₁, indices 0 and 3 get zeros."""
    perm = [(0, 1), (1, 2)]
    got = ad.vmap(lambda v: ad.lax.ppermute(v, "i", perm), axis_name="i")(X)
    assert_close(got, np.stack([np.zeros(3), X[0], X[1], np.zeros(3)]))
    # Its gradient sends the cotangents back: x₀ and x₁ get index 1's and 2's, x₂ and x₃ none.
    weights = RNG.standard_normal((4, 3))
    sent = ad.vmap(lambda v: ad.lax.ppermute(v, "i", perm), axis_name="i")
    g = ad.grad(lambda xs: anp.sum(sent(xs) * weights))(X)
    assert_close(g, np.stack([weights[1], weights[2], np.zeros(3), np.zeros(3)]))


def test_jvp_and_vjp_inside_vmap_run_in_one_call() -> None:
    """jvp's and vjp's argument checks read dtypes, not numbers: no call per index."""
    t = RNG.standard_normal(3)
    f = ad.vmap(lambda v: ad.jvp(anp.sin, (v,), (t,)))
    assert_close(f(X), jax.vmap(lambda v: jax.jvp(JNP.sin, (v,), (t,)))(X))
    assert op_count(f, (X,)) == op_count(f, doubled((X,), (0,)))
    g = ad.vmap(lambda v: ad.vjp(anp.sin, v)[1](t))
    assert_close(g(X), jax.vmap(lambda v: jax.vjp(JNP.sin, v)[1](t))(X))
    assert op_count(g, (X,)) == op_count(g, doubled((X,), (0,)))


# ---------------------------------------------------------------------------- errors
def test_an_unbound_axis_name_is_a_name_error() -> None:
    with pytest.raises(NameError, match=r"unbound axis name: 'i'.*axis_name='i'"):
        ad.lax.psum(1.0, "i")
    with pytest.raises(NameError, match="unbound axis name: 'k'"):
        ad.vmap(lambda v: ad.lax.psum(v, "k"), axis_name="i")(X)
    with pytest.raises(NameError, match="unbound axis name"):
        ad.vmap(lambda v: ad.lax.axis_index("i"))(X)  # an unnamed vmap binds no name


def test_a_collective_in_a_function_vmap_calls_per_index_names_the_cause() -> None:
    def branchy(v: Any) -> Any:
        s = ad.lax.psum(v, "i")
        return s if v[0] > 0 else -s  # Python control flow on a mapped value

    with pytest.raises(ValueError, match=r"once per index.*ConcretizationError"):
        ad.vmap(branchy, axis_name="i")(X)


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="sends from an index twice or to an index twice"):
        ad.vmap(lambda v: ad.lax.ppermute(v, "i", [(0, 1), (0, 2)]), axis_name="i")(X)
    with pytest.raises(ValueError, match=r"pairs of indices in \[0, 4\)"):
        ad.vmap(lambda v: ad.lax.ppermute(v, "i", [(0, 4)]), axis_name="i")(X)
    with pytest.raises(ValueError, match="length 3, which must equal the size 4"):
        ad.vmap(lambda v: ad.lax.psum_scatter(v, "i"), axis_name="i")(X)
    with pytest.raises(NotImplementedError, match="axis_index_groups"):
        ad.vmap(lambda v: ad.lax.psum(v, "i", axis_index_groups=[[0, 1]]), axis_name="i")(X)


def test_a_genuine_error_of_the_single_call_is_raised_as_it_is() -> None:
    """A bad argument fails the single call; the calls per index then meet the collective, which
    raises that first error itself rather than one about calling per index."""
    with pytest.raises(ValueError, match="split_axis 0 has length 3, which must be a multiple of"):
        ad.vmap(lambda v: ad.lax.all_to_all(v, "i", 0, 0, tiled=True), axis_name="i")(X)
