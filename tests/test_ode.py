"""``admodes.experimental.ode.odeint`` against ``jax.experimental.ode.odeint`` (float64).

Values: JAX's solver step for step, so equal to rounding (1e-12 relative; the two libraries sum
the stages in other orders). Reverse mode: JAX's adjoint method, the same augmented solves, so
``jax.grad``'s numbers to 1e-10 (and reverse-over-reverse ``jax.jacrev(jax.jacrev)``'s).
Forward mode (JAX has none: its odeint is a custom_vjp) solves the forward sensitivity
equations: the exact derivative to the solvers' tolerance, so it is checked against JAX's
adjoint and against derivatives by hand at a tolerance set by rtol, not by rounding.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import JNP, assert_close
from jax.experimental.ode import odeint as jax_odeint

import admodes as ad
import admodes.numpy as anp
from admodes.experimental import ode
from admodes.experimental.ode import odeint

AD = SimpleNamespace(m=anp, odeint=odeint)
JAX = SimpleNamespace(m=JNP, odeint=jax_odeint)

#: Values against JAX: the same steps, so rounding only.
VALUES_RTOL = 1e-12
#: Solver tolerances of the derivative tests: the forward sensitivities and JAX's adjoint are
#: each the exact derivative to about this (times the problem's growth), so they agree to ~1e-9.
TIGHT = {"rtol": 1e-10, "atol": 1e-10}
#: Forward mode against the adjoint or a closed form: tolerance-limited (measured ≤ 6e-10 at
#: TIGHT; at the default rtol = 1.4e-8, up to 1e-7).
FORWARD_RTOL = 1e-7


# ------------------------------------------------------------------------------- problems
def decay(side: SimpleNamespace, y0: Any, ts: Any, theta: Any, **options: Any) -> Any:
    """y′ = −k y: the rate k as an argument."""
    return side.odeint(lambda y, t, k: -k * y, y0, ts, theta[0], **options)


def pendulum(side: SimpleNamespace, y0: Any, ts: Any, theta: Any, **options: Any) -> Any:
    """A damped, driven pendulum (angle, angular velocity); length and damping as arguments."""
    m = side.m

    def f(y: Any, t: Any, length: Any, damping: Any) -> Any:
        return m.stack([y[1], -9.81 / length * m.sin(y[0]) - damping * y[1] + 0.5 * m.cos(t)])

    return side.odeint(f, y0, ts, theta[0], theta[1], **options)


def lotka_volterra(side: SimpleNamespace, y0: Any, ts: Any, theta: Any, **options: Any) -> Any:
    """Predator and prey, the four rates as one argument: a dict."""
    m = side.m

    def f(y: Any, t: Any, p: dict) -> Any:
        return m.stack([p["a"] * y[0] - p["b"] * y[0] * y[1], p["c"] * y[0] * y[1] - p["d"] * y[1]])

    rates = {"a": theta[0], "b": theta[1], "c": theta[2], "d": theta[3]}
    return side.odeint(f, y0, ts, rates, **options)


def oscillators(side: SimpleNamespace, y0: Any, ts: Any, theta: Any, **options: Any) -> Any:
    """A pytree state {q, p} of two coupled oscillators: the stiffness an argument, the
    friction closed over."""
    m = side.m

    def f(y: dict, t: Any, k: Any) -> dict:
        coupling = m.stack([y["q"][1] - y["q"][0], y["q"][0] - y["q"][1]])
        return {"q": y["p"], "p": -k * y["q"] + 0.3 * coupling - theta[1] * y["p"]}

    return side.odeint(f, y0, ts, theta[0], **options)


COUPLING = np.array([[-0.5, 1.0], [-1.0, -0.3]])


def closure(side: SimpleNamespace, y0: Any, ts: Any, theta: Any, **options: Any) -> Any:
    """y′ = (θ₀ C − θ₁ y₀²) y + θ₂ sin t: every parameter closed over (under a transform, they
    are the traced values odeint finds and differentiates in)."""
    m = side.m

    def f(y: Any, t: Any) -> Any:
        return theta[0] * (COUPLING @ y) - theta[1] * y[0] ** 2 * y + theta[2] * m.sin(t)

    return side.odeint(f, y0, ts, **options)


Problem = Callable[..., Any]
#: name → (problem, y0, ts, θ): each differentiated in y0, ts and θ.
PROBLEMS: dict[str, tuple[Problem, Any, np.ndarray, np.ndarray]] = {
    "decay": (decay, np.array([1.0, 2.0, -0.5]), np.linspace(0.0, 2.0, 5), np.array([0.7])),
    "pendulum": (pendulum, np.array([1.0, 0.0]), np.linspace(0.0, 3.0, 4), np.array([2.0, 0.3])),
    "lotka_volterra": (lotka_volterra, np.array([1.0, 0.5]), np.array([0.0, 0.7, 2.0, 4.0]),
                       np.array([1.1, 0.4, 0.3, 1.0])),
    "pytree": (oscillators, {"q": np.array([1.0, -0.5]), "p": np.array([0.0, 0.2])},
               np.linspace(0.5, 2.5, 3), np.array([2.0, 0.1])),
    "closure": (closure, np.array([0.8, -0.4]), np.linspace(0.0, 2.0, 4),
                np.array([1.2, 0.2, 0.5])),
}  # fmt: skip
WEIGHTS = np.linspace(1.0, 2.0, 40)


def loss(side: SimpleNamespace, problem: Problem, y0: Any, ts: Any, theta: Any) -> Any:
    """Σ w·sin(y) over every output leaf (nonlinear, weights 1 to 2: terms do not cancel)."""
    m = side.m
    leaves = jax.tree_util.tree_leaves(problem(side, y0, ts, theta, **TIGHT))
    return sum(m.sum(m.sin(y) * WEIGHTS[: y.size].reshape(y.shape)) for y in leaves)


@functools.cache
def reference(name: str) -> tuple[Any, Any]:
    """JAX's values (default tolerances) and reverse-mode gradient of the loss (TIGHT) in
    (y0, ts, θ), in one compiled program."""
    problem, y0, ts, theta = PROBLEMS[name]

    def both(y0: Any, ts: Any, theta: Any) -> tuple[Any, Any]:
        grad = jax.grad(lambda *a: loss(JAX, problem, *a), (0, 1, 2))(y0, ts, theta)
        return problem(JAX, y0, ts, theta), grad

    return jax.tree_util.tree_map(np.asarray, jax.jit(both)(y0, ts, theta))


# ------------------------------------------------------------------------------- values
@pytest.mark.parametrize("name", PROBLEMS)
def test_values_match_jax(name: str) -> None:
    problem, y0, ts, theta = PROBLEMS[name]
    assert_close(problem(AD, y0, ts, theta), reference(name)[0], rtol=VALUES_RTOL)


def van_der_pol(m: Any) -> Callable[..., Any]:
    return lambda y, t, mu: m.stack([y[1], mu * (1.0 - y[0] ** 2) * y[1] - y[0]])


def test_stiff_values_match_jax() -> None:
    """Van der Pol at μ = 20 (stiff-ish for an explicit method): 135 steps, values to rounding."""
    y0, ts = np.array([2.0, 0.0]), np.linspace(0.0, 6.0, 4)
    steps = []
    step = ode.runge_kutta_step
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ode, "runge_kutta_step", lambda *a: steps.append(1) or step(*a))
        ys = odeint(van_der_pol(anp), y0, ts, 20.0)
    assert len(steps) > 100
    assert_close(ys, np.asarray(jax_odeint(van_der_pol(jnp), y0, ts, 20.0)), rtol=VALUES_RTOL)


OPTIONS = [{"rtol": 1e-3, "atol": 1e-6}, {"rtol": 1e-6, "atol": 1e-9}, TIGHT, {"hmax": 0.05}]


def test_solver_options_match_jax() -> None:
    """rtol, atol and hmax: other step sequences, the same as JAX's."""
    _, y0, ts, theta = PROBLEMS["pendulum"]

    def all_options(y0: Any, ts: Any, theta: Any) -> list:
        return [pendulum(JAX, y0, ts, theta, **o) for o in OPTIONS]

    expected = jax.jit(all_options)(y0, ts, theta)
    for options, want in zip(OPTIONS, expected, strict=True):
        assert_close(pendulum(AD, y0, ts, theta, **options), np.asarray(want), rtol=VALUES_RTOL)


