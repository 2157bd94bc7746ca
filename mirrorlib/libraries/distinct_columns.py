"""Exact deduplication of integer columns, and deep narrow libraries built distinct layer by layer.

**Equal rows, exactly.** :func:`row_groups` labels the rows of an integer matrix so that two rows
share a label exactly when they are equal: rows are hashed with random odd multipliers in
wrapping uint64 arithmetic, and every row that shares its hash with another is then compared
entry by entry with its group's representative.

**Distinct by construction.** A unit of layer ``l`` is ``h_l = σ(s(h_{l−1}(x) − h_{l−1}(x_j)))``:
it depends on its parent ``h_{l−1}`` only through the parent's values on the data, and on the
anchor only through the value ``h_{l−1}(x_j)``. :func:`distinct_narrow_columns` therefore keeps
one row per distinct parent and one anchor per distinct parent value, layer by layer; for
ReLU-like σ (``σ(t) = b·max(t, 0)``, ``b > 0``) the rows ``σ(−h) = 0`` are considered once
instead of once per parent, and for other σ a parent ``p + k`` (or ``k − p``, for even σ or
both signs) of an earlier parent ``p`` gets no children: they are ``p``'s
(:func:`affine_twins`). The children of a layer are first compared on a few sampled
columns, computed from the parents' values there; a child that no other child matches there is
distinct, and only the others are built whole and grouped exactly. Each kept row is then
written once, in cache-sized chunks. No layer ever holds the naive library, and before each
array of rows is allocated a ``reserve`` callback is told how many rows of ``N`` entries the
build then holds at once (the parents, their sorted copies and the new rows).

**ReLU without rows.** For ReLU on fixed-width integers every unit is a clamped ramp, known by
three integers (:mod:`mirrorlib.libraries.clamped_ramps`): the layers, the deduplication and the
merge of the blocks then run on those, and only the distinct rows are written, once. Other σ,
and ReLU on data too fine for int64, take the row-by-row build here.

**Which unit labels a column.** Among the naive rows equal to a distinct row, the kept one is
the one with the smallest :func:`~mirrorlib.libraries.narrow_columns.narrow_provenance` index
— the same choice as deduplicating the naive library by first occurrence. Naive indices order
units lexicographically by (sign, first breakpoint, sign, anchor, …): two equal parents have
the same children, so the smallest index of a child goes through the smallest index of its
parent and the smallest anchor with its value, which are the ones kept; skipped ``σ(−h)`` rows
all come after the first one kept.

References
----------
The naive libraries are those of theory §5; the hashing is the usual randomised fingerprint of
vectors (Rabin–Karp style), made exact by the comparison of colliding rows.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np

from mirrorlib.libraries.clamped_ramps import clamped_ramp_rows, clamps_apply
from mirrorlib.libraries.code_groups import code_groups, first_occurrences, lexicographic_order, repeated_codes
from mirrorlib.libraries.narrow_columns import apply_homogeneous

__all__ = ["row_groups", "first_distinct_rows", "distinct_narrow_columns"]


def row_groups(values: np.ndarray, classes: np.ndarray | None = None) -> np.ndarray:
    """A label per row; equal labels exactly when the rows (and their classes) are equal.

    Rows are first hashed on a few evenly spaced columns (:data:`SAMPLED_COLUMNS`): equal rows
    agree there, so a row whose sampled hash no other row shares is distinct without reading the
    rest of it. Only the rows left sharing a sampled hash are hashed whole and compared.

    Parameters
    ----------
    values : numpy.ndarray
        (M, N) integers: int32 or int64, or an object array of Python integers.
    classes : numpy.ndarray, optional
        (M,) integer labels; rows of different classes never share a label.

    Returns
    -------
    numpy.ndarray
        (M,) int64 labels in ``0..G−1`` for ``G`` distinct rows.

    Examples
    --------
    >>> labels = row_groups(np.array([[1, 2], [0, 0], [1, 2]]))
    >>> bool(labels[0] == labels[2] != labels[1])
    True
    >>> len(set(row_groups(np.array([[1, 2], [1, 2]]), classes=np.array([0, 1]))))
    2
    """
    sampled = _sampled_columns(values)
    if sampled is None:
        return _exact_row_groups(values, classes)
    shared = _shares_sample(values[:, sampled], classes)
    n_alone = values.shape[0] - int(np.count_nonzero(shared))
    if n_alone == 0:  # nothing screened out: group the rows as they are, without a copy
        return _exact_row_groups(values, classes)
    labels = np.empty(values.shape[0], dtype=np.int64)
    labels[~shared] = np.arange(n_alone)
    if n_alone < values.shape[0]:
        chosen = np.flatnonzero(shared)
        labels[chosen] = n_alone + _exact_row_groups(np.take(values, chosen, axis=0), None if classes is None else np.asarray(classes)[chosen])
    return labels


SAMPLED_COLUMNS = 8
"""Columns rows are compared on first; rows narrower than four times this are compared whole."""


def _sampled_columns(values: np.ndarray) -> np.ndarray | None:
    """:data:`SAMPLED_COLUMNS` evenly spaced column indices of fixed-width integer rows wide enough to screen, else None."""
    width = values.shape[1]
    if values.dtype == object or width < 4 * SAMPLED_COLUMNS:
        return None
    return np.unique(np.linspace(0, width - 1, SAMPLED_COLUMNS).round().astype(np.int64))


def _shares_sample(on_sample: np.ndarray, classes: np.ndarray | None = None) -> np.ndarray:
    """Mask of the rows whose values on the sampled columns (and class) another row shares, up to
    hash collisions (which only leave rows to the exact comparison). The hashes keep their top
    bits, leaving :func:`repeated_codes` room to pack the row index below them: among ``M``
    rows about ``M³/2⁶⁴`` pairs then collide."""
    hashes = _row_hashes(on_sample, classes)
    return repeated_codes(hashes >> np.uint64(hashes.size.bit_length() + 1))


def _exact_row_groups(values: np.ndarray, classes: np.ndarray | None) -> np.ndarray:
    """:func:`row_groups` without the sampled screen: Python-integer rows through a dictionary,
    fixed-width integer rows by whole-row hashes."""
    if values.dtype != object:
        return _whole_row_groups(values, classes)
    labels = [0] * values.shape[0] if classes is None else [int(c) for c in classes]
    seen: dict[tuple[object, ...], int] = {}
    return np.array([seen.setdefault((labels[i], *row), len(seen)) for i, row in enumerate(values)], dtype=np.int64)


def _rows_per_block(values: np.ndarray) -> int:
    """Rows of ``values`` in a block of about 2²⁰ entries (8 MB as int64), for the passes that
    widen or compare rows a block at a time."""
    return max(1, 2**20 // max(1, values.shape[1]))


def _row_words(values: np.ndarray) -> np.ndarray:
    """The rows of fixed-width integers as uint64 words: their bytes read eight at a time when
    the rows are contiguous and a whole number of words long (two int32 entries to a word),
    else each entry widened to int64. Equal rows give equal words."""
    if values.flags.c_contiguous and (values.shape[1] * values.itemsize) % 8 == 0:
        return values.view(np.uint64)
    return np.ascontiguousarray(values, dtype=np.int64).view(np.uint64)


def _row_hashes(values: np.ndarray, classes: np.ndarray | None) -> np.ndarray:
    """A uint64 hash per integer row (and class): the row's words (:func:`_row_words`) times
    random odd multipliers, wrapping mod 2⁶⁴; equal rows hash equally. Rows are read a block of
    about 8 MB at a time."""
    rng = np.random.default_rng(0x5EED)
    hashes = np.empty(values.shape[0], dtype=np.uint64)
    step = _rows_per_block(values)
    multipliers = None
    for start in range(0, values.shape[0], step):
        words = _row_words(values[start : start + step])
        if multipliers is None:
            multipliers = rng.integers(1, 2**63, words.shape[1], dtype=np.uint64) | np.uint64(1)
        np.matmul(words, multipliers, out=hashes[start : start + step])
    if classes is not None:
        hashes += np.asarray(classes, dtype=np.int64).view(np.uint64) * (rng.integers(1, 2**63, dtype=np.uint64) | np.uint64(1))
    return hashes


def _whole_row_groups(values: np.ndarray, classes: np.ndarray | None) -> np.ndarray:
    """:func:`row_groups` for fixed-width integer rows by a hash of the whole row; rows sharing a hash are
    compared with their group's first row, and a collision falls back to comparing bytes."""
    first, inverse, sizes = code_groups(_row_hashes(values, classes))
    shared = np.flatnonzero(sizes[inverse] > 1)
    representative = first[inverse[shared]]
    if _rows_equal(values, shared, representative) and (
        classes is None or np.array_equal(np.asarray(classes)[shared], np.asarray(classes)[representative])
    ):
        return inverse
    keys = np.ascontiguousarray(np.column_stack([np.zeros(values.shape[0], np.int64) if classes is None else classes, values]), dtype=np.int64)
    as_bytes = keys.view(np.dtype((np.void, keys.shape[1] * keys.itemsize))).ravel()  # a hash collision: compare bytes
    return np.unique(as_bytes, return_inverse=True)[1].ravel().astype(np.int64)


