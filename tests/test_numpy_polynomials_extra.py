"""``polyfit``, ``polydiv``, ``poly``, ``roots``, ``unwrap``, ``histogram2d`` and ``histogramdd``:
NumPy's values (value, dtype, shape) on plain inputs; ``jacfwd``, ``jacrev`` and ``grad`` by both
modes against JAX's derivatives (float64) on traced inputs; refusals of bad input, and a clear
error where JAX cannot differentiate either (the eigenvectors of a general matrix)."""

from __future__ import annotations

import functools
import warnings
import zlib
from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close, assert_exact, assert_jacobians, jax_compiled

import admodes as ad
import admodes.numpy as anp


def R(*shape: int, seed: str = "", lo: float | None = None) -> np.ndarray:
    """Standard normal float64 values (fixed seed per shape and tag); ``lo``: |x| + lo."""
    x = np.random.default_rng(zlib.crc32(f"{shape}{seed}".encode())).standard_normal(shape)
    return np.abs(x) + lo if lo is not None else x


X = np.linspace(-1.0, 1.5, 9)  # no sample at 0, where JAX's vander has a nan derivative
Y, Y2, W = R(9), R(9, 2), R(9, seed="w", lo=0.5)
U, V = R(6), R(3, seed="v")
ZEROS = R(4, seed="zeros")
PHASES = np.angle(np.exp(1j * np.cumsum(2 * R(3, 12), axis=1)))  # wrapped random walks
#: Steps of exactly ±π, 3π (the boundary NumPy and JAX send to +π) and a small one.
BOUNDARY = np.array([0.0, np.pi, 0.0, -np.pi, 3 * np.pi, 0.2])
HX, HY, HW = R(30, seed="hx"), R(30, seed="hy"), R(30, seed="hw", lo=0.1)
SAMPLE = R(30, 3, seed="sample")
EDGES = np.array([-2.0, -0.5, 0.0, 0.7, 3.0])


def _jax_rank(full: tuple) -> tuple:
    """polyfit(..., full=True)'s (p, residuals, rank, s, rcond), the rank an int64 as JAX's
    (NumPy's is an int32)."""
    p, residuals, rank, s, rcond = full
    return p, residuals, np.asarray(rank, np.int64), s, rcond


def _jax_complex(roots: Any) -> np.ndarray:
    """Roots as JAX's, complex whatever they are (NumPy's are real when every root is)."""
    return np.asarray(roots, np.result_type(roots, np.complex64))


