"""``ad.checkpoint`` and ``ad.iterate`` (store_all, sqrt, binomial).

References, all independent of admodes' checkpointing code: JAX in float64 (``jax.checkpoint``
and plain Python loops), the same function differentiated without checkpointing, the Revolve
closed form t(l, s) = r·l − β(s+1, r−1) with literal values worked out by hand and the dynamic
programme ``brute_force_advances`` (a separate implementation of the recurrence), arrays' own
``nbytes`` and ``tracemalloc`` for memory.
"""

from __future__ import annotations

import gc
import math
import tracemalloc
from collections.abc import Callable
from functools import partial
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import RTOL, RTOL_LONG, assert_close, counted
from schedule_oracles import brute_force_advances

import admodes as ad
import admodes.numpy as anp

#: Checkpointing only changes when work is done, not what: gradients agree to this.
SAME = 1e-12

SCHEDULES = [("store_all", None), ("sqrt", None), ("binomial", 1), ("binomial", 3)]
SCHEDULE_IDS = ["store_all", "sqrt", "binomial s=1", "binomial s=3"]


def no_checkpoint(f: Callable) -> Callable:
    return f


# =================================================================================== checkpoint
# Each function takes (np_, ck) so that the same code runs as admodes without and with
# ad.checkpoint, and as JAX with jax.checkpoint. Arguments: x (4,), w (4,).
def f_chain(x, w, np_, ck):
    def body(z):
        for _ in range(6):
            z = np_.sin(z) * 1.1 + 0.05 * z
        return z

    return np_.sum(ck(body)(x) * w)


def f_closure(x, w, np_, ck):
    """Checkpointed pieces close over the traced parameter w."""
    layer = ck(lambda z: np_.tanh(w * z + 0.1) * w)
    return np_.sum(layer(layer(layer(x))) ** 2)


def f_nested(x, w, np_, ck):
    inner = ck(lambda z: np_.sin(z) * 1.3)
    outer = ck(lambda z: inner(inner(z)) + z * z)
    return np_.sum(outer(outer(x)) * w)


def f_nested_closure(x, w, np_, ck):
    """Nested checkpoints, the inner one closing over the traced parameter w."""
    inner = ck(lambda z: np_.sin(z) * w)
    outer = ck(lambda z: inner(inner(z)) + z * z)
    return np_.sum(outer(outer(x)))


def f_pytree(x, w, np_, ck):
    """Several arguments (one a constant float), a pytree output with a constant leaf."""
    piece = ck(lambda a, b, k: {"s": np_.sin(a) * b * k, "c": [np_.cos(a * b), 3.0]})
    out = piece(x, w, 2.0)
    return np_.sum(out["s"] * out["c"][0]) * out["c"][1]


def f_matmul(x, w, np_, ck):
    A = np_.reshape(x, (2, 2))
    layer = ck(lambda h: np_.tanh(h @ A) + np_.reshape(w, (2, 2)))
    return np_.sum(layer(layer(np_.reshape(w, (2, 2)))))


CK_FUNCS = {
    "chain": f_chain,
    "closure": f_closure,
    "nested": f_nested,
    "nested closure": f_nested_closure,
    "pytree": f_pytree,
    "matmul": f_matmul,
}
CK_REVERSE = [pytest.param(f, id=name) for name, f in CK_FUNCS.items()]


def _xw(rng):
    return 0.7 * rng.standard_normal(4), 0.8 * rng.standard_normal(4)


def _admodes(f, ck=ad.checkpoint):
    return lambda x, w: f(x, w, anp, ck)


def _jax(f, ck=jax.checkpoint):
    return lambda x, w: f(x, w, jnp, ck)


@pytest.mark.parametrize("f", CK_REVERSE)
def test_checkpoint_gradient(rng, f):
    x, w = _xw(rng)
    g = ad.grad(_admodes(f), argnums=(0, 1))(x, w)
    assert_close(g, ad.grad(_admodes(f, no_checkpoint), argnums=(0, 1))(x, w), SAME)
    assert_close(g, jax.grad(_jax(f), argnums=(0, 1))(x, w), RTOL)


def test_jax_keywords(rng):
    """JAX's prevent_cse changes nothing here; JAX's own saving policies are refused (they read
    JAX's primitives; admodes.checkpoint_policies has them: tests/test_checkpoint_policies.py;
    static_argnums and static_argnames: tests/test_api_keywords.py)."""
    x, w = _xw(rng)
    ck = partial(ad.checkpoint, prevent_cse=False)
    jck = partial(jax.checkpoint, prevent_cse=False)
    f = next(iter(CK_FUNCS.values()))
    assert_close(
        ad.grad(_admodes(f, ck), argnums=(0, 1))(x, w),
        jax.grad(_jax(f, jck), argnums=(0, 1))(x, w),
        RTOL,
    )
    with pytest.raises(TypeError, match="policy of the same name"):
        ad.checkpoint(anp.sin, policy=jax.checkpoint_policies.dots_saveable)


@pytest.mark.parametrize(("argnums", "want"), [(1, "x"), ((0, 1), "w, x")])
def test_nested_checkpoint_closure_minimal(argnums, want):
    """sum(ck(z ↦ ck(u ↦ u·w)(z))(x)) = Σ x·w: ∂/∂w = x and ∂/∂x = w, by hand."""
    x, w = np.array([0.5, -1.0]), np.array([0.3, 0.7])

    def f(x, w):
        inner = ad.checkpoint(lambda u: u * w)
        return anp.sum(ad.checkpoint(lambda z: inner(z))(x))

    g = ad.grad(f, argnums=argnums)(x, w)
    # np.testing, not assert_close: a known-wrong result must not enter the JAX error summary
    for got, want in zip(
        (g,) if argnums == 1 else g, (x,) if argnums == 1 else (w, x), strict=True
    ):
        assert isinstance(got, np.ndarray)
        np.testing.assert_allclose(got, want, rtol=RTOL)


