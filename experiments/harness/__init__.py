"""The machinery the experiments share: running and reporting (runner, report, files), what an
experiment records into (context), measuring (measure, timing, machine), statistics and
verdicts (stats), validation, workloads and the AD systems they run on, and figures."""
