"""Sign/threshold networks: switch bounds, counts, closed form versus exact ground truth."""

import itertools
import json
import math
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirrorlib.signnets import (
    SignUnit,
    amplitude_penalty,
    check_sign_dictionary,
    count_switch_vectors,
    ground_truth,
    iter_switch_patterns,
    neuron,
    pattern_at_rank,
    pattern_rank,
    realising_unit,
    sign_library,
    sign_library_report,
    sign_net_spec,
    sweep_sign_dictionaries,
    switch_bound,
    theory_switch_bound,
    threshold_functions,
)
from mirrorlib.signnets.switching import switch_gaps
from mirrorlib.testing.strategies import datasets

SPECS = [
    ("tree", (), 2),
    ("rectangular", (), 2),
    ("tree", (1,), 3),
    ("tree", (3,), 3),
    ("rectangular", (2,), 3),
    ("tree", (2, 2), 4),
    ("tree", (1, 3), 4),
    ("tree", (3, 1), 4),
    ("rectangular", (1, 3), 4),
    ("rectangular", (3, 1), 4),
    ("rectangular", (2, 3), 4),
    ("tree", (2, 1, 2), 5),
    ("rectangular", (2, 2, 2), 5),
    ("rectangular", (1, 3, 2), 5),
]
specs = st.sampled_from(SPECS)
activations = st.sampled_from(["sign", "threshold"])
fast = settings(derandomize=True, deadline=None, max_examples=25)


def brute_force_count(n_points, max_switches, values):
    return sum(
        1
        for vector in itertools.product(values, repeat=n_points)
        if sum(a != b for a, b in zip(vector, vector[1:])) <= max_switches
    )


# --------------------------------------------------------------------------- counting
@pytest.mark.parametrize("n_points", range(1, 9))
@pytest.mark.parametrize("max_switches", range(0, 9))
def test_count_formula_matches_brute_force_over_all_vectors(n_points, max_switches):
    """2 Σ_{k≤K} C(n−1, k) counts the ±1 and the 0/1 vectors with at most K switches."""
    expected = count_switch_vectors(n_points, max_switches)
    assert brute_force_count(n_points, max_switches, (-1, 1)) == expected
    assert brute_force_count(n_points, max_switches, (0, 1)) == expected


@fast
@given(n_points=st.integers(1, 9), max_switches=st.integers(0, 9))
def test_generator_yields_each_pattern_once_and_count_only_matches(n_points, max_switches):
    patterns = list(iter_switch_patterns(n_points, max_switches))
    assert len(patterns) == len(set(patterns)) == count_switch_vectors(n_points, max_switches)
    assert all(len(switch_gaps(pattern)) <= max_switches for pattern in patterns)


@fast
@given(X=datasets(min_size=1, max_size=7), spec=specs, activation=activations)
def test_library_counts_need_no_enumeration_and_match_the_features(X, spec, activation):
    lib = sign_library(X, activation, *spec)
    counts = lib.counts
    assert "features" not in lib.__dict__  # count-only path: arithmetic only
    n = len(set(Fraction(x) for x in X))
    assert counts.distinct == count_switch_vectors(n, lib.max_switches) == len(lib.features) == lib.n_features
    assert counts.naive == count_switch_vectors(len(X), lib.max_switches) >= counts.distinct
    assert counts.distinct_nonconstant == counts.distinct - 2
    assert lib.matrix().shape == (len(X), counts.distinct)


def test_count_only_is_arithmetic_on_huge_libraries():
    lib = sign_library(range(5000), "threshold", "tree", (10, 10), 4)
    assert lib.max_switches == 100
    assert lib.counts.distinct == 2 * sum(math.comb(4999, k) for k in range(101))
    assert "features" not in lib.__dict__


