"""Ground-truth libraries by exact cell enumeration (theory §3) and the completeness checks."""

from fractions import Fraction

import numpy as np
import pytest
from hypothesis import Phase, given, settings
from hypothesis import strategies as st

from mirrorlib.functions.activations import pwl_activation
from mirrorlib.groundtruth import (
    completeness_gap,
    dominating_unit,
    extreme_points_missing,
    gauge,
    ground_truth_library,
    make_architecture,
    numeric_sup,
    parameter_box,
)
from mirrorlib.libraries import library
from mirrorlib.units import NarrowUnit

FAST = settings(derandomize=True, deadline=None, max_examples=12)
F = Fraction


def rationals(max_numerator: int = 12, max_denominator: int = 3) -> st.SearchStrategy[Fraction]:
    return st.builds(Fraction, st.integers(-max_numerator, max_numerator), st.integers(1, max_denominator))


def data(min_size: int = 1, max_size: int = 6) -> st.SearchStrategy[list[Fraction]]:
    return st.lists(rationals(), min_size=min_size, max_size=max_size)


@st.composite
def data_and_lambda(draw: st.DrawFn, min_size: int = 2, max_size: int = 5) -> tuple[list[Fraction], list[Fraction]]:
    """Data and an exact λ ⊥ 1 of the same length (sorted-data order)."""
    X = draw(data(min_size, max_size))
    raw = draw(st.lists(st.integers(-6, 6), min_size=len(X), max_size=len(X)))
    mean = Fraction(sum(raw), len(raw))
    return X, [value - mean for value in raw]


def modulo_constants(vectors) -> set[tuple[Fraction, ...]]:
    return {tuple(value - vector[0] for value in vector) for vector in vectors}


def dot(left, right) -> Fraction:
    return sum((a * b for a, b in zip(left, right)), Fraction(0))


# --------------------------------------------------------------------------- hand-checked cases
def test_relu_depth2_on_two_points_by_hand():
    """u = relu(s·x + b) on X = (0, 1): vertices b = −s·x_j give (0,1), (0,0) for s = +1 and
    (1,0), (0,0) for s = −1; each pattern cuts the b-line into 3 cells."""
    truth = ground_truth_library([1, 0], "relu", 2, method="cdd")
    assert _vertices_by_vector(ground_truth_library([1, 0], "relu", 2)) == _vertices_by_vector(truth)
    assert set(truth.vectors) == {(0, 0), (0, 1), (1, 0)}
    assert (truth.n_patterns, truth.n_cells, truth.n_vertices) == (2, 6, 4)
    assert truth.matrix(exact=True, order="original").tolist() == [[0, 1, 0], [0, 0, 1]]  # rows: x = 1, 0


def _vertices_by_vector(truth):
    return {entry.vector: {(p.pattern, p.parameters) for p in entry.provenance} for entry in truth.entries}


def test_abs_depth3_on_two_points_by_hand():
    """u = ||x + b_1| + b_2| on X = (0, 1): layer-1 lines b_1 ∈ {0, −1}; layer-2 curves
    b_2 = −|b_1|, b_2 = −|1 + b_1| cross at (−1/2, −1/2). Cells: 3 + 4 + 3 = 10; vertices
    (0,0), (0,−1), (−1,−1), (−1,0), (−1/2,−1/2) with features (0,1), (1,0), (0,1), (1,0), (0,0)."""
    truth = ground_truth_library([0, 1], "abs", 3, method="cdd")
    assert _vertices_by_vector(ground_truth_library([0, 1], "abs", 3)) == _vertices_by_vector(truth)
    assert (truth.n_patterns, truth.n_cells, truth.n_vertices) == (1, 10, 5)
    by_vector = {entry.vector: {p.parameters for p in entry.provenance} for entry in truth.entries}
    assert by_vector == {
        (0, 0): {(F(-1, 2), F(-1, 2))},
        (0, 1): {(0, 0), (-1, -1)},
        (1, 0): {(0, -1), (-1, 0)},
    }


