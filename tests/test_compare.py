"""ad.cost and ad.compare_modes: derivatives against JAX, counts against count() for the same
calls, the recommendation on a wide and a tall function, the command, and the README example."""

from __future__ import annotations

import re
import sys

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import assert_close
from test_readme import BLOCKS, README

import admodes as ad
import admodes.numpy as anp
from admodes.compare import compare_modes, main

RNG = np.random.default_rng(7)
A = RNG.normal(size=(3, 40))
B = RNG.normal(size=(60, 2))


def wide(x):
    """ℝ⁴⁰ → ℝ, written with plain NumPy operators."""
    return np.sum(np.tanh(A @ x) ** 2) + np.sum(np.sin(x) * x)


def wide_jax(x):
    return jnp.sum(jnp.tanh(A @ x) ** 2) + jnp.sum(jnp.sin(x) * x)


def tall(x):
    """ℝ² → ℝ⁶⁰."""
    return anp.tanh(B @ x) * anp.exp(x[0])


def tall_jax(x):
    return jnp.tanh(B @ x) * jnp.exp(x[0])


X_WIDE = RNG.normal(size=40)
X_TALL = np.array([0.3, -0.7])
QUICK = {"repeats": 2, "min_sample_seconds": 0.0}


def test_cost_counts_plain_numpy_operators() -> None:
    # matmul 2·3·40, tanh 3, power 3, sum 3; sin 40, multiply 40, sum 40; add 1.
    c = ad.cost(wide, X_WIDE)
    assert c.flops == 2 * 3 * 40 + 3 * 3 + 3 * 40 + 1
    assert c.by_op["matmul"] == 1 and c.by_op["sum"] == 2 and c.ops == 8
    assert c.by_phase["primal"] == {"ops": c.ops, "flops": c.flops}
    assert c.peak_saved_bytes == 0 and c.peak_tangent_bytes == 0
    # Integer leaves (indices) pass as constants.
    assert ad.cost(lambda x, i: x[i] * 2.0, X_WIDE, np.array([0, 3])).by_op == {
        "getitem": 1,
        "multiply": 1,
    }


@pytest.fixture(scope="module")
def wide_result():
    return compare_modes(wide, X_WIDE, chunk_size=8, **QUICK)


@pytest.fixture(scope="module")
def tall_result():
    return compare_modes(tall, X_TALL, **QUICK)


def test_methods_listed(wide_result, tall_result) -> None:
    assert list(wide_result.table.index) == [
        "f",
        "jacfwd()",
        "jacfwd(chunk_size=1)",
        "jacfwd(chunk_size=8)",
        "jacrev()",
        "grad(mode='reverse')",
        "grad(mode='forward')",
    ]
    assert list(tall_result.table.index) == ["f", "jacfwd()", "jacfwd(chunk_size=1)", "jacrev()",
                                             "jacrev(chunk_size=1)"]  # fmt: skip
    assert (wide_result.n_inputs, wide_result.n_outputs) == (40, 1)
    assert (tall_result.n_inputs, tall_result.n_outputs) == (2, 60)


def test_derivatives_agree_with_jax(wide_result, tall_result) -> None:
    for result, ref in (
        (wide_result, jax.jit(jax.grad(wide_jax))(X_WIDE)),
        (tall_result, jax.jit(jax.jacrev(tall_jax))(X_TALL)),
    ):
        for derivative in result.derivatives.values():
            assert_close(np.asarray(derivative), np.asarray(ref))
        assert result.table["max_rel_diff"].drop("f").max() < 1e-12


def test_counts_equal_count_for_the_same_calls(wide_result) -> None:
    calls = {
        "jacfwd()": ad.jacfwd(wide),
        "jacfwd(chunk_size=1)": ad.jacfwd(wide, chunk_size=1),
        "jacfwd(chunk_size=8)": ad.jacfwd(wide, chunk_size=8),
        "jacrev()": ad.jacrev(wide),
        "grad(mode='reverse')": ad.grad(wide),
        "grad(mode='forward')": ad.grad(wide, mode="forward"),
    }
    table = wide_result.table
    for name, call in calls.items():
        with ad.count() as c:
            call(X_WIDE)
        row = table.loc[name]
        assert (row["ops"], row["flops"]) == (c.ops, c.flops), name
        assert [row[f"flops_{p}"] for p in ("primal", "jvp", "vjp")] == [
            c.by_phase[p]["flops"] for p in ("primal", "jvp", "vjp")
        ]
        assert row["peak_saved_bytes"] == c.peak_saved_bytes
        assert row["peak_tangent_bytes"] == c.peak_tangent_bytes
        assert row["flops_ratio"] == c.flops / ad.cost(wide, X_WIDE).flops
    assert table.loc["f", "flops"] == ad.cost(wide, X_WIDE).flops


def test_times_exist_and_are_positive(wide_result) -> None:
    assert (wide_result.table["time_median_s"] > 0).all()
    assert (wide_result.table["time_iqr_s"] >= 0).all()
    assert (wide_result.table["time_ratio"] > 0).all()