def test_switch_bounds():
    assert switch_bound("tree", (), 2) == switch_bound("rectangular", (), 2) == 1
    assert switch_bound("tree", (2, 3, 4), 5) == 24 == theory_switch_bound((2, 3, 4), 5)
    assert switch_bound("rectangular", (2, 3, 4), 5) == 2
    assert switch_bound("rectangular", (3,), 3) == switch_bound("tree", (3,), 3) == 3


# --------------------------------------------------------------------------- closed form vs ground truth
@settings(derandomize=True, deadline=None, max_examples=40)
@given(X=datasets(min_size=1, max_size=7), spec=specs, activation=activations)
def test_closed_form_equals_the_exact_ground_truth(X, spec, activation):
    check = check_sign_dictionary(X, activation, *spec)
    assert check.passed, check.counterexample.as_text() if check.counterexample else check
    assert check.relation == "equal" and check.bound_tight
    assert check.ground_truth_count == check.formula_count == check.enumerated_count
    assert check.ground_truth_max_switches == min(check.max_switches, check.n_points - 1)


def test_exhaustive_sweep_settles_small_architectures_for_all_data():
    """Patterns depend on the data only through n (distinct values): x = 0..n−1 covers all data."""
    checks = list(sweep_sign_dictionaries(max_points=6, max_depth=4, max_width=2))
    assert len(checks) == 6 * 2 * (1 + 2 + 4)
    failed = [check.describe_instance() for check in checks if not check.passed]
    assert not failed


def test_theory_product_bound_is_exact_for_trees_only():
    """theory §5's '(product of the widths below it)': a rectangular net with widths (1, 2) has
    product 2, but every neuron above layer 1 only sees the single layer-1 step, so K = m_1 = 1."""
    check = check_sign_dictionary([0, 1, 2], "sign", "rectangular", (1, 2), 4, rule="theory")
    assert check.relation == "ground truth ⊊ closed form"
    assert (check.formula_count, check.ground_truth_count) == (8, 6)
    assert check.extra == ((0, 1, 0), (1, 0, 1)) and not check.missing
    counterexample = check.counterexample
    assert counterexample.kind == "extra" and counterexample.unit is None
    assert counterexample.vector == (-1, 1, -1) and counterexample.data == (0, 1, 2)
    assert check_sign_dictionary([0, 1, 2], "sign", "tree", (1, 2), 4, rule="theory").passed
    assert check_sign_dictionary([0, 1, 2], "sign", "rectangular", (1, 2), 4).passed


def test_theory_product_bound_fails_exactly_when_it_exceeds_the_first_width():
    """Rectangular nets: the product rule's library is strictly larger iff min(∏ m_l, n − 1) > m_1."""
    for check in sweep_sign_dictionaries(max_points=6, max_depth=5, max_width=2, rule="theory"):
        product = math.prod(check.widths)
        predicted_failure = (
            check.architecture == "rectangular" and check.depth > 2 and min(product, check.n_points - 1) > check.widths[0]
        )
        assert check.passed != predicted_failure, check.describe_instance()
        assert check.relation in ("equal", "ground truth ⊊ closed form")


# --------------------------------------------------------------------------- provenance
@fast
@given(X=datasets(min_size=1, max_size=5), spec=specs, activation=activations)
def test_every_feature_equals_the_exact_evaluation_of_its_unit(X, spec, activation):
    lib = sign_library(X, activation, *spec)
    data = [Fraction(x) for x in X]
    exact = lib.matrix(exact=True)
    assert np.array_equal(lib.matrix(), exact.astype(np.float64))
    for index, feature in enumerate(lib.features):
        unit = feature.unit
        assert tuple(exact[:, index]) == tuple(unit(x) for x in data) == tuple(unit.feature(x) for x in data)
        assert feature.values == tuple(unit.function(point) for point in lib.points)
        assert unit.function.breakpoints == feature.switch_points


