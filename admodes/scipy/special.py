"""``admodes.scipy.special``: SciPy's special functions, differentiable by both engines.

Values are SciPy's; derivatives are JAX's (``jax.scipy.special``), with the formulas in
:mod:`admodes.rules.special`. ``gammainc`` and ``gammaincc`` are differentiable in both arguments
(first order in ``a``, as JAX); ``betainc`` in ``x`` only (JAX raises for ``a`` and ``b``, and so
does admodes); ``polygamma`` in ``x`` only (``n`` is an integer). ``rel_entr`` is a primitive
(SciPy's value, JAX's derivatives: 0 outside p, q > 0), ``kl_div`` and ``multigammaln`` are
composed as JAX composes them. ``logsumexp``, ``softmax`` and ``log_softmax`` are those of
:mod:`admodes.nn` with SciPy's defaults (``axis=None``), integers and bools in float64.
``i0`` is :func:`admodes.numpy.i0`, with ``jax.numpy.i0``'s derivative: 0 at x = 0, where
``jax.scipy.special.i0``'s is 1 (I₁(0) = 0).

``beta``, ``poch``, ``erfcx``, ``dawsn``, ``expn``, ``exp1``, ``expi``, ``spence``, ``zeta``
(Hurwitz's; in s to every order), ``owens_t`` and the parts of ``sici`` and ``fresnel`` are
primitives (SciPy's values, JAX's rules); ``factorial``, ``comb``, ``loggamma``, ``boxcox`` and
``boxcox1p`` are composed with JAX's selects, so their derivatives at the edges are JAX's;
``gammasgn`` and ``bernoulli`` are constants. ``expn`` is not differentiated in its integer
order, ``factorial`` and ``comb`` have no ``exact=True`` (Python integers, as JAX), and ``zeta``
needs q (JAX has no Riemann zeta).

``hyp1f1`` and ``hyp2f1`` (real arguments) are differentiable in every argument, as JAX's: in x by
the classical formulas, in a, b, c by JAX's series summed to convergence (Kummer's and Pfaff's
transformations for x < 0, to every order). ``bessel_jn(z, *, v, n_iter=50)`` stacks J₀, …, J_v
on a new leading axis, as JAX's (SciPy's ``jv``; ``n_iter`` is not used). ``wofz`` is complex and
holomorphic (JAX's conventions: ``jvp`` complex-linear, ``holomorphic=True`` for ``grad`` of its
output). ``sph_harm_y(n, m, theta, phi, diff_n=None, n_max=None)`` takes integer n ≥ 0 and m and
is differentiable in θ and φ (finite at the poles, where JAX's is nan); ``diff_n`` raises, as in
JAX.
"""

from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np
import scipy.special as sc

import admodes.numpy as anp
from admodes import nn
from admodes.batching import array_numbers, is_mapped, on_numbers
from admodes.core import at_each_index, dtype_of, numbers, plain
from admodes.nn import logsumexp
from admodes.numpy._reductions import inexact
from admodes.rules import elementwise as _elementwise
from admodes.rules import special as _special
from admodes.rules.elementwise import exp_abs, weak_scalars
from admodes.rules.special import ci, fresnel_c, fresnel_s, rgamma, si, xlogx
from admodes.rules.special import hyp1f1 as _hyp1f1
from admodes.rules.special import hyp2f1 as _hyp2f1
from admodes.rules.special import jv as _jv
from admodes.rules.special import sph_harm_y as _sph_harm_y
from admodes.rules.special import wofz as _wofz
from admodes.rules.special import zeta as hurwitz_zeta

__all__ = [
    "bernoulli",
    "bessel_jn",
    "beta",
    "betainc",
    "betaln",
    "boxcox",
    "boxcox1p",
    "comb",
    "dawsn",
    "digamma",
    "entr",
    "erf",
    "erfc",
    "erfcinv",
    "erfcx",
    "erfinv",
    "exp1",
    "expi",
    "expit",
    "expn",
    "factorial",
    "fresnel",
    "gamma",
    "gammainc",
    "gammaincc",
    "gammaln",
    "gammasgn",
    "hyp1f1",
    "hyp2f1",
    "i0",
    "i0e",
    "i1",
    "i1e",
    "kl_div",
    "log_ndtr",
    "log_softmax",
    "loggamma",
    "logit",
    "logsumexp",
    "multigammaln",
    "ndtr",
    "ndtri",
    "owens_t",
    "poch",
    "polygamma",
    "psi",
    "rel_entr",
    "rgamma",
    "sici",
    "softmax",
    "spence",
    "sph_harm_y",
    "wofz",
    "xlog1py",
    "xlogy",
    "zeta",
]

