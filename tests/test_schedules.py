import math

import numpy as np
import pytest
from schedule_oracles import brute_force_advances, brute_force_table, simulate_binomial

from admodes.schedules import (
    SCHEDULES,
    binomial_actions,
    binomial_advances,
    binomial_beta,
    binomial_repetition,
    binomial_split,
    default_snapshots,
    sqrt_advances,
    sqrt_peak_states,
    sqrt_segments,
    validate_schedule_args,
)

KNOWN = [((10, 1), 45), ((10, 2), 20), ((10, 3), 15), ((30, 3), 85), ((100, 5), 316)]
N_MAX, S_MAX = 60, 8
LARGE_PAIRS = [(200, 2), (200, 10), (137, 4), (180, 6), (199, 3), (150, 9)]


@pytest.fixture(scope="module")
def table():
    return brute_force_table(N_MAX, S_MAX)


@pytest.mark.parametrize(("args", "expected"), KNOWN)
def test_known_values(args, expected):
    assert binomial_advances(*args) == expected
    assert brute_force_advances(*args) == expected
    assert simulate_binomial(*args) == expected


def test_beta_and_repetition():
    assert binomial_beta(3, 2) == math.comb(5, 3) == 10
    assert binomial_beta(0, 7) == 1
    assert binomial_beta(4, -1) == 0
    for s in range(1, 6):
        for n in range(1, 200):
            r = binomial_repetition(n, s)
            assert binomial_beta(s, r - 1) < n <= binomial_beta(s, r)
    assert binomial_repetition(0, 3) == 0
    assert binomial_repetition(1, 3) == 0


def test_trivial_chains():
    for s in range(1, 5):
        assert binomial_advances(0, s) == binomial_advances(1, s) == 0
        assert list(binomial_actions(0, s)) == []
        assert list(binomial_actions(1, s)) == [("store", 0), ("reverse", 0), ("free", 0)]
    for n in range(40):
        assert binomial_advances(n, 1) == n * (n - 1) // 2
        # Enough slots: every step but the last is advanced exactly once.
        assert binomial_advances(n, max(n, 1)) == max(n - 1, 0)


def test_closed_form_matches_brute_force(table):
    for s in range(1, S_MAX + 1):
        for n in range(N_MAX + 1):
            assert binomial_advances(n, s) == table[s][n], (n, s)


@pytest.mark.parametrize(("n", "s"), LARGE_PAIRS)
def test_closed_form_matches_brute_force_large(n, s):
    assert binomial_advances(n, s) == brute_force_advances(n, s)


def test_split_is_optimal(table):
    for s in range(2, S_MAX + 1):
        for n in range(2, N_MAX + 1):
            m = binomial_split(n, s)
            assert 1 <= m < n
            assert m + table[s - 1][n - m] + table[s][m] == table[s][n], (n, s, m)


@pytest.mark.parametrize(("n", "s"), LARGE_PAIRS)
def test_split_is_optimal_large(n, s):
    m = binomial_split(n, s)
    assert m + binomial_advances(n - m, s - 1) + binomial_advances(m, s) == binomial_advances(n, s)


def test_split_rejects_one_slot_and_short_segments():
    with pytest.raises(ValueError, match="sweep"):
        binomial_split(10, 1)
    with pytest.raises(ValueError, match="n >= 2"):
        binomial_split(1, 3)


SIMULATED = [(n, s) for n in (2, 3, 7, 10, 31, 64, 100) for s in (1, 2, 3, 5, 12)] + [
    (1000, 2),
    (10_000, 2),
    (10_000, 6),
]


@pytest.mark.parametrize(("n", "s"), SIMULATED)
def test_simulation_matches_closed_form(n, s):
    # simulate_binomial raises if slots exceed s or steps are reversed out of order.
    assert simulate_binomial(n, s) == binomial_advances(n, s)


