"""JAX's keyword arguments against JAX: ``allow_int`` (grad, value_and_grad, jacrev; vjp, jvp
and linearize take integer primals always), ``nondiff_argnames`` (custom_jvp, custom_vjp) and
``static_argnums`` / ``static_argnames`` (checkpoint)."""

from __future__ import annotations

import inspect
from functools import partial
from types import SimpleNamespace
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, assert_close, counted

import admodes as ad
import admodes.numpy as anp

LIBS = {"admodes": SimpleNamespace(lib=ad, m=anp), "jax": SimpleNamespace(lib=jax, m=jnp)}


def both(make: Any) -> tuple[Any, Any]:
    """``make(side)`` for admodes and for JAX."""
    return make(LIBS["admodes"]), make(LIBS["jax"])


def assert_like_jax(got: Any, want: Any) -> None:
    """Same structure, and each leaf the same dtype and shape as JAX's (float0 leaves hold no
    numbers); the numbers of the others close to JAX's."""
    g_leaves, g_def = jax.tree_util.tree_flatten(got)
    w_leaves, w_def = jax.tree_util.tree_flatten(want)
    assert g_def == w_def, f"structure {g_def} != {w_def}"
    for g, w in zip(g_leaves, w_leaves, strict=True):
        w = np.asarray(w)
        assert np.asarray(g).dtype == w.dtype and np.shape(g) == w.shape, (g, w)
        if w.dtype != jax.dtypes.float0:
            assert_close(g, w)


# ------------------------------------------------------------------------------------ allow_int
@pytest.mark.parametrize(
    "name", ["grad", "value_and_grad", "jacrev", "jacfwd", "hessian", "vjp", "jvp"]
)
def test_allow_int_where_jax_has_it(name: str) -> None:
    """allow_int is a parameter of exactly the transforms whose JAX versions have it."""
    has = {
        lib: "allow_int" in inspect.signature(getattr(lib, name)).parameters for lib in (ad, jax)
    }
    assert has[ad] == has[jax]


def test_float0_is_jax() -> None:
    assert ad.float0 == jax.dtypes.float0 == jax.float0
    assert np.zeros((2, 3), ad.float0).nbytes == 0


def _mixed(m: Any, x: Any, n: Any, tree: dict) -> Any:
    """A float argument, an integer one and a pytree of floats, integers and bools."""
    w = m.where(tree["mask"], tree["w"], 0.5 * tree["w"])
    return m.sum(m.sin(x) * n) * tree["s"] + m.sum(w**2) * tree["k"]


MIXED_ARGS = (
    np.array([0.3, -1.2, 0.7]),
    np.arange(1, 4),
    {"s": 0.8, "k": np.int32(3), "w": np.array([1.5, -0.4]), "mask": np.array([True, False])},
)

ALLOW_INT = {  # (function of (m, *args), args, argnums)
    "int scalar": (lambda m, x, n: x * n, (2.0, 3), (0, 1)),
    "int only": (lambda m, x, n: x * n, (2.0, 3), 1),
    "numpy int32": (lambda m, x, n: m.sin(x) * n, (0.4, np.int32(-2)), (0, 1)),
    "bool": (lambda m, x, b: m.where(b, x * x, x), (1.5, True), (0, 1)),
    "int array": (lambda m, x, n: m.sum(m.cos(x) * n), (np.ones(3), np.arange(3)), (0, 1)),
    "uint8 array": (lambda m, x, n: m.sum(x * n), (np.ones(2), np.array([4, 5], np.uint8)), 1),
    "bool array": (
        lambda m, x, b: m.sum(m.where(b, x, -x)),
        (np.ones(2), np.array([True, False])),
        (1, 0),
    ),
    "int as an index": (lambda m, x, i: x[i] * x[0], (np.array([1.0, 2.0, 3.0]), 2), (0, 1)),
    "pytree": (_mixed, MIXED_ARGS, (0, 1, 2)),
    "pytree alone": (_mixed, MIXED_ARGS, 2),
}
ALLOW_INT_CASES = [pytest.param(*case, id=name) for name, case in ALLOW_INT.items()]


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(("fn", "args", "argnums"), ALLOW_INT_CASES)
def test_grad_allow_int_matches_jax(mode: str, fn: Any, args: tuple, argnums: Any) -> None:
    """Integer and bool leaves are constants; their gradient is float0 zeros of their shape,
    JAX's, in both modes; the float leaves' gradients are JAX's."""
    got = ad.grad(partial(fn, anp), argnums, allow_int=True, mode=mode)(*args)
    assert_like_jax(got, jax.grad(partial(fn, jnp), argnums, allow_int=True)(*args))


