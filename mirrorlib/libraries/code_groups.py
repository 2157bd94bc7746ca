"""Equal integer codes, grouped with one unstable sort.

Deduplicating a library comes down to grouping integer codes (packed column classes, row
hashes) and keeping the first occurrence of each. ``np.unique(codes, return_index=True)``
does this with a stable merge sort, several times slower than numpy's unstable (vectorised)
sort on the same codes. An argsort is itself about three times slower than a sort of values,
so where the codes' range leaves room, each code is sorted as a value with its index packed in
the low bits below it: the index then comes back from the sorted values, and ties keep their
order. Wider codes (hashes) are argsorted, and a group's first occurrence, its smallest index,
is found by a ``minimum.reduceat`` over the group whatever order the sort left it in.

Several integer keys are grouped or sorted faster packed into one int64 code, in mixed radix
over their ranges, when the product of the ranges allows it (:func:`first_occurrences` of
several keys; :func:`lexicographic_order`, which packs the index too, as the last digit);
otherwise ``np.lexsort`` sorts them.

Examples
--------
>>> first_occurrences(np.array([7, 3, 7, 3, 5])).tolist()
[0, 1, 4]
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["code_groups", "first_occurrences", "lexicographic_order", "repeated_codes"]


def _sorted_groups(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(order, starts, first)``: a sorting permutation of ``codes``, the positions in it where
    each group of equal codes starts, and each group's smallest index.

    When the codes' range leaves room for the index in the low bits of an int64, the codes are
    sorted as values with their index packed below them (several times faster than an argsort;
    ties then keep their order, so a group's first index starts it); otherwise by an unstable
    argsort and each group's minimum."""
    index_bits = codes.size.bit_length()
    low = int(codes.min())
    if (int(codes.max()) - low) >> (63 - index_bits) == 0:
        offsets = (codes - np.uint64(low)).view(np.int64) if codes.dtype == np.uint64 else codes.astype(np.int64, copy=False) - low
        packed = np.sort((offsets << index_bits) | np.arange(codes.size))
        order, in_order = packed & ((1 << index_bits) - 1), packed >> index_bits
        starts = _group_starts(in_order)
        return order, starts, order[starts]
    order = np.argsort(codes)
    starts = _group_starts(codes[order])
    return order, starts, np.minimum.reduceat(order, starts).astype(np.int64, copy=False)


def _group_starts(in_order: np.ndarray) -> np.ndarray:
    """Positions where a run of equal values starts in sorted, non-empty ``in_order``."""
    return np.flatnonzero(np.concatenate([[True], in_order[1:] != in_order[:-1]]))


def _packed(keys: Sequence[np.ndarray]) -> np.ndarray | None:
    """``keys`` packed into one int64 code in mixed radix over their ranges (codes compare as
    the keys do lexicographically), or None when the product of the ranges reaches 2⁶³."""
    lows = [int(key.min()) for key in keys]
    ranges = [int(key.max()) - low + 1 for key, low in zip(keys, lows)]
    if math.prod(ranges) >= 2**63:
        return None
    code = np.zeros(keys[0].size, dtype=np.int64)
    for key, low, width in zip(keys, lows, ranges):
        code *= width
        code += key - low
    return code


def first_occurrences(*keys: np.ndarray) -> np.ndarray:
    """Ascending indices of the first occurrence of each distinct value of ``keys[0]`` (of each
    distinct tuple ``(keys[0][i], keys[1][i], …)`` when several keys are given).

    The same as ``np.sort(np.unique(np.stack(keys, axis=1), axis=0, return_index=True)[1])``.

    Parameters
    ----------
    *keys : numpy.ndarray
        One-dimensional integers of equal length.

    Returns
    -------
    numpy.ndarray
        int64 indices ``i`` whose tuple does not occur before ``i``, ascending.

    Examples
    --------
    >>> first_occurrences(np.array([2, 2, 1, 2, 1, 0])).tolist()
    [0, 2, 5]
    >>> first_occurrences(np.array([1, 1, 1]), np.array([5, 6, 5])).tolist()
    [0, 1]
    >>> first_occurrences(np.array([], dtype=np.int64)).tolist()
    []
    """
    if keys[0].size == 0:
        return np.zeros(0, dtype=np.int64)
    codes = keys[0] if len(keys) == 1 else _packed(keys)
    if codes is None:  # too wide to pack: the first of each run of a stable sort
        order = np.lexsort(keys[::-1])
        starts = np.ones(order.size, dtype=bool)
        starts[1:] = np.any([np.diff(key[order]) != 0 for key in keys], axis=0)
        return np.sort(order[starts]).astype(np.int64, copy=False)
    return np.sort(_sorted_groups(codes)[2])


