"""Distinct-by-construction libraries against exact deduplication of the naive library."""

from __future__ import annotations

from fractions import Fraction
from unittest import mock

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from mirrorlib.libraries import library
from mirrorlib.libraries import distinct_columns
from mirrorlib.libraries.distinct_columns import distinct_narrow_columns, first_distinct_rows, row_groups
from mirrorlib.libraries.library import exact_column
from mirrorlib.libraries import narrow_columns as narrow_columns_module
from mirrorlib.libraries.clamped_ramps import UNBOUNDED, ClampedRamps, canonical_ramps
from mirrorlib.libraries.narrow_columns import narrow_block_size, narrow_columns

small_rationals = st.fractions(min_value=-6, max_value=6, max_denominator=4)


def naive_first_occurrences(lib) -> list[int]:
    """The previous definition of ``distinct()``: every naive column built, first occurrences kept."""
    return first_distinct_rows(lib.recipe.integer_columns().values, classes=lib.penalised.astype(np.int64))


@st.composite
def closed_forms(draw):
    """(X, activation, depth, keyword arguments) of a small closed-form library, duplicates in X allowed."""
    n = draw(st.integers(1, 6))
    X = draw(st.lists(small_rationals, min_size=n, max_size=n))
    activation = draw(st.sampled_from(["relu", "abs", "leaky_relu(1/4)"]))
    if activation == "leaky_relu(1/4)":
        return X, activation, 2, draw(st.sampled_from([{}, {"architecture": "skip"}]))
    depth = draw(st.integers(2, 5 if n <= 4 else 4))
    options = [{}] + ([{"architecture": "skip"}] if depth == 2 else [])
    if activation == "relu" and depth >= 3:
        options += [{"variant": "all-reflections"}] + ([{"reflection_nesting": 2}] if n <= 3 and depth == 3 else [])
    return X, activation, depth, draw(st.sampled_from(options))


@given(closed_forms())
def test_distinct_library_is_the_first_occurrence_deduplication(case) -> None:
    X, activation, depth, options = case
    lib = library(X, activation, depth, **options)
    distinct = lib.distinct()
    assert list(distinct.selection) == naive_first_occurrences(lib)
    assert np.array_equal(distinct.selected_rows.values, lib.recipe.integer_columns().values[list(distinct.selection)])
    assert distinct.counts.distinct == distinct.n_features == len(set(map(tuple, lib.recipe.integer_columns().values.tolist()))) + (
        0 if lib.penalised.all() else 1
    ) - _unpenalised_merges(lib)


@given(closed_forms(), st.randoms(use_true_random=False))
def test_integer_rows_of_a_selection_equal_the_built_rows(case, random) -> None:
    """A selection's rows built column by column along their provenance (what a working-set fit
    keeps of a closed form too large to build) equal the rows of the whole integer build."""
    X, activation, depth, options = case
    recipe = library(X, activation, depth, **options).recipe
    picked = [random.randrange(recipe.n_columns) for _ in range(20)] + [recipe.n_columns - 1]
    rows = recipe.integer_rows(picked)
    built = recipe.integer_columns()
    assert rows.denominator == built.denominator and np.array_equal(rows.values, built.values[picked])
    with pytest.raises(IndexError, match="column indices"):
        recipe.integer_rows([recipe.n_columns])


@given(closed_forms())
def test_sampled_columns_only_screen(case) -> None:
    """With one sampled column almost every child shares its sample with another, so the exact
    grouping of the whole rows decides; the result must not change."""
    X, activation, depth, options = case
    lib = library(X, activation, depth, **options)
    with mock.patch.object(distinct_columns, "SAMPLED_COLUMNS", 1):
        selection = list(lib.distinct().selection)
    assert selection == naive_first_occurrences(lib)


@settings(max_examples=15, deadline=None)
@given(
    st.lists(st.integers(-12, 12), min_size=32, max_size=40),
    st.sampled_from([("relu", 3, {}), ("abs", 3, {}), ("relu", 3, {"variant": "all-reflections"}), ("abs", 4, {})]),
)
def test_wide_data_take_the_sampled_path(X, case) -> None:
    """At least 4·SAMPLED_COLUMNS points (repeated values welcome: equal samples, different rows)."""
    activation, depth, options = case
    lib = library(X, activation, depth, **options)
    if lib.dataset.n_samples < 4 * distinct_columns.SAMPLED_COLUMNS:
        lib = library([*X, *range(100, 100 + 4 * distinct_columns.SAMPLED_COLUMNS)], activation, depth, **options)
    assert list(lib.distinct().selection) == naive_first_occurrences(lib)


