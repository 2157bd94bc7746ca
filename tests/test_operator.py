"""The matrix-free dictionary equals the dense matrix exactly (A z and Aᵀ r, rows in the caller's order)."""

from fractions import Fraction
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.linalg import aslinearoperator

from mirrorlib.libraries import library
from mirrorlib.libraries import operator as operator_module
from mirrorlib.libraries.operator import LibraryOperator
from mirrorlib.testing.strategies import datasets

CASES = [("relu", 2, {}), ("abs", 2, {}), ("leaky_relu(1/4)", 2, {}), ("relu", 2, {"architecture": "skip"}),
         ("relu", 3, {}), ("abs", 3, {}), ("relu", 4, {}), ("relu", 4, {"variant": "all-reflections"}), ("abs", 4, {})]


@pytest.mark.parametrize(("activation", "depth", "options"), CASES)
@given(X=datasets(min_size=1, max_size=5), data=st.data())
@settings(max_examples=15)
def test_exact_products_equal_the_dense_matrix(activation, depth, options, X, data):
    lib = library(X, activation, depth, **options)
    A = lib.matrix(exact=True)
    operator = LibraryOperator(lib)
    small = st.fractions(min_value=-5, max_value=5, max_denominator=7)
    r = data.draw(st.lists(small, min_size=A.shape[0], max_size=A.shape[0]))
    z = data.draw(st.lists(small, min_size=A.shape[1], max_size=A.shape[1]))
    assert list(operator.rmatvec_exact(r)) == list(A.T.dot(np.array(r, dtype=object)))
    assert list(operator.matvec_exact(z)) == list(A.dot(np.array(z, dtype=object)))
    with mock.patch.object(operator_module, "_CHUNK_ENTRIES", 1):  # one hidden vector per run of rows
        chunked = LibraryOperator(lib)
        assert list(chunked.rmatvec_exact(r)) == list(A.T.dot(np.array(r, dtype=object)))
        assert list(chunked.matvec_exact(z)) == list(A.dot(np.array(z, dtype=object)))


@pytest.mark.parametrize(("activation", "depth", "options"), CASES)
def test_products_norms_and_peaks_do_not_depend_on_the_runs_of_rows(activation, depth, options):
    """Aᵀr, column norms and peaks computed over runs of hidden-vector rows equal the whole-block
    computation (the same operations on the same numbers); A z sums the rows in another order,
    so it agrees to rounding (the exact products are checked above)."""
    rng = np.random.default_rng(depth)
    lib = library(np.round(rng.uniform(-2, 2, 9), 1), activation, depth, **options)
    r, z = rng.standard_normal(9), rng.standard_normal(lib.n_features)
    whole = LibraryOperator(lib)
    expected = (whole.rmatvec(r), whole.matvec(z), whole.centred_column_norms(), whole.anchor_peaks(whole.rmatvec(r)))
    for entries in (1, 20, 100):
        with mock.patch.object(operator_module, "_CHUNK_ENTRIES", entries):
            runs = LibraryOperator(lib)
            got = (runs.rmatvec(r), runs.matvec(z), runs.centred_column_norms(), runs.anchor_peaks(runs.rmatvec(r)))
        assert np.array_equal(got[0], expected[0]) and np.array_equal(got[2], expected[2]) and np.array_equal(got[3], expected[3])
        assert np.allclose(got[1], expected[1], rtol=1e-13, atol=1e-13 * np.abs(expected[1]).max())


def test_float_products_and_the_linear_operator_interface():
    rng = np.random.default_rng(0)
    X = rng.uniform(-3, 3, 40)
    lib = library(X, "relu", 3)
    operator = LibraryOperator(lib)
    A = lib.matrix()
    r, z = rng.standard_normal(40), rng.standard_normal(lib.n_features)
    assert np.allclose(operator @ z, A @ z) and np.allclose(operator.T @ r, A.T @ r)
    assert np.allclose(aslinearoperator(operator).rmatvec(r), A.T @ r)


def test_operator_refuses_a_selected_library_and_wrong_lengths():
    lib = library([0, 1, 3], "relu", 2)
    with pytest.raises(ValueError, match="whole closed-form library"):
        LibraryOperator(lib.distinct())
    with pytest.raises(ValueError, match="columns"):
        LibraryOperator(lib).matvec_exact([Fraction(1)])