@pytest.mark.parametrize("f", CK_REVERSE)
def test_checkpoint_vjp_twice(rng, f):
    """A vjp function may be called more than once: the checkpointed piece is re-run each time."""
    x, w = _xw(rng)
    _, vjp_fn = ad.vjp(_admodes(f), x, w)
    _, want = jax.vjp(_jax(f), x, w)
    for ct in (1.0, -2.5):
        assert_close(vjp_fn(ct), want(ct), RTOL)


TRANSFORMS = {
    "hessian": lambda f: ad.hessian(f),
    "jacrev of grad": lambda f: ad.jacrev(ad.grad(f)),
    "jacfwd of grad": lambda f: ad.jacfwd(ad.grad(f)),
    "grad of jacfwd": lambda f: ad.grad(lambda x, w: anp.sum(ad.jacfwd(f)(x, w))),
    "hvp": lambda f: lambda x, w: ad.hvp(f, (x, w), (w, x)),
}


@pytest.mark.parametrize("f", [f_closure, f_nested], ids=["closure", "nested"])
@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_checkpoint_composes(rng, f, transform):
    """Second derivatives through checkpoints equal those without (admodes' hessian is itself
    checked against JAX in test_registry; one JAX check below)."""
    x, w = _xw(rng)
    got = transform(_admodes(f))(x, w)
    assert_close(got, transform(_admodes(f, no_checkpoint))(x, w), SAME)


def test_checkpoint_hessian_against_jax(rng):
    x, w = _xw(rng)
    assert_close(ad.hessian(_admodes(f_closure))(x, w), jax.hessian(_jax(f_closure))(x, w), RTOL)


@pytest.mark.parametrize("jac", [ad.jacrev, ad.jacfwd], ids=["jacrev", "jacfwd"])
def test_checkpoint_jacobians(rng, jac):
    """Vector output: the Jacobian w.r.t. a parameter the checkpointed piece closes over."""
    x, w = _xw(rng)
    f = lambda np_, ck: lambda w: ck(lambda z: np_.tanh(w * z) * np_.sum(w))(x)
    assert_close(jac(f(anp, ad.checkpoint))(w), jax.jacrev(f(jnp, jax.checkpoint))(w), RTOL)


@pytest.mark.parametrize(
    ("outer", "inner"),
    [
        ("reverse", "reverse"),
        ("reverse", "forward"),
        ("forward", "reverse"),
        ("forward", "forward"),
    ],
)
def test_checkpoint_no_perturbation_confusion(outer, inner):
    """d/dx [x · d/dy ck(x + y)] at x = y = 1 is exactly 1 (no perturbation confusion)."""
    plus = ad.checkpoint(lambda a, b: a + b)
    f = lambda x: x * ad.grad(lambda y: plus(x, y), mode=inner)(1.0)
    assert ad.grad(f, mode=outer)(1.0) == 1.0


def test_checkpoint_reruns_the_piece_once(rng):
    """With the checkpoint, the backward sweep re-runs the piece once: the primal phase is
    unchanged and the vjp phase gains exactly the piece's work (by hand: 6 × (sin, ×1.1, ×0.05,
    +) on 4 elements = 24 ops, 96 FLOPs)."""
    x, w = _xw(rng)
    plain = counted(lambda: ad.grad(_admodes(f_chain, no_checkpoint))(x, w))
    ckpt = counted(lambda: ad.grad(_admodes(f_chain))(x, w))
    assert ckpt.by_phase["primal"] == plain.by_phase["primal"]
    assert ckpt.by_phase["vjp"]["ops"] == plain.by_phase["vjp"]["ops"] + 24
    assert ckpt.by_phase["vjp"]["flops"] == plain.by_phase["vjp"]["flops"] + 96
    assert ckpt.step_advances == plain.step_advances == 0


FORWARD = {
    "jvp": lambda f, x, w: ad.jvp(f, (x, w), (w, x)),
    "jacfwd": lambda f, x, w: ad.jacfwd(f, argnums=(0, 1))(x, w),
    "grad forward": lambda f, x, w: ad.grad(f, argnums=(0, 1), mode="forward")(x, w),
}


@pytest.mark.parametrize("f", CK_FUNCS.values(), ids=CK_FUNCS.keys())
@pytest.mark.parametrize("transform", FORWARD.values(), ids=FORWARD.keys())
def test_checkpoint_forward_mode_passes_through(rng, f, transform):
    """Forward mode ignores the checkpoint: same result, and the very same work."""
    x, w = _xw(rng)
    with ad.count() as c_ck:
        got = transform(_admodes(f), x, w)
    with ad.count() as c_plain:
        want = transform(_admodes(f, no_checkpoint), x, w)
    assert_close(got, want, SAME)
    assert (c_ck.ops, c_ck.flops, c_ck.by_op, c_ck.by_phase) == (
        c_plain.ops,
        c_plain.flops,
        c_plain.by_op,
        c_plain.by_phase,
    )
    assert c_ck.step_advances == 0


def test_checkpoint_outside_transforms(rng):
    x, w = _xw(rng)
    assert _admodes(f_pytree)(x, w) == pytest.approx(float(_jax(f_pytree)(x, w)), rel=RTOL)


