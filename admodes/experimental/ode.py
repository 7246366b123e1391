"""``odeint``: JAX's ``jax.experimental.ode.odeint``, adaptive Dormand–Prince integration of
y′ = func(y, t, *args), differentiable by both engines to every order.

**The solver** is JAX's, step for step: the explicit Runge–Kutta pair of order 5(4) of Dormand
& Prince (1980, "A family of embedded Runge–Kutta formulae", J. Comp. Appl. Math. 6:19–26), the
initial step of Hairer, Nørsett & Wanner (Solving ODEs I, §II.4), the error ratio
‖err / (atol + rtol·max(|y₀|, |y₁|))‖_rms, the step-size controller (safety 0.9, growth at most
10×, shrinking to no less than 0.2× after a rejected step, never above ``hmax``) and the output
at each requested time by the 4th-order polynomial that fits the step containing it (dense
output). It runs on NumPy values, so the values equal JAX's to rounding (the two libraries sum
the stages' dot products in other orders). Like JAX's, each output interval takes at most
``mxstep`` steps, rejected ones included; when it stops short (``mxstep`` steps, or the step size
became 0 or nan), the value is the last step's polynomial evaluated beyond that step, an
extrapolation, as JAX returns; admodes also warns (RuntimeWarning).

**Derivatives** are those of the exact solution, by more solves of the same primitive (so every
order and every nesting of the two modes is the same primitive again). With y(t) the solution
from y(t₀) = y₀, θ the parameters (``args`` and the traced values ``func`` closes over, found by
:func:`admodes.closure.closure_convert`), and yᵢ = y(tᵢ):

- reverse mode, JAX's adjoint method (Chen et al. 2018, appendix C): from the last time backwards,
  with the cotangents ḡᵢ of the outputs,

      t̄ᵢ = ḡᵢᵀ f(yᵢ, tᵢ),   t̄₀ −= t̄ᵢ,
      a(tᵢ) = ā + ḡᵢ, then between tᵢ and tᵢ₋₁:
      a′ = −aᵀ ∂f/∂y,   θ̄′ = −aᵀ ∂f/∂θ,   t̄₀′ = −aᵀ ∂f/∂t,   y′ = f,

  integrated backwards (in s = −t, forwards for the solver) together with y itself from yᵢ, with
  the same rtol, atol, mxstep and hmax; then ȳ₀ = a(t₀) + ḡ₀ and t̄₀, θ̄ as accumulated. The
  state and its order are JAX's (y, a, t̄₀, θ̄), so the gradients equal ``jax.grad``'s to
  rounding.
- forward mode (JAX refuses it: its odeint is a ``custom_vjp``), the forward sensitivity
  equations: the tangent ẏ(t) solves

      ẏ′ = ∂f/∂y · ẏ + ∂f/∂θ · θ̇,   ẏ(t₀) = ẏ₀ − f(y₀, t₀) · ṫ₀,

  integrated with y as one system (y, ẏ), and the output tangents are ẏᵢ = ẏ(tᵢ) + f(yᵢ, tᵢ)·ṫᵢ
  (moving tᵢ moves the output along the trajectory; starting at t₀ + δ from y₀ is starting at t₀
  from y₀ − f(y₀, t₀)δ). It is the exact derivative up to the tolerance of that solve, not the
  reverse mode's numbers to rounding: the two agree to about rtol, not bit for bit.

The adjoint solves y backwards from each yᵢ; where the flow contracts strongly (an attracting
limit cycle, a stiff decay) that backward solve is unstable and the reverse mode, JAX's and so
admodes', loses accuracy (van der Pol at μ = 5: off by a factor of several, or nan). The forward
sensitivities integrate with the flow and are not affected.

Unlike JAX's, ``y0`` must be real (no complex states), and ``t`` is checked: 1-D, finite,
strictly increasing (JAX returns nan or wrong values for repeated or decreasing times).
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.closure import closure_convert
from admodes.core import Traced, dtype_of, plain, shape, size
from admodes.flatten_util import ravel_pytree
from admodes.forward import jvp
from admodes.registry import defprim
from admodes.reverse import vjp
from admodes.tree import describe, flatten, structure, unflatten

__all__ = ["odeint"]

Dynamics = Callable[..., Any]
"""``dynamics(y, t, *params)``: dy/dt for a flat state vector y, the traced values it depends on
given as ``params``."""

# ------------------------------------------------------------ the Dormand–Prince 5(4) tableau
#: Nodes c₂ … c₇ (the stage times, as fractions of the step).
ALPHA = np.array([1 / 5, 3 / 10, 4 / 5, 8 / 9, 1.0, 1.0, 0.0])
#: The coefficients a_ij of stages 2 … 7 (row i−2, padded with zeros to 7 columns).
BETA = np.array(
    [
        [1 / 5, 0, 0, 0, 0, 0, 0],
        [3 / 40, 9 / 40, 0, 0, 0, 0, 0],
        [44 / 45, -56 / 15, 32 / 9, 0, 0, 0, 0],
        [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729, 0, 0, 0],
        [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656, 0, 0],
        [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
    ]
)
#: The 5th-order weights b (the step's solution; equal to the last stage's row: FSAL).
C_SOL = np.array([35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0])
#: b − b̂, the 5th-order weights minus the embedded 4th-order ones: the error estimate.
C_ERROR = np.array(
    [
        35 / 384 - 1951 / 21600,
        0,
        500 / 1113 - 22642 / 50085,
        125 / 192 - 451 / 720,
        -2187 / 6784 - -12231 / 42400,
        11 / 84 - 649 / 6300,
        -1.0 / 60.0,
    ]
)
#: Weights of the solution at the middle of a step (Shampine 1986), for the dense output.
C_MID = np.array(
    [
        6025192743 / 30085553152 / 2,
        0,
        51252292925 / 65400821598 / 2,
        -2691868925 / 45128329728 / 2,
        187940372067 / 1594534317056 / 2,
        -1776094331 / 19743644256 / 2,
        11237099 / 235043384 / 2,
    ]
)


# ------------------------------------------------------------------- the solver, on NumPy values
def initial_step_size(
    fun: Callable[[np.ndarray, Any], np.ndarray],
    t0: Any,
    y0: np.ndarray,
    f0: np.ndarray,
    rtol: float,
    atol: float,
    order: int = 4,
) -> Any:
    """The first step (Hairer, Nørsett & Wanner, Solving ODEs I, §II.4): a trial explicit Euler
    step of h₀ = 0.01‖y₀‖/‖f₀‖ (norms scaled by atol + rtol|y₀|) estimates the second derivative
    d₂; the step is min(100 h₀, (0.01 / max(‖f₀‖, d₂))^(1/(order+1)))."""
    scale = atol + np.abs(y0) * rtol
    d0 = _norm(y0 / scale)
    d1 = _norm(f0 / scale)
    h0 = np.asarray(1e-6, d0.dtype) if d0 < 1e-5 or d1 < 1e-5 else 0.01 * d0 / d1
    f1 = fun(y0 + h0 * f0, t0 + h0)
    d2 = _norm((f1 - f0) / scale) / h0
    if d1 <= 1e-15 and d2 <= 1e-15:
        h1 = np.maximum(1e-6, h0 * 1e-3)
    else:
        h1 = (0.01 / np.maximum(d1, d2)) ** (1.0 / (order + 1.0))
    return np.minimum(100.0 * h0, h1)


def _norm(x: np.ndarray) -> Any:
    """The Euclidean norm, as JAX computes it (no rescaling against overflow)."""
    return np.sqrt(np.sum(x * x))


def runge_kutta_step(
    fun: Callable[[np.ndarray, Any], np.ndarray], y0: np.ndarray, f0: np.ndarray, t0: Any, dt: Any
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """One Dormand–Prince step of size dt from (t0, y0), f0 = fun(y0, t0): the new state, its
    derivative (the 7th stage), the error estimate and the 7 stages k."""
    dtype = f0.dtype
    beta = BETA.astype(dtype)
    alpha = ALPHA.astype(dt.dtype)
    k = np.zeros((7, f0.shape[0]), dtype)
    k[0] = f0
    for i in range(1, 7):
        k[i] = fun(y0 + dt * (beta[i - 1] @ k), t0 + dt * alpha[i - 1])
    y1 = dt * (C_SOL.astype(dtype) @ k) + y0
    error = dt * (C_ERROR.astype(dtype) @ k)
    return y1, k[-1], error, k


def mean_error_ratio(
    error: np.ndarray, rtol: float, atol: float, y0: np.ndarray, y1: np.ndarray
) -> Any:
    """The root mean square of error / (atol + rtol·max(|y0|, |y1|)): a step is accepted when it
    is at most 1."""
    ratio = error / (atol + rtol * np.maximum(np.abs(y0), np.abs(y1)))
    return np.sqrt(np.mean(ratio * ratio))


def optimal_step_size(
    last_step: Any,
    error_ratio: Any,
    safety: float = 0.9,
    ifactor: float = 10.0,
    dfactor: float = 0.2,
    order: float = 5.0,
) -> Any:
    """The next step: the last one times safety·ratio^(−1/order), at most ``ifactor`` times it,
    and at least ``dfactor`` times it after a rejected step (ratio > 1); nan stays nan."""
    if error_ratio == 0:
        return last_step * ifactor
    floor = 1.0 if error_ratio < 1 else dfactor
    factor = np.minimum(ifactor, np.maximum(error_ratio ** (-1.0 / order) * safety, floor))
    return last_step * factor


def interp_fit_dopri(y0: np.ndarray, y1: np.ndarray, k: np.ndarray, dt: Any) -> np.ndarray:
    """The coefficients (highest power first) of the 4th-order polynomial in the fraction of the
    step that takes the values y0, the middle value and y1, and the slopes k₁ and k₇ at its
    ends."""
    y_mid = y0 + dt * (C_MID.astype(y0.dtype) @ k)
    return np.stack(fit_4th_order_polynomial(y0, y1, y_mid, k[0], k[-1], dt))


def fit_4th_order_polynomial(
    y0: np.ndarray, y1: np.ndarray, y_mid: np.ndarray, dy0: np.ndarray, dy1: np.ndarray, dt: Any
) -> tuple[np.ndarray, ...]:
    """a, b, c, d, e of p(x) = a x⁴ + b x³ + c x² + d x + e on x ∈ [0, 1] with p(0) = y0,
    p(½) = y_mid, p(1) = y1, p′(0) = dt·dy0, p′(1) = dt·dy1."""
    a = -2.0 * dt * dy0 + 2.0 * dt * dy1 - 8.0 * y0 - 8.0 * y1 + 16.0 * y_mid
    b = 5.0 * dt * dy0 - 3.0 * dt * dy1 + 18.0 * y0 + 14.0 * y1 - 32.0 * y_mid
    c = -4.0 * dt * dy0 + dt * dy1 - 11.0 * y0 - 5.0 * y1 + 16.0 * y_mid
    return a, b, c, dt * dy0, y0


def _polyval(coefficients: np.ndarray, x: Any) -> np.ndarray:
    """Σ coefficients[j] x^(4−j), by Horner's rule (as ``jnp.polyval``)."""
    y = np.zeros_like(coefficients[0])
    for c in coefficients:
        y = y * x + c
    return y


