"""admodes: forward-mode and reverse-mode automatic differentiation side by side.

>>> import admodes as ad
>>> import admodes.numpy as anp
>>> ad.grad(lambda w, x, b: (w * x + b) ** 2, argnums=(0, 2))(2.0, 3.0, 1.0)
(42.0, 14.0)
"""

import importlib
from typing import Any

from admodes import checkpoint_policies, debug, flatten_util, lax, nn, ops, random, tree
from admodes.api import grad, hessian, hvp, value_and_grad
from admodes.arguments import FLOAT0 as float0
from admodes.batching import vmap
from admodes.callback import pure_callback
from admodes.checkpointing import checkpoint, checkpoint_name, iterate
from admodes.closure import closure_convert
from admodes.core import ConcretizationError, UnexpectedTracerError
from admodes.counting import Counts, count
from admodes.custom import custom_gradient, custom_jvp, custom_vjp
from admodes.explain import explain
from admodes.forward import jacfwd, jvp
from admodes.linearize import linearize
from admodes.measure import cost
from admodes.numpy import stop_gradient
from admodes.planning import plan_checkpoints
from admodes.reverse import jacrev, vjp
from admodes.shapes import ShapeDtypeStruct, eval_shape
from admodes.transpose import linear_transpose

#: Names whose modules need an optional dependency (pandas, matplotlib): importing admodes does
#: not import them; the first ``ad.<name>`` does (PEP 562 module ``__getattr__``).
OPTIONAL = {"compare_modes": "admodes.compare", "draw": "admodes.drawing"}


#: JAX's names that admodes spells otherwise, or leaves out: what to write instead.
JAX_NAMES = {
    "remat": "JAX's remat is its checkpoint: use admodes.checkpoint",
    "jacobian": "JAX's jacobian is its jacrev: use admodes.jacrev (or admodes.jacfwd)",
    "jit": "admodes evaluates eagerly and compiles nothing: call the function itself",
    "tree_util": "admodes.tree has jax.tree_util's functions (map, flatten, "
    "register_pytree_node, ...)",
}


def __getattr__(name: str) -> Any:
    if name in OPTIONAL:
        return getattr(importlib.import_module(OPTIONAL[name]), name)
    hint = f"; {JAX_NAMES[name]}" if name in JAX_NAMES else ""
    raise AttributeError(f"module 'admodes' has no attribute {name!r}{hint}")


def __dir__() -> list[str]:
    """The public names, the optional ones included (what completion should offer)."""
    return sorted({*__all__, *OPTIONAL, "numpy"})


__all__ = [
    "ConcretizationError",
    "Counts",
    "ShapeDtypeStruct",
    "UnexpectedTracerError",
    "checkpoint",
    "checkpoint_name",
    "checkpoint_policies",
    "closure_convert",
    "cost",
    "count",
    "custom_gradient",
    "custom_jvp",
    "custom_vjp",
    "debug",
    "eval_shape",
    "explain",
    "flatten_util",
    "float0",
    "grad",
    "hessian",
    "hvp",
    "iterate",
    "jacfwd",
    "jacrev",
    "jvp",
    "lax",
    "linear_transpose",
    "linearize",
    "nn",
    "ops",
    "plan_checkpoints",
    "pure_callback",
    "random",
    "stop_gradient",
    "tree",
    "value_and_grad",
    "vjp",
    "vmap",
]
