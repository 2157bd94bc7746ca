"""Non-convex baseline training (theory §3 equivalence): gradients, determinism, and the Lasso lower bound."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import Lasso

from mirrorlib.functions.activations import absolute, get_activation, leaky_relu, pwl_activation, relu
from mirrorlib.libraries import library
from mirrorlib.networks.training import TrainingProblem, explain_breakpoints, train_nonconvex

F = Fraction
HARD_TANH = pwl_activation([-1, 1], [-1, 1], left_slope=0, right_slope=0, name="hard_tanh")


# --------------------------------------------------------------------------- reference Lasso bounds
def lasso_bounds(A: np.ndarray, y: list[Fraction], beta: Fraction) -> tuple[Fraction, Fraction]:
    """Exact ``(lower, upper)`` with ``lower ≤ P* ≤ upper`` for ``P* = min ½‖Az + ξ1 − y‖² + β‖z‖₁``.

    sklearn's coordinate descent (objective ``(1/2N)‖·‖² + α‖z‖₁``, so ``α = β/N``, intercept fitted)
    gives ``(z, ξ)``; ``upper = P(z, ξ)`` exactly. The centred residual ``ρ`` scaled by
    ``s = min(1, β/‖Aᵀρ‖∞)`` is dual feasible (``1ᵀλ = 0``, ``|Aᵀλ| ≤ β``), so by weak duality
    ``lower = λᵀy − ½‖λ‖² ≤ P*``, computed exactly. Independent of mirrorlib.lasso.
    """
    n, m = A.shape
    model = Lasso(alpha=float(beta) / n, fit_intercept=True, tol=1e-14, max_iter=10**6)
    model.fit(A.astype(np.float64), np.array([float(v) for v in y]))
    z = [F(float(v)) for v in model.coef_]
    xi = F(float(model.intercept_))
    fitted = [xi + sum((A[j, i] * z[i] for i in range(m) if z[i]), F(0)) for j in range(n)]
    upper = sum(((f - t) ** 2 for f, t in zip(fitted, y)), F(0)) / 2 + beta * sum(abs(v) for v in z)
    residual = [t - f for f, t in zip(fitted, y)]
    mean = sum(residual, F(0)) / n
    centred = [r - mean for r in residual]
    correlation = max(abs(sum((A[j, i] * centred[j] for j in range(n)), F(0))) for i in range(m))
    scale = min(F(1), beta / correlation) if correlation else F(1)
    dual = [scale * r for r in centred]
    lower = sum((d * t for d, t in zip(dual, y)), F(0)) - sum((d * d for d in dual), F(0)) / 2
    return lower, upper


# --------------------------------------------------------------------------- gradients
def _kink_margin(problem: TrainingProblem, theta: np.ndarray) -> float:
    """Smallest distance of a pre-activation to a breakpoint of σ (finite differences need > h)."""
    W, B, _, _ = problem.unpack(theta)
    breakpoints = np.array([float(b) for b in problem.activation.function.breakpoints])
    hidden = np.broadcast_to(problem.x, (problem.n_units, problem.x.size))
    margin = np.inf
    for layer in range(problem.n_layers):
        pre = W[:, layer, None] * hidden + B[:, layer, None]
        if breakpoints.size:
            margin = min(margin, float(np.min(np.abs(pre[..., None] - breakpoints))))
        hidden = problem.activation.function.evaluate(pre)
    return margin


@settings(derandomize=True, deadline=None, max_examples=30)
@given(
    seed=st.integers(0, 10**6),
    activation=st.sampled_from([relu(), absolute(), leaky_relu(F(1, 10)), HARD_TANH]),
    depth=st.integers(2, 4),
    n_units=st.integers(1, 3),
)
def test_backprop_matches_finite_differences(seed: int, activation, depth: int, n_units: int) -> None:
    rng = np.random.default_rng(seed)
    x = np.sort(rng.uniform(-2, 3, size=5))
    y = rng.standard_normal(5)
    problem = TrainingProblem(x, y, activation, depth, 0.3, n_units)
    theta = problem.initial_point(rng) + 0.3 * rng.standard_normal(problem.n_parameters)
    step = 1e-6
    assume(_kink_margin(problem, theta) > 1e3 * step)
    value, gradient = problem.objective_and_gradient(theta)
    numeric = np.empty_like(theta)
    for k in range(theta.size):
        shift = np.zeros_like(theta)
        shift[k] = step
        numeric[k] = (problem.objective(theta + shift) - problem.objective(theta - shift)) / (2 * step)
    assert np.allclose(gradient, numeric, rtol=1e-6, atol=1e-6 * max(1.0, abs(value)))
    # the training objective of the network view agrees with the optimiser's objective
    network = problem.network(theta)
    assert network.training_objective(x, y, 0.3) == pytest.approx(value, rel=1e-12)


def test_relu_subgradient_at_the_kink_is_the_right_derivative() -> None:
    problem = TrainingProblem(np.array([1.0]), np.array([0.0]), relu(), 2, 1.0, 1)
    theta = problem.pack(np.array([[1.0]]), np.array([[-1.0]]), np.array([1.0]), 0.0)  # pre-activation 0
    value, gradient = problem.objective_and_gradient(theta)
    W_grad, B_grad, alpha_grad, xi_grad = problem.unpack(gradient)
    assert value == pytest.approx(1.0)  # ½·0² + (1/2)(1 + 1)
    assert B_grad[0, 0] == 0.0  # residual 0 ⇒ data-fit gradient 0 for any subgradient choice
    assert W_grad[0, 0] == pytest.approx(1.0) and alpha_grad[0] == pytest.approx(1.0) and xi_grad == 0.0


# --------------------------------------------------------------------------- the equivalence bound
@settings(derandomize=True, deadline=None, max_examples=12)
@given(
    X=st.lists(st.integers(-6, 6), min_size=3, max_size=6, unique=True),
    labels=st.lists(st.integers(-3, 3), min_size=6, max_size=6),
    beta=st.sampled_from([F(1, 20), F(1, 5), F(1)]),
)
def test_training_never_beats_the_two_layer_lasso_optimum(X: list[int], labels: list[int], beta: Fraction) -> None:
    """J(trained) ≥ Lasso optimum P*: checked EXACTLY against an exact dual lower bound of P*."""
    y = [F(v) for v in labels[: len(X)]]
    A = library(X, "relu", 2).matrix(exact=True)
    lower, upper = lasso_bounds(A, y, beta)
    assert upper - lower <= 1e-9 * max(F(1), upper)  # the reference optimum is accurate
    report = train_nonconvex(X, y, "relu", 2, beta, n_units=5, n_starts=3, seed=7, max_iter=300)
    for start in report.starts:
        assert start.objective_exact >= lower  # exact: J at the trained (float) weights, read exactly
        assert start.objective >= float(lower) - 1e-9
        assert start.rebalanced_objective is not None
        assert lower <= start.rebalanced_objective <= start.objective_exact  # AM–GM
    assert float(report.best.objective_exact) <= float(upper) * 1.5 + 1e-6  # training gets near P*


def test_demo_instance_reaches_the_depth_three_lasso_optimum() -> None:
    """Data 0,4,5,7,10,11 / labels 0,0,0,2,3,3, relu, L = 3, β = 1/1000 (the depth-3 closed-form library)."""
    X, y, beta = [0, 4, 5, 7, 10, 11], [F(v) for v in (0, 0, 0, 2, 3, 3)], F(1, 1000)
    lower, upper = lasso_bounds(library(X, "relu", 3).matrix(exact=True), y, beta)
    assert float(upper - lower) < 1e-12
    report = train_nonconvex(X, y, "relu", 3, beta, n_units=8, n_starts=5, seed=0, max_iter=3000)
    assert all(start.objective_exact >= lower for start in report.starts)
    assert float(report.best.objective_exact) == pytest.approx(float(upper), rel=1e-6)
    assert "J − Lasso" in report.summary(lasso_optimum=upper)


# --------------------------------------------------------------------------- reports
def test_adam_is_deterministic_and_decreases_the_objective() -> None:
    X, y = [0.0, 1.0, 2.5, 4.0], [0.0, 1.0, 0.0, 1.0]
    first = train_nonconvex(X, y, "abs", 3, 0.01, n_units=3, n_starts=2, seed=5, method="adam", max_iter=400)
    again = train_nonconvex(X, y, "abs", 3, 0.01, n_units=3, n_starts=2, seed=5, method="adam", max_iter=400)
    other = train_nonconvex(X, y, "abs", 3, 0.01, n_units=3, n_starts=2, seed=6, method="adam", max_iter=400)
    assert np.array_equal(first.objectives, again.objectives)
    assert [s.network for s in first.starts] == [s.network for s in again.starts]
    assert not np.array_equal(first.objectives, other.objectives)
    problem = TrainingProblem(np.array(X), np.array(y), absolute(), 3, 0.01, 3)
    initial = problem.objective(problem.initial_point(np.random.default_rng([5, 0])))
    assert first.starts[0].objective < initial


def test_lbfgs_report_is_deterministic() -> None:
    X, y = [0, 1, 3, 4], [1, 0, 2, 2]
    first = train_nonconvex(X, y, "relu", 2, F(1, 10), n_units=3, n_starts=2, seed=11, max_iter=200)
    again = train_nonconvex(X, y, "relu", 2, F(1, 10), n_units=3, n_starts=2, seed=11, max_iter=200)
    assert [s.objective_exact for s in first.starts] == [s.objective_exact for s in again.starts]
    assert first.starts[0].network.n_units == 3 and first.starts[0].network.depth == 2
    for start in first.starts:
        locations = [b.location for b in start.breakpoints]
        assert locations == sorted(locations)
        assert np.allclose(locations, start.network.breakpoints())


def test_breakpoint_explanations() -> None:
    x = [0.0, 4.0, 5.0, 7.0]
    reports = explain_breakpoints([8.0, 4.9, -20.0], x)
    eight, near_five, far = reports
    assert eight.reflection == (0, 1) and eight.reflection_value == 8.0 and eight.reflection_distance == 0.0
    assert eight.nearest_data_index == 3 and eight.data_distance == 1.0 and not eight.in_data_range
    assert near_five.nearest_data_index == 2 and near_five.data_distance == pytest.approx(0.1) and near_five.in_data_range
    assert far.reflection_value == pytest.approx(-7.0)  # R(x3, x0) = −7 is the closest mirror image
    assert "R(x0, x1)" in eight.describe()
    lone = explain_breakpoints([1.0], [2.0])[0]
    assert lone.reflection is None and "nearest data x0" in lone.describe()


def test_bad_input_names_the_argument() -> None:
    X, y = [0, 1, 2], [0, 1, 0]
    with pytest.raises(ValueError, match="beta"):
        train_nonconvex(X, y, "relu", 2, 0)
    with pytest.raises(ValueError, match="beta"):
        train_nonconvex(X, y, "relu", 2, -0.5)
    with pytest.raises(ValueError, match="y"):
        train_nonconvex(X, y[:2], "relu", 2, 1)
    with pytest.raises(ValueError, match="method"):
        train_nonconvex(X, y, "relu", 2, 1, method="sgd")
    with pytest.raises(ValueError, match="n_units"):
        train_nonconvex(X, y, "relu", 2, 1, n_units=0)
    with pytest.raises(ValueError, match="depth"):
        train_nonconvex(X, y, "relu", 1, 1)
    with pytest.raises(ValueError, match="activation"):
        train_nonconvex(X, y, get_activation("sign"), 2, 1)
    with pytest.raises(ValueError, match="activation"):
        train_nonconvex(X, y, "symmetrised_relu", 2, 1)


def test_non_homogeneous_activation_trains_without_lasso_comparison() -> None:
    report = train_nonconvex([0, 1, 2], [0, 1, 0], HARD_TANH, 2, 0.1, n_units=2, n_starts=1, seed=0, max_iter=100)
    start = report.starts[0]
    assert start.rebalanced_objective is None
    assert start.objective == pytest.approx(float(start.objective_exact), rel=1e-12)
