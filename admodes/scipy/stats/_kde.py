"""``gaussian_kde``: SciPy's Gaussian kernel density estimate, as ``jax.scipy.stats`` has it,
differentiable by both engines in the dataset, the weights, a scalar bandwidth and every
argument of its methods.

The estimate is the mixture f(p) = Σᵢ wᵢ N(p; xᵢ, S) of normals centred on the data points xᵢ
(the columns of the d × n dataset), with the normalized weights wᵢ and S the data's weighted
covariance times factor², the bandwidth factor. Every method but ``integrate_box_1d`` is such a
mixture evaluated at points: the density at the points asked (``evaluate``); its integral
against a normal N(μ, C), the mixture with S + C at μ (``integrate_gaussian``); the integral of
the product of two estimates, the mixture with S₁ + S₂ at the other's points, weighted by its
weights (``integrate_kde``). The normals' densities come from the upper Cholesky factor U of
their covariance (UᵀU): log N(p; x, S) = −½‖U⁻ᵀ(p − x)‖² − Σ log Uₖₖ − (d/2) log 2π.

The estimate is not a pytree: build it inside the function you differentiate. ``resample`` draws
random numbers and is left out; ``integrate_box`` (in more than one dimension) is left out, as
in JAX.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import admodes.numpy as anp
from admodes.core import TRACED_TYPES, dtype_of, ndim, plain, shape
from admodes.numpy.linalg import solve_triangular
from admodes.scipy.linalg import cho_factor
from admodes.scipy.special import logsumexp, ndtr
from admodes.scipy.stats._common import in_promoted_dtype, scipy_value

__all__ = ["gaussian_kde"]

#: SciPy's bandwidth rules, by name.
_RULES = ("scott", "silverman")


def _upper_cholesky(covariance: Any) -> Any:
    """U with covariance = UᵀU (SciPy's and JAX's ``cho_factor``, reading the upper triangle);
    a covariance that is not positive definite raises SciPy's error."""
    try:
        return cho_factor(covariance)[0]
    except np.linalg.LinAlgError as singular:
        raise np.linalg.LinAlgError(
            "The data appears to lie in a lower-dimensional subspace of the space in which it is "
            "expressed. This has resulted in a singular data covariance matrix, which cannot be "
            "treated using the algorithms implemented in `gaussian_kde`. Consider performing "
            "principal component analysis / dimensionality reduction and using `gaussian_kde` "
            "with the transformed data."
        ) from singular


def _log_normals(upper: Any, centres: Any, points: Any) -> Any:
    """log N(pⱼ; xᵢ, UᵀU) for every point pⱼ (a column of the d × m ``points``) and centre xᵢ
    (of the d × n ``centres``), an m × n array: −½‖U⁻ᵀpⱼ − U⁻ᵀxᵢ‖² − Σₖ log Uₖₖ − (d/2) log 2π,
    the points and the centres whitened apart."""
    d = shape(upper)[0]
    whitened_centres = solve_triangular(upper, centres, trans="T")
    whitened_points = solve_triangular(upper, points, trans="T")
    gaps = whitened_points[:, :, None] - whitened_centres[:, None, :]
    log_norm = -anp.sum(anp.log(anp.diagonal(upper))) - 0.5 * d * np.log(2 * np.pi)
    return -0.5 * anp.sum(gaps * gaps, axis=0) + log_norm


def _mixture(upper: Any, centres: Any, weights: Any, points: Any) -> Any:
    """Σᵢ wᵢ N(pⱼ; xᵢ, UᵀU) at every point pⱼ: the density of the mixture, a vector of m."""
    return anp.exp(_log_normals(upper, centres, points)) @ weights


def _real(x: Any, what: str) -> Any:
    """x as an array, refused if complex (as JAX's)."""
    x = anp.asarray(x)
    if dtype_of(x).kind == "c":
        raise NotImplementedError(f"gaussian_kde does not support complex {what}")
    return x


