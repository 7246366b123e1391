"""``admodes.scipy.sparse``: its ``linalg`` namespace, the Krylov solvers ``cg``, ``bicgstab``
and ``gmres``."""

from admodes.scipy.sparse import linalg

__all__ = ["linalg"]
