"""``admodes.scipy.optimize.minimize`` against ``jax.scipy.optimize.minimize`` (float64: the same
iterates, so every field, the counts and the status equal JAX's), against SciPy's BFGS (the
same minimizer, by another line search), its derivatives against the implicit-function
theorem, and its errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.optimize as jso
import numpy as np
import pytest
import scipy.optimize
from conftest import JNP, assert_close, jax_compiled

import admodes as ad
import admodes.numpy as anp
from admodes.scipy.optimize import OptimizeResults, minimize


def rosenbrock(m: Any, x: Any) -> Any:
    return m.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


SPD = np.array([[3.0, 0.4, 0.2, 0.1], [0.4, 2.0, 0.3, 0.0], [0.2, 0.3, 1.5, 0.2],
                [0.1, 0.0, 0.2, 0.8]])  # fmt: skip


def quadratic(m: Any, x: Any) -> Any:
    return 0.5 * x @ SPD @ x - m.sum(x * m.arange(1.0, 5.0))


def shallow(m: Any, x: Any) -> Any:
    """A quadratic so flat that the first trial step, 1, falls short of the Wolfe conditions."""
    return 0.005 * m.sum((x - 3.0) ** 2)


def regression(m: Any, x: Any, a: Any, y: Any, lam: float) -> Any:
    """Logistic regression's loss with an L2 penalty: ``fun(x, *args)``."""
    z = a @ x
    return m.sum(m.logaddexp(0.0, z) - y * z) + lam * m.sum(x**2)


FEATURES = np.array([[1.0, 0.3, -1.2], [1.0, -0.8, 0.4], [1.0, 1.5, 0.9], [1.0, -0.2, -0.6],
                     [1.0, 0.7, 0.1]])  # fmt: skip
LABELS = np.array([1.0, 0.0, 1.0, 0.0, 1.0])
ROSEN5 = np.zeros(5)
FLOAT32_X0 = np.array([2.0, 2.0], np.float32)

#: name → (function of (m, x, *args), x0, args, method, options): JAX's cases.
CASES: dict[str, tuple[Callable[..., Any], np.ndarray, tuple, str, dict | None]] = {
    "rosenbrock_2d": (rosenbrock, np.array([2.0, 2.0]), (), "BFGS", None),
    "rosenbrock_5d": (rosenbrock, ROSEN5, (), "BFGS", None),
    "quadratic": (quadratic, np.array([0.5, -1.0, 2.0, 0.0]), (), "BFGS", None),
    "args": (regression, np.zeros(3), (FEATURES, LABELS, 0.1), "bfgs", None),
    # JAX's zoom fails (status 3) from the classic start: the bracket (αᵢ, αᵢ₋₁) it is handed
    # when the slope turns positive has a negative signed width, below its threshold.
    "zoom_fails": (rosenbrock, np.array([-1.2, 1.0]), (), "BFGS", None),
    "maxiter": (rosenbrock, ROSEN5, (), "BFGS", {"maxiter": 5}),
    "gtol": (rosenbrock, ROSEN5, (), "BFGS", {"gtol": 1e-9}),
    "norm_2": (rosenbrock, ROSEN5, (), "BFGS", {"norm": 2, "gtol": 1e-7}),
    "norm_inf": (rosenbrock, np.array([2.0, 2.0]), (), "BFGS", {"norm": np.inf, "gtol": 1e-8}),
    "line_search_maxiter": (shallow, np.array([0.0, 1.0]), (), "BFGS",
                            {"line_search_maxiter": 1}),
}  # fmt: skip

#: A strictly convex objective f(x, θ) for the derivatives of x*(θ).
A_CONVEX = np.array([[2.0, 0.5, 0.1], [0.5, 1.5, 0.3], [0.1, 0.3, 1.0]])
B_CONVEX = np.array([0.3, -0.2, 0.5])
THETA = np.array([0.7, -1.1, 1.6])
WEIGHTS = np.array([1.0, 1.5, 2.0])
DIRECTION = np.array([0.4, -0.3, 1.2])


def convex(m: Any, x: Any, theta: Any) -> Any:
    """½ xᵀAx − bᵀx + Σ log(1 + e^(θᵢxᵢ)) + Σ xᵢ⁴/10: strictly convex in x for every θ."""
    return (0.5 * x @ A_CONVEX @ x - B_CONVEX @ x + m.sum(m.logaddexp(0.0, theta * x))
            + 0.1 * m.sum(x**4))  # fmt: skip


