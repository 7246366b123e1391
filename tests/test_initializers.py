"""``nn.initializers`` against ``jax.nn.initializers``: admodes draws with NumPy and JAX with its
own keys, so samples are compared as distributions: the two-sample Kolmogorov–Smirnov distance
of 131,072 draws from each (0.015, about 1.4 times the 1e-6 critical value), and the standard
deviation and largest magnitude to 2%. Constants and orthogonality are compared exactly."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from admodes.nn import initializers

DENSE = (256, 512)
#: name: (builder's arguments and keywords, shape, dtype); the builder has the same name in JAX.
CASES: dict[str, tuple[str, tuple, dict[str, Any], tuple[int, ...], Any]] = {
    "normal": ("normal", (0.5,), {}, DENSE, np.float64),
    "uniform": ("uniform", (2.0,), {}, DENSE, np.float64),
    "truncated_normal": ("truncated_normal", (0.3,), {}, DENSE, np.float64),
    "truncated_normal-bounds": (
        "truncated_normal",
        (1.0,),
        {"lower": -1.0, "upper": 3.0},
        DENSE,
        np.float64,
    ),
    "glorot_uniform": ("glorot_uniform", (), {}, DENSE, np.float64),
    "glorot_normal": ("glorot_normal", (), {}, DENSE, np.float64),
    "xavier_uniform": ("xavier_uniform", (), {}, (512, 256), np.float32),
    "lecun_uniform": ("lecun_uniform", (), {}, DENSE, np.float64),
    "lecun_normal": ("lecun_normal", (), {}, DENSE, np.float64),
    "he_uniform": ("he_uniform", (), {}, DENSE, np.float64),
    "he_normal": ("he_normal", (), {}, DENSE, np.float64),
    "kaiming_normal-conv": ("kaiming_normal", (), {}, (3, 3, 64, 228), np.float64),
    "fan_geo_avg-normal": (
        "variance_scaling",
        (0.7, "fan_geo_avg", "normal"),
        {},
        (3, 3, 64, 228),
        np.float64,
    ),
    "fan_out-axes": (
        "variance_scaling",
        (1.3, "fan_out", "uniform"),
        {"in_axis": 1, "out_axis": (2, 3), "batch_axis": 0},
        (4, 32, 64, 16),
        np.float64,
    ),
    "complex-uniform": (
        "variance_scaling",
        (1.0, "fan_avg", "uniform"),
        {},
        DENSE,
        np.complex128,
    ),
    "complex-truncated": (
        "variance_scaling",
        (2.0, "fan_in", "truncated_normal"),
        {},
        DENSE,
        np.complex128,
    ),
    "complex-normal": ("normal", (0.5,), {}, DENSE, np.complex128),
}


#: Cases of unbounded draws (normal): their largest magnitudes are not compared.
UNBOUNDED = {"normal", "fan_geo_avg-normal", "complex-normal"}


def _ks_distance(a: np.ndarray, b: np.ndarray) -> float:
    """The largest gap between the empirical distribution functions of two samples."""
    a, b = np.sort(a), np.sort(b)
    points = np.concatenate([a, b])
    return float(np.max(np.abs(np.searchsorted(a, points, "right") / a.size
                               - np.searchsorted(b, points, "right") / b.size)))  # fmt: skip


def _parts(x: np.ndarray) -> dict[str, np.ndarray]:
    """The samples compared: the values, or for complex ones the real and imaginary parts and
    the moduli."""
    x = np.asarray(x).ravel()
    if np.iscomplexobj(x):
        return {"real": x.real, "imag": x.imag, "modulus": np.abs(x)}
    return {"value": x}


@pytest.mark.parametrize("name", CASES)
def test_draws_are_distributed_as_jax(name: str) -> None:
    """Shape and dtype are JAX's; each part of the draws is distributed as JAX's: KS distance,
    standard deviation and (for bounded draws) largest magnitude."""
    builder, args, kwargs, shape, dtype = CASES[name]
    ours = getattr(initializers, builder)(*args, **kwargs)(np.random.default_rng(0), shape, dtype)
    theirs = getattr(jax.nn.initializers, builder)(*args, **kwargs)(
        jax.random.PRNGKey(0), shape, dtype
    )
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    for part, x in _parts(ours).items():
        y = _parts(theirs)[part].astype(np.float64)
        assert _ks_distance(x, y) < 0.015, part
        assert np.std(x) == pytest.approx(np.std(y), rel=0.02), part
        if name not in UNBOUNDED:
            assert np.max(np.abs(x)) == pytest.approx(np.max(np.abs(y)), rel=0.02), part


@pytest.mark.parametrize("builder", ["zeros", "ones"])
def test_constant_arrays_equal_jax(builder: str) -> None:
    for dtype in (None, np.float32, np.complex64):
        ours = getattr(initializers, builder)(0, (2, 3), dtype)
        theirs = getattr(jax.nn.initializers, builder)(jax.random.PRNGKey(0), (2, 3), dtype)
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype
    ours = initializers.constant(-7.5)(0, (3, 2), np.float32)
    theirs = jax.nn.initializers.constant(-7.5)(jax.random.PRNGKey(0), (3, 2), jnp.float32)
    np.testing.assert_array_equal(ours, theirs)
    assert ours.dtype == theirs.dtype


@pytest.mark.parametrize(
    "shape, column_axis", [((3, 5), -1), ((5, 3), -1), ((4, 2, 6), 1), ((6, 2, 4), 0)]
)
@pytest.mark.parametrize("dtype", [np.float64, np.complex128])
def test_orthogonal_has_orthonormal_rows_or_columns(
    shape: tuple[int, ...], column_axis: int, dtype: Any
) -> None:
    """scale · Q with Q Q* = I or Q* Q = I, whichever is smaller, the columns along
    ``column_axis``; the entries distributed as JAX's (KS distance over 400 draws)."""
    init = initializers.orthogonal(scale=2.0, column_axis=column_axis)
    w = init(np.random.default_rng(1), shape, dtype)
    assert w.shape == shape and w.dtype == dtype
    q = np.moveaxis(w, column_axis, -1).reshape(-1, shape[column_axis]) / 2.0
    gram = q.conj().T @ q if q.shape[0] >= q.shape[1] else q @ q.conj().T
    np.testing.assert_allclose(gram, np.eye(min(q.shape)), atol=1e-14)
    rng = np.random.default_rng(2)
    ours = np.concatenate([init(rng, shape, dtype).ravel() for _ in range(400)])
    jax_init = jax.nn.initializers.orthogonal(scale=2.0, column_axis=column_axis)
    keys = jax.random.split(jax.random.PRNGKey(2), 400)
    theirs = np.concatenate([np.asarray(jax_init(k, shape, dtype)).ravel() for k in keys])
    for part, x in _parts(ours).items():
        assert _ks_distance(x, _parts(theirs)[part]) < 0.05, part


