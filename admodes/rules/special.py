"""Special functions (``scipy.special``) and the SciPy operations with their own derivative rules:
the LU factorization, the matrix exponential, the Sylvester solve, the tridiagonal solve and the
full N-dimensional convolution.

Only :mod:`admodes.scipy` and :mod:`admodes.lax.linalg` import this module, so SciPy stays an
optional dependency.

Elementwise entries give their local partials; values are SciPy's, derivatives JAX's:

- ``erf' = 2/√π · e^(−x²)``, ``erfinv' = √π/2 · e^(erfinv²)``, ``ndtri' = √(2π) · e^(ndtri²/2)``,
  ``log_ndtr' = φ(x)/Φ(x) = exp(−x²/2 − log √(2π) − log_ndtr(x))``, ``erfcx' = 2x · erfcx −
  2/√π``, ``dawsn' = 1 − 2x · dawsn``; Owen's T: ``∂T(h, a)/∂h = −e^(−h²/2) erf(ah/√2)/(2√(2π))``,
  ``∂T/∂a = e^(−(1 + a²)h²/2)/(2π(1 + a²))``,
- ``gamma' = Γ·ψ``, ``gammaln' = ψ`` (``gammaln`` is log|Γ|), ``rgamma' = −ψ/Γ``, ``digamma' =
  polygamma(1, ·)``, ``polygamma(n, x)' = polygamma(n + 1, x)`` (a traced integer order n raises),
- ``betaln(a, b)``: ``∂/∂a = ψ(a) − ψ(a + b)``; ``beta(a, b)``: ``∂/∂a = B · (ψ(a) − ψ(a + b))``
  (JAX's sign · exp(betaln) differentiated); ``poch(z, m) = Γ(z + m)/Γ(z)``: ``∂/∂z = (z)_m ·
  (ψ(z + m) − ψ(z))``, ``∂/∂m = (z)_m · ψ(z + m)`` (JAX's rules: ψ(z) at m = 0, where JAX's value
  is a constant 1),
- ``gammainc(a, x) = P(a, x)``: ``∂/∂x = x^(a−1) e^(−x) / Γ(a)``; ``∂/∂a`` by
  ``gammainc_grad_a``, which evaluates JAX's algorithm (the series of P where x ≤ 1 or x ≤ a,
  else the continued fraction of Q = 1 − P, as Cephes) with its derivative in ``a`` taken exactly
  by a complex step. Its own derivative in ``x`` is ``∂P/∂x · (log x − ψ(a))``; in ``a`` it is
  not implemented (JAX has none either) and raises. ``gammaincc = 1 − gammainc`` in derivatives,
- the exponential integrals: ``expn(n, x)' = −expn(n − 1, x)`` (none in the integer n; for n = 0,
  E₋₁(x) = E₀(x)(1 + 1/x), where SciPy's E₋₁ is nan), ``exp1' = −E₀(x) = −e^(−x)/x``, ``expi' =
  eˣ/x``; the sine and cosine integrals ``si' = sin x / x`` (JAX's sinc: 1 at 0), ``ci' = cos x /
  x``; the Fresnel integrals ``fresnel_s' = sin(πx²/2)``, ``fresnel_c' = cos(πx²/2)`` (x²/2
  reduced modulo 2 exactly, as JAX),
- ``spence(z) = ∫₁ᶻ log t/(1 − t) dt``: ``spence' = log z/(1 − z)``, and 0 where JAX's piecewise
  definition is a constant: at z = 1 (the limit there is −1), at z = 0 and for z < 0,
- the Hurwitz ``zeta(s, q)``: ``∂/∂q = −s ζ(s + 1, q)``; ``∂/∂s`` by ``zeta_s_derivative(k, s,
  q)``, the k-th derivative in s of JAX's Euler–Maclaurin series (N = M = 16), by power series
  in s; in q it is −s ζ⁽ᵏ⁾(s + 1, q) − k ζ⁽ᵏ⁻¹⁾(s + 1, q), in s ``zeta_s_derivative(k + 1, ·)``,
- ``xlogy(x, y) = x log y`` (0 where x = 0): ``∂/∂x = log y``, ``∂/∂y = x/y`` (JAX's custom
  rule), likewise ``xlog1py``; ``xlogx' = log x + 1`` (−inf at 0), from which
  ``admodes.scipy.special.entr`` is built as JAX builds it,
- ``rel_entr(p, q) = p log(p/q)`` for p, q > 0 (0 at p = 0 ≤ q, inf elsewhere): ``∂/∂p =
  log p + 1 − log q``, ``∂/∂q = −p/q`` for p, q > 0 and 0 elsewhere (JAX's, whose value
  xlogx(p) − xlogy(p, q) is SciPy's but for rounding),
- the hypergeometric functions: ``∂₁F₁(a; b; x)/∂x = (a/b) ₁F₁(a + 1; b + 1; x)``,
  ``∂₂F₁(a, b; c; x)/∂x = (ab/c) ₂F₁(a + 1, b + 1; c + 1; x)``; in the parameters JAX's series
  differentiated term by term (∂(a)ₖ/∂a = (a)ₖ (ψ(a + k) − ψ(a))), by ``hyp1f1_derivative(i,
  j, n, a, b, x)`` = ∂ⁱₐ ∂ʲ_b ∂ⁿₓ ₁F₁ and ``hyp2f1_derivative(i, j, k, n, a, b, c, x)``: the
  series summed to convergence in truncated power series of the arguments (so every order and
  mixed derivative is one more coefficient), for x < 0 after Kummer's transformation ₁F₁(a; b;
  x) = eˣ ₁F₁(b − a; b; −x) and Pfaff's ₂F₁(a, b; c; x) = (1 − x)^−a ₂F₁(a, c − b; c;
  x/(x − 1)); nan for ₂F₁ at x ≥ 1,
- the Bessel functions ``jv(n, z)`` of a constant order (``bessel_jn``'s): ``∂/∂z = (J_{n−1} −
  J_{n+1})/2`` (J₀' = −J₁),
- the Faddeeva function ``wofz(z) = e^(−z²) erfc(−iz)``, holomorphic: ``w' = −2z w + 2i/√π``,
- the spherical harmonics ``sph_harm_y(n, m, θ, φ)`` of integers n, m: ``∂/∂φ = im Y``, ``∂/∂θ
  = ½ (√((n − m)(n + m + 1)) e^(−iφ) Y_n^(m+1) − √((n + m)(n − m + 1)) e^(iφ) Y_n^(m−1))``.

The exponentially scaled Bessel functions ``i0e`` and ``i1e`` need no SciPy: they are in
:mod:`admodes.rules.elementwise`, beneath ``admodes.numpy.i0``.

The LU factorization (of stacks of m×n matrices, with constant pivots) is differentiated by JAX's
rule: with P a = L U and L, U made square (m×m and n×n, completed by the identity), F = L⁻¹ P da
U⁻¹ gives dL = L tril₋₁(F) and dU = triu(F) U. The Sylvester solve X of AX + XB = Q (stacks
broadcast; a common eigenvalue of A and −B raises LinAlgError) differentiates by Sylvester solves:
A dX + dX B = dQ − dA X − X dB, and with AᵀY + YBᵀ = X̄, Q̄ = Y, Ā = −Y Xᵀ, B̄ = −Xᵀ Y.

FLOPs: one per element per special-function evaluation (``gammainc_grad_a``: one per term of its
series or continued fraction; ``zeta_s_derivative``: one per term of its series, 2N + 1; the
hypergeometric derivative series a nominal 512, 64 terms of 8; ``wofz`` and ``sph_harm_y`` one,
complex output or not); LU of
an m×n matrix qp² − p³/3 (p = min(m, n), q = max(m, n): 2n³/3 when square); expm 2n³ per matrix
product of Higham's (2005) Padé 13 scaling and squaring (6 + s products, s squarings) plus one
LU solve; the Sylvester solve of an m×n X 25(m³ + n³) + 5mn(m + n) (two Schur decompositions,
Golub & Van Loan's 25n³ each, the transformations of Q and back, the triangular solve);
convolution 2 · |x| · |y|.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import scipy.linalg
import scipy.signal
import scipy.special as sc

from admodes.core import at_each_index, dtype_of, ndim, plain, shape, size
from admodes.registry import Primitive, defbatch, defelementwise, defprim
from admodes.rules.batching import each_index, stacks_of_matrices
from admodes.rules.broadcasting import align_batched
from admodes.rules.broadcasting import sum as reduce_sum
from admodes.rules.contractions import (
    einsum,
    join_subscripts,
    matmul,
    matrix_transpose,
    unused_labels,
)
from admodes.rules.elementwise import (
    EPS,
    abs,
    add,
    cos,
    divide,
    exp,
    fmod,
    log,
    log1p,
    multiply,
    negative,
    sin,
    sin_over,
    square,
    subtract,
    weak_scalars,
    where,
)
from admodes.rules.linalg import mask, matrices, solve_triangular
from admodes.rules.shape import (
    along_axis,
    batch_ndim,
    concatenate,
    flip,
    gathered,
    getitem,
    normalize_index,
    reshape,
    stack,
)

LOG_SQRT_2PI = 0.5 * math.log(2.0 * math.pi)


def _not_implemented(name: str) -> Any:
    def partial(ans: Any, *args: Any) -> Any:
        raise NotImplementedError(f"the derivative of {name} is not implemented (nor in JAX)")

    return partial


# ---------------------------------------------------------------------------- error function
erf = defelementwise(
    "erf",
    weak_scalars(sc.erf),
    lambda ans, x: multiply(2.0 / math.sqrt(math.pi), exp(negative(square(x)))),
)
erfinv = defelementwise(
    "erfinv",
    weak_scalars(sc.erfinv),
    lambda ans, x: multiply(math.sqrt(math.pi) / 2.0, exp(square(ans))),
)
ndtri = defelementwise(
    "ndtri",
    weak_scalars(sc.ndtri),
    lambda ans, x: multiply(math.sqrt(2.0 * math.pi), exp(_half_square(ans))),
)
log_ndtr = defelementwise(
    "log_ndtr",
    weak_scalars(sc.log_ndtr),
    lambda ans, x: exp(subtract(negative(_half_square(x)), add(ans, LOG_SQRT_2PI))),
)
erfcx = defelementwise(
    "erfcx",
    weak_scalars(sc.erfcx),
    lambda ans, x: subtract(multiply(multiply(2.0, x), ans), 2.0 / math.sqrt(math.pi)),
)
dawsn = defelementwise(
    "dawsn", weak_scalars(sc.dawsn), lambda ans, x: subtract(1.0, multiply(multiply(2.0, x), ans))
)


def _owens_t_dh(ans: Any, h: Any, a: Any) -> Any:
    """∂T(h, a)/∂h = −e^(−h²/2) erf(ah/√2) / (2√(2π))."""
    slope = multiply(exp(negative(_half_square(h))), erf(multiply(a, multiply(h, math.sqrt(0.5)))))
    return multiply(slope, -0.5 / math.sqrt(2.0 * math.pi))


def _owens_t_da(ans: Any, h: Any, a: Any) -> Any:
    """∂T(h, a)/∂a = e^(−(1 + a²) h²/2) / (2π (1 + a²))."""
    spread = add(1.0, square(a))
    return divide(exp(negative(multiply(spread, _half_square(h)))), multiply(2.0 * math.pi, spread))


owens_t = defelementwise("owens_t", weak_scalars(sc.owens_t), _owens_t_dh, _owens_t_da)


def _half_square(x: Any) -> Any:
    return multiply(0.5, square(x))


# ---------------------------------------------------------------------------- gamma family
polygamma = defelementwise(  # SciPy's polygamma returns 0-d arrays: [()] makes them scalars
    "polygamma",
    weak_scalars(lambda n, x: sc.polygamma(n, x)[()]),
    _not_implemented("polygamma with respect to its integer order n"),
    lambda ans, n, x: polygamma(add(n, 1), x),
)
digamma = defelementwise("digamma", weak_scalars(sc.digamma), lambda ans, x: polygamma(1, x))
gammaln = defelementwise("gammaln", weak_scalars(sc.gammaln), lambda ans, x: digamma(x))
gamma = defelementwise("gamma", weak_scalars(sc.gamma), lambda ans, x: multiply(ans, digamma(x)))
rgamma = defelementwise(
    "rgamma", weak_scalars(sc.rgamma), lambda ans, x: negative(multiply(ans, digamma(x)))
)


def _digamma_less_sum(x: Any, a: Any, b: Any) -> Any:
    """ψ(x) − ψ(a + b): ∂ log B(a, b)/∂a with x = a, ∂/∂b with x = b."""
    return subtract(digamma(x), digamma(add(a, b)))


betaln = defelementwise(
    "betaln",
    weak_scalars(sc.betaln),
    lambda ans, a, b: _digamma_less_sum(a, a, b),
    lambda ans, a, b: _digamma_less_sum(b, a, b),
)
beta = defelementwise(
    "beta",
    weak_scalars(sc.beta),
    lambda ans, a, b: multiply(ans, _digamma_less_sum(a, a, b)),
    lambda ans, a, b: multiply(ans, _digamma_less_sum(b, a, b)),
)
poch = defelementwise(  # (z)_m = Γ(z + m)/Γ(z)
    "poch",
    weak_scalars(sc.poch),
    lambda ans, z, m: multiply(ans, subtract(digamma(add(z, m)), digamma(z))),
    lambda ans, z, m: multiply(ans, digamma(add(z, m))),
)


def _gammainc_dx(ans: Any, a: Any, x: Any) -> Any:
    """∂P(a, x)/∂x = exp((a − 1) log x − x − log Γ(a))."""
    return exp(subtract(subtract(xlogy(subtract(a, 1.0), x), x), gammaln(a)))


# The incomplete gamma function's derivative in a: JAX's algorithm with a complex step.
_STEP = 1e-20  # f(a + ih) = f(a) + ih f'(a) + O(h²): Im / h is f'(a) to rounding
_MAX_TERMS = 10_000
_BIG, _BIGINV = 4.503599627370496e15, 2.22044604925031308085e-16  # Cephes' rescaling


def _log_prefactor(a: np.ndarray, x: np.ndarray, shift: float = 0.0) -> np.ndarray:
    """a log x − x − log Γ(a + shift) for complex a = α + ih (log Γ to first order in h: exact
    here, the step being relative to α)."""
    b = a.real + shift
    return a * np.log(x) - x - (sc.gammaln(b) + 1j * a.imag * sc.digamma(b))


def _settled(change: np.ndarray, value: np.ndarray) -> bool:
    """Whether a complex-step iteration has converged: the last change of each part within EPS
    of that part (the imaginary part carries the derivative, and may settle later)."""
    return bool(
        np.all(np.abs(change.real) <= EPS * np.abs(value.real))
        and np.all(np.abs(change.imag) <= EPS * np.abs(value.imag))
    )


def _log_p_series(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log P(a, x), P = x^a e^(−x) / Γ(a + 1) · Σₙ xⁿ / ((a + 1)⋯(a + n))."""
    term = np.ones_like(a)
    total = np.ones_like(a)
    r = a.copy()
    for _ in range(_MAX_TERMS):
        r = r + 1.0
        term = term * x / r
        total = total + term
        if _settled(term, total):
            break
    # 1/Γ(a + 1), not 1/(a Γ(a)): for a tiny the two factors' derivatives, each of order 1/a,
    # would cancel to the O(1) one, losing log10(1/a) digits
    return np.log(total) + _log_prefactor(a, x, shift=1.0)


