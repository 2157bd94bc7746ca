"""Fit a Lasso over a feature library and certify it: ``fit_lasso`` and its result ``LassoFit``.

``min_{z, ξ} ½‖A z + ξ1 − y‖² + β Σ_{i penalised} |z_i|`` over any
:class:`~mirrorlib.protocols.FeatureLibrary`, exactly (rational homotopy, KKT certificate) or in
float64 (active set, duality-gap certificate). Unpenalised columns (the skip connection's ``x``,
Lemma 3.1) are eliminated with ξ by projecting ``A`` and ``y`` onto the orthogonal complement of
``span{1, free columns}``; their coefficients are recovered by least squares, which keeps every
KKT condition of the full problem.

Examples
--------
>>> from mirrorlib.libraries import library
>>> fit = fit_lasso(library([0, 1, 2, 4], 'relu', 2).distinct(), [0, 1, 1, 3], Fraction(1, 10), exact=True)
>>> fit.objective, fit.is_certified
(Fraction(13, 80), True)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, partial
from typing import Any

import numpy as np

from mirrorlib.data import as_labels
from mirrorlib.lasso.float_dictionary import FloatDictionary
from mirrorlib.numbers.exact import to_rational
from mirrorlib.protocols import FeatureLibrary

__all__ = ["LassoFit", "fit_lasso", "float_dictionary"]


@dataclass(frozen=True)
class LassoFit:
    """A Lasso point over a library: coefficients (one per column), intercept and objective.

    ``exact`` fits hold Fractions; float fits hold floats. ``certificate`` is a
    :class:`~mirrorlib.lasso.certificate.LassoCertificate` (exact) or
    :class:`~mirrorlib.lasso.float_certificate.FloatLassoCertificate`. ``problem_source``
    returns :attr:`penalised_problem` when it is first asked for.

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> fit = fit_lasso(library([0, 1, 2, 4], 'relu', 2).distinct(), [0, 1, 1, 3], Fraction(1, 10), exact=True)
    >>> fit.objective, fit.is_certified, fit.uniqueness
    (Fraction(13, 80), True, 'not unique')
    """

    z: tuple[Any, ...]
    xi: Any
    objective: Any
    certificate: Any
    exact: bool
    problem_source: Callable[[], tuple[Any, ...]] | None = field(default=None, repr=False, compare=False)

    @property
    def is_certified(self) -> bool:
        return bool(self.certificate.is_optimal)

    @cached_property
    def penalised_problem(self) -> tuple[Any, ...] | None:
        """``(A, y, z, ξ or dual, β)``: the problem over the penalised columns that the solver saw,
        and its solution. A float fit does not keep its float matrix (N × M float64, a gigabyte at
        a few hundred thousand columns on 500 points): it is written again from the library when
        first asked for (:attr:`uniqueness`), with the same entries."""
        return None if self.problem_source is None else self.problem_source()

    @cached_property
    def uniqueness(self) -> str:
        """Whether this optimum is the only one: ``"unique"`` / ``"not unique"`` (exact fits,
        decided exactly), ``"unique within tolerance"`` / ``"not unique"`` (float fits)."""
        from mirrorlib.lasso.landscape import is_unique_optimum, is_unique_within_tolerance

        if self.penalised_problem is None:
            return "not decided"
        A, y, z, extra, beta = self.penalised_problem
        if len(z) == 0:
            return "unique"
        if self.exact:
            try:
                return "unique" if is_unique_optimum(A, z, extra) else "not unique"
            except ImportError:
                return 'not decided (deciding it needs pycddlib: pip install "mirrorlib[groundtruth]")'
        within = is_unique_within_tolerance(np.asarray(A, dtype=np.float64), np.asarray(y, dtype=np.float64), np.asarray(z), extra, beta)
        return "unique within tolerance" if within else "not unique"


def _unpenalised_basis(A: np.ndarray, penalised: np.ndarray, exact: bool) -> np.ndarray:
    """Columns ``[1, a_i (unpenalised)]`` of ``A``."""
    ones = np.array([Fraction(1) if exact else 1.0] * A.shape[0], dtype=object if exact else np.float64)
    return np.column_stack([ones, A[:, ~penalised]])


def _project_out_exact(basis: np.ndarray, vectors: np.ndarray) -> np.ndarray:
    """``(I − Q(QᵀQ)⁻¹Qᵀ) V`` exactly (Q = basis, full column rank after dropping dependents)."""
    from mirrorlib.numbers.linalg import column_basis, solve

    rows = [list(row) for row in basis]
    independent = column_basis(rows)
    q = np.array([[row[j] for j in independent] for row in rows], dtype=object)
    gram = (q.T @ q).tolist()
    projected = vectors.copy()
    for column in range(vectors.shape[1]):
        coefficients = solve(gram, list(q.T @ vectors[:, column]))
        projected[:, column] = vectors[:, column] - q @ np.array(coefficients, dtype=object)
    return projected


PROJECTION_BLOCK_ENTRIES = 2**20
"""Entries of ``A`` :func:`_project_into` projects at a time (8 MB of float64)."""


def _project_into(out: np.ndarray, q: np.ndarray, A: np.ndarray, columns: np.ndarray) -> None:
    """``out = (I − QQᵀ) A[:, columns]`` for orthonormal columns ``Q``, a block of columns at a
    time: no N × M temporary.

    Examples
    --------
    >>> out = np.empty((3, 1))
    >>> _project_into(out, np.full((3, 1), 3**-0.5), np.array([[1.0, 5.0], [2.0, 5.0], [6.0, 5.0]]), np.array([0]))
    >>> out.round(12).tolist()
    [[-2.0], [-1.0], [3.0]]
    """
    step = max(1, PROJECTION_BLOCK_ENTRIES // max(1, A.shape[0]))
    for start in range(0, columns.size, step):
        block = out[:, start : start + step]
        block[...] = A[:, columns[start : start + step]]
        block -= q @ (q.T @ block)


def _least_squares_exact(basis: np.ndarray, target: np.ndarray) -> tuple[Fraction, ...]:
    from mirrorlib.numbers.linalg import least_squares

    return least_squares([list(row) for row in basis], list(target))


def _eliminate_free_columns_exact(A: np.ndarray, target: np.ndarray, penalised: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(A_penalised, target)`` projected onto the orthogonal complement of ``span{1, free
    columns}`` exactly."""
    basis = _unpenalised_basis(A, penalised, exact=True)
    return _project_out_exact(basis, A[:, penalised]), _project_out_exact(basis, target[:, None])[:, 0]


