"""Choosing, compressing, functional writes (``put``, ``place``, ``fill_diagonal``), ``resize``,
``trim_zeros``, ``sort_complex``, the index tricks ``r_`` / ``c_`` and the mapping functions
(``vectorize``, ``apply_along_axis``, ``apply_over_axes``, ``fromfunction``): values, ``jacfwd``
and ``jacrev``, and ``grad`` by both modes against JAX (float64, one compiled program for every
case); NumPy's values (dtype and shape too) on plain inputs; and the errors for bad input."""

from __future__ import annotations

import functools
import math
import zlib
from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close, assert_exact

import admodes as ad
import admodes.numpy as anp


def R(*shape: int, seed: str = "") -> np.ndarray:
    """Standard normal float64 values (fixed seed per shape and tag)."""
    return np.random.default_rng(zlib.crc32(f"{shape}{seed}".encode())).standard_normal(shape)


IDX = np.array([[0, 1, 2, 0], [2, 1, 0, 1], [1, 1, 1, 2]])
MASK = R(3, 4, seed="mask") > 0
#: Zeros at both ends and one inside; rows and columns of zeros around a 2-D block.
WITH_ZEROS = np.array([0.0, 0.0, 0.7, -1.2, 0.0, 0.4, 0.0])
BOXED = np.pad(R(2, 3), ((1, 0), (1, 2)))
TIES = np.array([[0.3, -1.0, 0.3, 2.0], [1.5, 1.5, -0.5, 0.0]])


def _rowsum_max_first(m: Any, v: Any) -> Any:
    return m.stack([m.sum(v * v), m.max(v), v[0]])


def _min_max(m: Any, v: Any) -> Any:
    """A tuple: NumPy's ``apply_along_axis`` takes it as one array (JAX's needs an array)."""
    return (m.min(v), m.max(v)) if m is anp else m.stack([m.min(v), m.max(v)])