def _log_q_continued_fraction(a: np.ndarray, x: np.ndarray) -> np.ndarray:
    """log Q(a, x), Q by Legendre's continued fraction (Cephes ``igamc``), for x > 1, x > a."""
    y, z, c = 1.0 - a, x + 2.0 - a, 0.0
    pkm2, qkm2 = np.ones_like(a), x + 0.0 * a
    pkm1, qkm1 = x + 1.0 + 0.0 * a, z * x
    fraction = pkm1 / qkm1
    for _ in range(_MAX_TERMS):
        c, y, z = c + 1.0, y + 1.0, z + 2.0
        yc = y * c
        pk, qk = pkm1 * z - pkm2 * yc, qkm1 * z - qkm2 * yc
        r = np.where(qk.real != 0, pk / np.where(qk.real != 0, qk, 1.0), fraction)
        change, fraction = fraction - r, r
        pkm2, pkm1, qkm2, qkm1 = pkm1, pk, qkm1, qk
        big = np.abs(pk.real) > _BIG
        scale = np.where(big, _BIGINV, 1.0)
        pkm2, pkm1, qkm2, qkm1 = pkm2 * scale, pkm1 * scale, qkm2 * scale, qkm1 * scale
        if _settled(change, fraction):
            break
    return np.log(fraction) + _log_prefactor(a, x)