@pytest.mark.parametrize(
    ("ts", "mxstep", "rtol"),
    [
        # Only the first interval stops short: 3.6 step lengths past its last step.
        (np.array([0.0, 1.0]), 3, VALUES_RTOL),
        # 78 step lengths past it: the quartic's coefficients come from cancelling terms of size
        # 16|y|, so a one-ulp difference in the two libraries' stage sums is multiplied by
        # ~16·78⁴ ≈ 6e8 (measured 6e-11 relative; 3e-13 at 3.6 steps, as 16·3.6⁴·1.1e-16).
        (np.array([0.0, 1.0, 20.0]), 3, 1e-9),
    ],
)
def test_mxstep_matches_jax(ts: np.ndarray, mxstep: int, rtol: float) -> None:
    """Stopped by mxstep, JAX returns the last step's polynomial extrapolated to the output
    time (not inf or nan); admodes returns the same, and warns."""
    f = lambda y, t, k: -k * y
    y0 = np.array([1.0, 2.0])
    with pytest.warns(RuntimeWarning, match="mxstep"):
        ys = odeint(f, y0, ts, 0.5, mxstep=mxstep)
    expected = np.asarray(jax_odeint(f, y0, ts, 0.5, mxstep=mxstep))
    assert_close(ys, expected, rtol=rtol)
    exact = y0 * np.exp(-0.5 * ts[-1])
    assert abs(ys[-1, 0] - exact[0]) > 1e-5  # it stopped short: far off, for rtol = 1.4e-8