@pytest.mark.parametrize(("n", "s"), [(10, 2), (30, 3), (100, 5), (64, 12)])
def test_actions_reverse_in_order_within_slot_budget(n, s):
    actions = list(binomial_actions(n, s))
    assert actions[0] == ("store", 0)
    assert actions[-1] == ("free", 0)
    assert [a[1] for a in actions if a[0] == "reverse"] == list(range(n - 1, -1, -1))
    occupied = peak = 0
    for action in actions:
        occupied += {"store": 1, "free": -1}.get(action[0], 0)
        peak = max(peak, occupied)
    assert peak <= s
    assert occupied == 0
    advances = sum(a[2] - a[1] for a in actions if a[0] == "advance")
    assert advances == binomial_advances(n, s)


def test_actions_drive_a_real_chain():
    # Reverse x_{i+1} = sin(x_i) + 0.1 x_i and compare with the derivative of the full chain.
    n, s = 25, 3
    step = lambda x: np.sin(x) + 0.1 * x
    dstep = lambda x: np.cos(x) + 0.1
    x0 = np.linspace(-1.0, 1.0, 5)
    expected, x = np.ones_like(x0), x0
    for _ in range(n):
        expected, x = expected * dstep(x), step(x)
    slots, current, adjoint = {}, x0, np.ones_like(x0)
    for action in binomial_actions(n, s):
        kind, i = action[0], action[1]
        if kind == "store":
            slots[i] = current
        elif kind == "restore":
            current = slots[i]
        elif kind == "free":
            del slots[i]
        elif kind == "advance":
            for _ in range(i, action[2]):
                current = step(current)
        else:
            adjoint, current = adjoint * dstep(current), None
    np.testing.assert_allclose(adjoint, expected)


@pytest.mark.parametrize("n", [*range(0, 30), 99, 100, 101, 1000, 12_345])
def test_sqrt_segments(n):
    segments = sqrt_segments(n)
    assert sum(segments) == n
    assert len(segments) == math.ceil(math.sqrt(n))
    assert all(length >= 1 for length in segments)
    assert max(segments, default=0) - min(segments, default=0) <= 1
    assert sqrt_advances(n) == n
    assert sqrt_peak_states(n) == len(segments) + max(segments, default=0)


def test_sqrt_peak_states_values():
    assert sqrt_peak_states(0) == 0
    assert sqrt_peak_states(1) == 2
    assert sqrt_peak_states(100) == 20
    assert sqrt_peak_states(10) == 4 + 3


def test_validate_accepts_and_resolves():
    assert validate_schedule_args(0, "store_all", None) is None
    assert validate_schedule_args(10, "sqrt", None) is None
    assert validate_schedule_args(10, "binomial", 3) == 3
    assert validate_schedule_args(np.int64(10), "binomial", np.int64(2)) == 2
    assert validate_schedule_args(100, "binomial", None) == default_snapshots(100) == 8
    assert [default_snapshots(n) for n in (0, 1, 2, 3, 4, 5)] == [1, 1, 2, 3, 3, 4]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((-1, "sqrt", None), "n_steps must be a non-negative integer, got -1"),
        ((2.5, "sqrt", None), "n_steps must be a non-negative integer, got 2.5"),
        ((True, "sqrt", None), "n_steps must be a non-negative integer, got True"),
        ((5, "revolve", None), "schedule must be one of 'store_all', 'sqrt', 'binomial'"),
        ((5, "binomial", 0), "snapshots .*including the initial one.* >= 1.*got 0"),
        ((5, "binomial", 2.0), "snapshots .*got 2.0"),
        ((5, "sqrt", 3), "snapshots is only used by schedule='binomial'"),
    ],
)
def test_validate_errors(args, message):
    with pytest.raises(ValueError, match=message):
        validate_schedule_args(*args)


def test_schedule_names():
    assert SCHEDULES == ("store_all", "sqrt", "binomial")


def test_chain_argument_errors():
    with pytest.raises(ValueError, match="including the initial one"):
        binomial_advances(10, 0)
    with pytest.raises(ValueError, match="non-negative integer, got -3"):
        list(binomial_actions(-3, 2))
    with pytest.raises(ValueError, match="r must be an integer >= -1"):
        binomial_beta(2, -2)