@pytest.mark.parametrize(("activation", "depth", "n"), [("relu", 2, 30), ("abs", 3, 9), ("leaky_relu(1/4)", 2, 20), ("relu", 4, 7)])
def test_columns_equal_the_dense_matrix(activation, depth, n):
    """Every block kind (depth 2, free first breakpoints, first breakpoints tied to an anchor at
    depth 4, the linear column), in shuffled order with repeats, more than one chunk of 1,024."""
    rng = np.random.default_rng(1)
    lib = library(rng.uniform(-2, 2, n), activation, depth)
    operator = LibraryOperator(lib)
    indices = np.concatenate([rng.permutation(lib.n_features), rng.integers(0, lib.n_features, 2500)])
    assert np.allclose(operator.columns(indices), lib.matrix()[:, indices], rtol=0, atol=1e-12)
    assert operator.columns([]).shape == (n, 0)
    with pytest.raises(IndexError):
        operator.columns([lib.n_features])


@pytest.mark.parametrize(("depth", "beta"), [(2, 0.02), (3, 0.05), (3, 0.002), (4, 0.01)])
def test_working_set_solver_matches_the_dense_solver(depth, beta):
    """Same optimum as the dense active-set solver on the whole (distinct) library, and a gap over
    all columns below the tolerance."""
    from mirrorlib.lasso import solve_lasso
    from mirrorlib.lasso.working_set import solve_lasso_operator

    rng = np.random.default_rng(depth)
    x = np.sort(rng.uniform(-1, 1, 25))
    y = np.sin(3 * x) + 0.1 * rng.standard_normal(25)
    lib = library(x, "relu", depth)
    operator = LibraryOperator(lib)
    solution = solve_lasso_operator(operator, y, beta, tol=1e-9)
    dense = solve_lasso(lib.distinct().matrix(), y, beta, tol=1e-12)
    assert solution.converged and solution.relative_gap <= 1e-9
    assert abs(solution.objective - dense.objective) <= 1e-7 * dense.objective
    z = solution.dense(lib.n_features)
    fitted = lib.matrix() @ z + solution.xi
    objective = 0.5 * np.sum((fitted - y) ** 2) + beta * np.abs(z).sum()
    assert abs(objective - solution.objective) <= 1e-9 * objective


@pytest.mark.parametrize(("x", "y"), [([5], [2.0]), ([1, 1, 1], [2.0, 1.0, 0.0])])
def test_working_set_solver_on_constant_columns_returns_the_intercept_alone(x, y):
    """Every column is constant on the data (one distinct point): none can enter, z = 0, ξ = ȳ."""
    from mirrorlib.lasso.working_set import solve_lasso_operator

    solution = solve_lasso_operator(LibraryOperator(library(x, "relu", 3)), y, 0.1)
    assert solution.support.size == 0 and solution.xi == np.mean(y)
    assert solution.converged and solution.duality_gap == 0.0
    assert solution.objective == 0.5 * float(np.sum((np.asarray(y) - np.mean(y)) ** 2))


@pytest.mark.parametrize("activation", ["relu", "abs"])
def test_convexnet_working_set_solver_reaches_the_dense_optimum(activation):
    from mirrorlib.estimator import ConvexNet

    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(-1, 1, 40))
    y = np.sin(3 * x) + 0.1 * rng.standard_normal(40)
    dense = ConvexNet(activation, 3, 0.05, solver="dense").fit(x, y)
    sparse = ConvexNet(activation, 3, 0.05, solver="working-set").fit(x, y)
    assert sparse.certificate_.is_optimal and sparse.certificate_.training_optimal
    assert (sparse.solver_, dense.solver_) == ("working-set", "dense")
    assert abs(sparse.objective_ - dense.objective_) <= 1e-8 * dense.objective_
    assert sparse.library_.n_features < dense.library_.n_features
    assert np.allclose(sparse.predict(x), dense.predict(x), atol=1e-3)


def test_auto_solver_avoids_the_dense_library_above_the_memory_limit(monkeypatch):
    from mirrorlib.estimator import ConvexNet

    x = np.linspace(-1, 1, 50)
    n_distinct = library(x, "relu", 3).distinct().n_features
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(n_distinct * 50 * 8 - 1))  # the distinct float matrix is refused
    model = ConvexNet("relu", 3, 0.05).fit(x, np.abs(x))
    assert model.certificate_.training_optimal and model.library_.n_features < 50 and model.solver_ == "working-set"
    with pytest.raises(ValueError, match="float solver"):
        ConvexNet("relu", 3, "1/20", exact=True, solver="working-set").fit(x[:5], np.abs(x[:5]))


def test_auto_solver_fits_the_distinct_library_densely_from_depth_4(monkeypatch):
    """ReLU depth 4 on 16 points: 65,537 naive columns (25 MB dense), 683 distinct (262,272 B
    dense). With a 300 kB limit ``solver="auto"`` fits the distinct library densely (the
    working set is never called) and reaches the dense optimum."""
    import mirrorlib.estimator as estimator

    def refuse(*args):
        raise AssertionError("the working set was used")

    x = np.linspace(-1, 1, 16)
    dense = estimator.ConvexNet("relu", 4, 0.05, solver="dense").fit(x, np.abs(x) - x**2)
    monkeypatch.setattr(estimator, "_working_set_selection", refuse)
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", "300000")
    model = estimator.ConvexNet("relu", 4, 0.05).fit(x, np.abs(x) - x**2)
    assert model.certificate_.is_optimal and model.certificate_.training_optimal and model.solver_ == "dense"
    assert abs(model.objective_ - dense.objective_) <= 1e-8 * dense.objective_