i0 = anp.i0


# ---------------------------------------------------------------------------- the primitives
# Each is a primitive of admodes.rules (SciPy's value, JAX's derivative) under JAX's (and
# SciPy's) parameter names, so that they can be passed as keywords, as to JAX's.
def erf(x: Any) -> Any:
    """erf(x) = 2/√π ∫₀ˣ e^(−t²) dt."""
    return _special.erf(x)


def erfc(x: Any) -> Any:
    """erfc(x) = 1 − erf(x)."""
    return _elementwise.erfc(x)


def erfinv(x: Any) -> Any:
    """The inverse of erf on (−1, 1)."""
    return _special.erfinv(x)


def erfcx(x: Any) -> Any:
    """The scaled complementary error function e^(x²) erfc(x)."""
    return _special.erfcx(x)


def dawsn(x: Any) -> Any:
    """Dawson's integral e^(−x²) ∫₀ˣ e^(t²) dt."""
    return _special.dawsn(x)


def ndtri(p: Any) -> Any:
    """The inverse of the standard normal CDF Φ."""
    return _special.ndtri(p)


def log_ndtr(x: Any, series_order: int = 3) -> Any:
    """log Φ(x) (SciPy's value, accurate in the far tails; JAX's ``series_order``, the terms of
    its asymptotic series for x < −20, is accepted and not used)."""
    return _special.log_ndtr(x)


def expit(x: Any) -> Any:
    """The logistic function 1/(1 + e^(−x))."""
    return _elementwise.logistic(x)


def gamma(x: Any) -> Any:
    """Γ(x) = ∫₀^∞ t^(x−1) e^(−t) dt."""
    return _special.gamma(x)


def gammaln(x: Any) -> Any:
    """log |Γ(x)|."""
    return _special.gammaln(x)


def digamma(x: Any) -> Any:
    """ψ(x) = Γ′(x)/Γ(x)."""
    return _special.digamma(x)


psi = digamma


def polygamma(n: Any, x: Any) -> Any:
    """ψ⁽ⁿ⁾(x), the n-th derivative of ψ (integer n ≥ 0)."""
    return _special.polygamma(n, x)


def gammainc(a: Any, x: Any) -> Any:
    """The regularized lower incomplete gamma function P(a, x) = γ(a, x)/Γ(a)."""
    return _special.gammainc(a, x)


def gammaincc(a: Any, x: Any) -> Any:
    """The regularized upper incomplete gamma function Q(a, x) = 1 − P(a, x)."""
    return _special.gammaincc(a, x)


def beta(a: Any, b: Any) -> Any:
    """B(a, b) = Γ(a) Γ(b)/Γ(a + b)."""
    return _special.beta(a, b)


def betaln(a: Any, b: Any) -> Any:
    """log |B(a, b)|."""
    return _special.betaln(a, b)


def betainc(a: Any, b: Any, x: Any) -> Any:
    """The regularized incomplete beta function I_x(a, b) = B(x; a, b)/B(a, b)."""
    return _special.betainc(a, b, x)


def poch(z: Any, m: Any) -> Any:
    """The Pochhammer symbol (z)_m = Γ(z + m)/Γ(z)."""
    return _special.poch(z, m)


def expn(n: Any, x: Any) -> Any:
    """The generalized exponential integral Eₙ(x) = ∫₁^∞ e^(−xt)/tⁿ dt (integer n ≥ 0)."""
    return _special.expn(n, x)


def exp1(x: Any) -> Any:
    """The exponential integral E₁(x) = ∫₁^∞ e^(−xt)/t dt."""
    return _special.exp1(x)


