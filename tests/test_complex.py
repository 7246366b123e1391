"""Complex numbers and the DFT in both engines, against JAX (complex128, x64) and NumPy.

JAX's conventions: jvp is the complex-linear pushforward; a cotangent of z = x + iy is
∂L/∂x − i·∂L/∂y; grad of a real function of complex inputs is that cotangent (|z|² at 3+4j gives
6−8j); grad/jacrev of complex outputs and jacfwd of complex inputs need ``holomorphic=True``.
"""

from __future__ import annotations

from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, assert_close

import admodes as ad
import admodes.numpy as anp
import admodes.scipy.linalg as scipy_linalg

RNG = np.random.default_rng(7)
Z = RNG.standard_normal((2, 3)) + 1j * RNG.standard_normal((2, 3))
W = RNG.standard_normal((2, 3)) + 1j * RNG.standard_normal((2, 3))


def test_gradient_of_the_squared_modulus() -> None:
    z = np.complex128(3 + 4j)
    assert ad.grad(lambda z: anp.abs(z) ** 2)(z) == 6 - 8j
    assert ad.grad(lambda z: anp.real(z * anp.conj(z)))(z) == 6 - 8j
    assert ad.grad(lambda z: anp.abs(z) ** 2)(3 + 4j) == 6 - 8j  # a Python complex


