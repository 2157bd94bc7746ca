"""The dual-constraint value of deep narrow symmetrised-ReLU units on 1-D data, exactly.

A unit of depth 3 (the group of :mod:`mirrorlib.symmetrised.units`) emits the pair
``G(x) = (relu(T(x)), relu(−T(x)))`` with ``T = c₁ relu(x − a) + c₂ relu(a − x) + b``, ``‖c‖₂ = 1``
(depth 2: ``G(x) = (relu(x − a), relu(a − x))``). For ``λ ⊥ 1`` the group Lasso's dual constraint
is ``ρ(λ) = sup_units ‖G(X)ᵀλ‖₂ ≤ β``. This module computes ``ρ(λ)²`` exactly.

**Why a finite search is complete (depth 3).** Fix ``c``. On each cell of the ``(a, b)`` plane
cut out by ``a = x_i`` and ``T(x_i) = 0`` the pair ``G(X)`` is affine, so the convex function
``‖G(X)ᵀλ‖`` is largest at a vertex of the cells (the unbounded directions either keep ``G(X)``
fixed or add a constant, which ``λ ⊥ 1`` ignores). A vertex is

(i)  ``a = x_j`` and ``T(x_k) = 0``: ``T(X) = Ψ c`` with ``Ψ_i = φ_j(x_i) − φ_j(x_k)``,
     ``φ_j(x) = (relu(x − x_j), relu(x_j − x))``. ``T``'s other zero is the *generalised
     reflection* ``x_j + (c₁/c₂)(x_j − x_k)`` of ``x_k`` across ``x_j`` (the reflection
     ``R(x_k, x_j)`` when ``c₁ = c₂``);
(ii) ``T(x_k) = T(x_m) = 0`` with the kink between: ``a = (c₁x_m + c₂x_k)/(c₁ + c₂)``, a
     *generalised midpoint* of ``x_k < x_m``, lying in ``[x_p, x_{p+1}]`` for a ``p`` with
     ``k ≤ p < m``; then ``T(X) = Ψ c`` again, with ``Ψ_i = (x_i − x_m, 0)`` right of the kink
     and ``(0, x_k − x_i)`` left of it.

In both, ``T(X)`` is linear in ``c``; on an arc of the circle where the signs of ``T(X)`` do not
change, ``G(X)ᵀλ = N c`` for a ``2 × 2`` matrix ``N``, so the largest value is the Rayleigh
quotient ``max cᵀQc / cᵀc``, ``Q = NᵀN``, over the arc: the larger eigenvalue
``(q₁₁ + q₂₂)/2 + √D`` when its eigenvector lies on the arc, else the larger end. The result is a
*quadratic surd* ``m + √D`` (:class:`QuadraticSurd`) with rational ``m`` and ``D`` — compared
with ``β²`` exactly. Depth 2 needs no search: ``‖G(X)ᵀλ‖²`` at ``a = x_j`` is rational.

The maximiser's direction ``c`` is irrational when the eigenvector wins, so the depth-3 dual
constraint set is not polyhedral: no finite rational dictionary is complete for depth 3, and the
fit adds the best unit of each round (column generation) instead.

Examples
--------
>>> from fractions import Fraction as F
>>> x, lam = [F(0), F(1), F(3), F(4)], [F(1), F(-2), F(2), F(-1)]
>>> float(dual_value(x, lam, 2).value), dual_value(x, lam, 3).value.exceeds(dual_value(x, lam, 2).value.rational)
(2.0, True)
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import accumulate
from typing import Any

from mirrorlib.numbers.exact import to_rational
from mirrorlib.numbers.surd import sqrt_bounds
from mirrorlib.symmetrised.network import SymmetrisedUnit

__all__ = ["DEPTHS", "DualValue", "QuadraticSurd", "dual_value", "require_searchable", "vertex_unit"]

DEPTHS = (2, 3)
Vector = tuple[Any, Any]

MAX_CANDIDATES = 3_000_000
"""Refuse an exact search over more arcs than this (minutes of rational arithmetic: about 4 s for the 58,000 arcs of 30 inputs with float-derived rationals)."""


@dataclass(frozen=True)
class QuadraticSurd:
    """The number ``m + √D`` (``D ≥ 0``), kept exact.

    Examples
    --------
    >>> value = QuadraticSurd(Fraction(1), Fraction(2))
    >>> value.exceeds(Fraction(12, 5)), value.exceeds(Fraction(5, 2)), value.at_least(Fraction(5, 2))
    (True, False, False)
    >>> Fraction(2414, 1000) < value.upper_bound() < Fraction(2415, 1000)
    True
    """

    rational: Any
    radicand: Any = 0

    def __float__(self) -> float:
        return float(self.rational) + math.sqrt(float(self.radicand))

    def exceeds(self, bound: Any) -> bool:
        """``m + √D > bound``, decided exactly (squares compared, no root taken)."""
        room = bound - self.rational
        return room < 0 or self.radicand > room * room

    def at_least(self, bound: Any) -> bool:
        """``m + √D ≥ bound``, decided exactly."""
        room = bound - self.rational
        return room <= 0 or self.radicand >= room * room

    def upper_bound(self, bits: int = 64) -> Fraction:
        """A rational ``≥ m + √D``, within ``2^-bits`` (``√D`` rounded up)."""
        return Fraction(self.rational) + sqrt_bounds(Fraction(self.radicand), bits)[1]

    def __gt__(self, other: QuadraticSurd) -> bool:
        """Exact comparison of two surds (used to pick the maximiser)."""
        # m1 + √D1 > m2 + √D2  ⟺  √D1 − √D2 > m2 − m1 =: t
        t = other.rational - self.rational
        d1, d2 = self.radicand, other.radicand
        if d1 >= d2:  # left side ≥ 0
            if t < 0:
                return True
            # (√D1 − √D2)² = D1 + D2 − 2√(D1 D2) > t² with √D1 − √D2 ≥ 0
            room = d1 + d2 - t * t  # need room > 2√(D1 D2)
            return room > 0 and room * room > 4 * d1 * d2
        if t >= 0:
            return False
        # √D2 − √D1 < −t with both sides positive: (√D2 − √D1)² < t²
        room = t * t - d1 - d2  # need −2√(D1 D2) < room, i.e. room ≥ 0 or room² < 4 D1 D2
        return room > 0 or room * room < 4 * d1 * d2


@dataclass(frozen=True)
class DualValue:
    """``ρ(λ)²`` over the units of one depth and a unit attaining it.

    Attributes
    ----------
    value : QuadraticSurd
        ``ρ(λ)² = max_units ‖G(X)ᵀλ‖²``.
    unit : SymmetrisedUnit
        A unit attaining it: exact when an end of an arc wins, float when the eigenvector does.
    vertex : str
        ``"data point"`` (depth 2), ``"kink at a data point"`` (type i) or
        ``"zeros at two data points"`` (type ii).
    interior : bool
        The maximiser is an eigenvector strictly inside its arc (``c₁/c₂`` irrational in
        general): its generalised reflection or midpoint is not a data point.
    anchors : tuple
        The data points that pin the vertex (:func:`vertex_unit`): ``(x_j, x_k)`` for a kink at
        ``x_j`` and a zero at ``x_k``, ``(x_k, x_m)`` for zeros at both; ``(a, a)`` at depth 2.

    Examples
    --------
    >>> best = dual_value([0, 1, 2], [1, -2, 1], 2)
    >>> best.value, best.unit, best.vertex
    (QuadraticSurd(rational=Fraction(2, 1), radicand=0), SymmetrisedUnit(kink=Fraction(1, 1), mix=None, shift=0), 'data point')
    """

    value: QuadraticSurd
    unit: SymmetrisedUnit
    vertex: str
    interior: bool
    anchors: tuple[Any, Any]


def _diamond(v: Vector) -> Any:
    """A rational angle in ``[0, 4)`` increasing with the true angle of ``v ≠ 0``."""
    x, y = v
    if y >= 0:
        return y / (x + y) if x > 0 else 1 - x / (y - x)
    return 2 - y / (-x - y) if x < 0 else 3 + x / (x - y)


def _relative_angle(origin: Vector, v: Vector) -> Any:
    """The diamond angle of ``v`` measured counter-clockwise from ``origin``."""
    return _diamond((origin[0] * v[0] + origin[1] * v[1], origin[0] * v[1] - origin[1] * v[0]))


def _doubled(c: Vector) -> Vector:
    """The direction of angle ``2θ`` for ``c`` at angle ``θ``: ``(c₁² − c₂², 2c₁c₂)``."""
    return (c[0] * c[0] - c[1] * c[1], 2 * c[0] * c[1])


def _rayleigh(N: Sequence[Sequence[Any]], c: Vector) -> Any:
    first = N[0][0] * c[0] + N[0][1] * c[1]
    second = N[1][0] * c[0] + N[1][1] * c[1]
    return (first * first + second * second) / (c[0] * c[0] + c[1] * c[1])


def _arc_maximum(N: Sequence[Sequence[Any]], start: Vector, end: Vector) -> tuple[QuadraticSurd, Vector, bool]:
    """``max ‖Nc‖²/‖c‖²`` over the counter-clockwise arc from ``start`` to ``end`` (at most a half
    turn): the value, a maximising direction and whether it is strictly inside the arc."""
    p = N[0][0] * N[0][0] + N[1][0] * N[1][0]
    q = N[0][0] * N[0][1] + N[1][0] * N[1][1]
    r = N[0][1] * N[0][1] + N[1][1] * N[1][1]
    half = (p - r) / 2
    radicand = half * half + q * q
    at_start, at_end = _rayleigh(N, start), _rayleigh(N, end)
    best_end = (QuadraticSurd(at_start), start, False) if at_start >= at_end else (QuadraticSurd(at_end), end, False)
    if radicand == 0:
        return best_end
    eigen = (half, q)  # the doubled direction of the top eigenvector
    if start[0] * end[1] - start[1] * end[0] == 0 and start[0] * end[0] + start[1] * end[1] < 0:
        strictly = True  # a half turn: its doubled arc is the whole circle
    else:
        u = _doubled(start)
        position, stop = _relative_angle(u, eigen), _relative_angle(u, _doubled(end))
        if position > stop:
            return best_end
        strictly = 0 < position < stop
    return QuadraticSurd((p + r) / 2, radicand), _eigen_direction(float(half), float(q)), strictly


def _eigen_direction(half: float, q: float) -> Vector:
    angle = 0.5 * math.atan2(q, half)
    return (math.cos(angle), math.sin(angle))


def _flips(Psi: Sequence[Vector]) -> list[tuple[Any, Vector, int, int]]:
    """Where ``c·Ψ_i`` changes sign going counter-clockwise, as ``(angle, direction, i, change)``
    sorted by angle: at ``Ψ_i^⊥`` from + to − (``-1``), at ``−Ψ_i^⊥`` from − to + (``+1``)."""
    events = []
    for i, (u, v) in enumerate(Psi):
        if u == 0 and v == 0:
            continue
        events.append((_diamond((-v, u)), (-v, u), i, -1))
        events.append((_diamond((v, -u)), (v, -u), i, +1))
    events.sort(key=lambda event: event[0])
    return events


def _circle_maximum(Psi: Sequence[Vector], lam: Sequence[Any]) -> tuple[QuadraticSurd, Vector, bool]:
    """``max over unit c of ‖(Σ λ_i relu(c·Ψ_i), Σ λ_i relu(−c·Ψ_i))‖²``: a sweep over the arcs
    on which the signs of ``c·Ψ_i`` are fixed, updating ``N`` at each sign change."""
    events = _flips(Psi)
    if not events:
        return QuadraticSurd(0), (1, 0), False
    directions = [events[0][:2]] + [e[:2] for previous, e in zip(events, events[1:]) if e[0] != previous[0]]
    inside = _interior(directions[0][1], directions[1 % len(directions)][1])
    N = [[0, 0], [0, 0]]
    for (u, v), weight in zip(Psi, lam):
        side = inside[0] * u + inside[1] * v
        row, sign = (0, 1) if side > 0 else (1, -1)
        if side != 0:
            N[row][0] += sign * weight * u
            N[row][1] += sign * weight * v
    best: tuple[QuadraticSurd, Vector, bool] | None = None
    position = 0
    for t, (angle, start) in enumerate(directions):
        while position < len(events) and events[position][0] == angle:
            _, _, i, change = events[position]
            if t > 0:  # crossing into arc t
                weight, (u, v) = lam[i], Psi[i]
                N[0][0] += change * weight * u
                N[0][1] += change * weight * v
                N[1][0] += change * weight * u
                N[1][1] += change * weight * v
            position += 1
        candidate = _arc_maximum(N, start, directions[(t + 1) % len(directions)][1])
        if best is None or candidate[0] > best[0]:
            best = candidate
    assert best is not None
    return best


def _interior(start: Vector, end: Vector) -> Vector:
    """A direction strictly inside the counter-clockwise arc from ``start`` to ``end``."""
    if start[0] * end[1] - start[1] * end[0] > 0:
        return (start[0] + end[0], start[1] + end[1])
    return (-start[1], start[0])  # a half turn (or the whole circle): a quarter turn in


def _prefix(values: Sequence[Any]) -> list[Any]:
    return [0, *accumulate(values)]


def _aggregate(x: Sequence[Any], lam: Sequence[Any], exact: bool) -> tuple[list[Any], list[Any]]:
    """Distinct sorted inputs and the summed weights of each."""
    convert = (lambda v, name: to_rational(v, name=name)) if exact else (lambda v, name: float(v))
    totals: dict[Any, Any] = {}
    for value, weight in zip(x, lam):
        key = convert(value, "x")
        totals[key] = totals.get(key, 0) + convert(weight, "lam")
    points = sorted(totals)
    return points, [totals[v] for v in points]


def _depth2(points: Sequence[Any], weights: Sequence[Any]) -> DualValue:
    """Depth 2: ``(Σ_{i>j} λ_i(x_i − x_j))² + (Σ_{i<j} λ_i(x_j − x_i))²``, largest over ``j``."""
    S0, S1 = _prefix(weights), _prefix([w * v for w, v in zip(weights, points)])
    n = len(points)
    best, where = None, 0
    for j, a in enumerate(points):
        right = (S1[n] - S1[j + 1]) - a * (S0[n] - S0[j + 1])
        left = a * S0[j] - S1[j]
        value = right * right + left * left
        if best is None or value > best:
            best, where = value, j
    kink = points[where] if points else 0
    return DualValue(QuadraticSurd(best if best is not None else 0), SymmetrisedUnit(kink), "data point", False, (kink, kink))


def _type_one(points: Sequence[Any], weights: Sequence[Any], j: int, k: int) -> tuple[QuadraticSurd, Vector, bool]:
    a, zero = points[j], points[k]
    anchor = (max(zero - a, 0), max(a - zero, 0))
    Psi = [(max(v - a, 0) - anchor[0], max(a - v, 0) - anchor[1]) for v in points]
    return _circle_maximum(Psi, weights)


def _type_two(points: Sequence[Any], S0: Sequence[Any], S1: Sequence[Any], k: int, p: int, m: int) -> tuple[QuadraticSurd, Vector, bool]:
    """Zeros at ``x_k`` and ``x_m``, kink in ``[x_p, x_{p+1}]``: ``N`` by prefix sums, the arc of
    directions ``c > 0`` putting the kink there."""
    xk, xm, n = points[k], points[m], len(points)

    def right(lo: int, hi: int) -> Any:  # Σ_{lo ≤ i < hi} λ_i (x_i − x_m)
        return (S1[hi] - S1[lo]) - xm * (S0[hi] - S0[lo])

    def left(lo: int, hi: int) -> Any:  # Σ_{lo ≤ i < hi} λ_i (x_k − x_i)
        return xk * (S0[hi] - S0[lo]) - (S1[hi] - S1[lo])

    N = [[right(m + 1, n), left(0, k)], [-right(p + 1, m), -left(k + 1, p + 1)]]
    start = (points[p + 1] - xk, xm - points[p + 1])  # kink at x_{p+1}
    end = (points[p] - xk, xm - points[p])  # kink at x_p
    return _arc_maximum(N, start, end)


def vertex_unit(vertex: str, anchors: tuple[Any, Any], direction: Vector) -> SymmetrisedUnit:
    """The unit at a depth-3 vertex for the direction ``c``: kind (i) ``"kink at a data point"``
    with anchors ``(x_j, x_k)`` (kink ``x_j``, ``T(x_k) = 0``), or kind (ii)
    ``"zeros at two data points"`` with anchors ``(x_k, x_m)`` (``T(x_k) = T(x_m) = 0``, kink at
    the generalised midpoint). Exact for rational inputs.

    Examples
    --------
    >>> vertex_unit("kink at a data point", (2, 3), (1, 1))
    SymmetrisedUnit(kink=2, mix=(1, 1), shift=-1)
    >>> vertex_unit("zeros at two data points", (Fraction(0), Fraction(3)), (Fraction(2), Fraction(1))).kink
    Fraction(2, 1)
    """
    c1, c2 = direction
    if vertex == "kink at a data point":
        a, zero = anchors
        return SymmetrisedUnit(a, direction, -(c1 * max(zero - a, 0) + c2 * max(a - zero, 0)))
    low, high = anchors
    a = (c1 * high + c2 * low) / (c1 + c2)
    return SymmetrisedUnit(a, direction, -c1 * (high - a))


def estimated_arcs(n: int) -> int:
    """Arcs the depth-3 search visits for ``n`` distinct inputs (``n²`` sweeps of ``≤ 2n`` arcs and
    ``≤ n³/6`` generalised-midpoint arcs).

    Examples
    --------
    >>> estimated_arcs(10)
    2165
    """
    return 2 * n**3 + n * (n - 1) * (n + 1) // 6


def require_searchable(n: int) -> None:
    """ValueError when the depth-3 search over ``n`` distinct inputs would visit more than
    :data:`MAX_CANDIDATES` arcs (checked before any work, exact or float).

    Examples
    --------
    >>> require_searchable(50)
    """
    if estimated_arcs(n) > MAX_CANDIDATES:
        raise ValueError(
            f"the depth-3 search over {n} distinct inputs visits about {estimated_arcs(n):,} arcs (limit {MAX_CANDIDATES:,}); "
            "use depth=2 or at most 110 distinct inputs"
        )


def dual_value(x: Sequence[Any], lam: Sequence[Any], depth: int, *, exact: bool = True) -> DualValue:
    """``ρ(λ)² = sup_units ‖G(X)ᵀλ‖²`` over the symmetrised-ReLU units of ``depth`` (2 or 3).

    Parameters
    ----------
    x : sequence of numbers
        The inputs ``x_1 … x_N`` (any order, duplicates allowed).
    lam : sequence of numbers
        ``λ`` with ``Σ λ_i = 0`` (e.g. a centred residual).
    depth : {2, 3}
    exact : bool
        Rational arithmetic (default; floats are read exactly) or float64 (a fast search for
        column generation, no guarantee). Both refuse above :data:`MAX_CANDIDATES` arcs.

    Returns
    -------
    DualValue

    Raises
    ------
    ValueError
        For another depth, lengths that differ, ``Σ λ ≠ 0`` (exact), or a search above
        :data:`MAX_CANDIDATES` arcs.

    Examples
    --------
    >>> best = dual_value([0, 1, 3, 4], [1, -2, 2, -1], 3)
    >>> best.value, round(float(best.value), 6), best.vertex
    (QuadraticSurd(rational=Fraction(3, 1), radicand=Fraction(8, 1)), 5.828427, 'kink at a data point')
    """
    if depth not in DEPTHS:
        raise ValueError(f"depth must be 2 or 3 for symmetrised-ReLU units, got {depth!r} (deeper units have no exact oracle here)")
    if len(x) != len(lam):
        raise ValueError(f"lam has {len(lam)} entries but x has {len(x)}; pass one weight per input")
    points, weights = _aggregate(x, lam, exact)
    if exact and sum(weights, Fraction(0)) != 0:
        raise ValueError("lam must sum to 0 (centre it: lam - mean(lam)); the dual constraint is stated for λ ⊥ 1")
    if depth == 2 or len(points) < 2:
        return _depth2(points, weights)
    n = len(points)
    require_searchable(n)
    best: tuple[QuadraticSurd, Vector, bool] | None = None
    where: tuple[str, tuple[Any, Any]] = ("", (0, 0))
    for j in range(n):
        for k in range(n):
            candidate = _type_one(points, weights, j, k)
            if best is None or candidate[0] > best[0]:
                best, where = candidate, ("kink at a data point", (points[j], points[k]))
    S0, S1 = _prefix(weights), _prefix([w * v for w, v in zip(weights, points)])
    for k in range(n):
        for m in range(k + 1, n):
            for p in range(k, m):
                candidate = _type_two(points, S0, S1, k, p, m)
                if candidate[0] > best[0]:  # type: ignore[index]
                    best, where = candidate, ("zeros at two data points", (points[k], points[m]))
    assert best is not None
    value, direction, interior = best
    return DualValue(value, vertex_unit(where[0], where[1], direction), where[0], interior, where[1])
