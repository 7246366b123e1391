"""Forward or reverse for *your* function: :func:`compare_modes` runs every way admodes has to
get a derivative of ``f`` at your arguments, counts, times and cross-checks them, and recommends
one.

Needs pandas (``pip install admodes[compare]``). ``admodes/__init__`` does not import this module;
``ad.compare_modes`` loads it on first use. As a command::

    python -m admodes.compare mymodule:f --args-from mymodule:make_args [--order 2]

prints the table for ``f(*make_args())``.
"""

from __future__ import annotations

import argparse
import gc
import math
import pkgutil
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from admodes.api import grad
from admodes.arguments import normalize_argnums
from admodes.core import shape, size
from admodes.counting import Counts
from admodes.forward import jacfwd
from admodes.measure import cost, counted
from admodes.reverse import jacrev
from admodes.tree import flatten

__all__ = ["Comparison", "compare_modes"]

FUNCTION = "f"
"""The row of ``f`` itself: the denominator of every ratio."""


@dataclass(frozen=True)
class Method:
    """One way to get the derivative: its name (the call, as you would write it), its mode, and
    the derivative function built from ``f``."""

    name: str
    mode: str
    derivative: Callable[..., Any]


def _first_order(
    f: Callable[..., Any], argnums: Any, n: int, m: int, scalar: bool, chunk_size: int | None
) -> list[Method]:
    """jacfwd and jacrev batched, one direction per pass/sweep and by the user's chunk; grad in
    both modes for a scalar output. A chunked variant identical to the batched call is left out."""
    methods = []
    for transform, mode, directions in ((jacfwd, "forward", n), (jacrev, "reverse", m)):
        label = transform.__name__
        methods.append(Method(f"{label}()", mode, transform(f, argnums)))
        for chunk in dict.fromkeys((1, chunk_size)):
            if chunk is not None and chunk < directions:
                methods.append(
                    Method(
                        f"{label}(chunk_size={chunk})",
                        mode,
                        transform(f, argnums, chunk_size=chunk),
                    )
                )
    if scalar:
        for mode in ("reverse", "forward"):
            methods.append(Method(f"grad(mode={mode!r})", mode, grad(f, argnums, mode=mode)))
    return methods


def _second_order(f: Callable[..., Any], argnums: Any) -> list[Method]:
    """The four mode pairs for the Hessian (outer transform over inner)."""
    pairs = ((jacfwd, jacrev), (jacrev, jacfwd), (jacfwd, jacfwd), (jacrev, jacrev))
    modes = {jacfwd: "forward", jacrev: "reverse"}
    return [
        Method(
            f"{outer.__name__}({inner.__name__}(f))",
            f"{modes[outer]}-over-{modes[inner]}",
            outer(inner(f, argnums), argnums),
        )
        for outer, inner in pairs
    ]


@dataclass(frozen=True)
class Comparison:
    """What :func:`compare_modes` measured: one row per method (and ``f`` first), the shape of
    the problem and the recommendation. ``print(comparison)`` shows :attr:`summary`."""

    table: pd.DataFrame
    n_inputs: int
    n_outputs: int
    order: int
    derivatives: dict[str, Any]
    recommendation: str

    @property
    def summary(self) -> str:
        """A header, the table and the recommendation."""
        kind = "derivative" if self.order == 1 else "second derivative"
        header = (
            f"{kind} of f: {self.n_inputs:,} input(s) -> {self.n_outputs:,} output(s); "
            "ratios are to f's own FLOPs and time"
        )
        with pd.option_context("display.width", 200, "display.max_columns", 20):
            body = self.table.to_string(formatters=_FORMATS, na_rep="-")
        return f"{header}\n{body}\n{self.recommendation}"

    def __str__(self) -> str:
        return self.summary


def _number(v: float) -> str:
    return f"{v:,.0f}"


def _ratio(v: float) -> str:
    """A ratio to f: three significant digits, whole numbers from 100 on (1,001×, not 1e+03×)."""
    return f"{v:,.0f}×" if v >= 100 else f"{v:.3g}×"


def _seconds(v: float) -> str:
    return f"{v:.3g}"


def _difference(v: float) -> str:
    return f"{v:.1e}"


_FORMATS = {
    "ops": _number,
    "flops": _number,
    "flops_primal": _number,
    "flops_jvp": _number,
    "flops_vjp": _number,
    "peak_saved_bytes": _number,
    "peak_tangent_bytes": _number,
    "time_median_s": _seconds,
    "time_iqr_s": _seconds,
    "flops_ratio": _ratio,
    "time_ratio": _ratio,
    "max_rel_diff": _difference,
}