#: name -> (fn(m, *args), args[, JAX's equivalent of fn when JAX has no traceable version]).
#: Every float argument is differentiated.
CASES: dict[str, tuple] = {
    "choose-list-broadcast": (  # JAX's mode="raise" needs a concrete index, outside jit
        lambda m, x, y, z: m.choose(IDX, [x, y, z]),
        (R(3, 4), R(4), 0.5),
        lambda x, y, z: JNP.choose(IDX, [x, y, z], mode="clip"),
    ),
    "choose-array-wrap": (
        lambda m, c: m.choose(np.array([0, 3, -1, 1]), c, mode="wrap"),
        (R(3, 4),),
    ),
    "choose-clip": (
        lambda m, x, y: m.choose(np.array([[5], [-2]]), [x, y], mode="clip"),
        (R(3), R(2, 1)),
    ),
    # JAX's compress and extract need the result's size under jit
    "compress-axis": (
        lambda m, x: m.compress(np.array([1, 0, 1]), x, axis=1),
        (R(3, 4),),
        lambda x: JNP.compress(np.array([1, 0, 1]), x, axis=1, size=2),
    ),
    "compress-flat-long-condition": (
        lambda m, x: m.compress(np.array([0, 1, 1, 0, 1, 0, 0, 0]), x),
        (R(2, 3),),
        lambda x: JNP.compress(np.array([0, 1, 1, 0, 1, 0]), x, size=3),
    ),
    "extract": (
        lambda m, x: m.extract(MASK, x),
        (R(3, 4),),
        lambda x: JNP.extract(MASK, x, size=int(MASK.sum())),
    ),
    "place-cycled": (lambda m, x, v: m.place(x, MASK, v, inplace=False), (R(3, 4), R(2))),
    "put-repeated-negative": (
        lambda m, x, v: m.put(x, np.array([1, -1, 1, 5]), v, inplace=False),
        (R(3, 4), R(3)),
    ),
    "put-wrap": (
        lambda m, x, v: m.put(x, np.array([13, -14]), v, mode="wrap", inplace=False),
        (R(3, 4), R(2)),
    ),
    "put-clip": (
        lambda m, x, v: m.put(x, np.array([-3, 40]), v, mode="clip", inplace=False),
        (R(3, 4), R(2)),
    ),
    "fill_diagonal-tall-cycled": (
        lambda m, x, v: m.fill_diagonal(x, v, inplace=False),
        (R(5, 3), R(2)),
    ),
    "fill_diagonal-3d-scalar": (
        lambda m, x, s: m.fill_diagonal(x, s, inplace=False),
        (R(3, 3, 3), 0.25),
    ),
    "resize-grow": (lambda m, x: m.resize(x, (4, 4)), (R(2, 3),)),
    "resize-shrink": (lambda m, x: m.resize(x, 4), (R(2, 3),)),
    "trim_zeros": (lambda m, x: m.trim_zeros(x), (WITH_ZEROS,), lambda x: x[2:6]),
    "trim_zeros-front-axis": (
        lambda m, x: m.trim_zeros(x, "f", axis=1),
        (BOXED,),
        lambda x: x[:, 1:],
    ),
    "trim_zeros-box": (lambda m, x: m.trim_zeros(x), (BOXED,), lambda x: x[1:, 1:4]),
    "sort_complex-real-ties": (
        lambda m, x: m.real(m.sort_complex(x)) + 2.0 * m.imag(m.sort_complex(x)),
        (TIES,),
    ),
    "r_": (lambda m, x, s: m.r_[x, 0.5, s, 0:2, x * 2.0], (R(3), 0.75)),
    "r_-directive": (lambda m, x, y: m.r_["1,2,0", x, y], (R(3), R(3, 2))),
    "c_": (lambda m, x, y: m.c_[x, y, 0:3], (R(3), R(3, 2))),
    "vectorize-broadcast": (
        lambda m, x, y: m.vectorize(lambda a, b: m.sin(a) * b + a**2)(x, y),
        (R(3, 1), R(4)),
    ),
    "vectorize-signature": (
        lambda m, x, y: m.vectorize(lambda a, b: m.sum(a * b), signature="(n),(n)->()")(x, y),
        (R(2, 3, 4), R(4)),
    ),
    "vectorize-two-outputs": (
        lambda m, x: m.concatenate(
            [
                m.ravel(out)
                for out in m.vectorize(lambda a: (m.sum(a), a * m.max(a)), signature="(n)->(),(n)")(
                    x
                )
            ]
        ),
        (R(2, 3),),
    ),
    "vectorize-excluded": (
        lambda m, x, s: m.vectorize(lambda a, p, scale: a**p * scale, excluded={1, "scale"})(
            x, 2, scale=s
        ),
        (R(2, 3), 1.5),
    ),
    "apply_along_axis-vector": (
        lambda m, x: m.apply_along_axis(functools.partial(_rowsum_max_first, m), 1, x),
        (R(3, 4, 2),),
    ),
    "apply_along_axis-tuple": (
        lambda m, x: m.apply_along_axis(functools.partial(_min_max, m), 0, x),
        (R(3, 4),),
    ),
    "apply_along_axis-args": (
        lambda m, x: m.apply_along_axis(lambda v, p: m.sum(v**p), 0, x, 3),
        (R(3, 4),),
    ),
    "apply_over_axes": (lambda m, x: m.apply_over_axes(m.sum, x, [0, -1]), (R(2, 3, 4),)),
    "fromfunction-closure": (
        lambda m, w: m.fromfunction(lambda i, j: m.sin(w * i) + j * w, (2, 3)),
        (0.8,),
    ),
}


def _argnums(args: tuple) -> tuple[int, ...]:
    return tuple(range(len(args)))


def _jax_fn(name: str) -> Callable[..., Any]:
    fn, _, *jax_fn = CASES[name]
    return jax_fn[0] if jax_fn else functools.partial(fn, JNP)


def _weights(shape: tuple[int, ...]) -> np.ndarray:
    """Weights 1 to 2 over the output's entries, so that terms do not cancel."""
    return np.linspace(1.0, 2.0, math.prod(shape)).reshape(shape)