@pytest.mark.parametrize("mode", ["reverse", "forward"])
def test_checkpoint_keyword_arguments(rng, mode):
    """Keyword arguments reach the checkpointed piece, a traced one differentiated (JAX)."""

    def f(x, w, np_, ck):
        piece = ck(lambda z, *, scale, shift=0.0: np_.sin(z * scale) + shift)
        return np_.sum(piece(x, scale=w, shift=0.5) * x)

    x, w = _xw(rng)
    expected = jax.grad(partial(f, np_=jnp, ck=jax.checkpoint), argnums=(0, 1))(x, w)
    got = ad.grad(partial(f, np_=anp, ck=ad.checkpoint), argnums=(0, 1), mode=mode)(x, w)
    assert_close(got, expected)


#: Checkpointed pieces that take an integer (an index, a step number) beside the float values,
#: as a loop or scan body does; each is ``f(x, np_, ck, lax)`` with x a float vector of length 3.
INTEGER_ARGUMENTS = {
    "a Python int index": lambda x, np_, ck, lax: ck(lambda b, i: b[i] ** 2)(x, 1),
    "a NumPy integer index": lambda x, np_, ck, lax: ck(lambda b, i: b[i] ** 2)(x, np.int64(2)),
    "an integer array index": lambda x, np_, ck, lax: np_.sum(
        ck(lambda b, i: np_.sin(b[i]))(x, np.array([2, 0, 2]))
    ),
    "an update at an index": lambda x, np_, ck, lax: np_.sum(
        ck(lambda b, i: b.at[i].set(b[0] * b[i]) ** 2)(x, 1)
    ),
    "a mask": lambda x, np_, ck, lax: np_.sum(
        ck(lambda b, flip: np_.where(flip, -b, b))(x, np.array([True, False, True])) * x
    ),
    "a scan body over indices": lambda x, np_, ck, lax: lax.scan(
        ck(lambda c, i: (c * x[i], None)), 1.0, np.array([0, 2, 1])
    )[0],
    "a fori_loop body": lambda x, np_, ck, lax: lax.fori_loop(
        0, 3, ck(lambda i, c: c + np_.sin(x[i] * c)), 0.5
    ),
}


@pytest.mark.parametrize("mode", ["reverse", "forward"])
@pytest.mark.parametrize("case", INTEGER_ARGUMENTS)
def test_checkpoint_integer_arguments_reach_the_piece_as_they_are(case, mode):
    """An integer or bool argument of a checkpointed piece is not differentiated: the piece gets
    it as it would without the checkpoint, so it can index with it (JAX)."""
    f = INTEGER_ARGUMENTS[case]
    x = np.array([0.5, -1.0, 2.0])
    expected = jax.grad(partial(f, np_=jnp, ck=jax.checkpoint, lax=jax.lax))(x)
    got = ad.grad(partial(f, np_=anp, ck=ad.checkpoint, lax=ad.lax), mode=mode)(x)
    assert_close(got, expected)


# ----------------------------------------------------------------- checkpoint: pass-through
# A checkpointed piece may return a value unchanged (an input, a closed-over traced value): no op
# meets it, yet its cotangent must reach it. Each function takes (x, np_, ck), returns a tuple.
def p_input(x, np_, ck):
    return ck(lambda z: (z, np_.sin(z) * 2))(x)


def p_input_twice(x, np_, ck):
    return ck(lambda z: (z, z * 2, z))(x)


def p_only_input(x, np_, ck):
    return (ck(lambda z: z)(x * 1.5),)


def p_closed_over(x, np_, ck):
    c = 5 * x
    return ck(lambda z: (z * 2, c, c * z))(np_.sin(x))


def p_constant(x, np_, ck):
    return ck(lambda z: (z * 3, 2.0, z))(x)


def p_nested(x, np_, ck):
    inner = ck(lambda u: (u, np_.cos(u)))
    return ck(lambda z: (*inner(z * 2), z))(x)


def p_nested_closed_over(x, np_, ck):
    """The inner piece passes through values of the outer piece's that it closes over."""

    def outer(z):
        y = np_.sin(z)
        return ck(lambda u: (u * y, y, z))(z * 3)

    return ck(outer)(x)


PASS_FUNCS = {
    "input": p_input,
    "input twice": p_input_twice,
    "only input": p_only_input,
    "closed over": p_closed_over,
    "constant": p_constant,
    "nested": p_nested,
    "nested closed over": p_nested_closed_over,
}
PASS_XS = {"scalar": 0.7, "array": np.array([0.3, -0.8, 1.1])}


def weighted_sum(outputs: Any, np_) -> Any:
    """A scalar of every output leaf, each weighted differently (a lost cotangent shows)."""
    return sum(np_.sum(np_.sin(o) * (k + 1)) for k, o in enumerate(outputs))


@pytest.mark.parametrize("x", PASS_XS.values(), ids=PASS_XS.keys())
@pytest.mark.parametrize("f", PASS_FUNCS.values(), ids=PASS_FUNCS.keys())
def test_checkpoint_pass_through(f, x):
    """Value, gradient and Jacobian through a piece that passes values through: JAX's (with
    jax.checkpoint), and the same as without the checkpoint."""
    loss = lambda np_, ck: lambda x: weighted_sum(f(x, np_, ck), np_)
    v, g = ad.value_and_grad(loss(anp, ad.checkpoint))(x)
    v_jax, g_jax = jax.value_and_grad(loss(jnp, jax.checkpoint))(x)
    assert_close(v, v_jax, RTOL)
    assert_close(g, ad.grad(loss(anp, no_checkpoint))(x), SAME)
    assert_close(g, g_jax, RTOL)
    jac = ad.jacrev(lambda x: f(x, anp, ad.checkpoint))(x)
    assert_close(jac, jax.jacrev(lambda x: f(x, jnp, jax.checkpoint))(x), RTOL)