@pytest.mark.parametrize("mode", MODES)
def test_value_and_grad_allow_int_with_aux_matches_jax(mode: str) -> None:
    def make(m: Any) -> Any:
        return lambda *args: (_mixed(m, *args), {"n": args[1]})

    got = ad.value_and_grad(make(anp), (0, 1, 2), True, mode=mode, allow_int=True)(*MIXED_ARGS)
    want = jax.value_and_grad(make(jnp), (0, 1, 2), True, allow_int=True)(*MIXED_ARGS)
    assert_like_jax(got, want)


def test_allow_int_inside_another_transform_matches_jax() -> None:
    """An inner grad with allow_int, its float argument traced by the outer grad."""

    def outer(m: Any, lib: Any) -> Any:
        def f(x: Any) -> Any:
            inner = lib.grad(lambda y, n: m.sin(y * x) * n, (0, 1), allow_int=True)(x, 3)
            return inner[0] * x

        return f

    for mode in MODES:
        assert_like_jax(ad.grad(outer(anp, ad), mode=mode)(0.7), jax.grad(outer(jnp, jax))(0.7))


JACREV_ALLOW_INT = {  # no bool: JAX's jacrev raises for one (below)
    **{k: ALLOW_INT[k] for k in ("int scalar", "int only", "numpy int32", "int array")},
    "pytree": (
        lambda m, x, t: m.sum(m.sin(x) * t["n"]) * t["s"],
        (np.ones(2), {"n": np.arange(2), "s": 0.5, "k": np.int32(2)}),
        (0, 1),
    ),
}


@pytest.mark.parametrize("chunk_size", [None, 1])
@pytest.mark.parametrize(
    ("fn", "args", "argnums"),
    [pytest.param(*case, id=name) for name, case in JACREV_ALLOW_INT.items()],
)
def test_jacrev_allow_int_matches_jax(
    fn: Any, args: tuple, argnums: Any, chunk_size: int | None
) -> None:
    """jacrev's blocks of integer inputs are zeros in the input's dtype (JAX's jacrev casts each
    block to its input's dtype), of shape out.shape + in.shape."""

    def vector(m: Any) -> Any:
        return lambda *a: m.stack([fn(m, *a), 2.0 * fn(m, *a) ** 2])

    got = ad.jacrev(vector(anp), argnums, chunk_size=chunk_size, allow_int=True)(*args)
    assert_like_jax(got, jax.jacrev(vector(jnp), argnums, allow_int=True)(*args))


def test_jacrev_allow_int_of_a_bool_gives_bool_zeros() -> None:
    """A bool input's block: zeros in its dtype, the same rule as an integer's (JAX's jacrev
    raises there, failing to cast float0 to bool)."""
    fn, args, _ = ALLOW_INT["bool array"]
    jac = ad.jacrev(lambda x, b: anp.stack([fn(anp, x, b)] * 3), (0, 1), allow_int=True)(*args)
    assert jac[1].dtype == np.bool_ and jac[1].shape == (3, 2) and not jac[1].any()


def test_vjp_takes_integer_primals_as_jax() -> None:
    """vjp holds integer and bool primals constant, as JAX's: float0 cotangents; batched, with
    the batch axis in front."""
    fn, args, _ = ALLOW_INT["pytree"]
    out, vjp_fn = ad.vjp(partial(fn, anp), *args)
    want_out, jax_vjp_fn = jax.vjp(partial(fn, jnp), *args)
    assert_close(out, want_out)
    assert_like_jax(vjp_fn(1.5), jax_vjp_fn(1.5))
    rows = vjp_fn(np.array([1.0, 2.0]), batched=True)
    assert_like_jax(rows, jax.vmap(jax_vjp_fn)(np.array([1.0, 2.0])))


