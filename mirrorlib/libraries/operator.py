"""Matrix-free closed-form dictionaries: ``A z`` and ``Aᵀ r`` without building ``A``.

The last layer of every closed-form column is ``σ(s(v(x) − v(x_k)))`` where ``v`` is one of the
hidden vectors of layer ``L − 2`` (``v = x`` itself at depth 2) and ``x_k`` runs over the data.
For one hidden vector ``v`` and a residual ``r``, all ``2N`` correlations

    Σ_i r_i σ(s(v_i − v_k)),   σ(t) = a·t (t < 0), b·t (t ≥ 0),

follow from prefix sums of ``r`` and ``r·v`` in the order of ``v``: with ``R_k, S_k`` the sums of
``r_i`` and ``r_i v_i`` over the points before ``v_k`` (ties contribute 0 either way),
``Σ_i r_i σ(v_i − v_k) = b[(S − S_k) − v_k(R − R_k)] + a[S_k − v_k R_k]``. ``A z`` is the same
computation with the roles of data points and anchors exchanged. A library with ``M`` columns
has ``M/(2N)`` hidden vectors, so both products cost ``O(M log N)`` time and ``O(M)`` memory
instead of the ``O(MN)`` of the dense matrix: ``O(N log N)`` for 2-layer libraries, ``O(N² log N)``
at depth 3.

Examples
--------
>>> from mirrorlib.libraries import library
>>> lib = library([0, 1, 3, 7], "relu", 3)
>>> op = LibraryOperator(lib)
>>> r = np.array([1.0, -2.0, 0.5, 0.5])
>>> bool(np.allclose(op.rmatvec(r), lib.matrix().T @ r)), op.shape
(True, (4, 65))
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np
from scipy.sparse.linalg import LinearOperator

from mirrorlib.libraries.library import Library
from mirrorlib.libraries.narrow_columns import narrow_columns

__all__ = ["LibraryOperator", "MAX_COLUMNS"]


@dataclass(frozen=True)
class _SortedHidden:
    """Hidden vectors ``V`` (H, N) with each row's sort order and each entry's rank in it
    (computed once per operator: every product reuses them)."""

    V: np.ndarray
    order: np.ndarray
    values: np.ndarray  # V sorted along each row
    rank: np.ndarray  # rank[h, order[h, p]] = p

    @classmethod
    def of(cls, V: np.ndarray) -> _SortedHidden:
        order = np.argsort(V, axis=1, kind="stable")
        rank = np.empty_like(order)
        np.put_along_axis(rank, order, np.arange(V.shape[1])[None, :], axis=1)
        return cls(V, order, np.take_along_axis(V, order, axis=1), rank)

    def row_chunks(self) -> list[tuple[slice, _SortedHidden]]:
        """The same hidden vectors in runs of rows of about :data:`_CHUNK_ENTRIES` entries (views),
        each with its rows in the whole block:
        a product's temporaries then stay small and in cache instead of being fresh arrays of
        ``M/2`` numbers (measured at N = 2,000, ReLU depth 3: one ``Aᵀr`` took 0.17 s in a quiet
        process but 0.6–1.3 s inside a solve, most of it page faults on the fresh temporaries)."""
        step = max(1, _CHUNK_ENTRIES // max(1, self.V.shape[1]))
        runs = [slice(start, min(start + step, self.V.shape[0])) for start in range(0, self.V.shape[0], step)]
        return [(rows, _SortedHidden(self.V[rows], self.order[rows], self.values[rows], self.rank[rows])) for rows in runs]

    def lower_moments(self, weights_sorted: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """For weights in sorted order: ``D[h, k] = Σ_{v_i < v_k} w_i (v_i − v_k)`` (entries in data
        order) and the totals ``Σ w_i``, ``Σ w_i v_i`` (shape (H, 1)). Inclusive prefix sums serve:
        the entry itself and its ties add ``w_i·0``."""
        weights = np.cumsum(weights_sorted, axis=1)
        moments = np.cumsum(weights_sorted * self.values, axis=1)
        below = moments - self.values * weights
        return np.take_along_axis(below, self.rank, axis=1), weights[:, -1:], moments[:, -1:]

    def prefix_sums(self, weights_sorted: np.ndarray) -> tuple[np.ndarray, ...]:
        """For weights in sorted order: the sums of ``w`` and ``w·v`` over the sorted positions
        before each entry's own, and their totals."""
        zero = np.zeros((self.V.shape[0], 1), dtype=self.V.dtype)
        C = np.concatenate([zero, np.cumsum(weights_sorted, axis=1)], axis=1)
        W = np.concatenate([zero, np.cumsum(weights_sorted * self.values, axis=1)], axis=1)
        return np.take_along_axis(C, self.rank, axis=1), np.take_along_axis(W, self.rank, axis=1), C[:, -1:], W[:, -1:]