def code_groups(codes: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(first, inverse, sizes)`` of the distinct values of ``codes``, numbered in ascending
    order of value: each group's first index, each code's group, each group's size.

    The same as ``np.unique(codes, return_index=True, return_inverse=True, return_counts=True)[1:]``.

    Parameters
    ----------
    codes : numpy.ndarray
        One-dimensional integers.

    Returns
    -------
    first : numpy.ndarray
        ``first[g]``, the smallest index in group ``g``.
    inverse : numpy.ndarray
        ``inverse[i]``, the group of ``codes[i]``.
    sizes : numpy.ndarray
        ``sizes[g]``, the number of codes in group ``g``.

    Examples
    --------
    >>> first, inverse, sizes = code_groups(np.array([9, 4, 9, 9]))
    >>> first.tolist(), inverse.tolist(), sizes.tolist()
    ([1, 0], [1, 0, 1, 1], [1, 3])
    """
    if codes.size == 0:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    order, starts, first = _sorted_groups(codes)
    group_of_sorted = np.zeros(codes.size, dtype=np.int64)
    group_of_sorted[starts[1:]] = 1
    inverse = np.empty(codes.size, dtype=np.int64)
    inverse[order] = np.cumsum(group_of_sorted)
    sizes = np.diff(np.append(starts, codes.size))
    return first, inverse, sizes


def repeated_codes(codes: np.ndarray) -> np.ndarray:
    """Mask of the codes that occur more than once: ``sizes[inverse] > 1`` of :func:`code_groups`,
    without numbering the groups.

    Parameters
    ----------
    codes : numpy.ndarray
        One-dimensional integers.

    Returns
    -------
    numpy.ndarray
        Boolean, ``True`` at ``i`` when ``codes[j] == codes[i]`` for some ``j ≠ i``.

    Examples
    --------
    >>> repeated_codes(np.array([9, 4, 9, 7])).tolist()
    [True, False, True, False]
    >>> repeated_codes(np.array([2**63 - 1, -(2**63), 2**63 - 1])).tolist()  # too wide to pack
    [True, False, True]
    """
    if codes.size == 0:
        return np.zeros(0, dtype=bool)
    order, starts, _ = _sorted_groups(codes)
    sizes = np.diff(np.append(starts, codes.size))
    repeated = np.empty(codes.size, dtype=bool)
    repeated[order] = np.repeat(sizes > 1, sizes)
    return repeated


def lexicographic_order(*keys: np.ndarray) -> np.ndarray:
    """The stable sorting permutation by ``keys[0]``, then ``keys[1]``, …: the same as
    ``np.lexsort(keys[::-1])``.

    When the product of the keys' ranges and their length fits in int64, the keys and the index
    (so that ties keep their order) are packed into one code, sorted as values, and the index
    read back as the last digit; otherwise ``np.lexsort`` sorts them.

    Parameters
    ----------
    *keys : numpy.ndarray
        One-dimensional integers of equal length, most significant first.

    Returns
    -------
    numpy.ndarray
        The permutation, int64.

    Examples
    --------
    >>> lexicographic_order(np.array([1, 0, 1, 0]), np.array([5, 5, 2, 5])).tolist()
    [1, 3, 2, 0]
    >>> lexicographic_order(np.array([2**62, -2**62, 0])).tolist()  # too wide to pack
    [1, 2, 0]
    """
    if keys[0].size == 0:
        return np.zeros(0, dtype=np.int64)
    code = _packed([*keys, np.arange(keys[0].size)])
    return np.lexsort(keys[::-1]).astype(np.int64, copy=False) if code is None else np.sort(code) % keys[0].size  # the index is the last digit
