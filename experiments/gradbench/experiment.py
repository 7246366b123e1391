"""The experiment ``gradbench``: GradBench's workloads by forward and by reverse mode.

Each eval's derivative is computed by admodes in every mode that applies: a gradient by reverse
mode (one sweep) and by forward mode (one pass carrying a tangent per input); ``ht``'s Jacobian
by the tool's forward mode (a tangent per column, the ``us`` columns compressed into two) and by
reverse mode (a cotangent per residual); ``ba``'s blocks by 15 compressed forward directions
and by reverse mode with the rows compressed (the tool's: two cotangents, every observation's x
residuals, then its y residuals, since no two observations share a column); ``kmeans``' H·1 (the
diagonal Hessian of its Newton direction) and the nested ``saddle`` and ``particle`` in the four
mode pairs. The n-versus-m rule counts the directions each way carries (tangents or cotangents,
outer times inner for a pair) and picks the fewest. Every result is validated against JAX
(float64) or, for the nested evals, the eval's golden value; JAX (eager and jit, the compile
apart) and HIPS autograd run the same derivative beside admodes where they can.
"""

from __future__ import annotations

import importlib
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

import admodes as ad
from experiments.gradbench import inputs, reference
from experiments.gradbench.evals import (
    ba,
    det,
    gmm,
    ht,
    kmeans,
    llsq,
    lse,
    lstm,
    ode,
    particle,
    saddle,
)
from experiments.gradbench.solver import ADMODES as ON_ADMODES
from experiments.gradbench.solver import Calculus
from experiments.harness.context import Context
from experiments.harness.figures import new_figure, plot_bars
from experiments.harness.machine import package_version
from experiments.harness.measure import ADMODES, Method, hvp_methods, measure_point
from experiments.harness.measure import record_unmeasured as record_row
from experiments.harness.report import markdown_table
from experiments.harness.stats import bootstrap_medians, summarise
from experiments.harness.timing import TimingPlan, time_once
from experiments.harness.validation import (
    ERROR_COLUMN,
    GOLDEN,
    JAX,
    GoldenReference,
    JaxReference,
    Reference,
    ValidationError,
    to_jax,
)
from experiments.harness.workloads import is_installed

TOLERANCE = 1e-10
"""Largest relative error accepted here: GradBench's own checks, tighter than the harness's."""
NESTED_PLAN = TimingPlan(warmup_calls=0, min_sample_seconds=0.0, samples=1, extra_rounds=0)
"""The nested evals take seconds to a minute per run: one timed run each after the counted one."""
PAIRS = {"rr": "rev-over-rev", "ff": "fwd-over-fwd", "fr": "fwd-over-rev", "rf": "rev-over-fwd"}
JAX_ENGINE, AUTOGRAD = "jax", "autograd"
FIRST_CALL = "first call (trace + compile)"


@dataclass(frozen=True)
class Way:
    """One way admodes computes a case's derivative, and how many directions it carries."""

    label: str
    mode: str
    directions: int
    call: Callable[[], Any]


@dataclass(frozen=True)
class JaxPeer:
    """JAX computing the same derivative: ``derivative(*args)`` on JAX arrays."""

    label: str
    mode: str
    derivative: Callable[..., Any]
    args: tuple
    jit: bool = True
    """Whether ``jax.jit`` runs it too (its compile can take minutes on long unrolled loops)."""

    @property
    def eager_method(self) -> str:
        """The CSV's method for the eager runs (the table reads the rows back by it)."""
        return f"{self.label} (eager)"

    @property
    def jit_method(self) -> str:
        """The CSV's method for the compiled runs (the table reads the rows back by it)."""
        return f"jit({self.label})"


@dataclass(frozen=True)
class Case:
    """One eval at one size: admodes' ways, the reference, and the peers that run it."""

    eval: str
    size: str
    n_inputs: int
    n_outputs: int
    ways: tuple[Way, ...]
    reference: Reference
    expected: Any
    jax: JaxPeer | None = None
    autograd: Callable[[], Any] | None = None
    nested: bool = False

    @property
    def workload(self) -> str:
        """The CSV's workload: eval and size."""
        return f"{self.eval} {self.size}"


