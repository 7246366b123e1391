"""admodes.lax (structured control flow as Python control flow) against jax.lax: values and
derivatives in both modes, pytrees, and the errors."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import jax
import jax.scipy.special
import numpy as np
import pytest
from conftest import JNP, MODES, assert_close

import admodes as ad
import admodes.numpy as anp
from admodes import lax

AD = SimpleNamespace(lax=lax, m=anp)
JAX = SimpleNamespace(lax=jax.lax, m=JNP)
RNG = np.random.default_rng(3)
W = 0.5 * RNG.standard_normal((3, 3))
XS = RNG.standard_normal((5, 3))
H0 = RNG.standard_normal(3)


def rnn(side: SimpleNamespace, w: Any, h0: Any, xs: Any, reverse: bool = False) -> Any:
    """A tanh recurrence by scan; the carry is a dict, the per-step output a pair."""

    def cell(carry: dict, x: Any) -> tuple:
        h = side.m.tanh(w @ carry["h"] + x)
        return {"h": h, "n": carry["n"] + 1.0}, (side.m.sum(h * h), h[0])

    (carry, (energy, first)) = side.lax.scan(cell, {"h": h0, "n": 0.0}, xs, reverse=reverse)
    return side.m.sum(energy * first) + side.m.sum(carry["h"]) * carry["n"]


@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("mode", MODES)
def test_scan_matches_jax(mode: str, reverse: bool) -> None:
    assert_close(rnn(AD, W, H0, XS, reverse), rnn(JAX, W, H0, XS, reverse))
    assert_close(
        ad.grad(lambda *a: rnn(AD, *a, reverse), argnums=(0, 1, 2), mode=mode)(W, H0, XS),
        jax.grad(lambda *a: rnn(JAX, *a, reverse), argnums=(0, 1, 2))(W, H0, XS),
    )


def test_scan_outputs_and_lengths() -> None:
    def step(side: SimpleNamespace) -> Any:
        return lambda c, x: (c * 1.5, {"c": c, "x": x})

    for xs, length in ((XS, None), (None, 4), (XS[:0], None)):
        assert_close(
            lax.scan(step(AD), 2.0, xs, length=length),
            jax.lax.scan(step(JAX), 2.0, xs, length=length),
        )
    assert_close(
        lax.map(lambda x: anp.sin(x) * 2.0, XS), jax.lax.map(lambda x: JNP.sin(x) * 2.0, XS)
    )


@pytest.mark.parametrize("mode", MODES)
def test_loops_and_branches_match_jax(mode: str) -> None:
    def newton(side: SimpleNamespace, a: Any) -> Any:  # √a by 6 Newton steps
        return side.lax.fori_loop(0, 6, lambda i, x: 0.5 * (x + a / x), 1.0)

    def branches(side: SimpleNamespace, x: Any) -> Any:
        y = side.lax.cond(x > 0.5, lambda v: side.m.sin(v) * v, lambda v: v**3, x)
        return side.lax.switch(2, [side.m.cos, side.m.exp, lambda v: v * y], x)  # clamped

    for fn, x in ((newton, 2.0), (branches, 0.7), (branches, 0.2)):
        assert_close(fn(AD, x), fn(JAX, x))
        assert_close(
            ad.grad(lambda v, f=fn: f(AD, v), mode=mode)(x), jax.grad(lambda v, f=fn: f(JAX, v))(x)
        )


@pytest.mark.parametrize("mode", MODES)
def test_while_loop_differentiates_in_both_modes(mode: str) -> None:
    """JAX differentiates while_loop forward only; admodes both ways, compared with JAX's jvp."""

    def halve_until_small(side: SimpleNamespace, x: Any) -> Any:
        return side.lax.while_loop(
            lambda v: v[0] > 0.1, lambda v: (v[0] * 0.5, v[1] + v[0] ** 2), (x, 0.0)
        )[1]

    x = 3.0
    assert_close(halve_until_small(AD, x), halve_until_small(JAX, x))
    expected = jax.jvp(lambda v: halve_until_small(JAX, v), (x,), (1.0,))[1]
    assert_close(ad.grad(lambda v: halve_until_small(AD, v), mode=mode)(x), expected)


@pytest.mark.parametrize("mode", MODES)
def test_platform_dependent_takes_the_cpu_branch_as_jax(mode: str) -> None:
    def branch(side: SimpleNamespace, x: Any, **branches: Any) -> Any:
        return side.lax.platform_dependent(x, **branches)

    for kw in ({"cpu": lambda v: v * v, "default": lambda v: -v}, {"default": lambda v: v**3},
               {"tpu": lambda v: -v, "cpu": lambda v: v * 2.0}):  # fmt: skip
        assert_close(branch(AD, 3.0, **kw), branch(JAX, 3.0, **kw))
        got = ad.grad(lambda v, kw=kw: branch(AD, v, **kw), mode=mode)(3.0)
        assert_close(got, jax.grad(lambda v, kw=kw: branch(JAX, v, **kw))(3.0))
    with pytest.raises(NotImplementedError, match="pass cpu= or default="):
        lax.platform_dependent(3.0, tpu=lambda v: v)


