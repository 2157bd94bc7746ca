"""Deep narrow ReLU units as clamped ramps: their distinct columns without building a row per candidate.

**Every unit is a clamped ramp.** Write ``r(x) = min(max(s(x − z), 0), H)`` for a sign ``s``,
a *zero point* ``z`` and a height ``0 < H ≤ ∞``. The first layer's units ``relu(s(x − a))`` are
clamped ramps with ``H = ∞``, and for a clamped ramp ``p`` and a value ``c`` of ``p``
(``0 ≤ c ≤ H``)

    relu(p(x) − c) = min(max(s(x − z − s·c), 0), H − c),    relu(c − p(x)) = min(max(−s(x − z − s·c), 0), c),

so every unit of the narrow ReLU recursion (theory §5) is a clamped ramp ``(s, z, H)`` and its
children are found in O(1) each, without evaluating them on the data (``H = 0`` is the zero
unit). Only the rows of the last layer's distinct units are ever written.

**Equal columns, from three numbers.** On sorted data a clamped ramp is ``0`` on the points on
its zero side (``s·x ≤ s·z``), ``s(x − z)`` on the points strictly inside, and ``H`` on the
points at or beyond its cap point ``z + s·H``. :func:`canonical_ramps` maps each unit to a
class that identifies its column exactly: the column is zero; or it has a point strictly inside
and is fixed by ``(s, z, H)``; or it has none and is fixed by ``(s, number of zeros, H)`` (a
ramp with no point at or beyond its cap point has its last inside point's value as cap).

**Which unit labels a column.** Candidates are formed in ascending order of their
:func:`~mirrorlib.libraries.narrow_columns.narrow_provenance` index — one per distinct parent
column, sign and distinct parent value (at its first position) — and the first of each class is
kept, exactly as :func:`~mirrorlib.libraries.distinct_columns.distinct_narrow_columns` does.

References
----------
The clamped-ramp form is the reason narrow ReLU stagnates with depth (Theorem 3.4 of the paper,
theory §5): children of clamped ramps are clamped ramps whose zero and cap points are data
points or first breakpoints.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mirrorlib.libraries.code_groups import first_occurrences, lexicographic_order
from mirrorlib.libraries.narrow_columns import relu_in_place

__all__ = ["ClampedRamps", "canonical_ramps", "clamped_ramp_rows", "clamps_apply"]

UNBOUNDED = 2**62
"""The height of an unclamped ramp (``H = ∞``); heights of ``UNBOUNDED / 2`` or more are unbounded."""

LARGEST_INPUT = 2**59
"""Clamped ramps are formed in int64 when every data point and first breakpoint is below this in
magnitude: then every zero point, cap point and height stays far from ``UNBOUNDED``."""

CANDIDATE_WORDS = 14
"""8-byte words a candidate child costs: its sign, zero point, height, anchor, parent and key,
its class, and the sorting temporaries of the grouping."""


@dataclass(frozen=True)
class ClampedRamps:
    """Units ``min(max(s(x − z), 0), H)`` with their provenance keys, ascending in ``key``.

    Examples
    --------
    >>> x = np.array([0, 1, 3])
    >>> ramps = ClampedRamps(np.array([1, -1]), np.array([0, 3]), np.array([UNBOUNDED, 2]), np.arange(2))
    >>> rows = np.empty((2, 3), dtype=np.int32)
    >>> ramps.write(x, rows)
    >>> rows.tolist()  # relu(x − 0), and min(relu(3 − x), 2)
    [[0, 1, 3], [2, 2, 0]]
    >>> ramps.values_at(x, np.array([1, 1]), np.array([0, 1])).tolist()
    [1, 2]
    """

    sign: np.ndarray
    zero: np.ndarray
    height: np.ndarray
    key: np.ndarray

    def take(self, chosen: np.ndarray) -> ClampedRamps:
        return ClampedRamps(self.sign[chosen], self.zero[chosen], self.height[chosen], self.key[chosen])

    def values_at(self, x: np.ndarray, positions: np.ndarray, units: np.ndarray | None = None) -> np.ndarray:
        """``r_u(x_j)`` for the pairs ``(u, j)`` of ``units`` (all units when omitted) and ``positions``."""
        sign, zero, height = (self.sign, self.zero, self.height) if units is None else (self.sign[units], self.zero[units], self.height[units])
        return np.minimum(np.maximum(sign * (x[positions] - zero), 0), height)

    def write(self, x: np.ndarray, out: np.ndarray) -> None:
        """``out[u] = r_u(x)`` in ``out``'s integer type: ``s·x − s·z`` (the row ``x`` or ``−x``
        gathered, then shifted), then clamped to ``[0, H]``, a cache-sized chunk of rows at a time."""
        step = max(1, 2**20 // max(1, x.size * out.itemsize))
        signed_x = np.stack([x, -x]).astype(out.dtype)
        falling = (self.sign < 0).astype(np.intp)
        shift = (self.sign * self.zero).astype(out.dtype)
        height = np.minimum(self.height, np.iinfo(out.dtype).max).astype(out.dtype)
        clamped = bool((self.height < UNBOUNDED // 2).any())  # else (two layers) no row is clamped
        for start in range(0, self.key.size, step):
            rows = slice(start, start + step)
            block = out[rows]
            np.take(signed_x, falling[rows], axis=0, out=block, mode="clip")  # indices are valid; "clip" writes unbuffered
            block -= shift[rows, None]
            relu_in_place(block)
            if clamped:
                np.minimum(block, height[rows, None], out=block)


def clamps_apply(x: np.ndarray, first_breakpoints: np.ndarray) -> bool:
    """Whether :func:`clamped_ramp_rows` can build ReLU columns on these integers (fixed-width
    integers below :data:`LARGEST_INPUT` in magnitude).

    Examples
    --------
    >>> clamps_apply(np.array([0, 5], dtype=np.int32), np.array([1], dtype=np.int32))
    True
    >>> clamps_apply(np.array([0, 2**60]), np.array([1]))
    False
    """
    if x.dtype == object:
        return False
    values = np.concatenate([x.astype(np.int64), first_breakpoints.astype(np.int64)])
    return bool(values.size == 0 or np.abs(values).max() < LARGEST_INPUT)


def _cap_points(units: ClampedRamps) -> np.ndarray:
    """``e = z + s·H``, or ``s·UNBOUNDED`` for an unclamped ramp."""
    bounded = units.height < UNBOUNDED // 2
    return np.where(bounded, units.zero + units.sign * np.where(bounded, units.height, 0), units.sign * UNBOUNDED)


Sides = tuple[np.ndarray, np.ndarray]
"""The ``(lo, hi)`` arrays of :func:`_zero_and_cap_sides`."""


def _zero_and_cap_sides(x: np.ndarray, units: ClampedRamps) -> Sides:
    """``(lo, hi)``: the points strictly inside unit ``u`` are ``x[lo[u]:hi[u]]`` (sorted data);
    for ``s = 1`` the zero side is ``x[:lo]`` and the cap side ``x[hi:]``, for ``s = −1`` the
    reverse. Zero units (``H = 0``) get ``lo = hi``."""
    rising, cap = units.sign > 0, _cap_points(units)
    lo = np.searchsorted(x, np.where(rising, units.zero, cap), side="right")
    hi = np.maximum(np.searchsorted(x, np.where(rising, cap, units.zero), side="left"), lo)
    zero_unit = units.height == 0
    return np.where(zero_unit, 0, lo), np.where(zero_unit, 0, hi)


def canonical_ramps(x: np.ndarray, units: ClampedRamps, sides: Sides | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(kind, position, height)`` per unit: equal triples exactly when the columns on ``x`` are equal.

    ``kind`` is 0 for the zero column; 1 and 2 for a rising and a falling column with a point
    strictly inside (then ``position`` is the zero point ``z``); 3 and 4 for a rising and a
    falling column without one (then ``position`` is its number of zeros; a constant column is
    kind 3). ``height`` is the column's largest value.

    Parameters
    ----------
    x : numpy.ndarray
        Sorted data, integers.
    units : ClampedRamps
        The units.
    sides : tuple of numpy.ndarray, optional
        The positions ``(lo, hi)`` bounding each unit's points strictly inside, ``x[lo:hi]``,
        when already known (searched in ``x`` otherwise).

    Returns
    -------
    tuple of numpy.ndarray
        Three int64 arrays.

    Examples
    --------
    >>> x = np.array([0, 1, 3])
    >>> units = ClampedRamps(np.array([1, 1, -1, 1]), np.array([1, 1, 4, 5]), np.array([2, 9, 4, 2]), np.arange(4))
    >>> units.values_at(x, np.tile(np.arange(3), 4), np.repeat(np.arange(4), 3)).reshape(4, 3).tolist()
    [[0, 0, 2], [0, 0, 2], [4, 3, 1], [0, 0, 0]]
    >>> [row.tolist() for row in canonical_ramps(x, units)]  # kinds, positions, heights
    [[3, 3, 2, 0], [2, 2, 4, 0], [2, 2, 4, 0]]
    """
    n = x.size
    lo, hi = _zero_and_cap_sides(x, units) if sides is None else sides
    rising = units.sign > 0
    n_zeros = np.where(rising, lo, n - hi)
    zero_column = (units.height == 0) | (n_zeros == n)
    # a column reaching no point at or beyond its cap point: its last inside run becomes the cap
    uncapped = ~zero_column & np.where(rising, hi == n, lo == 0)
    last_run = np.searchsorted(x, x[-1], side="left")
    first_run_end = np.searchsorted(x, x[0], side="right")
    lo = np.where(uncapped & ~rising, first_run_end, lo)
    hi = np.where(uncapped & rising, last_run, hi)
    edge_value = np.where(rising, x[-1].astype(np.int64) - units.zero, units.zero - x[0].astype(np.int64))
    height = np.where(uncapped, edge_value, units.height)
    inside = hi > lo
    kind = np.where(inside, np.where(rising, 1, 2), np.where(rising | (n_zeros == 0), 3, 4))
    position = np.where(inside, units.zero, n_zeros)
    return np.where(zero_column, 0, kind), np.where(zero_column, 0, position), np.where(zero_column, 0, height)


