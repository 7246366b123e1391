"""The coverage table: what each public function of admodes' namespaces supports, by running it.

For every public function of ``admodes.numpy`` and its sub-namespaces (``linalg``, ``fft``, ...),
``admodes.nn``, ``admodes.ops`` and ``admodes.scipy.*`` (when present), the function is probed on
small example inputs: **forward** — ``jvp`` runs; **reverse** — ``vjp`` and its pullback run;
**second order** — the JVP of the pullback (forward over reverse) runs; **NumPy dispatch** — NumPy's
function of the same name, applied to the traced inputs, reaches the admodes function (same value,
same tangent); **vmap** — ``vmap`` of it runs in one call on a batch (``✓``: as many ops for 4
examples as for 2) or once per index (``n``: the function, or some of its ops).

A cell is ``✓`` (runs, derivative carried), ``0`` (runs; the output is a constant, derivative
zero: ``sign``, ``floor_divide``, ``stop_gradient``), ``✗`` (raises) or ``—`` (does not apply:
no float output, or no NumPy function of that name). Example inputs come from :data:`PROBES`, else
from the function's number of required arguments (3×3 float matrices).

``python -m admodes.coverage`` prints the Markdown; ``--write README.md`` replaces the block
between ``<!-- coverage:start -->`` and ``<!-- coverage:end -->``.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import pkgutil
import sys
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

import numpy as np

import admodes as ad
import admodes.numpy as anp
from admodes.core import Traced, dtype_of
from admodes.numpy._creation import is_numpy_own
from admodes.registry import Primitive
from admodes.tree import flatten

START, END = "<!-- coverage:start -->", "<!-- coverage:end -->"
YES, ZERO, NO, NA = "✓", "0", "✗", "—"

#: Example matrices: entries in (0, 1), symmetric positive definite, distinct eigenvalues.
M = np.array([[0.6, 0.2, 0.1], [0.2, 0.7, 0.3], [0.1, 0.3, 0.8]])
N = np.array([[0.9, 0.1, 0.3], [0.1, 0.5, 0.2], [0.3, 0.2, 0.7]])
P = np.array([[0.4, 0.3, 0.2], [0.3, 0.8, 0.1], [0.2, 0.1, 0.6]])
V = np.array([0.3, 0.5, 0.8])


@dataclass(frozen=True)
class Probe:
    """Example arguments of one function; the float arrays among them (and lists of float arrays)
    are differentiated, the others (shapes, axes, strings, masks) are held fixed."""

    args: tuple
    kwargs: dict = field(default_factory=dict)


#: Functions whose example arguments are not "as many 3×3 matrices as it requires", by qualified
#: name (the namespace path below ``admodes``).
PROBES: dict[str, Probe] = {
    "numpy.where": Probe((M > 0.25, M, N)),
    "numpy.reshape": Probe((M, (9,))),
    "numpy.broadcast_to": Probe((V, (2, 3))),
    "numpy.expand_dims": Probe((M, 0)),
    "numpy.swapaxes": Probe((M, 0, 1)),
    "numpy.concatenate": Probe(([M, N],)),
    "numpy.stack": Probe(([M, N],)),
    "numpy.hstack": Probe(([M, N],)),
    "numpy.vstack": Probe(([M, N],)),
    "numpy.getitem": Probe((M, (slice(1, None), 0))),
    "numpy.einsum": Probe(("ij,jk->ik", M, N)),
    "numpy.full": Probe(((2, 3), np.array(0.4))),
    "numpy.fft.fftfreq": Probe((4, np.array(0.4))),
    "numpy.fft.rfftfreq": Probe((4, np.array(0.4))),
    "numpy.full_like": Probe((M, 2.0)),
    "numpy.percentile": Probe((M, 40.0)),
    "numpy.quantile": Probe((M, 0.4)),
    "numpy.take_along_axis": Probe((M, np.array([[2, 0, 1]]), 0)),
    "numpy.put_along_axis": Probe((M, np.array([[2, 0, 1]]), N[:1], 0), {"inplace": False}),
    "numpy.dsplit": Probe((M.reshape(3, 3, 1), 1)),
    "numpy.searchsorted": Probe((V, M)),
    "numpy.astype": Probe((M, np.float32)),
    "numpy.convolve": Probe((V, V[:2])),
    "numpy.correlate": Probe((V, V[:2], "full")),
    "numpy.cumulative_sum": Probe((V,)),
    "numpy.cumulative_prod": Probe((V,)),
    "numpy.bincount": Probe((np.array([0, 2, 2]), V)),
    "numpy.piecewise": Probe((V, [V < 0.4, V >= 0.4], [lambda v: v**2, lambda v: 3 * v])),
    "numpy.polyder": Probe((V,)),
    "numpy.polyint": Probe((V,)),
    "numpy.polymul": Probe((V, V[:2])),
    "numpy.vander": Probe((V,)),
    "numpy.interp": Probe((V, np.array([0.0, 0.4, 1.0]), V)),
    "numpy.select": Probe(([M > 0.5, M > 0.25], [M, N], P)),
    "numpy.linalg.matrix_power": Probe((M, 3)),
    "numpy.linalg.multi_dot": Probe(([M, N, P],)),
    "numpy.linalg.tensorsolve": Probe((M, V)),
    "numpy.linalg.outer": Probe((V, V)),
    "nn.dot_product_attention": Probe(tuple(x.reshape(3, 1, 3) for x in (M, N, P))),
    "nn.glu": Probe((np.hstack([M, N]),)),
    "nn.one_hot": Probe((np.array([0, 2, 1]), 3)),
    "scipy.linalg.cho_solve": Probe(((M, True), N)),
    "scipy.linalg.lu_solve": Probe(((M, np.arange(3)), N)),
    "scipy.linalg.dft": Probe((3,)),
    "scipy.linalg.hadamard": Probe((4,)),
    "scipy.linalg.helmert": Probe((3,)),
    "scipy.linalg.hilbert": Probe((3,)),
    "scipy.linalg.invhilbert": Probe((3,)),
    "scipy.linalg.pascal": Probe((3,)),
    "scipy.linalg.invpascal": Probe((3,)),
    "scipy.linalg.eigh_tridiagonal": Probe((V, V[:2])),
    "scipy.linalg.leslie": Probe((V, V[:2])),
    "scipy.linalg.funm": Probe((M, np.exp)),
    "scipy.ndimage.map_coordinates": Probe((M, [V + 0.4, 2 * V], 1)),
    "scipy.optimize.minimize": Probe(
        (lambda x: anp.sum(anp.cosh(x - V)), N[0]), {"method": "BFGS"}
    ),
    "scipy.sparse.linalg.cg": Probe((M @ M.T + 3 * np.eye(3), V)),
    "scipy.sparse.linalg.bicgstab": Probe((M + 3 * np.eye(3), V)),
    "scipy.sparse.linalg.gmres": Probe((M + 3 * np.eye(3), V)),
    **{
        f"ops.{name}": Probe((M, np.array([0, 2, 0]), 3))
        for name in ("segment_sum", "segment_prod", "segment_max", "segment_min")
    },
    "scipy.special.betainc": Probe((1.5, 2.5, M)),
    "scipy.special.hyp2f1": Probe((M, N, P + 1.0, M - 0.5)),
    "scipy.special.bessel_jn": Probe((M,), {"v": 3}),
    "scipy.special.sph_harm_y": Probe((np.array([1, 2, 3]), np.array([0, 1, -2]), V, V + 0.5)),
    "scipy.special.expn": Probe((2, M)),
    "scipy.special.polygamma": Probe((2, M)),
    "scipy.special.bernoulli": Probe((4,)),
    "scipy.stats.beta.cdf": Probe((M, 1.5, 2.5)),
    "scipy.stats.uniform.logpdf": Probe((M, V / 4, N + 1.0)),  # constant in x, not in scale
    "scipy.stats.uniform.pdf": Probe((M, V / 4, N + 1.0)),
    "scipy.stats.dirichlet.logpdf": Probe((V / V.sum(), np.array([1.5, 2.0, 3.0]))),
    "scipy.stats.dirichlet.pdf": Probe((V / V.sum(), np.array([1.5, 2.0, 3.0]))),
    "scipy.stats.multivariate_normal.logpdf": Probe((V, V / 2, M)),
    "scipy.stats.multivariate_normal.pdf": Probe((V, V / 2, M)),
    "scipy.stats.betabinom.logpmf": Probe((np.arange(3.0), np.arange(3.0) + 3, V + 1.0, V + 2.0)),
    "scipy.stats.betabinom.pmf": Probe((np.arange(3.0), np.arange(3.0) + 3, V + 1.0, V + 2.0)),
    "scipy.stats.multinomial.logpmf": Probe((np.array([1, 2, 0]), 3, V / V.sum())),
    "scipy.stats.multinomial.pmf": Probe((np.array([1, 2, 0]), 3, V / V.sum())),
    "numpy.choose": Probe((np.array([[0, 1, 0], [1, 0, 1], [0, 0, 1]]), [M, N])),
    "numpy.compress": Probe((np.array([True, False, True]), M), {"axis": 0}),
    "numpy.put": Probe((M, np.array([0, 4]), V[:2]), {"inplace": False}),
    "numpy.place": Probe((M, M > 0.5, V), {"inplace": False}),
    "numpy.fill_diagonal": Probe((M, V), {"inplace": False}),
    "numpy.apply_along_axis": Probe((anp.sum, 0, M)),
    "numpy.apply_over_axes": Probe((anp.sum, M, [0])),
    "numpy.ldexp": Probe((M, np.array([1, -2, 3]))),
    "numpy.polyfit": Probe((V, N[0], 1)),
    "numpy.polydiv": Probe((V, N[0, :2])),
    "numpy.poly": Probe((V,)),
    "numpy.roots": Probe((V,)),
    "numpy.histogram2d": Probe((V, N[0])),
    "numpy.can_cast": Probe((M, np.float32)),
    "numpy.fromfunction": Probe((np.multiply, (2, 3))),
    **{
        f"numpy.{name}": Probe((np.array([1, 6, 3]), np.array([3, 1, 2])))
        for name in [
            "bitwise_and",
            "bitwise_or",
            "bitwise_xor",
            "bitwise_left_shift",
            "bitwise_right_shift",
            "left_shift",
            "right_shift",
            "gcd",
            "lcm",
        ]
    },
    **{
        f"numpy.{name}": Probe((np.array([1, 6, 3], np.uint8),))
        for name in [
            "bitwise_not",
            "bitwise_invert",
            "invert",
            "bitwise_count",
            "packbits",
            "unpackbits",
        ]
    },
}


#: Public names that are not array functions: the namespace's set-up hook, the function
#: transformers, and the functions that write files.
NOT_FUNCTIONS = {"attach_array_methods", "vectorize", "frompyfunc", "save", "savez"}

#: Example inputs tried in turn for a function absent from :data:`PROBES` (the first with which
#: forward mode runs is used): matrices for its required arguments, or a matrix and integers.
GENERIC = [(M,), (M, N), (M, N, P), (M, 1), (M, 1, 0), (M, np.array([0, 2]))]


@dataclass
class Row:
    name: str
    forward: str
    reverse: str
    second: str
    dispatch: str
    note: str = ""
    vmap: str = NA


# ---------------------------------------------------------------------------- discovery
def namespaces() -> Iterator[tuple[str, ModuleType]]:
    """``admodes.numpy`` and its public sub-namespaces, ``admodes.nn``, ``admodes.ops``,
    ``admodes.scipy.*``."""
    yield "numpy", anp
    yield from _submodules("numpy", anp)
    for name in ("nn", "ops", "scipy"):
        try:
            module = importlib.import_module(f"admodes.{name}")
        except ImportError:  # admodes.scipy needs its extra
            continue
        if name != "scipy":
            yield name, module
        yield from _submodules(name, module)


#: Public namespaces of no differentiable function: initial values are constants.
NOT_DIFFERENTIABLE = {"nn.initializers"}


def _submodules(path: str, module: ModuleType) -> Iterator[tuple[str, ModuleType]]:
    """Public sub-namespaces of a package, each with its own sub-namespaces."""
    if not hasattr(module, "__path__"):
        return
    for info in sorted(pkgutil.iter_modules(module.__path__), key=lambda i: i.name):
        if not info.name.startswith("_") and f"{path}.{info.name}" not in NOT_DIFFERENTIABLE:
            sub = importlib.import_module(f"{module.__name__}.{info.name}")
            yield f"{path}.{info.name}", sub
            yield from _submodules(f"{path}.{info.name}", sub)


def public_functions(path: str, module: ModuleType) -> list[tuple[str, Callable[..., Any]]]:
    """The namespace's public functions: its ``__all__`` where it has one; else the functions
    defined in it (or in its private modules) and those NumPy has under the same name (the
    primitives and NumPy's own functions it re-exports)."""
    listed = getattr(module, "__all__", None)

    def public(name: str, obj: Any) -> bool:
        if name.startswith("_") or name in NOT_FUNCTIONS or not callable(obj):
            return False
        if isinstance(obj, type):
            return False
        if listed is not None:
            return True
        origin = getattr(obj, "__module__", None) or ""
        own = origin == module.__name__ or origin.startswith(module.__name__ + "._")
        return own or numpy_counterpart(path, name) is not None

    names = sorted(listed if listed is not None else dir(module))
    return [(n, getattr(module, n)) for n in names if public(n, getattr(module, n))]


def numpy_counterpart(path: str, name: str) -> Any:
    """NumPy's function of the same name (``numpy.linalg.inv`` for ``numpy.linalg.inv``)."""
    if path.split(".")[0] != "numpy":
        return None
    module: Any = np
    for part in path.split(".")[1:]:
        module = getattr(module, part, None)
    return getattr(module, name, None)


# ---------------------------------------------------------------------------- probing
def examples(path: str, name: str, fn: Callable[..., Any]) -> list[Probe]:
    """The probe of :data:`PROBES`, else the :data:`GENERIC` inputs, those with as many matrices
    as the function requires arguments first."""
    if f"{path}.{name}" in PROBES:
        return [PROBES[f"{path}.{name}"]]
    if isinstance(fn, Primitive):
        arity = len(fn.partials) if fn.partials is not None else len(fn.jvps)
    else:
        params = inspect.signature(fn).parameters.values()
        arity = sum(
            p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            for p in params
        )
    ordered = sorted(GENERIC, key=lambda args: len(args) != arity)  # stable: the rest in order
    return [Probe(args) for args in ordered]


def calls() -> Iterator[tuple[str, ProbeCall]]:
    """Every public function of the namespaces (not NumPy's own), as a function of its float
    arguments on the first example input it runs on, with its qualified name."""
    for path, module in namespaces():
        for name, fn in public_functions(path, module):
            np_fn = numpy_counterpart(path, name)
            if np_fn is not None and is_numpy_own(fn, np_fn):
                continue
            for candidate in examples(path, name, fn):
                call = ProbeCall(fn, candidate)
                try:
                    call(*call.primals())
                except Exception:  # this example is not one the function takes
                    continue
                yield f"{path}.{name}", call
                break


def _is_float_tree(x: Any) -> bool:
    leaves, _ = flatten(x) if isinstance(x, list) else ([x], None)
    return bool(leaves) and all(
        isinstance(v, np.ndarray) and np.issubdtype(v.dtype, np.floating) for v in leaves
    )


class ProbeCall:
    """``fn`` as a function of the probe's float arguments only; records whether the output
    carried a derivative (was traced)."""

    def __init__(self, fn: Callable[..., Any], probe: Probe) -> None:
        self.fn, self.probe = fn, probe
        self.positions = [i for i, a in enumerate(probe.args) if _is_float_tree(a)]
        self.traced = False
        self.failure: Exception | None = None

    def primals(self) -> tuple:
        return tuple(self.probe.args[i] for i in self.positions)

    def __call__(self, *diff: Any) -> Any:
        args = list(self.probe.args)
        for i, d in zip(self.positions, diff, strict=True):
            args[i] = d
        out = self.fn(*args, **self.probe.kwargs)
        self.traced = self.traced or any(isinstance(v, Traced) for v in flatten(out)[0])
        return out


def _tangents(primals: tuple) -> tuple:
    return tuple(_like(p, 0.5) for p in primals)


def _like(tree: Any, value: float) -> Any:
    """A tree shaped like ``tree`` filled with ``value`` (zeros for non-float leaves)."""
    if isinstance(tree, list | tuple):
        children = [_like(t, value) for t in tree]
        return type(tree)(*children) if hasattr(tree, "_fields") else type(tree)(children)
    dtype = np.result_type(tree)
    return np.full(np.shape(tree), value if np.issubdtype(dtype, np.floating) else 0, dtype)


def _runs(step: Callable[[], Any], call: ProbeCall) -> str:
    """✓ if ``step`` runs with a traced output, 0 if its output was a constant, ✗ if it raises
    (the error kept in ``call.failure``)."""
    call.traced = False
    try:
        step()
    except Exception as failure:  # any failure of the probe is a ✗ in the table
        call.failure = failure
        return NO
    return YES if call.traced else ZERO


#: What admodes' refusals of a derivative JAX does not have either say (their messages end
#: "... (nor in JAX)"): such a ✗ is a deliberate refusal, noted as one.
REFUSED_AS_IN_JAX = "nor in JAX"


def probe(path: str, name: str, fn: Callable[..., Any]) -> Row:
    """One row of the table: ``fn`` probed in each transform and through NumPy's protocols, with
    the first example input that forward mode takes (else the first that runs at all)."""
    label = f"`{name}`"
    np_fn = numpy_counterpart(path, name)
    if np_fn is not None and is_numpy_own(fn, np_fn):
        return Row(label, NA, NA, NA, NA, "NumPy's own: makes constants")
    first = None
    for candidate in examples(path, name, fn):
        row = _probe_with(label, fn, np_fn, ProbeCall(fn, candidate))
        if row is not None and row.forward != NO:
            return row
        first = first or row
    return first or Row(label, NO, NO, NO, NO, "no example input runs")


def _probe_with(label: str, fn: Callable[..., Any], np_fn: Any, call: ProbeCall) -> Row | None:
    """The row from one example input; None if ``fn`` does not run on it at all."""
    primals = call.primals()
    try:
        out = call(*primals)
    except Exception:
        return None
    kinds = {_kind(v) for v in flatten(out)[0]}
    floats = bool(kinds & {"f", "c"})
    dispatch = NA if np_fn is None else _dispatches(np_fn, call, primals, floats)
    if not primals:
        return Row(label, NA, NA, NA, dispatch, "no float input")
    mapped = _maps(call, primals)
    if not floats:
        numbers = kinds <= {"b", "i", "u"}
        why = "integer or bool output" if numbers else "its output is no number"
        return Row(label, NA, NA, NA, dispatch, f"not differentiable ({why})", mapped)
    tangents = _tangents(primals)
    cotangent = _like(out, 1.0)

    def pullback(*ps: Any) -> Any:
        return ad.vjp(call, *ps)[1](cotangent)

    forward = _runs(lambda: ad.jvp(call, primals, tangents), call)
    reverse = _runs(lambda: pullback(*primals), call)
    second = _runs(lambda: ad.jvp(pullback, primals, tangents), call) if reverse == YES else NA
    second = ZERO if reverse == ZERO else second
    if forward == ZERO:
        note = "derivative 0"
    elif REFUSED_AS_IN_JAX in str(call.failure):
        note = "✗: refused, as JAX has no such derivative either"
    else:
        note = ""
    return Row(label, forward, reverse, second, dispatch, note, mapped)


#: A vmap cell: the function ran once per index of the mapped axis (or some of its ops did).
PER_INDEX = "n"


def _maps(call: ProbeCall, primals: tuple) -> str:
    """✓ if ``vmap`` runs the function in one call on a batch (as many ops for 4 examples as for
    2), :data:`PER_INDEX` if it calls it (or some of its ops) once per index, ✗ if it fails."""

    def ops(k: int) -> int:
        batch = [ad.tree.map(lambda a: np.stack([a] * k), p) for p in primals]
        with ad.count() as counts:
            ad.vmap(call)(*batch)
        return counts.ops

    try:
        two, four = ops(2), ops(4)
    except Exception:  # any failure is a ✗ in the table
        return NO
    return YES if two == four else PER_INDEX


def _kind(value: Any) -> str:
    """The dtype kind of an output leaf (``O`` for what is no array: a dtype, a function)."""
    return dtype_of(value).kind if isinstance(value, Traced) else np.asarray(value).dtype.kind


def _dispatches(np_fn: Callable[..., Any], call: ProbeCall, primals: tuple, floats: bool) -> str:
    """✓ if NumPy's function on traced inputs gives the admodes function's value and tangent (its
    value alone, without ``floats`` in the output); — for a NumPy function that does not
    dispatch (neither a ufunc nor ``__array_function__``)."""
    if not isinstance(np_fn, np.ufunc) and not hasattr(np_fn, "_implementation"):
        return NA
    via_numpy = ProbeCall(np_fn, call.probe)
    tangents = _tangents(primals)

    def run(fn: ProbeCall) -> Any:
        return ad.jvp(fn, primals, tangents) if floats else ad.vjp(fn, *primals)[0]

    try:
        got = run(via_numpy)
    except Exception:
        return NO
    expected = run(call)
    pairs = zip(flatten(got)[0], flatten(expected)[0], strict=True)
    return YES if all(_same(np.asarray(a), np.asarray(b)) for a, b in pairs) else NO


def _same(a: np.ndarray, b: np.ndarray) -> bool:
    """Equal arrays, nan equal to nan where there can be one."""
    return np.array_equal(a, b, equal_nan=a.dtype.kind in "fc" and b.dtype.kind in "fc")


# ---------------------------------------------------------------------------- the table
def rows() -> Iterator[tuple[str, list[Row]]]:
    with np.errstate(all="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for path, module in namespaces():
            functions = public_functions(path, module)
            if functions:  # a namespace of namespaces only (admodes.scipy) has no table
                yield path, [probe(path, name, fn) for name, fn in functions]


def markdown() -> str:
    """The coverage table in Markdown, one table per namespace."""
    lines = [
        f"{YES} runs with its derivative · {ZERO} runs, constant output (derivative 0) · "
        f"{NO} fails · {NA} does not apply. vmap: {YES} one call on the batch · {PER_INDEX} "
        "once per index (the function, or some of its ops). Generated by `python -m "
        "admodes.coverage` from probes of every public function; do not edit by hand.",
    ]
    for path, table in rows():
        lines += [
            "",
            f"#### `admodes.{path}`",
            "",
            "| function | forward | reverse | second order | NumPy dispatch | vmap | note |",
            "|---|:-:|:-:|:-:|:-:|:-:|---|",
        ]
        lines += [
            f"| {r.name} | {r.forward} | {r.reverse} | {r.second} | {r.dispatch} | {r.vmap} "
            f"| {r.note} |"
            for r in table
        ]
    return "\n".join(lines) + "\n"


def replace_block(text: str, block: str) -> str:
    """``text`` with the part between the coverage markers replaced by ``block``."""
    head, start, rest = text.partition(START)
    _, end, tail = rest.partition(END)
    if not start or not end:
        raise ValueError(f"the file has no {START} … {END} block")
    return f"{head}{START}\n{block}{END}{tail}"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m admodes.coverage", description=__doc__)
    parser.add_argument("--write", metavar="README", help="replace the file's coverage block")
    options = parser.parse_args(argv)
    table = markdown()
    if options.write is None:
        sys.stdout.write(table)
        return
    with open(options.write, encoding="utf-8") as f:
        text = f.read()
    with open(options.write, "w", encoding="utf-8") as f:
        f.write(replace_block(text, table))


if __name__ == "__main__":
    main()