def fit_lasso(
    lib: FeatureLibrary,
    y: Sequence[object],
    beta: object,
    *,
    exact: bool,
    tol: float = 1e-10,
    start: Sequence[float] | None = None,
    dictionary: FloatDictionary | None = None,
) -> LassoFit:
    """Solve the Lasso over ``lib`` for labels ``y`` (caller's order) and certify it.

    Parameters
    ----------
    lib : FeatureLibrary
        The dictionary ``A`` (any family of units).
    y : sequence
        Labels in the caller's order of the data.
    beta : number, str or None
        β > 0; ``None`` with ``exact=True`` is the β → 0⁺ limit (the minimum-ℓ1 interpolant).
    exact : bool
        Rational homotopy with an exact KKT certificate, or float64 to a relative duality gap ``tol``.
    tol : float
        Relative duality gap of float fits.
    start : sequence of float, optional
        Float fits: a warm start, one coefficient per column of ``lib``.
    dictionary : FloatDictionary, optional
        Float fits of libraries whose columns are all penalised: the centred columns of
        ``lib.matrix()`` already written (:class:`~mirrorlib.lasso.float_dictionary.FloatDictionary`;
        column generation grows one across its rounds). Without it they are written from ``lib``.

    Returns
    -------
    LassoFit

    Examples
    --------
    The minimum-ℓ1 interpolant of four points by ReLU ramps (β → 0⁺: ``1 − relu(1 − x) + relu(x − 2)``,
    ℓ1 norm 2), and a float fit:

    >>> from mirrorlib.libraries import library
    >>> lib = library([0, 1, 2, 4], 'relu', 2).distinct()
    >>> exact = fit_lasso(lib, [0, 1, 1, 3], None, exact=True)
    >>> sum(abs(v) for v in exact.z), exact.certificate.is_optimal
    (Fraction(2, 1), True)
    >>> approx = fit_lasso(lib, [0, 1, 1, 3], 0.1, exact=False)
    >>> round(approx.objective, 6), approx.is_certified
    (0.1625, True)
    """
    from mirrorlib.lasso.certificate import certify_lasso
    from mirrorlib.lasso.float_certificate import certify_lasso_float
    from mirrorlib.lasso import solve_lasso_exact
    from mirrorlib.numbers.linalg import ExactMatrix

    penalised = lib.penalised
    labels = as_labels(y, lib.dataset)
    labels_original = np.array(lib.dataset.to_original_order(labels), dtype=object)
    if exact:
        beta_exact = None if beta is None else to_rational(beta, name="beta")
        guess = None if beta_exact is None else _float_guess(lib, labels_original, beta_exact, tol)
        if penalised.all():
            matrix, target = lib.exact_matrix(), labels_original
        else:
            A = lib.matrix(exact=True)
            A_penalised, target = _eliminate_free_columns_exact(A, labels_original, penalised)
            matrix = ExactMatrix.from_array(A_penalised)
        def certified(solution: Any) -> Any:
            return certify_lasso(matrix, list(target), solution.z, solution.xi, beta_exact, dual=solution.dual if beta is None else None)

        solution = solve_lasso_exact(matrix, list(target), beta_exact, guess=guess, certify=False)
        certificate = certified(solution)
        if not certificate.is_optimal:  # the homotopy's float shadow misled it: solve again, checked, exact as a fallback
            solution = solve_lasso_exact(matrix, list(target), beta_exact)
            certificate = certified(solution)
        z = _scatter(solution.z, penalised, Fraction(0))
        xi = solution.xi
        if not penalised.all():
            residual = labels_original - A[:, penalised] @ np.array(solution.z, dtype=object)
            gamma = _least_squares_exact(_unpenalised_basis(A, penalised, exact=True), residual)
            xi = gamma[0]
            z = _fill(z, penalised, gamma[1:])
        problem = (matrix, list(target), solution.z, solution.dual, beta_exact)
        return LassoFit(z=tuple(z), xi=xi, objective=solution.objective, certificate=certificate, exact=True, problem_source=partial(tuple, problem))
    if beta is None:
        raise ValueError("beta=None (the β → 0⁺ limit) needs exact=True; give a float beta > 0 otherwise")
    try:
        beta_float = float(to_rational(beta, name="beta"))
    except OverflowError:
        raise ValueError(f"beta = {beta} is too large for a float fit; use exact=True or rescale") from None
    labels_float = labels_original.astype(np.float64)
    if dictionary is not None and (dictionary.shape != (lib.dataset.n_samples, lib.n_features) or not penalised.all()):
        raise ValueError(
            f"dictionary has shape {dictionary.shape} but the library's matrix is {(lib.dataset.n_samples, lib.n_features)} "
            f"with {int((~penalised).sum())} unpenalised columns; give the dictionary of lib.matrix() for a library "
            "whose columns are all penalised"
        )
    if dictionary is None:
        dictionary, target_f, A = _penalised_dictionary(lib, labels_float)
    else:
        target_f, A = labels_float, None
    solution = _float_solution(dictionary, target_f, penalised, beta_float, tol, start)
    z = _scatter(tuple(solution.z), penalised, 0.0)
    xi = solution.xi
    if A is not None:  # the free columns' coefficients, by least squares on the residual of the penalised ones
        residual = labels_float - A @ np.array(z)
        gamma, *_ = np.linalg.lstsq(_unpenalised_basis(A, penalised, exact=False), residual, rcond=None)
        xi = float(gamma[0])
        z = _fill(z, penalised, tuple(float(g) for g in gamma[1:]))
    certificate = certify_lasso_float(dictionary, target_f, solution.z, solution.xi, beta_float, tol=max(tol, 1e-12) * 10)
    solved = (np.asarray(solution.z), float(solution.xi), beta_float)
    problem = partial(_float_problem_again, lib, labels_float, solved)
    return LassoFit(z=tuple(z), xi=xi, objective=solution.objective, certificate=certificate, exact=False, problem_source=problem)


