"""Engine-independent arithmetic of gradient-checkpointing schedules.

The setting is the reversal of a chain of ``n`` identical steps ``x_{i+1} = step(x_i)``,
``i = 0, ..., n-1``: the adjoint of ``x_n`` is given and the adjoints must be pulled back
through step ``n-1``, then ``n-2``, ..., then step ``0``.

Vocabulary used throughout:

* an **advance** is one execution of a step *without* recording it (it only moves a state
  forward);
* a **recorded step** is one execution of a step in recording mode, immediately followed by
  its back-propagation. Every step is recorded exactly once in every schedule below, so
  recorded steps are not counted as advances;
* a **slot** holds one stored state. The initial state ``x_0`` occupies one slot, so the
  number of slots ``s`` (``snapshots``) is at least 1.

Three schedules are described:

``"store_all"``
    Record the whole chain once: 0 advances, ``n`` states held.
``"sqrt"``
    Chen et al. 2016, "Training deep nets with sublinear memory cost": ``sqrt_segments``,
    ``sqrt_advances``, ``sqrt_peak_states``.
``"binomial"``
    Griewank & Walther, "Algorithm 799: Revolve", ACM TOMS 26(1), 2000. To reverse a
    segment of length ``n`` whose start state is stored, with ``s`` slots: if ``n == 1``
    record and back-propagate the step; if ``s == 1`` sweep (advance ``n-1`` steps, record,
    back-propagate; restore, advance ``n-2`` steps, ...: ``n(n-1)/2`` advances); otherwise
    advance ``m`` steps, store the state at offset ``m``, reverse the last ``n-m`` steps with
    ``s-1`` slots, free that slot and reverse the first ``m`` steps with ``s`` slots. The
    minimal number of advances ``T(n, s)`` is ``binomial_advances`` (closed form; the tests check it
    against the dynamic programme of the recurrence); ``binomial_split`` gives an optimal ``m``
    and ``binomial_actions`` the resulting sequence of actions.

Action protocol of ``binomial_actions``. The consumer keeps one *current state* (a state
index ``i`` meaning ``x_i``, or nothing), initially ``x_0``, and a set of stored states:

``("store", i)``
    The current state is ``x_i``; copy it into a free slot.
``("restore", i)``
    Make the stored ``x_i`` the current state (the slot stays occupied).
``("advance", i, j)``
    The current state is ``x_i``; run steps ``i, ..., j-1`` without recording (``j - i``
    advances). The current state becomes ``x_j``.
``("reverse", i)``
    The current state is ``x_i``; run step ``i`` in recording mode and back-propagate the
    adjoint of ``x_{i+1}`` to ``x_i``. Afterwards there is no current state.
``("free", i)``
    Release the slot holding ``x_i``.

The sequence starts with ``("store", 0)`` and ends with ``("free", 0)``; ``reverse`` actions
come in the order ``n-1, n-2, ..., 0``; at most ``s`` slots are occupied at any time; a
``restore`` is emitted only when the current state is not already the one needed.
"""

from collections.abc import Iterator
from math import comb, isqrt
from numbers import Integral

SCHEDULES = ("store_all", "sqrt", "binomial")
"""Names accepted by ``validate_schedule_args``."""

Action = tuple[str, int] | tuple[str, int, int]
"""One action of ``binomial_actions``: ``(kind, i)`` or ``("advance", i, j)``."""


def _is_int(value: object) -> bool:
    return isinstance(value, Integral) and not isinstance(value, bool)


def _check_n_steps(n_steps: int) -> None:
    if not _is_int(n_steps) or n_steps < 0:
        raise ValueError(f"n_steps must be a non-negative integer, got {n_steps!r}")


def _check_chain(n: int, s: int) -> None:
    if not _is_int(n) or n < 0:
        raise ValueError(f"n (number of steps) must be a non-negative integer, got {n!r}")
    if not _is_int(s) or s < 1:
        raise ValueError(
            "s (number of stored states, including the initial one) must be an integer >= 1, "
            f"got {s!r}"
        )


