"""Contractions with NumPy's signatures: ``matmul`` (the registry's primitive), ``einsum`` and
the products written as einsums (``tensordot``, ``inner``, ``dot``, ``vdot``), ``outer`` and
``kron``. The products take JAX's keywords: ``precision`` is accepted (NumPy computes in full
precision), ``preferred_element_type`` is the result's dtype (:func:`in_preferred_type`).

``einsum`` takes NumPy's subscripts (implicit or explicit output, ``...``, repeated labels for
diagonals and traces, size-1 axes broadcast across operands) and hands the primitive canonical
ones: an explicit output, ``...`` spelled out as letters, and size-1 axes that broadcast against
a longer one squeezed away, so that every label has one size. An explicit output without ``...``
sums over the broadcast ``...`` axes, as JAX's.
"""

from __future__ import annotations

import string
import warnings
from collections import Counter
from collections.abc import Sequence
from functools import partial
from typing import Any

import numpy as _np

from admodes.batching import is_mapped
from admodes.core import complex_dtype_of, dtype_of, ndim, numbers, plain, shape, size
from admodes.numpy._functions import (
    abs,
    add,
    asarray,
    astype,
    axes_in_order,
    clip,
    concatenate,
    divide,
    expand_dims,
    flip,
    getitem,
    multiply,
    negative,
    reshape,
    sqrt,
    square,
    squeeze,
    stack,
    subtract,
    sum,
    transpose,
    where,
)
from admodes.numpy._reductions import average
from admodes.numpy._shapes import atleast_1d, atleast_2d, diagonal, moveaxis, pad, trim_zeros
from admodes.rules import contractions as _contractions
from admodes.rules import linalg as _linalg
from admodes.rules.contractions import join_subscripts
from admodes.rules.elementwise import conj, is_complex, real
from admodes.rules.linalg import row, rows
from admodes.rules.shape import astype as _astype


# ------------------------------------------------------------------------------------ matmul
def in_preferred_type(product: Any, operands: Sequence[Any], preferred_element_type: Any) -> Any:
    """``product(*operands)`` with JAX's ``preferred_element_type``: None computes in the
    operands' own types; a dtype gives the result that dtype, computed in the promotion of it
    and the operands' types (float32 operands, float64 preferred: a float64 product)."""
    if preferred_element_type is None:
        return product(*operands)
    preferred = _np.dtype(preferred_element_type)
    computed = _np.promote_types(_np.result_type(*(dtype_of(x) for x in operands)), preferred)
    converted = (x if dtype_of(x) == computed else astype(x, computed) for x in operands)
    return astype(product(*converted), preferred)


def matmul(a: Any, b: Any, /, *, precision: Any = None, preferred_element_type: Any = None) -> Any:
    """a @ b with NumPy's broadcasting of the leading axes (a 1-D operand a row or a column,
    its axis dropped from the result): the registry's ``matmul``."""
    return in_preferred_type(_contractions.matmul, (a, b), preferred_element_type)


