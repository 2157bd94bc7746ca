"""The set of all Lasso optima: a polytope, enumerated exactly.

For ``min ½‖A z + ξ1 − y‖² + β‖z‖₁`` every optimum has the same fitted values, the same dual
vector ``λ = r/β`` and the same ℓ1 norm. With ``Ã`` the centred columns, ``E = {i : |ãᵢᵀλ| = 1}``
(the equicorrelation set) and ``s_i = sign(ãᵢᵀλ)``, the optimal set is

    { z : Ã z = Ã z*,  z_i = 0 for i ∉ E,  s_i z_i ≥ 0 for i ∈ E },

a polytope (``Σ s_i z_i = λᵀÃ z*`` is constant on it). The β → 0⁺ limit (minimum-ℓ1 least-squares
solutions) has the same description with its ℓ1 dual certificate ``λ``. Writing
``w_i = s_i z_i`` and ``w = w* + N d`` with ``N`` a basis of ``ker [s_i ã_i]_{i∈E}``, the polytope
is ``{d : w* + N d ≥ 0}`` in dimension ``k = dim ker``:

* uniqueness is one exact LP (the optimum is unique iff no ``d ≠ 0`` keeps ``w* + t N d ≥ 0``
  for small ``t``, i.e. iff ``max Σ_{i: w*_i = 0} (N d)_i`` over that cone is 0);
* the vertices come from pycddlib (exact), after a size estimate by the upper bound theorem;
* the minimum-ℓ2 optimum (the paper code's ``findoptset``) is the point of minimum norm in the
  convex hull of the vertices, found exactly by Wolfe's algorithm.

References
----------
P. Wolfe, "Finding the nearest point in a polytope", Math. Programming 11 (1976).
R. J. Tibshirani, "The lasso problem and uniqueness", Electron. J. Statist. 7 (2013).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from math import comb

import numpy as np

from mirrorlib.numbers.exact import format_rational
from mirrorlib.lasso import ExactLassoSolution, solve_lasso_exact
from mirrorlib.numbers.linalg import nullspace

__all__ = ["OptimalSet", "optimal_set", "is_unique_optimum", "is_unique_within_tolerance", "MAX_VERTICES"]

MAX_VERTICES = 200_000
"""Vertex enumerations whose upper-bound-theorem estimate exceeds this are refused."""

Vector = tuple[Fraction, ...]


@dataclass(frozen=True)
class _Face:
    """The optimal polytope in the coordinates ``w = w* + N d`` (``w_i = s_i z_i``, ``i ∈ E``)."""

    n_columns: int
    equicorrelated: tuple[int, ...]
    signs: tuple[int, ...]
    optimum: Vector  # w*
    kernel: tuple[Vector, ...]  # columns of N, each of length |E|

    def z_of(self, w: Sequence[Fraction]) -> Vector:
        z = [Fraction(0)] * self.n_columns
        for column, sign, value in zip(self.equicorrelated, self.signs, w):
            z[column] = sign * value
        return tuple(z)

    def w_of(self, d: Sequence[Fraction]) -> Vector:
        return tuple(base + sum((b[i] * t for b, t in zip(self.kernel, d)), Fraction(0)) for i, base in enumerate(self.optimum))


@dataclass(frozen=True)
class OptimalSet:
    """Every optimum of one Lasso problem, exactly.

    Attributes
    ----------
    solution : ExactLassoSolution
        The optimum the exact homotopy found.
    equicorrelated : tuple[int, ...]
        Columns ``i`` with ``|ãᵢᵀλ| = 1``: the only ones any optimum can use.
    dimension : int
        Dimension of the optimal polytope (0: the optimum is unique).
    vertices : tuple[tuple[Fraction, ...], ...]
        Its vertices as full coefficient vectors ``z`` (length M).
    min_l2 : tuple[Fraction, ...]
        The optimum of minimum Euclidean norm.
    column_means : tuple[Fraction, ...]
        Mean of each column of ``A`` (gives ξ of any optimum).

    Examples
    --------
    Two identical columns share the weight in every proportion; the vertices put it on one:

    >>> opt = optimal_set([[0, 0], [1, 1], [2, 2]], [0, 1, 3], "1/10")
    >>> opt.is_unique, opt.dimension, [[str(v) for v in z] for z in opt.vertices]
    (False, 1, [['0', '29/20'], ['29/20', '0']])
    >>> [str(v) for v in opt.min_l2]
    ['29/40', '29/40']
    """

    solution: ExactLassoSolution
    equicorrelated: tuple[int, ...]
    dimension: int
    vertices: tuple[Vector, ...]
    min_l2: Vector
    column_means: Vector = ()

    @property
    def is_unique(self) -> bool:
        return self.dimension == 0

    def intercept(self, z: Sequence[Fraction]) -> Fraction:
        """ξ of the optimum ``z``: ``ξ = ȳ − Σ z_i mean(a_i)`` (every optimum has the same fit).

        Examples
        --------
        >>> opt = optimal_set([[0, 0], [1, 1], [2, 2]], [0, 1, 3], "1/10")
        >>> {str(opt.intercept(z)) for z in opt.vertices}
        {'-7/60'}
        """
        reference = self.solution.z
        return self.solution.xi - sum(((zi - ri) * m for zi, ri, m in zip(z, reference, self.column_means)), Fraction(0))

    @property
    def sparsest(self) -> tuple[Vector, ...]:
        """The vertices with the fewest non-zero coefficients."""
        fewest = min(sum(1 for v in z if v) for z in self.vertices)
        return tuple(z for z in self.vertices if sum(1 for v in z if v) == fewest)

    def summary(self) -> str:
        """A few lines: uniqueness, dimension, vertices with their supports, the minimum-ℓ2 optimum."""
        if self.is_unique:
            return "optimum: unique (the optimal set is one point, decided exactly)"
        lines = [
            f"optimum: NOT unique — the optimal set is a {self.dimension}-dimensional polytope with "
            f"{len(self.vertices)} vertices (all with the same fit and ℓ1 norm)"
        ]
        for index, z in enumerate(self.vertices):
            support = {i: format_rational(v) for i, v in enumerate(z) if v}
            lines.append(f"  vertex {index}: {support}")
        lines.append("  minimum-ℓ2 optimum: " + str({i: format_rational(v) for i, v in enumerate(self.min_l2) if v}))
        return "\n".join(lines)


def _face(A: object, z: Sequence[Fraction], dual: Sequence[Fraction]) -> tuple[_Face, Vector]:
    """The optimal polytope around the optimum ``z`` with dual vector ``λ`` (``|Ãᵀλ| ≤ 1``)."""
    from mirrorlib.numbers.linalg import exact_matrix, to_fraction, to_scalar

    matrix = exact_matrix(A)
    n, m = matrix.nrows, matrix.ncols
    centred, means = matrix.centre_columns()
    correlations = centred.rmatvec_scaled([to_scalar(v) for v in dual])
    one = to_scalar(1)
    columns = centred.columns()
    tied = tuple(j for j in correlations.where_abs_equals(one) if any(columns[j]))
    signs = tuple(correlations.sign(j) for j in tied)
    optimum = tuple(s * z[j] for j, s in zip(tied, signs))
    if any(v < 0 for v in optimum) or any(z[j] for j in set(range(m)) - set(tied)):
        raise ValueError("z is not complementary to the dual vector: not a Lasso optimum with this λ")
    signed = [[s * to_fraction(columns[j][i]) for j, s in zip(tied, signs)] for i in range(n)]
    kernel = nullspace(signed) if tied else ()
    return _Face(m, tied, signs, optimum, kernel), tuple(to_fraction(v) for v in means)


def is_unique_optimum(A: object, z: Sequence[Fraction], dual: Sequence[Fraction]) -> bool:
    """Whether the Lasso optimum ``z`` is the only one, decided exactly (at most one LP).

    ``dual`` is its dual vector ``λ``: ``r/β`` for β > 0, the ℓ1 certificate for β → 0⁺
    (:attr:`mirrorlib.lasso.ExactLassoSolution.dual`).

    Parameters
    ----------
    A : array-like (N, M)
        The dictionary.
    z : sequence of Fraction
        An exact optimum.
    dual : sequence of Fraction
        Its dual vector.

    Returns
    -------
    bool

    Examples
    --------
    >>> from mirrorlib.lasso import solve_lasso_exact
    >>> A = [[0, 0], [1, 1], [2, 2]]
    >>> solution = solve_lasso_exact(A, [0, 1, 3], "1/10")
    >>> is_unique_optimum(A, solution.z, solution.dual)
    False
    >>> solution = solve_lasso_exact([[0, 0], [1, 2], [2, 1]], [0, 1, 3], "1/10")
    >>> is_unique_optimum([[0, 0], [1, 2], [2, 1]], solution.z, solution.dual)
    True
    """
    face, _ = _face(A, z, dual)
    return _is_point(face)


def is_unique_within_tolerance(A: np.ndarray, y: np.ndarray, z: np.ndarray, xi: float, beta: float, tol: float = 1e-7) -> bool:
    """Float version of :func:`is_unique_optimum` for a float fit.

    Columns with ``|ãᵢᵀr| ≥ β(1 − tol)`` count as tied. With ``w_i = s_i z_i`` on the tied set and
    ``B = [s_i ã_i]``, every optimum is a ``w ≥ 0`` with ``B w = B w*``; the optimum is unique iff
    no such ``w`` puts weight where ``w*`` has none (the support of ``w*`` is independent). One LP
    with as many variables as tied columns and ``N`` equality rows (HiGHS) decides it.

    Parameters
    ----------
    A : ndarray (N, M)
    y : ndarray (N,)
    z : ndarray (M,)
        A float optimum.
    xi : float
    beta : float
    tol : float
        Relative margin for a column to count as tied.

    Returns
    -------
    bool

    Examples
    --------
    >>> A = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 2.0]])
    >>> is_unique_within_tolerance(A, np.array([0.0, 1.0, 3.0]), np.array([1.45, 0.0]), -7 / 60, 0.1)
    False
    """
    from scipy.optimize import linprog

    centred = A - A.mean(axis=0)
    residual = y - A @ z - xi
    correlations = centred.T @ residual / beta
    tied = np.flatnonzero((np.abs(correlations) >= 1 - tol) & np.any(centred != 0, axis=0))
    if tied.size == 0:
        return True
    signs = np.sign(correlations[tied])
    block = centred[:, tied] * signs
    weights = np.maximum(signs * z[tied], 0.0)
    scale = max(1.0, float(weights.sum()))
    outside = weights <= tol * scale
    if not outside.any():
        return np.linalg.matrix_rank(block) == tied.size
    objective = -outside.astype(np.float64)
    result = linprog(objective, A_eq=block, b_eq=block @ weights, bounds=(0, None), method="highs")
    return not (result.status == 0 and -result.fun > 1e-6 * scale)


def _is_point(face: _Face) -> bool:
    if not face.kernel:
        return True
    from mirrorlib.groundtruth._cdd import maximise

    k = len(face.kernel)
    zero, one = Fraction(0), Fraction(1)
    at_zero = [i for i, v in enumerate(face.optimum) if v == 0]
    directions = [tuple(b[i] for b in face.kernel) for i in at_zero]  # (N d)_i as a form in d
    constraints = [(zero, *row) for row in directions]
    total = tuple(sum((row[c] for row in directions), zero) for c in range(k))
    constraints.append((one, *(-t for t in total)))  # Σ (N d)_i ≤ 1
    result = maximise((zero, *total), constraints, k)
    return result.status == "optimal" and result.value == 0


def _vertex_estimate(facets: int, dimension: int) -> int:
    """McMullen's upper bound on the vertices of a ``dimension``-polytope with ``facets`` facets."""
    if dimension <= 0:
        return 1
    half_down, half_up = dimension // 2, (dimension + 1) // 2
    return comb(facets - half_up, half_down) + comb(facets - half_down - 1, half_up - 1)


