"""admodes.lax's convolutions and windowed reductions against jax.lax: values in float64, the
gradients in both inputs by both modes, second order, JAX's conventions (layouts, padding strings,
transposed kernels, the patches' channel order, max-pool ties) and the errors.

Each test function body is written once, ``f(m, ...)``, for ``m`` = admodes (:data:`AD`) and
``jax.lax``; one ``assert_gradients_match_jax`` call (one JAX compile) checks a batch of cases."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close, assert_gradients_match_jax, jax_compiled

import admodes as ad
import admodes.numpy as anp
from admodes.lax import convolution

#: admodes' side under jax.lax's names: this module's functions and the reductions lax names.
AD = SimpleNamespace(
    **{name: getattr(convolution, name) for name in convolution.__all__},
    add=anp.add,
    max=anp.maximum,
    min=anp.minimum,
    mul=anp.multiply,
)
NHWC = ("NHWC", "HWIO", "NHWC")
RNG = np.random.default_rng(7)

Pair = tuple[Callable[..., Any], Callable[..., Any]]


def both(fn: Callable[..., Any]) -> Pair:
    """``fn(m, *args)`` bound to admodes and to jax.lax."""
    return partial(fn, AD), partial(fn, jax.lax)


def op(name: str, **kwargs: Any) -> Pair:
    """``lax.<name>(*args, **kwargs)``, admodes' and JAX's."""
    return both(lambda m, *args: getattr(m, name)(*args, **kwargs))


def normal(*shape: int) -> np.ndarray:
    return RNG.standard_normal(shape)


# --------------------------------------------------------------------------- convolutions
CONV_GROUPS = {
    "1-D": (
        (normal(2, 3, 11), normal(4, 3, 3)),
        [
            dict(window_strides=(1,), padding="VALID"),
            dict(window_strides=(2,), padding="SAME"),
            dict(window_strides=(1,), padding="SAME_LOWER", rhs_dilation=(2,)),
            dict(window_strides=(1,), padding=((2, -1),), lhs_dilation=(2,)),
            dict(window_strides=(3,), padding=[(-2, 3)], lhs_dilation=(3,), rhs_dilation=(2,)),
        ],
    ),
    "2-D NCHW, 2 feature groups": (
        (normal(2, 4, 7, 6), normal(6, 2, 3, 2)),
        [
            dict(window_strides=(1, 1), padding="SAME"),
            dict(window_strides=(2, 1), padding="VALID"),
            dict(
                window_strides=(1, 2),
                padding=((1, 2), (-1, 0)),
                lhs_dilation=(2, 1),
                rhs_dilation=(1, 2),
            ),
            dict(window_strides=(2, 2), padding="same_lower"),
        ],
    ),
    "2-D NHWC and other layouts": (
        (normal(2, 7, 6, 4), normal(3, 2, 4, 6)),
        [
            dict(window_strides=(1, 1), padding="SAME", dimension_numbers=NHWC),
            dict(window_strides=(2, 3), padding="VALID", dimension_numbers=NHWC),
            dict(
                window_strides=(1, 1),
                padding=((0, 1), (2, 2)),
                lhs_dilation=(1, 2),
                rhs_dilation=(2, 2),
                dimension_numbers=NHWC,
            ),
            # W before H in every layout (strides follow the kernel's order), out in another
            dict(window_strides=(2, 1), padding="SAME", dimension_numbers=("NWHC", "WHIO", "CWNH")),
            dict(
                window_strides=(1, 1), padding="VALID", dimension_numbers=("NHWC", "HWIO", "NCHW")
            ),
        ],
    ),
    "2-D depthwise, NHWC, channel multiplier 2": (
        (normal(2, 6, 5, 3), normal(3, 3, 1, 6)),
        [
            dict(window_strides=(1, 1), padding="SAME", dimension_numbers=NHWC),
            dict(
                window_strides=(2, 2), padding="VALID", rhs_dilation=(1, 2), dimension_numbers=NHWC
            ),
        ],
    ),
    "3-D": (
        (normal(1, 2, 5, 4, 4), normal(3, 2, 2, 3, 2)),
        [
            dict(window_strides=(1, 1, 1), padding="SAME"),
            dict(window_strides=(2, 1, 2), padding="VALID", rhs_dilation=(2, 1, 1)),
            dict(
                window_strides=(1, 2, 1),
                padding=((1, 0), (0, 2), (-1, 1)),
                lhs_dilation=(1, 1, 2),
            ),
        ],
    ),
    "1-D, 2 batch groups": (
        (normal(4, 3, 7), normal(6, 3, 2)),
        [
            dict(window_strides=(1,), padding="VALID"),
            dict(window_strides=(2,), padding="SAME", rhs_dilation=(2,)),
        ],
    ),
}
GROUP_COUNTS = {
    "2-D NCHW, 2 feature groups": dict(feature_group_count=2),
    "2-D depthwise, NHWC, channel multiplier 2": dict(feature_group_count=3),
    "1-D, 2 batch groups": dict(batch_group_count=2),
}


@pytest.mark.parametrize("group", CONV_GROUPS)
def test_conv_general_dilated_matches_jax(group: str) -> None:
    """Values and the gradients in lhs and rhs by both modes (jax.grad, jax.jacfwd)."""
    args, configs = CONV_GROUPS[group]
    counts = GROUP_COUNTS.get(group, {})
    assert_gradients_match_jax([op("conv_general_dilated", **kw, **counts) for kw in configs], args)


def test_conv_wrappers_match_jax() -> None:
    """conv, conv_with_general_padding, conv_general_dilated_patches (JAX's channel order: input
    feature major, then the window offsets) and conv_general_dilated_local (a kernel per output
    position); each takes the arguments it needs of (x, w, v)."""
    cases = [
        lambda m, x, w, v: m.conv(x, w, (1, 2), "SAME"),
        lambda m, x, w, v: m.conv_with_general_padding(
            x, w, (2, 1), ((1, 1), (0, -1)), (1, 2), (2, 1)
        ),
        lambda m, x, w, v: (
            w[0, 0, 0, 0] * m.conv_general_dilated_patches(x, (3, 2), (1, 1), "SAME")
        ),
        lambda m, x, w, v: m.conv_general_dilated_patches(
            x,
            (2, 2),
            (2, 1),
            ((1, 0), (0, 1)),
            lhs_dilation=(1, 2),
            rhs_dilation=(2, 1),
            dimension_numbers=("NHWC", "OIWH", "CNWH"),
        ),
        lambda m, x, w, v: m.conv_general_dilated_local(
            x, v, (1, 1), "SAME", (3, 2), dimension_numbers=("NCHW", "HWIO", "NHWC")
        ),
    ]
    x, w = normal(2, 3, 6, 5), normal(4, 3, 3, 2)
    v = normal(6, 5, 3 * 3 * 2, 4)  # HWIO: (out H, out W, C · filter, O)
    assert_gradients_match_jax([both(case) for case in cases], (x, w, v))


def test_conv_transpose_matches_jax() -> None:
    """conv_transpose in TensorFlow's default layouts (2-D NHWC, 1-D NHC), with and without
    transpose_kernel: 'SAME', 'VALID', padding pairs of the dilated input and, with
    use_consistent_padding, of the forward convolution; strides and kernel dilation."""
    cases = [
        dict(strides=(2, 2), padding="SAME"),
        dict(strides=(2, 1), padding="VALID"),
        dict(strides=(2, 2), padding=((1, 2), (0, 1))),
        dict(strides=(1, 2), padding="SAME", rhs_dilation=(2, 1)),
        dict(strides=(2, 3), padding=((1, 0), (0, 1)), use_consistent_padding=True),
    ]
    pairs = [
        both(
            lambda m, x, w, x1, w1, kw=kw, tk=tk: m.conv_transpose(x, w, transpose_kernel=tk, **kw)
        )
        for kw in cases
        for tk in (False, True)
    ]
    pairs += [
        both(lambda m, x, w, x1, w1: m.conv_transpose(x1, w1, (3,), "SAME")),
        both(
            lambda m, x, w, x1, w1: m.conv_transpose(x1, w1, (2,), "VALID", transpose_kernel=True)
        ),
    ]
    args = (normal(2, 5, 4, 3), normal(3, 2, 3, 3), normal(2, 4, 2), normal(3, 2, 2))
    assert_gradients_match_jax(pairs, args)


# ----------------------------------------------------------------------- windowed reductions
def pool(name: str, init: float, **kwargs: Any) -> Pair:
    """reduce_window by lax.<name> from ``init``, admodes' and JAX's."""
    return both(lambda m, x: m.reduce_window(x, init, getattr(m, name), **kwargs))


#: Pooling settings on (2, 7, 6, 3) inputs: strides, every padding form (negative too).
POOLING = [
    dict(window_dimensions=(1, 2, 2, 1), window_strides=(1, 2, 2, 1), padding="VALID"),
    dict(window_dimensions=(1, 3, 3, 1), window_strides=(1, 2, 1, 1), padding="SAME"),
    dict(
        window_dimensions=(2, 2, 3, 1),
        window_strides=(1, 1, 2, 1),
        padding=((0, 1), (1, 2), (2, 0), (0, 0)),
    ),
    dict(window_dimensions=(1, 2, 2, 2), window_strides=(1, 1, 1, 1), padding="SAME_LOWER"),
]
#: Negative padding, base and window dilation (JAX's max and min pooling differentiate these
#: forward only).
FORWARD_ONLY = [
    dict(
        window_dimensions=(2, 2, 3, 1),
        window_strides=(1, 1, 2, 1),
        padding=((0, 1), (1, -2), (2, -1), (0, 0)),
    ),
    dict(window_dimensions=(1, 2, 3, 1), window_strides=(1, 1, 2, 1), window_dilation=(1, 2, 1, 1)),
    dict(
        window_dimensions=(2, 2, 2, 1),
        window_strides=(1, 2, 1, 1),
        padding=((0, 1), (1, 0), (1, 1), (0, 0)),
        base_dilation=(1, 1, 2, 1),
        window_dilation=(1, 1, 2, 1),
    ),
    dict(
        window_dimensions=(1, 3, 2, 1),
        padding="SAME",
        window_strides=(1, 1, 1, 1),
        base_dilation=(1, 2, 1, 1),
    ),
]
EXTREMA = (("max", -np.inf), ("min", np.inf))


def test_pooling_matches_jax() -> None:
    """Sum, max and min pooling (the identity as init_value: JAX's differentiable reductions),
    sum pooling also with negative padding, base and window dilation. Random normal entries: no
    ties."""
    pairs = [pool(name, init, **kw) for name, init in (("add", 0.0), *EXTREMA) for kw in POOLING]
    pairs += [pool("add", 0.0, **kw) for kw in FORWARD_ONLY]
    assert_gradients_match_jax(pairs, (normal(2, 7, 6, 3),))


def test_pooling_ties_match_jax() -> None:
    """At ties, max and min pooling differentiate to one element of the window, the first in
    row-major order, as jax.grad (select_and_scatter_add) and jax.jacfwd do: not split."""
    pairs = [pool(name, init, **kw) for name, init in EXTREMA for kw in POOLING]
    assert_gradients_match_jax(pairs, (RNG.integers(0, 3, (2, 7, 6, 3)).astype(np.float64),))


def sparse_zeros(x: np.ndarray) -> np.ndarray:
    """x with every fifth entry 0: windows with no, one and several zero factors."""
    x = x.copy()
    x.flat[::5] = 0.0
    return x


#: Where JAX differentiates reduce_window by jvp only (jax.grad refuses, jax.jacfwd fails).
JVP_ONLY = {
    "product pooling (JAX's generic reduce_window), zero factors": (
        [
            pool("mul", 1.0, **POOLING[1]),
            pool("mul", 2.0, **POOLING[2]),
            pool("mul", 1.0, **FORWARD_ONLY[2]),
        ],
        sparse_zeros(normal(2, 7, 6, 3)),
    ),
    "sum and max pooling from an init_value that is not the identity (generic)": (
        [
            pool("add", 1.5, **POOLING[1]),
            pool("max", 0.0, **POOLING[2]),
            pool("min", 0.5, **FORWARD_ONLY[2]),
        ],
        normal(2, 7, 6, 3),
    ),
    "max and min pooling with negative padding, base or window dilation, at ties": (
        [pool(name, init, **kw) for name, init in EXTREMA for kw in FORWARD_ONLY],
        RNG.integers(0, 3, (2, 7, 6, 3)).astype(np.float64),
    ),
}


@pytest.mark.parametrize("group", JVP_ONLY)
def test_jvp_only_reductions_match_jax(group: str) -> None:
    """Where JAX differentiates reduce_window by jvp only: admodes' value and jvp equal JAX's
    along random directions, and its vjp satisfies ⟨v, J·t⟩ = ⟨Jᵀ·v, t⟩ with JAX's J·t."""
    pairs, x = JVP_ONLY[group]
    directions = [normal(*x.shape) for _ in range(3)]

    def reference(x: Any) -> list:
        return [(f(x), [jax.jvp(f, (x,), (t,))[1] for t in directions]) for _, f in pairs]

    for (f, _), (value, jvps) in zip(pairs, jax_compiled(reference, x), strict=True):
        assert_close(f(x), value)
        out, pullback = ad.vjp(f, x)
        v = normal(*np.shape(out))
        for t, jvp in zip(directions, jvps, strict=True):
            assert_close(ad.jvp(f, (x,), (t,))[1], jvp)
            assert_close(np.vdot(pullback(v)[0], t), np.vdot(v, jvp))


# ----------------------------------------------------------------------------- second order
def network(m: Any, x: Any, w: Any) -> Any:
    """A small CNN's scalar loss: convolution, tanh, max and average pooling, a transposed
    convolution back up."""
    xp = anp if m is AD else jnp
    h = xp.tanh(m.conv_general_dilated(x, w, (1, 1), "SAME", dimension_numbers=NHWC))
    pooled = m.reduce_window(h, -np.inf, m.max, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
    mean = m.reduce_window(h * h, 0.0, m.add, (1, 3, 3, 1), (1, 1, 1, 1), "SAME") / 9.0
    up = m.conv_transpose(pooled, w, (2, 2), "SAME", transpose_kernel=True)
    return xp.sum(pooled**3) + xp.sum(mean * x[..., :1]) + xp.sum(xp.sin(up))


def test_second_order_matches_jax() -> None:
    """The Hessian-vector product of the CNN loss in (x, w), forward over reverse (ad.hvp) and
    reverse over forward, equals JAX's (jvp of grad)."""
    x, w = normal(2, 6, 6, 3), 0.5 * normal(3, 3, 3, 4)
    tx, tw = normal(2, 6, 6, 3), normal(3, 3, 3, 4)
    f = partial(network, AD)

    def reference(x: Any, w: Any) -> Any:
        fj = partial(network, jax.lax)
        return fj(x, w), jax.jvp(jax.grad(fj, argnums=(0, 1)), (x, w), (tx, tw))[1]

    value, hvp = jax_compiled(reference, x, w)
    assert_close(f(x, w), value)
    assert_close(ad.hvp(f, (x, w), (tx, tw)), hvp)
    directional = lambda x, w: ad.jvp(f, (x, w), (tx, tw))[1]
    assert_close(ad.grad(directional, argnums=(0, 1))(x, w), hvp)


# ---------------------------------------------------------------------- dtypes, shapes, layouts
def test_dtypes_match_jax() -> None:
    """float32, integer and int8 convolutions, preferred_element_type, and integer pooling keep
    JAX's values and dtypes."""
    x, w = normal(2, 3, 5, 4), normal(4, 3, 2, 2)
    xi, wi = RNG.integers(-4, 5, (2, 3, 5, 4)), RNG.integers(-3, 4, (4, 3, 2, 2))
    cases = [
        lambda m: m.conv(x.astype(np.float32), w.astype(np.float32), (1, 1), "SAME"),
        lambda m: m.conv(xi.astype(np.int32), wi.astype(np.int32), (2, 1), "VALID"),
        lambda m: m.conv_with_general_padding(
            xi.astype(np.int8), wi.astype(np.int8), (1, 1), ((1, 1), (0, 1)), (2, 1), None
        ),
        lambda m: m.conv(
            x.astype(np.float32), w.astype(np.float32), (1, 1), "SAME", None, np.float64
        ),
        lambda m: m.conv(xi.astype(np.int16), wi.astype(np.int16), (1, 1), "SAME", None, np.int32),
        lambda m: m.conv_general_dilated_patches(xi.astype(np.int32), (2, 2), (1, 1), "VALID"),
        lambda m: m.reduce_window(
            xi.astype(np.int8), np.int8(0), m.add, (1, 1, 2, 2), (1, 1, 1, 1), "SAME"
        ),
        lambda m: m.reduce_window(
            xi.astype(np.int32),
            np.int32(-(2**31)),
            m.max,
            (1, 1, 3, 2),
            (1, 1, 1, 1),
            "SAME",
            (1, 1, 2, 1),
        ),
        lambda m: m.reduce_window(x.astype(np.float32), -np.inf, m.max, (1, 2, 2, 2)),
    ]
    expected = jax_compiled(lambda: [case(jax.lax) for case in cases])
    for case, want in zip(cases, expected, strict=True):
        got = case(AD)
        assert np.asarray(got).dtype == want.dtype
        assert_close(got, want, rtol=1e-6 if want.dtype == np.float32 else 1e-10)


def test_shape_helpers_match_jax() -> None:
    """conv_dimension_numbers, conv_general_permutations, padtype_to_pads and the shape tuples."""
    layouts = [
        None,
        NHWC,
        ("NCHW", "OIHW", "NCHW"),
        ("NWHC", "WHIO", "CWNH"),
        ("HNCW", "IHOW", "WCNH"),
    ]
    for layout in layouts:
        assert convolution.conv_dimension_numbers((1,) * 4, (1,) * 4, layout) == tuple(
            jax.lax.conv_dimension_numbers((1,) * 4, (1,) * 4, layout)
        )
        if layout is not None:
            assert convolution.conv_general_permutations(
                layout
            ) == jax.lax.conv_general_permutations(layout)
    for padding in ("SAME", "SAME_LOWER", "VALID", "same"):
        for in_shape, window, strides in (((7, 8), (3, 4), (2, 3)), ((1, 5), (4, 1), (1, 2))):
            assert convolution.padtype_to_pads(in_shape, window, strides, padding) == list(
                jax.lax.padtype_to_pads(in_shape, window, strides, padding)
            )
    lhs, rhs = (2, 9, 7, 3), (3, 2, 3, 5)
    for padding in ("SAME", "VALID", ((1, 2), (0, -1))):
        assert convolution.conv_general_shape_tuple(
            lhs, rhs, (2, 1), padding, NHWC
        ) == jax.lax.conv_general_shape_tuple(lhs, rhs, (2, 1), padding, NHWC)
        assert convolution.conv_transpose_shape_tuple(
            lhs, rhs, (2, 3), padding, NHWC
        ) == jax.lax.conv_transpose_shape_tuple(lhs, rhs, (2, 3), padding, NHWC)
    assert convolution.conv_shape_tuple((4, 3, 9), (6, 3, 2), (2,), "SAME", 2) == tuple(
        jax.lax.conv_shape_tuple((4, 3, 9), (6, 3, 2), (2,), "SAME", 2)
    )
    args = ((5, 7), (2, 3), (1, 2), ((1, 0), (2, -1)), (2, 1), (1, 2))
    assert convolution.reduce_window_shape_tuple(*args) == jax.lax.reduce_window_shape_tuple(*args)


# ----------------------------------------------------------------------------- errors
X, W, X4 = np.ones((1, 2, 5, 5)), np.ones((6, 2, 3, 3)), np.ones((1, 4, 5, 5))
conv_general_dilated = convolution.conv_general_dilated
reduce_window = convolution.reduce_window


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: convolution.conv(X4, W, (1, 1), "SAME"), ValueError, "4 // 1 != 2"),
        (lambda: convolution.conv(X, W[..., 0], (1,), "SAME"), TypeError, "ndim to be equal"),
        (
            lambda: conv_general_dilated(X, W, (1, 1), "SAME", feature_group_count=3),
            ValueError,
            "3 does not divide 2",
        ),
        (
            lambda: conv_general_dilated(X4, W[:5], (1, 1), "SAME", feature_group_count=2),
            ValueError,
            "5 is not a multiple of 2",
        ),
        (
            lambda: conv_general_dilated(X, W, (1, 1), "SAME", batch_group_count=3),
            ValueError,
            "3 does not divide 1",
        ),
        (
            lambda: conv_general_dilated(
                X4, W, (1, 1), "SAME", feature_group_count=2, batch_group_count=2
            ),
            ValueError,
            "At most one of",
        ),
        (lambda: convolution.conv(X, W, (1,), "SAME"), ValueError, "window_strides needs one"),
        (lambda: convolution.conv(X, W, (1, 0), "SAME"), ValueError, "must be positive"),
        (lambda: convolution.conv(X, W, (1, 1.5), "SAME"), TypeError, "sequence of integers"),
        (lambda: convolution.conv(X, W[:, :, :0], (1, 1), "VALID"), ValueError, "spatial sizes"),
        (lambda: convolution.conv(X, W, (1, 1), "FULL"), ValueError, "unrecognized padding"),
        (lambda: convolution.conv(X, W, (1, 1), ((1, 1),)), ValueError, "one \\(low, high\\)"),
        (lambda: convolution.conv(X, W, (1, 1), (1, 1)), ValueError, "\\(low, high\\) integer"),
        (
            lambda: convolution.conv(X, W, (1, 1), ((-4, -4), (0, 0))),
            ValueError,
            "negative padding is larger",
        ),
        (
            lambda: convolution.conv_with_general_padding(X, W, (1, 1), "SAME", (2, 2), None),
            ValueError,
            "String padding is not implemented for transposed",
        ),
        (
            lambda: conv_general_dilated(X, W, (1, 1), "SAME", dimension_numbers="NCHW"),
            TypeError,
            "tuple of three layout strings",
        ),
        (
            lambda: conv_general_dilated(X, W, (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW")),
            TypeError,
            "must be length 3",
        ),
        (
            lambda: conv_general_dilated(
                X, W, (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NCH")
            ),
            TypeError,
            "must have len equal to the ndim",
        ),
        (
            lambda: conv_general_dilated(
                X, W, (1, 1), "SAME", dimension_numbers=("NCHW", "OIHH", "NCHW")
            ),
            TypeError,
            "duplicate characters",
        ),
        (
            lambda: conv_general_dilated(
                X, W, (1, 1), "SAME", dimension_numbers=("NCHW", "OXHW", "NCHW")
            ),
            TypeError,
            "'O' and 'I' exactly once",
        ),
        (
            lambda: conv_general_dilated(
                X, W, (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NCHD")
            ),
            TypeError,
            "same set of spatial characters",
        ),
        (
            lambda: convolution.conv(X, W.astype(np.float32), (1, 1), "SAME"),
            TypeError,
            "same dtypes",
        ),
        (
            lambda: convolution.conv(X, W, (1, 1), "SAME", None, np.float32),
            TypeError,
            "must not be narrower",
        ),
        (
            lambda: convolution.conv(X, W, (1, 1), "SAME", None, np.int64),
            TypeError,
            "incompatible with the input type",
        ),
        (
            lambda: convolution.conv_transpose(X, W, (1, 1), "FULL", use_consistent_padding=True),
            ValueError,
            "invalid padding",
        ),
        (
            lambda: convolution.conv_transpose(
                np.ones((1,) * 6), np.ones((1,) * 6), (1,) * 4, "SAME"
            ),
            ValueError,
            "no default dimension_numbers",
        ),
        (
            lambda: convolution.conv_general_dilated_local(X, W, (1, 1), "SAME", (3, 3)),
            ValueError,
            "input feature axis of size",
        ),
        (
            lambda: reduce_window(X, 0.0, lambda a, b: a + b, (1, 1, 2, 2)),
            TypeError,
            "add, multiply, maximum, minimum",
        ),
        (
            lambda: reduce_window(X, 0.0, np.add, (1, 1, 2, 2)),
            TypeError,
            "add, multiply, maximum, minimum",
        ),
        (lambda: reduce_window(X, 0.0, anp.add, (2, 2)), ValueError, "one entry per"),
        (lambda: reduce_window(X, 0.0, anp.add, (1, 1, 0, 2)), ValueError, "positive"),
        (lambda: reduce_window(X, np.zeros(2), anp.add, (1, 1, 2, 2)), TypeError, "scalar"),
        (lambda: reduce_window((X, X), (0.0, 0.0), anp.add, (1, 1, 2, 2)), TypeError, "one array"),
        (lambda: reduce_window(X > 0, False, anp.maximum, (1, 1, 2, 2)), TypeError, "real numbers"),
    ],
)
def test_errors(call: Callable[[], Any], error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_jacobians_match_jax() -> None:
    """jacfwd (a batch of tangents) and jacrev (a batch of cotangents) of a convolution and of
    max pooling, in every argument, equal JAX's."""
    x, w = normal(2, 2, 5), normal(3, 2, 2)
    cases = [
        lambda m, x, w: m.conv_general_dilated(x, w, (2,), "SAME", rhs_dilation=(2,)),
        lambda m, x, w: (
            w[0, 0, 0] * m.reduce_window(x, -np.inf, m.max, (1, 1, 3), (1, 1, 2), "SAME")
        ),
    ]
    expected = jax_compiled(
        lambda x, w: [jax.jacfwd(partial(case, jax.lax), (0, 1))(x, w) for case in cases], x, w
    )
    for case, want in zip(cases, expected, strict=True):
        for transform in (ad.jacfwd, ad.jacrev):
            assert_close(transform(partial(case, AD), (0, 1))(x, w), want)
