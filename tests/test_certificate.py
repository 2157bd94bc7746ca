"""KKT certificates: they accept optimal points and reject everything else, exactly."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mirrorlib.lasso.certificate import certify_lasso, lasso_objective
from mirrorlib.lasso.float_certificate import certify_lasso_float
from mirrorlib.lasso import solve_lasso_exact

F = Fraction
SETTINGS = settings(derandomize=True, deadline=None, max_examples=300, suppress_health_check=[HealthCheck.too_slow])
RATIONALS = st.builds(Fraction, st.integers(-6, 6), st.integers(1, 4))


@st.composite
def dictionaries(draw: st.DrawFn) -> tuple[list[tuple[Fraction, ...]], list[Fraction]]:
    """(A, y), N ∈ [1, 7], M ∈ [1, 12], with duplicate, negated, zero and constant columns."""
    n, m = draw(st.integers(1, 7)), draw(st.integers(1, 12))
    columns: list[list[Fraction]] = []
    for j in range(m):
        kind = draw(st.sampled_from(("random", "random", "duplicate", "negated", "zero", "constant"))) if j else "random"
        if kind == "random":
            columns.append(draw(st.lists(RATIONALS, min_size=n, max_size=n)))
        elif kind in ("duplicate", "negated"):
            source = columns[draw(st.integers(0, j - 1))]
            columns.append(list(source) if kind == "duplicate" else [-v for v in source])
        else:
            columns.append([F(0) if kind == "zero" else draw(RATIONALS)] * n)
    A = [tuple(columns[j][i] for j in range(m)) for i in range(n)]
    return A, draw(st.lists(RATIONALS, min_size=n, max_size=n))


BETAS = st.one_of(
    st.builds(Fraction, st.integers(1, 10**4), st.integers(1, 10**3)),
    st.sampled_from([F(1, 10**9), F(10**9)]),
)

# Single-column example: a = (0,1), y = (0,1), β = ¼: z* = ½, ξ* = ¼, r = (−¼, ¼), objective 3/16.
A1, Y1, B1 = [[0], [1]], [0, 1], F(1, 4)


def test_optimal_point_is_certified_with_zero_gap() -> None:
    certificate = certify_lasso(A1, Y1, [F(1, 2)], F(1, 4), B1)
    assert certificate.is_optimal and certificate.failures == ()
    assert certificate.residual == (F(-1, 4), F(1, 4))
    assert certificate.correlations == (F(1, 4),)
    assert certificate.objective == F(3, 16) == lasso_objective(A1, Y1, [F(1, 2)], F(1, 4), B1)
    assert certificate.duality_gap == 0
    assert certificate.intercept_violation == certificate.dual_feasibility_violation == certificate.support_violation == 0


def test_wrong_intercept_fails_the_intercept_condition() -> None:
    certificate = certify_lasso(A1, Y1, [F(1, 2)], F(0), B1)
    assert not certificate.is_optimal
    assert certificate.intercept_violation == F(1, 2)
    assert any(text.startswith("intercept") for text in certificate.failures)
    assert certificate.duality_gap > 0


def test_too_large_coefficient_fails_the_support_condition_naming_the_index() -> None:
    certificate = certify_lasso(A1, Y1, [F(3, 4)], F(1, 8), B1)  # a₀ᵀr = 1/8 ≠ β
    assert not certificate.is_optimal
    assert certificate.support_violation == F(1, 8)
    assert any("support" in text and "0 (z_i = 3/4" in text for text in certificate.failures)


def test_zero_below_beta_max_fails_dual_feasibility_naming_the_column() -> None:
    A = [[0, 5], [1, 5]]  # column 1 is constant (never active)
    certificate = certify_lasso(A, Y1, [0, 0], F(1, 2), B1)  # correlation ½ > β = ¼
    assert not certificate.is_optimal
    assert certificate.dual_feasibility_violation == F(1, 4)
    assert any("dual feasibility" in text and "column(s) 0 " in text for text in certificate.failures)


def test_limit_mode_certifies_least_squares_and_minimum_l1() -> None:
    A = [[0, 0], [1, 0], [2, 1]]  # y = x − 2 relu(x − 1) is interpolated exactly
    certificate = certify_lasso(A, [0, 1, 0], [1, -2], 0, None)  # candidate λ is constructed
    assert certificate.is_optimal, certificate.failures
    assert certificate.duality_gap is None and certificate.dual is not None
    assert "β→0⁺" in certificate.certified
    # not least squares
    assert not certify_lasso(A, [0, 1, 0], [1, -1], 0, None).is_optimal


def test_limit_mode_rejects_a_bad_dual_vector() -> None:
    A = [[0, 0], [1, 0], [2, 1]]
    certificate = certify_lasso(A, [0, 1, 0], [1, -2], 0, None, dual=[1, 1, 1])
    assert not certificate.is_optimal
    assert any("1ᵀλ" in text for text in certificate.failures)
    with pytest.raises(ValueError, match="dual"):
        certify_lasso(A, [0, 1, 0], [1, -2], 0, None, dual=[1, 1])


def test_beta_zero_certifies_plain_least_squares() -> None:
    A = [[0, 0, 0], [1, 0, 0], [2, 1, 2]]
    for z in ([1, -2, 0], [1, 0, -1], [1, -1, F(-1, 2)]):
        assert certify_lasso(A, [0, 1, 0], z, 0, 0).is_optimal
    assert not certify_lasso(A, [0, 1, 0], [1, 0, 0], 0, 0).is_optimal


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"beta": -1}, ValueError, "beta must be ≥ 0"),
        ({"beta": float("nan")}, ValueError, "beta"),
        ({"z": [1, 2]}, ValueError, "one coefficient per column"),
        ({"y": [1]}, ValueError, "one label per row"),
        ({"xi": "a"}, ValueError, "xi"),
        ({"A": []}, ValueError, "A is empty"),
    ],
)
def test_certificate_rejects_bad_input(kwargs: dict, error: type, match: str) -> None:
    arguments = {"A": A1, "y": Y1, "z": [F(1, 2)], "xi": F(1, 4), "beta": B1, **kwargs}
    with pytest.raises(error, match=match):
        certify_lasso(**arguments)


@given(problem=dictionaries(), beta=BETAS, data=st.data())
@SETTINGS
def test_certificate_accepts_exactly_the_optimal_points(problem: tuple, beta: Fraction, data: st.DataObject) -> None:
    """Perturb the exact solution; the certificate must pass iff the objective stays optimal."""
    A, y = problem
    beta_max = solve_lasso_exact(A, y, beta).beta_max
    if beta_max > 0 and data.draw(st.booleans()):  # β in (0, β_max): a non-trivial solution
        beta = beta_max * data.draw(st.builds(Fraction, st.integers(1, 99), st.just(100)))
    optimum = solve_lasso_exact(A, y, beta)
    z = list(optimum.z)
    how = data.draw(st.sampled_from(["coordinate", "scale", "other beta", "zero"]))
    if how == "coordinate":
        index = data.draw(st.integers(0, len(z) - 1))
        z[index] += data.draw(RATIONALS.filter(lambda v: v != 0))
    elif how == "scale":
        z = [data.draw(st.sampled_from([F(1, 2), F(3, 2)])) * v for v in z]
    elif how == "zero":  # z = 0 is optimal iff β ≥ β_max (dual feasibility)
        z = [F(0)] * len(z)
    else:  # the solution for another β
        z = list(solve_lasso_exact(A, y, beta * data.draw(st.sampled_from([F(1, 3), F(3)]))).z)
    best_intercept = sum((v - sum((a * w for a, w in zip(row, z)), F(0)) for row, v in zip(A, y)), F(0)) / len(y)
    xi = best_intercept + data.draw(st.sampled_from([F(0), F(0), F(1, 7)]))
    certificate = certify_lasso(A, y, z, xi, beta)
    value = lasso_objective(A, y, z, xi, beta)
    assert value >= optimum.objective
    assert certificate.is_optimal == (value == optimum.objective)
    assert certificate.is_optimal == (not certificate.failures)
    # weak duality, exactly: D(θ) = P − gap ≤ P* ≤ P, and gap = 0 iff optimal
    assert certificate.objective - certificate.duality_gap <= optimum.objective <= certificate.objective
    assert (certificate.duality_gap == 0) == certificate.is_optimal


@given(problem=dictionaries(), data=st.data())
@SETTINGS
def test_limit_certificate_rejects_non_minimal_or_non_least_squares_points(problem: tuple, data: st.DataObject) -> None:
    A, y = problem
    limit = solve_lasso_exact(A, y, None)
    z = list(limit.z)
    z[data.draw(st.integers(0, len(z) - 1))] += data.draw(RATIONALS.filter(lambda v: v != 0))
    xi = F(sum(y, F(0)) - sum((sum(row[j] * z[j] for j in range(len(z))) for row in A), F(0))) / len(y)
    certificate = certify_lasso(A, y, z, xi, None, dual=limit.dual)
    least_squares = lasso_objective(A, y, z, xi, None) == limit.objective
    minimal = sum(abs(v) for v in z) == sum(abs(v) for v in limit.z)
    assert certificate.is_optimal == (least_squares and minimal)


def test_float_certificate_on_exact_and_perturbed_solutions() -> None:
    A = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 1.0], [3.0, 3.0]])
    y = np.array([0.0, 1.0, 0.0, 2.0])
    exact = solve_lasso_exact(A, y, F(1, 10))
    z = np.array([float(v) for v in exact.z])
    good = certify_lasso_float(A, y, z, float(exact.xi), 0.1, tol=1e-12)
    assert good.is_optimal and good.relative_gap <= 1e-12 and good.failures == ()
    assert good.objective == pytest.approx(float(exact.objective), rel=1e-14)
    assert good.dual_feasibility_violation <= 1e-12 and good.support_violation <= 1e-12
    bad = certify_lasso_float(A, y, z + np.array([1e-3, 0.0]), float(exact.xi), 0.1, tol=1e-12)
    assert not bad.is_optimal and bad.relative_gap > 1e-8
    assert "relative duality gap" in bad.failures[0]
    shifted = certify_lasso_float(A, y, z, float(exact.xi) + 0.5, 0.1, tol=1e-12)
    assert not shifted.is_optimal and shifted.intercept_violation > 0.1


@pytest.mark.parametrize(
    ("kwargs", "error", "match"),
    [
        ({"beta": 0.0}, ValueError, "beta must be > 0"),
        ({"beta": True}, TypeError, "beta"),
        ({"xi": float("inf")}, ValueError, "xi must be finite"),
        ({"y": [0.0, np.nan]}, ValueError, "y contains NaN"),
        ({"z": [1.0, 2.0]}, ValueError, "columns of A"),
        ({"A": np.zeros((0, 1))}, ValueError, "non-empty"),
        ({"tol": -1.0}, ValueError, "tol"),
    ],
)
def test_float_certificate_rejects_bad_input(kwargs: dict, error: type, match: str) -> None:
    arguments = {"A": np.array([[0.0], [1.0]]), "y": [0.0, 1.0], "z": [0.5], "xi": 0.25, "beta": 0.25, **kwargs}
    with pytest.raises(error, match=match):
        certify_lasso_float(**arguments)
