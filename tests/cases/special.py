"""Registry-walk cases for ``admodes.scipy``: the special-function primitives and composites,
the distributions of ``stats``, the LU, Cholesky, matrix-exponential and Sylvester operations of
``linalg`` and the convolutions of ``signal``, each against ``jax.scipy``. Values against SciPy at
several points and edges, and the derivatives the walk cannot reach, are in ``test_scipy.py`` and
``test_scipy_special_extra.py``."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy as jsp
import numpy as np
from walk import Case, above_minus_one, case, open_unit, positive, real, shape_label, with_value

import admodes as ad
import admodes.numpy as anp
from admodes import lax
from admodes.rules import special as rules
from admodes.scipy import linalg, signal, sparse, special, stats
from cases.linalg import dominant, spd

SHAPES_1 = [(), (2, 3)]
SHAPES_2 = [((), ()), ((3,), (3,)), ((2, 1), (3,))]
A_FIXED = 2.5  # the shape a at which ∂P(a, x)/∂a is differentiated in x
K = np.array([0.0, 1.0, 3.0, 7.0])  # Poisson counts


def unit(x: np.ndarray) -> np.ndarray:
    """(0.05, 0.95): probabilities."""
    return 0.05 + 0.9 / (1.0 + np.exp(-x))


def interval(lo: float, hi: float) -> Any:
    """(lo, hi), through a logistic."""
    return lambda x: lo + (hi - lo) / (1.0 + np.exp(-x))


def shifted(c: float) -> Any:
    """Square matrices X/2 + cI: eigenvalues near c, so a x + x b = q is far from singular for
    a near 2 and b near 1."""
    return lambda x: x / 2 + c * np.eye(x.shape[-1])


def sylvester_by_kronecker(a: Any, b: Any, q: Any) -> Any:
    """JAX's reference for solve_sylvester in every argument (its own differentiates q only):
    the row-major vec of a x + x b = q is (a ⊗ I + I ⊗ bᵀ) vec x = vec q."""
    m, n = q.shape
    system = jnp.kron(a, jnp.eye(n)) + jnp.kron(jnp.eye(m), b.T)
    return jnp.linalg.solve(system, q.ravel()).reshape(m, n)


def dense_solve(matvec: Any, b: Any) -> Any:
    """x with matvec(x) = b, by the matrix of the linear matvec (its Jacobian)."""
    return anp.linalg.solve(ad.jacfwd(matvec)(b), b)


KRYLOV_Q = spd(np.random.default_rng(4).standard_normal((4, 4)))


def simplex(x: np.ndarray) -> np.ndarray:
    """Columns on the probability simplex (the first axis sums to 1)."""
    e = np.exp(x)
    return e / e.sum(axis=0)


def pivoting(x: np.ndarray) -> np.ndarray:
    """A well-conditioned matrix whose LU needs row swaps (a dominant matrix, rows rotated)."""
    return np.roll(dominant(x), 1, axis=0)


def _unary(name: str, ad_fn: Any, jax_fn: Any, domain: Any = real) -> list[Case]:
    return [case(name, shape_label(s), ad_fn, jax_fn, s, domains=domain) for s in SHAPES_1]


def _binary(name: str, ad_fn: Any, jax_fn: Any, domains: tuple) -> list[Case]:
    return [case(name, shape_label(*s), ad_fn, jax_fn, *s, domains=domains) for s in SHAPES_2]


def _jax_gammainc_grad_a(x: Any) -> Any:
    """∂P(a, x)/∂a at a = A_FIXED by JAX; its derivative in x is JAX's ∂/∂a of ∂P/∂x (JAX does
    not differentiate its own ∂P/∂a)."""

    def dp_da(x: Any) -> Any:
        return jax.jvp(lambda a: jsp.special.gammainc(a, x), (A_FIXED + 0 * x,), (1 + 0 * x,))[1]

    def dp_dx(a: Any, x: Any) -> Any:
        return jax.jvp(lambda x: jsp.special.gammainc(a, x), (x,), (1 + 0 * x,))[1]

    mixed = jax.custom_jvp(dp_da)
    mixed.defjvp(
        lambda xs, ts: (
            dp_da(xs[0]),
            jax.jvp(lambda a: dp_dx(a, xs[0]), (A_FIXED + 0 * xs[0],), (1 + 0 * xs[0],))[1] * ts[0],
        )
    )
    return mixed(x)


def _jax_zeta_s_derivative(s: Any, q: Any) -> Any:
    """∂ζ(s, q)/∂s by JAX (the derivative of its Euler–Maclaurin series)."""
    return jax.jvp(lambda s: jsp.special.zeta(s, q), (s,), (1 + 0 * s,))[1]


def _jax_partial(fn: Any, i: int) -> Any:
    """∂fn/∂(argument i) by JAX, of an elementwise fn of same-shape vectors (a tangent of ones);
    its own derivatives are JAX's forward mode through its series, as a custom JVP linear in the
    tangents (so that JAX can transpose it: reverse mode through its while loops is undefined)."""

    def partial(*xs: Any) -> Any:
        def alone(v: Any) -> Any:
            return fn(*xs[:i], v, *xs[i + 1 :])

        return jax.jvp(alone, (xs[i],), (jnp.ones_like(xs[i]),))[1]

    def tangent(xs: tuple, ts: tuple) -> tuple:
        blocks = jax.jacfwd(partial, tuple(range(len(xs))))(*xs)  # diagonal: fn is elementwise
        return partial(*xs), sum(jnp.diagonal(j) * t for j, t in zip(blocks, ts, strict=True))

    wrapped = jax.custom_jvp(partial)
    wrapped.defjvp(tangent)
    return wrapped


DEGREES, ORDERS = np.array([1, 2, 3, 5]), np.array([1, -2, 0, 3])  # sph_harm_y's n and m


def _stats(name: str, fn: str, shapes: tuple, domains: tuple, **kw: Any) -> Case:
    """``stats.<name>.<fn>`` on traced arguments of the given shapes, against JAX's."""
    ad_fn = getattr(getattr(stats, name), fn)
    jax_fn = getattr(getattr(jsp.stats, name), fn)
    return case(f"{name}.{fn}", kw.pop("label", shape_label(*shapes)),
                lambda *xs: ad_fn(*xs, **kw), lambda *xs: jax_fn(*xs, **kw),
                *shapes, domains=domains)  # fmt: skip