@pytest.mark.parametrize("f", PASS_FUNCS.values(), ids=PASS_FUNCS.keys())
def test_checkpoint_pass_through_hessian(f):
    x = PASS_XS["array"]
    loss = lambda np_, ck: lambda x: weighted_sum(f(x, np_, ck), np_)
    assert_close(ad.hessian(loss(anp, ad.checkpoint))(x), jax.hessian(loss(jnp, jax.checkpoint))(x))


# ----------------------------------------------------------------- checkpoint: memory
LAYERS, SIN_STEPS, BIG = 16, 8, 20_000


def _deep(x, ck):
    """LAYERS layers of SIN_STEPS × (sin, ×1.1, ×0.05, +); each layer checkpointed or not."""

    def layer(z):
        for _ in range(SIN_STEPS):
            z = anp.sin(z) * 1.1 + 0.05 * z
        return z

    f = ck(layer)
    for _ in range(LAYERS):
        x = f(x)
    return anp.sum(x * x)


def _measure_grad(fun: Callable, x: np.ndarray) -> tuple[ad.Counts, int, Any]:
    """count() and tracemalloc's peak (bytes above the start) over one gradient."""
    gc.collect()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with ad.count() as c:
            g = ad.grad(fun)(x)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    return c, peak, g


def test_checkpoint_saves_memory():
    """Checkpointing every layer keeps the layer boundaries and one layer's residuals instead
    of every residual. By hand, with a state of BIG float64: each of the 4 ops of a step saves
    one new array, so a layer holds 4·SIN_STEPS arrays; without checkpoints all LAYERS layers
    are held, with them LAYERS + 1 boundaries plus one layer (and the loss's x·x)."""
    x = np.random.default_rng(0).standard_normal(BIG)
    state, layer = x.nbytes, 4 * SIN_STEPS * x.nbytes
    plain, tm_plain, g_plain = _measure_grad(lambda x: _deep(x, no_checkpoint), x)
    ckpt, tm_ckpt, g_ckpt = _measure_grad(lambda x: _deep(x, ad.checkpoint), x)
    print(
        f"\n{LAYERS} layers on {BIG:,} float64: peak_saved_bytes {plain.peak_saved_bytes:,} "
        f"→ {ckpt.peak_saved_bytes:,} ({plain.peak_saved_bytes / ckpt.peak_saved_bytes:.1f}× less);"
        f" tracemalloc peak {tm_plain:,} → {tm_ckpt:,} ({tm_plain / tm_ckpt:.1f}× less)"
    )
    assert_close(g_ckpt, g_plain, SAME)
    assert plain.peak_saved_bytes >= LAYERS * layer
    assert ckpt.peak_saved_bytes <= (LAYERS + 4) * state + layer
    assert ckpt.peak_saved_bytes < plain.peak_saved_bytes / 5
    # the memory really is smaller, and peak_saved_bytes tracks it
    assert tm_ckpt < tm_plain / 5
    for c, tm in ((plain, tm_plain), (ckpt, tm_ckpt)):
        assert abs(tm / c.peak_saved_bytes - 1) <= 0.2


# ====================================================================================== iterate
W_STEP = np.array([0.3, -0.7, 0.9])
X_STEP = np.array([0.5, -1.0, 2.0])


def contraction(w: Any, np_=anp) -> Callable[[Any], Any]:
    """x ← 0.5·x + 0.4·tanh(w·x) + 0.1: a contraction for |w| ≤ 1, so long chains stay tame."""
    return lambda x: 0.5 * x + 0.4 * np_.tanh(w * x) + 0.1


def iterate_loss(x0, w, n, schedule="store_all", snapshots=None):
    y = ad.iterate(contraction(w), x0, n, schedule=schedule, snapshots=snapshots)
    return anp.sum(y * y)


def reference_grad(x0, w, n):
    """Hand-written backpropagation (NumPy) of sum(x_n²) w.r.t. (x0, w): with u = w·x and
    s = 1 − tanh²(u), x̄ ← x̄·(0.5 + 0.4·s·w) and w̄ += x̄·0.4·s·x."""
    xs = [x0]
    for _ in range(n):
        xs.append(contraction(w, np)(xs[-1]))
    x_bar, w_bar = 2 * xs[-1], np.zeros_like(w)
    for x in reversed(xs[:-1]):
        s = 1 - np.tanh(w * x) ** 2
        w_bar = w_bar + x_bar * 0.4 * s * x
        x_bar = x_bar * (0.5 + 0.4 * s * w)
    return x_bar, w_bar


def expected_advances(n: int, schedule: str, snapshots: int | None) -> int:
    """store_all 0, sqrt n (one extra forward pass), binomial t(n, s) by brute force."""
    if schedule == "store_all":
        return 0
    return n if schedule == "sqrt" else brute_force_advances(n, snapshots)


def revolve_advances(steps: int, s: int) -> int:
    """t(l, s) = r·l − β(s+1, r−1) for l steps, β(s, r) = C(s+r, s), β(s, r−1) < l ≤ β(s, r)."""
    r = 0
    while math.comb(s + r, s) < steps:
        r += 1
    return r * steps - (math.comb(s + 1 + r - 1, s + 1) if r >= 1 else 0)


#: (l, s) → t(l, s): literal values worked out by hand, then pairs checked against brute force.
LITERAL = {(10, 1): 45, (10, 2): 20, (10, 3): 15, (30, 3): 85, (100, 5): 316}
MORE = [(1, 1), (2, 1), (2, 2), (5, 2), (7, 3), (16, 3), (20, 4), (25, 2), (40, 6), (64, 4)]
PAIRS = [(*p, t) for p, t in LITERAL.items()] + [(*p, brute_force_advances(*p)) for p in MORE]


def test_pair_table_is_consistent():
    """The literal values, the brute force and the closed form agree."""
    for steps, s, t in PAIRS:
        assert revolve_advances(steps, s) == t == brute_force_advances(steps, s), (steps, s)


