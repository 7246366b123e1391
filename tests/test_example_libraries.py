"""``admodes.example_libraries`` (``optimizers``, ``stax``) against ``jax.example_libraries``.

Optimizers: 20 steps of each on a dict of a matrix and a vector minimizing a quadratic plus
sines, admodes with ``ad.grad``'s gradients and JAX with ``jax.grad``'s, agree to 1e-14; given
the same gradients, every state is JAX's (eager) bit for bit, in float64 and float32. Schedules
give JAX's numbers exactly. Stax: a CNN, an MLP and networks of every other layer and
combinator give JAX's initial parameters bit for bit for the same key (an admodes key, a legacy
JAX key, or ``key_data`` of a typed one), JAX's outputs to 1e-13 and gradients of a loss to 1e-12
in both modes; Dropout draws JAX's mask. JAX's reference outputs and gradients are compiled once
per network (``jax.jit``); its initializations and optimizer updates run eagerly, as a JAX
script runs them, since those are compared bit for bit."""

from __future__ import annotations

import functools
import pickle
from collections.abc import Callable
from typing import Any

import jax
import jax.numpy as jnp
import numpy as np
import pytest
from conftest import MODES, assert_close, assert_exact
from jax.example_libraries import optimizers as jax_optimizers
from jax.example_libraries import stax as jax_stax

import admodes as ad
import admodes.numpy as anp
import admodes.random as arandom
from admodes.example_libraries import optimizers, stax

STEPS = 20
RTOL_TRAJECTORY = 1e-14
RTOL_APPLY = 1e-13
RTOL_GRAD = 1e-12


# ---------------------------------------------------------------------------- stax
# Stax first: its networks are the slowest to set up (JAX's eager initializations), so under
# pytest-xdist one worker starts on them while the other runs the optimizers.
# The networks share their widths (4) and so most of their parameters' shapes: JAX compiles its
# initializers once per shape.
def _cnn(s: Any) -> Any:
    return s.serial(
        s.Conv(4, (3, 3), padding="SAME"), s.Relu, s.BatchNorm(),
        s.MaxPool((2, 2), strides=(2, 2)), s.Flatten, s.Dense(4), s.LogSoftmax,
    )  # fmt: skip


def _mlp(s: Any) -> Any:
    return s.serial(s.Dense(4), s.Tanh, s.Dense(4), s.Relu, s.Dense(4), s.LogSoftmax)


def _zoo(s: Any) -> Any:
    """Every other layer of NHWC images, and the combinators."""
    return s.serial(
        s.Conv(4, (3, 3), padding="SAME"), s.Elu, s.BatchNorm(center=False),
        s.ConvTranspose(4, (3, 3), strides=(2, 2), padding="SAME"), s.LeakyRelu,
        s.AvgPool((2, 2), strides=(1, 1), padding="SAME"), s.Gelu,
        s.SumPool((2, 2), strides=(2, 2)), s.Softplus,
        s.FanOut(2), s.parallel(s.Sigmoid, s.serial(s.Selu, s.Identity)), s.FanInConcat(-1),
        s.MaxPool((2, 2), strides=(2, 2)), s.Flatten, s.Dense(4), s.FanOut(2),
        s.parallel(s.Exp, s.Softmax), s.FanInSum,
    )  # fmt: skip


def _layouts(s: Any) -> Any:
    """Other layouts: a convolution with explicit padding and pooling in NCHW; a residual block
    (FanOut, parallel, FanInSum) with a layer built from its input's shape; FanInConcat on the
    batch axis."""
    block = s.serial(s.Relu, s.shape_dependent(lambda shape: s.Dense(shape[-1])))
    return s.serial(
        s.GeneralConv(("NCHW", "OIHW", "NCHW"), 4, (3, 3), padding=[(1, 1), (0, 2)]),
        s.MaxPool((2, 2), spec="NCHW"), s.AvgPool((3, 2), padding="SAME", spec="NCHW"),
        s.Flatten, s.Dense(4), s.FanOut(2), s.parallel(block, s.Identity), s.FanInSum,
        s.FanOut(2), s.parallel(s.Identity, s.Tanh), s.FanInConcat(axis=0), s.Dense(4),
    )  # fmt: skip


def _conv1d(s: Any) -> Any:
    """A 1-D transposed convolution, batch normalization over (batch, length) without scale."""
    return s.serial(
        s.Conv1DTranspose(4, (3,), strides=(2,)), s.Tanh, s.BatchNorm(axis=(0, 1), scale=False),
        s.Flatten, s.Dense(4),
    )  # fmt: skip