def test_vjp_takes_float0_cotangents_of_integer_outputs_as_jax() -> None:
    """The cotangent of an integer or bool output may be float0 zeros (what jvp gives as its
    tangent), or zeros of the output's dtype, as in JAX; batched, with the batch axis in front."""
    x, n, flags = np.array([0.5, -1.0]), np.arange(3), np.array([True, False])
    out, vjp_fn = ad.vjp(lambda x: _counts_and_flags(anp, x, n, flags), x)
    want_out, jax_vjp_fn = jax.vjp(lambda x: _counts_and_flags(jnp, x, n, flags), x)
    assert_close(out, want_out)
    g = np.array([1.5, -2.0])
    for zeros in (np.zeros(3, ad.float0), np.zeros(3, np.int64)):
        cotangent = (g, zeros, np.zeros(2, ad.float0))
        assert_like_jax(vjp_fn(cotangent), jax_vjp_fn(cotangent))
    rows = (np.stack([g, 2 * g]), np.zeros((2, 3), ad.float0), np.zeros((2, 2), ad.float0))
    assert_like_jax(vjp_fn(rows, batched=True), jax.vmap(jax_vjp_fn)(rows))
    with pytest.raises(ValueError, match="cotangent leaf 1 has shape"):
        vjp_fn((g, np.zeros(2, ad.float0), np.zeros(2, ad.float0)))


def _counts_and_flags(m: Any, x: Any, n: Any, flags: Any) -> tuple:
    """A float output that depends on an integer count, an integer output and a bool one."""
    return x * m.sum(n) + m.sin(x), n * 2, flags


@pytest.mark.parametrize("transform", ["jvp", "linearize"])
def test_jvp_and_linearize_take_integer_primals_as_jax(transform: str) -> None:
    """An integer or bool primal takes a float0 tangent and is a constant; an integer or bool
    output gets a float0 tangent, as in JAX's jvp and linearize."""
    primals = (np.array([0.5, -1.0]), np.arange(3), np.array([True, False]))
    tangents = (np.array([1.0, 2.0]), np.zeros(3, ad.float0), np.zeros(2, ad.float0))

    def run(side: SimpleNamespace) -> tuple:
        fn = partial(_counts_and_flags, side.m)
        if transform == "jvp":
            return side.lib.jvp(fn, primals, tangents)
        out, f_jvp = side.lib.linearize(fn, *primals)
        return out, f_jvp(*tangents)

    (out, tangent), (want_out, want_tangent) = both(run)
    assert_close(out, want_out)
    assert_like_jax(tangent, want_tangent)


@pytest.mark.parametrize("transform", ["jvp", "linearize"])
def test_an_integer_primal_needs_a_float0_tangent_as_jax(transform: str) -> None:
    def call(lib: Any) -> Any:
        fn = lambda x, n: x * n
        if transform == "jvp":
            return lib.jvp(fn, (2.0, 3), (1.0, 0))
        return lib.linearize(fn, 2.0, 3)[1](1.0, 0)

    with pytest.raises(TypeError, match=r"primal leaf 1 is an integer.*float0"):
        call(ad)
    # JAX's linearize raises ValueError for it, its jvp TypeError; admodes TypeError in both
    with pytest.raises(TypeError if transform == "jvp" else ValueError, match="float0"):
        call(jax)


@pytest.mark.parametrize("transform", ["grad", "value_and_grad", "jacrev"])
@pytest.mark.parametrize("value", [3, np.arange(2), np.array([True])], ids=["int", "ints", "bool"])
def test_integer_input_without_allow_int_is_refused_as_jax(transform: str, value: Any) -> None:
    """Without allow_int an integer input raises TypeError, as JAX's, and the message points to
    allow_int=True."""
    f = getattr(ad, transform)(lambda x, n: x * anp.sum(n), argnums=(0, 1))
    with pytest.raises(TypeError, match=r"argument 1 .*allow_int=True"):
        f(1.0, value)
    with pytest.raises(TypeError, match="allow_int"):
        getattr(jax, transform)(lambda x, n: x * jnp.sum(n), argnums=(0, 1))(1.0, value)


def test_holomorphic_refuses_integer_inputs_even_with_allow_int() -> None:
    """holomorphic=True needs complex inputs, as in JAX, allow_int or not."""
    with pytest.raises(TypeError, match="holomorphic=True requires complex inputs"):
        ad.grad(lambda z, n: z * n, (0, 1), holomorphic=True, allow_int=True)(1j, 2)
    with pytest.raises(TypeError, match="holomorphic=True requires inputs with complex dtype"):
        jax.grad(lambda z, n: z * n, (0, 1), holomorphic=True, allow_int=True)(1j, 2)


# ------------------------------------------------------------------------------ nondiff_argnames
@pytest.mark.parametrize("name", ["custom_jvp", "custom_vjp"])
def test_nondiff_argnames_is_jax_signature(name: str) -> None:
    params = [list(inspect.signature(getattr(lib, name)).parameters) for lib in (ad, jax)]
    assert params[0] == params[1]


