"""Exact Lasso homotopy: hand-worked answers, degenerate dictionaries, KKT certificates, the path.

All claims are checked in exact rational arithmetic (``Fraction``), never with tolerances.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import mirrorlib.lasso.homotopy as lasso_module
import mirrorlib.numbers.linalg as linalg_module
from mirrorlib.lasso.certificate import certify_lasso, lasso_objective
from mirrorlib.lasso import BETA_TO_ZERO, solve_lasso_exact

F = Fraction

# ----------------------------------------------------------------------------------------
# Strategies: small rational dictionaries with deliberate degeneracies
# ----------------------------------------------------------------------------------------

RATIONALS = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 4))
COLUMN_KINDS = ("random", "random", "duplicate", "negated", "zero", "constant", "combination")


@st.composite
def dictionaries(draw: st.DrawFn, max_rows: int = 7, max_cols: int = 12) -> tuple[list[tuple[Fraction, ...]], list[Fraction]]:
    """(A, y) with N ∈ [1, 7], M ∈ [1, 12]; columns are random, duplicates, negations, zero,
    constant or combinations of earlier columns (rank-deficient designs)."""
    n = draw(st.integers(1, max_rows))
    m = draw(st.integers(1, max_cols))
    columns: list[list[Fraction]] = []
    for j in range(m):
        kind = draw(st.sampled_from(COLUMN_KINDS)) if j else "random"
        if kind == "random":
            column = draw(st.lists(RATIONALS, min_size=n, max_size=n))
        elif kind in ("duplicate", "negated"):
            source = columns[draw(st.integers(0, j - 1))]
            column = list(source) if kind == "duplicate" else [-v for v in source]
        elif kind == "zero":
            column = [F(0)] * n
        elif kind == "constant":
            column = [draw(RATIONALS)] * n
        else:
            p, q = (columns[draw(st.integers(0, j - 1))] for _ in range(2))
            a, b = draw(RATIONALS), draw(RATIONALS)
            column = [a * u + b * v for u, v in zip(p, q)]
        columns.append(column)
    A = [tuple(columns[j][i] for j in range(m)) for i in range(n)]
    y = draw(st.lists(RATIONALS, min_size=n, max_size=n))
    return A, y


BETA_SPECS = st.one_of(
    st.tuples(st.just("relative"), st.builds(Fraction, st.integers(1, 99), st.just(100))),
    st.tuples(st.just("absolute"), st.builds(Fraction, st.integers(1, 10**6), st.integers(1, 10**6))),
    st.tuples(st.just("absolute"), st.sampled_from([F(1, 10**9), F(1, 10**5), F(10**5), F(10**9)])),
)


def beta_max(A: list[tuple[Fraction, ...]], y: list[Fraction]) -> Fraction:
    """max_i |ã_iᵀ ỹ| computed directly (centred columns and labels)."""
    n = len(y)
    y_mean = sum(y, F(0)) / n
    best = F(0)
    for j in range(len(A[0])):
        column = [row[j] for row in A]
        mean = sum(column, F(0)) / n
        best = max(best, abs(sum(((a - mean) * (v - y_mean) for a, v in zip(column, y)), F(0))))
    return best


def resolve_beta(A: list[tuple[Fraction, ...]], y: list[Fraction], spec: tuple[str, Fraction]) -> Fraction:
    kind, value = spec
    if kind == "relative" and beta_max(A, y) > 0:
        return value * beta_max(A, y)
    return value if kind == "absolute" else F(1, 3)


SETTINGS = settings(derandomize=True, deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])

# ----------------------------------------------------------------------------------------
# Hand-worked examples
# ----------------------------------------------------------------------------------------


def test_single_column_soft_threshold_by_hand() -> None:
    # a = (0, 1), y = (0, 1): ã = (−½, ½), ỹ = (−½, ½), ãᵀỹ = ½, ‖ã‖² = ½.
    # z = S(½, β)/½ = 1 − 2β for β < ½; ξ = mean(y − a z) = ½ − z/2 = β.
    solution = solve_lasso_exact([[0], [1]], [0, 1], F(1, 4))
    assert solution.z == (F(1, 2),)
    assert solution.xi == F(1, 4)
    assert solution.objective == F(3, 16)  # ½(1/16 + 1/16) + ¼·½
    assert solution.support == (0,)
    assert solution.beta_max == F(1, 2)
    assert [knot.beta for knot in solution.path] == [F(1, 2), F(1, 4)]
    assert solution.dual == (F(-1), F(1))  # λ = r/β with r = (−¼, ¼)


def test_beta_above_beta_max_gives_zero_and_mean() -> None:
    solution = solve_lasso_exact([[0], [1]], [0, 1], F(1, 2))
    assert solution.z == (F(0),) and solution.xi == F(1, 2) and solution.support == ()
    assert [knot.beta for knot in solution.path] == [F(1, 2)]


@given(
    column=st.lists(RATIONALS, min_size=2, max_size=7),
    data=st.data(),
    beta=st.builds(Fraction, st.integers(1, 400), st.integers(1, 40)),
)
@SETTINGS
def test_single_column_matches_soft_threshold_formula(column: list[Fraction], data: st.DataObject, beta: Fraction) -> None:
    n = len(column)
    y = data.draw(st.lists(RATIONALS, min_size=n, max_size=n))
    mean_a, mean_y = sum(column, F(0)) / n, sum(y, F(0)) / n
    centred = [a - mean_a for a in column]
    corr = sum((a * (v - mean_y) for a, v in zip(centred, y)), F(0))
    norm2 = sum((a * a for a in centred), F(0))
    expected = F(0) if norm2 == 0 else (1 if corr > 0 else -1) * max(abs(corr) - beta, F(0)) / norm2
    solution = solve_lasso_exact([[a] for a in column], y, beta)
    assert solution.z == (expected,)
    assert solution.xi == mean_y - mean_a * expected


def test_orthogonal_columns_soft_threshold_each() -> None:
    # Centred columns (1,−1,0,0) and (0,0,1,−1) are orthogonal, ‖ã‖² = 2, ãᵀy = 6 and 2.
    A = [[1, 0], [-1, 0], [0, 1], [0, -1]]
    solution = solve_lasso_exact(A, [3, -3, 1, -1], 1)
    assert solution.z == (F(5, 2), F(1, 2))
    assert solution.xi == 0


def test_duplicate_and_negated_columns_put_weight_on_the_first() -> None:
    a = [0, 1]
    A = [[a[i], a[i], -a[i], 0, 7] for i in range(2)]  # a, a, −a, zero column, constant column
    solution = solve_lasso_exact(A, [0, 1], F(1, 4))
    assert solution.z == (F(1, 2), 0, 0, 0, 0)
    assert solution.objective == F(3, 16)
    assert certify_lasso(A, [0, 1], solution.z, solution.xi, F(1, 4)).is_optimal
    # splitting the weight between the duplicates is also optimal (same fit, same ‖z‖₁)
    assert certify_lasso(A, [0, 1], (F(1, 4), F(1, 4), 0, 0, 0), solution.xi, F(1, 4)).is_optimal


def test_constant_labels_give_zero_solution_for_every_beta() -> None:
    A = [[1, 2], [3, 5], [0, 1]]
    for beta in (F(1, 10**9), F(2), BETA_TO_ZERO):
        solution = solve_lasso_exact(A, [4, 4, 4], beta)
        assert solution.z == (0, 0) and solution.xi == 4 and solution.beta_max == 0
        assert len(solution.path) == 1


def test_limit_is_the_interpolant_y_equals_x_minus_twice_ramp() -> None:
    # x = (0,1,2), features relu(x) and relu(x − 1), y = (0,1,0) = x − 2·relu(x − 1).
    A = [[0, 0], [1, 0], [2, 1]]
    solution = solve_lasso_exact(A, [0, 1, 0], None)
    assert solution.z == (1, -2) and solution.xi == 0 and solution.objective == 0
    assert solution.beta is None and solution.path[-1].beta == 0


def test_limit_prefers_minimum_l1_among_interpolants() -> None:
    # Adding 2·relu(x − 1) lets the interpolant use −1·(2·relu) instead of −2·relu: ‖z‖₁ 2 < 3.
    A = [[0, 0, 0], [1, 0, 0], [2, 1, 2]]
    solution = solve_lasso_exact(A, [0, 1, 0], None)
    assert solution.z == (1, 0, -1)
    # the other interpolant is least squares but not minimum-ℓ1: the certificate must say so
    other = certify_lasso(A, [0, 1, 0], (1, -2, 0), 0, None, dual=solution.dual)
    assert not other.is_optimal and any("sign(z_i)" in text for text in other.failures)


def test_limit_without_interpolant_is_least_squares() -> None:
    # ã = (−1,0,1), ỹ = (−1,−1,2): z = 3/2, ξ = −1/2, r = (½, −1, ½), objective ¾.
    solution = solve_lasso_exact([[0], [1], [2]], [0, 0, 3], None)
    assert solution.z == (F(3, 2),) and solution.xi == F(-1, 2) and solution.objective == F(3, 4)


def test_inputs_may_be_numpy_floats_and_strings() -> None:
    from_numpy = solve_lasso_exact(np.array([[0.0], [1.0]]), np.array([0.0, 1.0]), 0.25)
    from_text = solve_lasso_exact([["0"], ["1"]], ["0", "1"], "1/4")
    assert from_numpy.z == from_text.z == (F(1, 2),)


def test_max_knots_is_enforced() -> None:
    A = [[0, 0], [1, 0], [2, 1]]
    with pytest.raises(RuntimeError, match="max_knots"):
        solve_lasso_exact(A, [0, 1, 0], None, max_knots=1)


# ----------------------------------------------------------------------------------------
# Bad input
# ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("A", "y", "beta", "error", "match"),
    [
        ([[0], [1]], [0, 1], 0, ValueError, "beta=None"),
        ([[0], [1]], [0, 1], -1, ValueError, "beta must be > 0"),
        ([[0], [1]], [0, 1], float("nan"), ValueError, "beta must be finite"),
        ([[0], [1]], [0, 1], float("inf"), ValueError, "beta must be finite"),
        ([[0], [1]], [0, 1], True, TypeError, "beta"),
        ([[0], [float("nan")]], [0, 1], 1, ValueError, r"A\[1\]\[0\]"),
        (np.array([[0.0], [np.inf]]), [0, 1], 1, ValueError, "finite"),
        ([[0], [1]], [0, float("inf")], 1, ValueError, r"y\[1\]"),
        ([[0], [1]], [0, 1, 2], 1, ValueError, "one label per row"),
        ([], [0], 1, ValueError, "A is empty"),
        ([[], []], [0, 1], 1, ValueError, "no columns"),
        ([[0, 1], [1]], [0, 1], 1, ValueError, "ragged"),
        ([0, 1], [0, 1], 1, ValueError, "two-dimensional"),
        ([["x"], [1]], [0, 1], 1, ValueError, r"A\[0\]\[0\]"),
        ([[object()], [1]], [0, 1], 1, TypeError, r"A\[0\]\[0\]"),
    ],
)
def test_bad_input_is_rejected_with_a_named_argument(A: object, y: object, beta: object, error: type, match: str) -> None:
    with pytest.raises(error, match=match):
        solve_lasso_exact(A, y, beta)


# ----------------------------------------------------------------------------------------
# Properties
# ----------------------------------------------------------------------------------------


@given(problem=dictionaries(), spec=BETA_SPECS)
@SETTINGS
def test_exact_solution_is_certified(problem: tuple, spec: tuple[str, Fraction]) -> None:
    A, y = problem
    beta = resolve_beta(A, y, spec)
    solution = solve_lasso_exact(A, y, beta, certify=False)
    certificate = certify_lasso(A, y, solution.z, solution.xi, beta)
    assert certificate.is_optimal, certificate.failures
    assert certificate.duality_gap == 0
    assert solution.objective == lasso_objective(A, y, solution.z, solution.xi, beta)
    assert solution.support == tuple(i for i, v in enumerate(solution.z) if v != 0)
    assert solution.beta_max == beta_max(A, y)
    # λ = r/β is the dual solution
    assert solution.dual == tuple(r / beta for r in certificate.residual)


@given(problem=dictionaries(), spec=BETA_SPECS)
@SETTINGS
def test_path_knots_decrease_and_every_knot_and_midpoint_is_certified(problem: tuple, spec: tuple[str, Fraction]) -> None:
    A, y = problem
    beta = resolve_beta(A, y, spec)
    solution = solve_lasso_exact(A, y, beta)
    betas = [knot.beta for knot in solution.path]
    assert all(a > b for a, b in zip(betas, betas[1:]))
    assert betas[-1] == beta and solution.path[-1].z == solution.z and solution.path[-1].xi == solution.xi
    if beta < solution.beta_max:
        assert betas[0] == solution.beta_max and not any(solution.path[0].z)
    for knot in solution.path:
        assert certify_lasso(A, y, knot.z, knot.xi, knot.beta).is_optimal
    # the path is affine between knots: the midpoint of two knots solves the midpoint β
    for left, right in zip(solution.path, solution.path[1:]):
        mid_z = [(a + b) / 2 for a, b in zip(left.z, right.z)]
        mid = certify_lasso(A, y, mid_z, (left.xi + right.xi) / 2, (left.beta + right.beta) / 2)
        assert mid.is_optimal, mid.failures


@given(problem=dictionaries(), data=st.data())
@SETTINGS
def test_limit_is_minimum_l1_least_squares(problem: tuple, data: st.DataObject) -> None:
    A, y = problem
    solution = solve_lasso_exact(A, y, None)
    certificate = certify_lasso(A, y, solution.z, solution.xi, None, dual=solution.dual)
    assert certificate.is_optimal, certificate.failures
    assert all(c == 0 for c in certificate.correlations)  # least squares: Aᵀr = 0
    assert solution.path[-1].beta == 0
    # Every other least-squares solution z + v (v in the null space of the centred A) has
    # ℓ1 norm at least ‖z‖₁.
    n = len(y)
    centred = [[row[j] - sum(r[j] for r in A) / n for j in range(len(A[0]))] for row in A]
    basis = linalg_module.nullspace(centred)
    if basis:
        weights = data.draw(st.lists(RATIONALS, min_size=len(basis), max_size=len(basis)))
        other = [v + sum((w * b[i] for w, b in zip(weights, basis)), F(0)) for i, v in enumerate(solution.z)]
        assert sum(abs(v) for v in other) >= sum(abs(v) for v in solution.z)


@given(problem=dictionaries(max_rows=5, max_cols=8), spec=BETA_SPECS)
@settings(derandomize=True, deadline=None, max_examples=40)
def test_float_shadow_and_fully_exact_evaluation_give_the_same_path(problem: tuple, spec: tuple[str, Fraction]) -> None:
    A, y = problem
    beta = resolve_beta(A, y, spec)
    matrix = linalg_module.ExactMatrix([tuple(F(v) for v in row) for row in A])
    centred = lasso_module._centre_and_deduplicate(matrix, tuple(y))
    fast = lasso_module._homotopy(centred, linalg_module.to_scalar(beta), None, use_floats=True)
    slow = lasso_module._homotopy(centred, linalg_module.to_scalar(beta), None, use_floats=False)
    assert fast.knots == slow.knots


# ----------------------------------------------------------------------------------------
# The exact linear algebra underneath (mirrorlib.numbers.linalg, on python-flint)
# ----------------------------------------------------------------------------------------


@given(problem=dictionaries())
@settings(derandomize=True, deadline=None, max_examples=60)
def test_linalg_rank_nullspace_and_least_squares_are_consistent(problem: tuple) -> None:
    A, b = problem
    rank = linalg_module.rank(A)
    basis = linalg_module.nullspace(A)
    x = linalg_module.least_squares(A, b)
    columns = linalg_module.column_basis(A)
    m = len(A[0])
    assert rank == len(columns) == m - len(basis)
    for v in basis:
        assert all(value == 0 for value in linalg_module.matvec(A, v))
    residual = [bi - fi for bi, fi in zip(b, linalg_module.matvec(A, x))]
    assert all(value == 0 for value in linalg_module.rmatvec(A, residual))  # normal equations
    assert all(sum((p * q for p, q in zip(x, v)), F(0)) == 0 for v in basis)  # minimum norm
    if rank == m == len(A):
        assert linalg_module.solve(A, b) == x


@given(st.lists(st.one_of(st.just(0.0), st.just(-0.0), st.floats(allow_nan=False, allow_infinity=False), st.integers(-5, 5),
                          st.fractions(max_denominator=7), st.sampled_from(["0", "1/3", "-2"])), max_size=12))
def test_nonzero_rationals_are_the_nonzero_exact_entries(values):
    from mirrorlib.numbers.exact import nonzero_rationals, to_rational

    expected = [(index, to_rational(value)) for index, value in enumerate(values) if to_rational(value) != 0]
    assert nonzero_rationals(values) == expected
