"""vmap against jax.vmap: in_axes, out_axes, keyword arguments, pytrees, nesting, derivatives
through it in both modes, and its errors."""

from __future__ import annotations

import itertools
import warnings
from collections.abc import Iterator
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close, assert_mapped, doubled, jax_or_ad, op_count

import admodes as ad
import admodes.numpy as anp
import admodes.scipy.linalg as admodes_scipy_linalg
import admodes.scipy.signal as admodes_scipy_signal
from admodes import coverage

RNG = np.random.default_rng(5)
W = RNG.standard_normal((3, 2))
X = RNG.standard_normal((4, 3))
Y = RNG.standard_normal((4, 2))


def loss(m: Any, w: Any, x: Any, y: Any) -> Any:
    return m.sum((m.tanh(x @ w) - y) ** 2)


@pytest.mark.parametrize("mode", MODES)
def test_per_example_gradients(mode: str) -> None:
    per_example = ad.vmap(ad.grad(lambda w, x, y: loss(anp, w, x, y), mode=mode), (None, 0, 0))
    expected = jax.vmap(jax.grad(lambda w, x, y: loss(JNP, w, x, y)), (None, 0, 0))(W, X, Y)
    assert_close(per_example(W, X, Y), expected)


def test_axes_keywords_pytrees_and_nesting() -> None:
    def tree_out(m: Any, x: Any, s: Any) -> dict:
        return {"outer": m.outer(x, x) * s, "sum": (m.sum(x), x[0])}

    assert_close(
        ad.vmap(lambda x, s: tree_out(anp, x, s), (0, None))(X, 2.0),
        jax.vmap(lambda x, s: tree_out(JNP, x, s), (0, None))(X, 2.0),
    )
    for in_axes, out_axes, xs, scale in (((1, None), 1, X.T, 2.0), (0, 2, X, np.full(4, 2.0))):
        assert_close(
            ad.vmap(lambda x, s: anp.outer(x, x) * s, in_axes, out_axes)(xs, scale),
            jax.vmap(lambda x, s: JNP.outer(x, x) * s, in_axes, out_axes)(xs, scale),
        )
    assert_close(  # keywords are mapped over axis 0
        ad.vmap(lambda x, *, y: anp.dot(x, y))(X, y=X),
        jax.vmap(lambda x, *, y: JNP.dot(x, y))(X, y=X),
    )
    assert_close(  # nested: a map over rows of a map over entries
        ad.vmap(ad.vmap(lambda v: anp.sin(v) * v))(X),
        jax.vmap(jax.vmap(lambda v: JNP.sin(v) * v))(X),
    )
    assert_close(ad.vmap(lambda: 1.5, axis_size=3)(), jax.vmap(lambda: 1.5, axis_size=3)())
    params = {"w": W, "b": (np.ones(2), X[:, :2])}  # a pytree prefix maps some leaves only
    spec = ({"w": None, "b": (None, 0)}, 0)
    assert_close(
        ad.vmap(lambda p, x: anp.tanh(x @ p["w"] + p["b"][0]) * p["b"][1], spec)(params, X),
        jax.vmap(lambda p, x: JNP.tanh(x @ p["w"] + p["b"][0]) * p["b"][1], spec)(params, X),
    )


@pytest.mark.parametrize("mode", MODES)
def test_derivatives_through_vmap(mode: str) -> None:
    def total(m: Any, vmap: Any, w: Any, x: Any) -> Any:
        return m.sum(vmap(lambda row: m.tanh(row @ w), (0,))(x) ** 2)

    assert_close(
        ad.grad(lambda w, x: total(anp, ad.vmap, w, x), argnums=(0, 1), mode=mode)(W, X),
        jax.grad(lambda w, x: total(JNP, jax.vmap, w, x), argnums=(0, 1))(W, X),
    )


def test_errors() -> None:
    with pytest.raises(ValueError, match=r"different sizes \[3, 4\]"):
        ad.vmap(lambda a, b: a + b)(np.ones(3), np.ones(4))
    with pytest.raises(ValueError, match="give axis_size"):
        ad.vmap(lambda a: a, in_axes=None)(np.ones(3))
    with pytest.raises(ValueError, match="one entry per positional argument"):
        ad.vmap(lambda a, b: a, in_axes=(0,))(np.ones(3), np.ones(3))
    with pytest.raises(ValueError, match="not a prefix of an argument of structure"):
        ad.vmap(lambda p: p["a"], in_axes=({"b": 0},))({"a": np.ones(3)})
    with pytest.raises(ValueError, match="out of range"):
        ad.vmap(lambda a: a, in_axes=1)(np.ones(3))


EMPTY = np.zeros((0, 3))
SQUARE = np.arange(9.0).reshape(3, 3) + np.eye(3)