@fast
@given(X=datasets(min_size=1, max_size=5), spec=specs, activation=activations)
def test_ground_truth_witnesses_are_units_producing_their_patterns(X, spec, activation):
    truth = ground_truth(X, activation, *spec)
    native = {0: truth.spec.native(0), 1: truth.spec.native(1)}
    for pattern in truth.patterns():
        unit = truth.unit_for(pattern)
        assert unit.feature_values(truth.points) == tuple(native[bit] for bit in pattern)


def test_pwl_composition_agrees_with_pointwise_evaluation_between_data():
    lib = sign_library([0, 1, 2, 5, 6], "sign", "tree", (2, 2), 4)
    probes = [Fraction(k, 4) for k in range(-4, 30)]
    for feature in lib.features[::3]:
        assert all(feature.function(t) == feature.unit(t) for t in probes)
        assert len(feature.function.breakpoints) == feature.n_switches


def test_rows_follow_the_callers_order_and_duplicates_get_identical_entries():
    lib = sign_library([2, 0, 2, 1], "threshold", "rectangular", (2, 2), 4)
    matrix = lib.matrix(exact=True)
    assert np.array_equal(matrix[0], matrix[2])
    assert np.array_equal(lib.matrix(order="sorted"), lib.matrix()[[1, 3, 0, 2]])
    assert lib.counts.naive == count_switch_vectors(4, 2) == 14 and lib.counts.distinct == 8
    assert len({tuple(column) for column in matrix.T}) == 8


def test_units_evaluate_the_amplitude_parametrisation():
    spec = sign_net_spec("sign", "rectangular", (2,), 3)
    unit = SignUnit(spec, ((neuron([1], -1), neuron([-1], 3)), (neuron([1, 1], -1, amplitude=Fraction(-3, 2)),)))
    assert [unit.feature(x) for x in (0, 2, 4)] == [-1, 1, -1]
    assert [unit(x) for x in (0, 2, 4)] == [Fraction(3, 2), Fraction(-3, 2), Fraction(3, 2)]
    assert amplitude_penalty(Fraction(3, 2), unit) == abs(Fraction(3, 2) * unit.amplitude)
    assert amplitude_penalty(3, unit) > abs(3 * unit.amplitude)
    rescaled = unit.with_output_amplitude(2)
    assert [rescaled(x) for x in (0, 2, 4)] == [-2, 2, -2] and rescaled.feature(2) == unit.feature(2)


# --------------------------------------------------------------------------- threshold functions
@pytest.mark.parametrize(("fan_in", "count"), [(0, 2), (1, 4), (2, 14), (3, 104), (4, 1882)])
def test_threshold_function_counts_match_oeis_a000609(fan_in, count):
    table = threshold_functions(fan_in)
    assert len(table) == count
    corners = (np.arange(2**fan_in)[:, None] >> np.arange(fan_in)[None, :]) & 1
    realised = (table.weights @ corners.T + table.offsets[:, None] >= 0).astype(np.uint8)
    assert np.array_equal(realised, table.truth_tables)


@pytest.mark.parametrize("fan_in", [1, 2, 3])
def test_threshold_table_agrees_with_an_exact_lp_separability_test(fan_in):
    cdd = pytest.importorskip("cdd.gmp")
    listed = {tuple(row) for row in threshold_functions(fan_in).truth_tables.tolist()}
    corners = [[(r >> i) & 1 for i in range(fan_in)] for r in range(2**fan_in)]
    for table in itertools.product((0, 1), repeat=2**fan_in):
        # feasible iff some (c, w) has ±(c + wᵀt) ≥ 1 on every corner: rows [−1, s, s·t] ≥ 0
        rows = [[Fraction(-1), Fraction(2 * bit - 1)] + [Fraction((2 * bit - 1) * t) for t in corner] for bit, corner in zip(table, corners)]
        lp = cdd.linprog_from_array([row for row in rows] + [[Fraction(0)] * (fan_in + 2)], obj_type=cdd.LPObjType.MAX)
        cdd.linprog_solve(lp)
        assert (lp.status == cdd.LPStatusType.OPTIMAL) == (table in listed), table