def _scaled_jvp(side: SimpleNamespace) -> Any:
    """fn(x)·n + y·x, nondiff fn (by position) and n (by name); the rule's slope in x is
    3·n + y (not the body's, so a transform that ignored the rule would fail)."""

    @partial(side.lib.custom_jvp, nondiff_argnums=(0,), nondiff_argnames=("n",))
    def f(fn: Any, x: Any, n: int, y: Any = 2.0) -> Any:
        return fn(x) * n + y * x

    @f.defjvp
    def f_jvp(fn: Any, n: int, primals: tuple, tangents: tuple) -> tuple:
        (x, y), (tx, ty) = primals, tangents
        return f(fn, x, n, y), (3.0 * n + y) * tx + x * ty

    return f


def test_nondiff_argnames_positions_are_jax() -> None:
    fa, fj = both(_scaled_jvp)
    assert fa.nondiff_argnums == tuple(fj.nondiff_argnums) == (0, 2)
    both_ways = partial(ad.custom_jvp, nondiff_argnums=(1,), nondiff_argnames=("n",))
    assert both_ways(lambda x, n: x).nondiff_argnums == (1,)  # one position, once


CALLS = {  # the same call written four ways: (fn, x, n, y)
    "positional": lambda f, m, x, y: f(m.sin, x, 4, y),
    "keywords": lambda f, m, x, y: f(m.sin, x, n=4, y=y),
    "all keywords": lambda f, m, x, y: f(y=y, n=4, x=x, fn=m.sin),
    "default y": lambda f, m, x, y: f(m.sin, x, 4) * y,
}


@pytest.mark.parametrize("call", CALLS.values(), ids=CALLS.keys())
def test_custom_jvp_nondiff_argnames_matches_jax(call: Any) -> None:
    """Names and positions together, the call's keywords resolved by the signature and
    defaults filled in, as JAX: grad in both modes, jacfwd and jacrev."""
    fa, fj = both(_scaled_jvp)
    x, y = np.array([0.3, -0.8]), np.array([1.5, 0.5])

    def total(f: Any, m: Any) -> Any:
        return lambda x, y: m.sum(call(f, m, x, y))

    want = jax.grad(total(fj, jnp), (0, 1))(x, y)
    for mode in MODES:
        assert_close(ad.grad(total(fa, anp), (0, 1), mode=mode)(x, y), want)
    for transform in ("jacfwd", "jacrev"):
        assert_close(
            getattr(ad, transform)(lambda x, y: call(fa, anp, x, y), (0, 1))(x, y),
            getattr(jax, transform)(lambda x, y: call(fj, jnp, x, y), (0, 1))(x, y),
        )


def _clipped_vjp(side: SimpleNamespace) -> Any:
    """fn(x)·scale, nondiff scale and fn by name; the cotangent is clipped to [-1, 1]·scale."""

    @partial(side.lib.custom_vjp, nondiff_argnames=("fn", "scale"))
    def g(x: Any, scale: float, fn: Any) -> Any:
        return fn(x) * scale

    def fwd(x: Any, scale: float, fn: Any) -> tuple:
        return g(x, scale, fn), None

    def bwd(scale: float, fn: Any, res: Any, ct: Any) -> tuple:
        return (side.m.clip(ct, -1.0, 1.0) * scale,)

    g.defvjp(fwd, bwd)
    return g


def test_custom_vjp_nondiff_argnames_matches_jax() -> None:
    ga, gj = both(_clipped_vjp)
    assert ga.nondiff_argnums == tuple(gj.nondiff_argnums) == (1, 2)
    x = np.array([0.3, -0.8, 2.0])
    w = np.array([0.5, 3.0, -2.0])
    assert_close(
        ad.grad(lambda x: anp.sum(ga(x, fn=anp.tanh, scale=2.0) * w))(x),
        jax.grad(lambda x: jnp.sum(gj(x, fn=jnp.tanh, scale=2.0) * w))(x),
    )
    assert_close(
        ad.jacrev(lambda x: ga(x, 2.0, anp.tanh))(x), jax.jacrev(lambda x: gj(x, 2.0, jnp.tanh))(x)
    )


