"""``admodes.nn`` against ``jax.nn``: values and gradients in both modes, second order, kinks by
hand, and stability at |x| = 1000 (no overflow, no nan, in value and in both modes' derivatives)."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, assert_close, assert_exact, assert_gradients_match_jax

import admodes as ad
import admodes.numpy as anp
from admodes import nn

MASK = np.array([[True, False, True, True], [False, True, True, False], [True] * 4])
SIGNS = np.array([[1.0, -2.0, 0.5, 1.0], [3.0, 1.0, -1.0, 0.0], [1.0, 1.0, 2.0, 1.0]])


def _pair(name: str, **kwargs: Any) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``admodes.nn.name`` and ``jax.nn.name`` with the same keyword arguments."""
    return partial(getattr(nn, name), **kwargs), partial(getattr(jax.nn, name), **kwargs)


FUNCTIONS = {
    "relu": _pair("relu"),
    "relu6": _pair("relu6"),
    "leaky_relu": _pair("leaky_relu", negative_slope=0.2),
    "elu": _pair("elu", alpha=1.5),
    "gelu-tanh": _pair("gelu"),
    "gelu-exact": _pair("gelu", approximate=False),
    "silu": _pair("silu"),
    "swish": _pair("swish"),
    "sigmoid": _pair("sigmoid"),
    "log_sigmoid": _pair("log_sigmoid"),
    "softplus": _pair("softplus"),
    "softmax": _pair("softmax"),
    "softmax-axis0": _pair("softmax", axis=0),
    "softmax-where": _pair("softmax", where=MASK),
    "log_softmax": _pair("log_softmax"),
    "log_softmax-axes": _pair("log_softmax", axis=(0, 1)),
    "log_softmax-where": _pair("log_softmax", where=MASK),
    "logsumexp": _pair("logsumexp"),
    "logsumexp-axis1-keepdims": _pair("logsumexp", axis=1, keepdims=True),
    "logsumexp-b": _pair("logsumexp", axis=0, b=np.abs(SIGNS)),
    "logsumexp-where": _pair("logsumexp", axis=1, where=MASK),
    "standardize": _pair("standardize"),
    "standardize-axis0": _pair("standardize", axis=0, epsilon=1e-3),
    "standardize-where": _pair("standardize", where=MASK),
    "standardize-stable": _pair("standardize", axis=0, algorithm="stable"),
    "celu": _pair("celu"),
    "celu-alpha": _pair("celu", alpha=1.5),
    "selu": _pair("selu"),
    "glu": _pair("glu"),
    "glu-axis0": _pair("glu", axis=0),
    "hard_tanh": _pair("hard_tanh"),
    "hard_sigmoid": _pair("hard_sigmoid"),
    "hard_silu": _pair("hard_silu"),
    "hard_swish": _pair("hard_swish"),
    "soft_sign": _pair("soft_sign"),
    "mish": _pair("mish"),
    "log1mexp": _pair("log1mexp"),
    "squareplus": _pair("squareplus"),
    "squareplus-b": _pair("squareplus", b=0.5),
    "sparse_plus": _pair("sparse_plus"),
    "sparse_sigmoid": _pair("sparse_sigmoid"),
    "logmeanexp": _pair("logmeanexp"),
    "logmeanexp-axis1-keepdims": _pair("logmeanexp", axis=1, keepdims=True),
    "logmeanexp-axes-where": _pair("logmeanexp", axis=(0, 1), where=MASK),
    "logmeanexp-where": _pair("logmeanexp", axis=1, where=MASK),
    "identity": _pair("identity"),
    "tanh": _pair("tanh"),
}

#: Compared with JAX op by op: compiled as one program, XLA's tanh is 1e-9 off at saturation.
UNFUSED = {"gelu-tanh"}

#: Special points among the inputs: every kink (0, ±1, ±3, 6), and ±1000.
X = np.array([[0.0, 6.0, -1.0, 1.0], [2.5, -0.7, 1000.0, -1000.0], [-3.0, 7.0, 0.1, 3.0]])
W = np.linspace(-1.0, 1.5, 12).reshape(3, 4)