def test_unit_weights_miss_threshold_functions_from_fan_in_three():
    """Enumerating weight *signs* is not enough: t1 ∧ (t2 ∨ t3) = 1[2t1 + t2 + t3 ≥ 3] needs weight 2."""
    signs_only = {tuple(row) for row in threshold_functions(3, max_weight=1).truth_tables.tolist()}
    target = tuple(int(2 * (r & 1) + ((r >> 1) & 1) + ((r >> 2) & 1) >= 3) for r in range(8))
    assert len(signs_only) == 56 and target not in signs_only
    assert target in {tuple(row) for row in threshold_functions(3).truth_tables.tolist()}


# --------------------------------------------------------------------------- validation and reports
@pytest.mark.parametrize(
    ("kwargs", "argument"),
    [
        ({"widths": (0, 2)}, "widths"),
        ({"widths": (-1, 2)}, "widths"),
        ({"widths": (2,)}, "widths"),
        ({"widths": "2,x"}, "widths"),
        ({"depth": 1, "widths": ()}, "depth"),
        ({"depth": 2.5}, "depth"),
        ({"activation": "relu"}, "activation"),
        ({"activation": "no_such_thing"}, "activation"),
        ({"architecture": "narrow"}, "architecture"),
        ({"X": []}, "X"),
        ({"rule": "paper"}, "rule"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, argument):
    arguments = {"X": [0, 1, 2], "activation": "sign", "architecture": "tree", "widths": (2, 2), "depth": 4}
    arguments.update(kwargs)
    X = arguments.pop("X")
    with pytest.raises(ValueError, match=argument):
        sign_library(X, **arguments)
    if "rule" not in kwargs:
        with pytest.raises(ValueError, match=argument):
            ground_truth(X, **arguments)


def test_units_reject_wrong_shapes_and_patterns_beyond_the_bound():
    spec = sign_net_spec("threshold", "tree", (2,), 3)
    with pytest.raises(ValueError, match="layer sizes"):
        SignUnit(spec, ((neuron([1], 0),), (neuron([1, 1], 0),)))
    with pytest.raises(ValueError, match="switches"):
        realising_unit(spec, (Fraction(0), Fraction(1), Fraction(2), Fraction(3)), (0, 1, 0, 1))


def test_library_report_is_data_only_and_json_ready():
    report = sign_library_report("0,1,2,5,6", activation="sign", architecture="tree", widths="2,2", depth=4)
    payload = report.as_json()
    json.dumps(payload)
    assert payload["K"] == 4 and payload["counts"]["distinct"] == 32 == len(payload["features"])
    assert all(len(feature["column"]) == 5 for feature in payload["features"])
    text = sign_library_report("0,1,1,2", activation="threshold", architecture="rectangular", widths="3,3", depth=4, count_only=True).as_text()
    assert "distinct 8" in text and "naive 16" in text and "unit" not in text


@pytest.mark.parametrize("n_points", range(1, 8))
@pytest.mark.parametrize("max_switches", range(0, 8))
def test_pattern_rank_and_unrank_follow_the_generator_order(n_points, max_switches):
    """pattern_rank / pattern_at_rank index the library's columns without enumerating them."""
    for index, pattern in enumerate(iter_switch_patterns(n_points, max_switches)):
        assert pattern_rank(pattern, max_switches) == index
        assert pattern_at_rank(index, n_points, max_switches) == pattern
    with pytest.raises(IndexError):
        pattern_at_rank(count_switch_vectors(n_points, max_switches), n_points, max_switches)


def test_feature_lookup_is_arithmetic_on_huge_libraries():
    lib = sign_library(range(5000), "sign", "tree", (10, 10), 4)
    last = lib.feature(lib.n_features - 1)
    assert last.n_switches == 100 and last.start == 1 and last.gaps == tuple(range(4899, 4999))
    assert lib.index_of(last.pattern) == lib.n_features - 1
    assert "features" not in lib.__dict__