# ------------------------------------------------------------------------- first derivatives
def ad_loss(name: str) -> Callable[..., Any]:
    problem = PROBLEMS[name][0]
    return lambda y0, ts, theta: loss(AD, problem, y0, ts, theta)


@pytest.mark.parametrize("name", PROBLEMS)
def test_reverse_mode_matches_jax(name: str) -> None:
    """The adjoint method in y0, the times and the parameters (arguments and closures)."""
    _, y0, ts, theta = PROBLEMS[name]
    got = ad.grad(ad_loss(name), (0, 1, 2))(y0, ts, theta)
    assert_close(got, reference(name)[1])


@pytest.mark.parametrize("name", PROBLEMS)
def test_forward_mode_matches_jax(name: str) -> None:
    """The forward sensitivities against JAX's adjoint: two methods, each exact to the solver's
    tolerance."""
    _, y0, ts, theta = PROBLEMS[name]
    got = ad.grad(ad_loss(name), (0, 1, 2), mode="forward")(y0, ts, theta)
    assert_close(got, reference(name)[1], rtol=FORWARD_RTOL)


def test_derivatives_match_the_closed_form() -> None:
    """y = y₀ e^(−k(t − t₀)): ∂yᵢ/∂y₀ = e^(−k(tᵢ − t₀)), ∂yᵢ/∂k = −(tᵢ − t₀) yᵢ, ∂yᵢ/∂tᵢ =
    −k yᵢ and ∂yᵢ/∂t₀ = k yᵢ (i ≥ 1; y at t₀ is y₀ itself), by hand, against jvp, jacfwd and
    jacrev (tolerance-limited: rtol = atol = 1e-12 here)."""
    y0, k = 1.5, 0.8
    ts = np.array([0.5, 1.0, 2.0, 3.5])
    solution = lambda y0, ts, k: odeint(lambda y, t, k: -k * y, y0, ts, k, rtol=1e-12, atol=1e-12)
    y = y0 * np.exp(-k * (ts - ts[0]))
    d_ts = np.diag(-k * y)
    d_ts[:, 0] = k * y
    d_ts[0, 0] = 0.0
    jacobian = (y / y0, d_ts, -(ts - ts[0]) * y)
    assert_close(solution(y0, ts, k), y, rtol=1e-10)
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(transform(solution, (0, 1, 2))(y0, ts, k), jacobian, rtol=1e-9)
    dts = np.array([0.1, -0.2, 0.3, 0.05])
    _, tangent = ad.jvp(solution, (y0, ts, k), (0.3, dts, -0.5))
    assert_close(tangent, 0.3 * jacobian[0] + d_ts @ dts - 0.5 * jacobian[2], rtol=1e-9)


def test_forward_mode_where_the_adjoint_is_unstable() -> None:
    """Van der Pol at μ = 5: the adjoint integrates y backwards, away from the attracting limit
    cycle, and loses it (JAX's jacrev is off by up to 5× there, nan at the default tolerances);
    the forward sensitivities integrate with the flow and agree with central differences
    (h = 1e-4: truncation ~h², the solver's 1e-10 over h: 1e-6; measured 7e-9, entries ≤ 0.26)."""
    y0, ts = np.array([2.0, 0.0]), np.linspace(0.0, 6.0, 4)
    solution = lambda mu: odeint(van_der_pol(anp), y0, ts, mu, **TIGHT)
    h = 1e-4
    central = (solution(5.0 + h) - solution(5.0 - h)) / (2 * h)
    np.testing.assert_allclose(ad.jacfwd(solution)(5.0), central, rtol=1e-6, atol=1e-6)


def test_integer_arguments_are_passed_as_they_are() -> None:
    """An integer argument is no parameter: passed through, not differentiated."""
    f = lambda y, t, k, n: -k * y**n
    y0, ts = np.array([1.0, 0.5]), np.linspace(0.0, 1.0, 3)
    assert_close(odeint(f, y0, ts, 0.5, 3), np.asarray(jax_odeint(f, y0, ts, 0.5, 3)), rtol=1e-12)
    grad = ad.grad(lambda k: anp.sum(odeint(f, y0, ts, k, 3)[-1]))(0.5)
    # y(1) = y0 / √(1 + 2 k y0²): ∂/∂k = −y0³ (1 + 2k y0²)^(−3/2)
    assert_close(grad, float(np.sum(-(y0**3) * (1 + 2 * 0.5 * y0**2) ** -1.5)), rtol=1e-7)