EMPTY_BATCHES = {
    "reduction": (lambda m: lambda r: m.sum(r**2), 0, (EMPTY,)),
    "product with a shared matrix": (lambda m: lambda r: SQUARE @ r, 0, (EMPTY,)),
    "solve": (lambda m: lambda r: m.linalg.solve(SQUARE, r), 0, (EMPTY,)),
    "reverse gradient": (lambda m: jax_or_ad(m).grad(lambda r: m.sum(m.sin(r))), 0, (EMPTY,)),
    "forward Jacobian": (lambda m: jax_or_ad(m).jacfwd(m.tanh), 0, (EMPTY,)),
    "a shared scalar, axis 1": (lambda m: lambda r, c: (r * c, c), (1, None), (EMPTY.T, 2.0)),
}


@pytest.mark.parametrize("case", EMPTY_BATCHES)
def test_an_empty_batch_gives_empty_outputs(case: str) -> None:
    """vmap over an axis of size 0 (an empty last minibatch) gives outputs with an empty
    mapped axis, of the shapes and dtypes JAX's give; so does the gradient through it."""
    fun, in_axes, args = EMPTY_BATCHES[case]
    assert_close(ad.vmap(fun(anp), in_axes)(*args), jax.vmap(fun(JNP), in_axes)(*args))


def test_a_gradient_through_an_empty_batch_is_zero() -> None:
    def loss(m: Any) -> Any:
        return lambda w: m.sum(jax_or_ad(m).vmap(lambda r: m.sum((r * w) ** 2))(EMPTY))

    for mode in MODES:
        assert_close(ad.grad(loss(anp), mode=mode)(np.ones(3)), jax.grad(loss(JNP))(np.ones(3)))


def test_an_empty_batch_that_needs_calls_per_index_is_refused() -> None:
    """Python control flow on a mapped value needs a call per index; with none to make, the
    error says so (JAX refuses such a function on any batch)."""
    with pytest.raises(ValueError, match="mapped axis has size 0") as raised:
        ad.vmap(lambda r: r if r[0] > 0 else -r)(EMPTY)
    assert isinstance(raised.value.__cause__, ad.ConcretizationError)


# ------------------------------------------------------------------- one call on a batch
A3 = RNG.standard_normal((4, 3))
B23 = RNG.standard_normal((4, 2, 3))
C234 = RNG.standard_normal((4, 2, 3, 4))
V3 = RNG.standard_normal(3)
M23 = RNG.standard_normal((2, 3))
SPD = np.einsum("nij,nkj->nik", B23.transpose(0, 2, 1), B23.transpose(0, 2, 1)) + 3 * np.eye(3)

MAPPED_CASES = {
    # elementwise ops broadcast a shared value against each index's value
    "elementwise, shared vector": (
        lambda m: lambda x, y: m.sin(x) * y + x**2 - m.exp(-x) / (1 + y**2),
        (0, None),
        (A3, V3),
    ),
    "elementwise, shared value of higher rank": (
        lambda m: lambda x, y: m.arctan2(x, y) + m.maximum(x, y),
        (0, None),
        (A3, M23),
    ),
    "elementwise, both mapped, ranks differ": (
        lambda m: lambda x, y: m.power(m.abs(y) + 1, x) + m.logaddexp(x, y),
        (0, 0),
        (A3, B23),
    ),
    "where on a mapped condition": (
        lambda m: lambda x, y: m.where(x > 0, x, y),
        (0, None),
        (A3, V3),
    ),
    "reductions over axes": (
        lambda m: (
            lambda x: (
                m.sum(x, axis=0),
                m.max(x, axis=-1, keepdims=True),
                m.min(x),
                m.mean(x, axis=(0, 2)),
                m.var(x),
            )
        ),
        (0,),
        (C234,),
    ),
    "cumsum and sort": (
        lambda m: lambda x: (m.cumsum(x, axis=1), m.sort(x, axis=0), m.cumsum(x)),
        (0,),
        (C234,),
    ),
    "reshape, transpose, broadcast_to": (
        lambda m: (
            lambda x: (
                m.reshape(x, (4, 6)),
                x.T,
                m.transpose(x, (1, 0, 2)),
                m.broadcast_to(x[:, None], (2, 5, 3, 4)),
                m.moveaxis(x, 0, -1),
            )
        ),
        (0,),
        (C234,),
    ),
    "indexing": (
        lambda m: (
            lambda x: (
                x[1:, ::2],
                x[..., 0],
                x[None, 1],
                x[np.array([1, 0, 1])],
                x[np.array([0, 1]), :, np.array([3, 0])],
                x[:, np.array([2, 0]), np.array([1, 3])],
                x[x[..., 0] > 0, 1] if m is anp else None,
            )
        ),
        (0,),
        (C234,),
    ),
    "concatenate, stack, .at[] with shared values": (
        lambda m: (
            lambda x, y: (
                m.concatenate([x, y], axis=-1),
                m.stack([x, y, x]),
                m.stack([y, x], axis=-1),
                x.at[1, 0].add(y[0, 0]),
                x.at[:, 1].set(y[:, 1]),
            )
        ),
        (0, None),
        (B23, M23),
    ),
}
del MAPPED_CASES["indexing"]  # boolean masks have data-dependent shapes; see below


@pytest.mark.parametrize("case", sorted(MAPPED_CASES))
def test_ops_map_in_one_call(case: str) -> None:
    fun, in_axes, args = MAPPED_CASES[case]
    assert_mapped(fun, in_axes, args)


