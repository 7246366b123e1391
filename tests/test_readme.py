"""The README's code runs and says what it shows (numbers computed by hand)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest

import admodes as ad
import admodes.numpy as anp

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def run_block(start: str, namespace: dict | None = None) -> dict:
    """Run the README's code block that starts with ``start`` (after the blocks it continues)."""
    block = next(b for b in BLOCKS if b.startswith(start))
    namespace = {} if namespace is None else namespace
    exec(block, namespace)
    return namespace


def test_quickstart_reproduces_the_worked_example() -> None:
    ns = run_block("import admodes as ad\n\ndef loss")
    ad, loss = ns["ad"], ns["loss"]
    # h = w·x + b = 7: L = h² = 49, ∂L/∂w = 2h·x = 42, ∂L/∂x = 2h·w = 28, ∂L/∂b = 2h = 14.
    assert ad.value_and_grad(loss, argnums=(0, 2))(2.0, 3.0, 1.0) == (49.0, (42.0, 14.0))
    assert ad.grad(loss, argnums=(0, 1, 2), mode="forward")(2.0, 3.0, 1.0) == (42.0, 28.0, 14.0)


def test_array_example_gives_gradients_shaped_like_params() -> None:
    ns = run_block("import numpy as np", run_block("import admodes as ad\n\ndef loss"))
    grads, params = ns["grads"], ns["params"]
    assert [(dW.shape, db.shape) for dW, db in grads] == [(W.shape, b.shape) for W, b in params]


def test_adding_an_op_example(scratch_registry) -> None:
    ns = run_block("import numpy as np\nimport admodes.numpy as anp\nfrom admodes.registry")

    x = 0.3
    # softplus'(x) = σ(x), softplus''(x) = σ(x)(1 − σ(x))
    sigma = 1.0 / (1.0 + np.exp(-x))
    assert ad.grad(ns["softplus"])(x) == pytest.approx(sigma, rel=1e-12)
    assert ad.hessian(ns["softplus"])(x) == pytest.approx(sigma * (1 - sigma), rel=1e-12)


def test_adding_an_op_with_rules_per_input(scratch_registry) -> None:
    ns = run_block("import numpy as np\nimport admodes.numpy as anp\nfrom admodes.registry")
    ns = run_block("from admodes.registry import defprim", ns)

    a = np.array([[3.0, 1.0], [1.0, 2.0]])
    b = np.array([1.0, -1.0])
    x = np.linalg.solve(a, b)
    # f(b) = ½|x|² with x = A⁻¹b: ∇_b f = A⁻ᵀx; the Hessian in b is A⁻ᵀA⁻¹.
    a_inv = np.linalg.inv(a)

    def f(b):
        return 0.5 * anp.sum(ns["my_solve"](a, b) ** 2)

    for mode in ("reverse", "forward"):
        np.testing.assert_allclose(ad.grad(f, mode=mode)(b), a_inv.T @ x, rtol=1e-12)
    np.testing.assert_allclose(ad.hessian(f)(b), a_inv.T @ a_inv, rtol=1e-12)
    np.testing.assert_allclose(ad.jacrev(ns["my_solve"], argnums=1)(a, b), a_inv, rtol=1e-12)


def test_custom_derivatives_example() -> None:
    # log1pexp′(x) = 1 − 1/(1 + eˣ): 1.0 to double precision at x = 1000 (e¹⁰⁰⁰ overflows to inf).
    with np.errstate(over="ignore"):
        ns = run_block("import admodes as ad\nimport admodes.numpy as anp\n\n@ad.custom_jvp")
        ad_, log1pexp, clip = ns["ad"], ns["log1pexp"], ns["clip_gradient"]
        for mode in ("reverse", "forward"):
            assert ad_.grad(log1pexp, mode=mode)(1000.0) == 1.0
    # 3·x has cotangent 3 at x, clipped to [-1, 1]: 1.
    assert ad_.grad(lambda x: 3.0 * clip(-1.0, 1.0, x))(2.0) == 1.0


def test_implicit_derivative_example_matches_finite_differences() -> None:
    ns = run_block("import admodes as ad\n\n@ad.custom_vjp")
    ad_, root = ns["ad"], ns["root"]
    x = root(2.0)
    assert abs(x**3 + 2.0 * x - 1.0) < 1e-15  # the root
    h = 1e-5
    central = (root(2.0 + h) ** 2 - root(2.0 - h) ** 2) / (2 * h)
    assert ad_.grad(lambda t: root(t) ** 2)(2.0) == pytest.approx(central, rel=1e-8)
    assert round(x, 4) == 0.4534


def test_check_grads_example_passes_the_rule_and_fails_a_wrong_one() -> None:
    ns = run_block("from admodes.test_util", run_block("import admodes as ad\n\n@ad.custom_vjp"))
    ad_, root = ns["ad"], ns["root"]

    @ad_.custom_vjp
    def off(theta: float) -> float:
        return root(theta)

    def off_bwd(res: tuple, g: float) -> tuple:
        x, theta = res
        return (-1.01 * g * x / (3 * x**2 + theta),)

    off.defvjp(lambda theta: (root(theta), (root(theta), theta)), off_bwd)
    with pytest.raises(AssertionError, match="VJP cotangent projection"):
        ns["check_grads"](off, (2.0,), order=1, modes=("rev",))


def test_segment_sum_example_equals_the_gradient_by_hand() -> None:
    ns = run_block(
        "import numpy as np\nimport admodes as ad\nimport admodes.numpy as anp\n\nsenders"
    )
    h, w = ns["h"], ns["w"]
    senders, receivers = ns["senders"], ns["receivers"]
    # m_e = tanh(h[s_e] w) = tanh(1) per entry; node v receives Σ m_e over its in-edges, and
    # L = Σ incoming², so ∂L/∂m_e = 2·incoming[r_e], and ∂m_e/∂(h w) = 1 − tanh(1)².
    m = np.tanh(h[senders] @ w)
    incoming = np.zeros((3, 2))
    np.add.at(incoming, receivers, m)
    dm = 2 * incoming[receivers] * (1 - m**2)
    dh_want = np.zeros((3, 2))
    np.add.at(dh_want, senders, dm @ w.T)
    np.testing.assert_allclose(ns["dh"], dh_want, rtol=1e-14)
    np.testing.assert_allclose(ns["dw"], h[senders].T @ dm, rtol=1e-14)
