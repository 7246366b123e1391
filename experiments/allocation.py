"""Peak Python-heap allocation of one call, measured with tracemalloc."""

from __future__ import annotations

import gc
import tracemalloc
from collections.abc import Callable


def peak_allocated_bytes(call: Callable[[], object]) -> int:
    """Most bytes allocated at once while ``call()`` runs, above what was live before it."""
    gc.collect()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        call()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    return peak - baseline