# name: (fn(m), exact): NumPy's value, to the last bit where ``exact`` (in JAX's dtype: the
# rank of polyfit's full output, and roots).
VALUES: dict[str, tuple[Callable[[Any], Any], bool]] = {
    "polyfit": (lambda m: m.polyfit(X, Y, 3), False),
    "polyfit-columns": (lambda m: m.polyfit(X, Y2, 2), False),
    "polyfit-weights": (lambda m: m.polyfit(X, Y2, 3, w=W), False),
    "polyfit-full": (lambda m: _jax_rank(m.polyfit(X, Y, 3, full=True)), False),
    "polyfit-full-columns": (lambda m: _jax_rank(m.polyfit(X, Y2, 2, full=True, w=W)), False),
    "polyfit-truncated": (lambda m: _jax_rank(m.polyfit(X, Y, 3, rcond=0.2, full=True)), False),
    "polyfit-underdetermined": (lambda m: _jax_rank(m.polyfit(X[:3], Y[:3], 4, full=True)), False),
    "polyfit-cov": (lambda m: m.polyfit(X, Y, 3, cov=True), False),
    "polyfit-cov-columns": (lambda m: m.polyfit(X, Y2, 2, w=W, cov=True), False),
    "polyfit-cov-unscaled": (lambda m: m.polyfit(X, Y2, 2, cov="unscaled"), False),
    "polyfit-float32": (lambda m: m.polyfit(X.astype(np.float32), Y.astype(np.float32), 2), False),
    "polyfit-integers": (lambda m: m.polyfit(np.arange(6), np.arange(6) ** 2 - 3, 2), False),
    "polydiv": (lambda m: m.polydiv(U, V), False),
    "polydiv-exact": (lambda m: m.polydiv([1.0, 3.0, 3.0, 1.0], [1.0, 1.0]), True),
    "polydiv-shorter": (lambda m: m.polydiv(V, U), True),
    "polydiv-integers": (lambda m: m.polydiv(np.array([5, 7, 9]), np.array([4, 1])), True),
    "polydiv-float32": (lambda m: m.polydiv(U.astype(np.float32), V.astype(np.float32)), False),
    "poly": (lambda m: m.poly(ZEROS), True),
    "poly-integers": (lambda m: m.poly(np.array([1, 2, 3])), True),
    "poly-float32": (lambda m: m.poly(ZEROS.astype(np.float32)), True),
    "poly-conjugates": (lambda m: m.poly(np.array([2, 1 + 2j, 1 - 2j])), True),
    "poly-complex": (lambda m: m.poly(np.array([1 + 1j, 2.0])), True),
    "poly-none": (lambda m: m.poly(np.array([])), True),
    "poly-matrix": (lambda m: m.poly(np.array([[2.0, 1.0], [3.0, 4.0]])), True),
    "roots": (lambda m: _jax_complex(m.roots(np.array([1.0, -6.0, 11.0, -6.0]))), True),
    "roots-complex": (lambda m: _jax_complex(m.roots(np.array([1.0, 0.0, 1.0]))), True),
    "roots-zeros": (
        lambda m: _jax_complex(m.roots(np.array([0.0, 0.0, 1.0, 2.0, 0.0, 0.0]))),
        True,
    ),
    "roots-integers": (lambda m: _jax_complex(m.roots(np.array([2, -3, 1]))), True),
    "roots-constant": (lambda m: _jax_complex(m.roots(np.array([3.0]))), True),
    "unwrap": (lambda m: m.unwrap(PHASES), True),
    "unwrap-axis": (lambda m: m.unwrap(PHASES.T, axis=0), True),
    "unwrap-discont": (lambda m: m.unwrap(PHASES, 4.0), True),
    "unwrap-boundary": (lambda m: m.unwrap(BOUNDARY), True),
    "unwrap-degrees": (lambda m: m.unwrap(np.array([0, 350, 10, 340, 5]), period=360), True),
    "unwrap-odd-period": (lambda m: m.unwrap(np.array([0, 3, 6, 1, 4]), period=5), True),
    "unwrap-even-period": (lambda m: m.unwrap(np.array([0, 3, 6, 1, 4]), period=6), True),
    "unwrap-float32": (lambda m: m.unwrap(PHASES.astype(np.float32)), True),
    "unwrap-empty": (lambda m: m.unwrap(np.zeros((2, 0))), True),
    "histogram2d": (lambda m: m.histogram2d(HX, HY), True),
    "histogram2d-weights": (lambda m: m.histogram2d(HX, HY, (3, 4), weights=HW), False),
    "histogram2d-edges": (lambda m: m.histogram2d(HX, HY, EDGES), True),
    "histogram2d-lists": (lambda m: m.histogram2d(HX, HY, [[-2.0, 0, 2], [-1.0, 0, 1, 2]]), True),
    "histogram2d-mixed": (lambda m: m.histogram2d(HX, HY, [3, EDGES], density=True), False),
    "histogram2d-range": (
        lambda m: m.histogram2d(HX, HY, 3, [(-1, 1), None], density=True, weights=HW),
        False,
    ),
    "histogram2d-float32": (
        lambda m: m.histogram2d(*(v.astype(np.float32) for v in (HX, HY)), 3, weights=HW),
        False,
    ),
    "histogram2d-integers": (
        lambda m: m.histogram2d(np.round(3 * HX).astype(int), np.round(3 * HY).astype(int), 4),
        True,
    ),
    "histogramdd": (lambda m: m.histogramdd(SAMPLE, (2, 3, 4)), True),
    "histogramdd-density": (lambda m: m.histogramdd(SAMPLE, 3, density=True, weights=HW), False),
    "histogramdd-coordinates": (lambda m: m.histogramdd((HX, HY), 3), True),
    "histogramdd-one": (lambda m: m.histogramdd(HX, 4), True),
    "histogramdd-empty": (lambda m: m.histogramdd(np.zeros((0, 2)), 2), True),
    "histogramdd-equal": (lambda m: m.histogramdd(np.ones((4, 2)), 2), True),
    "histogramdd-nan-outside": (
        lambda m: m.histogramdd(np.where(SAMPLE > 1, np.nan, SAMPLE), 2, [(-1, 1)] * 3),
        True,
    ),
}


