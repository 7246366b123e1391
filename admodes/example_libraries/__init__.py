"""``admodes.example_libraries``: JAX's ``jax.example_libraries``, its two modules
:mod:`~admodes.example_libraries.optimizers` (first-order optimizers as ``(init_fun, update_fun,
get_params)`` triples, step-size schedules) and :mod:`~admodes.example_libraries.stax` (neural
network layers as ``(init_fun, apply_fun)`` pairs), so a JAX tutorial written with them ports by
a rename: ``from admodes.example_libraries import optimizers, stax``.

Both are built from :mod:`admodes.numpy`, :mod:`admodes.lax`, :mod:`admodes.nn` and
:mod:`admodes.random`: a stax network's initial parameters are JAX's bit for bit for the same key,
its ``apply_fun`` differentiates in both modes, and an optimizer's updates are JAX's (eager) to
the last bit for the same gradients.
"""

from admodes.example_libraries import optimizers, stax

__all__ = ["optimizers", "stax"]