def test_indexing_maps_in_one_call() -> None:
    def index(m: Any) -> Any:
        return lambda x: (
            x[1:, ::2],
            x[..., 0],
            x[None, 1],
            x[np.array([1, 0, 1])],
            x[np.array([0, 1]), :, np.array([3, 0])],  # separated: NumPy moves the axes first
            x[:, np.array([2, 0]), np.array([1, 3])],
        )

    assert_mapped(index, (0,), (C234,))


MATMULS = [  # (a, b, in_axes): every pairing of vectors, matrices and stacks, mapped or shared
    (A3, RNG.standard_normal((3, 2)), (0, None)),
    (M23, A3, (None, 0)),
    (A3, A3, (0, 0)),
    (B23, RNG.standard_normal((4, 3, 5)), (0, 0)),
    (B23, V3, (0, None)),
    (V3, RNG.standard_normal((4, 3, 2)), (None, 0)),
    (RNG.standard_normal((4, 5, 2, 3)), RNG.standard_normal((3, 4)), (0, None)),
    (RNG.standard_normal((5, 2, 3)), RNG.standard_normal((4, 3, 4)), (None, 0)),
    (B23, RNG.standard_normal((5, 3, 2)), (0, None)),
    (A3, V3, (0, None)),  # a vector per index against a shared vector, each way
    (V3, A3, (None, 0)),
    (RNG.standard_normal((4, 2, 3)), V3, (0, None)),
    (RNG.standard_normal((4, 5, 2, 3)), V3, (0, None)),
]


@pytest.mark.parametrize("k", range(len(MATMULS)))
def test_matmul_maps_in_one_call(k: int) -> None:
    a, b, in_axes = MATMULS[k]
    assert_mapped(lambda m: lambda x, y: x @ y, in_axes, (a, b))


MATMUL_SHAPES = [(3,), (2, 3), (5, 2, 3)], [(3,), (3, 4), (5, 3, 4)]


@pytest.mark.parametrize("in_axes", [(0, None), (None, 0), (0, 0)])
@pytest.mark.parametrize("a_shape", MATMUL_SHAPES[0])
@pytest.mark.parametrize("b_shape", MATMUL_SHAPES[1])
def test_matmul_of_every_rank_pairing(a_shape: tuple, b_shape: tuple, in_axes: tuple) -> None:
    """Vectors, matrices and stacks on either side, mapped or shared, and per-example
    gradients through the product, against JAX."""
    a, b = (
        RNG.standard_normal((4, *s)) if ax == 0 else RNG.standard_normal(s)
        for s, ax in zip((a_shape, b_shape), in_axes, strict=True)
    )
    assert_mapped(lambda m: lambda x, y: x @ y, in_axes, (a, b))

    def squares(m: Any, grad: Any) -> Any:
        return grad(lambda x, y: m.sum((x @ y) ** 2), (0, 1))

    expected = jax.vmap(squares(JNP, jax.grad), in_axes)(a, b)
    assert_close(ad.vmap(squares(anp, ad.grad), in_axes)(a, b), expected)


def test_einsum_maps_in_one_call() -> None:
    assert_mapped(lambda m: lambda x, y: m.einsum("i,i->", x, y), (0, 0), (A3, A3))
    assert_mapped(lambda m: lambda x, y: m.einsum("...j,jk", x, y), (0, None), (B23, M23.T))
    assert_mapped(lambda m: lambda x, y: m.einsum("ij,kj->ik", x, y), (None, 0), (M23, B23))


def test_linear_algebra_maps_in_one_call() -> None:
    def decompositions(m: Any) -> Any:
        return lambda a: (
            m.linalg.inv(a),
            m.linalg.det(a),
            m.linalg.cholesky(a),
            m.linalg.eigvalsh(a),
            m.linalg.svd(a, compute_uv=False),
        )

    assert_mapped(decompositions, (0,), (SPD,))
    assert_mapped(lambda m: lambda a, b: m.linalg.solve(a, b), (0, None), (SPD, V3))
    assert_mapped(lambda m: lambda a, b: m.linalg.solve(a, b), (None, 0), (SPD[0], A3))
    assert_mapped(
        lambda m: lambda a, b: m.linalg.solve(a, b), (0, 0), (SPD, B23.transpose(0, 2, 1))
    )
    # a shared stack of systems against each index's matrix: the stacks broadcast
    assert_mapped(lambda m: lambda a, b: m.linalg.solve(a, b), (0, None), (SPD, C234[0]))


def test_more_linear_algebra_maps_in_one_call() -> None:
    def factors(m: Any) -> Any:
        scipy_linalg = admodes_scipy_linalg if m is anp else jax.scipy.linalg
        return lambda a: (
            *m.linalg.qr(a),
            m.linalg.qr(a[:, :2], mode="complete")[0] @ m.linalg.qr(a[:, :2], mode="complete")[1],
            m.linalg.pinv(a[:2]),
            m.sort(m.real(m.linalg.eigvals(a))),
            scipy_linalg.expm(a * 0.3),
            scipy_linalg.solve_triangular(a, a[0], lower=True),
        )

    assert_mapped(factors, (0,), (SPD,))


