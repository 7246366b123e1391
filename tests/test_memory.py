"""Scale and memory: the backward sweep is a loop (a million-op chain under the default recursion
limit), and a tape with the values it saved is freed once nothing refers to it."""

from __future__ import annotations

import math
import sys
import tracemalloc
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import pytest
from conftest import RTOL_LONG

import admodes as ad
import admodes.numpy as anp
from admodes.reverse import Tape

N_OPS = 1_000_000


@pytest.mark.slow
def test_grad_of_a_million_op_chain() -> None:
    """y ← 1.000001·y, a million times: dy/dy₀ = 1.000001¹⁰⁰⁰⁰⁰⁰ = exp(10⁶·log1p(10⁻⁶))."""

    def chain(y: Any) -> Any:
        for _ in range(N_OPS):
            y = y * 1.000001
        return y

    assert sys.getrecursionlimit() <= 1000  # the default: no deep recursion is possible
    value, slope = ad.value_and_grad(chain)(1.0)
    expected = math.exp(N_OPS * math.log1p(1e-6))
    assert value == pytest.approx(expected, rel=RTOL_LONG)
    assert slope == pytest.approx(expected, rel=RTOL_LONG)


# ---------------------------------------------------------------------------- release
@pytest.fixture
def tapes(monkeypatch: pytest.MonkeyPatch) -> Callable[[], int]:
    """How many of the tapes created during the test are alive (no ``gc.collect``: a tape is
    freed by reference counting alone, as nothing on it refers back to it)."""
    created = []
    init = Tape.__init__

    def recording_init(self: Tape, *args: Any, **kwargs: Any) -> None:
        init(self, *args, **kwargs)
        created.append(weakref.ref(self))

    monkeypatch.setattr(Tape, "__init__", recording_init)
    return lambda: sum(ref() is not None for ref in created)


@contextmanager
def traced_memory() -> Iterator[Callable[[], int]]:
    """Bytes allocated (and still held) since the block began, as a callable."""
    tracemalloc.start()
    baseline = tracemalloc.get_traced_memory()[0]
    try:
        yield lambda: tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()


SIZE = 200_000  # 1.6 MB per float64 array
SAVED = 10 * 8 * SIZE  # what `deep` saves for its backward pass, at least


def deep(x: Any) -> Any:
    """Ten ops, each saving an array of SIZE floats for its VJP."""
    for _ in range(10):
        x = anp.sin(x) * 1.5
    return x


def test_vjp_tape_is_released_with_the_vjp_function(tapes: Callable[[], int]) -> None:
    x = np.linspace(0.0, 1.0, SIZE)
    with traced_memory() as held:
        out, vjp_fn = ad.vjp(deep, x)
        vjp_fn(np.ones(SIZE))  # a sweep keeps the records: vjp_fn may be called again
        assert tapes() == 1
        assert held() > SAVED
        del out, vjp_fn
        assert tapes() == 0
        assert held() < SAVED / 20


def test_output_outlives_the_tape(tapes: Callable[[], int]) -> None:
    """The output is a plain value: keeping it does not keep the tape."""
    x = np.linspace(0.0, 1.0, SIZE)
    out, vjp_fn = ad.vjp(deep, x)
    del vjp_fn
    assert tapes() == 0
    np.testing.assert_allclose(out, deep(x))


TRANSFORMS = {
    "grad": lambda f, x: ad.grad(lambda x: anp.sum(f(x)))(x),
    "value_and_grad-has_aux": lambda f, x: ad.value_and_grad(
        lambda x: (anp.sum(f(x)), f(x)), has_aux=True
    )(x),
    "jacrev": lambda f, x: ad.jacrev(f)(x[:3]),
    "hessian": lambda f, x: ad.hessian(lambda x: anp.sum(f(x)))(x[:3]),
    "grad-of-grad": lambda f, x: ad.grad(lambda x: anp.sum(ad.grad(lambda x: anp.sum(f(x)))(x)))(x),
    "hvp": lambda f, x: ad.hvp(lambda x: anp.sum(f(x)), (x,), (x,)),
}


@pytest.mark.parametrize("transform", TRANSFORMS.values(), ids=TRANSFORMS.keys())
def test_transforms_leave_no_tape_behind(transform: Any, tapes: Callable[[], int]) -> None:
    x = np.linspace(0.0, 1.0, SIZE)
    with traced_memory() as held:
        result = transform(deep, x)
        del result
        assert tapes() == 0
        assert held() < SAVED / 20
