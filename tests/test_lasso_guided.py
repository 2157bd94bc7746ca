"""Exact Lasso solutions from a float guess, and exact matrices built from integers.

Every claim is checked in exact rational arithmetic: a guided solution has exactly the
homotopy's objective and passes the exact KKT certificate, whatever the guess.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mirrorlib.lasso import solve_lasso, solve_lasso_exact
from mirrorlib.lasso.certificate import certify_lasso
from mirrorlib.lasso.fit import fit_lasso
from mirrorlib.lasso.guided import solve_from_guess, support_guess
from mirrorlib.libraries import library
from mirrorlib.numbers.linalg import ExactMatrix, as_rational_matrix, exact_matrix, to_fraction, to_scalar
from mirrorlib.signnets import sign_library

from test_lasso_exact import BETA_SPECS, dictionaries, resolve_beta

F = Fraction
SETTINGS = settings(derandomize=True, deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])


def float_guess(A: list[tuple[Fraction, ...]], y: list[Fraction], beta: Fraction) -> np.ndarray:
    return solve_lasso(np.array(A, dtype=np.float64), np.array(y, dtype=np.float64), float(beta)).z


@given(problem=dictionaries(), spec=BETA_SPECS, data=st.data())
@SETTINGS
def test_any_guess_gives_the_exact_optimum(problem: tuple, spec: tuple[str, Fraction], data: st.DataObject) -> None:
    """The float solution, a random support with random signs, or none: same exact objective
    as the homotopy, an exact KKT certificate, an independent support."""
    A, y = problem
    beta = resolve_beta(A, y, spec)
    m = len(A[0])
    random_guess = np.array(data.draw(st.lists(st.sampled_from([0.0, 1.0, -1.0]), min_size=m, max_size=m)))
    homotopy = solve_lasso_exact(A, y, beta)
    for guess in (float_guess(A, y, beta), random_guess):
        guided = solve_lasso_exact(A, y, beta, guess=guess)
        assert guided.objective == homotopy.objective
        assert certify_lasso(A, y, guided.z, guided.xi, beta).is_optimal
        assert guided.support == tuple(i for i, v in enumerate(guided.z) if v)
        assert guided.dual == homotopy.dual  # λ = r/β: the fit of a Lasso optimum is unique
        assert guided.beta_max == homotopy.beta_max


@given(problem=dictionaries(max_cols=8), spec=BETA_SPECS)
@SETTINGS
def test_a_settled_guess_is_an_exact_optimum_on_independent_columns(problem: tuple, spec: tuple[str, Fraction]) -> None:
    A, y = problem
    beta = resolve_beta(A, y, spec)
    matrix = ExactMatrix(as_rational_matrix(A))
    guided = solve_from_guess(matrix, y, beta, support_guess(float_guess(A, y, beta), len(A[0])))
    if guided is None:
        return
    certificate = certify_lasso(A, y, guided.z, guided.xi, beta)
    assert certificate.is_optimal, certificate.failures
    centred = [[row[j] - sum(r[j] for r in A) / len(A) for j in guided.support] for row in A]
    assert _exact_rank(centred) == len(guided.support)
    assert guided.path[-1].z == guided.z and len(guided.path) == 1


def test_float_guesses_settle_on_generic_data() -> None:
    """On data in general position the float solution's support and signs are the exact
    optimum's (up to refinement): no fallback to the homotopy."""
    rng = np.random.default_rng(11)
    for _ in range(30):
        n, m = int(rng.integers(5, 12)), int(rng.integers(3, 30))
        A = [tuple(F(int(v), 7) for v in row) for row in rng.integers(-40, 40, (n, m))]
        y = [F(int(v), 3) for v in rng.integers(-20, 20, n)]
        beta = F(int(rng.integers(1, 40)), 10)
        guided = solve_from_guess(exact_matrix(A), y, beta, support_guess(float_guess(A, y, beta), m))
        assert guided is not None and guided.objective == solve_lasso_exact(A, y, beta).objective


def _exact_rank(rows: list[list[Fraction]]) -> int:
    from mirrorlib.numbers.linalg import rank

    return rank(rows) if rows and rows[0] else 0