# --- the cases --------------------------------------------------------------------------------


def gradient_case(
    name: str,
    size: str,
    f: Callable[..., Any],
    wrt: tuple[np.ndarray, ...],
    jax_f: Callable[..., Any],
    *,
    jax_peer: bool = True,
    jit: bool = True,
    jit_reference: bool = True,
    autograd: Callable[[], Any] | None = None,
) -> Case:
    """∇f w.r.t. every argument in ``wrt``: reverse (one cotangent) and forward (a tangent per
    input). ``jax_f`` is JAX's f of the same arguments: the reference (its gradient, compiled
    when ``jit_reference``) and, with ``jax_peer``, the peer (``jit``: also compiled)."""
    argnums = tuple(range(len(wrt)))
    n = sum(np.size(w) for w in wrt)
    ways = (
        Way("reverse", "reverse", 1, lambda: ad.grad(f, argnums=argnums)(*wrt)),
        Way("forward", "forward", n, lambda: ad.grad(f, argnums=argnums, mode="forward")(*wrt)),
    )
    jax = reference.jax()
    jax_grad = jax.grad(jax_f, argnums=argnums)
    expected = (jax.jit(jax_grad) if jit_reference else jax_grad)(*to_jax(wrt))
    peer = JaxPeer("grad", "reverse", jax_grad, to_jax(wrt), jit) if jax_peer else None
    return Case(name, size, n, 1, ways, JaxReference(jax_f, wrt), expected, peer, autograd)


def lse_case(n: int) -> Case:
    """``lse``: ∇ LogSumExp of n numbers."""
    x = lse.gradient.prepare(inputs.lse(n))
    return gradient_case("lse", f"n={n}", lse.logsumexp, (x,), reference.lse)


def llsq_case(n: int, m: int) -> Case:
    """``llsq``: ∇ of ½‖s − T x‖² w.r.t. x ∈ ℝᵐ, T with n rows."""
    x, T, s = llsq.gradient.prepare(inputs.llsq(n, m))
    return gradient_case(
        "llsq",
        f"n={n}, m={m}",
        lambda v: llsq.objective(v, T, s),
        (x,),
        lambda v: reference.llsq(v, n),
    )


def det_case(ell: int) -> Case:
    """``det``: ∇ det A by expansion by minors (ℓ! products), against JAX's ∇ det (LU).

    JAX runs the expansion only as ℓ! scalar ops (seconds eager, a long compile): no JAX peer;
    HIPS autograd runs the tool's very code."""
    A = det.gradient.prepare(inputs.det(ell))
    return gradient_case(
        "det",
        f"ℓ={ell}",
        det.determinant,
        (A,),
        reference.jax().numpy.linalg.det,
        jax_peer=False,
        autograd=lambda: autograd_module().grad(det.determinant)(A),
    )


def ode_case(n: int, s: int) -> Case:
    """``ode``: ∇ₓ of y(2)ₙ₋₁ after s Runge–Kutta steps."""
    x, steps = ode.gradient.prepare(inputs.ode(n, s))
    return gradient_case(
        "ode",
        f"n={n}, s={s}",
        lambda v: ode.last(v, steps),
        (x,),
        lambda v: reference.ode(v, steps)[-1],
    )


def gmm_case(d: int, k: int, n: int) -> Case:
    """``gmm``: ∇ log p w.r.t. (α, μ, q, l)."""
    *params, x, m, gamma = gmm.jacobian.prepare(inputs.gmm(d, k, n))
    return gradient_case(
        "gmm",
        f"d={d}, k={k}, n={n}",
        lambda *p: gmm.log_posterior(*p, x, m, gamma),
        tuple(params),
        lambda *p: reference.gmm(*p, x, m, gamma),
    )


LSTM_JIT_MAX = 16
"""Characters up to which JAX jit runs ``lstm``: it compiles the unrolled loop in about 45 s at
16 characters, longer beyond (the reference is JAX's eager gradient)."""