def expi(x: Any) -> Any:
    """The exponential integral Ei(x) = −PV ∫₋ₓ^∞ e^(−t)/t dt."""
    return _special.expi(x)


def spence(x: Any) -> Any:
    """Spence's function (the dilogarithm of 1 − x) ∫₁ˣ log t/(1 − t) dt, for x ≥ 0."""
    return _special.spence(x)


def owens_t(h: Any, a: Any) -> Any:
    """Owen's T function T(h, a) = 1/(2π) ∫₀ᵃ e^(−h²(1 + x²)/2)/(1 + x²) dx."""
    return _special.owens_t(h, a)


def i0e(x: Any) -> Any:
    """The exponentially scaled modified Bessel function e^(−|x|) I₀(x)."""
    return _elementwise.i0e(x)


def i1e(x: Any) -> Any:
    """The exponentially scaled modified Bessel function e^(−|x|) I₁(x)."""
    return _elementwise.i1e(x)


def xlogy(x: Any, y: Any) -> Any:
    """x log y, 0 where x = 0."""
    return _special.xlogy(x, y)


def xlog1py(x: Any, y: Any) -> Any:
    """x log(1 + y), 0 where x = 0."""
    return _special.xlog1py(x, y)


def rel_entr(p: Any, q: Any) -> Any:
    """p log(p/q) for p, q > 0, 0 at p = 0 ≤ q, inf elsewhere (SciPy's value; JAX's derivatives,
    0 outside p, q > 0)."""
    return _special.rel_entr(p, q)


def entr(x: Any) -> Any:
    """−x log x for x ≥ 0 (0 at 0), −inf for x < 0 (JAX's select: the derivative is 0 there in
    forward mode, nan in reverse mode, as JAX)."""
    return anp.where(numbers(x) < 0, -np.inf, anp.negative(xlogx(x)))


def kl_div(p: Any, q: Any) -> Any:
    """p log(p/q) − p + q for p, q > 0, q at p = 0 ≤ q, inf elsewhere: rel_entr(p, q) − p + q, as
    JAX (derivatives log(p/q) and 1 − p/q where p, q > 0; −1 and 1 at p = 0)."""
    return anp.add(anp.subtract(rel_entr(p, q), p), q)


def multigammaln(a: Any, d: int) -> Any:
    """log Γ_d(a) = d(d − 1)/4 · log π + Σⱼ log Γ(a − j/2), j = 0, …, d − 1 (JAX's sum; SciPy's
    checks: d an integer, every a > (d − 1)/2)."""
    if not np.isscalar(d) or np.floor(d) != d:
        raise ValueError("multigammaln: d should be a positive integer (dimension)")
    d = int(d)
    at_each_index(lambda values: _above_half(values, d), a)
    offsets = np.arange(d) / 2.0
    terms = gammaln(anp.subtract(anp.expand_dims(a, -1), offsets))
    return anp.add(anp.sum(terms, axis=-1), 0.25 * d * (d - 1) * math.log(math.pi))


def _above_half(a: np.ndarray, d: int) -> None:
    """SciPy's ValueError unless every entry of the plain ``a`` exceeds (d − 1)/2."""
    if np.any(np.asarray(a) <= 0.5 * (d - 1)):
        raise ValueError(
            f"multigammaln: condition a > 0.5 * (d-1) = {0.5 * (d - 1)} not met (a = {a!r}); "
            "log Γ_d(a) is defined for a > (d - 1)/2 only"
        )


def ndtr(x: Any) -> Any:
    """Φ(x) = erfc(−x/√2) / 2."""
    return anp.multiply(0.5, erfc(anp.multiply(x, -math.sqrt(0.5))))


def erfcinv(y: Any) -> Any:
    """erfcinv(y) = −ndtri(y/2)/√2 (accurate for small y, where erfinv(1 − y) is not)."""
    return anp.multiply(ndtri(anp.multiply(y, 0.5)), -math.sqrt(0.5))


