"""Closed-form libraries: every column is the exact output of its unit network."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from mirrorlib.activations import absolute, leaky_relu, linear, relu
from mirrorlib.data import as_dataset, as_labels
from mirrorlib.libraries import library
from mirrorlib.reflections import reflect
from mirrorlib.testing.strategies import datasets, homogeneous_activations

ACTIVATION_DEPTHS = [("relu", 2), ("abs", 2), ("leaky_relu(1/10)", 2), ("linear", 2), ("relu", 3), ("abs", 3), ("abs", 4)]


def recursion_columns(X, activation, signs, first, anchors):
    """THEORY §5 recursion evaluated directly: h_1 = σ(s_1(x − a_1)), h_l = σ(s_l(h_{l−1}(x) − h_{l−1}(x_{j_l})))."""
    sigma = activation.function

    def h(level, x):
        if level == 1:
            return sigma(signs[0] * (x - first))
        anchor = X[anchors[level - 2]]
        return sigma(signs[level - 1] * (h(level - 1, x) - h(level - 1, anchor)))

    return tuple(h(len(signs), x) for x in X)


@pytest.mark.parametrize(("activation", "depth"), ACTIVATION_DEPTHS)
@given(X=datasets(min_size=1, max_size=4))
def test_every_column_is_its_unit_network_output(activation, depth, X):
    lib = library(X, activation, depth)
    exact = lib.matrix(exact=True)
    data = [Fraction(x) for x in X]
    for index, feature in enumerate(lib.features):
        column = tuple(exact[:, index])
        assert column == tuple(feature.unit(x) + feature.offset for x in data)
        if not feature.is_linear:
            assert feature.offset == 0
            assert column == recursion_columns(data, lib.activation, feature.signs, feature.first_breakpoint.value, feature.anchors)
            assert column == tuple(feature.function(x) for x in data)
        else:
            assert column == tuple(feature.linear_slope * x for x in data)


@given(X=datasets(min_size=1, max_size=5), activation=homogeneous_activations())
def test_two_layer_library_for_any_homogeneous_activation(X, activation):
    lib = library(X, activation, 2)
    exact = lib.matrix(exact=True)
    for index, feature in enumerate(lib.features):
        assert tuple(exact[:, index]) == tuple(feature.unit(x) + feature.offset for x in X)
    a, b = activation.slopes
    assert lib.features[-1].linear_slope == (b if abs(b) >= abs(a) else a)


@given(X=datasets(min_size=2, max_size=5), depth=st.integers(2, 4))
def test_float_matrix_agrees_with_the_exact_matrix(X, depth):
    """The float64 recursion runs independently of the exact one; they agree to rounding."""
    lib = library(X, "relu", depth, reflection_nesting=0)
    exact = lib.matrix(exact=True)
    approx = lib.matrix()
    assert approx.dtype == np.float64 and approx.shape == exact.shape == (len(X), lib.n_features)
    assert np.allclose(approx, exact.astype(np.float64), rtol=1e-12, atol=1e-12)
    distinct = lib.distinct()
    assert np.allclose(distinct.matrix(), distinct.matrix(exact=True).astype(np.float64), rtol=1e-12, atol=1e-12)


def test_rows_follow_the_callers_order():
    lib = library([3, 0, 1], "relu", 2)
    sorted_lib = library([0, 1, 3], "relu", 2)
    assert np.array_equal(lib.matrix(order="sorted"), sorted_lib.matrix())
    assert np.array_equal(lib.matrix()[[1, 2, 0]], sorted_lib.matrix())


@pytest.mark.parametrize(
    ("activation", "depth", "formula"),
    [
        ("relu", 2, lambda n: 2 * n + 1),
        ("relu", 3, lambda n: 4 * n**2 + 1),
        ("relu", 4, lambda n: 8 * n**4 + 1),  # a_1 ∈ {x_j} ∪ {R(x_i, x_j)}: N² choices
        ("abs", 3, lambda n: n**2 + 1),
        ("abs", 4, lambda n: n**3 + 1),
    ],
)
def test_naive_counts_match_the_formula(activation, depth, formula):
    X = [0, 1, 3, 7]
    counts = library(X, activation, depth).counts
    assert counts.naive == formula(len(X))
    assert counts.distinct_nonconstant <= counts.distinct <= counts.naive


@given(X=datasets(min_size=1, max_size=5), depth=st.integers(2, 3))
def test_distinct_library_deduplicates_exactly(X, depth):
    lib = library(X, "relu", depth)
    columns = [tuple(column) for column in lib.matrix(exact=True).T]
    distinct = lib.distinct()
    distinct_columns = [tuple(column) for column in distinct.matrix(exact=True).T]
    assert len(distinct_columns) == len(set(distinct_columns)) == len(set(columns)) == lib.counts.distinct
    assert set(distinct_columns) == set(columns)


@given(X=datasets(min_size=2, max_size=5, distinct=True))
def test_deep_abs_depth_three_breakpoints_are_data_and_one_reflection(X):
    """THEORY §4: depth-3 abs features have breakpoints among x_{j1}, x_{j2}, R(x_{j2}, x_{j1})."""
    lib = library(X, "abs", 3)
    data = [Fraction(x) for x in X]
    for feature in lib.features[:-1]:
        x1 = feature.first_breakpoint.value
        x2 = data[feature.anchors[0]]
        assert set(feature.breakpoints) <= {x1, x2, reflect(x2, x1)}
        trees = lib.breakpoint_trees(feature, max_nesting=1)
        assert all(tree is not None and tree.value == value for value, tree in trees.items())


def test_depth_four_relu_has_reflected_first_breakpoints():
    lib = library([0, 4, 5, 7, 10, 11], "relu", 4)
    reflected = [f for f in lib.features if f.first_breakpoint is not None and not f.first_breakpoint.is_leaf]
    assert reflected and all(f.first_breakpoint.nesting == 1 for f in reflected)
    values = {f.first_breakpoint.value for f in reflected}
    assert Fraction(-4) in values  # R(x1, x0) = 2·0 − 4
    assert library([0, 4, 5], "relu", 4, reflection_nesting=0).counts.naive == 8 * 27 + 1


def test_skip_connection_library_has_one_unpenalised_linear_column():
    lib = library([0, 1, 3], "relu", 2, architecture="skip")
    unpenalised = [f for f in lib.features if not f.penalised]
    assert len(unpenalised) == 1 and unpenalised[0].is_linear


@pytest.mark.parametrize(
    ("kwargs", "error", "message"),
    [
        ({"X": []}, ValueError, "X is empty"),
        ({"X": [0, float("nan")]}, ValueError, "X\\[1\\] must be finite"),
        ({"X": [0, float("inf")]}, ValueError, "finite"),
        ({"X": "0,a"}, ValueError, "X\\[1\\]"),
        ({"X": [[0, 1], [2, 3]]}, ValueError, "one-dimensional"),
        ({"X": [0, 1], "depth": 1}, ValueError, "depth must be ≥ 2"),
        ({"X": [0, 1], "depth": 2.5}, TypeError, "depth must be an integer"),
        ({"X": [0, 1], "activation": "tanh"}, ValueError, "unknown"),
        ({"X": [0, 1], "activation": "Min(Max(x, 0), 1)"}, ValueError, "positively homogeneous"),
        ({"X": [0, 1], "activation": "sign"}, ValueError, "positively homogeneous"),
        ({"X": [0, 1], "activation": "leaky_relu", "depth": 3}, ValueError, "no closed-form library"),
        ({"X": [0, 1], "activation": "symmetrised_relu"}, ValueError, "group-Lasso"),
        ({"X": [0, 1], "architecture": "wide"}, ValueError, "architecture must be one of"),
        ({"X": [0, 1], "depth": 3, "architecture": "skip"}, ValueError, "Lemma 3.1"),
    ],
)
def test_bad_input_is_a_clear_error(kwargs, error, message):
    arguments = {"activation": "relu", "depth": 2, **kwargs}
    X = arguments.pop("X")
    with pytest.raises(error, match=message):
        library(X, **arguments)


def test_labels_are_validated_against_the_data():
    dataset = as_dataset([2, 0, 1])
    assert as_labels([20, 0, 10], dataset) == (0, 10, 20)
    with pytest.raises(ValueError, match="y has 2 labels but X has 3 inputs"):
        as_labels([1, 2], dataset)


def test_named_activation_objects_are_accepted():
    for activation in (relu(), absolute(), leaky_relu(Fraction(1, 3)), linear()):
        assert library([0, 1, 2], activation, 2).n_features == 7


def test_deduplication_keeps_the_unpenalised_skip_column():
    """|x − x_min| equals x on the data, but only the skip column is free of penalty."""
    lib = library([0, 1, 3], "abs", 2, architecture="skip").distinct()
    assert (~lib.penalised).sum() == 1
    assert lib.counts.distinct == lib.n_features


@given(X=datasets(min_size=1, max_size=5), depth=st.integers(2, 3))
def test_float_deduplication_keeps_every_distinct_column(X, depth):
    """Bitwise float deduplication may keep more columns than the exact one, never fewer."""
    lib = library(X, "relu", depth)
    by_float = lib.distinct(exact=False)
    exact_columns = {tuple(column) for column in lib.matrix(exact=True).T}
    assert {tuple(column) for column in by_float.matrix(exact=True).T} == exact_columns
    assert lib.counts.distinct <= by_float.n_features <= lib.n_features