def test_eig_of_mapped_numbers_runs_in_one_call() -> None:
    """eig refuses a differentiable input (no derivative of its vectors, as JAX), but a value
    vmap maps without derivatives is decomposed index by index in the one call: NumPy's values
    and vectors at each index (stacked as a loop's results are: complex if any index's are)."""
    general = np.random.default_rng(7).standard_normal((4, 3, 3))
    w, v = ad.vmap(anp.linalg.eig)(general)
    for k, a in enumerate(general):
        assert_close((w[k], v[k]), tuple(p.astype(w.dtype) for p in np.linalg.eig(a)))
    assert op_count(ad.vmap(anp.linalg.eig), (general,)) == op_count(
        ad.vmap(anp.linalg.eig), doubled((general,), (0,))
    )
    with pytest.raises(NotImplementedError, match="eigenvectors of a non-symmetric matrix"):
        ad.vmap(ad.grad(lambda a: anp.sum(anp.real(anp.linalg.eig(a)[1]))))(general)


def test_fourier_transforms_map_in_one_call() -> None:
    def transforms(m: Any) -> Any:
        return lambda x, y: (
            m.fft.fft(x * y),
            m.fft.ifft(x, axis=0),
            m.fft.rfft(x, n=6),
            m.fft.irfft(m.fft.rfft(x)),
            m.fft.fft2(x),
            m.fft.rfftn(x),
        )

    assert_mapped(transforms, (0, None), (C234, RNG.standard_normal(4)))


@pytest.mark.parametrize("mode", MODES)
def test_gradients_through_mapped_fourier_and_factors(mode: str) -> None:
    def total(m: Any, transform: Any) -> Any:
        def per_example(a: Any) -> Any:
            q, r = m.linalg.qr(a)
            return m.sum(m.abs(m.fft.rfft(q @ r + m.linalg.pinv(a))) ** 2)

        return lambda a: m.sum(transform(per_example)(a))

    expected = jax.grad(total(JNP, jax.vmap))(SPD)
    assert_close(ad.grad(total(anp, ad.vmap), mode=mode)(SPD), expected)


def test_indices_that_vary_per_index_gather_in_one_call() -> None:
    """Integer index arrays computed per index (argmax, argsort, a mapped argument) gather from
    the stack, or from a value shared by every index, in one call."""
    table = RNG.standard_normal((7, 3))
    tokens = np.array([[0, 6, 2], [3, 3, 1], [5, 0, 4], [1, 2, 6]])

    def lookups(m: Any) -> Any:
        return (
            lambda x, t, w: (
                m.take(w, t, axis=0),  # an embedding lookup from a shared table
                m.take(w, t[0], axis=0) * x[t[1] % 3],  # a scalar index, from a stack too
                x[m.argsort(x)],
                x[m.argmax(x)] + m.take_along_axis(x, m.argsort(x)[::-1], axis=0),
                m.take(m.outer(x, x), t[:2] % 3, axis=1),  # an axis after a slice
                m.interp(x, m.sort(x) * 2.0, m.cumsum(m.abs(x))),
            )
        )

    assert_mapped(lookups, (0, 0, None), (A3, tokens, table))


@pytest.mark.parametrize("mode", MODES)
def test_updates_at_indices_that_vary_per_index(mode: str) -> None:
    """``x.at[i].set`` (the last of repeated writes wins), ``.add``, ``.min`` and ``.max`` at
    per-index integer arrays, in one call, and the gradient of the mapped function, as JAX's."""
    values = RNG.standard_normal((4, 3))
    at = np.array([[0, 2, 2], [1, 1, 1], [2, 0, 1], [1, 2, 0]])

    def updates(m: Any) -> Any:
        return lambda x, v, i: (
            x.at[i].set(v),
            x.at[i].add(v * 2.0),
            x.at[i[0]].set(v[1]),
            m.zeros(3).at[i[2]].set(1.0) * x,  # a one-hot vector
            m.zeros(3).at[i].set(v) + x,
            x.at[i].min(v),
            x.at[i].max(v * 3.0),
        )

    assert_mapped(updates, (0, 0, 0), (A3, values, at))
    for in_axes in ((0, 0, 0), (None, 0, 0)):  # x shared: traced by the gradient
        x = A3 if in_axes[0] == 0 else A3[0]

        def loss(m: Any, vmap: Any, in_axes: tuple = in_axes) -> Any:
            return lambda w, v: sum(
                m.sum(u**2 * np.arange(3.0)) for u in vmap(updates(m), in_axes)(w, v, at)
            )

        expected = jax.grad(loss(JNP, jax.vmap), (0, 1))(x, values)
        assert_close(ad.grad(loss(anp, ad.vmap), (0, 1), mode=mode)(x, values), expected)


