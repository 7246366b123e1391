"""GradBench's JSON-lines protocol, tool side.

One message per line on stdin, one reply per line on stdout, each reply carrying the message's
``id``:

- ``{"kind": "start", "eval": name, "config": ...}`` → ``{"id", "tool": "admodes"}``
- ``{"kind": "define", "module": name}`` → ``{"id", "success"[, "error"]}``: the module is
  imported (``evals.<name>``); an eval admodes does not implement, or one that fails to import,
  gives ``success: false`` with the error text.
- ``{"kind": "evaluate", "module", "function", "input"[, "description"]}`` →
  ``{"id", "success", "output", "timings"}`` or ``{"id", "success": false, "error",
  "timings"}``. The input is converted once (timed as ``"prepare"``), then the function runs
  ``min_runs`` times and at least ``min_seconds`` in total (older evals send ``runs``: that many
  times), each run timed as one ``"evaluate"`` entry, in nanoseconds.
- ``{"kind": "analysis", "of", "valid"[, "error"]}`` → ``{"id"}``.
- ``{"kind": "end"}`` → no reply; the tool exits.

Nothing else reaches stdout: while the loop runs, ``sys.stdout`` is stderr.
"""

from __future__ import annotations

import importlib
import json
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from types import ModuleType
from typing import Any, TextIO

TOOL = "admodes"
EVALS = "experiments.gradbench.evals"

Json = Any


@dataclass(frozen=True)
class Function:
    """One function of an eval: JSON input → prepared arguments → result → JSON output.

    ``prepare`` runs once per ``evaluate`` message (timed as ``"prepare"``), ``compute`` once
    per run (timed as ``"evaluate"``), ``output`` once on the last run's result.
    """

    prepare: Callable[[Json], Any]
    compute: Callable[[Any], Any]
    output: Callable[[Any], Json]


def function(
    prepare: Callable[[Json], Any], output: Callable[[Any], Json]
) -> Callable[[Callable[[Any], Any]], Function]:
    """Decorator: ``@function(prepare, output)`` over the compute step of an eval function."""

    def wrap(compute: Callable[[Any], Any]) -> Function:
        return Function(prepare, compute, output)

    return wrap


def timing(name: str, nanoseconds: int) -> dict[str, Json]:
    """A protocol timing entry."""
    return {"name": name, "nanoseconds": nanoseconds}


def run_counts(input: Json) -> tuple[int, float]:
    """(minimum runs, minimum total seconds) asked for by an input (protocol type ``Runs``)."""
    if isinstance(input, dict) and "runs" in input:
        return int(input["runs"]), 0.0
    if isinstance(input, dict):
        return int(input.get("min_runs", 1)), float(input.get("min_seconds", 0.0))
    return 1, 0.0


def evaluate(fn: Function, input: Json) -> dict[str, Json]:
    """Prepare once, run as often as the input asks, time each step; the reply's body."""
    start = time.perf_counter_ns()
    prepared = fn.prepare(input)
    timings = [timing("prepare", time.perf_counter_ns() - start)]
    min_runs, min_seconds = run_counts(input)
    elapsed = 0
    result = None
    while len(timings) - 1 < max(min_runs, 1) or elapsed < min_seconds * 1e9:
        start = time.perf_counter_ns()
        result = fn.compute(prepared)
        ns = time.perf_counter_ns() - start
        timings.append(timing("evaluate", ns))
        elapsed += ns
    return {"success": True, "output": fn.output(result), "timings": timings}


def load(module: str) -> ModuleType:
    """The eval module for ``module``; ``ImportError`` names an eval admodes does not have."""
    try:
        return importlib.import_module(f"{EVALS}.{module}")
    except ModuleNotFoundError as e:
        if e.name == f"{EVALS}.{module}":
            raise ImportError(f"{TOOL} does not implement the eval {module!r}") from None
        raise


def failure(error: BaseException) -> dict[str, Json]:
    """A reply body for a failed define or evaluate: the traceback as the error text."""
    return {"success": False, "error": "".join(traceback.format_exception(error))}


def reply(message: dict[str, Json]) -> dict[str, Json] | None:
    """The reply to one message (``None`` for ``end``, which gets none)."""
    kind = message.get("kind")
    body: dict[str, Json] = {}
    if kind == "end":
        return None
    if kind == "start":
        body = {"tool": TOOL}
    elif kind == "define":
        try:
            load(message["module"])
            body = {"success": True}
        except Exception as e:
            body = failure(e)
    elif kind == "evaluate":
        try:
            fn = getattr(load(message["module"]), message["function"])
            if not isinstance(fn, Function):
                raise AttributeError(f"{message['module']} has no function {message['function']!r}")
            body = evaluate(fn, message.get("input"))
        except Exception as e:
            body = failure(e) | {"timings": []}
    return {"id": message["id"]} | body


def answer(line: str) -> dict[str, Json] | None:
    """:func:`reply`'s answer to the message on ``line``. A line that is no message (not JSON,
    or not an object with an id) is noted on stderr and answered with nothing (``{}``): the
    session goes on."""
    try:
        message = json.loads(line)
    except ValueError:
        message = None
    if not (isinstance(message, dict) and "id" in message):
        print(
            f"gradbench tool: ignored a line that is no message: {line.strip()!r}", file=sys.stderr
        )
        return {}
    return reply(message)


def serve(stdin: TextIO, stdout: TextIO) -> None:
    """Answer messages from ``stdin`` on ``stdout`` until ``end`` or end of input."""
    saved, sys.stdout = sys.stdout, sys.stderr
    try:
        for line in stdin:
            if not line.strip():
                continue
            response = answer(line)
            if response is None:
                break
            if response:
                stdout.write(json.dumps(response) + "\n")
                stdout.flush()
    finally:
        sys.stdout = saved