#: name: (network builder, input shape).
NETWORKS: dict[str, tuple[Callable[[Any], Any], tuple[int, ...]]] = {
    "cnn": (_cnn, (2, 4, 4, 1)),
    "mlp": (_mlp, (2, 4)),
    "zoo": (_zoo, (2, 4, 4, 1)),
    "layouts": (_layouts, (2, 1, 4, 4)),
    "conv1d": (_conv1d, (2, 4, 1)),
}

KEYS: dict[str, Callable[[int], Any]] = {
    "admodes": arandom.key,
    "legacy-jax": jax.random.PRNGKey,
    "jax-key-data": lambda seed: jax.random.key_data(jax.random.key(seed)),
}


def _weights(shape: tuple[int, ...]) -> np.ndarray:
    return np.linspace(1.0, 2.0, int(np.prod(shape))).reshape(shape)


def _network_loss(xp: Any, apply_fun: Callable[..., Any], params: Any, x: Any) -> Any:
    """A weighted sum of the outputs (weights 1 to 2, so terms do not cancel)."""
    out = apply_fun(params, x)
    return xp.sum(out * _weights(out.shape))


@functools.cache
def _network(name: str) -> tuple:
    """admodes' (init, apply) of a network, JAX's parameters for PRNGKey(0) (eager, as a JAX
    script makes them), an input, and JAX's output and gradients (in the parameters and the
    input), compiled once; built on first use, so each test worker builds what it tests."""
    build, shape = NETWORKS[name]
    j_init, j_apply = build(jax_stax)
    _, j_params = j_init(jax.random.PRNGKey(0), shape)
    x = np.random.default_rng(0).normal(size=shape)

    def reference(p: Any, x: Any) -> Any:
        loss = lambda p, x: _network_loss(jnp, j_apply, p, x)
        return j_apply(p, x), jax.grad(loss, (0, 1))(p, x)

    out, grads = jax.tree.map(np.asarray, jax.jit(reference)(j_params, x))
    return build(stax), jax.tree.map(np.asarray, j_params), x, out, grads


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("name", NETWORKS)
def test_init_is_jax_bit_for_bit(name: str, key: str) -> None:
    """Same key, same parameters to the last bit, same output shape (a -1 batch too)."""
    (init, _), j_params, *_ = _network(name)
    build, shape = NETWORKS[name]
    out_shape, params = init(KEYS[key](0), shape)
    assert_exact(params, j_params)
    assert jax.tree.structure(params) == jax.tree.structure(j_params)
    assert out_shape == build(jax_stax)[0](jax.random.PRNGKey(0), shape)[0]
    batchless = (-1, *shape[1:])
    ours = init(KEYS[key](0), batchless)[0]
    assert ours == build(jax_stax)[0](jax.random.PRNGKey(0), batchless)[0]


@pytest.mark.parametrize("name", NETWORKS)
def test_apply_matches_jax(name: str) -> None:
    (_, apply_fun), params, x, out, _ = _network(name)
    assert_close(apply_fun(params, x), out, rtol=RTOL_APPLY)


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", NETWORKS)
def test_gradients_match_jax(name: str, mode: str) -> None:
    """The gradient of a weighted sum of the outputs in the parameters and the input."""
    (_, apply_fun), params, x, _, grads = _network(name)
    loss = lambda p, x: _network_loss(anp, apply_fun, p, x)
    assert_close(ad.grad(loss, (0, 1), mode=mode)(params, x), tuple(grads), rtol=RTOL_GRAD)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_dropout_is_jax(dtype: Any) -> None:
    """Train mode: JAX's mask and JAX's scaled values, bit for bit (``rate`` is the probability
    of keeping an entry, as JAX's; the input a JAX array, as from a layer before, which XLA
    divides as x · (1/rate)); any other mode: the input; no key: JAX's ValueError."""
    x = np.random.default_rng(1).normal(size=(4, 5)).astype(dtype)
    for rate in (0.3, 0.7):
        _, apply_fun = stax.Dropout(rate)
        _, j_apply = jax_stax.Dropout(rate)
        out = apply_fun((), x, rng=arandom.key(5))
        assert out.dtype == dtype
        assert_exact(out, np.asarray(j_apply((), jnp.asarray(x), rng=jax.random.PRNGKey(5))))
        assert_exact(apply_fun((), x, rng=jax.random.PRNGKey(5)), out)
    assert stax.Dropout(0.5, mode="test")[1]((), x, rng=arandom.key(0)) is x
    for module in (stax, jax_stax):
        for mode in ("train", "test"):
            with pytest.raises(ValueError, match="requires apply_fun to be called with a PRNG"):
                module.Dropout(0.5, mode)[1]((), x)