def test_linear_activation_has_one_cell_with_a_lineality_space():
    truth = ground_truth_library([0, 2, 5], "linear", 2)
    assert truth.n_cells == 2  # one per sign, no hyperplanes
    assert modulo_constants(truth.vectors) == {(0, 2, 5), (0, -2, -5)}


# --------------------------------------------------------------------------- depth 2 = closed form
@pytest.mark.parametrize("activation", ["relu", "abs", "leaky_relu(1/10)", "leaky_relu(-2)", "linear"])
@FAST
@given(X=data(1, 6))
def test_depth2_ground_truth_equals_closed_form_modulo_constants(activation, X):
    truth = ground_truth_library(X, activation, 2)
    closed = library(X, activation, 2)
    assert modulo_constants(truth.vectors) == modulo_constants(tuple(row) for row in closed.sorted_columns_exact)
    assert extreme_points_missing(closed, truth) == ()


# --------------------------------------------------------------------------- provenance
@pytest.mark.parametrize(
    ("activation", "depth", "architecture", "max_size"),
    [
        ("relu", 3, "narrow", 4),
        ("abs", 3, "narrow", 4),
        ("leaky_relu(1/2)", 3, "narrow", 3),
        ("relu", 4, "narrow", 3),
        ("relu", 3, "width2", 3),
        ("abs", 3, "width2", 3),
        ("symmetrised_relu", 3, "symmetrised", 3),
    ],
)
@FAST
@given(data=st.data())
def test_every_vector_is_its_provenance_unit_at_the_data(activation, depth, architecture, max_size, data):
    X = data.draw(st.lists(rationals(8, 2), min_size=1, max_size=max_size), label="X")
    truth = ground_truth_library(X, activation, depth, architecture=architecture)
    xs = truth.dataset.x
    spec = truth.architecture
    for entry in truth.entries:
        for provenance in entry.provenance:
            unit = provenance.unit
            assert tuple(unit(x) for x in xs) == entry.vector  # vector came from the cell's affine map
            assert unit.function.restrict(xs) == entry.vector  # exact PWL composition
            box = parameter_box(spec, provenance.pattern, xs, truth.activation.slopes)
            assert all(abs(t) <= r for t, r in zip(provenance.parameters, box))
            if architecture == "narrow":
                narrow = provenance.narrow_unit
                assert isinstance(narrow, NarrowUnit)
                assert tuple(narrow(x) for x in xs) == entry.vector
            else:
                assert provenance.narrow_unit is None


def test_linear_feature_is_a_vertex_feature():
    """The recession feature x is, modulo constants, the vertex feature relu(x − x_1)."""
    X = [F(3), F(-1), F(1, 2), F(7)]
    for depth in (2, 3):
        truth = ground_truth_library(X, "relu", depth)
        shifted = tuple(x - min(X) for x in sorted(X))
        assert shifted in truth.vectors


# --------------------------------------------------------------------------- numeric cross-check
@pytest.mark.parametrize(
    ("activation", "depth", "architecture", "grid"),
    [
        ("relu", 3, "narrow", None),
        ("abs", 3, "narrow", None),
        ("leaky_relu(1/4)", 3, "narrow", None),
        ("relu", 4, "narrow", 9),
        ("relu", 3, "width2", 9),
        ("relu", 3, "symmetrised", None),
    ],
)
@settings(derandomize=True, deadline=None, max_examples=3, phases=[Phase.explicit, Phase.generate])  # no slow shrinking
@given(case=data_and_lambda(3, 5))
def test_numeric_sup_agrees_with_exact_enumeration(activation, depth, architecture, grid, case):
    X, lam = case
    truth = ground_truth_library(X, activation, depth, architecture=architecture)
    exact = max(abs(dot(lam, vector)) for vector in truth.vectors)
    numeric = numeric_sup(X, activation, depth, lam, architecture=architecture, grid=grid, rng=1)
    scale = max(1.0, float(exact))
    assert numeric.value <= float(exact) + 1e-9 * scale  # units never beat the ground truth
    assert numeric.value >= float(exact) - 1e-6 * scale  # and the search finds it
    found = numeric.unit.evaluate(truth.dataset.as_float()) @ np.array([float(v) for v in lam])
    assert abs(abs(found) - numeric.value) <= 1e-9 * scale


