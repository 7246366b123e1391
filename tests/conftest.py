"""Shared test helpers: JAX in float64, tolerant comparisons of pytrees, random inputs.

Every derivative admodes computes is compared with something independent: JAX (float64),
central finite differences, or numbers worked out by hand.
"""

from __future__ import annotations

import inspect
import math
import os
import subprocess
import sys
import zlib
from collections.abc import Callable, Sequence
from functools import partial
from typing import Any

#: Fewer XLA passes for the JAX references: JAX's numbers, compiled in about two thirds of the
#: time (the older CPU code generator, without LLVM's expensive passes). Compiling is most of the
#: suite's time on a clean checkout. (Not a lower ``xla_backend_optimization_level``: at 0,
#: JAX's derivatives of complex vector norms come out nan.)
FAST_COMPILE_FLAGS = "--xla_cpu_use_fusion_emitters=false --xla_llvm_disable_expensive_passes=true"


def _compile_fast() -> None:
    """Add :data:`FAST_COMPILE_FLAGS` to ``XLA_FLAGS`` for this process and the processes the
    tests start (pytest-xdist's workers too), if this XLA knows them: XLA aborts on an unknown
    flag, so a child process tries them first."""
    current = os.environ.get("XLA_FLAGS", "")
    if FAST_COMPILE_FLAGS in current:
        return
    flags = f"{current} {FAST_COMPILE_FLAGS}".strip()
    probe = subprocess.run(
        [sys.executable, "-c", "import jax.numpy as jnp; jnp.zeros(1).block_until_ready()"],
        env=dict(os.environ, XLA_FLAGS=flags),
        capture_output=True,
    )
    if probe.returncode == 0:
        os.environ["XLA_FLAGS"] = flags


_compile_fast()  # before JAX starts XLA

import jax  # noqa: E402

jax.config.update("jax_enable_x64", True)  # before any JAX array is made

import jax.numpy as jnp  # noqa: E402
import numpy as np  # noqa: E402
import pytest  # noqa: E402
from hypothesis import settings  # noqa: E402

import admodes as ad  # noqa: E402
import admodes.numpy as anp  # noqa: E402
from admodes.registry import REGISTRY  # noqa: E402

# Property tests draw the same examples on every run (CI is a gate, not a search): a search for
# new counterexamples is `pytest --hypothesis-seed=<n>` or `--hypothesis-profile=explore`.
settings.register_profile("reproducible", derandomize=True)
settings.register_profile("explore", derandomize=False, max_examples=200)
settings.load_profile("reproducible")

#: admodes vs JAX in float64 (the project's validation tolerance); long chains get RTOL_LONG.
RTOL = 1e-10
RTOL_LONG = 1e-9
#: admodes vs JAX in float32.
RTOL_F32 = 1e-5
#: Central differences, JAX's check_grads policy in float64.
FD_EPS = 1e-4
FD_RTOL = 1e-5

MODES = ("reverse", "forward")

#: Largest relative error of a float64 comparison at the validation tolerance (``rtol`` at most
#: RTOL_LONG, no ``atol``) in this run, per test file (printed at the end).
MAX_REL_ERR: dict[str, float] = {}


# ---------------------------------------------------------------------------- comparisons
def _record(err: float) -> None:
    where = os.environ.get("PYTEST_CURRENT_TEST", "?").split("::")[0]
    MAX_REL_ERR[where] = max(MAX_REL_ERR.get(where, 0.0), err)


def assert_close(actual: Any, expected: Any, rtol: float = RTOL, atol: float = 0.0) -> None:
    """Two pytrees are equal in structure, shapes and dtypes, and each leaf differs from the
    expected one by at most ``rtol`` times its largest finite entry, plus ``atol``; nan and ±inf
    must sit in the same places."""
    a_leaves, a_def = jax.tree_util.tree_flatten(actual)
    e_leaves, e_def = jax.tree_util.tree_flatten(expected)
    assert a_def == e_def, f"structure {a_def} != {e_def}"
    for a, e in zip(a_leaves, e_leaves, strict=True):
        assert np.shape(a) == np.shape(e), f"shape {np.shape(a)} != {np.shape(e)}"
        a_dtype, e_dtype = np.asarray(a).dtype, np.asarray(e).dtype
        assert a_dtype == e_dtype, f"dtype {a_dtype} != {e_dtype}"
        a64, e64 = _as_float64(a), _as_float64(e)
        np.testing.assert_array_equal(np.isnan(a64), np.isnan(e64), err_msg="nan positions")
        np.testing.assert_array_equal(
            np.where(np.isinf(a64), a64, 0), np.where(np.isinf(e64), e64, 0), err_msg="inf"
        )
        finite = np.isfinite(e64)
        diff = np.max(np.abs(a64[finite] - e64[finite]), initial=0.0)
        scale = np.max(np.abs(e64[finite]), initial=0.0)
        err = diff / scale if scale else diff  # normwise relative error
        if e_dtype in (np.float64, np.complex128) and not atol and rtol <= RTOL_LONG:
            _record(err)
        assert diff <= rtol * scale + atol, (
            f"relative error {err:.3g} > {rtol:g}\nactual {a64}\nexpected {e64}"
        )