SPECIAL = [
    *_unary("erf", special.erf, jsp.special.erf),
    *_unary("erfc", special.erfc, jsp.special.erfc),
    *_unary("erfinv", special.erfinv, jsp.special.erfinv, open_unit),
    *_unary("ndtri", special.ndtri, jsp.special.ndtri, unit),
    *_unary("log_ndtr", special.log_ndtr, jsp.special.log_ndtr),
    case("log_ndtr", "tails", special.log_ndtr, jsp.special.log_ndtr, (4,),
         domains=lambda x: np.array([-19.0, -8.0, 6.0, 30.0]) + 0.1 * x),
    *_unary("gamma", special.gamma, jsp.special.gamma, positive),
    case("gamma", "negative", special.gamma, jsp.special.gamma, (3,),
         domains=lambda x: -0.5 - 0.4 * np.tanh(x)),
    *_unary("gammaln", special.gammaln, jsp.special.gammaln, positive),
    *_unary("rgamma", special.rgamma, lambda x: 1.0 / jsp.special.gamma(x), positive),
    *_unary("digamma", special.digamma, jsp.special.digamma, positive),
    *_unary("polygamma", lambda x: special.polygamma(2, x),
            lambda x: jsp.special.polygamma(2, x), positive),
    *_binary("betaln", special.betaln, jsp.special.betaln, (positive, positive)),
    *_binary("beta", special.beta, jsp.special.beta, (positive, positive)),
    case("beta", "negative", special.beta, jsp.special.beta, (3,), (3,),
         domains=(lambda x: -0.5 - 0.4 * np.tanh(x), interval(1.0, 2.5))),
    *_binary("poch", special.poch, jsp.special.poch, (positive, interval(-0.4, 2.0))),
    *_binary("gammainc", special.gammainc, jsp.special.gammainc, (positive, positive)),
    case("gammainc", "far-tails", special.gammainc, jsp.special.gammainc, (4,), (4,),
         domains=(lambda x: np.array([0.3, 5.0, 40.0, 3.0]) + 0.1 * np.abs(x),
                  lambda x: np.array([4.0, 0.2, 45.0, 30.0]) + 0.1 * np.abs(x))),
    *_binary("gammaincc", special.gammaincc, jsp.special.gammaincc, (positive, positive)),
    *_unary("gammainc_grad_a", lambda x: rules.gammainc_grad_a(A_FIXED, x),
            _jax_gammainc_grad_a, positive),
    *_unary("betainc", lambda x: special.betainc(2.0, 3.5, x),
            lambda x: jsp.special.betainc(2.0, 3.5, x), unit),
    *_binary("xlogy", special.xlogy, jsp.special.xlogy, (real, positive)),
    case("xlogy", "zero-x", special.xlogy, jsp.special.xlogy, (4,), (4,),
         domains=(with_value((1, 2), 0.0), positive)),
    *_binary("xlog1py", special.xlog1py, jsp.special.xlog1py, (real, positive)),
    case("rel_entr", "(4,)x(4,)", special.rel_entr, jsp.special.rel_entr, (4,), (4,),
         domains=(positive, positive)),
    *_unary("xlogx", special.entr, jsp.special.entr, positive),
    *_unary("erfcx", special.erfcx, jsp.special.erfcx),
    case("erfcx", "tails", special.erfcx, jsp.special.erfcx, (4,),
         domains=lambda x: np.array([-5.0, 8.0, 26.0, 40.0]) + 0.1 * x),
    *_unary("dawsn", special.dawsn, jsp.special.dawsn),
    case("dawsn", "branches", special.dawsn, jsp.special.dawsn, (4,),
         domains=lambda x: np.array([-2.0, 3.5, 6.5, 30.0]) + 0.1 * x),
    *_unary("exp1", special.exp1, jsp.special.exp1, positive),
    *_unary("expi", special.expi, jsp.special.expi, lambda x: 3 * x),
    *_unary("expn", lambda x: special.expn(3, x), lambda x: jsp.special.expn(3, x), positive),
    case("expn", "orders", lambda x: special.expn(np.array([1, 2, 5]), x),
         lambda x: jnp.stack([jsp.special.expn(n, x[i]) for i, n in enumerate((1, 2, 5))]), (3,),
         domains=positive),
    case("spence", "below-one", special.spence, jsp.special.spence, (2, 3),
         domains=interval(0.05, 0.95)),
    case("spence", "above-two", special.spence, jsp.special.spence, (3,),
         domains=lambda x: 2.2 + np.abs(x)),  # JAX's reverse mode is nan on (1, 2]
    *_binary("zeta", special.zeta, jsp.special.zeta, (interval(1.2, 6.0), positive)),
    # One case: JAX compiles its series for ζ in s slowly (seconds per program).
    case("zeta_s_derivative", "(3,)x(3,)", lambda s, q: rules.zeta_s_derivative(1, s, q),
         _jax_zeta_s_derivative, (3,), (3,), domains=(interval(1.2, 6.0), positive)),
    *_unary("si", lambda x: special.sici(x)[0], lambda x: jsp.special.sici(x)[0]),
    *_unary("ci", lambda x: special.sici(x)[1], lambda x: jsp.special.sici(x)[1]),
    case("si", "asymptotic", lambda x: special.sici(x)[0], lambda x: jsp.special.sici(x)[0],
         (3,), domains=lambda x: np.array([-30.0, 5.0, 2e3]) + x),
    *_unary("fresnel_s", lambda x: special.fresnel(x)[0], lambda x: jsp.special.fresnel(x)[0]),
    *_unary("fresnel_c", lambda x: special.fresnel(x)[1], lambda x: jsp.special.fresnel(x)[1]),
    case("fresnel_c", "far", lambda x: special.fresnel(x)[1], lambda x: jsp.special.fresnel(x)[1],
         (3,), domains=lambda x: np.array([-40.5, 7.25, 300.0]) + 0.01 * x),
    *_binary("owens_t", special.owens_t, jsp.special.owens_t, (real, real)),
    *_unary("i0e", special.i0e, jsp.special.i0e),
    *_unary("i1e", special.i1e, jsp.special.i1e),
    case("i1e", "zero", special.i1e, jsp.special.i1e, (3,), domains=with_value((1,), 0.0)),
    *_unary("logistic", special.expit, jsp.special.expit),
    case("hyp1f1", "(3,)x(3,)x(3,)", special.hyp1f1, jsp.special.hyp1f1, (3,), (3,), (3,),
         domains=(interval(0.5, 3.0), interval(0.5, 3.0), interval(-3.0, 5.0))),
    case("hyp1f1", "(2,1)x(3,)x()", special.hyp1f1, jsp.special.hyp1f1, (2, 1), (3,), (),
         domains=(interval(0.5, 3.0), interval(0.5, 3.0), interval(-3.0, 5.0))),
    # One case each: JAX compiles its series of ∂/∂a, ∂/∂b, ∂/∂c slowly (seconds per program).
    case("hyp1f1_derivative", "da", lambda a, b, x: rules.hyp1f1_derivative(1, 0, 0, a, b, x),
         _jax_partial(jsp.special.hyp1f1, 0), (3,), (3,), (3,),
         domains=(interval(0.5, 3.0), interval(0.5, 3.0), interval(-3.0, 5.0))),
    case("hyp2f1", "(3,)x(3,)x(3,)x(3,)", special.hyp2f1, jsp.special.hyp2f1, (3,), (3,), (3,),
         (3,), domains=(interval(0.5, 3.0),) * 3 + (interval(-0.6, 0.6),)),
    case("hyp2f1_derivative", "dc",
         lambda a, b, c, x: rules.hyp2f1_derivative(0, 0, 1, 0, a, b, c, x),
         _jax_partial(jsp.special.hyp2f1, 2), (3,), (3,), (3,), (3,),
         domains=(interval(0.5, 3.0),) * 3 + (interval(-0.6, 0.6),)),
    case("jv", "bessel_jn", lambda z: special.bessel_jn(z, v=3),
         lambda z: jsp.special.bessel_jn(z, v=3), (2, 3),
         domains=lambda x: np.sign(x) * (0.5 + 3.0 * np.abs(x))),  # JAX's is nan at 0
    case("wofz", "x+iy", lambda x, y: anp.real(special.wofz(x + 1j * y) * (1 - 0.5j)),
         lambda x, y: jnp.real(jsp.special.wofz(x + 1j * y) * (1 - 0.5j)), (3,), (3,)),
    case("wofz", "real", lambda x: anp.imag(special.wofz(x)),
         lambda x: jnp.imag(jsp.special.wofz(x)), (2, 3)),
    case("sph_harm_y", "theta-phi",
         lambda t, p: anp.real(special.sph_harm_y(DEGREES, ORDERS, t, p) * (1 - 0.5j)),
         lambda t, p: jnp.real(jsp.special.sph_harm_y(DEGREES, ORDERS, t, p) * (1 - 0.5j)),
         (4,), (4,), domains=(interval(0.2, 2.9), interval(0.0, 6.2))),
    # composites
    *_unary("factorial", special.factorial, jsp.special.factorial, positive),
    *_binary("comb", special.comb, jsp.special.comb, (interval(4.0, 8.0), interval(0.5, 3.5))),
    case("comb", "repetition", lambda n, k: special.comb(n, k, repetition=True),
         lambda n, k: jsp.special.comb(n, k, repetition=True), (3,), (3,),
         domains=(interval(1.0, 8.0), interval(0.5, 3.5))),
    *_unary("loggamma", special.loggamma, jsp.special.loggamma, positive),
    *_unary("gammasgn", special.gammasgn, jsp.special.gammasgn),
    *_binary("boxcox", special.boxcox, jsp.special.boxcox, (positive, real)),
    *_binary("boxcox1p", special.boxcox1p, jsp.special.boxcox1p, (above_minus_one, real)),
    *_unary("ndtr", special.ndtr, jsp.special.ndtr),
    case("ndtr", "tails", special.ndtr, jsp.special.ndtr, (3,),
         domains=lambda x: np.array([-12.0, 0.0, 9.0]) + 0.1 * x),
    *_unary("erfcinv", special.erfcinv, lambda y: -jsp.special.ndtri(y / 2) / np.sqrt(2.0),
            interval(0.01, 1.99)),
    *_unary("logit", special.logit, jsp.special.logit, unit),
    *_unary("i0", special.i0, jsp.special.i0),
    *_unary("i1", special.i1, jsp.special.i1),
    case("softmax", "all-axes", special.softmax, lambda x: jsp.special.softmax(x, axis=None),
         (2, 3)),
    case("softmax", "axis1", lambda x: special.softmax(x, axis=1),
         lambda x: jsp.special.softmax(x, axis=1), (2, 3)),
    case("log_softmax", "all-axes", special.log_softmax,
         lambda x: jsp.special.log_softmax(x, axis=None), (2, 3)),
    case("logsumexp", "scipy-signed-b", lambda a, b: special.logsumexp(a, b=b, return_sign=True)[0],
         lambda a, b: jsp.special.logsumexp(a, b=b, return_sign=True)[0], (4,), (4,)),
]  # fmt: skip