def _gammainc_grad_a_impl(a: Any, x: Any) -> Any:
    """∂P(a, x)/∂a: the series where x ≤ 1 or x ≤ a, −∂Q/∂a by the continued fraction elsewhere,
    each as F · ∂(log F)/∂a from a complex step in log space (so a derivative near the smallest
    float does not underflow in the step's imaginary part); 0 at x = 0 and x = inf, nan outside
    a > 0, x ≥ 0."""
    a, x = np.broadcast_arrays(np.asarray(a, np.float64), np.asarray(x, np.float64))
    out = np.full(a.shape, np.nan)
    interior = (a > 0) & (x > 0) & np.isfinite(x)
    # a below 1e-20: Q(a, x) = a E₁(x) + O(a²), so ∂P/∂a = −E₁(x) to rounding (a step relative
    # to such an a would be subnormal)
    tiny = interior & (a < _STEP)
    out[tiny] = -sc.exp1(x[tiny])
    series = interior & ~tiny & ((x <= 1) | (x <= a))
    fraction = interior & ~tiny & ~series
    step = _STEP * np.minimum(a, 1.0)  # relative for a < 1: h ≪ a however small a is
    stepped = a + 1j * step
    log_p = _log_p_series(stepped[series], x[series])
    out[series] = np.exp(log_p.real) * (log_p.imag / step[series])
    log_q = _log_q_continued_fraction(stepped[fraction], x[fraction])
    out[fraction] = -np.exp(log_q.real) * (log_q.imag / step[fraction])
    out[(a > 0) & ((x == 0) | np.isposinf(x))] = 0.0
    return out if out.ndim else float(out)


gammainc_grad_a = defelementwise(
    "gammainc_grad_a",
    _gammainc_grad_a_impl,
    _not_implemented("gammainc_grad_a with respect to a"),
    lambda ans, a, x: multiply(_gammainc_dx(ans, a, x), subtract(log(x), digamma(a))),
)
gammainc = defelementwise(
    "gammainc", weak_scalars(sc.gammainc), lambda ans, a, x: gammainc_grad_a(a, x), _gammainc_dx
)
gammaincc = defelementwise(
    "gammaincc",
    weak_scalars(sc.gammaincc),
    lambda ans, a, x: negative(gammainc_grad_a(a, x)),
    lambda ans, a, x: negative(_gammainc_dx(ans, a, x)),
)


def _betainc_dx(ans: Any, a: Any, b: Any, x: Any) -> Any:
    """∂I_x(a, b)/∂x = x^(a−1) (1 − x)^(b−1) / B(a, b)."""
    log_density = add(xlogy(subtract(a, 1.0), x), xlog1py(subtract(b, 1.0), negative(x)))
    return exp(subtract(log_density, betaln(a, b)))


betainc = defelementwise(
    "betainc",
    weak_scalars(sc.betainc),
    _not_implemented("betainc with respect to a"),
    _not_implemented("betainc with respect to b"),
    _betainc_dx,
)


# ---------------------------------------------------------------------------- exponential integrals
def _expn_impl(n: Any, x: Any) -> Any:
    """SciPy's E_n(x), for integers n (SciPy would truncate a fractional n)."""
    if np.any(np.asarray(n) != np.floor(n)):
        raise ValueError(
            f"expn: the order n must be an integer, got {n!r} (SciPy truncates it, JAX computes "
            "a different function): pass integers"
        )
    return sc.expn(n, x)


def _expn_dx(ans: Any, n: Any, x: Any) -> Any:
    """∂E_n(x)/∂x = −E_{n−1}(x) (JAX's rule); for n = 0, E_{−1}(x) = E_0(x) · (1 + 1/x) (SciPy's
    E_{−1} is nan, and so is JAX's derivative of E_0 for x ≤ 1)."""
    zero = np.asarray(plain(n)) == 0
    if not zero.any():
        return negative(expn(subtract(n, 1), x))
    previous = expn(np.where(zero, 0, plain(n) - 1), x)
    return negative(where(zero, multiply(ans, add(1.0, divide(1.0, x))), previous))


expn = defelementwise("expn", weak_scalars(_expn_impl), None, _expn_dx)
exp1 = defelementwise("exp1", weak_scalars(sc.exp1), lambda ans, x: negative(expn(0, x)))
expi = defelementwise("expi", weak_scalars(sc.expi), lambda ans, x: divide(exp(x), x))


# --------------------------------------------------------------- sine, cosine and Fresnel integrals
def _half_pi_square(x: Any, cosine: bool) -> Any:
    """sin(πx²/2), or cos(πx²/2), with x²/2 reduced modulo 2 exactly first, as JAX's (after
    SciPy's sinpi and cospi): r = s (|x| − s/2) mod 2 with s = |x| mod 2, then sin πr or cos πr
    by the quarter r lies in."""
    magnitude = abs(x)
    s = fmod(magnitude, 2.0)
    r = fmod(multiply(s, subtract(magnitude, multiply(0.5, s))), 2.0)
    p = np.asarray(plain(r))

    def sin_pi(shift: float) -> Any:
        return sin(multiply(math.pi, subtract(r, shift)))

    if cosine:
        return where(p == 0.5, 0.0, where(p < 1.0, negative(sin_pi(0.5)), sin_pi(1.5)))
    return where(p < 0.5, sin_pi(0.0), where(p > 1.5, sin_pi(2.0), negative(sin_pi(1.0))))


si = defelementwise("si", weak_scalars(lambda x: sc.sici(x)[0]), lambda ans, x: sin_over(x))
ci = defelementwise("ci", weak_scalars(lambda x: sc.sici(x)[1]), lambda ans, x: divide(cos(x), x))
fresnel_s = defelementwise(
    "fresnel_s",
    weak_scalars(lambda x: sc.fresnel(x)[0]),
    lambda ans, x: _half_pi_square(x, cosine=False),
)
fresnel_c = defelementwise(
    "fresnel_c",
    weak_scalars(lambda x: sc.fresnel(x)[1]),
    lambda ans, x: _half_pi_square(x, cosine=True),
)

# ---------------------------------------------------------------------------- logarithms
xlogy = defelementwise(
    "xlogy", weak_scalars(sc.xlogy), lambda ans, x, y: log(y), lambda ans, x, y: divide(x, y)
)
xlog1py = defelementwise(
    "xlog1py",
    weak_scalars(sc.xlog1py),
    lambda ans, x, y: log1p(y),
    lambda ans, x, y: divide(x, add(1.0, y)),
)


xlogx = defelementwise(  # x log x, 0 at x = 0 (JAX's _xlogx)
    "xlogx", weak_scalars(lambda x: sc.xlogy(x, x)), lambda ans, x: add(log(x), 1.0)
)


def _rel_entr_partial(wrt_p: bool) -> Any:
    """JAX's partials of rel_entr(p, q) = xlogx(p) − xlogy(p, q) where p > 0 and q > 0:
    ∂/∂p = log p + 1 − log q, ∂/∂q = −p/q; 0 elsewhere (its select of a constant). The
    logarithms see 1 outside that region, as JAX's safe inputs."""

    def partial(ans: Any, p: Any, q: Any) -> Any:
        inside = (np.asarray(plain(p)) > 0) & (np.asarray(plain(q)) > 0)
        safe_p, safe_q = where(inside, p, 1.0), where(inside, q, 1.0)
        slope = (
            subtract(add(log(safe_p), 1.0), log(safe_q))
            if wrt_p
            else negative(divide(safe_p, safe_q))
        )
        return where(inside, slope, 0.0)

    return partial


rel_entr = defelementwise(  # p log(p/q) (SciPy's value); 0 at p = 0 ≤ q; inf elsewhere
    "rel_entr", sc.rel_entr, _rel_entr_partial(True), _rel_entr_partial(False)
)


def _spence_dz(ans: Any, z: Any) -> Any:
    """log z / (1 − z), and 0 where JAX's piecewise definition is a constant: at z = 1 (where
    the limit is −1), at z = 0 and for z < 0. The logarithm sees 2 there, so that the second
    derivative there is 0 too (not 0 times the nan of log z / (1 − z))."""
    p = np.asarray(plain(z))
    constant = (p <= 0) | (p == 1)
    safe = where(constant, 2.0, z)
    return where(constant, 0.0, divide(log(safe), subtract(1.0, safe)))


