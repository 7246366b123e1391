"""``ad.count()``, the machine-independent cost accounting.

Every expected number here comes from somewhere other than admodes' own counters: FLOPs worked
out by hand from the shapes (elementwise one per output element, (m,k)@(k,n) 2·m·k·n,
reductions one per input element, shape ops 0), memory measured by ``tracemalloc`` or read off
the arrays themselves (``nbytes``), gradients from JAX in float64, and, for the relations between
transforms, the counts of the separate pieces (a nested block must add up to its parts).
"""

from __future__ import annotations

import gc
import itertools
import tracemalloc
from collections import Counter

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import FD_EPS, assert_close, assert_fd_close, counted, vdot

import admodes as ad
import admodes.numpy as anp
from admodes import counting

PHASES = ("primal", "jvp", "vjp")
ZERO = {"ops": 0, "flops": 0}
#: Registry entries that only move data: 0 FLOPs each (checked in test_cost_rules_by_hand).
SHAPE_OPS = {"reshape", "transpose", "broadcast_to", "getitem", "concatenate", "stack"}

M, K, N = 3, 4, 5  # matmul shapes (M, K) @ (K, N) used throughout


def arithmetic(by_op: Counter) -> dict[str, int]:
    """``by_op`` without the zero-FLOP shape ops."""
    return {op: n for op, n in by_op.items() if op not in SHAPE_OPS}


def phase_totals_match(c: ad.Counts) -> None:
    """by_phase and by_op add up to the totals."""
    assert set(c.by_phase) == set(PHASES)
    assert sum(p["ops"] for p in c.by_phase.values()) == c.ops
    assert sum(p["flops"] for p in c.by_phase.values()) == c.flops
    assert sum(c.by_op.values()) == c.ops


# ------------------------------------------------------------------- the cost rules, by hand
def _f(shape):
    return float(np.random.default_rng(7).standard_normal()) if shape == () else shape


COST_CASES = [
    # name, function, argument shapes, by_op, FLOPs worked out by hand
    ("add broadcast (3,1)+(1,4)", anp.add, [(3, 1), (1, 4)], {"add": 1}, 3 * 4),
    ("multiply by scalar", lambda x: anp.multiply(x, 2.0), [(2, 5)], {"multiply": 1}, 10),
    ("tanh", anp.tanh, [(2, 3)], {"tanh": 1}, 6),
    ("sin of a Python float", anp.sin, [()], {"sin": 1}, 1),
    ("where", lambda x, y: anp.where(x > 0, x, y), [(3, 4), (3, 4)], {"where": 1}, 12),
    ("sum all", anp.sum, [(3, 4)], {"sum": 1}, 12),
    ("sum axis keepdims", lambda x: anp.sum(x, axis=1, keepdims=True), [(3, 4)], {"sum": 1}, 12),
    ("max axis 0", lambda x: anp.max(x, axis=0), [(3, 4)], {"max": 1}, 12),
    ("cumsum", lambda x: anp.cumsum(x, axis=1), [(3, 4)], {"cumsum": 1}, 12),
    ("matmul (m,k)@(k,n)", anp.matmul, [(M, K), (K, N)], {"matmul": 1}, 2 * M * K * N),
    ("matmul (m,k)@(k,)", anp.matmul, [(M, K), (K,)], {"matmul": 1}, 2 * M * K),
    ("matmul (k,)@(k,n)", anp.matmul, [(K,), (K, N)], {"matmul": 1}, 2 * K * N),
    ("matmul (k,)@(k,)", anp.matmul, [(K,), (K,)], {"matmul": 1}, 2 * K),
    ("reshape", lambda x: anp.reshape(x, (4, 3)), [(3, 4)], {"reshape": 1}, 0),
    ("transpose", anp.transpose, [(3, 4)], {"transpose": 1}, 0),
    ("broadcast_to", lambda x: anp.broadcast_to(x, (5, 3, 4)), [(3, 4)], {"broadcast_to": 1}, 0),
    ("slice", lambda x: anp.getitem(x, (slice(1, None), slice(None, None, 2))), [(3, 4)],
     {"getitem": 1}, 0),
    ("concatenate", lambda x, y: anp.concatenate([x, y]), [(3, 4), (2, 4)], {"concatenate": 1}, 0),
    ("stack", lambda x, y: anp.stack([x, y]), [(3, 4), (3, 4)], {"stack": 1}, 0),
]  # fmt: skip