def _float_problem_again(lib: FeatureLibrary, labels: np.ndarray, solved: tuple[np.ndarray, float, float]) -> tuple[Any, ...]:
    """``(A_penalised, target, z, ξ, β)`` of a float fit, the float matrix written again from ``lib``."""
    if lib.penalised.all():
        return (lib.matrix(), labels, *solved)
    dictionary, target, _ = _penalised_dictionary(lib, labels)
    return (dictionary.centred, target, *solved)  # the projected columns, centred as the solver saw them


def _penalised_dictionary(lib: FeatureLibrary, labels: np.ndarray) -> tuple[FloatDictionary, np.ndarray, np.ndarray | None]:
    """``(dictionary, target, A)``: the columns of ``lib.matrix()`` that the float solver sees, as
    a :class:`~mirrorlib.lasso.float_dictionary.FloatDictionary`, the labels it fits, and the
    matrix ``A`` itself when some columns are unpenalised (``None`` otherwise).

    When every column is penalised, the matrix is written where it is centred (one ``N × M``
    float array). Otherwise the penalised columns and the labels are projected onto the
    orthogonal complement of ``span{1, free columns}`` (Lemma 3.1), the columns a block at a
    time into the dictionary: two ``N × M`` arrays, ``A`` and the dictionary, checked against
    the memory limit before either is formed."""
    penalised = lib.penalised
    if penalised.all():
        return float_dictionary(lib), labels, None
    from mirrorlib.libraries.library import _check_memory

    n_samples = lib.dataset.n_samples
    _check_memory(lib.n_features, n_samples, np.float64, what="a float fit with unpenalised columns holds two dictionaries of", arrays=2)
    A = lib.matrix()
    q, _ = np.linalg.qr(_unpenalised_basis(A, penalised, exact=False))  # an orthonormal basis of span{1, free columns}
    columns = np.flatnonzero(penalised)
    dictionary = FloatDictionary.written((n_samples, columns.size), partial(_project_into, q=q, A=A, columns=columns))
    return dictionary, labels - q @ (q.T @ labels), A


