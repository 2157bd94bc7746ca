"""The exact Lasso solution on the support and signs a float solution predicts.

For β > 0, a Lasso point with support ``S`` and signs ``s_S`` is optimal exactly when (theory
§2, with centred columns ``Ã`` and labels ``ỹ``)

    ``Ã_SᵀÃ_S z_S = Ã_Sᵀỹ − β s_S``,  ``sign(z_S) = s_S``  and  ``|Ãᵀ(ỹ − Ã_S z_S)| ≤ β``

(the intercept is then ``ξ = ȳ − m_Sᵀz_S`` for the column means ``m``). A float solution
(:func:`~mirrorlib.lasso.active_set.solve_lasso`) nearly always has the right ``S`` and
``s_S``, so one exact solve of the ``|S| × |S|`` system and one exact product ``Ãᵀr`` give
the exact optimum, where the homotopy (:mod:`mirrorlib.lasso.homotopy`) follows every knot
of the path from β_max down. When the guess is off at the float solver's tolerance, the guess
is refined like an active-set method: coefficients whose exact sign disagrees leave ``S``,
columns with ``|ãᵢᵀr| > β`` join it with the sign of ``ãᵢᵀr``. A guess that does not
settle within :data:`REFINEMENTS` steps, or whose support has linearly dependent centred
columns, is given up (``None``): the caller then runs the homotopy.

Whatever the guess, a returned point satisfies the three conditions above exactly, so it
is an exact optimum; :func:`~mirrorlib.lasso.homotopy.solve_lasso_exact` re-checks it with
:func:`~mirrorlib.lasso.certificate.certify_lasso`.

References
----------
The optimality conditions are those of the Lasso's subgradient (e.g. Tibshirani, "The lasso
problem and uniqueness", Electron. J. Statist. 7 (2013), Lemma 1); the refinement is the
primal active-set idea of Osborne, Presnell and Turlach (IMA J. Numer. Anal. 20 (2000)).
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction

import numpy as np

from mirrorlib.lasso.certificate import _objective
from mirrorlib.lasso.solutions import ExactLassoSolution, PathKnot
from mirrorlib.numbers.linalg import ExactMatrix, Scalar, solve_scalars, SingularMatrixError, to_fraction, to_scalar

__all__ = ["REFINEMENTS", "solve_from_guess", "support_guess"]

REFINEMENTS = 8
"""Exact solves tried from one guess before it is given up."""


def support_guess(guess: object, n_features: int) -> dict[int, int]:
    """``{i: sign(z_i)}`` over the non-zero entries of a float guess ``z``.

    Parameters
    ----------
    guess : array-like
        ``M`` finite floats (e.g. ``solve_lasso(A, y, β).z``).
    n_features : int
        ``M``, the number of columns.

    Returns
    -------
    dict
        Column index to ``±1``.

    Raises
    ------
    ValueError
        When ``guess`` is not ``M`` finite numbers (the message names ``guess``).

    Examples
    --------
    >>> support_guess([0.0, -0.25, 0.0, 3.0], 4)
    {1: -1, 3: 1}
    """
    try:
        values = np.asarray(guess, dtype=np.float64)
    except (TypeError, ValueError):
        raise ValueError(f"guess must be {n_features} floats (one per column of A), got {type(guess).__name__}") from None
    if values.shape != (n_features,) or not np.isfinite(values).all():
        raise ValueError(f"guess must be {n_features} finite floats (one per column of A), got shape {values.shape}")
    return {int(i): 1 if values[i] > 0 else -1 for i in np.flatnonzero(values)}


def solve_from_guess(matrix: ExactMatrix, labels: Sequence[Fraction], beta: Fraction, signs: dict[int, int]) -> ExactLassoSolution | None:
    """The exact Lasso optimum on the support and signs ``signs`` (refined), or None.

    Parameters
    ----------
    matrix : ExactMatrix
        ``A`` (N × M).
    labels : sequence of Fraction
        ``y``.
    beta : Fraction
        β > 0.
    signs : dict
        The guessed support and signs (:func:`support_guess`).

    Returns
    -------
    ExactLassoSolution or None
        The optimum (its ``path`` is its own knot only), or None when the guess did not settle
        within :data:`REFINEMENTS` exact solves or met linearly dependent centred columns.

    Examples
    --------
    >>> A = ExactMatrix([[Fraction(v) for v in row] for row in [[0, 1], [1, 0], [2, 1], [3, 0]]])
    >>> y = [Fraction(0), Fraction(1), Fraction(5, 2), Fraction(3)]
    >>> solution = solve_from_guess(A, y, Fraction(1, 10), {0: 1})
    >>> solution.z, solution.xi
    ((Fraction(43, 40), Fraction(9, 40)), Fraction(-1, 10))
    """
    n = matrix.nrows
    y_mean = sum(labels, Fraction(0)) / n
    centred_labels = [to_scalar(v - y_mean) for v in labels]
    threshold = to_scalar(beta)
    current = dict(signs)
    for _ in range(REFINEMENTS):
        support = sorted(current)
        columns = [matrix.column(j) for j in support]
        means = [sum(column, to_scalar(0)) / n for column in columns]
        centred = ExactMatrix.from_scalar_columns([[v - mean for v in column] for column, mean in zip(columns, means)], n)
        try:
            values = _reduced_solution(centred, centred_labels, [threshold * current[j] for j in support])
        except SingularMatrixError:
            return None
        disagree = [j for j, v in zip(support, values) if (v > 0) - (v < 0) != current[j]]
        if disagree:
            for j in disagree:
                del current[j]
            continue
        residual = [r - f for r, f in zip(centred_labels, centred.matvec(values))]
        correlations = matrix.rmatvec_scaled(residual)
        bound = threshold * correlations.denominator
        violators = {j: correlations.sign(j) for j, c in enumerate(correlations.numerators) if abs(c) > bound}
        if not violators:
            xi = y_mean - sum((to_fraction(m * v) for m, v in zip(means, values)), Fraction(0))
            beta_max = matrix.rmatvec_scaled(centred_labels).max_abs()
            return _solution(matrix, beta, support, [to_fraction(v) for v in values], xi, residual, beta_max)
        current.update(violators)
    return None


def _reduced_solution(centred: ExactMatrix, centred_labels: list[Scalar], penalties: list[Scalar]) -> list[Scalar]:
    """``z_S`` with ``Ã_SᵀÃ_S z_S = Ã_Sᵀỹ − β s_S`` for ``centred = Ã_S`` (``SingularMatrixError`` when singular)."""
    right = [c - p for c, p in zip(centred.rmatvec(centred_labels), penalties)]
    return solve_scalars(centred.gram(), right)


def _solution(
    matrix: ExactMatrix, beta: Fraction, support: list[int], values: list[Fraction], xi: Fraction, residual: list[Scalar], beta_max: Scalar
) -> ExactLassoSolution:
    """The :class:`ExactLassoSolution` of an optimum found from a guess (its path: its own knot)."""
    z = [Fraction(0)] * matrix.ncols
    for j, v in zip(support, values):
        z[j] = v
    exact_residual = [to_fraction(r) for r in residual]
    return ExactLassoSolution(
        z=tuple(z),
        xi=xi,
        beta=beta,
        objective=_objective(exact_residual, values, beta),
        support=tuple(support),
        path=(PathKnot(beta=beta, xi=xi, support=tuple(support), values=tuple(values), n_features=matrix.ncols),),
        dual=tuple(r / beta for r in exact_residual),
        beta_max=to_fraction(beta_max),
    )