@pytest.mark.parametrize("mode", MODES)
def test_products_at_indices_that_vary_per_index(mode: str) -> None:
    """``x.at[i].multiply`` at per-index integer arrays (repeated ones multiply every factor
    in): JAX's values in one call; its gradient (JAX has none for repeated indices) equals JAX's
    of the same product written exp(Σ log v) for positive factors."""
    factors = np.abs(RNG.standard_normal((4, 3))) + 0.5
    at = np.array([[0, 2, 2], [1, 1, 1], [2, 0, 1], [1, 2, 0]])
    assert_mapped(lambda m: lambda x, v, i: x.at[i].multiply(v), (0, 0, 0), (A3, factors, at))

    def product(x: Any, v: Any, i: Any) -> Any:
        return x * JNP.exp(JNP.zeros_like(x).at[i].add(JNP.log(v)))

    def loss(m: Any, vmap: Any, update: Any) -> Any:
        return lambda x, v: m.sum(m.sin(vmap(update)(x, v, at)))

    got = ad.grad(loss(anp, ad.vmap, lambda x, v, i: x.at[i].multiply(v)), (0, 1), mode=mode)
    assert_close(got(A3, factors), jax.grad(loss(JNP, jax.vmap, product), (0, 1))(A3, factors))


@pytest.mark.parametrize("mode", MODES)
def test_gradients_through_per_index_gathers(mode: str) -> None:
    """Per-example gradients of an embedding model: the table is shared, the tokens mapped."""
    table = RNG.standard_normal((7, 3))
    tokens = np.array([[0, 6, 2], [3, 3, 1], [5, 0, 4], [1, 2, 6]])

    def loss(m: Any) -> Any:
        return lambda w, t, y: m.sum((m.tanh(m.take(w, t, axis=0)) @ W - y[:2]) ** 2)

    per_example = ad.vmap(ad.grad(loss(anp), mode=mode), (None, 0, 0))
    expected = jax.vmap(jax.grad(loss(JNP)), (None, 0, 0))(table, tokens, Y)
    assert_close(per_example(table, tokens, Y), expected)
    assert op_count(per_example, (table, tokens, Y)) == op_count(
        per_example, (table, *doubled((tokens, Y), (0, 0)))
    )
    batch_loss = ad.grad(lambda w: anp.sum(ad.vmap(loss(anp), (None, 0, 0))(w, tokens, Y)))
    expected = jax.grad(lambda w: JNP.sum(jax.vmap(loss(JNP), (None, 0, 0))(w, tokens, Y)))
    assert_close(batch_loss(table), expected(table))


def test_convolutions_with_a_shared_operand_map_in_one_call() -> None:
    signals, kernel = RNG.standard_normal((4, 7)), RNG.standard_normal(3)
    images, patch = RNG.standard_normal((4, 5, 6)), RNG.standard_normal((2, 3))

    def signal_of(m: Any) -> Any:
        return admodes_scipy_signal if m is anp else jax.scipy.signal

    assert_mapped(lambda m: signal_of(m).convolve, (0, None), (signals, kernel))
    assert_mapped(lambda m: signal_of(m).convolve, (None, 0), (kernel, signals))
    assert_mapped(lambda m: signal_of(m).convolve2d, (0, None), (images, patch))
    assert_mapped(
        lambda m: lambda x, k: signal_of(m).correlate(x, k, mode="same"),
        (0, None),
        (signals, kernel),
    )


@pytest.mark.parametrize("mode", MODES)
def test_convolutions_of_two_stacks_map_in_one_call(mode: str) -> None:
    """Each index's signal with its own kernel (1-D, 2-D, complex, the smaller operand first or
    second): JAX's values in one call, and the gradient of the mapped function, as JAX's."""
    signals, kernels = RNG.standard_normal((4, 7)), RNG.standard_normal((4, 3))
    images, patches = RNG.standard_normal((4, 5, 6)), RNG.standard_normal((4, 2, 3))
    waves = signals + 1j * RNG.standard_normal((4, 7))

    def signal_of(m: Any) -> Any:
        return admodes_scipy_signal if m is anp else jax.scipy.signal

    cases = [
        (lambda m: signal_of(m).convolve, (signals, kernels)),
        (lambda m: signal_of(m).convolve, (kernels, signals)),
        (lambda m: lambda x, k: signal_of(m).correlate(x, k, mode="same"), (signals, kernels)),
        (lambda m: signal_of(m).convolve2d, (images, patches)),
        (lambda m: lambda x, k: signal_of(m).correlate2d(x, k, mode="valid"), (images, patches)),
        (lambda m: signal_of(m).convolve, (waves, kernels)),
    ]
    for fun, args in cases:
        assert_mapped(fun, (0, 0), args)
    for fun, args in cases[:-1]:

        def loss(m: Any, vmap: Any, fun: Any = fun) -> Any:
            return lambda x, k: m.sum(m.sin(vmap(fun(m))(x, k)))

        expected = jax.grad(loss(JNP, jax.vmap), (0, 1))(*args)
        assert_close(ad.grad(loss(anp, ad.vmap), (0, 1), mode=mode)(*args), expected)