def optimal_set(A: object, y: object, beta: object, *, max_vertices: int = MAX_VERTICES) -> OptimalSet:
    """All optima of ``min ½‖A z + ξ1 − y‖² + β‖z‖₁`` (``beta=None``: the β → 0⁺ limit).

    Parameters
    ----------
    A, y, beta
        As for :func:`mirrorlib.lasso.solve_lasso_exact` (exact rationals).
    max_vertices : int
        Refuse (``ValueError``) when the upper-bound-theorem estimate of the number of
        vertices exceeds this.

    Returns
    -------
    OptimalSet
        Vertices, dimension, uniqueness and the minimum-ℓ2 optimum, all exact.

    Examples
    --------
    >>> optimum = optimal_set([[1, 1], [2, 2], [0, 0]], [1, 2, 0], '1/10')
    >>> len(optimum.vertices), optimum.is_unique
    (2, False)
    """
    solution = solve_lasso_exact(A, y, beta)
    face, means = _face(A, solution.z, solution.dual)
    if _is_point(face):
        return OptimalSet(solution, face.equicorrelated, 0, (solution.z,), solution.z, means)
    k = len(face.kernel)
    estimate = _vertex_estimate(len(face.optimum), k)
    if estimate > max_vertices:
        raise ValueError(
            f"the optimal set is a polytope of dimension ≤ {k} with {len(face.optimum)} facets, which may have up to "
            f"{estimate:,} vertices (limit max_vertices={max_vertices:,}); use a distinct library or a larger β, or raise max_vertices"
        )
    from mirrorlib.groundtruth._cdd import minimal_face_points

    constraints = [(base, *(b[i] for b in face.kernel)) for i, base in enumerate(face.optimum)]
    vertices_w = sorted(face.w_of(d) for d in minimal_face_points(constraints, k))
    vertices = tuple(face.z_of(w) for w in vertices_w)
    nearest = face.z_of(_min_norm_point(vertices_w))
    dimension = _affine_dimension(vertices_w)
    return OptimalSet(solution, face.equicorrelated, dimension, vertices, nearest, means)


