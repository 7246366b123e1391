"""JAX's convolutions and windowed reductions (``jax.lax.conv_general_dilated``, ``conv``,
``conv_transpose``, ``conv_general_dilated_patches``, ``reduce_window``, ...), built from
differentiable ``admodes.numpy`` operations, so both engines and every nesting of them (second
order included) differentiate them with no rule of their own.

**The convolution.** In the canonical layout (lhs ``(N, C, S₁ … Sₙ)``, rhs ``(O, I, K₁ … Kₙ)``,
out ``(N, O, Y₁ … Yₙ)``) JAX's convolution is a cross-correlation (no kernel flip)::

    out[n, o, y] = Σ_{i, k} lhs_padded_dilated[n, i, y·s + k·d] · rhs[o, i, k]

with s the window strides, d the rhs (kernel) dilation, and ``lhs_padded_dilated`` the input
with ``lhs_dilation − 1`` zeros between neighbours, then padded with zeros (a negative padding
removes entries). It is computed in three steps:

1. *dilate and pad*: the zeros are interleaved by one ``.at[::dilation].set`` into an array of
   zeros, the padding is ``anp.pad`` and a negative padding a slice;
2. *gather the windows*: for each offset k of the window (row-major), one strided slice of the
   padded input, ``x[..., k·d : k·d + Y·s : s]``, all stacked on a new leading axis (their
   derivative is a scatter of each slice back into place);
3. *contract*: one ``anp.einsum`` of the stacked windows with the kernel over (k, i). Feature
   groups split the lhs features and the kernel's output features into (group, rest), batch
   groups split the lhs batch: the group becomes one more einsum label.

Layouts: ``dimension_numbers`` (None: ``NCHW``/``OIHW``/``NCHW``; three layout strings such as
``('NHWC', 'HWIO', 'NHWC')``; or a :class:`ConvDimensionNumbers`) give the permutation of each
operand to the canonical layout, JAX's: the spatial dimensions are ordered as they appear in the
rhs layout string, and ``window_strides`` and the dilations follow that order.

``conv_transpose`` is the convolution with ``lhs_dilation`` = strides and the padding JAX
computes; ``conv_general_dilated_patches`` is step 2 with the windows laid out as JAX's channel
axis (input feature major, then the window offsets); ``conv_general_dilated_local`` contracts the
same patches with one kernel per output position.

**Windowed reductions.** ``reduce_window`` with ``add``, ``multiply``, ``maximum`` or
``minimum`` gathers the windows the same way (padding and base-dilation holes filled with the
reduction's identity, so they take no part, as in JAX) and reduces the stacked axis; the result is
combined once with ``init_value``. Max and min pooling pick one element per window, the first
(row-major) that attains the extremum, by a gather: its derivative goes to that element only, as
``jax.grad`` (``select_and_scatter_add``) and ``jax.jvp`` give it at ties, not split among them.
An ``init_value`` that is not the identity (JAX's generic ``reduce_window``, which JAX
differentiates by ``jvp`` only) is combined by ``computation`` itself: a tie between it and a
window's extremum splits the derivative evenly (``maximum``'s rule), and ties within such a window
still go to the first entry, where JAX's derivative depends on its reduction order.

``precision`` is accepted for JAX's signatures: NumPy computes in the operands' dtype.
"""

from __future__ import annotations

import itertools
import math
import operator
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

import numpy as np

import admodes.numpy as anp
from admodes.core import dtype_of, ndim, plain, shape
from admodes.lax._monoids import IDENTITY, in_dtype

__all__ = [
    "ConvDimensionNumbers",
    "ConvGeneralDilatedDimensionNumbers",
    "conv",
    "conv_dimension_numbers",
    "conv_general_dilated",
    "conv_general_dilated_local",
    "conv_general_dilated_patches",
    "conv_general_permutations",
    "conv_general_shape_tuple",
    "conv_shape_tuple",
    "conv_transpose",
    "conv_transpose_shape_tuple",
    "conv_with_general_padding",
    "padtype_to_pads",
    "reduce_window",
    "reduce_window_shape_tuple",
]

Padding = str | Sequence[tuple[int, int]]


class ConvDimensionNumbers(NamedTuple):
    """Where the batch, feature and spatial dimensions of a convolution's operands are:
    ``lhs_spec`` = (batch, feature, spatial...), ``rhs_spec`` = (out feature, in feature,
    spatial...), ``out_spec`` = (batch, feature, spatial...), each a tuple of axis numbers."""

    lhs_spec: Sequence[int]
    rhs_spec: Sequence[int]
    out_spec: Sequence[int]


ConvGeneralDilatedDimensionNumbers = tuple[str, str, str] | ConvDimensionNumbers | None

#: conv_transpose's default layouts by rank (TensorFlow's, as JAX's).
_TRANSPOSE_LAYOUTS = {
    2: ("NC", "IO", "NC"),
    3: ("NHC", "HIO", "NHC"),
    4: ("NHWC", "HWIO", "NHWC"),
    5: ("NHWDC", "HWDIO", "NHWDC"),
}