def test_refinement_adds_a_missing_column_and_drops_a_wrong_one(monkeypatch: pytest.MonkeyPatch) -> None:
    """The optimum uses columns 0 and 2; a guess of column 0 and column 1 (unused) settles on
    it after a few exact solves, and is given up when only one solve is allowed."""
    import mirrorlib.lasso.guided as guided_module

    A = [[0, 1, 0], [1, 0, 1], [2, 1, 0], [3, 0, 2]]
    y = [F(0), F(1), F(5, 2), F(3)]
    beta = F(1, 10)
    homotopy = solve_lasso_exact(A, y, beta)
    assert homotopy.support == (0, 2)
    guess = {0: 1 if homotopy.z[0] > 0 else -1, 1: -1}
    guided = solve_from_guess(exact_matrix(A), y, beta, guess)
    assert guided is not None and guided.objective == homotopy.objective and guided.z == homotopy.z
    monkeypatch.setattr(guided_module, "REFINEMENTS", 1)
    assert solve_from_guess(exact_matrix(A), y, beta, guess) is None


def test_dependent_guessed_columns_are_given_up() -> None:
    A = [[0, 0], [1, 1], [2, 2]]
    assert solve_from_guess(exact_matrix(A), [F(0), F(1), F(3)], F(1, 10), {0: 1, 1: 1}) is None
    # solve_lasso_exact then runs the homotopy: the weight goes to the first duplicate
    assert solve_lasso_exact(A, [0, 1, 3], "1/10", guess=[1.0, 1.0]).support == (0,)


