"""ad.explain: the chapter's worked examples by hand, every row against the engines, forward
tangents against jvp, large graphs summarised, DOT text and the matplotlib drawing."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import numpy as np
import pytest
from conftest import assert_close
from test_readme import BLOCKS, README

import admodes as ad
import admodes.numpy as anp
from admodes.explain import explain, main, seed_report


def _rows(explanation) -> list[tuple]:
    return [(r.node, r.op, r.inputs, r.value, r.partials, r.derivative) for r in explanation.rows]


def test_chain_rule_by_hand() -> None:
    # u = 3x + 2 = 5 at x = 1, f = u² = 25; ∂f/∂u = 2u = 10, ∂u/∂(3x) = 1, ∂(3x)/∂x = 3: 30.
    ex = explain(lambda x: (3 * x + 2) ** 2, 1.0, names=("3x", "u", "f"))
    assert _rows(ex) == [
        ("x", "input", (), 1.0, (), 30.0),
        ("3x", "multiply", ("3", "x"), 3.0, (None, 3.0), 10.0),
        ("u", "add", ("3x", "2"), 5.0, (1.0, None), 10.0),
        ("f", "power", ("u", "2"), 25.0, (10.0, None), 1.0),
    ]
    assert ex.derivative == {"x": 30.0} and ex.value == 25.0


def test_pytree_inputs_are_named_by_their_keys() -> None:
    # f = w·b for p = {"w": 2, "b": 3} (keys in sorted order, b first): ∂f/∂w = 3, ∂f/∂b = 2.
    ex = explain(lambda p, q: p["w"] * p["b"] + q[1], {"w": 2.0, "b": 3.0}, (0.5, 4.0))
    assert [r.node for r in ex.rows[:4]] == ["p['b']", "p['w']", "q[0]", "q[1]"]
    assert ex.derivative == {"p['b']": 2.0, "p['w']": 3.0, "q[0]": 0.0, "q[1]": 1.0}
    with pytest.raises(TypeError, match="pass floats"):
        explain(lambda a: a * a, 2)


def test_loss_by_hand_both_modes() -> None:
    # z = w·x = 6, h = z + b = 7, L = h² = 49; L̄ = 1, h̄ = 2h = 14, z̄ = b̄ = 14, w̄ = 14·3 = 42,
    # x̄ = 14·2 = 28.
    def loss(w, x, b):
        return (w * x + b) ** 2

    rev = explain(loss, 2.0, 3.0, 1.0, names=("z", "h", "L"))
    assert [(r.node, r.value, r.partials, r.derivative) for r in rev.rows] == [
        ("w", 2.0, (), 42.0),
        ("x", 3.0, (), 28.0),
        ("b", 1.0, (), 14.0),
        ("z", 6.0, (3.0, 2.0), 14.0),
        ("h", 7.0, (1.0, 1.0), 14.0),
        ("L", 49.0, (14.0, None), 1.0),
    ]
    assert rev.derivative["w"] / rev.derivative["b"] == 3.0
    fwd = explain(loss, 2.0, 3.0, 1.0, mode="forward", names=("z", "h", "L"))
    # One pass per input: ż = (x, w, 0) = (3, 2, 0), ḣ = (3, 2, 1), L̇ = 2h·ḣ = (42, 28, 14).
    assert [r.derivative for r in fwd.rows[3:]] == [
        (3.0, 2.0, 0.0),
        (3.0, 2.0, 1.0),
        (42.0, 28.0, 14.0),
    ]
    assert fwd.derivative == {"w": 42.0, "x": 28.0, "b": 14.0}
    assert fwd.directions == ("ṫ(w)", "ṫ(x)", "ṫ(b)")


def test_seed_report_prints_every_number_of_the_chapter(capsys) -> None:
    main(["seed"])
    out = capsys.readouterr().out
    assert out.strip() == seed_report().strip()
    lines = out.splitlines()
    # (3x + 2)² at x = 1
    assert "df/dx = df/du · du/dx = 2u · 3 = 30" in lines
    assert "u     add       3x, 2   5      1               10" in lines
    # L = (w·x + b)²: 49 / 42 / 28 / 14, the blame ratio, forward mode's three passes
    assert "L = 49; 6 nodes, 3 primitives" in lines
    for text in ("∂L/∂w = 42", "∂L/∂x = 28", "∂L/∂b = 14"):
        assert text in lines
    assert "blame: ∂L/∂w / ∂L/∂b = 42 / 14 = 3× (w gets 3× more blame than b)" in lines
    assert "L     power     h, 2    49     14              42    28    14" in lines
    # The two-layer ReLU net: z1 = 1, a1 = 1, z2 = −0.3, L = 1.69; z̄2 = 2(z2 − y) = −2.6,
    # w̄2 = −2.6·a1 = −2.6, ā1 = −2.6·w2 = 0.78, z̄1 = 0.78 (relu' = 1), w̄1 = 0.78·x = 1.56.
    for text in (
        "w1      input                0.5                    1.56",
        "w2      input                -0.3                   -2.6",
        "z1      multiply  w1, 2      1      2               0.78",
        "a1      relu      z1         1      1               0.78",
        "z2      multiply  w2, a1     -0.3   1, -0.3         -2.6",
        "L = 1.69; 7 nodes, 5 primitives",
        "∂L/∂w1 = 1.56",
        "∂L/∂w2 = -2.6",
        # SGD, lr = 0.1: 0.5 − 0.1·1.56 = 0.344, −0.3 − 0.1·(−2.6) = −0.04.
        "SGD step, lr = 0.1: w1 0.5 -> 0.344, w2 -0.3 -> -0.04",
    ):
        assert text in lines, text


def test_rows_match_the_engines_on_arrays() -> None:
    rng = np.random.default_rng(3)
    W, b, x = rng.normal(size=(3, 4)), rng.normal(size=3), rng.normal(size=4)

    def f(W, b, x):
        return anp.sum(anp.tanh(W @ x + b) ** 2) / 3.0

    ex = explain(f, W, b, x)
    gW, gb, gx = ad.grad(f, argnums=(0, 1, 2))(W, b, x)
    assert_close(ex.derivative["W"], gW)
    assert_close(ex.derivative["b"], gb)
    assert_close(ex.derivative["x"], gx)
    # Each intermediate's adjoint is the gradient of f with respect to that intermediate.
    h = W @ x + b
    hbar = ad.grad(lambda h: anp.sum(anp.tanh(h) ** 2) / 3.0)(h)
    assert_close(next(r for r in ex.rows if r.op == "add").derivative, hbar)
    # Forward mode: each pass's tangent of the output is the gradient's entry.
    fwd = explain(lambda x: f(W, b, x), x, mode="forward")
    assert_close(np.array([fwd.derivative[f"x.flat[{e}]"] for e in range(4)]), gx)


def test_large_graphs_are_summarised() -> None:
    def chain(x):
        for _ in range(100):
            x = anp.sin(x) * 1.01
        return x

    ex = explain(chain, 0.3)
    assert len(ex.rows) == 201
    text = ex.table()
    assert len(text.splitlines()) == 1 + 8 + 1 + 8 + 1
    assert "… 185 rows" in text and "omitted: 93 × multiply, 92 × sin" in text
    assert ex.derivative["x"] == pytest.approx(ad.grad(chain)(0.3), rel=1e-12)


def test_dot_and_drawing() -> None:
    ex = explain(lambda w, x, b: (w * x + b) ** 2, 2.0, 3.0, 1.0, names=("z", "h", "L"))
    dot = ex.dot()
    assert dot.startswith("digraph admodes {") and dot.endswith("}")
    assert dot.count(" -> ") == len(ex.edges) == 5  # w, x -> z; z, b -> h; h -> L
    assert 'n0 -> n3 [label="∂ 3"]' in dot
    ax = ad.draw(ex)
    # A label per node; per edge an arrow (an annotation) and its partial.
    assert len(ax.texts) == len(ex.rows) + 2 * len(ex.edges)


def test_errors() -> None:
    with pytest.raises(ValueError, match="scalar output"):
        explain(lambda x: x * 2.0, np.ones(3))
    with pytest.raises(ValueError, match="one pass per input direction"):
        explain(lambda x: anp.sum(x), np.ones(9), mode="forward")
    with pytest.raises(ValueError, match="mode must be"):
        explain(lambda x: x, 1.0, mode="sideways")


def test_readme_explain_example() -> None:
    loss_block = next(b for b in BLOCKS if b.startswith("import admodes as ad\n\ndef loss"))
    block = next(b for b in BLOCKS if b.startswith("ex = ad.explain(loss"))
    namespace: dict = {}
    exec(loss_block + block.replace("print(ex)", ""), namespace)
    shown = README.read_text().split(block)[1].split("```")[2].strip()
    assert shown == str(namespace["ex"])
