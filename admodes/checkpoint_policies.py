"""Saving policies for :func:`admodes.checkpoint`, JAX's ``jax.checkpoint_policies``.

A policy is ``policy(prim, *args, **params) -> bool``: whether the output of one evaluation of
the primitive ``prim`` (on the values ``args``, with ``params``) inside a checkpointed function
is saved for the backward pass. What is saved is not recomputed there; everything else is
recomputed from the checkpoint's inputs and the saved values, op by op. ``nothing_saveable``
is the plain checkpoint; ``everything_saveable`` keeps what no checkpoint would.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from admodes.core import ndim
from admodes.registry import Primitive
from admodes.rules.contractions import einsum_primitive, matmul
from admodes.rules.shape import named

__all__ = ["checkpoint_dots", "checkpoint_dots_with_no_batch_dims", "dots_saveable",
           "dots_with_no_batch_dims_saveable", "everything_saveable", "nothing_saveable",
           "offload_dot_with_no_batch_dims", "save_and_offload_only_these_names",
           "save_any_names_but_these", "save_anything_except_these_names",
           "save_from_both_policies", "save_only_these_names"]  # fmt: skip

Policy = Callable[..., bool]


def everything_saveable(prim: Primitive, *args: Any, **params: Any) -> bool:
    """Save every output: nothing is recomputed."""
    return True


def nothing_saveable(prim: Primitive, *args: Any, **params: Any) -> bool:
    """Save nothing but the checkpoint's inputs: everything is recomputed."""
    return False


def _is_dot(prim: Primitive, args: tuple) -> bool:
    """A matrix product or a contraction of two or more operands (``einsum``)."""
    return prim is matmul or (prim is einsum_primitive and len(args) > 1)


def _batch_labels(subscripts: str) -> set[str]:
    """The labels of a canonical einsum (``"bij,bjk->bik"``) in every operand and the output."""
    inputs, output = subscripts.split("->")
    return set(output).intersection(*inputs.split(","))


def dots_saveable(prim: Primitive, *args: Any, **params: Any) -> bool:
    """Save the outputs of matrix products and contractions (JAX's ``dot_general``s and
    convolutions, which admodes writes as contractions)."""
    return _is_dot(prim, args)


def dots_with_no_batch_dims_saveable(prim: Primitive, *args: Any, **params: Any) -> bool:
    """Save the products without batch dimensions: ``matmul`` of matrices and vectors, an
    ``einsum`` no label of which is in every operand and the output."""
    if not _is_dot(prim, args):
        return False
    if prim is matmul:
        return all(ndim(x) <= 2 for x in args)
    return not _batch_labels(params["subscripts"])


#: JAX's other names for the two dot policies.
checkpoint_dots = dots_saveable
checkpoint_dots_with_no_batch_dims = dots_with_no_batch_dims_saveable


def save_only_these_names(*names: str) -> Policy:
    """Save the values marked by :func:`admodes.checkpoint_name` with one of ``names``, and
    nothing else."""
    chosen = frozenset(names)
    return lambda prim, *args, **params: prim is named and params["name"] in chosen


def save_and_offload_only_these_names(
    *,
    names_which_can_be_saved: Iterable[str],
    names_which_can_be_offloaded: Iterable[str],
    offload_src: str,
    offload_dst: str,
) -> Policy:
    """JAX's policy that keeps the values named in ``names_which_can_be_saved`` in device memory
    and moves those named in ``names_which_can_be_offloaded`` from ``offload_src`` to
    ``offload_dst`` (host memory) until the backward pass. admodes has one memory, so both are
    saved: :func:`save_only_these_names` of both."""
    return save_only_these_names(*names_which_can_be_saved, *names_which_can_be_offloaded)


def offload_dot_with_no_batch_dims(offload_src: str, offload_dst: str) -> Policy:
    """JAX's policy that moves the products without batch dimensions to ``offload_dst`` (host
    memory) until the backward pass. admodes has one memory, so they are saved:
    :func:`dots_with_no_batch_dims_saveable`."""
    return dots_with_no_batch_dims_saveable


def save_any_names_but_these(*names: str) -> Policy:
    """Save the values marked by :func:`admodes.checkpoint_name` with any name but ``names``,
    and nothing else."""
    excluded = frozenset(names)
    return lambda prim, *args, **params: prim is named and params["name"] not in excluded


def save_anything_except_these_names(*names: str) -> Policy:
    """Save every output except the values marked with one of ``names``."""
    excluded = frozenset(names)
    return lambda prim, *args, **params: not (prim is named and params["name"] in excluded)


def save_from_both_policies(policy_1: Policy, policy_2: Policy) -> Policy:
    """Save what either policy saves."""

    def policy(prim: Primitive, *args: Any, **params: Any) -> bool:
        return bool(policy_1(prim, *args, **params)) or bool(policy_2(prim, *args, **params))

    return policy
