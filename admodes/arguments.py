"""Argument handling shared by every transform: argnums, input checks, and result dtypes."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterable, Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np

from admodes.core import FLOAT64, Trace, Traced, dtype_of, is_python_float, plain, shape
from admodes.tree import TreeDef, describe, flatten, unflatten

#: The dtype of the derivative of an integer or bool input (JAX's ``jax.dtypes.float0``): a
#: zero-size void, so an array of it has a shape and holds no numbers.
FLOAT0 = np.dtype([("float0", "V")])

#: No leaf held constant (see :func:`differentiated`).
NONE_HELD: Mapping[int, Any] = MappingProxyType({})


def normalize_argnums(argnums: int | Sequence[int], n_args: int) -> tuple[tuple[int, ...], bool]:
    """``argnums`` as a tuple of valid positions, and whether the caller asked for a tuple."""
    if type(argnums) is int and 0 <= argnums < n_args:  # the common case, checked at once
        return (argnums,), False
    if isinstance(argnums, int | np.integer):
        as_tuple, nums = False, (argnums,)
    elif isinstance(argnums, tuple | list):
        as_tuple, nums = True, tuple(argnums)
    else:
        raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
    if not nums:
        raise ValueError("argnums is empty: name at least one argument to differentiate")
    for a in nums:
        if not isinstance(a, int | np.integer) or isinstance(a, bool):
            raise TypeError(f"argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -n_args <= a < n_args:
            raise ValueError(
                f"argnums {argnums!r} names argument {a}, but the function was called with "
                f"{n_args} positional argument(s)"
            )
    nums = tuple(int(a) % n_args for a in nums)
    if len(set(nums)) != len(nums):
        raise ValueError(
            f"argnums {argnums!r} names an argument more than once; name each argument once "
            "(to use one value in two roles, pass it twice as separate arguments)"
        )
    return nums, as_tuple


def check_inexact(
    tree: Any, what: str, *, allow_complex: bool = True, allow_int: bool = False
) -> None:
    """Raise TypeError unless every leaf of ``tree`` is a floating-point (or, where allowed,
    complex) float or array, or with ``allow_int`` an integer or bool one."""
    for leaf in flatten(tree)[0]:
        dtype = inexact_dtype(leaf)
        if dtype is not None and (allow_complex or dtype.kind == "f"):
            continue
        p = plain(leaf)
        if allow_int and is_integer_input(p):
            continue
        got = f"array of {p.dtype}" if isinstance(p, np.ndarray) else type(p).__name__
        if hasattr(p, "__array__") and not isinstance(p, np.ndarray | np.generic):
            raise TypeError(
                f"{what} is a {type(p).__module__}.{type(p).__name__}, an array of another "
                "library: admodes computes with NumPy. Convert it with np.asarray(x)."
            )
        if dtype is not None:  # complex where a real value is needed
            raise TypeError(
                f"{what} is complex ({got}); differentiating a function of complex inputs this "
                "way needs holomorphic=True (as in JAX), or use jvp/vjp directly."
            )
        kinds = (
            "a float or complex value or array (float64, float32, complex128 or complex64)"
            if allow_complex
            else "a float or float array (float64 or float32)"
        )
        hint = (
            " To hold an integer or bool input constant instead (its derivative is then zeros "
            "of dtype float0, as in JAX), use vjp, or grad, value_and_grad or jacrev with "
            "allow_int=True."
            if is_integer_input(p)
            else ""
        )
        raise TypeError(
            f"{what} must be {kinds}, got {got}. "
            "Differentiation needs floating-point inputs: pass 3.0 rather than 3, or convert "
            f"with np.asarray(x, dtype=float).{hint}"
        )


def is_integer_input(x: Any) -> bool:
    """Whether ``x`` is an integer or bool value or array (Python's or NumPy's): what
    ``allow_int`` holds constant, as JAX does."""
    if isinstance(x, Traced):  # read by dtype: a value vmap maps has no single primal
        return dtype_of(x).kind in "iub"
    if isinstance(x, int | np.integer | np.bool_):  # bool is an int
        return True
    return isinstance(x, np.ndarray) and x.dtype.kind in "iub"


def differentiated(
    args: tuple,
    nums: tuple[int, ...],
    *,
    holomorphic: bool,
    complex_ok: bool,
    allow_int: bool = False,
) -> tuple[list[Any], TreeDef, Mapping[int, Any]]:
    """The leaves the transform traces of the arguments ``nums`` it differentiates, their tree
    definition, and the leaves it holds constant, after checking them: floating-point, complex
    only where ``complex_ok``, and all complex when ``holomorphic``.

    With ``allow_int`` (JAX's rule), an integer or bool leaf is held constant: it is left out of
    the traced leaves and returned in the mapping, by its position among all the leaves, for
    :func:`with_held` to put back (its derivative: :func:`with_float0`). Without, that mapping
    is empty and the traced leaves are all the leaves.
    """
    leaves, treedef = flatten(tuple(map(args.__getitem__, nums)))
    if not holomorphic:
        for leaf in leaves:
            if type(leaf) is not float and not is_python_float(leaf):
                break
        else:  # Python floats, traced or not (nested scalar gradients): nothing to check
            return leaves, treedef, NONE_HELD
    for i in nums:  # checked per argument, for an error that names it
        if holomorphic:
            check_holomorphic_inputs(args[i], f"argument {i}")
        else:
            check_inexact(args[i], f"argument {i}", allow_complex=complex_ok, allow_int=allow_int)
    if not allow_int or holomorphic:  # holomorphic inputs are complex: none is held
        return leaves, treedef, NONE_HELD
    held = {k: leaf for k, leaf in enumerate(leaves) if is_integer_input(leaf)}
    if not held:
        return leaves, treedef, NONE_HELD
    return [leaf for k, leaf in enumerate(leaves) if k not in held], treedef, held


def with_held(values: Sequence[Any], held: Mapping[int, Any]) -> Sequence[Any]:
    """``values``, one per traced leaf, with the ``held`` ones put back at their positions: one
    per leaf of the differentiated arguments, in order (see :func:`differentiated`)."""
    if not held:
        return values
    rest = iter(values)
    return [held[k] if k in held else next(rest) for k in range(len(values) + len(held))]


def with_float0(
    values: Sequence[Any], held: Mapping[int, Any], batch: int | None = None
) -> Sequence[Any]:
    """``values``, one derivative per traced leaf, with the derivative of each ``held`` integer
    or bool leaf put back at its position (JAX's): zeros of dtype :data:`FLOAT0` and the
    leaf's shape, behind a leading axis of ``batch`` cotangents when batched."""
    if not held:
        return values
    lead = () if batch is None else (batch,)
    return with_held(values, {k: np.zeros((*lead, *shape(x)), FLOAT0) for k, x in held.items()})


def call_traced(
    fun: Callable[..., Any],
    args: tuple,
    nums: tuple[int, ...],
    in_def: TreeDef,
    traced: list,
    trace: Trace,
    *,
    has_aux: bool,
    name: str,
    held: Mapping[int, Any] = NONE_HELD,
) -> tuple[Any, Any]:
    """``fun(*args)`` with the arguments ``nums`` rebuilt by ``in_def`` from ``traced``, their
    leaves as ``trace`` traces them (the leaves :func:`differentiated` gave, wrapped, and the
    ``held`` ones it gave, unchanged): the output, and with ``has_aux`` the aux with ``trace``'s
    values replaced by their primals (None without). Once ``fun`` returns, ``trace`` is
    finished: its values that escaped are refused.
    """
    call = list(args)
    leaves = with_held(traced, held) if held else traced
    # One tree per argument by construction (zip's strict keyword costs each call 0.1 µs).
    for i, tree in zip(nums, unflatten(in_def, leaves)):  # noqa: B905
        call[i] = tree
    result = finished_call(fun, call, trace)
    if not has_aux:
        return result, None
    out, aux = split_aux(result, has_aux, name)
    return out, strip(aux, trace)


def finished_call(fun: Callable[..., Any], call: list, trace: Trace) -> Any:
    """``fun(*call)``, after which ``trace`` is finished: its values that escaped are refused."""
    try:
        return fun(*call)
    finally:
        trace.finished = True


def with_keywords(fun: Callable[..., Any], kwargs: dict[str, Any]) -> Callable[..., Any]:
    """``fun`` with the keyword arguments of a transformed call bound: as in JAX, they pass
    through to ``fun`` and are not differentiated (``argnums`` counts positional ones only)."""
    return functools.partial(fun, **kwargs) if kwargs else fun


def split_at(args: Sequence[Any], positions: Sequence[int]) -> tuple[list[Any], tuple]:
    """(the arguments at ``positions``, in their order; the others, in theirs): what
    :func:`interleaved` joins again."""
    return [args[i] for i in positions], tuple(a for i, a in enumerate(args) if i not in positions)


def interleaved(positions: Sequence[int], fixed: Sequence[Any], rest: Sequence[Any]) -> tuple:
    """The arguments of a call in order: ``fixed[j]`` at ``positions[j]`` (sorted), ``rest`` in
    the other places (the inverse of :func:`split_at`)."""
    merged, fixed_left, rest_left = [], iter(fixed), iter(rest)
    for i in range(len(fixed) + len(rest)):
        merged.append(next(fixed_left) if i in positions else next(rest_left))
    return tuple(merged)


def as_names(names: str | Iterable[str], what: str) -> tuple[str, ...]:
    """``names``, one parameter name or several, as a tuple of strings (JAX reads its
    ``*_argnames`` arguments so); ``what`` names the argument in the TypeError otherwise."""
    if isinstance(names, str):
        return (names,)
    try:
        names = tuple(names)
    except TypeError:
        names = (names,)
    for name in names:
        if not isinstance(name, str):
            raise TypeError(f"{what} must be a parameter name or names (strings), got {name!r}")
    return names


def positions_of(fun: Callable[..., Any], names: str | Iterable[str], what: str) -> set[int]:
    """The positions in ``fun``'s signature of the parameters ``names``, as JAX resolves
    ``nondiff_argnames``: parameters that can be passed by position or by keyword. A name of no
    such parameter raises ValueError (JAX would ignore it: a misspelt name, or a keyword-only
    or positional-only parameter)."""
    names = as_names(names, what)
    if not names:
        return set()
    positions = {
        p.name: i
        for i, p in enumerate(inspect.signature(fun).parameters.values())
        if p.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD
    }
    unknown = [name for name in names if name not in positions]
    if unknown:
        raise ValueError(
            f"{what} names {unknown}, but {getattr(fun, '__name__', repr(fun))} has no such "
            f"parameter that can be passed by position or keyword (it has {list(positions)})"
        )
    return {positions[name] for name in names}


def check_sequences(primals: Any, tangents: Any, name: str) -> None:
    """``name`` (jvp, hvp) takes its primals and tangents as tuples or lists, both of one of
    them (their tree structures match), as in JAX."""
    if not isinstance(primals, tuple | list) or not isinstance(tangents, tuple | list):
        raise TypeError(
            f"{name} takes primals and tangents as tuples, e.g. {name}(f, (x,), (v,)); got "
            f"{type(primals).__name__} and {type(tangents).__name__}"
        )
    if type(primals) is not type(tangents):
        raise TypeError(
            f"{name} takes primals and tangents of one tree structure, but the primals are a "
            f"{type(primals).__name__} and the tangents a {type(tangents).__name__}; pass both "
            f"as tuples, e.g. {name}(f, (x,), (v,))"
        )


def check_holomorphic_inputs(tree: Any, what: str) -> None:
    """holomorphic=True needs complex inputs (as in JAX)."""
    for leaf in flatten(tree)[0]:
        dtype = inexact_dtype(plain(leaf))
        if dtype is None or dtype.kind != "c":
            raise TypeError(
                f"holomorphic=True requires complex inputs, but {what} is "
                f"{'not floating-point' if dtype is None else dtype}; cast it with "
                "np.asarray(x, dtype=complex) or drop holomorphic=True."
            )


def check_real_output(tree: Any, name: str, holomorphic: bool) -> None:
    """``name`` (grad, jacrev) differentiates real outputs, or with ``holomorphic`` complex
    ones (as in JAX)."""
    if holomorphic:
        check_complex_output(tree, name)
        return
    for leaf in flatten(tree)[0]:
        dtype = dtype_of(leaf)
        if dtype.kind == "c":
            raise TypeError(
                f"{name} requires real-valued outputs, but the function returned {dtype}. For a "
                "holomorphic function pass holomorphic=True; otherwise differentiate a real "
                "function of the output (its real part, abs, abs(.)**2), or use vjp directly."
            )
        if dtype.kind != "f":
            raise TypeError(
                f"{name} requires floating-point outputs, but the function returned {dtype}: an "
                "integer or bool output is piecewise constant, so its derivative would be zero "
                "wherever it exists. Return it beside the output with has_aux=True, or use vjp "
                "directly (its cotangent is then float0)."
            )


def check_complex_output(tree: Any, name: str) -> None:
    """With ``holomorphic=True``, ``name`` (grad, jacfwd, jacrev) differentiates complex outputs
    only, as in JAX: a real-valued function of a complex variable is not holomorphic (unless
    constant), so its complex derivative does not exist."""
    for leaf in flatten(tree)[0]:
        dtype = dtype_of(leaf)
        if dtype.kind != "c":
            raise TypeError(
                f"{name} with holomorphic=True requires outputs with complex dtype, but the "
                f"function returned {dtype}. A real-valued function is not holomorphic: drop "
                "holomorphic=True to get the gradient of a real function of complex inputs "
                "(∂f/∂x − i·∂f/∂y, as in JAX), or make the output complex."
            )


def inexact_dtype(x: Any) -> np.dtype | None:
    """The dtype of a float or complex value or array, traced or not; None for anything else."""
    if isinstance(x, Traced):
        dtype = dtype_of(x)
        return dtype if dtype.kind in "fc" else None
    if isinstance(x, float):
        return FLOAT64
    if isinstance(x, complex):
        return np.dtype(np.complex128)
    if isinstance(x, np.ndarray | np.generic) and x.dtype.kind in "fc":
        return x.dtype
    return None


def check_matching(
    values: tuple[list[Any], TreeDef], like: tuple[list[Any], TreeDef], what: str, like_what: str
) -> None:
    """Raise ValueError unless the flattened ``values`` (leaves and tree definition, as
    :func:`admodes.tree.flatten` gives them) have the structure, shapes and dtypes of ``like``."""
    v_leaves, v_def = values
    l_leaves, l_def = like
    if v_def != l_def:
        raise ValueError(
            f"{what} has structure {describe(v_def)} but {like_what} has structure "
            f"{describe(l_def)}; they must match"
        )
    for k, (v, ref) in enumerate(zip(v_leaves, l_leaves, strict=True)):
        if shape(v) != shape(ref) or dtype_of(v) != dtype_of(ref):
            raise ValueError(
                f"{what} leaf {k} has shape {shape(v)} and dtype {dtype_of(v)}, but {like_what} "
                f"leaf {k} has shape {shape(ref)} and dtype {dtype_of(ref)}; they must match"
            )


def traced_tangents(
    tangents: tuple[list[Any], TreeDef],
    primals: tuple[list[Any], TreeDef],
    held: Mapping[int, Any],
) -> list[Any]:
    """The tangents (flattened) of the traced primal leaves, after checking them against the
    primals (flattened: the traced leaves, the tree definition, and the ``held`` integer or
    bool leaves, as :func:`differentiated` gives them): the same structure, shapes and dtypes,
    and for a held leaf zeros of dtype float0 (JAX's rule), which are then left out."""
    t_leaves, t_def = tangents
    p_leaves, p_def = primals
    expected = with_float0(p_leaves, held)
    if t_def == p_def:
        for k, x in held.items():
            if dtype_of(t_leaves[k]) != FLOAT0:
                raise TypeError(
                    f"primal leaf {k} is an integer or bool value ({dtype_of(x)}), so its tangent "
                    f"must be zeros of dtype float0, np.zeros({shape(x)}, admodes.float0), as in "
                    f"JAX; got dtype {dtype_of(t_leaves[k])}"
                )
    check_matching((t_leaves, t_def), (expected, p_def), "tangents", "primals")
    return [t for k, t in enumerate(t_leaves) if k not in held] if held else t_leaves


def zero_tangent(x: Any) -> Any:
    """The tangent of an output ``x`` that does not depend on the inputs: zeros of its shape and
    dtype, or of dtype float0 for an integer or bool one (JAX's)."""
    return np.zeros(shape(x), FLOAT0) if is_integer_input(x) else zeros_like_value(x)


def like_input(ct: Any, x: Any) -> Any:
    """A derivative shaped and typed like the input ``x`` it belongs to: a Python float for a
    Python float, a NumPy scalar for a NumPy scalar, an array of x's shape and dtype otherwise."""
    if isinstance(ct, Traced):
        return in_dtype(ct, dtype_of(x))
    if type(x) is float or is_python_float(x):  # traced or not: a nested scalar gradient
        return ct if type(ct) is float else float(ct)
    if type(x) is complex:
        return complex(ct)
    dt = dtype_of(x)
    ct = np.asarray(ct, dtype=dt)
    if ct.shape != shape(x):
        ct = np.broadcast_to(ct, shape(x)).copy()
    return ct[()] if ct.ndim == 0 else ct


def in_dtype(x: Any, dtype: np.dtype) -> Any:
    """``x`` converted to ``dtype`` where its own differs (a derivative takes its input's)."""
    if dtype_of(x) == dtype:
        return x
    return x.astype(dtype) if hasattr(x, "astype") else dtype.type(x)  # a Python number


def zeros_like_value(x: Any) -> Any:
    """Plain zeros with the shape and dtype of ``x``."""
    return like_input(0.0, x)


def unwrapped(x: Any, trace: Trace) -> Any:
    """The primal of ``x`` if ``trace`` traces it, else ``x`` (a constant to that trace)."""
    return x.primal if isinstance(x, Traced) and x._trace is trace else x


def strip(tree: Any, trace: Trace) -> Any:
    """``tree`` with this trace's values replaced by their primals (outputs, aux, states)."""
    leaves, treedef = flatten(tree)
    return unflatten(treedef, [unwrapped(leaf, trace) for leaf in leaves])


def split_aux(result: Any, has_aux: bool, name: str) -> tuple[Any, Any]:
    """``(out, aux)`` from a function's result under ``has_aux``."""
    if not has_aux:
        return result, None
    if not (isinstance(result, tuple | list) and len(result) == 2):
        raise ValueError(
            f"{name}(..., has_aux=True) needs the function to return a pair (output, aux), "
            f"got {type(plain(result)).__name__}"
        )
    return result[0], result[1]


def check_scalar(out: Any, holomorphic: bool = False) -> None:
    """Raise TypeError unless ``out`` is a floating-point scalar, or a complex one with
    ``holomorphic`` (what ``grad`` needs; JAX refuses bool and integer outputs too)."""
    if is_python_float(out):
        return
    if out is None:
        raise TypeError(
            "grad requires a function with a scalar output, but it returned None: does it end "
            "with `return` and the value to differentiate?"
        )
    if isinstance(out, tuple | list | dict):
        got = "a pytree"
    elif shape(out) != ():
        got = f"an output of shape {shape(out)}"
    else:
        dtype = dtype_of(out)
        if dtype.kind not in "fc":
            raise TypeError(
                f"grad requires a floating-point output (float64 or float32), but the function "
                f"returned a scalar of dtype {dtype}: a bool or integer output is piecewise "
                "constant, so its gradient would be zero wherever it exists; return a float "
                "(e.g. anp.where(c, 1.0, 0.0), or the quantity the comparison was made on) to "
                "differentiate it."
            )
        check_real_output(out, "grad", holomorphic)
        return
    raise TypeError(
        f"grad requires a function with a scalar output, but it returned {got}. For a "
        "vector-valued function use jacrev or jacfwd for the Jacobian, or vjp for a "
        "vector-Jacobian product."
    )


def gradient_only(value_and_grad: Callable[..., Any], has_aux: bool) -> Callable[..., Any]:
    """``grad`` from ``value_and_grad``: the gradient (and aux), without the value."""

    def gradient(*args: Any, **kwargs: Any) -> Any:
        (value_aux, g) = value_and_grad(*args, **kwargs)
        return (g, value_aux[1]) if has_aux else g

    return gradient


def check_chunk_size(chunk_size: int | None) -> None:
    """Raise ValueError unless ``chunk_size`` is a positive integer or None."""
    if chunk_size is not None and (
        not isinstance(chunk_size, int) or isinstance(chunk_size, bool) or chunk_size < 1
    ):
        raise ValueError(f"chunk_size must be a positive integer or None, got {chunk_size!r}")