def test_nondiff_argnames_errors() -> None:
    """A name of no positional parameter raises ValueError (JAX ignores it); a name that is not
    a string, TypeError; a traced argument named there, TypeError (as by position)."""
    with pytest.raises(ValueError, match=r"nondiff_argnames names \['m'\].*\['x', 'n'\]"):
        ad.custom_jvp(lambda x, n: x, nondiff_argnames=("m",))
    with pytest.raises(ValueError, match="nondiff_argnames names"):
        ad.custom_vjp(lambda x, *, n: x, nondiff_argnames="n")  # keyword-only
    with pytest.raises(TypeError, match="parameter name or names"):
        ad.custom_jvp(lambda x, n: x, nondiff_argnames=(1,))
    f = ad.custom_jvp(lambda x, n: x * n, nondiff_argnames="n")
    f.defjvp(lambda n, p, t: (f(p[0], n), n * t[0]))
    traced = r"argument 1 is in nondiff_argnums \(or named in nondiff_argnames\) but is traced"
    with pytest.raises(TypeError, match=traced):
        ad.grad(lambda x: f(x, n=x))(1.0)


def test_keyword_only_parameter_keeps_its_default() -> None:
    """A keyword-only parameter not given keeps its default, as in JAX, though other arguments
    come by keyword; given, it cannot take a position (TypeError, as JAX)."""

    def make(side: SimpleNamespace) -> Any:
        @side.lib.custom_jvp
        def f(x: Any, *, k: float = 2.0) -> Any:
            return x * k

        f.defjvp(lambda p, t: (f(*p), 5.0 * t[0]))
        return f

    fa, fj = both(make)
    assert_close(ad.grad(lambda x: fa(x=x))(1.0), jax.grad(lambda x: fj(x=x))(1.0))
    with pytest.raises(TypeError, match="keyword-only"):
        ad.grad(lambda x: fa(x, k=3.0))(1.0)
    with pytest.raises(TypeError, match="could not be resolved"):
        jax.grad(lambda x: fj(x, k=3.0))(1.0)


# ------------------------------------------------------------------------------------ checkpoint
def test_checkpoint_signature_is_jax_without_concrete() -> None:
    """JAX's keyword-only parameters, but its deprecated ``concrete``."""
    params = [inspect.signature(lib.checkpoint).parameters for lib in (ad, jax)]
    assert list(params[0]) == [p for p in params[1] if p != "concrete"]


def _steps(x: Any, n: int, act: Any, *, scale: float = 1.0) -> Any:
    """n steps of act, a Python loop over the static n with the static function act."""
    for _ in range(n):
        x = act(x) * scale + 0.1 * x
    return x


@pytest.mark.parametrize(
    ("static_argnums", "static_argnames"), [((1, 2), "scale"), ((-1, 1), ("scale",)), ((2, 1), ())]
)
def test_checkpoint_static_arguments_match_jax(
    static_argnums: Any, static_argnames: Any, rng: np.random.Generator
) -> None:
    """Static positional arguments reach the function as given (an int steering a loop, a
    function), while the checkpoint still re-runs it: gradients are JAX's."""
    x, w = rng.standard_normal(3), rng.standard_normal(3)
    keywords = {"static_argnums": static_argnums, "static_argnames": static_argnames}

    def loss(lib: Any, m: Any) -> Any:
        piece = lib.checkpoint(_steps, **keywords)
        return lambda x, w, s: m.sum(piece(x, 3, m.sin, scale=s) * w)

    got = ad.grad(loss(ad, anp), (0, 1, 2))(x, w, 1.2)
    assert_close(got, jax.grad(loss(jax, jnp), (0, 1, 2))(x, w, 1.2))


def test_checkpoint_with_static_arguments_reruns_the_piece() -> None:
    """The backward sweep re-runs the piece once, as without static arguments: the primal phase
    is that of no checkpoint and the vjp phase gains the piece's work (by hand: 4 steps of
    (tanh, ×scale, 0.1×, +) = 16 ops)."""
    x, w = np.array([0.3, -0.2]), np.array([1.0, 2.0])
    piece = ad.checkpoint(_steps, static_argnums=(1, 2))

    def loss(f: Any) -> Any:
        return lambda x: anp.sum(f(x, 4, anp.tanh, scale=0.9) * w)

    plain = counted(lambda: ad.grad(loss(_steps))(x))
    ckpt = counted(lambda: ad.grad(loss(piece))(x))
    assert ckpt.by_phase["primal"] == plain.by_phase["primal"]
    assert ckpt.by_phase["vjp"]["ops"] == plain.by_phase["vjp"]["ops"] + 16
    assert_close(ad.grad(loss(piece))(x), ad.grad(loss(_steps))(x))


