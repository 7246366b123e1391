"""The transforms that choose or combine engines: ``grad(mode=...)``, ``hessian``, ``hvp``."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from admodes import forward, reverse
from admodes.arguments import check_sequences


def _engine(mode: str) -> Any:
    if mode == "reverse":
        return reverse
    if mode == "forward":
        return forward
    raise ValueError(f"mode must be 'reverse' or 'forward', got {mode!r}")


def grad(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    mode: str = "reverse",
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """∇fun: by backpropagation (``mode="reverse"``, default) or by one batched forward pass
    over every input direction (``mode="forward"``). Both give the same gradient.
    ``holomorphic=True`` differentiates a complex-valued function of complex inputs (f′(z)).
    ``allow_int=True`` holds integer and bool leaves of the differentiated arguments constant,
    as JAX does: their gradient is zeros of dtype float0 (``jax.dtypes.float0``, here
    :data:`admodes.float0`) and their shape; without it they are refused."""
    return _engine(mode).grad(fun, argnums, has_aux, holomorphic, allow_int)


def value_and_grad(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    mode: str = "reverse",
    holomorphic: bool = False,
    allow_int: bool = False,
) -> Callable[..., Any]:
    """``(fun(*args), ∇fun(*args))``; ``mode``, ``holomorphic`` and ``allow_int`` as for
    :func:`grad`."""
    return _engine(mode).value_and_grad(fun, argnums, has_aux, holomorphic, allow_int)


def hessian(
    fun: Callable[..., Any],
    argnums: int | Sequence[int] = 0,
    has_aux: bool = False,
    holomorphic: bool = False,
) -> Callable[..., Any]:
    """∇²fun, forward over reverse: ``jacfwd(jacrev(fun))``; shape ``in.shape + in.shape``.
    With ``has_aux`` it returns ``(hessian, aux)``, as in JAX."""
    return forward.jacfwd(
        reverse.jacrev(fun, argnums, has_aux, holomorphic=holomorphic),
        argnums,
        has_aux,
        holomorphic=holomorphic,
    )


def hvp(fun: Callable[..., Any], primals: Sequence[Any], tangents: Sequence[Any]) -> Any:
    """H·v, forward over reverse: the JVP of ∇fun at ``primals`` along ``tangents``.

    With one primal the result has its structure; with several, a tuple (one per primal).
    """
    check_sequences(primals, tangents, "hvp")
    argnums = 0 if len(primals) == 1 else tuple(range(len(primals)))
    return forward.jvp(reverse.grad(fun, argnums), tuple(primals), tuple(tangents))[1]
