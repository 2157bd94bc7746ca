"""Two-layer networks on d-dimensional data: exact patterns, the group Lasso, its certificate and
the check of trained networks, each against an independent computation."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

from mirrorlib.multidim.group_lasso import dual_constraint_values, fit_group_lasso
from mirrorlib.multidim.network import TwoLayerNetwork, augment
from mirrorlib.multidim.patterns import _dichotomies, activation_patterns, cover_count, pattern_candidates, patterns_of
from mirrorlib.multidim.sampling import sampled_patterns
from mirrorlib.multidim.stationary import check_trained_network, polish_stationary, stationarity, train_two_layer

cp = pytest.importorskip("cvxpy")


def general_position(points: list[list[Fraction]]) -> bool:
    """No d + 1 points on an affine hyperplane (brute force over subsets, exact)."""
    d = len(points[0])
    for subset in itertools.combinations(points, d + 1):
        matrix = [[Fraction(1), *p] for p in subset]
        from mirrorlib.numbers.linalg import rank

        if rank(matrix) < d + 1:
            return False
    return True


@settings(max_examples=25, deadline=None, derandomize=True)
@given(st.integers(1, 3), st.integers(2, 9), st.integers(0, 2**32 - 1))
def test_pattern_count_is_covers_number_in_general_position(d, n, seed):
    rng = np.random.default_rng(seed)
    X = [[Fraction(int(v), int(q)) for v, q in zip(rng.integers(-50, 51, d), rng.integers(1, 7, d))] for _ in range(n)]
    patterns = activation_patterns(X)
    exact_general = general_position(X)
    assert patterns.general_position == exact_general
    if exact_general:
        assert len(patterns) == cover_count(n, d)
    else:
        assert len(patterns) < cover_count(n, d)
    assert len(set(patterns.masks)) == len(patterns)


def lp_separable(X: np.ndarray, mask: tuple[bool, ...]) -> bool:
    """Independent check: is there θ with x̄ᵢᵀθ ≥ 1 on the mask and ≤ −1 off it? (An open cell;
    scaling makes the margin 1.) Solved by scipy's HiGHS."""
    Xbar = augment(X)
    signs = np.where(mask, 1.0, -1.0)
    result = linprog(np.zeros(Xbar.shape[1]), A_ub=-(signs[:, None] * Xbar), b_ub=-np.ones(len(mask)), bounds=[(None, None)] * Xbar.shape[1])
    return result.status == 0


@pytest.mark.parametrize(
    "points",
    [
        [[0, 0], [1, 0], [2, 0], [0, 1], [1, 1], [2, 1]],  # two parallel lines of collinear points
        [[0, 0], [1, 1], [2, 2], [3, 3], [1, 0]],  # four collinear and one off
        [[0, 0], [0, 0], [1, 0], [0, 1]],  # a repeated point
        [[0, 0, 0], [1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]],  # four coplanar in 3-D
        [[1, 2], [2, 4], [3, 6]],  # data on a line (proper affine subspace)
    ],
)
def test_degenerate_data_patterns_are_exactly_the_linearly_separable_dichotomies(points):
    """Against brute force over all 2^N dichotomies with an LP each: the same set."""
    X = np.array(points, dtype=float)
    patterns = activation_patterns(points)
    separable = {mask for mask in itertools.product((False, True), repeat=len(points)) if lp_separable(X, mask)}
    assert set(patterns.masks) == separable
    assert not patterns.general_position


def test_witnesses_reproduce_their_patterns_exactly():
    rng = np.random.default_rng(5)
    X = [[Fraction(int(v), 7) for v in row] for row in rng.integers(-20, 21, (12, 2))]
    patterns = activation_patterns(X)
    assert np.array_equal(patterns_of(X, patterns.thetas()), patterns.matrix())
    assert set(patterns.masks) == set(_dichotomies([list(p) for p in X]))  # the fast path = the general recursion


def test_patterns_of_zero_or_no_neurons_on_data_beyond_int64():
    X = np.array([[1e-20, 0.7], [1 / 3, -2.9]])  # float data: integers far beyond 2^62 once scaled to a common denominator
    assert patterns_of(X, np.zeros((0, 3))).shape == (0, 2)
    assert patterns_of(X, [[0, 0, 0]]).tolist() == [[True, True]]  # θ = 0: every point has x̄ᵀθ = 0 ≥ 0


def test_pattern_enumeration_is_refused_before_any_work():
    with pytest.raises(ValueError, match="max_candidates"):
        activation_patterns(np.zeros((2000, 3)))
    assert pattern_candidates(2000, 3) > 10**10
    with pytest.raises(ValueError, match="shape"):
        activation_patterns(np.zeros((0, 2)))


