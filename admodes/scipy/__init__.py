"""``admodes.scipy``: SciPy's functions, differentiable by both engines (``pip install
admodes[scipy]``).

``special`` (error and gamma functions, incomplete gamma, Bessel, ``xlogy``, ``rel_entr``,
``kl_div``, ``multigammaln``, ``logsumexp``, softmax), ``stats`` (``norm``, ``t``, ``gamma``,
``beta``, ``chi2``, ``expon``, ``uniform``, ``laplace``, ``cauchy``, ``logistic``, ``poisson``,
``bernoulli``, ``binom``, ``dirichlet``, ``multivariate_normal``), ``linalg`` (solves, ``inv``,
``det``, the LU, Cholesky, QR, eigh and SVD decompositions, ``block_diag``, ``expm``) and
``signal`` (``convolve``, ``correlate``). Names, signatures and values are SciPy's;
derivatives follow JAX's ``jax.scipy`` wherever SciPy has no say. Real values only.
"""

try:
    import scipy  # noqa: F401
except ImportError as missing:
    raise ImportError(
        "admodes.scipy needs SciPy, which is not installed: install the extra with "
        "`pip install admodes[scipy]` (or `pip install scipy`)"
    ) from missing

from admodes.scipy import linalg, signal, special, stats

__all__ = ["linalg", "signal", "special", "stats"]
