"""The deep narrow recursion on whole arrays, in float64 or exactly in integers.

A closed-form library's columns are ``h_{L−1}`` of the recursion

    h_1 = σ(s_1(x − a_1)),   h_l = σ(s_l(h_{l−1}(x) − h_{l−1}(x_{j_l}))),   l = 2..L−1,

evaluated on the sorted data for every choice of signs ``s_l``, first breakpoint ``a_1`` and
anchors ``j_l``. Every step is computed for all columns at once, layer by layer.

**Exact columns in integers.** σ is positively homogeneous with rational slopes ``(a, b)``
(``σ(t) = a·t`` for ``t < 0``, ``b·t`` for ``t ≥ 0``). With ``D`` the common denominator of the
data and of the first breakpoints and ``q`` that of the slopes, the integer recursion on
``D·x`` with slopes ``(q·a, q·b)`` yields ``K = D·q^{L−1}·h_{L−1}`` exactly, an integer
matrix. It runs in int32 when an a-priori bound on every intermediate value is below 2³⁰, in
int64 when it is below 2⁶² (otherwise in Python integers), so no Fraction object is created
while building; exact equality of columns is equality of integer rows. The narrower type halves
the memory of the rows and the time of every pass over them; it gives the same integers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = ["IntegerColumns", "IntegerScale", "narrow_columns", "narrow_block_size", "narrow_provenance", "narrow_provenance_at", "integer_scale", "integer_columns", "integer_inputs"]

INT64_SAFE = 2**62
"""Largest magnitude an int64 build may reach (leaves a factor 2 of headroom for differences)."""

INT32_SAFE = 2**30
"""Largest magnitude an int32 build may reach (the same headroom)."""


def relu_in_place(values: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """``max(values, 0)`` into ``out`` (default: ``values``, in place) for fixed-width arrays:
    against a row of zeros, which numpy (2.4) runs about twice as fast as against the scalar 0
    (a vectorised loop over two contiguous operands rather than one over a broadcast scalar).

    Examples
    --------
    >>> relu_in_place(np.array([[-2, 3], [4, -1]], dtype=np.int32)).tolist()
    [[0, 3], [4, 0]]
    """
    return np.maximum(values, np.zeros(values.shape[-1:], dtype=values.dtype), out=values if out is None else out)


def apply_homogeneous(values: np.ndarray, slopes: tuple[object, object], out: np.ndarray | None = None) -> np.ndarray:
    """σ(t) = a·t (t < 0), b·t (t ≥ 0) for ``slopes = (a, b)``, elementwise into ``out`` (default:
    ``values``, in place) on float, integer or object arrays. No temporaries of the array's size
    beyond a boolean mask; for ``b > 0`` ReLU-like σ (``a = 0``) is one ``maximum`` and abs-like σ
    (``a = −b``) one ``absolute``, then a product when ``b ≠ 1``.

    Examples
    --------
    >>> apply_homogeneous(np.array([-2, 0, 3]), (-1, 1)).tolist()
    [2, 0, 3]
    >>> values = np.array([-4, 6])
    >>> apply_homogeneous(values, (1, 3), out=np.empty(2, dtype=np.int64)).tolist(), values.tolist()
    ([-4, 18], [-4, 6])
    """
    out = values if out is None else out
    negative, positive = slopes
    if values.dtype != object and positive > 0 and negative in (0, -positive):
        if negative == 0:
            relu_in_place(values, out)
        else:
            np.absolute(values, out=out)
        if positive != 1:
            out *= positive
        return out
    if out is not values:
        out[...] = values
    below = out < 0
    if positive != 1:
        out[~below] *= positive
    out[below] *= negative
    return out


def narrow_columns(
    x: np.ndarray,
    first_breakpoints: np.ndarray,
    signs_per_layer: Sequence[Sequence[int]],
    slopes: tuple[object, object],
    tied_anchors: np.ndarray | None = None,
) -> np.ndarray:
    """All ``h_{L−1}`` columns (M × N) of the narrow recursion, layer by layer.

    Parameters
    ----------
    x : numpy.ndarray
        Sorted data, shape (N,), float64, int32, int64 or object.
    first_breakpoints : numpy.ndarray
        The ``a_1`` options, same dtype as ``x``.
    signs_per_layer : sequence of sequences of int
        ``s_l`` options for layers ``1..L−1``.
    slopes : tuple
        σ's slopes ``(a, b)`` in the arithmetic of ``x``.
    tied_anchors : numpy.ndarray, optional
        For each ``a_1`` the sorted position of its layer-2 anchor (the paper code's reflected
        first breakpoint ``R(x_{j1}, x_{j2})`` is tied to the anchor ``x_{j2}``); layer 2 then
        has one anchor per column instead of ``N``.

    Returns
    -------
    numpy.ndarray
        Rows in :func:`narrow_provenance` order.

    Examples
    --------
    >>> narrow_columns(np.array([0, 1, 3]), np.array([1]), [(1,), (1, -1)], (0, 1))
    array([[0, 0, 2],
           [0, 0, 2],
           [0, 0, 0],
           [0, 0, 0],
           [0, 0, 0],
           [2, 2, 0]])
    """
    first_signs = np.array(signs_per_layer[0], dtype=x.dtype)
    pre = first_signs[:, None, None] * (x[None, None, :] - first_breakpoints[None, :, None])
    hidden = apply_homogeneous(pre, slopes).reshape(-1, x.size)
    deeper = list(signs_per_layer[1:])
    if tied_anchors is not None and deeper:
        signs = np.array(deeper.pop(0), dtype=hidden.dtype)
        anchors = np.tile(tied_anchors, len(first_signs))  # row (s_1, f) is tied to anchor of f
        centred = hidden - hidden[np.arange(hidden.shape[0]), anchors][:, None]
        hidden = apply_homogeneous(signs[None, :, None] * centred[:, None, :], slopes).reshape(-1, x.size)
    for layer_signs in deeper:
        signs = np.array(layer_signs, dtype=hidden.dtype)
        centred = hidden[:, None, :] - hidden[:, :, None]  # [m, j, :] = h(x) − h(x_j)
        pre = signs[None, :, None, None] * centred[:, None, :, :]
        hidden = apply_homogeneous(pre, slopes).reshape(-1, x.size)
    return hidden


def narrow_provenance(
    n_first: int,
    signs_per_layer: Sequence[Sequence[int]],
    n_points: int,
    tied_anchors: Sequence[int] | None = None,
) -> Iterable[tuple[tuple[int, ...], int, tuple[int, ...]]]:
    """``(signs, first-breakpoint index, sorted anchor positions)`` in :func:`narrow_columns` order.

    Examples
    --------
    >>> list(narrow_provenance(1, [(1,), (1, -1)], 2))
    [((1, 1), 0, (0,)), ((1, 1), 0, (1,)), ((1, -1), 0, (0,)), ((1, -1), 0, (1,))]
    >>> list(narrow_provenance(1, [(1,), (1, -1)], 2, tied_anchors=[1]))
    [((1, 1), 0, (1,)), ((1, -1), 0, (1,))]
    """
    tied = tied_anchors is not None and len(signs_per_layer) > 1
    free_layers = signs_per_layer[2:] if tied else signs_per_layer[1:]
    for first_sign, first_index in itertools.product(signs_per_layer[0], range(n_first)):
        if tied:
            heads = [((second_sign,), (tied_anchors[first_index],)) for second_sign in signs_per_layer[1]]
        else:
            heads = [((), ())]
        options = [list(itertools.product(layer_signs, range(n_points))) for layer_signs in free_layers]
        for head_signs, head_anchors in heads:
            for choice in itertools.product(*options):
                signs = (first_sign, *head_signs, *(sign for sign, _ in choice))
                yield signs, first_index, (*head_anchors, *(anchor for _, anchor in choice))


def narrow_block_size(n_first: int, signs_per_layer: Sequence[Sequence[int]], n_points: int, tied: bool = False) -> int:
    """The number of :func:`narrow_provenance` entries: ``|S_1|·n_first`` times ``|S_l|·N`` per
    deeper layer (``|S_2|`` alone for layer 2 when its anchors are ``tied``).

    Examples
    --------
    >>> narrow_block_size(2, [(1, -1), (1, -1), (1,)], 3), len(list(narrow_provenance(2, [(1, -1), (1, -1), (1,)], 3)))
    (72, 72)
    >>> narrow_block_size(1, [(1,), (1, -1)], 2, tied=True)
    2
    """
    size = n_first * len(signs_per_layer[0])
    for level, layer_signs in enumerate(signs_per_layer[1:]):
        size *= len(layer_signs) * (1 if tied and level == 0 else n_points)
    return size


def narrow_provenance_at(
    index: int,
    n_first: int,
    signs_per_layer: Sequence[Sequence[int]],
    n_points: int,
    tied_anchors: Sequence[int] | None = None,
) -> tuple[tuple[int, ...], int, tuple[int, ...]]:
    """Entry ``index`` of :func:`narrow_provenance`, decoded as a mixed-radix number (the first
    layer's sign and breakpoint are the leading digits, the last layer's ``(sign, anchor)`` the
    trailing one) without listing the others.

    Examples
    --------
    >>> layers = [(1, -1), (1, -1), (1,)]
    >>> listed = list(narrow_provenance(2, layers, 3))
    >>> all(narrow_provenance_at(i, 2, layers, 3) == entry for i, entry in enumerate(listed))
    True
    >>> narrow_provenance_at(5, 1, [(1,), (1, -1)], 2, tied_anchors=[1])
    Traceback (most recent call last):
    ...
    IndexError: provenance index 5 out of range for 2 columns
    """
    tied = tied_anchors is not None and len(signs_per_layer) > 1
    free_layers = signs_per_layer[2:] if tied else signs_per_layer[1:]
    rest, trailing = index, []
    for layer_signs in reversed(free_layers):
        rest, digit = divmod(rest, len(layer_signs) * n_points)
        trailing.append((layer_signs[digit // n_points], digit % n_points))
    trailing.reverse()
    head_sign_index = 0
    if tied:
        rest, head_sign_index = divmod(rest, len(signs_per_layer[1]))
    first_sign_index, first_index = divmod(rest, n_first)
    if index < 0 or first_sign_index >= len(signs_per_layer[0]):
        size = narrow_block_size(n_first, signs_per_layer, n_points, tied)
        raise IndexError(f"provenance index {index} out of range for {size} columns")
    head_signs = (signs_per_layer[1][head_sign_index],) if tied else ()
    head_anchors = (tied_anchors[first_index],) if tied else ()  # type: ignore[index]
    signs = (signs_per_layer[0][first_sign_index], *head_signs, *(sign for sign, _ in trailing))
    return signs, first_index, (*head_anchors, *(anchor for _, anchor in trailing))


@dataclass(frozen=True)
class IntegerColumns:
    """Exact columns as integers on a common denominator: column ``i`` = ``values[i] / denominator``.

    ``values`` is int64 when every intermediate value provably fits, else an object array of
    Python integers.

    Examples
    --------
    >>> columns = IntegerColumns(np.array([[0, 1, 4]]), 2)
    >>> columns.fractions()
    array([[Fraction(0, 1), Fraction(1, 2), Fraction(2, 1)]], dtype=object)
    """

    values: np.ndarray
    denominator: int

    def fractions(self, rows: Sequence[int] | np.ndarray | None = None) -> np.ndarray:
        """The (selected) rows as an object array of Fractions; one Fraction per distinct value.

        Examples
        --------
        >>> IntegerColumns(np.array([[0, 3], [3, 6]]), 6).fractions()
        array([[Fraction(0, 1), Fraction(1, 2)],
               [Fraction(1, 2), Fraction(1, 1)]], dtype=object)
        """
        chosen = self.values if rows is None else self.values[np.asarray(rows, dtype=np.int64)]
        if chosen.dtype == object:
            return np.array([[Fraction(v, self.denominator) for v in row] for row in chosen], dtype=object).reshape(chosen.shape)
        distinct, inverse = np.unique(chosen, return_inverse=True)
        lookup = np.array([Fraction(int(v), self.denominator) for v in distinct], dtype=object)
        return lookup[inverse.reshape(chosen.shape)]


def _common_denominator(values: Iterable[Fraction]) -> int:
    return math.lcm(1, *(value.denominator for value in values))


def _scaled(value: Fraction, scale: int) -> int:
    """``value · scale`` for a ``scale`` that ``value``'s denominator divides, in integers only."""
    return value.numerator * (scale // value.denominator)


@dataclass(frozen=True)
class IntegerScale:
    """How a recursion is carried out in integers: data scaled by ``data_scale``, σ's slopes by
    ``slope_scale`` per layer; ``bound`` is an a-priori bound on the magnitude of every value.

    Examples
    --------
    >>> scale = integer_scale([Fraction(1, 2), Fraction(3)], (Fraction(0), Fraction(1)), 2)
    >>> scale
    IntegerScale(data_scale=2, slope_scale=1, layers=2, bound=24)
    >>> scale.fits_int64, scale.dtype
    (True, <class 'numpy.int32'>)
    """

    data_scale: int
    slope_scale: int
    layers: int
    bound: int

    @property
    def denominator(self) -> int:
        """``K = denominator · h_{L−1}`` for the integer columns ``K``."""
        return self.data_scale * self.slope_scale**self.layers

    @property
    def fits_int64(self) -> bool:
        """Whether the recursion runs in fixed-width integers (int32 or int64) rather than Python integers."""
        return self.bound < INT64_SAFE

    @property
    def dtype(self) -> type:
        """The narrowest array type that provably holds every value: int32, int64 or object."""
        if self.bound < INT32_SAFE:
            return np.int32
        return np.int64 if self.fits_int64 else object


def integer_scale(values: Sequence[Fraction], slopes: tuple[Fraction, Fraction], layers: int) -> IntegerScale:
    """The integer scaling of a ``layers``-deep recursion on inputs ``values`` (data and breakpoints).

    Every pre-activation is a difference of two values of the previous layer, so with
    ``M = max |scaled input|`` and ``g = max |scaled slope|`` all values stay below
    ``2M·g·(2g)^(layers−1)``.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> integer_scale([F(1, 2), F(3)], (F(1, 10), F(1)), 2)
    IntegerScale(data_scale=2, slope_scale=10, layers=2, bound=2400)
    """
    data_scale = _common_denominator(values)
    slope_scale = _common_denominator(slopes)
    growth = max(1, *(abs(_scaled(slope, slope_scale)) for slope in slopes))
    largest = max((abs(_scaled(value, data_scale)) for value in values), default=0)
    bound = 2 * largest * growth * (2 * growth) ** (layers - 1)
    return IntegerScale(data_scale, slope_scale, layers, bound)


def integer_columns(
    x: Sequence[Fraction],
    first_breakpoints: Sequence[Fraction],
    signs_per_layer: Sequence[Sequence[int]],
    slopes: tuple[Fraction, Fraction],
    tied_anchors: Sequence[int] | None = None,
    *,
    scale: IntegerScale | None = None,
) -> IntegerColumns:
    """The exact columns of :func:`narrow_columns` as integers on a common denominator.

    ``scale`` (default: :func:`integer_scale` of ``x`` and the breakpoints) lets several
    groups of columns share one denominator.

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> cols = integer_columns([F(0), F(1, 2), F(3)], [F(1, 2)], [(1,)], (F(0), F(1)))
    >>> cols.values.tolist(), cols.denominator
    ([[0, 0, 5]], 2)
    """
    if scale is None:
        scale = integer_scale([*x, *first_breakpoints], slopes, len(signs_per_layer))
    int_x, int_firsts, int_slopes = integer_inputs(x, first_breakpoints, slopes, scale)
    tied = None if tied_anchors is None else np.array(tied_anchors, dtype=np.int64)
    return IntegerColumns(narrow_columns(int_x, int_firsts, signs_per_layer, int_slopes, tied), scale.denominator)


def integer_inputs(
    x: Sequence[Fraction], first_breakpoints: Sequence[Fraction], slopes: tuple[Fraction, Fraction], scale: IntegerScale
) -> tuple[np.ndarray, np.ndarray, tuple[int, int]]:
    """Data, first breakpoints and slopes scaled to integers (arrays of ``scale.dtype``).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> scale = integer_scale([F(1, 2), F(3)], (F(0), F(1)), 2)
    >>> integer_inputs([F(1, 2), F(3)], [F(3)], (F(0), F(1)), scale)
    (array([1, 6], dtype=int32), array([6], dtype=int32), (0, 1))
    """
    dtype = scale.dtype
    int_x = np.array([_scaled(value, scale.data_scale) for value in x], dtype=dtype)
    int_firsts = np.array([_scaled(value, scale.data_scale) for value in first_breakpoints], dtype=dtype)
    int_slopes = (_scaled(slopes[0], scale.slope_scale), _scaled(slopes[1], scale.slope_scale))
    return int_x, int_firsts, int_slopes
