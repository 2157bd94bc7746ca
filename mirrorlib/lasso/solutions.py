"""Results of the Lasso solvers ``min ½‖A z + ξ1 − y‖² + β‖z‖₁`` (theory §2).

Lasso solvers: an exact rational homotopy (LARS-Lasso) path and a fast float64 solver.

Problem (docs/theory.md §2), with ``A ∈ R^{N×M}``, ``y ∈ R^N``, ``β > 0``::

    min over z ∈ R^M, ξ ∈ R of   P(z, ξ) = ½‖A z + ξ1 − y‖² + β‖z‖₁ .

The intercept ξ is not penalised, so it is eliminated by centring: with ``Ã = A − 1·(column
means)`` and ``ỹ = y − ȳ1`` the problem in ``z`` is ``½‖Ã z − ỹ‖² + β‖z‖₁`` and
``ξ = mean(y − A z)``. Optimality (KKT): the residual ``r = y − A z − ξ1 = ỹ − Ã z`` has
``1ᵀr = 0``, correlations ``c = Aᵀr = Ãᵀr`` with ``|c_i| ≤ β`` and ``c_i = β·sign(z_i)`` where
``z_i ≠ 0``. The scaled residual ``λ = r/β`` is the dual solution.
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

import numpy as np

__all__ = ["BETA_TO_ZERO", "PathKnot", "ExactLassoSolution", "FloatLassoSolution"]

BETA_TO_ZERO = None
"""Sentinel for ``solve_lasso_exact(A, y, beta=BETA_TO_ZERO)``: the β → 0⁺ limit."""



# --------------------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PathKnot:
    """One knot of the exact homotopy path: the solution at penalty ``beta``.

    Between consecutive knots the solution is the affine interpolation in β. ``beta`` is
    ``0`` for the endpoint of a β → 0⁺ path. ``support``/``values`` give ``z`` sparsely;
    :attr:`z` is the dense vector.

    Examples
    --------
    >>> from mirrorlib.lasso import solve_lasso_exact
    >>> knot = solve_lasso_exact([[0], [1], [2]], [0, 1, 2], Fraction(1, 2)).path[0]
    >>> knot.beta, knot.support
    (Fraction(2, 1), ())
    """

    beta: Fraction
    xi: Fraction
    support: tuple[int, ...]
    values: tuple[Fraction, ...]
    n_features: int

    @property
    def z(self) -> tuple[Fraction, ...]:
        """The dense coefficient vector (length ``n_features``)."""
        dense = [Fraction(0)] * self.n_features
        for index, value in zip(self.support, self.values):
            dense[index] = value
        return tuple(dense)


@dataclass(frozen=True)
class ExactLassoSolution:
    """Exact solution of the Lasso with unpenalised intercept (all numbers are Fractions).

    Attributes
    ----------
    z, xi:
        Coefficients (length M) and intercept ξ.
    beta:
        The penalty β, or ``None`` for the β → 0⁺ limit.
    objective:
        ``½‖y − A z − ξ1‖² + β‖z‖₁`` exactly (β = 0 for the limit).
    support:
        Indices ``i`` with ``z_i ≠ 0`` (their centred columns are linearly independent).
    path:
        Knots from ``β_max`` (where ``z = 0``) down to ``beta`` in strictly decreasing β; the
        last knot is this solution. If ``beta ≥ β_max`` the path is the single knot at ``beta``.
    dual:
        For β > 0 the dual solution ``λ = r/β`` (``1ᵀλ = 0``, ``|Aᵀλ| ≤ 1``). For the limit, the
        minimum-ℓ1 certificate ``λ`` (``1ᵀλ = 0``, ``|Aᵀλ| ≤ 1``, ``a_iᵀλ = sign z_i`` on the support).
    beta_max:
        The smallest β with solution ``z = 0``: ``max_i |a_iᵀ(y − ȳ1)|``.

    Examples
    --------
    >>> from mirrorlib.lasso import solve_lasso_exact
    >>> solution = solve_lasso_exact([[0], [1], [2]], [0, 1, 2], Fraction(1, 2))
    >>> solution.z, solution.xi, solution.objective
    ((Fraction(3, 4),), Fraction(1, 4), Fraction(7, 16))
    """

    z: tuple[Fraction, ...]
    xi: Fraction
    beta: Fraction | None
    objective: Fraction
    support: tuple[int, ...]
    path: tuple[PathKnot, ...]
    dual: tuple[Fraction, ...]
    beta_max: Fraction


@dataclass(frozen=True)
class FloatLassoSolution:
    """Float64 Lasso solution with its duality gap.

    ``duality_gap`` bounds the suboptimality: ``objective − P* ≤ duality_gap``;
    ``relative_gap = duality_gap / objective``. ``gap_floor`` is the float64 rounding-error level
    of the computed gap; ``converged`` is ``relative_gap ≤ tol or duality_gap ≤ gap_floor``.
    ``n_iter`` counts coordinate-descent epochs plus active-set steps (plus the working-set rounds
    of a cold start over many columns, see :func:`~mirrorlib.lasso.solve_lasso`). ``z`` is read-only.

    Examples
    --------
    >>> from mirrorlib.lasso import solve_lasso
    >>> solution = solve_lasso([[0.0], [1.0], [2.0]], [0.0, 1.0, 2.0], 0.5)
    >>> solution.z.round(6), round(solution.xi, 6), solution.relative_gap < 1e-10
    (array([0.75]), 0.25, True)
    """

    z: np.ndarray
    xi: float
    beta: float
    objective: float
    duality_gap: float
    relative_gap: float
    gap_floor: float
    n_iter: int
    converged: bool