@pytest.mark.parametrize("name", VALUES)
def test_values_are_numpys(name: str) -> None:
    """Values, dtypes and shapes equal NumPy's: to the last bit where the computation is NumPy's
    own, to rounding for least squares (an SVD, not LAPACK's gelsd), for the remainders of long
    division and for weighted sums (NumPy's bincount adds in another order)."""
    fn, exact = VALUES[name]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.RankWarning)
        want, got = fn(np), fn(anp)
    assert_close(got, want)
    if exact:
        assert_exact(got, want)


# name: (fn(m, *args) -> one float array, args): every argument is differentiated.
DERIVATIVES: dict[str, tuple[Callable[..., Any], tuple]] = {
    "polyfit-full": (
        lambda m, x, y, w: _flat(m, m.polyfit(x, y, 3, w=w, full=True)[:4:2]),
        (X, Y, W),
    ),
    "polyfit-truncated": (lambda m, x, y: m.polyfit(x, y, 3, rcond=0.2), (X, Y)),
    "polyfit-cov": (lambda m, x, y, w: _flat(m, m.polyfit(x, y, 2, w=w, cov=True)), (X, Y2, W)),
    # JAX keeps the remainder's leading (zero) entries: the last two are NumPy's remainder
    "polydiv": (
        lambda m, u, v: (lambda q, r: m.concatenate([q, r[-2:]]))(*m.polydiv(u, v)),
        (U, V),
    ),
    "poly": (lambda m, z: m.poly(z), (ZEROS,)),
    "unwrap": (
        lambda m, p, b: m.concatenate([m.ravel(m.unwrap(p, 2.0, axis=0)), m.unwrap(b)]),
        (PHASES.T, BOUNDARY),
    ),
    "unwrap-period": (lambda m, p, period: m.unwrap(p, period=period), (2.0 * PHASES[0], 4.0)),
    "histogram2d-weights": (
        lambda m, x, y, w: _flat(m, m.histogram2d(x, y, (3, 4), weights=w)),
        (HX, HY, HW),
    ),
    "histogram2d-range": (
        lambda m, x, y, w, r: _flat(m, m.histogram2d(x, y, 3, [r, None], density=True, weights=w)),
        (HX, HY, HW, np.array([-1.0, 1.0])),
    ),
    "histogram2d-edges": (
        lambda m, x, y, e: _flat(m, m.histogram2d(x, y, [e, 3], density=True)),
        (HX, HY, EDGES),
    ),
    "histogramdd": (
        lambda m, s, w: _flat(m, m.histogramdd(s, (2, 3, 2), density=True, weights=w)),
        (SAMPLE, HW),
    ),
}


def _flat(m: Any, out: tuple) -> Any:
    """The arrays of a (nested) tuple of outputs, flattened and joined, as floats."""
    leaves = [v for o in out for v in (o if isinstance(o, list | tuple) else (o,))]
    return m.concatenate([m.ravel(m.asarray(v, float)) for v in leaves])


@pytest.mark.parametrize("name", DERIVATIVES)
@pytest.mark.filterwarnings("ignore::numpy.exceptions.RankWarning")  # polyfit-truncated
def test_derivatives_are_jaxs(name: str) -> None:
    """jacfwd and jacrev equal JAX's Jacobian; grad of a weighted sum of the output by both
    modes equals it contracted with the weights; the value under tracing is the plain one."""
    fn, args = DERIVATIVES[name]
    argnums = tuple(range(len(args)))
    want = jax_compiled(jax.jacrev(functools.partial(fn, JNP), argnums), *args)
    assert_jacobians(functools.partial(fn, anp), args, want)


def test_poly_of_complex_zeros_is_holomorphic_as_jaxs() -> None:
    """Complex zeros that are not conjugate pairs keep complex coefficients, whose derivative in
    the zeros is JAX's holomorphic one."""
    z = np.array([1.0 + 1.0j, 2.0 - 0.5j, 0.3j])
    want = jax_compiled(jax.jacfwd(JNP.poly, holomorphic=True), z)
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(transform(anp.poly, holomorphic=True)(z), want)