def solve(
    fun: Callable[[np.ndarray, Any], np.ndarray],
    y0: np.ndarray,
    ts: np.ndarray,
    rtol: float,
    atol: float,
    mxstep: float,
    hmax: float,
) -> np.ndarray:
    """The solution of y′ = fun(y, t), y(ts[0]) = y0, at each of ``ts`` (rows), by JAX's loop:
    for each output time, steps until the accepted ones pass it, or ``mxstep`` steps, or the step
    size is no longer positive; then the fitted polynomial of the last accepted step there."""
    f = fun(y0, ts[0])
    dt = _clip(initial_step_size(fun, ts[0], y0, f, rtol, atol), hmax)
    y, t, last_t = y0, ts[0], ts[0]
    coefficients = np.stack([y0] * 5)
    out = [y0]
    short = []
    for target in ts[1:]:
        steps = 0
        while t < target and steps < mxstep and dt > 0:
            next_y, next_f, error, k = runge_kutta_step(fun, y, f, t, dt)
            ratio = mean_error_ratio(error, rtol, atol, y, next_y)
            if ratio <= 1.0:
                coefficients = interp_fit_dopri(y, next_y, k, dt)
                y, f, t, last_t = next_y, next_f, t + dt, t
            dt = _clip(optimal_step_size(dt, ratio), hmax)
            steps += 1
        if t < target:
            short.append(target)
        with np.errstate(divide="ignore", invalid="ignore"):
            fraction = (target - last_t) / (t - last_t)
            out.append(_polyval(coefficients, fraction.astype(y0.dtype)))
    if short:
        warnings.warn(
            f"odeint stopped short of {len(short)} of the {len(ts) - 1} output intervals (first "
            f"at t = {short[0]}: {mxstep} steps, mxstep, or a step size that fell to 0 or nan); "
            "the values there are extrapolations of the last step, as JAX returns. Raise mxstep, "
            "or check the dynamics for values that are not finite",
            RuntimeWarning,
            stacklevel=2,
        )
    return np.stack(out)