@pytest.mark.parametrize(
    ("depth", "n", "limit", "dense"),
    [(4, 16, 300_000, True), (4, 16, 100_000, False), (3, 16, 10**6, True), (3, 16, 20_000, False), (2, 400, 1_000_000, False)],
)
def test_auto_solver_takes_the_distinct_library_when_it_fits_the_memory_limit(monkeypatch, depth, n, limit, dense):
    """Where the dense fit is preferred, the memory limit decides whether it is possible. Depth 4
    on 16 points (683 distinct columns, 87,424 B dense; the build holds 155,136 B) and depth 3
    (242 distinct, 30,976 B; the build holds 38,784 B): dense within the limit, the working set
    when the build is refused. Depth 2 on 400 points: the build (int32 rows, 640,000 B) fits a
    1 MB limit, its float matrix (1,280,000 B) does not: the rows are freed."""
    from mirrorlib.estimator import _dense_library_if_preferred

    x = np.linspace(-1, 1, n)
    n_distinct = library(x, "relu", depth).distinct().n_features
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(limit))
    full = library(x, "relu", depth)
    chosen = _dense_library_if_preferred(full)
    assert (chosen is not None) == dense
    assert ("_distinct" in full.recipe.__dict__) == dense
    if dense:
        assert chosen.n_features == n_distinct


@pytest.mark.parametrize("limit", [None, str(10**12)])
def test_auto_solver_choice_does_not_depend_on_the_memory_limit(monkeypatch, limit):
    """Depths 2 and 3 are fitted densely up to ``DENSE_AUTO_MAX_ENTRIES`` naive entries, whatever
    the limit: ReLU depth 3 on 100 points (4,000,100 entries) densely, on 130 points (8,788,130)
    by the working set, without building the distinct library; from depth 4 densely."""
    from mirrorlib.estimator import DENSE_AUTO_MAX_ENTRIES, _dense_library_if_preferred

    if limit is not None:
        monkeypatch.setenv("MIRRORLIB_MAX_BYTES", limit)
    below, above = library(np.linspace(-1, 1, 100), "relu", 3), library(np.linspace(-1, 1, 130), "relu", 3)
    assert below.n_features * 100 <= DENSE_AUTO_MAX_ENTRIES < above.n_features * 130
    assert _dense_library_if_preferred(below) is not None
    assert _dense_library_if_preferred(above) is None and "_distinct" not in above.recipe.__dict__
    deep = library(np.linspace(-1, 1, 40), "relu", 4)
    assert deep.n_features * 40 > DENSE_AUTO_MAX_ENTRIES and _dense_library_if_preferred(deep) is not None


def test_auto_solver_fits_by_the_working_set_above_the_dense_threshold():
    """ReLU depth 3 on 130 points: ``solver="auto"`` selects a few columns by the working set
    (not the 16,902 distinct ones) and reaches the dense optimum."""
    from mirrorlib.estimator import ConvexNet

    x = np.linspace(-1, 1, 130)
    y = np.sin(3 * x)
    auto = ConvexNet("relu", 3, 0.05).fit(x, y)
    dense = ConvexNet("relu", 3, 0.05, solver="dense").fit(x, y)
    assert auto.certificate_.training_optimal and dense.certificate_.training_optimal
    assert auto.library_.n_features < 100 < dense.library_.n_features
    assert (auto.solver_, dense.solver_) == ("working-set", "dense")
    assert abs(auto.objective_ - dense.objective_) <= 1e-8 * dense.objective_


@pytest.mark.parametrize(("activation", "depth"), [("relu", 2), ("relu", 3), ("abs", 3), ("leaky_relu(1/4)", 2), ("relu", 4)])
def test_centred_column_norms_equal_the_dense_norms(activation, depth):
    rng = np.random.default_rng(depth)
    lib = library(np.sort(rng.uniform(-2, 3, 9)), activation, depth)
    A = lib.matrix()
    expected = np.linalg.norm(A - A.mean(axis=0), axis=0)
    # squares: a constant column's norm is √(rounding) ≈ 1e-8 in float, its square ≈ 1e-16
    assert np.allclose(LibraryOperator(lib).centred_column_norms() ** 2, expected**2, rtol=1e-9, atol=1e-9 * np.max(expected**2))


