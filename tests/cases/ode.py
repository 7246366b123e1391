"""Registry-walk cases for ``admodes.experimental.ode.odeint`` (the "odeint" primitive): linear
ODEs against their closed forms in ``jax.numpy``, the solver at tight tolerances (1e-12) so that
its values and both modes' derivatives (adjoint, forward sensitivities) agree with the exact
solution's to the walk's 1e-10."""

from __future__ import annotations

from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
from walk import case, positive, real

from admodes.experimental.ode import odeint

TIGHT = {"rtol": 1e-12, "atol": 1e-12}
TS = np.array([0.0, 0.4, 1.1])


def increasing(x: np.ndarray) -> np.ndarray:
    """Strictly increasing times: steps of at least 0.3."""
    return np.cumsum(0.3 + np.abs(x)) - 0.5


def decay(y0: Any, ts: Any, k: Any) -> Any:
    return odeint(lambda y, t, k: -k * y, y0, ts, k, **TIGHT)


def decay_solution(y0: Any, ts: Any, k: Any) -> Any:
    """y(t) = y0 e^(−k(t − t₀))."""
    return jnp.exp(-k * (ts - ts[0]))[:, None] * y0


def linear(a: Any, y0: Any) -> Any:
    return odeint(lambda y, t, a: a @ y, y0, TS, a, **TIGHT)


def linear_solution(a: Any, y0: Any) -> Any:
    """y(t) = e^(A t) y0."""
    return jnp.stack([jax.scipy.linalg.expm(a * t) @ y0 for t in TS])


CASES = [
    case("odeint", "decay", decay, decay_solution, (2,), (3,), (),
         domains=(real, increasing, positive)),
    case("odeint", "linear-system", linear, linear_solution, (2, 2), (2,),
         domains=(lambda x: 0.5 * x, real)),
]  # fmt: skip