@functools.cache
def _jax_reference() -> dict[str, tuple]:
    """For every case, JAX's value and jacfwd, in one compiled program (eager JAX compiles each
    small op on its own)."""

    def all_cases(args_by_case: dict[str, tuple]) -> dict[str, tuple]:
        return {
            name: (_jax_fn(name)(*args), jax.jacfwd(_jax_fn(name), _argnums(args))(*args))
            for name, args in args_by_case.items()
        }

    return jax.jit(all_cases)({name: case[1] for name, case in CASES.items()})


@pytest.mark.parametrize("name", CASES)
def test_value_and_jacobians(name: str) -> None:
    """The value, and jacfwd and jacrev with respect to every argument, equal JAX's."""
    fn, args, *_ = CASES[name]
    value, jacobian = _jax_reference()[name]
    f = functools.partial(fn, anp)
    assert_close(f(*args), np.asarray(value))
    expected = tuple(np.asarray(j) for j in jacobian)
    assert_close(ad.jacfwd(f, _argnums(args))(*args), expected)
    assert_close(ad.jacrev(f, _argnums(args))(*args), expected)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", CASES)
def test_grad(name: str, mode: str) -> None:
    """grad of Σ w·f (weights 1 to 2) by each mode equals JAX's, w contracted with JAX's
    Jacobian."""
    fn, args, *_ = CASES[name]
    value, jacobian = _jax_reference()[name]
    w = _weights(value.shape)
    got = ad.grad(lambda *a: anp.sum(fn(anp, *a) * w), _argnums(args), mode=mode)(*args)
    assert_close(got, tuple(np.tensordot(w, np.asarray(j), w.ndim) for j in jacobian))


def test_cases_differentiate() -> None:
    """Every case has a nonzero Jacobian with respect to each argument, so the comparisons with
    JAX test derivatives."""
    for name, (fn, args, *_) in CASES.items():
        jac = ad.jacfwd(lambda *a, fn=fn: fn(anp, *a), _argnums(args))(*args)
        assert all(np.any(j != 0) for j in jac), name


def test_sort_complex_of_complex_values() -> None:
    """A complex input: a permutation, so holomorphic; jacfwd, jacrev, a jvp and the gradient of
    a real function (JAX's conjugate convention) equal JAX's. Ties in the real part are ordered by
    the imaginary part, exact ties keep their order."""
    z = np.array([[1.0 + 2j, 1.0 - 1j, -0.5 + 0j, 1.0 + 2j], [0.0 + 1j, 0.0 - 3j, 2.0 + 0j, -1j]])

    def real_part(m: Any, z: Any) -> Any:
        return m.sum(m.abs(m.sort_complex(z) * _weights((2, 4))) ** 2 + m.real(m.sort_complex(z)))

    t = R(2, 4, seed="re") + 1j * R(2, 4, seed="im")

    def expected_fn(z: Any) -> tuple:
        f = JNP.sort_complex
        return (
            jax.jvp(f, (z,), (t,)),
            jax.jacfwd(f, holomorphic=True)(z),
            jax.grad(functools.partial(real_part, JNP))(z),
        )

    jvp, jacobian, gradient = jax.jit(expected_fn)(z)
    assert_exact(anp.sort_complex(z), np.sort_complex(z))
    assert_close(ad.jvp(anp.sort_complex, (z,), (t,)), tuple(np.asarray(v) for v in jvp))
    assert_close(ad.jacfwd(anp.sort_complex, holomorphic=True)(z), np.asarray(jacobian))
    assert_close(ad.jacrev(anp.sort_complex, holomorphic=True)(z), np.asarray(jacobian))
    # forward-mode grad of a real function of complex inputs is refused (as JAX's jacfwd)
    assert_close(ad.grad(functools.partial(real_part, anp))(z), np.asarray(gradient))