def compare_modes(
    f: Callable[..., Any],
    *args: Any,
    argnums: int | Sequence[int] = 0,
    methods: Sequence[str] | None = None,
    chunk_size: int | None = None,
    order: int = 1,
    repeats: int = 5,
    min_sample_seconds: float = 0.01,
    max_call_seconds: float = 1.0,
) -> Comparison:
    """Every way admodes has to differentiate ``f`` at ``args``, counted, timed and cross-checked.

    ``order=1``: ``jacfwd`` (all directions in one pass, ``chunk_size=1`` one pass per input, and
    ``chunk_size`` if given), ``jacrev`` (all cotangents in one sweep, one sweep per output, and
    ``chunk_size``), and ``grad`` in both modes when ``f`` has one scalar output. ``order=2``: the
    Hessian by the four mode pairs (``jacfwd(jacrev(f))`` is forward over reverse, as
    ``ad.hessian``). ``methods`` picks some of them by name (as in the table's index).

    Per method: primitive ops, FLOPs in total and per phase, peak saved and tangent bytes (one
    run under :func:`admodes.count`); time, the median and interquartile range of ``repeats``
    interleaved samples (each repeat visits every method in turn, the order reversed on odd
    repeats; a sample loops the call for at least ``min_sample_seconds``; a method whose call
    takes longer than ``max_call_seconds`` is timed once; the garbage collector is paused);
    FLOPs and time as ratios to ``f``'s own (its FLOPs from :func:`admodes.cost`); and the
    largest relative difference of its derivative from the first method's.

    The methods that carry every direction at once (``jacfwd()``, ``grad(mode='forward')``) hold
    n tangents per intermediate value: for large n, name ``methods`` or pass a ``chunk_size``.
    """
    _check_settings(order, repeats, min_sample_seconds, max_call_seconds)
    nums = normalize_argnums(argnums, len(args))[0]
    n = sum(size(leaf) for i in nums for leaf in flatten(args[i])[0])
    value = f(*args)
    out_leaves = flatten(value)[0]
    m = sum(size(leaf) for leaf in out_leaves)
    scalar = len(out_leaves) == 1 and shape(out_leaves[0]) == ()
    candidates = (
        _first_order(f, argnums, n, m, scalar, chunk_size)
        if order == 1
        else _second_order(f, argnums)
    )
    chosen = _select(candidates, methods)
    calls = {FUNCTION: lambda: f(*args)} | {
        method.name: (lambda d=method.derivative: d(*args)) for method in chosen
    }
    counts = {FUNCTION: cost(f, *args)}
    derivatives = {}
    for method in chosen:
        derivatives[method.name], counts[method.name] = counted(calls[method.name])
    samples = _time_interleaved(calls, repeats, min_sample_seconds, max_call_seconds)
    first = next(iter(derivatives.values()))
    modes = {FUNCTION: "function"} | {method.name: method.mode for method in chosen}
    table = _table(
        counts, samples, modes, {k: _max_rel_diff(d, first) for k, d in derivatives.items()}
    )
    return Comparison(table, n, m, order, derivatives, _recommend(table, n, m))


def _check_settings(
    order: Any, repeats: Any, min_sample_seconds: float, max_call_seconds: float
) -> None:
    """ValueError naming the first setting out of its range."""
    if type(order) is not int or order not in (1, 2):
        raise ValueError(f"order must be 1 or 2, got {order!r}")
    if type(repeats) is not int or repeats < 1:
        raise ValueError(f"repeats must be a positive int (samples per method), got {repeats!r}")
    if not min_sample_seconds >= 0:
        raise ValueError(f"min_sample_seconds must be >= 0, got {min_sample_seconds!r}")
    if not max_call_seconds > 0:
        raise ValueError(f"max_call_seconds must be > 0, got {max_call_seconds!r}")


def _select(candidates: list[Method], names: Sequence[str] | None) -> list[Method]:
    if names is None:
        return candidates
    by_name = {method.name: method for method in candidates}
    if not names:
        raise ValueError(f"methods is empty: name at least one of {list(by_name)}")
    unknown = [name for name in names if name not in by_name]
    if unknown:
        raise ValueError(f"unknown method(s) {unknown}; this comparison has {list(by_name)}")
    return [by_name[name] for name in names]


def _time_interleaved(
    calls: dict[str, Callable[[], Any]], repeats: int, min_seconds: float, max_call_seconds: float
) -> dict[str, list[float]]:
    """Seconds per call: one calibrating call each, then ``repeats`` rounds visiting every method
    whose call is quick enough (alternating order), each sample looping until ``min_seconds``.
    The garbage collector is paused while timing, as ``timeit`` does."""
    samples: dict[str, list[float]] = {}
    loops: dict[str, int] = {}
    gc.collect()
    gc.disable()
    try:
        for name, call in calls.items():
            once = _sample(call, 1)
            samples[name] = [once] if once > max_call_seconds else []
            if once <= max_call_seconds:
                loops[name] = max(1, math.ceil(min_seconds / max(once, 1e-9)))
        for r in range(repeats):
            for name in list(loops) if r % 2 == 0 else list(reversed(loops)):
                samples[name].append(_sample(calls[name], loops[name]))
    finally:
        gc.enable()
    return samples


