"""Parallel networks ↔ Lasso points (theory §1 rescaling lemma, §3 equivalence), all claims exact."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirrorlib.functions.activations import absolute, get_activation, leaky_relu, pwl_activation, relu
from mirrorlib.libraries import library
from mirrorlib.networks.lasso_map import LassoPoint, from_lasso, from_units, to_lasso
from mirrorlib.networks.parallel import ParallelNetwork
from mirrorlib.numbers.surd import Surd, _integer_root, surd
from mirrorlib.functions.pwl import PWL
from mirrorlib.testing.strategies import rationals
from mirrorlib.units import NarrowUnit

F = Fraction
HARD_TANH = pwl_activation([-1, 1], [-1, 1], left_slope=0, right_slope=0, name="hard_tanh")


# --------------------------------------------------------------------------- helpers
def lasso_objective(A: np.ndarray, penalised: list[bool], z: list[Fraction], xi: Fraction, y: list[Fraction], beta: Fraction) -> Fraction:
    """½‖A z + ξ1 − y‖² + β Σ_{penalised} |z_i|, exactly (the reference, independent of mirrorlib.networks.parallel)."""
    fitted = [xi + sum((A[j, i] * z[i] for i in range(len(z)) if z[i]), F(0)) for j in range(A.shape[0])]
    data_fit = sum(((f - t) ** 2 for f, t in zip(fitted, y)), F(0)) / 2
    return data_fit + beta * sum((abs(v) for v, pen in zip(z, penalised) if pen), F(0))


positive_rationals = rationals(max_numerator=30, max_denominator=8).filter(lambda q: q > 0)
nonzero_rationals = rationals(max_numerator=12, max_denominator=6, allow_zero=False)

LIBRARY_SPECS = [("relu", 2), ("abs", 2), ("leaky_relu(1/10)", 2), ("relu", 3), ("abs", 3)]


@st.composite
def lasso_instances(draw: st.DrawFn) -> tuple:
    """A library on 2–5 distinct rational points, a sparse rational z, ξ, labels y and β > 0."""
    activation, depth = draw(st.sampled_from(LIBRARY_SPECS))
    X = draw(st.lists(rationals(max_numerator=12, max_denominator=3), min_size=2, max_size=5, unique=True))
    lib = library(X, activation, depth)
    support = draw(st.lists(st.integers(0, lib.n_features - 1), min_size=0, max_size=4, unique=True))
    if draw(st.booleans()):
        support.append(lib.n_features - 1)  # the linear feature (offset ≠ 0 unless x_1 = 0)
    z = [F(0)] * lib.n_features
    for index in support:
        z[index] = draw(nonzero_rationals)
    xi = draw(rationals())
    y = [draw(rationals()) for _ in X]
    beta = draw(positive_rationals)
    return lib, X, y, z, xi, beta


# --------------------------------------------------------------------------- surds
def test_integer_root_is_exact() -> None:
    for base in [0, 1, 2, 3, 10, 12345, 2**70 + 3]:
        for n in (2, 3, 4, 5):
            assert _integer_root(base**n, n) == base
            if base >= 1:
                assert _integer_root(base**n + 1, n) is None


def test_surd_returns_fractions_for_rational_values() -> None:
    assert surd(1, 8, 3) == 2 and isinstance(surd(1, 8, 3), Fraction)
    assert surd(3, 4, 2) == 6
    assert surd(1, F(1, 8), 3) == F(1, 2)
    assert surd(1, 16, 4) == 2
    assert surd(0, 7, 3) == 0
    assert isinstance(surd(1, 4, 4), Surd) and surd(1, 4, 4) == surd(1, 2, 2)  # 4^(1/4) = √2
    with pytest.raises(ValueError, match="radicand"):
        surd(1, -2, 2)
    with pytest.raises(ValueError, match="rational"):
        Surd(F(1), F(9), 2)


def test_surd_arithmetic_and_order() -> None:
    root2 = surd(1, 2, 2)
    assert root2 * root2 == 2 and isinstance(root2 * root2, Fraction)
    assert surd(1, 8, 2) + root2 == 3 * root2  # √8 + √2 = 3√2: different representations, rational ratio
    assert hash(surd(1, 8, 2)) == hash(2 * root2)
    assert root2 - root2 == 0
    assert F(7, 5) < root2 < F(3, 2) and -root2 < 0 < root2
    assert surd(1, 2, 3) < root2  # 2^(1/3) < 2^(1/2)
    assert abs(float(surd(F(-3, 2), F(5, 7), 3)) - (-1.5 * (5 / 7) ** (1 / 3))) < 1e-15
    assert str(surd(-1, F(3, 100), 3)) == "-(3/100)^(1/3)"
    with pytest.raises(ArithmeticError, match="irrational"):
        _ = root2 + 1  # √2 + 1 is not a monomial q·R^(1/n): refused, never rounded
    with pytest.raises(ArithmeticError):
        _ = root2 + surd(1, 3, 2)


@settings(derandomize=True, deadline=None, max_examples=80)
@given(q=nonzero_rationals, radicand=positive_rationals, index=st.integers(2, 5), power=st.integers(-3, 6))
def test_surd_powers_are_exact(q: Fraction, radicand: Fraction, index: int, power: int) -> None:
    value = surd(q, radicand, index)
    assert value**index == q**index * radicand  # (q R^(1/n))^n = q^n R, exactly
    assert value**power * value ** (-power) == 1
    assert (value * value) / value == value
    assert abs(float(value) - float(q) * float(radicand) ** (1 / index)) <= 1e-12 * abs(float(value))


# --------------------------------------------------------------------------- Lasso → network
@settings(derandomize=True, deadline=None, max_examples=60)
@given(instance=lasso_instances())
def test_rebuilt_network_has_the_lasso_objective_exactly(instance: tuple) -> None:
    """f(X) = A z + ξ1 and J(rebuilt) = ½‖Az + ξ1 − y‖² + β‖z‖₁, both as exact Fractions."""
    lib, X, y, z, xi, beta = instance
    A = lib.matrix(exact=True)
    network = from_lasso(lib, z, xi)
    assert network.n_units == sum(1 for v in z if v)
    assert network.is_balanced()
    fitted = tuple(xi + sum((A[j, i] * z[i] for i in range(len(z)) if z[i]), F(0)) for j in range(len(X)))
    assert network.evaluate_exact(X) == fitted
    expected = lasso_objective(A, [True] * len(z), z, xi, y, beta)
    value = network.training_objective(X, y, beta, exact=True)
    assert isinstance(value, Fraction) and value == expected
    assert network.training_objective(X, y, beta) == pytest.approx(float(expected), rel=1e-9, abs=1e-9)
    assert np.allclose(network.predict(np.array([float(v) for v in X])), [float(v) for v in fitted], rtol=1e-9, atol=1e-9)
    # every penalised weight has |w|^L = |z_i| (balanced), so the penalty is L·‖z‖₁
    assert network.penalty(exact=True) == lib.depth * sum(abs(v) for v in z)


def test_rebuilt_weights_are_irrational_surds() -> None:
    lib = library([0, 1, 3], "relu", 2)
    z = [F(0)] * lib.n_features
    z[0], z[-1] = F(2), F(-1, 4)  # √2 and 1/2
    network = from_lasso(lib, z, 0)
    assert network.weights[0][0] == surd(1, 2, 2) and isinstance(network.weights[0][0], Surd)
    assert network.alpha[1] == F(-1, 2)
    lib3 = library([0, 1, 3], "relu", 3)
    z3 = [F(0)] * lib3.n_features
    z3[5] = F(1, 2)
    net3 = from_lasso(lib3, z3, 0)
    c = surd(1, F(1, 2), 3)
    assert all(abs(w) == c for w in net3.weights[0]) and abs(net3.alpha[0]) == c
    unit = lib3.features[5].unit
    assert [b for b in net3.biases[0]] == [unit.biases[0] * c, unit.biases[1] * c**2]
    text = net3.describe()
    assert "layer 1" in text and "layer 2" in text and "(1/2)^(1/3)" in text and "z = α∏|w_l| = 1/2" in text


def test_float_lasso_point_is_rebuilt_exactly() -> None:
    """A float (z, ξ), e.g. from a float solver, is read exactly: J(rebuilt) = P(Fraction(z), Fraction(ξ))."""
    X, y, beta = [0, 1, 2, 4, 7], [0, 1, 1, 0, 2], F(1, 100)
    lib = library(X, "abs", 3)
    rng = np.random.default_rng(1)
    z = np.where(rng.random(lib.n_features) < 0.1, rng.standard_normal(lib.n_features), 0.0)
    network = from_lasso(lib, z, 0.1)
    exact_z = [F(float(v)) for v in z]
    expected = lasso_objective(lib.matrix(exact=True), [True] * len(z), exact_z, F(0.1), y, beta)
    assert network.training_objective(X, y, beta, exact=True) == expected


def test_skip_connection_column_is_unpenalised() -> None:
    X, y, beta = [0, 1, 3, 4], [1, 0, 2, 2], F(1, 3)
    lib = library(X, "relu", 2, architecture="skip")
    penalised = [feature.penalised for feature in lib.features]
    assert penalised.count(False) == 1
    skip_index = penalised.index(False)
    z = [F(0)] * lib.n_features
    z[skip_index], z[2] = F(5, 2), F(-3)
    network = from_lasso(lib, z, F(1, 7))
    assert network.skip == F(5, 2) * lib.features[skip_index].linear_slope
    assert network.n_units == 1
    A = lib.matrix(exact=True)
    assert network.training_objective(X, y, beta, exact=True) == lasso_objective(A, penalised, z, F(1, 7), y, beta)
    point = to_lasso(network)
    assert point.penalised.count(False) == 1 and point.objective(X, y, beta) == lasso_objective(A, penalised, z, F(1, 7), y, beta)
    assert "v (skip, unpenalised)" in network.describe()


# --------------------------------------------------------------------------- network → Lasso
@st.composite
def rational_networks(draw: st.DrawFn) -> ParallelNetwork:
    """Networks with arbitrary rational weights (zeros allowed: constant units), any magnitudes."""
    activation = draw(st.sampled_from([relu(), absolute(), leaky_relu(F(1, 10))]))
    depth = draw(st.integers(2, 4))
    m = draw(st.integers(0, 3))
    weight = rationals(max_numerator=6, max_denominator=3)
    return ParallelNetwork(
        activation=activation,
        depth=depth,
        weights=tuple(tuple(draw(weight) for _ in range(depth - 1)) for _ in range(m)),
        biases=tuple(tuple(draw(rationals()) for _ in range(depth - 1)) for _ in range(m)),
        alpha=tuple(draw(weight) for _ in range(m)),
        xi=draw(rationals()),
    )


@settings(derandomize=True, deadline=None, max_examples=60)
@given(
    network=rational_networks(),
    X=st.lists(rationals(), min_size=1, max_size=5),
    y_seed=st.lists(rationals(), min_size=5, max_size=5),
    beta=positive_rationals,
)
def test_to_lasso_preserves_f_and_lower_bounds_the_penalty(
    network: ParallelNetwork, X: list[Fraction], y_seed: list[Fraction], beta: Fraction
) -> None:
    """z_i = α_i∏|w_l| and normalised units give the same f; Lasso objective ≤ J with equality iff balanced."""
    y = y_seed[: len(X)]
    point = to_lasso(network)
    for x in X:
        assert network.value_exact(x) == point.xi + sum((z * unit(x) for z, unit in zip(point.z, point.units)), F(0))
    # the same function as an exact PWL, via two independent routes
    direct = PWL.constant(network.xi)
    for weights, biases, alpha in zip(network.weights, network.biases, network.alpha):
        direct = direct + NarrowUnit(network.activation, weights, biases).function.scale_output(alpha)
    assert point.function() == direct == network.function()
    assert all(set(unit.weights) <= {1, -1} for unit in point.units)
    lasso_value = point.objective(X, y, beta)
    network_value = network.training_objective(X, y, beta, exact=True)
    assert lasso_value <= network_value
    assert (lasso_value == network_value) == network.is_balanced()
    rebalanced = network.rebalanced()
    assert rebalanced.is_balanced()
    assert rebalanced.evaluate_exact(X) == network.evaluate_exact(X)
    assert rebalanced.training_objective(X, y, beta, exact=True) == lasso_value


def test_am_gm_equality_exactly_when_balanced() -> None:
    X, y, beta = [0, 1, 2, 5], [0, 1, 0, 3], F(1, 2)
    base = dict(activation=relu(), depth=3, biases=((F(-1), F(1, 2)),), xi=F(1, 3))
    balanced = ParallelNetwork(weights=((F(2), F(-2)),), alpha=(F(2),), **base)
    unbalanced = ParallelNetwork(weights=((F(4), F(-1)),), alpha=(F(2),), **base)  # same z = 8
    assert balanced.is_balanced() and not unbalanced.is_balanced()
    for network in (balanced, unbalanced):
        assert to_lasso(network).z == (F(8),)
    lasso = to_lasso(balanced).objective(X, y, beta)
    assert balanced.training_objective(X, y, beta, exact=True) == lasso
    assert unbalanced.training_objective(X, y, beta, exact=True) > lasso
    # penalties: balanced (β/3)(8+8+8) = 8β; unbalanced (β/3)(64+1+8) = 73β/3
    assert balanced.penalty(exact=True) == 24 and unbalanced.penalty(exact=True) == 73


def test_float_network_maps_to_lasso_exactly() -> None:
    rng = np.random.default_rng(3)
    W, B, alpha = rng.standard_normal((4, 2)), rng.standard_normal((4, 2)), rng.standard_normal(4)
    network = ParallelNetwork.from_arrays("relu", W, B, alpha, 0.25)
    assert not network.is_exact
    X = [0.0, 0.5, 1.25, 3.0]
    y = [0.0, 1.0, -1.0, 0.5]
    point = to_lasso(network)
    assert point.z == tuple(F(float(a)) * abs(F(float(w1))) * abs(F(float(w2))) for a, (w1, w2) in zip(alpha, W))
    assert point.objective(X, y, F(1, 10)) <= network.training_objective(X, y, F(1, 10), exact=True)
    exact_values = network.evaluate_exact(X)
    assert np.allclose(network.predict(X), [float(v) for v in exact_values], rtol=1e-12, atol=1e-12)
    assert network.training_objective(X, y, 0.1) == pytest.approx(float(network.training_objective(X, y, F(1, 10), exact=True)), rel=1e-12)
    units, z, xi = point  # the (units, z, ξ) tuple form
    assert len(units) == len(z) == 4 and xi == F(0.25)


# --------------------------------------------------------------------------- evaluation and kinks
def test_predict_is_vectorised_and_matches_exact_values() -> None:
    network = ParallelNetwork(
        activation=absolute(),
        depth=3,
        weights=((F(1), F(-1)), (F(1, 2), F(3))),
        biases=((F(-2), F(1)), (F(0), F(-1))),
        alpha=(F(1), F(-1, 3)),
        xi=F(2),
    )
    grid = np.linspace(-3, 5, 12).reshape(3, 4)
    values = network.predict(grid)
    assert values.shape == (3, 4)
    expected = [float(network.value_exact(F(v))) for v in grid.ravel()]
    assert np.allclose(values.ravel(), expected, rtol=1e-12, atol=1e-12)
    assert network.predict(1.5).shape == ()
    # kinks: unit 1 = |−|x − 2| + 1| kinks at 1, 2, 3; unit 2 = |3|x/2| − 1| kinks at −2/3, 0, 2/3
    assert set(network.breakpoints(exact=True)) == {F(1), F(2), F(3), F(-2, 3), F(0), F(2, 3)}
    assert [list(b) for b in network.unit_breakpoints()] == [[1.0, 2.0, 3.0], [-2 / 3, 0.0, 2 / 3]]


def test_cancelling_kinks_disappear() -> None:
    network = ParallelNetwork(
        activation=relu(),
        depth=2,
        weights=((F(1),), (F(-1),), (F(2),)),
        biases=((F(-1),), (F(1),), (F(-2),)),
        alpha=(F(1), F(-1), F(-1, 2)),
        xi=F(0),
    )
    # relu(t) − relu(−t) = t and ½relu(2t) = relu(t): f = (x−1) − relu(x−1), one kink at 1
    assert network.breakpoints(exact=True) == (F(1),)
    cancelled = ParallelNetwork(
        activation=relu(), depth=2, weights=((F(1),), (F(3),)), biases=((F(-1),), (F(-3),)), alpha=(F(3), F(-1)), xi=0
    )
    assert cancelled.breakpoints().size == 0  # 3relu(x−1) − relu(3x−3) ≡ 0


def test_non_homogeneous_network_still_evaluates_and_has_kinks() -> None:
    network = ParallelNetwork(activation=HARD_TANH, depth=2, weights=((F(2),),), biases=((F(0),),), alpha=(F(1),), xi=F(0))
    assert network.evaluate_exact([-1, 0, F(1, 4), 3]) == (-1, 0, F(1, 2), 1)
    assert network.breakpoints(exact=True) == (F(-1, 2), F(1, 2))
    assert network.training_objective([0, 1], [0, 1], 1, exact=True) == F(5, 2)  # fit 0, (β/L)(|2|² + |1|²)
    with pytest.raises(ValueError, match="activation"):
        to_lasso(network)


# --------------------------------------------------------------------------- bad input
def test_bad_input_names_the_argument() -> None:
    lib = library([0, 1, 3], "relu", 2)
    z = [F(0)] * lib.n_features
    network = from_lasso(lib, z, 1)
    with pytest.raises(ValueError, match="beta"):
        network.training_objective([0, 1, 3], [0, 0, 1], 0)
    with pytest.raises(ValueError, match="beta"):
        network.training_objective([0, 1, 3], [0, 0, 1], -1, exact=True)
    with pytest.raises(ValueError, match="y"):
        network.training_objective([0, 1, 3], [0, 0], 1)
    with pytest.raises(ValueError, match="y"):
        network.training_objective([0, 1, 3], [0, 0, 1, 1], 1, exact=True)
    with pytest.raises(ValueError, match="z"):
        from_lasso(lib, z[:-1], 0)
    with pytest.raises(ValueError, match=r"z\[2\] must be finite"):
        from_lasso(lib, [0.0, 0.0, float("nan")] + [0.0] * (lib.n_features - 3), 0)
    with pytest.raises(TypeError, match=r"z\[0\] must be a number"):
        from_lasso(lib, [False] * lib.n_features, 0)
    with pytest.raises(ValueError, match="z"):
        from_units([lib.features[0].unit], [1, 2], 0)
    hard_tanh_unit = NarrowUnit(HARD_TANH, (F(1),), (F(0),))
    with pytest.raises(ValueError, match="activation"):
        from_units([hard_tanh_unit], [1], 0)
    deep = library([0, 1, 3], "relu", 3).features[0].unit
    with pytest.raises(ValueError, match="units"):
        from_units([lib.features[0].unit, deep], [1, 1], 0)
    with pytest.raises(ValueError, match="beta"):
        to_lasso(network).objective([0, 1, 3], [0, 0, 1], 0)
    with pytest.raises(ValueError, match="depth"):
        ParallelNetwork(activation=relu(), depth=1, weights=(), biases=(), alpha=(), xi=0)
    with pytest.raises(ValueError, match="weights"):
        ParallelNetwork(activation=relu(), depth=3, weights=((F(1),),), biases=((F(1),),), alpha=(F(1),), xi=0)
    with pytest.raises(ValueError, match="xi"):
        ParallelNetwork(activation=relu(), depth=2, weights=(), biases=(), alpha=(), xi=float("nan"))


def test_zero_coefficients_give_a_constant_network() -> None:
    lib = library([0, 1, 3], "abs", 2)
    network = from_lasso(lib, [0] * lib.n_features, F(5, 2))
    assert network.n_units == 0 and network.activation == get_activation("abs")
    assert network.evaluate_exact([0, 7]) == (F(5, 2), F(5, 2))
    assert network.training_objective([0, 1, 3], [0, 0, 0], 1, exact=True) == 3 * F(25, 4) / 2
    assert isinstance(to_lasso(network), LassoPoint) and to_lasso(network).z == ()
