"""``admodes.scipy.optimize``: ``minimize(fun, x0, args=(), *, method="BFGS", tol, options)``,
JAX's ``jax.scipy.optimize.minimize``, with its result :class:`OptimizeResults`.

The method is JAX's BFGS (Nocedal and Wright, *Numerical Optimization*, Algorithm 6.1): from
x₀ and H₀ = I, each iteration searches along pₖ = −Hₖ gₖ (gₖ = ∇f(xₖ), by reverse mode) for a
step αₖ meeting the strong Wolfe conditions

    f(xₖ + α pₖ) ≤ f(xₖ) + c₁ α gₖᵀpₖ   and   |∇f(xₖ + α pₖ)ᵀpₖ| ≤ c₂ |gₖᵀpₖ|,

c₁ = 10⁻⁴, c₂ = 0.9 (Algorithms 3.5 and 3.6: steps doubled until a bracket, then zoomed by
cubic, quadratic or bisection interpolation), then sets sₖ = αₖ pₖ, xₖ₊₁ = xₖ + sₖ,
yₖ = gₖ₊₁ − gₖ, ρₖ = 1/(yₖᵀsₖ) and updates the inverse-Hessian estimate

    Hₖ₊₁ = (I − ρₖ sₖ yₖᵀ) Hₖ (I − ρₖ yₖ sₖᵀ) + ρₖ sₖ sₖᵀ

(kept as Hₖ where ρₖ is not finite), until ‖gₖ‖ < ``gtol`` in the order ``norm``. Iterates,
counts, statuses and the quirks of JAX's line search are JAX's. JAX runs the loops as
``while_loop``; here they are Python loops over admodes operations, each branch decided on the
plain values, so the result is differentiable by both engines in ``x0`` and in whatever ``fun``
and ``args`` hold that an outer transform traces: the derivative of the iterations, which
approaches that of the exact minimizer, −(∇²ₓf)⁻¹ ∂ₓ∂θ f, as they converge. The work is in
``x0``'s dtype (float32 with JAX's float32 thresholds, where rounding may part the iterates from
JAX's on ill-conditioned problems).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, NamedTuple

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, plain, shape
from admodes.reverse import value_and_grad

__all__ = ["OptimizeResults", "minimize"]

#: The Wolfe constants: sufficient decrease, curvature.
C1, C2 = 1e-4, 0.9

#: BFGS's options, with JAX's defaults (maxiter None: 200 per variable).
BFGS_OPTIONS = {"maxiter": None, "norm": np.inf, "gtol": 1e-5, "line_search_maxiter": 10}


class OptimizeResults(NamedTuple):
    """The result of :func:`minimize` (JAX's fields, in JAX's order).

    ``status``: 0 converged, 1 ``maxiter`` iterations reached, 3 the line search's zoom failed
    (30 steps, or the signed width α_hi − α_lo of its bracket at most 10⁻¹⁰, 10⁻⁵ below
    float64: a bracket handed over reversed fails at once, as in JAX), 5 the line search
    reached ``line_search_maxiter`` steps, −1 otherwise. ``success``: converged, and the last
    line search did not fail."""

    x: Any
    success: bool
    status: int
    fun: Any
    jac: Any
    hess_inv: Any
    nfev: int
    njev: int
    nit: int


def minimize(
    fun: Callable[..., Any],
    x0: Any,
    args: tuple = (),
    *,
    method: str,
    tol: float | None = None,
    options: Mapping[str, Any] | None = None,
) -> OptimizeResults:
    """The minimizer of ``fun(x, *args)`` (a scalar) over the 1-D ``x``, from ``x0``, by
    ``method="BFGS"`` (compared case-blind, as JAX), the only method. ``options``: ``maxiter``
    (None: 200·n), ``norm`` (of the gradient, for convergence; ``inf``), ``gtol`` (1e-5),
    ``line_search_maxiter`` (10). ``tol`` sets ``gtol`` unless ``options`` does, as in SciPy
    (JAX ignores it). Integer ``x0`` is read as float64."""
    if not isinstance(args, tuple):
        raise TypeError(f"minimize: args must be a tuple of fun's extra arguments, got {args!r}")
    if method.lower() != "bfgs":
        raise ValueError(
            f"minimize: method {method!r} is not supported; the method is 'BFGS' (JAX's other, "
            "'l-bfgs-experimental-do-not-rely-on-this', is not provided)"
        )
    settings = dict(BFGS_OPTIONS)
    if tol is not None:
        settings["gtol"] = tol
    unknown = sorted(set(options or {}) - set(BFGS_OPTIONS))
    if unknown:
        raise TypeError(
            f"minimize: unknown option(s) {unknown} for method 'BFGS'; its options are "
            f"{sorted(BFGS_OPTIONS)}"
        )
    settings.update(options or {})
    x0 = anp.asarray(x0)
    if ndim(x0) != 1:
        raise ValueError(
            f"minimize: x0 must be a 1-D array of shape (n,), got shape {shape(x0)}; ravel it "
            "(anp.ravel) and reshape it back inside fun"
        )
    kind = dtype_of(x0).kind
    if kind == "c":
        raise TypeError(
            "minimize: x0 is complex; minimize works over real x only: pass the real and "
            "imaginary parts as one real vector"
        )
    if kind in "biu":
        x0 = anp.astype(x0, np.float64)
    maxiter = settings["maxiter"]
    return _bfgs(
        value_and_grad(lambda x: fun(x, *args)),
        x0,
        200 * shape(x0)[0] if maxiter is None else maxiter,
        settings["norm"],
        settings["gtol"],
        settings["line_search_maxiter"],
    )


def _bfgs(
    f_and_grad: Callable[[Any], tuple[Any, Any]],
    x: Any,
    maxiter: int,
    norm: Any,
    gtol: float,
    line_search_maxiter: int,
) -> OptimizeResults:
    """JAX's BFGS iterations from x (module docstring), ``f_and_grad`` giving (f, ∇f)."""
    dtype = dtype_of(x)
    identity = anp.eye(shape(x)[0], dtype=dtype)
    f, g = f_and_grad(x)
    h = identity
    previous_f = f + anp.linalg.norm(g) / 2  # for the first step's initial trial
    evaluations, k, failed, search_status = 1, 0, False, 0
    converged = _converged(g, norm, gtol)
    while not converged and not failed and k < maxiter:
        p = -anp.dot(h, g)
        step = _line_search(f_and_grad, x, p, f, previous_f, g, line_search_maxiter)
        evaluations += step.evaluations
        failed, search_status = step.failed, step.status
        s = step.alpha * p
        y = step.g - g
        ys = anp.dot(y, s)
        with np.errstate(divide="ignore", over="ignore"):
            finite = np.isfinite(1.0 / plain(ys))
        if finite:
            rho = 1.0 / ys
            w = identity - rho * anp.outer(s, y)
            h = anp.dot(anp.dot(w, h), w.T) + rho * anp.outer(s, s)
        x, previous_f, f, g = x + s, f, step.f, step.g
        converged = _converged(g, norm, gtol)
        k += 1
    if converged:
        status = 0
    elif k == maxiter:
        status = 1
    else:
        status = 2 + search_status if failed else -1
    return OptimizeResults(
        x=x,
        success=converged and not failed,
        status=status,
        fun=f,
        jac=g,
        hess_inv=h,
        nfev=evaluations,
        njev=evaluations,
        nit=k,
    )


