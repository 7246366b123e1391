"""``admodes.nn.initializers``: JAX's ``jax.nn.initializers``, drawing with NumPy.

Each builder returns an initializer ``init(key, shape, dtype=float64)``, as JAX's does; ``key``
is a NumPy ``Generator`` (``np.random.default_rng(seed)``) or an integer seed, where JAX takes a
PRNG key, so the numbers differ from JAX's and the distributions are the same. Initial values
are constants to every transform.

Variance scaling (``glorot``/``xavier``, ``lecun``, ``he``/``kaiming``): for a weight of shape
``shape``, the *receptive field* r is the product of the axes that are neither ``in_axis``,
``out_axis`` nor ``batch_axis``; fan_in = r · Π shape[in_axis], fan_out = r · Π shape[out_axis];
the draws have mean 0 and variance scale / n, n one of fan_in, fan_out, their mean or their
geometric mean (``mode``):

- ``"normal"``: N(0, scale/n);
- ``"truncated_normal"``: a standard normal truncated to (−2, 2), divided by that truncated
  distribution's standard deviation 0.8796…, times √(scale/n);
- ``"uniform"``: U(−√(3 scale/n), √(3 scale/n)).

Complex dtypes as JAX: a normal of variance 1 split equally between the real and imaginary
parts; for ``"uniform"`` a point of the disk of radius √2 (variance 1); for
``"truncated_normal"`` a complex normal whose modulus is truncated at 2, divided by its standard
deviation 0.9531…. ``orthogonal``: a Haar-distributed matrix (the QR factor of a normal matrix,
its columns' signs those of R's diagonal), rows or columns orthonormal, whichever are fewer.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

__all__ = [
    "Initializer",
    "constant",
    "delta_orthogonal",
    "glorot_normal",
    "glorot_uniform",
    "he_normal",
    "he_uniform",
    "kaiming_normal",
    "kaiming_uniform",
    "lecun_normal",
    "lecun_uniform",
    "normal",
    "ones",
    "orthogonal",
    "truncated_normal",
    "uniform",
    "variance_scaling",
    "xavier_normal",
    "xavier_uniform",
    "zeros",
]

Key = np.random.Generator | int
Shape = Sequence[int]
Axes = int | Sequence[int]
Initializer = Callable[..., np.ndarray]
"""``init(key, shape, dtype=None)``: a new array of ``shape`` and ``dtype`` (float64 if None)."""

#: The standard deviation of a standard normal truncated to (−2, 2); of a complex standard normal
#: whose modulus is truncated at 2 (JAX's constants).
TRUNCATED_STD = 0.87962566103423978
COMPLEX_TRUNCATED_STD = 0.95311164380491208


def _generator(key: Any) -> np.random.Generator:
    """The generator an initializer draws from: ``key`` itself, or one seeded with it."""
    if isinstance(key, np.random.Generator):
        return key
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        return np.random.default_rng(int(key))
    raise TypeError(
        f"an initializer's key must be a numpy.random.Generator or an integer seed, got "
        f"{type(key).__name__}: admodes draws with NumPy, not with JAX's PRNG keys. Pass "
        "np.random.default_rng(seed), and split it with rng.spawn(n) where JAX splits a key."
    )


def _float_dtype(dtype: Any) -> np.dtype:
    """``dtype`` (float64 if None), which must be floating-point or complex."""
    dtype = np.dtype(np.float64 if dtype is None else dtype)
    if dtype.kind not in "fc":
        raise ValueError(f"initializers draw float or complex arrays, not {dtype}")
    return dtype


def _real_dtype(dtype: np.dtype, name: str) -> np.dtype:
    """``dtype``, which must be real for the ``name`` initializer (as JAX's)."""
    if dtype.kind != "f":
        raise ValueError(f"{name} draws real arrays only, not {dtype} (as JAX's)")
    return dtype


def _standard_normal(rng: np.random.Generator, shape: Shape, dtype: np.dtype) -> np.ndarray:
    """N(0, 1) draws; complex ones have variance 1/2 in each part."""
    if dtype.kind == "c":
        parts = rng.standard_normal((2, *shape)) * math.sqrt(0.5)
        return (parts[0] + 1j * parts[1]).astype(dtype)
    return rng.standard_normal(tuple(shape)).astype(dtype)


def _truncated_standard_normal(
    rng: np.random.Generator, lower: float, upper: float, shape: Shape
) -> np.ndarray:
    """N(0, 1) draws conditioned on lower < x < upper (rejection: normal draws, those outside
    drawn again), for an interval that holds at least 1% of the normal's mass."""
    mass = 0.5 * (math.erf(upper / math.sqrt(2.0)) - math.erf(lower / math.sqrt(2.0)))
    if not mass >= 0.01:
        raise ValueError(
            f"truncated_normal: the interval ({lower}, {upper}) holds {mass:.3g} of a standard "
            "normal's mass; admodes draws by rejection and needs at least 1% (JAX's default "
            "(-2, 2) holds 95%)"
        )
    out = np.empty(math.prod(shape))
    filled = 0
    while filled < out.size:
        wanted = out.size - filled
        draws = rng.standard_normal(math.ceil(1.1 * wanted / mass) + 16)
        kept = draws[(draws > lower) & (draws < upper)][:wanted]
        out[filled : filled + kept.size] = kept
        filled += kept.size
    return out.reshape(tuple(shape))


def _at_random_angles(rng: np.random.Generator, modulus: np.ndarray, dtype: np.dtype) -> Any:
    """Complex numbers of the given moduli at uniformly random angles."""
    theta = rng.uniform(0.0, 2.0 * math.pi, modulus.shape)
    return (modulus * np.exp(1j * theta)).astype(dtype)


# ---------------------------------------------------------------------------- constant
def zeros(key: Key, shape: Shape, dtype: Any = None) -> np.ndarray:
    """Zeros (``key`` is not used)."""
    return np.zeros(tuple(shape), _float_dtype(dtype))


def ones(key: Key, shape: Shape, dtype: Any = None) -> np.ndarray:
    """Ones (``key`` is not used)."""
    return np.ones(tuple(shape), _float_dtype(dtype))


def constant(value: Any, dtype: Any = None) -> Initializer:
    """An initializer of arrays full of ``value``."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        return np.full(tuple(shape), value, _float_dtype(dtype))

    return init


# ---------------------------------------------------------------------------- random
def uniform(scale: float = 1e-2, dtype: Any = None) -> Initializer:
    """An initializer of U(0, scale) draws (real dtypes)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        dtype = _real_dtype(_float_dtype(dtype), "uniform")
        return (_generator(key).uniform(0.0, 1.0, tuple(shape)) * scale).astype(dtype)

    return init


def normal(stddev: float = 1e-2, dtype: Any = None) -> Initializer:
    """An initializer of N(0, stddev²) draws (complex: variance split between the parts)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        dtype = _float_dtype(dtype)
        return (_standard_normal(_generator(key), shape, dtype) * stddev).astype(dtype)

    return init


def truncated_normal(
    stddev: float = 1e-2, dtype: Any = None, lower: float = -2.0, upper: float = 2.0
) -> Initializer:
    """An initializer of stddev · z, z a standard normal truncated to (lower, upper) (no
    correction of the standard deviation for the truncation, as JAX; real dtypes)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        dtype = _real_dtype(_float_dtype(dtype), "truncated_normal")
        draws = _truncated_standard_normal(_generator(key), lower, upper, shape)
        return (draws * stddev).astype(dtype)

    return init


# ---------------------------------------------------------------------------- variance scaling
def _fans(
    shape: Shape, in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = ()
) -> tuple[float, float]:
    """(fan_in, fan_out) of a weight of ``shape``: the sizes of its input and output axes, each
    times the receptive field (the product of the other axes but ``batch_axis``)."""
    if in_axis == -2 and len(shape) <= 1:
        raise ValueError(
            f"the fans of a {len(shape)}-dimensional weight need in_axis: the default (-2) "
            "takes the weight to be at least 2-D"
        )

    def size(axes: Axes) -> int:
        return shape[axes] if isinstance(axes, int) else math.prod(shape[a] for a in axes)

    field = math.prod(shape) / size(in_axis) / size(out_axis) / size(batch_axis)
    return size(in_axis) * field, size(out_axis) * field


def variance_scaling(
    scale: float,
    mode: str,
    distribution: str,
    in_axis: Axes = -2,
    out_axis: Axes = -1,
    batch_axis: Axes = (),
    dtype: Any = None,
) -> Initializer:
    """An initializer of draws with mean 0 and variance scale / n (see the module's text)."""
    denominators = {
        "fan_in": lambda fan_in, fan_out: fan_in,
        "fan_out": lambda fan_in, fan_out: fan_out,
        "fan_avg": lambda fan_in, fan_out: (fan_in + fan_out) / 2,
        "fan_geo_avg": lambda fan_in, fan_out: math.sqrt(fan_in * fan_out),
    }
    if mode not in denominators:
        raise ValueError(
            f"variance_scaling: mode must be one of {sorted(denominators)}, got {mode!r}"
        )
    draws = {"normal": _standard_normal, "truncated_normal": _truncated_draws,
             "uniform": _uniform_draws}  # fmt: skip
    if distribution not in draws:
        raise ValueError(
            f"variance_scaling: distribution must be one of {sorted(draws)}, got {distribution!r}"
        )

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        shape = tuple(shape)
        dtype = _float_dtype(dtype)
        fans = _fans(shape, in_axis, out_axis, batch_axis)
        std = math.sqrt(scale / denominators[mode](*fans))
        return (draws[distribution](_generator(key), shape, dtype) * std).astype(dtype)

    return init


def _truncated_draws(rng: np.random.Generator, shape: Shape, dtype: np.dtype) -> Any:
    """Unit-variance draws of a normal truncated at 2 standard deviations (for complex dtypes,
    its modulus: inverse-CDF draws of the modulus r, 1 − e^(−r²) uniform below 1 − e^(−4))."""
    if dtype.kind == "c":
        t = (1.0 - math.exp(-4.0)) * rng.uniform(0.0, 1.0, tuple(shape))
        return _at_random_angles(rng, np.sqrt(-np.log1p(-t)), dtype) / COMPLEX_TRUNCATED_STD
    return _truncated_standard_normal(rng, -2.0, 2.0, shape) / TRUNCATED_STD


def _uniform_draws(rng: np.random.Generator, shape: Shape, dtype: np.dtype) -> Any:
    """Unit-variance uniform draws: on (−√3, √3), or in the disk of radius √2 for complex."""
    if dtype.kind == "c":
        return _at_random_angles(rng, np.sqrt(2.0 * rng.uniform(0.0, 1.0, tuple(shape))), dtype)
    return rng.uniform(-1.0, 1.0, tuple(shape)) * math.sqrt(3.0)


def _scaled(
    name: str, scale: float, mode: str, distribution: str, doc: str
) -> Callable[..., Initializer]:
    """The variance-scaling builder ``name`` (``glorot_normal`` and the rest)."""

    def builder(
        in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (), dtype: Any = None
    ) -> Initializer:
        return variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)

    builder.__name__ = builder.__qualname__ = name
    builder.__doc__ = f"An initializer of draws with mean 0 and {doc}"
    return builder