def lstm_case(layers: int, chars: int) -> Case:
    """``lstm``: ∇ of the loss w.r.t. (main_params, extra_params)."""
    main, extra, state, sequence = lstm.jacobian.prepare(inputs.lstm(layers, chars))
    return gradient_case(
        "lstm",
        f"l={layers}, c={chars}",
        lambda a, b: lstm.loss(a, b, state, sequence),
        (main, extra),
        lambda a, b: reference.lstm(a, b, state, sequence),
        jit=chars <= LSTM_JIT_MAX,
        jit_reference=False,
    )


def kmeans_case(k: int, n: int, d: int) -> Case:
    """``kmeans``: H·1, the diagonal Hessian behind the Newton direction J / diag H, in the mode
    pairs (the tool's is forward over reverse, which gives J as its primal output)."""
    points, centroids = kmeans.dir.prepare(inputs.kmeans(k, n, d))
    ones = np.ones_like(centroids)
    calls = hvp_methods(lambda c: kmeans.cost_of(points, c), centroids, ones)
    ways = tuple(
        Way(label, pair, centroids.size if pair == PAIRS["ff"] else 1, call)
        for label, call in calls.items()
        for pair in [label.split(",")[0]]
    )
    jax = reference.jax()
    jax_f = lambda c: reference.kmeans(points, c)
    ref = JaxReference(jax_f, centroids)
    jones = to_jax(ones)
    peer = JaxPeer(
        "jvp(grad)",
        "fwd-over-rev",
        lambda c: jax.jvp(jax.grad(jax_f), (c,), (jones,))[1],
        (to_jax(centroids),),
    )
    size = f"k={k}, n={n}, d={d}"
    return Case("kmeans", size, centroids.size, centroids.size, ways, ref, ref.hvp(ones), peer)


def ht_case(points: int, vertices: int, complicated: bool) -> Case:
    """``ht``: the residuals' Jacobian, forward (the tool's: a tangent per column, ``us``
    compressed into two) and reverse (a cotangent per residual)."""
    raw = inputs.ht(points, vertices, complicated)
    args = ht.jacobian.prepare(raw)
    _, theta, us = args
    data = raw["data"]
    if us is None:
        x0 = theta
        jax_f = lambda t: reference.ht_error(t, None, data)
    else:
        x0 = np.zeros(2 + ht.THETA)
        jax_f = lambda s: reference.ht_error(theta + s[2:], us + s[:2], data)
    m = 3 * points
    ways = (
        Way("forward", "forward", x0.size, lambda: ht.residual_jacobian(args)),
        Way("reverse", "reverse", m, lambda: ht.residual_jacobian(args, ad.jacrev)),
    )
    jax = reference.jax()
    jacobian = jax.jacfwd(jax_f)
    n = ht.THETA + (2 * points if complicated else 0)
    size = f"{points} points, {'complicated' if complicated else 'simple'}"
    expected = jacobian(to_jax(x0))
    peer = JaxPeer("jacfwd", "forward", jacobian, (to_jax(x0),))
    return Case("ht", size, n, m, ways, JaxReference(jax_f, x0), expected, peer)


def ba_case(n: int, m: int, p: int) -> Case:
    """``ba``: the residuals' blocks, forward (15 compressed directions) and reverse (2
    compressed rows, the tool's)."""
    problem = ba.jacobian.prepare(inputs.ba(n, m, p))
    ways = (
        Way("forward", "forward", ba.CAMERA + 4, lambda: ba.blocks_by_columns(problem)),
        Way("reverse", "reverse", 2, lambda: ba.blocks_by_rows(problem)),
    )
    jax = reference.jax()
    jnp = jax.numpy
    arrays = to_jax((problem.cams, problem.points, problem.weights, problem.feats))

    def shifted(s: Any) -> Any:
        cams, points, weights, feats = arrays
        moved = (cams + s[: ba.CAMERA], points + s[ba.CAMERA : -1], weights + s[-1], feats)
        return jax.vmap(reference.ba_residual)(*moved)

    per_observation = jax.vmap(jax.jacfwd(reference.ba_residual, (0, 1, 2)))

    def blocks(cams: Any, points: Any, weights: Any, feats: Any) -> Any:
        cam, point, weight = per_observation(cams, points, weights, feats)
        return jnp.concatenate([cam, point, weight[..., None]], axis=-1)

    zeros = np.zeros(ba.CAMERA + 4)
    expected = jax.jit(jax.jacfwd(shifted))(to_jax(zeros))
    peer = JaxPeer("vmap(jacfwd)", "forward", blocks, arrays)
    size = f"n={n}, m={m}, p={p}"
    return Case(
        "ba",
        size,
        ba.CAMERA * n + 3 * m + p,
        2 * p,
        ways,
        JaxReference(shifted, zeros),
        expected,
        peer,
    )