def test_sampled_patterns_are_a_subset_and_say_so():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((15, 2))
    sample = sampled_patterns(X, 200, seed=2)
    assert set(sample.masks) <= set(activation_patterns(X).masks)
    assert sample.sampled and "sample" in sample.scope
    with pytest.raises(ValueError, match="count"):
        sampled_patterns(X, 0)


def full_program_optimum(X: np.ndarray, y: np.ndarray, beta: float, masks: np.ndarray, activation: str) -> float:
    """The convex program over every pattern, written directly in cvxpy (independent of
    mirrorlib's working sets and certificate)."""
    Xbar = augment(X)
    P, q = masks.shape[0], Xbar.shape[1]
    V, W, xi = cp.Variable((P, q)), cp.Variable((P, q)), cp.Variable()
    terms = [cp.multiply(masks[p].astype(float), Xbar @ (V[p] - W[p] if activation == "relu" else V[p])) for p in range(P)]
    penalty = cp.sum(cp.norm(V, 2, axis=1)) + (cp.sum(cp.norm(W, 2, axis=1)) if activation == "relu" else 0)
    constraints = []
    if activation == "relu":
        for p in range(P):
            S = Xbar * np.where(masks[p], 1.0, -1.0)[:, None]
            constraints += [S @ V[p] >= 0, S @ W[p] >= 0]
    problem = cp.Problem(cp.Minimize(0.5 * cp.sum_squares(sum(terms) + xi - y) + beta * penalty), constraints)
    problem.solve(solver="CLARABEL")
    return float(problem.value)


@pytest.mark.parametrize("activation", ["relu", "gated"])
def test_certified_fit_reaches_the_full_convex_optimum_and_the_network_matches_it(activation):
    rng = np.random.default_rng(11)
    X = rng.uniform(-1, 1, (12, 2))
    y = np.sin(3 * X[:, 0]) * X[:, 1] + 0.05 * rng.standard_normal(12)
    beta = 0.02
    fit = fit_group_lasso(X, y, beta, activation=activation)
    assert fit.certificate.is_optimal and "all" in fit.certificate.scope
    reference = full_program_optimum(X, y, beta, activation_patterns(X).matrix(), activation)
    assert abs(fit.objective - reference) <= 1e-6 * reference
    network = fit.network()
    assert abs(network.training_objective(X, y, beta) - fit.objective) <= 1e-9 * fit.objective
    assert np.allclose(network.predict(X), fit.network().predict(X))


def test_a_fit_over_too_few_patterns_is_not_certified():
    """Restricting the program to a small sample of patterns gives a worse objective, and the
    certificate over all patterns says NOT OPTIMAL with a gap at least the true excess."""
    rng = np.random.default_rng(4)
    X = rng.uniform(-1, 1, (14, 2))
    y = np.sign(X[:, 0] * X[:, 1])
    beta = 0.02
    best = fit_group_lasso(X, y, beta, activation="gated")
    sample = sampled_patterns(X, 3, seed=0)
    sampled = fit_group_lasso(X, y, beta, activation="gated", patterns=sample)
    assert sampled.objective > best.objective * (1 + 1e-3)
    # re-certify the sampled network over every pattern: the gap bounds the excess
    report_sup = dual_constraint_values(X, activation_patterns(X).matrix(), y - sampled.network().predict(X) - np.mean(y - sampled.network().predict(X)), "gated").max()
    assert report_sup > beta


def test_relu_dual_value_is_the_best_unit_in_the_cone():
    """‖Π_K(c)‖ against a brute-force maximisation of rᵀrelu(X̄u) over many unit vectors u."""
    rng = np.random.default_rng(2)
    X = rng.standard_normal((9, 2))
    r = rng.standard_normal(9)
    r -= r.mean()
    patterns = activation_patterns(X)
    values = dual_constraint_values(X, patterns.matrix(), r, "relu")
    angles = rng.standard_normal((200_000, 3))
    angles /= np.linalg.norm(angles, axis=1, keepdims=True)
    sampled = np.abs(np.maximum(augment(X) @ angles.T, 0.0).T @ r).max()
    assert sampled <= values.max() + 1e-12
    assert sampled >= values.max() * (1 - 1e-2)


def restricted_optimum(X: np.ndarray, y: np.ndarray, beta: float, network: TwoLayerNetwork) -> float:
    """Independent (a): the ReLU program over the network's own patterns, one variable pair per
    neuron's pattern, in cvxpy."""
    own = np.unique(network.patterns(X), axis=0)
    own = own[own.any(axis=1)]
    return full_program_optimum(X, y, beta, own, "relu")


