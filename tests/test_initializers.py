"""``nn.initializers`` against ``jax.nn.initializers``.

With a PRNG key (``admodes.random.key(seed)`` against ``jax.random.key(seed)``; a legacy
``jax.random.PRNGKey`` and ``jax.random.key_data`` of a typed key passed to admodes as they are)
every builder gives JAX's numbers bit for bit: 2-D and 4-D (convolution) shapes, ``in_axis``,
``out_axis``, ``batch_axis`` and ``column_axis``, float64 and float32, complex128 and complex64
where JAX draws complex numbers.

With a NumPy ``Generator`` or an integer seed admodes draws with NumPy, so samples are compared
as distributions: the two-sample Kolmogorov–Smirnov distance of 131,072 draws from each (0.015,
about 1.4 times the 1e-6 critical value), and the standard deviation and largest magnitude to
2%. Constants and orthogonality are compared exactly."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest

from admodes import random
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
    for dtype in (np.int32, np.uint8, np.bool_):  # integer and bool constants, as JAX's
        ours = getattr(initializers, builder)(0, (2,), dtype)
        theirs = getattr(jax.nn.initializers, builder)(jax.random.PRNGKey(0), (2,), dtype)
        np.testing.assert_array_equal(ours, theirs)
        assert ours.dtype == theirs.dtype
        ours = initializers.constant(7, dtype)(0, (2,))
        theirs = jax.nn.initializers.constant(7, dtype)(jax.random.PRNGKey(0), (2,))
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
        (lambda: initializers.normal()(jax.random.key(0), (2,)), TypeError, "key_data"),
        (lambda: initializers.normal()(0.5, (2,)), TypeError, "Generator"),
        (lambda: initializers.normal()(np.zeros(2), (2,)), TypeError, "uint32"),
        (
            lambda: initializers.normal()(jax.random.split(jax.random.PRNGKey(0)), (2,)),
            ValueError,
            "accepts a single key",
        ),
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


# ---------------------------------------------------------------------------- PRNG keys
CONV = (3, 3, 3, 2)
#: id: (builder, arguments, keywords, shape, dtype, seed): JAX's numbers bit for bit. Every
#: builder (the aliases are the same functions) on a 2-D and a 4-D shape, in float64 and float32,
#: and complex128/complex64 where JAX draws complex numbers. (One 2-D and one 4-D shape for most:
#: JAX compiles each of its samplers once per shape and dtype: 0.1 s for this 4-D shape, up to
#: 0.8 s for others.)
KEY_CASES: dict[str, tuple[str, tuple, dict[str, Any], tuple[int, ...], Any, int]] = {
    "uniform": ("uniform", (2.0,), {}, (5, 7), np.float64, 0),
    "uniform-conv-f32": ("uniform", (0.5,), {}, CONV, np.float32, 1),
    "normal-f32": ("normal", (0.5,), {}, (5, 7), np.float32, 2),
    "normal-conv": ("normal", (), {}, CONV, np.float64, 3),
    "normal-c128": ("normal", (0.5,), {}, (5, 7), np.complex128, 4),
    "truncated_normal": ("truncated_normal", (0.3,), {}, (5, 7), np.float64, 5),
    "truncated_normal-bounds-conv-f32": (
        "truncated_normal", (1.0,), {"lower": -1.0, "upper": 3.0}, CONV, np.float32, 6),
    "truncated_normal-far": (
        "truncated_normal", (1.0,), {"lower": 4.0, "upper": 5.0}, (5, 7), np.float64, 7),
    "glorot_uniform": ("glorot_uniform", (), {}, (5, 7), np.float64, 8),
    "glorot_uniform-conv-f32": ("glorot_uniform", (), {}, CONV, np.float32, 9),
    "glorot_normal-f32": ("glorot_normal", (), {}, (5, 7), np.float32, 10),
    "glorot_normal-conv": ("glorot_normal", (), {}, CONV, np.float64, 11),
    "lecun_uniform-conv": ("lecun_uniform", (), {}, CONV, np.float64, 12),
    "lecun_normal": ("lecun_normal", (), {}, (5, 7), np.float64, 13),
    "he_uniform-f32": ("he_uniform", (), {}, (5, 7), np.float32, 14),
    "he_normal-conv-f32": ("he_normal", (), {}, CONV, np.float32, 15),
    "fan_geo_avg-normal-conv": (
        "variance_scaling", (0.7, "fan_geo_avg", "normal"), {}, CONV, np.float64, 16),
    "fan_out-uniform-axes-f32": (
        "variance_scaling", (1.3, "fan_out", "uniform"),
        {"in_axis": 1, "out_axis": (2, 3), "batch_axis": 0}, CONV, np.float32, 17),
    "fan_in-truncated-axes": (
        "variance_scaling", (2.0, "fan_in", "truncated_normal"),
        {"in_axis": (0, 1), "out_axis": -1, "batch_axis": 2}, CONV, np.float64, 18),
    "fan_avg-normal-c128": (
        "variance_scaling", (1.0, "fan_avg", "normal"), {}, (5, 7), np.complex128, 19),
    "fan_avg-uniform-c128-conv": (
        "variance_scaling", (1.0, "fan_avg", "uniform"), {}, CONV, np.complex128, 20),
    "fan_in-truncated-c128": (
        "variance_scaling", (2.0, "fan_in", "truncated_normal"), {}, (5, 7), np.complex128, 21),
    "fan_in-truncated-c64-conv": (
        "variance_scaling", (2.0, "fan_in", "truncated_normal"), {}, CONV, np.complex64, 22),
    "fan_out-uniform-axes-c64": (
        "variance_scaling", (1.0, "fan_out", "uniform"),
        {"in_axis": 1, "out_axis": (2, 3), "batch_axis": 0}, CONV, np.complex64, 23),
    "orthogonal-tall": ("orthogonal", (1.5,), {}, (9, 5), np.float64, 24),
    "orthogonal-wide-f32": ("orthogonal", (), {}, (5, 9), np.float32, 25),
    "orthogonal-conv": ("orthogonal", (2.0,), {}, CONV, np.float64, 26),
    "orthogonal-column_axis": ("orthogonal", (), {"column_axis": 0}, (6, 2, 4), np.float64, 27),
    "orthogonal-c128": ("orthogonal", (), {}, (5, 9), np.complex128, 28),
    "orthogonal-c64-column_axis": (
        "orthogonal", (), {"column_axis": 1}, (3, 5, 2), np.complex64, 29),
    "delta_orthogonal-1d": ("delta_orthogonal", (1.5,), {}, (3, 4, 6), np.float64, 30),
    "delta_orthogonal-2d-f32": ("delta_orthogonal", (), {}, (3, 3, 4, 4), np.float32, 31),
    "delta_orthogonal-3d": ("delta_orthogonal", (), {}, (3, 2, 3, 2, 5), np.float64, 32),
}  # fmt: skip


def _bits(x: Any) -> np.ndarray:
    """The bit patterns of a float or complex array (so that −0 and 0 differ)."""
    x = np.asarray(x)
    if x.dtype.kind == "c":
        x = np.stack([x.real, x.imag], axis=-1)
    return x.view(f"u{x.dtype.itemsize}")


def _assert_identical(ours: np.ndarray, theirs: Any) -> None:
    theirs = np.asarray(theirs)
    assert ours.shape == theirs.shape and ours.dtype == theirs.dtype
    assert np.array_equal(ours, theirs)
    np.testing.assert_array_equal(_bits(ours), _bits(theirs))


@pytest.mark.parametrize("name", KEY_CASES)
def test_keys_give_jax_numbers(name: str) -> None:
    """admodes.random.key(seed), the legacy jax.random.PRNGKey(seed) and key_data of
    jax.random.key(seed) each give what JAX gives for jax.random.key(seed), bit for bit."""
    builder, args, kwargs, shape, dtype, seed = KEY_CASES[name]
    theirs = getattr(jax.nn.initializers, builder)(*args, **kwargs)(
        jax.random.key(seed), shape, dtype
    )
    init = getattr(initializers, builder)(*args, **kwargs)
    keys = (random.key(seed), jax.random.PRNGKey(seed), jax.random.key_data(jax.random.key(seed)))
    for key in keys:
        _assert_identical(init(key, shape, dtype), theirs)


def test_the_aliases_are_the_same_builders() -> None:
    assert initializers.xavier_uniform is initializers.glorot_uniform
    assert initializers.xavier_normal is initializers.glorot_normal
    assert initializers.kaiming_uniform is initializers.he_uniform
    assert initializers.kaiming_normal is initializers.he_normal


def test_constants_with_a_key_equal_jax() -> None:
    for ours, theirs in (
        (initializers.zeros, jax.nn.initializers.zeros),
        (initializers.ones, jax.nn.initializers.ones),
        (initializers.constant(-7.5), jax.nn.initializers.constant(-7.5)),
    ):
        for dtype in (None, np.float32, np.complex64):
            expected = theirs(jax.random.key(0), (2, 3), dtype)
            _assert_identical(ours(random.key(0), (2, 3), dtype), expected)


def test_a_typed_jax_key_is_refused_with_what_to_pass() -> None:
    with pytest.raises(TypeError, match="typed JAX key") as refused:
        initializers.he_normal()(jax.random.key(0), (4, 3))
    assert "jax.random.key_data(k)" in str(refused.value)
    assert "admodes.random.key(seed)" in str(refused.value)
