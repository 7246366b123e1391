"""The target ratios, measured interleaved: ``python -m tests.bench.interleaved`` (make bench).

pytest-benchmark times one benchmark after another, so a load change on a shared machine between
two of them moves their ratio. Here each pair (admodes, floor) is sampled alternately, A B B A
..., every sample looping until it has run for at least ``MIN_SAMPLE_S``, with ``gc.collect()``
before each; the ratio of each side-by-side pair of samples is kept, and their median and
interquartile range are printed.
"""

from __future__ import annotations

import gc
import statistics
import time
from collections.abc import Callable
from functools import partial

import numpy as np

from tests.bench.floors import (
    CHAIN_STEPS,
    OPS_PER_STEP,
    chain_fn,
    dual_grad,
    dual_sin,
    init_mlp,
    load_admodes,
    mlp_backprop,
    mlp_data,
    mlp_loss,
    tape_grad,
    tape_sin,
)

MIN_SAMPLE_S = 0.2
PAIRS = 21


def _sample(fn: Callable[[], object]) -> float:
    """Seconds per call, looping for at least ``MIN_SAMPLE_S``."""
    gc.collect()
    calls, start = 0, time.perf_counter()
    while True:
        fn()
        calls += 1
        elapsed = time.perf_counter() - start
        if elapsed >= MIN_SAMPLE_S:
            return elapsed / calls


def interleaved_ratio(a: Callable[[], object], b: Callable[[], object]) -> tuple[float, ...]:
    """(median a/b, lower quartile, upper quartile, median seconds of a, of b)."""
    a(), b()
    ratios, ta, tb = [], [], []
    for k in range(PAIRS):
        first, second = (a, b) if k % 2 == 0 else (b, a)
        s1, s2 = _sample(first), _sample(second)
        sa, sb = (s1, s2) if k % 2 == 0 else (s2, s1)
        ratios.append(sa / sb)
        ta.append(sa)
        tb.append(sb)
    q1, _, q3 = statistics.quantiles(ratios, n=4)
    return statistics.median(ratios), q1, q3, statistics.median(ta), statistics.median(tb)


def main() -> None:
    ad, anp = load_admodes()
    ops = CHAIN_STEPS * OPS_PER_STEP
    rng = np.random.default_rng(0)
    params = init_mlp(rng)
    X, Y = mlp_data(rng)
    mlp_grad = ad.grad(partial(mlp_loss, xp=anp))
    a50 = rng.standard_normal((50, 50))
    x = rng.standard_normal(50)

    def tanh_map(x: object) -> object:
        return anp.tanh(a50 @ anp.sin(x))

    cases = [
        (
            "scalar chain: admodes reverse / floor tape",
            2.0,
            partial(ad.grad(partial(chain_fn, sin=anp.sin), mode="reverse"), 0.3),
            partial(tape_grad(partial(chain_fn, sin=tape_sin)), 0.3),
            ops,
        ),
        (
            "scalar chain: admodes forward / floor dual",
            3.0,
            partial(ad.grad(partial(chain_fn, sin=anp.sin), mode="forward"), 0.3),
            partial(dual_grad(partial(chain_fn, sin=dual_sin)), 0.3),
            ops,
        ),
        (
            "MLP 784-512-512-10: admodes reverse / hand-written backprop",
            1.10,
            partial(mlp_grad, params, X, Y),
            partial(mlp_backprop, params, X, Y),
            1,
        ),
        (
            "tanh(A·sin x), n = m = 50: jacrev (batched cotangents) / jacfwd (batched tangents)",
            1.5,
            partial(ad.jacrev(tanh_map), x),
            partial(ad.jacfwd(tanh_map), x),
            1,
        ),
    ]
    print("\nInterleaved ratios (median [IQR] of side-by-side sample pairs)\n")
    print("| pair | ratio | IQR | admodes | floor | target |")
    print("|---|---:|---:|---:|---:|---:|")
    for label, target, a, b, per in cases:
        med, q1, q3, ta, tb = interleaved_ratio(a, b)
        unit, scale = ("µs/op", 1e6 / per) if per > 1 else ("ms", 1e3)
        verdict = "met" if med <= target else "MISSED"
        print(
            f"| {label} | {med:.2f} | {q1:.2f}–{q3:.2f} | {ta * scale:.3g} {unit} | "
            f"{tb * scale:.3g} {unit} | ≤ {target} {verdict} |"
        )


if __name__ == "__main__":
    main()
