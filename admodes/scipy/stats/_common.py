"""What the distributions share: standardizing x, the cumulative and quantile functions of a
location-scale family from those of its standard form, the guards that give SciPy's values
outside a distribution's support or parameters (−inf, nan), and SciPy's return types for the
functions each module exports."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.batching import array_numbers, is_mapped
from admodes.core import dtype_of, numbers, plain
from admodes.numpy._elementwise import numpy_scalar
from admodes.numpy._reductions import replaced


def scipy_value(value: Any) -> Any:
    """A plain result as SciPy returns it: a 0-d one (a Python float, a 0-d array) as a NumPy
    scalar of its dtype (SciPy's ``np.float64``, where JAX returns a 0-d array), the same number;
    any other value (an array of some shape, a NumPy scalar, a traced result being
    differentiated) as it is."""
    return np.float64(value) if type(value) is float else numpy_scalar(value)


def with_scipy_types(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with its result passed through :func:`scipy_value` (name, docstring and signature
    ``fn``'s)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        return scipy_value(fn(*args, **kwargs))

    return wrapper


def export_with_scipy_types(namespace: dict[str, Any]) -> None:
    """Replace each function a distribution's module names in its ``__all__`` by
    :func:`with_scipy_types` of it: each module calls this last, on its ``globals()``, so that
    every public function (and one added later) returns SciPy's types."""
    for name in namespace["__all__"]:
        namespace[name] = with_scipy_types(namespace[name])


def standardized(x: Any, loc: Any, scale: Any) -> Any:
    """(x − loc) / scale; nan where scale ≤ 0 (SciPy's: no distribution has such a scale)."""
    return anp.divide(anp.subtract(x, loc), invalid(nonpositive(scale), scale))


def in_promoted_dtype(value: Any, *args: Any) -> Any:
    """``value`` in the dtype JAX's promotion gives ``args`` (Python scalars weak, integers to
    float64): a result built from constants (0, 1, −log scale) keeps a float32 argument's."""
    dtype = np.result_type(*(dtype_of(a) if is_mapped(a) else plain(a) for a in args))
    return anp.astype(value, dtype if dtype.kind in "fc" else np.float64, copy=False)


def nonpositive(scale: Any) -> np.ndarray:
    """Where a scale (plain) is ≤ 0, outside every distribution's parameters."""
    return array_numbers(scale) <= 0


def rescaled(log_density: Any, scale: Any) -> Any:
    """The log-density of loc + scale · Y from Y's: log f_Y(y) − log scale."""
    return anp.subtract(log_density, anp.log(scale))


def outside(support: Any, log_density: Any) -> Any:
    """``log_density`` where ``support`` (plain bools) holds, −inf elsewhere."""
    return anp.where(support, log_density, -np.inf)


def within(y: Any, low: float = -np.inf, high: float = np.inf) -> np.ndarray:
    """Where y (plain) is not outside [low, high]: on it, or nan (a nan argument, or a scale
    ≤ 0, then gives nan, as SciPy's, not −inf)."""
    y = array_numbers(y)
    return ~((y < low) | (y > high))


def invalid(bad: Any, value: Any) -> Any:
    """``value``, but nan where ``bad`` (plain bools: parameters outside their domain, where SciPy
    gives nan)."""
    return replaced(bad, np.nan, value)


def improbable(p: Any) -> np.ndarray:
    """Where p (plain) is no probability: nan, or outside [0, 1]."""
    p = array_numbers(p)
    return ~((p >= 0) & (p <= 1))


def unsuccessful(p: Any) -> np.ndarray:
    """Where p (plain) is no success probability of a law that counts trials until successes
    (geometric, negative binomial): nan, or outside (0, 1]."""
    return improbable(p) | (array_numbers(p) == 0)


def probability(q: Any, value: Any) -> Any:
    """``value`` where 0 ≤ q ≤ 1, nan elsewhere (a quantile function's domain, as SciPy and
    JAX's guard)."""
    return invalid(improbable(q), value)


def integral(k: Any) -> np.ndarray:
    """Whether each k (plain) is a whole number, or nan: the support of a discrete distribution
    (a nan k then gives nan, as SciPy's)."""
    k = array_numbers(k)
    return (k == np.floor(k)) | np.isnan(k)


def nonnegative(y: Any) -> Any:
    """y clipped at 0 (JAX's guard before an incomplete gamma function)."""
    return anp.where(numbers(y) < 0, 0.0, y)


def negated(x: Any) -> Any:
    """−x as 0 − x: +0 where x is ±0 (``negative`` gives −0 at +0), so that a slope through 1/(−x)
    is +inf there, the limit from inside (the Gumbel quantiles' −log q at q = 1)."""
    return anp.subtract(0.0, x)


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


def cdf_of(standard: Callable[[Any], Any], name: str, reflected: bool = False) -> Callable:
    """x ↦ F((x − loc)/scale) of a location-scale family, from its standard form's F (a cdf or
    logcdf); ``reflected``: x ↦ F(−(x − loc)/scale), the sf (logsf) of a symmetric family."""

    def fn(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        z = standardized(x, loc, scale)
        return standard(anp.negative(z) if reflected else z)

    fn.__name__ = name
    fn.__doc__ = f"{_label(standard)}({'−' if reflected else ''}(x − loc)/scale)."
    return fn


def log_tail_of(
    tail: Callable[[Any], Any],
    rest: Callable[[Any], Any],
    median: float,
    name: str,
    upper: bool = False,
) -> Callable:
    """x ↦ log tail(y) of a location-scale family, as SciPy computes a logcdf (a logsf,
    ``upper``, tail the sf) from the standard cdf and sf: log tail(y) on the tail's side of the
    ``median``, log1p(−rest(y)) on the other (rest = 1 − tail, small there). Each branch sees y
    only where it is taken (the median elsewhere), so neither meets an infinite derivative it
    does not use."""

    def fn(x: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        y = standardized(x, loc, scale)
        near = array_numbers(y) > median if upper else array_numbers(y) < median
        log_tail = anp.log(tail(anp.where(near, y, median)))
        log_rest = anp.log1p(anp.negative(rest(anp.where(near, median, y))))
        return anp.where(near, log_tail, log_rest)

    fn.__name__ = name
    fn.__doc__ = (
        f"log {_label(tail)}(y) {'above' if upper else 'below'} the median, "
        f"log1p(−{_label(rest)}(y)) {'below' if upper else 'above'} it; y = (x − loc)/scale."
    )
    return fn


def ppf_of(standard: Callable[[Any], Any], name: str, reflected: bool = False) -> Callable:
    """q ↦ loc + scale · G(q) of a location-scale family, from its standard form's quantile
    function G; ``reflected``: q ↦ loc − scale · G(q), the isf of a symmetric family. nan where
    scale ≤ 0 (SciPy's)."""

    def fn(q: Any, loc: Any = 0.0, scale: Any = 1.0) -> Any:
        step = anp.multiply(scale, standard(q))
        value = anp.subtract(loc, step) if reflected else anp.add(loc, step)
        return invalid(nonpositive(scale), value)

    fn.__name__ = name
    fn.__doc__ = f"loc {'−' if reflected else '+'} scale · {_label(standard)}(q)."
    return fn


def _label(fn: Callable[..., Any]) -> str:
    """A function's name in a docstring (a registry primitive's name, a function's own)."""
    return getattr(fn, "__name__", None) or fn.name