# ---------------------------------------------------------------------- second derivatives
def second_order_loss(side: SimpleNamespace, p: Any) -> Any:
    """Lotka–Volterra with y0[0], a closed-over rate and an argument as the parameters."""
    m = side.m

    def f(y: Any, t: Any, a: Any) -> Any:
        return m.stack([a * y[0] - p[1] * y[0] * y[1], -y[1] + 0.3 * y[0] * y[1]])

    y0 = m.stack([p[0], 0.5])
    ys = side.odeint(f, y0, np.linspace(0.0, 1.0, 3), p[2], **TIGHT)
    return m.sum(ys**2)


def test_second_derivatives_match_jax() -> None:
    """JAX's only second derivative of odeint, reverse over reverse (its adjoint is a
    custom_vjp, which forward mode cannot enter): admodes' reverse over reverse to rounding;
    forward over reverse (ad.hessian), reverse over forward and forward over forward to the
    solvers' tolerance (measured ≤ 1.3e-10 relative at rtol = 1e-10)."""
    p = np.array([1.0, 0.4, 1.1])
    ours = functools.partial(second_order_loss, AD)
    expected = np.asarray(
        jax.jit(jax.jacrev(jax.jacrev(functools.partial(second_order_loss, JAX))))(p)
    )
    assert_close(ad.jacrev(ad.jacrev(ours))(p), expected)
    assert_close(ad.hessian(ours)(p), expected, rtol=FORWARD_RTOL)
    assert_close(ad.jacrev(ad.jacfwd(ours))(p), expected, rtol=FORWARD_RTOL)
    assert_close(ad.jacfwd(ad.jacfwd(ours))(p), expected, rtol=FORWARD_RTOL)


# -------------------------------------------------------------------------------- errors
def decay_f(y: Any, t: Any) -> Any:
    return -y


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: odeint(decay_f, 1.0, np.array([0, 1])), TypeError, "array of floats"),
        (lambda: odeint(decay_f, 1.0, np.array(1.0)), ValueError, "1-D"),
        (lambda: odeint(decay_f, 1.0, np.zeros((2, 2))), ValueError, "1-D"),
        (lambda: odeint(decay_f, 1.0, np.array([])), ValueError, "1-D"),
        (lambda: odeint(decay_f, 1.0, np.array([0.0, 2.0, 1.0])), ValueError, "increasing"),
        (lambda: odeint(decay_f, 1.0, np.array([0.0, 0.0, 1.0])), ValueError, "increasing"),
        (lambda: odeint(decay_f, 1.0, np.array([0.0, np.nan])), ValueError, "finite"),
        (lambda: odeint(decay_f, 1, np.array([0.0, 1.0])), TypeError, "floating-point"),
        (lambda: odeint(decay_f, np.array([1 + 1j]), np.array([0.0, 1.0])), TypeError, "real"),
        (lambda: odeint(decay_f, {}, np.array([0.0, 1.0])), ValueError, "no leaves"),
        (lambda: odeint(lambda y, t: (y, y), 1.0, np.array([0.0, 1.0])), TypeError,
         "structure"),
        (lambda: odeint(lambda y, t: anp.zeros(3), np.ones(2), np.array([0.0, 1.0])), ValueError,
         "shapes"),
        (lambda: odeint(lambda y, t, a: -y, 1.0, np.array([0.0, 1.0]), "a"), TypeError, "args"),
        (lambda: odeint(lambda y, t, a: -y, 1.0, np.array([0.0, 1.0]), 1j), TypeError, "args"),
        (lambda: odeint(decay_f, 1.0, np.array([0.0, 1.0]), rtol=-1.0), ValueError, "rtol"),
        (lambda: odeint(decay_f, 1.0, np.array([0.0, 1.0]), mxstep=0), ValueError, "mxstep"),
        (lambda: odeint(decay_f, 1.0, np.array([0.0, 1.0]), hmax=0.0), ValueError, "hmax"),
    ],
)  # fmt: skip
def test_errors(call: Callable[[], Any], error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        call()


def test_traced_tolerance_is_refused() -> None:
    with pytest.raises(ValueError, match="rtol"):
        ad.grad(lambda r: anp.sum(odeint(decay_f, 1.0, np.array([0.0, 1.0]), rtol=r)))(1e-6)