# ---------------------------------------------------------------------------- NumPy's values
class NumpyFunctional:
    """``numpy`` with ``put``, ``place`` and ``fill_diagonal`` in the functional form (a copy is
    updated in place and returned), so that one body ``f(m)`` serves NumPy and admodes."""

    def __getattr__(self, name: str) -> Any:
        return getattr(np, name)

    @staticmethod
    def _updated(update: Callable[..., None], a: Any, *args: Any, **kwargs: Any) -> np.ndarray:
        a = np.array(a, copy=True)
        update(a, *args, **kwargs)
        return a

    def put(self, a: Any, ind: Any, v: Any, mode: str = "raise", *, inplace: bool) -> Any:
        assert not inplace
        return self._updated(np.put, a, ind, v, mode=mode)

    def place(self, arr: Any, mask: Any, vals: Any, *, inplace: bool) -> Any:
        assert not inplace
        return self._updated(np.place, arr, mask, vals)

    def fill_diagonal(self, a: Any, val: Any, wrap: bool = False, *, inplace: bool) -> Any:
        assert not inplace
        return self._updated(np.fill_diagonal, a, val, wrap)


NPF = NumpyFunctional()
INTS = np.arange(12).reshape(3, 4)
F32 = R(3, 4).astype(np.float32)

NUMPY_VALUES: dict[str, Callable[[Any], Any]] = {
    "choose": lambda m: m.choose(IDX, [INTS, -INTS, 100]),
    "choose-uint8-index-float32": lambda m: m.choose((IDX % 2).astype(np.uint8), [F32, F32 * 2]),
    "choose-bool-index": lambda m: m.choose(np.array([True, False]), [F32[0, :2], F32[1, :2]]),
    "choose-wrap": lambda m: m.choose(np.array([[0, 4, -1]]), INTS[:, :3], mode="wrap"),
    "choose-clip": lambda m: m.choose(np.array([[0, 4, -1]]), INTS[:, :3], mode="clip"),
    "compress": lambda m: m.compress([True, False, True], INTS, axis=0),
    "compress-short": lambda m: m.compress([False, True], F32, axis=-1),
    "compress-flat": lambda m: m.compress(np.array([0, 1, 1, 0, 1]), INTS),
    "compress-none": lambda m: m.compress(np.zeros(4, bool), INTS, axis=1),
    "extract": lambda m: m.extract(INTS % 3 == 0, INTS),
    "extract-float32": lambda m: m.extract(MASK, F32),
    "place": lambda m: m.place(INTS, INTS > 4, [-1, -2], inplace=False),
    "place-float-into-int": lambda m: m.place(INTS, MASK, [0.5, 7.9], inplace=False),
    "place-nothing-empty-vals": lambda m: m.place(F32, F32 > 99, [], inplace=False),
    "put": lambda m: m.put(INTS, [1, -1, 1], [7, 8, 9], inplace=False),
    "put-wrap": lambda m: m.put(F32, [-13, 40], [5.0, 6.0, 7.0], mode="wrap", inplace=False),
    "put-clip": lambda m: m.put(INTS, [-3, 40], 5, mode="clip", inplace=False),
    "put-empty-values": lambda m: m.put(INTS, [0], [], inplace=False),
    "put-0d": lambda m: m.put(np.array(1.5), [0], [2.5], inplace=False),
    "fill_diagonal": lambda m: m.fill_diagonal(INTS, [-1, -2], inplace=False),
    "fill_diagonal-tall": lambda m: m.fill_diagonal(np.zeros((5, 3)), 7, inplace=False),
    "fill_diagonal-wrap": lambda m: m.fill_diagonal(np.zeros((7, 3)), 7, True, inplace=False),
    "fill_diagonal-3d": lambda m: m.fill_diagonal(np.zeros((3, 3, 3), int), [4, 5], inplace=False),
    "fill_diagonal-float32-values-longer": lambda m: m.fill_diagonal(
        np.zeros((2, 2), np.float32), np.arange(5.0), inplace=False
    ),
    "resize": lambda m: m.resize(INTS, (5, 3)),
    "resize-int-shape": lambda m: m.resize(np.arange(3), 7),
    "resize-scalar": lambda m: m.resize(2.5, (2, 2)),
    "resize-empty": lambda m: m.resize(np.array([], np.float32), 3),
    "resize-to-empty": lambda m: m.resize(INTS, (0, 2)),
    "trim_zeros": lambda m: m.trim_zeros(np.array([0, 0, 1, 2, 0, 3, 0])),
    "trim_zeros-b": lambda m: m.trim_zeros(np.array([0.0, 1.0, 0.0]), "b"),
    "trim_zeros-F": lambda m: m.trim_zeros(np.array([0.0, 1.0, 0.0]), "F"),
    "trim_zeros-2d": lambda m: m.trim_zeros(BOXED.astype(np.float32)),
    "trim_zeros-2d-axis": lambda m: m.trim_zeros(BOXED, axis=-1),
    "trim_zeros-all-zero": lambda m: m.trim_zeros(np.zeros((2, 3))),
    "trim_zeros-0d": lambda m: m.trim_zeros(np.array(0.0)),
    "sort_complex": lambda m: m.sort_complex(np.array([[3 + 1j, 1 - 2j, 1 - 3j], [0, 2, -1j]])),
    "sort_complex-complex64": lambda m: m.sort_complex(np.array([2 - 1j, 1j], np.complex64)),
    "sort_complex-float32": lambda m: m.sort_complex(np.float32([3, 1, 2])),
    "sort_complex-int8": lambda m: m.sort_complex(np.int8([3, -1, 2])),
    "sort_complex-int64": lambda m: m.sort_complex(np.array([3, -1, 2])),
    "r_": lambda m: m.r_[np.array([1.0, 2.0]), 3, 0:3, -1:1:5j],
    "r_-ints": lambda m: m.r_[1, 2, np.array([3]), 4:7:2],
    "r_-float32-weak-scalars": lambda m: m.r_[np.float32([1]), 2.0, 3],
    "r_-numpy-scalar": lambda m: m.r_[np.float32([1]), np.float64(2.0)],
    "r_-axis": lambda m: m.r_["-1", np.ones((2, 2)), np.zeros((2, 1))],
    "r_-ndmin": lambda m: m.r_["0,2", [1, 2, 3], [4, 5, 6]],
    "r_-trans1d": lambda m: m.r_["0,2,0", [1, 2, 3], [[4], [5]]],
    "r_-ndmin3": lambda m: m.r_["1,3,0", [1, 2], np.ones((2, 1, 1))],
    "r_-negative-trans1d": lambda m: m.r_["0,3,-2", [1, 2], 0:2, np.ones((1, 2, 1))],
    "r_-2d": lambda m: m.r_[INTS, INTS[:1]],
    "r_-row": lambda m: np.asarray(m.r_["r", [1, 2], 3]),
    "r_-column": lambda m: np.asarray(m.r_["c", [1, 2], 3]),
    "c_": lambda m: m.c_[np.array([1, 2]), np.array([[3], [4]]), 0:2],
    "c_-scalars": lambda m: m.c_[1, 2.5],
    "c_-3d": lambda m: m.c_[np.ones((2, 3, 1)), np.zeros((2, 3, 2))],
    "apply_along_axis": lambda m: m.apply_along_axis(np.diag, 0, INTS[:2]),
    "apply_along_axis-tuple": lambda m: m.apply_along_axis(lambda v: (v.min(), v.max()), 1, F32),
    "apply_along_axis-scalar-float32": lambda m: m.apply_along_axis(np.max, -1, F32),
    "apply_along_axis-kwargs": lambda m: m.apply_along_axis(np.sum, 1, INTS, dtype=np.int32),
    "apply_along_axis-empty-line": lambda m: m.apply_along_axis(np.sum, 0, np.zeros((0, 3))),
    "apply_over_axes": lambda m: m.apply_over_axes(np.sum, INTS.reshape(2, 3, 2), [0, -1]),
    "apply_over_axes-int": lambda m: m.apply_over_axes(np.mean, F32, 1),
    "apply_over_axes-keeps-rank": lambda m: m.apply_over_axes(np.cumsum, INTS, (1, 0)),
    "fromfunction": lambda m: m.fromfunction(lambda i, j: i * 10 + j, (2, 3)),
    "fromfunction-int-kwargs": lambda m: m.fromfunction(
        lambda i, j, k: (i == j) * k, (3, 3), dtype=int, k=5
    ),
    "vectorize": lambda m: m.vectorize(lambda a, b: a * b + 1)(INTS, np.arange(4)),
    "vectorize-float32": lambda m: m.vectorize(lambda a: a * 2)(F32),
    "vectorize-0d": lambda m: m.vectorize(lambda a: a * 2)(3.0),
    "vectorize-signature": lambda m: m.vectorize(
        lambda a, b: (a * b).sum(), signature="(n),(n)->()"
    )(F32, np.arange(4, dtype=np.float32)),
    "vectorize-signature-outer": lambda m: m.vectorize(np.outer, signature="(m),(n)->(m,n)")(
        INTS[:, :2], np.arange(3)
    ),
    "vectorize-keyword": lambda m: m.vectorize(lambda a, b=0: a - b)(INTS, b=np.arange(4)),
    "vectorize-excluded": lambda m: m.vectorize(
        lambda a, p, q=1: np.sum(a * np.array(p)) + q, excluded={1, "q"}
    )(INTS[:, :1], [1, 2], q=10),
    "vectorize-none": lambda m: m.vectorize(lambda a, b: a if b is None else b)(INTS, None),
    "mask_indices": lambda m: m.mask_indices(3, np.triu, 1),
    "mask_indices-anp-tril": lambda m: m.mask_indices(4, anp.tril, -1),
}