@pytest.mark.parametrize(
    ("fn", "shapes", "by_op", "flops"), [c[1:] for c in COST_CASES], ids=[c[0] for c in COST_CASES]
)
def test_cost_rules_by_hand(rng, fn, shapes, by_op, flops):
    args = [rng.standard_normal(s) if s != () else 0.3 for s in shapes]
    c = counted(lambda: fn(*args))
    assert dict(c.by_op) == by_op
    assert (c.ops, c.flops) == (1, flops)
    assert c.by_phase == {"primal": {"ops": 1, "flops": flops}, "jvp": ZERO, "vjp": ZERO}
    assert (c.peak_tangent_bytes, c.step_advances) == (0, 0)


def test_cost_traces_complex_arguments(rng):
    """Complex leaves are traced as float ones: plain operators on complex arrays are counted by
    the complex rules (a multiply 6 real FLOPs, an add 2), not passed through uncounted."""
    a = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    b = rng.standard_normal(3) + 1j * rng.standard_normal(3)
    c = ad.cost(lambda a, b: a * b + a, a, b)
    assert dict(c.by_op) == {"multiply": 1, "add": 1}
    assert c.flops == 3 * 6 + 3 * 2


# ------------------------------------------------------------------- matmul, exactly
def _matmul_problem(rng):
    return rng.standard_normal((M, K)), rng.standard_normal((K, N))


def test_matmul_primal_exact(rng):
    X, W = _matmul_problem(rng)
    c = counted(lambda: anp.sum(anp.matmul(X, W)))
    assert dict(c.by_op) == {"matmul": 1, "sum": 1}
    assert c.by_phase["primal"] == {"ops": 2, "flops": 2 * M * K * N + M * N}


@pytest.mark.parametrize(
    ("argnums", "cotangent_matmuls"),
    [(1, 1), (0, 1), ((0, 1), 2)],
    ids=["W only: Xᵀ@G", "X only: G@Wᵀ", "both"],
)
def test_matmul_gradient_exact(rng, argnums, cotangent_matmuls):
    """loss = sum(X @ W). The backward sweep needs one matmul per differentiated operand
    (W̄ = Xᵀ@G, X̄ = G@Wᵀ, 2·M·K·N FLOPs each) and no cotangent for a constant operand; the
    sum's cotangent is a broadcast (0 FLOPs)."""
    X, W = _matmul_problem(rng)
    loss = lambda X, W: anp.sum(X @ W)
    with ad.count() as c:
        g = ad.grad(loss, argnums)(X, W)
    assert arithmetic(c.by_op) == {"matmul": 1 + cotangent_matmuls, "sum": 1}
    assert c.by_phase["primal"] == {"ops": 2, "flops": 2 * M * K * N + M * N}
    assert c.by_phase["vjp"]["flops"] == cotangent_matmuls * 2 * M * K * N
    assert c.by_phase["jvp"] == ZERO
    assert c.flops == (1 + cotangent_matmuls) * 2 * M * K * N + M * N
    phase_totals_match(c)
    assert_close(g, jax.grad(lambda X, W: jnp.sum(X @ W), argnums)(X, W))


def test_matmul_jvp_exact(rng):
    """Tangent of sum(X @ W) along V: sum(X @ V), the same 2·M·K·N + M·N FLOPs again."""
    X, W = _matmul_problem(rng)
    V = rng.standard_normal(W.shape)
    with ad.count() as c:
        _, t = ad.jvp(lambda W: anp.sum(X @ W), (W,), (V,))
    assert dict(c.by_op) == {"matmul": 2, "sum": 2}
    assert c.by_phase == {
        "primal": {"ops": 2, "flops": 2 * M * K * N + M * N},
        "jvp": {"ops": 2, "flops": 2 * M * K * N + M * N},
        "vjp": ZERO,
    }
    assert_close(t, jax.jvp(lambda W: jnp.sum(X @ W), (W,), (V,))[1])


def test_matmul_forward_mode_gradient_exact(rng):
    """Forward mode needs one tangent pass per input element: K·N directions (batched), each
    costing the jvp above; the primal is evaluated once."""
    X, W = _matmul_problem(rng)
    with ad.count() as c:
        g = ad.grad(lambda W: anp.sum(X @ W), mode="forward")(W)
    assert arithmetic(c.by_op) == {"matmul": 2, "sum": 2}
    assert c.by_phase["primal"]["flops"] == 2 * M * K * N + M * N
    assert c.by_phase["jvp"]["flops"] == K * N * (2 * M * K * N + M * N)
    assert c.by_phase["vjp"] == ZERO
    phase_totals_match(c)
    assert_close(g, jax.grad(lambda W: jnp.sum(X @ W))(W))