def test_roots_without_stripping_mark_lost_roots_with_nan_as_jax() -> None:
    """``strip_zeros=False``: NumPy's roots, then a NaN for each root a leading zero takes away
    (as many as JAX's), always len(p) − 1 of them."""
    p = np.array([0.0, 0.0, 1.0, 2.0, 0.0, 0.0])
    got = anp.roots(p, strip_zeros=False)
    assert got.shape == (5,)
    assert_exact(got[:3], np.roots(p))
    assert np.isnan(got[3:]).all()
    assert np.isnan(jax_compiled(functools.partial(JNP.roots, strip_zeros=False), p)).sum() == 2
    assert_exact(anp.roots(np.zeros(3), strip_zeros=False), np.full(2, np.nan))


def _by_value(roots: np.ndarray, *blocks: np.ndarray) -> tuple:
    """Roots (complex) and their Jacobian blocks in the order of their real, then imaginary
    parts: NumPy's and JAX's eigenvalue routines list them in different orders."""
    roots = np.asarray(roots, complex)
    order = np.lexsort((roots.imag, roots.real))
    return roots[order], *(np.asarray(b, complex)[order] for b in blocks)


@pytest.mark.parametrize(
    "p",
    [np.array([1.0, -6.0, 11.0, -6.0]), np.array([2.0, 0.5, 1.0, -0.3]), np.array([1.0, 0.0, 4.0])],
)
def test_roots_differentiate_as_jaxs(p: np.ndarray) -> None:
    """The roots' derivatives in the coefficients, through the companion matrix's eigenvalues,
    are JAX's (real roots, and complex pairs of a real polynomial)."""
    jax_roots = jax_compiled(functools.partial(JNP.roots, strip_zeros=False), p)
    jax_jac = jax_compiled(jax.jacfwd(functools.partial(JNP.roots, strip_zeros=False)), p)
    want = _by_value(jax_roots, jax_jac)
    parts = lambda p: anp.stack([anp.real(anp.roots(p)), anp.imag(anp.roots(p))])
    for transform in (ad.jacfwd, ad.jacrev):  # jacrev differentiates real outputs only
        real_part, imag_part = transform(parts)(p)
        assert_close(_by_value(anp.roots(p), real_part + 1j * imag_part), want)


def test_poly_of_a_matrix_differentiates_as_jaxs() -> None:
    """The characteristic polynomial of a matrix, through its eigenvalues (a complex pair here):
    JAX's derivative (real, as NumPy's coefficients are)."""
    a = np.array([[0.6, 0.2, 0.1], [0.5, 0.7, 0.3], [0.1, -0.9, 0.8]])
    want = np.real(jax_compiled(jax.jacfwd(JNP.poly), a))
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(transform(anp.poly)(a), want)


def test_eigenvectors_of_a_general_matrix_refuse_to_differentiate_as_jax() -> None:
    a = np.array([[0.6, 0.2], [0.5, 0.7]])
    with pytest.raises(NotImplementedError, match="eigenvectors of a non-symmetric matrix cannot"):
        ad.grad(lambda a: anp.sum(anp.linalg.eig(a).eigenvectors))(a)
    with pytest.raises(NotImplementedError, match="eigenvectors of a non-symmetric matrix cannot"):
        ad.hessian(lambda a: anp.real(anp.sum(anp.linalg.eigvals(a))))(a)


def test_polyfit_warns_of_rank_deficiency_as_numpy() -> None:
    with pytest.warns(np.exceptions.RankWarning, match="poorly conditioned"):
        anp.polyfit(X[:3], Y[:3], 4)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        anp.polyfit(X[:3], Y[:3], 4, full=True)  # NumPy's full output reports the rank instead
        anp.polyfit(X, Y, 3)