def _ramp_sums(block: _SortedHidden, weights_sorted: np.ndarray, signs: tuple[int, ...], slopes: tuple[Any, Any], out: np.ndarray) -> None:
    """``out[h, position, k] = Σ_i w[h, i] σ(s(V[h, i] − V[h, k]))`` for ``s = signs[position]``,
    weights given in the order of each row. With ``D_k = Σ_{v_i < v_k} w_i (v_i − v_k)`` (prefix
    sums) and ``E_k = Σ_i w_i (v_i − v_k)``, the sum is ``(a − b)D_k + bE_k`` for ``s = 1`` and
    ``(a − b)D_k − aE_k`` for ``s = −1``."""
    a, b = slopes
    below, total, moment = block.lower_moments(weights_sorted)
    spread = moment - block.V * total  # E
    common = (a - b) * below
    for position, s in enumerate(signs):
        np.add(common, b * spread if s == 1 else -a * spread, out=out[:, position, :])


def _last_layer_correlations(block: _SortedHidden, r: np.ndarray, signs: tuple[int, ...], slopes: tuple[Any, Any]) -> np.ndarray:
    """``[h, s, k] = Σ_i r_i σ(s(V[h, i] − V[h, k]))`` by prefix sums in the order of each row."""
    out = np.empty((block.V.shape[0], len(signs), block.V.shape[1]), dtype=block.V.dtype)
    for rows, chunk in block.row_chunks():
        _ramp_sums(chunk, r[chunk.order], signs, slopes, out[rows])
    return out


def _last_layer_square_sums(block: _SortedHidden, signs: tuple[int, ...], slopes: tuple[float, float]) -> np.ndarray:
    """``[h, s, k] = Σ_i σ(s(V[h, i] − V[h, k]))²`` from prefix sums of ``1, v, v²``: the points
    before ``v_k`` contribute ``Σ (v_i − v_k)² = Q_k − 2v_k S_k + v_k² C_k`` times ``a²`` or ``b²``,
    the points after it the complementary sums. Each row is centred first (the differences do
    not change), which keeps the expansion well conditioned."""
    a, b = slopes
    V = block.V - block.V.mean(axis=1, keepdims=True)
    centred = _SortedHidden(V, block.order, np.take_along_axis(V, block.order, axis=1), block.rank)
    C_k, S_k, C_all, S_all = centred.prefix_sums(np.ones_like(centred.values))
    _, Q_k, _, Q_all = centred.prefix_sums(centred.values)
    before = Q_k - 2 * V * S_k + V**2 * C_k
    after = (Q_all - Q_k) - 2 * V * (S_all - S_k) + V**2 * (C_all - C_k)
    out = [b * b * after + a * a * before if s == 1 else b * b * before + a * a * after for s in signs]
    return np.maximum(np.stack(out, axis=1), 0.0)


def _last_layer_values(block: _SortedHidden, Z: np.ndarray, signs: tuple[int, ...], slopes: tuple[Any, Any]) -> np.ndarray:
    """``f_i = Σ_{h, s, k} Z[h, s, k] σ(s(V[h, i] − V[h, k]))`` by prefix sums over the anchors:
    ``σ(s(v_i − v_k)) = σ(−s(v_k − v_i))``, the sums of :func:`_ramp_sums` with the roles of data
    points and anchors exchanged."""
    total = np.zeros(block.V.shape[1], dtype=block.V.dtype)
    for rows, chunk in block.row_chunks():
        part = np.empty((chunk.V.shape[0], 1, chunk.V.shape[1]), dtype=block.V.dtype)
        for position, s in enumerate(signs):
            _ramp_sums(chunk, np.take_along_axis(Z[rows, position, :], chunk.order, axis=1), (-s,), slopes, part)
            total = total + part[:, 0, :].sum(axis=0)
    return total


