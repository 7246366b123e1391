"""JAX's ``jax.example_libraries.stax``: neural network layers as ``(init_fun, apply_fun)``
pairs, composed by :func:`serial` and :func:`parallel`.

A layer constructor (``Dense(512)``, ``Conv(32, (3, 3))``, ...) returns a pair:

- ``init_fun(rng, input_shape) -> (output_shape, params)``: ``rng`` is a PRNG key (an
  :mod:`admodes.random` key, a legacy ``jax.random.PRNGKey`` or ``jax.random.key_data(k)``),
  ``input_shape`` a tuple (a leading -1 stands for any batch size, as in JAX);
- ``apply_fun(params, inputs, **kwargs) -> outputs``; the keyword ``rng=key`` feeds
  :func:`Dropout` (:func:`serial` and :func:`parallel` split it among their layers).

Layers without parameters are pairs themselves (``Relu``, ``Flatten``, ``FanInSum``, ...), as in
JAX; parameters are tuples and lists of NumPy arrays (``()`` for none)::

    init_fun, apply_fun = stax.serial(stax.Dense(64), stax.Relu, stax.Dense(10), stax.LogSoftmax)
    out_shape, params = init_fun(admodes.random.key(0), (-1, 784))
    grads = ad.grad(lambda p: -anp.mean(anp.sum(apply_fun(p, x) * y, axis=1)))(params)

**Initialization** splits the key as JAX's ``stax`` does and draws with
:mod:`admodes.nn.initializers` (which repeat JAX's arithmetic on :mod:`admodes.random`'s
threefry bits), so the parameters are JAX's bit for bit for the same key (float64, as JAX with
64-bit types). **Application** is :mod:`admodes.numpy`, :mod:`admodes.lax` and
:mod:`admodes.nn`, so ``ad.grad`` of a loss through a network works in both modes; the outputs
equal JAX's to rounding (NumPy's and XLA's orders of summation in ``dot`` and the convolutions
differ; JAX's ``standardize`` multiplies by ``rsqrt(var + eps)`` where admodes divides by
``√(var + eps)``).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from typing import Any

import admodes.lax as lax
import admodes.numpy as anp
import admodes.random as random
from admodes.nn import (
    elu,
    gelu,
    leaky_relu,
    log_softmax,
    relu,
    selu,
    sigmoid,
    softmax,
    softplus,
    standardize,
)
from admodes.nn.initializers import glorot_normal, normal, ones, zeros
from admodes.random._xla import divide

__all__ = [
    "AvgPool",
    "BatchNorm",
    "Conv",
    "Conv1DTranspose",
    "ConvTranspose",
    "Dense",
    "Dropout",
    "Elu",
    "Exp",
    "FanInConcat",
    "FanInSum",
    "FanOut",
    "Flatten",
    "Gelu",
    "GeneralConv",
    "GeneralConvTranspose",
    "Identity",
    "LeakyRelu",
    "LogSoftmax",
    "MaxPool",
    "Relu",
    "Selu",
    "Sigmoid",
    "Softmax",
    "Softplus",
    "SumPool",
    "Tanh",
    "elementwise",
    "elu",
    "gelu",
    "glorot",
    "glorot_normal",
    "leaky_relu",
    "log_softmax",
    "logsoftmax",
    "normal",
    "ones",
    "parallel",
    "randn",
    "relu",
    "selu",
    "serial",
    "shape_dependent",
    "sigmoid",
    "softmax",
    "softplus",
    "standardize",
    "zeros",
]

# JAX's aliases, kept for old code.
glorot = glorot_normal
randn = normal
logsoftmax = log_softmax

Shape = Any
"""A shape: a tuple of ints (a list of them for several inputs or outputs)."""
Params = Any
InitFun = Callable[[Any, Shape], tuple[Shape, Params]]
ApplyFun = Callable[..., Any]
Layer = tuple[InitFun, ApplyFun]
Initializer = Callable[..., Any]


# ---------------------------------------------------------------------------- dense, conv
#: JAX's default initializers of the layers' weights and biases (one instance each, as JAX's
#: default arguments).
_GLOROT_NORMAL = glorot_normal()
_NORMAL = normal()
_NORMAL_SMALL = normal(1e-6)


def Dense(
    out_dim: int, W_init: Initializer = _GLOROT_NORMAL, b_init: Initializer = _NORMAL
) -> Layer:
    """A fully connected layer: y = x·W + b, W of shape (in, out_dim) (``W_init``, by default
    Glorot normal: truncated normal of variance 2/(in + out_dim)), b of shape (out_dim,)
    (``b_init``, by default normal of standard deviation 0.01); keys from ``split(rng)``."""

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        output_shape = (*input_shape[:-1], out_dim)
        k1, k2 = random.split(rng)
        return output_shape, (W_init(k1, (input_shape[-1], out_dim)), b_init(k2, (out_dim,)))

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        W, b = params
        return anp.dot(inputs, W) + b

    return init_fun, apply_fun


def _conv_constructor(
    name: str, shape_tuple: Callable[..., tuple[int, ...]], convolve: Callable[..., Any], doc: str
) -> Callable[..., Layer]:
    """The layer constructor ``name`` (with :func:`GeneralConv`'s signature): ``shape_tuple``
    gives the layer's output shape, ``convolve`` computes it; ``doc`` is the docstring."""

    def constructor(
        dimension_numbers: tuple[str, str, str],
        out_chan: int,
        filter_shape: Sequence[int],
        strides: Sequence[int] | None = None,
        padding: Any = "VALID",
        W_init: Initializer | None = None,
        b_init: Initializer = _NORMAL_SMALL,
    ) -> Layer:
        lhs_spec, rhs_spec, out_spec = dimension_numbers
        strides = strides or (1,) * len(filter_shape)
        W_init = W_init or glorot_normal(rhs_spec.index("I"), rhs_spec.index("O"))

        def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
            window = iter(filter_shape)
            kernel_shape = [
                out_chan
                if c == "O"
                else input_shape[lhs_spec.index("C")]
                if c == "I"
                else next(window)
                for c in rhs_spec
            ]
            output_shape = shape_tuple(
                input_shape, kernel_shape, strides, padding, dimension_numbers
            )
            bias_shape = [out_chan if c == "C" else 1 for c in out_spec]
            k1, k2 = random.split(rng)
            return output_shape, (W_init(k1, kernel_shape), b_init(k2, bias_shape))

        def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
            W, b = params
            return convolve(inputs, W, strides, padding, dimension_numbers=dimension_numbers) + b

        return init_fun, apply_fun

    constructor.__name__ = constructor.__qualname__ = name
    constructor.__doc__ = doc
    return constructor


GeneralConv = _conv_constructor(
    "GeneralConv",
    lax.conv_general_shape_tuple,
    lax.conv_general_dilated,
    """A convolution layer: ``lax.conv_general_dilated(x, W, strides, padding)`` + b in the
    layouts ``dimension_numbers`` (e.g. ``('NHWC', 'HWIO', 'NHWC')``): W of shape out_chan, the
    input's channels and ``filter_shape`` in the layout ``dimension_numbers[1]`` (``W_init``, by
    default Glorot normal over its I and O axes), b 1 but out_chan along the output's C
    (``b_init``, by default normal of standard deviation 1e-6); keys from ``split(rng)``.""",
)
GeneralConvTranspose = _conv_constructor(
    "GeneralConvTranspose",
    lax.conv_transpose_shape_tuple,
    lax.conv_transpose,
    """A transposed-convolution layer: ``lax.conv_transpose(x, W, strides, padding)`` + b in
    the layouts ``dimension_numbers``; the arguments, W and b as :func:`GeneralConv`'s.""",
)


Conv = functools.partial(GeneralConv, ("NHWC", "HWIO", "NHWC"))
Conv.__doc__ = """A 2-D convolution layer in TensorFlow's layouts:
``GeneralConv(('NHWC', 'HWIO', 'NHWC'), out_chan, filter_shape, ...)``."""
Conv1DTranspose = functools.partial(GeneralConvTranspose, ("NHC", "HIO", "NHC"))
Conv1DTranspose.__doc__ = """A 1-D transposed convolution layer:
``GeneralConvTranspose(('NHC', 'HIO', 'NHC'), out_chan, filter_shape, ...)``."""
ConvTranspose = functools.partial(GeneralConvTranspose, ("NHWC", "HWIO", "NHWC"))
ConvTranspose.__doc__ = """A 2-D transposed convolution layer:
``GeneralConvTranspose(('NHWC', 'HWIO', 'NHWC'), out_chan, filter_shape, ...)``."""


# ---------------------------------------------------------------------------- normalization
def BatchNorm(
    axis: int | Sequence[int] = (0, 1, 2),
    epsilon: float = 1e-5,
    center: bool = True,
    scale: bool = True,
    beta_init: Initializer = zeros,
    gamma_init: Initializer = ones,
) -> Layer:
    """Batch normalization over ``axis`` (by default the batch and the two spatial axes of
    NHWC): z = (x − mean) / √(var + epsilon), the mean and the variance E[x²] − mean² over
    ``axis`` (:func:`admodes.nn.standardize`), then y = γ·z + β. β (``center``, ``beta_init``,
    zeros) and γ (``scale``, ``gamma_init``, ones) have the shape of the axes not in ``axis``;
    without ``center`` or ``scale`` that parameter is ``()``. No running averages are kept (the
    statistics are always the batch's), as in JAX. Give the axes as nonnegative numbers: a
    negative one is normalized over, but (as in JAX) kept in the parameters' shape."""
    axis = (axis,) if anp.isscalar(axis) else tuple(axis)

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        shape = tuple(d for i, d in enumerate(input_shape) if i not in axis)
        k1, k2 = random.split(rng)
        beta = beta_init(k1, shape) if center else ()
        gamma = gamma_init(k2, shape) if scale else ()
        return input_shape, (beta, gamma)

    def apply_fun(params: Params, x: Any, **kwargs: Any) -> Any:
        beta, gamma = params
        spread = tuple(None if i in axis else slice(None) for i in range(anp.ndim(x)))
        z = standardize(x, axis, epsilon=epsilon)
        if scale:
            z = gamma[spread] * z
        if center:
            z = z + beta[spread]
        return z

    return init_fun, apply_fun


# ---------------------------------------------------------------------------- elementwise
def _shape_kept(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
    """The ``init_fun`` of a layer without parameters whose output has its input's shape."""
    return input_shape, ()


def elementwise(fun: Callable[..., Any], **fun_kwargs: Any) -> Layer:
    """A layer without parameters that applies ``fun(inputs, **fun_kwargs)``."""

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        return fun(inputs, **fun_kwargs)

    return _shape_kept, apply_fun


Tanh = elementwise(anp.tanh)
Relu = elementwise(relu)
Exp = elementwise(anp.exp)
LogSoftmax = elementwise(log_softmax, axis=-1)
Softmax = elementwise(softmax, axis=-1)
Softplus = elementwise(softplus)
Sigmoid = elementwise(sigmoid)
Elu = elementwise(elu)
LeakyRelu = elementwise(leaky_relu)
Selu = elementwise(selu)
Gelu = elementwise(gelu)


# ---------------------------------------------------------------------------- pooling
def _pooling_layer(
    reducer: Callable[[Any, Any], Any], init_val: float, average: bool = False
) -> Callable[..., Layer]:
    """The constructor of a pooling layer: ``lax.reduce_window`` with ``reducer`` from
    ``init_val`` over windows of the spatial axes (divided by each window's count of entries
    inside the unpadded input, if ``average``)."""

    def PoolingLayer(
        window_shape: Sequence[int],
        strides: Sequence[int] | None = None,
        padding: str = "VALID",
        spec: str | None = None,
    ) -> Layer:
        spatial_window = tuple(window_shape)
        spatial_strides = tuple(strides or (1,) * len(spatial_window))
        rank = len(spatial_window) + 2
        non_spatial = (0, rank - 1) if spec is None else (spec.index("N"), spec.index("C"))
        window, window_strides = list(spatial_window), list(spatial_strides)
        for i in sorted(non_spatial):
            window.insert(i, 1)
            window_strides.insert(i, 1)

        def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
            pads = lax.padtype_to_pads(input_shape, window, window_strides, padding)
            return lax.reduce_window_shape_tuple(input_shape, window, window_strides, pads), ()

        def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
            out = lax.reduce_window(inputs, init_val, reducer, window, window_strides, padding)
            if not average:
                return out
            spatial_shape = [d for i, d in enumerate(anp.shape(inputs)) if i not in non_spatial]
            counts = lax.reduce_window(
                anp.ones(spatial_shape, dtype=inputs.dtype), 0.0, lax.add, spatial_window,
                spatial_strides, padding,
            )  # fmt: skip
            return divide(out, anp.expand_dims(counts, sorted(non_spatial)))

        return init_fun, apply_fun

    return PoolingLayer


MaxPool = _pooling_layer(lax.max, -math.inf)
MaxPool.__doc__ = """Max pooling: the maximum of each window of the spatial axes, the window
``window_shape`` (one entry per spatial axis), ``strides`` (default 1), ``padding`` ('VALID',
'SAME'); ``spec``, a layout string such as 'NCHW', places the batch and channel axes (by
default batch first, channels last). The derivative goes to the first maximal entry of a
window, as JAX's."""
SumPool = _pooling_layer(lax.add, 0.0)
SumPool.__doc__ = """Sum pooling: the sum of each window (arguments as :data:`MaxPool`)."""
AvgPool = _pooling_layer(lax.add, 0.0, average=True)
AvgPool.__doc__ = """Average pooling: the sum of each window divided by the number of its
entries inside the input (padding not counted; arguments as :data:`MaxPool`)."""


# ---------------------------------------------------------------------------- shapes
def _flatten() -> Layer:
    """Flatten: every axis but the leading (batch) one into one, (n, d₁, …, dₖ) → (n, d₁⋯dₖ)."""

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        return (input_shape[0], math.prod(input_shape[1:])), ()

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        return anp.reshape(inputs, (anp.shape(inputs)[0], -1))

    return init_fun, apply_fun


Flatten = _flatten()
Identity = elementwise(lambda x: x)


def FanOut(num: int) -> Layer:
    """A layer whose output is a list of ``num`` copies of its input (for :func:`parallel`)."""

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        return [input_shape] * num, ()

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        return [inputs] * num

    return init_fun, apply_fun


def _fan_in_sum() -> Layer:
    """The sum of a list of inputs of one shape."""

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        return input_shape[0], ()

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        return sum(inputs)

    return init_fun, apply_fun


FanInSum = _fan_in_sum()


def FanInConcat(axis: int = -1) -> Layer:
    """The concatenation of a list of inputs along ``axis``."""

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        ax = axis % len(input_shape[0])
        size = sum(shape[ax] for shape in input_shape)
        return (*input_shape[0][:ax], size, *input_shape[0][ax + 1 :]), ()

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        return anp.concatenate(inputs, axis)

    return init_fun, apply_fun


# ---------------------------------------------------------------------------- dropout
def Dropout(rate: float, mode: str = "train") -> Layer:
    """Dropout, as JAX's: in ``mode='train'`` each entry is kept with probability ``rate``
    (``admodes.random.bernoulli(rng, rate, x.shape)``, JAX's draws bit for bit) and divided by
    ``rate``, the others set to 0; in any other mode the input passes unchanged. Note that
    ``rate`` is the probability of *keeping* an entry (JAX's convention here, unlike Keras's).
    ``apply_fun`` needs the keyword ``rng`` in every mode (a ValueError without it, as JAX).

    The division is XLA's, x · (1/rate), as JAX computes x / rate for a JAX array x (the output
    of a layer before), so the values are JAX's bit for bit; given a NumPy array, JAX's stax
    divides with NumPy, which may differ from that in the last bit."""

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        rng = kwargs.get("rng")
        if rng is None:
            raise ValueError(
                "Dropout layer requires apply_fun to be called with a PRNG key argument. That "
                "is, instead of `apply_fun(params, inputs)`, call it like "
                "`apply_fun(params, inputs, rng=key)` where `key` is a PRNG key (e.g. from "
                "`admodes.random.key`)."
            )
        if mode != "train":
            return inputs
        keep = random.bernoulli(rng, rate, anp.shape(inputs))
        return anp.where(keep, divide(inputs, rate), 0)

    return _shape_kept, apply_fun


# ---------------------------------------------------------------------------- combinators
def _check_count(combinator: str, what: str, items: Sequence[Any], count: int) -> None:
    """A ValueError unless ``items`` has one entry per layer (JAX's ``zip`` would silently drop
    the extra layers or entries)."""
    if len(items) != count:
        raise ValueError(
            f"{combinator}: {what} has {len(items)} entries for {count} layers; it needs one "
            "per layer"
        )


def _keys(rng: Any, count: int) -> Sequence[Any]:
    """``count`` keys split from ``rng`` for the layers of a combinator, or ``None`` for each
    if ``rng`` is None."""
    return (None,) * count if rng is None else random.split(rng, count)


def serial(*layers: Layer) -> Layer:
    """The layers one after the other: each layer's output is the next one's input. The
    parameters are a list, one entry per layer. ``init_fun`` splits its key once per layer
    (``key, layer_key = split(key)``); ``apply_fun`` splits a given ``rng`` into one key per
    layer (``split(rng, len(layers))``)."""
    init_funs, apply_funs = zip(*layers, strict=True) if layers else ((), ())

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        params = []
        for init in init_funs:
            rng, layer_rng = random.split(rng)
            input_shape, param = init(layer_rng, input_shape)
            params.append(param)
        return input_shape, params

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        _check_count("serial", "params", params, len(layers))
        rngs = _keys(kwargs.pop("rng", None), len(layers))
        for fun, param, rng in zip(apply_funs, params, rngs, strict=True):
            inputs = fun(param, inputs, rng=rng, **kwargs)
        return inputs

    return init_fun, apply_fun


def parallel(*layers: Layer) -> Layer:
    """The layers side by side: layer k takes input k of a sequence (e.g. from
    :func:`FanOut`) and gives output k. Shapes and parameters are tuples, one entry per layer;
    both ``init_fun`` and ``apply_fun`` split their key into one per layer."""
    init_funs, apply_funs = zip(*layers, strict=True) if layers else ((), ())

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        _check_count("parallel", "input_shape", input_shape, len(layers))
        rngs = random.split(rng, len(layers))
        pairs = [init(k, s) for init, k, s in zip(init_funs, rngs, input_shape, strict=True)]
        return tuple(s for s, _ in pairs), tuple(p for _, p in pairs)

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        _check_count("parallel", "params", params, len(layers))
        _check_count("parallel", "inputs", inputs, len(layers))
        rngs = _keys(kwargs.pop("rng", None), len(layers))
        return [
            f(p, x, rng=k, **kwargs)
            for f, p, x, k in zip(apply_funs, params, inputs, rngs, strict=True)
        ]

    return init_fun, apply_fun


def shape_dependent(make_layer: Callable[[Shape], Layer]) -> Layer:
    """A layer built from its input's shape: ``make_layer(shape)`` gives the
    ``(init_fun, apply_fun)`` pair to use, called by ``init_fun`` with the input shape and by
    ``apply_fun`` with the inputs' shape."""

    def init_fun(rng: Any, input_shape: Shape) -> tuple[Shape, Params]:
        return make_layer(input_shape)[0](rng, input_shape)

    def apply_fun(params: Params, inputs: Any, **kwargs: Any) -> Any:
        return make_layer(anp.shape(inputs))[1](params, inputs, **kwargs)

    return init_fun, apply_fun