def test_random_gamma_grad_is_jaxs() -> None:
    """dx/da of gamma draws (0 at x = 0, a subnormal x, large shapes) equal JAX's; JAX has no
    derivative of it, admodes' in x is the central difference's."""
    a = np.array([0.5, 2.0, 3.0, 0.01, 50.0, 1.5])
    x = np.array([0.3, 0.0, 4.0, 1e-310, 45.0, 2.5])
    want = np.asarray(jax.lax.random_gamma_grad(jax.numpy.asarray(a), jax.numpy.asarray(x)))
    assert_close(lax.random_gamma_grad(a, x), want)
    h = 1e-6
    fd = (lax.random_gamma_grad(2.0, 1.5 + h) - lax.random_gamma_grad(2.0, 1.5 - h)) / (2 * h)
    for mode in MODES:
        got = ad.grad(lambda v: lax.random_gamma_grad(2.0, v), mode=mode)(1.5)
        np.testing.assert_allclose(got, fd, rtol=1e-7)


def test_igamma_grad_a_is_jaxs_down_to_tiny_shapes() -> None:
    """∂P(a, x)/∂a for a from 1e-20 to 1000 and x from 1e-3 to 1000 (values down to 1e-298)
    equal JAX's; as a → 0 it tends to −E₁(x), as Q(a, x) = a E₁(x) + O(a²)."""
    rng = np.random.default_rng(0)
    a, x = 10 ** rng.uniform(-20, 3, 400), 10 ** rng.uniform(-3, 3, 400)
    want = np.asarray(jax.lax.igamma_grad_a(jax.numpy.asarray(a), jax.numpy.asarray(x)))
    got = lax.igamma_grad_a(a, x)
    kept = np.abs(want) > 1e-300  # JAX's own subnormal results are rounding
    assert_close(got[kept], want[kept])
    tiny = np.array([1e-300, 1e-25, 1e-20])
    assert_close(
        lax.igamma_grad_a(tiny, np.full(3, 0.5)), np.full(3, -float(jax.scipy.special.exp1(0.5)))
    )


def test_errors() -> None:
    with pytest.raises(ValueError, match="leading axis, all of one length"):
        lax.scan(lambda c, x: (c, x), 0.0, (np.ones(3), np.ones(4)))
    with pytest.raises(ValueError, match="give xs or length"):
        lax.scan(lambda c, x: (c, x), 0.0)
    with pytest.raises(TypeError, match="keep its structure"):
        lax.scan(lambda c, x: ((c, c), x), 0.0, np.ones(2))
    with pytest.raises(TypeError, match="scalar boolean"):
        lax.cond(np.array([True, False]), lambda: 1.0, lambda: 0.0)


#: Loops whose carry changes type and bad switch indices: (call(lax, numpy), error, message).
REFUSED_AS_JAX: dict[str, tuple[Callable[[Any, Any], Any], type, str]] = {
    "fori-shape": (
        lambda lx, m: lx.fori_loop(0, 2, lambda i, c: m.stack([c, c]), 1.0),
        TypeError,
        "shape",
    ),
    "fori-dtype": (
        lambda lx, m: lx.fori_loop(0, 2, lambda i, c: c.astype(np.float64), np.float32(1)),
        TypeError,
        "dtype",
    ),
    "while-structure": (
        lambda lx, m: lx.while_loop(lambda c: c[0] < 3, lambda c: [c[0] + 1, c[1]], (0, 1.0)),
        TypeError,
        "structure",
    ),
    "scan-shape": (
        lambda lx, m: lx.scan(lambda c, x: (c * m.ones(3), x), 0.0, np.arange(3.0)),
        TypeError,
        "shape",
    ),
    "scan-not-a-pair": (
        lambda lx, m: lx.scan(lambda c, x: (c, x, x), 0.0, np.arange(3.0)),
        TypeError,
        "pair",
    ),
    "switch-float-index": (lambda lx, m: lx.switch(1.7, [m.sin, m.cos], 1.0), TypeError, "integer"),
    "switch-bool-index": (lambda lx, m: lx.switch(True, [m.sin, m.cos], 1.0), TypeError, "integer"),
    "switch-array-index": (
        lambda lx, m: lx.switch(np.array([1]), [m.sin, m.cos], 1.0),
        TypeError,
        "scalar",
    ),
    "switch-no-branch": (lambda lx, m: lx.switch(0, [], 1.0), ValueError, "empty"),
    "fori-float-bound": (
        lambda lx, m: lx.fori_loop(0, np.float64(2.5), lambda i, c: c + 1.0, 0.0),
        TypeError,
        "integers of one dtype",
    ),
    "fori-bounds-of-two-dtypes": (
        lambda lx, m: lx.fori_loop(np.int32(0), np.int64(2), lambda i, c: c + 1.0, 0.0),
        TypeError,
        "integers of one dtype",
    ),
    "while-float-condition": (
        lambda lx, m: lx.while_loop(lambda c: 5.0 - c, lambda c: c + 1.0, 0.0),
        TypeError,
        "boolean scalar",
    ),
    "map-float-batch-size": (
        lambda lx, m: lx.map(m.sin, np.ones(3), batch_size=2.0),
        TypeError,
        "batch_size",
    ),
}


