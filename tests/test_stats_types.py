"""``admodes.scipy.stats`` returns what ``scipy.stats`` returns for the same call on plain inputs:
the same Python type (``np.float64`` where SciPy gives a NumPy scalar, never a Python float or a
0-d array), shape and dtype, and SciPy's values; for every public function of every
distribution, found from the modules' ``__all__``, and for x (k, q) a Python float, a 0-d and a
1-d float64 array, a float32 scalar, and integers for the k of a discrete distribution. Their
log-densities still have JAX's gradients by both modes.

float32: SciPy computes every distribution but the Dirichlet in float64; admodes keeps the dtype
JAX's promotion gives the arguments (float32 for a float32 x with Python-float parameters), as
``test_scipy`` checks. There the dtype is compared with JAX's promotion, the rest with SciPy's.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Any

import jax
import jax.numpy as jnp
import jax.scipy.stats as jss
import numpy as np
import pytest
import scipy.stats as ss
from conftest import RTOL_F32, assert_gradients_match_jax

from admodes.scipy import stats
from admodes.scipy.stats import _common

jax.config.update("jax_enable_x64", True)  # as conftest: JAX's references in float64

#: The distributions (the modules of the package's ``__all__``; ``sem`` is a function), each with
#: its public functions (its ``__all__``).
FUNCTIONS: dict[str, list[str]] = {
    dist: sorted(getattr(stats, dist).__all__)
    for dist in sorted(stats.__all__)
    if isinstance(getattr(stats, dist), ModuleType)
}

#: Each distribution's arguments after x, as Python floats inside their domains (loc, scale
#: away from 0 and 1, so that a wrong standardization shows); gennorm, vonmises and wrapcauchy
#: without loc and scale, which JAX's (the gradient reference) lack.
PARAMETERS: dict[str, tuple] = {
    "bernoulli": (0.3,),
    "beta": (2.5, 1.5, -1.0, 3.0),
    "betabinom": (5.0, 2.5, 1.5),
    "binom": (5.0, 0.3),
    "cauchy": (0.3, 1.7),
    "chi2": (3.5, -0.1, 1.2),
    "expon": (0.3, 1.7),
    "gamma": (2.5, -0.1, 1.7),
    "gennorm": (1.5,),
    "geom": (0.3,),
    "gumbel_l": (0.3, 1.7),
    "gumbel_r": (0.3, 1.7),
    "laplace": (0.3, 1.7),
    "logistic": (0.3, 1.7),
    "multivariate_normal": (0.1, 2.0),  # one dimension: every entry of x is a point
    "nbinom": (3.5, 0.4),
    "norm": (0.3, 1.7),
    "pareto": (2.5, -0.5, 0.8),  # x ≥ 0.3
    "poisson": (3.5,),
    "t": (2.5, 0.3, 1.7),
    "truncnorm": (-1.0, 2.0, 0.3, 1.7),
    "uniform": (0.3, 1.7),
    "vonmises": (2.0,),
    "wrapcauchy": (0.4,),
}
DISCRETE = {"bernoulli", "betabinom", "binom", "geom", "nbinom", "poisson"}
QUANTILES = {"ppf", "isf"}

#: x of the continuous distributions (inside every support), k of the discrete ones (bernoulli's
#: last outside its support: −inf, 0), q of the quantile functions.
X = np.array([0.4, 1.1, 1.9])
K = np.array([0.0, 1.0, 3.0])
Q = np.array([0.1, 0.45, 0.8])

#: A d = 2 normal, and a Dirichlet with K = 3 and three points of the simplex (columns); a
#: multinomial of 6 trials over 3 categories, with three points of counts (rows).
MEAN, COV = np.array([0.1, -0.4]), np.array([[2.0, 0.3], [0.3, 1.0]])
POINTS_2D = np.array([[0.3, 0.4], [-1.2, 0.5], [2.0, -0.7]])
ALPHA = np.array([0.7, 2.0, 3.5])
SIMPLEX = np.array([[0.2, 0.3, 0.5], [0.1, 0.6, 0.3], [0.45, 0.45, 0.1]]).T
P3 = np.array([0.2, 0.3, 0.5])
COUNTS = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 6.0], [2.0, 2.0, 2.0]])
#: Arguments in which JAX's log-density raises in jax.grad: the Gumbel laws' scale (its
#: xlogy(−1, scale) gives the integer −1 a float0 tangent); test_scipy_stats_more compares them
#: with JAX's formula written out.
JAX_RAISES = {"gumbel_l": {2}, "gumbel_r": {2}}


def calls(dist: str, fn: str) -> dict[str, tuple]:
    """The arguments of ``dist.fn`` to compare, by kind of input: x (k, q) a Python float, a 0-d
    and a 1-d float64 array and a float32 scalar, then the parameters as Python floats; k a Python
    int and an int64 array for a discrete distribution's pmf and cdf; a point and points of the
    Dirichlet, of a normal in two dimensions and of a multinomial (and its integer counts).
    Empty for a distribution without parameters in :data:`PARAMETERS`."""
    if dist == "multinomial":
        return {
            "point": (COUNTS[0], 6, P3),
            "points": (COUNTS, 6, P3),
            "int": (COUNTS[0].astype(np.int64), 6, P3),
            "float32": (COUNTS[0].astype(np.int64), 6, P3.astype(np.float32)),
        }
    if dist == "dirichlet":
        return {
            "point": (SIMPLEX[:, 0], ALPHA),
            "points": (SIMPLEX, ALPHA),
            "float32": (SIMPLEX[:, 0].astype(np.float32), ALPHA.astype(np.float32)),
        }
    if dist not in PARAMETERS:
        return {}
    params = PARAMETERS[dist]
    values = Q if fn in QUANTILES else K if dist in DISCRETE else X
    out = {
        "float": (float(values[1]), *params),
        "0-d": (np.array(values[1]), *params),
        "1-d": (values, *params),
        "float32": (np.float32(values[1]), *params),
    }
    if dist in DISCRETE and fn not in QUANTILES:
        out |= {"int": (int(values[1]), *params), "int 1-d": (values.astype(np.int64), *params)}
    if dist == "multivariate_normal":
        out |= {"point": (POINTS_2D[0], MEAN, COV), "points": (POINTS_2D, MEAN, COV)}
        # A Python-float mean and cov are float64 arrays by then (SciPy's float64 too): a float32
        # program passes float32 arrays.
        out["float32"] = tuple(a.astype(np.float32) for a in (POINTS_2D, MEAN, COV))
    return out


CASES = [(d, f, kind) for d, fns in FUNCTIONS.items() for f in fns for kind in calls(d, f)]


def _defined_in(module: ModuleType) -> set[str]:
    """The public functions a distribution's module defines (not those it imports): named
    without ``_``, callable, neither a module nor a class, from the stats package (the module or
    the factories of ``_common``), and none of ``_common``'s own helpers."""
    return {
        name
        for name, obj in vars(module).items()
        if not name.startswith("_")
        and callable(obj)
        and not inspect.ismodule(obj)
        and not inspect.isclass(obj)
        and getattr(obj, "__module__", "").startswith("admodes.scipy.stats")
        and name not in vars(_common)
    }


