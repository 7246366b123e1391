"""Bad input: a clear error that names the problem, never a wrong number."""

from __future__ import annotations

import re
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES

import admodes as ad
import admodes.numpy as anp

X = np.linspace(0.5, 1.5, 3)

# ---------------------------------------------------------------------------- non-numeric output
NON_NUMERIC_OUTPUT = {
    "grad": lambda f: ad.grad(f)(1.0),
    "jvp": lambda f: ad.jvp(f, (1.0,), (1.0,)),
    "vjp": lambda f: ad.vjp(f, 1.0)[1](1.0),
    "jacfwd": lambda f: ad.jacfwd(f)(1.0),
    "jacrev": lambda f: ad.jacrev(f)(1.0),
}


@pytest.mark.parametrize("output", ["text", object()], ids=["str", "object"])
@pytest.mark.parametrize("call", NON_NUMERIC_OUTPUT.values(), ids=NON_NUMERIC_OUTPUT.keys())
def test_non_numeric_output_names_the_value_and_has_aux(call: Any, output: Any) -> None:
    """A function returning text or an object gets an error naming the value and pointing to
    has_aux, never NumPy's "data type not understood"."""
    with pytest.raises(TypeError, match=r"is not a number or an array.*has_aux=True"):
        call(lambda x: output)


# ---------------------------------------------------------------------------- non-scalar grad
NON_SCALAR = {
    "vector": lambda x: x * 2.0,
    "matrix": lambda x: anp.outer(x, x),
    "pytree": lambda x: (anp.sum(x), anp.sum(x)),
}


@pytest.mark.parametrize("transform", [ad.grad, ad.value_and_grad], ids=["grad", "value_and_grad"])
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("fn", NON_SCALAR.values(), ids=NON_SCALAR.keys())
def test_grad_of_non_scalar_output(transform: Any, mode: str, fn: Any) -> None:
    with pytest.raises(TypeError, match="scalar output") as info:
        transform(fn, mode=mode)(X)
    assert "jacrev" in str(info.value) and "vjp" in str(info.value)


@pytest.mark.parametrize("output", [lambda m, x: m.argmax(x), lambda m, x: (x * 2.0, x > 0)])
def test_jacrev_of_an_integer_or_bool_output(output: Any) -> None:
    """As JAX's jacrev, refused (its derivative would be zeros), with the way out named."""
    with pytest.raises(TypeError, match="floating-point outputs") as info:
        ad.jacrev(lambda x: output(anp, x))(X)
    assert "has_aux" in str(info.value)
    with pytest.raises(TypeError, match="real-valued outputs"):
        jax.jacrev(lambda x: output(jnp, x))(X)


# ---------------------------------------------------------------------------- non-float inputs
BAD_INPUTS = {
    "int": (3, "int"),
    "bool": (True, "bool"),
    "int-array": (np.arange(3), "int64"),
    "bool-array": (np.array([True, False]), "bool"),
    "object-array": (np.array([object()]), "object"),
    "string": ("1.0", "str"),
    "int-in-a-pytree": ((1.0, {"b": 2}), "int"),
}

TRANSFORMS = {  # each applied to a function of (y, x) differentiated w.r.t. argument 1
    "grad": lambda f, y, x: ad.grad(f, argnums=1)(y, x),
    "grad-forward": lambda f, y, x: ad.grad(f, argnums=1, mode="forward")(y, x),
    "value_and_grad": lambda f, y, x: ad.value_and_grad(f, argnums=(0, 1))(y, x),
    "jacfwd": lambda f, y, x: ad.jacfwd(f, argnums=1)(y, x),
    "jacrev": lambda f, y, x: ad.jacrev(f, argnums=1)(y, x),
    "hessian": lambda f, y, x: ad.hessian(f, argnums=1)(y, x),
    "jvp": lambda f, y, x: ad.jvp(f, (y, x), (y, x)),
    "vjp": lambda f, y, x: ad.vjp(f, y, x),
    "hvp": lambda f, y, x: ad.hvp(f, (y, x), (y, x)),
}


