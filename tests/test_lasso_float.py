"""Float Lasso solver: agreement with the exact solver (checked exactly), gaps, bad input."""

from __future__ import annotations

import logging
import warnings
from fractions import Fraction
from unittest.mock import patch

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mirrorlib.lasso.certificate import lasso_objective
from mirrorlib.lasso.float_certificate import certify_lasso_float
from mirrorlib.lasso import active_set, solve_lasso, solve_lasso_exact

F = Fraction
SETTINGS = settings(derandomize=True, deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
RATIONALS = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 4))


@st.composite
def dictionaries(draw: st.DrawFn) -> tuple[list[tuple[Fraction, ...]], list[Fraction]]:
    """(A, y), N ∈ [1, 7], M ∈ [1, 12], with duplicate, negated, zero, constant and
    linearly dependent columns."""
    n, m = draw(st.integers(1, 7)), draw(st.integers(1, 12))
    columns: list[list[Fraction]] = []
    for j in range(m):
        kinds = ("random", "random", "duplicate", "negated", "zero", "constant", "combination")
        kind = draw(st.sampled_from(kinds)) if j else "random"
        if kind == "random":
            columns.append(draw(st.lists(RATIONALS, min_size=n, max_size=n)))
        elif kind in ("duplicate", "negated"):
            source = columns[draw(st.integers(0, j - 1))]
            columns.append(list(source) if kind == "duplicate" else [-v for v in source])
        elif kind == "combination":
            p, q = (columns[draw(st.integers(0, j - 1))] for _ in range(2))
            a, b = draw(RATIONALS), draw(RATIONALS)
            columns.append([a * u + b * v for u, v in zip(p, q)])
        else:
            columns.append([F(0) if kind == "zero" else draw(RATIONALS)] * n)
    A = [tuple(columns[j][i] for j in range(m)) for i in range(n)]
    return A, draw(st.lists(RATIONALS, min_size=n, max_size=n))


# β as a float (exactly representable, so both solvers solve the same problem)
BETAS = st.one_of(
    st.floats(min_value=1e-3, max_value=1e3).map(lambda b: float(F(b).limit_denominator(2**20))),
    st.sampled_from([1e-9, 1e-6, 2.0**-20, 1e6, 1e9]),
)


def as_float(A: list[tuple[Fraction, ...]], y: list[Fraction]) -> tuple[np.ndarray, np.ndarray]:
    return np.array([[float(v) for v in row] for row in A]), np.array([float(v) for v in y])


@given(problem=dictionaries(), beta=BETAS, method=st.sampled_from(["auto", "cd", "working sets first"]))
@SETTINGS
def test_float_solution_matches_exact_optimum(problem: tuple, beta: float, method: str) -> None:
    """Evaluated exactly on the exact data, the float solution is never below the exact optimum
    (a true bound, no tolerance) and is within 1e-9 relative of it. "working sets first" is
    ``"auto"`` with the cold start over working sets taken at every size."""
    A, y = problem
    exact = solve_lasso_exact(A, y, F(beta))
    A_float, y_float = as_float(A, y)
    start_columns = 1 if method == "working sets first" else active_set.WORKING_SET_START_COLUMNS
    with warnings.catch_warnings(), patch.object(active_set, "WORKING_SET_START_COLUMNS", start_columns):
        warnings.simplefilter("error")  # a non-converged solve would warn: fail the test
        result = solve_lasso(A_float, y_float, beta, method="auto" if method == "working sets first" else method)
    assert result.converged
    value = lasso_objective(A, y, [F(v) for v in result.z], F(result.xi), F(beta))
    assert exact.objective <= value
    assert value - exact.objective <= F(1e-9) * exact.objective + F(1e-30)
    assert result.objective == pytest.approx(float(exact.objective), rel=1e-9, abs=1e-30)
    assert result.duality_gap >= 0
    assert result.relative_gap <= 1e-10 or result.duality_gap <= result.gap_floor
    report = certify_lasso_float(A_float, y_float, result.z, result.xi, beta, tol=1e-9)
    assert report.is_optimal, report.failures


def test_single_column_soft_threshold_in_float() -> None:
    result = solve_lasso([[0.0], [1.0]], [0.0, 1.0], 0.25)
    assert result.z[0] == pytest.approx(0.5, rel=1e-15)
    assert result.xi == pytest.approx(0.25, rel=1e-15)
    assert result.objective == pytest.approx(3 / 16, rel=1e-15)
    assert result.converged and result.duality_gap <= 1e-15
    assert not result.z.flags.writeable