# --------------------------------------------------------------------------- extreme-point test
def test_truncated_library_fails_the_extreme_point_test():
    X = [F(0), F(1), F(3), F(4), F(7)]
    truth = ground_truth_library(X, "relu", 2)
    closed = library(X, "relu", 2)
    columns = [tuple(row) for row in closed.sorted_columns_exact]
    removed = tuple(max(x - F(3), F(0)) for x in X)  # the ramp relu(x − 3)
    truncated = [column for column in columns if column != removed]
    assert len(truncated) == len(columns) - 1
    assert extreme_points_missing(columns, truth) == ()
    missing = extreme_points_missing(truncated, truth)
    assert [item.entry.vector for item in missing] == [removed]
    witness = missing[0].witness
    assert sum(witness) == 0
    assert missing[0].ground_truth_value == dot(witness, removed) > 1
    assert max(abs(dot(witness, column)) for column in truncated) == missing[0].closed_form_value <= 1
    gap = completeness_gap(truncated, truth, witness)
    assert gap.beats and gap.entry.vector == removed
    assert dominating_unit(truncated, truth, witness).vector == removed
    assert dominating_unit(columns, truth, witness) is None


def test_vector_outside_the_span_has_infinite_gauge_and_orthogonal_witness():
    X = [F(0), F(1), F(2), F(5)]
    truth = ground_truth_library(X, "relu", 2)
    only_linear = [tuple(X)]
    value, witness = gauge(only_linear, truth, (0, 0, 1, 4))
    assert value is None
    assert sum(witness) == 0 and dot(witness, X) == 0 and dot(witness, (0, 0, 1, 4)) > 0
    missing = extreme_points_missing(only_linear, truth)
    assert missing and missing[0].gauge is None


@settings(derandomize=True, deadline=None, max_examples=8)
@given(X=data(2, 4))
def test_relu_depth3_narrow_units_are_in_the_width2_hull(X):
    """A width-2 ReLU unit with a dead second neuron is a narrow unit, so the width-2 ground truth
    dominates the narrow one; the symmetrised layer is a tied width-2 layer."""
    width2 = ground_truth_library(X, "relu", 3, architecture="width2")
    assert extreme_points_missing(width2, ground_truth_library(X, "relu", 3)) == ()
    assert extreme_points_missing(width2, ground_truth_library(X, "relu", 3, architecture="symmetrised")) == ()
    assert extreme_points_missing(ground_truth_library(X, "relu", 3), ground_truth_library(X, "relu", 2)) == ()


def test_abs_depth3_closed_form_counterexample():
    """Smallest counterexample found (integer data ⊂ {0..8}, N ≤ 4) to the deep narrow abs closed form
    at depth 3 (theory §5, Theorem 3.2 as stated): u = ||x − 3/2| − 3/2| has its first breakpoint at the
    midpoint of x = 0 and x = 3, not at a data point, and beats every closed-form column on λ."""
    X = [F(0), F(2), F(3), F(5)]
    lam = [F(-1, 3), F(2, 3), F(-2, 3), F(1, 3)]
    closed = library(X, "abs", 3)
    truth = ground_truth_library(X, "abs", 3)
    unit = NarrowUnit(closed.activation, (F(1), F(1)), (F(-3, 2), F(-3, 2)))
    vector = tuple(unit(x) for x in X)
    assert vector == (0, 1, 0, 2) and vector in truth.vectors
    assert dot(lam, vector) == F(4, 3)
    assert max(abs(dot(lam, row)) for row in closed.sorted_columns_exact) == 1
    mirrored = (2, 0, 1, 0)  # the data are symmetric about 5/2: ||x − 7/2| − 3/2|
    missing = extreme_points_missing(closed, truth)
    assert {(item.entry.vector, item.gauge) for item in missing} == {(vector, F(4, 3)), (mirrored, F(4, 3))}
    gap = completeness_gap(closed, truth, lam)
    assert (gap.closed_form_value, gap.ground_truth_value) == (1, F(4, 3))


