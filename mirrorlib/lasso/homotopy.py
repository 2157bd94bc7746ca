"""The exact Lasso path: rational homotopy (LARS-Lasso) from β_max down to β, or to β → 0⁺.

Exact homotopy (:func:`solve_lasso_exact`)
------------------------------------------
For ``β ≥ β_max = max_i |ãᵢᵀỹ|`` the solution is ``z = 0``. Below ``β_max`` the solution path is
piecewise affine in β. At a knot ``β_k`` with solution ``z_k`` (support ``P``, whose centred
columns are kept linearly independent) let ``E = {i : |c_i| = β_k}`` (the equicorrelation set,
``P ⊆ E``), ``s_i = sign(c_i)`` and ``b_i = s_i ã_i``. Moving to ``β = β_k − t`` along
``z = z_k + t d`` keeps the KKT conditions for small ``t > 0`` iff ``e_i = s_i d_i`` satisfies

    ``e_i ≥ 0`` for ``i ∈ E∖P``;  ``b_iᵀ B e ≥ 1`` for ``i ∈ E``, with equality where ``e_i ≠ 0``
    or ``i ∈ P`` (``B = [b_i]_{i∈E}``),

which are exactly the optimality conditions of the (partially) non-negative least-squares
problem ``min ‖B e − λ_k‖²`` over ``e_{E∖P} ≥ 0`` with ``λ_k = r_k/β_k`` (note ``b_iᵀλ_k = 1``).
It is solved exactly by the Lawson–Hanson active-set method, whose passive set stays linearly
independent in exact arithmetic (a column enters only with positive gradient ``b_jᵀρ > 0``,
impossible for ``b_j`` in the span of the passive columns since ``ρ ⊥`` that span). This is
how ties (several columns entering/leaving together), duplicate, ±collinear and zero columns
and singular Gram matrices are handled: the direction is always one that keeps the path
optimal. The fit direction ``u = B e`` is unique. Then ``r ← r − t u``, ``c ← c − t Ãᵀu``
and the step ``t`` is the first ``t > 0`` at which a coefficient reaches 0 or an inactive
correlation reaches ``±(β_k − t)``, or the target β is hit. Every step has ``t > 0``, and on
each piece ``z`` is the affine function of β fixed by the (independent) support and signs, so
knots are drawn from a finite set and the method terminates (no cycling).

The β → 0⁺ limit (``beta=None``) follows the path to β = 0: the endpoint is a least-squares
solution (an interpolant of ``ỹ`` when one exists) of minimum ℓ1 norm, and the last fit
direction ``u`` is a dual certificate for that minimality (``|Ãᵀu| ≤ 1``, ``ãᵢᵀu = sign z_i``
on the support); see :mod:`mirrorlib.lasso.certificate`.

Exact arithmetic is in python-flint (``fmpq``) via :mod:`mirrorlib.numbers.linalg`. To avoid ``O(NM)``
exact products per knot, a float64 copy of ``Ã`` with rigorous rounding-error bounds is used
only to *exclude* columns that cannot be tight or cannot stop the step; all decisions are
exact, and the result is re-certified (with a fully exact re-run as fallback).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction

import numpy as np

from mirrorlib.lasso.certificate import certify_lasso
from mirrorlib.lasso.guided import solve_from_guess, support_guess
from mirrorlib.lasso.solutions import BETA_TO_ZERO, ExactLassoSolution, PathKnot
from mirrorlib.numbers.exact import positive_beta, to_rational_vector
from mirrorlib.numbers.linalg import (
    ExactMatrix,
    Scalar,
    ScaledVector,
    dots,
    exact_matrix,
    solve_scalars,
    to_fraction,
    to_scalar,
)

__all__ = ["solve_lasso_exact"]

_EPS = float(np.finfo(np.float64).eps)


# --------------------------------------------------------------------------------------
# Exact homotopy
# --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _CentredProblem:
    """Centred, deduplicated data: ``matrix`` holds the distinct non-zero centred columns."""

    matrix: ExactMatrix
    columns: list[list[Scalar]]  # the columns of ``matrix``
    representatives: tuple[int, ...]  # original index of each column of ``matrix``
    y_centred: list[Scalar]
    y_mean: Fraction
    column_means: tuple[Fraction, ...]


@dataclass(frozen=True)
class _HomotopyResult:
    knots: list[tuple[Scalar, dict[int, Scalar]]]  # (β, z over columns of the centred matrix)
    dual: list[Scalar]
    beta_max: Scalar


def solve_lasso_exact(
    A: object,
    y: object,
    beta: object = BETA_TO_ZERO,
    *,
    certify: bool = True,
    max_knots: int | None = None,
    guess: object | None = None,
) -> ExactLassoSolution:
    """Solve ``min ½‖A z + ξ1 − y‖² + β‖z‖₁`` exactly by the rational homotopy path.

    Parameters
    ----------
    A:
        ``N × M`` dictionary: rows of numbers (Fractions, ints, floats — converted exactly —,
        strings like ``"3/4"``), a numpy array, or an
        :class:`~mirrorlib.numbers.linalg.ExactMatrix`. Duplicate, zero, constant, ±collinear
        columns and rank-deficient designs are all fine.
    y:
        ``N`` labels.
    beta:
        The penalty β > 0 (any exact rational), or ``None`` (:data:`BETA_TO_ZERO`) for the
        β → 0⁺ limit: the minimum-ℓ1 interpolant of ``y − ȳ1`` by the centred columns, or, if
        none exists, the minimum-ℓ1 least-squares solution.
    certify:
        Re-check the result with :func:`mirrorlib.lasso.certificate.certify_lasso` (exact KKT, and for
        the limit the minimum-ℓ1 dual certificate); a failure raises ``RuntimeError`` (it would
        be a bug). On by default.
    max_knots:
        Optional cap on the number of path knots (``RuntimeError`` when exceeded).
    guess:
        β > 0 only: a float solution (``M`` floats, e.g. ``solve_lasso(A, y, β).z``) whose
        support and signs are tried first (:mod:`mirrorlib.lasso.guided`): the exact point on
        them is solved for and refined, and returned when it is optimal; otherwise the
        homotopy runs. The result is exact either way; only the time differs.

    Returns
    -------
    ExactLassoSolution
        With ``z`` supported on columns whose centred versions are linearly independent; among
        duplicate columns the homotopy gives the weight to the first (a guess, to the one it
        weights). A solution found from ``guess`` has its own knot as its whole ``path``.

    Raises
    ------
    ValueError
        for ``beta ≤ 0``, NaN/inf, an empty ``A``, or ``len(y)`` ≠ number of rows of ``A``.
    TypeError
        for non-numeric input.

    Examples
    --------
    >>> solution = solve_lasso_exact([[0, 1], [1, 0], [2, 1], [3, 0]], [0, 1, '5/2', 3], '1/10')
    >>> solution.z, solution.xi, solution.objective
    ((Fraction(43, 40), Fraction(9, 40)), Fraction(-1, 10), Fraction(137, 800))
    >>> solve_lasso_exact([[0, 1], [1, 0], [2, 1], [3, 0]], [0, 1, '5/2', 3], '1/10', guess=[1.0, 0.2]).z
    (Fraction(43, 40), Fraction(9, 40))
    """
    matrix = exact_matrix(A)
    labels = _exact_labels(y, matrix.nrows)
    target = _exact_beta(beta)
    if max_knots is not None and (not isinstance(max_knots, int) or max_knots < 1):
        raise ValueError(f"max_knots must be a positive int or None, got {max_knots!r}")
    if guess is not None:
        if target is None:
            raise ValueError("guess needs beta > 0: the β → 0⁺ limit (beta=None) is found by the homotopy alone; drop guess")
        signs = support_guess(guess, matrix.ncols)
        guided = solve_from_guess(matrix, labels, target, signs)
        if guided is not None and (not certify or _certified(matrix, labels, guided)):
            return guided
    problem = _centre_and_deduplicate(matrix, labels)
    exact_target = None if target is None else to_scalar(target)
    solution = _assemble(problem, _homotopy(problem, exact_target, max_knots), matrix, labels, target)
    if certify and not _certified(matrix, labels, solution):
        # The float shadow only ever excludes columns with rigorous error bounds; should it
        # have been wrong, the fully exact evaluation is the fallback.
        result = _homotopy(problem, exact_target, max_knots, use_floats=False)
        solution = _assemble(problem, result, matrix, labels, target)
        certificate = certify_lasso(matrix, labels, solution.z, solution.xi, target, dual=solution.dual)
        if not certificate.is_optimal:  # pragma: no cover - would be a bug in the homotopy
            raise RuntimeError(
                "internal error: the exact homotopy result failed its KKT certificate: "
                + "; ".join(certificate.failures)
            )
    return solution


def _certified(matrix: ExactMatrix, labels: tuple[Fraction, ...], solution: ExactLassoSolution) -> bool:
    certificate = certify_lasso(matrix, labels, solution.z, solution.xi, solution.beta, dual=solution.dual)
    return certificate.is_optimal


def _exact_labels(y: object, n: int) -> tuple[Fraction, ...]:
    if type(y).__module__ == "numpy":
        arr = np.asarray(y)
        if arr.ndim != 1:
            raise ValueError(f"y must be one-dimensional (one label per row of A), got shape {arr.shape}")
        y = arr.tolist()
    labels = to_rational_vector(y, name="y")  # type: ignore[arg-type]
    if len(labels) != n:
        raise ValueError(f"y has {len(labels)} entries but A has {n} rows; give one label per row of A")
    return labels


def _exact_beta(beta: object) -> Fraction | None:
    return None if beta is None else positive_beta(beta, limit="beta=None (minimum-ℓ1 interpolant / least-squares solution)")


def _centre_and_deduplicate(full: ExactMatrix, labels: tuple[Fraction, ...]) -> _CentredProblem:
    """Centre columns and labels; keep one representative of each distinct non-zero column.

    Identical centred columns are interchangeable in the Lasso (same correlations; moving
    weight between them changes neither fit nor ℓ1 norm), and zero centred columns (constant
    columns) never enter for β > 0 nor change the fit, so both can be dropped. Duplicates are
    found by an exact fingerprint ``ãⱼᵀv`` (fixed integer ``v``) and confirmed entry by entry.
    """
    n = full.nrows
    centred, means = full.centre_columns()
    columns = centred.columns()
    probe = [to_scalar(1 + (7919 * i * i + 104729 * i) % 1_000_003) for i in range(n)]
    fingerprints = centred.rmatvec(probe) if centred.ncols else []
    buckets: dict[Scalar, list[int]] = {}
    representatives: list[int] = []
    for index, (column, fingerprint) in enumerate(zip(columns, fingerprints)):
        if not any(column):
            continue
        bucket = buckets.setdefault(fingerprint, [])
        if any(columns[other] == column for other in bucket):
            continue
        bucket.append(index)
        representatives.append(index)
    kept = [columns[j] for j in representatives]
    y_mean = sum(labels, Fraction(0)) / n
    return _CentredProblem(
        matrix=ExactMatrix.from_scalar_columns(kept, n),
        columns=kept,
        representatives=tuple(representatives),
        y_centred=[to_scalar(v - y_mean) for v in labels],
        y_mean=y_mean,
        column_means=tuple(to_fraction(m) for m in means),
    )


@dataclass(frozen=True)
class _FloatShadow:
    """A float64 copy of ``Ã`` used only to *exclude* columns rigorously.

    For a rational vector ``v`` rounded to floats, ``|fl(Ãᵀv)_j − ãⱼᵀv| ≤ err_j`` with
    ``err_j = 4(N+4)ε‖ã_j‖‖v‖`` (rounding of the entries and the dot product, with a safety
    factor ≥ 2); decisions that the bound cannot settle are made in exact arithmetic.
    """

    matrix: np.ndarray
    norms: np.ndarray
    factor: float

    @classmethod
    def build(cls, columns: list[list[Scalar]], nrows: int) -> _FloatShadow | None:
        matrix = _to_floats([v for column in columns for v in column])
        if matrix is None or not columns:
            return None
        matrix = matrix.reshape(len(columns), nrows).T.copy(order="F")
        return cls(matrix=matrix, norms=np.linalg.norm(matrix, axis=0), factor=4.0 * (nrows + 4) * _EPS)

    def products(self, vector: Sequence[Scalar]) -> tuple[np.ndarray, np.ndarray] | None:
        """``(fl(Ãᵀv), err)``, or ``None`` if ``v`` is outside the safe float range."""
        floats = _to_floats(vector)
        if floats is None:
            return None
        norm = float(np.linalg.norm(floats))
        if norm and not 1e-250 < norm < 1e250:
            return None
        return self.matrix.T @ floats, self.factor * self.norms * norm + _TINY


_TINY = 1e-290


def _to_floats(values: Sequence[Scalar]) -> np.ndarray | None:
    """Correctly rounded floats of exact scalars, or ``None`` on overflow."""
    try:
        out = np.array([float(v) for v in values], dtype=np.float64)
    except OverflowError:
        return None
    return out if np.all(np.isfinite(out)) else None


def _homotopy(
    problem: _CentredProblem, target: Scalar | None, max_knots: int | None, use_floats: bool = True
) -> _HomotopyResult:
    """Follow the exact Lasso path from β_max down to ``target`` (``None``: to β = 0).

    State at a knot: β_k, ``z`` (dict over columns of the centred matrix), the residual ``r``
    and the exact correlations ``c = Ãᵀr`` of every column, one integer matrix–vector product
    per knot (:meth:`ExactMatrix.rmatvec_scaled`; entries are made only where read); the
    direction problem supplies the slopes ``g = Ãᵀu`` the same way. With ``use_floats`` a float64
    shadow of ``Ã`` rigorously excludes columns whose bound event cannot come first (see
    :class:`_FloatShadow`). See the module docstring for the direction and the step.
    """
    zero = to_scalar(0)
    residual = list(problem.y_centred)
    stop = zero if target is None else target
    shadow = _FloatShadow.build(problem.columns, problem.matrix.nrows) if use_floats else None
    correlations = problem.matrix.rmatvec_scaled(residual) if problem.columns else ScaledVector([], 1)
    beta_max = correlations.max_abs()
    if beta_max == 0 or stop >= beta_max:
        end = stop if target is not None else zero
        dual = [v / end for v in residual] if target is not None else [zero] * len(residual)
        return _HomotopyResult(knots=[(end, {})], dual=dual, beta_max=beta_max)

    knots: list[tuple[Scalar, dict[int, Scalar]]] = [(beta_max, {})]
    grams = _GramCache(problem.columns)
    beta = beta_max
    z: dict[int, Scalar] = {}
    fit_direction: list[Scalar] = []
    while beta > stop:
        equicorrelated = correlations.where_abs_equals(beta)
        signs = {j: correlations.sign(j) for j in equicorrelated}
        direction, fit_direction, slopes = _direction(problem, grams, equicorrelated, signs, z)
        step = _step_length(problem, shadow, residual, fit_direction, beta, beta - stop, z, direction, correlations, slopes, signs)
        for j, d in direction.items():
            z[j] = z.get(j, zero) + step * d
        z = {j: v for j, v in z.items() if v != 0}
        residual = [r - step * u for r, u in zip(residual, fit_direction)]
        correlations = problem.matrix.rmatvec_scaled(residual)
        beta = beta - step
        knots.append((beta, dict(z)))
        if max_knots is not None and len(knots) > max_knots:
            raise RuntimeError(
                f"the exact Lasso path needs more than max_knots={max_knots} knots; raise max_knots "
                "(or pass None) to continue"
            )
    dual = [r / beta for r in residual] if target is not None else fit_direction
    return _HomotopyResult(knots=knots, dual=dual, beta_max=beta_max)


class _GramCache:
    """Lazily computed exact inner products ``ãᵢᵀãⱼ`` of centred columns (kept across knots).

    Only pairs of columns that are passive together in the direction problem are ever asked
    for, so the cache grows with the support, not with the equicorrelation set.
    """

    def __init__(self, columns: list[list[Scalar]]) -> None:
        self._columns = columns
        self._rows: dict[int, dict[int, Scalar]] = {}

    def block(self, indices: list[int]) -> list[list[Scalar]]:
        """The Gram matrix ``[ãᵢᵀãⱼ]`` for ``i, j ∈ indices``."""
        for i in sorted(indices, key=lambda k: len(self._rows.get(k, ()))):  # new columns first: one product each
            row = self._rows.setdefault(i, {})
            missing = [j for j in indices if j not in row]
            if not missing:
                continue
            for j, value in zip(missing, dots([self._columns[j] for j in missing], self._columns[i])):
                row[j] = value
                self._rows.setdefault(j, {})[i] = value
        return [[self._rows[i][j] for j in indices] for i in indices]


def _direction(
    problem: _CentredProblem,
    grams: _GramCache,
    equicorrelated: list[int],
    signs: dict[int, int],
    z: dict[int, Scalar],
) -> tuple[dict[int, Scalar], list[Scalar], ScaledVector]:
    """The path direction ``d = dz/dt`` (``t = β_k − β``), the fit direction ``u = Ã d`` and the
    slopes ``g = Ãᵀu`` of every correlation.

    Solves ``min ‖B e − λ_k‖²`` over ``e_i ≥ 0`` (``i ∈ E∖P``), ``e_i`` free (``i ∈ P``) by exact
    Lawson–Hanson, where ``B = [s_i ã_i]_{i ∈ E}`` and ``b_iᵀλ_k = 1``; returns ``d_i = s_i e_i``.
    """
    free = [j for j in equicorrelated if j in z]
    e, fit, slopes = _nonnegative_least_squares(problem, grams, equicorrelated, signs, free)
    direction = {j: signs[j] * v for j, v in e.items() if v != 0}
    return direction, fit, slopes


def _nonnegative_least_squares(
    problem: _CentredProblem, grams: _GramCache, candidates: list[int], signs: dict[int, int], free: list[int]
) -> tuple[dict[int, Scalar], list[Scalar], ScaledVector]:
    """Exact Lawson–Hanson for ``min ½eᵀG e − 1ᵀe`` over ``e_j ≥ 0`` (``j ∈ candidates ∖ free``).

    ``G = BᵀB`` with ``b_j = s_j ã_j`` and ``B_free`` of full column rank; equivalent to
    ``min ‖B e − λ‖²`` when ``Bᵀλ = 1``. Only the passive block ``G_PP`` is formed: the gradient
    ``1 − (G e)_j = 1 − b_jᵀu`` of every candidate comes from one product ``Ãᵀu`` with the
    fit vector ``u = B_P e_P``, so a knot with thousands of tied columns costs a few
    matrix–vector products, not a Gram matrix of the tie set. The passive set stays linearly
    independent (module docstring), so ``G_PP e_P = 1`` is nonsingular; each outer iteration
    strictly decreases the objective, so the method terminates. Returns ``e``, ``u`` and ``Ãᵀu``.
    """
    zero = to_scalar(0)
    fixed = set(free)
    passive = list(free)
    e = _solve_passive(grams, signs, passive)
    while True:
        fit = _fit_vector(problem, signs, e)
        correlations = problem.matrix.rmatvec_scaled(fit)
        members = set(passive)
        entering, best = None, zero
        for j in candidates:  # sorted: the first index wins ties (Bland)
            if j not in members:
                gradient = 1 - signs[j] * correlations[j]
                if gradient > best:
                    entering, best = j, gradient
        if entering is None:
            return e, fit, correlations
        passive = passive + [entering]
        current = dict(e)
        current[entering] = zero
        while True:
            trial = _solve_passive(grams, signs, passive)
            blocked = [i for i in passive if i not in fixed and trial[i] <= 0]
            if not blocked:
                e = trial
                break
            alpha = min(current[i] / (current[i] - trial[i]) for i in blocked)
            if alpha == 0:  # pragma: no cover - excluded by the Lawson–Hanson lemma
                raise RuntimeError("internal error: degenerate Lawson–Hanson step in the exact Lasso path")
            current = {i: current[i] + alpha * (trial[i] - current[i]) for i in passive}
            passive = [i for i in passive if i in fixed or current[i] > 0]
            current = {i: current[i] for i in passive}


def _fit_vector(problem: _CentredProblem, signs: dict[int, int], e: dict[int, Scalar]) -> list[Scalar]:
    """``u = Σ_j s_j e_j ã_j`` (zero vector for empty ``e``)."""
    moving = [j for j, v in e.items() if v != 0]
    if not moving:
        return [to_scalar(0)] * problem.matrix.nrows
    block = ExactMatrix.from_scalar_columns([problem.columns[j] for j in moving], problem.matrix.nrows)
    return block.matvec([signs[j] * e[j] for j in moving])


def _solve_passive(grams: _GramCache, signs: dict[int, int], passive: list[int]) -> dict[int, Scalar]:
    """Solve ``G_PP e_P = 1`` with ``G_ij = s_i s_j ãᵢᵀãⱼ`` (the unconstrained minimiser on ``P``)."""
    if not passive:
        return {}
    plain = grams.block(passive)
    sub = [[g if signs[i] == signs[j] else -g for j, g in zip(passive, row)] for i, row in zip(passive, plain)]
    values = solve_scalars(sub, [to_scalar(1)] * len(passive))
    return dict(zip(passive, values))


def _step_length(
    problem: _CentredProblem,
    shadow: _FloatShadow | None,
    residual: list[Scalar],
    fit_direction: list[Scalar],
    beta: Scalar,
    max_step: Scalar,
    z: dict[int, Scalar],
    direction: dict[int, Scalar],
    correlations: ScaledVector,
    slopes: ScaledVector,
    tight: dict[int, int],
) -> Scalar:
    """Largest ``t ∈ (0, max_step]`` keeping ``z + t d`` sign-consistent and ``|c − t g| ≤ β − t``.

    Events: a non-zero ``z_i`` reaching 0 (``t = −z_i/d_i`` when ``z_i d_i < 0``); a correlation
    reaching a bound: ``c_j − t g_j = σ(β − t)`` (σ = ±1) at ``t = (β − σc_j)/(1 − σg_j)`` when
    ``1 − σg_j > 0``. Tight constraints (``tight[j] = σ``: ``c_j = σβ``) have zero slack and
    non-positive rate by the direction's optimality, so they are skipped and every step is
    positive.
    """
    step = max_step
    for j, d in direction.items():
        value = z.get(j)
        if value is not None and value * d < 0 and -value / d < step:
            step = -value / d
    for j in _event_candidates(problem, shadow, residual, fit_direction, beta, step, tight):
        c, g = correlations[j], slopes[j]
        for sigma in (1, -1):
            if tight.get(j) == sigma:
                continue
            rate = 1 - sigma * g
            if rate > 0:
                candidate = (beta - sigma * c) / rate
                if candidate < step:
                    step = candidate
    if step <= 0:  # pragma: no cover - excluded by the direction's optimality conditions
        raise RuntimeError("internal error: zero step in the exact Lasso path")
    return step


def _event_candidates(
    problem: _CentredProblem,
    shadow: _FloatShadow | None,
    residual: list[Scalar],
    fit_direction: list[Scalar],
    beta: Scalar,
    max_step: Scalar,
    tight: dict[int, int],
) -> list[int]:
    """Columns whose bound event may come at ``t ≤ max_step`` (all columns without a shadow);
    the bound a tight column sits on (``tight[j] = σ``) is no event.

    With float intervals ``slack ∈ [s⁻, s⁺]`` for ``β − σc_j`` and ``rate ∈ [ρ⁻, ρ⁺]`` for
    ``1 − σg_j``, the event time lies in ``[max(s⁻,0)/ρ⁺, s⁺/ρ⁻]`` (upper ∞ if ``ρ⁻ ≤ 0``);
    columns whose lower end exceeds the smallest upper end (or ``max_step``) are excluded.
    """
    every = list(range(len(problem.columns)))
    if shadow is None:
        return every
    correlations = shadow.products(residual)
    slopes = shadow.products(fit_direction)
    bounds = _to_floats([beta, max_step])
    if correlations is None or slopes is None or bounds is None:
        return every
    (c, c_err), (g, g_err) = correlations, slopes
    b, cap = float(bounds[0]), float(bounds[1]) * (1 + 8 * _EPS)
    c_err = c_err + 4 * _EPS * b
    g_err = g_err + 4 * _EPS * (1 + np.abs(g))
    lower_ends = []
    best_upper = cap
    tight_index = np.fromiter(tight, dtype=np.int64, count=len(tight))
    tight_sign = np.fromiter(tight.values(), dtype=np.float64, count=len(tight))
    for sigma in (1.0, -1.0):
        slack, rate = b - sigma * c, 1.0 - sigma * g
        rate_hi, rate_lo = rate + g_err, rate - g_err
        maybe = rate_hi > 0
        maybe[tight_index[tight_sign == sigma]] = False
        lower = np.full(c.shape, np.inf)
        lower[maybe] = np.maximum(slack[maybe] - c_err[maybe], 0.0) / rate_hi[maybe]
        sure = rate_lo > 0
        if sure.any():
            best_upper = min(best_upper, float(np.min((slack[sure] + c_err[sure]) / rate_lo[sure])))
        lower_ends.append(lower)
    threshold = best_upper * (1 + 1e-9)
    hit = (lower_ends[0] <= threshold) | (lower_ends[1] <= threshold)
    return [int(j) for j in np.flatnonzero(hit)]


def _assemble(
    problem: _CentredProblem,
    result: _HomotopyResult,
    matrix: ExactMatrix,
    labels: tuple[Fraction, ...],
    target: Fraction | None,
) -> ExactLassoSolution:
    """Map the centred, deduplicated path back to the original columns and add ξ."""
    knots = tuple(_knot(problem, beta, z, matrix.ncols) for beta, z in result.knots)
    last = knots[-1]
    z = last.z
    fit = matrix.matvec([to_scalar(v) for v in z])
    residual = [yi - last.xi - to_fraction(f) for yi, f in zip(labels, fit)]
    penalty = Fraction(0) if target is None else target * sum((abs(v) for v in last.values), Fraction(0))
    return ExactLassoSolution(
        z=z,
        xi=last.xi,
        beta=target,
        objective=sum((v * v for v in residual), Fraction(0)) / 2 + penalty,
        support=last.support,
        path=knots,
        dual=tuple(to_fraction(v) for v in result.dual),
        beta_max=to_fraction(result.beta_max),
    )


def _knot(problem: _CentredProblem, beta: Scalar, z: dict[int, Scalar], n_features: int) -> PathKnot:
    pairs = sorted((problem.representatives[j], to_fraction(v)) for j, v in z.items())
    xi = problem.y_mean - sum((problem.column_means[i] * v for i, v in pairs), Fraction(0))
    return PathKnot(
        beta=to_fraction(beta),
        xi=xi,
        support=tuple(i for i, _ in pairs),
        values=tuple(v for _, v in pairs),
        n_features=n_features,
    )
