"""Switching vectors: the combinatorics behind sign/threshold libraries (theory §5).

Sort the distinct data values ``d_1 < … < d_n``. A *pattern* is a bit vector ``v ∈ {0, 1}^n``
(``v_j = 1[p(d_j) ≥ 0]`` for the output neuron's pre-activation ``p``); the sign feature is
``2v − 1``, the threshold feature is ``v``. The *switches* of ``v`` are the gaps
``g ∈ {0, …, n − 2}`` (between ``d_{g+1}`` and ``d_{g+2}``, 1-based) with ``v_g ≠ v_{g+1}`` (0-based).

Switch bound ``K`` of a unit (derived here, checked exactly by :mod:`mirrorlib.signnets.groundtruth`)::

    depth 2 (a single neuron σ(w x + b)):      K = 1
    tree,        depth L ≥ 3, widths m_1..m_{L−2}:  K = m_1 · m_2 ⋯ m_{L−2}
    rectangular, depth L ≥ 3, widths m_1..m_{L−2}:  K = m_1

Upper bounds: a layer-1 neuron is a monotone step in ``x`` (≤ 1 switch on ℝ). A neuron's
pre-activation ``Σ w_i h_i + b`` is constant between the switch points of its inputs, so its
output switches at most as often as its inputs do in total: in a tree the inputs of a layer-
``(l+1)`` neuron are ``m_l`` disjoint subtrees, giving ``∏ m_k``; in a rectangular net every neuron
above layer 1 is a function of the ``m_1`` layer-1 steps, so it switches only at their ``≤ m_1``
thresholds, however wide and deep the layers above. Lower bounds: every pattern with ``≤ K``
switches is realised (:mod:`mirrorlib.signnets.construction` builds the unit). Hence the set of
features is exactly ``{v : switches(v) ≤ K}``, with ``K_eff = min(K, n − 1)`` on ``n`` distinct
points. theory §5's "(product of the widths below it)" is therefore exact for trees but only an
upper bound for rectangular nets (strict as soon as ``min(∏ m_l, n − 1) > m_1``).

Counting (the same for sign and threshold, via the bijection ``v ↦ 2v − 1``): a pattern is a
starting bit and a set of ``k`` switch gaps out of ``n − 1``::

    #{v ∈ {0,1}^n : switches(v) ≤ K} = 2 Σ_{k=0}^{min(K, n−1)} C(n − 1, k).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence

__all__ = [
    "switch_bound",
    "theory_switch_bound",
    "count_switch_vectors",
    "iter_switch_patterns",
    "switch_gaps",
    "pattern_from_switches",
    "pattern_to_mask",
    "mask_to_pattern",
    "pattern_rank",
    "pattern_at_rank",
]


def switch_bound(architecture: str, widths: Sequence[int], depth: int) -> int:
    """The exact switch bound ``K`` derived in the module docstring (1 at depth 2).

    Examples
    --------
    >>> switch_bound('tree', (2, 3), 4), switch_bound('rectangular', (2, 3), 4)
    (6, 2)
    """
    if depth == 2:
        return 1
    if architecture == "tree":
        return math.prod(widths)
    if architecture == "rectangular":
        return widths[0]
    raise ValueError(f"architecture must be 'tree' or 'rectangular', got {architecture!r}")


def theory_switch_bound(widths: Sequence[int], depth: int) -> int:
    """theory §5 as stated: "a unit's output switches at most (product of the widths below it) times",
    for both architectures (the empty product, 1, at depth 2).

    Examples
    --------
    >>> theory_switch_bound((2, 3), 4)
    6
    """
    return math.prod(widths) if depth > 2 else 1


def count_switch_vectors(n_points: int, max_switches: int) -> int:
    """``2 Σ_{k=0}^{min(K, n−1)} C(n − 1, k)``: O(K) big-integer steps, nothing enumerated.

    Examples
    --------
    >>> count_switch_vectors(5, 1), count_switch_vectors(5, 4)
    (10, 32)
    """
    if n_points < 1:
        raise ValueError(f"n_points must be ≥ 1, got {n_points}")
    if max_switches < 0:
        raise ValueError(f"max_switches must be ≥ 0, got {max_switches}")
    gaps = n_points - 1
    total, binomial = 0, 1
    for k in range(min(max_switches, gaps) + 1):
        total += binomial
        binomial = binomial * (gaps - k) // (k + 1)
    return 2 * total


def iter_switch_patterns(n_points: int, max_switches: int) -> Iterator[tuple[int, ...]]:
    """Every pattern in ``{0,1}^n`` with at most ``K`` switches, each once.

    Order: by number of switches ``k``, then switch gaps lexicographically, then starting bit 0
    before 1. Lazy: O(n) work and memory per pattern.

    Examples
    --------
    >>> list(iter_switch_patterns(3, 1))
    [(0, 0, 0), (1, 1, 1), (0, 1, 1), (1, 0, 0), (0, 0, 1), (1, 1, 0)]
    """
    count_switch_vectors(n_points, max_switches)  # validates
    for k in range(min(max_switches, n_points - 1) + 1):
        for gaps in itertools.combinations(range(n_points - 1), k):
            for start in (0, 1):
                yield pattern_from_switches(n_points, start, gaps)


def pattern_from_switches(n_points: int, start: int, gaps: Sequence[int]) -> tuple[int, ...]:
    """The pattern starting with ``start`` that toggles after each position in ``gaps``.

    Examples
    --------
    >>> pattern_from_switches(5, 1, (1, 3))
    (1, 1, 0, 0, 1)
    """
    toggles = set(gaps)
    pattern, bit = [], start
    for j in range(n_points):
        pattern.append(bit)
        if j in toggles:
            bit ^= 1
    return tuple(pattern)


def switch_gaps(pattern: Sequence[int]) -> tuple[int, ...]:
    """Gaps ``g`` with ``pattern[g] ≠ pattern[g + 1]``.

    Examples
    --------
    >>> switch_gaps((1, 1, 0, 0, 1))
    (1, 3)
    """
    return tuple(g for g in range(len(pattern) - 1) if pattern[g] != pattern[g + 1])


def pattern_to_mask(pattern: Sequence[int]) -> int:
    """Bit ``j`` of the mask is ``pattern[j]``.

    Examples
    --------
    >>> pattern_to_mask((1, 0, 1)), pattern_to_mask((0, 1, 1))
    (5, 6)
    """
    return sum(bit << j for j, bit in enumerate(pattern))


def mask_to_pattern(mask: int, n_points: int) -> tuple[int, ...]:
    """The inverse of :func:`pattern_to_mask`: entry ``j`` is bit ``j`` of ``mask``.

    Examples
    --------
    >>> mask_to_pattern(6, 3)
    (0, 1, 1)
    """
    return tuple((mask >> j) & 1 for j in range(n_points))


def pattern_rank(pattern: Sequence[int], max_switches: int) -> int:
    """Position of ``pattern`` in :func:`iter_switch_patterns` ``(n, K)`` without enumerating.

    With ``m = n − 1`` gaps, ``k`` switches at gaps ``c_1 < … < c_k`` and starting bit ``v_0``::

        rank = 2 Σ_{j<k} C(m, j)  +  2·lex(c)  +  v_0,
        lex(c) = Σ_{i=1}^{k} Σ_{c_{i−1} < v < c_i} C(m − 1 − v, k − i)      (c_0 = −1),

    ``lex(c)`` being the rank of ``c`` among the ``k``-subsets of ``{0, …, m−1}`` in
    lexicographic order (the order of :func:`itertools.combinations`): the subsets that agree
    with ``c`` before position ``i`` and have a smaller ``i``-th element ``v`` number
    ``C(m − 1 − v, k − i)``. Cost ``O(n)`` big-integer steps.

    Raises ``ValueError`` for entries other than 0/1 or more than ``max_switches`` switches.

    Examples
    --------
    >>> pattern_rank((1, 0, 0), 1), pattern_at_rank(pattern_rank((1, 0, 0), 1), 3, 1)
    (3, (1, 0, 0))
    """
    bits = tuple(int(bit) for bit in pattern)
    if not bits or any(bit not in (0, 1) for bit in bits):
        raise ValueError(f"a pattern is a non-empty 0/1 vector, got {tuple(pattern)}")
    gaps = switch_gaps(bits)
    k, m = len(gaps), len(bits) - 1
    if k > max_switches:
        raise ValueError(f"pattern {bits} has {k} switches, more than K={max_switches}")
    lex, previous = 0, -1
    for position, gap in enumerate(gaps, start=1):
        lex += sum(math.comb(m - 1 - v, k - position) for v in range(previous + 1, gap))
        previous = gap
    return 2 * sum(math.comb(m, j) for j in range(k)) + 2 * lex + bits[0]


def pattern_at_rank(rank: int, n_points: int, max_switches: int) -> tuple[int, ...]:
    """The inverse of :func:`pattern_rank`: the ``rank``-th pattern of
    :func:`iter_switch_patterns` ``(n, K)``, in ``O(n)`` big-integer steps.

    Raises ``IndexError`` when ``rank`` is outside ``0 … count_switch_vectors(n, K) − 1``.

    Examples
    --------
    >>> [pattern_at_rank(r, 3, 1) for r in range(3)]
    [(0, 0, 0), (1, 1, 1), (0, 1, 1)]
    """
    total = count_switch_vectors(n_points, max_switches)
    if not 0 <= rank < total:
        raise IndexError(f"pattern rank {rank} out of range for {total} patterns")
    m = n_points - 1
    remaining, k = rank, 0
    while remaining >= 2 * math.comb(m, k):
        remaining -= 2 * math.comb(m, k)
        k += 1
    lex, start = divmod(remaining, 2)
    gaps, candidate = [], 0
    for position in range(1, k + 1):
        while lex >= math.comb(m - 1 - candidate, k - position):
            lex -= math.comb(m - 1 - candidate, k - position)
            candidate += 1
        gaps.append(candidate)
        candidate += 1
    return pattern_from_switches(n_points, start, gaps)