@pytest.mark.parametrize("mode", MODES)
def test_checkpoint_traced_static_argument_is_differentiated_as_jax(mode: str) -> None:
    """A traced value passed in a static position is closed over, and still differentiated, as
    JAX's is."""

    def f(lib: Any) -> Any:
        piece = lib.checkpoint(lambda a, b: a * b * b, static_argnums=1)
        return lambda x: piece(x, 3.0 * x)

    assert_close(ad.grad(f(ad), mode=mode)(0.3), jax.grad(f(jax))(0.3))


def test_checkpoint_static_argument_errors() -> None:
    """JAX's checks: static_argnums an int or a tuple of ints (TypeError), within the call's
    positional arguments (ValueError); static_argnames names (TypeError otherwise)."""
    with pytest.raises(TypeError, match="must be an int or a tuple of ints, got \\[1\\]"):
        ad.checkpoint(anp.sin, static_argnums=[1])
    with pytest.raises(TypeError, match="static_argnames must be a parameter name"):
        ad.checkpoint(anp.sin, static_argnames=3)
    piece = ad.checkpoint(lambda a, b: a * b, static_argnums=(2,))
    with pytest.raises(ValueError, match=r"got \(2,\), while len\(args\) = 2"):
        ad.grad(lambda x: piece(x, 2.0))(1.0)
    with pytest.raises(ValueError, match=r"got \(2,\), while `len\(args\)` = 2"):
        jax.grad(lambda x: jax.checkpoint(lambda a, b: a * b, static_argnums=(2,))(x, 2.0))(1.0)


#: JAX calls with keywords that tune its compiler or accelerators: admodes takes them, with JAX's
#: results (one CPU process, NumPy's full precision). call(side) -> a value.
TUNING_KEYWORDS = {
    "dot_general-Precision": lambda s: s.lib.lax.dot_general(
        X23, X23.T, (((1,), (0,)), ((), ())), precision=s.lib.lax.Precision.HIGHEST
    ),
    "matmul-Precision": lambda s: s.m.matmul(X23, X23.T, precision=s.lib.lax.Precision.HIGH),
    "cond-operand": lambda s: s.lib.lax.cond(False, s.m.sin, s.m.cos, operand=0.3),
    "switch-operand": lambda s: s.lib.lax.switch(1, [s.m.sin, s.m.cos, s.m.tan], operand=0.3),
    "vmap-spmd_axis_name": lambda s: s.lib.vmap(s.m.sin, spmd_axis_name="data")(X23),
    "defvjp-optimize_remat": lambda s: s.lib.grad(_custom_sin(s, optimize_remat=True))(0.3),
    "defjvp-symbolic_zeros": lambda s: s.lib.grad(_custom_product(s), argnums=1)(0.3, 2.0),
}
X23 = np.arange(6.0).reshape(2, 3) / 7


def _custom_sin(s: Any, **keywords: Any) -> Any:
    """sin with a custom_vjp rule defined with ``keywords``."""
    f = s.lib.custom_vjp(s.m.sin)
    f.defvjp(lambda x: (s.m.sin(x), x), lambda x, g: (g * s.m.cos(x),), **keywords)
    return f


def _custom_product(s: Any) -> Any:
    """x·y with a custom_jvp rule for symbolic zeros: a zero tangent of x (JAX's SymbolicZero,
    admodes' zeros) takes the rule's shortcut in JAX only; both give the same tangent."""
    f = s.lib.custom_jvp(lambda x, y: x * y)

    def rule(primals: tuple, tangents: tuple) -> tuple:
        (x, y), (tx, ty) = primals, tangents
        if isinstance(tx, jax.custom_derivatives.SymbolicZero):
            return x * y, x * ty
        return x * y, tx * y + x * ty

    f.defjvp(rule, symbolic_zeros=True)
    return f


@pytest.mark.parametrize("name", TUNING_KEYWORDS)
def test_tuning_keywords_are_taken_with_jaxs_results(name: str) -> None:
    ours, theirs = both(TUNING_KEYWORDS[name])
    assert_close(ours, np.asarray(theirs))


def test_symbolic_zeros_in_a_custom_vjp_are_refused_with_the_way_out() -> None:
    with pytest.raises(NotImplementedError, match="leave symbolic_zeros False"):
        _custom_sin(LIBS["admodes"], symbolic_zeros=True)