#: The inputs vjp, jvp (and so hvp) take, as JAX's do: integer and bool primals are constants
#: there, their tangents and cotangents float0 zeros (tests/test_api_keywords.py).
HELD_BY_VJP = {"int", "bool", "int-array", "bool-array", "int-in-a-pytree"}
TAKE_INTEGERS = {"vjp", "jvp", "hvp"}


@pytest.mark.parametrize(
    ("transform", "bad"),
    [
        pytest.param(TRANSFORMS[t], BAD_INPUTS[b], id=f"{b}-{t}")
        for b in BAD_INPUTS
        for t in TRANSFORMS
        if not (t in TAKE_INTEGERS and b in HELD_BY_VJP)
    ],
)
def test_non_float_input_is_named(transform: Any, bad: tuple[Any, str]) -> None:
    value, type_name = bad
    with pytest.raises(TypeError) as info:
        transform(lambda y, x: 0.0, 1.0, value)
    message = str(info.value)
    assert re.search(r"(argument|primal) 1\b", message), message
    assert type_name in message and "float" in message
    integer = type_name in ("int", "int64", "bool")
    assert ("allow_int=True" in message) == integer, message


@pytest.mark.parametrize("transform", ["jvp", "hvp"])
@pytest.mark.parametrize("bad", sorted(HELD_BY_VJP))
def test_an_integer_primal_with_a_non_float0_tangent_is_named(transform: str, bad: str) -> None:
    value, type_name = BAD_INPUTS[bad]
    with pytest.raises(TypeError, match=r"primal leaf \d+ is an integer or bool .*float0") as info:
        TRANSFORMS[transform](lambda y, x: 0.0, 1.0, value)
    assert type_name in str(info.value)


FORWARD_ON_COMPLEX = {  # complex inputs, real output: fine in reverse mode, not here
    "jacfwd": lambda f, z: ad.jacfwd(f)(z),
    "grad-forward": lambda f, z: ad.grad(f, mode="forward")(z),
}


@pytest.mark.parametrize("transform", FORWARD_ON_COMPLEX.values(), ids=FORWARD_ON_COMPLEX)
@pytest.mark.parametrize("z", [1.0 + 2.0j, np.ones(2, dtype=complex)], ids=["complex", "array"])
def test_complex_input_to_forward_mode_needs_holomorphic(transform: Any, z: Any) -> None:
    with pytest.raises(TypeError, match=r"argument 0 is complex.*holomorphic=True"):
        transform(lambda z: anp.sum(anp.abs(z)), z)


# ---------------------------------------------------------------------------- mismatched tangents
MISMATCHES = {  # tangent or cotangent for a primal / output of shape (3,) float64
    "shape": (np.ones(2), r"shape \(2,\).*shape \(3,\)"),
    "dtype": (np.ones(3, dtype=np.float32), "float32.*float64"),
    "structure": ((np.ones(3),), r"structure \(.*\) but .* structure"),
    "scalar": (1.0, r"shape \(\).*shape \(3,\)"),
}


@pytest.mark.parametrize("bad", MISMATCHES.values(), ids=MISMATCHES.keys())
def test_jvp_tangent_mismatch(bad: tuple[Any, str]) -> None:
    tangent, pattern = bad
    with pytest.raises(ValueError, match=r"tangents.*primals") as info:
        ad.jvp(lambda x: x * 2.0, (X,), (tangent,))
    assert re.search(pattern, str(info.value)), str(info.value)


@pytest.mark.parametrize("bad", MISMATCHES.values(), ids=MISMATCHES.keys())
def test_vjp_cotangent_mismatch(bad: tuple[Any, str]) -> None:
    cotangent, pattern = bad
    _, vjp_fn = ad.vjp(lambda x: x * 2.0, X)
    with pytest.raises(ValueError, match=r"cotangent.*output") as info:
        vjp_fn(cotangent)
    assert re.search(pattern, str(info.value)), str(info.value)