Classes = tuple[np.ndarray, np.ndarray, np.ndarray]
"""The ``(kind, position, height)`` arrays of :func:`canonical_ramps`."""


def _distinct(x: np.ndarray, candidates: ClampedRamps) -> tuple[ClampedRamps, Classes, Sides]:
    """One unit per distinct column, the first (smallest key) of each, ascending in key, with
    its class and its sides (:func:`_zero_and_cap_sides`)."""
    sides = _zero_and_cap_sides(x, candidates)
    classes = canonical_ramps(x, candidates, sides)
    chosen = first_occurrences(*classes)
    return candidates.take(chosen), _each_taken(classes, chosen), _each_taken(sides, chosen)


def _each_taken(arrays: tuple[np.ndarray, ...], chosen: np.ndarray) -> tuple[np.ndarray, ...]:
    return tuple(array[chosen] for array in arrays)


@dataclass(frozen=True)
class _Anchors:
    """``(owner, anchor, value)`` triples, ascending in owner then anchor: unit ``owner``'s value
    at the sorted position ``anchor``."""

    owner: np.ndarray
    anchor: np.ndarray
    value: np.ndarray

    @classmethod
    def at(cls, x: np.ndarray, units: ClampedRamps, owner: np.ndarray, anchor: np.ndarray) -> _Anchors:
        return cls(owner, anchor, units.values_at(x, anchor, owner))