def test_trained_networks_are_classified_as_an_independent_computation_says():
    rng = np.random.default_rng(8)
    for trial in range(6):
        X = rng.standard_normal((9, 2))
        y = rng.standard_normal(9)
        beta = 0.1
        network = train_two_layer(X, y, beta, width=int(rng.integers(2, 7)), seed=trial)
        report = check_trained_network(network, X, y, beta)
        own = restricted_optimum(X, y, beta, network)
        objective = network.training_objective(X, y, beta)
        assert abs(report.objective - objective) <= 1e-12 * objective
        assert abs(report.restricted_optimum - min(own, objective)) <= 1e-6 * objective
        assert report.restricted_optimal == (objective - own <= 1e-6 * objective + 1e-7 * objective)
        best = fit_group_lasso(X, y, beta).objective
        assert report.globally_optimal == (objective <= best * (1 + 1e-6))
        assert report.certificate.duality_gap >= objective - best - 1e-7 * objective  # the gap bounds the excess
    # the certified optimum itself is classified as optimal in both senses
    X = rng.standard_normal((9, 2))
    y = rng.standard_normal(9)
    fit = fit_group_lasso(X, y, 0.1)
    report = check_trained_network(fit.network(), X, y, 0.1)
    assert report.restricted_optimal and report.globally_optimal


def test_bad_input_is_refused_with_a_clear_message():
    X = np.zeros((4, 2))
    with pytest.raises(ValueError, match="beta"):
        fit_group_lasso(X, np.zeros(4), 0.0)
    with pytest.raises(ValueError, match="activation"):
        fit_group_lasso(X, np.zeros(4), 0.1, activation="tanh")
    with pytest.raises(ValueError, match="labels"):
        fit_group_lasso(X, np.zeros(3), 0.1)
    with pytest.raises(ValueError, match="finite"):
        fit_group_lasso(np.array([[np.nan, 0.0]]), np.zeros(1), 0.1)
    with pytest.raises(ValueError, match="other data"):
        fit_group_lasso(X + 1, np.zeros(4), 0.1, patterns=activation_patterns(X))


def test_landscape_commands_fit_check_and_refuse(tmp_path):
    from typer.testing import CliRunner

    from mirrorlib.cli import app

    rng = np.random.default_rng(6)
    X = rng.uniform(-1, 1, (10, 2))
    y = np.abs(X[:, 0]) - X[:, 1]
    data = tmp_path / "data.npz"
    np.savez(data, X=X, y=y)
    runner = CliRunner()
    result = runner.invoke(app, ["landscape", "fit", "--data", str(data), "--beta", "0.05", "--quiet", "--plot", str(tmp_path / "s.png")])
    assert result.exit_code == 0, result.output
    assert "OPTIMAL within tolerance over all" in result.output and (tmp_path / "s.png").stat().st_size > 10_000
    result = runner.invoke(app, ["landscape", "fit", "--data", str(data), "--beta", "0.05", "--quiet", "--exact-check"])
    assert result.exit_code == 0 and "exact rational arithmetic" in result.output, result.output
    result = runner.invoke(app, ["landscape", "fit", "--data", str(data), "--beta", "0.05", "--quiet", "--exact-check", "--sample", "3"])
    assert result.exit_code == 0 and "sampled activation patterns (a sample, not all patterns): J − J*" in result.output, result.output
    fit = fit_group_lasso(X, y, 0.05)
    net = fit.network()
    optimum = tmp_path / "optimum.npz"
    np.savez(optimum, W=net.weights, b=net.biases, alpha=net.output, xi=net.intercept)
    result = runner.invoke(app, ["landscape", "check", str(optimum), "--data", str(data), "--beta", "0.05", "--format", "json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["globally_optimal"] is True
    small = tmp_path / "small.npz"
    np.savez(small, W=np.array([[1.0, 0.0]]), b=np.array([0.0]), alpha=np.array([0.1]))
    result = runner.invoke(app, ["landscape", "check", str(small), "--data", str(data), "--beta", "0.05"])
    assert result.exit_code == 1 and "NOT OPTIMAL" in result.output
    for arguments, message in [
        (["landscape", "fit", "--data", str(tmp_path / "missing.npz"), "--beta", "1"], "--data: cannot read"),
        (["landscape", "fit", "--data", str(small), "--beta", "1"], "--data: "),
        (["landscape", "fit", "--data", str(data), "--beta", "0"], "--beta must be > 0"),
        (["landscape", "fit", "--data", str(data), "--beta", "1", "--activation", "tanh"], "--activation"),
        (["landscape", "check", str(data), "--data", str(data), "--beta", "1"], "WEIGHTS: "),
    ]:
        result = runner.invoke(app, arguments)
        assert result.exit_code == 2 and message in result.output and "Traceback" not in result.output, (arguments, result.output)
    wide = tmp_path / "wide.npz"
    np.savez(wide, W=np.ones((1, 3)), b=np.zeros(1), alpha=np.ones(1))
    result = runner.invoke(app, ["landscape", "check", str(wide), "--data", str(data), "--beta", "1"])
    assert result.exit_code == 2 and "d = 3" in result.output


@pytest.mark.parametrize("activation", ["relu", "gated"])
def test_constant_labels_give_the_empty_network(activation):
    X = np.array([[0.0, 1.0], [1.0, 0.0], [2.0, 2.0]])
    fit = fit_group_lasso(X, np.full(3, 2.5), 0.1, activation=activation)
    network = fit.network()
    assert network.width == 0 and fit.objective == 0.0 and fit.certificate.is_optimal
    assert np.array_equal(network.predict(X), np.full(3, 2.5))


def test_enumeration_memory_is_estimated_before_any_work(monkeypatch):
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(50 * 1024**2))
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match=r"about \d+\.\d MiB \(limit 50.0 MiB\)"):
        activation_patterns(rng.uniform(size=(150, 2)))  # float data: Python integers, ~0.3 GiB
    assert len(activation_patterns(rng.integers(0, 50, (30, 2)))) > 0  # small integers fit