_CHUNK_ENTRIES = 1 << 18
"""Entries per run of hidden-vector rows in one product (2 MiB of float64 per temporary)."""

MAX_COLUMNS = 50_000_000
"""Largest dictionary served matrix-free: above it one product takes minutes (measured: 4M
columns in 0.08 s, so 50M columns in about 1 s per product; working-set solves need dozens)."""


def _check_operator_memory(n_columns: int) -> None:
    """Refuse an operator above :data:`MAX_COLUMNS` columns, or whose hidden vectors (about M/2
    numbers; kept with their sorted copy, order and ranks, plus four prefix-sum arrays during a
    product: eight arrays of that size) would exceed the memory limit."""
    from mirrorlib.libraries.library import format_bytes, memory_limit

    if n_columns > MAX_COLUMNS:
        raise ValueError(
            f"the closed-form library has {n_columns:,} columns; matrix-free products are limited to "
            f"{MAX_COLUMNS:,} columns (each product would take seconds to minutes); use fewer points or a smaller depth"
        )
    estimate = 8 * (n_columns // 2 + 1) * 8
    if estimate > memory_limit():
        raise ValueError(
            f"even matrix-free, the closed-form library's {n_columns:,} columns need about {format_bytes(estimate)} "
            f"of hidden vectors (limit {format_bytes(memory_limit())}); use fewer points or a smaller depth, "
            "or raise the limit with MIRRORLIB_MAX_BYTES"
        )


class LibraryOperator(LinearOperator):
    """The closed-form dictionary ``A`` (N × M, rows in the caller's order) as a
    ``scipy.sparse.linalg.LinearOperator``, with exact products as well.

    Parameters
    ----------
    library : Library
        A closed-form library as :func:`mirrorlib.libraries.library` returns it (all its columns,
        no selection and no generated columns).

    Notes
    -----
    ``matvec``/``rmatvec`` run in float64; :meth:`matvec_exact` and :meth:`rmatvec_exact` take and
    return Fractions (the same prefix sums on exact rationals). Memory: the hidden vectors of
    layer ``L − 2``, ``M/2`` numbers.

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> op = LibraryOperator(library(np.linspace(0, 1, 50), 'relu', 3))
    >>> op.shape, op.rmatvec(np.ones(50)).shape
    ((50, 10001), (10001,))
    """

    def __init__(self, library: Library) -> None:
        if library.selection is not None or library.generated:
            raise ValueError("LibraryOperator needs the whole closed-form library (not distinct() or column-generated)")
        self.library = library
        recipe = library.recipe
        _check_operator_memory(recipe.n_columns)
        self._signs = tuple(recipe.plan.signs_per_layer[-1])
        self._order = np.array(library.dataset.order, dtype=np.int64)  # sorted position → caller index
        self._hidden_cache: dict[bool, list[np.ndarray]] = {}
        self._sorted_cache: dict[bool, list[_SortedHidden]] = {}
        super().__init__(dtype=np.float64, shape=(library.dataset.n_samples, recipe.n_columns))

    # ------------------------------------------------------------------ hidden vectors
    def _hidden(self, exact: bool) -> list[np.ndarray]:
        """Per column block, the hidden vectors of layer ``L − 2`` on the sorted data, (H, N)."""
        if exact not in self._hidden_cache:
            recipe = self.library.recipe
            convert = (lambda v: v) if exact else float
            dtype = object if exact else np.float64
            x = np.array([convert(v) for v in recipe.dataset.x], dtype=dtype)
            slopes = recipe.activation.slopes if exact else tuple(float(v) for v in recipe.activation.slopes)
            layers = recipe.plan.signs_per_layer
            blocks = []
            for firsts, tied in recipe._blocks():
                if len(layers) == 1:  # depth 2: the anchors are the first breakpoints, v = x
                    blocks.append(x[None, :])
                    continue
                blocks.append(narrow_columns(x, np.array([convert(v) for v in firsts], dtype=dtype), layers[:-1], slopes,
                                             None if tied is None else np.array(tied, dtype=np.int64)))
            self._hidden_cache[exact] = blocks
        return self._hidden_cache[exact]

    def _sorted(self, exact: bool) -> list[_SortedHidden]:
        if exact not in self._sorted_cache:
            self._sorted_cache[exact] = [_SortedHidden.of(V) for V in self._hidden(exact)]
        return self._sorted_cache[exact]

    def _slopes(self, exact: bool) -> tuple[Any, Any]:
        slopes = self.library.recipe.activation.slopes
        return slopes if exact else (float(slopes[0]), float(slopes[1]))

    def _linear(self, exact: bool) -> np.ndarray:
        recipe = self.library.recipe
        slope = recipe._linear_row()
        return np.array([slope * v if exact else float(slope * v) for v in recipe.dataset.x], dtype=object if exact else np.float64)

    # ------------------------------------------------------------------ products on sorted data
    def _rmatvec_sorted(self, r: np.ndarray, exact: bool) -> np.ndarray:
        parts = [_last_layer_correlations(block, r, self._signs, self._slopes(exact)).reshape(-1) for block in self._sorted(exact)]
        linear = self._linear(exact)
        parts.append(np.array([np.dot(linear, r)], dtype=linear.dtype))
        return np.concatenate(parts)

    def _matvec_sorted(self, z: np.ndarray, exact: bool) -> np.ndarray:
        total = np.zeros(self.shape[0], dtype=object if exact else np.float64)
        start = 0
        for block in self._sorted(exact):
            H, n = block.V.shape
            size = H * len(self._signs) * n
            Z = z[start : start + size].reshape(H, len(self._signs), n)
            total = total + _last_layer_values(block, Z, self._signs, self._slopes(exact))
            start += size
        return total + z[start] * self._linear(exact)

    # ------------------------------------------------------------------ LinearOperator interface
    def _to_sorted(self, r: np.ndarray) -> np.ndarray:
        return r[self._order]

    def _from_sorted(self, f: np.ndarray) -> np.ndarray:
        out = np.empty_like(f)
        out[self._order] = f
        return out

    def _matvec(self, z: np.ndarray) -> np.ndarray:
        return self._from_sorted(self._matvec_sorted(np.asarray(z, dtype=np.float64).reshape(-1), exact=False))

    def _rmatvec(self, r: np.ndarray) -> np.ndarray:
        return self._rmatvec_sorted(self._to_sorted(np.asarray(r, dtype=np.float64).reshape(-1)), exact=False)

    def columns(self, indices: Any) -> np.ndarray:
        """The float64 columns ``indices`` (N × k, rows in the caller's order), computed from the
        hidden vectors in ``O(N)`` each: column ``(h, s, k)`` is ``σ(s(v_h − v_h(x_k)))``.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> lib = library([0, 1, 3], "relu", 2)
        >>> bool(np.array_equal(LibraryOperator(lib).columns([0, 4, 6]), lib.matrix()[:, [0, 4, 6]]))
        True
        """
        wanted = np.asarray(indices, dtype=np.int64).reshape(-1)
        if wanted.size and (wanted.min() < 0 or wanted.max() >= self.shape[1]):
            raise IndexError(f"column indices must be in [0, {self.shape[1]}), got {wanted.min()}..{wanted.max()}")
        a, b = self._slopes(False)
        n, per_anchor = self.shape[0], len(self._signs)
        hidden = self._hidden(False)
        starts = np.cumsum([0] + [V.shape[0] * per_anchor * n for V in hidden])
        blocks = np.searchsorted(starts, wanted, side="right") - 1
        signs = np.array(self._signs, dtype=np.float64)
        to_caller = np.argsort(self._order)  # sorted position of each caller row
        out = np.empty((n, wanted.size), dtype=np.float64, order="F")  # each column contiguous
        out[:, blocks == len(hidden)] = self._linear(False)[to_caller, None]
        for block, V in enumerate(hidden):
            for chosen in np.array_split(np.flatnonzero(blocks == block), max(1, np.count_nonzero(blocks == block) // 256)):
                h, rest = np.divmod(wanted[chosen] - starts[block], per_anchor * n)
                anchors = V[h, rest % n]
                t = signs[rest // n, None] * (V[h[:, None], to_caller[None, :]] - anchors[:, None])
                out[:, chosen] = np.where(t < 0, a * t, b * t).T
        return out

    def anchor_peaks(self, values: np.ndarray) -> np.ndarray:
        """Mask of the columns where ``|values|`` is a local maximum among their neighbours: the
        neighbouring anchors of the same hidden vector (in the order of ``v_h``) and the same anchor
        of the neighbouring hidden vectors ``v_{h±1}`` (the next first-layer breakpoint, or the
        next anchor of layer ``L − 2``). Within the family ``σ(s(v_h − t))`` the correlation is a
        continuous piecewise-linear function of the anchor ``t = v_h(x_k)``, and neighbouring hidden
        vectors differ little, so a column that a neighbour beats is rarely needed while that
        neighbour is not. Every column outside the mask has a neighbour with a strictly larger
        ``|value|``, so following larger neighbours always ends at a column in the mask: the
        largest ``|value|`` is always in it.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> op = LibraryOperator(library([0, 1, 2, 3], "relu", 2))
        >>> op.anchor_peaks(np.array([1.0, 3.0, 2.0, 0.0, 0.0, 1.0, 1.0, 0.5, 9.0])).astype(int)
        array([0, 1, 0, 0, 0, 1, 1, 0, 1])
        """
        magnitude = np.abs(np.asarray(values, dtype=np.float64))
        out = np.ones(magnitude.size, dtype=bool)
        start, n, per_anchor = 0, self.shape[0], len(self._signs)
        for block in self._sorted(False):
            H = block.V.shape[0]
            C = magnitude[start : start + H * per_anchor * n].reshape(H, per_anchor, n)
            mask = out[start : start + H * per_anchor * n].reshape(C.shape)
            for rows, chunk in block.row_chunks():
                along = np.take_along_axis(C[rows], chunk.order[:, None, :], axis=2)  # anchors in the order of v_h
                peak = np.ones(along.shape, dtype=bool)
                peak[:, :, 1:] &= along[:, :, 1:] >= along[:, :, :-1]
                peak[:, :, :-1] &= along[:, :, :-1] >= along[:, :, 1:]
                np.put_along_axis(mask[rows], chunk.order[:, None, :], peak, axis=2)
                above, below = max(rows.start, 1), min(rows.stop, H - 1)  # rows with a previous / a next one
                mask[above : rows.stop] &= C[above : rows.stop] >= C[above - 1 : rows.stop - 1]
                mask[rows.start : below] &= C[rows.start : below] >= C[rows.start + 1 : below + 1]
            start += H * per_anchor * n
        return out

    def centred_column_norms(self) -> np.ndarray:
        """``‖ãⱼ‖ = ‖aⱼ − mean(aⱼ)1‖`` for every column, in float64 and ``O(M log N)`` without
        building ``A`` (``‖aⱼ‖² − (1ᵀaⱼ)²/N``, the squares by prefix sums of ``1, v, v²``). These
        are the norms in the gap-safe screening rule of
        :func:`mirrorlib.lasso.working_set.solve_lasso_operator`.

        Examples
        --------
        >>> from mirrorlib.libraries import library
        >>> lib = library([0, 1, 3, 7], "abs", 3)
        >>> A = lib.matrix()
        >>> bool(np.allclose(LibraryOperator(lib).centred_column_norms(), np.linalg.norm(A - A.mean(axis=0), axis=0)))
        True
        """
        slopes = self._slopes(False)
        squares = [
            _last_layer_square_sums(chunk, self._signs, slopes).reshape(-1) for block in self._sorted(False) for _, chunk in block.row_chunks()
        ]
        linear = self._linear(False)
        squares.append(np.array([float(linear @ linear)]))
        sums = self._rmatvec_sorted(np.ones(self.shape[0]), exact=False)
        return np.sqrt(np.maximum(np.concatenate(squares) - sums**2 / self.shape[0], 0.0))

    def matvec_exact(self, z: Any) -> np.ndarray:
        """``A z`` exactly: an object array of Fractions, rows in the caller's order."""
        values = np.array([Fraction(v) for v in z], dtype=object)
        if values.size != self.shape[1]:
            raise ValueError(f"z has {values.size} entries; the library has {self.shape[1]} columns")
        return self._from_sorted(self._matvec_sorted(values, exact=True))

    def rmatvec_exact(self, r: Any) -> np.ndarray:
        """``Aᵀ r`` exactly: an object array of Fractions, one per column."""
        values = np.array([Fraction(v) for v in r], dtype=object)
        if values.size != self.shape[0]:
            raise ValueError(f"r has {values.size} entries; the data have {self.shape[0]} points")
        return self._rmatvec_sorted(self._to_sorted(values), exact=True)
