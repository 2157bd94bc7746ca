"""Grouping integer codes with one unstable sort: the same answers as numpy's stable routines."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from mirrorlib.libraries.code_groups import code_groups, first_occurrences, lexicographic_order, repeated_codes
from mirrorlib.libraries.distinct_columns import _RowOrder
from mirrorlib.libraries.narrow_columns import apply_homogeneous

# few distinct values, so that groups and ties are common; or values over the whole int64 range
codes = st.one_of(
    arrays(np.int64, st.integers(0, 60), elements=st.integers(-3, 3)),
    arrays(np.int64, st.integers(0, 60), elements=st.integers(-(2**63), 2**63 - 1)),
    arrays(np.uint64, st.integers(0, 60), elements=st.integers(0, 2**64 - 1)),
    arrays(np.uint64, st.integers(0, 60), elements=st.integers(2**64 - 4, 2**64 - 1)),  # packed, above 2⁶³
    arrays(np.int32, st.integers(0, 60), elements=st.sampled_from([-(2**31), -1, 0, 2**31 - 1])),  # packed, range 2³²
)


@settings(max_examples=200, deadline=None)
@given(codes)
def test_first_occurrences_and_groups_equal_numpy_unique(values):
    _, first, inverse, sizes = np.unique(values, return_index=True, return_inverse=True, return_counts=True)
    assert first_occurrences(values).tolist() == sorted(first.tolist())
    ours = code_groups(values)
    assert [part.tolist() for part in ours] == [first.tolist(), inverse.ravel().tolist(), sizes.tolist()]
    assert repeated_codes(values).tolist() == [values.tolist().count(v) > 1 for v in values.tolist()]


# one to three keys of one length: small values (ties), or wide ones (too wide to pack)
several_keys = st.integers(0, 40).flatmap(
    lambda size: st.lists(arrays(np.int64, size, elements=st.one_of(st.integers(-2, 2), st.integers(-(2**62), 2**62))), min_size=1, max_size=3)
)


@settings(max_examples=200, deadline=None)
@given(several_keys)
def test_lexicographic_order_is_the_stable_lexsort(keys):
    assert lexicographic_order(*keys).tolist() == np.lexsort(keys[::-1]).tolist()


@settings(max_examples=200, deadline=None)
@given(several_keys)
def test_first_occurrences_of_several_keys_are_those_of_their_tuples(keys):
    tuples = list(zip(*(key.tolist() for key in keys)))
    assert first_occurrences(*keys).tolist() == [i for i, item in enumerate(tuples) if item not in tuples[:i]]


@settings(max_examples=200, deadline=None)
@given(st.sampled_from([np.int32, np.int64]).flatmap(
    lambda dtype: arrays(dtype, st.tuples(st.integers(0, 5), st.integers(1, 9)), elements=st.one_of(st.integers(-2, 2), st.integers(-(2**31) + 1, 2**31 - 1)))
))
def test_row_order_is_the_stable_argsort(values):
    order = _RowOrder.of(values)
    stable = np.argsort(values, axis=1, kind="stable")
    assert order.order.tolist() == stable.tolist()
    assert order.ordered.tolist() == np.take_along_axis(values, stable, axis=1).tolist()
    assert order.ordered.dtype == values.dtype


@settings(max_examples=100, deadline=None)
@given(
    arrays(np.int64, st.integers(0, 12), elements=st.integers(-(2**20), 2**20)),
    st.sampled_from([(0, 1), (0, 3), (-1, 1), (-2, 2), (1, 2), (-1, 3)]),
)
def test_homogeneous_activation_in_place_equals_its_definition(values, slopes):
    expected = [slopes[0] * v if v < 0 else slopes[1] * v for v in values.tolist()]
    assert apply_homogeneous(values.copy(), slopes).tolist() == expected
    as_objects = values.astype(object)
    assert apply_homogeneous(as_objects.copy(), slopes).tolist() == expected
    for source in (values, as_objects, np.broadcast_to(values, (2, values.size))):  # into a new array, the input unchanged
        before = source.tolist()
        assert apply_homogeneous(source, slopes, out=np.empty(source.shape, dtype=source.dtype)).tolist() == np.broadcast_to(
            np.array(expected, dtype=object), source.shape
        ).tolist()
        assert source.tolist() == before