def binomial_beta(s: int, r: int) -> int:
    """Return ``beta(s, r) = C(s + r, s)``.

    ``beta(s, r)`` is the largest number of steps that can be reversed with ``s`` slots when
    no step is advanced more than ``r`` times. By convention ``beta(s, -1) = 0``.
    """
    if not _is_int(s) or s < 0:
        raise ValueError(f"s must be a non-negative integer, got {s!r}")
    if not _is_int(r) or r < -1:
        raise ValueError(f"r must be an integer >= -1, got {r!r}")
    return 0 if r == -1 else comb(s + r, s)


def binomial_repetition(n: int, s: int) -> int:
    """Return the repetition number ``r``: the smallest ``r >= 0`` with ``beta(s, r) >= n``.

    For ``n >= 1`` this is the integer with ``beta(s, r-1) < n <= beta(s, r)``; it is ``0``
    for ``n`` in ``{0, 1}``. Computed in ``O(r)`` with
    ``beta(s, r) = beta(s, r-1) * (s + r) / r``.
    """
    _check_chain(n, s)
    r, beta = 0, 1
    while beta < n:
        r += 1
        beta = beta * (s + r) // r
    return r


def binomial_advances(n: int, s: int) -> int:
    """Return ``T(n, s)``, the minimal number of advances to reverse ``n`` steps with ``s`` slots.

    Closed form (Griewank & Walther 2000): ``T(n, s) = r*n - beta(s+1, r-1)`` with
    ``r = binomial_repetition(n, s)``. This gives ``T(0, s) = T(1, s) = 0`` and
    ``T(n, 1) = n(n-1)/2``.
    """
    r = binomial_repetition(n, s)
    return r * n - binomial_beta(s + 1, r - 1)


def binomial_split(n: int, s: int) -> int:
    """Return an optimal first split ``m`` for a segment of ``n >= 2`` steps with ``s >= 2`` slots.

    With ``r = binomial_repetition(n, s)``, ``m = max(1, beta(s, r-2), n - beta(s-1, r))``.
    Then ``beta(s, r-2) <= m <= beta(s, r-1)`` and ``beta(s-1, r-1) <= n-m <= beta(s-1, r)``,
    where ``T(., s)`` has slope ``r-1`` and ``T(., s-1)`` has slope ``r``, so
    ``m + T(n-m, s-1) + T(m, s) = r*n - beta(s+1, r-2) - beta(s, r-1) = T(n, s)`` (Pascal's
    rule). Computed in ``O(r)``.

    Raises ``ValueError`` for ``s == 1``: there is then no free slot and no split, and the
    caller reverses the segment by the ``n(n-1)/2``-advance sweep. Also raises for ``n < 2``
    (a single step is simply recorded and back-propagated).
    """
    r = binomial_repetition(n, s)
    if n < 2:
        raise ValueError(f"binomial_split needs a segment of n >= 2 steps, got {n!r}")
    if s < 2:
        raise ValueError(
            "binomial_split needs s >= 2 slots; with s == 1 there is no split and the segment "
            "is reversed by the n(n-1)/2-advance sweep"
        )
    return max(1, binomial_beta(s, r - 2), n - binomial_beta(s - 1, r))


def binomial_actions(n: int, s: int) -> Iterator[Action]:
    """Yield the actions of an optimal binomial (Revolve) reversal of ``n`` steps with ``s`` slots.

    The action protocol is described in the module docstring. The schedule uses exactly
    ``binomial_advances(n, s)`` advances, records every step once, in the order
    ``n-1, ..., 0``, and never occupies more than ``s`` slots. It is generated iteratively
    (an explicit stack of at most ``2s`` entries), so any ``n`` works without recursion.
    ``n == 0`` yields nothing.
    """
    _check_chain(n, s)
    if n == 0:
        return
    yield ("store", 0)
    current: int | None = 0
    # Pending work, last in first out: ("segment", start, length, slots) reverses a segment
    # whose start state is stored; ("free", i, 0, 0) releases the slot holding x_i.
    stack = [("free", 0, 0, 0), ("segment", 0, n, s)]
    while stack:
        kind, a, length, k = stack.pop()
        if kind == "free":
            yield ("free", a)
            continue
        if current != a:
            yield ("restore", a)
        while length > 1 and k > 1:
            m = binomial_split(length, k)
            yield ("advance", a, a + m)
            yield ("store", a + m)
            stack.append(("segment", a, m, k))
            stack.append(("free", a + m, 0, 0))
            a, length, k = a + m, length - m, k - 1
        # Now length == 1, or k == 1 and the segment is swept; the current state is x_a.
        for offset in range(length - 1, -1, -1):
            if offset < length - 1:
                yield ("restore", a)
            if offset > 0:
                yield ("advance", a, a + offset)
            yield ("reverse", a + offset)
        current = None