@pytest.mark.parametrize("name", REFUSED_AS_JAX)
def test_what_jax_refuses_is_refused(name: str) -> None:
    call, error, message = REFUSED_AS_JAX[name]
    with pytest.raises((TypeError, ValueError)):
        call(jax.lax, jax.numpy)
    with pytest.raises(error, match=message):
        call(lax, anp)


def test_a_carry_that_starts_as_a_python_number_takes_the_bodys_dtype_as_jax() -> None:
    """JAX promotes a weakly typed start (a Python number) to the body's dtype."""
    for lx in (lax, jax.lax):
        assert_close(lx.fori_loop(0, 3, lambda i, c: c + 1.5, 0), 4.5)
        got = lx.fori_loop(0, 3, lambda i, c: c * np.float32(2), 1.0)
        assert_close(np.asarray(got), np.float32(8.0))


def test_a_weakly_typed_start_is_promoted_before_the_first_step_as_jax() -> None:
    """scan's first y is computed from the promoted start, so the stack has the body's dtype,
    and a scan of no step returns its start promoted; fori_loop's index is weakly typed."""
    xs = np.arange(1.0, 4.0, dtype=np.float32)

    def running(side: SimpleNamespace) -> Callable[[Any, Any], tuple]:
        return lambda c, x: (c + x, {"before": c, "scaled": c * 0.1})

    for start, steps in ((0.0, xs), (0, xs), (0, np.ones(0)), (0.0, xs[:0])):
        got, want = lax.scan(running(AD), start, steps), jax.lax.scan(running(JAX), start, steps)
        assert_close(got, want)
        assert [np.asarray(leaf).dtype for leaf in ad.tree.leaves(got)] == [
            leaf.dtype for leaf in jax.tree.leaves(want)
        ]
    for lower, upper in ((np.int32(1), 4), (np.int16(1), np.int16(4))):  # a weak index
        got, want = (
            lx.fori_loop(lower, upper, lambda i, c: c + i * np.float32(0.1), np.float32(0))
            for lx in (lax, jax.lax)
        )
        assert_close(np.asarray(got), np.asarray(want))
        assert np.asarray(got).dtype == want.dtype


def test_every_name_is_jax_laxs() -> None:
    """admodes.lax invents no name: each is one of jax.lax's (and the elementwise ones that are
    jax.numpy's too are admodes.numpy's own functions)."""
    names = set(lax.__all__) | lax.SPECIAL_FUNCTIONS | lax.SUBMODULES
    assert set(dir(lax)) == names  # completion offers them all, and nothing else
    assert names <= set(dir(jax.lax))
    assert all(hasattr(lax, name) for name in names)
    assert (lax.add, lax.mul, lax.max, lax.min) == (anp.add, anp.multiply, anp.maximum, anp.minimum)


def _run(program: str) -> list[str]:
    """What a fresh Python process running ``program`` prints, split in words."""
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True,
                            check=False)  # fmt: skip
    assert result.returncode == 0, result.stderr
    return result.stdout.split()


def test_special_functions_import_scipy_on_first_use() -> None:
    """Importing admodes (and admodes.lax) does not import SciPy; lax.lgamma does."""
    program = (
        "import sys\n"
        "from admodes import lax\n"
        "print('scipy' in sys.modules, lax.lgamma(2.5), 'scipy' in sys.modules)\n"
    )
    before, value, after = _run(program)
    assert (before, after) == ("False", "True")
    assert float(value) == pytest.approx(float(jax.lax.lgamma(2.5)), rel=1e-15)


def test_lax_needs_no_scipy() -> None:
    """Without SciPy, admodes.lax works, and a special function says what to install."""
    program = (
        "import sys; sys.modules['scipy'] = None\n"
        "from admodes import lax\n"
        "print(lax.rem(-7.0, 3.0))\n"
        "try:\n"
        "    lax.lgamma\n"
        "except ImportError as e:\n"
        "    print('scipy]' in str(e))\n"
    )
    assert _run(program) == [str(float(jax.lax.rem(-7.0, 3.0))), "True"]