@pytest.mark.filterwarnings(
    "ignore:the matrix subclass:PendingDeprecationWarning"
)  # NumPy's r_["r"]
@pytest.mark.parametrize("name", NUMPY_VALUES)
def test_numpy_values(name: str) -> None:
    """On plain inputs: NumPy's value, dtype and shape."""
    with np.errstate(invalid="ignore"):
        actual, expected = NUMPY_VALUES[name](anp), NUMPY_VALUES[name](NPF)
    for a, e in zip(
        *(x if isinstance(x, tuple) else (x,) for x in (actual, expected)), strict=True
    ):
        assert np.shape(a) == np.shape(e), (np.shape(a), np.shape(e))
        assert np.asarray(a).dtype == np.asarray(e).dtype, (np.asarray(a).dtype, e.dtype)
        assert_exact(a, e)


def test_functional_updates_leave_the_input_alone() -> None:
    """put, place and fill_diagonal return a new array; the argument is unchanged."""
    a = np.arange(6.0).reshape(2, 3)
    before = a.copy()
    anp.put(a, [0], [9.0], inplace=False)
    anp.place(a, a > 2, [9.0], inplace=False)
    anp.fill_diagonal(a, 9.0, inplace=False)
    assert_exact(a, before)


def test_vectorize_calls_per_entry_and_jax_agrees_on_shapes() -> None:
    """Each call sees one entry (scalars, or core slices of the signature's shape), and the
    broadcast batch is JAX's."""
    seen: list = []

    def record(a: Any, b: Any) -> Any:
        seen.append((np.shape(a), np.shape(b)))
        return a @ b

    out = anp.vectorize(record, signature="(m,n),(n)->(m)")(R(2, 3), R(4, 1, 3))
    assert seen == [((2, 3), (3,))] * 4
    expected = JNP.vectorize(lambda a, b: a @ b, signature="(m,n),(n)->(m)")(R(2, 3), R(4, 1, 3))
    assert_close(out, np.asarray(expected))