def logit(x: Any) -> Any:
    """log(x / (1 − x)) = log x − log1p(−x): its derivative 1/x + 1/(1 − x) = 1/(x(1 − x)) is
    inf at 0 and at 1 by both modes, as JAX's (a quotient would give 0·∞ = nan in reverse mode)."""
    return anp.subtract(anp.log(x), anp.log1p(anp.negative(x)))


def i1(x: Any) -> Any:
    """The modified Bessel function I₁ = e^|x| · i1e(x)."""
    return anp.multiply(exp_abs(x), i1e(x))


def softmax(x: Any, axis: int | tuple[int, ...] | None = None) -> Any:
    """exp(x) / Σ exp(x) over ``axis`` (every axis by default, as SciPy); integers and bools in
    float64, as SciPy's."""
    return nn.softmax(inexact(x), axis=axis)


def log_softmax(x: Any, axis: int | tuple[int, ...] | None = None) -> Any:
    """x − logsumexp(x) over ``axis`` (every axis by default, as SciPy); integers and bools in
    float64, as SciPy's."""
    return nn.log_softmax(inexact(x), axis=axis)


# ---------------------------------------------------------------------------- gamma family
_gammasgn = weak_scalars(sc.gammasgn)


def gammasgn(x: Any) -> Any:
    """The sign of Γ(x): 1 for x > 0 and at +0, −1 at −0, ±1 between the poles, nan at the poles
    (negative integers), at −inf and nan (SciPy's value). A constant to every transform: its
    derivative is 0, as JAX's select of constants."""
    x = numbers(x)
    return on_numbers(sc.gammasgn, (x,), {}) if is_mapped(x) else _gammasgn(x)


def loggamma(x: Any) -> Any:
    """log Γ(x) for real x > 0 (``gammaln``); inf at 0 and nan below, as SciPy (whose principal
    branch is complex there: admodes' values are real). Its derivative is ψ(x) for x > 0 and, as
    JAX's where(x > 0, gammaln(x), nan), elsewhere 0 by forward mode and 0 · ψ(x) by reverse mode
    (nan at the poles)."""
    if np.iscomplexobj(x):
        raise TypeError(
            "loggamma: complex x is not supported (admodes.scipy is real-valued); for real x, "
            "pass x.real, or use gammaln for log|Γ(x)|"
        )
    p = array_numbers(x)
    log_gamma = gammaln(x)
    kind = dtype_of(log_gamma).type
    return anp.where(p > 0, log_gamma, anp.where(p == 0, kind(np.inf), kind(np.nan)))


def factorial(n: Any, exact: bool = False) -> Any:
    """n! = Γ(n + 1) for n ≥ 0 and 0 for n < 0 (SciPy's value). Its derivative Γ(n + 1) ψ(n + 1)
    is JAX's (of exp(gammaln(n + 1))): 0 for n < 0 by forward mode, 0 · Γ'(n + 1) by reverse mode
    (nan at n = −1, −2, ...), as JAX's where."""
    if exact:
        raise NotImplementedError(
            "factorial(n, exact=True) gives Python integers, which have no derivative (JAX has no "
            "exact=True either): use scipy.special.factorial for exact integers, or exact=False"
        )
    return anp.where(numbers(n) < 0, 0.0, gamma(anp.add(n, 1.0)))


def comb(N: Any, k: Any, *, exact: bool = False, repetition: bool = False) -> Any:
    """The binomial coefficient N!/(k! (N − k)!) = 1/((N + 1) B(N − k + 1, k + 1)) (SciPy's
    formula for its value) for 0 ≤ k ≤ N, and 0 elsewhere. With ``repetition``, 1 at k = 0 ≤ N
    and comb(N + k − 1, k) elsewhere, as JAX: 0 for N < 1 or k < 0, where SciPy's value is a
    binomial coefficient of a negative or fractional top, or nan.

    Derivatives JAX's: C · (ψ(N + 1) − ψ(N − k + 1)) in N, C · (ψ(N − k + 1) − ψ(k + 1)) in k,
    0 where the value is the constant 0 or 1 (the arguments there replaced by 0 in the formula,
    as JAX's, so that neither mode sees a pole)."""
    if exact:
        raise NotImplementedError(
            "comb(N, k, exact=True) gives Python integers, which have no derivative (JAX has no "
            "exact=True either): use scipy.special.comb for exact integers, or exact=False"
        )
    if repetition:
        first = (array_numbers(k) == 0) & (array_numbers(N) >= 0)
        return anp.where(first, 1.0, comb(anp.subtract(anp.add(N, k), 1.0), k))
    n_, k_ = numbers(N), numbers(k)
    inside = (k_ <= n_) & (n_ >= 0) & (k_ >= 0)
    zero = np.zeros((), np.result_type(_promoted(n_), _promoted(k_), 1.0))  # float32 N: float32
    safe_n, safe_k = anp.where(inside, N, zero), anp.where(inside, k, zero)
    spread = beta(anp.add(anp.subtract(safe_n, safe_k), 1.0), anp.add(safe_k, 1.0))
    return anp.where(inside, anp.divide(1.0, anp.multiply(anp.add(safe_n, 1.0), spread)), 0.0)