def _converged(g: Any, norm: Any, gtol: float) -> bool:
    """‖g‖ < gtol, in the order ``norm``, on the plain values."""
    return bool(np.linalg.norm(plain(g), ord=norm) < gtol)


class _Step(NamedTuple):
    """A line search's step α, f and ∇f there, whether it failed, its status (0 found, 1 the
    zoom failed, 3 out of steps) and its number of evaluations of f and ∇f."""

    alpha: Any
    f: Any
    g: Any
    failed: bool
    status: int
    evaluations: int


#: A point of the line search: (α, φ(α), ∇f at xₖ + α pₖ).
_Point = tuple[Any, Any, Any]


def _line_search(
    f_and_grad: Callable[[Any], tuple[Any, Any]],
    x: Any,
    p: Any,
    f0: Any,
    previous_f: Any,
    g0: Any,
    maxiter: int,
) -> _Step:
    """JAX's strong-Wolfe line search along p from x (Algorithm 3.5), on φ(α) = f(x + α p):
    the first trial α₁ = min(1, 2.02 (f(xₖ) − f(xₖ₋₁)) / φ′(0)), each next one doubled, until
    the Wolfe conditions hold at one, or a bracket [αᵢ₋₁, αᵢ] is found and zoomed."""

    def phi(alpha: Any) -> tuple[Any, Any, Any]:
        value, gradient = f_and_grad(x + alpha * p)
        return value, anp.dot(gradient, p), gradient

    slope0 = anp.dot(g0, p)
    wolfe = _Wolfe(plain(f0), plain(slope0))
    float64 = np.finfo(dtype_of(x)).bits == 64
    with np.errstate(divide="ignore", over="ignore", invalid="ignore"):
        first = 1.01 * 2 * (f0 - previous_f) / slope0
    first = 1.0 if first > 1 else first
    i, evaluations, failed, star = 1, 0, False, None
    last = (0.0, f0, slope0)
    while star is None and i <= maxiter and not failed:
        alpha = first if i == 1 else last[0] * 2.0
        value, slope, gradient = phi(alpha)
        evaluations += 1
        here = (alpha, value, slope)
        if wolfe.too_high(alpha, value) or (i > 1 and plain(value) >= plain(last[1])):
            star, failed, count = _zoom(phi, wolfe, last, here, g0, float64)
            evaluations += count
        elif wolfe.flat(slope):
            star = (alpha, value, gradient)
        elif plain(slope) >= 0:
            star, failed, count = _zoom(phi, wolfe, here, last, g0, float64)
            evaluations += count
        i, last = i + 1, here
    status = 1 if failed else 3 if i > maxiter else 0
    alpha, value, gradient = (0.0, f0, g0) if star is None else star
    if not float64 and abs(plain(alpha)) < 1e-8:
        alpha = np.sign(plain(alpha)) * 1e-8  # no vanishing steps below float64, as JAX
    return _Step(alpha, value, gradient, failed or star is None, status, evaluations)