@pytest.mark.parametrize(
    ("guess", "beta", "match"),
    [([1.0], "1/10", "guess must be 2 finite floats"), ([1.0, float("nan")], "1/10", "finite"), (["a", 1.0], "1/10", "guess must be 2"),
     ([1.0, 0.0], None, "guess needs beta > 0")],
)
def test_bad_guess_is_refused_with_one_line(guess: object, beta: object, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        solve_lasso_exact([[0, 1], [1, 0], [2, 1]], [0, 1, 2], beta, guess=guess)


# ----------------------------------------------------------------------------------------
# Exact matrices from integers: the same products as from Fraction rows
# ----------------------------------------------------------------------------------------

MATRICES = st.integers(1, 6).flatmap(
    lambda n: st.lists(st.lists(st.builds(Fraction, st.integers(-50, 50), st.sampled_from([1, 2, 3, 7, 10**30])), min_size=n, max_size=n), min_size=1, max_size=9)
)


@given(columns=MATRICES, data=st.data())
@SETTINGS
def test_integer_backed_matrix_has_the_same_products(columns: list[list[Fraction]], data: st.DataObject) -> None:
    """``from_array`` (object and integer arrays) against ``ExactMatrix(rows)``: every product,
    with sparse and dense vectors (the sparse matvec reads the integer rows)."""
    rows = [list(row) for row in zip(*columns)]
    reference = ExactMatrix(rows)
    candidates = [ExactMatrix.from_array(np.array(rows, dtype=object))]
    if all(v.denominator == 1 for row in rows for v in row):
        candidates.append(ExactMatrix.from_array(np.array([[int(v) for v in row] for row in rows], dtype=np.int64)))
    n, m = len(rows), len(columns)
    values = st.builds(Fraction, st.integers(-9, 9), st.integers(1, 5))
    v = [to_scalar(x) for x in data.draw(st.lists(values, min_size=m, max_size=m))]
    sparse = [to_scalar(0)] * m
    sparse[data.draw(st.integers(0, m - 1))] = to_scalar(data.draw(values))
    w = [to_scalar(x) for x in data.draw(st.lists(values, min_size=n, max_size=n))]
    for matrix in candidates:
        assert (matrix.nrows, matrix.ncols) == (n, m)
        assert [matrix.column(j) for j in range(m)] == [reference.column(j) for j in range(m)]
        assert matrix.matvec(sparse) == reference.matvec(sparse)
        assert matrix.matvec(v) == reference.matvec(v)
        assert matrix.rmatvec(w) == reference.rmatvec(w)
        assert matrix.columns() == reference.columns() and matrix.gram() == reference.gram()
        assert matrix.centre_columns()[1] == reference.centre_columns()[1]


def test_from_array_converts_other_entries_exactly_and_names_the_argument() -> None:
    assert ExactMatrix.from_array(np.array([[0.1, "1/3"]], dtype=object)).column(0) == [to_scalar(Fraction(0.1))]
    with pytest.raises(TypeError, match=r"B\[0\]\[1\]"):
        ExactMatrix.from_array(np.array([[1, object()]], dtype=object), name="B")


@pytest.mark.parametrize("order", ["ascending", "shuffled"])
def test_library_exact_matrix_equals_its_fraction_matrix(order: str) -> None:
    """Closed-form columns from integer rows, generated columns on the common denominator,
    rows in the caller's order; single columns on the sorted data; and a sign library."""
    x = [F(0), F(1, 3), F(2), F(5, 2), F(4), F(7, 3)]
    if order == "shuffled":
        x = [x[i] for i in (3, 0, 5, 1, 4, 2)]
    closed = library(x, "relu", 3).distinct()
    grown = closed.with_features([library(x, "abs", 3).feature(7), library(x, "relu", 2).feature(3)])
    for lib in (closed, grown, library(x, "abs", 2), sign_library(x)):
        fractions = lib.matrix(exact=True)
        matrix = lib.exact_matrix()
        assert [[to_fraction(v) for v in matrix.column(j)] for j in range(lib.n_features)] == fractions.T.tolist()
        on_sorted = lib.matrix(exact=True, order="sorted").T.tolist()
        assert [lib.exact_values(j) for j in range(-lib.n_features, lib.n_features)] == on_sorted + on_sorted


def test_exact_fit_from_the_float_guess_matches_the_homotopy_on_a_library() -> None:
    """fit_lasso(exact=True) solves from the float solution; the homotopy over the same
    columns reaches the same exact objective."""
    rng = np.random.default_rng(3)
    x = [F(int(v), 100) for v in rng.choice(400, 25, replace=False)]
    y = [F(int(v), 10) for v in rng.integers(-20, 20, 25)]
    lib = library(x, "relu", 3).distinct()
    fit = fit_lasso(lib, y, F(1, 20), exact=True)
    homotopy = solve_lasso_exact(lib.matrix(exact=True), y, F(1, 20))
    assert fit.is_certified and fit.objective == homotopy.objective


def test_exact_matrix_refusals_are_one_line(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(ValueError, match="2-D integer array"):
        ExactMatrix.from_integer_columns(np.array([[0.5, 1.0]]), 2)
    with pytest.raises(ValueError, match="positive int denominator"):
        ExactMatrix.from_integer_columns(np.array([[1, 2]]), 0)
    lib = library(list(range(60)), "relu", 3).distinct()
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(10**6))
    with pytest.raises(ValueError, match="the exact dictionary has .* columns on 60 points .*MIRRORLIB_MAX_BYTES"):
        lib.exact_matrix()


def test_exact_matrices_and_exact_fitted_models_pickle() -> None:
    """Integer-backed, rational and large-denominator matrices round-trip; so does an exact
    ConvexNet, whose fit keeps its exact matrix."""
    import pickle

    from mirrorlib import ConvexNet

    rows = [[F(1, 2), F(3)], [F(-1, 3), F(0)]]
    huge = [[F(1, 2**200 + 1), F(1)], [F(0), F(2)]]
    for matrix in (ExactMatrix(rows), ExactMatrix.from_array(np.array(rows, dtype=object)), ExactMatrix(huge)):
        copy = pickle.loads(pickle.dumps(matrix))
        assert copy.columns() == matrix.columns() and copy.rmatvec([to_scalar(1), to_scalar(2)]) == matrix.rmatvec([to_scalar(1), to_scalar(2)])
    model = ConvexNet("relu", 3, "1/10", exact=True).fit([0, 1, 3, 4, 6], [0, 1, 0, 2, 1])
    restored = pickle.loads(pickle.dumps(model))
    assert restored.objective_ == model.objective_ and (restored.predict([[2.0]]) == model.predict([[2.0]])).all()