def test_hvp_tangent_mismatch() -> None:
    with pytest.raises(ValueError, match=r"tangents.*primals"):
        ad.hvp(lambda x: anp.sum(x**3), (X,), (np.ones(4),))


def test_jvp_wants_tuples() -> None:
    with pytest.raises(TypeError, match="tuples"):
        ad.jvp(lambda x: x, X, X)


# ---------------------------------------------------------------------------- NumPy without a rule
NO_RULE = {
    "real_if_close": lambda x: np.real_if_close(x).sum(),
    "copyto": lambda x: np.copyto(np.zeros(3), x),
    "putmask": lambda x: np.putmask(x, x > 1.0, 0.0),
    "array2string": lambda x: np.array2string(x),
    "add.reduceat": lambda x: np.add.reduceat(x, [0, 1]).sum(),
    "logaddexp.at": lambda x: np.logaddexp.at(x, [0], 1.0),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NO_RULE)
def test_numpy_function_without_a_rule(mode: str, name: str) -> None:
    with pytest.raises(TypeError, match="no admodes rule") as info:
        ad.grad(NO_RULE[name], mode=mode)(X)
    message = str(info.value)
    assert f"numpy.{name}" in message
    assert "defprim" in message and "register" in message


@pytest.mark.parametrize(("ufunc", "method"), [(np.add, "add"), (np.minimum, "min")])
def test_ufunc_at_points_to_the_functional_update(ufunc: Any, method: str) -> None:
    """``np.add.at(x, i, v)`` writes into x, which a traced x cannot take: the error names the
    ``x.at[i]`` update that does it."""
    with pytest.raises(TypeError, match=rf"in place.*x\.at\[indices\]\.{method}\(values\)"):
        ad.grad(lambda x: ufunc.at(x, [0], 1.0))(X)


def test_numpy_function_reexported_by_admodes_numpy() -> None:
    """``admodes.numpy.unravel_index`` is NumPy's own: on a traced value it has no rule either."""
    with pytest.raises(TypeError, match=r"numpy\.unravel_index has no admodes rule"):
        ad.grad(lambda x: np.unravel_index(x, (3,))[0].sum())(X)


