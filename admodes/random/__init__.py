"""``admodes.random``: JAX's ``jax.random``, bit for bit, in NumPy.

The same keys give the same numbers as JAX (64-bit types enabled, JAX's default threefry2x32
generator in its default partitionable mode, on the CPU), so a JAX script ports by a rename::

    import admodes.random as random        # for: import jax.random as random
    key = random.key(0)
    key, sub = random.split(key)
    w = random.normal(sub, (3, 2))          # == jax.random.normal(jax.random.key(0)... )

**Keys** are JAX's raw key data: NumPy uint32 arrays of shape (2,) (or (..., 2)).
:func:`PRNGKey` and :func:`key` both return that array (JAX's ``key`` returns a typed key
wrapping it), and every function takes one: an admodes key, a legacy JAX key (a uint32 JAX
array of shape (2,)), or ``jax.random.key_data(k)`` of a typed JAX key. admodes does not import
JAX; a typed JAX key itself gets a TypeError saying to pass ``jax.random.key_data(k)``.

**Bits.** Threefry-2x32 (Salmon et al., 2011) encrypts counters with the key, as JAX
(:mod:`admodes.random._threefry`); :func:`split`, :func:`fold_in` and :func:`bits` give JAX's
key data and bits exactly.

**Samples.** Every distribution uses JAX's algorithm on those bits, and XLA's arithmetic for its
transform: XLA's CPU code computes ``exp``, ``log``, ``log1p``, ``erf⁻¹``, ``lgamma`` and 1/√x
with its own approximations, contracts products and sums into fused multiply-adds, flushes
subnormal results to zero, and simplifies some formulas (a division by a constant or by a
broadcast number becomes a multiplication by its reciprocal); admodes does the same in NumPy
(:mod:`admodes.random._xla`, :mod:`admodes.random._common`), so the samples are JAX's bit for
bit: float64 (the default, as JAX with 64-bit types), float32 and, where JAX draws them,
float16. Where XLA's result depends on the processor or on how it vectorizes a sum:

- XLA's float32 1/√d in the gamma family (gamma, loggamma, beta, dirichlet, chisquare, f, t,
  generalized_normal, ball) starts from the processor's approximate ``rsqrtss``, which differs
  between processors; admodes rounds 1/√d correctly, so float32 gamma samples match JAX for the
  shapes α where the two agree (in float64 XLA uses AVX-512's ``vrsqrt14``, which admodes
  reproduces: exact on processors with AVX-512);
- sums whose order XLA's vectorizer picks per shape: ``multivariate_normal``'s factor·z (admodes
  follows XLA's order for float64 with n ≤ 3, and n = 4, 5 or 8 in batches of 8 or more;
  otherwise the last bit may differ), ``ball``'s Σ|gᵢ|ᵖ (d ≤ 4), ``dirichlet``'s normalizing
  sum and ``maxwell``'s (in the orders XLA uses for them);
- JAX's own numbers need a processor with fused multiply-add (x86-64 since 2013, ARM64), and
  XLA's default CPU code generator: with ``--xla_cpu_use_fusion_emitters=false`` XLA computes
  tan (``cauchy``), float32 erf (``truncated_normal``) and float16 differently.

Results equal JAX's eager calls (each ``jax.random`` function compiled on its own); inside a
larger ``jax.jit``, XLA may fuse and simplify across the call and change last bits. The discrete
samplers (randint, bernoulli, categorical, choice, permutation, poisson, binomial, multinomial,
geometric, rademacher) return JAX's integers.

**Derivatives.** Samples are constants to admodes' transforms. Parameters that enter by
arithmetic may be traced, and differentiate as JAX's (reparameterization): ``minval``/``maxval``
of :func:`uniform`, the bounds of :func:`truncated_normal`, ``mean`` and ``cov`` of
:func:`multivariate_normal`, ``sigma`` (:func:`lognormal`), ``b`` (:func:`pareto`),
``scale``/``concentration`` (:func:`weibull_min`), ``scale`` (:func:`rayleigh`), ``loc``/``scale``
(:func:`double_sided_maxwell`), ``left``/``mode``/``right`` (:func:`triangular`) and ``mean``
(:func:`wald`), and the shape parameters of the gamma family (:func:`gamma`, :func:`loggamma`,
:func:`beta`, :func:`dirichlet`, :func:`chisquare`, :func:`f`, :func:`t`,
:func:`generalized_normal`, :func:`ball`: JAX's implicit derivative of a gamma draw,
:mod:`admodes.random._gamma`). Discrete samples have no derivative.
"""

from admodes.random._counts import binomial, multinomial, poisson
from admodes.random._discrete import (
    bernoulli,
    categorical,
    choice,
    permutation,
    rademacher,
    randint,
)
from admodes.random._distributions import (
    cauchy,
    double_sided_maxwell,
    exponential,
    geometric,
    gumbel,
    laplace,
    logistic,
    lognormal,
    maxwell,
    normal,
    pareto,
    rayleigh,
    triangular,
    truncated_normal,
    uniform,
    wald,
    weibull_min,
)
from admodes.random._gamma import (
    ball,
    beta,
    chisquare,
    dirichlet,
    f,
    gamma,
    generalized_normal,
    loggamma,
    t,
)
from admodes.random._keys import (
    PRNGKey,
    bits,
    clone,
    fold_in,
    key,
    key_data,
    key_impl,
    split,
    wrap_key_data,
)
from admodes.random._multivariate import multivariate_normal, orthogonal

__all__ = [
    "PRNGKey",
    "ball",
    "bernoulli",
    "beta",
    "binomial",
    "bits",
    "categorical",
    "cauchy",
    "chisquare",
    "choice",
    "clone",
    "dirichlet",
    "double_sided_maxwell",
    "exponential",
    "f",
    "fold_in",
    "gamma",
    "generalized_normal",
    "geometric",
    "gumbel",
    "key",
    "key_data",
    "key_impl",
    "laplace",
    "loggamma",
    "logistic",
    "lognormal",
    "maxwell",
    "multinomial",
    "multivariate_normal",
    "normal",
    "orthogonal",
    "pareto",
    "permutation",
    "poisson",
    "rademacher",
    "randint",
    "rayleigh",
    "split",
    "t",
    "triangular",
    "truncated_normal",
    "uniform",
    "wald",
    "weibull_min",
    "wrap_key_data",
]