def _train(s: Any, opt: Any, xp: Any, grad: Callable[..., Any], random: Any) -> Any:
    """A JAX tutorial's loop, written once for both libraries: a stax MLP with Dropout, Adam,
    a key split per step; the parameters after 5 steps."""
    init_fun, apply_fun = s.serial(s.Dense(4), s.Relu, s.Dropout(0.8), s.Dense(4), s.LogSoftmax)
    key = random.PRNGKey(0)
    key, sub = random.split(key)
    _, params = init_fun(sub, (-1, 4))
    opt_init, opt_update, get_params = opt.adam(0.01)
    x = np.linspace(-1.0, 1.0, 8).reshape(2, 4)
    y = np.eye(4)[[0, 3]]

    def loss(p: Any, rng: Any) -> Any:
        return -xp.mean(xp.sum(apply_fun(p, x, rng=rng) * y, axis=1))

    loss_grad = grad(loss)
    state = opt_init(params)
    for i in range(5):
        key, sub = random.split(key)
        state = opt_update(i, loss_grad(get_params(state), sub), state)
    return get_params(state)


@functools.cache
def _jax_training() -> Any:
    grad = lambda f: jax.jit(jax.grad(f))
    return jax.tree.map(np.asarray, _train(jax_stax, jax_optimizers, jnp, grad, jax.random))


@pytest.mark.parametrize("mode", MODES)
def test_training_loop_ported_by_rename(mode: str) -> None:
    """The same loop by both libraries: the parameters after 5 steps agree to 1e-12."""
    ours = _train(stax, optimizers, anp, lambda f: ad.grad(f, mode=mode), arandom)
    assert_close(ours, _jax_training(), rtol=RTOL_GRAD)


def test_stax_errors_where_jax_raises() -> None:
    key, x = arandom.key(0), np.ones((2, 5))
    init, apply_fun = stax.Dense(3)
    _, params = init(key, (-1, 4))
    with pytest.raises(ValueError):  # JAX: TypeError (dot_general's shapes)
        apply_fun(params, x)
    init, apply_fun = stax.Conv(2, (2, 2))
    _, params = init(key, (-1, 4, 4, 3))
    with pytest.raises(ValueError, match="feature dimension"):
        apply_fun(params, np.ones((1, 4, 4, 2)))
    with pytest.raises(TypeError, match="key_data"):  # a typed JAX key: its data, please
        stax.Dense(3)[0](jax.random.key(0), (-1, 4))
    init, apply_fun = stax.serial(stax.Dense(3), stax.Relu)
    _, params = init(key, (-1, 5))
    with pytest.raises(ValueError, match="params has 1 entries for 2 layers"):
        apply_fun(params[:1], x)
    with pytest.raises(ValueError, match="inputs has 1 entries for 2 layers"):
        stax.parallel(stax.Relu, stax.Relu)[1](((), ()), [x])
    with pytest.raises(ValueError, match="padding"):
        stax.MaxPool((2, 2), padding="FULL")[0](key, (-1, 4, 4, 3))


# ---------------------------------------------------------------------------- optimizers
def _problem(dtype: Any = np.float64) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """Initial parameters {W: (3, 2), b: (2,)} and a positive definite A for the loss."""
    rng = np.random.default_rng(7)
    params = {"W": rng.normal(size=(3, 2)).astype(dtype), "b": rng.normal(size=2).astype(dtype)}
    a = rng.normal(size=(3, 3))
    return params, (a @ a.T / 3 + np.eye(3)).astype(dtype)


def _loss(xp: Any, a: np.ndarray, params: dict[str, Any]) -> Any:
    """½⟨W, A·W⟩ + Σ sin 3W + Σ b² + Σ sin(b)·W₀: a quadratic plus sines, coupling W and b."""
    w, b = params["W"], params["b"]
    return (
        0.5 * xp.sum(w * (a @ w)) + xp.sum(xp.sin(3 * w)) + xp.sum(b**2) + xp.sum(xp.sin(b) * w[0])
    )