def test_np_functions_of_traced_values_reach_admodes() -> None:
    """``np.polyfit``, ``np.polydiv``, ``np.poly``, ``np.unwrap``, ``np.histogram2d`` and
    ``np.histogramdd`` on traced values reach ``admodes.numpy``'s."""
    pairs = [
        (lambda y: np.polyfit(X, y, 2), lambda y: anp.polyfit(X, y, 2)),
        (lambda y: np.polydiv(y, V)[0], lambda y: anp.polydiv(y, V)[0]),
        (np.poly, anp.poly),
        (np.unwrap, anp.unwrap),
        (
            lambda w: np.histogram2d(X, Y, 2, weights=w)[0],
            lambda w: anp.histogram2d(X, Y, 2, weights=w)[0],
        ),
        (
            lambda w: np.histogramdd(np.c_[X, Y], 2, weights=w)[0],
            lambda w: anp.histogramdd(np.c_[X, Y], 2, weights=w)[0],
        ),
    ]
    for through_numpy, direct in pairs:
        assert_exact(ad.jacrev(through_numpy)(W), ad.jacrev(direct)(W))


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (lambda: anp.polyfit(X, Y, -1), ValueError, "non-negative integer"),
        (lambda: anp.polyfit(X, Y, 2.5), ValueError, "non-negative integer"),
        (lambda: anp.polyfit(np.ones((3, 3)), Y[:3], 1), TypeError, "1-D vector"),
        (lambda: anp.polyfit(X[:0], Y[:0], 1), TypeError, "non-empty"),
        (lambda: anp.polyfit(X, Y[:4], 1), TypeError, "x's length 9"),
        (lambda: anp.polyfit(X, np.ones((9, 1, 1)), 1), TypeError, "1-D or 2-D"),
        (lambda: anp.polyfit(X, Y, 1, w=W[:3]), TypeError, "y's length 9"),
        (lambda: anp.polyfit(X[:4], Y[:4], 3, cov=True), ValueError, "must exceed order"),
        (lambda: anp.polyfit(X, Y, 3, rcond=0.2, cov=True), ValueError, "rank 3 < deg"),
        (lambda: anp.polydiv(U, np.array([0.0, 1.0])), ValueError, "leading coefficient"),
        (lambda: anp.polydiv(np.ones((2, 2)), V), ValueError, "1-D coefficient"),
        (lambda: anp.polydiv(U[:0], V), ValueError, "non-empty"),
        (lambda: anp.poly(np.ones((2, 3))), ValueError, "square 2d"),
        (lambda: anp.roots(np.ones((2, 2))), ValueError, "1-D array"),
        (lambda: anp.unwrap(np.ones(3) * 1j), TypeError, "real phases"),
        (lambda: anp.histogram2d(HX, HY[:3]), ValueError, "same length"),
        (lambda: anp.histogramdd(SAMPLE, "auto"), TypeError, "for histogram"),
        (lambda: anp.histogramdd(SAMPLE, [2, 3]), ValueError, "2 bins for 3-dimensional"),
        (lambda: anp.histogramdd(SAMPLE, 2, range=[(0, 1)]), ValueError, "one \\(lo, hi\\)"),
        (lambda: anp.histogramdd(SAMPLE, 2, weights=HW[:3]), ValueError, "weights must have"),
        (lambda: anp.histogramdd(SAMPLE, 2, weights=1j * HW), TypeError, "must be real"),
        (lambda: anp.histogramdd(SAMPLE, [EDGES[::-1], 2, 2]), ValueError, "monotonically"),
        (lambda: anp.histogramdd(SAMPLE, 0), ValueError, "positive integer"),
        (lambda: anp.histogramdd(np.array([[np.nan, 1.0]]), 2), ValueError, "not finite"),
    ],
)
def test_bad_input_is_refused(call: Callable[[], Any], error: type, match: str) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", np.exceptions.RankWarning)  # a rank-3 fit of degree 3
        with pytest.raises(error, match=match):
            call()


@pytest.mark.parametrize("mode", MODES)
def test_polymul_trims_leading_zeros_as_jax(mode: str) -> None:
    """trim_leading_zeros drops each factor's leading zeros (JAX decides on the values, so its
    reference runs eagerly); a factor of zeros only becomes [0]; the derivative is JAX's."""
    pairs = [
        ([0.0, 0.0, 0.7, -1.2], [0.0, 0.4, 1.5]),
        ([0.0, 0.0], [0.0, 3.0]),
        ([2.0], [0.0, 5.0]),
    ]
    for a, b in (tuple(np.array(v) for v in pair) for pair in pairs):
        for trim in (False, True):
            got = anp.polymul(a, b, trim_leading_zeros=trim)
            assert_exact(got, np.asarray(JNP.polymul(a, b, trim_leading_zeros=trim)))
    a, b = (np.array(v) for v in pairs[0])
    weights = np.array([0.3, -1.1, 2.0])

    def weighted(m: Any) -> Callable[..., Any]:
        return lambda a, b: m.sum(m.polymul(a, b, trim_leading_zeros=True) * weights)

    assert_close(
        ad.grad(weighted(anp), argnums=(0, 1), mode=mode)(a, b),
        jax.grad(weighted(JNP), argnums=(0, 1))(a, b),
    )