def _clip(dt: Any, hmax: float) -> Any:
    """dt in [0, hmax], nan staying nan (as ``jnp.clip``)."""
    return np.minimum(np.maximum(dt, 0.0), hmax)


# --------------------------------------------------------------------------- the primitive
def _odeint_impl(
    y0: Any,
    ts: Any,
    *params: Any,
    func: Dynamics,
    rtol: float,
    atol: float,
    mxstep: float,
    hmax: float,
) -> np.ndarray:
    """The solution rows y(tᵢ) of y′ = func(y, t, *params) from y(ts[0]) = y0 (all plain)."""
    y0 = np.asarray(y0)
    dtype = y0.dtype
    ts = np.asarray(ts)

    def fun(y: np.ndarray, t: Any) -> np.ndarray:
        return np.asarray(func(y, t, *params), dtype)

    return solve(fun, y0, ts, rtol, atol, mxstep, hmax)


def _odeint_jvp(tangents: list, ans: Any, y0: Any, ts: Any, *params: Any, **options: Any) -> Any:
    """The forward sensitivities (module docstring): (y, ẏ) solved as one system from
    (y₀, ẏ₀ − f(y₀, t₀)ṫ₀), then ẏᵢ + f(yᵢ, tᵢ)ṫᵢ."""
    y0_dot, ts_dot, *params_dot = tangents
    func = options["func"]
    n = size(y0)
    moves = _nonzero(ts_dot)
    start = y0_dot
    if moves:
        start = anp.subtract(y0_dot, anp.multiply(func(y0, ts[0], *params), ts_dot[0]))
    joint = odeint_p(
        anp.concatenate([y0, start]),
        ts,
        *params,
        *params_dot,
        **{**options, "func": _tangent_dynamics(func, n, len(params))},
    )
    ys_dot = anp.getitem(joint, (slice(None), slice(n, None)))
    if not moves:
        return ys_dot
    slopes = anp.stack([func(ans[i], ts[i], *params) for i in range(shape(ts)[0])])
    return anp.add(ys_dot, anp.multiply(slopes, anp.expand_dims(ts_dot, 1)))