STATS = [
    _stats("norm", "logpdf", ((5,), (), ()), (real, real, positive)),
    _stats("norm", "pdf", ((5,), (5,), (5,)), (real, real, positive)),
    *(_stats("norm", fn, ((5,), (), ()), (real, real, positive))
      for fn in ("cdf", "logcdf", "sf", "logsf")),
    *(_stats("norm", fn, ((5,), (), ()), (unit, real, positive)) for fn in ("ppf", "isf")),
    _stats("t", "logpdf", ((5,), (), (), ()), (real, positive, real, positive)),
    _stats("t", "pdf", ((5,), (5,)), (real, positive)),
    *(_stats("gamma", fn, ((5,), (), (), ()), (positive, positive, lambda x: -np.abs(x),
                                                positive))
      for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")),
    *(_stats("chi2", fn, ((5,), (), ()), (positive, positive, lambda x: -np.abs(x)))
      for fn in ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")),
    *(_stats("beta", fn, ((5,), (), ()), (unit, positive, positive))
      for fn in ("logpdf", "pdf")),
    _stats("beta", "logpdf", ((5,),), (interval(-0.9, 1.9),), a=2.0, b=3.0, loc=-1.0, scale=3.0,
           label="loc-scale"),
    *(_stats("beta", fn, ((5,),), (unit,), a=2.0, b=3.0) for fn in ("cdf", "logcdf", "sf")),
    case("poisson.logpmf", "mu", lambda mu: stats.poisson.logpmf(K, mu),
         lambda mu: jsp.stats.poisson.logpmf(K, mu), (), domains=positive),
    case("poisson.pmf", "mu", lambda mu: stats.poisson.pmf(K, mu),
         lambda mu: jsp.stats.poisson.pmf(K, mu), (4,), domains=positive),
    case("poisson.cdf", "mu", lambda mu: stats.poisson.cdf(K, mu),
         lambda mu: jsp.stats.poisson.cdf(K, mu), (4,), domains=positive),
    _stats("dirichlet", "logpdf", ((4,), (4,)), (simplex, positive)),
    _stats("dirichlet", "pdf", ((3, 2), (3,)), (simplex, positive)),
    _stats("multivariate_normal", "logpdf", ((4, 3), (3,), (3, 3)), (real, real, spd)),
    _stats("multivariate_normal", "pdf", ((3,), (3,), (3, 3)), (real, real, spd)),
]  # fmt: skip

LINALG = [
    case("lu", "pivoting", lambda a: linalg.lu_factor(a)[0],
         lambda a: jsp.linalg.lu_factor(a)[0], (4, 4), domains=pivoting),
    case("lu", "wide-stack", lambda a: linalg.lu_factor(a)[0],
         lambda a: jsp.linalg.lu_factor(a)[0], (2, 3, 4)),
    case("lu_solve", "pivoting", lambda a, b: linalg.lu_solve(linalg.lu_factor(a), b),
         lambda a, b: jsp.linalg.lu_solve(jsp.linalg.lu_factor(a), b), (3, 3), (3, 2),
         domains=(pivoting, real)),
    case("lu_solve", "transposed", lambda a, b: linalg.lu_solve(linalg.lu_factor(a), b, trans=1),
         lambda a, b: jsp.linalg.lu_solve(jsp.linalg.lu_factor(a), b, trans=1), (3, 3), (3,),
         domains=(pivoting, real)),
    *(case("cho_factor", f"lower-{lower}", lambda a, lower=lower: linalg.cho_factor(a, lower)[0],
           lambda a, lower=lower: jsp.linalg.cho_factor(a, lower)[0], (3, 3), domains=spd)
      for lower in (False, True)),
    *(case("cho_solve", f"lower-{lower}",
           lambda a, b, lower=lower: linalg.cho_solve(linalg.cho_factor(a, lower), b),
           lambda a, b, lower=lower: jsp.linalg.cho_solve(jsp.linalg.cho_factor(a, lower), b),
           (3, 3), (3, 2), domains=(spd, real))
      for lower in (False, True)),
    case("block_diag", "mixed", linalg.block_diag, jsp.linalg.block_diag, (2, 2), (3,), (1, 2)),
    case("expm", "(3,3)", linalg.expm, jsp.linalg.expm, (3, 3), domains=lambda x: x / 2),
    case("expm", "stack", linalg.expm, jsp.linalg.expm, (2, 2, 2)),
    case("solve_sylvester", "3x3-2x2", linalg.solve_sylvester, sylvester_by_kronecker,
         (3, 3), (2, 2), (3, 2), domains=(shifted(2.0), shifted(1.0), real)),
    case("solve_sylvester", "stack", linalg.solve_sylvester,
         jax.vmap(sylvester_by_kronecker, (None, None, 0)), (2, 2), (3, 3), (2, 2, 3),
         domains=(shifted(2.0), shifted(1.0), real)),
    case("tridiagonal_solve", "stack", lax.linalg.tridiagonal_solve,
         jax.lax.linalg.tridiagonal_solve, (2, 5), (2, 5), (2, 5), (2, 5, 3),
         domains=(real, lambda x: 4.0 + np.abs(x), real, real)),
    # A Krylov solve's derivatives are those of A⁻¹b (implicit), whatever the iterations did.
    case("custom_linear_solve", "cg", lambda a, b: sparse.linalg.cg(a, b, rtol=1e-14)[0],
         jnp.linalg.solve, (4, 4), (4,), domains=(spd, real)),
    *(case("custom_linear_solve", method,
           lambda a, b, method=method: getattr(sparse.linalg, method)(a, b, rtol=1e-14)[0],
           jnp.linalg.solve, (4, 4), (4,), domains=(shifted(3.0), real))
      for method in ("bicgstab", "gmres")),
    # jax.lax's custom_linear_solve itself, with a dense solve: A⁻¹b in A and b.
    case("custom_linear_solve", "lax-dense",
         lambda a, b: lax.custom_linear_solve(lambda v: a @ v, b, dense_solve, dense_solve),
         jnp.linalg.solve, (4, 4), (4,), domains=(shifted(3.0), real)),
    # An operator closing over t: A(t) = t Q + I, Q symmetric positive definite.
    case("custom_linear_solve", "cg-closure",
         lambda t, b: sparse.linalg.cg(lambda v: (KRYLOV_Q * t) @ v + v, b, rtol=1e-14)[0],
         lambda t, b: jnp.linalg.solve(KRYLOV_Q * t + jnp.eye(4), b), (), (4,),
         domains=(positive, real)),
]  # fmt: skip

CONVOLUTION_SHAPES = (((5,), (3,)), ((3,), (5,)), ((3, 4), (2, 3)))
SIGNAL = [
    case("convolve", "1d", signal.convolve, jsp.signal.convolve, (5,), (3,)),
    case("convolve", "2d", signal.convolve, jsp.signal.convolve, (3, 4), (2, 2)),
    *(case("convolve", f"{mode}-{shape_label(*s)}",
           lambda x, y, mode=mode: signal.convolve(x, y, mode),
           lambda x, y, mode=mode: jsp.signal.convolve(x, y, mode), *s)
      for mode in ("valid", "same") for s in CONVOLUTION_SHAPES),
    *(case("correlate", f"{mode}-{shape_label(*s)}",
           lambda x, y, mode=mode: signal.correlate(x, y, mode),
           lambda x, y, mode=mode: jsp.signal.correlate(x, y, mode), *s)
      for mode in ("full", "valid", "same") for s in CONVOLUTION_SHAPES),
]  # fmt: skip

CASES = SPECIAL + STATS + LINALG + SIGNAL
