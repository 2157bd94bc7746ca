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
    """Units ``min(max(s(x − z), 0), H)`` with their provenance keys, ascending in ``key``."""

    sign: np.ndarray
    zero: np.ndarray
    height: np.ndarray
    key: np.ndarray

    def take(self, chosen: np.ndarray) -> ClampedRamps:
        return ClampedRamps(self.sign[chosen], self.zero[chosen], self.height[chosen], self.key[chosen])

    def values_at(self, x: np.ndarray, positions: np.ndarray, units: np.ndarray | None = None) -> np.ndarray:
        """``r_u(x_j)`` for the pairs ``(u, j)`` of ``units`` (all units when omitted) and ``positions``."""
        sign, zero, height = (self.sign, self.zero, self.height) if units is None else (self.sign[units], self.zero[units], self.height[units])
        return np.minimum(np.maximum(sign * (x[positions].astype(np.int64) - zero), 0), height)

    def write(self, x: np.ndarray, out: np.ndarray) -> None:
        """``out[u] = r_u(x)`` in ``out``'s integer type, a cache-sized chunk of rows at a time."""
        step = max(1, 2**19 // max(1, x.size * out.itemsize))
        row_x = x[None, :].astype(out.dtype)
        for start in range(0, self.key.size, step):
            rows = slice(start, start + step)
            block = out[rows]
            np.subtract(row_x, self.zero[rows, None].astype(out.dtype), out=block)
            np.multiply(block, self.sign[rows, None].astype(out.dtype), out=block)
            np.maximum(block, 0, out=block)
            np.minimum(block, np.minimum(self.height[rows], np.iinfo(out.dtype).max).astype(out.dtype)[:, None], out=block)


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


def _zero_and_cap_sides(x: np.ndarray, units: ClampedRamps) -> tuple[np.ndarray, np.ndarray]:
    """``(lo, hi)``: the points strictly inside unit ``u`` are ``x[lo[u]:hi[u]]`` (sorted data);
    for ``s = 1`` the zero side is ``x[:lo]`` and the cap side ``x[hi:]``, for ``s = −1`` the
    reverse. Zero units (``H = 0``) get ``lo = hi``."""
    rising = units.sign > 0
    bounded = units.height < UNBOUNDED // 2
    cap_point = np.where(bounded, units.zero + units.sign * np.where(bounded, units.height, 0), 0)
    rising_lo = np.searchsorted(x, units.zero, side="right")
    rising_hi = np.where(bounded, np.searchsorted(x, cap_point, side="left"), x.size)
    falling_lo = np.where(bounded, np.searchsorted(x, cap_point, side="right"), 0)
    falling_hi = np.searchsorted(x, units.zero, side="left")
    lo = np.where(rising, rising_lo, falling_lo)
    hi = np.maximum(np.where(rising, rising_hi, falling_hi), lo)
    zero_unit = units.height == 0
    return np.where(zero_unit, 0, lo), np.where(zero_unit, 0, hi)


def canonical_ramps(x: np.ndarray, units: ClampedRamps) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
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
    lo, hi = _zero_and_cap_sides(x, units)
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


def _first_of_each_class(kind: np.ndarray, position: np.ndarray, height: np.ndarray) -> np.ndarray:
    """Ascending indices of the first unit of each ``(kind, position, height)`` class: the three
    packed exactly into one int64 when their ranges allow, else sorted lexicographically."""
    if kind.size == 0:
        return np.zeros(0, dtype=np.int64)
    low_position, low_height = int(position.min()), int(height.min())
    position_range, height_range = int(position.max()) - low_position + 1, int(height.max()) - low_height + 1
    if 5 * position_range * height_range < 2**63:
        code = (kind * position_range + (position - low_position)) * height_range + (height - low_height)
        return np.sort(np.unique(code, return_index=True)[1])
    order = np.lexsort((np.arange(kind.size), height, position, kind))
    starts = np.ones(order.size, dtype=bool)
    starts[1:] = (np.diff(kind[order]) != 0) | (np.diff(position[order]) != 0) | (np.diff(height[order]) != 0)
    return np.sort(order[starts])


def _distinct(x: np.ndarray, candidates: ClampedRamps) -> ClampedRamps:
    """One unit per distinct column, the first (smallest key) of each, ascending in key."""
    return candidates.take(_first_of_each_class(*canonical_ramps(x, candidates)))


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


def _value_anchors(x: np.ndarray, units: ClampedRamps, lo: np.ndarray, hi: np.ndarray, inside: tuple[np.ndarray, np.ndarray] | None = None) -> _Anchors:
    """For each unit, the first position of each of its distinct values on ``x``, ascending: its
    zero and cap sides are one value each, every run of equal points strictly inside
    (``x[lo:hi]``, or only ``x[inside[0]:inside[1]]``) is another."""
    n = x.size
    starts, before = _run_starts(x)
    inside_lo, inside_hi = (lo, hi) if inside is None else inside
    zero_unit = units.height == 0
    has_left, has_right = (lo > 0) | zero_unit, (hi < n) & ~zero_unit
    n_inside = before[inside_hi] - before[inside_lo]
    counts = has_left.astype(np.int64) + n_inside + has_right
    owner = np.repeat(np.arange(units.key.size), counts)
    rank = np.arange(owner.size) - np.repeat(np.cumsum(counts) - counts, counts)
    inside_rank = rank - has_left[owner]
    in_range = np.clip(before[inside_lo[owner]] + inside_rank, 0, starts.size - 1)
    anchor = np.where(has_left[owner] & (rank == 0), 0, np.where(inside_rank < n_inside[owner], starts[in_range], hi[owner]))
    return _Anchors.at(x, units, owner, anchor)


def _record_ranges(x: np.ndarray, units: ClampedRamps, lo: np.ndarray, hi: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The inside range ``x[lo:hi]`` of each unit cut to the points where it is the smallest-key
    unit producing ``relu(p − c)``, ``c`` inside (empty elsewhere).

    For ``p = (s, z, H)`` and a point ``x_j`` strictly inside, ``relu(p − p(x_j))`` is the ramp
    with sign ``s``, zero point ``x_j`` and the cap point ``e = z + s·H`` of ``p``; every unit with
    the same ``s`` and ``e`` and its zero point before ``x_j`` (in the direction ``s``) gives the
    same child, with the same anchor. Of these the one of smallest key is kept: a unit keeps
    ``x_j`` only if no unit of its family with a smaller key has its zero point between its own
    and ``x_j`` — up to the zero point of the next such unit, which it keeps too."""
    n_units = units.key.size
    bounded = units.height < UNBOUNDED // 2
    cap = np.where(bounded, units.zero + units.sign * np.where(bounded, units.height, 0), units.sign * UNBOUNDED)
    along = units.sign * units.zero
    order = np.lexsort((along, cap, units.sign))  # families (s, e), each along its direction
    family_start = np.ones(n_units, dtype=bool)
    family_start[1:] = (np.diff(units.sign[order]) != 0) | (np.diff(cap[order]) != 0)
    family = np.cumsum(family_start) - 1
    shifted = order - family * n_units  # unit indices ascend in key; later families sit lower
    record = shifted == np.minimum.accumulate(shifted)
    records = order[record]
    next_in_family = np.full(records.size, -1)
    same = family[record][1:] == family[record][:-1]
    next_in_family[:-1][same] = records[1:][same]
    keep = np.zeros(n_units, dtype=bool)
    keep[records] = True
    limit_zero = np.full(n_units, 0, dtype=np.int64)
    has_next = np.zeros(n_units, dtype=bool)
    has_next[records] = next_in_family >= 0
    limit_zero[records[next_in_family >= 0]] = units.zero[next_in_family[next_in_family >= 0]]
    rising = units.sign > 0
    cut_hi = np.where(has_next & rising, np.minimum(hi, np.searchsorted(x, limit_zero, side="right")), hi)
    cut_lo = np.where(has_next & ~rising, np.maximum(lo, np.searchsorted(x, limit_zero, side="left")), lo)
    cut_hi = np.where(keep, np.maximum(cut_hi, cut_lo), cut_lo)
    return cut_lo, cut_hi


def _layer(x: np.ndarray, units: ClampedRamps, signs: Sequence[int], hold: Callable[[int], None]) -> ClampedRamps:
    """The candidate children of ``units`` (distinct columns, ascending in key) with free anchors:
    one per sign and distinct value, except the ``relu(p − c)``, ``c`` inside, that a unit of
    smaller key gives too (:func:`_record_ranges`); ``hold`` is told their number first."""
    lo, hi = _zero_and_cap_sides(x, units)
    every_value = _value_anchors(x, units, lo, hi)
    records = _value_anchors(x, units, lo, hi, _record_ranges(x, units, lo, hi)) if any(sign > 0 for sign in signs) else every_value
    per_sign = [records if sign > 0 else every_value for sign in signs]
    hold(sum(pairs.owner.size for pairs in per_sign))
    return _children(units, per_sign, signs, x.size)


def _block_units(
    x: np.ndarray,
    first_breakpoints: np.ndarray,
    tied_anchors: np.ndarray | None,
    signs_per_layer: Sequence[Sequence[int]],
    hold: Callable[[int], None],
    report: Callable[[int, int, int], None],
) -> ClampedRamps:
    """One unit per distinct last-layer column of a block (the smallest key), ascending in key."""
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
        units = _distinct(x, candidates)
        report(2, candidates.key.size, units.key.size)
    else:
        units = _distinct(x, first_layer)
        report(1, first_layer.key.size, units.key.size)
    done = len(signs_per_layer) - len(deeper)
    for depth_index, layer_signs in enumerate(deeper):
        candidates = _layer(x, units, layer_signs, hold)
        units = _distinct(x, candidates)
        report(done + depth_index + 1, candidates.key.size, units.key.size)
    return units


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
    kept: list[ClampedRamps] = []

    def hold(candidates: int) -> None:
        held = sum(units.key.size for units in kept) * 4 + CANDIDATE_WORDS * candidates  # 8-byte words
        reserve(-(-(8 * held) // row_bytes))

    for index, (firsts, tied, first_key) in enumerate(blocks):
        units = _block_units(x, firsts, tied, signs_per_layer, hold, block_report(index))
        kept.append(ClampedRamps(units.sign, units.zero, units.height, units.key + first_key))
    units = ClampedRamps(*(np.concatenate([getattr(u, name) for u in kept]) for name in ("sign", "zero", "height", "key")))
    if len(kept) > 1:
        hold(units.key.size)
        units = _distinct(x, units)  # keys ascend across blocks: the first of each column is the smallest
    del kept[:]
    reserve(units.key.size + spare_rows + -(-(8 * 4 * units.key.size) // row_bytes))
    rows = np.empty((units.key.size + spare_rows, x.size), dtype=x.dtype)
    keys = np.empty(units.key.size + spare_rows, dtype=np.int64)
    units.write(x, rows[: units.key.size])
    keys[: units.key.size] = units.key
    return rows, keys