def test_delta_orthogonal_is_zero_but_an_orthogonal_centre() -> None:
    """A 3×3 kernel of 4 → 6 channels: zero but at the centre tap, orthonormal rows there."""
    w = initializers.delta_orthogonal(scale=1.5)(3, (3, 3, 4, 6))
    centre = w[1, 1]
    np.testing.assert_allclose(centre @ centre.T / 1.5**2, np.eye(4), atol=1e-14)
    w[1, 1] = 0.0
    assert not np.any(w)


def test_a_seed_gives_the_same_draws_a_generator_new_ones() -> None:
    init = initializers.he_normal()
    np.testing.assert_array_equal(init(5, (4, 3)), init(5, (4, 3)))
    rng = np.random.default_rng(5)
    assert not np.array_equal(init(rng, (4, 3)), init(rng, (4, 3)))


@pytest.mark.parametrize(
    "call, error, match",
    [
        (lambda: initializers.normal()(jax.random.PRNGKey(0), (2,)), TypeError, "Generator"),
        (lambda: initializers.variance_scaling(1.0, "fan", "normal"), ValueError, "mode"),
        (lambda: initializers.variance_scaling(1.0, "fan_in", "gamma"), ValueError, "distribution"),
        (lambda: initializers.glorot_normal()(0, (5,)), ValueError, "in_axis"),
        (lambda: initializers.orthogonal()(0, (5,)), ValueError, "at least 2"),
        (lambda: initializers.delta_orthogonal()(0, (3, 3)), ValueError, "3-, 4- or 5-D"),
        (lambda: initializers.delta_orthogonal()(0, (3, 6, 4)), ValueError, "fan_in ≤ fan_out"),
        (lambda: initializers.truncated_normal(lower=4.0, upper=5.0)(0, (2,)), ValueError, "1%"),
        (lambda: initializers.uniform()(0, (2,), np.complex128), ValueError, "real arrays"),
        (lambda: initializers.normal()(0, (2,), np.int32), ValueError, "float or complex"),
    ],
)
def test_bad_input_is_refused(call: Any, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()