# ---------------------------------------------------------------------------- dropping derivatives
CONVERSIONS = {
    "float": lambda x: float(x),
    "int": lambda x: int(x),
    "complex": lambda x: complex(x),
    "np.asarray": lambda x: np.asarray(x),
    "np.array": lambda x: np.array([x, x]),
    "math.sin": lambda x: __import__("math").sin(x),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("convert", CONVERSIONS.values(), ids=CONVERSIONS.keys())
def test_conversion_of_a_traced_value(mode: str, convert: Any) -> None:
    with pytest.raises(TypeError, match="derivative") as info:
        ad.grad(lambda x: convert(x) * x, mode=mode)(1.5)
    assert "stop_gradient" in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_assignment_into_a_traced_array(mode: str) -> None:
    def f(x: Any) -> Any:
        x[0] = 1.0
        return anp.sum(x)

    with pytest.raises(TypeError, match="immutable") as info:
        ad.grad(f, mode=mode)(X)
    assert "x.at[i].set(v)" in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_traced_index(mode: str) -> None:
    with pytest.raises(TypeError, match="index") as info:
        ad.grad(lambda x: x[x[0] > 0 and x[1]], mode=mode)(X)
    assert "stop_gradient" in str(info.value)


# ---------------------------------------------------------------------------- bad parameters
ARGNUM_TRANSFORMS = {
    "grad": ad.grad,
    "grad-forward": lambda f, argnums: ad.grad(f, argnums, mode="forward"),
    "value_and_grad": ad.value_and_grad,
    "jacfwd": ad.jacfwd,
    "jacrev": ad.jacrev,
    "hessian": ad.hessian,
}
BAD_ARGNUMS = {
    "out-of-range": (2, ValueError, "argnums 2 names argument 2.*2 positional"),
    "negative-out-of-range": (-3, ValueError, "argnums -3"),
    "one-of-a-tuple": ((0, 5), ValueError, r"argnums \(0, 5\) names argument 5"),
    "empty": ((), ValueError, "empty"),
    "float": (1.5, TypeError, "argnums must be an int or a tuple of ints, got 1.5"),
    "bool": (True, TypeError, "argnums must be an int or a tuple of ints, got True"),
    "string": ("0", TypeError, "argnums must be an int or a tuple of ints, got '0'"),
    "float-in-tuple": ((0, 1.0), TypeError, r"got \(0, 1.0\)"),
    "repeated": ((0, 0), ValueError, r"argnums \(0, 0\) names an argument more than once"),
    "repeated-negative": ((1, -1), ValueError, r"names an argument more than once"),
}


@pytest.mark.parametrize("transform", ARGNUM_TRANSFORMS.values(), ids=ARGNUM_TRANSFORMS.keys())
@pytest.mark.parametrize("bad", BAD_ARGNUMS.values(), ids=BAD_ARGNUMS.keys())
def test_bad_argnums(transform: Any, bad: tuple[Any, type, str]) -> None:
    argnums, error, pattern = bad
    with pytest.raises(error, match=pattern):
        transform(lambda x, y: anp.sum(x * y), argnums)(X, X)


@pytest.mark.parametrize("transform", [ad.grad, ad.value_and_grad], ids=["grad", "value_and_grad"])
@pytest.mark.parametrize("mode", ["sideways", "Forward", None])
def test_bad_mode(transform: Any, mode: Any) -> None:
    with pytest.raises(ValueError, match="'reverse' or 'forward'.*" + re.escape(repr(mode))):
        transform(lambda x: x, mode=mode)


@pytest.mark.parametrize("chunk_size", [0, -1, 2.5, "3"])
def test_bad_chunk_size(chunk_size: Any) -> None:
    with pytest.raises(
        ValueError, match="chunk_size must be a positive integer.*" + str(chunk_size)
    ):
        ad.jacfwd(lambda x: x, chunk_size=chunk_size)


def test_bool_chunk_size() -> None:
    with pytest.raises(ValueError, match="chunk_size must be a positive integer"):
        ad.jacfwd(lambda x: x, chunk_size=True)


@pytest.mark.parametrize(
    "call",
    [
        lambda f: ad.grad(f, has_aux=True)(X),
        lambda f: ad.grad(f, has_aux=True, mode="forward")(X),
        lambda f: ad.jacfwd(f, has_aux=True)(X),
        lambda f: ad.jacrev(f, has_aux=True)(X),
        lambda f: ad.jvp(f, (X,), (X,), has_aux=True),
        lambda f: ad.vjp(f, X, has_aux=True),
    ],
    ids=["grad", "grad-forward", "jacfwd", "jacrev", "jvp", "vjp"],
)
def test_has_aux_needs_a_pair(call: Any) -> None:
    with pytest.raises(
        ValueError, match=r"has_aux=True\) needs the function to return a pair.*got float64"
    ):
        call(lambda x: anp.sum(x))


# ------------------------------------------------------------------- a function without return
@pytest.mark.parametrize("transform", [ad.grad, ad.value_and_grad], ids=["grad", "value_and_grad"])
@pytest.mark.parametrize("mode", MODES)
def test_grad_of_a_function_that_returns_none(transform: Any, mode: str) -> None:
    def loss(x: Any) -> None:
        anp.sum(x**2)  # the `return` is missing

    with pytest.raises(TypeError, match=r"returned None.*`return`"):
        transform(loss, mode=mode)(X)


# --------------------------------------------------------------------- a traced value escapes
ESCAPING_TRANSFORMS = {
    "grad": lambda f: ad.grad(f)(1.5),
    "grad-forward": lambda f: ad.grad(f, mode="forward")(1.5),
    "jacfwd": lambda f: ad.jacfwd(f)(1.5),
    "jacrev": lambda f: ad.jacrev(f)(1.5),
    "jvp": lambda f: ad.jvp(f, (1.5,), (1.0,)),
    "vjp": lambda f: ad.vjp(f, 1.5),
}


@pytest.mark.parametrize("transform", ESCAPING_TRANSFORMS.values(), ids=ESCAPING_TRANSFORMS)
@pytest.mark.parametrize("later", ["plain", "in-a-new-grad", "in-a-new-forward-grad"])
def test_a_traced_value_used_after_its_transform(transform: Any, later: str) -> None:
    """A traced value kept by a side effect is refused afterwards (JAX raises
    UnexpectedTracerError) instead of giving a traced object or a wrong derivative."""
    leaked: list[Any] = []
    transform(lambda a: leaked.append(a * 2.0) or a * a)
    use = {
        "plain": lambda: leaked[0] + 1.0,
        "in-a-new-grad": lambda: ad.grad(lambda y: leaked[0] * y)(2.0),
        "in-a-new-forward-grad": lambda: ad.grad(lambda y: leaked[0] * y, mode="forward")(2.0),
    }[later]
    with pytest.raises(ad.UnexpectedTracerError, match=r"escaped.*Return it from the function"):
        use()


def test_an_array_of_another_library_is_named() -> None:
    with pytest.raises(TypeError, match=r"jaxlib.*another library.*np\.asarray\(x\)"):
        ad.grad(lambda a: a * a)(jnp.array(2.0))


def test_hvp_wants_tuples() -> None:
    with pytest.raises(TypeError, match=r"hvp takes primals and tangents as tuples"):
        ad.hvp(lambda x: anp.sum(x**3), X, X)


def test_jvp_wants_primals_and_tangents_of_one_structure_as_jax() -> None:
    """A tuple of primals with a list of tangents is a TypeError in JAX; lists for both work."""
    for jvp in (ad.jvp, jax.jvp):
        with pytest.raises(TypeError, match="tree structure"):
            jvp(lambda x: x * x, (3.0,), [1.0])
        with pytest.raises(TypeError, match="tree structure"):
            jvp(lambda x: x * x, [3.0], (1.0,))
    assert ad.jvp(lambda x: x * x, [3.0], [1.0]) == tuple(jax.jvp(lambda x: x * x, [3.0], [1.0]))


# ---------------------------------------------------------------------------- axes out of range
X23 = np.arange(6.0).reshape(2, 3)
BAD_AXES = {  # function of (m, x) for a 2-D x: NumPy's error, never an axis wrapped around
    "transpose": (lambda m, x: m.transpose(x, (3, 0)), "out of bounds"),
    "transpose-method": (lambda m, x: x.transpose(2, 1), "out of bounds"),
    "transpose-repeated": (lambda m, x: m.transpose(x, (0, 0)), "repeated axis"),
    "transpose-too-few": (lambda m, x: m.transpose(x, (0,)), "axes"),
    "expand_dims": (lambda m, x: m.expand_dims(x, 5), "out of bounds"),
    "expand_dims-repeated": (lambda m, x: m.expand_dims(x, (0, 0)), "repeated axis"),
    "swapaxes": (lambda m, x: m.swapaxes(x, 0, 5), "out of bounds"),
    "tensordot": (lambda m, x: m.tensordot(x, x, axes=([3], [0])), "out of bounds"),
    "concatenate": (lambda m, x: m.concatenate([x, x], axis=2), "out of bounds"),
    "sum-repeated": (lambda m, x: m.sum(x, axis=(1, -1)), "repeated axis|duplicate value"),
    "rot90": (lambda m, x: m.rot90(x, 1, (0, 2)), "out of bounds|out of range"),
    "squeeze-size-not-one": (lambda m, x: m.squeeze(x, 0), "squeeze out.*size not equal to one"),
}


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", BAD_AXES)
def test_axes_out_of_range_or_repeated(mode: str, name: str) -> None:
    """A ValueError (NumPy's AxisError is one) for traced and plain values, as NumPy raises."""
    fn, message = BAD_AXES[name]
    jacobian = ad.jacrev if mode == "reverse" else ad.jacfwd
    with pytest.raises(ValueError, match=message):
        jacobian(lambda x: fn(anp, x))(X23)
    with pytest.raises(ValueError, match=message):
        fn(anp, X23)
    with pytest.raises((ValueError, IndexError)):  # NumPy's tensordot: an IndexError
        fn(np, X23)


# ---------------------------------------------------------------------------- NumPy's keywords
@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    "call",
    [
        lambda x: np.exp(x, where=x > 1.0, out=np.zeros(3)),
        lambda x: np.add(x, 1.0, dtype=np.float32),
    ],
    ids=["exp-where-out", "add-dtype"],
)
def test_ufunc_keywords_on_a_traced_value(mode: str, call: Any) -> None:
    """The keyword is named as unsupported (the ufunc itself has a rule)."""
    with pytest.raises(TypeError, match=r"on a traced value: admodes supports none") as info:
        ad.grad(lambda x: anp.sum(call(x)), mode=mode)(X)
    assert "no admodes rule" not in str(info.value)