spence = defelementwise("spence", weak_scalars(sc.spence), _spence_dz)

# ---------------------------------------------------------------------------- Hurwitz zeta
#: Terms of JAX's Euler–Maclaurin series of ζ(s, q) in float64 (its N = M), and the
#: coefficients B₂ⱼ/(2j)! of its tail, j = 1, …, M.
_ZETA_TERMS = 16
_ZETA_TAIL = sc.bernoulli(2 * _ZETA_TERMS)[2::2] / sc.factorial(
    np.arange(2, 2 * _ZETA_TERMS + 1, 2)
)


def _zeta_s_derivative_impl(k: int, s: Any, q: Any) -> Any:
    """∂ᵏζ(s, q)/∂sᵏ (k ≥ 1): k! times the coefficient of εᵏ in JAX's Euler–Maclaurin series of
    ζ(s + ε, q) (Johansson 2015, formula (5), with N = M = 16), in power series of ε to order k:

    Σₙ₌₀^{N−1} (q + n)^−s + a^(1−s)/(s − 1) + a^−s (1/2 + Σⱼ₌₁^M B₂ⱼ/(2j)! (s)₂ⱼ₋₁ / a^(2j−1)),

    a = q + N, with x^(−s−ε) = x^−s Σᵢ (−log x)ⁱ εⁱ/i! and (s)ₘ the rising factorial."""
    s, q = np.broadcast_arrays(np.asarray(s, np.float64), np.asarray(q, np.float64))
    i = np.arange(k + 1).reshape((-1,) + (1,) * s.ndim)
    a = q + _ZETA_TERMS

    def power(base: np.ndarray) -> np.ndarray:  # base^(−s−ε)
        log_base = np.log(base)
        return np.exp(-s * log_base) * (-log_base) ** i / sc.factorial(i)

    with np.errstate(all="ignore"):  # logarithms of q + n ≤ 0: nan, as JAX's
        head = sum(power(q + n) for n in range(_ZETA_TERMS))
        tail_power = power(a)
        pole = a * _jet_times_series(tail_power, (-1.0) ** i / (s - 1.0) ** (i + 1), 0)
        one = np.where(i == 0, 1.0, 0.0) + 0.0 * s  # the series 1
        rising = _jet_times_linear(one, s, {0: 1.0})  # (s + ε)₁
        bracket = 0.5 * one
        for j, coefficient in enumerate(_ZETA_TAIL):
            if j:
                rising = _jet_times_linear(
                    _jet_times_linear(rising, s + 2 * j - 1, {0: 1.0}), s + 2 * j, {0: 1.0}
                )
            bracket = bracket + coefficient * rising / a ** (2 * j + 1)
        total = head + pole + _jet_times_series(tail_power, bracket, 0)
    return (math.factorial(k) * total[k])[()]


def _zeta_dq(ans: Any, k: int, s: Any, q: Any) -> Any:
    """∂/∂q of ∂ᵏζ(s, q)/∂sᵏ = ∂ᵏ(−s ζ(s + 1, q))/∂sᵏ = −s ζ⁽ᵏ⁾(s + 1, q) − k ζ⁽ᵏ⁻¹⁾(s + 1, q)
    (ζ⁽ᵏ⁾ the k-th derivative in s; ζ⁽⁰⁾ = ζ)."""
    shifted = add(s, 1.0)
    slope = multiply(s, _zeta_s(k, shifted, q))
    if k:
        slope = add(slope, multiply(k, _zeta_s(k - 1, shifted, q)))
    return negative(slope)


def _zeta_s(k: int, s: Any, q: Any) -> Any:
    """∂ᵏζ(s, q)/∂sᵏ: SciPy's ζ for k = 0, the series beyond."""
    return zeta(s, q) if k == 0 else zeta_s_derivative(k, s, q)


def _zeta_impl(s: Any, q: Any) -> Any:
    """SciPy's ζ(s, q), nan where s or q is nan (SciPy gives inf at q ≤ 0, JAX nan)."""
    value = sc.zeta(s, q)
    return np.where(np.isnan(s) | np.isnan(q), np.nan, value)[()]


zeta = defelementwise(
    "zeta",
    weak_scalars(_zeta_impl),
    lambda ans, s, q: zeta_s_derivative(1, s, q),
    lambda ans, s, q: _zeta_dq(ans, 0, s, q),
)
zeta_s_derivative = defelementwise(
    "zeta_s_derivative",
    weak_scalars(_zeta_s_derivative_impl),
    None,
    lambda ans, k, s, q: zeta_s_derivative(k + 1, s, q),
    _zeta_dq,
    flops_per_element=2 * _ZETA_TERMS + 1,  # one per term of the series
)


# ---------------------------------------------------------------------------- hypergeometric
#: A derivative series that has not converged after this many terms gives nan.
_SERIES_MAX_TERMS = 100_000
#: FLOPs charged per element for a derivative series: a nominal 64 terms of 8 FLOPs (the series
#: stops at convergence, after 10 to a few hundred terms where the functions are moderate).
_SERIES_FLOPS = 64 * 8


def _check_real_hypergeometric(name: str, *args: Any) -> None:
    """Raise ValueError for complex arguments, as JAX (SciPy's complex x has no derivative here)."""
    if any(np.iscomplexobj(a) for a in args):
        raise ValueError(
            f"{name} does not support complex-valued inputs (nor does JAX's): pass real "
            f"arguments, or call scipy.special.{name} for complex x (not differentiable)"
        )


def _hypergeometric_value(name: str, fn: Any) -> Any:
    """SciPy's real ``fn`` with JAX's refusal of complex inputs."""

    def impl(*args: Any) -> Any:
        _check_real_hypergeometric(name, *args)
        return fn(*args)

    impl.__name__ = name
    return impl


def _at(axis: int, index: Any) -> tuple:
    """The index of ``index`` along ``axis`` (every entry of the axes before it)."""
    return (slice(None),) * axis + (index,)


def _jet_times_linear(t: np.ndarray, constant: Any, slopes: dict[int, Any]) -> np.ndarray:
    """The truncated power series t · (c + Σᵥ sᵥ εᵥ): axis v of t holds the powers of εᵥ, the
    trailing axes the elements (``constant`` and the slopes broadcast against them)."""
    out = constant * t
    for axis, slope in slopes.items():
        if t.shape[axis] > 1:
            out[_at(axis, slice(1, None))] += slope * t[_at(axis, slice(None, -1))]
    return out


def _jet_over_linear(t: np.ndarray, constant: Any, axis: int) -> np.ndarray:
    """The truncated power series t / (c + ε): R with R · (c + ε) = t, power by power of ε."""
    if t.shape[axis] == 1:
        return t / constant
    out = np.empty_like(t)
    previous: Any = 0.0
    for m in range(t.shape[axis]):
        previous = (t[_at(axis, m)] - previous) / constant
        out[_at(axis, m)] = previous
    return out


def _jet_times_series(t: np.ndarray, coefficients: list, axis: int) -> np.ndarray:
    """The truncated power series t · Σ_q s_q ε^q (ε the variable of ``axis``)."""
    out = np.empty_like(t)
    for m in range(t.shape[axis]):
        out[_at(axis, m)] = sum(coefficients[q] * t[_at(axis, m - q)] for q in range(m + 1))
    return out


def _sum_series(
    orders: tuple[int, ...], skip: np.ndarray, step: Any, k_min: Any, tolerance: Any
) -> np.ndarray:
    """Σₖ tₖ with t₀ = 1 and tₖ₊₁ = step(tₖ, k), the terms truncated power series in one
    variable per entry of ``orders`` (to that power; the leading axes) for each element (the
    trailing axes, ``skip``'s shape). An element's sum stops once k ≥ k_min (past the terms'
    peak, where they decrease geometrically) and a term is at most ``tolerance`` times the sum
    in every coefficient (tested every 8 terms); nan where that takes more than
    ``_SERIES_MAX_TERMS`` terms (not even tried where k_min is beyond; inf and nan stop it at
    once). The elements marked ``skip`` are not waited for."""
    axes = tuple(range(len(orders)))
    t = np.zeros(tuple(o + 1 for o in orders) + skip.shape)
    t[(0,) * len(orders)] = 1.0
    total = t.copy()
    hopeless = ~(k_min <= _SERIES_MAX_TERMS)  # nan k_min too
    done = skip | hopeless
    with np.errstate(all="ignore"):
        for k in range(1, _SERIES_MAX_TERMS + 1):
            t = step(t, k - 1)
            total = total + t
            if k % 8 and k < _SERIES_MAX_TERMS:  # the test below, every 8 terms
                continue
            small = np.all(np.abs(t) <= tolerance * np.abs(total), axis=axes)
            done = done | (small & (k >= k_min)) | ~np.all(np.isfinite(total), axis=axes)
            if done.all():
                break
    return np.where(done & ~hopeless, total, np.nan)