def test_derivative_free_tests_and_sorts_map_in_one_call() -> None:
    def tests(m: Any) -> Any:
        return lambda x, y: (
            m.isclose(x, y, atol=0.5),
            m.isposinf(m.where(x > 0, np.inf, x)),
            m.isneginf(m.where(x > 0, -np.inf, x)),
            m.argsort(x),
            m.argsort(x, axis=0),
            m.argsort(x, axis=None),
        )

    assert_mapped(tests, (0, None), (B23, V3))


@pytest.mark.parametrize("mode", MODES)
def test_per_example_gradients_in_one_call(mode: str) -> None:
    def per_example(m: Any, grad: Any) -> Any:
        return grad(lambda w, x, y: loss(m, w, x, y))

    mapped = ad.vmap(per_example(anp, lambda f: ad.grad(f, mode=mode)), (None, 0, 0))
    assert_close(mapped(W, X, Y), jax.vmap(per_example(JNP, jax.grad), (None, 0, 0))(W, X, Y))
    assert op_count(mapped, (W, X, Y)) == op_count(mapped, (W, *doubled((X, Y), (0, 0))))


def test_jacobians_and_hessians_of_each_index_in_one_call() -> None:
    def f(m: Any) -> Any:
        return lambda x: m.sin(x) * m.sum(x**2) + m.tanh(x[::-1])

    def total(m: Any) -> Any:
        return lambda x: m.sum(f(m)(x))

    for mapped, expected in (
        (ad.vmap(ad.jacfwd(f(anp))), jax.vmap(jax.jacfwd(f(JNP)))),
        (ad.vmap(ad.jacrev(f(anp))), jax.vmap(jax.jacrev(f(JNP)))),
        (ad.vmap(ad.hessian(total(anp))), jax.vmap(jax.hessian(total(JNP)))),
    ):
        assert_close(mapped(A3), expected(A3))
        assert op_count(mapped, (A3,)) == op_count(mapped, doubled((A3,), (0,)))


def test_jvp_of_a_map_and_maps_nested() -> None:
    def f(m: Any) -> Any:
        return lambda x: m.tanh(x @ W) * m.sum(x)

    primal, tangent = ad.jvp(ad.vmap(f(anp)), (X,), (Y @ W.T,))
    expected = jax.jvp(jax.vmap(f(JNP)), (X,), (Y @ W.T,))
    assert_close((primal, tangent), expected)
    assert_mapped(
        lambda m: lambda x: jax_or_ad(m).vmap(f(m))(x),
        (0,),
        (C234[..., :3, :3].reshape(4, 2, 3, 3)[:, 0],),
    )


def test_ops_without_a_rule_map_once_per_index() -> None:
    mapped = ad.vmap(lambda x, y: anp.fft.fft(x * y).real, (0, None))
    assert_close(mapped(A3, V3), jax.vmap(lambda x, y: JNP.fft.fft(x * y).real, (0, None))(A3, V3))


def test_control_flow_on_mapped_values_calls_once_per_index() -> None:
    def piecewise(x: Any) -> Any:  # Python branches on each index's value: no single trace
        return x * 2.0 if x[0] > 0 else -(x**3)

    expected = np.stack([row * 2.0 if row[0] > 0 else -(row**3) for row in A3])
    assert_close(ad.vmap(piecewise)(A3), expected)
    assert_close(
        ad.vmap(ad.grad(lambda x: anp.sum(piecewise(x))))(A3),
        np.stack([np.full(3, 2.0) if row[0] > 0 else -3 * row**2 for row in A3]),
    )


def test_numbers_of_mapped_values_call_once_per_index() -> None:
    """float(), NumPy functions admodes has no rule for, and NumPy's own ufuncs get each index's
    plain values, as they did when vmap was a loop of calls."""
    assert_close(ad.vmap(lambda x: x * float(x[0]))(A3), A3 * A3[:, :1])
    assert_close(
        ad.vmap(lambda x: np.median(x) + anp.sin(x))(A3), np.median(A3, 1)[:, None] + np.sin(A3)
    )
    assert_close(ad.vmap(lambda x: np.sin(x) * 2.0)(A3), np.sin(A3) * 2.0)


def test_library_functions_that_read_numbers_map_in_one_call() -> None:
    """Softmax and logsumexp (a constant shift from the numbers), argmax, isfinite, comparisons
    and masks run once on the batch too."""

    def numbers(m: Any) -> Any:
        return lambda x, y: (
            jax_or_ad(m).nn.softmax(x),
            jax_or_ad(m).nn.log_softmax(x * y),
            jax_or_ad(m).nn.logsumexp(x),
            m.argmax(x),
            m.argmin(x, axis=0),
            m.isnan(m.where(x > 0, x, np.nan)),
            m.any(x > y),
            m.where(m.logical_and(x > 0, y > 0), x, m.zeros_like(x)),
        )

    assert_mapped(numbers, (0, None), (B23, V3))