#: einsum labels for spatial axes (not k, n, c, o, g: the fixed labels).
_SPATIAL_LABELS = "abdefhijlmpqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


# ------------------------------------------------------------------------------ layouts
def conv_dimension_numbers(
    lhs_shape: Sequence[int],
    rhs_shape: Sequence[int],
    dimension_numbers: ConvGeneralDilatedDimensionNumbers,
) -> ConvDimensionNumbers:
    """``dimension_numbers`` (None, three layout strings, or a :class:`ConvDimensionNumbers`)
    as a :class:`ConvDimensionNumbers`; None is the identity layout ``NCHW``/``OIHW``/``NCHW``."""
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return dimension_numbers
    if len(lhs_shape) != len(rhs_shape):
        raise TypeError(
            "convolution requires lhs and rhs ndim to be equal, got "
            f"{len(lhs_shape)} and {len(rhs_shape)}."
        )
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if not isinstance(dimension_numbers, list | tuple):
        raise TypeError(
            "convolution dimension_numbers must be None, a ConvDimensionNumbers or a tuple of "
            f"three layout strings such as ('NHWC', 'HWIO', 'NHWC'), got {dimension_numbers!r}."
        )
    if len(dimension_numbers) != 3:
        raise TypeError(
            "convolution dimension_numbers list/tuple must be length 3 (lhs, rhs, out layouts), "
            f"got {len(dimension_numbers)}."
        )
    if not all(isinstance(spec, str) for spec in dimension_numbers):
        raise TypeError(
            "convolution dimension_numbers elements must be strings, got "
            f"{tuple(type(spec).__name__ for spec in dimension_numbers)}."
        )
    for i, spec in enumerate(dimension_numbers):
        if len(spec) != len(lhs_shape):
            raise TypeError(
                f"convolution dimension_numbers[{i}] must have len equal to the ndim of lhs and "
                f"rhs, got {len(spec)} for lhs and rhs shapes {tuple(lhs_shape)} and "
                f"{tuple(rhs_shape)}."
            )
    return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))


def conv_general_permutations(
    dimension_numbers: tuple[str, str, str],
) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    """The permutations that bring lhs, rhs and out to the canonical layouts (N, C, spatial...),
    (O, I, spatial...), (N, C, spatial...), the spatial axes ordered as in the rhs string."""
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    charpairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(charpairs):
        spec = dimension_numbers[i]
        if not spec.count(a) == spec.count(b) == 1:
            raise TypeError(
                f"convolution dimension_numbers[{i}] must contain the characters '{a}' and "
                f"'{b}' exactly once, got {spec}."
            )
        if len(spec) != len(set(spec)):
            raise TypeError(
                f"convolution dimension_numbers[{i}] cannot have duplicate characters, got {spec}."
            )
    if not set(lhs_spec) - {"N", "C"} == set(rhs_spec) - {"O", "I"} == set(out_spec) - {"N", "C"}:
        raise TypeError(
            "convolution dimension_numbers elements must each have the same set of spatial "
            f"characters, got {tuple(dimension_numbers)}."
        )

    def permutation(spec: str, pair: tuple[str, str]) -> tuple[int, ...]:
        spatial = sorted(
            (i for i, c in enumerate(spec) if c not in pair), key=lambda i: rhs_spec.index(spec[i])
        )
        return (spec.index(pair[0]), spec.index(pair[1]), *spatial)

    lhs_perm, rhs_perm, out_perm = map(permutation, dimension_numbers, charpairs)
    return lhs_perm, rhs_perm, out_perm