# ---------------------------------------------------------------------------- errors
ERRORS: dict[str, tuple[type[Exception], str, Callable[[], Any]]] = {
    "put-inplace": (ValueError, "inplace=False", lambda: anp.put(INTS, [0], [1])),
    "place-inplace": (ValueError, "inplace=False", lambda: anp.place(INTS, MASK, [1])),
    "fill_diagonal-inplace": (ValueError, "inplace=False", lambda: anp.fill_diagonal(INTS, 1)),
    "put-out-of-range": (
        ValueError,
        r"outside \[-12, 12\).*mode=.wrap.",
        lambda: anp.put(INTS, [12], [1], inplace=False),
    ),
    "put-negative-out-of-range": (
        ValueError,
        "outside",
        lambda: anp.put(INTS, [-13], [1], mode="raise", inplace=False),
    ),
    "take-out-of-range": (
        ValueError,
        r"take: index 3 is outside \[-3, 3\)",
        lambda: anp.take(np.arange(3.0), [0, 3]),
    ),
    "put-bad-mode": (
        ValueError,
        "mode must be",
        lambda: anp.put(INTS, [0], [1], mode="drop", inplace=False),
    ),
    "put-float-index": (
        TypeError,
        "integer",
        lambda: anp.put(INTS, [0.5], [1], inplace=False),
    ),
    "put-into-empty": (
        ValueError,
        "empty",
        lambda: anp.put(np.zeros(0), [0], [1.0], mode="wrap", inplace=False),
    ),
    "place-mask-size": (
        ValueError,
        "same size",
        lambda: anp.place(INTS, MASK[:2], [1], inplace=False),
    ),
    "place-empty-vals": (
        ValueError,
        "vals is empty",
        lambda: anp.place(INTS, MASK, [], inplace=False),
    ),
    "fill_diagonal-1d": (
        ValueError,
        "at least 2-D",
        lambda: anp.fill_diagonal(np.zeros(3), 1.0, inplace=False),
    ),
    "fill_diagonal-unequal-3d": (
        ValueError,
        "equal",
        lambda: anp.fill_diagonal(np.zeros((2, 3, 3)), 1.0, inplace=False),
    ),
    "choose-out-of-range": (
        ValueError,
        r"outside \[0, 3\).*mode='wrap'",
        lambda: anp.choose(np.array([0, 3]), INTS[:, :2]),
    ),
    "choose-negative": (ValueError, "outside", lambda: anp.choose(np.array([-1]), [INTS[0, :1]])),
    "choose-float-index": (TypeError, "integer", lambda: anp.choose(np.array([0.0]), [F32])),
    "choose-bad-mode": (ValueError, "mode must be", lambda: anp.choose(IDX, INTS, mode="drop")),
    "choose-no-choices": (ValueError, "at least one", lambda: anp.choose(IDX, [])),
    "compress-2d-condition": (ValueError, "1-D", lambda: anp.compress(MASK, INTS)),
    "compress-true-beyond": (
        ValueError,
        "beyond the length 3",
        lambda: anp.compress(np.array([0, 0, 0, 1]), INTS, axis=0),
    ),
    "extract-true-beyond": (
        ValueError,
        "beyond",
        lambda: anp.extract(np.ones(13, bool), INTS),
    ),
    "resize-negative": (ValueError, "non-negative", lambda: anp.resize(INTS, (2, -1))),
    "trim_zeros-bad-trim": (ValueError, "trim must be", lambda: anp.trim_zeros(F32, "x")),
    "trim_zeros-bad-axis": (np.exceptions.AxisError, "axis", lambda: anp.trim_zeros(F32, axis=2)),
    "sort_complex-0d": (np.exceptions.AxisError, "axis", lambda: anp.sort_complex(1.0)),
    "r_-bad-directive": (ValueError, "unknown directive", lambda: anp.r_["x", F32]),
    "r_-too-many-numbers": (ValueError, "unknown directive", lambda: anp.r_["0,2,0,1", F32]),
    "r_-directive-not-first": (ValueError, "first entry", lambda: anp.r_[F32[0], "0"]),
    "r_-matrix-string": (ValueError, "not supported", lambda: anp.r_["1 2; 3 4"]),
    "r_-empty": (ValueError, "at least one", lambda: anp.r_[()]),
    "r_-traced-slice-bound": (
        TypeError,
        "plain numbers",
        lambda: ad.grad(lambda s: anp.sum(anp.r_[0.0:s:3j]))(1.0),
    ),
    "vectorize-bad-signature": (
        ValueError,
        "not a gufunc signature",
        lambda: anp.vectorize(np.sum, signature="(n)->"),
    ),
    "vectorize-argument-count": (
        TypeError,
        "takes 2 array arguments, got 1",
        lambda: anp.vectorize(np.dot, signature="(n),(n)->()")(F32),
    ),
    "vectorize-core-too-few-dims": (
        ValueError,
        "core dimensions",
        lambda: anp.vectorize(np.dot, signature="(m,n),(n)->(m)")(F32[0], F32[0]),
    ),
    "vectorize-core-mismatch": (
        ValueError,
        "'n' has size 3 here and 4",
        lambda: anp.vectorize(np.dot, signature="(n),(n)->()")(F32, F32[:, :3]),
    ),
    "vectorize-output-core": (
        ValueError,
        "output of shape \\(4,\\)",
        lambda: anp.vectorize(lambda a: a, signature="(n)->()")(F32),
    ),
    "vectorize-output-count": (
        TypeError,
        "returned 1 output",
        lambda: anp.vectorize(np.sum, signature="(n)->(),()")(F32),
    ),
    "vectorize-excluded-type": (
        TypeError,
        "positions \\(int\\) or names",
        lambda: anp.vectorize(np.sum, excluded={1.5}),
    ),
    "vectorize-excluded-negative": (
        ValueError,
        "non-negative",
        lambda: anp.vectorize(np.sum, excluded={-1}),
    ),
    "vectorize-empty-batch": (ValueError, "empty", lambda: anp.vectorize(np.sin)(np.zeros(0))),
    "apply_along_axis-empty-batch": (
        ValueError,
        "empty",
        lambda: anp.apply_along_axis(np.sum, 1, np.zeros((0, 3))),
    ),
    "apply_over_axes-wrong-rank": (
        ValueError,
        "3 or 2 dimensions",
        lambda: anp.apply_over_axes(lambda a, axis: np.sum(a), np.zeros((2, 2, 2)), [0]),
    ),
}