def _checked_bandwidth(bw_method: Any) -> Any:
    """``bw_method``, one of SciPy's: "scott", "silverman", a number (a Python or NumPy scalar,
    a 0-d traced value) or a callable."""
    if isinstance(bw_method, str):
        valid = bw_method in _RULES
    elif type(bw_method) in TRACED_TYPES:
        valid = ndim(bw_method) == 0
    else:
        valid = np.isscalar(bw_method) or callable(bw_method)
    if not valid:
        raise ValueError(
            f"`bw_method` should be 'scott', 'silverman', a scalar or a callable; got {bw_method!r}"
        )
    return bw_method


class gaussian_kde:
    """The Gaussian kernel density estimate of ``dataset`` (d × n, or n values for d = 1): SciPy's
    construction, with ``bw_method`` "scott" (the default), "silverman", a scalar (the factor)
    or a callable of the estimate returning the factor, and optional ``weights`` (one per
    point, normalized to sum 1)."""

    def __init__(self, dataset: Any, bw_method: Any = None, weights: Any = None) -> None:
        dataset = anp.atleast_2d(_real(dataset, "data"))
        if ndim(dataset) > 2:
            raise ValueError(
                f"`dataset` should be n values or d × n (a point per column); got shape "
                f"{shape(dataset)}"
            )
        if np.size(plain(dataset)) <= 1:
            raise ValueError("`dataset` input should have multiple elements.")
        self.d, self.n = shape(dataset)
        if weights is None:
            self.dataset = in_promoted_dtype(dataset, dataset)
            weights = np.full(self.n, 1 / self.n, dtype=dtype_of(self.dataset))
        else:
            weights = anp.atleast_1d(_real(weights, "weights"))
            self.dataset = in_promoted_dtype(dataset, dataset, weights)
            weights = in_promoted_dtype(weights, dataset, weights)
            self._check_weights(weights)
        self.weights = weights / anp.sum(weights)
        self.neff = 1 / anp.sum(self.weights**2)
        if self.d > self.n:
            raise ValueError(
                "Number of dimensions is greater than number of samples. This results in a "
                "singular data covariance matrix, which cannot be treated using the algorithms "
                "implemented in `gaussian_kde`. Note that `gaussian_kde` interprets each "
                "*column* of `dataset` to be a point; consider transposing the input to "
                "`dataset`."
            )
        self._bw_method: Any = "scott"
        self.set_bandwidth(bw_method)

    def _check_weights(self, weights: Any) -> None:
        """Weights one per point, none negative, not all 0 (SciPy's checks, and NumPy's cov's)."""
        if ndim(weights) != 1:
            raise ValueError("`weights` input should be one-dimensional.")
        if shape(weights)[0] != self.n:
            raise ValueError("`weights` input should be of length n")
        values = plain(weights)
        if np.any(values < 0) or not np.sum(values) > 0:
            raise ValueError("`weights` must be nonnegative, with a positive sum")

    def scotts_factor(self) -> Any:
        """Scott's bandwidth factor, neff^(−1/(d + 4))."""
        return self.neff ** (-1.0 / (self.d + 4))

    def silverman_factor(self) -> Any:
        """Silverman's bandwidth factor, (neff (d + 2)/4)^(−1/(d + 4))."""
        return (self.neff * (self.d + 2.0) / 4.0) ** (-1.0 / (self.d + 4))

    def set_bandwidth(self, bw_method: Any = None) -> None:
        """The bandwidth method (SciPy's: None keeps the current one, Scott's at construction),
        and from it the kernels' covariance S = cov(dataset, weights) · factor², with its
        Cholesky factor."""
        if bw_method is not None:
            self._bw_method = _checked_bandwidth(bw_method)
        self.factor = self.covariance_factor()
        data_covariance = anp.atleast_2d(anp.cov(self.dataset, aweights=self.weights))
        self.covariance = data_covariance * self.factor**2
        self._upper = _upper_cholesky(self.covariance)

    def covariance_factor(self) -> Any:
        """The bandwidth factor of the current method: Scott's or Silverman's, the scalar
        given, or the callable's value for this estimate."""
        method = self._bw_method
        if isinstance(method, str):
            return self.silverman_factor() if method == "silverman" else self.scotts_factor()
        return method(self) if callable(method) else method

    @property
    def inv_cov(self) -> Any:
        """S⁻¹, the inverse of the kernels' covariance."""
        return anp.linalg.inv(self.covariance)

    def _points(self, points: Any) -> Any:
        """The points as a d × m array (SciPy's reading: m values for d = 1; one point of d
        coordinates as a vector)."""
        points = anp.atleast_2d(_real(points, "coordinates"))
        rows, m = shape(points)
        if rows == self.d:
            return points
        if rows == 1 and m == self.d:
            return anp.reshape(points, (self.d, 1))
        raise ValueError(f"points have dimension {rows}, dataset has dimension {self.d}")

    def evaluate(self, points: Any) -> Any:
        """The density at each point, f(p) = Σᵢ wᵢ N(p; xᵢ, S)."""
        return _mixture(self._upper, self.dataset, self.weights, self._points(points))

    def __call__(self, points: Any) -> Any:
        """:meth:`evaluate`."""
        return self.evaluate(points)

    def pdf(self, points: Any) -> Any:
        """:meth:`evaluate`."""
        return self.evaluate(points)

    def logpdf(self, points: Any) -> Any:
        """log f(p) = logsumexpᵢ(log wᵢ + log N(p; xᵢ, S)), exact where f underflows."""
        log_normals = _log_normals(self._upper, self.dataset, self._points(points))
        return logsumexp(log_normals + anp.log(self.weights), axis=1)

    def integrate_gaussian(self, mean: Any, cov: Any) -> Any:
        """∫ f(p) N(p; μ, C) dp = Σᵢ wᵢ N(μ; xᵢ, S + C)."""
        mean = anp.atleast_1d(anp.squeeze(anp.asarray(mean)))
        cov = anp.atleast_2d(anp.asarray(cov))
        if shape(mean) != (self.d,):
            raise ValueError(f"mean does not have dimension {self.d}")
        if shape(cov) != (self.d, self.d):
            raise ValueError(f"covariance does not have dimension {self.d}")
        upper = cho_factor(self.covariance + cov)[0]
        centre = anp.reshape(mean, (self.d, 1))
        return scipy_value(_mixture(upper, self.dataset, self.weights, centre)[0])

    def integrate_box_1d(self, low: Any, high: Any) -> Any:
        """∫ f over [low, high] of a one-dimensional estimate: Σᵢ wᵢ (Φ((high − xᵢ)/σ) −
        Φ((low − xᵢ)/σ)), σ² = S."""
        if self.d != 1:
            raise ValueError("integrate_box_1d() only handles 1D pdfs")
        if ndim(low) != 0 or ndim(high) != 0:
            raise ValueError("the limits of integration in integrate_box_1d must be scalars")
        data, sigma = self.dataset[0], anp.sqrt(self.covariance[0, 0])
        mass = ndtr((high - data) / sigma) - ndtr((low - data) / sigma)
        return scipy_value(anp.sum(self.weights * mass))

    def integrate_kde(self, other: gaussian_kde) -> Any:
        """∫ f g of this estimate f and ``other``, g = Σⱼ vⱼ N(yⱼ, S'): Σⱼ vⱼ Σᵢ wᵢ N(yⱼ; xᵢ,
        S + S')."""
        if other.d != self.d:
            raise ValueError("KDEs are not the same dimensionality")
        upper = cho_factor(self.covariance + other.covariance)[0]
        at_other = _mixture(upper, self.dataset, self.weights, other.dataset)
        return scipy_value(anp.sum(at_other * other.weights))

    def resample(self, *args: Any, **kwargs: Any) -> Any:
        """Not implemented: random draws, which admodes does not make."""
        raise NotImplementedError(
            "gaussian_kde.resample draws random numbers, which admodes does not: draw the "
            "points with NumPy, i = rng.choice(kde.n, size, p=kde.weights) and "
            "kde.dataset[:, i] + rng.multivariate_normal(np.zeros(kde.d), kde.covariance, "
            "size).T, on plain values"
        )

    def integrate_box(self, *args: Any, **kwargs: Any) -> Any:
        """Not implemented, as in JAX: SciPy's integral over a box in d > 1 dimensions."""
        raise NotImplementedError(
            "gaussian_kde.integrate_box is not implemented (as in JAX): only one-dimensional "
            "integrals are, by integrate_box_1d"
        )