HOLOMORPHIC = {
    "exp": lambda m, z: m.exp(z),
    "log": lambda m, z: m.log(z),
    "sqrt": lambda m, z: m.sqrt(z),
    "sin-cos": lambda m, z: m.sin(z) * m.cos(z),
    "tanh": lambda m, z: m.tanh(z),
    "power": lambda m, z: z**3 + z**2.5,
    "divide": lambda m, z: (z + 1) / (z * z + 2),
    "sinh-cosh": lambda m, z: m.sinh(z) / m.cosh(z),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", HOLOMORPHIC)
def test_holomorphic_functions_in_every_transform(name: str) -> None:
    fn = HOLOMORPHIC[name]
    f, g = (lambda z: fn(anp, z)), (lambda z: fn(jnp, z))
    assert_close(ad.jvp(f, (Z,), (W,)), jax.jvp(g, (Z,), (W,)))
    out, vjp_fn = ad.vjp(f, Z)
    j_out, j_vjp = jax.vjp(g, Z)
    assert_close((out, vjp_fn(W)), (j_out, j_vjp(W)))
    z = Z[0, 1]
    for mode in MODES:
        assert_close(ad.grad(f, holomorphic=True, mode=mode)(z), jax.grad(g, holomorphic=True)(z))
    v = Z[0]
    expected = jax.jacfwd(g, holomorphic=True)(v)
    assert_close(ad.jacfwd(f, holomorphic=True)(v), expected)
    assert_close(ad.jacrev(f, holomorphic=True)(v), expected)


REAL_OF_COMPLEX = {
    "abs": lambda m, z: m.sum(m.abs(z)),
    "angle": lambda m, z: m.sum(m.angle(z) * m.real(z)),
    "real-imag": lambda m, z: m.sum(m.real(z) ** 2 * m.imag(z)),
    "conj-product": lambda m, z: m.real(m.sum(m.conj(z) * z * z)),
    "matmul": lambda m, z: m.abs(m.sum(z @ m.conj(z).T)),
    "log-abs": lambda m, z: m.sum(m.log(m.abs(m.exp(z) + 1.5))),
    "var": lambda m, z: m.var(z),
    "std-ddof": lambda m, z: m.sum(m.std(z, axis=1, ddof=1)),
    "var-where": lambda m, z: m.sum(m.var(z, axis=1, where=np.array([True, False, True]))),
    "nanvar": lambda m, z: m.sum(m.nanvar(z, axis=0)),
    "nanstd": lambda m, z: m.nanstd(z),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", REAL_OF_COMPLEX)
def test_real_functions_of_complex_inputs(name: str) -> None:
    fn = REAL_OF_COMPLEX[name]
    f, g = (lambda z: fn(anp, z)), (lambda z: fn(jnp, z))
    assert_close(ad.grad(f)(Z), jax.grad(g)(Z))
    assert_close(ad.jvp(f, (Z,), (W,)), jax.jvp(g, (Z,), (W,)))
    assert_close(ad.jacrev(f)(Z), jax.jacrev(g)(Z))
    # Second order along a real path through the complex plane, away from 0 and off any ray.
    assert_close(
        ad.hessian(lambda x: f(x * (1 + 0.5j) + 0.3j))(Z.real),
        jax.hessian(lambda x: g(x * (1 + 0.5j) + 0.3j))(Z.real),
    )


ZEROS = np.array([0j, 1 + 1j, 0j, -2 + 0.5j])
ZERO_MODULUS = {  # |z| at z = 0: derivative 0, as JAX
    "abs": lambda m, z: m.sum(m.abs(z)),
    "norm": lambda m, z: m.linalg.norm(z),
    "vdot": lambda m, z: m.real(m.vdot(z, z * (1 + 2j))) + m.abs(m.vdot(z, m.conj(z))),
}


@pytest.mark.parametrize("name", ZERO_MODULUS)
def test_modulus_at_a_complex_zero(name: str) -> None:
    fn = ZERO_MODULUS[name]
    f, g = (lambda z: fn(anp, z)), (lambda z: fn(jnp, z))
    assert_close(f(ZEROS), float(g(ZEROS)))
    assert_close(ad.grad(f)(ZEROS), jax.grad(g)(ZEROS))
    tangent = np.array([1 - 1j, 0.5j, 2.0 + 0j, 1j])
    assert_close(ad.jvp(f, (ZEROS,), (tangent,)), jax.jvp(g, (ZEROS,), (tangent,)))


@pytest.mark.parametrize("mode", MODES)
def test_spectral_loss_of_a_signal_with_empty_bins(mode: str) -> None:
    """A constant signal: every FFT bin but the first is exactly 0, where |·| has a kink."""
    f = lambda m, x: m.sum(m.abs(m.fft.rfft(x)) ** 1.5) + m.sum(m.abs(m.fft.fft(x * 2.0)))
    x = np.full(6, 0.7)
    assert_close(ad.grad(partial(f, anp), mode=mode)(x), jax.grad(partial(f, jnp))(x))


def test_vdot_conjugates_its_first_argument() -> None:
    assert_close(anp.vdot(Z, W), complex(np.vdot(Z, W)))
    f = lambda m, z: m.real(m.vdot(z, W)) * m.imag(m.vdot(W, z))
    assert_close(ad.grad(partial(f, anp))(Z), jax.grad(partial(f, jnp))(Z))


@pytest.mark.parametrize("mode", MODES)
def test_real_inputs_through_complex_intermediates(mode: str) -> None:
    def f(m: Any, x: Any) -> Any:
        return m.sum(m.real(m.exp(1j * x) * (x + 2j)) + m.abs(x * (1 - 1j)) ** 2)

    x = Z.real
    g = ad.grad(lambda x: f(anp, x), mode=mode)(x)
    assert g.dtype == np.float64
    assert_close(g, jax.grad(lambda x: f(jnp, x))(x))
    jac = ad.jacfwd(lambda x: anp.exp(1j * x))(x[0])  # real in, complex out: no holomorphic needed
    assert_close(jac, jax.jacfwd(lambda x: jnp.exp(1j * x))(x[0]))


def test_complex_outputs_and_inputs_need_holomorphic() -> None:
    z = np.complex128(1 + 2j)
    with pytest.raises(TypeError, match="holomorphic=True"):
        ad.grad(lambda z: z * z)(z)
    with pytest.raises(TypeError, match="holomorphic=True"):
        ad.jacrev(lambda z: z * z)(Z)
    with pytest.raises(TypeError, match="holomorphic=True"):
        ad.jacfwd(lambda z: anp.abs(z))(Z)
    with pytest.raises(TypeError, match="requires complex inputs"):
        ad.grad(lambda x: x * x, holomorphic=True)(1.5)


def test_holomorphic_needs_complex_outputs_as_jax() -> None:
    """A real-valued function of a complex variable is not holomorphic: JAX's grad, jacfwd,
    jacrev and hessian raise with holomorphic=True (the modes gave two different numbers)."""
    z = np.complex128(0.5 + 0.3j)
    for transforms in (
        (partial(ad.grad, mode="reverse"), partial(ad.grad, mode="forward"), jax.grad),
        (ad.jacfwd, jax.jacfwd),
        (ad.jacrev, jax.jacrev),
        (ad.hessian, jax.hessian),
    ):
        for transform in transforms:
            m = jnp if transform in (jax.grad, jax.jacfwd, jax.jacrev, jax.hessian) else anp
            with pytest.raises(TypeError, match="holomorphic=True requires outputs with complex"):
                transform(m.abs, holomorphic=True)(z)


#: Points on the branch cuts with a zero part of either sign, and the poles of the logarithms.
ON_CUTS = np.array([complex(-4.0, -0.0), complex(-4.0, 0.0), complex(3.0, -0.0),
                    complex(-0.0, -3.0), complex(0.0, 3.0), complex(-0.0, 3.0), complex(0.5, -0.0),
                    complex(-2.0, -0.0)])  # fmt: skip


@pytest.mark.parametrize("name", ["sqrt", "arcsin", "arccos", "arccosh", "arcsinh", "log", "log2",
                                  "log10", "arctanh"])  # fmt: skip
def test_values_and_derivatives_on_branch_cuts_are_jaxs(name: str) -> None:
    """JAX takes a −0 across the cut of sqrt, arcsin, arccos, arccosh and arcsinh as +0 (NumPy
    takes its sign to choose the side); the derivative follows the value's side (arccosh's:
    see the next test)."""
    ours, theirs = getattr(anp, name), getattr(jnp, name)
    assert_close(ours(ON_CUTS), np.asarray(theirs(ON_CUTS)))
    if name == "arccosh":
        return
    for part, jax_part in ((anp.real, jnp.real), (anp.imag, jnp.imag)):
        expected = jax.grad(lambda z, p=jax_part: p(theirs(z)))
        got = ad.grad(lambda z, p=part: p(ours(z)))
        assert_close(np.array([complex(got(z)) for z in ON_CUTS]),
                     np.array([complex(expected(z)) for z in ON_CUTS]))  # fmt: skip


def test_the_complex_derivative_of_arccosh_is_its_central_difference() -> None:
    """arccosh′(z) = 1/(√(z − 1)·√(z + 1)): central differences of arccosh in the left half
    plane, on its cut and off it, where JAX's 1/√(z² − 1) has the opposite sign; JAX's in the
    right half plane."""
    h = 1e-6
    for z in (complex(-4.0, 1.0), complex(-0.5, -2.0), complex(-0.3, -0.1), complex(-4.0, 0.0)):
        up, down = complex(z.real + h, z.imag), complex(z.real - h, z.imag)  # the same side
        central = (np.arccosh(up) - np.arccosh(down)) / (2 * h)
        got = complex(ad.grad(lambda z: anp.real(anp.arccosh(z)))(z))
        assert abs(got - central) <= 1e-8 * abs(central)
        assert abs(complex(jax.grad(lambda z: jnp.real(jnp.arccosh(z)))(z)) + central) <= 1e-8
    for z in (complex(2.0, 3.0), complex(0.3, 0.1), complex(3.0, -0.5)):
        assert_close(
            complex(ad.grad(lambda z: anp.real(anp.arccosh(z)))(z)),
            complex(jax.grad(lambda z: jnp.real(jnp.arccosh(z)))(z)),
        )


def test_logarithms_of_complex_zero_and_infinity_are_jaxs() -> None:
    """log2 and log10 of 0j and ∞ have a 0 imaginary part (not NaN), as NumPy's and JAX's."""
    poles = np.array([0j, complex(-0.0, -0.0), complex(np.inf, 0.0), complex(-np.inf, -0.0)])
    for name in ("log2", "log10"):
        with np.errstate(divide="ignore"):
            assert_close(getattr(anp, name)(poles), np.asarray(getattr(jnp, name)(poles)))


def test_complex_dtypes_are_kept() -> None:
    z64 = Z.astype(np.complex64)
    _, vjp_fn = ad.vjp(lambda z: anp.exp(z) * z, z64)
    assert vjp_fn(z64)[0].dtype == np.complex64
    assert ad.grad(lambda z: anp.sum(anp.abs(z)))(z64).dtype == np.complex64
    assert ad.jvp(lambda z: anp.fft.fft(z), (z64,), (z64,))[1].dtype == np.complex64


def test_complex_flops_use_the_usual_weights() -> None:
    with ad.count() as c:
        anp.multiply(Z, W)
        anp.add(Z, W)
        anp.multiply(Z.real, W.real)
    # A complex multiply is 6 real FLOPs, an add 2; six elements each.
    assert c.by_op["multiply"] and c.flops == 6 * 6 + 2 * 6 + 6


# ---------------------------------------------------------------------------- the DFT
FFTS = [
    ("fft", {}),
    ("fft", {"n": 5, "norm": "ortho"}),
    ("ifft", {"n": 9, "axis": 0, "norm": "forward"}),
    ("rfft", {"norm": "ortho"}),
    ("rfft", {"n": 7, "axis": 0}),
    ("irfft", {}),
    ("irfft", {"n": 7, "norm": "forward"}),
    ("fft2", {}),
    ("ifft2", {"s": (3, 5)}),  # s with the default axes (-2, -1)
    ("rfft2", {"norm": "ortho"}),
    ("irfft2", {"s": (4, 4)}),
    ("fftn", {"axes": (0,)}),
    ("ifftn", {"s": (2, 2), "axes": (0, 1), "norm": "forward"}),
    ("rfftn", {"s": (5, 6), "axes": (0, 1)}),
    ("irfftn", {"axes": (0, 1)}),
    ("fftshift", {}),
    ("ifftshift", {"axes": 1}),
]


@pytest.mark.slow
@pytest.mark.parametrize(("name", "kw"), FFTS, ids=[f"{n}-{sorted(k.items())}" for n, k in FFTS])
def test_fft_values_and_derivatives(name: str, kw: dict) -> None:
    real_input = name.startswith("rfft") or "shift" in name
    x = RNG.standard_normal((4, 6)) if real_input else Z.repeat(2, axis=1).repeat(2, axis=0)
    if name.startswith("irfft"):
        x = Z.repeat(2, axis=0)
    f = lambda a: getattr(anp.fft, name)(a, **kw)
    g = lambda a: getattr(jnp.fft, name)(a, **kw)
    np.testing.assert_allclose(f(x), getattr(np.fft, name)(x, **kw), rtol=1e-12, atol=1e-12)
    t = RNG.standard_normal(x.shape) + (0 if real_input else 1j * RNG.standard_normal(x.shape))
    assert_close(ad.jvp(f, (x,), (t.astype(x.dtype),)), jax.jvp(g, (x,), (t.astype(x.dtype),)))
    out, vjp_fn = ad.vjp(f, x)
    ct = RNG.standard_normal(np.shape(out)) * (1 - 0.5j if np.iscomplexobj(out) else 1)
    assert_close(vjp_fn(ct), jax.vjp(g, x)[1](ct))


#: The n-dimensional transforms, each refused repeated axes, also a negative alias (0, -2).
FFTNS = ["fftn", "ifftn", "rfftn", "irfftn", "fft2", "ifft2", "rfft2", "irfft2"]


@pytest.mark.parametrize("axes", [(0, 0), (0, -2), (1, 0, 1)])
@pytest.mark.parametrize("name", FFTNS)
def test_fft_nd_refuses_repeated_axes(name: str, axes: tuple) -> None:
    """JAX refuses repeated axes (a ValueError; a TypeError from its transpose when one is a
    negative alias), and so does admodes, with a ValueError that says what to do."""
    x = RNG.standard_normal((3, 4))
    with pytest.raises((ValueError, TypeError)):
        getattr(jnp.fft, name)(x, axes=axes)
    with pytest.raises(ValueError, match=r"repeated axes.*name each axis once"):
        getattr(anp.fft, name)(x, axes=axes)


def test_np_fft_on_traced_values_reaches_admodes() -> None:
    x = RNG.standard_normal(8)
    grad = ad.grad(lambda x: np.sum(np.abs(np.fft.rfft(x)) ** 2))(x)
    assert_close(grad, jax.grad(lambda x: jnp.sum(jnp.abs(jnp.fft.rfft(x)) ** 2))(x))


def _circular_convolution_loss(m: Any, x: Any, k: Any, y: Any) -> Any:
    """Circular convolution by the convolution theorem, squared error against y."""
    conv = m.fft.irfft(m.fft.rfft(x) * m.fft.rfft(k), n=x.shape[-1])
    return m.mean((conv - y) ** 2)


@pytest.mark.parametrize("mode", MODES)
def test_fft_convolution_loss_program(mode: str) -> None:
    x, k, y = RNG.standard_normal(16), RNG.standard_normal(16), RNG.standard_normal(16)
    expected = jax.grad(lambda x, k: _circular_convolution_loss(jnp, x, k, y), (0, 1))(x, k)
    got = ad.grad(lambda x, k: _circular_convolution_loss(anp, x, k, y), (0, 1), mode=mode)(x, k)
    assert_close(got, expected)


def test_fft_gradient_costs_at_most_three_times_its_primal() -> None:
    x = RNG.standard_normal(256)

    def f(x: Any) -> Any:
        return anp.sum(anp.abs(anp.fft.fft(x)) ** 2)

    primal = ad.cost(f, x).flops
    with ad.count() as c:
        ad.grad(f)(x)
    assert c.by_phase["vjp"]["flops"] <= 3 * primal, (c.by_phase, primal)


HOLOMORPHIC_LINALG = {
    "matmul": lambda m, a: m.abs(m.sum(a @ a @ a[0])),
    "einsum": lambda m, a: m.abs(m.einsum("ij,jk,k->", a, a, a[1])),
    "solve": lambda m, a: m.abs(m.sum(m.linalg.solve(a, a[0]))),
    "inv": lambda m, a: m.real(m.sum(m.linalg.inv(a))),
    "det": lambda m, a: m.abs(m.linalg.det(a)),
    "slogdet": lambda m, a: m.linalg.slogdet(a)[1],
    "norm": lambda m, a: m.linalg.norm(a) + m.linalg.norm(a, ord=1),
}


@pytest.mark.slow
@pytest.mark.parametrize("name", HOLOMORPHIC_LINALG)
def test_linear_algebra_on_complex_matrices(name: str) -> None:
    fn = HOLOMORPHIC_LINALG[name]
    a = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3)) + 3 * np.eye(3)
    assert_close(ad.grad(lambda a: fn(anp, a))(a), jax.grad(lambda a: fn(jnp, a))(a))