#: Inputs other than X: ``log1mexp`` is defined for x ≥ 0 (both sides of its switch at log 2,
#: and 1000); ``glu`` along axis 0 needs an even length.
INPUTS = {"log1mexp": np.abs(X) + 0.05, "glu-axis0": X.T}


def _weighted(f: Callable[..., Any], xp: Any) -> Callable[..., Any]:
    """A scalar of f's output: ⟨W, f(x)⟩, or a weighted sum of an output of another shape (reduced,
    or halved by ``glu``); the -inf that ``where`` leaves in ``log_softmax`` count as 0."""

    def scalar(x: Any) -> Any:
        y = f(x)
        y = xp.where(xp.isfinite(y), y, 0.0)
        weights = W if np.shape(y) == W.shape else np.arange(1.0, 1 + y.size).reshape(np.shape(y))
        return xp.sum(y * weights)

    return scalar


@pytest.mark.slow
@pytest.mark.parametrize("name", FUNCTIONS)
def test_matches_jax(name: str) -> None:
    """Value and gradient, by each mode, equal JAX's (``grad``, ``jacfwd``) on inputs holding the
    kinks and ±1000; neither has a nan."""
    f_ad, f_jax = FUNCTIONS[name]
    x = INPUTS.get(name, X)
    scalar = _weighted(f_jax, jnp)
    reference = lambda x: (f_jax(x), scalar(x), jax.grad(scalar)(x), jax.jacfwd(scalar)(x))
    out, j_value, *j_grads = (reference if name in UNFUSED else jax.jit(reference))(x)
    assert_close(f_ad(x), out)
    for mode, expected in zip(MODES, j_grads, strict=True):
        value, grad = ad.value_and_grad(_weighted(f_ad, anp), mode=mode)(x)
        assert_close((value, grad), (j_value, expected))
        assert np.isfinite(value) and np.all(np.isfinite(grad)), mode


SECOND_ORDER = ["gelu-exact", "softplus", "log_softmax", "logsumexp-b", "standardize", "elu",
                "celu-alpha", "selu", "glu", "hard_tanh", "hard_sigmoid", "hard_silu", "soft_sign",
                "mish", "log1mexp", "squareplus", "sparse_plus", "sparse_sigmoid",
                "logmeanexp-where", "identity", "tanh"]  # fmt: skip


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_hessian_matches_jax(name: str) -> None:
    """Rules differentiate again: the Hessian (forward over reverse) equals JAX's."""
    f_ad, f_jax = FUNCTIONS[name]
    x = INPUTS.get(name, X) / 3.0
    hessian = ad.hessian(_weighted(lambda x: anp.sin(f_ad(x)), anp))(x)
    expected = jax.jit(jax.hessian(_weighted(lambda x: jnp.sin(f_jax(x)), jnp)))(x)
    assert_close(hessian, expected)


SELU_AT_0 = 1.0507009873554804934193349852946 * 1.6732632423543772848170429916717  # scale · alpha