class _Wolfe:
    """The strong Wolfe conditions at a step α, for φ(0) = ``f0`` and φ′(0) = ``slope0``,
    decided on plain values."""

    def __init__(self, f0: Any, slope0: Any) -> None:
        self.f0, self.slope0 = f0, slope0

    def too_high(self, alpha: Any, value: Any) -> bool:
        """Sufficient decrease fails: φ(α) > φ(0) + c₁ α φ′(0)."""
        return bool(plain(value) > self.f0 + C1 * plain(alpha) * self.slope0)

    def flat(self, slope: Any) -> bool:
        """The curvature condition holds: |φ′(α)| ≤ −c₂ φ′(0)."""
        return bool(abs(plain(slope)) <= -C2 * self.slope0)


def _zoom(
    phi: Callable[[Any], tuple[Any, Any, Any]],
    wolfe: _Wolfe,
    lo: tuple[Any, Any, Any],
    hi: tuple[Any, Any, Any],
    g0: Any,
    float64: bool,
) -> tuple[_Point, bool, int]:
    """JAX's zoom (Algorithm 3.6) on the bracket (α_lo, φ, φ′), (α_hi, φ, φ′): each trial the
    minimizer of the cubic through lo, hi and the previous end (if inside the bracket's middle
    60 %, not on the first trial), else of the quadratic through lo and hi (middle 80 %), else
    the midpoint; until the Wolfe conditions hold, or it fails (the bracket's width, signed
    α_hi − α_lo, below 10⁻¹⁰, or 10⁻⁵ below float64; 30 trials). (point, failed, number of
    evaluations); a failed zoom's point is JAX's, α = 1 with φ(α_lo) and g₀."""
    (a_lo, f_lo, d_lo), (a_hi, f_hi, _) = lo, hi
    a_rec, f_rec = (a_lo + a_hi) / 2, (f_lo + f_hi) / 2
    star: _Point = (1.0, f_lo, g0)
    threshold = 1e-10 if float64 else 1e-5
    j, done, failed = 0, False, False
    while not done and not failed:
        width = plain(a_hi) - plain(a_lo)
        failed = bool(width <= threshold)
        left = np.minimum(plain(a_hi), plain(a_lo))
        right = np.maximum(plain(a_hi), plain(a_lo))
        trial = None
        if j > 0:
            cubic = _cubicmin(a_lo, f_lo, d_lo, a_hi, f_hi, a_rec, f_rec)
            if left + 0.2 * width < plain(cubic) < right - 0.2 * width:
                trial = cubic
        if trial is None:
            quadratic = _quadmin(a_lo, f_lo, d_lo, a_hi, f_hi)
            if left + 0.1 * width < plain(quadratic) < right - 0.1 * width:
                trial = quadratic
        if trial is None:
            trial = (a_lo + a_hi) / 2
        value, slope, gradient = phi(trial)
        if wolfe.too_high(trial, value) or plain(value) >= plain(f_lo):
            a_rec, f_rec = a_hi, f_hi
            a_hi, f_hi = trial, value
        elif wolfe.flat(slope):
            star, done = (trial, value, gradient), True
        else:
            if plain(slope) * (plain(a_hi) - plain(a_lo)) >= 0:
                a_rec, f_rec = a_hi, f_hi
                a_hi, f_hi = a_lo, f_lo
            else:
                a_rec, f_rec = a_lo, f_lo
            a_lo, f_lo, d_lo = trial, value, slope
        j += 1
        failed = failed or j >= 30
    return star, failed, j


def _cubicmin(a: Any, fa: Any, fpa: Any, b: Any, fb: Any, c: Any, fc: Any) -> Any:
    """The minimizer of the cubic through (a, fa) with slope fpa, (b, fb) and (c, fc); nan when
    it has none."""
    db, dc = b - a, c - a
    rb, rc = fb - fa - fpa * db, fc - fa - fpa * dc
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        denominator = (db * dc) ** 2 * (db - dc)
        cubic = (dc**2 * rb - db**2 * rc) / denominator
        square = (-(dc**3) * rb + db**3 * rc) / denominator
        return a + (-square + anp.sqrt(square * square - 3.0 * cubic * fpa)) / (3.0 * cubic)


def _quadmin(a: Any, fa: Any, fpa: Any, b: Any, fb: Any) -> Any:
    """The minimizer of the quadratic through (a, fa) with slope fpa and (b, fb)."""
    db = b - a
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        curvature = (fb - fa - fpa * db) / db**2
        return a - fpa / (2.0 * curvature)