@pytest.mark.parametrize(
    "values", [anp.linalg.eigvalsh, lambda a: anp.linalg.svd(a, compute_uv=False)]
)
def test_decompositions_of_complex_matrices_refuse_to_differentiate(values: Any) -> None:
    a = RNG.standard_normal((3, 3)) + 1j * RNG.standard_normal((3, 3))
    with pytest.raises(TypeError, match="complex matrix"):
        ad.grad(lambda a: anp.sum(values(a @ anp.conj(a).T)))(a)


@pytest.mark.parametrize("ord", [2, -2, "nuc"])
def test_complex_matrix_norms_from_singular_values(ord: Any) -> None:
    """The norms made of singular values are those of the complex matrix (not of |x|), as JAX's;
    their derivative, which needs a complex SVD's, is refused as the SVD's is."""
    stack = np.stack([Z[:, :2], W[:, :2] * 2])
    assert_close(anp.linalg.norm(stack[0], ord), jnp.linalg.norm(stack[0], ord))
    assert_close(
        anp.linalg.norm(stack, ord, axis=(2, 1), keepdims=True),
        jnp.linalg.norm(stack, ord, axis=(2, 1), keepdims=True),
    )
    with pytest.raises(TypeError, match="complex matrix cannot be differentiated"):
        ad.grad(lambda z: anp.linalg.norm(z, ord))(stack[0])