def _nonzero(x: Any) -> bool:
    """Whether ``x`` may be nonzero (a traced value may be: it has a derivative)."""
    return isinstance(x, Traced) or bool(np.any(x))


def _tangent_dynamics(func: Dynamics, n: int, n_params: int) -> Dynamics:
    """(y, ẏ)′ = (f, ∂f/∂y·ẏ + ∂f/∂θ·θ̇), the parameters θ followed by their tangents θ̇."""

    def dynamics(z: Any, t: Any, *params_and_tangents: Any) -> Any:
        params, params_dot = params_and_tangents[:n_params], params_and_tangents[n_params:]
        y, y_dot = anp.getitem(z, slice(None, n)), anp.getitem(z, slice(n, None))
        f, f_dot = jvp(lambda y, *p: func(y, t, *p), (y, *params), (y_dot, *params_dot))
        return anp.concatenate([f, f_dot])

    return dynamics


def _odeint_vjp(g: Any, ans: Any, y0: Any, ts: Any, *params: Any, **options: Any) -> list[Any]:
    """JAX's adjoint method (module docstring): the cotangents of y0, ts and each parameter."""
    func = options["func"]
    n = size(y0)
    shapes = [shape(p) for p in params]
    adjoint = {**options, "func": _adjoint_dynamics(func, n, shapes)}
    y_bar = anp.getitem(g, -1)
    t0_bar: Any = 0.0
    params_bar = [np.zeros(shape(p), dtype_of(p)) for p in params]
    ts_bar = []
    for i in range(shape(ts)[0] - 1, 0, -1):
        t_bar = anp.dot(func(ans[i], ts[i], *params), g[i])
        t0_bar = anp.subtract(t0_bar, t_bar)
        state = anp.concatenate(
            [ans[i], y_bar, anp.reshape(t0_bar, (1,)), *(anp.ravel(b) for b in params_bar)]
        )
        span = anp.stack([anp.negative(ts[i]), anp.negative(ts[i - 1])])
        state = anp.getitem(odeint_p(state, span, *params, **adjoint), 1)
        y_bar, t0_bar, params_bar = _unpack_adjoint(state, n, shapes)
        y_bar = anp.add(y_bar, g[i - 1])
        ts_bar.append(t_bar)
    return [y_bar, anp.stack([t0_bar, *reversed(ts_bar)]), *params_bar]


