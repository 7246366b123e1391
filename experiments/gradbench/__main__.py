"""Entry point of the GradBench tool: serve the protocol on stdin and stdout."""

from __future__ import annotations

import sys

from .protocol import serve

if __name__ == "__main__":
    serve(sys.stdin, sys.stdout)