def autograd_module() -> Any:
    """HIPS autograd (the ``peers`` extra), imported when a case runs it."""
    return importlib.import_module("autograd")


def autograd_calculus() -> Calculus:
    """The nested evals' solver on HIPS autograd's gradient and square root."""
    return Calculus(
        lambda mode: autograd_module().grad, importlib.import_module("autograd.numpy").sqrt
    )


def pair_directions(pair: str, outer: int, inner: int) -> int:
    """Directions a mode pair carries: outer times inner, n for forward, 1 for reverse."""
    return (outer if pair[0] == "f" else 1) * (inner if pair[1] == "f" else 1)


def nested_case(
    name: str, run: Callable[[str, Calculus], Any], outer: int, inner: int, peer: bool
) -> Case:
    """A nested eval in the four mode pairs, checked against its golden value; HIPS autograd
    runs it in ``rr`` when ``peer``."""
    ways = tuple(
        Way(pair, long, pair_directions(pair, outer, inner), lambda p=pair: run(p, ON_ADMODES))
        for pair, long in PAIRS.items()
    )
    golden = GoldenReference(reference.GOLDEN[name])
    autograd = (lambda: run("rr", autograd_calculus())) if peer else None
    return Case(name, "eval's input", outer, 1, ways, golden, golden.value, None, autograd, True)


def saddle_run(pair: str, calc: Calculus) -> Any:
    """``saddle`` from the eval's start (1, 1)."""
    return saddle.saddle(pair, (1.0, 1.0), calc)


def particle_run(pair: str, calc: Calculus) -> Any:
    """``particle`` from the eval's control w = 0."""
    return particle.particle(pair, 0.0, calc)


FULL_CASES: tuple[tuple[Callable[..., Case], tuple], ...] = (
    (lse_case, (2500,)),
    (lse_case, (5000,)),
    (llsq_case, (16, 128)),
    (llsq_case, (1024, 128)),
    (det_case, (5,)),
    (det_case, (7,)),
    (ode_case, (1000, 1)),
    (ode_case, (1000, 10)),
    (kmeans_case, (10, 1000, 8)),
    (kmeans_case, (10, 10000, 8)),
    (gmm_case, (2, 5, 1000)),
    (gmm_case, (10, 5, 1000)),
    (lstm_case, (2, 16)),
    (lstm_case, (2, 64)),
    (ba_case, (49, 7776, 31843)),
    (ba_case, (21, 11315, 36455)),
    (ht_case, (100, 544, False)),
    (ht_case, (100, 544, True)),
    (ht_case, (400, 544, False)),
    (ht_case, (400, 544, True)),
)
"""Each eval's small and medium sizes from its own grid (``lse`` n from 2500, ``llsq`` m = 128,
``det`` ℓ from 5, ``ode`` n = 1000 with s from 1, ``kmeans`` k = 10, d = 8 with n from 1000,
``gmm`` n = 1000, k = 5 with d from 2, ``ba`` the two smallest data files' n, m, p); ``lstm``
and ``ht`` on generated inputs of the data files' structure, ``lstm`` on short texts (JAX eager
takes seconds per call on them already)."""
QUICK_CASES: tuple[tuple[Callable[..., Case], tuple], ...] = (
    (lse_case, (10,)),
    (llsq_case, (16, 8)),
    (det_case, (3,)),
    (ode_case, (10, 2)),
    (kmeans_case, (3, 30, 2)),
    (gmm_case, (2, 3, 20)),
    (ba_case, (3, 4, 7)),
)
"""Tiny instances of the evals whose JAX reference compiles in under a second."""
QUICK_SKIPPED = {
    "lstm": "JAX compiles its reference in seconds",
    "ht": "JAX compiles its reference in about ten seconds",
    "saddle": "its runs take seconds each",
    "particle": "its runs take half a minute each",
}
"""The evals ``--quick`` leaves out, and why (the CSV has a row for each)."""
NESTED: tuple[tuple[str, Callable[[str, Calculus], Any], int, int], ...] = (
    ("saddle", saddle_run, 2, 2),
    ("particle", particle_run, 1, 2),
)
"""Name, run, outer and inner number of inputs."""
EAGER_TIMED_MAX = 1.0
"""A JAX eager call slower than this many seconds (the second call: the first compiles each
primitive) is reported by that one timing, not interleaved."""