@pytest.mark.parametrize("name", ERRORS)
def test_errors(name: str) -> None:
    error, match, call = ERRORS[name]
    with pytest.raises(error, match=match):
        call()


def test_numpy_in_place_writers_on_a_traced_value_are_refused() -> None:
    """``np.put(x, ...)`` on a traced x reaches ``anp.put``, which cannot update x in place:
    its default ``inplace=True`` (JAX's) raises, instead of leaving x silently unchanged."""
    x = R(3, 4)
    for write in (
        lambda x: np.put(x, [0], [1.0]),
        lambda x: np.place(x, MASK, [1.0]),
        lambda x: np.fill_diagonal(x, 1.0),
    ):
        for mode in MODES:
            with pytest.raises(ValueError, match="inplace=False"):
                ad.grad(lambda x, write=write: write(x) or anp.sum(x), mode=mode)(x)


@pytest.mark.parametrize("mode", MODES)
def test_take_along_axis_can_refuse_to_wrap_negative_indices_as_jax(mode: str) -> None:
    """wrap_negative_indices=False makes a negative index one outside: filled, clamped to 0,
    or without a mode refused (NumPy's default, where JAX's fills); True is the default."""
    x, index = np.arange(1.0, 7.0).reshape(2, 3), np.array([[-1, 2], [0, -3]])
    for kw in ({"wrap_negative_indices": True}, {"wrap_negative_indices": False, "mode": "clip"},
               {"wrap_negative_indices": False, "mode": "fill", "fill_value": -9.0}):  # fmt: skip
        assert_close(anp.take_along_axis(x, index, 1, **kw), JNP.take_along_axis(x, index, 1, **kw))
        got = ad.grad(lambda v, kw=kw: anp.sum(anp.take_along_axis(v, index, 1, **kw) ** 2),
                      mode=mode)(x)  # fmt: skip
        want = jax.grad(lambda v, kw=kw: JNP.sum(JNP.take_along_axis(v, index, 1, **kw) ** 2))(x)
        assert_close(got, want)
    with pytest.raises(IndexError, match="mode="):
        anp.take_along_axis(x, index, 1, wrap_negative_indices=False)
