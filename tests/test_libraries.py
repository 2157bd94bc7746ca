"""Closed-form libraries: every column is the exact output of its unit network."""

import itertools
from dataclasses import replace
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirrorlib.functions.activations import absolute, leaky_relu, linear, relu
from mirrorlib.data import as_dataset, as_labels
from mirrorlib.libraries import ColumnSelection, library
from mirrorlib.functions.reflections import reflect
from mirrorlib.testing.strategies import datasets, homogeneous_activations

ACTIVATION_DEPTHS = [("relu", 2), ("abs", 2), ("leaky_relu(1/10)", 2), ("linear", 2), ("relu", 3), ("relu", 4), ("abs", 3), ("abs", 4)]


def recursion_columns(X, activation, signs, first, anchors):
    """theory §5 recursion evaluated directly: h_1 = σ(s_1(x − a_1)), h_l = σ(s_l(h_{l−1}(x) − h_{l−1}(x_{j_l})))."""
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


@pytest.mark.parametrize("X", [[0, 1, 3], [3, 0, 1]])
def test_float_matrix_is_column_major_and_owned_by_the_caller(X):
    """``matrix()`` hands out a fresh Fortran-ordered array: writing to it changes no later call."""
    for lib in (library(X, "relu", 3), library(X, "relu", 3).distinct()):
        first = lib.matrix()
        assert first.flags.f_contiguous and first.flags.writeable
        expected = first.copy()
        first[:] = -1.0
        assert np.array_equal(lib.matrix(), expected)
        exact = lib.matrix(exact=True)
        exact[:] = Fraction(-1)
        assert np.array_equal(lib.matrix(exact=True).astype(np.float64), expected)


@pytest.mark.parametrize(
    ("activation", "depth", "formula"),
    [
        ("relu", 2, lambda n: 2 * n + 1),
        ("relu", 3, lambda n: 4 * n**2 + 1),
        ("relu", 4, lambda n: 16 * n**3 + 1),  # paper variant: a_1 = x_j, or R(x_i, x_j) tied to anchor x_j
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
    """theory §4: depth-3 abs features have breakpoints among x_{j1}, x_{j2}, R(x_{j2}, x_{j1})."""
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


@given(X=datasets(min_size=1, max_size=6), depth=st.integers(2, 4))
def test_float_deduplication_is_exact_on_rational_data(X, depth):
    """distinct(exact=False) compares integer columns on a common denominator: same result as exact."""
    lib = library(X, "relu", depth)
    by_float = lib.distinct(exact=False)
    assert by_float.n_features == lib.counts.distinct
    assert by_float.selection == lib.distinct(exact=True).selection
    exact_columns = {tuple(column) for column in lib.matrix(exact=True).T}
    assert sorted(tuple(column) for column in by_float.matrix(exact=True).T) == sorted(exact_columns)


def test_float_deduplication_is_exact_where_floats_round_differently():
    """ReLU depth 3 on 50 rationals: bitwise float comparison used to keep 3,018 columns for 2,452."""
    rng = np.random.default_rng(3)
    X = [Fraction(int(p), int(q)) for p, q in zip(rng.integers(-60, 60, 50), rng.integers(1, 12, 50))]
    lib = library(X, "relu", 3)
    distinct = lib.distinct(exact=False)
    columns = {tuple(column) for column in lib.matrix(exact=True).T}
    assert distinct.n_features == len(columns) == lib.counts.distinct


def paper_code_columns(X, depth):
    """The paper code's dictionary, transcribed: index (k, s, j) with k = 1 (depth 4 only in the
    code, every depth ≥ 4 here) replacing the first breakpoint by R(x_{j1}, x_{j2}) = 2x_{j2} − x_{j1}."""

    def feature(level, signs, anchors, k, x):
        if level == 1:
            return x
        layer = level - 1
        a = 2 * X[anchors[1]] - X[anchors[0]] if layer == 1 and k == 1 else X[anchors[layer - 1]]
        return max(0, signs[layer - 1] * (feature(layer, signs, anchors, k, x) - feature(layer, signs, anchors, k, a)))

    ks = (0, 1) if depth >= 4 else (0,)
    return [
        tuple(feature(depth, signs, anchors, k, x) for x in X)
        for k in ks
        for signs in itertools.product((1, -1), repeat=depth - 1)
        for anchors in itertools.product(range(len(X)), repeat=depth - 1)
    ]


@pytest.mark.parametrize("depth", [2, 3, 4])
@given(X=datasets(min_size=2, max_size=4))
def test_paper_variant_is_the_paper_codes_column_set(depth, X):
    """Same multiset of columns as the transcription, plus the linear feature every library has."""
    _assert_paper_columns(X, depth)


@given(X=datasets(min_size=2, max_size=3))
@settings(max_examples=15)
def test_paper_variant_extends_the_code_recursion_to_depth_5(X):
    _assert_paper_columns(X, 5)


def _assert_paper_columns(X, depth):
    data = sorted(Fraction(x) for x in X)
    lib = library(X, "relu", depth, variant="paper")
    columns = [tuple(column) for column, feature in zip(lib.matrix(exact=True, order="sorted").T, lib.features) if not feature.is_linear]
    assert sorted(columns) == sorted(paper_code_columns(data, depth))
    assert lib.n_features == (2 ** depth if depth >= 4 else 2 ** (depth - 1)) * len(X) ** (depth - 1) + 1


def test_all_reflections_variant_is_a_superset_of_the_paper_variant():
    X = [0, 4, 5, 7, 10, 11]
    paper = library(X, "relu", 4)
    wider = library(X, "relu", 4, variant="all-reflections")
    assert paper.variant == "paper" and wider.variant == "all-reflections"
    assert (paper.n_features, wider.n_features) == (16 * 6**3 + 1, 8 * 6**4 + 1)
    paper_columns = {tuple(c) for c in paper.distinct().matrix(exact=True).T}
    wider_columns = {tuple(c) for c in wider.distinct().matrix(exact=True).T}
    assert paper_columns < wider_columns
    assert library(X, "relu", 3).variant == "paper" and library(X, "abs", 4).variant is None


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"activation": "abs", "depth": 4, "variant": "all-reflections"}, "deep narrow ReLU"),
        ({"activation": "relu", "depth": 4, "variant": "paper", "reflection_nesting": 1}, "reflection_nesting applies"),
        ({"activation": "relu", "depth": 4, "variant": "mirror"}, "variant must be one of"),
        ({"activation": "relu", "depth": 2, "reflection_nesting": 1}, "no reflections"),
    ],
)
def test_variant_errors(kwargs, message):
    with pytest.raises(ValueError, match=message):
        library([0, 1, 3], **kwargs)