# ------------------------------------------------------------------------------ padding, shapes
def padtype_to_pads(
    in_shape: Sequence[int],
    window_shape: Sequence[int],
    window_strides: Sequence[int],
    padding: str,
) -> list[tuple[int, int]]:
    """The (low, high) padding of each dimension that ``padding`` names: ``'VALID'`` none;
    ``'SAME'`` enough for ⌈in / stride⌉ outputs, an odd total's extra entry at the end;
    ``'SAME_LOWER'`` the same with the extra entry at the start (any case)."""
    kind = padding.upper() if isinstance(padding, str) else padding
    if kind == "VALID":
        return [(0, 0)] * len(in_shape)
    if kind not in ("SAME", "SAME_LOWER"):
        raise ValueError(
            f"unrecognized padding {padding!r}: pass 'VALID', 'SAME' or 'SAME_LOWER', or a "
            "sequence of (low, high) integer pairs"
        )
    if not len(in_shape) == len(window_shape) == len(window_strides):
        raise ValueError(
            "padtype_to_pads: in_shape, window_shape and window_strides need one entry per "
            f"dimension, got {tuple(in_shape)}, {tuple(window_shape)}, {tuple(window_strides)}"
        )
    pads = []
    for n, w, s in zip(in_shape, window_shape, window_strides, strict=True):
        total = max(0, (-(-int(n) // int(s)) - 1) * int(s) + int(w) - int(n))
        small, large = total // 2, total - total // 2
        pads.append((small, large) if kind == "SAME" else (large, small))
    return pads


def _dilate_dim(d: int, dilation: int) -> int:
    """The length of d entries with ``dilation − 1`` holes between neighbours."""
    return max(0, 1 + dilation * (d - 1))


def _window_count(d: int, window: int, stride: int) -> int:
    """How many windows of length ``window`` fit in d, ``stride`` apart."""
    return max(0, (d - window) // stride + 1)


def _padded_length(n: int, dilation: int, pad: tuple[int, int]) -> int:
    """The length of n entries dilated, then padded by ``pad`` = (low, high)."""
    length = _dilate_dim(n, dilation) + pad[0] + pad[1]
    if length < 0:
        raise ValueError(
            f"negative padding is larger than the size of the corresponding dimension: got "
            f"padding {tuple(pad)} for a dimension of size {_dilate_dim(n, dilation)} (dilated)"
        )
    return length


def _out_sizes(
    in_shape: Sequence[int],
    window: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[tuple[int, int]],
    base_dilation: Sequence[int],
    window_dilation: Sequence[int],
) -> tuple[int, ...]:
    """The number of windows along each dimension of the dilated, padded input."""
    return tuple(
        _window_count(_padded_length(n, bd, pad), _dilate_dim(w, wd), s)
        for n, w, s, pad, bd, wd in zip(
            in_shape, window, strides, pads, base_dilation, window_dilation, strict=True
        )
    )


def conv_shape_tuple(
    lhs_shape: Sequence[int],
    rhs_shape: Sequence[int],
    strides: Sequence[int],
    pads: Padding,
    batch_group_count: int = 1,
) -> tuple[int, ...]:
    """The output shape of a convolution of canonical-layout shapes (N, C, ...), (O, I, ...)."""
    n = len(lhs_shape) - 2
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != n:
        raise TypeError(
            f"Wrong number of explicit pads for convolution: expected {n}, got {len(pads)}."
        )
    ones = (1,) * n
    spatial = _out_sizes(lhs_shape[2:], rhs_shape[2:], strides, pads, ones, ones)
    return (lhs_shape[0] // batch_group_count, rhs_shape[0], *spatial)


def conv_general_shape_tuple(
    lhs_shape: Sequence[int],
    rhs_shape: Sequence[int],
    window_strides: Sequence[int],
    padding: Padding,
    dimension_numbers: tuple[str, str, str],
) -> tuple[int, ...]:
    """The output shape of a convolution of operands in the layouts ``dimension_numbers``."""
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    out = conv_shape_tuple(
        _taken(lhs_shape, lhs_perm), _taken(rhs_shape, rhs_perm), window_strides, padding
    )
    return _taken(out, np.argsort(out_perm))


def conv_transpose_shape_tuple(
    lhs_shape: Sequence[int],
    rhs_shape: Sequence[int],
    window_strides: Sequence[int],
    padding: Padding,
    dimension_numbers: tuple[str, str, str],
) -> tuple[int, ...]:
    """JAX's output shape of a transposed convolution (``(i − 1)·s − k + 2`` plus the total
    padding along each spatial dimension)."""
    lhs_perm, rhs_perm, out_perm = conv_general_permutations(dimension_numbers)
    lhs_t, rhs_t = _taken(lhs_shape, lhs_perm), _taken(rhs_shape, rhs_perm)
    if isinstance(padding, str):
        padding = [
            _conv_transpose_padding(k, s, padding)
            for k, s in zip(rhs_t[2:], window_strides, strict=True)
        ]
    spatial = tuple(
        (i - 1) * s - k + 2 + sum(p)
        for i, k, s, p in zip(lhs_t[2:], rhs_t[2:], window_strides, padding, strict=True)
    )
    return _taken((lhs_t[0], rhs_t[0], *spatial), np.argsort(out_perm))


def reduce_window_shape_tuple(
    operand_shape: Sequence[int],
    window_dimensions: Sequence[int],
    window_strides: Sequence[int],
    padding: Sequence[tuple[int, int]],
    base_dilation: Sequence[int] | None = None,
    window_dilation: Sequence[int] | None = None,
) -> tuple[int, ...]:
    """The output shape of :func:`reduce_window` with explicit (low, high) ``padding``."""
    ones = (1,) * len(operand_shape)
    return _out_sizes(
        operand_shape,
        window_dimensions,
        window_strides,
        padding,
        base_dilation or ones,
        window_dilation or ones,
    )


def _taken(values: Sequence[int], perm: Sequence[int]) -> tuple[int, ...]:
    """``values`` permuted: entry i is ``values[perm[i]]``."""
    return tuple(int(values[int(p)]) for p in perm)


def _conv_transpose_padding(k: int, s: int, padding: Any) -> tuple[int, int]:
    """JAX's (before, after) padding of one dimension of a transposed convolution, from the
    (dilated) kernel size k, the stride s and the forward convolution's padding."""
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else math.ceil(pad_len / 2)
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif not isinstance(padding, str) and len(padding) == 2:
        pad_a, pad_b = (k - p - 1 for p in padding)
        pad_len = pad_a + pad_b
    else:
        raise ValueError(
            f"conv_transpose: invalid padding {padding!r}: pass 'SAME', 'VALID' or a (low, high) "
            "pair per spatial dimension"
        )
    return pad_a, pad_len - pad_a


# ------------------------------------------------------------------------------ arguments
def _positive_ints(values: Sequence[int] | None, n: int, name: str, fn: str) -> tuple[int, ...]:
    """``values`` as n positive Python ints (None: all ones)."""
    if values is None:
        return (1,) * n
    try:
        out = tuple(operator.index(v) for v in values)
    except TypeError:
        raise TypeError(f"{fn}: {name} must be a sequence of integers, got {values!r}") from None
    if len(out) != n:
        raise ValueError(
            f"{fn}: {name} needs one entry per windowed dimension ({n}), got {len(out)}: {values!r}"
        )
    if any(v < 1 for v in out):
        raise ValueError(f"{fn}: every entry of {name} must be positive, got {values!r}")
    return out


def _explicit_padding(
    padding: Padding,
    in_shape: Sequence[int],
    window: Sequence[int],
    strides: Sequence[int],
    fn: str,
) -> tuple[tuple[int, int], ...]:
    """``padding`` as (low, high) int pairs, one per dimension; a string resolved by
    :func:`padtype_to_pads` for the (dilated) ``window``."""
    if isinstance(padding, str):
        return tuple(padtype_to_pads(in_shape, window, strides, padding))
    try:
        pads = tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (TypeError, ValueError):
        raise ValueError(
            f"{fn}: padding must be 'SAME', 'SAME_LOWER', 'VALID' or a sequence of (low, high) "
            f"integer pairs, got {padding!r}"
        ) from None
    if len(pads) != len(in_shape):
        raise ValueError(
            f"{fn}: padding needs one (low, high) pair per windowed dimension ({len(in_shape)}), "
            f"got {len(pads)}: {padding!r}"
        )
    return pads


def _permuted(x: Any, perm: Sequence[int]) -> Any:
    """x transposed by ``perm`` (unchanged for the identity permutation)."""
    perm = tuple(int(p) for p in perm)
    return x if perm == tuple(range(len(perm))) else anp.transpose(x, perm)


def _check_preferred_element_type(dtype: np.dtype, preferred: Any) -> np.dtype:
    """JAX's rule: the preferred accumulation type is of the input's kind (an integer input may
    also accumulate in floats), of its signedness, and not narrower."""
    preferred = np.dtype(preferred)
    if not (np.issubdtype(dtype, np.integer) and np.issubdtype(preferred, np.floating)):
        for kind in (np.integer, np.floating, np.complexfloating):
            if np.issubdtype(dtype, kind) and not np.issubdtype(preferred, kind):
                raise TypeError(
                    f"preferred_element_type {preferred} is incompatible with the input type "
                    f"{dtype}: the compatible kinds are (integral, integral), (integral, "
                    "floating), (floating, floating), (complex, complex)"
                )
        if np.issubdtype(dtype, np.signedinteger) and not np.issubdtype(
            preferred, np.signedinteger
        ):
            raise TypeError(
                f"preferred_element_type {preferred} must have the signedness of the input "
                f"type {dtype}"
            )
    if preferred.itemsize < dtype.itemsize:
        raise TypeError(
            f"preferred_element_type {preferred} must not be narrower than the input type {dtype}"
        )
    return preferred


# ------------------------------------------------------------------------------ windows
def _dilated_padded(
    x: Any, pads: Sequence[tuple[int, int]], dilation: Sequence[int], fill: Any
) -> Any:
    """x with ``dilation − 1`` entries ``fill`` between neighbours along each axis, then padded
    with ``fill`` by ``pads`` (a negative padding removes entries, after the positive side is
    padded, as XLA's pad)."""
    lengths = [_padded_length(*dim) for dim in zip(shape(x), dilation, pads, strict=True)]
    if any(d > 1 for d in dilation):
        holes = anp.full(tuple(map(_dilate_dim, shape(x), dilation)), fill, dtype_of(x))
        x = holes.at[tuple(slice(None, None, d) for d in dilation)].set(x)
    if any(lo > 0 or hi > 0 for lo, hi in pads):
        x = anp.pad(x, [(max(lo, 0), max(hi, 0)) for lo, hi in pads], constant_values=fill)
    if any(lo < 0 or hi < 0 for lo, hi in pads):
        x = x[
            tuple(
                slice(max(-lo, 0), max(-lo, 0) + n)
                for n, (lo, _) in zip(lengths, pads, strict=True)
            )
        ]
    return x


def _windows(x: Any, window: Sequence[int], strides: Sequence[int], dilation: Sequence[int]) -> Any:
    """The windows of x stacked on a new leading axis: ``out[k, y] = x[y·s + k·d]`` for each
    offset k of the window (row-major, flattened), y over the windows that fit."""
    counts = tuple(
        _window_count(n, _dilate_dim(w, d), s)
        for n, w, s, d in zip(shape(x), window, strides, dilation, strict=True)
    )
    slices = [
        x[
            tuple(
                slice(k * d, k * d + y * s, s)
                for k, d, y, s in zip(at, dilation, counts, strides, strict=True)
            )
        ]
        for at in itertools.product(*map(range, window))
    ]
    return anp.stack(slices)


def _patches(
    x: Any,
    window: Sequence[int],
    strides: Sequence[int],
    pads: Sequence[tuple[int, int]],
    lhs_dilation: Sequence[int],
    rhs_dilation: Sequence[int],
) -> Any:
    """The convolution windows of a canonical-layout input ``(N, C, S...)``, zero-padded and
    dilated: shape ``(K, N, C, Y...)``, K the window offsets (row-major)."""
    x = _dilated_padded(x, ((0, 0), (0, 0), *pads), (1, 1, *lhs_dilation), 0)
    return _windows(x, (1, 1, *window), (1, 1, *strides), (1, 1, *rhs_dilation))


def _grouped(size: int, groups: int) -> tuple[int, ...]:
    """An axis of ``size`` split into (groups, size / groups), or kept whole for one group."""
    return (groups, size // groups) if groups > 1 else (size,)


def _contract(patches: Any, kernel: Any, feature_groups: int, batch_groups: int) -> Any:
    """``out[n, o, y] = Σ_{k, c} patches[k, n, c, y] · kernel[o, c, k]`` within each group: the
    canonical output ``(N / batch_groups, O, Y...)`` of windows ``(K, N, C, Y...)`` and a
    canonical kernel ``(O, C / feature_groups, K...)``."""
    k, n, c, *spatial = shape(patches)
    o, c_group = shape(kernel)[:2]
    ys = _SPATIAL_LABELS[: len(spatial)]
    g = "g" if feature_groups * batch_groups > 1 else ""
    lhs_labels = f"k{g if batch_groups > 1 else ''}n{g if feature_groups > 1 else ''}c{ys}"
    patches = anp.reshape(
        patches, (k, *_grouped(n, batch_groups), *_grouped(c, feature_groups), *spatial)
    )
    kernel = anp.reshape(kernel, (*_grouped(o, feature_groups * batch_groups), c_group, k))
    out = anp.einsum(f"{lhs_labels},{g}ock->n{g}o{ys}", patches, kernel)
    return anp.reshape(out, (n // batch_groups, o, *spatial))


# ------------------------------------------------------------------------------ convolutions
def conv_general_dilated(
    lhs: Any,
    rhs: Any,
    window_strides: Sequence[int],
    padding: Padding,
    lhs_dilation: Sequence[int] | None = None,
    rhs_dilation: Sequence[int] | None = None,
    dimension_numbers: ConvGeneralDilatedDimensionNumbers = None,
    feature_group_count: int = 1,
    batch_group_count: int = 1,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """The n-dimensional convolution (a cross-correlation) of ``lhs`` with the kernel ``rhs``:
    strides, padding (``'SAME'``, ``'SAME_LOWER'``, ``'VALID'`` or (low, high) pairs, negative
    allowed), lhs (transposed-convolution) and rhs (atrous) dilation, feature groups (grouped and
    depthwise convolutions) and batch groups, in the layouts ``dimension_numbers``."""
    lhs, rhs = anp.asarray(lhs), anp.asarray(rhs)
    dnums = conv_dimension_numbers(shape(lhs), shape(rhs), dimension_numbers)
    n = ndim(lhs) - 2
    fn = "conv_general_dilated"
    _check_conv_shapes(shape(lhs), shape(rhs), dnums, feature_group_count, batch_group_count)
    strides = _positive_ints(window_strides, n, "window_strides", fn)
    if isinstance(padding, str) and lhs_dilation is not None and any(d != 1 for d in lhs_dilation):
        raise ValueError(
            "String padding is not implemented for transposed convolution using this op. "
            "Please either exactly specify the required padding or use conv_transpose."
        )
    lhs_dilation = _positive_ints(lhs_dilation, n, "lhs_dilation", fn)
    rhs_dilation = _positive_ints(rhs_dilation, n, "rhs_dilation", fn)
    lhs, rhs = _operand_dtypes(lhs, rhs, preferred_element_type)
    x = _permuted(lhs, dnums.lhs_spec)
    w = _permuted(rhs, dnums.rhs_spec)
    window = _positive_ints(shape(w)[2:], n, "the kernel's spatial sizes", fn)
    dilated_window = tuple(map(_dilate_dim, window, rhs_dilation))
    pads = _explicit_padding(padding, shape(x)[2:], dilated_window, strides, fn)
    patches = _patches(x, window, strides, pads, lhs_dilation, rhs_dilation)
    out = _contract(patches, w, feature_group_count, batch_group_count)
    return _permuted(out, np.argsort(dnums.out_spec))


def _check_conv_shapes(
    lhs_shape: tuple[int, ...],
    rhs_shape: tuple[int, ...],
    dnums: ConvDimensionNumbers,
    feature_group_count: int,
    batch_group_count: int,
) -> None:
    """JAX's checks of a convolution's operand shapes against its groups."""
    if len(lhs_shape) != len(rhs_shape):
        raise ValueError(
            "conv_general_dilated lhs and rhs must have the same number of dimensions, but got "
            f"{lhs_shape} and {rhs_shape}."
        )
    if len(lhs_shape) < 2:
        raise ValueError(
            f"conv_general_dilated needs operands with batch and feature dimensions (ndim >= 2), "
            f"got shapes {lhs_shape} and {rhs_shape}."
        )
    for name, count in (("feature", feature_group_count), ("batch", batch_group_count)):
        if operator.index(count) < 1:
            raise ValueError(
                f"conv_general_dilated {name}_group_count must be a positive integer, got {count}."
            )
    if feature_group_count > 1 and batch_group_count > 1:
        raise ValueError(
            "At most one of batch_group_count and feature_group_count may be > 1, got "
            f"batch_group_count={batch_group_count} and feature_group_count={feature_group_count}"
        )
    features = lhs_shape[dnums.lhs_spec[1]]
    in_features = rhs_shape[dnums.rhs_spec[1]]
    out_features = rhs_shape[dnums.rhs_spec[0]]
    batch = lhs_shape[dnums.lhs_spec[0]]
    if features % feature_group_count:
        raise ValueError(
            "conv_general_dilated feature_group_count must divide lhs feature dimension size, "
            f"but {feature_group_count} does not divide {features}."
        )
    if features // feature_group_count != in_features:
        raise ValueError(
            "conv_general_dilated lhs feature dimension size divided by feature_group_count "
            "must equal the rhs input feature dimension size, but "
            f"{features} // {feature_group_count} != {in_features}."
        )
    if batch % batch_group_count:
        raise ValueError(
            "conv_general_dilated batch_group_count must divide lhs batch dimension size, but "
            f"{batch_group_count} does not divide {batch}."
        )
    for name, count in (("feature", feature_group_count), ("batch", batch_group_count)):
        if out_features % count:
            raise ValueError(
                "conv_general_dilated rhs output feature dimension size must be a multiple of "
                f"{name}_group_count, but {out_features} is not a multiple of {count}."
            )


def _operand_dtypes(lhs: Any, rhs: Any, preferred_element_type: Any) -> tuple[Any, Any]:
    """lhs and rhs (of one dtype, as JAX requires) in the accumulation type."""
    if dtype_of(lhs) != dtype_of(rhs):
        raise TypeError(
            "lax.conv_general_dilated requires arguments to have the same dtypes, got "
            f"{dtype_of(lhs)}, {dtype_of(rhs)}: convert one with .astype"
        )
    if preferred_element_type is None:
        return lhs, rhs
    dtype = _check_preferred_element_type(dtype_of(lhs), preferred_element_type)
    return in_dtype(lhs, dtype), in_dtype(rhs, dtype)


def conv(
    lhs: Any,
    rhs: Any,
    window_strides: Sequence[int],
    padding: Padding,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """:func:`conv_general_dilated` in the ``NCHW``/``OIHW`` layout, without dilation or groups."""
    return conv_general_dilated(
        lhs,
        rhs,
        window_strides,
        padding,
        precision=precision,
        preferred_element_type=preferred_element_type,
    )


def conv_with_general_padding(
    lhs: Any,
    rhs: Any,
    window_strides: Sequence[int],
    padding: Padding,
    lhs_dilation: Sequence[int] | None,
    rhs_dilation: Sequence[int] | None,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """:func:`conv_general_dilated` in the ``NCHW``/``OIHW`` layout, with dilations."""
    return conv_general_dilated(
        lhs,
        rhs,
        window_strides,
        padding,
        lhs_dilation=lhs_dilation,
        rhs_dilation=rhs_dilation,
        precision=precision,
        preferred_element_type=preferred_element_type,
    )


def conv_transpose(
    lhs: Any,
    rhs: Any,
    strides: Sequence[int],
    padding: Padding,
    rhs_dilation: Sequence[int] | None = None,
    dimension_numbers: ConvGeneralDilatedDimensionNumbers = None,
    transpose_kernel: bool = False,
    precision: Any = None,
    preferred_element_type: Any = None,
    use_consistent_padding: bool = False,
) -> Any:
    """The transposed ("fractionally strided") convolution: :func:`conv_general_dilated` with
    unit window strides, ``lhs_dilation = strides`` and JAX's padding. ``'SAME'`` / ``'VALID'``
    (and, with ``use_consistent_padding``, (low, high) pairs) name the forward convolution's
    padding; otherwise pairs pad the dilated input directly. Default layouts are TensorFlow's
    (``NHWC``, ``HWIO``). ``transpose_kernel`` flips the kernel's spatial axes and swaps its
    input and output features (the gradient of a convolution, as Keras' ``Conv2DTranspose``)."""
    lhs, rhs = anp.asarray(lhs), anp.asarray(rhs)
    nd = ndim(lhs)
    if nd != ndim(rhs) or nd < 2:
        raise ValueError(
            "conv_transpose: lhs and rhs need the same number of dimensions, at least 2, got "
            f"shapes {shape(lhs)} and {shape(rhs)}"
        )
    if dimension_numbers is None:
        if nd not in _TRANSPOSE_LAYOUTS:
            raise ValueError(
                f"conv_transpose: no default dimension_numbers for {nd - 2} spatial dimensions; "
                "pass dimension_numbers, e.g. ('NHWDC', 'HWDIO', 'NHWDC') for three"
            )
        dimension_numbers = _TRANSPOSE_LAYOUTS[nd]
    dn = conv_dimension_numbers(shape(lhs), shape(rhs), dimension_numbers)
    strides = _positive_ints(strides, nd - 2, "strides", "conv_transpose")
    rhs_dilation = _positive_ints(rhs_dilation, nd - 2, "rhs_dilation", "conv_transpose")
    pads: Padding = padding
    if use_consistent_padding or (isinstance(padding, str) and padding in ("SAME", "VALID")):
        kernel = _taken(shape(rhs), dn.rhs_spec)[2:]
        per_dim = [padding] * len(strides) if isinstance(padding, str) else padding
        pads = tuple(
            _conv_transpose_padding(_dilate_dim(k, d), s, p)
            for k, d, s, p in zip(kernel, rhs_dilation, strides, per_dim, strict=True)
        )
    if transpose_kernel:
        rhs = anp.swapaxes(anp.flip(rhs, dn.rhs_spec[2:]), dn.rhs_spec[0], dn.rhs_spec[1])
    return conv_general_dilated(
        lhs,
        rhs,
        (1,) * (nd - 2),
        pads,
        strides,
        rhs_dilation,
        dn,
        precision=precision,
        preferred_element_type=preferred_element_type,
    )


def _patch_geometry(
    x: Any,
    filter_shape: Sequence[int],
    window_strides: Sequence[int],
    padding: Padding,
    lhs_dilation: Sequence[int] | None,
    rhs_dilation: Sequence[int] | None,
    fn: str,
) -> Any:
    """The windows ``(K, N, C, Y...)`` of a canonical-layout input for a filter of
    ``filter_shape`` (canonical spatial order), every argument checked."""
    n = ndim(x) - 2
    window = _positive_ints(filter_shape, n, "filter_shape", fn)
    strides = _positive_ints(window_strides, n, "window_strides", fn)
    lhs_dilation = _positive_ints(lhs_dilation, n, "lhs_dilation", fn)
    rhs_dilation = _positive_ints(rhs_dilation, n, "rhs_dilation", fn)
    dilated_window = tuple(map(_dilate_dim, window, rhs_dilation))
    pads = _explicit_padding(padding, shape(x)[2:], dilated_window, strides, fn)
    return _patches(x, window, strides, pads, lhs_dilation, rhs_dilation)


def conv_general_dilated_patches(
    lhs: Any,
    filter_shape: Sequence[int],
    window_strides: Sequence[int],
    padding: Padding,
    lhs_dilation: Sequence[int] | None = None,
    rhs_dilation: Sequence[int] | None = None,
    dimension_numbers: ConvGeneralDilatedDimensionNumbers = None,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """The patches a convolution with a filter of ``filter_shape`` (spatial, in the rhs layout's
    order) sees: the output layout's feature axis holds each flattened patch, input feature
    major, then the window offsets (JAX's ``"c" + spatial`` order), so a convolution is this
    contracted with the flattened kernel."""
    lhs = anp.asarray(lhs)
    filter_shape = tuple(filter_shape)
    dnums = conv_dimension_numbers(shape(lhs), (1, 1, *filter_shape), dimension_numbers)
    if preferred_element_type is not None:
        lhs = in_dtype(lhs, _check_preferred_element_type(dtype_of(lhs), preferred_element_type))
    x = _permuted(lhs, dnums.lhs_spec)
    patches = _patch_geometry(
        x,
        filter_shape,
        window_strides,
        padding,
        lhs_dilation,
        rhs_dilation,
        "conv_general_dilated_patches",
    )
    k, n, c, *spatial = shape(patches)
    flat = anp.reshape(anp.moveaxis(patches, 0, 2), (n, c * k, *spatial))
    return _permuted(flat, np.argsort(dnums.out_spec))


def conv_general_dilated_local(
    lhs: Any,
    rhs: Any,
    window_strides: Sequence[int],
    padding: Padding,
    filter_shape: Sequence[int],
    lhs_dilation: Sequence[int] | None = None,
    rhs_dilation: Sequence[int] | None = None,
    dimension_numbers: ConvGeneralDilatedDimensionNumbers = None,
    precision: Any = None,
) -> Any:
    """The unshared (locally connected) convolution: a separate kernel at each output position.
    ``rhs``'s spatial axes are the output positions, its ``I`` axis the flattened patch of
    :func:`conv_general_dilated_patches` (input feature major, then the window offsets)."""
    lhs, rhs = anp.asarray(lhs), anp.asarray(rhs)
    filter_shape = tuple(filter_shape)
    dnums = conv_dimension_numbers(shape(lhs), (1, 1, *filter_shape), dimension_numbers)
    x = _permuted(lhs, dnums.lhs_spec)
    w = _permuted(rhs, dnums.rhs_spec)
    patches = _patch_geometry(
        x,
        filter_shape,
        window_strides,
        padding,
        lhs_dilation,
        rhs_dilation,
        "conv_general_dilated_local",
    )
    k, _, c, *spatial = shape(patches)
    if shape(w)[1:] != (c * k, *spatial):
        raise ValueError(
            "conv_general_dilated_local: rhs needs an input feature axis of size "
            f"features × prod(filter_shape) = {c * k} and spatial axes of the output's sizes "
            f"{tuple(spatial)}, got (in canonical order) {shape(w)[1:]}"
        )
    ys = _SPATIAL_LABELS[: len(spatial)]
    w = anp.reshape(w, (shape(w)[0], c, k, *spatial))
    out = anp.einsum(f"knc{ys},ock{ys}->no{ys}", patches, w)
    return _permuted(out, np.argsort(dnums.out_spec))


# ------------------------------------------------------------------------------ reduce_window
def _chosen(windows: Any, pick: Callable[..., np.ndarray]) -> Any:
    """The entry of each window (axis 0) at ``pick`` (np.argmax / np.argmin: the first that
    attains the extremum), gathered so that only it gets the derivative."""
    index = pick(plain(windows), axis=0)[None]
    return anp.take_along_axis(windows, index, axis=0)[0]


#: The window reduction (of axis 0) of each computation reduce_window knows; its identity,
#: which fills the padding and the holes of a base dilation, is :data:`IDENTITY`'s.
_WINDOW_REDUCTIONS: dict[Any, Callable[[Any], Any]] = {
    anp.add: lambda w: anp.sum(w, axis=0),
    anp.multiply: lambda w: anp.prod(w, axis=0),
    anp.maximum: lambda w: _chosen(w, np.argmax),
    anp.minimum: lambda w: _chosen(w, np.argmin),
}


def reduce_window(
    operand: Any,
    init_value: Any,
    computation: Callable[[Any, Any], Any],
    window_dimensions: Sequence[int],
    window_strides: Sequence[int] | None = None,
    padding: Padding = "VALID",
    base_dilation: Sequence[int] | None = None,
    window_dilation: Sequence[int] | None = None,
) -> Any:
    """``computation`` (``add``, ``multiply``, ``maximum`` or ``minimum``: ``lax.add``, ``lax.mul``,
    ``lax.max``, ``lax.min``) over each window of ``operand``, combined with ``init_value``:
    sum, product, max and min pooling, with strides, padding (padded entries and base-dilation
    holes take no part), base and window dilation. Max and min pooling differentiate to the first
    entry (row-major) of each window that attains the extremum, as JAX's."""
    if computation not in _WINDOW_REDUCTIONS:
        raise TypeError(
            "reduce_window: computation must be one of admodes.numpy's add, multiply, maximum, "
            "minimum (lax.add, lax.mul, lax.max, lax.min: the reductions supported here), got "
            f"{computation!r}"
        )
    if isinstance(operand, list | tuple | dict):
        raise TypeError(
            "reduce_window takes one array operand (a pytree of operands needs a computation "
            "over tuples, which is not supported): call it once per array"
        )
    operand = anp.asarray(operand)
    dtype = dtype_of(operand)
    if not np.issubdtype(dtype, np.number) or np.issubdtype(dtype, np.complexfloating):
        raise TypeError(
            f"reduce_window: operand must hold real numbers, got dtype {dtype}; convert it "
            "with .astype"
        )
    if ndim(init_value) != 0:
        raise TypeError(
            f"reduce_window expected init_value to be a scalar but it has shape {shape(init_value)}"
        )
    n, fn = ndim(operand), "reduce_window"
    window = _positive_ints(window_dimensions, n, "window_dimensions", fn)
    strides = _positive_ints(window_strides, n, "window_strides", fn)
    base_dilation = _positive_ints(base_dilation, n, "base_dilation", fn)
    window_dilation = _positive_ints(window_dilation, n, "window_dilation", fn)
    dilated_window = tuple(map(_dilate_dim, window, window_dilation))
    pads = _explicit_padding(padding, shape(operand), dilated_window, strides, fn)
    x = _dilated_padded(operand, pads, base_dilation, IDENTITY[computation](dtype))
    reduced = _WINDOW_REDUCTIONS[computation](_windows(x, window, strides, window_dilation))
    return in_dtype(computation(reduced, in_dtype(init_value, dtype)), dtype)