def counted(fn: Callable[[], Any]) -> ad.Counts:
    """What ``fn()`` costs, by ``ad.count()``."""
    with ad.count() as c:
        fn()
    return c


def _as_float64(x: Any) -> np.ndarray:
    """x as float64; a complex x as its (real, imaginary) pairs, so both parts are compared."""
    x = np.asarray(x)
    if np.iscomplexobj(x):
        return np.stack([x.real, x.imag], axis=-1).astype(np.float64)
    return x.astype(np.float64)


def assert_exact(actual: Any, expected: Any) -> None:
    """Exact equality of two pytrees of numbers (structure, values; nan equals nan)."""
    a_leaves, a_def = jax.tree_util.tree_flatten(actual)
    e_leaves, e_def = jax.tree_util.tree_flatten(expected)
    assert a_def == e_def, f"structure {a_def} != {e_def}"
    for a, e in zip(a_leaves, e_leaves, strict=True):
        np.testing.assert_array_equal(np.asarray(a), np.asarray(e))


def assert_fd_close(derivative: Any, fd: Any) -> None:
    """A directional derivative agrees with central differences (check_grads: rtol = atol)."""
    np.testing.assert_allclose(derivative, fd, rtol=FD_RTOL, atol=FD_RTOL)


def assert_hessian_is_the_gradients_slope(fn: Callable[..., Any], x: np.ndarray) -> Any:
    """``hessian(fn)(x)``, column by column, equals the central difference of ``grad(fn)``; it
    is returned for further checks."""
    hessian = ad.hessian(fn)(x)
    gradient = ad.grad(fn)
    for j, step in enumerate(FD_EPS * np.eye(len(x))):
        assert_fd_close(hessian[:, j], (gradient(x + step) - gradient(x - step)) / (2 * FD_EPS))
    return hessian


def vdot(a: Any, b: Any) -> float:
    """⟨a, b⟩ summed over every leaf of two pytrees of the same structure."""
    a_leaves = jax.tree_util.tree_leaves(a)
    b_leaves = jax.tree_util.tree_leaves(b)
    return float(
        sum(
            np.vdot(np.asarray(x, np.float64), np.asarray(y, np.float64))
            for x, y in zip(a_leaves, b_leaves, strict=True)
        )
    )


def assert_gradients_match_jax(
    pairs: Sequence[tuple[Callable[..., Any], Callable[..., Any]]],
    args: tuple,
    argnums: tuple[int, ...] | None = None,
    per_mode: bool = True,
) -> None:
    """For each (admodes function, JAX function) pair: the value, and the gradient of a weighted
    sum of the output (weights 1 to 2, so terms do not cancel) in ``argnums`` (default: every
    argument) by each mode, equal JAX's in that mode (reverse: ``jax.grad``; forward:
    ``jax.jacfwd``, which differ where a nan or inf meets a zero; ``per_mode=False``, away from
    such points: both against ``jax.grad``). JAX's are computed in one compiled program for all
    the pairs."""
    argnums = tuple(range(len(args))) if argnums is None else argnums
    transforms = (jax.grad, jax.jacfwd) if per_mode else (jax.grad,)

    def reference(*xs: Any) -> list:
        out = []
        for _, jax_fn in pairs:
            total = partial(_weighted_sum, jnp, jax_fn)
            out.append((jax_fn(*xs), *(t(total, argnums)(*xs) for t in transforms)))
        return out

    expected = jax.jit(reference)(*args)
    with np.errstate(all="ignore"):
        for (ad_fn, _), (value, *by_mode) in zip(pairs, expected, strict=True):
            assert_close(ad_fn(*args), np.asarray(value))
            references = by_mode if per_mode else by_mode * len(MODES)
            for mode, want in zip(MODES, references, strict=True):
                got = ad.grad(partial(_weighted_sum, anp, ad_fn), argnums, mode=mode)(*args)
                assert_close(got, tuple(np.asarray(w) for w in want))