KINKS = {  # f'(x) at its kinks, by hand
    "relu-at-0": (nn.relu, 0.0, 0.0),
    "relu6-at-0": (nn.relu6, 0.0, 0.0),
    "relu6-at-6": (nn.relu6, 6.0, 0.0),
    "relu6-inside": (nn.relu6, 3.0, 1.0),
    "leaky_relu-at-0": (nn.leaky_relu, 0.0, 1.0),
    "elu-at-0": (partial(nn.elu, alpha=2.0), 0.0, 2.0),
    "gelu-at-0": (nn.gelu, 0.0, 0.5),
    "gelu-exact-at-0": (partial(nn.gelu, approximate=False), 0.0, 0.5),
    "silu-at-0": (nn.silu, 0.0, 0.5),
    "sigmoid-at-0": (nn.sigmoid, 0.0, 0.25),
    "softplus-at-0": (nn.softplus, 0.0, 0.5),
    "log_sigmoid-at-0": (nn.log_sigmoid, 0.0, 0.5),
    "softplus-at-1000": (nn.softplus, 1000.0, 1.0),
    "softplus-at-minus-1000": (nn.softplus, -1000.0, 0.0),
    "log_sigmoid-at-minus-1000": (nn.log_sigmoid, -1000.0, 1.0),
    "sigmoid-at-1000": (nn.sigmoid, 1000.0, 0.0),
    "celu-at-0": (nn.celu, 0.0, 1.0),
    "celu-alpha-at-0": (partial(nn.celu, alpha=0.5), 0.0, 1.0),
    "selu-at-0": (nn.selu, 0.0, SELU_AT_0),
    "hard_tanh-at-minus-1": (nn.hard_tanh, -1.0, 1.0),
    "hard_tanh-at-1": (nn.hard_tanh, 1.0, 1.0),
    "hard_tanh-outside": (nn.hard_tanh, 1.5, 0.0),
    "hard_sigmoid-at-minus-3": (nn.hard_sigmoid, -3.0, 0.0),
    "hard_sigmoid-at-3": (nn.hard_sigmoid, 3.0, 0.0),
    "hard_sigmoid-inside": (nn.hard_sigmoid, 1.5, 1.0 / 6.0),
    "hard_silu-at-minus-3": (nn.hard_silu, -3.0, 0.0),
    "hard_silu-at-3": (nn.hard_silu, 3.0, 1.0),
    "hard_swish-at-3": (nn.hard_swish, 3.0, 1.0),
    "sparse_plus-at-minus-1": (nn.sparse_plus, -1.0, 0.0),
    "sparse_plus-at-1": (nn.sparse_plus, 1.0, 1.0),
    "sparse_sigmoid-at-minus-1": (nn.sparse_sigmoid, -1.0, 0.25),
    "sparse_sigmoid-at-1": (nn.sparse_sigmoid, 1.0, 0.25),
    "sparse_sigmoid-inside": (nn.sparse_sigmoid, 0.5, 0.5),
    "soft_sign-at-0": (nn.soft_sign, 0.0, 1.0),
    "squareplus-at-0": (nn.squareplus, 0.0, 0.5),
    "log1mexp-at-0": (nn.log1mexp, 0.0, np.inf),
    "log1mexp-at-log-2": (nn.log1mexp, np.log(2.0), 1.0),
    "log1mexp-at-1000": (nn.log1mexp, 1000.0, 0.0),
    "mish-at-minus-1000": (nn.mish, -1000.0, 0.0),
    "mish-at-1000": (nn.mish, 1000.0, 1.0),
}

SECOND_KINKS = {  # f''(x) at its kinks, by hand (JAX's: a tie in maximum or minimum halves it)
    "celu-at-0": (partial(nn.celu, alpha=2.0), 0.0, 0.125),
    "selu-at-0": (nn.selu, 0.0, SELU_AT_0),
    "sparse_plus-at-minus-1": (nn.sparse_plus, -1.0, 0.0),
    "sparse_plus-inside": (nn.sparse_plus, 0.0, 0.5),
    "sparse_plus-at-1": (nn.sparse_plus, 1.0, 0.0),
    "sparse_sigmoid-at-1": (nn.sparse_sigmoid, 1.0, 0.0),
    "hard_tanh-at-1": (nn.hard_tanh, 1.0, 0.0),
    "hard_silu-inside": (nn.hard_silu, 1.5, 1.0 / 3.0),
    "soft_sign-at-0": (nn.soft_sign, 0.0, -2.0),
    "squareplus-at-0": (nn.squareplus, 0.0, 0.25),
}


@pytest.mark.filterwarnings("ignore:divide by zero")  # log1mexp at 0: log(0)
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", KINKS)
def test_kink_by_hand(name: str, mode: str) -> None:
    f, x, expected = KINKS[name]
    assert ad.grad(f, mode=mode)(x) == expected


@pytest.mark.parametrize("name", SECOND_KINKS)
def test_second_derivative_at_kink_by_hand(name: str) -> None:
    f, x, expected = SECOND_KINKS[name]
    assert ad.hessian(f)(x) == expected


EDGES = np.array([0.0, 1e-300, 0.5, np.log(2.0), 1.0, 40.0, 1000.0, np.inf, -1.0])