#: gtol for the derivatives: the derivative of the iterations nears the exact minimizer's as
#: the iterations converge; at ‖∇f‖∞ < 1e-10 they agree to 5e-8 (measured).
DERIVATIVE_GTOL = 1e-10


@functools.cache
def _jax() -> dict:
    """Every JAX reference of this file, in one compiled program: minimize's results for each
    case, and the implicit-function theorem's Jacobian dx*/dθ = −(∇²ₓf)⁻¹ ∂ₓ∂θ f at JAX's x*."""

    def reference() -> dict:
        out: dict[str, Any] = {}
        for name, (fn, x0, args, method, options) in CASES.items():
            out[name] = jso.minimize(
                functools.partial(fn, JNP), jnp.asarray(x0), args, method=method, options=options
            )
        out["tol"] = jso.minimize(
            functools.partial(rosenbrock, JNP), jnp.asarray(ROSEN5), method="BFGS",
            options={"gtol": 1e-8},
        )  # fmt: skip
        out["float32"] = jso.minimize(
            functools.partial(rosenbrock, JNP), jnp.asarray(FLOAT32_X0), method="BFGS"
        )
        xs = jso.minimize(
            functools.partial(convex, JNP), jnp.zeros(3), (jnp.asarray(THETA),), method="BFGS",
            options={"gtol": DERIVATIVE_GTOL},
        ).x  # fmt: skip
        f = functools.partial(convex, JNP)
        mixed = jax.jacfwd(jax.grad(f), 1)(xs, THETA)
        out["convex_x"], out["dx_dtheta"] = xs, -jnp.linalg.solve(jax.hessian(f)(xs, THETA), mixed)
        return out

    return jax_compiled(reference)


def assert_same_results(ours: OptimizeResults, theirs: Any) -> None:
    """Counts, status and success equal JAX's; x, fun, jac and hess_inv close: the same iterates,
    in another order of floating-point operations. x agrees to 1e-13 (measured); ∇f at x* to
    ‖∇²f‖·Δx, absolutely; H at x* to 5e-6 (measured), its last updates dividing by yᵀs with
    y = gₖ₊₁ − gₖ the difference of two gradients near 0 (their rounding errors, relatively
    large, are XLA's in JAX and NumPy's here)."""
    counts = ("success", "status", "nfev", "njev", "nit")
    assert {k: getattr(ours, k) for k in counts} == {k: getattr(theirs, k).item() for k in counts}
    assert_close(ours.x, theirs.x)
    assert_close(np.asarray(ours.fun), theirs.fun, atol=1e-18)  # f(x*) = 0 for Rosenbrock
    assert_close(ours.jac, theirs.jac, rtol=0.0, atol=1e-10)
    assert_close(ours.hess_inv, theirs.hess_inv, rtol=1e-5)


@pytest.mark.parametrize("name", sorted(CASES))
def test_minimize_matches_jax(name: str) -> None:
    fn, x0, args, method, options = CASES[name]
    ours = minimize(functools.partial(fn, anp), x0, args, method=method, options=options)
    assert_same_results(ours, _jax()[name])


def test_statuses() -> None:
    """The cases reach JAX's statuses: 0 converged, 1 maxiter, 3 zoom failed, 5 line search out
    of steps (the first step is all that ``line_search_maxiter=1`` allows)."""
    statuses = {name: _jax()[name].status.item() for name in CASES}
    assert statuses["rosenbrock_5d"] == 0
    assert statuses["maxiter"] == 1
    assert statuses["zoom_fails"] == 3
    assert statuses["line_search_maxiter"] == 5


def test_tol_sets_gtol() -> None:
    """``tol`` is ``gtol`` unless the options give one, as SciPy has it (JAX's minimize ignores
    ``tol``): the result of JAX's ``gtol``."""
    ours = minimize(functools.partial(rosenbrock, anp), ROSEN5, method="BFGS", tol=1e-8)
    assert_same_results(ours, _jax()["tol"])
    loose = minimize(functools.partial(rosenbrock, anp), ROSEN5, method="BFGS", tol=1e-8,
                     options={"gtol": 1e-5})  # fmt: skip
    assert_same_results(loose, _jax()["rosenbrock_5d"])