# --------------------------------------- FLOPs written with Python operators are not counted
@pytest.mark.parametrize(
    ("transform", "phase", "least_flops"),
    [
        # Ā = G ⊗ v (linalg._outer uses `*`): M·K products.
        (lambda A, v: ad.grad(lambda A: anp.sum(anp.matmul(A, v)))(A), "vjp", M * K),
        # max's cotangent is a mask times g / count (reductions._chooser_vjp): M·K products.
        (lambda A, v: ad.grad(lambda A: anp.sum(anp.max(A, axis=1)))(A), "vjp", M * K),
        # max's tangent: sum(t · mask) / count: M·K products and M·K additions.
        (lambda A, v: ad.jvp(lambda A: anp.max(A, axis=1), (A,), (A,)), "jvp", 2 * M * K),
    ],
    ids=["vjp of matrix @ vector", "vjp of max", "jvp of max"],
)
def test_rule_flops_written_with_operators_are_counted(rng, transform, phase, least_flops):
    A, v = rng.standard_normal((M, K)), rng.standard_normal(K)
    c = counted(lambda: transform(A, v))
    assert c.by_phase[phase]["flops"] >= least_flops


@pytest.mark.parametrize(
    ("fn", "shapes", "flops"),
    [
        (anp.mean, [(3, 4)], 12 + 1),  # sum: 12, divide: 1
        (anp.outer, [(3,), (4,)], 12),  # 12 products
    ],
    ids=["mean", "outer"],
)
def test_composites_on_plain_values_are_counted(rng, fn, shapes, flops):
    args = [rng.standard_normal(s) for s in shapes]
    traced = counted(lambda: ad.grad(lambda *a: anp.sum(fn(*a)))(*args))
    plain = counted(lambda: fn(*args))
    assert plain.flops == flops <= traced.by_phase["primal"]["flops"]


# ------------------------------------------------------------------- the cheap-gradient band
MLPS = [((784, 128, 10), 32), ((32, 64, 64, 10), 16), ((8, 8, 8, 8, 8, 1), 4)]


def _mlp_problem(sizes, batch, seed=0):
    rng = np.random.default_rng(seed)
    params = [
        (rng.standard_normal((a, b)) / np.sqrt(a), 0.1 * rng.standard_normal(b))
        for a, b in itertools.pairwise(sizes)
    ]
    return params, rng.standard_normal((batch, sizes[0])), rng.standard_normal((batch, sizes[-1]))


def mlp_loss(params, X, Y, np_=anp):
    """tanh MLP with a squared-error loss, written once for admodes and JAX."""
    h = X
    for i, (W, b) in enumerate(params):
        h = np_.matmul(h, W) + b
        if i < len(params) - 1:
            h = np_.tanh(h)
    d = h - Y
    return np_.sum(d * d)


def mlp_primal_flops(sizes, batch):
    """By hand: per layer 2·B·a·b (matmul) + B·b (bias); B·b per hidden tanh; the loss
    subtracts, squares and sums B·out elements."""
    pairs = list(itertools.pairwise(sizes))
    return (
        sum(2 * batch * a * b + batch * b for a, b in pairs)
        + sum(batch * b for b in sizes[1:-1])
        + 3 * batch * sizes[-1]
    )


@pytest.mark.parametrize(("sizes", "batch"), MLPS, ids=[f"{s}x{b}" for s, b in MLPS])
def test_mlp_cheap_gradient(sizes, batch):
    """Baydin et al. 2018 §3.2: a reverse-mode gradient costs a small constant times the
    function. Here (primal + vjp) / primal FLOPs lies in [1, 6); the backward sweep has one
    matmul per weight (W̄) and per hidden activation (h̄), none for the constant input X."""
    params, X, Y = _mlp_problem(sizes, batch)
    layers = len(sizes) - 1
    with ad.count() as c:
        g = ad.grad(mlp_loss)(params, X, Y)
    primal = c.by_phase["primal"]["flops"]
    ratio = (primal + c.by_phase["vjp"]["flops"]) / primal
    print(f"\nMLP {sizes} batch {batch}: gradient/function FLOPs = {ratio:.3f}")
    assert primal == mlp_primal_flops(sizes, batch)
    assert c.by_op["matmul"] == layers + layers + (layers - 1)
    assert c.by_phase["jvp"] == ZERO
    phase_totals_match(c)
    assert 1 <= ratio < 6
    # the gradient itself, against central differences along a random direction (NumPy)
    rng = np.random.default_rng(1)
    v = [(rng.standard_normal(W.shape), rng.standard_normal(b.shape)) for W, b in params]
    shifted = lambda t: [
        (W + t * dW, b + t * db) for (W, b), (dW, db) in zip(params, v, strict=True)
    ]
    fd = (mlp_loss(shifted(FD_EPS), X, Y, np) - mlp_loss(shifted(-FD_EPS), X, Y, np)) / (2 * FD_EPS)
    assert_fd_close(vdot(g, v), fd)


