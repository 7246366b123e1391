"""ad.plan_checkpoints: the schedule chosen for a budget, and its predictions against what count()
measures when the plan runs (step advances exactly; saved bytes exactly, see below)."""

from __future__ import annotations

import numpy as np
import pytest
from test_readme import BLOCKS

import admodes as ad
import admodes.numpy as anp
from admodes.measure import counted
from admodes.planning import StepBytes, measure_step
from admodes.schedules import binomial_advances

RNG = np.random.default_rng(5)
D = 20
W = RNG.normal(size=(D, D)) / np.sqrt(D)
X0 = RNG.normal(size=D)


def step(h):
    return anp.tanh(W @ h)


def test_measured_sizes() -> None:
    # One recorded step keeps W @ h and tanh(.) (2·D·8 bytes); a tape keeps W and h₀ once.
    assert measure_step(step, X0) == StepBytes(2 * D * 8, W.nbytes + X0.nbytes, X0.nbytes)


def test_schedule_for_the_budget() -> None:
    # step 320, fixed 3,360, state 160 bytes.
    store_all = 3360 + 30 * 320
    assert ad.plan_checkpoints(30, store_all, step=step, state=X0).schedule == "store_all"
    plan = ad.plan_checkpoints(30, store_all - 1, step=step, state=X0)
    # The most snapshots s with 3,360 + 320 + (s + 1)·160 ≤ budget: s = 56, capped at n − 1.
    assert (plan.schedule, plan.snapshots) == ("binomial", 29)
    plan = ad.plan_checkpoints(30, 3360 + 320 + 5 * 160, step=step, state=X0)
    assert (plan.schedule, plan.snapshots) == ("binomial", 4)
    assert plan.predicted_step_advances == binomial_advances(30, 4)
    assert plan.peak_bytes == 3360 + 320 + 5 * 160
    tight = ad.plan_checkpoints(30, 3360 + 320 + 2 * 160 - 1, step=step, state=X0)
    assert not tight.fits and tight.schedule is None and "cannot fit" in str(tight)
    with pytest.raises(ValueError, match="cannot fit"):
        tight.run(step, X0)


def test_given_sizes() -> None:
    # Without state_bytes a snapshot is taken to cost a step's bytes (an upper bound).
    plan = ad.plan_checkpoints(100, 10_000, 1_000)
    assert (plan.schedule, plan.snapshots, plan.peak_bytes) == ("binomial", 8, 10_000)
    assert plan.predicted_step_advances == binomial_advances(100, 8)
    plan = ad.plan_checkpoints(100, 10_000, 1_000, fixed_bytes=500, state_bytes=100)
    assert (plan.snapshots, plan.peak_bytes) == (84, 500 + 1_000 + 85 * 100)
    with pytest.raises(ValueError, match="give step_bytes"):
        ad.plan_checkpoints(100, 10_000)


@pytest.mark.parametrize("n_steps", [1, 7, 40])
@pytest.mark.parametrize("spare_states", [0, 1, 3, 10, 10_000])
def test_predictions_equal_what_count_measures(n_steps, spare_states) -> None:
    """The schedule runs under count(): its step advances equal the prediction exactly, and so do
    its saved bytes: the model counts the bytes count() sees, the tapes' (the snapshots the
    backward pass stores after the forward sweep are outside them; ``peak_bytes``, the budget's
    bound, includes them and may exceed the measurement by those snapshots)."""
    sizes = measure_step(step, X0)
    budget = sizes.fixed_bytes + sizes.step_bytes + (2 + spare_states) * sizes.state_bytes
    plan = ad.plan_checkpoints(n_steps, budget, step=step, state=X0)
    assert plan.fits

    def gradient():
        _, pull = ad.vjp(lambda h: plan.run(step, h), X0)
        return pull(np.ones(D))

    (g,), counts = counted(gradient)
    assert counts.step_advances == plan.predicted_step_advances
    assert counts.peak_saved_bytes == plan.predicted_peak_saved_bytes
    stored_later = (plan.snapshots or 0) * sizes.state_bytes
    assert 0 <= plan.peak_bytes - counts.peak_saved_bytes <= stored_later
    assert plan.peak_bytes <= budget
    (expected,) = ad.vjp(lambda h: ad.iterate(step, h, n_steps), X0)[1](np.ones(D))
    np.testing.assert_allclose(g, expected, rtol=1e-12)


def test_readme_example() -> None:
    setup = next(b for b in BLOCKS if "ad.cost(f, x)" in b)
    block = next(b for b in BLOCKS if "ad.plan_checkpoints(200" in b)
    namespace: dict = {}
    exec(setup + block.replace("print(plan)", ""), namespace)
    plan = namespace["plan"]
    assert str(plan) in block
    assert str(plan) == (
        "binomial with 21 snapshots: 377 step advances, peak 30,000 bytes within 30,000 bytes"
    )
    assert plan.predicted_step_advances == binomial_advances(200, 21) == 377
    assert plan.sizes == StepBytes(800, 20_400, 400)
    assert plan.sizes.fixed_bytes + 200 * plan.sizes.step_bytes == 180_400
    assert namespace["g"].shape == (50,)
