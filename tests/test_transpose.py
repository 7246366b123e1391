"""linear_transpose against jax.linear_transpose: shapes and dtypes from arrays or
ShapeDtypeStruct, pytrees, complex functions, derivatives of the transpose, and the errors
(nonlinear functions, mismatched cotangents)."""

from __future__ import annotations

from typing import Any

import jax
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp

RNG = np.random.default_rng(3)
A = RNG.standard_normal((3, 4))
B = RNG.standard_normal((2, 3, 2))


def linear(m: Any, params: dict, s: Any) -> tuple:
    """A linear map of a dict and a scalar to a pair: (A x + s·1, Σ B ⊙ W)."""
    return A @ params["x"] + s * m.ones(3), m.einsum("ijk,jk->i", B, m.cumsum(params["W"], 0))


def test_scalars_from_shape_dtype_structs_are_jaxs() -> None:
    scalar = jax.ShapeDtypeStruct(shape=(), dtype=np.dtype(np.float32))
    ours = ad.linear_transpose(lambda x, y: 0.5 * x - 0.5 * y, scalar, scalar)(1.0)
    # JAX's docstring passes 1.0; with float64 enabled, JAX asks for the output's dtype
    theirs = jax.linear_transpose(lambda x, y: 0.5 * x - 0.5 * y, scalar, scalar)(np.float32(1))
    assert [np.asarray(o).dtype for o in ours] == [np.float32, np.float32]
    assert_close([np.asarray(o) for o in ours], [np.asarray(t) for t in theirs])


def test_pytrees_match_jax() -> None:
    params, s = {"x": np.ones(4), "W": np.ones((3, 2))}, 0.0
    cotangent = (RNG.standard_normal(3), RNG.standard_normal(2))
    ours = ad.linear_transpose(lambda p, s: linear(anp, p, s), params, s)(cotangent)
    theirs = jax.linear_transpose(lambda p, s: linear(JNP, p, s), params, s)(cotangent)
    assert_close(ad.tree.leaves(ours), [np.asarray(t) for t in jax.tree.leaves(theirs)])
    # ⟨ȳ, f(x)⟩ = ⟨x̄, x⟩ at a random x: the defining identity of the transpose
    x = {"x": RNG.standard_normal(4), "W": RNG.standard_normal((3, 2))}
    lhs = sum(np.vdot(c, y) for c, y in zip(cotangent, linear(np, x, 0.7), strict=True))
    rhs = sum(np.vdot(ours[0][k], x[k]) for k in x) + ours[1] * 0.7
    assert_close(lhs, rhs, rtol=1e-13)


def test_complex_functions_match_jax() -> None:
    z = np.zeros(5, np.complex128)
    cotangent = RNG.standard_normal(5) + 1j * RNG.standard_normal(5)
    ours = ad.linear_transpose(lambda z: anp.fft.fft(z) * 2j, z)(cotangent)
    theirs = jax.linear_transpose(lambda z: JNP.fft.fft(z) * 2j, z)(cotangent)
    assert_close(ours[0], np.asarray(theirs[0]))


@pytest.mark.parametrize("mode", MODES)
def test_the_transpose_is_differentiable(mode: str) -> None:
    params = {"x": np.ones(4), "W": np.ones((3, 2))}
    ours = ad.linear_transpose(lambda p: linear(anp, p, 0.0), params)
    theirs = jax.linear_transpose(lambda p: linear(JNP, p, 0.0), params)
    c = (RNG.standard_normal(3), RNG.standard_normal(2))
    assert_close(
        ad.grad(lambda c: anp.sum(anp.sin(ours(c)[0]["x"])), mode=mode)(c),
        jax.grad(lambda c: JNP.sum(JNP.sin(theirs(c)[0]["x"])))(c),
    )


def test_a_transpose_closing_over_an_outer_transforms_value_matches_jax() -> None:
    """fun scales by s, which an outer grad or jvp traces: the linearity check reads numbers."""
    x = np.array([1.0, 2.0, 3.0])

    def total(m: Any, transpose: Any) -> Any:
        return lambda s: m.sum(transpose(lambda x: x * s, x)(x)[0] ** 2)

    ours, theirs = total(anp, ad.linear_transpose), total(JNP, jax.linear_transpose)
    for mode in MODES:
        assert_close(ad.grad(ours, mode=mode)(2.0), jax.grad(theirs)(2.0))
    assert_close(ad.jvp(ours, (2.0,), (1.0,)), jax.jvp(theirs, (2.0,), (1.0,)))


def test_errors() -> None:
    x = np.zeros(3)
    for nonlinear in (anp.sin, lambda x: x * x, lambda x: x + 1.0, anp.abs):
        with pytest.raises(ValueError, match="fun is not linear"):
            ad.linear_transpose(nonlinear, x)
    transposed = ad.linear_transpose(lambda x: 2 * x, x)
    with pytest.raises(ValueError, match="the cotangent leaf 0 has shape"):
        transposed(np.ones(4))
    with pytest.raises(ValueError, match="the cotangent has structure"):
        transposed((np.ones(3), np.ones(3)))
    with pytest.raises(TypeError, match="float or complex arguments"):
        ad.linear_transpose(lambda x: 2 * x, np.zeros(3, int))
    for lib in (ad, jax):  # an integer output is no linear function of floats (JAX: TypeError)
        with pytest.raises(TypeError, match="float or complex"):
            lib.linear_transpose(lambda x: (2 * x, 3), x)
