"""Optimality certificates for the Lasso with an unpenalised intercept.

Problem (docs/theory.md §2), with ``A ∈ R^{N×M}``, ``y ∈ R^N``, ``β > 0``::

    P(z, ξ) = ½‖A z + ξ1 − y‖² + β‖z‖₁ .

``(z, ξ)`` is optimal iff the residual ``r = y − A z − ξ1`` satisfies the KKT conditions

* (intercept)          ``1ᵀ r = 0``;
* (dual feasibility)   ``|a_iᵀ r| ≤ β`` for every column ``i``;
* (support)            ``a_iᵀ r = β·sign(z_i)`` wherever ``z_i ≠ 0``.

The dual problem is ``max_λ λᵀy − ½‖λ‖²`` subject to ``1ᵀλ = 0``, ``|Aᵀλ| ≤ β``; at the optimum
``λ = r``. For any ``(z, ξ)`` the scaled centred residual ``θ = s·(r − r̄1)``,
``s = min(1, β / max_i |a_iᵀ(r − r̄1)|)``, is dual feasible, and the duality gap
``P(z, ξ) − D(θ)`` equals (a sum of non-negative terms, evaluated in this stable form)::

    gap = ½(1 − s)²‖r_c‖² + ½N r̄² + Σ_i |z_i|·(β − s·sign(z_i)·a_iᵀ r_c) ,

with ``r_c = r − r̄1``. It is zero iff ``(z, ξ)`` is optimal.

The β → 0⁺ limit (``beta=None``). Lasso solutions converge, as β → 0⁺, to least-squares
solutions of minimum ℓ1 norm. :func:`certify_lasso` with ``beta=None`` certifies exactly that:

* least squares: ``1ᵀ r = 0`` and ``Aᵀ r = 0`` (so ``A z + ξ1`` is the projection of ``y``;
  ``r = 0`` when ``y`` can be interpolated);
* minimum ℓ1 norm among all least-squares solutions, by a dual vector ``λ`` (an LP
  certificate): ``1ᵀλ = 0``, ``|a_iᵀλ| ≤ 1`` for all ``i`` and ``a_iᵀλ = sign(z_i)`` where
  ``z_i ≠ 0``. Then for every least-squares ``z'`` (``A z' + ξ'1 = A z + ξ1``):
  ``‖z'‖₁ ≥ λᵀA z' = λᵀA z = ‖z‖₁``. Pass ``dual=λ`` (``solve_lasso_exact`` returns it as
  ``solution.dual``); otherwise the candidate ``λ`` of minimum norm in the span of the centred
  support columns with ``a_iᵀλ = sign(z_i)`` on the support is tried.

``beta=0`` certifies plain least-squares optimality (the β = 0 problem has every
least-squares solution as a minimiser).

The same duality gap in float64, with its rounding floor, is :mod:`mirrorlib.lasso.float_certificate`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from mirrorlib.numbers.exact import format_rational, to_rational, to_rational_vector
from mirrorlib.numbers.linalg import ExactMatrix, exact_matrix, least_squares, to_fraction, to_scalar

__all__ = ["LassoCertificate", "certify_lasso", "lasso_objective"]

_MAX_LISTED = 8  # indices listed per failure message


@dataclass(frozen=True)
class LassoCertificate:
    """Exact KKT check of a candidate Lasso solution ``(z, ξ)`` (all numbers are Fractions).

    Attributes
    ----------
    is_optimal:
        True iff every certified condition holds exactly (see the module docstring; for
        ``beta=None`` it includes the minimum-ℓ1 dual certificate).
    beta:
        The penalty β, or ``None`` for the β → 0⁺ limit.
    residual:
        ``r = y − A z − ξ1``.
    correlations:
        ``a_iᵀ r`` for every column ``i``.
    intercept_violation:
        ``|1ᵀ r|``.
    dual_feasibility_violation:
        ``max(0, max_i |a_iᵀ r| − β)`` (β = 0 in the limit mode).
    support_violation:
        ``max_{z_i ≠ 0} |a_iᵀ r − β·sign(z_i)|`` (0 for an empty support).
    objective:
        ``½‖r‖² + β‖z‖₁`` (β = 0 in the limit mode).
    duality_gap:
        ``P(z, ξ) − D(θ)`` for the scaled dual point θ (module docstring), exact; zero iff
        optimal. ``None`` when β = 0 and in the limit mode.
    dual:
        The λ used for the minimum-ℓ1 certificate in the limit mode, else ``None``.
    dual_certificate_violation:
        Limit mode only: ``max(|1ᵀλ|, max_i(|a_iᵀλ| − 1)⁺, max_{z_i≠0}|a_iᵀλ − sign z_i|)``.
    failures:
        Human-readable descriptions of every failed condition, naming indices.
    certified:
        One sentence stating what ``is_optimal`` certifies.

    Examples
    --------
    >>> certificate = certify_lasso([[0, 1], [1, 0], [2, 0]], [0, 1, 1], [Fraction(0), Fraction(0)], Fraction(2, 3), Fraction(1))
    >>> certificate.is_optimal, certificate.residual
    (True, (Fraction(-2, 3), Fraction(1, 3), Fraction(1, 3)))
    """

    is_optimal: bool
    beta: Fraction | None
    residual: tuple[Fraction, ...]
    correlations: tuple[Fraction, ...]
    intercept_violation: Fraction
    dual_feasibility_violation: Fraction
    support_violation: Fraction
    objective: Fraction
    duality_gap: Fraction | None
    dual: tuple[Fraction, ...] | None
    dual_certificate_violation: Fraction | None
    failures: tuple[str, ...]
    certified: str


# --------------------------------------------------------------------------------------
# Exact
# --------------------------------------------------------------------------------------


def lasso_objective(
    A: object, y: object, z: object, xi: object, beta: object
) -> Fraction:
    """Exact objective ``½‖y − A z − ξ1‖² + β‖z‖₁`` (``beta=None`` means β = 0).

    Parameters
    ----------
    A : array-like (N, M)
    y : array-like (N,)
    z : array-like (M,)
    xi : number
    beta : number or None

    Returns
    -------
    Fraction

    Examples
    --------
    >>> lasso_objective([[0], [1], [2]], [0, 1, 2], [1], 0, '1/10')
    Fraction(1, 10)
    """
    matrix, yv, zv, xiv, betav = _exact_inputs(A, y, z, xi, beta)
    residual = _residual(matrix, yv, zv, xiv)
    return _objective(residual, zv, betav or Fraction(0))


def certify_lasso(
    A: object,
    y: object,
    z: object,
    xi: object,
    beta: object,
    *,
    dual: object | None = None,
) -> LassoCertificate:
    """Check the Lasso KKT conditions for ``(z, ξ)`` in exact rational arithmetic.

    Parameters
    ----------
    A:
        ``N × M`` matrix (rows of numbers, or a numpy array; converted exactly), or an
        already converted :class:`mirrorlib.numbers.linalg.ExactMatrix`.
    y:
        ``N`` labels.
    z, xi:
        The candidate coefficients (length ``M``) and intercept ξ.
    beta:
        β ≥ 0, or ``None`` for the β → 0⁺ limit (see the module docstring).
    dual:
        Limit mode only: the dual vector λ (length ``N``) certifying minimum ℓ1 norm.

    Returns
    -------
    LassoCertificate
        ``is_optimal`` is True iff the conditions hold exactly; ``failures`` says which fail.

    Examples
    --------
    >>> certify_lasso([[0], [1], [2]], [0, 1, 2], ['19/20'], '1/20', '1/10').is_optimal
    True
    >>> certify_lasso([[0], [1], [2]], [0, 1, 2], [1], 0, '1/10').is_optimal
    False
    """
    matrix, yv, zv, xiv, betav = _exact_inputs(A, y, z, xi, beta)
    limit = betav is None
    b = Fraction(0) if betav is None else betav
    residual = _residual(matrix, yv, zv, xiv)
    correlations = tuple(matrix.rmatvec_fractions(residual))
    failures: list[str] = []

    intercept = abs(sum(residual, Fraction(0)))
    if intercept:
        failures.append(f"intercept: 1ᵀr = {format_rational(sum(residual, Fraction(0)))} ≠ 0 (ξ is not the optimal intercept)")

    too_big = [i for i, c in enumerate(correlations) if abs(c) > b]
    feasibility = max((abs(correlations[i]) - b for i in too_big), default=Fraction(0))
    if too_big:
        failures.append(
            f"dual feasibility: |a_iᵀr| > β = {format_rational(b)} at column(s) "
            + _list_indices(too_big, lambda i: f"{i} (a_iᵀr = {format_rational(correlations[i])})")
        )

    support = [i for i, v in enumerate(zv) if v != 0]
    wrong = [i for i in support if correlations[i] != b * _sign(zv[i])]
    support_violation = max((abs(correlations[i] - b * _sign(zv[i])) for i in wrong), default=Fraction(0))
    if wrong:
        failures.append(
            "support: a_iᵀr ≠ β·sign(z_i) at column(s) "
            + _list_indices(
                wrong,
                lambda i: f"{i} (z_i = {format_rational(zv[i])}, a_iᵀr = {format_rational(correlations[i])})",
            )
        )

    gap = None if b == 0 else _exact_duality_gap(matrix, residual, correlations, zv, b)
    lam: tuple[Fraction, ...] | None = None
    dual_violation: Fraction | None = None
    if limit:
        lam, dual_violation, dual_failures = _limit_dual_certificate(matrix, zv, support, dual)
        failures.extend(dual_failures)
        certified = (
            "β→0⁺ limit: (z, ξ) is a least-squares solution (1ᵀr = 0, Aᵀr = 0) and λ certifies that "
            "‖z‖₁ is minimal among all least-squares solutions"
        )
    elif b == 0:
        certified = "β = 0: (z, ξ) is a least-squares solution (1ᵀr = 0, Aᵀr = 0)"
    else:
        certified = "(z, ξ) minimises ½‖Az + ξ1 − y‖² + β‖z‖₁ (exact KKT conditions)"

    return LassoCertificate(
        is_optimal=not failures,
        beta=betav,
        residual=residual,
        correlations=correlations,
        intercept_violation=intercept,
        dual_feasibility_violation=feasibility,
        support_violation=support_violation,
        objective=_objective(residual, zv, b),
        duality_gap=gap,
        dual=lam,
        dual_certificate_violation=dual_violation,
        failures=tuple(failures),
        certified=certified,
    )


def _limit_dual_certificate(
    matrix: ExactMatrix,
    z: tuple[Fraction, ...],
    support: list[int],
    dual: object | None,
) -> tuple[tuple[Fraction, ...], Fraction, list[str]]:
    """Check (or construct, then check) the minimum-ℓ1 dual vector λ of the β → 0⁺ limit."""
    n = matrix.nrows
    if dual is None:
        lam = _candidate_limit_dual(matrix, z, support)
        origin = "candidate λ (minimum norm, span of centred support columns)"
    else:
        lam = to_rational_vector(dual, name="dual")  # type: ignore[arg-type]
        if len(lam) != n:
            raise ValueError(f"dual must have one entry per data point (N = {n}), got {len(lam)}")
        origin = "dual λ"
    failures: list[str] = []
    total = sum(lam, Fraction(0))
    corr = matrix.rmatvec_fractions(lam)
    violation = abs(total)
    if total:
        failures.append(f"{origin}: 1ᵀλ = {format_rational(total)} ≠ 0")
    over = [i for i, c in enumerate(corr) if abs(c) > 1]
    if over:
        violation = max(violation, max(abs(corr[i]) - 1 for i in over))
        failures.append(f"{origin}: |a_iᵀλ| > 1 at column(s) " + _list_indices(over, str))
    wrong = [i for i in support if corr[i] != _sign(z[i])]
    if wrong:
        violation = max(violation, max(abs(corr[i] - _sign(z[i])) for i in wrong))
        failures.append(f"{origin}: a_iᵀλ ≠ sign(z_i) at support column(s) " + _list_indices(wrong, str))
    if failures and dual is None:
        failures.append("minimality of ‖z‖₁ not certified: pass dual=λ (solve_lasso_exact returns it as .dual)")
    return lam, violation, failures


def _candidate_limit_dual(
    matrix: ExactMatrix, z: tuple[Fraction, ...], support: list[int]
) -> tuple[Fraction, ...]:
    """Minimum-norm λ in the span of the centred support columns with ãᵢᵀλ = sign(z_i)."""
    n = matrix.nrows
    if not support:
        return tuple(Fraction(0) for _ in range(n))
    columns = [[to_fraction(v) for v in matrix.column(i)] for i in support]
    centred_t = [[v - sum(col, Fraction(0)) / n for v in col] for col in columns]
    return least_squares(centred_t, [_sign(z[i]) for i in support])


def _exact_duality_gap(
    matrix: ExactMatrix,
    residual: tuple[Fraction, ...],
    correlations: tuple[Fraction, ...],
    z: tuple[Fraction, ...],
    beta: Fraction,
) -> Fraction:
    """Exact gap ``P(z, ξ) − D(θ)`` (β > 0) in the stable form of the module docstring.

    ``correlations`` are ``a_iᵀ r``; those of the centred residual ``r_c = r − r̄1`` are
    ``a_iᵀ r − r̄·1ᵀa_i``.
    """
    n = len(residual)
    mean = sum(residual, Fraction(0)) / n
    if mean == 0:
        return _gap_from_parts(residual, correlations, z, beta, mean)
    column_sums = matrix.rmatvec_fractions([Fraction(1)] * n)
    centred = [v - mean for v in residual]
    centred_corr = [c - mean * t for c, t in zip(correlations, column_sums)]
    return _gap_from_parts(centred, centred_corr, z, beta, mean)


def _gap_from_parts(
    centred_residual: Sequence[Fraction],
    centred_correlations: Sequence[Fraction],
    z: Sequence[Fraction],
    beta: Fraction,
    mean: Fraction,
) -> Fraction:
    """``½(1−s)²‖r_c‖² + ½N r̄² + Σ|z_i|(β − s·sign(z_i)·c_i)``, ``s = min(1, β/max|c|)``."""
    n = len(centred_residual)
    largest = max((abs(c) for c in centred_correlations), default=Fraction(0))
    s = Fraction(1) if largest <= beta else beta / largest
    norm2 = sum((v * v for v in centred_residual), Fraction(0))
    gap = (1 - s) ** 2 * norm2 / 2 + n * mean * mean / 2
    for zi, ci in zip(z, centred_correlations):
        if zi:
            gap += abs(zi) * (beta - s * _sign(zi) * ci)
    return gap


# --------------------------------------------------------------------------------------
# Helpers
# --------------------------------------------------------------------------------------


def _sign(value: Fraction) -> int:
    return (value > 0) - (value < 0)


def _list_indices(indices: list[int], describe: object) -> str:
    shown = ", ".join(describe(i) for i in indices[:_MAX_LISTED])  # type: ignore[operator]
    more = len(indices) - _MAX_LISTED
    return shown + (f" and {more} more" if more > 0 else "")


def _residual(
    matrix: ExactMatrix, y: tuple[Fraction, ...], z: tuple[Fraction, ...], xi: Fraction
) -> tuple[Fraction, ...]:
    """``r = y − A z − ξ1`` exactly."""
    fit = matrix.matvec([to_scalar(v) for v in z])
    return tuple(yi - xi - to_fraction(f) for yi, f in zip(y, fit))


def _objective(residual: Sequence[Fraction], z: Sequence[Fraction], beta: Fraction) -> Fraction:
    return sum((v * v for v in residual), Fraction(0)) / 2 + beta * sum((abs(v) for v in z if v), Fraction(0))


def _exact_inputs(
    A: object, y: object, z: object, xi: object, beta: object
) -> tuple[ExactMatrix, tuple[Fraction, ...], tuple[Fraction, ...], Fraction, Fraction | None]:
    """Validate and convert the certificate inputs exactly (``A`` may be an ExactMatrix)."""
    matrix = exact_matrix(A)
    n, m = matrix.nrows, matrix.ncols
    yv = to_rational_vector(_flat(y), name="y")  # type: ignore[arg-type]
    zv = to_rational_vector(_flat(z), name="z")  # type: ignore[arg-type]
    if len(yv) != n:
        raise ValueError(f"y has {len(yv)} entries but A has {n} rows; give one label per row of A")
    if len(zv) != m:
        raise ValueError(f"z has {len(zv)} entries but A has {m} columns; give one coefficient per column")
    xiv = to_rational(xi, name="xi")
    if beta is None:
        return matrix, yv, zv, xiv, None
    betav = to_rational(beta, name="beta")
    if betav < 0:
        raise ValueError(f"beta must be ≥ 0 (or None for the β→0⁺ limit), got {format_rational(betav)}")
    return matrix, yv, zv, xiv, betav


def _flat(values: object) -> object:
    if type(values).__module__ == "numpy":
        arr = np.asarray(values)
        if arr.ndim != 1:
            raise ValueError(f"expected a 1-D vector, got an array of shape {arr.shape}")
        return arr.tolist()
    return values


