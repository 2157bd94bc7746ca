"""All Boolean threshold functions of ``m`` inputs, exactly, with integer realisations.

A neuron above layer 1 sees its inputs only through their bits ``t ∈ {0,1}^m`` (a sign input is
``2t − 1``, a threshold input ``t``, times an amplitude), and ``w'ᵀ(affine image of t) + b`` is again
affine in ``t``. So on the data the neuron computes ``t ↦ 1[wᵀt + c ≥ 0]`` for real ``(w, c)``: a
*linear threshold function* (LTF) of its input bits, and every LTF occurs. The set of LTFs is
closed under negating the output and complementing or permuting inputs.

Enumeration. Representing a function by its truth table, each LTF is realised with *integer*
weights ``|w_i| ≤ W_m = ⌊(m + 1)^{(m+1)/2} / 2^m⌋`` (Muroga, Toda & Takasu 1961; Muroga,
*Threshold Logic and its Applications*, 1971): ``W = 1, 1, 2, 3, 6`` for ``m = 1..5``. For each such
weight vector the offsets ``c`` are enumerated by representatives, one per cell of the line cut
by the ``2^m`` values ``wᵀt`` (``c = −q`` for each distinct value ``q``, plus one above all),
exactly as for biases in the ground truth. The counts reproduce OEIS A000609
(4, 14, 104, 1882, 94572 for ``m = 1..5``), which the tests check, together with an exact LP
separability test (pycddlib, exact arithmetic) for ``m ≤ 3``.

Restricting weights to ``{−1, 0, 1}`` is *not* enough from ``m = 3`` on: e.g.
``1[2t_1 + t_2 + t_3 ≥ 3]`` (``t_1 ∧ (t_2 ∨ t_3)``) has no such realisation
(:func:`threshold_functions` with ``max_weight=1`` finds only 56 of the 104 functions of 3 inputs, and
218 of the 1882 of 4 inputs).
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

__all__ = ["ThresholdFunctionTable", "threshold_functions", "muroga_weight_bound", "MAX_FAN_IN"]

MAX_FAN_IN = 5  # 94 572 functions of 5 inputs; 6 inputs (15 028 134) is out of reach here


def muroga_weight_bound(fan_in: int) -> int:
    """``⌊(m + 1)^{(m+1)/2} / 2^m⌋``, computed exactly as ``⌊√⌊(m+1)^{m+1} / 4^m⌋⌋``.

    Examples
    --------
    >>> [muroga_weight_bound(m) for m in range(1, 5)]
    [1, 1, 2, 3]
    """
    return math.isqrt((fan_in + 1) ** (fan_in + 1) // 4**fan_in)


@dataclass(frozen=True, eq=False)
class ThresholdFunctionTable:
    """Every LTF ``f(t) = 1[wᵀt + c ≥ 0]`` of ``fan_in`` bits, each once.

    Attributes
    ----------
    truth_tables : ndarray (F, 2^m) uint8
        ``truth_tables[f, r] = f(t)`` where bit ``i`` of ``r`` is ``t_i``.
    weights : ndarray (F, m) int64
    offsets : ndarray (F,) int64
        An integer realisation ``(w, c)`` of each function.

    Examples
    --------
    >>> table = threshold_functions(2)
    >>> table.fan_in, len(table.truth_tables), table.weights.shape
    (2, 14, (14, 2))
    """

    fan_in: int
    truth_tables: np.ndarray
    weights: np.ndarray
    offsets: np.ndarray

    def __len__(self) -> int:
        return len(self.offsets)


def threshold_functions(fan_in: int, max_weight: int | None = None) -> ThresholdFunctionTable:
    """The LTFs of ``fan_in`` bits (cached). ``max_weight`` (default: Muroga's bound, which makes
    the table complete) restricts the integer weights, e.g. to 1 to see what ``±1`` weights miss.

    Raises ``ValueError`` for ``fan_in`` outside ``0..MAX_FAN_IN``.

    Examples
    --------
    >>> threshold_functions(2).truth_tables.shape
    (14, 4)
    """
    if not 0 <= fan_in <= MAX_FAN_IN:
        raise ValueError(f"fan_in must be between 0 and {MAX_FAN_IN} (the LTF table grows as 2^(m²/2)), got {fan_in}")
    bound = muroga_weight_bound(fan_in) if max_weight is None else max_weight
    if bound < 0:
        raise ValueError(f"max_weight must be ≥ 0, got {max_weight}")
    return _table(fan_in, bound)


@lru_cache(maxsize=None)
def _table(fan_in: int, bound: int) -> ThresholdFunctionTable:
    n_corners = 1 << fan_in
    corners = (np.arange(n_corners)[:, None] >> np.arange(fan_in)[None, :]) & 1  # row r: t_i = bit i of r
    weight_vectors = list(itertools.product(range(-bound, bound + 1), repeat=fan_in))
    grid = np.array(weight_vectors, dtype=np.int64).reshape(len(weight_vectors), fan_in)
    values = grid @ corners.T  # (G, 2^m): wᵀt at every corner
    order = np.argsort(-values, axis=1, kind="stable")  # corners by decreasing wᵀt
    ranked = np.take_along_axis(values, order, axis=1)
    prefix_masks = np.cumsum(np.left_shift(np.int64(1), order), axis=1)  # top-k corners as bitmasks
    # a cut after position k is valid when the k-th and (k+1)-th values differ (or k is the last)
    valid = np.ones_like(ranked, dtype=bool)
    valid[:, :-1] = ranked[:, :-1] > ranked[:, 1:]
    rows, cuts = np.nonzero(valid)
    masks = np.concatenate([np.zeros(len(grid), dtype=np.int64), prefix_masks[rows, cuts]])
    offsets = np.concatenate([-(ranked[:, 0] + 1), -ranked[rows, cuts]])
    weight_rows = np.concatenate([np.arange(len(grid)), rows])
    unique_masks, first = np.unique(masks, return_index=True)
    truth = ((unique_masks[:, None] >> np.arange(n_corners)[None, :]) & 1).astype(np.uint8)
    return ThresholdFunctionTable(
        fan_in=fan_in,
        truth_tables=truth,
        weights=grid[weight_rows[first]],
        offsets=offsets[first],
    )
