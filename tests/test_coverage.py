"""The README's coverage table is the generated one (never written by hand), and the probes
behind it tell support from failure."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import admodes.numpy as anp
from admodes import coverage
from admodes.registry import REGISTRY, defprim

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_block_is_generated() -> None:
    text = README.read_text(encoding="utf-8")
    expected = coverage.replace_block(text, coverage.markdown())
    assert text == expected, (
        "the README's coverage table is out of date: run "
        "`python -m admodes.coverage --write README.md`"
    )


def test_replace_block_needs_both_markers() -> None:
    assert coverage.replace_block(f"a\n{coverage.START}\nold\n{coverage.END}\nb", "new\n") == (
        f"a\n{coverage.START}\nnew\n{coverage.END}\nb"
    )
    with pytest.raises(ValueError, match="coverage"):
        coverage.replace_block("no markers", "new\n")


def test_probe_rows() -> None:
    """A differentiable function, a comparison, a zero-derivative op and NumPy's own function."""
    sin, less, sign, arange = (
        coverage.probe("numpy", name, getattr(anp, name))
        for name in ("sin", "less", "sign", "arange")
    )
    assert (sin.forward, sin.reverse, sin.second, sin.dispatch) == ("✓", "✓", "✓", "✓")
    assert (less.forward, less.note) == ("—", "not differentiable (integer or bool output)")
    assert (sign.forward, sign.reverse, sign.second) == ("0", "0", "0")
    assert arange.note == "NumPy's own: makes constants"


def test_probe_marks_a_missing_rule() -> None:
    """An op with a forward rule only: forward ✓, reverse ✗ (its VJP raises), second order —."""

    def no_vjp(g: object, ans: object, x: object) -> object:
        raise NotImplementedError

    prim = defprim("coverage_probe_op", np.tanh, jvps=[lambda t, ans, x: t], vjps=[no_vjp])
    try:
        row = coverage.probe("numpy", "coverage_probe_op", prim)
    finally:
        del REGISTRY["coverage_probe_op"]
    assert (row.forward, row.reverse, row.second, row.dispatch) == ("✓", "✗", "—", "—")
