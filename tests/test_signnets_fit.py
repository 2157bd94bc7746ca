"""Sign/threshold nets through ConvexNet: certified Lasso fits, exact balanced reconstruction."""

import json
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirrorlib.estimator import ConvexNet
from mirrorlib.lasso.fit import fit_lasso
from mirrorlib.numbers.surd import Surd
from mirrorlib.report.text import FitReport
from mirrorlib.signnets import (
    SignNetwork,
    SignUnit,
    count_switch_vectors,
    from_lasso,
    neuron,
    sign_library,
    sign_net_spec,
)
from mirrorlib.testing.strategies import datasets, rationals

# (architecture, widths, depth) as ConvexNet takes them
ARCHITECTURES = [
    ("narrow", None, 2),
    ("narrow", None, 3),
    ("tree", [2], 3),
    ("tree", "2,2", 4),
    ("rectangular", (2, 2), 4),
    ("rectangular", (1, 3), 4),
    ("tree", None, 2),
]
fast = settings(derandomize=True, deadline=None, max_examples=25)
activations = st.sampled_from(["sign", "threshold"])
architectures = st.sampled_from(ARCHITECTURES)
positive_betas = rationals(max_numerator=5, max_denominator=20, allow_zero=False).map(abs)


def labels_for(data, X):
    return data.draw(st.lists(rationals(), min_size=len(X), max_size=len(X)))


def exact_fit(activation, architecture, X, y, beta):
    arch, widths, depth = architecture
    return ConvexNet(activation, depth, beta, architecture=arch, widths=widths, exact=True).fit(X, y)


# --------------------------------------------------------------------------- exact fits
@fast
@given(X=datasets(min_size=2, max_size=6), activation=activations, architecture=architectures, data=st.data())
def test_exact_fit_is_certified_and_the_rebuilt_network_attains_it_exactly(X, activation, architecture, data):
    y = labels_for(data, X)
    beta = data.draw(positive_betas)
    model = exact_fit(activation, architecture, X, y, beta)
    assert model.certificate_.is_optimal, model.certificate_.failures
    network = model.network_
    assert isinstance(network, SignNetwork) and network.is_balanced()
    objective = network.training_objective(X, y, beta, exact=True)
    assert isinstance(objective, Fraction) and objective == model.objective_
    A = model.library_.matrix(exact=True)
    fitted = tuple(A @ np.array(model.coef_exact_, dtype=object) + model.intercept_exact_)
    assert network.evaluate_exact(X) == fitted
    assert np.allclose(model.predict([float(x) for x in X]), [float(v) for v in fitted], rtol=1e-12, atol=1e-12)
    assert network.to_lasso().on_library(model.library_) == tuple(model.coef_exact_)


@fast
@given(X=datasets(min_size=2, max_size=6), activation=activations, architecture=architectures, data=st.data())
def test_float_fit_is_within_1e_9_of_the_exact_optimum(X, activation, architecture, data):
    y = labels_for(data, X)
    beta = data.draw(positive_betas)
    arch, widths, depth = architecture
    exact = exact_fit(activation, architecture, X, y, beta)
    approx = ConvexNet(activation, depth, float(beta), architecture=arch, widths=widths).fit(X, y)
    assert approx.certificate_.is_optimal
    target = float(exact.objective_)
    assert abs(approx.objective_ - target) <= 1e-9 * max(1.0, target)
    trained = approx.network_.training_objective(X, y, float(beta))
    assert abs(trained - target) <= 1e-9 * max(1.0, target)
    A = approx.library_.matrix()
    assert np.allclose(approx.predict([float(x) for x in X]), A @ approx.coef_ + approx.intercept_, rtol=1e-12, atol=1e-12)


def test_the_optimum_depends_on_the_architecture_only_through_k():
    """Tree (2, 2) and tree (4,) have K = 4; narrow nets of any depth and rectangular (1, 3) have K = 1."""
    X, y, beta = [0, 1, 2, 3, 4, 5], [0, 2, -1, 3, 0, 1], Fraction(1, 7)
    wide = [exact_fit("sign", spec, X, y, beta).objective_ for spec in [("tree", "2,2", 4), ("tree", "4", 3), ("rectangular", "4,1", 4)]]
    narrow = [exact_fit("sign", spec, X, y, beta).objective_ for spec in [("narrow", None, 2), ("narrow", None, 4), ("rectangular", "1,3", 4)]]
    assert len(set(wide)) == 1 and len(set(narrow)) == 1
    assert wide[0] < narrow[0]


def test_beta_to_zero_interpolates_when_every_pattern_is_available():
    X, y = [0, 1, 2, 3], [1, -2, 5, 0]
    model = ConvexNet("threshold", 3, None, architecture="tree", widths=[3], exact=True).fit(X, y)
    assert model.certificate_.is_optimal
    assert model.network_.evaluate_exact(X) == tuple(Fraction(v) for v in y)
    assert model.library_.n_features == 2**4  # K = 3 = n − 1: every 0/1 vector