@pytest.fixture(scope="module")
def store_all_grads() -> dict[int, Any]:
    """store_all gradients w.r.t. (x0, w), each checked against the hand-written backprop."""
    grads: dict[int, Any] = {}
    for n in sorted({steps for steps, _, _ in PAIRS} | {1, 9, 10, 30}):
        grads[n] = ad.grad(iterate_loss, argnums=(0, 1))(X_STEP, W_STEP, n)
        assert_close(grads[n], reference_grad(X_STEP, W_STEP, n), RTOL_LONG)
    return grads


def test_reference_grad_against_jax():
    """The hand-written backprop itself, against JAX (once)."""
    loss = lambda x0, w: jnp.sum(
        jax.lax.fori_loop(0, 30, lambda i, x: contraction(w, jnp)(x), x0) ** 2
    )
    assert_close(reference_grad(X_STEP, W_STEP, 30), jax.grad(loss, argnums=(0, 1))(X_STEP, W_STEP))


@pytest.mark.parametrize(("steps", "s", "t"), PAIRS, ids=[f"l={n},s={s}" for n, s, _ in PAIRS])
def test_binomial_advances_are_optimal(store_all_grads, steps, s, t):
    """Reverse mode through iterate(binomial, snapshots=s) executes exactly t(l, s) unrecorded
    steps, and the gradient (w.r.t. the initial state and the closed-over parameter) is
    store_all's."""
    with ad.count() as c:
        g = ad.grad(iterate_loss, argnums=(0, 1))(X_STEP, W_STEP, steps, "binomial", s)
    assert c.step_advances == t
    assert_close(g, store_all_grads[steps], SAME)


@pytest.mark.parametrize("n", [1, 9, 10, 30])
def test_sqrt_advances_once(store_all_grads, n):
    """sqrt: one extra forward pass (n advances) and store_all's gradient; store_all: none."""
    with ad.count() as c:
        g = ad.grad(iterate_loss, argnums=(0, 1))(X_STEP, W_STEP, n, "sqrt")
    assert c.step_advances == n
    assert_close(g, store_all_grads[n], SAME)
    c_all = counted(lambda: ad.grad(iterate_loss, argnums=(0, 1))(X_STEP, W_STEP, n))
    assert c_all.step_advances == 0


@pytest.mark.parametrize("n", [9, 30])
def test_binomial_default_snapshots(store_all_grads, n):
    """snapshots=None: ⌈log₂ n⌉ + 1 stored states (schedules.default_snapshots' contract)."""
    s = math.ceil(math.log2(n)) + 1
    with ad.count() as c:
        g = ad.grad(iterate_loss, argnums=(0, 1))(X_STEP, W_STEP, n, "binomial")
    assert c.step_advances == brute_force_advances(n, s)
    assert_close(g, store_all_grads[n], SAME)


@pytest.mark.parametrize(("schedule", "snapshots"), SCHEDULES, ids=SCHEDULE_IDS)
@pytest.mark.parametrize("n", [0, 1, 2, 5])
def test_iterate_short_chains(schedule, snapshots, n):
    """Value (outside any transform and under grad) and gradient for 0, 1, 2, 5 steps."""
    x = X_STEP.copy()
    want_value = X_STEP
    for _ in range(n):
        want_value = contraction(W_STEP, np)(want_value)
    value = ad.iterate(contraction(W_STEP, np), x, n, schedule=schedule, snapshots=snapshots)
    np.testing.assert_allclose(value, want_value, rtol=1e-15)
    with ad.count() as c:
        v, g = ad.value_and_grad(iterate_loss, argnums=(0, 1))(x, W_STEP, n, schedule, snapshots)
    assert v == pytest.approx(float(np.sum(want_value**2)), rel=1e-14)
    assert_close(g, reference_grad(X_STEP, W_STEP, n), RTOL)
    assert c.step_advances == expected_advances(n, schedule, snapshots)


def test_iterate_python_float_state():
    """A Python float state: the gradient is a float."""
    f = lambda a, sched, s: ad.iterate(
        lambda z: anp.sin(z) * 1.5, a, 6, schedule=sched, snapshots=s
    )
    want = jax.grad(lambda a: jax.lax.fori_loop(0, 6, lambda i, z: jnp.sin(z) * 1.5, a))(0.3)
    for schedule, snapshots in SCHEDULES:
        g = ad.grad(f)(0.3, schedule, snapshots)
        assert g == pytest.approx(float(want), rel=RTOL)


# ----------------------------------------------------------------- iterate: pytree states
H = 3


def lstm_step(W, b, np_=anp):
    """An LSTM-like cell on a (h, c) tuple; W (2H, 4H) and b (4H,) are closed over."""

    def step(state):
        h, c = state
        z = np_.concatenate([h, c]) @ W + b
        sig = lambda v: 1.0 / (1.0 + np_.exp(-v))
        i, f, o, g = z[:H], z[H : 2 * H], z[2 * H : 3 * H], z[3 * H :]
        c = sig(f) * c + sig(i) * np_.tanh(g)
        return (sig(o) * np_.tanh(c), c)

    return step


def lstm_loss(W, b, h0, c0, n=7, schedule="store_all", snapshots=None, np_=anp):
    if np_ is anp:
        h, c = ad.iterate(lstm_step(W, b), (h0, c0), n, schedule=schedule, snapshots=snapshots)
    else:
        h, c = h0, c0
        for _ in range(n):
            h, c = lstm_step(W, b, jnp)((h, c))
    return np_.sum(h * h) + np_.sum(c)


LSTM_V = np.random.default_rng(12).standard_normal((2 * H, 4 * H))