def _rows_equal(values: np.ndarray, left: np.ndarray, right: np.ndarray) -> bool:
    """Whether ``values[left[i]] == values[right[i]]`` for every ``i`` (in chunks of about 8 MB)."""
    step = _rows_per_block(values)
    return all(
        np.array_equal(np.take(values, left[start : start + step], axis=0), np.take(values, right[start : start + step], axis=0))
        for start in range(0, left.size, step)
    )


def _repeats_earlier_row(values: np.ndarray, classes: np.ndarray, index: int) -> bool:
    """Whether row ``index`` equals an earlier row of the same class (classes, then first entries filter, then whole rows)."""
    same_class = np.flatnonzero(classes[:index] == classes[index])
    earlier = same_class[(values[same_class, 0] == values[index, 0]).astype(bool)]
    return bool(earlier.size) and any(np.array_equal(values[i], values[index]) for i in earlier)


def first_distinct_rows(values: np.ndarray, classes: np.ndarray | None = None) -> list[int]:
    """Indices of the first occurrence of each distinct row (and class) of an integer matrix.

    Parameters
    ----------
    values : numpy.ndarray
        (M, N) integers.
    classes : numpy.ndarray, optional
        (M,) integer labels; rows of different classes are never merged.

    Returns
    -------
    list of int
        Ascending row indices, one per distinct row (see :func:`row_groups`).

    Examples
    --------
    >>> first_distinct_rows(np.array([[1, 2], [0, 0], [1, 2]]))
    [0, 1]
    >>> first_distinct_rows(np.array([[1, 2], [1, 2]]), classes=np.array([0, 1]))
    [0, 1]
    """
    if values.shape[0] == 0:
        return []
    return first_occurrences(row_groups(values, classes)).tolist()