def test_irrational_amplitudes_are_exact_surds_and_their_products_rational():
    X, y, beta = [0, 1, 2], [0, 1, 0], Fraction(1, 10)
    model = ConvexNet("sign", 4, beta, architecture="rectangular", widths=(2, 2), exact=True).fit(X, y)
    network = model.network_
    assert any(isinstance(s, Surd) for s in network.amplitudes)
    for index in range(network.n_units):
        assert abs(network.alpha[index]) == network.amplitudes[index] > 0
        assert isinstance(network.coefficient(index), Fraction)
    assert network.penalty(exact=True) == 2 * sum(abs(z) for z in model.coef_exact_)
    text = network.describe()
    assert "^(1/2)" in text and "output layer" in text and "z = α·s" in text


# --------------------------------------------------------------------------- the map itself
@settings(derandomize=True, deadline=None, max_examples=20)
@given(X=datasets(min_size=1, max_size=5), activation=activations, data=st.data())
def test_from_lasso_matches_the_lasso_objective_for_every_point(X, activation, data):
    """Not only at the optimum: J(from_lasso(z, ξ)) = ½‖Az + ξ1 − y‖² + β‖z‖₁ for any (z, ξ)."""
    lib = sign_library(X, activation, "tree", (2,), 3)
    z = data.draw(st.lists(rationals(max_numerator=9, max_denominator=5), min_size=lib.n_features, max_size=lib.n_features))
    xi = data.draw(rationals())
    y = labels_for(data, X)
    beta = data.draw(positive_betas)
    network = from_lasso(lib, z, xi)
    A = lib.matrix(exact=True)
    residual = A @ np.array(z, dtype=object) + xi - np.array([Fraction(v) for v in y], dtype=object)
    lasso = sum(r * r for r in residual) / 2 + beta * sum(abs(v) for v in z)
    assert network.training_objective(X, y, beta, exact=True) == lasso
    assert network.to_lasso().objective(X, y, beta) == lasso
    assert network.to_lasso().on_library(lib) == tuple(Fraction(v) for v in z)


def test_unbalanced_networks_pay_more_and_rebalancing_restores_the_lasso_value():
    spec = sign_net_spec("sign", "tree", (2,), 3)
    unit = SignUnit(spec, ((neuron([1], -1), neuron([-1], 3)), (neuron([1, 1], 0),)))
    X, y, beta = [0, 2, 4], [1, -1, 1], Fraction(1, 3)
    network = SignNetwork(spec, (unit,), amplitudes=(Fraction(1, 2),), alpha=(4,), xi=Fraction(1, 4))
    point = network.to_lasso()
    assert point.z == (2,) and not network.is_balanced()
    lasso = point.objective(X, y, beta)
    assert network.training_objective(X, y, beta, exact=True) > lasso
    balanced = network.rebalanced()
    assert balanced.is_balanced() and balanced.training_objective(X, y, beta, exact=True) == lasso
    assert balanced.evaluate_exact(X) == network.evaluate_exact(X)
    assert abs(network.training_objective(X, y, float(beta)) - float(network.training_objective(X, y, beta, exact=True))) < 1e-12


def test_from_units_moves_output_amplitudes_and_float_parameters_are_read_exactly():
    spec = sign_net_spec("threshold", "rectangular", (2,), 3)
    unit = SignUnit(spec, ((neuron([1], -1), neuron([-1], 3)), (neuron([1, 1], -2, amplitude=Fraction(3, 2)),)))
    network = SignNetwork.from_units([unit], [0.5], 0.25)
    assert network.amplitudes == (Fraction(3, 2),) and network.units[0].amplitude == 1
    assert network.evaluate_exact([0, 2, 4]) == (Fraction(1, 4), 1, Fraction(1, 4))
    assert np.array_equal(network.predict(np.array([[0.0, 2.0], [4.0, 2.5]])), [[0.25, 1.0], [0.25, 1.0]])
    assert network.breakpoints(exact=True) == (1, 3)
    assert [b.tolist() for b in network.unit_breakpoints()] == [[1.0, 3.0]]


def test_predict_at_switch_points_follows_the_sign_convention():
    """sign(0) = +1: at a switch point the unit takes its value for t ≥ 0, as in exact evaluation."""
    model = ConvexNet("sign", 2, Fraction(1, 100), exact=True).fit([0, 1], [0, 1])
    network = model.network_
    switch = network.breakpoints(exact=True)
    assert switch == (Fraction(1, 2),) and model.solver_ == "dense"
    assert model.predict([0.5])[0] == float(network.value_exact(Fraction(1, 2)))