def _unpenalised_merges(lib) -> int:
    """1 when the unpenalised linear column equals a penalised column (they stay apart), else 0."""
    if lib.penalised.all():
        return 0
    values = lib.recipe.integer_columns().values
    return 0 if any(np.array_equal(values[-1], row) for row in values[:-1]) else 1


@given(st.lists(st.integers(-50, 50), min_size=2, max_size=7, unique=True))
def test_every_distinct_feature_is_its_unit_exactly(X) -> None:
    lib = library(X, "relu", 4, variant="all-reflections").distinct()
    exact = lib.matrix(exact=True, order="sorted")
    for index in range(0, lib.n_features, max(1, lib.n_features // 25)):
        assert exact_column(lib.feature(index), lib.dataset) == list(exact[:, index])


def test_no_layer_holds_the_naive_library() -> None:
    """ReLU depth 4 (all reflections) on 30 points: 6,480,001 naive columns; the largest layer
    built is a small fraction of that, and far below the memory the naive library needs."""
    rng = np.random.default_rng(0)
    x = np.sort(rng.choice(10**4, 30, replace=False)).astype(np.int64)
    firsts = np.concatenate([x, [2 * b - a for a in x for b in x if a != b]]).astype(np.int64)
    sizes: list[int] = []
    rows, keys = distinct_narrow_columns(x, [(1, -1)] * 3, (0, 1), [(firsts, None, 0)], reserve=sizes.append)
    naive = 2 * firsts.size * (2 * 30) ** 2
    assert max(sizes) * 10 < naive
    assert max(sizes) < 20 * rows.shape[0]  # measured: 142,575 rows' worth held at once (the last layer's candidates) for 24,219 distinct columns
    assert np.array_equal(np.sort(keys), keys) and len(set(keys.tolist())) == keys.size


def test_rows_are_compared_exactly_not_by_hash() -> None:
    values = np.array([[1, 2, 3], [1, 2, 3], [3, 2, 1], [0, 0, 0]], dtype=np.int64)
    assert row_groups(values).tolist().count(row_groups(values)[0]) == 2
    assert len(set(row_groups(values, classes=np.array([0, 1, 0, 0])).tolist())) == 4
    huge = np.array([[2**70, 1], [2**70, 1], [2**70, 2]], dtype=object)
    assert first_distinct_rows(huge) == [0, 2]


def test_reserve_sees_every_layer_before_it_is_allocated() -> None:
    x = np.array([0, 1, 3, 7], dtype=np.int64)

    def refuse(rows: int) -> None:
        if rows > 20:
            raise MemoryError(f"{rows} rows")

    with pytest.raises(MemoryError, match="rows"):
        distinct_narrow_columns(x, [(1, -1)] * 3, (0, 1), [(x, None, 0)], reserve=refuse)
    naive = narrow_columns(x, x, [(1, -1)] * 3, (0, 1))
    rows, keys = distinct_narrow_columns(x, [(1, -1)] * 3, (0, 1), [(x, None, 0)])
    assert np.array_equal(naive[keys], rows)
    assert sorted(map(tuple, rows.tolist())) == sorted(set(map(tuple, naive.tolist())))


def test_distinct_library_on_data_too_fine_for_int64() -> None:
    X = [Fraction(1, 10**17) + Fraction(1, 3**30), Fraction(3, 7**20), Fraction(2), Fraction(-5, 3), Fraction(2)]
    lib = library(X, "relu", 4)
    assert not lib.recipe.integer_scale().fits_int64
    assert list(lib.distinct().selection) == naive_first_occurrences(lib)


def test_the_build_is_limited_by_the_rows_it_holds_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A depth-2 library whose rows take two thirds of the memory limit builds distinct (it holds
    little more than its rows); its float matrix (twice the bytes of the int32 rows) is refused,
    and built once the limit covers it."""
    X = list(range(400))
    rows = library(X, "relu", 2).distinct().selected_rows.values
    assert rows.dtype == np.int32  # small integers: 4 bytes per entry, the float matrix 8
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(int(1.5 * rows.nbytes)))
    distinct = library(X, "relu", 2).distinct()
    assert distinct.n_features == rows.shape[0]
    with pytest.raises(ValueError, match="the dictionary has .* columns on 400 points .*8-byte entries.*MIRRORLIB_MAX_BYTES"):
        distinct.matrix()
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(2 * rows.nbytes))
    assert distinct.matrix().nbytes == 2 * rows.nbytes
    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(int(0.9 * rows.nbytes)))
    with pytest.raises(ValueError, match="building the distinct library would hold"):
        library(X, "relu", 2).distinct()


def test_reserve_counts_the_parents_with_the_new_rows() -> None:
    """A reservation includes the rows still alive: the last one (the output) covers the final
    rows plus their parents."""
    x = np.array([0, 1, 3, 7, 12], dtype=np.int64)
    sizes: list[int] = []
    rows, _ = distinct_narrow_columns(x, [(1,)] * 3, (-1, 1), [(x, None, 0)], reserve=sizes.append)  # abs: rows built layer by layer
    parents, _ = distinct_narrow_columns(x, [(1,)] * 2, (-1, 1), [(x, None, 0)])
    assert sizes[-1] >= rows.shape[0] + parents.shape[0]


@settings(max_examples=40, deadline=None)
@given(closed_forms())
def test_int32_rows_are_the_int64_rows(case) -> None:
    """Small integers are built in int32 (half the memory and traffic); forcing int64 must give
    the same distinct columns, in the same order, with the same naive indices."""
    X, activation, depth, options = case
    narrow = library(X, activation, depth, **options).distinct()
    with mock.patch.object(narrow_columns_module, "INT32_SAFE", 0):
        wide = library(X, activation, depth, **options).distinct()
    assert narrow.selected_rows.values.dtype == np.int32 and wide.selected_rows.values.dtype == np.int64
    assert narrow.selection == wide.selection
    assert np.array_equal(narrow.selected_rows.values, wide.selected_rows.values)


@pytest.mark.parametrize(("activation", "depth", "options"), [("relu", 3, {}), ("abs", 4, {}), ("relu", 4, {"variant": "all-reflections"}), ("leaky_relu(1/100)", 2, {})])
def test_int32_at_the_edge_of_its_bound(activation: str, depth: int, options: dict) -> None:
    """Data as large as the a-priori bound allows for int32 build in int32, one step larger in
    int64; both give exactly the values of the build in Python integers, so nothing wrapped."""
    shape = [-1, Fraction(-1, 3), Fraction(1, 5), Fraction(2, 3), 1]

    def scaled(magnitude: int):
        return library([magnitude * v for v in shape], activation, depth, **options)

    low, high = 1, 2**31
    while high - low > 1:  # the largest multiplier the int32 bound admits
        middle = (low + high) // 2
        low, high = (middle, high) if scaled(middle).recipe.integer_scale().dtype is np.int32 else (low, middle)
    assert low > 2**10  # the bound leaves room for real data
    for magnitude, dtype in ((low, np.int32), (high, np.int64)):
        lib = scaled(magnitude)
        columns = lib.recipe.integer_columns()
        assert columns.values.dtype == dtype
        with mock.patch.object(narrow_columns_module, "INT32_SAFE", 0), mock.patch.object(narrow_columns_module, "INT64_SAFE", 0):
            unbounded = scaled(magnitude).recipe.integer_columns()
        assert unbounded.values.dtype == object and unbounded.denominator == columns.denominator
        assert columns.values.tolist() == unbounded.values.tolist()
        distinct = lib.distinct()
        assert distinct.selected_rows.values.dtype == dtype
        assert np.array_equal(distinct.selected_rows.values, columns.values[list(distinct.selection)])


def test_large_builds_report_each_layer(monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    """Builds whose naive library is large log one line per layer and block on the mirrorlib
    logger, the last layer's count being the library's (but for the linear column); small
    builds are silent."""
    from mirrorlib.libraries import closed_form

    X = [0, 1, 3, 7, 12, 20]
    with caplog.at_level("INFO", logger="mirrorlib"):
        library(X, "relu", 4).distinct()
        assert not caplog.records
        monkeypatch.setattr(closed_form, "PROGRESS_NAIVE_ENTRIES", 0)
        library(X, "relu", 4).distinct()
        depth_4 = [record.getMessage() for record in caplog.records]
        caplog.clear()
        distinct = library(X, "relu", 3).distinct()
    assert [line.split(":")[0] for line in depth_4] == [f"distinct library, block {b} of 2, layer {l} of 3" for b in (1, 2) for l in (1, 2, 3)]
    (last,) = [record.getMessage() for record in caplog.records if "layer 2 of 2" in record.getMessage()]
    linear_kept = distinct.feature(distinct.n_features - 1).linear_slope is not None
    assert last.endswith(f"candidate units, {distinct.n_features - linear_kept:,} distinct")


@st.composite
def relu_blocks(draw):
    """(x, blocks, signs per layer) of a ReLU library as the libraries form them: integer data
    with repeats; a block of first breakpoints starting with the data points, then further ones
    (reflections) inside, outside and between the data; and possibly a block of breakpoints
    tied to layer-2 anchors, numbered after the first."""
    x = np.sort(np.array(draw(st.lists(st.integers(-9, 9), min_size=1, max_size=7)), dtype=np.int64))
    further = np.array(draw(st.lists(st.integers(-25, 25), max_size=6)), dtype=np.int64)
    layers = draw(st.integers(1, 4))
    signs = [draw(st.sampled_from([(1, -1), (1,), (-1,), (-1, 1)])) for _ in range(layers)]
    firsts = np.concatenate([x, further])
    blocks = [(firsts, None, 0)]
    if draw(st.booleans()):
        tied_firsts = np.array(draw(st.lists(st.integers(-25, 25), min_size=1, max_size=6)), dtype=np.int64)
        tied = np.array(draw(st.lists(st.integers(0, x.size - 1), min_size=tied_firsts.size, max_size=tied_firsts.size)), dtype=np.int64)
        blocks.append((tied_firsts, tied, narrow_block_size(firsts.size, signs, x.size)))
    return x, blocks, signs


@settings(max_examples=300, deadline=None)
@given(relu_blocks(), st.booleans())
def test_clamped_ramps_are_the_layer_by_layer_rows(library_blocks, with_linear) -> None:
    """The ReLU build from clamped ramps (no row before every block's distinct units are known)
    against the generic build of every layer's rows and the merge of the blocks' rows: same
    rows, same keys, same distinct count per layer."""
    x, blocks, signs = library_blocks
    extra = [(np.arange(x.size, dtype=np.int64) - 3, 10**6, with_linear)]
    reports: dict[bool, list[str]] = {True: [], False: []}
    built = {}
    for clamped in (True, False):
        with mock.patch.object(distinct_columns, "clamps_apply", lambda x, firsts: clamped):
            built[clamped] = distinct_narrow_columns(x, signs, (0, 1), blocks, extra=extra, report=reports[clamped].append)
    assert np.array_equal(built[True][0], built[False][0]) and built[True][0].dtype == built[False][0].dtype
    assert np.array_equal(built[True][1], built[False][1])
    assert [line.split(", ")[-1] for line in reports[True]] == [line.split(", ")[-1] for line in reports[False]]


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(-6, 6), min_size=1, max_size=6),
    st.lists(st.tuples(st.sampled_from([1, -1]), st.integers(-9, 9), st.integers(0, 8) | st.just(UNBOUNDED)), min_size=2, max_size=12),
)
def test_canonical_classes_are_column_equality(data, units) -> None:
    """Two clamped ramps share a canonical class exactly when their columns on the data are equal."""
    x = np.sort(np.array(data, dtype=np.int64))
    sign, zero, height = (np.array(part, dtype=np.int64) for part in zip(*units))
    classes = list(zip(*(part.tolist() for part in canonical_ramps(x, ClampedRamps(sign, zero, height, np.arange(sign.size))))))
    columns = [tuple(min(max(s * (int(v) - z), 0), h) for v in x) for s, z, h in units]
    for i in range(len(units)):
        for j in range(len(units)):
            assert (classes[i] == classes[j]) == (columns[i] == columns[j]), (units[i], units[j], columns[i], columns[j])


def _brute_force_twins(rows: list[list[int]], reflections: bool) -> list[bool]:
    def constant(values: list[int]) -> bool:
        return len(set(values)) == 1

    return [
        any(constant([a - b for a, b in zip(row, earlier)]) or (reflections and constant([a + b for a, b in zip(row, earlier)])) for earlier in rows[:i])
        for i, row in enumerate(rows)
    ]


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5).flatmap(lambda n: st.lists(st.lists(st.integers(-4, 4), min_size=n, max_size=n), min_size=1, max_size=8)),
    st.lists(st.tuples(st.integers(0, 7), st.integers(-3, 3), st.booleans()), max_size=6),
    st.booleans(),
)
def test_affine_twins_are_shifts_or_reflections_of_an_earlier_row(rows, planted, reflections) -> None:
    for source, shift, reflect in planted:  # plant twins: k ± an earlier row
        row = rows[source % len(rows)]
        rows.append([shift - v if reflect else v + shift for v in row])
    values = np.array(rows, dtype=np.int64)
    assert distinct_columns.affine_twins(values, reflections).tolist() == _brute_force_twins(rows, reflections)
    assert distinct_columns.affine_twins(values.astype(object), reflections).tolist() == _brute_force_twins(rows, reflections)


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 5).flatmap(lambda n: st.lists(st.lists(st.integers(-4, 4), min_size=n, max_size=n), min_size=1, max_size=6)),
    st.sampled_from([(-1, 1), (-2, 2), (0, 1), (1, 3), (-3, 1)]),
    st.sampled_from([(1,), (-1,), (1, -1)]),
)
def test_a_twin_has_no_child_an_earlier_row_lacks(rows, slopes, signs) -> None:
    """The rule the row build relies on: every child σ(s(q − q(x_j))) of a twin ``q`` is a child of an earlier row."""
    rows += [[7 - v for v in rows[0]], [v + 3 for v in rows[-1]]]
    values = np.array(rows, dtype=np.int64)

    def children(row: list[int]) -> set[tuple[int, ...]]:
        return {tuple(slopes[0] * t if t < 0 else slopes[1] * t for t in (s * (v - c) for v in row)) for s in signs for c in row}

    twins = distinct_columns.affine_twins(values, distinct_columns.reflections_share_children(slopes, signs))
    for i in np.flatnonzero(twins):
        earlier = set().union(*(children(row) for row in rows[:i]))
        assert children(rows[i]) <= earlier


def test_remembered_unit_columns_are_per_dataset_and_cannot_be_changed() -> None:
    """exact_column remembers each unit's values: a caller changing the list it got, or the same
    unit on other data, must not see (or leave) a stale column."""
    lib = library([0, 1, 3, 4], "abs", 3)
    feature = lib.feature(5)
    first = exact_column(feature, lib.dataset)
    expected = [feature.unit(x) + feature.offset for x in lib.dataset.x]
    first[0] = Fraction(99)
    assert exact_column(feature, lib.dataset) == expected
    other = library([0, 2, 3, 7, 9], "abs", 3).dataset
    assert exact_column(feature, other) == [feature.unit(x) + feature.offset for x in other.x]


def test_remembered_unit_columns_go_with_their_library() -> None:
    """The remembered values live as long as their unit, and a library keeps the features it was
    asked for: they last while the library does (column generation's rounds), and a dropped
    library leaves nothing."""
    import gc
    import importlib

    remembered = importlib.import_module("mirrorlib.libraries.library")._UNIT_VALUES
    lib = library([0, 1, 3, 4, 6], "abs", 4)
    before = len(remembered)
    for index in range(lib.n_features):
        exact_column(lib.feature(index), lib.dataset)
    gc.collect()
    assert lib.feature(3) is lib.feature(3) and len(remembered) > before
    del lib
    gc.collect()
    assert len(remembered) <= before


def test_a_build_whose_anchors_exceed_the_limit_is_refused_before_forming_them(monkeypatch: pytest.MonkeyPatch) -> None:
    """ReLU depth 3 on 3,000 points under a 50 MiB limit: the second layer's value anchors (about
    a billion bytes' worth) are counted and refused before they are formed. They used to be
    formed first: 688 MB traced before the refusal (and a MemoryError traceback on 200,000 points)."""
    import tracemalloc

    from mirrorlib.libraries import MemoryLimitExceeded

    monkeypatch.setenv("MIRRORLIB_MAX_BYTES", str(50 * 2**20))
    lib = library(np.random.default_rng(0).uniform(-1, 1, 3000), "relu", 3)
    tracemalloc.start()
    try:
        with pytest.raises(MemoryLimitExceeded, match="limit 50.0 MiB"):
            lib.distinct()
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 50 * 2**20