@pytest.fixture(scope="module")
def lstm():
    rng = np.random.default_rng(11)
    args = (
        0.5 * rng.standard_normal((2 * H, 4 * H)),
        0.1 * rng.standard_normal(4 * H),
        0.5 * rng.standard_normal(H),
        0.5 * rng.standard_normal(H),
    )
    grad = jax.jit(jax.grad(lambda *a: lstm_loss(*a, np_=jnp), argnums=(0, 1, 2, 3)))
    W, b, h0, c0 = args
    _, tangent = jax.jit(
        lambda W, V: jax.jvp(lambda W: lstm_loss(W, b, h0, c0, np_=jnp), (W,), (V,))
    )(W, LSTM_V)
    return args, grad(*args), tangent


@pytest.mark.slow
@pytest.mark.parametrize(("schedule", "snapshots"), SCHEDULES, ids=SCHEDULE_IDS)
@pytest.mark.parametrize("argnums", [(0, 1, 2, 3), (0, 1)], ids=["params and state", "params only"])
def test_iterate_lstm_pytree_state(lstm, schedule, snapshots, argnums):
    """A (h, c) state and a step that closes over traced parameters: every gradient matches
    JAX, also when the initial state is a constant."""
    args, want, _ = lstm
    loss = lambda *a: lstm_loss(*a, schedule=schedule, snapshots=snapshots)
    with ad.count() as c:
        g = ad.grad(loss, argnums=argnums)(*args)
    assert_close(g, tuple(want[i] for i in argnums), RTOL)
    assert c.step_advances == expected_advances(7, schedule, snapshots)


# ----------------------------------------------------------------- iterate: pass-through
# Steps that return a value unchanged. Each takes (x, np_) and gives (step, x0).
def s_carried(x, np_):
    return (lambda s: (s[0], np_.sin(s[1]) * s[0] + 0.1)), (x, np_.cos(x))


def s_same_value_twice(x, np_):
    """The initial state holds the very same traced value twice."""
    return (lambda s: (s[0], s[1] * s[0])), (x, x)


def s_output_twice(x, np_):
    return (lambda s: (s[0], s[0], np_.sin(s[2]) * s[1])), (x, x * 2, x)


def s_closed_over(x, np_):
    c = np_.cos(x)
    return (lambda s: (c, np_.sin(s[1]) * s[0] + c)), (x, x * 0.5)


def s_constant(x, np_):
    return (lambda s: (s[0], s[1] * s[0])), (1.1, x)


STEP_FUNCS = {
    "carried": s_carried,
    "same value twice": s_same_value_twice,
    "output twice": s_output_twice,
    "closed over": s_closed_over,
    "constant": s_constant,
}
#: The step itself plain or checkpointed (then checkpoints nest under sqrt): admodes, JAX.
STEP_CHECKPOINTS = {
    "plain step": (no_checkpoint, no_checkpoint),
    "checkpointed step": (ad.checkpoint, jax.checkpoint),
}
PASS_STEPS = 5


def pass_through_loss(case, np_, ck, schedule=None, snapshots=None):
    """weighted_sum of the state after PASS_STEPS steps: ad.iterate, or a plain loop in JAX."""

    def loss(x):
        step, state = case(x, np_)
        if np_ is anp:
            state = ad.iterate(ck(step), state, PASS_STEPS, schedule=schedule, snapshots=snapshots)
        else:
            for _ in range(PASS_STEPS):
                state = ck(step)(state)
        return weighted_sum(state, np_)

    return loss


@pytest.mark.parametrize(("schedule", "snapshots"), SCHEDULES, ids=SCHEDULE_IDS)
@pytest.mark.parametrize("x", PASS_XS.values(), ids=PASS_XS.keys())
@pytest.mark.parametrize("cks", STEP_CHECKPOINTS.values(), ids=STEP_CHECKPOINTS.keys())
@pytest.mark.parametrize("case", STEP_FUNCS.values(), ids=STEP_FUNCS.keys())
def test_iterate_pass_through(case, cks, x, schedule, snapshots):
    """Value and gradient of a state with pass-through leaves: JAX's plain loop's."""
    ck, ck_jax = cks
    with ad.count() as c:
        v, g = ad.value_and_grad(pass_through_loss(case, anp, ck, schedule, snapshots))(x)
    v_jax, g_jax = jax.value_and_grad(pass_through_loss(case, jnp, ck_jax))(x)
    assert_close(v, v_jax, RTOL)
    assert_close(g, g_jax, RTOL)
    assert c.step_advances == expected_advances(PASS_STEPS, schedule, snapshots)


def rnn_loss(W, h0, variant, np_, schedule=None, snapshots=None):
    """An RNN whose state (W, h) carries its weights: the step returns W unchanged, the state's
    W ("carried") or a closed-over W (the state's W then only starts it, or is a constant)."""
    if variant == "carried":
        step, x0 = (lambda s: (s[0], np_.tanh(s[0] @ s[1]))), (W, h0)
    else:
        step = lambda s: (W, np_.tanh(W @ s[1]) + 0.1 * s[0][0])
        x0 = (W if variant == "closed over" else np.zeros((H, H)), h0)
    if np_ is anp:
        Wn, h = ad.iterate(step, x0, 6, schedule=schedule, snapshots=snapshots)
    else:
        Wn, h = x0
        for _ in range(6):
            Wn, h = step((Wn, h))
    return np_.sum(h * h) + np_.sum(np_.sin(Wn))


RNN_VARIANTS = ["carried", "closed over", "closed over, constant state"]