# --------------------------------------------------------------------------- library interface
@settings(derandomize=True, deadline=None, max_examples=15)
@given(X=datasets(min_size=1, max_size=6), activation=activations)
def test_library_exposes_the_lasso_interface(X, activation):
    lib = sign_library(X, activation, "rectangular", (3, 1), 4)
    assert lib.penalised.shape == (lib.n_features,) and lib.penalised.all()
    assert lib.n_naive == lib.counts.naive == count_switch_vectors(len(X), 3)
    exact = lib.matrix(exact=True)
    for index, feature in enumerate(lib.features):
        assert lib.feature(index) == feature and lib.index_of(feature.pattern) == index
        assert tuple(exact[:, index]) == tuple(feature.unit(Fraction(x)) for x in X)
    assert lib.feature(-1) == lib.features[-1]


def test_fit_lasso_accepts_a_sign_library_directly():
    lib = sign_library([0, 1, 2, 3], "threshold", "tree", (2,), 3)
    fit = fit_lasso(lib, [0, 1, 1, 0], Fraction(1, 5), exact=True)
    assert fit.is_certified and len(fit.z) == lib.n_features
    assert from_lasso(lib, fit.z, fit.xi).training_objective([0, 1, 2, 3], [0, 1, 1, 0], Fraction(1, 5), exact=True) == fit.objective


def test_fit_report_renders_sign_models():
    X, y, beta = [0, 1, 2, 3], [0, 1, 0, 1], Fraction(1, 10)
    model = ConvexNet("sign", 4, beta, architecture="tree", widths="2,2", exact=True).fit(X, y)
    payload = FitReport(model, X, y).as_json()
    json.dumps(payload)
    assert payload["network"]["equals_lasso_optimum"] is True and payload["certificate"]["optimal"]
    assert payload["library"]["columns_used"] == 16 and payload["library"]["naive"] == 16
    assert all(entry["breakpoints"] for entry in payload["coefficients"])
    assert "SignNetwork" in FitReport(model, X, y).as_text()


# --------------------------------------------------------------------------- bad input
@pytest.mark.parametrize(
    ("activation", "kwargs", "message"),
    [
        ("sign", {"architecture": "narrow", "widths": "2"}, "widths apply"),
        ("sign", {"architecture": "skip"}, "skip"),
        ("sign", {"architecture": "tree", "depth": 4}, "widths: a depth-4"),
        ("sign", {"architecture": "tree", "depth": 4, "widths": "2"}, "widths must list"),
        ("sign", {"architecture": "rectangular", "depth": 3, "widths": "0"}, "widths"),
        ("sign", {"architecture": "dense"}, "The .architecture. parameter of ConvexNet must be"),
        ("threshold", {"reflection_nesting": 1}, "reflection_nesting"),
        ("sign", {"depth": 1}, "depth"),
        ("relu", {"widths": "2"}, "widths apply to sign"),
        ("relu", {"architecture": "tree"}, "is for sign/threshold"),
        ("abs", {"architecture": "rectangular", "widths": "2", "depth": 3}, "widths apply to sign"),
    ],
)
def test_mismatched_combinations_raise_clear_errors(activation, kwargs, message):
    arguments = {"depth": 2, "beta": Fraction(1, 10), "exact": True}
    arguments.update(kwargs)
    depth, beta = arguments.pop("depth"), arguments.pop("beta")
    with pytest.raises(ValueError, match=message):
        ConvexNet(activation, depth, beta, **arguments).fit([0, 1, 2], [0, 1, 0])


def test_reconstruction_rejects_bad_arguments():
    lib = sign_library([0, 1, 2], "sign", "tree", (), 2)
    with pytest.raises(ValueError, match="z has 2 entries"):
        from_lasso(lib, [1, 2], 0)
    with pytest.raises(TypeError, match="SignLibrary"):
        from_lasso(object(), [1], 0)
    spec = sign_net_spec("sign", "tree", (), 2)
    scaled = SignUnit(spec, ((neuron([1], 0, amplitude=2),),))
    with pytest.raises(ValueError, match="output amplitude"):
        SignNetwork(spec, (scaled,), (1,), (1,), 0)
    with pytest.raises(ValueError, match="one entry per unit"):
        SignNetwork(spec, (scaled.with_output_amplitude(1),), (1, 2), (1,), 0)
    network = from_lasso(lib, [0, 0, 1, 0, 0, 0], 0)
    with pytest.raises(ValueError, match="beta"):
        network.training_objective([0, 1, 2], [0, 1, 0], 0, exact=True)
    with pytest.raises(ValueError, match="y has 2 labels"):
        network.training_objective([0, 1, 2], [0, 1], 1)
    other = sign_library([0, 1, 2], "sign", "tree", (2,), 3)
    with pytest.raises(ValueError, match="library is for"):
        network.to_lasso().on_library(other)
    with pytest.raises(ValueError, match="switches"):
        lib.index_of((0, 1, 0))
    with pytest.raises(IndexError):
        lib.feature(lib.n_features)
