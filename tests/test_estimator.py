"""ConvexNet: exact fits are certified and their rebuilt networks reach the Lasso optimum exactly."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirrorlib.estimator import ConvexNet
from mirrorlib.testing.strategies import datasets, rationals

CASES = [("relu", 2, "narrow"), ("abs", 2, "narrow"), ("leaky_relu(1/4)", 2, "narrow"), ("relu", 3, "narrow"), ("abs", 3, "narrow"), ("relu", 2, "skip")]


@pytest.mark.parametrize(("activation", "depth", "architecture"), CASES)
@settings(max_examples=15)
@given(X=datasets(min_size=2, max_size=5), data=st.data())
def test_exact_fit_is_certified_and_rebuilt_network_attains_it(activation, depth, architecture, X, data):
    y = data.draw(st.lists(rationals(), min_size=len(X), max_size=len(X)))
    beta = data.draw(rationals(max_numerator=5, max_denominator=50, allow_zero=False).map(abs))
    model = ConvexNet(activation, depth, beta, architecture=architecture, exact=True).fit(X, y)
    assert model.certificate_.is_optimal, model.certificate_.failures
    assert model.network_.training_objective(X, y, beta, exact=True) == model.objective_
    fitted = model.network_.evaluate_exact(X)
    A = model.library_.matrix(exact=True)
    assert tuple(fitted) == tuple(A @ np.array(model.coef_exact_, dtype=object) + model.intercept_exact_)


@settings(max_examples=10)
@given(X=datasets(min_size=2, max_size=6, distinct=True), data=st.data())
def test_float_fit_matches_exact_optimum(X, data):
    y = data.draw(st.lists(rationals(), min_size=len(X), max_size=len(X)))
    exact = ConvexNet("relu", 3, Fraction(1, 50), exact=True).fit(X, y)
    approx = ConvexNet("relu", 3, 0.02).fit(X, y)
    assert approx.certificate_.is_optimal
    assert abs(approx.objective_ - float(exact.objective_)) <= 1e-9 * max(1.0, float(exact.objective_))
    assert np.allclose(approx.predict([float(x) for x in X]), exact.predict([float(x) for x in X]), atol=1e-4)


def test_beta_to_zero_gives_a_certified_min_l1_interpolant():
    X, y = [0, 4, 5, 7, 10, 11], [0, 0, 0, 2, 3, 3]
    model = ConvexNet("relu", 2, None, exact=True).fit(X, y)
    assert model.certificate_.is_optimal
    assert model.network_.evaluate_exact(X) == tuple(Fraction(v) for v in y)
    assert sum(abs(z) for z in model.coef_exact_) == 2  # slope changes +1 at 5, −2/3 at 7, −1/3 at 10


def test_skip_connection_relu_at_beta_equals_abs_at_two_beta():
    """Lemma 3.1 via |t| = 2·relu(t) − t: both nets with a free linear term have equal optima."""
    X, y = [0, 4, 5, 7, 10, 11], [0, 0, 0, 2, 3, 3]
    beta = Fraction(1, 50)
    relu_skip = ConvexNet("relu", 2, beta, architecture="skip", exact=True).fit(X, y)
    abs_skip = ConvexNet("abs", 2, 2 * beta, architecture="skip", exact=True).fit(X, y)
    assert relu_skip.objective_ == abs_skip.objective_ == Fraction(1567, 40000)
    abs_plain = ConvexNet("abs", 2, 2 * beta, exact=True).fit(X, y)
    assert abs_plain.objective_ > relu_skip.objective_  # without the skip the abs net pays for its slope


def test_predict_and_score():
    X, y = [0, 1, 2, 3], [0, 1, 0, 1]
    model = ConvexNet("relu", 2, 1e-4).fit(X, y)
    assert model.predict([0.5]).shape == (1,)
    assert model.score(X, y) > 0.99
    assert model.get_params()["depth"] == 2
    assert model.set_params(depth=3).depth == 3


@pytest.mark.parametrize(
    ("kwargs", "X", "y", "message"),
    [
        ({"beta": 0}, [0, 1], [0, 1], "beta must be > 0"),
        ({"beta": -1}, [0, 1], [0, 1], "beta must be > 0"),
        ({"beta": None}, [0, 1], [0, 1], "needs exact=True"),
        ({"beta": 1e-3}, [0, 1, 2], [0, 1], "y has 2 labels but X has 3"),
        ({"beta": 1e-3}, [0, 1], ["a", 1], "y\\[0\\]"),
        ({"beta": "x"}, [0, 1], [0, 1], "beta"),
    ],
)
def test_bad_input(kwargs, X, y, message):
    with pytest.raises(ValueError, match=message):
        ConvexNet("relu", 2, **kwargs).fit(X, y)


def test_unfitted_model_says_so():
    with pytest.raises(ValueError, match="not fitted"):
        ConvexNet().predict([0.0])
    with pytest.raises(ValueError, match="unknown parameter"):
        ConvexNet().set_params(width=3)