def _sample(call: Callable[[], Any], loops: int) -> float:
    start = time.perf_counter()
    for _ in range(loops):
        call()
    return (time.perf_counter() - start) / loops


def _max_rel_diff(a: Any, b: Any) -> float:
    """max |a − b| / max |b| over the flattened derivatives."""
    x = np.concatenate([np.ravel(leaf) for leaf in flatten(a)[0]]).astype(np.float64)
    y = np.concatenate([np.ravel(leaf) for leaf in flatten(b)[0]]).astype(np.float64)
    if x.shape != y.shape:
        raise ValueError(f"derivatives of different sizes: {x.size} and {y.size} entries")
    if not x.size:
        return 0.0
    scale = np.max(np.abs(y))
    return float(np.max(np.abs(x - y)) / (scale if scale > 0 else 1.0))


def _table(
    counts: dict[str, Counts],
    samples: dict[str, list[float]],
    modes: dict[str, str],
    differences: dict[str, float],
) -> pd.DataFrame:
    rows = {}
    for name, c in counts.items():
        q1, median, q3 = np.percentile(samples[name], [25, 50, 75])
        rows[name] = {
            "mode": modes[name],
            "ops": c.ops,
            "flops": c.flops,
            "flops_primal": c.by_phase["primal"]["flops"],
            "flops_jvp": c.by_phase["jvp"]["flops"],
            "flops_vjp": c.by_phase["vjp"]["flops"],
            "peak_saved_bytes": c.peak_saved_bytes,
            "peak_tangent_bytes": c.peak_tangent_bytes,
            "time_median_s": median,
            "time_iqr_s": q3 - q1 if len(samples[name]) > 1 else math.nan,
            "max_rel_diff": differences.get(name, math.nan),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "method"
    base = table.loc[FUNCTION]
    table.insert(6, "flops_ratio", table["flops"] / max(base["flops"], 1))
    table.insert(
        len(table.columns) - 1, "time_ratio", table["time_median_s"] / base["time_median_s"]
    )
    return table


def _recommend(table: pd.DataFrame, n: int, m: int) -> str:
    """One sentence: the mode with the cheapest method in FLOPs, against the best of the others,
    with the measured ratios and the problem's shape."""
    methods = table.drop(index=FUNCTION)
    best_by_mode = methods.loc[methods.groupby("mode")["flops_ratio"].idxmin()]
    ranked = best_by_mode.sort_values(["flops_ratio", "time_ratio"])
    shape_text = f"n = {n:,} input{'s' * (n != 1)}, m = {m:,} output{'s' * (m != 1)}"
    win_name, win = next(ranked.iterrows())
    text = (
        f"{win['mode']} ({win_name}): {_ratio(win['flops_ratio'])} f's FLOPs and "
        f"{_ratio(win['time_ratio'])} its time"
    )
    if len(ranked) > 1:
        lose_name, lose = list(ranked.iterrows())[1]
        text += (
            f", against {_ratio(lose['flops_ratio'])} and {_ratio(lose['time_ratio'])} for "
            f"{lose['mode']} ({lose_name})"
        )
    return f"{text}; {shape_text}."


def main(argv: Sequence[str] | None = None) -> None:
    """``python -m admodes.compare module:function --args-from module:make_args``."""
    parser = argparse.ArgumentParser(prog="python -m admodes.compare", description=__doc__)
    parser.add_argument("function", help="module:function, the f to differentiate")
    parser.add_argument("--args-from", required=True, help="module:make_args, returns f's args")
    parser.add_argument("--argnums", type=int, nargs="+", default=[0])
    parser.add_argument("--order", type=int, default=1, choices=(1, 2))
    parser.add_argument("--chunk-size", type=int, default=None)
    parser.add_argument("--methods", default=None, help="comma-separated method names")
    parser.add_argument("--repeats", type=int, default=5)
    options = parser.parse_args(argv)
    f = _resolved(parser, options.function, "function")
    args = _resolved(parser, options.args_from, "--args-from")()
    argnums = options.argnums[0] if len(options.argnums) == 1 else tuple(options.argnums)
    print(
        compare_modes(
            f,
            *(args if isinstance(args, tuple | list) else (args,)),  # f(*make_args())
            argnums=argnums,
            methods=None if options.methods is None else options.methods.split(","),
            chunk_size=options.chunk_size,
            order=options.order,
            repeats=options.repeats,
        )
    )


def _resolved(parser: argparse.ArgumentParser, spec: str, what: str) -> Any:
    """The callable ``module:name`` names, or a usage error saying why there is none."""
    if ":" not in spec:
        parser.error(f"{what} {spec!r}: expected module:name")
    try:
        found = pkgutil.resolve_name(spec)
    except (ImportError, AttributeError, ValueError) as problem:
        parser.error(f"{what} {spec!r}: {type(problem).__name__}: {problem}")
    if not callable(found):
        parser.error(f"{what} {spec!r} is not callable")
    return found


if __name__ == "__main__":
    main()
