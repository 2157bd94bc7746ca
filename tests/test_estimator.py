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
    with pytest.raises(ValueError, match="Invalid parameter 'width'"):
        ConvexNet().set_params(width=3)


# --------------------------------------------------------------------------- scikit-learn contract
def _data_1d(n: int = 30, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = np.sort(rng.uniform(-3, 3, n))
    return X, np.sin(X) + 0.1 * rng.standard_normal(n)


def test_check_estimator_passes() -> None:
    import warnings

    from sklearn.utils.estimator_checks import check_estimator

    from mirrorlib.estimator import EXPECTED_FAILED_CHECKS

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        # β = 0.5 and 100 sampled neurons keep the 200 × 10 regression checks near 15 s each; at the
        # defaults (β = 1e-3, 2,000 neurons) the network nearly interpolates with ~150 neurons and
        # each of those fits takes about 80 s.
        results = check_estimator(ConvexNet(beta=0.5, n_sampled_neurons=100), expected_failed_checks=EXPECTED_FAILED_CHECKS, on_fail=None)
    statuses = {result["check_name"]: result["status"] for result in results}
    assert "failed" not in statuses.values(), statuses
    assert statuses["check_regressors_train"] == statuses["check_n_features_in"] == "passed"
    assert {name for name, status in statuses.items() if status == "xfail"} <= set(EXPECTED_FAILED_CHECKS)


def test_the_contract_on_1d_data() -> None:
    import pickle

    from sklearn.base import clone
    from sklearn.exceptions import NotFittedError

    X, y = _data_1d()
    model = ConvexNet("relu", 3, 0.05)
    with pytest.raises(NotFittedError):
        model.predict(X)
    column = ConvexNet("relu", 3, 0.05).fit(X[:, None], y)
    model.fit(X, y)
    assert model.n_features_in_ == 1 and np.array_equal(model.predict(X), column.predict(X[:, None]))
    again = clone(model).fit(X, y)
    assert np.array_equal(again.predict(X), model.predict(X))  # idempotent, clone keeps the parameters
    restored = pickle.loads(pickle.dumps(model))
    assert np.array_equal(restored.predict(X), model.predict(X))
    with pytest.raises(ValueError, match="NaN"):
        model.predict([0.0, np.nan])
    with pytest.raises(ValueError, match="X has 2 features; exact fits cover 1-D data"):
        ConvexNet(exact=True).fit(np.column_stack([X, X]), y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        model.score(X, y[:-1])
    with pytest.raises(ValueError, match="exact"):
        ConvexNet(exact="yes").fit(X, y)
    with pytest.raises(ValueError, match="library"):
        ConvexNet(library="everything").fit(X, y)


def test_cross_validation_and_grid_search_over_beta() -> None:
    from sklearn.model_selection import GridSearchCV, cross_val_score

    X, y = _data_1d(40, seed=1)
    scores = cross_val_score(ConvexNet("relu", 2, 0.05), X[:, None], y, cv=4)
    assert scores.shape == (4,) and np.isfinite(scores).all()
    search = GridSearchCV(ConvexNet("abs", 3), {"beta": [0.01, 0.1, 1.0]}, cv=3).fit(X[:, None], y)
    assert search.best_params_["beta"] in (0.01, 0.1, 1.0)
    assert search.best_estimator_.certificate_.training_optimal is True


# --------------------------------------------------------------------------- d-dimensional data
def _data_2d(n: int = 12, seed: int = 0):
    rng = np.random.default_rng(seed)
    X = rng.integers(-4, 5, size=(n, 2)).astype(float)
    return X, np.sin(X[:, 0]) + 0.5 * X[:, 1] + 0.1 * rng.standard_normal(n)


def test_two_dimensional_fit_is_the_certified_group_lasso() -> None:
    from mirrorlib.multidim.group_lasso import fit_group_lasso
    from mirrorlib.multidim.patterns import activation_patterns

    X, y = _data_2d()
    model = ConvexNet(beta=0.05).fit(X, y)
    reference = fit_group_lasso(X, y, 0.05, patterns=activation_patterns(X))
    assert model.n_features_in_ == 2 and not model.patterns_.sampled and model.solver_ == "group-lasso"
    assert model.certificate_.is_optimal and model.certificate_.training_optimal is True
    assert abs(model.objective_ - reference.objective) <= 1e-6 * reference.objective
    assert abs(model.network_.training_objective(X, y, 0.05) - model.objective_) <= 1e-9 * model.objective_
    assert model.predict(X).shape == (len(X),) and model.score(X, y) > 0.5
    assert "all" in model.certificate_.training.reason and model.coef_.shape[1:] == (2, 3)


def test_sampled_patterns_are_reproducible_and_their_network_verdict_bounds_what_they_miss() -> None:
    X, y = _data_2d(20, seed=1)
    first = ConvexNet(beta=0.05, patterns="sampled", n_sampled_neurons=30, random_state=3).fit(X, y)
    again = ConvexNet(beta=0.05, patterns="sampled", n_sampled_neurons=30, random_state=3).fit(X, y)
    exact = ConvexNet(beta=0.05, patterns="exact").fit(X, y)
    assert first.patterns_.sampled and first.patterns_.masks == again.patterns_.masks
    assert first.certificate_.is_optimal  # over the sample
    assert first.objective_ >= exact.objective_ * (1 - 1e-6)  # a sample can only do worse than all patterns
    training = first.certificate_.training
    assert first.objective_ - float(training.gap) <= exact.objective_ * (1 + 1e-9)  # the bound holds
    assert training.training_optimal is False and "outside the sample" in training.reason
    assert exact.objective_ < first.objective_ * (1 - 1e-6)  # and it was right: all patterns do better


def test_the_neuron_search_fits_without_a_pattern_list_and_certifies_every_network() -> None:
    X, y = _data_2d(20, seed=1)
    searched = ConvexNet(beta=0.05, patterns="search").fit(X, y)
    exact = ConvexNet(beta=0.05, patterns="exact").fit(X, y)
    assert searched.patterns_ is None and searched.certificate_.training_optimal is True
    assert "every neuron" in searched.certificate_.training.reason
    assert searched.objective_ == pytest.approx(exact.objective_, rel=2e-6)
    big_X, big_y = _data_2d(150, seed=2)  # 8·C(150, 2) candidate cells: above the exact limit
    auto = ConvexNet(beta=0.5).fit(big_X, big_y)
    assert auto.patterns_ is None and auto.certificate_.training_optimal is True


def test_a_sample_in_four_dimensions_gets_a_valid_bound_with_a_smaller_budget() -> None:
    X = np.random.default_rng(0).standard_normal((20, 4))
    y = X[:, 0] ** 2
    model = ConvexNet(beta=0.5, patterns="sampled", n_sampled_neurons=30).fit(X, y)
    training = model.certificate_.training
    assert training.gap is not None and "every network" in training.reason
    best = ConvexNet(beta=0.5, patterns="exact").fit(X, y)  # 2^5·C(20, 4) candidates: still enumerable
    assert model.objective_ - float(training.gap) <= best.objective_ * (1 + 1e-9)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"depth": 3}, "X has 2 features, but depth=3"),
        ({"activation": "abs"}, "activation='abs'"),
        ({"architecture": "skip"}, "architecture='skip'"),
        ({"reflection_nesting": 1}, "reflection_nesting"),
        ({"patterns": "some"}, "patterns"),
        ({"n_sampled_neurons": 0}, "n_sampled_neurons"),
    ],
    ids=["depth", "activation", "architecture", "reflection_nesting", "patterns", "n_sampled_neurons"],
)
def test_two_dimensional_refusals_name_the_parameter(kwargs, message) -> None:
    X, y = _data_2d()
    with pytest.raises(ValueError, match=message):
        ConvexNet(**kwargs).fit(X, y)


def test_exact_patterns_above_the_limit_are_refused_naming_the_option() -> None:
    X = np.random.default_rng(0).standard_normal((200, 10))
    with pytest.raises(ValueError, match="patterns='exact'.*use patterns='sampled' \\(or 'auto'\\)"):
        ConvexNet(patterns="exact").fit(X, X[:, 0])


def test_two_dimensional_model_refuses_one_dimensional_methods_and_inputs() -> None:
    X, y = _data_2d()
    model = ConvexNet(beta=0.1).fit(X, y)
    with pytest.raises(ValueError, match="fitted on 2 features"):
        model.selected_features()
    with pytest.raises(ValueError, match="Expected 2D array"):
        model.predict(X[:, 0])
    with pytest.raises(ValueError, match="features"):
        model.predict(np.column_stack([X, X]))


def test_cross_validation_on_two_dimensional_data() -> None:
    from sklearn.model_selection import cross_val_score

    X, y = _data_2d(24, seed=2)
    scores = cross_val_score(ConvexNet(beta=0.05), X, y, cv=3)
    assert scores.shape == (3,) and np.isfinite(scores).all()
