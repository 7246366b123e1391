"""Semantics where NumPy has no say, as JAX: ``grad`` refuses bool, integer and complex outputs;
NaN inputs and ``where``-guarded singularities give JAX's answer in each mode; and where NumPy does
have a say (``where`` on plain values), NumPy's answer."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import jax
import numpy as np
import pytest
from conftest import MODES, assert_close, both

import admodes as ad
import admodes.numpy as anp

NON_REAL_OUTPUTS: dict[str, tuple[Callable[..., Any], str]] = {
    "bool": (lambda m, x: x > 0, "bool"),
    "numpy-int": (lambda m, x: m.argmax(m.stack([x, -x])), "int64"),
    "python-int": (lambda m, x: 3, "int64"),
    "bool-sum": (lambda m, x: m.sum(m.stack([x, x]) > 0), "int64"),
    "complex": (lambda m, x: x * 1j, "complex128"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NON_REAL_OUTPUTS)
def test_grad_needs_a_real_floating_output(name: str, mode: str) -> None:
    """A TypeError naming the dtype and what to do, where JAX raises a TypeError too."""
    fn, dtype = NON_REAL_OUTPUTS[name]
    f_ad, f_jax = both(fn)
    with pytest.raises(TypeError, match="real-valued outputs"):
        jax.grad(f_jax)(1.5)
    with pytest.raises(TypeError, match=f"grad requires .*{dtype}") as info:
        ad.grad(f_ad, mode=mode)(1.5)
    hint = "real part" if dtype.startswith("complex") else "return a float"
    assert hint in str(info.value)


def test_grad_of_a_constant_float_output() -> None:
    """A float output that does not depend on the input is fine: gradient 0, as JAX."""
    for mode in MODES:
        assert ad.grad(lambda x: 2.0, mode=mode)(1.5) == jax.grad(lambda x: 2.0)(1.5) == 0.0


# ---------------------------------------------------------------------------- where on plain values
PLAIN_WHERE = {
    "python-scalars": (True, 1.0, 2.0),
    "python-ints": (False, 1, 2),
    "int-condition": (0, 1.0, 2.0),
    "float32-branch": (True, np.float32(1.5), 2.0),
    "numpy-scalars": (np.True_, np.float64(1.0), np.float64(2.0)),
    "lists": ([True, False], [1.0, 2.0], [3.0, 4.0]),
    "broadcast": (np.array([[True], [False]]), np.arange(3.0), 0.0),
    "condition-only": (np.array([[1.0, 0.0], [0.0, 2.0]]),),
}


@pytest.mark.parametrize("name", PLAIN_WHERE)
def test_where_on_plain_values_is_numpys(name: str) -> None:
    """Type, dtype, shape and value of ``np.where``'s result (0-d arrays for scalars, as NumPy)."""
    args = PLAIN_WHERE[name]
    actual, expected = anp.where(*args), np.where(*args)
    assert type(actual) is type(expected)
    for a, e in zip(*(r if isinstance(r, tuple) else (r,) for r in (actual, expected)),
                    strict=True):  # fmt: skip
        assert type(a) is type(e) and a.dtype == e.dtype and a.shape == e.shape
        np.testing.assert_array_equal(a, e)


# ---------------------------------------------------------------------------- nan and guarded where
GUARDED = {
    # the unselected branch's derivative is inf or nan: the cotangent 0 meets it in reverse mode
    # (0·∞ = nan), the selected constant discards it in forward mode (0)
    "sqrt-at-zero": (lambda m, x: m.where(x > 0, m.sqrt(x), 0.0), 0.0, (np.nan, 0.0)),
    "sqrt-at-nan": (lambda m, x: m.where(x > 0, m.sqrt(x), 0.0), np.nan, (np.nan, 0.0)),
    "log-at-zero": (lambda m, x: m.where(x > 0, x * m.log(x), 0.0), 0.0, (np.nan, 0.0)),
    "divide-at-zero": (lambda m, x: m.where(x != 0, m.sin(x) / x, 1.0), 0.0, (np.nan, 0.0)),
    # the double-where guard: the unselected branch sees a safe input, both modes give 0
    "double-where": (lambda m, x: m.where(x > 0, m.sqrt(m.where(x > 0, x, 1.0)), 0.0), 0.0,
                     (0.0, 0.0)),
    "double-where-nan": (lambda m, x: m.where(x > 0, m.sqrt(m.where(x > 0, x, 1.0)), 0.0),
                         np.nan, (0.0, 0.0)),
    # the selected branch is nan: both modes give nan
    "nan-selected": (lambda m, x: m.where(x < 1.0, x * 2.0, m.sqrt(x)), np.nan, (np.nan, np.nan)),
    "nan-input": (lambda m, x: m.sin(x) * x, np.nan, (np.nan, np.nan)),
    # nan times an exact zero partial: nan in both (no symbolic zeros)
    "nan-times-zero": (lambda m, x: x * 0.0, np.nan, (0.0, 0.0)),
    "maximum-at-nan": (lambda m, x: m.maximum(x, 0.0), np.nan, (0.0, 0.0)),  # nan == ans fails
    "abs-at-nan": (lambda m, x: m.abs(x), np.nan, (-1.0, -1.0)),
}  # fmt: skip


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", GUARDED)
def test_nan_and_guarded_singularities_as_jax(name: str, mode: str) -> None:
    """``grad`` equals JAX's in the same mode (reverse: ``jax.grad``; forward: ``jax.jacfwd``),
    and the expected (reverse, forward) pair."""
    fn, x, by_mode = GUARDED[name]
    f_ad, f_jax = both(fn)
    with np.errstate(all="ignore"):
        grad = ad.grad(f_ad, mode=mode)(x)
    reference = jax.grad if mode == "reverse" else jax.jacfwd
    assert_close(grad, float(reference(f_jax)(x)))
    assert_close(grad, by_mode[MODES.index(mode)])


def test_guarded_where_in_an_array() -> None:
    """Entry by entry: only the guarded entry's reverse-mode derivative is nan."""
    x = np.array([0.0, 1.0, 4.0])
    f_ad, f_jax = both(lambda m, x: m.sum(m.where(x > 0, m.sqrt(x), 0.0)))
    with np.errstate(all="ignore"):
        reverse, forward = (ad.grad(f_ad, mode=mode)(x) for mode in MODES)
    assert_close(reverse, jax.grad(f_jax)(x))
    assert_close(forward, jax.jacfwd(f_jax)(x))
    assert_close((reverse, forward), (np.array([np.nan, 0.5, 0.25]), np.array([0.0, 0.5, 0.25])))


def test_nan_entry_reaches_every_forward_mode_entry() -> None:
    """A nan partial in one entry: reverse mode keeps it there; forward mode's zero tangents of the
    other directions meet it (0·nan), so every entry is nan, as ``jax.jacfwd``'s."""
    x = np.array([1.5, 0.25, 2.5])  # arccosh is nan at 0.25
    f_ad, f_jax = both(lambda m, x: m.sum(m.arccosh(x)))
    with np.errstate(all="ignore"):
        reverse, forward = (ad.grad(f_ad, mode=mode)(x) for mode in MODES)
    assert_close((reverse, forward), (jax.grad(f_jax)(x), jax.jacfwd(f_jax)(x)))
    assert np.isnan(reverse).tolist() == [False, True, False] and np.all(np.isnan(forward))
