"""The dual constraint over every neuron by branch and bound (mirrorlib.multidim.neuron_search),
against the exact pattern enumeration: its bounds must bracket the supremum over all patterns,
its neurons must attain what it reports, and fits driven by it must reach the optimum that the
exact pattern list certifies."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirrorlib.multidim.group_lasso import dual_constraint_values, fit_group_lasso
from mirrorlib.multidim.network import augment
from mirrorlib.multidim.neuron_search import every_neuron_certificate, fit_with_neuron_search, neuron_supremum
from mirrorlib.multidim.patterns import activation_patterns, patterns_of
from mirrorlib.multidim.sampling import sampled_patterns

pytest.importorskip("cvxpy")


def small_instance(seed: int, d: int, n: int, degenerate: bool) -> tuple[np.ndarray, np.ndarray]:
    """Integer data (repeated and collinear points when ``degenerate``: a coarse grid) and a
    centred residual with integer entries, so exact sums are available."""
    rng = np.random.default_rng(seed)
    spread = 2 if degenerate else 50
    X = rng.integers(-spread, spread + 1, size=(n, d)).astype(np.float64)
    r = rng.integers(-9, 10, size=n).astype(np.float64)
    return X, r - r.mean()


def exact_gated_sup_squared(X: np.ndarray, r: np.ndarray) -> Fraction:
    """``max_D ‖X̄ᵀD r‖²`` over the exact pattern list, in rationals."""
    Xbar = [[Fraction(float(v)) for v in row] for row in augment(X)]
    residual = [Fraction(float(v)) for v in r]
    best = Fraction(0)
    for mask in activation_patterns(X).masks:
        c = [sum((residual[i] * Xbar[i][j] for i in range(len(mask)) if mask[i]), Fraction(0)) for j in range(len(Xbar[0]))]
        best = max(best, sum(v * v for v in c))
    return best


def attained(X: np.ndarray, r: np.ndarray, activation: str, neuron: np.ndarray, sign: int) -> float:
    """The dual-constraint value of one neuron (ReLU) or gate (gated), computed directly."""
    Xbar = augment(X)
    if activation == "relu":
        return sign * float(r @ np.maximum(Xbar @ neuron, 0.0)) / float(np.linalg.norm(neuron))
    return float(np.linalg.norm(Xbar.T @ ((patterns_of(X, neuron[None, :])[0]) * r)))


@pytest.mark.parametrize("activation", ["relu", "gated"])
@settings(max_examples=40, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1), d=st.integers(1, 3), n=st.integers(2, 10), degenerate=st.booleans())
def test_bounds_bracket_the_supremum_over_every_pattern(activation, seed, d, n, degenerate):
    X, r = small_instance(seed, d, n, degenerate)
    search = neuron_supremum(X, r, activation)
    over_all = float(dual_constraint_values(X, activation_patterns(X).matrix(), r, activation).max())
    assert search.converged
    assert search.upper >= over_all
    assert search.lower <= over_all * (1 + 1e-9) + 1e-12
    assert search.upper <= search.lower * (1 + 1e-9) + 1e-12
    assert attained(X, r, activation, search.neuron, search.sign) == pytest.approx(search.lower, rel=1e-9, abs=1e-12)
    if activation == "gated":  # the supremum is a maximum of rational norms: compare exactly
        assert Fraction(search.upper) ** 2 >= exact_gated_sup_squared(X, r)


@pytest.mark.parametrize("activation", ["relu", "gated"])
def test_a_spent_budget_leaves_a_valid_wider_bound(activation):
    X, r = small_instance(3, 2, 9, False)
    over_all = float(dual_constraint_values(X, activation_patterns(X).matrix(), r, activation).max())
    search = neuron_supremum(X, r, activation, max_boxes=1)
    assert not search.converged and search.upper >= over_all and search.lower <= over_all * (1 + 1e-9)


def test_a_floor_stops_refinement_but_keeps_the_bound_valid():
    X, r = small_instance(5, 2, 10, False)
    over_all = float(dual_constraint_values(X, activation_patterns(X).matrix(), r, "relu").max())
    search = neuron_supremum(X, r, "relu", floor=2 * over_all)
    assert search.upper >= over_all and search.converged and search.upper <= 2 * over_all * (1 + 1e-9)


def test_violators_exceed_the_floor_and_are_attained():
    X, r = small_instance(11, 2, 10, False)
    floor = 0.5 * float(dual_constraint_values(X, activation_patterns(X).matrix(), r, "relu").max())
    search = neuron_supremum(X, r, "relu", floor=floor, keep=5)
    assert 1 <= len(search.violators) <= 5
    for neuron in search.violators:
        values = [attained(X, r, "relu", neuron, sign) for sign in (1, -1)]
        assert max(values) > floor


def exact_fit(X: np.ndarray, y: np.ndarray, beta: float, activation: str):
    return fit_group_lasso(X, y, beta, activation=activation, patterns=activation_patterns(X))


@pytest.mark.parametrize("activation", ["relu", "gated"])
def test_the_every_neuron_certificate_of_an_exact_fit_agrees_with_the_pattern_list(activation):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((14, 2))
    y = np.sin(2 * X[:, 0]) + X[:, 1] ** 2
    fit = exact_fit(X, y, 0.05, activation)
    certificate, search = every_neuron_certificate(fit)
    assert fit.certificate.is_optimal and certificate.is_optimal and search.converged
    assert certificate.sup == pytest.approx(fit.certificate.sup, rel=1e-8)
    assert certificate.scope.startswith("every neuron")


@pytest.mark.parametrize("activation", ["relu", "gated"])
def test_a_sampled_fit_is_judged_over_every_neuron_as_the_full_list_judges_it(activation):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((25, 2))
    y = np.sin(3 * X[:, 0]) * X[:, 1]
    fit = fit_group_lasso(X, y, 0.02, activation=activation, patterns=sampled_patterns(X, 6, seed=0))
    certificate, search = every_neuron_certificate(fit)
    over_all = float(dual_constraint_values(X, activation_patterns(X).matrix(), fit.residual() - fit.residual().mean(), activation).max())
    assert fit.certificate.is_optimal  # over its sample
    assert over_all > fit.beta * 1.01  # but six neurons miss better ones …
    assert not certificate.is_optimal and search.upper >= over_all  # … and the search says so
    assert search.lower > fit.beta
    optimum = exact_fit(X, y, 0.02, activation).objective
    assert fit.objective - certificate.duality_gap <= optimum * (1 + 1e-9)  # the gap bounds the distance


@pytest.mark.parametrize("activation", ["relu", "gated"])
def test_fits_driven_by_the_search_reach_the_certified_optimum_of_the_full_list(activation):
    rng = np.random.default_rng(2)
    X = rng.standard_normal((30, 2))
    y = np.cos(2 * X[:, 0]) + np.abs(X[:, 1])
    beta = 0.05
    reference = exact_fit(X, y, beta, activation)
    fit = fit_with_neuron_search(X, y, beta, activation=activation)
    assert fit.certificate.is_optimal and fit.certificate.scope.startswith("every neuron")
    assert fit.objective == pytest.approx(reference.objective, rel=2e-6)
    assert np.array_equal(patterns_of(X, fit.gates), fit.masks)  # exact witnesses of the working set
    network = fit.network()
    assert network.training_objective(X, y, beta) == pytest.approx(fit.objective, rel=1e-9)


def test_bad_arguments_are_refused_in_one_line():
    X, r = small_instance(0, 2, 5, False)
    cases = [
        (lambda: neuron_supremum(X, r, "tanh"), "activation"),
        (lambda: neuron_supremum(X, r[:3], "relu"), "r must be"),
        (lambda: neuron_supremum(X, np.full(5, np.nan), "relu"), "r must be"),
        (lambda: neuron_supremum(X, r, "relu", rtol=2.0), "rtol"),
        (lambda: neuron_supremum(X, r, "relu", max_boxes=0), "max_boxes"),
        (lambda: fit_with_neuron_search(X, r, -1.0), "beta"),
        (lambda: fit_with_neuron_search(X, r, 0.1, max_rounds=0), "max_rounds"),
        (lambda: fit_with_neuron_search(X, r[:2], 0.1), "labels"),
        (lambda: neuron_supremum(X * 1e200, r, "relu"), "X has entries above"),
        (lambda: neuron_supremum(X, r * 1e200, "relu"), "r has entries above"),
        (lambda: fit_with_neuron_search(X, r * 1e200, 0.1), "y has entries above"),
        (lambda: fit_with_neuron_search(np.ones((5, 6)), r, 0.1), "limited to d ≤ 5"),
    ]
    for call, words in cases:
        with pytest.raises(ValueError, match=words) as error:
            call()
        assert "\n" not in str(error.value)


def test_landscape_fit_searches_and_bounds_what_a_sample_misses(tmp_path):
    from typer.testing import CliRunner

    from mirrorlib.cli import app

    rng = np.random.default_rng(7)
    X = rng.uniform(-1, 1, (25, 2))
    y = np.sin(3 * X[:, 0]) * X[:, 1]
    data = tmp_path / "data.npz"
    np.savez(data, X=X, y=y)
    runner = CliRunner()
    searched = runner.invoke(app, ["landscape", "fit", "--data", str(data), "--beta", "0.02", "--search", "--quiet"])
    assert searched.exit_code == 0 and "OPTIMAL within tolerance over every neuron" in searched.output, searched.output
    sampled = runner.invoke(app, ["landscape", "fit", "--data", str(data), "--beta", "0.02", "--sample", "6", "--quiet"])
    assert sampled.exit_code == 0, sampled.output  # optimal over its sample …
    assert "what the sample misses: NOT OPTIMAL over every neuron" in sampled.output  # … not over every network
    for arguments, message in [(["--search", "--sample", "3"], "exclude each other"), (["--search", "--exact-check"], "--exact-check")]:
        result = runner.invoke(app, ["landscape", "fit", "--data", str(data), "--beta", "0.02", *arguments])
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, result.output


def test_trained_networks_on_many_points_are_judged_by_the_search_as_by_the_full_list():
    from mirrorlib.multidim.network import TwoLayerNetwork
    from mirrorlib.multidim.stationary import check_trained_network

    rng = np.random.default_rng(8)
    X = rng.uniform(-1, 1, (120, 2))  # 8·C(120, 2) = 57,120 candidate cells: above the exact default
    y = np.sin(3 * X[:, 0]) * X[:, 1] + X[:, 1] ** 2
    beta = 0.1
    optimum = fit_with_neuron_search(X, y, beta).network()
    shaken = TwoLayerNetwork(optimum.weights * 1.01, optimum.biases, optimum.output, optimum.intercept)
    every_pattern = activation_patterns(X)
    for network, optimal in [(optimum, True), (shaken, False)]:
        searched = check_trained_network(network, X, y, beta)
        listed = check_trained_network(network, X, y, beta, patterns=every_pattern)
        assert searched.certificate.scope.startswith("every neuron") and listed.certificate.scope.startswith("all")
        assert searched.globally_optimal is listed.globally_optimal is optimal
        assert searched.certificate.sup == pytest.approx(listed.certificate.sup, rel=1e-9)