def test_float32() -> None:
    """A float32 x0 is minimized in float32 (JAX's float32 line-search thresholds) to JAX's
    minimizer; the iterates part from JAX's by rounding (25 iterations to JAX's 24), so only the
    minimizer is compared."""
    ours = minimize(functools.partial(rosenbrock, anp), FLOAT32_X0, method="BFGS")
    theirs = _jax()["float32"]
    assert ours.success and theirs.success
    assert {np.asarray(v).dtype for v in (ours.x, ours.fun, ours.jac, ours.hess_inv)} == {
        np.dtype(np.float32)
    }
    assert_close(ours.x, theirs.x, rtol=1e-6)


def test_minimizer_matches_scipy() -> None:
    """The same minimizer as SciPy's BFGS (its own line search, so other iterates), both run to
    ‖∇f‖ < 1e-9: Rosenbrock's x* = 1, and the regression's."""
    ours = minimize(functools.partial(rosenbrock, anp), ROSEN5, method="BFGS", tol=1e-9)
    theirs = scipy.optimize.minimize(
        scipy.optimize.rosen, ROSEN5, jac=scipy.optimize.rosen_der, method="BFGS", tol=1e-9
    )
    assert ours.success and theirs.success
    assert_close(ours.x, theirs.x, rtol=1e-7)
    args = (FEATURES, LABELS, 0.1)
    ours = minimize(functools.partial(regression, anp), np.zeros(3), args, method="BFGS", tol=1e-9)
    theirs = scipy.optimize.minimize(
        functools.partial(regression, np), np.zeros(3), args, method="BFGS", tol=1e-9,
        jac=ad.grad(functools.partial(regression, anp)),
    )  # fmt: skip
    assert_close(ours.x, theirs.x, rtol=1e-8)
    assert_close(np.asarray(ours.fun), np.asarray(theirs.fun), rtol=1e-12)


def _minimizer(theta: Any) -> Any:
    """x*(θ), θ passed through ``args``."""
    options = {"gtol": DERIVATIVE_GTOL}
    return minimize(
        functools.partial(convex, anp), np.zeros(3), (theta,), method="BFGS", options=options
    ).x


def _minimizer_closed_over(theta: Any) -> Any:
    """x*(θ), θ closed over by ``fun``."""
    options = {"gtol": DERIVATIVE_GTOL}
    return minimize(lambda x: convex(anp, x, theta), np.zeros(3), method="BFGS", options=options).x


@pytest.mark.parametrize("solution", [_minimizer, _minimizer_closed_over])
def test_derivatives_match_the_implicit_function_theorem(solution: Callable[[Any], Any]) -> None:
    """dx*/dθ through the iterations, by forward mode (ad.jvp) and reverse mode (ad.grad of
    wᵀx*), equals −(∇²ₓf)⁻¹ ∂ₓ∂θ f to 1e-6: x* is iterative, its derivative the iterations'."""
    jacobian = _jax()["dx_dtheta"]
    x, tangent = ad.jvp(solution, (THETA,), (DIRECTION,))
    assert_close(x, _jax()["convex_x"], rtol=1e-10)
    assert_close(tangent, jacobian @ DIRECTION, rtol=1e-6)
    for mode in ("reverse", "forward"):
        gradient = ad.grad(lambda t: anp.sum(WEIGHTS * solution(t)), mode=mode)(THETA)
        assert_close(gradient, WEIGHTS @ jacobian, rtol=1e-6)


def test_bad_input() -> None:
    f = functools.partial(rosenbrock, anp)
    with pytest.raises(ValueError, match=r"method 'Nelder-Mead' is not supported.*'BFGS'"):
        minimize(f, np.zeros(2), method="Nelder-Mead")
    with pytest.raises(ValueError, match=r"1-D array of shape \(n,\), got shape \(2, 2\)"):
        minimize(f, np.zeros((2, 2)), method="BFGS")
    with pytest.raises(TypeError, match="args must be a tuple"):
        minimize(f, np.zeros(2), [1.0], method="BFGS")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match=r"unknown option\(s\) \['max_iter'\]"):
        minimize(f, np.zeros(2), method="BFGS", options={"max_iter": 3})