glorot_uniform = xavier_uniform = _scaled(
    "glorot_uniform", 1.0, "fan_avg", "uniform", "variance 2/(fan_in + fan_out), uniform."
)
glorot_normal = xavier_normal = _scaled(
    "glorot_normal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "variance 2/(fan_in + fan_out), truncated normal.",
)
lecun_uniform = _scaled("lecun_uniform", 1.0, "fan_in", "uniform", "variance 1/fan_in, uniform.")
lecun_normal = _scaled(
    "lecun_normal", 1.0, "fan_in", "truncated_normal", "variance 1/fan_in, truncated normal."
)
he_uniform = kaiming_uniform = _scaled(
    "he_uniform", 2.0, "fan_in", "uniform", "variance 2/fan_in, uniform."
)
he_normal = kaiming_normal = _scaled(
    "he_normal", 2.0, "fan_in", "truncated_normal", "variance 2/fan_in, truncated normal."
)


# ---------------------------------------------------------------------------- orthogonal
def orthogonal(scale: float = 1.0, column_axis: int = -1, dtype: Any = None) -> Initializer:
    """An initializer of scale · Q, Q Haar-distributed with orthonormal columns (the entries
    along ``column_axis``, against the others flattened) or rows, whichever are fewer."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        shape, dtype = tuple(shape), _float_dtype(dtype)
        if len(shape) < 2:
            raise ValueError(f"orthogonal needs a shape of at least 2 dimensions, got {shape}")
        if 0 in shape:
            return np.zeros(shape, dtype)
        columns = shape[column_axis]
        rows = math.prod(shape) // columns
        z = _standard_normal(_generator(key), (max(rows, columns), min(rows, columns)), dtype)
        q, r = np.linalg.qr(z)
        diagonal = np.diagonal(r)
        q = q * np.where(diagonal == 0, 1, diagonal / np.abs(diagonal))
        q = q.T if rows < columns else q
        others = tuple(np.delete(np.array(shape), column_axis % len(shape)))
        return (scale * np.moveaxis(q.reshape((*others, columns)), -1, column_axis)).astype(dtype)

    return init


def delta_orthogonal(scale: float = 1.0, column_axis: int = -1, dtype: Any = None) -> Initializer:
    """An initializer of convolution kernels (3-, 4- or 5-D, in ≤ out channels) that are zero
    but at the centre of the spatial axes, an orthogonal matrix there (Xiao et al., 2018)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        shape, dtype = tuple(shape), _float_dtype(dtype)
        if len(shape) not in (3, 4, 5):
            raise ValueError(f"delta_orthogonal needs a 3-, 4- or 5-D shape, got {shape}")
        if shape[-1] < shape[-2]:
            raise ValueError(
                f"delta_orthogonal needs fan_in ≤ fan_out (shape[-2] ≤ shape[-1]), got {shape}"
            )
        kernel = np.zeros(shape, dtype)
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        kernel[centre] = orthogonal(scale, column_axis, dtype)(key, shape[-2:])
        return kernel

    return init