# --- measuring ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Single:
    """A row outside the interleaved samples: one timing, or a peer that did not run."""

    engine: str
    mode: str
    method: str
    seconds: float


def expected_of(case: Case) -> Callable[[Reference], Any]:
    """The case's reference value, as a :class:`Method` asks for it."""
    return lambda ref: case.expected


def admodes_methods(case: Case) -> list[Method]:
    """admodes' ways, each row carrying the directions the rule counts."""
    return [
        Method(
            ADMODES,
            way.mode,
            way.label,
            way.call,
            case.reference,
            expected_of(case),
            extra={"directions": way.directions},
        )
        for way in case.ways
    ]


def jax_methods(case: Case, peer: JaxPeer) -> tuple[list[Method], list[Single]]:
    """JAX jit (its first call timed apart, before anything else) and eager (interleaved, or
    by its second call alone when that takes over EAGER_TIMED_MAX seconds)."""
    jax = reference.jax()
    methods, singles = [], []
    if peer.jit:
        compiled = jax.jit(peer.derivative)
        jitted = lambda: jax.block_until_ready(compiled(*peer.args))
        jax.clear_caches()  # the reference may have compiled the same program: compile it again
        first = time_once(jitted)
        singles.append(Single(JAX_ENGINE, peer.mode, f"{peer.jit_method}, {FIRST_CALL}", first))
        methods.append(
            Method(
                JAX_ENGINE, peer.mode, peer.jit_method, jitted, case.reference, expected_of(case)
            )
        )
    eager = lambda: jax.block_until_ready(peer.derivative(*peer.args))
    time_once(eager)
    second = time_once(eager)
    if second > EAGER_TIMED_MAX:
        singles.append(Single(JAX_ENGINE, peer.mode, f"{peer.eager_method}, one call", second))
    else:
        methods.append(
            Method(
                JAX_ENGINE, peer.mode, peer.eager_method, eager, case.reference, expected_of(case)
            )
        )
    return methods, singles


def peer_methods(case: Case) -> tuple[list[Method], list[Single]]:
    """The peers that run the case: JAX, and HIPS autograd when installed."""
    methods, singles = jax_methods(case, case.jax) if case.jax else ([], [])
    if case.autograd is None:
        return methods, singles
    mode = case.ways[0].mode
    if is_installed(AUTOGRAD):
        methods.append(
            Method(AUTOGRAD, mode, "grad", case.autograd, case.reference, expected_of(case))
        )
    else:
        singles.append(Single(AUTOGRAD, mode, "not installed", math.nan))
    return methods, singles


def measure_case(ctx: Context, case: Case, *, peers: bool) -> None:
    """Count, validate and time admodes' ways (and the peers) interleaved; one row each for
    the single timings."""
    methods, singles = peer_methods(case) if peers else ([], [])
    point = {"workload": case.workload, "n_inputs": case.n_inputs, "n_outputs": case.n_outputs}
    extra = {"eval": case.eval, "size": case.size}
    measure_point(
        ctx,
        **point,
        methods=[*admodes_methods(case), *methods],
        extra=extra,
        plan=NESTED_PLAN if case.nested else None,
    )
    for single in singles:
        record_row(ctx, **point, **extra, **vars(single))


