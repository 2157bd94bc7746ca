"""Exact activation patterns of a ReLU neuron on d-dimensional data, each with a witness.

For data ``X ∈ ℚ^{N×d}`` a neuron ``x ↦ σ(wᵀx + b)`` acts on the sample through its *activation
pattern* ``D = diag(1[Xw + b1 ≥ 0])``. The patterns are the cells of the arrangement of the ``N``
hyperplanes ``{θ : x̄ᵢᵀθ = 0}`` in the parameter space ``θ = (w, b) ∈ ℝ^{d+1}`` (``x̄ᵢ = (xᵢ, 1)``);
a pattern with points exactly on the boundary is also the pattern of a neighbouring open cell,
so the distinct patterns are the open cells. For points in general position their number is
Cover's function-counting number (:func:`cover_count`)

    C(N, d + 1) = 2 Σ_{k=0}^{d} binom(N − 1, k),

polynomial in ``N`` for fixed ``d``; in 1-D these are the ``2N`` ramps of docs/theory.md §5.

Enumeration (exact, general or degenerate data): every cell of the (essential) arrangement has
an extreme ray ``θ_H`` — a hyperplane ``H`` through an affinely independent ``d``-subset of the
points — and the cells at that ray are ``sign(θ_Hᵀx̄ᵢ)`` off ``H`` combined with every
dichotomy of the points ``T`` on ``H`` by an affine function ``g``; the witness is
``θ = K θ_H + g`` with an integer ``K`` large enough that ``g`` cannot flip a point off ``H``. In
general position ``T`` has ``d`` affinely independent points and all ``2^d`` dichotomies occur;
otherwise the dichotomies of ``T`` are enumerated recursively in the affine coordinates of its
span. Data spanning a lower-dimensional affine subspace are handled the same way. All arithmetic
is on integers (the data scaled by a common denominator) or Fractions; every witness is checked.

References
----------
T. M. Cover, "Geometrical and statistical properties of systems of linear inequalities with
applications in pattern recognition", IEEE Trans. Electronic Computers 14 (1965) 326–334;
M. Pilanci and T. Ergen, "Neural networks are convex regularizers", ICML 2020; T. Ergen and
M. Pilanci, "The convex landscape of neural networks: characterizing global optima and
stationary points via Lasso models", arXiv:2312.12657.

Examples
--------
>>> patterns = activation_patterns([[0, 0], [1, 0], [0, 1], [2, 3]])
>>> len(patterns), cover_count(4, 2)
(14, 14)
>>> w, b = patterns.witness(5)
>>> patterns.masks[5], [w[0] * x + w[1] * z + b >= 0 for x, z in patterns.X]
((False, True, False, True), [False, True, False, True])
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from itertools import combinations, product
from math import comb, factorial, gcd, lcm
from typing import Any

import numpy as np

from mirrorlib.numbers.exact import to_rational
from mirrorlib.numbers.linalg import column_basis, nullspace, solve

__all__ = ["ActivationPatterns", "DEFAULT_MAX_PATTERN_CANDIDATES", "activation_patterns", "cover_count", "enumeration_bytes", "pattern_candidates", "patterns_of"]

DEFAULT_MAX_PATTERN_CANDIDATES = 2_000_000
"""Refuse enumerations with more candidate cells than this (:func:`pattern_candidates`)."""


def cover_count(n: int, d: int) -> int:
    """Cover's number of dichotomies of ``n`` points in general position in ``ℝ^d`` by affine
    halfspaces, ``2 Σ_{k=0}^{d} binom(n − 1, k)`` (the distinct activation patterns, all-on and
    all-off included).

    Parameters
    ----------
    n : int
        Points.
    d : int
        Dimension.

    Returns
    -------
    int

    Examples
    --------
    >>> cover_count(5, 1), cover_count(100, 2), cover_count(3, 5)
    (10, 9902, 8)
    """
    if n < 1 or d < 0:
        raise ValueError(f"cover_count needs n ≥ 1 and d ≥ 0, got n={n}, d={d}")
    return 2 * sum(comb(n - 1, k) for k in range(d + 1))


def pattern_candidates(n: int, d: int) -> int:
    """The number of candidate cells the enumeration visits, ``2^{d+1} binom(n, d) + 2`` (each
    hyperplane through ``d`` points, both orientations, every dichotomy of the ``d`` points),
    computed before any work so that large enumerations are refused at once.

    Parameters
    ----------
    n, d : int
        As in :func:`cover_count`.

    Returns
    -------
    int

    Examples
    --------
    >>> pattern_candidates(200, 2), pattern_candidates(60, 3)
    (159202, 547522)
    """
    return 2 ** (d + 1) * comb(n, d) + 2


@dataclass(frozen=True)
class ActivationPatterns:
    """The distinct activation patterns of ``X`` with exact witnesses.

    Attributes
    ----------
    X : tuple of tuple of Fraction
        The data, ``N × d``.
    masks : tuple of tuple of bool
        ``masks[p][i] = 1[xᵢᵀw_p + b_p ≥ 0]``, sorted (all-off first).
    weights : tuple of tuple of Fraction
        ``w_p``.
    biases : tuple of Fraction
        ``b_p``.
    general_position : bool or None
        Whether no ``d + 1`` points lie on a common hyperplane (then ``len = cover_count``);
        ``None`` for a sample.
    sampled : bool
        True for :func:`~mirrorlib.multidim.sampling.sampled_patterns` (not every pattern).

    Examples
    --------
    >>> patterns = activation_patterns([[0, 0], [1, 0], [0, 1]])
    >>> len(patterns), patterns.general_position, patterns.scope
    (8, True, 'all 8 activation patterns (exact enumeration)')
    >>> patterns.matrix().shape, patterns.thetas().shape
    ((8, 3), (8, 3))
    """

    X: tuple[tuple[Fraction, ...], ...]
    masks: tuple[tuple[bool, ...], ...]
    weights: tuple[tuple[Fraction, ...], ...]
    biases: tuple[Fraction, ...]
    general_position: bool | None
    sampled: bool = False

    @property
    def scope(self) -> str:
        """What a certificate over these patterns covers, in words."""
        if self.sampled:
            return f"{len(self.masks)} sampled activation patterns (a sample, not all patterns)"
        return f"all {len(self.masks)} activation patterns (exact enumeration)"

    def __len__(self) -> int:
        return len(self.masks)

    def witness(self, index: int) -> tuple[tuple[Fraction, ...], Fraction]:
        """``(w, b)`` with ``1[Xw + b ≥ 0]`` equal to pattern ``index``."""
        return self.weights[index], self.biases[index]

    def matrix(self) -> np.ndarray:
        """The patterns as a boolean array of shape ``(P, N)``."""
        return np.array(self.masks, dtype=bool).reshape(len(self.masks), len(self.X))

    def thetas(self) -> np.ndarray:
        """The witnesses ``θ_p = (w_p, b_p)`` as an object array of Fractions, shape ``(P, d + 1)``."""
        return np.array([[*w, b] for w, b in zip(self.weights, self.biases)], dtype=object).reshape(len(self.masks), -1)


def _rational_rows(X: Any) -> tuple[tuple[Fraction, ...], ...]:
    array = np.asarray(X, dtype=object)
    if array.ndim == 1:
        array = array.reshape(-1, 1)
    if array.ndim != 2 or array.shape[0] == 0 or array.shape[1] == 0:
        raise ValueError(f"X must be a non-empty 2-D array of shape (N, d), got shape {array.shape}")
    return tuple(tuple(to_rational(v, name="X") for v in row) for row in array)


def integer_direction(theta: Sequence[Fraction]) -> tuple[int, ...]:
    """The positive multiple of the rational vector ``theta`` with coprime integer entries (signs,
    and so activation patterns, are kept; the zero vector stays zero).

    Examples
    --------
    >>> integer_direction([Fraction(-1, 2), Fraction(3, 4), Fraction(0)])
    (-2, 3, 0)
    """
    scale = lcm(*(v.denominator for v in theta))
    integers = [int(v * scale) for v in theta]
    divisor = gcd(*integers) or 1
    return tuple(v // divisor for v in integers)


def _primitive(theta: Sequence[Fraction]) -> tuple[int, ...]:
    """``theta`` scaled to coprime integers with its first non-zero entry positive."""
    integers = integer_direction(theta)
    sign = 1 if next(v for v in integers if v) > 0 else -1
    return tuple(sign * v for v in integers)


def _evaluate(points: Sequence[Sequence[Fraction]], theta: Sequence[Fraction]) -> list[Fraction]:
    d = len(theta) - 1
    return [sum((p[j] * theta[j] for j in range(d)), theta[d]) for p in points]


def _affine_coordinates(points: Sequence[Sequence[Fraction]]) -> tuple[list[list[Fraction]], Any] | None:
    """If the points span a proper affine subspace: their coordinates in it and a lifting map
    (witness in coordinates → witness in ℝ^d); ``None`` when they span ℝ^d."""
    d = len(points[0])
    origin = points[0]
    differences = [[p[j] - origin[j] for j in range(d)] for p in points[1:]]
    basis_rows = [differences[i] for i in column_basis([list(col) for col in zip(*differences)])] if differences else []
    k = len(basis_rows)
    if k == d:
        return None
    # P = (BᵀB)⁻¹Bᵀ with B = basis as columns: P(x − x₀) are the coordinates of x in the span
    gram = [[sum(u[j] * v[j] for j in range(d)) for v in basis_rows] for u in basis_rows]
    coords = [list(solve(gram, [sum(u[j] * (p[j] - origin[j]) for j in range(d)) for u in basis_rows])) if k else [] for p in points]

    def lift(w_sub: Sequence[Fraction], b_sub: Fraction) -> tuple[list[Fraction], Fraction]:
        # g(x) = w_subᵀ P (x − x₀) + b_sub, with P = G⁻¹Bᵀ: w = B G⁻¹ w_sub
        y = solve(gram, list(w_sub)) if k else []
        w = [sum((y[i] * basis_rows[i][j] for i in range(k)), Fraction(0)) for j in range(d)]
        return w, b_sub - sum((w[j] * origin[j] for j in range(d)), Fraction(0))

    return coords, lift


def _hyperplane_cells(points: list[list[Fraction]], theta: Sequence[int]) -> dict[tuple[bool, ...], tuple[list[Fraction], Fraction]]:
    """The cells at the ray ``±θ_H`` of a hyperplane ``H`` (integer ``θ_H``): signs off ``H`` from
    ``θ_H``, every dichotomy of the points on ``H`` (recursively), witnesses ``K θ_H + g``."""
    n, d = len(points), len(points[0])
    values = _evaluate(points, [Fraction(v) for v in theta])
    on = [i for i in range(n) if values[i] == 0]
    off = [i for i in range(n) if values[i] != 0]
    cells: dict[tuple[bool, ...], tuple[list[Fraction], Fraction]] = {}
    for mask_on, (g_w, g_b) in _dichotomies([list(points[i]) for i in on]).items():
        g_values = _evaluate(points, [*g_w, g_b])
        K = max((abs(g_values[i]) / abs(values[i]) for i in off), default=Fraction(0)) + 1
        for orientation in (1, -1):
            theta_total = [orientation * K * v + g for v, g in zip(theta, [*g_w, g_b])]
            mask = [v * orientation > 0 for v in values]
            for position, i in enumerate(on):
                mask[i] = mask_on[position]
            cells.setdefault(tuple(mask), (theta_total[:d], theta_total[d]))
    return cells


def _dichotomies(points: list[list[Fraction]]) -> dict[tuple[bool, ...], tuple[list[Fraction], Fraction]]:
    """Every pattern ``1[g(x) ≥ 0]`` of an affine ``g`` on ``points`` with a witness ``(w, b)``
    (exact, any configuration; used for degenerate hyperplanes and as the reference)."""
    n, d = len(points), len(points[0]) if points else 0
    result: dict[tuple[bool, ...], tuple[list[Fraction], Fraction]] = {
        (False,) * n: ([Fraction(0)] * d, Fraction(-1)),
        (True,) * n: ([Fraction(0)] * d, Fraction(1)),
    }
    if n <= 1 or d == 0:
        return result
    reduced = _affine_coordinates(points)
    if reduced is not None:
        coords, lift = reduced
        if not coords[0]:  # all points coincide
            return result
        for mask, (w_sub, b_sub) in _dichotomies(coords).items():
            result.setdefault(mask, lift(w_sub, b_sub))
        return result
    seen: set[tuple[int, ...]] = set()
    for subset in combinations(range(n), d):
        rows = [list(points[i]) + [Fraction(1)] for i in subset]
        kernel = nullspace(rows)
        if len(kernel) != 1:
            continue  # affinely dependent subset
        theta = _primitive(kernel[0])
        if theta in seen:
            continue
        seen.add(theta)
        for mask, witness in _hyperplane_cells(points, theta).items():
            result.setdefault(mask, witness)
    return result


def enumeration_bytes(n: int, d: int, *, small_integers: bool = True) -> int:
    """Memory of the vectorised enumeration: for the ``C = binom(n, d)`` hyperplanes through ``d``
    points, the integer matrices ``θ_Hᵀx̄ᵢ`` and ``gᵀx̄ᵢ`` and their ratios (``N × C`` each) and
    one ``C × N`` boolean mask at a time; 8 bytes per entry in int64, about 56 as Python integers
    (data whose common denominator is large, e.g. most floats: ``small_integers=False``).

    Examples
    --------
    >>> enumeration_bytes(100, 2) // 1024**2, enumeration_bytes(100, 2, small_integers=False) // 1024**2  # MiB
    (12, 80)
    """
    per_entry = 8 if small_integers else 56
    return n * comb(n, d) * (3 * per_entry + 2)


def _fits_int64(points: Sequence[Sequence[Fraction]]) -> bool:
    """Whether every product of the enumeration provably fits in int64 (see :func:`_products`):
    with ``B`` the largest scaled coordinate, cofactors are at most ``(d+1)!·B^d`` and the
    witness products at most ``((d+1)!)²·B^{2d+1}`` in size."""
    d = len(points[0])
    Zbar, _ = _integer_data(points)
    bound = max(1, int(np.max(np.abs(Zbar))))
    return factorial(d + 1) ** 2 * (d + 2) * bound ** (2 * d + 1) < 2**62


def _check_enumeration_memory(points: Sequence[Sequence[Fraction]]) -> None:
    from mirrorlib.libraries.library import format_bytes, memory_limit

    n, d = len(points), len(points[0])
    needed = enumeration_bytes(n, d, small_integers=_fits_int64(points))
    if needed > memory_limit():
        raise ValueError(
            f"X ({n} points in d = {d}): enumerating the patterns needs about {format_bytes(needed)} "
            f"(limit {format_bytes(memory_limit())}); use fewer points or sampled patterns "
            "(mirrorlib.multidim.sampling.sampled_patterns), round the data to small denominators, "
            "or raise the limit with MIRRORLIB_MAX_BYTES"
        )


def _det(stack: np.ndarray) -> np.ndarray:
    """Exact determinants of a stack of integer matrices ``(C, k, k)`` (object dtype), by Laplace
    expansion along the first row (``k ≤ 4`` here)."""
    k = stack.shape[1]
    if k == 0:
        return np.ones(stack.shape[0], dtype=object)
    if k == 1:
        return stack[:, 0, 0]
    total = np.zeros(stack.shape[0], dtype=object)
    for j in range(k):
        minor = np.delete(np.delete(stack, 0, axis=1), j, axis=2)
        total = total + (-1) ** j * stack[:, 0, j] * _det(minor)
    return total


def _cofactor_normals(rows: np.ndarray) -> np.ndarray:
    """For a stack ``(C, d, d+1)`` of integer matrices, the generalised cross product
    ``θ_j = (−1)^j det(rows without column j)``: a normal of the rows' null space (zero when the
    rows are dependent)."""
    return np.stack([(-1) ** j * _det(np.delete(rows, j, axis=2)) for j in range(rows.shape[2])], axis=1)


def _integer_data(points: Sequence[Sequence[Fraction]]) -> np.ndarray:
    """The data times a common denominator, with a column of ones: ``Z̄`` (object ints)."""
    scale = lcm(*(v.denominator for p in points for v in p))
    return np.array([[int(v * scale) for v in p] + [1] for p in points], dtype=object), scale


def _products(Z: np.ndarray, Theta: np.ndarray) -> np.ndarray:
    """``Z Θᵀ`` exactly: in int64 when a bound proves it cannot overflow, else in Python ints."""
    bound = int(np.max(np.abs(Z))) * int(np.max(np.abs(Theta), initial=0)) * Z.shape[1]
    if bound < 2**62:
        return Z.astype(np.int64) @ Theta.astype(np.int64).T
    return Z @ Theta.T


def patterns_of(X: Any, thetas: Any) -> np.ndarray:
    """``1[x̄ᵢᵀθ_p ≥ 0]`` exactly, shape ``(P, N)``: the data and the parameters ``θ_p = (w_p, b_p)``
    are read as exact rationals (floats exactly), each ``θ_p`` is scaled to integers (a positive
    factor keeps the signs) and multiplied with the integer data ``(scale·x, scale)`` — in int64
    when a bound allows, else with FLINT integer matrices. Float evaluation is not safe here:
    a witness can sit very close to a cell's boundary.

    Parameters
    ----------
    X : array-like (N, d)
        The data (rationals or floats, read exactly).
    thetas : array-like (P, d + 1)
        Neurons ``θ_p = (w_p, b_p)``.

    Returns
    -------
    ndarray of bool (P, N)

    Examples
    --------
    >>> patterns_of([[0.1], [0.2], [0.3]], [[10, -2], ["-1/3", "1/15"]]).astype(int)
    array([[0, 1, 1],
           [1, 0, 0]])
    """
    points = _rational_rows(X)
    Zbar, scale = _integer_data(points)
    Zbar[:, -1] = scale
    rows = []
    for theta in np.asarray(thetas, dtype=object).reshape(-1, Zbar.shape[1]):
        rows.append(list(integer_direction([to_rational(v, name="thetas") for v in theta])))
    Theta = np.array(rows, dtype=object).reshape(len(rows), Zbar.shape[1])
    if Theta.shape[0] == 0:
        return np.zeros((0, Zbar.shape[0]), dtype=bool)
    largest_data = int(np.max(np.abs(Zbar)))
    if largest_data < 2**62 and largest_data * int(np.max(np.abs(Theta), initial=0)) * Zbar.shape[1] < 2**62:  # both factors and the products fit
        return (Theta.astype(np.int64) @ Zbar.astype(np.int64).T) >= 0
    import flint

    product_ = flint.fmpz_mat(Theta.tolist()) * flint.fmpz_mat(Zbar.T.tolist())
    return np.array([value >= 0 for value in product_.entries()], dtype=bool).reshape(Theta.shape[0], Zbar.shape[0])


def _general_position_cells(points: Sequence[Sequence[Fraction]]) -> tuple[dict, list[tuple[int, ...]], bool]:
    """The cells at every hyperplane through ``d`` affinely independent points that contains no
    other point, vectorised over hyperplanes in exact integers; returns ``{mask: (w, b)}``, the
    degenerate hyperplanes (primitive θ) for :func:`_dichotomies`, and whether none was found."""
    n, d = len(points), len(points[0])
    Zbar, scale = _integer_data(points)
    subsets = np.array(list(combinations(range(n), d)), dtype=np.int64).reshape(-1, d)
    Theta = _cofactor_normals(Zbar[subsets])  # (C, d+1)
    nonzero = np.any(Theta != 0, axis=1)
    V = _products(Zbar, Theta)  # (N, C): θ_Hᵀ x̄ᵢ
    on_plane = np.count_nonzero(V == 0, axis=0)
    general = nonzero & (on_plane == d)
    degenerate = {_primitive([Fraction(int(v) * scale) for v in Theta[c][:d]] + [Fraction(int(Theta[c][d]))]) for c in np.flatnonzero(nonzero & ~general)}
    all_general = bool(np.all(nonzero)) and not degenerate
    Theta, V, subsets = Theta[general], V[:, general], subsets[general]
    # g with g(x_i) = t_i on the subset and θ_Hᵀg = 0: g = sign(det M)·adj(M)[:, :d] t, M = [x̄_S; θ_H]
    M = np.concatenate([Zbar[subsets], Theta[:, None, :]], axis=1)  # (C, d+1, d+1)
    determinant = _det(M)
    adjugate = np.empty((M.shape[0], d + 1, d), dtype=object)
    for i in range(d):
        for j in range(d + 1):
            adjugate[:, j, i] = (-1) ** (i + j) * _det(np.delete(np.delete(M, i, axis=1), j, axis=2))
    adjugate *= np.sign(determinant.astype(float)).astype(np.int64)[:, None, None]
    found: dict[tuple[bool, ...], tuple[list[Fraction], Fraction]] = {}
    off_plane = V != 0
    for t in product((1, -1), repeat=d):
        G_theta = adjugate @ np.array(t, dtype=object)  # (C, d+1)
        G = _products(Zbar, G_theta)  # (N, C)
        ratio = np.where(off_plane, np.abs(G) // np.where(off_plane, np.abs(V), 1), 0)
        K = np.max(ratio, axis=0) + 1
        for orientation in (1, -1):
            masks = np.where(off_plane, orientation * V > 0, G > 0).T  # (C, N)
            packed = np.packbits(masks, axis=1)
            _, first = np.unique(packed, axis=0, return_index=True)
            for c in first:
                key = tuple(bool(v) for v in masks[c])
                if key in found:
                    continue
                theta = [orientation * int(K[c]) * int(a) + int(g) for a, g in zip(Theta[c], G_theta[c])]
                found[key] = ([Fraction(v * scale) for v in theta[:d]], Fraction(theta[d]))
    return found, sorted(degenerate), all_general


def activation_patterns(X: Any, *, max_candidates: int = DEFAULT_MAX_PATTERN_CANDIDATES) -> ActivationPatterns:
    """All distinct activation patterns ``1[Xw + b ≥ 0]`` of the data, with exact witnesses.

    Parameters
    ----------
    X : array-like of shape (N, d)
        Rational data (ints, Fractions, floats converted exactly, strings such as ``"1/3"``); a
        1-D array is one feature.
    max_candidates : int
        Refuse (``ValueError``) when :func:`pattern_candidates` exceeds this, before any work.

    Returns
    -------
    ActivationPatterns
        Every witness is verified exactly before it is returned.

    Raises
    ------
    ValueError
        For empty or non-numeric data, or above ``max_candidates``.

    Examples
    --------
    Four points on a line in the plane (degenerate) have the patterns of 1-D data, ``2N``:

    >>> line = activation_patterns([[0, 0], [1, 1], [2, 2], [3, 3]])
    >>> len(line), line.general_position
    (8, False)
    >>> w, b = line.witness(3)
    >>> [int(sum(wj * xj for wj, xj in zip(w, x)) + b >= 0) for x in line.X] == list(line.masks[3])
    True
    """
    points = _rational_rows(X)
    n, d = len(points), len(points[0])
    candidates = pattern_candidates(n, d)
    if candidates > max_candidates:
        raise ValueError(
            f"X ({n} points in d = {d}) needs {candidates:,} candidate cells (limit max_candidates={max_candidates:,}); "
            "use fewer points, sampled patterns (mirrorlib.multidim.sampling.sampled_patterns), or raise max_candidates"
        )
    _check_enumeration_memory(points)
    rows = [list(p) for p in points]
    reduced = _affine_coordinates(rows)
    if reduced is not None:  # data in a proper affine subspace: general position iff affinely independent
        found, general = _dichotomies(rows), len(reduced[0][0]) == n - 1
    else:
        found, degenerate, general = _general_position_cells(points)
        found.setdefault((False,) * n, ([Fraction(0)] * d, Fraction(-1)))
        found.setdefault((True,) * n, ([Fraction(0)] * d, Fraction(1)))
        for theta in degenerate:
            for mask, witness in _hyperplane_cells(rows, theta).items():
                found.setdefault(mask, witness)
    masks = sorted(found)
    weights = tuple(tuple(found[mask][0]) for mask in masks)
    biases = tuple(found[mask][1] for mask in masks)
    thetas = [[*w, b] for w, b in zip(weights, biases)]
    if not np.array_equal(patterns_of(points, thetas).reshape(len(masks), n), np.array(masks, dtype=bool).reshape(len(masks), n)):
        raise RuntimeError("activation_patterns: a witness does not reproduce its pattern (a bug)")
    return ActivationPatterns(points, tuple(masks), weights, biases, general)
