"""``admodes.scipy.stats``: SciPy's distributions as namespaces of functions, differentiable by
both engines in every continuous argument (the observation, shapes, ``loc`` and ``scale``).

Each module has SciPy's signatures and values (``-inf`` log-density outside the support, nan for
a scale ≤ 0 or a probability outside [0, 1]) and JAX's formulas (``jax.scipy.stats``), with the
functions JAX has: ``norm`` (logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf), ``t`` (logpdf, pdf),
``gamma``, ``chi2`` and ``truncnorm`` (logpdf, pdf, cdf, logcdf, sf, logsf), ``beta`` (the same;
its cdf family is differentiable in x only, as JAX), ``expon``, ``pareto``, ``gumbel_r`` and
``gumbel_l`` (logpdf, pdf, cdf, logcdf, sf, logsf, ppf), ``uniform`` (logpdf, pdf, cdf, ppf),
``laplace`` and ``gennorm`` (logpdf, pdf, cdf), ``cauchy`` (logpdf, pdf, cdf, logcdf, sf, logsf,
ppf, isf), ``logistic`` (logpdf, pdf, cdf, sf, ppf, isf), ``vonmises`` and ``wrapcauchy``
(logpdf, pdf), ``poisson`` (logpmf, pmf, cdf; in mu), ``bernoulli`` (logpmf, pmf, cdf, ppf; in
p), ``geom`` (logpmf, pmf; in p), ``binom`` and ``nbinom`` (logpmf, pmf; in p and n),
``betabinom`` (logpmf, pmf; in n, a and b), ``multinomial`` (logpmf, pmf; in p), ``dirichlet``
and ``multivariate_normal`` (logpdf, pdf); ``sem``, the standard error of the mean of a
sample, ``mode`` (derivative: to the modal entry) and ``rankdata`` (constant ranks); and
``gaussian_kde``, the Gaussian kernel density estimate (a class, built inside the function that
is differentiated).

Plain (untraced) arguments give SciPy's types: a NumPy scalar where SciPy returns one (not a
Python float, not JAX's 0-d array), an array of SciPy's shape otherwise; a float32 x keeps
float32, as JAX's promotion (SciPy computes in float64). Traced results are left as they are.
"""

from admodes.scipy.stats import (
    bernoulli,
    beta,
    betabinom,
    binom,
    cauchy,
    chi2,
    dirichlet,
    expon,
    gamma,
    gennorm,
    geom,
    gumbel_l,
    gumbel_r,
    laplace,
    logistic,
    multinomial,
    multivariate_normal,
    nbinom,
    norm,
    pareto,
    poisson,
    t,
    truncnorm,
    uniform,
    vonmises,
    wrapcauchy,
)
from admodes.scipy.stats._kde import gaussian_kde
from admodes.scipy.stats._summary import mode, rankdata, sem

__all__ = ["bernoulli", "beta", "betabinom", "binom", "cauchy", "chi2", "dirichlet", "expon",
           "gamma", "gaussian_kde", "gennorm", "geom", "gumbel_l", "gumbel_r", "laplace",
           "logistic", "mode", "multinomial", "multivariate_normal", "nbinom", "norm", "pareto",
           "poisson", "rankdata", "sem", "t", "truncnorm", "uniform", "vonmises",
           "wrapcauchy"]  # fmt: skip