@pytest.mark.parametrize("depth, options", [(2, {}), (3, {}), (4, {}), (4, {"variant": "all-reflections"}), (2, {"architecture": "skip"})])
def test_provenance_is_decoded_from_the_index(depth, options):
    """``recipe.provenance(i)`` (mixed-radix decoding) is entry ``i`` of the listed provenance of
    every block, free and tied, in column order."""
    from mirrorlib.libraries.narrow_columns import narrow_provenance

    recipe = library([0, 1, 3, 7], "relu", depth, **options).recipe
    layers, n = recipe.plan.signs_per_layer, recipe.dataset.n_samples
    listed = list(narrow_provenance(len(recipe.firsts), layers, n))
    tied = [anchor for _, anchor in recipe.tied]
    listed += [(s, len(recipe.firsts) + i, a) for s, i, a in narrow_provenance(len(recipe.tied), layers, n, tied)]
    assert len(listed) == recipe.n_columns - 1
    assert [recipe.provenance(i) for i in range(len(listed))] == listed


def test_a_feature_of_a_huge_naive_library_is_found_without_listing_it():
    """Depth 7 on 4 points: 524,289 naive columns. Each distinct feature (labelled by its smallest
    naive index) is decoded alone, in little memory, and reproduces its column exactly; listing
    every naive provenance first (as before) took over 100 MB, and at depth 10 ran out of memory."""
    import tracemalloc

    distinct = library([0, 1, 2, 3], "relu", 7).distinct()
    assert distinct.n_naive == 524_289
    exact = distinct.matrix(exact=True)
    tracemalloc.start()
    features = [distinct.feature(k) for k in range(distinct.n_features)]
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert peak < 5 * 1024**2
    for k, feature in enumerate(features):
        assert [feature.unit(x) + feature.offset for x in distinct.dataset.x] == list(exact[:, k])


