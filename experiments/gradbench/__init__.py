"""admodes as a GradBench tool: ``python -m experiments.gradbench``.

GradBench runs an eval and a tool as two processes that talk JSON lines: the eval sends
``start``, ``define``, ``evaluate`` and ``analysis`` messages on the tool's stdin and reads one
reply per message from its stdout. ``protocol`` speaks that protocol; ``evals`` holds one module
per eval, ported from the eval's published definition, with every derivative computed by
admodes' transforms.
"""