def _coefficient(
    prefactor: np.ndarray, total: np.ndarray, index: tuple[int, ...], axes: tuple[int, int]
) -> np.ndarray:
    """The coefficient ``index`` of the product prefactor · total, the prefactor a power series
    in the variables of two of the axes only (size 1 along the others)."""
    (p_axis, q_axis), out = axes, 0.0
    for p in range(min(index[p_axis], prefactor.shape[p_axis] - 1) + 1):
        for q in range(min(index[q_axis], prefactor.shape[q_axis] - 1) + 1):
            at = list(index)
            at[p_axis] -= p
            at[q_axis] -= q
            spot = [0] * len(index)
            spot[p_axis], spot[q_axis] = p, q
            out = out + prefactor[tuple(spot)] * total[tuple(at)]
    return out


def _hyp1f1_derivative_impl(i: int, j: int, n: int, a: Any, b: Any, x: Any) -> Any:
    """∂ⁱ/∂aⁱ ∂ʲ/∂bʲ ∂ⁿ/∂xⁿ ₁F₁(a; b; x) (i + j ≥ 1): i! j! n! times the coefficient of
    αⁱ βʲ ζⁿ in the series Σₖ (a + α)ₖ / (b + β)ₖ · (x + ζ)ᵏ / k! (JAX's series, whose terms
    it differentiates in a and b: (a)ₖ' = (a)ₖ (ψ(a + k) − ψ(a))), summed in power series of
    α, β, ζ to convergence. For x < 0 by Kummer's transformation ₁F₁(a; b; x) = eˣ ₁F₁(b − a;
    b; −x), whose terms do not cancel."""
    _check_real_hypergeometric("hyp1f1", a, b, x)
    a, b, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, x)))
    kummer = x < 0
    p = np.where(kummer, b - a, a)  # the summed series: ₁F₁(p; b; |x|)
    p_da, p_db = np.where(kummer, -1.0, 1.0), np.where(kummer, 1.0, 0.0)
    y, y_dx = np.abs(x), np.where(kummer, -1.0, 1.0)

    def step(t: np.ndarray, k: int) -> np.ndarray:
        t = _jet_times_linear(t, p + k, {0: p_da, 1: p_db})
        t = _jet_over_linear(t, b + k, 1)
        return _jet_times_linear(t, y / (k + 1), {2: y_dx / (k + 1)})

    # Past k_min = max(|p|, 2|b|, 8|x|) each term is at most half the one before.
    k_min = np.maximum(np.maximum(np.abs(p), 2.0 * np.abs(b)), 8.0 * y)
    total = _sum_series((i, j, n), np.zeros(x.shape, bool), step, k_min, EPS)
    with np.errstate(all="ignore"):  # e^(x + ζ) = eˣ Σ ζᵐ/m! where Kummer's form was summed
        scale = np.stack(
            [np.where(kummer, np.exp(x) / math.factorial(m), float(m == 0)) for m in range(n + 1)]
        ).reshape((1, 1, n + 1, *x.shape))
        out = _coefficient(scale, total, (i, j, n), (0, 2))
    return (math.factorial(i) * math.factorial(j) * math.factorial(n) * out)[()]


def _hyp2f1_derivative_impl(i: int, j: int, k: int, n: int, a: Any, b: Any, c: Any, x: Any) -> Any:
    """∂ⁱ/∂aⁱ ∂ʲ/∂bʲ ∂ᵏ/∂cᵏ ∂ⁿ/∂xⁿ ₂F₁(a, b; c; x) (i + j + k ≥ 1): i! j! k! n! times the
    coefficient of αⁱ βʲ γᵏ ζⁿ in Σₜ (a + α)ₜ (b + β)ₜ / (c + γ)ₜ · (x + ζ)ᵗ / t! (JAX's
    series, whose terms it differentiates in a, b and c), summed in power series of α, β, γ, ζ
    to convergence, for 0 ≤ x < 1. For x < 0 by Pfaff's transformation ₂F₁(a, b; c; x) =
    (1 − x)^−a ₂F₁(a, c − b; c; x/(x − 1)) (no cancellation, and it converges for every x < 0,
    where the series in x diverges for x < −1); nan for x ≥ 1."""
    _check_real_hypergeometric("hyp2f1", a, b, c, x)
    a, b, c, x = np.broadcast_arrays(*(np.asarray(v, np.float64) for v in (a, b, c, x)))
    inside = x < 1  # not nan either
    x = np.where(inside, x, 0.0)  # a harmless x where the answer is nan
    pfaff = x < 0
    q = np.where(pfaff, c - b, b)  # the summed series: ₂F₁(a, q; c; z)
    q_db, q_dc = np.where(pfaff, -1.0, 1.0), np.where(pfaff, 1.0, 0.0)
    with np.errstate(all="ignore"):
        z = np.where(pfaff, x / (x - 1.0), x)
        # z as a series in ζ: x + ζ, or (x + ζ)/(x + ζ − 1) = z + Σₘ (−1)ᵐ ζᵐ / (x − 1)^(m+1)
        argument = [z] + [
            np.where(pfaff, (-1.0) ** m / (x - 1.0) ** (m + 1), float(m == 1))
            for m in range(1, n + 1)
        ]

    def step(t: np.ndarray, term: int) -> np.ndarray:
        t = _jet_times_linear(t, a + term, {0: 1.0})
        t = _jet_times_linear(t, q + term, {1: q_db, 2: q_dc})
        t = _jet_over_linear(t, c + term, 2)
        return _jet_times_series(t, argument, 3) / (term + 1)

    # Past k_min the terms shrink by about z each; the tail is then below the tolerance.
    gap = 1.0 - z
    with np.errstate(all="ignore"):
        k_min = 4.0 * (np.abs(a) + np.abs(q) + np.abs(c) + 1.0) / gap
    total = _sum_series((i, j, k, n), ~inside, step, k_min, 0.5 * EPS * gap)
    with np.errstate(all="ignore"):
        # Pfaff's factor (1 − x − ζ)^−(a+α):
        # (1 − x)^−a e^(−α log(1 − x)) Σₘ (a + α)ₘ (ζ/(1 − x))ᵐ/m!
        log_gap = np.log1p(-x)
        binomial = np.zeros((i + 1, 1, 1, n + 1, *x.shape))
        rising = np.zeros((i + 1, *x.shape))
        rising[0] = 1.0
        for m in range(n + 1):
            if m:
                rising = _jet_times_linear(rising, a + m - 1.0, {0: 1.0}) / (m * (1.0 - x))
            binomial[:, 0, 0, m] = rising
        exponential = [(-log_gap) ** p / math.factorial(p) for p in range(i + 1)]
        factor = np.exp(-a * log_gap) * _jet_times_series(binomial, exponential, 0)
        identity = np.zeros_like(factor)
        identity[0, 0, 0, 0] = 1.0
        factor = np.where(pfaff, factor, identity)
        out = _coefficient(factor, total, (i, j, k, n), (0, 3))
    scale = math.prod(math.factorial(o) for o in (i, j, k, n))
    return np.where(inside, scale * out, np.nan)[()]


def _hyp1f1_dx(ans: Any, a: Any, b: Any, x: Any) -> Any:
    """∂₁F₁(a; b; x)/∂x = (a/b) ₁F₁(a + 1; b + 1; x) (JAX's rule)."""
    return multiply(divide(a, b), hyp1f1(add(a, 1.0), add(b, 1.0), x))


def _hyp2f1_dx(ans: Any, a: Any, b: Any, c: Any, x: Any) -> Any:
    """∂₂F₁(a, b; c; x)/∂x = (ab/c) ₂F₁(a + 1, b + 1; c + 1; x) (JAX's rule)."""
    slope = divide(multiply(a, b), c)
    return multiply(slope, hyp2f1(add(a, 1.0), add(b, 1.0), add(c, 1.0), x))