def _smallest_key_per_group(values: np.ndarray, keys: np.ndarray, classes: np.ndarray | None = None) -> np.ndarray:
    """Row indices of one row per distinct row: the one with the smallest key, in ascending key order."""
    if values.shape[0] == 0:
        return np.zeros(0, dtype=np.int64)
    groups = row_groups(values, classes)
    by_key = lexicographic_order(keys)
    return by_key[first_occurrences(groups[by_key])]


def affine_twins(values: np.ndarray, reflections: bool) -> np.ndarray:
    """Mask of the rows ``q`` equal to ``p + k`` (or, with ``reflections``, to ``k − p``) for an
    earlier row ``p`` and a constant ``k``.

    Such a ``q`` has the children of ``p``: ``σ(s(q − d)) = σ(s(p − (d − k)))``, and
    ``σ(s(q − d)) = σ(−s(p − (k − d)))``, which is a child of ``p`` when ``−s`` is a sign of
    the layer too or σ is even (``σ(−t) = σ(t)``, abs); the values ``d − k`` (``k − d``) run
    over ``p``'s values as ``d`` runs over ``q``'s.

    Parameters
    ----------
    values : numpy.ndarray
        (M, N) integers (fixed-width or Python integers), ``N ≥ 1``.
    reflections : bool
        Whether ``k − p`` counts as a twin too.

    Returns
    -------
    numpy.ndarray
        (M,) bool.

    Examples
    --------
    >>> rows = np.array([[0, 2, 5], [1, 3, 6], [5, 3, 0], [0, 1, 5]])
    >>> affine_twins(rows, reflections=False).tolist()
    [False, True, False, False]
    >>> affine_twins(rows, reflections=True).tolist()
    [False, True, True, False]
    """
    wide = values if values.dtype == object else values.astype(np.int64)
    low = wide - wide.min(axis=1, keepdims=True)  # p − min p: the same for p and p + k
    if reflections:  # and k − p gives max p − p: keep the lexicographically smaller of the two
        high = wide.max(axis=1, keepdims=True) - wide
        differ = (low != high).astype(bool)
        first = differ.argmax(axis=1)
        rows = np.arange(values.shape[0])
        low = np.where((differ[rows, first] & (low[rows, first] > high[rows, first]).astype(bool))[:, None], high, low)
    groups = row_groups(low)
    twin = np.ones(values.shape[0], dtype=bool)
    twin[first_occurrences(groups)] = False
    return twin


TWIN_WORDS = 4
"""8-byte words per parent entry while :func:`affine_twins` runs: the widened rows, both
normalisations and the choice between them."""


def reflections_share_children(slopes: tuple[object, object], signs: Sequence[int]) -> bool:
    """Whether ``k − p`` has the children ``σ(s(· − v))``, ``s ∈ signs``, of ``p``: when σ is even
    (``σ(t) = b|t|``) or both signs are in ``signs`` (see :func:`affine_twins`).

    Examples
    --------
    >>> reflections_share_children((-1, 1), (1,)), reflections_share_children((0, 1), (1,))
    (True, False)
    >>> reflections_share_children((0, 1), (1, -1))
    True
    """
    return slopes[0] == -slopes[1] or set(signs) == {1, -1}