def _children(parents: ClampedRamps, per_sign: Sequence[_Anchors], signs: Sequence[int], radix: int) -> ClampedRamps:
    """``relu(s'(p − c))`` for each sign ``s'`` and its ``(parent p, anchor, value c)`` triples,
    keyed ``(key_p·|S| + sign index)·radix + anchor``, in ascending key order."""
    n_signs = len(signs)
    counts = np.stack([np.bincount(a.owner, minlength=parents.key.size) for a in per_sign])
    parent_start = np.concatenate([[0], np.cumsum(counts.sum(axis=0))[:-1]])
    sign_start = parent_start + np.concatenate([np.zeros((1, parents.key.size), dtype=np.int64), np.cumsum(counts, axis=0)[:-1]])
    out = ClampedRamps(*(np.empty(int(counts.sum()), dtype=np.int64) for _ in range(4)))
    for sign_index, (child_sign, pairs) in enumerate(zip(signs, per_sign)):
        first_of_owner = np.concatenate([[0], np.cumsum(counts[sign_index])[:-1]])
        place = sign_start[sign_index][pairs.owner] + np.arange(pairs.owner.size) - first_of_owner[pairs.owner]
        sign, height = parents.sign[pairs.owner], parents.height[pairs.owner]
        out.sign[place] = sign if child_sign > 0 else -sign
        out.zero[place] = parents.zero[pairs.owner] + sign * pairs.value
        out.height[place] = np.where(height >= UNBOUNDED // 2, UNBOUNDED, height - pairs.value) if child_sign > 0 else pairs.value
        out.key[place] = (parents.key[pairs.owner] * n_signs + sign_index) * radix + (pairs.anchor if radix > 1 else 0)
    return out


def _run_starts(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(starts, before)``: the first position of each run of equal points, and for each
    ``0 ≤ i ≤ N`` the number of runs starting before ``i``."""
    starts = np.flatnonzero(np.concatenate([[True], x[1:] != x[:-1]]))
    return starts, np.searchsorted(starts, np.arange(x.size + 1), side="left")


def _anchor_counts(runs: tuple[np.ndarray, np.ndarray], sides: tuple[np.ndarray, np.ndarray], inside: tuple[np.ndarray, np.ndarray]) -> np.ndarray:
    """For each unit, how many anchors :func:`_value_anchors` gives it: its sides where ``sides``
    say so and every run of equal points in ``x[inside[0]:inside[1]]``."""
    before, (left, right), (inside_lo, inside_hi) = runs[1], sides, inside
    return left.astype(np.int64) + (before[inside_hi] - before[inside_lo]) + right


def _value_anchors(
    x: np.ndarray,
    runs: tuple[np.ndarray, np.ndarray],
    units: ClampedRamps,
    hi: np.ndarray,
    sides: tuple[np.ndarray, np.ndarray],
    inside: tuple[np.ndarray, np.ndarray],
    counts: np.ndarray,
) -> _Anchors:
    """For each unit, the first position of some of its distinct values on ``x`` (whose
    :func:`_run_starts` are ``runs``), ascending: its left side (position 0) where ``sides[0]``,
    every run of equal points in ``x[inside[0]:inside[1]]``, and its right side (position ``hi``)
    where ``sides[1]``; ``counts`` from :func:`_anchor_counts`."""
    (starts, before), (left, right), inside_lo = runs, sides, inside[0]
    n_inside = counts - left - right
    owner = np.repeat(np.arange(units.key.size), counts)
    rank = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    inside_rank = rank - left[owner]
    in_range = np.clip(before[inside_lo[owner]] + inside_rank, 0, starts.size - 1)
    anchor = np.where(left[owner] & (rank == 0), 0, np.where(inside_rank < n_inside[owner], starts[in_range], hi[owner]))
    return _Anchors.at(x, units, owner, anchor)


def _unbounded_adjacent(values: np.ndarray) -> np.ndarray:
    """``values`` in the same order with ``±UNBOUNDED`` (and beyond) moved just outside the
    finite ones, so that sort keys holding them stay narrow enough to pack."""
    finite = values[np.abs(values) < UNBOUNDED // 2]
    low, high = (int(finite.min()) - 1, int(finite.max()) + 1) if finite.size else (-1, 1)
    return np.clip(values, low, high)


def _next_record(family: tuple[np.ndarray, np.ndarray], along: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(record, after)`` for units in ascending key order, grouped into families by the pair
    ``family`` and ordered within each by ``along``: whether each unit has a smaller key than
    every unit before it in its family, and for such a unit the index of the next one (−1 if none)."""
    n_units = along.size
    order = lexicographic_order(family[0], _unbounded_adjacent(family[1]), _unbounded_adjacent(along))
    family_start = np.ones(n_units, dtype=bool)
    family_start[1:] = (np.diff(family[0][order]) != 0) | (np.diff(family[1][order]) != 0)
    shifted = order - (np.cumsum(family_start) - 1) * n_units  # unit indices ascend in key; later families sit lower
    is_record = shifted == np.minimum.accumulate(shifted)
    records = order[is_record]
    record, after = np.zeros(n_units, dtype=bool), np.full(n_units, -1)
    record[records] = True
    same_family = ~family_start[is_record][1:]
    after[records[:-1][same_family]] = records[1:][same_family]
    return record, after


def _record_ranges(x: np.ndarray, units: ClampedRamps, lo: np.ndarray, hi: np.ndarray, positive: bool) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``(lo, hi, record)``: the inside range ``x[lo:hi]`` of each unit cut to the points
    ``x_j`` where it is the smallest-key unit giving its child ``relu(±(p − p(x_j)))`` (empty
    elsewhere), and whether it has a smaller key than every unit before it in its family.

    For ``p = (s, z, H)`` with cap point ``e = z + s·H`` and ``x_j`` strictly inside,
    ``relu(p − p(x_j))`` is the ramp ``(s, x_j)`` with cap point ``e``, and ``relu(p(x_j) − p)``
    the ramp ``(−s, x_j)`` with cap point ``z``: the first is the same for every unit of the
    family ``(s, e)`` with ``x_j`` inside, the second for every unit of the family ``(s, z)``
    with ``x_j`` inside, with the same anchor. A unit with no point at or beyond ``e`` (resp. on
    its zero side) gives the first (resp. second) child a column without points at its cap
    point, whichever ``e`` (resp. ``z``) it has: these units form one family per sign. A unit keeps ``x_j`` only if no unit of its family
    with a smaller key has ``x_j`` inside: along its family (by zero point, resp. by cap point
    from the farthest), it keeps the points before the next unit of smaller key: that unit's
    zero point (resp. cap point), where the child is the next unit itself (resp. that unit's
    child at its cap side value), and what lies beyond are that unit's."""
    cap, rising, n = _cap_points(units), units.sign > 0, x.size
    family_sign = np.where(units.height == 0, 0, units.sign)  # the zero unit has no inside: a family of its own
    if positive:  # family (s, e); smaller keys further along s·z have fewer points
        no_cap_side = np.where(rising, hi == n, lo == 0)  # then the children's columns do not depend on e
        record, after = _next_record((family_sign, np.where(no_cap_side, UNBOUNDED, cap)), units.sign * units.zero)
        limit = units.zero[after]
        cut_hi = np.where(rising, np.minimum(hi, np.searchsorted(x, limit, side="left")), hi)
        cut_lo = np.where(rising, lo, np.maximum(lo, np.searchsorted(x, limit, side="right")))
    else:  # family (s, z); smaller keys with nearer cap points have fewer points
        no_zero_side = np.where(rising, lo == 0, hi == n)  # then the children's columns do not depend on z
        record, after = _next_record((family_sign, np.where(no_zero_side, UNBOUNDED, units.zero)), -units.sign * cap)
        limit = cap[after]
        cut_lo = np.where(rising, np.maximum(lo, np.searchsorted(x, limit, side="right")), lo)
        cut_hi = np.where(rising, hi, np.minimum(hi, np.searchsorted(x, limit, side="left")))
    has_next = after >= 0
    cut_lo, cut_hi = np.where(has_next, cut_lo, lo), np.where(has_next, cut_hi, hi)
    return cut_lo, np.where(record, np.maximum(cut_hi, cut_lo), cut_lo), record


def _after_parent_copy(units: ClampedRamps, parents: ClampedRamps, parent_sides: Sides, parent_signs: Sequence[int], next_signs: Sequence[int], n: int) -> np.ndarray:
    """Mask of the units ``p = relu(s(q − c))``, children of ``parents`` (keyed as by
    :func:`_children` with radix ``n``), whose key comes after that of ``q``'s copy
    ``relu(q − 0) = q`` (sign 1, anchor at ``q``'s first zero) and whose sign ``s`` the next
    layer uses.

    The copy is a naive unit of ``p``'s layer when ``q`` is zero at a data point, so the unit
    ``w`` kept for the column ``q`` has a key no larger than the copy's, hence smaller than
    ``p``'s; then ``relu(s(w − c))``, a child of ``w`` in the next layer, has the column ``p``
    and a smaller key than ``relu(p − 0) = p``, which can be left out."""
    if 1 not in parent_signs:
        return np.zeros(units.key.size, dtype=bool)
    n_signs, copy_sign = len(parent_signs), list(parent_signs).index(1)
    parent = np.searchsorted(parents.key, units.key // (n_signs * n))
    sign_index, anchor = (units.key // n) % n_signs, units.key % n
    lo, hi = parent_sides
    rising = parents.sign > 0
    has_zero = np.where(rising, lo > 0, hi < n) & (parents.height > 0)
    copy_anchor = np.where(rising, 0, hi)[parent]
    after_copy = (sign_index > copy_sign) | ((sign_index == copy_sign) & (anchor > copy_anchor))
    usable = np.array([sign in next_signs for sign in parent_signs])
    return has_zero[parent] & after_copy & usable[sign_index]


def _layer(
    x: np.ndarray, units: ClampedRamps, sides: Sides, signs: Sequence[int], hold: Callable[[int], None], copied: np.ndarray | None = None
) -> ClampedRamps:
    """The candidate children of ``units`` (distinct columns, ascending in key) with free anchors:
    one per sign and distinct value, except those a candidate of smaller key is known to equal.

    Left out: the children ``relu(±(p − c))``, ``c`` inside, that a unit of smaller key gives
    too (:func:`_record_ranges`); ``relu(p − 0) = p`` for a unit ``p`` that is not the first of
    its family ``(s, e)`` and has a data point as zero point (the first unit before it gives
    the same column at that point, with a smaller key) or is ``copied``
    (:func:`_after_parent_copy`); and every zero column (``relu(p − H)``, ``relu(0 − p)``, the
    zero unit's children) but the first. ``sides`` are the units' :func:`_zero_and_cap_sides`;
    ``hold`` is told the number of candidates first."""
    n = x.size
    lo, hi = sides
    rising, zero_unit = units.sign > 0, units.height == 0
    left, right = (lo > 0) | zero_unit, (hi < n) & ~zero_unit  # the zero unit: one value, at position 0
    last_zero, first_zero = x[np.maximum(lo - 1, 0)], x[np.minimum(hi, n - 1)]  # the zero side's nearest point
    zero_point_is_data = np.where(rising, (lo > 0) & (last_zero == units.zero), (hi < n) & (first_zero == units.zero))
    copied = np.zeros(units.key.size, dtype=bool) if copied is None else copied
    sides, ranges, zero_children = [], [], []
    for sign in signs:
        cut_lo, cut_hi, record = _record_ranges(x, units, lo, hi, sign > 0)
        zero_on_left = zero_unit | (~rising if sign > 0 else rising)  # relu(p − H) on the cap side, relu(0 − p) on the zero side
        repeats = (sign > 0) & ((~record & zero_point_is_data) | copied) & ~zero_unit  # relu(p − 0) = p, on the zero side
        sides.append((left & ~zero_on_left & ~(repeats & rising), right & zero_on_left & ~(repeats & ~rising)))
        ranges.append((cut_lo, cut_hi))
        zero_children.append((np.where(zero_on_left, left, right), zero_on_left))
    first_zero = [
        ((units.key[unit] * len(signs) + index) * n + (0 if on_left[unit] else hi[unit]), index, unit)
        for index, (child, on_left) in enumerate(zero_children)
        for unit in np.flatnonzero(child)[:1]
    ]
    if first_zero:  # the zero column once, from the candidate of smallest key
        _, index, unit = min(first_zero)
        sides[index][0 if zero_children[index][1][unit] else 1][unit] = True
    runs = _run_starts(x)
    counts = [_anchor_counts(runs, side, inside) for side, inside in zip(sides, ranges)]
    hold(sum(int(count.sum()) for count in counts))  # before the anchors are formed
    per_sign = [_value_anchors(x, runs, units, hi, *parts) for parts in zip(sides, ranges, counts)]
    return _children(units, per_sign, signs, n)


def _block_units(
    x: np.ndarray,
    first_breakpoints: np.ndarray,
    tied_anchors: np.ndarray | None,
    signs_per_layer: Sequence[Sequence[int]],
    hold: Callable[[int], None],
    report: Callable[[int, int, int], None],
) -> tuple[ClampedRamps, Classes]:
    """One unit per distinct last-layer column of a block (the smallest key), ascending in key,
    and their classes (:func:`canonical_ramps`)."""
    first_signs = signs_per_layer[0]
    n_first = first_breakpoints.size
    first_layer = ClampedRamps(
        np.repeat(np.asarray(first_signs, dtype=np.int64), n_first),
        np.tile(first_breakpoints.astype(np.int64), len(first_signs)),
        np.full(len(first_signs) * n_first, UNBOUNDED, dtype=np.int64),
        np.arange(len(first_signs) * n_first, dtype=np.int64),
    )
    hold(first_layer.key.size)
    deeper = list(signs_per_layer[1:])
    if tied_anchors is not None and deeper:  # equal units with different tied anchors have different children: keep all
        report(1, first_layer.key.size, first_layer.key.size)
        tied = np.tile(np.asarray(tied_anchors, dtype=np.int64), len(first_signs))
        pairs = _Anchors.at(x, first_layer, np.arange(first_layer.key.size), tied)
        layer_signs = deeper.pop(0)
        hold(pairs.owner.size * len(layer_signs))
        candidates = _children(first_layer, [pairs] * len(layer_signs), layer_signs, 1)
        units, classes, sides = _distinct(x, candidates)
        report(2, candidates.key.size, units.key.size)
    else:
        units, classes, sides = _distinct(x, first_layer)
        report(1, first_layer.key.size, units.key.size)
    done = len(signs_per_layer) - len(deeper)
    parents: tuple[ClampedRamps, Sides, Sequence[int]] | None = None  # the layer before, when its children were formed with free anchors
    for depth_index, layer_signs in enumerate(deeper):
        copied = None if parents is None else _after_parent_copy(units, *parents, layer_signs, x.size)
        kept_parents = 0 if parents is None else parents[0].key.size  # 6 words each, alive until the layer is formed
        candidates = _layer(x, units, sides, layer_signs, lambda count: hold(count + -(-6 * kept_parents // CANDIDATE_WORDS)), copied)
        parents = (units, sides, layer_signs)
        units, classes, sides = _distinct(x, candidates)
        report(done + depth_index + 1, candidates.key.size, units.key.size)
    return units, classes


def clamped_ramp_rows(
    x: np.ndarray,
    signs_per_layer: Sequence[Sequence[int]],
    blocks: Sequence[tuple[np.ndarray, np.ndarray | None, int]],
    reserve: Callable[[int], None],
    spare_rows: int = 0,
    block_report: Callable[[int], Callable[[int, int, int], None]] = lambda block: lambda layer, candidates, rows: None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, keys)`` of a deep narrow ReLU library's blocks: one row per distinct last-layer
    column of all blocks (the smallest key), ascending in key, followed by ``spare_rows``
    uninitialised rows (and keys).

    The same rows and keys as the generic layer-by-layer build of
    :func:`~mirrorlib.libraries.distinct_columns.distinct_narrow_columns` (same arguments,
    ``slopes = (0, 1)``) followed by a merge of the blocks, with no row formed before the
    distinct units of every block are known; each row is written once.

    Parameters
    ----------
    x : numpy.ndarray
        Sorted data, fixed-width integers (see :func:`clamps_apply`).
    signs_per_layer : sequence of sequences of int
        ``s_l`` options for layers ``1..L−1``.
    blocks : sequence of ``(first_breakpoints, tied_anchors, first_key)``
        As for :func:`~mirrorlib.libraries.distinct_columns.distinct_narrow_columns`: the ``a_1``
        options (same dtype as ``x``), each one's layer-2 anchor position when tied (else
        None), and the number of the block's first naive column; ascending, non-overlapping.
    reserve : callable
        Told, before each layer's candidates and before the rows are allocated, how many rows
        of ``N`` entries of ``x``'s type the build then holds at once.
    spare_rows : int, optional
        Uninitialised rows (and keys) appended.
    block_report : callable, optional
        ``block_report(b)`` is told (layer, candidate units, distinct units) after each layer of block ``b``.

    Returns
    -------
    rows : numpy.ndarray
        Distinct rows, then ``spare_rows`` uninitialised rows; ``x``'s dtype.
    keys : numpy.ndarray
        Their :func:`~mirrorlib.libraries.narrow_columns.narrow_provenance` numbers.

    Examples
    --------
    >>> x = np.array([0, 1, 3])
    >>> rows, keys = clamped_ramp_rows(x, [(1, -1), (1, -1)], [(x, None, 0)], lambda rows: None)
    >>> rows.tolist()
    [[0, 1, 3], [0, 0, 2], [0, 0, 0], [1, 0, 0], [3, 2, 0], [2, 2, 0], [0, 1, 1]]
    >>> keys.tolist()  # 27: h1 = relu(−(x − x_1)), h2 = relu(−(h1(x) − h1(x_0)))
    [0, 1, 2, 4, 5, 11, 27]
    """
    row_bytes = max(1, x.size * x.itemsize)
    kept: list[tuple[ClampedRamps, Classes]] = []

    def hold(candidates: int) -> None:
        held = sum(units.key.size for units, _ in kept) * 7 + CANDIDATE_WORDS * candidates  # 8-byte words
        reserve(-(-(8 * held) // row_bytes))

    points = x.astype(np.int64)  # every position, height and search below in int64
    for index, (firsts, tied, first_key) in enumerate(blocks):
        units, classes = _block_units(points, firsts, tied, signs_per_layer, hold, block_report(index))
        kept.append((ClampedRamps(units.sign, units.zero, units.height, units.key + first_key), classes))
    units = ClampedRamps(*(np.concatenate([getattr(u, name) for u, _ in kept]) for name in ("sign", "zero", "height", "key")))
    if len(kept) > 1:
        hold(units.key.size)
        classes = tuple(np.concatenate([c[part] for _, c in kept]) for part in range(3))
        units = units.take(first_occurrences(*classes))  # keys ascend across blocks: the first of each column is the smallest
    del kept[:]
    reserve(units.key.size + spare_rows + -(-(8 * 4 * units.key.size) // row_bytes))
    rows = np.empty((units.key.size + spare_rows, x.size), dtype=x.dtype)
    keys = np.empty(units.key.size + spare_rows, dtype=np.int64)
    units.write(x, rows[: units.key.size])
    keys[: units.key.size] = units.key
    return rows, keys
