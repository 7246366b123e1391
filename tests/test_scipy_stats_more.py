"""``admodes.scipy.stats``' gumbel_r, gumbel_l, pareto, geom, nbinom, betabinom, multinomial,
gennorm, truncnorm, vonmises and wrapcauchy (the functions ``jax.scipy.stats`` has for each),
and ``sem``.

Values against SciPy's across each support, at its ends, off it and for invalid parameters (−inf,
nan, 0); values and gradients in every continuous argument, by both modes, against JAX's (float64,
one compiled program per distribution); the places where the values are SciPy's and not JAX's;
central differences where JAX's gradient is nan; SciPy's return types, float32 kept as JAX's
promotion keeps it.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.stats as jss
import numpy as np
import pytest
import scipy.stats as ss
from conftest import (
    FD_EPS,
    MODES,
    assert_close,
    assert_fd_close,
    assert_gradients_match_jax,
    jax_compiled,
)

import admodes as ad
import admodes.numpy as anp
from admodes.scipy import stats

INF, NAN = np.inf, np.nan

# ---------------------------------------------------------------------------- values vs SciPy
#: x across the line, its ends and nan; q with the ends of [0, 1] and outside; k with negative,
#: fractional, large and nan counts.
X = np.array([-INF, -40.0, -3.0, -0.2, 0.0, 0.3, 1.0, 1.3, 2.5, 6.0, 7.5, 40.0, 800.0, INF, NAN])
Q = np.array([0.0, 1e-300, 1e-12, 0.1, 0.5, 0.75, 1 - 1e-12, 1.0, -0.1, 1.1, NAN])
K = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 3.0, 4.0, 7.0, 30.0, NAN])

LOCATION_SCALE = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf", "ppf")
TRUNCNORM = ("logpdf", "pdf", "cdf", "logcdf", "sf", "logsf")
#: distribution → (its functions, parameter tuples after x): inside the domains, at their ends
#: and outside them (scale ≤ 0, shapes ≤ 0, p outside (0, 1], a ≥ b: nan).
VALUE_CASES: dict[str, tuple[tuple[str, ...], list[tuple]]] = {
    "gumbel_r": (LOCATION_SCALE, [(0.3, 1.7), (-2.0, 0.4), (0.3, 0.0), (0.3, -1.0)]),
    "gumbel_l": (LOCATION_SCALE, [(0.3, 1.7), (-2.0, 0.4), (0.3, 0.0), (0.3, -1.0)]),
    "pareto": (LOCATION_SCALE, [(2.5, 0.3, 1.7), (0.7, -1.0, 2.0), (40.0, 0.0, 1.0),
                                (0.0, 0.0, 1.0), (-1.0, 0.0, 1.0), (2.5, 0.0, -1.0)]),
    "geom": (("logpmf", "pmf"), [(0.3,), (1.0,), (1e-9,), (0.3, 1.0), (0.0,), (1.2,), (NAN,)]),
    "nbinom": (("logpmf", "pmf"), [(3.0, 0.3), (2.5, 0.6), (3.0, 1.0), (1e-3, 1e-4),
                                   (3.0, 0.3, 1.0), (0.0, 0.3), (3.0, 0.0), (3.0, 1.2)]),
    "betabinom": (("logpmf", "pmf"), [(4.0, 2.5, 1.5), (30.0, 0.2, 0.7), (4.0, 2.5, 1.5, 1.0),
                                      (0.0, 2.5, 1.5), (4.5, 2.5, 1.5), (-1.0, 2.5, 1.5),
                                      (4.0, 0.0, 1.5), (4.0, 2.5, -1.0)]),
    "gennorm": (("logpdf", "pdf", "cdf"), [(0.7,), (2.0, 0.3, 1.7), (4.5, 0.1, 0.5), (40.0,),
                                           (0.0,), (-1.0,), (1.0, 0.0, -1.0)]),
    "truncnorm": (TRUNCNORM, [(-1.0, 2.0), (-1.0, 2.0, 0.3, 1.7), (0.5, 3.0), (-INF, 0.4),
                              (-0.5, INF), (-INF, INF), (5.0, 9.0), (-9.0, -5.0), (-40.0, -39.0),
                              (30.0, INF), (2.0, 2.0), (3.0, 1.0), (-1.0, 2.0, 0.0, -1.0)]),
    "vonmises": (("logpdf", "pdf"), [(0.5,), (2.0, 0.3, 1.7), (700.0,), (0.0,), (-1.0,),
                                     (2.0, 0.0, 0.0)]),
    "wrapcauchy": (("logpdf", "pdf"), [(0.5,), (0.3, 0.3, 1.7), (0.99,), (1e-9,), (0.0,),
                                       (1.0,), (-0.2,), (0.5, 0.0, 0.0)]),
}  # fmt: skip
VALUE_FUNCTIONS = [(d, f) for d, (fns, _) in VALUE_CASES.items() for f in fns]


def _points(fn: str) -> np.ndarray:
    """The points a function takes: q for a quantile function, k for a pmf, x otherwise."""
    return Q if fn == "ppf" else K if fn.endswith("pmf") else X


@pytest.mark.parametrize(("dist", "fn"), VALUE_FUNCTIONS, ids=lambda v: str(v))
def test_values_are_scipys(dist: str, fn: str) -> None:
    """Across the support and off it (−inf, 0), at its ends (pareto's y = 1, wrapcauchy's 0 and
    2π, truncnorm's a and b), far in the tails (logcdf near 0, logsf of the Gumbel laws), and nan
    for parameters outside their domains or a nan point."""
    ours, theirs = getattr(getattr(stats, dist), fn), getattr(getattr(ss, dist), fn)
    points = _points(fn)
    with np.errstate(all="ignore"):
        for params in VALUE_CASES[dist][1]:
            assert_close(ours(points, *params), theirs(points, *params), rtol=1e-12)


P3 = np.array([0.2, 0.3, 0.5])
#: Counts of three categories: n = 6 (their sum), fractional, negative, a wrong sum.
COUNTS = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0], [6.0, 0.0, 0.0], [2.0, 2.0, 2.0],
                   [1.5, 2.0, 2.5], [-1.0, 3.0, 4.0], [1.0, 1.0, 1.0]])  # fmt: skip


def test_multinomial_values_are_scipys() -> None:
    """Points along the last axis (one point: a scalar); −inf for counts that are not whole
    numbers ≥ 0 summing to n; n truncated to an integer, as SciPy; nan for n < 0 or a p outside
    [0, 1]; a zero p with a zero count. Raises for counts of the wrong length."""
    cases = [
        (6, P3),
        (6.7, P3),
        (0, P3),
        (-1, P3),
        (6, np.array([0.0, 0.5, 0.5])),
        (6, np.array([1.2, -0.2, 0.0])),
        (6, np.array([[0.2, 0.3, 0.5], [0.6, 0.3, 0.1]])),
    ]
    with np.errstate(all="ignore"):
        for fn in ("logpmf", "pmf"):
            ours, theirs = getattr(stats.multinomial, fn), getattr(ss.multinomial, fn)
            for n, p in cases:
                assert_close(ours(COUNTS[:, None], n, p), theirs(COUNTS[:, None], n, p))
            assert_close(ours(COUNTS[0], 6, P3), np.float64(theirs(COUNTS[0], 6, P3)))
    for x in (np.array([1.0, 2.0]), np.array(3.0)):
        with pytest.raises(ValueError, match="multinomial"):
            stats.multinomial.logpmf(x, 3, P3)


def test_where_the_values_are_scipys_not_jaxs() -> None:
    """Where JAX's values differ from SciPy's, admodes gives SciPy's: the Gumbel quantiles at
    q = 0 and 1 (±inf, the ends of the support; JAX: nan); von Mises at kappa = 0 (the uniform
    density, JAX: nan); a fractional k (−inf; JAX's betabinom floors k); a nan x in truncnorm's
    logcdf (nan; JAX: 0); a scale ≤ 0 or a shape ≤ 0 (nan; JAX computes its formula)."""
    q, k = np.array([0.0, 1.0]), np.array([0.5, 2.5])
    cases = [
        ("gumbel_r", "ppf", (q, 0.3, 1.7)),
        ("gumbel_l", "ppf", (q, 0.3, 1.7)),
        ("vonmises", "logpdf", (np.array([0.3, 2.0]), 0.0)),
        ("betabinom", "logpmf", (k, 4.0, 2.5, 1.5)),
        ("geom", "logpmf", (k, 0.3)),
        ("nbinom", "logpmf", (k, 3.0, 0.3)),
        ("truncnorm", "logcdf", (np.array([NAN]), -1.0, 2.0)),
        ("pareto", "cdf", (np.array([-2.0]), 2.5, 0.0, -1.0)),
        ("pareto", "logpdf", (np.array([2.0]), 0.0)),
        ("gumbel_r", "ppf", (np.array([0.3]), 0.3, -1.7)),
    ]
    jaxs = jax_compiled(lambda: [getattr(getattr(jss, d), f)(*a) for d, f, a in cases])
    with np.errstate(all="ignore"):
        for (dist, fn, args), theirs in zip(cases, jaxs, strict=True):
            ours = getattr(getattr(stats, dist), fn)(*args)
            assert_close(ours, getattr(getattr(ss, dist), fn)(*args))
            assert not np.array_equal(ours, theirs, equal_nan=True), (dist, fn)


# ---------------------------------------------------------------------------- gradients vs JAX
def _pairs(dist: str, fns: tuple[str, ...], jax_module: Any = None) -> list[tuple]:
    """(admodes, JAX) function pairs of one distribution, each taking (x, q, *params): the
    quantile functions q, the others x."""
    jax_module = jax_module or getattr(jss, dist)
    out = []
    for fn in fns:
        ours, theirs = getattr(getattr(stats, dist), fn), getattr(jax_module, fn)
        at = 1 if fn == "ppf" else 0
        out.append((lambda *a, f=ours, i=at: f(a[i], *a[2:]),
                    lambda *a, f=theirs, i=at: f(a[i], *a[2:])))  # fmt: skip
    return out


class _GumbelFormulas:
    """JAX's Gumbel logpdf, pdf and ppf with −log s for its ``xlogy(−1, s)``, which JAX cannot
    differentiate (the integer −1 gets a float0 tangent: a TypeError in jax.grad and jacfwd)."""

    def __init__(self, left: bool) -> None:
        self.sign = 1.0 if left else -1.0

    def logpdf(self, x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        z = self.sign * (x - loc) / scale
        return z - jnp.exp(z) - jnp.log(scale)

    def pdf(self, x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        return jnp.exp(self.logpdf(x, loc, scale))

    def ppf(self, q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        inner = -jnp.log1p(-q) if self.sign > 0 else -jnp.log(q)
        return loc + self.sign * scale * jnp.log(inner)


def _standardized(jax_fn: Callable[..., Any], density: bool) -> Callable[..., Any]:
    """JAX's function of (x, shape) as SciPy's of (x, shape, loc, scale): at (x − loc)/scale, a
    density divided by scale (where it is not 0)."""

    def fn(x: Any, shape: Any, loc: Any, scale: Any) -> Any:
        value = jax_fn((x - loc) / scale, shape)
        return jnp.where(value == -jnp.inf, value, value - jnp.log(scale)) if density else value

    return fn


class _WithLocScale:
    """jax.scipy.stats' gennorm, vonmises or wrapcauchy with SciPy's loc and scale."""

    def __init__(self, dist: str) -> None:
        module = getattr(jss, dist)
        self.logpdf = _standardized(module.logpdf, density=True)
        self.pdf = lambda *a: jnp.exp(self.logpdf(*a))
        if hasattr(module, "cdf"):
            self.cdf = _standardized(module.cdf, density=False)


class _ExpOfLog:
    """A jax.scipy.stats module whose pdf, cdf, sf and pmf are exp of its logpdf, logcdf, logsf
    and logpmf, as JAX defines them (``lax.exp(logpdf(…))``): each log function compiled once in
    the reference program, not twice."""

    def __init__(self, dist: str) -> None:
        self.module = getattr(jss, dist)

    def __getattr__(self, name: str) -> Any:
        if name in ("pdf", "cdf", "sf", "pmf"):
            log_fn = getattr(self.module, f"log{name}")
            return lambda *a: jnp.exp(log_fn(*a))
        return getattr(self.module, name)


def _pmf_pairs(dist: str, k: np.ndarray) -> list[tuple]:
    """logpmf and pmf of k (held fixed) as functions of the parameters."""
    return [(partial(getattr(getattr(stats, dist), fn), k),
             partial(getattr(_ExpOfLog(dist), fn), k)) for fn in ("logpmf", "pmf")]  # fmt: skip


GUMBEL_X = np.array([-3.0, -0.2, 0.3, 1.1, 4.0, 12.0])
GUMBEL_Q = np.array([1e-6, 0.2, 0.5, 0.9, 1 - 1e-9])
COLUMN = np.array([[0.5], [1.5], [3.0]])  # a shape parameter per row of the output


def _gradient_cases() -> dict[str, list[tuple]]:
    """distribution → [(pairs, arguments, argnums[, per_mode])] whose values and gradients equal
    JAX's; the points include each support's ends and points off it where JAX's derivative is
    finite. per_mode False: both modes against jax.grad (JAX's jacfwd is nan at infinite
    truncation bounds; and one JAX derivative to compile instead of two, for the slowest)."""
    ppf_free = ("cdf", "logcdf", "sf", "logsf")
    gumbel = {
        dist: [(_pairs(dist, ppf_free), (GUMBEL_X, GUMBEL_Q, 0.3, 1.7), None),
               (_pairs(dist, ("logpdf", "pdf", "ppf"), _GumbelFormulas(dist == "gumbel_l")),
                (GUMBEL_X, GUMBEL_Q, 0.3, 1.7), None)]
        for dist in ("gumbel_r", "gumbel_l")
    }  # fmt: skip
    x_pareto, q_pareto = np.array([0.1, 1.5, 1.7, 3.0, 30.0]), np.array([0.0, 0.3, 0.9, 1 - 1e-9])
    x_circle = np.array([-0.5, 0.3, 1.0, 3.0, 7.8, 12.0])  # wrapcauchy's support: [0.3, 7.84]
    return gumbel | {
        "pareto": [(_pairs("pareto", LOCATION_SCALE), (x_pareto, q_pareto, COLUMN, -0.5, 2.0),
                    None)],
        "geom": [(_pmf_pairs("geom", np.array([[1.0], [2.0], [3.0], [6.0]])),
                  (np.array([0.3, 0.8, 1e-3]), 1.0), None)],
        "nbinom": [(_pmf_pairs("nbinom", np.array([[0.0], [1.0], [3.0], [12.0]])),
                    (np.array([0.5, 3.0, 7.5]), np.array([0.3, 0.6, 1.0]), 0.0), None)],
        # a, b and k + a, n − k + b below 8: beyond, JAX's betaln is accurate to 1e-6 only.
        "betabinom": [(_pmf_pairs("betabinom", np.array([[1.0], [2.0], [3.0], [5.0]])),
                       (np.array([4.0, 5.0, 6.0]), np.array([0.5, 2.5, 1.5]),
                        np.array([1.5, 0.7, 1.2]), 1.0), None, False)],
        # one point per pair: JAX's support test sums x over all its axes
        "multinomial": [([(partial(getattr(stats.multinomial, fn), x, 6),
                           partial(getattr(jss.multinomial, fn), x.astype(int), 6))
                          for x in COUNTS[:4] for fn in ("logpmf", "pmf")], (P3,), None)],
        "gennorm": [(_pairs("gennorm", ("logpdf", "pdf", "cdf"), _WithLocScale("gennorm")),
                     (np.array([-3.0, -0.2, 1.1, 4.0]), None, COLUMN, 0.3, 1.7), (0, 2, 3, 4))],
        "vonmises": [(_pairs("vonmises", ("logpdf", "pdf"), _WithLocScale("vonmises")),
                      (np.array([-4.0, -0.5, 0.3, 2.0, 7.0]), None,
                       np.array([[0.5], [2.0], [50.0]]), 0.3, 1.7), (0, 2, 3, 4))],
        "wrapcauchy": [(_pairs("wrapcauchy", ("logpdf", "pdf"), _WithLocScale("wrapcauchy")),
                        (x_circle, None, np.array([[0.1], [0.4], [0.95]]), 0.3, 1.2),
                        (0, 2, 3, 4))],
        # inside each interval: a central one, a right and a left tail (y in [1.2, 3.9] and
        # [−2.9, −0.2] by their loc); half-lines and the line (in x, loc and scale)
        "truncnorm": [(_pairs("truncnorm", TRUNCNORM, _ExpOfLog("truncnorm")),
                       (np.array([[-1.0], [0.0], [0.3], [1.5], [3.0], [3.6]]), None,
                        np.array([-1.0, 1.0, -3.0]), np.array([2.0, 4.0, -0.2]),
                        np.array([0.3, -3.0, 4.0]), 1.7), (0, 2, 3, 4, 5), False),
                      (_pairs("truncnorm", ("logpdf", "logcdf")),  # logsf is logcdf mirrored
                       (np.array([[0.0], [0.3], [1.5]]), None, np.array([-INF, -0.5, -INF]),
                        np.array([1.2, INF, INF]), 0.3, 1.7), (0, 4, 5), False)],
    }  # fmt: skip


GRADIENT_CASES = _gradient_cases()


@pytest.mark.parametrize("dist", sorted(GRADIENT_CASES))
def test_values_and_gradients_are_jaxs(dist: str) -> None:
    """Values, and gradients in x (q), the shapes, loc and scale, by each mode as JAX's in that
    mode (a discrete k is held fixed; its loc is differentiated, as JAX's formula; multinomial:
    p). The Gumbel logpdf, pdf and ppf against JAX's formulas written out (JAX's own raise in
    jax.grad); gennorm, vonmises and wrapcauchy, which JAX has without loc and scale, against
    JAX's at (x − loc)/scale; at infinite truncation bounds, in x, loc and scale only."""
    for pairs, args, argnums, *per_mode in GRADIENT_CASES[dist]:
        assert_gradients_match_jax(pairs, args, argnums, *per_mode)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", ["logpmf", "pmf"])
def test_betabinom_has_no_slope_in_k_but_one_in_loc_as_jax(mode: str, fn: str) -> None:
    """JAX floors k, so the count has no derivative; loc, which shifts it, has one."""
    ours, jaxs = getattr(stats.betabinom, fn), getattr(jss.betabinom, fn)
    args = (2.0, 4.0, 2.5, 1.5, 1.0)  # where JAX's betaln is accurate (see above)
    got = ad.grad(lambda *a: ours(*a), argnums=(0, 4), mode=mode)(*args)
    assert_close(got, jax.grad(lambda *a: jaxs(*a), argnums=(0, 4))(*args))


@pytest.mark.parametrize("mode", MODES)
def test_normal_quantiles_have_infinite_slopes_at_the_ends(mode: str) -> None:
    """d ndtri(q)/dq = √(2π) exp(x²/2) at x = ndtri(q): near the ends as the formula, and at
    q = 0 and 1 its limit +inf (isf = −ppf: −inf), where JAX's derivative is 0."""
    special = ad.scipy.special
    for q in (1e-12, 0.3, 1 - 1e-9):
        slope = math.sqrt(2 * math.pi) * math.exp(special.ndtri(q) ** 2 / 2)
        assert_close(ad.grad(special.ndtri, mode=mode)(q), slope)
    for q in (0.0, 1.0):
        assert ad.grad(special.ndtri, mode=mode)(q) == math.inf
        assert ad.grad(stats.norm.ppf, mode=mode)(q) == math.inf
        assert ad.grad(stats.norm.isf, mode=mode)(q) == -math.inf


def _central_difference(fn: Callable[..., Any], args: tuple, i: int) -> Any:
    """(fn(…, aᵢ + h, …) − fn(…, aᵢ − h, …)) / 2h."""
    up, down = list(args), list(args)
    up[i], down[i] = args[i] + FD_EPS, args[i] - FD_EPS
    return (fn(*up) - fn(*down)) / (2 * FD_EPS)


#: (distribution, function, arguments, argnums) where JAX's gradient is nan and admodes' agrees
#: with central differences: truncnorm in the far tails, where a mass rounds to 1 or 0 in the
#: form JAX's select does not take; gennorm's cdf at x = loc, where JAX's is 0 · ∞.
FAR = [
    ("truncnorm", fn, (x, a, b, 0.3, 1.7), (0, 1, 2, 3, 4))
    for fn in TRUNCNORM
    for x, a, b in ((18.15, 10.0, 12.0), (-17.55, -12.0, -10.0), (-66.85, -40.0, -39.0))
] + [("gennorm", "cdf", (0.3, beta, 0.3, 1.7), (0, 1, 2, 3)) for beta in (1.5, 3.0)]


@pytest.mark.parametrize(("dist", "fn", "args", "argnums"), FAR, ids=lambda v: str(v)[:24])
def test_gradients_where_jaxs_are_nan_are_central_differences(
    dist: str, fn: str, args: tuple, argnums: tuple[int, ...]
) -> None:
    ours = getattr(getattr(stats, dist), fn)
    expected = [_central_difference(ours, args, i) for i in argnums]
    for mode in MODES:
        got = ad.grad(ours, argnums, mode=mode)(*args)
        for g, e in zip(got, expected, strict=True):
            assert_fd_close(g / max(1.0, abs(e)), e / max(1.0, abs(e)))


def test_jaxs_gradients_are_nan_there() -> None:
    """At the points of :data:`FAR`, JAX's gradient has a nan (one compiled program; truncnorm's
    logcdf, of which cdf, logsf and sf are the exponential or mirror image)."""

    def gradients() -> list:
        out = []
        for dist, fn, args, argnums in FAR:
            if fn not in ("logcdf", "cdf"):
                continue
            module = _WithLocScale(dist) if dist == "gennorm" else getattr(jss, dist)
            out.append(jnp.stack(jax.grad(getattr(module, fn), argnums)(*args)))
        return out

    assert all(np.isnan(g).any() for g in jax_compiled(gradients))


#: (distribution, function, arguments, argnums) off the support, where each formula sees a point
#: of the support: derivative 0 (the value is a constant −inf, 0 or 1), where JAX's is nan
#: (a log of 0 or of a negative mass meets its zero cotangent).
OFF_SUPPORT = [
    ("chi2", "logpdf", (np.array([-0.5, -2.0]), 3.0, 0.0, 2.0), (1, 2, 3)),  # JAX's gamma's 0
    ("pareto", "logpdf", (np.array([-0.5, 1.0]), 2.5, -0.5, 2.0), (0, 1, 2, 3)),
    ("pareto", "logcdf", (np.array([-0.5, 1.0]), 2.5, -0.5, 2.0), (0, 1, 2, 3)),
    ("nbinom", "logpmf", (np.array([-1.0, -3.0]), 3.0, 0.4), (1, 2)),
    ("betabinom", "logpmf", (np.array([-1.0, 5.0]), 4.0, 2.5, 1.5), (1, 2, 3)),
    ("truncnorm", "logcdf", (np.array([-3.0, 5.0]), -1.0, 2.0, 0.3, 1.7), (0, 1, 2, 3, 4)),
    ("truncnorm", "logsf", (np.array([-3.0, 5.0]), -1.0, 2.0, 0.3, 1.7), (0, 1, 2, 3, 4)),
]


@pytest.mark.parametrize(("dist", "fn", "args", "argnums"), OFF_SUPPORT,
                         ids=lambda v: str(v)[:12])  # fmt: skip
def test_derivative_off_the_support_is_zero(
    dist: str, fn: str, args: tuple, argnums: tuple[int, ...]
) -> None:
    ours = getattr(getattr(stats, dist), fn)
    for mode in MODES:
        got = ad.grad(lambda *a: anp.sum(ours(*a)), argnums, mode=mode)(*args)
        assert all(np.all(np.asarray(g) == 0.0) for g in got), (mode, got)


def test_gennorm_cdf_at_its_centre_has_the_density_as_slope() -> None:
    """gennorm's cdf at x = loc: derivative f(0)/scale in x (the density there, a cusp for
    beta < 1, where central differences converge slowly) and 0 in beta (JAX's: nan)."""
    for mode in MODES:
        for beta in (0.7, 1.5, 3.0):
            slopes = ad.grad(stats.gennorm.cdf, (0, 1), mode=mode)(0.3, beta, 0.3, 1.7)
            assert_close(slopes, (ss.gennorm.pdf(0.3, beta, 0.3, 1.7), 0.0), rtol=1e-14)


def test_vonmises_slopes_in_kappa_at_zero_are_the_limits() -> None:
    """At κ = 0 (the uniform density, where JAX's is nan), d logpdf/dκ = cos y − I₁(κ)/I₀(κ) is
    cos y, y = (x − loc)/scale, and d pdf/dκ = pdf · cos y, by both modes, against one-sided
    differences of SciPy's logpdf (second order); d²/dκ² = −(I₁/I₀)′(0) = −1/2 against SciPy's
    second differences, and d²/dκdx = −sin(y)/scale."""
    h, loc, scale = FD_EPS, 0.3, 1.7
    for x in (-2.0, 0.3, 1.0, 3.0):
        y, at = (x - loc) / scale, partial(ss.vonmises.logpdf, x, loc=loc, scale=scale)
        slope = (4 * at(h) - 3 * at(0.0) - at(2 * h)) / (2 * h)
        curvature = (at(0.0) - 2 * at(h) + at(2 * h)) / h**2
        for mode in MODES:
            d_kappa = ad.grad(stats.vonmises.logpdf, 1, mode=mode)
            assert_close(d_kappa(x, 0.0, loc, scale), math.cos(y), rtol=1e-14)
            assert_fd_close(d_kappa(x, 0.0, loc, scale), slope)
            d_pdf = ad.grad(stats.vonmises.pdf, 1, mode=mode)(x, 0.0, loc, scale)
            assert_close(d_pdf, ss.vonmises.pdf(x, 0.0, loc, scale) * math.cos(y), rtol=1e-14)
            assert_fd_close(ad.grad(d_kappa, 1, mode=mode)(x, 0.0, loc, scale), curvature)
            assert_close(ad.grad(d_kappa, 0, mode=mode)(x, 0.0, loc, scale), -math.sin(y) / scale)


def test_gumbel_quantile_slopes_at_the_open_ends_are_plus_inf() -> None:
    """gumbel_r's ppf at q = 1 and gumbel_l's at q = ±0, where −log q (−log1p(−q)) is 0: slope
    +inf by both modes, the limit of scale/(q · (−log q)) of an increasing function (JAX's
    derivative raises there); just inside, the slopes are central differences' (large, > 0)."""
    right = partial(stats.gumbel_r.ppf, loc=0.3, scale=1.7)
    left = partial(stats.gumbel_l.ppf, loc=0.3, scale=1.7)
    for mode in MODES:
        with np.errstate(divide="ignore"):  # log 0 and 1/0 on the way to the infinite slope
            assert ad.grad(right, mode=mode)(1.0) == INF
            assert ad.grad(left, mode=mode)(0.0) == ad.grad(left, mode=mode)(-0.0) == INF
        for fn, q, eps in ((right, 1 - 1e-6, 1e-10), (left, 1e-6, 1e-10), (right, 0.999, 1e-7)):
            slope, fd = ad.grad(fn, mode=mode)(q), (fn(q + eps) - fn(q - eps)) / (2 * eps)
            assert slope > 1e3
            assert_fd_close(slope / fd, 1.0)


# ---------------------------------------------------------------------------- types, float32
#: (distribution, function, parameters after x) for a scalar x: JAX's own parameters (gennorm,
#: vonmises and wrapcauchy without loc and scale, which JAX lacks).
TYPE_CASES = [
    *((d, f, (0.3, 1.7)) for d in ("gumbel_r", "gumbel_l") for f in LOCATION_SCALE),
    *(("pareto", f, (2.5, 0.3, 0.4)) for f in LOCATION_SCALE),
    *(("geom", f, (0.3,)) for f in ("logpmf", "pmf")),
    *(("nbinom", f, (3.0, 0.4)) for f in ("logpmf", "pmf")),
    *(("betabinom", f, (5.0, 2.5, 1.5)) for f in ("logpmf", "pmf")),
    *(("gennorm", f, (1.5,)) for f in ("logpdf", "pdf", "cdf")),
    *(("truncnorm", f, (-1.0, 2.0, 0.3, 1.7)) for f in TRUNCNORM),
    *((d, f, (0.6,)) for d in ("vonmises", "wrapcauchy") for f in ("logpdf", "pdf")),
]


@pytest.mark.parametrize(("dist", "fn", "params"), TYPE_CASES, ids=lambda v: str(v))
def test_types_are_scipys_and_float32_stays_float32(dist: str, fn: str, params: tuple) -> None:
    """A Python number gives an np.float64 (SciPy's type; an int k too); a float32 x with Python
    parameters gives float32, as JAX (SciPy computes in float64), with SciPy's value to float32
    precision; a 1-d x an array of its shape."""
    point = 0.6 if fn == "ppf" else 2 if fn.endswith("pmf") else 1.3
    ours, theirs = getattr(getattr(stats, dist), fn), getattr(getattr(ss, dist), fn)
    with np.errstate(all="ignore"):
        for x in (float(point), point):
            assert type(ours(x, *params)) is np.float64
            assert ours(x, *params) == pytest.approx(theirs(x, *params), rel=1e-12)
        x = np.array([point, 2 * point], dtype=np.float32)
        got, want = ours(x, *params), theirs(x.astype(np.float64), *params)
        jaxs = jax.eval_shape(getattr(getattr(jss, dist), fn), x, *params)  # no compiling
    assert got.dtype == jaxs.dtype == np.float32 and got.shape == (2,)
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def test_multinomial_types() -> None:
    """One point gives an np.float64 (SciPy's logpmf gives a 0-d array there, its pmf the
    scalar); integer counts with a float32 p give float32, as JAX."""
    counts = np.array([1, 2, 3])
    for fn in ("logpmf", "pmf"):
        got = getattr(stats.multinomial, fn)(counts, 6, P3)
        assert type(got) is np.float64
        low = getattr(stats.multinomial, fn)(counts, 6, P3.astype(np.float32))
        jaxs = jax.eval_shape(getattr(jss.multinomial, fn), counts, 6, P3.astype(np.float32))
        assert low.dtype == jaxs.dtype == np.float32
        np.testing.assert_allclose(low, getattr(ss.multinomial, fn)(counts, 6, P3), rtol=2e-6)


# ---------------------------------------------------------------------------- sem
SAMPLE = np.array([[1.0, 2.0, NAN, 4.0], [3.0, 5.0, 7.0, -1.0], [0.5, 0.2, 9.0, 2.0]])
SEM_CALLS = [
    {},
    {"axis": 1},
    {"axis": None},
    {"axis": -1, "ddof": 0},
    {"axis": 0, "keepdims": True},
    {"nan_policy": "omit"},
    {"axis": 1, "nan_policy": "omit", "keepdims": True},
    {"axis": None, "nan_policy": "omit"},
]


@pytest.mark.parametrize("kwargs", SEM_CALLS, ids=str)
def test_sem_is_scipys_with_jaxs_gradient(kwargs: dict) -> None:
    """Values SciPy's (nan where a column holds a nan, with "propagate"; the others over the n
    entries that are not nan, with "omit"); values and gradients by both modes JAX's (a nan
    entry gets no derivative with "omit")."""
    with np.errstate(all="ignore"):
        assert_close(stats.sem(SAMPLE, **kwargs), ss.sem(SAMPLE, **kwargs))
    complete = np.where(np.isnan(SAMPLE), 0.5, SAMPLE) if "nan_policy" not in kwargs else SAMPLE
    pair = (partial(stats.sem, **kwargs), partial(jss.sem, **kwargs))
    assert_gradients_match_jax([pair], (complete,))


def test_sem_types_and_policies() -> None:
    """A 1-d sample gives an np.float64 (integers as float64), float32 stays float32, a scalar is
    one entry (nan); "raise" raises on a nan, as SciPy; an unknown policy raises."""
    assert type(stats.sem([1, 2, 4])) is np.float64
    assert stats.sem([1, 2, 4]) == pytest.approx(ss.sem([1, 2, 4]), rel=1e-14)
    assert stats.sem(np.float32([1, 2, 4])).dtype == np.float32
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # SciPy warns that one entry is too small a sample
        assert np.isnan(stats.sem(3.0)) and np.isnan(ss.sem(3.0))
    assert stats.sem(SAMPLE[1:], nan_policy="raise") == pytest.approx(ss.sem(SAMPLE[1:]))
    with pytest.raises(ValueError, match="contains nan"):
        stats.sem(SAMPLE, nan_policy="raise")
    with pytest.raises(ValueError, match="nan_policy must be one of"):
        stats.sem(SAMPLE, nan_policy="ignore")
    assert math.isclose(float(stats.sem(SAMPLE[1])), float(ss.sem(SAMPLE[1])), rel_tol=1e-14)


# ---------------------------------------------------------------------------- stacks of covariances
def _covariances(rng: np.random.Generator, n: int, d: int) -> np.ndarray:
    """n random symmetric positive definite d×d matrices."""
    a = rng.standard_normal((n, d, d))
    return a @ np.swapaxes(a, -1, -2) + d * np.eye(d)


#: Shapes of the points and of the means, with covariances of shape (5, 3, 3).
STACKED_SHAPES = [((5, 3), (3,)), ((3,), (3,)), ((2, 5, 3), (3,)), ((3,), (5, 3))]


@pytest.mark.parametrize("fn", ["logpdf", "pdf"])
@pytest.mark.parametrize(("x_shape", "mean_shape"), STACKED_SHAPES)
def test_multivariate_normal_takes_stacks_of_covariances(
    rng: np.random.Generator, fn: str, x_shape: tuple, mean_shape: tuple
) -> None:
    """A stack of covariances (5, 3, 3) broadcasts with the points and means as JAX's (no
    squeeze): values and gradients in x, mean and cov by both modes equal JAX's."""
    x, mean = rng.standard_normal(x_shape), rng.standard_normal(mean_shape)
    cov = _covariances(rng, 5, 3)
    pair = (getattr(stats.multivariate_normal, fn), getattr(jss.multivariate_normal, fn))
    assert_gradients_match_jax([pair], (x, mean, cov))