@pytest.mark.parametrize("x", EDGES)
def test_log1mexp_at_its_edges_as_jax(x: float) -> None:
    """−inf at 0 with derivative inf (no nan from the branch not taken), 1/x near 0, both sides
    of the switch at log 2, −e⁻ˣ at 40 (no cancellation to 0), 0 at 1000 and inf, and outside the
    domain a nan value with JAX's derivative 1/(eˣ − 1)."""
    with np.errstate(divide="ignore", invalid="ignore"):
        value = nn.log1mexp(x)
        grads = [ad.grad(nn.log1mexp, mode=mode)(x) for mode in MODES]
    assert_close((value, *grads), (jax.nn.log1mexp(x), jax.grad(jax.nn.log1mexp)(x),
                                   jax.jacfwd(jax.nn.log1mexp)(x)))  # fmt: skip


def test_glu_needs_an_even_axis() -> None:
    with pytest.raises(ValueError, match="even"):
        nn.glu(X, axis=0)


def test_logmeanexp_of_nothing_is_nan() -> None:
    """A row the mask leaves empty: log(0/0), nan, as JAX."""
    where = np.array([[True, False], [False, False]])
    x = np.array([[1.0, 2.0], [3.0, -4.0]])
    with np.errstate(divide="ignore", invalid="ignore"):
        out = nn.logmeanexp(x, axis=1, where=where)
    assert_close(out, jax.nn.logmeanexp(x, axis=1, where=where))


def test_relu_of_nan_and_infinities_as_jax() -> None:
    """relu(nan) = nan with derivative 0 (JAX: max(x, 0) with derivative [x > 0])."""
    x = np.array([np.nan, np.inf, -np.inf, 0.0])
    for mode in MODES:
        value, grad = ad.value_and_grad(lambda x: anp.sum(nn.relu(x)), mode=mode)(x)
        assert_close((value, grad), jax.value_and_grad(lambda x: jnp.sum(jax.nn.relu(x)))(x))
    assert_close(nn.relu6(x), jax.nn.relu6(x))


def test_relu_drops_an_infinite_derivative_where_it_is_flat_as_jax() -> None:
    """relu′ selects (JAX's custom rule): an infinite cotangent or tangent reaching x ≤ 0 gives
    0, where multiplying it by relu′ = 0 would give nan."""
    x = np.array([-2.0, 0.0, 3.0])
    v = np.array([np.inf, -np.inf, np.inf])
    assert_close(ad.vjp(nn.relu, x)[1](v), jax.vjp(jax.nn.relu, x)[1](v))
    assert_close(ad.jvp(nn.relu, (x,), (v,)), jax.jvp(jax.nn.relu, (x,), (v,)))


PIECEWISE = ["hard_tanh", "hard_sigmoid", "hard_silu", "sparse_plus", "sparse_sigmoid", "celu",
             "selu", "soft_sign", "squareplus", "mish", "relu6"]  # fmt: skip


@pytest.mark.parametrize("name", PIECEWISE)
def test_nan_and_infinities_as_jax(name: str) -> None:
    """Values at nan and ±inf as JAX's, and derivatives by each mode as JAX's in that mode, also
    where the value is nan: hard_silu(−inf) = −inf · 0 has derivative 0 by reverse mode (relu6's
    select drops the −inf cotangent) and nan by forward mode (−inf times relu6's zero tangent)."""
    x = np.array([np.nan, np.inf, -np.inf, 0.0])
    with np.errstate(invalid="ignore"):
        assert_close(getattr(nn, name)(x), getattr(jax.nn, name)(x))
    for x in (np.inf, -np.inf, np.nan):
        for mode, derivative in zip(MODES, (jax.grad, jax.jacfwd), strict=True):
            with np.errstate(invalid="ignore"):
                grad = ad.grad(getattr(nn, name), mode=mode)(x)
            assert_close(grad, derivative(getattr(jax.nn, name))(x))