hyp1f1 = defelementwise(
    "hyp1f1",
    weak_scalars(_hypergeometric_value("hyp1f1", sc.hyp1f1)),
    lambda ans, a, b, x: hyp1f1_derivative(1, 0, 0, a, b, x),
    lambda ans, a, b, x: hyp1f1_derivative(0, 1, 0, a, b, x),
    _hyp1f1_dx,
)
hyp1f1_derivative = defelementwise(
    "hyp1f1_derivative",
    weak_scalars(_hyp1f1_derivative_impl),
    None,
    None,
    None,
    lambda ans, i, j, n, a, b, x: hyp1f1_derivative(i + 1, j, n, a, b, x),
    lambda ans, i, j, n, a, b, x: hyp1f1_derivative(i, j + 1, n, a, b, x),
    lambda ans, i, j, n, a, b, x: hyp1f1_derivative(i, j, n + 1, a, b, x),
    flops_per_element=_SERIES_FLOPS,
)
hyp2f1 = defelementwise(
    "hyp2f1",
    weak_scalars(_hypergeometric_value("hyp2f1", sc.hyp2f1)),
    lambda ans, a, b, c, x: hyp2f1_derivative(1, 0, 0, 0, a, b, c, x),
    lambda ans, a, b, c, x: hyp2f1_derivative(0, 1, 0, 0, a, b, c, x),
    lambda ans, a, b, c, x: hyp2f1_derivative(0, 0, 1, 0, a, b, c, x),
    _hyp2f1_dx,
)
hyp2f1_derivative = defelementwise(
    "hyp2f1_derivative",
    weak_scalars(_hyp2f1_derivative_impl),
    None,
    None,
    None,
    None,
    lambda ans, i, j, k, n, a, b, c, x: hyp2f1_derivative(i + 1, j, k, n, a, b, c, x),
    lambda ans, i, j, k, n, a, b, c, x: hyp2f1_derivative(i, j + 1, k, n, a, b, c, x),
    lambda ans, i, j, k, n, a, b, c, x: hyp2f1_derivative(i, j, k + 1, n, a, b, c, x),
    lambda ans, i, j, k, n, a, b, c, x: hyp2f1_derivative(i, j, k, n + 1, a, b, c, x),
    flops_per_element=_SERIES_FLOPS,
)


# ---------------------------------------------------------------------------- Bessel J
jv = defelementwise(  # J_v(z) of a constant order (bessel_jn's 0, …, v)
    "jv",
    weak_scalars(sc.jv),
    None,
    lambda ans, v, z: multiply(0.5, subtract(jv(v - 1.0, z), jv(v + 1.0, z))),
)


# ---------------------------------------------------------------------------- Faddeeva
def _complex_scalars(fn: Any) -> Any:
    """``fn``, complex-valued, with Python numbers weak: Python numbers alone give a Python
    complex; float32 and complex64 give complex64 (JAX's), anything else complex128 (SciPy's
    functions give complex128 of float32)."""

    def promoted(*args: Any) -> Any:
        out = fn(*args)
        if all(type(a) in (int, float, complex) for a in args):
            return complex(out)
        inexact = [a for a in args if np.result_type(a).kind in "fc"]  # not the integer n, m
        dtype = np.result_type(np.result_type(*inexact) if inexact else np.float64, np.complex64)
        return out.astype(dtype) if out.dtype != dtype else out

    return promoted


_TWO_I_OVER_SQRT_PI = 2j / math.sqrt(math.pi)

wofz = defelementwise(  # w(z) = e^(−z²) erfc(−iz), holomorphic
    "wofz",
    _complex_scalars(sc.wofz),
    lambda ans, z: add(multiply(multiply(-2.0, z), ans), _TWO_I_OVER_SQRT_PI),
    complex_flops=1,  # one evaluation of the function per element, complex or not
)


# ---------------------------------------------------------------------------- spherical harmonics
def _ladder(n: Any, m: Any, step: int) -> Any:
    """√((n ∓ m)(n ± m + 1)) for step ±1: the factor of Y_n^(m±1) in ∂Y_n^m/∂θ; 0 where
    |m| > n (Y_n^m = 0 there, SciPy's)."""
    if type(n) is int and type(m) is int:
        return math.sqrt(max((n - step * m) * (n + step * m + 1), 0))
    n, m = np.asarray(n), np.asarray(m)
    return np.sqrt(np.maximum((n - step * m) * (n + step * m + 1), 0)).astype(np.float64)


def _phase(phi: Any, sign: float) -> Any:
    """e^(±iφ) = cos φ ± i sin φ (a Python complex of a Python float)."""
    return add(cos(phi), multiply(sign * 1j, sin(phi)))


def _sph_harm_y_dtheta(ans: Any, n: Any, m: Any, theta: Any, phi: Any) -> Any:
    """∂Y_n^m(θ, φ)/∂θ = ½ (√((n − m)(n + m + 1)) e^(−iφ) Y_n^(m+1) − √((n + m)(n − m + 1))
    e^(iφ) Y_n^(m−1)): the ladder operators, regular at the poles θ = 0 and π."""
    raising = multiply(multiply(0.5 * _ladder(n, m, 1), _phase(phi, -1.0)),
                       sph_harm_y(n, m + 1, theta, phi))  # fmt: skip
    lowering = multiply(multiply(0.5 * _ladder(n, m, -1), _phase(phi, 1.0)),
                        sph_harm_y(n, m - 1, theta, phi))  # fmt: skip
    return subtract(raising, lowering)


sph_harm_y = defelementwise(  # Y_n^m(θ, φ) = N P_n^m(cos θ) e^(imφ), integers n ≥ 0 and m
    "sph_harm_y",
    _complex_scalars(sc.sph_harm_y),
    None,
    None,
    _sph_harm_y_dtheta,
    lambda ans, n, m, theta, phi: multiply(ans, 1j * m),  # ∂Y/∂φ = im Y
    complex_flops=1,
)


# ---------------------------------------------------------------------------- LU
def lu_factors(a: Any) -> tuple[np.ndarray, np.ndarray]:
    """SciPy's ``lu_factor`` of each m×n matrix of the stack a: the packed factors (L below the
    diagonal, U on and above it) and LAPACK's pivots, of shape (..., min(m, n))."""
    a = np.asarray(a)
    m, n = a.shape[-2:]
    flat = [scipy.linalg.lu_factor(x, check_finite=False) for x in a.reshape(-1, m, n)]
    dtype = flat[0][0].dtype if flat else np.result_type(a.dtype, np.float32)
    packed = np.array([f[0] for f in flat], dtype=dtype).reshape(a.shape)
    pivots = np.array([f[1] for f in flat], dtype=np.int32).reshape((*a.shape[:-2], min(m, n)))
    return packed, pivots


def permutation(pivots: np.ndarray, m: int) -> np.ndarray:
    """The row orders ``perm`` (..., m) with a[perm] = L U, from LAPACK's pivots (..., k) of
    matrices with m rows (row i was swapped with row pivots[i], in turn)."""
    pivots = np.asarray(pivots)
    perm = np.broadcast_to(np.arange(m), (*pivots.shape[:-1], m)).copy()
    rows = perm.reshape(-1, m)
    for r, p in zip(rows, pivots.reshape(-1, pivots.shape[-1]), strict=True):
        for i, j in enumerate(p):
            r[[i, j]] = r[[j, i]]
    return rows.reshape(perm.shape)


def lu_permutation(a: Any) -> np.ndarray:
    """The row orders of the LU factorizations of a's matrices, with partial pivoting (a
    constant; from each index's numbers under vmap)."""
    return at_each_index(lambda m: permutation(lu_factors(m)[1], shape(m)[-2]), a)


def permute_rows(x: Any, perm: np.ndarray) -> Any:
    """x[..., perm, :] for each matrix of x (``perm`` of shape (..., m), one order each)."""
    return gathered(x, 0, along_axis(perm[..., None], -2, shape(x)))


def _part(x: Any, lower: bool, k: int = 0) -> Any:
    """The entries of each m×n matrix of x on and below diagonal k (``lower``), or on and above
    it; zeros elsewhere."""
    m, n = shape(x)[-2:]
    return multiply(x, mask(m, x, lower, k, columns=n))