def test_mlp_forward_mode_gradient_is_not_cheap():
    """Forward mode pays one tangent pass per parameter: its gradient/function ratio is far
    above the reverse-mode band (the number of parameters sets it)."""
    sizes, batch = MLPS[2]
    params, X, Y = _mlp_problem(sizes, batch)
    n_params = sum(W.size + b.size for W, b in params)
    c = counted(lambda: ad.grad(mlp_loss, mode="forward")(params, X, Y))
    ratio = c.flops / c.by_phase["primal"]["flops"]
    print(f"\nMLP {sizes}: forward-mode gradient/function FLOPs = {ratio:.1f} ({n_params} params)")
    assert c.by_phase["primal"]["flops"] == mlp_primal_flops(sizes, batch)
    assert ratio > 6
    assert c.by_phase["vjp"] == ZERO


# ------------------------------------------------------------------- phases and nesting
X0 = np.random.default_rng(3).standard_normal((M, K))
W0 = np.random.default_rng(4).standard_normal((K, N))
V0 = np.random.default_rng(5).standard_normal((K, N))


def tanh_layer(W):
    return anp.sum(anp.tanh(anp.matmul(X0, W)))


#: f's own FLOPs by hand: matmul, tanh (M·N), sum (M·N).
TANH_LAYER_FLOPS = 2 * M * K * N + 2 * M * N

TRANSFORMS = {
    # name: (call, phases that must do work)
    "grad": (lambda: ad.grad(tanh_layer)(W0), {"primal", "vjp"}),
    "vjp": (lambda: ad.vjp(tanh_layer, W0)[1](1.0), {"primal", "vjp"}),
    "jacrev": (lambda: ad.jacrev(lambda W: anp.tanh(X0 @ W))(W0), {"primal", "vjp"}),
    "jvp": (lambda: ad.jvp(tanh_layer, (W0,), (V0,)), {"primal", "jvp"}),
    "grad forward": (lambda: ad.grad(tanh_layer, mode="forward")(W0), {"primal", "jvp"}),
    "jacfwd": (lambda: ad.jacfwd(lambda W: anp.tanh(X0 @ W))(W0), {"primal", "jvp"}),
    "hessian": (lambda: ad.hessian(tanh_layer)(W0), {"primal", "jvp", "vjp"}),
    "hvp": (lambda: ad.hvp(tanh_layer, (W0,), (V0,)), {"primal", "jvp", "vjp"}),
    "jacrev of jacfwd": (
        lambda: ad.jacrev(ad.jacfwd(tanh_layer))(W0),
        {"primal", "jvp", "vjp"},
    ),
    "grad of checkpoint": (
        lambda: ad.grad(lambda W: ad.checkpoint(tanh_layer)(W))(W0),
        {"primal", "vjp"},
    ),
    "grad through iterate(sqrt)": (
        lambda: ad.grad(lambda W: anp.sum(ad.iterate(anp.sin, W, 5, schedule="sqrt")))(W0),
        {"primal", "vjp"},
    ),
}


