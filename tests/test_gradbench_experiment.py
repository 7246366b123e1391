"""The experiment ``gradbench``: its n-versus-m rule, and the derivatives it adds to the tool's."""

from __future__ import annotations

import pandas as pd
import pytest

from experiments.gradbench.experiment import (
    PAIRS,
    ba_case,
    ht_case,
    pair_directions,
    pick_ratio_samples,
    rule_picks,
)
from experiments.harness.validation import max_rel_err


def test_the_rule_picks_the_mode_carrying_fewer_directions() -> None:
    assert rule_picks({"reverse": 1, "forward": 2500}) == ["reverse"]
    assert rule_picks({"forward": 26, "reverse": 300}) == ["forward"]
    assert rule_picks({"forward": 15, "reverse": 2}) == ["reverse"]
    assert rule_picks({"forward": 3, "reverse": 3}) == []


@pytest.mark.parametrize(
    ("outer", "inner", "expected"),
    [
        (2, 2, {"rr": 1, "ff": 4, "fr": 2, "rf": 2}),
        (1, 2, {"rr": 1, "ff": 2, "fr": 1, "rf": 2}),
    ],
)
def test_a_mode_pair_carries_outer_times_inner_directions(
    outer: int, inner: int, expected: dict[str, int]
) -> None:
    counts = {pair: pair_directions(pair, outer, inner) for pair in PAIRS}
    assert counts == expected


def test_with_one_outer_input_both_pairs_with_reverse_inside_are_picked() -> None:
    counts = {pair: pair_directions(pair, 1, 2) for pair in PAIRS}
    assert sorted(rule_picks(counts)) == ["fr", "rr"]


def test_the_time_ratio_sets_the_fastest_pick_against_the_fastest_other() -> None:
    rows = pd.DataFrame(
        {
            "repeat": [0, 0, 0, 1, 1, 1],
            "method": ["rr", "fr", "ff"] * 2,
            "seconds": [4.0, 3.0, 6.0, 2.0, 5.0, 8.0],
            "noisy": [False, False, False, False, True, False],
        }
    )
    samples = pick_ratio_samples(rows, ["rr", "fr"])
    assert samples["value"].tolist() == [0.5, 0.25]
    assert samples["noisy"].tolist() == [False, True]


@pytest.mark.slow
@pytest.mark.parametrize(
    "build", [lambda: ba_case(3, 4, 7), lambda: ht_case(6, 12, False), lambda: ht_case(6, 12, True)]
)
def test_forward_and_reverse_jacobians_match_jax(build) -> None:
    case = build()
    assert [way.label for way in case.ways] == ["forward", "reverse"]
    for way in case.ways:
        assert max_rel_err(way.call(), case.expected) <= 1e-10, way.label