def sqrt_segments(n_steps: int) -> list[int]:
    """Split ``n_steps`` into ``k = ceil(sqrt(n_steps))`` segments of near-equal length.

    The lengths (longest first) differ by at most one, are all ``>= 1`` and sum to
    ``n_steps``; ``n_steps == 0`` gives ``[]``.
    """
    _check_n_steps(n_steps)
    if n_steps == 0:
        return []
    k = isqrt(n_steps - 1) + 1
    q, extra = divmod(n_steps, k)
    return [q + 1] * extra + [q] * (k - extra)


def sqrt_advances(n_steps: int) -> int:
    """Return the advances of the sqrt schedule: ``n_steps``.

    Convention: the forward sweep runs all ``n_steps`` steps without recording, storing the
    start state of every segment (``n_steps`` advances, and it yields ``x_n``); the backward
    sweep then restores each segment's start state, last segment first, and re-runs that
    segment once in recording mode before back-propagating through it (recorded steps, not
    advances).
    """
    _check_n_steps(n_steps)
    return n_steps


def sqrt_peak_states(n_steps: int) -> int:
    """Return the peak number of states held by the sqrt schedule.

    ``len(segments) + max(segments)``: the stored segment start states plus the states held
    while the longest segment is recorded; about ``2 * sqrt(n_steps)``, and 0 for
    ``n_steps == 0``.
    """
    segments = sqrt_segments(n_steps)
    return len(segments) + max(segments, default=0)


def default_snapshots(n_steps: int) -> int:
    """Return the default ``snapshots`` of the binomial schedule: ``ceil(log2(n_steps)) + 1``.

    That is 1 for ``n_steps <= 1``. Memory then grows logarithmically while the repetition
    number stays small: e.g. 8 slots and ``r = 3`` (no step advanced more than 3 times) for
    ``n_steps = 100``, 15 slots and ``r = 5`` for ``n_steps = 10_000``.
    """
    _check_n_steps(n_steps)
    return max(n_steps - 1, 0).bit_length() + 1


def validate_schedule_args(n_steps: int, schedule: str, snapshots: int | None) -> int | None:
    """Check the arguments of a checkpointed iteration and return the effective ``snapshots``.

    ``n_steps`` must be an integer ``>= 0`` and ``schedule`` one of ``SCHEDULES``. For
    ``"binomial"``, ``snapshots`` is the number of stored states including the initial one:
    an integer ``>= 1``, or ``None`` for ``default_snapshots(n_steps)``; the returned value is
    then that integer. For the other schedules ``snapshots`` must be ``None`` (it would be
    ignored) and ``None`` is returned. Raises ``ValueError`` naming the bad argument.
    """
    _check_n_steps(n_steps)
    if schedule not in SCHEDULES:
        valid = ", ".join(repr(name) for name in SCHEDULES)
        raise ValueError(f"schedule must be one of {valid}, got {schedule!r}")
    if schedule != "binomial":
        if snapshots is not None:
            raise ValueError(
                f"snapshots is only used by schedule='binomial'; it must be None for "
                f"schedule={schedule!r}, got {snapshots!r}"
            )
        return None
    if snapshots is None:
        return default_snapshots(n_steps)
    if not _is_int(snapshots) or snapshots < 1:
        raise ValueError(
            "snapshots (the number of stored states, including the initial one) must be an "
            f"integer >= 1 for schedule='binomial', got {snapshots!r}"
        )
    return int(snapshots)