@pytest.mark.parametrize(("schedule", "snapshots"), SCHEDULES, ids=SCHEDULE_IDS)
@pytest.mark.parametrize("variant", RNN_VARIANTS)
def test_iterate_rnn_weights_pass_through(schedule, snapshots, variant):
    """Gradients w.r.t. (W, h0) match JAX's plain loop, for a vjp function called twice (the
    binomial schedule then rebuilds its last step)."""
    rng = np.random.default_rng(5)
    W, h0 = 0.5 * rng.standard_normal((H, H)), rng.standard_normal(H)
    loss = lambda W, h0: rnn_loss(W, h0, variant, anp, schedule, snapshots)
    v, vjp_fn = ad.vjp(loss, W, h0)
    v_jax, vjp_jax = jax.vjp(lambda W, h0: rnn_loss(W, h0, variant, jnp), W, h0)
    assert_close(v, v_jax, RTOL)
    for ct in (1.0, -2.5):
        assert_close(vjp_fn(ct), vjp_jax(ct), RTOL)


# ----------------------------------------------------------------- iterate: other modes
@pytest.mark.parametrize(("schedule", "snapshots"), SCHEDULES, ids=SCHEDULE_IDS)
def test_iterate_forward_mode(lstm, schedule, snapshots):
    """Forward mode runs the plain loop whatever the schedule: JAX's tangents, store_all's work
    and no advances."""
    (W, b, h0, c0), want, t_jax = lstm
    f = lambda sched, s: lambda W: lstm_loss(W, b, h0, c0, schedule=sched, snapshots=s)
    with ad.count() as c:
        _, t = ad.jvp(f(schedule, snapshots), (W,), (LSTM_V,))
    c_all = counted(lambda: ad.jvp(f("store_all", None), (W,), (LSTM_V,)))
    assert t == pytest.approx(float(t_jax), rel=RTOL)
    assert (c.ops, c.flops, c.by_phase, c.step_advances) == (
        c_all.ops,
        c_all.flops,
        c_all.by_phase,
        0,
    )
    assert_close(ad.grad(f(schedule, snapshots), mode="forward")(W), want[0], RTOL)


def _sin_chain(n, schedule, snapshots, np_=anp):
    step = lambda z: np_.sin(z) * z + 0.1 * np_.tanh(z)
    if np_ is jnp:
        return lambda x: jax.lax.fori_loop(0, n, lambda i, z: step(z), x)
    return lambda x: ad.iterate(step, x, n, schedule=schedule, snapshots=snapshots)


SIN_N, SIN_X = 6, np.array([0.3, -0.8, 1.1, 0.5])


@pytest.fixture(scope="module")
def sin_chain_jax() -> tuple[Any, Any]:
    """JAX's hessian of sum(f(x)³) and Jacobian of f, computed once."""
    f_jax = _sin_chain(SIN_N, None, None, jnp)
    return jax.hessian(lambda x: jnp.sum(f_jax(x) ** 3))(SIN_X), jax.jacfwd(f_jax)(SIN_X)


@pytest.mark.parametrize(("schedule", "snapshots"), SCHEDULES, ids=SCHEDULE_IDS)
def test_iterate_hessian_and_jacobians(sin_chain_jax, schedule, snapshots):
    """hessian (forward over reverse), jacrev and jacfwd through iterate, against JAX; the
    hessian's single backward sweep follows the schedule."""
    H_jax, J_jax = sin_chain_jax
    f = _sin_chain(SIN_N, schedule, snapshots)
    with ad.count() as c:
        Hs = ad.hessian(lambda x: anp.sum(f(x) ** 3))(SIN_X)
    assert_close(Hs, H_jax, RTOL)
    assert c.step_advances == expected_advances(SIN_N, schedule, snapshots)
    assert_close(ad.jacrev(f)(SIN_X), J_jax, RTOL)
    assert_close(ad.jacfwd(f)(SIN_X), J_jax, RTOL)


@pytest.mark.parametrize(("schedule", "snapshots"), SCHEDULES[1:], ids=SCHEDULE_IDS[1:])
def test_iterate_and_checkpoint_compose(schedule, snapshots):
    """A checkpointed step inside iterate, and iterate inside a checkpoint."""
    x = np.array([0.3, -0.8, 1.1])
    step = lambda z: anp.sin(z) * z + 0.5
    plain = ad.grad(lambda x: anp.sum(ad.iterate(step, x, 7)))(x)
    inside = ad.grad(
        lambda x: anp.sum(
            ad.iterate(ad.checkpoint(step), x, 7, schedule=schedule, snapshots=snapshots)
        )
    )(x)
    outside = ad.grad(
        lambda x: anp.sum(
            ad.checkpoint(lambda x: ad.iterate(step, x, 7, schedule=schedule, snapshots=snapshots))(
                x
            )
        )
    )(x)
    assert_close(inside, plain, SAME)
    assert_close(outside, plain, SAME)


# ----------------------------------------------------------------- iterate: bad arguments
BAD = [
    ({"n_steps": -1}, "n_steps"),
    ({"n_steps": 2.5}, "n_steps"),
    ({"n_steps": 3.0}, "n_steps"),
    ({"n_steps": "3"}, "n_steps"),
    ({"n_steps": True}, "n_steps"),
    ({"schedule": "fast"}, "schedule"),
    ({"schedule": "binomial", "snapshots": 0}, "snapshots"),
    ({"schedule": "binomial", "snapshots": -2}, "snapshots"),
    ({"schedule": "binomial", "snapshots": 2.0}, "snapshots"),
    ({"schedule": "binomial", "snapshots": "2"}, "snapshots"),
    ({"schedule": "sqrt", "snapshots": 2}, "snapshots"),
]