def _lu_parts(ans: Any) -> tuple[Any, Any]:
    """The factors of a packed LU of m×n matrices (k = min(m, n)) made square, as JAX's rule
    makes them: L (m×m, unit lower; its columns beyond k those of the identity) and U (n×n, upper;
    its rows beyond k those of the identity)."""
    m, n = shape(ans)[-2:]
    k = min(m, n)
    dtype = dtype_of(ans)
    low = _part(getitem(ans, (..., slice(None), slice(0, k))), True, -1)
    if m > k:
        low = concatenate(low, np.zeros((*shape(ans)[:-2], m, m - k), dtype), axis=-1)
    up = _part(getitem(ans, (..., slice(0, k), slice(None))), False)
    if n > k:
        rest = np.eye(n - k, n, k, dtype=dtype)
        up = concatenate(up, np.broadcast_to(rest, (*shape(ans)[:-2], n - k, n)), axis=-2)
    return add(low, np.eye(m, dtype=dtype)), up


def _lu_jvp(t: Any, ans: Any, a: Any) -> Any:
    """With F = L⁻¹ (P dA) U⁻¹ (L, U square as :func:`_lu_parts` makes them): dL = L tril₋₁(F),
    dU = triu(F) U, packed as dL + dU (JAX's rule, after De Hoog, Anderssen and Lukas)."""
    low, up = _lu_parts(ans)
    left = solve_triangular(
        low, permute_rows(t, lu_permutation(a)), lower=True, trans=0, unit_diagonal=True
    )
    f = matrix_transpose(
        solve_triangular(up, matrix_transpose(left), lower=False, trans=1, unit_diagonal=False)
    )
    return add(matmul(low, _part(f, True, -1)), matmul(_part(f, False), up))


def _lu_vjp(g: Any, ans: Any, a: Any) -> Any:
    """The transpose of the JVP: F̄ = tril₋₁(Lᵀ Ḡ) + triu(Ḡ Uᵀ),  Ā = Pᵀ L⁻ᵀ F̄ U⁻ᵀ."""
    low, up = _lu_parts(ans)
    f_bar = add(
        _part(matmul(matrix_transpose(low), g), True, -1),
        _part(matmul(g, matrix_transpose(up)), False),
    )
    right = matrix_transpose(
        solve_triangular(up, matrix_transpose(f_bar), lower=False, trans=0, unit_diagonal=False)
    )
    permuted = solve_triangular(low, right, lower=True, trans=1, unit_diagonal=True)
    return permute_rows(permuted, np.argsort(lu_permutation(a), axis=-1))


