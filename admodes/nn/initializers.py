"""``admodes.nn.initializers``: JAX's ``jax.nn.initializers``, with JAX's numbers for JAX's keys.

Each builder returns an initializer ``init(key, shape, dtype=None)`` (float64 if None), as JAX's
does. ``key`` is one of

- a PRNG key: ``admodes.random.key(seed)`` (or ``PRNGKey``), a legacy JAX key
  (``jax.random.PRNGKey(seed)``) or ``jax.random.key_data(k)`` of a typed JAX key, all a uint32
  array of shape (2,). The draws are then :mod:`admodes.random`'s, which are ``jax.random``'s
  bit for bit, and the initializer does JAX's arithmetic on them step by step (XLA's ``exp``,
  ``log``, ``log1p``, ``sin`` and ``cos``, and its complex ``log`` and ``√``), so its result is
  JAX's bit for bit (64-bit types enabled, on the CPU; the conditions are
  :mod:`admodes.random`'s). A typed JAX key itself (``jax.random.key(seed)``) is refused, with
  what to pass instead;
- a NumPy ``Generator``, or an integer seed of one: the same formulas on NumPy's draws, so the
  numbers are NumPy's and the distributions JAX's (NumPy draws truncated normals by rejection,
  from intervals holding at least 1% of the normal's mass).

The formulas are JAX's; u, u′ are uniform on [0, 1) and z standard normal (complex z: (x + iy)/√2,
x and y real standard normals), drawn in ``dtype``:

- ``uniform(scale)``: scale·u; ``normal(stddev)``: stddev·z; ``truncated_normal(stddev, lower,
  upper)``: stddev·z, z conditioned on lower < z < upper (no correction of the variance).
- ``variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis)``: for a weight
  of shape ``shape``, the *receptive field* r is the product of the axes that are neither
  ``in_axis``, ``out_axis`` nor ``batch_axis``; fan_in = r · Π shape[in_axis], fan_out = r · Π
  shape[out_axis]; n is fan_in, fan_out, (fan_in + fan_out)/2 or √(fan_in·fan_out) (``mode``),
  and v = scale / n, rounded to ``dtype``. The draws, of mean 0 and variance v:

  - ``"normal"``: z·√v;
  - ``"truncated_normal"``: z·(√v / 0.87962566103423978), z conditioned on −2 < z < 2 (the
    constant is that truncated normal's standard deviation); complex: r·e^(iθ)·(√v /
    0.95311164380491208), r = √(−log(1 − (1 − e⁻⁴)·u)), θ = 2π·u′ (a complex standard normal
    whose modulus is truncated at 2, and that distribution's standard deviation);
  - ``"uniform"``: w·√(3v), w uniform on [−1, 1); complex: r·e^(iθ)·√v, r = √(2u), θ = 2π·u′
    (uniform on the disk of radius √2, of variance 1).

  The complex draws take u from the first key of ``admodes.random.split(key)`` and u′ from the
  second (from a ``Generator``: u, then u′). ``glorot_*``/``xavier_*`` are scale 1, "fan_avg";
  ``lecun_*`` scale 1, "fan_in"; ``he_*``/``kaiming_*`` scale 2, "fan_in"; ``*_uniform``
  "uniform", ``*_normal`` "truncated_normal".
- ``orthogonal(scale, column_axis)``: scale·Q, Q of ``admodes.random.orthogonal`` (Q·sign(diag R)
  for the QR factorization of a normal matrix, Haar-distributed, as JAX's): its columns are the
  entries along ``column_axis``, its rows the others flattened, and whichever are fewer are
  orthonormal. The QR is SciPy's LAPACK, which JAX calls too, so Q is JAX's bit for bit;
  without SciPy it is NumPy's, whose OpenBLAS may factor large matrices differently (last bits:
  2e-16 on a 1000 × 300 float64 matrix; NumPy computes float32 in float64, so float32 differs
  by about 1e-7). ``delta_orthogonal``: zero but at the centre of the spatial axes, where it is
  ``orthogonal``'s matrix (Xiao et al., 2018).

Initial values are constants to every transform.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

from admodes import random
from admodes.random import _xla
from admodes.random._common import float_dtype
from admodes.random._keys import check_key
from admodes.random._multivariate import haar

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

Key = Any
"""A PRNG key (uint32 data of shape (2,): admodes', a legacy JAX key, or
``jax.random.key_data(k)``), a ``numpy.random.Generator`` or an integer seed."""
Shape = Sequence[int]
Axes = int | Sequence[int]
Initializer = Callable[..., np.ndarray]
"""``init(key, shape, dtype=None)``: a new array of ``shape`` and ``dtype`` (float64 if None)."""

#: The standard deviation of a standard normal truncated to (−2, 2); of a complex standard normal
#: whose modulus is truncated at 2 (JAX's constants).
TRUNCATED_STD = 0.87962566103423978
COMPLEX_TRUNCATED_STD = 0.95311164380491208


# ---------------------------------------------------------------------------- draws
class _Draws(Protocol):
    """Where an initializer's random numbers come from: a PRNG key (:mod:`admodes.random`, JAX's
    numbers) or a NumPy ``Generator``. Arrays of ``shape`` and ``dtype``."""

    def uniform(self, shape: Shape, dtype: np.dtype, minval: float = 0.0) -> np.ndarray:
        """Uniform on [minval, 1) (real dtypes)."""
        ...

    def normal(self, shape: Shape, dtype: np.dtype) -> np.ndarray:
        """Standard normal; complex: (x + iy)/√2, x and y standard normal."""
        ...

    def truncated_normal(
        self, lower: float, upper: float, shape: Shape, dtype: np.dtype
    ) -> np.ndarray:
        """Standard normal conditioned on lower < x < upper (real dtypes)."""
        ...

    def orthogonal(self, n: int, m: int, dtype: np.dtype) -> np.ndarray:
        """An n × m Haar-distributed matrix with orthonormal rows (n ≤ m) or columns (m ≤ n)."""
        ...

    def split(self) -> tuple[_Draws, _Draws]:
        """Two independent sources (JAX: the keys of ``split(key)``)."""
        ...


@dataclass(frozen=True)
class _KeyDraws:
    """Draws of a PRNG key: :mod:`admodes.random`'s, which are ``jax.random``'s."""

    key: np.ndarray

    def uniform(self, shape: Shape, dtype: np.dtype, minval: float = 0.0) -> np.ndarray:
        return np.asarray(random.uniform(self.key, shape, dtype, minval))

    def normal(self, shape: Shape, dtype: np.dtype) -> np.ndarray:
        return np.asarray(random.normal(self.key, shape, dtype))

    def truncated_normal(
        self, lower: float, upper: float, shape: Shape, dtype: np.dtype
    ) -> np.ndarray:
        return np.asarray(random.truncated_normal(self.key, lower, upper, shape, dtype))

    def orthogonal(self, n: int, m: int, dtype: np.dtype) -> np.ndarray:
        return random.orthogonal(self.key, n, (), dtype, m)

    def split(self) -> tuple[_Draws, _Draws]:
        first, second = random.split(self.key)
        return _KeyDraws(first), _KeyDraws(second)


@dataclass(frozen=True)
class _NumPyDraws:
    """Draws of a NumPy ``Generator``, in float64 rounded to the dtype."""

    rng: np.random.Generator

    def uniform(self, shape: Shape, dtype: np.dtype, minval: float = 0.0) -> np.ndarray:
        return self.rng.uniform(minval, 1.0, tuple(shape)).astype(dtype)

    def normal(self, shape: Shape, dtype: np.dtype) -> np.ndarray:
        if dtype.kind == "c":
            parts = self.rng.standard_normal((2, *shape)) * math.sqrt(0.5)
            return (parts[0] + 1j * parts[1]).astype(dtype)
        return self.rng.standard_normal(tuple(shape)).astype(dtype)

    def truncated_normal(
        self, lower: float, upper: float, shape: Shape, dtype: np.dtype
    ) -> np.ndarray:
        """By rejection: normal draws, those outside the interval drawn again (which must hold
        at least 1% of the normal's mass)."""
        mass = 0.5 * (math.erf(upper / math.sqrt(2.0)) - math.erf(lower / math.sqrt(2.0)))
        if not mass >= 0.01:
            raise ValueError(
                f"truncated_normal: the interval ({lower}, {upper}) holds {mass:.3g} of a "
                "standard normal's mass; from a NumPy Generator admodes draws by rejection and "
                "needs at least 1% (JAX's default (-2, 2) holds 95%; a PRNG key has no limit)"
            )
        out = np.empty(math.prod(shape))
        filled = 0
        while filled < out.size:
            wanted = out.size - filled
            draws = self.rng.standard_normal(math.ceil(1.1 * wanted / mass) + 16)
            kept = draws[(draws > lower) & (draws < upper)][:wanted]
            out[filled : filled + kept.size] = kept
            filled += kept.size
        return out.reshape(tuple(shape)).astype(dtype)

    def orthogonal(self, n: int, m: int, dtype: np.dtype) -> np.ndarray:
        return haar(self.normal((max(n, m), min(n, m)), dtype), n, m)

    def split(self) -> tuple[_Draws, _Draws]:
        return self, self


def _draws(key: Key) -> _Draws:
    """The source of an initializer's draws: a PRNG key, a ``Generator``, or a Generator seeded
    with an integer."""
    if isinstance(key, np.random.Generator):
        return _NumPyDraws(key)
    if isinstance(key, int | np.integer) and not isinstance(key, bool):
        return _NumPyDraws(np.random.default_rng(int(key)))
    if getattr(key, "dtype", None) is None:
        raise TypeError(
            "an initializer's key must be a PRNG key (a uint32 array of shape (2,): "
            "admodes.random.key(seed), jax.random.PRNGKey(seed) or jax.random.key_data(k)), a "
            f"numpy.random.Generator or an integer seed, got {type(key).__name__}"
        )
    return _KeyDraws(check_key("an initializer", key))


# ---------------------------------------------------------------------------- dtypes
def _real_dtype(name: str, dtype: Any) -> np.dtype:
    """``dtype`` (float64 if None), which must be real for the ``name`` initializer (as JAX's)."""
    dtype = float_dtype(name, dtype, "fc")
    if dtype.kind != "f":
        raise ValueError(f"{name} draws real arrays only, not {dtype} (as JAX's)")
    return dtype


def _real_part(dtype: np.dtype) -> np.dtype:
    """The type of ``dtype``'s real part (``dtype`` itself if real)."""
    return np.finfo(dtype).dtype


# ---------------------------------------------------------------------------- constant
def zeros(key: Key, shape: Shape, dtype: Any = None) -> np.ndarray:
    """Zeros of any numeric ``dtype`` (float64 by default; ``key`` is not used)."""
    return np.zeros(tuple(shape), _any_dtype(dtype))


def ones(key: Key, shape: Shape, dtype: Any = None) -> np.ndarray:
    """Ones of any numeric ``dtype`` (float64 by default; ``key`` is not used)."""
    return np.ones(tuple(shape), _any_dtype(dtype))


def constant(value: Any, dtype: Any = None) -> Initializer:
    """An initializer of arrays full of ``value``, of any numeric ``dtype`` (float64 by
    default; ``key`` is not used)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        return np.full(tuple(shape), value, _any_dtype(dtype))

    return init


def _any_dtype(dtype: Any) -> np.dtype:
    """``dtype``, float64 if None: the constant initializers take integers and bools, as JAX's."""
    return np.dtype(np.float64 if dtype is None else dtype)


# ---------------------------------------------------------------------------- random
def uniform(scale: float = 1e-2, dtype: Any = None) -> Initializer:
    """An initializer of scale·u, u uniform on [0, 1) (real dtypes)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        dtype = _real_dtype("uniform", dtype)
        return _draws(key).uniform(tuple(shape), dtype) * dtype.type(scale)

    return init


def normal(stddev: float = 1e-2, dtype: Any = None) -> Initializer:
    """An initializer of stddev·z, z standard normal (complex: variance ½ in each part)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        dtype = float_dtype("normal", dtype, "fc")
        return _draws(key).normal(tuple(shape), dtype) * dtype.type(stddev)

    return init


def truncated_normal(
    stddev: float = 1e-2, dtype: Any = None, lower: float = -2.0, upper: float = 2.0
) -> Initializer:
    """An initializer of stddev·z, z a standard normal conditioned on lower < z < upper (no
    correction of the standard deviation for the truncation, as JAX; real dtypes)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        dtype = _real_dtype("truncated_normal", dtype)
        draws = _draws(key).truncated_normal(lower, upper, tuple(shape), dtype)
        return draws * dtype.type(stddev)

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


_DENOMINATORS: dict[str, Callable[[float, float], float]] = {
    "fan_in": lambda fan_in, fan_out: fan_in,
    "fan_out": lambda fan_in, fan_out: fan_out,
    "fan_avg": lambda fan_in, fan_out: (fan_in + fan_out) / 2,
    "fan_geo_avg": lambda fan_in, fan_out: (fan_in * fan_out) ** 0.5,
}
_DISTRIBUTIONS = ("normal", "truncated_normal", "uniform")


def variance_scaling(
    scale: float,
    mode: str,
    distribution: str,
    in_axis: Axes = -2,
    out_axis: Axes = -1,
    batch_axis: Axes = (),
    dtype: Any = None,
) -> Initializer:
    """An initializer of draws with mean 0 and variance v = scale / n (the module's text):
    z·√v (``"normal"``), z·(√v / 0.8796…) (``"truncated_normal"``, z truncated to (−2, 2);
    complex: the modulus truncated at 2, / 0.9531…), w·√(3v) (``"uniform"``, w on [−1, 1);
    complex: the disk of radius √2, times √v)."""
    if mode not in _DENOMINATORS:
        raise ValueError(
            f"variance_scaling: mode must be one of {sorted(_DENOMINATORS)}, got {mode!r}"
        )
    if distribution not in _DISTRIBUTIONS:
        raise ValueError(
            f"variance_scaling: distribution must be one of {sorted(_DISTRIBUTIONS)}, got "
            f"{distribution!r}"
        )

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        shape, dtype = tuple(shape), float_dtype("variance_scaling", dtype, "fc")
        draws = _draws(key)
        real = _real_part(dtype)
        # JAX: jnp.array(scale / n, dtype), whose real part this is; XLA's complex √ of a
        # positive real number is √ of it (correctly rounded), and its complex quotient of two
        # real numbers their real quotient, so the factors are computed as real numbers.
        fan_in, fan_out = _fans(shape, in_axis, out_axis, batch_axis)
        variance = real.type(scale / _DENOMINATORS[mode](fan_in, fan_out))
        if distribution == "normal":
            return draws.normal(shape, dtype) * dtype.type(np.sqrt(variance))
        if distribution == "truncated_normal":
            if dtype.kind == "c":
                std = np.sqrt(variance) / real.type(COMPLEX_TRUNCATED_STD)
                return _complex_truncated_normal(draws, 2.0, shape, dtype) * dtype.type(std)
            std = np.sqrt(variance) / real.type(TRUNCATED_STD)
            return draws.truncated_normal(-2.0, 2.0, shape, dtype) * std
        if dtype.kind == "c":
            return _complex_uniform(draws, shape, dtype) * dtype.type(np.sqrt(variance))
        return draws.uniform(shape, dtype, -1.0) * np.sqrt(real.type(3.0) * variance)

    return init


def _polar(modulus: np.ndarray, angle: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """r·e^(iθ) as JAX computes it: (r + 0i)·(cos θ + i·sin θ), cos and sin the C library's
    (as XLA's)."""
    turn = np.empty(angle.shape, dtype)
    turn.real, turn.imag = _xla.cos(angle), _xla.sin(angle)
    return modulus.astype(dtype) * turn


def _complex_uniform(draws: _Draws, shape: Shape, dtype: np.dtype) -> np.ndarray:
    """Uniform on the disk of radius √2 (mean 0, variance 1): r·e^(iθ), r = √(2u), θ = 2π·u′
    (JAX's ``_complex_uniform``)."""
    for_modulus, for_angle = draws.split()
    real = _real_part(dtype)
    modulus = np.sqrt(real.type(2.0) * for_modulus.uniform(shape, real))
    angle = real.type(2.0 * np.pi) * for_angle.uniform(shape, real)
    return _polar(modulus, angle, dtype)


def _complex_truncated_normal(
    draws: _Draws, upper: float, shape: Shape, dtype: np.dtype
) -> np.ndarray:
    """A complex standard normal (variance 1) whose modulus is truncated at ``upper``: r·e^(iθ),
    r = √(−log(1 − t)), t = (1 − e^(−upper²))·u (the inverse of the modulus' distribution
    function), θ = 2π·u′ (JAX's ``_complex_truncated_normal``)."""
    for_modulus, for_angle = draws.split()
    real = _real_part(dtype)
    one = real.type(1.0)
    t = (one - _xla.exp(np.asarray(-(upper**2), real))) * for_modulus.uniform(shape, real)
    # −log(1 − t) ≥ 0; |·| as XLA's complex √, which gives +0 (not −0) where it is −0.
    modulus = np.sqrt(np.abs(_complex_log(one - t)))
    angle = real.type(2.0 * np.pi) * for_angle.uniform(shape, real)
    return _polar(modulus, angle, dtype)


def _complex_log(x: np.ndarray) -> np.ndarray:
    """The real part of XLA's complex log of x + 0i, for x > 0: ½·log1p(x² − 1) where
    |x² − 1| < ½ (XLA computes x² − 1 in double-double arithmetic, so it is rounded once), and
    log x elsewhere (XLA's log max(|re|, |im|) + ½·log1p((min/max)²), the second term 0)."""
    near_one = _xla.fma(x, x, x.dtype.type(-1.0))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(
            np.abs(near_one) < x.dtype.type(0.5),
            _xla.log1p(near_one) * x.dtype.type(0.5),
            _xla.log(x),
        )


def _scaled(
    name: str, scale: float, mode: str, distribution: str, doc: str
) -> Callable[..., Initializer]:
    """The variance-scaling builder ``name`` (``glorot_normal`` and the rest)."""

    def builder(
        in_axis: Axes = -2, out_axis: Axes = -1, batch_axis: Axes = (), dtype: Any = None
    ) -> Initializer:
        return variance_scaling(scale, mode, distribution, in_axis, out_axis, batch_axis, dtype)

    builder.__name__ = builder.__qualname__ = name
    builder.__doc__ = (
        f"An initializer of draws with mean 0 and {doc} "
        f"(``variance_scaling({scale}, {mode!r}, {distribution!r})``)."
    )
    return builder


glorot_uniform = xavier_uniform = _scaled(
    "glorot_uniform", 1.0, "fan_avg", "uniform", "variance 2/(fan_in + fan_out), uniform"
)
glorot_normal = xavier_normal = _scaled(
    "glorot_normal",
    1.0,
    "fan_avg",
    "truncated_normal",
    "variance 2/(fan_in + fan_out), truncated normal",
)
lecun_uniform = _scaled("lecun_uniform", 1.0, "fan_in", "uniform", "variance 1/fan_in, uniform")
lecun_normal = _scaled(
    "lecun_normal", 1.0, "fan_in", "truncated_normal", "variance 1/fan_in, truncated normal"
)
he_uniform = kaiming_uniform = _scaled(
    "he_uniform", 2.0, "fan_in", "uniform", "variance 2/fan_in, uniform"
)
he_normal = kaiming_normal = _scaled(
    "he_normal", 2.0, "fan_in", "truncated_normal", "variance 2/fan_in, truncated normal"
)


# ---------------------------------------------------------------------------- orthogonal
def orthogonal(scale: float = 1.0, column_axis: int = -1, dtype: Any = None) -> Initializer:
    """An initializer of scale·Q, Q Haar-distributed with orthonormal columns (the entries
    along ``column_axis``, against the others flattened) or rows, whichever are fewer: JAX's
    ``random.orthogonal(key, rows, (), dtype, columns)``, reshaped."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        shape, dtype = tuple(shape), float_dtype("orthogonal", dtype, "fc")
        if len(shape) < 2:
            raise ValueError(f"orthogonal needs a shape of at least 2 dimensions, got {shape}")
        if 0 in shape:
            return np.zeros(shape, dtype)
        columns = shape[column_axis]
        q = _draws(key).orthogonal(math.prod(shape) // columns, columns, dtype)
        others = tuple(np.delete(np.array(shape), column_axis % len(shape)))
        return dtype.type(scale) * np.moveaxis(q.reshape((*others, columns)), -1, column_axis)

    return init


def delta_orthogonal(scale: float = 1.0, column_axis: int = -1, dtype: Any = None) -> Initializer:
    """An initializer of convolution kernels (3-, 4- or 5-D, in ≤ out channels) that are zero
    but at the centre of the spatial axes, ``orthogonal``'s matrix there (Xiao et al., 2018)."""

    def init(key: Key, shape: Shape, dtype: Any = dtype) -> np.ndarray:
        shape, dtype = tuple(shape), float_dtype("delta_orthogonal", dtype, "fc")
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