def test_recommendation_reverse_when_wide_forward_when_tall(wide_result, tall_result) -> None:
    flops = wide_result.table["flops_ratio"]
    assert wide_result.recommendation.startswith("reverse (jacrev()): ")
    assert f"{flops['jacrev()']:.3g}× f's FLOPs" in wide_result.recommendation
    assert "n = 40 inputs, m = 1 output." in wide_result.recommendation
    assert tall_result.recommendation.startswith("forward (jacfwd()): ")
    assert "n = 2 inputs, m = 60 outputs." in tall_result.recommendation
    assert str(wide_result).endswith(wide_result.recommendation)


def small(x):
    return np.sum(np.tanh(A[:, :6] @ x) ** 2) * np.prod(np.cos(x))


def small_jax(x):
    return jnp.sum(jnp.tanh(A[:, :6] @ x) ** 2) * jnp.prod(jnp.cos(x))


def test_hessian_by_four_mode_pairs_agrees_with_jax() -> None:
    x = RNG.normal(size=6)
    result = compare_modes(small, x, order=2, repeats=1, min_sample_seconds=0.0)
    assert list(result.table["mode"].drop("f")) == [
        "forward-over-reverse",
        "reverse-over-forward",
        "forward-over-forward",
        "reverse-over-reverse",
    ]
    ref = jax.jit(jax.hessian(small_jax))(x)
    for derivative in result.derivatives.values():
        assert_close(np.asarray(derivative), np.asarray(ref), rtol=1e-9)
    assert result.recommendation.endswith("n = 6 inputs, m = 1 output.")


def test_pytree_arguments_and_argnums() -> None:
    def loss(params, x):
        w, b = params["w"], params["b"]
        return anp.sum((x @ w + b) ** 2)

    params = {"w": RNG.normal(size=(4, 2)), "b": np.zeros(2)}
    x = RNG.normal(size=(5, 4))
    result = compare_modes(loss, params, x, methods=["jacrev()", "jacfwd()"], **QUICK)
    assert result.n_inputs == 10
    ref = jax.jit(jax.grad(lambda p, x: jnp.sum((x @ p["w"] + p["b"]) ** 2)))(params, x)
    assert_close(result.derivatives["jacrev()"], ref)
    with pytest.raises(ValueError, match="unknown method"):
        compare_modes(loss, params, x, methods=["jacrev(chunk_size=1)"])


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        ({"methods": []}, "methods is empty"),
        ({"repeats": 0}, "repeats must be a positive int"),
        ({"order": True}, "order must be 1 or 2"),
        ({"min_sample_seconds": -1.0}, "min_sample_seconds must be >= 0"),
        ({"max_call_seconds": 0.0}, "max_call_seconds must be > 0"),
        ({"argnums": 1}, "names argument 1, but the function was called with 1"),
    ],
)
def test_settings_out_of_range_are_named(settings: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        compare_modes(lambda x: anp.sum(anp.sin(x)), np.ones(3), **settings)


def test_command(tmp_path, monkeypatch, capsys) -> None:
    """f(*make_args()), for a tuple or a list; a module or name that is not there is a usage
    error."""
    (tmp_path / "user_model.py").write_text(
        "import numpy as np\n"
        "def f(x):\n    return np.sum(np.sin(x) * x)\n"
        "def make_args():\n    return (np.linspace(0.0, 1.0, 20),)\n"
        "def g(x, y):\n    return np.sum(np.sin(x) * y)\n"
        "def make_pair():\n    return [np.ones(4), np.full(4, 2.0)]\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    for spec, args_from, n in (("f", "make_args", 20), ("g", "make_pair", 4)):
        main([f"user_model:{spec}", "--args-from", f"user_model:{args_from}", "--repeats", "1"])
        out = capsys.readouterr().out
        assert "jacrev()" in out and f"n = {n} inputs, m = 1 output." in out
    for spec, message in (
        ("no_such_module:f", "ModuleNotFoundError"),
        ("user_model:h", "has no attribute 'h'"),
        ("user_model", "expected module:name"),
    ):
        with pytest.raises(SystemExit):
            main([spec, "--args-from", "user_model:make_args"])
        assert message in capsys.readouterr().err
    sys.modules.pop("user_model", None)


def test_readme_example_flops() -> None:
    """The README's cost and compare_modes example: the FLOPs it shows are exact."""
    setup = next(b for b in BLOCKS if "ad.cost(f, x)" in b)
    block = next(b for b in BLOCKS if "ad.compare_modes(f, x" in b)
    namespace: dict = {}
    exec(setup, namespace)
    assert ad.cost(namespace["f"], namespace["x"]).flops == 6009 == 2 * 3 * 1000 + 3 * 3
    assert "# 6,009:" in setup
    exec(block.replace("chunk_size=100)", "chunk_size=100, repeats=1)"), namespace)
    table = namespace["result"].table
    printed = README.read_text().split(block)[1]
    shown = re.findall(r"^(\S+)\s+(function|forward|reverse)\s+([\d,]+)\s+([\d,]+)", printed, re.M)
    assert len(shown) == len(table)
    for name, _, ops, flops in shown:
        assert (table.loc[name, "ops"], table.loc[name, "flops"]) == (
            int(ops.replace(",", "")),
            int(flops.replace(",", "")),
        ), name
    recommendation = printed.split("```")[2].strip().splitlines()[-1]
    assert recommendation.startswith("reverse (jacrev()): 2× f's FLOPs")
    assert "against 1,001× " in recommendation
