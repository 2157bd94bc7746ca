"""The matrix-free dictionary equals the dense matrix exactly (A z and Aᵀ r, rows in the caller's order)."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.sparse.linalg import aslinearoperator

from mirrorlib.libraries import library
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


def test_columns_equal_the_dense_matrix():
    rng = np.random.default_rng(1)
    lib = library(rng.uniform(-2, 2, 12), "relu", 4)
    operator = LibraryOperator(lib)
    indices = rng.choice(lib.n_features, 50, replace=False)
    assert np.allclose(operator.columns(indices), lib.matrix()[:, indices], rtol=0, atol=1e-12)
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


@pytest.mark.parametrize("activation", ["relu", "abs"])
def test_convexnet_working_set_solver_reaches_the_dense_optimum(activation):
    from mirrorlib.estimator import ConvexNet

    rng = np.random.default_rng(7)
    x = np.sort(rng.uniform(-1, 1, 40))
    y = np.sin(3 * x) + 0.1 * rng.standard_normal(40)
    dense = ConvexNet(activation, 3, 0.05, solver="dense").fit(x, y)
    sparse = ConvexNet(activation, 3, 0.05, solver="working-set").fit(x, y)
    assert sparse.certificate_.is_optimal and sparse.certificate_.training_optimal
    assert abs(sparse.objective_ - dense.objective_) <= 1e-8 * dense.objective_
    assert sparse.library_.n_features < dense.library_.n_features
    assert np.allclose(sparse.predict(x), dense.predict(x), atol=1e-3)


def test_auto_solver_avoids_the_dense_library_above_the_memory_limit(monkeypatch):
    from mirrorlib.estimator import ConvexNet

    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(2_000_000))
    x = np.linspace(-1, 1, 50)
    model = ConvexNet("relu", 3, 0.05).fit(x, np.abs(x))  # the dense build (10,001 × 50 × 3 × 8 B) would be refused
    assert model.certificate_.training_optimal and model.library_.n_features < 50
    with pytest.raises(ValueError, match="float solver"):
        ConvexNet("relu", 3, "1/20", exact=True, solver="working-set").fit(x[:5], np.abs(x[:5]))