def test_small_values_keep_their_precision() -> None:
    """softplus(−50) ≈ 2·10⁻²² and log_sigmoid(50) ≈ −2·10⁻²²: no cancellation to 0."""
    x = np.array([-50.0, -745.0, 30.0])
    assert_close(nn.softplus(x), jax.nn.softplus(x))
    assert_close(nn.log_sigmoid(-x), jax.nn.log_sigmoid(-x))


@pytest.mark.slow
def test_logsumexp_return_sign() -> None:
    """With ``return_sign``, log|Σ b·eᵃ| and its sign; without, nan where the sum is negative."""
    a, b = X[:2], SIGNS[:2] - 1.5
    out, sign = nn.logsumexp(a, axis=1, b=b, return_sign=True)
    j_out, j_sign = jax.nn.logsumexp(a, axis=1, b=b, return_sign=True)
    assert_close((out, sign), (j_out, j_sign))
    assert_close(nn.logsumexp(a, axis=1, b=b), jax.nn.logsumexp(a, axis=1, b=b))
    grad = ad.grad(lambda a: anp.sum(nn.logsumexp(a, axis=1, b=b, return_sign=True)[0]))(a)
    assert_close(grad, jax.grad(lambda a: jax.nn.logsumexp(a, 1, b, return_sign=True)[0].sum())(a))


def test_logsumexp_where_drops_an_empty_lines_weights_as_jax() -> None:
    """Entries outside ``where`` drop out of the sum itself: a line it leaves empty is −inf, and
    no NaN reaches its weights b or its entries, by either mode (as JAX's, which sums with the
    mask; masking the entries to −inf alone gives b the NaN of 0 · ∞)."""
    mask = np.array([[True, False, True, True], [False] * 4, [True] * 4])
    pair = tuple(
        lambda a, b, lse=lse: lse(a, axis=1, b=b, where=mask)
        for lse in (nn.logsumexp, jax.nn.logsumexp)
    )
    assert_gradients_match_jax([pair], (X, np.abs(SIGNS)))


@pytest.mark.parametrize(
    "kwargs", [{}, {"axis": 0}, {"dtype": np.float32}, {"axis": 1}], ids=["default", "axis0",
                                                                          "float32", "axis1"]
)  # fmt: skip
def test_one_hot(kwargs: dict) -> None:
    """A plain array, as ``jax.nn.one_hot`` (out-of-range classes give a zero row)."""
    labels = np.array([[0, 2, 5], [1, 1, -1]])
    out = nn.one_hot(labels, 3, **kwargs)
    assert type(out) is np.ndarray
    assert_close(out, np.asarray(jax.nn.one_hot(labels, 3, **kwargs)))


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_of_a_line_with_infinite_entries_is_jaxs(name: str) -> None:
    """A +inf entry makes its line NaN (inf − inf, JAX's raw maximum; the modes disagreed when
    the shift was clipped to 0); a line of −inf is NaN; finite lines are kept. Reverse mode as
    jax.grad; forward mode as jax.jacfwd, whose every entry a NaN line's 0·NaN reaches."""
    x = np.array([[1.0, np.inf, 2.0], [1.0, -np.inf, 2.0], [-np.inf, -np.inf, -np.inf]])
    weights = np.arange(9.0).reshape(3, 3)
    ours, theirs = getattr(nn, name), getattr(jax.nn, name)
    with np.errstate(invalid="ignore"):
        assert_close(ours(x), np.asarray(theirs(x)))
        for mode, transform in (("reverse", jax.grad), ("forward", jax.jacfwd)):
            expected = np.asarray(transform(lambda x: jnp.sum(theirs(x) * weights))(x))
            got = ad.grad(lambda x: anp.sum(ours(x) * weights), mode=mode)(x)
            assert_close(got, expected)


def test_hard_tanh_of_integers_and_bools_keeps_their_dtype_as_jax() -> None:
    for x in (np.array([True, False]), np.array([-3, 0, 1, 2]), np.array([-3, 2], np.int32)):
        got, want = nn.hard_tanh(x), jax.nn.hard_tanh(x)
        assert_exact(got, np.asarray(want))
        assert np.asarray(got).dtype == want.dtype