def record_skipped(ctx: Context, name: str, reason: str) -> None:
    """A row saying an eval was not run (``--quick``), and why."""
    record_row(
        ctx,
        workload=name,
        engine=ADMODES,
        mode="none",
        method=f"skipped in --quick: {reason}",
        n_inputs=0,
        n_outputs=0,
        seconds=math.nan,
        eval=name,
        size="none",
    )


def check_errors(frame: pd.DataFrame) -> None:
    """Raise if any result is further than TOLERANCE from JAX or the golden value."""
    for source in (JAX, GOLDEN):
        column = ERROR_COLUMN[source]
        if column not in frame or frame[column].isna().all():
            continue
        worst = frame.loc[frame[column].idxmax()]
        if worst[column] > TOLERANCE:
            raise ValidationError(
                f"{worst['workload']}, {worst['engine']} {worst['method']}: relative error "
                f"{worst[column]:.3g} against {source} (tolerance {TOLERANCE:g})"
            )


# --- verdicts -----------------------------------------------------------------------------------


def rule_picks(directions: dict[str, int]) -> list[str]:
    """The ways the n-versus-m rule picks: those carrying the fewest directions (none when all
    carry as many, n = m)."""
    fewest = min(directions.values())
    if fewest == max(directions.values()):
        return []
    return [label for label, count in directions.items() if count == fewest]


def leader(values: pd.Series) -> tuple[str, float]:
    """The smallest entry's label and how many times smaller it is than the next."""
    ordered = values.sort_values()
    return str(ordered.index[0]), float(ordered.iloc[1] / ordered.iloc[0])


def pick_ratio_samples(ours: pd.DataFrame, picks: Sequence[str]) -> pd.DataFrame:
    """Per round, the rule's fastest pick's time over the fastest other way's (below 1: a pick
    wins), with whether the round was noisy."""
    table = ours.pivot_table(index="repeat", columns="method", values="seconds")
    others = [method for method in table.columns if method not in picks]
    ratio = table[list(picks)].min(axis=1) / table[others].min(axis=1)
    noisy = ours.groupby("repeat")["noisy"].any().reindex(ratio.index)
    return pd.DataFrame({"value": ratio, "noisy": noisy.astype(bool)})


def judge_case(ctx: Context, case: Case, rows: pd.DataFrame) -> list[str]:
    """The verdict row of one case: the winner in FLOPs and in time, by how much, and whether
    the rule's pick wins (FLOPs exactly, time on bootstrap replicates)."""
    ours = rows[rows["engine"] == ADMODES]
    flops = ours.groupby("method", sort=False)["flops"].first()
    seconds = ours.groupby("method", sort=False)["seconds"].median()
    directions = {way.label: way.directions for way in case.ways}
    picks = rule_picks(directions)
    fewest, flops_factor = leader(flops)
    fastest, time_factor = leader(seconds)
    counted = ", ".join(f"{label} {count}" for label, count in directions.items())
    row = [case.eval, case.size, counted, ", ".join(picks) or "none (as many directions)"]
    row += [f"{fewest} (×{flops_factor:.3g})", "", f"{fastest} (×{time_factor:.3g})", ""]
    if picks:
        ctx.exact_claim(f"{case.workload}: the rule's pick takes the fewest FLOPs", fewest in picks)
        row[5] = ctx.verdicts[-1].outcome
        replicates = bootstrap_medians(
            [pick_ratio_samples(ours, picks)], f"gradbench {case.workload}", timed=True
        )[:, 0]
        ctx.timed_claim(
            f"{case.workload}: the rule's pick is the fastest", replicates, lambda r: r < 1.0
        )
        row[7] = ctx.verdicts[-1].outcome
    return row


# --- figure and tables --------------------------------------------------------------------------


def system_label(engine: str, method: str) -> str:
    """How a system appears in the figure's legends."""
    return method if engine == ADMODES else f"{engine}: {method}"