#: Each optimizer (some with a schedule), built from either library's module.
OPTIMIZERS: dict[str, Callable[[Any], Any]] = {
    "sgd": lambda m: m.sgd(m.exponential_decay(0.1, 5, 0.5)),
    "momentum": lambda m: m.momentum(0.05, 0.9),
    "nesterov": lambda m: m.nesterov(m.inverse_time_decay(0.05, 4, 0.5, staircase=True), 0.8),
    "adagrad": lambda m: m.adagrad(0.3),
    "rmsprop": lambda m: m.rmsprop(m.polynomial_decay(0.02, 10, 0.005, 2)),
    "rmsprop_momentum": lambda m: m.rmsprop_momentum(0.01, gamma=0.8, momentum=0.7),
    "adam": lambda m: m.adam(0.05, b2=0.99),
    "adam-piecewise": lambda m: m.adam(m.piecewise_constant([5, 12], [0.05, 0.02, 0.01])),
    "adamax": lambda m: m.adamax(0.05, b1=0.8),
    "sm3": lambda m: m.sm3(0.2, momentum=0.5),
}


@functools.cache
def _jax_gradient() -> Callable[[Any], Any]:
    """``jax.grad`` of the float64 loss, compiled once for all the optimizers."""
    _, a = _problem()
    return jax.jit(jax.grad(lambda p: _loss(jnp, a, p)))


def _leaves(opt_state: Any) -> list[np.ndarray]:
    return [np.asarray(x) for x in jax.tree.leaves(opt_state)]


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_trajectory_matches_jax(name: str) -> None:
    """20 steps from each library's own gradients: the parameters agree to 1e-14 at every step
    (the gradients themselves differ in the last bits: NumPy's and XLA's sin and sums)."""
    params, a = _problem()
    init, update, get_params = OPTIMIZERS[name](optimizers)
    j_init, j_update, j_get_params = OPTIMIZERS[name](jax_optimizers)
    grad = ad.grad(lambda p: _loss(anp, a, p))
    j_grad = _jax_gradient()
    state, j_state = init(params), j_init(params)
    for i in range(STEPS):
        state = update(i, grad(get_params(state)), state)
        j_state = j_update(i, j_grad(j_get_params(j_state)), j_state)
        expected = jax.tree.map(np.asarray, j_get_params(j_state))
        assert_close(get_params(state), expected, rtol=RTOL_TRAJECTORY)
    for x, y in zip(ad.tree.leaves(state), _leaves(j_state), strict=True):
        assert_close(np.asarray(x), y, rtol=RTOL_TRAJECTORY)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", OPTIMIZERS)
def test_same_gradients_give_jax_states_bit_for_bit(name: str, dtype: Any) -> None:
    """Given admodes' gradients, JAX's eager updates and admodes' give the same states to the
    last bit (the bias corrections' powers and the divisions by a broadcast number as XLA
    computes them), in float64 and in float32."""
    params, a = _problem(dtype)
    init, update, get_params = OPTIMIZERS[name](optimizers)
    j_init, j_update, _ = OPTIMIZERS[name](jax_optimizers)
    grad = ad.grad(lambda p: _loss(anp, a, p))
    state, j_state = init(params), j_init(params)
    for i in range(STEPS):
        g = grad(get_params(state))
        state, j_state = update(i, g, state), j_update(i, g, j_state)
        assert_exact(ad.tree.leaves(state), _leaves(j_state))
    dtypes = [np.result_type(x) for x in ad.tree.leaves(state)]
    assert dtypes == [x.dtype for x in _leaves(j_state)]  # float32 stays float32, as in JAX


@pytest.mark.parametrize("name", ["adam", "sm3"])
def test_scalar_and_3d_parameters(name: str) -> None:
    """A NumPy scalar, a 0-d array and a 3-D array (sm3 keeps one accumulator per axis, and
    makes a scalar a vector of length 1): JAX's states bit for bit, and the shapes given back.
    (A Python float too, which JAX's sm3 refuses: it asks for ``x0.shape``.)"""
    params = [np.float64(0.5), np.array(-1.25), np.linspace(-1.0, 1.0, 12).reshape(2, 3, 2)]
    init, update, get_params = OPTIMIZERS[name](optimizers)
    j_init, j_update, _ = OPTIMIZERS[name](jax_optimizers)
    state, j_state = init(params), j_init(params)
    for i in range(3):
        g = [np.sin(3.0 * np.asarray(x) + i) for x in get_params(state)]
        state, j_state = update(i, g, state), j_update(i, g, j_state)
        assert_exact(ad.tree.leaves(state), _leaves(j_state))
    assert [np.shape(x) for x in get_params(state)] == [(), (), (2, 3, 2)]
    from_float = get_params(update(0, 1.0, init(0.5)))
    assert np.shape(from_float) == ()
    assert_exact(from_float, get_params(update(0, 1.0, init(np.float64(0.5)))))