def test_beta_above_beta_max_returns_exact_zero() -> None:
    result = solve_lasso([[0.0], [1.0]], [0.0, 1.0], 0.5)
    assert result.z.tolist() == [0.0] and result.xi == 0.5 and result.duality_gap == 0.0 and result.n_iter == 0


def ramp_dictionary(n: int, m: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    """ReLU ramps relu(±(x − t)) at random breakpoints t: highly correlated columns."""
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-1, 1, n))
    t = np.sort(rng.uniform(-1, 1, m // 2))
    A = np.hstack([np.maximum(0, x[:, None] - t[None, :]), np.maximum(0, t[None, :] - x[:, None])])
    return A, np.sin(3 * x) + 0.1 * rng.standard_normal(n)


@pytest.mark.parametrize("fraction", [0.1, 0.01, 0.001])
def test_ramp_dictionary_converges_and_float_certificate_agrees(fraction: float) -> None:
    A, y = ramp_dictionary(40, 600, seed=3)
    beta = fraction * float(np.max(np.abs((A - A.mean(0)).T @ (y - y.mean()))))
    result = solve_lasso(A, y, beta)
    assert result.converged and result.relative_gap <= 1e-10
    report = certify_lasso_float(A, y, result.z, result.xi, beta, tol=1e-9)
    assert report.is_optimal, report.failures
    assert report.dual_feasibility_violation <= 1e-6
    # the exact solver agrees on this float problem (its entries are exact binary fractions)
    exact = solve_lasso_exact(A, y, F(beta))
    assert result.objective == pytest.approx(float(exact.objective), rel=1e-10)


def test_rounding_bound_that_hides_real_violations_does_not_stop_the_active_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """``η`` is a worst-case bound. Inflated 10¹⁰× (to 1–2% of β here) it hides real violations
    of the dual constraint from the entering rule; the active-set method alone still reaches the
    tolerance (its floor keeps the true ``η``) and the exact optimum. Stopping at "optimal up to
    rounding" instead left a relative gap of 3e-3 after 12 steps."""
    A, y = ramp_dictionary(40, 600, seed=3)
    beta = 0.01 * float(np.max(np.abs((A - A.mean(0)).T @ (y - y.mean()))))
    evaluate = active_set._FloatData.evaluate

    def pessimistic(self, z, beta):  # type: ignore[no-untyped-def]
        status = evaluate(self, z, beta)
        return active_set._Status(status.correlations, status.primal, status.gap, status.floor, status.noise * 1e10)

    monkeypatch.setattr(active_set._FloatData, "evaluate", pessimistic)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = solve_lasso(A, y, beta, method="active-set")
    assert result.converged and result.relative_gap <= 1e-10
    assert result.objective == pytest.approx(float(solve_lasso_exact(A, y, F(beta)).objective), rel=1e-10)


@given(data=st.data())
@settings(derandomize=True, deadline=None, max_examples=60)
def test_active_columns_keep_a_thin_qr_factorisation_through_entries_and_exits(data: st.DataObject) -> None:
    """``Ã_S = QR`` with ``QᵀQ = I`` and ``R`` upper triangular after any sequence of entries and
    exits, over columns that repeat, negate and combine others; a column in the span is refused
    with the coefficients that give it."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    n = data.draw(st.integers(3, 12))
    base = rng.standard_normal((n, 4))
    matrix = np.column_stack([base, base[:, 0], -base[:, 1], base[:, 0] + 2 * base[:, 2], rng.standard_normal((n, 3))])
    active = active_set._ActiveColumns(np.asfortranarray(matrix))
    leading = np.array(data.draw(st.lists(st.integers(0, matrix.shape[1] - 1), unique=True, max_size=8)), dtype=np.int64)
    if leading.size:  # a warm start: one QR for the independent leading run
        taken = active.insert_leading(leading)
        assert active.indices == leading[:taken].tolist()
        if taken < leading.size:  # stopped at a column in the span of the run (or past N columns)
            assert taken == n or np.linalg.matrix_rank(matrix[:, leading[: taken + 1]]) == taken
    for _ in range(data.draw(st.integers(1, 30))):
        if active.indices and data.draw(st.booleans()):
            active.delete([data.draw(st.integers(0, len(active.indices) - 1))])
        else:
            column = data.draw(st.integers(0, matrix.shape[1] - 1))
            if column in active.indices:
                continue
            span = active.insert(column)
            if span is not None:
                assert np.allclose(matrix[:, active.indices] @ span, matrix[:, column], atol=1e-9)
                assert np.linalg.matrix_rank(matrix[:, [*active.indices, column]]) == len(active.indices)
        chosen = matrix[:, active.indices]
        assert np.allclose(active.q @ active.r, chosen, atol=1e-10)
        assert np.allclose(active.q.T @ active.q, np.eye(len(active.indices)), atol=1e-10)
        assert np.allclose(active.r, np.triu(active.r))
        assert np.linalg.matrix_rank(chosen) == len(active.indices)


def test_many_columns_start_from_working_sets_and_reach_the_same_optimum(caplog: pytest.LogCaptureFixture) -> None:
    """At ``WORKING_SET_START_COLUMNS`` columns a cold ``"auto"`` solve goes through working sets
    first; it reaches the active-set method's objective (each within its own duality gap of P*)
    in fewer full-matrix steps."""
    A, y = ramp_dictionary(40, active_set.WORKING_SET_START_COLUMNS, seed=5)
    beta = 0.01 * float(np.max(np.abs((A - A.mean(0)).T @ (y - y.mean()))))
    plain = solve_lasso(A, y, beta, method="active-set")
    with caplog.at_level(logging.INFO, logger="mirrorlib"):
        auto = solve_lasso(A, y, beta)
    assert any("working-set round" in record.getMessage() for record in caplog.records)
    assert plain.converged and auto.converged
    assert abs(auto.objective - plain.objective) <= max(auto.duality_gap, plain.duality_gap) + 1e-15 * plain.objective
    assert auto.n_iter < plain.n_iter
    report = certify_lasso_float(A, y, auto.z, auto.xi, beta, tol=1e-9)
    assert report.is_optimal, report.failures


def test_budget_exhaustion_warns_and_reports_not_converged() -> None:
    A, y = ramp_dictionary(30, 200, seed=1)
    beta = 1e-3 * float(np.max(np.abs((A - A.mean(0)).T @ (y - y.mean()))))
    with pytest.warns(RuntimeWarning, match="increase max_iter"):
        result = solve_lasso(A, y, beta, max_iter=2, method="active-set")
    assert not result.converged and result.relative_gap > 1e-10


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"beta": 0.0}, ValueError, "beta must be > 0"),
        ({"beta": -1.0}, ValueError, "beta must be > 0"),
        ({"beta": float("nan")}, ValueError, "beta must be finite"),
        ({"beta": float("inf")}, ValueError, "beta must be finite"),
        ({"beta": None}, TypeError, "solve_lasso_exact"),
        ({"beta": True}, TypeError, "beta"),
        ({"beta": "x"}, TypeError, "beta"),
        ({"A": [[0.0], [np.nan]]}, ValueError, "A contains NaN"),
        ({"y": [0.0, np.inf]}, ValueError, "y contains NaN or inf"),
        ({"y": [0.0, 1.0, 2.0]}, ValueError, "one label per row"),
        ({"y": [[0.0], [1.0]]}, ValueError, "y must be one-dimensional"),
        ({"A": np.zeros((2, 0))}, ValueError, "A is empty"),
        ({"A": [0.0, 1.0]}, ValueError, "two-dimensional"),
        ({"A": [["a"], ["b"]]}, TypeError, "A must be"),
        ({"tol": 0.0}, ValueError, "tol"),
        ({"tol": 2.0}, ValueError, "tol"),
        ({"max_iter": 0}, ValueError, "max_iter"),
        ({"max_iter": 1.5}, ValueError, "max_iter"),
        ({"method": "lars"}, ValueError, "method"),
    ],
)
def test_bad_input_is_rejected_with_a_named_argument(kwargs: dict, error: type, match: str) -> None:
    arguments = {"A": [[0.0], [1.0]], "y": [0.0, 1.0], "beta": 0.25, **kwargs}
    with pytest.raises(error, match=match):
        solve_lasso(**arguments)


def test_warm_start_reaches_the_same_optimum_in_fewer_steps() -> None:
    from mirrorlib import library

    X = [0, 1, 3, 4, 7, 9, 10, 12]
    y = np.array([0.0, 1.0, 0.5, 2.0, 1.0, 0.0, 1.5, 1.0])
    A = library(X, "abs", 3).distinct().matrix()
    cold = solve_lasso(A, y, 0.05)
    A2 = np.column_stack([A, np.abs(np.abs(np.array(X, dtype=float) - 5.5) - 2.5)])
    again = solve_lasso(A2, y, 0.05)
    warm = solve_lasso(A2, y, 0.05, start=np.append(cold.z, 0.0))
    assert warm.n_iter <= again.n_iter and abs(warm.objective - again.objective) <= 1e-10 * again.objective
    with pytest.raises(ValueError, match="start must be"):
        solve_lasso(A2, y, 0.05, start=[0.0])


def test_float_fit_does_not_keep_its_float_matrix_and_rebuilds_the_same_problem() -> None:
    """A float ``fit_lasso`` result holds no N × M array (traced by tracemalloc); asked for its
    problem (uniqueness), it writes the same matrix again, entry for entry."""
    import gc
    import tracemalloc

    from mirrorlib import library
    from mirrorlib.lasso.fit import fit_lasso

    rng = np.random.default_rng(4)
    x = np.sort(rng.uniform(-1, 1, 60))
    y = np.sin(3 * x) + 0.1 * rng.standard_normal(60)
    lib = library(list(x), "abs", 3).distinct()
    matrix = lib.matrix()
    gc.collect()
    tracemalloc.start()
    try:
        fit = fit_lasso(lib, y, 0.05, exact=False)
        gc.collect()
        held, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert fit.is_certified
    assert held < matrix.nbytes / 4, f"the fit holds {held:,} bytes; the matrix has {matrix.nbytes:,}"
    # the matrix is written into the solver's array and centred there: no second N × M array at any time
    assert peak < 1.5 * matrix.nbytes, f"the fit peaked at {peak:,} bytes; the matrix has {matrix.nbytes:,}"
    A, target, z, xi, beta = fit.penalised_problem
    assert np.array_equal(A, matrix) and np.array_equal(target, y) and np.array_equal(z, fit.z) and xi == fit.xi and beta == 0.05
    assert fit.uniqueness in ("unique within tolerance", "not unique")


def test_float_fit_with_an_unpenalised_column_forms_two_matrices_and_checks_them_first(monkeypatch: pytest.MonkeyPatch) -> None:
    """With the skip connection's free column, a float fit projects the penalised columns into the
    solver's dictionary a block at a time: its tracemalloc peak is about two N × M arrays (the
    matrix and the dictionary; it was four). Under a memory limit between one and two matrices it
    is refused, with one line, before either is formed; the exact optimum is matched."""
    import gc
    import tracemalloc

    from mirrorlib import library
    from mirrorlib.lasso.fit import fit_lasso
    from mirrorlib.libraries import MemoryLimitExceeded

    rng = np.random.default_rng(5)
    x = np.sort(rng.uniform(-1, 1, 200))
    y = np.sin(3 * x) + 0.1 * rng.standard_normal(200)
    lib = library(list(x), "relu", 2, architecture="skip").distinct()
    assert not lib.penalised.all()
    matrix_bytes = lib.matrix().nbytes
    monkeypatch.setattr("mirrorlib.lasso.fit.PROJECTION_BLOCK_ENTRIES", 2**14)  # blocks well below the matrix, as at real sizes
    gc.collect()
    tracemalloc.start()
    try:
        fit = fit_lasso(lib, y, 0.05, exact=False)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert fit.is_certified
    assert peak < 2.5 * matrix_bytes, f"the fit peaked at {peak:,} bytes; the matrix has {matrix_bytes:,}"
    exact = fit_lasso(lib, [Fraction(v) for v in y], Fraction(1, 20), exact=True)
    assert abs(fit.objective - float(exact.objective)) <= 1e-9 * float(exact.objective)
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(int(1.5 * matrix_bytes)))
    assert lib.matrix().nbytes == matrix_bytes  # one matrix fits
    with pytest.raises(MemoryLimitExceeded, match=r"^a float fit with unpenalised columns holds two dictionaries of .*MIRRORLIB_MAX_BYTES$"):
        fit_lasso(lib, y, 0.05, exact=False)
