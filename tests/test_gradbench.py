"""admodes as a GradBench tool, driven as GradBench's evals drive it.

One subprocess (``python -m experiments.gradbench``) receives the messages the evals send:
``start``, ``define``, ``evaluate`` with inputs generated as the evals generate them (fixed
seeds, small sizes) and run counts, ``analysis`` after each evaluation, ``end``. Every reply's
shape is checked, every output against JAX in float64 (relative 1e-10), and ``saddle``'s and
``particle``'s outputs against the evals' published golden values in all four mode pairs.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from experiments.gradbench import inputs
from experiments.gradbench.protocol import serve
from experiments.gradbench.reference import GOLDEN, compare, expected

# Long (a sweep against JAX or whole programs): `make test-fast` leaves it out.
pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[1]
RTOL = 1e-10
EVALS = ("hello", "lse", "llsq", "det", "ode", "kmeans", "lstm", "gmm", "ba", "ht")
MODE_PAIRS = ("rr", "ff", "fr", "rf")


class Tool:
    """The tool as a subprocess, and the eval's side of the protocol."""

    def __init__(self) -> None:
        env = os.environ | {"OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
        self.process = subprocess.Popen(
            [sys.executable, "-m", "experiments.gradbench"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            cwd=ROOT,
            env=env,
            text=True,
        )
        self.id = 0

    def send(self, message: dict[str, Any]) -> dict[str, Any]:
        """Send one message, return the tool's one-line reply (which must carry its id)."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"id": self.id} | message) + "\n")
        self.process.stdin.flush()
        response = json.loads(self.process.stdout.readline())
        assert response["id"] == self.id
        self.id += 1
        return response

    def evaluate(self, module: str, function: str, input: Any, min_runs: int = 1) -> Any:
        """An ``evaluate`` message (then ``analysis``, as an eval sends it); the output."""
        runs = {"min_runs": min_runs, "min_seconds": 0} if isinstance(input, dict) else {}
        message = {"kind": "evaluate", "module": module, "function": function}
        response = self.send(message | {"input": input | runs if runs else input})
        assert response.get("success") is True, response.get("error")
        assert set(response) == {"id", "success", "output", "timings"}
        names = [t["name"] for t in response["timings"]]
        assert names[0] == "prepare" and set(names[1:]) == {"evaluate"}
        assert len(names) - 1 >= min_runs
        assert all(isinstance(t["nanoseconds"], int) >= 0 for t in response["timings"])
        analysis = {"kind": "analysis", "of": response["id"], "valid": True}
        assert self.send(analysis) == {"id": response["id"] + 1}
        return response["output"]

    def end(self) -> tuple[int, str]:
        """Send ``end``: the tool exits without a reply. (exit code, anything left on stdout)."""
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"id": self.id, "kind": "end"}) + "\n")
        self.process.stdin.close()
        return self.process.wait(timeout=60), self.process.stdout.read()


@pytest.fixture(scope="module")
def tool() -> Iterator[Tool]:
    """A started tool with every eval defined; at the end, ``end`` must stop it cleanly."""
    tool = Tool()
    assert tool.send({"kind": "start", "eval": "gradbench"}) == {"id": 0, "tool": "admodes"}
    for module in (*EVALS, "saddle", "particle"):
        response = tool.send({"kind": "define", "module": module})
        assert response == {"id": response["id"], "success": True}, response
    yield tool
    assert tool.end() == (0, "")


CASES = [
    *(("lse", f, inputs.lse(n)) for n in (10, 100) for f in ("primal", "gradient")),
    *(
        ("llsq", f, inputs.llsq(n, m))
        for n, m in ((16, 4), (64, 8))
        for f in ("primal", "gradient")
    ),
    *(("det", f, inputs.det(ell)) for ell in (2, 3, 5) for f in ("primal", "gradient")),
    *(("ode", f, inputs.ode(n, s)) for n, s in ((10, 1), (10, 10)) for f in ("primal", "gradient")),
    *(("kmeans", f, inputs.kmeans(3, 30, 2)) for f in ("cost", "dir")),
    *(("lstm", f, inputs.lstm(2, 12)) for f in ("objective", "jacobian")),
    *(
        ("gmm", f, inputs.gmm(d, k, 20))
        for d, k in ((2, 3), (5, 4))
        for f in ("objective", "jacobian")
    ),
    *(("ba", f, inputs.ba(3, 4, 7)) for f in ("objective", "jacobian")),
    *(("ht", f, inputs.ht(6, 12, c)) for c in (False, True) for f in ("objective", "jacobian")),
]


@pytest.mark.parametrize(("module", "function", "input"), CASES)
def test_output_matches_jax(tool: Tool, module: str, function: str, input: Any) -> None:
    want = expected(module, function, input)
    assert compare(want, tool.evaluate(module, function, input)) <= RTOL


def test_hello_as_the_eval_runs_it(tool: Tool) -> None:
    x = 1.0
    for _ in range(4):
        y = tool.evaluate("hello", "square", x)
        assert y == expected("hello", "square", x)
        x = tool.evaluate("hello", "double", y)
        assert x == expected("hello", "double", y)
    assert x == 2.0**15


@pytest.mark.parametrize("function", MODE_PAIRS)
@pytest.mark.parametrize(
    ("module", "input"), [("saddle", {"start": [1.0, 1.0]}), ("particle", {"w": 0.0})]
)
def test_nested_golden(tool: Tool, module: str, function: str, input: Any) -> None:
    assert compare(GOLDEN[module], tool.evaluate(module, function, input)) <= RTOL


def test_run_counts(tool: Tool) -> None:
    """``min_runs`` (and an older eval's ``runs``) give one ``evaluate`` timing per run."""
    message = {"kind": "evaluate", "module": "lse", "function": "primal"}
    for runs, count in (({"min_runs": 3, "min_seconds": 0}, 3), ({"runs": 2}, 2)):
        response = tool.send(message | {"input": inputs.lse(5) | runs})
        assert [t["name"] for t in response["timings"]] == ["prepare"] + ["evaluate"] * count


def test_failures_are_replies(tool: Tool) -> None:
    """An eval admodes lacks, and an evaluation that raises, give ``success: false`` + error."""
    response = tool.send({"kind": "define", "module": "an_ode"})
    assert response["success"] is False and "does not implement" in response["error"]
    message = {"kind": "evaluate", "module": "lse", "function": "primal", "input": {"y": []}}
    response = tool.send(message)
    assert response["success"] is False and "KeyError" in response["error"]


def test_a_line_that_is_no_message_is_skipped(capsys: pytest.CaptureFixture) -> None:
    """Not JSON, not an object, no id: noted on stderr, no reply; the session goes on."""
    lines = ["not json", "[1, 2]", '{"kind": "start"}', '{"id": 5, "kind": "start"}']
    out = io.StringIO()
    serve(io.StringIO("\n".join(lines) + "\n"), out)
    assert [json.loads(line) for line in out.getvalue().splitlines()] == [
        {"id": 5, "tool": "admodes"}
    ]
    assert capsys.readouterr().err.count("ignored a line that is no message") == 3