def _promoted(x: Any) -> Any:
    """What ``x`` (numbers) contributes to ``np.result_type``: itself (a Python scalar stays weak),
    or its dtype where vmap maps it."""
    return x.dtype if is_mapped(x) else x


def bernoulli(n: int) -> np.ndarray:
    """The Bernoulli numbers B₀, …, Bₙ (B₁ = −1/2), SciPy's: constants, not differentiable."""
    if np.ndim(n) or n != np.floor(n) or n < 0:
        raise ValueError(
            f"bernoulli: n must be a non-negative integer (the index of the last number), got {n!r}"
        )
    return sc.bernoulli(int(n))


# ---------------------------------------------------------------------------- Box-Cox
def boxcox(x: Any, lmbda: Any) -> Any:
    """The Box-Cox transform (x^λ − 1)/λ = expm1(λ log x)/λ, log x at λ = 0 (SciPy's value: nan
    for x < 0). Derivatives JAX's: x^(λ−1) in x; in λ, that of the quotient, and 0 at λ = 0
    (JAX's select of log x, where the limit is (log x)²/2)."""
    return _boxcox(anp.log(x), lmbda)


def boxcox1p(x: Any, lmbda: Any) -> Any:
    """The Box-Cox transform of 1 + x: expm1(λ log1p(x))/λ, log1p(x) at λ = 0 (SciPy's value:
    nan for x < −1); derivatives as :func:`boxcox`'s (0 in λ at λ = 0, as JAX)."""
    return _boxcox(anp.log1p(x), lmbda)


def _boxcox(log_x: Any, lmbda: Any) -> Any:
    """expm1(λ · log_x)/λ, and log_x where λ = 0 (JAX's select, the quotient taken at λ = 1
    there); a single λ takes its one branch, also at each index of a vmap, where the quotient
    sees log_x = 0 and λ = 1 for λ = 0, so its derivatives there are 0, not 0 · inf."""
    zero = array_numbers(lmbda) == 0
    if zero.ndim:
        return anp.where(zero, log_x, _expm1_quotient(log_x, anp.where(zero, 1.0, lmbda)))
    if not is_mapped(zero):
        return log_x if zero else _expm1_quotient(log_x, lmbda)
    quotient = _expm1_quotient(anp.where(zero, 0.0, log_x), anp.where(zero, 1.0, lmbda))
    return anp.where(zero, log_x, quotient)


def _expm1_quotient(log_x: Any, lmbda: Any) -> Any:
    """expm1(λ · log_x)/λ."""
    return anp.divide(anp.expm1(anp.multiply(lmbda, log_x)), lmbda)


# ---------------------------------------------------------------------------- integrals
def sici(x: Any) -> tuple[Any, Any]:
    """The sine and cosine integrals (Si(x), Ci(x)), SciPy's values (Ci(x) = Ci(|x|) for x < 0,
    the real part of its principal value, as SciPy and JAX). Derivatives JAX's: sin x / x (1 at
    0) and cos x / x."""
    return si(x), ci(x)


def fresnel(x: Any) -> tuple[Any, Any]:
    """The Fresnel integrals (S(x), C(x)) = ∫₀ˣ (sin, cos)(πt²/2) dt, SciPy's values.
    Derivatives JAX's: sin(πx²/2) and cos(πx²/2), with x²/2 reduced modulo 2 exactly (accurate
    for large x)."""
    return fresnel_s(x), fresnel_c(x)