def _lu_cost(ans: Any, a: Any) -> int:
    """qp² − p³/3 per m×n matrix, p = min(m, n), q = max(m, n) (2n³/3 for a square one)."""
    p, q = sorted(shape(a)[-2:])
    return matrices(a) * ((3 * q * p**2 - p**3) // 3)


lu = defprim(
    "lu",
    lambda a: lu_factors(a)[0],
    jvps=[_lu_jvp],
    vjps=[_lu_vjp],
    cost=_lu_cost,
)


# ---------------------------------------------------------------------------- expm
def frechet(a: Any, e: Any) -> Any:
    """The Fréchet derivative of expm at A in direction E: the upper-right block of
    expm([[A, E], [0, A]])."""
    n = shape(a)[-1]
    zero = np.zeros(shape(a), dtype_of(a))
    block = concatenate(concatenate(a, e, axis=-1), concatenate(zero, a, axis=-1), axis=-2)
    upper_right = normalize_index((Ellipsis, slice(0, n), slice(n, 2 * n)), len(shape(a)))
    return getitem(expm(block), upper_right)


def _expm_cost(ans: Any, a: Any) -> int:
    n = shape(a)[-1]
    norm = np.max(np.sum(np.abs(plain(a)), axis=-2), initial=0.0)
    squarings = max(0, math.ceil(math.log2(norm / 5.4))) if norm > 0 else 0
    return matrices(a) * (2 * n**3 * (6 + squarings) + 2 * n**3 // 3 + 2 * n**3)


expm = defprim(
    "expm",
    scipy.linalg.expm,
    # d expm(A) = L(A, dA),  Ā = L(Aᵀ, Ḡ).
    jvps=[lambda t, ans, a: frechet(a, t)],
    vjps=[lambda g, ans, a: frechet(matrix_transpose(a), g)],
    cost=_expm_cost,
)


# ---------------------------------------------------------------------------- Sylvester
def _sylvester_matrix(a: np.ndarray, b: np.ndarray, q: np.ndarray) -> np.ndarray:
    """X with AX + XB = Q for one m×m A, n×n B and m×n Q (Bartels–Stewart, as SciPy): the
    Schur forms A = U R Uᴴ and Bᴴ = V S Vᴴ turn it into R Y + Y Sᴴ = Uᴴ Q V (LAPACK's trsyl),
    and X = U Y Vᴴ."""
    output = "complex" if q.dtype.kind == "c" else "real"
    r, u = scipy.linalg.schur(a, output=output)
    s, v = scipy.linalg.schur(b.conj().T, output=output)
    f = u.conj().T @ q @ v
    (trsyl,) = scipy.linalg.get_lapack_funcs(("trsyl",), (r, s, f))
    y, scale, info = trsyl(r, s, f, tranb="C")
    if info != 0:
        raise np.linalg.LinAlgError(
            "solve_sylvester: a and −b have a common (or nearly common) eigenvalue, so "
            "a x + x b = q has no unique solution"
        )
    return u @ (y / scale) @ v.conj().T


def _sylvester_impl(a: Any, b: Any, q: Any) -> np.ndarray:
    """X with AX + XB = Q for each matrix of the broadcast stacks A, B, Q."""
    dtype = np.result_type(a, b, q, 1.0)
    a, b, q = (np.asarray(x, dtype) for x in (a, b, q))
    batch = np.broadcast_shapes(a.shape[:-2], b.shape[:-2], q.shape[:-2])
    a, b, q = (np.broadcast_to(x, batch + x.shape[-2:]) for x in (a, b, q))
    out = np.empty(q.shape, dtype)
    for i in np.ndindex(batch):
        out[i] = _sylvester_matrix(a[i], b[i], q[i])
    return out


def _sylvester_jvp(tangents: list, ans: Any, a: Any, b: Any, q: Any) -> Any:
    """dX = S(dQ − dA X − X dB), S the solve with A and B: one solve for every input's tangent
    (zeros for a constant), each aligned to X's stack first (a joint rule gets them as given)."""
    t_a, t_b, t_q = (
        align_batched(t, batch_ndim(t, x), ndim(x), ndim(ans))
        for t, x in zip(tangents, (a, b, q), strict=True)
    )
    return solve_sylvester(a, b, subtract(t_q, add(matmul(t_a, ans), matmul(ans, t_b))))


def _sylvester_vjp(g: Any, ans: Any, a: Any, b: Any, q: Any) -> list[Any]:
    """One solve, AᵀY + YBᵀ = X̄, for all three cotangents: Ā = −Y Xᵀ, B̄ = −Xᵀ Y, Q̄ = Y."""
    y = solve_sylvester(matrix_transpose(a), matrix_transpose(b), g)
    x_t = matrix_transpose(ans)
    return [negative(matmul(y, x_t)), negative(matmul(x_t, y)), y]


def _sylvester_cost(ans: Any, a: Any, b: Any, q: Any) -> int:
    """Per m×n solution: two Schur decompositions with vectors, 25m³ + 25n³ (Golub & Van
    Loan), the transformations of Q and back, 4mn(m + n), and the triangular solve, mn(m + n)."""
    m, n = shape(ans)[-2:]
    return matrices(ans) * (25 * (m**3 + n**3) + 5 * m * n * (m + n))


solve_sylvester = defprim(
    "solve_sylvester",
    _sylvester_impl,
    joint_jvp=_sylvester_jvp,
    joint_vjp=_sylvester_vjp,
    cost=_sylvester_cost,
    broadcasts=True,
    batched_jvp=True,
    batched_vjp=True,
)


# ---------------------------------------------------------------------------- tridiagonal solve
def _tridiagonal_impl(diagonals: Any, b: Any) -> np.ndarray:
    """X with A X = B for each tridiagonal A of the stack ``diagonals`` (..., 3, m): its rows are
    the sub-diagonal (dl, dl[0] unused), the diagonal and the super-diagonal (du, du[m − 1]
    unused). LAPACK's gtsv (Gaussian elimination with partial pivoting), as JAX on a CPU."""
    dtype = np.result_type(diagonals, b, 1.0)
    diagonals, b = np.asarray(diagonals, dtype), np.asarray(b, dtype)
    batch = np.broadcast_shapes(diagonals.shape[:-2], b.shape[:-2])
    diagonals = np.broadcast_to(diagonals, batch + diagonals.shape[-2:])
    b = np.broadcast_to(b, batch + b.shape[-2:])
    (gtsv,) = scipy.linalg.get_lapack_funcs(("gtsv",), (b,))
    out = np.empty(b.shape, dtype)
    for i in np.ndindex(batch):
        dl, d, du = diagonals[i]
        if len(d) == 1:  # a 1×1 system, which gtsv does not take: x = b / d
            info = int(d[0] == 0)
            if not info:
                out[i] = b[i] / d[0]
        else:
            *_, out[i], info = gtsv(dl[1:], d, du[:-1], b[i])
        if info > 0:
            raise np.linalg.LinAlgError(
                f"tridiagonal_solve: the matrix is singular (pivot {info - 1} is zero)"
            )
    return out


def _shifted(x: Any, by: int) -> Any:
    """Rows of each matrix of x moved by ``by`` = ±1: row i holds x's row i − by, zeros where
    there is none."""
    zeros = np.zeros((*shape(x)[:-2], 1, shape(x)[-1]), dtype_of(x))
    if by > 0:
        return concatenate(zeros, getitem(x, (..., slice(None, -1), slice(None))), axis=-2)
    return concatenate(getitem(x, (..., slice(1, None), slice(None))), zeros, axis=-2)


def _diagonal(diagonals: Any, i: int) -> Any:
    """Row ``i`` of each (3, m) stack of diagonals, as a column (..., m, 1)."""
    return getitem(diagonals, (..., i, slice(None), None))


def _tridiagonal_product(diagonals: Any, x: Any) -> Any:
    """A X = dl ∘ X↓ + d ∘ X + du ∘ X↑ (X↓ row i is X's row i − 1, X↑ its row i + 1)."""
    return add(
        add(
            multiply(_diagonal(diagonals, 0), _shifted(x, 1)), multiply(_diagonal(diagonals, 1), x)
        ),
        multiply(_diagonal(diagonals, 2), _shifted(x, -1)),
    )


def _transposed_diagonals(diagonals: Any) -> Any:
    """The diagonals of Aᵀ: its sub-diagonal is A's super-diagonal moved down one place, its
    super-diagonal A's sub-diagonal moved up one."""
    dl, d, du = (getitem(diagonals, (..., slice(i, i + 1), slice(None))) for i in range(3))
    zero = np.zeros((*shape(diagonals)[:-2], 1, 1), dtype_of(diagonals))
    below = concatenate(zero, getitem(du, (..., slice(None, -1))), axis=-1)
    above = concatenate(getitem(dl, (..., slice(1, None))), zero, axis=-1)
    return concatenate(below, d, above, axis=-2)


def _tridiagonal_jvp(tangents: list, ans: Any, diagonals: Any, b: Any) -> Any:
    """dX = A⁻¹(dB − dA X), dA the tridiagonal matrix of the diagonals' tangents."""
    t_diagonals, t_b = tangents
    return tridiagonal_solve(diagonals, subtract(t_b, _tridiagonal_product(t_diagonals, ans)))


def _tridiagonal_vjp(g: Any, ans: Any, diagonals: Any, b: Any) -> list[Any]:
    """One solve with Aᵀ, B̄ = A⁻ᵀ X̄, for both cotangents; Ā = −B̄ Xᵀ on the three diagonals:
    d̄l_i = −Σⱼ B̄ᵢⱼ Xᵢ₋₁ⱼ, d̄_i = −Σⱼ B̄ᵢⱼ Xᵢⱼ, d̄u_i = −Σⱼ B̄ᵢⱼ Xᵢ₊₁ⱼ."""
    b_bar = tridiagonal_solve(_transposed_diagonals(diagonals), g)
    rows = [
        negative(reduce_sum(multiply(b_bar, x), axis=(-1,), keepdims=False))
        for x in (_shifted(ans, 1), ans, _shifted(ans, -1))
    ]
    return [stack(*rows, axis=-2), b_bar]


def _tridiagonal_cost(ans: Any, diagonals: Any, b: Any) -> int:
    """Per m×n solution: the elimination, about 8m, and its two sweeps over the n columns,
    about 6mn."""
    m, n = shape(ans)[-2:]
    return matrices(ans) * (8 * m + 6 * m * n)


tridiagonal_solve = defprim(
    "tridiagonal_solve",
    _tridiagonal_impl,
    joint_jvp=_tridiagonal_jvp,
    joint_vjp=_tridiagonal_vjp,
    cost=_tridiagonal_cost,
    broadcasts=True,
)


# ---------------------------------------------------------------------------- convolution
def _flipped(x: Any) -> Any:
    """x reversed along every axis."""
    for axis in range(-len(shape(x)), 0):
        x = flip(x, axis)
    return x


def _transposed_convolution(g: Any, other: Any, like: Any) -> Any:
    """The cotangent of one operand of a full convolution: the valid correlation of ḡ with the
    other operand, i.e. the block of convolve(ḡ, flip(other)) of ``like``'s shape from offset
    other.shape − 1."""
    full = convolve(g, _flipped(other))
    return getitem(
        full, tuple(slice(m - 1, m - 1 + n) for m, n in zip(shape(other), shape(like), strict=True))
    )


convolve = defprim(
    "convolve",
    lambda x, y: scipy.signal.convolve(x, y, mode="full", method="direct"),
    # out = x ∗ y (full, N-D), bilinear:  d out = dx ∗ y + x ∗ dy,  x̄ = ḡ ⋆ y (valid), ȳ = ḡ ⋆ x.
    jvps=[lambda t, ans, x, y: convolve(t, y), lambda t, ans, x, y: convolve(x, t)],
    vjps=[
        lambda g, ans, x, y: _transposed_convolution(g, y, x),
        lambda g, ans, x, y: _transposed_convolution(g, x, y),
    ],
    cost=lambda ans, x, y: 2 * size(x) * size(y),
)


# ---------------------------------------------------------------------------- batching
def _convolutions(prim: Primitive, args: tuple, mapped: tuple) -> Any:
    """A stack convolved with one shared operand: one convolution with a leading unit axis on
    the shared operand (a full convolution along an axis of length 1 leaves it as it is);
    two stacks: :func:`_convolved_stacks`."""
    (x, y), (mx, my) = args, mapped
    if mx and my:
        if 0 in shape(x) + shape(y):
            return each_index(prim, args, mapped)
        return _convolved_stacks(x, y)
    if mx:
        return convolve(x, reshape(y, (1, *shape(y))))
    return convolve(reshape(x, (1, *shape(x))), y)


def _convolved_stacks(x: Any, y: Any) -> Any:
    """The full convolution of each index's x and y (stacks, index axis first), at once:

        out[i, k] = Σⱼ y[i, j] · x[i, k − j]      over the j with 0 ≤ k − j < x's shape,

    j running over the positions of the smaller operand (y, after swapping them if need be:
    convolution commutes), so x gathered at k − j (zero out of range) is contracted with y,
    as many products as a direct convolution."""
    if size(x) < size(y):
        x, y = y, x
    a, b = shape(x)[1:], shape(y)[1:]
    if not a:  # 0-d values: their product
        return multiply(x, y)
    index: list[Any] = [slice(None)]
    inside = np.ones((1,) * (2 * len(a)), dtype=bool)
    for axis, (na, nb) in enumerate(zip(a, b, strict=True)):
        offset = np.arange(na + nb - 1)[:, None] - np.arange(nb)[None, :]  # k − j
        place = [1] * (2 * len(a))
        place[2 * axis : 2 * axis + 2] = offset.shape
        index.append(np.clip(offset, 0, na - 1).reshape(place))
        inside = inside & ((offset >= 0) & (offset < na)).reshape(place)
    windows = where(inside, getitem(x, tuple(index)), 0)  # (n, K₁, B₁, ..., K_d, B_d)
    labels = unused_labels("")
    i, k, j = labels[0], labels[1 : len(a) + 1], labels[len(a) + 1 : 2 * len(a) + 1]
    pairs = "".join(kk + jj for kk, jj in zip(k, j, strict=True))
    return einsum(join_subscripts([i + pairs, i + "".join(j)], i + "".join(k)), windows, y)


defbatch(stacks_of_matrices, lu, expm, solve_sylvester, tridiagonal_solve)
defbatch(_convolutions, convolve)