def _adjoint_dynamics(func: Dynamics, n: int, shapes: Sequence[tuple[int, ...]]) -> Dynamics:
    """JAX's augmented dynamics in reversed time s = −t, on the flat state (y, a, t̄₀, θ̄):
    (−f, aᵀ∂f/∂y, aᵀ∂f/∂t, aᵀ∂f/∂θ) at (y, −s)."""

    def dynamics(z: Any, s: Any, *params: Any) -> Any:
        y, a = anp.getitem(z, slice(None, n)), anp.getitem(z, slice(n, 2 * n))
        f, pull_back = vjp(func, y, anp.negative(s), *params)
        a_y, a_t, *a_params = pull_back(a)
        pieces = [anp.negative(f), a_y, anp.reshape(a_t, (1,))]
        return anp.concatenate(pieces + [anp.ravel(c) for c in a_params])

    return dynamics


def _unpack_adjoint(
    state: Any, n: int, shapes: Sequence[tuple[int, ...]]
) -> tuple[Any, Any, list[Any]]:
    """(a, t̄₀, θ̄) from the flat adjoint state (y, a, t̄₀, θ̄)."""
    y_bar = anp.getitem(state, slice(n, 2 * n))
    t0_bar = anp.getitem(state, 2 * n)
    params_bar, start = [], 2 * n + 1
    for s in shapes:
        end = start + math.prod(s)
        params_bar.append(anp.reshape(anp.getitem(state, slice(start, end)), s))
        start = end
    return y_bar, t0_bar, params_bar


#: ys = odeint_p(y0, ts, *params, func=…, rtol=…, atol=…, mxstep=…, hmax=…): the rows y(tᵢ) of
#: y′ = func(y, t, *params) for a flat y0, differentiated as the exact solution in y0, ts and
#: params (the module docstring: forward sensitivities, and JAX's adjoint).
odeint_p = defprim("odeint", _odeint_impl, joint_jvp=_odeint_jvp, joint_vjp=_odeint_vjp)


