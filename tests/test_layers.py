"""The library's layers point only down, with no import cycles and no imports hidden inside
functions; each module imports on its own, in a process that has imported only the package (which
any import of one of its modules does first)."""

from __future__ import annotations

import ast
import subprocess
import sys
from graphlib import CycleError, TopologicalSorter
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "admodes"

#: Layer of each module, bottom first (by dotted prefix; the longest matching prefix wins).
#: A module may import from its own layer and the layers below, never from above. Modules not
#: listed sit on top (the API and the tools built on it).
LAYERS = (
    ("admodes.core", "admodes.tree", "admodes.schedules"),
    ("admodes.counting",),
    ("admodes.registry",),
    ("admodes.rules",),
    ("admodes.derivatives", "admodes.arguments"),
    ("admodes.forward", "admodes.reverse", "admodes.batching"),
    ("admodes.checkpointing", "admodes.custom", "admodes.linearize"),
    ("admodes.numpy",),
)
TOP = len(LAYERS)


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _layer(module: str) -> int:
    best, rank = -1, TOP
    for k, names in enumerate(LAYERS):
        for name in names:
            if (module == name or module.startswith(name + ".")) and len(name) > best:
                best, rank = len(name), k
    return rank


def _imports(module: str) -> tuple[set[str], list[int]]:
    """The admodes modules ``module`` imports at its top level, and the lines of any admodes
    import inside a function or class body."""
    tree = ast.parse(MODULES[module].read_text())
    top: set[str] = set()
    for node in tree.body:
        top |= _targets(node, module)
    nested = [
        node.lineno
        for outer in ast.walk(tree)
        if isinstance(outer, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
        for node in ast.walk(outer)
        if node is not outer and _targets(node, module)
    ]
    return top, nested


def _targets(node: ast.AST, module: str) -> set[str]:
    if isinstance(node, ast.Import):
        names = [a.name for a in node.names]
    elif isinstance(node, ast.ImportFrom) and node.module:
        base = node.module
        names = [base] + [f"{base}.{a.name}" for a in node.names]
    else:
        return set()
    return {n for n in names if n in MODULES and n != module}


def _graph() -> dict[str, set[str]]:
    return {m: _imports(m)[0] for m in MODULES}


def test_no_import_cycles() -> None:
    graph = {m: {d for d in deps if not m.startswith(d + ".")} for m, deps in _graph().items()}
    try:
        tuple(TopologicalSorter(graph).static_order())
    except CycleError as cycle:
        pytest.fail(f"import cycle: {' -> '.join(cycle.args[1])}")


def test_layers_only_point_down() -> None:
    upward = [
        f"{m} (layer {_layer(m)}) imports {d} (layer {_layer(d)})"
        for m, deps in _graph().items()
        for d in deps
        if _layer(d) > _layer(m) and not m.startswith(d + ".")
    ]
    assert not upward, "\n".join(upward)


def test_no_imports_inside_functions() -> None:
    hidden = {m: lines for m in MODULES if (lines := _imports(m)[1])}
    assert not hidden, f"admodes imports inside functions or classes: {hidden}"


#: Imports every module named on its command line on its own. Importing any ``admodes.X`` first
#: imports the package, so each child is forked from an interpreter that has imported the
#: package and nothing else of admodes (and the third-party libraries: a fresh interpreter per
#: module would spend seconds on each re-importing SciPy); a module the package imported already
#: imports on its own exactly when the package does. One line per module: name, exit code.
_IMPORT_EACH = """
import os, sys, traceback
import matplotlib.pyplot, numpy, pandas, scipy.linalg, scipy.signal, scipy.special

try:
    import admodes
except BaseException:
    traceback.print_exc()
    print(*(f"{module} 1" for module in sys.argv[1:]), sep="\\n")
    sys.exit(0)
for module in sys.argv[1:]:
    if module in sys.modules:
        print(module, 0, flush=True)
        continue
    pid = os.fork()
    if pid == 0:
        try:
            __import__(module)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
        os._exit(0)
    print(module, os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]), flush=True)
"""


@pytest.fixture(scope="module")
def imported_alone() -> tuple[dict[str, int], str]:
    """Each module's exit code when imported on its own, and the children's tracebacks."""
    result = subprocess.run(
        [sys.executable, "-c", _IMPORT_EACH, *sorted(MODULES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    codes = dict(line.rsplit(" ", 1) for line in result.stdout.splitlines())
    return {m: int(c) for m, c in codes.items()}, result.stderr


@pytest.mark.parametrize("module", sorted(MODULES))
def test_each_module_imports_on_its_own(
    module: str, imported_alone: tuple[dict[str, int], str]
) -> None:
    codes, tracebacks = imported_alone
    assert codes[module] == 0, tracebacks
