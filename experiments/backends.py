"""NumPy-like namespaces for each AD system, so every workload is written once.

A workload body uses only ``B.np.<fn>`` for the functions the PyTorch shim below provides (sin,
cos, exp, log, tanh, sum, mean, reshape, maximum), ``B.logsumexp``, Python
operators, ``.T`` and indexing; ``B.asarray`` turns constant NumPy data into the system's arrays.
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import numpy as np

PEERS = ("jax", "autograd", "torch")
TORCH_THREADS = 2


@dataclass(frozen=True)
class Backend:
    """One AD system seen through a common NumPy-like interface."""

    name: str
    np: Any
    logsumexp: Callable[[Any, int], Any]
    asarray: Callable[[np.ndarray], Any]


def is_installed(module: str) -> bool:
    """Whether ``module`` can be imported, without importing it."""
    return importlib.util.find_spec(module) is not None


def _admodes() -> Backend:
    import admodes.numpy as anp

    return Backend("admodes", anp, lambda x, axis: anp.logsumexp(x, axis=axis), np.asarray)


def _jax() -> Backend:
    from jax.scipy.special import logsumexp

    from experiments.validation import jnp  # x64 is switched on there, before any array

    return Backend("jax", jnp, lambda x, axis: logsumexp(x, axis=axis), jnp.asarray)


def _autograd() -> Backend:
    import autograd.numpy as agnp
    from autograd.scipy.special import logsumexp

    return Backend("autograd", agnp, lambda x, axis: logsumexp(x, axis=axis), np.asarray)


def _torch() -> Backend:
    torch = importlib.import_module("torch")
    torch.set_num_threads(TORCH_THREADS)

    def as_tensor(value: Any) -> Any:
        return torch.as_tensor(value, dtype=torch.float64)

    def reduce(name: str) -> Callable[..., Any]:
        def apply(x: Any, axis: int | None = None, keepdims: bool = False) -> Any:
            method = getattr(x, name)
            return method() if axis is None else method(dim=axis, keepdim=keepdims)

        return apply

    namespace = SimpleNamespace(
        sin=torch.sin,
        cos=torch.cos,
        exp=torch.exp,
        log=torch.log,
        tanh=torch.tanh,
        sum=reduce("sum"),
        mean=reduce("mean"),
        reshape=torch.reshape,
        maximum=lambda a, b: torch.maximum(as_tensor(a), as_tensor(b)),
    )
    return Backend("torch", namespace, lambda x, axis: torch.logsumexp(x, dim=axis), as_tensor)


_LOADERS: dict[str, Callable[[], Backend]] = {
    "admodes": _admodes,
    "jax": _jax,
    "autograd": _autograd,
    "torch": _torch,
}


@functools.cache
def load_backend(name: str) -> Backend | None:
    """The named backend, or None when its package is not installed."""
    module = "admodes" if name == "admodes" else name
    if not is_installed(module):
        return None
    return _LOADERS[name]()