# ---------------------------------------------------------------------------- zeta
def zeta(x: Any, q: Any = None) -> Any:
    """The Hurwitz zeta function ζ(x, q) = Σₙ (n + q)^−x (SciPy's value). Derivatives JAX's:
    −x ζ(x + 1, q) in q; in x, that of JAX's Euler–Maclaurin series (to every order). The
    Riemann zeta function (q = None) is not implemented, as in JAX."""
    if q is None:
        raise NotImplementedError(
            "zeta(x) without q (the Riemann zeta function) is not implemented (nor in JAX): pass "
            "q = 1.0, ζ(x, 1) being the Riemann function for x > 1"
        )
    return hurwitz_zeta(x, q)


# ---------------------------------------------------------------------------- hypergeometric
def hyp1f1(a: Any, b: Any, x: Any) -> Any:
    """Kummer's confluent hypergeometric function ₁F₁(a; b; x) = Σₖ (a)ₖ/(b)ₖ · xᵏ/k! of real
    arguments (SciPy's value: inf at a = b = 0, where JAX's convention is 1; complex inputs raise
    ValueError, as JAX's).

    Derivatives JAX's, in every argument: ∂/∂x = (a/b) ₁F₁(a + 1; b + 1; x); ∂/∂a and ∂/∂b are
    its series differentiated term by term, Σₖ ∂[(a)ₖ/(b)ₖ] xᵏ/k! with ∂(a)ₖ/∂a = (a)ₖ (ψ(a + k)
    − ψ(a)), summed to convergence (in power series of the arguments, so to every order; for
    x < 0 by Kummer's transformation eˣ ₁F₁(b − a; b; −x), where JAX's alternating series loses
    digits). At a = 0 and at negative integers a they are the derivatives of the function (JAX's
    series gives 0 and nan there)."""
    return _hyp1f1(a, b, x)


def hyp2f1(a: Any, b: Any, c: Any, x: Any) -> Any:
    """Gauss's hypergeometric function ₂F₁(a, b; c; x) = Σₖ (a)ₖ (b)ₖ/(c)ₖ · xᵏ/k! of real
    arguments (SciPy's value, inf for x > 1; complex inputs raise ValueError).

    Derivatives JAX's, in every argument: ∂/∂x = (ab/c) ₂F₁(a + 1, b + 1; c + 1; x); ∂/∂a, ∂/∂b,
    ∂/∂c are its series differentiated term by term (∂(a)ₖ/∂a = (a)ₖ (ψ(a + k) − ψ(a))), summed
    to convergence for 0 ≤ x < 1 and, for x < 0, that of Pfaff's transformation (1 − x)^−a
    ₂F₁(a, c − b; c; x/(x − 1)) (JAX's series diverges for x < −1); nan for x ≥ 1, and where
    that would take more than 100 000 terms: 1 − x below about 4·10⁻⁵ s, or x below about
    −2.5·10⁴/s (s = |a| + |b| + |c| + 1); a second near x = 1 or far below 0."""
    return _hyp2f1(a, b, c, x)


# ---------------------------------------------------------------------------- Bessel functions
def bessel_jn(z: Any, *, v: int, n_iter: int = 50) -> Any:
    """The Bessel functions of the first kind J₀(z), …, J_v(z) of real z, stacked on a new
    leading axis: shape (v + 1, *z.shape), z's float dtype (JAX's layout). Values SciPy's ``jv``
    (JAX's backward recurrence of ``n_iter`` steps loses digits for |z| above about n_iter/2 and
    is nan at z = 0); ``n_iter`` is accepted for JAX's signature and not used.

    Derivative (that of JAX's recurrence, in closed form): J_n' = (J_{n−1} − J_{n+1})/2, J₀' =
    −J₁ (J₋₁ = −J₁); the orders are integers, not differentiated."""
    try:
        v = operator.index(v)
    except TypeError:
        raise TypeError(
            f"bessel_jn: the highest order v must be a Python integer, got {v!r}: JAX's "
            "bessel_jn takes a static integer v (operator.index) and so does admodes"
        ) from None
    if v < 0:
        raise ValueError(
            f"bessel_jn: the highest order v must be >= 0, got {v}: J_0, ..., J_v are returned"
        )
    int(n_iter)  # JAX's check of its static n_iter (unused: SciPy computes the values)
    if np.iscomplexobj(z):
        raise ValueError(
            "bessel_jn: complex input not supported (nor by JAX): pass real z, or call "
            "scipy.special.jv for complex z (not differentiable)"
        )
    dtype = dtype_of(z) if dtype_of(z).kind == "f" else np.dtype(np.float64)
    orders = np.arange(v + 1, dtype=dtype).reshape((-1,) + (1,) * np.ndim(z))
    return _jv(orders, z)


