"""The optimal set of the Lasso: vertices against a brute-force enumeration, exactly."""

import itertools
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirrorlib import library
from mirrorlib.lasso.landscape import _min_norm_point, is_unique_optimum, optimal_set
from mirrorlib.numbers.linalg import rank, solve

pytest.importorskip("cdd", reason="the optimal set needs pycddlib (groundtruth extra)")


def objective(A, y, z, beta):
    n = len(A)
    fit = [sum((a * v for a, v in zip(row, z)), Fraction(0)) for row in A]
    xi = sum((yi - f for yi, f in zip(y, fit)), Fraction(0)) / n
    residual = [yi - f - xi for yi, f in zip(y, fit)]
    return sum((r * r for r in residual), Fraction(0)) / 2 + beta * sum((abs(v) for v in z), Fraction(0))


def brute_force_vertices(A, y, beta, optimum, fitted):
    """Every basic optimum: for each set S of columns independent after centring, the z_S with
    Ã_S z_S = fitted (centred), kept when its objective equals the optimum."""
    n, m = len(A), len(A[0])
    means = [sum((row[j] for row in A), Fraction(0)) / n for j in range(m)]
    centred = [[row[j] - means[j] for j in range(m)] for row in A]
    target = [f - sum(fitted, Fraction(0)) / n for f in fitted]
    found = set()
    for size in range(0, min(m, n - 1) + 1):
        for subset in itertools.combinations(range(m), size):
            block = [[centred[i][j] for j in subset] for i in range(n)]
            if size and rank(block) < size:
                continue
            if size:
                normal = [[sum((block[i][a] * block[i][b] for i in range(n)), Fraction(0)) for b in range(size)] for a in range(size)]
                rhs = [sum((block[i][a] * target[i] for i in range(n)), Fraction(0)) for a in range(size)]
                values = solve(normal, rhs)
                if any(sum((block[i][a] * values[a] for a in range(size)), Fraction(0)) != target[i] for i in range(n)):
                    continue
            else:
                values = ()
            z = [Fraction(0)] * m
            for j, v in zip(subset, values):
                z[j] = v
            if all(v != 0 for v in values) and objective(A, y, z, beta) == optimum:
                found.add(tuple(z))
    return found


def fitted_values(A, z, xi):
    return [sum((a * v for a, v in zip(row, z)), Fraction(0)) + xi for row in A]


DEGENERATE = [
    # duplicate columns: the weight may be split in any proportion
    ([[0, 0, 1], [1, 1, 0], [2, 2, 4], [3, 3, 1]], [0, 1, 3, 2], Fraction(1, 10), False),
    # a column, twice it and its negative: the doubled column is cheaper, so the optimum is unique
    ([[0, 0, 0], [1, 2, -1], [2, 4, -2], [4, 8, -4]], [1, 0, 3, 5], Fraction(1, 5), True),
    # a column equal to the sum of two others on the data
    ([[0, 0, 0, 0], [1, 0, 1, 0], [2, 1, 1, 1], [3, 2, 1, 2]], [0, 1, 1, 3], Fraction(1, 20), False),
]


@pytest.mark.parametrize(("A", "y", "beta", "unique"), DEGENERATE)
def test_vertices_equal_the_brute_force_basic_optima(A, y, beta, unique):
    A = [[Fraction(v) for v in row] for row in A]
    y = [Fraction(v) for v in y]
    opt = optimal_set(A, y, beta)
    fitted = fitted_values(A, opt.solution.z, opt.solution.xi)
    assert set(opt.vertices) == brute_force_vertices(A, y, beta, opt.solution.objective, fitted)
    for z in opt.vertices:  # every vertex is an optimum with the same fit
        assert objective(A, y, z, beta) == opt.solution.objective
        assert fitted_values(A, z, opt.intercept(z)) == fitted
    assert opt.is_unique == is_unique_optimum(A, opt.solution.z, opt.solution.dual) == unique == (len(opt.vertices) == 1)


@pytest.mark.parametrize(("A", "y", "beta", "unique"), DEGENERATE)
def test_minimum_norm_optimum_satisfies_its_optimality_condition(A, y, beta, unique):
    """x* is the nearest point of conv(V) to 0 iff x*·v ≥ ‖x*‖² for every vertex v (exact)."""
    A = [[Fraction(v) for v in row] for row in A]
    opt = optimal_set(A, [Fraction(v) for v in y], beta)
    x = opt.min_l2
    norm = sum((v * v for v in x), Fraction(0))
    assert all(sum((a * b for a, b in zip(x, v)), Fraction(0)) >= norm for v in opt.vertices)
    assert objective(A, [Fraction(v) for v in y], x, beta) == opt.solution.objective
    assert norm <= min(sum((v * v for v in z), Fraction(0)) for z in opt.vertices)