@pytest.mark.parametrize(("depth", "n"), [(2, 30), (3, 12), (4, 6)])
def test_anchor_peaks_are_the_local_maxima_among_neighbouring_columns(depth, n):
    """A column is a peak exactly when no neighbour has a larger |c|: its neighbouring anchors in
    the order of its hidden vector v_h, and the same anchor of v_{h−1} and v_{h+1}. So every
    non-peak has a strictly larger neighbour and the largest |c| is a peak."""
    rng = np.random.default_rng(depth)
    x = np.sort(rng.uniform(-1, 1, n))
    lib = library(np.round(x, 1), "relu", depth)  # rounding makes ties: repeated data values
    operator = LibraryOperator(lib)
    r = rng.standard_normal(n)
    correlations = operator.rmatvec(r - r.mean())
    peaks = operator.anchor_peaks(correlations)
    magnitude = np.abs(correlations)
    start = 0
    for block in operator._sorted(False):
        H = block.V.shape[0]
        C = magnitude[start : start + H * 2 * n].reshape(H, 2, n)
        P = peaks[start : start + H * 2 * n].reshape(H, 2, n)
        for h, s, k in np.ndindex(H, 2, n):
            position = int(block.rank[h, k])
            neighbours = [(h, s, int(block.order[h, p])) for p in (position - 1, position + 1) if 0 <= p < n]
            neighbours += [(g, s, k) for g in (h - 1, h + 1) if 0 <= g < H]
            assert P[h, s, k] == all(C[h, s, k] >= C[other] for other in neighbours)
        start += H * 2 * n
    assert peaks[start:].all() and peaks[np.argmax(magnitude)]


def test_gap_safe_rule_never_discards_an_optimal_column():
    """Columns outside ``gap_safe_survivors`` are zero in the exact optimum (exact homotopy on the
    distinct library), from z = 0 and from a point part-way through the working-set solve."""
    from mirrorlib.lasso import solve_lasso_exact
    from mirrorlib.lasso.working_set import _gap, gap_safe_survivors, solve_lasso_operator

    rng = np.random.default_rng(11)
    x = [Fraction(int(v), 8) for v in np.sort(rng.choice(np.arange(-16, 17), 10, replace=False))]
    y = [Fraction(int(v), 4) for v in rng.integers(-8, 9, 10)]
    beta = Fraction(1, 20)
    lib = library(x, "relu", 3)
    operator = LibraryOperator(lib)
    exact = solve_lasso_exact(lib.matrix(exact=True), y, beta)
    optimal_columns = {index for index, value in zip(range(lib.n_features), exact.z) if value != 0}
    labels = np.array([float(v) for v in y])
    centred = labels - labels.mean()
    norms = operator.centred_column_norms()
    starts = [np.zeros(lib.n_features), solve_lasso_operator(operator, labels, float(beta), max_rounds=1).dense(lib.n_features)]
    screened_some = False
    for z in starts:
        fitted = operator.matvec(z)
        residual = labels - fitted - np.mean(labels - fitted)
        correlations = operator.rmatvec(residual)
        _, gap, scale = _gap(centred, residual, correlations, float(beta), float(np.abs(z).sum()))
        survivors = gap_safe_survivors(correlations, norms, scale, gap, float(beta))
        assert optimal_columns <= set(np.flatnonzero(survivors))
        screened_some |= not survivors.all()
    assert screened_some


@pytest.mark.parametrize(("activation", "depth", "beta"), [("relu", 2, "1/10"), ("relu", 3, "1/30"), ("abs", 3, "1/50")])
def test_working_set_solver_agrees_with_the_exact_homotopy(activation, depth, beta):
    """The matrix-free float solve reaches the exact optimal value (rational homotopy over the same
    dictionary) to 1e-9 relative, and its fitted values agree with the exact fit."""
    from mirrorlib.lasso import solve_lasso_exact
    from mirrorlib.lasso.working_set import solve_lasso_operator

    rng = np.random.default_rng(depth)
    x = [Fraction(int(v), 6) for v in np.sort(rng.choice(np.arange(-30, 31), 14, replace=False))]
    y = [Fraction(int(v), 5) for v in rng.integers(-10, 11, 14)]
    lib = library(x, activation, depth)
    distinct = lib.distinct(exact=True)
    exact = solve_lasso_exact(distinct.matrix(exact=True), y, Fraction(beta))
    solution = solve_lasso_operator(LibraryOperator(lib), np.array([float(v) for v in y]), float(Fraction(beta)), tol=1e-10)
    assert solution.converged
    assert abs(solution.objective - float(exact.objective)) <= 1e-9 * float(exact.objective)
    exact_fit = np.array([float(v) for v in distinct.matrix(exact=True) @ np.array(exact.z, dtype=object) + exact.xi])
    assert np.allclose(LibraryOperator(lib).matvec(solution.dense(lib.n_features)) + solution.xi, exact_fit, atol=1e-4)