def _affine_dimension(points: Sequence[Vector]) -> int:
    from mirrorlib.numbers.linalg import rank

    base = points[0]
    differences = [[a - b for a, b in zip(point, base)] for point in points[1:]]
    return rank(differences) if differences else 0


def _min_norm_point(points: Sequence[Vector]) -> Vector:
    """The point of minimum Euclidean norm in ``conv(points)``, exactly (Wolfe's algorithm).

    Examples
    --------
    >>> from fractions import Fraction as F
    >>> [str(v) for v in _min_norm_point([(F(2), F(0)), (F(0), F(2))])]
    ['1', '1']
    """

    def dot(u: Sequence[Fraction], v: Sequence[Fraction]) -> Fraction:
        return sum((a * b for a, b in zip(u, v)), Fraction(0))

    start = min(range(len(points)), key=lambda i: dot(points[i], points[i]))
    corral, weights = [start], [Fraction(1)]
    while True:
        x = tuple(sum((w * points[i][c] for i, w in zip(corral, weights)), Fraction(0)) for c in range(len(points[0])))
        best = min(range(len(points)), key=lambda i: dot(x, points[i]))
        if dot(x, points[best]) >= dot(x, x) or best in corral:
            return x
        corral, weights = corral + [best], weights + [Fraction(0)]
        while True:  # minor cycle: move toward the affine minimiser of the corral, dropping points
            affine = _affine_minimiser([points[i] for i in corral])
            if all(v > 0 for v in affine):
                weights = list(affine)
                break
            theta = min(w / (w - a) for w, a in zip(weights, affine) if a <= 0 and w != a)
            weights = [(1 - theta) * w + theta * a for w, a in zip(weights, affine)]
            kept = [(i, w) for i, w in zip(corral, weights) if w > 0]
            corral, weights = [i for i, _ in kept], [w for _, w in kept]


def _affine_minimiser(points: Sequence[Vector]) -> Vector:
    """Coefficients ``μ`` (``Σμ = 1``) of the minimum-norm point of the affine hull of ``points``."""
    from mirrorlib.numbers.linalg import solve

    size = len(points)
    gram = [[sum((a * b for a, b in zip(p, q)), Fraction(0)) for q in points] for p in points]
    system = [[*row, Fraction(1)] for row in gram] + [[Fraction(1)] * size + [Fraction(0)]]
    rhs = [Fraction(0)] * size + [Fraction(1)]
    return tuple(solve(system, rhs)[:size])