def test_sampled_patterns_do_not_depend_on_the_chunk_size(monkeypatch):
    """Neurons are evaluated in chunks; the same stream gives the same patterns and witnesses."""
    from mirrorlib.multidim import sampling

    X = np.random.default_rng(3).uniform(size=(40, 2))
    whole = sampling.sampled_patterns(X, 3000, seed=2)
    monkeypatch.setattr(sampling, "CHUNK_ENTRIES", 40 * 7)
    chunked = sampling.sampled_patterns(X, 3000, seed=2)
    assert (whole.masks, whole.weights, whole.biases) == (chunked.masks, chunked.weights, chunked.biases)
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(10 * 1024**2))
    with pytest.raises(ValueError, match="sample fewer neurons"):
        sampling.sampled_patterns(np.random.default_rng(0).uniform(size=(500, 3)), 1_000_000)


def test_landscape_fit_refuses_a_huge_sample_with_one_line(tmp_path):
    from typer.testing import CliRunner

    from mirrorlib.cli import app

    data = tmp_path / "data.npz"
    np.savez(data, X=np.random.default_rng(0).uniform(size=(6, 2)), y=np.arange(6.0))
    result = CliRunner().invoke(app, ["landscape", "fit", "--data", str(data), "--beta", "0.1", "--sample", "100000000"])
    assert result.exit_code == 2 and "--sample must be at most 10,000,000" in result.output and "Traceback" not in result.output


# --------------------------------------------------------------------------- exact re-check
@pytest.mark.parametrize("activation", ["relu", "gated"])
@settings(max_examples=6, deadline=None, derandomize=True)
@given(seed=st.integers(0, 2**32 - 1))
def test_exact_gap_bound_agrees_with_the_float_certificate_and_is_rigorous(activation, seed):
    from mirrorlib.multidim.exact_check import exact_gap_bound
    from mirrorlib.multidim.stationary import train_two_layer

    rng = np.random.default_rng(seed)
    X = rng.integers(-3, 4, size=(9, 2)).astype(float)
    y = rng.standard_normal(9)
    patterns = activation_patterns(X)
    fit = fit_group_lasso(X, y, 0.1, activation=activation, patterns=patterns)
    bound = exact_gap_bound(fit, patterns)
    assert bound.gap >= 0 and bound.is_optimal == fit.certificate.is_optimal
    assert abs(float(bound.objective) - fit.objective) <= 1e-9 * fit.objective
    assert float(bound.gap) <= fit.certificate.duality_gap + 1e-9 * fit.objective
    if activation == "relu":  # a trained network: the bound must cover its distance to the optimum
        trained = train_two_layer(X, y, 0.1, width=3, seed=seed % 1000)
        check = exact_gap_bound(trained, patterns, y=y, beta=0.1, activation="relu")
        assert float(check.gap) >= float(check.objective) - fit.objective - 1e-9 * fit.objective