@pytest.mark.parametrize(("kwargs", "name"), BAD, ids=[str(k) for k, _ in BAD])
@pytest.mark.parametrize("traced", [False, True], ids=["plain", "under grad"])
def test_iterate_bad_arguments(kwargs, name, traced):
    call = {"n_steps": 3, "schedule": "store_all", "snapshots": None, **kwargs}
    run = lambda x: anp.sum(
        ad.iterate(anp.sin, x, call["n_steps"], call["schedule"], call["snapshots"])
    )
    with pytest.raises(ValueError, match=name):
        (ad.grad(run) if traced else run)(X_STEP)


def test_iterate_numpy_integers_are_accepted():
    g = ad.grad(iterate_loss)(X_STEP, W_STEP, np.int64(5), "binomial", np.int32(2))
    assert_close(g, ad.grad(iterate_loss)(X_STEP, W_STEP, 5), SAME)


# ----------------------------------------------------------------- iterate: memory
MEMORY_NS = (16, 64, 256)
MEMORY_SIZE = 10_000
MEMORY_SCHEDULES = {
    "store_all": ("store_all", None),
    "sqrt": ("sqrt", None),
    "binomial s=3": ("binomial", 3),
}


def _tanh_step(x):
    return anp.tanh(x) * 1.01 + 0.1


def _iterate_sum(x, n, schedule, snapshots):
    return anp.sum(ad.iterate(_tanh_step, x, n, schedule=schedule, snapshots=snapshots))


@pytest.fixture(scope="module")
def memory_table() -> dict[tuple[str, int], tuple[int, int, Any]]:
    """(schedule, n) → (peak_saved_bytes, tracemalloc peak, gradient) for a 10,000-element
    state; printed as a table."""
    x = 0.5 * np.random.default_rng(0).standard_normal(MEMORY_SIZE)
    table = {}
    for name, (schedule, s) in MEMORY_SCHEDULES.items():
        for n in MEMORY_NS:
            loss = partial(_iterate_sum, n=n, schedule=schedule, snapshots=s)
            c, peak, g = _measure_grad(loss, x)
            table[name, n] = (c.peak_saved_bytes, peak, g)
    state = x.nbytes
    lines = ["", f"saved bytes (in states of {state:,} B): peak_saved_bytes / tracemalloc peak"]
    lines.append("schedule      " + "".join(f"{f'n={n}':>18}" for n in MEMORY_NS))
    for name in MEMORY_SCHEDULES:
        cells = "".join(
            f"{f'{table[name, n][0] / state:.1f} / {table[name, n][1] / state:.1f}':>18}"
            for n in MEMORY_NS
        )
        lines.append(f"{name:<14}{cells}")
    print("\n".join(lines))
    return table


@pytest.mark.slow
def test_iterate_memory_store_all_is_linear(memory_table):
    """store_all keeps every step's three new arrays (tanh, ×1.01, +0.1): ≥ 3n states, and 4×
    the steps is 4× the bytes (to 5%)."""
    state = MEMORY_SIZE * 8
    for n in MEMORY_NS:
        assert memory_table["store_all", n][0] >= 3 * n * state
    ratio = memory_table["store_all", 256][0] / memory_table["store_all", 64][0]
    assert ratio == pytest.approx(4, rel=0.05)


@pytest.mark.slow
def test_iterate_memory_sqrt_grows_as_sqrt_n(memory_table):
    """sqrt keeps ~√n segment starts and one segment's residuals: 4× the steps is ~2× the
    bytes, far below store_all."""
    state = MEMORY_SIZE * 8
    for n in MEMORY_NS:
        k = math.isqrt(n)  # these n are squares: k segments of k steps
        assert memory_table["sqrt", n][0] <= (k + 1) * state + 3 * k * state + 2 * state
    ratio = memory_table["sqrt", 256][0] / memory_table["sqrt", 64][0]
    assert 1.6 <= ratio <= 2.4
    for i in (0, 1):  # peak_saved_bytes, and the memory tracemalloc sees
        assert memory_table["sqrt", 256][i] < memory_table["store_all", 256][i] / 4


@pytest.mark.slow
def test_iterate_memory_binomial_is_constant(memory_table):
    """binomial with s snapshots holds s states and a bounded number of step residuals,
    whatever n: the same bytes at n = 16 and n = 256, below sqrt."""
    first = memory_table["binomial s=3", MEMORY_NS[0]][0]
    for n in MEMORY_NS:
        assert memory_table["binomial s=3", n][0] == pytest.approx(first, rel=0.05)
    for i in (0, 1):
        assert memory_table["binomial s=3", 256][i] < memory_table["sqrt", 256][i]


@pytest.mark.slow
def test_iterate_memory_gradients_agree(memory_table):
    for n in MEMORY_NS:
        for name in MEMORY_SCHEDULES:
            assert_close(memory_table[name, n][2], memory_table["store_all", n][2], SAME)


@pytest.mark.parametrize("snapshots", [1, 3])
def test_binomial_holds_snapshots_and_one_step(snapshots):
    """Revolve's memory: s stored states plus the residuals of the one step being reversed
    (measured alone, with vjp), plus the output state and one state of slack."""
    K = 6

    def step(z):
        for _ in range(K):
            z = anp.sin(z)
        return z

    x = 0.5 * np.random.default_rng(0).standard_normal(MEMORY_SIZE)
    gc.collect()
    with ad.count() as one_step:
        _out, _vjp_fn = ad.vjp(step, x)
    del _out, _vjp_fn
    assert one_step.peak_saved_bytes == (K + 1) * x.nbytes  # by hand: the input and K outputs
    loss = lambda x: anp.sum(ad.iterate(step, x, 12, schedule="binomial", snapshots=snapshots))
    c, _, _ = _measure_grad(loss, x)
    assert c.peak_saved_bytes <= (snapshots + 2) * x.nbytes + one_step.peak_saved_bytes