@given(
    X=st.lists(st.integers(-6, 6), min_size=3, max_size=5, unique=True),
    y=st.lists(st.integers(-3, 3), min_size=5, max_size=5),
    beta=st.fractions(Fraction(1, 50), Fraction(2)),
)
@settings(max_examples=25)
def test_relu_library_optimal_sets_match_brute_force(X, y, beta):
    """Distinct 2-layer ReLU libraries (with their many exact ties) on random data."""
    A = library(X, "relu", 2).distinct().matrix(exact=True).tolist()
    labels = [Fraction(v) for v in y[: len(X)]]
    opt = optimal_set(A, labels, beta)
    fitted = fitted_values(A, opt.solution.z, opt.solution.xi)
    assert set(opt.vertices) == brute_force_vertices(A, labels, beta, opt.solution.objective, fitted)
    assert opt.is_unique == (len(opt.vertices) == 1) == is_unique_optimum(A, opt.solution.z, opt.solution.dual)


def test_beta_to_zero_limit_lists_every_minimum_l1_interpolant():
    A = [[Fraction(v) for v in row] for row in [[0, 0], [1, 1], [2, 2]]]
    opt = optimal_set(A, [0, 1, 2], None)
    assert sorted(opt.vertices) == [(Fraction(0), Fraction(1)), (Fraction(1), Fraction(0))]
    assert opt.min_l2 == (Fraction(1, 2), Fraction(1, 2))


def test_vertex_estimate_guard():
    A = [[Fraction(v) for v in row] for row in [[0, 0, 0, 0], [1, 1, 1, 1], [2, 2, 2, 2]]]
    with pytest.raises(ValueError, match="max_vertices"):
        optimal_set(A, [0, 1, 3], Fraction(1, 10), max_vertices=2)


def test_wolfe_on_a_triangle():
    F = Fraction
    assert _min_norm_point([(F(1), F(0)), (F(0), F(1)), (F(3), F(3))]) == (F(1, 2), F(1, 2))


def test_float_uniqueness_agrees_with_the_exact_decision_on_random_relu_fits():
    import numpy as np

    from mirrorlib.estimator import ConvexNet

    rng = np.random.default_rng(5)
    verdicts = []
    for _ in range(12):
        X = sorted({int(v) for v in rng.integers(-8, 9, 6)})
        y = [int(v) for v in rng.integers(-3, 4, len(X))]
        exact = ConvexNet("relu", 2, Fraction(2), exact=True).fit(X, y)
        fast = ConvexNet("relu", 2, 2.0).fit(X, y)
        verdicts.append(exact.uniqueness_)
        assert (exact.uniqueness_ == "unique") == (fast.uniqueness_ == "unique within tolerance")
    assert {"unique", "not unique"} <= set(verdicts)


def test_estimator_optimal_set_vertices_are_networks_with_the_optimal_objective():
    from mirrorlib.estimator import ConvexNet

    X, y, beta = [0, 1, 2, 4], [0, 1, 1, 3], Fraction(1, 10)
    net = ConvexNet("relu", 2, beta, exact=True).fit(X, y)
    opt = net.optimal_set()
    assert net.uniqueness_ == "not unique" and len(opt.vertices) == 2
    for z in opt.vertices:
        network = net.network_of(z, opt.intercept(z))
        assert network.training_objective(X, y, beta, exact=True) == net.objective_


def test_cli_all_optima_json():
    import json

    from typer.testing import CliRunner

    from mirrorlib.cli import app

    result = CliRunner().invoke(app, ["fit", "--data", "0,1,2,4", "--labels", "0,1,1,3", "--beta", "1/10", "--exact", "--all-optima", "--format", "json"])
    assert result.exit_code == 0, result.output
    record = json.loads(result.stdout)
    assert record["optimum"] == "not unique"
    assert record["all_optima"]["dimension"] == 1 and len(record["all_optima"]["vertices"]) == 2
    assert record["all_optima"]["minimum_l2"] == {"0": "7/40", "2": "11/20", "4": "-7/20", "6": "-7/40"}