def test_optimizer_state_is_a_pytree_and_serializes() -> None:
    """The state's leaves are its arrays (the tree definitions are auxiliary data), as JAX's;
    unpack/pack give JAX's nested trees of JoinPoints and round-trip, through pickle too."""
    params, a = _problem()
    init, update, get_params = optimizers.adam(0.1)
    j_init, j_update, _ = jax_optimizers.adam(0.1)
    state, j_state = init(params), j_init(params)
    g = ad.grad(lambda p: _loss(anp, a, p))(params)
    state, j_state = update(0, g, state), j_update(0, g, j_state)
    assert len(ad.tree.leaves(state)) == len(jax.tree.leaves(j_state)) == 6
    doubled = ad.tree.map(lambda x: 2 * x, state)
    assert isinstance(doubled, optimizers.OptimizerState)
    assert_exact(get_params(doubled), {k: 2 * v for k, v in get_params(state).items()})
    marked, j_marked = (
        optimizers.unpack_optimizer_state(state),
        jax_optimizers.unpack_optimizer_state(j_state),
    )
    assert set(marked) == set(j_marked) == {"W", "b"}
    for key in marked:
        assert isinstance(marked[key], optimizers.JoinPoint)
        assert_exact(list(marked[key].subtree), [np.asarray(x) for x in j_marked[key].subtree])
        assert list(marked[key]) == [marked[key].subtree]  # iterable, as JAX's
    restored = optimizers.pack_optimizer_state(pickle.loads(pickle.dumps(marked)))
    assert restored.tree_def == state.tree_def and restored.subtree_defs == state.subtree_defs
    assert_exact(ad.tree.leaves(restored), ad.tree.leaves(state))
    assert_exact(get_params(update(1, g, restored)), get_params(update(1, g, state)))


def test_optimizer_decorator_on_a_user_optimizer() -> None:
    """A user's array optimizer (sign descent with a step count) through ``@optimizer``, on a
    tree with a Python float and a tuple: JAX's numbers, and ``get_params(init(p)) == p``."""

    def make(xp: Any) -> Callable[..., Any]:
        def sign_descent(step_size: float) -> Any:
            def init(x0: Any) -> Any:
                return x0, xp.zeros_like(x0)

            def update(i: int, g: Any, state: Any) -> Any:
                x, count = state
                return x - step_size * xp.sign(g), count + 1

            return init, update, lambda state: state[0]

        return sign_descent

    params = {"a": 1.5, "b": (np.arange(3.0), np.ones((2, 2)))}
    grads = {"a": -2.0, "b": (np.array([1.0, -1.0, 0.0]), -np.ones((2, 2)))}
    init, update, get_params = optimizers.optimizer(make(anp))(0.25)
    j_init, j_update, j_get_params = jax_optimizers.optimizer(make(jnp))(0.25)
    assert_exact(get_params(init(params)), params)
    state, j_state = update(0, grads, init(params)), j_update(0, grads, j_init(params))
    assert_exact(get_params(state), jax.tree.map(np.asarray, j_get_params(j_state)))
    assert optimizers.optimizer(make(anp)).__name__ == "sign_descent"


SCHEDULES: dict[str, Callable[[Any], Any]] = {
    "constant": lambda m: m.constant(0.1),
    "make_schedule": lambda m: m.make_schedule(0.3),
    "exponential_decay": lambda m: m.exponential_decay(0.1, 7, 0.3),
    "inverse_time_decay": lambda m: m.inverse_time_decay(0.1, 3, 0.7),
    "inverse_time_decay-staircase": lambda m: m.inverse_time_decay(0.1, 3, 0.7, staircase=True),
    "polynomial_decay": lambda m: m.polynomial_decay(0.1, 13, 0.001),
    "polynomial_decay-half": lambda m: m.polynomial_decay(0.1, 13, 0.001, 0.5),
    "polynomial_decay-float": lambda m: m.polynomial_decay(0.3, 17, 0.0, 2.7),
    "polynomial_decay-int": lambda m: m.polynomial_decay(0.3, 17, 0.01, 3),
    "piecewise_constant": lambda m: m.piecewise_constant([3, 9, 15], [1.0, 0.5, 0.25, 0.1]),
}


