"""Oracles for the checkpointing schedules, independent of the library's closed forms: the
dynamic programme of Revolve's recurrence, and a symbolic run of an action sequence that checks
every precondition of the action protocol (see ``admodes.schedules``)."""

from __future__ import annotations

from admodes.schedules import binomial_actions


def brute_force_table(n_max: int, s_max: int) -> list[list[int]]:
    """Return ``table`` with ``table[s][n] = T(n, s)`` for ``0 <= n <= n_max``, ``1 <= s <= s_max``.

    Tabulates the recurrence ``T(0, s) = T(1, s) = 0``, ``T(n, 1) = n(n-1)/2`` and
    ``T(n, s) = min_{1 <= m < n} [m + T(n-m, s-1) + T(m, s)]`` in ``O(n_max^2 * s_max)``.
    Row ``table[0]`` is unused and empty.
    """
    table = [[], [n * (n - 1) // 2 for n in range(n_max + 1)]]
    for s in range(2, s_max + 1):
        fewer, row = table[s - 1], [0, 0]
        for n in range(2, n_max + 1):
            row.append(min(m + fewer[n - m] + row[m] for m in range(1, n)))
        table.append(row[: n_max + 1])
    return table


def brute_force_advances(n: int, s: int) -> int:
    """Return ``T(n, s)`` from the dynamic programme of ``brute_force_table``."""
    return brute_force_table(n, s)[s][n]


def simulate_binomial(n: int, s: int) -> int:
    """Execute ``binomial_actions(n, s)`` on a symbolic chain and return the number of advances.

    Checks every precondition of the action protocol and raises ``RuntimeError`` if one
    fails: states are advanced from and stored only when current, restored and freed only
    when stored, at most ``s`` slots are ever occupied, steps are reversed exactly once in the
    order ``n-1, ..., 0``, and every slot is freed at the end.
    """
    current: int | None = 0
    stored: set[int] = set()
    advances = 0
    next_reverse = n - 1
    for action in binomial_actions(n, s):
        kind, i = action[0], action[1]
        if kind in ("store", "advance", "reverse") and current != i:
            raise RuntimeError(f"{action}: current state is {current}, not {i}")
        if kind in ("restore", "free") and i not in stored:
            raise RuntimeError(f"{action}: x_{i} is not stored")
        if kind == "store":
            if i in stored:
                raise RuntimeError(f"{action}: x_{i} is already stored")
            stored.add(i)
            if len(stored) > s:
                raise RuntimeError(f"{action}: {len(stored)} slots occupied, only {s} allowed")
        elif kind == "restore":
            current = i
        elif kind == "free":
            stored.remove(i)
        elif kind == "advance":
            j = action[2]
            if not i < j <= n:
                raise RuntimeError(f"{action}: invalid range for {n} steps")
            advances += j - i
            current = j
        elif kind == "reverse":
            if i != next_reverse:
                raise RuntimeError(f"{action}: expected to reverse step {next_reverse}")
            next_reverse -= 1
            current = None
        else:
            raise RuntimeError(f"unknown action {action}")
    if next_reverse != -1:
        raise RuntimeError(f"steps 0..{next_reverse} were never reversed")
    if stored:
        raise RuntimeError(f"states {sorted(stored)} were never freed")
    return advances