# ------------------------------------------------------------------------------------ einsum
def einsum(
    subscripts: Any,
    *operands: Any,
    optimize: Any = "greedy",
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """Einstein summation as ``numpy.einsum``, evaluated along NumPy's greedy contraction path
    (``optimize`` is accepted for NumPy's signature; the path is always optimized). Also NumPy's
    interleaved form ``einsum(a, [0, 1], b, [1, 2], [0, 2])``."""
    if not isinstance(subscripts, str):
        subscripts, operands = _from_interleaved((subscripts, *operands))
    terms, output = _explicit(subscripts.replace(" ", ""), [shape(x) for x in operands])
    operands, terms = _squeezed(list(operands), terms)
    contract = partial(_contractions.einsum, join_subscripts(terms, output))
    return in_preferred_type(contract, operands, preferred_element_type)


def _from_interleaved(args: tuple) -> tuple[str, tuple]:
    """``(subscripts, operands)`` from NumPy's interleaved arguments ``a, sublist_a, b,
    sublist_b, ..., [output sublist]``, a sublist holding axis labels 0–51 and ``Ellipsis``."""
    pairs, output = (args[:-1], args[-1]) if len(args) % 2 else (args, None)
    terms = [_term(sublist) for sublist in pairs[1::2]]
    arrow = "" if output is None else "->" + _term(output)
    return ",".join(terms) + arrow, pairs[0::2]


def _term(sublist: Any) -> str:
    """One interleaved sublist as subscript letters (label k is the k-th of a–z, A–Z)."""
    letters = []
    for label in sublist:
        if label is Ellipsis:
            letters.append("...")
        elif isinstance(label, int) and 0 <= label < len(string.ascii_letters):
            letters.append(string.ascii_letters[label])
        else:
            raise ValueError(
                f"einsum: an interleaved sublist holds integers 0–51 and Ellipsis, got {label!r} "
                f"in {sublist!r}"
            )
    return "".join(letters)


def _explicit(subscripts: str, shapes: list[tuple[int, ...]]) -> tuple[list[str], str]:
    """The terms and output with ``...`` spelled out and the implicit output made explicit; an
    explicit output without ``...`` leaves the ``...`` letters out, so they are summed."""
    inputs, arrow, output = subscripts.partition("->")
    terms = inputs.split(",")
    if len(terms) != len(shapes):
        raise ValueError(
            f"einsum: the subscripts {subscripts!r} name {len(terms)} operands, "
            f"but {len(shapes)} were given"
        )
    spare = [c for c in string.ascii_letters if c not in subscripts]
    n_ellipsis = max(
        (len(s) - len(t) + 3 for t, s in zip(terms, shapes, strict=True) if "..." in t), default=0
    )
    ellipsis = "".join(spare[:n_ellipsis])
    spelled = []
    for t, s in zip(terms, shapes, strict=True):
        if "..." in t:
            k = len(s) - len(t) + 3
            t = t.replace("...", ellipsis[n_ellipsis - k :] if k > 0 else "")
        if len(t) != len(s) or not all(c in string.ascii_letters for c in t):
            raise ValueError(
                f"einsum: the subscripts {t!r} do not name the {len(s)} axes of an operand of "
                f"shape {s}: give one letter per axis, or '...' for leading axes"
            )
        spelled.append(t)
    if not arrow:
        counts = Counter("".join(spelled))
        once = sorted(c for c, n in counts.items() if n == 1 and c not in ellipsis)
        return spelled, ellipsis + "".join(once)
    return spelled, output.replace("...", ellipsis)


def _squeezed(operands: list[Any], terms: list[str]) -> tuple[list[Any], list[str]]:
    """Size-1 axes that broadcast against a longer axis of the same label in another operand,
    squeezed away. A label repeated within one operand (a diagonal or trace) must have one size
    on each of its axes, as NumPy requires."""
    sizes: dict[str, int] = {}
    for t, x in zip(terms, operands, strict=True):
        own: dict[str, int] = {}
        for c, d in zip(t, shape(x), strict=True):
            if own.setdefault(c, d) != d:
                raise ValueError(
                    f"einsum: label {c!r} repeats in the operand {t!r} of shape {shape(x)} with "
                    f"sizes {own[c]} and {d}: a label repeated within one operand must have the "
                    "same size on each of its axes"
                )
            if d != 1 and sizes.get(c, 1) not in (1, d):
                raise ValueError(
                    f"einsum: label {c!r} has size {sizes[c]} in one operand and {d} in another"
                )
            sizes[c] = d if d != 1 else sizes.get(c, 1)
    for i, (t, x) in enumerate(zip(terms, operands, strict=True)):
        keep = [
            k for k, (c, d) in enumerate(zip(t, shape(x), strict=True)) if d != 1 or sizes[c] == 1
        ]
        if len(keep) < len(t):
            operands[i] = reshape(x, tuple(shape(x)[k] for k in keep))
            terms[i] = "".join(t[k] for k in keep)
    return operands, terms


# ------------------------------------------------------------------------ products as einsums
def tensordot(
    a: Any,
    b: Any,
    axes: int | Sequence[Any] = 2,
    *,
    precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:
    """Σ over the paired ``axes`` of a and b; the result has a's free axes, then b's."""
    na, nb = ndim(a), ndim(b)
    if isinstance(axes, int):
        axes_a, axes_b = list(range(na - axes, na)), list(range(axes))
    else:
        axes_a, axes_b = axes
    axes_a, axes_b = axes_in_order(axes_a, na, "axes"), axes_in_order(axes_b, nb, "axes")
    if len(axes_a) != len(axes_b):
        raise ValueError(f"tensordot: axes {axes} pair {len(axes_a)} axes with {len(axes_b)}")
    letters = iter(string.ascii_letters)
    ta = [next(letters) for _ in range(na)]
    tb = [next(letters) for _ in range(nb)]
    for i, j in zip(axes_a, axes_b, strict=True):
        tb[j] = ta[i]
    summed = set(tb) & set(ta)
    output = [c for c in ta if c not in summed] + [c for c in tb if c not in summed]
    subscripts = f"{''.join(ta)},{''.join(tb)}->{''.join(output)}"
    return einsum(subscripts, a, b, preferred_element_type=preferred_element_type)


def inner(a: Any, b: Any, *, precision: Any = None, preferred_element_type: Any = None) -> Any:
    """Σ over the last axes of a and b (a product when either is 0-d)."""
    if ndim(a) == 0 or ndim(b) == 0:
        return in_preferred_type(multiply, (a, b), preferred_element_type)
    return tensordot(a, b, ([-1], [-1]), preferred_element_type=preferred_element_type)


def dot(a: Any, b: Any, *, precision: Any = None, preferred_element_type: Any = None) -> Any:
    """NumPy's dot: a product with a 0-d operand, ``matmul`` for 1-D and 2-D operands, else the
    sum over a's last axis and b's second-to-last (its only one when 1-D)."""
    if ndim(a) == 0 or ndim(b) == 0:
        return in_preferred_type(multiply, (a, b), preferred_element_type)
    if ndim(a) <= 2 and ndim(b) <= 2:
        return matmul(a, b, preferred_element_type=preferred_element_type)
    axes = ([-1], [-2 if ndim(b) > 1 else -1])
    return tensordot(a, b, axes, preferred_element_type=preferred_element_type)


def vdot(a: Any, b: Any, *, precision: Any = None, preferred_element_type: Any = None) -> Any:
    """Σᵢ āᵢ bᵢ over the flattened a and b (a conjugated, as NumPy)."""
    a = conj(a) if is_complex(a) else a
    flat_a, flat_b = reshape(a, (size(a),)), reshape(b, (size(b),))
    return inner(flat_a, flat_b, preferred_element_type=preferred_element_type)


def outer(a: Any, b: Any) -> Any:
    """aᵢ·bⱼ for the flattened a and b."""
    return multiply(reshape(a, (size(a), 1)), reshape(b, (1, size(b))))


def kron(a: Any, b: Any) -> Any:
    """The Kronecker product: block (i, j, ...) is a[i, j, ...] · b (the shorter shape is
    padded with leading ones)."""
    n = max(ndim(a), ndim(b))
    sa = (1,) * (n - ndim(a)) + shape(a)
    sb = (1,) * (n - ndim(b)) + shape(b)
    spread_a = reshape(a, tuple(d for x in sa for d in (x, 1)))
    spread_b = reshape(b, tuple(d for x in sb for d in (1, x)))
    return reshape(multiply(spread_a, spread_b), tuple(x * y for x, y in zip(sa, sb, strict=True)))


def cross(
    a: Any, b: Any, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None
) -> Any:
    """The cross product of vectors along ``axisa``/``axisb`` (broadcast over the others), as
    ``jax.numpy.cross``: of 3-vectors (a₁b₂ − a₂b₁, a₂b₀ − a₀b₂, a₀b₁ − a₁b₀), placed along
    ``axisc``, a 2-vector with a 3-vector read as one with a zero third component; of two
    2-vectors the z-component a₀b₁ − a₁b₀ alone (``axisc`` unused), as JAX (NumPy 2 deprecates
    2-vectors)."""
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = moveaxis(asarray(a), axisa, -1), moveaxis(asarray(b), axisb, -1)
    if shape(a)[-1] not in (2, 3) or shape(b)[-1] not in (2, 3):
        raise ValueError(
            f"cross needs vectors of 2 or 3 components along the axis, got shapes {shape(a)} "
            f"and {shape(b)}"
        )
    (a0, a1, a2), (b0, b1, b2) = _xyz(a), _xyz(b)
    if shape(a)[-1] == shape(b)[-1] == 2:
        return a0 * b1 - a1 * b0
    parts = [a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0]
    return moveaxis(stack(parts, axis=-1), -1, axisc)


def _xyz(v: Any) -> tuple[Any, Any, Any]:
    """The components of the vectors v (last axis of length 2 or 3), the third 0 (JAX's
    zeros) for 2-vectors."""
    return v[..., 0], v[..., 1], v[..., 2] if shape(v)[-1] == 3 else 0


# ------------------------------------------------------------------------------ vectors
def vecdot(
    x1: Any, x2: Any, /, *, axis: int = -1, precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:  # fmt: skip
    """Σ conj(x1)·x2 over ``axis``, broadcast over the other axes (the array API's ``vecdot``)."""
    x1, x2 = asarray(x1), asarray(x2)
    if shape(x1)[axis] != shape(x2)[axis]:
        raise ValueError(
            f"vecdot: axes must match; got shapes {shape(x1)} and {shape(x2)} with axis={axis}"
        )
    x1, x2 = moveaxis(x1, axis, -1), moveaxis(x2, axis, -1)
    x1 = conj(x1) if is_complex(x1) else x1
    return in_preferred_type(
        lambda u, v: sum(multiply(u, v), axis=-1), (x1, x2), preferred_element_type
    )


# ------------------------------------------------------------------------------ convolutions
def convolve(
    a: Any, v: Any, mode: str = "full", *, precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:  # fmt: skip
    """cₖ = Σⱼ a[k − j]·v[j] of 1-D a and v, modes ``full`` (default), ``same`` (centred, the
    length of the longer input) and ``valid``, as JAX computes it: the shorter input (reversed)
    slides along the longer one, each output a dot product of a window, so the derivative with
    respect to each input is a correlation with the other."""
    return in_preferred_type(
        partial(_conv, mode=mode, op="convolve"), (a, v), preferred_element_type
    )


def correlate(
    a: Any, v: Any, mode: str = "valid", *, precision: Any = None,
    preferred_element_type: Any = None,
) -> Any:  # fmt: skip
    """cₖ = Σₙ a[n + k]·conj(v[n]) of 1-D a and v, modes ``valid`` (default), ``same`` and
    ``full``; if v is the longer one the inputs swap and the result is reversed (NumPy's and
    JAX's convention)."""
    return in_preferred_type(
        partial(_conv, mode=mode, op="correlate"), (a, v), preferred_element_type
    )


def _conv(x: Any, y: Any, mode: str, op: str) -> Any:
    """JAX's 1-D convolution and correlation: y (conjugated or reversed) slid along the longer
    input padded for ``mode``, as a gather of the windows times y."""
    x, y = asarray(x), asarray(y)
    if ndim(x) != 1 or ndim(y) != 1:
        raise ValueError(f"{op}() only supports 1-dimensional inputs")
    if not size(x) or not size(y):
        raise ValueError(f"{op}: inputs cannot be empty, got shapes {shape(x)} and {shape(y)}")
    backwards = False
    if op == "correlate":
        y = conj(y) if is_complex(y) else y
        if size(x) < size(y):
            x, y, backwards = y, x, True
    else:
        if size(x) < size(y):
            x, y = y, x
        y = flip(y)
    m = size(y)
    padding = {"valid": (0, 0), "same": (m // 2, m - m // 2 - 1), "full": (m - 1, m - 1)}
    if mode not in padding:
        raise ValueError("mode must be one of ['full', 'same', 'valid']")
    if any(padding[mode]):
        x = pad(x, padding[mode])
    n_out = size(x) - m + 1
    windows = getitem(x, (_np.arange(n_out)[:, None] + _np.arange(m)[None, :],))
    out = matmul(windows, y)
    return flip(out) if backwards else out


# ------------------------------------------------------------------------------ polynomials
def matvec(x1: Any, x2: Any) -> Any:
    """Matrix times vector, broadcast over leading axes: (…, m, n) · (…, n) → (…, m)."""
    return squeeze(matmul(x1, expand_dims(x2, -1)), -1)


def vecmat(x1: Any, x2: Any) -> Any:
    """Conjugated vector times matrix, broadcast over leading axes: (…, m) · (…, m, n) → (…, n)."""
    return squeeze(matmul(expand_dims(conj(x1), -2), x2), -2)


def polyval(p: Any, x: Any, *, unroll: int = 16) -> Any:
    """p[0]·xⁿ⁻¹ + … + p[n−1] by Horner's rule, y ← y·x + p[k] from y = 0 (as NumPy and JAX;
    ``unroll`` is accepted for JAX's signature)."""
    p, x = asarray(p), asarray(x)
    y = _np.zeros(
        _np.broadcast_shapes(shape(p)[1:], shape(x)), _np.result_type(dtype_of(p), dtype_of(x))
    )
    for k in range(shape(p)[0]):
        y = add(multiply(y, x), getitem(p, k))
    return y


def polyadd(a1: Any, a2: Any) -> Any:
    """The coefficients of the sum of two polynomials (highest power first: the shorter one is
    padded in front)."""
    return _aligned_polys(a1, a2, add)


def polysub(a1: Any, a2: Any) -> Any:
    """The coefficients of a1 − a2 (highest power first)."""
    return _aligned_polys(a1, a2, subtract)


def _aligned_polys(a1: Any, a2: Any, op: Any) -> Any:
    a1, a2 = asarray(a1), asarray(a2)
    n = max(shape(a1)[0], shape(a2)[0])
    return op(*(pad(a, (n - shape(a)[0], 0)) for a in (a1, a2)))


def polymul(a1: Any, a2: Any, *, trim_leading_zeros: bool = False) -> Any:
    """The coefficients of the product of two polynomials: their full convolution. With
    ``trim_leading_zeros`` (JAX's), each factor's leading zeros are dropped first (a factor of
    zeros only becomes [0]), so the product has no leading zeros either."""
    a1, a2 = atleast_1d(asarray(a1), asarray(a2))
    if trim_leading_zeros and (size(a1) > 1 or size(a2) > 1):
        a1, a2 = (_leading_zeros_dropped(a) for a in (a1, a2))
    return convolve(a1, a2)


def _leading_zeros_dropped(a: Any) -> Any:
    """The 1-D ``a`` without its leading zeros; [0] (of a's dtype) where it has nothing else."""
    a = trim_zeros(a, "f")
    return a if size(a) else _np.zeros(1, dtype_of(a))


def polyint(p: Any, m: int = 1, k: Any = None) -> Any:
    """The coefficients of the m-th antiderivative of p (highest power first): each pass divides
    p[j] by its new power n − j and appends the next integration constant of k (0 by default; a
    scalar serves every pass)."""
    if m < 0:
        raise ValueError(f"polyint: the order of the integral must be non-negative, got m={m}")
    if k is None:
        constants = [0.0] * m
    elif ndim(asarray(k)) == 0:
        constants = [k] * m
    else:
        constants = list(k)
    if len(constants) != m:
        raise ValueError(f"polyint: k must be a scalar or m = {m} constants, got {len(constants)}")
    p = asarray(p)
    for constant in constants:
        n = shape(p)[0]
        divided = divide(p, _np.arange(n, 0, -1, dtype=dtype_of(p)))
        p = concatenate([divided, reshape(astype(constant, dtype_of(divided)), (1,))])
    return p


def polyder(p: Any, m: int = 1) -> Any:
    """The coefficients of the m-th derivative of the polynomial p (highest power first): each
    pass multiplies p[k] by its power n − 1 − k and drops the constant."""
    if m < 0:
        raise ValueError(f"polyder: the order of the derivative must be non-negative, got m={m}")
    p = asarray(p)
    for _ in range(m):
        n = shape(p)[0]
        p = multiply(getitem(p, slice(0, n - 1)), _np.arange(n - 1, 0, -1, dtype=dtype_of(p)))
    return p


def vander(x: Any, N: int | None = None, increasing: bool = False) -> Any:
    """The Vandermonde matrix [x^(N−1) … x 1] of the vector x (reversed with ``increasing``),
    each power the previous one times x, as NumPy's (so the same values to the last bit)."""
    x = asarray(x)
    if ndim(x) != 1:
        raise ValueError(f"vander: x must be one-dimensional, got shape {shape(x)}")
    columns = shape(x)[0] if N is None else N
    if columns == 0:
        return _np.ones((shape(x)[0], 0), dtype_of(x))
    powers = [_np.ones(shape(x), dtype_of(x))]
    for _ in range(columns - 1):
        powers.append(multiply(powers[-1], x))
    return stack(powers if increasing else powers[::-1], axis=1)


def polydiv(u: Any, v: Any) -> tuple[Any, Any]:
    """The quotient and remainder of the polynomial u / v (highest power first), by NumPy's long
    division: r = u, then for k = 0 … m − n, q[k] = r[k] / v[0] and r ← r − q[k]·v (v shifted to
    start at k); the remainder's leading entries within NumPy's tolerance of 0
    (``allclose(r[0], 0, rtol=1e-14)``) are dropped, as NumPy drops them (JAX keeps them)."""
    u, v = atleast_1d(asarray(u), asarray(v))
    if ndim(u) != 1 or ndim(v) != 1 or not size(u) or not size(v):
        raise ValueError(
            f"polydiv: u and v must be non-empty 1-D coefficient arrays, got shapes {shape(u)} "
            f"and {shape(v)}"
        )
    if plain(v)[0] == 0:
        raise ValueError(
            "polydiv: the divisor's leading coefficient v[0] is 0; strip leading zeros first "
            "(np.trim_zeros(v, 'f'))"
        )
    u = astype(u, _np.result_type(dtype_of(u), dtype_of(v), 0.0))
    v = astype(v, _np.result_type(dtype_of(v), 0.0))
    m, n = size(u) - 1, size(v) - 1
    scale = divide(1.0, getitem(v, 0))
    r, quotient = u, []
    for k in range(m - n + 1):
        quotient.append(multiply(scale, getitem(r, k)))
        r = subtract(r, pad(multiply(quotient[-1], v), (k, m - n - k)))
    q = stack(quotient) if quotient else _np.zeros(1, dtype_of(u))
    leading, remainder = 0, _np.asarray(plain(r))
    while leading < m and _np.allclose(remainder[leading], 0, rtol=1e-14):
        leading += 1
    return q, getitem(r, slice(leading, None))


def poly(seq_of_zeros: Any) -> Any:
    """The coefficients of Π (x − zₖ) over the zeros zₖ (highest power first), built as NumPy
    and JAX build them: a = [1], then a ← a ∗ [1, −zₖ] (a full convolution) for each zₖ; complex
    zeros that come in conjugate pairs give real coefficients, as NumPy's. A scalar is one zero
    (as JAX; NumPy refuses it). A square matrix's zeros are its eigenvalues (``eigvals``, so the
    characteristic polynomial differentiates as JAX's)."""
    zeros = atleast_1d(asarray(seq_of_zeros))
    s = shape(zeros)
    if len(s) == 2 and s[0] == s[1] and s[0] != 0:
        zeros = _linalg.eigvals(zeros)
        s = shape(zeros)
    elif len(s) != 1:
        raise ValueError(f"poly: input must be 1d or non-empty square 2d array, got shape {s}")
    if s[0] == 0:
        return 1.0
    dt = _np.dtype(_np.mintypecode(dtype_of(zeros).char))  # NumPy's: integers become float64
    zeros = zeros if dtype_of(zeros) == dt else astype(zeros, dt)
    a = _np.ones(1, dt)
    for k in range(s[0]):
        a = polymul(a, concatenate([_np.ones(1, dt), negative(getitem(zeros, slice(k, k + 1)))]))
    if is_complex(a):
        values = _np.asarray(plain(zeros), complex)
        if _np.all(_np.sort(values) == _np.sort(values.conjugate())):
            a = real(a)
    return a


def roots(p: Any, *, strip_zeros: bool = True) -> Any:
    """The roots of the polynomial with coefficients p (highest power first), as NumPy finds
    them: p stripped of its leading and trailing zeros, the eigenvalues of its companion matrix
    (first row −p[1:]/p[0], ones below the diagonal), then a 0 for each trailing zero (complex
    whatever the roots, as JAX's; NumPy's are real when every root is). Differentiable as
    JAX's, through ``eigvals`` (simple roots). With ``strip_zeros=False`` (JAX's option), a NaN
    stands for each root that a leading zero takes away, so there are always len(p) − 1."""
    p = atleast_1d(asarray(p))
    if ndim(p) != 1:
        raise ValueError(f"roots: p must be a 1-D array of coefficients, got shape {shape(p)}")
    if dtype_of(p).kind not in "fc":
        p = astype(p, _np.float64)
    nonzero = _np.flatnonzero(plain(p))
    found: Any = _np.array([], complex_dtype_of(p))
    if not nonzero.size:
        first = last = size(p) - 1
    else:
        first, last = int(nonzero[0]), int(nonzero[-1])
        kept = getitem(p, slice(first, last + 1))
        n = last - first + 1
        if n > 1:
            top = negative(divide(getitem(kept, slice(1, None)), getitem(kept, 0)))
            below = _np.eye(n - 2, n - 1, dtype=dtype_of(kept))
            companion = concatenate([reshape(top, (1, n - 1)), below])
            found = _linalg.eigvals(companion)
    zeros = _np.zeros(size(p) - 1 - last, dtype_of(found))
    lost = _np.full(0 if strip_zeros else first, _np.nan, dtype_of(found))
    return concatenate([found, zeros, lost]) if size(zeros) or size(lost) else found


def polyfit(
    x: Any, y: Any, deg: int, rcond: float | None = None, full: bool = False, w: Any = None,
    cov: bool | str = False,
) -> Any:  # fmt: skip
    """The least-squares polynomial fit p of degree ``deg`` to the points (x, y) (y one column
    or several), as NumPy and JAX compute it: the Vandermonde matrix V of x, its rows and y's
    times the weights w (if given), its columns divided by their norms sⱼ, then p = (V⁺·y) / s,
    V⁺ from the SVD of V with singular values ≤ rcond·max (default len(x)·eps) cut off (JAX's
    ``lstsq``), differentiable in x, y and w. NumPy's RankWarning when the rank is below
    deg + 1 (not under ``vmap``, where each index has its own rank). ``full``: also
    (residuals, rank, singular values, rcond), as NumPy's; ``cov``: also the covariance of p,
    (VᵀV)⁻¹ / (s sᵀ), times the residuals / (len(x) − deg − 1) unless ``cov="unscaled"``."""
    if isinstance(deg, bool) or not isinstance(deg, int | _np.integer) or deg < 0:
        raise ValueError(f"polyfit: deg must be a non-negative integer, got {deg!r}")
    x, y = asarray(x), asarray(y)
    y = astype(y, _np.result_type(dtype_of(y), 0.0))
    if ndim(x) != 1 or not size(x):
        raise TypeError(f"polyfit: x must be a non-empty 1-D vector, got shape {shape(x)}")
    if ndim(y) not in (1, 2) or shape(y)[0] != shape(x)[0]:
        raise TypeError(
            f"polyfit: y must be 1-D or 2-D with x's length {shape(x)[0]}, got shape {shape(y)}"
        )
    order = int(deg) + 1
    x_dtype = _np.result_type(dtype_of(x), 0.0)
    if rcond is None:
        rcond = shape(x)[0] * _np.finfo(x_dtype).eps
    # NumPy's Vandermonde matrix has at least the precision of its integers (float32 → float64)
    lhs, rhs = vander(astype(x, _np.promote_types(x_dtype, int)), order), y
    if w is not None:
        w = asarray(w)
        w = astype(w, _np.result_type(dtype_of(w), 0.0))
        if ndim(w) != 1 or shape(w)[0] != shape(y)[0]:
            raise TypeError(
                f"polyfit: w must be 1-D with y's length {shape(y)[0]}, got shape {shape(w)}"
            )
        lhs = multiply(lhs, reshape(w, (-1, 1)))
        rhs = multiply(rhs, reshape(w, (-1, 1)) if ndim(rhs) == 2 else w)
    scale = sqrt(sum(multiply(lhs, lhs), axis=0))
    lhs = divide(lhs, scale)
    solution, rank, singular = pseudo_solution(lhs, rhs, rcond)
    c = divide(solution, reshape(scale, (-1, 1)) if ndim(solution) == 2 else scale)
    if not full and not is_mapped(rank) and rank != order:
        warnings.warn("Polyfit may be poorly conditioned", _np.exceptions.RankWarning, stacklevel=2)
    if full:
        return c, numpy_residuals(lhs, rhs, solution, rank), rank, singular, rcond
    if not cov:
        return c
    base = divide(_linalg.inv(dot(transpose(lhs), lhs)), outer(scale, scale))
    factor: Any = 1.0
    if cov != "unscaled":
        if shape(x)[0] <= order:
            raise ValueError(
                "the number of data points must exceed order to scale the covariance matrix"
            )
        residuals = numpy_residuals(lhs, rhs, solution, rank)
        if not size(residuals):
            raise ValueError(
                f"polyfit: the fit has rank {rank} < deg + 1 = {order}, so no residuals to scale "
                "the covariance by; lower deg, or pass cov='unscaled'"
            )
        factor = divide(residuals, shape(x)[0] - order)
    return c, multiply(base if ndim(y) == 1 else reshape(base, (order, order, 1)), factor)


def pseudo_solution(a: Any, b: Any, rcond: float) -> tuple[Any, Any, Any]:
    """``(x, rank, s)`` from the thin SVD a = U·diag(s)·Vᴴ: x = V·diag(1/sᵢ)·Uᴴ·b over the
    singular values sᵢ > rcond·max s (the others cut off, as constants), the rank the number of
    kept ones, an int64 as JAX's (one per index under ``vmap``)."""
    m = shape(a)[0]
    packed = _linalg.svd(a)
    u, singular, v = rows(packed, 0, m), row(packed, m), rows(packed, m + 1)  # v = (Vᴴ)ᵀ
    values = numbers(singular)
    kept = values > rcond * _np.max(values, initial=0.0)
    rank = _astype(_np.count_nonzero(kept), dtype=_np.dtype(_np.int64))
    inverse = where(kept, divide(1.0, where(kept, singular, 1.0)), 0.0)
    if is_complex(a):
        u, v = conj(u), conj(v)
    projected = matmul(transpose(u), b)
    x = matmul(v, multiply(projected, inverse if ndim(b) == 1 else reshape(inverse, (-1, 1))))
    return x, rank, singular


def numpy_residuals(a: Any, b: Any, x: Any, rank: Any) -> Any:
    """NumPy's least-squares residuals: Σ |a·x − b|² of each column when a has more rows than
    columns and ``rank`` is its column count, else empty."""
    m, n = shape(a)
    if not (m > n and rank == n):
        return _np.empty((0,), dtype=_np.finfo(dtype_of(a)).dtype)  # real, as NumPy's
    misfit = subtract(matmul(a, x), b)
    residuals = sum(square(abs(misfit) if is_complex(misfit) else misfit), axis=0)
    return reshape(residuals, (1,)) if ndim(b) == 1 else residuals


# ------------------------------------------------------------------------------ covariance
def cov(
    m: Any, y: Any = None, rowvar: bool = True, bias: bool = False, ddof: int | None = None,
    fweights: Any = None, aweights: Any = None, dtype: Any = None,
) -> Any:  # fmt: skip
    """The covariance matrix of the variables (rows of m, and of y, or columns if not
    ``rowvar``): (X − X̄)·W·(X − X̄)ᴴ / f, with X̄ the (weighted) mean of each variable and f the
    number of observations less ``ddof`` (1, or 0 if ``bias``), or its weighted analogue; the
    result squeezed (a scalar for one variable), as JAX computes it."""
    m = asarray(m)
    if ndim(m) > 2:
        raise ValueError("m has more than 2 dimensions")
    x = atleast_2d(m)
    if not rowvar and ndim(m) != 1:
        x = transpose(x)
    if shape(x)[0] == 0:
        return _np.array([]).reshape(0, 0)
    if y is not None:
        y = asarray(y)
        if ndim(y) > 2:
            raise ValueError("y has more than 2 dimensions")
        y = atleast_2d(y)
        if not rowvar and shape(y)[0] != 1:
            y = transpose(y)
        x = concatenate([x, y], axis=0)
    n_vars, n_obs = shape(x)
    if n_obs == 0:
        return _np.full(() if n_vars == 1 else (n_vars, n_vars), _np.nan, dtype_of(x))
    if ddof is None:
        ddof = 1 if bias == 0 else 0
    w = None
    if fweights is not None:
        fw = _np.asarray(plain(fweights))
        if fw.ndim > 1 or fw.shape[0] != n_obs or not _np.issubdtype(fw.dtype, _np.integer):
            raise ValueError("cov: fweights must be 1-D integers, one per observation (sample)")
        w = _np.abs(fw)
    if aweights is not None:
        aweights = asarray(aweights)
        if ndim(aweights) > 1 or shape(aweights)[0] != n_obs:
            raise ValueError("cov: aweights must be 1-D, one per observation (sample)")
        aweights = abs(aweights)
        w = aweights if w is None else multiply(w, aweights)
    if dtype is not None:
        x = astype(x, dtype)
        w = None if w is None else astype(w, dtype)
    avg, w_sum = average(x, axis=1, weights=w, returned=True)
    w_sum = getitem(w_sum, 0)
    if w is None:
        f = n_obs - ddof
    elif ddof == 0:
        f = w_sum
    elif aweights is None:
        f = subtract(w_sum, ddof)
    else:
        f = subtract(w_sum, divide(multiply(ddof, sum(multiply(w, aweights))), w_sum))
    x = subtract(x, getitem(avg, (slice(None), None)))
    x_t = transpose(x if w is None else multiply(x, reshape(w, (1, n_obs))))
    return squeeze(divide(dot(x, conj(x_t) if is_complex(x_t) else x_t), f))


def corrcoef(x: Any, y: Any = None, rowvar: bool = True, dtype: Any = None) -> Any:
    """The correlation coefficients cov[i, j] / √(cov[i, i]·cov[j, j]), clipped to [−1, 1] as
    JAX does (so a coefficient at ±1 gets half its derivative); c / c for one variable."""
    c = cov(x, y, rowvar, dtype=dtype)
    if ndim(c) == 0:
        return divide(c, c)
    if is_complex(c):
        raise NotImplementedError("corrcoef of complex values is not supported")
    std = sqrt(diagonal(c))
    c = divide(divide(c, getitem(std, (slice(None), None))), getitem(std, (None, slice(None))))
    return clip(c, -1, 1)