@pytest.mark.parametrize("dist", sorted(FUNCTIONS))
def test_every_public_function_is_listed_and_has_arguments(dist: str) -> None:
    """Every function a module defines is in its ``__all__`` (which the modules export with
    SciPy's types and this file tests), every listed one exists, and each has calls here."""
    module = getattr(stats, dist)
    assert _defined_in(module) == set(module.__all__)
    for fn in module.__all__:
        assert callable(getattr(module, fn)), f"{dist}.{fn}"
        assert calls(dist, fn), f"no representative arguments for {dist}.{fn}"


def _numpy_scalar_or_array(value: Any) -> str:
    """Which of SciPy's kinds of result ``value`` is: a NumPy scalar, an array, or neither."""
    if isinstance(value, np.generic):
        return "NumPy scalar"
    return "array" if isinstance(value, np.ndarray) else type(value).__name__


@pytest.mark.parametrize(("dist", "fn", "kind"), CASES, ids=lambda v: str(v))
def test_type_shape_dtype_and_value_are_scipys(dist: str, fn: str, kind: str) -> None:
    args = calls(dist, fn)[kind]
    with np.errstate(all="ignore"):
        ours = getattr(getattr(stats, dist), fn)(*args)
        theirs = getattr(getattr(ss, dist), fn)(*args)
    if dist == "multinomial":  # SciPy's logpmf of one point: a 0-d array (its pmf: the scalar)
        theirs = theirs[()]
    assert np.shape(ours) == np.shape(theirs)
    if kind == "float32":
        assert _numpy_scalar_or_array(ours) == _numpy_scalar_or_array(theirs)
        assert ours.dtype == jnp.result_type(*args)
        np.testing.assert_allclose(ours, theirs, rtol=RTOL_F32)
        return
    assert type(ours) is type(theirs)
    assert getattr(ours, "dtype", None) == theirs.dtype
    np.testing.assert_allclose(ours, theirs, rtol=1e-12)


def _log_density(dist: str) -> str:
    """The distribution's log-density: logpdf, or logpmf for a discrete one."""
    return "logpmf" if "logpmf" in FUNCTIONS[dist] else "logpdf"


@pytest.mark.parametrize("dist", sorted(FUNCTIONS))
def test_log_density_gradients_are_jaxs(dist: str) -> None:
    """The log-density's value and its gradient in every continuous argument (a discrete one's
    parameters, not k; the multinomial's p, at one point of integer counts, as JAX's takes them)
    by both modes, as ``jax.grad`` of ``jax.scipy.stats``' own."""
    fn = _log_density(dist)
    if dist == "multinomial":
        args, argnums = calls(dist, fn)["int"], (2,)
    else:
        points = dist in ("dirichlet", "multivariate_normal")
        args = calls(dist, fn)["points" if points else "1-d"]
        first = 1 if dist in DISCRETE else 0
        argnums = tuple(i for i in range(first, len(args)) if i not in JAX_RAISES.get(dist, ()))
    pair = (getattr(getattr(stats, dist), fn), getattr(getattr(jss, dist), fn))
    assert_gradients_match_jax([pair], args, argnums, per_mode=False)