@pytest.mark.parametrize("mode", MODES)
def test_item_of_a_traced_value(mode: str) -> None:
    """``x.item()`` would drop the derivative: the error ``float(x)`` gives."""
    with pytest.raises(TypeError, match="would drop its derivative") as info:
        ad.grad(lambda x: x[0].item() * x[1], mode=mode)(X)
    assert "stop_gradient" in str(info.value)


BAD_KEYWORDS = {  # call: (error, message)
    "reshape-order-A": (lambda: anp.reshape(X, (3, 1), order="A"), NotImplementedError, "'A'"),
    "ravel-order-K": (lambda: anp.ravel(X, order="K"), NotImplementedError, "'K'"),
    "reshape-order-Z": (lambda: anp.reshape(X, (3, 1), order="Z"), ValueError, "order must"),
    "reshape-both-names": (
        lambda: anp.reshape(X, (3, 1), newshape=(1, 3)),
        TypeError,
        "shape= or .* newshape=",
    ),
    "reshape-no-shape": (lambda: anp.reshape(X), TypeError, "missing the new shape"),
    "clip-both-names": (lambda: anp.clip(X, 0.0, min=1.0), TypeError, "min= or .* a_min="),
    "var-both-names": (lambda: anp.var(X, ddof=1, correction=1), ValueError, "ddof and correction"),
    "full-traced-int": (
        lambda: ad.grad(lambda s: anp.sum(anp.full(2, s, dtype=int)))(1.0),
        TypeError,
        "float",
    ),
}


@pytest.mark.parametrize("name", BAD_KEYWORDS)
def test_bad_numpy_keywords(name: str) -> None:
    call, error, message = BAD_KEYWORDS[name]
    with pytest.raises(error, match=message):
        call()


# ---------------------------------------------------------------------------- JAX's other names
@pytest.mark.parametrize(
    ("name", "instead"),
    [
        ("remat", "admodes.checkpoint"),
        ("jacobian", "admodes.jacrev"),
        ("jit", "call the function itself"),
        ("tree_util", "admodes.tree"),
    ],
)
def test_a_jax_name_admodes_spells_otherwise_says_what_to_use(name: str, instead: str) -> None:
    """Code ported from JAX that reaches for a name JAX has and admodes spells otherwise (or
    leaves out) is told what to write instead; the name given exists."""
    assert hasattr(jax, name)
    with pytest.raises(AttributeError, match=f"no attribute '{name}'; .*{re.escape(instead)}"):
        getattr(ad, name)
    if instead.startswith("admodes."):
        assert hasattr(ad, instead.removeprefix("admodes."))
