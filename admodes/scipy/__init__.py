"""``admodes.scipy``: SciPy's functions, differentiable by both engines (``pip install
admodes[scipy]``).

``special`` (error and gamma functions, incomplete gamma, Bessel, ``xlogy``, ``rel_entr``,
``kl_div``, ``multigammaln``, ``logsumexp``, softmax), ``stats`` (``norm``, ``t``, ``gamma``,
``beta``, ``chi2``, ``expon``, ``uniform``, ``laplace``, ``cauchy``, ``logistic``, ``pareto``,
``gumbel_r``, ``gumbel_l``, ``gennorm``, ``truncnorm``, ``vonmises``, ``wrapcauchy``,
``poisson``, ``bernoulli``, ``binom``, ``geom``, ``nbinom``, ``betabinom``, ``multinomial``,
``dirichlet``, ``multivariate_normal``; ``sem``, ``mode``, ``rankdata``, ``gaussian_kde``),
``linalg`` (solves, ``inv``, ``det``, the LU, Cholesky, QR, eigh, SVD, polar and Schur
decompositions, ``block_diag``, ``expm``, ``solve_sylvester``, matrix functions and SciPy's
special matrices),
``signal`` (``convolve``, ``correlate``, ``convolve2d``, ``correlate2d``, ``fftconvolve``,
``detrend``, ``stft``, ``istft``, ``welch``, ``csd``), ``integrate`` (``trapezoid``),
``ndimage`` (``map_coordinates``, orders 0 and 1), ``interpolate``
(``RegularGridInterpolator``, linear and nearest), ``fft`` (``dct``, ``idct``, ``dctn``,
``idctn``, type 2), ``cluster`` (``vq.vq``) and ``optimize`` (``minimize``: JAX's BFGS). Names,
signatures and values are SciPy's (``optimize``'s are JAX's); derivatives follow JAX's
``jax.scipy`` wherever SciPy has no say. Real values only.
"""

try:
    import scipy  # noqa: F401
except ImportError as missing:
    raise ImportError(
        "admodes.scipy needs SciPy, which is not installed: install the extra with "
        "`pip install admodes[scipy]` (or `pip install scipy`)"
    ) from missing

from admodes.scipy import (
    cluster,
    fft,
    integrate,
    interpolate,
    linalg,
    ndimage,
    optimize,
    signal,
    sparse,
    special,
    stats,
)

__all__ = ["cluster", "fft", "integrate", "interpolate", "linalg", "ndimage", "optimize", "signal",
           "sparse", "special", "stats"]  # fmt: skip