# -------------------------------------------------------------------------------- odeint
def odeint(
    func: Callable[..., Any],
    y0: Any,
    t: Any,
    *args: Any,
    rtol: float = 1.4e-8,
    atol: float = 1.4e-8,
    mxstep: float = np.inf,
    hmax: float = np.inf,
) -> Any:
    """The solution of y′ = func(y, t, *args), y(t[0]) = y0, at each time of ``t``, by JAX's
    adaptive Dormand–Prince method (module docstring), differentiable in ``y0``, ``t``, the
    floating-point leaves of ``args`` and the traced values ``func`` closes over, by both
    engines: reverse mode by JAX's adjoint method (``jax.grad``'s numbers to rounding), forward
    mode by the forward sensitivity equations (the exact derivative to the solver's tolerance:
    agreeing with the reverse mode to about rtol, not to rounding).

    ``func(y, t, *args)`` returns dy/dt, a pytree of y0's structure and shapes; ``y0`` is a
    pytree of real floating-point arrays; ``t`` a 1-D array of strictly increasing float times;
    ``args`` pytrees of arrays and numbers (integer ones are passed as they are, not
    differentiated). ``rtol``, ``atol``: the local error tolerances; ``mxstep``: the most steps
    per output interval (beyond it the value is an extrapolation, with a warning); ``hmax``: the
    largest step. Returns y0's structure, each leaf with a leading axis of len(t).
    """
    _check_options(rtol, atol, mxstep, hmax)
    ts = _times(t)
    _check_state(y0)
    y0_flat, unravel = ravel_pytree(y0)
    leaves, args_def = flatten(args)
    floating = [_is_floating_arg(leaf) for leaf in leaves]
    params = [leaf for leaf, f in zip(leaves, floating, strict=True) if f]
    fixed = [None if f else plain(leaf) for leaf, f in zip(leaves, floating, strict=True)]
    dynamics = _flat_dynamics(func, y0, unravel, args_def, fixed, dtype_of(y0_flat))
    example = (plain(y0_flat), plain(ts)[0], *(plain(p) for p in params))
    consts: list = []
    if any(isinstance(leaf, Traced) for leaf in flatten(dynamics(*example))[0]):
        converted, consts = closure_convert(dynamics, *example)
        dynamics = _consts_first(converted, len(consts))
    ys = odeint_p(
        y0_flat, ts, *consts, *params, func=dynamics, rtol=rtol, atol=atol, mxstep=mxstep, hmax=hmax
    )
    return _unravel_rows(ys, y0)


def _check_options(rtol: Any, atol: Any, mxstep: Any, hmax: Any) -> None:
    """rtol, atol ≥ 0, mxstep and hmax > 0: constants (Python or NumPy numbers), as JAX's static
    arguments."""
    for name, value, least in (("rtol", rtol, 0), ("atol", atol, 0)):
        if not _is_real_number(value) or not value >= least:
            raise ValueError(f"odeint: {name} must be a number ≥ 0, got {value!r}")
    if not _is_real_number(mxstep) or not mxstep > 0:
        raise ValueError(
            f"odeint: mxstep must be a positive number of steps (or inf), got {mxstep!r}"
        )
    if not _is_real_number(hmax) or not hmax > 0:
        raise ValueError(f"odeint: hmax must be a positive step size (or inf), got {hmax!r}")


def _is_real_number(x: Any) -> bool:
    return isinstance(x, int | float | np.integer | np.floating) and not isinstance(x, bool)


def _times(t: Any) -> Any:
    """``t`` as a 1-D float array of strictly increasing, finite times (its traced value kept)."""
    if not isinstance(t, Traced):
        t = np.asarray(t)
    values = plain(t)
    if not np.issubdtype(values.dtype, np.floating):
        raise TypeError(
            f"odeint: t must be an array of floats, got dtype {values.dtype}: pass "
            "np.array([0.0, 1.0]) rather than np.array([0, 1])"
        )
    if values.ndim != 1 or values.shape[0] == 0:
        raise ValueError(
            f"odeint: t must be a 1-D array of at least one time, got shape {values.shape}"
        )
    if not np.all(np.isfinite(values)) or np.any(np.diff(values) <= 0):
        raise ValueError(
            f"odeint: the times t must be finite and strictly increasing, got {values}"
        )
    return t


