"""What the location-scale families share: standardizing x, and the cumulative functions of a
variable's standardized form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import plain


def standardized(x: Any, loc: Any, scale: Any) -> Any:
    """(x − loc) / scale."""
    return anp.divide(anp.subtract(x, loc), scale)


def rescaled(log_density: Any, scale: Any) -> Any:
    """The log-density of loc + scale · Y from Y's: log f_Y(y) − log scale."""
    return anp.subtract(log_density, anp.log(scale))


def outside(support: Any, log_density: Any) -> Any:
    """``log_density`` where ``support`` (plain bools) holds, −inf elsewhere."""
    return anp.where(support, log_density, -np.inf)


def nonnegative(y: Any) -> Any:
    """y clipped at 0 (JAX's guard before an incomplete gamma function)."""
    return anp.where(plain(y) < 0, 0.0, y)


def log_of(fn: Callable[..., Any]) -> Callable[..., Any]:
    """x ↦ log fn(x): the logcdf of a cdf, the logsf of an sf (JAX's definitions)."""

    def log_fn(*args: Any, **kwargs: Any) -> Any:
        return anp.log(fn(*args, **kwargs))

    log_fn.__name__ = f"log{fn.__name__}"
    log_fn.__doc__ = f"log {fn.__name__}(...)."
    return log_fn


def exp_of(log_fn: Callable[..., Any], name: str) -> Callable[..., Any]:
    """x ↦ exp log_fn(x): the pdf of a logpdf, the pmf of a logpmf."""

    def fn(*args: Any, **kwargs: Any) -> Any:
        return anp.exp(log_fn(*args, **kwargs))

    fn.__name__ = name
    fn.__doc__ = f"exp {log_fn.__name__}(...)."
    return fn