SIGMA_X = np.array([[0, 1], [1, 0]], dtype=complex)
SIGMA_Z = np.array([[1, 0], [0, -1]], dtype=complex)


def _two_level_expectation(m: Any, expm: Any, theta: Any) -> Any:
    """⟨σ_z⟩ after evolving |0⟩ for a time θ₂ under H = θ₀σ_x + θ₁σ_z: ψ = exp(−iHθ₂)|0⟩."""
    hamiltonian = theta[0] * SIGMA_X + theta[1] * SIGMA_Z
    psi = expm(-1j * hamiltonian * theta[2]) @ np.array([1, 0], dtype=complex)
    return m.real(m.conj(psi) @ (SIGMA_Z @ psi))


@pytest.mark.slow
@pytest.mark.parametrize("mode", MODES)
def test_quantum_two_level_system_program(mode: str) -> None:
    theta = np.array([0.7, 0.3, 1.1])
    expected = jax.grad(lambda t: _two_level_expectation(jnp, jax.scipy.linalg.expm, t))(theta)
    got = ad.grad(lambda t: _two_level_expectation(anp, scipy_linalg.expm, t), mode=mode)(theta)
    assert_close(got, expected)


@pytest.mark.parametrize("mode", MODES)
def test_a_real_value_made_complex_differentiates_as_jaxs(mode: str) -> None:
    """astype(complex) of a traced real value: the tangent is made complex, the cotangent is Re ḡ
    (JAX's convert_element_type); float32 → complex64 too."""
    x = np.array([0.3, -1.2, 2.0])

    def f(m: Any, dtype: Any) -> Any:
        return lambda v: m.sum(m.abs(m.exp(1j * v.astype(dtype)) * (1 + 2j) + v.astype(dtype) ** 2))

    want = jax.grad(f(jnp, np.complex128))(x)
    assert_close(ad.grad(f(anp, np.complex128), mode=mode)(x), np.asarray(want))
    x32 = x.astype(np.float32)
    got = ad.grad(f(anp, np.complex64), mode=mode)(x32)
    assert got.dtype == np.float32
    assert_close(got, np.asarray(jax.grad(f(jnp, np.complex64))(x32)), rtol=1e-5)