@pytest.mark.parametrize("mode", MODES)
def test_per_example_cross_entropy_gradients_in_one_call(mode: str) -> None:
    labels = np.eye(2)[[0, 1, 1, 0]]

    def per_example(m: Any, grad: Any) -> Any:
        def cross_entropy(w: Any, x: Any, y: Any) -> Any:
            logits = jax_or_ad(m).nn.relu(x @ w) + m.where(x @ w > 0.5, 0.1, 0.0)
            return -m.sum(y * jax_or_ad(m).nn.log_softmax(logits))

        return grad(cross_entropy)

    mapped = ad.vmap(per_example(anp, lambda f: ad.grad(f, mode=mode)), (None, 0, 0))
    expected = jax.vmap(per_example(JNP, jax.grad), (None, 0, 0))(W, X, labels)
    assert_close(mapped(W, X, labels), expected)
    assert op_count(mapped, (W, X, labels)) == op_count(mapped, (W, *doubled((X, labels), (0, 0))))


def test_out_axes_pytrees_and_none() -> None:
    def f(m: Any) -> Any:
        return lambda x, w: {"a": m.sin(x) * w, "b": (w * 2.0, m.sum(x))}

    for out_axes in (-1, {"a": 1, "b": (None, 0)}, {"a": -2, "b": 0}):
        assert_close(
            ad.vmap(f(anp), (0, None), out_axes)(X, 1.5),
            jax.vmap(f(JNP), (0, None), out_axes)(X, 1.5),
        )
    with pytest.raises(ValueError, match="out_axes is None for output leaf 2, but it varies"):
        ad.vmap(f(anp), (0, None), {"a": 0, "b": None})(X, 1.5)
    with pytest.raises(ValueError, match="out_axes 1 is out of range"):
        ad.vmap(lambda x: anp.sum(x), out_axes=1)(X)
    with pytest.raises(ValueError, match=r"out_axes .* is not a prefix of the output"):
        ad.vmap(f(anp), (0, None), {"a": 0})(X, 1.5)

    def branching(x: Any, w: Any) -> Any:  # called once per index: the same out_axes apply
        return (x * w if x[0] > 0 else -x, w * 2.0)

    assert_close(
        ad.vmap(branching, (0, None), (1, None))(X, 1.5),
        (np.stack([r * 1.5 if r[0] > 0 else -r for r in X], axis=1), 3.0),
    )
    with pytest.raises(ValueError, match="out_axes is None for output leaf 0, but it varies"):
        ad.vmap(branching, (0, None), (None, 0))(X, 1.5)


# --------------------------------------- every namespace function: one call against a loop
def _nudged(primal: Any, i: int) -> Any:
    """The probe's input at index ``i`` of a batch of two: as it is, then moved a little."""
    return ad.tree.map(lambda a: a * 0.9 + 0.05 if i else a, primal)


def _batch(primal: Any) -> Any:
    return ad.tree.map(lambda a: np.stack([a, a * 0.9 + 0.05]), primal)


def _numeric_leaves(tree: Any) -> list[np.ndarray]:
    return [np.asarray(leaf) for leaf in ad.tree.leaves(tree)]


def _maps_like_a_loop(
    fun: Any, primals: tuple, mapped: Any = None, in_axes: tuple | None = None
) -> str | None:
    """None if ``mapped`` (default ``vmap(fun, in_axes)``) on a batch of two inputs equals
    ``fun`` at each; else what differs. ``in_axes``: 0 (the default for all) for an argument
    that differs per index, None for one shared. Inputs the function does not take, or numbers
    that are not finite, are not compared."""
    in_axes = in_axes or (0,) * len(primals)
    pairs = list(zip(primals, in_axes, strict=True))
    try:
        each = [
            _numeric_leaves(fun(*(p if ax is None else _nudged(p, i) for p, ax in pairs)))
            for i in (0, 1)
        ]
        want = [np.stack(pair) for pair in zip(*each, strict=True)]
    except Exception:  # the nudged input is not one the function takes
        return None
    if not all(w.dtype.kind in "biufc" and np.all(np.isfinite(w)) for w in want):
        return None
    try:
        batch = (p if ax is None else _batch(p) for p, ax in pairs)
        got = _numeric_leaves((mapped or ad.vmap(fun, in_axes))(*batch))
    except Exception as failure:
        return repr(failure)
    same = len(got) == len(want) and all(
        g.shape == w.shape and np.allclose(g, w, rtol=1e-10, atol=1e-13)
        for g, w in zip(got, want, strict=True)
    )
    return None if same else f"{[g.shape for g in got]} != {[w.shape for w in want]}"


def _probes() -> Any:
    """Each namespace function with a float argument, as a function of its float arguments: its
    name, the function, its example arguments, and the sum of its float outputs."""
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        for name, call in coverage.calls():
            primals = call.primals()
            if not primals:  # no float argument to map
                continue

            def total(*ps: Any, call: Any = call) -> Any:
                leaves = [
                    v
                    for v in ad.tree.leaves(call(*ps))
                    if not isinstance(v, np.dtype) and ad.core.dtype_of(v).kind in "fc"
                ]
                return anp.sum(anp.stack([anp.sum(anp.real(v)) for v in leaves]))

            yield name, call, primals, total


