"""``admodes.scipy.stats``: SciPy's distributions as namespaces of functions, differentiable by
both engines in every continuous argument (the observation, shapes, ``loc`` and ``scale``).

Each module has SciPy's signatures and values (``-inf`` log-density outside the support) and
JAX's formulas (``jax.scipy.stats``): ``norm`` (logpdf, pdf, cdf, logcdf, sf, logsf, ppf, isf),
``t`` (logpdf, pdf), ``gamma`` and ``chi2`` (logpdf, pdf, cdf, logcdf, sf, logsf), ``beta``
(the same; its cdf family is differentiable in x only, as JAX), ``poisson`` (logpmf, pmf, cdf;
in mu), ``dirichlet`` and ``multivariate_normal`` (logpdf, pdf).
"""

from admodes.scipy.stats import beta, chi2, dirichlet, gamma, multivariate_normal, norm, poisson, t

__all__ = ["beta", "chi2", "dirichlet", "gamma", "multivariate_normal", "norm", "poisson", "t"]