# ---------------------------------------------------------------------------- Faddeeva
def wofz(z: Any) -> Any:
    """The Faddeeva function w(z) = e^(−z²) erfc(−iz), SciPy's value, complex for real z too
    (complex64 for float32 and complex64 z, as JAX's; a Python complex for a Python number).

    Holomorphic, with JAX's derivative w'(z) = −2z w(z) + 2i/√π: ``jvp`` is complex-linear, and
    ``grad``/``jacrev`` of its complex output need ``holomorphic=True`` (of complex z), as in
    JAX; for real z, ``jacfwd`` gives the complex w'(x) and ``grad`` of a real part of it the
    real part of w'(x)."""
    return _wofz(z)


# ---------------------------------------------------------------------------- spherical harmonics
def sph_harm_y(
    n: Any, m: Any, theta: Any, phi: Any, diff_n: int | None = None, n_max: int | None = None
) -> Any:
    """The spherical harmonic Y_n^m(θ, φ) = √((2n + 1)/(4π) · (n − m)!/(n + m)!) P_n^m(cos θ)
    e^(imφ) (with the Condon–Shortley phase), of integer degree n ≥ 0 and order m, colatitude θ
    and longitude φ: SciPy's value (0 for |m| > n), complex, the arguments broadcast as SciPy's
    (JAX's 1-D arrays and scalar θ give JAX's 1-D result). With ``n_max``, n is clipped to it,
    as JAX's table of degrees 0, …, n_max; ``diff_n`` is not supported (as in JAX: differentiate
    with admodes instead).

    Differentiable in θ and φ (n and m are integers): ∂Y/∂φ = im Y, and ∂Y/∂θ = ½
    (√((n − m)(n + m + 1)) e^(−iφ) Y_n^(m+1) − √((n + m)(n − m + 1)) e^(iφ) Y_n^(m−1)), which is
    JAX's derivative of its recurrence, and is finite at the poles θ = 0 and π (where JAX's
    is nan, from the derivative of √(1 − cos²θ) at 0)."""
    if diff_n is not None:
        raise NotImplementedError(
            "sph_harm_y: the diff_n argument is not supported (nor by JAX): leave it None and "
            "take derivatives with admodes (ad.grad, ad.jacfwd, ad.jacrev) in theta and phi"
        )
    n, m = plain(n), plain(m)
    for name, k in (("degree n", n), ("order m", m)):
        kind = np.asarray(k).dtype.kind
        if kind not in "iu":
            raise TypeError(
                f"sph_harm_y: the {name} must be integers, got {np.asarray(k).dtype}: pass "
                "Python ints or integer arrays (SciPy and JAX raise TypeError too)"
            )
    if np.any(np.asarray(n) < 0):
        raise ValueError(
            f"sph_harm_y: the degree n must be >= 0, got {n!r} (JAX's value is undefined "
            "there): pass n >= 0 (and |m| <= n; Y_n^m is 0 for |m| > n)"
        )
    if n_max is not None:
        if int(n_max) != n_max or n_max < 0:
            raise ValueError(
                f"sph_harm_y: n_max must be a non-negative integer (the largest degree), got "
                f"{n_max!r}"
            )
        n = min(n, int(n_max)) if type(n) is int else np.minimum(n, int(n_max))
    return _sph_harm_y(n, m, theta, phi)
