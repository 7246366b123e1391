"""admodes: forward-mode and reverse-mode automatic differentiation side by side.

>>> import admodes as ad
>>> import admodes.numpy as anp
>>> ad.grad(lambda w, x, b: (w * x + b) ** 2, argnums=(0, 2))(2.0, 3.0, 1.0)
(42.0, 14.0)
"""

from admodes.api import grad, hessian, hvp, value_and_grad
from admodes.checkpointing import checkpoint, iterate
from admodes.counting import Counts, count
from admodes.forward import jacfwd, jvp
from admodes.numpy import stop_gradient
from admodes.reverse import jacrev, vjp

__all__ = [
    "Counts",
    "checkpoint",
    "count",
    "grad",
    "hessian",
    "hvp",
    "iterate",
    "jacfwd",
    "jacrev",
    "jvp",
    "stop_gradient",
    "value_and_grad",
    "vjp",
]