def test_every_namespace_function_maps_like_a_loop() -> None:
    """vmap of each public function of admodes' namespaces (values, and the gradient of their
    sum), and the gradient of that sum over the batch in both modes (a transform outside vmap
    carries its directions through the batching rules), equal the function called at each
    index: batching rules never change a number."""
    differ = {}
    for name, call, primals, total in _probes():
        every = tuple(range(len(primals)))
        for what, fun, mapped in (
            ("value", call, None),
            ("gradient", ad.grad(total, every), None),
            *(
                (
                    f"{mode} gradient of the map",
                    ad.grad(total, every, mode=mode),
                    ad.grad(lambda *b, t=total: anp.sum(ad.vmap(t)(*b)), every, mode=mode),
                )
                for mode in MODES
            ),
        ):
            with np.errstate(all="ignore"):
                failure = _maps_like_a_loop(fun, primals, mapped)
            if failure is not None:
                differ[f"{name} ({what})"] = failure
    assert not differ, differ


#: An example array argument as it is, or one rank lower: its first row, or its first column.
RANKS = {"as probed": lambda a: a, "row": lambda a: a[0], "column": lambda a: a[..., 0]}

#: How one argument is passed: its rank (a key of RANKS), and mapped (0) or shared (None).
LAYOUTS = tuple(itertools.product(RANKS, (0, None)))
AS_PROBED = ("as probed", 0)


def _layouts(n: int) -> Iterator[tuple[tuple[str, int | None], ...]]:
    """The layouts of n arguments, at least one mapped: every combination for up to three
    arguments; beyond, those that change at most two arguments from "as probed, mapped", so
    every pair of arguments still meets in every pair of layouts (4 arguments: 171 of 1,215)."""
    for layout in itertools.product(LAYOUTS, repeat=n):
        if n > 3 and sum(one != AS_PROBED for one in layout) > 2:
            continue
        if any(axis == 0 for _, axis in layout):
            yield layout


#: The functions of the lower-rank sweep are split among this many tests (every SHARDS-th
#: function each), so that the two test workers share the sweep's minute between them.
SHARDS = 4


@pytest.mark.slow
@pytest.mark.parametrize("shard", range(SHARDS))
def test_every_namespace_function_maps_with_shared_arguments_at_lower_ranks(shard: int) -> None:
    """Each function again, every array argument as probed or one rank lower (vectors beside
    matrices, scalars beside vectors), each mapped or shared by every index: its value and vmap
    of its gradient in both modes equal the function at each index."""
    differ = {}
    for k, (name, call, primals, total) in enumerate(_probes()):
        if k % SHARDS != shard or not all(isinstance(p, np.ndarray) for p in primals):
            continue
        every = tuple(range(len(primals)))
        for layout in _layouts(len(primals)):
            ranks = tuple(rank for rank, _ in layout)
            in_axes = tuple(axis for _, axis in layout)
            args = tuple(RANKS[r](p) if p.ndim else p for r, p in zip(ranks, primals, strict=True))
            for what, fun in (
                ("value", call),
                *((f"{mode} gradient", ad.grad(total, every, mode=mode)) for mode in MODES),
            ):
                with warnings.catch_warnings(), np.errstate(all="ignore"):
                    warnings.simplefilter("ignore")
                    failure = _maps_like_a_loop(fun, args, in_axes=in_axes)
                if failure is not None:
                    differ[f"{name} {ranks} {in_axes} ({what})"] = failure
    assert not differ, differ


def test_an_output_that_is_not_a_number_is_refused() -> None:
    """JAX's vmap refuses an output it cannot stack (here a function); stacking it in an array
    of objects would hand each index's closure a value of the finished call."""
    with pytest.raises(TypeError, match="output leaf 1 of the mapped function is a function"):
        ad.vmap(lambda x: (x, lambda g: g * x))(X)


def test_a_mapped_value_that_escapes_is_refused() -> None:
    escaped: list = []
    ad.vmap(lambda x: escaped.append(x) or x)(X)
    with pytest.raises(ad.UnexpectedTracerError, match="escaped the function"):
        anp.sin(escaped[0])
    with pytest.raises(ad.ConcretizationError, match="return the value from the mapped function"):
        bool(escaped[0] > 0)


@pytest.mark.parametrize("mode", MODES)
def test_a_call_per_index_gets_arrays_with_at_as_jax(mode: str) -> None:
    """Indices that differ per index with a mode= make vmap call the function once per index:
    each call's slices of a NumPy array still have .at (JAX's arrays do)."""
    x = np.random.default_rng(4).standard_normal((2, 5))
    index = np.array([[0, 9], [2, -7]])
    functions = [
        lambda v, i: v.at[i].add(1.5, mode="drop"),
        lambda v, i: v.at[i].get(mode="fill", fill_value=-1.0),
        lambda v, i: (v * 2.0).at[i].get(mode="clip"),
    ]
    for f in functions:
        assert_close(ad.vmap(f)(x, index), jax.vmap(f)(x, index))
        got = ad.grad(lambda v, f=f: anp.sum(ad.vmap(f)(v, index) ** 2), mode=mode)(x)
        assert_close(got, jax.grad(lambda v, f=f: JNP.sum(jax.vmap(f)(v, index) ** 2))(x))