def _weighted_sum(xp: Any, fn: Callable[..., Any], *args: Any) -> Any:
    """Σ w · fn(*args), the weights w evenly spaced from 1 to 2 over the output's entries."""
    y = fn(*args)
    shape = xp.shape(y)
    return xp.sum(y * np.linspace(1.0, 2.0, math.prod(shape)).reshape(shape))


# ---------------------------------------------------------------------------- JAX references
def jax_compiled(fn: Callable[..., Any], *args: Any) -> Any:
    """``jax.jit(fn)(*args)`` as NumPy arrays: one compile of the whole reference, where JAX's
    eager mode would compile each of its operations."""
    return jax.tree_util.tree_map(np.asarray, jax.jit(fn)(*args))


def assert_jacobians(f: Callable[..., Any], args: tuple, jacobian: tuple) -> None:
    """``f``'s value under tracing is its plain one; jacfwd and jacrev in every argument give
    ``jacobian`` (one block per argument); grad of a weighted sum of the output by both modes
    gives the Jacobian contracted with the weights."""
    argnums = tuple(range(len(args)))
    assert_exact(ad.vjp(f, *args)[0], f(*args))
    for transform in (ad.jacfwd, ad.jacrev):
        assert_close(transform(f, argnums)(*args), jacobian)
    out_shape = np.shape(f(*args))
    weights = np.linspace(1.0, 2.0, math.prod(out_shape)).reshape(out_shape)
    for mode in MODES:
        got = ad.grad(lambda *a: anp.sum(f(*a) * weights), argnums, mode=mode)(*args)
        assert_close(got, tuple(np.tensordot(weights, j, len(out_shape)) for j in jacobian))


# ------------------------------------------------------------ one function body, two libraries
class JaxNumpy:
    """``jax.numpy`` plus the names ``admodes.numpy`` adds (``logsumexp``), so that one function
    body ``f(m, x)`` serves both libraries: ``f(anp, x)`` and ``f(JNP, x)``."""

    logsumexp = staticmethod(jax.scipy.special.logsumexp)
    stop_gradient = staticmethod(jax.lax.stop_gradient)

    def __getattr__(self, name: str) -> Any:
        return getattr(jnp, name)


JNP = JaxNumpy()


def both(fn: Callable[..., Any]) -> tuple[Callable[..., Any], Callable[..., Any]]:
    """``fn(m, *args)`` bound to admodes.numpy and to jax.numpy."""
    return partial(fn, anp), partial(fn, JNP)


# ---------------------------------------------------------------------------- random inputs
def sample(rng: np.random.Generator, shape: tuple[int, ...]) -> Any:
    """Standard normal values; shape ``()`` gives a Python float (the engines' fast path)."""
    x = rng.standard_normal(shape)
    return float(x) if shape == () else x


# ------------------------------------------------------------------- vmap: one call on a batch
def doubled(args: tuple, in_axes: tuple) -> tuple:
    """``args`` with every mapped one repeated along its axis: twice the batch."""
    return tuple(
        a if ax is None else np.concatenate([a, a], axis=ax)
        for a, ax in zip(args, in_axes, strict=True)
    )


def op_count(fun: Any, args: tuple) -> int:
    with ad.count() as counts:
        fun(*args)
    return counts.ops


def assert_mapped(fun: Any, in_axes: tuple, args: tuple, out_axes: int = 0) -> None:
    """admodes' vmap of ``fun(anp)`` equals JAX's vmap of ``fun(JNP)``, and it runs ``fun``
    once on the batch: as many ops for twice the batch (a loop of calls would double them)."""
    mapped = ad.vmap(fun(anp), in_axes, out_axes)
    assert_close(mapped(*args), jax.vmap(fun(JNP), in_axes, out_axes)(*args))
    assert op_count(mapped, args) == op_count(mapped, doubled(args, in_axes))