@settings(max_examples=100, deadline=None)
@given(st.lists(st.integers(0, 50), max_size=12).map(lambda items: sorted(set(items))), st.lists(st.integers(0, 50), max_size=12))
def test_column_selection_behaves_as_the_tuple_of_its_indices(indices, other):
    """A library's selection holds an int64 array but compares, hashes, indexes and iterates as a tuple."""
    chosen = ColumnSelection(indices)
    assert chosen == tuple(indices) and tuple(indices) == chosen and chosen == ColumnSelection(np.array(indices))
    assert hash(chosen) == hash(tuple(indices))
    assert (chosen == ColumnSelection(other)) == (tuple(indices) == tuple(other))
    assert list(chosen) == indices and len(chosen) == len(indices)
    assert [chosen[i] for i in range(-len(indices), len(indices))] == indices[-len(indices):] + indices
    assert all(type(chosen[i]) is int for i in range(len(indices)))
    assert list(chosen[1:]) == indices[1:]
    with pytest.raises(ValueError):
        chosen.indices[:1] = 7  # read-only: a library's selection cannot change under it


def test_libraries_with_equal_selections_are_equal():
    """The distinct library holds its build's keys as a ColumnSelection; equality follows the indices."""
    lib = library([0, 1, 3, 7], "relu", 3)
    distinct = lib.distinct()
    assert isinstance(distinct.selection, ColumnSelection)
    assert replace(lib, selection=tuple(distinct.selection)) == replace(distinct, selected_rows=None)
    assert replace(lib, selection=tuple(distinct.selection)[1:]) != distinct


@pytest.mark.parametrize("X", [[0, "1/2", 3, "7/3"], ["7/3", 0, 3, "1/2"]])
@pytest.mark.parametrize("rows_per_block", [1, 3, 10**6])
def test_float_matrix_rounds_each_exact_entry_once(X, rows_per_block, monkeypatch: pytest.MonkeyPatch):
    """The float matrix is written a block of rows at a time into one array, in the caller's
    order. From integer columns (small rationals here) every entry is its exact value rounded
    once — for the whole library, the distinct one, a selection and generated columns — and the
    float recursion (a library whose integer columns were never built) agrees to rounding,
    whatever the block size."""
    import importlib

    from mirrorlib.column_generation import feature_from_unit
    from mirrorlib.groundtruth.oracle import unit_oracle

    monkeypatch.setattr(importlib.import_module("mirrorlib.libraries.library"), "ROWS_BLOCK_ENTRIES", rows_per_block * len(X))
    distinct = library(X, "abs", 3).distinct()
    grown = distinct.with_features([feature_from_unit(unit_oracle(X, [1, -2, 3, -2], "abs", 3), distinct)])
    for order in ("original", "sorted"):
        recursion = library(X, "abs", 3).with_features(grown.generated)
        floats = recursion.matrix(order=order)  # before any integer columns exist: the float recursion
        assert np.allclose(floats, np.vectorize(float)(recursion.matrix(exact=True, order=order)), rtol=1e-15, atol=1e-15)
        for lib in (recursion, distinct, grown, grown.distinct(), library(X, "relu", 4).distinct()):
            exact = lib.matrix(exact=True, order=order)
            assert np.array_equal(lib.matrix(order=order), np.vectorize(float)(exact))
            buffer = np.full((len(X), lib.n_features + 2), -7.0, order="F")  # written into the leading columns only
            assert lib.matrix(order=order, out=buffer[:, :-2]) is not None
            assert np.array_equal(buffer[:, :-2], np.vectorize(float)(exact)) and (buffer[:, -2:] == -7.0).all()


def test_matrix_out_is_checked_for_every_family():
    """``matrix(out=...)`` (the FeatureLibrary protocol) writes the float matrix into the caller's
    array, for homogeneous and sign libraries alike, and refuses a wrong ``out`` in one line."""
    from mirrorlib.signnets import sign_library

    for lib in (library([0, 1, 3, 4], "relu", 3).distinct(), sign_library([0, 1, 3, 4])):
        out = np.empty((4, lib.n_features))
        assert lib.matrix(out=out) is out and np.array_equal(out, lib.matrix())
        for bad, message in (
            (np.empty((4, lib.n_features + 1)), r"out has shape \(4, \d+\) but the matrix is"),
            (np.empty((4, lib.n_features), dtype=np.float32), "writeable float64 array"),
            ([[0.0] * lib.n_features] * 4, "out has type list"),
        ):
            with pytest.raises(ValueError, match=message):
                lib.matrix(out=bad)
        with pytest.raises(ValueError, match="out is for the float matrix only"):
            lib.matrix(exact=True, out=out)