def _relu_like(slopes: tuple[object, object]) -> bool:
    """``σ(t) = b·max(t, 0)`` with ``b > 0``: ``σ(−σ(g)) = 0`` and ``σ(σ(g) − v) = σ(b·g − v)`` for ``v > 0``."""
    return slopes[0] == 0 and slopes[1] > 0


@dataclass(frozen=True)
class _RowOrder:
    """Each row's positions in ascending order of value (stable) and the values in that order."""

    order: np.ndarray
    ordered: np.ndarray

    @classmethod
    def of(cls, values: np.ndarray) -> _RowOrder:
        """Fixed-width rows narrow enough are sorted as the codes ``value·N + position`` (one
        unstable sort of distinct codes, the same order); others by a stable argsort."""
        width = values.shape[1]
        if values.dtype != object and values.size and int(np.abs(values).max()) < 2**62 // max(1, 2 * width):
            codes = np.sort(values.astype(np.int64) * width + np.arange(width), axis=1)
            ordered, order = np.divmod(codes, width)
            return cls(order, ordered.astype(values.dtype, copy=False))
        order = np.argsort(values, axis=1, kind="stable")
        return cls(order, np.take_along_axis(values, order, axis=1))

    def descending(self) -> _RowOrder:
        """The same rows in descending order of value (the ascending order of ``−values``;
        equal values stay contiguous, which is all the runs below need)."""
        return _RowOrder(self.order[:, ::-1], self.ordered[:, ::-1])

    def value_anchors(self) -> tuple[np.ndarray, np.ndarray]:
        """``(row, j)`` pairs, one per distinct value of each row (its first position ``j``), by row then ``j``."""
        starts = np.ones(self.order.shape, dtype=bool)
        starts[:, 1:] = (self.ordered[:, 1:] != self.ordered[:, :-1]).astype(bool)
        at_position = np.empty_like(starts)
        np.put_along_axis(at_position, self.order, starts, axis=1)  # back from value order to position order
        return np.nonzero(at_position)

    def first_at_or_below(self) -> np.ndarray:
        """``out[r, k]`` = the smallest index ``k'`` whose value comes no later than ``k``'s in this
        order (for the ascending order: ``values[r, k'] ≤ values[r, k]``)."""
        width = self.order.shape[1]
        run_ends = np.ones(self.order.shape, dtype=bool)
        run_ends[:, :-1] = (self.ordered[:, :-1] != self.ordered[:, 1:]).astype(bool)
        end_of_run = np.where(run_ends, np.arange(width), width)
        end_of_run = np.minimum.accumulate(end_of_run[:, ::-1], axis=1)[:, ::-1]
        smallest_so_far = np.minimum.accumulate(self.order, axis=1)
        out = np.empty_like(self.order)
        np.put_along_axis(out, self.order, np.take_along_axis(smallest_so_far, end_of_run, axis=1), axis=1)
        return out

    def signed(self, sign: int) -> _RowOrder:
        """The order of ``sign · values``."""
        return self if sign > 0 else self.descending()