def test_exact_gap_bound_states_its_scope_and_refuses_missing_inputs():
    from mirrorlib.multidim.exact_check import exact_gap_bound

    X, y = [[0, 0], [1, 0], [0, 1], [2, 3]], [0.0, 1.0, 1.0, 0.0]
    sample = sampled_patterns(X, 30, seed=0)
    bound = exact_gap_bound(fit_group_lasso(X, y, 0.1, patterns=sample), sample)
    assert "sampled" in bound.scope and "exact rational" in bound.summary()
    network = fit_group_lasso(X, y, 0.1).network()
    with pytest.raises(ValueError, match="needs y, beta and activation"):
        exact_gap_bound(network, sample)
    with pytest.raises(ValueError, match="y has 3 labels"):
        exact_gap_bound(network, sample, y=y[:3], beta=0.1, activation="relu")


def _objective(network: TwoLayerNetwork, X: np.ndarray, y: np.ndarray, beta: float) -> float:
    return network.training_objective(X, y, beta)


def test_polished_networks_are_verified_stationary_points_optimal_for_their_own_patterns() -> None:
    rng = np.random.default_rng(5)
    verified = 0
    for seed in range(8):
        X, y = rng.integers(-20, 21, (8, 2)) / 4, rng.integers(-10, 11, 8) / 4
        network = polish_stationary(train_two_layer(X, y, 0.1, width=5, seed=seed), X, y, 0.1)
        verdict = stationarity(network, X, y, 0.1)
        report = check_trained_network(network, X, y, 0.1)
        assert report.stationary == verdict  # the report carries the same verdict …
        assert ("stationary point: VERIFIED" in report.as_text()) is verdict.is_stationary  # … and prints it
        if not verdict.is_stationary:
            continue
        verified += 1
        assert report.restricted_optimal, report.as_text()
        # independent first-order check: J's central differences along random directions are ~0
        theta = network._theta()
        for _ in range(5):
            direction = [rng.standard_normal(theta.shape), rng.standard_normal(network.width), rng.standard_normal()]
            step = 1e-6

            def moved(t: float) -> TwoLayerNetwork:
                shifted = theta + t * direction[0]
                return TwoLayerNetwork(shifted[:, :2], shifted[:, 2], network.output + t * direction[1], network.intercept + t * direction[2])

            slope = (_objective(moved(step), X, y, 0.1) - _objective(moved(-step), X, y, 0.1)) / (2 * step)
            assert abs(slope) < 1e-5
    assert verified >= 3


def test_stationarity_rejects_non_stationary_points() -> None:
    X = np.array([[0.0, 0.0], [1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    y = np.array([0.0, 1.0, 1.0, 3.0])
    random_start = TwoLayerNetwork(np.array([[1.0, 1.0]]), np.array([-0.5]), np.array([1.0]), 0.0)
    assert not stationarity(random_start, X, y, 0.1).is_stationary  # gradient far from 0
    on_a_point = TwoLayerNetwork(np.array([[1.0, 1.0]]), np.array([-1.0]), np.array([1.0]), 0.0)  # x = (1, 0) on its hyperplane
    verdict = stationarity(on_a_point, X, y, 0.1)
    assert verdict.margin == 0.0 and not verdict.is_stationary
    dead = TwoLayerNetwork(np.zeros((2, 2)), np.zeros(2), np.zeros(2), float(y.mean()))
    assert stationarity(dead, X, y, 0.1) == stationarity(dead, X, y, 0.1) and stationarity(dead, X, y, 0.1).live == 0


def test_stationarity_arguments_are_checked() -> None:
    X, y = np.array([[0.0, 0.0], [1.0, 1.0]]), np.array([0.0, 1.0])
    network = TwoLayerNetwork(np.ones((1, 2)), np.zeros(1), np.ones(1), 0.0)
    with pytest.raises(ValueError, match="rounds must be"):
        polish_stationary(network, X, y, 0.1, rounds=0)
    with pytest.raises(ValueError, match="from 1 to 1000"):
        polish_stationary(network, X, y, 0.1, rounds=10**9)
    with pytest.raises(ValueError, match="dead_tol"):
        polish_stationary(network, X, y, 0.1, dead_tol=float("nan"))
    with pytest.raises(ValueError, match="gradient_tol"):
        stationarity(network, X, y, 0.1, gradient_tol=-1.0)
    with pytest.raises(ValueError, match="d = 2 inputs but X has 3 columns"):
        polish_stationary(network, np.zeros((2, 3)), y, 0.1)
    with pytest.raises(ValueError, match="d = 2 inputs but X has 3 columns"):
        stationarity(network, np.zeros((2, 3)), y, 0.1)