@pytest.mark.parametrize(("call", "busy"), TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_phases_sum_to_totals(call, busy):
    c = counted(call)
    phase_totals_match(c)
    for p in PHASES:
        assert (c.by_phase[p]["flops"] > 0) == (p in busy), p


@pytest.mark.parametrize("name", ["grad", "hessian", "hvp", "jvp", "grad forward"])
def test_primal_work_is_done_once(name):
    """Whatever the transform, the function's own work (the "primal" phase) is f's FLOPs,
    counted by hand."""
    c = counted(TRANSFORMS[name][0])
    assert c.by_phase["primal"]["flops"] == TANH_LAYER_FLOPS


def test_nested_transforms_phases():
    """hvp = forward over reverse: its backward sweep on the primals is the gradient's sweep
    (same vjp ops and FLOPs), its tangent work lands in "jvp"; the full hessian runs the same
    single sweep with batched tangents."""
    g = counted(TRANSFORMS["grad"][0])
    for name in ("hvp", "hessian"):
        c = counted(TRANSFORMS[name][0])
        assert c.by_phase["vjp"]["flops"] == g.by_phase["vjp"]["flops"], name
        assert c.by_phase["jvp"]["flops"] > 0, name
    hvp = counted(TRANSFORMS["hvp"][0])
    assert hvp.by_phase["vjp"] == g.by_phase["vjp"]
    # by hand: ∂²f/∂W_kj∂W_lm = δ_jm Σ_i X_ik X_il · (-2 tanh(z_ij) (1 - tanh²(z_ij))), z = X W
    t = np.tanh(X0 @ W0)
    curv = -2 * t * (1 - t * t)
    want = np.einsum("ik,il,ij,jm->kjlm", X0, X0, curv, np.eye(N))
    assert_close(ad.hessian(tanh_layer)(W0), want)


def _piece_a():
    ad.grad(tanh_layer)(W0)


def _piece_b():
    ad.grad(lambda x: anp.sum(ad.iterate(anp.sin, x, 9, schedule="sqrt")))(X0)
    ad.hvp(tanh_layer, (W0,), (V0,))


def _fields(c: ad.Counts) -> tuple:
    return (c.ops, c.flops, dict(c.by_op), c.by_phase, c.step_advances)


def test_counters_nest():
    """An inner block's counts are included in the outer one: outer = A + B, inner = B."""
    gc.collect()
    a, b = counted(_piece_a), counted(_piece_b)
    assert b.step_advances == 9
    with ad.count() as outer:
        _piece_a()
        with ad.count() as inner:
            _piece_b()
    assert _fields(inner) == _fields(b)
    assert outer.ops == a.ops + b.ops
    assert outer.flops == a.flops + b.flops
    assert outer.by_op == a.by_op + b.by_op
    assert outer.step_advances == a.step_advances + b.step_advances
    for p in PHASES:
        for k in ("ops", "flops"):
            assert outer.by_phase[p][k] == a.by_phase[p][k] + b.by_phase[p][k]
    assert outer.peak_saved_bytes == max(a.peak_saved_bytes, b.peak_saved_bytes)
    assert outer.peak_tangent_bytes == max(a.peak_tangent_bytes, b.peak_tangent_bytes)


def test_equal_nested_blocks_close_in_order():
    """Two blocks that have counted the same so far (here: nothing) are still two blocks: the
    inner one closes, the outer one keeps counting, and nothing counts after both."""
    with ad.count() as outer:
        with ad.count() as inner:
            pass
        anp.sin(np.ones(2))
        ad.cost(lambda v: anp.sum(v), np.ones(2))  # a count block of its own, inside
    anp.sin(1.0)
    assert (inner.ops, outer.ops) == (0, 2)
    assert not counting.active


def test_count_block_lifecycle():
    """Nothing is counted outside a block, and an exception closes the block."""
    assert not counting.active
    with ad.count() as c:
        anp.sin(1.0)
    anp.sin(np.ones(3))  # after the block: not counted
    assert (c.ops, c.flops) == (1, 1)
    with pytest.raises(ZeroDivisionError), ad.count() as c2:
        anp.sin(1.0)
        1 / 0  # noqa: B018
    assert not counting.active
    anp.sin(1.0)
    assert c2.ops == 1


# ------------------------------------------------------------------- saved bytes
def _tanh_chain(x, steps=50):
    for _ in range(steps):
        x = anp.tanh(x) * 1.01 + 0.1
    return x


def _tracemalloc_vjp_chain():
    """tracemalloc's live bytes while the vjp function of a 50-step chain on 100,000 float64 is
    alive (the tape's residuals are all there is)."""
    x = np.random.default_rng(0).standard_normal(100_000)
    base = tracemalloc.get_traced_memory()[0]
    with ad.count() as c:
        out, vjp_fn = ad.vjp(_tanh_chain, x)
        live = tracemalloc.get_traced_memory()[0] - base
    del out, vjp_fn
    return live, c


def _tracemalloc_grad_chain():
    """tracemalloc's peak during a whole gradient of the same chain."""
    x = np.random.default_rng(0).standard_normal(100_000)
    base = tracemalloc.get_traced_memory()[0]
    tracemalloc.reset_peak()
    with ad.count() as c:
        ad.grad(lambda x: anp.sum(_tanh_chain(x)))(x)
    return tracemalloc.get_traced_memory()[1] - base, c


def _tracemalloc_vjp_mlp():
    """An MLP (B=256, 512-256-256-10) whose inputs are allocated inside the window: the tape
    keeps every input and activation."""
    params0, X0_, Y0 = _mlp_problem((512, 256, 256, 10), 256)
    base = tracemalloc.get_traced_memory()[0]
    params = [(W.copy(), b.copy()) for W, b in params0]
    X, Y = X0_.copy(), Y0.copy()
    with ad.count() as c:
        out, vjp_fn = ad.vjp(lambda p: mlp_loss(p, X, Y), params)
        live = tracemalloc.get_traced_memory()[0] - base
    del out, vjp_fn
    return live, c


MEMORY_WORKLOADS = {
    "tanh chain, vjp alive": _tracemalloc_vjp_chain,
    "tanh chain, grad peak": _tracemalloc_grad_chain,
    "mlp, vjp alive": _tracemalloc_vjp_mlp,
}


@pytest.mark.parametrize("workload", MEMORY_WORKLOADS.values(), ids=MEMORY_WORKLOADS.keys())
def test_peak_saved_bytes_matches_tracemalloc(workload):
    gc.collect()
    tracemalloc.start()
    try:
        measured, c = workload()
    finally:
        tracemalloc.stop()
    ratio = measured / c.peak_saved_bytes
    print(f"\npeak_saved_bytes {c.peak_saved_bytes:,}, tracemalloc {measured:,}: {ratio:.4f}")
    assert abs(ratio - 1) <= 0.2


def test_saved_bytes_are_released():
    """A gradient's tape is freed when it returns: two gradients in one block peak no higher
    than one, and a later block starts from nothing."""
    gc.collect()
    x = np.random.default_rng(1).standard_normal(10_000)
    f = lambda x: anp.sum(_tanh_chain(x, 10))
    one = counted(lambda: ad.grad(f)(x))
    two = counted(lambda: (ad.grad(f)(x), ad.grad(f)(x)))
    # by hand: the input, and three new arrays per step (tanh, *1.01, +0.1), one float each
    assert one.peak_saved_bytes >= (1 + 3 * 10) * x.nbytes
    assert two.peak_saved_bytes == one.peak_saved_bytes
    assert counted(lambda: None).peak_saved_bytes == 0


@pytest.mark.parametrize(
    "fun",
    [
        lambda z: anp.sum(ad.checkpoint(lambda z: anp.sin(anp.sin(z)))(z)),
        lambda z: anp.sum(ad.iterate(anp.sin, z, 8, schedule="binomial", snapshots=2)),
    ],
    ids=["checkpoint", "iterate binomial"],
)
def test_vjp_residuals_freed_without_gc(fun):
    """Dropping a vjp function frees its tape at once (reference counting), as for a plain
    function: tracemalloc is back to its baseline and count() sees no live residuals."""
    x = np.random.default_rng(2).standard_normal(50_000)
    gc.collect()
    gc.disable()
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        with ad.count():
            out, vjp_fn = ad.vjp(fun, x)
            vjp_fn(1.0)
        del out, vjp_fn
        leaked = tracemalloc.get_traced_memory()[0] - base
        live = counted(lambda: None).peak_saved_bytes
    finally:
        tracemalloc.stop()
        gc.enable()
        gc.collect()
    assert leaked < x.nbytes / 10
    assert live == 0


# ------------------------------------------------------------------- tangent bytes
@pytest.mark.parametrize(
    "dtype",
    [
        np.float64,
        np.float32,
    ],
)
def test_peak_tangent_bytes_matches_live_tangents(dtype):
    """jvp of a function returning K arrays: at the end K tangents of N elements are alive at
    once (their nbytes, read off the arrays), plus at most a couple of temporaries."""
    n_out, size = 4, 10_000
    x = np.random.default_rng(0).standard_normal(size).astype(dtype)
    f = lambda z: [anp.sin(z * float(k)) for k in range(1, n_out + 1)]
    with ad.count() as c:
        _, tangents = ad.jvp(f, (x,), (np.ones_like(x),))
    live = sum(t.nbytes for t in tangents)
    assert all(t.dtype == dtype for t in tangents)
    print(f"\n{np.dtype(dtype)}: peak_tangent_bytes {c.peak_tangent_bytes:,}, live {live:,}")
    assert live <= c.peak_tangent_bytes <= live + 2 * x.nbytes