@dataclass(frozen=True)
class _Siblings:
    """For the units ``p = σ(s(g − g(x_{j_p})))`` of one layer (ReLU-like σ, free anchors): which
    ``σ(p − v)``, ``v = p(x_j) > 0``, may be skipped.

    ``σ(p − v) = σ(s(g − g(x_j)))`` (as functions) for every sibling ``p'`` of ``p`` (same ``g``
    and ``s``) with ``s·g(x_{j'}) ≤ s·g(x_j)``; the smallest naive index among them is the
    sibling with the smallest anchor ``j'``, so only that sibling's row is generated. At layer
    2 ``g = x`` and the siblings are the first breakpoints ``a_f`` (the data points among them).

    ``minimal[s, g, k]`` is that smallest anchor for grandparent row ``g``, sign index ``s`` and
    query position ``k``; ``decode`` maps a parent key to (grandparent row, sign index, own
    anchor); ``query`` maps a data position to ``k``.
    """

    minimal: np.ndarray
    decode: Callable[[np.ndarray], tuple[np.ndarray, np.ndarray, np.ndarray]]
    query: np.ndarray

    def redundant(self, parent_keys: np.ndarray, anchors: np.ndarray, anchor_values: np.ndarray) -> np.ndarray:
        """Mask of the pairs whose child ``σ(p − v)`` has a smaller-index equal row elsewhere."""
        grandparent, sign_index, own = self.decode(parent_keys)
        smallest = self.minimal[sign_index, grandparent, self.query[anchors]]
        return (anchor_values != 0).astype(bool) & (own != smallest)

    @classmethod
    def of_first_layer(cls, x: np.ndarray, first_breakpoints: np.ndarray, signs: Sequence[int]) -> _Siblings:
        n_first = first_breakpoints.size
        ascending = _RowOrder.of(first_breakpoints[None, :])
        minimal = np.stack([ascending.signed(sign).first_at_or_below() for sign in signs])
        return cls(minimal, lambda keys: (np.zeros_like(keys), keys // n_first, keys % n_first), np.searchsorted(x, x, side="left"))

    @classmethod
    def of_layer(cls, grandparents: _RowOrder, grandparent_keys: np.ndarray, signs: Sequence[int]) -> _Siblings:
        n_points, n_signs = grandparents.order.shape[1], len(signs)

        def decode(keys: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
            return np.searchsorted(grandparent_keys, keys // (n_points * n_signs)), (keys // n_points) % n_signs, keys % n_points

        minimal = np.stack([grandparents.signed(sign).first_at_or_below() for sign in signs])
        return cls(minimal, decode, np.arange(n_points))


@dataclass(frozen=True)
class _Candidates:
    """Child rows ``σ(sign·(hidden[parent] − anchor_value))`` to consider, ascending in ``key``."""

    parent: np.ndarray
    anchor_value: np.ndarray
    sign: np.ndarray
    key: np.ndarray

    def take(self, chosen: np.ndarray) -> _Candidates:
        return _Candidates(self.parent[chosen], self.anchor_value[chosen], self.sign[chosen], self.key[chosen])


def _candidates(
    hidden: np.ndarray,
    keys: np.ndarray,
    parents: np.ndarray,
    anchors: np.ndarray,
    signs: Sequence[int],
    anchor_radix: int,
    slopes: tuple[object, object],
    siblings: _Siblings | None = None,
) -> _Candidates:
    """The children ``σ(s(h_p − h_p(x_j)))`` of the ``(p, j)`` pairs for every sign, keyed
    ``(key_p·|S| + sign index)·radix + j``, in ascending key order.

    For ReLU-like σ (``a = 0 < b``) the rows ``σ(−h_p) = 0`` are kept once (the first, whose key
    is the smallest of them), and with ``siblings`` the rows ``σ(h_p − v)``, ``v > 0``, that a
    sibling of ``p`` produces with a smaller key are left out."""
    anchor_values = hidden[parents, anchors]
    relu_like = _relu_like(slopes)
    per_sign = []
    for sign_index, sign in enumerate(signs):
        chosen = np.ones(parents.size, dtype=bool)
        if relu_like and sign < 0:
            at_zero = (anchor_values == 0).astype(bool)
            chosen = ~at_zero
            if at_zero.any():
                chosen[np.flatnonzero(at_zero)[0]] = True
        elif relu_like and siblings is not None:
            chosen = ~siblings.redundant(keys[parents], anchors, anchor_values)
        chosen = np.flatnonzero(chosen)
        anchor_term = anchors[chosen] if anchor_radix > 1 else 0
        child_keys = (keys[parents[chosen]] * len(signs) + sign_index) * anchor_radix + anchor_term
        per_sign.append(_Candidates(parents[chosen], anchor_values[chosen], np.full(chosen.size, sign, dtype=np.int64), child_keys))
    if len(per_sign) == 1:
        return per_sign[0]
    joined = _Candidates(*(np.concatenate([getattr(c, name) for c in per_sign]) for name in ("parent", "anchor_value", "sign", "key")))
    return joined.take(np.argsort(joined.key, kind="stable"))  # each sign's keys ascend: the stable sort merges these runs


CHUNK_BYTES = 2**19
"""Rows are written in chunks of about this size, so each chunk stays in cache across the steps."""


@dataclass(frozen=True)
class _SignedParents:
    """The parent rows and, below them, their negatives: ``σ(s(h − v))`` is ``σ(row − s·v)`` of
    row ``p`` (``s = 1``) or ``p + P`` (``s = −1``), one gather and two passes per child."""

    rows: np.ndarray
    n_parents: int

    @classmethod
    def of(cls, hidden: np.ndarray, signs: np.ndarray, reserve: Callable[[int], None], held: int) -> _SignedParents:
        """The signed parents; ``held`` rows are alive besides (the stacked copy adds ``2P``)."""
        if bool((signs == 1).all()):
            return cls(hidden, hidden.shape[0])
        reserve(held + 2 * hidden.shape[0])
        return cls(np.concatenate([hidden, -hidden]), hidden.shape[0])

    @property
    def copied_rows(self) -> int:
        """Rows this object holds beyond the parents themselves."""
        return 0 if self.rows.shape[0] == self.n_parents else self.rows.shape[0]

    def columns(self, chosen: np.ndarray) -> _SignedParents:
        return _SignedParents(np.ascontiguousarray(self.rows[:, chosen]), self.n_parents)

    def write(self, candidates: _Candidates, slopes: tuple[object, object], out: np.ndarray) -> None:
        """``out[i] = σ(sign_i·(h[parent_i] − anchor_value_i))``, chunk by chunk."""
        step = max(1, CHUNK_BYTES // max(1, self.rows.shape[1] * self.rows.itemsize))
        negative = candidates.sign < 0
        source = candidates.parent + self.n_parents * negative
        shift = np.where(negative, -candidates.anchor_value, candidates.anchor_value)
        for start in range(0, candidates.key.size, step):
            rows = slice(start, start + step)
            block = out[rows]
            np.take(self.rows, source[rows], axis=0, out=block, mode="clip")  # indices are valid; "clip" writes unbuffered
            block -= shift[rows][:, None]
            apply_homogeneous(block, slopes)


def _distinct_children(
    hidden: np.ndarray,
    candidates: _Candidates,
    slopes: tuple[object, object],
    reserve: Callable[[int], None],
    held: int,
    spare_rows: int = 0,
) -> tuple[np.ndarray, np.ndarray]:
    """One row per distinct child (the one with the smallest key), ascending in key, each written
    once, followed by ``spare_rows`` uninitialised rows (and keys); ``held`` rows of the caller
    (the parents and what was derived from them) stay alive meanwhile.

    Children are first compared on :data:`SAMPLED_COLUMNS` columns, computed from the parents'
    values there; a child no other child matches there is distinct. Only the others are built
    whole and grouped exactly (the exact step of :func:`row_groups`)."""
    width = hidden.shape[1]
    parents = _SignedParents.of(hidden, candidates.sign, reserve, held)
    held += parents.copied_rows
    shared = np.ones(candidates.key.size, dtype=bool)
    sampled = _sampled_columns(hidden)
    if sampled is not None:
        on_sample = np.empty((candidates.key.size, sampled.size), dtype=hidden.dtype)
        parents.columns(sampled).write(candidates, slopes, on_sample)
        shared = _shares_sample(on_sample)
    kept = ~shared
    if shared.any():
        ambiguous = np.flatnonzero(shared)
        reserve(held + ambiguous.size)
        rows = np.empty((ambiguous.size, width), dtype=hidden.dtype)
        parents.write(candidates.take(ambiguous), slopes, rows)
        kept[ambiguous[first_occurrences(_exact_row_groups(rows, None))]] = True  # in key order: the first is the smallest
        del rows
    chosen = np.flatnonzero(kept)
    reserve(held + chosen.size + spare_rows)
    out = np.empty((chosen.size + spare_rows, width), dtype=hidden.dtype)
    out_keys = np.empty(chosen.size + spare_rows, dtype=np.int64)
    parents.write(candidates.take(chosen), slopes, out[: chosen.size])
    out_keys[: chosen.size] = candidates.key[chosen]
    return out, out_keys


CANDIDATE_WORDS = 4 + SAMPLED_COLUMNS + 4
"""8-byte words a candidate child costs before it is built: its four columns, its sampled values
and sorting temporaries."""


def _held_rows(hidden: np.ndarray, n_candidates: int, siblings: _Siblings | None = None) -> int:
    """Rows of ``N`` entries of ``hidden``'s type alive while the children of ``hidden`` are
    built: the parents, their sorted values, their order and the siblings' table (int64), and
    the candidates (8-byte words)."""
    row_bytes = max(1, hidden.shape[1]) * hidden.itemsize
    index_words = hidden.size + (0 if siblings is None else siblings.minimal.size)  # the order and the siblings' table
    return 2 * hidden.shape[0] + -(-(8 * (index_words + CANDIDATE_WORDS * n_candidates)) // row_bytes)


def _block_rows(
    x: np.ndarray,
    first_breakpoints: np.ndarray,
    tied_anchors: np.ndarray | None,
    signs_per_layer: Sequence[Sequence[int]],
    slopes: tuple[object, object],
    reserve: Callable[[int], None],
    spare_rows: int = 0,
    report: Callable[[int, int, int], None] = lambda layer, candidates, rows: None,
) -> tuple[np.ndarray, np.ndarray]:
    """``(rows, keys)``: one row per distinct last-layer row of a block (the smallest key),
    ascending in key, followed by ``spare_rows`` uninitialised rows (and keys); ``report`` is
    told (layer, candidate children, distinct rows kept) after each layer."""
    n_points, n_first = x.size, first_breakpoints.size
    deeper = list(signs_per_layer[1:])
    first_signs = signs_per_layer[0]
    first_layer = _Candidates(  # h_1 = σ(s_1(x − a_1)): children of the row x, keyed (s_1, a_1)
        np.zeros(len(first_signs) * n_first, dtype=np.int64),
        np.tile(first_breakpoints, len(first_signs)),
        np.repeat(np.asarray(first_signs, dtype=np.int64), n_first),
        np.arange(len(first_signs) * n_first, dtype=np.int64),
    )
    relu_like = _relu_like(slopes)
    if tied_anchors is not None and deeper:  # equal rows with different tied anchors have different children: keep all
        reserve(first_layer.key.size + 1)
        hidden, keys = np.empty((first_layer.key.size, n_points), dtype=x.dtype), first_layer.key
        _SignedParents.of(x[None, :], first_layer.sign, reserve, first_layer.key.size).write(first_layer, slopes, hidden)
        tied = np.tile(np.asarray(tied_anchors, dtype=np.int64), len(first_signs))
        layer_signs = deeper.pop(0)
        held = _held_rows(hidden, hidden.shape[0] * len(layer_signs))
        reserve(held)
        report(1, first_layer.key.size, hidden.shape[0])
        layer = _candidates(hidden, keys, np.arange(hidden.shape[0]), tied, layer_signs, 1, slopes)
        hidden, keys = _distinct_children(hidden, layer, slopes, reserve, held, 0 if deeper else spare_rows)
        report(2, layer.key.size, hidden.shape[0] - (0 if deeper else spare_rows))
    else:
        hidden, keys = _distinct_children(x[None, :], first_layer, slopes, reserve, 1, 0 if deeper else spare_rows)
        report(1, first_layer.key.size, hidden.shape[0] - (0 if deeper else spare_rows))
    done = len(signs_per_layer) - len(deeper)
    siblings = _Siblings.of_first_layer(x, first_breakpoints, first_signs) if relu_like and tied_anchors is None and deeper else None
    for depth_index, layer_signs in enumerate(deeper):
        parent_order = _RowOrder.of(hidden)  # sorted once: value anchors now, the siblings rule of the next layer
        parents, anchors = parent_order.value_anchors()
        if not relu_like:  # the children of a twin repeat those of an earlier parent, whose keys are smaller
            reserve(_held_rows(hidden, 0) + hidden.shape[0] * 8 * TWIN_WORDS // hidden.itemsize)
            kept = ~affine_twins(hidden, reflections_share_children(slopes, layer_signs))[parents]
            parents, anchors = parents[kept], anchors[kept]
        last = depth_index + 1 == len(deeper)
        held = _held_rows(hidden, parents.size * len(layer_signs), siblings)
        reserve(held)  # before the candidates are formed
        layer = _candidates(hidden, keys, parents, anchors, layer_signs, n_points, slopes, siblings)
        parent_keys = keys
        hidden, keys = _distinct_children(hidden, layer, slopes, reserve, held, spare_rows if last else 0)
        report(done + depth_index + 1, layer.key.size, hidden.shape[0] - (spare_rows if last else 0))
        if relu_like and not last:
            siblings = _Siblings.of_layer(parent_order, parent_keys, layer_signs)
    return hidden, keys


def _layer_by_layer_rows(
    x: np.ndarray,
    signs_per_layer: Sequence[Sequence[int]],
    slopes: tuple[object, object],
    blocks: Sequence[tuple[np.ndarray, np.ndarray | None, int]],
    n_extra: int,
    reserve: Callable[[int], None],
    block_report: Callable[[int], Callable[[int, int, int], None]],
) -> tuple[np.ndarray, np.ndarray, bool]:
    """``(rows, keys, merged)``: every block's distinct rows (:func:`_block_rows`) with their
    numbers, then ``n_extra`` uninitialised rows; ``merged`` when no two rows are equal (one block)."""
    spare = n_extra if len(blocks) == 1 else 0  # the last layer's array has room for the extra rows
    built = [
        _block_rows(x, firsts, tied, signs_per_layer, slopes, reserve, spare, block_report(index))
        for index, (firsts, tied, _) in enumerate(blocks)
    ]
    if len(blocks) == 1:
        (rows, keys), first_key = built[0], blocks[0][2]
        keys[: keys.size - n_extra] += first_key
        return rows, keys, True
    total = sum(block_keys.size for _, block_keys in built) + n_extra
    reserve(total - n_extra + total)
    rows, keys = np.empty((total, x.size), dtype=x.dtype), np.empty(total, dtype=np.int64)
    start = 0
    for (block_rows, block_keys), (_, _, first_key) in zip(built, blocks):
        rows[start : start + block_keys.size] = block_rows
        keys[start : start + block_keys.size] = block_keys + first_key
        start += block_keys.size
    return rows, keys, False


def distinct_narrow_columns(
    x: np.ndarray,
    signs_per_layer: Sequence[Sequence[int]],
    slopes: tuple[object, object],
    blocks: Sequence[tuple[np.ndarray, np.ndarray | None, int]],
    *,
    extra: Sequence[tuple[np.ndarray, int, bool]] = (),
    reserve: Callable[[int], None] = lambda rows: None,
    report: Callable[[str], None] = lambda message: None,
) -> tuple[np.ndarray, np.ndarray]:
    """The distinct rows of the :func:`~mirrorlib.libraries.narrow_columns.narrow_columns` blocks
    of a library, built layer by layer without generating the duplicates of distinct parents
    and anchor values.

    Parameters
    ----------
    x : numpy.ndarray
        Sorted data, shape (N,), int32, int64 or object (exact integers on a common denominator).
    signs_per_layer : sequence of sequences of int
        ``s_l`` options for layers ``1..L−1``.
    slopes : tuple
        σ's slopes ``(a, b)`` in the arithmetic of ``x``.
    blocks : sequence of ``(first_breakpoints, tied_anchors, first_key)``
        Each block is one ``narrow_columns`` call (``a_1`` options and optional tied layer-2
        anchors, same dtype as ``x``) whose rows are numbered from ``first_key`` on in
        :func:`~mirrorlib.libraries.narrow_columns.narrow_provenance` order; blocks in
        ascending, non-overlapping ranges of numbers.
    extra : sequence of ``(row, key, penalised)``, optional
        Further rows (e.g. the linear feature), numbered after every block row; an unpenalised
        row is never merged with a penalised one (block rows are penalised).
    reserve : callable, optional
        Called before every array of rows is allocated with the number of rows of ``N`` entries
        the build then holds at once (e.g. to refuse a build over a memory limit by raising).
    report : callable, optional
        Called with one line of progress after each layer of each block (e.g. ``LOGGER.info``).

    Returns
    -------
    rows : numpy.ndarray
        (M, N) distinct rows, in ascending key order.
    keys : numpy.ndarray
        (M,) ascending; ``rows[i]`` is the row numbered ``keys[i]``, the smallest number of a
        row equal to it.

    Examples
    --------
    >>> from mirrorlib.libraries.narrow_columns import narrow_columns
    >>> x, firsts, signs = np.array([0, 1, 3]), np.array([0, 1, 3]), [(1, -1), (1, -1)]
    >>> rows, keys = distinct_narrow_columns(x, signs, (0, 1), [(firsts, None, 0)])
    >>> naive = narrow_columns(x, firsts, signs, (0, 1))
    >>> naive.shape[0], rows.shape[0], len({tuple(row) for row in naive.tolist()})
    (36, 7, 7)
    >>> bool((naive[keys] == rows).all())
    True
    """

    def block_report(block: int) -> Callable[[int, int, int], None]:
        def layer_report(layer: int, candidates: int, rows: int) -> None:
            report(
                f"distinct library, block {block + 1} of {len(blocks)}, layer {layer} of {len(signs_per_layer)}: "
                f"{candidates:,} candidate units, {rows:,} distinct"
            )

        return layer_report

    if tuple(slopes) == (0, 1) and all(clamps_apply(x, firsts) for firsts, _, _ in blocks):  # ReLU: merged before any row is written
        rows, keys = clamped_ramp_rows(x, signs_per_layer, blocks, reserve, len(extra), block_report)
        merged = True
    else:
        rows, keys, merged = _layer_by_layer_rows(x, signs_per_layer, slopes, blocks, len(extra), reserve, block_report)
    total = keys.size
    classes = np.ones(total, dtype=np.int64)
    for offset, (row, key, penalised) in enumerate(extra, start=total - len(extra)):
        rows[offset], keys[offset], classes[offset] = row, key, int(penalised)
    if not merged:
        chosen = _smallest_key_per_group(rows, keys, classes)  # keys ascend: blocks and extra rows come in key order
    else:  # the blocks' rows are distinct: only an extra row can repeat an earlier row
        extra_kept = [i for i in range(total - len(extra), total) if not _repeats_earlier_row(rows, classes, i)]
        chosen = np.concatenate([np.arange(total - len(extra)), extra_kept]).astype(np.int64)
    if not np.array_equal(chosen, np.arange(chosen.size)):
        reserve(total + chosen.size)
        rows = np.take(rows, chosen, axis=0)
    rows, keys = rows[: chosen.size], keys[chosen]
    if rows.base is not None and 4 * rows.nbytes < 3 * rows.base.nbytes:
        rows = rows.copy()  # the view would keep more than a third of its array unused
    return rows, keys