def _check_state(y0: Any) -> None:
    """Every leaf of y0 real floating-point."""
    leaves = flatten(y0)[0]
    if not leaves:
        raise ValueError("odeint: y0 has no leaves: there is nothing to integrate")
    for leaf in leaves:
        dtype = _dtype(leaf)
        if dtype is None or dtype.kind != "f":
            got = "a value of another type" if dtype is None else f"dtype {dtype}"
            raise TypeError(
                f"odeint: y0 must be a pytree of real floating-point arrays, got {got} "
                f"({plain(leaf)!r}): pass 1.0 rather than 1, or np.asarray(y0, dtype=float)"
            )


def _dtype(x: Any) -> np.dtype | None:
    """The dtype of a number or array, None for anything else."""
    p = plain(x)
    if isinstance(p, bool | int | float | complex | np.ndarray | np.generic):
        return np.result_type(p) if not isinstance(p, np.ndarray | np.generic) else p.dtype
    return None


def _is_floating_arg(leaf: Any) -> bool:
    """Whether a leaf of ``args`` is differentiated (real floating-point) or passed as it is
    (integer, boolean); anything else is refused."""
    dtype = _dtype(leaf)
    if dtype is None or dtype.kind not in "fiub":
        raise TypeError(
            "odeint: the leaves of *args must be real arrays or numbers (floating-point ones "
            f"are differentiated), got {plain(leaf)!r}"
        )
    return dtype.kind == "f"


def _flat_dynamics(
    func: Callable[..., Any],
    y0: Any,
    unravel: Callable[[Any], Any],
    args_def: Any,
    fixed: list[Any],
    dtype: np.dtype,
) -> Dynamics:
    """``func`` on flat states: (y, t, *floating leaves of args) ↦ raveled dy/dt, after
    checking that it has y0's structure and shapes."""
    y_def = structure(y0)
    y_shapes = [shape(leaf) for leaf in flatten(y0)[0]]

    def dynamics(y: Any, t: Any, *params: Any) -> Any:
        it = iter(params)
        leaves = [next(it) if f is None else f for f in fixed]
        out = func(unravel(y), t, *unflatten(args_def, leaves))
        out_leaves, out_def = flatten(out)
        if out_def != y_def:
            raise TypeError(
                f"odeint: func returned a tree of structure {describe(out_def)} for y0 of "
                f"structure {describe(y_def)}; func(y, t, *args) returns dy/dt, of y's structure"
            )
        out_shapes = [shape(leaf) for leaf in out_leaves]
        if out_shapes != y_shapes:
            raise ValueError(
                f"odeint: func returned leaves of shapes {out_shapes} for y0's {y_shapes}; "
                "func(y, t, *args) returns dy/dt, of y's shapes"
            )
        return anp.astype(ravel_pytree(out)[0], dtype, copy=False)

    return dynamics


def _consts_first(converted: Callable[..., Any], n_consts: int) -> Dynamics:
    """(y, t, *consts, *params) ↦ converted(y, t, *params, *consts): the primitive's order."""

    def dynamics(y: Any, t: Any, *consts_and_params: Any) -> Any:
        consts, params = consts_and_params[:n_consts], consts_and_params[n_consts:]
        return converted(y, t, *params, *consts)

    return dynamics


def _unravel_rows(ys: Any, y0: Any) -> Any:
    """The rows of ``ys`` (flat states) as y0's tree, each leaf with a leading axis."""
    leaves, treedef = flatten(y0)
    rows = shape(ys)[0]
    parts, start = [], 0
    for leaf in leaves:
        end = start + size(leaf)
        part = ys if len(leaves) == 1 else anp.getitem(ys, (slice(None), slice(start, end)))
        part = anp.reshape(part, (rows, *shape(leaf)))
        parts.append(anp.astype(part, dtype_of(leaf), copy=False))
        start = end
    return unflatten(treedef, parts)