def per_index(f: Callable[..., Any], in_axes: tuple, args: tuple) -> Any:
    """``f`` called at each index of the mapped axes, the outputs stacked (vmap's meaning)."""
    pairs = list(zip(args, in_axes, strict=True))
    n = next(np.shape(a)[ax] for a, ax in pairs if ax is not None)
    outs = [f(*(a if ax is None else np.take(a, i, axis=ax) for a, ax in pairs)) for i in range(n)]
    return jax.tree_util.tree_map(lambda *o: np.stack([np.asarray(v) for v in o]), *outs)


def assert_maps_like_a_loop(
    f: Callable[..., Any],
    in_axes: tuple,
    args: tuple,
    total: Callable[[Any], Any],
    *,
    differentiable: bool = True,
    gradient_once: bool = True,
) -> None:
    """vmap(f) equals f called at each index and runs once on the batch (as many ops for twice
    the batch). With ``differentiable``, so does vmap of the gradient of ``total(f(...))`` in
    the mapped arguments, in both modes (the one-call check only with ``gradient_once``), and
    the reverse-mode gradient of ``total(vmap(f)(...))`` equals the gradients at each index."""

    def once(g: Callable[..., Any]) -> None:
        mapped = ad.vmap(g, in_axes)
        assert op_count(mapped, args) == op_count(mapped, doubled(args, in_axes))

    def summed(*a: Any) -> Any:
        return total(f(*a))

    with np.errstate(all="ignore"):
        assert_close(ad.vmap(f, in_axes)(*args), per_index(f, in_axes, args), rtol=1e-13)
        once(f)
        if not differentiable:
            return
        argnums = tuple(i for i, ax in enumerate(in_axes) if ax is not None)
        for mode in MODES:
            grad = ad.grad(summed, argnums, mode=mode)
            assert_close(ad.vmap(grad, in_axes)(*args), per_index(grad, in_axes, args), rtol=1e-13)
            if gradient_once:
                once(grad)
        through = ad.grad(lambda *a: total(ad.vmap(f, in_axes)(*a)), argnums)(*args)
        through = tuple(
            np.moveaxis(g, in_axes[i], 0) for g, i in zip(through, argnums, strict=True)
        )
        expected = per_index(ad.grad(summed, argnums), in_axes, args)
        assert_close(through, expected, rtol=1e-13)


def assert_takes_jaxs_parameters(ours: Callable[..., Any], theirs: Callable[..., Any]) -> None:
    """Every parameter of JAX's function is one of admodes' (JAX's positional ones at JAX's
    positions), so that each call JAX takes, by position or keyword, admodes takes."""
    names = list(inspect.signature(ours).parameters)
    for position, (key, parameter) in enumerate(inspect.signature(theirs).parameters.items()):
        assert key in names, f"{ours.__name__} lacks JAX's parameter {key}"
        if parameter.kind is parameter.POSITIONAL_OR_KEYWORD:
            assert names[position] == key, f"{ours.__name__}: {key} is not at JAX's position"


def jax_or_ad(m: Any) -> Any:
    """The transforms that go with a namespace: admodes' for ``anp``, JAX's for ``JNP``."""
    return ad if m is anp else jax


@pytest.fixture
def scratch_registry() -> Any:
    """The registry as it was before the test (for tests that register ops of their own)."""
    before = dict(REGISTRY)
    yield
    REGISTRY.clear()
    REGISTRY.update(before)


@pytest.fixture
def rng(request: pytest.FixtureRequest) -> np.random.Generator:
    """A generator seeded from the test's id: every test sees its own reproducible inputs."""
    return np.random.default_rng(zlib.crc32(request.node.nodeid.encode()))


def pytest_sessionfinish(session: pytest.Session) -> None:
    """Under pytest-xdist, a worker hands its largest errors to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["max_rel_err"] = {k: float(v) for k, v in MAX_REL_ERR.items()}


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """The controller merges each worker's largest errors (pytest-xdist)."""
    for where, err in getattr(node, "workeroutput", {}).get("max_rel_err", {}).items():
        MAX_REL_ERR[where] = max(MAX_REL_ERR.get(where, 0.0), err)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if MAX_REL_ERR:
        terminalreporter.section("largest relative error of float64 comparisons (assert_close)")
        for where, err in sorted(MAX_REL_ERR.items()):
            terminalreporter.write_line(f"{where}: {err:.3g}")
