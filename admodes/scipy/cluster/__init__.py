"""``admodes.scipy.cluster``: ``vq.vq``, the assignment of observations to their nearest codes
(as ``jax.scipy.cluster`` has it), differentiable in the distances."""

from admodes.scipy.cluster import vq

__all__ = ["vq"]