def test_library_with_skip_connection_requires_lambda_orthogonal_to_x():
    X = [F(0), F(1), F(3)]
    truth = ground_truth_library(X, "relu", 2)
    skip = library(X, "relu", 2, architecture="skip")
    assert extreme_points_missing(skip, truth) == ()
    with pytest.raises(ValueError, match="unpenalised"):
        completeness_gap(skip, truth, [F(1), F(-1), F(0)])
    assert not completeness_gap(skip, truth, [F(2), F(-3), F(1)]).beats


# --------------------------------------------------------------------------- architectures and input errors
def test_architecture_layouts():
    assert make_architecture("narrow", 4).widths == (1, 1, 1)
    wide = make_architecture("width2", 4, wide_layer=2)
    assert (wide.widths, wide.n_weights, wide.n_parameters) == ((1, 2, 1), 5, 4)
    tied = make_architecture("symmetrised", 3)
    assert (tied.widths, tied.n_weights, tied.n_parameters) == ((2, 1), 3, 2)
    assert tied.weights((F(1), F(1), F(-1))) == (((1,), (-1,)), ((1, -1),))
    assert tied.biases((F(2), F(5))) == ((2, -2), (5,))
    assert make_architecture("narrow", 4).cost_power((F(1), F(-1), F(1))) == 1
    assert make_architecture("width2", 3).cost_power((F(1), F(-1), F(1), F(1))) == 4  # C = 2^{2/3}
    assert make_architecture("width2", 3).cost_power((F(1), F(1), F(1), F(1, 2))) == 2 * (1 + F(1, 8))


def test_explicit_weight_patterns_scan_ratios():
    X = [F(0), F(1), F(3)]
    one = ground_truth_library(X, "relu", 3, architecture="width2", signs=(1, 1, 1, F(1, 2)))
    assert one.n_patterns == 1
    assert all(p.unit.weights[1] == ((1, F(1, 2)),) for entry in one.entries for p in entry.provenance)
    both = ground_truth_library(X, "relu", 3, architecture="width2", signs=[(1, 1, 1, 1), (1, 1, 1, 2)])
    assert both.n_patterns == 2


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"X": []}, "X is empty"),
        ({"X": [0, float("nan")]}, "X"),
        ({"depth": 1}, "depth must be ≥ 2"),
        ({"depth": 2, "architecture": "width2"}, "depth must be ≥ 3"),
        ({"architecture": "tree"}, "architecture must be one of"),
        ({"depth": 4, "architecture": "width2", "wide_layer": 3}, "wide_layer"),
        ({"signs": (1, 1, 1)}, "signs"),
        ({"signs": (1, 0)}, "non-zero"),
        ({"activation": pwl_activation([-1, 1], [-1, 1], left_slope=0, right_slope=0, name="hard_tanh")}, "outside the scope"),
        ({"activation": "sign"}, "positively homogeneous"),
        ({"activation": "symmetrised_relu"}, "architecture='symmetrised'"),
    ],
)
def test_bad_input_raises_value_error_naming_the_argument(kwargs, message):
    arguments = {"X": [0, 1, 2], "activation": "relu", "depth": 3, **kwargs}
    X, activation, depth = arguments.pop("X"), arguments.pop("activation"), arguments.pop("depth")
    with pytest.raises(ValueError, match=message):
        ground_truth_library(X, activation, depth, **arguments)


def test_lambda_must_be_exactly_orthogonal_to_ones():
    truth = ground_truth_library([0, 1, 2], "relu", 2)
    with pytest.raises(ValueError, match="1ᵀλ = 0"):
        completeness_gap(library([0, 1, 2]), truth, [1, 0, 0])
    with pytest.raises(ValueError, match="lam has 2 entries"):
        completeness_gap(library([0, 1, 2]), truth, [1, -1])
    with pytest.raises(ValueError, match="different data"):
        completeness_gap(library([0, 1, 3]), truth, [1, -1, 0])
    with pytest.raises(ValueError, match="1ᵀλ = 0"):
        numeric_sup([0, 1, 2], "relu", 2, [1, 0, 0])
