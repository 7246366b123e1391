"""GradBench ``lse``: LogSumExp with the max trick, and its gradient (reverse mode).

    LSE(x) = a + log Σᵢ exp(xᵢ − a),   a = max x

written from its primitive elements (a maximum and a sum), as the eval asks, not with a
built-in ``logsumexp``.
"""

from __future__ import annotations

import numpy as np

import admodes as ad
import admodes.numpy as anp

from ..convert import floats, to_json
from ..protocol import function


def logsumexp(x: np.ndarray) -> float:
    """a + log Σ exp(x − a) with a = max x."""
    a = anp.max(x)
    return anp.log(anp.sum(anp.exp(x - a))) + a


def prepare(input: dict) -> np.ndarray:
    """The vector ``x``."""
    return floats(input["x"])


@function(prepare, output=float)
def primal(x: np.ndarray) -> float:
    """LSE(x)."""
    return logsumexp(x)


@function(prepare, output=to_json)
def gradient(x: np.ndarray) -> np.ndarray:
    """∇ LSE(x) by reverse mode."""
    return ad.grad(logsumexp)(x)
