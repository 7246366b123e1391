"""``admodes.scipy.stats``: SciPy's distributions as namespaces of functions, differentiable by
both engines in every continuous argument (the observation, shapes, ``loc`` and ``scale``).

Each module has SciPy's signatures and values (``-inf`` log-density outside the support, nan for
a scale ≤ 0 or a probability outside [0, 1]) and JAX's formulas (``jax.scipy.stats``), with the
functions JAX has: ``norm`` (logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf), ``t`` (logpdf, pdf),
``gamma`` and ``chi2`` (logpdf, pdf, cdf, logcdf, sf, logsf), ``beta`` (the same; its cdf family
is differentiable in x only, as JAX), ``expon`` (logpdf, pdf, cdf, logcdf, sf, logsf, ppf),
``uniform`` (logpdf, pdf, cdf, ppf), ``laplace`` (logpdf, pdf, cdf), ``cauchy`` (logpdf, pdf,
cdf, logcdf, sf, logsf, ppf, isf), ``logistic`` (logpdf, pdf, cdf, sf, ppf, isf), ``poisson``
(logpmf, pmf, cdf; in mu), ``bernoulli`` (logpmf, pmf, cdf, ppf; in p), ``binom`` (logpmf, pmf;
in p and n), ``dirichlet`` and ``multivariate_normal`` (logpdf, pdf).

Plain (untraced) arguments give SciPy's types: a NumPy scalar where SciPy returns one (not a
Python float, not JAX's 0-d array), an array of SciPy's shape otherwise; a float32 x keeps
float32, as JAX's promotion (SciPy computes in float64). Traced results are left as they are.
"""

from admodes.scipy.stats import (
    bernoulli,
    beta,
    binom,
    cauchy,
    chi2,
    dirichlet,
    expon,
    gamma,
    laplace,
    logistic,
    multivariate_normal,
    norm,
    poisson,
    t,
    uniform,
)

__all__ = ["bernoulli", "beta", "binom", "cauchy", "chi2", "dirichlet", "expon", "gamma", "laplace",
           "logistic", "multivariate_normal", "norm", "poisson", "t", "uniform"]  # fmt: skip
