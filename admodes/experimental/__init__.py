"""``admodes.experimental``: JAX's ``jax.experimental`` (its ``ode`` module only): adaptive ODE
integration, ``admodes.experimental.ode.odeint``, differentiable in both modes."""

from admodes.experimental import ode

__all__ = ["ode"]