def float_dictionary(lib: FeatureLibrary, *, spare: int | None = 0) -> FloatDictionary:
    """The float matrix of ``lib`` (``lib.matrix()``) as a
    :class:`~mirrorlib.lasso.float_dictionary.FloatDictionary`, written where it is centred: one
    ``N × M`` float array (``spare``: room for more columns, as in ``FloatDictionary.of``).

    Examples
    --------
    >>> from mirrorlib.libraries import library
    >>> lib = library([0, 1, 3], 'relu', 2).distinct()
    >>> np.array_equal(float_dictionary(lib).centred, FloatDictionary.of(lib.matrix()).centred)
    True
    """
    return FloatDictionary.written((lib.dataset.n_samples, lib.n_features), lambda out: lib.matrix(out=out), spare=spare)


def _float_solution(
    dictionary: FloatDictionary, target: np.ndarray, penalised: np.ndarray, beta: float, tol: float, start: Sequence[float] | None
) -> Any:
    """The float Lasso over the penalised columns (``start``: one coefficient per column of the library)."""
    from mirrorlib.lasso import solve_lasso

    warm = None if start is None else np.asarray(start, dtype=np.float64)[penalised]
    return solve_lasso(dictionary, target, beta, tol=tol, start=warm)


def _float_guess(lib: FeatureLibrary, labels_original: np.ndarray, beta: Fraction, tol: float) -> np.ndarray | None:
    """The float solution over the penalised columns, as the exact fit's guess of its support
    and signs (:mod:`mirrorlib.lasso.guided`); None when β or the labels leave float range."""
    try:
        beta_float = float(beta)
        labels_float = labels_original.astype(np.float64)
    except OverflowError:
        return None
    if not (np.isfinite(labels_float).all() and 0 < beta_float < np.inf):
        return None
    dictionary, target, _ = _penalised_dictionary(lib, labels_float)
    return _float_solution(dictionary, target, lib.penalised, beta_float, tol, None).z


def _scatter(values: Sequence[Any], mask: np.ndarray, zero: Any) -> list[Any]:
    """Place ``values`` at the True positions of ``mask``; ``zero`` elsewhere."""
    result = [zero] * mask.size
    for position, value in zip(np.flatnonzero(mask), values):
        result[position] = value
    return result


def _fill(values: list[Any], mask: np.ndarray, fill: Sequence[Any]) -> list[Any]:
    """Put ``fill`` at the False positions of ``mask``."""
    result = list(values)
    for position, value in zip(np.flatnonzero(~mask), fill):
        result[position] = value
    return result