@pytest.mark.parametrize("name", SCHEDULES)
def test_schedules_are_jax_exactly(name: str) -> None:
    ours, theirs = SCHEDULES[name](optimizers), SCHEDULES[name](jax_optimizers)
    steps = range(25)
    np.testing.assert_array_equal(
        [float(ours(i)) for i in steps], [float(theirs(i)) for i in steps]
    )
    assert optimizers.make_schedule(ours) is ours


def test_l2_norm_and_clip_grads_match_jax() -> None:
    tree = {"W": np.arange(6.0).reshape(3, 2) / 7, "b": (np.array([-1.5, 0.25]), 0.5)}
    norm = optimizers.l2_norm(tree)
    assert_close(norm, np.asarray(jax_optimizers.l2_norm(tree)), rtol=1e-15)
    for max_norm in (0.5 * norm, 2 * norm):
        assert_close(
            optimizers.clip_grads(tree, max_norm),
            jax.tree.map(np.asarray, jax_optimizers.clip_grads(tree, max_norm)),
            rtol=1e-15,
        )
    with np.errstate(all="raise"):  # no 0/0 in the branch clip_grads discards
        assert_exact(optimizers.clip_grads({"g": np.zeros(2)}, 1.0), {"g": np.zeros(2)})


#: Optimizers differentiated in their step size lr.
BY_STEP_SIZE: dict[str, Callable[[Any, Any], Any]] = {
    "nesterov": lambda m, lr: m.nesterov(lr, 0.9),
    "adam": lambda m, lr: m.adam(lr),
    "sm3": lambda m, lr: m.sm3(lr),
}


def _final_loss(name: str, module: Any, xp: Any, grad: Callable[..., Any], lr: Any) -> Any:
    """The loss after 3 steps of the optimizer ``name`` with step size lr."""
    params, a = _problem()
    init, update, get_params = BY_STEP_SIZE[name](module, lr)
    state = init(params)
    for i in range(3):
        state = update(i, grad(lambda p: _loss(xp, a, p))(get_params(state)), state)
    return _loss(xp, a, get_params(state))


@functools.cache
def _jax_step_size_derivative(name: str) -> float:
    return float(
        jax.jit(jax.grad(lambda lr: _final_loss(name, jax_optimizers, jnp, jax.grad, lr)))(0.1)
    )


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("name", BY_STEP_SIZE)
def test_differentiating_through_optimizer_steps(name: str, mode: str) -> None:
    """d(loss after 3 steps)/d(step size): the updates run on traced values, and the derivative
    is ``jax.grad``'s to 1e-12 in both modes."""
    ours = ad.grad(lambda lr: _final_loss(name, optimizers, anp, ad.grad, lr), mode=mode)(0.1)
    assert_close(ours, _jax_step_size_derivative(name), rtol=RTOL_GRAD)


def test_optimizer_errors_where_jax_raises() -> None:
    params, _ = _problem()
    for module in (optimizers, jax_optimizers):
        init, update, _ = module.sgd(0.1)
        with pytest.raises(TypeError, match="did not match the parameter tree"):
            update(0, {"W": params["W"]}, init(params))
        with pytest.raises(TypeError):
            module.make_schedule(np.ones(2))
        with pytest.raises(ValueError, match="one shorter"):
            module.piecewise_constant([1, 2], [0.1, 0.2])
        with pytest.raises(ValueError, match="must be sequences"):
            module.piecewise_constant([[1]], [[0.1, 0.2]])
        bad_init, bad_update, _ = module.optimizer(
            lambda: (lambda x: (x, x), lambda i, g, s: (s[0],), lambda s: s[0])
        )()
        with pytest.raises(TypeError, match="did not match its input structure"):
            bad_update(0, params, bad_init(params))
    with pytest.raises(TypeError, match="JoinPoint"):  # JAX: an AssertionError
        optimizers.pack_optimizer_state({"W": np.ones(2)})
    with pytest.raises(TypeError, match=r"a number or a schedule"):
        optimizers.sgd(np.ones(2))