def time_groups(rows: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Per system, the median and IQR of its time at each size (first calls left out)."""
    timed = rows.dropna(subset=["seconds"])
    timed = timed[~timed["method"].str.endswith(FIRST_CALL)]
    groups = {}
    for (engine, method), samples in timed.groupby(["engine", "method"], sort=False):
        table = summarise(samples.assign(value=samples["seconds"]), ["size"])
        groups[system_label(engine, method)] = table.set_index("size")
    return groups


def figure(ctx: Context, frame: pd.DataFrame, cases: Sequence[Case], picks: dict[str, str]) -> None:
    """One panel per eval: time per call of each system at each size."""
    evals = list(dict.fromkeys(case.eval for case in cases))
    rows = math.ceil(len(evals) / 4)
    fig, axes = new_figure(
        len(evals),
        "GradBench evals: time per derivative by each mode of admodes, and by JAX and autograd",
        height=4.4,
        panel_width=5.2,
        rows=rows,
    )
    for ax, name in zip(axes, evals, strict=False):
        sizes = [case.size for case in cases if case.eval == name]
        plot_bars(
            ax,
            sizes,
            time_groups(frame[frame["eval"] == name]),
            "seconds per call",
            f"{name} (rule's pick: {picks[name]})",
        )
        ax.legend(fontsize=6, loc="best")
    for ax in axes[len(evals) :]:
        ax.axis("off")
    ctx.save_figure(
        fig,
        "times",
        "Time per derivative at each size, per eval: admodes in each mode (or mode pair), JAX "
        "eager and jit, HIPS autograd; median and IQR of the interleaved samples (single "
        "timings where noted in the table)",
    )


def seconds_text(seconds: float) -> str:
    """A time in ms below a second, in s above; a dash for none."""
    if not math.isfinite(seconds):
        return "—"
    return f"{seconds * 1e3:.3g} ms" if seconds < 1.0 else f"{seconds:.3g} s"


def median_of(rows: pd.DataFrame, engine: str, method: str) -> float:
    """The median time of one system (NaN if it has no rows)."""
    chosen = rows[(rows["engine"] == engine) & (rows["method"] == method)]
    return float(chosen["seconds"].median()) if len(chosen) else math.nan


def jax_cells(peer: JaxPeer | None, rows: pd.DataFrame) -> list[str]:
    """JAX eager (interleaved, or one call) and jit with its first call ("—": not run)."""
    if peer is None or not (rows["engine"] == JAX_ENGINE).any():
        return ["—", "—"]
    eager = median_of(rows, JAX_ENGINE, peer.eager_method)
    once = median_of(rows, JAX_ENGINE, f"{peer.eager_method}, one call")
    eager_text = seconds_text(eager) if math.isfinite(eager) else f"{seconds_text(once)} (one call)"
    if not peer.jit:
        return [eager_text, "not run"]
    jit = median_of(rows, JAX_ENGINE, peer.jit_method)
    first = median_of(rows, JAX_ENGINE, f"{peer.jit_method}, {FIRST_CALL}")
    return [eager_text, f"{seconds_text(jit)} ({seconds_text(first)})"]


def results_row(case: Case, rows: pd.DataFrame) -> list[str]:
    """One case's measurements: admodes per way (time, FLOPs over the fewest), JAX, autograd,
    the largest error."""
    ours = rows[rows["engine"] == ADMODES]
    flops = ours.groupby("method", sort=False)["flops"].first()
    seconds = ours.groupby("method", sort=False)["seconds"].median()
    ways = " · ".join(
        f"{way.label} {seconds_text(seconds[way.label])} ({flops[way.label] / flops.min():.3g}×)"
        for way in case.ways
    )
    errors = [rows[ERROR_COLUMN[s]].max() for s in (JAX, GOLDEN) if ERROR_COLUMN[s] in rows]
    return [
        case.eval,
        case.size,
        f"{case.n_inputs} → {case.n_outputs}",
        ways,
        *jax_cells(case.jax, rows),
        seconds_text(median_of(rows, AUTOGRAD, "grad")),
        f"{np.nanmax(errors):.1e}",
    ]


RESULTS_HEADER = [
    "eval",
    "size",
    "n → m",
    "admodes: median time (FLOPs ÷ fewest)",
    "JAX eager",
    "JAX jit (first call)",
    "HIPS autograd",
    "max rel err",
]
VERDICT_HEADER = [
    "eval",
    "size",
    "directions carried",
    "rule's pick",
    "fewest FLOPs (× next)",
    "rule, FLOPs",
    "fastest (× next)",
    "rule, time",
]


# --- the experiment -----------------------------------------------------------------------------


def build_cases(ctx: Context) -> list[Case]:
    """Every eval at its sizes; the nested ones in the full run only."""
    chosen = QUICK_CASES if ctx.quick else FULL_CASES
    cases = [build(*args) for build, args in ctx.progress(chosen, "building inputs")]
    if not ctx.quick:
        cases += [
            nested_case(name, run, outer, inner, peer=name == "saddle")
            for name, run, outer, inner in NESTED
        ]
    return cases


def run(ctx: Context) -> str:
    """Measure every case, validate, judge each against the n-versus-m rule; figure, tables."""
    cases = build_cases(ctx)
    for case in ctx.progress(cases, "evals"):
        measure_case(ctx, case, peers=not ctx.quick)
    if ctx.quick:
        for name, reason in QUICK_SKIPPED.items():
            record_skipped(ctx, name, reason)
    frame = ctx.frame()
    check_errors(frame)
    by_case = {case.workload: frame[frame["workload"] == case.workload] for case in cases}
    verdicts = [judge_case(ctx, case, by_case[case.workload]) for case in cases]
    picks = {row[0]: row[3] for row in verdicts}
    figure(ctx, frame, cases, picks)
    ctx.table(markdown_table(RESULTS_HEADER, [results_row(c, by_case[c.workload]) for c in cases]))
    ctx.table(markdown_table(VERDICT_HEADER, verdicts))
    notes(ctx)
    return f"{ctx.verdict_summary()}. " + headline(verdicts)


def notes(ctx: Context) -> None:
    """What the report should say about the choices made."""
    if ctx.quick:
        skipped = "; ".join(f"{name}: {reason}" for name, reason in QUICK_SKIPPED.items())
        ctx.note(f"--quick: tiny inputs, no peers; evals left out ({skipped}).")
    ctx.note(
        "Directions carried: tangents (forward) or cotangents (reverse) per derivative, outer "
        "times inner for a mode pair; the n-versus-m rule picks the fewest. ba's reverse "
        "compresses its rows (2 cotangents), its forward the columns (15 tangents); ht's "
        "forward compresses the us columns (28 tangents in a complicated instance)."
    )
    ctx.note(
        f"saddle and particle: {NESTED_PLAN.samples} timed run per mode pair after the counted "
        "one (no warm-up), validated against the eval's golden value; HIPS autograd runs "
        "saddle in rr (the same solver code); particle's autograd run takes minutes and is "
        "left out."
    )
    ctx.note(
        f"A JAX eager call over {EAGER_TIMED_MAX:g} s (its second: the first compiles each "
        "primitive) is reported by that one timing (marked one call), the others interleaved. "
        "det has no JAX peer (its expansion by minors is ℓ! scalar ops to JAX: seconds per "
        f"eager call and a long compile); its reference is JAX's ∇ det. lstm is compiled up to "
        f"{LSTM_JIT_MAX} characters, every other peer's derivative at every size (ht's too). "
        f"Every result matched JAX float64 or the golden value within a relative {TOLERANCE:g} "
        "(entrywise)."
    )
    versions = ", ".join(f"{name} {package_version(name)}" for name in (JAX_ENGINE, AUTOGRAD))
    ctx.note(f"Peer versions: {versions}.")


def headline(verdicts: Sequence[list[str]]) -> str:
    """Per eval, the FLOPs and time winners at its largest size."""
    last = {row[0]: row for row in verdicts}
    return (
        "; ".join(
            f"{name} ({row[1]}): fewest FLOPs {row[4]}, fastest {row[6]}"
            for name, row in last.items()
        )
        + "."
    )
